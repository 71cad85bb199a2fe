"""`funnelsim experiment`: bad settings, the analyst's estimator, and interval coverage on a small market."""

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.experiment.analysis import diff_in_means
from sim.experiment.cli import parse, replication, summarise, zero_se_warnings

SMALL = "market.accounts=2500 sales.reps=10 marketing.budget_scale=0.2 sales.pickup=poll policy.sla_minutes=480".split()


@pytest.mark.parametrize(
    "arg",
    [
        "share=0",
        "share=1",
        "share=1.5",
        "share=abc",
        "weeks=0",
        "weeks=2.5",
        "metric=revenue_per_rep",
        "replications=1",
        "routings=nowhere",
        "unit=accounts",
        "power_reps=1",
    ],
)
def test_bad_settings_exit_2_before_anything_runs(arg, tmp_path, capsys):
    assert main(["experiment", arg, f"out={tmp_path / 'x'}"]) == 2
    assert "config error" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_push_pickup_is_refused(tmp_path, capsys):
    assert main(["experiment", "sales.pickup=push", f"out={tmp_path / 'x'}"]) == 2
    assert "sales.pickup=poll" in capsys.readouterr().err


def test_clustered_difference_in_means_matches_rep_level_arithmetic():
    rng = np.random.default_rng(3)
    reps, weeks = 12, 5
    treated = np.arange(reps) < 5
    rep_effect = rng.normal(0, 1, reps)
    y = (rep_effect[:, None] + 0.7 * treated[:, None] + rng.normal(0, 0.5, (reps, weeks))).ravel()
    df = pd.DataFrame({"rep": np.repeat(np.arange(reps), weeks), "treated": np.repeat(treated, weeks), "y": y})
    e = diff_in_means(df)
    means = df.groupby("rep")["y"].mean()
    assert e["estimate"] == pytest.approx(means[treated].mean() - means[~treated].mean())
    # With equal weeks per rep, CR1 equals the unpooled rep-level standard error times the small-sample factor.
    a, b = means[treated], means[~treated]
    unpooled = np.sqrt(a.var(ddof=0) / len(a) + b.var(ddof=0) / len(b))
    n, g = len(df), reps
    assert e["se"] == pytest.approx(unpooled * np.sqrt(g / (g - 1) * (n - 1) / (n - 2)))
    assert e["ci_low"] < e["estimate"] < e["ci_high"] and e["clusters"] == reps


def test_replication_with_the_same_seed_is_the_same_and_the_truth_is_paired():
    o, ov = parse([*SMALL, "weeks=3", "warmup_weeks=1"])
    a = replication(ov, o, seed=5)
    b = replication(ov, o, seed=5)
    assert a == b and a["treated_reps"] == 5 and a["reps"] == 10


@pytest.mark.slow
def test_interval_covers_the_true_effect_near_its_nominal_rate():
    # SQLs vary between reps; first touches under round robin are nearly equal for every rep, so many intervals
    # are points (zero standard error) and the nominal rate cannot hold (see the zero_se test below).
    o, ov = parse([*SMALL, "weeks=6", "warmup_weeks=2", "metric=sqls", "treated_sla=5"])
    from joblib import Parallel, delayed

    rows = Parallel(n_jobs=2)(delayed(replication)(ov, o, seed) for seed in range(40))
    reps = pd.DataFrame(rows).assign(routing="round_robin")
    s = summarise(reps).iloc[0]
    assert s["true_effect"] != 0
    # 95 % nominal: with 40 replications, coverage below 0.85 would be very unlikely (binomial p < 0.01).
    assert s["coverage"] >= 0.85
    assert abs(s["bias"]) < 3 * s["bias_se"] + 1e-9


def test_replications_with_a_zero_standard_error_are_counted_and_warned_about():
    # Every rep in a group has the same weekly value: the difference is exact and the interval a point.
    df = pd.DataFrame({"rep": np.repeat(np.arange(6), 4), "treated": np.repeat(np.arange(6) < 3, 4)})
    df["y"] = 2.0 + 0.5 * df["treated"]
    e = diff_in_means(df)
    assert e["se"] == 0 and e["ci_low"] == e["ci_high"] == pytest.approx(0.5)
    varied = diff_in_means(df.assign(y=df["y"] + np.arange(len(df)) % 3))
    reps = pd.DataFrame([{**e, "true_effect": 0.4}, {**varied, "true_effect": 0.4}]).assign(routing="round_robin")
    s = summarise(reps)
    assert s["zero_se"].tolist() == [1]
    (warning,) = zero_se_warnings(s, "first_touches")
    assert "1 of 2 replications (round_robin)" in warning and "first_touches" in warning
    assert zero_se_warnings(s.assign(zero_se=0), "sqls") == []
