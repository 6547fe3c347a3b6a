"""Fixed-step SDE integrators (Ito): Euler-Maruyama and Milstein.

Kloeden & Platen, Numerical Solution of Stochastic Differential Equations, Springer 1992:

* Euler-Maruyama (Sec. 10.2), strong order 1/2:
  x' = x + f(x, t) h + g(x, t) dW,  dW ~ N(0, h).
* Milstein (Sec. 10.3), strong order 1 for diagonal noise:
  x'_i = x_i + f_i h + g_i dW_i + 1/2 g_i (dg_i/dx_i) (dW_i^2 - h).

The Wiener increments of step k are drawn from ``fold_in(key, k)``, so a seed fixes the
whole path, and the path does not depend on how outputs are spaced. The loops are those of
`dynstab.simulate.evolution`.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

SDE_METHODS = ("euler_maruyama", "milstein")


def sde_increment(key, k, shape, h):
    """The Wiener increment of step k: sqrt(h) N(0, 1) from ``fold_in(key, k)``."""
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
