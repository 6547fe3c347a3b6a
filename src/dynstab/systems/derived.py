r"""Derived systems that are themselves systems: Poincaré maps, stroboscopic maps, observed systems.

`PoincareMap` and `StroboscopicMap` are `Map` subclasses: their law ``rhs(y, p, n)`` integrates the
underlying flow with the fixed-step Runge-Kutta step of `dynstab.simulate.steppers.rk_step`, so
every map algorithm (trajectories, `lyapunov_spectrum`, `fixed_points`, `periodic_orbits`) applies
to them unchanged through the system protocol, and forward-mode autodiff (``jax.jacfwd``, which
goes through ``lax.while_loop``) gives their Jacobians (as DynamicalSystems.jl's derived systems
compose with its algorithms: Datseris, J. Open Source Softw. 3, 598 (2018); Datseris & Parlitz,
*Nonlinear Dynamics*, Springer 2022, ch. 4.2).

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
and `poincare_section`.

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
from typing import Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..simulate.steppers import FIXED_STEP_METHODS, rk_step
from .base import Flow, Map, System, as_state

__all__ = ["PoincareMap", "StroboscopicMap", "ProjectedSystem", "PoincareSection", "PoincareSectionError",
           "poincare_section", "FORCING_PARAMETERS"]

#: Parameter names read as the angular frequency of the forcing, period 2 pi / value (catalog: duffing
#: ``omega``, driven_pendulum ``Omega``).
FORCING_PARAMETERS = ("omega", "Omega", "w", "forcing_frequency")

_DEFAULT_MAX_STEPS = 100_000


class PoincareSectionError(RuntimeError):
    """The orbit did not cross the Poincaré plane (in the requested direction) within ``max_time``."""


# --- the plane --------------------------------------------------------------------------------
def _parse_plane(plane: Any, flow: System) -> tuple[tuple[float, ...], float, str]:
    """(normal, offset, description) from ``(index or name, value)`` or ``(normal vector, offset)``."""
    d = flow.dim
    msg = ("plane must be (index, value) for x[index] = value (the index may be a variable name), or "
           f"(normal, offset) for the hyperplane normal . x = offset with a normal of length {d}; got {plane!r}")
    if not isinstance(plane, (tuple, list)) or len(plane) != 2:
        raise ValueError(msg)
    first, value = plane
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(msg) from exc
    if not math.isfinite(value):
        raise ValueError(f"the plane's value/offset must be finite, got {value}")
    if isinstance(first, str) or isinstance(first, (int, np.integer)) and not isinstance(first, bool):
        if isinstance(first, str):
            if first not in flow.names:
                raise ValueError(f"plane variable {first!r} is not a variable of {flow.name}; variables: "
                                 f"{list(flow.names)}")
            index = flow.names.index(first)
        else:
            index = int(first)
            if not -d <= index < d:
                raise ValueError(f"plane index {index} is out of range for the {d}-dimensional {flow.name}")
            index %= d
        normal = tuple(1.0 if i == index else 0.0 for i in range(d))
        return normal, value, f"{flow.names[index]} = {value:g}"
    try:
        arr = np.asarray(first, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(msg) from exc
    if arr.shape != (d,):
        raise ValueError(msg)
    if not np.all(np.isfinite(arr)) or not np.any(arr != 0):
        raise ValueError(f"the plane's normal must be finite and non-zero, got {arr}")
    terms = " + ".join(f"{v:g}*{n}" for v, n in zip(arr, flow.names) if v != 0)
    return tuple(float(v) for v in arr), value, f"{terms} = {value:g}"


def _check_direction(direction: Any) -> int:
    if direction not in (1, -1, 0) or isinstance(direction, bool):
        raise ValueError(f"direction must be +1 (n.x increasing through the plane), -1 (decreasing) or 0 (both), "
                         f"got {direction!r}")
    return int(direction)


def _check_method(method: str) -> str:
    if method not in FIXED_STEP_METHODS:
        raise ValueError(f"method must be one of {sorted(FIXED_STEP_METHODS)}, got {method!r}")
    return method


def _check_flow(flow: Any, what: str) -> Flow:
    if not isinstance(flow, Flow):
        kind = getattr(flow, "kind", type(flow).__name__)
        raise TypeError(f"{what} needs a dynstab Flow (an ODE), got {kind!r}"
                        + ("; for a delay equation integrate it with trajectory() and section the samples"
                           if kind == "delay" else ""))
    return flow


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
        return jnp.delete(x, self.drop, assume_unique_indices=True)

    def crossing(self, y, p):
        """(full crossing state, return time, found, s range) from section coordinates y."""
        f = lambda x, t: self.flow_rhs(x, p, t)  # noqa: E731
        x0 = self.full(y)
        t0 = jnp.zeros((), dtype=x0.dtype)
        return _next_crossing(self.method, f, x0, t0, self.h, jnp.asarray(self.normal), self.offset,
                              self.direction, self.max_steps, True)

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

    ``PoincareMap(flow, plane, direction=+1, dt=None, max_time=None, method="rk4")``: ``plane`` is
    ``(index or name, value)`` or ``(normal, offset)``; ``direction`` +1 counts crossings with
    n . x increasing, -1 decreasing, 0 both. One iteration integrates the flow with fixed steps
    ``dt`` (default ``flow.dt``) of ``method`` from the section point until the next crossing
    (at most ``max_time``, default ``100000 * dt``), located to the integrator's accuracy by
    Hénon's trick (see the module docstring). The state is the d-1 section coordinates
    (``names``); `to_full` / `to_section` convert. Parameters are the flow's
    (``with_params`` works). The law returns NaN where the plane is not crossed in time;
    `next` and `return_time` raise `PoincareSectionError` there.

    Reference: H. Poincaré, Les méthodes nouvelles de la mécanique céleste (1892); M. Hénon,
    Physica D 5, 412 (1982); Datseris & Parlitz, Nonlinear Dynamics (Springer 2022), sec. 4.2.
    """

    base: Flow = None
    normal: tuple[float, ...] = eqx.field(static=True, default=())
    offset: float = eqx.field(static=True, default=0.0)
    direction: int = eqx.field(static=True, default=1)
    h: float = eqx.field(static=True, default=0.01)
    max_time: float = eqx.field(static=True, default=1000.0)
    drop: int = eqx.field(static=True, default=0)
    plane_text: str = eqx.field(static=True, default="")

    @property
    def nan_hint(self) -> str:
        """Said by `trajectory` when an iteration is not finite: the usual cause for this map."""
        return (f"A PoincareMap is NaN where the orbit does not cross {self.plane_text or 'its plane'} within "
                f"max_time={self.max_time:g}: check the plane, the direction and the initial condition.")

    def __init__(self, flow: Flow, plane: Any, direction: int = 1, dt: float | None = None,
                 max_time: float | None = None, method: str = "rk4"):
        flow = _check_flow(flow, "PoincareMap")
        if "forced" in flow.flags:
            raise ValueError(f"{flow.name} is forced (its law depends on t): a Poincaré map needs an autonomous flow; "
                             "use StroboscopicMap for a forced flow, or poincare_section, which tracks time")
        if flow.dim < 2:
            raise ValueError(f"a Poincaré section needs a flow of dimension >= 2; {flow.name} is {flow.dim}-dimensional")
        normal, offset, text = _parse_plane(plane, flow)
        direction = _check_direction(direction)
        method = _check_method(method)
        h = float(flow.dt if dt is None else dt)
        if not (math.isfinite(h) and h > 0):
            raise ValueError(f"dt must be a positive number, got {dt!r}")
        max_time = float(_DEFAULT_MAX_STEPS * h if max_time is None else max_time)
        if not (math.isfinite(max_time) and max_time > h):
            raise ValueError(f"max_time must be a finite number larger than dt = {h:g}, got {max_time!r}")
        drop = int(np.argmax(np.abs(normal)))
        law = _PoincareLaw(flow.rhs, normal, offset, direction, h, int(math.ceil(max_time / h)), drop, method)
        self.base = flow
        self.normal, self.offset, self.direction, self.h, self.max_time, self.drop = \
            normal, offset, direction, h, max_time, drop
        self.plane_text = text
        self.rhs = law
        self.jac = _JacFwd(law)
        self.params = flow.params
        self.x0 = jnp.asarray(np.delete(np.asarray(flow.x0), drop))
        self.names = tuple(n for i, n in enumerate(flow.names) if i != drop)
        arrow = {1: "upward", -1: "downward", 0: "both directions"}[direction]
        self.name = f"{flow.name} Poincaré map ({text}, {arrow})"
        self.reference = flow.reference
        self.dt = 1.0
        self.description = (f"First-return map of {flow.name} on the plane {text} ({arrow} crossings), on the "
                            f"section coordinates {self.names}")
        self.aliases = ()
        unb = tuple(i - (i > drop) for i in flow.unbounded if i != drop)
        self.flags = frozenset({"unbounded"} if unb else ())
        self.unbounded = unb

    # --- conveniences -------------------------------------------------------------------------
    @property
    def flow(self) -> Flow:
        """The underlying flow, with this map's current parameters."""
        return eqx.tree_at(lambda s: s.params, self.base, self.params)

    @property
    def plane(self) -> tuple[np.ndarray, float]:
        """(normal, offset) of the section n . x = offset."""
        return np.asarray(self.normal), self.offset

    def to_full(self, y: Any) -> np.ndarray:
        """Section coordinates (d-1,) or (B, d-1) -> full states on the plane."""
        y = as_state(y, self.dim, what="y")
        out = jax.vmap(self.rhs.full)(jnp.atleast_2d(jnp.asarray(y)))
        return np.asarray(out if y.ndim == 2 else out[0])

    def to_section(self, x: Any) -> np.ndarray:
        """Full states (d,) or (B, d) -> section coordinates (drops the solved-for coordinate;
        a state off the plane is moved onto it along that coordinate's axis)."""
        x = as_state(x, self.dim + 1, what="x")
        return np.delete(x, self.drop, axis=-1)

    def next(self, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """(next section point, return time) from section coordinates y, shape (d-1,) or (B, d-1).

        Raises `PoincareSectionError` if some orbit does not cross the plane within ``max_time``.
        """
        y = as_state(y, self.dim, what="y")
        ys = np.atleast_2d(y)
        yn, tc, found, lo, hi = (np.asarray(a) for a in _poincare_next(self.rhs, jnp.asarray(ys), self.params))
        if not np.all(found):
            i = int(np.argmin(found))
            raise PoincareSectionError(_no_crossing_message(self.flow.name, self.plane_text, self.direction,
                                                             self.max_time, float(lo[i]), float(hi[i]),
                                                             self.to_full(ys[i])))
        return (yn, tc) if y.ndim == 2 else (yn[0], tc[0])

    def return_time(self, y: Any):
        """Time from section point y to its next crossing (float, or array for a batch)."""
        _, tc = self.next(y)
        return tc if np.ndim(tc) else float(tc)


def _no_crossing_message(name, plane_text, direction, max_time, lo, hi, x0) -> str:
    arrow = {1: "upward", -1: "downward", 0: ""}[direction]
    state = np.array2string(np.asarray(x0), precision=6)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return (f"{name}: the orbit from {state} left the finite numbers before crossing the plane {plane_text}; "
                "check the initial condition, parameters and dt")
    return (f"{name}: the orbit from {state} did not cross the plane {plane_text} {arrow} within max_time = "
            f"{max_time:g} (n.x - offset stayed in [{lo:.6g}, {hi:.6g}]); choose a plane the orbit crosses, the "
            "other direction, or a larger max_time")


# --- stroboscopic map -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _StroboscopicLaw:
    """x(t0 + n T) -> x(t0 + (n + 1) T) by ``steps`` fixed RK steps; T fixed or 2 pi / p[param]."""

    flow_rhs: Callable
    period: float | None
    param: str | None
    steps: int
    t0: float
    method: str

    def period_of(self, p):
        return self.period if self.param is None else 2.0 * jnp.pi / p[self.param]

    def __call__(self, x, p, n):
        T = self.period_of(p)
        h = T / self.steps
        t_start = self.t0 + n * T
        tab = FIXED_STEP_METHODS[self.method]
        f = lambda y, t: self.flow_rhs(y, p, t)  # noqa: E731
        return jax.lax.fori_loop(0, self.steps, lambda i, y: rk_step(tab, f, y, t_start + i * h, h), x)


class StroboscopicMap(Map):
    """The time-T (stroboscopic) map of a flow, x(t0 + n T) -> x(t0 + (n + 1) T), as a `Map`.

    ``StroboscopicMap(forced_flow, period=None, steps=None, t0=0.0, method="rk4")``: without
    ``period`` a flow flagged "forced" with a forcing frequency parameter (one of
    `FORCING_PARAMETERS`, e.g. duffing's ``omega``) gets T = 2 pi / omega, re-read from the
    parameters at every call (so ``with_params(omega=...)`` and parameter sweeps change T).
    One iteration is ``steps`` RK steps (default: the smallest number with T / steps <= flow.dt),
    starting at time t0 + n T, so the forcing phase is tracked exactly. Fixed points of the map
    are T-periodic responses, its Lyapunov exponents are the flow's times T.

    Reference: J. Guckenheimer & P. Holmes, Nonlinear Oscillations, Dynamical Systems, and
    Bifurcations of Vector Fields (Springer 1983), sec. 1.5 and 2.2 (the forced Duffing oscillator).
    """

    base: Flow = None
    period_param: str | None = eqx.field(static=True, default=None)
    steps: int = eqx.field(static=True, default=1)
    t0: float = eqx.field(static=True, default=0.0)

    def __init__(self, flow: Flow, period: float | None = None, steps: int | None = None, t0: float = 0.0,
                 method: str = "rk4"):
        flow = _check_flow(flow, "StroboscopicMap")
        method = _check_method(method)
        param = None
        if period is None:
            found = [k for k in FORCING_PARAMETERS if k in flow.params]
            if "forced" not in flow.flags or not found:
                raise ValueError(f"{flow.name}: give period= (the stroboscopic period T); a default period 2 pi / "
                                 f"omega needs a flow flagged 'forced' with one of the parameters "
                                 f"{list(FORCING_PARAMETERS)}, and {flow.name} has {sorted(flow.params)}")
            param = found[0]
            omega = float(flow.params[param])
            if not omega > 0:
                raise ValueError(f"{flow.name}: the forcing frequency {param} = {omega} must be positive")
            T = 2.0 * math.pi / omega
        else:
            T = float(period)
            if not (math.isfinite(T) and T > 0):
                raise ValueError(f"period must be a positive finite number, got {period!r}")
        if steps is None:
            steps = max(1, math.ceil(T / flow.dt - 1e-9))
        if int(steps) < 1:
            raise ValueError(f"steps must be >= 1, got {steps}")
        if not math.isfinite(float(t0)):
            raise ValueError(f"t0 must be finite, got {t0!r}")
        law = _StroboscopicLaw(flow.rhs, None if param else T, param, int(steps), float(t0), method)
        self.base = flow
        self.period_param, self.steps, self.t0 = param, int(steps), float(t0)
        self.rhs = law
        self.jac = None
        self.params = flow.params
        self.x0 = flow.x0
        self.names = flow.names
        what = f"T = 2 pi/{param}" if param else f"T = {T:g}"
        self.name = f"{flow.name} stroboscopic map ({what})"
        self.reference = flow.reference
        self.dt = 1.0
        self.description = f"x(t0 + n T) -> x(t0 + (n+1) T) of {flow.name}, {what}, {steps} {method} steps per period"
        self.aliases = ()
        self.flags = frozenset({"unbounded"} if flow.unbounded else ())
        self.unbounded = tuple(flow.unbounded)

    @property
    def period(self) -> float:
        """The stroboscopic period T at the current parameters."""
        return float(self.rhs.period_of(self.params))

    @property
    def flow(self) -> Flow:
        return eqx.tree_at(lambda s: s.params, self.base, self.params)


# --- observed (projected) system --------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ProjectedSystem:
    """A system seen through an observation function h(x): its trajectories are h of the state.

    ``ProjectedSystem(system, observe, names=None)``: ``observe`` is an index, a sequence of
    indices or variable names, or a JAX-traceable function x -> array (one value or a vector).
    `trajectory` integrates the full system (same arguments as `dynstab.trajectory`) and returns
    a `Trajectory` of the observed values, ready for the time-series tools (delay embedding,
    dimensions, entropies). Like DynamicalSystems.jl's ``ProjectedDynamicalSystem``, the
    dynamics always runs in the full state space.
    """

    system: System
    observe: Any
    names: tuple[str, ...] = ()

    def __post_init__(self):
        if not isinstance(self.system, System):
            raise TypeError(f"ProjectedSystem needs a dynstab system, got {type(self.system).__name__}")
        fn, default_names = _observation(self.observe, self.system)
        out = jax.eval_shape(fn, self.system.x0)
        if len(out.shape) > 1:
            raise ValueError(f"the observation must return a scalar or a vector, got shape {out.shape}")
        m = 1 if out.shape == () else out.shape[0]
        names = tuple(self.names) if self.names else default_names(m)
        if len(names) != m:
            raise ValueError(f"{len(names)} names for an observation of {m} values")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "_fn", fn)

    # a few attributes so that Trajectory.to_xarray() and the plotting helpers work on the result
    @property
    def name(self) -> str:
        return f"{self.system.name} observed ({', '.join(self.names)})"

    @property
    def kind(self) -> str:
        return self.system.kind

    @property
    def reference(self) -> str:
        return self.system.reference

    @property
    def dim(self) -> int:
        return len(self.names)

    def param_values(self):
        return self.system.param_values()

    def __call__(self, x: Any) -> np.ndarray:
        """h(x) for a state (d,) or states (..., d); returns (..., m)."""
        arr = np.asarray(x, dtype=np.float64)
        if arr.shape[-1:] != (self.system.dim,):
            raise ValueError(f"states must have last axis {self.system.dim}, got shape {arr.shape}")
        flat = arr.reshape(-1, self.system.dim)
        out = jax.vmap(lambda s: jnp.atleast_1d(self._fn(s)))(jnp.asarray(flat))
        return np.asarray(out).reshape(arr.shape[:-1] + (self.dim,))

    def trajectory(self, *args, **kwargs):
        """`dynstab.trajectory` of the full system, observed: a `Trajectory` with x of shape (..., m)."""
        from ..simulate.trajectory import Trajectory, trajectory

        traj = trajectory(self.system, *args, **kwargs)
        return Trajectory(t=traj.t, x=self(traj.x), system=self, method=traj.method, rtol=traj.rtol,
                          atol=traj.atol, params=traj.params, stats=traj.stats)


