"""Largest Lyapunov exponent from data (Rosenstein 1993, Kantz 1994)."""

import dataclasses

import numpy as np
import pytest

import dynstab
from dynstab.timeseries.lyapunov import (
    LyapunovEstimate,
    divergence_curve,
    find_scaling_region,
    lyapunov_from_data,
)

LORENZ_L1 = 0.906  # per time unit, sigma=10, rho=28, beta=8/3
HENON_L1 = 0.419  # per iteration, a=1.4, b=0.3


@pytest.fixture(scope="module")
def lorenz_x():
    tr = dynstab.trajectory(dynstab.systems.get("lorenz"), t=200.0, dt=0.01, transient=20.0)
    return tr.x[:20000, 0], 0.01


@pytest.fixture(scope="module")
def henon_x():
    a, b = 1.4, 0.3
    u, v = 0.1, 0.1
    out = np.empty(6000)
    for i in range(out.size):
        u, v = 1.0 - a * u * u + v, b * u
        out[i] = u
    return out[1000:]


def test_lorenz_rosenstein_automatic_embedding(lorenz_x):
    x, dt = lorenz_x
    r = lyapunov_from_data(x, dt)  # dim, tau, theiler, scaling region all automatic
    assert isinstance(r, LyapunovEstimate)
    assert r.scaling_found
    assert abs(r.exponent - LORENZ_L1) < 0.10 * LORENZ_L1
    assert r.ci[0] < r.exponent < r.ci[1]
    k0, k1 = r.fit_range
    assert 0 <= k0 < k1 < r.k.size
    assert r.dim >= 2 and r.tau >= 1 and r.theiler >= r.dim * r.tau
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.exponent = 1.0


@pytest.mark.parametrize("method", ["rosenstein", "kantz"])
def test_henon(henon_x, method):
    r = lyapunov_from_data(henon_x, 1.0, dim=2, tau=1, method=method)
    assert r.scaling_found
    assert abs(r.exponent - HENON_L1) < 0.05 * HENON_L1
    assert r.ci[0] < r.exponent < r.ci[1]


def test_dt_scaling(henon_x):
    r1 = lyapunov_from_data(henon_x, 1.0, dim=2, tau=1)
    r2 = lyapunov_from_data(henon_x, 0.5, dim=2, tau=1)
    assert r2.exponent == pytest.approx(2 * r1.exponent)
    assert r2.fit_range == r1.fit_range


def test_fit_range_override(henon_x):
    r = lyapunov_from_data(henon_x, 1.0, dim=2, tau=1, fit_range=(2, 8))
    assert r.fit_range == (2, 8)
    slope = np.polyfit(r.k[2:9], r.lnd[2:9], 1)[0]
    assert r.exponent == pytest.approx(slope)


def test_divergence_curve_shape(henon_x):
    k, lnd = divergence_curve(henon_x, 2, 1, max_steps=30, dt=0.5)
    assert k.shape == lnd.shape == (31,)
    assert np.all(np.isfinite(lnd))
    c = divergence_curve(henon_x, 2, 1, max_steps=30, dt=0.5, method="kantz", n_neighbors=5, radius=0.05)
    assert np.allclose(c.t, c.k * 0.5)
    assert c.lnd[10] > c.lnd[0] + 3  # distances grow by e^(0.42 * 10)


@pytest.mark.parametrize("method", ["rosenstein", "kantz"])
def test_white_noise_has_no_scaling_region(method):
    w = np.random.default_rng(1).standard_normal(4000)
    with pytest.warns(RuntimeWarning, match="no linear scaling region"):
        r = lyapunov_from_data(w, 1.0, dim=3, tau=1, method=method)
    assert not r.scaling_found
    assert np.isnan(r.exponent) and r.fit_range is None


def test_scaling_region_of_straight_line():
    k = np.arange(40)
    y = np.concatenate([0.5 * k[:25], np.full(15, 12.0)])
    assert find_scaling_region(y) == (0, 24)
    assert find_scaling_region(np.zeros(40)) is None


