"""Systems predefined in DynamicalSystems.jl (PredefinedDynamicalSystems.jl) that dysts lacks; each from its paper.

Initial conditions lie on the attractor (or, for the conservative maps, in the chaotic sea), reached by RK4
or iteration past a transient; ``dt`` is a fixed RK4 step whose step-halving error over one dominant period is
below ~1e-5.
"""

import math

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


# --- further DynamicalSystems.jl maps ---------------------------------------------------------


@register
@discrete_map(
    params=dict(z=2.5),
    x0=[-0.011607083],
    names=("x",),
    reference="Y. Pomeau and P. Manneville, Intermittent transition to turbulence in dissipative dynamical "
    "systems, Commun. Math. Phys. 74, 189 (1980), doi:10.1007/BF01197757; symmetric form of "
    "DynamicalSystems.jl (PredefinedDynamicalSystems.jl pomeau_manneville, 2023)",
)
def pomeau_manneville_symmetric(x, p, n):
    """Symmetric Pomeau-Manneville map: x' = x (1 + |2 x|^(z-1)) for |x| <= 1/2, x' = -4 x +- 3 beyond.

    The map of [-1, 1] onto itself with marginal fixed point x = 0 (type-I intermittency) and two linear
    reinjection branches (x' = 3 - 4 x for x > 1/2, -3 - 4 x for x < -1/2). For z > 2 (default z = 2.5) the
    mean laminar time diverges: the exponent tends to 0 slowly with the run length (sporadic chaos), so
    finite-run values scatter between orbits.
    """
    inner = x * (1.0 + jnp.abs(2.0 * x) ** (p["z"] - 1.0))
    return jnp.where(x > 0.5, 3.0 - 4.0 * x, jnp.where(x < -0.5, -3.0 - 4.0 * x, inner))


@register
@discrete_map(
    params=dict(eps=0.1),
    x0=[0.31150813],
    names=("x",),
    reference="P. Manneville, Intermittency, self-similarity and 1/f spectrum in dissipative dynamical "
    "systems, J. Phys. (Paris) 41, 1235 (1980), doi:10.1051/jphys:0198000410110123500",
)
def manneville_simple(x, p, n):
    """Manneville's simple intermittent map: x' = ((1 + eps) x + (1 - eps) x^2) mod 1 on [0, 1).

    Slope 1 + eps at the fixed point x = 0: laminar phases near 0 interrupted by chaotic bursts (eps = 0.1).
    """
    return jnp.mod((1.0 + p["eps"]) * x + (1.0 - p["eps"]) * x**2, 1.0)


_BETA_DEFAULT = 2.0 - 1e-10


@register
@discrete_map(
    params=dict(beta=_BETA_DEFAULT),
    x0=[0.25],
    names=("x",),
    aliases=("beta_transformation", "bernoulli_map", "dyadic_map"),
    reference="A. Renyi, Representations for real numbers and their ergodic properties, Acta Math. Acad. "
    "Sci. Hungar. 8, 477 (1957), doi:10.1007/BF02020331",
)
def beta_transformation_map(x, p, n):
    """Beta transformation (generalized Bernoulli map): x' = beta x mod 1, exponent ln beta.

    At beta = 2 (the doubling map, DynamicalSystems.jl's default) every double-precision orbit reaches 0
    within ~53 steps, so the default slope is 2 - 1e-10 (as for `baker_map`): exponent ln 2 - 5e-11.
    """
    return jnp.mod(p["beta"] * x, 1.0)


@register
@discrete_map(
    params=dict(alpha=4.1, beta=0.001, sigma=0.001),
    x0=[0.71798778, -1.4271712],
    names=("x", "y"),
    aliases=("rulkov",),
    reference="N. F. Rulkov, Regularization of synchronized chaotic bursts, Phys. Rev. Lett. 86, 183 (2001), "
    "doi:10.1103/PhysRevLett.86.183",
)
def rulkov_map(x, p, n):
    """Rulkov neuron map: x' = alpha / (1 + x^2) + y, y' = y - sigma x - beta.

    A fast spiking variable x driven by a slow variable y (sigma = beta = 0.001); alpha = 4.1 gives
    rectangular bursts of chaotic spikes (Rulkov 2001).
    """
    return jnp.stack([p["alpha"] / (1.0 + x[0] ** 2) + x[1], x[1] - p["sigma"] * x[0] - p["beta"]])


