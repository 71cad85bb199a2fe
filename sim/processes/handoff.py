"""Handoff: MQLs are routed to reps by the routing rule (in real time or by batched pull);
breached leads are handled by the breach rule; reps' queues are laid out for the day.
The rules themselves live in `sim.policies`."""

import numpy as np
from numba import njit

from sim import rng
from sim import stages as st
from sim.numba_cache import INTERNAL
from sim.policies import dispatch as rules
from sim.policies.helpers import REASSIGN
from sim.processes.common import inquiry_minute, is_workday, lead_open, new_lead, sla_age, start_episode
from sim.state import PENDING_CHUNK, D

_ROUTED = D["routed"]
_NEVER = D["never_touched"]
_OPEN = D["open_leads"]
_REASSIGNED = D["reassigned"]
_DAY_START = 2  # P.breach_check: the breach rule is asked when the day's queues are laid out


@njit(cache=True, inline="always")
def await_routing(S, c):
    """Contact `c` became an MQL: the next handoff scans its chunk of contacts for leads to route.
    A chunk lies inside one block, which belongs to one thread in the contact phase, so the flag needs no lock."""
    S.pending[c // PENDING_CHUNK] = 1


@njit(cache=True, inline="always")
def choose_rep(S, P, c, exclude=-1):
    """The rep who gets lead `c` under the routing rule; -1 if no rep can take it today."""
    return rules.route(S, P, np.int64(c), np.int64(exclude))  # one compiled signature


@njit(cache=True, inline="always")
def enqueue(S, P, c, r, t):
    L = S.lead[c]
    S.rep[L] = r
    if S.routed_at[L] != S.routed_at[L]:
        S.routed_at[L] = t
    S.next_due[L] = t
    S.queued[L] = 1
    if r >= 0:
        S.rep_load[r] += 1
        S.rep_new[r] += 1
    S.active[S.n_active[0]] = c
    S.n_active[0] += 1


@njit(cache=True, inline="always")
def start_day(S, P, d):
    """Who is at work today (counter-based absences) and a fresh daily lead count."""
    work = is_workday(P, d)
    for r in range(P.reps):
        off = not work or (P.absence_rate > 0.0 and rng.uniform(P.seed, rng.ABSENCE, r, d, 0) < P.absence_rate)
        S.rep_off[r] = 1 if off else 0
        S.rep_new[r] = 0


@njit(cache=True, **INTERNAL)
def route_new_mqls(S, P, d):
    """Route today's MQLs and yesterday's backlog in order of arrival (ties by contact id)."""
    start_day(S, P, d)
    n = 0
    N = S.stage.shape[0]
    for b in range(S.pending.shape[0]):  # only chunks with a new or waiting MQL, in contact order
        if S.pending[b] == 0:
            continue
        S.pending[b] = 0
        for c in range(b * PENDING_CHUNK, min(b * PENDING_CHUNK + PENDING_CHUNK, N)):
            if S.stage[c] != st.MQL:
                continue
            L = S.lead[c]
            if L < 0:  # a first MQL, made by today's contact phase: its row, with the minute it responded
                L = new_lead(S, c)
                start_episode(S, L, d * 1440.0 + inquiry_minute(P, c, d))
                S.mql_count[L] = 1
            if S.queued[L] == 0:
                S.scratch_i[n] = c
                n += 1
    sort_by_time(S, n)
    routed = 0
    for j in range(n):
        c = S.scratch_i[j]
        t = rules.routed_time(P, S.lead_start[S.lead[c]])
        if t < d * 1440.0:
            t = d * 1440.0
        if P.shared_queue == 1:
            enqueue(S, P, c, -1, t)
            routed += 1
            continue
        r = choose_rep(S, P, c, -1)
        if r >= 0:
            enqueue(S, P, c, r, t)
            routed += 1
        else:
            await_routing(S, c)  # no rep today: it waits for the next handoff
    S.daily[d, _ROUTED] += routed


@njit(cache=True, inline="always")
def sort_by_time(S, n):
    """Stable bottom-up merge sort of S.scratch_i[:n] (contacts) by lead start, without allocating."""
    a, b = S.scratch_i, S.scratch_j
    width = 1
    src_is_a = True
    while width < n:
        src = a if src_is_a else b
        dst = b if src_is_a else a
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i, j, k = lo, mid, lo
            while i < mid and j < hi:
                if S.lead_start[S.lead[src[j]]] < S.lead_start[S.lead[src[i]]]:
                    dst[k] = src[j]
                    j += 1
                else:
                    dst[k] = src[i]
                    i += 1
                k += 1
            while i < mid:
                dst[k] = src[i]
                i += 1
                k += 1
            while j < hi:
                dst[k] = src[j]
                j += 1
                k += 1
        src_is_a = not src_is_a
        width *= 2
    if not src_is_a:
        for k in range(n):
            a[k] = b[k]


@njit(cache=True, inline="always")
def reassign_breached(S, P, d, now):
    """Breach rules checked at day start: untouched leads past the SLA that the rule reassigns go
    to the next available rep under the routing rule."""
    moved = 0
    for j in range(S.n_active[0]):
        c = S.active[j]
        L = S.lead[c]
        if not lead_open(S.stage[c]) or S.attempts[L] > 0 or S.rep[L] < 0:
            continue
        if sla_age(P, S.lead_start[L], now) > P.sla and S.next_due[L] <= now:
            if rules.breach(S, P, np.int64(c), now) != REASSIGN:
                continue
            r = choose_rep(S, P, c, S.rep[L])
            if r >= 0 and r != S.rep[L]:
                S.rep[L] = r
                S.rep_new[r] += 1
                moved += 1
    S.daily[d, _REASSIGNED] += moved


@njit(cache=True, **INTERNAL)
def build_queues(S, P, d):
    """Drop closed leads, expire untouched ones, and lay each rep's queue out contiguously.
    Pooled routing keeps one shared queue (every rep scans the whole active list)."""
    now = d * 1440.0
    if P.breach_check == _DAY_START:
        reassign_breached(S, P, d, now + P.work_start)
    m = 0
    for j in range(S.n_active[0]):
        c = S.active[j]
        L = S.lead[c]
        if not lead_open(S.stage[c]):
            S.queued[L] = 0
            continue
        if S.attempts[L] == 0 and now - S.next_due[L] > P.expiry_minutes:
            S.stage[c] = st.NEVER_TOUCHED
            S.closed_at[L] = now
            S.queued[L] = 0
            S.daily[d, _NEVER] += 1
            continue
        S.active[m] = c
        m += 1
    S.n_active[0] = m
    R = P.reps
    for r in range(R + 1):
        S.q_ptr[r] = 0
    for r in range(R):
        S.rep_load[r] = 0
    if P.shared_queue == 1:
        for j in range(m):
            S.q_idx[j] = S.active[j]
            r = S.rep[S.lead[S.active[j]]]
            if r >= 0:
                S.rep_load[r] += 1
        for r in range(R + 1):
            S.q_ptr[r] = m if r > 0 else 0
        S.daily[d, _OPEN] = m
        return
    for j in range(m):
        S.q_ptr[S.rep[S.lead[S.active[j]]] + 1] += 1
    for r in range(R):
        S.q_ptr[r + 1] += S.q_ptr[r]
        S.rep_load[r] = S.q_ptr[r + 1] - S.q_ptr[r]
    for r in range(R):
        S.rep_fill[r] = S.q_ptr[r]
    for j in range(m):
        c = S.active[j]
        r = S.rep[S.lead[c]]
        S.q_idx[S.rep_fill[r]] = c
        S.rep_fill[r] += 1
    S.daily[d, _OPEN] = m
