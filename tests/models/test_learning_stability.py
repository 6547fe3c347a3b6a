"""Linear stability of minima under GD and SGD (issue 19; Wu & Su, ICML 2023): exact SGD thresholds on
orthogonal data, the second-moment operator against brute-force enumeration of minibatches, Lanczos
against the dense Hessian, Hutchinson estimators on known Hessians, and no materialized Hessian."""

import itertools
import math
import resource

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dynstab import float64_scope
from dynstab.models import learning_stability as ls


def _orthogonal_rank_one(n, scale=1.7, seed=0):
    g = scale * np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))[0]
    return np.einsum("ni,nj->nij", g, g)


@pytest.mark.parametrize(("B", "expected"), [(1, 2.0), (2, 4.0), (4, 8.0)])
def test_orthogonal_data_threshold_is_exact(B, expected):
    # n = d = 4, H_i = g_i g_i^T with orthogonal g_i of equal norm: eta* Tr H = 2 B exactly
    H = _orthogonal_rank_one(4)
    eta = ls.critical_learning_rate(H, B)
    assert eta * np.trace(H.mean(axis=0)) == pytest.approx(expected, rel=1e-10)
    # just below the threshold stable, just above unstable
    assert ls.sgd_spectral_radius(H, eta * (1 - 1e-6), B) < 1.0
    assert ls.sgd_spectral_radius(H, eta * (1 + 1e-6), B) > 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_full_batch_recovers_gradient_descent(seed):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(6, 4))
    H = np.einsum("ni,nj->nij", g, g)
    lam = np.linalg.eigvalsh(H.mean(axis=0)).max()
    assert ls.critical_learning_rate(H, 6) == pytest.approx(2.0 / lam, rel=1e-12)
    # and every smaller batch is less stable, with eta* Tr H <= 2 B (Wu & Su's trace bound)
    tr = np.trace(H.mean(axis=0))
    etas = [ls.critical_learning_rate(H, B) for B in range(1, 7)]
    assert all(a <= b * (1 + 1e-9) for a, b in itertools.pairwise(etas))
    assert all(e * tr <= 2 * B * (1 + 1e-9) for B, e in zip(range(1, 7), etas, strict=True))


def test_second_moment_operator_matches_enumeration():
    rng = np.random.default_rng(3)
    n, d, B, eta = 5, 3, 2, 0.3
    A = rng.normal(size=(n, d, d))
    H = A @ np.swapaxes(A, 1, 2)  # full-rank, non-commuting per-sample Hessians
    brute = np.zeros((d * d, d * d))
    batches = list(itertools.combinations(range(n), B))
    for xi in batches:
        M = np.eye(d) - eta * H[list(xi)].mean(axis=0)
        brute += np.kron(M, M) / len(batches)
    assert np.allclose(ls.sgd_second_moment_operator(H, eta, B), brute, atol=1e-13)


def test_minimum_stability_verdicts():
    H = _orthogonal_rank_one(4)  # lambda_max = 1.7^2 / 4 = 0.7225, Tr H = 2.89
    r = ls.minimum_stability(H, 1.0, 1)  # GD-stable (2 / eta = 2 > 0.7225), SGD threshold 2 / 2.89 < 1
    assert r.gd_stable and not r.sgd_stable
    assert r.sharpness == pytest.approx(0.7225) and r.trace == pytest.approx(2.89)
    assert "stable under GD at learning rate 1" in r.verdict and "unstable under SGD" in r.verdict
    r = ls.minimum_stability(H, 0.5, 1)
    assert r.gd_stable and r.sgd_stable and r.rho_sgd < 1
    assert not ls.minimum_stability(H, 3.0, 4).gd_stable


def _small_net():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    params = {"W": rng.normal(size=(3, 5)), "a": rng.normal(size=5)}

    def loss(p, b):
        return jnp.mean((jnp.tanh(b[0] @ p["W"]) @ p["a"] - b[1]) ** 2)

    with float64_scope():
        theta, unravel = jax.flatten_util.ravel_pytree(params)
        dense = np.asarray(jax.hessian(lambda t: loss(unravel(t), (X, y)))(theta))
    return loss, params, (X, y), np.linalg.eigvalsh(dense)


def test_lanczos_matches_dense_hessian():
    loss, params, batch, w = _small_net()
    top = ls.hessian_eigenvalues(loss, params, batch, k=3)
    assert np.allclose(top.values, w[::-1][:3], atol=1e-8, rtol=0)
    assert ls.sharpness(loss, params, batch, seed=5) == pytest.approx(w[-1], abs=1e-8)


