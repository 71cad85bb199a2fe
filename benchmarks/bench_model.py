"""Speed of the model against the targets for exploration, measured side by side in one run: the
default scenario and a million contacts on 1 and 2 threads, the full-scan floor kernel beside them,
scaling in contacts and in days (log-log slope), state bytes per contact, the first compile, a new
process with a warm cache, and (with --sweep) the sweep overheads.

Run:  .venv/bin/python benchmarks/bench_model.py [--million] [--sweep] [--no-compile]
Writes results/benchmarks/model.json and results/benchmarks/targets.{json,md}.  Figures are
reported, not asserted: machines here are shared and noisy.  Init and run are timed apart, as in
Mesa's own benchmarks.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

SMALL = ["sim.days=120", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03"]
DEFAULT_ACCOUNTS, DEFAULT_REPS = 20000, 40


def market(scale: float) -> list[str]:
    """The default market scaled in accounts, budget and reps (contacts grow with accounts)."""
    return [
        f"market.accounts={round(DEFAULT_ACCOUNTS * scale)}",
        f"marketing.budget_scale={scale:.4g}",
        f"sales.reps={max(4, round(DEFAULT_REPS * scale))}",
    ]


MILLION = market(6.986)  # about 1,000,000 contacts


def timed_run(overrides: list[str], repeats: int = 1) -> dict:
    from sim import load_config
    from sim.model import FunnelModel

    cfg = load_config(overrides)
    best_init = best_run = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        model = FunnelModel(cfg)
        t1 = time.perf_counter()
        model.run()
        t2 = time.perf_counter()
        best_init, best_run = min(best_init, t1 - t0), min(best_run, t2 - t1)
    contact_days = model.n_contacts * cfg.sim.days
    return {
        "contacts": model.n_contacts,
        "days": cfg.sim.days,
        "init_s": round(best_init, 3),
        "run_s": round(best_run, 3),
        "ns_per_contact_day": round(best_run / contact_days * 1e9, 2),
    }


def state_bytes(overrides: list[str]) -> dict:
    """Bytes of state per contact at the end of a run (the lead table grows as leads appear): the arrays over
    contacts plus the lead table (what grows with the market's people), and everything, accounts and logs too."""
    from sim import load_config
    from sim.model import FunnelModel
    from sim.state import CONTACT_FIELDS, LEAD_FIELDS, LEAD_SIZED

    S = FunnelModel(load_config(overrides)).run().state
    n = S.stage.shape[0]
    per_contact = sum(getattr(S, f).nbytes for f in CONTACT_FIELDS)
    lead_table = sum(getattr(S, f).nbytes for f in (*LEAD_FIELDS, *LEAD_SIZED) if f != "n_leads")
    total = sum(a.nbytes for a in S)
    return {
        "contact_arrays_bytes_per_contact": round(per_contact / n, 1),
        "lead_table_bytes_per_contact": round(lead_table / n, 1),
        "people_bytes_per_contact": round((per_contact + lead_table) / n, 1),
        "all_bytes_per_contact": round(total / n, 1),
        "leads": int(S.n_leads[0]),
        "lead_rows": int(S.rep.shape[0]),
    }


def _children_cpu() -> float:
    """User + system CPU seconds of finished child processes."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def compile_times() -> dict:
    """First compile in a fresh cache, then the wall time of a new process that loads that cache."""
    code = f"from sim import load_config, simulate; simulate(load_config({SMALL!r}))"
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = {}
        for label in ("cold_cache_s", "warm_cache_s"):
            t0, c0 = time.perf_counter(), _children_cpu()
            subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
            out[label] = round(time.perf_counter() - t0, 2)
            out[label.replace("_s", "_cpu_s")] = round(_children_cpu() - c0, 2)  # CPU: readable on a busy machine
    return out


def warm_process() -> float:
    """Wall time of a new process (interpreter, imports, config, small run) on the project's warm cache."""
    code = f"from sim import load_config, simulate; simulate(load_config({SMALL!r}))"
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        best = min(best, time.perf_counter() - t0)
    return round(best, 2)


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) on log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def scaling() -> dict:
    """Run time against contacts (730 days) and against days (default market), one thread."""
    by_contacts = [timed_run([*market(s), "sim.threads=1"], repeats=2) for s in (0.25, 0.5, 1.0, 2.0)]
    by_days = [timed_run([f"sim.days={d}", "sim.threads=1"], repeats=2) for d in (91, 182, 365, 730)]
    return {
        "contacts": by_contacts,
        "days": by_days,
        "slope_contacts": round(slope([r["contacts"] for r in by_contacts], [r["run_s"] for r in by_contacts]), 2),
        "slope_days": round(slope([r["days"] for r in by_days], [r["run_s"] for r in by_days]), 2),
    }


# (key, measurement, figure when the issue was filed, target, unit, better)
TARGETS = [
    ("million_2_threads_s", "1,000,000 contacts × 730 days, 2 threads", "11.2 s", 3.0, "s", "low"),
    ("default_1_thread_s", "default scenario, 1 thread", "1.9 s", 0.5, "s", "low"),
    ("speedup_2_over_1", "2 threads over 1 thread, 1 M contacts", "≈ 1.0×", 1.7, "×", "high"),
    ("over_floor", "cost per contact-day over the full-scan kernel, same run", "≈ 6.5×", 1.7, "×", "low"),
    ("slope_contacts", "log-log slope of run time in contacts", "—", (0.9, 1.1), "", "range"),
    ("slope_days", "log-log slope of run time in days", "—", (0.9, 1.1), "", "range"),
    ("state_bytes", "state bytes per contact", "177", 64, "", "low"),
    ("first_compile_s", "first compile, empty cache", "94 s", 20.0, "s", "low"),
    ("warm_process_s", "new process, warm cache, small run", "3.4 s", 1.5, "s", "low"),
    ("sweep_overhead_s", "sweep overhead per job", "0.5–0.7 s", 0.15, "s", "low"),
    ("sweep_efficiency", "2-worker parallel efficiency (simulation only)", "0.69", 0.85, "", "high"),
]


