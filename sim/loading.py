"""Compose and validate configs: Hydra overrides in, a checked FunnelConfig out."""

from __future__ import annotations

import copy
import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError, FunnelConfig, register, schema_fields, suggest
from sim.config_check import allowed_text, validate

ROOT = Path(__file__).resolve().parents[1]
# A checkout keeps conf/ and scenarios/ beside sim/; an installed wheel carries them inside it.
_DATA = Path(__file__).resolve().parent if (Path(__file__).resolve().parent / "conf").is_dir() else ROOT
CONF_DIR = _DATA / "conf"
SCENARIO_DIR = _DATA / "scenarios"
# Hydra config groups a user may choose from (GROUP=NAME) and their folders; every other override
# must be a schema key.
GROUPS = {"scenarios": SCENARIO_DIR, "decay": CONF_DIR / "decay"}
GROUP_WHAT = {"scenarios": "scenario preset", "decay": "decay preset"}


def search_path_override() -> str:
    """The override that lets Hydra find the `scenarios` group beside conf/."""
    return f"hydra.searchpath=[file://{SCENARIO_DIR.parent}]"


def group_names(group: str) -> list[str]:
    return sorted(p.stem for p in GROUPS[group].glob("*.yaml"))


def scenario_names() -> list[str]:
    return group_names("scenarios")


