"""One catalog of names and their metadata: stages, activities, channels, segments and metrics.

Table columns, plot labels and report tables can read labels, units and the direction of
"better" from here instead of keeping their own lists.  Names follow `sim.stages` and the config.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim import stages as st


@dataclass(frozen=True)
class Entry:
    name: str
    label: str
    unit: str = ""
    higher_is_better: bool | None = None  # None: neither direction is better (a count, a share of time)


def _entries(names, labels=None) -> dict[str, Entry]:
    labels = labels or {}
    return {n: Entry(n, labels.get(n, n.replace("_", " ").capitalize())) for n in names}


STAGES = _entries(
    st.STAGE_NAMES,
    {"mql": "MQL", "sal": "SAL", "sql": "SQL", "no_decision": "No decision", "never_touched": "Never touched"},
)
ACTIVITIES = _entries(st.ACTIVITY_NAMES, {"lead_followup": "Lead follow-up", "opportunity": "Opportunity work"})
CHANNELS = _entries(("email", "paid_search", "webinar", "events"), {"paid_search": "Paid search"})
SEGMENTS = _entries(st.SEGMENT_NAMES, {"smb": "SMB", "mid_market": "Mid-market"})

METRICS: dict[str, Entry] = {
    m.name: m
    for m in (
        Entry("revenue", "Revenue", "currency", True),
        Entry("deals_won", "Deals won", "deals", True),
        Entry("win_rate", "Win rate", "share", True),
        Entry("sla_met_share", "SLA met", "share of first touches", True),
        Entry("touched_within.5min", "Touched within 5 min", "share of routed leads", True),
        Entry("touched_within.1h", "Touched within 1 h", "share of routed leads", True),
        Entry("touched_within.same_business_day", "Touched same business day", "share of routed leads", True),
        Entry("never_touched_share", "Never touched", "share of routed leads", False),
        Entry("selling_time_share", "Selling time", "share of rep time", True),
        Entry("rep_time_share.lead_followup", "Lead follow-up time", "share of rep time", None),
        Entry("rep_time_share.idle", "Idle time", "share of rep time", False),
        Entry("cost_per_opportunity", "Cost per opportunity", "currency", False),
        Entry("lead_load.gini", "Lead load Gini", "0 = equal", False),
        Entry("lead_load.cv", "Lead load CV", "0 = equal", False),
    )
}


def label(name: str) -> str:
    """A metric's or name's label for tables and plots (the name itself if not catalogued)."""
    for table in (METRICS, STAGES, ACTIVITIES, CHANNELS, SEGMENTS):
        if name in table:
            return table[name].label
    return name
