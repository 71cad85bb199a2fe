"""Policy optimisation with Optuna: levers chosen by a seeded sampler, one or more objectives, constraints.

Each trial runs the same replication seeds (common random numbers), so two trials differ by
their levers, not by luck.  Trials are asked in batches and simulated in parallel; the numbers
depend on `batch`, not on the launcher.  Constraints (e.g. touched_within.1h >= 0.9) are passed
to the sampler as violations (Optuna's constrained TPE / NSGA-II).  The best policies (the
Pareto front, or the best trials) are re-run with more replications on fresh seeds to confirm
them free of the selection's luck.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.explore.running import run_stage, sample_means
from sim.explore.sampling import Factor
from sim.explore.spec import factor_list, holds


def violation(row, constraints: list[dict]) -> list[float]:
    """Per constraint, how far a trial misses it (<= 0 where met), as Optuna's constraints expect."""
    out = []
    for c in constraints:
        v = float(row[c["metric"]])
        if not math.isfinite(v):
            out.append(1.0)
        else:
            out.append(c["value"] - v if c["op"] in (">=", ">") else v - c["value"])
    return out


def suggest(trial, f: Factor):
    if f.choices is not None:
        return trial.suggest_categorical(f.key, list(f.choices))
    if f.integer:
        return trial.suggest_int(f.key, int(f.low), int(f.high))
    return trial.suggest_float(f.key, f.low, f.high, log=f.log)


def pareto_mask(values: np.ndarray, directions: list[str]) -> np.ndarray:
    """Non-dominated rows (after turning every objective into one to maximise)."""
    sign = np.array([1.0 if d == "maximize" else -1.0 for d in directions])
    v = values * sign
    n = len(v)
    mask = np.ones(n, dtype=bool)
    for i in range(n):
        others = np.delete(v, i, axis=0)
        if len(others) and np.any(np.all(others >= v[i], axis=1) & np.any(others > v[i], axis=1)):
            mask[i] = False
    return mask


def _sampler(spec: dict, n_obj: int):
    import optuna

    def constraints(trial):
        return trial.user_attrs.get("constraint", [0.0])

    # Optuna 5 reads constraints set on the trial (Trial.set_constraint); older versions take a function
    cons = constraints if spec["constraints"] and not hasattr(optuna.trial.Trial, "set_constraint") else None
    if spec["sampler"] == "random":
        return optuna.samplers.RandomSampler(seed=spec["root_seed"])
    if spec["sampler"] == "nsga2":
        return optuna.samplers.NSGAIISampler(
            seed=spec["root_seed"], constraints_func=cons, population_size=spec["batch"]
        )
    return optuna.samplers.TPESampler(seed=spec["root_seed"], constraints_func=cons, multivariate=True)


