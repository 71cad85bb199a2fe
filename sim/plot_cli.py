"""`funnelsim plot DIR` and `funnelsim report DIR`: the standard figures of a run or sweep folder.

`sim.plots.plan.figure_plan` decides which figures a folder gets; both commands exit with code 2
and write nothing when the folder or an option is wrong.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from sim.plots.plan import WHATIF_METRICS, Figure, figure_plan, render

FORMATS = ("png", "svg", "pdf")


def _parser(prog: str, what: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=what)
    p.add_argument("folder", metavar="DIR", help="a run folder (results/runs/...) or a sweep folder")
    p.add_argument(
        "--currency", default="", help="currency symbol for money, e.g. '€' (default: the folder's market.currency)"
    )
    return p


def _parse(parser: argparse.ArgumentParser, argv: list[str]):
    """Parse arguments; a usage error returns the exit code instead of raising SystemExit."""
    try:
        return parser.parse_args(argv), None
    except SystemExit as exc:
        return None, int(exc.code or 0)


def _target_ok(target: Path, suffixes: tuple[str, ...]) -> str | None:
    """None if `target` may be (re)written: absent, empty, or holding only earlier plot files."""
    if not target.exists():
        return None
    if not target.is_dir():
        return f"{target} exists and is not a folder"
    foreign = [p.name for p in target.iterdir() if p.suffix.lstrip(".") not in suffixes]
    if foreign:
        return f"{target} holds files that are not plots ({', '.join(sorted(foreign)[:3])}); give another --out"
    return None


def save_figures(plan: list[Figure], target: Path, formats: tuple[str, ...], dpi: int, footer: str = "") -> list[Path]:
    """Draw every planned figure into a temporary folder, then swap it in: the folder appears whole or not at all."""
    import matplotlib.pyplot as plt

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for f in plan:
            fig = render(f, footer=footer)
            try:
                for fmt in formats:
                    meta = {"Date": None} if fmt == "svg" else {}
                    fig.savefig(
                        tmp / f"{f.name}.{fmt}", dpi=dpi, metadata=meta or None, bbox_inches="tight", pad_inches=0.12
                    )
            finally:
                plt.close(fig)
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            os.rename(target, old)
        os.rename(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(target.iterdir())


def main_plot(argv: list[str]) -> int:
    """`funnelsim plot DIR`: write the standard figures of a run or sweep as PNG and SVG into DIR/plots/."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots import PlotError
    from sim.plots.labels import footer_text
    from sim.report import default_currency, run_days
    from sim.results_io import ResultsError, load_results

    parser = _parser("funnelsim plot", "Write the standard what-if plots of a run or sweep folder into DIR/plots/.")
    parser.add_argument("--out", help="folder for the plots (default: DIR/plots)")
    parser.add_argument("--format", default="png,svg", help=f"comma list of {', '.join(FORMATS)} (default: png,svg)")
    parser.add_argument("--dpi", type=int, default=150, help="PNG resolution in dots per inch (default: 150)")
    parser.add_argument(
        "--metric",
        action="append",
        help=f"sweep metric for what-if, heatmap and forest plots (repeatable; default: {', '.join(WHATIF_METRICS)})",
    )
    args, code = _parse(parser, argv)
    if args is None:
        return code
    formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        print(
            f"funnelsim plot: --format {args.format!r} is not allowed; choose from {', '.join(FORMATS)}",
            file=sys.stderr,
        )
        return 2
    if not 20 <= args.dpi <= 1200:
        print(f"funnelsim plot: --dpi {args.dpi} is out of range; allowed 20 to 1200", file=sys.stderr)
        return 2
    target = Path(args.out) if args.out else Path(args.folder) / "plots"
    try:
        results = load_results(args.folder)
        currency = args.currency or default_currency(results)
        plan = figure_plan(results, metrics=args.metric, currency=currency)
        problem = _target_ok(target, FORMATS)
        if problem:
            raise ResultsError(problem)
        files = save_figures(plan, target, formats, args.dpi, footer=footer_text(currency, run_days(results)))
    except (ResultsError, PlotError) as err:
        print(f"funnelsim plot: {err}", file=sys.stderr)
        return 2
    print(f"{len(plan)} figures ({', '.join(formats)}) -> {target}")
    for f in files:
        print(f"  {f.name}")
    return 0


REPORT_FORMATS = ("html", "pdf", "pptx")


def main_report(argv: list[str]) -> int:
    """`funnelsim report DIR`: write one self-contained HTML report (DIR/report.html), or a PDF or PowerPoint
    deck (--format pdf|pptx: DIR/report.pdf, DIR/report.pptx)."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots import PlotError
    from sim.report import build_context, write_report
    from sim.results_io import ResultsError, load_results

    parser = _parser("funnelsim report", "Write a client report of a run or sweep folder: HTML, PDF or PowerPoint.")
    parser.add_argument("--out", help="report file (default: DIR/report.html, .pdf or .pptx)")
    parser.add_argument(
        "--format", default="html", help=f"one of {', '.join(REPORT_FORMATS)}, or a comma list (default: html)"
    )
    args, code = _parse(parser, argv)
    if args is None:
        return code
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in REPORT_FORMATS]
    if bad or not formats:
        print(
            f"funnelsim report: --format {args.format!r} is not allowed; choose from {', '.join(REPORT_FORMATS)}",
            file=sys.stderr,
        )
        return 2
    if args.out and len(formats) > 1:
        print("funnelsim report: --out names one file; give one --format with it", file=sys.stderr)
        return 2
    outs = {}
    for fmt in formats:
        out = Path(args.out) if args.out else Path(args.folder) / f"report.{fmt}"
        allowed = (".html", ".htm") if fmt == "html" else (f".{fmt}",)
        if out.suffix.lower() not in allowed:
            print(f"funnelsim report: --out {out} must end in {allowed[0]} for --format {fmt}", file=sys.stderr)
            return 2
        if out.exists() and out.is_dir():
            print(
                f"funnelsim report: --out {out} is a folder; give a file name ending in {allowed[0]}", file=sys.stderr
            )
            return 2
        outs[fmt] = out
    try:
        from sim.explore.report import is_explore  # an explore folder: sim/report.py's explore hook

        if is_explore(args.folder):
            if formats != ["html"]:
                print("funnelsim report: an explore folder's report is HTML only; drop --format", file=sys.stderr)
                return 2
            path = write_report(args.folder, outs["html"])
            print(f"report: {path} ({path.stat().st_size / 1e6:.1f} MB)")
            return 0
        results = load_results(args.folder)
        ctx = build_context(results, args.currency)
        for fmt, out in outs.items():
            if fmt == "html":
                path = write_report(results, out, context=ctx)
            else:
                from sim import decks

                path = (decks.write_pdf if fmt == "pdf" else decks.write_pptx)(ctx, out)
            print(f"report: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    except (ResultsError, PlotError) as err:
        print(f"funnelsim report: {err}", file=sys.stderr)
        return 2
    return 0
