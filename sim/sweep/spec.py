"""Sweep specs: grids, paired levers and explicit scenarios, checked before any job starts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sim.config import ConfigError

SWEEP_DIR = Path(__file__).resolve().parents[2] / "conf" / "sweep"


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
    path = SWEEP_DIR / f"{name}.yaml"
    if not path.exists():
        raise ConfigError(f"sweep={name!r} is not a sweep file; known sweeps: {', '.join(sweep_names())}")
    raw = yaml.safe_load(path.read_text()) or {}
    unknown = set(raw) - set(SweepSpec.__dataclass_fields__)
    if unknown:
        raise ConfigError(
            f"{path.name}: unknown sweep keys {sorted(unknown)}; allowed {list(SweepSpec.__dataclass_fields__)}"
        )
    raw.setdefault("name", name)
    return SweepSpec(**raw)


def _values(kind: str, key: str, values) -> list:
    if not isinstance(values, list):
        raise ConfigError(f"sweep {kind} lever {key}: give a list of values, got {values!r}")
    if not values:
        raise ConfigError(f"sweep {kind} lever {key} has an empty list of values; give at least one")
    return values


def scenario_list(spec: SweepSpec) -> list[dict]:
    """Every scenario as {lever: value}, in sweep order."""
    if spec.replications < 1:
        raise ConfigError(f"sweep replications={spec.replications}; give at least 1")
    if spec.scenarios:
        for s in spec.scenarios:
            if not isinstance(s, dict) or not s:
                raise ConfigError(f"sweep scenarios: each entry is a non-empty {{lever: value}} map; got {s!r}")
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
    return rows


def label(levers: dict) -> str:
    return " · ".join(f"{k.split('.', 1)[-1]}={v}" for k, v in levers.items())


def overrides(levers: dict) -> list[str]:
    def fmt(v):
        return "[" + ",".join(str(x) for x in v) + "]" if isinstance(v, list) else str(v)

    return [f"{k}={fmt(v)}" for k, v in levers.items()]


def baseline_index(spec: SweepSpec, rows: list[dict]) -> int:
    if not spec.baseline:
        return 0
    for i, row in enumerate(rows):
        if all(row.get(k) == v for k, v in spec.baseline.items()):
            return i
    raise ConfigError(f"sweep baseline {spec.baseline} matches no scenario of the sweep")