def test_hutchinson_on_known_hessians():
    # diagonal Hessian: z^T H z = Tr H for every Rademacher z, so the estimate is exact
    diag = np.array([1.0, 2.0, 3.0, -0.5])
    quad = lambda p, _: 0.5 * jnp.sum(diag * p**2)  # noqa: E731
    t = ls.hessian_trace(quad, jnp.ones(4))
    assert t.value == pytest.approx(diag.sum(), abs=1e-12) and t.stderr < 1e-12
    # a dense symmetric A: the estimates within 4 standard errors of Tr A and ||A||_F
    rng = np.random.default_rng(0)
    A = rng.normal(size=(30, 30))
    A = A + A.T
    dense = lambda p, _: 0.5 * p @ A @ p  # noqa: E731
    t = ls.hessian_trace(dense, jnp.zeros(30), n_probes=400, seed=1)
    assert abs(t.value - np.trace(A)) < 4 * t.stderr
    f = ls.hessian_frobenius_norm(dense, jnp.zeros(30), n_probes=400, seed=1)
    assert abs(f.value - np.linalg.norm(A)) < 4 * f.stderr
    assert f.stderr < 0.05 * f.value


def test_hessian_vector_product_never_forms_the_hessian():
    # 10^6 parameters: a dense Hessian would be 8 TB. No (P, P) value in the product's jaxpr, and
    # a few Lanczos steps grow the peak memory by far less than 1 GB.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 1000)) / 30.0
    params = {"W": rng.normal(size=(1000, 1000)) / 30.0}

    def loss(p, x):
        return jnp.mean(jnp.tanh(x @ p["W"]) ** 2)

    matvec, theta = ls.hessian_vector_product(loss, params, X)
    P = theta.size
    assert P == 10**6
    with float64_scope():
        jaxpr = jax.make_jaxpr(matvec)(theta)
    shapes = {tuple(v.aval.shape) for eqn in jaxpr.jaxpr.eqns for v in eqn.outvars}
    assert not any(math.prod(s) >= P * P for s in shapes)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    top = ls.hessian_eigenvalues(loss, params, X, k=1, n_iter=6)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown < 1024**2  # < 1 GiB
    assert np.isfinite(top.values[0])


def test_bad_input():
    H = _orthogonal_rank_one(4)
    with pytest.raises(ValueError, match="batch_size"):
        ls.critical_learning_rate(H, 5)
    with pytest.raises(ValueError, match="lr"):
        ls.sgd_spectral_radius(H, -1.0, 1)
    with pytest.raises(ValueError, match="shape"):
        ls.sgd_spectral_radius(H[0], 0.1, 1)
    with pytest.raises(ValueError, match="d = 65"):
        ls.sgd_spectral_radius(np.zeros((2, 65, 65)), 0.1, 1)
    with pytest.raises(ValueError, match="symmetric"):
        ls.sgd_spectral_radius(np.random.default_rng(0).normal(size=(2, 3, 3)), 0.1, 1)
    with pytest.raises(ValueError, match="scalar"):
        ls.sharpness(lambda p, b: p, jnp.ones(3))
    with pytest.raises(TypeError, match="loss"):
        ls.sharpness("loss", jnp.ones(3))
    with pytest.raises(ValueError, match="k"):
        ls.hessian_eigenvalues(lambda p, b: jnp.sum(p**2), jnp.ones(3), k=4)


@pytest.mark.slow
def test_learning_rate_sweep_settles_at_or_below_edge_of_stability():
    # two-layer ReLU network, teacher data; GD from one start at growing learning rates: every run that
    # converges ends at a minimum with lambda_max <= 2 / eta, and large rates select flatter minima
    rng = np.random.default_rng(0)
    d, m, n = 5, 8, 20
    X = rng.normal(size=(n, d)) / np.sqrt(d)
    y = np.maximum(X @ rng.normal(size=(3, d)).T, 0).sum(axis=1)
    p0 = {"W": rng.normal(size=(m, d)), "a": rng.normal(size=m) / np.sqrt(m)}
    r = ls.learning_rate_sweep(ls.relu_net_loss, p0, (X, y), [0.3, 0.6, 1.0, 1.5], steps=20000)
    ok = r.converged
    assert ok.sum() >= 3
    assert np.all(r.sharpness[ok] <= 2.0 / r.lr[ok] * (1 + 1e-6))
    assert r.sharpness[ok][-1] < 0.6 * r.sharpness[ok][0]
