"""Sprott's algebraically simple chaotic flows, each written from its cited paper.

Cases A-S of Sprott (1994) (case B is in ``flows.py``), the simplest dissipative jerk flow
(Sprott 1997), the strange attractor with invariant tori (Sprott 2014), the nearly
three-dimensional attractor of Sprott (2020), and two piecewise-linear systems of Sprott's
"Chaos and Time-Series Analysis", Appendix A (complex butterfly, double-scroll jerk).
Initial conditions lie on the attractor (integrated past a transient from dysts' initial condition,
or Sprott's where noted);
``dt`` keeps the RK4 step-halving error per dominant period below ~1e-5 (not reachable for the
three laws with sign functions, where fixed-step RK4 is first order across the switching surface).
"""

import jax.numpy as jnp

from ..base import flow
from ..registry import register
from . import DYSTS_DIFFERENCES  # noqa: F401

_XYZ = ("x", "y", "z")
_JERK = ("x", "x_dot", "x_ddot")


def _sprott94(case: str) -> str:
    return (
        "J. C. Sprott, Some simple chaotic flows, Phys. Rev. E 50, R647 (1994), "
        f"doi:10.1103/PhysRevE.50.R647 (case {case})"
    )


@register
@flow(
    x0=[0.087931568, 0.39073734, 0.59007004],
    names=_XYZ,
    dt=0.05,
    reference=_sprott94("A") + "; identified as the Nose-Hoover thermostatted oscillator by W. G. Hoover, "
    "Remark on 'Some simple chaotic flows', Phys. Rev. E 51, 759 (1995), "
    "doi:10.1103/PhysRevE.51.759",
)
def sprott_a(x, p, t):
    """Sprott A: x' = y, y' = -x + y z, z' = 1 - y^2.

    The Nose-Hoover oscillator: time-reversible, div f = z averages to zero along the orbits, so the
    spectrum is (lambda, 0, -lambda); a chaotic sea (lambda_1 ~ 0.014-0.018, slow to converge) surrounds
    nested invariant tori. dysts' initial condition lies on one of these tori (all exponents ~0), so x0
    comes from Sprott's chaotic-sea start (0, 5, 0) instead.
    """
    return jnp.stack([x[1], -x[0] + x[1] * x[2], 1.0 - x[1] ** 2])


@register
@flow(x0=[-0.44049778, -0.76965369, -0.0048237126], names=_XYZ, dt=0.04, reference=_sprott94("C"))
def sprott_c(x, p, t):
    """Sprott C: x' = y z, y' = x - y, z' = 1 - x^2."""
    return jnp.stack([x[1] * x[2], x[0] - x[1], 1.0 - x[0] ** 2])


@register
@flow(x0=[-0.92850738, 0.86488141, 1.4320155], names=_XYZ, dt=0.05, reference=_sprott94("D"))
def sprott_d(x, p, t):
    """Sprott D: x' = -y, y' = x + z, z' = x z + 3 y^2."""
    return jnp.stack([-x[1], x[0] + x[2], x[0] * x[2] + 3.0 * x[1] ** 2])


@register
@flow(x0=[1.1934345, 0.89218166, -0.68494973], names=_XYZ, dt=0.05, reference=_sprott94("E"))
def sprott_e(x, p, t):
    """Sprott E: x' = y z, y' = x^2 - y, z' = 1 - 4 x."""
    return jnp.stack([x[1] * x[2], x[0] ** 2 - x[1], 1.0 - 4.0 * x[0]])


@register
@flow(params=dict(a=0.5), x0=[-2.3425027, -3.4130063, 1.7432876], names=_XYZ, dt=0.05, reference=_sprott94("F"))
def sprott_f(x, p, t):
    """Sprott F: x' = y + z, y' = -x + a y, z' = x^2 - z."""
    return jnp.stack([x[1] + x[2], -x[0] + p["a"] * x[1], x[0] ** 2 - x[2]])


@register
@flow(params=dict(a=0.4), x0=[0.43345996, 0.0121228, 0.2311511], names=_XYZ, dt=0.05, reference=_sprott94("G"))
def sprott_g(x, p, t):
    """Sprott G: x' = a x + z, y' = x z - y, z' = -x + y."""
    return jnp.stack([p["a"] * x[0] + x[2], x[0] * x[2] - x[1], -x[0] + x[1]])


@register
@flow(params=dict(a=0.5), x0=[-0.53377566, 0.87937574, -1.2144646], names=_XYZ, dt=0.04, reference=_sprott94("H"))
def sprott_h(x, p, t):
    """Sprott H: x' = -y + z^2, y' = x + a y, z' = x - z."""
    return jnp.stack([-x[1] + x[2] ** 2, x[0] + p["a"] * x[1], x[0] - x[2]])


@register
@flow(params=dict(a=0.2), x0=[-0.043202049, 0.55917285, 0.20652408], names=_XYZ, dt=0.1, reference=_sprott94("I"))
def sprott_i(x, p, t):
    """Sprott I: x' = -a y, y' = x + z, z' = x + y^2 - z."""
    return jnp.stack([-p["a"] * x[1], x[0] + x[2], x[0] + x[1] ** 2 - x[2]])


