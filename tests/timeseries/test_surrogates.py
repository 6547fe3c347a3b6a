"""Tests of dynstab.timeseries.surrogates (surrogate data tests for nonlinearity)."""

import numpy as np
import pytest

from dynstab.timeseries.surrogates import (
    KINDS,
    aaft_surrogates,
    fourier_surrogates,
    iaaft_surrogates,
    rank_p_value,
    shuffle_surrogates,
    surrogate_test,
    surrogates,
    time_reversal_asymmetry,
)

N = 2048


def henon_x(n=N, drop=1000):
    x, y = 0.1, 0.0
    out = np.empty(n + drop)
    for i in range(n + drop):
        x, y = 1.0 - 1.4 * x * x + y, 0.3 * x
        out[i] = x
    return out[drop:]


def ar1(n=N, phi=0.8, seed=1):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n + 500)
    x = np.empty_like(e)
    x[0] = e[0]
    for i in range(1, e.size):
        x[i] = phi * x[i - 1] + e[i]
    return x[500:]


@pytest.fixture(scope="module")
def henon():
    return henon_x()


@pytest.fixture(scope="module")
def ar():
    return ar1()


# ----------------------------------------------------------------------------- generators
@pytest.mark.parametrize("kind", KINDS)
def test_shape_and_reproducible(kind, ar):
    x = ar[:500]
    a = surrogates(x, n=5, kind=kind, seed=3)
    b = surrogates(x, n=5, kind=kind, seed=3)
    c = surrogates(x, n=5, kind=kind, seed=4)
    assert a.shape == (5, 500)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # rows differ from one another and from the data
    assert not np.array_equal(a[0], a[1])
    assert not np.array_equal(a[0], x)


@pytest.mark.parametrize("gen", [shuffle_surrogates, aaft_surrogates, iaaft_surrogates])
def test_value_preserving_kinds_are_permutations(gen, henon):
    x = henon[:1024]
    s = gen(x, n=7, seed=0)
    for row in s:
        np.testing.assert_array_equal(np.sort(row), np.sort(x))


def test_fourier_keeps_periodogram_and_mean(henon):
    for x in (henon, henon[:1023]):  # even and odd length
        s = fourier_surrogates(x, n=10, seed=0)
        P = np.abs(np.fft.rfft(x)) ** 2
        Ps = np.abs(np.fft.rfft(s, axis=1)) ** 2
        np.testing.assert_allclose(Ps, np.broadcast_to(P, Ps.shape), rtol=1e-10, atol=1e-10 * P.max())
        np.testing.assert_allclose(s.mean(axis=1), x.mean(), rtol=1e-10, atol=1e-12)
        # but it is a genuinely different series
        assert np.abs(s - x).max() > 0.1


def test_iaaft_keeps_periodogram_within_few_percent(henon):
    x = henon
    s, its = iaaft_surrogates(x, n=10, seed=0, return_iterations=True)
    assert np.all(its < 1000)  # converged: rank order fixed
    P = np.abs(np.fft.rfft(x)) ** 2
    Ps = np.abs(np.fft.rfft(s, axis=1)) ** 2
    # total (L1) deviation of the periodogram
    assert np.abs(Ps - P).sum(axis=1).max() / P.sum() < 0.03
    # and in 32 frequency bands
    bands = np.array_split(np.arange(1, P.size), 32)
    for b in bands:
        assert np.all(np.abs(Ps[:, b].sum(axis=1) / P[b].sum() - 1) < 0.05)
    # AAFT keeps it worse than IAAFT (the reason IAAFT exists)
    Pa = np.abs(np.fft.rfft(aaft_surrogates(x, n=10, seed=0), axis=1)) ** 2
    assert np.abs(Pa - P).sum(axis=1).mean() > np.abs(Ps - P).sum(axis=1).mean()


def _spectral_error(x, s):
    amp = np.abs(np.fft.rfft(x))
    return np.sqrt(((np.abs(np.fft.rfft(s, axis=1)) - amp) ** 2).sum(axis=1) / (amp**2).sum())


def test_iaaft_convergence_stop_is_as_accurate_as_the_fixed_point():
    # an oversampled flow (slow rank convergence): the stop on the spectral error's
    # improvement keeps the spectrum as well as iterating to the rank-order fixed point
    t = np.arange(3000) * 0.05
    x = np.sin(t) + 0.5 * np.sin(2.3 * t) ** 3 + 0.05 * np.random.default_rng(0).normal(size=t.size)
    s_stop, it_stop = iaaft_surrogates(x, n=6, seed=2, return_iterations=True)
    s_fix, it_fix = iaaft_surrogates(x, n=6, seed=2, tol=0.0, return_iterations=True)
    assert np.all(it_stop <= it_fix) and it_stop.sum() < 0.8 * it_fix.sum()
    e_stop, e_fix = _spectral_error(x, s_stop), _spectral_error(x, s_fix)
    assert np.all(e_stop < 0.01) and np.all(e_stop <= 1.25 * e_fix), (e_stop, e_fix)
    for row in s_stop:  # still exact permutations of the data
        np.testing.assert_array_equal(np.sort(row), np.sort(x))
    with pytest.raises(ValueError, match="tol"):
        iaaft_surrogates(x, tol=-1.0)


