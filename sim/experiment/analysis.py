"""The analyst's estimate: difference in means per rep-week, with errors clustered by rep.

Regressing y on a treated indicator by least squares gives the difference in means; its standard
error is the cluster-robust (CR1) sandwich with reps as clusters, and the 95 % interval uses a
t quantile with (clusters - 1) degrees of freedom (Cameron & Miller, J. Human Resources 2015).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def diff_in_means(df: pd.DataFrame) -> dict:
    """estimate, se, ci_low, ci_high of mean(y | treated) - mean(y | control) from a rep-week table."""
    y = df["y"].to_numpy(dtype=float)
    t = df["treated"].to_numpy(dtype=float)
    X = np.column_stack([np.ones_like(t), t])
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ X.T @ y
    resid = y - X @ beta
    groups = df["rep"].to_numpy()
    G = len(np.unique(groups))
    meat = np.zeros((2, 2))
    for g in np.unique(groups):
        m = groups == g
        s = X[m].T @ resid[m]
        meat += np.outer(s, s)
    n, k = X.shape
    c = G / (G - 1) * (n - 1) / (n - k)
    V = c * xtx_inv @ meat @ xtx_inv
    se = float(np.sqrt(max(V[1, 1], 0.0)))
    if se <= 1e-12 * max(1.0, float(np.abs(y).mean())):  # rounding residue of residuals that are all zero
        se = 0.0
    q = float(stats.t.ppf(0.975, G - 1))
    est = float(beta[1])
    return {"estimate": est, "se": se, "ci_low": est - q * se, "ci_high": est + q * se, "clusters": G}
