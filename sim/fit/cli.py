"""`funnelsim fit TARGETS`: fit the model's uncertain parameters to a client's targets.

    funnelsim fit TARGETS [fit=NAME|FILE] [name=NAME] [dir=results/fits] [trials=N] [replications=N] [batch=N]
                  [param=KEY:LOW:HIGH[:log]] ... [KEY=VALUE] ... [launcher=basic|joblib|ray] [workers=N]
                  [address=HOST:PORT] [quiet=true]

TARGETS is a file written by `funnelsim targets`.  fit= names the parameter set and its bounds
(conf/fit/NAME.yaml, default `default`, or a YAML path); param= adds or replaces one parameter;
KEY=VALUE sets a config key for every simulation (market size, team, budgets).  Optuna's CMA-ES
(or TPE) minimises the weighted distance between the model's statistics and the targets, with
`replications` runs per trial under common random numbers; a Laplace approximation of the
synthetic likelihood around the optimum gives each parameter's uncertainty.

Writes <dir>/<name>/ (fit.json, params, comparison, posterior draws, plot, the scenario) and the
preset scenarios/<name>.yaml, so `funnelsim run scenarios=<name>` runs the fitted scenario and a
sweep can start from it.  Running the same fit into the same folder again resumes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import ConfigError
from sim.fit import posterior as post_mod
from sim.fit.evaluate import distance, model_moments, run_variance
from sim.fit.pool import evaluate_many
from sim.fit.space import FitSpec, load_fit_spec
from sim.loading import SCENARIO_DIR, load_config
from sim.output import atomic_parquet
from sim.sweep.job import replication_seed

SETTINGS = (
    "fit",
    "name",
    "dir",
    "trials",
    "replications",
    "batch",
    "param",
    "launcher",
    "workers",
    "address",
    "quiet",
)
LAUNCHERS = ("basic", "joblib", "ray")
DRAWS = 1000
CHECK_REPLICATIONS = 5  # replications of the fitted scenario for the comparison table


def _param_arg(text: str) -> dict:
    parts = text.split(":")
    if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] != "log"):
        raise ConfigError(f"param={text!r}: give KEY:LOW:HIGH or KEY:LOW:HIGH:log")
    try:
        low, high = float(parts[1]), float(parts[2])
    except ValueError as err:
        raise ConfigError(f"param={text!r}: LOW and HIGH must be numbers") from err
    return {"key": parts[0], "low": low, "high": high, "log": len(parts) == 4}


def parse_args(argv: list[str]) -> tuple[Path, FitSpec, dict]:
    targets, settings, params, base = None, {}, [], []
    for arg in argv:
        if "=" not in arg:
            if targets is not None:
                raise ConfigError(f"give one TARGETS file; got {targets!r} and {arg!r}")
            targets = arg
            continue
        key, value = arg.split("=", 1)
        if key == "param":
            params.append(_param_arg(value))
        elif key in SETTINGS:
            settings[key] = value
        else:
            base.append(arg)
    if targets is None:
        raise ConfigError("give the targets file: funnelsim fit TARGETS (made by funnelsim targets EXPORT)")
    spec = load_fit_spec(settings.get("fit", "default"), params)
    spec.base = [*spec.base, *base]
    for key in ("trials", "replications", "batch"):
        if key in settings:
            try:
                setattr(spec, key, int(settings[key]))
            except ValueError as err:
                raise ConfigError(f"{key}={settings[key]!r} is not a whole number") from err
            if getattr(spec, key) < 1:
                raise ConfigError(f"{key}={settings[key]} is out of range; allowed >= 1")
    launcher = settings.get("launcher", "joblib")
    if launcher not in LAUNCHERS:
        raise ConfigError(f"launcher={launcher!r} is not allowed; choose one of {', '.join(LAUNCHERS)}")
    if launcher == "ray" and "address" not in settings:
        raise ConfigError("launcher=ray needs address=HOST:PORT of a running Ray cluster")
    if launcher != "ray" and "address" in settings:
        raise ConfigError(f"address= applies only to launcher=ray, not launcher={launcher}")
    try:
        workers = int(settings.get("workers", os.cpu_count() or 1))
    except ValueError as err:
        raise ConfigError(f"workers={settings['workers']!r} is not a whole number") from err
    name = settings.get("name") or f"fit_{Path(targets).stem}"
    if not name.replace("_", "").replace("-", "").isalnum():
        raise ConfigError(f"name={name!r}: use letters, digits, - and _ only (it names the preset)")
    run = {
        "name": name,
        "dir": settings.get("dir", "results/fits"),
        "launcher": launcher,
        "workers": workers,
        "address": settings.get("address"),
        "quiet": str(settings.get("quiet", "false")).lower() in ("1", "true", "yes"),
    }
    return Path(targets), spec, run


def load_targets(path: Path) -> dict:
    if not path.exists():
        raise ConfigError(f"targets file {path} does not exist; make one with funnelsim targets EXPORT")
    try:
        doc = json.loads(path.read_text())
        pd.DataFrame(doc["targets"])[["name", "group", "value", "se"]]
        float(doc["window_days"])
    except (ValueError, KeyError, TypeError) as err:
        raise ConfigError(f"{path} is not a targets file written by funnelsim targets ({err})") from err
    if not doc["targets"]:
        raise ConfigError(f"{path} holds no targets")
    return doc


def _get(cfg, key: str):
    obj = cfg
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


def plan(targets_path: Path, spec: FitSpec, run: dict) -> dict:
    """Check everything the fit needs before anything is written; raises ConfigError."""
    doc = load_targets(targets_path)
    base_cfg = load_config(spec.base)
    base_values = {}
    for p in spec.params:
        for k in p.keys:
            try:
                base_values[k] = float(_get(base_cfg, k))
            except AttributeError as err:
                raise ConfigError(f"fitted parameter {p.name}: {k} is not a config key (see funnelsim keys)") from err
    for u in (0.0, 1.0):
        try:
            load_config([*spec.base, *spec.overrides(np.full(len(spec.params), u), base_values)])
        except ConfigError as err:
            raise ConfigError(
                f"a fitted parameter's {'low' if u == 0 else 'high'} bound is not allowed: {err}"
            ) from err
    window = int(np.ceil(float(doc["window_days"])))
    return {
        "name": run["name"],
        "targets_file": str(targets_path),
        "targets": doc["targets"],
        "window_days": window,
        "days": spec.warmup_days + window,
        "spec": spec.as_dict(),
        "base_values": base_values,
        "seeds": [replication_seed(spec.root_seed, r) for r in range(spec.replications)],
    }


class Fit:
    """One fit folder: its plan, every evaluation (evals/, what resuming replays) and the final files."""

    def __init__(self, folder: Path, plan: dict, spec: FitSpec, run: dict):
        self.folder, self.plan, self.spec, self.run = folder, plan, spec, run
        self.targets = pd.DataFrame(plan["targets"])
        w = spec.weights or {}
        self.weights = np.array([float(w.get(g, 1.0)) for g in self.targets["group"]])
        (folder / "evals").mkdir(parents=True, exist_ok=True)

    def _key(self, u: np.ndarray, seeds: list[int]) -> str:
        text = json.dumps([[round(float(x), 12) for x in u], seeds])
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def evaluate(self, us: list[np.ndarray], seeds: list[int] | None = None) -> list[list[dict]]:
        """Replication statistics at each unit-cube point, from evals/ when already computed."""
        seeds = seeds or self.plan["seeds"]
        keys = [self._key(u, seeds) for u in us]
        todo = [i for i, k in enumerate(keys) if not (self.folder / "evals" / f"{k}.json").exists()]
        points = [[*self.spec.base, *self.spec.overrides(us[i], self.plan["base_values"])] for i in todo]
        results = evaluate_many(
            points,
            self.plan["days"],
            self.spec.warmup_days,
            seeds,
            self.run["launcher"],
            self.run["workers"],
            self.run["address"],
        )
        for i, res in zip(todo, results, strict=True):
            path = self.folder / "evals" / f"{keys[i]}.json"
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"u": [float(x) for x in us[i]], "seeds": seeds, "reps": res}))
            os.replace(tmp, path)
        return [json.loads((self.folder / "evals" / f"{k}.json").read_text())["reps"] for k in keys]

    def distance(self, reps: list[dict], var=None) -> float:
        return distance(self.targets, reps, self.weights, var)


def optimise(fit: Fit) -> tuple[np.ndarray, float, int]:
    """Optuna search in the unit cube, `batch` trials at a time (run in parallel on the launcher).

    The sampler is seeded and every evaluation is kept in evals/, so a fit started again after a
    kill replays its finished trials from there and goes on with exactly the trials an unbroken
    fit would have run: same seed, same numbers, whatever the launcher or number of workers."""
    import optuna
    from tqdm import tqdm

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    spec = fit.spec
    names = [p.name for p in spec.params]
    if spec.sampler == "cmaes":
        sampler = optuna.samplers.CmaEsSampler(seed=spec.root_seed)
    else:
        sampler = optuna.samplers.TPESampler(seed=spec.root_seed)
    study = optuna.create_study(sampler=sampler, direction="minimize")
    cached = len(list((fit.folder / "evals").glob("*.json")))
    if cached and not fit.run["quiet"]:
        print(f"resuming fit {fit.plan['name']}: replaying {cached} saved evaluations", file=sys.stderr)
    bar = tqdm(total=spec.trials, desc=f"fit {fit.plan['name']}", unit="trial", disable=fit.run["quiet"])
    done = 0
    while done < spec.trials:
        trials = [study.ask() for _ in range(min(spec.batch, spec.trials - done))]
        us = [np.array([t.suggest_float(n, 0.0, 1.0) for n in names]) for t in trials]
        for t, reps in zip(trials, fit.evaluate(us), strict=True):
            study.tell(t, fit.distance(reps))
        done += len(trials)
        bar.update(len(trials))
        bar.set_postfix(best=f"{study.best_value:.1f}")
    bar.close()
    best = study.best_trial
    return np.array([best.params[n] for n in names]), float(best.value), done


def posterior(fit: Fit, u_best: np.ndarray) -> tuple[dict, np.ndarray]:
    """Laplace approximation around the best point, in two rounds (a first step, then one sized to the spread).

    The distance's variances are those of a synthetic likelihood: how much the statistic of one
    export varies by chance (the larger of the targets' own error and the model's between-run
    variance, pooled over the design) plus the error of the model's mean over its replications."""
    d = len(u_best)
    names = list(fit.targets["name"])
    se2 = fit.targets["se"].to_numpy(dtype=float) ** 2
    h = np.full(d, 0.05)
    post = None
    for _ in range(2):
        center = post_mod.inner_center(u_best, h)
        pts = post_mod.design(center, h)
        reps = fit.evaluate(pts)
        var_run = run_variance(reps, names)
        var = np.maximum(se2, var_run) + var_run / fit.spec.replications
        values = [fit.distance(r, var) for r in reps]
        g, H = post_mod.quadratic(values, h)
        post = post_mod.laplace(center, g, H, h)
        h = np.clip(1.5 * post["sd"], 0.01, 0.1)
        u_best = post["mean"]
    return post, post_mod.draws(post, DRAWS, fit.spec.root_seed)


