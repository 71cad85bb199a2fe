"""Structured, validated configuration: the Hydra schema with units and allowed ranges.

Each field's type and metadata state what is allowed; `validate` (sim/config_check.py) walks the
config and raises `ConfigError` naming the key, the value and what is allowed.  Numbers must be
finite, whole where the field is an integer, and inside their range; lists have their length and
element range; names use a safe character set, so a run or sweep folder stays inside its parent.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from typing import Any, get_type_hints

from hydra.core.config_store import ConfigStore


class ConfigError(ValueError):
    """A configuration value that is not allowed; the message names key, value and rule."""


NAME_MAX = 100
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
NAME_RULE = f"letters, digits, '.', '_' and '-', not starting with '.', '_' or '-', at most {NAME_MAX} characters"


def rng(lo=None, hi=None, *, lo_open=False, hi_open=False, unit=""):
    """Field metadata for a numeric range (closed unless told open)."""
    return {"lo": lo, "hi": hi, "lo_open": lo_open, "hi_open": hi_open, "unit": unit}


def choice(*options):
    return {"choices": options}


def num(default, *, doc="", **kw):
    return field(default=default, metadata={**rng(**kw), "doc": doc})


def pick(default, options, doc=""):
    return field(default=default, metadata={**choice(*options), "doc": doc})


def numbers_list(default, *, doc="", length=None, min_len=1, max_len=None, **kw):
    """A list of numbers: its length (exact, or between min_len and max_len) and each element's range."""
    meta = {**rng(**kw), "doc": doc, "min_len": length or min_len, "max_len": length or max_len}
    return field(default_factory=lambda: list(default), metadata=meta)


def rule_pick(kind: str):
    """A policy key whose options are the registered rules of `kind` (or a plug-in, module:function)."""
    from sim import policies

    k = policies.KINDS[kind]
    names = policies.names(kind)
    return field(default=names[0], metadata={"choices": names, "rule": kind, "doc": k.title})


def suggest(word: str, options) -> str:
    """' (did you mean X?)' for a near miss among options, else ''."""
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def check_name(key: str, value: Any, *, empty_ok: bool = False) -> None:
    """A folder or file name: a safe character set and length, so it cannot leave its parent folder."""
    if not isinstance(value, str):
        raise ConfigError(f"{key}={value!r} is not allowed; give a name ({NAME_RULE})")
    if value == "" and empty_ok:
        return
    if len(value) > NAME_MAX or not NAME_RE.fullmatch(value):
        shown = value if len(value) <= 60 else value[:57] + "..."
        raise ConfigError(f"{key}={shown!r} is not allowed; a name has {NAME_RULE}")


PROB = {"lo": 0.0, "hi": 1.0}


@dataclass
class SimConfig:
    days: int = num(730, lo=1, hi=36500, unit="days", doc="simulated days (day 0 is a Monday)")
    seed: int = num(42, lo=0, hi=2**63 - 1, doc="root seed of every random draw")
    engine: str = pick("fast", ("fast", "reference"), "fast = Numba kernels; reference = pure Python Mesa agents")
    threads: int = num(
        0,
        lo=0,
        hi=1024,
        doc="worker threads of the fast driver; 0 = one per 250,000 contacts, at most one per core (8)",
    )
    debug: bool = field(default=False, metadata={"doc": "check the model's invariants every day"})


@dataclass
class SegmentConfig:
    share: float = num(0.33, **PROB, doc="share of accounts in this segment")
    group_size: float = num(7.5, lo=1, hi=50, unit="contacts", doc="mean buying-group size (Gartner: 6-10)")
    deal_value: float = num(40000.0, lo=0, lo_open=True, hi=1e12, unit="currency", doc="mean deal value")
    deal_value_cv: float = num(0.6, lo=0, hi=5, doc="coefficient of variation of deal value")
    cycle_days: float = num(60.0, lo=1, hi=1000, unit="days", doc="mean opportunity cycle length")
    in_market_days: float = num(75.0, lo=1, hi=1000, unit="days", doc="mean length of a buying window")
    opp_minutes_per_day: float = num(
        20.0, lo=0, hi=480, unit="minutes", doc="rep time an open deal asks per working day"
    )


