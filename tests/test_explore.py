"""funnelsim explore: the analysis code on functions with known answers, settings checks, and the model end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.explore import morris, sobol
from sim.explore.discover import prim_box
from sim.explore.optimize import pareto_mask
from sim.explore.robust import regret_tables
from sim.explore.sampling import Factor, latin_hypercube, parse_factor, to_values

SMALL = ["sim.days=120", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03"]


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_reproduces_the_analytic_ishigami_indices():
    """The model's code path (unit-cube design, factor values, analysis) with Ishigami's function in its place."""
    factors = [Factor(f"x{i}", -np.pi, np.pi) for i in (1, 2, 3)]
    unit = sobol.design(factors, 1024, seed=11)
    y = ishigami(to_values(factors, unit).to_numpy())
    got = sobol.analyze(factors, y, bootstrap=100, conf_level=0.95, seed=11).set_index(["factor", "index"])
    # analytic values (a=7, b=0.1): Ishigami & Homma (1990); Sobol' & Levitan (1999)
    v = 0.5 + 7**2 / 8 + 0.1 * np.pi**4 / 5 + 0.1**2 * np.pi**8 / 18
    v1 = 0.5 * (1 + 0.1 * np.pi**4 / 5) ** 2
    v2 = 7**2 / 8
    v13 = 0.1**2 * np.pi**8 * (1 / 18 - 1 / 50)
    truth = {
        ("x1", "S1"): v1 / v,
        ("x2", "S1"): v2 / v,
        ("x3", "S1"): 0.0,
        ("x1", "ST"): (v1 + v13) / v,
        ("x2", "ST"): v2 / v,
        ("x3", "ST"): v13 / v,
    }
    for k, t in truth.items():
        assert abs(got.loc[k, "value"] - t) < 0.05, (k, got.loc[k, "value"], t)
        assert got.loc[k, "ci_low"] - 0.01 <= t <= got.loc[k, "ci_high"] + 0.01, (k, got.loc[k].to_dict(), t)


def test_morris_ranks_a_linear_function_by_its_slopes():
    factors = [Factor("a", 0, 1), Factor("b", 0, 10), Factor("c", -1, 1)]
    unit = morris.design(factors, 20, 4, seed=3)
    x = to_values(factors, unit).to_numpy()
    y = 5 * x[:, 0] + 0.0 * x[:, 1] + 1.0 * x[:, 2]
    res = morris.analyze(factors, unit, y, 4, 200, 0.95, seed=3)
    mu = res[res["index"] == "mu_star"].set_index("factor")["value"]
    assert mu["a"] == pytest.approx(5.0)  # per full range: slope x range
    assert mu["c"] == pytest.approx(2.0)
    assert mu["b"] == pytest.approx(0.0, abs=1e-9)


def test_factor_values_cover_ranges_whole_numbers_logs_and_choices():
    f_int = parse_factor("sales.reps", {"low": 2, "high": 5, "int": True})
    assert [f_int.value(u) for u in (0, 0.24, 0.26, 0.99, 1)] == [2, 2, 3, 5, 5]
    f_log = parse_factor("policy.sla_minutes", {"low": 1, "high": 100, "log": True})
    assert f_log.value(0.5) == pytest.approx(10.0)
    f_ch = parse_factor("sales.pickup", {"choices": ["push", "poll"]})
    assert {f_ch.value(u) for u in np.linspace(0, 1, 11)} == {"push", "poll"}
    lhs = latin_hypercube(20, 2, seed=1)
    for j in range(2):  # one point in each of the 20 strata of every column
        assert sorted(np.floor(lhs[:, j] * 20).astype(int)) == list(range(20))


def test_pareto_front_keeps_the_non_dominated_trials():
    values = np.array([[10, 5], [8, 3], [10, 6], [12, 9], [7, 7]], dtype=float)  # maximise first, minimise second
    assert pareto_mask(values, ["maximize", "minimize"]).tolist() == [True, True, False, True, False]


def test_regret_and_satisficing_tables():
    outcomes = pd.DataFrame(
        {
            "policy": ["a", "b", "a", "b", "a", "b"],
            "future": [0, 0, 1, 1, 2, 2],
            "revenue": [10.0, 8.0, 5.0, 9.0, 7.0, 7.0],
            "touched": [0.95, 0.8, 0.95, 0.95, 0.95, 0.95],
        }
    )
    per, table = regret_tables(outcomes, "revenue", "maximize", [{"metric": "touched", "op": ">=", "value": 0.9}])
    assert per["regret"].tolist() == [0.0, 2.0, 4.0, 0.0, 0.0, 0.0]
    t = table.set_index("policy")
    assert t.loc["a", "regret_max"] == 4.0 and t.loc["b", "regret_max"] == 2.0
    assert table["policy"].iloc[0] == "b"  # ranked by worst-case regret
    assert t.loc["b", "satisficing_share"] == pytest.approx(2 / 3)


def test_prim_finds_a_box_over_numeric_integer_and_categorical_columns():
    """The prim package under the pandas installed here, with whole-number and categorical columns."""
    rng = np.random.default_rng(5)
    n = 1500
    x = pd.DataFrame(
        {
            "rate": rng.uniform(0, 1, n),
            "reps": rng.integers(1, 11, n),
            "decay": rng.choice(["half_life", "linear", "none"], n),
        }
    )
    failed = ((x["rate"] > 0.6) & (x["reps"] <= 4) & (x["decay"] != "none")).to_numpy()
    limits, traj, chosen = prim_box(x, failed, 0.9, 0.05, {"decay": ["half_life", "linear", "none"]})
    lim = limits.set_index("factor")
    assert 0.5 < lim.loc["rate", "low"] < 0.7
    assert 3 <= lim.loc["reps", "high"] <= 5
    assert lim.loc["decay", "choices"] == "half_life, linear"
    t = traj.loc[chosen]
    assert t["density"] >= 0.9 and t["coverage"] >= 0.7
    assert traj["coverage"].iloc[0] == 1.0 and (np.diff(traj["mass"]) <= 0).all()


@pytest.mark.parametrize(
    "args, words",
    [
        (["method=sobol", "samples=48"], "power of two"),
        (["method=sobol", "samples=4"], "samples=4"),
        (["method=morris", "trajectories=1"], "trajectories=1"),
        (["method=morris", "factor=marketing.mql_threshold:60:60"], "empty"),
        (["method=morris", "factor=marketing.mql_thresold:40:60"], "did you mean"),
        (["method=morris", "wibble=3"], "not a config key"),
        (["method=sobol", "trials=3"], "not a setting of method=sobol"),
        (["method=robust", "futures=5"], "futures=5"),
        (["method=robust", "policies={a: {sales.reps: 3}}"], "at least two"),
        (["method=optimize", "constraints=[touched_within.1h => 0.9]"], "METRIC OP VALUE"),
        (["method=discover", "outcomes=[revenu]"], "did you mean revenue"),
        (["method=morris", "factor=marketing.mql_threshold:40:200"], "not allowed"),
        (["method=anneal"], "method='anneal'"),
        (["method=morris", "launcher=basic", "workers=2"], "workers='2'"),
        (["method=morris", "launcher=ray", "address=127.0.0.1:1"], "launcher=ray"),
    ],
)
def test_bad_settings_exit_2_before_any_run(tmp_path, capsys, args, words):
    assert main(["explore", *args, f"dir={tmp_path}"]) == 2
    assert words in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def _indices(folder) -> pd.DataFrame:
    return pd.read_parquet(folder / "indices.parquet")


@pytest.mark.slow
def test_sobol_on_the_model_ranks_the_top_factors_alike_under_two_root_seeds(tmp_path):
    """The two factors with the largest total index are the same under two root seeds.  The market is big enough
    (2,000 accounts over 240 days) for a deal count that ranks factors by their effect rather than by luck."""
    tops = []
    for seed in (1, 2):
        args = [
            "method=sobol",
            f"name=s{seed}",
            f"root_seed={seed}",
            "samples=32",
            "bootstrap=50",
            "outcomes=[revenue]",
            "factors={market.in_market_rate: {low: 0.0004, high: 0.0016, log: true}, sales.pickup: {choices: [push, "
            "poll]}, opportunity.win_rate: [0.7, 0.8], sales.reach_rate: [0.65, 0.75]}",
            f"dir={tmp_path}",
            "quiet=true",
            *"sim.days=240 market.accounts=2000 sales.reps=8 marketing.budget_scale=0.1".split(),
        ]
        assert main(["explore", *args]) == 0
        df = _indices(tmp_path / f"s{seed}")
        st = df[(df["index"] == "ST")].sort_values("rank")
        tops.append(st["factor"].tolist()[:2])
    assert set(tops[0]) == set(tops[1]) == {"market.in_market_rate", "sales.pickup"}


@pytest.mark.slow
def test_morris_resumes_after_a_lost_job_and_records_seeds_and_versions(tmp_path):
    args = ["explore", "method=morris", "trajectories=3", "outcomes=[revenue]", "launcher=basic", "quiet=true"]
    args += [f"dir={tmp_path}", *SMALL]
    assert main(args) == 0
    folder = tmp_path / "morris"
    first = _indices(folder)
    meta = json.loads((folder / "explore.json").read_text())
    assert meta["root_seed"] == 2026 and len(meta["replication_seeds"]) == 1
    assert meta["versions"]["SALib"] and meta["versions"]["funnelsim"]
    jobs = sorted((folder / "runs" / "samples" / "jobs").glob("c*.parquet"))
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(runs) == 3 * 7 and (runs["status"] == "ok").all()
    jobs[1].unlink()  # as if killed before that job finished
    (folder / "explore.json").unlink()
    assert main(args) == 0
    pd.testing.assert_frame_equal(_indices(folder), first)
    # a different explore into the same folder is refused
    assert main([*args[:3], "trajectories=4", *args[4:]]) == 2


@pytest.mark.slow
def test_optimize_robust_and_discover_on_a_small_market_with_a_report(tmp_path):
    common = [f"dir={tmp_path}", "quiet=true", "launcher=basic", *SMALL]
    opt = ["method=optimize", "trials=4", "batch=4", "replications=2", "confirm_top=1", "confirm_replications=3"]
    assert main(["explore", *opt, "factors={sales.reps: {low: 2, high: 6, int: true}}", *common]) == 0
    trials = pd.read_parquet(tmp_path / "optimize" / "trials.parquet")
    assert len(trials) == 4 and trials["sales.reps"].between(2, 6).all()
    front = trials[trials["pareto"]]
    assert front["feasible"].all() and len(front) >= 1
    confirmed = pd.read_parquet(tmp_path / "optimize" / "confirmed.parquet")
    assert confirmed["replications"].tolist() == [3] and confirmed["trial"].iloc[0] in set(front["trial"])
    runs = pd.read_parquet(tmp_path / "optimize" / "trial_runs.parquet")
    assert runs.groupby("trial")["seed"].apply(tuple).nunique() == 1  # common random numbers across trials

    rob = ["method=robust", "futures=10", "factors={opportunity.win_rate: [0.6, 0.9]}"]
    rob += ["policies={few: {marketing.mql_threshold: 75}, many: {marketing.mql_threshold: 45}}"]
    assert main(["explore", *rob, *common]) == 0
    table = pd.read_parquet(tmp_path / "robust" / "robustness.parquet")
    outcomes = pd.read_parquet(tmp_path / "robust" / "outcomes.parquet")
    assert len(outcomes) == 20 and (outcomes.groupby("future")["regret"].min() == 0).all()
    assert table["regret_max"].is_monotonic_increasing and set(table["policy"]) == {"few", "many"}

    dis = ["method=discover", "futures=20", "condition=revenue < baseline", "threshold=0.6"]
    assert main(["explore", *dis, *common]) == 0
    folder = tmp_path / "discover"
    meta = json.loads((folder / "explore.json").read_text())
    out = pd.read_parquet(folder / "outcomes.parquet")
    assert meta["summary"]["condition"]["value"] > 0  # today's revenue, from the baseline runs
    assert out["failed"].mean() == pytest.approx(meta["summary"]["failing_share"])
    box = meta["summary"]["box"]
    if box is not None:  # one row per restricted factor (none when every future inside fails often enough)
        assert (folder / "plots" / "peeling.png").is_file()
        assert len(pd.read_parquet(folder / "box_limits.parquet")) == box["restricted"]
        assert box["density"] >= 0.6 or box["density"] == pd.read_parquet(folder / "peeling.parquet")["density"].max()

    # an analysis setting alone changes: the same folder re-analyses the finished runs
    before = pd.read_parquet(folder / "runs.parquet")
    assert main(["explore", *dis[:-1], "threshold=0.5", *common]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "runs.parquet"), before)
    assert json.loads((folder / "explore.json").read_text())["spec"]["threshold"] == 0.5

    assert main(["report", str(tmp_path / "robust")]) == 0
    page = (tmp_path / "robust" / "report.html").read_text()
    assert "Explore: robust" in page and "data:image/png;base64" in page and "worst-case regret" in page


def test_setting_factor_values_directly_gives_the_config_hydra_composes():
    """Explore sets each sample's values on a composed config (fast); it must equal composing the overrides."""
    from sim.explore.running import with_values
    from sim.loading import load_config

    values = {"marketing.mql_threshold": 47.5, "sales.reps": 3, "sales.pickup": "poll", "policy.sla_minutes": 17.25}
    direct = with_values(load_config(SMALL), values)
    composed = load_config([*SMALL, *(f"{k}={v}" for k, v in values.items())])
    assert direct == composed
    assert direct != load_config(SMALL)
