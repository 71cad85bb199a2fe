"""The day's schedule: the ordered phases both drivers run, each the same behaviour functions.

A driver is an object with one method per phase, `phase(S, P, d)`; `run_day` calls them in this
order.  Within the handoff and closing phases the order of steps is the compiled functions
`sim.kernels.handoff_phase` and `sim.kernels.close_phase`, which the reference driver runs as pure
Python, so the day is written once.  The fast driver runs many days in one compiled call (one per
thread); a day runs the pieces of these phases in the order of `NAMES` (`sim.kernels.DAY_PIECES`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    name: str
    doc: str
    parallel: str  # what the fast driver splits over worker threads ("" = sequential)


PHASES = (
    Phase("market", "accounts enter and leave the market; buying intent", "accounts"),
    Phase("marketing", "campaign touches, responses, scoring and MQLs; counts touches by channel", "contacts"),
    Phase("handoff", "stated arrivals, routing of new MQLs by the routing rule, breach rules, the day's queues", ""),
    Phase("sales", "each rep's working day: leads by the queue discipline, deals, prospecting", "reps"),
    Phase("closing", "account events from the reps, deals closing, closed-loop feedback, observation", ""),
)
NAMES = tuple(p.name for p in PHASES)


def run_day(driver, S, P, d, make_room=None):
    """One simulated day: every phase in order.  `make_room(S, phase, d)`, if given, returns the state
    with room for what the phase may add (the lead table grows between phases); returns the state."""
    for name in NAMES:
        if make_room is not None:
            S = make_room(S, name, d)
        getattr(driver, name)(S, P, d)
    return S


def missing_phases(driver) -> list[str]:
    """Phases of the schedule that `driver` does not implement."""
    return [n for n in NAMES if not callable(getattr(driver, n, None))]
