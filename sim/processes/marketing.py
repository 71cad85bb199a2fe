"""Marketing: campaign touches and inbound responses, engagement, scoring and the MQL line."""

from numba import njit

from sim import rng
from sim import stages as st
from sim.numba_cache import INTERNAL
from sim.processes.common import engagement, inquiry_minute, intent, marketing_owned, score, start_episode
from sim.processes.handoff import await_routing
from sim.processes.reach import day_reach
from sim.touches import mark_touch

INBOUND = 4  # channel code of an organic inbound response (after the paid channels 0-3)


# Compiled once and always inlined by LLVM: copying its Numba IR into the caller costs more.
@njit(cache=True, forceinline=True, **INTERNAL)
def contact_day(S, P, c, d, u):
    """One day of contact `c`, reached with the day's draw `u` (sim/processes/reach.py).
    Returns (channel touched or -1, new inquiry 0/1, new MQL 0/1)."""
    seed = P.seed
    weekend = d % 7 >= 5
    wf = P.weekend_factor if weekend else 1.0
    if u >= day_reach(P, d):
        return -1, 0, 0  # neither a touch nor an inbound response today, whatever the intent
    stage = S.stage[c]
    if not marketing_owned(stage):
        return -1, 0, 0
    a = S.c_acc[c]
    if S.acc_customer[a] == 1:
        return -1, 0, 0
    if (stage == st.REJECTED or stage == st.RECYCLED) and d < S.recycle_day[S.lead[c]]:  # a lead before: a row
        return -1, 0, 0
    inten = intent(S, P, a, d)
    touched = -1
    points = 0.0
    channel = -1
    if u < P.p_touch:
        ch = 0
        while ch < 3 and u >= P.ch_cum[ch]:
            ch += 1
        if P.ch_prob[ch] == 0.0:
            return -1, 0, 0  # channel switched off: its share of the draws stays, so other buyers' luck is unchanged
        touched = ch
        fit = S.acc_fit[a]  # the buying group shares its account's fit (small, cache-resident array)
        pr = P.ch_resp[ch] * (1.0 - P.ch_fitw[ch] + P.ch_fitw[ch] * fit) * (1.0 + P.ch_intent[ch] * inten) * wf
        if rng.uniform(seed, rng.RESPONSE, c, d, 0) < pr:
            points = P.ch_points[ch]
            channel = ch
    elif inten > 0.0 and u < P.p_touch + P.inbound_rate * inten * wf:
        points = P.inbound_points
        channel = INBOUND
    if channel < 0:
        return touched, 0, 0
    eng = engagement(S, P, c, d) + points
    S.eng[c] = eng
    S.eng_day[c] = d
    minute = d * 1440.0 + inquiry_minute(P, c, d)
    mark_touch(S, c, channel, stage == st.KNOWN)  # the touch log (sim/touches.py)
    new_inquiry = 0
    if stage == st.KNOWN:
        S.stage[c] = st.INQUIRY
        S.created[c] = minute
        S.source[c] = st.SOURCE_MARKETING
        S.channel[c] = channel
        new_inquiry = 1
    fit = S.acc_fit[a]
    qualifies = score(S, P, c, fit, eng, inten) >= P.mql_threshold
    if P.lead_def == 1 and fit < P.acceptance:
        qualifies = False  # shared definition: marketing applies sales' fit line too
    if qualifies:
        S.stage[c] = st.MQL
        await_routing(S, c)
        if S.created[c] != S.created[c]:
            S.created[c] = minute
        L = S.lead[c]
        if L >= 0:
            # A lead before: its row opens the new episode now.  A first MQL gets its row from today's
            # handoff (rows are handed out in one sequential pass, in contact order).
            start_episode(S, L, minute)
            S.mql_count[L] += 1
        return touched, new_inquiry, 1
    return touched, new_inquiry, 0
