"""`funnelsim sweep`: plan a sweep, run its pending jobs, merge the tables.

    funnelsim sweep [sweep=NAME] [KEY=v1,v2,...] [KEY=value] [replications=N] [root_seed=N]
                    [name=NAME] [launcher=basic|joblib] [workers=N] [csv=true] [dir=PATH] [plots=false]

A comma list sweeps that lever (added to the sweep file's grid); a single value applies to
every scenario.  Running the same sweep into the same folder again resumes it.  The sweep ends by drawing its
plots into <dir>/<name>/plots/ (as `funnelsim plot`); plots=false skips them.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.config import ConfigError
from sim.output import atomic_parquet
from sim.sweep.job import RESERVED, job_path
from sim.sweep.spec import SweepSpec, baseline_index, label, load_spec, overrides, scenario_list
from sim.sweep.stats import scenario_table

SETTINGS = {"sweep", "replications", "root_seed", "name", "launcher", "workers", "csv", "dir", "quiet", "plots"}


def _value(text: str):
    import yaml

    return yaml.safe_load(text)


def parse_args(argv: list[str]) -> tuple[SweepSpec, dict]:
    settings, base, grid = {}, [], {}
    for arg in argv:
        if "=" not in arg:
            raise ConfigError(f"sweep argument {arg!r} is not KEY=VALUE")
        key, text = arg.split("=", 1)
        if key in SETTINGS:
            settings[key] = text
        elif "," in text and not text.startswith("["):
            grid[key] = [_value(v) for v in text.split(",")]
        else:
            base.append(arg)
    spec = load_spec(settings.get("sweep", "default"))
    pinned = {a.split("=", 1)[0] for a in base}
    spec.grid = {k: v for k, v in spec.grid.items() if k not in pinned}  # a single value pins a lever
    spec.grid = {**spec.grid, **grid}
    spec.base = [*spec.base, *base]
    for key in ("replications", "root_seed"):
        if key in settings:
            setattr(spec, key, int(settings[key]))
    if "name" in settings:
        spec.name = settings["name"]
    launcher = settings.get("launcher", "joblib")
    if launcher not in ("basic", "joblib"):
        raise ConfigError(f"launcher={launcher!r} is not allowed; choose basic or joblib (Ray: see README)")
    run = {
        "launcher": launcher,
        "workers": int(settings.get("workers", os.cpu_count() or 1)),
        "csv": str(settings.get("csv", "false")).lower() in ("1", "true", "yes"),
        "dir": settings.get("dir", "results/sweeps"),
        "quiet": str(settings.get("quiet", "false")).lower() in ("1", "true", "yes"),
        "plots": str(settings.get("plots", "true")).lower() in ("1", "true", "yes"),
    }
    return spec, run


def make_plan(spec: SweepSpec) -> dict:
    """Validate every scenario's config and lay out the jobs; raises ConfigError on bad input."""
    from sim.loading import load_config

    rows = scenario_list(spec)
    base_i = baseline_index(spec, rows)
    load_config(spec.base)
    scenarios = []
    for i, levers in enumerate(rows):
        ov = overrides(levers)
        try:
            load_config([*spec.base, *ov])
        except ConfigError as err:
            raise ConfigError(f"scenario {label(levers)}: {err}") from err
        clash = [k for k in levers if k in RESERVED]
        if clash:
            raise ConfigError(f"sweep levers {clash} clash with table columns")
        scenarios.append(
            {"id": f"s{i:03d}", "levers": levers, "overrides": ov, "label": label(levers), "baseline": i == base_i}
        )
    return {
        "name": spec.name,
        "root_seed": spec.root_seed,
        "replications": spec.replications,
        "base": spec.base,
        "spec": spec.as_dict(),
        "levers": list(dict.fromkeys(k for r in rows for k in r)),
        "scenarios": scenarios,
    }


def merge(folder: Path, plan: dict, csv: bool) -> pd.DataFrame:
    """runs.parquet, responses.parquet and scenarios.parquet from the finished job files."""
    frames = [pd.read_parquet(job_path(folder, s["id"])) for s in plan["scenarios"]]
    runs = pd.concat(frames, ignore_index=True).sort_values(["scenario", "replication"], kind="stable")
    runs = runs.drop(columns=["seconds"]).reset_index(drop=True)
    resp = [folder / "jobs" / f"{s['id']}.responses.parquet" for s in plan["scenarios"]]
    responses = pd.concat([pd.read_parquet(p) for p in resp if p.exists()], ignore_index=True)
    skip = set(RESERVED) | set(plan["levers"])
    metrics = [c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c])]
    scen = scenario_table(runs, plan["levers"], metrics)
    for name, df in (("runs", runs), ("responses", responses), ("scenarios", scen)):
        atomic_parquet(df, folder / f"{name}.parquet")
        if csv:
            df.to_csv(folder / f"{name}.csv", index=False)
    return runs


def main(argv: list[str]) -> int:
    from sim import __version__
    from sim.sweep.launch import run_pending

    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    try:
        spec, run = parse_args(argv)
        plan = make_plan(spec)
    except ConfigError as err:
        print(f"funnelsim sweep: config error: {err}", file=sys.stderr)
        return 2
    folder = Path(run["dir"]) / spec.name
    (folder / "jobs").mkdir(parents=True, exist_ok=True)
    plan_file = folder / "plan.json"
    if plan_file.exists() and json.loads(plan_file.read_text()) != json.loads(json.dumps(plan)):
        print(
            f"funnelsim sweep: {folder} holds a different sweep; give another name= or remove the folder",
            file=sys.stderr,
        )
        return 2
    plan_file.write_text(json.dumps(plan, indent=2))
    started = datetime.now().isoformat(timespec="seconds")
    pending = [j for j, s in enumerate(plan["scenarios"]) if not job_path(folder, s["id"]).exists()]
    done = len(plan["scenarios"]) - len(pending)
    if done:
        print(f"resuming {spec.name}: {done} of {len(plan['scenarios'])} jobs already done", file=sys.stderr)
    run_pending(folder, plan, pending, run["launcher"], run["workers"], run["quiet"])
    runs = merge(folder, plan, run["csv"])
    jobs = []
    for j, s in enumerate(plan["scenarios"]):
        df = pd.read_parquet(job_path(folder, s["id"]), columns=["status", "error", "seconds"])
        jobs.append(
            {
                "job": j,
                "scenario": s["id"],
                "overrides": s["overrides"],
                "status": df.status.iloc[0],
                "error": df.error.iloc[0],
                "seconds": float(df.seconds.iloc[0]),
            }
        )
    meta = {
        "name": spec.name,
        "root_seed": spec.root_seed,
        "funnelsim_version": __version__,
        "sweep": plan["spec"],
        "levers": plan["levers"],
        "baseline": next(s["id"] for s in plan["scenarios"] if s["baseline"]),
        "started": started,
        "ended": datetime.now().isoformat(timespec="seconds"),
        "launcher": run["launcher"],
        "workers": run["workers"],
        "jobs": jobs,
    }
    (folder / "sweep.json").write_text(json.dumps(meta, indent=2, default=str))
    shutil.rmtree(folder / ".hydra", ignore_errors=True)
    failed = int((runs.status == "failed").sum())
    print(f"sweep {spec.name}: {len(plan['scenarios'])} scenarios x {spec.replications} replications -> {folder}")
    if failed:
        print(f"{failed} runs failed; see sweep.json and the runs table (status=failed)", file=sys.stderr)
    if run["plots"]:
        from sim.plot_cli import main_plot

        if main_plot([str(folder)]) != 0:
            return 1
    return 1 if failed else 0