@register
@flow(x0=[10.588287, 3.022611, 7.5154307], names=_XYZ, dt=0.04, reference=_sprott94("J"))
def sprott_j(x, p, t):
    """Sprott J: x' = 2 z, y' = -2 y + z, z' = -x + y + y^2."""
    return jnp.stack([2.0 * x[2], -2.0 * x[1] + x[2], -x[0] + x[1] + x[1] ** 2])


@register
@flow(params=dict(a=0.3), x0=[1.2785157, 0.69976902, 0.4102841], names=_XYZ, dt=0.05, reference=_sprott94("K"))
def sprott_k(x, p, t):
    """Sprott K: x' = x y - z, y' = x - y, z' = x + a z."""
    return jnp.stack([x[0] * x[1] - x[2], x[0] - x[1], x[0] + p["a"] * x[2]])


@register
@flow(params=dict(a=0.9, b=3.9), x0=[-8.3727474, 31.01402, -6.8267937], names=_XYZ, dt=0.025, reference=_sprott94("L"))
def sprott_l(x, p, t):
    """Sprott L: x' = y + b z, y' = a x^2 - y, z' = 1 - x."""
    return jnp.stack([x[1] + p["b"] * x[2], p["a"] * x[0] ** 2 - x[1], 1.0 - x[0]])


@register
@flow(params=dict(a=1.7), x0=[1.8882486, -5.0218651, 0.58619846], names=_XYZ, dt=0.05, reference=_sprott94("M"))
def sprott_m(x, p, t):
    """Sprott M: x' = -z, y' = -x^2 - y, z' = a + a x + y."""
    return jnp.stack([-x[2], -(x[0] ** 2) - x[1], p["a"] + p["a"] * x[0] + x[1]])


@register
@flow(x0=[-9.2301246, 4.4216447, 2.6344007], names=_XYZ, dt=0.04, reference=_sprott94("N"))
def sprott_n(x, p, t):
    """Sprott N: x' = -2 y, y' = x + z^2, z' = 1 + y - 2 z."""
    return jnp.stack([-2.0 * x[1], x[0] + x[2] ** 2, 1.0 + x[1] - 2.0 * x[2]])


@register
@flow(params=dict(a=2.7), x0=[-0.40597822, -0.12754231, -0.81001747], names=_XYZ, dt=0.05, reference=_sprott94("O"))
def sprott_o(x, p, t):
    """Sprott O: x' = y, y' = x - z, z' = x + x z + a y."""
    return jnp.stack([x[1], x[0] - x[2], x[0] + x[0] * x[2] + p["a"] * x[1]])


@register
@flow(params=dict(a=2.7), x0=[0.37343501, -0.71707019, 1.0193707], names=_XYZ, dt=0.05, reference=_sprott94("P"))
def sprott_p(x, p, t):
    """Sprott P: x' = a y + z, y' = -x + y^2, z' = x + y."""
    return jnp.stack([p["a"] * x[1] + x[2], -x[0] + x[1] ** 2, x[0] + x[1]])


@register
@flow(params=dict(a=3.1, b=0.5), x0=[-0.55152388, 0.11999924, 2.0847964], names=_XYZ, dt=0.04, reference=_sprott94("Q"))
def sprott_q(x, p, t):
    """Sprott Q: x' = -z, y' = x - y, z' = a x + y^2 + b z."""
    return jnp.stack([-x[2], x[0] - x[1], p["a"] * x[0] + x[1] ** 2 + p["b"] * x[2]])


@register
@flow(params=dict(a=0.9, b=0.4), x0=[2.1751773, 2.2288384, 2.2961486], names=_XYZ, dt=0.05, reference=_sprott94("R"))
def sprott_r(x, p, t):
    """Sprott R: x' = a - y, y' = b + z, z' = x y - z."""
    return jnp.stack([p["a"] - x[1], p["b"] + x[2], x[0] * x[1] - x[2]])


@register
@flow(x0=[-0.45013929, 0.50854142, 1.2242594], names=_XYZ, dt=0.03, reference=_sprott94("S"))
def sprott_s(x, p, t):
    """Sprott S: x' = -x - 4 y, y' = x + z^2, z' = 1 + x."""
    return jnp.stack([-x[0] - 4.0 * x[1], x[0] + x[2] ** 2, 1.0 + x[0]])


@register
@flow(
    params=dict(mu=2.017),
    x0=[2.2479758, -2.1957306, 0.54150636],
    names=_JERK,
    dt=0.05,
    reference="J. C. Sprott, Simplest dissipative chaotic flow, Phys. Lett. A 228, 271 (1997), "
    "doi:10.1016/S0375-9601(97)00088-1",
)
def sprott_jerk(x, p, t):
    """Sprott's simplest dissipative jerk flow: x' = y, y' = z, z' = -x + y^2 - mu z (x''' = -mu x'' + x'^2 - x)."""
    return jnp.stack([x[1], x[2], -x[0] + x[1] ** 2 - p["mu"] * x[2]])


