"""Attribution rules computed from a touch log and the deal log, as CRM and attribution tools compute them.

Every rule credits won revenue to channels.  For a won deal at account A, opened at T0 and closed
at T1, the touches considered are the account's touches in the lookback window [T0 - lookback, T0]
(any contact of the buying group), ordered in time:

- sourced: a marketing-sourced deal goes wholly to the channel of the touch that created the lead
  (the account's latest lead-creating touch before T0); prospecting-sourced deals get no credit;
- influenced: every channel that touched the account in [T0 - lookback, T1] gets the whole deal
  (credits double count by design; the revenue it allocates counts each deal once);
- first touch / last touch: the whole deal to the first / last touch before T0;
- linear: equal shares to every touch;
- U-shaped (position based): 40 % first touch, 40 % lead-creation touch (the last touch when no touch in
  the window created a lead), 20 % the touches between them; touches after lead creation get nothing;
- W-shaped: 30 % first touch, 30 % lead-creation touch, 30 % opportunity-creation touch (the last
  before T0), 10 % the others.

Where positions coincide they pool their weights, and a share with no touch to go to is spread
over the others in proportion, so each deal's credits sum to its value (Marketo Measure's
documented behaviour for one- and two-touch paths).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.touch_log import CHANNEL_NAMES

RULES = ("sourced", "influenced", "first_touch", "last_touch", "linear", "u_shaped", "w_shaped")
FRACTIONAL = tuple(r for r in RULES if r != "influenced")
LOOKBACK_DAYS = 180


def _u_shaped(n: int, created: np.ndarray) -> np.ndarray:
    """40 % first touch, 40 % lead-creation touch (the last touch if none created a lead), 20 % spread over the
    touches between them; touches after lead creation get nothing."""
    lc = int(np.flatnonzero(created)[-1]) if created.any() else n - 1
    w = np.zeros(n)
    w[0] += 0.4
    w[lc] += 0.4
    if lc > 1:
        w[1:lc] += 0.2 / (lc - 1)
    return w / w.sum()


def _w_shaped(n: int, created: np.ndarray) -> np.ndarray:
    """30 % first touch, 30 % lead-creation touch, 30 % opportunity-creation touch (the last), 10 % the rest."""
    lc = int(np.flatnonzero(created)[-1]) if created.any() else -1
    w = np.zeros(n)
    w[0] += 0.3
    if lc >= 0:
        w[lc] += 0.3
    w[n - 1] += 0.3
    rest = np.ones(n, dtype=bool)
    rest[[0, n - 1]] = False
    if lc >= 0:
        rest[lc] = False
    if rest.any():
        w[rest] += 0.1 / rest.sum()
    return w / w.sum()


def attribute(deals: pd.DataFrame, touches: pd.DataFrame, lookback_days: float = LOOKBACK_DAYS) -> pd.DataFrame:
    """Credit per rule and channel: columns rule, channel, credit, allocated (the revenue the rule gives out,
    each deal once), revenue (all won revenue)."""
    won = deals[deals["outcome"] == "won"]
    lookback = lookback_days * 1440.0
    by_acc = {a: g.sort_values("touch_at", kind="stable") for a, g in touches.groupby("account_id")}
    ch_index = {c: k for k, c in enumerate(CHANNEL_NAMES)}
    credit = {r: np.zeros(len(CHANNEL_NAMES)) for r in RULES}
    allocated = dict.fromkeys(RULES, 0.0)
    cols = ("account_id", "created_at", "closed_at", "value", "source")
    for a, t0, t1, value, source in zip(*(won[c].to_numpy() for c in cols), strict=True):
        g = by_acc.get(a)
        if g is None:
            continue
        at = g["touch_at"].to_numpy()
        ch = np.array([ch_index[c] for c in g["channel"].to_numpy()])
        created = g["created_lead"].to_numpy()
        if source == "marketing":
            before = np.flatnonzero(created & (at <= t0))
            if before.size:
                credit["sourced"][ch[before[-1]]] += value
                allocated["sourced"] += value
        infl = (at >= t0 - lookback) & (at <= t1)
        if infl.any():
            for k in np.unique(ch[infl]):
                credit["influenced"][k] += value
            allocated["influenced"] += value
        path = (at >= t0 - lookback) & (at <= t0)
        n = int(path.sum())
        if n == 0:
            continue
        pch, pcr = ch[path], created[path]
        weights = {
            "first_touch": np.eye(n)[0],
            "last_touch": np.eye(n)[n - 1],
            "linear": np.full(n, 1.0 / n),
            "u_shaped": _u_shaped(n, pcr),
            "w_shaped": _w_shaped(n, pcr),
        }
        for rule, w in weights.items():
            np.add.at(credit[rule], pch, w * value)
            allocated[rule] += value
    revenue = float(won["value"].sum())
    rows = [
        {"rule": r, "channel": c, "credit": float(credit[r][k]), "allocated": allocated[r], "revenue": revenue}
        for r in RULES
        for k, c in enumerate(CHANNEL_NAMES)
    ]
    return pd.DataFrame(rows)
