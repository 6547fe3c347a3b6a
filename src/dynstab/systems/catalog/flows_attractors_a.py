"""Three-dimensional dissipative flows, A-L (dysts' Aizawa ... LuChenCheng); each written from its cited paper.

Initial conditions lie on the attractor (integrated past the transient from dysts' initial
condition); ``dt`` is a fixed RK4 step whose step-halving error over one dominant period is
below ~1e-5 and at which the Lyapunov spectrum agrees with that at dt/2. Two systems are not
chaotic at their published parameters (``dequan_li`` and ``liu_chen`` settle onto stable
periodic orbits); their docstrings say so.
"""

import jax.numpy as jnp

from ..base import flow
from ..registry import register
from . import DYSTS_DIFFERENCES

_XYZ = ("x", "y", "z")


@register
@flow(
    params=dict(a=0.95, b=0.7, c=0.6, d=3.5, e=0.25, f=0.1),
    x0=[-0.86994275, 0.05863973, 1.6249581],
    names=_XYZ,
    dt=0.02,
    reference="Y. Aizawa and T. Uezu, Topological aspects in chaos and in 2^k-period doubling cascade, "
    "Prog. Theor. Phys. 67, 982 (1982), doi:10.1143/PTP.67.982; see also W. F. Langford, Numerical "
    "studies of torus bifurcations, in Numerical Methods for Bifurcation Problems, ISNM 70, "
    "Birkhauser, Basel, p. 285 (1984)",
)
def aizawa(x, p, t):
    """Aizawa: x' = (z - b) x - d y, y' = d x + (z - b) y, z' = c + a z - z^3/3 - (x^2 + y^2)(1 + e z) + f z x^3.

    A torus-like attractor (Langford's torus-bifurcation normal form with a symmetry-breaking x^3 term).
    """
    r2 = x[0] ** 2 + x[1] ** 2
    return jnp.stack(
        [
            (x[2] - p["b"]) * x[0] - p["d"] * x[1],
            p["d"] * x[0] + (x[2] - p["b"]) * x[1],
            p["c"] + p["a"] * x[2] - x[2] ** 3 / 3.0 - r2 * (1.0 + p["e"] * x[2]) + p["f"] * x[2] * x[0] ** 3,
        ]
    )


@register
@flow(
    params=dict(mu=1.2, eta=0.5),
    x0=[-0.55328077, -1.7297236, 1.0120374],
    names=_XYZ,
    dt=0.04,
    reference="V. S. Anishchenko, T. E. Vadivasova and G. I. Strelkova (with V. V. Astakhov, A. B. Neiman), "
    "Nonlinear Dynamics of Chaotic and Stochastic Systems, 2nd ed., Springer, Berlin (2007), "
    "doi:10.1007/978-3-540-38168-6 (the Anishchenko-Astakhov oscillator with inertial nonlinearity)",
)
def anishchenko_astakhov(x, p, t):
    """Anishchenko-Astakhov: x' = mu x + y - x z, y' = -x, z' = -eta z + eta I(x) x^2, I(x) = 1 for x > 0 else 0.

    The inertial nonlinearity I(x) x^2 is continuously differentiable, so the Jacobian-based spectrum is exact.
    """
    return jnp.stack(
        [p["mu"] * x[0] + x[1] - x[0] * x[2], -x[0], p["eta"] * (jnp.where(x[0] > 0.0, x[0] ** 2, 0.0) - x[2])]
    )


def _act_jerk(x, p):
    """x' = y, y' = z, z' = -a x - b y - c z + d x^3 (Arneodo-Coullet-Tresser)."""
    return jnp.stack([x[1], x[2], -p["a"] * x[0] - p["b"] * x[1] - p["c"] * x[2] + p["d"] * x[0] ** 3])


_ACT_REFERENCE = (
    "A. Arneodo, P. Coullet and C. Tresser, Occurrence of strange attractors in three-dimensional "
    "Volterra equations, Phys. Lett. A 79, 259 (1980), doi:10.1016/0375-9601(80)90342-4"
)


@register
@flow(
    params=dict(a=-5.5, b=4.5, c=1.0, d=-1.0),
    x0=[0.96594804, 0.563029, -0.81086301],
    names=_XYZ,
    dt=0.02,
    reference=_ACT_REFERENCE,
)
def arneodo(x, p, t):
    """Arneodo (ACT): x' = y, y' = z, z' = -a x - b y - c z + d x^3.

    dysts' values a = -5.5, b = 4.5, c = 1, d = -1; b = 3.5 is also often quoted for this attractor.
    """
    return _act_jerk(x, p)


