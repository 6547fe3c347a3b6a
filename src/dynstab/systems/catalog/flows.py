"""Classic chaotic flows, each written from its cited paper.

Initial conditions lie on (or very near) the attractor; ``dt`` is a step at which
fixed-step RK4 resolves the dynamics to better than 1e-6 relative error per unit time.
"""

import jax.numpy as jnp

from ..base import flow
from ..registry import register
from . import DYSTS_DIFFERENCES


def _lorenz_jac(x, p, t):
    return jnp.array(
        [
            [-p["sigma"], p["sigma"], 0.0],
            [p["rho"] - x[2], -1.0, -x[0]],
            [x[1], x[0], -p["beta"]],
        ]
    )


@register
@flow(
    params=dict(sigma=10.0, rho=28.0, beta=8.0 / 3.0),
    x0=[-9.7869288, -15.03852, 20.533978],
    names=("x", "y", "z"),
    dt=0.01,
    jac=_lorenz_jac,
    aliases=("lorenz63",),
    reference="E. N. Lorenz, Deterministic nonperiodic flow, J. Atmos. Sci. 20, 130 (1963), "
    "doi:10.1175/1520-0469(1963)020<0130:DNF>2.0.CO;2",
)
def lorenz(x, p, t):
    """Lorenz-63: x' = sigma (y - x), y' = x (rho - z) - y, z' = x y - beta z."""
    return jnp.stack([p["sigma"] * (x[1] - x[0]), x[0] * (p["rho"] - x[2]) - x[1], x[0] * x[1] - p["beta"] * x[2]])


@register
@flow(
    params=dict(a=0.2, b=0.2, c=5.7),
    x0=[-9.0, 0.0, 0.0],
    names=("x", "y", "z"),
    dt=0.01,
    reference="O. E. Rossler, An equation for continuous chaos, Phys. Lett. A 57, 397 (1976), "
    "doi:10.1016/0375-9601(76)90101-8",
)
def rossler(x, p, t):
    """Rossler: x' = -y - z, y' = x + a y, z' = b + z (x - c)."""
    return jnp.stack([-x[1] - x[2], x[0] + p["a"] * x[1], p["b"] + x[2] * (x[0] - p["c"])])


@register
@flow(
    params=dict(a=35.0, b=3.0, c=28.0),
    x0=[-10.174139, -11.144979, 23.394903],
    names=("x", "y", "z"),
    dt=0.002,
    reference="G. Chen and T. Ueta, Yet another chaotic attractor, Int. J. Bifurcation Chaos 9, 1465 (1999), "
    "doi:10.1142/S0218127499001024",
)
def chen(x, p, t):
    """Chen: x' = a (y - x), y' = (c - a) x - x z + c y, z' = x y - b z."""
    return jnp.stack(
        [p["a"] * (x[1] - x[0]), (p["c"] - p["a"]) * x[0] - x[0] * x[2] + p["c"] * x[1], x[0] * x[1] - p["b"] * x[2]]
    )


@register
@flow(
    params=dict(alpha=15.6, beta=28.0, m0=-8.0 / 7.0, m1=-5.0 / 7.0),
    x0=[-2.2300079, -0.16127287, 3.3594377],
    names=("x", "y", "z"),
    dt=0.005,
    aliases=("chua_circuit",),
    reference="L. O. Chua, M. Komuro and T. Matsumoto, The double scroll family, IEEE Trans. Circuits Syst. 33, "
    "1072 (1986), doi:10.1109/TCS.1986.1085869; circuit: T. Matsumoto, A chaotic attractor from Chua's "
    "circuit, IEEE Trans. Circuits Syst. 31, 1055 (1984), doi:10.1109/TCS.1984.1085459",
)
def chua(x, p, t):
    """Chua's circuit: x' = alpha (y - x - h(x)), y' = x - y + z, z' = -beta y.

    Dimensionless form with the piecewise-linear diode h(x) = m1 x + (m0 - m1)(|x + 1| - |x - 1|)/2;
    alpha = 15.6, beta = 28, m0 = -8/7, m1 = -5/7 give the double-scroll attractor.
    """
    h = p["m1"] * x[0] + 0.5 * (p["m0"] - p["m1"]) * (jnp.abs(x[0] + 1.0) - jnp.abs(x[0] - 1.0))
    return jnp.stack([p["alpha"] * (x[1] - x[0] - h), x[0] - x[1] + x[2], -p["beta"] * x[1]])


