"""Flows from physics: fluid advection, geophysics, mechanics, plasmas and circuits; each written from its cited paper.

Many of the fluid-advection models are periodically driven 2-D flows written, as in dysts, as
autonomous 3-D flows with a phase (or clock) variable; that coordinate grows without bound and
is listed in ``unbounded`` (as are angles on a torus). Initial conditions lie on the attractor
(or, for conservative flows, in the chaotic sea) of the default parameters.
"""

import jax.numpy as jnp

from ..base import flow
from ..registry import register
from . import DYSTS_DIFFERENCES

TWO_PI = 2.0 * jnp.pi


def _switch(phase, tau, stiffness=20.0):
    """Smoothed square wave 1/2 + tanh(tau s sin(2 pi phase / tau))/2 that alternates two stirrers (period tau)."""
    return 0.5 + 0.5 * jnp.tanh(tau * stiffness * jnp.sin(TWO_PI * phase / tau))


# --------------------------------------------------------------------------------------------
# Fluid advection
# --------------------------------------------------------------------------------------------


@register
@flow(
    params=dict(a=1.73205, b=1.41421, c=1.0),
    x0=[0.22003764, 5.3758583, 4.7246902],
    names=("x", "y", "z"),
    dt=0.03,
    flags=("conservative",),
    unbounded=(0, 1, 2),
    aliases=("abc_flow",),
    reference="V. I. Arnold, Sur la topologie des ecoulements stationnaires des fluides parfaits, C. R. Acad. "
    "Sci. Paris 261, 17 (1965); chaotic streamlines: T. Dombre, U. Frisch, J. M. Greene, M. Henon, "
    "A. Mehr and A. M. Soward, Chaotic streamlines in the ABC flows, J. Fluid Mech. 167, 353 (1986), "
    "doi:10.1017/S0022112086002859",
)
def arnold_beltrami_childress(x, p, t):
    """ABC flow: x' = a sin z + c cos y, y' = b sin x + a cos z, z' = c sin y + b cos x.

    Steady Beltrami solution of Euler's equations, divergence-free; the coordinates are angles
    (2 pi-periodic field), so all three are unbounded. a = sqrt 3, b = sqrt 2, c = 1 (Dombre et
    al.) has chaotic streamlines; x0 is in the chaotic region (reduced mod 2 pi).
    """
    return jnp.stack(
        [
            p["a"] * jnp.sin(x[2]) + p["c"] * jnp.cos(x[1]),
            p["b"] * jnp.sin(x[0]) + p["a"] * jnp.cos(x[2]),
            p["c"] * jnp.sin(x[1]) + p["b"] * jnp.cos(x[0]),
        ]
    )


@register
@flow(
    params=dict(mu=0.01, w=1.0),
    x0=[0.090746839, 0.10357, 5.2415067, 4.0603214, 3.0206085],
    names=("p1", "p2", "phi1", "phi2", "phi3"),
    dt=0.1,
    flags=("hamiltonian",),
    unbounded=(2, 3, 4),
    reference="C. Froeschle, M. Guzzo and E. Lega, Graphical evolution of the Arnold web: from order to chaos, "
    "Science 289, 2108 (2000), doi:10.1126/science.289.5487.2108",
)
def arnold_web(x, p, t):
    """Arnold web: p_i' = -mu sin phi_i / D^2, phi_i' = p_i (i = 1, 2), phi3' = w, D = 4 + sum_i cos phi_i.

    Hamilton's equations of H = p1^2/2 + p2^2/2 + w p3 + mu/D with the third action p3 dropped
    (it does not act back). Quasi-integrable: at mu = 0.01 most orbits are (close to) tori and
    chaos is confined to thin resonance layers; x0 is in one, but the chaos is weak (lambda_1 ~ 0.004,
    slowly converging). The angles phi_i are unbounded.
    """
    den = 4.0 + jnp.cos(x[2]) + jnp.cos(x[3]) + jnp.cos(x[4])
    force = -p["mu"] / den**2
    return jnp.stack([force * jnp.sin(x[2]), force * jnp.sin(x[3]), x[0], x[1], p["w"] * jnp.ones_like(x[4])])


DYSTS_DIFFERENCES["bickley_jet"] = (
    "we follow Rypina et al. / Hadjighasem et al. (u = -d psi/dy, v = d psi/dx); dysts' velocity is the negative "
    "of that, which removes the vortices, and we measure time in days instead of seconds"
)


