"""The funnel's common language: stage, source, activity and event codes."""

# Stages: every contact is in exactly one at any time.
KNOWN = 0  # in the database, not yet responded
INQUIRY = 1
MQL = 2
SAL = 3
SQL = 4
OPPORTUNITY = 5
WON = 6
LOST = 7
NO_DECISION = 8
REJECTED = 9  # sales did not accept: back to nurture
RECYCLED = 10  # not reached or given up on: back to marketing after a wait
DISQUALIFIED = 11  # reached but not qualified, or the opportunity was not opened
NEVER_TOUCHED = 12  # handed to sales and never attempted

STAGE_NAMES = (
    "known",
    "inquiry",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "won",
    "lost",
    "no_decision",
    "rejected",
    "recycled",
    "disqualified",
    "never_touched",
)
FUNNEL = ("inquiry", "mql", "sal", "sql", "opportunity", "won", "lost", "no_decision")
SIDE_EXITS = ("rejected", "recycled", "disqualified", "never_touched")

# Lead and opportunity sources.
SOURCE_NONE = 0
SOURCE_MARKETING = 1
SOURCE_SALES = 2
SOURCE_NAMES = ("none", "marketing", "sales")

# Rep time ledger columns.
LEAD_FOLLOWUP = 0
PROSPECTING = 1
OPPORTUNITY_WORK = 2
ADMIN = 3
IDLE = 4
ACTIVITY_NAMES = ("lead_followup", "prospecting", "opportunity", "admin", "idle")

# Events a rep's day emits for the sequential account phase.
EV_SQL = 1
EV_MEETING = 2

# Segments.
SEGMENT_NAMES = ("smb", "mid_market", "enterprise")

# Contact roles in the buying group.
DECISION_MAKER = 0
INFLUENCER = 1
USER = 2
ROLE_NAMES = ("decision_maker", "influencer", "user")

MINUTES_PER_DAY = 1440
