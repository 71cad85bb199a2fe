"""What-if plots of funnelsim results.  They draw finished results and never run a simulation.

Every plot function shares one signature::

    plot_x(data, *, metric=..., ax=None, **style) -> (fig, ax)

- ``data``: results from `sim.results_io.load_results` (a run or a sweep folder), or the table
  the plot reads (the tidy per-scenario table, a run's summary dict, its daily table, ...);
- ``metric``: what is drawn (a metric name such as ``"revenue"``, or a tuple of names);
- ``ax``: draw into this Axes (plots with several panels take a sequence of Axes); by default
  a new figure is made;
- ``style``: ``title`` and ``note`` (the line under the title; ``""`` leaves it out),
  ``currency`` (a symbol such as ``"€"``), ``figsize`` and ``colors``.

Colours are the Okabe-Ito palette (safe for colour-blind readers) and every series also has
its own line style, marker or hatching, so plots stay readable in greyscale.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, Locator, MaxNLocator, NullLocator, PercentFormatter

from sim.results_io import (
    ResultsError,
    RunResults,
    SweepResults,
    levers_of,
    response_table,
    scenario_table,
    wide_means,
)

# Okabe & Ito (2008): blue, vermillion, bluish green, reddish purple, orange, sky blue, black, yellow.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")
GREY = "0.55"

STYLE = {"title": None, "note": None, "currency": "", "figsize": None, "colors": OKABE_ITO}
RC = {
    "font.size": 9.5,
    "axes.titlesize": 11.5,
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "grid.color": "0.88",
    "grid.linewidth": 0.8,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "svg.fonttype": "path",
}

FUNNEL_STAGES = ("inquiry", "mql", "sal", "sql", "opportunity", "won")
SIDE_EXITS = ("rejected", "recycled", "disqualified", "never_touched")
ACTIVITIES = ("lead_followup", "opportunity", "prospecting", "admin", "idle")
STAGE_NAMES = {
    "inquiry": "Inquiry",
    "mql": "MQL",
    "sal": "SAL",
    "sql": "SQL",
    "opportunity": "Opportunity",
    "won": "Won",
    "lost": "Lost",
    "no_decision": "No decision",
    "rejected": "Rejected",
    "recycled": "Recycled",
    "disqualified": "Disqualified",
    "never_touched": "Never touched",
}
ACTIVITY_NAMES = {
    "lead_followup": "Lead follow-up",
    "opportunity": "Opportunity work",
    "prospecting": "Prospecting",
    "admin": "Admin",
    "idle": "Idle / waiting",
}
ACTIVITY_STYLE = {  # colour and hatching per activity: selling in strong colours, idle in light grey
    "lead_followup": ("#0072B2", ""),
    "opportunity": ("#009E73", "//"),
    "prospecting": ("#E69F00", ".."),
    "admin": ("#CC79A7", "xx"),
    "idle": ("#DDDDDD", ""),
}

# Metric name -> (label, kind); kind sets the number format and the unit on the axis.
METRICS = {
    "revenue": ("Revenue", "currency"),
    "win_rate": ("Win rate", "share"),
    "sla_met_share": ("SLA compliance", "share"),
    "touched_within.5min": ("First touched within 5 working minutes", "share"),
    "touched_within.1h": ("First touched within 1 working hour", "share"),
    "touched_within.same_business_day": ("First touched the same business day", "share"),
    "mql_after_hours_share": ("MQLs arriving outside working hours", "share"),
    "selling_time_share": ("Rep time selling", "share"),
    "never_touched_share": ("Leads never touched", "share"),
    "rejected_share": ("Leads rejected by sales", "share"),
    "response_minutes.mean": ("Mean first-response time", "minutes"),
    "response_minutes.p50": ("Median first-response time", "minutes"),
    "response_minutes.p90": ("90th-percentile first-response time", "minutes"),
    "sla_minutes": ("SLA target", "minutes"),
    "rep_hours": ("Rep working hours", "hours"),
    "selling_hours": ("Rep selling hours", "hours"),
    "cycle_days_mean": ("Mean sales cycle", "days"),
    "deals_won": ("Deals won", "deals"),
    "deals_lost": ("Deals lost", "deals"),
    "deals_no_decision": ("Deals ending in no decision", "deals"),
    "pipeline_open": ("Open pipeline at the end", "currency"),
    "sla_breaches": ("SLA breaches", "leads"),
}
GROUPS = {
    "waterfall": ("Leads reaching {}", "leads"),
    "stages": ("Leads now at {}", "leads"),
    "rep_time_share": ("Rep time on {}", "share"),
    "revenue_by_source": ("Revenue from {} sources", "currency"),
    "opportunities_by_source": ("Opportunities from {} sources", "opportunities"),
    "cost": ("{} cost", "currency"),
    "deal_outcomes": ("Deals {}", "deals"),
}
UNITS = {"share": "%", "minutes": "", "hours": "hours", "days": "days"}

# Daily columns: label, kind and whether the series is a flow (per day) or a stock (level at day end).
DAILY = {
    "mqls": ("MQLs per day", "leads", "flow"),
    "inquiries": ("Inquiries per day", "leads", "flow"),
    "sals": ("SALs per day", "leads", "flow"),
    "sqls": ("SQLs per day", "leads", "flow"),
    "first_touches": ("First touches per day", "leads", "flow"),
    "won": ("Deals won per day", "deals", "flow"),
    "revenue": ("Revenue booked, cumulative", "currency", "cumulative"),
    "pipeline": ("Open pipeline", "currency", "stock"),
    "open_leads": ("Open leads", "leads", "stock"),
    "open_leads_end": ("Leads in rep queues at day end", "leads", "stock"),
    "open_opportunities": ("Open opportunities", "opportunities", "stock"),
    "in_market": ("Accounts in market", "accounts", "stock"),
}

# Lever key -> (axis label, compact label for scenario names with {} for the value).
LEVERS = {
    "marketing.mql_threshold": ("MQL threshold (score points)", "MQL {}"),
    "policy.sla_minutes": ("SLA target (time to first touch)", "SLA {}"),
    "policy.sla_clock": ("SLA clock", "{} clock"),
    "sales.pickup": ("Lead pickup", "{} pickup"),
    "policy.handoff.mode": ("Handoff mode", "{}"),
    "policy.handoff.batch_hours": ("Batch interval", "batch every {}"),
    "policy.handoff.tier": ("Handoff tier", "{} tier"),
    "policy.routing": ("Routing rule", "{}"),
    "policy.breach_action": ("SLA breach action", "breach: {}"),
    "policy.acceptance_threshold": ("Sales acceptance threshold", "accept ≥ {}"),
    "policy.lead_definition": ("Lead definition", "{} definition"),
    "policy.discipline": ("Queue discipline", "{} queue"),
    "policy.max_attempts": ("Most attempts per lead", "{} attempts"),
    "sales.reps": ("Reps", "{} reps"),
    "sales.sdrs": ("SDRs", "{} SDRs"),
    "sales.allocation": ("Rep time allocation", "{}"),
    "marketing.feedback": ("Closed-loop feedback", "feedback {}"),
    "marketing.scoring": ("Lead scoring", "{} scoring"),
    "marketing.budget_scale": ("Marketing budget (× default)", "budget ×{}"),
    "budget.marketing_share": ("Share of the budget in marketing", "{} in marketing"),
}
VALUE_NAMES = {"realtime": "real-time", "batch": "batch pull"}
# What some metrics mean, for notes under titles and for reports.
MEANINGS = {
    "sla_met_share": "share of routed leads first touched within the SLA target, on the SLA clock",
    "touched_within.5min": "share of routed leads first touched within 5 minutes of working time",
    "touched_within.1h": "share of routed leads first touched within 1 hour of working time",
    "touched_within.same_business_day": "share of routed leads first touched by the end of their business day",
    "selling_time_share": "lead follow-up plus opportunity work",
    "selling_hours": "rep hours on lead follow-up plus opportunity work",
    "win_rate": "deals won out of deals closed",
}
DURATION_TICKS = (1, 5, 15, 60, 240, 1440, 10080, 43200)


class PlotError(ValueError):
    """A plot request the results cannot answer (unknown metric, lever or scenario); the message lists what exists."""


# ----------------------------------------------------------------------------- number formats


def _sig(v: float, strip: bool = False) -> str:
    """Three significant digits without exponent notation (v below 1000); `strip` drops trailing zeros."""
    if v == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(v)))))
    text = f"{v:.{digits}f}"
    return text.rstrip("0").rstrip(".") if strip and "." in text else text


def fmt_currency(
    x: float, currency: str = "", signed: bool = False, scale: float | None = None, strip: bool = False
) -> str:
    """Money for people: 52.2 M, 312 k, 1.20 bn (with an optional currency symbol)."""
    if x is None or not np.isfinite(x):
        return "–"
    sign = "+" if signed and x > 0 else "−" if x < 0 else ""
    a = abs(x)
    ref = a if scale is None else scale
    for factor, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if ref >= factor:
            return f"{sign}{currency}{_sig(a / factor, strip)}{suffix}"
    return f"{sign}{currency}{a:,.0f}"


def fmt_duration(minutes: float) -> str:
    """A time span for people: 30 s, 5 min, 1.5 h, 1 day, 2 weeks."""
    if minutes is None or not np.isfinite(minutes):
        return "∞" if minutes == math.inf else "–"
    m = float(minutes)
    if m < 1:
        return f"{m * 60:.0f} s"
    if m < 60:
        return f"{_sig(m, True)} min"
    if m < 1440:
        return f"{_sig(m / 60, True)} h"
    if m >= 10080 and m % 10080 == 0:
        w = m / 10080
        return f"{_sig(w, True)} week" + ("s" if w != 1 else "")
    d = m / 1440
    return f"{_sig(d, True)} day" + ("s" if d != 1 else "")


def fmt_value(x: float, kind: str, *, currency: str = "", signed: bool = False) -> str:
    """Any metric value formatted by its kind (currency, share, minutes, hours, days or a count)."""
    if x is None or not np.isfinite(x):
        return "–"
    if kind == "currency":
        return fmt_currency(x, currency, signed)
    sign = "+" if signed and x > 0 else "−" if x < 0 else ""
    a = abs(x)
    if kind == "share":
        text = f"{a * 100:.1f}" if a < 0.995 else f"{a * 100:.0f}"
        return f"{sign}{text} %" if not signed else f"{sign}{text} pp"
    if kind == "minutes":
        return sign + fmt_duration(a)
    if kind == "hours":
        return f"{sign}{a:,.0f} h"
    if kind == "days":
        return f"{sign}{a:,.1f} days"
    return f"{sign}{a:,.0f}" if a >= 100 or a == int(a) else f"{sign}{_sig(a, True)}"


def metric_info(metric: str) -> tuple[str, str]:
    """Human label and kind of a metric column (``revenue``, ``rep_time_share.idle``, ``waterfall.sql``...)."""
    if metric in METRICS:
        return METRICS[metric]
    group, _, leaf = metric.partition(".")
    if group == "conversion" and "_to_" in leaf:
        a, b = leaf.split("_to_")
        return f"Conversion {STAGE_NAMES.get(a, a)} → {STAGE_NAMES.get(b, b)}", "share"
    if group in GROUPS and leaf:
        text, kind = GROUPS[group]
        name = ACTIVITY_NAMES.get(leaf) if group == "rep_time_share" else STAGE_NAMES.get(leaf)
        name = lower_first(name or leaf.replace("_", " ")) if group != "cost" else leaf.capitalize()
        return text.format(name), kind
    tail = metric.rsplit(".", 1)[-1]
    kind = (
        "share"
        if tail.endswith(("_share", "_rate"))
        else "minutes"
        if "minutes" in metric
        else "hours"
        if tail.endswith("hours")
        else "days"
        if "days" in tail
        else "number"
    )
    return metric.replace("_", " ").replace(".", ": ").capitalize(), kind


def axis_label(metric: str, currency: str = "") -> str:
    """Axis label of a metric with its unit in brackets."""
    label, kind = metric_info(metric)
    unit = (currency or "currency") if kind == "currency" else UNITS.get(kind, kind if kind != "number" else "")
    return f"{label} ({unit})" if unit else label


class _ScaledFormatter(FuncFormatter):
    """Tick labels that share one scale (all in M, or all in k) chosen from the axis range."""

    def __init__(self, fmt):
        super().__init__(fmt)
        self.fmt = fmt

    def __call__(self, x, pos=None):
        lo, hi = self.axis.get_view_interval() if self.axis is not None else (x, x)
        return self.fmt(x, max(abs(lo), abs(hi)))


def value_formatter(kind: str, currency: str = "", signed: bool = False):
    """A matplotlib tick formatter for a metric kind."""
    if kind == "currency":

        def money(x, scale):
            if x == 0:
                return "0"
            return fmt_currency(x, currency, signed, scale=scale, strip=True)

        return _ScaledFormatter(money)
    if kind == "share":
        if signed:
            return FuncFormatter(lambda x, _: f"{x * 100:+.0f} pp".replace("-", "−") if x else "0")
        return PercentFormatter(xmax=1, decimals=0, symbol=" %")
    if kind == "minutes":
        return FuncFormatter(
            lambda x, _: "0" if x == 0 else ("+" if signed and x > 0 else "") + fmt_value(x, "minutes")
        )
    if kind == "hours":
        return FuncFormatter(lambda x, _: (f"{x:+,.0f} h" if signed else f"{x:,.0f} h").replace("-", "−"))
    return FuncFormatter(
        lambda x, _: (f"{x:+,.0f}" if signed and x else f"{x:,.0f}" if abs(x) >= 10 else f"{x:g}").replace("-", "−")
    )


class DurationLocator(Locator):
    """Ticks at round durations in minutes, hours or days, whichever suits the axis range."""

    def __call__(self):
        lo, hi = self.axis.get_view_interval()
        return self.tick_values(lo, hi)

    def tick_values(self, vmin, vmax):
        span = max(abs(vmin), abs(vmax))
        unit, steps = (1, [1, 2, 2.5, 5, 10]) if span < 180 else (60, [1, 1.2, 2, 3, 4, 6, 10])
        if span >= 3 * 1440:
            unit, steps = 1440, [1, 2, 5, 7, 10]
        return MaxNLocator(nbins=6, steps=steps).tick_values(vmin / unit, vmax / unit) * unit


def set_value_axis(axis, kind: str, currency: str = "", *, signed: bool = False, values=None) -> None:
    """Tick labels for a metric kind; durations get round ticks, and a log scale when `values` span 20x or more."""
    axis.set_major_formatter(value_formatter(kind, currency, signed))
    if kind != "minutes":
        return
    vals = np.asarray([] if values is None else values, dtype=float)
    vals = vals[np.isfinite(vals)]
    if not signed and vals.size and vals.min() > 0 and vals.max() / vals.min() >= 20:
        ax = axis.axes
        (ax.set_xscale if axis is ax.xaxis else ax.set_yscale)("log")
        axis.set_major_locator(FixedLocator([0.5, 1, 2, 5, 15, 30, 60, 120, 240, 480, 1440, 2880, 10080, 43200]))
        axis.set_major_formatter(value_formatter(kind, currency, signed))
        axis.set_minor_locator(NullLocator())
    else:
        axis.set_major_locator(DurationLocator())


# ----------------------------------------------------------------------------- levers and scenario names


@functools.cache
def _lever_units() -> dict[str, str]:
    from sim.config import FunnelConfig, iter_fields

    return {k: m.get("unit", "") for k, _, m in iter_fields(FunnelConfig())}


def lever_label(key: str) -> str:
    """Axis label of a lever (with its unit)."""
    if key in LEVERS:
        return LEVERS[key][0]
    unit = _lever_units().get(key, "")
    name = key.rsplit(".", 1)[-1].replace("_", " ").capitalize()
    return f"{name} ({unit})" if unit and unit != "minutes" else name


def lever_name(key: str) -> str:
    """A lever's name without its unit, for titles."""
    return lever_label(key).split(" (")[0]


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (MQL, SLA, SDR...)."""
    word = text.split(" ", 1)[0]
    return text if word[:2].isupper() else text[:1].lower() + text[1:]


def lever_value(key: str, value) -> str:
    """A lever value for people: durations for minute levers, names without underscores."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    unit = _lever_units().get(key, "")
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if unit == "minutes":
            return fmt_duration(float(value))
        if unit == "hours":
            return fmt_duration(float(value) * 60)
        return f"{value:g}"
    text = str(value)
    return VALUE_NAMES.get(text, text.replace("_", " "))


