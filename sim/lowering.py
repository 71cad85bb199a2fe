"""Numba's pipeline with changes that cut compile time and leave the generated code computing the
same: tuples assigned once stay values, not stack slots; the state and parameter tuples a function
received are passed on as received; a function that only compiled code calls is not made machine
code of its own; the compile flags' values are remembered; and cyclic garbage is collected less
often while compiling (`fewer_collections`).

Numba gives every variable read in more than one block a stack slot, and loads it whole at every
read.  For the state and parameter tuples (about 850 scalars together) each load is split again
field by field by LLVM's scalar replacement, which was most of the compile time of the large
kernels; every inlined function adds its own copies of `S` and `P`.  A tuple variable assigned once,
in a block that dominates (and is lowered before) every block that reads it, can stay one value:
the generated code computes the same thing.  Variables that do not qualify keep their slots.

Numba finalizes every compiled function's library on its own: links in its callees, optimizes the
whole module and makes it machine code.  A function without a Python or C entry point is only ever
linked into its callers, so each of its callees was optimized and made machine code again at every
level up to the entry point.  `LinkOnlyLibrary` stops after linking; the entry point's library
optimizes and compiles everything once.

Numba passes a tuple to a compiled function as its scalars, one argument each, and builds the tuple
from them on entry; each call takes it apart again.  `ForwardedTupleModel` hands a call the calling
function's own arguments when it passes on the state or parameters it received (nearly every call),
and builds on entry only the fields the function reads (`fields_read`); a function using the tuple in
any other way builds it whole.
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from contextlib import contextmanager

from llvmlite import ir as llvm_ir
from numba.core import ir, types
from numba.core.analysis import compute_cfg_from_blocks, must_use_alloca
from numba.core.codegen import JITCodeLibrary
from numba.core.compiler import CompilerBase, DefaultPassBuilder, Flags
from numba.core.compiler_machinery import PassManager, register_pass
from numba.core.datamodel import default_manager, models
from numba.core.lowering import Lower
from numba.core.typed_passes import NativeLowering


class TupleValueLower(Lower):
    """Lowering that keeps once-assigned tuple variables as values across blocks."""

    def _find_singly_assigned_variable(self):
        found = getattr(self, "_funnelsim_singly", None)  # found already for the arguments
        if found is not None:
            self._singly_assigned_vars, self._blk_local_varmap = found, {}
            return
        super()._find_singly_assigned_variable()
        if not (self.func_ir.func_id.is_generator or self._disable_sroa_like_opt):
            self._singly_assigned_vars |= tuple_values(self.func_ir.blocks, self.fndesc.typemap)
        self._funnelsim_singly = self._singly_assigned_vars

    def extract_function_arguments(self):
        """The arguments, with the forwarded tuples built of only the fields the function reads."""
        read = None
        if not (self._disable_sroa_like_opt or self.context.enable_nrt or self.func_ir.func_id.is_generator):
            self._find_singly_assigned_variable()
            read = fields_read(self.func_ir.blocks, self.fndesc, self._singly_assigned_vars)
        self.function.__dict__["_funnelsim_fields_read"] = read or {}
        return super().extract_function_arguments()


def tuple_values(blocks, typemap) -> set[str]:
    """Tuple-typed variables with one assignment whose block dominates every read and del of them,
    is lowered no later (labels in order), and, within its own block, precedes them."""
    defs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    reads: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for label, block in blocks.items():
        for i, stmt in enumerate(block.body):
            if isinstance(stmt, ir.Del):
                reads[stmt.value].append((label, i))
                continue
            target = stmt.target.name if isinstance(stmt, ir.Assign) else None
            if target is not None:
                defs[target].append((label, i))
            for v in stmt.list_vars():
                if v.name != target:
                    reads[v.name].append((label, i))
    dominators = compute_cfg_from_blocks(blocks).dominators()
    skip = must_use_alloca(blocks)
    out = set()
    for name, where in defs.items():
        if len(where) != 1 or name in skip or not isinstance(typemap.get(name), types.BaseTuple):
            continue
        (label, i) = where[0]
        if all(
            (lab == label and j > i) or (lab > label and label in dominators[lab]) for lab, j in reads.get(name, ())
        ):
            out.add(name)
    return out


def _forwarded(ty) -> bool:
    """A named tuple type of `FORWARDED` (the state or the parameters)."""
    cls = getattr(ty, "instance_class", None)
    return isinstance(ty, types.NamedTuple) and (cls.__module__, cls.__name__) in FORWARDED


def fields_read(blocks, fndesc, singly: set[str]) -> dict:
    """For each forwarded tuple type among the arguments, the fields the function reads, if it only reads
    fields of it (`getattr`, constant index), passes it to compiled functions as it is, or names it again,
    every variable of it assigned once (so a call is handed the very value received).  Types used any other
    way are left out: their arguments are built whole."""
    typemap, calltypes = fndesc.typemap, fndesc.calltypes
    read: dict = {ty: set() for ty in fndesc.argtypes if _forwarded(ty)}
    whole = set()

    def seen(var, ty=None):
        t = typemap.get(var.name)
        if t in read and (var.name not in singly or (ty is not None and ty != t)):
            whole.add(t)
        return t

    for block in blocks.values():
        for stmt in block.body:
            if isinstance(stmt, ir.Del):
                continue
            if isinstance(stmt, ir.Assign):
                target, value = stmt.target, stmt.value
                t = seen(target)
                if isinstance(value, ir.Arg):
                    if t in read and fndesc.argtypes[value.index] != t:
                        whole.add(t)
                    continue
                if isinstance(value, ir.Var):
                    seen(value, t)
                    continue
                if isinstance(value, ir.Expr) and value.op in ("getattr", "static_getitem"):
                    vt = seen(value.value)
                    if vt in read:
                        index = value.index if value.op == "static_getitem" else None
                        if value.op == "getattr" and value.attr in vt.fields:
                            read[vt].add(vt.fields.index(value.attr))
                        elif isinstance(index, int) and 0 <= index < len(vt):
                            read[vt].add(index)
                        else:
                            whole.add(vt)
                    continue
                if isinstance(value, ir.Expr) and value.op == "call" and not value.kws and value.vararg is None:
                    sig = calltypes.get(value)
                    callee = typemap.get(value.func.name)
                    for k, arg in enumerate(value.args):
                        at = typemap.get(arg.name)
                        if at in read:
                            if not isinstance(callee, types.Dispatcher) or sig is None or sig.args[k] != at:
                                whole.add(at)
                            seen(arg, at)
                    continue
            for var in stmt.list_vars():
                t = typemap.get(var.name)
                if t in read:
                    whole.add(t)
    return {ty: fields for ty, fields in read.items() if ty not in whole}


class _NoEnv:
    """The codegen seen by a `LinkOnlyLibrary`: its environment is never set (nothing is loaded to set it in)."""

    def __init__(self, codegen):
        self._codegen = codegen

    def __getattr__(self, name):
        return getattr(self._codegen, name)

    def set_env(self, env_name, env):
        pass


class LinkOnlyLibrary(JITCodeLibrary):
    """The code of a function that only compiled code calls: finalizing links in its callees and stops there.
    It is optimized as a module and made machine code only inside its callers' libraries, once, not
    again in every library on the way down.  Its cache entry is its bitcode (it has no object code)."""

    def finalize(self):
        self._raise_if_finalized()
        seen = set()
        for library in self._linking_libraries:
            if library not in seen:
                self._reload_init.update(library._reload_init)
                seen.add(library)
                self._final_module.link_in(library._get_module_for_linking(), preserve=True)
        self._finalized = True

    @property
    def codegen(self):
        return _NoEnv(self._codegen)

    def get_pointer_to_function(self, name):
        return 0  # no Python entry point and no machine code of its own

    def serialize_using_object_code(self):
        return self.serialize_using_bitcode()


@register_pass(mutates_CFG=True, analysis_only=False)
class TupleValueNativeLowering(NativeLowering):
    _name = "funnelsim_native_lowering"

    def run_pass(self, state):
        if state.library is None and state.flags.no_cpython_wrapper and state.flags.no_cfunc_wrapper:
            state.library = LinkOnlyLibrary(state.targetctx.codegen(), state.func_id.func_qualname)
            state.library.enable_object_caching()
        return super().run_pass(state)

    @property
    def lowering_class(self):
        return TupleValueLower


class RememberedFlags(Flags):
    """Numba's compile flags with their values remembered until one changes.  Numba hashes and compares
    the flags of the compile under way each time it looks up an overload, several times for every
    operation it types, and each time reads every option anew; the values are the same."""

    __slots__ = ("_seen", "_remembered")

    def values(self):
        seen = tuple(self._values.items())
        if getattr(self, "_seen", None) != seen:
            self._remembered = super().values()
            self._seen = seen
        return dict(self._remembered)

    def __hash__(self):
        return hash(tuple(sorted(self.values())))


# Python's cyclic garbage collector thresholds while compiling (defaults: 700, 10, 10).
COMPILE_GC_THRESHOLDS = (100_000, 50, 100)
_compiling = threading.local()


@contextmanager
def fewer_collections():
    """Collect cyclic garbage less often while the outermost compile runs.  Numba makes millions of
    small objects as it compiles, and the collector, run every 700 new objects, walks the surviving
    ones again and again: about a tenth of a first compile of the kernels, for some 25 MB more memory."""
    depth = getattr(_compiling, "depth", 0)
    before = gc.get_threshold()
    if depth == 0:
        gc.set_threshold(*COMPILE_GC_THRESHOLDS)
    _compiling.depth = depth + 1
    try:
        yield
    finally:
        _compiling.depth = depth
        if depth == 0:
            gc.set_threshold(*before)


class TupleValueCompiler(CompilerBase):
    """Numba's nopython pipeline with `TupleValueNativeLowering` in place of its native lowering."""

    def __init__(self, typingctx, targetctx, library, args, return_type, flags, locals):
        super().__init__(typingctx, targetctx, library, args, return_type, RememberedFlags(flags), locals)

    def compile_extra(self, func):
        with fewer_collections():
            return super().compile_extra(func)

    def define_pipelines(self):
        pm = PassManager("funnelsim_nopython")
        for part in (
            DefaultPassBuilder.define_untyped_pipeline(self.state),
            DefaultPassBuilder.define_typed_pipeline(self.state),
            DefaultPassBuilder.define_nopython_lowering_pipeline(self.state),
        ):
            for pss, description in part.passes:
                pm.add_pass(TupleValueNativeLowering if pss is NativeLowering else pss, description)
        pm.finalize()
        return [pm]