def comparison(fit: Fit, u: np.ndarray) -> pd.DataFrame:
    """Every target against the fitted model: value and 95 % interval of each, and whether they agree."""
    seeds = [replication_seed(fit.spec.root_seed + 1, r) for r in range(max(CHECK_REPLICATIONS, fit.spec.replications))]
    reps = fit.evaluate([u], seeds)[0]
    t = fit.targets
    mean, var = model_moments(reps, list(t["name"]))
    x = np.array([[r.get(n, np.nan) for n in t["name"]] for r in reps], dtype=float)
    sd_run = np.nanstd(x, axis=0, ddof=1)
    z = 1.96
    out = t[["name", "group", "value", "se", "n"]].rename(columns={"value": "target", "se": "target_se"})
    out["target_ci_low"] = out["target"] - z * out["target_se"]
    out["target_ci_high"] = out["target"] + z * out["target_se"]
    out["model"] = mean
    out["model_se"] = np.sqrt(var)
    out["model_ci_low"] = mean - z * np.sqrt(var)
    out["model_ci_high"] = mean + z * np.sqrt(var)
    out["model_run_sd"] = sd_run
    # agreement: the difference is within the sampling error of an export of this size (the larger of
    # the target's own error and the model's run-to-run spread) and of the model's mean (95 %)
    out["z"] = (mean - out["target"]) / np.sqrt(np.maximum(out["target_se"] ** 2, sd_run**2) + var)
    out["agrees"] = np.abs(out["z"]) <= z
    return out


