"""Parameter recovery: `funnelsim fit` on the example export finds the values it was generated with.

examples/crm_export/ was made by the model itself (generate.py) at the hidden values in
hidden.yaml.  The fit's posterior (emcee on a synthetic likelihood) must cover each hidden value
with its 95 % interval, its posterior mean must land within 10 % of it
where the data identify the parameter (an interval no wider than +-10 %), and its fitted scenario
must reproduce the export's stage conversions within their sampling error.
"""

import json
import os
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.loading import SCENARIO_DIR

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "crm_export"


def test_example_fit_uses_the_market_the_export_was_made_on():
    hidden = yaml.safe_load((EXAMPLE / "hidden.yaml").read_text())
    fit = yaml.safe_load((EXAMPLE / "fit.yaml").read_text())
    market = [m for m in hidden["market"] if not m.startswith("sim.")]
    assert sorted(fit["base"]) == sorted(market)
    assert fit["warmup_days"] == hidden["warmup_days"]
    assert sorted(p["key"] for p in fit["params"]) == sorted(hidden["hidden"])


@pytest.mark.slow
def test_fit_recovers_the_hidden_parameters_of_the_example_export(tmp_path, capsys):
    targets = tmp_path / "targets.json"
    assert main(["targets", str(EXAMPLE), "--mapping", "salesforce", "--out", str(targets)]) == 0
    name = f"test_recovery_{os.getpid()}"
    try:
        args = ["fit", str(targets), f"fit={EXAMPLE / 'fit.yaml'}", f"dir={tmp_path}", f"name={name}", "quiet=true"]
        assert main(args) == 0
        print(capsys.readouterr().out)
        folder = tmp_path / name
        params = pd.read_parquet(folder / "params.parquet").set_index("param")
        hidden = yaml.safe_load((EXAMPLE / "hidden.yaml").read_text())["hidden"]
        identified = 0
        for key, truth in hidden.items():
            p = params.loc[key]
            assert p.ci_low <= truth <= p.ci_high, f"{key}: {truth} outside [{p.ci_low:.4g}, {p.ci_high:.4g}]"
            if (p.ci_high - p.ci_low) / 2 <= 0.1 * p.estimate:
                identified += 1
                assert abs(p.estimate - truth) <= 0.1 * truth, f"{key}: {p.estimate:.4g} vs {truth}"
        assert identified >= 2  # reach and qualification rates are pinned down by the conversions
        comp = pd.read_parquet(folder / "comparison.parquet").set_index("name")
        conversions = comp[comp["group"] == "conversion"]
        assert len(conversions) == 4 and conversions["agrees"].all(), conversions[["target", "model", "z"]]
        meta = json.loads((folder / "fit.json").read_text())
        spec = yaml.safe_load((EXAMPLE / "fit.yaml").read_text())
        draws = pd.read_parquet(folder / "posterior.parquet")
        assert len(draws) == meta["posterior"]["samples"] == spec["walkers"] * (spec["steps"] - spec["burn"])
        assert draws[list(hidden)].mean().to_dict() == pytest.approx(params["estimate"].to_dict())
        assert (folder / "posterior.png").stat().st_size > 10_000
        print(f"example fit: {meta['seconds']} s; posterior {meta['posterior']}; warnings {meta['warnings']}")
    finally:
        (SCENARIO_DIR / f"{name}.yaml").unlink(missing_ok=True)
