"""Factors (levers and uncertainties with ranges) and the samples drawn over them.

Every method samples the unit cube, one column per factor, and maps each column to the
factor's values: linear or logarithmic ranges, whole numbers, or a list of choices.  SALib's
samplers and analysers then work on the unit cube, so one code path serves the model and any
plain Python function (tested on the Ishigami function).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config import ConfigError


@dataclass(frozen=True)
class Factor:
    """One lever or uncertainty: a config key and its range (low..high, optionally log or whole) or choices."""

    key: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False
    choices: tuple | None = None

    def value(self, u: float):
        """The factor's value at unit-cube coordinate u in [0, 1]."""
        u = min(max(float(u), 0.0), 1.0)
        if self.choices is not None:
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        if self.integer:
            return int(min(math.floor(self.low + u * (self.high - self.low + 1)), self.high))
        if self.log:
            return float(math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low))))
        return float(self.low + u * (self.high - self.low))

    def describe(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(str(c) for c in self.choices)
        kind = " (whole)" if self.integer else " (log)" if self.log else ""
        return f"{self.low:g} .. {self.high:g}{kind}"

    def as_dict(self) -> dict:
        if self.choices is not None:
            return {"key": self.key, "choices": list(self.choices)}
        return {"key": self.key, "low": self.low, "high": self.high, "log": self.log, "integer": self.integer}


def _number(where: str, v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ConfigError(f"{where}: {v!r} is not a finite number")
    return float(v)


def parse_factor(key: str, raw, where: str = "factors") -> Factor:
    """A factor from its YAML form: [low, high], {low, high, log, int} or {choices: [...]}."""
    at = f"{where}.{key}"
    if isinstance(raw, list):
        raw = {"low": raw[0], "high": raw[1]} if len(raw) == 2 else {"bad": raw}
    if not isinstance(raw, dict):
        raise ConfigError(f"{at}={raw!r}: give [low, high], {{low, high, log: true, int: true}} or {{choices: [...]}}")
    unknown = sorted(set(raw) - {"low", "high", "log", "int", "choices"})
    if unknown:
        raise ConfigError(f"{at}: unknown field {unknown[0]!r}; allowed: low, high, log, int, choices")
    if "choices" in raw:
        ch = raw["choices"]
        if set(raw) != {"choices"}:
            raise ConfigError(f"{at}: choices take no low/high/log/int")
        if not isinstance(ch, list) or len(ch) < 2 or any(isinstance(c, (dict, list)) or c is None for c in ch):
            raise ConfigError(f"{at}: choices must be a list of at least two plain values; got {ch!r}")
        if len(set(map(str, ch))) < len(ch):
            raise ConfigError(f"{at}: choices {ch!r} list a value twice")
        return Factor(key, choices=tuple(ch))
    if "low" not in raw or "high" not in raw:
        raise ConfigError(f"{at}: give both low and high (an empty range explores nothing)")
    low, high = _number(f"{at}.low", raw["low"]), _number(f"{at}.high", raw["high"])
    if not low < high:
        raise ConfigError(f"{at}: the range {low:g} .. {high:g} is empty; allowed: low < high")
    log, integer = raw.get("log", False), raw.get("int", False)
    if not isinstance(log, bool) or not isinstance(integer, bool):
        raise ConfigError(f"{at}: log and int are true or false")
    if log and low <= 0:
        raise ConfigError(f"{at}: a log range needs low > 0; got {low:g}")
    if integer and (low != int(low) or high != int(high)):
        raise ConfigError(f"{at}: a whole-number range needs whole bounds; got {low:g} .. {high:g}")
    return Factor(key, low, high, log and not integer, integer)


def problem(factors: list[Factor]) -> dict:
    """SALib's problem: every factor on the unit interval (values come from Factor.value)."""
    return {"num_vars": len(factors), "names": [f.key for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}


def to_values(factors: list[Factor], unit: np.ndarray) -> pd.DataFrame:
    """Unit-cube rows as a table of factor values, one column per factor key."""
    unit = np.atleast_2d(np.asarray(unit, dtype=float))
    return pd.DataFrame({f.key: [f.value(u) for u in unit[:, j]] for j, f in enumerate(factors)})


def latin_hypercube(n: int, d: int, seed: int) -> np.ndarray:
    """n points of a Latin hypercube in [0, 1]^d (scipy's, seeded): one point in each of n strata per column."""
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(n)


def corners(factors: list[Factor]) -> list[dict]:
    """The lowest and highest value of every factor together, and every choice: what a sample can reach."""
    rows = [{f.key: f.value(0.0) for f in factors}, {f.key: f.value(1.0) for f in factors}]
    for f in factors:
        for c in f.choices or ():
            rows.append({**rows[0], f.key: c})
    return rows
