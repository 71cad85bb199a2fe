"""`funnelsim plot DIR` and `funnelsim report DIR`: the standard figures of a run or sweep folder.

`figure_plan` decides which figures a folder gets (shared by the plot files and the HTML
report); both commands exit with code 2 and write nothing when the folder or an option is wrong.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("png", "svg", "pdf")
# Metrics that get what-if curves, heatmaps and forest plots in a sweep (those present are used).
# SLA targets are compared on fixed yardsticks (share touched within 5 minutes / 1 hour of working
# time), not on each scenario's compliance with its own target.
WHATIF_METRICS = (
    "revenue",
    "touched_within.5min",
    "touched_within.1h",
    "selling_time_share",
    "response_minutes.p50",
    "win_rate",
)
HEATMAP_METRICS = ("revenue", "touched_within.1h")
FOREST_METRICS = ("revenue", "touched_within.1h", "selling_time_share")


@dataclass
class Figure:
    """One planned figure: file stem, a caption for the report, and how to draw it."""

    name: str
    caption: str
    draw: Callable


def _stem(metric: str) -> str:
    return metric.replace(".", "_")


def _independent_levers(results) -> list[str]:
    """Levers that vary and do not just move with an earlier one (paired levers count once)."""
    from sim.plots import lever_moves_with
    from sim.results_io import wide_means

    wide = wide_means(results.scenarios)
    out = []
    for k in results.levers:
        if wide[k].nunique() > 1 and not lever_moves_with(wide, k, out):
            out.append(k)
    return out


def _sla_scenarios(results) -> list[str]:
    """The baseline and the scenarios that differ from it only in the SLA target and the levers paired
    with it (for the response plot)."""
    from sim.results_io import wide_means

    wide = wide_means(results.scenarios)
    base = wide[wide["baseline"]].iloc[0]
    key = "policy.sla_minutes"
    if key not in results.levers:
        return [str(base["scenario"])]
    paired = list((getattr(results, "meta", None) or {}).get("sweep", {}).get("paired") or {})
    moving = paired if key in paired else [key]  # levers paired with the SLA target move with it
    others = [k for k in results.levers if k not in moving]
    same = (wide[others] == base[others]).all(axis=1) if others else wide["scenario"].notna()
    picked = wide[same].sort_values(key)
    return [str(s) for s in picked["scenario"]][:6]


def figure_plan(results, *, metrics: list[str] | None = None, currency: str = "") -> list[Figure]:
    """The standard figures of a run (funnel, rep time, response time, daily series) or a sweep
    (what-if curves, heatmaps, forest plots, funnel, rep time, response time, frontier)."""
    from sim import plots
    from sim.results_io import scenario_table

    style = {"currency": currency}
    figs: list[Figure] = []
    if results.kind == "run":
        figs.append(
            Figure(
                "waterfall",
                "The lead funnel with stage-to-stage conversion.",
                lambda: plots.plot_waterfall(results, **style),
            )
        )
        figs.append(
            Figure("rep_time", "How reps spend their working time.", lambda: plots.plot_rep_time(results, **style))
        )
        figs.append(
            Figure(
                "response",
                "First-response time against the SLA target, and conversion by response time.",
                lambda: plots.plot_response(results, **style),
            )
        )
        figs.append(
            Figure("daily", "MQLs, open pipeline and revenue day by day.", lambda: plots.plot_daily(results, **style))
        )
        return figs
    table = scenario_table(results)
    present = set(table["metric"])
    wanted = metrics or list(WHATIF_METRICS)
    unknown = [m for m in wanted if m not in present]
    if metrics and unknown:
        raise plots.PlotError(f"metrics {unknown} are not in the sweep; available: {', '.join(sorted(present))}")
    levers = _independent_levers(results)
    for m in [m for m in wanted if m in present]:
        label = plots.metric_info(m)[0]
        if levers:
            figs.append(
                Figure(
                    f"whatif_{_stem(m)}",
                    f"What-if: {label.lower()} across the levers, with 95 % bands.",
                    lambda m=m: plots.plot_whatif(results, metric=m, facet=True, **style),
                )
            )
    for m in [m for m in (metrics or HEATMAP_METRICS) if m in present]:
        if len(levers) >= 2:
            figs.append(
                Figure(
                    f"heatmap_{_stem(m)}",
                    f"{plots.metric_info(m)[0]} over two levers.",
                    lambda m=m: plots.plot_heatmap(results, metric=m, facet=True, **style),
                )
            )
    if len(table["scenario"].unique()) > 1:
        for m in [m for m in (metrics or FOREST_METRICS) if m in present]:
            figs.append(
                Figure(
                    f"forest_{_stem(m)}",
                    f"{plots.metric_info(m)[0]}: paired differences from the baseline with 95 % confidence intervals.",
                    lambda m=m: plots.plot_forest(results, metric=m, **style),
                )
            )
    figs.append(
        Figure(
            "waterfall",
            "The baseline's lead funnel with stage-to-stage conversion.",
            lambda: plots.plot_waterfall(results, **style),
        )
    )
    figs.append(
        Figure(
            "rep_time",
            "How reps spend their working time in each scenario.",
            lambda: plots.plot_rep_time(results, **style),
        )
    )
    if results.responses is not None:
        ids = _sla_scenarios(results)
        figs.append(
            Figure(
                "response",
                "First-response time against the SLA target, and conversion by response time.",
                lambda: plots.plot_response(results, scenario=ids, **style),
            )
        )
    if {"revenue", "rep_hours"} <= present:
        hours = table[table["metric"] == "rep_hours"]["mean"]
        x = "rep_hours" if hours.max() - hours.min() > 1e-6 * max(abs(hours.max()), 1) else "selling_hours"
        figs.append(
            Figure(
                "frontier",
                "Revenue against rep hours, with the efficient frontier.",
                lambda: plots.plot_frontier(results, x=x, **style),
            )
        )
    return figs


def _parser(prog: str, what: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=what)
    p.add_argument("folder", metavar="DIR", help="a run folder (results/runs/...) or a sweep folder")
    p.add_argument("--currency", default="", help="currency symbol for money, e.g. '€' or '$' (default: none)")
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


def save_figures(plan: list[Figure], target: Path, formats: tuple[str, ...], dpi: int) -> list[Path]:
    """Draw every planned figure into a temporary folder, then swap it in: the folder appears whole or not at all."""
    import matplotlib.pyplot as plt

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for f in plan:
            fig, _ = f.draw()
            try:
                for fmt in formats:
                    meta = {"Date": None} if fmt == "svg" else {}
                    fig.savefig(tmp / f"{f.name}.{fmt}", dpi=dpi, metadata=meta or None)
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
        plan = figure_plan(results, metrics=args.metric, currency=args.currency)
        problem = _target_ok(target, FORMATS)
        if problem:
            raise ResultsError(problem)
        files = save_figures(plan, target, formats, args.dpi)
    except (ResultsError, PlotError) as err:
        print(f"funnelsim plot: {err}", file=sys.stderr)
        return 2
    print(f"{len(plan)} figures ({', '.join(formats)}) -> {target}")
    for f in files:
        print(f"  {f.name}")
    return 0


def main_report(argv: list[str]) -> int:
    """`funnelsim report DIR`: write one self-contained HTML report (DIR/report.html)."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots import PlotError
    from sim.report import write_report
    from sim.results_io import ResultsError, load_results

    parser = _parser("funnelsim report", "Write one self-contained HTML report of a run or sweep folder.")
    parser.add_argument("--out", help="report file (default: DIR/report.html)")
    args, code = _parse(parser, argv)
    if args is None:
        return code
    out = Path(args.out) if args.out else Path(args.folder) / "report.html"
    if out.suffix.lower() not in (".html", ".htm"):
        print(f"funnelsim report: --out {out} must end in .html", file=sys.stderr)
        return 2
    if out.exists() and out.is_dir():
        print(f"funnelsim report: --out {out} is a folder; give a file name ending in .html", file=sys.stderr)
        return 2
    try:
        from sim.explore.report import is_explore  # an explore folder: sim/report.py's explore hook

        results = args.folder if is_explore(args.folder) else load_results(args.folder)
        path = write_report(results, out, currency=args.currency)
    except (ResultsError, PlotError) as err:
        print(f"funnelsim report: {err}", file=sys.stderr)
        return 2
    print(f"report: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0
