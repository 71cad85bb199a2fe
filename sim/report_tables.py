"""The report's tables: a sweep's scenarios, outcomes and paired differences, a run's outcomes, funnel and
rep time, the validation checks and the definitions appendix, each as HTML."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim import stages as stage_codes
from sim.plots.labels import (
    ACTIVITY_NAMES,
    STAGE_NAMES,
    fmt_value,
    lever_label,
    lever_value,
    metric_info,
    scenario_name,
)
from sim.report_html import esc, html_table, kv_table
from sim.results_io import RunResults, SweepResults, levers_of, wide_means

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


def _ci_text(mean: float, lo: float, hi: float, kind: str, currency: str, n: float) -> str:
    text = fmt_value(mean, kind, currency=currency)
    if n and n > 1 and np.isfinite(lo) and np.isfinite(hi):
        text += f" [{fmt_value(lo, kind, currency=currency)} – {fmt_value(hi, kind, currency=currency)}]"
    return text


def sweep_tables(res: SweepResults, currency: str) -> list[tuple[str, str, str]]:
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
        (
            "scenarios",
            "Scenario definitions",
            html_table(defs, "scenarios", left=2 + len(levers) + 1, base_rows=base_rows),
        )
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
            html_table(pd.DataFrame(cols), "metrics", base_rows=base_rows),
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
        out.append(("differences", heading, html_table(pd.DataFrame(cols), "differences")))
    failed = runs[runs.status != "ok"]
    if not failed.empty:
        fail = failed[["scenario", "replication", "seed", "error"]].astype(str)
        out.append(("failures", "Failed runs", html_table(fail, "failures", left=4)))
    return out


def run_tables(res: RunResults, currency: str) -> list[tuple[str, str, str]]:
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
    out = [("outcomes", "Outcomes", kv_table(rows, "outcomes"))]
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
        ("funnel", "Funnel (leads that reached each stage; side exits as current counts)", html_table(funnel, "funnel"))
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
    out.append(("rep_time", "Rep time", html_table(time, "rep_time")))
    return out


def validation_table(res) -> list[tuple[str, str, str]]:
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
        f"<p class='note'>{esc(' '.join(['funnelsim validate', *doc.get('overrides', [])]))}: {verdict}. The model "
        "against queueing theory, Little's law and published figures.</p>"
    )
    return [("validation", "Validation", note + html_table(df, "validation", left=3))]


def definitions(res) -> str:
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
        body = f"<h3>Sweep specification (sweep.json)</h3><pre>{esc(spec)}</pre>"
        if not rows.empty:
            body += "<h3>Jobs</h3>" + html_table(rows, "jobs", left=3)
        lever_cols = levers_of(res.scenarios)
        body += f"<p class='note'>Levers: {esc(', '.join(lever_cols))}.</p>"
        return glossary + body
    return glossary + "<h3>Resolved configuration (config.yaml)</h3>" + f"<pre>{esc(res.config_text)}</pre>"
