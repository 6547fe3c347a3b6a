"""More chaotic maps: the dysts discrete maps and a few more from Sprott's Appendix A.

Each law is written from its equations; parameter names and default values follow dysts
(Gilpin 2021) unless the docstring says otherwise. Laws that deliberately differ from dysts are
listed in ``DYSTS_DIFFERENCES`` with the reason.
"""

import jax.numpy as jnp

from ..base import map as discrete_map
from ..registry import register
from . import DYSTS_DIFFERENCES

_TWO_PI = 2.0 * jnp.pi


# --- one-dimensional maps ----------------------------------------------------------------


@register
@discrete_map(
    params=dict(a=6.0),
    x0=[-0.93096979],
    names=("x",),
    aliases=("Chebyshev",),
    reference="R. L. Adler and T. J. Rivlin, Ergodic and mixing properties of Chebyshev polynomials, "
    "Proc. Amer. Math. Soc. 15, 794 (1964), doi:10.1090/S0002-9939-1964-0202968-3",
)
def chebyshev_map(x, p, n):
    """Chebyshev map: x' = cos(a arccos x).

    For integer a this is the Chebyshev polynomial T_a on [-1, 1], conjugate (x = cos(pi u)) to
    u' = a u mod 1, so the exponent is ln a (ln 6 = 1.7918 at the default a = 6).
    """
    return jnp.cos(p["a"] * jnp.arccos(x))


@register
@discrete_map(
    params=dict(omega=0.333, k=5.7),
    x0=[0.84455062],
    names=("theta",),
    periodic=((0, 1.0),),
    aliases=("Circle",),
    reference="V. I. Arnold, Small denominators. I. Mappings of the circumference onto itself, "
    "Izv. Akad. Nauk SSSR Ser. Mat. 25, 21 (1961); Amer. Math. Soc. Transl. (2) 46, 213 (1965)",
)
def circle_map(x, p, n):
    """Sine circle map: theta' = theta + omega + (k / 2 pi) sin(2 pi theta) (mod 1).

    The sign of the sine term is dysts' (theta -> theta + 1/2 turns it into the usual minus sign);
    k > 1 makes the map non-invertible and chaotic. Unlike dysts, which iterates the lift on the
    real line (theta grows without bound), we reduce mod 1, the map on the circle.
    """
    return jnp.mod(x + p["omega"] + p["k"] / _TWO_PI * jnp.sin(_TWO_PI * x), 1.0)


DYSTS_DIFFERENCES["circle_map"] = (
    "dysts iterates the lift on the real line; we reduce theta mod 1 (the map on the circle), "
    "which changes the values by integers only"
)


@register
@discrete_map(
    params=dict(a=4.9, b=-0.5),
    x0=[0.49697713],
    names=("x",),
    aliases=("Gauss", "gaussian_map"),
    reference="R. C. Hilborn, Chaos and Nonlinear Dynamics, Oxford University Press, New York (1994)",
)
def gauss_iterated_map(x, p, n):
    """Gauss iterated (Gaussian, 'mouse') map: x' = exp(-a x^2) + b.

    Not to be confused with the continued-fraction Gauss map x' = 1/x mod 1
    (`gauss_continued_fraction_map`).
    """
    return jnp.exp(-p["a"] * x**2) + p["b"]


_AT_ZERO = 0.14159265358979312  # pi - 3: x = 0 is mapped as this point (see gauss_continued_fraction_map)


