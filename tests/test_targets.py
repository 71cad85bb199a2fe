"""funnelsim targets: statistics of a CRM export, and bad exports refused before anything is written."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.fit.export import read_export
from sim.fit.targets import statistics

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "crm_export"


def test_example_export_reads_with_the_salesforce_mapping():
    ex = read_export(EXAMPLE, mapping="salesforce")
    raw = pd.read_csv(EXAMPLE / "leads.csv")
    assert len(ex.leads) == len(raw)
    assert ex.window_days == 365
    assert set(ex.opportunities["outcome"]) <= {"won", "lost", "no_decision"}
    assert ex.leads["mql"].notna().sum() == raw["MQL_Date__c"].notna().sum()
    assert (ex.leads["created"] >= 0).all()


def test_targets_command_writes_every_target_with_its_error(tmp_path, capsys):
    out = tmp_path / "t.json"
    assert main(["targets", str(EXAMPLE), "--mapping", "salesforce", "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    t = pd.DataFrame(doc["targets"]).set_index("name")
    raw = pd.read_csv(EXAMPLE / "leads.csv")
    months = 365 / (365.25 / 12)
    assert t.loc["volume.inquiry_per_month", "value"] == pytest.approx(len(raw) / months)
    mql, sal = raw["MQL_Date__c"].notna(), raw["SAL_Date__c"].notna()
    assert t.loc["conversion.mql_to_sal", "value"] == pytest.approx((mql & sal).sum() / mql.sum())
    p = t.loc["conversion.mql_to_sal", "value"]
    assert t.loc["conversion.mql_to_sal", "se"] == pytest.approx(np.sqrt(p * (1 - p) / mql.sum()), rel=0.02)
    opps = pd.read_csv(EXAMPLE / "opportunities.csv")
    won = (opps["StageName"] == "Closed Won").mean()
    assert t.loc["outcome.won_share", "value"] == pytest.approx(won)
    for name in ("response.p50_minutes", "response.p90_minutes", "cycle.days_mean", "deal.won_amount_mean"):
        assert t.loc[name, "se"] > 0
    assert any(n.startswith("sql_rate_by_response.") for n in t.index)
    assert len(doc["monthly"]) == 5 * 12
    assert "volume.inquiry_per_month" in capsys.readouterr().out


def test_segments_give_cycle_and_deal_size_per_segment():
    ex = read_export(EXAMPLE, mapping="salesforce")
    opps = ex.opportunities.copy()
    opps["segment"] = np.where(opps["amount"] > 30000, "enterprise", "smb")
    names = set(statistics(ex.leads, opps, ex.window_days)["name"])
    assert {"cycle.days_mean.smb", "deal.won_amount_mean.enterprise"} <= names


def test_existing_targets_file_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "t.json"
    out.write_text("mine")
    assert main(["targets", str(EXAMPLE), "--mapping", "salesforce", "--out", str(out)]) == 2
    assert out.read_text() == "mine"
    assert "already exists" in capsys.readouterr().err


def _bad_export(tmp_path, edit):
    folder = tmp_path / "export"
    folder.mkdir()
    leads = pd.read_csv(EXAMPLE / "leads.csv", dtype=str, keep_default_na=False).head(200)
    shutil.copy(EXAMPLE / "opportunities.csv", folder / "opportunities.csv")
    leads = edit(leads)
    if leads is not None:
        leads.to_csv(folder / "leads.csv", index=False)
    else:
        (folder / "leads.csv").write_text("")
    return folder


def _set(col, row, value):
    def edit(df):
        df.loc[row, col] = value
        return df

    return edit


def _first_with(col):
    rows = pd.read_csv(EXAMPLE / "leads.csv").head(200)
    return int(np.flatnonzero(rows[col].notna())[0])


@pytest.mark.parametrize(
    "edit, needles",
    [
        (lambda df: df.drop(columns=["MQL_Date__c"]), ["'MQL_Date__c'", "mql"]),
        (
            lambda df: df.rename(columns={"SAL_Date__c": "SAL_Datum__c"}),
            ["'SAL_Date__c'", "did you mean 'SAL_Datum__c'"],
        ),
        (_set("CreatedDate", 3, "next tuesday"), ["'CreatedDate'", "not timestamps", "rows 5"]),
        (lambda df: pd.concat([df, df.iloc[[7]]], ignore_index=True), ["'Id'", "duplicate", "rows 202"]),
        (lambda df: None, ["empty"]),
        (lambda df: df.iloc[0:0], ["no rows"]),
    ],
    ids=["missing column", "misnamed column", "unparseable", "duplicate id", "empty file", "header only"],
)
def test_bad_exports_exit_2_naming_the_column_and_rows(tmp_path, capsys, edit, needles):
    folder = _bad_export(tmp_path, edit)
    out = tmp_path / "t.json"
    assert main(["targets", str(folder), "--mapping", "salesforce", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    for needle in needles:
        assert needle in err
    assert not out.exists()


def test_time_travelling_timestamps_are_refused(tmp_path, capsys):
    row = _first_with("SAL_Date__c")
    folder = _bad_export(tmp_path, _set("SAL_Date__c", row, "2020-01-01T00:00:00Z"))
    out = tmp_path / "t.json"
    assert main(["targets", str(folder), "--mapping", "salesforce", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "'SAL_Date__c' is before" in err and f"rows {row + 2}" in err and "time-travelling" in err
    assert not out.exists()


def test_unknown_mapping_is_refused(tmp_path, capsys):
    assert main(["targets", str(EXAMPLE), "--mapping", "pipedrive", "--out", str(tmp_path / "t.json")]) == 2
    assert "hubspot, salesforce" in capsys.readouterr().err
