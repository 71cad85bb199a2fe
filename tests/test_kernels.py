"""The fast driver's one-call days: the schedule's order, the same numbers as phase by phase, a deal log
that never overflows."""

import threading

import numpy as np
import pandas as pd
import pytest

from sim import kernels, schedule
from sim.model import DAYS_PER_CALL, FunnelModel
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
    for extra, threads in (((), 1), (("policy.routing=pooled", "sales.pickup=poll"), 1), ((), 3)):
        whole = _run((*extra, f"sim.threads={threads}"))  # on 3 threads: days on a team of threads
        by_phase = _run(extra, driver=_PhaseByPhase(threads))  # each piece's ranges on the worker pool
        assert whole.state.n_deals[0] > 0
        for name, a, b in zip(whole.state._fields, whole.state, by_phase.state, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("threads", [1, 3])
def test_many_days_per_call_stop_before_the_deal_log_could_overflow(threads):
    overrides = ("market.in_market_rate=0.01", "market.smb.cycle_days=5", f"sim.threads={threads}")
    model = FunnelModel(small_config(*overrides, days=150))
    model.state = model.state._replace(deals=np.full((1, len(DEALS)), np.nan))  # room for one deal
    calls = []
    run_days = model.driver.run_days

    def recorded(S, P, d, end, make_room):
        S, done = run_days(S, P, d, end, make_room)
        calls.append((d, done, int(S.n_deals[0]), S.deals.shape[0]))
        return S, done

    model.driver.run_days = recorded
    model.run()
    stepped = FunnelModel(small_config(*overrides, days=150))
    stepped.state = stepped.state._replace(deals=np.full((1, len(DEALS)), np.nan))
    for _ in range(150):
        stepped.step()
    assert len(calls) > 3, "the log grew between calls"
    assert all(1 <= done <= DAYS_PER_CALL and n <= cap for _, done, n, cap in calls), "short calls: a run can stop"
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
    for threads in (1, 2, 3):  # 3 threads on a 2-core machine: more threads than cores
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
    assert {(t, phase) for t in (1, 2, 3) for phase in ("handoff", "closing")} <= grew


def test_a_team_thread_that_fails_before_joining_stops_the_others(monkeypatch):
    """The leader waits for the others in compiled code: if one cannot start, the leader is told and the
    run raises its error instead of waiting for ever."""
    model = FunnelModel(small_config("sim.threads=3", days=40))
    kernel = kernels.day_kernel

    def failing(S, P, d, code, lo, hi, row, *scratch):
        if code == kernels.TEAM and row == 2:
            raise MemoryError("no room for a thread")
        return kernel(S, P, d, code, lo, hi, row, *scratch)

    monkeypatch.setattr(kernels, "day_kernel", failing)
    outcome = []

    def run():
        try:
            model.run()
        except MemoryError as err:
            outcome.append(err)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(120)
    assert not runner.is_alive(), "the team waited for a thread that never came"
    assert len(outcome) == 1 and model.day == 0
    monkeypatch.setattr(kernels, "day_kernel", kernel)
    assert FunnelModel(small_config("sim.threads=3", days=40)).run().day == 40, "the next run is not disturbed"
