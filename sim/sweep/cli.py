"""`funnelsim sweep`: plan a sweep, run its pending jobs, merge the tables.

    funnelsim sweep [sweep=NAME] [KEY=v1,v2,...] [KEY=value] [replications=N] [root_seed=N]
                    [name=NAME] [launcher=basic|joblib|ray] [workers=N] [address=HOST:PORT]
                    [csv=true] [dir=PATH] [plots=false] [posterior=FIT_DIR]

A comma list sweeps that lever (added to the sweep file's grid); a single value applies to
every scenario.  Running the same sweep into the same folder again resumes it.  The sweep ends by drawing its
plots into <dir>/<name>/plots/ (as `funnelsim plot`) and the report <dir>/<name>/report.html (as
`funnelsim report`); plots=false skips both.

scenarios=NAME starts every scenario from a preset, e.g. one written by `funnelsim fit`.
posterior=FIT_DIR draws the fitted parameters from that fit's posterior, one draw per
replication (the same draw for replication r in every scenario), so the intervals include
parameter uncertainty as well as simulation noise.

launcher=joblib (the default) runs `workers` jobs at a time on this machine; launcher=basic runs them
one by one.  launcher=ray address=HOST:PORT runs the jobs on an existing Ray cluster (`ray start --head`
on the cluster; needs `pip install -e ".[cluster]"` here and funnelsim installed on every node); the
cluster runs one job per CPU, each with one Numba thread.  Each job writes its file into <dir>/<name>/
itself, so with Ray that folder must be on storage every Ray node sees at the same path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.config import ConfigError, check_name, suggest
from sim.output import atomic_parquet, check_parent, folder_kind
from sim.sweep.job import RESERVED, job_path
from sim.sweep.spec import (
    REPLICATIONS_MAX,
    SEED_MAX,
    SweepSpec,
    baseline_index,
    check_spec,
    label,
    load_spec,
    overrides,
    same_value,
    scenario_list,
    sweep_owned,
)
from sim.sweep.stats import scenario_table

SETTINGS = {
    "sweep",
    "replications",
    "root_seed",
    "name",
    "launcher",
    "workers",
    "address",
    "csv",
    "dir",
    "quiet",
    "plots",
    "posterior",
}
LAUNCHERS = ("basic", "joblib", "ray")
WORKERS_MAX = 256
ADDRESS = re.compile(r"(?P<host>[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\]):(?P<port>[0-9]{1,5})")


def _value(text: str):
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _whole(key: str, text: str, lo: int, hi: int) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", text.strip()) or not lo <= int(text) <= hi:
        raise ConfigError(f"{key}={text!r} is not allowed; allowed: a whole number in [{lo}, {hi}]")
    return int(text)


def _flag(key: str, text: str) -> bool:
    if text.strip().lower() not in ("true", "false"):
        raise ConfigError(f"{key}={text!r} is not allowed; allowed: true or false")
    return text.strip().lower() == "true"


def parse_args(argv: list[str]) -> tuple[SweepSpec, dict]:
    """Sweep settings, pinned levers and swept levers from the command line, each checked."""
    from sim.loading import check_key

    settings, base, grid = {}, [], {}
    for arg in argv:
        if "=" not in arg:
            raise ConfigError(f"sweep argument {arg!r} is not KEY=VALUE; see funnelsim sweep --help")
        key, text = arg.split("=", 1)
        if key in SETTINGS:
            if key in settings:
                raise ConfigError(f"sweep setting {key}= is given twice; give it once")
            settings[key] = text
            continue
        bare = key.lstrip("+")
        if bare in SETTINGS:
            raise ConfigError(f"{arg}: sweep settings take no '+'; write {bare}={text}")
        if not key.startswith("~"):
            check_key(bare, extra=tuple(sorted(SETTINGS)))
        if bare in grid or any(b.split("=", 1)[0].lstrip("+") == bare for b in base):
            raise ConfigError(f"sweep lever {bare} is given twice; give it once (a comma list sweeps it)")
        if "," in text and not text.startswith("["):
            grid[key] = [_value(v) for v in text.split(",")]
        else:
            base.append(arg)
    spec = load_spec(settings.get("sweep", "default"))
    pinned = {a.split("=", 1)[0].lstrip("+") for a in base}
    spec.grid = {k: v for k, v in spec.grid.items() if k not in pinned}  # a single value pins a lever
    spec.grid = {**spec.grid, **grid}
    if set(spec.paired) & (pinned | set(grid)):  # setting one lever of a paired group unpairs the group
        print(
            f"note: {', '.join(sorted(set(spec.paired) & (pinned | set(grid))))} set on the command line: the "
            f"sweep file's paired levers ({', '.join(spec.paired)}) are not swept; the others keep their defaults "
            "unless given",
            file=sys.stderr,
        )
        spec.paired = {}
    # The file's baseline keeps only what still names a scenario of the sweep as given.
    values = {**spec.grid, **spec.paired}
    spec.baseline = {k: v for k, v in (spec.baseline or {}).items() if v in values.get(k, [])}
    spec.base = [b for b in spec.base if b.split("=", 1)[0].lstrip("+") not in pinned]  # the command line wins
    spec.base = [*spec.base, *base]
    if "replications" in settings:
        spec.replications = _whole("replications", settings["replications"], 1, REPLICATIONS_MAX)
    if "root_seed" in settings:
        spec.root_seed = _whole("root_seed", settings["root_seed"], 0, SEED_MAX)
    if "name" in settings:
        check_name("name", settings["name"])
        spec.name = settings["name"]
    launcher = settings.get("launcher", "joblib")
    if launcher not in LAUNCHERS:
        raise ConfigError(
            f"launcher={launcher!r} is not allowed; choose one of {', '.join(LAUNCHERS)}{suggest(launcher, LAUNCHERS)}"
        )
    address = settings.get("address")
    if launcher == "ray":
        if address is None:
            raise ConfigError(
                "launcher=ray needs address=HOST:PORT of a running Ray cluster (`ray start --head` prints it); "
                "on one machine use launcher=joblib"
            )
        m = ADDRESS.fullmatch(address)
        if not m or not 1 <= int(m["port"]) <= 65535:
            raise ConfigError(f"address={address!r} is not HOST:PORT (e.g. address=10.0.0.5:6379)")
        if "workers" in settings:
            raise ConfigError("workers= does not apply to launcher=ray: the cluster runs one job per CPU")
    elif address is not None:
        raise ConfigError(f"address= applies only to launcher=ray, not launcher={launcher}")
    if launcher == "basic" and "workers" in settings and settings["workers"].strip() != "1":
        raise ConfigError(
            f"workers={settings['workers']!r} does not apply to launcher=basic, which runs one job at a time"
        )
    if launcher == "ray":
        workers = None
    elif "workers" in settings:
        workers = _whole("workers", settings["workers"], 1, WORKERS_MAX)
    else:
        workers = min(os.cpu_count() or 1, WORKERS_MAX)
    folder_dir = settings.get("dir", "results/sweeps")
    if not folder_dir.strip() or "\x00" in folder_dir:
        raise ConfigError(f"dir={folder_dir!r} is not allowed; allowed: a folder path")
    run = {
        "launcher": launcher,
        "workers": workers,
        "address": address,
        "csv": _flag("csv", settings.get("csv", "false")),
        "dir": folder_dir,
        "quiet": _flag("quiet", settings.get("quiet", "false")),
        "plots": _flag("plots", settings.get("plots", "true")),
        "posterior": settings.get("posterior"),
    }
    return spec, run


def posterior_draws(fit_dir: str, replications: int, base: list[str]) -> list[list[str]]:
    """Per replication, the overrides of one posterior draw of a fit (draw r for replication r)."""
    from sim.loading import load_config

    path = Path(fit_dir) / "posterior.parquet"
    if not path.exists():
        raise ConfigError(f"posterior={fit_dir!r}: no posterior.parquet there; give a folder written by funnelsim fit")
    draws = pd.read_parquet(path, columns=["overrides"])["overrides"].map(json.loads).tolist()
    if len(draws) < replications:
        raise ConfigError(
            f"posterior={fit_dir!r} has {len(draws)} draws; the sweep asks for {replications} replications"
        )
    try:
        load_config([*base, *draws[0]])
    except ConfigError as err:
        raise ConfigError(f"posterior={fit_dir!r}: its draws do not apply to this sweep: {err}") from err
    return draws[:replications]


def _today(cfg, rows: list[dict]) -> dict:
    """Each lever's value in the base configuration (today's company, before any lever moves)."""
    out = {}
    for k in dict.fromkeys(k for r in rows for k in r):
        node = cfg
        try:
            for part in k.split("."):
                node = getattr(node, part)
        except AttributeError:
            continue
        out[k] = node
    return out


def make_plan(spec: SweepSpec) -> dict:
    """Validate every scenario's config and lay out the jobs; raises ConfigError on bad input."""
    from sim.loading import load_config

    check_spec(spec)
    rows = scenario_list(spec)
    pinned = [b.split("=", 1)[0].lstrip("+~") for b in spec.base]
    both = [k for r in rows for k in r if k in pinned]
    if both:
        raise ConfigError(f"{both[0]} is both pinned to one value (base) and swept; give one or the other")
    keys = pinned + [k for r in rows for k in r]
    owned = [k for k in keys if sweep_owned(k)]
    if owned:
        raise ConfigError(
            f"{owned[0]} is set by the sweep itself (seeds from root_seed, one thread per job, tables instead of "
            "run folders); leave it out of the sweep's levers and base"
        )
    base_cfg = load_config(spec.base)
    today = _today(base_cfg, rows)
    base_i = baseline_index(spec, rows, today=today)
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


