"""Systems predefined in DynamicalSystems.jl (PredefinedDynamicalSystems.jl) that dysts lacks; each from its paper.

Initial conditions lie on the attractor (or, for the conservative maps, in the chaotic sea), reached by RK4
or iteration past a transient; ``dt`` is a fixed RK4 step whose step-halving error over one dominant period is
below ~1e-5.
"""

import jax.numpy as jnp

from ..base import flow
from ..base import map as discrete_map
from ..registry import register
from . import DYSTS_DIFFERENCES  # noqa: F401


@register
@flow(
    params=dict(k=0.05, b=7.5),
    x0=[2.1940352, 0.05848732],
    names=("x", "v"),
    dt=0.02,
    flags=("forced",),
    aliases=("ueda_oscillator", "japanese_attractor"),
    reference="Y. Ueda, Randomly transitional phenomena in the system governed by Duffing's equation, "
    "J. Stat. Phys. 20, 181 (1979), doi:10.1007/BF01011512",
)
def ueda(x, p, t):
    """Ueda oscillator: x' = v, v' = -k v - x^3 + b cos t.

    Duffing's equation without linear stiffness; k = 0.05, b = 7.5 is Ueda's "Japanese attractor" (chaotic).
    x0 is on the attractor at forcing phase t = 0 (mod 2 pi).
    """
    return jnp.stack([x[1], -p["k"] * x[1] - x[0] ** 3 + p["b"] * jnp.cos(t)])


@register
@flow(
    params=dict(mu=0.119, nu=0.1, gamma=0.9),
    x0=[-1.4459779, 0.72714002, -0.078171948],
    names=("q", "d", "v"),
    dt=0.05,
    reference="C. Gissinger, A new deterministic model for chaotic reversals, Eur. Phys. J. B 85, "
    "137 (2012), doi:10.1140/epjb/e2012-20799-5",
)
def gissinger(x, p, t):
    """Gissinger reversal model: q' = mu q - v d, d' = -nu d + v q, v' = gamma - v + q d.

    Quadrupole q, dipole d and flow v of a dynamo; (mu, nu, gamma) = (0.119, 0.1, 0.9) gives chaotic
    reversals of d (and q). Invariant under (q, d, v) -> (-q, -d, v).
    """
    q, d, v = x[0], x[1], x[2]
    return jnp.stack([p["mu"] * q - v * d, -p["nu"] * d + v * q, p["gamma"] - v + q * d])


@register
@flow(
    params=dict(a=0.7, b=0.8, eps=0.08, curr=0.5),
    x0=[-1.4394777, -0.00015706811],
    names=("v", "w"),
    dt=0.1,
    aliases=("fitzhugh",),
    reference="R. FitzHugh, Impulses and physiological states in theoretical models of nerve membrane, "
    "Biophys. J. 1, 445 (1961), doi:10.1016/S0006-3495(61)86902-6; J. Nagumo, S. Arimoto and "
    "S. Yoshizawa, An active pulse transmission line simulating nerve axon, Proc. IRE 50, 2061 (1962)",
)
def fitzhugh_nagumo(x, p, t):
    """FitzHugh-Nagumo: v' = v - v^3/3 - w + curr, w' = eps (v + a - b w).

    FitzHugh's a = 0.7, b = 0.8, eps = 0.08 (his 1/c^2 with c ~ 3.5) and a constant current curr = 0.5:
    relaxation oscillations on a stable limit cycle (not chaotic; exponents 0 and negative). Unforced
    counterpart of forced_fitzhugh_nagumo. DynamicalSystems.jl's fitzhugh_nagumo is the cubic
    v' = a v (v - b)(1 - v) - w + I, w' = eps (v - w) with other parameters.
    """
    v, w = x[0], x[1]
    return jnp.stack([v - v**3 / 3.0 - w + p["curr"], p["eps"] * (v + p["a"] - p["b"] * w)])


def _hh_rates(v):
    am = 0.1 * (v + 40.0) / (1.0 - jnp.exp(-(v + 40.0) / 10.0))
    bm = 4.0 * jnp.exp(-(v + 65.0) / 18.0)
    ah = 0.07 * jnp.exp(-(v + 65.0) / 20.0)
    bh = 1.0 / (1.0 + jnp.exp(-(v + 35.0) / 10.0))
    an = 0.01 * (v + 55.0) / (1.0 - jnp.exp(-(v + 55.0) / 10.0))
    bn = 0.125 * jnp.exp(-(v + 65.0) / 80.0)
    return am, bm, ah, bh, an, bn


