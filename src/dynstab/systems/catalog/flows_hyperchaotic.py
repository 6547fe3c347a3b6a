"""Hyperchaotic flows (two or more positive Lyapunov exponents), coupled Lorenz-type systems and small
neural networks; each written from its cited paper.

Initial conditions lie on the attractor (reached from dysts' initial condition by integrating past the
transient); ``dt`` is a fixed RK4 step whose step-halving error over one dominant period is below ~1e-5.
"""

import jax.numpy as jnp

from ..base import flow
from ..registry import register
from . import DYSTS_DIFFERENCES  # noqa: F401

_XYZW = ("x", "y", "z", "w")
_MEIER = "J. Meier, Presentation of attractors with Cinema, web pages at http://www.3d-meier.de (2003)"


# --- hyperchaotic extensions of Lorenz-type systems ------------------------------------------------


@register
@flow(
    params=dict(a=36.0, b=3.0, c=20.0, d=0.1, e=21.0),
    x0=[-7.3445001, -9.136222, 23.953207, 23.89074],
    names=_XYZW,
    dt=0.004,
    reference="B. Bao and Z. Liu, A hyperchaotic attractor coined from the chaotic Lu system, "
    "Chin. Phys. Lett. 25, 2396 (2008), doi:10.1088/0256-307X/25/7/018",
)
def hyper_bao(x, p, t):
    """Hyperchaotic Bao-Liu: x' = a (y - x) + w, y' = c y - x z, z' = x y - b z, w' = e x + d y z.

    The Lu system with a state-feedback controller w.
    """
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + x[3],
            p["c"] * x[1] - x[0] * x[2],
            x[0] * x[1] - p["b"] * x[2],
            p["e"] * x[0] + p["d"] * x[1] * x[2],
        ]
    )


@register
@flow(
    params=dict(a=27.5, b=3.0, c=19.3, d=2.9, e=3.3),
    x0=[10.92691, 12.576547, 23.141983, -0.66955205],
    names=_XYZW,
    dt=0.004,
    reference="G. Cai and J. Huang, A new finance chaotic attractor, Int. J. Nonlinear Sci. 3, 213 (2007)",
)
def hyper_cai(x, p, t):
    """Hyperchaotic Cai: x' = a (y - x), y' = b x + c y - x z + w, z' = -d z + y^2, w' = -e x."""
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]),
            p["b"] * x[0] + p["c"] * x[1] - x[0] * x[2] + x[3],
            -p["d"] * x[2] + x[1] ** 2,
            -p["e"] * x[0],
        ]
    )


@register
@flow(
    params=dict(a=10.0, b=28.0, c=2.667, d=1.3),
    x0=[-13.888855, 4.4223093, 29.067691, -72.458909],
    names=_XYZW,
    dt=0.008,
    reference=_MEIER,
)
def hyper_jha(x, p, t):
    """Hyperchaotic Jha: x' = a (y - x) + w, y' = b x - y - x z, z' = x y - c z, w' = d w - x z.

    The same law as ``hyper_lorenz`` with b and c exchanged and d = 1.3 instead of 1.1.
    """
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + x[3],
            p["b"] * x[0] - x[1] - x[0] * x[2],
            x[0] * x[1] - p["c"] * x[2],
            p["d"] * x[3] - x[0] * x[2],
        ]
    )


@register
@flow(
    params=dict(a=10.0, b=2.667, c=28.0, d=1.1),
    x0=[-10.510321, -8.9863548, 28.544919, 2.1379705],
    names=_XYZW,
    dt=0.008,
    reference=_MEIER,
)
def hyper_lorenz(x, p, t):
    """Hyperchaotic Lorenz: x' = a (y - x) + w, y' = c x - y - x z, z' = x y - b z, w' = d w - x z."""
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + x[3],
            p["c"] * x[0] - x[1] - x[0] * x[2],
            x[0] * x[1] - p["b"] * x[2],
            p["d"] * x[3] - x[0] * x[2],
        ]
    )


