"""Named lead-age decay presets: each loads by name, and the default curve is the moderate one."""

import pytest

from sim import load_config
from sim.loading import CONF_DIR
from sim.validation.checks import active_decay_preset
from sim.validation.decay_fit import SPECS, preset_targets
from sim.validation.response import RATIOS

PRESETS = sorted(p.stem for p in (CONF_DIR / "decay").glob("*.yaml"))


def test_every_fitted_preset_has_a_file():
    assert PRESETS == sorted(SPECS)


@pytest.mark.parametrize("name", PRESETS)
def test_preset_loads_by_name_and_is_recognised(name):
    cfg = load_config([f"decay={name}"])
    assert cfg.decay.kind == SPECS[name]["kind"]
    assert active_decay_preset(cfg) == name
    # A key overridden after the preset makes the curve a custom one.
    assert active_decay_preset(load_config([f"decay={name}", "decay.reach_share=0.123"])) is None


def test_default_curve_is_the_moderate_preset():
    assert active_decay_preset(load_config([])) == "moderate"


def test_moderate_targets_halve_the_published_log_effects():
    targets = preset_targets("moderate")
    assert set(targets) == {r.name for r in RATIOS}
    for r in RATIOS:
        assert targets[r.name] == pytest.approx(r.figure**0.5)
    assert preset_targets("hbr2011") == {"qualify_1h_vs_1_to_2h": 7.0, "qualify_1h_vs_24h_plus": 60.0}
