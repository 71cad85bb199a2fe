"""Summaries and tables from a finished run's state: the numbers users compare."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pandas as pd

from sim import stages as st
from sim.params import Params
from sim.processes.common import working_minutes_array
from sim.state import DAILY, DEALS, State, T, by_contact

_Clock = namedtuple("_Clock", "always work_start work_minutes")  # the parameters the working clock reads


def _working_minutes(P: Params, t: np.ndarray) -> np.ndarray:
    """Working-clock minutes at times `t`.  The compiled loop is passed only the three parameters it reads:
    unboxing them all on each call would cost most of its first compile."""
    return working_minutes_array(_Clock(P.always, P.work_start, P.work_minutes), t)


def _stamp(x: np.ndarray) -> np.ndarray:
    return ~np.isnan(x)


def waterfall(S: State) -> dict[str, int]:
    """Leads that ever reached each funnel stage, and those now in each side exit."""
    S = by_contact(S)
    out = {
        "inquiry": int(_stamp(S.created)[S.source == st.SOURCE_MARKETING].sum()),
        "mql": int(_stamp(S.mql_at).sum()),
        "sal": int(_stamp(S.sal_at).sum()),
        "sql": int(_stamp(S.sql_at).sum()),
        "opportunity": int(_stamp(S.opp_at).sum()),
    }
    for name in ("won", "lost", "no_decision", *st.SIDE_EXITS):
        out[name] = int((S.stage == st.STAGE_NAMES.index(name)).sum())
    return out


def stage_counts(S: State) -> dict[str, int]:
    counts = np.bincount(S.stage.astype(np.int64), minlength=len(st.STAGE_NAMES))
    return {name: int(counts[k]) for k, name in enumerate(st.STAGE_NAMES)}


def conversions(S: State) -> dict[str, float]:
    """Stage-to-stage conversion of marketing leads (share of those reaching a stage that reach the next)."""
    S = by_contact(S)
    mkt = S.source == st.SOURCE_MARKETING
    inq = (_stamp(S.created) & mkt).sum()
    mql = (_stamp(S.mql_at) & mkt).sum()
    sal = (_stamp(S.sal_at) & mkt).sum()
    sql = (_stamp(S.sql_at) & mkt).sum()
    sql_closed = _stamp(S.sql_at) & mkt & np.isin(S.stage, (st.WON, st.LOST, st.NO_DECISION, st.DISQUALIFIED))
    won = (sql_closed & (S.stage == st.WON)).sum()
    opp = (_stamp(S.sql_at) & mkt & _stamp(S.opp_at)).sum()

    def ratio(a, b):
        return float(a / b) if b else float("nan")

    return {
        "inquiry_to_mql": ratio(mql, inq),
        "mql_to_sal": ratio(sal, mql),
        "sal_to_sql": ratio(sql, sal),
        "sql_to_opportunity": ratio(opp, sql),
        "sql_to_won": ratio(won, sql_closed.sum()),
    }


# Response-time bins (minutes since the lead became an MQL): log-spaced from 1 minute to 30 days.
RESPONSE_EDGES = [
    0.0,
    1.0,
    2.0,
    5.0,
    10.0,
    15.0,
    30.0,
    60.0,
    120.0,
    240.0,
    480.0,
    1440.0,
    2880.0,
    10080.0,
    43200.0,
    np.inf,
]


def response_histogram(S: State) -> dict:
    """Leads by first-response time, with how many of them sales accepted (SAL) and qualified (SQL)."""
    S = by_contact(S)
    touched = _stamp(S.first_touch) & _stamp(S.mql_at)
    response = (S.first_touch - S.mql_at)[touched]
    sal = _stamp(S.sal_at)[touched]
    sql = _stamp(S.sql_at)[touched]
    edges = np.array(RESPONSE_EDGES)
    leads, _ = np.histogram(response, bins=edges)
    sals, _ = np.histogram(response[sal], bins=edges)
    sqls, _ = np.histogram(response[sql], bins=edges)
    return {
        "edges_minutes": [float(e) for e in edges],
        "leads": leads.tolist(),
        "sal": sals.tolist(),
        "sql": sqls.tolist(),
    }


# Fixed yardsticks of first response, on the reps' working clock: independent of the SLA target.
YARDSTICKS = {"5min": 5.0, "1h": 60.0}


def response_clocks(S: State, P: Params) -> dict:
    """First-response times of routed leads on both clocks, and the share of MQLs outside hours.

    Working-clock ages count only the reps' working minutes (weekdays inside the shift, or
    every minute on a 24/7 calendar), as CRM SLA timers do."""
    S = by_contact(S)
    routed = _stamp(S.routed_at) & _stamp(S.mql_at)
    start = S.mql_at[routed]
    touch = S.first_touch[routed]
    w_start = _working_minutes(P, start)
    w_touch = _working_minutes(P, touch)
    w_age = w_touch - w_start
    calendar = touch - start
    # A lead's business day is the one in which its working clock starts (the next one, after hours).
    day_end = (np.floor(w_start / P.work_minutes) + 1.0) * P.work_minutes
    mql = S.mql_at[_stamp(S.mql_at)]
    in_hours = _working_minutes(P, mql + 1e-6) > _working_minutes(P, mql)  # the working clock runs
    n = int(routed.sum())

    def share(mask):
        return float(mask.sum() / n) if n else float("nan")

    touched = ~np.isnan(touch)
    sla_age = calendar if P.sla_clock == 1 else w_age
    return {
        "sla_met_share": share(touched & (sla_age <= P.sla)),
        "touched_within": {
            **{k: share(touched & (w_age <= v)) for k, v in YARDSTICKS.items()},
            "same_business_day": share(touched & (w_touch <= day_end)),
        },
        "response_business_minutes": {
            "p50": float(np.percentile(w_age[touched], 50)) if touched.any() else float("nan"),
            "p90": float(np.percentile(w_age[touched], 90)) if touched.any() else float("nan"),
        },
        "mql_after_hours_share": float(1.0 - in_hours.mean()) if mql.size else float("nan"),
    }


def lead_load(S: State, P: Params) -> dict:
    """Fairness of lead load across the reps who work leads: the Gini coefficient and the
    coefficient of variation of routed leads per rep (0 = every rep got as many)."""
    S = by_contact(S)
    n = int(P.lead_hi - P.lead_lo)
    owner = S.rep[_stamp(S.routed_at) & (S.rep >= P.lead_lo) & (S.rep < P.lead_hi)] - P.lead_lo
    x = np.sort(np.bincount(owner.astype(np.int64), minlength=n).astype(float)) if n else np.zeros(0)
    if n == 0 or x.sum() == 0:
        return {"gini": 0.0, "cv": 0.0}
    gini = float((2.0 * np.arange(1, n + 1) - n - 1).dot(x) / (n * x.sum()))
    return {"gini": gini, "cv": float(x.std() / x.mean())}


def summarize(S: State, P: Params, days: int) -> dict:
    """The run's summary.json: revenue, funnel, response times, SLA, rep time, cost, economics and capacity."""
    S = by_contact(S)
    deals = S.deals[: S.n_deals[0]]
    outcome = deals[:, DEALS.index("outcome")]
    closed = len(deals)
    won = int(S.totals[T["won"]])
    mkt = S.source == st.SOURCE_MARKETING
    touched = _stamp(S.first_touch) & _stamp(S.mql_at)
    response = (S.first_touch - S.mql_at)[touched]
    routed = _stamp(S.routed_at)
    clocks = response_clocks(S, P)
    ledger = S.ledger.sum(axis=0)
    total_time = float(ledger.sum())
    daily = S.daily[:days]
    touches = daily[:, DAILY.index("touches_email") : DAILY.index("touches_email") + 4].sum(axis=0)
    marketing_cost = float((touches * P.ch_cost).sum())
    sales_cost = float(P.rep_cost * P.reps * days)
    revenue = float(S.totals[T["revenue"]])
    share = {name: float(ledger[k] / total_time) if total_time else 0.0 for k, name in enumerate(st.ACTIVITY_NAMES)}
    out = {
        "revenue": revenue,
        "deals_won": won,
        "deals_lost": int(S.totals[T["lost"]]),
        "deals_no_decision": int(S.totals[T["no_decision"]]),
        "win_rate": float(won / closed) if closed else 0.0,
        "cycle_days_mean": float(S.totals[T["cycle_days_sum"]] / closed) if closed else float("nan"),
        "waterfall": waterfall(S),
        "stages": stage_counts(S),
        "conversion": conversions(S),
        "response_minutes": {
            "mean": float(response.mean()) if response.size else float("nan"),
            "p50": float(np.percentile(response, 50)) if response.size else float("nan"),
            "p90": float(np.percentile(response, 90)) if response.size else float("nan"),
        },
        "sla_minutes": float(P.sla),
        "sla_clock": ("business", "calendar")[P.sla_clock],
        **clocks,
        "sla_breaches": int(daily[:, DAILY.index("sla_breached")].sum()),
        "reassigned": int(daily[:, DAILY.index("reassigned")].sum()),
        "rejected_by_sales": int(daily[:, DAILY.index("rejected")].sum()),
        "rejected_share": float(
            daily[:, DAILY.index("rejected")].sum() / max(1.0, daily[:, DAILY.index("first_touches")].sum())
        ),
        "never_touched_share": float((S.stage == st.NEVER_TOUCHED).sum() / routed.sum()) if routed.sum() else 0.0,
        "rep_time_share": share,
        "lead_load": lead_load(S, P),
        "selling_time_share": share["lead_followup"] + share["opportunity"],
        "revenue_by_source": {
            "marketing": float(S.totals[T["revenue_marketing"]]),
            "sales": float(S.totals[T["revenue_sales"]]),
        },
        "opportunities_by_source": {
            "marketing": int(daily[:, DAILY.index("opportunities_marketing")].sum()),
            "sales": int(daily[:, DAILY.index("opportunities_sales")].sum()),
        },
        "cost": {"marketing": marketing_cost, "sales": sales_cost},
        "pipeline_open": float(S.opp_value[S.opp_open == 1].sum()),
        "rep_hours": total_time / 60.0,
        "selling_hours": (ledger[st.LEAD_FOLLOWUP] + ledger[st.OPPORTUNITY_WORK]) / 60.0,
        "response_histogram": response_histogram(S),
        "contacts": int(S.stage.shape[0]),
        "accounts": int(P.n_accounts),
        "reps": int(P.reps),
        "days": int(days),
        "leads_marketing": int(mkt.sum()),
        "deal_outcomes": {
            "won": int((outcome == st.WON).sum()),
            "lost": int((outcome == st.LOST).sum()),
            "no_decision": int((outcome == st.NO_DECISION).sum()),
        },
        "lead_funnel": lead_funnel(S),
        "revenue_by_month": revenue_by_month(daily),
        "capacity": capacity(S, share, int(P.reps), days),
    }
    out["economics"] = economics(out)
    return out


