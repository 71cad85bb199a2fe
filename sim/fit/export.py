"""Read a CRM export (leads and, optionally, opportunities) into funnelsim's column names.

An export is a folder holding `leads.csv` or `leads.parquet` and optionally
`opportunities.csv` / `.parquet` (or a leads file alone).  A mapping file (`conf/crm/NAME.yaml`
or any YAML path) renames the CRM's columns and outcome values.  Every check runs before
anything is written; a bad export raises `ExportError` naming the column and the first bad rows.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.config import ConfigError
from sim.loading import CONF_DIR

CRM_DIR = CONF_DIR / "crm"

# The stage timestamps of a lead, in funnel order: each is at or after the ones before it.
LEAD_TIMES = ("created", "mql", "routed", "first_touch", "sal", "sql", "opportunity", "closed")
LEAD_REQUIRED = ("lead_id", "created", "mql", "first_touch", "sal", "sql", "opportunity")
LEAD_OPTIONAL = ("routed", "closed", "source", "owner", "outcome", "segment")
OPP_REQUIRED = ("created", "closed", "amount", "outcome")
OPP_OPTIONAL = ("opportunity_id", "source", "segment")
OUTCOMES = ("won", "lost", "no_decision")


class ExportError(ConfigError):
    """A CRM export that cannot be read as asked; the message names the column and the rows."""


@dataclass
class Export:
    """A checked export: leads and opportunities with times in minutes since `origin`."""

    leads: pd.DataFrame
    opportunities: pd.DataFrame | None
    origin: pd.Timestamp
    window_days: float
    name: str


def crm_names() -> list[str]:
    return sorted(p.stem for p in CRM_DIR.glob("*.yaml"))


def load_mapping(mapping: str | None, folder: Path | None) -> dict:
    """The mapping: a named one from conf/crm/, a YAML path, the export's own mapping.yaml, or none."""
    if mapping is None:
        own = folder / "mapping.yaml" if folder is not None else None
        if own is None or not own.exists():
            return {}
        path = own
    elif (CRM_DIR / f"{mapping}.yaml").exists():
        path = CRM_DIR / f"{mapping}.yaml"
    else:
        path = Path(mapping)
        if not path.exists():
            raise ExportError(
                f"--mapping {mapping!r} is neither a known mapping ({', '.join(crm_names())}) nor a YAML file"
            )
    raw = yaml.safe_load(path.read_text()) or {}
    unknown = set(raw) - {"leads", "opportunities", "outcomes", "sources", "segments"}
    if not isinstance(raw, dict) or unknown:
        raise ExportError(
            f"{path}: unknown mapping sections {sorted(unknown)}; "
            "allowed leads, opportunities, outcomes, sources, segments"
        )
    return raw


def _find(folder: Path, stem: str) -> Path | None:
    for ext in (".parquet", ".csv"):
        if (folder / f"{stem}{ext}").exists():
            return folder / f"{stem}{ext}"
    return None


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise ExportError(f"{path} does not exist")
    if path.stat().st_size == 0:
        raise ExportError(f"{path} is empty")
    try:
        if path.suffix == ".parquet":
            df = pd.read_parquet(path)
        elif path.suffix in (".csv", ".txt"):
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        else:
            raise ExportError(f"{path}: give a .csv or .parquet file")
    except ExportError:
        raise
    except Exception as err:
        raise ExportError(f"{path} cannot be read: {err}") from err
    if len(df) == 0:
        raise ExportError(f"{path} has no rows")
    return df


def _rows(mask: np.ndarray, df: pd.DataFrame, n: int = 5) -> str:
    """The first bad rows as file line numbers (CSV: header is line 1) and their ids."""
    idx = np.flatnonzero(mask)[:n]
    return ", ".join(str(int(i) + 2) for i in idx) + (" ..." if mask.sum() > n else "")


