"""Both drivers run the same behaviour functions and must agree exactly."""

import numpy as np
import pandas as pd
import pytest

from sim import simulate
from tests.conftest import small_config

CASES = [
    ("seed1", ["sim.seed=1"]),
    ("seed7_batch", ["sim.seed=7", "policy.handoff.mode=batch", "policy.handoff.batch_hours=24"]),
    (
        "seed9_levers",
        [
            "sim.seed=9",
            "policy.routing=load_balanced",
            "policy.discipline=lifo",
            "policy.breach_action=alert",
            "policy.sla_minutes=5",
        ],
    ),
    ("seed3_decay", ["sim.seed=3", "decay.kind=two_exponential", "policy.discipline=score", "sales.reps=2"]),
]


@pytest.mark.parametrize("name,overrides", CASES, ids=[c[0] for c in CASES])
def test_fast_and_reference_agree(name, overrides):
    fast = simulate(small_config(*overrides, days=90), leads=True)
    ref = simulate(small_config(*overrides, "sim.engine=reference", days=90), leads=True)
    assert fast.summary["waterfall"]["inquiry"] > 0, "the case must exercise the funnel"
    assert fast.summary["stages"] == ref.summary["stages"]
    assert fast.summary["waterfall"] == ref.summary["waterfall"]
    assert fast.summary["deals_won"] == ref.summary["deals_won"]
    assert fast.summary["revenue"] == pytest.approx(ref.summary["revenue"], rel=1e-9, abs=1e-9)
    pd.testing.assert_frame_equal(fast.leads, ref.leads)
    pd.testing.assert_frame_equal(fast.deals, ref.deals, rtol=1e-9)
    np.testing.assert_allclose(fast.daily.to_numpy(), ref.daily.to_numpy(), rtol=1e-9)


LEVER_CASES = [
    ("pooled", ["policy.routing=pooled", "sim.seed=2"]),
    ("sdr_tier_owner", ["policy.handoff.tier=sdr", "sales.sdrs=2", "policy.routing=account_owner"]),
    ("territory_cap_absence", ["policy.routing=territory", "policy.lead_cap_per_day=3", "sales.absence_rate=0.2"]),
    (
        "wrr_reassign",
        ["policy.routing=weighted_round_robin", "policy.routing_weights=[3,1]", "policy.breach_action=reassign"],
    ),
    (
        "recycle_shared",
        ["policy.breach_action=recycle", "policy.lead_definition=shared", "policy.handoff.rejected=recycle"],
    ),
    (
        "predictive_feedback",
        ["marketing.scoring=predictive", "marketing.feedback=weekly", "sales.allocation=fixed_prospecting"],
    ),
    (
        "rules_feedback_linear",
        ["marketing.feedback=weekly", "marketing.engagement_decay=linear", "sales.allocation=own_prospects_first"],
    ),
    ("poll_calendar_clock", ["sales.pickup=poll", "policy.sla_clock=calendar", "policy.breach_action=alert"]),
    (
        "pooled_push_queue",
        [
            "staffing.mode=arrivals",
            "staffing.leads_per_hour=2",
            "market.accounts=1000",
            "sales.calendar=always",
            "sales.handling=exponential",
            "sales.attempt_minutes=60",
            "sales.leads_only=true",
            "policy.routing=pooled",
        ],
    ),
    (
        "staffing",
        [
            "staffing.mode=arrivals",
            "staffing.leads_per_hour=1.5",
            "sales.calendar=always",
            "sales.handling=lognormal",
            "sales.leads_only=true",
        ],
    ),
]


@pytest.mark.parametrize("name,overrides", LEVER_CASES, ids=[c[0] for c in LEVER_CASES])
def test_drivers_agree_under_every_lever(name, overrides):
    fast = simulate(small_config(*overrides, days=70), leads=True)
    ref = simulate(small_config(*overrides, "sim.engine=reference", days=70), leads=True)
    assert fast.summary["waterfall"]["mql"] > 0
    assert fast.summary["stages"] == ref.summary["stages"]
    assert fast.summary["revenue"] == pytest.approx(ref.summary["revenue"], rel=1e-9, abs=1e-9)
    pd.testing.assert_frame_equal(fast.leads, ref.leads)
    np.testing.assert_allclose(fast.daily.to_numpy(), ref.daily.to_numpy(), rtol=1e-9)