def ray_missing() -> str | None:
    """Why the Ray launcher cannot run here, or None if ray and hydra-ray-launcher import."""
    try:
        import hydra_plugins.hydra_ray_launcher.ray_launcher  # noqa: F401
        import ray  # noqa: F401
    except ImportError as err:
        return f'needs ray and hydra-ray-launcher: pip install -e ".[cluster]" ({err})'
    return None


def ray_unreachable(address: str, timeout: float = 10.0) -> str | None:
    """Why nothing answers at the Ray cluster's HOST:PORT, or None (Ray itself would retry for ever)."""
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        return f"no Ray cluster answers at address={address} ({err}); start one with `ray start --head`"
    return None


def check_folder(folder: Path, plan: dict) -> None:
    """The sweep folder is new, empty, or a sweep folder of this same plan (then the sweep resumes);
    a run folder, another sweep's folder or any other folder with files is refused.  Creates nothing."""
    check_parent("dir", folder.parent)
    if not folder.exists() and not folder.is_symlink():
        return
    if not folder.is_dir():
        raise ConfigError(f"name={folder.name!r}: {folder} is a file, not a sweep folder; give another name=")
    kind = folder_kind(folder)
    if kind == "sweep":
        try:
            same = json.loads((folder / "plan.json").read_text()) == json.loads(json.dumps(plan))
        except (OSError, ValueError):
            same = False
        if not same:
            raise ConfigError(f"{folder} holds a different sweep; give another name= or remove the folder")
    elif kind or any(folder.iterdir()):
        what = "a run folder" if kind == "run" else "a folder that is not a sweep folder"
        raise ConfigError(f"name={folder.name!r}: {folder} is {what}; a sweep writes only its own folders")


