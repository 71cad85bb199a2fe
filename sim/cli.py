"""The `funnelsim` command: run, sweep, plot, report, targets, fit, scenarios and keys.

Config errors exit with code 2 before anything is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.config import ConfigError

USAGE = """funnelsim COMMAND [ARGS]

commands:
  run [overrides...]      simulate one scenario; writes results/runs/<timestamp>/
  sweep [overrides...]    run a scenario sweep (Hydra multirun); writes results/sweeps/<name>/ and its plots
  plot DIR                write the what-if plots of a run or sweep folder into DIR/plots/ (PNG and SVG)
  report DIR              write one self-contained HTML report of a run or sweep folder (DIR/report.html)
  targets EXPORT          a CRM export's funnel statistics with sampling errors (the fit's targets)
  fit TARGETS             fit the model's uncertain parameters to a targets file; writes a fit folder and a preset
  scenarios [--run]       list the named scenario presets (--run: run each and print outcomes)
  keys [--markdown]       list every config key with its default, unit and allowed range (and source)

overrides are Hydra overrides, e.g.  funnelsim run sim.days=365 policy.sla_minutes=5 scenarios=default
"""


def _fmt_money(x: float) -> str:
    return f"{x:,.0f}"


def summary_table(s: dict) -> str:
    rows = [
        ("revenue", _fmt_money(s["revenue"])),
        ("deals won", f"{s['deals_won']:,}"),
        ("win rate", f"{s['win_rate']:.1%}"),
        ("sales cycle (days)", f"{s['cycle_days_mean']:.1f}"),
        ("MQLs", f"{s['waterfall']['mql']:,}"),
        ("SQLs", f"{s['waterfall']['sql']:,}"),
        ("first response p50 (min)", f"{s['response_minutes']['p50']:.1f}"),
        ("first response p90 (min)", f"{s['response_minutes']['p90']:.1f}"),
        ("SLA met", f"{s['sla_met_share']:.1%}"),
        ("never touched", f"{s['never_touched_share']:.1%}"),
        ("rep time selling", f"{s['selling_time_share']:.1%}"),
        ("rep time prospecting", f"{s['rep_time_share']['prospecting']:.1%}"),
        ("revenue from marketing leads", _fmt_money(s["revenue_by_source"]["marketing"])),
        ("revenue from prospecting", _fmt_money(s["revenue_by_source"]["sales"])),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:<{width}}  {v:>16}" for k, v in rows)


def cmd_run(overrides: list[str]) -> int:
    from sim.loading import load_config
    from sim.output import new_run_dir, write_run
    from sim.run import simulate

    cfg = load_config(overrides)
    target = new_run_dir(Path(cfg.output.dir), cfg.output.name)
    result = simulate(cfg, progress=sys.stderr.isatty())
    folder = write_run(result, target)
    print(f"scenario {cfg.scenario!r}, seed {cfg.sim.seed}, {cfg.sim.days} days, engine {cfg.sim.engine}")
    print(summary_table(result.summary))
    print(f"results: {folder}")
    return 0


def cmd_scenarios(rest: list[str]) -> int:
    """List the presets; with --run, run each (plus any overrides) and print their outcomes."""
    from sim.loading import SCENARIO_DIR, load_config, scenario_names

    run = "--run" in rest
    overrides = [a for a in rest if a != "--run"]
    if not run:
        for name in scenario_names():
            first = (SCENARIO_DIR / f"{name}.yaml").read_text().splitlines()
            doc = next((ln[1:].strip() for ln in first if ln.startswith("#") and "@package" not in ln), "")
            print(f"{name:<16} {doc}")
        return 0
    from sim.run import simulate

    configs = {name: load_config(overrides, scenario=name) for name in scenario_names()}
    print("| preset | revenue | MQLs | SQLs | first response p50 (min) | rep time selling |")
    print("|---|---|---|---|---|---|")
    for name, cfg in configs.items():
        s = simulate(cfg).summary
        w = s["waterfall"]
        print(
            f"| {name} | {s['revenue'] / 1e6:.1f} M | {w['mql']:,} | {w['sql']:,} | "
            f"{s['response_minutes']['p50']:.0f} | {s['selling_time_share']:.0%} |"
        )
    return 0


def cmd_keys() -> int:
    from sim.config import FunnelConfig, iter_fields

    for key, value, m in iter_fields(FunnelConfig()):
        allowed = " | ".join(m["choices"]) if "choices" in m else _range_text(m)
        print(f"{key:<40} {value!s:<14} {m.get('unit', ''):<14} {allowed:<16} {m.get('doc', '')}")
    return 0


def cmd_keys_markdown() -> int:
    """Every key as a markdown table with its default, unit, allowed values and source."""
    from sim.config import FunnelConfig, iter_fields
    from sim.sources import source

    print("| key | default | unit | allowed | meaning | source |")
    print("|---|---|---|---|---|---|")
    for key, value, m in iter_fields(FunnelConfig()):
        allowed = " / ".join(m["choices"]) if "choices" in m else _range_text(m)
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"| `{key}` | {shown} | {m.get('unit', '')} | {allowed} | {m.get('doc', '')} | {source(key)} |")
    return 0


def _range_text(m: dict) -> str:
    if m.get("lo") is None and m.get("hi") is None:
        return ""
    lo = "-inf" if m.get("lo") is None else m["lo"]
    hi = "inf" if m.get("hi") is None else m["hi"]
    return f"{'(' if m.get('lo_open') else '['}{lo}, {hi}{')' if m.get('hi_open') else ']'}"


def _sweep(rest: list[str]) -> int:
    from sim.sweep.cli import main as sweep_main

    return sweep_main(rest)


def _targets(rest: list[str]) -> int:
    from sim.fit.targets_cli import main as targets_main

    return targets_main(rest)


def _fit(rest: list[str]) -> int:
    from sim.fit.cli import main as fit_main

    return fit_main(rest)


def _plot_cli():
    from sim import plot_cli

    return plot_cli


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    handlers = {
        "run": lambda: cmd_run(rest),
        "sweep": lambda: _sweep(rest),
        "plot": lambda: _plot_cli().main_plot(rest),
        "report": lambda: _plot_cli().main_report(rest),
        "targets": lambda: _targets(rest),
        "fit": lambda: _fit(rest),
        "scenarios": lambda: cmd_scenarios(rest),
        "keys": lambda: cmd_keys_markdown() if "--markdown" in rest else cmd_keys(),
    }
    if command not in handlers:
        print(f"funnelsim: unknown command {command!r}; choose one of {', '.join(handlers)}", file=sys.stderr)
        return 2
    try:
        return handlers[command]()
    except ConfigError as err:
        print(f"funnelsim: config error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