@register
@flow(
    params=dict(
        ell=1.77,
        eps=[0.0075, 0.15, 0.3],
        k=[0.313922, 0.627845, 0.941767],
        omega=1.0,
        sigma=[9.05854e-06 * 86400.0, 1.28453e-05 * 86400.0, 2.88863e-05 * 86400.0],
        u=6.266e-05 * 86400.0,
    ),
    x0=[-2.2861689, 8.9968994, 100.0],
    names=("y", "x", "phase"),
    dt=0.03,
    flags=("conservative",),
    unbounded=(1, 2),
    reference="I. I. Rypina, M. G. Brown, F. J. Beron-Vera, H. Kocak, M. J. Olascoaga and I. A. Udovydchenkov, "
    "On the Lagrangian dynamics of atmospheric zonal jets and the permeability of the stratospheric "
    "polar vortex, J. Atmos. Sci. 64, 3595 (2007), doi:10.1175/JAS4036.1; parameters: A. Hadjighasem, "
    "D. Karrasch, H. Teramoto and G. Haller, Spectral-clustering approach to Lagrangian vortex "
    "detection, Phys. Rev. E 93, 063107 (2016), doi:10.1103/PhysRevE.93.063107",
)
def bickley_jet(x, p, t):
    """Bickley jet: y' = -ell u S sum_n eps_n k_n sin th_n, x' = u S (1 + 2 tanh(y/ell) sum_n eps_n cos th_n),
    phase' = omega.

    S = sech^2(y/ell), th_n = k_n (x - sigma_n phase): the stream function psi = -u ell tanh(y/ell)
    + u ell S sum_n eps_n cos th_n (x' = -d psi/dy, y' = d psi/dx) of a zonal jet between two rows of
    counter-rotating vortices (k_n = 2n/r0, r0 = 6.371 Mm; sigma_n the wave speeds c_n). State order
    (y, x, phase) as in dysts; x and the phase are unbounded. Units: Mm and days (u = 62.66 m/s =
    5.414 Mm/day, sigma_n in Mm/day; dysts uses seconds, so its u and sigma are ours / 86400).
    Differs from dysts (DYSTS_DIFFERENCES): dysts' velocity has the opposite sign, so there the jet
    runs against the waves, which removes the critical layers and hence the vortices. x0 is in the
    chaotic zone (lambda_1 ~ 0.1 per day); the vortex cores are regular.
    """
    y, xx, ph = x[0], x[1], x[2]
    sech2 = 1.0 / jnp.cosh(y / p["ell"]) ** 2
    th = p["k"] * (xx - p["sigma"] * ph)
    xdot = p["u"] * sech2 * (1.0 + 2.0 * jnp.tanh(y / p["ell"]) * jnp.sum(p["eps"] * jnp.cos(th)))
    ydot = -p["ell"] * p["u"] * sech2 * jnp.sum(p["eps"] * p["k"] * jnp.sin(th))
    return jnp.stack([ydot, xdot, p["omega"] * jnp.ones_like(ph)])


def _rotlet(r, th, a, b, bc):
    """Stokes flow (v_r, v_theta) in a disk of radius a from a rotlet at (b, 0) with its image; bc = 1 adds the
    no-slip wall correction of Meleshko and Aref, bc = 0 leaves a point vortex with its image (Aref)."""
    cos_th = jnp.cos(th)
    dist_im = a**2 + b**2 * r**2 / a**2 - 2.0 * b * r * cos_th  # (b/a)^2 |z - a^2/b|^2
    dist = b**2 + r**2 - 2.0 * b * r * cos_th  # |z - b|^2
    wall = (1.0 - r**2 / a**2) * (a**2 - b**2 * r**2 / a**2)
    radial_im = b**2 * r / a**2 - b * cos_th
    vr = b * jnp.sin(th) * (-bc * wall / dist_im**2 - 1.0 / dist_im + 1.0 / dist)
    vth = (
        bc * wall * radial_im / dist_im**2
        + bc * r * (a**2 + b**2 - 2.0 * b**2 * r**2 / a**2) / (a**2 * dist_im)
        + radial_im / dist_im
        - (r - b * cos_th) / dist
    )
    return vr, vth


def _blinking(x, p):
    r, th, ph = x[0], x[1], x[2]
    w = _switch(ph, p["tau"])
    vr1, vth1 = _rotlet(r, th, p["a"], p["b"], p["bc"])
    vr2, vth2 = _rotlet(r, th, p["a"], -p["b"], p["bc"])
    vr = w * vr1 + (1.0 - w) * vr2
    vth = w * vth1 + (1.0 - w) * vth2
    return jnp.stack([p["sigma"] * vr, p["sigma"] * vth / r, jnp.ones_like(ph)])


@register
@flow(
    params=dict(a=1.0, b=0.5298833894399929, bc=1.0, sigma=-1.0, tau=3.0),
    x0=[0.869275, 3.0292851, 0.0],
    names=("r", "theta", "phase"),
    dt=0.005,
    unbounded=(1, 2),
    reference="V. V. Meleshko and H. Aref, A blinking rotlet model for chaotic advection, Phys. Fluids 8, "
    "3215 (1996), doi:10.1063/1.869099",
)
def blinking_rotlet(x, p, t):
    """Blinking rotlet: (r', r theta') = sigma [s v(r, theta; b) + (1 - s) v(r, theta; -b)], phase' = 1.

    Stokes flow in a disk of radius a stirred by a rotlet that blinks between (+b, 0) and (-b, 0);
    s = 1/2 + tanh(20 tau sin(2 pi phase/tau))/2 is dysts' smoothed on/off protocol of period tau.
    Polar coordinates (incompressible in the plane, but not volume-preserving in (r, theta));
    theta and the phase are unbounded. The protocol switches in ~1/(40 pi) = 0.008 time units,
    which sets dt. b is chosen so that the symmetric point has a stagnation point (Meleshko and Aref).
    theta' = v_theta / r is singular at the origin (a coordinate singularity), which orbits of the
    mixing region pass near; the exponents agree with a Cartesian integration at this dt within
    their scatter.
    """
    return _blinking(x, p)


