"""Model state as separate arrays, allocated once and filled (never per step)."""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from sim import rng
from sim.params import Params
from sim.processes.market import OUT_OF_MARKET, WINDOW_CV
from sim.processes.reach import BLOCK
from sim.pure import pure

ACCOUNT_FIELDS = (
    "acc_seg acc_fit acc_start acc_size acc_dm acc_since acc_until acc_cool acc_entry acc_draws acc_due "
    "acc_customer acc_owner "
    "opp_open opp_created opp_close_day opp_source opp_rep opp_value opp_need opp_att opp_att_days opp_intent"
).split()
CONTACT_FIELDS = "c_acc c_role eng eng_day stage source channel created lead touch_ch".split()
# A lead's clocks and work live in a row of the lead table, given to a contact when it first becomes
# an MQL or a prospect (`S.lead[c]`, -1 before): most contacts never become leads, so these columns
# are sized by the leads, not the contacts.  Times are minutes since the start (NaN: not reached).
LEAD_TIMES = "mql_at routed_at first_touch sal_at sql_at opp_at closed_at next_due lead_start ep_touch".split()
LEAD_FIELDS = LEAD_TIMES + "rep attempts mql_count recycle_day queued n_leads".split()
REP_FIELDS = (
    "rep_need rep_opps rep_att rep_load ledger rep_today rep_stats cursor "
    "rep_t rep_end rep_carry rep_idle rep_admin rep_block rep_lead_cap rep_prosp_cap rep_off rep_new rep_segment "
    "rep_wrr score_w rep_check"
).split()
# Lists of contacts sized by the lead table: open leads, the reps' queues, leads to route.
QUEUE_FIELDS = (
    "pending active n_active q_idx q_ptr ev_kind ev_time ev_c ev_n scratch_i scratch_j rep_fill "
    "opp_list n_opps n_in_market"
).split()
LEAD_SIZED = ("active", "q_idx", "scratch_i", "scratch_j")
TOTAL_FIELDS = "daily totals deals n_deals".split()

State = namedtuple("State", ACCOUNT_FIELDS + CONTACT_FIELDS + LEAD_FIELDS + REP_FIELDS + QUEUE_FIELDS + TOTAL_FIELDS)

# Columns of the daily table.
DAILY = (
    "inquiries mqls routed first_touches sla_met sals sqls rejected recycled disqualified never_touched "
    "opportunities_marketing opportunities_sales meetings won lost no_decision revenue pipeline open_leads "
    "in_market sla_breached reassigned open_opportunities open_leads_end "
    "lead_followup_minutes prospecting_minutes opportunity_minutes admin_minutes idle_minutes "
    "touches_email touches_paid_search touches_webinar touches_events"
).split()
D = {name: i for i, name in enumerate(DAILY)}

# Per-rep daily counters written by the rep's own day.
REP_STATS = "first_touches sla_met sals sqls rejected recycled disqualified meetings sla_breached".split()
RS = {name: i for i, name in enumerate(REP_STATS)}

# Running totals.
TOTALS = (
    "revenue revenue_marketing revenue_sales won lost no_decision cycle_days_sum meetings_wasted events_dropped".split()
)
T = {name: i for i, name in enumerate(TOTALS)}

# Columns of the deal log (one row per closed opportunity).
DEALS = "account rep source created_at closed_at value outcome".split()
DL = {name: i for i, name in enumerate(DEALS)}

NAN = np.nan
# Contacts per routing flag (`pending`, sim/processes/handoff.py): a divisor of BLOCK, so each flag belongs
# to the one thread that runs its block in the contact phase, and the handoff reads only flagged contacts.
PENDING_CHUNK = 64
assert BLOCK % PENDING_CHUNK == 0


_K_INV = WINDOW_CV * WINDOW_CV  # 1 / shape of the window-length gamma


