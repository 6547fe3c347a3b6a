"""Recurrence matrices (auto, cross, joint), fixed-rate thresholds and recurrence networks."""

import itertools

import numpy as np
import pytest
from scipy import sparse

from dynstab.timeseries import (
    cross_recurrence_matrix,
    embed,
    joint_recurrence_matrix,
    recurrence_matrix,
    recurrence_network,
    recurrence_threshold,
)


def _walk(n, seed, d=1):
    return np.cumsum(np.random.default_rng(seed).normal(size=(n, d)), axis=0).squeeze()


def _dense(A, B, eps, norm):
    diff = np.abs(A[:, None, :] - B[None, :, :])
    if norm == "max":
        return diff.max(axis=2) <= eps
    if norm == "euclidean":
        return (diff**2).sum(axis=2) <= eps**2
    return diff.sum(axis=2) <= eps


@pytest.mark.parametrize("norm", ["max", "euclidean", "manhattan"])
def test_matrix_equals_bruteforce(norm):
    x = _walk(300, 1)
    rm = recurrence_matrix(x, 1.7, dim=3, tau=4, norm=norm)
    A = embed(x, 3, 4)
    assert isinstance(rm.matrix, sparse.csr_matrix) and rm.matrix.dtype == bool
    np.testing.assert_array_equal(rm.toarray(), _dense(A, A, 1.7, norm))
    assert rm.kind == "auto" and rm.shape == (A.shape[0],) * 2
    assert rm.matrix.diagonal().all()  # the line of identity is kept in the matrix
    assert rm.recurrence_rate == rm.n_recurrences / A.shape[0] ** 2


def test_multivariate_points_used_as_is():
    pts = _walk(200, 2, d=3)
    rm = recurrence_matrix(pts, 2.0)
    np.testing.assert_array_equal(rm.toarray(), _dense(pts, pts, 2.0, "max"))


@pytest.mark.parametrize("norm", ["max", "euclidean"])
def test_cross_and_joint_equal_bruteforce(norm):
    x, y = _walk(250, 3), _walk(180, 4)
    A, B = embed(x, 2, 3), embed(y, 2, 3)
    cm = cross_recurrence_matrix(x, y, 2.5, dim=2, tau=3, norm=norm)
    assert cm.shape == (A.shape[0], B.shape[0]) and cm.kind == "cross"
    np.testing.assert_array_equal(cm.toarray(), _dense(A, B, 2.5, norm))
    z = np.sin(np.arange(250) * 0.2) + 0.1 * _walk(250, 5)
    C = embed(z, 2, 3)
    jm = joint_recurrence_matrix(x, z, (2.5, 0.3), dim=2, tau=3, norm=norm)
    np.testing.assert_array_equal(jm.toarray(), _dense(A, A, 2.5, norm) & _dense(C, C, 0.3, norm))
    assert jm.eps == (2.5, 0.3)


def test_fixed_recurrence_rate_exact():
    x = _walk(800, 6)
    for w in (0, 1, 7):
        eps = recurrence_threshold(x, 0.1, dim=2, tau=2, theiler=w)
        R = recurrence_matrix(x, eps, dim=2, tau=2).toarray()
        n = R.shape[0]
        i, j = np.indices(R.shape)
        out = np.abs(i - j) >= w
        rr = R[out].sum() / out.sum()
        # exact quantile; ties (delay vectors share coordinate differences under the max norm) may add a few cells
        assert -2.0 / out.sum() <= rr - 0.1 < 2e-5
    # the same through recurrence_matrix(recurrence_rate=...), rate without the LOI (theiler 1)
    rm = recurrence_matrix(x, recurrence_rate=0.1, dim=2, tau=2)
    n = rm.shape[0]
    assert abs((rm.n_recurrences - n) / (n * (n - 1)) - 0.1) < 2e-5


def test_fixed_recurrence_rate_sampled_is_seeded():
    x = _walk(3000, 7)
    e1 = recurrence_threshold(x, 0.05, max_pairs=100_000, seed=3)
    e2 = recurrence_threshold(x, 0.05, max_pairs=100_000, seed=3)
    e3 = recurrence_threshold(x, 0.05, max_pairs=100_000, seed=4)
    assert e1 == e2 and e1 != e3
    rm = recurrence_matrix(x, e1)
    n = rm.shape[0]
    assert (rm.n_recurrences - n) / (n * (n - 1)) == pytest.approx(0.05, rel=0.05)


def test_cross_fixed_rate():
    x, y = _walk(400, 8), _walk(300, 9)
    cm = cross_recurrence_matrix(x, y, recurrence_rate=0.2)
    assert abs(cm.recurrence_rate - 0.2) < 1e-5


# ------------------------------------------------------------------------------ networks
def _bfs_all(adj):
    n = adj.shape[0]
    nbrs = [np.flatnonzero(adj[i]) for i in range(n)]
    dist = np.full((n, n), np.inf)
    for s in range(n):
        dist[s, s] = 0
        frontier, d = [s], 0
        while frontier:
            d += 1
            nxt = []
            for u in frontier:
                for v in nbrs[u]:
                    if dist[s, v] == np.inf:
                        dist[s, v] = d
                        nxt.append(v)
            frontier = nxt
    return dist


