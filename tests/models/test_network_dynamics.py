"""Lyapunov spectra of driven sequence models and Jacobian spectra of deep stacks (issue 19): exact
exponents of a selective SSM and of an ESN at its fixed point, the order-to-chaos transition of random
tanh networks, reduced-precision divergence, and isometry of orthogonal stacks."""

import jax.numpy as jnp
import numpy as np
import pytest

from dynstab.learn import EchoStateNetwork
from dynstab.models import network_dynamics as nd


def _ssm(h, u, p):
    # diagonal selective SSM: input-dependent decay a(u) = exp(-c (1 + tanh(u) / 2)) in (0, 1)
    a = jnp.exp(-p["c"] * (1.0 + 0.5 * jnp.tanh(u[0])))
    return a * h + p["b"] * jnp.tanh(u[0]) * u[0]


def test_selective_ssm_exponents_are_mean_log_decay_exactly():
    rng = np.random.default_rng(0)
    u = rng.normal(size=(1500, 1))
    p = {"c": np.array([0.2, 0.8, 1.5, 3.0]), "b": np.ones(4)}
    spec = nd.driven_lyapunov_spectrum(_ssm, u, x0=np.zeros(4), params=p, transient=300)
    log_a = -p["c"][None, :] * (1.0 + 0.5 * np.tanh(u[300:, 0]))[:, None]  # the measured inputs 300 .. T-1
    assert np.all(spec.exponents < 0)
    assert np.allclose(spec.exponents, np.sort(log_a.mean(axis=0))[::-1], atol=1e-12, rtol=0)
    # finite-time exponents: the window means of log a
    ftle = nd.finite_time_exponents(spec, 100)
    assert ftle.shape == (12, 4)
    assert np.allclose(ftle[:, 0], log_a[:1200, 0].reshape(12, 100).mean(axis=1), atol=1e-12)


