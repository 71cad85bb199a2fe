"""The queueing oracles against published worked examples and textbook identities."""

import math

import pytest

from sim.validation.queueing import (
    erlang_c,
    md1_mean_wait,
    mdc_mean_wait,
    mdc_wait_probability,
    mmc_mean_wait,
    mmc_wait_cdf,
)


def test_erlang_c_worked_example():
    # The worked example of the online Erlang C calculator at personal.telefonica.terra.es/web/vr/erlang:
    # 600 calls an hour of 120 s each are 20 erlangs; 26 agents keep the delay probability under
    # 15 % with an average delay of about 3 s a call; 30 agents bring it to 2.5 %.
    lam, service = 600 / 3600, 120.0
    assert erlang_c(lam, service, 26) == pytest.approx(0.1434, abs=5e-4)
    assert erlang_c(lam, service, 26) < 0.15
    assert mmc_mean_wait(lam, service, 26) == pytest.approx(3.0, abs=0.2)
    assert erlang_c(lam, service, 30) == pytest.approx(0.025, abs=5e-4)


def test_erlang_c_closed_form_sum():
    # C(c, a) = (a^c / c!) (c / (c - a)) / (sum_{k<c} a^k / k! + (a^c / c!) (c / (c - a)))
    for c, a in ((1, 0.5), (3, 2.0), (6, 4.0), (12, 10.5)):
        top = a**c / math.factorial(c) * c / (c - a)
        direct = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
        assert erlang_c(a, 1.0, c) == pytest.approx(direct, rel=1e-12)


def test_single_server_reduces_to_mm1():
    lam, service = 0.6, 1.0  # rho = 0.6
    assert erlang_c(lam, service, 1) == pytest.approx(0.6)
    assert mmc_mean_wait(lam, service, 1) == pytest.approx(0.6 / (1.0 - 0.6))
    assert mmc_wait_cdf(0.0, lam, service, 1) == pytest.approx(0.4)


def test_wait_distribution_is_exponential_tail():
    lam, service, c = 4 / 60, 60.0, 6
    p0 = mmc_wait_cdf(0.0, lam, service, c)
    assert p0 == pytest.approx(1 - erlang_c(lam, service, c))
    # Mean from the distribution: C / (c mu - lam).
    assert (1 - p0) / (c / service - lam) == pytest.approx(mmc_mean_wait(lam, service, c))


def test_mdc_chain_reduces_to_pollaczek_khinchine():
    for rho in (0.3, 0.6, 0.9):
        assert mdc_mean_wait(rho, 1.0, 1) == pytest.approx(md1_mean_wait(rho, 1.0), rel=1e-6)
        assert mdc_wait_probability(rho, 1.0, 1) == pytest.approx(rho, rel=1e-6)


def test_mdc_waits_about_half_of_mmc():
    # Deterministic service halves the wait of exponential service to a first approximation
    # (Allen-Cunneen); with several servers the exact M/D/c wait is a little above half.
    lam, service, c = 4 / 60, 60.0, 6
    ratio = mdc_mean_wait(lam, service, c) / mmc_mean_wait(lam, service, c)
    assert 0.5 < ratio < 0.6


def test_unstable_or_bad_queues_are_refused():
    with pytest.raises(ValueError, match="offered load"):
        erlang_c(1.0, 6.0, 6)
    with pytest.raises(ValueError, match="servers"):
        erlang_c(1.0, 1.0, 0)
