"""Figures of an explore folder: tornado and index bars (sensitivity), Pareto front (optimize),
regret ranking (robust) and the PRIM peeling trajectory (discover).  Okabe-Ito colours."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

BLUE, ORANGE, GREEN, VERMILION, SKY, PURPLE, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#999999",
)


def _fmt(v: float) -> str:
    a = abs(v)
    return f"{v / 1e6:.2f} M" if a >= 1e6 else f"{v / 1e3:.1f} k" if a >= 1e4 else f"{v:.3g}"


def _axis_fmt(ax, which: str = "x") -> None:
    """Thousands and millions as k and M on an axis."""
    from matplotlib.ticker import FuncFormatter

    (ax.xaxis if which == "x" else ax.yaxis).set_major_formatter(FuncFormatter(lambda v, _: _fmt(v)))


def tornado_data(means: pd.DataFrame, factors, outcome: str, share: float = 0.2) -> pd.DataFrame:
    """Per factor: the outcome's mean over the samples in the lowest and the highest `share` of its range."""
    rows = []
    for f in factors:
        x = means[f.key]
        if f.choices is not None:
            codes = x.map({c: i for i, c in enumerate(f.choices)})
            lo, hi = means.loc[codes == 0, outcome].mean(), means.loc[codes == len(f.choices) - 1, outcome].mean()
            lo_l, hi_l = str(f.choices[0]), str(f.choices[-1])
        else:
            q_lo, q_hi = x.quantile(share), x.quantile(1 - share)
            lo, hi = means.loc[x <= q_lo, outcome].mean(), means.loc[x >= q_hi, outcome].mean()
            lo_l, hi_l = "low", "high"
        rows.append({"factor": f.key, "low": lo, "high": hi, "low_label": lo_l, "high_label": hi_l})
    df = pd.DataFrame(rows)
    df["swing"] = (df["high"] - df["low"]).abs()
    return df.sort_values("swing").reset_index(drop=True)


def plot_tornado(means: pd.DataFrame, factors, outcome: str):
    """One-way swings: the outcome's mean when each factor sits in the bottom vs top fifth of its range."""
    df = tornado_data(means, factors, outcome)
    centre = float(means[outcome].mean())
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(df) + 1.6))
    y = np.arange(len(df))
    ax.barh(y, df["low"] - centre, left=centre, color=SKY, edgecolor="black", hatch="//", label="factor low")
    ax.barh(y, df["high"] - centre, left=centre, color=ORANGE, edgecolor="black", label="factor high")
    ax.axvline(centre, color="black", lw=1)
    names = [
        f"{r.factor} ({r.low_label} / {r.high_label})" if r.low_label != "low" else r.factor for r in df.itertuples()
    ]
    ax.set_yticks(y, names)
    _axis_fmt(ax)
    ax.set_xlabel(f"mean {outcome} with the factor in the bottom / top fifth of its range")
    ax.set_title(f"Tornado: {outcome}\n(centre line {_fmt(centre)}: mean of all samples)", fontsize=11)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig, ax


