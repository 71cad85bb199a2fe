"""Reps answer when free, no service time is lost at the day boundary, and SLA clocks count
working minutes as CRM SLA timers do."""

import numpy as np
import pytest

from sim import simulate
from sim.params import make_params
from sim.processes.common import business_minutes, working_minutes_before
from sim.validation.queueing import mdc_wait_probability
from tests.conftest import small_config

# A pooled queue staffed around the clock, fixed one-hour attempts, one attempt per lead.
QUEUE = [
    "staffing.mode=arrivals",
    "staffing.leads_per_hour=3",
    "sales.reps=4",
    "sales.calendar=always",
    "sales.leads_only=true",
    "sales.attempt_minutes=60",
    "sales.conversation_minutes=0",
    "sales.admin_share=0",
    "sales.switch_minutes=0",
    "policy.max_attempts=1",
    "policy.routing=pooled",
]


def _waits(res):
    leads = res.leads[res.leads["first_touch_at"].notna()]
    return (leads["first_touch_at"] - leads["mql_at"]).to_numpy(float)


def test_free_reps_take_a_lead_the_instant_it_arrives():
    res = simulate(small_config(*QUEUE, "market.accounts=1500", days=60), leads=True)
    w = _waits(res)
    assert w.size > 3000
    # The leads that find a rep free (M/D/4 at 75 % load: exact share from the embedded chain)
    # wait exactly 0.
    assert (w == 0.0).mean() == pytest.approx(1 - mdc_wait_probability(3 / 60, 60.0, 4), abs=0.04)
    assert np.all(w >= 0.0)
    # Waits are continuous: the positive ones are not whole minutes.
    positive = w[w > 0]
    assert np.mean(positive != np.round(positive)) > 0.99


def test_poll_pickup_waits_for_the_next_queue_check():
    res = simulate(small_config(*QUEUE, "sales.pickup=poll", "market.accounts=1500", days=60), leads=True)
    w = _waits(res)
    assert (w == 0.0).mean() < 0.01  # a lead only ever meets a rep at a check
    assert np.median(w) > 0


def test_no_service_time_is_lost_at_the_end_of_a_shift():
    # Every attempt takes exactly 60 minutes; attempts that run past midnight finish the next day.
    res = simulate(small_config(*QUEUE, "market.accounts=1500", days=60), leads=True, keep_model=True)
    attempts = int(res.leads["attempts"].sum())
    booked = res.model.state.ledger[:, 0].sum() + res.model.state.rep_carry.sum()
    assert booked == pytest.approx(60.0 * attempts, rel=1e-12)


def _in_hours_waits(*overrides):
    res = simulate(small_config("market.accounts=3000", "marketing.budget_scale=0.1", *overrides, days=120), leads=True)
    leads = res.leads[res.leads["first_touch_at"].notna()]
    minute = leads["mql_at"] % 1440
    weekday = (leads["mql_at"] // 1440) % 7 < 5
    in_hours = weekday & (minute >= 9 * 60) & (minute < 17 * 60 - 30)
    return (leads["first_touch_at"] - leads["mql_at"])[in_hours].to_numpy()


def test_reps_prospecting_or_idle_switch_to_a_new_lead_at_once():
    # The default behaviour (leads first, push): a lead arriving in working hours is touched when
    # it arrives unless its rep is mid-attempt; polling reps meet it only at their next check.
    uncapped = "sales.max_lead_share=0.8"  # a cap that does not bind, so no lead waits for tomorrow
    push, poll = _in_hours_waits(uncapped), _in_hours_waits(uncapped, "sales.pickup=poll")
    assert len(push) > 50
    assert (push == 0).mean() > 0.8
    assert (poll == 0).mean() < 0.05
    # A rep mid-attempt finishes first: the waits are the rest of one attempt or conversation.
    assert np.median(push[push > 0]) <= 6.0 + 25.0


def test_working_clock_counts_weekday_shift_minutes_only():
    P = make_params(small_config(), 1)  # weekdays 09:00-17:00, day 0 a Monday
    friday_4pm = 4 * 1440 + 16 * 60
    monday_10am = 7 * 1440 + 10 * 60
    assert business_minutes(P, friday_4pm, monday_10am) == 120.0
    assert business_minutes(P, 5 * 1440 + 600, 5 * 1440 + 700) == 0.0  # Saturday
    assert working_minutes_before(P, 7 * 1440) == 5 * 480.0  # one full week
    always = make_params(small_config("sales.calendar=always"), 1)
    assert business_minutes(always, friday_4pm, monday_10am) == monday_10am - friday_4pm


def test_sla_clock_and_yardsticks():
    business = simulate(small_config("policy.sla_minutes=60", days=120)).summary
    calendar = simulate(small_config("policy.sla_minutes=60", "policy.sla_clock=calendar", days=120)).summary
    assert business["sla_clock"] == "business" and calendar["sla_clock"] == "calendar"
    # After-hours leads cannot meet a one-hour target on the calendar clock.
    assert calendar["sla_met_share"] < business["sla_met_share"]
    assert business["sla_met_share"] == pytest.approx(business["touched_within"]["1h"])
    # About a third of marketing's leads arrive outside weekday working hours.
    assert 0.2 < business["mql_after_hours_share"] < 0.5
    t = business["touched_within"]
    assert t["5min"] <= t["1h"] <= t["same_business_day"] <= 1.0
    # The yardsticks do not depend on the target or its clock.
    assert calendar["touched_within"] == business["touched_within"]


def test_after_hours_share_of_a_uniform_arrival_stream():
    res = simulate(
        small_config("staffing.mode=arrivals", "staffing.leads_per_hour=0.5", "market.accounts=1500", days=140)
    ).summary
    # Uniform arrivals over the week: 40 of 168 hours are working hours.
    assert res["mql_after_hours_share"] == pytest.approx(1 - 40 / 168, abs=0.03)
