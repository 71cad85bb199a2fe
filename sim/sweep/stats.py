"""Per-scenario statistics: mean, sd, 95% CI, and paired differences against the baseline."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy import stats


@cache
def _t975(dof: int) -> float:
    """The two-sided 95% quantile of Student's t with `dof` degrees of freedom."""
    return float(stats.t.ppf(0.975, dof))


def _ci(x: np.ndarray) -> tuple[float, float, float, float]:
    n = len(x)
    mean = float(np.mean(x)) if n else float("nan")
    sd = float(np.std(x, ddof=1)) if n > 1 else 0.0
    if n > 1 and sd > 0:
        half = float(_t975(n - 1) * sd / np.sqrt(n))
    else:
        half = 0.0
    return mean, sd, mean - half, mean + half


def scenario_table(runs: pd.DataFrame, levers: list[str], metrics: list[str]) -> pd.DataFrame:
    """Tidy long table: one row per scenario and metric (each scenario's rows are selected once)."""
    ok = runs[runs.status == "ok"]
    base_id = runs.loc[runs.baseline, "scenario"].iloc[0]
    base = ok[ok.scenario == base_id].set_index("replication")
    out = []
    for sid, grp in runs.groupby("scenario", sort=True):
        first = grp.iloc[0]
        good = ok[ok.scenario == sid].set_index("replication")
        common = good.index.intersection(base.index)
        paired, against = good.loc[common], base.loc[common]  # the replications both ran, in one order
        for m in metrics:
            x = good[m].to_numpy(dtype=float)
            mean, sd, lo, hi = _ci(x)
            diff = paired[m].to_numpy(dtype=float) - against[m].to_numpy(dtype=float)
            dmean, _, dlo, dhi = _ci(diff) if len(diff) else (float("nan"),) * 4
            row = {"scenario": sid, "label": first.label, "baseline": bool(first.baseline)}
            row.update({k: first[k] for k in levers})
            row.update(
                metric=m,
                n=len(x),
                mean=mean,
                std=sd,
                ci_low=lo,
                ci_high=hi,
                diff_mean=dmean,
                diff_ci_low=dlo,
                diff_ci_high=dhi,
            )
            out.append(row)
    return pd.DataFrame(out)
