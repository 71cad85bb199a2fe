"""Closed forms of queueing theory that the model is checked against.

Erlang C (M/M/c): Erlang, "Solution of some problems in the theory of probabilities of
significance in automatic telephone exchanges" (1917); in the notation of Gross, Shortle,
Thompson & Harris, *Fundamentals of Queueing Theory* (4th ed., 2008), section 2.3.
M/D/c: the embedded chain of Crommelin (1932), solved numerically; exact up to truncation.
Times are in any one unit (the tests use minutes).
"""

from __future__ import annotations

import math

import numpy as np


def _check(lam: float, service: float, c: int) -> float:
    if not (lam > 0 and service > 0 and c >= 1 and int(c) == c):
        raise ValueError(f"need arrival rate > 0, service time > 0 and whole servers >= 1; got {lam}, {service}, {c}")
    a = lam * service
    if a >= c:
        raise ValueError(f"offered load {a:.3f} erlangs needs more than {c} servers for a steady state")
    return a


def erlang_c(lam: float, service: float, c: int) -> float:
    """Probability that an arrival waits (all `c` servers busy), by the Erlang C formula.

    Computed through the Erlang B recursion B(k) = a B(k-1) / (k + a B(k-1)), which is stable
    for hundreds of servers, and C = c B / (c - a (1 - B))."""
    a = _check(lam, service, c)
    b = 1.0
    for k in range(1, int(c) + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1.0 - b))


def mmc_wait_cdf(t: float | np.ndarray, lam: float, service: float, c: int):
    """P(wait <= t) in M/M/c (FCFS): 1 - C exp(-(c mu - lam) t)."""
    pw = erlang_c(lam, service, c)
    rate = c / service - lam
    return 1.0 - pw * np.exp(-rate * np.asarray(t, dtype=float))


def mmc_mean_wait(lam: float, service: float, c: int) -> float:
    """Mean wait in queue in M/M/c: C / (c mu - lam)."""
    return erlang_c(lam, service, c) / (c / service - lam)


def mdc_queue_distribution(lam: float, service: float, c: int, tol: float = 1e-12) -> np.ndarray:
    """Stationary distribution of the number in an M/D/c system.

    With deterministic service D every customer in service at time t has left by t + D, so
    N(t + D) = max(N(t) - c, 0) + A, A ~ Poisson(lam D) (Crommelin 1932).  The chain is solved
    on states 0..K with K large enough that the Poisson tail beyond it is below `tol`."""
    a = _check(lam, service, c)
    from scipy.stats import poisson

    k_max = int(c + poisson.ppf(1 - tol, a) + 50 * math.sqrt(a) / max(1e-3, 1 - a / c))
    k_max = max(k_max, 4 * c + 50)
    pmf = poisson.pmf(np.arange(k_max + 1), a)
    tm = np.zeros((k_max + 1, k_max + 1))
    for n in range(k_max + 1):
        base = max(n - c, 0)
        row = np.zeros(k_max + 1)
        row[base:] = pmf[: k_max + 1 - base]
        row[-1] += 1.0 - row.sum()  # the truncated tail stays in the last state
        tm[n] = row
    # Solve pi (T - I) = 0 with sum(pi) = 1.
    m = tm.T - np.eye(k_max + 1)
    m[-1, :] = 1.0
    rhs = np.zeros(k_max + 1)
    rhs[-1] = 1.0
    pi = np.linalg.solve(m, rhs)
    return np.clip(pi, 0.0, None) / np.clip(pi, 0.0, None).sum()


def mdc_mean_wait(lam: float, service: float, c: int) -> float:
    """Mean wait in queue in M/D/c, by Little's law on the mean number waiting."""
    pi = mdc_queue_distribution(lam, service, c)
    waiting = np.maximum(np.arange(pi.size) - c, 0)
    return float((pi * waiting).sum() / lam)


def mdc_wait_probability(lam: float, service: float, c: int) -> float:
    """P(an arrival waits) in M/D/c: by PASTA, the time-stationary P(N >= c)."""
    pi = mdc_queue_distribution(lam, service, c)
    return float(pi[c:].sum())


def md1_mean_wait(lam: float, service: float) -> float:
    """Pollaczek-Khinchine mean wait of M/D/1: rho D / (2 (1 - rho))."""
    rho = _check(lam, service, 1)
    return rho * service / (2.0 * (1.0 - rho))
