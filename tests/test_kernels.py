"""The fast driver's one-call days: the schedule's order, the same numbers as phase by phase, a deal log
that never overflows."""

import numpy as np
import pandas as pd

from sim import kernels, schedule
from sim.model import FunnelModel
from sim.state import DEALS
from sim.summary import deals_table
from tests.conftest import small_config


def test_the_compiled_day_runs_the_pieces_of_the_schedule_in_its_order():
    assert set(kernels.PIECES) == set(schedule.NAMES)
    expected = [code for name in schedule.NAMES for code in kernels.PIECES[name]]
    assert kernels.DAY_PIECES.tolist() == expected
    assert len(set(expected)) == len(expected) and kernels.DAYS not in expected, "each piece once; DAYS is no piece"


class _PhaseByPhase(kernels.FastDriver):
    """The fast driver stepping `sim.schedule.run_day` piece by piece from Python, as on several threads."""

    def run_days(self, S, P, d, end):
        schedule.run_day(self, S, P, d)
        return 1


def _run(overrides, driver=None, days=60):
    model = FunnelModel(small_config(*overrides, days=days))
    if driver is not None:
        model.driver = driver
    model.run()
    return model


def test_one_call_days_equal_the_schedule_run_phase_by_phase():
    for extra in ((), ("policy.routing=pooled", "sales.pickup=poll")):
        whole = _run(extra)
        by_phase = _run(extra, driver=_PhaseByPhase(1))
        assert whole.state.n_deals[0] > 0
        for name, a, b in zip(whole.state._fields, whole.state, by_phase.state, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)


def test_many_days_per_call_stop_before_the_deal_log_could_overflow():
    model = FunnelModel(small_config("market.in_market_rate=0.01", "market.smb.cycle_days=5", days=150))
    model.state = model.state._replace(deals=np.full((1, len(DEALS)), np.nan))  # room for one deal
    calls = []
    run_days = model.driver.run_days

    def recorded(S, P, d, end):
        done = run_days(S, P, d, end)
        calls.append((d, done, int(S.n_deals[0]), S.deals.shape[0]))
        return done

    model.driver.run_days = recorded
    model.run()
    stepped = FunnelModel(small_config("market.in_market_rate=0.01", "market.smb.cycle_days=5", days=150))
    stepped.state = stepped.state._replace(deals=np.full((1, len(DEALS)), np.nan))
    for _ in range(150):
        stepped.step()
    assert len(calls) > 3, "the log grew between calls"
    assert all(done >= 1 and n <= cap for _, done, n, cap in calls)
    assert sum(done for _, done, _, _ in calls) == 150 == model.day == model.steps
    assert model.state.n_deals[0] > 20
    pd.testing.assert_frame_equal(deals_table(model.state), deals_table(stepped.state))
    pd.testing.assert_frame_equal(
        model.datacollector.get_model_vars_dataframe(), stepped.datacollector.get_model_vars_dataframe()
    )
