"""Observe: the day's metrics row, summed in a fixed order."""

from numba import njit

from sim.numba_cache import INTERNAL
from sim.processes.common import lead_open
from sim.state import RS, D

_REP_COLS = (
    (RS["first_touches"], D["first_touches"]),
    (RS["sla_met"], D["sla_met"]),
    (RS["sals"], D["sals"]),
    (RS["sqls"], D["sqls"]),
    (RS["rejected"], D["rejected"]),
    (RS["recycled"], D["recycled"]),
    (RS["disqualified"], D["disqualified"]),
    (RS["meetings"], D["meetings"]),
    (RS["sla_breached"], D["sla_breached"]),
)
_MINUTES = D["lead_followup_minutes"]
_PIPE = D["pipeline"]
_INMKT = D["in_market"]
_OPEN_OPPS = D["open_opportunities"]
_OPEN_LEADS = D["open_leads_end"]


@njit(cache=True, **INTERNAL)
def observe(S, P, d):
    for r in range(P.reps):
        for src, dst in _REP_COLS:
            S.daily[d, dst] += S.rep_stats[r, src]
        for k in range(5):
            S.daily[d, _MINUTES + k] += S.rep_today[r, k]
    # The open deals as opportunities_day left them, in account order: the same sum as over every account.
    pipe = 0.0
    opps = S.n_opps[0]
    for j in range(opps):
        pipe += S.opp_value[S.opp_list[j]]
    S.daily[d, _PIPE] = pipe
    S.daily[d, _INMKT] = S.n_in_market[0]  # kept up to date by the market phase and the closings
    S.daily[d, _OPEN_OPPS] = opps
    # Stocks at the end of the day, for Little's law: leads waiting in a rep queue.
    waiting = 0
    for j in range(S.n_active[0]):
        if lead_open(S.stage[S.active[j]]):
            waiting += 1
    S.daily[d, _OPEN_LEADS] = waiting
