"""Levers move outcomes in the direction the literature expects (common random numbers)."""

import pytest

from sim import simulate
from tests.conftest import small_config

MEDIUM = ["market.accounts=3000", "sales.reps=12", "marketing.budget_scale=0.15"]


@pytest.fixture(scope="module")
def by_sla():
    runs = {sla: simulate(small_config(*MEDIUM, f"policy.sla_minutes={sla}", days=240)) for sla in (5, 60, 1440)}
    return {sla: res.summary for sla, res in runs.items()}


def test_sla_targets_of_5_minutes_1_hour_and_1_day_differ(by_sla):
    p50 = [by_sla[s]["response_minutes"]["p50"] for s in (5, 60, 1440)]
    assert p50[0] < p50[1] < p50[2]
    sal = [by_sla[s]["waterfall"]["sal"] for s in (5, 60, 1440)]
    assert sal[0] > sal[2]


def test_faster_response_converts_more_mqls_to_sql(by_sla):
    conv = [by_sla[s]["waterfall"]["sql"] / by_sla[s]["waterfall"]["mql"] for s in (5, 1440)]
    assert conv[0] > conv[1]


def test_higher_mql_threshold_gives_fewer_mqls():
    low = simulate(small_config(*MEDIUM, "marketing.mql_threshold=50", days=200)).summary
    high = simulate(small_config(*MEDIUM, "marketing.mql_threshold=70", days=200)).summary
    assert high["waterfall"]["mql"] < low["waterfall"]["mql"]


def test_batch_pull_raises_response_past_the_pull_interval():
    rt = simulate(small_config(*MEDIUM, days=200)).summary
    pull = ("policy.handoff.mode=batch", "policy.handoff.batch_hours=24")
    batch = simulate(small_config(*MEDIUM, *pull, days=200)).summary
    assert batch["response_minutes"]["p50"] > rt["response_minutes"]["p50"]
    assert batch["response_minutes"]["mean"] > 24 * 60 / 2
