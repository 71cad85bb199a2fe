"""Composing a config: presets composed once (kept in the process and on disk) and plain values set on a
copy give exactly Hydra's composition of the whole override list, and an edited preset file is composed
afresh."""

import pytest
from omegaconf import OmegaConf

from sim import loading
from sim.config import ConfigError

CASES = [
    [],
    ["sim.days=120", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03"],
    ["scenarios=speed_to_lead", "policy.sla_minutes=30", "sim.seed=123456789012"],
    ["policy.sla_minutes=30", "scenarios=speed_to_lead"],  # a preset comes first whatever its place
    ["decay=mit2007", "policy.routing_weights=[1,2.5,3]", "market.currency=EUR", "sim.days=90", "sim.days=91"],
    ["policy.handoff.batch_hours=1e1", "marketing.mql_threshold=58.5", "sim.engine=reference"],
    ["sim={days: 45}", "sim.seed=3"],  # a section override: Hydra alone keeps the order
]


def _hydra(overrides):
    return OmegaConf.to_container(loading._hydra_compose(overrides, {}))


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    """A new disk cache and an empty process cache."""
    monkeypatch.setenv(loading.CACHE_ENV, str(tmp_path / "configs"))
    monkeypatch.setattr(loading, "_COMPOSED", {})
    return tmp_path / "configs"


@pytest.mark.parametrize("overrides", CASES)
def test_composed_config_equals_hydras_composition(overrides, cache_folder):
    # composed by Hydra, then copied in this process, then read from disk as a new process would
    hydra = loading._hydra_compose(overrides, {})
    expected, expected_cfg = OmegaConf.to_container(hydra), loading.to_config(hydra)
    for step in ("compose", "process", "disk"):
        if step == "disk":
            loading._COMPOSED.clear()
        fast = loading.compose_config(overrides)
        assert OmegaConf.to_container(fast) == expected, step
        assert OmegaConf.is_struct(fast) == OmegaConf.is_struct(hydra)
        assert loading.to_config(fast) == expected_cfg
    assert any(cache_folder.glob("*.pickle")) == (loading._split(overrides) is not None)


def test_a_broken_cache_file_is_composed_again_and_off_keeps_none(cache_folder, monkeypatch):
    loading.compose_config(["sim.days=9"])
    (path,) = cache_folder.glob("*.pickle")
    path.write_bytes(b"not a pickle")
    loading._COMPOSED.clear()
    assert loading.load_config(["sim.days=9"]).sim.days == 9
    assert OmegaConf.to_container(loading.compose_config([])) == _hydra([])
    monkeypatch.setenv(loading.CACHE_ENV, "off")
    loading._COMPOSED.clear()
    assert loading.load_config(["scenarios=speed_to_lead"]).policy.sla_minutes == 5
    assert len(list(cache_folder.glob("*.pickle"))) == 1


def test_a_copy_changed_by_one_caller_does_not_leak_into_the_next():
    cfg = loading.compose_config(["sim.days=50"])
    cfg.sim.days = 7
    assert loading.compose_config(["sim.days=50"]).sim.days == 50
    assert loading.compose_config([]).sim.days == _hydra([])["sim"]["days"]


@pytest.mark.parametrize(
    "overrides,needle",
    [
        (["sim.days=abc"], "sim.days=abc is not allowed"),
        (["scenarios=nope", "sim.days=5"], "is not a scenario preset"),
        (["sim.dayz=5"], "not a config key"),
    ],
)
def test_bad_values_give_hydras_error(overrides, needle):
    with pytest.raises(ConfigError, match=needle):
        loading.load_config(overrides)
    with pytest.raises(ConfigError, match=needle):  # also once the presets are composed and kept
        loading.load_config(overrides)


def test_an_edited_preset_file_is_composed_afresh(tmp_path, monkeypatch, cache_folder):
    presets = tmp_path / "scenarios"
    presets.mkdir()
    for p in loading.SCENARIO_DIR.glob("*.yaml"):
        (presets / p.name).write_text(p.read_text())
    monkeypatch.setattr(loading, "SCENARIO_DIR", presets)
    monkeypatch.setitem(loading.GROUPS, "scenarios", presets)
    mine = presets / "mine.yaml"
    mine.write_text("# @package _global_\nscenario: mine\nsim:\n  days: 33\n")
    assert loading.load_config(["scenarios=mine", "sim.seed=1"]).sim.days == 33
    mine.write_text("# @package _global_\nscenario: mine\nsim:\n  days: 44\n# longer\n")
    assert loading.load_config(["scenarios=mine", "sim.seed=1"]).sim.days == 44
    loading._COMPOSED.clear()  # a new process, the same files: from disk
    assert loading.load_config(["scenarios=mine", "sim.seed=1"]).sim.days == 44
