"""The benchmark's leaderboard: per case and over the whole suite, each metric's mean with a 95 %
interval and its paired difference against the baseline policy (same seeds: common random numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.catalog import METRICS
from sim.sweep.stats import _ci

BOARD = (
    "revenue",
    "sla_met_share",
    "touched_within.1h",
    "selling_time_share",
    "economics.cost_per_opportunity",
    "lead_load.gini",
    "lead_load.cv",
)
SUMMED = {"revenue"}  # over the suite: summed over cases; the others are averaged


def add_derived(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs written before the summary carried economics get cost per opportunity computed the same way."""
    runs = runs.copy()
    if "economics.cost_per_opportunity" not in runs:
        opps = runs["opportunities_by_source.marketing"] + runs["opportunities_by_source.sales"]
        cost = runs["cost.marketing"] + runs["cost.sales"]
        runs["economics.cost_per_opportunity"] = np.where(opps > 0, cost / opps.where(opps > 0, 1), np.nan)
    return runs


def suite_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per policy and replication over all cases: revenue summed, other metrics averaged."""
    agg = {m: ("sum" if m in SUMMED else "mean") for m in BOARD}
    out = runs.groupby(["policy", "replication"], sort=False).agg(agg).reset_index()
    out["case"] = "all"
    return out


def board(runs: pd.DataFrame, policies: list[str], baseline: str) -> pd.DataFrame:
    """Tidy table: case (or 'all'), policy, metric, mean and 95 % interval, paired difference to baseline."""
    frames = [runs[["case", "policy", "replication", *BOARD]], suite_runs(runs)]
    data = pd.concat(frames, ignore_index=True)
    rows = []
    for case, grp in data.groupby("case", sort=False):
        base = grp[grp.policy == baseline].set_index("replication")
        for pol in policies:
            g = grp[grp.policy == pol].set_index("replication")
            common = g.index.intersection(base.index)
            for m in BOARD:
                x = g[m].dropna().to_numpy(dtype=float)
                mean, sd, lo, hi = _ci(x)
                d = (g.loc[common, m] - base.loc[common, m]).dropna().to_numpy(dtype=float)
                dmean, _, dlo, dhi = _ci(d) if len(d) else (np.nan,) * 4
                meta = METRICS[m]
                rows.append(
                    {
                        "case": case,
                        "policy": pol,
                        "baseline": pol == baseline,
                        "metric": m,
                        "label": meta.label,
                        "unit": meta.kind,
                        "higher_is_better": meta.higher_is_better,
                        "n": len(x),
                        "mean": mean,
                        "std": sd,
                        "ci_low": lo,
                        "ci_high": hi,
                        "diff_mean": dmean,
                        "diff_ci_low": dlo,
                        "diff_ci_high": dhi,
                    }
                )
    return pd.DataFrame(rows)


def _fmt(metric: str, x: float) -> str:
    if not np.isfinite(x):
        return "–"
    if metric == "revenue":
        return f"{x / 1e6:.2f} M"
    if metric == "economics.cost_per_opportunity":
        return f"{x:,.0f}"
    if "share" in metric or metric.startswith("touched_within"):
        return f"{x:.1%}"
    return f"{x:.3f}"


def _cell(r, diff: bool) -> str:
    m = r.metric
    if diff:
        if r.baseline:
            return "baseline"
        sign = "+" if r.diff_mean >= 0 else ""
        return f"{sign}{_fmt(m, r.diff_mean)} ({_fmt(m, r.diff_ci_low)} to {_fmt(m, r.diff_ci_high)})"
    return f"{_fmt(m, r['mean'])} ({_fmt(m, r.ci_low)}–{_fmt(m, r.ci_high)})"


def markdown(table: pd.DataFrame, meta: dict) -> str:
    """The leaderboard as Markdown: the suite overall, then revenue per case."""
    base = meta["baseline"]
    lines = [
        f"# Policy benchmark: suite `{meta['suite']}` (version {meta['suite_version']})",
        "",
        f"{meta['key']} = {', '.join(meta['policies'])}; {len(meta['cases'])} cases × {meta['replications']} "
        f"replications (root seed {meta['root_seed']}, common random numbers); funnelsim {meta['funnelsim_version']}.",
        f"Means with 95 % intervals over replications; differences are paired against `{base}`.",
        "",
        "## Whole suite (revenue summed over the cases, other metrics averaged)",
        "",
    ]
    allc = table[table.case == "all"]
    heads = [METRICS[m].label + (" ↑" if METRICS[m].higher_is_better else " ↓") for m in BOARD]
    lines += ["| policy | " + " | ".join(heads) + " |", "|---|" + "---|" * len(BOARD)]
    order = allc[allc.metric == "revenue"].sort_values("mean", ascending=False).policy.tolist()  # best revenue first
    for pol in order:
        cells = [_cell(allc[(allc.policy == pol) & (allc.metric == m)].iloc[0], False) for m in BOARD]
        lines.append(f"| `{pol}` | " + " | ".join(cells) + " |")
    lines += ["", f"## Paired differences against `{base}` (whole suite)", ""]
    lines += ["| policy | " + " | ".join(heads) + " |", "|---|" + "---|" * len(BOARD)]
    for pol in order:
        cells = [_cell(allc[(allc.policy == pol) & (allc.metric == m)].iloc[0], True) for m in BOARD]
        lines.append(f"| `{pol}` | " + " | ".join(cells) + " |")
    lines += ["", f"## Revenue by case: mean, and paired difference against `{base}`", ""]
    cases = [c for c in table.case.unique() if c != "all"]
    lines += ["| case | " + " | ".join(f"`{p}`" for p in order) + " |", "|---|" + "---|" * len(order)]
    for case in cases:
        sub = table[(table.case == case) & (table.metric == "revenue")].set_index("policy")
        cells = []
        for p in order:
            r = sub.loc[p]
            cells.append(
                _fmt("revenue", r["mean"])
                + ("" if r.baseline else f" ({'+' if r.diff_mean >= 0 else ''}{_fmt('revenue', r.diff_mean)})")
            )
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    lines += ["", "Cases:", ""]
    lines += [f"- `{c['name']}`: {c['doc']}" for c in meta["cases"]]
    return "\n".join(lines) + "\n"


def plot(table: pd.DataFrame, meta: dict, path) -> None:
    """One panel per metric: each policy's paired difference against the baseline over the suite, 95 % interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    allc = table[table.case == "all"]
    pols = [p for p in meta["policies"] if p != meta["baseline"]]
    fig, axes = plt.subplots(2, 4, figsize=(14, 6.5), sharey=True)
    names = [p.split(":")[-1] for p in pols]  # a plug-in by its function's name
    for ax, m in zip(axes.flat, BOARD, strict=False):
        sub = allc[allc.metric == m].set_index("policy")
        pct = "share" in m or m.startswith("touched")
        factor = 1e-6 if m == "revenue" else 100.0 if pct else 1.0
        for i, p in enumerate(pols):
            r = sub.loc[p]
            good = METRICS[m].higher_is_better
            better = (r.diff_mean > 0) == bool(good) if good is not None else None
            sig = not (r.diff_ci_low <= 0 <= r.diff_ci_high) and abs(r.diff_mean) > 1e-9
            color = "#2a7" if sig and better else "#c33" if sig else "#888"
            lo = max(r.diff_mean - r.diff_ci_low, 0) * factor
            hi = max(r.diff_ci_high - r.diff_mean, 0) * factor
            ax.errorbar(r.diff_mean * factor, i, xerr=[[lo], [hi]], fmt="o", color=color, capsize=3)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(range(len(pols)), names)
        ax.set_ylim(-0.6, len(pols) - 0.4)
        ax.ticklabel_format(axis="x", style="plain", useOffset=False)
        unit = " (M)" if m == "revenue" else " (percentage points)" if pct else ""
        arrow = "higher is better" if METRICS[m].higher_is_better else "lower is better"
        ax.set_title(f"{METRICS[m].label}{unit}\n{arrow}", fontsize=9)
    for ax in axes.flat[len(BOARD) :]:
        ax.axis("off")
    fig.suptitle(
        f"Policies against {meta['baseline']}: paired differences over suite {meta['suite']} "
        f"(version {meta['suite_version']}; {len(meta['cases'])} cases × {meta['replications']} replications)\n"
        "95 % intervals; green: better, red: worse, grey: no clear difference",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
