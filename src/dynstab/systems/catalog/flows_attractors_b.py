"""Catalog systems (see the module name); each written from its cited paper.

Named flows from dysts (Gilpin 2021), Moore-Spiegel to Zhou-Chen, plus the driven pendulum (Sprott 2003)
and the Shinriki oscillator (1981), which dysts lacks. Initial conditions lie on the attractor (RK4 from
dysts' initial condition past a transient; on the chaotic set for the transiently chaotic pan_xu_zhou);
``dt`` is a fixed RK4 step whose median step-halving error over one dominant period is below ~1e-5.
"""

import jax.numpy as jnp

from ..base import flow
from ..registry import register


@register
@flow(
    params=dict(a=10.0, b=4.0, eps=9.0),
    x0=[4.5640683, 18.027361, -3.4164494],
    names=("x", "v", "w"),
    dt=0.003,
    reference="D. W. Moore and E. A. Spiegel, A thermally excited non-linear oscillator, Astrophys. J. 143, "
    "871 (1966), doi:10.1086/148562",
)
def moore_spiegel(x, p, t):
    """Moore-Spiegel: x' = v, v' = a w, w' = -w + eps v - x^2 v - b x.

    dysts' three-parameter form of the Moore-Spiegel jerk X''' + X'' + (T - R + R X^2) X' + T X = 0, to which
    it reduces with T = a b, R = a (b + eps), X = x sqrt(a / R). dysts' defaults (a, b, eps) = (10, 4, 9) are
    T = 40, R = 130 (lambda_1 ~ 0.164); Sprott's (T, R) = (6, 20) is (a, b, eps) = (20, 0.3, 0.7), where
    lambda_1 ~ 0.095.
    """
    return jnp.stack([x[1], p["a"] * x[2], -x[2] + p["eps"] * x[1] - x[0] ** 2 * x[1] - p["b"] * x[0]])


@register
@flow(
    params=dict(a=0.4, b=0.175),
    x0=[-0.40469497, -0.069045345, 0.15487943],
    names=("x", "y", "z"),
    dt=0.04,
    aliases=("NewtonLiepnik", "leipnik_newton"),
    reference="R. B. Leipnik and T. A. Newton, Double strange attractors in rigid body motion with linear "
    "feedback control, Phys. Lett. A 86, 63 (1981), doi:10.1016/0375-9601(81)90165-1",
)
def newton_leipnik(x, p, t):
    """Newton-Leipnik: x' = -a x + y + 10 y z, y' = -x - 0.4 y + 5 x z, z' = b z - 5 x y.

    Euler's rigid-body equations with linear feedback; two coexisting strange attractors. x0 is on the one
    reached from dysts' initial condition (mostly z > 0, lambda_1 ~ 0.143); the other, reached from
    (0.6, 4, 0.6), has lambda_1 ~ 0.131.
    """
    return jnp.stack(
        [
            -p["a"] * x[0] + x[1] + 10.0 * x[1] * x[2],
            -x[0] - 0.4 * x[1] + 5.0 * x[0] * x[2],
            p["b"] * x[2] - 5.0 * x[0] * x[1],
        ]
    )


def _dequan_li(x, p):
    """The Dequan Li three-scroll family: x' = a (y - x) + d x z, y' = k x + f y - x z, z' = c z + x y - eps x^2."""
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + p["d"] * x[0] * x[2],
            p["k"] * x[0] + p["f"] * x[1] - x[0] * x[2],
            p["c"] * x[2] + x[0] * x[1] - p["eps"] * x[0] ** 2,
        ]
    )


@register
@flow(
    params=dict(a=10.0, c=-2.6667, d=0.0, eps=0.0, f=0.0, k=16.0),
    x0=[-3.400051, -1.7649123, 15.841036],
    names=("x", "y", "z"),
    dt=0.01,
    reference="W. Zhou et al., On dynamics analysis of a new chaotic attractor, Phys. Lett. A 372, 5773 (2008)",
)
def pan_xu_zhou(x, p, t):
    """Pan-Xu-Zhou: x' = a (y - x) + d x z, y' = k x + f y - x z, z' = c z + x y - eps x^2.

    The Zhou et al. (2008) system x' = a (y - x), y' = k x - x z, z' = x y + c z written, as in dysts, as a
    member of the Dequan Li family with d = eps = f = 0. Transient chaos at dysts' parameters (a = 10, k = 16,
    c = -2.6667): the equilibria x = y = +-sqrt(-c k), z = k are stable (Routh-Hurwitz: k < a (a - c) / (a + c)
    = 17.27) and orbits leave the chaotic set for them after a few hundred time units (lambda_1 ~ 0.4 while
    on it). x0 is on the chaotic set; k = 20 gives a chaotic attractor (lambda_1 ~ 0.81).
    """
    return _dequan_li(x, p)