def plot_indices(table: pd.DataFrame, outcome: str, method: str):
    """Sobol S1 and ST (or Morris mu* and sigma) per factor with their bootstrap intervals."""
    df = table[table["outcome"] == outcome]
    pair = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
    labels = {"S1": "first order S1", "ST": "total ST", "mu_star": "mu* (mean |effect|)", "sigma": "sigma"}
    order = df[df["index"] == pair[1 if method == "sobol" else 0]].sort_values("value")["factor"].tolist()
    fig, ax = plt.subplots(figsize=(7.5, 0.6 * len(order) + 1.6))
    y = np.arange(len(order))
    for k, (idx, colour, hatch) in enumerate(zip(pair, (BLUE, VERMILION), ("", ".."), strict=True)):
        d = df[df["index"] == idx].set_index("factor").loc[order]
        err = d["conf"].to_numpy() if d["conf"].notna().any() else None
        ax.barh(
            y + (k - 0.5) * 0.38,
            d["value"],
            height=0.38,
            color=colour,
            edgecolor="black",
            hatch=hatch,
            xerr=err,
            capsize=3,
            label=labels[idx],
        )
    ax.set_yticks(y, order)
    ax.axvline(0, color="black", lw=0.8)
    if method == "sobol":
        ax.set_xlabel("share of the outcome's variance (bars: 95 % bootstrap interval)")
    else:
        ax.set_xlabel(f"elementary effect on {outcome} per full range of the factor")
    ax.set_title(f"{'Sobol indices' if method == 'sobol' else 'Morris screening'}: {outcome}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig, ax


def plot_pareto(trials: pd.DataFrame, objectives: list[dict], confirmed: pd.DataFrame | None = None):
    """Trials in the plane of the first two objectives (or objective against trial), the Pareto front marked."""
    fig, ax = plt.subplots(figsize=(7.5, 5))
    feas = trials["feasible"]
    m0 = objectives[0]["metric"]
    if len(objectives) >= 2:
        m1 = objectives[1]["metric"]
        ax.scatter(trials.loc[~feas, m1], trials.loc[~feas, m0], marker="x", color=GREY, label="breaks a constraint")
        ax.scatter(
            trials.loc[feas, m1],
            trials.loc[feas, m0],
            marker="o",
            facecolor="none",
            edgecolor=BLUE,
            label="feasible trial",
        )
        front = trials[trials["pareto"]].sort_values(m1)
        ax.plot(front[m1], front[m0], "-s", color=VERMILION, label="Pareto front")
        if confirmed is not None and len(confirmed):
            ax.errorbar(
                confirmed[f"{m1}.mean"],
                confirmed[f"{m0}.mean"],
                yerr=confirmed[f"{m0}.ci"],
                xerr=confirmed[f"{m1}.ci"],
                fmt="D",
                color=GREEN,
                capsize=3,
                label="confirmed (95 % CI)",
            )
        ax.set_xlabel(f"{m1} ({objectives[1]['direction']})")
    else:
        ax.scatter(
            trials.loc[~feas, "trial"], trials.loc[~feas, m0], marker="x", color=GREY, label="breaks a constraint"
        )
        ax.scatter(
            trials.loc[feas, "trial"],
            trials.loc[feas, m0],
            marker="o",
            facecolor="none",
            edgecolor=BLUE,
            label="feasible trial",
        )
        best = trials[feas][m0].cummax() if objectives[0]["direction"] == "maximize" else trials[feas][m0].cummin()
        ax.step(trials.loc[feas, "trial"], best, where="post", color=VERMILION, label="best so far")
        if confirmed is not None and len(confirmed):
            ax.errorbar(
                confirmed["trial"],
                confirmed[f"{m0}.mean"],
                yerr=confirmed[f"{m0}.ci"],
                fmt="D",
                color=GREEN,
                capsize=3,
                label="confirmed (95 % CI)",
            )
        ax.set_xlabel("trial")
    ax.set_ylabel(f"{m0} ({objectives[0]['direction']})")
    _axis_fmt(ax, "y")
    if len(objectives) >= 2:
        _axis_fmt(ax)
    ax.set_title("Optimisation trials (means over common-random-number replications)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig, ax


def plot_regret(table: pd.DataFrame, outcome: str):
    """Policies ranked by worst-case regret, with the 90th-percentile regret beside it."""
    df = table.sort_values("regret_max", ascending=False)
    fig, ax = plt.subplots(figsize=(7.5, 0.6 * len(df) + 1.8))
    y = np.arange(len(df))
    ax.barh(y + 0.19, df["regret_max"], height=0.38, color=VERMILION, edgecolor="black", label="worst-case regret")
    ax.barh(
        y - 0.19,
        df["regret_p90"],
        height=0.38,
        color=BLUE,
        edgecolor="black",
        hatch="//",
        label="90th-percentile regret",
    )
    for i, (_, r) in enumerate(df.iterrows()):
        ax.text(r["regret_max"], i + 0.19, f" {_fmt(r['regret_max'])}", va="center", fontsize=8)
    ax.set_yticks(y, df["policy"])
    _axis_fmt(ax)
    ax.set_xlabel(f"regret in {outcome}: shortfall against the best policy in the same future")
    ax.set_title("Robustness over sampled futures (best policy at the top)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig, ax


def plot_peeling(traj: pd.DataFrame, chosen: int):
    """PRIM's peeling trajectory: density against coverage, coloured by the box's number of restricted factors."""
    fig, ax = plt.subplots(figsize=(7, 5))
    top = int(traj["res_dim"].max())
    cmap = plt.get_cmap("viridis", top + 1)
    sc = ax.scatter(
        traj["coverage"],
        traj["density"],
        c=traj["res_dim"],
        cmap=cmap,
        vmin=-0.5,
        vmax=top + 0.5,
        edgecolor="black",
        s=30,
    )
    ax.plot(traj["coverage"], traj["density"], color=GREY, lw=0.8, zorder=0)
    ax.scatter(
        [traj.loc[chosen, "coverage"]],
        [traj.loc[chosen, "density"]],
        marker="*",
        s=260,
        facecolor="none",
        edgecolor=VERMILION,
        lw=2,
        label=f"chosen box (step {chosen})",
    )
    fig.colorbar(sc, ax=ax, label="restricted factors", ticks=range(top + 1))
    ax.set_xlabel("coverage: share of all failing futures inside the box")
    ax.set_ylabel("density: share of futures inside the box that fail")
    ax.set_title("PRIM peeling trajectory")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig, ax
