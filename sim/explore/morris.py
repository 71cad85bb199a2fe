"""Morris screening: elementary effects along random one-at-a-time trajectories (SALib).

mu* (mean absolute elementary effect, with a bootstrap interval) ranks the factors; sigma flags
non-linear effects and interactions.  Morris (1991), Campolongo et al. (2007), via SALib.
Effects are per unit of each factor's range (the design lives on the unit cube).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.explore.sampling import Factor, problem, to_values


def design(factors: list[Factor], trajectories: int, levels: int, seed: int) -> np.ndarray:
    """trajectories x (factors + 1) points on a grid of `levels` levels in the unit cube."""
    from SALib.sample import morris

    return morris.sample(problem(factors), trajectories, num_levels=levels, seed=seed)


def analyze(
    factors: list[Factor], unit: np.ndarray, y: np.ndarray, levels: int, bootstrap: int, conf_level: float, seed: int
) -> pd.DataFrame:
    """mu, mu* (with its bootstrap interval) and sigma of one outcome, one row per factor and index."""
    from SALib.analyze import morris

    res = morris.analyze(
        problem(factors),
        np.asarray(unit, dtype=float),
        np.asarray(y, dtype=float),
        num_resamples=bootstrap,
        conf_level=conf_level,
        num_levels=levels,
        seed=seed,
    )
    rows = []
    for j, f in enumerate(factors):
        c = float(res["mu_star_conf"][j])
        for idx in ("mu_star", "mu", "sigma"):
            v = float(res[idx][j])
            cj = c if idx == "mu_star" else float("nan")
            rows.append({"factor": f.key, "index": idx, "value": v, "conf": cj, "ci_low": v - cj, "ci_high": v + cj})
    return pd.DataFrame(rows)


def indices(factors: list[Factor], unit: np.ndarray, means: pd.DataFrame, outcomes: list[str], spec: dict):
    """Tidy table of every outcome's Morris measures, ranked by mu*."""
    frames = []
    for o in outcomes:
        df = analyze(
            factors, unit, means[o].to_numpy(), spec["levels"], spec["bootstrap"], spec["conf_level"], spec["root_seed"]
        )
        df.insert(0, "outcome", o)
        ms = df[df["index"] == "mu_star"].set_index("factor")["value"]
        df["rank"] = df["factor"].map(ms.rank(ascending=False, method="first").astype(int))
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def samples(factors: list[Factor], spec: dict) -> tuple[np.ndarray, pd.DataFrame]:
    unit = design(factors, spec["trajectories"], spec["levels"], spec["root_seed"])
    return unit, to_values(factors, unit)