@register
@flow(
    params=dict(a=0.208186, b=1.0),
    x0=[0.51404849, 3.3065117, 2.6056214],
    names=("x", "y", "z"),
    dt=0.05,
    reference="R. Thomas, Deterministic chaos seen in terms of feedback circuits: analysis, synthesis, "
    "'labyrinth chaos', Int. J. Bifurcation Chaos 9, 1889 (1999), doi:10.1142/S0218127499001383",
)
def thomas(x, p, t):
    """Thomas (cyclically symmetric): x' = -a x + b sin y, y' = -a y + b sin z, z' = -a z + b sin x.

    Defaults are Thomas's damping a = 0.208186 (his b) and b = 1; dysts' defaults a = 1.85, b = 10 are
    Thomas's form with damping a / b = 0.185 and time running 10 times faster.
    """
    return p["b"] * jnp.sin(jnp.roll(x, -1)) - p["a"] * x


@register
@flow(
    params=dict(a=1.27, b=4.0),
    x0=[1.9009235, -3.4928313, -2.2885176],
    names=("x", "y", "z"),
    dt=0.005,
    reference="J. C. Sprott, Chaos and Time-Series Analysis, Oxford University Press, Appendix A (2003), "
    "doi:10.1093/oso/9780198508397.001.0001 (Halvorsen's cyclically symmetric attractor); also "
    "J. C. Sprott, Elegant Chaos, World Scientific (2010), doi:10.1142/7183",
)
def halvorsen(x, p, t):
    """Halvorsen: x' = -a x - b y - b z - y^2, y' = -a y - b z - b x - z^2, z' = -a z - b x - b y - x^2.

    b = 4 in Sprott's form; a = 1.27 is Sprott's chaotic value (lambda_1 ~ 0.79; dysts uses a = 1.4);
    a = 1.89, also quoted, gives a limit cycle.
    """
    y, z = jnp.roll(x, -1), jnp.roll(x, -2)
    return -p["a"] * x - p["b"] * y - p["b"] * z - y**2


@register
@flow(
    x0=[-0.6532879, -0.086469208, 0.071974164],
    names=("x", "y", "z"),
    dt=0.05,
    reference="J. C. Sprott, Some simple chaotic flows, Phys. Rev. E 50, R647 (1994), "
    "doi:10.1103/PhysRevE.50.R647 (case B)",
)
def sprott_b(x, p, t):
    """Sprott B: x' = y z, y' = x - y, z' = 1 - x y."""
    return jnp.stack([x[1] * x[2], x[0] - x[1], 1.0 - x[0] * x[1]])


_LORENZ96_X0 = {
    # States on the F = 8 attractor (RK4, dt = 0.01, 100 time units from x = F + 0.01 e_1).
    10: [
        -1.014718,
        6.787081,
        2.3200271,
        -0.70568343,
        4.0511264,
        10.418182,
        6.2783444,
        -0.674831,
        -3.2839773,
        -1.6305501,
    ],
    40: [
        -3.4520191,
        0.39687503,
        1.2019778,
        7.345702,
        -1.1808081,
        -0.16532263,
        -1.0992866,
        6.2845877,
        10.501405,
        2.7910262,
        4.447267,
        1.5969071,
        -2.2639396,
        0.71600307,
        5.0514664,
        3.2632427,
        -4.1312153,
        4.5574996,
        3.410553,
        4.3114626,
        -0.11730848,
        -3.5413297,
        -3.1665759,
        1.2857684,
        6.8177384,
        0.10651158,
        3.0548165,
        8.7439534,
        2.0814673,
        2.7192028,
        7.6671998,
        6.4059211,
        -1.8342185,
        2.1526992,
        5.9811698,
        -0.3760145,
        -1.121564,
        1.2495784,
        10.593816,
        1.7602207,
    ],
}


def _lorenz96(x, p, t):
    """Lorenz-96: x_i' = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + F, i = 1..N cyclic.

    The default state is on the F = 8 attractor for N = 10 and N = 40; for any other N it is the classic
    start x = F + 0.01 e_1 (off the attractor: discard a transient of ~20 time units). The forcing keeps
    Lorenz's name F (dysts calls it f and defaults to f = 20 with N = 4); the law is dysts'.
    """
    return (jnp.roll(x, -1) - jnp.roll(x, 2)) * jnp.roll(x, 1) - x + p["F"]


