"""Sweep specs: grids, paired levers and explicit scenarios, checked before any job starts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import yaml

from sim.config import ConfigError, check_name, suggest
from sim.loading import CONF_DIR

SWEEP_DIR = CONF_DIR / "sweep"
SEED_MAX = 2**63 - 1
REPLICATIONS_MAX = 10000


def sweep_owned(key: str) -> bool:
    """Keys a sweep sets itself (seeds per replication, one thread per job) or never uses (run folders)."""
    return key in ("sim.seed", "sim.threads", "scenario", "output") or key.startswith("output.")


@dataclass
class SweepSpec:
    name: str
    root_seed: int = 2026
    replications: int = 5
    base: list[str] = field(default_factory=list)
    grid: dict = field(default_factory=dict)
    paired: dict = field(default_factory=dict)
    scenarios: list[dict] = field(default_factory=list)
    baseline: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def sweep_names() -> list[str]:
    return sorted(p.stem for p in SWEEP_DIR.glob("*.yaml"))


def load_spec(name: str) -> SweepSpec:
    """The sweep file conf/sweep/NAME.yaml as a checked SweepSpec."""
    check_name("sweep", name)
    path = SWEEP_DIR / f"{name}.yaml"
    if not path.is_file():
        names = sweep_names()
        raise ConfigError(f"sweep={name!r} is not a sweep file; known sweeps: {', '.join(names)}{suggest(name, names)}")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ConfigError(f"{path.name} is not valid YAML: {str(err).strip()}") from err
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: a sweep file is a map of sweep keys; got {type(raw).__name__}")
    allowed = list(SweepSpec.__dataclass_fields__)
    unknown = [k for k in raw if k not in allowed]
    if unknown:
        raise ConfigError(
            f"{path.name}: unknown sweep key {unknown[0]!r}{suggest(unknown[0], allowed)}; allowed {allowed}"
        )
    raw.setdefault("name", name)
    spec = SweepSpec(**raw)
    check_spec(spec, where=f"{path.name}: ")
    return spec


def _whole(key: str, value, lo: int, hi: int, where: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(f"{where}{key}={value!r} is not allowed; allowed: a whole number in [{lo}, {hi}]")
    return value


def _lever_keys(where: str, kind: str, levers) -> None:
    if not isinstance(levers, dict):
        raise ConfigError(f"{where}{kind} must be a map {{config key: value}}; got {levers!r}")
    for key in levers:
        if not isinstance(key, str):
            raise ConfigError(f"{where}{kind}: lever {key!r} is not a config key")


def check_spec(spec: SweepSpec, where: str = "") -> None:
    """Types and ranges of a sweep spec's fields (the levers' values are checked by loading each scenario)."""
    check_name(f"{where}name", spec.name)
    _whole(f"{where}root_seed", spec.root_seed, 0, SEED_MAX)
    _whole(f"{where}replications", spec.replications, 1, REPLICATIONS_MAX)
    if not isinstance(spec.base, list) or not all(isinstance(b, str) and "=" in b for b in spec.base):
        raise ConfigError(f"{where}base must be a list of KEY=VALUE strings; got {spec.base!r}")
    _lever_keys(where, "grid", spec.grid)
    _lever_keys(where, "paired", spec.paired)
    _lever_keys(where, "baseline", spec.baseline)
    if not isinstance(spec.scenarios, list):
        raise ConfigError(f"{where}scenarios must be a list of {{config key: value}} maps; got {spec.scenarios!r}")


def _values(kind: str, key: str, values) -> list:
    if not isinstance(values, list):
        raise ConfigError(f"sweep {kind} lever {key}: give a list of values, got {values!r}")
    if not values:
        raise ConfigError(f"sweep {kind} lever {key} has an empty list of values; give at least one")
    for i, v in enumerate(values):
        if isinstance(v, dict) or v is None:
            raise ConfigError(f"sweep {kind} lever {key}: value {v!r} is not allowed; give plain values")
        if kind == "grid" and any(v == w and type(v) is type(w) for w in values[:i]):
            raise ConfigError(f"sweep {kind} lever {key} lists {v!r} twice; give each value once")
    return values


def scenario_list(spec: SweepSpec) -> list[dict]:
    """Every scenario as {lever: value}, in sweep order."""
    if spec.replications < 1:
        raise ConfigError(f"sweep replications={spec.replications}; give at least 1")
    if spec.scenarios:
        for i, s in enumerate(spec.scenarios):
            if not isinstance(s, dict) or not s or not all(isinstance(k, str) for k in s):
                raise ConfigError(f"sweep scenarios: each entry is a non-empty {{lever: value}} map; got {s!r}")
            if s in spec.scenarios[:i]:
                raise ConfigError(f"sweep scenarios: {s!r} is listed twice; give each scenario once")
        return [dict(s) for s in spec.scenarios]
    grid = {k: _values("grid", k, v) for k, v in spec.grid.items()}
    paired = {k: _values("paired", k, v) for k, v in spec.paired.items()}
    lengths = {k: len(v) for k, v in paired.items()}
    if len(set(lengths.values())) > 1:
        raise ConfigError(f"sweep paired levers must have lists of one length; got {lengths}")
    overlap = set(grid) & set(paired)
    if overlap:
        raise ConfigError(f"sweep levers {sorted(overlap)} are both in grid and paired; use one")
    rows = [dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())] or [{}]
    if paired:
        n = next(iter(lengths.values()))
        steps = [{k: v[i] for k, v in paired.items()} for i in range(n)]
        rows = [{**row, **step} for row in rows for step in steps]
    if rows == [{}]:
        raise ConfigError("the sweep has no levers: give grid, paired or scenarios")
    for i, row in enumerate(rows):
        if row in rows[:i]:
            raise ConfigError(f"sweep: the scenario {label(row)} comes twice (paired values repeat); give each once")
    return rows


def label(levers: dict) -> str:
    return " · ".join(f"{k.split('.', 1)[-1]}={v}" for k, v in levers.items())


def overrides(levers: dict) -> list[str]:
    def fmt(v):
        return "[" + ",".join(str(x) for x in v) + "]" if isinstance(v, list) else str(v)

    return [f"{k}={fmt(v)}" for k, v in levers.items()]


def baseline_index(spec: SweepSpec, rows: list[dict], today: dict | None = None) -> int:
    """The baseline scenario: the one `spec.baseline` names, else the one that is today's configuration
    (every lever at its value in the base config, `today`), else the first."""
    if not spec.baseline:
        for i, row in enumerate(rows):
            if today and all(k in today and same_value(today[k], v) for k, v in row.items()):
                return i
        return 0
    for i, row in enumerate(rows):
        if all(row.get(k) == v for k, v in spec.baseline.items()):
            return i
    raise ConfigError(f"sweep baseline {spec.baseline} matches no scenario of the sweep")


def same_value(a, b) -> bool:
    """Config values equal as the config reads them (58 and 58.0 alike; lists element by element)."""
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and list(a) == list(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return float(a) == float(b)
    return str(a) == str(b)
