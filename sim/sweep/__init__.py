"""Scenario sweeps: specs, seeds, jobs, merged tables and the `funnelsim sweep` command."""
