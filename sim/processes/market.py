"""Market: accounts enter and leave their buying windows; intent rises while in market."""

from numba import njit

from sim import rng


@njit(cache=True, inline="always")
def account_day(S, P, a, d):
    """One day of account `a`: customers come off contract, windows open and close."""
    seed = P.seed
    if S.acc_customer[a] == 1:
        if d >= S.acc_cool[a]:
            S.acc_customer[a] = 0
        return
    if S.acc_since[a] >= 0:
        if d >= S.acc_until[a] and S.opp_open[a] == 0:
            S.acc_since[a] = -1
        return
    if d < S.acc_cool[a] or S.opp_open[a] == 1:
        return
    if rng.uniform(seed, rng.MARKET, a, d, 0) < P.in_market_rate * (0.5 + S.acc_fit[a]):
        seg = S.acc_seg[a]
        length = rng.gamma_mean_cv(seed, rng.MARKET_LEN, a, d, 0, P.in_market_days[seg], 0.5)
        S.acc_since[a] = d
        S.acc_until[a] = d + max(1, int(length + 0.5))