def _smb():
    return SegmentConfig(0.45, 5.0, 12000.0, 0.6, 21.0, 35.0, 15.0)


def _mid():
    return SegmentConfig(0.40, 8.0, 45000.0, 0.6, 60.0, 75.0, 30.0)


def _ent():
    return SegmentConfig(0.15, 11.5, 160000.0, 0.7, 135.0, 150.0, 60.0)


@dataclass
class MarketConfig:
    accounts: int = num(20000, lo=1, hi=10_000_000, doc="accounts in the addressable market")
    smb: SegmentConfig = field(default_factory=_smb)
    mid_market: SegmentConfig = field(default_factory=_mid)
    enterprise: SegmentConfig = field(default_factory=_ent)
    in_market_rate: float = num(0.0009, **PROB, unit="1/day", doc="daily chance an out-of-market account starts buying")
    intent_ramp_days: float = num(
        21.0, lo=0, lo_open=True, hi=3650, unit="days", doc="days for intent to reach its peak"
    )
    cool_off_days: int = num(
        120, lo=0, hi=36500, unit="days", doc="days a lost or undecided account stays out of market"
    )
    customer_days: int = num(365, lo=0, hi=36500, unit="days", doc="days a new customer stays out of market")
    two_decision_makers_share: float = num(0.4, **PROB, doc="share of buying groups with two decision makers")
    fit_a: float = num(2.0, lo=0, lo_open=True, hi=1000, doc="Beta(a, b) shape of ICP fit")
    fit_b: float = num(2.5, lo=0, lo_open=True, hi=1000, doc="Beta(a, b) shape of ICP fit")
    currency: str = field(
        default="$", metadata={"doc": "symbol of the currency money is counted in (plots, reports)", "symbol": True}
    )


@dataclass
class ChannelConfig:
    budget_per_day: float = num(500.0, lo=0, hi=1e9, unit="currency/day")
    cost_per_touch: float = num(0.5, lo=0, lo_open=True, hi=1e6, unit="currency")
    response_rate: float = num(0.01, **PROB, doc="response chance per touch for a fit=1, intent=0 contact")
    fit_weight: float = num(0.7, **PROB, doc="how much the response depends on fit (0 = not at all)")
    intent_lift: float = num(3.0, lo=0, hi=1000, doc="response multiplier at full intent is 1 + intent_lift")
    points: float = num(15.0, lo=0, hi=100, unit="score points", doc="engagement points a response earns")
    enabled: bool = field(
        default=True, metadata={"doc": "false switches the channel off (no touches, no cost; same random numbers)"}
    )


def _email():
    return ChannelConfig(600.0, 0.05, 0.004, 0.5, 2.0, 8.0)


def _search():
    return ChannelConfig(900.0, 3.0, 0.025, 0.6, 5.0, 25.0)


def _webinar():
    return ChannelConfig(400.0, 2.0, 0.02, 0.8, 2.5, 20.0)


def _events():
    return ChannelConfig(700.0, 25.0, 0.12, 0.8, 1.5, 35.0)


