"""CPU time of each phase of the fast driver's day (one thread), to see where a run's time goes.
CPU time (not wall time) keeps the split readable on a shared machine.  With `--pieces N`: the days run
piece by piece from Python on N threads (each range piece split into one range per thread, as the fast
driver ran several threads before its team call), the wall time of each piece against the CPU time of
its compiled calls on the calling thread and on the workers.

Run:  .venv/bin/python benchmarks/phases.py [--pieces N] [overrides...]     e.g. sim.days=365
"""

from __future__ import annotations

import sys
import threading
import time

from sim import load_config
from sim.model import FunnelModel
from sim.schedule import NAMES, run_day
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


def pieces(overrides: list[str], threads: int) -> dict:
    """Per piece code: wall seconds of the piece, and CPU seconds of its compiled calls on the calling
    thread and on the worker threads, the days run piece by piece from Python on `threads` threads."""
    from sim import kernels

    model = FunnelModel(load_config([*overrides, f"sim.threads={threads}"]))
    P, drv = model.params, model.driver
    names = {code: f"{name}.{i}" for name, codes in kernels.PIECES.items() for i, code in enumerate(codes)}
    wall = dict.fromkeys(names.values(), 0.0)
    cpu = {k: [0.0, 0.0] for k in names.values()}
    kernel, main = kernels.day_kernel, threading.main_thread()

    def timed(S, P, d, code, *rest):
        t0 = time.thread_time()
        out = kernel(S, P, d, code, *rest)
        cpu[names[code]][threading.current_thread() is not main] += time.thread_time() - t0
        return out

    def piece(code, S, P, d, run=drv._piece):
        t0 = time.perf_counter()
        run(code, S, P, d)
        wall[names[code]] += time.perf_counter() - t0

    kernels.day_kernel, drv._piece = timed, piece
    try:
        for d in range(P.days):
            model.state = run_day(drv, grow_deals(model.state), P, d, make_room)
    finally:
        kernels.day_kernel = kernel
        drv.close()
    return {k: {"wall_s": round(wall[k], 3), "cpu_s": [round(x, 3) for x in cpu[k]]} for k in wall}


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--pieces"]:
        pieces(["sim.days=7"], int(args[1]))
        print(pieces(args[2:], int(args[1])))
    else:
        phases(["sim.days=7"])  # compile or load the kernels outside the timing
        print(phases(args))
