"""`funnelsim benchmark`: policies × a versioned suite of market cases × replications.

    funnelsim benchmark policies=A,B,... [key=policy.routing] [baseline=A] [suite=v1]
                        [replications=N] [cases=a,b] [name=NAME] [dir=results/benchmarks]
                        [launcher=basic|joblib|ray] [workers=N] [address=HOST:PORT]

Each policy is a registered rule name or a plug-in (module:function) for the config key `key`
(default policy.routing).  Every case of the suite (conf/benchmark/SUITE.yaml) runs as one sweep
over the policies in <dir>/<name>/cases/<case>/, all with the suite's seeds, so every policy sees
the same buyers (common random numbers); running the same command again resumes.  Writes
leaderboard.md, leaderboard.parquet, leaderboard.png and benchmark.json (suite version, seeds,
funnelsim version) into <dir>/<name>/.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.config import ConfigError, check_name, suggest

SETTINGS = (
    "policies",
    "key",
    "baseline",
    "suite",
    "replications",
    "cases",
    "name",
    "dir",
    "launcher",
    "workers",
    "address",
    "quiet",
)


def parse(argv: list[str]) -> dict:
    from sim import policies
    from sim.benchmark.suite import load_suite
    from sim.sweep import cli as sweep_cli

    args = {}
    for a in argv:
        if "=" not in a:
            raise ConfigError(f"benchmark argument {a!r} is not KEY=VALUE; see funnelsim benchmark --help")
        k, v = a.split("=", 1)
        if k not in SETTINGS:
            raise ConfigError(
                f"benchmark setting {k!r} is not known{suggest(k, SETTINGS)}; allowed: {', '.join(SETTINGS)}"
            )
        if k in args:
            raise ConfigError(f"benchmark setting {k}= is given twice; give it once")
        args[k] = v
    if "policies" not in args:
        raise ConfigError("benchmark needs policies=A,B,... (rule names or plug-ins module:function)")
    keys = {k.key: kind for kind, k in policies.KINDS.items() if kind != "tier"}
    key = args.get("key", "policy.routing")
    if key not in keys:
        raise ConfigError(f"key={key!r} is not a policy key; choose one of {', '.join(keys)}{suggest(key, keys)}")
    pols = [p.strip() for p in args["policies"].split(",") if p.strip()]
    if len(set(pols)) != len(pols) or not pols:
        raise ConfigError(f"policies={args['policies']!r}: give each policy once")
    baseline = args.get("baseline", pols[0])
    if baseline not in pols:
        raise ConfigError(f"baseline={baseline!r} is not one of the policies ({', '.join(pols)})")
    suite = load_suite(args.get("suite", "v1"))
    if "cases" in args:
        want = args["cases"].split(",")
        known = [c.name for c in suite.cases]
        bad = [c for c in want if c not in known]
        if bad:
            raise ConfigError(f"cases={bad[0]!r} is not a case of suite {suite.name}; cases: {', '.join(known)}")
        suite.cases = [c for c in suite.cases if c.name in want]
    if "replications" in args:
        suite.replications = sweep_cli._whole("replications", args["replications"], 1, 10000)
    name = args.get("name", suite.name)
    check_name("name", name)
    launcher = args.get("launcher", "joblib")
    if launcher not in sweep_cli.LAUNCHERS:
        raise ConfigError(f"launcher={launcher!r} is not allowed; choose one of {', '.join(sweep_cli.LAUNCHERS)}")
    workers = None
    if launcher != "ray":
        workers = sweep_cli._whole("workers", args["workers"], 1, 256) if "workers" in args else os.cpu_count() or 1
    elif "address" not in args:
        raise ConfigError("launcher=ray needs address=HOST:PORT of a running Ray cluster")
    return {
        "suite": suite,
        "key": key,
        "policies": pols,
        "baseline": baseline,
        "name": name,
        "dir": Path(args.get("dir", "results/benchmarks")),
        "launcher": launcher,
        "workers": workers,
        "address": args.get("address"),
        "quiet": sweep_cli._flag("quiet", args.get("quiet", "true")),
    }


def plans(opts: dict) -> list[tuple[str, dict]]:
    """One checked sweep plan per case: the policies as the swept lever, the suite's seeds."""
    from sim.sweep.cli import make_plan
    from sim.sweep.spec import SweepSpec

    suite = opts["suite"]
    out = []
    for case in suite.cases:
        spec = SweepSpec(
            name=case.name,
            root_seed=suite.root_seed,
            replications=suite.replications,
            base=[*suite.base, *case.overrides],
            grid={opts["key"]: list(opts["policies"])},
            baseline={opts["key"]: opts["baseline"]},
        )
        try:
            out.append((case.name, make_plan(spec)))
        except ConfigError as err:
            raise ConfigError(f"case {case.name}: {err}") from err
    return out


