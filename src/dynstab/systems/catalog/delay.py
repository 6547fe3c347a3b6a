"""Delay differential equations (scalar, one delay), integrated by the method of steps.

Each is written from its cited paper, with dysts' parameter names and values; the history
before t = 0 is constant (x0), as in dysts.
"""

import jax.numpy as jnp

from ..delay import delay_flow
from ..registry import register


@register
@delay_flow(
    params=dict(beta=0.2, gamma=0.1, n=10.0, tau=17.0),
    x0=[0.93],
    names=("x",),
    dt=0.1,
    reference="M. C. Mackey and L. Glass, Oscillation and chaos in physiological control systems, "
    "Science 197, 287 (1977), doi:10.1126/science.267326",
)
def mackey_glass(x, xd, p, t):
    """Mackey-Glass: x' = beta x(t - tau) / (1 + x(t - tau)^n) - gamma x.

    tau = 17 is the classic chaotic case (Farmer 1982); dysts uses tau = 16.
    """
    return p["beta"] * xd / (1.0 + xd ** p["n"]) - p["gamma"] * x


@register
@delay_flow(
    params=dict(c=1.0, mu=-20.0, tau=2.0, x0=0.0),
    x0=[0.024144317],
    names=("x",),
    dt=0.002,
    reference="K. Ikeda and K. Matsumoto, High-dimensional chaotic behavior in systems with time-delayed "
    "feedback, Physica D 29, 223 (1987), doi:10.1016/0167-2789(87)90058-3",
)
def ikeda_delay(x, xd, p, t):
    """Ikeda delay equation: x' = mu sin(x(t - tau) - x0) - c x."""
    return p["mu"] * jnp.sin(xd - p["x0"]) - p["c"] * x


@register
@delay_flow(
    params=dict(c=0.0, mu=1.0, tau=5.1, x0=0.0),
    x0=[9.3077054],
    names=("x",),
    dt=0.01,
    reference="J. C. Sprott, A simple chaotic delay differential equation, Phys. Lett. A 366, 397 (2007), "
    "doi:10.1016/j.physleta.2007.01.083",
)
def sprott_delay(x, xd, p, t):
    """Sprott delay equation: x' = mu sin(x(t - tau) - x0) - c x (Ikeda form with c = 0)."""
    return p["mu"] * jnp.sin(xd - p["x0"]) - p["c"] * x


@register
@delay_flow(
    params=dict(alpha=3.24, tau=13.28),
    x0=[0.24640194],
    names=("x",),
    dt=0.01,
    reference="H. U. Voss, Real-time anticipation of chaotic states of an electronic circuit, Int. J. "
    "Bifurcation Chaos 12, 1619 (2002), doi:10.1142/S0218127402005406",
)
def voss_delay(x, xd, p, t):
    """Voss delay circuit: x' = -alpha x + f(x(t - tau)), f(u) = -10.44 u^3 - 13.95 u^2 - 3.63 u + 0.85."""
    f = -10.44 * xd**3 - 13.95 * xd**2 - 3.63 * xd + 0.85
    return -p["alpha"] * x + f


@register
@delay_flow(
    params=dict(alpha=0.2, beta=0.2, tau=10.0),
    x0=[-0.70009241],
    names=("x",),
    dt=0.05,
    reference="R. D. Driver, Ordinary and Delay Differential Equations, Springer, New York (1977), "
    "doi:10.1007/978-1-4684-9467-9",
)
def scroll_delay(x, xd, p, t):
    """Scroll delay equation: x' = -alpha x(t - tau) + beta tanh(10 x(t - tau)) (as in dysts)."""
    return -p["alpha"] * xd + p["beta"] * jnp.tanh(10.0 * xd)


@register
@delay_flow(
    params=dict(alpha=1.0, beta=1.0, c=2.24, tau=4.9),
    x0=[-0.37155972],
    names=("x",),
    dt=0.02,
    reference="A. Tamasevicius, G. Mykolaitis and S. Bumeliene, Delayed feedback chaotic oscillator with "
    "improved spectral characteristics, Electron. Lett. 42, 736 (2006), doi:10.1049/el:20061119",
)
def piecewise_circuit(x, xd, p, t):
    """Delay circuit: x' = -alpha x(t - tau) + beta f(x(t - tau)), f(u) = -(u / c)^3 + 3 u / c (as in dysts)."""
    u = xd / p["c"]
    return -p["alpha"] * xd + p["beta"] * (-(u**3) + 3.0 * u)
