"""Series over time: a run's daily series, and revenue month by month (when a move's gains arrive)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.plots.labels import DAILY, fmt_value, scenario_name, set_value_axis
from sim.plots.style import LINESTYLES, MARKERS, OKABE_ITO, PlotError, _style, _styled, _suptitle
from sim.results_io import (
    RunResults,
    SweepResults,
)

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


WARMUP_DAYS = 90  # about one mean sales cycle: the pipeline fills from empty, so revenue is low at first


def _t95(n: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.975, n - 1)) if n > 1 else float("nan")


def _month_columns(runs: pd.DataFrame) -> list[str]:
    return sorted(c for c in runs.columns if c.startswith("revenue_by_month."))


@_styled
def plot_monthly(data, *, metric="revenue", scenario=None, warmup_days=WARMUP_DAYS, ax=None, **style):
    """When gains arrive: revenue booked per 30-day month for today and another scenario (top), and the paired
    monthly difference with its 95 % interval (bottom).  The warm-up months, while pipelines fill from empty,
    are shaded; they count in every total.  Returns (fig, [top axes, bottom axes])."""
    from sim.plots.funnel import _scenario_pair

    st = _style(style)
    if metric != "revenue":
        raise PlotError("plot_monthly draws revenue by month; metric='revenue'")
    if isinstance(data, RunResults):
        daily = data.daily
        rev = daily["revenue"].to_numpy(float)
        months = [rev[k : k + 30].sum() for k in range(0, len(rev), 30)]
        series = {"this run": (np.array(months), None, None)}
        diff = None
        note = "one run"
    elif isinstance(data, SweepResults):
        runs = data.runs[data.runs["status"] == "ok"]
        cols = _month_columns(runs)
        if not cols:
            raise PlotError("these results have no revenue_by_month; re-run them with this funnelsim version")
        pair = _scenario_pair(data.scenarios, scenario)
        levers = [k for k in data.levers if data.scenarios[k].nunique() > 1]
        series = {}
        per = {}
        for i, r in enumerate(pair):
            sub = runs[runs["scenario"] == r["scenario"]].set_index("replication")[cols]
            per[i] = sub
            name = ("today: " if i == 0 else "") + scenario_name(r, levers)
            series[name] = (sub.mean().to_numpy(float), None, None)
        diff = None
        if len(pair) > 1:
            d = (per[1] - per[0].reindex(per[1].index)).dropna()
            n = len(d)
            m = d.mean().to_numpy(float)
            half = _t95(n) * d.std(ddof=1).to_numpy(float) / np.sqrt(n) if n > 1 else np.full(len(cols), np.nan)
            diff = (m, half)
        note = f"mean of {int(runs.groupby('scenario').size().max())} replications"
    else:
        raise PlotError(f"plot_monthly needs run or sweep results; got {type(data).__name__}")
    n_months = len(next(iter(series.values()))[0])
    x = np.arange(1, n_months + 1)
    rows = 2 if diff is not None else 1
    if ax is None:
        fig, axes = plt.subplots(
            rows,
            1,
            sharex=True,
            layout="constrained",
            figsize=st["figsize"] or (10.5, 3.2 + 2.6 * (rows - 1)),
            squeeze=False,
        )
        axes = list(axes[:, 0])
    else:
        axes = list(np.atleast_1d(np.asarray(ax, dtype=object)).ravel())
        fig = axes[0].figure
    cur = st["currency"]
    top = axes[0]
    for i, (name, (y, _, _)) in enumerate(series.items()):
        top.plot(x, y, color=OKABE_ITO[i], ls=LINESTYLES[i], marker=MARKERS[i], ms=4, lw=1.8, label=name)
    top.set_ylabel(f"Revenue per month ({cur or 'currency'})")
    set_value_axis(top.yaxis, "currency", cur)
    top.set_ylim(bottom=0)
    top.grid(True, axis="y")
    top.legend(loc="lower right")
    warm = warmup_days / 30.0
    for a in axes:
        a.axvspan(0.5, 0.5 + warm, color="0.92", lw=0, zorder=0)
    top.text(0.6, top.get_ylim()[1] * 0.97, "warm-up: pipelines fill from empty", va="top", fontsize=8, color="0.35")
    title = "Revenue month by month"
    if diff is not None:
        m, half = diff
        b = axes[1]
        colors = [OKABE_ITO[2] if v >= 0 else OKABE_ITO[1] for v in m]
        b.bar(x, m, 0.7, color=colors, yerr=half, error_kw={"elinewidth": 0.8, "ecolor": "0.3", "capsize": 2})
        b.axhline(0, color="0.3", lw=0.8)
        b.set_ylabel(f"Difference ({cur or 'currency'})")
        set_value_axis(b.yaxis, "currency", cur, signed=True)
        b.grid(True, axis="y")
        b.set_title("Paired difference from today per month, with 95 % intervals", loc="left", fontsize=10)
        settled = m[int(np.ceil(warm)) :]
        if settled.size:
            title = (
                f"When gains arrive: {fmt_value(float(np.mean(settled)), 'currency', currency=cur, signed=True)} "
                "a month after the warm-up"
            )
    axes[-1].set_xlabel("Month of the run (30 days)")
    axes[-1].set_xlim(0.5, n_months + 0.5)
    note += f"; the first {warmup_days} days (shaded) are warm-up and count in every total"
    _suptitle(fig, axes, st["title"], st["note"], title, note)
    return fig, axes
