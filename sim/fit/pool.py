"""Evaluate parameter points on a launcher: in this process, with joblib on this machine, or on a Ray cluster."""

from __future__ import annotations

from sim.fit.evaluate import simulate_point


def evaluate_many(
    points: list[list[str]],
    days: int,
    warmup: int,
    seeds: list[int],
    launcher: str,
    workers: int | None,
    address: str | None = None,
) -> list[list[dict]]:
    """Per point, the statistics of each replication; results in the order of `points`."""
    if not points:
        return []
    if launcher == "basic" or (launcher == "joblib" and (workers or 1) == 1):
        return [simulate_point(p, days, warmup, seeds) for p in points]
    if launcher == "joblib":
        from joblib import Parallel, delayed

        return Parallel(n_jobs=workers, backend="loky")(delayed(simulate_point)(p, days, warmup, seeds) for p in points)
    import ray

    if not ray.is_initialized():
        ray.init(address=address, log_to_driver=False, logging_level="ERROR")
    remote = ray.remote(num_cpus=1)(simulate_point)
    return ray.get([remote.remote(p, days, warmup, seeds) for p in points])