@dataclass
class MarketingConfig:
    email: ChannelConfig = field(default_factory=_email)
    paid_search: ChannelConfig = field(default_factory=_search)
    webinar: ChannelConfig = field(default_factory=_webinar)
    events: ChannelConfig = field(default_factory=_events)
    budget_scale: float = num(1.0, lo=0, hi=1000, doc="multiplies every channel's budget (a lever for spend sweeps)")
    enabled: bool = field(
        default=True,
        metadata={"doc": "false switches all marketing off: no campaign touches and no inbound (same random numbers)"},
    )
    inbound_enabled: bool = field(default=True, metadata={"doc": "false switches inbound (demo request) responses off"})
    inbound_rate: float = num(
        0.004, lo=0, hi=0.5, unit="1/day", doc="daily inbound (demo request) chance of a contact at full intent"
    )
    inbound_points: float = num(45.0, lo=0, hi=100, unit="score points")
    fit_points: float = num(40.0, lo=0, hi=100, unit="score points", doc="score points for a perfect fit")
    engagement_cap: float = num(60.0, lo=0, hi=100, unit="score points", doc="engagement counts up to this")
    half_life_days: float = num(30.0, lo=0, lo_open=True, hi=36500, unit="days", doc="engagement half-life")
    mql_threshold: float = num(
        58.0, lo=0, hi=100, lo_open=True, unit="score points", doc="score that makes an MQL (score range 0-100)"
    )
    business_hours_share: float = num(0.75, **PROB, doc="share of inquiries arriving 09:00-17:00")
    weekend_factor: float = num(0.3, **PROB, doc="weekend inquiry rate relative to a weekday")
    scoring: str = pick("rules", ("rules", "predictive"), "rules: fit + engagement points; predictive: a model score")
    predictive_auc: float = num(
        0.75, lo=0.5, hi=0.99, doc="predictive: AUC of the score for the buyer's true propensity (binormal model)"
    )
    engagement_decay: str = pick("half_life", ("half_life", "linear"), "how engagement points fade")
    points_per_week: float = num(5.0, lo=0, hi=100, unit="points/week", doc="linear: points lost per week")
    feedback: str = pick("none", ("none", "weekly", "monthly"), "how often sales dispositions reach scoring")
    feedback_rate: float = num(0.5, lo=0, hi=5, doc="how strongly one feedback round re-weights the score")
    nurture_days: int = num(
        60, lo=1, hi=36500, unit="days", doc="days a rejected lead stays in nurture before it can re-MQL"
    )
    recycle_days: int = num(90, lo=1, hi=36500, unit="days", doc="days an unreached lead waits before it can re-MQL")


@dataclass
class DecayConfig:
    """The lead-age decay curve; the defaults are the moderate preset (conf/decay/moderate.yaml)."""

    kind: str = pick("two_exponential", ("power", "two_exponential"), "shape of the lead-age decay curve")
    tau_minutes: float = num(120.0, lo=0, lo_open=True, hi=1e7, unit="minutes", doc="power: (1 + age/tau)^-alpha")
    alpha: float = num(1.8, lo=0, hi=5, doc="power: exponent")
    weight_fast: float = num(0.8887, **PROB, doc="two_exponential: weight of the fast component")
    tau_fast_minutes: float = num(5.1406, lo=0, lo_open=True, hi=1e7, unit="minutes")
    tau_slow_minutes: float = num(3296.74, lo=0, lo_open=True, hi=1e7, unit="minutes")
    reach_share: float = num(
        1.0, **PROB, doc="share of the decay (in log odds) acting on reach; the rest on qualification"
    )


