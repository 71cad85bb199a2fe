"""Funnel exhibits: leads reaching each stage, with stage-to-stage conversion."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.plots.labels import FUNNEL_STAGES, SIDE_EXITS, STAGE_NAMES, fmt_value, scenario_name, value_formatter
from sim.plots.style import OKABE_ITO, PlotError, _axes, _replications, _style, _styled, _suptitle, _table, _titles
from sim.results_io import (
    levers_of,
    wide_means,
)

# ----------------------------------------------------------------------------- funnel waterfall


def _pick_scenario(table: pd.DataFrame, scenario) -> pd.Series:
    wide = wide_means(table)
    if scenario is None:
        return wide[wide["baseline"]].iloc[0]
    hit = wide[(wide["scenario"] == scenario) | (wide["label"] == scenario)]
    if hit.empty:
        raise PlotError(f"scenario {scenario!r} is not in the results; scenarios: {', '.join(wide['scenario'])}")
    return hit.iloc[0]


def _value(row: pd.Series, key: str) -> float:
    v = row.get(key, np.nan)
    return float(v) if v is not None and pd.notna(v) else float("nan")


@_styled
def plot_waterfall(data, *, metric=FUNNEL_STAGES, scenario=None, side_exits=True, ax=None, **style):
    """The lead funnel: leads reaching each stage, stage-to-stage conversion above, side exits to the right.

    Stages before the opportunity count marketing leads; the opportunity bar adds the contacts of
    deals opened by prospecting (hatched); the last arrow is the deal win rate.  For a sweep the
    bars are the means of the chosen scenario's replications (the baseline by default).
    """
    st = _style(style)
    table = _table(data)
    row = _pick_scenario(table, scenario)
    stages = [metric] if isinstance(metric, str) else list(metric)
    bad = [s for s in stages if f"waterfall.{s}" not in row.index]
    if bad:
        raise PlotError(f"stages {bad} are not in the results; stages: {', '.join(FUNNEL_STAGES + SIDE_EXITS)}")
    counts = [_value(row, f"waterfall.{s}") for s in stages]
    exits = [s for s in SIDE_EXITS if side_exits and f"waterfall.{s}" in row.index]
    n_bars = len(stages) + (len(exits) + 1 if exits else 0)
    fig, ax = _axes(ax, st["figsize"] or (max(7.5, 0.95 * n_bars + 1.2), 4.6))
    blue, orange, green = OKABE_ITO[0], OKABE_ITO[4], OKABE_ITO[2]
    top = max(c for c in counts if np.isfinite(c)) if any(np.isfinite(counts)) else 1.0
    handles = {}
    for i, (s, c) in enumerate(zip(stages, counts, strict=True)):
        if s == "opportunity" and "sql" in stages:
            mkt = _value(row, "waterfall.sql") * _value(row, "conversion.sql_to_opportunity")
            mkt = min(c, mkt) if np.isfinite(mkt) else c
            handles["m"] = ax.bar(i, mkt, 0.62, color=blue, label="marketing leads")
            handles["p"] = ax.bar(
                i,
                c - mkt,
                0.62,
                bottom=mkt,
                color=orange,
                hatch="//",
                ec="white",
                lw=0,
                label="contacts of deals from prospecting",
            )
        elif s == "won":
            handles["w"] = ax.bar(i, c, 0.62, color=green, hatch="..", ec="white", lw=0, label="won (all sources)")
        else:
            handles["m"] = ax.bar(i, c, 0.62, color=blue, label="marketing leads")
        ax.annotate(
            fmt_value(c, "leads"),
            xy=(i, c),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9,
            fontweight="bold",
        )
    row_y = top * 1.22
    for i in range(len(stages) - 1):
        a, b = stages[i], stages[i + 1]
        rate = _value(row, f"conversion.{a}_to_{b}")
        text = fmt_value(rate, "share") if np.isfinite(rate) else None
        if b == "won" and np.isfinite(_value(row, "win_rate")):
            text = f"win rate {fmt_value(_value(row, 'win_rate'), 'share')}"
        if text is None and counts[i]:
            text = fmt_value(counts[i + 1] / counts[i], "share")
        ax.annotate(
            "",
            xy=(i + 0.92, row_y),
            xytext=(i + 0.08, row_y),
            arrowprops={"arrowstyle": "-|>", "color": "0.35", "lw": 1.2},
        )
        ax.text(
            i + 0.5,
            row_y,
            text,
            ha="center",
            va="center",
            fontsize=8.5,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "0.6", "lw": 0.8},
        )
    ax.text(-0.4, row_y * 1.09, "stage-to-stage conversion", fontsize=8, color="0.3", va="bottom")
    names = [STAGE_NAMES.get(s, s) for s in stages]
    ticks = list(range(len(stages)))
    if exits:
        x0 = len(stages) + 1
        ax.axvline(len(stages), color="0.75", lw=1, ls=":")
        for k, s in enumerate(exits):
            c = _value(row, f"waterfall.{s}")
            handles["x"] = ax.bar(
                x0 + k - 1 + 0.5,
                c,
                0.62,
                color="0.8",
                hatch="xx",
                ec="0.55",
                lw=0,
                label="side exits (leads there now)",
            )
            ax.annotate(
                fmt_value(c, "leads"),
                xy=(x0 + k - 0.5, c),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8.5,
            )
            ticks.append(x0 + k - 0.5)
            names.append(STAGE_NAMES.get(s, s).replace(" ", "\n"))
    ax.set_xticks(ticks, names)
    ax.tick_params(axis="x", length=0)
    ax.set_ylim(0, top * 1.42)
    ax.yaxis.set_major_formatter(value_formatter("leads"))
    ax.set_ylabel("Leads (contacts)")
    ax.grid(True, axis="y")
    ax.legend(handles=list(handles.values()), loc="upper right", bbox_to_anchor=(1, 0.86), fontsize=8)
    title = "Lead funnel: leads reaching each stage"
    if row["scenario"] == "run":
        note = "one run; " + _run_note(row)
    else:
        levers = [k for k in levers_of(table) if table[k].nunique() > 1]
        note = f"{_replications(table[table['scenario'] == row['scenario']])} of {scenario_name(row, levers)}"
    _titles(ax, st["title"], st["note"], title, note)
    return fig, ax


def _run_note(row: pd.Series) -> str:
    days = _value(row, "days")
    return f"{days:,.0f} simulated days" if np.isfinite(days) else ""


LEAD_STAGES = ("inquiry", "mql", "sal", "sql", "opportunity", "won")


def count_text(c: float) -> str:
    """A bar's count, short enough to sit over a narrow bar: 35.9 k, 3,722, 8.67."""
    return f"{c / 1000:.1f} k" if np.isfinite(c) and abs(c) >= 10000 else fmt_value(c, "leads")


