"""Stationarity first (issue 12): ADF + KPSS + drift between halves."""

import numpy as np
import pytest

from dynstab.timeseries.stationarity import stationarity_test


def _ar1(n, phi, seed):
    e = np.random.default_rng(seed).standard_normal(n)
    x = np.zeros(n)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + e[i]
    return x


def test_random_walk_and_ramp_are_non_stationary():
    rng = np.random.default_rng(0)
    rw = stationarity_test(np.cumsum(rng.standard_normal(3000)))
    assert not rw.stationary and rw.adf_p > 0.05 and rw.kpss_p <= 0.05
    assert "unit root" in rw.message
    ramp = stationarity_test(np.linspace(0.0, 10.0, 3000) + 0.1 * rng.standard_normal(3000))
    assert not ramp.stationary and ramp.mean_drift > 1.0
    assert ramp.message.startswith("non-stationary")


def test_stationary_series_pass():
    t = np.arange(3000)
    henon = np.empty(3000)
    u, v = 0.1, 0.1
    for i in range(4000):
        u, v = 1.0 - 1.4 * u * u + v, 0.3 * u
        if i >= 1000:
            henon[i - 1000] = u
    for x in (_ar1(3000, 0.9, 1), np.sin(2 * np.pi * t / 25.0), henon):
        r = stationarity_test(x)
        assert r.stationary, r.message
        assert r.reasons == () and r.message.startswith("stationary")


def test_long_series_are_thinned():
    r = stationarity_test(_ar1(10_000, 0.5, 2), max_points=2000)
    assert r.step == 5 and r.stationary


@pytest.mark.parametrize(
    "kwargs, match",
    [({"alpha": 1.5}, "alpha"), ({"variance_tol": 0.5}, "variance_tol"), ({"max_points": 10}, "max_points")],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        stationarity_test(np.random.default_rng(0).standard_normal(500), **kwargs)


def test_bad_series():
    with pytest.raises(ValueError, match="constant"):
        stationarity_test(np.ones(500))
    with pytest.raises(ValueError, match="NaN"):
        stationarity_test(np.r_[np.zeros(100), np.nan, np.ones(100)])
