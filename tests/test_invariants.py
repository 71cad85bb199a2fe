"""Invariants: every contact in one stage; counts reconcile with the lead log; money adds up."""

import numpy as np
import pytest

from sim import simulate
from sim.stages import FUNNEL, SIDE_EXITS, STAGE_NAMES
from tests.conftest import small_config


def test_debug_mode_checks_every_day_and_passes():
    res = simulate(small_config("sim.debug=true", days=150))
    assert res.summary["days"] == 150


def test_debug_mode_catches_a_broken_state():
    from sim.invariants import InvariantError, check_invariants

    res = simulate(small_config(days=60), keep_model=True)
    S, P = res.model.state, res.model.params
    S.totals[0] += 1000.0  # revenue no longer equals the sum of won deals
    with pytest.raises(InvariantError, match="revenue"):
        check_invariants(S, P, 59)


def test_every_contact_is_in_exactly_one_stage(small_fast):
    stages = small_fast.summary["stages"]
    assert set(stages) == set(STAGE_NAMES)
    assert sum(stages.values()) == small_fast.summary["contacts"]


def test_waterfall_reconciles_with_lead_log(small_fast):
    leads, w = small_fast.leads, small_fast.summary["waterfall"]
    assert w["inquiry"] == int(((leads.source == "marketing") & leads.created_at.notna()).sum())
    assert w["mql"] == int(leads.mql_at.notna().sum())
    assert w["sal"] == int(leads.sal_at.notna().sum())
    assert w["sql"] == int(leads.sql_at.notna().sum())
    assert w["opportunity"] == int(leads.opportunity_at.notna().sum())
    for stage in ("won", "lost", "no_decision", *SIDE_EXITS):
        assert w[stage] == int((leads.stage == stage).sum()), stage
    assert set(FUNNEL) <= set(w)
    # Funnel order: each stage is reached by no more leads than the one before.
    assert w["mql"] >= w["sal"] >= w["sql"]


def test_revenue_is_sum_of_won_deals(small_fast):
    deals = small_fast.deals
    won = deals[deals.outcome == "won"]
    assert small_fast.summary["revenue"] == pytest.approx(won.value.sum(), rel=1e-12)
    assert small_fast.summary["deals_won"] == len(won)
    by_source = small_fast.summary["revenue_by_source"]
    assert by_source["marketing"] + by_source["sales"] == pytest.approx(won.value.sum(), rel=1e-12)


def test_time_shares_sum_to_one(small_fast):
    shares = small_fast.summary["rep_time_share"]
    assert set(shares) == {"lead_followup", "prospecting", "opportunity", "admin", "idle"}
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    assert all(v >= 0 for v in shares.values())


def test_lead_log_times_are_ordered(small_fast):
    leads = small_fast.leads
    for a, b in [
        ("created_at", "mql_at"),
        ("mql_at", "routed_at"),
        ("routed_at", "first_touch_at"),
        ("first_touch_at", "sal_at"),
    ]:
        both = leads[a].notna() & leads[b].notna()
        assert both.sum() > 0, (a, b)
        assert np.all(leads.loc[both, a] <= leads.loc[both, b]), (a, b)
