"""Unit tests of each process, calling the behaviour functions directly on a small state."""

import numpy as np
import pytest

from sim import stages as st
from sim.model import FunnelModel
from sim.policies import code
from sim.processes.common import decay, inquiry_minute, new_lead, start_episode
from sim.processes.handoff import await_routing, build_queues, choose_rep, route_new_mqls, start_day
from sim.processes.market import OUT_OF_MARKET
from sim.processes.opportunities import close_opportunity, open_opportunity
from sim.processes.sales import attempt, rep_day
from sim.pure import pure
from sim.state import D, T
from tests.conftest import small_config


@pytest.fixture
def model():
    return FunnelModel(small_config(days=30))


def test_decay_falls_with_age_and_fits_published_ratios():
    ages = np.array([0, 5, 30, 60, 120, 1440, 2880])
    g = np.array([decay(a, 0, 120.0, 1.8, 0.9, 8.0, 360.0) for a in ages])
    assert g[0] == 1.0 and np.all(np.diff(g) < 0)
    within_hour = np.mean([decay(a, 0, 120.0, 1.8, 0, 1, 1) for a in np.linspace(0, 60, 61)])
    day_later = np.mean([decay(a, 0, 120.0, 1.8, 0, 1, 1) for a in np.linspace(1440, 2880, 61)])
    # Oldroyd et al. (HBR 2011): qualifying within an hour vs a day or more later: over 60x.
    assert within_hour / day_later > 60
    two = [decay(a, 1, 1.0, 1.0, 0.9, 8.0, 360.0) for a in ages]
    assert two[0] == pytest.approx(1.0) and np.all(np.diff(two) < 0)


def test_inquiries_arrive_in_business_hours_at_the_stated_share(model):
    P = model.params
    minutes = np.array([inquiry_minute(P, c, 3) for c in range(20000)])
    inside = ((minutes >= 540) & (minutes < 1020)).mean()
    assert inside == pytest.approx(P.bh_share, abs=0.01)
    assert minutes.min() >= 0 and minutes.max() < 1440


def test_round_robin_and_load_balanced_routing(model):
    S, P = model.state, model.params
    picks = [choose_rep(S, P, 0) for _ in range(8)]
    assert picks == [0, 1, 2, 3, 0, 1, 2, 3]
    lb = P._replace(routing=code("routing", "load_balanced"))
    S.rep_load[:] = [5, 2, 7, 2]
    assert choose_rep(S, lb, 0) == 1
    S.rep_off[1] = 1  # reps who are off are skipped
    assert choose_rep(S, lb, 0) == 3


def test_weighted_round_robin_follows_weights(model):
    S, P = model.state, model.params
    wrr = P._replace(routing=code("routing", "weighted_round_robin"), rr_weights=np.array([3.0, 1.0, 1.0, 1.0]))
    picks = [choose_rep(S, wrr, 0) for _ in range(600)]
    assert np.bincount(picks, minlength=4).tolist() == [300, 100, 100, 100]


def test_daily_cap_limits_new_leads_per_rep(model):
    S, P = model.state, model.params._replace(cap_per_day=2)
    picks = [choose_rep(S, P, 0) for _ in range(8)]
    for r in picks:
        S.rep_new[r] += 1
    assert picks == [0, 1, 2, 3, 0, 1, 2, 3]
    assert choose_rep(S, P, 0) == -1


def test_account_owner_and_territory_routing(model):
    S, P = model.state, model.params
    owner = P._replace(routing=code("routing", "account_owner"))
    for c in range(0, 200, 7):
        assert choose_rep(S, owner, c) == S.acc_owner[S.c_acc[c]]
    terr = P._replace(routing=code("routing", "territory"))
    for c in range(0, 200, 7):
        r = choose_rep(S, terr, c)
        assert S.rep_segment[r] == S.acc_seg[S.c_acc[c]] or not (S.rep_segment == S.acc_seg[S.c_acc[c]]).any()


def make_mql(S, c, minute):
    """Contact `c` becomes an MQL at `minute` as a lead that already has its row (a returning lead)."""
    S.stage[c] = st.MQL
    await_routing(S, c)  # what the contact phase does when it makes an MQL
    pure(start_episode)(S, pure(new_lead)(S, c), minute)
    return S.lead[c]


def test_new_mqls_are_routed_in_arrival_order_and_queued(model):
    S, P = model.state, model.params
    for c, minute in ((10, 700.0), (11, 600.0), (12, 650.0)):
        make_mql(S, c, minute)
    pure(route_new_mqls)(S, P, 0)
    rep = S.rep[S.lead[[10, 11, 12]]]
    assert rep[1] == 0 and rep[2] == 1 and rep[0] == 2
    assert S.routed_at[S.lead[11]] == 600.0
    pure(build_queues)(S, P, 0)
    assert S.q_ptr[-1] == 3
    assert S.daily[0, D["routed"]] == 3


