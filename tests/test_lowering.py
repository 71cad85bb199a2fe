"""sim.lowering: which tuples stay values, and the same results as Numba's own lowering."""

import gc
from collections import namedtuple

import numpy as np
from llvmlite import ir as llvm_ir
from numba import njit, typeof, types
from numba.core.compiler import Flags, run_frontend
from numba.core.datamodel import default_manager
from numba.core.datamodel.packer import ArgPacker

from sim.lowering import (
    COMPILE_GC_THRESHOLDS,
    ForwardedTupleModel,
    LinkOnlyLibrary,
    RememberedFlags,
    TupleValueCompiler,
    fewer_collections,
    fields_read,
    tuple_values,
)
from sim.numba_cache import INTERNAL
from sim.state import State

Pair = namedtuple("Pair", "a b")


@njit(inline="always")
def _head(T):
    return T.a[0]


def _kernel(T, flag, n):
    if flag:
        x = T
    else:
        x = Pair(T.b, T.a)
    y = T
    total = 0.0
    for i in range(n):
        total += _head(y) * i + x.a[i % 2]
    y.b[0] = total
    return total


def test_a_tuple_assigned_once_in_a_dominating_block_stays_a_value():
    blocks = run_frontend(_kernel).blocks
    pair = types.NamedUniTuple(types.float64[::1], 2, Pair)
    typemap = {"T": pair, "x": pair, "y": pair, "total": types.float64, "n": types.int64}
    chosen = tuple_values(blocks, typemap)
    assert {"T", "y"} <= chosen
    assert "x" not in chosen, "assigned in two branches"
    assert "total" not in chosen, "not a tuple"


def test_same_results_as_numbas_own_lowering():
    plain = njit(_kernel)
    ours = njit(pipeline_class=TupleValueCompiler)(_kernel)
    for flag in (True, False):
        a = Pair(np.array([1.5, 2.0]), np.array([3.0, 0.25]))
        b = Pair(a.a.copy(), a.b.copy())
        assert plain(a, flag, 7) == ours(b, flag, 7)
        np.testing.assert_array_equal(a.b, b.b)


@njit(**INTERNAL)
def _scaled(T, i, k):
    return k * T.a[i] + T.b[i]


@njit(pipeline_class=TupleValueCompiler)
def _entry(T, n):
    total = 0.0
    for i in range(n):
        total += _scaled(T, i % 2, 0.5 * i)
    return total


def test_internal_functions_are_linked_into_their_callers_without_machine_code_of_their_own():
    a = Pair(np.array([1.5, 2.0]), np.array([3.0, 0.25]))
    assert _entry(a, 5) == sum(0.5 * i * a.a[i % 2] + a.b[i % 2] for i in range(5))
    (cres,) = _scaled.overloads.values()
    assert isinstance(cres.library, LinkOnlyLibrary)
    assert cres.library._compiled_object is None, "an internal function is made machine code only in its callers"
    assert cres.library.serialize_using_object_code()[1] == "bitcode", "its cache entry is its code for linking"


def test_remembered_flags_follow_every_change_and_compare_as_numbas_own():
    plain = Flags()
    plain.nrt = True
    flags = RememberedFlags(plain)
    assert flags == plain and hash(flags) == hash(plain) and flags.values() == plain.values()
    flags.nrt = False
    assert flags.values()["nrt"] is False and flags != plain
    plain.nrt = False
    assert flags == plain and plain == flags


def test_a_state_passed_on_hands_on_the_functions_own_arguments():
    state = State(*[np.zeros(1, dtype=np.int8 if i % 2 else np.float64) for i in range(len(State._fields))])
    fe_type = typeof(state)
    assert isinstance(default_manager.lookup(fe_type), ForwardedTupleModel)
    packer = ArgPacker(default_manager, [fe_type, fe_type])
    fn = llvm_ir.Function(llvm_ir.Module(), llvm_ir.FunctionType(llvm_ir.VoidType(), packer.argument_types), "f")
    builder = llvm_ir.IRBuilder(fn.append_basic_block())
    received, built = packer.from_arguments(builder, fn.args)
    n = len(builder.block.instructions)
    half = len(fn.args) // 2
    assert packer.as_arguments(builder, [received, received]) == (*fn.args[:half], *fn.args[:half])
    assert len(builder.block.instructions) == n, "passed on without taking the tuple apart"
    changed = builder.insert_value(received, builder.extract_value(built, 2), 0)  # a tuple made here
    args = packer.as_arguments(builder, [changed, received])
    assert args[half:] == tuple(fn.args[:half]) and args[0] is not fn.args[0]
    assert len(builder.block.instructions) > n + half, "a tuple not received as it is is taken apart"


_S = State(*[np.arange(3, dtype=np.int64 if i % 2 else np.float64) + i for i in range(len(State._fields))])


@njit(**INTERNAL)
def _field_zero(S, i):
    return S[0][i]


@njit(pipeline_class=TupleValueCompiler, _nrt=False)
def _reads_two_fields(S, i):
    T = S
    return _field_zero(T, i) + S[2][i]


@njit(pipeline_class=TupleValueCompiler, _nrt=False)
def _uses_the_whole_tuple(S):
    pair = (S, 1.0)
    return pair[0][4][0] + pair[1]


def _fields_read(disp):
    (cres,) = disp.overloads.values()
    blocks = cres.type_annotation.blocks
    return fields_read(blocks, cres.fndesc, tuple_values(blocks, cres.fndesc.typemap))


def test_a_function_builds_only_the_state_fields_it_reads_and_passes_the_state_on_as_received():
    assert _reads_two_fields(_S, 1) == _S[0][1] + _S[2][1]
    assert _uses_the_whole_tuple(_S) == _S[4][0] + 1.0
    state_type = typeof(_S)
    assert _fields_read(_reads_two_fields) == {state_type: {2}}
    assert _fields_read(_field_zero) == {state_type: {0}}
    assert _fields_read(_uses_the_whole_tuple) == {}, "used other than by field: built whole"


def test_fewer_collections_while_compiling_and_the_thresholds_restored_after():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == COMPILE_GC_THRESHOLDS
        with fewer_collections():  # a compile nested in another
            pass
        assert gc.get_threshold() == COMPILE_GC_THRESHOLDS, "the outermost compile restores them"
    assert gc.get_threshold() == before
