"""Classic chaotic maps, each written from its cited paper."""

import math

import jax.numpy as jnp

from ..base import map as discrete_map
from ..registry import register
from . import DYSTS_DIFFERENCES


@register
@discrete_map(
    params=dict(a=1.4, b=0.3),
    x0=[0.0, 0.27],
    names=("x", "y"),
    reference="M. Henon, A two-dimensional mapping with a strange attractor, "
    "Commun. Math. Phys. 50, 69 (1976), doi:10.1007/BF01608556",
)
def henon(x, p, n):
    """Henon map: x' = 1 - a x^2 + y, y' = b x.

    x0 = (0, 0.27) is Sprott's (0, 0.9) of the conjugate form X' = 1 - a X^2 + b Y, Y' = X (y = b Y);
    (0, 0.9) itself escapes to infinity in this form.
    """
    return jnp.stack([1.0 - p["a"] * x[0] ** 2 + x[1], p["b"] * x[0]])


@register
@discrete_map(
    params=dict(r=4.0),
    x0=[0.1],
    names=("x",),
    reference="R. M. May, Simple mathematical models with very complicated dynamics, "
    "Nature 261, 459 (1976), doi:10.1038/261459a0",
)
def logistic(x, p, n):
    """Logistic map: x' = r x (1 - x)."""
    return p["r"] * x * (1.0 - x)


@register
@discrete_map(
    params=dict(a=1.7, b=0.5),
    x0=[-0.1, 0.05],
    names=("x", "y"),
    reference="R. Lozi, Un attracteur etrange (?) du type attracteur de Henon, J. Phys. Colloques 39, "
    "C5-9 (1978), doi:10.1051/jphyscol:1978505",
)
def lozi(x, p, n):
    """Lozi map: x' = 1 + y - a |x|, y' = b x.

    Lozi's form; the conjugate form X' = 1 - a |X| + b Y, Y' = X (y = b Y) has the same exponents,
    and x0 = (-0.1, 0.05) is the point (X, Y) = (-0.1, 0.1) there.
    """
    return jnp.stack([1.0 + x[1] - p["a"] * jnp.abs(x[0]), p["b"] * x[0]])


@register
@discrete_map(
    params=dict(u=0.9),
    x0=[0.03807528, 0.11344719],
    names=("x", "y"),
    reference="K. Ikeda, Multiple-valued stationary state and its instability of the transmitted light by "
    "a ring cavity system, Opt. Commun. 30, 257 (1979), doi:10.1016/0030-4018(79)90090-7; map "
    "form: S. M. Hammel, C. K. R. T. Jones and J. V. Moloney, Global dynamical behavior of the "
    "optical field in a ring cavity, J. Opt. Soc. Am. B 2, 552 (1985), doi:10.1364/JOSAB.2.000552",
)
def ikeda(x, p, n):
    """Ikeda map: x' = 1 + u (x cos s - y sin s), y' = u (x sin s + y cos s), s = 0.4 - 6 / (1 + x^2 + y^2).

    dysts' one-parameter form of gamma + u (x cos s - y sin s), s = beta - alpha / (1 + x^2 + y^2), with
    gamma = 1, beta = 0.4, alpha = 6 (Sprott's App. A values); u is the cavity loss factor, det J = u^2.
    """
    s = 0.4 - 6.0 / (1.0 + x[0] ** 2 + x[1] ** 2)
    c, sn = jnp.cos(s), jnp.sin(s)
    return jnp.stack([1.0 + p["u"] * (x[0] * c - x[1] * sn), p["u"] * (x[0] * sn + x[1] * c)])


@register
@discrete_map(
    params=dict(a=0.9, b=-0.6013, c=2.0, d=0.5),
    x0=[-0.72, -0.64],
    names=("x", "y"),
    reference="H. E. Nusse and J. A. Yorke, Dynamics: Numerical Explorations, Applied Mathematical "
    "Sciences 101, Springer, New York (1994), doi:10.1007/978-1-4684-0231-5; A. Goldsztejn, "
    "W. Hayes and P. Collins, Tinkerbell is chaotic, SIAM J. Appl. Dyn. Syst. 10, 1480 (2011), "
    "doi:10.1137/100819011",
)
def tinkerbell(x, p, n):
    """Tinkerbell map: x' = x^2 - y^2 + a x + b y, y' = 2 x y + c x + d y."""
    return jnp.stack(
        [x[0] ** 2 - x[1] ** 2 + p["a"] * x[0] + p["b"] * x[1], 2.0 * x[0] * x[1] + p["c"] * x[0] + p["d"] * x[1]]
    )


def _standard_map_jac(x, p, n):
    kc = p["k"] * jnp.cos(x[0])
    return jnp.array([[1.0 + kc, 1.0], [kc, 1.0]])


