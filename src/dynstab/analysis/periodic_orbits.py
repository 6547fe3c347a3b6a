r"""Periodic orbits of maps (all orbits of a given period in a box) and of flows (shooting).

Maps
----
A period-:math:`n` orbit of :math:`x_{k+1} = f(x_k)` is a fixed point of :math:`f^n`. `periodic_orbits`
solves :math:`g(x) = f^n(x) - x = 0` from ``n_seeds`` seeds with the damped Newton method of
`dynstab.analysis.fixed_points` (Armijo backtracking, Dennis & Schnabel 1983, Algorithm A6.3.1;
`dynstab.analysis.newton.solve_all`, the same kernel applied to the :math:`n`-times iterated map,
whose :math:`n` is data, so one compiled kernel serves every period). The seeds are drawn uniformly
in the ``box`` when one is given; without one (or with ``sampling="attractor"``) they are the
*close returns* of the attractor: 256 orbits of the map from near ``x0`` are sampled after 200
iterations, and the ``n_seeds`` points :math:`x_k` with the smallest :math:`\lVert x_{k+n} - x_k\rVert`
are the seeds (D. Auerbach, P. Cvitanović, J.-P. Eckmann, G. Gunaratne and I. Procaccia, Phys.
Rev. Lett. 58, 2387 (1987); P. So et al., Phys. Rev. Lett. 76, 4705 (1996)). They lie near the
orbits, so Newton converges in a few steps, which matters where one evaluation of :math:`f^n`
is expensive (a Poincaré map integrates the flow): the Rössler section's orbits of periods 1-3,
583 s with uniform seeds in the box, take a few seconds. A close-return seed whose line search
needs steps below :math:`2^{-11}` of the Newton step is far from every orbit and is given up
(``ATTRACTOR_HALVINGS``; uniform seeds keep the 40 halvings of `fixed_points`). The bounding box of the sample, enlarged
by 10% per side, is the box. Seeds are worked on 256 at a time, a finished seed's lane taking the
next one, with ``progress(done, total)`` called (and Ctrl-C honoured) between compiled calls. With
``method="schmelcher_diakonos"`` every seed is first iterated with the stabilising
transformations of P. Schmelcher & F. K. Diakonos, Phys. Rev. Lett. 78, 4733 (1997),

.. math::

    x_{j+1} = x_j + \lambda\, C\, (f^n(x_j) - x_j),

for every :math:`C` in the set of :math:`2^d d!` signed permutation matrices (one :math:`\pm 1`
per row and column) and every :math:`\lambda` in ``lambdas``; for a suitable :math:`C` each
unstable orbit becomes an attracting fixed point of this iteration. The end points are then
polished by the Newton kernel.

Every converged point :math:`x_0` is followed for :math:`n` steps; it is kept only if its
*minimal* period is :math:`n` (:math:`\lVert f^k(x_0) - x_0\rVert > 10^{-6}(1 + \lVert x_0\rVert)` for
every proper divisor :math:`k` of :math:`n`), some point of its orbit lies in the box, and none
of its points is non-finite or farther than 100 box widths from the box (Newton's scaled residual
test is meaningless where :math:`f^n` overflows: the Hénon map's period-10 search in ChaosTools'
seed box :math:`[-3, 3] \times [-10, 10]` otherwise "converges" to orbits through
:math:`|x| \sim 10^{152}`). Orbits are
deduplicated across cyclic shifts: one representative per orbit, rotated so that its
lexicographically smallest point comes first, with all :math:`n` points. On a map with periodic
coordinates (``system.periodic``: the standard map on the torus, the cat map, the circle map) the
residual :math:`f^n(x) - x`, the minimal-period test and the deduplication take differences modulo
the periods, and the periodic coordinates of the orbit points are reported in
:math:`[\mathrm{low}, \mathrm{low} + P)` of the box (so ``points[k + 1] = f(points[k])`` modulo the
periods); otherwise the two sides of the seam would count as different orbits and fixed points
would reappear as "period-n" orbits with residual :math:`2\pi`. The Floquet multipliers are
the eigenvalues of the product Jacobian :math:`J(x_{n-1}) \cdots J(x_0)` (forward-mode autodiff of
:math:`f^n`, or the product of the analytic Jacobians), sorted by modulus; the type and stability
follow `dynstab.analysis.fixed_points.classify` (stable: all :math:`|\mu| < 1`).

Counting check: for the Hénon map (a = 1.4, b = 0.3) the numbers of orbits of minimal period
1..8 are 2, 1, 0, 1, 0, 2, 4, 7 (R. L. Davidchack & Y.-C. Lai, Phys. Rev. E 60, 6172 (1999),
Table I; Z. Galias, Int. J. Bifurcation Chaos 11, 2427 (2001), rigorous), i.e. 2, 4, 2, 8, 2, 16,
30, 64 fixed points of f^n.

Flows
-----
`periodic_orbit_of_flow` finds the periodic orbit of a flow through a guess by Newton shooting on
the Poincaré map (`dynstab.systems.derived.PoincareMap`), :math:`P^n(y) = y`. Its period is the
sum of the return times, and its Floquet multipliers are the eigenvalues of the monodromy matrix
:math:`M = \partial \varphi_T(x^*) / \partial x^*`, the flow's variational equations over one period
(forward-mode autodiff of the fixed-step flow map over time :math:`T`); one of them is 1 (the flow
direction), the others equal the Poincaré map's multipliers (Yu. A. Kuznetsov, *Elements of Applied
Bifurcation Theory*, 3rd ed., Springer 2004, sec. 1.5; R. Seydel, *Practical Bifurcation and
Stability Analysis*, 3rd ed., Springer 2010, ch. 7).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..simulate.evolution import run
from ..simulate.steppers import FIXED_STEP_METHODS, rk_step
from ..systems.base import Flow, Map, as_state, check_system
from ..systems.derived import PoincareMap, poincare_section
from ..text import count
from ..validation import as_finite_array, as_int, as_positive_float
from .fixed_points import classify, format_complex
from .newton import (
    BOX_RTOL,
    CLASS_RTOL,
    DEDUP_RTOL,
    MAX_HALVINGS,
    bounding_box,
    dedupe_points,
    escape_bounds,
    periodic_distance,
    reduce_periodic,
    solve_all,
    validate_box,
    wrap_difference,
    wrap_traced,
)

__all__ = [
    "PeriodicOrbit",
    "PeriodicOrbits",
    "periodic_orbits",
    "FlowPeriodicOrbit",
    "periodic_orbit_of_flow",
    "PeriodicOrbitError",
]

METHODS = ("newton", "schmelcher_diakonos")


class PeriodicOrbitError(RuntimeError):
    """Shooting for a periodic orbit of a flow did not converge."""


# --- result types -----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PeriodicOrbit:
    """One periodic orbit of a map.

    ``points`` (n, d): the orbit, ``points[k + 1] = f(points[k])``, starting at its lexicographically
    smallest point; ``multipliers`` (d,): Floquet multipliers (eigenvalues of the product Jacobian),
    largest modulus first; ``type``/``stable`` as for fixed points of maps; ``residual``:
    :math:`\\lVert f^n(x_0) - x_0 \\rVert_\\infty`.
    """

    points: np.ndarray
    multipliers: np.ndarray
    type: str
    stable: bool
    residual: float

    @property
    def period(self) -> int:
        return int(self.points.shape[0])

    @property
    def unstable(self) -> bool:
        """|largest multiplier| > 1."""
        return bool(np.abs(self.multipliers[0]) > 1.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "points": self.points.tolist(),
            "multipliers": [[float(m.real), float(m.imag)] for m in self.multipliers],
            "type": self.type,
            "stable": bool(self.stable),
            "residual": float(self.residual),
        }

    def __repr__(self) -> str:
        mu = ", ".join(format_complex(m) for m in self.multipliers)
        return (
            f"PeriodicOrbit(period={self.period}, x0={np.array2string(self.points[0], precision=6)}, "
            f"type={self.type!r}, multipliers=[{mu}])"
        )


@dataclass(frozen=True, eq=False)
class PeriodicOrbits(Sequence):
    """The orbits of minimal period ``period`` found in a box (a read-only sequence of `PeriodicOrbit`).

    Attributes
    ----------
    orbits : tuple of PeriodicOrbit
        The orbits found.
    system_name : str
        Name of the system.
    period : int
        The minimal period searched.
    names : tuple of str
        Variable names.
    method : str
        The search method (``"newton"`` or ``"schmelcher_diakonos"``).
    box : numpy.ndarray
        The search box, shape (d, 2).
    n_seeds : int
        Number of Newton seeds.
    n_converged : int
        Number of seeds that converged.
    reason : str
        Empty when orbits were found, otherwise why none were.
    """

    orbits: tuple[PeriodicOrbit, ...]
    system_name: str
    period: int
    names: tuple[str, ...]
    method: str
    box: np.ndarray
    n_seeds: int
    n_converged: int = 0
    reason: str = ""

    def __len__(self) -> int:
        return len(self.orbits)

    def __iter__(self) -> Iterator[PeriodicOrbit]:
        return iter(self.orbits)

    def __getitem__(self, index):
        return self.orbits[index]

    @property
    def n_points(self) -> int:
        """Number of periodic points (fixed points of f^n of minimal period n): period * number of orbits."""
        return self.period * len(self.orbits)

    @property
    def points(self) -> np.ndarray:
        """All periodic points, shape (n_points, d)."""
        if not self.orbits:
            return np.zeros((0, len(self.names)))
        return np.concatenate([o.points for o in self.orbits])

    @property
    def n_stable(self) -> int:
        return sum(o.stable for o in self.orbits)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary with one dict per orbit."""
        return {
            "system": self.system_name,
            "period": self.period,
            "method": self.method,
            "n_orbits": len(self),
            "n_points": self.n_points,
            "box": self.box.tolist(),
            "n_seeds": self.n_seeds,
            "reason": self.reason,
            "orbits": [o.to_dict() for o in self.orbits],
        }

    def to_xarray(self):
        """Dataset with ``points`` (orbit, point, variable), multipliers (real and imaginary parts) and
        ``stable`` (orbit,)."""
        import xarray as xr

        d = len(self.names)
        pts = np.stack([o.points for o in self.orbits]) if self.orbits else np.zeros((0, self.period, d))
        mu = np.stack([o.multipliers for o in self.orbits]) if self.orbits else np.zeros((0, d), complex)
        return xr.Dataset(
            {
                "points": (("orbit", "point", "variable"), pts),
                "multiplier_real": (("orbit", "multiplier"), mu.real),
                "multiplier_imag": (("orbit", "multiplier"), mu.imag),
                "stable": (("orbit",), np.array([o.stable for o in self.orbits], dtype=bool)),
                "type": (("orbit",), np.array([o.type for o in self.orbits], dtype=object)),
            },
            coords={
                "orbit": np.arange(len(self)),
                "point": np.arange(self.period),
                "variable": list(self.names),
                "multiplier": np.arange(d),
            },
            attrs={
                "system": self.system_name,
                "period": self.period,
                "method": self.method,
                "n_seeds": self.n_seeds,
                "reason": self.reason,
            },
        )

    def plot(self, ax=None, background: Any = None):
        """The periodic points on the first two variables; filled markers for stable orbits.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; default a new figure.
        background : array_like, optional
            Points (N, d) drawn in grey underneath (e.g. an orbit of the map).

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the axes.
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 4.2)) if ax is None else (ax.figure, ax)
        if background is not None:
            bg = np.asarray(background)
            ax.scatter(bg[:, 0], bg[:, 1] if bg.shape[1] > 1 else np.zeros(len(bg)), s=0.3, color="0.7", lw=0)
        for o in self.orbits:
            y = o.points[:, 1] if o.points.shape[1] > 1 else np.zeros(o.period)
            ax.plot(o.points[:, 0], y, "o" if o.stable else "x", ms=6)
        ax.set_xlabel(self.names[0])
        if len(self.names) > 1:
            ax.set_ylabel(self.names[1])
        ax.set_title(f"{self.system_name}: {count(len(self), 'orbit')} of period {self.period}")
        if fig.get_layout_engine() is None:  # a caller's constrained layout stays
            fig.tight_layout()
        return fig

    def __repr__(self) -> str:
        head = (
            f"PeriodicOrbits({self.system_name!r}, period {self.period}: {count(len(self), 'orbit')}, "
            f"{self.n_points} points, {self.n_stable} stable"
        )
        if not self.orbits:
            return head + f"; {self.reason})"
        return head + ")\n" + "\n".join(f"  [{i}] {o!r}" for i, o in enumerate(self.orbits))


# --- the iterated map -----------------------------------------------------------------------
_N = "__iterations__"  # the number of iterations travels as data, so one compiled kernel serves every period


def _split(p):
    return p[_N], {k: v for k, v in p.items() if k != _N}


@dataclass(frozen=True)
class _IteratedLaw:
    """x -> f^n(x), n = p["__iterations__"] (hashable; n is data, so kernels are compiled once per map)."""

    law: Callable

    def __call__(self, x, p, t):
        n, q = _split(p)
        return jax.lax.fori_loop(0, n, lambda i, y: self.law(y, q, t + i), x)


@dataclass(frozen=True)
class _IteratedJac:
    """J(x_{n-1}) ... J(x_0) from the map's analytic Jacobian."""

    law: Callable
    jac: Callable

    def __call__(self, x, p, t):
        n, q = _split(p)

        def body(i, c):
            y, J = c
            return self.law(y, q, t + i), self.jac(y, q, t + i) @ J

        return jax.lax.fori_loop(0, n, body, (x, jnp.eye(x.shape[0], dtype=x.dtype)))[1]


