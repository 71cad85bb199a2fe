"""One self-contained HTML report of a run or sweep, written for a client: the executive summary first
(moves against today in money, with paired 95 % intervals and three takeaway lines), then economics,
the evidence (exhibits with takeaway titles) and the tables; seeds, paths, versions and job timings go
to an appendix.  Figures are embedded as base64 PNG, so it opens offline and can be emailed.

The report is a list of section builders (`SECTIONS`): each takes the `ReportContext` and returns
sections; `add_section` plugs another page in (an explore section, a scorecard) before the appendix."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.plots.labels import (
    fmt_value,
    footer_text,
    period_text,
    scenario_name,
)
from sim.plots.plan import Figure, figure_plan, render
from sim.report_html import CSS, esc, html_table, img, kv_table, png_bytes
from sim.report_tables import definitions, run_tables, sweep_tables, validation_table
from sim.results_io import RunResults, SweepResults, wide_means
from sim.scorecard import scorecard_sections
from sim.takeaways import ExecutiveSummary, executive_summary, interval, money, sweep_days


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
        f"<p class='lead'>Baseline: <b>{esc(ex.baseline_name)}</b>, {base_note}: revenue "
        f"<b>{esc(money(ex.today_revenue, cur, signed=False))}</b> {esc(ex.period)}, mean of "
        f"{ex.replications} replications. Money in {esc(cur)}; each move is a paired difference from today "
        "(the same buyers and luck in every scenario) with its 95 % interval.</p>"
    )
    lines = "".join(f"<li>{esc(t)}</li>" for t in ex.takeaways)
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
        body += f"<h3>Moves against today, ranked by revenue {esc(ex.period)}</h3>" + html_table(table, "moves", left=2)
    return [Section("summary", "Executive summary", body)]


def _ratio(x: float) -> str:
    return f"{x:.2f}×" if x is not None and np.isfinite(x) else "–"


def _run_summary(ctx: ReportContext) -> str:
    s = ctx.res.summary
    eco = s.get("economics") or {}
    cur = ctx.currency
    return (
        f"<p class='lead'>One run of <b>{esc(ctx.res.config.get('scenario', '?'))}</b>: revenue "
        f"<b>{esc(money(s['revenue'], cur, signed=False))}</b> {esc(ctx.period)} from {s.get('deals_won', 0):,} "
        f"deals won; return on sales and marketing cost {esc(_ratio(eco.get('return_on_cost', np.nan)))}. "
        f"Money in {esc(cur)}.</p>"
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
        f"<p class='note'>Money in {esc(cur)}, totals {esc(ctx.period)}. Cost = reps' loaded cost + marketing "
        "spend; cost per SQL and per opportunity divide the whole cost, cost per MQL the marketing cost. Pipeline "
        "velocity = opportunities × win rate × mean deal size ÷ mean cycle days.</p>"
    )
    if not ctx.is_sweep:
        flat = _flat(ctx.res.summary)
        rows = [(label, _eco_fmt(flat.get(m, np.nan), k, cur)) for m, label, k in ECONOMICS if m in flat]
        return [Section("economics", "Economics", note + kv_table(rows, "economics"))] if rows else []
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
    return [Section("economics", "Economics", note + html_table(pd.DataFrame(cols), "economics"))]


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
            f'<figure id="fig-{esc(f.name)}"><h3>{esc(f.headline())}</h3>{img(png)}'
            f"<figcaption>{esc(f.caption)}</figcaption></figure>"
        )
    return [Section("figures", "Evidence", "".join(parts))]


def tables_section(ctx: ReportContext) -> list[Section]:
    tables = sweep_tables(ctx.res, ctx.currency) if ctx.is_sweep else run_tables(ctx.res, ctx.currency)
    note = f"<p class='note'>Money in {esc(ctx.currency)}; totals {esc(ctx.period)}.</p>"
    return [Section(i, h, note + body) for i, h, body in tables]


def validation_section(ctx: ReportContext) -> list[Section]:
    return [Section(i, h, body) for i, h, body in validation_table(ctx.res)]


def scorecard_section(ctx: ReportContext) -> list[Section]:
    """The joint scorecard of a run folder (sim/scorecard.py)."""
    return [Section(i, h, body) for i, h, body in scorecard_sections(ctx.res)]


def appendix_section(ctx: ReportContext) -> list[Section]:
    """Where the numbers come from: folder, seeds, versions, job timings and the definitions."""
    _, pairs = _header(ctx.res, ctx.currency)
    return [
        Section("appendix", "Appendix: provenance and definitions", kv_table(pairs, "about") + definitions(ctx.res))
    ]


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
        f'<meta name="generator" content="funnelsim {esc(dict(pairs).get("report made with funnelsim", ""))}">',
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="sub">{esc(subtitle)}</p>',
        "<nav><h3>Contents</h3><ol>",
        *(f'<li><a href="#sec-{s.id}">{esc(s.heading)}</a></li>' for s in sections),
        "</ol></nav>",
    ]
    for s in sections:
        parts += [f'<h2 id="sec-{s.id}">{esc(s.heading)}</h2>', s.html]
    parts.append("</body></html>")
    return "\n".join(parts)


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
