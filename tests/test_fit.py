"""funnelsim fit: bad input refused, the posterior sampler and its warnings, a small fit, resume after a kill."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_sweep_ray import ray_namespace  # noqa: F401  (a Ray head in a loopback-only namespace)

from sim import load_config, simulate
from sim.cli import main
from sim.fit import posterior as pm
from sim.fit.evaluate import model_frames
from sim.fit.targets import statistics
from sim.loading import SCENARIO_DIR

TINY = ["market.accounts=800", "marketing.budget_scale=0.04", "sales.reps=3"]
TINY_FIT = """
params:
  - key: sales.reach_rate
    low: 0.3
    high: 0.95
base: [market.accounts=800, marketing.budget_scale=0.04, sales.reps=3]
warmup_days: 30
trials: {trials}
replications: 1
walkers: 4
steps: 6
burn: 2
weights: {{response_quantile: 0}}
"""


@pytest.fixture(scope="module")
def tiny_targets(tmp_path_factory):
    """A targets file made from a small simulated market (reach rate 0.5, 120-day window)."""
    cfg = load_config([*TINY, "sales.reach_rate=0.5", "sim.days=150", "sim.seed=11"])
    leads, opps = model_frames(simulate(cfg, leads=True), 30)
    doc = {"targets": statistics(leads, opps, 120).to_dict(orient="records"), "window_days": 120}
    path = tmp_path_factory.mktemp("targets") / "tiny.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def fit_file(tmp_path):
    def make(trials=6):
        p = tmp_path / "fit.yaml"
        p.write_text(TINY_FIT.format(trials=trials))
        return p

    return make


@pytest.fixture
def preset_name(request):
    name = f"test_fit_{request.node.name.split('[')[0][-20:]}_{os.getpid()}"
    yield name
    (SCENARIO_DIR / f"{name}.yaml").unlink(missing_ok=True)


def test_model_is_measured_like_an_export_with_segments():
    cfg = load_config([*TINY, "sim.days=150", "sim.seed=3"])
    res = simulate(cfg, leads=True)
    leads, opps = model_frames(res, 30)
    assert (leads["created"] >= 0).all() and len(leads) == (res.leads["created_at"] >= 30 * 1440).sum()
    assert set(opps["segment"]) <= {"smb", "mid_market", "enterprise"}
    names = set(statistics(leads, opps, 120, min_count=1)["name"])
    assert any(n.startswith("deal.won_amount_mean.") for n in names)
    assert {"volume.inquiry_per_month", "conversion.mql_to_sal", "response.within_60min_share"} <= names


def test_walkers_start_at_the_best_distinct_trials():
    pts = np.array([[0.1, 0.1], [0.5, 0.5], [0.5, 0.5], [0.9, 0.2], [0.3, 0.7]])
    start = pm.initial_walkers(pts, np.array([5.0, 1.0, 1.0, 2.0, 9.0]), 3)
    assert start.tolist() == [[0.5, 0.5], [0.9, 0.2], [0.1, 0.1]]


def test_ensemble_sampler_recovers_a_known_gaussian_and_respects_the_prior():
    """emcee on a correlated normal (sd 0.05 and 0.02, r = 0.8) centred inside the cube, and on one
    cut by the bound at 0: same seed, same chain; the chain's moments match; no sample leaves the cube."""
    mean = np.array([0.4, 0.6])
    sd = np.array([0.05, 0.02])
    cov = np.outer(sd, sd) * np.array([[1.0, 0.8], [0.8, 1.0]])
    prec = np.linalg.inv(cov)

    def log_prob(u, centre=mean):
        out = np.full(len(u), -np.inf)
        ok = pm.in_cube(u)
        z = u[ok] - centre
        out[ok] = -0.5 * np.einsum("ni,ij,nj->n", z, prec, z)
        return out

    start = mean + 0.01 * np.random.default_rng(0).standard_normal((16, 2))
    chain, logp, accept = pm.sample(log_prob, start, 400, seed=5)
    assert chain.shape == (400, 16, 2) and logp.shape == (400, 16) and 0.2 < accept < 0.9
    again, _, _ = pm.sample(log_prob, start, 400, seed=5)
    assert np.array_equal(chain, again)
    post = pm.summary(chain[100:].reshape(-1, 2))
    assert np.allclose(post["mean"], mean, atol=0.01)
    assert np.allclose(post["sd"], sd, rtol=0.2)
    assert post["corr"][0, 1] == pytest.approx(0.8, abs=0.1)
    assert pm.warnings_for(["a", "b"], post) == []
    edge = np.array([0.0, 0.6])
    cut, _, _ = pm.sample(lambda u: log_prob(u, edge), np.abs(start - mean) + edge, 200, seed=5)
    assert cut.min() >= 0.0 and cut[50:, :, 0].mean() == pytest.approx(0.04, abs=0.015)  # half-normal: sd x 0.8


