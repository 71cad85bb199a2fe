"""One thread against two on a million contacts × 730 days, side by side: runs alternate between the
thread counts in one process, so both see the same machine; the best of each is reported with the load
average around it (the machine is shared, and a busy core leaves a second thread little to gain).

Run:  .venv/bin/python benchmarks/threads.py [--repeats N] [overrides...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import MILLION  # noqa: E402


def side_by_side(overrides: list[str], threads: tuple[int, ...] = (1, 2), repeats: int = 3) -> dict:
    """Run time of `FunnelModel.run` for each thread count, alternating, `repeats` times each."""
    from sim import load_config
    from sim.model import FunnelModel

    configs = {t: load_config([*overrides, f"sim.threads={t}"]) for t in threads}
    FunnelModel(load_config([*overrides, "sim.days=2"])).run()  # compile or load the kernels first
    times: dict[int, list[float]] = {t: [] for t in threads}
    loads = [os.getloadavg()[0]]
    for _ in range(repeats):
        for t in threads:
            model = FunnelModel(configs[t])
            t0 = time.perf_counter()
            model.run()
            times[t].append(time.perf_counter() - t0)
            loads.append(os.getloadavg()[0])
    best = {t: min(v) for t, v in times.items()}
    return {
        "contacts": model.n_contacts,
        "best_s": {t: round(v, 3) for t, v in best.items()},
        "all_s": {t: [round(x, 3) for x in v] for t, v in times.items()},
        "speedup": round(best[threads[0]] / best[threads[-1]], 2),
        "load_average_1min": (round(min(loads), 2), round(max(loads), 2)),
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("overrides", nargs="*", help="config overrides (default: the million-contact market)")
    args = ap.parse_args()
    print(side_by_side(args.overrides or MILLION, repeats=args.repeats))
