"""The touch point of the touch log: one mark per contact per day, set where a buyer responds.

Marks are per contact, so the contact phase stays thread-safe; `sim.touch_log` collects them
after each day into a growable table in a fixed order (same rows on any thread count).
"""

from numba import njit

CREATED_LEAD = 8  # added to the channel code when the touch created the lead record


@njit(cache=True, inline="always")
def mark_touch(S, c, channel, creates_lead):
    """Contact `c` responded today on `channel` (0-3 campaigns, 4 inbound)."""
    S.touch_ch[c] = channel + (CREATED_LEAD if creates_lead else 0)
