"""Breach actions: what happens to an untouched lead past the SLA.

`check` says when the drivers look for breached leads: `sight` (when a rep scans the queue) or
`day_start` (when the day's queues are laid out); a rule with neither is never called.
"""

from numba import njit

from sim.policies.helpers import FIRST, KEEP, REASSIGN, RECYCLE
from sim.policies.registry import rule


@rule("breach", "none", "nothing: the lead waits its turn", check="")
@njit(cache=True, inline="always")
def none(S, P, c, t):
    return KEEP


@rule("breach", "alert", "an untouched lead past the SLA jumps its rep's queue", check="sight")
@njit(cache=True, inline="always")
def alert(S, P, c, t):
    return FIRST


@rule(
    "breach",
    "reassign",
    "at the start of each day untouched breached leads move to the next available rep",
    check="day_start",
)
@njit(cache=True, inline="always")
def reassign(S, P, c, t):
    return REASSIGN


@rule(
    "breach",
    "recycle",
    "a rep who finds an untouched breached lead in the queue sends it back to marketing",
    check="sight",
)
@njit(cache=True, inline="always")
def recycle(S, P, c, t):
    return RECYCLE
