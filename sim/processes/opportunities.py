"""Opportunities: opened from SQLs and prospecting meetings, worked by reps, closed won, lost
or no decision; revenue booked on a win."""

import math

from numba import njit

from sim import rng
from sim import stages as st
from sim.numba_cache import INTERNAL
from sim.processes.common import intent, is_workday, new_lead
from sim.processes.market import OUT_OF_MARKET, in_market
from sim.state import DL, D, T

_OPP_M = D["opportunities_marketing"]
_OPP_S = D["opportunities_sales"]
_WON = D["won"]
_LOST = D["lost"]
_ND = D["no_decision"]
_REV = D["revenue"]
_CUR_AE = 5
_T_CYCLE_DAYS_SUM = T["cycle_days_sum"]
_T_LOST = T["lost"]
_T_MEETINGS_WASTED = T["meetings_wasted"]
_T_NO_DECISION = T["no_decision"]
_T_REVENUE = T["revenue"]
_T_REVENUE_MARKETING = T["revenue_marketing"]
_T_REVENUE_SALES = T["revenue_sales"]
_T_WON = T["won"]
_DL_ACCOUNT = DL["account"]
_DL_CLOSED_AT = DL["closed_at"]
_DL_CREATED_AT = DL["created_at"]
_DL_OUTCOME = DL["outcome"]
_DL_REP = DL["rep"]
_DL_SOURCE = DL["source"]
_DL_VALUE = DL["value"]


@njit(cache=True, inline="always")
def open_opportunity(S, P, a, c, t, d, source, r):
    seed = P.seed
    seg = S.acc_seg[a]
    S.opp_open[a] = 1
    S.opp_created[a] = t
    S.opp_value[a] = rng.gamma_mean_cv(seed, rng.OPPORTUNITY, a, d, 1, P.deal_value[seg], P.deal_cv[seg])
    cycle = rng.gamma_mean_cv(seed, rng.CYCLE, a, d, 0, P.cycle_days[seg], 0.5)
    S.opp_close_day[a] = d + max(1, int(cycle + 0.5))
    S.opp_source[a] = source
    S.opp_rep[a] = r
    S.opp_need[a] = P.opp_minutes[seg]
    S.opp_att[a] = 0.0
    S.opp_att_days[a] = 0
    S.opp_intent[a] = intent(S, P, a, d)
    S.rep_need[r] += P.opp_minutes[seg]
    S.rep_opps[r] += 1
    S.stage[c] = st.OPPORTUNITY
    S.opp_at[S.lead[c]] = t
    S.daily[d, _OPP_M if source == st.SOURCE_MARKETING else _OPP_S] += 1
    S.opp_list[S.n_opps[0]] = a  # joins the open list; opportunities_day puts it in account order
    S.n_opps[0] += 1


@njit(cache=True, inline="always")
def available_for_prospecting(stage):
    return (
        stage == st.KNOWN
        or stage == st.INQUIRY
        or stage == st.REJECTED
        or stage == st.RECYCLED
        or stage == st.DISQUALIFIED
        or stage == st.NEVER_TOUCHED
    )


@njit(cache=True, inline="always")
def deal_owner(S, P, r, a):
    """The AE who owns a deal: the rep who found it, or (from an SDR) the account owner or next AE."""
    if r < P.n_ae:
        return r
    if P.owner_deals == 1:
        return S.acc_owner[a]
    k = S.cursor[_CUR_AE] % P.n_ae
    S.cursor[_CUR_AE] += 1
    return k


@njit(cache=True, **INTERNAL)
def on_sql(S, P, r, c, t, d):
    """An SQL opens an opportunity for its account, joins an open one, or is disqualified."""
    seed = P.seed
    a = S.c_acc[c]
    if S.opp_open[a] == 1:
        S.stage[c] = st.OPPORTUNITY
        S.opp_at[S.lead[c]] = t
    elif S.acc_customer[a] == 0 and rng.uniform(seed, rng.OPPORTUNITY, c, d, 0) < P.sql_to_opp:
        open_opportunity(S, P, a, c, t, d, st.SOURCE_MARKETING, deal_owner(S, P, r, a))
    else:
        S.stage[c] = st.DISQUALIFIED
        S.closed_at[S.lead[c]] = t


