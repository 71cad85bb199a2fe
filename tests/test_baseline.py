"""A sweep's baseline is today's configuration, and money carries its currency from the config."""

import pytest

from sim.config import ConfigError
from sim.loading import load_config
from sim.sweep.cli import make_plan
from sim.sweep.spec import SweepSpec, load_spec


def _baseline(plan):
    return next(s["levers"] for s in plan["scenarios"] if s["baseline"])


def test_the_default_sweeps_baseline_is_the_default_scenario():
    cfg = load_config([])
    base = _baseline(make_plan(load_spec("default")))
    today = {
        "marketing.mql_threshold": cfg.marketing.mql_threshold,
        "policy.handoff.mode": cfg.policy.handoff.mode,
        "sales.pickup": cfg.sales.pickup,
        "policy.sla_minutes": cfg.policy.sla_minutes,
    }
    assert base == today


def test_without_a_named_baseline_the_sweep_compares_against_today():
    spec = SweepSpec(name="t", grid={"policy.sla_minutes": [5, 60, 240], "marketing.mql_threshold": [50, 58]})
    assert _baseline(make_plan(spec)) == {"policy.sla_minutes": 60, "marketing.mql_threshold": 58}
    spec = SweepSpec(name="t", base=["policy.sla_minutes=240"], grid={"policy.sla_minutes": [5, 60, 240]})
    with pytest.raises(ConfigError, match="both pinned"):
        make_plan(spec)
    spec = SweepSpec(name="t", base=["sales.reps=30"], grid={"marketing.mql_threshold": [50, 66, 58]})
    assert _baseline(make_plan(spec)) == {"marketing.mql_threshold": 58}  # today on the base's market


def test_the_staffing_sweep_crosses_reps_coverage_and_an_sdr_tier_against_today():
    plan = make_plan(load_spec("staffing"))
    assert len(plan["scenarios"]) == 16
    assert _baseline(plan) == {
        "sales.reps": 40,
        "sales.calendar": "business",
        "policy.handoff.tier": "direct",
        "sales.sdrs": 0,
    }
    assert set(plan["levers"]) == {"sales.reps", "sales.calendar", "policy.handoff.tier", "sales.sdrs"}


def test_currency_is_a_config_key_with_a_default_symbol():
    assert load_config([]).market.currency == "$"
    assert load_config(["market.currency='€'"]).market.currency == "€"  # Hydra reads symbols in quotes
    assert load_config(["market.currency=EUR"]).market.currency == "EUR"
    with pytest.raises(ConfigError, match="market.currency=.*currency symbol of 1 to 4"):
        load_config(["market.currency=dollars"])
