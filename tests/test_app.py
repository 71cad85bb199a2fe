"""`funnelsim app`: levers read from the schema, the worker that cancels superseded runs, presets and command
lines, folder browsing, and the page itself driven in headless Chromium (Playwright) on a loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from sim.app.browse import open_folder
from sim.app.cli import parse
from sim.app.levers import LEVER_KEYS, lever, levers
from sim.app.runner import Worker, compare, run_side
from sim.app.scenario import command_line, save_preset, start
from sim.cli import main as cli_main
from sim.config import ConfigError
from sim.loading import load_config

ROOT = Path(__file__).resolve().parents[1]
# a small market whose reps poll their queues at a pace set by the SLA target, so the target moves response times
SMALL = {
    "sim.days": "120",
    "market.accounts": "600",
    "sales.reps": "4",
    "marketing.budget_scale": "0.03",
    "sales.pickup": "poll",
}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_levers_carry_units_and_ranges_from_the_schema():
    sla = lever("policy.sla_minutes")
    assert sla.unit == "minutes" and sla.allowed == "a number in [1, 100000] minutes"
    assert lever("policy.routing").choices[0] == "round_robin"
    assert lever("sales.reps").kind == "whole"
    assert [lv.key for lv in levers()] == list(LEVER_KEYS)
    assert sla.check("15") == 15.0
    with pytest.raises(ConfigError, match=r"policy.sla_minutes=0.0 is out of range; allowed: .*\[1, 100000\]"):
        sla.check("0")
    with pytest.raises(ConfigError, match="is not a number"):
        sla.check("soon")
    with pytest.raises(ConfigError, match="is not a whole number"):
        lever("sales.reps").check("2.5")


def test_command_line_and_preset_reproduce_the_setup(tmp_path):
    setup = start("speed_to_lead", SMALL).with_lever("marketing.mql_threshold", 70.0)
    line = command_line(setup)
    assert line.startswith("funnelsim run scenarios=speed_to_lead sim.days=120")
    assert line.endswith("sales.pickup=poll marketing.mql_threshold=70 sales.reps=4")  # levers moved from the preset
    assert "policy.sla_minutes" not in line  # the preset's own SLA is not repeated
    args = line.split()[2:]
    assert load_config(args) == load_config(setup.overrides())
    path = save_preset(setup, "workshop_a", tmp_path)
    text = path.read_text()
    assert text.startswith("# @package _global_")
    saved = yaml.safe_load(text)
    assert saved["scenario"] == "workshop_a" and saved["marketing"]["mql_threshold"] == 70.0
    assert saved["policy"]["sla_minutes"] == 5.0 and "sim" not in saved  # the preset's own levers; no run settings
    with pytest.raises(ConfigError, match="exists already"):
        save_preset(setup.with_lever("marketing.mql_threshold", 60.0), "workshop_a", tmp_path)
    assert yaml.safe_load(path.read_text())["marketing"]["mql_threshold"] == 70.0  # not overwritten
    with pytest.raises(ConfigError, match="not allowed"):
        save_preset(setup, "../escape", tmp_path)


@pytest.mark.slow
def test_worker_cancels_a_superseded_run_and_delivers_the_newest():
    worker = Worker()
    delivered, started = [], threading.Event()
    long = start("default", {**SMALL, "sim.days": "20000"}).overrides()
    short = start("default", SMALL).overrides()
    run_side(short, 1)  # compile first: a run is cancelled as a simulated day begins, not mid-compile

    def slow(check):
        started.set()
        return run_side(long, 1, check)

    worker.submit(slow, lambda r: delivered.append(("slow", r)), lambda e: delivered.append(("error", e)))
    assert started.wait(60)
    time.sleep(0.5)  # the long run is inside simulate now
    finished = threading.Event()
    worker.submit(
        lambda check: run_side(short, 2, check), lambda r: (delivered.append(("short", r)), finished.set()), print
    )
    assert finished.wait(300)
    assert [name for name, _ in delivered] == ["short"]
    assert worker.cancelled == 1
    result = delivered[0][1]
    assert len(result.summaries) == 2 and result.summaries[0]["days"] == 120


def test_paired_difference_with_replications():
    a = run_side(start("default", SMALL).overrides(), 3)
    b = run_side(start("default", SMALL).with_lever("policy.sla_minutes", 5.0).overrides(), 3)
    rows = {r["metric"]: r for r in compare(a, b)}
    assert rows["revenue"]["n"] == 3
    p50 = rows["response_minutes.p50"]
    assert p50["diff"] < 0 and p50["diff_low"] <= p50["diff"] <= p50["diff_high"] < 0  # reps check queues sooner
    assert rows["touched_within.5min"]["diff"] > 0
    # the same seeds under both: replication r of A and B share its seed, so equal setups differ by zero
    same = {r["metric"]: r for r in compare(a, a)}
    assert same["revenue"]["diff"] == 0 and same["revenue"]["diff_low"] == 0


@pytest.mark.slow
def test_browse_a_sweep_folder_without_running(tmp_path):
    from tests.sweep_fixture import shared_sweep

    folder = tmp_path / "small"
    shutil.copytree(shared_sweep(), folder)
    (folder / "plots").mkdir(exist_ok=True)
    (folder / "plots" / "revenue.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    seen = open_folder(folder)
    assert seen.kind == "sweep" and len(seen.table) == 4
    assert "revenue (vs baseline)" in seen.table.columns
    assert [p.name for p in seen.plots] == ["revenue.png"]
    opts, _, _ = parse([str(folder)])
    assert opts["folder"] == str(folder.resolve())


def test_browse_a_fit_folder(tmp_path):
    folder = tmp_path / "fit1"
    folder.mkdir()
    (folder / "fit.json").write_text('{"name": "acme", "preset": "/x/scenarios/acme.yaml", "trials": 40}')
    (folder / "targets.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    seen = open_folder(folder)
    assert seen.kind == "fit" and seen.preset == "acme"
    assert dict(zip(seen.table["field"], seen.table["value"], strict=True))["trials"] == "40"
    assert [p.name for p in seen.plots] == ["targets.png"]
    with pytest.raises(ConfigError, match="not a finished sweep or fit folder"):
        open_folder(tmp_path)


def test_bad_app_arguments_exit_2(tmp_path, capsys):
    assert cli_main(["app", "no_such_preset"]) == 2
    assert "not a preset" in capsys.readouterr().err
    assert cli_main(["app", str(tmp_path)]) == 2
    assert "not a finished sweep or fit folder" in capsys.readouterr().err
    assert cli_main(["app", "--port", "http"]) == 2
    assert cli_main(["app", "policy.sla_minutes=0"]) == 2
    assert "policy.sla_minutes=0.0 is out of range" in capsys.readouterr().err


# --- the page in a real browser ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = _free_port()
    args = ["app", "--port", str(port), "--days", SMALL["sim.days"]]
    args += [f"{k}={v}" for k, v in SMALL.items() if k != "sim.days"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"funnelsim app did not start: {proc.stdout.read().decode()}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


def _artifact_dir(tmp_path_factory) -> Path:
    folder = ROOT / "results" / "test-artifacts"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = tmp_path_factory.mktemp("test-artifacts")
    return folder


@pytest.mark.slow
def test_page_in_headless_chromium(app_url, tmp_path, tmp_path_factory):
    from playwright.sync_api import expect, sync_playwright

    errors = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 2400},
            permissions=["clipboard-read", "clipboard-write"],
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(app_url)
            p50_a = page.locator(".fs-val-A-response-minutes-p50")
            expect(p50_a).to_be_visible(timeout=120_000)
            expect(page.locator(".fs-diff-response-minutes-p50")).to_have_text("0 s")  # B opens as A
            before = p50_a.inner_text()
            response_before = page.locator(".fs-response-A").inner_text()

            # move A's SLA target: the response-time figures change, and A vs B shows a difference
            box = page.locator(".fs-A-policy-sla-minutes input")
            box.fill("5")
            box.press("Enter")
            expect(p50_a).not_to_have_text(before, timeout=60_000)
            expect(page.locator(".fs-progress")).to_have_count(0, timeout=60_000)
            assert page.locator(".fs-response-A").inner_text() != response_before
            expect(page.locator(".fs-response-A")).to_contain_text("target 5 min")
            diff = page.locator(".fs-diff-response-minutes-p50").inner_text()
            assert diff.startswith("+")  # B (1-hour target) answers later than A (5 minutes)
            expect(page.locator(".fs-command-A")).to_contain_text("policy.sla_minutes=5")
            after = p50_a.inner_text()
            copy = page.locator(".fs-side-A .fs-copy")
            copy.click()
            expect(copy).to_have_text("copied")
            assert page.evaluate("navigator.clipboard.readText()") == page.locator(".fs-command-A").inner_text()
            shot = _artifact_dir(tmp_path_factory) / "app.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
            assert shot.stat().st_size > 10_000

            # a value outside its range: a message next to the control, and nothing runs
            box.fill("0")
            box.press("Enter")
            message = page.locator(".fs-error-A-policy-sla-minutes")
            expect(message).to_contain_text("out of range")
            expect(message).to_contain_text("[1, 100000]")
            page.wait_for_timeout(1500)
            expect(page.locator(".fs-progress")).to_have_count(0)
            expect(p50_a).to_have_text(after)
            expect(page.locator(".fs-command-A")).to_contain_text("policy.sla_minutes=5")
        finally:
            browser.close()
    assert errors == []