@register
@flow(
    x0=[1.124839, -1.3784215, -3.1784677],
    names=("x", "y", "z"),
    dt=0.02,
    reference="I. Pehlivan and Z. Wei, Analysis, nonlinear control, and chaos generator circuit of another "
    "strange chaotic system, Turk. J. Electr. Eng. Comput. Sci. 20, 1229 (2012)",
)
def pehlivan_wei(x, p, t):
    """Pehlivan-Wei: x' = y - y z, y' = y + y z - 2 x, z' = 2 - x y - y^2 (no parameters)."""
    return jnp.stack([x[1] - x[1] * x[2], x[1] + x[1] * x[2] - 2.0 * x[0], 2.0 - x[0] * x[1] - x[1] ** 2])


@register
@flow(
    params=dict(a=45.0, b=10.0, c=1.0, d=10.0),
    x0=[-2.5691026, -1.0852112, 7.8861568, 3.3264321],
    names=("x", "y", "z", "w"),
    dt=0.003,
    reference="G. Qi, S. Du, G. Chen, Z. Chen and Z. Yuan, On a four-dimensional chaotic system, "
    "Chaos Solitons Fractals 23, 1671 (2005)",
)
def qi(x, p, t):
    """Qi (4-D): x' = a (y - x) + y z w, y' = b (x + y) - x z w, z' = -c z + x y w, w' = -d w + x y z.

    Each equation has a three-term cross product; the system with these cubic terms is that of Qi et al.
    (2005), cited here (dysts cites Qi, van Wyk, van Wyk & Chen, Phys. Lett. A 372, 124 (2008)). Parameters
    are dysts'; at them the flow is chaotic with one positive exponent (lambda ~ 2.15, 0, -4.38, -43.8), not
    hyperchaotic as dysts' stored spectrum suggests.
    """
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + x[1] * x[2] * x[3],
            p["b"] * (x[0] + x[1]) - x[0] * x[2] * x[3],
            -p["c"] * x[2] + x[0] * x[1] * x[3],
            -p["d"] * x[3] + x[0] * x[1] * x[2],
        ]
    )


@register
@flow(
    params=dict(a=38.0, b=2.666, c=80.0),
    x0=[11.67797, 5.3686725, 73.696894],
    names=("x", "y", "z"),
    dt=0.002,
    reference="G. Qi, G. Chen, M. A. van Wyk, B. J. van Wyk and Y. Zhang, A four-wing chaotic attractor "
    "generated from a new 3-D quadratic autonomous system, Chaos Solitons Fractals 38, 705 (2008)",
)
def qi_chen(x, p, t):
    """Qi-Chen: x' = a (y - x) + y z, y' = c x + y - x z, z' = x y - b z.

    Equations and parameters (b = 2.666, not 8/3) as in dysts; not checked against the paper.
    """
    return jnp.stack(
        [p["a"] * (x[1] - x[0]) + x[1] * x[2], p["c"] * x[0] + x[1] - x[0] * x[2], x[0] * x[1] - p["b"] * x[2]]
    )