def _rename(df: pd.DataFrame, names: dict, required, optional, table: str, path: Path) -> pd.DataFrame:
    """Rename the CRM's columns to funnelsim's; a missing required column stops with its name."""
    out = {}
    for canon in (*required, *optional):
        col = names.get(canon, canon)
        if col in df.columns:
            out[canon] = df[col]
        elif canon in required:
            used = {str(names.get(c, c)) for c in (*required, *optional)}
            spare = [str(c) for c in df.columns if str(c) not in used]
            near = difflib.get_close_matches(str(col), spare, n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            mapped = f" (funnelsim's {canon!r})" if col != canon else ""
            raise ExportError(
                f"{path}: the {table} table has no column {col!r}{mapped}{hint} "
                f"columns found: {', '.join(map(str, df.columns[:20]))}"
            )
    return pd.DataFrame(out)


def _times(df: pd.DataFrame, cols, names: dict, path: Path) -> None:
    """Parse the timestamp columns in place; an unparseable value stops with its column and rows."""
    for c in cols:
        if c not in df.columns:
            continue
        raw = df[c]
        if pd.api.types.is_datetime64_any_dtype(raw):
            parsed = raw.dt.tz_convert(None) if getattr(raw.dt, "tz", None) is not None else raw
        else:
            text = raw.astype("string").str.strip()
            present = text.notna() & (text != "")
            parsed = pd.to_datetime(text.where(present), errors="coerce", utc=True, format="mixed").dt.tz_convert(None)
            bad = (present & parsed.isna()).to_numpy()
            if bad.any():
                first = text[bad].iloc[0]
                raise ExportError(
                    f"{path}: column {names.get(c, c)!r} has values that are not timestamps "
                    f"(e.g. {first!r}) in rows {_rows(bad, df)}"
                )
        df[c] = parsed.astype("datetime64[ns]")


def _order(df: pd.DataFrame, cols, names: dict, path: Path, table: str) -> None:
    """Each stage's time is at or after the earlier stages' times; a lead that goes back in time stops."""
    present = [c for c in cols if c in df.columns]
    for i, later in enumerate(present[1:], start=1):
        for earlier in present[:i]:
            bad = (df[later] < df[earlier]).fillna(False).to_numpy()
            if bad.any():
                raise ExportError(
                    f"{path}: {table} column {names.get(later, later)!r} is before {names.get(earlier, earlier)!r} "
                    f"(a time-travelling timestamp) in rows {_rows(bad, df)}"
                )


def _unique(df: pd.DataFrame, col: str, names: dict, path: Path) -> None:
    if col not in df.columns:
        return
    missing = df[col].isna().to_numpy()
    if missing.any():
        raise ExportError(f"{path}: column {names.get(col, col)!r} is empty in rows {_rows(missing, df)}")
    dup = df[col].duplicated(keep="first").to_numpy()
    if dup.any():
        raise ExportError(f"{path}: column {names.get(col, col)!r} has duplicate ids in rows {_rows(dup, df)}")


def _values(series: pd.Series, mapping: dict) -> pd.Series:
    s = series.astype("string").str.strip()
    low = {str(k).lower(): v for k, v in mapping.items()}
    return s.map(lambda v: low.get(str(v).lower(), str(v).lower().replace(" ", "_")) if pd.notna(v) else pd.NA)


def read_export(path: str | Path, *, opportunities: str | Path | None = None, mapping: str | None = None) -> Export:
    """Read and check a CRM export; times become minutes since the first lead's day."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    if path.is_dir():
        leads_path = _find(path, "leads")
        if leads_path is None:
            raise ExportError(f"{path} holds no leads.csv or leads.parquet")
        opp_path = Path(opportunities) if opportunities else _find(path, "opportunities")
    else:
        leads_path = path
        opp_path = Path(opportunities) if opportunities else None
    m = load_mapping(mapping, folder)
    ln, on = m.get("leads", {}) or {}, m.get("opportunities", {}) or {}
    leads = _rename(_read(leads_path), ln, LEAD_REQUIRED, LEAD_OPTIONAL, "leads", leads_path)
    _unique(leads, "lead_id", ln, leads_path)
    _times(leads, LEAD_TIMES, ln, leads_path)
    missing = leads["created"].isna().to_numpy()
    if missing.any():
        raise ExportError(
            f"{leads_path}: column {ln.get('created', 'created')!r} is empty in rows {_rows(missing, leads)}"
        )
    _order(leads, LEAD_TIMES, ln, leads_path, "leads")
    opps = None
    if opp_path is not None:
        opps = _rename(_read(opp_path), on, OPP_REQUIRED, OPP_OPTIONAL, "opportunities", opp_path)
        _unique(opps, "opportunity_id", on, opp_path)
        _times(opps, ("created", "closed"), on, opp_path)
        _order(opps, ("created", "closed"), on, opp_path, "opportunities")
        amount = pd.to_numeric(opps["amount"], errors="coerce")
        bad = (opps["amount"].notna() & amount.isna()).to_numpy()
        if bad.any():
            raise ExportError(
                f"{opp_path}: column {on.get('amount', 'amount')!r} is not a number in rows {_rows(bad, opps)}"
            )
        opps["amount"] = amount.astype(float)
        opps["outcome"] = _values(opps["outcome"], m.get("outcomes", {}) or {})
    for df in (leads, opps):
        if df is None:
            continue
        if "outcome" in df.columns:
            df["outcome"] = _values(df["outcome"], m.get("outcomes", {}) or {})
        if "source" in df.columns:
            df["source"] = _values(df["source"], m.get("sources", {}) or {})
        if "segment" in df.columns:
            df["segment"] = _values(df["segment"], m.get("segments", {}) or {})
    origin = leads["created"].min().normalize()
    last = max(leads[c].max() for c in LEAD_TIMES if c in leads.columns)
    if opps is not None:
        last = max(last, opps["closed"].max())
    for df in (leads, opps):
        if df is None:
            continue
        for c in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[c]):
                df[c] = (df[c] - origin).dt.total_seconds() / 60.0
    window = float(np.ceil((last - origin).total_seconds() / 86400.0))
    return Export(leads=leads, opportunities=opps, origin=origin, window_days=max(window, 1.0), name=folder.name)
