"""The systems of Sprott's "Chaos and Time-Series Analysis", Appendix A, that the other modules lack.

Appendix A ("Common chaotic systems", the same list as sprott.physics.wisc.edu/chaos/comchaos.htm)
gives each system with its parameters, an initial condition and its Lyapunov exponents (natural
log, per iteration for maps and per time unit for flows). The other Appendix A systems are in the
catalog already, some at other default parameters: docs/catalog-coverage.md lists every one with
its dynstab name and parameter overrides. Each law here is written from the Appendix A equations;
each docstring gives Sprott's initial condition and, mostly, his published largest exponent; our own
values are in docs/catalog-coverage.md and tests/systems/test_catalog_sprott.py. ``x0`` lies on the
attractor (iterated or integrated past a transient from Sprott's initial condition; forced flows at
forcing phase 0; the conservative systems keep Sprott's x0, which picks the orbit), and a flow's ``dt``
keeps the RK4 step-halving error of the state over 20 time units (8 forcing periods) at ~1e-5 of its
scale or below.
"""

import jax.numpy as jnp

from ..base import flow
from ..base import map as discrete_map
from ..registry import register
from . import DYSTS_DIFFERENCES  # noqa: F401

_TWO_PI = 2.0 * jnp.pi
_JERK = ("x", "x_dot", "x_ddot")


def _sprott(section: str, name: str) -> str:
    return (
        f"J. C. Sprott, Chaos and Time-Series Analysis, Oxford University Press, App. A.{section} '{name}' "
        "(2003), doi:10.1093/oso/9780198508397.001.0001"
    )


# --- A.1 noninvertible maps ------------------------------------------------------------------


@register
@discrete_map(
    params=dict(mu=1.0),
    x0=[0.90686144],
    names=("x",),
    reference=_sprott("1.2", "Sine map") + "; R. M. May, Nature 261, 459 (1976), doi:10.1038/261459a0",
)
def sine_map(x, p, n):
    """Sine map: x' = mu sin(pi x) on [0, 1].

    Unimodal like the logistic map but not conjugate to it; at mu = 1 the exponent is 0.6891 per
    iteration (Sprott's x0 = 0.1), a little below ln 2.
    """
    return p["mu"] * jnp.sin(jnp.pi * x)


@register
@discrete_map(
    params=dict(a=7141.0, c=54773.0, m=259200.0),
    x0=[0.0],
    names=("u",),
    periodic=((0, 1.0),),
    aliases=("lcg",),
    reference=_sprott("1.4", "Linear congruential generator")
    + "; constants from W. H. Press et al., Numerical Recipes, Cambridge University Press (1986)",
)
def linear_congruential_generator(x, p, n):
    """Linear congruential generator: x' = (a x + c) mod m, written for u = x / m: u' = (a u + c / m) mod 1.

    Sprott's pseudo-random generator a = 7141, c = 54773, m = 259200 (x0 = 0). On the integers it has
    period m; as a map of the real circle it stretches uniformly, so the exponent is exactly ln a = 8.8737.
    We iterate the scaled form on [0, 1) (bounded like the catalog's other maps); rounding then makes the
    orbit leave the integer lattice after a few steps, as any real-valued orbit of a map of slope 7141 does.
    """
    return jnp.mod(p["a"] * x + p["c"] / p["m"], 1.0)


@register
@discrete_map(
    params=dict(a=2.0),
    x0=[-0.7929966],
    names=("x",),
    reference=_sprott("1.8", "Cusp map")
    + "; P. C. Hemmer, The exact invariant density for a cusp-shaped return map, J. Phys. A 17, L247 (1984)",
)
def cusp_map(x, p, n):
    """Cusp map: x' = 1 - a sqrt|x| on [-1, 1].

    The slope is infinite at x = 0 (a cusp), so the exponent is the average of ln(a / (2 sqrt|x|)); at
    a = 2 Sprott gives 0.5 per iteration (x0 = 0.5).
    """
    return 1.0 - p["a"] * jnp.sqrt(jnp.abs(x))


