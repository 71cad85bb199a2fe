"""`funnelsim targets EXPORT`: a CRM export's funnel statistics, with sampling errors, as a targets file.

    funnelsim targets EXPORT [--mapping salesforce|hubspot|FILE] [--opportunities FILE] [--out FILE.json]

EXPORT is a folder with leads.csv|parquet (and optionally opportunities.csv|parquet and its own
mapping.yaml) or a leads file.  Writes results/targets/<export>.json unless --out names another
file; an existing file is never overwritten.  A bad export stops with exit code 2, nothing written.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from sim.fit.export import ExportError, read_export
from sim.fit.targets import monthly, statistics


def parse(argv: list[str]) -> dict:
    opts = {"export": None, "mapping": None, "opportunities": None, "out": None}
    it = iter(argv)
    for a in it:
        if a in ("--mapping", "--opportunities", "--out"):
            try:
                opts[a[2:]] = next(it)
            except StopIteration:
                raise ExportError(f"{a} needs a value") from None
        elif a.startswith("--") and "=" in a and a[2:].split("=", 1)[0] in ("mapping", "opportunities", "out"):
            k, v = a[2:].split("=", 1)
            opts[k] = v
        elif a.startswith("-"):
            raise ExportError(f"unknown option {a!r}; allowed --mapping, --opportunities, --out")
        elif opts["export"] is None:
            opts["export"] = a
        else:
            raise ExportError(f"give one EXPORT; got {opts['export']!r} and {a!r}")
    if opts["export"] is None:
        raise ExportError("give the CRM export: funnelsim targets EXPORT (a folder or a leads file)")
    return opts


def build(opts: dict) -> dict:
    """The targets document of an export: its window, every statistic and the monthly volumes."""
    ex = read_export(opts["export"], opportunities=opts["opportunities"], mapping=opts["mapping"])
    stats = statistics(ex.leads, ex.opportunities, ex.window_days)
    return {
        "export": str(opts["export"]),
        "mapping": opts["mapping"],
        "origin": ex.origin.isoformat(),
        "window_days": ex.window_days,
        "leads": len(ex.leads),
        "opportunities": None if ex.opportunities is None else len(ex.opportunities),
        "targets": stats.to_dict(orient="records"),
        "monthly": monthly(ex.leads, ex.window_days).to_dict(orient="records"),
    }


def table(doc: dict) -> str:
    rows = [f"  {'target':<40} {'value':>12} {'± se':>10} {'n':>7}"]
    for t in doc["targets"]:
        rows.append(f"  {t['name']:<40} {t['value']:>12.4g} {t['se']:>10.2g} {t['n']:>7}")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    try:
        opts = parse(argv)
        out = Path(opts["out"] or Path("results/targets") / f"{Path(opts['export']).resolve().name}.json")
        if out.exists():
            raise ExportError(f"{out} already exists; give another --out or remove it")
        doc = build(opts)
    except ExportError as err:
        print(f"funnelsim targets: error: {err}", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    os.replace(tmp, out)
    print(
        f"export {doc['export']}: {doc['leads']:,} leads"
        + (f", {doc['opportunities']:,} opportunities" if doc["opportunities"] is not None else "")
        + f", {doc['window_days']:.0f} days from {doc['origin'][:10]}"
    )
    print(table(doc))
    print(f"targets: {out}")
    return 0
