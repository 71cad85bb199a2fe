"""Rules from outside funnelsim: `module:function` named in the config, or the `funnelsim.policies`
entry point group (entry names `kind.name`, values `module:function`).

A plug-in is a compiled function (`numba.njit`) with its kind's arguments (`sim.policies.KINDS`).
Kernels inline the rules, so a plug-in must be registered before the first simulation in a
process compiles them; its source is part of the Numba cache key (`sim.numba_cache`).
"""

from __future__ import annotations

import importlib
import re
from importlib import metadata

from sim.policies.registry import KINDS, RULES, Rule, lead_index_problem, signature_problem

GROUP = "funnelsim.policies"
SPEC_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
BROKEN: dict[str, str] = {}  # entry-point rule names that failed to load -> why


class PluginError(ValueError):
    """A plug-in rule that cannot be used: not found, wrong signature, not compiled by Numba."""


def is_spec(value: str) -> bool:
    return isinstance(value, str) and bool(SPEC_RE.match(value))


def _load_function(kind: str, spec: str, label: str):
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # noqa: BLE001  (any import failure is reported with its cause)
        raise PluginError(f"{label}: module {module_name!r} cannot be imported ({type(err).__name__}: {err})") from err
    fn = getattr(module, attr, None)
    if fn is None:
        raise PluginError(f"{label}: module {module_name!r} has no function {attr!r}")
    if not hasattr(fn, "py_func"):
        raise PluginError(f"{label} is not compiled by Numba; decorate it with @numba.njit")
    problem = signature_problem(kind, fn)
    if problem:
        raise PluginError(f"{label} {problem}")
    return fn


def register(kind: str, spec: str, name: str | None = None, doc: str = "") -> str:
    """Register the function `spec` ('module:function') as a rule of `kind`; returns its name."""
    name = name or spec
    if name in RULES[kind]:
        return name
    from sim import numba_cache

    fn = _load_function(kind, spec, f"{KINDS[kind].key}={spec}")
    numba_cache.refuse_if_compiled(f"{KINDS[kind].key}={spec}")
    py = fn.py_func
    text = doc or ((py.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")) or f"plug-in {spec}"
    flags = dict(getattr(py, "funnelsim_flags", {}))
    RULES[kind][name] = Rule(kind, name, fn, text, flags, plugin=spec)
    _sort(kind)
    numba_cache.add_source(py.__module__)
    from sim.policies import dispatch

    dispatch.rebuild()
    return name


def _sort(kind: str) -> None:
    """Built-in rules keep their codes; plug-ins follow in name order, whatever order they came in."""
    rules = RULES[kind]
    builtin = [r for r in rules.values() if not r.plugin]
    extra = sorted((r for r in rules.values() if r.plugin), key=lambda r: r.name)
    rules.clear()
    rules.update({r.name: r for r in builtin + extra})


def load_entry_points() -> None:
    """Register every rule advertised under the `funnelsim.policies` entry point group."""
    for ep in metadata.entry_points(group=GROUP):
        kind, _, name = ep.name.partition(".")
        if kind not in KINDS or not name:
            BROKEN[ep.name] = f"entry point name {ep.name!r} is not 'kind.name' with kind one of {', '.join(KINDS)}"
            continue
        try:
            fn = _load_function(kind, ep.value, f"entry point {ep.name} = {ep.value}")
        except PluginError as err:
            BROKEN[name] = str(err)
            continue
        py = fn.py_func
        text = (py.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ") or f"plug-in {ep.value}"
        RULES[kind][name] = Rule(kind, name, fn, text, dict(getattr(py, "funnelsim_flags", {})), plugin=ep.value)
        _sort(kind)


def resolve(kind: str, value: str) -> str:
    """The registered rule name for a config value: a known name, or a `module:function` plug-in
    (registered on first use).  Raises PluginError naming the value and what is allowed."""
    if value in RULES[kind]:
        return value
    if value in BROKEN:
        raise PluginError(f"{KINDS[kind].key}={value} is a plug-in that failed to load: {BROKEN[value]}")
    if is_spec(value):
        return register(kind, value)
    raise PluginError(
        f"{KINDS[kind].key}={value!r} is not allowed; choose one of {', '.join(RULES[kind])} "
        "or name a plug-in as module:function"
    )


_ARG_TYPES = {"c": "int64", "exclude": "int64", "d": "int64", "r": "int64", "t": "float64", "minute": "float64"}


def check_compiles(S, P, in_use: dict[str, str]) -> None:
    """Compile the plug-in rules in use (kind -> name) for the run's state and parameters, so a rule
    that reads a lead clock by contact id, that Numba cannot compile, or that returns the wrong type,
    is named before anything runs."""
    from numba import typeof, types

    for kind, name in in_use.items():
        rule = RULES[kind].get(name)
        if rule is None or not rule.plugin or KINDS[kind].returns.startswith("("):
            continue
        label = f"{KINDS[kind].key}={name}"
        problem = lead_index_problem(kind, rule.fn)  # here, not at registration: workers register at import
        if problem:
            raise PluginError(f"{label} {problem}")
        args = tuple(
            typeof(S) if a == "S" else typeof(P) if a == "P" else getattr(types, _ARG_TYPES[a])
            for a in KINDS[kind].args
        )
        try:
            rule.fn.compile(args)
        except Exception as err:  # noqa: BLE001  (Numba's typing and lowering errors have many classes)
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise PluginError(f"{label} does not compile for funnelsim's state: {first}") from err
        ret = rule.fn.overloads[args].signature.return_type
        ok = {
            "int": isinstance(ret, types.Integer),
            "float": isinstance(ret, (types.Integer, types.Float)),
            "none": ret == types.none,
        }[KINDS[kind].returns]
        if not ok:
            raise PluginError(f"{label} returns {ret}; a {kind} rule returns {KINDS[kind].returns}")


ENV = "FUNNELSIM_POLICIES"  # "kind=module:function;..." registered at import, e.g. in sweep workers


def load_env() -> None:
    """Register the plug-ins a parent process named (a sweep's workers compile them in from the start)."""
    import os

    for item in filter(None, os.environ.get(ENV, "").split(";")):
        kind, _, spec = item.partition("=")
        if kind in KINDS and is_spec(spec):
            try:
                register(kind, spec)
            except Exception as err:  # noqa: BLE001  (reported when a config names the rule)
                BROKEN[spec] = str(err)


def export_env(specs: dict[str, set[str]]) -> None:
    """Name plug-ins (kind -> module:function specs) for worker processes started from here on."""
    import os

    items = [f"{k}={s}" for k in sorted(specs) for s in sorted(specs[k]) if is_spec(s)]
    old = [i for i in os.environ.get(ENV, "").split(";") if i]
    os.environ[ENV] = ";".join(dict.fromkeys(old + items))


def export_overrides(overrides: list[str]) -> None:
    """Name to worker processes every plug-in a list of KEY=VALUE overrides uses."""
    keys = {k.key: name for name, k in KINDS.items()}
    specs: dict[str, set[str]] = {}
    for ov in overrides:
        key, _, value = ov.partition("=")
        kind = keys.get(key.lstrip("+"))
        if kind and is_spec(value):
            specs.setdefault(kind, set()).add(value)
    if specs:
        export_env(specs)