@dataclass
class SalesConfig:
    reps: int = num(40, lo=1, hi=100000, doc="reps who work leads, opportunities and prospects")
    hours_per_day: float = num(8.0, lo=0, hi=24, lo_open=True, unit="hours")
    work_start_hour: float = num(9.0, lo=0, hi=24, lo_open=False, hi_open=True, unit="hour of day")
    admin_share: float = num(0.2, **PROB, doc="share of working time spent on admin")
    pickup: str = pick(
        "push",
        ("push", "poll"),
        "push: a free rep takes a lead the instant it arrives; poll: reps look at their queue between blocks "
        "of other work, at most check_interval_minutes apart (paced to half the SLA, at least 5 minutes)",
    )
    check_interval_minutes: float = num(
        240.0, lo=1, hi=1440, unit="minutes", doc="poll: longest time between queue checks"
    )
    switch_minutes: float = num(0.25, lo=0, hi=60, unit="minutes", doc="cost of each queue check (context switch)")
    attempt_minutes: float = num(6.0, lo=0, lo_open=True, hi=480, unit="minutes", doc="a call attempt with logging")
    conversation_minutes: float = num(25.0, lo=0, hi=480, unit="minutes", doc="a qualifying conversation")
    max_lead_share: float = num(0.35, **PROB, doc="most of the working day reps give to lead follow-up")
    max_prospecting_share: float = num(
        0.3, **PROB, doc="most of the working day reps give to prospecting; the rest of free time is idle"
    )
    meetings_per_prospecting_hour: float = num(0.02, lo=0, hi=10, unit="1/hour")
    reach_rate: float = num(0.7, **PROB, doc="chance an attempt reaches a fresh lead")
    qualify_rate: float = num(0.73, **PROB, doc="chance a reached, accepted, perfectly fitting fresh lead qualifies")
    observe_noise: float = num(0.15, lo=0, hi=2, doc="sd of a rep's read of fit at first contact")
    give_up_prob: float = num(0.35, **PROB, doc="chance a rep gives up after an unanswered attempt")
    lead_expiry_days: int = num(
        10, lo=1, hi=3650, unit="days", doc="an untouched lead older than this is never touched"
    )
    sdrs: int = num(0, lo=0, hi=100000, doc="SDRs (used by policy.handoff.tier=sdr); reps are then AEs")
    allocation: str = pick(
        "leads_first",
        ("leads_first", "fixed_prospecting", "own_prospects_first"),
        "leads_first; fixed_prospecting (a prospecting block opens the day); "
        "own_prospects_first (that block, and queue checks at the rep's habit, ignoring the SLA)",
    )
    absence_rate: float = num(0.0, lo=0, hi=0.9, doc="chance a rep is off on a working day (routing skips them)")
    calendar: str = pick("business", ("business", "always"), "business: weekdays 09-17; always: 24/7 shifts")
    handling: str = pick("fixed", ("fixed", "exponential", "lognormal"), "distribution of attempt handling time")
    handling_cv: float = num(0.5, lo=0, hi=5, doc="lognormal: coefficient of variation of handling time")
    leads_only: bool = field(default=False, metadata={"doc": "reps work leads only (no prospecting or deals)"})
    cost_per_day: float = num(650.0, lo=0, hi=1e7, unit="currency/day", doc="loaded cost of a rep per calendar day")


@dataclass
class BudgetConfig:
    """The marketing-vs-reps lever: one budget split between programmes and headcount (sim/budget.py)."""

    total_per_day: float = num(
        0.0,
        lo=0,
        hi=1e9,
        unit="currency/day",
        doc="0 = off (budgets and reps as configured); else the money split between marketing and reps",
    )
    marketing_share: float = num(
        0.0909, lo=0, hi=1, doc="share of total_per_day spent on marketing programmes; the rest buys reps"
    )


@dataclass
class HandoffConfig:
    mode: str = rule_pick("timing")
    batch_hours: float = num(24.0, lo=0, lo_open=True, hi=720, unit="hours", doc="batch: hours between pulls")
    tier: str = rule_pick("tier")
    rejected: str = rule_pick("rejected")


@dataclass
class PolicyConfig:
    handoff: HandoffConfig = field(default_factory=HandoffConfig)
    routing: str = rule_pick("routing")
    routing_weights: list[float] = numbers_list(
        [1.0],
        lo=0,
        lo_open=True,
        hi=1e6,
        max_len=100000,
        unit="relative",
        doc="weighted_round_robin: weight of each rep, repeated over the reps",
    )
    lead_cap_per_day: int = num(0, lo=0, hi=100000, doc="most new leads a rep gets a day; 0 = no cap")
    lead_definition: str = pick(
        "separate",
        ("separate", "shared"),
        "separate: sales apply their own acceptance line; shared: one agreed definition, all MQLs accepted",
    )
    discipline: str = rule_pick("discipline")
    sla_minutes: float = num(
        60.0, lo=1, hi=100000, unit="minutes", doc="first-touch target; under poll pickup reps pace queue checks to it"
    )
    sla_clock: str = pick(
        "business",
        ("business", "calendar"),
        "business: the SLA timer counts the reps' working minutes only, as CRM SLA timers do; calendar: every minute",
    )
    breach_action: str = rule_pick("breach")
    max_attempts: int = num(6, lo=1, hi=20, doc="attempts before a lead is recycled")
    cadence_minutes: list[float] = numbers_list(
        [0.0, 60.0, 1440.0, 2880.0, 5760.0, 10080.0],
        lo=0,
        hi=525600,
        max_len=20,
        unit="minutes",
        doc="offset of attempt k from the first attempt; increasing; one per attempt",
    )
    acceptance_threshold: float = num(
        0.3, **PROB, doc="sales accept a lead whose fit, as the rep reads it, is at least this"
    )


