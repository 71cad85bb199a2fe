"""Behaviour functions, written once over the state arrays.

Each is compiled by Numba for the fast driver and called as plain Python
(`.py_func`) by the reference driver's Mesa agents.
"""