@register
@discrete_map(
    x0=[0.64318597],
    names=("x",),
    reference="J. C. Sprott, Chaos and Time-Series Analysis, Oxford University Press, App. A.1.7 "
    "(2003), doi:10.1093/oso/9780198508397.001.0001; the map is Gauss' (continued fractions), "
    "its invariant density 1/((1 + x) ln 2) is in a letter of C. F. Gauss to Laplace (1812)",
)
def gauss_continued_fraction_map(x, p, n):
    """Gauss (continued-fraction) map: x' = 1/x mod 1 on (0, 1).

    Exponent pi^2 / (6 ln 2) = 2.3731 (with the Gauss measure). Care at x = 0: in floating point
    1/x can round to an integer (fl(1/0.1) = 10 exactly, so Sprott's x0 = 0.1 lands on 0 after one
    step), and 1/0 would then give inf and NaN. We evaluate the law at x = 0 as at x = pi - 3 (value
    and derivative), so such orbits carry on in the chaotic sea (through the continued fraction of pi)
    instead of blowing up. Every other x an orbit can reach is >= 2^-52, where 1/x mod 1 is finite.
    (The golden-mean fixed point would not do: in double precision it is an exact fixed point.)
    """
    xs = x + _AT_ZERO * (x == 0.0)
    y = 1.0 / xs
    return y - jnp.floor(y)


# --- two-dimensional maps ----------------------------------------------------------------

_BAKER_SLOPE = 2.0 - 1e-10


@register
@discrete_map(
    params=dict(a=1.0),
    x0=[0.39958496, 0.032709247],
    names=("x", "y"),
    aliases=("Baker",),
    flags=("conservative",),
    reference="E. Hopf, Ergodentheorie, Ergebnisse der Mathematik und ihrer Grenzgebiete 5, Springer, "
    "Berlin (1937), doi:10.1007/978-3-642-86630-2; dissipative form (contraction a/2): J. D. "
    "Farmer, E. Ott and J. A. Yorke, The dimension of chaotic attractors, Physica D 7, 153 (1983)",
)
def baker_map(x, p, n):
    """Baker's map: x' = s x - floor(s x), y' = (a y + floor(s x)) / 2, with s = 2 - 1e-10.

    The slope s is just below 2 (as in dysts): with s = 2 every double-precision x collapses to 0
    within ~53 steps. Exponents ln s = ln 2 - 5e-11 and ln(a/2); at the default a = 1 the map is
    area preserving (det J = s/2 = 1 - 5e-11).
    """
    sx = _BAKER_SLOPE * x[0]
    k = jnp.floor(sx)
    return jnp.stack([sx - k, 0.5 * (p["a"] * x[1] + k)])


@register
@discrete_map(
    params=dict(a=-0.67, b=0.83),
    x0=[0.89882576, 2.0104812],
    names=("x", "y"),
    reference="I. Emrich, Bedhead attractor; equations as in J. Rampe, 2D strange attractors, "
    "Softology blog (2017), https://softologyblog.wordpress.com/2017/03/04/2d-strange-attractors/",
)
def bedhead(x, p, n):
    """Bedhead map: x' = y sin(x y / b) + cos(a x - y), y' = x + sin(y) / b."""
    return jnp.stack(
        [x[1] * jnp.sin(x[0] * x[1] / p["b"]) + jnp.cos(p["a"] * x[0] - x[1]), x[0] + jnp.sin(x[1]) / p["b"]]
    )


def _vortex_advect(x, y, a, b, gamma, t):
    """Advect (x, y) for time t by a point vortex of circulation gamma at (b, 0) in the disk |z| < a.

    With the image vortex (-gamma) at a^2/b the streamlines are the Apollonius circles
    |z - b| = lam |z - a^2/b|, with centre eta and radius rho; along one, the angle q about eta obeys
    Kepler's equation q - e sin q = q0 - e sin q0 + 2 pi t / T, e = 2 lam / (1 + lam^2),
    T = (2 pi)^2 (rho^2 / gamma) (1 + lam^2) / (1 - lam^2) (e <= 2ab / (a^2 + b^2) < 1 in the disk).
    """
    c = a * a / b
    lam2 = ((x - b) ** 2 + y**2) / ((x - c) ** 2 + y**2)
    lam = jnp.sqrt(lam2)
    eta = (b - lam2 * c) / (1.0 - lam2)
    rho = jnp.abs(lam * (c - b) / (1.0 - lam2))
    e = 2.0 * lam / (1.0 + lam2)
    period = _TWO_PI**2 * rho**2 / gamma * (1.0 + lam2) / (1.0 - lam2)
    q0 = jnp.arctan2(y, x - eta)
    m = q0 - e * jnp.sin(q0) + _TWO_PI * t / period
    m = m - _TWO_PI * jnp.round(m / _TWO_PI)  # mean anomaly in [-pi, pi]
    q = m + 0.85 * e * jnp.sign(jnp.sin(m))  # Danby's starting value: Newton converges for all e < 1
    for _ in range(6):  # |residual| < 1e-15 after 5 steps for e <= 0.8
        q = q - (q - e * jnp.sin(q) - m) / (1.0 - e * jnp.cos(q))
    return eta + rho * jnp.cos(q), rho * jnp.sin(q)