def test_batch_pull_delays_routing(model):
    S, P = model.state, model.params._replace(handoff_mode=1, batch_minutes=1440.0)
    L = make_mql(S, 5, 600.0)
    pure(route_new_mqls)(S, P, 0)
    assert S.routed_at[L] == P.work_start + 1440.0


def test_first_mqls_get_lead_rows_at_routing_in_contact_order(model):
    """The contact phase leaves a first MQL without a row; the handoff gives rows in contact order,
    stamped with the minute the contact responded that day."""
    S, P = model.state, model.params
    for c in (4000, 30, 7):  # several blocks' worth apart when the market is big enough
        S.stage[c] = st.MQL
        await_routing(S, c)
    assert (S.lead[[7, 30, 4000]] == -1).all()
    pure(route_new_mqls)(S, P, 2)
    assert list(S.lead[[7, 30, 4000]]) == [0, 1, 2] and S.n_leads[0] == 3
    for c in (7, 30, 4000):
        L = S.lead[c]
        assert S.mql_at[L] == S.lead_start[L] == 2 * 1440.0 + inquiry_minute(P, c, 2)
        assert S.attempts[L] == 0 and S.ep_touch[L] == -1.0 and S.mql_count[L] == 1


def test_first_attempt_stamps_first_touch_and_counts_the_attempt(model):
    S, P = model.state, model.params
    c = 20
    L = make_mql(S, c, 0.0)
    minutes = pure(attempt)(S, P, 0, c, 30.0, 0)
    assert S.first_touch[L] == 30.0
    assert S.attempts[L] == 1
    assert minutes >= P.attempt_minutes
    assert S.stage[c] in (st.MQL, st.SAL, st.SQL, st.REJECTED, st.RECYCLED, st.DISQUALIFIED)


def test_rep_day_fills_exactly_the_working_day(model):
    S, P = model.state, model.params
    start_day(S, P, 0)
    pure(rep_day)(S, P, 0, 0)
    assert S.rep_today[0].sum() == pytest.approx(P.work_minutes)
    start_day(S, P, 5)  # Saturday: nobody works
    pure(rep_day)(S, P, 1, 5)
    assert S.rep_today[1].sum() == 0.0


def test_opportunity_books_revenue_only_on_a_win(model):
    S, P = model.state, model.params
    won = 0
    for a in range(60):
        c = S.acc_start[a]
        open_opportunity(S, P, a, c, 600.0, 0, st.SOURCE_MARKETING, 0)
        value = S.opp_value[a]
        before = S.totals[T["revenue"]]
        close_opportunity(S, P, a, 10)
        gained = S.totals[T["revenue"]] - before
        assert S.stage[c] in (st.WON, st.LOST, st.NO_DECISION)
        assert gained == pytest.approx(value if S.stage[c] == st.WON else 0.0, rel=1e-12)
        won += S.stage[c] == st.WON
    assert 0 < won < 60
    assert S.rep_opps[0] == 0


def test_accounts_enter_market_at_the_stated_rate_and_intent_ramps(model):
    from sim.processes.common import intent
    from sim.processes.market import account_day

    S, P = model.state, model.params._replace(in_market_rate=0.01)
    out = S.acc_since == OUT_OF_MARKET
    S.acc_cool[:] = -1
    entered = 0
    for d in range(1, 11):
        for a in np.flatnonzero(out):
            if S.acc_since[a] == OUT_OF_MARKET:
                account_day(S, P, a, d)
                entered += S.acc_since[a] == d
    expected = 0.01 * (0.5 + S.acc_fit[out]).mean() * out.sum() * 10
    assert abs(entered - expected) < 4 * np.sqrt(expected) + 2
    a = int(np.flatnonzero(S.acc_since != OUT_OF_MARKET)[0])
    since = S.acc_since[a]
    ramp = [intent(S, P, a, since + k) for k in (0, 5, 100)]
    assert 0 < ramp[0] < ramp[1] <= ramp[2] == 1.0


def test_a_response_raises_engagement_and_crossing_the_line_makes_an_mql(model):
    from sim.processes.marketing import contact_day as compiled
    from sim.pure import pure

    contact_day = pure(compiled)  # an internal function: compiled code calls it, Python calls its twin
    S, P = model.state, model.params._replace(p_touch=0.999, ch_cum=np.full(4, 0.999), ch_resp=np.ones(4))
    S.acc_fit[:] = 1.0  # fit is an account trait its buying group shares
    S.acc_customer[:] = 0
    c = 3
    ch, inquiry, mql = contact_day(S, P, c, 1, 0.5)  # reached with u = 0.5: channel 0
    assert ch == 0 and inquiry == 1
    assert S.eng[c] == P.ch_points[0]
    assert S.stage[c] == (st.MQL if mql else st.INQUIRY)
    high = P._replace(mql_threshold=100.0)
    S.stage[4] = st.KNOWN
    contact_day(S, high, 4, 1, 0.5)
    assert S.stage[4] == st.INQUIRY  # a perfect fit and one response stay under a line of 100
