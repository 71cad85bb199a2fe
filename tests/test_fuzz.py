"""Property tests: generated values for every config key and every sweep setting give either exit 2
with a message naming the key and nothing written, or a successful run whose outputs are finite.

Runs in-process on a tiny market (a few hundred contacts, a few days) with a bounded, derandomized
number of examples, so the whole file takes about two minutes.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.config import schema_fields

TINY = ["sim.days=6", "market.accounts=120", "sales.reps=2", "marketing.budget_scale=0.01"]
FIELDS = schema_fields()
KEYS = [k for k in FIELDS if k != "scenario"] + ["scenario", "scenarios"]
# Upper ends for in-range values of keys that set the size of the run (the whole range is still
# probed by the out-of-range and garbage values).
PRACTICAL = {
    "sim.days": 10,
    "sim.threads": 4,
    "market.accounts": 300,
    "sales.reps": 40,
    "sales.sdrs": 4,
    "staffing.leads_per_hour": 5.0,
}
GARBAGE = [
    "nan",
    "inf",
    "-inf",
    "abc",
    "true",
    "null",
    "[]",
    "[1,2]",
    "''",
    "1e400",
    "-1",
    "0",
    "1.5",
    "1e308",
    "{a: 1}",
    "${oops}",
    "'7'",
    "x y",
]
# Summary metrics that are undefined (NaN, written as null) when nothing happened to average, and the
# response histogram's open top edge (infinity, written as null).
MAY_BE_UNDEFINED = (
    "cycle_days_mean",
    "response_minutes.",
    "response_business_minutes.",
    "sla_met_share",
    "touched_within.",
    "mql_after_hours_share",
    "conversion.",
    "response_histogram.edges",
    # ratios over counts that a tiny run may leave at zero (no MQL, SQL, opportunity or won deal)
    "economics.return_on_cost",
    "economics.cost_per_",
    "economics.deal_size_mean",
    "economics.pipeline_velocity_per_day",
)
FUZZ = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _fmt(x) -> str:
    return repr(float(x)) if isinstance(x, float) else str(x)


def _numbers(typ, meta, top=None):
    lo = meta.get("lo")
    hi = meta.get("hi") if top is None else min(top, meta.get("hi", top))
    if typ is int:
        return st.integers(int(lo), int(hi)).map(str)
    return st.floats(lo, hi, exclude_min=meta.get("lo_open", False)).map(_fmt)


def value_texts(key: str):
    """Override values for a key: inside its range (to run), outside it, of the wrong type, garbage."""
    if key == "scenarios":
        from sim.loading import scenario_names

        return st.sampled_from([*scenario_names(), "nope", "speed-to-lead", ""])
    typ, meta = FIELDS[key]
    garbage = st.sampled_from(GARBAGE)
    wild = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(_fmt), st.integers(-(2**66), 2**66).map(str))
    if "choices" in meta:
        return st.one_of(st.sampled_from(meta["choices"]), st.sampled_from(["bogus", "", meta["choices"][0].upper()]))
    if meta.get("preset"):
        return st.sampled_from(["default", "speed_to_lead", "nope"])
    if meta.get("name"):
        return st.one_of(
            st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True),
            st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=120),
            st.just("n" * 101),
        )
    if meta.get("symbol"):
        return st.sampled_from(["$", "EUR", "€", "", "toolong", " $", "\t"])
    if meta.get("path"):
        return st.sampled_from(["out", "out/deeper", "", "afile", "afile/sub", "x" * 300, "results/runs"])
    if typ is bool:
        return st.sampled_from(["true", "false", "maybe", "2", "nan", "[]"])
    if key in PRACTICAL:  # allowed but too large for a quick test
        wild = wild.filter(lambda t: not PRACTICAL[key] < float(t) <= meta["hi"])
    if typ in (int, float):
        return st.one_of(_numbers(typ, meta, PRACTICAL.get(key)), wild, garbage)
    lo, hi = meta["min_len"], meta["max_len"] or 30
    good = _numbers(float, meta)
    element = st.one_of(good, good, wild, st.sampled_from(["nan", "inf", "abc", "true", "null"]))
    exact = st.lists(good, min_size=lo, max_size=min(hi, 30))
    return st.one_of(
        exact.map(lambda xs: "[" + ",".join(xs) + "]"),
        st.lists(element, max_size=min(hi + 2, 32)).map(lambda xs: "[" + ",".join(xs) + "]"),
        garbage,
    )


def tiny(*keys: str) -> list[str]:
    """The tiny market, less the keys a test sets itself."""
    return [t for t in TINY if t.split("=", 1)[0] not in keys]


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def names_key(key: str, err: str) -> bool:
    """The message names the key (rules over a family of keys name its last part, e.g. budget_per_day)."""
    return key in err or key.rsplit(".", 1)[-1] in err


def assert_finite_run(folder: Path) -> None:
    summary = json.loads((folder / "summary.json").read_text())

    def walk(obj, path=""):
        if isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, f"{path}{k}.")
        elif isinstance(obj, list):
            for v in obj:
                walk(v, path)
        elif obj is None:
            assert path.startswith(MAY_BE_UNDEFINED), f"summary {path[:-1]} is not a finite number"
        elif isinstance(obj, float):
            assert math.isfinite(obj), path

    walk(summary)
    for table in ("daily", "deals"):
        df = pd.read_parquet(folder / f"{table}.parquet").select_dtypes("number")
        assert df.notna().all().all() and (df.abs() < float("inf")).all().all(), table


def run_in(work: Path, argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    old = os.getcwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            rc = main(argv)
    finally:
        os.chdir(old)
    return rc, err.getvalue()


@pytest.mark.parametrize("key", KEYS)
@FUZZ
@given(data=st.data())
def test_every_config_key_is_checked_or_runs_finite(key, data):
    text = data.draw(value_texts(key), label=key)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "afile").write_text("x")
        rc, err = run_in(work, ["run", *tiny(key), f"{key}={text}"])
        written = [f for f in files(work) if f != "afile"]
        if rc == 2:
            assert names_key(key, err), err
            assert written == [], written
        else:
            assert rc == 0, err
            (summary,) = [f for f in written if f.endswith("summary.json")]
            assert_finite_run(work / Path(summary).parent)


IN_RANGE = [k for k, (typ, meta) in FIELDS.items() if typ in (int, float) or "choices" in meta or "min_len" in meta]


def in_range_texts(key: str):
    typ, meta = FIELDS[key]
    if "choices" in meta:
        return st.sampled_from(meta["choices"])
    if typ in (int, float):
        return _numbers(typ, meta, PRACTICAL.get(key))
    lo, hi = meta["min_len"], min(meta["max_len"] or 30, 30)
    return st.lists(_numbers(float, meta), min_size=lo, max_size=hi).map(lambda xs: "[" + ",".join(xs) + "]")


@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_allowed_values_together_run_finite_or_name_a_key(data):
    """Several keys at once, each inside its range: a finite run, or a rule across keys that names one."""
    keys = data.draw(st.lists(st.sampled_from(IN_RANGE), min_size=2, max_size=5, unique=True), label="keys")
    overrides = [f"{k}={data.draw(in_range_texts(k), label=k)}" for k in keys]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rc, err = run_in(work, ["run", *tiny(*keys), *overrides])
        if rc == 2:
            assert any(names_key(k, err) for k in keys), err
            assert files(work) == []
        else:
            assert rc == 0, err
            (summary,) = [f for f in files(work) if f.endswith("summary.json")]
            assert_finite_run(work / Path(summary).parent)


# Sweep settings: generated values for each, on a two-scenario grid of a tiny market.
SWEEP_GRID = ["policy.sla_minutes=5,60", "marketing.mql_threshold=58", "policy.handoff.mode=realtime"]
SWEEP_DEFAULTS = {"replications": "1", "launcher": "basic", "plots": "false", "quiet": "true", "name": "s"}
SETTING_TEXTS = {  # allowed values first: Hypothesis tries its simplest (first) choices first
    "sweep": st.sampled_from(["default", "nope", "../default", "", "x" * 120]),
    "replications": st.one_of(
        st.sampled_from(["1", "2"]), st.sampled_from(["0", "-3", "abc", "1.5", "1e3", "", "10001"])
    ),
    "root_seed": st.one_of(st.integers(0, 2**63 - 1).map(str), st.integers(-(2**64), 2**64).map(str), st.just("abc")),
    "name": st.one_of(
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True),
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=110),
    ),
    "launcher": st.sampled_from(["basic", "joblib", "ray", "jobib", "", "BASIC"]),
    "workers": st.one_of(st.sampled_from(["1", "2"]), st.sampled_from(["0", "-1", "abc", "1.5", "", "257"])),
    "address": st.sampled_from(["127.0.0.1:1", "nohostport", ":80", "h:99999", ""]),
    "csv": st.sampled_from(["true", "false", "maybe", "1", ""]),
    "quiet": st.sampled_from(["true", "false", "yes", ""]),
    "plots": st.sampled_from(["false", "maybe", "0", ""]),
    "dir": st.sampled_from(["out", "deep/er", "", "afile", "afile/x", "results/runs/r1"]),
}


def _run_pending_in_process(folder, plan, pending, launcher, workers, quiet, address=None):
    """Stands in for the launchers (their processes cost seconds): each pending job in this process."""
    from sim.sweep.job import run_job

    for j in pending:
        run_job(Path(folder).resolve(), j)


@pytest.mark.parametrize("setting", sorted(SETTING_TEXTS))
@settings(FUZZ, max_examples=4)
@given(data=st.data())
def test_every_sweep_setting_is_checked_or_runs_finite(setting, data, monkeypatch_module):
    text = data.draw(SETTING_TEXTS[setting], label=setting)
    given_settings = {**SWEEP_DEFAULTS, setting: text}
    if setting in ("workers", "address"):
        given_settings["launcher"] = "joblib" if setting == "workers" else "ray"
    argv = ["sweep", *TINY, *SWEEP_GRID, *(f"{k}={v}" for k, v in given_settings.items())]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "afile").write_text("x")
        (work / "results/runs/r1").mkdir(parents=True)
        (work / "results/runs/r1/summary.json").write_text("{}")
        (work / "results/runs/r1/config.yaml").write_text("{}")
        before = files(work)
        rc, err = run_in(work, argv)
        if rc == 2:
            assert f"{setting}=" in err or f"{setting} " in err or "launcher=ray" in err, err
            assert files(work) == before
        else:
            assert rc == 0, err
            (runs,) = [work / f for f in files(work) if f.endswith("runs.parquet")]
            df = pd.read_parquet(runs)
            assert (df.status == "ok").all() and len(df) == 2 * df.replication.nunique()
            assert (
                df.select_dtypes("number")
                .drop(columns=["root_seed", "seed"])
                .apply(lambda c: c.dropna().abs().lt(float("inf")).all())
                .all()
            )


@pytest.fixture(scope="module")
def monkeypatch_module():
    """The launchers replaced by in-process jobs for this module's sweeps."""
    import sim.sweep.launch

    mp = pytest.MonkeyPatch()
    mp.setattr(sim.sweep.launch, "run_pending", _run_pending_in_process)
    yield mp
    mp.undo()