def test_flat_and_correlated_directions_are_warned_about():
    gen = np.random.default_rng(1)
    flat = np.column_stack([0.5 + 0.01 * gen.standard_normal(2000), gen.uniform(0, 1, 2000)])
    warns = pm.warnings_for(["win", "decay"], pm.summary(flat))  # the second parameter spans its bounds
    assert len(warns) == 1 and "flat direction" in warns[0] and "decay" in warns[0] and "win" not in warns[0]
    x = gen.standard_normal(2000)
    ridge = 0.5 + 0.05 * np.column_stack([x, -x + 0.1 * gen.standard_normal(2000)])  # only the sum is pinned
    warns = pm.warnings_for(["reach", "qualify"], pm.summary(ridge))
    assert len(warns) == 1 and warns[0].startswith("strongly correlated: reach and qualify (r = -1.00)")


@pytest.mark.parametrize(
    "args, needle",
    [
        (["param=sales.no_such_rate:0:1"], "sales.no_such_rate"),
        (["param=sales.reach_rate:0.5:1.5"], "sales.reach_rate=1.5 is out of range"),
        (["param=sales.reach_rate:0.9:0.1"], "low=0.9 must be below high=0.1"),
        (["param=sales.reach_rate:0:1:log"], "log: true needs low > 0"),
        (["param=sales.reach_rate"], "KEY:LOW:HIGH"),
        (["fit=nonesuch"], "is not a fit file"),
        (["launcher=slurm"], "launcher='slurm' is not allowed"),
        (["trials=0"], "trials=0 is out of range"),
        (["walkers=1"], "walkers=1 is too few for 1 parameters; allowed >= 2"),
        (["walkers=8"], "walkers=8 start at the best trials; allowed <= trials=6"),
        (["burn=6"], "burn=6 leaves no samples; allowed < steps=6"),
        (["sales.reps=-3"], "sales.reps=-3"),
    ],
)
def test_bad_fits_exit_2_before_anything_is_written(tmp_path, capsys, tiny_targets, fit_file, args, needle):
    rc = main(["fit", str(tiny_targets), f"fit={fit_file()}", f"dir={tmp_path}", "name=bad", *args])
    assert rc == 2
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "bad").exists() and not (SCENARIO_DIR / "bad.yaml").exists()


def test_unknown_weight_group_is_refused(tmp_path, capsys, tiny_targets):
    bad = tmp_path / "fit.yaml"
    bad.write_text(TINY_FIT.format(trials=2).replace("{response_quantile: 0}", "{volumes: 0.2}"))
    assert main(["fit", str(tiny_targets), f"fit={bad}", f"dir={tmp_path}", "name=bad"]) == 2
    assert "weights.volumes is not a group of targets" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_missing_or_foreign_targets_file_exit_2(tmp_path, capsys):
    assert main(["fit", str(tmp_path / "none.json"), f"dir={tmp_path}"]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "x.json").write_text('{"rows": []}')
    assert main(["fit", str(tmp_path / "x.json"), f"dir={tmp_path}"]) == 2
    assert "not a targets file" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


def test_an_existing_preset_name_is_refused(tmp_path, capsys, tiny_targets, fit_file):
    assert main(["fit", str(tiny_targets), f"fit={fit_file()}", f"dir={tmp_path}", "name=default"]) == 2
    assert "scenario preset named 'default' exists" in capsys.readouterr().err
    assert not (tmp_path / "default").exists()


