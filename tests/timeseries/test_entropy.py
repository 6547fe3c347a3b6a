"""Tests for dynstab.timeseries.entropy (entropies and complexity measures)."""

import math

import numpy as np
import pytest

from dynstab.timeseries.entropy import (
    approximate_entropy,
    binned_probabilities,
    jensen_shannon_divergence,
    multiscale_entropy,
    ordinal_pattern_counts,
    ordinal_patterns,
    ordinal_probabilities,
    permutation_entropy,
    reasoning_instability,
    renyi_entropy,
    sample_entropy,
    shannon_entropy,
    spectral_entropy,
    tsallis_entropy,
)

antropy = pytest.importorskip("antropy")


def _logistic(n, x0=0.1, drop=100):
    x = np.empty(n + drop)
    x[0] = x0
    for i in range(1, n + drop):
        x[i] = 4.0 * x[i - 1] * (1.0 - x[i - 1])
    return x[drop:]


def _pink(n, rng):
    """1/f noise by spectral shaping of white noise."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n)
    f[0] = f[1]
    return np.fft.irfft(spec / np.sqrt(f), n)


# ----------------------------------------------------------------------------- permutation entropy


def test_permutation_entropy_iid_noise_near_one():
    x = np.random.default_rng(1).standard_normal(100_000)
    assert permutation_entropy(x, order=5) >= 0.99


@pytest.mark.parametrize("order", [3, 5, 7])
def test_permutation_entropy_monotone_is_zero(order):
    assert permutation_entropy(np.arange(500.0), order=order) == 0.0
    assert permutation_entropy(-np.exp(np.linspace(0, 3, 500)), order=order, normalize=False) == 0.0


def test_logistic_map_single_forbidden_pattern_is_decreasing():
    x = _logistic(20_000)
    counts = ordinal_pattern_counts(x, order=3)
    pats = ordinal_patterns(3)
    assert counts.sum() == x.size - 2
    forbidden = pats[counts == 0]
    assert forbidden.shape == (1, 3)
    # argsort of a strictly decreasing window x_t > x_{t+1} > x_{t+2}
    np.testing.assert_array_equal(forbidden[0], [2, 1, 0])
    assert np.all(np.diff(x[:3][::-1]) != 0)  # sanity: no ties


def test_ordinal_patterns_convention():
    pats = ordinal_patterns(3)
    assert pats.shape == (6, 3)
    np.testing.assert_array_equal(pats[0], [0, 1, 2])
    c = ordinal_pattern_counts(np.array([1.0, 2.0, 3.0, 2.5, 1.0]), order=3)
    # windows: (1,2,3)->[0,1,2]; (2,3,2.5)->[0,2,1]; (3,2.5,1)->[2,1,0]
    expected = np.zeros(6, int)
    for p in ([0, 1, 2], [0, 2, 1], [2, 1, 0]):
        expected[[tuple(r) for r in pats.tolist()].index(tuple(p))] += 1
    np.testing.assert_array_equal(c, expected)
    np.testing.assert_allclose(ordinal_probabilities(np.arange(10.0), 3)[0], 1.0)


@pytest.mark.parametrize("order,delay", [(3, 1), (4, 2), (5, 1), (6, 3)])
def test_permutation_entropy_matches_antropy(order, delay):
    rng = np.random.default_rng(order * 10 + delay)
    x = rng.standard_normal(3000)
    # antropy: base 2, normalize=False by default
    ours = permutation_entropy(x, order, delay, normalize=False, base=2)
    assert abs(ours - antropy.perm_entropy(x, order, delay)) < 1e-10
    ours_n = permutation_entropy(x, order, delay)
    assert abs(ours_n - antropy.perm_entropy(x, order, delay, normalize=True)) < 1e-10
    # ties (integer data): same stable-argsort rule
    xi = rng.integers(0, 4, 3000).astype(float)
    assert abs(permutation_entropy(xi, order, delay, False, 2) - antropy.perm_entropy(xi, order, delay)) < 1e-10


# ----------------------------------------------------------------------------- sample / approximate


@pytest.mark.parametrize("n", [1000, 6000])  # antropy numba path (< 5000) and KDTree path
@pytest.mark.parametrize("order", [2, 3])
def test_sample_entropy_matches_antropy(n, order):
    x = np.random.default_rng(n + order).standard_normal(n)
    # antropy default tolerance = 0.2 * np.std(x) (ddof 0) = ours
    assert abs(sample_entropy(x, order) - antropy.sample_entropy(x, order)) < 1e-10
    tol = 0.3 * np.std(x, ddof=1)
    assert abs(sample_entropy(x, order, r=0.3, ddof=1) - antropy.sample_entropy(x, order, tolerance=float(tol))) < 1e-10


@pytest.mark.parametrize("order", [2, 3, 4])
def test_approximate_entropy_matches_antropy(order):
    rng = np.random.default_rng(order)
    x = np.cumsum(rng.standard_normal(2000)) * 0.1 + np.sin(np.arange(2000) / 7)
    assert abs(approximate_entropy(x, order) - antropy.app_entropy(x, order)) < 1e-10
    assert abs(approximate_entropy(x, order, tolerance=0.5) - antropy.app_entropy(x, order, tolerance=0.5)) < 1e-10


def test_sample_entropy_regular_vs_random_and_speed():
    import time

    rng = np.random.default_rng(3)
    noise = rng.standard_normal(10_000)
    t0 = time.perf_counter()
    s_noise = sample_entropy(noise)
    assert time.perf_counter() - t0 < 2.0  # well under a second on an idle core
    s_sine = sample_entropy(np.sin(np.arange(10_000) * 0.05))
    assert s_sine < 0.5 < s_noise
    assert 2.0 < s_noise < 2.4  # theory for Gaussian noise, m=2, r=0.2: ~2.2


def test_sample_entropy_no_long_match_is_inf():
    x = np.array([0.0, 1.0, 0.0, 5.0, 9.0])
    # templates (0,1),(1,0),(0,5): pair (0,1)-(1,0)? no; tolerance 1.0: (0,1)~(1,0) match
    assert sample_entropy(x, 2, tolerance=1.0) == math.inf


# ----------------------------------------------------------------------------- multiscale


def test_multiscale_entropy_white_decreases_pink_flat():
    rng = np.random.default_rng(7)
    white = multiscale_entropy(rng.standard_normal(20_000), scales=8)
    assert np.all(np.diff(white) < 0)
    pink = multiscale_entropy(_pink(20_000, rng), scales=8)
    assert np.ptp(pink) < 0.35 * pink.mean()
    assert white[-1] < pink[-1]
    # scale 1 is plain sample entropy with r = 0.15 SD
    x = rng.standard_normal(2000)
    assert multiscale_entropy(x, [1])[0] == pytest.approx(sample_entropy(x, 2, 0.15), abs=1e-12)


# ----------------------------------------------------------------------------- spectral


def test_spectral_entropy_white_and_sine():
    rng = np.random.default_rng(11)
    x = rng.standard_normal(8192)
    assert spectral_entropy(x) > 0.9
    t = np.arange(8192)
    assert spectral_entropy(np.sin(2 * np.pi * 64 * t / 8192)) < 0.01
    assert abs(spectral_entropy(x) - antropy.spectral_entropy(x, sf=100, normalize=True)) < 1e-10
    assert abs(spectral_entropy(x, normalize=False, base=2) - antropy.spectral_entropy(x, sf=1)) < 1e-10
    assert abs(spectral_entropy(x, "welch", 256) - antropy.spectral_entropy(x, 1, "welch", 256, normalize=True)) < 1e-10


# ----------------------------------------------------------------------------- distributions


def test_renyi_tsallis_limits_and_shannon():
    p = np.array([0.5, 0.25, 0.125, 0.125])
    h = shannon_entropy(p)
    assert h == pytest.approx(1.75 * math.log(2))
    assert shannon_entropy(p, base=2) == pytest.approx(1.75)
    assert renyi_entropy(p, 1) == pytest.approx(h, abs=1e-15)
    assert renyi_entropy(p, 1 + 1e-7) == pytest.approx(h, abs=1e-6)
    assert renyi_entropy(p, 0) == pytest.approx(math.log(4))
    assert renyi_entropy(p, np.inf) == pytest.approx(math.log(2))
    assert renyi_entropy(p, 2) == pytest.approx(-math.log(np.sum(p**2)))
    assert tsallis_entropy(p, 1) == pytest.approx(h)
    for q in (1 + 1e-3, 1 - 1e-3, 1 + 1e-6):
        assert tsallis_entropy(p, q) == pytest.approx(h, abs=2 * abs(q - 1))
    assert tsallis_entropy(p, 2) == pytest.approx(1 - np.sum(p**2))
    u = np.full(8, 1 / 8)
    for q in (0.5, 2, 5):
        assert renyi_entropy(u, q) == pytest.approx(math.log(8))


def test_binned_and_ordinal_probabilities():
    x = np.random.default_rng(0).uniform(size=50_000)
    p = binned_probabilities(x, bins=10)
    assert p.sum() == pytest.approx(1.0)
    assert shannon_entropy(p) == pytest.approx(math.log(10), abs=1e-3)
    q = ordinal_probabilities(x, 3)
    assert shannon_entropy(q) / math.log(6) == pytest.approx(permutation_entropy(x, 3))


def test_jensen_shannon_properties():
    rng = np.random.default_rng(5)
    p = rng.dirichlet(np.ones(6), size=200)
    q = rng.dirichlet(np.ones(6), size=200)
    js = jensen_shannon_divergence(p, q)
    assert js.shape == (200,)
    np.testing.assert_allclose(js, jensen_shannon_divergence(q, p), atol=1e-15)
    assert np.all(js >= 0) and np.all(js <= math.log(2))
    assert np.all(jensen_shannon_divergence(p, p) == 0.0)
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert jensen_shannon_divergence(a, b) == pytest.approx(math.log(2))
    assert jensen_shannon_divergence(a, b, base=2) == pytest.approx(1.0)


def test_reasoning_instability():
    probs = np.array([[0.9, 0.1, 0.0], [0.9, 0.1, 0.0], [0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    sig = reasoning_instability(probs)
    assert sig.js.shape == (3,) and sig.entropy.shape == (4,) and sig.total.shape == (3,)
    assert sig.js[0] == 0.0
    assert sig.entropy[3] == 0.0
    assert sig.entropy[2] == pytest.approx(shannon_entropy(probs[2]))
    assert sig.js[1] == pytest.approx(jensen_shannon_divergence(probs[1], probs[2]))
    np.testing.assert_allclose(sig.total, sig.js + sig.entropy[1:])
    assert int(np.argmax(sig.total)) == 1


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "func",
    [
        permutation_entropy,
        sample_entropy,
        approximate_entropy,
        multiscale_entropy,
        spectral_entropy,
        binned_probabilities,
        ordinal_pattern_counts,
    ],
)
def test_series_validation(func):
    good = np.random.default_rng(0).standard_normal(200)
    for bad in (np.r_[good, np.nan], np.r_[good, np.inf], good.reshape(20, 10)):
        with pytest.raises(ValueError):
            func(bad)
    with pytest.raises(ValueError):
        func(good[:1])


@pytest.mark.parametrize("func", [sample_entropy, approximate_entropy, multiscale_entropy, spectral_entropy])
def test_constant_series_rejected(func):
    with pytest.raises(ValueError, match="constant"):
        func(np.full(100, 3.0))


def test_too_short_and_bad_parameters():
    x = np.random.default_rng(0).standard_normal(10)
    with pytest.raises(ValueError, match="too short"):
        permutation_entropy(x, order=4, delay=4)
    with pytest.raises(ValueError, match="order"):
        permutation_entropy(x, order=1)
    with pytest.raises(ValueError, match="delay"):
        permutation_entropy(x, delay=0)
    with pytest.raises(ValueError):
        sample_entropy(x[:3], order=2)
    with pytest.raises(ValueError, match="too short for scale"):
        multiscale_entropy(x, scales=5)
    with pytest.raises(ValueError, match="undefined"):
        sample_entropy(np.array([0.0, 10.0, 20.0, 30.0, 40.0]), 2, tolerance=1.0)
    with pytest.raises(ValueError, match="method"):
        spectral_entropy(x, method="nope")
    with pytest.raises(ValueError, match="r must"):
        sample_entropy(x, r=-0.1)
    with pytest.raises(TypeError, match="integer"):
        permutation_entropy(x, order=2.5)


def test_probability_validation():
    with pytest.raises(ValueError, match="sum to 1"):
        shannon_entropy([0.5, 0.4])
    with pytest.raises(ValueError, match="negative"):
        renyi_entropy([1.2, -0.2])
    with pytest.raises(ValueError, match="NaN"):
        tsallis_entropy([np.nan, 1.0])
    with pytest.raises(ValueError, match="1-D"):
        shannon_entropy(np.eye(2) / 2)
    with pytest.raises(ValueError, match="same shape"):
        jensen_shannon_divergence([0.5, 0.5], [1 / 3, 1 / 3, 1 / 3])
    with pytest.raises(ValueError, match="sum to 1"):
        reasoning_instability([[0.5, 0.5], [0.5, 0.6]])
    with pytest.raises(ValueError, match="2-D"):
        reasoning_instability([0.5, 0.5])
    with pytest.raises(ValueError, match="at least 2"):
        reasoning_instability([[0.5, 0.5]])
    with pytest.raises(ValueError, match="q must"):
        renyi_entropy([0.5, 0.5], -1)
    with pytest.raises(ValueError, match="base"):
        shannon_entropy([0.5, 0.5], base=1)


def test_permutation_codes_in_blocks_equal_one_block(monkeypatch):
    # the block-wise Lehmer codes (bounded memory for long series) do not depend on the block size
    import dynstab.timeseries.entropy as ent

    x = np.random.default_rng(3).normal(size=1000).round(1)  # ties: broken by time order
    full = ent.ordinal_pattern_counts(x, order=4, delay=2)
    pe = ent.permutation_entropy(x, order=5)
    monkeypatch.setattr(ent, "_PATTERN_CHUNK", 7)
    np.testing.assert_array_equal(ent.ordinal_pattern_counts(x, order=4, delay=2), full)
    assert ent.permutation_entropy(x, order=5) == pe
