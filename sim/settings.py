"""Parsing the KEY=VALUE settings of the analysis commands (attribution, experiment)."""

from __future__ import annotations

from sim.config import ConfigError


def whole_number(key: str, v: str, lo: int, hi: int) -> int:
    """`v` as a whole number in [lo, hi], or a ConfigError naming the setting and the allowed range."""
    try:
        x = int(v)
    except ValueError:
        raise ConfigError(f"{key}={v!r} is not a whole number; allowed: {lo} to {hi}") from None
    if not lo <= x <= hi:
        raise ConfigError(f"{key}={x} is out of range; allowed: a whole number from {lo} to {hi}")
    return x
