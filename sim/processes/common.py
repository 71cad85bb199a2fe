"""Small pieces every process shares: lead-age decay, intent, score and the calendar."""

import math

from numba import njit

from sim import stages as st


@njit(cache=True)
def decay(age, kind, tau, alpha, w_fast, tau_fast, tau_slow):
    """Relative odds that a lead of `age` minutes converts, 1 at age 0 and falling with age."""
    if age < 0.0:
        age = 0.0
    if kind == 0:
        return (1.0 + age / tau) ** (-alpha)
    return w_fast * math.exp(-age / tau_fast) + (1.0 - w_fast) * math.exp(-age / tau_slow)


@njit(cache=True, inline="always")
def lead_decay(P, age):
    return decay(age, P.decay_kind, P.tau, P.alpha, P.w_fast, P.tau_fast, P.tau_slow)


@njit(cache=True, inline="always")
def intent(S, P, a, d):
    """Buying intent of account `a` on day `d`: 0 out of market, rising to 1 over the ramp."""
    since = S.acc_since[a]
    if since < 0 or since > d:
        return 0.0
    x = (d - since + 1) / P.ramp_days
    return 1.0 if x > 1.0 else x


@njit(cache=True, inline="always")
def engagement(S, P, c, d):
    """Engagement of contact `c` on day `d`, decayed since its last update."""
    return S.eng[c] * 0.5 ** ((d - S.eng_day[c]) / P.half_life)


@njit(cache=True, inline="always")
def score(P, fit, eng):
    """Lead score on 0-100: fit points plus engagement up to its cap."""
    return P.fit_points * fit + (eng if eng < P.eng_cap else P.eng_cap)


@njit(cache=True, inline="always")
def is_workday(d):
    return d % 7 < 5


@njit(cache=True, inline="always")
def marketing_owned(stage):
    """Stages in which marketing still works the contact."""
    return stage == st.KNOWN or stage == st.INQUIRY or stage == st.REJECTED or stage == st.RECYCLED


@njit(cache=True, inline="always")
def lead_open(stage):
    """Stages in which a lead sits in a rep's queue."""
    return stage == st.MQL or stage == st.SAL