@register
@flow(
    params=dict(curr=10.0, c=1.0, g_na=120.0, g_k=36.0, g_l=0.3, e_na=50.0, e_k=-77.0, e_l=-54.387),
    x0=[-67.067535, 0.039266286, 0.41848139, 0.42846715],
    names=("v", "m", "h", "n"),
    dt=0.02,
    aliases=("hh",),
    reference="A. L. Hodgkin and A. F. Huxley, A quantitative description of membrane current and its "
    "application to conduction and excitation in nerve, J. Physiol. 117, 500 (1952), "
    "doi:10.1113/jphysiol.1952.sp004764",
)
def hodgkin_huxley(x, p, t):
    """Hodgkin-Huxley: c v' = curr - g_na m^3 h (v - e_na) - g_k n^4 (v - e_k) - g_l (v - e_l), y' = a_y(1-y) - b_y y.

    Gating variables y = m, h, n with the 1952 rate functions (ms^-1) in the modern convention (rest at
    v ~ -65 mV, time in ms). At curr = 10 uA/cm^2 the neuron fires periodically (stable limit cycle, period
    14.64 ms; not chaotic). The rates a_m and a_n have removable 0/0 points at v = -40 and -55 mV.
    """
    v, m, h, n = x[0], x[1], x[2], x[3]
    am, bm, ah, bh, an, bn = _hh_rates(v)
    i_ion = p["g_na"] * m**3 * h * (v - p["e_na"]) + p["g_k"] * n**4 * (v - p["e_k"]) + p["g_l"] * (v - p["e_l"])
    return jnp.stack(
        [(p["curr"] - i_ion) / p["c"], am * (1.0 - m) - bm * m, ah * (1.0 - h) - bh * h, an * (1.0 - n) - bn * n]
    )


@register
@discrete_map(
    params=dict(r=4.0, eps=0.1),
    x0=[0.74780597, 0.75797351],
    names=("x", "y"),
    aliases=("coupled_logistic",),
    reference="K. Kaneko, Period-doubling of kink-antikink patterns, quasiperiodicity in antiferro-like "
    "structures and spatial intermittency in coupled logistic lattice, Prog. Theor. Phys. 72, "
    "480 (1984), doi:10.1143/PTP.72.480",
)
def coupled_logistic_maps(x, p, n):
    """Two diffusively coupled logistic maps: x' = (1 - eps) f(x) + eps f(y), y' = (1 - eps) f(y) + eps f(x).

    f(u) = r u (1 - u); Kaneko's coupled map lattice with two sites. At r = 4 the synchronized state x = y
    has transverse exponent ln 2 + ln|1 - 2 eps|, so it attracts for eps > 1/4; at eps = 0.1 the maps are
    chaotic and not synchronized.
    """
    f = p["r"] * x * (1.0 - x)
    return (1.0 - p["eps"]) * f + p["eps"] * f[::-1]


@register
@discrete_map(
    params=dict(k1=1.0, k2=1.0, gamma=1.0),
    x0=[0.0, 0.5, 6.0, 3.0],
    names=("theta1", "theta2", "p1", "p2"),
    flags=("conservative",),
    periodic=tuple((i, 2.0 * jnp.pi) for i in range(4)),
    aliases=("coupledstandardmaps",),
    reference="H. Kantz and P. Grassberger, Internal Arnold diffusion and chaos thresholds in coupled "
    "symplectic maps, J. Phys. A 21, L127 (1988)",
)
def coupled_standard_maps(x, p, n):
    """Coupled standard maps: p_i' = p_i + k_i sin(theta_i) - gamma sin(theta_j - theta_i), theta_i' = theta_i + p_i'.

    All mod 2 pi; (i, j) = (1, 2), (2, 1). A kick with potential -sum k_i cos(theta_i) + gamma cos(theta_2 -
    theta_1), so the 4-D map is symplectic (exponents in pairs +-). DynamicalSystems.jl's coupledstandardmaps
    is the M-site ring of these; for M = 2 its coupling counts the one neighbour twice (2 gamma here).
    """
    th, mom = x[:2], x[2:]
    ks = jnp.stack([p["k1"], p["k2"]])
    mom = mom + ks * jnp.sin(th) - p["gamma"] * jnp.sin(th[::-1] - th)
    return jnp.mod(jnp.concatenate([th + mom, mom]), 2.0 * jnp.pi)


@register
@discrete_map(
    params=dict(z=1.5),
    x0=[0.061094019],
    names=("x",),
    aliases=("manneville_map", "pomeau_manneville"),
    reference="P. Manneville, Intermittency, self-similarity and 1/f spectrum in dissipative dynamical "
    "systems, J. Phys. (Paris) 41, 1235 (1980); Y. Pomeau and P. Manneville, Intermittent "
    "transition to turbulence in dissipative dynamical systems, Commun. Math. Phys. 74, 189 "
    "(1980), doi:10.1007/BF01197757",
)
def pomeau_manneville_map(x, p, n):
    """Pomeau-Manneville map: x' = x + x^z mod 1 on [0, 1).

    Type-I intermittency: laminar phases near the marginal fixed point x = 0 interrupted by chaotic bursts.
    For 1 < z < 2 (default z = 1.5) the invariant density is normalizable and lambda_1 > 0 (chaotic); for
    z >= 2 it is not and the exponent tends to 0 (sporadic chaos).
    """
    return jnp.mod(x + jnp.abs(x) ** p["z"], 1.0)
