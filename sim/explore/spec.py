"""Explore settings: conf/explore/<method>.yaml merged with the command line, checked before any run."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from sim.config import ConfigError, check_name, suggest
from sim.explore.sampling import Factor, corners, parse_factor
from sim.loading import CONF_DIR
from sim.sweep.spec import REPLICATIONS_MAX, SEED_MAX, sweep_owned

EXPLORE_DIR = CONF_DIR / "explore"
METHODS = ("morris", "sobol", "optimize", "robust", "discover")
COMMON = ("method", "name", "root_seed", "replications", "base", "factors", "outcomes")
FIELDS = {
    "morris": ("trajectories", "levels", "bootstrap", "conf_level"),
    "sobol": ("samples", "bootstrap", "conf_level"),
    "optimize": ("objectives", "constraints", "trials", "batch", "sampler", "confirm_top", "confirm_replications"),
    "robust": ("policies", "futures", "outcome", "direction", "satisficing"),
    "discover": ("policy", "futures", "condition", "threshold", "peel_alpha"),
}
RUN_SETTINGS = ("dir", "launcher", "workers", "address", "quiet")
OPS = (">=", "<=", ">", "<")
CONDITION = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*(>=|<=|>|<)\s*(\S+)\s*$")
DERIVED = ("cost.total", "opportunities", "cost_per_opportunity")


def method_file(method: str) -> Path:
    if method not in METHODS:
        raise ConfigError(
            f"method={method!r} is not allowed; choose one of {', '.join(METHODS)}{suggest(method, METHODS)}"
        )
    return EXPLORE_DIR / f"{method}.yaml"


def _whole(key: str, v, lo: int, hi: int) -> int:
    if isinstance(v, str) and re.fullmatch(r"[+-]?[0-9]+", v.strip()):
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ConfigError(f"{key}={v!r} is not allowed; allowed: a whole number in [{lo}, {hi}]")
    return v


def _fraction(key: str, v, lo: float = 0.0, hi: float = 1.0) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        x = float("nan")
    if isinstance(v, bool) or not lo < x < hi:
        raise ConfigError(f"{key}={v!r} is not allowed; allowed: a number in ({lo:g}, {hi:g})")
    return x


def parse_condition(where: str, raw) -> dict:
    """A condition on an outcome: 'METRIC OP VALUE' or {metric, op, value}; VALUE may be 'baseline' (discover)."""
    if isinstance(raw, str):
        m = CONDITION.match(raw)
        if not m:
            raise ConfigError(f"{where}={raw!r}: write METRIC OP VALUE, e.g. 'touched_within.1h >= 0.9' (op: {OPS})")
        raw = {"metric": m[1], "op": m[2], "value": yaml.safe_load(m[3])}
    if not isinstance(raw, dict) or set(raw) != {"metric", "op", "value"}:
        raise ConfigError(f"{where}={raw!r}: give {{metric, op, value}} or 'METRIC OP VALUE'")
    if raw["op"] not in OPS:
        raise ConfigError(f"{where}: op {raw['op']!r} is not allowed; allowed: {', '.join(OPS)}")
    v = raw["value"]
    if v != "baseline" and (isinstance(v, bool) or not isinstance(v, (int, float))):
        raise ConfigError(f"{where}: value {v!r} is not a number")
    return {"metric": str(raw["metric"]), "op": raw["op"], "value": v}


def holds(values, op: str, threshold: float):
    """Whether values meet `op threshold` (element-wise for arrays)."""
    return {">=": values >= threshold, "<=": values <= threshold, ">": values > threshold, "<": values < threshold}[op]


def load_settings(method: str, args: list[str]) -> tuple[dict, dict]:
    """The method's settings (file, then command line) and the run settings; raises ConfigError."""
    path = method_file(method)
    try:
        spec = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path.name} is not valid YAML: {str(err).strip()}") from err
    allowed = (*COMMON, *FIELDS[method])
    run = {"dir": "results/explore", "launcher": "joblib", "workers": None, "address": None, "quiet": False}
    base, seen = [], set()
    for arg in args:
        if "=" not in arg:
            raise ConfigError(f"explore argument {arg!r} is not KEY=VALUE; see funnelsim explore --help")
        key, text = arg.split("=", 1)
        if key in seen and key != "factor":
            raise ConfigError(f"explore setting {key}= is given twice; give it once")
        seen.add(key)
        if key == "method":
            continue
        if key == "factor":
            parts = text.split(":")
            if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] not in ("log", "int")):
                raise ConfigError(f"factor={text!r}: give KEY:LOW:HIGH, KEY:LOW:HIGH:log or KEY:LOW:HIGH:int")
            raw = {"low": yaml.safe_load(parts[1]), "high": yaml.safe_load(parts[2])}
            if len(parts) == 4:
                raw[parts[3]] = True
            spec.setdefault("factors", {})
            spec["factors"] = {**(spec["factors"] or {}), parts[0]: raw}
        elif key in RUN_SETTINGS:
            run[key] = text
        elif key in allowed:
            spec[key] = yaml.safe_load(text)
        elif key.startswith("factors.") or key in {f for fs in FIELDS.values() for f in fs}:
            raise ConfigError(f"{key}= is not a setting of method={method}; its settings: {', '.join(allowed[1:])}")
        else:
            from sim.loading import check_key

            check_key(key.lstrip("+"), extra=(*allowed, *RUN_SETTINGS, "factor"))
            base.append(arg)
    unknown = [k for k in spec if k not in allowed]
    if unknown:
        raise ConfigError(
            f"{path.name}: unknown setting {unknown[0]!r}{suggest(unknown[0], allowed)}; allowed {allowed}"
        )
    spec["method"] = method
    spec["base"] = [*(spec.get("base") or []), *base]
    return check(spec), check_run(run)