@register
@flow(
    params=dict(a=1.0, b=0.5, bc=0.0, sigma=-1.0, tau=3.0),
    x0=[0.43026994, 6.2322207, 0.0],
    names=("r", "theta", "phase"),
    dt=0.005,
    unbounded=(1, 2),
    reference="H. Aref, Stirring by chaotic advection, J. Fluid Mech. 143, 1 (1984), doi:10.1017/S0022112084001233",
)
def blinking_vortex(x, p, t):
    """Blinking vortex: (r', r theta') = sigma [s v(r, theta; b) + (1 - s) v(r, theta; -b)], phase' = 1.

    Aref's point vortex (with its image in the circular wall of radius a) that blinks between
    (+b, 0) and (-b, 0): the blinking-rotlet law with bc = 0. s is dysts' smoothed protocol of period
    tau. theta and the phase are unbounded; polar coordinates are singular at r = 0 (see
    ``blinking_rotlet``).
    """
    return _blinking(x, p)


@register
@flow(
    params=dict(alpha=0.1, eps=0.1, omega=0.62832),
    x0=[0.49502844, 0.97883824, 2.6077001],
    names=("x", "y", "phase"),
    dt=0.1,
    flags=("conservative",),
    unbounded=(2,),
    reference="S. C. Shadden, F. Lekien and J. E. Marsden, Definition and properties of Lagrangian coherent "
    "structures from finite-time Lyapunov exponents in two-dimensional aperiodic flows, Physica D "
    "212, 271 (2005), doi:10.1016/j.physd.2005.10.007",
)
def double_gyre(x, p, t):
    """Double gyre: x' = -pi alpha sin(pi f) cos(pi y), y' = pi alpha cos(pi f) sin(pi y) df/dx, phase' = omega.

    f = eps sin(phase) x^2 + (1 - 2 eps sin(phase)) x; stream function alpha sin(pi f) sin(pi y) on
    [0, 2] x [0, 1] (alpha is Shadden et al.'s A, omega = 2 pi/10). Divergence-free; the phase is unbounded.
    """
    s = p["eps"] * jnp.sin(x[2])
    f = s * x[0] ** 2 + (1.0 - 2.0 * s) * x[0]
    dfdx = 2.0 * s * x[0] + 1.0 - 2.0 * s
    return jnp.stack(
        [
            -jnp.pi * p["alpha"] * jnp.sin(jnp.pi * f) * jnp.cos(jnp.pi * x[1]),
            jnp.pi * p["alpha"] * jnp.cos(jnp.pi * f) * jnp.sin(jnp.pi * x[1]) * dfdx,
            p["omega"] * jnp.ones_like(x[2]),
        ]
    )


@register
@flow(
    params=dict(a=[0.5, 0.5, 0.5, 0.5, 0.5], g=[0.5, 0.5, 0.5, 0.5, 0.5], tau=3.0),
    x0=[0.91617798, 1.601655, 0.1],
    names=("r", "theta", "phase"),
    dt=0.01,
    unbounded=(1, 2),
    reference="J. R. Blake, Self propulsion due to oscillations on the surface of a cylinder at low Reynolds "
    "number, Bull. Austral. Math. Soc. 5, 255 (1971), doi:10.1017/S0004972700047134",
)
def interior_squirmer(x, p, t):
    """Interior squirmer: r' = sum_n n r^(n-1) (r^2 - 1)(G_n cos n theta + A_n sin n theta),
    r theta' = sum_n ((n + 2) r^(n+1) - n r^(n-1))(A_n cos n theta - G_n sin n theta), phase' = 1.

    Stokes flow inside the unit cylinder driven by a tangential boundary slip with Fourier modes
    A_n = s a_n, G_n = (1 - s) g_n, n = 1..N, that alternate with dysts' smoothed protocol
    s = 1/2 + tanh(20 tau sin(2 pi phase/tau))/2. Incompressible in the plane; theta and the
    phase are unbounded.
    """
    r, th, ph = x[0], x[1], x[2]
    s = _switch(ph, p["tau"])
    a, g = s * p["a"], (1.0 - s) * p["g"]
    n = jnp.arange(1, p["a"].shape[0] + 1, dtype=x.dtype)
    c, sn, rn = jnp.cos(n * th), jnp.sin(n * th), r**n
    vr = jnp.sum((g * c + a * sn) * n * rn * (r**2 - 1.0) / r)
    vth = jnp.sum((a * c - g * sn) * rn * (2.0 * r + (r**2 - 1.0) * n / r))
    return jnp.stack([vr, vth / r, jnp.ones_like(ph)])


def _cavity(x, y, a, b, u1, u2):
    """Velocity of the two-mode Stokes flow in the cavity [0, a] x [-b, b] driven by lid speeds (u1, u2)."""
    vx, vy = 0.0, 0.0
    for k, uk in ((1.0, u1), (2.0, u2)):
        q = k * jnp.pi / a
        den = 2.0 * k * b * jnp.pi + a * jnp.sinh(2.0 * q * b)
        vx = vx + 2.0 * uk * jnp.sin(q * x) / den * (
            -k * b * jnp.pi * jnp.sinh(q * b) * jnp.sinh(q * y)
            + jnp.cosh(q * b) * (k * jnp.pi * y * jnp.cosh(q * y) + a * jnp.sinh(q * y))
        )
        vy = vy + 2.0 * k * jnp.pi * uk * jnp.cos(q * x) / den * (
            b * jnp.sinh(q * b) * jnp.cosh(q * y) - jnp.cosh(q * b) * y * jnp.sinh(q * y)
        )
    return vx, vy


