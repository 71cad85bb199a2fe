"""Sobol sensitivity: Saltelli's sampling and first-order and total indices with bootstrap intervals (SALib).

The design and the analysis work on the unit cube (sim.explore.sampling), so the same two
functions serve the model and a plain Python function such as Ishigami's (tested against its
analytic indices).  Sobol (2001), Saltelli et al. (2010), via SALib (Herman & Usher, JOSS 2017).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.explore.sampling import Factor, problem, to_values


def design(factors: list[Factor], samples: int, seed: int) -> np.ndarray:
    """Saltelli's design on the unit cube: samples x (factors + 2) points (no second-order terms)."""
    from SALib.sample import sobol

    return sobol.sample(problem(factors), samples, calc_second_order=False, scramble=True, seed=seed)


def analyze(factors: list[Factor], y: np.ndarray, bootstrap: int, conf_level: float, seed: int) -> pd.DataFrame:
    """First-order (S1) and total (ST) indices of one outcome, with bootstrap intervals, one row per factor."""
    from SALib.analyze import sobol

    res = sobol.analyze(
        problem(factors),
        np.asarray(y, dtype=float),
        calc_second_order=False,
        num_resamples=bootstrap,
        conf_level=conf_level,
        seed=seed,
    )
    rows = []
    for j, f in enumerate(factors):
        for idx in ("S1", "ST"):
            v, c = float(res[idx][j]), float(res[f"{idx}_conf"][j])
            rows.append({"factor": f.key, "index": idx, "value": v, "conf": c, "ci_low": v - c, "ci_high": v + c})
    return pd.DataFrame(rows)


def indices(factors: list[Factor], means: pd.DataFrame, outcomes: list[str], spec: dict) -> pd.DataFrame:
    """Tidy table of every outcome's indices: outcome, factor, index (S1, ST), value, conf, interval, rank by ST."""
    frames = []
    for o in outcomes:
        df = analyze(factors, means[o].to_numpy(), spec["bootstrap"], spec["conf_level"], spec["root_seed"])
        df.insert(0, "outcome", o)
        st = df[df["index"] == "ST"].set_index("factor")["value"]
        df["rank"] = df["factor"].map(st.rank(ascending=False, method="first").astype(int))
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def samples(factors: list[Factor], spec: dict) -> tuple[np.ndarray, pd.DataFrame]:
    """The unit design and its factor values (one row per model sample)."""
    unit = design(factors, spec["samples"], spec["root_seed"])
    return unit, to_values(factors, unit)
