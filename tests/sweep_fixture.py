"""A small real sweep folder and run folder, made once per test session by `funnelsim sweep`
and `funnelsim run`'s writer, for the plot and report tests (read-only: copy before writing)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from sim import load_config, simulate

BASE = ["sim.days=90", "market.accounts=1500", "sales.reps=6", "marketing.budget_scale=0.08"]
GRID = {"marketing.mql_threshold": [50, 65], "policy.sla_minutes": [5, 1440]}


def _tempdir(prefix: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, root, True)
    return root


@functools.cache
def shared_sweep() -> Path:
    """2 MQL thresholds x 2 SLA targets x 3 replications on a small market, without plots."""
    from sim.sweep.cli import main as sweep_main

    root = _tempdir("funnelsim-sweep-")
    grid = [f"{k}={','.join(str(v) for v in vals)}" for k, vals in GRID.items()]
    args = ["name=small", f"dir={root}", "launcher=basic", "quiet=true", "plots=false", "replications=3"]
    args.append("policy.handoff.mode=realtime")  # pins the default sweep's handoff lever
    args.append("sales.pickup=poll")  # reps pace queue checks to the SLA target, so the target matters
    if sweep_main([*args, "root_seed=11", *grid, *BASE]) != 0:
        raise RuntimeError(f"the test sweep in {root} failed")
    return root / "small"


@functools.cache
def shared_run() -> Path:
    """One small run folder (with the per-lead log)."""
    from sim.output import write_run

    cfg = load_config([*BASE, "sim.seed=5", "output.leads=true"])
    return write_run(simulate(cfg), _tempdir("funnelsim-run-") / "run")
