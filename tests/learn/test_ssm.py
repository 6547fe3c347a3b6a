"""The selective scan of the Mamba-2 block: the associative and quadratic (training) and recurrent
(generation) forms agree to 1e-10 in float64, all agree with a plain Python loop of the recurrence, and
gradients through the block match central finite differences."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from dynstab._precision import float64
from dynstab.learn import ssm
from dynstab.learn.ssm import (
    Mamba2Mixer,
    ResidualBlock,
    inverse_softplus,
    selective_scan,
    selective_scan_dual,
    selective_step,
)


def _inputs(seed, T, H, P, N):
    k = jax.random.split(jax.random.PRNGKey(seed), 5)
    x = jax.random.normal(k[0], (T, H, P), jnp.float64)
    dt = jax.nn.softplus(jax.random.normal(k[1], (T, H), jnp.float64))
    A = -jnp.exp(jax.random.normal(k[2], (H,), jnp.float64))
    B = jax.random.normal(k[3], (T, N), jnp.float64)
    C = jax.random.normal(k[4], (T, N), jnp.float64)
    return x, dt, A, B, C


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (7, 2, 3, 4), (12, 4, 8, 16)])
@float64
def test_associative_scan_equals_recurrence(shape):
    x, dt, A, B, C = _inputs(sum(shape), *shape)
    y_scan, h_last = selective_scan(x, dt, A, B, C)
    T, H, P, N = shape
    h = jnp.zeros((H, P, N))
    ys = []
    step = jax.jit(selective_step)
    for t in range(T):
        h, y = step(h, x[t], dt[t], A, B[t], C[t])
        ys.append(y)
    np.testing.assert_allclose(np.asarray(y_scan), np.stack(ys), rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.asarray(h_last), np.asarray(h), rtol=0, atol=1e-10)
    # and the recurrence written out by hand for one channel: h_t = exp(dt A) h_{t-1} + dt x B
    hh = np.zeros(N)
    for t in range(T):
        hh = np.exp(float(dt[t, 0] * A[0])) * hh + float(dt[t, 0] * x[t, 0, 0]) * np.asarray(B[t])
    np.testing.assert_allclose(float(y_scan[-1, 0, 0]), hh @ np.asarray(C[-1]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (7, 2, 3, 4), (40, 4, 8, 16)])
@pytest.mark.parametrize("decay", [1.0, 300.0])
@float64
def test_quadratic_form_equals_associative_scan(shape, decay):
    """The dual (masked matrix) form against the scan, also where exp(dt A) underflows (decay 300), and its
    gradient is finite there (the masked exponent is -inf, never inf - inf)."""
    x, dt, A, B, C = _inputs(sum(shape) + 1, *shape)
    A = A * decay
    y_scan, _ = selective_scan(x, dt, A, B, C)
    y_dual = selective_scan_dual(x, dt, A, B, C)
    np.testing.assert_allclose(np.asarray(y_dual), np.asarray(y_scan), rtol=0, atol=1e-10)
    g = jax.grad(lambda a: jnp.sum(selective_scan_dual(x, dt, a, B, C) ** 2))(A)
    assert np.all(np.isfinite(np.asarray(g)))


@pytest.mark.parametrize("dims", [(8, 4, 2, 4, 4, 9), (16, 8, 2, 8, 3, 12)])
@pytest.mark.parametrize("dual_max", [0, ssm.DUAL_MAX_LENGTH])
@float64
def test_block_sequence_form_equals_step_form(dims, dual_max, monkeypatch):
    """Both training forms (scan: every length above dual_max = 0; quadratic: the default) equal the steps."""
    monkeypatch.setattr(ssm, "DUAL_MAX_LENGTH", dual_max)
    D, N, expand, headdim, d_conv, T = dims
    blk = ResidualBlock(D, N, expand, headdim, d_conv, key=jax.random.PRNGKey(D))
    u = jax.random.normal(jax.random.PRNGKey(1), (T, D), jnp.float64)

    def body(cache, u_t):
        return blk.step(cache, u_t)

    _, y_step = jax.lax.scan(body, blk.init_cache(), u)
    np.testing.assert_allclose(np.asarray(blk(u)), np.asarray(y_step), rtol=0, atol=1e-10)
    # causality: changing the last input changes only the last output
    u2 = u.at[-1].add(1.0)
    np.testing.assert_array_equal(np.asarray(blk(u2)[:-1]), np.asarray(blk(u)[:-1]))


@float64
def test_gradients_match_finite_differences():
    mixer = Mamba2Mixer(4, 3, 2, 4, 2, key=jax.random.PRNGKey(0))
    u = jax.random.normal(jax.random.PRNGKey(2), (5, 4), jnp.float64)

    @jax.jit
    def loss(w_in, A_log, dt_bias, u):
        m = eqx_replace(mixer, w_in=w_in, A_log=A_log, dt_bias=dt_bias)
        return jnp.sum(jnp.sin(m(u)))

    check_grads(
        loss, (mixer.w_in, mixer.A_log, mixer.dt_bias, u), order=1, modes=("rev",), eps=1e-6, atol=1e-7, rtol=1e-6
    )


def eqx_replace(module, **fields):
    import equinox as eqx

    names = list(fields)
    return eqx.tree_at(lambda m: [getattr(m, n) for n in names], module, [fields[n] for n in names])


@float64
def test_inverse_softplus():
    y = jnp.array([1e-3, 0.1, 1.0, 5.0])
    np.testing.assert_allclose(np.asarray(jax.nn.softplus(inverse_softplus(y))), np.asarray(y), rtol=1e-12)


def test_headdim_must_divide():
    with pytest.raises(ValueError, match="multiple of headdim"):
        Mamba2Mixer(6, 4, 1, 4, 2, key=jax.random.PRNGKey(0))