def scenario_name(row, levers: Sequence[str]) -> str:
    """Compact scenario name from its lever values, e.g. 'MQL 50 · SLA 5 min · real-time'."""
    parts = []
    for k in levers:
        v = row[k]
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        fmt = LEVERS[k][1] if k in LEVERS else k.rsplit(".", 1)[-1].replace("_", " ") + " {}"
        parts.append(fmt.format(lever_value(k, v)))
    return " · ".join(parts) or str(row.get("label", row.get("scenario", "")))


# ----------------------------------------------------------------------------- shared plumbing


def _style(style: dict, **own) -> dict:
    allowed = {**STYLE, **own}
    unknown = sorted(set(style) - set(allowed))
    if unknown:
        raise TypeError(f"unknown style option(s) {unknown}; allowed: {', '.join(sorted(allowed))}")
    return {**allowed, **style}


def _styled(fn):
    """Draw under the package's rc settings, so every plot looks the same wherever it is called."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with plt.rc_context(RC):
            return fn(*args, **kwargs)

    return wrapper


def _axes(ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def _titles(ax, title: str | None, note: str | None, default_title: str, default_note: str = "") -> None:
    """Bold title and a grey explanatory note above the axes, left-aligned; both wrap at the figure's edge.

    The title sits on top of the note whatever its number of lines, so they never overlap.
    """
    title = default_title if title is None else title
    note = default_note if note is None else note
    anchor, gap = "axes fraction", 6
    if note:
        anchor = ax.annotate(
            note,
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 5),
            textcoords="offset points",
            va="bottom",
            ha="left",
            fontsize=8.5,
            color="0.3",
            linespacing=1.2,
            wrap=True,
        )
        gap = 3
    if title:
        ax.annotate(
            title,
            xy=(0, 1),
            xycoords=anchor,
            xytext=(0, gap),
            textcoords="offset points",
            va="bottom",
            ha="left",
            fontsize=11.5,
            fontweight="bold",
            wrap=True,
            gid="title",
        )


def _suptitle(fig, axes, title, note, default_title, default_note) -> None:
    """Figure title for plots with several panels; the note goes above the first panel's own title."""
    title = default_title if title is None else title
    note = default_note if note is None else note
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=11.5)
    if note:
        axes[0].annotate(
            note,
            xy=(0.01, 1),
            xycoords=("figure fraction", "axes fraction"),
            xytext=(0, 24),
            textcoords="offset points",
            va="bottom",
            ha="left",
            fontsize=8.5,
            color="0.3",
            linespacing=1.2,
            wrap=True,
        )


