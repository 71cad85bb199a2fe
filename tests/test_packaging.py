"""Packaging: a built wheel carries conf/ and scenarios/, installs with pip (not editable), and
`funnelsim run` works from a folder outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_config_folders_are_found_from_the_package():
    from sim.loading import CONF_DIR, SCENARIO_DIR, search_path_override

    assert (CONF_DIR / "config.yaml").is_file()
    assert (SCENARIO_DIR / "default.yaml").is_file()
    assert search_path_override() == f"hydra.searchpath=[file://{SCENARIO_DIR.parent}]"


@pytest.mark.slow
def test_wheel_installs_and_runs_from_any_folder(tmp_path):
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)], check=True)
    (wheel,) = dist.glob("funnelsim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"sim/conf/{p.relative_to(ROOT / 'conf')}" for p in (ROOT / "conf").rglob("*.yaml")}
    shipped |= {f"sim/scenarios/{p.name}" for p in (ROOT / "scenarios").glob("*.yaml")}
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"
    code = {f"{p.relative_to(ROOT)}" for d in ("sim", "agents") for p in (ROOT / d).rglob("*.py")}
    assert code <= names, f"modules missing from the wheel: {sorted(code - names)}"

    # A fresh venv that sees this environment's dependencies but not the checkout; the wheel goes in with pip.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True
    ).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([*pip, "--python", str(py), "install", "--no-deps", str(wheel)], check=True)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NUMBA_CACHE_DIR")}
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "numba")
    where = subprocess.run(
        [py, "-c", "import sim.loading as l; print(l.CONF_DIR)"], cwd=work, env=env, capture_output=True, text=True
    )
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where.stdout + where.stderr
    run = subprocess.run(
        [env_dir / "bin" / "funnelsim", "run", "sim.days=30", "market.accounts=200", "sales.reps=4"]
        + ["marketing.budget_scale=0.02", "sim.engine=reference", "scenarios=speed_to_lead"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert list((work / "results" / "runs").glob("*/summary.json")), sorted(map(str, work.rglob("*")))[:20]
