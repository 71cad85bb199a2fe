"""Sales work in continuous time inside working hours: queues, attempts, acceptance, qualification,
opportunity work and prospecting, with every minute booked to the rep's time ledger.

A rep's day is a sequence of actions (`rep_act`): work the next due lead, or spend the time
until there is one on deals, prospecting or idle time.  Under `push` pickup a free rep takes a
lead the instant it falls due; under `poll` reps look at their queue only between blocks of
other work.  Reps with their own queues run their days independently (`rep_day`); a pooled
queue interleaves all reps' actions in time order (`pooled_day`), so the next free rep takes
the next lead.  An attempt that runs past the end of a shift takes its remaining minutes from
the rep's next shift, so no service time is lost at the day boundary.
"""

import math

import numpy as np
from numba import njit

from sim import rng
from sim import stages as st
from sim.numba_cache import INTERNAL
from sim.params import PUSH
from sim.policies import dispatch as rules
from sim.policies.helpers import FIRST, KEEP, RECYCLE, back_to_marketing
from sim.processes.common import intent, lead_decay, lead_open, sla_age
from sim.state import RS

_FT = RS["first_touches"]
_SLA = RS["sla_met"]
_SAL = RS["sals"]
_SQL = RS["sqls"]
_REJ = RS["rejected"]
_REC = RS["recycled"]
_DQ = RS["disqualified"]
_MEET = RS["meetings"]
_BREACH = RS["sla_breached"]
_ON_SIGHT = 1  # P.breach_check: the breach rule is asked when a rep scans the queue


@njit(cache=True, inline="always")
def queue_range(S, P, r):
    if P.shared_queue == 1:
        return 0, S.n_active[0]
    return S.q_ptr[r], S.q_ptr[r + 1]


@njit(cache=True, **INTERNAL)
def breach_on_sight(S, P, r, c, t, d):
    """The breach rule's action for untouched lead `c` seen at `t` (KEEP if within the SLA); a
    recycled lead goes back to marketing here.  Compiled once, outside the queue scan."""
    if sla_age(P, S.lead_start[S.lead[c]], t) <= P.sla:
        return KEEP
    act = rules.breach(S, P, c, t)
    if act == RECYCLE:
        back_to_marketing(S, P, c, t, st.RECYCLED, P.recycle_days, d)
        S.rep_stats[r, _BREACH] += 1
        S.rep_stats[r, _REC] += 1
    return act


@njit(cache=True, **INTERNAL)
def next_lead(S, P, r, t, d):
    """The lead rep `r` works next at time `t` by the queue discipline, or -1 if none is due.
    Breach rules checked on sight may put a breached lead first or send it back to marketing."""
    best = -1
    best_key = 0.0
    best_breach = False
    lo, hi = queue_range(S, P, r)
    for k in range(lo, hi):
        c = S.q_idx[k]
        if not lead_open(S.stage[c]):
            continue
        L = S.lead[c]
        if S.next_due[L] > t:
            continue
        owner = S.rep[L]
        if owner != r and owner >= 0:
            continue
        breach = False
        if P.breach_check == _ON_SIGHT and S.attempts[L] == 0:
            act = breach_on_sight(S, P, r, np.int64(c), t, d)
            if act == RECYCLE:
                continue
            breach = act == FIRST
        key = rules.queue_key(S, P, c, d)
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
def reject(S, P, c, t, d):
    """Sales rejects the lead; the rejected-lead rule says where it goes."""
    rules.reject(S, P, np.int64(c), t, d)  # one compiled signature


@njit(cache=True, inline="always")
def handling_minutes(S, P, c, d, n):
    """Time one attempt takes: fixed, or exponential or lognormal around the stated mean."""
    m = P.attempt_minutes
    if P.handling == 1:
        return m * rng.exponential(P.seed, rng.HANDLING, c, d, n)
    if P.handling == 2:
        s2 = math.log(1.0 + P.handling_cv * P.handling_cv)
        z = rng.normal(P.seed, rng.HANDLING, c, d, n)
        return m * math.exp(math.sqrt(s2) * z - 0.5 * s2)
    return m