def _legend_below(fig, ax, owned: bool, ncol: int, **kw):
    """A legend under the plot when the figure is ours (outside the axes, never over data), else inside."""
    if owned:
        handles, labels = ax.get_legend_handles_labels()
        return fig.legend(handles, labels, loc="outside lower center", ncol=ncol, **kw)
    return ax.legend(loc="best", **kw)


def _signed_pct(x: float) -> str:
    return f"{x:+.0f} %".replace("-", "−")


def _table(data) -> pd.DataFrame:
    try:
        return scenario_table(data)
    except TypeError as err:
        raise PlotError(str(err)) from err


def _metric_rows(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    rows = table[table["metric"] == metric]
    if rows.empty:
        known = sorted(table["metric"].unique())
        raise PlotError(f"metric {metric!r} is not in the results; available metrics: {', '.join(known)}")
    return rows


def _is_number(values) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values)


def _sorted_values(series: pd.Series) -> list:
    """Numbers in rising order; names in the order the sweep ran them."""
    vals = list(pd.unique(series.dropna()))
    return sorted(vals) if _is_number(vals) else vals


def lever_moves_with(rows: pd.DataFrame, lever: str, by: list[str]) -> bool:
    """True when `lever` moves with the levers `by` (one value per combination), as paired levers do."""
    by = [b for b in by if b]
    if not by:
        return rows[lever].nunique(dropna=False) <= 1
    return bool((rows.groupby(by, dropna=False)[lever].nunique(dropna=False) <= 1).all())


def _choose_levers(rows: pd.DataFrame, levers: list[str], wanted: list[str | None]) -> list[str | None]:
    """Fill unset lever roles (x first, then the others): the numeric lever with most values goes on x."""
    for w in wanted:
        if w is not None and w not in levers:
            raise PlotError(f"lever {w!r} is not in the results; levers: {', '.join(levers) or 'none (a single run)'}")
    varying = [k for k in levers if rows[k].nunique() > 1]
    out = list(wanted)
    if out[0] is None:
        pool = [k for k in varying if k not in out]
        numeric = [k for k in pool if _is_number(rows[k].dropna().unique())]
        pool = numeric or pool
        if not pool:
            raise PlotError("this plot needs results with at least one lever that varies (a sweep)")
        out[0] = max(pool, key=lambda k: (rows[k].nunique(), -pool.index(k)))
    for i in range(1, len(out)):
        if out[i] is None:
            taken = [o for o in out if o]
            free = [k for k in varying if k not in taken and not lever_moves_with(rows, k, taken)]
            out[i] = free[0] if free else None
    return out


