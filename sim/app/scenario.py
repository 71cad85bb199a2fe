"""A scenario as the app holds it: a starting preset, run settings, and lever values; as overrides,
as the equivalent `funnelsim run` command line, or saved as a preset (scenarios/NAME.yaml)."""

from __future__ import annotations

import functools
import os
import shlex
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sim.app.levers import LEVER_KEYS, shown
from sim.config import ConfigError, FunnelConfig, check_name, iter_fields
from sim.loading import SCENARIO_DIR, load_config, scenario_names

# Hydra's composition is process-global: the page and the worker take turns.
CONFIG_LOCK = threading.Lock()

# Keys a saved preset leaves out: run settings, not the scenario.
RUN_KEYS = ("sim.", "output.", "scenario")


def config(overrides) -> FunnelConfig:
    with CONFIG_LOCK:
        return load_config(list(overrides))


@dataclass
class Setup:
    """One side of the page: the preset it starts from, run settings (horizon, market) and lever values."""

    preset: str = "default"
    run: dict[str, str] = field(default_factory=dict)
    levers: dict[str, str] = field(default_factory=dict)

    def overrides(self) -> list[str]:
        return [f"scenarios={self.preset}", *(f"{k}={v}" for k, v in {**self.run, **self.levers}.items())]

    def with_lever(self, key: str, value) -> Setup:
        return Setup(self.preset, dict(self.run), {**self.levers, key: shown(value)})


def start(preset: str, run: dict[str, str]) -> Setup:
    """The setup a side opens on: the preset's lever values, filled in from the schema defaults."""
    if preset not in scenario_names():
        raise ConfigError(f"scenario {preset!r} is not a preset; choose one of {', '.join(scenario_names())}")
    cfg = config([f"scenarios={preset}", *(f"{k}={v}" for k, v in run.items())])
    values = {k: v for k, v, _ in iter_fields(cfg)}
    rest = {k: v for k, v in run.items() if k not in LEVER_KEYS}  # a lever given at start is a lever value
    return Setup(preset, rest, {k: shown(values[k]) for k in LEVER_KEYS})


@functools.cache
def _preset_levers(preset: str) -> tuple[tuple[str, str], ...]:
    return tuple(start(preset, {}).levers.items())


def changed(setup: Setup) -> dict[str, str]:
    """Lever values that differ from the preset's own (composed once per preset: pages call this on every render)."""
    base = dict(_preset_levers(setup.preset))
    return {k: v for k, v in setup.levers.items() if base.get(k) != v}


def command_line(setup: Setup) -> str:
    """The `funnelsim run` command that simulates this setup (the same config as the app's run)."""
    parts = ["funnelsim", "run"]
    if setup.preset != "default":
        parts.append(f"scenarios={setup.preset}")
    parts += [f"{k}={v}" for k, v in setup.run.items()]
    parts += [f"{k}={v}" for k, v in changed(setup).items()]
    return shlex.join(parts)


def _nested(flat: dict) -> dict:
    out: dict = {}
    for key, value in flat.items():
        node = out
        *heads, leaf = key.split(".")
        for h in heads:
            node = node.setdefault(h, {})
        node[leaf] = value
    return out


def preset_text(setup: Setup, name: str) -> str:
    """A preset holding every scenario setting that differs from the schema default (run settings left out)."""
    cfg = config(setup.overrides())
    default = {k: v for k, v, _ in iter_fields(FunnelConfig())}
    diff = {
        k: (list(v) if isinstance(v, list) else v)
        for k, v, _ in iter_fields(cfg)
        if not k.startswith(RUN_KEYS) and v != default[k]
    }
    head = (
        "# @package _global_\n"
        f"# Saved from funnelsim app, starting from the {setup.preset!r} preset.\n"
        f"scenario: {name}\n"
    )
    return head + (yaml.safe_dump(_nested(diff), sort_keys=False) if diff else "")


def save_preset(setup: Setup, name: str, folder: Path = SCENARIO_DIR) -> Path:
    """Write folder/NAME.yaml; an existing preset is never overwritten (ConfigError says so)."""
    check_name("preset name", name)
    if name in ("default",):
        raise ConfigError("preset name 'default' is today's scenario; give another name")
    folder = Path(folder)
    path = folder / f"{name}.yaml"
    text = preset_text(setup, name)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        try:
            os.link(tmp, path)  # fails if the preset exists: never overwrite
        except FileExistsError:
            raise ConfigError(f"a preset named {name!r} exists already ({path}); give another name") from None
    finally:
        os.unlink(tmp)
    return path
