"""The `funnelsim` command: run, sweep, benchmark, plot, report, targets, fit, scenarios, keys, validate,
explore, attribution, experiment and app.

Config errors exit with code 2 before anything is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.config import ConfigError

USAGE = """funnelsim COMMAND [ARGS]

commands:
  run [overrides...]      simulate one scenario; writes results/runs/<timestamp>/
  sweep [overrides...]    run a scenario sweep (Hydra multirun); writes results/sweeps/<name>/, its plots and report
  benchmark policies=A,B  policies x the benchmark suite's market cases; writes a leaderboard (results/benchmarks/)
  plot DIR                write the what-if plots of a run or sweep folder into DIR/plots/ (PNG and SVG)
  report DIR              a client report of a run or sweep folder: DIR/report.html (--format pdf|pptx: decks)
  targets EXPORT          a CRM export's funnel statistics with sampling errors (the fit's targets)
  fit TARGETS             fit the model's uncertain parameters to a targets file; writes a fit folder and a preset
  scenarios [--run]       list the named scenario presets (--run: run each and print outcomes)
  keys [--markdown]       list every config key with its default, unit and allowed range (and source)
  keys --rules            the registered policy rules (built-in and plug-ins) as a Markdown table
  validate [overrides...] check the model against queueing theory, Little's law and published figures
  attribution [settings] [overrides...]  attribution rules against the causal truth (channels switched off)
  experiment [settings] [overrides...]   a policy tried on a random share of reps, analysed and checked
  app [PRESET | FOLDER]   a local what-if web app (levers, A vs B); a sweep or fit folder is browsed
  explore method=M ...    sensitivity (morris, sobol), optimize, robust or discover; writes results/explore/<name>/

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
    """Check the config and the target folder, simulate, write the run folder (or a recovery folder)."""
    from sim.loading import load_config
    from sim.output import new_run_dir, run_bytes, write_run_or_recover
    from sim.run import simulate

    cfg = load_config(overrides)
    target = new_run_dir(Path(cfg.output.dir), cfg.output.name, run_bytes(cfg))
    result = simulate(cfg, progress=sys.stderr.isatty())
    folder, err = write_run_or_recover(result, target)
    print(f"scenario {cfg.scenario!r}, seed {cfg.sim.seed}, {cfg.sim.days} days, engine {cfg.sim.engine}")
    print(summary_table(result.summary))
    print(f"results: {folder}")
    if err is not None:
        print(f"funnelsim: could not write {target} ({err}); the results are saved in {folder}", file=sys.stderr)
        return 1
    return 0


def _refuse_args(command: str, rest: list[str], allowed: tuple[str, ...]) -> None:
    stray = [a for a in rest if a not in allowed]
    if stray:
        options = f"; it takes only {' '.join(allowed)}" if allowed else "; it takes no arguments"
        raise ConfigError(f"funnelsim {command}: unexpected argument {stray[0]!r}{options}")


def cmd_scenarios(rest: list[str]) -> int:
    """List the presets; with --run, run each (plus any overrides) and print their outcomes."""
    from sim.loading import SCENARIO_DIR, load_config, scenario_names

    run = "--run" in rest
    overrides = [a for a in rest if a != "--run"]
    if not run:
        _refuse_args("scenarios", rest, ("--run",))
        for name in scenario_names():
            first = (SCENARIO_DIR / f"{name}.yaml").read_text().splitlines()
            doc = next((ln[1:].strip() for ln in first if ln.startswith("#") and "@package" not in ln), "")
            print(f"{name:<16} {doc}")
        return 0
    from sim.run import simulate

    flags = [a for a in overrides if a.startswith("-")]
    if flags:
        raise ConfigError(f"funnelsim scenarios --run: unexpected argument {flags[0]!r}; give KEY=VALUE overrides")
    if any(a.split("=", 1)[0].lstrip("+~") in ("scenarios", "scenario") for a in overrides):
        raise ConfigError("funnelsim scenarios --run runs every preset; do not choose one with scenarios=")
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


