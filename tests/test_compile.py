"""Compile time: one Python entry point, and every compiled function compiled for one set of argument types.

A second specialisation (an int32 index here, an int64 or a literal there) compiles the whole body
again, and each Python entry point that takes the state compiles a wrapper unboxing it (about a
second) with its callees compiled again into it.  The checks bite whenever the kernels compile afresh
(an empty cache, or any edit of a compiled source, which names a new cache folder); with a warm cache
the internal functions are not compiled at all.  The state and parameter tuples are left out of the
signature comparison: tests may swap a parameter's type on purpose.
"""

from numba import types

from sim import simulate
from sim.lowering import TupleValueCompiler
from sim.numba_cache import _dispatchers
from sim.state import State
from tests.conftest import small_config

KERNEL_MODULES = ("sim.kernels", "sim.processes", "sim.policies")  # the touch log has entry points of its own


def _scalar_signatures(disp) -> set[tuple]:
    return {tuple(str(a) for a in sig if not isinstance(a, types.BaseTuple)) for sig in disp.signatures}


def _takes_the_state(disp) -> bool:
    return any(isinstance(a, types.BaseTuple) and len(a) == len(State._fields) for sig in disp.signatures for a in sig)


def test_one_entry_point_and_every_function_compiled_once():
    for extra in ((), ("policy.routing=pooled", "sales.pickup=poll", "policy.breach_action=recycle")):
        simulate(small_config(*extra, days=20))
    checked, many, entries, plain = 0, {}, set(), set()
    for module, disp in _dispatchers():
        name = f"{disp.py_func.__module__}.{disp.py_func.__name__}"
        internal = bool(disp.targetoptions.get("no_cpython_wrapper"))
        if internal and disp._compiler.pipeline_class is not TupleValueCompiler:
            plain.add(name)
        if not internal and _takes_the_state(disp) and module.startswith(KERNEL_MODULES):
            entries.add(name)
        if module != "sim.kernels" and not internal:
            continue
        checked += 1
        sigs = _scalar_signatures(disp)
        if len(sigs) > 1:
            many[name] = sorted(sigs)
    assert checked >= 10
    assert not many, f"compiled for several argument types: {many}"
    assert entries == {"sim.kernels.day_kernel"}, "the kernels are called from Python through day_kernel only"
    assert not plain, f"internal functions lowered without sim.lowering: {sorted(plain)}"
