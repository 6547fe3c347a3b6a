r"""Fixed points (equilibria) of flows and maps, with their linear stability.

Equations solved
----------------
For a flow :math:`\dot x = f(x, p, t)` an equilibrium solves :math:`g(x) = f(x) = 0`; for a
map :math:`x_{n+1} = f(x_n, p, n)` a fixed point solves :math:`g(x) = f(x) - x = 0`; for an
SDE the deterministic skeleton (the drift, ``system.drift_as_flow()``) is used.
Forced (time-dependent) laws are frozen at the given ``t``.

Search box
----------
Without a box, the box is derived from the system at its own (requested) parameters: the bounding
box of ``x0`` and a trajectory, padded by 25% of its extent per side; after each round it grows
(``grow``) to the points where Newton converged outside it, so an equilibrium away from the
attractor is found too (Rössler with c = 9: the outer equilibrium x = (c + sqrt(c^2 - 4ab)) / 2,
y = -x / a, lies far below the attractor's y range).

Method: damped Newton with a backtracking line search
------------------------------------------------------
From ``n_starts`` points drawn uniformly in the box (``numpy.random.default_rng(seed)``),
every start is iterated at once (``jax.vmap`` inside one ``jax.jit``-compiled kernel whose
parameters are dynamic, so changing a parameter does not recompile):

.. math::

    J_g(x_k)\, d_k = -g(x_k), \qquad x_{k+1} = x_k + \lambda_k d_k ,

with :math:`J_g = J_f` (flows) or :math:`J_f - I` (maps), the step capped at the box
diagonal, and :math:`\lambda_k \in \{1, 1/2, 1/4, \dots\}` the first step satisfying the
Armijo sufficient-decrease condition on the merit function
:math:`\phi(x) = \tfrac12 \lVert g(x) \rVert_2^2`:

.. math::

    \phi(x_k + \lambda d_k) \le \phi(x_k) + 10^{-4} \lambda\, \nabla\phi(x_k)^\top d_k ,
    \qquad \nabla\phi = J_g^\top g .

Where :math:`J_g` is singular the steepest-descent direction of :math:`\phi` (Cauchy step)
is used instead. This globalisation makes Newton converge from far away (J. E. Dennis and
R. B. Schnabel, *Numerical Methods for Unconstrained Optimization and Nonlinear Equations*,
Prentice-Hall 1983, SIAM reprint 1996, sec. 6.3 and Algorithm A6.3.1). A start counts as
converged when

.. math::

    \lVert g(x) \rVert_\infty \le \mathrm{tol}\,\bigl(1 + \lVert J_g(x) \rVert_\infty \lVert x \rVert_\infty\bigr),

i.e. ``tol`` is relative to the size of the terms of :math:`g` near :math:`x`. Converged
points are polished by full Newton steps while they pass the natural monotonicity test
:math:`\lVert J_g(x)^{-1} g(x + d) \rVert < \lVert d \rVert` (P. Deuflhard, *Newton Methods for
Nonlinear Problems*, Springer 2004, sec. 3.2), kept if they lie inside the box (up to
:math:`10^{-8}` of its width), deduplicated (two points closer than
:math:`10^{-6}(1 + \lVert x \rVert_2)` are one) and sorted lexicographically. On a system with
periodic coordinates (``system.periodic``, e.g. the standard map's torus) those coordinates are
reduced into :math:`[\mathrm{low}, \mathrm{low} + P)` of the box before the box test, and
distances are taken modulo the periods, so the two sides of the seam are one point.

Starts come in rounds of batches of ``n_starts`` (one compiled shape): the first round is one
batch and each further round runs as many starts as all rounds before it (1, 1, 2, 4, ...
batches), until a round finds no new point or ``max_starts`` (default ``32 n_starts``) is reached;
``FixedPoints.n_starts_tried`` reports the total. An easy system (Lorenz) stops after the second
round; one whose equilibria have small Newton basins (the magnetic pendulum) gets more starts.
This is the multistart stopping rule "sample until a sample as large as all before it adds no new
solution" (A. H. G. Rinnooy Kan and G. T. Timmer, Stochastic global optimization methods, part I,
Math. Programming 39, 27 (1987)).

Classification
--------------
Flows, by the eigenvalues :math:`\lambda_i` of :math:`J_f(x^*)` (S. H. Strogatz, *Nonlinear
Dynamics and Chaos*, 2nd ed., Westview 2015, secs. 5.2 and 6.3-6.4; Yu. A. Kuznetsov,
*Elements of Applied Bifurcation Theory*, 3rd ed., Springer 2004, sec. 2.1):

* all :math:`\operatorname{Re}\lambda_i < 0`: ``"stable node"`` (all real) or ``"stable focus"``
  (some complex pair); all :math:`> 0`: ``"unstable node"`` / ``"unstable focus"``;
* both signs: ``"saddle"`` (all real) or ``"saddle-focus"`` (some complex pair);
* all eigenvalues purely imaginary and nonzero: ``"center"`` (of the linearisation);
* otherwise some :math:`|\operatorname{Re}\lambda_i| \le \varepsilon`: ``"non-hyperbolic"``.

Maps, by the multipliers :math:`\mu_i` (eigenvalues of :math:`J_f(x^*)`; Kuznetsov 2004,
sec. 1.4 and 2.1): the same names with :math:`|\mu_i| < 1` in place of
:math:`\operatorname{Re}\lambda_i < 0` and :math:`|\mu_i| > 1` in place of :math:`> 0`; ``"focus"``
when some multiplier is complex; ``"center"`` when all :math:`|\mu_i| = 1` and none is real;
``"non-hyperbolic"`` when some :math:`|\mu_i| = 1` otherwise.

The hyperbolicity tolerance is :math:`\varepsilon = 10^{-9} \max(1, \lVert J_f \rVert_F)`.
``stable`` means linearly *asymptotically* stable (all :math:`\operatorname{Re}\lambda < -\varepsilon`,
resp. all :math:`|\mu| < 1 - \varepsilon`); centers and non-hyperbolic points are not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .._precision import float64
from ..systems.base import System, check_system
from ..validation import as_float, as_int, as_positive_float
from .newton import (
    BOX_RTOL,
    CLASS_RTOL,
    bounding_box,
    dedupe_points,
    escape_bounds,
    reduce_periodic,
    solve_all,
    validate_box,
)

if TYPE_CHECKING:
    from ..systems.base import SDE

__all__ = ["FixedPoint", "FixedPoints", "fixed_points", "classify"]

#: Default search box: the bounding box of a trajectory at the system's parameters, padded by this
#: fraction of its extent per side; the box grows to equilibria found outside it, padded by `GROW_MARGIN`.
BOX_MARGIN = 0.25
GROW_MARGIN = 0.1
#: The trajectory of the default box: this many steps of ``dt`` (flows) or iterations (maps).
BOX_STEPS = 20_000

#: Every value ``FixedPoint.type`` can take.
TYPES = (
    "stable node",
    "stable focus",
    "unstable node",
    "unstable focus",
    "saddle",
    "saddle-focus",
    "center",
    "non-hyperbolic",
)


# --- result types ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class FixedPoint:
    """One fixed point: state ``x``, eigenvalues (flows) or multipliers (maps), type, stability.

    Attributes
    ----------
    x : numpy.ndarray
        The state, shape (d,).
    eigenvalues : numpy.ndarray
        Eigenvalues of the Jacobian (flows) or multipliers (maps), complex, shape (d,), largest first.
    type : str
        The classification (see `classify`).
    stable : bool
        Linearly asymptotically stable.
    residual : float
        :math:`\\lVert g(x) \\rVert_\\infty` (``f(x)`` for flows, ``f(x) - x`` for maps).
    """

    x: np.ndarray
    eigenvalues: np.ndarray
    type: str
    stable: bool
    residual: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "x": [float(v) for v in self.x],
            "eigenvalues": [[float(e.real), float(e.imag)] for e in self.eigenvalues],
            "type": self.type,
            "stable": bool(self.stable),
            "residual": float(self.residual),
        }

    def __repr__(self) -> str:
        xs = ", ".join(f"{v:.6g}" for v in self.x)
        ev = ", ".join(format_complex(e) for e in self.eigenvalues)
        return f"FixedPoint(x=[{xs}], type={self.type!r}, stable={self.stable}, eigenvalues=[{ev}])"


@dataclass(frozen=True, eq=False)
class FixedPoints(Sequence):
    """The fixed points found in a box (a read-only sequence of `FixedPoint`).

    Attributes
    ----------
    points : tuple of FixedPoint
        The points, sorted lexicographically by ``x``.
    system_name : str
        Name of the system.
    kind : str
        The system's kind (``"flow"``, ``"map"``, ``"sde"``).
    names : tuple of str
        Variable names.
    reason : str
        Empty when points were found, otherwise why none were.
    n_starts : int
        Newton starts per batch (the first round).
    n_converged : int
        Number of starts that converged (inside the box or not).
    n_starts_tried : int
        Newton starts tried in all rounds (rounds double the total until one finds no new point).
    n_rounds : int
        Number of rounds.
    box : numpy.ndarray or None
        The search box at the end, shape (d, 2) (grown to the equilibria found outside the first
        one when ``grow``).
    """

    points: tuple[FixedPoint, ...]
    system_name: str
    kind: str
    names: tuple[str, ...] = ()
    reason: str = ""
    n_starts: int = 0
    n_converged: int = field(default=0)
    n_starts_tried: int = 0
    n_rounds: int = 0
    box: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[FixedPoint]:
        return iter(self.points)

    def __getitem__(self, index):
        return self.points[index]

    def to_dict(self) -> list[dict[str, Any]]:
        """JSON-ready: one dict per point with "x", "eigenvalues" as [re, im] pairs, "type", "stable"."""
        return [p.to_dict() for p in self.points]

    def __repr__(self) -> str:
        n = len(self)
        if self.kind == "map":
            what = "fixed point" if n == 1 else "fixed points"
        else:
            what = "equilibrium" if n == 1 else "equilibria"
        head = f"FixedPoints({self.system_name!r}, {self.kind}: {n} {what}"
        head += f" from {self.n_starts_tried} Newton starts in {self.n_rounds} round{'s' if self.n_rounds != 1 else ''}"
        if not self.points:
            return head + f"; {self.reason})"
        names = self.names or tuple(f"x{i + 1}" for i in range(len(self.points[0].x)))
        lines = [head + ")"]
        for i, p in enumerate(self.points):
            xs = ", ".join(f"{n}={v:.6g}" for n, v in zip(names, p.x))
            ev = ", ".join(format_complex(e) for e in p.eigenvalues)
            label = "multipliers" if self.kind == "map" else "eigenvalues"
            lines.append(f"  [{i}] {xs}: {p.type}{' (stable)' if p.stable else ''}; {label} {ev}")
        return "\n".join(lines)


def format_complex(z: complex) -> str:
    """A complex number in 6 significant digits, without the imaginary part when it is zero."""
    if z.imag == 0.0:
        return f"{z.real:.6g}"
    return f"{z.real:.6g}{'+' if z.imag >= 0 else '-'}{abs(z.imag):.6g}j"


# --- classification -----------------------------------------------------------------------
def classify(eigenvalues: Any, kind: str, *, tol: float = CLASS_RTOL) -> tuple[str, bool]:
    """Type and asymptotic stability from eigenvalues (``kind="flow"``) or multipliers (``"map"``).

    The rules are those of the module docstring (Strogatz 2015, secs. 5.2 and 6.3-6.4; Kuznetsov
    2004, secs. 1.4 and 2.1).

    Parameters
    ----------
    eigenvalues : array_like
        Eigenvalues of the Jacobian at the point (flows) or its multipliers (maps); any shape, flattened.
    kind : str
        ``"flow"`` (classify by the real parts) or ``"map"`` (by the moduli).
    tol : float, default 1e-9
        Absolute tolerance on the real parts (flows) or on :math:`|\\mu| - 1` (maps), and on the
        imaginary parts.

    Returns
    -------
    type : str
        ``"stable node"``, ``"stable focus"``, ``"unstable node"``, ``"unstable focus"``, ``"saddle"``,
        ``"saddle-focus"``, ``"center"`` or ``"non-hyperbolic"``.
    stable : bool
        Linearly asymptotically stable.
    """
    ev = np.asarray(eigenvalues, dtype=np.complex128).ravel()
    if ev.size == 0:
        raise ValueError("classify needs at least one eigenvalue")
    growth = ev.real if kind != "map" else np.abs(ev) - 1.0
    pos, neg = growth > tol, growth < -tol
    complex_ = np.abs(ev.imag) > tol
    if not np.all(pos | neg):
        if np.all(~pos & ~neg) and np.all(complex_):
            return "center", False
        return "non-hyperbolic", False
    suffix = "focus" if np.any(complex_) else "node"
    if np.all(neg):
        return f"stable {suffix}", True
    if np.all(pos):
        return f"unstable {suffix}", False
    return ("saddle-focus" if np.any(complex_) else "saddle"), False


# --- public API ---------------------------------------------------------------------------
def _trajectory_box(system: System) -> np.ndarray:
    """The bounding box of ``x0`` and a trajectory at the system's own parameters, padded by `BOX_MARGIN`.

    Flows: `BOX_STEPS` steps of ``dt`` after dynstab's default transient; maps: `BOX_STEPS` iterations
    after 1000. An orbit that leaves the finite numbers contributes its finite part.
    """
    from ..simulate import trajectory
    from ..simulate.evolution import default_transient
    from ..systems.base import evolution_of

    if system.continuous_time:
        span = BOX_STEPS * system.dt
        traj = trajectory(system, t=span, transient=default_transient(evolution_of(system), span), on_blowup="nan")
    else:
        traj = trajectory(system, n=BOX_STEPS, transient=1000, on_blowup="nan")
    x0 = np.asarray(system.x0, dtype=np.float64).reshape(1, -1)
    return bounding_box(np.concatenate([x0, np.asarray(traj.x).reshape(-1, x0.shape[1])]), BOX_MARGIN)


@float64
def fixed_points(
    system: System,
    box: Sequence[tuple[float, float]] | None = None,
    *,
    n_starts: int = 1000,
    max_starts: int | None = None,
    seed: Any = 0,
    tol: float = 1e-10,
    max_iter: int = 100,
    t: float = 0.0,
    grow: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FixedPoints:
    """Find the fixed points of ``system`` inside ``box`` and classify their linear stability.

    Damped Newton with a backtracking line search from ``n_starts`` uniform starts, all in one
    compiled kernel (Dennis and Schnabel 1996, Algorithm A6.3.1); see the module docstring for the
    convergence test, the deduplication and the classification.

    Parameters
    ----------
    system : System
        A `Flow`, `Map` or `SDE` (its drift is used).
    box : sequence of (float, float), optional
        One ``(low, high)`` pair per dimension; starts are drawn uniformly in it and only points
        inside it are returned. Default: derived from the system at its own parameters, the
        bounding box of ``x0`` and a trajectory (20,000 steps of ``dt`` after dynstab's default
        transient, or 20,000 iterations after 1000), padded by 25% of its extent per side, and
        grown to the equilibria found outside it (``grow``).
    n_starts : int, default 1000
        Newton starts per batch (all run in parallel in one compiled kernel). The first round is one
        batch; each further round runs as many starts as all rounds before it (1, 1, 2, 4, ...
        batches), until a round finds no new point or ``max_starts`` starts have been tried.
    max_starts : int, optional
        Most starts in all (default ``32 * n_starts``); ``max_starts=n_starts`` runs one round only.
    seed : int or numpy.random.SeedSequence, default 0
        Seed of ``numpy.random.default_rng`` for the starts; the same seed gives the same result.
    tol : float, default 1e-10
        Relative residual tolerance (see the module docstring).
    max_iter : int, default 100
        Newton iterations per start.
    t : float, default 0.0
        Time (or iteration index for maps) at which a time-dependent law is frozen.
    grow : bool, optional
        After each round, widen the box to the points where Newton converged outside it (within
        the escape bounds, `dynstab.analysis.newton.escape_bounds`), padded by 10% of the extent,
        and draw the next round's starts in the wider box. Default: True when ``box`` is None. An
        equilibrium away from the attractor (Rössler's outer one, y = -x/a) is found this way.
    progress : callable, optional
        ``progress(done, total)``: starts finished and starts planned so far (the total grows
        with each round), called between compiled calls; an exception it raises (KeyboardInterrupt)
        stops the search there.

    Returns
    -------
    FixedPoints
        Sorted lexicographically by ``x``; empty (with ``reason`` set) if none is found.

    Raises
    ------
    TypeError
        For a delay equation (its equilibria's stability depends on the delay) or an unsupported system.
    ValueError
        For a malformed box or a non-positive ``n_starts``, ``max_iter`` or ``tol``.

    Examples
    --------
    >>> import dynstab
    >>> fp = fixed_points(dynstab.systems.get("lorenz"), [(-30, 30), (-30, 30), (0, 50)])
    >>> [p.type for p in fp]
    ['saddle-focus', 'saddle', 'saddle-focus']
    """
    check_system(system, "fixed_points", expected="a dynstab Flow, Map or SDE")
    name, kind, names = system.name, system.kind, tuple(system.names)
    if kind == "sde":
        system = cast("SDE", system).drift_as_flow()
    elif kind == "delay":
        raise TypeError(
            f"{name} is a delay equation: the stability of its equilibria (f(x, x) = 0) depends on the "
            "delay through the characteristic equation det(lambda I - A - B exp(-lambda tau)) = 0, which "
            "fixed_points does not solve; its Lyapunov spectrum (lyapunov_spectrum) tells whether an "
            "orbit settles on one"
        )
    elif kind not in ("flow", "map"):
        raise TypeError(f"fixed_points: unsupported system kind {kind!r}")
    grow = box is None if grow is None else bool(grow)
    n_starts = as_int(n_starts, name="n_starts", minimum=1)
    max_starts = 32 * n_starts if max_starts is None else as_int(max_starts, name="max_starts", minimum=n_starts)
    max_iter = as_int(max_iter, name="max_iter", minimum=1)
    tol = as_positive_float(tol, name="tol")
    t = as_float(t, name="t")
    lo_hi = _trajectory_box(system) if box is None else validate_box(box, system.dim, name)

    rng = np.random.default_rng(seed)
    periodic = tuple(system.periodic)
    # rounds of starts, each batch of n_starts (one compiled shape): 1, 1, 2, 4, ... batches, so the
    # total doubles, until a round finds no new point or max_starts is reached
    batches: list[tuple[np.ndarray, ...]] = []
    n_tried, n_rounds, n_found = 0, 0, -1
    while n_tried < max_starts:
        lo, hi = lo_hi[:, 0], lo_hi[:, 1]
        bounds = escape_bounds(lo, hi)
        n_batches = min(max(1, n_tried // int(n_starts)), (max_starts - n_tried) // int(n_starts))
        planned = n_tried + n_batches * int(n_starts)
        for _ in range(n_batches):
            x0s = lo + (hi - lo) * rng.random((int(n_starts), system.dim))
            offset = n_tried

            def report(done: int, _total: int, offset: int = offset, planned: int = planned) -> None:
                if progress is not None:
                    progress(offset + done, planned)

            batches.append(
                solve_all(system, x0s, t, tol, int(max_iter), float(np.linalg.norm(hi - lo)), *bounds, progress=report)
            )
            n_tried += int(n_starts)
        n_rounds += 1
        raw, res, ok, jacs = (np.concatenate(a) for a in zip(*batches))
        if grow and np.any(ok):
            # the equilibria found so far, wherever Newton met them, widen the box (and the next starts)
            found = bounding_box(raw[ok], 0.0)
            wider = np.stack([np.minimum(lo_hi[:, 0], found[:, 0]), np.maximum(lo_hi[:, 1], found[:, 1])], axis=1)
            pad = GROW_MARGIN * (wider[:, 1] - wider[:, 0])
            outside = (found[:, 0] < lo_hi[:, 0]) | (found[:, 1] > lo_hi[:, 1])
            for i, _ in periodic:
                outside[i] = False  # a periodic coordinate is reduced into the box's fundamental domain
            lo_hi = np.where(outside[:, None], wider + np.stack([-pad, pad], axis=1), lo_hi)
        lo, hi = lo_hi[:, 0], lo_hi[:, 1]
        margin = BOX_RTOL * (hi - lo)
        xs = reduce_periodic(raw, periodic, lo, margin)  # angles into [lo, lo + P)
        inside = np.all((xs >= lo - margin) & (xs <= hi + margin), axis=1)
        cand = np.flatnonzero(ok & inside)
        order = cand[np.lexsort((cand, res[cand]))]  # best residual first, ties by start index
        kept = dedupe_points(xs, order, periodic)
        if len(kept) == n_found:
            break  # a whole round (as many starts as all before it) found nothing new
        n_found = len(kept)

    n_conv = int(ok.sum())
    common: dict[str, Any] = dict(
        system_name=name,
        kind=kind,
        names=names,
        n_starts=int(n_starts),
        n_converged=n_conv,
        n_starts_tried=n_tried,
        n_rounds=n_rounds,
        box=lo_hi,
    )
    if cand.size == 0:
        if n_conv == 0:
            reason = (
                f"no Newton start converged (of {n_tried}); enlarge the box, increase n_starts or "
                f"max_iter, or loosen tol"
            )
        else:
            reason = (
                f"no Newton start converged inside the box ({n_conv} of {n_tried} converged to points "
                f"outside it); enlarge the box or increase n_starts"
            )
        return FixedPoints(points=(), reason=reason, **common)

    kept.sort(key=lambda i: tuple(xs[i]))
    class_kind = "map" if kind == "map" else "flow"
    points = []
    for i in kept:
        jf = jacs[i]
        ev = np.linalg.eigvals(jf).astype(np.complex128)
        key = np.abs(ev) if class_kind == "map" else ev.real
        ev = ev[np.lexsort((-ev.imag, -key))]
        typ, stable = classify(ev, class_kind, tol=CLASS_RTOL * max(1.0, float(np.linalg.norm(jf))))
        points.append(FixedPoint(x=xs[i].copy(), eigenvalues=ev, type=typ, stable=stable, residual=float(res[i])))
    return FixedPoints(points=tuple(points), **common)