@register
@flow(
    params=dict(a=-0.8, b=1.1, c=0.45, d=-1.0),
    x0=[0.035065827, -0.21392854, 0.55340273],
    names=_XYZ,
    dt=0.04,
    reference=_ACT_REFERENCE,
)
def coullet(x, p, t):
    """Coullet: x' = y, y' = z, z' = -a x - b y - c z + d x^3 (the Arneodo law at a = -0.8, b = 1.1, c = 0.45, d = -1).

    Weakly chaotic: from dysts' initial condition the orbit wanders on a chaotic set (lambda_1 ~ 0.14, dysts'
    stored value) for some 5000 time units, then settles onto a thin chaotic band around a period-30 orbit
    (lambda_1 ~ 0.013), the attractor, where x0 lies.
    """
    return _act_jerk(x, p)


def _bouali_law(x, p):
    """x' = a x (y0 - y) - b z, y' = g y (x^2 - 1), z' = m x (bb z - 1.5) - c z."""
    return jnp.stack(
        [
            p["a"] * x[0] * (p["y0"] - x[1]) - p["b"] * x[2],
            p["g"] * x[1] * (x[0] ** 2 - 1.0),
            p["m"] * x[0] * (p["bb"] * x[2] - 1.5) - p["c"] * x[2],
        ]
    )


_BOUALI_REFERENCE = (
    "S. Bouali, Feedback loop in extended van der Pol's equation applied to an economic model of "
    "cycles, Int. J. Bifurcation Chaos 9, 745 (1999), doi:10.1142/S0218127499000535"
)


@register
@flow(
    params=dict(a=1.0, b=-0.3, bb=1.0, c=0.05, g=1.0, m=1.0, y0=4.0),
    x0=[-0.85431787, 2.8057174, 0.64289751],
    names=_XYZ,
    dt=0.02,
    reference=_BOUALI_REFERENCE + "; this parameter set: S. Bouali, A novel strange attractor with a stretched "
    "loop, Nonlinear Dyn. 70, 2375 (2012)",
)
def bouali(x, p, t):
    """Bouali: x' = a x (y0 - y) - b z, y' = g y (x^2 - 1), z' = m x (bb z - 1.5) - c z.

    At these values, x' = x (4 - y) + 0.3 z, y' = -y (1 - x^2), z' = -x (1.5 - z) - 0.05 z: the 'stretched loop'
    attractor (Bouali 2012).
    """
    return _bouali_law(x, p)


@register
@flow(
    params=dict(a=3.0, b=2.2, bb=0.0, c=0.0, g=1.0, m=-0.0026667, y0=1.0),
    x0=[1.13087, 1.0986415, -0.024451826],
    names=_XYZ,
    dt=0.01,
    reference=_BOUALI_REFERENCE,
)
def bouali2(x, p, t):
    """Bouali2: x' = a x (y0 - y) - b z, y' = g y (x^2 - 1), z' = m x (bb z - 1.5) - c z.

    At these values the 1999 economic-cycle model x' = a x (1 - y) - b z, y' = -g y (1 - x^2), z' = mu x with
    mu = -1.5 m = 0.004. Weakly chaotic (lambda_1 ~ 0.003, lambda_3 ~ -lambda_1: phase volume is nearly
    conserved on average) with a slow drift of z; dysts' stored spectrum is not reproduced.
    """
    return _bouali_law(x, p)


@register
@flow(
    params=dict(e=13.0, n=10.0),
    x0=[1.7324453, -2.1003434, -0.53049121],
    names=_XYZ,
    dt=0.005,
    reference="R. Shaw, Strange attractors, chaotic behavior, and information flow, Z. Naturforsch. A 36, 80 "
    "(1981), doi:10.1515/zna-1981-0115",
)
def burke_shaw(x, p, t):
    """Burke-Shaw: x' = -n (x + y), y' = -y - n x z, z' = n x y + e.

    Shaw's S = n = 10, V = e = 13 (Sprott's tables quote V = 4.272). dysts writes y' = +y - n x z; we follow
    the paper's -y (divergence -n - 1).
    """
    return jnp.stack([-p["n"] * (x[0] + x[1]), -x[1] - p["n"] * x[0] * x[2], p["n"] * x[0] * x[1] + p["e"]])


DYSTS_DIFFERENCES["burke_shaw"] = (
    "dysts has y' = +y - n x z; Shaw (1981) and later sources have y' = -y - n x z, which we follow."
)