@register
@flow(
    params=dict(a=6.0, b=1.0, tau=1.1, u1=9.92786, u2=8.34932),
    x0=[2.5187887, 0.062483793, 0.5],
    names=("x", "y", "phase"),
    dt=0.005,
    flags=("conservative",),
    unbounded=(2,),
    reference="P. Grover, S. D. Ross, M. A. Stremler and P. Kumar, Topological chaos, braiding and bifurcation "
    "of almost-cyclic sets, Chaos 22, 043135 (2012), doi:10.1063/1.4768666",
)
def lid_driven_cavity_flow(x, p, t):
    """Lid-driven cavity: (x', y') = s v(x, y; u1, u2) + (1 - s) v(x, y; -u1, u2), phase' = 1.

    v is the Stokes flow in the rectangular cavity of width a and height 2 b made of the first two
    lid-driven modes with amplitudes (u1, u2); the first mode reverses with dysts' smoothed protocol
    s = 1/2 + tanh(20 tau sin(2 pi phase/tau))/2 (period tau). Divergence-free; the phase is unbounded.
    """
    w = _switch(x[2], p["tau"])
    vx1, vy1 = _cavity(x[0], x[1], p["a"], p["b"], p["u1"], p["u2"])
    vx2, vy2 = _cavity(x[0], x[1], p["a"], p["b"], -p["u1"], p["u2"])
    return jnp.stack([w * vx1 + (1.0 - w) * vx2, w * vy1 + (1.0 - w) * vy2, jnp.ones_like(x[2])])


@register
@flow(
    params=dict(b=0.48, k=1.0, omega=0.49, u=0.72),
    x0=[1.9120727, 1.3179269, 0.35577302],
    names=("x", "y", "phase"),
    dt=0.1,
    flags=("conservative",),
    unbounded=(0, 2),
    reference="T. H. Solomon and J. P. Gollub, Chaotic particle transport in time-dependent Rayleigh-Benard "
    "convection, Phys. Rev. A 38, 6280 (1988), doi:10.1103/PhysRevA.38.6280",
)
def oscillating_flow(x, p, t):
    """Oscillating rolls: x' = u cos(k y) sin(k f), y' = -u sin(k y) cos(k f), f = x + b sin(phase), phase' = omega.

    A chain of convection rolls whose boundaries oscillate laterally with amplitude b (lengths
    rescaled by the roll wavenumber k). Divergence-free; x (along the chain) and the phase are unbounded.
    """
    f = x[0] + p["b"] * jnp.sin(x[2])
    return jnp.stack(
        [
            p["u"] * jnp.cos(p["k"] * x[1]) * jnp.sin(p["k"] * f),
            -p["u"] * jnp.sin(p["k"] * x[1]) * jnp.cos(p["k"] * f),
            p["omega"] * jnp.ones_like(x[2]),
        ]
    )


# --------------------------------------------------------------------------------------------
# Geophysics and convection
# --------------------------------------------------------------------------------------------


@register
@flow(
    params=dict(alpha=-2.0, beta=-5.0, mu1=0.05, mu2=-0.01, omega=3.0, sigma=1.1),
    x0=[0.0030058197, -0.20909261, 0.68117853],
    names=("x", "y", "z"),
    dt=0.02,
    reference="J. M. Tuwankotta, Chaos in a coupled oscillators system with widely spaced frequencies and "
    "energy-preserving non-linearity, Int. J. Non-Linear Mech. 41, 180 (2006)",
)
def atmospheric_regime(x, p, t):
    """Atmospheric regimes: x' = mu1 x + sigma x y, y' = mu2 y + omega z + alpha y z + beta z^2 - sigma x^2,
    z' = mu2 z - omega y - alpha y^2 - beta y z.

    A slow mode x coupled to a fast oscillator (y, z) of frequency omega by energy-preserving
    quadratic terms; the slow regime changes take hundreds of time units, but the law is not stiff.
    """
    X, y, z = x[0], x[1], x[2]
    return jnp.stack(
        [
            p["mu1"] * X + p["sigma"] * X * y,
            p["mu2"] * y + p["omega"] * z + p["alpha"] * y * z + p["beta"] * z**2 - p["sigma"] * X**2,
            p["mu2"] * z - p["omega"] * y - p["alpha"] * y**2 - p["beta"] * y * z,
        ]
    )


@register
@flow(
    params=dict(a=0.2, b=4.0, f=9.0, g=1.0),
    x0=[1.4049254, 0.16974738, -1.1652312],
    names=("x", "y", "z"),
    dt=0.02,
    reference="E. N. Lorenz, Irregularity: a fundamental property of the atmosphere, Tellus A 36, 98 (1984), "
    "doi:10.1111/j.1600-0870.1984.tb00230.x (the Hadley circulation: G. Hadley, Concerning the cause "
    "of the general trade-winds, Philos. Trans. R. Soc. London 39, 58 (1735))",
)
def hadley(x, p, t):
    """Hadley circulation: x' = -y^2 - z^2 - a x + a f, y' = x y - b x z - y + g, z' = b x y + x z - z.

    Lorenz-84's model (see ``lorenz84``, which has Lorenz's a = 1/4, f = 8) at dysts' Hadley parameters
    a = 0.2, b = 4, f = 9, g = 1: x is the westerly wind of the Hadley cell, (y, z) a travelling eddy,
    f and g the symmetric and asymmetric thermal forcings.
    """
    X, y, z = x[0], x[1], x[2]
    return jnp.stack(
        [-(y**2) - z**2 - p["a"] * X + p["a"] * p["f"], X * y - p["b"] * X * z - y + p["g"], p["b"] * X * y + X * z - z]
    )


