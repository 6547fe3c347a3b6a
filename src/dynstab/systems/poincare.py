r"""Poincaré sections of flows and the Poincaré (first-return) map as a `Map`.

`PoincareMap` is a `Map` subclass: its law ``rhs(y, p, n)`` integrates the underlying flow with
the fixed-step Runge-Kutta step of `dynstab.simulate.steppers.rk_step` up to the next crossing,
so every map algorithm (trajectories, `lyapunov_spectrum`, `fixed_points`, `periodic_orbits`)
applies to it unchanged through the system protocol, and forward-mode autodiff (``jax.jacfwd``,
which goes through ``lax.while_loop``) gives its Jacobian (as DynamicalSystems.jl's derived
systems compose with its algorithms: Datseris, J. Open Source Softw. 3, 598 (2018); Datseris &
Parlitz, *Nonlinear Dynamics*, Springer 2022, ch. 4.2). `poincare_section` records the crossings
of one orbit (or a batch) with the same kernels.

Poincaré section
----------------
The section is the hyperplane :math:`\Sigma = \{x : n \cdot x = c\}`, given as ``(index, value)``
(``x[index] = value``; the index may be a variable name) or as ``(normal, offset)``. With
:math:`s(x) = n \cdot x - c`, a crossing in direction ``+1`` is a step :math:`x_k \to x_{k+1}` with
:math:`s(x_k) < 0 \le s(x_{k+1})` (``-1``: the reverse; ``0``: either). The crossing is then
located by Hénon's trick (M. Hénon, Physica D 5, 412 (1982)): one step of the same RK method
from :math:`x_k` with :math:`s` as the independent variable,

.. math::

    \frac{dx}{ds} = \frac{f(x, t)}{n \cdot f(x, t)}, \qquad \frac{dt}{ds} = \frac{1}{n \cdot f(x, t)},
    \qquad \Delta s = -s(x_k),

which lands on the plane up to round-off (RK methods keep the linear invariant
:math:`n\cdot x - s` exactly) with the local error of the integrator, :math:`O(h^{p+1})`, and gives
the crossing time :math:`t_c`. The same two functions (`_advance`, `_locate`) serve `PoincareMap`
and `poincare_section`. The crossing search is a ``lax.while_loop`` that stops at the crossing
(or after ``max_time``), not a fixed number of steps.

Coordinates and Lyapunov exponents of the Poincaré map
------------------------------------------------------
The map acts on the :math:`d-1` *section coordinates*: the state without the coordinate
:math:`x_k` where :math:`|n_k|` is largest, which is recovered from the plane equation
(:math:`x_k = (c - \sum_{j\ne k} n_j x_j)/n_k`). For a plane ``(index, value)`` these are simply
the other variables. A map on the full :math:`d`-dimensional state would have a spurious zero
multiplier along the flow direction (its Lyapunov spectrum a spurious :math:`-\infty`); on the
section coordinates the map is the genuine return map, so its Lyapunov exponents are the
non-zero exponents of the flow times the mean return time,
:math:`\lambda_i^{\rm map} = \lambda_i^{\rm flow}\, \langle\tau\rangle`, for the orbits that cross
the plane (the flow's zero exponent is the one that disappears). Fixed points and periodic
orbits of the map are periodic orbits of the flow; their multipliers are the flow's
non-trivial Floquet multipliers. Precision limit: the Jacobian of one return is a product over
the whole return, so a direction contracted by more than about :math:`10^{-12}` per return (Rössler:
:math:`e^{-22}`) is resolved only in sign and rough size; the largest exponents are accurate
(the flow's own Benettin QR, `lyapunov_spectrum` on the flow, resolves every exponent).

A plane that is not crossed within ``max_time`` makes the law return NaN; the Python-side
methods (`PoincareMap.next`, `PoincareMap.return_time`, `poincare_section`) raise
`PoincareSectionError` instead, after a bounded number of steps, never a hang.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..simulate.steppers import FIXED_STEP_METHODS, fixed_step, rk_step
from ..validation import InvalidTypeError, as_finite_array, as_float, as_int
from .base import Flow, Map, System, as_state

__all__ = ["PoincareMap", "PoincareSection", "PoincareSectionError", "poincare_section"]

#: Default ``max_time`` in steps: a plane not crossed within this many steps of ``dt`` is an error.
_DEFAULT_MAX_STEPS = 100_000


class PoincareSectionError(RuntimeError):
    """The orbit did not cross the Poincaré plane (in the requested direction) within ``max_time``."""


# --- the plane --------------------------------------------------------------------------------
class _Plane(NamedTuple):
    """A validated section request: the plane n . x = offset, direction, step and time limit."""

    normal: tuple[float, ...]
    offset: float
    text: str
    direction: int
    h: float
    max_time: float

    @property
    def drop(self) -> int:
        """Index of the coordinate solved for on the plane (largest normal component)."""
        return int(np.argmax(np.abs(self.normal)))

    @property
    def max_steps(self) -> int:
        """``max_time`` in steps of ``h``."""
        return int(math.ceil(self.max_time / self.h))


def _plane(
    flow: Any, plane: Any, direction: Any, dt: float | None, max_time: float | None, method: str, what: str
) -> tuple[Flow, _Plane]:
    """Check the arguments shared by `PoincareMap` and `poincare_section` (``what`` names the caller)."""
    flow = _check_flow(flow, what)
    normal, offset, text = _parse_plane(plane, flow)
    direction = _check_direction(direction)
    h = fixed_step(flow, method, dt)  # checks the method and the step
    max_time = as_float(
        _DEFAULT_MAX_STEPS * h if max_time is None else max_time, name="max_time", minimum=h, inclusive="neither"
    )  # longer than one step dt
    return flow, _Plane(normal, offset, text, direction, h, max_time)


def _parse_plane(plane: Any, flow: System) -> tuple[tuple[float, ...], float, str]:
    """(normal, offset, description) from ``(index or name, value)`` or ``(normal vector, offset)``."""
    d = flow.dim
    msg = (
        "plane must be (index, value) for x[index] = value (the index may be a variable name), or "
        f"(normal, offset) for the hyperplane normal . x = offset with a normal of length {d}; got {plane!r}"
    )
    if not isinstance(plane, (tuple, list)) or len(plane) != 2:
        raise ValueError(msg)
    first, value = plane
    value = as_float(value, name="the plane's value/offset")
    if isinstance(first, str) or (isinstance(first, (int, np.integer)) and not isinstance(first, bool)):
        if isinstance(first, str):
            if first not in flow.names:
                raise ValueError(
                    f"plane variable {first!r} is not a variable of {flow.name}; variables: {list(flow.names)}"
                )
            index = flow.names.index(first)
        else:
            index = int(first)
            if not -d <= index < d:
                raise ValueError(f"plane index {index} is out of range for the {d}-dimensional {flow.name}")
            index %= d
        normal = tuple(1.0 if i == index else 0.0 for i in range(d))
        return normal, value, f"{flow.names[index]} = {value:g}"
    try:
        arr = as_finite_array(first, name="the plane's normal")
    except InvalidTypeError as exc:
        raise InvalidTypeError(msg) from exc
    if arr.shape != (d,):
        raise ValueError(msg)
    if not np.any(arr != 0):
        raise ValueError(f"the plane's normal must be finite and non-zero, got {arr}")
    terms = " + ".join(f"{v:g}*{n}" for v, n in zip(arr, flow.names) if v != 0)
    return tuple(float(v) for v in arr), value, f"{terms} = {value:g}"


def _check_direction(direction: Any) -> int:
    if direction not in (1, -1, 0) or isinstance(direction, bool):
        raise ValueError(
            f"direction must be +1 (n.x increasing through the plane), -1 (decreasing) or 0 (both), got {direction!r}"
        )
    return int(direction)


def _check_flow(flow: Any, what: str) -> Flow:
    if not isinstance(flow, Flow):
        kind = getattr(flow, "kind", type(flow).__name__)
        raise TypeError(
            f"{what} needs a dynstab Flow (an ODE), got {kind!r}"
            + (
                "; for a delay equation integrate it with trajectory() and section the samples"
                if kind == "delay"
                else ""
            )
        )
    return flow


def _no_crossing_message(
    name: str, plane_text: str, direction: int, max_time: float, lo: float, hi: float, x0: Any
) -> str:
    arrow = {1: "upward", -1: "downward", 0: ""}[direction]
    state = np.array2string(np.asarray(x0), precision=6)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return (
            f"{name}: the orbit from {state} left the finite numbers before crossing the plane {plane_text}; "
            "check the initial condition, parameters and dt"
        )
    return (
        f"{name}: the orbit from {state} did not cross the plane {plane_text} {arrow} within max_time = "
        f"{max_time:g} (n.x - offset stayed in [{lo:.6g}, {hi:.6g}]); choose a plane the orbit crosses, the "
        "other direction, or a larger max_time"
    )


# --- the shared crossing kernels -----------------------------------------------------------------
def _advance(method: str, f: Callable, x, t, h, normal, offset):
    """One RK step; returns the new state, time and signed distance s = n . x - c."""
    x1 = rk_step(FIXED_STEP_METHODS[method], f, x, t, h)
    return x1, t + h, jnp.dot(normal, x1) - offset


def _crossed(s0, s1, direction: int):
    """Whether the step s0 -> s1 crosses s = 0 in ``direction`` (+1 up, -1 down, 0 either)."""
    up = (s0 < 0) & (s1 >= 0)
    down = (s0 > 0) & (s1 <= 0)
    return up if direction > 0 else (down if direction < 0 else up | down)


def _locate(method: str, f: Callable, x, t, s, normal):
    """Hénon's step: integrate (x, t) in the plane variable s from s to 0 with the RK method."""

    def F(state, _s):
        xx, tt = state
        fx = f(xx, tt)
        inv = 1.0 / jnp.dot(normal, fx)
        return fx * inv, inv

    return rk_step(FIXED_STEP_METHODS[method], F, (x, t), 0.0, -s)


