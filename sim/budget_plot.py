"""The budget sweep's answer: revenue, cost per opportunity and return on spend against the share in marketing.

python -m sim.budget_plot results/sweeps/budget     # -> results/sweeps/budget/plots/budget.png
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

PANELS = (
    ("revenue", "Revenue (millions)", 1e-6),
    ("economics.cost_per_opportunity", "Cost per opportunity (thousands)", 1e-3),
    ("economics.return_on_cost", "Revenue per unit of spend", 1.0),
)


def budget_table(scenarios: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95 % interval of the budget metrics by marketing share (from a sweep's scenarios.parquet)."""
    lever = "budget.marketing_share"
    t = scenarios[scenarios.metric.isin([m for m, _, _ in PANELS])]
    return t[[lever, "metric", "mean", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high"]].sort_values(
        ["metric", lever]
    )


def plot_budget(scenarios: pd.DataFrame, reps_at=None):
    import matplotlib.pyplot as plt

    t = budget_table(scenarios)
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.6))
    panels = [(m, label, k, "") for m, label, k in PANELS]
    panels.insert(1, ("revenue", "Revenue against today's split (paired, millions)", 1e-6, "diff_"))
    for ax, (m, label, k, pre) in zip(axes, panels, strict=True):
        g = t[t.metric == m]
        x = 100 * g["budget.marketing_share"]
        ax.fill_between(x, g[pre + "ci_low"] * k, g[pre + "ci_high"] * k, color="#0072B2", alpha=0.2, lw=0)
        ax.plot(x, g[pre + "mean"] * k, "o-", color="#0072B2")
        if pre:
            ax.axhline(0, color="grey", lw=0.8)
        ax.axvline(9.09, color="#D55E00", ls="--", lw=1)
        ax.set_xlabel("share of the budget in marketing (%)")
        ax.set_title(label, fontsize=10, loc="left")
        ax.grid(alpha=0.3)
    axes[0].text(9.6, axes[0].get_ylim()[0], "today", color="#D55E00", fontsize=8, va="bottom")
    fig.suptitle("Same money, more leads or more reps? (95 % bands over replications)", fontsize=11)
    fig.tight_layout()
    return fig


def main(argv: list[str]) -> int:
    folder = Path(argv[0])
    scen = pd.read_parquet(folder / "scenarios.parquet")
    (folder / "plots").mkdir(exist_ok=True)
    fig = plot_budget(scen)
    fig.savefig(folder / "plots" / "budget.png", dpi=130, bbox_inches="tight")
    t = budget_table(scen)
    print(t.pivot(index="budget.marketing_share", columns="metric", values="mean").round(3).to_string())
    print(f"plot: {folder / 'plots' / 'budget.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
