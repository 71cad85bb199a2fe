"""Run pending jobs through a Hydra multirun (basic, joblib or Ray launcher), with a progress bar.

On this machine (basic, joblib) the multirun starts one lane per worker: a Hydra job that claims pending
jobs one at a time and runs them in the same process, so a worker imports, loads compiled kernels and
composes presets once, not once per job.  On Ray each job is a Hydra job of its own."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import hydra
import pandas as pd
from omegaconf import DictConfig

from sim.loading import CONF_DIR
from sim.policies.plugins import ENV as PLUGINS_ENV
from sim.sweep.job import job_path, run_job, run_lane


@hydra.main(config_path=str(CONF_DIR), config_name="sweep_job", version_base="1.3")
def hydra_task(cfg: DictConfig) -> str:
    return run_job(Path(cfg.sweep_dir), int(cfg.job))


@hydra.main(config_path=str(CONF_DIR), config_name="sweep_lane", version_base="1.3")
def lane_task(cfg: DictConfig) -> str:
    return run_lane(Path(cfg.sweep_dir), Path(cfg.claims))


def lane_queue(folder: Path, pending: list[int]) -> Path:
    """A new claims folder for this launch, holding the pending jobs in order (queue.json)."""
    claims = folder / ".hydra" / "lanes" / f"{os.getpid()}-{time.time_ns()}"
    claims.mkdir(parents=True)
    (claims / "queue.json").write_text(json.dumps(pending))
    return claims


def _watch(folder: Path, plan: dict, pending: list[int], stop: threading.Event, quiet: bool) -> None:
    """Report progress and each failure as job files appear."""
    from tqdm import tqdm

    ids = {plan["scenarios"][j]["id"]: j for j in pending}
    seen: set[str] = set()
    bar = tqdm(
        total=len(ids), desc=f"{plan.get('kind', 'sweep')} {plan['name']}", unit="job", disable=quiet, file=sys.stderr
    )
    while True:
        done = stop.is_set()
        for sid in ids:
            if sid in seen or not job_path(folder, sid).exists():
                continue
            seen.add(sid)
            bar.update(1)
            df = pd.read_parquet(job_path(folder, sid), columns=["status", "error"])
            if (df.status == "failed").any():
                sc = plan["scenarios"][ids[sid]]
                bar.write(f"job {sid} failed ({' '.join(sc['overrides'])}): {df.error.iloc[0]}")
        if done:
            break
        stop.wait(0.3)  # wakes at once when the jobs are done
    bar.close()


def _ray_runtime_env() -> list[str]:
    """Ray's workers do not inherit this process's environment: pass them the plug-ins a sweep names
    (and the PYTHONPATH they are found on), so each worker registers them before it compiles."""
    import os

    env = {k: os.environ[k] for k in (PLUGINS_ENV, "PYTHONPATH") if os.environ.get(k)}
    if PLUGINS_ENV not in env:
        return []
    items = ",".join(f"{k}:'{v}'" for k, v in env.items())
    return [f"+hydra.launcher.ray.init.runtime_env={{env_vars:{{{items}}}}}"]


def run_pending(
    folder: Path,
    plan: dict,
    pending: list[int],
    launcher: str,
    workers: int | None,
    quiet: bool,
    address: str | None = None,
    task=None,
) -> None:
    """Run the pending jobs; launcher=ray sends them to the Ray cluster at `address` (HOST:PORT).
    `task` is another Hydra task over the same job config (sweep_dir, job), e.g. `funnelsim explore`'s."""
    if not pending:
        return
    folder = folder.resolve()  # jobs may run in another working directory (Ray workers)
    lanes = task is None and launcher in ("basic", "joblib")
    count = 1 if launcher == "basic" else max(1, min(workers or 1, len(pending)))  # lanes: no idle worker
    if lanes:
        jobs = [f"lane={','.join(str(i) for i in range(count))}", f"claims={lane_queue(folder, pending)}"]
    else:
        jobs = [f"job={','.join(str(j) for j in pending)}"]
    argv = [
        "funnelsim-sweep",
        "--multirun",
        f"sweep_dir={folder}",
        *jobs,
        f"hydra.sweep.dir={folder / '.hydra'}",
        "hydra.sweep.subdir=${hydra.job.num}",
        "hydra/job_logging=disabled",
        "hydra/hydra_logging=disabled",
    ]
    if launcher == "joblib":
        argv += ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={count if lanes else workers}"]
    elif launcher == "ray":
        # hydra-ray-launcher always adds object_store_memory to ray.init, which Ray refuses when it
        # connects to an existing cluster: set it to null.  `address` is in the launcher's config,
        # object_store_memory is not (hence the +).
        argv += [
            "hydra/launcher=ray",
            f"hydra.launcher.ray.init.address='{address}'",
            "+hydra.launcher.ray.init.object_store_memory=null",
            *_ray_runtime_env(),
        ]
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(folder, plan, pending, stop, quiet), daemon=True)
    watcher.start()
    saved = sys.argv
    sys.argv = argv
    try:
        (task or (lane_task if lanes else hydra_task))()
    finally:
        sys.argv = saved
        stop.set()
        watcher.join()
