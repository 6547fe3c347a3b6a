"""Fixed-step SDE integrators (Ito): Euler-Maruyama and Milstein.

Kloeden & Platen, Numerical Solution of Stochastic Differential Equations, Springer 1992:

* Euler-Maruyama (Sec. 10.2), strong order 1/2:
  x' = x + f(x, t) h + g(x, t) dW,  dW ~ N(0, h).
* Milstein (Sec. 10.3), strong order 1 for diagonal noise:
  x'_i = x_i + f_i h + g_i dW_i + 1/2 g_i (dg_i/dx_i) (dW_i^2 - h).

The Wiener increments of step k are drawn from ``fold_in(key, k)``, so a seed fixes the
whole path, and the path does not depend on how outputs are spaced.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

SDE_METHODS = ("euler_maruyama", "milstein")


def _increment(key, k, shape, h):
    return jnp.sqrt(h) * jax.random.normal(jax.random.fold_in(key, k), shape)


def sde_step(method: str, f: Callable, g: Callable, x, t, h, dw):
    gx = g(x, t)
    if gx.ndim == 1:  # diagonal noise
        x_new = x + f(x, t) * h + gx * dw
        if method == "milstein":
            dg = jax.jacfwd(g)(x, t).diagonal()
            x_new = x_new + 0.5 * gx * dg * (dw * dw - h)
        return x_new
    return x + f(x, t) * h + gx @ dw


def integrate_sde(method: str, f: Callable, g: Callable, noise_shape, key, x0, t0, h, n_sub: int, n_out: int):
    """States at t0 + k n_sub h, k = 0..n_out-1, with n_sub steps of size h between outputs."""
    if method == "milstein" and len(noise_shape) == 2:
        raise ValueError("method='milstein' supports diagonal noise (diffusion returning shape (d,)); "
                         "for general noise of shape (d, m) use method='euler_maruyama'")
    dw_shape = (noise_shape[-1],) if len(noise_shape) == 2 else noise_shape

    def advance(carry, k_out):
        x, t = carry

        def one(i, y):
            k = k_out * n_sub + i
            return sde_step(method, f, g, y, t + i * h, h, _increment(key, k, dw_shape, h))

        x = jax.lax.fori_loop(0, n_sub, one, x)
        return (x, t + n_sub * h), x

    if n_out <= 1:
        return x0[None]
    _, xs = jax.lax.scan(advance, (x0, t0), jnp.arange(n_out - 1))
    return jnp.concatenate([x0[None], xs], axis=0)
