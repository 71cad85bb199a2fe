"""Benchmark suites: conf/benchmark/NAME.yaml, a versioned set of documented market cases."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from sim.config import ConfigError, check_name, suggest
from sim.loading import CONF_DIR

SUITE_DIR = CONF_DIR / "benchmark"


@dataclass
class Case:
    name: str
    doc: str
    overrides: list[str]


@dataclass
class Suite:
    name: str
    version: int
    root_seed: int
    replications: int
    base: list[str]
    cases: list[Case]


def suite_names() -> list[str]:
    return sorted(p.stem for p in SUITE_DIR.glob("*.yaml"))


def load_suite(name: str) -> Suite:
    """The suite conf/benchmark/NAME.yaml, its fields checked (each case's config is checked on planning)."""
    check_name("suite", name)
    path = SUITE_DIR / f"{name}.yaml"
    if not path.is_file():
        names = suite_names()
        raise ConfigError(
            f"suite={name!r} is not a benchmark suite; known suites: {', '.join(names)}{suggest(name, names)}"
        )
    raw = yaml.safe_load(path.read_text()) or {}
    need = {"version", "root_seed", "replications", "base", "cases"}
    missing = sorted(need - set(raw))
    if missing:
        raise ConfigError(f"{path.name}: missing {', '.join(missing)}")
    cases = []
    for cname, c in raw["cases"].items():
        check_name(f"{path.name}: case", cname)
        if not isinstance(c, dict) or not c.get("doc") or not isinstance(c.get("overrides"), list):
            raise ConfigError(f"{path.name}: case {cname} needs a doc and a list of overrides")
        cases.append(Case(cname, str(c["doc"]), [str(o) for o in c["overrides"]]))
    return Suite(name, int(raw["version"]), int(raw["root_seed"]), int(raw["replications"]), list(raw["base"]), cases)