def main(argv: list[str]) -> int:
    from sim.sweep.launch import run_pending

    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    try:
        spec, run = parse_args(argv)
        plan = make_plan(spec)
        if run["posterior"]:
            plan["posterior"] = {
                "fit": str(run["posterior"]),
                "draws": posterior_draws(run["posterior"], spec.replications, spec.base),
            }
    except ConfigError as err:
        print(f"funnelsim sweep: config error: {err}", file=sys.stderr)
        return 2
    if run["launcher"] == "ray":
        missing = ray_missing()
        if missing:
            print(f"funnelsim sweep: launcher=ray {missing}", file=sys.stderr)
            return 2
        unreachable = ray_unreachable(run["address"])
        if unreachable:
            print(f"funnelsim sweep: {unreachable}", file=sys.stderr)
            return 2
    folder = Path(run["dir"]) / spec.name
    try:
        check_folder(folder, plan)
    except ConfigError as err:
        print(f"funnelsim sweep: config error: {err}", file=sys.stderr)
        return 2
    from sim.policies.plugins import export_overrides

    export_overrides([*plan["base"], *(o for s in plan["scenarios"] for o in s["overrides"])])  # for the workers
    (folder / "jobs").mkdir(parents=True, exist_ok=True)
    plan_file = folder / "plan.json"
    if not plan_file.exists():
        tmp = folder / f".plan.json.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(plan, indent=2))
        os.replace(tmp, plan_file)  # whole or absent: a killed sweep leaves no half plan behind
    started = datetime.now().isoformat(timespec="seconds")
    pending = [j for j, s in enumerate(plan["scenarios"]) if not job_path(folder, s["id"]).exists()]
    done = len(plan["scenarios"]) - len(pending)
    if done:
        print(f"resuming {spec.name}: {done} of {len(plan['scenarios'])} jobs already done", file=sys.stderr)
    run_pending(folder, plan, pending, run["launcher"], run["workers"], run["quiet"], address=run["address"])
    try:
        runs = finish(folder, plan, spec, run, started)
    except OSError as err:
        print(
            f"funnelsim sweep: could not write the sweep's tables in {folder} ({err}); every finished job is kept "
            f"in {folder / 'jobs'}: run the same command again to merge them",
            file=sys.stderr,
        )
        return 1
    failed = int((runs.status == "failed").sum())
    print(f"sweep {spec.name}: {len(plan['scenarios'])} scenarios x {spec.replications} replications -> {folder}")
    if failed:
        print(f"{failed} runs failed; see sweep.json and the runs table (status=failed)", file=sys.stderr)
    if run["plots"]:
        from sim.plot_cli import main_plot, main_report

        if main_plot([str(folder)]) != 0 or main_report([str(folder)]) != 0:
            return 1
    return 1 if failed else 0


def finish(folder: Path, plan: dict, spec: SweepSpec, run: dict, started: str) -> pd.DataFrame:
    """Merge the job files into the sweep's tables and write sweep.json; returns the runs table."""
    from sim import __version__
    from sim.loading import load_config

    runs = merge(folder, plan, run["csv"])
    base_cfg = load_config(plan["base"])
    rows = [s["levers"] for s in plan["scenarios"]]
    today = _today(base_cfg, rows)
    base_row = next(s["levers"] for s in plan["scenarios"] if s["baseline"])
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
        "baseline_is_today": all(k in today and same_value(today[k], v) for k, v in base_row.items()),
        "currency": base_cfg.market.currency,
        "days": base_cfg.sim.days,
        "started": started,
        "ended": datetime.now().isoformat(timespec="seconds"),
        "launcher": run["launcher"],
        "workers": run["workers"],
        "address": run["address"],
        "posterior": (plan.get("posterior") or {}).get("fit"),
        "jobs": jobs,
    }
    (folder / "sweep.json").write_text(json.dumps(meta, indent=2, default=str))
    shutil.rmtree(folder / ".hydra", ignore_errors=True)
    return runs