@register
@flow(
    params=dict(a=1.1, g=0.87),
    x0=[-0.69833318, 1.6938959, 0.82744602],
    names=("x", "y", "z"),
    dt=0.02,
    reference="M. I. Rabinovich and A. L. Fabrikant, Stochastic self-modulation of waves in nonequilibrium "
    "media, Sov. Phys. JETP 50, 311 (1979), https://www.jetp.ras.ru/cgi-bin/dn/e_050_02_0311.pdf",
)
def rabinovich_fabrikant(x, p, t):
    """Rabinovich-Fabrikant: x' = y (z - 1 + x^2) + g x, y' = x (3 z + 1 - x^2) + g y, z' = -2 z (a + x y).

    a and g are the paper's alpha and gamma; (a, g) = (1.1, 0.87) is the classic chaotic set.
    """
    return jnp.stack(
        [
            x[1] * (x[2] - 1.0 + x[0] ** 2) + p["g"] * x[0],
            x[0] * (3.0 * x[2] + 1.0 - x[0] ** 2) + p["g"] * x[1],
            -2.0 * x[2] * (p["a"] + x[0] * x[1]),
        ]
    )


@register
@flow(
    params=dict(a=2.0, b=6.7),
    x0=[2.9227312, -3.5602766, 10.550301],
    names=("x", "y", "z"),
    dt=0.04,
    reference="A. M. Rucklidge, Chaos in models of double convection, J. Fluid Mech. 237, 209 (1992), "
    "doi:10.1017/S0022112092003392",
)
def rucklidge(x, p, t):
    """Rucklidge: x' = -a x + b y - y z, y' = x, z' = -z + y^2 (a, b are the paper's kappa, lambda)."""
    return jnp.stack([-p["a"] * x[0] + p["b"] * x[1] - x[1] * x[2], x[0], -x[2] + x[1] ** 2])


@register
@flow(
    params=dict(a=-1.0, b=1.0, c=1.0, h=1.0, p=1.0, q=0.4, r=0.3, s=1.0),
    x0=[-4.3719321, 0.30217228, 1.9903306],
    names=("x", "y", "z"),
    dt=0.01,
    reference="C. Li, I. Pehlivan, J. C. Sprott and A. Akgul, A novel four-wing strange attractor born in "
    "bistability, IEICE Electron. Express 12, 20141116 (2015), doi:10.1587/elex.12.20141116",
)
def sakarya(x, p, t):
    """Sakarya: x' = a x + h y + s y z, y' = -b y - p x + q x z, z' = c z - r x y."""
    return jnp.stack(
        [
            p["a"] * x[0] + p["h"] * x[1] + p["s"] * x[1] * x[2],
            -p["b"] * x[1] - p["p"] * x[0] + p["q"] * x[0] * x[2],
            p["c"] * x[2] - p["r"] * x[0] * x[1],
        ]
    )


@register
@flow(
    params=dict(a=2.0),
    x0=[0.70685538, 1.3035283, -2.1150434],
    names=("x", "y", "z"),
    dt=0.02,
    reference="W. San-Um and B. Srisuchinwong, Highly complex chaotic system with piecewise linear "
    "nonlinearity and compound structures, J. Comput. 7, 1041 (2012), doi:10.4304/jcp.7.4.1041-1047",
)
def san_um_srisuchinwong(x, p, t):
    """San-Um-Srisuchinwong: x' = y - x, y' = -z tanh(x), z' = -a + x y + |y|.

    |y| is continuous with a kink at y = 0, so the Jacobian-based Lyapunov spectrum is exact (no jumps).
    """
    return jnp.stack([x[1] - x[0], -x[2] * jnp.tanh(x[0]), -p["a"] + x[0] * x[1] + jnp.abs(x[1])])


@register
@flow(
    params=dict(a=0.85, b=0.5),
    x0=[-0.24901904, 0.33350084, 1.1526832],
    names=("x", "y", "z"),
    dt=0.1,
    reference="T. Shimizu and N. Morioka, On the bifurcation of a symmetric limit cycle to an asymmetric one "
    "in a simple model, Phys. Lett. A 76, 201 (1980), doi:10.1016/0375-9601(80)90466-1",
)
def shimizu_morioka(x, p, t):
    """Shimizu-Morioka: x' = y, y' = x - a y - x z, z' = -b z + x^2."""
    return jnp.stack([x[1], x[0] - p["a"] * x[1] - x[0] * x[2], -p["b"] * x[2] + x[0] ** 2])


