"""Counter-based random numbers: every draw is a hash of (seed, stream, entity, day, index).

Draws do not depend on thread count, processing order or driver, and the same buyer
sees the same luck under every policy (common random numbers).  The mixer is
SplitMix64's finaliser (Steele, Lea & Flood 2014).
"""

import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53

# Streams: one per kind of decision, so adding a draw to one process never shifts another.
TOUCH = 1
RESPONSE = 2
INQUIRY_TIME = 3
MARKET = 4
MARKET_LEN = 5
REACH = 6
ACCEPT = 7
QUALIFY = 8
GIVE_UP = 9
OPPORTUNITY = 10
OUTCOME = 11
CYCLE = 12
PROSPECT = 13
PROSPECT_ACCOUNT = 14
SETUP = 15
OBSERVE = 16
HANDLING = 17
ARRIVAL = 18
ABSENCE = 19
ARRIVAL_TIME = 20
FEEDBACK = 21
REACH_GAP = 22


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit("uint64(uint64, int64, int64, int64)", cache=True, no_cfunc_wrapper=True)
def stem(seed, stream, entity, day):
    """The hash of a draw's coordinates but its index: shared by the many draws of one entity-day."""
    z = _mix(np.uint64(seed) + _GOLDEN * np.uint64(stream + 1))
    z = _mix(z ^ (np.uint64(entity) + _GOLDEN))
    return _mix(z ^ (np.uint64(np.int64(day + 1)) * _GOLDEN))  # int64 first: negative days wrap alike in Python


@njit("uint64(uint64, int64, int64, int64, int64)", cache=True, no_cfunc_wrapper=True)
def key(seed, stream, entity, day, index):
    """64-bit hash of one draw's coordinates."""
    return _mix(stem(seed, stream, entity, day) ^ np.uint64(index))


@njit("float64(uint64, int64)", cache=True, no_cfunc_wrapper=True)
def uniform_at(z, index):
    """The uniform draw `index` under stem `z`: the same number as `uniform` with the stem's coordinates."""
    return float(_mix(z ^ np.uint64(index)) >> _S11) * _INV53


@njit("float64(uint64, int64, int64, int64, int64)", cache=True, no_cfunc_wrapper=True)
def uniform(seed, stream, entity, day, index):
    """A uniform draw in [0, 1) for the given coordinates."""
    return float(key(seed, stream, entity, day, index) >> _S11) * _INV53


@njit("float64(uint64, int64, int64, int64, int64)", cache=True, no_cfunc_wrapper=True)
def exponential(seed, stream, entity, day, index):
    """A unit-mean exponential draw."""
    return -math.log(1.0 - uniform(seed, stream, entity, day, index))


@njit("float64(uint64, int64, int64, int64, int64)", cache=True, no_cfunc_wrapper=True)
def normal(seed, stream, entity, day, index):
    """A standard normal draw (Box-Muller on two counter-based uniforms)."""
    u1 = 1.0 - uniform(seed, stream, entity, day, 2 * index)
    u2 = uniform(seed, stream, entity, day, 2 * index + 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit("float64(uint64, int64, int64, int64, int64, float64, float64)", cache=True, no_cfunc_wrapper=True)
def gamma_mean_cv(seed, stream, entity, day, index, mean, cv):
    """A gamma draw with the given mean and coefficient of variation (Wilson-Hilferty); cv 0 gives the mean."""
    if cv <= 0.0:
        return mean
    k = 1.0 / (cv * cv)
    z = normal(seed, stream, entity, day, index)
    x = 1.0 - 1.0 / (9.0 * k) + z * math.sqrt(1.0 / (9.0 * k))
    if x < 0.05:
        x = 0.05
    return mean * x * x * x


@njit("int64(uint64, int64, int64, int64, int64, float64)", cache=True, no_cfunc_wrapper=True)
def poisson(seed, stream, entity, day, index, lam):
    """A Poisson draw by inversion (lam small, as for arrivals per minute block)."""
    u = uniform(seed, stream, entity, day, index)
    p = math.exp(-lam)
    s = p
    k = 0
    while u > s and k < 10000:
        k += 1
        p *= lam / k
        s += p
    return k
