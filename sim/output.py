"""Run folders: config, summary and tables written whole or not at all."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from omegaconf import OmegaConf

from sim.config import ConfigError


def _clean(obj):
    """JSON-safe: NaN and infinities become null."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(_clean(obj), indent=2, sort_keys=False) + "\n")


def config_yaml(cfg) -> str:
    return OmegaConf.to_yaml(OmegaConf.create(asdict(cfg)))


def new_run_dir(base: Path, name: str = "") -> Path:
    """A run folder path that does not exist yet (a timestamp unless named)."""
    base.mkdir(parents=True, exist_ok=True)
    if name:
        target = base / name
        if target.exists():
            raise ConfigError(f"output.name={name!r}: {target} already exists; choose another name")
        return target
    stamp = datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
    target, k = base / stamp, 1
    while target.exists():
        k += 1
        target = base / f"{stamp}-{k}"
    return target


def atomic_parquet(df, path: Path) -> None:
    """Write a table under a temporary name, then rename: readers see it whole or not at all."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def write_tables(folder: Path, tables: dict, csv: bool) -> None:
    for name, df in tables.items():
        if df is None:
            continue
        df.to_parquet(folder / f"{name}.parquet", index=False)
        if csv:
            df.to_csv(folder / f"{name}.csv", index=False)


def write_run(result, target: Path) -> Path:
    """Write a run folder atomically: everything goes to a hidden temporary folder first."""
    target = Path(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (tmp / "config.yaml").write_text(config_yaml(result.config))
        write_json(tmp / "summary.json", result.summary)
        tables = {"daily": result.daily, "deals": result.deals, "leads": result.leads}
        write_tables(tmp, tables, result.config.output.csv)
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