def _scenario_pair(table: pd.DataFrame, scenario) -> list[pd.Series]:
    """Today (the baseline) and the scenario to set beside it: given, else the one with most revenue."""
    wide = wide_means(table)
    base = wide[wide["baseline"].astype(bool)].iloc[0]
    if scenario is None:
        others = wide[~wide["baseline"].astype(bool)]
        if others.empty or "revenue" not in others:
            return [base]
        return [base, others.loc[others["revenue"].idxmax()]]
    ids = [scenario] if isinstance(scenario, str) else list(scenario)
    return [_pick_scenario(table, s) for s in ids]


def _count_label(ax, x, y, text: str) -> None:
    """A count (and its conversion) just above a bar."""
    ax.annotate(
        text, (x, y), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=6.5, gid="count"
    )


@_styled
def plot_funnel_compare(data, *, scenario=None, ax=None, **style):
    """Today beside another scenario: marketing leads reaching each stage (one unit: leads; each label under a
    stage is its bar over the bar before) and deals opened, closed and won (one unit: deals).

    `scenario`: a scenario id or a list of ids (default: the baseline and the scenario with most revenue).
    Returns (fig, [leads axes, deals axes])."""
    st = _style(style)
    table = _table(data)
    rows = _scenario_pair(table, scenario)
    if f"lead_funnel.{LEAD_STAGES[0]}" not in rows[0].index:
        raise PlotError("these results have no lead_funnel counts; re-run them with this funnelsim version")
    levers = [k for k in levers_of(table) if table[k].nunique() > 1] if "scenario" in table else []
    names = [
        ("today: " if bool(r.get("baseline", False)) and len(rows) > 1 else "")
        + (scenario_name(r, levers) if levers else str(r.get("label", r["scenario"])))
        for r in rows
    ]
    if ax is None:
        fig, axes = plt.subplots(
            1, 2, figsize=st["figsize"] or (14, 5.6), layout="constrained", gridspec_kw={"width_ratios": [2.0, 1.2]}
        )
    else:
        axes = list(ax)
        fig = axes[0].figure
    colors = [OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[2]]
    hatches = ["", "//", ".."]
    k = len(rows)
    width = 0.8 / k
    # Leads
    a = axes[0]
    counts = np.array([[_value(r, f"lead_funnel.{s}") for s in LEAD_STAGES] for r in rows])
    for j in range(k):
        x = np.arange(len(LEAD_STAGES)) + (j - (k - 1) / 2) * width
        a.bar(x, counts[j], width * 0.95, color=colors[j], hatch=hatches[j], ec="white", lw=0, label=names[j])
        for i, (xi, c) in enumerate(zip(x, counts[j], strict=True)):
            prev = counts[j, i - 1] if i else np.nan
            text = count_text(c) + (f"\n{fmt_value(c / prev, 'share')}" if i and prev else "")
            _count_label(a, xi, c, text)
    a.set_xticks(range(len(LEAD_STAGES)), [STAGE_NAMES.get(s, s) for s in LEAD_STAGES])
    a.tick_params(axis="x", length=0)
    a.yaxis.set_major_formatter(value_formatter("leads"))
    a.set_ylabel("Leads (marketing contacts)")
    a.set_ylim(0, np.nanmax(counts) * 1.15)
    a.grid(True, axis="y")
    a.set_title(
        "Leads reaching each stage; above each bar: leads and share of the stage before", loc="left", fontsize=10
    )
    # Deals
    b = axes[1]
    cats = ["Opportunities\nopened", "Deals\nclosed", "Deals\nwon"]
    for j, r in enumerate(rows):
        opened_m = _value(r, "opportunities_by_source.marketing")
        opened_s = _value(r, "opportunities_by_source.sales")
        closed = sum(_value(r, f"deal_outcomes.{o}") for o in ("won", "lost", "no_decision"))
        won = _value(r, "deal_outcomes.won")
        x = np.arange(3) + (j - (k - 1) / 2) * width
        b.bar(x[0], opened_m, width * 0.95, color=colors[j], hatch=hatches[j], ec="white", lw=0)
        b.bar(
            x[0],
            opened_s,
            width * 0.95,
            bottom=opened_m,
            color=colors[j],
            alpha=0.45,
            hatch=hatches[j],
            ec="white",
            lw=0,
        )
        b.bar(x[1:], [closed, won], width * 0.95, color=colors[j], hatch=hatches[j], ec="white", lw=0)
        opened = opened_m + opened_s
        rates = [np.nan, closed / opened if opened else np.nan, won / closed if closed else np.nan]
        for xi, c, rate in zip(x, [opened, closed, won], rates, strict=True):
            text = count_text(c) + (f"\n{fmt_value(rate, 'share')}" if np.isfinite(rate) else "")
            _count_label(b, xi, c, text)
    b.set_xticks(range(3), cats)
    b.tick_params(axis="x", length=0)
    b.yaxis.set_major_formatter(value_formatter("deals"))
    b.set_ylabel("Deals (opportunities)")
    b.grid(True, axis="y")
    b.set_ylim(0, b.get_ylim()[1] * 1.1)
    b.set_title(
        "Deals opened (pale: from prospecting), closed, won;\nabove: share of the bar before", loc="left", fontsize=10
    )
    handles, labs = a.get_legend_handles_labels()
    fig.legend(handles, labs, loc="outside lower center", ncol=k, title="Scenario")
    if len(rows) > 1 and "revenue" in rows[0].index:
        gain = _value(rows[1], "revenue") - _value(rows[0], "revenue")
        title = f"Today against {names[1]}: {fmt_value(gain, 'currency', currency=st['currency'], signed=True)} revenue"
    else:
        title = "The funnel: leads reaching each stage, and deals"
    note = (
        "leads: marketing contacts (prospecting contacts are not leads); deals: opportunities from every source, "
        "closed and won within the run; " + (_replications(table) if "n" in table else "one run")
    )
    _suptitle(fig, axes, st["title"], st["note"], title, note)
    return fig, axes