def _iterated(system: Map, n: int) -> Map:
    law = _IteratedLaw(system.rhs)
    # a hand-written Jacobian is used as such; autodiff ones (PoincareMap) are cheaper through f^n at once
    jac: _IteratedJac | None = None
    if system.jac is not None and not getattr(system.jac, "autodiff", False):
        jac = _IteratedJac(system.rhs, system.jac)
    params = {**system.params, _N: jnp.asarray(n, dtype=jnp.int32)}
    return Map(law, params, system.x0, system.names, name=f"{system.name}^n", jac=jac, periodic=system.periodic)


#: Rows per compiled call of the map's iteration (one compiled shape serves every call; rows are padded with NaN,
#: on which a Poincaré map's crossing search stops at once).
CHUNK = 256


@partial(jax.jit, static_argnames=("law",))
def _iterate_rows(law, xs, p, i0, n):
    """f^n(x) of every row, the iteration index counted from ``i0`` (n is data: one compile serves every n)."""
    return jax.vmap(lambda x: jax.lax.fori_loop(0, n, lambda i, y: law(y, p, i0 + i), x))(xs)


def _iterate(system: Map, xs: np.ndarray, n: int, i0: int = 0) -> np.ndarray:
    """f^n of the rows of ``xs`` (B, d) in chunks of `CHUNK` rows (padded with NaN)."""
    xs = np.asarray(xs, dtype=np.float64)
    out = np.empty_like(xs)
    for a in range(0, xs.shape[0], CHUNK):
        block = np.full((CHUNK, xs.shape[1]), np.nan)
        m = min(CHUNK, xs.shape[0] - a)
        block[:m] = xs[a : a + m]
        res = _iterate_rows(system.rhs, jnp.asarray(block), system.params, jnp.asarray(i0), jnp.asarray(n))
        out[a : a + m] = np.asarray(res)[:m]
    return out


