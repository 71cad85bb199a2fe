"""The fast driver's one-call days: the schedule's order, the same numbers as phase by phase, a deal log
that never overflows."""

import numpy as np
import pandas as pd

from sim import kernels, schedule
from sim.model import FunnelModel
from sim.state import DEALS, _lead_rows, by_contact
from sim.summary import deals_table
from tests.conftest import small_config


def test_the_compiled_day_runs_the_pieces_of_the_schedule_in_its_order():
    assert set(kernels.PIECES) == set(schedule.NAMES)
    expected = [code for name in schedule.NAMES for code in kernels.PIECES[name]]
    assert kernels.DAY_PIECES.tolist() == expected
    assert len(set(expected)) == len(expected) and kernels.DAYS not in expected, "each piece once; DAYS is no piece"


class _PhaseByPhase(kernels.FastDriver):
    """The fast driver stepping `sim.schedule.run_day` piece by piece from Python, as on several threads."""

    def run_days(self, S, P, d, end, make_room):
        return schedule.run_day(self, S, P, d, make_room), 1


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

    def recorded(S, P, d, end, make_room):
        S, done = run_days(S, P, d, end, make_room)
        calls.append((d, done, int(S.n_deals[0]), S.deals.shape[0]))
        return S, done

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


def test_a_day_stopped_for_the_lead_table_goes_on_from_there_with_the_same_numbers():
    """A lead table with one row grows many times inside one-call days (before the handoff or the
    closing phase of a day) and on two threads: every table is the same as with a roomy one."""
    overrides = ("market.in_market_rate=0.01", "market.smb.cycle_days=5")
    roomy = _run(overrides, days=90)
    stops = []
    for threads in (1, 2):
        model = FunnelModel(small_config(*overrides, f"sim.threads={threads}", days=90))
        model.state = model.state._replace(**_lead_rows(1))
        grow = model._make_room

        def recorded(S, phase, d, grow=grow, threads=threads):
            before = S.rep.shape[0]
            S = grow(S, phase, d)
            stops.append((threads, phase, S.rep.shape[0] > before))
            return S

        model._make_room = recorded
        model.run()
        assert model.state.rep.shape[0] < model.state.stage.shape[0], "the table stays sized by leads"
        a, b = by_contact(roomy.state), by_contact(model.state)
        for name in a._fields:
            if name not in ("n_leads", "lead", "active", "q_idx", "scratch_i", "scratch_j"):
                np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
        assert (a.lead >= 0).sum() == (b.lead >= 0).sum() == model.state.n_leads[0]
    grew = {(t, phase) for t, phase, g in stops if g}
    assert {(1, "handoff"), (1, "closing"), (2, "handoff")} <= grew