def check_run(run: dict) -> dict:
    from sim.sweep.cli import ADDRESS, LAUNCHERS, WORKERS_MAX

    if run["launcher"] not in LAUNCHERS:
        raise ConfigError(f"launcher={run['launcher']!r} is not allowed; choose one of {', '.join(LAUNCHERS)}")
    if run["launcher"] == "ray":
        if not run["address"] or not ADDRESS.fullmatch(run["address"]):
            raise ConfigError("launcher=ray needs address=HOST:PORT of a running Ray cluster")
        run["workers"] = None
    elif run["address"]:
        raise ConfigError(f"address= applies only to launcher=ray, not launcher={run['launcher']}")
    else:
        if run["launcher"] == "basic" and run["workers"] not in (None, "1"):
            raise ConfigError(f"workers={run['workers']!r} does not apply to launcher=basic (one job at a time)")
        default = (os.cpu_count() or 1) if run["launcher"] == "joblib" else 1
        run["workers"] = _whole("workers", run["workers"] or default, 1, WORKERS_MAX)
    if str(run["quiet"]).lower() not in ("true", "false"):
        raise ConfigError(f"quiet={run['quiet']!r} is not allowed; allowed: true or false")
    run["quiet"] = str(run["quiet"]).lower() == "true"
    if not str(run["dir"]).strip():
        raise ConfigError("dir= is empty; give a folder path")
    return run


def _levers(where: str, raw) -> dict:
    if not isinstance(raw, dict) or not raw or not all(isinstance(k, str) for k in raw):
        raise ConfigError(f"{where} must be a non-empty map {{config key: value}}; got {raw!r}")
    return dict(raw)