def _orbits_of(system: Map, x0s: np.ndarray, n_steps: int) -> np.ndarray:
    """(B, n_steps + 1, d): x0 and its first n_steps images."""
    xs = [np.asarray(x0s, dtype=np.float64)]
    for i in range(n_steps):
        xs.append(_iterate(system, xs[-1], 1, i))
    return np.stack(xs, axis=1)


def _signed_permutations(d: int) -> np.ndarray:
    """All 2^d d! signed permutation matrices (Schmelcher & Diakonos 1997)."""
    mats = []
    for perm in itertools.permutations(range(d)):
        for signs in itertools.product((1.0, -1.0), repeat=d):
            C = np.zeros((d, d))
            C[np.arange(d), perm] = signs
            mats.append(C)
    return np.stack(mats)


@partial(jax.jit, static_argnames=("law", "steps", "periodic"))
def _schmelcher_diakonos(law, x0s, Cs, lambdas, p, steps, periodic=()):
    """End points of x <- x + lambda C (f^n(x) - x) for every seed, C and lambda (flattened)."""

    def one(x0, C, lam):
        def body(i, x):
            x_new = x + lam * (C @ wrap_traced(law(x, p, 0) - x, periodic))
            return jnp.where(jnp.all(jnp.isfinite(x_new)), x_new, x)

        return jax.lax.fori_loop(0, steps, body, x0)

    B, K, L = x0s.shape[0], Cs.shape[0], lambdas.shape[0]
    xs = jnp.repeat(x0s, K * L, axis=0)
    cs = jnp.tile(jnp.repeat(Cs, L, axis=0), (B, 1, 1))
    ls = jnp.tile(lambdas, B * K)
    return jax.vmap(one)(xs, cs, ls)


