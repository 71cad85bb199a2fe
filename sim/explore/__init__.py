"""Decision analysis over the model: sensitivity (Morris, Sobol), optimisation, robustness, scenario discovery.

    from sim.explore import explore
    folder = explore("sobol", ["samples=32", "sim.days=180"])   # same settings as the command line

Each method reads conf/explore/<method>.yaml, runs its samples through the sweep launchers and
writes tidy Parquet tables, plots and explore.json into results/explore/<name>/.
"""

from sim.explore.api import explore

__all__ = ["explore"]
