"""The approximate posterior of the fitted parameters: MCMC on a Gaussian synthetic likelihood.

The synthetic likelihood (Wood, Nature 2010) treats the targets as normal around the model's
mean statistics, with variances from the model's own run-to-run spread.  emcee's affine-invariant
ensemble sampler (Goodman & Weare 2010; Foreman-Mackey et al. 2013) walks the unit cube under a
flat prior.  Its walkers start at the search's best trials, so they begin near the posterior
mode.  A direction the samples leave almost as wide as the prior, or a strongly correlated pair,
is reported: the data do not pin those down.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

FLAT_SD = 0.2  # a unit-cube posterior sd above this (the prior's is 0.29): the data barely narrow the prior
CORRELATED = 0.9


def initial_walkers(points: np.ndarray, values: np.ndarray, walkers: int) -> np.ndarray:
    """The `walkers` best distinct points of the search (lowest distance first)."""
    order = np.argsort(values, kind="stable")
    out: list[np.ndarray] = []
    for i in order:
        if not any(np.allclose(points[i], p) for p in out):
            out.append(points[i])
        if len(out) == walkers:
            break
    return np.array(out)


def sample(
    log_prob: Callable[[np.ndarray], np.ndarray], start: np.ndarray, steps: int, seed: int, progress=None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Run emcee from `start` (walkers x d) for `steps` steps; the chain (steps x walkers x d), its
    log-probabilities (steps x walkers) and the mean acceptance fraction.

    `log_prob` takes an (n, d) array of points and returns n values, so each half-ensemble's
    proposals are simulated together, in parallel on the launcher."""
    import emcee

    walkers, d = start.shape
    sampler = emcee.EnsembleSampler(walkers, d, log_prob, vectorize=True)
    state = emcee.State(start, random_state=np.random.RandomState(seed).get_state())
    for _ in sampler.sample(state, iterations=steps):
        if progress is not None:
            progress()
    return sampler.get_chain(), sampler.get_log_prob(), float(np.mean(sampler.acceptance_fraction))


def in_cube(u: np.ndarray) -> np.ndarray:
    """Whether each row of u lies in the unit cube: the flat prior's support."""
    return np.all((u >= 0.0) & (u <= 1.0), axis=1)


def autocorr_steps(chain: np.ndarray) -> np.ndarray:
    """Integrated autocorrelation time per parameter, in steps (emcee's estimate; rough on short chains)."""
    import emcee

    return np.asarray(emcee.autocorr.integrated_time(chain, quiet=True, tol=0))


def summary(u: np.ndarray) -> dict:
    """Mean, covariance and correlation of unit-cube samples, and the directions they leave flat."""
    mean = u.mean(axis=0)
    cov = np.atleast_2d(np.cov(u, rowvar=False))
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.nan_to_num(cov / np.outer(sd, sd))
    lam, V = np.linalg.eigh(cov)
    flat = [V[:, k] for k in range(len(lam)) if np.sqrt(max(lam[k], 0.0)) > FLAT_SD]
    return {"mean": mean, "cov": cov, "sd": sd, "corr": corr, "flat": flat}


def warnings_for(names: list[str], post: dict) -> list[str]:
    """Plain-language warnings for parameters and pairs the targets cannot identify."""
    out = []
    for v in post["flat"]:
        big = [f"{names[i]} ({v[i]:+.2f})" for i in np.argsort(-np.abs(v)) if abs(v[i]) > 0.3]
        out.append(
            "flat direction: the targets barely constrain " + " with ".join(big) + "; its interval reflects the bounds"
        )
    c = post["corr"]
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if abs(c[i, j]) > CORRELATED:
                out.append(
                    f"strongly correlated: {names[i]} and {names[j]} (r = {c[i, j]:+.2f}); "
                    "the targets pin down a combination of the two, not each one"
                )
    return out