@register
@discrete_map(
    params=dict(a=1.0, gamma=1.0, b=0.5, t=1.5),
    x0=[0.49037341, -3.0524264],
    names=("r", "theta"),
    flags=("conservative",),
    reference="H. Aref, Stirring by chaotic advection, J. Fluid Mech. 143, 1 (1984), doi:10.1017/S0022112084001233",
)
def blinking_vortex_map(x, p, n):
    """Blinking vortex map: (r, theta)' = A_-(A_+(r, theta)), A_+- = flow of a vortex at (+-b, 0) for a time t.

    Aref's blinking vortex over one full period, in polar coordinates: in the disk r < a, a point vortex
    of circulation gamma at (b, 0) stirs for a time t, then one at (-b, 0). Each half step moves a fluid
    particle exactly along its closed streamline (see `_vortex_advect`, checked against direct
    integration of the velocity field); the second is the first rotated by pi. The map preserves area
    (r dr dtheta), so the exponents sum to zero; they depend on the orbit (islands of regular motion sit
    in the chaotic sea). dysts' BlinkingVortexMap means to alternate the two vortices, but its sign flip
    of b never reaches the parameters it integrates with, so every dysts step uses the vortex at +b (a
    single vortex: integrable, no chaos); we follow Aref.
    """
    r, th = x[0], x[1]
    a, b, gamma, t = p["a"], p["b"], p["gamma"], p["t"]
    u, v = _vortex_advect(r * jnp.cos(th), r * jnp.sin(th), a, b, gamma, t)
    u, v = _vortex_advect(-u, -v, a, b, gamma, t)  # the vortex at -b: rotate by pi, advect, rotate back
    return jnp.stack([jnp.sqrt(u * u + v * v), jnp.arctan2(-v, -u)])


DYSTS_DIFFERENCES["blinking_vortex_map"] = (
    "dysts' sign flip of b never reaches its parameters, so each dysts step is advection by the vortex at +b "
    "only (integrable); we compose the two half periods (+b then -b) as in Aref (1984)"
)


@register
@discrete_map(
    params=dict(eps=0.0, k=1.2, mu=0.0),
    x0=[0.52192514, 0.19420565],
    names=("x", "y"),
    aliases=("Bogdanov",),
    flags=("conservative",),
    reference="D. K. Arrowsmith, J. H. E. Cartwright, A. N. Lansbury and C. M. Place, The Bogdanov map: "
    "bifurcations, mode locking, and chaos in a dissipative system, Int. J. Bifurcation Chaos 3, "
    "803 (1993), doi:10.1142/S021812749300074X; after R. I. Bogdanov, Bifurcations of a limit "
    "cycle for a family of vector fields on the plane, Selecta Math. Soviet. 1, 373 (1981)",
)
def bogdanov_map(x, p, n):
    """Bogdanov map: y' = (1 + eps) y + k x (x - 1) + mu x y, x' = x + y'.

    y' is computed first and used in x'. det J = 1 + eps + mu x, so at the default eps = mu = 0 the map
    is area preserving (Henon's quadratic area-preserving map in other coordinates). At these defaults
    (dysts') the orbit of x0 (dysts' (0.51, 0.2) continued) lies on an invariant circle: exponents ~0,
    not chaos; the bounded region around the elliptic point (0, 0) is filled with such circles and thin
    island chains, and orbits outside it escape.
    """
    y = (1.0 + p["eps"]) * x[1] + p["k"] * x[0] * (x[0] - 1.0) + p["mu"] * x[0] * x[1]
    return jnp.stack([x[0] + y, y])