def test_small_fit_writes_folder_and_preset_and_resumes(tmp_path, capsys, tiny_targets, fit_file, preset_name):
    args = ["fit", str(tiny_targets), f"fit={fit_file()}", f"dir={tmp_path}", f"name={preset_name}", "quiet=true"]
    assert main([*args, "launcher=basic"]) == 0
    folder = tmp_path / preset_name
    for f in ("fit.json", "params.csv", "comparison.parquet", "scenario.yaml", "targets.png", "posterior.png"):
        assert (folder / f).exists(), f
    meta = json.loads((folder / "fit.json").read_text())
    params = pd.read_parquet(folder / "params.parquet")
    est = params.set_index("param").loc["sales.reach_rate"]
    assert est.ci_low <= est.estimate <= est.ci_high and 0.3 <= est.ci_low and est.ci_high <= 0.95
    assert meta["trials"] == 6
    # posterior samples: 4 walkers x (6 - 2) steps, each with the overrides that put the model there
    draws = pd.read_parquet(folder / "posterior.parquet")
    assert len(draws) == 16 and sorted(set(draws["step"])) == [2, 3, 4, 5] and set(draws["walker"]) == {0, 1, 2, 3}
    assert draws["sales.reach_rate"].mean() == pytest.approx(est.estimate)
    assert est.ci_low == pytest.approx(np.percentile(draws["sales.reach_rate"], 2.5))
    assert json.loads(draws["overrides"][0]) == [f"sales.reach_rate={float(draws['sales.reach_rate'][0])!r}"]
    assert meta["posterior"]["samples"] == 16 and 0 < meta["posterior"]["acceptance"] <= 1
    comp = pd.read_parquet(folder / "comparison.parquet")
    assert {"target", "target_ci_low", "model", "model_ci_high", "agrees"} <= set(comp.columns)
    cfg = load_config([f"scenarios={preset_name}"])
    assert cfg.sales.reach_rate == pytest.approx(est.estimate)
    assert cfg.market.accounts == 800 and cfg.scenario == preset_name
    evals = sorted(p.name for p in (folder / "evals").iterdir())
    assert "sales.reach_rate" in capsys.readouterr().out
    # the preset runs, and a sweep starts from it
    assert main(["run", f"scenarios={preset_name}", "sim.days=20", f"output.dir={tmp_path / 'runs'}"]) == 0
    from sim.sweep.cli import make_plan, parse_args

    plan = make_plan(parse_args([f"scenarios={preset_name}", "policy.sla_minutes=5,60", "sim.days=20"])[0])
    assert f"scenarios={preset_name}" in plan["base"] and len(plan["scenarios"]) == 2 * 3 * 2
    # the same fit again: everything comes from the folder, nothing is simulated anew
    assert main([*args, "launcher=joblib", "workers=2"]) == 0
    assert sorted(p.name for p in (folder / "evals").iterdir()) == evals
    assert pd.read_parquet(folder / "params.parquet").equals(params)
    # another fit into the same folder is refused
    assert main([*args, "param=sales.qualify_rate:0.5:1"]) == 2
    assert "holds a different fit" in capsys.readouterr().err


def test_sweep_draws_parameters_from_a_fit_posterior(tmp_path):
    """posterior=FIT_DIR: replication r of every scenario runs at posterior draw r."""
    fit_dir = tmp_path / "fit"
    fit_dir.mkdir()
    accounts = [500, 700, 900]
    draws = pd.DataFrame({"draw": range(3), "overrides": [json.dumps([f"market.accounts={a}"]) for a in accounts]})
    draws.to_parquet(fit_dir / "posterior.parquet")
    from sim.sweep.cli import main as sweep

    args = [
        "name=post",
        f"dir={tmp_path}",
        "launcher=basic",
        "plots=false",
        "quiet=true",
        "replications=3",
        "sim.days=30",
        "marketing.budget_scale=0.03",
        "sales.reps=4",
        "policy.sla_minutes=5,60",
        f"posterior={fit_dir}",
    ]
    assert sweep(args) == 0
    runs = pd.read_parquet(tmp_path / "post" / "runs.parquet")
    for _, grp in runs.groupby("scenario"):
        assert grp.sort_values("replication")["accounts"].tolist() == accounts
    assert sweep([*args[:-1], f"posterior={tmp_path / 'nofit'}", "name=post2"]) == 2


