"""The fast driver's kernels: the behaviour functions looped over ranges of entities.

Accounts, contacts and reps are independent within a phase, so each phase is split into
ranges run on worker threads (the kernels release the GIL).  Phases that touch shared accounts
run sequentially.  Results do not depend on the number of threads: every draw is counter-based
and every count is an integer summed in a fixed order.

Python calls compiled code through one entry point, `day_kernel`: a piece of a phase over a
range, whole days on one thread, or whole days on a team of threads that meet in compiled code
between pieces (one call per thread, `TEAM`).  Every other compiled function is internal
(`sim.numba_cache.INTERNAL`): each Python entry point unboxes the whole state on every call
(about 16 us) and costs about a second of compile time, and the bodies it calls are compiled
again into it.  The phases of the day are pieces with a code each (`PIECES`); the compiled day
runs the pieces of `sim.schedule.NAMES` in that order (`DAY_PIECES`), so the schedule is still
written once.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from sim.lowering import TupleValueCompiler
from sim.numba_cache import INTERNAL
from sim.processes.arrivals import arrivals_day
from sim.processes.handoff import build_queues, route_new_mqls
from sim.processes.market import account_day
from sim.processes.marketing import contact_day
from sim.processes.observe import observe
from sim.processes.opportunities import apply_events, feedback, opportunities_day
from sim.processes.reach import BLOCK, block_reach, new_scratch
from sim.processes.sales import pooled_day, rep_day
from sim.pure import pure
from sim.schedule import NAMES
from sim.state import (
    NO_ROOM,
    ROOM_CLOSING,
    ROOM_HANDOFF,
    D,
    deals_needed,
    lead_capacity,
    lead_room,
    leads_needed,
    make_room,
)
from sim.sync import atomic_add, atomic_load, atomic_store, wait_at_least

_INQ = D["inquiries"]
_MQL = D["mqls"]
_TOUCH = D["touches_email"]
N_COUNTS = 7  # a range's counts: inquiries, MQLs, touches by channel 0-3 (contacts); in-market change (accounts)
_MOVED = 6

# The pieces of the day, by code.  A piece runs over a range [lo, hi) of the entities its extent
# counts (`piece_extent`); an extent of 1 means the piece runs whole, on one thread.  A new piece needs
# a code here, its extent in `piece_extent` (if it ranges), its branch in `run_piece`, its place in
# `PIECES` and its chunk in `CHUNK` (0: whole); a range piece that counts writes its own row of
# `counts` and a whole piece after it sums them.
MARKET = 0  # accounts: entering and leaving the market; the in-market change into its row of `counts`
CONTACTS = 1  # blocks of contacts: reach and response; counts into its row of `counts`
TALLY = 2  # whole: the contact ranges' counts into the day's row, in row order
HANDOFF = 3  # whole: stated arrivals, routing, the day's queues
REPS = 4  # reps: each rep's working day (whole when the reps share one queue)
CLOSING = 5  # whole: account events, deals closing, feedback, observation
DAYS = 6  # not a piece: whole days on one thread (`day_kernel`)
MARKET_TALLY = 7  # whole: the account ranges' in-market changes into the running count
TEAM = 8  # not a piece: whole days on a team of threads, one call per thread (the words below `run_piece`)

# Each phase of `sim.schedule` as its pieces, in order.
PIECES = {
    "market": (MARKET, MARKET_TALLY),
    "marketing": (CONTACTS, TALLY),
    "handoff": (HANDOFF,),
    "sales": (REPS,),
    "closing": (CLOSING,),
}
DAY_PIECES = np.array([code for name in NAMES for code in PIECES[name]], dtype=np.int64)
PHASE_OF = {code: name for name, codes in PIECES.items() for code in codes}


@njit(cache=True, inline="always")
def piece_extent(S, P, code):
    """How many entities the piece `code` ranges over (1: it runs whole)."""
    if code == MARKET:
        return np.int64(P.n_accounts)
    if code == CONTACTS:
        return np.int64((S.stage.shape[0] + BLOCK - 1) // BLOCK)
    if code == REPS and P.shared_queue == 0:
        return np.int64(P.reps)
    return np.int64(1)


@njit(cache=True, **INTERNAL)
def contacts_range(S, P, d, lo, hi, out, hit_c, hit_u, seen):
    """Blocks lo..hi-1 of contacts: only the contacts the day reaches are visited (sim/processes/reach.py).
    Adds (inquiries, MQLs, touches by channel 0-3) to `out`."""
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
    out[0] += inquiries
    out[1] += mqls
    out[2] += t0
    out[3] += t1
    out[4] += t2
    out[5] += t3


@njit(cache=True, inline="always")
def tally(S, d, counts):
    """The contact ranges' counts into day d's row (integers: the same sums in any split), then cleared."""
    for k in range(_MOVED):
        total = 0
        for i in range(counts.shape[0]):
            total += counts[i, k]
            counts[i, k] = 0
        S.daily[d, _INQ if k == 0 else _MQL if k == 1 else _TOUCH + k - 2] += total


@njit(cache=True, inline="always")
def market_tally(S, counts):
    """The account ranges' in-market changes into the running count (integers: any split), then cleared."""
    total = 0
    for i in range(counts.shape[0]):
        total += counts[i, _MOVED]
        counts[i, _MOVED] = 0
    S.n_in_market[0] += total


