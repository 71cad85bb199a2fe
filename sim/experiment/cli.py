"""`funnelsim experiment`: a policy tried on a random share of reps, analysed, and checked against the truth.

    funnelsim experiment [share=0.5] [weeks=8] [warmup_weeks=4] [metric=sqls] [treated_sla=5]
                         [replications=40] [routings=round_robin,...] [power_reps=8,16,32]
                         [power_weeks=2,4,8,13] [workers=2] [root_seed=11] [out=DIR] [config overrides...]

The treated reps work to `treated_sla` (their queue checks paced to it, under poll pickup); the
rest to `policy.sla_minutes`.  Each replication draws the treated reps at random, estimates the
effect per rep-week (difference in means, errors clustered by rep, 95 % interval), and runs the
same seed with every rep treated and with none to give the true effect.  Over replications:
bias, interval coverage and power.  `routings=` repeats it under several lead routings (spill-over
when reps share accounts or leads); `power_reps=` draws the power curve (weeks x reps).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import ConfigError, check_name
from sim.experiment.design import METRICS
from sim.settings import whole_number

SETTINGS = (
    "share weeks warmup_weeks metric treated_sla replications routings power_reps power_weeks workers root_seed "
    "out unit"
).split()


def routings() -> tuple[str, ...]:
    """Routing rules an experiment can compare: every registered rule that gives each rep a queue of its own."""
    from sim import policies

    return tuple(n for n in policies.names("routing") if not policies.flag("routing", n, "shared_queue"))


def _float(key, v, lo, hi, *, open_ends=False) -> float:
    try:
        x = float(v)
    except ValueError:
        x = float("nan")
    ok = (lo < x < hi) if open_ends else (lo <= x <= hi)
    if not ok:
        bounds = f"({lo}, {hi})" if open_ends else f"[{lo}, {hi}]"
        raise ConfigError(f"{key}={v!r} is not allowed; allowed: a number in {bounds}")
    return x


def _ints(key, v, lo, hi) -> list[int]:
    items = [x for x in v.split(",") if x]
    if not items:
        raise ConfigError(f"{key}={v!r} is empty; give a comma list of whole numbers from {lo} to {hi}")
    return sorted({whole_number(key, x, lo, hi) for x in items})


def parse(argv: list[str]) -> tuple[dict, list[str]]:
    """Settings (checked) and the config overrides."""
    o = {
        "share": 0.5,
        "weeks": 8,
        "warmup_weeks": 4,
        "metric": "sqls",
        "treated_sla": 5.0,
        "replications": 40,
        "routings": None,
        "power_reps": [],
        "power_weeks": [2, 4, 8, 13],
        "workers": 2,
        "root_seed": 11,
        "out": None,
    }
    overrides = []
    for a in argv:
        key, eq, v = a.partition("=")
        if key not in SETTINGS or not eq:
            overrides.append(a)
            continue
        if key == "share":
            o[key] = _float(key, v, 0.0, 1.0, open_ends=True)
        elif key in ("weeks", "warmup_weeks"):
            o[key] = whole_number(key, v, 1 if key == "weeks" else 0, 520)
        elif key == "metric":
            if v not in METRICS:
                raise ConfigError(f"metric={v!r} is not a rep metric; choose one of {', '.join(METRICS)}")
            o[key] = v
        elif key == "treated_sla":
            o[key] = _float(key, v, 1.0, 100000.0)
        elif key == "replications":
            o[key] = whole_number(key, v, 2, 10000)
        elif key == "routings":
            names = [x for x in v.split(",") if x]
            allowed = routings()
            bad = [x for x in names if x not in allowed]
            if not names or bad:
                raise ConfigError(f"routings={v!r}: choose from {', '.join(allowed)} (comma separated)")
            o[key] = names
        elif key == "power_reps":
            o[key] = _ints(key, v, 2, 10000)
        elif key == "power_weeks":
            o[key] = _ints(key, v, 1, 520)
        elif key == "workers":
            o[key] = whole_number(key, v, 1, 256)
        elif key == "root_seed":
            o[key] = whole_number(key, v, 0, 2**62)
        elif key == "unit":
            if v != "reps":
                raise ConfigError(
                    f"unit={v!r}: experiments randomise reps (unit=reps); accounts and territories are not implemented"
                )
        elif key == "out":
            o[key] = Path(v)
    return o, overrides


def _config(overrides, o, seed, weeks, extra=()):
    from sim.loading import load_config

    days = (o["warmup_weeks"] + weeks) * 7
    cfg = load_config([*overrides, *extra, f"sim.seed={seed}", "sim.threads=1", f"sim.days={days}"])
    if cfg.sales.pickup != "poll":
        raise ConfigError("funnelsim experiment treats the reps' queue-check pace; it needs sales.pickup=poll")
    if cfg.sales.reps + cfg.sales.sdrs < 2:
        raise ConfigError("funnelsim experiment needs at least 2 reps (treated and control)")
    return cfg


def replication(overrides, o, seed, routing=None, truth=True, weeks=None) -> dict | pd.DataFrame:
    """One experiment (and, with truth, the all-treated and all-control runs at the same seed)."""
    from sim.experiment.analysis import diff_in_means
    from sim.experiment.design import run_arm, treated_reps

    weeks = weeks or o["weeks"]
    extra = [f"policy.routing={routing}"] if routing else []
    cfg = _config(overrides, o, seed, weeks, extra)
    n = cfg.sales.reps + cfg.sales.sdrs
    treated = treated_reps(n, o["share"], seed)
    args = (o["treated_sla"], o["warmup_weeks"], weeks, o["metric"])
    mixed = run_arm(cfg, treated, *args)
    if not truth:
        return mixed
    est = diff_in_means(mixed)
    on = run_arm(cfg, np.ones(n, dtype=bool), *args)["y"].mean()
    off = run_arm(cfg, np.zeros(n, dtype=bool), *args)["y"].mean()
    return {**est, "true_effect": float(on - off), "treated_reps": int(treated.sum()), "reps": n}


def summarise(reps: pd.DataFrame) -> pd.DataFrame:
    """Per routing: mean estimate, mean true effect, bias, coverage of the true effect, power at 5 %, and
    how many replications had a zero standard error (each group's reps all had the same mean)."""
    rows = []
    for routing, g in reps.groupby("routing", sort=False):
        truth = g["true_effect"].mean()
        covered = (g["ci_low"] <= truth) & (truth <= g["ci_high"])
        rows.append(
            {
                "routing": routing,
                "replications": len(g),
                "estimate_mean": g["estimate"].mean(),
                "true_effect": truth,
                "bias": g["estimate"].mean() - truth,
                "bias_se": g["estimate"].std(ddof=1) / np.sqrt(len(g)),
                "coverage": covered.mean(),
                "power": ((g["ci_low"] > 0) | (g["ci_high"] < 0)).mean(),
                "se_mean": g["se"].mean(),
                "estimate_sd": g["estimate"].std(ddof=1),
                "zero_se": int((g["se"] == 0).sum()),
            }
        )
    return pd.DataFrame(rows)


def zero_se_warnings(summary: pd.DataFrame, metric: str) -> list[str]:
    """One warning per routing whose replications include zero standard errors (point intervals)."""
    return [
        f"warning: {row.zero_se} of {row.replications} replications ({row.routing}) had a zero standard error: "
        f"every treated rep had the same mean {metric}, and every control rep too, so those intervals are "
        "points and coverage cannot reach 95 %; choose a metric that varies between reps, or "
        "more weeks or a larger market"
        for row in summary.itertuples()
        if row.zero_se > 0
    ]


def power_table(overrides, o, parallel) -> pd.DataFrame:
    """Power (share of replications whose 95 % interval excludes 0) by team size and weeks; the market
    grows with the team (accounts per rep as configured)."""
    from joblib import delayed

    from sim.experiment.analysis import diff_in_means
    from sim.loading import load_config

    base = load_config(overrides)
    per_rep = base.market.accounts / base.sales.reps
    wmax = max(o["power_weeks"])
    jobs = [(r, o["root_seed"] + 1000 + k) for r in o["power_reps"] for k in range(o["replications"])]
    runs = parallel(
        delayed(replication)(
            [*overrides, f"sales.reps={r}", f"market.accounts={max(1, round(per_rep * r))}"],
            o,
            seed,
            truth=False,
            weeks=wmax,
        )
        for r, seed in jobs
    )
    rows = []
    for (r, seed), df in zip(jobs, runs, strict=True):
        for w in o["power_weeks"]:
            e = diff_in_means(df[df.week < w])
            rows.append({"reps": r, "weeks": w, "seed": seed, **e})
    t = pd.DataFrame(rows)
    t["significant"] = (t["ci_low"] > 0) | (t["ci_high"] < 0)
    return t.groupby(["reps", "weeks"], as_index=False).agg(
        power=("significant", "mean"), estimate_mean=("estimate", "mean"), replications=("seed", "size")
    )


def main(argv: list[str]) -> int:
    from joblib import Parallel, delayed

    from sim.output import check_parent

    o, overrides = parse(argv)
    routings = o["routings"] or [None]
    for routing in routings:  # every config is checked before anything runs
        _config(overrides, o, 0, o["weeks"], [f"policy.routing={routing}"] if routing else [])
    out = o["out"] or Path("results/experiments") / f"sla{o['treated_sla']:g}-{o['metric']}"
    check_name("out", out.name)
    check_parent("out", out.parent)
    if out.exists():
        raise ConfigError(f"out={str(out)!r} already exists; give a new folder")
    start = time.time()
    parallel = Parallel(n_jobs=o["workers"])
    jobs = [(rt, o["root_seed"] + k) for rt in routings for k in range(o["replications"])]
    rows = parallel(delayed(replication)(overrides, o, seed, rt) for rt, seed in jobs)
    from sim.loading import load_config

    default_routing = load_config(overrides).policy.routing
    reps = pd.DataFrame(
        [{"routing": rt or default_routing, "seed": seed, **r} for (rt, seed), r in zip(jobs, rows, strict=True)]
    )
    summary = summarise(reps)
    power = power_table(overrides, o, parallel) if o["power_reps"] else None
    out.mkdir(parents=True)
    reps.to_parquet(out / "replications.parquet", index=False)
    summary.to_parquet(out / "summary.parquet", index=False)
    print(
        f"experiment: treated reps work to a {o['treated_sla']:g}-minute SLA, share {o['share']:g}, "
        f"{o['weeks']} weeks after {o['warmup_weeks']} weeks' warm-up, metric {o['metric']} per rep-week"
    )
    print(summary.round(4).to_string(index=False))
    for line in zero_se_warnings(summary, o["metric"]):
        print(line, file=sys.stderr)
    if power is not None:
        from sim.experiment.plot import plot_power

        power.to_parquet(out / "power.parquet", index=False)
        fig = plot_power(power, o)
        fig.savefig(out / "power.png", dpi=130, bbox_inches="tight")
        print(power.pivot(index="weeks", columns="reps", values="power").round(2).to_string())
    print(f"{time.time() - start:.0f} s -> {out}")
    return 0