@register
@flow(
    params=dict(a=0.5, b=10.0),
    x0=[-6.3811662, 0.92641762, 0.61376802],
    names=("x", "y", "z"),
    dt=0.02,
    reference="R. Thomas, Deterministic chaos seen in terms of feedback circuits: analysis, synthesis, "
    "'labyrinth chaos', Int. J. Bifurcation Chaos 9, 1889 (1999), doi:10.1142/S0218127499001383",
)
def thomas_labyrinth(x, p, t):
    """Thomas labyrinth: x' = -a x + b sin y, y' = -a y + b sin z, z' = -a z + b sin x.

    dysts' two-parameter form of Thomas' cyclically symmetric system (``thomas`` is x' = sin y - b x);
    a/b = 0.05 is close to the damping-free 'labyrinth chaos' limit, with trajectories wandering over
    many cells of the sine lattice.
    """
    return -p["a"] * x + p["b"] * jnp.sin(jnp.roll(x, -1))


@register
@flow(
    params=dict(a=40.0, c=0.833, d=0.5, eps=0.65, f=20.0, k=0.0),
    x0=[39.932963, 41.595464, 24.715328],
    names=("x", "y", "z"),
    dt=0.001,
    reference="Pan, Zhou and Li, Synchronization of three-scroll unified chaotic system (TSUCS) and its "
    "hyper-chaotic system using active pinning control (2013); the family: D. Li, "
    "A three-scroll chaotic attractor, Phys. Lett. A 372, 387 (2008), doi:10.1016/j.physleta.2007.07.045",
)
def tsucs2(x, p, t):
    """TSUCS2: x' = a (y - x) + d x z, y' = k x + f y - x z, z' = c z + x y - eps x^2.

    The second three-scroll unified chaotic system, a member of the Dequan Li family (k = 0). Not chaotic at
    dysts' parameters: orbits from dysts' initial condition settle on a quasi-periodic torus (two zero
    exponents, lambda_3 ~ -1.50; dysts' stored spectrum, whose sum is not <div f>, is wrong).
    """
    return _dequan_li(x, p)


@register
@flow(
    params=dict(a=0.2, b=-0.01, d=-0.4, e=-1.0, f=-1.0, q=1.0),
    x0=[-0.017252244, 0.081941699, -0.00037754156],
    names=("x", "y", "z"),
    dt=0.05,
    reference="Z. Wang, Y. Sun, B. J. van Wyk, G. Qi and M. A. van Wyk, A 3-D four-wing attractor and its "
    "analysis, Braz. J. Phys. 39, 547 (2009), doi:10.1590/S0103-97332009000500007",
)
def wang_sun(x, p, t):
    """Wang-Sun: x' = a x + q y z, y' = b x + d y - x z, z' = e z + f x y."""
    return jnp.stack(
        [
            p["a"] * x[0] + p["q"] * x[1] * x[2],
            p["b"] * x[0] + p["d"] * x[1] - x[0] * x[2],
            p["e"] * x[2] + p["f"] * x[0] * x[1],
        ]
    )


@register
@flow(
    params=dict(a=10.0, b=40.0, c=2.0, d=2.5),
    x0=[-0.85782829, 1.923416, 34.318733],
    names=("x", "y", "z"),
    dt=0.0015,
    reference="F. Yu and C. Wang, A novel three dimension autonomous chaotic system with a quadratic "
    "exponential nonlinear term, Eng. Technol. Appl. Sci. Res. 2, 209 (2012)",
)
def yu_wang(x, p, t):
    """Yu-Wang: x' = a (y - x), y' = b x - c x z, z' = exp(x y) - d z.

    Bursts of exp(x y) drive z up to ~50; lambda_1 ~ 1.37 (dysts' stored 2.46 has a sum != <div f> = -a - d).
    """
    return jnp.stack(
        [p["a"] * (x[1] - x[0]), p["b"] * x[0] - p["c"] * x[0] * x[2], jnp.exp(x[0] * x[1]) - p["d"] * x[2]]
    )


@register
@flow(
    params=dict(a=10.0, b=30.0, c=2.0, d=2.5),
    x0=[-0.021665308, -0.31973549, 12.300108],
    names=("x", "y", "z"),
    dt=0.002,
    reference="F. Yu and C. Wang, A novel three dimension autonomous chaotic system with a quadratic "
    "exponential nonlinear term, Eng. Technol. Appl. Sci. Res. 2, 209 (2012) (the cosh variant)",
)
def yu_wang2(x, p, t):
    """Yu-Wang (cosh variant): x' = a (y - x), y' = b x - c x z, z' = cosh(x y) - d z."""
    return jnp.stack(
        [p["a"] * (x[1] - x[0]), p["b"] * x[0] - p["c"] * x[0] * x[2], jnp.cosh(x[0] * x[1]) - p["d"] * x[2]]
    )


