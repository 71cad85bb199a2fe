"""Sweep lanes: a worker process that runs many jobs gives the same tables as a fresh process per job,
and lanes sharing a queue run each job exactly once."""

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from sim.sweep.cli import main
from sim.sweep.job import job_path, run_lane

SMALL = ["sim.days=60", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03", "plots=false"]
GRID = ["replications=2", "marketing.mql_threshold=50,66,74", "policy.sla_minutes=5", "policy.handoff.mode=realtime"]


@pytest.fixture(scope="module")
def lane_sweep(tmp_path_factory):
    """Every job run by one lane in this process (launcher=basic), after other runs in it."""
    folder = tmp_path_factory.mktemp("lanes")
    assert main([*SMALL, *GRID, f"dir={folder}", "name=s", "quiet=true", "launcher=basic"]) == 0
    return folder / "s"


def _job_table(folder, sid):
    return pd.read_parquet(job_path(folder, sid)).drop(columns=["seconds"])


def test_a_worker_reused_across_jobs_gives_the_tables_of_fresh_processes(lane_sweep, tmp_path):
    plan = json.loads((lane_sweep / "plan.json").read_text())
    fresh = tmp_path / "fresh"
    (fresh / "jobs").mkdir(parents=True)
    shutil.copy(lane_sweep / "plan.json", fresh / "plan.json")
    for j in (1, 2):  # the second and third jobs, which the lane ran after others in the same process
        code = f"from pathlib import Path; from sim.sweep.job import run_job; print(run_job(Path({str(fresh)!r}), {j}))"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
        assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
        sid = plan["scenarios"][j]["id"]
        pd.testing.assert_frame_equal(_job_table(lane_sweep, sid), _job_table(fresh, sid))
        pd.testing.assert_frame_equal(
            pd.read_parquet(lane_sweep / "jobs" / f"{sid}.responses.parquet"),
            pd.read_parquet(fresh / "jobs" / f"{sid}.responses.parquet"),
        )


def test_lanes_sharing_a_queue_run_each_job_once(lane_sweep, tmp_path):
    folder = tmp_path / "q"
    (folder / "jobs").mkdir(parents=True)
    shutil.copy(lane_sweep / "plan.json", folder / "plan.json")
    claims = folder / "claims"
    claims.mkdir()
    (claims / "queue.json").write_text(json.dumps([2, 0, 1]))
    (claims / "1").touch()  # another lane has taken job 1
    assert run_lane(folder, claims) == "ok"
    plan = json.loads((folder / "plan.json").read_text())
    done = [j for j, s in enumerate(plan["scenarios"]) if job_path(folder, s["id"]).exists()]
    assert done == [0, 2]
    stamp = job_path(folder, "s000").stat().st_mtime_ns
    assert run_lane(folder, claims) == "ok"  # a second lane on the same queue finds nothing left
    assert job_path(folder, "s000").stat().st_mtime_ns == stamp and not job_path(folder, "s001").exists()
    pd.testing.assert_frame_equal(_job_table(lane_sweep, "s002"), _job_table(folder, "s002"))
