"""Pure-Python twins of the Numba behaviour functions, for the reference driver.

`pure(f)` rebuilds `f.py_func` with every compiled function it calls swapped for its own
pure twin, so the reference driver runs the very same code without any compiled step.
"""

from __future__ import annotations

import types

from numba.core.registry import CPUDispatcher

_cache: dict[int, types.FunctionType] = {}


def pure(fn):
    """The pure-Python version of a Numba dispatcher (or `fn` itself if it is not one)."""
    if not isinstance(fn, CPUDispatcher):
        return fn
    key = id(fn)
    if key in _cache:
        return _cache[key]
    src = fn.py_func
    env = dict(src.__globals__)
    twin = types.FunctionType(src.__code__, env, src.__name__, src.__defaults__, src.__closure__)
    _cache[key] = twin  # before recursing, so self-recursion resolves
    for name in src.__code__.co_names:
        value = env.get(name)
        if isinstance(value, CPUDispatcher):
            env[name] = pure(value)
        elif isinstance(value, types.ModuleType):
            env[name] = _pure_module(value)
    return twin


class _PureModule(types.SimpleNamespace):
    pass


_modules: dict[str, _PureModule] = {}


def _pure_module(mod: types.ModuleType):
    """A view of a module whose compiled functions are pure twins (for `rng.uniform(...)` calls)."""
    if not any(isinstance(v, CPUDispatcher) for v in vars(mod).values()):
        return mod
    if mod.__name__ not in _modules:
        view = _PureModule()
        _modules[mod.__name__] = view
        for k, v in vars(mod).items():
            setattr(view, k, pure(v) if isinstance(v, CPUDispatcher) else v)
    return _modules[mod.__name__]


def refresh(mod: types.ModuleType) -> None:
    """Re-read a module's compiled functions into its pure view (after they were regenerated)."""
    view = _modules.get(mod.__name__)
    if view is None:
        return
    for k, v in vars(mod).items():
        setattr(view, k, pure(v) if isinstance(v, CPUDispatcher) else v)