@njit(cache=True)
def _setup_draws(seed, n_accounts, u_seg, u_fit, u_size, u_dm, u_mkt, u_len, mean_size):
    for a in range(n_accounts):
        u_seg[a] = rng.uniform(seed, rng.SETUP, a, -1, 0)
        u_fit[a] = rng.uniform(seed, rng.SETUP, a, -1, 1)
        u_dm[a] = rng.uniform(seed, rng.SETUP, a, -1, 3)
        u_mkt[a] = rng.uniform(seed, rng.SETUP, a, -1, 4)
        # The window around day 0, in units of the mean window: one seen on a given day is length-biased,
        # a gamma of shape k + 1 for windows of shape k = 1 / cv^2 (mean (k + 1) / k).
        u_len[a] = rng.gamma_mean_cv(seed, rng.SETUP, a, -1, 5, 1.0 + _K_INV, 1.0 / math.sqrt(1.0 + 1.0 / _K_INV))
    for a in range(n_accounts):
        # Segment is known after the first loop; group size = 2 + Poisson(mean - 2).
        s = 0
        while s < 2 and u_seg[a] > mean_size[3 + s]:
            s += 1
        u_size[a] = 2 + rng.poisson(seed, rng.SETUP, a, -1, 2, max(mean_size[s] - 2.0, 0.0))


def _beta_ppf(q, a, b):
    """Quantiles of Beta(a, b): SciPy's own ufunc behind `scipy.stats.beta.ppf` (same numbers), which
    spares a new process the import of scipy.stats."""
    try:
        from scipy.special._ufuncs import _beta_ppf as ppf
    except ImportError:  # another SciPy layout: the public route
        from scipy.stats import beta

        return beta.ppf(q, a, b)
    return ppf(q, a, b)


def _account_draws(p: Params):
    """Draw every account's fixed traits from the counter-based generator (shared by both drivers)."""
    n = p.n_accounts
    u = [np.empty(n) for _ in range(6)]
    sizes = np.concatenate([p.group_size, p.seg_cum])
    _setup_draws(p.seed, n, u[0], u[1], u[2], u[3], u[4], u[5], sizes)
    seg = np.searchsorted(p.seg_cum, u[0], side="right").clip(0, 2).astype(np.int8)
    fit = _beta_ppf(np.clip(u[1], 1e-12, 1 - 1e-12), p.fit_a, p.fit_b)
    size = u[2].astype(np.int64)
    return seg, fit, size, u[3], u[4], u[5]


def _rep_segments(p: Params) -> np.ndarray:
    """Territories: lead-working reps split among segments in proportion to segment shares."""
    seg = np.full(p.reps, -1, dtype=np.int8)
    n = p.lead_hi - p.lead_lo
    shares = np.diff(np.concatenate([[0.0], p.seg_cum]))
    counts = np.maximum(1, np.round(shares * n)).astype(int) if n >= 3 else np.ones(3, dtype=int)
    k = 0
    for r in range(p.lead_lo, p.lead_hi):
        while k < 2 and (seg[p.lead_lo : r] == k).sum() >= counts[k]:
            k += 1
        seg[r] = k if n >= 3 else (r - p.lead_lo) % 3
    return seg


def n_contacts(p: Params) -> int:
    return int(_account_draws(p)[2].sum())