@pytest.mark.slow
def test_killed_fit_resumes_to_the_numbers_of_an_unbroken_fit(tmp_path, tiny_targets, fit_file, preset_name):
    fit = fit_file(trials=24)
    args = [str(tiny_targets), f"fit={fit}", "quiet=true", "launcher=basic", f"name={preset_name}"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "fit", *args, f"dir={tmp_path / 'killed'}"],
        start_new_session=True,
        cwd=Path(__file__).parents[1],
    )
    evals = tmp_path / "killed" / preset_name / "evals"
    deadline = time.time() + 300
    while time.time() < deadline and (not evals.exists() or len(list(evals.glob("*.json"))) < 8):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "killed" / preset_name / "fit.json").exists()
    assert 8 <= len(list(evals.glob("*.json"))) < 24
    assert main(["fit", *args, f"dir={tmp_path / 'killed'}"]) == 0
    # an unbroken fit, with another launcher and worker count: the same numbers
    whole = f"{preset_name}_w"
    try:
        assert main(["fit", *args[:-2], "launcher=joblib", "workers=2", f"name={whole}", f"dir={tmp_path}"]) == 0
    finally:
        (SCENARIO_DIR / f"{whole}.yaml").unlink(missing_ok=True)
    for table in ("params", "comparison", "posterior"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "killed" / preset_name / f"{table}.parquet"),
            pd.read_parquet(tmp_path / whole / f"{table}.parquet"),
        )
    assert json.loads((tmp_path / "killed" / preset_name / "fit.json").read_text())["trials"] == 24
    # more trials later: the search replays the first 24 and goes on
    assert main(["fit", *args, f"dir={tmp_path / 'killed'}", "trials=28"]) == 0
    assert json.loads((tmp_path / "killed" / preset_name / "fit.json").read_text())["trials"] == 28


@pytest.mark.slow
def test_same_fit_on_a_ray_cluster_as_with_the_basic_launcher(ray_namespace, tmp_path, tiny_targets, fit_file):  # noqa: F811
    """The fit's simulations on a Ray head in a loopback-only namespace (see test_sweep_ray.py)."""
    from test_sweep_ray import BIN, PORT, RAY_ENV

    fit = fit_file(trials=4)
    names = {"ray": f"test_fit_ray_{os.getpid()}", "basic": f"test_fit_basic_{os.getpid()}"}
    try:
        common = [str(tiny_targets), f"fit={fit}", "quiet=true", "workers=2"]
        cmd = ["ip", "netns", "exec", ray_namespace, str(BIN / "funnelsim"), "fit", *common]
        cmd += [f"dir={tmp_path / 'ray'}", f"name={names['ray']}", "launcher=ray", f"address=127.0.0.1:{PORT}"]
        done = subprocess.run(cmd, env=RAY_ENV, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert main(["fit", *common, f"dir={tmp_path / 'basic'}", f"name={names['basic']}", "launcher=basic"]) == 0
        for table in ("params", "comparison", "posterior"):
            pd.testing.assert_frame_equal(
                pd.read_parquet(tmp_path / "ray" / names["ray"] / f"{table}.parquet"),
                pd.read_parquet(tmp_path / "basic" / names["basic"] / f"{table}.parquet"),
            )
        assert json.loads((tmp_path / "ray" / names["ray"] / "fit.json").read_text())["launcher"] == "ray"
    finally:
        for n in names.values():
            (SCENARIO_DIR / f"{n}.yaml").unlink(missing_ok=True)


def test_a_fit_on_top_of_a_preset_keeps_that_preset_in_its_own(preset_name):
    import types

    import yaml

    from sim.fit.cli import preset_text
    from sim.fit.space import load_fit_spec

    spec = load_fit_spec(str(Path(__file__).parents[1] / "examples" / "crm_export" / "fit.yaml"))
    spec.base = ["scenarios=speed_to_lead", *spec.base]
    fit = types.SimpleNamespace(spec=spec, plan={"name": preset_name, "targets_file": "t.json", "base_values": {}})
    fit.folder = Path("f")
    text = preset_text(fit, np.full(4, 0.5))
    (SCENARIO_DIR / f"{preset_name}.yaml").write_text(text)
    cfg = load_config([f"scenarios={preset_name}"])
    assert cfg.policy.routing == "pooled" and cfg.policy.sla_minutes == 5  # from speed_to_lead
    assert cfg.market.accounts == 6000 and cfg.sales.reach_rate == pytest.approx(0.575)  # base and fitted
    assert "sim" not in yaml.safe_load(text)