@register
@flow(
    params=dict(a=5.0, b=-10.0, c=-0.38),
    x0=[0.8715844, -0.94398041, 11.789219],
    names=("omega_x", "omega_y", "omega_z"),
    dt=0.005,
    reference="H.-K. Chen and C.-I. Lee, Anti-control of chaos in rigid body motion, Chaos Solitons Fractals "
    "21, 957 (2004), doi:10.1016/j.chaos.2003.12.034",
)
def chen_lee(x, p, t):
    """Chen-Lee: x' = a x - y z, y' = b y + x z, z' = c z + x y / 3.

    The angular velocities of a rigid body under feedback (anti-control of chaos). RK4 at dt = 0.01 lands on a
    spurious stable periodic orbit (lambda_1 -> 0); at dt <= 0.005 it stays on the chaotic attractor.
    """
    return jnp.stack([p["a"] * x[0] - x[1] * x[2], p["b"] * x[1] + x[0] * x[2], p["c"] * x[2] + x[0] * x[1] / 3.0])


@register
@flow(
    params=dict(c=2.0, e=9.0, o=2.7, p=3.0, r=1.7),
    x0=[2.0075652, -2.2520079, -1.0288527],
    names=_XYZ,
    dt=0.004,
    reference="S. Dadras and H. R. Momeni, A novel three-dimensional autonomous chaotic system generating two, "
    "three and four-scroll attractors, Phys. Lett. A 373, 3637 (2009), doi:10.1016/j.physleta.2009.07.088",
)
def dadras(x, p, t):
    """Dadras: x' = y - p x + o y z, y' = r y - x z + z, z' = c x y - e z.

    The paper's (a, b, c, d, h) = (3, 2.7, 1.7, 2, 9) are dysts' (p, o, r, c, e).
    """
    return jnp.stack(
        [
            x[1] - p["p"] * x[0] + p["o"] * x[1] * x[2],
            p["r"] * x[1] - x[0] * x[2] + x[2],
            p["c"] * x[0] * x[1] - p["e"] * x[2],
        ]
    )


@register
@flow(
    params=dict(a=40.0, c=1.833, d=0.16, eps=0.65, f=20.0, k=55.0),
    x0=[40.041491, 30.762146, 86.217624],
    names=_XYZ,
    dt=0.0005,
    reference="D. Li, A three-scroll chaotic attractor, Phys. Lett. A 372, 387 (2008), "
    "doi:10.1016/j.physleta.2007.07.045",
)
def dequan_li(x, p, t):
    """Dequan Li (three-scroll): x' = a (y - x) + d x z, y' = k x + f y - x z, z' = c z + x y - eps x^2.

    Not chaotic at the published parameters (also with c = 11/6): every orbit we tried settles onto a stable
    periodic orbit of period 9.9928 that circles the three scrolls many times (Floquet exponents 0, -0.166,
    -1.532, checked with DOP853); dysts' stored lambda_1 = 1.86 is not reproduced. The fast loops (about 0.67
    time units) and large Jacobian entries need a small step.
    """
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + p["d"] * x[0] * x[2],
            p["k"] * x[0] + p["f"] * x[1] - x[0] * x[2],
            p["c"] * x[2] + x[0] * x[1] - p["eps"] * x[0] ** 2,
        ]
    )


@register
@flow(
    params=dict(a=0.001, b=0.2, c=1.1),
    x0=[-1.2727969, -4.0557638, 0.60407958],
    names=("interest_rate", "investment_demand", "price_index"),
    dt=0.05,
    reference="G. Cai and J. Huang, A new finance chaotic attractor, Int. J. Nonlinear Sci. 3, 213 (2007)",
)
def finance(x, p, t):
    """Finance: x' = (1/b - a) x + z + x y, y' = -b y - x^2, z' = -x - c z.

    The finance model x' = z + (y - a) x, y' = 1 - b y - x^2, z' = -x - c z (interest rate x, investment
    demand y, price index z) with y measured from 1/b, as dysts writes it.
    """
    return jnp.stack(
        [(1.0 / p["b"] - p["a"]) * x[0] + x[2] + x[0] * x[1], -p["b"] * x[1] - x[0] ** 2, -x[0] - p["c"] * x[2]]
    )


@register
@flow(
    params=dict(a=0.44, b=1.1, c=1.0),
    x0=[0.029661492, 0.038440052, -0.011872173],
    names=_XYZ,
    dt=0.05,
    reference="R. Genesio and A. Tesi, Harmonic balance methods for the analysis of chaotic dynamics in "
    "nonlinear systems, Automatica 28, 531 (1992), doi:10.1016/0005-1098(92)90177-H",
)
def genesio_tesi(x, p, t):
    """Genesio-Tesi: x' = y, y' = z, z' = -c x - b y - a z + x^2."""
    return jnp.stack([x[1], x[2], -p["c"] * x[0] - p["b"] * x[1] - p["a"] * x[2] + x[0] ** 2])