@njit(cache=True, inline="always")
def handoff_phase(S, P, d):
    """Stated arrivals, routing of new MQLs, then the day's queues (the reference driver runs it as Python)."""
    arrivals_day(S, P, d)
    route_new_mqls(S, P, d)
    build_queues(S, P, d)


@njit(cache=True, inline="always")
def close_phase(S, P, d):
    """The reps' account events in order, deals closing, feedback, observation (both drivers)."""
    apply_events(S, P, d)
    opportunities_day(S, P, d)
    feedback(S, P, d)
    observe(S, P, d)


@njit(cache=True, inline="always")
def deal_room(S):
    """The deal log holds every deal the next day could close (the test of `sim.state.grow_deals`)."""
    return S.n_deals[0] + deals_needed(S) <= S.deals.shape[0]


@njit(cache=True, inline="always")
def has_lead_room(S, code, d):
    """The lead table holds every lead piece `code` could add on day d (the test of `sim.state.make_room`)."""
    room = ROOM_HANDOFF if code == HANDOFF else (ROOM_CLOSING if code == CLOSING else NO_ROOM)
    return S.n_leads[0] + leads_needed(S, room, d) <= S.rep.shape[0]


@njit(cache=True, inline="always")
def run_piece(S, P, day, c, a, b, row, counts, hit_c, hit_u, seen):
    """Piece `c` of day `day` over entities a..b-1 (a whole piece ignores them), on row `row` of the
    scratch and counts."""
    if c == MARKET:
        moved = 0
        for i in range(a, b):
            moved += account_day(S, P, i, day)
        counts[row, _MOVED] += moved
    elif c == MARKET_TALLY:
        market_tally(S, counts)
    elif c == CONTACTS:
        contacts_range(S, P, day, a, b, counts[row], hit_c[row], hit_u[row], seen[row])
    elif c == TALLY:
        tally(S, day, counts)
    elif c == HANDOFF:
        handoff_phase(S, P, day)
    elif c == REPS:
        if P.shared_queue == 1:
            pooled_day(S, P, day)  # reps interleave over one shared queue
        else:
            for i in range(a, b):
                rep_day(S, P, i, day)
    elif c == CLOSING:
        close_phase(S, P, day)


# Whole days on several threads (`TEAM`).  Each thread of the team calls `day_kernel` once per call of
# many days, with its own row; row 0 leads.  The leader runs the whole pieces and the tests for room
# while the others wait, and starts each range piece by raising a generation word; then every thread
# claims chunks of the piece's range from a shared counter until none are left (a thread slowed by other
# work on the machine claims fewer), and the leader waits until all have finished it.  The words live in
# row 0 of the counts, after the counts themselves.  Any split of a range gives the same numbers.
SYNC = 8  # first column of the words in row 0 of `counts`
GEN, ARRIVED, NEXT, CMD, DAY, ABORT, RESULT = range(SYNC, SYNC + 7)
COUNT_COLUMNS = 16  # the counts and the words: two 64-byte lines a row
STOP = -1  # the command that ends a call
ABORTED = -1  # what a team call returns when a thread of the team failed before it could join
# Entities claimed at once, by piece code (0: the piece runs whole): contact blocks one by one (about 12 us
# each at the default reach), accounts and reps in runs long enough that two threads rarely write to the
# same cache line of a per-account or per-rep array (chunks of 4 reps made the rep piece no faster on two
# threads than on one).
CHUNK = np.array([4096, 1, 0, 0, 32, 0, 0, 0], dtype=np.int64)


@njit(cache=True, inline="always")
def on_team(S, P, c):
    """Whether piece `c` is split over the team (else the leader runs it whole)."""
    return CHUNK[c] > 0 and piece_extent(S, P, c) > 1


