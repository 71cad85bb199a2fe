"""`funnelsim sweep launcher=ray`: settings, errors, and a sweep on a real Ray cluster.

The cluster test starts a Ray head inside a network namespace of its own that has only loopback
(needs root and `ip netns`; it fails, never skips, when they are missing), runs a sweep through
it from inside the same namespace, and compares the tables with a local basic-launcher run.
No Ray process ever runs outside that namespace, so all Ray traffic stays on its loopback.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.sweep.cli import main, parse_args

SMALL = ["sim.days=60", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03", "plots=false"]
GRID = ["replications=2", "marketing.mql_threshold=50,66", "policy.sla_minutes=5", "policy.handoff.mode=realtime"]
BIN = Path(sys.executable).parent  # the venv's funnelsim and ray commands
PORT = 6379  # free: the namespace is new
RAY_ENV = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}


@pytest.mark.parametrize(
    "args,needle",
    [
        (["launcher=rays"], "choose one of basic, joblib, ray"),
        (["launcher=ray"], "needs address=HOST:PORT"),
        (["launcher=ray", "address=localhost"], "is not HOST:PORT"),
        (["launcher=ray", "address=http://127.0.0.1:6379"], "is not HOST:PORT"),
        (["launcher=ray", "address=127.0.0.1:70000"], "is not HOST:PORT"),
        (["launcher=ray", "address=127.0.0.1:6379", "workers=4"], "does not apply to launcher=ray"),
        (["launcher=joblib", "address=127.0.0.1:6379"], "applies only to launcher=ray"),
    ],
)
def test_bad_ray_settings_stop_before_any_job(tmp_path, capsys, args, needle):
    assert main([*SMALL, f"dir={tmp_path}", "name=t", "quiet=true", *args]) == 2
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


def test_ray_settings_are_kept():
    _, run = parse_args([*SMALL, "launcher=ray", "address=head-1.example.org:6379"])
    assert run["launcher"] == "ray" and run["address"] == "head-1.example.org:6379" and run["workers"] is None
    _, run = parse_args([*SMALL, "launcher=basic"])
    assert run["address"] is None


def test_without_ray_installed_the_error_names_the_cluster_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    args = [*SMALL, f"dir={tmp_path}", "name=t", "launcher=ray", "address=127.0.0.1:6379"]
    assert main(args) == 2
    assert 'pip install -e ".[cluster]"' in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


def _ip(*args, **kw):
    return subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=60, **kw)


def _pids(namespace: str) -> list[str]:
    return subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True).stdout.split()


@pytest.fixture
def ray_namespace():
    """A network namespace with only loopback and a Ray head listening on 127.0.0.1:PORT inside it."""
    name = f"funnelsim-ray-{os.getpid()}"
    temp = tempfile.mkdtemp(prefix="fsray-")  # Ray's session files; short path (socket names)
    _ip("netns", "add", name)  # fails loudly without root or ip netns
    try:
        _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
        links = _ip("netns", "exec", name, "ip", "-o", "link", "show").stdout.splitlines()
        assert len(links) == 1 and ": lo:" in links[0], links
        head = [str(BIN / "ray"), "start", "--head", f"--port={PORT}", "--num-cpus=2", "--include-dashboard=false"]
        head += ["--disable-usage-stats", "--node-ip-address=127.0.0.1", f"--temp-dir={temp}"]
        started = subprocess.run(
            ["ip", "netns", "exec", name, *head], env=RAY_ENV, capture_output=True, text=True, timeout=180
        )
        assert started.returncode == 0, f"ray start failed:\n{started.stdout}\n{started.stderr}"
        yield name
    finally:
        # Stop exactly the processes in the test's own namespace (`ray stop` would stop every Ray
        # process on the machine): SIGTERM, a grace period, then SIGKILL for any left.
        for sig, grace in (("-TERM", 10.0), ("-KILL", 0.0)):
            pids = _pids(name)
            for pid in pids:
                subprocess.run(["kill", sig, pid], capture_output=True)
            deadline = time.time() + grace
            while pids and time.time() < deadline and _pids(name):
                time.sleep(0.2)
        subprocess.run(["ip", "netns", "del", name], check=True, timeout=60)
        shutil.rmtree(temp, ignore_errors=True)


def in_namespace(name, *args, timeout=600):
    cmd = ["ip", "netns", "exec", name, str(BIN / "funnelsim"), "sweep", *args]
    return subprocess.run(cmd, env=RAY_ENV, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_same_tables_on_a_ray_cluster_as_with_the_basic_launcher(ray_namespace, tmp_path):
    args = [*SMALL, *GRID, "name=r", "quiet=true"]
    t0 = time.time()
    done = in_namespace(ray_namespace, *args, f"dir={tmp_path / 'ray'}", "launcher=ray", f"address=127.0.0.1:{PORT}")
    assert done.returncode == 0, done.stderr
    print(f"sweep on the Ray cluster: {time.time() - t0:.1f} s")
    assert main([*args, f"dir={tmp_path / 'basic'}", "launcher=basic"]) == 0
    for table in ("runs", "responses", "scenarios"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "ray" / "r" / f"{table}.parquet"),
            pd.read_parquet(tmp_path / "basic" / "r" / f"{table}.parquet"),
        )
    meta = json.loads((tmp_path / "ray" / "r" / "sweep.json").read_text())
    assert meta["launcher"] == "ray" and meta["address"] == f"127.0.0.1:{PORT}" and meta["workers"] is None
    assert [j["status"] for j in meta["jobs"]] == ["ok", "ok"]
    # Nothing listens on the next port: a clear error, not Ray's endless retries.
    wrong = in_namespace(ray_namespace, *args, f"dir={tmp_path / 'x'}", "launcher=ray", f"address=127.0.0.1:{PORT + 1}")
    assert wrong.returncode == 2 and "no Ray cluster answers at address=127.0.0.1:6380" in wrong.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_a_module_function_plug_in_runs_on_a_ray_cluster(ray_namespace, tmp_path):
    """The cluster's workers get the plug-in a sweep names (and its PYTHONPATH) from the sweep itself."""
    plugin = "funnelsim_fair_share.rules:fair_share"
    src = str(Path(__file__).resolve().parents[1] / "examples" / "policy_plugin" / "src")
    fixed = ["marketing.mql_threshold=58", "policy.sla_minutes=60", "policy.handoff.mode=realtime"]  # one scenario
    args = [*SMALL, *fixed, "replications=2", f"policy.routing=round_robin,{plugin}", "name=p", "quiet=true"]
    env = {**RAY_ENV, "PYTHONPATH": src}  # the driver's only: the Ray head was started without it
    cmd = ["ip", "netns", "exec", ray_namespace, str(BIN / "funnelsim"), "sweep", *args]
    ray = [*cmd, f"dir={tmp_path / 'ray'}", "launcher=ray", f"address=127.0.0.1:{PORT}"]
    done = subprocess.run(ray, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr
    basic = [str(BIN / "funnelsim"), "sweep", *args, f"dir={tmp_path / 'basic'}", "launcher=basic"]
    local = subprocess.run(basic, env=env, capture_output=True, text=True, timeout=1200)
    assert local.returncode == 0, local.stderr
    meta = json.loads((tmp_path / "ray" / "p" / "sweep.json").read_text())
    assert meta["jobs"] and {j["status"] for j in meta["jobs"]} == {"ok"}
    runs = pd.read_parquet(tmp_path / "ray" / "p" / "runs.parquet")
    assert set(runs["policy.routing"]) == {"round_robin", plugin}
    pd.testing.assert_frame_equal(runs, pd.read_parquet(tmp_path / "basic" / "p" / "runs.parquet"))
