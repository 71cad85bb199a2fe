"""Start a run without running library code it never uses.

`import mesa` also imports `mesa.experimental`, whose continuous space pulls in SciPy's spatial module;
Numba's first compile or cache load checks for BLAS by importing `scipy.linalg.cython_blas`, which runs
all of `scipy.linalg`; and importing `scipy.special` touches every name of NumPy, which imports
`numpy.testing` and `numpy.f2py`.  Before they are first imported, these packages are registered as
modules whose code runs when one of their names is first asked for; their sub-modules import as usual,
so `mesa.experimental...` and `scipy.linalg...` still work for anyone who uses them.
(`importlib.util.LazyLoader` would run them at once: the import system reads a module's `__spec__`,
which here is there without running the package.)
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from pathlib import Path

DEFERRED = ("mesa.experimental", "scipy.linalg", "numpy.testing", "numpy.f2py")


def defer(name: str) -> bool:
    """Register package `name` to run when first touched; False if it is already imported or cannot be
    found, in which case nothing changes."""
    parent = name.rpartition(".")[0]
    if name in sys.modules or (parent in sys.modules and name.rpartition(".")[2] in vars(sys.modules[parent])):
        return False
    try:
        parent_spec = importlib.util.find_spec(parent)  # finds a top-level package without running it
    except (ImportError, ValueError):
        return False
    if parent_spec is None or not parent_spec.submodule_search_locations:
        return False
    folder = Path(next(iter(parent_spec.submodule_search_locations))) / name.rpartition(".")[2]
    init = folder / "__init__.py"
    if not init.is_file():
        return False
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None:
        return False
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    sys.modules[name] = module
    if parent in sys.modules:  # as the import system would (NumPy's own __getattr__ relies on it)
        setattr(sys.modules[parent], name.rpartition(".")[2], module)
    return True


_LOCK = threading.RLock()  # one package runs at a time; other threads wait for it, as with a normal import


class _Deferred(types.ModuleType):
    """A package whose code has not run yet: asking for a name it does not have yet runs it.  While it
    runs, its own imports see it as a package being imported (missing names are missing)."""

    def __getattr__(self, attr: str):
        with _LOCK:
            if type(self) is _Deferred:
                if self.__dict__.get("__deferred_running__"):
                    raise AttributeError(f"partially initialized module {self.__name__!r} has no attribute {attr!r}")
                self.__dict__["__deferred_running__"] = True
                try:
                    self.__spec__.loader.exec_module(self)
                except BaseException:
                    sys.modules.pop(self.__name__, None)  # as a failed import leaves it
                    raise
                finally:
                    del self.__dict__["__deferred_running__"]
                    self.__class__ = types.ModuleType
        return getattr(self, attr)


def defer_unused() -> None:
    import numpy  # noqa: F401  (imported by every run anyway; its sub-packages are then set as attributes)

    for name in DEFERRED:
        defer(name)
