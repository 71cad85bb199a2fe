import numpy as np

from sim import rng
from sim.pure import pure


def test_pure_twin_matches_compiled_bitwise():
    u_pure = pure(rng.uniform)
    with np.errstate(over="ignore"):
        for seed, stream, entity, day, index in [(0, 1, 0, 0, 0), (42, 7, 123456, 700, 3), (2**62, 18, 10**6, 5, 99)]:
            a = rng.uniform(np.uint64(seed), stream, entity, day, index)
            b = u_pure(np.uint64(seed), stream, entity, day, index)
            assert a == b
            assert 0.0 <= a < 1.0


def test_draws_are_uniform_and_independent_across_streams():
    n = 200_000
    a = np.array([rng.uniform(np.uint64(1), 1, i, 3, 0) for i in range(n)])
    b = np.array([rng.uniform(np.uint64(1), 2, i, 3, 0) for i in range(n)])
    assert abs(a.mean() - 0.5) < 0.005
    assert abs(np.var(a) - 1 / 12) < 0.002
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.01
    hist, _ = np.histogram(a, bins=20, range=(0, 1))
    assert hist.min() > 0.9 * n / 20


def test_draws_depend_on_every_coordinate():
    base = rng.uniform(np.uint64(5), 3, 10, 20, 1)
    assert base != rng.uniform(np.uint64(6), 3, 10, 20, 1)
    assert base != rng.uniform(np.uint64(5), 4, 10, 20, 1)
    assert base != rng.uniform(np.uint64(5), 3, 11, 20, 1)
    assert base != rng.uniform(np.uint64(5), 3, 10, 21, 1)
    assert base != rng.uniform(np.uint64(5), 3, 10, 20, 2)


def test_gamma_has_requested_mean():
    x = np.array([rng.gamma_mean_cv(np.uint64(3), 12, i, 0, 0, 60.0, 0.5) for i in range(50_000)])
    assert abs(x.mean() / 60.0 - 1) < 0.02
    assert abs(x.std() / x.mean() - 0.5) < 0.05