def check_overrides(overrides, extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Refuse, before Hydra composes anything, overrides of unknown keys (also with + or ++), removals,
    package and Hydra settings, and unknown presets; returns {key: value text}.  `extra` adds names to
    the "did you mean" suggestions (a sweep's own settings)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    values = {}
    for text in overrides:
        try:
            (o,) = OverridesParser.create().parse_overrides([text])
        except Exception as err:  # Hydra's grammar errors
            raise ConfigError(f"cannot read the override {text!r}: {str(err).strip().splitlines()[0]}") from err
        key, value = o.key_or_group, text.split("=", 1)[1] if "=" in text else ""
        if o.is_delete():
            raise ConfigError(f"{text}: removing a key is not allowed; set it to a value instead")
        if o.package is not None or key == "hydra" or key.startswith(("hydra.", "hydra/")):
            raise ConfigError(f"{text}: Hydra settings and packages are not config keys; see funnelsim keys")
        if o.is_sweep_override():
            raise ConfigError(f"{text}: a list of values sweeps a lever, which only funnelsim sweep does")
        if key == "scenario":
            raise ConfigError(
                f"scenario={value} is not set directly: it records the preset that was simulated; "
                f"choose a preset with scenarios=NAME (did you mean scenarios={value}?)"
            )
        if key in GROUPS:
            names = group_names(key)
            if value not in names:
                raise ConfigError(
                    f"{key}={value!r} is not a {GROUP_WHAT[key]}; choose one of {', '.join(names)}"
                    + suggest(value, names)
                )
        else:
            check_key(key, extra)
        values[key] = value
    return values


def check_key(key: str, extra: tuple[str, ...] = ()) -> None:
    """Refuse a key that is neither a config key, a section of them, nor the preset selector."""
    keys = schema_fields()
    sections = {k.rsplit(".", i)[0] for k in keys for i in range(1, k.count(".") + 1)}
    if key not in ({*keys, *sections, *GROUPS} - {"scenario"}):
        raise ConfigError(
            f"{key} is not a config key{suggest(key, [*keys, *GROUPS, *extra])}; funnelsim keys lists every key"
        )


def _field_message(err: Exception, values: dict[str, str]) -> str | None:
    """For OmegaConf's type errors on a schema key: the key, the value given and what is allowed."""
    keys = schema_fields()
    while err is not None:
        key = getattr(err, "full_key", None)
        if key in keys:
            typ, meta = keys[key]
            value = values.get(key, getattr(err, "value", "?"))
            return f"{key}={value} is not allowed; allowed: {allowed_text(meta, typ)}"
        err = err.__cause__ or err.__context__
    return None


def _message(err: Exception) -> str:
    text = str(err).strip()
    cause = err.__cause__ or err.__context__
    if cause is not None and str(cause).strip() and str(cause).strip() not in text:
        text = f"{text}\n{str(cause).strip()}"
    if "scenarios" in text and "Could not find" in text:
        text += f"\nknown scenarios: {', '.join(scenario_names())}"
    return text


def _hydra_compose(overrides: list[str] | tuple[str, ...], values: dict[str, str]):
    """Hydra's composition of conf/config.yaml with these (checked) overrides; errors become ConfigError."""
    register()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            return compose(config_name="config", overrides=[*overrides, search_path_override()])
    except (OmegaConfBaseException, ValueError, KeyError, TypeError) as err:
        raise ConfigError(_field_message(err, values) or _message(err)) from err
    except Exception as err:  # Hydra's own composition and override errors
        if type(err).__module__.startswith(("hydra", "omegaconf")):
            raise ConfigError(_field_message(err, values) or _message(err)) from err
        raise
    finally:
        GlobalHydra.instance().clear()


# Composed configs by (config files' stamps, preset choices): Hydra composes each set of presets once
# (kept in this process and on disk for the next ones) and plain `key=value` overrides are set on a copy,
# as Hydra itself sets them after composing.
_COMPOSED: dict = {}
_COMPOSED_MAX = 32
CACHE_ENV = "FUNNELSIM_CONFIG_CACHE"  # the folder of composed presets kept between processes; "off": none


def _files_stamp() -> tuple:
    """Names, sizes and change times of every config and preset file: an edit composes afresh."""
    out = []
    for folder in (CONF_DIR, SCENARIO_DIR):
        for p in sorted(folder.rglob("*.yaml")):
            st = p.stat()
            out.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(out)


def _cache_folder() -> Path | None:
    where = os.environ.get(CACHE_ENV, "")
    if where.strip().lower() == "off":
        return None
    if where:
        return Path(where)
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "funnelsim" / "configs"


@functools.cache
def _code_stamp() -> str:
    """The schema (its code and its defaults, some of which come from the rule registry), this composer's
    code, Hydra's, OmegaConf's and Python's versions."""
    import hydra
    import omegaconf

    from sim import config, config_check

    h = hashlib.sha256(f"{hydra.__version__} {omegaconf.__version__} {sys.version}".encode())
    h.update(repr(config.FunnelConfig()).encode())
    for f in (Path(config.__file__), Path(config_check.__file__), Path(__file__)):
        h.update(f.read_bytes())
    return h.hexdigest()


def _cache_file(key: tuple) -> Path | None:
    folder = _cache_folder()
    if folder is None:
        return None
    return folder / f"{hashlib.sha256(repr((key, _code_stamp())).encode()).hexdigest()[:32]}.pickle"


def _composed_presets(presets: list[str], values: dict[str, str]):
    """Hydra's composition of these preset choices: from this process, from disk, or composed now."""
    key = (_files_stamp(), tuple(presets))
    base = _COMPOSED.get(key)
    if base is not None:
        return base
    path = _cache_file(key)
    try:
        base = pickle.loads(path.read_bytes()) if path is not None and path.is_file() else None
    except Exception:  # an unreadable or foreign file: compose instead
        base = None
    if not OmegaConf.is_config(base):
        base = _hydra_compose(presets, values)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                tmp.write_bytes(pickle.dumps(base))
                os.replace(tmp, path)
            except OSError:
                pass  # a read-only cache folder: compose in each process
    while len(_COMPOSED) >= _COMPOSED_MAX:
        _COMPOSED.pop(next(iter(_COMPOSED)))
    _COMPOSED[key] = base
    return base


def _split(overrides) -> tuple[list[str], list] | None:
    """(preset choices, [(key, value)] of plain leaf overrides in order), or None if any override is of
    another kind (+key, sections, ...), whose order with the others only Hydra keeps right."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser, keys = OverridesParser.create(), schema_fields()
    presets, values = [], []
    for text in overrides:
        (o,) = parser.parse_overrides([text])
        if o.package is not None or o.is_delete() or o.is_add() or o.is_force_add() or o.is_sweep_override():
            return None
        if o.key_or_group in GROUPS:
            presets.append(text)
        elif o.key_or_group in keys:
            values.append((o.key_or_group, o.value()))
        else:
            return None
    return presets, values


def compose_config(overrides: list[str] | tuple[str, ...] = ()):
    """The composed DictConfig (Hydra's view) for these overrides; errors become ConfigError.  Equal to
    Hydra's composition of all of them: presets are composed once (kept in the process and on disk), plain
    values set on a copy."""
    values = check_overrides(overrides)
    parts = _split(overrides)
    if parts is None:
        return _hydra_compose(overrides, values)
    presets, plain = parts
    try:
        base = _composed_presets(presets, values)
    except ConfigError:
        return _hydra_compose(overrides, values)  # the error as Hydra gives it for the whole list
    cfg = copy.deepcopy(base)
    try:
        for k, v in plain:
            OmegaConf.update(cfg, k, v, merge=True)
    except Exception:  # a value the schema refuses: Hydra composes and reports it
        return _hydra_compose(overrides, values)
    return cfg


def to_config(cfg) -> FunnelConfig:
    """A validated FunnelConfig from a DictConfig (as a Hydra job receives it)."""
    if isinstance(cfg, FunnelConfig):
        return validate(cfg)
    if not OmegaConf.is_config(cfg):
        raise ConfigError(f"expected a config from load_config, got {type(cfg).__name__} {cfg!r:.60}")
    try:
        obj = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as err:
        raise ConfigError(_message(err)) from err
    return validate(obj)


def load_config(overrides: list[str] | tuple[str, ...] = (), scenario: str | None = None) -> FunnelConfig:
    """Compose `conf/config.yaml` with Hydra overrides (and a named scenario) and validate it.

    >>> cfg = load_config(["sim.days=365"])
    """
    if isinstance(overrides, str):
        raise ConfigError(f"overrides={overrides!r}: give a list of KEY=VALUE strings")
    overrides = list(overrides)
    bad = [o for o in overrides if not isinstance(o, str)]
    if bad:
        raise ConfigError(f"overrides: {bad[0]!r} is not a KEY=VALUE string")
    if scenario is not None:
        overrides.insert(0, f"scenarios={scenario}")
    return to_config(compose_config(overrides))
