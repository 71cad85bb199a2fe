"""`funnelsim run` writes a complete run folder and prints a summary."""

import json
import subprocess
import sys

import pandas as pd
import yaml

from tests.conftest import SMALL

REQUIRED = [
    "revenue",
    "deals_won",
    "win_rate",
    "cycle_days_mean",
    "waterfall",
    "response_minutes",
    "sla_met_share",
    "never_touched_share",
    "rep_time_share",
    "revenue_by_source",
    "cost",
]
LEAD_COLUMNS = [
    "lead_id",
    "account_id",
    "created_at",
    "mql_at",
    "routed_at",
    "first_touch_at",
    "rep_id",
    "attempts",
    "stage",
]


def run_cli(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", *SMALL, f"output.dir={tmp_path / 'runs'}", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )


def test_run_writes_config_summary_and_tables(tmp_path):
    proc = run_cli(tmp_path, "output.leads=true", "output.csv=true")
    assert proc.returncode == 0, proc.stderr
    assert "revenue" in proc.stdout
    (folder,) = list((tmp_path / "runs").iterdir())
    names = {p.name for p in folder.iterdir()}
    assert {"config.yaml", "summary.json", "daily.parquet", "leads.parquet", "deals.parquet", "daily.csv"} <= names
    summary = json.loads((folder / "summary.json").read_text())
    for key in REQUIRED:
        assert key in summary, key
    assert set(summary["response_minutes"]) >= {"mean", "p50", "p90"}
    assert set(summary["cost"]) == {"marketing", "sales"}
    cfg = yaml.safe_load((folder / "config.yaml").read_text())
    assert cfg["sim"]["days"] == 120 and cfg["market"]["accounts"] == 600
    leads = pd.read_parquet(folder / "leads.parquet")
    assert set(LEAD_COLUMNS) <= set(leads.columns)
    assert len(leads) > 0
    daily = pd.read_parquet(folder / "daily.parquet")
    assert (
        len(daily) == 120
        and daily["mqls"].sum() == summary["waterfall"]["mql"] - 0
        or daily["mqls"].sum() >= summary["waterfall"]["mql"]
    )


def test_leads_only_when_asked(tmp_path):
    proc = run_cli(tmp_path)
    assert proc.returncode == 0, proc.stderr
    (folder,) = list((tmp_path / "runs").iterdir())
    assert not (folder / "leads.parquet").exists()


def test_named_run_is_never_overwritten(tmp_path):
    assert run_cli(tmp_path, "output.name=mine").returncode == 0
    before = (tmp_path / "runs" / "mine" / "summary.json").read_bytes()
    proc = run_cli(tmp_path, "output.name=mine", "sim.seed=5")
    assert proc.returncode == 2
    assert "already exists" in proc.stderr
    assert (tmp_path / "runs" / "mine" / "summary.json").read_bytes() == before


def test_python_api_matches_cli(tmp_path):
    from sim import load_config, simulate

    assert run_cli(tmp_path).returncode == 0
    (folder,) = list((tmp_path / "runs").iterdir())
    summary = json.loads((folder / "summary.json").read_text())
    res = simulate(load_config(SMALL))
    assert res.leads is None
    assert summary["revenue"] == res.summary["revenue"]
    assert summary["waterfall"] == res.summary["waterfall"]
