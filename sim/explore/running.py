"""Run explore samples as jobs through the sweep launchers (basic, joblib, Ray) and collect tidy tables.

A stage (the samples of a design, one batch of optimisation trials, the confirmation runs) is
planned in its own folder like a sweep: plan.json, then one job file per chunk of samples in
jobs/, written whole when the chunk finishes.  Running the stage again skips finished chunks, so
an explore killed midway resumes.  Every sample runs the same replication seeds (common random
numbers), derived from the root seed as a sweep derives them.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import is_dataclass, replace
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.config import ConfigError
from sim.loading import CONF_DIR
from sim.output import atomic_parquet
from sim.sweep.job import flatten, job_path, replication_seed

CHUNKS = 12  # a stage is cut into about this many jobs: progress and resume steps, little launch overhead


def with_values(cfg, values: dict):
    """A copy of a config with dotted keys set to values, validated (no Hydra composition: fast per sample)."""
    from sim.config_check import validate

    def put(obj, parts, v):
        if len(parts) == 1:
            return replace(obj, **{parts[0]: v})
        child = getattr(obj, parts[0])
        if not is_dataclass(child):
            raise ConfigError(f"{'.'.join(parts)} is not a config key")
        return replace(obj, **{parts[0]: put(child, parts[1:], v)})

    for key, v in values.items():
        cfg = put(cfg, key.split("."), v)
    return validate(cfg)


def add_derived(df: pd.DataFrame) -> pd.DataFrame:
    """Outcomes under short names (DERIVED): total cost and cost per opportunity from the summary's economics,
    and opportunities from both sources."""
    df = df.copy()
    if "economics.total_cost" in df:
        df["cost.total"] = df["economics.total_cost"]
        df["cost_per_opportunity"] = df["economics.cost_per_opportunity"]
    if "opportunities_by_source.marketing" in df:
        df["opportunities"] = df["opportunities_by_source.marketing"] + df["opportunities_by_source.sales"]
    return df


def run_chunk(folder: Path, job: int) -> str:
    """Run one chunk of a stage's samples, each for every replication; write its job file last."""
    from sim.loading import load_config
    from sim.run import simulate

    plan = json.loads((folder / "plan.json").read_text())
    chunk = plan["scenarios"][job]
    started = time.time()
    base = load_config([*plan["base"], "sim.threads=1"])  # composed once per job: Hydra is slow
    rows, status = [], "ok"
    for s in chunk["samples"]:
        for r in range(plan["replications"]):
            seed = replication_seed(plan["root_seed"], r)
            row = {"sample": s["sample"], "replication": r, "seed": seed, "status": "ok", "error": None}
            try:
                cfg = with_values(base, {**s["levers"], "sim.seed": seed})
                row.update(flatten(simulate(cfg).summary))
            except Exception as err:  # recorded, not raised: the other samples go on
                row.update(status="failed", error=f"{type(err).__name__}: {err}")
                status = "failed"
            rows.append(row)
    df = pd.DataFrame(rows)
    df["seconds"] = time.time() - started
    atomic_parquet(df, job_path(folder, chunk["id"]))
    return status


@hydra.main(config_path=str(CONF_DIR), config_name="sweep_job", version_base="1.3")
def hydra_task(cfg: DictConfig) -> str:
    return run_chunk(Path(cfg.sweep_dir), int(cfg.job))


def stage_plan(name: str, base: list[str], samples: list[dict], replications: int, root_seed: int) -> dict:
    """The jobs of a stage: its samples ({key: value} each) cut into chunks; seeds of every replication."""
    size = max(1, math.ceil(len(samples) / CHUNKS))
    chunks = []
    for j, start in enumerate(range(0, len(samples), size)):
        part = [{"sample": i, "levers": samples[i]} for i in range(start, min(start + size, len(samples)))]
        chunks.append({"id": f"c{j:04d}", "samples": part, "overrides": [f"samples {start}-{start + len(part) - 1}"]})
    return {
        "kind": "explore",
        "name": name,
        "root_seed": root_seed,
        "replications": replications,
        "seeds": [replication_seed(root_seed, r) for r in range(replications)],
        "base": list(base),
        "scenarios": chunks,
    }


def run_stage(
    folder: Path, stage: str, base: list[str], samples: list[dict], replications: int, root_seed: int, run: dict
) -> pd.DataFrame:
    """Run a stage's samples (resuming its finished chunks) and return one row per sample x replication,
    with the sample's factor values, seed, status and every summary metric (plus the derived outcomes)."""
    from sim.sweep.launch import run_pending

    sdir = folder / "runs" / stage
    plan = stage_plan(f"{folder.name}/{stage}", base, samples, replications, root_seed)
    plan = json.loads(json.dumps(plan, default=_plain))
    pfile = sdir / "plan.json"
    if pfile.exists():
        if json.loads(pfile.read_text()) != plan:
            raise ConfigError(f"{sdir} holds a different plan; give another name= or remove {folder}")
    else:
        (sdir / "jobs").mkdir(parents=True, exist_ok=True)
        tmp = sdir / f".plan.json.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(plan, indent=1))
        os.replace(tmp, pfile)
    pending = [j for j, c in enumerate(plan["scenarios"]) if not job_path(sdir, c["id"]).exists()]
    run_pending(
        sdir, plan, pending, run["launcher"], run["workers"], run["quiet"], address=run.get("address"), task=hydra_task
    )
    frames = [pd.read_parquet(job_path(sdir, c["id"])) for c in plan["scenarios"]]
    runs = pd.concat(frames, ignore_index=True).drop(columns=["seconds"])
    values = pd.DataFrame(samples)
    values.insert(0, "sample", np.arange(len(samples)))
    runs = values.merge(runs, on="sample", how="right").sort_values(["sample", "replication"], kind="stable")
    return add_derived(runs.reset_index(drop=True))


def _plain(x):
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"{type(x).__name__} is not JSON")


def sample_means(runs: pd.DataFrame, keys: list[str], outcomes: list[str]) -> pd.DataFrame:
    """Mean of each outcome over a sample's replications (failed runs left out), with the factor values."""
    ok = runs[runs["status"] == "ok"]
    return ok.groupby("sample", sort=True).agg({**{k: "first" for k in keys}, **{o: "mean" for o in outcomes}})