def lead_funnel(S: State) -> dict[str, int]:
    """Marketing leads reaching each stage up to won: one unit (leads), so each bar over the one before is its
    conversion.  Prospecting contacts are left out; their deals are counted in deals, not leads."""
    S = by_contact(S)
    mkt = S.source == st.SOURCE_MARKETING
    return {
        "inquiry": int((_stamp(S.created) & mkt).sum()),
        "mql": int((_stamp(S.mql_at) & mkt).sum()),
        "sal": int((_stamp(S.sal_at) & mkt).sum()),
        "sql": int((_stamp(S.sql_at) & mkt).sum()),
        "opportunity": int((_stamp(S.sql_at) & _stamp(S.opp_at) & mkt).sum()),
        "won": int((_stamp(S.sql_at) & mkt & (S.stage == st.WON)).sum()),
    }


MONTH_DAYS = 30


def revenue_by_month(daily: np.ndarray) -> dict[str, float]:
    """Revenue booked in each 30-day month of the run (m01, m02, ...; the last month may be shorter)."""
    rev = daily[:, DAILY.index("revenue")]
    n = -(-len(rev) // MONTH_DAYS)
    return {f"m{k + 1:02d}": float(rev[k * MONTH_DAYS : (k + 1) * MONTH_DAYS].sum()) for k in range(n)}


def economics(summary: dict) -> dict[str, float]:
    """Money per unit of effort from a summary: return on sales + marketing cost, costs per MQL, SQL and
    opportunity, revenue per rep and pipeline velocity (opportunities x win rate x deal size / cycle days)."""
    cost = summary["cost"]["marketing"] + summary["cost"]["sales"]
    won = summary["deals_won"]
    opps = sum(summary["opportunities_by_source"].values())
    w = summary["waterfall"]
    cycle = summary["cycle_days_mean"]
    deal = summary["revenue"] / won if won else float("nan")

    def per(a, b):
        return float(a / b) if b else float("nan")

    velocity = opps * summary["win_rate"] * deal / cycle if won and cycle and np.isfinite(cycle) else float("nan")
    return {
        "total_cost": float(cost),
        "return_on_cost": per(summary["revenue"], cost),
        "cost_per_mql": per(summary["cost"]["marketing"], w["mql"]),
        "cost_per_sql": per(cost, w["sql"]),
        "cost_per_opportunity": per(cost, opps),
        "revenue_per_rep": per(summary["revenue"], summary["reps"]),
        "deal_size_mean": deal,
        "pipeline_velocity_per_day": float(velocity),
    }


def capacity(S: State, share: dict[str, float], reps: int, days: int) -> dict[str, float]:
    """How loaded the reps are: busy share of working time, and the lead backlog in their queues at day end."""
    backlog = S.daily[:days, DAILY.index("open_leads_end")]
    mean = float(backlog.mean()) if days else float("nan")
    return {
        "utilisation": 1.0 - share.get("idle", 0.0),
        "backlog_leads_mean": mean,
        "backlog_per_rep": mean / reps if reps else float("nan"),
        "backlog_leads_max": float(backlog.max()) if days else float("nan"),
    }


def daily_table(S: State, days: int) -> pd.DataFrame:
    df = pd.DataFrame(S.daily[:days], columns=list(DAILY))
    df.insert(0, "day", np.arange(days, dtype=np.int32))
    return df


def leads_table(S: State) -> pd.DataFrame:
    """The per-lead log: every contact that became a lead, times in minutes since the start."""
    S = by_contact(S)
    lead = _stamp(S.created)
    idx = np.flatnonzero(lead)
    stage_names = np.array(st.STAGE_NAMES, dtype=object)
    source_names = np.array(st.SOURCE_NAMES, dtype=object)
    rep = pd.array(S.rep[idx], dtype="Int32")
    rep[S.rep[idx] < 0] = pd.NA
    return pd.DataFrame(
        {
            "lead_id": idx.astype(np.int64),
            "account_id": S.c_acc[idx].astype(np.int64),
            "role": np.array(st.ROLE_NAMES, dtype=object)[S.c_role[idx]],
            "source": source_names[S.source[idx]],
            "created_at": S.created[idx],
            "mql_at": S.mql_at[idx],
            "routed_at": S.routed_at[idx],
            "first_touch_at": S.first_touch[idx],
            "sal_at": S.sal_at[idx],
            "sql_at": S.sql_at[idx],
            "opportunity_at": S.opp_at[idx],
            "closed_at": S.closed_at[idx],
            "rep_id": rep,
            "attempts": S.attempts[idx].astype(np.int32),
            "mql_count": S.mql_count[idx].astype(np.int32),
            "stage": stage_names[S.stage[idx]],
        }
    )


def deals_table(S: State) -> pd.DataFrame:
    deals = S.deals[: S.n_deals[0]]
    return pd.DataFrame(
        {
            "account_id": deals[:, 0].astype(np.int64),
            "rep_id": deals[:, 1].astype(np.int32),
            "source": np.array(st.SOURCE_NAMES, dtype=object)[deals[:, 2].astype(np.int64)],
            "created_at": deals[:, 3],
            "closed_at": deals[:, 4],
            "value": deals[:, 5],
            "outcome": np.array(st.STAGE_NAMES, dtype=object)[deals[:, 6].astype(np.int64)],
            "segment": np.array(st.SEGMENT_NAMES, dtype=object)[S.acc_seg[deals[:, 0].astype(np.int64)]],
        }
    )