@register
@discrete_map(
    params=dict(eps=5.0, nu=0.2, r=2.0),
    x0=[0.41757023, -0.033593802],
    names=("x", "y"),
    periodic=((0, 1.0),),
    aliases=("zaslavsky_map", "zaslavskii"),
    reference="G. M. Zaslavsky, The simplest case of a strange attractor, Phys. Lett. A 69, 145 (1978), "
    "doi:10.1016/0375-9601(78)90195-0",
)
def zaslavskii_map(x, p, n):
    """Zaslavskii map: x' = x + nu (1 + mu y) + eps nu mu cos(2 pi x) (mod 1), y' = e^-r (y + eps cos(2 pi x)).

    A damped kicked rotator, mu = (1 - e^-r) / r; det J = e^-r. At DynamicalSystems.jl's defaults eps = 5,
    nu = 0.2, r = 2 the orbit from its x0 = (0.1, 0.2) (and from nearby starts) settles on a period-2 orbit
    with exponents (-1, -1) = (-r/2, -r/2): not chaotic, although DynamicalSystems.jl's docstring calls the
    attractor strange.
    """
    mu = (1.0 - jnp.exp(-p["r"])) / p["r"]
    kick = p["eps"] * jnp.cos(2.0 * jnp.pi * x[0])
    return jnp.stack(
        [jnp.mod(x[0] + p["nu"] * (1.0 + mu * x[1]) + p["nu"] * mu * kick, 1.0), jnp.exp(-p["r"]) * (x[1] + kick)]
    )


def make_ulam_map_lattice(N: int = 10):
    """Ulam's ring of N unidirectionally coupled maps (structural N) with coupling eps (default 0.6)."""
    N = int(N)
    if N < 2:
        raise ValueError(f"ulam_map_lattice needs N >= 2 sites, got N={N}")

    def ulam_map_lattice(x, p, n):
        """Ulam map lattice: x_m' = f(eps x_(m-1) + (1 - eps) x_m), f(u) = 2 - u^2, m = 1..N cyclic.

        DynamicalSystems.jl's ulam (default N = 100; ours N = 10, set with N=), eps = 0.6, x0_m = cos m.
        """
        u = p["eps"] * jnp.roll(x, 1) + (1.0 - p["eps"]) * x
        return 2.0 - u**2

    return discrete_map(
        params=dict(eps=0.6),
        x0=[math.cos(m + 1.0) for m in range(N)],
        names=tuple(f"x{i + 1}" for i in range(N)),
        name="ulam_map_lattice",
        aliases=("ulam",),
        reference="S. M. Ulam, in Proc. Int. Congress of Mathematicians 1950, vol. 2, 264 (1952); coupled form "
        "of DynamicalSystems.jl (PredefinedDynamicalSystems.jl ulam, 2023)",
    )(ulam_map_lattice)


register(make_ulam_map_lattice, structural=("N",))


def make_nld_coupled_logistic_maps(D: int = 4):
    """D logistic-type maps with nonlinear all-to-all coupling (structural D)."""
    D = int(D)
    if D < 2:
        raise ValueError(f"nld_coupled_logistic_maps needs D >= 2 maps, got D={D}")

    def nld_coupled_logistic_maps(x, p, n):
        """Nonlinearly coupled logistic maps: u_i' = lam - u_i^2 + k sum_(j != i) (u_j^2 - u_i^2).

        lam = 1.2, k = 0.08 (DynamicalSystems.jl). Several periodic attractors coexist and many orbits escape
        to infinity, among them the one from DynamicalSystems.jl's x0 = linspace(0, 1, D) (after 37 steps for
        D = 4); ours starts at linspace(0.1, 0.4, D), on a period-4 orbit for D = 4. Not chaotic.
        """
        sq = x**2
        return p["lam"] - sq + p["k"] * (jnp.sum(sq) - D * sq)

    return discrete_map(
        params=dict(lam=1.2, k=0.08),
        x0=[0.1 + 0.3 * i / (D - 1) for i in range(D)],
        names=tuple(f"u{i + 1}" for i in range(D)),
        name="nld_coupled_logistic_maps",
        reference="DynamicalSystems.jl, PredefinedDynamicalSystems.jl nld_coupled_logistic_maps (2023), "
        "https://github.com/JuliaDynamics/PredefinedDynamicalSystems.jl",
    )(nld_coupled_logistic_maps)


