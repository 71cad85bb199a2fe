"""Checks a config against the schema (sim/config.py): each field's type, range, choices, list length or
name, then the rules that span fields.  Every refusal is a `ConfigError` naming the key, the value and
what is allowed."""

from __future__ import annotations

import math
import numbers
from dataclasses import fields, is_dataclass
from typing import Any

from sim.config import CHANNELS, NAME_RULE, ConfigError, FunnelConfig, check_name, suggest, type_hints


def range_text(meta: dict) -> str:
    """The allowed interval of a numeric field, e.g. '(0, 100]'."""
    lo, hi = meta.get("lo"), meta.get("hi")
    left = "(" if meta.get("lo_open") or lo is None else "["
    right = ")" if meta.get("hi_open") or hi is None else "]"
    return f"{left}{'-inf' if lo is None else _bound(lo)}, {'inf' if hi is None else _bound(hi)}{right}"


def _bound(x) -> str:
    return f"{x:g}" if isinstance(x, float) and abs(x) >= 1e5 else str(x)


def allowed_text(meta: dict, typ: Any) -> str:
    """What a field allows, in words: type, range and unit, choices, list length or name rule."""
    unit = f" {meta['unit']}" if meta.get("unit") else ""
    if "choices" in meta:
        return f"one of {', '.join(meta['choices'])}"
    if meta.get("preset"):
        from sim.loading import scenario_names

        return f"one of the presets {', '.join(scenario_names())}"
    if meta.get("name"):
        return f"a name of {NAME_RULE}, or empty"
    if meta.get("path"):
        return "a folder path"
    if typ is bool:
        return "true or false"
    if typ is int:
        return f"a whole number in {range_text(meta)}{unit}"
    if typ is float:
        return f"a finite number in {range_text(meta)}{unit}"
    if "min_len" in meta:
        lo, hi = meta["min_len"], meta["max_len"]
        n = f"{lo}" if lo == hi else f"{lo} to {hi}" if hi else f"at least {lo}"
        return f"a list of {n} finite numbers, each in {range_text(meta)}{unit}"
    return "a value of the right type"


def _refuse(path: str, value: Any, meta: dict, typ: Any, why: str = "is not allowed") -> ConfigError:
    return ConfigError(f"{path}={value!r} {why}; allowed: {allowed_text(meta, typ)}")


def _in_range(value: float, meta: dict) -> bool:
    lo, hi = meta.get("lo"), meta.get("hi")
    if not math.isfinite(value):
        return False
    if lo is not None and (value <= lo if meta.get("lo_open") else value < lo):
        return False
    return not (hi is not None and (value >= hi if meta.get("hi_open") else value > hi))


def _number(path: str, value: Any, meta: dict, typ: Any) -> float | int:
    """A field's number, normalized to int or float; refuses bools, strings, NaN, infinities, fractions."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _refuse(path, value, meta, typ, "is not a number")
    if typ is int:
        if not isinstance(value, numbers.Integral):
            raise _refuse(path, value, meta, typ, "is not a whole number")
        value = int(value)
    else:
        value = float(value)
    if not _in_range(value, meta):
        raise _refuse(path, value, meta, typ, "is out of range")
    return value


def meta_key(meta: dict) -> str:
    from sim import policies

    return policies.KINDS[meta["rule"]].key


def check_value(path: str, value: Any, meta: dict, typ: Any) -> Any:
    """One field's value checked against its type and metadata; returns it normalized (plain int, float, list)."""
    if "rule" in meta:
        from sim.policies import plugins

        try:
            return plugins.resolve(meta["rule"], value)
        except plugins.PluginError as err:
            raise ConfigError(str(err).replace(meta_key(meta), path, 1) + suggest(value, meta["choices"])) from None
    if "choices" in meta:
        if value not in meta["choices"] or not isinstance(value, str):
            raise ConfigError(
                f"{path}={value!r} is not allowed; choose one of {', '.join(meta['choices'])}"
                + suggest(value, meta["choices"])
            )
        return value
    if meta.get("preset"):
        from sim.loading import scenario_names

        names = scenario_names()
        if value not in names:
            raise ConfigError(
                f"{path}={value!r} is not a scenario preset; choose one of {', '.join(names)}" + suggest(value, names)
            )
        return value
    if meta.get("name"):
        check_name(path, value, empty_ok=True)
        return value
    if meta.get("symbol"):
        if not isinstance(value, str) or not 1 <= len(value) <= 4 or not value.isprintable() or value != value.strip():
            raise ConfigError(f"{path}={value!r} is not allowed; give a currency symbol of 1 to 4 printable characters")
        return value
    if meta.get("path"):
        if not isinstance(value, str) or not value.strip() or "\x00" in value or len(value) > 4096:
            raise _refuse(path, value, meta, typ)
        return value
    if typ is bool:
        if not isinstance(value, bool):
            raise _refuse(path, value, meta, typ)
        return value
    if typ in (int, float):
        return _number(path, value, meta, typ)
    if "min_len" in meta:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
            raise _refuse(path, value, meta, typ, "is not a list")
        items = list(value)
        lo, hi = meta["min_len"], meta["max_len"]
        if len(items) < lo or (hi is not None and len(items) > hi):
            raise _refuse(path, items, meta, typ, f"has {len(items)} values")
        return [_number(f"{path}[{k}]", v, meta, float) for k, v in enumerate(items)]
    if typ is str and not isinstance(value, str):
        raise _refuse(path, value, meta, typ)
    return value