@njit(cache=True, **INTERNAL)
def attempt(S, P, r, c, t, d):
    """Rep `r` tries lead `c` at time `t`; returns the minutes it took."""
    seed = P.seed
    L = S.lead[c]
    n = S.attempts[L]
    age = t - S.lead_start[L]
    if n == 0:
        S.rep[L] = r
        S.ep_touch[L] = t
        S.rep_stats[r, _FT] += 1
        if sla_age(P, S.lead_start[L], t) <= P.sla:
            S.rep_stats[r, _SLA] += 1
        else:
            S.rep_stats[r, _BREACH] += 1
        if S.first_touch[L] != S.first_touch[L]:
            S.first_touch[L] = t
    S.attempts[L] = n + 1
    dial = handling_minutes(S, P, c, d, n)
    g = lead_decay(P, age)
    if rng.uniform(seed, rng.REACH, c, d, n) < P.reach_rate * g**P.reach_share:
        fit = S.acc_fit[S.c_acc[c]]
        if S.stage[c] == st.MQL:
            seen = fit + P.observe_noise * rng.normal(seed, rng.OBSERVE, c, d, n)
            if P.lead_def == 0 and seen < P.acceptance:
                reject(S, P, c, t, d)
                S.rep_stats[r, _REJ] += 1
                return dial + 0.5 * P.conv_minutes
            S.stage[c] = st.SAL
            if S.sal_at[L] != S.sal_at[L]:
                S.sal_at[L] = t
            S.rep_stats[r, _SAL] += 1
        inten = intent(S, P, S.c_acc[c], d)
        q = P.qualify_rate * (0.6 + 0.4 * fit) * (0.7 + 0.3 * inten) * g ** (1.0 - P.reach_share)
        if rng.uniform(seed, rng.QUALIFY, c, d, n) < q:
            S.stage[c] = st.SQL
            if S.sql_at[L] != S.sql_at[L]:
                S.sql_at[L] = t
            S.rep_stats[r, _SQL] += 1
            emit(S, P, r, st.EV_SQL, t, c)
        else:
            S.stage[c] = st.DISQUALIFIED
            S.closed_at[L] = t
            S.rep_stats[r, _DQ] += 1
        return dial + P.conv_minutes
    if n + 1 >= P.max_attempts or rng.uniform(seed, rng.GIVE_UP, c, d, n) < P.give_up:
        back_to_marketing(S, P, c, t, st.RECYCLED, P.recycle_days, d)
        S.rep_stats[r, _REC] += 1
    else:
        due = S.ep_touch[L] + P.cadence[n + 1]
        S.next_due[L] = due if due > t + dial else t + dial
    return dial


@njit(cache=True, inline="always")
def works_leads(P, r):
    return P.lead_lo <= r < P.lead_hi


@njit(cache=True, inline="always")
def rep_begin(S, P, r, d):
    """Open rep `r`'s day: clear today's counters, set the day's caps and clock.  Admin is done in
    the gaps between leads (see `spend`), so a rep can answer a lead at any time of the shift."""
    for k in range(S.rep_stats.shape[1]):
        S.rep_stats[r, k] = 0
    for k in range(5):
        S.rep_today[r, k] = 0.0
    S.ev_n[r] = 0
    S.rep_att[r] = 1.0
    S.rep_block[r] = 0
    S.rep_idle[r] = -1.0
    S.rep_admin[r] = 0.0
    if S.rep_off[r] == 1:
        S.rep_t[r] = 0.0
        S.rep_end[r] = 0.0
        return
    t = d * 1440.0 + P.work_start
    S.rep_t[r] = t
    S.rep_end[r] = t + P.work_minutes
    if S.rep_carry[r] > 0.0:
        # The rest of an attempt that ran past the end of the last shift.
        work_lead(S, P, r, t, S.rep_carry[r])
    S.rep_lead_cap[r] = (P.work_minutes if P.leads_only == 1 else P.max_lead_share * P.work_minutes) * (
        1.0 if works_leads(P, r) else 0.0
    )
    S.rep_prosp_cap[r] = 0.0 if P.leads_only == 1 else P.max_prosp_share * P.work_minutes
    if P.allocation > 0 and S.rep_prosp_cap[r] > 0.0:
        # A prospecting block opens the day before the queue is looked at.
        block = S.rep_prosp_cap[r]
        prospect(S, P, r, d, S.rep_t[r], block)
        S.rep_t[r] += block


@njit(cache=True, **INTERNAL)
def prospect(S, P, r, d, t, minutes):
    """Outbound prospecting for `minutes`; a meeting becomes a sales-sourced opportunity."""
    S.rep_today[r, st.PROSPECTING] += minutes
    lam = P.meeting_rate * minutes / 60.0
    n = rng.poisson(P.seed, rng.PROSPECT, r, d, S.rep_block[r], lam) if lam > 0.0 else 0
    S.rep_block[r] += 1
    for i in range(n):
        # Meetings are numbered within the rep's day so each picks its account with fresh draws.
        S.rep_stats[r, _MEET] += 1
        emit(S, P, r, st.EV_MEETING, t + minutes * (i + 0.5) / n, S.rep_stats[r, _MEET])


@njit(cache=True, inline="always")
def work_lead(S, P, r, t, minutes):
    """Book `minutes` of lead work from `t`; what runs past the shift's end carries to the next."""
    room = S.rep_end[r] - t
    done = minutes if minutes < room else (room if room > 0.0 else 0.0)
    S.rep_carry[r] = minutes - done
    S.rep_today[r, st.LEAD_FOLLOWUP] += done
    S.rep_t[r] = t + done