@register
@discrete_map(
    params=dict(s=2.0, c=0.5),
    x0=[0.436404],
    names=("x",),
    aliases=("pinchers",),
    reference=_sprott("1.10", "Pinchers map"),
)
def pinchers_map(x, p, n):
    """Pinchers map: x' = |tanh(s (x - c))|.

    s = 2, c = 0.5 (Sprott; x0 = 0): exponent 0.4680 per iteration.
    """
    return jnp.abs(jnp.tanh(p["s"] * (x - p["c"])))


# --- A.2 dissipative maps --------------------------------------------------------------------


@register
@discrete_map(
    params=dict(A=2.27),
    x0=[0.065924637, 0.029638914],
    names=("x", "y"),
    reference=_sprott("2.3", "Delayed logistic map")
    + "; D. G. Aronson, M. A. Chory, G. R. Hall and R. P. McGehee, Commun. Math. Phys. 83, 303 (1982)",
)
def delayed_logistic_map(x, p, n):
    """Delayed logistic map: x' = A x (1 - y), y' = x.

    A = 2.27 (Sprott; x0 = (0.001, 0.001), near the unstable origin): lambda_1 = 0.1831 per iteration
    (Sprott). det J = A x.
    """
    return jnp.stack([p["A"] * x[0] * (1.0 - x[1]), x[0]])


@register
@discrete_map(
    params=dict(b=0.1, k=8.8),
    x0=[2.6655689, 4.072886],
    names=("x", "y"),
    periodic=((0, 2.0 * jnp.pi), (1, 2.0 * jnp.pi)),
    aliases=("dissipative_standard",),
    reference=_sprott("2.8", "Dissipative standard map")
    + "; G. Schmidt and B. W. Wang, Dissipative standard map, Phys. Rev. A 32, 2994 (1985)",
)
def dissipative_standard_map(x, p, n):
    """Dissipative standard map: y' = b y + k sin x, x' = x + y' (both mod 2 pi).

    The standard map with the momentum damped by b (det J = b, so the exponents sum to ln b); b = 0.1,
    k = 8.8 (Sprott; x0 = (0.1, 0.1)): lambda_1 = 1.4700 per iteration (Sprott).
    """
    y = p["b"] * x[1] + p["k"] * jnp.sin(x[0])
    return jnp.mod(jnp.stack([x[0] + y, y]), 2.0 * jnp.pi)


@register
@discrete_map(
    params=dict(delta=0.1),
    x0=[0.14097635, 0.91623127],
    names=("x", "y"),
    periodic=((0, 1.0), (1, 1.0)),
    aliases=("sinai",),
    reference=_sprott("2.10", "Sinai map"),
)
def sinai_map(x, p, n):
    """Sinai map: x' = x + y + delta cos(2 pi y), y' = x + 2 y (both mod 1).

    Arnold's cat map perturbed by delta cos(2 pi y), a non-area-preserving Anosov map of the torus;
    delta = 0.1 (Sprott; x0 = (0.5, 0.5)): lambda_1 = 0.9594 per iteration (Sprott).
    """
    return jnp.mod(jnp.stack([x[0] + x[1] + p["delta"] * jnp.cos(_TWO_PI * x[1]), x[0] + 2.0 * x[1]]), 1.0)


# --- A.3 conservative maps -------------------------------------------------------------------


