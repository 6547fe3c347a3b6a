"""Correlation sum / dimension (Grassberger & Procaccia 1983) and Takens' estimator."""

import dataclasses

import numpy as np
import pytest

import dynstab
from dynstab.timeseries.dimension import (
    CorrelationDimension,
    correlation_dimension,
    correlation_sum,
    takens_dimension,
)


def _henon(n, a=1.4, b=0.3, drop=1000):
    z = np.empty((n + drop, 2))
    u, v = 0.1, 0.1
    for k in range(n + drop):
        u, v = 1.0 - a * u * u + v, b * u
        z[k] = u, v
    return z[drop:]


@pytest.fixture(scope="module")
def henon():
    return _henon(20000)


@pytest.fixture(scope="module")
def lorenz():
    tr = dynstab.trajectory(dynstab.systems.get("lorenz"), t=1000.0, dt=0.05, transient=20.0)
    return np.asarray(tr.x)  # 20001 x 3


@pytest.mark.parametrize("metric", ["chebyshev", "euclidean"])
@pytest.mark.parametrize("w", [0, 1, 7, 40])
def test_correlation_sum_matches_brute_force(metric, w):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 3)).cumsum(axis=0)  # correlated in time: window matters
    r = np.logspace(-0.5, 1.5, 13)
    d = np.abs(x[:, None] - x[None])
    d = d.max(-1) if metric == "chebyshev" else np.sqrt((d * d).sum(-1))
    i, j = np.triu_indices(500, 1)
    keep = (j - i) > w
    brute = np.array([(d[i[keep], j[keep]] <= rr).mean() for rr in r])
    got = correlation_sum(x, r, theiler=w, metric=metric)
    np.testing.assert_allclose(got, brute, rtol=0, atol=1e-14)
    # radii in any order
    np.testing.assert_allclose(correlation_sum(x, r[::-1], theiler=w, metric=metric), brute[::-1], atol=1e-14)
    # subsampled reference points: unbiased estimate, exact for its own references
    sub = correlation_sum(x, r, theiler=w, metric=metric, max_points=200, seed=3)
    assert np.all(np.abs(sub - brute) < 0.05)


@pytest.mark.parametrize("metric", ["chebyshev", "euclidean"])
@pytest.mark.parametrize("dim", [1, 2, 5])
def test_cell_list_counts_equal_brute_force_exactly(metric, dim):
    # the fixed-radius cell-list count against all pairs, on a delay embedding (a Lorenz-like
    # correlated series) and for a subset of reference points: integer counts agree exactly
    rng = np.random.default_rng(7)
    s = np.sin(np.arange(700) * 0.07) + 0.3 * rng.normal(size=700).cumsum() / 10
    x = np.column_stack([s[k * 3 : k * 3 + 600] for k in range(dim)])
    n, w, m, seed = 600, 5, 150, 4
    r = np.sort(np.r_[np.logspace(-2, 0.5, 17), 0.3])
    d = np.abs(x[:, None] - x[None])
    d = d.max(-1) if metric == "chebyshev" else np.sqrt((d * d).sum(-1))
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    adm = np.abs(ii - jj) > w
    pairs_all = adm.sum()
    exact = np.array([np.count_nonzero(d[adm] <= rr) for rr in r]) / pairs_all
    assert np.array_equal(correlation_sum(x, r, theiler=w, metric=metric), exact)
    refs = np.sort(np.random.default_rng(seed).permutation(n)[:m])  # the documented reference draw
    sub = np.array([np.count_nonzero(d[refs][adm[refs]] <= rr) for rr in r]) / adm[refs].sum()
    got = correlation_sum(x, r, theiler=w, metric=metric, max_points=m, seed=seed)
    assert np.array_equal(got, sub)


def test_henon_correlation_dimension(henon):
    res = correlation_dimension(henon, theiler=0)
    assert isinstance(res, CorrelationDimension)
    assert abs(res.dimension - 1.21) < 0.03, res  # Grassberger & Procaccia 1983: 1.21 +/- 0.01
    assert res.uncertainty < 0.1
    assert res.region[1] / res.region[0] > 10**0.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.dimension = 0.0
    # the x series embedded in 2 dims is the same attractor (y_n = b x_{n-1})
    emb = correlation_dimension(henon[:, 0], dim=2, tau=1, theiler=0)
    assert abs(emb.dimension - 1.21) < 0.03, emb


def test_henon_takens(henon):
    res = takens_dimension(henon, r_max=0.05, theiler=0)
    assert abs(res.dimension - 1.21) < 0.06, res
    assert res.n_pairs > 1000


def test_lorenz_correlation_dimension(lorenz):
    res = correlation_dimension(lorenz)  # default Theiler window: autocorrelation time
    assert res.theiler >= 1
    assert abs(res.dimension - 2.05) < 0.05, res
    emb = correlation_dimension(lorenz[:, 0], dim=4, tau=3)
    assert abs(emb.dimension - 2.05) < 0.05, emb


def test_noise_fills_the_space():
    rng = np.random.default_rng(0)
    d3 = correlation_dimension(rng.random((10000, 3)), theiler=0)
    assert 2.75 < d3.dimension < 3.1, d3  # edge effects of the cube lower the slope a little
    d5 = correlation_dimension(rng.random((10000, 5)), theiler=0)
    assert d5.dimension > 4.3, d5  # no finite low dimension: as high as N resolves


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.array([[0.0, 1.0], [np.nan, 2.0]] * 100), "NaN or inf"),
        (np.ones((200, 2)), "constant|identical"),
        (np.random.default_rng(0).random((20, 2)), "too few points"),
    ],
)
def test_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        correlation_dimension(bad, theiler=0)


def test_bad_parameters():
    x = np.random.default_rng(0).random((300, 2))
    with pytest.raises(ValueError, match="radii"):
        correlation_sum(x, [0.1, -1.0])
    with pytest.raises(ValueError, match="metric"):
        correlation_sum(x, [0.1], metric="manhattan")
    with pytest.raises(ValueError, match="theiler"):
        correlation_sum(x, [0.1], theiler=-1)
    with pytest.raises(ValueError, match="theiler"):
        correlation_dimension(x, theiler=200)
    with pytest.raises(ValueError, match="constant"):
        correlation_dimension(np.ones(500), dim=2)
    with pytest.raises(ValueError, match="r_max"):
        takens_dimension(x, r_max=-1.0, theiler=0)


def test_no_scaling_region_is_reported():
    # 300 points of 8-D noise: the slope never settles within the tolerance
    x = np.random.default_rng(0).random((300, 8))
    with pytest.raises(ValueError, match="no scaling region"):
        correlation_dimension(x, theiler=0, tol=0.02)


def test_takens_pairs_over_the_memory_limit_are_refused_up_front(henon):
    from dynstab.limits import AllocationError, memory_limit

    with memory_limit(1e-5), pytest.raises(AllocationError, match=r"pairs within r_max for Takens' estimator.*GiB"):
        takens_dimension(henon[:2000], r_max=0.05, theiler=0)  # 10 kB limit
