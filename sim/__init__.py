"""funnelsim: agent-based simulation of B2B marketing-to-sales funnels."""

from sim.config import ConfigError, FunnelConfig
from sim.loading import load_config
from sim.run import Result, simulate

__version__ = "0.1.0"
__all__ = ["ConfigError", "FunnelConfig", "Result", "load_config", "simulate", "__version__"]
