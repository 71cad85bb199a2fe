"""Handoff timing (when sales see an MQL) and tier (who works leads)."""

import numpy as np
from numba import njit

from sim.policies.registry import rule


@rule("timing", "realtime", "a new MQL is in a rep's queue the minute it is scored")
@njit(cache=True, inline="always")
def realtime(P, minute):
    return minute


@rule(
    "timing",
    "batch",
    "sales see leads only at CRM pulls every `policy.handoff.batch_hours` hours, counted from the start of the "
    "working day",
)
@njit(cache=True, inline="always")
def batch(P, minute):
    k = np.ceil((minute - P.work_start) / P.batch_minutes)
    return P.work_start + k * P.batch_minutes


@rule("tier", "direct", "AEs (`sales.reps`) work leads, deals and prospects")
@njit(cache=True)
def direct(n_ae, n_sdr):
    return 0, n_ae


@rule(
    "tier",
    "sdr",
    "`sales.sdrs` SDRs work every lead; an SQL becomes a deal owned by an AE (the account owner under "
    "`account_owner` routing, else the next AE in turn); SDR prospecting meetings also go to AEs",
    needs_sdrs=True,
)
@njit(cache=True)
def sdr(n_ae, n_sdr):
    return n_ae, n_ae + n_sdr