@register
@flow(
    params=dict(a=36.0, b=3.0, c=20.0, d=1.0),
    x0=[-7.052625, -5.7992138, 27.889953, 16.986954],
    names=_XYZW,
    dt=0.003,
    reference="A. Chen, J. Lu, J. Lu and S. Yu, Generating hyperchaotic Lu attractor via state feedback control, "
    "Physica A 364, 103 (2006), doi:10.1016/j.physa.2005.09.039",
)
def hyper_lu(x, p, t):
    """Hyperchaotic Lu: x' = a (y - x) + w, y' = c y - x z, z' = x y - b z, w' = x z + d w.

    d is the paper's r. Default d = 1 instead of dysts' d = 1.3: at d = 1.3 every orbit we followed
    escapes to infinity after 500-4000 time units (a long chaotic transient; RK4 at dt = 0.003 and
    0.001 and DOP853 alike), while at d = 1 orbits stay bounded (4 orbits over 5000 time units).
    """
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + x[3],
            p["c"] * x[1] - x[0] * x[2],
            x[0] * x[1] - p["b"] * x[2],
            x[0] * x[2] + p["d"] * x[3],
        ]
    )


@register
@flow(
    params=dict(a=36.0, b=3.0, c=20.0, d=2.0),
    x0=[4.0716894, 3.9937818, 18.134406, -6.3402452],
    names=_XYZW,
    dt=0.003,
    reference="S. Pang and Y. Liu, A new hyperchaotic system from the Lu system and its control, "
    "J. Comput. Appl. Math. 235, 2775 (2011), doi:10.1016/j.cam.2010.11.029",
)
def hyper_pang(x, p, t):
    """Hyperchaotic Pang-Liu: x' = a (y - x), y' = c y - x z + w, z' = x y - b z, w' = -d (x + y)."""
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]),
            p["c"] * x[1] - x[0] * x[2] + x[3],
            x[0] * x[1] - p["b"] * x[2],
            -p["d"] * (x[0] + x[1]),
        ]
    )


@register
@flow(
    params=dict(a=50.0, b=24.0, c=13.0, d=8.0, e=33.0, f=30.0),
    x0=[-24.176028, -38.982098, -101.61477, -117.58887],
    names=_XYZW,
    dt=0.0003,
    reference="G. Qi, M. A. van Wyk, B. J. van Wyk and G. Chen, On a new hyperchaotic system, "
    "Phys. Lett. A 372, 124 (2008), doi:10.1016/j.physleta.2007.10.082",
)
def hyper_qi(x, p, t):
    """Hyperchaotic Qi: x' = a (y - x) + y z, y' = b (x + y) - x z, z' = x y - c z - e w, w' = x y - d w + f z.

    A fast flow (lambda_1 ~ 12) with rare large excursions (|z|, |w| up to a few thousand, 0.4% of
    the time above 1000); the step is set by them.
    """
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + x[1] * x[2],
            p["b"] * (x[0] + x[1]) - x[0] * x[2],
            x[0] * x[1] - p["c"] * x[2] - p["e"] * x[3],
            x[0] * x[1] - p["d"] * x[3] + p["f"] * x[2],
        ]
    )


@register
@flow(
    params=dict(a=0.25, b=3.0, c=0.5, d=0.05),
    x0=[-12.34195, -29.43121, 0.21121179, 23.470255],
    names=_XYZW,
    dt=0.01,
    flags=("stiff",),
    reference="O. E. Rossler, An equation for hyperchaos, Phys. Lett. A 71, 155 (1979), "
    "doi:10.1016/0375-9601(79)90150-6",
)
def hyper_rossler(x, p, t):
    """Hyperchaotic Rossler: x' = -y - z, y' = x + a y + w, z' = b + x z, w' = d w - c z.

    Stiff: during the spikes of z, x reaches about -140 and z collapses at that rate, while the
    rotation period is about 6; fixed-step RK4 is stable only for dt below ~0.02.
    """
    return jnp.stack([-x[1] - x[2], x[0] + p["a"] * x[1] + x[3], p["b"] + x[0] * x[2], p["d"] * x[3] - p["c"] * x[2]])


