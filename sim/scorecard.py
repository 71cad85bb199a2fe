"""The joint weekly scorecard both teams sign up to, written into every run folder (scorecard.parquet).

One row per week of the run (week 0 starts on day 0, a Monday); the columns are documented in
docs/scorecard.md.  `scorecard_page` draws it as one HTML page section for the report.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import CHANNELS

LOOKBACK_DAYS = 90  # a touch counts as influencing pipeline created up to this many days later

COLUMNS = (
    "week mqls acceptance_rate first_touches sla_met_share sla_breaches opportunities_marketing "
    "opportunities_sales pipeline_marketing pipeline_influenced pipeline_created pipeline_open pipeline_coverage "
    "won closed win_rate cycle_days revenue cost cost_per_opportunity selling_time_share"
).split()


def _ratio(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)


def scorecard(
    daily: pd.DataFrame,
    deals: pd.DataFrame | None,
    cost_per_touch: dict,
    reps: int,
    rep_cost_per_day: float,
    touches: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The weekly table from a run's daily table, deal log and (if kept) touch log."""
    d = daily.copy()
    d["week"] = d["day"] // 7
    touch_cost = sum(d[f"touches_{ch}"] * cost_per_touch[ch] for ch in CHANNELS)
    d["cost"] = touch_cost + reps * rep_cost_per_day
    minutes = d[[f"{k}_minutes" for k in ("lead_followup", "prospecting", "opportunity", "admin", "idle")]]
    d["selling"] = d["lead_followup_minutes"] + d["opportunity_minutes"]
    d["all_minutes"] = minutes.sum(axis=1)
    w = d.groupby("week").agg(
        mqls=("mqls", "sum"),
        sals=("sals", "sum"),
        rejected=("rejected", "sum"),
        first_touches=("first_touches", "sum"),
        sla_met=("sla_met", "sum"),
        sla_breaches=("sla_breached", "sum"),
        opportunities_marketing=("opportunities_marketing", "sum"),
        opportunities_sales=("opportunities_sales", "sum"),
        pipeline_open=("pipeline", "last"),
        revenue=("revenue", "sum"),
        cost=("cost", "sum"),
        selling=("selling", "sum"),
        all_minutes=("all_minutes", "sum"),
    )
    weeks = w.index.to_numpy()
    out = pd.DataFrame({"week": weeks.astype(np.int32)})
    out["mqls"] = w["mqls"].to_numpy()
    out["acceptance_rate"] = _ratio(w["sals"], w["sals"] + w["rejected"])
    out["first_touches"] = w["first_touches"].to_numpy()
    out["sla_met_share"] = _ratio(w["sla_met"], w["first_touches"])
    out["sla_breaches"] = w["sla_breaches"].to_numpy()
    out["opportunities_marketing"] = w["opportunities_marketing"].to_numpy()
    out["opportunities_sales"] = w["opportunities_sales"].to_numpy()
    created = np.zeros(len(weeks))
    mkt = np.zeros(len(weeks))
    infl = np.full(len(weeks), np.nan if touches is None else 0.0)
    won = np.zeros(len(weeks))
    closed = np.zeros(len(weeks))
    cycle = np.full(len(weeks), np.nan)
    if deals is not None and len(deals):
        cw = (deals["created_at"] // (7 * 1440)).astype(int).to_numpy()
        inside = (cw >= 0) & (cw < len(weeks))
        np.add.at(created, cw[inside], deals["value"].to_numpy()[inside])
        m = inside & (deals["source"].to_numpy() == "marketing")
        np.add.at(mkt, cw[m], deals["value"].to_numpy()[m])
        if touches is not None:
            hit = _influenced(deals, touches) & inside
            np.add.at(infl, cw[hit], deals["value"].to_numpy()[hit])
        kw = np.minimum((deals["closed_at"] // (7 * 1440)).astype(int).to_numpy(), len(weeks) - 1)
        np.add.at(closed, kw, 1.0)
        np.add.at(won, kw, (deals["outcome"] == "won").to_numpy().astype(float))
        days = ((deals["closed_at"] - deals["created_at"]) / 1440.0).to_numpy()
        sums = np.zeros(len(weeks))
        np.add.at(sums, kw, days)
        cycle = _ratio(sums, closed)
    out["pipeline_marketing"] = mkt
    out["pipeline_influenced"] = infl
    out["pipeline_created"] = created
    out["pipeline_open"] = w["pipeline_open"].to_numpy()
    quarter = w["revenue"].mean() * 13.0
    out["pipeline_coverage"] = out["pipeline_open"] / quarter if quarter > 0 else np.nan
    out["won"] = won
    out["closed"] = closed
    out["win_rate"] = _ratio(won, closed)
    out["cycle_days"] = cycle
    out["revenue"] = w["revenue"].to_numpy()
    out["cost"] = w["cost"].to_numpy()
    out["cost_per_opportunity"] = _ratio(w["cost"], w["opportunities_marketing"] + w["opportunities_sales"])
    out["selling_time_share"] = _ratio(w["selling"], w["all_minutes"])
    return out[COLUMNS]


def _influenced(deals: pd.DataFrame, touches: pd.DataFrame) -> np.ndarray:
    """Deals whose account had a marketing touch in the LOOKBACK_DAYS before the opportunity opened."""
    first = touches.groupby("account_id")["touch_at"].apply(np.sort)
    out = np.zeros(len(deals), dtype=bool)
    for k, (a, t0) in enumerate(zip(deals["account_id"].to_numpy(), deals["created_at"].to_numpy(), strict=True)):
        ts = first.get(a)
        if ts is not None:
            j = np.searchsorted(ts, t0, side="right")
            out[k] = j > 0 and ts[j - 1] >= t0 - LOOKBACK_DAYS * 1440.0
    return out


def scorecard_for(result) -> pd.DataFrame | None:
    """The scorecard of a finished `simulate` result (None if it has no daily table)."""
    if getattr(result, "daily", None) is None:
        return None
    cfg = result.config
    cost = {ch: getattr(cfg.marketing, ch).cost_per_touch for ch in CHANNELS}
    reps = int(result.summary.get("reps", cfg.sales.reps))
    return scorecard(result.daily, result.deals, cost, reps, cfg.sales.cost_per_day, getattr(result, "touches", None))


LABELS = {
    "mqls": "MQLs",
    "acceptance_rate": "accepted",
    "sla_met_share": "SLA met",
    "pipeline_marketing": "mkt-sourced pipeline",
    "pipeline_influenced": "influenced pipeline",
    "pipeline_coverage": "coverage",
    "win_rate": "win rate",
    "cycle_days": "cycle (days)",
    "cost_per_opportunity": "cost / opp.",
    "selling_time_share": "selling time",
}


def scorecard_page(folder) -> str:
    """The report's scorecard page: the weekly table by month-sized blocks of four weeks (HTML text)."""
    path = Path(folder) / "scorecard.parquet"
    if not path.is_file():
        return ""
    sc = pd.read_parquet(path)
    sc = sc[sc["week"] < sc["week"].max()]  # the last week may be partial
    block = (sc["week"] // 4).rename("block")
    agg = sc.groupby(block).agg(
        {k: ("sum" if k in ("mqls", "pipeline_marketing", "pipeline_influenced") else "mean") for k in LABELS}
    )
    rows = []
    for b, r in agg.iterrows():
        cells = [f"weeks {4 * b}-{4 * b + 3}"]
        for k in LABELS:
            v = r[k]
            if not np.isfinite(v):
                cells.append("-")
            elif k.endswith(("rate", "share")):
                cells.append(f"{100 * v:.0f} %")
            elif k.startswith("pipeline_m") or k.startswith("pipeline_i") or k == "cost_per_opportunity":
                cells.append(f"{v:,.0f}")
            else:
                cells.append(f"{v:,.2f}" if k == "pipeline_coverage" else f"{v:,.0f}")
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "<tr><th>period</th>" + "".join(f"<th>{html.escape(v)}</th>" for v in LABELS.values()) + "</tr>"
    note = (
        '<p class="note">One joint scorecard for marketing and sales (scorecard.parquet, one row per week; '
        "columns in docs/scorecard.md), shown here in blocks of four weeks: sums for MQLs and pipeline, "
        "means of the weekly rates. Pipeline counts opportunities by the week they opened and that closed by "
        "the end of the run.</p>"
    )
    return note + f'<table id="scorecard">{head}{"".join(rows)}</table>'


def scorecard_sections(res) -> list[tuple[str, str, str]]:
    """The report hook: [(id, heading, HTML)] for a run folder with a scorecard, else []."""
    body = scorecard_page(res.path) if getattr(res, "kind", "") == "run" else ""
    return [("scorecard", "Joint scorecard", body)] if body else []
