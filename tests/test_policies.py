"""The policy registry: every registered rule runs identically in both drivers, and the config,
`funnelsim keys` and the docs' lever tables list exactly the registered rules."""

import numpy as np
import pandas as pd
import pytest

from sim import load_config, policies, simulate
from sim.config import ConfigError
from tests.conftest import small_config

# Extra keys a rule needs to be meaningful (or allowed) on the small market.
NEEDS = {
    ("tier", "sdr"): ["sales.sdrs=2"],
    ("timing", "batch"): ["policy.handoff.batch_hours=8"],
    ("routing", "weighted_round_robin"): ["policy.routing_weights=[3,1]"],
}


def rule_cases():
    """Few cases that together use every registered rule of every kind at least once."""
    n = max(len(policies.names(k)) for k in policies.KINDS)
    cases = []
    for i in range(n):
        ov = [f"sim.seed={i + 1}", "policy.sla_minutes=15", "policy.lead_cap_per_day=6"]
        for kind, k in policies.KINDS.items():
            name = policies.names(kind)[i % len(policies.names(kind))]
            ov.append(f"{k.key}={name}")
            ov += NEEDS.get((kind, name), [])
        cases.append(ov)
    return cases


CASES = rule_cases()


def test_cases_cover_every_registered_rule():
    used = {
        (kind, ov.split("=", 1)[1])
        for case in CASES
        for ov in case
        for kind, k in policies.KINDS.items()
        if ov.startswith(k.key + "=")
    }
    assert used == {(kind, name) for kind in policies.KINDS for name in policies.names(kind)}


@pytest.mark.parametrize("overrides", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_every_rule_runs_identically_in_both_drivers(overrides):
    fast = simulate(small_config(*overrides, days=60), leads=True)
    ref = simulate(small_config(*overrides, "sim.engine=reference", days=60), leads=True)
    assert fast.summary["waterfall"]["mql"] > 0, "the case must route leads"
    assert fast.summary["waterfall"] == ref.summary["waterfall"]
    assert fast.summary["revenue"] == pytest.approx(ref.summary["revenue"], rel=1e-9, abs=1e-9)
    pd.testing.assert_frame_equal(fast.leads, ref.leads)
    np.testing.assert_allclose(fast.daily.to_numpy(), ref.daily.to_numpy(), rtol=1e-9)


def test_config_choices_come_from_the_registry():
    from sim.cli import _key_rows

    rows = {key: allowed for key, _, _, allowed, _, _ in _key_rows()}
    for kind, k in policies.KINDS.items():
        assert list(rows[k.key]) == list(policies.names(kind)), k.key


def test_unknown_rule_and_missing_plugin_are_config_errors():
    with pytest.raises(ConfigError, match=r"policy.routing='nearest'.*round_robin"):
        load_config(["policy.routing=nearest"])
    with pytest.raises(ConfigError, match=r"policy.routing=no_such_pkg.rules:fn.*cannot be imported"):
        load_config(["policy.routing=no_such_pkg.rules:fn"])
    with pytest.raises(ConfigError, match=r"policy.discipline=sim.policies.handoff:realtime takes \(P, minute\)"):
        load_config(["policy.discipline=sim.policies.handoff:realtime"])
    with pytest.raises(ConfigError, match=r"policy.routing=sim.policies.registry:names is not compiled by Numba"):
        load_config(["policy.routing=sim.policies.registry:names"])


def test_switch_calls_each_rule_by_its_code():
    from sim.policies import dispatch

    src = dispatch._switch_source("routing")
    for i, name in enumerate(policies.names("routing")):
        assert f"_routing_{i}(" in src
        assert dispatch.__dict__[f"_routing_{i}"] is policies.get("routing", name).fn


def test_levers_doc_embeds_the_registry_table():
    from pathlib import Path

    from sim.lever_table import BEGIN, END, rules_markdown

    text = (Path(__file__).resolve().parents[1] / "docs" / "levers.md").read_text()
    embedded = text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")
    assert embedded == rules_markdown(builtin_only=True).strip("\n")