def _observation(observe: Any, system: System):
    names = system.names
    if callable(observe):
        return observe, (lambda m: tuple(f"h{i + 1}" for i in range(m)))
    items = [observe] if isinstance(observe, (int, np.integer, str)) else list(observe)
    if not items:
        raise ValueError("observe must name at least one variable")
    idx = []
    for item in items:
        if isinstance(item, str):
            if item not in names:
                raise ValueError(f"{item!r} is not a variable of {system.name}; variables: {list(names)}")
            idx.append(names.index(item))
        elif isinstance(item, (int, np.integer)) and -system.dim <= int(item) < system.dim:
            idx.append(int(item) % system.dim)
        else:
            raise ValueError(f"observe entries must be variable names or indices in [0, {system.dim}), got {item!r}")
    sel = jnp.asarray(idx)
    return (lambda x: x[sel]), (lambda m: tuple(names[i] for i in idx))


# --- Poincaré section of an orbit -----------------------------------------------------------------------
@dataclass(frozen=True)
class PoincareSection:
    """The crossings of an orbit with a plane: ``points`` (n, d) full states on the plane (or (B, n, d)
    for several initial conditions), ``times`` (n,) crossing times, ``section`` the section
    coordinates (the state without the solved-for coordinate ``drop``), ``return_times`` the
    differences of successive crossing times."""

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
        return np.delete(self.points, self.drop, axis=-1)

    @property
    def section_names(self) -> tuple[str, ...]:
        return tuple(n for i, n in enumerate(self.system.names) if i != self.drop)

    @property
    def return_times(self) -> np.ndarray:
        return np.diff(self.times, axis=-1)

    @property
    def mean_return_time(self) -> float:
        return float(np.mean(self.return_times)) if self.times.shape[-1] > 1 else math.nan

    def __len__(self) -> int:
        return self.times.shape[-1]

    def to_xarray(self):
        import xarray as xr

        batch = self.points.ndim == 3
        dims = ("member", "crossing", "variable") if batch else ("crossing", "variable")
        coords = {"crossing": np.arange(self.times.shape[-1]), "variable": list(self.system.names)}
        if batch:
            coords["member"] = np.arange(self.points.shape[0])
        return xr.Dataset({"x": (dims, self.points), "time": (dims[:-1], self.times)}, coords=coords,
                          attrs={"system": self.system.name, "plane": self.plane_text, "direction": self.direction,
                                 **{k: v for k, v in self.settings.items() if isinstance(v, (int, float, str))}})

    def plot(self, ax=None, **kwargs):
        """Scatter of the first two section coordinates (the return map y[n] -> y[n+1] if only one)."""
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
        fig.tight_layout()
        return fig

    def __repr__(self) -> str:
        return (f"PoincareSection({self.system.name!r}, {self.plane_text}, {self.times.shape[-1]} crossings, "
                f"mean return time {self.mean_return_time:.6g})")


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


