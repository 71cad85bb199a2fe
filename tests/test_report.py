"""`funnelsim plot` and `funnelsim report` on real run and sweep folders: files, contents, clear errors."""

import base64
import re
import shutil
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from sweep_fixture import shared_run, shared_sweep  # noqa: E402

import sim  # noqa: E402

MQL_KEY, SLA_KEY = "marketing.mql_threshold", "policy.sla_minutes"
from sim import plots  # noqa: E402
from sim.plot_cli import figure_plan, main_plot, main_report  # noqa: E402
from sim.results_io import load_results  # noqa: E402


@pytest.fixture
def sweep_dir(tmp_path):
    """A private copy of the shared small sweep, free to write plots and reports into."""
    return shutil.copytree(shared_sweep(), tmp_path / "sweep")


@pytest.fixture
def run_dir(tmp_path):
    return shutil.copytree(shared_run(), tmp_path / "run")


def listing(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# ----------------------------------------------------------------------------- funnelsim plot


@pytest.mark.parametrize("kind", ["sweep", "run"])
def test_plot_writes_png_and_svg_of_every_planned_figure(kind, sweep_dir, run_dir, capsys):
    folder = sweep_dir if kind == "sweep" else run_dir
    names = [f.name for f in figure_plan(load_results(folder))]
    assert main_plot([str(folder)]) == 0
    files = sorted(p.name for p in (folder / "plots").iterdir())
    assert files == sorted(f"{n}.{ext}" for n in names for ext in ("png", "svg"))
    for n in names:
        assert (folder / "plots" / f"{n}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert ET.parse(folder / "plots" / f"{n}.svg").getroot().tag.endswith("svg")
    assert f"{len(names)} figures" in capsys.readouterr().out
    expected = {"funnel", "monthly", "rep_time", "response"} | (
        {"whatif_revenue", "heatmap_revenue", "forest_revenue"} if kind == "sweep" else {"daily"}
    )
    assert "frontier" not in names  # revenue against rep hours was circular: cost only varies with headcount
    assert expected <= set(names)


def test_plot_again_replaces_the_folder_whole(run_dir):
    assert main_plot([str(run_dir)]) == 0
    assert main_plot([str(run_dir), "--format", "png", "--dpi", "60"]) == 0
    files = listing(run_dir / "plots")
    assert len(files) == 5 and all(f.endswith(".png") for f in files)  # the SVGs of the first call are gone
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".plots")]  # no temporary folders left


def test_a_failing_figure_leaves_no_plots_folder(run_dir, monkeypatch):
    from sim import plot_cli

    def broken():
        raise RuntimeError("boom")

    good = plot_cli.figure_plan(load_results(run_dir))[0]
    monkeypatch.setattr(plot_cli, "figure_plan", lambda *a, **k: [good, plot_cli.Figure("broken", "", broken)])
    before = listing(run_dir)
    with pytest.raises(RuntimeError, match="boom"):
        main_plot([str(run_dir), "--format", "png"])
    assert listing(run_dir) == before