register(make_nld_coupled_logistic_maps, structural=("D",))


# --- further DynamicalSystems.jl flows --------------------------------------------------------


@register
@flow(
    params=dict(eta1=3.0, eta2=1.0, eta3=0.3),
    x0=[0.3, 0.2],
    names=("T", "S"),
    dt=0.05,
    aliases=("stommel",),
    reference="H. Stommel, Thermohaline convection with two stable regimes of flow, Tellus 13, 224 (1961), "
    "doi:10.3402/tellusa.v13i2.9491",
)
def stommel_thermohaline(x, p, t):
    """Stommel's box model: T' = eta1 - T - |T - S| T, S' = eta2 - eta3 S - |T - S| S.

    Temperature and salinity differences between a polar and an equatorial box; at eta = (3, 1, 0.3) two
    stable equilibria (thermally and salinity driven circulation) coexist. Not chaotic: a 2-D autonomous
    flow, and every orbit tends to an equilibrium (both exponents negative).
    """
    q = jnp.abs(x[0] - x[1])
    return jnp.stack([p["eta1"] - x[0] - q * x[0], p["eta2"] - p["eta3"] * x[1] - q * x[1]])


@register
@flow(
    params=dict(alpha=1.5, beta=1.0, delta=1.0, gamma=3.0),
    x0=[10.0, 5.0],
    names=("prey", "predator"),
    dt=0.002,
    aliases=("lotka_volterra_predator_prey",),
    reference="A. J. Lotka, Elements of Physical Biology, Williams and Wilkins, Baltimore (1925); V. Volterra, "
    "Fluctuations in the abundance of a species considered mathematically, Nature 118, 558 (1926), "
    "doi:10.1038/118558a0",
)
def lotka_volterra(x, p, t):
    """Lotka-Volterra predator-prey: x' = alpha x - beta x y, y' = delta x y - gamma y.

    H = delta x - gamma ln x + beta y - alpha ln y is conserved, so every orbit is a closed cycle around
    (gamma / delta, alpha / beta): both exponents are 0. From x0 = (10, 5) the prey drops to ~1e-3
    between outbreaks, so the step is small.
    """
    return jnp.stack([p["alpha"] * x[0] - p["beta"] * x[0] * x[1], p["delta"] * x[0] * x[1] - p["gamma"] * x[1]])


@register
@flow(
    params=dict(mu=1.0, omega=1.0, b=1.0),
    x0=[1.0, 0.0],
    names=("x", "y"),
    dt=0.02,
    aliases=("stuart_landau_oscillator", "hopf_normal_form"),
    reference="L. D. Landau, On the problem of turbulence, Dokl. Akad. Nauk SSSR 44, 339 (1944); J. T. Stuart, "
    "On the non-linear mechanics of hydrodynamic stability, J. Fluid Mech. 4, 1 (1958), "
    "doi:10.1017/S0022112058000276",
)
def stuart_landau(x, p, t):
    """Stuart-Landau oscillator: z' = (mu + i omega) z - (1 - i b) |z|^2 z for z = x + i y.

    The normal form of the supercritical Hopf bifurcation: r' = mu r - r^3, phi' = omega + b r^2. For mu > 0
    the circle r = sqrt(mu) is a stable limit cycle (exponents 0 and -2 mu); x0 lies on it.
    """
    r2 = x[0] ** 2 + x[1] ** 2
    g = p["mu"] - r2
    w = p["omega"] + p["b"] * r2
    return jnp.stack([g * x[0] - w * x[1], g * x[1] + w * x[0]])