def _walk(obj: Any, prefix: str) -> None:
    """Check every field in place (normalizing numbers), recursing into nested sections."""
    hints = type_hints(type(obj))
    for f in fields(obj):
        value = getattr(obj, f.name)
        typ = hints[f.name]
        if is_dataclass(typ):
            if not isinstance(value, typ):
                raise ConfigError(f"{prefix}{f.name}={value!r} is not allowed; it is a section of keys")
            _walk(value, f"{prefix}{f.name}.")
        else:
            setattr(obj, f.name, check_value(f"{prefix}{f.name}", value, f.metadata, typ))


def validate(cfg: FunnelConfig) -> FunnelConfig:
    """Check every field (type, range, list length, name) and every rule that spans fields;
    raise ConfigError on the first breach.  Numbers are normalized to plain int and float."""
    if not isinstance(cfg, FunnelConfig):
        raise ConfigError(f"expected a FunnelConfig (from load_config), got {type(cfg).__name__}")
    _walk(cfg, "")
    segments = ("smb", "mid_market", "enterprise")
    shares = [getattr(cfg.market, s).share for s in segments]
    if abs(sum(shares) - 1.0) > 1e-6:
        terms = " + ".join(f"market.{s}.share={v:g}" for s, v in zip(segments, shares, strict=True))
        raise ConfigError(f"{terms} = {sum(shares):.6g}; the segment shares must sum to 1")
    cad = list(cfg.policy.cadence_minutes)
    if len(cad) < cfg.policy.max_attempts:
        raise ConfigError(
            f"policy.cadence_minutes has {len(cad)} offsets but policy.max_attempts={cfg.policy.max_attempts}; "
            "give one offset per attempt"
        )
    if cad and cad[0] != 0:
        raise ConfigError(f"policy.cadence_minutes[0]={cad[0]!r}; the first attempt has offset 0")
    for k in range(1, len(cad)):
        if not cad[k] > cad[k - 1]:
            raise ConfigError(f"policy.cadence_minutes={cad} is not increasing at position {k}; offsets must increase")
    _check_levers(cfg)
    if cfg.sales.work_start_hour + cfg.sales.hours_per_day > 24:
        raise ConfigError(
            f"sales.work_start_hour + sales.hours_per_day = {cfg.sales.work_start_hour + cfg.sales.hours_per_day}; "
            "a working day must end by 24:00"
        )
    if cfg.sales.admin_share + cfg.sales.max_lead_share > 1:
        raise ConfigError(
            f"sales.admin_share={cfg.sales.admin_share:g} + sales.max_lead_share={cfg.sales.max_lead_share:g} "
            "is above 1; together they must be at most 1"
        )
    touch = cfg.marketing.budget_scale * sum(
        getattr(cfg.marketing, ch).budget_per_day / getattr(cfg.marketing, ch).cost_per_touch for ch in CHANNELS
    )
    contacts = cfg.market.accounts * sum(
        getattr(cfg.market, s).share * getattr(cfg.market, s).group_size for s in ("smb", "mid_market", "enterprise")
    )
    if touch / max(contacts, 1.0) > 0.5:
        raise ConfigError(
            f"marketing budgets buy {touch:.0f} touches a day (marketing.budget_scale x each channel's "
            f"budget_per_day / cost_per_touch) for about {contacts:.0f} contacts (market.accounts x the segments' "
            "share x group_size); at most one touch per contact every two days is allowed: lower "
            "marketing.budget_scale or a budget_per_day, or raise a cost_per_touch or market.accounts"
        )
    from sim.budget import check_budget

    check_budget(cfg)
    return cfg


def _check_levers(cfg: FunnelConfig) -> None:
    """Rules that span levers: combinations that cannot work are refused."""
    po, sa, sf = cfg.policy, cfg.sales, cfg.staffing
    if po.handoff.tier == "sdr" and sa.sdrs < 1:
        raise ConfigError("policy.handoff.tier=sdr needs sales.sdrs >= 1 (SDRs qualify the leads); got sales.sdrs=0")
    if po.handoff.tier == "direct" and sa.sdrs > 0:
        raise ConfigError(
            f"sales.sdrs={sa.sdrs} but policy.handoff.tier=direct; set policy.handoff.tier=sdr or sales.sdrs=0"
        )
    for key, values in (
        ("staffing.hourly_profile", sf.hourly_profile),
        ("staffing.weekday_profile", sf.weekday_profile),
    ):
        if sum(values) <= 0:
            raise ConfigError(f"{key}={values} is all zeros; give at least one rate above 0")
