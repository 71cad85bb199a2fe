"""funnelsim: agent-based simulation of B2B marketing-to-sales funnels."""

from sim import lazy_imports, numba_cache

numba_cache.configure()  # before Numba is imported: the cache folder is keyed to the sources
lazy_imports.defer_unused()  # before Mesa is imported: its SciPy-backed experimental parts load on first use

from sim.config import ConfigError, FunnelConfig  # noqa: E402
from sim.loading import load_config  # noqa: E402
from sim.run import Result, simulate  # noqa: E402

__version__ = "0.1.0"
__all__ = ["ConfigError", "FunnelConfig", "Result", "load_config", "simulate", "__version__"]
