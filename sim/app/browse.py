"""A finished sweep or fit folder, read for browsing: its scenarios (means and paired differences) and
its plots, without running anything."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.config import ConfigError

SHOWN_METRICS = ("revenue", "response_minutes.p50", "sla_met_share", "waterfall.sql", "selling_time_share")


@dataclass
class Folder:
    """What the page shows of a folder: its kind, a title, a scenario table and plot files."""

    path: Path
    kind: str  # "sweep" or "fit"
    title: str
    table: pd.DataFrame
    plots: list[Path]
    preset: str | None = None  # a fit's preset name, to open it live


def kind_of(path: Path) -> str | None:
    """'sweep' or 'fit' for a finished folder of that kind, else None."""
    if (path / "sweep.json").exists() and (path / "scenarios.parquet").exists():
        return "sweep"
    if (path / "fit.json").exists():
        return "fit"
    return None


def _sweep_table(path: Path) -> pd.DataFrame:
    """One row per scenario: its levers, then each shown metric's mean and paired difference to the baseline."""
    scen = pd.read_parquet(path / "scenarios.parquet")
    meta = json.loads((path / "sweep.json").read_text())
    levers = [k for k in meta.get("levers", []) if k in scen.columns]
    rows = scen[scen["metric"].isin(SHOWN_METRICS)]
    wide = rows.pivot_table(index=["scenario", *levers], columns="metric", values=["mean", "diff_mean"])
    wide.columns = [f"{m} ({'mean' if stat == 'mean' else 'vs baseline'})" for stat, m in wide.columns]
    return wide.reset_index()


def _fit_table(path: Path) -> tuple[pd.DataFrame, str | None]:
    meta = json.loads((path / "fit.json").read_text())
    flat = pd.json_normalize(meta, sep=".").T.reset_index()
    flat.columns = ["field", "value"]
    flat["value"] = flat["value"].map(lambda v: json.dumps(v, default=str) if isinstance(v, (list, dict)) else str(v))
    preset = meta.get("preset")
    return flat, Path(preset).stem if preset else None


def open_folder(folder) -> Folder:
    """Read a sweep or fit folder; anything else raises ConfigError saying what is expected."""
    path = Path(folder)
    kind = kind_of(path) if path.is_dir() else None
    if kind is None:
        raise ConfigError(
            f"{path} is not a finished sweep or fit folder: a sweep folder holds sweep.json and scenarios.parquet "
            "(from `funnelsim sweep`), a fit folder holds fit.json (from `funnelsim fit`)"
        )
    plots = sorted({*path.glob("*.png"), *path.glob("plots/*.png")})
    if kind == "sweep":
        return Folder(path, kind, f"sweep {path.name}", _sweep_table(path), plots)
    table, preset = _fit_table(path)
    return Folder(path, kind, f"fit {path.name}", table, plots, preset)