@register
@discrete_map(
    params=dict(a=1.641, b=1.902, c=0.316, d=1.525),
    x0=[-0.22867961, -0.57874522],
    names=("x", "y"),
    reference="P. de Jong, in A. K. Dewdney, Computer recreations: probing the strange attractions of "
    "chaos, Scientific American 257(1), 108 (July 1987), doi:10.1038/scientificamerican0787-108",
)
def de_jong(x, p, n):
    """Peter de Jong map: x' = sin(a y) - cos(b x), y' = sin(c x) - cos(d y)."""
    return jnp.stack([jnp.sin(p["a"] * x[1]) - jnp.cos(p["b"] * x[0]), jnp.sin(p["c"] * x[0]) - jnp.cos(p["d"] * x[1])])


@register
@discrete_map(
    params=dict(a=2.77, b=0.2),
    x0=[1.4758686, 0.66116998],
    names=("x", "y"),
    aliases=("holmes_cubic_map",),
    reference="P. Holmes, A nonlinear oscillator with a strange attractor, Phil. Trans. R. Soc. Lond. A "
    "292, 419 (1979), doi:10.1098/rsta.1979.0068",
)
def duffing_map(x, p, n):
    """Holmes cubic ('Duffing') map: x' = y, y' = -b x + a y - y^3.

    dysts.maps.Duffing (parameter names a, b from there); not paired with it in the dysts
    cross-check because the name 'Duffing' belongs to our Duffing flow. Default a = 2.77 is Holmes'
    value (as in Sprott's App. A, where a is called d) rather than dysts' 2.75. det J = b.
    """
    return jnp.stack([x[1], -p["b"] * x[0] + p["a"] * x[1] - x[1] ** 3])


@register
@discrete_map(
    params=dict(a=-1.1, b=-0.2),
    x0=[0.088987985, 0.0],
    names=("x", "y"),
    reference="I. Gumowski and C. Mira, Recurrences and Discrete Dynamic Systems, Lecture Notes in "
    "Mathematics 809, Springer, Berlin (1980), doi:10.1007/BFb0089135",
)
def gumowski_mira(x, p, n):
    """Gumowski-Mira map: x' = b y + F(x), y' = F(x') - x, F(u) = a u + 2 (1 - a) u^2 / (1 + u^2).

    dysts' form: Gumowski and Mira's x' = y + alpha (1 - sigma y^2) y + F(x) with sigma = 0 and
    b = 1 + alpha (a is their mu). det J = b, so b = 1 is the area-preserving case. At dysts' defaults
    (a, b) = (-1.1, -0.2) the attractor is a period-2 orbit (exponents -0.159, -1.450), not chaos; e.g.
    (a, b) = (-0.7, 0.9) gives a chaotic attractor.
    """
    a = p["a"]

    def f(u):
        return a * u + 2.0 * (1.0 - a) * u**2 / (1.0 + u**2)

    xn = p["b"] * x[1] + f(x[0])
    return jnp.stack([xn, f(xn) - x[0]])