def _roles(rows, levers, x, second, facet):
    """x, the second lever (line colour or heatmap rows) and the facet lever; facet=True picks one."""
    if facet is True:
        return tuple(_choose_levers(rows, levers, [x, second, None]))
    if facet:
        return tuple(_choose_levers(rows, levers, [x, second, facet]))
    return (*_choose_levers(rows, levers, [x, second]), None)


def _fix_others(
    rows: pd.DataFrame, levers: list[str], used: list[str], where: dict | None
) -> tuple[pd.DataFrame, dict]:
    """Keep the rows where the levers not on the plot sit at the baseline's values (or at `where`)."""
    where = dict(where or {})
    for k in where:
        if k not in levers:
            raise PlotError(f"where={{{k!r}: ...}} names no lever; levers: {', '.join(levers)}")
    base = rows[rows["baseline"].astype(bool)]
    fixed = {}
    for k in levers:
        if k in used or rows[k].nunique() <= 1:
            continue
        if k in where:
            fixed[k] = where[k]
        elif not lever_moves_with(rows, k, used):
            fixed[k] = base[k].iloc[0] if not base.empty else rows[k].iloc[0]
    sel = rows
    for k, v in fixed.items():
        sel = sel[sel[k] == v]
    if sel.empty:
        raise PlotError(f"no scenario has {fixed}; choose values that the sweep ran")
    return sel, fixed


def _fixed_text(fixed: dict) -> str:
    return ", ".join(f"{lower_first(lever_name(k))} {lever_value(k, v)}" for k, v in fixed.items())


def _replications(rows: pd.DataFrame) -> str:
    if (rows["scenario"] == "run").all():
        return "one run"
    n = rows["n"].dropna()
    if n.empty or int(n.max()) <= 1:
        return "one run per scenario"
    lo, hi = int(n.min()), int(n.max())
    return f"mean of {hi} replications" if lo == hi else f"mean of {lo}–{hi} replications"


def _set_lever_axis(ax, axis: str, key: str, values: list, log: bool) -> None:
    set_ticks = ax.set_xticks if axis == "x" else ax.set_yticks
    target = ax.xaxis if axis == "x" else ax.yaxis
    if log:
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    set_ticks(values, [lever_value(key, v) for v in values])
    target.set_minor_locator(NullLocator())
    (ax.set_xlabel if axis == "x" else ax.set_ylabel)(lever_label(key))


def _facets(draw, rows: pd.DataFrame, facet: str, ax, figsize, sharey: bool = True):
    """One panel per value of `facet`, side by side; returns the figure, the axes and the values."""
    values = _sorted_values(rows[facet])
    if ax is None:
        w, h = figsize or (4.3 * len(values) + 1.6, 4.2)
        fig, axes = plt.subplots(1, len(values), figsize=(w, h), layout="constrained", sharey=sharey, squeeze=False)
        axes = axes[0]
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object))
        if len(axes) != len(values):
            raise PlotError(f"facet {facet!r} has {len(values)} values; give that many axes, got {len(axes)}")
        fig = axes[0].figure
    for a, v in zip(axes, values, strict=True):
        draw(a, rows[rows[facet] == v], v, a is axes[-1])
        a.set_title(f"{lever_name(facet)}: {lever_value(facet, v)}", loc="left", fontsize=10.5)
    for a in axes[1:]:
        a.set_ylabel("")
    return fig, axes


def _panels(draw, rows: pd.DataFrame, facet, ax, figsize, single_size):
    """Draw one panel, or one per value of `facet`; returns the figure and the axes (an array with facets)."""
    if facet:
        return _facets(draw, rows, facet, ax, figsize)
    fig, out = _axes(ax, figsize or single_size)
    draw(out, rows, None, True)
    return fig, out


def _lever_titles(fig, out, facet, st: dict, title: str, note: str, fixed: dict) -> None:
    """Title and note of a lever plot, naming the levers held fixed; over all panels with facets."""
    if fixed:
        note += f"; {_fixed_text(fixed)}"
    if facet:
        _suptitle(fig, out, st["title"], st["note"], title, note)
    else:
        _titles(out, st["title"], st["note"], title, note)


# ----------------------------------------------------------------------------- what-if curve


@_styled
def plot_whatif(data, *, metric="revenue", x=None, hue=None, facet=None, where=None, ax=None, **style):
    """A metric against one lever, one line per value of a second lever, with 95 % confidence bands.

    Levers not drawn stay at the baseline's values (or at `where`); `facet` draws one panel per
    value of a third lever.  Returns (fig, ax), or (fig, array of axes) with facets.
    """
    st = _style(style)
    table = _table(data)
    rows = _metric_rows(table, metric)
    levers = levers_of(table)
    x, hue, facet = _roles(rows, levers, x, hue, facet)
    used = [k for k in (x, hue, facet) if k]
    rows, fixed = _fix_others(rows, levers, used, where)
    xs = _sorted_values(rows[x])
    numeric = _is_number(xs)
    log = numeric and min(xs) > 0 and max(xs) / min(xs) >= 20
    hues = _sorted_values(rows[hue]) if hue else [None]
    label, kind = metric_info(metric)
    colors = st["colors"]

    def draw(a, sub, facet_value, last):
        for i, h in enumerate(hues):
            part = sub if h is None else sub[sub[hue] == h]
            part = part.set_index(x).reindex(xs)
            pos = np.array(xs, dtype=float) if numeric else np.arange(len(xs)) + (i - (len(hues) - 1) / 2) * 0.08
            color = colors[i % len(colors)]
            name = lever_value(hue, h) if hue else label
            mean, lo, hi = (part[c].to_numpy(dtype=float) for c in ("mean", "ci_low", "ci_high"))
            a.plot(
                pos,
                mean,
                color=color,
                ls=LINESTYLES[i % len(LINESTYLES)],
                marker=MARKERS[i % len(MARKERS)],
                lw=2,
                ms=6,
                label=name,
                zorder=3,
            )
            if numeric:
                a.fill_between(pos, lo, hi, color=color, alpha=0.15, lw=0, zorder=2)
                a.plot(pos, lo, color=color, lw=0.6, alpha=0.6, ls=LINESTYLES[i % len(LINESTYLES)])
                a.plot(pos, hi, color=color, lw=0.6, alpha=0.6, ls=LINESTYLES[i % len(LINESTYLES)])
            else:
                a.errorbar(pos, mean, yerr=[mean - lo, hi - mean], fmt="none", ecolor=color, elinewidth=1.2, capsize=4)
        if numeric:
            _set_lever_axis(a, "x", x, xs, log)
        else:
            a.set_xticks(range(len(xs)), [lever_value(x, v) for v in xs])
            a.set_xlabel(lever_label(x))
            a.set_xlim(-0.5, len(xs) - 0.5)
        set_value_axis(a.yaxis, kind, st["currency"], values=rows[["mean", "ci_low", "ci_high"]].to_numpy().ravel())
        a.set_ylabel(axis_label(metric, st["currency"]) + (" (log scale)" if a.get_yscale() == "log" else ""))
        a.grid(True, axis="y")
        if hue and last:
            a.legend(title=lever_label(hue), loc="upper left", bbox_to_anchor=(1.01, 1), alignment="left")

    fig, out = _panels(draw, rows, facet, ax, st["figsize"], (7.5, 4.4))
    title = f"{label} by {lower_first(lever_name(x))}" + (f" and {lower_first(lever_name(hue))}" if hue else "")
    note = f"{_replications(rows)}; {'bands' if numeric else 'bars'}: 95 % confidence interval"
    _lever_titles(fig, out, facet, st, title, note, fixed)
    return fig, out