def check(spec: dict) -> dict:
    """Types, ranges and sample sizes of an explore spec, and every config it can reach; raises ConfigError."""
    from sim.config import schema_fields
    from sim.explore.running import with_values
    from sim.loading import load_config

    method = spec["method"]
    spec.setdefault("name", method)
    check_name("name", str(spec["name"]))
    spec["root_seed"] = _whole("root_seed", spec.get("root_seed", 2026), 0, SEED_MAX)
    spec["replications"] = _whole("replications", spec.get("replications", 1), 1, REPLICATIONS_MAX)
    if not isinstance(spec["base"], list) or not all(isinstance(b, str) and "=" in b for b in spec["base"]):
        raise ConfigError(f"base must be a list of KEY=VALUE strings; got {spec['base']!r}")
    raw = spec.get("factors") or {}
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"method={method} needs factors: a map {{config key: [low, high]}}; got {raw!r}")
    keys = schema_fields()
    for k in raw:
        if k not in keys:
            raise ConfigError(f"factors: {k} is not a config key{suggest(k, list(keys))}; funnelsim keys lists them")
        if sweep_owned(k):
            raise ConfigError(f"factors: {k} is set by explore itself (seeds, threads, output); leave it out")
    factors = [parse_factor(k, v) for k, v in raw.items()]
    outcomes = spec.get("outcomes") or ["revenue"]
    if not isinstance(outcomes, list) or not all(isinstance(o, str) for o in outcomes):
        raise ConfigError(f"outcomes must be a list of metric names; got {outcomes!r}")
    spec["outcomes"] = outcomes
    d = len(factors)
    if method == "morris":
        spec["trajectories"] = _whole("trajectories", spec.get("trajectories", 10), 2, 10000)
        spec["levels"] = _whole("levels", spec.get("levels", 4), 2, 100)
        if spec["levels"] % 2:
            raise ConfigError(f"levels={spec['levels']} is not allowed; Morris needs an even number of levels")
    elif method == "sobol":
        n = _whole("samples", spec.get("samples", 64), 8, 2**20)
        if n & (n - 1):
            raise ConfigError(f"samples={n} is not allowed; Saltelli sampling needs a power of two (e.g. 64, 128)")
        spec["samples"] = n
    if method in ("morris", "sobol"):
        if d < 2:
            raise ConfigError(f"method={method} needs at least two factors; got {d}")
        spec["bootstrap"] = _whole("bootstrap", spec.get("bootstrap", 100), 10, 100000)
        spec["conf_level"] = _fraction("conf_level", spec.get("conf_level", 0.95))
    if method == "optimize":
        obj = spec.get("objectives") or []
        if not isinstance(obj, list) or not obj:
            raise ConfigError("optimize needs objectives: a list of {metric, direction: maximize|minimize}")
        for o in obj:
            if (
                not isinstance(o, dict)
                or set(o) != {"metric", "direction"}
                or o["direction"]
                not in (
                    "maximize",
                    "minimize",
                )
            ):
                raise ConfigError(f"objectives: {o!r}; give {{metric: NAME, direction: maximize|minimize}}")
        spec["constraints"] = [parse_condition("constraints", c) for c in spec.get("constraints") or []]
        if any(c["value"] == "baseline" for c in spec["constraints"]):
            raise ConfigError("constraints: give a number, not 'baseline'")
        spec["trials"] = _whole("trials", spec.get("trials", 40), 2, 100000)
        spec["batch"] = _whole("batch", spec.get("batch", 8), 1, 1000)
        if spec.get("sampler", "tpe") not in ("tpe", "nsga2", "random"):
            raise ConfigError(f"sampler={spec.get('sampler')!r} is not allowed; choose tpe, nsga2 or random")
        spec["sampler"] = spec.get("sampler", "tpe")
        spec["confirm_top"] = _whole("confirm_top", spec.get("confirm_top", 3), 0, 100)
        spec["confirm_replications"] = _whole("confirm_replications", spec.get("confirm_replications", 10), 1, 10000)
        spec["outcomes"] = list(
            dict.fromkeys([*(o["metric"] for o in obj), *(c["metric"] for c in spec["constraints"]), *outcomes])
        )
    if method in ("robust", "discover"):
        spec["futures"] = _whole("futures", spec.get("futures", 50), 10, 100000)
    if method == "robust":
        pol = spec.get("policies") or {}
        if not isinstance(pol, dict) or len(pol) < 2:
            raise ConfigError("robust needs policies: at least two named {config key: value} maps to compare")
        spec["policies"] = {str(n): _levers(f"policies.{n}", p) for n, p in pol.items()}
        for n, p in spec["policies"].items():
            check_name(f"policies.{n}", n)
            clash = set(p) & set(raw)
            if clash:
                raise ConfigError(f"policies.{n} sets {sorted(clash)[0]}, which is also an uncertainty (factors)")
        spec.setdefault("outcome", "revenue")
        if spec.get("direction", "maximize") not in ("maximize", "minimize"):
            raise ConfigError(f"direction={spec.get('direction')!r} is not allowed; choose maximize or minimize")
        spec["direction"] = spec.get("direction", "maximize")
        spec["satisficing"] = [parse_condition("satisficing", c) for c in spec.get("satisficing") or []]
        spec["outcomes"] = list(
            dict.fromkeys([spec["outcome"], *(c["metric"] for c in spec["satisficing"]), *outcomes])
        )
    if method == "discover":
        spec["policy"] = _levers("policy", spec.get("policy") or {"policy.sla_minutes": 60})
        spec["condition"] = parse_condition("condition", spec.get("condition", "revenue < baseline"))
        spec["threshold"] = _fraction("threshold", spec.get("threshold", 0.8))
        spec["peel_alpha"] = _fraction("peel_alpha", spec.get("peel_alpha", 0.05), 0.0, 0.5)
        clash = set(spec["policy"]) & set(raw)
        if clash:
            raise ConfigError(f"policy sets {sorted(clash)[0]}, which is also an uncertainty (factors)")
        spec["outcomes"] = list(dict.fromkeys([spec["condition"]["metric"], *outcomes]))
    # every reachable config is valid: the corners of the ranges, every choice, every policy
    base_cfg = load_config([*spec["base"], "sim.threads=1"])
    known = sorted({*summary_metrics(base_cfg), *DERIVED})
    for o in spec["outcomes"]:
        if o not in known:
            raise ConfigError(
                f"outcome {o!r} is not a summary metric{suggest(o, known)}; e.g. revenue, "
                f"touched_within.1h, selling_time_share, {', '.join(DERIVED)}"
            )
    policies = list((spec.get("policies") or {}).values()) or [spec.get("policy") or {}]
    for pol in policies:
        if pol:
            load_config([*spec["base"], *(f"{k}={v}" for k, v in pol.items())])
        for row in corners(factors):
            try:
                with_values(base_cfg, {**pol, **row})
            except ConfigError as err:
                raise ConfigError(f"factors: the sampled values {row} are not allowed: {err}") from err
    spec["factors"] = {f.key: f.as_dict() for f in factors}
    return spec


def factor_list(spec: dict) -> list[Factor]:
    out = []
    for k, d in spec["factors"].items():
        if "choices" in d:
            out.append(Factor(k, choices=tuple(d["choices"])))
        else:
            out.append(Factor(k, d["low"], d["high"], d["log"], d["integer"]))
    return out


def summary_metrics(base_cfg) -> set[str]:
    """The numeric metrics a run's flattened summary holds (from a two-day run of the base config)."""
    from sim.explore.running import with_values
    from sim.run import simulate
    from sim.sweep.job import flatten

    s = flatten(simulate(with_values(base_cfg, {"sim.days": 2})).summary)
    return {k for k, v in s.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