def targets_table(measured: dict) -> tuple[list[dict], str]:
    rows, lines = [], ["| measurement | at issue | target | measured | met |", "|---|---|---|---|---|"]
    for key, what, then, target, unit, better in TARGETS:
        value = measured.get(key)
        if better == "range":
            shown_target, met = f"{target[0]}–{target[1]}", value is not None and target[0] <= value <= target[1]
        else:
            sign = "≤" if better == "low" else "≥"
            shown_target = f"{sign} {target:g}{' ' if unit == 's' else ''}{unit}"
            met = value is not None and (value <= target if better == "low" else value >= target)
        shown = "not run" if value is None else f"{value:g}{' ' if unit == 's' else ''}{unit}"
        rows.append({"key": key, "measurement": what, "at_issue": then, "target": shown_target, "measured": value})
        rows[-1]["met"] = met
        lines.append(f"| {what} | {then} | {shown_target} | {shown} | {'yes' if met else 'no'} |")
    return rows, "\n".join(lines) + "\n"


def main() -> None:
    from floor import floor_run

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--million", action="store_true", help="time 1,000,000 contacts x 730 days on 1 and 2 threads")
    ap.add_argument("--sweep", action="store_true", help="also time sweep overheads (benchmarks/bench_sweep.py)")
    ap.add_argument("--no-compile", action="store_true", help="skip the first compile in an empty cache")
    ap.add_argument("--out", default="results/benchmarks")
    args = ap.parse_args()

    report: dict = {"command": " ".join(["benchmarks/bench_model.py", *sys.argv[1:]])}
    report["load_average_before"] = [round(x, 2) for x in os.getloadavg()]  # other work on the machine
    measured: dict = {}
    if not args.no_compile:
        report["compile"] = compile_times()
        measured["first_compile_s"] = report["compile"]["cold_cache_s"]
    timed_run(SMALL)  # warm the project's cache in this process
    report["warm_process_s"] = measured["warm_process_s"] = warm_process()
    report["default_fast_1_thread"] = timed_run(["sim.threads=1"], repeats=3)
    report["default_fast_2_threads"] = timed_run(["sim.threads=2"], repeats=3)
    measured["default_1_thread_s"] = report["default_fast_1_thread"]["run_s"]
    fast_small = timed_run([*SMALL, "sim.threads=1"], repeats=3)
    ref_small = timed_run([*SMALL, "sim.engine=reference"])
    report["small_fast"] = fast_small
    report["small_reference"] = ref_small
    report["reference_over_fast"] = round(ref_small["run_s"] / fast_small["run_s"], 1)
    report["state_bytes"] = state_bytes([])
    measured["state_bytes"] = report["state_bytes"]["people_bytes_per_contact"]
    report["scaling"] = scaling()
    measured["slope_contacts"] = report["scaling"]["slope_contacts"]
    measured["slope_days"] = report["scaling"]["slope_days"]
    if args.million:
        one = report["million_fast_1_thread"] = timed_run([*MILLION, "sim.threads=1"], repeats=3)
        two = report["million_fast_2_threads"] = timed_run([*MILLION, "sim.threads=2"], repeats=3)
        floor = report["floor_2_threads"] = floor_run(two["contacts"], two["days"], 2)
        report["floor_1_thread"] = floor_run(two["contacts"], two["days"], 1)
        measured["million_2_threads_s"] = two["run_s"]
        measured["speedup_2_over_1"] = round(one["run_s"] / two["run_s"], 2)
        measured["over_floor"] = round(two["ns_per_contact_day"] / floor["ns_per_contact_day"], 2)
    if args.sweep:
        from bench_sweep import sweep_report

        report["sweep"] = sweep_report()
        measured["sweep_overhead_s"] = report["sweep"]["joblib_1"]["overhead_per_job_s"]
        measured["sweep_efficiency"] = report["sweep"]["parallel_efficiency_2_workers"]
    rows, table = targets_table(measured)
    report["targets"] = rows
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if "compile" in report:
        table += f"\nFirst compile in CPU time (user + system): {report['compile']['cold_cache_cpu_s']} s.\n"
    before, after = report["load_average_before"], report["load_average_after"]
    table += f"Load average (1, 5, 15 min) before: {before}, after: {after}.\n"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.json").write_text(json.dumps(report, indent=2))
    (out / "targets.json").write_text(json.dumps({"command": report["command"], "targets": rows}, indent=2))
    (out / "targets.md").write_text(f"Made by `{report['command']}`\n\n{table}")
    width = max(len(k) for k in report)
    for key, value in report.items():
        if key not in ("targets", "scaling"):
            print(f"{key:<{width}}  {value}")
    print(table)
    print(f"written: {out}/model.json, targets.json, targets.md")


if __name__ == "__main__":
    main()
