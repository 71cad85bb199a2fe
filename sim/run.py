"""`simulate`: run one configured scenario and return its summary and tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.config import ConfigError, FunnelConfig
from sim.loading import to_config
from sim.summary import daily_table, deals_table, leads_table, summarize


@dataclass
class Result:
    """What one run gives: the summary dict, daily metrics, deals and (if asked) the lead log."""

    config: FunnelConfig
    summary: dict
    daily: pd.DataFrame
    deals: pd.DataFrame
    leads: pd.DataFrame | None
    model: object = None
    touches: pd.DataFrame | None = None  # the touch log (output.touches=true)


def simulate(cfg, *, leads: bool | None = None, progress: bool = False, keep_model: bool = False) -> Result:
    """Run the scenario `cfg` (a FunnelConfig or a composed DictConfig) to its last day."""
    from sim.model import FunnelModel

    cfg = to_config(cfg)
    if leads is not None and not isinstance(leads, bool):
        raise ConfigError(f"simulate(leads={leads!r}): give True, False or None (None follows output.leads)")
    model = FunnelModel(cfg).run(progress=progress)
    S, P = model.state, model.params
    want_leads = cfg.output.leads if leads is None else leads
    return Result(
        config=cfg,
        summary=summarize(S, P, P.days),
        daily=daily_table(S, P.days),
        deals=deals_table(S),
        leads=leads_table(S) if want_leads else None,
        model=model if keep_model else None,
        touches=model.touch_log.table(S) if model.touch_log is not None else None,
    )