def _next_crossing(method, f, x0, t0, h, normal, offset, direction, max_steps, skip_first):
    """March from (x0, t0) to the next crossing; returns (x_c, t_c, found, s_min, s_max).

    ``skip_first`` ignores a crossing in the very first step (the start lies on the plane).
    """
    s_start = jnp.dot(normal, x0) - offset

    def cond(c):
        x, _, k, found, *_ = c
        return ~found & (k < max_steps) & jnp.all(jnp.isfinite(x))

    def body(c):
        x, t, k, _, s, _, _, _, lo, hi = c
        x1, t1, s1 = _advance(method, f, x, t, h, normal, offset)
        hit = _crossed(s, s1, direction)
        if skip_first:
            hit = hit & (k >= 1)
        return x1, t1, k + 1, hit, s1, x, t, s, jnp.minimum(lo, s1), jnp.maximum(hi, s1)

    init = (x0, t0, 0, False, s_start, x0, t0, s_start, s_start, s_start)
    _, _, _, found, _, xp, tp, sp, lo, hi = jax.lax.while_loop(cond, body, init)
    xc, tc = _locate(method, f, xp, tp, sp, normal)
    return xc, tc, found, lo, hi


# --- the Poincaré map ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _PoincareLaw:
    """The Poincaré map's law on the section coordinates (hashable, so compiled kernels are reused)."""

    flow_rhs: Callable
    normal: tuple[float, ...]
    offset: float
    direction: int
    h: float
    max_steps: int
    drop: int
    method: str

    def full(self, y):
        """Section coordinates -> full state on the plane."""
        n = jnp.asarray(self.normal)
        others = jnp.asarray([i for i in range(len(self.normal)) if i != self.drop], dtype=jnp.int32)
        xk = (self.offset - jnp.dot(n[others], y)) / self.normal[self.drop]
        return jnp.insert(y, self.drop, xk)

    def chart(self, x):
        """Full state -> section coordinates."""
        return jnp.delete(x, self.drop, assume_unique_indices=True)

    def crossing(self, y, p):
        """(full crossing state, return time, found, s range) from section coordinates y."""
        f = lambda x, t: self.flow_rhs(x, p, t)  # noqa: E731
        x0 = self.full(y)
        t0 = jnp.zeros((), dtype=x0.dtype)
        return _next_crossing(
            self.method, f, x0, t0, self.h, jnp.asarray(self.normal), self.offset, self.direction, self.max_steps, True
        )

    def __call__(self, y, p, n):
        xc, _, found, _, _ = self.crossing(y, p)
        return jnp.where(found, self.chart(xc), jnp.nan)


