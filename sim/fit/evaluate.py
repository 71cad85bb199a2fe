"""Run the model at one parameter point and measure it as the targets measure the export.

A point is simulated for a few replications with fixed seeds (common random numbers: the
same seeds at every point, so the distance moves smoothly with the parameters).  The first
`warmup_days` fill the pipeline and are left out, as the client's export starts mid-stream.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from sim.fit.targets import statistics

LEAD_COLUMNS = {
    "lead_id": "lead_id",
    "created_at": "created",
    "mql_at": "mql",
    "routed_at": "routed",
    "first_touch_at": "first_touch",
    "sal_at": "sal",
    "sql_at": "sql",
    "opportunity_at": "opportunity",
    "closed_at": "closed",
    "source": "source",
    "rep_id": "owner",
    "stage": "outcome",
}


def model_frames(result, warmup_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A run's lead log and deals in export form, from the end of the warm-up (times in minutes)."""
    start = warmup_days * 1440.0
    leads = result.leads.rename(columns=LEAD_COLUMNS)[list(LEAD_COLUMNS.values())]
    leads = leads[leads["created"] >= start].reset_index(drop=True)
    times = ["created", "mql", "routed", "first_touch", "sal", "sql", "opportunity", "closed"]
    for c in times:
        leads[c] = leads[c] - start
    # the log keeps the time a lead last left the funnel; a lead that came back later is open again
    later = leads[times[:-1]].max(axis=1)
    leads["closed"] = leads["closed"].where(leads["closed"] >= later)
    d = result.deals
    opps = pd.DataFrame(
        {
            "opportunity_id": np.arange(len(d), dtype=np.int64),
            "created": d["created_at"] - start,
            "closed": d["closed_at"] - start,
            "amount": d["value"],
            "outcome": d["outcome"],
            "source": d["source"],
            "segment": d["segment"],
        }
    )
    return leads, opps[opps["created"] >= 0].reset_index(drop=True)


def simulate_point(overrides: list[str], days: int, warmup_days: int, seeds: list[int]) -> list[dict]:
    """The statistics of each replication at these overrides: a list of {name: value}."""
    from sim.loading import load_config
    from sim.run import simulate

    window = days - warmup_days
    base = load_config([*overrides, f"sim.days={days}", "sim.threads=1"])  # composed once: Hydra is slow
    out = []
    for seed in seeds:
        cfg = replace(base, sim=replace(base.sim, seed=int(seed)))
        leads, opps = model_frames(simulate(cfg, leads=True), warmup_days)
        stats = statistics(leads, opps, window, min_count=1)
        out.append(dict(zip(stats["name"], stats["value"], strict=True)))
    return out


MISSING_PENALTY = 25.0  # a target the model does not produce at all counts as five standard errors off


def model_moments(reps: list[dict], names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Mean over replications and the variance of that mean, per target (NaN where never produced)."""
    x = np.array([[r.get(n, np.nan) for n in names] for r in reps], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(x, axis=0)
        var = np.nanvar(x, axis=0, ddof=1) / np.sum(np.isfinite(x), axis=0) if len(reps) > 1 else np.zeros(len(names))
    return mean, np.nan_to_num(var)


def run_variance(reps_per_point: list[list[dict]], names: list[str]) -> np.ndarray:
    """Between-replication variance of each statistic, pooled over points: the model's own
    prediction of how much one export of this size varies by chance."""
    v = []
    for reps in reps_per_point:
        x = np.array([[r.get(n, np.nan) for n in names] for r in reps], dtype=float)
        if len(reps) > 1:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                v.append(np.nanvar(x, axis=0, ddof=1))
    return np.nan_to_num(np.nanmean(v, axis=0)) if v else np.zeros(len(names))


def distance(targets: pd.DataFrame, reps: list[dict], weights: np.ndarray, var: np.ndarray | None = None) -> float:
    """Weighted squared distance in standard errors: the targets' own, or `var` (a synthetic likelihood's)."""
    mean, _ = model_moments(reps, list(targets["name"]))
    if var is None:
        var = targets["se"].to_numpy(dtype=float) ** 2
    z2 = (mean - targets["value"].to_numpy(dtype=float)) ** 2 / var
    z2 = np.where(np.isfinite(z2), z2, MISSING_PENALTY)
    return float(np.sum(weights * z2))
