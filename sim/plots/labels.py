"""Names, units and number formats of every metric, lever, stage and activity for the exhibits.

Metric, stage, activity and daily-column labels come from the catalog (`sim.catalog`); lever
labels and number formats live here; every exhibit and table reads its words from this module."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, Locator, MaxNLocator, NullLocator, PercentFormatter

from sim import catalog

FUNNEL_STAGES = ("inquiry", "mql", "sal", "sql", "opportunity", "won")
SIDE_EXITS = ("rejected", "recycled", "disqualified", "never_touched")
ACTIVITIES = ("lead_followup", "opportunity", "prospecting", "admin", "idle")
STAGE_NAMES = {k: e.label for k, e in catalog.STAGES.items() if k not in ("known", "none")}
ACTIVITY_NAMES = {k: catalog.ACTIVITIES[k].label for k in ACTIVITIES}
ACTIVITY_STYLE = {  # colour and hatching per activity: selling in strong colours, idle in light grey
    "lead_followup": ("#0072B2", ""),
    "opportunity": ("#009E73", "//"),
    "prospecting": ("#E69F00", ".."),
    "admin": ("#CC79A7", "xx"),
    "idle": ("#DDDDDD", ""),
}

# Metric name -> (label, kind); kind sets the number format and the unit on the axis (from sim.catalog).
METRICS = {k: (e.label, e.kind) for k, e in catalog.METRICS.items()}
GROUPS = catalog.GROUPS
UNITS = {"share": "%", "minutes": "", "hours": "hours", "days": "days", "ratio": "×"}

# Daily columns: label, kind and whether the series is a flow (per day) or a stock (level at day end).
DAILY = {k: (e.label, e.kind, e.series) for k, e in catalog.DAILY.items()}

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
    "sales.calendar": ("Coverage hours", "{} coverage"),
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
    if kind == "ratio":
        return f"{sign}{a:.2f}×"
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


def period_text(days: float) -> str:
    """The simulated period in words, for every figure and table that shows totals: 'over 2 years (730 days)'."""
    if days is None or not np.isfinite(days):
        return "over the simulated period"
    d = int(round(float(days)))
    if d >= 365 and d % 365 == 0:
        y = d // 365
        return f"over {y} year{'s' if y != 1 else ''} ({d:,} days)"
    return f"over {d:,} days"


def footer_text(currency: str, days: float) -> str:
    """The line under every exhibit: what money is counted in and over which period."""
    parts = [f"money in {currency}"] if currency else []
    if days is not None and np.isfinite(days):
        parts.append(f"totals {period_text(days)} per run")
    return "; ".join(parts).capitalize()