@register
@flow(
    params=dict(a=10.0, b=40.0, c=2.5, d=10.6, e=4.0),
    x0=[3.0581907, -4.7231588, 61.121795, 20.318066],
    names=_XYZW,
    dt=0.004,
    reference="Z. Wang, Y. Sun, B. J. van Wyk, G. Qi and M. A. van Wyk, A 3-D four-wing attractor and its "
    "analysis, Braz. J. Phys. 39, 547 (2009), doi:10.1590/S0103-97332009000500007",
)
def hyper_wang(x, p, t):
    """Hyperchaotic Wang: x' = a (y - x), y' = b x - x z + w, z' = e x^2 - c z, w' = -d x."""
    return jnp.stack(
        [p["a"] * (x[1] - x[0]), p["b"] * x[0] - x[0] * x[2] + x[3], p["e"] * x[0] ** 2 - p["c"] * x[2], -p["d"] * x[0]]
    )


@register
@flow(
    params=dict(a=10.0, b=40.0, c=2.5, d=2.0, e=16.0),
    x0=[1.8541368, 2.9435651, -0.99101122, 10.003924],
    names=_XYZW,
    dt=0.003,
    reference="C. Letellier and O. E. Rossler, Hyperchaos, Scholarpedia 2, 1936 (2007), doi:10.4249/scholarpedia.1936",
)
def hyper_xu(x, p, t):
    """Hyperchaotic Xu: x' = a (y - x) + w, y' = b x + e x z, z' = -c z - x y, w' = x z - d y."""
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + x[3],
            p["b"] * x[0] + p["e"] * x[0] * x[2],
            -p["c"] * x[2] - x[0] * x[1],
            x[0] * x[2] - p["d"] * x[1],
        ]
    )


@register
@flow(
    params=dict(a=37.0, b=3.0, c=26.0, d=38.0),
    x0=[0.79227338, 1.4600901, 14.917116, 0.3846752],
    names=_XYZW,
    dt=0.004,
    reference=_MEIER,
)
def hyper_yan(x, p, t):
    """Yan: x' = a (y - x), y' = (c - a) x + c y - x z, z' = x y - b z - y z + x z - w, w' = y z - x z - d w.

    An extension of the Chen system (its x and y equations); at these parameters it has a single
    positive exponent (lambda ~ 1.2, 0, -15.2, -38.0).
    """
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]),
            (p["c"] - p["a"]) * x[0] + p["c"] * x[1] - x[0] * x[2],
            x[0] * x[1] - p["b"] * x[2] - x[1] * x[2] + x[0] * x[2] - x[3],
            x[1] * x[2] - x[0] * x[2] - p["d"] * x[3],
        ]
    )


@register
@flow(
    params=dict(a=30.0, b=3.0, c=35.0, d=8.0),
    x0=[11.45337, 15.18952, 21.993601, -13.555639],
    names=_XYZW,
    dt=0.005,
    reference=_MEIER,
)
def hyper_yang_chen(x, p, t):
    """Hyperchaotic Yang-Chen: x' = a (y - x), y' = c x - x z + w, z' = x y - b z, w' = -d x."""
    return jnp.stack(
        [p["a"] * (x[1] - x[0]), p["c"] * x[0] - x[0] * x[2] + x[3], x[0] * x[1] - p["b"] * x[2], -p["d"] * x[0]]
    )


# --- coupled and extended Lorenz systems ----------------------------------------------------------


@register
@flow(
    params=dict(beta=2.667, eps=2.85, rho=28.0, rho1=35.0, rho2=1.15, sigma=10.0),
    x0=[-7.2548043, -13.021375, 19.150893, -1.7189177, -0.87064895, 0.3817117],
    names=("x1", "y1", "z1", "x2", "y2", "z2"),
    dt=0.006,
    reference="E. N. Lorenz, Deterministic nonperiodic flow, J. Atmos. Sci. 20, 130 (1963), "
    "doi:10.1175/1520-0469(1963)020<0130:DNF>2.0.CO;2 (one-way coupled copies)",
)
def lorenz_coupled(x, p, t):
    """Coupled Lorenz: x1' = sigma (y1 - x1), y1' = rho1 x1 - x1 z1 - y1, z1' = x1 y1 - beta z1,
    x2' = sigma (y2 - x2) + eps (x1 - x2), y2' = rho2 x2 - x2 z2 - y2, z2' = x2 y2 - beta z2.

    A chaotic Lorenz system (rho1) drives, through x, a second one (rho2) that alone is at rest;
    one positive exponent (lambda ~ 1.05, 0, -1.21, -1.80, -13.5, -14.7).
    The parameter rho does not enter the law; it is kept because dysts lists it.
    """
    s, b = p["sigma"], p["beta"]
    return jnp.stack(
        [
            s * (x[1] - x[0]),
            p["rho1"] * x[0] - x[0] * x[2] - x[1],
            x[0] * x[1] - b * x[2],
            s * (x[4] - x[3]) + p["eps"] * (x[0] - x[3]),
            p["rho2"] * x[3] - x[3] * x[5] - x[4],
            x[3] * x[4] - b * x[5],
        ]
    )


