"""Run one explore method into its folder: check, sample, run (resuming), analyse, write tables and plots."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

import numpy as np

from sim.config import ConfigError
from sim.output import atomic_parquet, check_parent

LIBRARIES = ("funnelsim", "SALib", "optuna", "prim", "numpy", "pandas", "scipy", "hydra-core", "numba")


def versions() -> dict:
    out = {}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    return out


# settings that change only the analysis of finished runs: the same folder re-analyses with new values
ANALYSIS_ONLY = (
    "outcomes",
    "bootstrap",
    "conf_level",
    "threshold",
    "peel_alpha",
    "condition",
    "outcome",
    "direction",
    "satisficing",
)


def runs_part(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k not in ANALYSIS_ONLY}


def prepare(method: str, args: list[str]) -> tuple[dict, dict, Path]:
    """Settings checked and the folder checked (new, empty, or the same explore: resumed); creates nothing."""
    from sim.explore.spec import load_settings

    spec, run = load_settings(method, args)
    if run["launcher"] == "ray":  # as for sweeps: stop before any run if Ray is missing or nothing answers
        from sim.sweep.cli import ray_missing, ray_unreachable

        why = ray_missing() or ray_unreachable(run["address"])
        if why:
            raise ConfigError(f"launcher=ray: {why}")
    folder = Path(run["dir"]) / spec["name"]
    check_parent("dir", folder.parent)
    if folder.exists():
        if not folder.is_dir():
            raise ConfigError(f"name={spec['name']!r}: {folder} is a file; give another name=")
        sfile = folder / "spec.json"
        if sfile.exists():
            if runs_part(json.loads(sfile.read_text())) != runs_part(json.loads(json.dumps(spec))):
                raise ConfigError(
                    f"{folder} holds a different explore (other runs); give another name= or remove the folder "
                    f"(analysis settings alone may change: {', '.join(sorted(ANALYSIS_ONLY))})"
                )
        elif any(folder.iterdir()):
            raise ConfigError(f"name={spec['name']!r}: {folder} is not an explore folder; give another name=")
    return spec, run, folder


def explore(method: str, args: list[str] | tuple[str, ...] = ()) -> Path:
    """Run `method` (morris, sobol, optimize, robust, discover) with command-line style settings; the folder."""
    spec, run, folder = prepare(method, list(args))
    return execute(spec, run, folder)


def execute(spec: dict, run: dict, folder: Path) -> Path:
    import matplotlib.pyplot as plt

    from sim.explore import discover, optimize, robust

    started, t0 = datetime.now().isoformat(timespec="seconds"), time.time()
    folder.mkdir(parents=True, exist_ok=True)
    sfile = folder / "spec.json"
    if not sfile.exists() or json.loads(sfile.read_text()) != json.loads(json.dumps(spec)):
        tmp = folder / f".spec.json.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(spec, indent=2))
        os.replace(tmp, sfile)
    method = spec["method"]
    if method in ("morris", "sobol"):
        tables, figures, summary = sensitivity(spec, folder, run)
    else:
        mod = {"optimize": optimize, "robust": robust, "discover": discover}[method]
        tables, figures, summary = mod.run(spec, folder, run)
    for name, df in tables.items():
        atomic_parquet(df, folder / f"{name}.parquet")
    (folder / "plots").mkdir(exist_ok=True)
    for name, fig in figures:
        for ext in ("png", "svg"):
            fig.savefig(folder / "plots" / f"{name}.{ext}", dpi=144 if ext == "png" else None)
        plt.close(fig)
    meta = {
        "method": method,
        "name": spec["name"],
        "root_seed": spec["root_seed"],
        "replication_seeds": _seeds(spec),
        "versions": versions(),
        "spec": spec,
        "launcher": run["launcher"],
        "workers": run["workers"],
        "address": run["address"],
        "started": started,
        "ended": datetime.now().isoformat(timespec="seconds"),
        "seconds": round(time.time() - t0, 1),
        "tables": sorted(f"{n}.parquet" for n in tables),
        "plots": sorted(f"plots/{n}.png" for n, _ in figures),
        "summary": summary,
    }
    tmp = folder / f".explore.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(meta, indent=2, default=_plain))
    os.replace(tmp, folder / "explore.json")
    for hd in (folder / "runs").glob("*/.hydra"):
        shutil.rmtree(hd, ignore_errors=True)
    return folder


def _seeds(spec: dict) -> list[int]:
    from sim.sweep.job import replication_seed

    return [replication_seed(spec["root_seed"], r) for r in range(spec["replications"])]


def _plain(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return str(x)


def sensitivity(spec: dict, folder: Path, run: dict) -> tuple[dict, list, dict]:
    """Morris or Sobol over the factors: the design's runs, the indices table, a tornado and index chart per outcome."""
    from sim.explore import morris, sobol
    from sim.explore.plots import plot_indices, plot_tornado
    from sim.explore.running import run_stage, sample_means
    from sim.explore.spec import factor_list

    factors = factor_list(spec)
    mod = sobol if spec["method"] == "sobol" else morris
    unit, values = mod.samples(factors, spec)
    samples = [
        {k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()}
        for r in values.to_dict(orient="records")
    ]
    runs = run_stage(folder, "samples", spec["base"], samples, spec["replications"], spec["root_seed"], run)
    keys = [f.key for f in factors]
    means = sample_means(runs, keys, spec["outcomes"])
    if len(means) < len(samples):
        raise RuntimeError(f"{len(samples) - len(means)} samples failed in every replication; see runs.parquet")
    bad = [o for o in spec["outcomes"] if not np.isfinite(means[o]).all()]
    outcomes = [o for o in spec["outcomes"] if o not in bad]
    if spec["method"] == "sobol":
        table = sobol.indices(factors, means, outcomes, spec)
    else:
        table = morris.indices(factors, unit, means, outcomes, spec)
    figures = []
    for o in outcomes:
        slug = o.replace(".", "_")
        figures.append((f"tornado_{slug}", plot_tornado(means, factors, o)[0]))
        figures.append((f"indices_{slug}", plot_indices(table, o, spec["method"])[0]))
    lead = "ST" if spec["method"] == "sobol" else "mu_star"
    top = {
        o: table[(table["outcome"] == o) & (table["index"] == lead)].sort_values("rank")["factor"].tolist()
        for o in outcomes
    }
    summary = {"samples": len(samples), "runs": len(runs), "ranking": top, "undefined_outcomes": bad}
    return {"indices": table, "runs": runs}, figures, summary
