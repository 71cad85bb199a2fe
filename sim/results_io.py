"""Read finished run and sweep folders into tables, so plots and reports share one loader.

A run folder (from `funnelsim run`) holds `summary.json` and `daily.parquet`; a sweep folder
(from `funnelsim sweep`) holds `runs.parquet`, `scenarios.parquet` and `sweep.json`.  Both are
turned into the same tidy per-scenario table (`scenario_table`) and response-time table
(`response_table`), so every plot works on either.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

RUN_FILES = ("summary.json", "daily.parquet")
SWEEP_FILES = ("runs.parquet", "scenarios.parquet", "sweep.json")

# Columns of the tidy per-scenario table that are not levers.
STAT_COLUMNS = (
    "scenario",
    "label",
    "baseline",
    "metric",
    "n",
    "mean",
    "std",
    "ci_low",
    "ci_high",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
)
RUNS_REQUIRED = ("scenario", "label", "baseline", "replication", "seed", "status")
RESPONSE_COLUMNS = ("scenario", "replication", "bin_lo", "bin_hi", "leads", "sal", "sql")


class ResultsError(ValueError):
    """A folder or table that is not a readable funnelsim result; the message says what is expected."""


@dataclass
class RunResults:
    """One run folder: its config, summary and daily, deal and (optional) lead tables."""

    path: Path
    summary: dict
    daily: pd.DataFrame
    deals: pd.DataFrame | None = None
    leads: pd.DataFrame | None = None
    config_text: str = ""
    config: dict = field(default_factory=dict)
    kind: str = "run"

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def levers(self) -> list[str]:
        return []

    @property
    def seeds(self) -> dict[str, int]:
        seed = self.config.get("sim", {}).get("seed")
        return {"seed": seed} if seed is not None else {}


@dataclass
class SweepResults:
    """One sweep folder: every run, the per-scenario statistics, response histograms and the sweep record."""

    path: Path
    runs: pd.DataFrame
    scenarios: pd.DataFrame
    meta: dict
    responses: pd.DataFrame | None = None
    kind: str = "sweep"

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or self.path.name)

    @property
    def levers(self) -> list[str]:
        return list(self.meta.get("levers") or levers_of(self.scenarios))

    @property
    def baseline(self) -> str:
        return str(self.scenarios.loc[self.scenarios["baseline"].astype(bool), "scenario"].iloc[0])

    @property
    def seeds(self) -> dict[str, int]:
        """Root seed and the seed of each replication (the same under every scenario)."""
        reps = self.runs[["replication", "seed"]].drop_duplicates().sort_values("replication")
        out = {"root_seed": self.meta.get("root_seed")}
        out.update({f"replication {int(r)}": int(s) for r, s in zip(reps.replication, reps.seed, strict=True)})
        return out


def levers_of(table: pd.DataFrame) -> list[str]:
    """The lever columns of a tidy per-scenario table: every column that is not a statistic."""
    return [c for c in table.columns if c not in STAT_COLUMNS]


def _need(df: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ResultsError(f"{what} lacks the columns {missing}; a funnelsim table has {list(columns)}")


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several types for damaged files
        raise ResultsError(f"{path} is not a readable Parquet table ({type(err).__name__}: {err})") from err


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ResultsError(f"{path} is not readable JSON ({err})") from err
    if not isinstance(data, dict):
        raise ResultsError(f"{path} holds a {type(data).__name__}; expected a JSON object")
    return data


def load_run(path: Path) -> RunResults:
    """Read a run folder; the response histogram's open last edge (null in JSON) becomes infinity."""
    import yaml

    summary = _read_json(path / "summary.json")
    for key in ("revenue", "waterfall", "rep_time_share"):
        if key not in summary:
            raise ResultsError(f"{path / 'summary.json'} has no {key!r}; is it a funnelsim run summary?")
    hist = summary.get("response_histogram")
    if hist:
        hist["edges_minutes"] = [math.inf if e is None else float(e) for e in hist["edges_minutes"]]
    daily = _read_parquet(path / "daily.parquet")
    _need(daily, ("day", "mqls", "revenue", "pipeline"), f"{path / 'daily.parquet'}")
    deals = _read_parquet(path / "deals.parquet") if (path / "deals.parquet").exists() else None
    leads = _read_parquet(path / "leads.parquet") if (path / "leads.parquet").exists() else None
    text = (path / "config.yaml").read_text() if (path / "config.yaml").exists() else ""
    config = (yaml.safe_load(text) or {}) if text else {}
    return RunResults(
        path=path, summary=summary, daily=daily, deals=deals, leads=leads, config_text=text, config=config
    )