@register
@flow(
    params=dict(a=30.0, b=5.0, r=18.0),
    x0=[16.614848, 17.580862, 23.37544],
    names=("x", "y", "z"),
    dt=0.003,
    reference="T. Yanagita and K. Kaneko, Rayleigh-Benard convection patterns, chaos, spatiotemporal chaos and "
    "turbulence, Physica D 82, 288 (1995)",
)
def rayleigh_benard(x, p, t):
    """Rayleigh-Benard (reduced convection cell): x' = a (y - x), y' = r y - x z, z' = x y - b z."""
    return jnp.stack([p["a"] * (x[1] - x[0]), p["r"] * x[1] - x[0] * x[2], x[0] * x[1] - p["b"] * x[2]])


@register
@flow(
    params=dict(a=1.0, mu=1.0),
    x0=[-0.88178368, -0.73714601, 3.4249936],
    names=("i1", "i2", "w1"),
    dt=0.02,
    reference="T. Rikitake, Oscillations of a system of disk dynamos, Proc. Cambridge Philos. Soc. 54, 89 "
    "(1958), doi:10.1017/S0305004100033223",
)
def rikitake_dynamo(x, p, t):
    """Rikitake dynamo: x' = -mu x + y z, y' = -mu y + x (z - a), z' = 1 - x y.

    Two coupled disk dynamos: currents x, y and the angular velocity z of the first disk
    (dimensionless; a = mu (K^2 - K^-2) measures the difference of the two angular velocities).
    """
    return jnp.stack([-p["mu"] * x[0] + x[1] * x[2], -p["mu"] * x[1] - p["a"] * x[0] + x[0] * x[2], 1.0 - x[0] * x[1]])


@register
@flow(
    params=dict(b=102.0, c=3.0, p=0.0),
    x0=[-3.765672, -0.30943072, 0.50987807],
    names=("u", "dT", "T"),
    dt=0.008,
    aliases=("vallis",),
    reference="G. K. Vallis, Conceptual models of El Nino and the Southern Oscillation, J. Geophys. Res. 93, "
    "13979 (1988), doi:10.1029/JC093iC11p13979",
)
def vallis_el_nino(x, p, t):
    """Vallis El Nino: u' = b dT - c (u + p), dT' = -dT + u T, T' = -T - u dT + 1.

    Dimensionless equatorial current u, east-west temperature difference dT and mean temperature T;
    p is a constant (e.g. trade-wind) forcing of the current.
    """
    return jnp.stack([p["b"] * x[1] - p["c"] * (x[0] + p["p"]), -x[1] + x[0] * x[2], -x[2] - x[0] * x[1] + 1.0])


@register
@flow(
    params=dict(a=1.0, alpha1=0.2, alpha2=1.0, b=1.0, c=10.0, k1=0.05, k2=0.0, zs=0.006),
    x0=[8.8658465, 6.2206583, 0.014857062],
    names=("vegetation", "herbivore", "predator"),
    dt=0.05,
    reference="B. Blasius, A. Huppert and L. Stone, Complex dynamics and phase synchronization in spatially "
    "extended ecological systems, Nature 399, 354 (1999), doi:10.1038/20676",
)
def blasius(x, p, t):
    """Blasius food chain: u' = a u - alpha1 f1, v' = -b v + alpha1 f1 - alpha2 f2, w' = -c (w - zs) + alpha2 f2,
    f1 = u v / (1 + k1 u), f2 = v w / (1 + k2 v).

    Vegetation u, herbivores v and predators w (Holling type II grazing; k2 = 0 makes predation
    Lotka-Volterra); zs is the predators' level without prey: uniform phase, chaotic amplitudes (UPCA).
    """
    u, v, w = x[0], x[1], x[2]
    f1 = p["alpha1"] * u * v / (1.0 + p["k1"] * u)
    f2 = p["alpha2"] * v * w / (1.0 + p["k2"] * v)
    return jnp.stack([p["a"] * u - f1, -p["b"] * v + f1 - f2, -p["c"] * (w - p["zs"]) + f2])