@register
@flow(
    params=dict(I=0.15, V1=0.0, V2=0.15, V3=0.1, V4=0.1, VCa=1.0, VL=-0.5, VK=-0.7, gCa=1.2, gK=2.0, gL=0.5, tau=3.0),
    x0=[-0.095906619, 0.020744648],
    names=("V", "N"),
    dt=0.02,
    reference="C. Morris and H. Lecar, Voltage oscillations in the barnacle giant muscle fiber, Biophys. J. 35, "
    "193 (1981), doi:10.1016/S0006-3495(81)84782-0",
)
def morris_lecar(x, p, t):
    """Morris-Lecar neuron: V' = I - gCa M(V) (V - VCa) - gK N (V - VK) - gL (V - VL), N' = (G(V) - N) / tau.

    M(V) = (1 + tanh((V - V1) / V2)) / 2, G(V) = (1 + tanh((V - V3) / V4)) / 2; dimensionless parameters of
    DynamicalSystems.jl. A 2-D autonomous flow: an equilibrium or a limit cycle, never chaos.
    """
    V, N = x[0], x[1]
    m = 0.5 * (1.0 + jnp.tanh((V - p["V1"]) / p["V2"]))
    g = 0.5 * (1.0 + jnp.tanh((V - p["V3"]) / p["V4"]))
    dv = p["I"] - p["gCa"] * m * (V - p["VCa"]) - p["gK"] * N * (V - p["VK"]) - p["gL"] * (V - p["VL"])
    return jnp.stack([dv, (g - N) / p["tau"]])


_N_MAGNETS = 3
_MAGNETS = [(math.cos(2.0 * math.pi * i / _N_MAGNETS), math.sin(2.0 * math.pi * i / _N_MAGNETS)) for i in range(1, 4)]


@register
@flow(
    params=dict(gamma=1.0, d=0.3, alpha=0.2, omega=0.5),
    x0=[0.70940648, 0.70479945, 0.0, 0.0],
    names=("x", "y", "vx", "vy"),
    dt=0.01,
    reference="G. Datseris and U. Parlitz, Nonlinear Dynamics: A Concise Introduction Interlaced with Code, "
    "Springer, Cham (2022), doi:10.1007/978-3-030-91032-7; DynamicalSystems.jl magnetic_pendulum",
)
def magnetic_pendulum(x, p, t):
    """Magnetic pendulum: r'' = -omega^2 r - alpha r' - sum_i gamma (r - r_i) / D_i^3, D_i^2 = |r - r_i|^2 + d^2.

    A damped pendulum bob (small-angle, position r = (x, y)) above three magnets of strength gamma at the
    cube roots of unity r_i, a height d below. Every orbit comes to rest at one of the equilibria near the
    magnets (and the central ones are unstable) after transient chaos; the basins are fractal. Not chaotic
    asymptotically: all exponents are negative.
    """
    pos, vel = x[:2], x[2:]
    acc = -(p["omega"] ** 2) * pos - p["alpha"] * vel
    for mx, my in _MAGNETS:
        dx, dy = pos[0] - mx, pos[1] - my
        dist3 = (dx * dx + dy * dy + p["d"] ** 2) ** 1.5
        acc = acc - p["gamma"] * jnp.stack([dx, dy]) / dist3
    return jnp.concatenate([vel, acc])


@register
@flow(
    params=dict(gamma=0.05, xbar=1.9, f0=2.3, omega=3.5, fx=1.0, fy=0.0),
    x0=[0.73768402, 0.0, 0.77189186, 0.0],
    names=("x", "y", "vx", "vy"),
    dt=0.01,
    flags=("forced",),
    reference="E. Ott, J. C. Alexander, I. Kan, J. C. Sommerer and J. A. Yorke, The transition to chaotic "
    "attractors with riddled basins, Physica D 76, 384 (1994), doi:10.1016/0167-2789(94)90047-7",
)
def riddled_basins(x, p, t):
    """Forced particle in a 2-D potential with riddled basins (Ott et al.): r'' = -gamma r' - grad V + f0 sin(omega t) (fx, fy).

    V(x, y) = (1 - x^2)^2 + (x + xbar) y^2, so x'' = -gamma x' + 4 x (1 - x^2) - y^2 + f0 fx sin(omega t),
    y'' = -gamma y' - 2 y (x + xbar) + f0 fy sin(omega t). With fy = 0 the plane y = 0 is invariant and
    carries a chaotic attractor whose basin is riddled: arbitrarily close to its points start orbits that
    escape to |y| -> infinity (DynamicalSystems.jl's x0 = (0.5, 0.6, 0, 0) is one). x0 is on the attractor in
    y = 0 at forcing phase 0; the exponents transverse to the plane are negative on average.
    """
    forcing = p["f0"] * jnp.sin(p["omega"] * t)
    ax = -p["gamma"] * x[2] + 4.0 * x[0] * (1.0 - x[0] ** 2) - x[1] ** 2 + forcing * p["fx"]
    ay = -p["gamma"] * x[3] - 2.0 * x[1] * (x[0] + p["xbar"]) + forcing * p["fy"]
    return jnp.stack([x[2], x[3], ax, ay])


