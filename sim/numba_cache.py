"""Numba's cache folder, named by a hash of every source a kernel can call.

Numba keys a cached kernel to the file that defines it, not to the functions it calls or inlines,
so an edited process or rule could silently run old code.  Here the whole cache lives in a folder
named by a hash of the compiled sources (processes, policies, state, random numbers, kernels) and
of every plug-in rule's module, so any edit compiles afresh.  Set before Numba is imported.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Everything the compiled kernels call, inline or read the types of.
COMPILED = (
    "processes",
    "policies",
    "rng.py",
    "kernels.py",
    "state.py",
    "stages.py",
    "params.py",
    "touches.py",
    "touch_log.py",
    "lowering.py",
    "sync.py",
)
# Flags of the functions that only compiled code calls (`@njit(cache=True, **INTERNAL)`): no Python entry
# point (the wrapper that unboxes the whole state costs about a second of compile time per function) and
# no reference counting (they allocate nothing).  Such a function must not be called from Python (it has
# no entry point); tests call its pure-Python twin, `sim.pure.pure(fn)`.  Each is compiled once per
# signature, so callers pass one set of argument types (`np.int64(...)` for indices read from int32 arrays).
# They are also lowered by `sim.lowering`'s pipeline (the state and parameter tuples kept as values).  Its
# class is imported when the flags are first read, as Numba is being imported, so this module stays free of Numba.


class _Flags(Mapping):
    """Flags for `njit(**flags)`, with `sim.lowering`'s pipeline class added when they are read."""

    def __init__(self, **flags):
        self._flags = flags

    def _all(self) -> dict:
        from sim.lowering import TupleValueCompiler

        return {**self._flags, "pipeline_class": TupleValueCompiler}

    def __getitem__(self, key):
        return self._all()[key]

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._flags) + 1


INTERNAL = _Flags(no_cpython_wrapper=True, no_cfunc_wrapper=True, _nrt=False)
BASE_ENV = "FUNNELSIM_NUMBA_BASE"  # the cache's parent folder, passed on to worker processes
_extra: list[str] = []  # modules of plug-ins registered in this process


def compiled_files(root: Path = ROOT) -> list[Path]:
    out = []
    for name in COMPILED:
        p = root / name
        out.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    return out


def module_file(module: str) -> Path | None:
    """The source file of `module` without running it (None if it cannot be found)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


def plugin_modules() -> list[str]:
    """Modules of the rules advertised under the `funnelsim.policies` entry points."""
    return sorted({ep.value.partition(":")[0] for ep in metadata.entry_points(group="funnelsim.policies")})


def cache_key(root: Path = ROOT, modules: list[str] | tuple[str, ...] = ()) -> str:
    """A short hash of the compiled sources under `root`, the plug-in modules and the Numba version."""
    h = hashlib.sha256()
    try:
        h.update(metadata.version("numba").encode())
    except metadata.PackageNotFoundError:
        pass
    for f in compiled_files(root):
        h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    for m in sorted(set(modules)):
        f = module_file(m)
        h.update(m.encode() + b"\0" + (f.read_bytes() if f and f.exists() else b"missing") + b"\0")
    return h.hexdigest()[:16]


def base_dir() -> Path:
    """The parent of the keyed cache folders: NUMBA_CACHE_DIR if the user set it, else ~/.cache/funnelsim/numba."""
    base = os.environ.get(BASE_ENV)
    user = os.environ.get("NUMBA_CACHE_DIR")
    if user and (not base or Path(user).parent != Path(base)):  # set by the user, not passed on by funnelsim
        base = user
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "funnelsim", "numba")
    return Path(base)


def cache_dir() -> Path:
    return base_dir() / cache_key(ROOT, [*plugin_modules(), *_extra])


def configure() -> Path:
    """Point Numba's cache at the folder for the current sources (and tell worker processes)."""
    base = base_dir()
    os.environ[BASE_ENV] = str(base)
    path = cache_dir()
    os.environ["NUMBA_CACHE_DIR"] = str(path)
    if "numba" in sys.modules:
        sys.modules["numba"].config.CACHE_DIR = str(path)
    return path


def _dispatchers():
    from numba.core.registry import CPUDispatcher

    for name, mod in list(sys.modules.items()):
        if mod is None or not (name == "sim" or name.startswith("sim.")):
            continue
        for value in list(vars(mod).values()):
            if isinstance(value, CPUDispatcher):
                yield name, value


def refuse_if_compiled(what: str) -> None:
    """A new rule changes the kernels; once they are compiled in this process it cannot join."""
    from sim.config import ConfigError

    kernels = sys.modules.get("sim.kernels")
    if kernels is None:
        return
    from numba.core.registry import CPUDispatcher

    if any(isinstance(v, CPUDispatcher) and v.signatures for v in vars(kernels).values()):
        raise ConfigError(
            f"{what}: a plug-in must be named before the first fast-driver simulation in a process "
            "(the kernels are compiled with the rules known then); run it in a new process"
        )


def add_source(module: str) -> None:
    """Key the cache to a plug-in's module too, and move every cached kernel to the new folder."""
    if module in _extra:
        return
    _extra.append(module)
    configure()
    seen = set()
    for _, disp in _dispatchers():
        if id(disp) in seen:
            continue
        seen.add(id(disp))
        if type(disp._cache).__name__ != "NullCache":
            disp.enable_caching()