def _key_rows():
    """(key as typed, default, unit, allowed, doc, metadata) for every config key; the preset's row
    is the `scenarios` selector (the config records its choice as `scenario`)."""
    from sim.config import FunnelConfig, iter_fields
    from sim.config_check import range_text
    from sim.loading import scenario_names

    for key, value, m in iter_fields(FunnelConfig()):
        if m.get("preset"):
            yield "scenarios", value, "", scenario_names(), "the scenario preset (scenarios/NAME.yaml)", m
            continue
        allowed = list(m["choices"]) if "choices" in m else range_text(m) if "lo" in m else ""
        if "min_len" in m:
            n = m["min_len"] if m["min_len"] == m["max_len"] else f"{m['min_len']}-{m['max_len']}"
            allowed = f"{n} values in {allowed}"
        yield key, value, m.get("unit", ""), allowed, m.get("doc", ""), m


def cmd_keys() -> int:
    for key, value, unit, allowed, doc, _ in _key_rows():
        allowed = " | ".join(allowed) if isinstance(allowed, list) else allowed
        print(f"{key:<40} {value!s:<14} {unit:<14} {allowed:<16} {doc}")
    return 0


def cmd_keys_markdown() -> int:
    """Every key as a markdown table with its default, unit, allowed values and source."""
    from sim.sources import source

    print("| key | default | unit | allowed | meaning | source |")
    print("|---|---|---|---|---|---|")
    for key, value, unit, allowed, doc, _ in _key_rows():
        allowed = " / ".join(allowed) if isinstance(allowed, list) else allowed
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"| `{key}` | {shown} | {unit} | {allowed} | {doc} | {source(key)} |")
    return 0


def _sweep(rest: list[str]) -> int:
    from sim.sweep.cli import main as sweep_main

    return sweep_main(rest)


def _validate(rest: list[str]) -> int:
    from sim.validation.cli import main as validate_main

    return validate_main(rest)


def _targets(rest: list[str]) -> int:
    from sim.fit.targets_cli import main as targets_main

    return targets_main(rest)


def _fit(rest: list[str]) -> int:
    from sim.fit.cli import main as fit_main

    return fit_main(rest)


def _attribution(rest: list[str]) -> int:
    from sim.attribution.cli import main as attribution_main

    return attribution_main(rest)


def _experiment(rest: list[str]) -> int:
    from sim.experiment.cli import main as experiment_main

    return experiment_main(rest)


def _app(rest: list[str]) -> int:
    from sim.app.cli import main as app_main

    return app_main(rest)


def _explore(rest: list[str]) -> int:
    from sim.explore.cli import main as explore_main

    return explore_main(rest)


def _benchmark(rest: list[str]) -> int:
    from sim.benchmark.cli import main as benchmark_main

    return benchmark_main(rest)


def _plot_cli():
    from sim import plot_cli

    return plot_cli


def cmd_keys_rules() -> int:
    from sim.lever_table import rules_markdown

    print(rules_markdown(), end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    handlers = {
        "run": lambda: cmd_run(rest),
        "sweep": lambda: _sweep(rest),
        "benchmark": lambda: _benchmark(rest),
        "plot": lambda: _plot_cli().main_plot(rest),
        "report": lambda: _plot_cli().main_report(rest),
        "targets": lambda: _targets(rest),
        "fit": lambda: _fit(rest),
        "scenarios": lambda: cmd_scenarios(rest),
        "keys": lambda: (
            _refuse_args("keys", rest, ("--markdown", "--rules"))
            or (cmd_keys_rules() if "--rules" in rest else cmd_keys_markdown() if "--markdown" in rest else cmd_keys())
        ),
        "validate": lambda: _validate(rest),
        "attribution": lambda: _attribution(rest),
        "experiment": lambda: _experiment(rest),
        "app": lambda: _app(rest),
        "explore": lambda: _explore(rest),
    }
    if command not in handlers:
        from sim.config import suggest

        print(
            f"funnelsim: unknown command {command!r}; choose one of {', '.join(handlers)}{suggest(command, handlers)}",
            file=sys.stderr,
        )
        return 2
    try:
        return handlers[command]()
    except ConfigError as err:
        print(f"funnelsim: config error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
