"""Make the example CRM export from the model itself, at the hidden values in hidden.yaml.

    .venv/bin/python examples/crm_export/generate.py

Writes leads.csv and opportunities.csv beside this script with Salesforce column names
(conf/crm/salesforce.yaml): one simulated year after a 90-day warm-up on a market of 6,000
accounts, timestamps from Monday 2025-01-06.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from sim import load_config, simulate
from sim.fit.evaluate import model_frames

HERE = Path(__file__).resolve().parent
ORIGIN = pd.Timestamp("2025-01-06")
OUTCOME = {
    "won": "Closed Won",
    "lost": "Closed Lost",
    "no_decision": "No Decision",
    "disqualified": "Disqualified",
    "recycled": "Recycled",
    "rejected": "Rejected",
}
SOURCE = {"marketing": "Web", "sales": "Outbound"}


def main() -> None:
    spec = yaml.safe_load((HERE / "hidden.yaml").read_text())
    hidden = [f"{k}={v}" for k, v in spec["hidden"].items()]
    cfg = load_config([*spec["market"], *hidden, f"sim.seed={spec['seed']}"])
    leads, opps = model_frames(simulate(cfg, leads=True), spec["warmup_days"])

    def stamp(minutes: pd.Series) -> pd.Series:
        return (ORIGIN + pd.to_timedelta(minutes, unit="min")).dt.strftime("%Y-%m-%dT%H:%M:%SZ")

    names = yaml.safe_load((HERE.parents[1] / "conf" / "crm" / "salesforce.yaml").read_text())
    lead_cols, opp_cols = names["leads"], names["opportunities"]
    out = pd.DataFrame({lead_cols["lead_id"]: [f"00Q{int(i):012d}" for i in leads["lead_id"]]})
    for c in ("created", "mql", "routed", "first_touch", "sal", "sql", "opportunity", "closed"):
        out[lead_cols[c]] = stamp(leads[c])
    out[lead_cols["source"]] = leads["source"].map(SOURCE)
    out[lead_cols["owner"]] = ["005" + (f"{int(r):012d}" if pd.notna(r) else "") for r in leads["owner"]]
    out[lead_cols["owner"]] = out[lead_cols["owner"]].where(leads["owner"].notna().to_numpy(), "")
    out[lead_cols["outcome"]] = leads["outcome"].map(lambda s: OUTCOME.get(s, "Open"))
    out.to_csv(HERE / "leads.csv", index=False)
    opp = pd.DataFrame(
        {
            opp_cols["opportunity_id"]: [f"006{int(i):012d}" for i in opps["opportunity_id"]],
            opp_cols["created"]: stamp(opps["created"]),
            opp_cols["closed"]: stamp(opps["closed"]),
            opp_cols["amount"]: opps["amount"].round(2),
            opp_cols["outcome"]: opps["outcome"].map(OUTCOME),
            opp_cols["source"]: opps["source"].map(SOURCE),
        }
    )
    opp.to_csv(HERE / "opportunities.csv", index=False)
    print(f"{len(out)} leads, {len(opp)} closed opportunities -> {HERE}")


if __name__ == "__main__":
    main()
