"""The closing phase visits only open deals and keeps its counts up to date: same tables as a full scan,
on any thread count and on both drivers."""

import numpy as np
import pandas as pd

from sim import simulate
from sim import stages as st
from sim.model import FunnelModel
from sim.processes.common import new_lead
from sim.processes.market import OUT_OF_MARKET
from sim.processes.observe import observe
from sim.processes.opportunities import open_opportunity, opportunities_day
from sim.pure import pure
from sim.state import DL, D
from tests.conftest import small_config

# Short cycles and many accounts in market: deals open and close every few days.
BUSY = [
    "market.accounts=2000",
    "sales.reps=10",
    "marketing.budget_scale=0.1",
    "market.in_market_rate=0.01",
    "market.smb.cycle_days=5",
    "market.mid_market.cycle_days=8",
]


def test_deals_close_in_account_order_whatever_order_they_opened():
    model = FunnelModel(small_config(days=30))
    S, P = model.state, model.params
    S.acc_since[[3, 12, 57, 250, 401]] = [0, OUT_OF_MARKET, -20, OUT_OF_MARKET, 0]
    S.n_in_market[0] = np.count_nonzero(S.acc_since != OUT_OF_MARKET)
    for a in (57, 3, 401, 12, 250):  # opened out of account order
        pure(new_lead)(S, S.acc_start[a])  # the contact's row for its clocks, as a prospect gets
        pure(open_opportunity)(S, P, a, S.acc_start[a], 600.0, 0, st.SOURCE_MARKETING, 0)
    S.opp_close_day[[3, 250, 401]] = 4
    S.opp_close_day[[12, 57]] = 50
    in_market = S.n_in_market[0]
    pure(opportunities_day)(S, P, 4)
    assert S.deals[: S.n_deals[0], DL["account"]].tolist() == [3, 250, 401]
    assert S.opp_list[: S.n_opps[0]].tolist() == [12, 57]
    # 3 and 401 were in market
    assert S.n_in_market[0] == in_market - 2 == np.count_nonzero(S.acc_since != OUT_OF_MARKET)
    pure(observe)(S, P, 4)
    assert S.daily[4, D["pipeline"]] == S.opp_value[12] + S.opp_value[57]
    assert S.daily[4, D["open_opportunities"]] == 2
    assert S.daily[4, D["in_market"]] == S.n_in_market[0]


def test_closing_gives_the_same_tables_on_one_two_and_three_threads_and_both_drivers():
    # Debug mode checks the open list and the in-market count against a scan of every account each day.
    runs = [simulate(small_config(*BUSY, "sim.debug=true", f"sim.threads={k}", days=150)) for k in (1, 2, 3)]
    ref = simulate(small_config(*BUSY, "sim.engine=reference", days=150))
    one = runs[0]
    assert len(one.deals) > 80 and one.daily["in_market"].nunique() > 50
    for other in (*runs[1:], ref):
        pd.testing.assert_frame_equal(one.daily, other.daily, check_exact=True)
        pd.testing.assert_frame_equal(one.deals, other.deals, check_exact=True)
