"""Robustness of candidate policies over sampled futures: regret and satisficing (Savage 1951; Simon 1956;
as used in robust decision making, Lempert et al. 2006).

Every policy runs in every future (a Latin hypercube over the uncertainties) with the same
replication seeds.  A policy's regret in a future is its shortfall against the best policy in
that future; the ranking is by worst-case and 90th-percentile regret.  Satisficing counts the
share of futures in which a policy meets every given condition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.explore.running import run_stage, sample_means
from sim.explore.sampling import latin_hypercube, to_values
from sim.explore.spec import factor_list, holds


def futures(spec: dict) -> pd.DataFrame:
    """The sampled futures: one row per future, one column per uncertainty."""
    factors = factor_list(spec)
    return to_values(factors, latin_hypercube(spec["futures"], len(factors), spec["root_seed"]))


def regret_tables(outcomes: pd.DataFrame, outcome: str, direction: str, satisficing: list[dict]):
    """Add regret per (policy, future) and summarise per policy (mean, worst, p90 regret, satisficing share)."""
    sign = 1.0 if direction == "maximize" else -1.0
    best = outcomes.groupby("future")[outcome].transform("max" if sign > 0 else "min")
    outcomes = outcomes.copy()
    outcomes["regret"] = sign * (best - outcomes[outcome])
    ok = np.ones(len(outcomes), dtype=bool)
    for c in satisficing:
        ok &= holds(outcomes[c["metric"]].to_numpy(dtype=float), c["op"], c["value"])
    outcomes["satisficed"] = ok
    g = outcomes.groupby("policy", sort=False)
    table = pd.DataFrame(
        {
            f"{outcome}_mean": g[outcome].mean(),
            f"{outcome}_min": g[outcome].min(),
            "regret_mean": g["regret"].mean(),
            "regret_p90": g["regret"].quantile(0.9),
            "regret_max": g["regret"].max(),
            "satisficing_share": g["satisficed"].mean(),
        }
    ).reset_index()
    table = table.sort_values(["regret_max", "regret_p90"], kind="stable").reset_index(drop=True)
    table.insert(1, "rank_worst_case", np.arange(1, len(table) + 1))
    table["rank_p90"] = table["regret_p90"].rank(method="min").astype(int)
    return outcomes, table


def run(spec: dict, folder, runopts: dict) -> tuple[dict, list, dict]:
    from sim.explore.plots import plot_regret

    factors = factor_list(spec)
    fut = futures(spec)
    names = list(spec["policies"])
    samples = [{**spec["policies"][p], **row} for p in names for row in fut.to_dict(orient="records")]
    runs = run_stage(folder, "futures", spec["base"], samples, spec["replications"], spec["root_seed"], runopts)
    n = len(fut)
    runs.insert(0, "policy", [names[s // n] for s in runs["sample"]])
    runs.insert(1, "future", runs["sample"] % n)
    keys = [f.key for f in factors]
    means = sample_means(runs, keys, spec["outcomes"]).reset_index()
    means.insert(0, "policy", [names[s // n] for s in means["sample"]])
    means.insert(1, "future", means["sample"] % n)
    outcomes, table = regret_tables(
        means.drop(columns="sample"), spec["outcome"], spec["direction"], spec["satisficing"]
    )
    fut.insert(0, "future", np.arange(n))
    fig, _ = plot_regret(table, spec["outcome"])
    summary = {"policies": names, "futures": n, "ranking": table.to_dict(orient="records")}
    return {"futures": fut, "outcomes": outcomes, "robustness": table, "runs": runs}, [("regret", fig)], summary
