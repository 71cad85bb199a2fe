"""Invariants checked every day in debug mode; a breach stops the run with the day and the rule."""

import numpy as np

from sim import stages as st
from sim.processes.market import OUT_OF_MARKET
from sim.state import T, by_contact


class InvariantError(AssertionError):
    pass


def check_invariants(S, P, d: int) -> None:
    counts = np.bincount(S.stage.astype(np.int64), minlength=len(st.STAGE_NAMES))
    if S.stage.min() < 0 or len(counts) != len(st.STAGE_NAMES) or counts.sum() != S.stage.shape[0]:
        raise InvariantError(f"day {d}: a contact is outside the known stages")
    n = S.n_deals[0]
    deals = S.deals[:n]
    won_value = deals[deals[:, 6] == st.WON, 5].sum()
    if not np.isclose(won_value, S.totals[T["revenue"]], rtol=1e-9, atol=1e-6):
        raise InvariantError(f"day {d}: revenue {S.totals[T['revenue']]} != sum of won deals {won_value}")
    if np.any(S.opp_open.astype(bool) & (S.acc_customer == 1)):
        raise InvariantError(f"day {d}: a customer account has an open opportunity")
    if S.n_in_market[0] != np.count_nonzero(S.acc_since != OUT_OF_MARKET):
        raise InvariantError(f"day {d}: the in-market count disagrees with the accounts")
    open_opp = S.opp_open == 1
    if not np.array_equal(S.opp_list[: S.n_opps[0]], np.flatnonzero(open_opp)):
        raise InvariantError(f"day {d}: the open-opportunity list is not the open accounts in account order")
    rows = S.lead[S.lead >= 0]
    if rows.size != S.n_leads[0] or (rows.size and (rows.max() >= S.n_leads[0] or np.unique(rows).size != rows.size)):
        raise InvariantError(f"day {d}: lead-table rows are not one per lead")
    S = by_contact(S)
    for stage_name, stamp in (("mql", S.mql_at), ("sal", S.sal_at), ("sql", S.sql_at), ("opportunity", S.opp_at)):
        code = st.STAGE_NAMES.index(stage_name)
        if np.any(np.isnan(stamp[S.stage == code])):
            raise InvariantError(f"day {d}: a contact in stage {stage_name} has no {stage_name} time")
    in_opp = S.stage == st.OPPORTUNITY
    if np.any(~open_opp[S.c_acc[in_opp]]):
        raise InvariantError(f"day {d}: a contact is in an opportunity its account does not have open")
    if np.any(S.rep_opps != np.bincount(S.opp_rep[open_opp], minlength=P.reps)):
        raise InvariantError(f"day {d}: reps' open deal counts disagree with the accounts")
    at_work = S.rep_off == 0
    if at_work.any():
        day_minutes = S.rep_today.sum(axis=1)[at_work]
        if not np.allclose(day_minutes, P.work_minutes, rtol=1e-9):
            raise InvariantError(f"day {d}: a rep's ledger does not add up to the working day")
