"""Which exhibits a run or sweep folder gets: shared by `funnelsim plot`, the HTML report and the decks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Metrics that get what-if curves, heatmaps and forest plots in a sweep (those present are used).
# SLA targets are compared on fixed yardsticks (share touched within 5 minutes / 1 hour of working
# time), not on each scenario's compliance with its own target.
WHATIF_METRICS = (
    "revenue",
    "touched_within.5min",
    "touched_within.1h",
    "selling_time_share",
    "response_minutes.p50",
    "win_rate",
)
HEATMAP_METRICS = ("revenue", "touched_within.1h")
FOREST_METRICS = ("revenue", "touched_within.1h", "selling_time_share")


@dataclass
class Figure:
    """One planned exhibit: file stem, a caption for the report, how to draw it, and its takeaway title
    (a sentence computed from the numbers, or a function that writes it; the caption when there is none)."""

    name: str
    caption: str
    draw: Callable
    takeaway: Callable[[], str] | str | None = None

    def headline(self) -> str:
        text = self.takeaway() if callable(self.takeaway) else self.takeaway
        return text or self.caption


def render(f: Figure, footer: str = ""):
    """Draw a planned exhibit; `footer` (money and period) joins the note under its title."""
    from sim.plots.style import EXHIBIT_NOTE

    token = EXHIBIT_NOTE.set(footer)
    try:
        fig, _ = f.draw()
    finally:
        EXHIBIT_NOTE.reset(token)
    return fig


def _stem(metric: str) -> str:
    return metric.replace(".", "_")


def _independent_levers(results) -> list[str]:
    """Levers that vary and do not just move with an earlier one (paired levers count once)."""
    from sim.plots.style import lever_moves_with
    from sim.results_io import wide_means

    wide = wide_means(results.scenarios)
    out = []
    for k in results.levers:
        if wide[k].nunique() > 1 and not lever_moves_with(wide, k, out):
            out.append(k)
    return out


def _sla_scenarios(results) -> list[str]:
    """The baseline and the scenarios that differ from it only in the SLA target and the levers paired
    with it (for the response plot)."""
    from sim.results_io import wide_means

    wide = wide_means(results.scenarios)
    base = wide[wide["baseline"]].iloc[0]
    key = "policy.sla_minutes"
    if key not in results.levers:
        return [str(base["scenario"])]
    paired = list((getattr(results, "meta", None) or {}).get("sweep", {}).get("paired") or {})
    moving = paired if key in paired else [key]  # levers paired with the SLA target move with it
    others = [k for k in results.levers if k not in moving]
    same = (wide[others] == base[others]).all(axis=1) if others else wide["scenario"].notna()
    picked = wide[same].sort_values(key)
    return [str(s) for s in picked["scenario"]][:6]


def _forest_takeaway(results, currency: str) -> str:
    from sim.takeaways import executive_summary, money

    ex = executive_summary(results, currency)
    if ex.best is None:
        return ""
    b, w = ex.best, ex.worst
    return (
        f"Best move {b['move']}: {money(b['revenue_diff_mean'], currency)}; "
        f"worst {w['move']}: {money(w['revenue_diff_mean'], currency)}, {ex.period}"
    )


def _funnel_takeaway(results, currency: str) -> str:
    from sim.takeaways import executive_summary, money

    ex = executive_summary(results, currency)
    if ex.best is None:
        return ""
    b = ex.best
    return f"Today beside {b['name']}: {money(b['revenue_diff_mean'], currency)} revenue {ex.period}"


def _range_takeaway(results, metric: str, currency: str) -> str:
    """'Label: today X; from lowest (scenario) to highest (scenario)', from the scenario means."""
    from sim.plots.labels import fmt_value, metric_info, scenario_name
    from sim.results_io import wide_means
    from sim.takeaways import varying_levers

    wide = wide_means(results.scenarios)
    if metric not in wide or wide[metric].isna().all():
        return ""
    label, kind = metric_info(metric)
    levers = varying_levers(results)
    lo, hi = wide.loc[wide[metric].idxmin()], wide.loc[wide[metric].idxmax()]
    base = wide[wide["baseline"].astype(bool)].iloc[0]

    def v(row):
        return fmt_value(float(row[metric]), kind, currency=currency)

    return (
        f"{label}: today {v(base)}; from {v(lo)} ({scenario_name(lo, levers)}) to {v(hi)} ({scenario_name(hi, levers)})"
    )


def _varies(table, metric: str, share: float = 0.01) -> bool:
    """True when the scenarios' means spread by more than `share` of the largest (cost moves with headcount
    or spend; a few touches more or less is not a change of spend)."""
    vals = table.loc[table["metric"] == metric, "mean"].dropna()
    return len(vals) > 1 and vals.max() - vals.min() > share * max(abs(vals.max()), 1.0)


def figure_plan(results, *, metrics: list[str] | None = None, currency: str = "") -> list[Figure]:
    """The standard exhibits of a run (funnel, monthly revenue, rep time, response time, daily series) or a
    sweep: the moves against today first (forest, today beside the best move, when gains arrive, revenue
    against cost or headcount), then what-if curves, heatmaps, rep time and response time."""
    from sim import plots
    from sim.plots.capacity import capacity_takeaway, is_capacity_sweep, plot_capacity
    from sim.plots.daily import plot_monthly
    from sim.plots.funnel import plot_funnel_compare
    from sim.results_io import scenario_table

    style = {"currency": currency}
    figs: list[Figure] = []
    if results.kind == "run":
        if "lead_funnel" in results.summary:
            figs.append(
                Figure(
                    "funnel",
                    "Marketing leads reaching each stage (leads) and deals opened, closed and won (deals).",
                    lambda: plot_funnel_compare(results, **style),
                )
            )
        else:
            figs.append(
                Figure(
                    "waterfall",
                    "The lead funnel with stage-to-stage conversion.",
                    lambda: plots.plot_waterfall(results, **style),
                )
            )
        figs.append(
            Figure(
                "monthly",
                "Revenue booked per 30-day month; the shaded warm-up months count in every total.",
                lambda: plot_monthly(results, **style),
            )
        )
        figs.append(
            Figure("rep_time", "How reps spend their working time.", lambda: plots.plot_rep_time(results, **style))
        )
        figs.append(
            Figure(
                "response",
                "First-response time against the SLA target, and conversion by response time.",
                lambda: plots.plot_response(results, **style),
            )
        )
        figs.append(
            Figure("daily", "MQLs, open pipeline and revenue day by day.", lambda: plots.plot_daily(results, **style))
        )
        return figs
    table = scenario_table(results)
    present = set(table["metric"])
    wanted = metrics or list(WHATIF_METRICS)
    unknown = [m for m in wanted if m not in present]
    if metrics and unknown:
        raise plots.PlotError(f"metrics {unknown} are not in the sweep; available: {', '.join(sorted(present))}")
    levers = _independent_levers(results)
    several = len(table["scenario"].unique()) > 1
    if several and "revenue" in present:
        figs.append(
            Figure(
                "forest_revenue",
                "Revenue: each move's paired difference from today with its 95 % interval, best first.",
                lambda: plots.plot_forest(results, metric="revenue", **style),
                lambda: _forest_takeaway(results, currency),
            )
        )
    if "lead_funnel.inquiry" in present:
        figs.append(
            Figure(
                "funnel",
                "Today beside the move with most revenue: marketing leads reaching each stage (leads; under each "
                "stage its share of the stage before) and deals opened, closed and won (deals).",
                lambda: plot_funnel_compare(results, **style),
                lambda: _funnel_takeaway(results, currency),
            )
        )
    if several and any(c.startswith("revenue_by_month.") for c in results.runs.columns):
        figs.append(
            Figure(
                "monthly",
                "When gains arrive: revenue per month for today and the move with most revenue, and their paired "
                "monthly difference; the warm-up months (shaded) count in every total.",
                lambda: plot_monthly(results, **style),
            )
        )
    if is_capacity_sweep(table):
        figs.append(
            Figure(
                "capacity",
                "Capacity: the SLA yardstick, revenue, rep utilisation and backlog against headcount.",
                lambda: plot_capacity(results, **style),
                lambda: capacity_takeaway(table),
            )
        )
    if {"revenue", "economics.total_cost"} <= present and _varies(table, "economics.total_cost"):
        figs.append(
            Figure(
                "cost_revenue",
                "Revenue against sales + marketing cost across the scenarios, with the frontier of scenarios no "
                "other beats on both.",
                lambda: plots.plot_frontier(results, x="economics.total_cost", **style),
            )
        )
    for m in [m for m in wanted if m in present]:
        label = plots.metric_info(m)[0]
        if levers:
            figs.append(
                Figure(
                    f"whatif_{_stem(m)}",
                    f"What-if: {label.lower()} across the levers, with 95 % bands.",
                    lambda m=m: plots.plot_whatif(results, metric=m, facet=True, **style),
                    lambda m=m: _range_takeaway(results, m, currency),
                )
            )
    for m in [m for m in (metrics or HEATMAP_METRICS) if m in present]:
        if len(levers) >= 2:
            figs.append(
                Figure(
                    f"heatmap_{_stem(m)}",
                    f"{plots.metric_info(m)[0]} over two levers.",
                    lambda m=m: plots.plot_heatmap(results, metric=m, facet=True, **style),
                    lambda m=m: _range_takeaway(results, m, currency),
                )
            )
    if several:
        for m in [m for m in (metrics or FOREST_METRICS) if m in present and m != "revenue"]:
            figs.append(
                Figure(
                    f"forest_{_stem(m)}",
                    f"{plots.metric_info(m)[0]}: paired differences from today with 95 % confidence intervals.",
                    lambda m=m: plots.plot_forest(results, metric=m, **style),
                    lambda m=m: _range_takeaway(results, m, currency),
                )
            )
    figs.append(
        Figure(
            "rep_time",
            "How reps spend their working time in each scenario.",
            lambda: plots.plot_rep_time(results, **style),
            lambda: _range_takeaway(results, "selling_time_share", currency),
        )
    )
    if results.responses is not None:
        ids = _sla_scenarios(results)
        figs.append(
            Figure(
                "response",
                "First-response time against the SLA target, and conversion by response time.",
                lambda: plots.plot_response(results, scenario=ids, **style),
                lambda: _range_takeaway(results, "touched_within.5min", currency),
            )
        )
    return figs