@register
@discrete_map(
    params=dict(a=3.1, b=2.5, c=4.2),
    x0=[18.25974, -14.293001],
    names=("x", "y"),
    flags=("conservative",),
    reference="B. Martin, Graphic potential of recursive functions, in J. Lansdown and R. A. Earnshaw "
    "(eds.), Computers in Art, Design and Animation, Springer, New York (1989); popularised in "
    "A. K. Dewdney, Computer recreations, Scientific American 255(3), 14 (September 1986), "
    "doi:10.1038/scientificamerican0986-14",
)
def hopalong(x, p, n):
    """Hopalong map: x' = y - 1 - sign(x - 1) sqrt|b x - 1 - c|, y' = a - x - 1.

    dysts' form; (X, Y) = (x - 1, y - 2) turns it into Martin's X' = Y - sign(X) sqrt|b X - C|,
    Y' = A - X with A = a - 4, C = 1 + c - b. Piecewise area preserving (det J = 1). The orbit from
    x0 spreads slowly (max |x| ~ 40 after 10^4 steps, ~80 after 10^6).
    """
    return jnp.stack(
        [x[1] - 1.0 - jnp.sign(x[0] - 1.0) * jnp.sqrt(jnp.abs(p["b"] * x[0] - 1.0 - p["c"])), p["a"] - x[0] - 1.0]
    )


_KY_MODULUS = 0.99999995


@register
@discrete_map(
    params=dict(alpha=0.2),
    x0=[0.82591873, 0.67765981],
    names=("x", "y"),
    aliases=("KaplanYorke",),
    reference="J. L. Kaplan and J. A. Yorke, Chaotic behavior of multidimensional difference equations, "
    "in H.-O. Peitgen and H.-O. Walther (eds.), Functional Differential Equations and "
    "Approximation of Fixed Points, Lecture Notes in Mathematics 730, Springer, Berlin, "
    "204 (1979), doi:10.1007/BFb0064319",
)
def kaplan_yorke_map(x, p, n):
    """Kaplan-Yorke map: x' = 2 x mod m, y' = alpha y + cos(4 pi x), with m = 0.99999995.

    The modulus is just below 1 (as in dysts): with m = 1 doubling shifts out one mantissa bit per
    step and every double-precision x reaches 0 within ~53 steps. The Jacobian is triangular, so the
    exponents are exactly ln 2 and ln alpha (D_KY = 1 + ln 2 / ln 5 at alpha = 0.2).
    """
    return jnp.stack([jnp.mod(2.0 * x[0], _KY_MODULUS), p["alpha"] * x[1] + jnp.cos(2.0 * _TWO_PI * x[0])])


@register
@discrete_map(
    params=dict(a=0.87, b=0.75),
    x0=[-0.84407798, -0.08096038],
    names=("x", "y"),
    aliases=("MaynardSmith",),
    reference="J. Maynard Smith, Mathematical Ideas in Biology, Cambridge University Press (1968), "
    "doi:10.1017/CBO9780511565144",
)
def maynard_smith_map(x, p, n):
    """Maynard Smith map: x' = y, y' = a y + b - x^2 (a delayed quadratic recurrence; det J = 2 x)."""
    return jnp.stack([x[1], p["a"] * x[1] + p["b"] - x[0] ** 2])


@register
@discrete_map(
    params=dict(a=-1.4, b=1.6, c=1.0, d=0.7),
    x0=[-1.029624, -1.1766028],
    names=("x", "y"),
    aliases=("clifford",),
    reference="C. A. Pickover, Chaos in Wonderland: Visual Adventures in a Fractal World, St. Martin's "
    "Press, New York (1994)",
)
def pickover(x, p, n):
    """Pickover ('Clifford') map: x' = sin(a y) + c cos(a x), y' = sin(b x) + d cos(b y)."""
    return jnp.stack(
        [
            jnp.sin(p["a"] * x[1]) + p["c"] * jnp.cos(p["a"] * x[0]),
            jnp.sin(p["b"] * x[0]) + p["d"] * jnp.cos(p["b"] * x[1]),
        ]
    )