@register
@flow(
    params=dict(B=1.0, d0=0.5, c=0.2),
    x0=[0.5, 0.5, 1.0, 1.0],
    names=("x", "y", "vx", "vy"),
    dt=0.005,
    flags=("hamiltonian",),
    unbounded=(0, 1),
    aliases=("antidot_superlattice",),
    reference="G. Datseris, T. Geisel and R. Fleischmann, Robustness of ballistic transport in antidot "
    "superlattices, New J. Phys. 21, 043051 (2019), doi:10.1088/1367-2630/ab19cc",
)
def antidots(x, p, t):
    """Antidot superlattice: r'' = 2 sqrt(2) B (v_y, -v_x) - grad U, a smoothed periodic Sinai billiard in a magnetic field.

    U = ((d0 / 2 + c - rho) / c)^4 for rho < d0 / 2 + c and 0 beyond, with rho the distance to the nearest
    lattice point (period 1 in x and y): antidots of diameter d0 at unit energy, softened over a width c.
    B = 1 makes the cyclotron diameter 1. The positions are unbounded (the particle travels through the
    lattice); U is C^3, so the tangent dynamics is well defined. x0 has unit energy (speed sqrt 2, cyclotron
    diameter 1) and is chaotic (lambda_1 ~ 1.4); DynamicalSystems.jl's x0 (speed 0.35) circles between the
    antidots on a regular orbit.
    """
    xt, yt = x[0] - jnp.round(x[0]), x[1] - jnp.round(x[1])
    rho = jnp.sqrt(xt * xt + yt * yt)
    reach = 0.5 * p["d0"] + p["c"]
    inside = rho < reach
    rho_safe = jnp.where(inside & (rho > 0.0), rho, 1.0)
    factor = jnp.where(inside, -4.0 * jnp.where(inside, reach - rho, 0.0) ** 3 / (p["c"] ** 4 * rho_safe), 0.0)
    br = 2.0 * jnp.sqrt(2.0) * p["B"]
    return jnp.stack([x[2], x[3], br * x[3] - factor * xt, -br * x[2] - factor * yt])


@register
@flow(
    params=dict(a=1.0, b=3.0, c=1.0, d=5.0, r=0.001, s=4.0, xr=-1.6, curr=2.0),
    x0=[-0.53631164, -1.3418011, 1.4791713],
    names=("x", "y", "z"),
    dt=0.02,
    reference="J. L. Hindmarsh and R. M. Rose, A model of neuronal bursting using three coupled first order "
    "differential equations, Proc. R. Soc. Lond. B 221, 87 (1984), doi:10.1098/rspb.1984.0024",
)
def hindmarsh_rose_1984(x, p, t):
    """Hindmarsh-Rose neuron (1984 form): x' = y - a x^3 + b x^2 - z + curr, y' = c - d x^2 - y, z' = r (s (x - xr) - z).

    The original parametrization (DynamicalSystems.jl's hindmarshrose); curr = 2 gives periodic bursting.
    `hindmarsh_rose` is dysts' rescaled form with other parameters.
    """
    dx = x[1] - p["a"] * x[0] ** 3 + p["b"] * x[0] ** 2 - x[2] + p["curr"]
    return jnp.stack([dx, p["c"] - p["d"] * x[0] ** 2 - x[1], p["r"] * (p["s"] * (x[0] - p["xr"]) - x[2])])


def _hr_sigmoid(v):
    return 1.0 / (1.0 + jnp.exp(-10.0 * (v + 0.25)))


