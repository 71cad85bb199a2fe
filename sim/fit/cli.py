"""`funnelsim fit TARGETS`: fit the model's uncertain parameters to a client's targets.

    funnelsim fit TARGETS [fit=NAME|FILE] [name=NAME] [dir=results/fits] [trials=N] [replications=N] [batch=N]
                  [walkers=N] [steps=N] [burn=N] [param=KEY:LOW:HIGH[:log]] ... [KEY=VALUE] ...
                  [launcher=basic|joblib|ray] [workers=N] [address=HOST:PORT] [quiet=true]

TARGETS is a file written by `funnelsim targets`.  fit= names the parameter set and its bounds
(conf/fit/NAME.yaml, default `default`, or a YAML path); param= adds or replaces one parameter;
KEY=VALUE sets a config key for every simulation (market size, team, budgets).  Optuna's CMA-ES
(or TPE) minimises the weighted distance between the model's statistics and the targets, with
`replications` runs per trial under common random numbers; then emcee's ensemble sampler
(`walkers` walkers started at the best trials, `steps` steps, the first `burn` dropped) samples
the posterior of a Gaussian synthetic likelihood under the same common random numbers.

Writes <dir>/<name>/ (fit.json, params, comparison, posterior samples, plots, the scenario) and
the preset scenarios/<name>.yaml, so `funnelsim run scenarios=<name>` runs the fitted scenario
and a sweep can start from it.  Running the same fit into the same folder again resumes it.
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
from sim.fit.space import FitSpec, check_sampling, load_fit_spec
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
    "walkers",
    "steps",
    "burn",
    "param",
    "launcher",
    "workers",
    "address",
    "quiet",
)
LAUNCHERS = ("basic", "joblib", "ray")
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
    for key in ("trials", "replications", "batch", "walkers", "steps", "burn"):
        if key in settings:
            try:
                setattr(spec, key, int(settings[key]))
            except ValueError as err:
                raise ConfigError(f"{key}={settings[key]!r} is not a whole number") from err
            if getattr(spec, key) < (0 if key == "burn" else 1):
                raise ConfigError(f"{key}={settings[key]} is out of range; allowed >= {0 if key == 'burn' else 1}")
    check_sampling(spec)
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


def optimise(fit: Fit) -> tuple[np.ndarray, np.ndarray, int]:
    """Optuna search in the unit cube, `batch` trials at a time (run in parallel on the launcher).

    The sampler is seeded and every evaluation is kept in evals/, so a fit started again after a
    kill replays its finished trials from there and goes on with exactly the trials an unbroken
    fit would have run: same seed, same numbers, whatever the launcher or number of workers.
    Returns every trial's point and distance, in the order they ran."""
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
    points, values = [], []
    while len(points) < spec.trials:
        trials = [study.ask() for _ in range(min(spec.batch, spec.trials - len(points)))]
        us = [np.array([t.suggest_float(n, 0.0, 1.0) for n in names]) for t in trials]
        for t, u, reps in zip(trials, us, fit.evaluate(us), strict=True):
            values.append(fit.distance(reps))
            points.append(u)
            study.tell(t, values[-1])
        bar.update(len(trials))
        bar.set_postfix(best=f"{study.best_value:.1f}")
    bar.close()
    return np.array(points), np.array(values), len(points)


def posterior(fit: Fit, points: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, dict]:
    """Posterior samples in the unit cube (steps after the burn-in x walkers, flattened step by step)
    from emcee on a Gaussian synthetic likelihood, and the sampler's diagnostics.

    The likelihood's variances are how much the statistic of one export varies by chance (the
    larger of the targets' own error and the model's between-run variance at the walkers' start)
    plus the error of the model's mean over its replications; every point is simulated with the
    search's seeds (common random numbers), so the log-likelihood is a fixed function of the point."""
    from tqdm import tqdm

    spec = fit.spec
    names = list(fit.targets["name"])
    start = post_mod.initial_walkers(points, values, spec.walkers)
    var_run = run_variance(fit.evaluate(list(start)), names)
    se2 = fit.targets["se"].to_numpy(dtype=float) ** 2
    var = np.maximum(se2, var_run) + var_run / spec.replications

    def log_prob(us: np.ndarray) -> np.ndarray:
        inside = post_mod.in_cube(us)
        out = np.full(len(us), -np.inf)
        reps = fit.evaluate([u for u in us[inside]])
        out[inside] = [-0.5 * fit.distance(r, var) for r in reps]
        return out

    bar = tqdm(total=spec.steps, desc=f"posterior {fit.plan['name']}", unit="step", disable=fit.run["quiet"])
    chain, logp, accept = post_mod.sample(log_prob, start, spec.steps, spec.root_seed, progress=lambda: bar.update(1))
    bar.close()
    kept = chain[spec.burn :]
    tau = post_mod.autocorr_steps(kept)
    info = {
        "sampler": "emcee ensemble (stretch move)",
        "walkers": spec.walkers,
        "steps": spec.steps,
        "burn": spec.burn,
        "samples": int(kept.shape[0] * kept.shape[1]),
        "acceptance": round(accept, 3),
        "autocorr_steps": [round(float(t), 2) for t in tau],
        "log_prob": logp[spec.burn :].reshape(-1),
        "step": np.repeat(np.arange(spec.burn, spec.steps), spec.walkers),
        "walker": np.tile(np.arange(spec.walkers), spec.steps - spec.burn),
    }
    return kept.reshape(-1, kept.shape[-1]), info


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


