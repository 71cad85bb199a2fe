"""The causal truth: revenue and pipeline with a channel (or all marketing) on minus off, same seeds.

Every buyer draws the same random numbers under both runs (a switched-off channel keeps its share
of the draws), so the paired difference is the revenue the channel caused; what stays is what
would have happened anyway.  Sales-sourced revenue moves only through the reps' time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.attribution.rules import attribute
from sim.touch_log import CHANNEL_NAMES

# The switch for each arm: all marketing, then each channel.
ARMS = {
    "marketing": ["marketing.enabled=false"],
    **{ch: [f"marketing.{ch}.enabled=false"] for ch in CHANNEL_NAMES[:4]},
    "inbound": ["marketing.inbound_enabled=false"],
}


def _outcome(res) -> dict:
    s = res.summary
    deals = res.deals
    return {
        "revenue": float(s["revenue"]),
        "revenue_marketing": float(s["revenue_by_source"]["marketing"]),
        "revenue_sales": float(s["revenue_by_source"]["sales"]),
        "pipeline": float(deals["value"].sum()) + float(s["pipeline_open"]),
        "rep_hours_prospecting": float(s["rep_time_share"]["prospecting"] * s["rep_hours"]),
    }


def one_replication(overrides: list[str], seed: int, lookback_days: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(credits by rule and channel, outcomes of every arm) for one seed."""
    from sim.loading import load_config
    from sim.run import simulate

    base = [*overrides, f"sim.seed={seed}", "sim.threads=1"]
    on = simulate(load_config([*base, "output.touches=true"]))
    credits = attribute(on.deals, on.touches, lookback_days)
    rows = [{"arm": "all_on", **_outcome(on)}]
    for arm, switch in ARMS.items():
        rows.append({"arm": arm, **_outcome(simulate(load_config([*base, *switch])))})
    return credits, pd.DataFrame(rows)


def effects(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per replication and arm: the causal effect (all on minus the arm off) of each outcome."""
    out = []
    for (variant, rep), g in outcomes.groupby(["variant", "replication"], sort=True):
        on = g[g.arm == "all_on"].iloc[0]
        for _, r in g[g.arm != "all_on"].iterrows():
            row = {"variant": variant, "replication": rep, "channel": r.arm}
            for k in ("revenue", "revenue_marketing", "revenue_sales", "pipeline"):
                row[f"{k}_effect"] = on[k] - r[k]
            out.append(row)
    return pd.DataFrame(out)


def _ci(x) -> tuple[float, float, float]:
    from scipy import stats

    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    if len(x) < 2 or x.std(ddof=1) == 0:
        return m, m, m
    h = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return m, m - h, m + h


def comparison(credits: pd.DataFrame, eff: pd.DataFrame) -> pd.DataFrame:
    """Per variant, channel and method (each rule, and `causal`): mean credit with a 95 % t interval over
    replications.  Channel `marketing` is the sum over channels (for influenced: each deal once)."""
    rows = []
    for variant, g in credits.groupby("variant", sort=False):
        for rule, gr in g.groupby("rule", sort=False):
            per = gr.pivot_table(index="replication", columns="channel", values="credit", aggfunc="sum")
            total = gr.groupby("replication")["allocated"].first()
            for ch in [*CHANNEL_NAMES, "marketing"]:
                x = total if ch == "marketing" else per[ch]
                m, lo, hi = _ci(x)
                rows.append({"variant": variant, "channel": ch, "method": rule, "mean": m, "ci_low": lo, "ci_high": hi})
        ge = eff[eff.variant == variant]
        for ch, gc in ge.groupby("channel", sort=False):
            m, lo, hi = _ci(gc["revenue_effect"])
            rows.append({"variant": variant, "channel": ch, "method": "causal", "mean": m, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)