@register
@discrete_map(
    params=dict(a=1.5, b=-1.8, c=1.6, d=0.9),
    x0=[0.50526823, 1.2536983],
    names=("x", "y"),
    reference="J. Svensson, a variation of the de Jong map, in P. Bourke, Peter de Jong attractors, "
    "https://paulbourke.net/fractals/peterdejong/ (2014)",
)
def svensson(x, p, n):
    """Svensson map: x' = d sin(a x) - sin(b y), y' = c cos(a x) + cos(b y)."""
    return jnp.stack(
        [
            p["d"] * jnp.sin(p["a"] * x[0]) - jnp.sin(p["b"] * x[1]),
            p["c"] * jnp.cos(p["a"] * x[0]) + jnp.cos(p["b"] * x[1]),
        ]
    )


@register
@discrete_map(
    params=dict(a=0.75, b=1.75),
    x0=[-0.13213448, -0.001063196],
    names=("x", "y"),
    reference="R. R. Whitehead and N. MacDonald, A chaotic mapping that displays its own homoclinic "
    "structure, Physica D 13, 401 (1984)",
)
def burgers_map(x, p, n):
    """Burgers' map: x' = a x - y^2, y' = b y + x y (Sprott's App. A.2.5 parameters)."""
    return jnp.stack([p["a"] * x[0] - x[1] ** 2, p["b"] * x[1] + x[0] * x[1]])


@register
@discrete_map(
    params=dict(r=3.0, K=1.0, alpha=5.0),
    x0=[0.1295847, 0.76459343],
    names=("prey", "predator"),
    reference="J. R. Beddington, C. A. Free and J. H. Lawton, Dynamic complexity in predator-prey models "
    "framed in difference equations, Nature 255, 58 (1975), doi:10.1038/255058a0",
)
def predator_prey_map(x, p, n):
    """Predator-prey map: x' = x exp(r (1 - x/K) - alpha y), y' = x (1 - exp(-alpha y)).

    Prey x grows as a Ricker map; the predator y eats the prey it finds (Nicholson-Bailey search).
    """
    return jnp.stack(
        [x[0] * jnp.exp(p["r"] * (1.0 - x[0] / p["K"]) - p["alpha"] * x[1]), x[0] * (1.0 - jnp.exp(-p["alpha"] * x[1]))]
    )


# --- three-dimensional maps ----------------------------------------------------------------


@register
@discrete_map(
    x0=[0.16182656, 0.070946701, 0.80105575],
    names=("x", "y", "z"),
    reference="O. E. Rossler, An equation for hyperchaos, Phys. Lett. A 71, 155 (1979), "
    "doi:10.1016/0375-9601(79)90150-6",
)
def folded_towel_map(x, p, n):
    """Folded-towel map: x' = 3.8x(1-x) - 0.05w, y' = 0.1(w-1)(1-1.9x), z' = 3.78z(1-z) + 0.2y, w = (y+0.35)(1-2z).

    Rossler's hyperchaotic map (two positive exponents).
    """
    w = (x[1] + 0.35) * (1.0 - 2.0 * x[2])
    return jnp.stack(
        [
            3.8 * x[0] * (1.0 - x[0]) - 0.05 * w,
            0.1 * (w - 1.0) * (1.0 - 1.9 * x[0]),
            3.78 * x[2] * (1.0 - x[2]) + 0.2 * x[1],
        ]
    )


@register
@discrete_map(
    x0=[0.43647125, -1.2595807, -0.4951382],
    names=("x", "y", "z"),
    flags=("conservative",),
    reference="J. C. Sprott, Chaos and Time-Series Analysis, Oxford University Press, App. A.3.6 "
    "'Lorenz three-dimensional chaotic map' (2003), doi:10.1093/oso/9780198508397.001.0001",
)
def lorenz_3d_chaotic_map(x, p, n):
    """Lorenz three-dimensional chaotic map: x' = x y - z, y' = x, z' = y.

    Volume preserving (det J = -1): exponents (lam, 0, -lam).
    """
    return jnp.stack([x[0] * x[1] - x[2], x[0], x[1]])
