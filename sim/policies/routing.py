"""Routing rules: which rep gets a new MQL (and, under breach action `reassign`, a breached one)."""

import numpy as np
from numba import njit

from sim.policies.helpers import CUR_RR, CUR_SEG, available, next_in_turn
from sim.policies.registry import rule

_RR, _ANY = np.int64(CUR_RR), np.int64(-1)  # typed int64, so `next_in_turn` compiles once


@rule("routing", "round_robin")
@njit(cache=True, inline="always")
def round_robin(S, P, c, exclude):
    """The next available rep in turn."""
    return next_in_turn(S, P, _RR, _ANY, exclude)


@rule("routing", "weighted_round_robin")
@njit(cache=True, inline="always")
def weighted_round_robin(S, P, c, exclude):
    """Smooth weighted round robin: rep r gets a share in proportion to its weight (`policy.routing_weights`)."""
    total = 0.0
    best = -1
    for r in range(P.lead_lo, P.lead_hi):
        if r == exclude or not available(S, P, r):
            continue
        S.rep_wrr[r] += P.rr_weights[r]
        total += P.rr_weights[r]
        if best < 0 or S.rep_wrr[r] > S.rep_wrr[best]:
            best = r
    if best >= 0:
        S.rep_wrr[best] -= total
    return best


@rule("routing", "load_balanced")
@njit(cache=True, inline="always")
def load_balanced(S, P, c, exclude):
    """The available rep with the fewest open leads (ties: the lowest index)."""
    best = -1
    for r in range(P.lead_lo, P.lead_hi):
        if r != exclude and available(S, P, r) and (best < 0 or S.rep_load[r] < S.rep_load[best]):
            best = r
    return best


@rule(
    "routing",
    "pooled",
    "one shared queue: the next rep who checks the queue takes the next lead (reps' days are interleaved in time)",
    shared_queue=True,
)
@njit(cache=True, inline="always")
def pooled(S, P, c, exclude):
    """One shared queue: a lead has no rep until one takes it (used by breach action reassign: round robin)."""
    return next_in_turn(S, P, _RR, _ANY, exclude)


@rule("routing", "territory")
@njit(cache=True, inline="always")
def territory(S, P, c, exclude):
    """Reps split among the segments in proportion to their shares; round robin within the lead's segment."""
    seg = S.acc_seg[S.c_acc[c]]
    r = next_in_turn(S, P, np.int64(CUR_SEG + seg), np.int64(seg), exclude)
    return r if r >= 0 else next_in_turn(S, P, _RR, _ANY, exclude)


@rule(
    "routing",
    "account_owner",
    "the rep who owns the lead's account (owners drawn once per account); under the SDR tier, the SDR paired with "
    "the owning AE; deals from SDRs go to the account owner",
    owner_deals=True,
)
@njit(cache=True, inline="always")
def account_owner(S, P, c, exclude):
    """The rep who owns the lead's account, or the next in turn if the owner cannot take it."""
    owner = S.acc_owner[S.c_acc[c]]
    if P.n_sdr > 0 and P.lead_lo > 0:
        owner = P.lead_lo + owner % P.n_sdr
    if owner != exclude and available(S, P, owner):
        return owner
    return next_in_turn(S, P, _RR, _ANY, exclude)
