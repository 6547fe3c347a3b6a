"""Damped Newton from many starts, vmapped: the kernel behind `fixed_points` and `periodic_orbits`.

For g(x) = f(x) (flows) or f(x) - x (maps, and the n-times iterated map for period-n orbits),
each start runs Newton steps d = -J_g^{-1} g with an Armijo backtracking line search on
phi = |g|^2 / 2 (a Cauchy step where J_g is singular; steps capped at ``maxstep``), stops on the
scaled residual |g|_inf <= tol (1 + |J_g|_inf |x|_inf), and is then polished by full Newton
steps under Deuflhard's natural monotonicity test (P. Deuflhard, Newton Methods for Nonlinear
Problems, Springer 2004, sec. 3.2; J. E. Dennis & R. B. Schnabel, Numerical Methods for
Unconstrained Optimization and Nonlinear Equations, SIAM 1996, sec. 6.3).

Each start is a small state machine that needs one evaluation of g and J_g per move (f and J_f
from one pass of forward-mode autodiff where no Jacobian is written by hand), so one compiled
round evaluates the law once for all starts (vmapped) and moves each. Finished starts are parked
at NaN, on which a Poincaré map's crossing search stops at once; with ``width`` lanes fewer than
the starts, a lane that finishes takes the next start of the queue. Rounds run in compiled calls
of about `CALL_SECONDS`, with ``progress(done, total)`` and Ctrl-C between calls.

On a system with periodic coordinates (`System.periodic`, e.g. the standard map on the torus) the
map residual f(x) - x is taken modulo the periods (``wrap_difference``), so a point whose image lands
across the seam x = 0 = 2 pi is a fixed point, and points are compared modulo the periods
(``periodic_distance``) and reported in one fundamental domain (``reduce_periodic``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..executables import persistent_jit
from ..systems.base import System
from ..validation import InvalidTypeError, as_finite_array

__all__ = [
    "solve_all",
    "dedupe_points",
    "bounding_box",
    "CALL_SECONDS",
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


def dedupe_points(xs: Any, order: Any, periodic: tuple[tuple[int, float], ...] = ()) -> list[int]:
    """Indices of distinct points, taken in ``order``: a point within `DEDUP_RTOL` (1 + |x|) of one kept before is a copy.

    Parameters
    ----------
    xs : array_like, shape (n, d)
        The points.
    order : array_like of int
        Indices into ``xs`` in order of preference (e.g. best residual first).
    periodic : tuple of (int, float)
        ``(index, period)`` pairs: those coordinates are compared modulo their periods.

    Returns
    -------
    list of int
        The kept indices, in ``order``.
    """
    xs = np.asarray(xs, dtype=np.float64)
    kept: list[int] = []
    for i in order:
        if kept:
            dist = periodic_distance(xs[kept], xs[i], periodic)
            if np.any(dist < DEDUP_RTOL * (1.0 + np.linalg.norm(xs[i]))):
                continue
        kept.append(int(i))
    return kept


def bounding_box(points: Any, margin: float) -> np.ndarray:
    """The bounding box of the finite points, enlarged by ``margin`` times its extent on each side.

    Parameters
    ----------
    points : array_like, shape (..., d)
        States (rows with a non-finite value are left out).
    margin : float
        Padding per side relative to the extent (at least 1e-3 (1 + |high|) for a flat extent).

    Returns
    -------
    numpy.ndarray, shape (d, 2)
        One ``(low, high)`` pair per dimension.

    Raises
    ------
    ValueError
        If no row is finite.
    """
    x = np.asarray(points, dtype=np.float64)
    x = x.reshape(-1, x.shape[-1])
    x = x[np.all(np.isfinite(x), axis=1)]
    if x.shape[0] == 0:
        raise ValueError("bounding_box: no finite point")
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-3 * (1 + np.abs(hi)))
    return np.stack([lo - pad, hi + pad], axis=1)


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
#: Phases of a start in the Newton machine: first evaluation, damped Newton (line search), polishing, finished.
_START, _SEARCH, _POLISH, _DONE = 0, 1, 2, 3
#: Seconds of work aimed at per compiled call of `solve_all`: progress is reported and Ctrl-C is
#: honoured between calls.
CALL_SECONDS = 0.25


class _Lanes(NamedTuple):
    """The state of every start (leading axis: the starts) between two evaluations of the law."""

    x: Any  # accepted point
    g: Any  # g(x)
    jg: Any  # J_g(x)
    jf: Any  # J_f(x)
    d: Any  # search direction (damped phase) or full Newton step (polishing)
    slope: Any  # grad phi(x) . d
    lam: Any  # step length of the line search
    trial: Any  # the point evaluated next (NaN once finished: a crossing search stops at once on it)
    phase: Any
    k: Any  # Newton iterations (damped phase) or polishing steps
    j: Any  # tests made by the current line search


def _f_and_jac(system: System, x, t):
    """f(x) and J_f(x): a hand-written Jacobian as such, else forward mode with f as its primal (one pass)."""
    p = system.params
    if system.jac is not None and not getattr(system.jac, "autodiff", False):
        return system.rhs(x, p, t), jnp.asarray(system.jac(x, p, t))

    def twice(y):
        fy = system.rhs(y, p, t)
        return fy, fy

    jf, fx = jax.jacfwd(twice, has_aux=True)(x)
    return fx, jf


def _g_and_jac(system: System, x, t):
    fx, jf = _f_and_jac(system, x, t)
    if system.kind == "map":
        return wrap_traced(fx - x, system.periodic), jf - jnp.eye(x.shape[0], dtype=jf.dtype), jf
    return fx, jf, jf


def _newton_direction(g, jg, d, maxstep):
    """The Newton step ``d`` = -J_g^{-1} g, or the Cauchy (steepest-descent) step of phi where J_g is singular; capped."""
    grad = jg.T @ g
    slope = grad @ d
    jgrad = jg @ grad
    cauchy = -(grad @ grad) / jnp.maximum(jgrad @ jgrad, jnp.finfo(g.dtype).tiny) * grad
    bad = ~jnp.all(jnp.isfinite(d)) | ~(slope < 0.0)
    d = jnp.where(bad, cauchy, d)
    norm = jnp.linalg.norm(d)
    d = jnp.where(norm > maxstep, d * (maxstep / norm), d)
    return d, grad @ d


def _scaled_ok(x, g, jg, tol):
    """|g|_inf <= tol (1 + |J_g|_inf |x|_inf) (numpy or JAX arrays, leading axes broadcast)."""
    xp = jnp if isinstance(g, jax.Array) else np
    res = xp.max(xp.abs(g), axis=-1)
    scale = 1.0 + xp.max(xp.sum(xp.abs(jg), axis=-1), axis=-1) * xp.max(xp.abs(x), axis=-1)
    return res <= tol * scale


def _lane_update(s: _Lanes, gt, jgt, jft, tol, max_iter, maxstep, center, radius, max_halvings) -> _Lanes:
    """One start's move once its ``trial`` point is evaluated (``gt``, ``jgt``, ``jft`` there).

    The damped Newton iteration with Armijo backtracking, then Deuflhard's polishing, as a state
    machine with one evaluation of the law per move, so every start of a batch shares one
    evaluation per round (vmapped), written branch-free (every quantity once, then selected).
    """
    start, search, polish = s.phase == _START, s.phase == _SEARCH, s.phase == _POLISH
    # the tests of the point just evaluated: Armijo (damped phase), natural monotonicity (polishing)
    phi_t = 0.5 * (gt @ gt)
    armijo = jnp.where(jnp.isfinite(phi_t), phi_t, jnp.inf) <= 0.5 * (s.g @ s.g) + ARMIJO * s.lam * s.slope
    tiny = jnp.linalg.norm(s.lam * s.d) <= 1e-15 * (1.0 + jnp.linalg.norm(s.x))
    dbar = jnp.linalg.solve(s.jg, -gt)  # the simplified Newton step at the trial point
    better = (
        jnp.all(jnp.isfinite(s.trial)) & jnp.all(jnp.isfinite(dbar)) & (jnp.linalg.norm(dbar) < jnp.linalg.norm(s.d))
    )
    accept = start | (search & armijo) | (polish & better)
    x, g, jg, jf = (jnp.where(accept, new, old) for new, old in ((s.trial, s.x), (gt, s.g), (jgt, s.jg), (jft, s.jf)))
    k = jnp.where(start, 0, s.k + accept.astype(s.k.dtype))
    # the next move from the (possibly new) accepted point
    full = jnp.linalg.solve(jg, -g)
    d_newton, slope = _newton_direction(g, jg, full, maxstep)
    finite = jnp.all(jnp.isfinite(g)) & jnp.all(jnp.isfinite(jg)) & jnp.all(jnp.abs(x - center) <= radius)
    converged = _scaled_ok(x, g, jg, tol)
    damped = start | search
    stop = jnp.where(
        accept,
        (converged & finite) | ~finite | (k >= max_iter) | (search & tiny),
        (s.j + 1 >= max_halvings) | tiny,
    )
    to_polish = damped & stop & converged  # the damped phase ended at a converged point: polish it
    new_search = damped & ~stop & accept  # a new damped Newton iteration
    halve = damped & ~stop & ~accept  # the line search goes on with half the step
    moving = jnp.linalg.norm(s.d) > 1e-13 * (1.0 + jnp.linalg.norm(x))  # the step taken was above round-off
    go_polish = polish & better & moving & (k < max_iter)
    phase = jnp.where(
        to_polish | go_polish,
        _POLISH,
        jnp.where(new_search | halve, _SEARCH, _DONE),
    ).astype(s.phase.dtype)
    d = jnp.where(new_search, d_newton, jnp.where(to_polish | go_polish, full, s.d))
    nan = jnp.full_like(x, jnp.nan)
    trial = jnp.where(
        new_search,
        x + d_newton,
        jnp.where(halve, s.x + 0.5 * s.lam * s.d, jnp.where(to_polish | go_polish, x + full, nan)),
    )
    return _Lanes(
        x=x,
        g=g,
        jg=jg,
        jf=jf,
        d=d,
        slope=jnp.where(new_search, slope, s.slope),
        lam=jnp.where(new_search, 1.0, jnp.where(halve, 0.5 * s.lam, s.lam)),
        trial=trial,
        phase=phase,
        k=jnp.where(to_polish, 0, k),
        j=jnp.where(new_search, 0, s.j + halve.astype(s.j.dtype)),
    )


def _empty_lanes(n: int, d: int) -> _Lanes:
    """Numpy `_Lanes` for n starts in d dimensions, all finished (trial NaN)."""
    vec, mat, num = np.zeros((n, d)), np.zeros((n, d, d)), np.zeros(n)
    ints = np.zeros(n, dtype=np.int32)
    lanes = _Lanes(
        vec, vec.copy(), mat, mat.copy(), vec.copy(), num, num.copy(), vec.copy(), ints, ints.copy(), ints.copy()
    )
    lanes.phase[:] = _DONE
    lanes.trial[:] = np.nan
    return lanes


def _start(lanes: _Lanes, idx: np.ndarray, x0: np.ndarray) -> None:
    """Put the starts ``x0`` into the lanes ``idx`` (in place; numpy lanes)."""
    lanes.x[idx] = lanes.g[idx] = lanes.d[idx] = lanes.trial[idx] = x0
    lanes.jg[idx] = lanes.jf[idx] = np.eye(x0.shape[1])
    lanes.slope[idx] = lanes.lam[idx] = 0.0
    lanes.phase[idx] = _START
    lanes.k[idx] = lanes.j[idx] = 0


@persistent_jit(filter_arrays=True)
def _rounds(system: System, lanes: _Lanes, t, tol, max_iter, maxstep, center, radius, max_halvings, n_rounds) -> _Lanes:
    """Up to ``n_rounds`` rounds (one vmapped evaluation of the law each), fewer once every start is finished."""

    def cond(c):
        lanes, r = c
        return (r < n_rounds) & jnp.any(lanes.phase != _DONE)

    def body(c):
        lanes, r = c
        gt, jgt, jft = jax.vmap(lambda x: _g_and_jac(system, x, t))(lanes.trial)
        update = jax.vmap(_lane_update, in_axes=(0, 0, 0, 0, None, None, None, None, None, None))
        return update(lanes, gt, jgt, jft, tol, max_iter, maxstep, center, radius, max_halvings), r + 1

    return jax.lax.while_loop(cond, body, (lanes, jnp.zeros((), jnp.int32)))[0]


def solve_all(
    system: System,
    x0s: Any,
    t: Any,
    tol: Any,
    max_iter: Any,
    maxstep: Any,
    center: Any,
    radius: Any,
    *,
    progress: Callable[[int, int], None] | None = None,
    width: int | None = None,
    max_halvings: int = MAX_HALVINGS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Damped Newton from every start in ``x0s``, all starts vmapped in one compiled kernel.

    Each start is a small state machine (damped Newton iterations with an Armijo line search,
    then polishing) that needs one evaluation of g and J_g per move; a compiled round evaluates
    the law once for all starts (vmapped, one pass of forward-mode autodiff giving f and J_f
    together) and moves every start. Rounds run in compiled calls of about `CALL_SECONDS`
    (``progress`` is called and Ctrl-C is honoured between calls) until every start has
    finished. A finished start is parked at NaN, so an expensive law (a Poincaré map's crossing
    search) stops at once on it instead of being evaluated again.

    Parameters
    ----------
    system : System
        A flow (roots of f) or map (roots of f(x) - x).
    x0s : array_like, shape (n, d)
        Starting points.
    t : float
        Time (or iteration) at which the law is evaluated.
    tol : float
        Scaled residual tolerance, |g|_inf <= tol (1 + |J_g|_inf |x|_inf).
    max_iter : int
        Newton iterations at most (and polishing steps at most).
    maxstep : float
        Largest Newton step (steps are capped to this length).
    center, radius : array_like, shape (d,)
        A start whose iterate leaves ``|x - center| <= radius`` (componentwise) has escaped and does
        not converge (see `escape_bounds`); so do starts with a non-finite residual or Jacobian.
    progress : callable, optional
        ``progress(done, total)``: starts finished so far and the number of starts, called after
        every compiled call.
    width : int, optional
        Starts worked on at once (the compiled batch); default all. With fewer lanes than starts,
        a lane that finishes takes the next start of the queue, so a few slow starts hold up only
        ``width`` lanes (an expensive law: a Poincaré map) and one compiled shape serves every
        number of starts.
    max_halvings : int, default `MAX_HALVINGS`
        Tests of one line search before the start is given up (the step is then below
        ``2**(1 - max_halvings)`` of the Newton step: no progress is being made).

    Returns
    -------
    tuple of numpy.ndarray
        Points (n, d), residuals |g|_inf (n,), converged flags (n,) and Jacobians of f (n, d, d).
    """
    x0 = np.asarray(x0s, dtype=np.float64)
    n, d = x0.shape
    width = n if width is None else max(1, min(int(width), n))
    out, lanes = _empty_lanes(n, d), _empty_lanes(width, d)
    owner = np.full(width, -1)  # the start each lane is working on (-1: none)
    queued, n_done = 0, 0
    # NumPy arguments, not jnp.asarray: a jitted call takes them on its C++ path, where jnp.asarray compiles
    # a copy for every new shape and dtype (30-70 ms each, seven per analyze run: issue 15)
    t_, tol_, maxstep_, center_, radius_ = (np.asarray(a, np.float64) for a in (t, tol, maxstep, center, radius))
    max_iter_ = np.asarray(max_iter, np.int64)
    n_rounds = 1
    while n_done < n:
        free = np.flatnonzero(owner < 0)[: n - queued]  # lanes free for the next starts in the queue
        if free.size:
            _start(lanes, free, x0[queued : queued + free.size])
            owner[free] = np.arange(queued, queued + free.size)
            queued += free.size
        began = time.perf_counter()
        state = _rounds(
            system,
            lanes,
            t_,
            tol_,
            max_iter_,
            maxstep_,
            center_,
            radius_,
            np.int32(max_halvings),
            np.int32(n_rounds),
        )
        lanes = _Lanes(*(np.array(a) for a in state))
        took = time.perf_counter() - began
        finished = np.flatnonzero((lanes.phase == _DONE) & (owner >= 0))
        for field_out, field_lane in zip(out, lanes):
            field_out[owner[finished]] = field_lane[finished]
        owner[finished] = -1
        n_done += finished.size
        if progress is not None:
            progress(n_done, n)
        if took < 0.5 * CALL_SECONDS:  # aim the next call at CALL_SECONDS (the first one also compiled)
            n_rounds = min(2 * n_rounds, 1 << 16)
        elif took > 2.0 * CALL_SECONDS:
            n_rounds = max(1, n_rounds // 2)
    x, g, jg, jf = out.x, out.g, out.jg, out.jf
    with np.errstate(invalid="ignore", over="ignore"):
        bounded = np.all(np.abs(x - np.asarray(center)) <= np.asarray(radius), axis=1)
        ok = (
            _scaled_ok(x, g, jg, float(tol))
            & np.all(np.isfinite(x), axis=1)
            & np.all(np.isfinite(jf), axis=(1, 2))
            & bounded
        )
        res = np.max(np.abs(g), axis=1)
    return x, res, ok, jf


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