@njit(cache=True, inline="always")
def next_due_time(S, P, r, t_end):
    """The earliest time a lead rep `r` may work falls due, or `t_end` if none does before it."""
    w = t_end
    lo, hi = queue_range(S, P, r)
    for k in range(lo, hi):
        c = S.q_idx[k]
        if not lead_open(S.stage[c]):
            continue
        L = S.lead[c]
        owner = S.rep[L]
        if (owner == r or owner < 0) and S.next_due[L] < w:
            w = S.next_due[L]
    return w


@njit(cache=True, **INTERNAL)
def spend(S, P, r, d, t, t1):
    """Time between lead work: a switch, then the day's admin, deals, prospecting; the rest idle."""
    w = t1 - t
    sw = P.switch_minutes if P.switch_minutes < w else w
    S.rep_today[r, st.ADMIN] += sw
    w -= sw
    a = P.admin_share * P.work_minutes - S.rep_admin[r]
    a = a if a < w else w
    if a > 0.0:
        S.rep_today[r, st.ADMIN] += a
        S.rep_admin[r] += a
        w -= a
    if P.leads_only == 0:
        o = S.rep_need[r] - S.rep_today[r, st.OPPORTUNITY_WORK]
        o = o if o < w else w
        if o > 0.0:
            S.rep_today[r, st.OPPORTUNITY_WORK] += o
            w -= o
        p = S.rep_prosp_cap[r] - S.rep_today[r, st.PROSPECTING]
        p = p if p < w else w
        if p > 0.0:
            prospect(S, P, r, d, t, p)
            w -= p
    S.rep_today[r, st.IDLE] += w


@njit(cache=True, **INTERNAL)
def rep_act(S, P, r, d):
    """One action of rep `r`: attempt the next due lead, or wait for one doing other work.

    Push: a rep with nothing due waits until the next lead falls due (its other work is booked
    as one block when the wait ends).  Poll: it spends one block until its next queue check."""
    t = S.rep_t[r]
    t_end = S.rep_end[r]
    takes = S.rep_today[r, st.LEAD_FOLLOWUP] < S.rep_lead_cap[r]
    if takes:
        c = next_lead(S, P, r, t, d)
        if c >= 0:
            if S.rep_idle[r] >= 0.0:
                spend(S, P, r, d, S.rep_idle[r], t)
                S.rep_idle[r] = -1.0
            work_lead(S, P, r, t, attempt(S, P, r, c, t, d))
            return
    if P.pickup == PUSH:
        if S.rep_idle[r] < 0.0:
            S.rep_idle[r] = t
        wake = next_due_time(S, P, r, t_end) if takes else t_end
        if wake >= t_end:
            spend(S, P, r, d, S.rep_idle[r], t_end)
            S.rep_idle[r] = -1.0
            wake = t_end
        S.rep_t[r] = wake
        return
    nxt = t + S.rep_check[r]  # per-rep poll pace (P.check_minutes unless `funnelsim experiment` treats the rep)
    if nxt > t_end:
        nxt = t_end
    spend(S, P, r, d, t, nxt)
    S.rep_t[r] = nxt


@njit(cache=True, inline="always")
def rep_finish(S, P, r):
    """Close the day: book today's minutes to the ledger and the attention deals received."""
    for k in range(5):
        S.ledger[r, k] += S.rep_today[r, k]
    need = S.rep_need[r]
    if S.rep_off[r] == 1 or P.leads_only == 1:
        S.rep_att[r] = 1.0 if P.leads_only == 1 else 0.0
    else:
        S.rep_att[r] = S.rep_today[r, st.OPPORTUNITY_WORK] / need if need > 0.0 else 1.0


@njit(cache=True, **INTERNAL)
def rep_day(S, P, r, d):
    """One day of rep `r` working its own queue.  Writes only its own leads, ledger and events."""
    rep_begin(S, P, r, d)
    while S.rep_t[r] < S.rep_end[r] - 1e-9:
        rep_act(S, P, r, d)
    rep_finish(S, P, r)


@njit(cache=True, **INTERNAL)
def pooled_day(S, P, d):
    """All reps' days interleaved in time order over one shared queue (ties: lowest rep index)."""
    for r in range(P.reps):
        rep_begin(S, P, r, d)
    while True:
        best = -1
        for r in range(P.reps):
            if S.rep_t[r] < S.rep_end[r] - 1e-9 and (best < 0 or S.rep_t[r] < S.rep_t[best]):
                best = r
        if best < 0:
            break
        rep_act(S, P, np.int64(best), d)  # int64, as in `rep_day`: the callees compile once
    for r in range(P.reps):
        rep_finish(S, P, r)