@register
@flow(
    params=dict(a1=0.247, b1=10.8, b2=0.0752, b3=1.06, d1=2200.0, vsw=5.0),
    x0=[0.87522314, 4.1910978, 117.84621],
    names=("I", "V", "P"),
    dt=0.003,
    aliases=("windmi",),
    reference="W. Horton, R. S. Weigel and J. C. Sprott, Chaos and the limits of predictability for the "
    "solar-wind-driven magnetosphere-ionosphere system, Phys. Plasmas 8, 2946 (2001), "
    "doi:10.1063/1.1371522; full model: J. P. Smith, J.-L. Thiffeault and W. Horton, Dynamical range "
    "of the WINDMI model: an exploration of possible magnetospheric plasma states, J. Geophys. Res. "
    "105, 12983 (2000), doi:10.1029/1999JA000218",
)
def windmi_reduced(x, p, t):
    """Reduced WINDMI: I' = a1 (vsw - V), V' = b1 I - b2 P/2 - b3 V, P' = vsw^2 - P^(5/4) sqrt(vsw) s(I),
    s(I) = (1 + tanh(d1 (I - 1)))/2.

    Geotail current I, cross-tail voltage V and plasma pressure P driven by the solar wind vsw.
    The P term in V' is dysts' b2 P / 2; Horton, Weigel and Sprott's reduction of WINDMI has
    b2 P^(1/2) there (dysts' ``p**1 / 2`` reads like a precedence slip). We keep dysts' form: with the
    paper's term these parameters give a limit cycle at P ~ 5300 (chaos at vsw = 4.5 or 5.5), with
    dysts' term they give the chaotic attractor (P ~ 40-140). The steep switch (d1 = 2200) makes the
    unloading events abrupt and sets dt.
    """
    cur, V, P = x[0], x[1], x[2]
    unload = 0.5 * (1.0 + jnp.tanh(p["d1"] * (cur - 1.0)))
    return jnp.stack(
        [
            p["a1"] * (p["vsw"] - V),
            p["b1"] * cur - 0.5 * p["b2"] * P - p["b3"] * V,
            p["vsw"] ** 2 - P**1.25 * jnp.sqrt(p["vsw"]) * unload,
        ]
    )


# --------------------------------------------------------------------------------------------
# Mechanics and Hamiltonian systems
# --------------------------------------------------------------------------------------------


@register
@flow(
    params=dict(gamma=1.82, psi=0.01019, w=1.21),
    x0=[5.7158406, -0.26495334, 1.9142105],
    names=("x", "v", "phase"),
    dt=0.01,
    unbounded=(2,),
    reference="T. Gilet and J. W. M. Bush, The fluid trampoline: droplets bouncing on a soap film, J. Fluid "
    "Mech. 625, 167 (2009), doi:10.1017/S0022112008005442",
)
def fluid_trampoline(x, p, t):
    """Fluid trampoline: x' = v, v' = -1 - H(-x) (x + psi v |v|) + gamma cos(phase), phase' = w.

    A droplet (height x) on a vibrating soap film: free flight above the film (x >= 0), a linear
    spring with quadratic drag psi v|v| while in contact (x < 0, H the Heaviside step). The force
    jumps at x = 0 (by psi v|v|), so the Jacobian-based Lyapunov spectrum ignores the jumps; the
    phase is unbounded.
    """
    contact = jnp.where(x[0] < 0.0, 1.0, 0.0)
    return jnp.stack(
        [
            x[1],
            -1.0 - contact * (x[0] + p["psi"] * x[1] * jnp.abs(x[1])) + p["gamma"] * jnp.cos(x[2]),
            p["w"] * jnp.ones_like(x[2]),
        ]
    )


@register
@flow(
    params=dict(a=1.0, alpha=0.3, b=1.0, beta=0.3, eps=0.05, gamma=1.0, t0=0.3, vs=0.4, w=2.0),
    x0=[0.64860921, 0.12427146, 0.97353615],
    names=("x", "v", "phase"),
    dt=0.01,
    unbounded=(2,),
    reference="J. Awrejcewicz and M. M. Holicke, Melnikov's method and stick-slip chaotic oscillations in very "
    "weakly forced mechanical systems, Int. J. Bifurcation Chaos 9, 505 (1999)",
)
def stick_slip_oscillator(x, p, t):
    """Stick-slip oscillator: x' = v, v' = a x - b x^3 + eps (gamma cos(phase) - T), phase' = w,
    T = t0 sgn(v - vs) - alpha v + beta (v - vs)^3.

    A double-well (Duffing) oscillator on a belt moving at vs, with weak forcing and dry friction T.
    The friction jumps at v = vs (sticking), so the Jacobian-based Lyapunov spectrum ignores the
    jumps and fixed-step RK4 chatters across v = vs during stick phases. The linear friction term
    is -alpha v as in dysts (a friction law of the relative velocity would have -alpha (v - vs); the
    two differ by the constant force eps alpha vs). The phase is unbounded. Not chaotic at these
    parameters: dysts' initial condition settles on a stick-slip orbit of three forcing periods
    (3 pi). Its Jacobian-based spectrum (lambda_1 ~ +0.02, sum > 0) is an artifact: it misses the
    volume collapse of the sticking phases.
    """
    rel = x[1] - p["vs"]
    friction = p["t0"] * jnp.sign(rel) - p["alpha"] * x[1] + p["beta"] * rel**3
    return jnp.stack(
        [
            x[1],
            p["eps"] * (p["gamma"] * jnp.cos(x[2]) - friction) + p["a"] * x[0] - p["b"] * x[0] ** 3,
            p["w"] * jnp.ones_like(x[2]),
        ]
    )


SWINGING_ATWOOD_G = 9.82  # dysts' value of the gravitational acceleration (m/s^2)


def swinging_atwood_energy(x, p):
    """H = p_r^2 / (2 (m1 + m2)) + p_theta^2 / (2 m1 r^2) + g r (m2 - m1 cos theta) at (r, theta, p_r, p_theta)."""
    r, th, pr, pth = x[0], x[1], x[2], x[3]
    m1, m2 = p["m1"], p["m2"]
    kinetic = pr**2 / (2.0 * (m1 + m2)) + pth**2 / (2.0 * m1 * r**2)
    return kinetic + SWINGING_ATWOOD_G * r * (m2 - m1 * jnp.cos(th))


