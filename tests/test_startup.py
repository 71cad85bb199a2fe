"""Starting a run is cheap: parts of the libraries a run never uses are not run, yet still work on use."""

import subprocess
import sys

import pytest

SMALL = ["sim.days=30", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03"]


def test_a_run_leaves_unused_packages_unrun_and_they_still_work_on_use():
    code = f"""
import sys
from sim import load_config, simulate
simulate(load_config({SMALL!r}))
assert "scipy.spatial" not in sys.modules, "a run imported SciPy's spatial module"
assert "scipy.linalg._decomp" not in sys.modules, "a run ran scipy.linalg"
assert "numpy.testing._private.utils" not in sys.modules and "numpy.f2py.crackfortran" not in sys.modules
import mesa
from mesa.experimental.continuous_space import ContinuousSpace
from mesa.experimental import devs
assert "scipy.spatial" in sys.modules and ContinuousSpace.__name__ == "ContinuousSpace"
assert set(mesa.experimental.__all__) >= {{"devs", "continuous_space"}} and devs.__name__ == "mesa.experimental.devs"
import numpy as np
from scipy import linalg
from numpy.testing import assert_allclose
assert_allclose(linalg.solve([[2.0]], [4.0]), [2.0])
np.testing.assert_equal(np.f2py.__name__, "numpy.f2py")
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_a_deferred_package_runs_once_for_racing_threads_and_a_failure_is_raised(tmp_path, monkeypatch):
    import threading

    from sim import lazy_imports

    parent = tmp_path / "funnelsim_defer_probe"
    (parent / "slow").mkdir(parents=True)
    (parent / "bad").mkdir()
    (parent / "__init__.py").write_text("")
    (parent / "slow" / "__init__.py").write_text("import time\nRUNS = []\ntime.sleep(0.2)\nRUNS.append(1)\nX = 7\n")
    (parent / "bad" / "__init__.py").write_text("raise RuntimeError('broken package')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("funnelsim_defer_probe.slow", "funnelsim_defer_probe.bad"):
        monkeypatch.delitem(sys.modules, name, raising=False)
        assert lazy_imports.defer(name)
    slow = sys.modules["funnelsim_defer_probe.slow"]
    got = []
    threads = [threading.Thread(target=lambda: got.append(slow.X)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [7, 7, 7, 7] and slow.RUNS == [1]
    bad = sys.modules["funnelsim_defer_probe.bad"]
    with pytest.raises(RuntimeError, match="broken package"):
        getattr(bad, "anything")  # noqa: B009
    assert "funnelsim_defer_probe.bad" not in sys.modules
