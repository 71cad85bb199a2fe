"""A warm background worker that runs scenarios on the fast driver; a newer request cancels the one in flight.

The worker is one thread in the app's process, so the Numba kernels stay loaded between runs.  A run
is cancelled as its next simulated day begins (a trace hook on the worker thread raises `Cancelled`
when `FunnelModel.step`, or a call of up to 32 days of the one-thread fast driver, begins), so a
superseded run stops within a simulated month rather than running to its end; its results are never
shown.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from sim.app.scenario import config
from sim.run import simulate

# Metrics of the comparison table: (summary path, label, kind).
METRICS = (
    ("revenue", "revenue", "money"),
    ("deals_won", "deals won", "count"),
    ("pipeline_open", "open pipeline at the end", "money"),
    ("waterfall.mql", "MQLs", "count"),
    ("waterfall.sql", "SQLs", "count"),
    ("response_minutes.p50", "first response p50 (min)", "minutes"),
    ("response_minutes.p90", "first response p90 (min)", "minutes"),
    ("sla_met_share", "SLA met", "share"),
    ("touched_within.5min", "touched within 5 working min", "share"),
    ("never_touched_share", "never touched", "share"),
    ("selling_time_share", "rep time selling", "share"),
    ("profit", "revenue - cost", "money"),
)


class Cancelled(Exception):
    """A run superseded by a newer request."""


def metric(summary: dict, path: str) -> float:
    if path == "profit":
        return summary["revenue"] - summary["cost"]["marketing"] - summary["cost"]["sales"]
    value = summary
    for part in path.split("."):
        value = value[part]
    return float(value)


def interval(x) -> tuple[float, float, float]:
    """Mean and 95 % t interval of paired differences (the interval collapses to the mean for one value)."""
    x = np.asarray(x, dtype=float)
    mean = float(x.mean())
    if len(x) < 2 or not np.isfinite(x).all():
        return mean, mean, mean
    half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return mean, mean - half, mean + half


@dataclass
class SideResult:
    """One scenario's replications: summaries, daily tables and the overrides that made them."""

    overrides: tuple[str, ...]
    summaries: list[dict]
    dailies: list
    seconds: float

    @property
    def summary(self) -> dict:
        return self.summaries[0]

    @property
    def daily(self):
        return self.dailies[0]

    def mean(self, path: str) -> float:
        return float(np.mean([metric(s, path) for s in self.summaries]))


def compare(a: SideResult, b: SideResult) -> list[dict]:
    """Per metric: A's and B's means and the paired difference B - A with its 95 % interval (same seeds)."""
    rows = []
    n = min(len(a.summaries), len(b.summaries))
    for path, label, kind in METRICS:
        xa = np.array([metric(s, path) for s in a.summaries[:n]])
        xb = np.array([metric(s, path) for s in b.summaries[:n]])
        diff, lo, hi = interval(xb - xa)
        rows.append(
            {"metric": path, "label": label, "kind": kind, "a": xa.mean(), "b": xb.mean(), "diff": diff}
            | {"diff_low": lo, "diff_high": hi, "n": n}
        )
    return rows


def seeds(base_seed: int, replications: int) -> list[int]:
    """Replication r runs on seed base + r under both scenarios (common random numbers)."""
    return [(base_seed + r) % (2**63) for r in range(replications)]


def run_side(
    overrides, replications: int = 1, check: Callable[[], None] = lambda: None, report=lambda done, total: None
) -> SideResult:
    """Run one scenario's replications on the fast driver with one Numba thread; `check` raises to stop."""
    start = time.perf_counter()
    cfg = config([*overrides, "sim.engine=fast", "sim.threads=1"])
    summaries, dailies = [], []
    for k, seed in enumerate(seeds(cfg.sim.seed, replications)):
        check()
        report(k, replications)
        cfg.sim.seed = seed
        res = simulate(cfg)
        summaries.append(res.summary)
        dailies.append(res.daily)
    report(replications, replications)
    return SideResult(tuple(overrides), summaries, dailies, time.perf_counter() - start)


@dataclass
class Job:
    """A request: its number, what to run, and where to send progress, results and errors."""

    number: int
    work: Callable
    on_done: Callable
    on_error: Callable
    cancel: threading.Event = field(default_factory=threading.Event)


class Worker:
    """One warm thread that runs the newest request; a new request cancels the running one and any waiting one."""

    def __init__(self):
        self._lock = threading.Condition()
        self._next: Job | None = None
        self._running: Job | None = None
        self._count = 0
        self.cancelled = 0  # runs stopped before their end (for tests and the benchmark)
        self._thread = threading.Thread(target=self._loop, name="funnelsim-app-worker", daemon=True)
        self._thread.start()

    def submit(self, work: Callable, on_done: Callable, on_error: Callable) -> int:
        """Queue `work(check)`; returns the request number.  Results of superseded requests are never delivered."""
        with self._lock:
            self._count += 1
            if self._running is not None:
                self._running.cancel.set()
            self._next = Job(self._count, work, on_done, on_error)
            self._lock.notify()
            return self._count

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._running is not None or self._next is not None

    def _loop(self):
        while True:
            with self._lock:
                while self._next is None:
                    self._lock.wait()
                job, self._next = self._next, None
                self._running = job
            self._run(job)
            with self._lock:
                self._running = None

    def _run(self, job: Job):
        def check():
            if job.cancel.is_set():
                raise Cancelled

        from sim.model import FunnelModel

        days = (FunnelModel.step.__code__, FunnelModel._run_days.__code__)

        # Raise only as a simulated day (or a call of many days) begins: raised inside library code (say,
        # the `__exit__` of a lock Numba holds while it loads a cached kernel) it would leave that lock taken.
        def tracer(frame, event, arg):
            if event == "call" and frame.f_code in days and job.cancel.is_set():
                raise Cancelled
            return None

        sys.settrace(tracer)
        try:
            result = job.work(check)
        except Cancelled:
            self.cancelled += 1
            return
        except Exception as err:  # shown on the page; the worker goes on
            if not job.cancel.is_set():
                job.on_error(err)
            return
        finally:
            sys.settrace(None)
        if not job.cancel.is_set():
            try:
                job.on_done(result)
            except Exception:  # a page that went away: the worker goes on
                logging.getLogger(__name__).exception("delivering a run's results failed")
