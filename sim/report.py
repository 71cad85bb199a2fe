"""One self-contained HTML report of a run or sweep: figures embedded as base64 PNG, tables,
the scenario definitions, funnelsim version and seeds.  It opens offline and can be emailed."""

from __future__ import annotations

import base64
import html
import io
import json
import os
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim import stages as stage_codes
from sim.plot_cli import figure_plan
from sim.plots import ACTIVITY_NAMES, STAGE_NAMES, fmt_value, lever_label, lever_value, metric_info, scenario_name
from sim.results_io import RunResults, SweepResults, levers_of, wide_means
from sim.scorecard import scorecard_sections

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
)
DIFF_METRICS = ("revenue", "win_rate", "touched_within.1h", "response_minutes.p50", "selling_time_share")
# Highlights: metric and whether higher is better.
HIGHLIGHTS = (
    ("revenue", True),
    ("touched_within.1h", True),
    ("response_minutes.p50", False),
    ("selling_time_share", True),
)

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0 auto;
       max-width: 1100px; padding: 24px 32px 64px; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: 4px;
     margin-top: 2.2em; } h3 { margin-top: 1.6em; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0 1.4em; font-size: 0.88em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; vertical-align: top; }
th { background: #f3f5f8; text-align: center; } td.l, th.l { text-align: left; }
tr.base td { background: #fff4e5; font-weight: 600; }
figure { margin: 1.2em 0 2em; page-break-inside: avoid; } figure img { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
.kv td { text-align: left; } .kv td:first-child { color: #555; padding-right: 24px; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; font-size: 0.85em; }
.up { color: #0072B2; } .down { color: #D55E00; } .note { color: #555; font-size: 0.9em; }
nav ol { columns: 2; } @media print { body { max-width: none; } h2 { page-break-before: auto; } }
"""


def _esc(x) -> str:
    return html.escape(str(x))


def _png(fig, dpi: int = 144) -> str:
    """A figure as a base64 PNG <img>, shown at its natural size on any screen."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    width = int(round(fig.get_figwidth() * 96))
    data = base64.b64encode(buf.getvalue()).decode("ascii")
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


def _highlights(res: SweepResults, currency: str) -> str:
    """A few sentences a client reads first: the best scenario on each headline metric against the baseline."""
    scen = res.scenarios
    wide = wide_means(scen)
    varying = [k for k in res.levers if wide[k].nunique() > 1]
    items = []
    for metric, higher in HIGHLIGHTS:
        rows = scen[scen["metric"] == metric]
        if rows.empty or rows["mean"].isna().all():
            continue
        best = rows.loc[rows["mean"].idxmax() if higher else rows["mean"].idxmin()]
        label, kind = metric_info(metric)
        name = scenario_name(best, varying)
        text = f"<b>{_esc(label)}</b>: {'highest' if higher else 'lowest'} in <b>{_esc(name)}</b>, "
        text += _esc(_ci_text(best["mean"], best["ci_low"], best["ci_high"], kind, currency, best["n"]))
        if bool(best["baseline"]):
            text += " (the baseline)"
        elif np.isfinite(best["diff_mean"]):
            lo, hi = best["diff_ci_low"], best["diff_ci_high"]
            clear = np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0)
            diff = fmt_value(best["diff_mean"], kind, currency=currency, signed=True)
            text += f"; {_esc(diff)} against the baseline" + (
                "" if clear else " (not clearly different: the CI includes 0)"
            )
        items.append(f"<li>{text}</li>")
    base = wide[wide["baseline"]].iloc[0]
    head = f"<p>Baseline: <b>{_esc(scenario_name(base, varying))}</b>. "
    head += "Ranges in brackets are 95 % confidence intervals.</p>"
    return head + "<ul>" + "".join(items) + "</ul>"


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


def _header(res, currency: str) -> tuple[str, list[tuple[str, str]]]:
    from sim import __version__

    if isinstance(res, SweepResults):
        meta = res.meta
        n_rep = int(res.runs["replication"].nunique())
        pairs = [
            ("sweep", res.name),
            ("folder", str(res.path.resolve())),
            ("scenarios", f"{res.scenarios['scenario'].nunique()} × {n_rep} replications (common random numbers)"),
            ("levers", ", ".join(res.levers)),
            ("baseline", scenario_name(wide_means(res.scenarios).query("baseline").iloc[0], res.levers)),
            ("ran", f"{meta.get('started', '?')} to {meta.get('ended', '?')}"),
            ("funnelsim version of the sweep", str(meta.get("funnelsim_version", "?"))),
        ]
        title = f"funnelsim sweep report: {res.name}"
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
        title = f"funnelsim run report: {res.name}"
    pairs += [(k, str(v)) for k, v in res.seeds.items()]
    pairs += [
        ("report made with funnelsim", __version__),
        ("report made", datetime.now().isoformat(timespec="seconds")),
    ]
    if currency:
        pairs.append(("currency", currency))
    return title, pairs


def build_report(res, *, currency: str = "") -> str:
    """The report's HTML text: header with version and seeds, tables, definitions and every standard figure."""
    import matplotlib.pyplot as plt

    # --- hook (funnelsim explore): an explore folder, given as its path, gets the explore section ---
    if isinstance(res, (str, os.PathLike)):
        from sim.explore.report import explore_page

        return explore_page(res, CSS)

    title, pairs = _header(res, currency)
    tables = _sweep_tables(res, currency) if isinstance(res, SweepResults) else _run_tables(res, currency)
    tables += _validation_table(res)
    tables += scorecard_sections(res)  # the joint scorecard page (sim/scorecard.py)
    figures = []
    for f in figure_plan(res, currency=currency):
        fig, _ = f.draw()
        try:
            figures.append((f.name, f.caption, _png(fig)))
        finally:
            plt.close(fig)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="funnelsim {_esc(dict(pairs).get("report made with funnelsim", ""))}">',
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        '<p class="sub">Agent-based simulation of the marketing-to-sales funnel. Figures and tables come from the '
        "result files of the folder below; nothing was re-simulated.</p>",
        _kv(pairs, "about"),
        "<nav><h3>Contents</h3><ol>",
        *(['<li><a href="#highlights">Highlights</a></li>'] if isinstance(res, SweepResults) else []),
        *(f'<li><a href="#sec-{i}">{_esc(h)}</a></li>' for i, h, _ in tables),
        '<li><a href="#figures">Figures</a></li>',
        '<li><a href="#definitions">Definitions</a></li></ol></nav>',
    ]
    if isinstance(res, SweepResults):
        parts += ['<h2 id="highlights">Highlights</h2>', _highlights(res, currency)]
    for tid, heading, body in tables:
        parts += [f'<h2 id="sec-{tid}">{_esc(heading)}</h2>', body]
    parts.append('<h2 id="figures">Figures</h2>')
    for name, caption, img in figures:
        parts.append(f'<figure id="fig-{_esc(name)}">{img}<figcaption>{_esc(caption)}</figcaption></figure>')
    parts += ['<h2 id="definitions">Definitions</h2>', _definitions(res)]
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


def write_report(res, path, *, currency: str = "") -> Path:
    """Build the report and write it under a temporary name, then rename: no half-written file."""
    path = Path(path)
    text = build_report(res, currency=currency)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
