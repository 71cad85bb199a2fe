"""Shared styling of every exhibit: palette, rc settings, titles, legends and lever-axis plumbing."""

from __future__ import annotations

import contextvars
import functools
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import cbook
from matplotlib.ticker import NullLocator

from sim.plots.labels import lever_label, lever_name, lever_value, lower_first
from sim.results_io import (
    scenario_table,
)

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
    "text.parse_math": False,  # money such as "$1.2 M to $3.4 M" is text, not TeX
}


class PlotError(ValueError):
    """A plot request the results cannot answer (unknown metric, lever or scenario); the message lists what exists."""


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


# The money and period line every exhibit carries under its title (set by `sim.plots.plan.render`).
EXHIBIT_NOTE: contextvars.ContextVar[str] = contextvars.ContextVar("exhibit_note", default="")


def _with_exhibit_note(note: str) -> str:
    extra = EXHIBIT_NOTE.get()
    return f"{note}; {extra[:1].lower() + extra[1:]}" if note and extra else (note or extra)


def _wrap_kw(fig, text: str, fontsize: float) -> tuple[str, dict]:
    """matplotlib's own wrapping measures text with two '$' as TeX (e.g. '$1 M to $2 M') and fails, so such
    text is wrapped here by characters instead; other text wraps at the figure's edge."""
    if not cbook.is_math_text(text):
        return text, {"wrap": True}
    chars = max(20, int(fig.get_figwidth() * 72 * 0.9 / (fontsize * 0.56)))
    return "\n".join(textwrap.wrap(text, chars)), {}


def _titles(ax, title: str | None, note: str | None, default_title: str, default_note: str = "") -> None:
    """Bold title and a grey explanatory note above the axes, left-aligned; both wrap at the figure's edge.

    The title sits on top of the note whatever its number of lines, so they never overlap.
    """
    title = default_title if title is None else title
    note = _with_exhibit_note(default_note if note is None else note)
    anchor, gap = "axes fraction", 6
    if note:
        note, kw = _wrap_kw(ax.figure, note, 8.5)
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
            **kw,
        )
        gap = 3
    if title:
        title, kw = _wrap_kw(ax.figure, title, 11.5)
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
            gid="title",
            **kw,
        )


def _suptitle(fig, axes, title, note, default_title, default_note) -> None:
    """Figure title for plots with several panels, with the note on the lines under it.

    The title gets blank lines for the note, so the layout keeps room for both; the note itself stays out
    of the layout (as a wide label of the first panel it would squeeze that panel)."""
    title = default_title if title is None else title
    note = _with_exhibit_note(default_note if note is None else note)
    if note:
        chars = max(40, int(fig.get_figwidth() * 72 * 0.95 / (8.5 * 0.53)))
        note = "\n".join(textwrap.wrap(note, chars))
    if title:
        lines = note.count("\n") + 1 if note else 0
        sup = fig.suptitle(title + "\n" * lines, x=0.01, ha="left", va="top", fontweight="bold", fontsize=11.5)
    if not note:
        return
    if title:
        axes[0].annotate(
            note,
            xy=(0, 1),
            xycoords=sup,
            xytext=(0, -17),
            textcoords="offset points",
            va="top",
            ha="left",
            fontsize=8.5,
            color="0.3",
            linespacing=1.2,
            annotation_clip=False,
        ).set_in_layout(False)
    else:
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
