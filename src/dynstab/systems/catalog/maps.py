"""Classic chaotic maps, each written from its cited paper."""

import jax.numpy as jnp

from ..base import map as discrete_map
from ..registry import register


@register
@discrete_map(params=dict(a=1.4, b=0.3), x0=[0.0, 0.9], names=("x", "y"),
              reference="M. Henon, A two-dimensional mapping with a strange attractor, "
                        "Commun. Math. Phys. 50, 69 (1976), doi:10.1007/BF01608556")
def henon(x, p, n):
    """Henon map: x' = 1 - a x^2 + y, y' = b x."""
    return jnp.stack([1.0 - p["a"] * x[0] ** 2 + x[1], p["b"] * x[0]])


@register
@discrete_map(params=dict(r=4.0), x0=[0.1], names=("x",),
              reference="R. M. May, Simple mathematical models with very complicated dynamics, "
                        "Nature 261, 459 (1976), doi:10.1038/261459a0")
def logistic(x, p, n):
    """Logistic map: x' = r x (1 - x)."""
    return p["r"] * x * (1.0 - x)
