"""Scenario discovery: under which futures does a policy fail?  PRIM (Friedman & Fisher 1999; Bryant &
Lempert 2010) over a Latin hypercube of the uncertainties, with the `prim` package.

The prim package (1.0.0) handles numeric and whole-number columns under the pandas this project
installs but raises TypeError on categorical columns when it reports box limits, so a factor
with choices is passed as its integer codes (in the order the choices are listed) and the
limits are translated back into the set of choices inside the box (tested).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.explore.robust import futures as sample_futures
from sim.explore.running import run_stage, sample_means
from sim.explore.spec import factor_list, holds


def prim_box(x: pd.DataFrame, failed: np.ndarray, threshold: float, peel_alpha: float, choices: dict):
    """PRIM's box for the failing cases: (limits table, peeling trajectory, chosen step) or None if none found.

    `choices` maps a categorical column to its choices; it is passed to PRIM as integer codes."""
    import prim

    x = x.copy()
    for col, ch in choices.items():
        x[col] = x[col].map({c: i for i, c in enumerate(ch)}).astype("int64")
    p = prim.Prim(x, np.asarray(failed, dtype=bool), threshold=threshold, threshold_type=">", peel_alpha=peel_alpha)
    box = p.find_box()
    if box is None:
        return None
    traj = box.peeling_trajectory.reset_index(drop=True).rename(columns={"res dim": "res_dim"})
    # the box: the widest (highest coverage) step whose density reaches the threshold, else the densest
    dense = traj.index[traj["density"] >= threshold]
    if len(dense):
        best = traj.loc[dense].sort_values(["coverage", "density"], ascending=False, kind="stable")
        chosen = int(best.index[0])
    else:
        chosen = int(traj["density"].idxmax())
    box.select(chosen)
    lim = box.limits.reset_index().rename(columns={"index": "factor", "qp values": "qp_value"})
    rows = []
    for _, r in lim.iterrows():
        f = r["factor"]
        if f in choices:
            inside = [c for i, c in enumerate(choices[f]) if r["min"] <= i <= r["max"]]
            rows.append(
                {
                    "factor": f,
                    "low": np.nan,
                    "high": np.nan,
                    "choices": ", ".join(map(str, inside)),
                    "qp_value": float(r["qp_value"]),
                }
            )
        else:
            rows.append(
                {
                    "factor": f,
                    "low": float(r["min"]),
                    "high": float(r["max"]),
                    "choices": None,
                    "qp_value": float(r["qp_value"]),
                }
            )
    return pd.DataFrame(rows, columns=["factor", "low", "high", "choices", "qp_value"]), traj, chosen


def run(spec: dict, folder, runopts: dict) -> tuple[dict, list, dict]:
    from sim.explore.plots import plot_peeling

    factors = factor_list(spec)
    fut = sample_futures(spec)
    cond = dict(spec["condition"])
    summary = {"policy": spec["policy"], "futures": len(fut)}
    tables = {}
    if cond["value"] == "baseline":  # today's configuration: the base config without the policy's levers
        b = run_stage(folder, "baseline", spec["base"], [{}], spec["replications"], spec["root_seed"], runopts)
        cond["value"] = float(b.loc[b["status"] == "ok", cond["metric"]].mean())
        tables["baseline_runs"] = b
    summary["condition"] = cond
    samples = [{**spec["policy"], **row} for row in fut.to_dict(orient="records")]
    runs = run_stage(folder, "futures", spec["base"], samples, spec["replications"], spec["root_seed"], runopts)
    keys = [f.key for f in factors]
    means = sample_means(runs, keys, spec["outcomes"])
    failed = holds(means[cond["metric"]].to_numpy(dtype=float), cond["op"], cond["value"])
    outcomes = means.reset_index().rename(columns={"sample": "future"})
    outcomes["failed"] = failed
    tables.update({"outcomes": outcomes, "runs": runs})
    summary["failing_share"] = float(failed.mean())
    figures = []
    choices = {f.key: list(f.choices) for f in factors if f.choices is not None}
    found = prim_box(means[keys], failed, spec["threshold"], spec["peel_alpha"], choices) if failed.any() else None
    if found is None:
        summary["box"] = None
    else:
        limits, traj, chosen = found
        t = traj.loc[chosen]
        summary["box"] = {
            "step": chosen,
            "coverage": float(t["coverage"]),
            "density": float(t["density"]),
            "mass": float(t["mass"]),
            "restricted": int(t["res_dim"]),
        }
        tables.update({"box_limits": limits, "peeling": traj.assign(step=np.arange(len(traj)))})
        fig, _ = plot_peeling(traj, chosen)
        figures.append(("peeling", fig))
    return tables, figures, summary