def load_sweep(path: Path) -> SweepResults:
    """Read a sweep folder and check the tables carry the columns plots and reports use."""
    meta = _read_json(path / "sweep.json")
    runs = _read_parquet(path / "runs.parquet")
    _need(runs, RUNS_REQUIRED, f"{path / 'runs.parquet'}")
    scen = _read_parquet(path / "scenarios.parquet")
    _need(scen, STAT_COLUMNS, f"{path / 'scenarios.parquet'}")
    if scen.empty:
        raise ResultsError(f"{path / 'scenarios.parquet'} is empty: no scenario finished; see {path / 'sweep.json'}")
    if not scen["baseline"].astype(bool).any():
        raise ResultsError(f"{path / 'scenarios.parquet'} marks no scenario as baseline; exactly one must be")
    levers = meta.get("levers") or levers_of(scen)
    missing = [k for k in levers if k not in scen.columns]
    if missing:
        raise ResultsError(f"{path / 'sweep.json'} names levers {missing} that scenarios.parquet lacks")
    responses = None
    if (path / "responses.parquet").exists():
        responses = _read_parquet(path / "responses.parquet")
        _need(responses, RESPONSE_COLUMNS, f"{path / 'responses.parquet'}")
    return SweepResults(path=path, runs=runs, scenarios=scen, meta=meta, responses=responses)


def load_results(folder) -> RunResults | SweepResults:
    """Read a run or sweep folder, whichever it is; anything else raises ResultsError saying what is expected."""
    path = Path(folder)
    if not path.exists():
        raise ResultsError(f"{path} does not exist; give a run folder (results/runs/...) or a sweep folder")
    if not path.is_dir():
        raise ResultsError(f"{path} is a file; give a run folder (results/runs/...) or a sweep folder")
    if all((path / f).exists() for f in SWEEP_FILES):
        return load_sweep(path)
    if all((path / f).exists() for f in RUN_FILES):
        return load_run(path)
    if (path / "plan.json").exists() or (path / "jobs").is_dir():
        raise ResultsError(
            f"{path} is a sweep that has not finished (no {' / '.join(SWEEP_FILES)} yet); "
            "run the same `funnelsim sweep` again to finish and merge it"
        )
    raise ResultsError(
        f"{path} is not a run or sweep folder: a run folder (from `funnelsim run`) holds {' and '.join(RUN_FILES)}; "
        f"a sweep folder (from `funnelsim sweep`) holds {', '.join(SWEEP_FILES)}"
    )


def numeric_metrics(summary: dict) -> dict:
    """Numeric summary values as dotted keys (as in a sweep's runs table), missing values as NaN."""
    from sim.sweep.job import flatten

    return {
        k: float("nan") if v is None else float(v)
        for k, v in flatten(summary).items()
        if v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
    }


def scenario_table(data) -> pd.DataFrame:
    """The tidy per-scenario table (one row per scenario and metric) of a sweep, or of a run as one scenario."""
    if isinstance(data, SweepResults):
        return data.scenarios
    if isinstance(data, pd.DataFrame):
        _need(data, STAT_COLUMNS, "the per-scenario table")
        return data
    if isinstance(data, RunResults):
        summary, label = data.summary, str(data.config.get("scenario") or data.name)
    elif isinstance(data, dict):
        summary, label = data, "run"
    else:
        raise TypeError(f"expected run or sweep results, a summary dict or a per-scenario table; got {type(data)}")
    rows = [
        {
            "scenario": "run",
            "label": label,
            "baseline": True,
            "metric": k,
            "n": 1,
            "mean": v,
            "std": float("nan"),
            "ci_low": v,
            "ci_high": v,
            "diff_mean": 0.0,
            "diff_ci_low": 0.0,
            "diff_ci_high": 0.0,
        }
        for k, v in numeric_metrics(summary).items()
    ]
    return pd.DataFrame(rows, columns=list(STAT_COLUMNS))


def wide_means(table: pd.DataFrame) -> pd.DataFrame:
    """Per-scenario means as one row per scenario and one column per metric, with label, baseline and levers."""
    levers = levers_of(table)
    first = table.drop_duplicates("scenario").set_index("scenario")[["label", "baseline", *levers]]
    means = table.pivot(index="scenario", columns="metric", values="mean")
    out = first.join(means)
    out["baseline"] = out["baseline"].astype(bool)
    return out.reset_index()


def response_table(data) -> pd.DataFrame:
    """Response-time histogram rows (scenario, replication, bin_lo, bin_hi, leads, sal, sql) of a run or sweep."""
    if isinstance(data, SweepResults):
        if data.responses is None:
            raise ResultsError(f"{data.path} has no responses.parquet; the response-time plot needs it")
        return data.responses
    if isinstance(data, pd.DataFrame):
        _need(data, RESPONSE_COLUMNS, "the response-time table")
        return data
    summary = data.summary if isinstance(data, RunResults) else data
    hist = summary.get("response_histogram") if isinstance(summary, dict) else None
    if not hist:
        raise ResultsError("the run summary has no response_histogram")
    edges = [math.inf if e is None else float(e) for e in hist["edges_minutes"]]
    n = len(hist["leads"])
    return pd.DataFrame(
        {
            "scenario": ["run"] * n,
            "replication": np.zeros(n, dtype=np.int64),
            "bin_lo": edges[:-1],
            "bin_hi": edges[1:],
            "leads": hist["leads"],
            "sal": hist["sal"],
            "sql": hist["sql"],
        }
    )
