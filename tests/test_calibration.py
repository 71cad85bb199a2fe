"""The default scenario falls inside the published ranges (each check names its figure and source);
the same checks `funnelsim validate` prints, on the seed the README quotes."""

import pytest

from sim import load_config, simulate
from sim.validation.checks import CONVERSION_RANGES, DEAL_OUTCOMES, check_funnel

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rows():
    return {r.check: r for r in check_funnel(seeds=(42,))}


def test_default_is_a_mid_market_company():
    s = simulate(load_config(["sim.days=30"])).summary
    assert s["accounts"] == 20000
    assert 130_000 <= s["contacts"] <= 170_000
    assert s["reps"] == 40


@pytest.mark.parametrize("step", list(CONVERSION_RANGES))
def test_stage_conversions_in_industry_ranges(rows, step):
    r = rows[f"conversion_{step}"]
    lo, hi = CONVERSION_RANGES[step]
    assert lo <= r.model <= hi and r.passed


@pytest.mark.parametrize("outcome", list(DEAL_OUTCOMES))
def test_deal_outcomes_near_cso_insights_2016(rows, outcome):
    r = rows[f"deals_{outcome}_share"]
    assert r.model == pytest.approx(DEAL_OUTCOMES[outcome], abs=0.05) and r.passed


def test_rep_time_near_cso_insights_2011(rows):
    # CSO Insights 2011: 41 % of rep time selling, 24 % on lead generation and research.
    assert rows["rep_time_selling"].model == pytest.approx(0.41, abs=0.06)
    assert rows["rep_time_prospecting"].model == pytest.approx(0.24, abs=0.06)


def test_buying_groups_match_gartner(rows):
    assert 6 <= rows["buying_group_size"].model <= 10