@register
@flow(
    params=dict(a=2.0, b=0.7, c=26.0, d=1.5),
    x0=[-3.6380753, -8.7225265, 17.875244, 0.40954334],
    names=("x", "y", "z", "v"),
    dt=0.02,
    reference="L. Stenflo, Generalized Lorenz equations for acoustic-gravity waves in the atmosphere, "
    "Phys. Scr. 53, 83 (1996), doi:10.1088/0031-8949/53/1/015",
)
def lorenz_stenflo(x, p, t):
    """Lorenz-Stenflo: x' = a (y - x) + d v, y' = c x - x z - y, z' = x y - b z, v' = -x - a v.

    a, b, c, d are Stenflo's sigma, b, r, s (the rotation parameter). At these parameters the flow is
    chaotic with a single positive exponent (lambda ~ 0.38, 0, -2.69, -3.39), not hyperchaotic.
    """
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + p["d"] * x[3],
            p["c"] * x[0] - x[0] * x[2] - x[1],
            x[0] * x[1] - p["b"] * x[2],
            -x[0] - p["a"] * x[3],
        ]
    )


@register
@flow(
    params=dict(a=0.25, b=4.0, f=8.0, g=1.0),
    x0=[0.7436798, -0.05549591, -0.95586357],
    names=("x", "y", "z"),
    dt=0.01,
    reference="E. N. Lorenz, Irregularity: a fundamental property of the atmosphere, Tellus A 36, 98 (1984), "
    "doi:10.1111/j.1600-0870.1984.tb00230.x",
)
def lorenz84(x, p, t):
    """Lorenz-84: x' = -y^2 - z^2 - a x + a f, y' = x y - b x z - y + g, z' = b x y + x z - z.

    x is the westerly wind, y and z the cosine and sine amplitudes of the travelling eddies.
    Defaults are Lorenz's a = 1/4, b = 4, F = 8, G = 1; dysts uses a = 1.32, b = 7.91, f = 4.83, g = 4.194.
    """
    return jnp.stack(
        [
            -(x[1] ** 2) - x[2] ** 2 - p["a"] * x[0] + p["a"] * p["f"],
            x[0] * x[1] - p["b"] * x[0] * x[2] - x[1] + p["g"],
            p["b"] * x[0] * x[1] + x[0] * x[2] - x[2],
        ]
    )


# --- piecewise-linear circuits and neural networks ------------------------------------------------


@register
@flow(
    params=dict(
        a=9.0,
        b=14.286,
        c=[0.0, 1.0, 2.15, 3.6, 8.2, 13.0],
        m=[-0.14285714, 0.28571429, -0.57142857, 0.28571429, -0.57142857, 0.28571429],
    ),
    x0=[-4.1533198, 0.46091984, 2.7955919],
    names=("x", "y", "z"),
    dt=0.005,
    reference="M. E. Yalcin, J. A. K. Suykens and J. Vandewalle, Cellular Neural Networks, Multi-Scroll Chaos "
    "and Synchronization, World Scientific, Singapore (2005), ISBN 9789812567741",
)
def multi_chua(x, p, t):
    """Multi-scroll Chua: x' = a (y - h(x)), y' = x - y + z, z' = -b y,
    h(x) = m_5 x + sum_{i=1..5} (m_{i-1} - m_i) (|x + c_i| - |x - c_i|) / 2.

    The piecewise-linear h has breakpoints +-c_1..+-c_5 (c_0 is unused, as in dysts); the vector field
    is continuous and its Jacobian jumps at the breakpoints, which lowers the order of RK4 there
    (hence the small step).
    """
    c, m = p["c"], p["m"]
    h = m[-1] * x[0] + 0.5 * jnp.sum((m[:-1] - m[1:]) * (jnp.abs(x[0] + c[1:]) - jnp.abs(x[0] - c[1:])))
    return jnp.stack([p["a"] * (x[1] - h), x[0] - x[1] + x[2], -p["b"] * x[1]])


