"""Delay differential equations dx/dt = f(x(t), x(t - tau), p, t) by the method of steps.

A `DelayFlow` is integrated with a fixed step h = tau / m, so every delayed value falls on
the history grid, by the classical RK4 step whose half-step delayed values come from cubic
Hermite interpolation of the stored states and derivatives,

    x(t_j + h/2) = (x_j + x_{j+1}) / 2 + h (f_j - f_{j+1}) / 8,

which keeps the scheme fourth-order (Bellen & Zennaro, Numerical Methods for Delay
Differential Equations, Oxford 2003, ch. 3-4: continuous extensions of RK methods).
The history before t0 is constant, x(t) = x0 for t <= t0 (as in dysts).

`DelayFlow.as_map()` is the exact discrete system behind it: the state is the history
buffer (the m + 1 states x(t - tau) ... x(t) and their derivatives) and one iteration is one
RK4 step. It is a `Map`, so the trajectory and Lyapunov tools apply unchanged: the leading
Lyapunov exponents of the DDE are those of the buffer map divided by h (Farmer, Physica D 4,
366 (1982) computed Mackey-Glass exponents this way).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp

from .._precision import float64
from .base import Array, Map, System, as_params, as_state

if TYPE_CHECKING:
    from ..simulate.evolution import Evolution


class DelayFlow(System):
    """dx/dt = f(x, x_delayed, p, t) with one delay, the parameter named ``delay`` (default "tau")."""

    delay: str = eqx.field(static=True, default="tau")
    kind: ClassVar[str] = "delay"
    finite_dimensional: ClassVar[bool] = False

    def __check_init__(self):
        if self.delay not in self.params:
            raise ValueError(f"{self.name}: the delay parameter {self.delay!r} is not among the parameters")

    @property
    def tau(self) -> float:
        return float(self.params[self.delay])

    @float64
    def f(self, x: Array, t: Any = 0.0, params=None, x_delayed: Array | None = None) -> Array:
        """The law; without ``x_delayed`` the delayed state is taken equal to ``x`` (equilibria).

        Parameters
        ----------
        x : jax.Array, shape (d,)
            The current state x(t).
        t : float, default 0.0
            The time.
        params : dict of str to jax.Array, optional
            Parameters to use instead of ``system.params`` (same keys and shapes).
        x_delayed : jax.Array, shape (d,), optional
            The delayed state x(t - tau); default ``x`` (a constant history, as at an equilibrium).

        Returns
        -------
        jax.Array, shape (d,)
            dx/dt = f(x, x_delayed, p, t).
        """
        p = self.params if params is None else params
        return self.rhs(x, x if x_delayed is None else x_delayed, p, t)

    @float64
    def jacobian(self, x: Any, t: Any = 0.0, params=None) -> Array:
        """Jacobian of x -> f(x, x): the characteristic matrix at zero frequency (equilibria).

        Always forward-mode autodiff of the law with the delayed state tied to ``x``.

        Parameters
        ----------
        x : array_like, shape (d,)
            The state (converted to float64).
        t : float, default 0.0
            The time.
        params : dict of str to jax.Array, optional
            Parameters to use instead of ``system.params`` (same keys and shapes).

        Returns
        -------
        jax.Array, shape (d, d)
            df/dx + df/dx_delayed at ``x_delayed = x``.
        """
        p = self.params if params is None else params
        x = jnp.asarray(x, dtype=jnp.float64)
        return jax.jacfwd(lambda y: self.rhs(y, y, p, t))(x)

    def steps_per_delay(self, dt: float | None = None) -> int:
        """m: the number of RK4 steps per delay, the smallest with tau / m <= dt.

        Parameters
        ----------
        dt : float, optional
            The largest step allowed (default ``system.dt``).

        Returns
        -------
        int
            m >= 1, so that the step h = tau / m puts every delayed value on the history grid.
        """
        return max(1, math.ceil(self.tau / float(self.dt if dt is None else dt) - 1e-9))

    @float64
    def evolution(self, method: str | None = None, step: float | None = None) -> Evolution:
        """The method of steps: RK4 on the history buffer, one step h = tau / m <= ``step`` (default ``dt``).

        The internal state is the buffer (prepared from a constant history x0); the state is its
        current value x(t). See `System.evolution`.

        Parameters
        ----------
        method : str, optional
            Only None (default) or ``"rk4"``: the method of steps is RK4 with Hermite interpolation.
        step : float, optional
            The largest step allowed (default ``system.dt``); the step used is h = tau / m with
            m = `steps_per_delay` (``step``).

        Returns
        -------
        Evolution
            RK4 on the history buffer, observing x(t); see `dynstab.simulate.evolution`.

        Raises
        ------
        ValueError
            For a ``method`` other than ``"rk4"``.
        """
        from ..simulate.evolution import Evolution

        if method not in (None, "rk4"):
            raise ValueError(
                f"{self.name} is a delay equation: it is integrated by RK4 with the method of steps "
                f"(method='rk4'), not {method!r}"
            )
        m, d = self.steps_per_delay(step), self.dim
        h = self.tau / m
        return Evolution(
            _buffer_step(self.rhs, m, d, h),
            True,
            "rk4",
            h,
            prepare=_history_buffer(self.rhs, m),
            observed=(m * d, (m + 1) * d),
        )

    @float64
    def as_map(self, dt: float | None = None) -> Map:
        """The RK4 step as a map on the history buffer (see the module docstring).

        Parameters
        ----------
        dt : float, optional
            The largest step allowed (default ``system.dt``); one iteration is one step
            h = tau / m with m = `steps_per_delay` (``dt``).

        Returns
        -------
        Map
            A map of dimension 2 (m + 1) d on the buffer [x(t - m h) ... x(t), f at the same
            times], with ``dt = h`` and initial condition the constant history x0; its leading
            Lyapunov exponents per time unit are those of the delay equation.
        """
        evolution = self.evolution(step=dt)
        m = self.steps_per_delay(dt)
        names = tuple(f"{v}[{k - m}h]" for k in range(m + 1) for v in self.names) + tuple(
            f"d{v}[{k - m}h]" for k in range(m + 1) for v in self.names
        )
        return Map(
            evolution.law,
            self.params,
            evolution.initial(self.x0, self.params),
            names,
            name=f"{self.name} (history map, h={evolution.h:g})",
            reference=self.reference,
            dt=evolution.h,
        )


_STEP_CACHE: dict = {}


@functools.cache
def _history_buffer(rhs: Callable, m: int) -> Callable:
    """``(x0, p) ->`` the constant-history buffer [x0 x (m+1), f(x0, x0) x (m+1)] (one function per law and m)."""

    def prepare(x0: Array, p: Any) -> Array:
        f0 = rhs(x0, x0, p, 0.0)
        return jnp.concatenate([jnp.tile(x0, m + 1), jnp.tile(f0, m + 1)])

    return prepare


def _buffer_step(rhs: Callable, m: int, d: int, h: float) -> Callable:
    """One RK4 step of the DDE on the flat buffer [X (m+1, d), F (m+1, d)]; cached so kernels reuse it."""
    key = (rhs, m, d, h)
    if key in _STEP_CACHE:
        return _STEP_CACHE[key]
    n = (m + 1) * d

    def step(state, p, k):
        X, F = state[:n].reshape(m + 1, d), state[n:].reshape(m + 1, d)
        t = k * h
        x = X[m]
        d1 = X[1]
        d_half = 0.5 * (X[0] + X[1]) + 0.125 * h * (F[0] - F[1])
        k1 = F[m]
        k2 = rhs(x + 0.5 * h * k1, d_half, p, t + 0.5 * h)
        k3 = rhs(x + 0.5 * h * k2, d_half, p, t + 0.5 * h)
        k4 = rhs(x + h * k3, d1, p, t + h)
        x_new = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        f_new = rhs(x_new, d1, p, t + h)
        X = jnp.concatenate([X[1:], x_new[None]])
        F = jnp.concatenate([F[1:], f_new[None]])
        return jnp.concatenate([X.ravel(), F.ravel()])

    _STEP_CACHE[key] = step
    return step


@float64
def delay_flow(
    *,
    params: Mapping[str, Any],
    x0: Sequence[float],
    names: Sequence[str] | None = None,
    name: str | None = None,
    reference: str = "",
    dt: float | None = None,
    delay: str = "tau",
    description: str = "",
    aliases: Sequence[str] = (),
    flags: Sequence[str] = (),
):
    """Decorator: turn ``f(x, x_delayed, p, t) -> dx/dt`` into a `DelayFlow` (constant history x0).

    Parameters
    ----------
    params : mapping of str to array_like
        Parameter name -> finite real scalar or array; must include the delay parameter.
    x0 : sequence of float, shape (d,)
        The constant history x(t) = x0 for t <= 0; its length is the dimension d.
    names : sequence of str, optional
        Variable names, one per state variable (default ``x1 .. xd``).
    name : str, optional
        The system's name (default the decorated function's name).
    reference : str, default ""
        Literature reference shown in reports and the catalog.
    dt : float, optional
        The largest integration step (default 0.01); the step used is tau / m <= dt.
    delay : str, default "tau"
        The name of the parameter holding the delay tau.
    description : str, default ""
        One-line description (default the decorated function's docstring).
    aliases : sequence of str, default ()
        Other names the catalog registry finds the system by (e.g. dysts' class name).
    flags : sequence of str, default ()
        Properties from `System.FLAGS`, e.g. ``"forced"``, ``"stiff"``.

    Returns
    -------
    callable
        A decorator taking the law ``f(x, x_delayed, p, t)`` and returning the `DelayFlow`
        (traced once, so that a wrong output shape fails at definition).

    Raises
    ------
    InvalidTypeError
        For a non-numeric ``x0`` or parameter value.
    ValueError
        For a non-finite or wrongly shaped ``x0``, a non-finite parameter, a ``delay`` that is not
        among the parameters, an unknown flag, or a law whose output shape is not ``(d,)``.
    """

    def wrap(fn):
        x = as_state(x0, len(x0) if names is None else len(names), allow_batch=False)
        kw: dict[str, Any] = dict(
            name=name or fn.__name__,
            reference=reference,
            description=description or (fn.__doc__ or "").strip(),
            aliases=tuple(aliases),
            flags=frozenset(flags),
            delay=delay,
        )
        if dt is not None:
            kw["dt"] = float(dt)
        system = DelayFlow(
            fn,
            as_params(params),
            jnp.asarray(x),
            tuple(names) if names is not None else tuple(f"x{i + 1}" for i in range(x.shape[0])),
            **kw,
        )
        out = jax.eval_shape(fn, system.x0, system.x0, system.params, 0.0)
        if out.shape != (system.dim,):
            raise ValueError(
                f"{system.name}: f(x, x_delayed, p, t) returns shape {out.shape}; expected ({system.dim},)"
            )
        return system

    return wrap
