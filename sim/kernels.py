"""The fast driver's kernels: the behaviour functions looped over entities, in parallel where
entities are independent, sequentially where they share accounts or reps."""

from numba import njit, prange

from sim.processes.handoff import build_queues, route_new_mqls
from sim.processes.market import account_day
from sim.processes.marketing import contact_day
from sim.processes.observe import observe
from sim.processes.opportunities import apply_events, opportunities_day
from sim.processes.sales import rep_day
from sim.state import D

_INQ = D["inquiries"]
_MQL = D["mqls"]
_TOUCH = D["touches_email"]


@njit(parallel=True, cache=True)
def accounts_kernel(S, P, d):
    for a in prange(P.n_accounts):
        account_day(S, P, a, d)


@njit(parallel=True, cache=True)
def contacts_kernel(S, P, d):
    n = S.stage.shape[0]
    inq = 0
    mql = 0
    t0 = 0
    t1 = 0
    t2 = 0
    t3 = 0
    for c in prange(n):
        ch, i, m = contact_day(S, P, c, d)
        inq += i
        mql += m
        t0 += ch == 0
        t1 += ch == 1
        t2 += ch == 2
        t3 += ch == 3
    S.daily[d, _INQ] += inq
    S.daily[d, _MQL] += mql
    S.daily[d, _TOUCH] += t0
    S.daily[d, _TOUCH + 1] += t1
    S.daily[d, _TOUCH + 2] += t2
    S.daily[d, _TOUCH + 3] += t3


@njit(parallel=True, cache=True)
def reps_kernel(S, P, d):
    for r in prange(P.reps):
        rep_day(S, P, r, d)


@njit(cache=True)
def handoff_kernel(S, P, d):
    route_new_mqls(S, P, d)
    build_queues(S, P, d)


@njit(cache=True)
def close_day_kernel(S, P, d):
    apply_events(S, P, d)
    opportunities_day(S, P, d)
    observe(S, P, d)


def step_fast(S, P, d):
    """One simulated day on the fast driver."""
    accounts_kernel(S, P, d)
    contacts_kernel(S, P, d)
    handoff_kernel(S, P, d)
    reps_kernel(S, P, d)
    close_day_kernel(S, P, d)