def test_iaaft_max_iter_still_permutation(ar):
    s, its = iaaft_surrogates(ar[:256], n=3, seed=1, max_iter=2, return_iterations=True)
    assert np.all(its <= 2)
    for row in s:
        np.testing.assert_array_equal(np.sort(row), np.sort(ar[:256]))


# ----------------------------------------------------------------------------- statistic
def test_time_reversal_asymmetry():
    t = np.arange(400)
    saw = (t % 10).astype(float)  # slow rise, sudden fall: strongly asymmetric
    assert time_reversal_asymmetry(saw) < -1
    assert time_reversal_asymmetry(saw[::-1]) == pytest.approx(-time_reversal_asymmetry(saw))
    x = np.array([0.0, 1.0, 3.0, 2.0])  # increments 1, 2, -1
    assert time_reversal_asymmetry(x) == pytest.approx((1 + 8 - 1) / 3 / (6 / 3) ** 1.5)
    rows = np.stack([saw, saw[::-1]])
    np.testing.assert_allclose(
        time_reversal_asymmetry(rows),
        [time_reversal_asymmetry(saw), -time_reversal_asymmetry(saw)],
    )
    with pytest.raises(ValueError, match="tau"):
        time_reversal_asymmetry(saw, tau=0)
    with pytest.raises(ValueError, match="increments"):
        time_reversal_asymmetry(np.ones(20))


# ----------------------------------------------------------------------------- p-value
def test_rank_p_value_hand_made():
    q = np.arange(1.0, 10.0)  # 9 surrogates: 1..9, n + 1 = 10
    assert rank_p_value(10.0, q, "greater") == pytest.approx(0.1)  # none >= 10
    # a tie counts as extreme: (1 + 1) / 10
    assert rank_p_value(9.0, q, "greater") == pytest.approx(0.2)
    assert rank_p_value(5.0, q, "greater") == pytest.approx(0.6)  # 5..9
    assert rank_p_value(0.0, q, "less") == pytest.approx(0.1)
    assert rank_p_value(3.0, q, "less") == pytest.approx(0.4)  # 1, 2, 3
    # two-sided: distance from the median m of all 10 values, ties count as extreme
    # q0 = -1 -> values -1, 1..9, m = 4.5; |q0 - m| = 5.5 beats every |q - m| -> 1/10
    assert rank_p_value(-1.0, q, "two-sided") == pytest.approx(0.1)
    # q0 = 0 -> m = 4.5, |q0 - m| = 4.5 ties with q = 9 -> 2/10
    assert rank_p_value(0.0, q, "two-sided") == pytest.approx(0.2)
    # q0 = 100 -> m = 5.5, farthest of all -> 1/10
    assert rank_p_value(100.0, q, "two-sided") == pytest.approx(0.1)
    # q0 = 5 -> m = 5, distance 0 -> all 9 count -> 1
    assert rank_p_value(5.0, q, "two-sided") == pytest.approx(1.0)
    # q0 = 1.5 -> m = 4.5, |q0 - m| = 3; q in {1, 8, 9} are >= 3 away -> 4/10
    assert rank_p_value(1.5, q, "two-sided") == pytest.approx(0.4)
    with pytest.raises(ValueError, match="tail"):
        rank_p_value(1.0, q, "up")
    with pytest.raises(ValueError, match="NaN or infinite"):
        rank_p_value(np.nan, q)


def test_surrogate_test_p_value_matches_formula(ar):
    stat = time_reversal_asymmetry
    r = surrogate_test(ar, stat, n=19, kind="fourier", seed=5, tail="greater")
    s = fourier_surrogates(ar, n=19, seed=5)
    q = time_reversal_asymmetry(s)
    np.testing.assert_allclose(r.surrogate_statistics, q)
    assert r.statistic == pytest.approx(stat(ar))
    assert r.p_value == pytest.approx((1 + np.count_nonzero(q >= r.statistic)) / 20)
    assert r.min_p_value == pytest.approx(0.05) and r.resolvable
    # same call, same numbers
    r2 = surrogate_test(ar, stat, n=19, kind="fourier", seed=5, tail="greater")
    np.testing.assert_array_equal(r.surrogate_statistics, r2.surrogate_statistics)


# ----------------------------------------------------------------------------- the test in action
def test_linear_ar1_not_rejected(ar):
    r = surrogate_test(ar, time_reversal_asymmetry, n=99, kind="iaaft", seed=0)
    assert r.p_value > 0.05 and not r.rejected