@register
@discrete_map(
    params=dict(cos_alpha=0.24),
    x0=[0.6, 0.13],
    names=("x", "y"),
    flags=("conservative",),
    aliases=("henon_quadratic_area_preserving", "henon_area_preserving"),
    reference=_sprott("3.2", "Henon area-preserving quadratic map")
    + "; M. Henon, Numerical study of quadratic area-preserving mappings, Quart. Appl. Math. 27, 291 (1969)",
)
def henon_area_preserving_map(x, p, n):
    """Henon's area-preserving quadratic map: x' = x cos a - (y - x^2) sin a, y' = x sin a + (y - x^2) cos a.

    A shear (y - x^2) followed by a rotation by a, cos a = 0.24 (Sprott; x0 = (0.6, 0.13)). det J = 1:
    exponents (lambda, -lambda); islands and chaotic layers coexist, so lambda depends on the orbit
    (Sprott: 0.00643 per iteration from his x0).
    """
    ca = p["cos_alpha"]
    sa = jnp.sqrt(1.0 - ca * ca)
    w = x[1] - x[0] ** 2
    return jnp.stack([x[0] * ca - w * sa, x[0] * sa + w * ca])


@register
@discrete_map(
    params=dict(alpha=0.5 * jnp.pi, k=1.0),
    x0=[0.0, 3.0],
    names=("x", "y"),
    flags=("conservative",),
    aliases=("stochastic_web_map",),
    reference=_sprott("3.5", "Chaotic web map")
    + "; A. A. Chernikov, R. Z. Sagdeev and G. M. Zaslavsky, Chaos: how regular can it be?, Physics Today 41(11), 27 (1988)",
)
def chaotic_web_map(x, p, n):
    """Chaotic (stochastic) web map: x' = x cos a - (y + k sin x) sin a, y' = x sin a + (y + k sin x) cos a.

    A kick k sin x followed by a rotation by a = pi / 2 (four-fold symmetric web), k = 1 (Sprott; x0 =
    (0, 3)). Area preserving: exponents (lambda, -lambda); orbits in the web's thin chaotic channels
    spread slowly over the plane, so lambda depends on the orbit (Sprott: 0.0485 per iteration).
    """
    w = x[1] + p["k"] * jnp.sin(x[0])
    ca, sa = jnp.cos(p["alpha"]), jnp.sin(p["alpha"])
    return jnp.stack([x[0] * ca - w * sa, x[0] * sa + w * ca])


# --- A.4 driven dissipative flows ------------------------------------------------------------


@register
@flow(
    params=dict(b=1.0, A=1.0, Omega=2.0),
    x0=[-0.52447107, 1.8724567],
    names=("x", "y"),
    dt=0.02,
    flags=("forced",),
    aliases=("shaw_vdp",),
    reference=_sprott("4.3", "Shaw-van der Pol oscillator")
    + "; R. Shaw, Strange attractors, chaotic behavior, and information flow, Z. Naturforsch. 36a, 80 (1981)",
)
def shaw_van_der_pol(x, p, t):
    """Shaw-van der Pol oscillator: x' = y + A sin(Omega t), y' = -x + b (1 - x^2) y.

    The van der Pol oscillator forced in the velocity equation of x; b = 1, A = 1, Omega = 2 (Sprott; x0 =
    (1.3, 0)). x0 is on the attractor at forcing phase Omega t = 0 (mod 2 pi).
    """
    return jnp.stack([x[1] + p["A"] * jnp.sin(p["Omega"] * t), -x[0] + p["b"] * (1.0 - x[0] ** 2) * x[1]])


@register
@flow(
    params=dict(mu=0.2, gamma=8.0, A=0.35, Omega=1.02),
    x0=[0.067411482, -0.66948368],
    names=("x", "v"),
    dt=0.02,
    flags=("forced",),
    reference=_sprott("4.7", "Duffing-van der Pol oscillator")
    + "; Y. Ueda and N. Akamatsu, IEEE Trans. Circuits Syst. 28, 217 (1981)",
)
def duffing_van_der_pol(x, p, t):
    """Duffing-van der Pol oscillator: x' = v, v' = mu (1 - gamma x^2) v - x^3 + A sin(Omega t).

    mu = 0.2, gamma = 8, A = 0.35, Omega = 1.02 (Sprott; x0 = (0.2, -0.2)); x0 is on the attractor at
    forcing phase 0.
    """
    return jnp.stack(
        [x[1], p["mu"] * (1.0 - p["gamma"] * x[0] ** 2) * x[1] - x[0] ** 3 + p["A"] * jnp.sin(p["Omega"] * t)]
    )