def params_table(fit: Fit, post: dict, sample: np.ndarray) -> pd.DataFrame:
    rows = []
    for i, p in enumerate(fit.spec.params):
        vals = np.array([p.value(x) for x in sample[:, i]])
        est = p.value(float(post["mean"][i]))
        lo, hi = np.percentile(vals, [2.5, 97.5])
        rows.append(
            {
                "param": p.name,
                "keys": ",".join(p.keys),
                "scale": p.scale,
                "estimate": est,
                "sd": float(vals.std(ddof=1)),
                "ci_low": float(lo),
                "ci_high": float(hi),
                "low": p.low,
                "high": p.high,
                "log": p.log,
                "unit_sd": float(post["sd"][i]),
            }
        )
    return pd.DataFrame(rows)


def _nest(pairs: dict) -> dict:
    out: dict = {}
    for key, value in pairs.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def preset_text(fit: Fit, u: np.ndarray) -> str:
    """The fitted scenario as a preset: every setting that differs from the default scenario (the base,
    any preset it starts from, and the fitted values), nested for Hydra; run settings are left out."""
    import yaml

    from sim.config import iter_fields

    fitted = load_config([*fit.spec.base, *fit.spec.overrides(u, fit.plan["base_values"])])
    default = dict((k, v) for k, v, _ in iter_fields(load_config([])))
    diff = {
        k: (list(v) if isinstance(v, (list, tuple)) else v)
        for k, v, _ in iter_fields(fitted)
        if not k.startswith(("sim.", "output.", "scenario")) and v != default[k]
    }
    body = {"scenario": fit.plan["name"], **_nest(diff)}
    head = (
        "# @package _global_\n"
        f"# Fitted by funnelsim fit to {fit.plan['targets_file']} ({datetime.now().date().isoformat()}); "
        f"parameters and intervals in {fit.folder}/params.csv\n"
    )
    return head + yaml.safe_dump(body, sort_keys=False)