@register
@flow(
    params=dict(a=0.4, b=12.0, c=-5.0, h=0.0, p=0.0, q=-1.0, r=1.0, s=1.0),
    x0=[-0.68203341, -2.4386116, -6.1902189],
    names=_XYZ,
    dt=0.005,
    reference="W. Liu and G. Chen, Can a three-dimensional smooth autonomous quadratic chaotic system generate "
    "a single four-scroll attractor?, Int. J. Bifurcation Chaos 14, 1395 (2004)",
)
def liu_chen(x, p, t):
    """Liu-Chen: x' = a x + h y + s y z, y' = -b y - p x + q x z, z' = c z - r x y (dysts' Sakarya form).

    At these values x' = 0.4 x + y z, y' = -12 y - x z, z' = -5 z - x y: the four-scroll system
    x' = a x - y z, y' = -b y + x z, z' = -c z + x y (as usually quoted) with y -> -y.
    Not chaotic at these (dysts') parameters: orbits settle onto a stable periodic orbit of period 35.943
    (Floquet exponents 0, -0.033, -16.57, checked with DOP853) that slides along the invariant x-axis, where
    y and z shrink to ~1e-15, before each burst; dysts' stored lambda_1 = 0.21 is not reproduced.
    """
    return jnp.stack(
        [
            p["a"] * x[0] + p["h"] * x[1] + p["s"] * x[1] * x[2],
            -p["b"] * x[1] - p["p"] * x[0] + p["q"] * x[0] * x[2],
            p["c"] * x[2] - p["r"] * x[0] * x[1],
        ]
    )


@register
@flow(
    params=dict(beta=2.667, r=64.0, rho=28.0, sigma=10.0),
    x0=[1.2883673, 1.1932972, 18.346779],
    names=_XYZ,
    dt=0.005,
    reference="J. C. Sprott and A. Xiong, Classifying and quantifying basins of attraction, Chaos 25, 083101 "
    "(2015), doi:10.1063/1.4927643",
)
def lorenz_bounded(x, p, t):
    """Bounded Lorenz: (x', y', z') = (1 - (x^2 + y^2 + z^2)/r^2) (sigma (y - x), x (rho - z) - y, x y - beta z).

    The Lorenz field times a factor that vanishes on the sphere of radius r: every orbit stays bounded, and
    inside the sphere the orbits are the Lorenz orbits with time rescaled.
    """
    scale = 1.0 - (x[0] ** 2 + x[1] ** 2 + x[2] ** 2) / p["r"] ** 2
    return scale * jnp.stack(
        [p["sigma"] * (x[1] - x[0]), x[0] * (p["rho"] - x[2]) - x[1], x[0] * x[1] - p["beta"] * x[2]]
    )


@register
@flow(
    params=dict(a=36.0, b=3.0, c=20.0),
    x0=[4.1207699, 5.2242746, 12.235907],
    names=_XYZ,
    dt=0.003,
    reference="J. Lu and G. Chen, A new chaotic attractor coined, Int. J. Bifurcation Chaos 12, 659 (2002), "
    "doi:10.1142/S0218127402004620",
)
def lu_chen(x, p, t):
    """Lu-Chen: x' = a (y - x), y' = -x z + c y, z' = x y - b z.

    Default c = 20 is the paper's (the Lu attractor); dysts uses c = 18. Chaotic for c in about 12.7..28.5.
    """
    return jnp.stack([p["a"] * (x[1] - x[0]), -x[0] * x[2] + p["c"] * x[1], x[0] * x[1] - p["b"] * x[2]])


@register
@flow(
    params=dict(a=-10.0, b=-4.0, c=18.1),
    x0=[-0.054886951, 5.3287067, 10.512196],
    names=_XYZ,
    dt=0.005,
    reference="J. Lu, G. Chen and D. Cheng, A new chaotic system and beyond: the generalized Lorenz-like system, "
    "Int. J. Bifurcation Chaos 14, 1507 (2004)",
)
def lu_chen_cheng(x, p, t):
    """Lu-Chen-Cheng: x' = -a b/(a + b) x - y z + c, y' = a y + x z, z' = b z + x y (a four-scroll attractor)."""
    return jnp.stack(
        [
            -p["a"] * p["b"] / (p["a"] + p["b"]) * x[0] - x[1] * x[2] + p["c"],
            p["a"] * x[1] + x[0] * x[2],
            p["b"] * x[2] + x[0] * x[1],
        ]
    )
