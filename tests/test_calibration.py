"""The default scenario falls inside the published ranges of DESIGN.md (each check names its figure)."""

import pytest

from sim import load_config, simulate


@pytest.fixture(scope="module")
def default_run():
    return simulate(load_config([]))


pytestmark = pytest.mark.slow


def test_default_is_a_mid_market_company(default_run):
    s = default_run.summary
    assert s["accounts"] == 20000
    assert 130_000 <= s["contacts"] <= 170_000
    assert s["reps"] == 40
    assert s["days"] == 730


@pytest.mark.parametrize(
    "step,lo,hi",
    [
        ("inquiry_to_mql", 0.10, 0.35),  # industry range inquiry->MQL 10-35 %
        ("mql_to_sal", 0.40, 0.60),  # industry range MQL->SAL 40-60 %
        ("sal_to_sql", 0.50, 0.70),  # industry range SAL->SQL 50-70 %
        ("sql_to_won", 0.15, 0.30),  # industry range SQL->won 15-30 %
    ],
)
def test_stage_conversions_in_industry_ranges(default_run, step, lo, hi):
    assert lo <= default_run.summary["conversion"][step] <= hi


@pytest.mark.parametrize("outcome,published", [("won", 0.466), ("lost", 0.296), ("no_decision", 0.238)])
def test_deal_outcomes_near_cso_insights_2016(default_run, outcome, published):
    outcomes = default_run.summary["deal_outcomes"]
    share = outcomes[outcome] / sum(outcomes.values())
    assert share == pytest.approx(published, abs=0.05)


def test_selling_time_near_cso_insights_2011(default_run):
    # CSO Insights 2011: 41 % of rep time selling, 24 % on lead generation and research.
    shares = default_run.summary["rep_time_share"]
    assert default_run.summary["selling_time_share"] == pytest.approx(0.41, abs=0.06)
    assert shares["prospecting"] == pytest.approx(0.24, abs=0.06)


def test_buying_groups_match_gartner(default_run):
    # Gartner: buying groups of 6-10 people.
    model_contacts, accounts = default_run.summary["contacts"], default_run.summary["accounts"]
    assert 6 <= model_contacts / accounts <= 10
