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
from sim.scorecard import scorecard_for


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


def folder_kind(folder: Path) -> str | None:
    """'run' or 'sweep' if funnelsim wrote this folder (a run's summary, a sweep's plan), else None."""
    folder = Path(folder)
    if (folder / "plan.json").is_file():
        return "sweep"
    if (folder / "summary.json").is_file() and (folder / "config.yaml").is_file():
        return "run"
    return None


def check_parent(key: str, base: Path) -> Path:
    """`base` can hold new folders: it is a writable folder or can be made one, and not a run or sweep
    folder (those belong to the command that wrote them).  Creates nothing; returns the nearest existing
    folder."""
    base = Path(base)
    if any(len(part.encode()) > 255 for part in base.parts):
        raise ConfigError(f"{key}={str(base)!r} has a folder name longer than 255 bytes")
    if base.exists() and not base.is_dir():
        raise ConfigError(f"{key}={str(base)!r} is a file, not a folder; give a folder path")
    kind = folder_kind(base) if base.exists() else None
    if kind:
        raise ConfigError(f"{key}={str(base)!r} is a {kind} folder; give a folder that holds {kind} folders instead")
    probe = base
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(f"{key}={str(base)!r}: {probe} is a file, so the folder cannot be made")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ConfigError(f"{key}={str(base)!r}: no permission to write in {probe}")
    return probe


def run_bytes(cfg) -> int:
    """A generous estimate of a run folder's size: the daily table, the deals and (if asked) the lead log."""
    from sim.params import expected_contacts

    size = 1_000_000 + 2_000 * cfg.sim.days + 100 * expected_contacts(cfg)
    if cfg.output.leads:
        size += 200 * expected_contacts(cfg)
    return int(size * (3 if cfg.output.csv else 1))


def new_run_dir(base: Path, name: str = "", need_bytes: int = 0) -> Path:
    """A run folder path that does not exist yet (a timestamp unless named), on a disk with room for
    `need_bytes`; checks, creates nothing."""
    base = Path(base)
    probe = check_parent("output.dir", base)
    free = shutil.disk_usage(probe).free
    if free < need_bytes:
        raise ConfigError(
            f"output.dir={str(base)!r}: {free / 1e6:.1f} MB free in {probe}, the run needs about "
            f"{need_bytes / 1e6:.1f} MB; free some space or give another output.dir"
        )
    if name:
        target = base / name
        if target.exists() or target.is_symlink():
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
    """Write a run folder atomically: everything goes to a hidden temporary folder first.
    An existing folder is never replaced (the rename fails and the temporary folder is removed)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (tmp / "config.yaml").write_text(config_yaml(result.config))
        write_json(tmp / "summary.json", result.summary)
        tables = {"daily": result.daily, "deals": result.deals, "leads": result.leads}
        tables["touches"] = getattr(result, "touches", None)  # output.touches=true (sim/touch_log.py)
        tables["scorecard"] = scorecard_for(result)  # the joint weekly scorecard (sim/scorecard.py)
        write_tables(tmp, tables, result.config.output.csv)
        if target.exists() or target.is_symlink():
            raise FileExistsError(f"{target} appeared while the run was simulated")
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def recovery_dirs(target: Path) -> list[Path]:
    """Where a run goes when its folder cannot be written: beside it under a recovery name, then the
    system's temporary folder."""
    target = Path(target)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    name = f"{target.name}.recovered-{stamp}-{os.getpid()}"
    return [target.parent / name, Path(tempfile.gettempdir()) / f"funnelsim-{name}"]


def write_run_or_recover(result, target: Path) -> tuple[Path, Exception | None]:
    """Write the run to `target`; if that fails at the end (disk full, the folder appeared meanwhile),
    save it under a recovery name so a finished simulation is not lost.  Returns (folder, the error)."""
    try:
        return write_run(result, target), None
    except OSError as err:
        first = err
    for place in recovery_dirs(target):
        try:
            return write_run(result, place), first
        except OSError:
            continue
    raise first