def _same_fit(old: dict, new: dict) -> bool:
    """Whether a folder's plan is this fit's; the number of trials may grow (the search replays, then goes on)."""

    def core(plan: dict) -> dict:
        plan = json.loads(json.dumps(plan))
        plan["spec"].pop("trials", None)
        return plan

    return core(old) == core(new)


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    started = time.time()
    try:
        targets_path, spec, run = parse_args(argv)
        if run["launcher"] == "ray":
            from sim.sweep.cli import ray_missing, ray_unreachable

            why = ray_missing() or ray_unreachable(run["address"])
            if why:
                raise ConfigError(f"launcher=ray {why}")
        the_plan = plan(targets_path, spec, run)
        folder = Path(run["dir"]) / run["name"]
        preset = SCENARIO_DIR / f"{run['name']}.yaml"
        plan_file = folder / "plan.json"
        if plan_file.exists() and _same_fit(json.loads(plan_file.read_text()), the_plan) is False:
            raise ConfigError(f"{folder} holds a different fit; give another name= or remove the folder")
        if preset.exists() and not plan_file.exists():
            raise ConfigError(f"a scenario preset named {run['name']!r} exists already ({preset}); give another name=")
    except ConfigError as err:
        print(f"funnelsim fit: config error: {err}", file=sys.stderr)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_text(plan_file, json.dumps(the_plan, indent=2))
    fit = Fit(folder, the_plan, spec, run)
    u_best, best_value, n_trials = optimise(fit)
    if not run["quiet"]:
        print(f"best distance {best_value:.2f} after {n_trials} trials; estimating uncertainty", file=sys.stderr)
    post, sample = posterior(fit, u_best)
    names = [p.name for p in spec.params]
    params = params_table(fit, post, sample)
    comp = comparison(fit, post["mean"])
    warns = post_mod.warnings_for(names, post)
    draws = pd.DataFrame({"draw": np.arange(len(sample))})
    for i, p in enumerate(spec.params):
        draws[p.name] = [p.value(x) for x in sample[:, i]]
    # per draw, the config overrides that put the model there (sweeps draw from these)
    draws["overrides"] = [json.dumps(spec.overrides(x, the_plan["base_values"])) for x in sample]
    for name, df in (("params", params), ("comparison", comp), ("posterior", draws)):
        atomic_parquet(df, folder / f"{name}.parquet")
        df.to_csv(folder / f"{name}.csv", index=False)
    text = preset_text(fit, post["mean"])
    _atomic_text(folder / "scenario.yaml", text)
    _atomic_text(preset, text)
    from sim.fit.plot import plot_comparison

    plot_comparison(comp, folder / "targets.png")
    from sim import __version__

    meta = {
        "name": run["name"],
        "targets": str(targets_path),
        "funnelsim_version": __version__,
        "spec": spec.as_dict(),
        "days": the_plan["days"],
        "window_days": the_plan["window_days"],
        "trials": n_trials,
        "best_distance": best_value,
        "estimate": {r.param: r.estimate for r in params.itertuples()},
        "interval_95": {r.param: [r.ci_low, r.ci_high] for r in params.itertuples()},
        "correlation": pd.DataFrame(post["corr"], index=names, columns=names).round(3).to_dict(),
        "warnings": warns,
        "targets_agreeing": int(comp["agrees"].sum()),
        "targets_total": len(comp),
        "preset": str(preset),
        "launcher": run["launcher"],
        "workers": run["workers"],
        "address": run["address"],
        "seconds": round(time.time() - started, 1),
        "ended": datetime.now().isoformat(timespec="seconds"),
    }
    _atomic_text(folder / "fit.json", json.dumps(meta, indent=2, default=float) + "\n")
    print(f"fit {run['name']}: {n_trials} trials, best distance {best_value:.2f}")
    print(f"  {'parameter':<28} {'estimate':>12} {'95 % interval':>28}")
    for r in params.itertuples():
        print(f"  {r.param:<28} {r.estimate:>12.4g}   [{r.ci_low:>11.4g}, {r.ci_high:>11.4g}]")
    print(f"targets within sampling error: {int(comp['agrees'].sum())} of {len(comp)}")
    for w in warns:
        print(f"warning: {w}")
    shown = os.path.relpath(preset) if preset.is_relative_to(Path.cwd()) else preset
    print(f"fit folder: {folder}\npreset: scenarios={run['name']} ({shown})")
    return 0
