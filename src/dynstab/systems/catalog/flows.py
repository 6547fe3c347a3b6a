"""Classic chaotic flows, each written from its cited paper.

Initial conditions lie on (or very near) the attractor; ``dt`` is a step at which
fixed-step RK4 resolves the dynamics to better than 1e-6 relative error per unit time.
"""

import jax.numpy as jnp

from ..base import flow
from ..registry import register


def _lorenz_jac(x, p, t):
    return jnp.array([
        [-p["sigma"], p["sigma"], 0.0],
        [p["rho"] - x[2], -1.0, -x[0]],
        [x[1], x[0], -p["beta"]],
    ])


@register
@flow(params=dict(sigma=10.0, rho=28.0, beta=8.0 / 3.0), x0=[-9.7869288, -15.03852, 20.533978],
      names=("x", "y", "z"), dt=0.01, jac=_lorenz_jac, aliases=("lorenz63",),
      reference="E. N. Lorenz, Deterministic nonperiodic flow, J. Atmos. Sci. 20, 130 (1963), "
                "doi:10.1175/1520-0469(1963)020<0130:DNF>2.0.CO;2")
def lorenz(x, p, t):
    """Lorenz-63: x' = sigma (y - x), y' = x (rho - z) - y, z' = x y - beta z."""
    return jnp.stack([p["sigma"] * (x[1] - x[0]), x[0] * (p["rho"] - x[2]) - x[1], x[0] * x[1] - p["beta"] * x[2]])


@register
@flow(params=dict(a=0.2, b=0.2, c=5.7), x0=[-9.0, 0.0, 0.0], names=("x", "y", "z"), dt=0.02,
      reference="O. E. Rossler, An equation for continuous chaos, Phys. Lett. A 57, 397 (1976), "
                "doi:10.1016/0375-9601(76)90101-8")
def rossler(x, p, t):
    """Rossler: x' = -y - z, y' = x + a y, z' = b + z (x - c)."""
    return jnp.stack([-x[1] - x[2], x[0] + p["a"] * x[1], p["b"] + x[2] * (x[0] - p["c"])])