@dataclass(frozen=True)
class _JacFwd:
    """Jacobian of a law by forward-mode autodiff (works through lax.while_loop)."""

    law: Callable
    autodiff: ClassVar[bool] = True  # not hand-written: cheaper differentiated through a composite law at once

    def __call__(self, x, p, t):
        return jax.jacfwd(self.law)(x, p, t)


@partial(jax.jit, static_argnames=("law",))
def _poincare_next(law: _PoincareLaw, ys, p):
    def one(y):
        xc, tc, found, lo, hi = law.crossing(y, p)
        return law.chart(xc), tc, found, lo, hi

    return jax.vmap(one)(ys)


class PoincareMap(Map):
    """The Poincaré (first-return) map of an autonomous flow on a hyperplane, as a `Map`.

    One iteration integrates the flow with fixed steps ``dt`` of ``method`` from the section
    point until the next crossing (at most ``max_time``), located to the integrator's accuracy
    by Hénon's trick (see `dynstab.systems.poincare`). The state is the d-1 section
    coordinates (``names``); `to_full` / `to_section` convert. Parameters are the flow's
    (``with_params`` works). The law returns NaN where the plane is not crossed in time;
    `next` and `return_time` raise `PoincareSectionError` there.

    Parameters
    ----------
    flow : Flow
        An autonomous flow (not flagged "forced") of dimension >= 2.
    plane : tuple
        ``(index or name, value)`` for ``x[index] = value``, or ``(normal, offset)`` for the
        hyperplane ``normal . x = offset`` (``normal`` of length d, non-zero).
    direction : {1, -1, 0}
        +1 counts crossings with ``n . x`` increasing, -1 decreasing, 0 both.
    dt : float, optional
        Integration step; default ``flow.dt``.
    max_time : float, optional
        Longest time searched for the next crossing; default ``100000 * dt``.
    method : str
        Fixed-step Runge-Kutta method: ``"rk4"`` (default), ``"rk8"`` or ``"euler"``.

    Attributes
    ----------
    base : Flow
        The flow as given (`flow` is the flow with this map's current parameters).
    normal, offset : tuple of float, float
        The plane ``normal . x = offset``; ``plane_text`` says it in words.
    drop : int
        Index of the flow variable solved for on the plane (not a section coordinate).
    h, max_time : float
        Integration step and the longest time searched for a crossing.

    Raises
    ------
    TypeError
        If ``flow`` is not a `Flow`.
    ValueError
        For a forced or one-dimensional flow, a bad plane, direction, method, ``dt`` or ``max_time``.

    References
    ----------
    H. Poincaré, Les méthodes nouvelles de la mécanique céleste (1892); M. Hénon, Physica D 5,
    412 (1982); Datseris & Parlitz, Nonlinear Dynamics (Springer 2022), sec. 4.2.

    Examples
    --------
    >>> pm = PoincareMap(dynstab.systems.get("rossler"), ("x", 0.0))  # doctest: +SKIP
    >>> pm.names  # doctest: +SKIP
    ('y', 'z')
    """

    base: Flow = eqx.field(kw_only=True)
    normal: tuple[float, ...] = eqx.field(static=True, default=())
    offset: float = eqx.field(static=True, default=0.0)
    direction: int = eqx.field(static=True, default=1)
    h: float = eqx.field(static=True, default=0.01)
    max_time: float = eqx.field(static=True, default=1000.0)
    drop: int = eqx.field(static=True, default=0)
    plane_text: str = eqx.field(static=True, default="")

    @float64
    def __init__(
        self,
        flow: Flow,
        plane: Any,
        direction: int = 1,
        dt: float | None = None,
        max_time: float | None = None,
        method: str = "rk4",
    ):
        flow = _check_flow(flow, "PoincareMap")
        if "forced" in flow.flags:
            raise ValueError(
                f"{flow.name} is forced (its law depends on t): a Poincaré map needs an autonomous flow; "
                "use StroboscopicMap for a forced flow, or poincare_section, which tracks time"
            )
        if flow.dim < 2:
            raise ValueError(
                f"a Poincaré section needs a flow of dimension >= 2; {flow.name} is {flow.dim}-dimensional"
            )
        flow, pl = _plane(flow, plane, direction, dt, max_time, method, "PoincareMap")
        drop = pl.drop
        law = _PoincareLaw(flow.rhs, pl.normal, pl.offset, pl.direction, pl.h, pl.max_steps, drop, method)
        self.base = flow
        self.normal, self.offset, self.direction, self.h, self.max_time, self.drop = (
            pl.normal,
            pl.offset,
            pl.direction,
            pl.h,
            pl.max_time,
            drop,
        )
        self.plane_text = pl.text
        self.rhs = law
        self.jac = _JacFwd(law)
        self.params = flow.params
        self.x0 = jnp.asarray(np.delete(np.asarray(flow.x0), drop))
        self.names = tuple(n for i, n in enumerate(flow.names) if i != drop)
        arrow = {1: "upward", -1: "downward", 0: "both directions"}[pl.direction]
        self.name = f"{flow.name} Poincaré map ({pl.text}, {arrow})"
        self.reference = flow.reference
        self.dt = 1.0
        self.description = (
            f"First-return map of {flow.name} on the plane {pl.text} ({arrow} crossings), on the "
            f"section coordinates {self.names}"
        )
        self.aliases = ()
        unb = tuple(i - (i > drop) for i in flow.unbounded if i != drop)
        self.flags = frozenset({"unbounded"} if unb else ())
        self.unbounded = unb

    # --- conveniences -------------------------------------------------------------------------
    @property
    def nan_hint(self) -> str:
        """Said by `trajectory` when an iteration is not finite: the usual cause for this map."""
        return (
            f"A PoincareMap is NaN where the orbit does not cross {self.plane_text or 'its plane'} within "
            f"max_time={self.max_time:g}: check the plane, the direction and the initial condition."
        )

    @property
    def _law(self) -> _PoincareLaw:
        law = self.rhs  # the map's law, with its chart (full / chart) and the crossing search
        assert isinstance(law, _PoincareLaw)
        return law

    @property
    def flow(self) -> Flow:
        """The underlying flow, with this map's current parameters."""
        return eqx.tree_at(lambda s: s.params, self.base, self.params)

    @property
    def plane(self) -> tuple[np.ndarray, float]:
        """(normal, offset) of the section n . x = offset."""
        return np.asarray(self.normal), self.offset

    @float64
    def to_full(self, y: Any) -> np.ndarray:
        """Full states on the plane from section coordinates.

        Parameters
        ----------
        y : array_like, shape (d-1,) or (B, d-1)
            Section coordinates.

        Returns
        -------
        numpy.ndarray, shape (d,) or (B, d)
            The states on the plane (the dropped coordinate solved from the plane equation).
        """
        y = as_state(y, self.dim, what="y")
        out = jax.vmap(self._law.full)(jnp.atleast_2d(jnp.asarray(y)))
        return np.asarray(out if y.ndim == 2 else out[0])

    @float64
    def to_section(self, x: Any) -> np.ndarray:
        """Section coordinates of full states (drops the solved-for coordinate).

        A state off the plane is moved onto it along that coordinate's axis.

        Parameters
        ----------
        x : array_like, shape (d,) or (B, d)
            Full states of the flow.

        Returns
        -------
        numpy.ndarray, shape (d-1,) or (B, d-1)
        """
        x = as_state(x, self.dim + 1, what="x")
        return np.delete(x, self.drop, axis=-1)

    @float64
    def next(self, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """The next section point and the return time.

        Parameters
        ----------
        y : array_like, shape (d-1,) or (B, d-1)
            Section coordinates (one point or a batch, run as one vmapped call).

        Returns
        -------
        y_next : numpy.ndarray, shape (d-1,) or (B, d-1)
            Section coordinates of the next crossing.
        tau : numpy.ndarray, shape () or (B,)
            Return times.

        Raises
        ------
        PoincareSectionError
            If some orbit does not cross the plane within ``max_time``.
        """
        y = as_state(y, self.dim, what="y")
        ys = np.atleast_2d(y)
        yn, tc, found, lo, hi = (np.asarray(a) for a in _poincare_next(self._law, jnp.asarray(ys), self.params))
        if not np.all(found):
            i = int(np.argmin(found))
            raise PoincareSectionError(
                _no_crossing_message(
                    self.flow.name,
                    self.plane_text,
                    self.direction,
                    self.max_time,
                    float(lo[i]),
                    float(hi[i]),
                    self.to_full(ys[i]),
                )
            )
        return (yn, tc) if y.ndim == 2 else (yn[0], tc[0])

    @float64
    def return_time(self, y: Any) -> float | np.ndarray:
        """Time from a section point to its next crossing.

        Parameters
        ----------
        y : array_like, shape (d-1,) or (B, d-1)
            Section coordinates.

        Returns
        -------
        float or numpy.ndarray, shape (B,)

        Raises
        ------
        PoincareSectionError
            If some orbit does not cross the plane within ``max_time``.
        """
        _, tc = self.next(y)
        return tc if np.ndim(tc) else float(tc)


# --- Poincaré section of an orbit -----------------------------------------------------------------------
@dataclass(frozen=True)
class PoincareSection:
    """The crossings of an orbit (or of several orbits) with a plane, returned by `poincare_section`.

    Parameters
    ----------
    points : numpy.ndarray, shape (n, d) or (B, n, d)
        Full states on the plane, one row per crossing (a leading member axis for a batch).
    times : numpy.ndarray, shape (n,) or (B, n)
        Crossing times.
    system : System
        The flow.
    normal : numpy.ndarray, shape (d,)
        Normal of the plane ``normal . x = offset``.
    offset : float
        Offset of the plane.
    direction : int
        +1, -1 or 0 (see `poincare_section`).
    drop : int
        Index of the coordinate solved for on the plane (left out of `section`).
    plane_text : str
        The plane in words, e.g. ``"z = 27"``.
    settings : dict
        Integration settings (``dt``, ``method``, ``transient``, ``max_time``, ``t0``).
    """

    points: np.ndarray
    times: np.ndarray
    system: System
    normal: np.ndarray
    offset: float
    direction: int
    drop: int
    plane_text: str = ""
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def section(self) -> np.ndarray:
        """The section coordinates: `points` without the coordinate ``drop``."""
        return np.delete(self.points, self.drop, axis=-1)

    @property
    def section_names(self) -> tuple[str, ...]:
        """Names of the section coordinates."""
        return tuple(n for i, n in enumerate(self.system.names) if i != self.drop)

    @property
    def return_times(self) -> np.ndarray:
        """Differences of successive crossing times."""
        return np.diff(self.times, axis=-1)

    @property
    def mean_return_time(self) -> float:
        """Mean of `return_times` (NaN with fewer than two crossings)."""
        return float(np.mean(self.return_times)) if self.times.shape[-1] > 1 else math.nan

    def __len__(self) -> int:
        return self.times.shape[-1]

    def to_xarray(self):
        """An ``xarray.Dataset``: ``x`` over (member,) crossing and variable, ``time``, and the settings as attributes.

        Returns
        -------
        xarray.Dataset
        """
        import xarray as xr

        batch = self.points.ndim == 3
        dims = ("member", "crossing", "variable") if batch else ("crossing", "variable")
        coords = {"crossing": np.arange(self.times.shape[-1]), "variable": list(self.system.names)}
        if batch:
            coords["member"] = np.arange(self.points.shape[0])
        return xr.Dataset(
            {"x": (dims, self.points), "time": (dims[:-1], self.times)},
            coords=coords,
            attrs={
                "system": self.system.name,
                "plane": self.plane_text,
                "direction": self.direction,
                **{k: v for k, v in self.settings.items() if isinstance(v, (int, float, str))},
            },
        )

    def plot(self, ax=None, **kwargs):
        """Scatter of the first two section coordinates (the return map y[n] -> y[n+1] if only one).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw into this axes instead of a new figure.
        **kwargs
            Passed to ``ax.scatter`` (default: small black dots).

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 4.2)) if ax is None else (ax.figure, ax)
        sec = self.section.reshape(-1, self.section.shape[-1]) if self.points.ndim == 3 else self.section
        names = self.section_names
        style = dict(s=2, lw=0, color="k") | kwargs
        if sec.shape[1] >= 2:
            ax.scatter(sec[:, 0], sec[:, 1], **style)
            ax.set_xlabel(names[0])
            ax.set_ylabel(names[1])
        else:
            ax.scatter(sec[:-1, 0], sec[1:, 0], **style)
            ax.set_xlabel(f"{names[0]}[n]")
            ax.set_ylabel(f"{names[0]}[n+1]")
        ax.set_title(f"{self.system.name}: section {self.plane_text}")
        if fig.get_layout_engine() is None:  # a caller's constrained layout stays
            fig.tight_layout()
        return fig

    def __repr__(self) -> str:
        return (
            f"PoincareSection({self.system.name!r}, {self.plane_text}, {self.times.shape[-1]} crossings, "
            f"mean return time {self.mean_return_time:.6g})"
        )


_OK, _NO_CROSSING, _DIVERGED = 0, 1, 2


@partial(jax.jit, static_argnames=("law", "method", "n", "direction", "n_transient", "max_gap"))
def _section_kernel(law, method, n, direction, n_transient, max_gap, x0s, p, t0, h, normal, offset):
    f = lambda x, t: law(x, p, t)  # noqa: E731
    d = x0s.shape[1]

    def one(x0):
        s0 = jnp.dot(normal, x0) - offset

        def cond(c):
            x, _, k, count, _, _, last, _, _, _ = c
            return (count < n) & (k - last <= max_gap) & jnp.all(jnp.isfinite(x))

        def body(c):
            x, t, k, count, s, bx, last, bt, lo, hi = c
            x1, t1, s1 = _advance(method, f, x, t, h, normal, offset)
            hit = _crossed(s, s1, direction) & (k >= n_transient)

            def record(args):
                bx, bt, count = args
                xc, tc = _locate(method, f, x, t, s, normal)
                return bx.at[count].set(xc), bt.at[count].set(tc), count + 1

            bx, bt, count = jax.lax.cond(hit, record, lambda a: a, (bx, bt, count))
            last = jnp.where(hit | (k < n_transient), k + 1, last)
            active = k >= n_transient
            lo = jnp.where(active, jnp.minimum(lo, s1), lo)
            hi = jnp.where(active, jnp.maximum(hi, s1), hi)
            return x1, t1, k + 1, count, s1, bx, last, bt, lo, hi

        init = (x0, t0, 0, 0, s0, jnp.full((n, d), jnp.nan), 0, jnp.full((n,), jnp.nan), jnp.inf, -jnp.inf)
        x, _, _, count, _, bx, _, bt, lo, hi = jax.lax.while_loop(cond, body, init)
        status = jnp.where(count >= n, _OK, jnp.where(jnp.all(jnp.isfinite(x)), _NO_CROSSING, _DIVERGED))
        return bx, bt, status, lo, hi

    return jax.vmap(one)(x0s)


@float64
def poincare_section(
    flow: Flow,
    plane: Any,
    n: int,
    x0: Any = None,
    *,
    transient: float = 0.0,
    direction: int = 1,
    dt: float | None = None,
    max_time: float | None = None,
    method: str = "rk4",
    t0: float = 0.0,
) -> PoincareSection:
    """The first ``n`` crossings of an orbit of ``flow`` with ``plane`` after a ``transient``.

    The orbit is integrated by fixed ``method`` steps ``dt`` in one compiled ``lax.while_loop``
    that stops at the n-th crossing; each crossing is located by Hénon's step (M. Hénon,
    Physica D 5, 412 (1982); shared with `PoincareMap`), so it lies on the plane to round-off
    with the integrator's local error. Forced flows are fine (time is tracked from ``t0``).

    Parameters
    ----------
    flow : Flow
        The flow (autonomous or forced).
    plane : tuple
        ``(index or name, value)`` for ``x[index] = value``, or ``(normal, offset)`` for the
        hyperplane ``normal . x = offset``.
    n : int
        Number of crossings to record (>= 1).
    x0 : array_like, shape (d,) or (B, d), optional
        Initial condition (default ``flow.x0``); a batch runs as one vmapped call.
    transient : float
        Time integrated before crossings are recorded.
    direction : {1, -1, 0}
        +1 keeps crossings with ``n . x`` increasing, -1 decreasing, 0 both.
    dt : float, optional
        Integration step; default ``flow.dt``.
    max_time : float, optional
        Longest time without a crossing (default ``100000 * dt``).
    method : str
        Fixed-step Runge-Kutta method: ``"rk4"`` (default), ``"rk8"`` or ``"euler"``.
    t0 : float
        Initial time (the forcing phase of a forced flow).

    Returns
    -------
    PoincareSection
        Points of shape (n, d) (or (B, n, d)) and crossing times.

    Raises
    ------
    PoincareSectionError
        If more than ``max_time`` passes without a crossing (or before the first one after the
        transient), naming the range of ``n . x - offset`` the orbit visited, or if the orbit
        leaves the finite numbers.
    TypeError
        If ``flow`` is not a `Flow`.
    ValueError
        For a bad plane, direction, ``n``, ``dt``, ``transient``, ``max_time``, ``t0`` or ``x0``.
    """
    flow, pl = _plane(flow, plane, direction, dt, max_time, method, "poincare_section")
    n = as_int(n, name="n (the number of crossings)")
    if n < 1:
        raise ValueError(f"n (the number of crossings) must be a positive integer, got {n!r}")
    h = pl.h
    transient = as_float(transient, name="transient", minimum=0.0)
    t0 = as_float(t0, name="t0")
    xs = as_state(flow.x0 if x0 is None else x0, flow.dim)
    batch = xs.ndim == 2
    xs2 = np.atleast_2d(xs)
    n_tr = int(math.ceil(transient / h - 1e-9))
    bx, bt, status, lo, hi = (
        np.asarray(a)
        for a in _section_kernel(
            flow.rhs,
            method,
            int(n),
            pl.direction,
            n_tr,
            pl.max_steps,
            jnp.asarray(xs2),
            flow.params,
            jnp.asarray(float(t0)),
            h,
            jnp.asarray(pl.normal),
            pl.offset,
        )
    )
    bad = np.flatnonzero(status != _OK)
    if bad.size:
        i = int(bad[0])
        found = int(np.sum(np.isfinite(bt[i])))
        head = f"member {i}: " if batch else ""
        msg = _no_crossing_message(flow.name, pl.text, pl.direction, pl.max_time, float(lo[i]), float(hi[i]), xs2[i])
        if status[i] == _DIVERGED:
            msg = (
                f"{flow.name}: {head}the orbit from {np.array2string(xs2[i], precision=6)} left the finite numbers "
                f"after {found} of {n} crossings; check the initial condition, parameters and dt"
            )
        elif found:
            msg = f"{head}found {found} of {n} crossings, then " + msg
        raise PoincareSectionError(msg)
    settings = {"dt": h, "method": method, "transient": n_tr * h, "max_time": pl.max_time, "t0": float(t0)}
    return PoincareSection(
        points=bx if batch else bx[0],
        times=bt if batch else bt[0],
        system=flow,
        normal=np.asarray(pl.normal),
        offset=pl.offset,
        direction=pl.direction,
        drop=pl.drop,
        plane_text=pl.text,
        settings=settings,
    )
