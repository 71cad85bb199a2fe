"""Response-time exhibits: first response against SLA targets, conversion by response time."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from sim.plots.labels import DURATION_TICKS, fmt_duration, scenario_name
from sim.plots.style import LINESTYLES, OKABE_ITO, PlotError, _style, _styled, _table, _titles
from sim.results_io import (
    levers_of,
    response_table,
    wide_means,
)

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
