"""The touch log: every buyer response to a campaign, and every inbound request, one row each.

The touch point (`sim.touches.mark_touch`, called in the marketing process) marks the contact;
after each day `TouchLog.collect` appends the day's marks in contact order to a growable table,
so the rows are the same on either driver and any thread count.  Columns are documented in
docs/attribution.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numba import njit

from sim import stages as st
from sim.processes.common import inquiry_minute
from sim.touches import CREATED_LEAD

CHANNEL_NAMES = ("email", "paid_search", "webinar", "events", "inbound")
COLUMNS = ("touch_at", "contact_id", "account_id", "channel", "created_lead")


@njit(cache=True)
def _count(S):
    n = 0
    for c in range(S.touch_ch.shape[0]):
        if S.touch_ch[c] >= 0:
            n += 1
    return n


@njit(cache=True)
def _fill(S, P, d, buf, k):
    for c in range(S.touch_ch.shape[0]):
        m = S.touch_ch[c]
        if m < 0:
            continue
        created = m >= CREATED_LEAD
        ch = m - CREATED_LEAD if created else m
        buf[k, 0] = d * 1440.0 + inquiry_minute(P, c, d)
        buf[k, 1] = c
        buf[k, 2] = S.c_acc[c]
        buf[k, 3] = ch
        buf[k, 4] = 1.0 if created else 0.0
        S.touch_ch[c] = -1
        k += 1
    return k


class TouchLog:
    """A growing table of touches (rows in day, then contact order)."""

    def __init__(self, capacity: int = 4096):
        self.buf = np.full((capacity, len(COLUMNS)), np.nan)
        self.n = 0

    def collect(self, S, P, d) -> None:
        m = _count(S)
        if self.n + m > self.buf.shape[0]:
            bigger = np.full((max(2 * self.buf.shape[0], self.n + m), len(COLUMNS)), np.nan)
            bigger[: self.n] = self.buf[: self.n]
            self.buf = bigger
        self.n = _fill(S, P, d, self.buf, self.n)

    def table(self, S) -> pd.DataFrame:
        rows = self.buf[: self.n]
        contact = rows[:, 1].astype(np.int64)
        return pd.DataFrame(
            {
                "touch_at": rows[:, 0],
                "day": (rows[:, 0] // 1440).astype(np.int32),
                "contact_id": contact,
                "account_id": rows[:, 2].astype(np.int64),
                "role": np.array(st.ROLE_NAMES, dtype=object)[S.c_role[contact]],
                "channel": np.array(CHANNEL_NAMES, dtype=object)[rows[:, 3].astype(np.int64)],
                "created_lead": rows[:, 4] == 1.0,
            }
        )
