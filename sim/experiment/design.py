"""Run one experiment: reps drawn at random get the treated policy for a number of weeks after a warm-up.

The treated lever is the reps' queue-check pace under poll pickup (the SLA they work to): treated
reps check their queue paced to `treated_sla` minutes, the others to `policy.sla_minutes` (half
the target, at least 5 minutes, at most the habit `sales.check_interval_minutes`).  The run is
stepped day by day and each rep's daily counters are summed into rep-weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.state import REP_STATS, RS

METRICS = REP_STATS


def pace(cfg, sla: float) -> float:
    """Minutes between queue checks for reps working to an SLA of `sla` minutes (as sim/params.py paces)."""
    return float(min(cfg.sales.check_interval_minutes, max(sla / 2.0, 5.0)))


def treated_reps(n_reps: int, share: float, seed: int) -> np.ndarray:
    """A random set of round(share x reps) reps (at least one, at most all but one), from its own seed."""
    k = int(min(max(round(share * n_reps), 1), n_reps - 1))
    flag = np.zeros(n_reps, dtype=bool)
    flag[np.random.default_rng([seed, 0x5EED]).choice(n_reps, size=k, replace=False)] = True
    return flag


def run_arm(cfg, treated: np.ndarray, treated_sla: float, warmup_weeks: int, weeks: int, metric: str) -> pd.DataFrame:
    """Rep-week table (rep, week, treated, y) of one run with `treated` reps on the treated pace."""
    from sim.model import FunnelModel

    model = FunnelModel(cfg)
    S = model.state
    start = warmup_weeks * 7
    days = start + weeks * 7
    n = S.rep_check.shape[0]
    y = np.zeros((n, weeks))
    col = RS[metric]
    for d in range(days):
        if d == start:
            S.rep_check[treated] = pace(cfg, treated_sla)
        model.step()
        S = model.state
        if d >= start:
            y[:, (d - start) // 7] += S.rep_stats[:, col]
    if getattr(model, "driver", None) is not None:
        model.driver.close()
    reps, wk = np.meshgrid(np.arange(n), np.arange(weeks), indexing="ij")
    return pd.DataFrame({"rep": reps.ravel(), "week": wk.ravel(), "treated": np.repeat(treated, weeks), "y": y.ravel()})