@njit(cache=True, **INTERNAL)
def on_meeting(S, P, r, block, t, d):
    """A prospecting meeting: pick among a few accounts, preferring one in market, and open a deal."""
    seed = P.seed
    chosen = -1
    for j in range(4):
        a = int(rng.uniform(seed, rng.PROSPECT_ACCOUNT, r, d, 4 * block + j) * P.n_accounts)
        if S.opp_open[a] == 1 or S.acc_customer[a] == 1 or d < S.acc_cool[a]:
            continue
        if not available_for_prospecting(S.stage[S.acc_start[a]]):
            continue
        if chosen < 0 or (in_market(S, a) and not in_market(S, chosen)):
            chosen = a
    if chosen < 0:
        S.totals[_T_MEETINGS_WASTED] += 1
        return
    c = S.acc_start[chosen]
    new_lead(S, c)  # the prospect's clocks: a row in the lead table
    if S.created[c] != S.created[c]:
        S.created[c] = t
        S.source[c] = st.SOURCE_SALES
    open_opportunity(S, P, chosen, c, t, d, st.SOURCE_SALES, deal_owner(S, P, r, chosen))


@njit(cache=True, **INTERNAL)
def apply_events(S, P, d):
    """Apply the reps' account-level events in a fixed order: rep by rep, as they happened."""
    for r in range(P.reps):
        for k in range(S.ev_n[r]):
            if S.ev_kind[r, k] == st.EV_SQL:
                on_sql(S, P, r, S.ev_c[r, k], S.ev_time[r, k], d)
            else:
                on_meeting(S, P, r, S.ev_c[r, k], S.ev_time[r, k], d)
        S.ev_n[r] = 0


@njit(cache=True, inline="always")
def win_chance(S, P, a):
    att = S.opp_att[a] / S.opp_att_days[a] if S.opp_att_days[a] > 0 else 1.0
    p = P.win_rate * (1.0 - P.fit_effect + P.fit_effect * S.acc_fit[a])
    if S.acc_dm[a] >= 2:
        p *= P.two_dm_factor
    p *= att**P.att_elast * (0.6 + 0.4 * S.opp_intent[a])
    return p if p < 0.95 else 0.95


@njit(cache=True, inline="always")
def close_opportunity(S, P, a, d):
    seed = P.seed
    t = d * 1440.0 + P.work_start + P.work_minutes
    p_win = win_chance(S, P, a)
    extra = S.acc_size[a] - 8
    p_nd = P.nd_rate + P.nd_per_member * (extra if extra > 0 else 0)
    p_nd = p_nd if p_nd < 0.95 else 0.95
    u = rng.uniform(seed, rng.OUTCOME, a, d, 0)
    if u < p_win:
        outcome = st.WON
    elif rng.uniform(seed, rng.OUTCOME, a, d, 1) < p_nd:
        outcome = st.NO_DECISION
    else:
        outcome = st.LOST
    value = S.opp_value[a]
    r = S.opp_rep[a]
    n = S.n_deals[0]
    S.deals[n, _DL_ACCOUNT] = a
    S.deals[n, _DL_REP] = r
    S.deals[n, _DL_SOURCE] = S.opp_source[a]
    S.deals[n, _DL_CREATED_AT] = S.opp_created[a]
    S.deals[n, _DL_CLOSED_AT] = t
    S.deals[n, _DL_VALUE] = value
    S.deals[n, _DL_OUTCOME] = outcome
    S.n_deals[0] = n + 1
    S.totals[_T_CYCLE_DAYS_SUM] += (t - S.opp_created[a]) / 1440.0
    if outcome == st.WON:
        S.totals[_T_REVENUE] += value
        S.totals[_T_WON] += 1
        if S.opp_source[a] == st.SOURCE_MARKETING:
            S.totals[_T_REVENUE_MARKETING] += value
        else:
            S.totals[_T_REVENUE_SALES] += value
        S.daily[d, _WON] += 1
        S.daily[d, _REV] += value
        S.acc_customer[a] = 1
        S.acc_cool[a] = d + P.customer_days
    else:
        S.totals[_T_LOST if outcome == st.LOST else _T_NO_DECISION] += 1
        S.daily[d, _LOST if outcome == st.LOST else _ND] += 1
        S.acc_cool[a] = d + P.cool_off_days
    if in_market(S, a):
        S.n_in_market[0] -= 1
    S.acc_since[a] = OUT_OF_MARKET
    S.opp_open[a] = 0
    S.acc_due[a] = d + 1  # the market looks at the account again tomorrow
    S.rep_need[r] -= S.opp_need[a]
    if S.rep_need[r] < 1e-9:
        S.rep_need[r] = 0.0
    S.rep_opps[r] -= 1
    for c in range(S.acc_start[a], S.acc_start[a] + S.acc_size[a]):
        if S.stage[c] == st.OPPORTUNITY:
            S.stage[c] = outcome
            S.closed_at[S.lead[c]] = t


