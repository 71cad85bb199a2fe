"""Import Mesa without paying for parts a run never uses.

`import mesa` also imports `mesa.experimental`, whose continuous space pulls in SciPy's spatial module
(about a third of a second).  Before Mesa is first imported, that sub-package is registered as a module
whose code runs when one of its names is first asked for, so `mesa.experimental...` still works for
anyone who uses it.  (`importlib.util.LazyLoader` would load it at once: the import system reads the
module's `__spec__`, which here is there without running the package.)
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

DEFERRED = ("mesa.experimental",)


def defer(name: str) -> bool:
    """Register package `name` to run when first touched; False if it (or its parent) is already
    imported or cannot be found, in which case nothing changes."""
    parent = name.rpartition(".")[0]
    if name in sys.modules or parent in sys.modules:
        return False
    try:
        parent_spec = importlib.util.find_spec(parent)  # finds the top-level package without running it
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
    return True


class _Deferred(types.ModuleType):
    """A package whose code has not run yet: asking for a name it does not have yet runs it."""

    def __getattr__(self, attr: str):
        self.__class__ = types.ModuleType
        self.__spec__.loader.exec_module(self)
        return getattr(self, attr)


def defer_unused() -> None:
    for name in DEFERRED:
        defer(name)
