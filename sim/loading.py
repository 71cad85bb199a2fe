"""Compose and validate configs: Hydra overrides in, a checked FunnelConfig out."""

from __future__ import annotations

from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError, FunnelConfig, register, validate

ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = ROOT / "conf"
SCENARIO_DIR = ROOT / "scenarios"


def search_path_override() -> str:
    """The override that lets Hydra find the `scenarios` group at the project root."""
    return f"hydra.searchpath=[file://{ROOT}]"


def scenario_names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def _message(err: Exception) -> str:
    text = str(err).strip()
    cause = err.__cause__ or err.__context__
    if cause is not None and str(cause).strip() and str(cause).strip() not in text:
        text = f"{text}\n{str(cause).strip()}"
    if "scenarios" in text and "Could not find" in text:
        text += f"\nknown scenarios: {', '.join(scenario_names())}"
    return text


def compose_config(overrides: list[str] | tuple[str, ...] = ()):
    """The composed DictConfig (Hydra's view) for these overrides; errors become ConfigError."""
    register()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            return compose(config_name="config", overrides=[*overrides, search_path_override()])
    except (OmegaConfBaseException, ValueError, KeyError, TypeError) as err:
        raise ConfigError(_message(err)) from err
    except Exception as err:  # Hydra's own composition and override errors
        if type(err).__module__.startswith(("hydra", "omegaconf")):
            raise ConfigError(_message(err)) from err
        raise
    finally:
        GlobalHydra.instance().clear()


def to_config(cfg) -> FunnelConfig:
    """A validated FunnelConfig from a DictConfig (as a Hydra job receives it)."""
    if isinstance(cfg, FunnelConfig):
        return validate(cfg)
    try:
        obj = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as err:
        raise ConfigError(_message(err)) from err
    return validate(obj)


def load_config(overrides: list[str] | tuple[str, ...] = (), scenario: str | None = None) -> FunnelConfig:
    """Compose `conf/config.yaml` with Hydra overrides (and a named scenario) and validate it.

    >>> cfg = load_config(["sim.days=365"])
    """
    overrides = list(overrides)
    if scenario is not None:
        overrides.insert(0, f"scenarios={scenario}")
    return to_config(compose_config(overrides))
