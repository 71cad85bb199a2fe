"""The contact phase's search for reached contacts, and market entry drawn ahead: their laws and their luck."""

import numpy as np
import pytest
from scipy import stats

from sim.processes.reach import BLOCK, CHANCE, TOP, census, new_scratch, reach_hits, top_layer


def hits(q, b=0, d=0, n=BLOCK, seed=3):
    c, u, seen = (a[0] for a in new_scratch(1))
    k = reach_hits(seed, q, b, d, n, c, u, seen)
    assert not seen.any()  # the scratch is left zeroed for the next block
    return dict(zip(c[:k].tolist(), u[:k].tolist(), strict=True))


def test_layers_partition_the_unit_interval():
    # P(layer k) = chance_k * P(no finer layer) must equal the layer's width.
    left = 1.0
    widths = []
    for k in range(len(TOP) - 1, -1, -1):
        widths.append(CHANCE[k] * left)
        left -= widths[-1]
    assert sum(widths) == pytest.approx(1.0) and left == pytest.approx(0.0, abs=1e-12)
    assert widths[::-1] == pytest.approx([*(TOP[:-1] - TOP[1:]), TOP[-1]])  # layer k: [TOP[k+1], TOP[k])
    assert [top_layer(q) for q in (1.0, 0.5, 0.4999, TOP[7], TOP[7] * 1.0001)] == [0, 4, 4, 7, 6]


@pytest.mark.parametrize("q", [0.002, 0.09, 0.6])
def test_each_contact_day_is_reached_with_probability_q_and_its_draw_is_uniform_below_q(q):
    n = 16 * BLOCK * 40
    reached, u_sum = census(5, q, 16, 40)
    assert stats.binomtest(reached, n, q).pvalue > 1e-4
    assert u_sum / reached == pytest.approx(0.5, abs=4 * np.sqrt(1 / 12 / reached))
    # Per contact: the counts over days of a few contacts follow the binomial too (no contact is favoured).
    per_contact = np.zeros(BLOCK)
    for d in range(300):
        for c, u in hits(q, d=d).items():
            per_contact[c] += u < q
    assert per_contact.mean() == pytest.approx(300 * q, rel=0.05)
    assert per_contact.var() == pytest.approx(300 * q * (1 - q), rel=0.15)


def test_a_larger_reach_finds_every_contact_a_smaller_one_finds_with_the_same_draw():
    # Common random numbers across budgets: u is a fixed function of (seed, contact, day).
    for d in range(20):
        small, large = hits(0.05, d=d), hits(0.2, d=d)
        below = {c: u for c, u in large.items() if u < 0.05}
        assert {c: u for c, u in small.items() if u < 0.05} == below
        assert all(u < TOP[top_layer(0.2)] for u in large.values())


def test_a_partial_last_block_and_other_days_seeds_and_blocks_give_other_contacts():
    last = hits(0.3, b=2, n=100)
    assert last and all(2 * BLOCK <= c < 2 * BLOCK + 100 for c in last)
    base = set(hits(0.3))
    assert base != set(hits(0.3, d=1)) and base != set(hits(0.3, seed=4))
    assert {c - BLOCK for c in hits(0.3, b=1)} != base
    assert hits(0.0) == {}


def test_market_entry_chances_follow_the_daily_rate_and_stay_the_same_luck_when_days_are_skipped():
    from conftest import small_config

    from sim.model import FunnelModel
    from sim.processes.market import next_entry

    m = FunnelModel(small_config(days=30))
    S, P = m.state, m.params._replace(in_market_rate=0.02)
    a = 0
    rate = P.in_market_rate * (0.5 + S.acc_fit[a])
    chances = []
    S.acc_entry[a], S.acc_draws[a] = -1, 0
    d = 0
    while len(chances) < 3000:
        next_entry(S, P, a, d)
        chances.append(int(S.acc_entry[a]))
        d = chances[-1] + 1
    gaps = np.diff([-1, *chances]) - 1  # failures before each success: geometric
    assert gaps.mean() == pytest.approx((1 - rate) / rate, rel=0.08)
    # Looking only at later days skips chances but never moves them.
    S.acc_entry[a], S.acc_draws[a] = -1, 0
    next_entry(S, P, a, chances[100])
    assert S.acc_entry[a] == chances[100] and S.acc_draws[a] == 101
