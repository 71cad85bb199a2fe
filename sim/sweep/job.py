"""One sweep job: a scenario's replications, run in sequence and written as one file."""

from __future__ import annotations

import copy
import json
import os
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd

from sim import rng
from sim.output import atomic_parquet

RESERVED = ("scenario", "label", "baseline", "job", "replication", "seed", "root_seed", "status", "error")


def replication_seed(root_seed: int, r: int) -> int:
    """Seed of replication r: the same under every scenario (common random numbers)."""
    return int(rng.key(np.uint64(root_seed), 99, r, 0, 0) >> np.uint64(1))


def flatten(summary: dict, prefix: str = "") -> dict:
    """Summary metrics as dotted columns; the response histogram is kept apart."""
    out = {}
    for k, v in summary.items():
        if k == "response_histogram":
            continue
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def job_path(folder: Path, scenario: str) -> Path:
    return folder / "jobs" / f"{scenario}.parquet"


_PLANS: dict = {}  # plan.json by (path, size, change time): a worker reads a sweep's plan once


def read_plan(folder: Path) -> dict:
    path = (folder / "plan.json").resolve()
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _PLANS:
        _PLANS.clear()
        _PLANS[key] = json.loads(path.read_text())
    return _PLANS[key]


def claim(claims: Path, job: int) -> bool:
    """Take job `job` of a lane queue: True for the one lane that creates its claim file first."""
    try:
        os.close(os.open(claims / str(job), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def run_lane(folder: Path, claims: Path) -> str:
    """Run the queued jobs (claims/queue.json) that no other lane has claimed, one after another in this
    process, so imports, compiled kernels and composed presets serve every job; returns the worst status."""
    statuses = [run_job(folder, j) for j in json.loads((claims / "queue.json").read_text()) if claim(claims, j)]
    return "failed" if "failed" in statuses else "ok"


def run_job(folder: Path, job: int) -> str:
    """Run job `job` of the sweep planned in `folder`; returns its status.  A failure is written
    as a row per replication marked failed, so the sweep goes on and the table shows it."""
    from sim.loading import load_config
    from sim.run import simulate

    plan = read_plan(folder)
    sc = plan["scenarios"][job]
    rows, responses = [], []
    started = time.time()
    status, error = "ok", None
    try:
        draws = plan.get("posterior", {}).get("draws") or [[]] * plan["replications"]
        composed = None  # without posterior draws, replications differ only in their seed: compose once
        for r in range(plan["replications"]):
            seed = replication_seed(plan["root_seed"], r)
            if composed is not None and not draws[r]:
                cfg = copy.deepcopy(composed)
                cfg.sim.seed = seed
            else:
                # a posterior draw sets the fitted parameters; the scenario's levers come after it and win
                cfg = load_config([*plan["base"], *draws[r], *sc["overrides"], f"sim.seed={seed}", "sim.threads=1"])
                composed = None if draws[r] else copy.deepcopy(cfg)
            s = simulate(cfg).summary
            rows.append({"replication": r, "seed": seed, "status": "ok", "error": None, **flatten(s)})
            h = s["response_histogram"]
            for k in range(len(h["leads"])):
                responses.append(
                    {
                        "scenario": sc["id"],
                        "replication": r,
                        "bin_lo": h["edges_minutes"][k],
                        "bin_hi": h["edges_minutes"][k + 1],
                        "leads": h["leads"][k],
                        "sal": h["sal"][k],
                        "sql": h["sql"][k],
                    }
                )
    except Exception as err:  # a failed job is recorded, not raised: the other jobs go on
        status, error = "failed", f"{type(err).__name__}: {err}"
        rows = [
            {"replication": r, "seed": replication_seed(plan["root_seed"], r), "status": "failed", "error": error}
            for r in range(plan["replications"])
        ]
        responses = []
        (folder / "jobs" / f"{sc['id']}.error.txt").write_text(traceback.format_exc())
    df = pd.DataFrame(rows)
    meta = {
        "scenario": sc["id"],
        "label": sc["label"],
        "baseline": sc["baseline"],
        "job": job,
        "root_seed": plan["root_seed"],
        **{k: v for k, v in sc["levers"].items()},
    }
    for i, (k, v) in enumerate(meta.items()):
        df.insert(i, k, [v] * len(df))
    df["seconds"] = time.time() - started
    resp = pd.DataFrame(responses, columns=["scenario", "replication", "bin_lo", "bin_hi", "leads", "sal", "sql"])
    atomic_parquet(resp, folder / "jobs" / f"{sc['id']}.responses.parquet")
    atomic_parquet(df, job_path(folder, sc["id"]))  # written last: its presence marks the job done
    return status
