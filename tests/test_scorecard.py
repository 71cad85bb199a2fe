"""The joint weekly scorecard: written into every run folder, consistent with the run, drawn in the report."""

import pandas as pd
import pytest

from sim.loading import load_config
from sim.output import write_run
from sim.run import simulate
from sim.scorecard import COLUMNS


def test_scorecard_is_in_the_run_folder_and_adds_up(tmp_path):
    cfg = load_config(
        "sim.days=120 market.accounts=1200 sales.reps=4 marketing.budget_scale=0.1 output.touches=true".split()
    )
    res = simulate(cfg)
    folder = write_run(res, tmp_path / "run")
    sc = pd.read_parquet(folder / "scorecard.parquet")
    assert list(sc.columns) == COLUMNS and len(sc) == 18  # 120 days: 17 full weeks and one partial
    assert sc["mqls"].sum() == res.daily["mqls"].sum()
    assert sc["revenue"].sum() == pytest.approx(res.summary["revenue"])
    assert sc["won"].sum() == res.summary["deals_won"]
    cost = res.summary["cost"]["marketing"] + res.summary["cost"]["sales"]
    assert sc["cost"].sum() == pytest.approx(cost)
    assert ((sc["acceptance_rate"].dropna() >= 0) & (sc["acceptance_rate"].dropna() <= 1)).all()
    assert (sc["pipeline_influenced"] <= sc["pipeline_created"] + 1e-6).all()
    assert sc["pipeline_marketing"].sum() <= sc["pipeline_created"].sum()


@pytest.mark.slow
def test_report_has_the_scorecard_page(tmp_path):
    from sim.report import build_report
    from sim.results_io import load_results

    cfg = load_config("sim.days=60 market.accounts=600 sales.reps=3 marketing.budget_scale=0.1".split())
    folder = write_run(simulate(cfg), tmp_path / "run")
    page = build_report(load_results(folder))
    assert "Joint scorecard" in page and 'id="scorecard"' in page