def new_state(p: Params, n_contacts_hint: int | None = None) -> State:
    """Allocate and initialise the market: accounts, their buying groups, reps and counters."""
    seg, fit, size, u_dm, u_mkt, e_len = _account_draws(p)
    u_owner = np.array([rng.uniform(p.seed, rng.SETUP, a, -2, 0) for a in range(p.n_accounts)])
    A = p.n_accounts
    N = int(size.sum())
    R = p.reps
    start = np.zeros(A, dtype=np.int32)
    start[1:] = np.cumsum(size)[:-1]
    dm = np.where(u_dm < p.two_dm_share, 2, 1).astype(np.int8)

    # Accounts already in market on day 0, at the steady-state share, at a uniform point of a window of
    # the length seen on a random day: opened on or before day 0 (a day <= 0), closing after it.  The
    # others carry the out-of-market sentinel.
    win = p.in_market_days[seg]
    rate = p.in_market_rate * (0.5 + fit)
    share = rate * win / (1.0 + rate * win)
    in_mkt = u_mkt < share
    point = u_mkt / np.maximum(share, 1e-12)  # uniform in [0, 1) among the accounts in market
    span = e_len * win
    since = np.where(in_mkt, -np.floor(point * span), OUT_OF_MARKET)
    until = np.where(in_mkt, np.maximum(1.0, np.ceil((1.0 - point) * span)), 0)

    c_acc = np.repeat(np.arange(A, dtype=np.int32), size)
    pos = np.arange(N) - start[c_acc]
    role = np.where(pos < dm[c_acc], 0, np.where(pos % 2 == 0, 1, 2)).astype(np.int8)

    f8 = lambda n, v=NAN: np.full(n, v, dtype=np.float64)  # noqa: E731
    i4 = lambda n, v=0: np.full(n, v, dtype=np.int32)  # noqa: E731
    i1 = lambda n, v=0: np.full(n, v, dtype=np.int8)  # noqa: E731
    days = p.days
    # Staffing mode turns every contact it uses into a lead; otherwise the lead table starts small and grows.
    L = N if p.arrivals else min(N, max(256, N // 32))
    return State(
        acc_seg=seg,
        acc_fit=fit.astype(np.float64),
        acc_start=start,
        acc_size=size.astype(np.int32),
        acc_dm=dm,
        acc_since=since.astype(np.int32),
        acc_until=until.astype(np.int32),
        acc_cool=i4(A, -1),
        acc_entry=i4(A, -1),  # the account's next chance to enter the market (sim/processes/market.py)
        acc_draws=i4(A),  # chances drawn so far
        acc_due=i4(A),  # the next day the market phase looks at the account
        acc_customer=i1(A),
        acc_owner=np.minimum((u_owner * p.n_ae).astype(np.int32), p.n_ae - 1),
        opp_open=i1(A),
        opp_created=f8(A),
        opp_close_day=i4(A, -1),
        opp_source=i1(A),
        opp_rep=i4(A, -1),
        opp_value=f8(A, 0.0),
        opp_need=f8(A, 0.0),
        opp_att=f8(A, 0.0),
        opp_att_days=i4(A),
        opp_intent=f8(A, 0.0),
        c_acc=c_acc,
        c_role=role,
        eng=f8(N, 0.0),
        eng_day=i4(N),
        stage=i1(N),
        source=i1(N),
        channel=i1(N, -1),
        created=f8(N),
        lead=i4(N, -1),
        touch_ch=i1(N, -1),  # today's logged touch (sim/touches.py): channel + 8 if it created the lead
        **_lead_rows(L),
        n_leads=np.full(1, 0, dtype=np.int64),
        rep_need=f8(R, 0.0),
        rep_opps=i4(R),
        rep_att=f8(R, 1.0),
        rep_load=i4(R),
        ledger=np.full((R, 5), 0.0),
        rep_today=np.full((R, 5), 0.0),
        rep_stats=np.full((R, len(REP_STATS)), 0, dtype=np.int64),
        cursor=np.full(8, 0, dtype=np.int64),
        rep_t=np.full(R, 0.0),
        rep_end=np.full(R, 0.0),
        rep_carry=np.full(R, 0.0),
        rep_idle=np.full(R, -1.0),
        rep_admin=np.full(R, 0.0),
        rep_block=i4(R),
        rep_lead_cap=np.full(R, 0.0),
        rep_prosp_cap=np.full(R, 0.0),
        rep_off=i1(R),
        rep_new=i4(R),
        rep_segment=_rep_segments(p),
        rep_wrr=np.full(R, 0.0),
        score_w=np.full(2, 1.0),
        rep_check=np.full(R, p.check_minutes),  # poll pace per rep; `funnelsim experiment` treats some reps
        pending=i1(-(-N // PENDING_CHUNK)),  # chunks of contacts with an MQL waiting for routing (handoff.py)
        n_active=np.full(1, 0, dtype=np.int64),
        q_ptr=np.full(R + 1, 0, dtype=np.int64),
        ev_kind=np.full((R, p.ev_cap), 0, dtype=np.int8),
        ev_time=np.full((R, p.ev_cap), 0.0),
        ev_c=np.full((R, p.ev_cap), -1, dtype=np.int32),
        ev_n=i4(R),
        rep_fill=np.full(R + 1, 0, dtype=np.int64),
        opp_list=i4(A, -1),  # accounts with an open opportunity, in account order (sim/processes/opportunities.py)
        n_opps=np.full(1, 0, dtype=np.int64),
        n_in_market=np.full(1, int(in_mkt.sum()), dtype=np.int64),  # accounts in market (market.in_market)
        daily=np.full((days, len(DAILY)), 0.0),
        totals=np.full(len(TOTALS), 0.0),
        deals=np.full((max(1024, A // 4), len(DEALS)), NAN),
        n_deals=np.full(1, 0, dtype=np.int64),
    )


def _lead_rows(n: int, old: State | None = None) -> dict:
    """The lead table's columns with `n` rows (copying those of `old`)."""
    cols = {name: np.full(n, NAN) for name in LEAD_TIMES}
    cols.update(
        rep=np.full(n, -1, dtype=np.int32),
        attempts=np.zeros(n, dtype=np.int32),
        mql_count=np.zeros(n, dtype=np.int32),  # times the contact became an MQL
        recycle_day=np.zeros(n, dtype=np.int32),  # the day a lead sent back to marketing may qualify again
        queued=np.zeros(n, dtype=np.int8),
        active=np.full(n, -1, dtype=np.int32),
        q_idx=np.full(n, -1, dtype=np.int32),
        scratch_i=np.zeros(n, dtype=np.int32),
        scratch_j=np.zeros(n, dtype=np.int32),
    )
    if old is not None:
        for name, col in cols.items():
            was = getattr(old, name)
            col[: was.shape[0]] = was
    return cols


def lead_capacity(s: State) -> int:
    return int(s.rep.shape[0])


def grow_leads(s: State, room: int) -> State:
    """Make room in the lead table for `room` new leads before a phase that could create them.
    Grows by a quarter at least (never past one row per contact), so a run copies each row a few times."""
    n, cap, most = int(s.n_leads[0]), lead_capacity(s), int(s.stage.shape[0])
    if n + room <= cap:
        return s
    return s._replace(**_lead_rows(min(most, max(n + room, cap + cap // 4 + 1)), s))


# The phases that can add leads, as codes for the compiled test below.
NO_ROOM, ROOM_HANDOFF, ROOM_CLOSING = 0, 1, 2
ROOM_OF = {"handoff": ROOM_HANDOFF, "closing": ROOM_CLOSING}
_MQLS = D["mqls"]


@njit(cache=True, inline="always")
def leads_needed(S, room, d):
    """The most new leads phase `room` can create on day `d` (the one test both drivers apply): the handoff
    gives rows to the contact phase's new MQLs (at most the day's MQL count so far), the closing phase to
    the prospects of the reps' meetings."""
    need = np.int64(0)
    if room == ROOM_HANDOFF:
        need = np.int64(S.daily[d, _MQLS])
    elif room == ROOM_CLOSING:
        need = np.int64(S.ev_n.sum())  # a sum, not a loop: the Python twin runs between phases
    return need


@njit(cache=True, inline="always")
def deals_needed(S):
    """The most deals the next day can close: every open one, and one more."""
    return S.n_opps[0] + 1


def lead_room(s: State, phase: str, d: int) -> int:
    """The most new leads `phase` can create on day `d` (`leads_needed`, run as Python)."""
    return int(pure(leads_needed)(s, ROOM_OF.get(phase, NO_ROOM), d))


def make_room(s: State, phase: str, d: int) -> State:
    """The state with room in the lead table for what `phase` may add on day `d`."""
    return grow_leads(s, lead_room(s, phase, d))


def lead_column(s: State, name: str) -> np.ndarray:
    """A lead-table column spread over contacts (NaN, or -1 / 0, for contacts that never became leads)."""
    col = getattr(s, name)
    out = np.full(s.stage.shape[0], NAN if col.dtype.kind == "f" else (-1 if name == "rep" else 0), dtype=col.dtype)
    has = s.lead >= 0
    out[has] = col[s.lead[has]]
    return out


# The state with the lead table's columns spread over contacts: what summaries and checks read.
ByContact = namedtuple("ByContact", State._fields)


def by_contact(s):
    """`s` as a `ByContact` view: `mql_at[c]` etc. indexed by contact (a copy of those columns only)."""
    if isinstance(s, ByContact):
        return s
    spread = {name: lead_column(s, name) for name in LEAD_FIELDS if name != "n_leads"}
    return ByContact(**{**s._asdict(), **spread})


def grow_deals(s: State, room: int | None = None) -> State:
    """Make room in the deal log before a day that could close `room` deals (by default `deals_needed`)."""
    room = int(pure(deals_needed)(s)) if room is None else room
    if s.n_deals[0] + room <= s.deals.shape[0]:
        return s
    bigger = np.full((max(2 * s.deals.shape[0], s.n_deals[0] + room), len(DEALS)), NAN)
    bigger[: s.deals.shape[0]] = s.deals
    return s._replace(deals=bigger)
