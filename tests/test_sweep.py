"""`funnelsim sweep`: specs, common random numbers, one tidy table, resume, failures, launchers."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim.config import ConfigError
from sim.sweep.cli import main, make_plan, parse_args
from sim.sweep.job import replication_seed
from sim.sweep.spec import SweepSpec, scenario_list

SMALL = ["sim.days=60", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03", "plots=false"]


def sweep(tmp_path, *args, name="t"):
    return main([*SMALL, f"dir={tmp_path}", f"name={name}", "quiet=true", *args])


def test_grid_paired_and_explicit_scenarios():
    spec = SweepSpec(name="x", grid={"a.b": [1, 2]}, paired={"c.d": [5, 6, 7], "e.f": ["x", "y", "z"]})
    rows = scenario_list(spec)
    assert len(rows) == 6
    assert {"a.b": 2, "c.d": 6, "e.f": "y"} in rows
    assert {"a.b": 1, "c.d": 6, "e.f": "x"} not in rows  # paired values move together
    explicit = SweepSpec(name="y", scenarios=[{"a.b": 1}, {"a.b": 3, "c.d": 4}])
    assert scenario_list(explicit) == [{"a.b": 1}, {"a.b": 3, "c.d": 4}]


@pytest.mark.parametrize(
    "args,needle",
    [
        (["policy.nonsense=1,2"], "nonsense"),
        (["marketing.mql_threshold=50,500"], "marketing.mql_threshold=500"),
        (["sweep=nope"], "known sweeps"),
        (["replications=0"], "replications='0' is not allowed"),
    ],
)
def test_bad_sweeps_stop_before_any_job(tmp_path, capsys, args, needle):
    assert sweep(tmp_path, *args) == 2
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


def test_empty_and_unequal_lists_are_refused():
    with pytest.raises(ConfigError, match="empty list"):
        scenario_list(SweepSpec(name="x", grid={"policy.sla_minutes": []}))
    with pytest.raises(ConfigError, match="one length"):
        scenario_list(SweepSpec(name="x", paired={"policy.sla_minutes": [5, 60], "policy.breach_action": ["alert"]}))


def test_plan_records_levers_and_baseline():
    spec, _ = parse_args([*SMALL, "policy.sla_minutes=5,60", "sweep=default"])
    plan = make_plan(spec)
    assert plan["levers"][:1] == ["marketing.mql_threshold"]
    assert sum(s["baseline"] for s in plan["scenarios"]) == 1
    assert len(plan["scenarios"]) == 3 * 2 * 2


def test_default_sweep_pairs_pickup_with_sla_and_is_paired_against_today():
    plan = make_plan(parse_args([*SMALL, "sweep=default"])[0])
    assert len(plan["scenarios"]) == 3 * 2 * 4
    (base,) = [s for s in plan["scenarios"] if s["baseline"]]
    assert base["levers"] == {
        "marketing.mql_threshold": 58,
        "policy.handoff.mode": "realtime",
        "sales.pickup": "push",
        "policy.sla_minutes": 60,
    }


def test_setting_one_paired_lever_unpairs_its_group():
    spec, _ = parse_args([*SMALL, "sweep=default", "policy.sla_minutes=5,60"])
    assert spec.paired == {}
    assert spec.grid["policy.sla_minutes"] == [5, 60]
    # The baseline keeps only keys that still name scenarios of the sweep.
    assert spec.baseline == {"marketing.mql_threshold": 58, "policy.handoff.mode": "realtime", "policy.sla_minutes": 60}
    spec, _ = parse_args([*SMALL, "sweep=default", "policy.sla_minutes=5,15"])
    assert spec.baseline == {"marketing.mql_threshold": 58, "policy.handoff.mode": "realtime"}


@pytest.fixture(scope="module")
def basic_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("basic")
    args = [*SMALL, f"dir={folder}", "name=b", "quiet=true", "launcher=basic", "replications=3"]
    args += ["marketing.mql_threshold=50,66", "policy.sla_minutes=5,1440", "policy.handoff.mode=realtime"]
    assert main(args) == 0
    return folder / "b"


def test_sweep_writes_tidy_tables_with_seeds_in_every_row(basic_sweep):
    runs = pd.read_parquet(basic_sweep / "runs.parquet")
    assert len(runs) == 4 * 3 and runs.duplicated(["scenario", "replication"]).sum() == 0
    assert {"marketing.mql_threshold", "policy.sla_minutes", "revenue", "response_minutes.p50", "seed"} <= set(runs)
    # Common random numbers: replication r has the same seed under every scenario.
    seeds = runs.groupby("replication").seed.nunique()
    assert (seeds == 1).all()
    assert runs.seed.iloc[0] == replication_seed(2026, 0)
    scen = pd.read_parquet(basic_sweep / "scenarios.parquet")
    rev = scen[scen.metric == "revenue"]
    assert len(rev) == 4
    assert ((rev.ci_low <= rev["mean"]) & (rev["mean"] <= rev.ci_high)).all()
    base = rev[rev.baseline]
    assert len(base) == 1 and base.diff_mean.iloc[0] == 0.0
    meta = json.loads((basic_sweep / "sweep.json").read_text())
    assert meta["root_seed"] == 2026 and len(meta["jobs"]) == 4
    assert all(j["status"] == "ok" for j in meta["jobs"])
    resp = pd.read_parquet(basic_sweep / "responses.parquet")
    assert set(resp.columns) == {"scenario", "replication", "bin_lo", "bin_hi", "leads", "sal", "sql"}


@pytest.mark.slow
def test_same_table_with_joblib_and_two_workers(basic_sweep, tmp_path):
    args = [*SMALL, f"dir={tmp_path}", "name=b", "quiet=true", "launcher=joblib", "workers=2", "replications=3"]
    args += ["marketing.mql_threshold=50,66", "policy.sla_minutes=5,1440", "policy.handoff.mode=realtime"]
    assert main(args) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(basic_sweep / "runs.parquet"), pd.read_parquet(tmp_path / "b" / "runs.parquet")
    )


def test_rerun_resumes_and_changes_nothing(basic_sweep, capsys):
    before = pd.read_parquet(basic_sweep / "runs.parquet")
    args = [*SMALL, f"dir={basic_sweep.parent}", "name=b", "quiet=true", "launcher=basic", "replications=3"]
    args += ["marketing.mql_threshold=50,66", "policy.sla_minutes=5,1440", "policy.handoff.mode=realtime"]
    assert main(args) == 0
    assert "4 of 4 jobs already done" in capsys.readouterr().err
    pd.testing.assert_frame_equal(before, pd.read_parquet(basic_sweep / "runs.parquet"))


def test_a_different_sweep_into_the_same_folder_is_refused(basic_sweep, capsys):
    args = [*SMALL, f"dir={basic_sweep.parent}", "name=b", "quiet=true", "replications=2"]
    assert main(args) == 2
    assert "different sweep" in capsys.readouterr().err


def test_a_failed_job_is_reported_and_marked_without_stopping_the_others(tmp_path, capsys):
    code = sweep(
        tmp_path, "launcher=basic", "replications=2", "staffing.mode=market,arrivals", "staffing.leads_per_hour=9000"
    )
    assert code == 1
    runs = pd.read_parquet(tmp_path / "t" / "runs.parquet")
    assert set(runs.status) == {"ok", "failed"}
    assert runs[runs.status == "failed"].error.str.contains("staffing.leads_per_hour").all()
    assert "failed" in capsys.readouterr().err


@pytest.mark.slow
def test_killed_sweep_resumes_with_no_lost_or_duplicated_rows(tmp_path):
    args = [*SMALL, "quiet=true", "launcher=basic", "replications=2", "marketing.mql_threshold=50,58,66,74"]
    args += ["policy.sla_minutes=5,1440", "policy.handoff.mode=realtime"]
    cmd = [sys.executable, "-m", "sim.cli", "sweep", *args]
    proc = subprocess.Popen([*cmd, f"dir={tmp_path}/a", "name=k"], start_new_session=True)
    jobs = tmp_path / "a" / "k" / "jobs"
    deadline = time.time() + 300
    while time.time() < deadline and not list(jobs.glob("s*[0-9].parquet")):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(jobs.glob("s*[0-9].parquet")))
    assert 1 <= done < 8, "the sweep was killed midway"
    assert subprocess.run([*cmd, f"dir={tmp_path}/a", "name=k"]).returncode == 0
    assert subprocess.run([*cmd, f"dir={tmp_path}/b", "name=k"]).returncode == 0
    resumed = pd.read_parquet(tmp_path / "a" / "k" / "runs.parquet")
    whole = pd.read_parquet(tmp_path / "b" / "k" / "runs.parquet")
    assert len(resumed) == 16 and resumed.duplicated(["scenario", "replication"]).sum() == 0
    pd.testing.assert_frame_equal(resumed, whole)
