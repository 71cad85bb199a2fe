"""How fast `funnelsim app` answers a lever change on the default market (figures reported, never asserted).

Two measurements:
  worker   in process: the warm worker re-runs scenario A (B is cached) and the page's four figures are drawn
  browser  end to end: `funnelsim app` on a loopback port, headless Chromium types a new SLA target and waits
           until the page shows new response-time figures

    .venv/bin/python benchmarks/bench_app.py [--days N] [--no-browser]

Writes results/benchmarks/app.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.app import figures  # noqa: E402
from sim.app.cli import DEFAULT_DAYS  # noqa: E402
from sim.app.runner import Worker, run_side  # noqa: E402
from sim.app.scenario import start  # noqa: E402

CHANGES = [("policy.sla_minutes", 5), ("marketing.mql_threshold", 65), ("sales.reps", 35), ("policy.sla_minutes", 240)]


def worker_latency(days: int) -> dict:
    setup = start("default", {"sim.days": str(days)})
    t = time.perf_counter()
    base = run_side(setup.overrides(), 1)
    first = time.perf_counter() - t
    worker = Worker()
    times, cpu = [], []
    for key, value in CHANGES:
        changed = setup.with_lever(key, value)
        done = threading.Event()
        box = {}
        t, c0 = time.perf_counter(), time.process_time()
        worker.submit(
            lambda check, c=changed: run_side(c.overrides(), 1, check),
            lambda r, box=box, done=done: (box.update(r=r), done.set()),
            print,
        )
        done.wait()
        a, b = box["r"].summary, base.summary
        for fig in (
            figures.waterfall({"A": a, "B": b}),
            figures.response({"A": a, "B": b}),
            figures.rep_time({"A": a, "B": b}),
            figures.over_time({"A": box["r"].daily, "B": base.daily}),
        ):
            fig.savefig(os.devnull, format="png")
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c0)
        print(f"  {key}={value}: {times[-1]:.2f} s ({cpu[-1]:.2f} s of CPU)")
    # a change superseded by another one at once: time until the newest result
    done = threading.Event()
    t = time.perf_counter()
    worker.submit(lambda check: run_side(setup.with_lever("sales.reps", 30).overrides(), 1, check), print, print)
    time.sleep(0.3)
    worker.submit(
        lambda check: run_side(setup.with_lever("sales.reps", 45).overrides(), 1, check), lambda r: done.set(), print
    )
    done.wait()
    superseded = time.perf_counter() - t
    return {
        "first_run_s": first,
        "lever_change_s": times,
        "lever_change_median_s": statistics.median(times),
        "lever_change_max_s": max(times),
        "lever_change_cpu_s": cpu,
        "lever_change_cpu_median_s": statistics.median(cpu),
        "superseded_then_newest_s": superseded,
        "cancelled_runs": worker.cancelled,
    }


def browser_latency(days: int) -> dict:
    from playwright.sync_api import expect, sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "sim.cli", "app", "--port", str(port), "--days", str(days)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        t0 = time.perf_counter()
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        server_s = time.perf_counter() - t0
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
        args += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                tempfile.mkdtemp(prefix="bench-app-"), executable_path="/usr/bin/chromium", args=args, headless=True
            )
            page = ctx.new_page()
            t = time.perf_counter()
            page.goto(url)
            p50 = page.locator(".fs-response-A")
            expect(p50).to_be_visible(timeout=300_000)
            first_page = time.perf_counter() - t
            times = []
            for value in ("5", "240", "15", "60"):
                before = p50.inner_text()
                box = page.locator(".fs-A-policy-sla-minutes input")
                box.fill(value)
                t = time.perf_counter()
                box.press("Enter")
                expect(p50).not_to_have_text(before, timeout=60_000)
                expect(page.locator(".fs-progress")).to_have_count(0, timeout=60_000)
                times.append(time.perf_counter() - t)
                print(f"  browser: SLA {value} min: {times[-1]:.2f} s")
            ctx.close()
    finally:
        proc.terminate()
        proc.wait(20)
    return {
        "server_start_s": server_s,
        "first_page_s": first_page,
        "sla_change_s": times,
        "sla_change_median_s": statistics.median(times),
        "sla_change_max_s": max(times),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=DEFAULT_DAYS)
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args()
    out = {"days": a.days, "market": "default (20,000 accounts, 40 reps)", "cpus": os.cpu_count()}
    out["load_average_1min_at_start"] = os.getloadavg()[0]  # other work on the machine slows every figure
    print(f"worker, default market, {a.days} days:")
    out["worker"] = worker_latency(a.days)
    print(json.dumps(out["worker"], indent=1))
    if not a.no_browser:
        print("browser:")
        out["browser"] = browser_latency(a.days)
        print(json.dumps(out["browser"], indent=1))
    path = ROOT / "results" / "benchmarks" / "app.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