# ----------------------------------------------------------------------------- heatmap


@_styled
def plot_heatmap(data, *, metric="revenue", x=None, y=None, facet=None, where=None, ax=None, **style):
    """The mean of a metric over two levers, with each cell's value and 95 % confidence interval.

    Other levers stay at the baseline's values (or `where`); the baseline's cell is outlined.
    """
    st = _style(style, cmap="cividis")
    table = _table(data)
    rows = _metric_rows(table, metric)
    levers = levers_of(table)
    x, y, facet = _roles(rows, levers, x, y, facet)
    if y is None:
        raise PlotError("a heatmap needs two levers that vary; this sweep has one: use plot_whatif")
    used = [k for k in (x, y, facet) if k]
    rows, fixed = _fix_others(rows, levers, used, where)
    xs, ys = _sorted_values(rows[x]), _sorted_values(rows[y])
    label, kind = metric_info(metric)
    vmin, vmax = float(np.nanmin(rows["mean"])), float(np.nanmax(rows["mean"]))
    cmap = plt.get_cmap(st["cmap"]).with_extremes(bad="0.9")
    images = []

    def draw(a, sub, facet_value, last):
        grid = sub.pivot_table(index=y, columns=x, values="mean", aggfunc="first").reindex(index=ys, columns=xs)
        lo = sub.pivot_table(index=y, columns=x, values="ci_low", aggfunc="first").reindex(index=ys, columns=xs)
        hi = sub.pivot_table(index=y, columns=x, values="ci_high", aggfunc="first").reindex(index=ys, columns=xs)
        base = sub[sub["baseline"].astype(bool)]
        img = a.imshow(grid.to_numpy(float), cmap=cmap, vmin=vmin, vmax=vmax, origin="lower", aspect="auto")
        images.append(img)
        for (i, j), v in np.ndenumerate(grid.to_numpy(float)):
            if not np.isfinite(v):
                a.text(j, i, "not run", ha="center", va="center", fontsize=8, color="0.3")
                continue
            light = (v - vmin) / (vmax - vmin or 1) > 0.55
            color = "black" if light else "white"
            a.text(
                j,
                i + 0.07,
                fmt_value(v, kind, currency=st["currency"]),
                ha="center",
                va="center",
                fontsize=10,
                fontweight="bold",
                color=color,
            )
            ci = f"{fmt_value(lo.iat[i, j], kind, currency=st['currency'])} – "
            ci += fmt_value(hi.iat[i, j], kind, currency=st["currency"])
            a.text(j, i - 0.18, ci, ha="center", va="center", fontsize=7, color=color)
        if not base.empty and base[x].iloc[0] in xs and base[y].iloc[0] in ys:
            j, i = xs.index(base[x].iloc[0]), ys.index(base[y].iloc[0])
            a.add_patch(Rectangle((j - 0.48, i - 0.48), 0.96, 0.96, fill=False, ec="#D55E00", lw=2.5, ls="--"))
        a.set_xticks(range(len(xs)), [lever_value(x, v) for v in xs])
        a.set_yticks(range(len(ys)), [lever_value(y, v) for v in ys])
        a.set_xlabel(lever_label(x))
        a.set_ylabel(lever_label(y))
        a.tick_params(length=0)
        for s in a.spines.values():
            s.set_visible(False)

    fig, out = _panels(draw, rows, facet, ax, st["figsize"], (6.8, 4.6))
    bar = fig.colorbar(images[-1], ax=out, shrink=0.9, pad=0.02)
    set_value_axis(bar.ax.yaxis, kind, st["currency"])
    bar.set_label(axis_label(metric, st["currency"]))
    title = f"{label} by {lower_first(lever_name(x))} and {lower_first(lever_name(y))}"
    note = f"{_replications(rows)}; second line in each cell: 95 % CI; dashed box: baseline"
    _lever_titles(fig, out, facet, st, title, note, fixed)
    return fig, out


# ----------------------------------------------------------------------------- forest plot


@_styled
def plot_forest(data, *, metric="revenue", sort=True, ax=None, **style):
    """Each scenario's paired difference from the baseline with its 95 % confidence interval.

    Replications share seeds across scenarios (common random numbers), so the differences are
    paired and their intervals far narrower than the scenarios' own.
    """
    st = _style(style)
    table = _table(data)
    rows = _metric_rows(table, metric)
    levers = levers_of(table)
    varying = [k for k in levers if rows[k].nunique() > 1]
    base = rows[rows["baseline"].astype(bool)]
    others = rows[~rows["baseline"].astype(bool)].copy()
    if others.empty:
        raise PlotError("a forest plot needs scenarios besides the baseline (a sweep)")
    others["name"] = [scenario_name(r, varying) for _, r in others.iterrows()]
    if sort:
        others = others.sort_values("diff_mean", ascending=True, kind="stable")
    else:
        others = others.iloc[::-1]
    label, kind = metric_info(metric)
    n = len(others)
    owned = ax is None
    fig, ax = _axes(ax, st["figsize"] or (8.6, 2.0 + 0.3 * n))
    ypos = np.arange(n)
    mean = others["diff_mean"].to_numpy(float)
    lo = np.nan_to_num(others["diff_ci_low"].to_numpy(float), nan=0.0)
    hi = np.nan_to_num(others["diff_ci_high"].to_numpy(float), nan=0.0)
    groups = (
        (lo > 0, "higher than baseline", OKABE_ITO[0], "^", OKABE_ITO[0]),
        (hi < 0, "lower than baseline", OKABE_ITO[1], "v", OKABE_ITO[1]),
        (~((lo > 0) | (hi < 0)), "no clear difference (CI includes 0)", GREY, "o", "white"),
    )
    for mask, name, color, marker, face in groups:
        if mask.any():
            ax.errorbar(
                mean[mask],
                ypos[mask],
                xerr=[mean[mask] - lo[mask], hi[mask] - mean[mask]],
                fmt=marker,
                color=color,
                ms=7.5,
                capsize=0,
                elinewidth=2.2,
                mfc=face,
                mew=1.5,
                label=name,
                zorder=3,
            )
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(ypos, others["name"])
    ax.set_ylim(-0.7, n - 0.3)
    set_value_axis(ax.xaxis, kind, st["currency"], signed=True)
    ax.set_xlabel(f"Difference from the baseline: {lower_first(axis_label(metric, st['currency']))}")
    ax.grid(True, axis="x")
    base_mean = float(base["mean"].iloc[0]) if not base.empty else float("nan")
    for y, d in zip(ypos, mean, strict=True):
        text = fmt_value(d, kind, currency=st["currency"], signed=True)
        if kind != "share" and np.isfinite(base_mean) and base_mean:
            text += f" ({_signed_pct(d / base_mean * 100)})"
        ax.annotate(
            text,
            xy=(1, y),
            xycoords=("axes fraction", "data"),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color="0.2",
        )
    _legend_below(fig, ax, owned, ncol=3, handletextpad=0.3)
    bname = scenario_name(base.iloc[0], varying) if not base.empty else "baseline"
    title = f"{label}: change against the baseline"
    note = f"baseline: {bname} ({fmt_value(base_mean, kind, currency=st['currency'])}); "
    note += "paired differences, 95 % CI over common-random-number replications"
    _titles(ax, st["title"], st["note"], title, note)
    return fig, ax


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


