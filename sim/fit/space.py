"""The fitted parameters as data: config keys, bounds, log scale; mapping unit-cube points to overrides."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from sim.config import ConfigError
from sim.loading import CONF_DIR

FIT_DIR = CONF_DIR / "fit"
SETTINGS = (
    "params",
    "base",
    "warmup_days",
    "sampler",
    "trials",
    "batch",
    "replications",
    "root_seed",
    "weights",
    "walkers",
    "steps",
    "burn",
)
SAMPLERS = ("cmaes", "tpe")
# The groups of targets (sim/fit/targets.py) that `weights` can weigh.
GROUPS = ("volume", "conversion", "response", "response_quantile", "sql_by_response", "outcome", "cycle", "deal")


@dataclass
class Param:
    """One fitted parameter: a config key, or several keys moved by one factor (`scale`)."""

    name: str
    keys: list[str]
    low: float
    high: float
    log: bool = False
    scale: bool = False

    def value(self, u: float) -> float:
        """The parameter at unit-cube coordinate u in [0, 1]."""
        if self.log:
            return float(np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low))))
        return float(self.low + u * (self.high - self.low))

    def unit(self, v: float) -> float:
        if self.log:
            return float((np.log(v) - np.log(self.low)) / (np.log(self.high) - np.log(self.low)))
        return float((v - self.low) / (self.high - self.low))


def fit_names() -> list[str]:
    return sorted(p.stem for p in FIT_DIR.glob("*.yaml"))


def _param(raw: dict, where: str) -> Param:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each entry of params is a map with key (or keys), low, high; got {raw!r}")
    keys = raw.get("keys") or ([raw["key"]] if "key" in raw else [])
    if not keys:
        raise ConfigError(f"{where}: a fitted parameter needs key: CONFIG.KEY (or keys: [...]); got {raw!r}")
    name = raw.get("name", keys[0])
    try:
        low, high = float(raw["low"]), float(raw["high"])
    except (KeyError, TypeError, ValueError) as err:
        raise ConfigError(f"{where}: parameter {name}: give numeric low and high bounds; got {raw!r}") from err
    log, scale = bool(raw.get("log", False)), bool(raw.get("scale", False))
    if not low < high:
        raise ConfigError(f"{where}: parameter {name}: low={low} must be below high={high}")
    if log and low <= 0:
        raise ConfigError(f"{where}: parameter {name}: log: true needs low > 0; got low={low}")
    if len(keys) > 1 and not scale:
        raise ConfigError(f"{where}: parameter {name} moves several keys; set scale: true (one factor for all)")
    return Param(str(name), [str(k) for k in keys], low, high, log, scale)


@dataclass
class FitSpec:
    """What to fit and how: parameters, base overrides, warm-up, sampler and budget."""

    name: str
    params: list[Param]
    base: list[str]
    warmup_days: int = 90
    sampler: str = "cmaes"
    trials: int = 150
    batch: int = 4
    replications: int = 3
    root_seed: int = 2026
    weights: dict | None = None
    walkers: int = 16
    steps: int = 30
    burn: int = 10

    def overrides(self, u: np.ndarray, base_values: dict) -> list[str]:
        """Hydra overrides that put the model at unit-cube point u."""
        out = []
        for p, x in zip(self.params, u, strict=True):
            v = p.value(float(x))
            for k in p.keys:
                out.append(f"{k}={base_values[k] * v if p.scale else v!r}")
        return out

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "params": [p.__dict__ for p in self.params],
            "base": self.base,
            "warmup_days": self.warmup_days,
            "sampler": self.sampler,
            "trials": self.trials,
            "batch": self.batch,
            "replications": self.replications,
            "root_seed": self.root_seed,
            "weights": self.weights or {},
            "walkers": self.walkers,
            "steps": self.steps,
            "burn": self.burn,
        }


def load_fit_spec(name_or_path: str, extra_params: list[dict] = ()) -> FitSpec:
    """A fit file from conf/fit/NAME.yaml or a path, plus parameters named on the command line."""
    path = FIT_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        path = Path(name_or_path)
    if not path.exists():
        raise ConfigError(f"fit={name_or_path!r} is not a fit file; known: {', '.join(fit_names())} (or a YAML path)")
    raw = yaml.safe_load(path.read_text()) or {}
    unknown = set(raw) - set(SETTINGS)
    if unknown:
        raise ConfigError(f"{path.name}: unknown fit keys {sorted(unknown)}; allowed {list(SETTINGS)}")
    params = [_param(p, path.name) for p in raw.get("params", [])]
    for e in extra_params:
        p = _param(e, "command line")
        params = [q for q in params if q.name != p.name] + [p]
    if not params:
        raise ConfigError(f"{path.name}: no parameters to fit; give params")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path.name}: parameter names repeat: {names}")
    sampler = raw.get("sampler", "cmaes")
    if sampler not in SAMPLERS:
        raise ConfigError(f"sampler={sampler!r} is not allowed; choose one of {', '.join(SAMPLERS)}")
    spec = FitSpec(
        name=path.stem,
        params=params,
        base=[str(b) for b in raw.get("base", [])],
        warmup_days=int(raw.get("warmup_days", 90)),
        sampler=sampler,
        trials=int(raw.get("trials", 150)),
        batch=int(raw.get("batch", 4)),
        replications=int(raw.get("replications", 3)),
        root_seed=int(raw.get("root_seed", 2026)),
        weights=dict(raw.get("weights") or {}),
        walkers=int(raw.get("walkers", 16)),
        steps=int(raw.get("steps", 30)),
        burn=int(raw.get("burn", 10)),
    )
    for group, w in spec.weights.items():
        if group not in GROUPS:
            raise ConfigError(f"{path.name}: weights.{group} is not a group of targets; groups are {', '.join(GROUPS)}")
        if not isinstance(w, (int, float)) or w < 0:
            raise ConfigError(f"{path.name}: weights.{group}={w!r}; give a number >= 0")
    for key, lo in (("trials", 1), ("batch", 1), ("replications", 1), ("warmup_days", 0), ("steps", 1), ("burn", 0)):
        if getattr(spec, key) < lo:
            raise ConfigError(f"{key}={getattr(spec, key)} is out of range; allowed >= {lo}")
    check_sampling(spec)
    return spec


def check_sampling(spec: FitSpec) -> None:
    """The posterior sampler's settings against the parameters and the search (command-line changes included)."""
    d = len(spec.params)
    if spec.walkers < 2 * d:
        raise ConfigError(f"walkers={spec.walkers} is too few for {d} parameters; allowed >= {2 * d} (twice as many)")
    if spec.walkers > spec.trials:
        raise ConfigError(f"walkers={spec.walkers} start at the best trials; allowed <= trials={spec.trials}")
    if spec.burn >= spec.steps:
        raise ConfigError(f"burn={spec.burn} leaves no samples; allowed < steps={spec.steps}")
