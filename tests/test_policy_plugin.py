"""The example plug-in (examples/policy_plugin): named as module:function, it runs in both drivers
with identical results; a plug-in that cannot compile stops the run with exit 2 and writes nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_SRC = ROOT / "examples" / "policy_plugin" / "src"
SPEC = "policy.routing=funnelsim_fair_share.rules:fair_share"
TINY = ["sim.days=60", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03", "sim.seed=5"]


def _env(extra_path: Path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(extra_path), env.get("PYTHONPATH", "")])
    return env


@pytest.mark.slow
def test_example_plugin_runs_identically_in_both_drivers():
    code = f"""
import json
from sim import load_config, simulate, policies
out = {{}}
for engine in ("fast", "reference"):
    res = simulate(load_config({TINY!r} + [{SPEC!r}, "sim.engine=" + engine]), leads=True)
    out[engine] = {{"summary": res.summary, "leads": res.leads.to_json(), "reps": res.leads["rep_id"].tolist()}}
out["names"] = list(policies.names("routing"))
print(json.dumps(out, default=str))
"""
    proc = subprocess.run([sys.executable, "-c", code], env=_env(PLUGIN_SRC), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["names"][-1] == "funnelsim_fair_share.rules:fair_share"
    fast, ref = out["fast"], out["reference"]
    assert fast["summary"]["waterfall"]["mql"] > 0
    assert fast["summary"] == ref["summary"]
    assert fast["leads"] == ref["leads"]


def test_plugin_that_does_not_compile_exits_2_and_writes_nothing(tmp_path):
    mod = tmp_path / "broken_rules.py"
    mod.write_text(
        "from numba import njit\n\n@njit\ndef worst(S, P, c, exclude):\n    return S.no_such_array[c]\n",
    )
    out = tmp_path / "runs"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.cli",
            "run",
            *TINY,
            "sim.days=5",
            "policy.routing=broken_rules:worst",
            f"output.dir={out}",
        ],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "policy.routing=broken_rules:worst" in proc.stderr and "does not compile" in proc.stderr
    assert not out.exists() or not any(out.iterdir())


def test_plugin_reading_a_lead_clock_with_the_contact_id_exits_2_with_the_fix(tmp_path):
    (tmp_path / "old_layout_rules.py").write_text(
        "from numba import njit\n\n@njit\ndef oldest_first(S, P, lead, d):\n"
        "    row = S.lead[lead]\n    return S.mql_at[row] + 0.0 * S.next_due[lead]\n"
    )
    out = tmp_path / "runs"
    spec = "policy.discipline=old_layout_rules:oldest_first"
    cmd = [sys.executable, "-m", "sim.cli", "run", *TINY, "sim.days=5", spec, f"output.dir={out}"]
    proc = subprocess.run(cmd, env=_env(tmp_path), capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert spec in proc.stderr
    assert "S.next_due[lead] with the contact id" in proc.stderr and "S.next_due[S.lead[lead]]" in proc.stderr
    assert not out.exists() or not any(out.iterdir())


def test_every_built_in_rule_reads_lead_clocks_through_the_lead_row():
    from sim.policies.registry import RULES, lead_index_problem

    checked = [(kind, name) for kind in RULES for name, r in RULES[kind].items() if not r.plugin]
    assert len(checked) > 10
    assert [
        (k, n, lead_index_problem(k, RULES[k][n].fn)) for k, n in checked if lead_index_problem(k, RULES[k][n].fn)
    ] == []
