"""Hostile input: every bad value is a clear exit 2 that writes nothing, labels describe what was
simulated, and commands write only into the folders they own (one test per class of defect)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim import ConfigError, load_config, simulate
from sim.cli import main
from sim.model import FunnelModel

TINY = ["sim.days=8", "market.accounts=120", "sales.reps=2", "marketing.budget_scale=0.01"]
SWEEP = [*TINY, "plots=false", "quiet=true", "launcher=basic", "replications=1"]
PINS = ["marketing.mql_threshold=58", "policy.handoff.mode=realtime"]  # pin the default sweep's other levers


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*"))


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    """Run in an empty folder, so anything written (even outside results/) shows up."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def refused(capsys, argv: list[str], *needles: str) -> str:
    """The command exits 2 and its message names every needle."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


# 1. A label always describes what was simulated.


def test_the_preset_is_chosen_by_one_key_and_recorded_as_simulated(cwd, capsys):
    refused(capsys, ["run", *TINY, "scenario=speed_to_lead"], "scenario=speed_to_lead", "scenarios=speed_to_lead")
    refused(capsys, ["run", *TINY, "scenarios=nope"], "scenarios='nope'", "speed_to_lead")
    refused(capsys, ["run", *TINY, "scenarios=speed_to_led"], "did you mean speed_to_lead?")
    assert files(cwd) == []
    fast = load_config([*TINY, "scenarios=speed_to_lead"])
    assert fast.scenario == "speed_to_lead" and fast.policy.sla_minutes == 5
    assert load_config(TINY).policy.sla_minutes != 5
    main(["keys"])
    rows = {ln.split()[0] for ln in capsys.readouterr().out.splitlines()}
    assert "scenarios" in rows and "scenario" not in rows


def test_every_preset_records_its_own_name():
    from sim.loading import scenario_names

    for name in scenario_names():
        assert load_config(scenario=name).scenario == name


# 2. Nothing is written over or outside what a command owns.


@pytest.mark.parametrize("name", ["../../x", "/tmp/funnelsim-escape", "sub/dir", "a" * 250, ".hidden", ".."])
def test_run_names_stay_inside_their_folder(cwd, capsys, name):
    refused(capsys, ["run", *TINY, f"output.name={name}"], "output.name=")
    assert files(cwd) == [] and not Path("/tmp/funnelsim-escape").exists()


def test_sweep_never_writes_into_a_run_folder(cwd, capsys):
    run = cwd / "results" / "runs" / "r1"
    assert main(["run", *TINY, "output.name=r1"]) == 0
    before = {p: p.read_bytes() for p in run.rglob("*") if p.is_file()}
    capsys.readouterr()
    refused(capsys, ["sweep", *SWEEP, *PINS, "dir=results/runs", "name=r1", "policy.sla_minutes=5,60"], "r1")
    assert {p: p.read_bytes() for p in run.rglob("*") if p.is_file()} == before
    refused(capsys, ["sweep", *SWEEP, *PINS, f"dir={run}", "name=s", "policy.sla_minutes=5,60"], "run folder")
    refused(capsys, ["run", *TINY, "output.dir=results/runs/r1"], "output.dir=", "run folder")
    assert {p: p.read_bytes() for p in run.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("name", ["../../x", "", "/abs", "a/b", "x" * 101])
def test_sweep_names_stay_inside_their_folder(cwd, capsys, name):
    refused(capsys, ["sweep", *SWEEP, *PINS, f"name={name}", "policy.sla_minutes=5,60"], "name=")
    assert files(cwd) == []


# 3. Nonsense is refused, not quietly turned into something else.


@pytest.mark.parametrize(
    "override,needle",
    [
        ("market.smb.deal_value=inf", "market.smb.deal_value=inf"),
        ("market.smb.deal_value=nan", "market.smb.deal_value=nan"),
        ("staffing.hourly_profile=[nan" + ",1" * 23 + "]", "staffing.hourly_profile[0]=nan"),
        ("staffing.weekday_profile=[1,1,1,1,1,1,inf]", "staffing.weekday_profile[6]=inf"),
        ("staffing.weekday_profile=[1,1]", "staffing.weekday_profile"),
        ("policy.routing_weights=[inf,1]", "policy.routing_weights[0]=inf"),
        ("policy.routing_weights=[]", "policy.routing_weights"),
        ("policy.cadence_minutes=[0,60,nan,100,200,300]", "policy.cadence_minutes[2]=nan"),
        ("output.leads=maybe", "output.leads=maybe"),
        ("sales.sdrs=1.5", "whole number"),
        ("sim.seed=-1", "sim.seed=-1"),
        ("sim.engine=fats", "did you mean fast?"),
    ],
)
def test_nonsense_values_are_refused(cwd, capsys, override, needle):
    refused(capsys, ["run", *TINY, override], needle)
    assert files(cwd) == []


@pytest.mark.parametrize(
    "args,needle",
    [
        (["workers=-1", "launcher=joblib"], "workers='-1'"),
        (["workers=0", "launcher=joblib"], "workers='0'"),
        (["workers=2"], "launcher=basic"),
        (["plots=maybe"], "plots='maybe'"),
        (["csv=1"], "csv='1'"),
        (["policy.sla_minutes=5,5"], "twice"),
        (["root_seed=-1"], "root_seed='-1'"),
        (["replications=abc"], "replications='abc'"),
        (["replications=2.5"], "replications='2.5'"),
        (["sim.seed=3"], "sim.seed"),
        (["output.leads=true"], "output.leads"),
        (["replication=3"], "did you mean replications?"),
        (["name=a", "name=b"], "name= is given twice"),
    ],
)
def test_bad_sweep_settings_are_refused_before_anything_is_written(cwd, capsys, args, needle):
    base = [a for a in SWEEP if a.split("=")[0] not in {x.split("=")[0] for x in args}]
    grid = [] if any(a.startswith("policy.sla_minutes") for a in args) else ["policy.sla_minutes=5,60"]
    refused(capsys, ["sweep", *base, *PINS, *grid, *args], needle)
    assert files(cwd) == []


@pytest.mark.parametrize("command", [["keys", "foo"], ["keys", "--markdown", "x"], ["scenarios", "foo"]])
def test_listings_refuse_stray_arguments(capsys, command):
    refused(capsys, command, repr(command[-1]))


# 4. Failures come as exit 2 before the simulation, never as a traceback after it.


def test_target_problems_are_found_before_the_simulation(cwd, capsys, monkeypatch):
    import sim.run

    def boom(*a, **k):
        raise AssertionError("simulated although the target was bad")

    monkeypatch.setattr(sim.run, "simulate", boom)
    (cwd / "afile").write_text("x")
    refused(capsys, ["run", *TINY, "output.dir=afile"], "output.dir='afile'", "file")
    refused(capsys, ["run", *TINY, "output.dir=afile/sub"], "output.dir='afile/sub'")
    refused(capsys, ["run", *TINY, "output.dir="], "output.dir=")
    assert files(cwd) == ["afile"]


def test_a_full_disk_is_found_before_the_simulation(cwd, capsys, monkeypatch):
    import shutil

    import sim.output

    monkeypatch.setattr(sim.output.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9, 1000))
    refused(capsys, ["run", *TINY], "output.dir='results/runs'", "MB free")
    assert files(cwd) == []


def test_a_run_that_cannot_be_written_at_the_end_is_saved_under_a_recovery_name(cwd, capsys, monkeypatch):
    import sim.output

    real = sim.output.write_tables
    calls = []

    def full_disk(folder, tables, csv):
        calls.append(folder)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        real(folder, tables, csv)

    monkeypatch.setattr(sim.output, "write_tables", full_disk)
    assert main(["run", *TINY, "output.name=mine"]) == 1
    err = capsys.readouterr().err
    (saved,) = (cwd / "results" / "runs").iterdir()
    assert saved.name.startswith("mine.recovered-") and saved.name in err and "No space left" in err
    assert json.loads((saved / "summary.json").read_text())["waterfall"]
    assert [p for p in files(cwd) if ".tmp" in p or "/." in p] == []


def test_a_corrected_sweep_runs_after_a_refused_one(cwd, capsys):
    args = ["sweep", *SWEEP, *PINS, "name=s", "policy.sla_minutes=5,60"]
    refused(capsys, [*args, "root_seed=-1"], "root_seed")
    assert files(cwd) == []
    assert main([*args, "root_seed=3"]) == 0
    assert (cwd / "results" / "sweeps" / "s" / "runs.parquet").exists()


def test_sweep_files_are_checked(tmp_path, monkeypatch, capsys):
    import sim.sweep.spec as spec

    monkeypatch.setattr(spec, "SWEEP_DIR", tmp_path)
    monkeypatch.chdir(tmp_path)
    cases = {
        "broken": ("grid: [a\nname: x", "not valid YAML"),
        "listgrid": ("grid:\n  - policy.sla_minutes\n", "grid must be a map"),
        "words": ('replications: "three"\ngrid: {policy.sla_minutes: [5, 60]}', "replications='three'"),
        "typo": ("gird: {policy.sla_minutes: [5, 60]}", "did you mean grid?"),
        "twice": ("scenarios: [{policy.sla_minutes: 5}, {policy.sla_minutes: 5}]", "twice"),
    }
    for name, (text, _) in cases.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    before = files(tmp_path)
    for name, (_, needle) in cases.items():
        refused(capsys, ["sweep", f"sweep={name}", *TINY, "quiet=true"], needle)
    refused(capsys, ["sweep", "sweep=../x"], "sweep='../x'")
    assert files(tmp_path) == before


# 5. Unknown keys are refused, with a suggestion.


@pytest.mark.parametrize(
    "override,needle",
    [
        ("+sim.foo=1", "sim.foo is not a config key"),
        ("++sim.foo=1", "sim.foo is not a config key"),
        ("sim.dayz=30", "did you mean sim.days?"),
        ("policy.sla_minute=5", "did you mean policy.sla_minutes?"),
        ("~sim.seed", "removing a key"),
        ("hydra.job.name=x", "Hydra settings"),
    ],
)
def test_unknown_keys_are_refused(cwd, capsys, override, needle):
    err = refused(capsys, ["run", *TINY, *override.split()], needle)
    assert "+key" not in err and "+sim" not in err.split(needle)[-1]
    assert files(cwd) == []


# 6. The Python API raises the project's config error.


def test_api_errors_are_config_errors():
    cfg = load_config(TINY)
    cfg.sales.reps = "five"
    with pytest.raises(ConfigError, match=r"sales.reps='five'"):
        simulate(cfg)
    cfg = load_config(TINY)
    cfg.policy.routing_weights = [1.0, float("inf")]
    with pytest.raises(ConfigError, match=r"policy.routing_weights\[1\]=inf"):
        simulate(cfg)
    with pytest.raises(ConfigError, match="sim.seed='abc'"):
        FunnelModel(seed="abc", sim__days=5)
    with pytest.raises(ConfigError, match="sim.days=2.5"):
        FunnelModel(days=2.5)
    with pytest.raises(ConfigError, match="did you mean sim.days"):
        FunnelModel(sim__dayz=5)
    with pytest.raises(ConfigError):
        simulate("sim.days=5")
    with pytest.raises(ConfigError):
        load_config("sim.days=5")
    with pytest.raises(ConfigError, match="leads='yes'"):
        simulate(load_config(TINY), leads="yes")


def test_unknown_commands_get_a_suggestion(capsys):
    refused(capsys, ["swep"], "did you mean sweep?")


def test_plain_numbers_from_numpy_are_accepted():
    import numpy as np

    model = FunnelModel(seed=np.int64(3), days=np.int32(4), market__accounts=120, marketing__budget_scale=0.01)
    assert model.config.sim.seed == 3 and type(model.config.sim.seed) is int