@dataclass
class OpportunityConfig:
    sql_to_opportunity: float = num(0.42, **PROB, doc="chance an SQL opens an opportunity")
    win_rate: float = num(
        0.78, **PROB, doc="base win chance of a perfect-fit, fully worked deal with one decision maker"
    )
    fit_effect: float = num(0.4, **PROB, doc="how much fit moves the win chance")
    two_dm_factor: float = num(
        55 / 81, **PROB, doc="win chance with two decision makers relative to one (CEB: 55% vs 81%)"
    )
    no_decision_rate: float = num(0.42, **PROB, doc="chance an unwon deal ends in no decision, at 8 buyers")
    no_decision_per_member: float = num(0.02, lo=0, hi=0.2, doc="added no-decision chance per buyer above 8")
    attention_elasticity: float = num(
        0.5, lo=0, hi=5, doc="win chance scales with (time given / time asked) to this power"
    )


@dataclass
class StaffingConfig:
    mode: str = pick(
        "market", ("market", "arrivals"), "market: leads from the market model; arrivals: a stated process"
    )
    leads_per_hour: float = num(2.0, lo=0, hi=10000, unit="leads/hour", doc="arrivals: mean Poisson rate")
    hourly_profile: list[float] = numbers_list(
        [1.0] * 24,
        length=24,
        lo=0,
        hi=1e6,
        unit="relative",
        doc="arrivals: relative rate by hour of day (24 values, mean scaled to 1)",
    )
    weekday_profile: list[float] = numbers_list(
        [1.0] * 7, length=7, lo=0, hi=1e6, unit="relative", doc="arrivals: relative rate Monday..Sunday (7 values)"
    )


@dataclass
class OutputConfig:
    dir: str = field(default="results/runs", metadata={"doc": "where run folders go", "path": True})
    leads: bool = field(default=False, metadata={"doc": "write the per-lead log"})
    csv: bool = field(default=False, metadata={"doc": "also write CSV copies of the tables"})
    touches: bool = field(default=False, metadata={"doc": "write the touch log (touches.parquet; docs/attribution.md)"})
    name: str = field(default="", metadata={"doc": "run folder name; empty = a timestamp", "name": True})


@dataclass
class FunnelConfig:
    sim: SimConfig = field(default_factory=SimConfig)
    market: MarketConfig = field(default_factory=MarketConfig)
    marketing: MarketingConfig = field(default_factory=MarketingConfig)
    sales: SalesConfig = field(default_factory=SalesConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    opportunity: OpportunityConfig = field(default_factory=OpportunityConfig)
    decay: DecayConfig = field(default_factory=DecayConfig)
    staffing: StaffingConfig = field(default_factory=StaffingConfig)
    budget: BudgetConfig = field(default_factory=BudgetConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    scenario: str = field(
        default="default",
        metadata={"doc": "the scenario preset (scenarios/NAME.yaml); its name is recorded here", "preset": True},
    )


CHANNELS = ("email", "paid_search", "webinar", "events")


def register() -> None:
    """Register the schema so `conf/config.yaml` can extend it."""
    ConfigStore.instance().store(name="funnelsim_schema", node=FunnelConfig)


@cache
def type_hints(cls) -> dict:
    """A schema class's field types, resolved once."""
    return get_type_hints(cls)


def iter_fields(obj: Any, prefix: str = ""):
    """Every leaf setting of a config as (dotted key, value, field metadata)."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if is_dataclass(value):
            yield from iter_fields(value, f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", value, f.metadata


def schema_fields(cls=None, prefix: str = "") -> dict:
    """Every leaf key of the schema as {dotted key: (type, metadata)}."""
    cls = cls or FunnelConfig
    out = {}
    hints = type_hints(cls)
    for f in fields(cls):
        typ = hints[f.name]
        if is_dataclass(typ):
            out.update(schema_fields(typ, f"{prefix}{f.name}."))
        else:
            out[f"{prefix}{f.name}"] = (typ, f.metadata)
    return out
