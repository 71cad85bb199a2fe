"""CPU time of each phase of the fast driver's day (one thread), to see where a run's time goes.
CPU time (not wall time) keeps the split readable on a shared machine.

Run:  .venv/bin/python benchmarks/phases.py [overrides...]     e.g. sim.days=365
"""

from __future__ import annotations

import sys
import time

from sim import load_config
from sim.model import FunnelModel
from sim.schedule import NAMES
from sim.state import grow_deals, make_room


def phases(overrides: list[str]) -> dict:
    """Seconds of CPU per phase of `sim.schedule`, summed over the run's days."""
    model = FunnelModel(load_config([*overrides, "sim.threads=1"]))
    P, drv = model.params, model.driver
    spent = dict.fromkeys(NAMES, 0.0)
    for d in range(P.days):
        model.state = S = grow_deals(model.state)
        for name in NAMES:
            model.state = S = make_room(S, name, d)  # the lead table grows between phases, as in a run
            t0 = time.thread_time()
            getattr(drv, name)(S, P, d)
            spent[name] += time.thread_time() - t0
    drv.close()
    return {"n_contacts": model.n_contacts, "days": P.days, **{k: round(v, 3) for k, v in spent.items()}}


if __name__ == "__main__":
    phases(["sim.days=7"])  # compile or load the kernels outside the timing
    print(phases(sys.argv[1:]))
