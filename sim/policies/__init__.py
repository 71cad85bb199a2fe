"""Policy rules: routing, queue discipline, breach action, rejected leads, handoff timing and tier.

Each rule is one compiled function registered by kind and name (`sim.policies.registry`); the
built-in rules live in this package, one module per kind.  Rules from other packages join through
the `funnelsim.policies` entry point group or by naming `module:function` in the config
(`sim.policies.plugins`).  Both drivers call the rules through `sim.policies.dispatch`.
"""

from sim.policies import breach, discipline, handoff, plugins, rejected, routing  # noqa: F401  (registers the rules)
from sim.policies.registry import KINDS, RULES, Rule, code, get, names, rule

plugins.load_entry_points()

from sim.policies import dispatch  # noqa: E402  (built from every rule registered above)

plugins.load_env()

__all__ = ["KINDS", "RULES", "Rule", "code", "dispatch", "get", "names", "rule", "flag"]


def flag(kind: str, name: str, key: str, default=False):
    """A rule's declared property (e.g. routing `shared_queue`), or `default`."""
    return RULES[kind][name].flags.get(key, default)
