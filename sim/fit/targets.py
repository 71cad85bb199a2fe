"""Fit targets: the funnel statistics of a leads/opportunities export, each with its sampling error.

The same function computes them for a CRM export and for a simulated run (its lead log and
deals table in export form), so the model is compared with the client on equal terms.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 365.25 / 12
STAGES = ("created", "mql", "sal", "sql", "opportunity")
STAGE_LABEL = {"created": "inquiry", "mql": "mql", "sal": "sal", "sql": "sql", "opportunity": "opportunity"}
# First-response bins (minutes from MQL to first touch) for the SQL rate by response time.
RESPONSE_BINS = (0.0, 5.0, 60.0, 1440.0, np.inf)
MIN_COUNT = 10  # a rate or mean from fewer leads is not a target


def _stat(name: str, group: str, value: float, se: float, n: int) -> dict:
    return {"name": name, "group": group, "value": float(value), "se": float(se), "n": int(n)}


def _rate(name: str, group: str, hits: int, n: int, min_count: int = MIN_COUNT) -> dict | None:
    if n < max(min_count, 1):
        return None
    p = hits / n
    # the binomial standard error, kept away from zero at p = 0 or 1 (add-two smoothing)
    q = (hits + 1) / (n + 2)
    return _stat(name, group, p, np.sqrt(q * (1 - q) / n), n)


def _mean(name: str, group: str, x: np.ndarray, min_count: int = MIN_COUNT) -> dict | None:
    x = x[np.isfinite(x)]
    if len(x) < max(min_count, 2):
        return None
    return _stat(name, group, x.mean(), x.std(ddof=1) / np.sqrt(len(x)), len(x))


def _quantile(name: str, group: str, x: np.ndarray, p: float, min_count: int = MIN_COUNT) -> dict | None:
    """A quantile with the order-statistic (binomial) standard error."""
    x = np.sort(x[np.isfinite(x)])
    n = len(x)
    if n < max(min_count, 1):
        return None
    half = 1.96 * np.sqrt(n * p * (1 - p))
    lo, hi = x[max(int(np.floor(n * p - half)), 0)], x[min(int(np.ceil(n * p + half)), n - 1)]
    return _stat(name, group, np.quantile(x, p), max((hi - lo) / 3.92, 1e-9), n)


def statistics(
    leads: pd.DataFrame, opps: pd.DataFrame | None, window_days: float, min_count: int = MIN_COUNT
) -> pd.DataFrame:
    """Every target: name, group, value, se (sampling error) and n, as one table.

    Rates and means from fewer than `min_count` leads or deals are left out (too noisy to fit)."""
    mc = min_count
    months = window_days / DAYS_PER_MONTH
    out: list[dict | None] = []
    reached = {s: leads[s].notna().to_numpy() for s in STAGES}
    counts = monthly(leads, window_days)
    for s in STAGES:
        n = int(reached[s].sum())
        # leads come in clusters (an account's buying group, a campaign), so monthly counts vary more
        # than Poisson: the error is the larger of the Poisson one and the month-to-month one
        per_month = counts.loc[counts["stage"] == STAGE_LABEL[s], "leads"].to_numpy(dtype=float)
        spread = per_month.std(ddof=1) / np.sqrt(len(per_month)) if len(per_month) > 1 else 0.0
        se = max(np.sqrt(max(n, 1)) / months, spread)
        out.append(_stat(f"volume.{STAGE_LABEL[s]}_per_month", "volume", n / months, se, n))
    for a, b in zip(STAGES[:-1], STAGES[1:], strict=True):
        out.append(
            _rate(
                f"conversion.{STAGE_LABEL[a]}_to_{STAGE_LABEL[b]}",
                "conversion",
                (reached[a] & reached[b]).sum(),
                reached[a].sum(),
                mc,
            )
        )
    resp = (leads["first_touch"] - leads["mql"]).to_numpy(dtype=float)
    touched = np.isfinite(resp)
    # Quantiles are what people quote, but first responses cluster (office hours against nights), so a
    # median can jump from one cluster to the next between samples: they form their own group, and the
    # shares answered within fixed times carry the response-time evidence into the fit.
    out.append(_quantile("response.p50_minutes", "response_quantile", resp[touched], 0.5, mc))
    out.append(_quantile("response.p90_minutes", "response_quantile", resp[touched], 0.9, mc))
    for lim in RESPONSE_BINS[1:-1]:
        hits = (resp[touched] < lim).sum()
        out.append(_rate(f"response.within_{lim:g}min_share", "response", hits, int(touched.sum()), mc))
    sql = reached["sql"]
    for lo, hi in zip(RESPONSE_BINS[:-1], RESPONSE_BINS[1:], strict=True):
        inbin = touched & (resp >= lo) & (resp < hi)
        tag = f"{lo:g}_{hi:g}min" if np.isfinite(hi) else f"over_{lo:g}min"
        out.append(_rate(f"sql_rate_by_response.{tag}", "sql_by_response", (inbin & sql).sum(), inbin.sum(), mc))
    if opps is not None:
        closed = opps[opps["outcome"].isin(("won", "lost", "no_decision"))]
        for o in ("won", "lost", "no_decision"):
            out.append(_rate(f"outcome.{o}_share", "outcome", (closed["outcome"] == o).sum(), len(closed), mc))
        cycle = (closed["closed"] - closed["created"]).to_numpy(dtype=float) / 1440.0
        out.append(_mean("cycle.days_mean", "cycle", cycle, mc))
        won = closed["outcome"] == "won"
        out.append(_mean("deal.won_amount_mean", "deal", closed.loc[won, "amount"].to_numpy(dtype=float), mc))
        if "segment" in closed.columns:
            for seg, grp in closed.groupby("segment", sort=True):
                c = (grp["closed"] - grp["created"]).to_numpy(dtype=float) / 1440.0
                out.append(_mean(f"cycle.days_mean.{seg}", "cycle", c, mc))
                w = grp["outcome"] == "won"
                out.append(_mean(f"deal.won_amount_mean.{seg}", "deal", grp.loc[w, "amount"].to_numpy(dtype=float), mc))
    elif "outcome" in leads.columns:
        closed = leads[leads["outcome"].isin(("won", "lost", "no_decision"))]
        for o in ("won", "lost", "no_decision"):
            out.append(_rate(f"outcome.{o}_share", "outcome", (closed["outcome"] == o).sum(), len(closed), mc))
    return pd.DataFrame([r for r in out if r is not None])


def monthly(leads: pd.DataFrame, window_days: float) -> pd.DataFrame:
    """Leads reaching each stage in each month of the window (months of equal length)."""
    n = max(int(np.ceil(window_days / DAYS_PER_MONTH)), 1)
    rows = []
    for s in STAGES:
        t = leads[s].to_numpy(dtype=float) / 1440.0
        k = np.floor(t[np.isfinite(t)] / DAYS_PER_MONTH).astype(int)
        counts = np.bincount(np.clip(k, 0, n - 1), minlength=n)
        rows += [{"month": m, "stage": STAGE_LABEL[s], "leads": int(c)} for m, c in enumerate(counts)]
    return pd.DataFrame(rows)
