"""Damped Newton from many starts, vmapped: the kernel behind `fixed_points` and `periodic_orbits`.

For g(x) = f(x) (flows) or f(x) - x (maps, and the n-times iterated map for period-n orbits),
each start runs Newton steps d = -J_g^{-1} g with an Armijo backtracking line search on
phi = |g|^2 / 2 (a Cauchy step where J_g is singular; steps capped at ``maxstep``), stops on the
scaled residual |g|_inf <= tol (1 + |J_g|_inf |x|_inf), and is then polished by full Newton
steps under Deuflhard's natural monotonicity test (P. Deuflhard, Newton Methods for Nonlinear
Problems, Springer 2004, sec. 3.2; J. E. Dennis & R. B. Schnabel, Numerical Methods for
Unconstrained Optimization and Nonlinear Equations, SIAM 1996, sec. 6.3).

On a system with periodic coordinates (`System.periodic`, e.g. the standard map on the torus) the
map residual f(x) - x is taken modulo the periods (``wrap_difference``), so a point whose image lands
across the seam x = 0 = 2 pi is a fixed point, and points are compared modulo the periods
(``periodic_distance``) and reported in one fundamental domain (``reduce_periodic``).
"""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..systems.base import System
from ..validation import InvalidTypeError, as_finite_array

__all__ = [
    "solve_all",
    "validate_box",
    "wrap_difference",
    "wrap_traced",
    "periodic_distance",
    "reduce_periodic",
    "ARMIJO",
    "MAX_HALVINGS",
    "CLASS_RTOL",
    "BOX_RTOL",
    "DEDUP_RTOL",
    "ESCAPE_WIDTHS",
    "escape_bounds",
]

#: Armijo sufficient-decrease constant and the most step halvings of the line search.
ARMIJO = 1e-4
MAX_HALVINGS = 40
#: Relative tolerances: eigenvalue classification, "inside the box", duplicate points.
CLASS_RTOL = 1e-9
BOX_RTOL = 1e-8
DEDUP_RTOL = 1e-6
#: A Newton iterate (or an orbit point) farther than this many box widths from the box centre has
#: escaped: far from the box the scaled residual test accepts overflowing "roots" (Hénon's f^10 at
#: orbits through |x| ~ 1e152, where |J| |x| ~ 1e307), so such starts count as not converged.
ESCAPE_WIDTHS = 100.0