def params_table(fit: Fit, sample: np.ndarray, u_best: np.ndarray) -> pd.DataFrame:
    """Per parameter: posterior mean (the estimate), sd and 95 % interval of the samples, and the search's best."""
    post = post_mod.summary(sample)
    rows = []
    for i, p in enumerate(fit.spec.params):
        vals = np.array([p.value(x) for x in sample[:, i]])
        lo, hi = np.percentile(vals, [2.5, 97.5])
        rows.append(
            {
                "param": p.name,
                "keys": ",".join(p.keys),
                "scale": p.scale,
                "estimate": float(vals.mean()),
                "sd": float(vals.std(ddof=1)),
                "ci_low": float(lo),
                "ci_high": float(hi),
                "best": p.value(float(u_best[i])),
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
    """Whether a folder's plan is this fit's; trials and steps may grow, burn may change."""

    def core(plan: dict) -> dict:
        plan = json.loads(json.dumps(plan))
        for key in ("trials", "steps", "burn"):  # more search or sampling replays, then goes on
            plan["spec"].pop(key, None)
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
    points, values, n_trials = optimise(fit)
    best_value = float(values.min())
    u_best = points[int(np.argmin(values))]
    if not run["quiet"]:
        print(f"best distance {best_value:.2f} after {n_trials} trials; sampling the posterior", file=sys.stderr)
    sample, mcmc = posterior(fit, points, values)
    names = [p.name for p in spec.params]
    params = params_table(fit, sample, u_best)
    post = post_mod.summary(sample)
    u_est = np.array([p.unit(v) for p, v in zip(spec.params, params["estimate"], strict=True)])
    comp = comparison(fit, u_est)
    warns = post_mod.warnings_for(names, post)
    # posterior samples in a seeded random order, so a sweep's first draws spread over the whole chain
    order = np.random.default_rng(spec.root_seed).permutation(len(sample))
    draws = pd.DataFrame({"draw": np.arange(len(sample)), "step": mcmc["step"][order], "walker": mcmc["walker"][order]})
    for i, p in enumerate(spec.params):
        draws[p.name] = [p.value(x) for x in sample[order, i]]
    draws["log_prob"] = mcmc["log_prob"][order]
    # per draw, the config overrides that put the model there (sweeps draw from these)
    draws["overrides"] = [json.dumps(spec.overrides(x, the_plan["base_values"])) for x in sample[order]]
    for name, df in (("params", params), ("comparison", comp), ("posterior", draws)):
        atomic_parquet(df, folder / f"{name}.parquet")
        df.to_csv(folder / f"{name}.csv", index=False)
    text = preset_text(fit, u_est)
    _atomic_text(folder / "scenario.yaml", text)
    _atomic_text(preset, text)
    from sim.fit.plot import plot_comparison, plot_posterior

    plot_comparison(comp, folder / "targets.png")
    plot_posterior(draws[names], params, folder / "posterior.png")
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
        "posterior": {k: v for k, v in mcmc.items() if k not in ("log_prob", "step", "walker")},
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
    print(
        f"posterior: {mcmc['samples']} samples from {spec.walkers} walkers x {spec.steps - spec.burn} steps "
        f"(acceptance {mcmc['acceptance']:.2f}, autocorrelation up to {max(mcmc['autocorr_steps']):.1f} steps)"
    )
    print(f"  {'parameter':<28} {'posterior mean':>14} {'95 % interval':>26}")
    for r in params.itertuples():
        print(f"  {r.param:<28} {r.estimate:>14.4g}   [{r.ci_low:>10.4g}, {r.ci_high:>10.4g}]")
    print(f"targets within sampling error: {int(comp['agrees'].sum())} of {len(comp)}")
    for w in warns:
        print(f"warning: {w}")
    shown = os.path.relpath(preset) if preset.is_relative_to(Path.cwd()) else preset
    print(f"fit folder: {folder}\npreset: scenarios={run['name']} ({shown})")
    return 0
