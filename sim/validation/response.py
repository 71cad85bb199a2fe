"""Lead-response ratios measured the way the published studies measured them.

The studies grouped leads by how soon a firm first responded and compared the share that
were contacted or qualified: Oldroyd, McElheran & Elkington, "The short life of online sales
leads", HBR (March 2011), and the MIT-InsideSales Lead Response Management study (Elkington &
Oldroyd, 2007).  Here a lead's response time is its first touch minus its first MQL time
(calendar minutes); *qualified* means it became an SQL; *contacted* means sales accepted it
after reaching it (SAL), since acceptance does not depend on the lead's age.

The ratios emerge from the whole model (cadence, retries, hours, selection of who is answered
when), so they are measured on a pool of runs whose response times span seconds to days: the
response-study pool below, a small market whose reps answer at once (push pickup) or poll their
queue paced to SLA targets of 5 minutes, 1 hour and 1 day, each with real-time and daily-batch
handoff.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

# Response-time bins (minutes) that the studies compared.
BINS = {
    "under_5min": (0.0, 5.0),
    "15_to_30min": (15.0, 30.0),
    "under_1h": (0.0, 60.0),
    "1_to_2h": (60.0, 120.0),
    "24h_plus": (1440.0, math.inf),
}


@dataclass(frozen=True)
class Ratio:
    """One published ratio: the rate of `outcome` in bin `fast` over that in bin `slow`."""

    name: str
    outcome: str  # "sql" (qualified) or "sal" (contacted and accepted)
    fast: str
    slow: str
    figure: float
    source: str


RATIOS = (
    Ratio("qualify_1h_vs_1_to_2h", "sql", "under_1h", "1_to_2h", 7.0, "Oldroyd et al., HBR 2011: nearly 7x"),
    Ratio("qualify_1h_vs_24h_plus", "sql", "under_1h", "24h_plus", 60.0, "Oldroyd et al., HBR 2011: over 60x"),
    Ratio("contact_5_vs_30min", "sal", "under_5min", "15_to_30min", 100.0, "MIT-InsideSales 2007: 100x"),
    Ratio("qualify_5_vs_30min", "sql", "under_5min", "15_to_30min", 21.0, "MIT-InsideSales 2007: 21x"),
)
BY_NAME = {r.name: r for r in RATIOS}
STUDY_RATIOS = {
    "hbr2011": ("qualify_1h_vs_1_to_2h", "qualify_1h_vs_24h_plus"),
    "mit2007": ("contact_5_vs_30min", "qualify_5_vs_30min"),
}

# The response-study pool: overrides of each scenario, on top of STUDY_MARKET.  Firms that answer
# the instant a lead arrives (push) and firms whose reps poll their queue at 5 minutes, 1 hour or
# 1 day, each with real-time and daily-batch handoff: first touches from seconds to days.
STUDY_SCENARIOS = tuple(
    (f"sales.pickup={pickup}", f"policy.sla_minutes={sla}", f"policy.handoff.mode={mode}")
    for pickup, sla in (("push", 60), ("poll", 5), ("poll", 60), ("poll", 1440))
    for mode in ("realtime", "batch")
)
STUDY_MARKET = ("market.accounts=6000", "sim.days=365")


def lead_columns(leads: pd.DataFrame) -> pd.DataFrame:
    """Response minutes and SAL / SQL flags of the MQLs that were touched."""
    touched = leads["mql_at"].notna() & leads["first_touch_at"].notna()
    df = leads.loc[touched]
    return pd.DataFrame(
        {
            "response": (df["first_touch_at"] - df["mql_at"]).to_numpy(float),
            "sal": df["sal_at"].notna().to_numpy(),
            "sql": df["sql_at"].notna().to_numpy(),
        }
    )


def ratio_table(df: pd.DataFrame, ratios=RATIOS) -> pd.DataFrame:
    """Each ratio, from `lead_columns` rows, with its counts and a 95 % interval (Katz et al. 1978)."""
    rows = []
    for r in ratios:
        counts = []
        for b in (r.fast, r.slow):
            lo, hi = BINS[b]
            in_bin = (df["response"] >= lo) & (df["response"] < hi)
            counts.append((int(df.loc[in_bin, r.outcome].sum()), int(in_bin.sum())))
        (x1, n1), (x2, n2) = counts
        value = (x1 / n1) / (x2 / n2) if n1 and n2 and x2 else math.nan
        se = math.sqrt(max(0.0, 1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)) if x1 and x2 else math.nan
        rows.append(
            {
                "ratio": r.name,
                "figure": r.figure,
                "source": r.source,
                "model": value,
                "ci_low": value * math.exp(-1.96 * se) if se == se else math.nan,
                "ci_high": value * math.exp(1.96 * se) if se == se else math.nan,
                "fast_leads": n1,
                "fast_hits": x1,
                "slow_leads": n2,
                "slow_hits": x2,
            }
        )
    return pd.DataFrame(rows)


def study_leads(overrides=(), seeds=(1,), scenarios=STUDY_SCENARIOS, market=STUDY_MARKET) -> pd.DataFrame:
    """`lead_columns` of the response-study pool, pooled over its scenarios and seeds."""
    from sim import load_config, simulate

    frames = []
    for seed in seeds:
        for scenario in scenarios:
            cfg = load_config([*market, *scenario, *overrides, f"sim.seed={seed}", "sim.threads=1"])
            frames.append(lead_columns(simulate(cfg, leads=True).leads))
    return pd.concat(frames, ignore_index=True)