@register
@discrete_map(
    params=dict(k=1.0),
    x0=[0.0, 6.0],
    names=("x", "y"),
    jac=_standard_map_jac,
    flags=("conservative",),
    periodic=((0, 2.0 * math.pi), (1, 2.0 * math.pi)),
    aliases=("chirikov", "chirikov_standard_map"),
    reference="B. V. Chirikov, A universal instability of many-dimensional oscillator systems, "
    "Phys. Rep. 52, 263 (1979), doi:10.1016/0370-1573(79)90023-1",
)
def standard_map(x, p, n):
    """Chirikov standard map: y' = y + k sin x, x' = x + y' (both mod 2 pi).

    State order (x, y) = (angle, momentum); y' is computed first and used in x'. x0 = (0, 6) (Sprott)
    is a chaotic-sea orbit at k = 1. Area preserving: det J = 1. dysts' Chirikov (k = 0.971635, near
    the breakup of the last KAM torus) has the same law on the state (p, x) = (momentum, angle), without
    reducing mod 2 pi.
    """
    y = x[1] + p["k"] * jnp.sin(x[0])
    return jnp.mod(jnp.stack([x[0] + y, y]), 2.0 * jnp.pi)


DYSTS_DIFFERENCES["standard_map"] = (
    "dysts' Chirikov iterates the lift on the plane with state (p, x); we keep Chirikov's torus form, "
    "state (x, y) = (angle, momentum) reduced mod 2 pi (the same law up to the order and multiples of 2 pi)"
)


@register
@discrete_map(
    params=dict(mu=0.99999995),
    x0=[0.70710678],
    names=("x",),
    aliases=("tent",),
    reference="R. M. May, Simple mathematical models with very complicated dynamics, "
    "Nature 261, 459 (1976), doi:10.1038/261459a0",
)
def tent_map(x, p, n):
    """Tent map: x' = mu (1 - 2 |x - 1/2|) = 2 mu min(x, 1 - x).

    dysts' parametrization: mu is half the slope (mu = 1 is the full tent, slope 2, Sprott's and May's
    "mu = 2"). The default mu = 0.99999995 (slope 1.9999999; dysts uses 0.95) is just below 1 on
    purpose: with slope 2 every double-precision orbit collapses to the fixed point 0 within ~55
    iterations (each step shifts out one mantissa bit), while below it the orbit stays chaotic on
    [2 mu (1 - mu), mu]. The Lyapunov exponent is ln(2 mu) exactly.
    """
    return p["mu"] * (1.0 - 2.0 * jnp.abs(x - 0.5))


@register
@discrete_map(
    params=dict(A=3.0),
    x0=[0.1],
    names=("x",),
    reference="J. C. Sprott, Chaos and Time-Series Analysis, Oxford University Press, Appendix A (2003), "
    "doi:10.1093/oso/9780198508397.001.0001",
)
def cubic_map(x, p, n):
    """Cubic map: x' = A x (1 - x^2).

    At A = 3 the interval |x| <= 2/sqrt(3) is invariant (x = (2/sqrt 3) sin theta turns the map into
    theta' = 3 theta), so the exponent is ln 3; orbits that leave it escape to infinity.
    """
    return p["A"] * x * (1.0 - x**2)


@register
@discrete_map(
    params=dict(a=math.log(20.0)),
    x0=[0.1],
    names=("x",),
    reference="W. E. Ricker, Stock and recruitment, J. Fish. Res. Board Can. 11, 559 (1954), doi:10.1139/f54-039",
)
def ricker(x, p, n):
    """Ricker map: x' = x exp(a - x) = A x exp(-x) with A = exp(a).

    dysts' parametrization (growth rate a). The default a = ln 20 is Sprott's App. A value A = 20
    (dysts uses a = 3.3).
    """
    return x * jnp.exp(p["a"] - x)


@register
@discrete_map(
    x0=[0.5, 3.7],
    names=("x", "y"),
    flags=("conservative",),
    reference="R. L. Devaney, A piecewise linear model for the zones of instability of an area-preserving "
    "map, Physica D 10, 387 (1984), doi:10.1016/0167-2789(84)90187-6",
)
def gingerbreadman(x, p, n):
    """Gingerbreadman map: x' = 1 - y + |x|, y' = x."""
    return jnp.stack([1.0 - x[1] + jnp.abs(x[0]), x[0]])


@register
@discrete_map(
    x0=[0.0, 0.70710678],
    names=("x", "y"),
    flags=("conservative",),
    periodic=((0, 1.0), (1, 1.0)),
    aliases=("cat_map",),
    jac=lambda x, p, n: jnp.array([[1.0, 1.0], [1.0, 2.0]]),
    reference="V. I. Arnold and A. Avez, Ergodic Problems of Classical Mechanics, W. A. Benjamin, New York (1968)",
)
def arnold_cat(x, p, n):
    """Arnold cat map: x' = x + y, y' = x + 2 y (both mod 1).

    Exponents +-ln((3 + sqrt 5)/2). In floating point the orbit settles on the 2^-51 grid, where the
    map is exact and its period is astronomically long, so it neither collapses nor blows up.
    """
    return jnp.mod(jnp.stack([x[0] + x[1], x[0] + 2.0 * x[1]]), 1.0)