def test_esn_without_input_has_the_logs_of_its_eigenvalues():
    x = np.sin(0.1 * np.arange(400))[:, None]
    esn = EchoStateNetwork(8, spectral_radius=0.8, input_bias=0.0, degree=None, washout=50, ridge=1e-6).fit(x)
    W = np.asarray(esn.as_system().params["W"])
    # input = the training mean: zero standardized drive, zero bias, so r = 0 is a fixed point with J = W
    spec = nd.driven_lyapunov_spectrum(esn, np.tile(esn.mean_, (3000, 1)), transient=1000)
    moduli = np.sort(np.abs(np.linalg.eigvals(W)))[::-1]
    assert np.all(spec.exponents < 0) and moduli[0] == pytest.approx(0.8)
    # the sums over groups of equal modulus (a complex pair shares one) are exact once the frame has
    # aligned with the invariant subspaces; single exponents inside a pair oscillate (O(1/T))
    ends = [i + 1 for i in range(8) if i == 7 or moduli[i] - moduli[i + 1] > 1e-9]
    assert np.allclose(
        np.cumsum(spec.exponents)[np.array(ends) - 1], np.cumsum(np.log(moduli))[np.array(ends) - 1], atol=1e-6, rtol=0
    )
    assert np.allclose(spec.exponents, np.log(moduli), atol=1e-3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_tanh_network_order_to_chaos(seed):
    h0 = np.random.default_rng(seed + 10).normal(size=200)
    lam = {}
    for s2 in (0.8, 2.0):
        step, prm = nd.random_tanh_network(200, s2, seed=seed)
        spec = nd.driven_lyapunov_spectrum(step, np.zeros((4000, 1)), x0=h0, params=prm, k=1, transient=2000)
        lam[s2] = spec.exponents[0]
    assert lam[0.8] < -0.02  # ordered: the orbit falls to h = 0, lambda = ln rho(W) ~ ln sqrt(0.8)
    assert lam[2.0] > -1e-4  # never ordered above the transition (chaos, or a finite-N limit cycle at 0)
    # per-layer chi along the ordered orbit: sigma_w^2 (tanh'(0) = 1)
    step, prm = nd.random_tanh_network(200, 0.8, seed=seed)
    assert nd.orbit_chi(step, prm, h0, 200, transient=500) == pytest.approx(0.8, rel=0.05)


def test_mean_field_chi_crosses_one_at_sigma_w2_one():
    for s2 in (0.3, 0.8, 0.99):
        q, chi = nd.mean_field_chi(s2)
        assert q < 1e-12 and chi == pytest.approx(s2, rel=1e-10)
    assert nd.mean_field_chi(1.01)[1] > 1.0 and nd.mean_field_chi(1.5)[1] > 1.0
    assert nd.mean_field_chi(1.5, 0.05)[0] > 0


@pytest.mark.slow
def test_chaotic_tanh_networks_exist_at_n_200():
    lams = []
    for seed in range(3):
        step, prm = nd.random_tanh_network(200, 2.0, seed=seed)
        h0 = np.random.default_rng(seed + 10).normal(size=200)
        lams.append(
            nd.driven_lyapunov_spectrum(step, np.zeros((6000, 1)), x0=h0, params=prm, k=1, transient=2000).exponents[0]
        )
    assert max(lams) > 0.01


def test_reduced_precision_divergence():
    step, prm = nd.random_tanh_network(200, 2.0, seed=0)  # lambda_max ~ 0.03 per step
    h0 = np.random.default_rng(10).normal(size=200)
    inputs = np.zeros((800, 1))
    bf = nd.precision_divergence(step, inputs, x0=h0, params=prm, dtype="bfloat16")
    f16 = nd.precision_divergence(step, inputs, x0=h0, params=prm, dtype="float16")
    assert np.isfinite(bf.divergence_time) and bf.divergence_time < f16.divergence_time
    assert bf.eps == 2.0**-7 and f16.eps == 2.0**-10
    ordered, prm8 = nd.random_tanh_network(200, 0.8, seed=0)
    assert nd.precision_divergence(ordered, inputs[:300], x0=h0, params=prm8).divergence_time == np.inf
    with pytest.raises(ValueError, match="params"):
        nd.precision_divergence(lambda h, u, p: h * np.float64(0.5), inputs[:10], x0=h0, params={})


@pytest.mark.parametrize("orth", ["qr", "cayley"])
def test_orthogonal_stacks_are_isometries(orth):
    # linear plain stack of orthogonal weights, and the orthogonal connection without branch: J orthogonal
    s = nd.stack_jacobian_spectrum(20, 30, weights="orthogonal", nonlinearity="linear", orthogonal=orth)
    assert np.allclose(s.singular_values, 1.0, atol=1e-10)
    s = nd.stack_jacobian_spectrum(20, 30, connection="orthogonal", alpha=0.0, orthogonal=orth)
    assert np.allclose(s.singular_values, 1.0, atol=1e-10)


def test_dynamical_isometry_of_tanh_stacks():
    x0 = 1e-3 * np.random.default_rng(1).normal(size=100)  # near the linear regime: chi = sigma_w^2 = 1
    orth = nd.stack_jacobian_spectrum(30, 100, weights="orthogonal", x0=x0)
    gauss = nd.stack_jacobian_spectrum(30, 100, weights="gaussian", x0=x0)
    assert orth.mean_squared == pytest.approx(1.0, abs=0.01) and orth.spread < 0.01
    assert gauss.spread > 5.0  # Gaussian products: the squared singular values spread ~ L (Pennington et al.)
    # linear residual stack: E[mean sigma^2] = (1 + alpha^2 sigma_w^2)^L
    res = nd.stack_jacobian_spectrum(10, 200, connection="residual", nonlinearity="linear", alpha=0.3)
    assert res.mean_squared == pytest.approx(1.09**10, rel=0.1)


def test_bad_input():
    with pytest.raises(ValueError, match="x0 is required"):
        nd.driven_system(_ssm, np.zeros((5, 1)), params={"c": np.ones(2), "b": np.ones(2)})
    with pytest.raises(ValueError, match="shape"):
        nd.driven_system(lambda h, u, p: h[:1], np.zeros((5, 1)), x0=np.zeros(2))
    with pytest.raises(TypeError, match="model"):
        nd.driven_system(3, np.zeros((5, 1)))
    with pytest.raises(ValueError, match="connection"):
        nd.stack_jacobian_spectrum(3, 4, connection="dense")
    with pytest.raises(ValueError, match="transient"):
        nd.driven_lyapunov_spectrum(
            _ssm, np.zeros((5, 1)), x0=np.zeros(2), params={"c": np.ones(2), "b": np.ones(2)}, transient=5
        )