def make_lorenz96(N: int = 10):
    """Lorenz-96 with N variables (structural) and forcing F (parameter, default 8)."""
    N = int(N)
    if N < 4:
        raise ValueError(f"lorenz96 needs N >= 4 variables, got N={N}")
    x0 = _LORENZ96_X0.get(N)
    if x0 is None:
        x0 = [8.0 + 0.01] + [8.0] * (N - 1)
    return flow(
        params=dict(F=8.0),
        x0=x0,
        names=tuple(f"x{i + 1}" for i in range(N)),
        name="lorenz96",
        dt=0.01,
        reference="E. N. Lorenz, Predictability: a problem partly solved, Proc. Seminar on Predictability, "
        "ECMWF, Reading, vol. 1, p. 1 (1996); reprinted in Predictability of Weather and Climate, "
        "Cambridge University Press, p. 40 (2006), doi:10.1017/CBO9780511617652.004",
    )(_lorenz96)


register(make_lorenz96, structural=("N",))
DYSTS_DIFFERENCES["lorenz96"] = (
    "same law, but the forcing keeps Lorenz's name F (dysts: f) and the size N is "
    "structural (default N = 10, F = 8; dysts: N = 4, f = 20)"
)


@register
@flow(
    params=dict(delta=0.3, alpha=-1.0, beta=1.0, gamma=0.5, omega=1.2),
    x0=[-1.1872344, -0.23969479],
    names=("x", "v"),
    dt=0.02,
    flags=("forced",),
    reference="P. Holmes, A nonlinear oscillator with a strange attractor, Philos. Trans. R. Soc. London A 292, "
    "419 (1979), doi:10.1098/rsta.1979.0068 (G. Duffing, Erzwungene Schwingungen bei veranderlicher "
    "Eigenfrequenz, Vieweg, Braunschweig, 1918)",
)
def duffing(x, p, t):
    """Forced Duffing: x' = v, v' = -delta v - alpha x - beta x^3 + gamma cos(omega t).

    Two-well chaotic parameters delta = 0.3, alpha = -1, beta = 1, gamma = 0.5, omega = 1.2;
    x0 is on the attractor at forcing phase omega t = 0 (mod 2 pi). dysts writes Duffing as an
    autonomous 3-D flow with the phase z' = omega, alpha and beta exchanged (alpha cubic) and other
    values (delta = 0.1, gamma = 0.35, omega = 1.4); we keep the explicitly forced 2-D form.
    """
    return jnp.stack(
        [x[1], -p["delta"] * x[1] - p["alpha"] * x[0] - p["beta"] * x[0] ** 3 + p["gamma"] * jnp.cos(p["omega"] * t)]
    )


DYSTS_DIFFERENCES["duffing"] = (
    "dysts writes the forced Duffing oscillator as an autonomous 3-D flow with a phase "
    "variable and alpha/beta exchanged; ours is the explicitly forced 2-D form"
)


@register
@flow(
    params=dict(mu=1.0),
    x0=[1.9536549, -0.36678136],
    names=("x", "y"),
    dt=0.02,
    reference="B. van der Pol, On relaxation-oscillations, Philos. Mag. 2, 978 (1926), doi:10.1080/14786442608564127",
)
def van_der_pol(x, p, t):
    """van der Pol: x' = y, y' = mu (1 - x^2) y - x (x0 on the limit cycle)."""
    return jnp.stack([x[1], p["mu"] * (1.0 - x[0] ** 2) * x[1] - x[0]])


def henon_heiles_energy(x, p=None):
    """H = (u^2 + v^2 + x^2 + y^2)/2 + lam (x^2 y - y^3/3) for the state (x, y, u, v) (lam = 1 if p is None)."""
    lam = 1.0 if p is None else p["lam"]
    return 0.5 * (x[2] ** 2 + x[3] ** 2 + x[0] ** 2 + x[1] ** 2) + lam * (x[0] ** 2 * x[1] - x[1] ** 3 / 3.0)


@register
@flow(
    params=dict(lam=1.0),
    x0=[0.499, 0.0, 0.0, 0.03160676],
    names=("x", "y", "u", "v"),
    dt=0.02,
    flags=("hamiltonian",),
    reference="M. Henon and C. Heiles, The applicability of the third integral of motion: some numerical "
    "experiments, Astron. J. 69, 73 (1964), doi:10.1086/109234",
)
def henon_heiles(x, p, t):
    """Henon-Heiles: x' = u, y' = v, u' = -x - 2 lam x y, v' = -y - lam x^2 + lam y^2.

    lam = 1 is Henon and Heiles' potential (lam scales the cubic terms, as in dysts);
    x0 (Sprott) lies in the chaotic sea at energy E = 1/8; ``henon_heiles_energy`` gives H.
    """
    lam = p["lam"]
    return jnp.stack([x[2], x[3], -x[0] - 2.0 * lam * x[0] * x[1], -x[1] - lam * x[0] ** 2 + lam * x[1] ** 2])