def main(argv: list[str]) -> int:
    from sim import __version__
    from sim.benchmark import leaderboard
    from sim.policies.plugins import export_overrides
    from sim.sweep.cli import check_folder, finish
    from sim.sweep.job import replication_seed
    from sim.sweep.launch import run_pending

    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    try:
        opts = parse(argv)
        case_plans = plans(opts)
        root = opts["dir"] / opts["name"]
        for case, plan in case_plans:
            check_folder(root / "cases" / case, plan)
    except ConfigError as err:
        print(f"funnelsim benchmark: config error: {err}", file=sys.stderr)
        return 2
    if opts["launcher"] == "ray":
        from sim.sweep.cli import ray_missing, ray_unreachable

        problem = ray_missing() or ray_unreachable(opts["address"])
        if problem:
            print(f"funnelsim benchmark: launcher=ray {problem}", file=sys.stderr)
            return 2
    suite = opts["suite"]
    export_overrides([f"{opts['key']}={p}" for p in opts["policies"]])  # plug-ins for the worker processes
    started = datetime.now().isoformat(timespec="seconds")
    frames = []
    run = {"launcher": opts["launcher"], "workers": opts["workers"], "address": opts["address"], "csv": False}
    for case, plan in case_plans:
        folder = root / "cases" / case
        (folder / "jobs").mkdir(parents=True, exist_ok=True)
        if not (folder / "plan.json").exists():
            (folder / "plan.json").write_text(json.dumps(plan, indent=2))
        from sim.sweep.job import job_path

        pending = [j for j, s in enumerate(plan["scenarios"]) if not job_path(folder, s["id"]).exists()]
        print(f"case {case}: {len(pending)} of {len(plan['scenarios'])} policies to run", file=sys.stderr)
        run_pending(folder, plan, pending, opts["launcher"], opts["workers"], opts["quiet"], address=opts["address"])
        from sim.sweep.spec import SweepSpec

        runs = finish(folder, plan, SweepSpec(**plan["spec"]), run, started)
        runs = runs.rename(columns={opts["key"]: "policy"})
        runs.insert(0, "case", case)
        frames.append(runs)
    runs = leaderboard.add_derived(pd.concat(frames, ignore_index=True))
    failed = runs[runs.status != "ok"]
    if len(failed):
        print(f"funnelsim benchmark: {len(failed)} runs failed; see {root}/cases/*/jobs/*.error.txt", file=sys.stderr)
        return 1
    runs["policy"] = runs["policy"].astype(str)
    table = leaderboard.board(runs, opts["policies"], opts["baseline"])
    meta = {
        "suite": suite.name,
        "suite_version": suite.version,
        "root_seed": suite.root_seed,
        "replications": suite.replications,
        "seeds": [replication_seed(suite.root_seed, r) for r in range(suite.replications)],
        "base": suite.base,
        "cases": [{"name": c.name, "doc": c.doc, "overrides": c.overrides} for c in suite.cases],
        "key": opts["key"],
        "policies": opts["policies"],
        "baseline": opts["baseline"],
        "funnelsim_version": __version__,
        "launcher": opts["launcher"],
        "started": started,
        "ended": datetime.now().isoformat(timespec="seconds"),
    }
    from sim.output import atomic_parquet

    atomic_parquet(table, root / "leaderboard.parquet")
    atomic_parquet(runs[["case", "policy", "replication", "seed", *leaderboard.BOARD]], root / "runs.parquet")
    (root / "leaderboard.md").write_text(leaderboard.markdown(table, meta))
    leaderboard.plot(table, meta, root / "leaderboard.png")
    (root / "benchmark.json").write_text(json.dumps(meta, indent=2))
    print(leaderboard.markdown(table, meta))
    print(f"written: {root}/leaderboard.md, leaderboard.parquet, leaderboard.png, benchmark.json")
    return 0
