"""Capacity exhibits: how many reps and SDRs, over which hours, a response-time SLA needs, and what
headcount earns and costs (SLA yardstick, revenue, per-rep utilisation and backlog against headcount)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.plots.labels import fmt_duration, lever_name, scenario_name, set_value_axis
from sim.plots.style import LINESTYLES, MARKERS, OKABE_ITO, PlotError, _replications, _style, _styled, _suptitle, _table
from sim.results_io import levers_of, wide_means

HEADCOUNT_LEVERS = ("sales.reps", "sales.sdrs")
# Panels: metric, title, kind.
PANELS = (
    ("sla_met_share", "Leads first touched within the SLA target", "share"),
    ("revenue", "Revenue", "currency"),
    ("capacity.utilisation", "Rep utilisation (busy share of working time)", "share"),
    ("capacity.backlog_per_rep", "Backlog: leads waiting per rep at day end", "number"),
)
SLA_GOAL = 0.8  # the share of leads a team must reach within the SLA target to count as meeting it


def is_capacity_sweep(table: pd.DataFrame) -> bool:
    """True when the sweep changes headcount (reps or SDRs), so capacity exhibits apply."""
    wide = wide_means(table)
    return any(k in wide and wide[k].nunique() > 1 for k in HEADCOUNT_LEVERS) and "reps" in set(table["metric"])


def smallest_team(wide: pd.DataFrame, goal: float = SLA_GOAL) -> pd.Series | None:
    """The scenario with the fewest heads that meets the SLA for at least `goal` of leads (None if none does)."""
    ok = wide[wide["sla_met_share"] >= goal]
    if ok.empty:
        return None
    return ok.sort_values(["reps", "revenue"], ascending=[True, False]).iloc[0]


def capacity_takeaway(table: pd.DataFrame) -> str:
    """The answer in one line: the fewest heads that touch the goal share of leads within the SLA target."""
    wide = wide_means(table)
    if "sla_met_share" not in wide:
        return ""
    levers = [k for k in levers_of(table) if wide[k].nunique() > 1]
    target = float(wide["sla_minutes"].iloc[0]) if "sla_minutes" in wide else np.nan
    best = smallest_team(wide)
    if best is None:
        return f"No team size tried touches {SLA_GOAL:.0%} of leads within {fmt_duration(target)}"
    return (
        f"{int(round(best['reps']))} heads are the fewest that touch {SLA_GOAL:.0%} of leads within "
        f"{fmt_duration(target)} ({scenario_name(best, levers)})"
    )


@_styled
def plot_capacity(data, *, metric=tuple(p[0] for p in PANELS), ax=None, **style):
    """SLA yardstick, revenue, utilisation and backlog against headcount (reps + SDRs), one line per setting
    of the other levers (SDR tier, coverage hours).  Returns (fig, array of axes)."""
    st = _style(style)
    table = _table(data)
    if not is_capacity_sweep(table):
        raise PlotError("plot_capacity needs a sweep that changes sales.reps or sales.sdrs")
    wide = wide_means(table)
    names = [metric] if isinstance(metric, str) else list(metric)
    panels = [p for p in PANELS if p[0] in names and p[0] in wide]
    levers = [k for k in levers_of(table) if wide[k].nunique() > 1]
    others = [k for k in levers if k != "sales.reps"]
    groups = list(wide.groupby(others, sort=False, dropna=False)) if others else [((), wide)]
    if ax is None:
        fig, axes = plt.subplots(2, 2, figsize=st["figsize"] or (11.5, 7.6), layout="constrained", sharex=True)
        axes = axes.ravel()[: len(panels)]
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
        fig = axes[0].figure
    stats = table.set_index(["scenario", "metric"])
    for g, (key, rows) in enumerate(groups):
        rows = rows.sort_values("reps")
        key = key if isinstance(key, tuple) else (key,)
        label = " · ".join(scenario_name(pd.Series({k: v}), [k]) for k, v in zip(others, key, strict=True)) or "all"
        for a, (m, _, _kind) in zip(axes, panels, strict=True):
            s = stats.xs(m, level="metric").reindex(rows["scenario"])
            a.fill_between(rows["reps"], s["ci_low"], s["ci_high"], color=OKABE_ITO[g % 8], alpha=0.15, lw=0)
            a.plot(
                rows["reps"],
                s["mean"],
                color=OKABE_ITO[g % 8],
                ls=LINESTYLES[g % 6],
                marker=MARKERS[g % 8],
                ms=5,
                label=label,
            )
    target = float(wide["sla_minutes"].iloc[0]) if "sla_minutes" in wide else np.nan
    for a, (m, title, kind) in zip(axes, panels, strict=True):
        if m == "sla_met_share" and np.isfinite(target):
            title = f"Leads first touched within {fmt_duration(target)} (the SLA target)"
            a.axhline(SLA_GOAL, color="0.4", ls=":", lw=1)
            a.text(a.get_xlim()[0], SLA_GOAL, f" goal {SLA_GOAL:.0%}", va="bottom", fontsize=8, color="0.3")
        a.set_title(title, loc="left", fontsize=10)
        set_value_axis(a.yaxis, kind, st["currency"])
        a.grid(True)
        if kind == "share":
            a.set_ylim(0, 1.02)
    for a in axes[-2:]:
        a.set_xlabel("Headcount (reps + SDRs)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=min(4, len(labels)),
        title=", ".join(lever_name(k) for k in others) or None,
    )
    title = capacity_takeaway(table)
    clock = ""
    runs = getattr(data, "runs", None)
    if runs is not None and "sla_clock" in runs and runs["sla_clock"].nunique() == 1:
        clock = f"; SLA counted on the {runs['sla_clock'].iloc[0]} clock"
        clock += " (nights and weekends count)" if runs["sla_clock"].iloc[0] == "calendar" else ""
    note = f"{_replications(table)}; bands: 95 % intervals{clock}"
    _suptitle(fig, axes, st["title"], st["note"], title, note)
    return fig, axes