def double_pendulum_energy(x, p):
    """Total energy T + V of the double pendulum (V = 0 at the pivot) for the state (theta1, omega1, theta2, omega2)."""
    th1, w1, th2, w2 = x[0], x[1], x[2], x[3]
    m1, m2, l1, l2, g = p["m1"], p["m2"], p["l1"], p["l2"], p["g"]
    kinetic = 0.5 * (m1 + m2) * l1**2 * w1**2 + 0.5 * m2 * l2**2 * w2**2 + m2 * l1 * l2 * w1 * w2 * jnp.cos(th1 - th2)
    potential = -(m1 + m2) * g * l1 * jnp.cos(th1) - m2 * g * l2 * jnp.cos(th2)
    return kinetic + potential


@register
@flow(
    params=dict(m1=1.0, m2=1.0, l1=1.0, l2=1.0, g=9.81),
    x0=[2.0, 0.0, 2.0, 0.0],
    names=("theta1", "omega1", "theta2", "omega2"),
    dt=0.002,
    flags=("hamiltonian",),
    reference="T. Shinbrot, C. Grebogi, J. Wisdom and J. A. Yorke, Chaos in a double pendulum, "
    "Am. J. Phys. 60, 491 (1992), doi:10.1119/1.16860",
)
def double_pendulum(x, p, t):
    """Double pendulum: theta_i' = omega_i, omega_i' from the Lagrangian of two point masses on rigid rods.

    Angles from the downward vertical; omega1' = [-g (2 m1 + m2) sin th1 - m2 g sin(th1 - 2 th2)
    - 2 sin(d) m2 (omega2^2 l2 + omega1^2 l1 cos d)] / (l1 D), omega2' = 2 sin(d) [omega1^2 l1 (m1 + m2)
    + g (m1 + m2) cos th1 + omega2^2 l2 m2 cos d] / (l2 D), d = th1 - th2, D = 2 m1 + m2 - m2 cos 2d.
    Energy is conserved (``double_pendulum_energy``); phase volume is conserved in the canonical
    momenta, not in (theta, omega). x0 (both rods at 2 rad, at rest) is chaotic (lambda_1 ~ 1.3).
    dysts integrates the same mechanics in the state (theta1, theta2, p1, p2) with canonical momenta.
    """
    th1, w1, th2, w2 = x[0], x[1], x[2], x[3]
    m1, m2, l1, l2, g = p["m1"], p["m2"], p["l1"], p["l2"], p["g"]
    d = th1 - th2
    den = 2.0 * m1 + m2 - m2 * jnp.cos(2.0 * d)
    a1 = (
        -g * (2.0 * m1 + m2) * jnp.sin(th1)
        - m2 * g * jnp.sin(th1 - 2.0 * th2)
        - 2.0 * jnp.sin(d) * m2 * (w2**2 * l2 + w1**2 * l1 * jnp.cos(d))
    ) / (l1 * den)
    a2 = (
        2.0
        * jnp.sin(d)
        * (w1**2 * l1 * (m1 + m2) + g * (m1 + m2) * jnp.cos(th1) + w2**2 * l2 * m2 * jnp.cos(d))
        / (l2 * den)
    )
    return jnp.stack([w1, a1, w2, a2])


DYSTS_DIFFERENCES["double_pendulum"] = (
    "same mechanics, but dysts' state is (theta1, theta2, p1, p2) with canonical "
    "momenta, ours (theta1, omega1, theta2, omega2) with angular velocities"
)


@register
@flow(
    params=dict(
        r=[1.0, 0.72, 1.53, 1.27],
        a=[[1.0, 1.09, 1.52, 0.0], [0.0, 1.0, 0.44, 1.36], [2.33, 0.0, 1.0, 0.47], [1.21, 0.51, 0.35, 1.0]],
    ),
    x0=[0.3731463, 0.69743621, 0.002051798, 0.16514776],
    names=("x1", "x2", "x3", "x4"),
    dt=0.05,
    aliases=("competitive_lotka_volterra",),
    reference="J. A. Vano, J. C. Wildenberg, M. B. Anderson, J. K. Noel and J. C. Sprott, Chaos in "
    "low-dimensional Lotka-Volterra models of competition, Nonlinearity 19, 2391 (2006), "
    "doi:10.1088/0951-7715/19/10/006",
)
def lotka_volterra4(x, p, t):
    """Competitive Lotka-Volterra (4 species): x_i' = r_i x_i (1 - sum_j a_ij x_j)."""
    return p["r"] * x * (1.0 - p["a"] @ x)
