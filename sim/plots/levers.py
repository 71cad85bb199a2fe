"""Exhibits over the levers of a sweep: what-if curves, heatmaps and forest plots of paired differences."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from sim.plots.labels import (
    axis_label,
    fmt_value,
    lever_label,
    lever_name,
    lever_value,
    lower_first,
    metric_info,
    scenario_name,
    set_value_axis,
)
from sim.plots.style import (
    GREY,
    LINESTYLES,
    MARKERS,
    OKABE_ITO,
    PlotError,
    _axes,
    _fix_others,
    _is_number,
    _legend_below,
    _lever_titles,
    _metric_rows,
    _panels,
    _replications,
    _roles,
    _set_lever_axis,
    _signed_pct,
    _sorted_values,
    _style,
    _styled,
    _table,
    _titles,
)
from sim.results_io import (
    levers_of,
)

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
