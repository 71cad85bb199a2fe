"""What happens to a lead that sales reject at first contact."""

from numba import njit

from sim import stages as st
from sim.policies.helpers import back_to_marketing
from sim.policies.registry import rule


@rule("rejected", "nurture", "back to nurture for `marketing.nurture_days`")
@njit(cache=True, inline="always")
def nurture(S, P, c, t, d):
    back_to_marketing(S, P, c, t, st.REJECTED, P.nurture_days, d)


@rule("rejected", "recycle", "recycled after `marketing.recycle_days`")
@njit(cache=True, inline="always")
def recycle(S, P, c, t, d):
    back_to_marketing(S, P, c, t, st.RECYCLED, P.recycle_days, d)


@rule("rejected", "disqualify", "disqualified for good")
@njit(cache=True, inline="always")
def disqualify(S, P, c, t, d):
    S.stage[c] = st.DISQUALIFIED
    S.closed_at[S.lead[c]] = t