@register
@flow(
    params=dict(mu=0.2, gamma=4.0, A=0.3, Omega=1.1),
    x0=[-0.23178084, -0.62092554],
    names=("x", "v"),
    dt=0.02,
    flags=("forced",),
    reference=_sprott("4.8", "Rayleigh-Duffing oscillator")
    + "; Lord Rayleigh, The Theory of Sound, Macmillan, London (1877)",
)
def rayleigh_duffing(x, p, t):
    """Rayleigh-Duffing oscillator: x' = v, v' = mu (1 - gamma v^2) v - x^3 + A sin(Omega t).

    Rayleigh's velocity-dependent damping on a cubic spring; mu = 0.2, gamma = 4, A = 0.3, Omega = 1.1
    (Sprott; x0 = (0.3, 0)); x0 is on the attractor at forcing phase 0.
    """
    return jnp.stack(
        [x[1], p["mu"] * (1.0 - p["gamma"] * x[1] ** 2) * x[1] - x[0] ** 3 + p["A"] * jnp.sin(p["Omega"] * t)]
    )


# --- A.5 autonomous dissipative flows --------------------------------------------------------


@register
@flow(
    params=dict(R=1.0),
    x0=[0.95289518, 0.63412462, -1.4671998],
    names=("x", "y", "z"),
    dt=0.02,
    aliases=("lorenz_diffusionless", "lorenzdl"),
    reference=_sprott("5.3", "Diffusionless Lorenz attractor")
    + "; G. van der Schrier and L. R. M. Maas, The diffusionless Lorenz equations, Physica D 141, 19 (2000)",
)
def diffusionless_lorenz(x, p, t):
    """Diffusionless Lorenz: x' = -y - x, y' = -x z, z' = x y + R.

    The Lorenz equations in the limit of high Rayleigh and Prandtl numbers; R = 1 (Sprott; x0 = (1, -1,
    0.01)). DynamicalSystems.jl's lorenzdl (x' = y - x, y' = -x z, z' = x y - R, default R = 4.7 with two
    coexisting attractors) is the same law after (x, y, z) -> (-x, y, -z).
    """
    return jnp.stack([-x[1] - x[0], -x[0] * x[2], x[0] * x[1] + p["R"]])


@register
@flow(
    params=dict(alpha=1.8, beta=-0.07, delta=1.5, mu=0.02),
    x0=[9.6594482, 9.762779, 10.606167],
    names=("x", "y", "z"),
    dt=0.01,
    aliases=("act_attractor",),
    reference=_sprott("5.7", "ACT attractor")
    + "; A. Arneodo, P. Coullet and C. Tresser, Oscillators with chaotic behavior: an illustration of a "
    "theorem by Shil'nikov, J. Stat. Phys. 27, 171 (1982)",
)
def act(x, p, t):
    """ACT attractor: x' = alpha (x - y), y' = -4 alpha y + x z + mu x^3, z' = -delta alpha z + x y + beta z^2.

    Arneodo, Coullet and Tresser's Shil'nikov-type flow; alpha = 1.8, beta = -0.07, delta = 1.5,
    mu = 0.02 (Sprott; x0 = (0.5, 0, 0)).
    """
    a = p["alpha"]
    return jnp.stack(
        [
            a * (x[0] - x[1]),
            -4.0 * a * x[1] + x[0] * x[2] + p["mu"] * x[0] ** 3,
            -p["delta"] * a * x[2] + x[0] * x[1] + p["beta"] * x[2] ** 2,
        ]
    )


