"""0-1 test for chaos against the published behaviour (Gottwald & Melbourne 2004, 2009)."""

import math
import warnings

import numpy as np
import pytest

import dynstab
from dynstab.timeseries.zero_one import _mean_square_displacement, auto_subsample, zero_one_test


def logistic(r, n=5000, x=0.3, transient=1000):
    out = np.empty(n)
    for _ in range(transient):
        x = r * x * (1 - x)
    for i in range(n):
        x = r * x * (1 - x)
        out[i] = x
    return out


def test_fft_displacement_equals_direct_sum():
    phi = np.random.default_rng(1).standard_normal(400)
    c = np.array([0.7, 1.9])
    M = _mean_square_displacement(phi, c, 40)
    j = np.arange(1, 401)
    for i, cc in enumerate(c):
        p, q = np.cumsum(phi * np.cos(j * cc)), np.cumsum(phi * np.sin(j * cc))
        ref = [np.mean((p[n:] - p[:-n]) ** 2 + (q[n:] - q[:-n]) ** 2) for n in range(1, 41)]
        np.testing.assert_allclose(M[i], ref, rtol=1e-10)


@pytest.mark.parametrize("method", ["correlation", "regression"])
def test_logistic_chaotic_and_periodic_window(method):
    # GM 2009 Fig. 1: K ~ 1 at r = 4 (and 3.9), K ~ 0 in the period-3 window r = 3.83
    assert zero_one_test(logistic(4.0), method=method).K > 0.9
    assert zero_one_test(logistic(3.9), method=method).K > 0.9
    assert abs(zero_one_test(logistic(3.83), method=method).K) < 0.1


def test_lorenz_needs_and_gets_subsampling():
    tr = dynstab.trajectory(dynstab.systems.get("lorenz"), t=500, dt=0.01, transient=50)
    x = tr.x[:, 0]
    with pytest.warns(UserWarning, match="oversampled"):  # wants ~71 (one mean period), 1000 points cap it at 50
        res = zero_one_test(x)  # auto: the first minimum of the autocorrelation
    assert res.subsample > 5 and res.K > 0.9
    assert zero_one_test(x, subsample=10).K > 0.9
    # oversampled data fail the test, as GM 2009 Sec. 5.2 warn
    assert zero_one_test(x[:20000], subsample=1).K < 0.5


@pytest.mark.filterwarnings("ignore:the series is oversampled")
def test_regular_signals_give_zero():
    t = np.arange(20000) * 0.01
    assert abs(zero_one_test(np.sin(2 * math.pi * t / 1.3)).K) < 0.05
    assert abs(zero_one_test(np.sin(2 * math.pi * t / 1.3), subsample=1).K) < 0.05
    n = np.arange(5000)
    quasi = np.cos(n * math.sqrt(2)) + np.cos(n * math.sqrt(3))  # quasi-periodic sequence
    assert abs(zero_one_test(quasi).K) < 0.1
    t = np.arange(100_000) * 0.01
    assert abs(zero_one_test(np.sin(t) + np.sin(math.sqrt(2) * t)).K) < 0.1


def test_reproducible_with_seed_and_result_api():
    x = logistic(4.0, 2000)
    a, b = zero_one_test(x, seed=3), zero_one_test(x, seed=3)
    assert a.K == b.K and np.array_equal(a.c, b.c)
    assert not np.array_equal(a.c, zero_one_test(x, seed=4).c)
    assert a.K_c.shape == (100,) and a.n_cut == 200 and a.chaotic
    assert np.all((a.c > math.pi / 5) & (a.c < 4 * math.pi / 5))
    assert a.to_xarray().attrs["K"] == a.K
    fig = a.plot()
    assert fig is not None


def test_auto_subsample_caps_and_warns():
    t = np.arange(20000) * 0.01
    with pytest.warns(UserWarning, match="oversampled"):
        k = auto_subsample(np.sin(t) + np.sin(math.sqrt(2) * t))
    assert k == 20
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert auto_subsample(logistic(4.0)) == 1


def test_bad_input():
    with pytest.raises(ValueError, match="at least 100"):
        zero_one_test(np.random.default_rng(0).standard_normal(50))
    with pytest.raises(ValueError, match="NaN"):
        zero_one_test(np.r_[logistic(4.0, 200), np.nan])
    with pytest.raises(ValueError, match="constant"):
        zero_one_test(np.ones(500))
    with pytest.raises(ValueError, match="scalar"):
        zero_one_test(np.ones((100, 3)))
    with pytest.raises(ValueError, match="method"):
        zero_one_test(logistic(4.0, 500), method="spline")
    with pytest.raises(ValueError, match="subsample"):
        zero_one_test(logistic(4.0, 500), subsample=0)
    with pytest.raises(ValueError, match=r"only 100 samples remain|remain"):
        zero_one_test(logistic(4.0, 500), subsample=10)
    with pytest.raises(ValueError, match="c_range"):
        zero_one_test(logistic(4.0, 500), c_range=(0.0, 4.0))


def test_auto_subsample_is_the_first_autocorrelation_minimum():
    """GM 2009 sec. 5.2: about one point per local swing; for a sine, half its period."""
    t = np.arange(20000)
    assert auto_subsample(np.sin(2 * math.pi * t / 40.0)) == 20


def test_noise_and_chaos_are_not_told_apart_by_K():
    """Issue 12: K was ~1 for every real series, noise included; the surrogates show when K says nothing."""
    w = np.random.default_rng(2).standard_normal(3000)
    res = zero_one_test(w, n_surrogates=3)
    assert res.K > 0.9 and res.surrogate_K.shape == (3,)
    assert np.all(res.surrogate_K > 0.9) and res.discriminates is False
    chaos = zero_one_test(logistic(4.0), n_surrogates=3)
    assert chaos.K > 0.9 and chaos.discriminates is False  # IAAFT of the logistic map is white noise: K ~ 1 too
    assert zero_one_test(w).discriminates is None
