"""Building blocks for rules: who can take a lead, round-robin turns, sending a lead back to marketing.

Plug-in rules may call these too; they are compiled functions over the same state arrays.
"""

from numba import njit

from sim.numba_cache import INTERNAL

# What a breach rule asks for an untouched lead past the SLA.
KEEP, FIRST, RECYCLE, REASSIGN = 0, 1, 2, 3

CUR_RR = 0
CUR_SEG = 1  # cursors 1..3: round robin within each segment's territory


@njit(cache=True, inline="always")
def available(S, P, r):
    """A rep can take a new lead today: at work and under the daily cap."""
    if S.rep_off[r] == 1:
        return False
    return P.cap_per_day == 0 or S.rep_new[r] < P.cap_per_day


@njit(cache=True, **INTERNAL)
def next_in_turn(S, P, cursor, segment, exclude):
    """Next available lead rep after the cursor (in `segment` if >= 0), or -1.  Compiled once, for
    int64 arguments: callers pass `np.int64(...)`."""
    n = P.lead_hi - P.lead_lo
    for k in range(n):
        r = P.lead_lo + (S.cursor[cursor] + k) % n
        if r == exclude or (segment >= 0 and S.rep_segment[r] != segment):
            continue
        if available(S, P, r):
            S.cursor[cursor] = (r - P.lead_lo + 1) % n
            return r
    return -1


@njit(cache=True, inline="always")
def back_to_marketing(S, P, c, t, stage, wait_days, d):
    """Lead `c` leaves sales at `t` in `stage`; marketing may work it again after `wait_days`."""
    S.stage[c] = stage
    S.closed_at[S.lead[c]] = t
    S.recycle_day[S.lead[c]] = d + wait_days
    S.eng[c] = 0.0
    S.eng_day[c] = d