def test_white_noise_not_rejected():
    x = np.random.default_rng(2).standard_normal(N)
    for kind in ("shuffle", "iaaft"):
        r = surrogate_test(x, time_reversal_asymmetry, n=99, kind=kind, seed=0)
        assert r.p_value > 0.05, kind


def test_henon_rejected(henon):
    r = surrogate_test(henon, time_reversal_asymmetry, n=99, kind="iaaft", seed=0)
    assert r.p_value <= 0.05 and r.rejected
    assert r.p_value == pytest.approx(0.01)  # the data is the most extreme of all 100
    r = surrogate_test(henon, time_reversal_asymmetry, n=99, kind="fourier", seed=0, tail="less")
    assert r.p_value == pytest.approx(0.01)


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "x, match",
    [
        (np.r_[np.arange(30.0), np.nan], "NaN or infinite"),
        (np.r_[np.arange(30.0), np.inf], "NaN or infinite"),
        (np.ones(50), "constant"),
        (np.arange(10.0), "at least 16"),
        (np.zeros((40, 2)), "1-D"),
        (np.arange(40.0) + 1j, "real"),
    ],
)
def test_bad_series(x, match):
    with pytest.raises(ValueError, match=match):
        surrogates(x, n=2, kind="fourier")
    with pytest.raises(ValueError, match=match):
        surrogate_test(x, time_reversal_asymmetry, n=19)


def test_bad_arguments(ar):
    x = ar[:64]
    for n in (0, -3):
        with pytest.raises(ValueError, match="n \\(number of surrogates\\)"):
            shuffle_surrogates(x, n=n)
    with pytest.raises(TypeError, match="n \\(number of surrogates\\)"):
        shuffle_surrogates(x, n=2.5)
    with pytest.raises(TypeError, match="callable"):
        surrogate_test(x, "tra", n=19)
    with pytest.raises(ValueError, match="kind"):
        surrogates(x, kind="bogus")
    with pytest.raises(ValueError, match="tail"):
        surrogate_test(x, time_reversal_asymmetry, n=19, tail="both")
    with pytest.raises(ValueError, match="max_iter"):
        iaaft_surrogates(x, max_iter=0)
    with pytest.raises(ValueError, match="alpha"):
        surrogate_test(x, time_reversal_asymmetry, n=19, alpha=1.5)


def test_coarse_resolution_warns(ar):
    with pytest.warns(UserWarning, match="smallest attainable p-value"):
        r = surrogate_test(ar[:128], time_reversal_asymmetry, n=9, kind="shuffle", alpha=0.05)
    assert not r.resolvable and not r.rejected
    assert r.min_p_value == pytest.approx(0.1)
    assert "resolution too coarse" in r.message


def test_nonlinear_prediction_error_separates_determinism_from_noise():
    import dynstab
    from dynstab.timeseries.surrogates import nonlinear_prediction_error

    henon = dynstab.trajectory(dynstab.systems.get("henon"), n=3000).x[:, 0]
    noise = np.random.default_rng(0).normal(size=3000)
    assert nonlinear_prediction_error(henon, 2, 1) < 0.05
    assert nonlinear_prediction_error(noise, 2, 1) > 1.0  # nearest-neighbour guess of i.i.d. noise: sqrt(2)
    res = surrogate_test(henon, lambda s: nonlinear_prediction_error(s, 2, 1), n=19, tail="less")
    assert res.rejected and res.p_value == pytest.approx(0.05)
    with pytest.raises(ValueError, match="too short"):
        nonlinear_prediction_error(noise[:25], 3, 5)
    # predicting 500 evenly spaced points estimates the same error (noise: sqrt(2) within
    # sampling error 1/sqrt(500)); all points when n_predict exceeds their number
    assert nonlinear_prediction_error(noise, 2, 1, n_predict=500) == pytest.approx(np.sqrt(2), abs=0.12)
    assert nonlinear_prediction_error(henon, 2, 1, n_predict=500) < 0.05
    assert nonlinear_prediction_error(noise, 2, 1, n_predict=10**6) == nonlinear_prediction_error(noise, 2, 1)
    with pytest.raises(ValueError, match="n_predict"):
        nonlinear_prediction_error(noise, 2, 1, n_predict=0)


@pytest.mark.parametrize("kind", KINDS)
def test_too_many_surrogates_are_refused_up_front(kind, ar):
    """Issue 14: n surrogates of N samples over the memory limit are refused, with the size named."""
    from dynstab.limits import AllocationError, memory_limit

    with memory_limit(1e-4):  # 100 kB
        with pytest.raises(AllocationError, match=rf"1000 \w+ surrogates of {ar.size} samples .*GiB"):
            surrogates(ar, n=1000, kind=kind)
        assert surrogates(ar[:100], n=2, kind=kind).shape == (2, 100)