@register
@flow(
    params=dict(m1=1.0, m2=4.5),
    x0=[0.10155227, 3.952207, 3.3372476, 0.031225744],
    names=("r", "theta", "p_r", "p_theta"),
    dt=2.5e-5,
    flags=("hamiltonian", "stiff"),
    unbounded=(1,),
    reference="N. B. Tufillaro, T. A. Abbott and D. J. Griffiths, Swinging Atwood's machine, Am. J. Phys. 52, "
    "895 (1984), doi:10.1119/1.13791",
)
def swinging_atwood(x, p, t):
    """Swinging Atwood's machine: r' = p_r / (m1 + m2), theta' = p_theta / (m1 r^2),
    p_r' = p_theta^2 / (m1 r^3) - g (m2 - m1 cos theta), p_theta' = -m1 g r sin theta.

    The swinging mass m1 on a string of length r over a pulley balances the hanging mass m2;
    g = 9.82 is fixed (as in dysts). ``swinging_atwood_energy`` gives H. theta is unbounded (the
    pendulum can loop). Flagged stiff: chaotic orbits pass arbitrarily close to r = 0, where
    theta' = p_theta / (m1 r^2) and the centrifugal force diverge (r ~ 1e-4 within 200 time units),
    so fixed-step RK4 needs dt ~ 2.5e-5 (relative energy error ~ 1e-4 over 200 time units; dt = 1e-4
    can blow up); prefer an adaptive method for long runs. lambda_1 ~ 0.1, converging slowly.
    """
    r, th, pr, pth = x[0], x[1], x[2], x[3]
    m1, m2, g = p["m1"], p["m2"], SWINGING_ATWOOD_G
    return jnp.stack(
        [
            pr / (m1 + m2),
            pth / (m1 * r**2),
            pth**2 / (m1 * r**3) - m2 * g + m1 * g * jnp.cos(th),
            -m1 * g * r * jnp.sin(th),
        ]
    )


@register
@flow(
    params=dict(a=1.0, b=0.55, d=0.4),
    x0=[0.32481987, -0.58766856, 0.008057971, -1.8487677],
    names=("q1", "q2", "p1", "p2"),
    dt=0.02,
    flags=("hamiltonian",),
    reference="V. Baran and A. A. Raduta, Classical and quantal chaos described by a fourth order quadrupole "
    "boson Hamiltonian, Int. J. Mod. Phys. E 7, 527 (1998)",
)
def nuclear_quadrupole(x, p, t):
    """Nuclear quadrupole: q_i' = a p_i, p1' = -a q1 + (3/sqrt 2) b (q1^2 - q2^2) - d q1 (q1^2 + q2^2),
    p2' = -a q2 - 3 sqrt 2 b q1 q2 - d q2 (q1^2 + q2^2).

    Hamilton's equations of H = a (p1^2 + p2^2 + q1^2 + q2^2)/2 + (b/sqrt 2) q1 (3 q2^2 - q1^2)
    + d (q1^2 + q2^2)^2 / 4 (quadrupole bosons); chaos by resonance overlap.
    """
    q1, q2, p1, p2 = x[0], x[1], x[2], x[3]
    rho = q1**2 + q2**2
    c = 3.0 / jnp.sqrt(2.0) * p["b"]
    return jnp.stack(
        [
            p["a"] * p1,
            p["a"] * p2,
            -p["a"] * q1 + c * (q1**2 - q2**2) - p["d"] * q1 * rho,
            -p["a"] * q2 - 2.0 * c * q1 * q2 - p["d"] * q2 * rho,
        ]
    )


@register
@flow(
    params=dict(a=1.5),
    x0=[-1.0508269, 0.73262082, -1.2618943],
    names=("q", "p", "z"),
    dt=0.02,
    reference="S. Nose, A unified formulation of the constant temperature molecular dynamics methods, J. Chem. "
    "Phys. 81, 511 (1984), doi:10.1063/1.447334; W. G. Hoover, Canonical dynamics: equilibrium "
    "phase-space distributions, Phys. Rev. A 31, 1695 (1985), doi:10.1103/PhysRevA.31.1695",
)
def nose_hoover(x, p, t):
    """Nose-Hoover oscillator: q' = p, p' = -q + p z, z' = a - p^2.

    A harmonic oscillator coupled to a thermostat (z is minus Hoover's friction; a = 1 is Sprott's
    case A). Time-reversible and conservative on average (div = z, whose time average vanishes):
    a chaotic sea coexists with invariant tori, and x0 is in the sea.
    """
    return jnp.stack([x[1], -x[0] + x[1] * x[2], p["a"] - x[1] ** 2])


