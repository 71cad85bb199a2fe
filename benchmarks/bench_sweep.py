"""Sweep overheads: per-job overhead of the Hydra launchers and the parallel efficiency of a
2-worker joblib sweep against one worker, measured side by side in one run.

Run:  .venv/bin/python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from sim.sweep.cli import main

ARGS = ["sim.days=365", "market.accounts=5000", "sales.reps=10", "marketing.budget_scale=0.25", "replications=2"]
GRID = ["marketing.mql_threshold=50,58,66,74", "policy.sla_minutes=5,1440", "policy.handoff.mode=realtime"]


def timed(launcher: str, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        assert (
            main(
                [
                    *ARGS,
                    *GRID,
                    f"dir={tmp}",
                    "name=b",
                    f"launcher={launcher}",
                    f"workers={workers}",
                    "quiet=true",
                    "plots=false",
                ]
            )
            == 0
        )
        wall = time.perf_counter() - t0
        jobs = json.loads((Path(tmp) / "b" / "sweep.json").read_text())["jobs"]
    compute = sum(j["seconds"] for j in jobs)
    return {
        "jobs": len(jobs),
        "wall_s": round(wall, 2),
        "job_compute_s": round(compute, 2),
        "overhead_per_job_s": round((wall * workers - compute) / len(jobs), 3),
    }


def sweep_report() -> dict:
    """Per-job overhead on each launcher and the 2-worker parallel efficiency, side by side."""
    report = {"basic_1": timed("basic", 1), "joblib_1": timed("joblib", 1), "joblib_2": timed("joblib", 2)}
    report["parallel_efficiency_2_workers"] = round(
        report["joblib_1"]["wall_s"] / (2 * report["joblib_2"]["wall_s"]), 2
    )
    return report


def main_bench() -> None:
    report = sweep_report()
    os.makedirs("results/benchmarks", exist_ok=True)
    Path("results/benchmarks/sweep.json").write_text(json.dumps(report, indent=2))
    for k, v in report.items():
        print(f"{k:<32} {v}")


if __name__ == "__main__":
    main_bench()
