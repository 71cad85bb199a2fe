"""`funnelsim validate`: the model against queueing theory, Little's law and published figures."""

import json

import pytest

from sim.cli import main
from sim.validation import checks
from sim.validation.checks import Row


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    out = tmp_path_factory.mktemp("validation")
    code = main(["validate", "--out", str(out)])
    return code, out, json.loads((out / "validation.json").read_text())


@pytest.mark.slow
def test_every_judged_check_passes_on_the_default(validated):
    code, _, doc = validated
    failed = [(r["check"], r["reference"], r["model"], r["tolerance"]) for r in doc["checks"] if r["passed"] is False]
    assert not failed
    assert code == 0 and doc["passed"] is True


@pytest.mark.slow
@pytest.mark.parametrize(
    "check",
    [
        *(f"mmc_wait_le_{t}min" for t in (0, 1, 5, 15, 60)),
        "mmc_mean_wait_min",
        "mmc_rep_busy_share",
        "mdc_wait_probability",
        "mdc_mean_wait_min",
        "little_open_leads",
        "little_open_opportunities",
        "conversion_mql_to_sal",
        "deals_won_share",
        "rep_time_selling",
        "market_in_market_share_day0",
        "market_day0_vs_days_200_700",
    ],
)
def test_each_closed_form_and_published_check_is_judged(validated, check):
    rows = {r["check"]: r for r in validated[2]["checks"]}
    assert rows[check]["passed"] is True
    assert rows[check]["ci_low"] <= rows[check]["model"] <= rows[check]["ci_high"] or rows[check]["group"] == "funnel"


@pytest.mark.slow
def test_response_ratios_are_judged_against_the_default_preset(validated):
    rows = [r for r in validated[2]["checks"] if r["group"] == "response"]
    assert len(rows) == 4
    # The default curve is the moderate preset, fitted to every ratio with its log-effect halved.
    assert all(r["passed"] is True and "moderate" in r["tolerance"] for r in rows)


@pytest.mark.slow
def test_validation_files_and_markdown(validated):
    _, out, doc = validated
    md = (out / "validation.md").read_text()
    assert md.count("\n") == len(doc["checks"]) + 2
    for r in doc["checks"]:
        assert f"`{r['check']}`" in md


def test_a_failed_check_exits_1_and_still_writes_the_table(tmp_path, monkeypatch, capsys):
    bad = Row("demo", "queueing", 1.0, "closed form", 2.0, 1.9, 2.1, "±0.1", False)
    monkeypatch.setattr(checks, "run_all", lambda overrides, progress=None: [bad])
    assert main(["validate", "--out", str(tmp_path)]) == 1
    doc = json.loads((tmp_path / "validation.json").read_text())
    assert doc["passed"] is False and doc["checks"][0]["check"] == "demo"
    assert "1 check(s) failed: demo" in capsys.readouterr().err


def test_bad_validate_input_exits_2_and_writes_nothing(tmp_path, capsys):
    assert main(["validate", "--out", str(tmp_path / "missing")]) == 2
    assert main(["validate", "marketing.mql_threshold=500", "--out", str(tmp_path)]) == 2
    assert "mql_threshold" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_odd_validation_section_lists_every_check(validated):
    from pathlib import Path

    odd = (Path(__file__).resolve().parents[1] / "docs" / "ODD.md").read_text()
    section = odd[odd.index("## 9. Validation") :]
    assert [r["check"] for r in validated[2]["checks"] if f"`{r['check']}`" not in section] == []
