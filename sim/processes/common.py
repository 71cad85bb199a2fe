"""Small pieces every process shares: lead-age decay, intent, score and the calendar."""

import math

from numba import njit

from sim import rng
from sim import stages as st
from sim.numba_cache import INTERNAL
from sim.processes.market import in_market


@njit(cache=True, inline="always")
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
    """Buying intent of account `a` on day `d`: 0 out of market, rising to 1 over the ramp from the
    window's first day (which, for a window already open on day 0, lies before day 0)."""
    if not in_market(S, a):
        return 0.0
    since = S.acc_since[a]
    if since > d:
        return 0.0
    x = (d - since + 1) / P.ramp_days
    return 1.0 if x > 1.0 else x


@njit(cache=True, inline="always")
def engagement(S, P, c, d):
    """Engagement of contact `c` on day `d`, faded since its last update (half-life or linear)."""
    days = d - S.eng_day[c]
    if P.eng_decay == 1:
        e = S.eng[c] - P.points_per_day * days
        return e if e > 0.0 else 0.0
    return S.eng[c] * 0.5 ** (days / P.half_life)


@njit(cache=True, inline="always")
def propensity(fit, inten):
    """A buyer's true propensity to buy: fit, raised by buying intent (0-1)."""
    return fit * (0.3 + 0.7 * inten)


@njit(cache=True, inline="always")
def score_noise(P, c):
    """Buyer `c`'s fixed error in a predictive score: one draw per buyer, common to every policy and day."""
    return rng.normal(P.seed, rng.SETUP, c, -3, 0)


@njit(cache=True, inline="always")
def score(S, P, c, fit, eng, inten):
    """Lead score on 0-100.  Rules: weighted fit points plus engagement up to its cap.
    Predictive: a binormal model of the true propensity with separation d' (from the AUC)."""
    if P.scoring == 1:
        z = (propensity(fit, inten) - 0.25) / 0.15
        dp = P.dprime * S.score_w[0]
        x = (dp * z + score_noise(P, c)) / math.sqrt(dp * dp + 1.0)
        return 100.0 * 0.5 * math.erfc(-x / math.sqrt(2.0))
    e = eng if eng < P.eng_cap else P.eng_cap
    return S.score_w[0] * P.fit_points * fit + S.score_w[1] * e


@njit(cache=True, inline="always")
def is_workday(P, d):
    """Reps work weekdays, or every day on a 24/7 calendar."""
    return P.always == 1 or d % 7 < 5


@njit(cache=True, inline="always")
def working_minutes_before(P, t):
    """Working minutes on the reps' calendar from the start of day 0 up to time `t` (minutes)."""
    if P.always == 1:
        return t
    d = math.floor(t / 1440.0)
    weeks = d // 7
    wd = d - 7 * weeks
    done = weeks * 5.0 + (wd if wd < 5 else 5.0)
    w = done * P.work_minutes
    if wd < 5:
        into = t - d * 1440.0 - P.work_start
        w += 0.0 if into < 0.0 else (into if into < P.work_minutes else P.work_minutes)
    return w


@njit(cache=True)
def working_minutes_array(P, t):
    """`working_minutes_before` for an array of times (NaN stays NaN), for the summaries."""
    out = t.copy()
    for i in range(t.shape[0]):
        if t[i] == t[i]:
            out[i] = working_minutes_before(P, t[i])
    return out


@njit(cache=True, inline="always")
def business_minutes(P, t0, t1):
    """Working minutes between `t0` and `t1`: the clock of CRM SLA timers."""
    return working_minutes_before(P, t1) - working_minutes_before(P, t0)


@njit(cache=True, **INTERNAL)
def sla_age(P, start, t):
    """Age of a lead on the SLA clock: working minutes (business) or calendar minutes."""
    if P.sla_clock == 1:
        return t - start
    return business_minutes(P, start, t)


@njit(cache=True, inline="always")
def marketing_owned(stage):
    """Stages in which marketing still works the contact."""
    return stage == st.KNOWN or stage == st.INQUIRY or stage == st.REJECTED or stage == st.RECYCLED


@njit(cache=True, inline="always")
def lead_open(stage):
    """Stages in which a lead sits in a rep's queue."""
    return stage == st.MQL or stage == st.SAL


@njit(cache=True, inline="always")
def inquiry_minute(P, c, d):
    """Minute of day `d` at which contact `c` responds: business hours with the stated share."""
    seed = P.seed
    u = rng.uniform(seed, rng.INQUIRY_TIME, c, d, 0)
    if u < P.bh_share:
        return 540.0 + 480.0 * (u / P.bh_share)
    v = (u - P.bh_share) / (1.0 - P.bh_share)
    m = 960.0 * v  # the 16 hours outside 09:00-17:00
    return m if m < 540.0 else m + 480.0


@njit(cache=True, inline="always")
def new_lead(S, c):
    """Contact `c`'s row in the lead table, given one if it has none.  Only sequential steps call
    this (routing, stated arrivals, prospecting meetings), so rows are handed out in a fixed order."""
    L = S.lead[c]
    if L < 0:
        L = S.n_leads[0]
        S.n_leads[0] = L + 1
        S.lead[c] = L
    return L


@njit(cache=True, inline="always")
def start_episode(S, L, minute):
    """Lead row `L` becomes an MQL at `minute`: a fresh episode (the first MQL time is kept)."""
    if S.mql_at[L] != S.mql_at[L]:
        S.mql_at[L] = minute
    S.lead_start[L] = minute
    S.attempts[L] = 0
    S.ep_touch[L] = -1.0