def test_bad_input(henon_x):
    x = henon_x.copy()
    x[10] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        lyapunov_from_data(x, 1.0, dim=2, tau=1)
    x[10] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        divergence_curve(x, 2, 1)
    with pytest.raises(ValueError, match="constant"):
        lyapunov_from_data(np.ones(1000), 1.0, dim=2, tau=1)
    with pytest.raises(ValueError, match="too short"):
        lyapunov_from_data(henon_x[:40], 1.0, dim=2, tau=1)
    with pytest.raises(ValueError, match="too short"):
        divergence_curve(henon_x[:300], 3, 1, max_steps=280)
    with pytest.raises(ValueError, match="method"):
        lyapunov_from_data(henon_x, 1.0, dim=2, tau=1, method="wolf")
    with pytest.raises(ValueError, match="dt"):
        lyapunov_from_data(henon_x, 0.0, dim=2, tau=1)
    with pytest.raises(ValueError, match="fit_range"):
        lyapunov_from_data(henon_x, 1.0, dim=2, tau=1, fit_range=(5, 2))
    with pytest.raises(ValueError, match="dim"):
        divergence_curve(henon_x, 0, 1)


def test_series_scaled_by_1e200_gives_the_unscaled_exponent(henon_x):
    """Issue 14 probe: a series scaled by 1e200 returned NaN with overflow warnings (the exponent is scale-free)."""
    ref = lyapunov_from_data(henon_x, dim=2, tau=1)
    for scale in (1e200, 1e-200):
        with np.errstate(all="raise"):
            r = lyapunov_from_data(henon_x * scale, dim=2, tau=1)
        assert r.exponent == pytest.approx(ref.exponent, rel=1e-9)
        assert r.fit_range == ref.fit_range
        np.testing.assert_allclose(r.lnd - np.log(scale), ref.lnd, rtol=1e-9, atol=1e-9)


def test_lorenz_interval_covers_the_true_exponent():
    """Issue 12: the README's Lorenz x example gave 0.785 [0.70, 0.871], excluding the true 0.9056."""
    x = dynstab.trajectory(dynstab.systems.get("lorenz"), t=120.0, dt=0.02, transient=20.0).x[:, 0]
    r = lyapunov_from_data(x, 0.02)
    assert r.valid and r.consistent
    assert r.ci[0] < 0.9056 < r.ci[1]
    assert r.ci[1] - r.ci[0] < 0.7 * 0.9056  # honest, not useless: -20 %..+35 %
    # the fit starts after the initial relaxation and holds half a mean period at least
    k0, k1 = r.fit_range
    assert k0 >= r.min_start >= r.tau > 1
    assert k1 - k0 >= 2 * r.half_window
    # the slope is common to two embedding dimensions (Kantz & Schreiber sec. 5.3)
    (m0, l0), (m1, l1) = r.dim_exponents
    assert m1 == m0 + 1 and abs(l1 - l0) <= 0.25 * l0
    # the interval holds the statistical one and the systematic error
    assert r.ci[0] <= r.stat_ci[0] and r.stat_ci[1] <= r.ci[1]
    assert r.exponent - r.ci[0] >= r.systematic[0] * r.exponent
    assert r.ci[1] - r.exponent >= r.systematic[1] * r.exponent > r.systematic[0] * r.exponent  # biased low


def test_henon_interval_covers_the_true_exponent(henon_x):
    r = lyapunov_from_data(henon_x, 1.0)
    assert r.valid
    assert r.ci[0] < 0.4192 < r.ci[1]
    assert r.fit_range[0] >= 1  # k = 0 -> 1 is the initial jump, never fitted


def test_min_start_is_respected():
    k = np.arange(40)
    y = np.concatenate([0.5 * k[:25], np.full(15, 12.0)])
    assert find_scaling_region(y, min_start=3) == (3, 24)


def test_noise_is_not_a_valid_estimate():
    w = np.random.default_rng(3).standard_normal(3000)
    r = lyapunov_from_data(w, 1.0, dim=3, tau=1, warn=False)
    assert not r.valid
