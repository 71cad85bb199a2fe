"""`funnelsim validate`: run every check, print one table, write it as JSON and Markdown."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

from sim.config import ConfigError

USAGE = "funnelsim validate [overrides...] [--out DIR] [--markdown]"


def fmt_number(x) -> str:
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.4g}"


def verdict(passed) -> str:
    return "info" if passed is None else ("pass" if passed else "FAIL")


def markdown(rows: list[dict]) -> str:
    """The checks as one Markdown table."""
    lines = [
        "| check | reference | source | model | 95 % interval | tolerance | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ci = f"{fmt_number(r['ci_low'])} – {fmt_number(r['ci_high'])}"
        lines.append(
            f"| `{r['check']}` | {fmt_number(r['reference'])} | {r['source']} | {fmt_number(r['model'])} | {ci} "
            f"| {r['tolerance']} | {verdict(r['passed'])} |"
        )
    return "\n".join(lines) + "\n"


def text_table(rows: list[dict]) -> str:
    head = ("check", "reference", "model", "95 % interval", "tolerance", "result")
    body = [
        (
            r["check"],
            fmt_number(r["reference"]),
            fmt_number(r["model"]),
            f"{fmt_number(r['ci_low'])} - {fmt_number(r['ci_high'])}",
            r["tolerance"],
            verdict(r["passed"]),
        )
        for r in rows
    ]
    widths = [max(len(str(x[i])) for x in (head, *body)) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(fmt.format(*x) for x in (head, *body))


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="funnelsim validate", usage=USAGE, description=__doc__)
    ap.add_argument("overrides", nargs="*", help="Hydra overrides for the default-market checks")
    ap.add_argument(
        "--out",
        type=Path,
        help="existing folder (e.g. a run or sweep) for validation.json and validation.md; "
        "default: a new results/validation/<timestamp>/",
    )
    ap.add_argument("--markdown", action="store_true", help="print the Markdown table instead of the text table")
    try:
        args = ap.parse_args(argv)
    except SystemExit as err:
        return 0 if err.code == 0 else 2
    if args.out is not None and not args.out.is_dir():
        raise ConfigError(f"--out {args.out} is not an existing folder; give a run or sweep folder, or any folder")
    from sim import load_config
    from sim.validation.checks import run_all

    load_config(args.overrides)  # bad overrides stop here, before any run
    t0 = time.time()
    rows = [r.as_dict() for r in run_all(args.overrides, progress=lambda t: print(f"... {t}", file=sys.stderr))]
    failed = [r["check"] for r in rows if r["passed"] is False]
    doc = {
        "overrides": args.overrides,
        "seconds": round(time.time() - t0, 1),
        "passed": not failed,
        "checks": rows,
    }
    print(markdown(rows) if args.markdown else text_table(rows))
    out = args.out
    if out is None:
        out = Path("results/validation") / time.strftime("%Y%m%d-%H%M%S")
        out.mkdir(parents=True, exist_ok=False)
    _write_atomic(out / "validation.json", json.dumps(doc, indent=1, default=float))
    _write_atomic(out / "validation.md", markdown(rows))
    print(f"written: {out / 'validation.json'} and validation.md", file=sys.stderr)
    if failed:
        print(f"funnelsim validate: {len(failed)} check(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