# ----------------------------------------------------------------------------- rep time


@_styled
def plot_rep_time(data, *, metric=ACTIVITIES, ax=None, **style):
    """How reps spend their working time, as a stacked bar per scenario (shares of working hours)."""
    st = _style(style)
    table = _table(data)
    acts = [metric] if isinstance(metric, str) else list(metric)
    known = sorted(m.split(".", 1)[1] for m in table["metric"].unique() if m.startswith("rep_time_share."))
    bad = [a for a in acts if a not in known]
    if bad:
        raise PlotError(f"activities {bad} are not in the results; activities: {', '.join(known)}")
    wide = wide_means(table)
    levers = [k for k in levers_of(table) if wide[k].nunique() > 1]
    names = [scenario_name(r, levers) if levers else str(r["label"]) for _, r in wide.iterrows()]
    names = [f"{n} (baseline)" if b and len(wide) > 1 else n for n, b in zip(names, wide["baseline"], strict=True)]
    n = len(wide)
    owned = ax is None
    fig, ax = _axes(ax, st["figsize"] or (9.0, 2.1 + 0.32 * n))
    ypos = np.arange(n)[::-1]
    left = np.zeros(n)
    for a in acts:
        share = wide[f"rep_time_share.{a}"].to_numpy(float)
        color, hatch = ACTIVITY_STYLE.get(a, (GREY, ""))
        ax.barh(
            ypos, share, 0.7, left=left, color=color, hatch=hatch, ec="white", lw=0.6, label=ACTIVITY_NAMES.get(a, a)
        )
        for y, x0, s in zip(ypos, left, share, strict=True):
            if s >= 0.06:
                dark = color in ("#0072B2", "#009E73")
                ax.text(
                    x0 + s / 2,
                    y,
                    f"{s * 100:.0f} %",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                    bbox={"boxstyle": "square,pad=0.1", "fc": color, "ec": "none"} if hatch else None,
                )
        left += share
    ax.set_yticks(ypos, names)
    ax.set_xlim(0, max(1.0, float(left.max())))
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0, symbol=" %"))
    ax.set_xlabel("Share of rep working time (%)")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    _legend_below(fig, ax, owned, ncol=len(acts), handlelength=2.2)
    if "selling_time_share" in wide:
        for y, v in zip(ypos, wide["selling_time_share"].to_numpy(float), strict=True):
            ax.annotate(
                f"{v * 100:.0f} %",
                xy=(1, y),
                xycoords=("axes fraction", "data"),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                fontweight="bold",
            )
        ax.annotate(
            "selling",
            xy=(1, n - 0.45),
            xycoords=("axes fraction", "data"),
            xytext=(8, 0),
            textcoords="offset points",
            va="bottom",
            fontsize=8,
            color="0.3",
        )
        ax.set_ylim(-0.6, n - 0.05)
    hours = wide["rep_hours"].to_numpy(float) if "rep_hours" in wide else np.array([np.nan])
    note = _replications(table)
    if np.isfinite(hours).any():
        note += f"; {fmt_value(float(np.nanmean(hours)), 'hours')} of rep working time per run"
    if "selling_time_share" in wide:
        note += "; selling = lead follow-up + opportunity work"
    _titles(ax, st["title"], st["note"], "How reps spend their time" + (", by scenario" if n > 1 else ""), note)
    return fig, ax


# ----------------------------------------------------------------------------- response time


