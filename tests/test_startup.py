"""Starting a run is cheap: parts of the libraries a run never uses are not imported, yet still work."""

import subprocess
import sys

SMALL = ["sim.days=30", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03"]


def test_a_run_does_not_import_mesa_experimental_and_it_still_loads_on_use():
    code = f"""
import sys
from sim import load_config, simulate
simulate(load_config({SMALL!r}))
assert "scipy.spatial" not in sys.modules, "a run imported SciPy's spatial module"
import mesa
from mesa.experimental.continuous_space import ContinuousSpace
from mesa.experimental import devs
assert "scipy.spatial" in sys.modules and ContinuousSpace.__name__ == "ContinuousSpace"
assert set(mesa.experimental.__all__) >= {{"devs", "continuous_space"}} and devs.__name__ == "mesa.experimental.devs"
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
