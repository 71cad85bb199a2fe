"""Sales work in continuous time inside business hours: queues, attempts, acceptance, qualification,
opportunity work and prospecting, with every minute booked to the rep's time ledger."""

import math

from numba import njit

from sim import rng
from sim import stages as st
from sim.processes.common import engagement, intent, is_workday, lead_decay, lead_open, score
from sim.state import RS

_FT = RS["first_touches"]
_SLA = RS["sla_met"]
_SAL = RS["sals"]
_SQL = RS["sqls"]
_REJ = RS["rejected"]
_REC = RS["recycled"]
_DQ = RS["disqualified"]
_MEET = RS["meetings"]


@njit(cache=True, inline="always")
def next_lead(S, P, r, t, d):
    """The lead rep `r` works next at time `t` by the queue discipline, or -1 if none is due."""
    best = -1
    best_key = 0.0
    best_breach = False
    for k in range(S.q_ptr[r], S.q_ptr[r + 1]):
        c = S.q_idx[k]
        if not lead_open(S.stage[c]) or S.next_due[c] > t:
            continue
        breach = P.breach_action == 1 and S.attempts[c] == 0 and t - S.lead_start[c] > P.sla
        if P.discipline == 0:
            key = S.next_due[c]
        elif P.discipline == 1:
            key = -S.lead_start[c]
        else:
            key = -score(P, S.c_fit[c], engagement(S, P, c, d))
        if best < 0 or (breach and not best_breach) or (breach == best_breach and key < best_key):
            best = c
            best_key = key
            best_breach = breach
    return best


@njit(cache=True, inline="always")
def emit(S, P, r, kind, t, c):
    """Queue an account-level event for the sequential phase after all reps' days."""
    n = S.ev_n[r]
    if n < P.ev_cap:
        S.ev_kind[r, n] = kind
        S.ev_time[r, n] = t
        S.ev_c[r, n] = c
        S.ev_n[r] = n + 1


@njit(cache=True, inline="always")
def back_to_marketing(S, P, c, t, stage, wait_days, d):
    S.stage[c] = stage
    S.closed_at[c] = t
    S.recycle_day[c] = d + wait_days
    S.eng[c] = 0.0
    S.eng_day[c] = d


@njit(cache=True, inline="always")
def attempt(S, P, r, c, t, d):
    """Rep `r` tries lead `c` at time `t`; returns the minutes it took."""
    seed = P.seed
    n = S.attempts[c]
    age = t - S.lead_start[c]
    if n == 0:
        S.ep_touch[c] = t
        S.rep_stats[r, _FT] += 1
        if age <= P.sla:
            S.rep_stats[r, _SLA] += 1
        if S.first_touch[c] != S.first_touch[c]:
            S.first_touch[c] = t
    S.attempts[c] = n + 1
    g = lead_decay(P, age)
    if rng.uniform(seed, rng.REACH, c, d, n) < P.reach_rate * g**P.reach_share:
        fit = S.c_fit[c]
        if S.stage[c] == st.MQL:
            seen = fit + P.observe_noise * rng.normal(seed, rng.OBSERVE, c, d, n)
            if seen < P.acceptance:
                back_to_marketing(S, P, c, t, st.REJECTED, P.nurture_days, d)
                S.rep_stats[r, _REJ] += 1
                return P.attempt_minutes + 0.5 * P.conv_minutes
            S.stage[c] = st.SAL
            if S.sal_at[c] != S.sal_at[c]:
                S.sal_at[c] = t
            S.rep_stats[r, _SAL] += 1
        inten = intent(S, P, S.c_acc[c], d)
        q = P.qualify_rate * (0.6 + 0.4 * fit) * (0.7 + 0.3 * inten) * g ** (1.0 - P.reach_share)
        if rng.uniform(seed, rng.QUALIFY, c, d, n) < q:
            S.stage[c] = st.SQL
            if S.sql_at[c] != S.sql_at[c]:
                S.sql_at[c] = t
            S.rep_stats[r, _SQL] += 1
            emit(S, P, r, st.EV_SQL, t, c)
        else:
            S.stage[c] = st.DISQUALIFIED
            S.closed_at[c] = t
            S.rep_stats[r, _DQ] += 1
        return P.attempt_minutes + P.conv_minutes
    if n + 1 >= P.max_attempts or rng.uniform(seed, rng.GIVE_UP, c, d, n) < P.give_up:
        back_to_marketing(S, P, c, t, st.RECYCLED, P.recycle_days, d)
        S.rep_stats[r, _REC] += 1
    else:
        due = S.ep_touch[c] + P.cadence[n + 1]
        S.next_due[c] = due if due > t + P.attempt_minutes else t + P.attempt_minutes
    return P.attempt_minutes


@njit(cache=True)
def rep_day(S, P, r, d):
    """One working day of rep `r`: admin, due leads by discipline, then deals, prospecting or idle
    in blocks between queue checks.  Writes only rep `r`'s own leads, ledger and event buffer."""
    seed = P.seed
    for k in range(S.rep_stats.shape[1]):
        S.rep_stats[r, k] = 0
    S.ev_n[r] = 0
    S.rep_att[r] = 1.0
    for k in range(5):
        S.rep_today[r, k] = 0.0
    if not is_workday(d):
        return
    t = d * 1440.0 + P.work_start
    admin = P.admin_share * P.work_minutes
    t_end = t + P.work_minutes - admin
    lead_cap = P.max_lead_share * P.work_minutes
    prosp_cap = P.max_prosp_share * P.work_minutes
    need = S.rep_need[r]
    lead = 0.0
    prosp = 0.0
    opp = 0.0
    idle = 0.0
    block = 0
    while t < t_end - 1e-9:
        c = next_lead(S, P, r, t, d) if lead < lead_cap else -1
        if c >= 0:
            dur = attempt(S, P, r, c, t, d)
            if dur > t_end - t:
                dur = t_end - t
            lead += dur
            t += dur
            continue
        nxt = t + P.check_minutes
        if nxt > t_end:
            nxt = t_end
        w = nxt - t
        sw = P.switch_minutes if P.switch_minutes < w else w
        admin += sw
        w -= sw
        o = need - opp
        o = o if o < w else w
        if o > 0.0:
            opp += o
            w -= o
        p = prosp_cap - prosp
        p = p if p < w else w
        if p > 0.0:
            prosp += p
            w -= p
            chance = 1.0 - math.exp(-P.meeting_rate * p / 60.0)
            if rng.uniform(seed, rng.PROSPECT, r, d, block) < chance:
                S.rep_stats[r, _MEET] += 1
                emit(S, P, r, st.EV_MEETING, t, block)
        idle += w
        t = nxt
        block += 1
    S.rep_today[r, st.LEAD_FOLLOWUP] = lead
    S.rep_today[r, st.PROSPECTING] = prosp
    S.rep_today[r, st.OPPORTUNITY_WORK] = opp
    S.rep_today[r, st.ADMIN] = admin
    S.rep_today[r, st.IDLE] = idle
    for k in range(5):
        S.ledger[r, k] += S.rep_today[r, k]
    S.rep_att[r] = opp / need if need > 0.0 else 1.0
