"""Checks of the model against closed forms of queueing theory and published figures."""
