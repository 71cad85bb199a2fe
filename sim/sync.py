"""Atomic words and waiting for compiled code: what threads that run days together meet on.

A team of threads (`sim.kernels.day_kernel`, code `TEAM`) shares a few int64 words of an array: a
generation the leading thread raises to start each piece, a count of the threads that finished it,
and the next unclaimed range.  The reads and writes below are LLVM atomics (sequentially consistent),
so the work one thread wrote before an atomic write is seen by a thread that read that write.  A
waiting thread spins briefly with the CPU's pause hint, then gives its core away (`sched_yield`) on
each look, so more threads than free cores (a busy or oversubscribed machine) still make progress,
and after a long wait sleeps between looks (`usleep`), so a thread kept waiting does not hold a core.
On Windows it only spins."""

from __future__ import annotations

import platform
import sys

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# Looks with the pause hint before a waiting thread starts giving its core away (about 30 us), and looks
# before it sleeps `NAP` microseconds between looks (a few milliseconds).
SPINS = 256
DOZE = 4096
NAP = 50

_MACHINE = platform.machine().lower()
_X86 = _MACHINE in ("x86_64", "amd64", "i386", "i686")
_ARM64 = _MACHINE in ("aarch64", "arm64")
_POSIX = sys.platform != "win32"


def _word(context, builder, arrty, arr, idx, idxty):
    ary = context.make_array(arrty)(context, builder, arr)
    i = context.cast(builder, idx, idxty, types.intp)
    return cgutils.get_item_pointer(context, builder, arrty, ary, [i], wraparound=False)


def _is_words(ty) -> bool:
    """The type of the words the atomics act on: a one-dimensional int64 array."""
    return isinstance(ty, types.Array) and ty.dtype == types.int64 and ty.ndim == 1


def _call(builder, name, returns, args):
    """A call of the external or LLVM function `name`."""
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(returns, [a.type for a in args]), name)
    return builder.call(fn, args)


@intrinsic
def atomic_add(typingctx, words, i, v):
    """words[i] += v as one atomic step; returns the value before."""
    if not _is_words(words):
        return None
    sig = types.int64(words, i, v)

    def codegen(context, builder, sig, args):
        ptr = _word(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        val = context.cast(builder, args[2], sig.args[2], types.int64)
        return builder.atomic_rmw("add", ptr, val, "seq_cst")

    return sig, codegen


@intrinsic
def atomic_load(typingctx, words, i):
    """words[i], read atomically."""
    if not _is_words(words):
        return None
    sig = types.int64(words, i)

    def codegen(context, builder, sig, args):
        ptr = _word(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        return builder.load_atomic(ptr, "seq_cst", 8)

    return sig, codegen


@intrinsic
def atomic_store(typingctx, words, i, v):
    """words[i] = v, written atomically."""
    if not _is_words(words):
        return None
    sig = types.void(words, i, v)

    def codegen(context, builder, sig, args):
        ptr = _word(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        val = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(val, ptr, "seq_cst", 8)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def pause(typingctx):
    """The CPU's spin-wait hint (x86 `pause`, Arm `yield`; nothing elsewhere)."""
    sig = types.void()

    def codegen(context, builder, sig, args):
        if _X86:
            _call(builder, "llvm.x86.sse2.pause", ir.VoidType(), [])
        elif _ARM64:  # the hint instruction `yield`
            _call(builder, "llvm.aarch64.hint", ir.VoidType(), [ir.Constant(ir.IntType(32), 1)])
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def yield_core(typingctx):
    """Give the core to another runnable thread, if any (the C library's `sched_yield`; POSIX only)."""
    sig = types.void()

    def codegen(context, builder, sig, args):
        if _POSIX:
            _call(builder, "sched_yield", ir.IntType(32), [])
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def nap(typingctx):
    """Sleep `NAP` microseconds (the C library's `usleep`; POSIX only)."""
    sig = types.void()

    def codegen(context, builder, sig, args):
        if _POSIX:
            _call(builder, "usleep", ir.IntType(32), [ir.Constant(ir.IntType(32), NAP)])
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, inline="always")
def wait_step(looks):
    """One look of a waiting thread: the pause hint for the first `SPINS` looks, then a yield, then a nap."""
    if looks < SPINS:
        pause()
    elif looks < DOZE:
        yield_core()
    else:
        nap()
    return looks + 1


@njit(cache=True, inline="always")
def wait_at_least(words, i, value, abort):
    """Wait until words[i] >= value; False if words[abort] was set first (a thread that cannot come)."""
    looks = 0
    while atomic_load(words, i) < value:
        if atomic_load(words, abort) != 0:
            return False
        looks = wait_step(looks)
    return True
