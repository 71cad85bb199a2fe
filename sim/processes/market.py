"""Market: accounts enter and leave their buying windows; intent rises while in market."""

import math

from numba import njit

from sim import rng

NEVER = 2**31 - 1  # an entry day beyond any run
# `acc_since` of an account out of market.  A window open on day 0 may have started before it (a
# negative day), so the sentinel lies below any day a window could start on, never -1 or 0.
OUT_OF_MARKET = -NEVER
WINDOW_CV = 0.5  # buying windows are gamma distributed about the segment's mean length


@njit(cache=True, inline="always")
def in_market(S, a):
    """Whether account `a` is in a buying window: the one test every process uses."""
    return S.acc_since[a] != OUT_OF_MARKET


@njit(cache=True, inline="always")
def next_entry(S, P, a, d):
    """Move account `a` to its first chance to enter the market on or after day `d`.

    Chances are a fixed sequence of days per account, a Bernoulli trial each day with geometric
    gaps drawn ahead (the j-th gap is draw j), so the account meets the same luck under every
    policy and only eligible days are ever looked at."""
    rate = P.in_market_rate * (0.5 + S.acc_fit[a])
    if rate <= 0.0:
        S.acc_entry[a] = NEVER
        return
    while S.acc_entry[a] < d:
        j = S.acc_draws[a]
        S.acc_draws[a] = j + 1
        g = 0.0
        if rate < 1.0:
            g = math.log(1.0 - rng.uniform(P.seed, rng.MARKET, a, 0, j)) / math.log1p(-rate)
        S.acc_entry[a] = NEVER if g >= NEVER - S.acc_entry[a] - 1 else S.acc_entry[a] + 1 + int(g)


@njit(cache=True, inline="always")
def account_day(S, P, a, d):
    """One day of account `a`: customers come off contract, windows open and close.  An account is
    looked at only on its next due day (`acc_due`); on other days nothing could change it, and an
    opportunity closing on it makes it due again (sim/processes/opportunities.py).
    Returns the change in the number of accounts in market (+1 entered, -1 left, 0), which the
    drivers add to `n_in_market`."""
    if d < S.acc_due[a]:
        return 0
    if S.acc_customer[a] == 1:
        if d >= S.acc_cool[a]:
            S.acc_customer[a] = 0
            S.acc_due[a] = d + 1
        else:
            S.acc_due[a] = S.acc_cool[a]
        return 0
    if in_market(S, a):
        if S.opp_open[a] == 1:
            S.acc_due[a] = NEVER  # the window stays open while a deal is open
        elif d >= S.acc_until[a]:
            S.acc_since[a] = OUT_OF_MARKET
            S.acc_due[a] = d + 1
            return -1
        else:
            S.acc_due[a] = S.acc_until[a]
        return 0
    if S.opp_open[a] == 1:
        S.acc_due[a] = NEVER
        return 0
    if d < S.acc_cool[a]:
        S.acc_due[a] = S.acc_cool[a]
        return 0
    if S.acc_entry[a] < d:
        next_entry(S, P, a, d)
    if S.acc_entry[a] == d:
        seg = S.acc_seg[a]
        length = rng.gamma_mean_cv(P.seed, rng.MARKET_LEN, a, d, 0, P.in_market_days[seg], WINDOW_CV)
        S.acc_since[a] = d
        S.acc_until[a] = d + max(1, int(length + 0.5))
        S.acc_due[a] = S.acc_until[a]
        return 1
    S.acc_due[a] = S.acc_entry[a]
    return 0