def _cnn_output(x):
    return 0.5 * (jnp.abs(x + 1.0) - jnp.abs(x - 1.0))


@register
@flow(
    params=dict(a=4.4, b=3.21, c=1.1, d=1.24),
    x0=[0.099707621, 0.22539503, 0.16747119],
    names=("x1", "x2", "x3"),
    dt=0.002,
    reference="F. Zou and J. A. Nossek, Bifurcation and chaos in cellular neural networks, IEEE Trans. Circuits "
    "Syst. I 40, 166 (1993); P. Arena, R. Caponetto, L. Fortuna and D. Porto, Bifurcation and chaos in "
    "noninteger order cellular neural networks, Int. J. Bifurcation Chaos 8, 1527 (1998)",
)
def cellular_neural_network(x, p, t):
    """Three-cell CNN: x1' = -x1 + d f(x1) - b f(x2) - b f(x3), x2' = -x2 - b f(x1) + c f(x2) - a f(x3),
    x3' = -x3 - b f(x1) + a f(x2) + f(x3), with the cell output f(u) = (|u + 1| - |u - 1|) / 2.

    a, b, c, d are Zou and Nossek's r, s, p2, p1. The vector field is continuous and piecewise linear;
    its Jacobian jumps at |x_i| = 1, which lowers the order of RK4 there (hence the small step).
    """
    f1, f2, f3 = _cnn_output(x[0]), _cnn_output(x[1]), _cnn_output(x[2])
    a, b = p["a"], p["b"]
    return jnp.stack(
        [-x[0] + p["d"] * f1 - b * f2 - b * f3, -x[1] - b * f1 + p["c"] * f2 - a * f3, -x[2] - b * f1 + a * f2 + f3]
    )


@register
@flow(
    params=dict(
        beta=0.5,
        eps=10.0,
        tau=2.5,
        k=[
            [0.0, -1.0, 0.0, 0.0, -1.0, -1.0],
            [0.0, 0.0, 0.0, -1.0, -1.0, -1.0],
            [-1.0, -1.0, 0.0, 0.0, -1.0, 0.0],
            [-1.0, -1.0, -1.0, 0.0, 0.0, 0.0],
            [-1.0, -1.0, 0.0, -1.0, 0.0, 0.0],
            [0.0, -1.0, -1.0, -1.0, 0.0, 0.0],
        ],
    ),
    x0=[0.051686644, 0.61208852, -0.64030339, -0.75119275, -0.3832999, 0.50676757],
    names=("x1", "x2", "x3", "x4", "x5", "x6"),
    dt=0.05,
    reference="J. E. Lewis and L. Glass, Nonlinear dynamics and symbolic dynamics of neural networks, "
    "Neural Comput. 4, 621 (1992), doi:10.1162/neco.1992.4.5.621",
)
def hopfield(x, p, t):
    """Hopfield network with frustrated inhibition: x' = -x / tau + g(eps K x) - beta, g(u) = (1 + tanh u) / 2.

    Six neurons, each inhibited by three others (the connection matrix K).
    """
    return -x / p["tau"] + 0.5 * (1.0 + jnp.tanh(p["eps"] * (p["k"] @ x))) - p["beta"]


@register
@flow(
    params=dict(
        tau=[1.0, 2.5, 1.0],
        theta=[-4.108, -2.787, -1.114],
        w=[[5.422, -0.018, 2.75], [-0.24, 4.59, 1.21], [0.535, -2.25, 3.885]],
    ),
    x0=[4.7237631, 2.9189134, 0.42584853],
    names=("y1", "y2", "y3"),
    dt=0.1,
    reference="R. D. Beer, On the dynamics of small continuous-time recurrent neural networks, "
    "Adapt. Behav. 3, 469 (1995), doi:10.1177/105971239500300405",
)
def beer_rnn(x, p, t):
    """Beer's CTRNN: tau_i y_i' = -y_i + sum_j w_ij s(y_j + theta_j), s(u) = 1 / (1 + exp(-u)).

    Three neurons without external input; w[i, j] is the weight from neuron j to neuron i (Beer writes w_ji).
    """
    return (-x + p["w"] @ (1.0 / (1.0 + jnp.exp(-(x + p["theta"]))))) / p["tau"]
