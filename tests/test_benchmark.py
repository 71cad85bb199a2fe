"""`funnelsim benchmark`: the suite's cases x policies x replications, a leaderboard with intervals
and paired differences, the suite version and seeds recorded; bad input exits 2 and writes nothing."""

import json

import pandas as pd
import pytest

from sim.benchmark.cli import main
from sim.benchmark.suite import load_suite


def test_suite_v1_has_at_least_six_documented_cases_that_load():
    from sim.loading import load_config

    suite = load_suite("v1")
    assert suite.version == 1 and len(suite.cases) >= 6
    for case in suite.cases:
        assert len(case.doc) > 20, case.name
        load_config([*suite.base, *case.overrides])


@pytest.mark.parametrize(
    "args,message",
    [
        (["policies=round_robin,nearest"], "policy.routing='nearest' is not allowed"),
        (["policies=round_robin", "baseline=pooled"], "baseline='pooled' is not one of the policies"),
        (["policies=round_robin", "suite=v9"], "suite='v9' is not a benchmark suite"),
        (["policies=round_robin", "cases=default,flood"], "cases='flood' is not a case"),
        (["policies=round_robin", "key=policy.sla_minutes"], "key='policy.sla_minutes' is not a policy key"),
        (["replications=2"], "needs policies="),
    ],
)
def test_bad_benchmark_input_exits_2_and_writes_nothing(tmp_path, capsys, args, message):
    assert main([*args, f"dir={tmp_path / 'b'}"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


@pytest.mark.slow
def test_benchmark_writes_a_leaderboard_and_resumes(tmp_path, capsys):
    args = [
        "policies=round_robin,load_balanced",
        "cases=default,understaffed",
        "replications=2",
        "launcher=basic",
        f"dir={tmp_path}",
        "name=t",
    ]
    assert main(args) == 0
    root = tmp_path / "t"
    board = pd.read_parquet(root / "leaderboard.parquet")
    assert set(board.case) == {"default", "understaffed", "all"}
    wanted = {"revenue", "sla_met_share", "selling_time_share", "economics.cost_per_opportunity", "lead_load.gini"}
    assert wanted <= set(board.metric)
    base = board[board.baseline]
    assert (base.diff_mean == 0).all(), "the baseline's paired difference with itself is zero"
    rev = board[(board.case == "all") & (board.metric == "revenue")].set_index("policy")
    runs = pd.read_parquet(root / "runs.parquet")
    assert rev.loc["round_robin", "mean"] == pytest.approx(
        runs[runs.policy == "round_robin"].groupby("replication").revenue.sum().mean()
    )
    assert (rev.ci_low <= rev["mean"]).all() and (rev["mean"] <= rev.ci_high).all()
    # common random numbers: both policies ran with the same seeds
    seeds = runs.groupby("policy").seed.apply(lambda s: sorted(set(s)))
    assert seeds["round_robin"] == seeds["load_balanced"]
    meta = json.loads((root / "benchmark.json").read_text())
    assert meta["suite"] == "v1" and meta["suite_version"] == 1 and meta["funnelsim_version"]
    assert sorted(meta["seeds"]) == seeds["round_robin"]
    md = (root / "leaderboard.md").read_text()
    assert "suite v1 v1" not in md and "`load_balanced`" in md and "understaffed" in md
    assert (root / "leaderboard.png").stat().st_size > 10000
    capsys.readouterr()
    assert main(args) == 0  # resumes: nothing left to run
    assert "0 of 2 policies to run" in capsys.readouterr().err


def test_catalog_names_every_stage_activity_and_leaderboard_metric():
    from sim import catalog
    from sim import stages as st
    from sim.benchmark.leaderboard import BOARD
    from sim.config import CHANNELS

    assert tuple(catalog.STAGES) == st.STAGE_NAMES
    assert tuple(catalog.ACTIVITIES) == st.ACTIVITY_NAMES
    assert tuple(catalog.CHANNELS) == CHANNELS
    assert tuple(catalog.SEGMENTS) == st.SEGMENT_NAMES
    assert set(BOARD) <= set(catalog.METRICS)
    assert catalog.label("mql") == "MQL" and catalog.METRICS["revenue"].higher_is_better is True