@njit(cache=True, inline="always")
def chunk_of(S, P, c, threads):
    """Entities claimed at once in piece `c`: `CHUNK`, or fewer so a small range still splits into 4 a thread."""
    return max(np.int64(1), min(CHUNK[c], piece_extent(S, P, c) // (4 * threads)))


# A `DAYS` call returns the days it ran × RESUME + the piece of the next day it stopped before (0: none).
RESUME = 16


@njit(cache=True, nogil=True, _nrt=False, no_cfunc_wrapper=True, pipeline_class=TupleValueCompiler)
def day_kernel(S, P, d, code, lo, hi, row, counts, hit_c, hit_u, seen):
    """The one entry point from Python.  Piece `code` of day d over entities lo..hi-1, on row `row` of
    the scratch and counts; or (`DAYS`) the pieces of whole days d..hi-1 on one thread, from piece `lo`
    of day d, stopping early before a day whose deals might not fit the deal log or before a piece whose
    new leads might not fit the lead table (the caller grows them and calls again from there); or
    (`TEAM`) the same days as thread `row` of a team, each thread calling once (see `TEAM` above).
    Returns the days run × RESUME + the index in `DAY_PIECES` of the piece it stopped before (0: none),
    or `ABORTED`.  `run_piece` is called at one place only: LLVM inlines the process functions into it."""
    team = code == TEAM
    whole = code == DAYS or team
    lead = row == 0 or not team
    others = counts.shape[0] - 1
    words = counts[0]
    n_days = hi - d if whole else 1
    n_pieces = DAY_PIECES.shape[0] if whole else 1
    result = n_days * RESUME
    k, j, gen, c, day, step = 0, lo if whole else 0, 0, code, d, 0
    a, z, b = lo, hi, hi  # the range to run, a..z-1, and the end of the piece's range
    claiming = False  # in a range piece of the team
    while True:
        if claiming:  # the next chunk; at the end the others report to the leader, who waits for them
            a = atomic_add(words, NEXT, step)
            if a >= b:
                claiming = False
                if not lead:
                    atomic_add(words, ARRIVED, 1)
                elif not wait_at_least(words, ARRIVED, others, ABORT):
                    return ABORTED
                else:
                    atomic_store(words, ARRIVED, 0)
                    j += 1
                continue
            z = min(a + step, b)
        elif not lead:  # the leader's next command
            if not wait_at_least(words, GEN, gen + 1, ABORT):
                return ABORTED
            gen += 1
            c = atomic_load(words, CMD)
            if c == STOP:
                return atomic_load(words, RESULT)
            day, b, step, claiming = atomic_load(words, DAY), piece_extent(S, P, c), chunk_of(S, P, c, others + 1), True
            continue
        else:  # the next piece, after the tests for room
            if j == n_pieces:
                k, j = k + 1, 0
                if k == n_days:
                    break
                if not deal_room(S):
                    result = k * RESUME
                    break
            day = d + k
            if whole:
                c = DAY_PIECES[j]
                if not has_lead_room(S, c, day):
                    result = k * RESUME + j
                    break
                if team and on_team(S, P, c):
                    b, step, claiming = piece_extent(S, P, c), chunk_of(S, P, c, others + 1), True
                    atomic_store(words, NEXT, 0)
                    atomic_store(words, DAY, day)
                    atomic_store(words, CMD, c)
                    gen += 1
                    atomic_store(words, GEN, gen)  # the others start
                    continue
                a, z = 0, piece_extent(S, P, c)
            j += 1
        run_piece(S, P, day, c, a, z, row, counts, hit_c, hit_u, seen)
    if team:
        atomic_store(words, RESULT, result)
        atomic_store(words, CMD, STOP)
        atomic_store(words, GEN, gen + 1)
    return result


# Below about this many contacts per thread, a thread's daily hand-off costs more than it saves.
CONTACTS_PER_THREAD = 250_000
MAX_THREADS = 8


def default_threads(n_contacts: int = 0) -> int:
    """Threads for a market of `n_contacts`: one per 250,000 contacts, at least 1, at most one per core (and 8).
    Results are the same on any thread count, so this only chooses speed."""
    by_size = n_contacts // CONTACTS_PER_THREAD if n_contacts > 0 else MAX_THREADS
    return max(1, min(os.cpu_count() or 1, MAX_THREADS, by_size))


_extent = pure(piece_extent)


def _line_aligned_zeros(rows: int, columns: int) -> np.ndarray:
    """int64 zeros starting on a 64-byte cache line: each row of `COUNT_COLUMNS` is then two lines of its own,
    and the team's words share a line with no thread's counts."""
    raw = np.zeros(rows * columns + 8, dtype=np.int64)
    skip = (-raw.ctypes.data % 64) // 8
    return raw[skip : skip + rows * columns].reshape(rows, columns)


class FastDriver:
    """Steps days with the compiled kernels: many days per call, on one thread or on a team of threads that
    meet in compiled code between pieces (`TEAM`); the pieces one by one as `sim.schedule` orders them, each
    piece's ranges on a fixed pool of worker threads, are the phase methods below."""

    def __init__(self, threads: int = 0, n_contacts: int = 0):
        self.threads = threads if threads > 0 else default_threads(n_contacts)
        # The calling thread runs the first range (or leads the team) itself: one thread hand-off fewer.
        self.pool = ThreadPoolExecutor(self.threads - 1) if self.threads > 1 else None
        self.counts = _line_aligned_zeros(self.threads, COUNT_COLUMNS)
        self.hit_c, self.hit_u, self.seen = new_scratch(self.threads)  # one row per thread

    def _ranges(self, n):
        k = self.threads
        edges = [n * i // k for i in range(k + 1)]
        return [(edges[i], edges[i + 1]) for i in range(k) if edges[i + 1] > edges[i]]

    def _piece(self, code, S, P, d):
        """Piece `code` of day d, its ranges split over the threads."""
        scratch = (self.counts, self.hit_c, self.hit_u, self.seen)
        calls = [(lo, hi, row) for row, (lo, hi) in enumerate(self._ranges(_extent(S, P, code)))]
        if self.pool is None or len(calls) == 1:
            for lo, hi, row in calls:
                day_kernel(S, P, d, code, lo, hi, row, *scratch)
            return
        rest = [self.pool.submit(day_kernel, S, P, d, code, lo, hi, row, *scratch) for lo, hi, row in calls[1:]]
        day_kernel(S, P, d, code, *calls[0], *scratch)
        for f in rest:
            f.result()

    def _phase(self, name, S, P, d):
        for code in PIECES[name]:
            self._piece(code, S, P, d)

    def step(self, S, P, d, make_room=make_room):
        """One simulated day in one call (per thread).  `make_room(S, phase, d)` grows the lead table before
        a phase that could fill it; returns the state."""
        return self.run_days(S, P, d, d + 1, make_room)[0]

    def _member(self, S, P, d, start, end, row):
        """A worker thread's part of a team call; if it fails before joining, the others stop waiting."""
        try:
            return day_kernel(S, P, d, TEAM, start, end, row, self.counts, self.hit_c, self.hit_u, self.seen)
        except BaseException:
            self.counts[0, ABORT] = 1
            raise

    def _days(self, S, P, d, start, end):
        """One call of days d..end-1 from piece `start` of day d: on this thread, or on the team."""
        if self.pool is None:
            return int(day_kernel(S, P, d, DAYS, start, end, 0, self.counts, self.hit_c, self.hit_u, self.seen))
        self.counts[0, SYNC:] = 0
        members = [self.pool.submit(self._member, S, P, d, start, end, row) for row in range(1, self.threads)]
        try:
            result = int(self._member(S, P, d, start, end, 0))
        finally:
            for f in members:
                f.exception()  # every member has left the compiled code before the tables may change
        for f in members:
            f.result()
        if result == ABORTED:
            raise RuntimeError("a thread of the fast driver's team stopped")
        return result

    def run_days(self, S, P, d, end, make_room=make_room):
        """Days d..end-1 in calls of many days, up to a day whose deals might not fit the deal log (grow it
        with `sim.state.grow_deals` and call again); the lead table is grown with `make_room` where a day
        stops for it, and the day goes on from there.  Returns (the state, the days run)."""
        done = piece = 0
        while d + done < end:
            days, piece = divmod(self._days(S, P, d + done, piece, end), RESUME)
            done += days
            if piece == 0:
                break
            phase = PHASE_OF[int(DAY_PIECES[piece])]
            S = make_room(S, phase, d + done)
            if S.n_leads[0] + lead_room(S, phase, d + done) > lead_capacity(S):
                raise RuntimeError(f"the lead table did not grow before the {phase} phase of day {d + done}")
        return S, done

    def market(self, S, P, d):
        self._phase("market", S, P, d)

    def marketing(self, S, P, d):
        self._phase("marketing", S, P, d)

    def handoff(self, S, P, d):
        self._phase("handoff", S, P, d)

    def sales(self, S, P, d):
        self._phase("sales", S, P, d)

    def closing(self, S, P, d):
        self._phase("closing", S, P, d)

    def close(self):
        if self.pool is not None:
            self.pool.shutdown()
