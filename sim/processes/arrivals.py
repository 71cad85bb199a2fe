"""Staffing mode: leads arrive by a stated Poisson process (rate per hour with time-of-day and
day-of-week profiles) instead of from the market model."""

from numba import njit

from sim import rng
from sim import stages as st
from sim.numba_cache import INTERNAL
from sim.processes.common import new_lead, start_episode
from sim.processes.handoff import await_routing
from sim.state import D

_MQL = D["mqls"]
_INQ = D["inquiries"]
_CUR_ARRIVAL = 4


@njit(cache=True, **INTERNAL)
def arrivals_day(S, P, d):
    """Create day `d`'s arriving leads as MQLs, hour by hour, on the next unused contacts."""
    if P.arrivals == 0:
        return
    N = S.stage.shape[0]
    made = 0
    for h in range(24):
        lam = P.leads_per_hour * P.hourly[h] * P.weekday[d % 7]
        n = rng.poisson(P.seed, rng.ARRIVAL, h, d, 0, lam) if lam > 0.0 else 0
        for i in range(n):
            c = S.cursor[_CUR_ARRIVAL]
            if c >= N:
                return
            S.cursor[_CUR_ARRIVAL] += 1
            minute = d * 1440.0 + 60.0 * (h + rng.uniform(P.seed, rng.ARRIVAL_TIME, c, d, i))
            S.stage[c] = st.MQL
            await_routing(S, c)
            S.source[c] = st.SOURCE_MARKETING
            S.created[c] = minute
            L = new_lead(S, c)
            start_episode(S, L, minute)
            S.mql_count[L] += 1
            made += 1
    S.daily[d, _MQL] += made
    S.daily[d, _INQ] += made
