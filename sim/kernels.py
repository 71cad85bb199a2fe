"""The fast driver's kernels: the behaviour functions looped over ranges of entities.

Accounts, contacts and reps are independent within a phase, so each phase is split into
contiguous ranges run on worker threads (the kernels release the GIL).  Phases that touch
shared accounts run sequentially.  Results do not depend on the number of threads: every
draw is counter-based and every count is an integer summed in a fixed order.

The per-entity kernels run without Numba's reference counting (`_nrt=False`): they allocate
nothing, and refcount updates on the state tuple's arrays would otherwise dominate their cost.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from sim.processes.arrivals import arrivals_day
from sim.processes.handoff import build_queues, route_new_mqls
from sim.processes.market import account_day
from sim.processes.marketing import contact_day
from sim.processes.observe import observe
from sim.processes.opportunities import apply_events, feedback, opportunities_day
from sim.processes.reach import block_reach, n_blocks, new_scratch
from sim.processes.sales import pooled_day, rep_day
from sim.schedule import run_day
from sim.state import D

_INQ = D["inquiries"]
_MQL = D["mqls"]
_TOUCH = D["touches_email"]


@njit(cache=True, nogil=True, _nrt=False, no_cfunc_wrapper=True)
def accounts_range(S, P, d, lo, hi):
    """Accounts lo..hi-1; returns their change in the number of accounts in market."""
    moved = 0
    for a in range(lo, hi):
        moved += account_day(S, P, a, d)
    return moved


@njit(cache=True, nogil=True, _nrt=False, no_cfunc_wrapper=True)
def contacts_range(S, P, d, lo, hi, out, hit_c, hit_u, seen):
    """Blocks lo..hi-1 of contacts: only the contacts the day reaches are visited (sim/processes/reach.py).
    out gets (inquiries, MQLs, touches by channel 0-3)."""
    inquiries = mqls = t0 = t1 = t2 = t3 = 0  # counted in registers, stored once
    for b in range(lo, hi):
        n = block_reach(S, P, b, d, hit_c, hit_u, seen)
        for j in range(n):
            ch, i, m = contact_day(S, P, hit_c[j], d, hit_u[j])
            inquiries += i
            mqls += m
            if ch == 0:
                t0 += 1
            elif ch == 1:
                t1 += 1
            elif ch == 2:
                t2 += 1
            elif ch == 3:
                t3 += 1
    out[0], out[1], out[2], out[3], out[4], out[5] = inquiries, mqls, t0, t1, t2, t3


@njit(cache=True, nogil=True, _nrt=False, no_cfunc_wrapper=True)
def reps_range(S, P, d, lo, hi):
    for r in range(lo, hi):
        rep_day(S, P, r, d)


@njit(cache=True, _nrt=False, no_cfunc_wrapper=True)
def pooled_reps(S, P, d):
    pooled_day(S, P, d)


@njit(cache=True, _nrt=False, no_cfunc_wrapper=True)
def handoff_phase(S, P, d):
    """Stated arrivals, routing of new MQLs, then the day's queues (the reference driver runs it as Python)."""
    arrivals_day(S, P, d)
    route_new_mqls(S, P, d)
    build_queues(S, P, d)


@njit(cache=True, _nrt=False, no_cfunc_wrapper=True)
def close_phase(S, P, d):
    """The reps' account events in order, deals closing, feedback, observation (both drivers)."""
    apply_events(S, P, d)
    opportunities_day(S, P, d)
    feedback(S, P, d)
    observe(S, P, d)


# Below about this many contacts per thread, a thread's daily hand-off costs more than it saves.
CONTACTS_PER_THREAD = 250_000
MAX_THREADS = 8


def default_threads(n_contacts: int = 0) -> int:
    """Threads for a market of `n_contacts`: one per 250,000 contacts, at least 1, at most one per core (and 8).
    Results are the same on any thread count, so this only chooses speed."""
    by_size = n_contacts // CONTACTS_PER_THREAD if n_contacts > 0 else MAX_THREADS
    return max(1, min(os.cpu_count() or 1, MAX_THREADS, by_size))


class FastDriver:
    """Steps days with the compiled kernels on a fixed pool of worker threads."""

    def __init__(self, threads: int = 0, n_contacts: int = 0):
        self.threads = threads if threads > 0 else default_threads(n_contacts)
        # The calling thread runs the first range itself: one thread hand-off fewer per phase.
        self.pool = ThreadPoolExecutor(self.threads - 1) if self.threads > 1 else None
        self.counts = np.zeros((self.threads, 6), dtype=np.int64)
        self.hit_c, self.hit_u, self.seen = new_scratch(self.threads)  # one row per thread

    def _ranges(self, n):
        k = self.threads
        edges = [n * i // k for i in range(k + 1)]
        return [(edges[i], edges[i + 1]) for i in range(k)]

    def _map(self, fn, n, *extra):
        calls = []
        for i, (lo, hi) in enumerate(self._ranges(n)):
            args = (*extra, lo, hi)
            if fn is contacts_range:
                args = (*args, self.counts[i], self.hit_c[i], self.hit_u[i], self.seen[i])
            calls.append(args)
        if self.pool is None:
            return [fn(*args) for args in calls]
        rest = [self.pool.submit(fn, *args) for args in calls[1:]]
        return [fn(*calls[0]), *(f.result() for f in rest)]

    def step(self, S, P, d, make_room=None):
        """One simulated day on the fast driver, phase by phase as `sim.schedule` orders them; returns the state."""
        return run_day(self, S, P, d, make_room)

    def market(self, S, P, d):
        S.n_in_market[0] += sum(self._map(accounts_range, P.n_accounts, S, P, d))  # integers: any order

    def marketing(self, S, P, d):
        self._map(contacts_range, n_blocks(S.stage.shape[0]), S, P, d)
        tot = self.counts.sum(axis=0)
        S.daily[d, _INQ] += tot[0]
        S.daily[d, _MQL] += tot[1]
        S.daily[d, _TOUCH : _TOUCH + 4] += tot[2:6]

    def handoff(self, S, P, d):
        handoff_phase(S, P, d)

    def sales(self, S, P, d):
        if P.shared_queue == 1:
            pooled_reps(S, P, d)
        else:
            self._map(reps_range, P.reps, S, P, d)

    def closing(self, S, P, d):
        close_phase(S, P, d)

    def close(self):
        if self.pool is not None:
            self.pool.shutdown()