def _wilson(k: np.ndarray, n: np.ndarray, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score interval of a binomial share k/n."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        den = 1 + z**2 / n
        mid = (p + z**2 / (2 * n)) / den
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return mid - half, mid + half


def _display_edges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges for a log axis: the first bin starts at half its top; the open last bin ends at twice its start."""
    lo2 = np.where(lo <= 0, hi / 2, lo)
    hi2 = np.where(np.isinf(hi), lo * 2, hi)
    return lo2, hi2


@_styled
def plot_response(data, *, metric=("sal", "sql"), scenario=None, sla_minutes=None, min_leads=20, ax=None, **style):
    """First-response time on a log axis with the SLA target marked (top), and the share of leads that
    sales accepted (SAL) or qualified (SQL) by how fast they were first touched (bottom).

    `scenario` is one id or a list (several scenarios' distributions are overlaid; their rates are
    pooled).  Rates in bins with fewer than `min_leads` leads are not drawn.  Returns (fig, [top, bottom]).
    """
    st = _style(style)
    resp = response_table(data).copy()
    rates = [metric] if isinstance(metric, str) else list(metric)
    bad = [r for r in rates if r not in ("sal", "sql")]
    if bad:
        raise PlotError(f"response rates {bad} are not available; choose from 'sal' and 'sql'")
    table = _table(data) if not isinstance(data, pd.DataFrame) else None
    all_ids = list(dict.fromkeys(resp["scenario"]))
    if scenario is None:
        if table is not None:
            scenario = [str(table.loc[table["baseline"].astype(bool), "scenario"].iloc[0])]
        else:
            scenario = all_ids[:1]
    ids = [scenario] if isinstance(scenario, str) else list(scenario)
    missing = [s for s in ids if s not in all_ids]
    if missing:
        raise PlotError(f"scenarios {missing} have no response data; scenarios: {', '.join(all_ids)}")
    resp = resp[resp["scenario"].isin(ids)]
    pooled = resp.groupby(["bin_lo", "bin_hi"], as_index=False)[["leads", "sal", "sql"]].sum()
    keep = pooled["leads"].to_numpy() > 0
    last = int(np.flatnonzero(keep).max()) + 1 if keep.any() else len(pooled)
    pooled = pooled.iloc[:last]
    lo, hi = _display_edges(pooled["bin_lo"].to_numpy(float), pooled["bin_hi"].to_numpy(float))
    centre = np.sqrt(lo * hi)
    if ax is None:
        fig, axes = plt.subplots(
            2, 1, figsize=st["figsize"] or (8.2, 6.4), sharex=True, layout="constrained", height_ratios=[1, 1.1]
        )
    else:
        axes = np.asarray(ax, dtype=object).ravel()
        if len(axes) != 2:
            raise PlotError("plot_response draws two panels; give ax as a pair of Axes (top, bottom)")
        fig = axes[0].figure
    top, bottom = axes
    wide = wide_means(table) if table is not None else None
    shown = wide[wide["scenario"].isin(ids)] if wide is not None else None
    levers = [k for k in levers_of(table) if shown[k].nunique() > 1] if shown is not None else []
    # Scenario colours avoid blue and vermillion, which mean SAL and SQL in the lower panel.
    palette = [c for c in st["colors"] if c not in (OKABE_ITO[0], OKABE_ITO[1])] or list(st["colors"])
    log_lo, log_hi = np.log(lo.min()), np.log(hi.max())
    names = {}
    for i, sid in enumerate(ids):
        part = resp[resp["scenario"] == sid].groupby(["bin_lo", "bin_hi"], as_index=False)["leads"].sum()
        share = part["leads"].to_numpy(float)[:last] / max(part["leads"].sum(), 1)
        color = palette[i % len(palette)]
        row = shown[shown["scenario"] == sid] if shown is not None else None
        names[sid] = scenario_name(row.iloc[0], levers) if levers and not row.empty else "first-touched leads"
        if len(ids) == 1:
            top.bar(lo, share, width=hi - lo, align="edge", color=OKABE_ITO[5], ec="white", lw=0.8, label=names[sid])
        else:
            top.stairs(
                share,
                np.append(lo, hi[-1]),
                color=color,
                lw=2,
                ls=LINESTYLES[i % len(LINESTYLES)],
                label=names[sid],
                baseline=None,
            )
        sla = sla_minutes
        if sla is None and wide is not None and "sla_minutes" in wide:
            sla = float(wide.loc[wide["scenario"] == sid, "sla_minutes"].iloc[0])
        if sla is not None and np.isfinite(sla):
            edges = part["bin_hi"].to_numpy(float)
            within = ""
            if np.isclose(edges, sla).any():
                k = int(np.flatnonzero(np.isclose(edges, sla))[0])
                within = f": {part['leads'].iloc[: k + 1].sum() / max(part['leads'].sum(), 1) * 100:.0f} % within"
            line_color = "black" if len(ids) == 1 else color
            top.axvline(sla, color=line_color, ls="--", lw=1.4, zorder=4)
            bottom.axvline(sla, color="0.35", ls=":", lw=1.2, zorder=1)
            right = (np.log(sla) - log_lo) / (log_hi - log_lo or 1) > 0.6
            top.annotate(
                f"SLA {fmt_duration(sla)}{within}",
                xy=(sla, 1),
                xycoords=("data", "axes fraction"),
                ha="right" if right else "left",
                xytext=(-4 if right else 4, -4 - 13 * i),
                textcoords="offset points",
                va="top",
                fontsize=8.5,
                color=line_color,
                bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1},
            )
    top.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0, symbol=" %"))
    top.set_ylabel("Share of first-touched leads (%)")
    top.grid(True, axis="y")
    if len(ids) > 1:
        top.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    n = pooled["leads"].to_numpy(float)
    styles = {
        "sal": ("accepted by sales (SAL)", OKABE_ITO[0], "o", "-"),
        "sql": ("qualified (SQL)", OKABE_ITO[1], "s", "--"),
    }
    for r in rates:
        k = pooled[r].to_numpy(float)
        ok = n >= min_leads
        p = np.where(ok, k / np.where(n > 0, n, 1), np.nan)
        cl, ch = _wilson(k, n)
        name, color, marker, ls = styles[r]
        bottom.plot(centre, p, color=color, marker=marker, ls=ls, lw=2, ms=6, label=name, zorder=3)
        bottom.fill_between(centre, np.where(ok, cl, np.nan), np.where(ok, ch, np.nan), color=color, alpha=0.15, lw=0)
    bottom.set_ylim(0, 1)
    bottom.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0, symbol=" %"))
    bottom.set_ylabel("Share of those leads (%)")
    bottom.grid(True, axis="y")
    bottom.legend(loc="upper right")
    bottom.set_xscale("log")
    ticks = [t for t in DURATION_TICKS if lo.min() <= t <= hi.max()]
    bottom.xaxis.set_major_locator(FixedLocator(ticks))
    bottom.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt_duration(x)))
    bottom.xaxis.set_minor_locator(NullLocator())
    bottom.set_xlim(lo.min(), hi.max())
    bottom.set_xlabel("Time from MQL to first touch (calendar time, nights and weekends included; log scale)")
    bottom.set_title("Conversion by response time (band: 95 % CI)", loc="left", fontsize=10)
    total = int(n.sum())
    reps = resp["replication"].nunique()
    pool = f"pooled over {reps} replications" if reps > 1 else "one run"
    if len(ids) > 1:
        pool += f" and {len(ids)} scenarios"
    note = f"{total:,} first-touched leads, {pool}; rates hidden where a bin has < {min_leads} leads"
    _titles(top, st["title"], st["note"], "How fast sales first touches a lead, and what it does to conversion", note)
    return fig, axes


# ----------------------------------------------------------------------------- efficient frontier


def _place_labels(ax, xs, ys, texts, obstacles, fontsize: float = 8) -> None:
    """Put short labels next to their points where they overlap neither each other nor any point,
    trying spots further out until one is free; labels placed further out get a thin leader line."""
    fig = ax.figure
    fig.draw_without_rendering()
    to_pt = 72 / fig.dpi
    pts = ax.transData.transform(np.column_stack([xs, ys])) * to_pt
    boxes = [(x - 5, y - 5, x + 5, y + 5) for x, y in ax.transData.transform(obstacles) * to_pt]
    angles = np.deg2rad([45, -45, 135, -135, 0, 180, 90, -90])
    spots = [(r * np.cos(a), r * np.sin(a)) for r in (8, 14, 21, 29, 38, 48) for a in angles]

    def free(b):
        return all(b[2] <= o[0] or b[0] >= o[2] or b[3] <= o[1] or b[1] >= o[3] for o in boxes)

    for x, y, (px, py), text in zip(xs, ys, pts, texts, strict=True):
        w, h = 0.62 * fontsize * len(text) + 2, 1.1 * fontsize
        for dx, dy in spots:
            cx = dx + (w / 2 if dx > 0.1 else -w / 2 if dx < -0.1 else 0)
            box = (px + cx - w / 2, py + dy - h / 2, px + cx + w / 2, py + dy + h / 2)
            if free(box):
                break
        boxes.append(box)
        line = {"arrowstyle": "-", "color": "0.45", "lw": 0.6, "shrinkA": 1, "shrinkB": 3}
        ax.annotate(
            text,
            xy=(x, y),
            xytext=(cx, dy),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=fontsize,
            fontweight="bold",
            color="0.1",
            arrowprops=line if math.hypot(dx, dy) > 12 else None,
        )


def pareto_front(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the points no other point beats on both fewer hours (x) and more revenue (y), by rising x."""
    order = np.lexsort((-y, x))
    front, best = [], -np.inf
    for i in order:
        if np.isfinite(y[i]) and y[i] > best:
            front.append(i)
            best = y[i]
    return np.array(front, dtype=int)


@_styled
def plot_frontier(data, *, metric="revenue", x="rep_hours", ax=None, **style):
    """Revenue against rep hours across scenarios, with the efficient frontier (no scenario earns more
    with fewer hours) drawn through the best ones.  Error bars: 95 % CI on both axes."""
    st = _style(style)
    table = _table(data)
    _metric_rows(table, metric)
    _metric_rows(table, x)
    wide = wide_means(table)
    stats = table.set_index(["scenario", "metric"])
    levers = [k for k in levers_of(table) if wide[k].nunique() > 1]

    def ci(m):
        s = stats.xs(m, level="metric").reindex(wide["scenario"])
        return s["mean"].to_numpy(float), s["ci_low"].to_numpy(float), s["ci_high"].to_numpy(float)

    xm, xl, xh = ci(x)
    ym, yl, yh = ci(metric)
    front = pareto_front(xm, ym)
    on = np.zeros(len(wide), bool)
    on[front] = True
    fig, ax = _axes(ax, st["figsize"] or (8.6, 5.4))
    if (~on).any():
        ax.errorbar(
            xm[~on],
            ym[~on],
            xerr=[xm[~on] - xl[~on], xh[~on] - xm[~on]],
            yerr=[ym[~on] - yl[~on], yh[~on] - ym[~on]],
            fmt="o",
            color=GREY,
            mfc="white",
            ms=6,
            elinewidth=0.8,
            capsize=0,
            label="other scenarios",
            zorder=2,
        )
    ax.errorbar(
        xm[on],
        ym[on],
        xerr=[xm[on] - xl[on], xh[on] - xm[on]],
        yerr=[ym[on] - yl[on], yh[on] - ym[on]],
        fmt="D",
        color=OKABE_ITO[0],
        ms=7,
        elinewidth=1,
        capsize=0,
        label="on the efficient frontier",
        zorder=4,
    )
    ax.plot(xm[front], ym[front], color=OKABE_ITO[0], ls="--", lw=1.5, zorder=3, drawstyle="steps-post")
    base = np.flatnonzero(wide["baseline"].to_numpy())
    if len(wide) > 1 and len(base):
        b = base[0]
        ax.plot(
            xm[b],
            ym[b],
            marker="*",
            color=OKABE_ITO[1],
            ms=16,
            ls="none",
            mec="black",
            mew=0.6,
            label="baseline",
            zorder=5,
        )
    # Number the frontier scenarios (and the baseline) by falling revenue; the key beside the plot names them.
    label_idx = sorted(front, key=lambda i: -ym[i]) + [i for i in base if i not in front and len(wide) > 1]
    xlabel, xkind = metric_info(x)
    label, kind = metric_info(metric)
    key = []
    for k, i in enumerate(label_idx, 1):
        name = scenario_name(wide.iloc[i], levers) if levers else str(wide.iloc[i]["label"])
        key.append(f"{k}. {name}: {fmt_value(ym[i], kind, currency=st['currency'])}")
    set_value_axis(ax.xaxis, xkind, st["currency"])
    set_value_axis(ax.yaxis, kind, st["currency"])
    ax.set_xlabel(axis_label(x, st["currency"]))
    ax.set_ylabel(axis_label(metric, st["currency"]))
    ax.grid(True)
    main = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), title="Scenarios", alignment="left")
    if key:
        ax.add_artist(main)
        blank = [Line2D([], [], ls="none")] * len(key)
        ax.legend(
            blank,
            key,
            loc="upper left",
            bbox_to_anchor=(1.01, 0.72),
            title="Numbered on the plot",
            alignment="left",
            handlelength=0,
            handletextpad=0,
            fontsize=8,
        )
    pad = (np.nanmax(xh) - np.nanmin(xl)) * 0.06 or max(abs(np.nanmax(xm)) * 0.05, 1)
    ax.set_xlim(np.nanmin(xl) - pad, np.nanmax(xh) + pad)
    note = _replications(table) + "; on the frontier: no other scenario earns more with fewer hours; bars: 95 % CI"
    if np.nanmax(xm) - np.nanmin(xm) <= 1e-9 * max(abs(np.nanmax(xm)), 1):
        note += f"; {xlabel.lower()} are the same in every scenario"
    elif x in MEANINGS:
        note += f"; {lower_first(xlabel)}: {MEANINGS[x]}"
    title = f"{label} against {lower_first(xlabel)}: the efficient frontier"
    _titles(ax, st["title"], st["note"], title, note)
    _place_labels(ax, xm[label_idx], ym[label_idx], [str(k) for k in range(1, len(label_idx) + 1)], np.c_[xm, ym])
    return fig, ax


