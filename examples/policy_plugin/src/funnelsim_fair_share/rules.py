"""Fair-share routing: each new MQL goes to the available rep who has received the fewest new
leads today (ties: fewer open leads, then the lowest index), so daily load evens out."""

from numba import njit

from sim.policies.helpers import available


@njit(cache=True, inline="always")
def fair_share(S, P, c, exclude):
    """The available rep with the fewest new leads today (ties: fewest open leads, lowest index)."""
    best = -1
    for r in range(P.lead_lo, P.lead_hi):
        if r == exclude or not available(S, P, r):
            continue
        if best < 0 or S.rep_new[r] < S.rep_new[best]:
            best = r
        elif S.rep_new[r] == S.rep_new[best] and S.rep_load[r] < S.rep_load[best]:
            best = r
    return best