def test_recurrence_network_against_bruteforce():
    x = np.concatenate([_walk(70, 10), 100 + _walk(20, 11)])  # two far-apart pieces: 2+ components
    net = recurrence_network(x, 1.0)
    adj = np.abs(x[:, None] - x[None, :]) <= 1.0
    np.fill_diagonal(adj, False)
    n = adj.shape[0]
    np.testing.assert_array_equal(net.adjacency.toarray(), adj)
    k = adj.sum(1)
    tri = np.zeros(n)
    for i in range(n):
        nb = np.flatnonzero(adj[i])
        tri[i] = sum(adj[a, b] for a, b in itertools.permutations(nb, 2))  # ordered pairs = 2 x triangles
    assert net.transitivity == pytest.approx(tri.sum() / (k * (k - 1)).sum(), rel=1e-12)
    local = np.where(k > 1, tri / np.maximum(k * (k - 1), 1), 0.0)
    assert net.global_clustering == pytest.approx(local.mean(), rel=1e-12)
    d = _bfs_all(adj)
    fin = np.isfinite(d) & (d > 0)
    assert net.average_path_length == pytest.approx(d[fin].mean(), rel=1e-12)
    assert net.n_components >= 2
    assert net.edge_density == pytest.approx(k.sum() / (n * (n - 1)))
    assert net.to_dict()["n_edges"] == k.sum() // 2


def test_recurrence_network_against_igraph():
    ig = pytest.importorskip("igraph")
    x = np.sin(np.arange(400) * 0.1) + 0.05 * np.random.default_rng(0).normal(size=400)
    net = recurrence_network(x, recurrence_rate=0.05, dim=2, tau=15)
    coo = sparse.triu(net.adjacency, k=1).tocoo()
    g = ig.Graph(n=net.n_nodes, edges=list(zip(coo.row.tolist(), coo.col.tolist())))
    assert net.transitivity == pytest.approx(g.transitivity_undirected(), rel=1e-12)
    assert net.global_clustering == pytest.approx(g.transitivity_avglocal_undirected(mode="zero"), rel=1e-12)
    assert net.average_path_length == pytest.approx(g.average_path_length(), rel=1e-12)


def test_recurrence_network_from_matrix_and_errors():
    x = _walk(120, 12)
    rm = recurrence_matrix(x, 1.0)
    assert recurrence_network(rm).transitivity == recurrence_network(x, 1.0).transitivity
    with pytest.raises(ValueError, match="cross"):
        recurrence_network(cross_recurrence_matrix(x, x[:100], 1.0))


# ------------------------------------------------------------------------------ bad input
def test_bad_input():
    x = _walk(100, 13)
    with pytest.raises(ValueError, match="NaN or inf"):
        recurrence_matrix(np.r_[x, np.nan], 1.0)
    with pytest.raises(ValueError, match="constant"):
        recurrence_matrix(np.full(40, 2.0), 1.0)
    with pytest.raises(ValueError, match="constant"):
        recurrence_matrix(np.full((40, 2), 2.0), 1.0)
    with pytest.raises(ValueError, match=r"too short|at least"):
        recurrence_matrix(x[:10], 1.0, dim=5, tau=3)
    with pytest.raises(ValueError, match="eps"):
        recurrence_matrix(x, 0.0)
    with pytest.raises(ValueError, match="eps"):
        recurrence_matrix(x, float("nan"))
    with pytest.raises(ValueError, match="between 0 and 1"):
        recurrence_matrix(x, recurrence_rate=1.5)
    with pytest.raises(ValueError, match="exactly one"):
        recurrence_matrix(x)
    with pytest.raises(ValueError, match="shape"):
        recurrence_matrix(np.zeros((3, 3, 3)), 1.0)
    with pytest.raises(ValueError, match="unknown norm"):
        recurrence_matrix(x, 1.0, norm="hamming")
    with pytest.raises(ValueError, match="same space"):
        cross_recurrence_matrix(x, np.column_stack([x, x]), 1.0)
    with pytest.raises(ValueError, match="equally long"):
        joint_recurrence_matrix(x, x[:50], 1.0)
    with pytest.raises(ValueError, match="pair"):
        joint_recurrence_matrix(x, x, (1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="line of identity"):
        recurrence_threshold(x, 0.001, theiler=0)
    with pytest.raises(ValueError, match="dim"):
        recurrence_matrix(x, 1.0, dim=0)


def test_allocations_over_the_memory_limit_are_refused_up_front():
    """Issue 14: a request whose arrays would not fit is refused before allocating, naming the size."""
    from dynstab.limits import AllocationError, memory_limit

    x = np.sin(np.arange(400) * 0.1)
    rm = recurrence_matrix(x, eps=0.1, dim=2, tau=5)
    with memory_limit(1e-5):  # 10 kB: the embedding (6 kB) fits
        with pytest.raises(AllocationError, match=r"dense recurrence matrix \(395 x 395 booleans\).*GiB"):
            rm.toarray()
        with pytest.raises(AllocationError, match=r"recurrence matrix \(\d+ recurrences among 395 x 395"):
            recurrence_matrix(x, eps=0.1, dim=2, tau=5)
        with pytest.raises(AllocationError, match=r"distances of 5000 pairs for the recurrence threshold"):
            recurrence_matrix(x, recurrence_rate=0.05, max_pairs=5000)
    with memory_limit(1e-3):  # 1 MB: the matrix itself (a few thousand recurrences) fits
        assert recurrence_matrix(x, eps=0.1, dim=2, tau=5).n_recurrences == rm.n_recurrences
        np.testing.assert_array_equal(rm.toarray(), rm.matrix.toarray())