# ----------------------------------------------------------------------------- daily series


@_styled
def plot_daily(data, *, metric=("mqls", "pipeline", "revenue"), window=7, ax=None, **style):
    """A run's daily series, one panel per metric: flows as daily bars with a `window`-day mean,
    stocks as lines, revenue as its cumulative sum.  Returns (fig, axes) with one Axes per metric."""
    st = _style(style)
    if isinstance(data, RunResults):
        daily = data.daily
    elif isinstance(data, pd.DataFrame) and "day" in data.columns:
        daily = data
    elif isinstance(data, SweepResults):
        raise PlotError("daily series exist only in run folders; a sweep keeps one summary per run")
    else:
        raise PlotError(f"plot_daily needs run results or a daily table; got {type(data).__name__}")
    names = [metric] if isinstance(metric, str) else list(metric)
    bad = [m for m in names if m not in daily.columns]
    if bad:
        known = [c for c in daily.columns if c != "day"]
        raise PlotError(f"daily columns {bad} are not in the run; columns: {', '.join(known)}")
    if ax is None:
        fig, axes = plt.subplots(
            len(names), 1, sharex=True, layout="constrained", figsize=st["figsize"] or (8.6, 1.2 + 1.9 * len(names))
        )
        axes = np.atleast_1d(axes)
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
        if len(axes) != len(names):
            raise PlotError(f"plot_daily draws {len(names)} panels; give {len(names)} Axes, got {len(axes)}")
        fig = axes[0].figure
    day = daily["day"].to_numpy()
    for i, (m, a) in enumerate(zip(names, axes, strict=True)):
        label, kind, how = DAILY.get(m, (m.replace("_", " ").capitalize(), "number", "flow"))
        y = daily[m].to_numpy(float)
        color = st["colors"][i % len(st["colors"])]
        if how == "flow":
            a.bar(day, y, width=1.0, color=color, alpha=0.3, lw=0, label="per day")
            roll = pd.Series(y).rolling(window, min_periods=1).mean()
            a.plot(day, roll, color=color, lw=2, label=f"{window}-day mean")
            a.legend(loc="upper left", ncol=2)
        elif how == "cumulative":
            a.fill_between(day, np.cumsum(y), color=color, alpha=0.15, lw=0)
            a.plot(day, np.cumsum(y), color=color, lw=2)
        else:
            a.plot(day, y, color=color, lw=2)
        a.set_title(label, loc="left", fontsize=10)
        unit = (st["currency"] or "currency") if kind == "currency" else kind
        a.set_ylabel(f"{unit} per day" if how == "flow" else unit)
        set_value_axis(a.yaxis, kind, st["currency"])
        a.set_ylim(bottom=0)
        a.grid(True, axis="y")
    axes[-1].set_xlabel("Day of the simulation")
    axes[-1].set_xlim(day.min() - 0.5, day.max() + 0.5)
    who = data.config.get("scenario", "") if isinstance(data, RunResults) else ""
    note = f"{len(day):,} days" + (f"; scenario {who}" if who else "")
    if isinstance(data, RunResults) and data.seeds:
        note += f"; seed {data.seeds['seed']}"
    _suptitle(fig, axes, st["title"], st["note"], "The run day by day", note)
    return fig, axes


PLOTS = {
    "whatif": plot_whatif,
    "heatmap": plot_heatmap,
    "forest": plot_forest,
    "waterfall": plot_waterfall,
    "rep_time": plot_rep_time,
    "response": plot_response,
    "frontier": plot_frontier,
    "daily": plot_daily,
}

__all__ = [
    "PlotError",
    "ResultsError",
    "fmt_value",
    "metric_info",
    *(fn.__name__ for fn in PLOTS.values()),
]
