"""One self-contained HTML report of a run or sweep, written for a client: the executive summary first
(moves against today in money, with paired 95 % intervals and three takeaway lines), then economics,
the evidence (exhibits with takeaway titles) and the tables; seeds, paths, versions and job timings go
to an appendix.  Figures are embedded as base64 PNG, so it opens offline and can be emailed.

The report is a list of section builders (`SECTIONS`): each takes the `ReportContext` and returns
sections; `add_section` plugs another page in (an explore section, a scorecard) before the appendix."""

from __future__ import annotations

import base64
import html
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim import stages as stage_codes
from sim.plots.labels import (
    ACTIVITY_NAMES,
    STAGE_NAMES,
    fmt_value,
    footer_text,
    lever_label,
    lever_value,
    metric_info,
    period_text,
    scenario_name,
)
from sim.plots.plan import Figure, figure_plan, render
from sim.results_io import RunResults, SweepResults, levers_of, wide_means
from sim.scorecard import scorecard_sections
from sim.takeaways import ExecutiveSummary, executive_summary, interval, money, sweep_days

# Metrics in the sweep tables of the report, in this order (those present are shown).
TABLE_METRICS = (
    "revenue",
    "deals_won",
    "win_rate",
    "waterfall.mql",
    "waterfall.sql",
    "response_minutes.p50",
    "sla_met_share",
    "touched_within.5min",
    "touched_within.1h",
    "selling_time_share",
    "rep_time_share.prospecting",
    "rep_time_share.idle",
    "economics.return_on_cost",
    "economics.cost_per_sql",
    "economics.revenue_per_rep",
)
DIFF_METRICS = ("revenue", "win_rate", "touched_within.1h", "response_minutes.p50", "selling_time_share")
CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0 auto;
       max-width: 1100px; padding: 24px 32px 64px; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: 4px;
     margin-top: 2.2em; } h3 { margin-top: 1.6em; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0 1.4em; font-size: 0.88em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; vertical-align: top; }