@register
@flow(
    x0=[0.51391233, 0.61860457, -1.4073836],
    names=_XYZ,
    dt=0.04,
    reference="J. C. Sprott, A dynamical system with a strange attractor and invariant tori, "
    "Phys. Lett. A 378, 1361 (2014), https://sprott.physics.wisc.edu/pubs/paper423.pdf",
)
def sprott_torus(x, p, t):
    """Sprott torus: x' = y + 2 x y + x z, y' = 1 - 2 x^2 + y z, z' = x - x^2 - y^2.

    A strange attractor coexists with nested invariant tori (div f = 2 (y + z)); x0 (from dysts' initial
    condition) is on the strange attractor, lambda ~ (0.056, 0, -0.15), slow to converge (dysts' stored
    0.30 is far off).
    """
    return jnp.stack(
        [x[1] + 2.0 * x[0] * x[1] + x[0] * x[2], 1.0 - 2.0 * x[0] ** 2 + x[1] * x[2], x[0] - x[0] ** 2 - x[1] ** 2]
    )


@register
@flow(
    x0=[1.2944371, -1.3718, -0.19367007],
    names=_XYZ,
    dt=0.01,
    flags=("discontinuous",),
    reference="J. C. Sprott, Do we need more chaos examples?, Chaos Theory and Applications 2(2), 49 (2020), "
    "https://dergipark.org.tr/en/pub/chaos/issue/54264/735400",
)
def sprott_more(x, p, t):
    """Sprott 'more chaos': x' = y, y' = -x - sgn(z) y, z' = y^2 - exp(-x^2).

    The damping switches sign with z, so the vector field is discontinuous on z = 0. The Jacobian-based
    Lyapunov spectrum ignores the jumps (saltation) there and misses the chaos: it gives ~(0.002, 0, -0.02),
    whereas an event-accurate two-trajectory estimate gives lambda_1 ~ 0.24 (dysts lists 0.32); the sum is
    <div f> = -<sgn z> ~ -0.03 either way. Fixed-step RK4 is only first order across z = 0 (step-halving
    error ~1e-2 per dominant period at dt = 0.01).
    """
    return jnp.stack([x[1], -x[0] - jnp.sign(x[2]) * x[1], x[1] ** 2 - jnp.exp(-(x[0] ** 2))])


@register
@flow(
    params=dict(a=0.55),
    x0=[2.3113421, 0.49303559, 3.1587263],
    names=_XYZ,
    dt=0.01,
    flags=("discontinuous",),
    reference="A. S. Elwakil, S. Ozoguz and M. P. Kennedy, Creation of a complex butterfly attractor using a "
    "novel Lorenz-type system, IEEE Trans. Circuits Syst. I 49, 527 (2002), doi:10.1109/81.995671; "
    "J. C. Sprott, Chaos and Time-Series Analysis, Oxford University Press, Appendix A (2003)",
)
def complex_butterfly(x, p, t):
    """Complex butterfly: x' = a (y - x), y' = -z sgn(x), z' = |x| - 1.

    Piecewise linear with a discontinuous vector field on x = 0: the Jacobian-based Lyapunov spectrum
    ignores the jumps (saltation) there and gives (0.169, 0.148, -0.867), with a spurious second positive
    exponent and no zero one, instead of (0.137, 0, -0.687). Fixed-step RK4 is only first order across
    x = 0 (step-halving error up to ~4e-3 per crossing at dt = 0.01).
    """
    return jnp.stack([p["a"] * (x[1] - x[0]), -x[2] * jnp.sign(x[0]), jnp.abs(x[0]) - 1.0])


@register
@flow(
    params=dict(a=0.8),
    x0=[1.0921454, 0.056901628, -0.10491023],
    names=_JERK,
    dt=0.01,
    flags=("discontinuous",),
    reference="A. S. Elwakil and M. P. Kennedy, Construction of classes of circuit-independent chaotic "
    "oscillators using passive-only nonlinear devices, IEEE Trans. Circuits Syst. I 48, 289 (2001); "
    "J. C. Sprott, Chaos and Time-Series Analysis, Oxford University Press, Appendix A (2003)",
)
def double_scroll_jerk(x, p, t):
    """Double-scroll jerk: x' = y, y' = z, z' = -a (z + y + x - sgn(x)) (x''' = -a (x'' + x' + x - sgn x)).

    Piecewise linear with a discontinuous vector field on x = 0: the Jacobian-based Lyapunov spectrum
    ignores the jumps (saltation) there and gives (0.0497, 0.0497, -0.899), the real parts of the linear
    eigenvalues, instead of (0.075, 0, -0.875). Fixed-step RK4 is only first order across x = 0
    (step-halving error up to ~4e-3 per crossing at dt = 0.01).
    """
    return jnp.stack([x[1], x[2], -p["a"] * (x[2] + x[1] + x[0] - jnp.sign(x[0]))])
