"""Compile time: every kernel and internal compiled function is compiled for one set of argument types.

A second specialisation (an int32 index here, an int64 or a literal there) compiles the whole body
again.  The check bites whenever the kernels compile afresh (an empty cache, or any edit of a compiled
source, which names a new cache folder); with a warm cache the internal functions are not compiled
at all.  The state and parameter tuples are left out of the comparison: tests may swap a parameter's
type on purpose.
"""

from numba import types

from sim import simulate
from sim.numba_cache import _dispatchers
from tests.conftest import small_config


def _scalar_signatures(disp) -> set[tuple]:
    return {tuple(str(a) for a in sig if not isinstance(a, types.BaseTuple)) for sig in disp.signatures}


def test_kernels_and_internal_functions_compile_once():
    for extra in ((), ("policy.routing=pooled", "sales.pickup=poll", "policy.breach_action=recycle")):
        simulate(small_config(*extra, days=20))
    checked, many = 0, {}
    for module, disp in _dispatchers():
        if module != "sim.kernels" and not disp.targetoptions.get("no_cpython_wrapper"):
            continue
        checked += 1
        sigs = _scalar_signatures(disp)
        if len(sigs) > 1:
            many[f"{disp.py_func.__module__}.{disp.py_func.__name__}"] = sorted(sigs)
    assert checked >= 10
    assert not many, f"compiled for several argument types: {many}"
