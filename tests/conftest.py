"""Shared helpers: small scenarios that run in about a second."""

import pytest

from sim import load_config, simulate

SMALL = ["sim.days=120", "market.accounts=600", "sales.reps=4", "marketing.budget_scale=0.03"]


def small_config(*extra, days=None):
    ov = list(SMALL) + list(extra)
    if days is not None:
        ov.append(f"sim.days={days}")
    return load_config(ov)


@pytest.fixture(scope="session")
def small_fast():
    return simulate(small_config(), leads=True, keep_model=True)