def test_report_shows_the_folders_validation(run_dir, monkeypatch):
    from sim.cli import main
    from sim.validation import checks
    from sim.validation.checks import Row

    rows = [
        Row("mmc_mean_wait_min", "queueing", 8.51, "Erlang C", 8.47, 7.84, 9.11, "±5% relative", True),
        Row("response_contact_5_vs_30min", "response", 10.0, "MIT", 4.33, 3.87, 4.85, "x3", True),
    ]
    monkeypatch.setattr(checks, "run_all", lambda overrides, progress=None: rows)
    assert main(["validate", "--out", str(run_dir)]) == 0  # validate writes into the run folder
    assert main_report([str(run_dir)]) == 0
    text = (run_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="table-validation"' in text and "every judged check passed" in text
    assert "mmc_mean_wait_min" in text and "8.47" in text and "7.84 – 9.11" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["{tmp}/nothing"], "does not exist"),
        (["{tmp}/empty"], "is not a run or sweep folder"),
        (["{sweep}", "--format", "png,gif"], "--format 'png,gif' is not allowed; choose from png, svg, pdf"),
        (["{sweep}", "--dpi", "5"], "--dpi 5 is out of range"),
        (["{sweep}", "--metric", "revnue"], "metrics ['revnue'] are not in the sweep; available: "),
        (["{sweep}", "--out", "{tmp}/busy"], "holds files that are not plots"),
    ],
)
def test_plot_bad_input_exits_2_and_writes_nothing(args, message, sweep_dir, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    before = listing(tmp_path)
    argv = [a.format(tmp=tmp_path, sweep=sweep_dir) for a in args]
    assert main_plot(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("funnelsim plot: ") and message in err
    assert listing(tmp_path) == before


def test_plot_usage_errors_exit_2(capsys):
    assert main_plot([]) == 2
    assert "DIR" in capsys.readouterr().err
    assert main_plot(["x", "--colour", "red"]) == 2
    assert "unrecognized arguments: --colour" in capsys.readouterr().err


# ----------------------------------------------------------------------------- funnelsim report


def images(text):
    return re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)


def test_sweep_report_holds_every_plot_table_definition_version_and_seed(sweep_dir, capsys):
    assert main_report([str(sweep_dir), "--currency", "€"]) == 0
    assert "report:" in capsys.readouterr().out
    text = (sweep_dir / "report.html").read_text(encoding="utf-8")
    res = load_results(sweep_dir)
    plan = figure_plan(res)
    for f in plan:
        assert f'<figure id="fig-{f.name}">' in text
    pngs = images(text)
    assert len(pngs) == len(plan)
    assert all(base64.b64decode(p)[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    for table in ("about", "scenarios", "metrics", "differences", "jobs"):
        assert f'id="table-{table}"' in text
    assert "Executive summary" in text and "€" in text
    assert text.index("Executive summary") < text.index("Evidence") < text.index("Appendix")
    assert sim.__version__ in text
    for name, seed in res.seeds.items():
        assert f"<td>{name}</td><td>{seed}</td>" in text
    for job in res.meta["jobs"]:
        assert " ".join(job["overrides"]) in text  # the scenario definitions
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing fetched from outside: opens offline


def test_run_report_holds_its_tables_plots_and_config(run_dir):
    assert main_report([str(run_dir), "--out", str(run_dir / "client.html")]) == 0
    text = (run_dir / "client.html").read_text(encoding="utf-8")
    res = load_results(run_dir)
    assert len(images(text)) == len(figure_plan(res)) == 5
    for table in ("about", "outcomes", "funnel", "rep_time"):
        assert f'id="table-{table}"' in text
    assert "<td>seed</td><td>5</td>" in text
    assert "market:" in text and "policy:" in text  # the resolved config
    assert plots.fmt_value(res.summary["revenue"], "currency") in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["{tmp}/nothing"], "does not exist"),
        (["{tmp}/empty"], "is not a run or sweep folder"),
        (["{sweep}", "--out", "{tmp}/report.pdf"], "must end in .html"),
        (["{sweep}", "--format", "docx"], "choose from html, pdf, pptx"),
        (["{sweep}", "--format", "pdf", "--out", "{tmp}/deck.pptx"], "must end in .pdf"),
    ],
)
def test_report_bad_input_exits_2_and_writes_nothing(args, message, sweep_dir, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    before = listing(tmp_path)
    assert main_report([a.format(tmp=tmp_path, sweep=sweep_dir) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("funnelsim report: ") and message in err
    assert listing(tmp_path) == before


# ----------------------------------------------------------------------------- the real sweep command


@pytest.mark.slow
def test_plot_and_report_read_what_funnelsim_sweep_writes(tmp_path):
    """A tiny sweep made by `funnelsim sweep` ends with its plots, and its folder reports."""
    from sim.sweep.cli import main as sweep_main

    args = [
        "name=tiny",
        f"dir={tmp_path}",
        "launcher=basic",
        "workers=1",
        "quiet=true",
        "replications=2",
        "marketing.mql_threshold=50,65",
        "policy.sla_minutes=5,1440",
        "policy.handoff.mode=realtime",
        "sim.days=60",
        "market.accounts=1000",
        "sales.reps=4",
        "marketing.budget_scale=0.08",
    ]
    assert sweep_main(args) == 0
    folder = tmp_path / "tiny"
    drawn = sorted(p.stem for p in (folder / "plots").glob("*.png"))  # the sweep ends with its plots
    assert "Executive summary" in (folder / "report.html").read_text()  # ... and its report
    assert drawn == sorted(f.name for f in figure_plan(load_results(folder)))
    assert main_report([str(folder)]) == 0
    assert len(images((folder / "report.html").read_text())) == len(figure_plan(load_results(folder)))


def test_a_sweep_with_a_failed_scenario_still_plots_and_reports_the_failure(sweep_dir):
    import numpy as np
    import pandas as pd

    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    metrics = [
        c
        for c in runs.columns
        if c
        not in (
            "scenario",
            "label",
            "baseline",
            "job",
            "replication",
            "seed",
            "root_seed",
            "status",
            "error",
            MQL_KEY,
            SLA_KEY,
        )
    ]
    failed = runs.scenario == "s003"
    runs.loc[failed, "status"] = "failed"
    runs.loc[failed, "error"] = "RuntimeError: out of memory"
    runs.loc[failed, metrics] = np.nan
    runs.to_parquet(sweep_dir / "runs.parquet")
    scen = pd.read_parquet(sweep_dir / "scenarios.parquet")
    stats = ["mean", "std", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high"]
    scen.loc[scen.scenario == "s003", stats] = np.nan
    scen.loc[scen.scenario == "s003", "n"] = 0
    scen.to_parquet(sweep_dir / "scenarios.parquet")
    resp = pd.read_parquet(sweep_dir / "responses.parquet")
    resp[resp.scenario != "s003"].to_parquet(sweep_dir / "responses.parquet")
    assert main_plot([str(sweep_dir), "--format", "png", "--dpi", "60", "--metric", "revenue"]) == 0
    assert main_report([str(sweep_dir)]) == 0
    text = (sweep_dir / "report.html").read_text()
    assert 'id="table-failures"' in text and "RuntimeError: out of memory" in text


# ----------------------------------------------------------------------------- the client report


def _scen(res, scenario, metric, column):
    t = res.scenarios
    return float(t[(t.scenario == scenario) & (t.metric == metric)][column].iloc[0])


def test_every_number_of_the_executive_summary_equals_the_sweep_tables(sweep_dir):
    import html

    from sim.takeaways import executive_summary, interval, money

    res = load_results(sweep_dir)
    ex = executive_summary(res, "€")
    others = sorted(set(res.scenarios.scenario) - {res.baseline})
    assert sorted(ex.moves.scenario) == others and list(ex.moves["rank"]) == list(range(1, len(others) + 1))
    assert list(ex.moves.revenue_diff_mean) == sorted(ex.moves.revenue_diff_mean, reverse=True)
    assert ex.today_revenue == _scen(res, res.baseline, "revenue", "mean")
    assert ex.days == res.runs["days"].max()
    for _, m in ex.moves.iterrows():
        s = m.scenario
        assert m.revenue == _scen(res, s, "revenue", "mean")
        for c in ("diff_mean", "diff_ci_low", "diff_ci_high"):
            assert m[f"revenue_{c}"] == _scen(res, s, "revenue", c)
        assert m["economics.total_cost_diff_mean"] == _scen(res, s, "economics.total_cost", "diff_mean")
        assert m["economics.return_on_cost"] == _scen(res, s, "economics.return_on_cost", "mean")
        assert m.clear == (m.revenue_diff_ci_low > 0 or m.revenue_diff_ci_high < 0)
    best, worst = ex.moves.iloc[0], ex.moves.iloc[-1]
    gain, risk, depends = ex.takeaways
    assert best.move in gain and money(best.revenue_diff_mean, "€") in gain and interval(best, "€") in gain
    assert money(ex.today_revenue, "€", signed=False) in gain
    assert worst.move in risk and money(worst.revenue_diff_mean, "€") in risk and interval(worst, "€") in risk
    assert f"{ex.replications} replications" in depends and ex.replications == 3
    # The report prints these same strings, and each move's row in the moves table.
    assert main_report([str(sweep_dir), "--currency", "€"]) == 0
    text = html.unescape((sweep_dir / "report.html").read_text(encoding="utf-8"))
    for line in ex.takeaways:
        assert line in text
    table = text[text.index('id="table-moves"') : text.index("</table>", text.index('id="table-moves"'))]
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    assert len(rows) == len(ex.moves)
    for row, (_, m) in zip(rows, ex.moves.iterrows(), strict=True):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[:3] == [str(m["rank"]), m.move, money(m.revenue_diff_mean, "€")]
        assert cells[5] == money(m.revenue, "€", signed=False)
    assert "baseline" in text.lower() and "today's configuration is not one of the scenarios" in text


def test_the_economics_table_shows_the_summary_economics(sweep_dir):
    import html

    from sim.report import ECONOMICS, ReportContext, economics_section
    from sim.takeaways import executive_summary

    res = load_results(sweep_dir)
    ctx = ReportContext(res, "$", 90.0, "over 90 days", summary=executive_summary(res, "$"))
    (section,) = economics_section(ctx)
    text = html.unescape(section.html)
    rows = re.findall(r"<tr>(.*?)</tr>", text)[1:]
    best = ctx.summary.moves.iloc[0].scenario
    for (metric, label, kind), row in zip(ECONOMICS, rows, strict=True):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[0] == label
        for col, s in ((1, res.baseline), (2, best)):  # today, then the move with most revenue
            v = _scen(res, s, metric, "mean")
            assert cells[col] == (f"{v:.2f}×" if kind == "ratio" else plots.fmt_value(v, kind, currency="$")), metric


@pytest.mark.slow
def test_report_decks_hold_one_page_per_exhibit_under_its_takeaway_title(sweep_dir):
    from pptx import Presentation

    assert main_report([str(sweep_dir), "--format", "pdf,pptx"]) == 0
    res = load_results(sweep_dir)
    plan = figure_plan(res, currency="$")  # the folder's market.currency, the config default
    pdf = (sweep_dir / "report.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1 + len(plan)  # the summary page, then one per exhibit
    deck = Presentation(str(sweep_dir / "report.pptx"))
    slides = list(deck.slides)
    assert len(slides) == 2 + len(plan)  # title with takeaways, the moves table, then one slide per exhibit
    from sim.takeaways import executive_summary

    ex = executive_summary(res, "$")
    first = " ".join(sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame)
    assert all(line in first for line in ex.takeaways)
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in slides[2:]]
    assert titles == [f.headline() for f in plan]


def test_report_does_not_import_the_plot_command():
    import subprocess
    import sys

    code = "import sys, sim.report, sim.decks; assert 'sim.plot_cli' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_report_sections_are_a_list_new_pages_plug_into(sweep_dir, monkeypatch):
    from sim import report

    monkeypatch.setattr(report, "SECTIONS", list(report.SECTIONS))
    monkeypatch.setattr(report, "figure_plan", lambda *a, **k: [])  # the sections, not the exhibits
    report.add_section(lambda ctx: [report.Section("scorecard", "Joint scorecard", "<p>scored</p>")])
    text = report.build_report(load_results(sweep_dir))
    assert text.index("Joint scorecard") < text.index("Appendix: provenance")


def test_summary_economics_capacity_and_monthly_revenue_add_up(run_dir):
    s = load_results(run_dir).summary
    eco, cost = s["economics"], s["cost"]["marketing"] + s["cost"]["sales"]
    opps = sum(s["opportunities_by_source"].values())
    assert eco["total_cost"] == pytest.approx(cost)
    assert eco["return_on_cost"] == pytest.approx(s["revenue"] / cost)
    assert eco["cost_per_mql"] == pytest.approx(s["cost"]["marketing"] / s["waterfall"]["mql"])
    assert eco["cost_per_sql"] == pytest.approx(cost / s["waterfall"]["sql"])
    assert eco["cost_per_opportunity"] == pytest.approx(cost / opps)
    assert eco["revenue_per_rep"] == pytest.approx(s["revenue"] / s["reps"])
    deal = s["revenue"] / s["deals_won"]
    assert eco["pipeline_velocity_per_day"] == pytest.approx(opps * s["win_rate"] * deal / s["cycle_days_mean"])
    assert sum(s["revenue_by_month"].values()) == pytest.approx(s["revenue"])
    assert len(s["revenue_by_month"]) == -(-s["days"] // 30)
    assert s["capacity"]["utilisation"] == pytest.approx(1 - s["rep_time_share"]["idle"])
    f = s["lead_funnel"]
    assert f["inquiry"] >= f["mql"] >= f["sal"] >= f["sql"] >= f["opportunity"] >= f["won"]
    assert f["won"] <= s["deal_outcomes"]["won"] * 12  # contacts of won deals: at most a buying group per deal
