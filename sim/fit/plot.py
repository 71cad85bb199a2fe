"""The fit's pictures: every target against the fitted model with 95 % intervals, and the posterior samples."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def plot_comparison(comp: pd.DataFrame, path: Path | None = None):
    """One row per target, scaled by the target's value: the export (black) and the model (blue).
    A target of zero has no ratio: it is listed under the axis with both values instead."""
    zero = comp[comp["target"] == 0]
    comp = comp[comp["target"] != 0].reset_index(drop=True)
    n = len(comp)
    fig, ax = plt.subplots(figsize=(8, 0.32 * n + 1.2 + 0.2 * len(zero)))
    y = np.arange(n)[::-1]
    scale = np.abs(comp["target"]).to_numpy()
    for off, (col, colour, marker, label) in zip(
        (0.15, -0.15),
        (("target", "black", "o", "export (95 % sampling interval)"), ("model", "#0072B2", "s", "fitted model (95 %)")),
        strict=True,
    ):
        val = comp[col] / scale
        lo, hi = comp[f"{col}_ci_low"] / scale, comp[f"{col}_ci_high"] / scale
        ax.errorbar(val, y + off, xerr=[val - lo, hi - val], fmt=marker, color=colour, ms=4, capsize=2, label=label)
    bad = ~comp["agrees"].to_numpy()
    ax.set_yticks(y, [f"{nm}{'  *' if b else ''}" for nm, b in zip(comp["name"], bad, strict=True)], fontsize=7)
    ax.axvline(1.0, color="grey", lw=0.6, ls=":")
    xlabel = "relative to the export's value (* = outside the joint sampling error)"
    for r in zero.itertuples():
        xlabel += f"\n{r.name}: export 0, model {r.model:.3g} (not drawn: no ratio to a zero target)"
    ax.set_xlabel(xlabel)
    ax.set_title("Targets from the export against the fitted model")
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig, ax


def plot_posterior(samples: pd.DataFrame, params: pd.DataFrame, path: Path | None = None):
    """Posterior samples as a pairs plot: each parameter's histogram (mean and 95 % interval marked,
    its bounds in the title) on the diagonal, every pair's samples below it; axes span the samples."""
    from matplotlib.ticker import FormatStrFormatter, LogLocator, MaxNLocator, NullFormatter

    names = list(samples.columns)
    d = len(names)
    info = params.set_index("param")
    fig, axes = plt.subplots(d, d, figsize=(max(2.1 * d + 1.0, 6.0), 2.1 * d + 1.2), squeeze=False)

    def span(name: str) -> tuple[float, float]:
        p, x = info.loc[name], samples[name].to_numpy()
        if p.log:
            lo, hi = np.log(x.min()), np.log(x.max())
            pad = 0.1 * (hi - lo) or 0.05
            return max(np.exp(lo - pad), p.low), min(np.exp(hi + pad), p.high)
        pad = 0.1 * (x.max() - x.min()) or 0.05 * (p.high - p.low)
        return max(x.min() - pad, p.low), min(x.max() + pad, p.high)

    def axis(ax, name: str, which: str) -> None:
        lo, hi = span(name)
        getattr(ax, f"set_{which}lim")(lo, hi)
        if info.loc[name].log:
            getattr(ax, f"set_{which}scale")("log")
            a = getattr(ax, f"{which}axis")
            a.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)) if hi > 10 * lo else MaxNLocator(4))
            a.set_major_formatter(FormatStrFormatter("%.3g"))
            a.set_minor_formatter(NullFormatter())

    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.set_axis_off()
                continue
            axis(ax, xj, "x")
            if i == j:
                lo, hi = span(xj)
                bins = np.geomspace(lo, hi, 25) if info.loc[xj].log else np.linspace(lo, hi, 25)
                ax.hist(samples[xj], bins=bins, color="#0072B2", alpha=0.7)
                p = info.loc[xj]
                ax.axvline(p.estimate, color="black", lw=1)
                for v in (p.ci_low, p.ci_high):
                    ax.axvline(v, color="black", lw=0.8, ls="--")
                ax.set_yticks([])
                ax.set_title(f"{xj}\nbounds {p.low:.3g} to {p.high:.3g}", fontsize=7)
            else:
                ax.scatter(samples[xj], samples[yi], s=4, color="#0072B2", alpha=0.5, lw=0)
                ax.plot(info.loc[xj].estimate, info.loc[yi].estimate, "k+", ms=8)
                axis(ax, yi, "y")
            ax.tick_params(which="both", labelsize=6)
            if i == d - 1:
                ax.set_xlabel(xj, fontsize=7)
            else:
                ax.tick_params(axis="x", which="both", labelbottom=False)
            if j == 0 and i > 0:
                ax.set_ylabel(yi, fontsize=7)
            elif i != j:
                ax.tick_params(axis="y", which="both", labelleft=False)
    fig.suptitle(
        "Posterior of the fitted parameters: diagonal, the samples with mean (solid) and 95 % interval\n"
        "(dashed); below, every pair of parameters, + at the means",
        fontsize=8,
    )
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig, axes
