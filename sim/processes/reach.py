"""Reach: which contacts the day's campaigns and inbound requests reach, without visiting the rest.

Each contact-day has a uniform draw `u`; the contact is reached when `u` is below the day's reach
probability `q` (campaign touches plus the inbound ceiling).  Drawing `u` for every contact every
day costs a full scan although most contacts are reached on few days, so only the contacts with a
small `u` are found, by geometric skipping (Devroye 1986, ch. X.2) over fixed blocks of contacts.

To keep common random numbers across levers that change `q` (budgets, switched-off channels), `u`
lives on fixed layers: layer k holds the contacts whose `u` lies in [TOP[k+1], TOP[k]), and the
finest layer holds [0, TOP[LAST]).  Layers are searched from the finest up, each with its
conditional chance given that the finer ones missed, and a reached contact's `u` is placed inside
its layer by its own counter-based draw.  So `u` is a fixed function of (seed, contact, day):
a scenario with a larger `q` searches more layers and reaches a superset of contacts, with the same
`u` for each, just as a full scan with one draw per contact-day would.  Blocks have a fixed size, so
the contacts reached do not depend on the thread count.
"""

import math

import numpy as np
from numba import njit

from sim import rng

BLOCK = 4096  # contacts per block of the skipping search
STEPS_PER_HALVING = 4  # layer tops fall by 2**(-1/4): a searched ceiling at most 19 % above q
LAST = 48  # the finest layer holds u < 2**-12: below that a search costs about one contact per block-day
TOP = np.array([2.0 ** (-k / STEPS_PER_HALVING) for k in range(LAST + 1)])
# Chance that layer k holds a contact not already in a finer layer, and log(1 - chance) (-inf at 1).
CHANCE = np.append((TOP[:-1] - TOP[1:]) / (1.0 - TOP[1:]), TOP[LAST])
with np.errstate(divide="ignore"):
    INV_LOG_MISS = 1.0 / np.log1p(-CHANCE)  # -0.0 where the chance is 1


@njit(cache=True, inline="always")
def day_reach(P, d):
    """The day's reach probability: campaign touches plus the inbound ceiling (intent 1)."""
    wf = P.weekend_factor if d % 7 >= 5 else 1.0
    return P.p_touch + P.inbound_rate * wf


@njit(cache=True, inline="always")
def top_layer(q):
    """The coarsest layer to search: the smallest layer top at or above `q`."""
    k = LAST
    while k > 0 and TOP[k] < q:
        k -= 1
    return k


@njit(cache=True, inline="always")
def layer_u(z, pos, k):
    """A reached contact's draw `u`, placed uniformly inside layer `k` (its own draw `pos` under stem `z`)."""
    v = rng.uniform_at(z, pos)
    lo = TOP[k + 1] if k < LAST else 0.0
    return lo + (TOP[k] - lo) * v


@njit(cache=True, inline="always")
def gap(z, k, i, inv_log_miss):
    """Contacts skipped before the next one a layer reaches: geometric, P(gap >= n) = (1-p)**n."""
    w = 1.0 - rng.uniform_at(z, k * 1048576 + i)
    g = math.log(w) * inv_log_miss
    return BLOCK if g >= BLOCK else int(g)


@njit(cache=True, inline="always")
def reach_hits(seed, q, b, d, n, hit_c, hit_u, seen):
    """The first `n` contacts of block `b` reached on day `d` with reach probability `q`, with their draws `u`,
    into hit_c/hit_u; returns the count.  `seen` is BLOCK zeros of scratch, left zeroed:
    a finer layer's contact is not reached again by a coarser one."""
    if q <= 0.0:
        return 0
    lo = b * BLOCK
    z_gap = rng.stem(seed, rng.REACH_GAP, b, d)  # one stem per block-day: each draw is then one mix
    z_u = rng.stem(seed, rng.TOUCH, b, d)
    hits = 0
    for k in range(LAST, top_layer(q) - 1, -1):
        every = CHANCE[k] >= 1.0  # layer 0 takes every contact the finer layers left
        inv_log_miss = INV_LOG_MISS[k]
        pos = -1
        i = 0
        while True:
            pos += 1 if every else 1 + gap(z_gap, k, i, inv_log_miss)
            i += 1
            if pos >= n:
                break
            if seen[pos] == 1:
                continue
            seen[pos] = 1
            hit_c[hits] = lo + pos
            hit_u[hits] = layer_u(z_u, pos, k)
            hits += 1
    for j in range(hits):
        seen[hit_c[j] - lo] = 0
    return hits


@njit(cache=True, inline="always")
def block_reach(S, P, b, d, hit_c, hit_u, seen):
    """Contacts of block `b` the campaigns and inbound requests reach on day `d` (see `reach_hits`)."""
    if P.arrivals == 1:
        return 0  # staffing mode: leads come from the arrival process instead
    n = S.stage.shape[0] - b * BLOCK
    return reach_hits(P.seed, day_reach(P, d), b, d, n if n < BLOCK else BLOCK, hit_c, hit_u, seen)


def n_blocks(n_contacts: int) -> int:
    return -(-n_contacts // BLOCK)


def new_scratch(rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scratch of the search for `rows` workers: reached contacts, their draws, and the zeroed marks."""
    return (
        np.zeros((rows, BLOCK), dtype=np.int32),
        np.zeros((rows, BLOCK)),
        np.zeros((rows, BLOCK), dtype=np.uint8),
    )


@njit(cache=True)
def census(seed, q, blocks, days):
    """Contact-days reached with u < q over `blocks` full blocks and `days` days, and the sum of u / q over
    them: the search's own check against its law, a Bernoulli(q) trial per contact-day with u uniform."""
    hit_c = np.zeros(BLOCK, dtype=np.int32)
    hit_u = np.zeros(BLOCK)
    seen = np.zeros(BLOCK, dtype=np.uint8)
    reached = 0
    u_sum = 0.0
    for d in range(days):
        for b in range(blocks):
            for j in range(reach_hits(seed, q, b, d, BLOCK, hit_c, hit_u, seen)):
                if hit_u[j] < q:
                    reached += 1
                    u_sum += hit_u[j] / q
    return reached, u_sum