@njit(cache=True, inline="always")
def sort_open_list(S):
    """Insertion sort of the open list: it is in account order but for the deals opened since the last day."""
    for j in range(1, S.n_opps[0]):
        a = S.opp_list[j]
        k = j - 1
        while k >= 0 and S.opp_list[k] > a:
            S.opp_list[k + 1] = S.opp_list[k]
            k -= 1
        S.opp_list[k + 1] = a


@njit(cache=True, **INTERNAL)
def opportunities_day(S, P, d):
    """Book the reps' attention to each open deal and close the deals that reach their end, in account
    order (the deal log and the totals depend on it).  Only the open list is visited, not every account;
    it is left holding the deals still open, in account order (observe sums the pipeline over it)."""
    work = is_workday(P, d)
    sort_open_list(S)
    m = 0
    last = -1
    for j in range(S.n_opps[0]):
        a = S.opp_list[j]
        if S.opp_open[a] == 0 or a == last:  # closed by a direct call (unit tests), or listed twice
            continue
        last = a
        if work:
            S.opp_att[a] += S.rep_att[S.opp_rep[a]]
            S.opp_att_days[a] += 1
        if d >= S.opp_close_day[a]:
            close_opportunity(S, P, a, d)
            continue
        S.opp_list[m] = a
        m += 1
    S.n_opps[0] = m


@njit(cache=True, **INTERNAL)
def feedback(S, P, d):
    """Closed loop: sales dispositions of the last 90 days re-weight marketing's score towards
    what converts (rules: fit against engagement; predictive: a sharper model)."""
    if P.feedback_days == 0 or (d + 1) % P.feedback_days != 0:
        return
    since = (d - 90) * 1440.0
    nq = nn = 0
    fq = fn = 0.0
    for c in range(S.stage.shape[0]):
        L = S.lead[c]
        if L < 0 or S.mql_at[L] != S.mql_at[L] or S.lead_start[L] < since:
            continue
        if S.sql_at[L] == S.sql_at[L]:
            nq += 1
            fq += S.acc_fit[S.c_acc[c]]
        elif S.stage[c] != st.MQL and S.stage[c] != st.SAL:
            nn += 1
            fn += S.acc_fit[S.c_acc[c]]
    if nq == 0 or nn == 0:
        return
    if P.scoring == 1:
        w = S.score_w[0] * (1.0 + 0.05 * P.feedback_rate)
        S.score_w[0] = w if w < 2.0 else 2.0
        return
    delta = P.feedback_rate * (fq / nq - fn / nn) / 0.2
    w_fit = S.score_w[0] * math.exp(delta)
    w_eng = S.score_w[1] * math.exp(-0.5 * delta)
    S.score_w[0] = min(max(w_fit, 0.5), 2.5)
    S.score_w[1] = min(max(w_eng, 0.5), 2.0)
