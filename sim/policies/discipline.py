"""Queue disciplines: which due lead a rep works first (the lowest key)."""

from numba import njit

from sim.policies.registry import rule
from sim.processes.common import engagement, intent, score


@rule("discipline", "fifo")
@njit(cache=True, inline="always")
def fifo(S, P, c, d):
    """The lead that fell due first."""
    return S.next_due[S.lead[c]]


@rule("discipline", "lifo")
@njit(cache=True, inline="always")
def lifo(S, P, c, d):
    """The newest lead first."""
    return -S.lead_start[S.lead[c]]


@rule("discipline", "score")
@njit(cache=True, inline="always")
def by_score(S, P, c, d):
    """The highest lead score first (today's score: fit, engagement and account intent)."""
    return -score(S, P, c, S.acc_fit[S.c_acc[c]], engagement(S, P, c, d), intent(S, P, S.c_acc[c], d))