@register
@flow(
    params=dict(a=2.97, b=0.15, c=-3.0, d=1.0, e=-8.78),
    x0=[1.1777797, -1.7226919, -3.4423109],
    names=("x", "y", "z"),
    dt=0.002,
    reference="T. Zhou and G. Chen, A simple smooth chaotic system with a 3-layer attractor, "
    "Int. J. Bifurcation Chaos 14 (2004)",
)
def zhou_chen(x, p, t):
    """Zhou-Chen: x' = a x + b y + y z, y' = c y - x z + d y z, z' = e z - x y.

    <z>, hence <div f> = a + c + e + d <z>, converges slowly: spectra need ~10^4 time units.
    """
    return jnp.stack(
        [
            p["a"] * x[0] + p["b"] * x[1] + x[1] * x[2],
            p["c"] * x[1] - x[0] * x[2] + p["d"] * x[1] * x[2],
            p["e"] * x[2] - x[0] * x[1],
        ]
    )


@register
@flow(
    params=dict(b=0.05, A=0.6, Omega=0.7),
    x0=[-0.56605394, 1.0885891],
    names=("theta", "omega"),
    dt=0.1,
    flags=("forced",),
    unbounded=(0,),
    reference="J. C. Sprott, Chaos and Time-Series Analysis, Oxford University Press, Appendix A (2003), "
    "doi:10.1093/oso/9780198508397.001.0001; G. L. Baker and J. P. Gollub, Chaotic Dynamics: "
    "An Introduction, Cambridge University Press (1990)",
)
def driven_pendulum(x, p, t):
    """Driven pendulum: theta' = omega, omega' = -b omega - sin(theta) + A sin(Omega t).

    Sprott's damped, sinusoidally forced pendulum (b = 0.05, A = 0.6, Omega = 0.7). The pendulum
    rotates over the top, so the angle theta is unbounded (not reduced mod 2 pi). x0 is on the attractor
    at forcing phase Omega t = 0 (mod 2 pi), with theta reduced to (-pi, pi].
    """
    return jnp.stack([x[1], -p["b"] * x[1] - jnp.sin(x[0]) + p["A"] * jnp.sin(p["Omega"] * t)])


@register
@flow(
    params=dict(R1=22.0, R2=14.5, Rn=6.9, r=0.1, C1=0.01, C2=0.1, L=0.32, I0=2.295e-5, k=3.0038),
    x0=[-1.5966384, 0.91692499, -0.47561074],
    names=("v1", "v2", "i"),
    dt=0.01,
    reference="M. Shinriki, M. Yamamoto and S. Mori, Multimode oscillations in a modified van der Pol "
    "oscillator containing a positive nonlinear conductance, Proc. IEEE 69, 394 (1981), "
    "doi:10.1109/PROC.1981.11973",
)
def shinriki(x, p, t):
    """Shinriki: C1 v1' = v1 (1/Rn - 1/R1) - g(v1 - v2), C2 v2' = g(v1 - v2) - i, L i' = v2 - r i.

    g(u) = u / R2 + 2 I0 sinh(k u) is the branch of resistor R2 and two antiparallel diodes, Rn a negative
    resistance; units V, mA, kOhm, microF, H and ms. Parameters are those of DynamicalSystems.jl's
    predefined ``shinriki``; at R1 = 22 kOhm the flow is chaotic (lambda_1 ~ 0.40 per ms).
    """
    u = x[0] - x[1]
    g = u / p["R2"] + 2.0 * p["I0"] * jnp.sinh(p["k"] * u)
    return jnp.stack(
        [(x[0] * (1.0 / p["Rn"] - 1.0 / p["R1"]) - g) / p["C1"], (g - x[2]) / p["C2"], (x[1] - p["r"] * x[2]) / p["L"]]
    )
