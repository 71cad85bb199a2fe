"""CPU time of each phase of the fast driver's day (one thread), to see where a run's time goes.
CPU time (not wall time) keeps the split readable on a shared machine.

Run:  .venv/bin/python benchmarks/phases.py [overrides...]     e.g. sim.days=365
"""

from __future__ import annotations

import sys
import time

from sim import kernels as K
from sim import load_config
from sim.model import FunnelModel
from sim.params import POOLED
from sim.state import grow_deals


def phases(overrides: list[str]) -> dict:
    model = FunnelModel(load_config([*overrides, "sim.threads=1"]))
    P, drv = model.params, model.driver
    spent = dict.fromkeys(("accounts", "contacts", "handoff", "reps", "close_day"), 0.0)
    for d in range(P.days):
        model.state = S = grow_deals(model.state, int(model.state.opp_open.sum()) + 1)
        t0 = time.thread_time()
        drv._map(K.accounts_range, P.n_accounts, S, P, d)
        t1 = time.thread_time()
        drv._map(K.contacts_range, S.stage.shape[0], S, P, d)
        t2 = time.thread_time()
        K.handoff_kernel(S, P, d)
        t3 = time.thread_time()
        if P.routing == POOLED:
            K.pooled_reps(S, P, d)
        else:
            drv._map(K.reps_range, P.reps, S, P, d)
        t4 = time.thread_time()
        K.close_day_kernel(S, P, d)
        t5 = time.thread_time()
        for key, a, b in zip(spent, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5), strict=True):
            spent[key] += b - a
    return {"n_contacts": model.n_contacts, "days": P.days, **{k: round(v, 3) for k, v in spent.items()}}


if __name__ == "__main__":
    phases(["sim.days=7"])  # compile or load the kernels outside the timing
    print(phases(sys.argv[1:]))