@register
@flow(
    params=dict(a=0.7, b=2.5),
    x0=[0.80064995, 0.56672187, 0.49472983],
    names=_JERK,
    dt=0.03,
    reference=_sprott("5.16", "WINDMI attractor")
    + "; J. C. Sprott, Simple chaotic systems and circuits, Am. J. Phys. 68, 758 (2000); after W. Horton and "
    "I. Doxas, J. Geophys. Res. 103, 4561 (1998)",
)
def windmi_jerk(x, p, t):
    """WINDMI jerk flow: x''' + a x'' + x' = b - exp(x) (x' = y, y' = z, z' = -a z - y + b - e^x).

    Sprott's one-variable reduction of the WINDMI solar-wind-driven magnetosphere-ionosphere model;
    a = 0.7, b = 2.5 (Sprott; x0 = (0, 0.8, 0)). Not the six-parameter `windmi_reduced` (dysts' WindmiReduced).
    """
    return jnp.stack([x[1], x[2], -p["a"] * x[2] - x[1] + p["b"] - jnp.exp(x[0])])


@register
@flow(
    params=dict(a=2.028),
    x0=[1.8881706, -1.1670797, 0.22244771],
    names=_JERK,
    dt=0.05,
    aliases=("simplest_cubic_chaotic_flow",),
    reference=_sprott("5.18", "Simplest cubic chaotic flow")
    + "; J.-M. Malasoma, What is the simplest dissipative chaotic jerk equation which is parity "
    "invariant?, Phys. Lett. A 264, 383 (2000)",
)
def sprott_jerk_cubic(x, p, t):
    """Simplest cubic chaotic flow: x''' + a x'' - x x'^2 + x = 0 (x' = y, y' = z, z' = -a z + x y^2 - x).

    a = 2.028 (Sprott; x0 = (0, 0.96, 0)); the cubic counterpart of `sprott_jerk`.
    """
    return jnp.stack([x[1], x[2], -p["a"] * x[2] + x[0] * x[1] ** 2 - x[0]])


@register
@flow(
    params=dict(a=0.6),
    x0=[-1.7859882, -0.80084492, 0.75440689],
    names=_JERK,
    dt=0.04,
    aliases=("simplest_piecewise_linear_chaotic_flow",),
    reference=_sprott("5.19", "Simplest piecewise linear chaotic flow")
    + "; S. J. Linz and J. C. Sprott, Elementary chaotic flow, Phys. Lett. A 259, 240 (1999)",
)
def sprott_jerk_piecewise_linear(x, p, t):
    """Simplest piecewise-linear chaotic flow: x''' + a x'' + x' - |x| + 1 = 0 (z' = -a z - y + |x| - 1).

    a = 0.6 (Sprott; x0 = (0, -0.7, 0)). The field is continuous (its Jacobian jumps at x = 0), so the
    tangent (Benettin/QR) spectrum needs no saltation correction, unlike `double_scroll_jerk`.
    """
    return jnp.stack([x[1], x[2], -p["a"] * x[2] - x[1] + jnp.abs(x[0]) - 1.0])


# --- A.6 conservative flows ------------------------------------------------------------------


@register
@flow(
    params=dict(Omega=1.88),
    x0=[0.0, 0.0],
    names=("x", "v"),
    dt=0.02,
    flags=("forced", "hamiltonian"),
    aliases=("simplest_driven_chaotic_flow",),
    reference=_sprott("6.2", "Simplest driven chaotic flow")
    + "; J. C. Sprott, Elegant Chaos: Algebraically Simple Chaotic Flows, World Scientific, Singapore (2010)",
)
def sprott_driven_cubic(x, p, t):
    """Simplest driven chaotic flow: x'' + x^3 = sin(Omega t) (x' = v, v' = -x^3 + sin(Omega t)).

    Undamped, so area preserving: exponents (lambda, -lambda) that depend on the orbit; Omega = 1.88
    (Sprott; x0 = (0, 0), which lies in the chaotic sea).
    """
    return jnp.stack([x[1], -(x[0] ** 3) + jnp.sin(p["Omega"] * t)])
