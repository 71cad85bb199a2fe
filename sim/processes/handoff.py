"""Handoff: MQLs are routed to reps (real time or by batched pull); reps' queues are built."""

import numpy as np
from numba import njit

from sim import stages as st
from sim.processes.common import lead_open
from sim.state import D

_ROUTED = D["routed"]
_NEVER = D["never_touched"]
_OPEN = D["open_leads"]


@njit(cache=True)
def routed_time(P, minute):
    """When sales can see a lead that became an MQL at `minute`."""
    if P.handoff_mode == 0:
        return minute
    k = np.ceil((minute - P.work_start) / P.batch_minutes)
    return P.work_start + k * P.batch_minutes


@njit(cache=True)
def choose_rep(S, P, c):
    """The rep who gets lead `c` under the routing rule."""
    R = P.reps
    if P.routing == 1:  # load balanced: fewest open leads, lowest index on ties
        best = 0
        for r in range(1, R):
            if S.rep_load[r] < S.rep_load[best]:
                best = r
        return best
    r = S.cursor[0] % R
    S.cursor[0] += 1
    return r


@njit(cache=True)
def route_new_mqls(S, P, d):
    """Route today's new MQLs in the order they arrived (ties by contact id)."""
    n = 0
    N = S.stage.shape[0]
    for c in range(N):
        if S.mql_day[c] == d and S.stage[c] == st.MQL:
            n += 1
    idx = np.empty(n, dtype=np.int64)
    times = np.empty(n, dtype=np.float64)
    k = 0
    for c in range(N):
        if S.mql_day[c] == d and S.stage[c] == st.MQL:
            idx[k] = c
            times[k] = S.lead_start[c]
            k += 1
    order = np.argsort(times, kind="mergesort")
    for j in range(n):
        c = idx[order[j]]
        r = choose_rep(S, P, c)
        t = routed_time(P, S.lead_start[c])
        S.rep[c] = r
        if S.routed_at[c] != S.routed_at[c]:
            S.routed_at[c] = t
        S.next_due[c] = t
        S.rep_load[r] += 1
        S.active[S.n_active[0]] = c
        S.n_active[0] += 1
    S.daily[d, _ROUTED] += n


@njit(cache=True)
def build_queues(S, P, d):
    """Drop closed leads, expire untouched ones, and lay each rep's queue out contiguously."""
    now = d * 1440.0
    m = 0
    for j in range(S.n_active[0]):
        c = S.active[j]
        if not lead_open(S.stage[c]):
            continue
        if S.attempts[c] == 0 and now - S.next_due[c] > P.expiry_minutes:
            S.stage[c] = st.NEVER_TOUCHED
            S.closed_at[c] = now
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
    for j in range(m):
        S.q_ptr[S.rep[S.active[j]] + 1] += 1
    for r in range(R):
        S.q_ptr[r + 1] += S.q_ptr[r]
        S.rep_load[r] = S.q_ptr[r + 1] - S.q_ptr[r]
    fill = S.q_ptr[:R].copy()
    for j in range(m):
        c = S.active[j]
        r = S.rep[c]
        S.q_idx[fill[r]] = c
        fill[r] += 1
    S.daily[d, _OPEN] = m
