"""FunnelModel is a Mesa model: keyword levers, a seed, DataCollector, batch_run."""

import mesa
import pandas as pd

from sim.model import FunnelModel
from tests.conftest import small_config


def test_model_steps_and_collects_daily_metrics():
    model = FunnelModel(small_config(days=40))
    model.run()
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 40
    assert df["inquiries"].sum() > 0
    assert not model.running
    assert len(model.reps) == 4


def test_reference_model_has_one_agent_per_contact():
    model = FunnelModel(small_config("sim.engine=reference", days=3))
    assert len(model.contacts) == model.n_contacts
    model.step()
    stages = {c.stage for c in model.contacts}
    assert "known" in stages


def test_runs_under_mesa_batch_run():
    levers = {"sim__days": 30, "market__accounts": 400, "sales__reps": 3, "marketing__budget_scale": 0.02}
    results = mesa.batch_run(
        FunnelModel,
        parameters={**levers, "seed": [1, 2], "marketing__mql_threshold": [45, 70]},
        iterations=1,
        max_steps=30,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    df = pd.DataFrame(results)
    assert len(df.groupby(["seed", "marketing__mql_threshold"])) == 4
    mqls = df.groupby("marketing__mql_threshold")["mqls"].sum()
    assert mqls[45] > mqls[70]
