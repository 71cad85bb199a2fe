"""Scenario presets load by name from Python and the CLI, document themselves, and differ as expected."""

import subprocess
import sys

import pytest

from sim import load_config, simulate
from sim.loading import SCENARIO_DIR, scenario_names
from tests.conftest import SMALL

PRESETS = ["undefined", "defined", "aligned", "integrated", "speed_to_lead", "sdr_tier", "batch_crm_pull", "black_hole"]
MEDIUM = ["sim.days=200", "market.accounts=3000", "marketing.budget_scale=0.15"]


@pytest.mark.parametrize("name", PRESETS)
def test_preset_loads_and_documents_itself(name):
    assert name in scenario_names()
    cfg = load_config(scenario=name)
    assert cfg.scenario == name
    text = (SCENARIO_DIR / f"{name}.yaml").read_text()
    comments = [ln for ln in text.splitlines() if ln.startswith("#") and "@package" not in ln]
    assert len(" ".join(comments)) > 80, "each preset says what it sets and why"


def test_presets_set_what_they_say():
    assert load_config(scenario="sdr_tier").policy.handoff.tier == "sdr"
    assert load_config(scenario="batch_crm_pull").policy.handoff.mode == "batch"
    assert load_config(scenario="speed_to_lead").policy.sla_minutes == 5
    assert load_config(scenario="aligned").policy.lead_definition == "shared"


def test_cli_runs_a_preset_by_name(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", "scenarios=aligned", *SMALL, f"output.dir={tmp_path}"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "scenario 'aligned'" in proc.stdout


def test_aligned_beats_undefined_and_speed_beats_batch():
    def run(name):
        return simulate(load_config(MEDIUM, scenario=name)).summary

    undefined, aligned = run("undefined"), run("aligned")
    assert aligned["revenue"] > undefined["revenue"]
    assert aligned["response_minutes"]["p50"] < undefined["response_minutes"]["p50"]
    speed, batch = run("speed_to_lead"), run("batch_crm_pull")
    assert speed["response_minutes"]["p50"] < 5 < 24 * 60 / 2 < batch["response_minutes"]["mean"]