def poincare_section(flow: Flow, plane: Any, n: int, x0: Any = None, *, transient: float = 0.0,
                     direction: int = 1, dt: float | None = None, max_time: float | None = None,
                     method: str = "rk4", t0: float = 0.0) -> PoincareSection:
    """The first ``n`` crossings of an orbit of ``flow`` with ``plane`` after a ``transient``.

    ``plane`` is ``(index or name, value)`` or ``(normal, offset)`` for n . x = offset;
    ``direction`` +1 keeps crossings with n . x increasing, -1 decreasing, 0 both. The orbit is
    integrated by fixed ``method`` steps ``dt`` (default ``flow.dt``) in one compiled
    ``lax.while_loop`` that stops at the n-th crossing; each crossing is located by Hénon's step
    (M. Hénon, Physica D 5, 412 (1982); shared with `PoincareMap`), so it lies on the plane to
    round-off with the integrator's local error. Forced flows are fine (time is tracked from
    ``t0``). ``x0`` may be a batch (B, d), run as one vmapped call.

    If more than ``max_time`` (default 100000 dt) passes without a crossing (or before the
    first one after the transient), `PoincareSectionError` is raised, naming the range of
    n . x - offset the orbit visited.
    """
    flow = _check_flow(flow, "poincare_section")
    normal, offset, text = _parse_plane(plane, flow)
    direction = _check_direction(direction)
    method = _check_method(method)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n (the number of crossings) must be a positive integer, got {n!r}")
    h = float(flow.dt if dt is None else dt)
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"dt must be a positive number, got {dt!r}")
    if not (math.isfinite(transient) and transient >= 0):
        raise ValueError(f"transient must be a finite number >= 0, got {transient!r}")
    max_time = float(_DEFAULT_MAX_STEPS * h if max_time is None else max_time)
    if not (math.isfinite(max_time) and max_time > h):
        raise ValueError(f"max_time must be a finite number larger than dt = {h:g}, got {max_time!r}")
    if not math.isfinite(float(t0)):
        raise ValueError(f"t0 must be finite, got {t0!r}")
    xs = as_state(flow.x0 if x0 is None else x0, flow.dim)
    batch = xs.ndim == 2
    xs2 = np.atleast_2d(xs)
    n_tr = int(math.ceil(transient / h - 1e-9))
    max_gap = int(math.ceil(max_time / h))
    bx, bt, status, lo, hi = (np.asarray(a) for a in _section_kernel(
        flow.rhs, method, int(n), direction, n_tr, max_gap, jnp.asarray(xs2), flow.params,
        jnp.asarray(float(t0)), h, jnp.asarray(normal), offset))
    bad = np.flatnonzero(status != _OK)
    if bad.size:
        i = int(bad[0])
        found = int(np.sum(np.isfinite(bt[i])))
        head = f"member {i}: " if batch else ""
        msg = _no_crossing_message(flow.name, text, direction, max_time, float(lo[i]), float(hi[i]), xs2[i])
        if status[i] == _DIVERGED:
            msg = (f"{flow.name}: {head}the orbit from {np.array2string(xs2[i], precision=6)} left the finite numbers "
                   f"after {found} of {n} crossings; check the initial condition, parameters and dt")
        elif found:
            msg = f"{head}found {found} of {n} crossings, then " + msg
        raise PoincareSectionError(msg)
    drop = int(np.argmax(np.abs(normal)))
    settings = {"dt": h, "method": method, "transient": n_tr * h, "max_time": max_time, "t0": float(t0)}
    return PoincareSection(points=bx if batch else bx[0], times=bt if batch else bt[0], system=flow,
                           normal=np.asarray(normal), offset=offset, direction=direction, drop=drop,
                           plane_text=text, settings=settings)

