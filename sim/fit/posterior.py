"""The approximate posterior of the fitted parameters: a Laplace approximation of the synthetic likelihood.

Around the best point the weighted distance D(u) (in units of the targets' standard errors)
is -2 log of a Gaussian synthetic likelihood (Wood, Nature 2010).  A central-difference
design gives its gradient and Hessian H; the posterior in the unit cube is then normal with
covariance 2 H^-1, truncated to the bounds (flat prior).  Flat directions (an eigenvalue
near zero) and strongly correlated pairs are reported: the data do not pin those down.
"""

from __future__ import annotations

import numpy as np

PRIOR_VAR = 1.0 / 12.0  # variance of the uniform prior on [0, 1]
FLAT_SD = 0.2  # a unit-cube posterior sd above this: the data barely narrow the prior
CORRELATED = 0.9


def design(center: np.ndarray, h: np.ndarray) -> list[np.ndarray]:
    """Centre, +-h along each axis, and (+h,+h), (-h,-h) along each pair: enough for a full quadratic."""
    d = len(center)
    pts = [center.copy()]
    for i in range(d):
        for s in (1, -1):
            p = center.copy()
            p[i] += s * h[i]
            pts.append(p)
    for i in range(d):
        for j in range(i + 1, d):
            for s in (1, -1):
                p = center.copy()
                p[i] += s * h[i]
                p[j] += s * h[j]
                pts.append(p)
    return pts


def inner_center(u: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The design's centre: the best point, moved inside so every design point is within the bounds."""
    return np.clip(u, 2 * h, 1 - 2 * h)


def quadratic(f: list[float], h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and Hessian from the values of D on `design(center, h)` (same order)."""
    d = len(h)
    f0 = f[0]
    ax = np.array(f[1 : 1 + 2 * d]).reshape(d, 2)  # (+, -) per axis
    g = (ax[:, 0] - ax[:, 1]) / (2 * h)
    H = np.diag((ax[:, 0] - 2 * f0 + ax[:, 1]) / h**2)
    k = 1 + 2 * d
    for i in range(d):
        for j in range(i + 1, d):
            fpp, fmm = f[k], f[k + 1]
            k += 2
            H[i, j] = H[j, i] = (fpp + fmm - ax[i, 0] - ax[i, 1] - ax[j, 0] - ax[j, 1] + 2 * f0) / (2 * h[i] * h[j])
    return g, H


def laplace(center: np.ndarray, g: np.ndarray, H: np.ndarray, h: np.ndarray) -> dict:
    """Posterior mean and covariance in the unit cube, and which directions the data leave flat."""
    lam, V = np.linalg.eigh((H + H.T) / 2)
    # covariance 2 H^-1; a direction with too little curvature keeps the prior's spread
    cov_eig = np.where(lam > 2 / PRIOR_VAR, 2 / np.maximum(lam, 1e-300), PRIOR_VAR)
    cov = (V * cov_eig) @ V.T
    step = -(V * np.where(lam > 2 / PRIOR_VAR, 1 / np.maximum(lam, 1e-300), 0.0)) @ V.T @ g
    step = np.clip(step, -2 * h, 2 * h)  # a Newton step stays inside the design's reach
    mean = np.clip(center + step, 0.0, 1.0)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    return {
        "mean": mean,
        "cov": cov,
        "sd": sd,
        "corr": corr,
        "eigenvalues": lam,
        "eigenvectors": V,
        "flat": [V[:, k] for k in range(len(lam)) if cov_eig[k] >= PRIOR_VAR * 0.99 or np.sqrt(cov_eig[k]) > FLAT_SD],
    }


def draws(post: dict, n: int, seed: int) -> np.ndarray:
    """n draws in the unit cube from the normal approximation truncated to [0, 1] (rejection, then clipping)."""
    gen = np.random.default_rng(seed)
    out = np.empty((0, len(post["mean"])))
    for _ in range(50):
        x = gen.multivariate_normal(post["mean"], post["cov"], size=4 * n)
        out = np.vstack([out, x[np.all((x >= 0) & (x <= 1), axis=1)]])
        if len(out) >= n:
            return out[:n]
    x = gen.multivariate_normal(post["mean"], post["cov"], size=n - len(out))
    return np.vstack([out, np.clip(x, 0, 1)])


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
