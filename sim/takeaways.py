"""The executive summary of a sweep, computed from its tables: every move against today ranked by the
paired revenue difference, and three takeaway lines (largest gain, largest risk, what the result depends on).

Every number here is read from `scenarios.parquet` (per scenario and metric: mean and the paired
difference from the baseline with its 95 % interval), so the report and its tests can check each
figure against the table it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.plots.labels import fmt_value, lever_name, lever_value, lower_first, period_text, scenario_name
from sim.plots.style import lever_moves_with
from sim.results_io import SweepResults, wide_means

# Columns of the moves table: metric -> the column names it gives (mean or paired difference).
MOVE_METRICS = {
    "revenue": "revenue",
    "economics.total_cost": "total cost",
    "economics.return_on_cost": "return on cost",
    "waterfall.sql": "SQLs",
}


@dataclass
class ExecutiveSummary:
    """Moves against today, ranked by revenue gained, and the three takeaway lines written from them."""

    baseline: str
    baseline_name: str
    baseline_is_today: bool
    today_revenue: float
    days: float
    period: str
    currency: str
    replications: int
    moves: pd.DataFrame  # one row per move, best first (raw numbers, straight from scenarios.parquet)
    takeaways: list[str] = field(default_factory=list)
    best: pd.Series | None = None
    worst: pd.Series | None = None
    driver: str = ""


def varying_levers(res: SweepResults) -> list[str]:
    wide = wide_means(res.scenarios)
    return [k for k in res.levers if k in wide and wide[k].nunique() > 1]


def move_name(row: pd.Series, base: pd.Series, levers: list[str]) -> str:
    """A move in words: each lever that differs from today, 'from → to'."""
    parts = []
    for k in levers:
        a, b = base[k], row[k]
        if a is None or b is None or (pd.isna(a) and pd.isna(b)) or str(a) == str(b):
            continue
        parts.append(f"{lever_name(k)} {lever_value(k, a)} → {lever_value(k, b)}")
    return "; ".join(parts) or str(row.get("label", row["scenario"]))


def _stat(scen: pd.DataFrame, scenario: str, metric: str, col: str) -> float:
    hit = scen[(scen["scenario"] == scenario) & (scen["metric"] == metric)]
    return float(hit[col].iloc[0]) if not hit.empty and pd.notna(hit[col].iloc[0]) else float("nan")


def sweep_days(res: SweepResults) -> float:
    """Simulated days of each run (the period every money figure covers)."""
    days = res.meta.get("days")
    if days is None and "days" in res.runs:
        days = res.runs["days"].dropna().max()
    return float(days) if days is not None and pd.notna(days) else float("nan")


def driver_lever(res: SweepResults) -> tuple[str, float, float]:
    """The lever that moves revenue most: the spread of the mean paired revenue difference across its values
    (averaged over the other levers).  Returns (lever, lowest group mean, highest group mean)."""
    scen = res.scenarios
    wide = wide_means(scen)
    rev = scen[scen["metric"] == "revenue"].set_index("scenario")["diff_mean"]
    wide = wide.assign(_d=wide["scenario"].map(rev))
    best = ("", np.nan, np.nan)
    taken: list[str] = []
    for k in varying_levers(res):
        if lever_moves_with(wide, k, taken):
            continue
        taken.append(k)
        g = wide.groupby(k, dropna=False)["_d"].mean()
        if g.notna().sum() >= 2 and (not best[0] or g.max() - g.min() > best[2] - best[1]):
            best = (k, float(g.min()), float(g.max()))
    return best


def executive_summary(res: SweepResults, currency: str = "") -> ExecutiveSummary:
    """The moves against today, ranked by the paired revenue difference, and the three takeaway lines."""
    scen = res.scenarios
    wide = wide_means(scen)
    levers = varying_levers(res)
    base = wide[wide["baseline"].astype(bool)].iloc[0]
    days = sweep_days(res)
    n = scen.loc[scen["metric"] == "revenue", "n"]
    reps = int(n.max()) if len(n) else 0
    rows = []
    for _, r in wide[~wide["baseline"].astype(bool)].iterrows():
        s = r["scenario"]
        row = {"scenario": s, "move": move_name(r, base, levers), "name": scenario_name(r, levers)}
        row["revenue"] = _stat(scen, s, "revenue", "mean")
        for c in ("diff_mean", "diff_ci_low", "diff_ci_high"):
            row[f"revenue_{c}"] = _stat(scen, s, "revenue", c)
        for m in ("economics.total_cost", "waterfall.sql"):
            row[f"{m}_diff_mean"] = _stat(scen, s, m, "diff_mean")
        row["economics.return_on_cost"] = _stat(scen, s, "economics.return_on_cost", "mean")
        lo, hi = row["revenue_diff_ci_low"], row["revenue_diff_ci_high"]
        row["clear"] = bool(np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0))
        rows.append(row)
    moves = pd.DataFrame(rows)
    if not moves.empty:
        moves = moves.sort_values("revenue_diff_mean", ascending=False, kind="stable").reset_index(drop=True)
        moves.insert(0, "rank", np.arange(1, len(moves) + 1))
    out = ExecutiveSummary(
        baseline=str(base["scenario"]),
        baseline_name=scenario_name(base, levers),
        baseline_is_today=bool(res.meta.get("baseline_is_today", True)),
        today_revenue=_stat(scen, str(base["scenario"]), "revenue", "mean"),
        days=days,
        period=period_text(days),
        currency=currency,
        replications=reps,
        moves=moves,
    )
    valid = moves.dropna(subset=["revenue_diff_mean"]) if not moves.empty else moves
    if not valid.empty:  # a failed scenario has no difference: it is listed last and never named a gain or risk
        out.best, out.worst = valid.iloc[0], valid.iloc[-1]
    out.takeaways = _takeaways(res, out)
    return out


def money(x: float, currency: str, signed: bool = True) -> str:
    return fmt_value(x, "currency", currency=currency, signed=signed)


def interval(row: pd.Series, currency: str) -> str:
    lo, hi = row["revenue_diff_ci_low"], row["revenue_diff_ci_high"]
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "one replication: no interval"
    return f"95 % interval {money(lo, currency)} to {money(hi, currency)}"


def _takeaways(res: SweepResults, ex: ExecutiveSummary) -> list[str]:
    """Three lines a CRO reads first: largest gain, largest risk, what the result depends on."""
    cur, period = ex.currency, ex.period
    today = money(ex.today_revenue, cur, signed=False)
    if ex.best is None:
        return [f"Only today's configuration was simulated: revenue {today} {period}."]
    b, w = ex.best, ex.worst
    if b["revenue_diff_mean"] > 0:
        gain = f"Largest gain: {b['move']} adds {money(b['revenue_diff_mean'], cur)} {period} ({interval(b, cur)})"
        gain += f" on today's {today}" + ("." if b["clear"] else "; the interval includes zero, so it is not sure.")
    else:
        gain = f"No move beats today ({today} {period}); the closest, {b['move']}, changes revenue by "
        gain += f"{money(b['revenue_diff_mean'], cur)} ({interval(b, cur)})."
    if w["revenue_diff_mean"] < 0:
        risk = f"Largest risk: {w['move']} changes revenue by {money(w['revenue_diff_mean'], cur)} {period} "
        risk += f"({interval(w, cur)})."
    else:
        risk = f"No move loses revenue against today; the smallest gain is {money(w['revenue_diff_mean'], cur)}."
    key, lo, hi = driver_lever(res)
    ex.driver = key
    if key:
        depends = (
            f"What it depends on: the {lower_first(lever_name(key))}"
            f" moves revenue most (from {money(lo, cur)} to {money(hi, cur)} against today, averaged over the "
            f"other levers); each figure is the mean of {ex.replications} replications under common random numbers"
        )
        depends += ", and the lead-age decay curve assumed (see the appendix)."
    else:
        depends = f"What it depends on: {ex.replications} replications under common random numbers."
    return [gain, risk, depends]
