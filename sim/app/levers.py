"""The app's levers: which config keys it shows, with units and allowed ranges read from the config schema.

A typed value is checked with the same rule as the command line (`sim.config_check.check_value`), so the
message next to a control is the one `funnelsim run` would print.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import ConfigError, schema_fields
from sim.config_check import check_value, range_text

# The levers a workshop moves, in the order the page shows them (issue: SLA target and clock,
# handoff mode and batch interval, routing, MQL threshold, lead definition, reps and SDRs,
# breach action, feedback), plus how reps pick leads up, which decides whether the SLA paces them.
LEVER_KEYS = (
    "policy.sla_minutes",
    "policy.sla_clock",
    "sales.pickup",
    "policy.handoff.mode",
    "policy.handoff.batch_hours",
    "policy.routing",
    "marketing.mql_threshold",
    "policy.lead_definition",
    "sales.reps",
    "policy.handoff.tier",
    "sales.sdrs",
    "policy.breach_action",
    "marketing.feedback",
)

LABELS = {
    "policy.sla_minutes": "SLA target",
    "policy.sla_clock": "SLA clock",
    "sales.pickup": "lead pickup",
    "policy.handoff.mode": "handoff mode",
    "policy.handoff.batch_hours": "batch interval",
    "policy.routing": "routing",
    "marketing.mql_threshold": "MQL threshold",
    "policy.lead_definition": "lead definition",
    "sales.reps": "reps",
    "policy.handoff.tier": "handoff tier",
    "sales.sdrs": "SDRs",
    "policy.breach_action": "breach action",
    "marketing.feedback": "closed-loop feedback",
}


@dataclass(frozen=True)
class Lever:
    """One control: its config key, label, kind (number, whole or choice), unit, range and choices."""

    key: str
    label: str
    kind: str
    unit: str
    allowed: str
    choices: tuple[str, ...]
    doc: str
    typ: type
    meta: dict

    def check(self, text) -> int | float | str:
        """The typed value, parsed and checked against the schema; ConfigError names what is allowed."""
        value = text
        if self.kind != "choice":
            raw = str(text).strip()
            if raw == "":
                raise ConfigError(f"{self.key} is empty; allowed: {self.allowed}")
            try:
                value = int(raw) if self.typ is int else float(raw)
            except ValueError:
                try:
                    value = float(raw)  # a fraction for a whole-number key: check_value says why
                except ValueError:
                    raise ConfigError(f"{self.key}={raw!r} is not a number; allowed: {self.allowed}") from None
        return check_value(self.key, value, self.meta, self.typ)


def lever(key: str) -> Lever:
    """The control for one config key, from the schema's type and metadata."""
    fields = schema_fields()
    if key not in fields:
        raise ConfigError(f"{key!r} is not a config key")
    typ, meta = fields[key]
    unit = meta.get("unit", "")
    if "choices" in meta:
        kind, allowed = "choice", " | ".join(meta["choices"])
    else:
        kind = "whole" if typ is int else "number"
        allowed = f"{'a whole number' if typ is int else 'a number'} in {range_text(meta)}" + (
            f" {unit}" if unit else ""
        )
    return Lever(
        key=key,
        label=LABELS.get(key, key),
        kind=kind,
        unit=unit,
        allowed=allowed,
        choices=tuple(meta.get("choices", ())),
        doc=meta.get("doc", ""),
        typ=typ,
        meta=dict(meta),
    )


def levers() -> list[Lever]:
    return [lever(k) for k in LEVER_KEYS]


def shown(value) -> str:
    """A value as typed into a control: whole floats without '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
