"""Starting a run is cheap: parts of the libraries a run never uses are not run, yet still work on use."""

import subprocess
import sys

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
