"""One compiled switch per kind of rule, generated from the registry.

`route(S, P, c, exclude)` calls the routing rule whose code is `P.routing`, and so on for each
kind.  The queue discipline's switch is inlined into the queue scan (it runs for every due lead);
the other switches are compiled once as internal functions and called, since inlining a switch
copies every rule of its kind into each caller and multiplies compile time.  The reference driver
runs their pure-Python twins (`sim.pure`).
"""

from __future__ import annotations

from numba import njit

from sim.numba_cache import INTERNAL
from sim.policies.registry import KINDS, RULES

# kind -> (switch name, parameter field holding the code)
SWITCHES = {
    "routing": ("route", "routing"),
    "discipline": ("queue_key", "discipline"),
    "breach": ("breach", "breach_action"),
    "rejected": ("reject", "rejected_mode"),
    "timing": ("routed_time", "handoff_mode"),
}


CALLED = ("routing", "breach", "rejected", "timing")  # compiled once and called; the discipline is inlined


def _switch_source(kind: str) -> str:
    name, code_field = SWITCHES[kind]
    args = ", ".join(KINDS[kind].args)
    ret = "" if KINDS[kind].returns == "none" else "return "
    rules = list(RULES[kind])
    lines = [f"def {name}({args}):", f"    k = P.{code_field}"]
    if len(rules) == 1:
        return "\n".join([*lines, f"    {ret}_{kind}_0({args})"]) + "\n"
    for i in range(len(rules)):
        head = "if" if i == 0 else "elif"
        if i == len(rules) - 1 and i > 0:
            lines.append("    else:")
        else:
            lines.append(f"    {head} k == {i}:")
        lines.append(f"        {ret}_{kind}_{i}({args})")
    return "\n".join(lines) + "\n"


def build(namespace: dict) -> None:
    """(Re)generate every switch into `namespace` from the rules registered now."""
    for kind in SWITCHES:
        for i, r in enumerate(RULES[kind].values()):
            namespace[f"_{kind}_{i}"] = r.fn
        local: dict = {}
        exec(compile(_switch_source(kind), f"<funnelsim {kind} switch>", "exec"), namespace, local)
        fn = next(iter(local.values()))
        fn.__module__ = __name__
        namespace[SWITCHES[kind][0]] = njit(**INTERNAL)(fn) if kind in CALLED else njit(inline="always")(fn)


build(globals())


def rebuild() -> None:
    """Regenerate the switches after a plug-in joined, and the reference driver's twins of them."""
    import sys

    from sim import pure

    build(globals())
    pure.refresh(sys.modules[__name__])
