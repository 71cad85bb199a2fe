"""The marketing-vs-reps lever: one daily budget split between marketing programmes and rep headcount.

With `budget.total_per_day` > 0, `budget.marketing_share` of it buys campaign touches (every
channel's `budget_per_day` is scaled so the channels keep their mix) and the rest buys reps at
their loaded cost `sales.cost_per_day` (rounded to whole reps, at least one).  With 0 the budgets
and the team are as configured.
"""

from __future__ import annotations

from sim.config import CHANNELS, ConfigError


def channel_budget(cfg) -> float:
    """Configured daily spend of the channels that are on, before `marketing.budget_scale`."""
    mk = cfg.marketing
    return sum(getattr(mk, ch).budget_per_day for ch in CHANNELS if getattr(mk, ch).enabled)


def budget_split(cfg, scale: float) -> tuple[float, int]:
    """(touch scale, reps): `scale` and `sales.reps` unchanged unless the budget lever is on."""
    b = cfg.budget
    if b.total_per_day <= 0:
        return scale, int(cfg.sales.reps)
    base = channel_budget(cfg)
    if base <= 0 and b.marketing_share > 0:
        raise ConfigError("budget.marketing_share > 0 needs a channel with budget_per_day > 0 to spend it on")
    mkt = b.total_per_day * b.marketing_share
    factor = mkt / base if base > 0 else 0.0
    reps = int(round(b.total_per_day * (1.0 - b.marketing_share) / cfg.sales.cost_per_day))
    if reps < 1:
        raise ConfigError(
            f"budget.total_per_day={b.total_per_day:g} x (1 - budget.marketing_share={b.marketing_share:g}) buys "
            f"no rep at sales.cost_per_day={cfg.sales.cost_per_day:g}; raise the budget or lower the share"
        )
    return scale * factor, reps


def reps_and_spend(cfg) -> dict:
    """What the lever buys: reps and daily marketing spend (for tables and docs)."""
    scale, reps = budget_split(cfg, cfg.marketing.budget_scale)
    return {"reps": reps, "marketing_per_day": channel_budget(cfg) * scale}


def check_budget(cfg) -> None:
    """Refuse a split that buys no rep or more touches than the market holds (at most one per contact every
    two days, as `validate` requires of configured budgets)."""
    if cfg.budget.total_per_day <= 0:
        return
    from sim.params import expected_contacts

    scale, _ = budget_split(cfg, cfg.marketing.budget_scale)
    mk = cfg.marketing
    touches = scale * sum(getattr(mk, ch).budget_per_day / getattr(mk, ch).cost_per_touch for ch in CHANNELS)
    contacts = expected_contacts(cfg)
    if touches / max(contacts, 1.0) > 0.5:
        raise ConfigError(
            f"budget.total_per_day={cfg.budget.total_per_day:g} x budget.marketing_share="
            f"{cfg.budget.marketing_share:g} buys {touches:.0f} touches a day for about {contacts:.0f} contacts; "
            "at most one touch per contact every two days is allowed: lower the share or the budget"
        )