@register
@flow(
    params=dict(a=0.5, n=15.3, r=1.0),
    x0=[1.5, 0.0, 0.0],
    names=("x", "y", "z"),
    dt=0.01,
    flags=("forced",),
    reference="S. H. Strogatz, Nonlinear Dynamics and Chaos, Addison-Wesley, Reading, MA (1994), section 8.6, "
    "ISBN 978-0-201-54344-5",
)
def torus(x, p, t):
    """Torus knot: x' = -a n sin(n t) cos t - (r + a cos(n t)) sin t, y' = -a n sin(n t) sin t + (r + a cos(n t)) cos t,
    z' = a n cos(n t).

    The velocity of the curve ((r + a cos nt) cos t, (r + a cos nt) sin t, a sin nt) on a torus: it
    depends on t only, so x0 = (r + a, 0, 0) at t = 0 traces that curve (another x0 shifts it). For
    irrational n the curve fills the torus (quasi-periodic); every Lyapunov exponent is exactly zero.
    """
    rad = p["r"] + p["a"] * jnp.cos(p["n"] * t)
    drad = -p["a"] * p["n"] * jnp.sin(p["n"] * t)
    zero = 0.0 * x[0]
    return jnp.stack(
        [
            drad * jnp.cos(t) - rad * jnp.sin(t) + zero,
            drad * jnp.sin(t) + rad * jnp.cos(t) + zero,
            p["a"] * p["n"] * jnp.cos(p["n"] * t) + zero,
        ]
    )


@register
@flow(
    params=dict(a=0.4, b=20.25, c=3.0, d=1.6, e=1.7, f=0.44),
    x0=[1.9229126, -3.0431756, -1.0037051],
    names=("x", "y", "z"),
    dt=0.003,
    reference="J. Guckenheimer and P. Holmes, Nonlinear Oscillations, Dynamical Systems, and Bifurcations of "
    "Vector Fields, Springer, New York (1983), doi:10.1007/978-1-4612-1140-2",
)
def guckenheimer_holmes(x, p, t):
    """Guckenheimer-Holmes: x' = a x - b y + c x z + d z (x^2 + y^2), y' = a y + b x + c y z,
    z' = e - z^2 - f (x^2 + y^2) - a z^3.

    A fast rotation (rate b) about the z axis coupled to a slow amplitude-height dynamics (normal
    form of an interaction of Hopf and saddle-node bifurcations); the d term breaks the rotational symmetry.
    """
    X, y, z = x[0], x[1], x[2]
    rho = X**2 + y**2
    return jnp.stack(
        [
            p["a"] * X - p["b"] * y + p["c"] * X * z + p["d"] * z * rho,
            p["a"] * y + p["b"] * X + p["c"] * y * z,
            p["e"] - z**2 - p["f"] * rho - p["a"] * z**3,
        ]
    )


# --------------------------------------------------------------------------------------------
# Circuits and lasers
# --------------------------------------------------------------------------------------------


@register
@flow(
    params=dict(eps=1e-09, y0=0.026),
    x0=[0.28223717, 0.28721556, -0.19756509],
    names=("x", "v", "acc"),
    dt=0.01,
    reference="J. C. Sprott, A new chaotic jerk circuit, IEEE Trans. Circuits Syst. II 58, 240 (2011), "
    "doi:10.1109/TCSII.2011.2124490",
)
def jerk_circuit(x, p, t):
    """Jerk circuit: x' = v, v' = acc, acc' = -acc - x - eps (exp(v / y0) - 1).

    The diode's exponential current-voltage law (saturation current eps, thermal voltage y0 = 26 mV)
    is the only nonlinearity.
    """
    return jnp.stack([x[1], x[2], -x[2] - x[0] - p["eps"] * (jnp.exp(x[1] / p["y0"]) - 1.0)])


@register
@flow(
    params=dict(a=10.0, b=1.0, c=5.0, d=-1.0, h=-5.0, k=-6.0),
    x0=[-0.12196314, -0.47816048, -2.281864],
    names=("x", "y", "z"),
    dt=0.002,
    reference="A. Abooee, H. A. Yaghini-Bonabi and M. R. Jahed-Motlagh, Analysis and circuitry realization of a "
    "novel three-dimensional chaotic system, Commun. Nonlinear Sci. Numer. Simul. 18, 1235 (2013)",
)
def laser(x, p, t):
    """Laser: x' = a (y - x) + b y z^2, y' = c x + d x z^2, z' = h z + k x^2."""
    z2 = x[2] ** 2
    return jnp.stack(
        [
            p["a"] * (x[1] - x[0]) + p["b"] * x[1] * z2,
            p["c"] * x[0] + p["d"] * x[0] * z2,
            p["h"] * x[2] + p["k"] * x[0] ** 2,
        ]
    )


@register
@flow(
    params=dict(a=30.0, b=0.8, c=20.0, d=0.08, e=10.0),
    x0=[7.0416234, 2.9428857, 9.7329246],
    names=("x", "y", "z"),
    dt=0.008,
    reference="M. P. Kennedy, Chaos in the Colpitts oscillator, IEEE Trans. Circuits Syst. I 41, 771 (1994), "
    "doi:10.1109/81.331536",
)
def colpitts(x, p, t):
    """Colpitts oscillator: x' = y - a F(z), y' = c - x - b y - z, z' = y - d z, F(z) = max(0, e - 1 - z).

    Dimensionless Colpitts oscillator (form and parameters as in dysts) with the transistor as a
    piecewise-linear element that conducts when z < e - 1; the vector field is continuous, its
    Jacobian jumps at z = e - 1.
    """
    F = jnp.maximum(0.0, p["e"] - 1.0 - x[2])
    return jnp.stack([x[1] - p["a"] * F, p["c"] - x[0] - p["b"] * x[1] - x[2], x[1] - p["d"] * x[2]])