th { background: #f3f5f8; text-align: center; } td.l, th.l { text-align: left; }
td { white-space: nowrap; } td.l { white-space: normal; }
tr.base td { background: #fff4e5; font-weight: 600; }
figure { margin: 1.2em 0 2em; page-break-inside: avoid; } figure img { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
.kv td { text-align: left; } .kv td:first-child { color: #555; padding-right: 24px; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; font-size: 0.85em; }
.up { color: #0072B2; } .down { color: #D55E00; } .note { color: #555; font-size: 0.9em; }
nav ol { columns: 2; } .lead { font-size: 1.08em; } ol.takeaways li { margin: 0.35em 0; font-size: 1.05em; }
figure h3 { margin: 0 0 0.4em; font-size: 1.08em; }
@media print { body { max-width: none; } h2 { page-break-before: auto; } }
"""


def _esc(x) -> str:
    return html.escape(str(x))


def png_bytes(fig, dpi: int = 144) -> bytes:
    """A figure as PNG bytes, cropped to what is drawn (the footer under the axes included)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.12)
    return buf.getvalue()


def _img(png: bytes, dpi: int = 144) -> str:
    """A PNG as a base64 <img>, shown at its natural size on any screen."""
    import struct

    width = int(round(struct.unpack(">I", png[16:20])[0] * 96 / dpi))
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" width="{width}" alt="">'


def _table(df: pd.DataFrame, table_id: str, left: int = 1, base_rows: list[bool] | None = None) -> str:
    """An HTML table; the first `left` columns are left-aligned, baseline rows highlighted."""
    head = "".join(f'<th class="l">{_esc(c)}</th>' if i < left else f"<th>{_esc(c)}</th>" for i, c in enumerate(df))
    rows = []
    for r, (_, row) in enumerate(df.iterrows()):
        cells = "".join(
            f'<td class="l">{_esc(v)}</td>' if i < left else f"<td>{_esc(v)}</td>" for i, v in enumerate(row)
        )
        cls = ' class="base"' if base_rows and base_rows[r] else ""
        rows.append(f"<tr{cls}>{cells}</tr>")
    return f'<table id="table-{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _kv(pairs: list[tuple[str, str]], table_id: str) -> str:
    body = "".join(f"<tr><td>{_esc(k)}</td><td>{_esc(v)}</td></tr>" for k, v in pairs)
    return f'<table class="kv" id="table-{table_id}"><tbody>{body}</tbody></table>'


def _ci_text(mean: float, lo: float, hi: float, kind: str, currency: str, n: float) -> str:
    text = fmt_value(mean, kind, currency=currency)
    if n and n > 1 and np.isfinite(lo) and np.isfinite(hi):
        text += f" [{fmt_value(lo, kind, currency=currency)} – {fmt_value(hi, kind, currency=currency)}]"
    return text


def _sweep_tables(res: SweepResults, currency: str) -> list[tuple[str, str, str]]:
    """(id, heading, html) of every sweep table: scenarios, metrics with CIs, paired differences, failures."""
    scen = res.scenarios
    wide = wide_means(scen)
    levers = res.levers
    varying = [k for k in levers if wide[k].nunique() > 1]
    names = {r["scenario"]: scenario_name(r, varying) for _, r in wide.iterrows()}
    jobs = {j.get("scenario"): j for j in res.meta.get("jobs", [])}
    runs = res.runs
    defs = pd.DataFrame(
        {
            "scenario": wide["scenario"],
            "name": [
                names[s] + (" (baseline)" if b else "") for s, b in zip(wide["scenario"], wide["baseline"], strict=True)
            ],
            **{lever_label(k): [lever_value(k, v) for v in wide[k]] for k in levers},
            "overrides": [" ".join(jobs.get(s, {}).get("overrides", [])) for s in wide["scenario"]],
            "runs ok": [
                f"{int(((runs.scenario == s) & (runs.status == 'ok')).sum())} / {int((runs.scenario == s).sum())}"
                for s in wide["scenario"]
            ],
        }
    )
    base_rows = list(wide["baseline"])
    out = [
        ("scenarios", "Scenario definitions", _table(defs, "scenarios", left=2 + len(levers) + 1, base_rows=base_rows))
    ]
    stats = scen.set_index(["scenario", "metric"])
    metrics = [m for m in TABLE_METRICS if m in set(scen["metric"])]
    cols = {"scenario": [names[s] for s in wide["scenario"]]}
    for m in metrics:
        label, kind = metric_info(m)
        cols[label] = [
            _ci_text(
                *(stats.loc[(s, m), c] for c in ("mean", "ci_low", "ci_high")), kind, currency, stats.loc[(s, m), "n"]
            )
            for s in wide["scenario"]
        ]
    out.append(
        (
            "metrics",
            "Outcomes by scenario: mean [95 % confidence interval]",
            _table(pd.DataFrame(cols), "metrics", base_rows=base_rows),
        )
    )
    dmetrics = [m for m in DIFF_METRICS if m in set(scen["metric"])]
    others = wide[~wide["baseline"]]
    if not others.empty:
        cols = {"scenario": [names[s] for s in others["scenario"]]}
        for m in dmetrics:
            label, kind = metric_info(m)
            vals = []
            for s in others["scenario"]:
                d, lo, hi = (stats.loc[(s, m), c] for c in ("diff_mean", "diff_ci_low", "diff_ci_high"))
                text = fmt_value(d, kind, currency=currency, signed=True)
                if np.isfinite(lo) and np.isfinite(hi):
                    lo_t = fmt_value(lo, kind, currency=currency, signed=True)
                    text += f" [{lo_t} – {fmt_value(hi, kind, currency=currency, signed=True)}]"
                vals.append(text)
            cols[label] = vals
        heading = "Paired differences from the baseline: mean [95 % confidence interval]"
        out.append(("differences", heading, _table(pd.DataFrame(cols), "differences")))
    failed = runs[runs.status != "ok"]
    if not failed.empty:
        fail = failed[["scenario", "replication", "seed", "error"]].astype(str)
        out.append(("failures", "Failed runs", _table(fail, "failures", left=4)))
    return out


def _run_tables(res: RunResults, currency: str) -> list[tuple[str, str, str]]:
    """(id, heading, html) of every run table: headline outcomes, the funnel, rep time and the config."""
    s = res.summary
    rows = [
        ("Revenue", fmt_value(s["revenue"], "currency", currency=currency)),
        ("Deals won", f"{s.get('deals_won', 0):,}"),
        ("Win rate", fmt_value(s.get("win_rate", np.nan), "share")),
        ("Mean sales cycle", fmt_value(s.get("cycle_days_mean") or np.nan, "days")),
        ("First response, median", fmt_value((s.get("response_minutes") or {}).get("p50") or np.nan, "minutes")),
        (
            "First response, 90th percentile",
            fmt_value((s.get("response_minutes") or {}).get("p90") or np.nan, "minutes"),
        ),
        ("SLA target", fmt_value(s.get("sla_minutes") or np.nan, "minutes")),
        ("SLA compliance", fmt_value(s.get("sla_met_share") or np.nan, "share")),
        ("First touched within 5 working minutes", fmt_value(s.get("touched_within", {}).get("5min", np.nan), "share")),
        ("First touched within 1 working hour", fmt_value(s.get("touched_within", {}).get("1h", np.nan), "share")),
        ("MQLs outside working hours", fmt_value(s.get("mql_after_hours_share", np.nan), "share")),
        ("Leads never touched", fmt_value(s.get("never_touched_share", np.nan), "share")),
        ("Rep time selling", fmt_value(s.get("selling_time_share", np.nan), "share")),
        (
            "Revenue from marketing leads",
            fmt_value((s.get("revenue_by_source") or {}).get("marketing", np.nan), "currency", currency=currency),
        ),
        (
            "Revenue from prospecting",
            fmt_value((s.get("revenue_by_source") or {}).get("sales", np.nan), "currency", currency=currency),
        ),
        ("Marketing cost", fmt_value((s.get("cost") or {}).get("marketing", np.nan), "currency", currency=currency)),
        ("Sales cost", fmt_value((s.get("cost") or {}).get("sales", np.nan), "currency", currency=currency)),
    ]
    out = [("outcomes", "Outcomes", _kv(rows, "outcomes"))]
    w, conv = s.get("waterfall", {}), s.get("conversion", {})
    stages = list(stage_codes.STAGE_NAMES[1:])  # every stage a lead can reach
    deals = s.get("deal_outcomes") or {}
    closed = sum(deals.values())

    def step(i: int, stage: str) -> str:
        """Conversion from the previous stage, or for a deal outcome its share of closed deals."""
        if stage in deals:
            return f"{fmt_value(deals[stage] / closed if closed else np.nan, 'share')} of {closed:,} closed deals"
        return fmt_value(conv.get(f"{stages[i - 1]}_to_{stage}", np.nan), "share") if i else ""

    funnel = pd.DataFrame(
        {
            "stage": [STAGE_NAMES.get(k, k) for k in stages],
            "leads": [f"{w.get(k, 0):,}" for k in stages],
            "conversion from the previous stage": [step(i, k) for i, k in enumerate(stages)],
        }
    )
    out.append(
        ("funnel", "Funnel (leads that reached each stage; side exits as current counts)", _table(funnel, "funnel"))
    )
    share = s.get("rep_time_share", {})
    hours = s.get("rep_hours", np.nan)
    time = pd.DataFrame(
        {
            "activity": [ACTIVITY_NAMES.get(k, k) for k in share],
            "share": [fmt_value(v, "share") for v in share.values()],
            "hours": [fmt_value(v * hours, "hours") for v in share.values()],
        }
    )
    out.append(("rep_time", "Rep time", _table(time, "rep_time")))
    return out


@dataclass
class Section:
    """One part of the report: an anchor id, a heading and its HTML body."""

    id: str
    heading: str
    html: str


@dataclass
class ReportContext:
    """What every section builder may read: the results, money and period, the exhibits and the summary."""

    res: RunResults | SweepResults
    currency: str
    days: float
    period: str
    figures: list[tuple[Figure, bytes]] = field(default_factory=list)  # (planned exhibit, PNG)
    summary: ExecutiveSummary | None = None

    @property
    def is_sweep(self) -> bool:
        return isinstance(self.res, SweepResults)

    @property
    def footer(self) -> str:
        return footer_text(self.currency, self.days)


def default_currency(res) -> str:
    """The currency symbol a folder's config names (market.currency), else the config default."""
    if isinstance(res, SweepResults):
        cur = res.meta.get("currency")
    else:
        cur = (res.config.get("market") or {}).get("currency")
    if cur:
        return str(cur)
    from sim.config import MarketConfig

    return MarketConfig().currency


def run_days(res) -> float:
    if isinstance(res, SweepResults):
        return sweep_days(res)
    d = res.summary.get("days", (res.config.get("sim") or {}).get("days"))
    return float(d) if d is not None else float("nan")


def build_context(res, currency: str = "") -> ReportContext:
    """Draw every planned exhibit once and compute the executive summary."""
    import matplotlib.pyplot as plt

    currency = currency or default_currency(res)
    days = run_days(res)
    ctx = ReportContext(res=res, currency=currency, days=days, period=period_text(days))
    if ctx.is_sweep:
        ctx.summary = executive_summary(res, currency)
    for f in figure_plan(res, currency=currency):
        fig = render(f, footer=ctx.footer)
        try:
            ctx.figures.append((f, png_bytes(fig)))
        finally:
            plt.close(fig)
    return ctx


# ----------------------------------------------------------------------------- section builders


def summary_section(ctx: ReportContext) -> list[Section]:
    """The executive summary: three takeaway lines, then every move against today ranked by revenue."""
    if not ctx.is_sweep:
        return [Section("summary", "Executive summary", _run_summary(ctx))]
    ex = ctx.summary
    cur = ctx.currency
    base_note = (
        "today's configuration"
        if ex.baseline_is_today
        else "the sweep's first scenario (today's configuration is not one of the scenarios)"
    )
    head = (
        f"<p class='lead'>Baseline: <b>{_esc(ex.baseline_name)}</b>, {base_note}: revenue "
        f"<b>{_esc(money(ex.today_revenue, cur, signed=False))}</b> {_esc(ex.period)}, mean of "
        f"{ex.replications} replications. Money in {_esc(cur)}; each move is a paired difference from today "
        "(the same buyers and luck in every scenario) with its 95 % interval.</p>"
    )
    lines = "".join(f"<li>{_esc(t)}</li>" for t in ex.takeaways)
    body = head + f'<ol class="takeaways" id="takeaways">{lines}</ol>'
    if not ex.moves.empty:
        m = ex.moves
        table = pd.DataFrame(
            {
                "rank": m["rank"],
                "move from today": m["move"],
                f"revenue change {ex.period} ({cur})": [money(v, cur) for v in m["revenue_diff_mean"]],
                "95 % interval": [interval(r, cur).replace("95 % interval ", "") for _, r in m.iterrows()],
                "clear?": ["yes" if c else "no (interval includes 0)" for c in m["clear"]],
                f"revenue ({cur})": [money(v, cur, signed=False) for v in m["revenue"]],
                "return on cost": [_ratio(v) for v in m["economics.return_on_cost"]],
                f"cost change ({cur})": [money(v, cur) for v in m["economics.total_cost_diff_mean"]],
            }
        )
        body += f"<h3>Moves against today, ranked by revenue {_esc(ex.period)}</h3>" + _table(table, "moves", left=2)
    return [Section("summary", "Executive summary", body)]


def _ratio(x: float) -> str:
    return f"{x:.2f}×" if x is not None and np.isfinite(x) else "–"


def _run_summary(ctx: ReportContext) -> str:
    s = ctx.res.summary
    eco = s.get("economics") or {}
    cur = ctx.currency
    return (
        f"<p class='lead'>One run of <b>{_esc(ctx.res.config.get('scenario', '?'))}</b>: revenue "
        f"<b>{_esc(money(s['revenue'], cur, signed=False))}</b> {_esc(ctx.period)} from {s.get('deals_won', 0):,} "
        f"deals won; return on sales and marketing cost {_esc(_ratio(eco.get('return_on_cost', np.nan)))}. "
        f"Money in {_esc(cur)}.</p>"
    )


# Economics rows: metric, label, kind (money per the period unless noted).
ECONOMICS = (
    ("revenue", "Revenue", "currency"),
    ("economics.total_cost", "Sales + marketing cost", "currency"),
    ("economics.return_on_cost", "Return on sales + marketing cost (revenue ÷ cost)", "ratio"),
    ("economics.cost_per_mql", "Marketing cost per MQL", "currency"),
    ("economics.cost_per_sql", "Cost per SQL", "currency"),
    ("economics.cost_per_opportunity", "Cost per opportunity", "currency"),
    ("economics.revenue_per_rep", "Revenue per rep (head)", "currency"),
    ("economics.pipeline_velocity_per_day", "Pipeline velocity (per day)", "currency"),
    ("revenue_by_source.marketing", "Revenue from marketing leads", "currency"),
    ("revenue_by_source.sales", "Revenue from prospecting", "currency"),
    ("opportunities_by_source.marketing", "Opportunities from marketing leads", "number"),
    ("opportunities_by_source.sales", "Opportunities from prospecting", "number"),
)


def _eco_fmt(x: float, kind: str, cur: str) -> str:
    return _ratio(x) if kind == "ratio" else fmt_value(x, kind, currency=cur)


def economics_section(ctx: ReportContext) -> list[Section]:
    """Money per unit of effort: return on cost, costs per stage, revenue per rep, pipeline velocity, sources."""
    cur = ctx.currency
    note = (
        f"<p class='note'>Money in {_esc(cur)}, totals {_esc(ctx.period)}. Cost = reps' loaded cost + marketing "
        "spend; cost per SQL and per opportunity divide the whole cost, cost per MQL the marketing cost. Pipeline "
        "velocity = opportunities × win rate × mean deal size ÷ mean cycle days.</p>"
    )
    if not ctx.is_sweep:
        flat = _flat(ctx.res.summary)
        rows = [(label, _eco_fmt(flat.get(m, np.nan), k, cur)) for m, label, k in ECONOMICS if m in flat]
        return [Section("economics", "Economics", note + _kv(rows, "economics"))] if rows else []
    scen = ctx.res.scenarios
    present = [e for e in ECONOMICS if e[0] in set(scen["metric"])]
    if len(present) <= 1:
        return []
    stats = scen.set_index(["scenario", "metric"])["mean"]
    ex = ctx.summary
    picked = _economics_columns(ex)
    cols = {"": [label for _, label, _ in present]}
    for title, s in picked:
        cols[title] = [_eco_fmt(stats.get((s, m), np.nan), kind, cur) for m, _, kind in present]
    note += (
        "<p class='note'>Today beside the three moves with most revenue and the one with least; every scenario's "
        "return on cost, cost per SQL and revenue per rep are in the outcomes table below.</p>"
    )
    return [Section("economics", "Economics", note + _table(pd.DataFrame(cols), "economics"))]


def _economics_columns(ex: ExecutiveSummary) -> list[tuple[str, str]]:
    """(column title, scenario) for the economics table: today, the three best moves and the worst."""
    out = [("today", ex.baseline)]
    moves = ex.moves.dropna(subset=["revenue_diff_mean"]) if not ex.moves.empty else ex.moves
    idx = list(range(min(3, len(moves))))
    if len(moves) > 3:
        idx.append(len(moves) - 1)
    for i in idx:
        r = moves.iloc[i]
        out.append((f"#{int(r['rank'])} {r['move']}", r["scenario"]))
    return out


def _ranked_scenarios(ctx: ReportContext) -> list[str]:
    """Today first, then the moves best first (the executive summary's order)."""
    ex = ctx.summary
    return [ex.baseline, *(ex.moves["scenario"] if not ex.moves.empty else [])]


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def evidence_section(ctx: ReportContext) -> list[Section]:
    """Every exhibit under its takeaway title, with a caption saying what it shows."""
    parts = []
    for f, png in ctx.figures:
        parts.append(
            f'<figure id="fig-{_esc(f.name)}"><h3>{_esc(f.headline())}</h3>{_img(png)}'
            f"<figcaption>{_esc(f.caption)}</figcaption></figure>"
        )
    return [Section("figures", "Evidence", "".join(parts))]


def tables_section(ctx: ReportContext) -> list[Section]:
    tables = _sweep_tables(ctx.res, ctx.currency) if ctx.is_sweep else _run_tables(ctx.res, ctx.currency)
    note = f"<p class='note'>Money in {_esc(ctx.currency)}; totals {_esc(ctx.period)}.</p>"
    return [Section(i, h, note + body) for i, h, body in tables]


def validation_section(ctx: ReportContext) -> list[Section]:
    return [Section(i, h, body) for i, h, body in _validation_table(ctx.res)]


def scorecard_section(ctx: ReportContext) -> list[Section]:
    """The joint scorecard of a run folder (sim/scorecard.py)."""
    return [Section(i, h, body) for i, h, body in scorecard_sections(ctx.res)]


def appendix_section(ctx: ReportContext) -> list[Section]:
    """Where the numbers come from: folder, seeds, versions, job timings and the definitions."""
    _, pairs = _header(ctx.res, ctx.currency)
    return [Section("appendix", "Appendix: provenance and definitions", _kv(pairs, "about") + _definitions(ctx.res))]


SECTIONS: list[Callable[[ReportContext], list[Section]]] = [
    summary_section,
    economics_section,
    evidence_section,
    tables_section,
    validation_section,
    scorecard_section,
    appendix_section,
]


def add_section(builder: Callable[[ReportContext], list[Section]], *, before: str = "appendix_section") -> None:
    """Plug a section builder into the report, by default just before the appendix."""
    if builder in SECTIONS:
        return
    names = [b.__name__ for b in SECTIONS]
    SECTIONS.insert(names.index(before) if before in names else len(SECTIONS), builder)


def _header(res, currency: str) -> tuple[str, list[tuple[str, str]]]:
    from sim import __version__

    if isinstance(res, SweepResults):
        meta = res.meta
        n_rep = int(res.runs["replication"].nunique())
        pairs = [
            ("sweep", res.name),
            ("folder", str(res.path.resolve())),
            ("scenarios", f"{res.scenarios['scenario'].nunique()} × {n_rep} replications (common random numbers)"),
            ("simulated days per run", f"{sweep_days(res):,.0f}"),
            ("levers", ", ".join(res.levers)),
            ("baseline", scenario_name(wide_means(res.scenarios).query("baseline").iloc[0], res.levers)),
            ("ran", f"{meta.get('started', '?')} to {meta.get('ended', '?')}"),
            ("funnelsim version of the sweep", str(meta.get("funnelsim_version", "?"))),
        ]
        title = f"{res.name}: what moves revenue against today"
    else:
        cfg = res.config
        pairs = [
            ("run", res.name),
            ("folder", str(res.path.resolve())),
            ("scenario", str(cfg.get("scenario", "?"))),
            ("simulated days", f"{res.summary.get('days', cfg.get('sim', {}).get('days', '?'))}"),
            ("accounts / contacts", f"{res.summary.get('accounts', '?'):,} / {res.summary.get('contacts', '?'):,}"),
            ("reps", str(res.summary.get("reps", "?"))),
            ("engine", str(cfg.get("sim", {}).get("engine", "?"))),
        ]
        title = f"{res.name}: one run of the funnel"
    pairs += [(k, str(v)) for k, v in res.seeds.items()]
    pairs += [
        ("report made with funnelsim", __version__),
        ("report made", datetime.now().isoformat(timespec="seconds")),
        ("currency", currency),
    ]
    return title, pairs


def build_report(res, *, currency: str = "", context: ReportContext | None = None) -> str:
    """The report's HTML text: every section builder's sections in order, with a contents list."""
    # --- hook (funnelsim explore): an explore folder, given as its path, gets the explore section ---
    if isinstance(res, (str, os.PathLike)):
        from sim.explore.report import explore_page

        return explore_page(res, CSS)

    ctx = context or build_context(res, currency)
    title, pairs = _header(res, ctx.currency)
    sections = [s for builder in SECTIONS for s in builder(ctx)]
    subtitle = (
        f"Agent-based simulation of the marketing-to-sales funnel; money in {ctx.currency}, "
        f"totals {ctx.period} per run. Every figure comes from the folder's result files."
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="funnelsim {_esc(dict(pairs).get("report made with funnelsim", ""))}">',
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        f'<p class="sub">{_esc(subtitle)}</p>',
        "<nav><h3>Contents</h3><ol>",
        *(f'<li><a href="#sec-{s.id}">{_esc(s.heading)}</a></li>' for s in sections),
        "</ol></nav>",
    ]
    for s in sections:
        parts += [f'<h2 id="sec-{s.id}">{_esc(s.heading)}</h2>', s.html]
    parts.append("</body></html>")
    return "\n".join(parts)


def _validation_table(res) -> list[tuple[str, str, str]]:
    """The folder's validation.json (from `funnelsim validate --out DIR`), if there is one."""
    path = Path(res.path) / "validation.json"
    if not path.is_file():
        return []
    from sim.validation.cli import fmt_number, verdict

    doc = json.loads(path.read_text())
    df = pd.DataFrame(
        {
            "check": [r["check"] for r in doc["checks"]],
            "reference": [fmt_number(r["reference"]) for r in doc["checks"]],
            "source": [r["source"] for r in doc["checks"]],
            "model": [fmt_number(r["model"]) for r in doc["checks"]],
            "95 % interval": [f"{fmt_number(r['ci_low'])} – {fmt_number(r['ci_high'])}" for r in doc["checks"]],
            "tolerance": [r["tolerance"] for r in doc["checks"]],
            "result": [verdict(r["passed"]) for r in doc["checks"]],
        }
    )
    verdict = "every judged check passed" if doc["passed"] else "some checks FAILED"
    note = (
        f"<p class='note'>{_esc(' '.join(['funnelsim validate', *doc.get('overrides', [])]))}: {verdict}. The model "
        "against queueing theory, Little's law and published figures.</p>"
    )
    return [("validation", "Validation", note + _table(df, "validation", left=3))]


def _definitions(res) -> str:
    """The scenario definitions: the sweep spec and each scenario's overrides, or the run's resolved config."""
    glossary = (
        "<p>Stages: <b>inquiry</b> (responded to marketing) → <b>MQL</b> (score reached the MQL threshold) → "
        "<b>SAL</b> (sales accepted) → <b>SQL</b> (sales qualified) → <b>opportunity</b> → won, lost or no decision; "
        "side exits rejected (back to nurture), recycled, disqualified and never touched. <b>SLA compliance</b>: "
        "share of routed leads first touched within the SLA target, counted on the SLA clock (working minutes "
        "by default, as CRM SLA timers count). <b>Touched within 5 min / 1 h</b>: the same share against fixed "
        "yardsticks of working time, so scenarios with different targets compare on one scale. "
        "<b>Selling time</b>: lead follow-up plus "
        "opportunity work. Intervals are 95 % t intervals over replications; differences from the baseline are "
        "paired (each replication uses the same seed in every scenario).</p>"
    )
    if isinstance(res, SweepResults):
        spec = json.dumps(res.meta.get("sweep", {}), indent=2, default=str)
        jobs = res.meta.get("jobs", [])
        rows = pd.DataFrame(
            {
                "scenario": [j.get("scenario") for j in jobs],
                "overrides": [" ".join(j.get("overrides", [])) for j in jobs],
                "status": [j.get("status") for j in jobs],
                "seconds": [f"{j.get('seconds', float('nan')):.1f}" for j in jobs],
            }
        )
        body = f"<h3>Sweep specification (sweep.json)</h3><pre>{_esc(spec)}</pre>"
        if not rows.empty:
            body += "<h3>Jobs</h3>" + _table(rows, "jobs", left=3)
        lever_cols = levers_of(res.scenarios)
        body += f"<p class='note'>Levers: {_esc(', '.join(lever_cols))}.</p>"
        return glossary + body
    return glossary + "<h3>Resolved configuration (config.yaml)</h3>" + f"<pre>{_esc(res.config_text)}</pre>"


def write_report(res, path, *, currency: str = "", context: ReportContext | None = None) -> Path:
    """Build the report and write it under a temporary name, then rename: no half-written file."""
    path = Path(path)
    text = build_report(res, currency=currency, context=context)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