def _divisors(n: int) -> list[int]:
    return [k for k in range(1, n) if n % k == 0]


#: Iterations discarded before the attractor is sampled, and the fewest points sampled.
SAMPLE_TRANSIENT = 200
SAMPLE_POINTS = 2000
#: Line-search tests per Newton step from a close return: a seed near an orbit takes full steps, so one
#: that needs steps below 2**-11 of Newton's is far from every orbit and is given up early (the Rössler
#: section's period-1 search spent 80% of its time on such seeds, drawn towards the flow's equilibrium).
ATTRACTOR_HALVINGS = 12
#: Samplings of the seeds: from the box, or mostly from close returns of the sampled attractor.
SAMPLINGS = ("auto", "box", "attractor")


def _attractor_sample(system: Map, n_points: int, extra: int, seed: Any) -> np.ndarray:
    """Orbits of the map, shape (CHUNK, L, d) with L >= n_points / CHUNK + extra, after `SAMPLE_TRANSIENT`
    iterations from `CHUNK` starts within 1e-3 (1 + |x0|) of ``system.x0``; rows that left the finite
    numbers are dropped."""
    x0 = np.asarray(system.x0, dtype=np.float64)
    rng = np.random.default_rng(seed)
    starts = x0 + 1e-3 * (1.0 + np.abs(x0)) * rng.standard_normal((CHUNK, x0.size))
    path = [_iterate(system, starts, SAMPLE_TRANSIENT)]
    for i in range(-(-int(n_points) // CHUNK) + extra - 1):
        path.append(_iterate(system, path[-1], 1, SAMPLE_TRANSIENT + i))
    orbits = np.stack(path, axis=1)
    orbits = orbits[np.all(np.isfinite(orbits), axis=(1, 2))]
    if orbits.shape[0] == 0:
        raise ValueError(
            f"{system.name}: every orbit from near x0 = {np.array2string(x0, precision=6)} left the finite numbers "
            "within the transient, so no default box can be drawn around the attractor; give a box"
        )
    return orbits


def _close_returns(orbits: np.ndarray, period: int, count: int, periodic: tuple[tuple[int, float], ...]) -> np.ndarray:
    """The ``count`` points x_k of the sampled orbits with the smallest |x_{k+period} - x_k| (close returns)."""
    here, there = orbits[:, :-period], orbits[:, period:]
    dist = periodic_distance(there, here, periodic).ravel()
    order = np.argsort(dist, kind="stable")[:count]
    return here.reshape(-1, orbits.shape[-1])[order]


@float64
def periodic_orbits(
    system: Map,
    period: int,
    box: Sequence[tuple[float, float]] | None = None,
    *,
    n_seeds: int = 2000,
    seed: Any = 0,
    method: str = "newton",
    tol: float = 1e-10,
    max_iter: int = 100,
    lambdas: Sequence[float] = (0.1, 0.01, 0.001),
    sd_steps: int = 300,
    sampling: str = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> PeriodicOrbits:
    """All orbits of minimal period ``period`` of the map ``system`` found from seeds in ``box``.

    Parameters
    ----------
    system : Map
        A map, including derived maps (`PoincareMap`, `StroboscopicMap`).
    period : int
        The period n >= 1; orbits of a smaller period dividing n are discarded.
    box : sequence of (float, float), optional
        One ``(low, high)`` pair per dimension; an orbit is kept if one of its points lies in it.
        Default: the bounding box of the sampled attractor (256 orbits from near ``system.x0``,
        at least 2000 points after 200 iterations), enlarged by 10% per side.
    n_seeds : int, default 2000
        Number of seeds, solved 256 at a time in one compiled kernel.
    seed : int or numpy.random.SeedSequence, default 0
        Seed of ``numpy.random.default_rng`` for the seeds.
    method : {"newton", "schmelcher_diakonos"}, default "newton"
        ``"newton"``: damped Newton on :math:`f^n(x) - x`. ``"schmelcher_diakonos"``: stabilising
        transformations with every signed permutation matrix and every ``lambdas`` value for
        ``sd_steps`` iterations from each seed, then Newton; finds strongly unstable orbits whose
        Newton basins are small, at ``2^d d! len(lambdas)`` times the cost.
    tol : float, default 1e-10
        Relative residual tolerance of the Newton kernel (as in `fixed_points`).
    max_iter : int, default 100
        Newton iterations per seed.
    lambdas : sequence of float, default (0.1, 0.01, 0.001)
        Step sizes of the Schmelcher-Diakonos transformations.
    sd_steps : int, default 300
        Schmelcher-Diakonos iterations per seed, transformation and step size.
    sampling : {"auto", "box", "attractor"}, default "auto"
        Where the seeds come from: ``"box"`` uniformly in the box; ``"attractor"`` the close
        returns of the sampled attractor (see the module docstring); ``"auto"``: ``"box"`` when a
        box is given, else ``"attractor"``.
    progress : callable, optional
        ``progress(done, total)``, called between compiled calls with the seeds finished so far
        (the Schmelcher-Diakonos transformations count as half the work); an exception it
        raises (KeyboardInterrupt) stops the search there.

    Returns
    -------
    PeriodicOrbits
        Sorted by the first point of each orbit; empty with a ``reason`` if none is found.

    References
    ----------
    R. L. Davidchack and Y.-C. Lai, Phys. Rev. E 60, 6172 (1999); P. Schmelcher and F. K. Diakonos,
    Phys. Rev. Lett. 78, 4733 (1997); D. Auerbach et al., Phys. Rev. Lett. 58, 2387 (1987) and P. So et
    al., Phys. Rev. Lett. 76, 4705 (1996) (close returns); see the module docstring.
    """
    check_system(system, "periodic_orbits", expected="a dynstab Map")
    if system.continuous_time:
        kind = system.kind
        hint = (
            "; for a flow use periodic_orbit_of_flow, or periodic_orbits(PoincareMap(flow, plane), ...)"
            if kind == "flow"
            else ""
        )
        raise TypeError(f"periodic_orbits needs a dynstab Map, got {kind!r}{hint}")
    period = as_int(period, name="period")
    if period < 1:
        raise ValueError(f"period must be a positive integer, got {period!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    n_seeds = as_int(n_seeds, name="n_seeds", minimum=1)
    tol = as_positive_float(tol, name="tol")
    max_iter = as_int(max_iter, name="max_iter", minimum=1)
    sd = method == "schmelcher_diakonos"
    lam = as_finite_array(lambdas, name="lambdas").ravel() if sd else np.zeros(0)
    if sd and (lam.size == 0 or not np.all(lam > 0)):
        raise ValueError(f"lambdas must be positive finite step sizes, got {lambdas!r}")
    sd_steps = as_int(sd_steps, name="sd_steps", minimum=1) if sd else sd_steps
    if sampling not in SAMPLINGS:
        raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
    if sampling == "auto":
        sampling = "box" if box is not None else "attractor"
    d = system.dim
    periodic = tuple(system.periodic)
    lo_hi = None if box is None else validate_box(box, d, system.name)
    orbits_sample = None
    if lo_hi is None or sampling == "attractor":
        orbits_sample = _attractor_sample(system, max(SAMPLE_POINTS, 4 * int(n_seeds)), period, seed)
        lo_hi = bounding_box(orbits_sample, 0.1) if lo_hi is None else lo_hi
    lo, hi = lo_hi[:, 0], lo_hi[:, 1]
    rng = np.random.default_rng(seed)
    if sampling == "box":
        seeds = lo + (hi - lo) * rng.random((int(n_seeds), d))
    else:
        assert orbits_sample is not None
        seeds = _close_returns(orbits_sample, period, int(n_seeds), periodic)
    it = _iterated(system, period)
    maxstep = float(np.linalg.norm(hi - lo))
    total = 2 * len(seeds) if sd else len(seeds)
    if sd:
        seeds = _schmelcher_diakonos_all(it, seeds, lam, int(sd_steps), periodic, progress, total)
    common: dict[str, Any] = dict(
        system_name=system.name,
        period=period,
        names=tuple(system.names),
        method=method,
        box=lo_hi,
        n_seeds=int(n_seeds),
    )
    if seeds.shape[0] == 0:
        return PeriodicOrbits(
            orbits=(),
            reason=f"every Schmelcher-Diakonos run from the {n_seeds} seeds diverged; use smaller lambdas",
            **common,
        )
    done = total - len(seeds)
    xs, res, ok, jfs = solve_all(
        it,
        seeds,
        0.0,
        tol,
        int(max_iter),
        maxstep,
        *escape_bounds(lo, hi),
        progress=None if progress is None else (lambda k, _n: progress(done + k, total)),
        width=CHUNK,
        max_halvings=MAX_HALVINGS if sampling == "box" else ATTRACTOR_HALVINGS,
    )
    cand = np.flatnonzero(ok)
    n_conv = int(cand.size)
    orbits = _group_orbits(system, xs[cand], res[cand], jfs[cand], period, lo, hi) if cand.size else []
    if not orbits:
        box_text = ", ".join(f"[{a:g}, {b:g}]" for a, b in lo_hi)
        why = (
            f"no orbit of minimal period {period} found from {n_seeds} seeds in the box {box_text} "
            f"({n_conv} Newton runs converged"
        )
        why += (
            ", all to orbits of a smaller period or outside the box)"
            if n_conv
            else "; enlarge the box, increase n_seeds or max_iter, or try method='schmelcher_diakonos')"
        )
        return PeriodicOrbits(orbits=(), reason=why, n_converged=n_conv, **common)
    return PeriodicOrbits(orbits=tuple(orbits), n_converged=n_conv, **common)


def _schmelcher_diakonos_all(
    it: Map,
    seeds: np.ndarray,
    lambdas: np.ndarray,
    steps: int,
    periodic: tuple[tuple[int, float], ...],
    progress: Callable[[int, int], None] | None,
    total: int,
) -> np.ndarray:
    """End points of the stabilising transformations from every seed, in compiled calls of a fixed shape
    (``progress`` and Ctrl-C between calls); runs that left the finite numbers are dropped."""
    d = seeds.shape[1]
    mats = jnp.asarray(_signed_permutations(d))
    per_seed = mats.shape[0] * lambdas.size
    size = max(1, CHUNK // per_seed)
    ends = []
    for a in range(0, seeds.shape[0], size):
        block = np.full((size, d), np.nan)
        m = min(size, seeds.shape[0] - a)
        block[:m] = seeds[a : a + m]
        out = _schmelcher_diakonos(
            it.rhs, jnp.asarray(block), mats, jnp.asarray(lambdas), it.params, int(steps), periodic
        )
        ends.append(np.asarray(out)[: m * per_seed])
        if progress is not None:
            progress(a + m, total)
    out_all = np.concatenate(ends)
    return out_all[np.all(np.isfinite(out_all), axis=1)]


def _group_orbits(
    system: Map, xs: np.ndarray, res: np.ndarray, jfs: np.ndarray, period: int, lo, hi
) -> list[PeriodicOrbit]:
    """Minimal-period filter, box filter, cyclic-shift deduplication, multipliers and residuals.

    The multipliers are the eigenvalues of the Jacobian of f^n at the converged point (those at the
    other points of the orbit are similar matrices: the same eigenvalues); the residual is taken at
    the orbit's reported first point.
    """
    periodic = tuple(system.periodic)
    order = np.argsort(res, kind="stable")
    unique = dedupe_points(xs, order, periodic)  # many seeds converge to the same point
    xs, res, jfs = xs[unique], res[unique], jfs[unique]
    paths = _orbits_of(system, xs, period)  # (B, n + 1, d)
    margin = BOX_RTOL * (hi - lo)
    center, radius = escape_bounds(lo, hi)
    kept: list[np.ndarray] = []
    kept_jac: list[np.ndarray] = []
    for path, jac in zip(paths, jfs):
        if not np.all(np.isfinite(path)) or np.any(np.abs(path - center) > radius):
            continue  # an orbit through overflowing values (|x| ~ 1e152): a spurious root of f^n - x
        path = reduce_periodic(path, periodic, lo, margin)  # angles into [lo, lo + period)
        pts, x0 = path[:period], path[0]
        scale = DEDUP_RTOL * (1.0 + np.linalg.norm(x0))
        if any(periodic_distance(path[k], x0, periodic) <= scale for k in _divisors(period)):
            continue  # a smaller period
        if not np.any(np.all((pts >= lo - margin) & (pts <= hi + margin), axis=1)):
            continue
        if any(np.min(periodic_distance(other, x0, periodic)) <= scale for other in kept):
            continue  # a cyclic shift of an orbit already kept
        start = int(np.lexsort(pts.T[::-1])[0])
        kept.append(np.roll(pts, -start, axis=0))
        kept_jac.append(jac)
    if not kept:
        return []
    firsts = np.stack([k[0] for k in kept])
    gs = wrap_difference(_iterate(system, firsts, period) - firsts, periodic)
    out = []
    for pts, jac, g in zip(kept, kept_jac, gs):
        if not (np.all(np.isfinite(jac)) and np.all(np.isfinite(g))):
            continue  # the product Jacobian overflows: not an orbit we can classify (never a crash in eigvals)
        mu = np.linalg.eigvals(jac).astype(np.complex128)
        mu = mu[np.lexsort((-mu.imag, -np.abs(mu)))]
        typ, stable = classify(mu, "map", tol=CLASS_RTOL * max(1.0, float(np.linalg.norm(jac))))
        out.append(
            PeriodicOrbit(points=pts, multipliers=mu, type=typ, stable=stable, residual=float(np.max(np.abs(g))))
        )
    out.sort(key=lambda o: tuple(o.points[0]))
    return out


# --- periodic orbits of flows ---------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class FlowPeriodicOrbit:
    """A periodic orbit of a flow found by shooting on a Poincaré map.

    ``x`` (d,): the orbit's point on the plane; ``period``: its period T (time); ``section_points``
    (n, d): its ``period_n`` crossings of the plane; ``return_times`` (n,); ``multipliers`` (d,): the
    Floquet multipliers (eigenvalues of the monodromy matrix, largest modulus first; one is 1 along
    the flow); ``section_multipliers`` (d-1,): those of the Poincaré map P^n (the non-trivial ones);
    ``stable``: all section multipliers inside the unit circle; ``residual``: |P^n(y) - y|_inf.
    """

    x: np.ndarray
    period: float
    section_points: np.ndarray
    return_times: np.ndarray
    multipliers: np.ndarray
    section_multipliers: np.ndarray
    type: str
    stable: bool
    residual: float
    system_name: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def trivial_multiplier(self) -> complex:
        """The Floquet multiplier closest to 1 (exactly 1 in theory: the flow direction)."""
        return complex(self.multipliers[np.argmin(np.abs(self.multipliers - 1.0))])

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system_name,
            "x": self.x.tolist(),
            "period": float(self.period),
            "section_points": self.section_points.tolist(),
            "return_times": self.return_times.tolist(),
            "multipliers": [[float(m.real), float(m.imag)] for m in self.multipliers],
            "section_multipliers": [[float(m.real), float(m.imag)] for m in self.section_multipliers],
            "type": self.type,
            "stable": bool(self.stable),
            "residual": float(self.residual),
        }

    def __repr__(self) -> str:
        mu = ", ".join(format_complex(m) for m in self.multipliers)
        return (
            f"FlowPeriodicOrbit({self.system_name!r}, T={self.period:.10g}, x={np.array2string(self.x, precision=6)}, "
            f"{'stable' if self.stable else 'unstable'}, multipliers=[{mu}])"
        )


@partial(jax.jit, static_argnames=("law", "method", "n_steps"))
def _monodromy(law, method, n_steps, x, p, T):
    """d phi_T(x) / dx by forward-mode autodiff of n_steps fixed RK steps of size T / n_steps."""
    tab = FIXED_STEP_METHODS[method]
    h = T / n_steps
    f = lambda y, t: law(y, p, t)  # noqa: E731

    def flow_map(x0):
        return run(lambda y, t, k: rk_step(tab, f, y, t, h), x0, 0.0, h, n_steps)  # h = T / n is traced

    return jax.jacfwd(flow_map)(x)


@eqx.filter_jit
def _g_and_jac(it: Map, y):
    return it.rhs(y, it.params, 0) - y, it.jacobian(y)


def _shoot(it: Map, y0: np.ndarray, tol: float, max_iter: int):
    """Damped Newton on g(y) = P^n(y) - y for one guess, driven from Python.

    The batched kernel of `fixed_points` would compile the nested Poincaré loop some six times
    (residual, Jacobian, line search, polishing: ~10 s); for a single guess one compiled
    (g, dP^n/dy) evaluation per iteration is enough. Same convergence test as `fixed_points`,
    |g|_inf <= tol (1 + |J_g|_inf |y|_inf), with step halving until |g| decreases.
    """
    y = np.asarray(y0, dtype=np.float64)
    eye = np.eye(y.size)
    g, J = (np.asarray(a) for a in _g_and_jac(it, jnp.asarray(y)))
    for _ in range(max_iter):
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(J))):
            break
        Jg = J - eye
        if np.max(np.abs(g)) <= tol * (1.0 + np.max(np.sum(np.abs(Jg), axis=1)) * np.max(np.abs(y))):
            return y, float(np.max(np.abs(g))), True, J
        try:
            step = np.linalg.solve(Jg, -g)
        except np.linalg.LinAlgError:
            break
        lam, norm0 = 1.0, np.linalg.norm(g)
        for _ in range(30):
            y_try = y + lam * step
            g_try, J_try = (np.asarray(a) for a in _g_and_jac(it, jnp.asarray(y_try)))
            if np.all(np.isfinite(g_try)) and np.linalg.norm(g_try) < norm0:
                break
            lam *= 0.5
        else:
            break
        y, g, J = y_try, g_try, J_try
    return y, float(np.max(np.abs(g))), False, J


@float64
def periodic_orbit_of_flow(
    flow: Flow,
    plane: Any,
    guess: Any,
    period_n: int = 1,
    *,
    direction: int = 1,
    dt: float | None = None,
    max_time: float | None = None,
    method: str = "rk4",
    tol: float = 1e-11,
    max_iter: int = 50,
) -> FlowPeriodicOrbit:
    """The periodic orbit of an autonomous ``flow`` near ``guess`` by Newton shooting on its Poincaré map.

    The damped Newton kernel of `fixed_points` solves :math:`P^n(y) = y` for the Poincaré map
    :math:`P`; the period T is the sum of the n return times (Hénon-located crossings, fixed
    ``method`` steps ``dt``), and the Floquet multipliers are the eigenvalues of the monodromy
    matrix from autodiff of the flow map over T (steps of size T / ceil(T / dt)).

    Parameters
    ----------
    flow : Flow
        An autonomous flow.
    plane : tuple
        The Poincaré plane: ``(index or name, value)`` or ``(normal, offset)``.
    guess : array_like
        A state of the flow, shape (d,), carried by the flow to its next crossing of ``plane``, or a
        point in the section coordinates of `PoincareMap`, shape (d-1,).
    period_n : int, default 1
        Number of crossings of the plane per period.
    direction : int, default 1
        Crossings counted: 1 upward, -1 downward (through the plane's normal).
    dt : float, optional
        Step of the integrator (default: the flow's ``dt``).
    max_time : float, optional
        Longest time allowed between two crossings.
    method : str, default "rk4"
        Fixed-step method of the crossings and of the monodromy matrix.
    tol : float, default 1e-11
        Relative residual tolerance of the Newton kernel.
    max_iter : int, default 50
        Newton iterations.

    Returns
    -------
    FlowPeriodicOrbit
        The orbit's point on the plane, its period, crossings, return times and multipliers.

    Raises
    ------
    PeriodicOrbitError
        When Newton does not converge or converges to an orbit with fewer crossings than ``period_n``.
    PoincareSectionError
        When the orbit does not cross the plane.

    References
    ----------
    Yu. A. Kuznetsov, *Elements of Applied Bifurcation Theory*, 3rd ed. (2004), sec. 1.5; R. Seydel,
    *Practical Bifurcation and Stability Analysis* (2010), ch. 7 (shooting); M. Hénon, Physica D 5,
    412 (1982) (crossings).
    """
    pm = PoincareMap(flow, plane, direction=direction, dt=dt, max_time=max_time, method=method)
    period_n = as_int(period_n, name="period_n", minimum=1)
    tol = as_positive_float(tol, name="tol")
    max_iter = as_int(max_iter, name="max_iter", minimum=1)
    g = as_finite_array(guess, name="guess")
    if g.shape == (flow.dim,):
        g = as_state(g, flow.dim, what="guess", allow_batch=False)
        sec = poincare_section(flow, plane, 1, x0=g, direction=direction, dt=pm.h, max_time=pm.max_time, method=method)
        y0 = sec.section[0]
    elif g.shape == (pm.dim,):
        y0 = as_state(g, pm.dim, what="guess", allow_batch=False)
    else:
        raise ValueError(
            f"guess has shape {g.shape}; expected a state ({flow.dim},) of {flow.name} or a point "
            f"({pm.dim},) in the section coordinates {pm.names}"
        )
    it = _iterated(pm, period_n)
    y, res, ok, jac = _shoot(it, y0, float(tol), int(max_iter))
    if not ok:
        raise PeriodicOrbitError(
            f"{flow.name}: Newton shooting on the Poincaré map ({pm.plane_text}) did not converge "
            f"from {np.array2string(y0, precision=6)} (residual |P^{period_n}(y) - y| = "
            f"{res:.3g}); try a better guess, another plane or a larger max_iter"
        )
    pts, taus = [pm.to_full(y)], []
    cur = y
    for _ in range(period_n):
        cur, tau = pm.next(cur)
        taus.append(float(tau))
        pts.append(pm.to_full(cur))
    pts_arr = np.stack(pts[:-1])
    for k in _divisors(period_n):
        if np.linalg.norm(pts_arr[k] - pts_arr[0]) <= DEDUP_RTOL * (1.0 + np.linalg.norm(pts_arr[0])):
            raise PeriodicOrbitError(
                f"{flow.name}: shooting converged to an orbit that crosses the plane {k} times per "
                f"period, not {period_n}; try another guess or period_n={k}"
            )
    T = float(np.sum(taus))
    n_steps = max(1, math.ceil(T / pm.h - 1e-9))
    M = np.asarray(_monodromy(flow.rhs, method, n_steps, jnp.asarray(pts_arr[0]), flow.params, T))
    mu = np.linalg.eigvals(M).astype(np.complex128)
    mu = mu[np.lexsort((-mu.imag, -np.abs(mu)))]
    smu = np.linalg.eigvals(jac).astype(np.complex128)
    smu = smu[np.lexsort((-smu.imag, -np.abs(smu)))]
    typ, stable = classify(smu, "map", tol=CLASS_RTOL * max(1.0, float(np.linalg.norm(jac))))
    settings = {
        "plane": pm.plane_text,
        "direction": pm.direction,
        "dt": pm.h,
        "method": method,
        "period_n": period_n,
        "monodromy_steps": n_steps,
    }
    return FlowPeriodicOrbit(
        x=pts_arr[0],
        period=T,
        section_points=pts_arr,
        return_times=np.asarray(taus),
        multipliers=mu,
        section_multipliers=smu,
        type=typ,
        stable=stable,
        residual=res,
        system_name=flow.name,
        settings=settings,
    )
