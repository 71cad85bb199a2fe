"""One catalog of names and their metadata: stages, activities, channels, segments, metrics and
daily columns, each with its label, unit kind and (for metrics) whether higher is better.

Plot labels (`sim.plots.labels`), report tables and the benchmark leaderboard read from here;
names follow `sim.stages`, the state's daily table and the config.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim import stages as st
from sim.config import CHANNELS as CHANNEL_KEYS


@dataclass(frozen=True)
class Entry:
    name: str
    label: str
    kind: str = ""  # unit kind: currency, share, minutes, hours, days, ratio, leads, deals, number...
    higher_is_better: bool | None = None  # None: neither direction is better (a count, a share of time)
    series: str = ""  # daily columns: flow (per day), stock (level at day end) or cumulative


def _entries(names, labels=None) -> dict[str, Entry]:
    labels = labels or {}
    return {n: Entry(n, labels.get(n, n.replace("_", " ").capitalize())) for n in names}


STAGES = _entries(
    st.STAGE_NAMES,
    {"mql": "MQL", "sal": "SAL", "sql": "SQL", "no_decision": "No decision", "never_touched": "Never touched"},
)
ACTIVITIES = _entries(
    st.ACTIVITY_NAMES, {"lead_followup": "Lead follow-up", "opportunity": "Opportunity work", "idle": "Idle / waiting"}
)
CHANNELS = _entries(CHANNEL_KEYS, {"paid_search": "Paid search"})
SEGMENTS = _entries(st.SEGMENT_NAMES, {"smb": "SMB", "mid_market": "Mid-market"})


def _m(name, label, kind, better=None) -> Entry:
    return Entry(name, label, kind, better)


METRICS: dict[str, Entry] = {
    m.name: m
    for m in (
        _m("revenue", "Revenue", "currency", True),
        _m("win_rate", "Win rate", "share", True),
        _m("sla_met_share", "SLA compliance", "share", True),
        _m("touched_within.5min", "First touched within 5 working minutes", "share", True),
        _m("touched_within.1h", "First touched within 1 working hour", "share", True),
        _m("touched_within.same_business_day", "First touched the same business day", "share", True),
        _m("mql_after_hours_share", "MQLs arriving outside working hours", "share"),
        _m("selling_time_share", "Rep time selling", "share", True),
        _m("never_touched_share", "Leads never touched", "share", False),
        _m("rejected_share", "Leads rejected by sales", "share", False),
        _m("response_minutes.mean", "Mean first-response time", "minutes", False),
        _m("response_minutes.p50", "Median first-response time", "minutes", False),
        _m("response_minutes.p90", "90th-percentile first-response time", "minutes", False),
        _m("sla_minutes", "SLA target", "minutes"),
        _m("rep_hours", "Rep working hours", "hours"),
        _m("selling_hours", "Rep selling hours", "hours", True),
        _m("cycle_days_mean", "Mean sales cycle", "days", False),
        _m("deals_won", "Deals won", "deals", True),
        _m("deals_lost", "Deals lost", "deals", False),
        _m("deals_no_decision", "Deals ending in no decision", "deals", False),
        _m("pipeline_open", "Open pipeline at the end", "currency", True),
        _m("sla_breaches", "SLA breaches", "leads", False),
        _m("reps", "Headcount (reps + SDRs)", "number"),
        _m("economics.total_cost", "Sales + marketing cost", "currency", False),
        _m("economics.return_on_cost", "Return on sales + marketing cost", "ratio", True),
        _m("economics.cost_per_mql", "Marketing cost per MQL", "currency", False),
        _m("economics.cost_per_sql", "Cost per SQL", "currency", False),
        _m("economics.cost_per_opportunity", "Cost per opportunity", "currency", False),
        _m("economics.revenue_per_rep", "Revenue per rep", "currency", True),
        _m("economics.deal_size_mean", "Mean deal size (won)", "currency", True),
        _m("economics.pipeline_velocity_per_day", "Pipeline velocity per day", "currency", True),
        _m("capacity.utilisation", "Rep utilisation", "share"),
        _m("capacity.backlog_leads_mean", "Leads waiting at day end", "leads", False),
        _m("capacity.backlog_per_rep", "Leads waiting per rep at day end", "leads", False),
        _m("capacity.backlog_leads_max", "Most leads waiting at a day end", "leads", False),
        _m("lead_load.gini", "Lead load Gini (0 = equal)", "ratio", False),
        _m("lead_load.cv", "Lead load CV (0 = equal)", "ratio", False),
    )
}

# Summary groups: label template (the member's label fills {}) and unit kind.
GROUPS: dict[str, tuple[str, str]] = {
    "waterfall": ("Leads reaching {}", "leads"),
    "stages": ("Leads now at {}", "leads"),
    "rep_time_share": ("Rep time on {}", "share"),
    "revenue_by_source": ("Revenue from {} sources", "currency"),
    "opportunities_by_source": ("Opportunities from {} sources", "opportunities"),
    "cost": ("{} cost", "currency"),
    "deal_outcomes": ("Deals {}", "deals"),
    "lead_funnel": ("Marketing leads reaching {}", "leads"),
    "revenue_by_month": ("Revenue in month {}", "currency"),
}

# Daily columns drawn as series: label, unit kind and whether a flow, a stock or cumulative.
DAILY: dict[str, Entry] = {
    e.name: e
    for e in (
        Entry("mqls", "MQLs per day", "leads", None, "flow"),
        Entry("inquiries", "Inquiries per day", "leads", None, "flow"),
        Entry("sals", "SALs per day", "leads", None, "flow"),
        Entry("sqls", "SQLs per day", "leads", None, "flow"),
        Entry("first_touches", "First touches per day", "leads", None, "flow"),
        Entry("won", "Deals won per day", "deals", None, "flow"),
        Entry("revenue", "Revenue booked, cumulative", "currency", None, "cumulative"),
        Entry("pipeline", "Open pipeline", "currency", None, "stock"),
        Entry("open_leads", "Open leads", "leads", None, "stock"),
        Entry("open_leads_end", "Leads in rep queues at day end", "leads", None, "stock"),
        Entry("open_opportunities", "Open opportunities", "opportunities", None, "stock"),
        Entry("in_market", "Accounts in market", "accounts", None, "stock"),
    )
}


def label(name: str) -> str:
    """A metric's or name's label for tables and plots (the name itself if not catalogued)."""
    for table in (METRICS, STAGES, ACTIVITIES, CHANNELS, SEGMENTS):
        if name in table:
            return table[name].label
    return name
