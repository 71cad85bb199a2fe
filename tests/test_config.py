"""Bad input stops before anything is written, naming the key, the value and what is allowed."""

import subprocess
import sys

import pytest

from sim import ConfigError, load_config


@pytest.mark.parametrize(
    "override,needle",
    [
        ("sim.foo=1", "foo"),
        ("sim.days=abc", "sim.days"),
        ("sim.days=0", "sim.days=0"),
        ("sales.reps=0", "sales.reps=0"),
        ("market.in_market_rate=-0.1", "market.in_market_rate=-0.1"),
        ("sales.reach_rate=1.5", "[0.0, 1.0]"),
        ("marketing.mql_threshold=150", "marketing.mql_threshold=150"),
        ("marketing.mql_threshold=0", "(0, 100]"),
        ("policy.routing=fairness", "round_robin"),
        ("sim.engine=gpu", "fast, reference"),
        ("policy.cadence_minutes=[0,60,30,100,200,300]", "not increasing"),
        ("policy.max_attempts=8", "policy.cadence_minutes has 6 offsets"),
        ("market.smb.share=0.9", "sum to 1"),
        ("scenarios=nope", "nope"),
    ],
)
def test_bad_values_raise_with_key_and_rule(override, needle):
    with pytest.raises(ConfigError) as err:
        load_config([override])
    assert needle in str(err.value)


def test_valid_overrides_and_scenario_load():
    cfg = load_config(["sim.days=365", "policy.sla_minutes=5"], scenario="default")
    assert cfg.sim.days == 365
    assert cfg.policy.sla_minutes == 5.0
    assert cfg.scenario == "default"


@pytest.mark.parametrize("override", ["sim.days=-3", "sim.nope=1", "sales.give_up_prob=2"])
def test_cli_exits_2_and_writes_nothing(tmp_path, override):
    out = tmp_path / "runs"
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", override, f"output.dir={out}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "config error" in proc.stderr
    assert not out.exists() or not any(out.iterdir())