@register
@flow(
    params=dict(a=1.0, b=3.0, c=1.0, d=5.0, r=0.001, s=4.0, xr=-1.6, curr=4.0, k1=-0.17, k2=-0.17, k_el=0.0, vs=2.0),
    x0=[-0.31566958, -7.3362963, 1.9714895, 0.91695652, -8.8336411, 2.1413426],
    names=("x1", "y1", "z1", "x2", "y2", "z2"),
    dt=0.02,
    reference="A. Mishra, S. Saha, M. Vigneshwaran, P. Pal, T. Kapitaniak and S. K. Dana, Dragon-king-like "
    "extreme events in coupled bursting neurons, Phys. Rev. E 97, 062311 (2018), doi:10.1103/PhysRevE.97.062311",
)
def hindmarsh_rose_two_coupled(x, p, t):
    """Two Hindmarsh-Rose neurons with chemical and electrical synapses.

    x_i' = y_i + b x_i^2 - a x_i^3 - z_i + curr - k_i (x_i - vs) G(x_j) + k_el (x_j - x_i), y_i' = c - d x_i^2 - y_i,
    z_i' = r (s (x_i - xr) - z_i), G(v) = 1 / (1 + exp(-10 (v + 0.25))). DynamicalSystems.jl's
    hindmarshrose_two_coupled leaves c undefined (and misnames vs and k_el); we take the standard c = 1.
    """
    x1, y1, z1, x2, y2, z2 = x[0], x[1], x[2], x[3], x[4], x[5]

    def neuron(xi, yi, zi, xj, ki):
        dx = (
            yi
            + p["b"] * xi**2
            - p["a"] * xi**3
            - zi
            + p["curr"]
            - ki * (xi - p["vs"]) * _hr_sigmoid(xj)
            + p["k_el"] * (xj - xi)
        )
        return dx, p["c"] - p["d"] * xi**2 - yi, p["r"] * (p["s"] * (xi - p["xr"]) - zi)

    return jnp.stack([*neuron(x1, y1, z1, x2, p["k1"]), *neuron(x2, y2, z2, x1, p["k2"])])


@register
@flow(
    params=dict(a=3.0, b=0.2, eps=0.01, curr=0.0),
    x0=[0.5, 0.5],
    names=("v", "w"),
    dt=0.05,
    reference="R. FitzHugh, Impulses and physiological states in theoretical models of nerve membrane, "
    "Biophys. J. 1, 445 (1961), doi:10.1016/S0006-3495(61)86902-6; cubic form of E. M. Izhikevich and "
    "R. FitzHugh, FitzHugh-Nagumo model, Scholarpedia 1(9), 1349 (2006)",
)
def fitzhugh_nagumo_cubic(x, p, t):
    """FitzHugh-Nagumo, cubic form: v' = a v (v - b)(1 - v) - w + curr, w' = eps (v - w).

    DynamicalSystems.jl's fitzhugh_nagumo: an excitable system; at curr = 0 every orbit returns to rest at
    (0, 0) (after one spike from x0 = (0.5, 0.5)). `fitzhugh_nagumo` is FitzHugh's original form.
    """
    v, w = x[0], x[1]
    return jnp.stack([p["a"] * v * (v - p["b"]) * (1.0 - v) - w + p["curr"], p["eps"] * (v - w)])


@register
@flow(
    params=dict(a=1.0, b=1.0, m=1.0),
    x0=[-2.8976045, 3.8877978, 3.07465],
    names=("x", "y", "z"),
    dt=0.005,
    aliases=("li_four_wing",),
    reference="C. Li, I. Pehlivan, J. C. Sprott and A. Akgul, A novel four-wing strange attractor born in "
    "bistability, IEICE Electron. Express 12, 20141116 (2015), doi:10.1587/elex.12.20141116",
)
def four_wing_li(x, p, t):
    """Li's four-wing attractor: x' = a x + y + y z, y' = -x z + y z, z' = -z - m x y + b.

    DynamicalSystems.jl calls it sakarya; it is not the law of dysts' Sakarya (our `sakarya`).
    """
    return jnp.stack(
        [p["a"] * x[0] + x[1] + x[1] * x[2], -x[0] * x[2] + x[1] * x[2], -x[2] - p["m"] * x[0] * x[1] + p["b"]]
    )


@register
@flow(
    params=dict(a=10.0, b=28.0, c=8.0 / 3.0, d=-1.0),
    x0=[0.85692, 0.66959027, 12.080645, 8.5078668],
    names=("x", "y", "z", "w"),
    dt=0.005,
    reference="X. Wang and M. Wang, A hyperchaos generated from Lorenz system, Physica A 387, 3751 (2008), "
    "doi:10.1016/j.physa.2008.02.020",
)
def hyper_lorenz_wang(x, p, t):
    """Wang-Wang hyperchaotic Lorenz: x' = a (y - x) + w, y' = x (b - z) - y, z' = x y - c z, w' = d w - y z.

    DynamicalSystems.jl's hyper_lorenz; `hyper_lorenz` (dysts' HyperLorenz) feeds back x z instead of y z.
    """
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + x[3],
            x[0] * (p["b"] - x[2]) - x[1],
            x[0] * x[1] - p["c"] * x[2],
            p["d"] * x[3] - x[1] * x[2],
        ]
    )


