"""Speed of the model: the default scenario on the fast driver, the reference driver on a small
scenario beside the fast one, cost per contact-day, and Numba's first compile vs a warm cache.

Run:  .venv/bin/python benchmarks/bench_model.py [--million]
Figures are reported, not asserted: machines here are shared and noisy.  Init and run are timed
apart, as in Mesa's own benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

SMALL = ["sim.days=120", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03"]


def timed_run(overrides: list[str], repeats: int = 1) -> dict:
    from sim import load_config
    from sim.model import FunnelModel

    cfg = load_config(overrides)
    best_init = best_run = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        model = FunnelModel(cfg)
        t1 = time.perf_counter()
        model.run()
        t2 = time.perf_counter()
        best_init, best_run = min(best_init, t1 - t0), min(best_run, t2 - t1)
    contact_days = model.n_contacts * cfg.sim.days
    return {
        "contacts": model.n_contacts,
        "days": cfg.sim.days,
        "init_s": round(best_init, 3),
        "run_s": round(best_run, 3),
        "ns_per_contact_day": round(best_run / contact_days * 1e9, 2),
    }


def compile_times() -> dict:
    """First compile in a fresh cache, then a second process that loads the cache."""
    code = (
        "import time; t=time.perf_counter(); from sim import load_config, simulate; "
        f"simulate(load_config({SMALL[:1] + SMALL[1:]!r})); print(time.perf_counter()-t)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = {}
        for label in ("cold_cache_s", "warm_cache_s"):
            proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
            out[label] = round(float(proc.stdout.strip().splitlines()[-1]), 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--million", action="store_true", help="also time 1,000,000 contacts x 730 days")
    ap.add_argument("--out", default="results/benchmarks/model.json")
    args = ap.parse_args()

    report = {"compile": compile_times()}
    timed_run(SMALL)  # warm the cache in this process
    report["default_fast_1_thread"] = timed_run(["sim.threads=1"], repeats=2)
    report["default_fast_2_threads"] = timed_run(["sim.threads=2"], repeats=2)
    fast_small = timed_run([*SMALL, "sim.threads=1"], repeats=3)
    ref_small = timed_run([*SMALL, "sim.engine=reference"])
    report["small_fast"] = fast_small
    report["small_reference"] = ref_small
    report["reference_over_fast"] = round(ref_small["run_s"] / fast_small["run_s"], 1)
    if args.million:
        report["million_fast_2_threads"] = timed_run(
            ["market.accounts=133000", "marketing.budget_scale=6.65", "sales.reps=270", "sim.threads=2"]
        )
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(report, fh, indent=2)
    width = max(len(k) for k in report)
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
