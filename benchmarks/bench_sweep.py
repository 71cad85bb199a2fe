"""Sweep overheads: per-job overhead of the Hydra launchers and the parallel efficiency of a
2-worker joblib sweep against one worker, measured side by side in one run.

The simulation phase (the launcher running the jobs) is timed apart from planning and merging, and
the parallel efficiency is that phase's: T(1 worker) / (2 x T(2 workers)).  Two sizes: the sweep the
issue was measured on (8 jobs of about half a second) and an exploration-sized one (16 jobs of about
a second); a new worker process spends about 1.5 s importing and loading compiled kernels before its
first job, which the small sweep cannot hide.  The machine's load average is recorded beside the
figures: other processes on the same cores lower the 2-worker figures.

Run:  .venv/bin/python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import sim.sweep.launch
from sim.sweep.cli import main

ARGS = ["sim.days=365", "market.accounts=5000", "sales.reps=10", "marketing.budget_scale=0.25", "replications=2"]
GRID = ["marketing.mql_threshold=50,58,66,74", "policy.sla_minutes=5,1440", "policy.handoff.mode=realtime"]
EXPLORE_ARGS = ["sim.days=730", *ARGS[1:]]
EXPLORE_GRID = ["marketing.mql_threshold=46,50,54,58,62,66,70,74", *GRID[1:]]


def _timed_phase(phases: dict):
    """run_pending, timed: the simulation phase of a sweep."""
    run_pending = sim.sweep.launch.run_pending

    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return run_pending(*args, **kwargs)
        finally:
            phases["simulation_s"] = round(time.perf_counter() - t0, 2)

    return run_pending, wrapper


def timed(launcher: str, workers: int, args: list[str] = ARGS, grid: list[str] = GRID) -> dict:
    phases: dict = {}
    original, sim.sweep.launch.run_pending = _timed_phase(phases)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            argv = [*args, *grid, f"dir={tmp}", "name=b", f"launcher={launcher}", f"workers={workers}"]
            assert main([*argv, "quiet=true", "plots=false"]) == 0
            wall = time.perf_counter() - t0
            jobs = json.loads((Path(tmp) / "b" / "sweep.json").read_text())["jobs"]
    finally:
        sim.sweep.launch.run_pending = original
    compute = sum(j["seconds"] for j in jobs)
    return {
        "jobs": len(jobs),
        "wall_s": round(wall, 2),
        "simulation_s": phases["simulation_s"],
        "job_compute_s": round(compute, 2),
        "overhead_per_job_s": round((wall * workers - compute) / len(jobs), 3),
    }


def _efficiency(one: dict, two: dict, key: str) -> float:
    return round(one[key] / (2 * two[key]), 2)


def sweep_report() -> dict:
    """Per-job overhead on each launcher and the 2-worker parallel efficiency, side by side."""
    report: dict = {"load_average_before": [round(x, 2) for x in os.getloadavg()]}
    report.update(basic_1=timed("basic", 1), joblib_1=timed("joblib", 1), joblib_2=timed("joblib", 2))
    report["efficiency_2_workers_issue_sweep"] = _efficiency(report["joblib_1"], report["joblib_2"], "simulation_s")
    report["efficiency_2_workers_issue_sweep_whole"] = _efficiency(report["joblib_1"], report["joblib_2"], "wall_s")
    report["explore_joblib_1"] = timed("joblib", 1, EXPLORE_ARGS, EXPLORE_GRID)
    report["explore_joblib_2"] = timed("joblib", 2, EXPLORE_ARGS, EXPLORE_GRID)
    report["parallel_efficiency_2_workers"] = _efficiency(
        report["explore_joblib_1"], report["explore_joblib_2"], "simulation_s"
    )
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return report


def main_bench() -> None:
    report = sweep_report()
    os.makedirs("results/benchmarks", exist_ok=True)
    Path("results/benchmarks/sweep.json").write_text(json.dumps(report, indent=2))
    for k, v in report.items():
        print(f"{k:<40} {v}")


if __name__ == "__main__":
    main_bench()