def make_kuramoto(D: int = 10):
    """Kuramoto model of D phase oscillators (structural D), frequencies evenly spaced in [-1, 1]."""
    D = int(D)
    if D < 2:
        raise ValueError(f"kuramoto needs D >= 2 oscillators, got D={D}")

    def kuramoto(x, p, t):
        """Kuramoto model: phi_i' = w_i + (K / D) sum_j sin(phi_j - phi_i), w_i evenly spaced in [-1, 1].

        K = 0.3 as in DynamicalSystems.jl (whose default D = 25; ours D = 10, set with D=); the phases grow
        without bound. Below the locking threshold
        (K_c = 4 / pi for this uniform frequency spread) the oscillators drift: not chaotic.
        """
        w = jnp.linspace(-1.0, 1.0, D)
        z = jnp.mean(jnp.exp(1j * x))
        return w + p["K"] * jnp.imag(z * jnp.exp(-1j * x))

    return flow(
        params=dict(K=0.3),
        x0=[2.0 * math.pi * i / (D - 1) for i in range(D)],
        names=tuple(f"phi{i + 1}" for i in range(D)),
        name="kuramoto",
        dt=0.05,
        unbounded=tuple(range(D)),
        reference="Y. Kuramoto, Self-entrainment of a population of coupled non-linear oscillators, in "
        "International Symposium on Mathematical Problems in Theoretical Physics, Lecture Notes in Physics 39, "
        "420 (1975), doi:10.1007/BFb0013365",
    )(kuramoto)


register(make_kuramoto, structural=("D",))


_HW_K = [[0.20, 0.05, 1.00, 0.05, 1.20], [0.25, 0.10, 0.05, 1.00, 0.40], [0.15, 0.95, 0.35, 0.10, 0.05]]
_HW_C = [[0.20, 0.10, 0.10, 0.10, 0.10], [0.10, 0.20, 0.10, 0.10, 0.20], [0.10, 0.10, 0.20, 0.20, 0.10]]


@register
@flow(
    params=dict(K=_HW_K, C=_HW_C, r=[1.0] * 5, m=[0.25] * 5, S=[10.0] * 3, D=0.25),
    x0=[0.1] * 5 + [10.0] * 3,
    names=("N1", "N2", "N3", "N4", "N5", "R1", "R2", "R3"),
    dt=0.02,
    aliases=("huisman_weissing",),
    reference="J. Huisman and F. J. Weissing, Biodiversity of plankton by species oscillations and chaos, "
    "Nature 402, 407 (1999), doi:10.1038/46540; J. Huisman and F. J. Weissing, Fundamental unpredictability in "
    "multispecies competition, Am. Nat. 157, 488 (2001), doi:10.1086/319929",
)
def multispecies_competition(x, p, t):
    """Huisman-Weissing resource competition: N_i' = N_i (mu_i(R) - m_i), R_j' = D (S_j - R_j) - sum_i C_ji mu_i(R) N_i.

    mu_i(R) = min_j r_i R_j / (K_ji + R_j) (Liebig's law of the minimum over Monod uptake): five species on
    three resources with DynamicalSystems.jl's option 1 tables K, C (D = m_i = 0.25, S_j = 10, r_i = 1). The
    min makes the field continuous with a Jacobian that jumps where the limiting resource changes. From
    DynamicalSystems.jl's x0 (N_i = 0.1, R_j = S_j) species 2 and 3 die out and species 1, 4 and 5 oscillate
    on a limit cycle (exponents 0, -0.016, -0.066, ...): not chaos at this start. The step matters: with
    fixed-step RK4 at dt >= 0.05 the stages straddle the switches of the min and the scheme stalls at a
    spurious fixed point (f != 0 there), so dt = 0.02 (dt = 0.005 gives the same exponents).
    """
    n, res = x[:5], x[5:]
    monod = p["r"][None, :] * res[:, None] / (p["K"] + res[:, None])  # (resources, species)
    mu = jnp.min(monod, axis=0)
    dn = n * (mu - p["m"])
    dr = p["D"] * (p["S"] - res) - p["C"] @ (mu * n)
    return jnp.concatenate([dn, dr])