def run(spec: dict, folder, runopts: dict) -> tuple[dict, list, dict]:
    """Trials, Pareto front and confirmation; returns (tables, figures, summary)."""
    import optuna

    from sim.explore.plots import plot_pareto

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    factors = factor_list(spec)
    objectives = spec["objectives"]
    directions = [o["direction"] for o in objectives]
    study = optuna.create_study(directions=directions, sampler=_sampler(spec, len(objectives)))
    outcomes = spec["outcomes"]
    rows, all_runs = [], []
    n_batches = math.ceil(spec["trials"] / spec["batch"])
    for b in range(n_batches):
        size = min(spec["batch"], spec["trials"] - b * spec["batch"])
        trials = [study.ask() for _ in range(size)]
        samples = [{f.key: suggest(t, f) for f in factors} for t in trials]
        runs = run_stage(
            folder, f"trials-{b:03d}", spec["base"], samples, spec["replications"], spec["root_seed"], runopts
        )
        runs.insert(0, "trial", runs["sample"] + b * spec["batch"])
        all_runs.append(runs)
        means = sample_means(runs, [f.key for f in factors], outcomes)
        for i, t in enumerate(trials):
            if i not in means.index or not all(math.isfinite(means.loc[i, o["metric"]]) for o in objectives):
                study.tell(t, state=optuna.trial.TrialState.FAIL)
                rows.append({"trial": t.number, **samples[i], "feasible": False, "failed": True})
                continue
            m = means.loc[i]
            viol = violation(m, spec["constraints"])
            t.set_user_attr("constraint", viol or [0.0])
            if hasattr(t, "set_constraint"):
                for c, v in zip(spec["constraints"], viol, strict=True):
                    t.set_constraint(f"{c['metric']} {c['op']} {c['value']}", v)
            study.tell(t, [float(m[o["metric"]]) for o in objectives])
            rows.append(
                {
                    "trial": t.number,
                    **samples[i],
                    **{o: float(m[o]) for o in outcomes},
                    "feasible": all(v <= 0 for v in viol),
                    "failed": False,
                }
            )
    table = pd.DataFrame(rows)
    table["pareto"] = False
    ok = table[table["feasible"]]
    if len(ok):
        vals = ok[[o["metric"] for o in objectives]].to_numpy(dtype=float)
        front = ok.index[pareto_mask(vals, directions)]
        table.loc[front, "pareto"] = True
    best = confirm_choice(table, ok, objectives, spec["confirm_top"])
    confirmed = pd.DataFrame()
    tables = {"trials": table, "trial_runs": pd.concat(all_runs, ignore_index=True)}
    if len(best):
        csamples = [{f.key: best.iloc[i][f.key] for f in factors} for i in range(len(best))]
        csamples = [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in s.items()} for s in csamples]
        cruns = run_stage(
            folder, "confirm", spec["base"], csamples, spec["confirm_replications"], spec["root_seed"] + 1, runopts
        )
        cruns.insert(0, "trial", cruns["sample"].map(dict(enumerate(best["trial"]))))
        tables["confirm_runs"] = cruns
        confirmed = confirm_table(cruns, best, factors, outcomes, spec["constraints"])
        tables["confirmed"] = confirmed
    fig, _ = plot_pareto(table, objectives, confirmed if len(confirmed) else None)
    summary = {
        "trials": int(len(table)),
        "feasible": int(table["feasible"].sum()),
        "pareto": int(table["pareto"].sum()),
        "confirmed": confirmed.to_dict(orient="records") if len(confirmed) else [],
    }
    return tables, [("pareto", fig)], summary


def confirm_choice(table: pd.DataFrame, ok: pd.DataFrame, objectives: list[dict], k: int) -> pd.DataFrame:
    """The trials to confirm: the k best (one objective), or k spread evenly along the Pareto front
    sorted by the first objective (trials with equal objective values count once)."""
    m = [o["metric"] for o in objectives]
    if not k or not len(ok):
        return table.iloc[:0]
    if len(objectives) == 1:
        return ok.sort_values(m[0], ascending=objectives[0]["direction"] == "minimize", kind="stable").head(k)
    front = table[table["pareto"]].sort_values(m[0], kind="stable").drop_duplicates(subset=m)
    picks = sorted(set(np.linspace(0, len(front) - 1, min(k, len(front))).round().astype(int)))
    return front.iloc[picks]


def confirm_table(cruns, best, factors, outcomes, constraints) -> pd.DataFrame:
    """Per confirmed policy: its levers, each outcome's mean and 95 % t half-width, and whether constraints hold."""
    from scipy import stats

    rows = []
    ok = cruns[cruns["status"] == "ok"]
    for trial, g in ok.groupby("trial", sort=False):
        row = {"trial": int(trial), **{f.key: g[f.key].iloc[0] for f in factors}, "replications": len(g)}
        for o in outcomes:
            x = g[o].to_numpy(dtype=float)
            half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else np.nan
            row[f"{o}.mean"], row[f"{o}.ci"] = float(x.mean()), half
        row["constraints_met"] = all(bool(holds(row[f"{c['metric']}.mean"], c["op"], c["value"])) for c in constraints)
        rows.append(row)
    return pd.DataFrame(rows)