# --- periodic coordinates ---------------------------------------------------------------------
def _periodic_arrays(periodic: tuple[tuple[int, float], ...]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([i for i, _ in periodic], dtype=int), np.array([p for _, p in periodic], dtype=np.float64)


def wrap_traced(d, periodic: tuple[tuple[int, float], ...]):
    """`wrap_difference` for JAX arrays inside traced code (``periodic`` is static, so it is unrolled at trace time).

    Parameters
    ----------
    d : jax.Array, shape (..., d)
        Differences of states.
    periodic : tuple of (int, float)
        ``(index, period)`` pairs; empty: ``d`` unchanged.

    Returns
    -------
    jax.Array
        ``d`` with each periodic coordinate reduced to [-P/2, P/2].
    """
    if not periodic:
        return d
    idx, per = _periodic_arrays(periodic)
    di = d[..., idx]
    return d.at[..., idx].set(di - per * jnp.round(di / per))


def wrap_difference(d: Any, periodic: tuple[tuple[int, float], ...]) -> np.ndarray:
    """A difference of states with each periodic coordinate reduced to [-P/2, P/2] (shortest way round).

    Parameters
    ----------
    d : array_like, shape (..., d)
        Differences of states.
    periodic : tuple of (int, float)
        ``(index, period)`` pairs, as in `dynstab.systems.base.System.periodic`; empty: ``d`` unchanged.

    Returns
    -------
    numpy.ndarray
        ``d`` with ``d[..., i] - P round(d[..., i] / P)`` in each periodic coordinate i.
    """
    out = np.array(d, dtype=np.float64)
    if periodic:
        idx, per = _periodic_arrays(periodic)
        out[..., idx] -= per * np.round(out[..., idx] / per)
    return out


def periodic_distance(a: Any, b: Any, periodic: tuple[tuple[int, float], ...]) -> np.ndarray:
    """Euclidean distance of states ``a`` and ``b`` (broadcast) with periodic coordinates compared modulo their periods.

    Parameters
    ----------
    a, b : array_like, shape (..., d)
        States.
    periodic : tuple of (int, float)
        ``(index, period)`` pairs; empty: the plain Euclidean distance.

    Returns
    -------
    numpy.ndarray, shape (...)
        ``|wrap_difference(a - b)|_2``.
    """
    return np.linalg.norm(wrap_difference(np.asarray(a) - np.asarray(b), periodic), axis=-1)


def reduce_periodic(x: Any, periodic: tuple[tuple[int, float], ...], lo: Any, margin: Any) -> np.ndarray:
    """States with each periodic coordinate i reduced into the fundamental domain [lo_i, lo_i + P_i).

    A value within ``margin`` below lo_i + P_i is moved just below lo_i instead, so that points on the
    seam (0 and 2 pi on the standard map's torus) are reported on the same side.

    Parameters
    ----------
    x : array_like, shape (..., d)
        States.
    periodic : tuple of (int, float)
        ``(index, period)`` pairs; empty: ``x`` unchanged.
    lo, margin : array_like, shape (d,)
        Lower corner of the search box and the tolerance of "inside the box".

    Returns
    -------
    numpy.ndarray
        The reduced states (a copy).
    """
    out = np.array(x, dtype=np.float64)
    if periodic:
        idx, per = _periodic_arrays(periodic)
        low, tol = np.asarray(lo, dtype=np.float64)[idx], np.asarray(margin, dtype=np.float64)[idx]
        v = low + np.mod(out[..., idx] - low, per)
        out[..., idx] = np.where(v > low + per - tol, v - per, v)
    return out


def escape_bounds(lo: Any, hi: Any) -> tuple[np.ndarray, np.ndarray]:
    """Centre and half-widths of the region outside which an iterate has escaped (`ESCAPE_WIDTHS` box widths).

    Parameters
    ----------
    lo, hi : array_like, shape (d,)
        Corners of the search box.

    Returns
    -------
    center, radius : numpy.ndarray, shape (d,)
        ``(lo + hi) / 2`` and ``ESCAPE_WIDTHS * (hi - lo)``.
    """
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    return 0.5 * (lo + hi), ESCAPE_WIDTHS * (hi - lo)


# --- the kernel -------------------------------------------------------------------------------
def _g_and_jac(system: System, x, t):
    fx = system.rhs(x, system.params, t)
    jf = system.jacobian(x, t)
    if system.kind == "map":
        return wrap_traced(fx - x, system.periodic), jf - jnp.eye(x.shape[0], dtype=jf.dtype), jf
    return fx, jf, jf


def _g(system: System, x, t):
    fx = system.rhs(x, system.params, t)
    return wrap_traced(fx - x, system.periodic) if system.kind == "map" else fx


def _newton_direction(g, jg, maxstep):
    """Newton step, or the Cauchy (steepest-descent) step of phi where J_g is singular; capped."""
    d = jnp.linalg.solve(jg, -g)
    grad = jg.T @ g
    slope = grad @ d
    jgrad = jg @ grad
    cauchy = -(grad @ grad) / jnp.maximum(jgrad @ jgrad, jnp.finfo(g.dtype).tiny) * grad
    bad = ~jnp.all(jnp.isfinite(d)) | ~(slope < 0.0)
    d = jnp.where(bad, cauchy, d)
    norm = jnp.linalg.norm(d)
    d = jnp.where(norm > maxstep, d * (maxstep / norm), d)
    return d, grad @ d


def _solve_one(system: System, x0, t, tol, max_iter, maxstep, center, radius):
    def bounded(x):
        return jnp.all(jnp.abs(x - center) <= radius)

    def scaled_ok(x, g, jg):
        res = jnp.max(jnp.abs(g))
        scale = 1.0 + jnp.max(jnp.sum(jnp.abs(jg), axis=1)) * jnp.max(jnp.abs(x))
        return res <= tol * scale

    def phi(x):
        g = _g(system, x, t)
        v = 0.5 * (g @ g)
        return jnp.where(jnp.isfinite(v), v, jnp.inf)

    def cond(state):
        _, k, done = state
        return (k < max_iter) & ~done

    def body(state):
        x, k, _ = state
        g, jg, _ = _g_and_jac(system, x, t)
        finite = jnp.all(jnp.isfinite(g)) & jnp.all(jnp.isfinite(jg)) & bounded(x)  # else: given up
        conv = scaled_ok(x, g, jg) & finite
        d, slope = _newton_direction(g, jg, maxstep)
        phi0 = 0.5 * (g @ g)

        def ls_cond(s):
            lam, j, ok = s
            return ~ok & (j < MAX_HALVINGS)

        def ls_body(s):
            lam, j, _ = s
            lam = jnp.where(j == 0, lam, 0.5 * lam)
            ok = phi(x + lam * d) <= phi0 + ARMIJO * lam * slope
            return lam, j + 1, ok

        lam, _, ok = jax.lax.while_loop(ls_cond, ls_body, (jnp.ones((), x.dtype), 0, False))
        x_new = x + lam * d
        stalled = ~ok | ~finite | (jnp.linalg.norm(lam * d) <= 1e-15 * (1.0 + jnp.linalg.norm(x)))
        x_next = jnp.where(conv | ~ok | ~finite, x, x_new)
        return x_next, k + 1, conv | stalled

    x, _, _ = jax.lax.while_loop(cond, body, (x0, 0, False))

    # polish the converged points with full Newton steps under Deuflhard's natural monotonicity
    # test: x + d is accepted while the simplified step dbar = -J(x)^{-1} g(x + d) is shorter than
    # d. At a simple root this stops after a step or two; at a degenerate root, where Newton
    # converges only linearly and the residual is tiny far from the root, it keeps going, so the
    # copies found from different starts coalesce before deduplication.
    def p_cond(s):
        _, k, go = s
        return go & (k < max_iter)

    def p_body(s):
        x, k, _ = s
        g, jg, _ = _g_and_jac(system, x, t)
        lu = jax.scipy.linalg.lu_factor(jg)
        d = jax.scipy.linalg.lu_solve(lu, -g)
        x_new = x + d
        dbar = jax.scipy.linalg.lu_solve(lu, -_g(system, x_new, t))
        better = (
            jnp.all(jnp.isfinite(x_new)) & jnp.all(jnp.isfinite(dbar)) & (jnp.linalg.norm(dbar) < jnp.linalg.norm(d))
        )
        x_next = jnp.where(better, x_new, x)
        moving = jnp.linalg.norm(d) > 1e-13 * (1.0 + jnp.linalg.norm(x_next))  # not yet at round-off
        return x_next, k + 1, better & moving

    g, jg, _ = _g_and_jac(system, x, t)
    x, _, _ = jax.lax.while_loop(p_cond, p_body, (x, 0, scaled_ok(x, g, jg)))

    g, jg, jf = _g_and_jac(system, x, t)
    ok = scaled_ok(x, g, jg) & jnp.all(jnp.isfinite(x)) & jnp.all(jnp.isfinite(jf)) & bounded(x)
    return x, jnp.max(jnp.abs(g)), ok, jf


@eqx.filter_jit
def solve_all(system: System, x0s, t, tol, max_iter, maxstep, center, radius):
    """Damped Newton from every start in ``x0s`` (vmapped, one compiled call).

    Parameters
    ----------
    system : System
        A flow (roots of f) or map (roots of f(x) - x).
    x0s : array, shape (n, d)
        Starting points.
    t : float
        Time (or iteration) at which the law is evaluated.
    tol : float
        Scaled residual tolerance, |g|_inf <= tol (1 + |J_g|_inf |x|_inf).
    max_iter : int
        Newton iterations at most (and polishing steps at most).
    maxstep : float
        Largest Newton step (steps are capped to this length).
    center, radius : array, shape (d,)
        A start whose iterate leaves ``|x - center| <= radius`` (componentwise) has escaped and does
        not converge (see `escape_bounds`); so do starts with a non-finite residual or Jacobian.

    Returns
    -------
    tuple
        Points (n, d), residuals (n,), converged flags (n,) and Jacobians of f (n, d, d).
    """
    return jax.vmap(_solve_one, in_axes=(None, 0, None, None, None, None, None, None))(
        system, x0s, t, tol, max_iter, maxstep, center, radius
    )


def validate_box(box: Any, dim: int, name: str) -> np.ndarray:
    """A search box as a (dim, 2) float array of finite (low, high) pairs with low < high (ValueError otherwise).

    Parameters
    ----------
    box : array_like
        One ``(low, high)`` pair per dimension.
    dim : int
        The system's dimension (the number of pairs expected).
    name : str
        The system's name, for the error messages.

    Returns
    -------
    numpy.ndarray
        The box, shape (dim, 2), float64.

    Raises
    ------
    InvalidTypeError
        For non-numeric bounds (a subclass of both TypeError and ValueError).
    ValueError
        For a NaN or infinite bound, a shape other than (dim, 2), or low >= high.
    """
    try:  # numbers, all finite (a NaN or infinite bound is a ValueError naming its index)
        arr = as_finite_array(box, name="box")
    except InvalidTypeError as exc:
        raise InvalidTypeError(
            f"box must be a sequence of (low, high) pairs of numbers, one per dimension: {exc}"
        ) from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"box must be a sequence of (low, high) pairs, one per dimension; got shape {arr.shape}")
    if arr.shape[0] != dim:
        raise ValueError(f"box has {arr.shape[0]} (low, high) pairs but {name} is {dim}-dimensional")
    bad = np.flatnonzero(arr[:, 0] >= arr[:, 1])
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"box dimension {i}: low must be < high, got ({arr[i, 0]:g}, {arr[i, 1]:g})")
    return arr