# Named tuples whose compiled functions pass them on unchanged (`ForwardedTupleModel`).
FORWARDED = {("sim.state", "State"), ("sim.params", "Params")}


class ForwardedTupleModel(models.TupleModel):
    """A named tuple that a function passes on as it received it: its calls hand on the function's own
    arguments (one per scalar: about 630 for the state, 230 for the parameters) instead of taking the
    tuple apart again at every call; the values passed are the same."""

    def from_argument(self, builder, value):
        read = getattr(builder.function, "_funnelsim_fields_read", {}).get(self._fe_type)
        if read is None:
            struct = super().from_argument(builder, value)
        else:  # only the fields the function reads; it passes the tuple on as received (`fields_read`)
            struct = llvm_ir.Constant(self.get_value_type(), llvm_ir.Undefined)
            for i in sorted(read):
                struct = self.set(builder, struct, self._models[i].from_argument(builder, value[i]), i)
        builder.function.__dict__.setdefault("_funnelsim_forwarded", {})[id(struct)] = (struct, value)
        return struct

    def as_argument(self, builder, value):
        known = getattr(builder.function, "_funnelsim_forwarded", {}).get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        return super().as_argument(builder, value)


_named_tuple_model = default_manager._handlers[types.NamedTuple]


def _tuple_model(dmm, fe_type):
    if _forwarded(fe_type):
        return ForwardedTupleModel(dmm, fe_type)
    return _named_tuple_model(dmm, fe_type)


default_manager.register(types.NamedTuple, _tuple_model)
