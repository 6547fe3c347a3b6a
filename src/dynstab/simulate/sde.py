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
from typing import Any

import jax
import jax.numpy as jnp

#: The SDE schemes by name.
SDE_METHODS = ("euler_maruyama", "milstein")


def sde_increment(key: Any, k: Any, shape: tuple[int, ...], h: Any) -> Any:
    """The Wiener increment of step k: sqrt(h) N(0, 1) from ``fold_in(key, k)``.

    Parameters
    ----------
    key : jax.Array
        The PRNG key of the whole path.
    k : int or array
        Step index (from the start of the loop that draws it).
    shape : tuple of int
        Shape of the increment: (d,) for diagonal noise, (m,) for noise of shape (d, m).
    h : float or array
        The step; the increment's variance.

    Returns
    -------
    jax.Array
        ``sqrt(h) * normal(fold_in(key, k), shape)``.
    """
    return jnp.sqrt(h) * jax.random.normal(jax.random.fold_in(key, k), shape)


def sde_step(
    method: str, f: Callable[[Any, Any], Any], g: Callable[[Any, Any], Any], x: Any, t: Any, h: Any, dw: Any
) -> Any:
    """One Ito step of ``dx = f(x, t) dt + g(x, t) dW`` by Euler-Maruyama or Milstein (formulas above).

    Parameters
    ----------
    method : str
        ``"euler_maruyama"`` or ``"milstein"`` (diagonal noise only; general noise takes the
        Euler-Maruyama step).
    f : callable
        The drift ``f(x, t)``, shape (d,).
    g : callable
        The diffusion ``g(x, t)``: shape (d,) for diagonal noise, (d, m) for general noise.
    x : array, shape (d,)
        The state at the start of the step.
    t : float or array
        The time at the start of the step.
    h : float or array
        The step.
    dw : array
        The Wiener increment (`sde_increment`), shape (d,) or (m,).

    Returns
    -------
    jax.Array, shape (d,)
        The state at ``t + h``.

    References
    ----------
    Kloeden & Platen, Numerical Solution of Stochastic Differential Equations, Springer 1992,
    Sec. 10.2 (Euler-Maruyama) and 10.3 (Milstein).
    """
    gx = g(x, t)
    if gx.ndim == 1:  # diagonal noise
        x_new = x + f(x, t) * h + gx * dw
        if method == "milstein":
            dg = jax.jacfwd(g)(x, t).diagonal()
            x_new = x_new + 0.5 * gx * dg * (dw * dw - h)
        return x_new
    return x + f(x, t) * h + gx @ dw
