"""Plot functions on a small real sweep and run: labels, drawn data that match the tables, clear errors."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from sweep_fixture import shared_run, shared_sweep  # noqa: E402

from sim import plots  # noqa: E402
from sim.results_io import (  # noqa: E402
    ResultsError,
    RunResults,
    SweepResults,
    load_results,
    response_table,
    scenario_table,
    wide_means,
)

MQL, SLA = "marketing.mql_threshold", "policy.sla_minutes"


@pytest.fixture(scope="session")
def sweep():
    return load_results(shared_sweep())


@pytest.fixture(scope="session")
def run():
    return load_results(shared_run())


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def title_of(ax) -> str:
    return next(t.get_text() for t in ax.texts if t.get_gid() == "title")


def stat(sweep, scenario, metric, column="mean"):
    t = sweep.scenarios
    return float(t[(t.scenario == scenario) & (t.metric == metric)][column].iloc[0])


def scenario_id(sweep, **levers):
    w = wide_means(sweep.scenarios)
    mask = np.ones(len(w), bool)
    for k, v in levers.items():
        mask &= w[k.replace("__", ".")] == v
    return str(w[mask].scenario.iloc[0])


# ----------------------------------------------------------------------------- loading


def test_load_results_tells_run_from_sweep(sweep, run):
    assert isinstance(sweep, SweepResults) and sweep.levers == [MQL, SLA] and sweep.baseline == "s000"
    assert isinstance(run, RunResults) and run.summary["response_histogram"]["edges_minutes"][-1] == math.inf
    assert sweep.seeds["root_seed"] == 11 and len(sweep.seeds) == 4  # root seed and three replications
    assert run.seeds == {"seed": 5}


def test_run_becomes_one_scenario_table(run):
    table = scenario_table(run)
    revenue = table[table.metric == "revenue"]
    assert revenue["mean"].iloc[0] == pytest.approx(run.summary["revenue"])
    assert set(table.scenario) == {"run"} and table.baseline.all()
    resp = response_table(run)
    assert resp.leads.sum() == sum(run.summary["response_histogram"]["leads"])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.mkdir(), "is not a run or sweep folder"),
        (lambda p: (p.mkdir(), (p / "plan.json").write_text("{}")), "has not finished"),
        (lambda p: p.write_text("x"), "is a file"),
    ],
)
def test_load_results_rejects_other_folders(tmp_path, make, message):
    target = tmp_path / "x"
    make(target)
    with pytest.raises(ResultsError, match=message) as err:
        load_results(target)
    if "not a run or sweep" in message:
        assert "summary.json" in str(err.value) and "runs.parquet" in str(err.value)


def test_load_results_names_missing_columns(tmp_path, sweep):
    import shutil

    folder = shutil.copytree(sweep.path, tmp_path / "s", ignore=shutil.ignore_patterns("plots", "*.html"))
    pd.read_parquet(folder / "scenarios.parquet").drop(columns=["ci_low"]).to_parquet(folder / "scenarios.parquet")
    with pytest.raises(ResultsError, match=r"lacks the columns \['ci_low'\]"):
        load_results(folder)


# ----------------------------------------------------------------------------- number formats


@pytest.mark.parametrize(
    "value, kind, text",
    [
        (52_213_000, "currency", "52.2 M"),
        (312_400, "currency", "312 k"),
        (-4_260_000, "currency", "−4.26 M"),
        (0.532, "share", "53.2 %"),
        (4.68, "minutes", "4.68 min"),
        (60, "minutes", "1 h"),
        (90, "minutes", "1.5 h"),
        (1440, "minutes", "1 day"),
        (10080, "minutes", "1 week"),
        (167_040, "hours", "167,040 h"),
        (1234.0, "leads", "1,234"),
    ],
)
def test_numbers_are_formatted_for_people(value, kind, text):
    assert plots.fmt_value(value, kind) == text


def test_currency_symbol_and_signed_differences():
    assert plots.fmt_value(1_500_000, "currency", currency="€") == "€1.50 M"
    assert plots.fmt_value(0.021, "share", signed=True) == "+2.1 pp"


def test_duration_ticks_fall_on_round_times():
    ticks = plots.DurationLocator().tick_values(0, 1200)  # 0 to 20 h
    assert all(t % 60 == 0 for t in ticks) and len(ticks) >= 4


# ----------------------------------------------------------------------------- what-if, heatmap, forest


def test_whatif_draws_one_line_per_hue_value_at_the_scenario_means(sweep):
    fig, ax = plots.plot_whatif(sweep, metric="revenue", x=MQL, hue=SLA)
    assert isinstance(fig, Figure) and isinstance(ax, Axes)
    assert ax.get_xlabel() == "MQL threshold (score points)"
    assert ax.get_ylabel() == "Revenue (currency)"
    assert title_of(ax) == "Revenue by MQL threshold and SLA target"
    handles, labels = ax.get_legend_handles_labels()
    assert labels == ["5 min", "1 day"]
    for line, sla in zip(handles, (5, 1440), strict=True):
        expected = [stat(sweep, scenario_id(sweep, **{MQL: m, SLA: sla}), "revenue") for m in (50, 65)]
        np.testing.assert_allclose(line.get_xdata(), [50, 65])
        np.testing.assert_allclose(line.get_ydata(), expected)
    assert len(ax.collections) == 2  # one 95 % band per line
    styles = {(h.get_linestyle(), h.get_marker()) for h in handles}
    assert len(styles) == len(handles)  # lines differ by more than colour (greyscale, colour blindness)


def test_whatif_chooses_levers_and_uses_a_log_axis_for_wide_ranges(sweep):
    fig, ax = plots.plot_whatif(sweep, metric="sla_met_share", x=SLA)
    assert ax.get_xscale() == "log"  # 5 min to 1 day
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5 min", "1 day"]
    assert ax.get_legend().get_title().get_text().startswith("MQL threshold")
    assert "%" in ax.yaxis.get_major_formatter()(0.5)


def test_whatif_facets_draw_one_panel_per_value(sweep):
    fig, axes = plots.plot_whatif(sweep, metric="win_rate", x=MQL, facet=SLA)
    assert len(axes) == 2
    assert [a.get_title(loc="left") for a in axes] == ["SLA target: 5 min", "SLA target: 1 day"]
    assert all(len(a.get_lines()) >= 1 for a in axes)
    assert fig._suptitle.get_text().rstrip("\n") == "Win rate by MQL threshold"  # blank lines keep room for the note


def test_heatmap_cells_hold_the_scenario_means(sweep):
    fig, ax = plots.plot_heatmap(sweep, metric="revenue", x=MQL, y=SLA)
    grid = ax.images[0].get_array()
    assert grid.shape == (2, 2)
    assert grid[0, 1] == pytest.approx(stat(sweep, scenario_id(sweep, **{MQL: 65, SLA: 5}), "revenue"))
    assert ax.get_xlabel() == "MQL threshold (score points)" and ax.get_ylabel().startswith("SLA target")
    cell_texts = [t.get_text() for t in ax.texts if t.get_gid() != "title"]
    assert sum(t.endswith(" M") or t.endswith(" k") for t in cell_texts) >= 4
    assert len(ax.patches) == 1  # the baseline's outline


def test_forest_shows_each_paired_difference_and_its_interval(sweep):
    fig, ax = plots.plot_forest(sweep, metric="revenue", sort=False)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 3 and all("MQL" in s and "SLA" in s for s in labels)
    drawn = np.concatenate([c.lines[0].get_xdata() for c in ax.containers])
    expected = [stat(sweep, s, "revenue", "diff_mean") for s in ("s001", "s002", "s003")]
    np.testing.assert_allclose(sorted(drawn), sorted(expected))
    assert ax.get_xlabel().startswith("Difference from the baseline")
    assert "baseline: MQL 50 · SLA 5 min" in " ".join(t.get_text() for t in ax.texts)


# ----------------------------------------------------------------------------- funnel, rep time, response


def test_waterfall_bars_are_the_baseline_funnel(sweep):
    fig, ax = plots.plot_waterfall(sweep)
    heights = {}
    for p in ax.patches:
        x = round(p.get_x() + p.get_width() / 2, 2)
        heights[x] = heights.get(x, 0) + p.get_height()
    for i, stage in enumerate(plots.FUNNEL_STAGES):
        assert heights[i] == pytest.approx(stat(sweep, "s000", f"waterfall.{stage}"))
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[:6] == ["Inquiry", "MQL", "SAL", "SQL", "Opportunity", "Won"]
    rate = plots.fmt_value(stat(sweep, "s000", "conversion.mql_to_sal"), "share")
    assert rate in [t.get_text() for t in ax.texts]
    assert ax.get_ylabel() == "Leads (contacts)"


def test_waterfall_of_a_run_uses_its_summary(run):
    fig, ax = plots.plot_waterfall(run, side_exits=False)
    assert len(ax.patches) == 7  # six stages, the opportunity bar split by source
    assert "one run" in " ".join(t.get_text() for t in ax.texts)


def test_rep_time_stacks_each_scenarios_shares_to_one(sweep, run):
    fig, ax = plots.plot_rep_time(sweep)
    rows = {}
    for p in ax.patches:
        rows.setdefault(round(p.get_y(), 3), []).append(p.get_width())
    assert len(rows) == 4 and all(sum(w) == pytest.approx(1.0) for w in rows.values())
    assert ax.get_xlabel() == "Share of rep working time (%)"
    legend = fig.legends[0]  # under the plot, outside the axes
    assert [t.get_text() for t in legend.get_texts()] == [plots.ACTIVITY_NAMES[a] for a in plots.ACTIVITIES]
    fig, ax = plots.plot_rep_time(run)
    assert sum(p.get_width() for p in ax.patches) == pytest.approx(1.0)


def test_response_plot_marks_the_sla_and_draws_rates_by_response_time(run):
    fig, (top, bottom) = plots.plot_response(run, min_leads=1)
    hist = run.summary["response_histogram"]
    assert sum(p.get_height() for p in top.patches) == pytest.approx(1.0)
    assert bottom.get_xscale() == "log" and bottom.get_xlabel().startswith("Time from MQL to first touch")
    sla = run.summary["sla_minutes"]
    assert any(np.allclose(line.get_xdata(), sla) for line in top.get_lines())  # the SLA line
    sal = next(line for line in bottom.get_lines() if line.get_label() == "accepted by sales (SAL)")
    leads, sals = np.array(hist["leads"], float), np.array(hist["sal"], float)
    shown = ~np.isnan(sal.get_ydata())
    assert shown.sum() >= 3
    last = len(sal.get_ydata())
    rate = np.divide(sals[:last], leads[:last], out=np.full(last, np.nan), where=leads[:last] > 0)
    np.testing.assert_allclose(sal.get_ydata()[shown], rate[shown])
    assert any(t.get_text().startswith(f"SLA {plots.fmt_duration(sla)}") for t in top.texts)


def test_response_plot_overlays_scenarios_of_a_sweep(sweep):
    fig, (top, bottom) = plots.plot_response(sweep, scenario=["s000", "s001"])
    _, labels = top.get_legend_handles_labels()
    assert labels == ["SLA 5 min", "SLA 1 day"]
    assert len([t for t in top.texts if t.get_text().startswith("SLA ")]) == 2


# ----------------------------------------------------------------------------- frontier and daily


def test_pareto_front_keeps_points_nothing_beats():
    x = np.array([1.0, 2.0, 2.0, 3.0, 4.0])
    y = np.array([5.0, 4.0, 6.0, 9.0, 8.0])
    assert plots.pareto_front(x, y).tolist() == [0, 2, 3]


def test_frontier_plots_every_scenario_and_numbers_the_efficient_ones(sweep):
    fig, ax = plots.plot_frontier(sweep, x="selling_hours")
    points = np.concatenate([c.lines[0].get_xdata() for c in ax.containers])
    assert len(points) == 4
    assert ax.get_xlabel() == "Rep selling hours (hours)" and ax.get_ylabel() == "Revenue (currency)"
    wide = wide_means(sweep.scenarios)
    n_front = len(plots.pareto_front(wide["selling_hours"].to_numpy(), wide["revenue"].to_numpy()))
    numbers = [t.get_text() for t in ax.texts if t.get_text().isdigit()]
    assert len(numbers) >= n_front
    assert "efficient frontier" in title_of(ax)


def test_daily_series_of_a_run(run):
    fig, axes = plots.plot_daily(run)
    assert [a.get_title(loc="left") for a in axes] == ["MQLs per day", "Open pipeline", "Revenue booked, cumulative"]
    assert axes[-1].get_xlabel() == "Day of the simulation"
    assert axes[2].get_lines()[0].get_ydata()[-1] == pytest.approx(run.summary["revenue"])
    assert len(axes[0].patches) == len(run.daily)


# ----------------------------------------------------------------------------- shared signature and errors


@pytest.mark.parametrize("name", sorted(plots.PLOTS))
def test_every_plot_draws_into_a_given_axes_and_rejects_unknown_style(name, sweep, run):
    fn = plots.PLOTS[name]
    data = run if name in ("daily",) else sweep
    panels = {"daily": 3, "response": 2, "funnel_compare": 2, "monthly": 2}.get(name, 1)
    fig, axes = plt.subplots(panels, 1, squeeze=False)
    given = axes[:, 0] if panels > 1 else axes[0, 0]
    got_fig, got_ax = fn(data, ax=given, title="Custom", note="")
    assert got_fig is fig
    assert np.all(np.atleast_1d(got_ax) == np.atleast_1d(given))
    with pytest.raises(TypeError, match="unknown style option"):
        fn(data, colour="red")


def test_unknown_metric_or_lever_names_what_exists(sweep, run):
    with pytest.raises(plots.PlotError, match="metric 'revnue' is not in the results; available metrics: .*revenue"):
        plots.plot_whatif(sweep, metric="revnue")
    with pytest.raises(plots.PlotError, match="lever 'sales.reps' is not in the results; levers: marketing"):
        plots.plot_heatmap(sweep, x="sales.reps")
    with pytest.raises(plots.PlotError, match="daily series exist only in run folders"):
        plots.plot_daily(sweep)
    with pytest.raises(plots.PlotError, match="needs results with at least one lever"):
        plots.plot_whatif(run)


# ----------------------------------------------------------------------------- client exhibits


def test_funnel_compare_bars_are_lead_and_deal_counts_with_matching_conversions(sweep):
    from sim.plots.funnel import count_text

    fig, axes = plots.plot_funnel_compare(sweep)
    w = wide_means(sweep.scenarios)
    base = w[w.baseline].iloc[0]
    others = w[~w.baseline]
    best = others.loc[others["revenue"].idxmax()]  # the first of tied scenarios, as the exhibit picks
    leads, deals = axes
    stages = ("inquiry", "mql", "sal", "sql", "opportunity", "won")
    heights = [p.get_height() for p in leads.patches]
    for j, row in enumerate((base, best)):
        counts = [row[f"lead_funnel.{s}"] for s in stages]
        assert heights[j * 6 : (j + 1) * 6] == pytest.approx(counts)
        texts = [t.get_text() for t in leads.texts if t.get_gid() == "count"][j * 6 : (j + 1) * 6]
        for i in range(1, 6):  # above each bar: its leads and its share of the bar before
            share = plots.fmt_value(counts[i] / counts[i - 1], "share")
            assert texts[i] == f"{count_text(counts[i])}\n{share}"
    assert leads.get_ylabel() == "Leads (marketing contacts)" and deals.get_ylabel() == "Deals (opportunities)"
    won = [p.get_height() for p in deals.patches][3]  # opened (marketing, prospecting), closed, won
    assert won == pytest.approx(base["deal_outcomes.won"])
    assert base["lead_funnel.won"] <= base["deal_outcomes.won"] + base["deal_outcomes.lost"] + 1e-9


def test_monthly_revenue_and_paired_difference_with_warm_up_shaded(sweep):
    fig, (top, bottom) = plots.plot_monthly(sweep)
    runs = sweep.runs
    cols = sorted(c for c in runs.columns if c.startswith("revenue_by_month."))
    w = wide_means(sweep.scenarios)
    base = w[w.baseline].iloc[0].scenario
    others = w[~w.baseline]
    best = others.loc[others["revenue"].idxmax()].scenario  # the first of tied scenarios, as the exhibit picks
    today = runs[runs.scenario == base].set_index("replication")[cols]
    other = runs[runs.scenario == best].set_index("replication")[cols]
    assert top.lines[0].get_ydata() == pytest.approx(today.mean().to_numpy())
    diff = [p.get_height() for p in bottom.patches if p.get_width() < 1]
    assert diff == pytest.approx((other - today).mean().to_numpy())
    assert today.sum(axis=1).to_numpy() == pytest.approx(runs[runs.scenario == base]["revenue"].to_numpy())
    assert any(abs(p.get_x() - 0.5) < 1e-9 for p in top.patches)  # the shaded warm-up starts at month 1


def test_capacity_plot_draws_the_sla_yardstick_against_headcount(sweep):
    table = sweep.scenarios.copy()
    table = table.rename(columns={MQL: "sales.reps"})
    heads = table.drop_duplicates("scenario").set_index("scenario")["sales.reps"]
    reps = table.metric == "reps"  # headcount: here the renamed lever's value
    for col in ("mean", "ci_low", "ci_high"):
        table.loc[reps, col] = [float(heads[s]) for s in table.loc[reps, "scenario"]]
    fig, axes = plots.plot_capacity(table)
    assert "SLA target" in axes[0].get_title(loc="left") and axes[-1].get_xlabel() == "Headcount (reps + SDRs)"
    w = wide_means(table)
    line = axes[0].lines[0]
    sel = w[w[SLA] == w[SLA].iloc[0]].sort_values("reps")
    assert list(line.get_xdata()) == list(sel["reps"])
    assert line.get_ydata() == pytest.approx(sel["sla_met_share"].to_numpy())
    with pytest.raises(plots.PlotError, match="changes sales.reps or sales.sdrs"):
        plots.plot_capacity(sweep)


def test_revenue_against_total_cost_replaces_the_hours_frontier(sweep):
    fig, ax = plots.plot_frontier(sweep, x="economics.total_cost", currency="$")
    assert ax.get_xlabel() == "Sales + marketing cost ($)" and ax.get_ylabel() == "Revenue ($)"


def test_one_labels_dict_names_every_exhibit_metric():
    from sim.plots import labels

    for m in ("economics.return_on_cost", "economics.cost_per_sql", "capacity.utilisation", "lead_funnel.sql"):
        label, kind = plots.metric_info(m)
        assert label and kind in ("ratio", "currency", "share", "leads")
    assert labels.period_text(730) == "over 2 years (730 days)" and labels.period_text(120) == "over 120 days"
