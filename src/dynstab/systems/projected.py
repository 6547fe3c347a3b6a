r"""An observed (projected) system: a system whose trajectories record h(x) instead of x.

`ProjectedSystem` wraps any system (flow, map, SDE, delay equation, derived or learned system)
and an observation :math:`h: \mathbb{R}^d \to \mathbb{R}^m` (a variable, several variables, or
any JAX-traceable function). The dynamics always runs in the full state space, as in
DynamicalSystems.jl's ``ProjectedDynamicalSystem`` (Datseris & Parlitz, *Nonlinear Dynamics*,
Springer 2022, sec. 1.6): the state, initial condition ``x0``, parameters, time step and kind
are the underlying system's, and only what a trajectory records changes. It is a `System`: its
`ProjectedSystem.evolution` is the underlying system's `dynstab.simulate.evolution.Evolution`
with its ``observed`` function set to h composed with the underlying system's own observation
(e.g. the current state inside a delay equation's history buffer), so `dynstab.trajectory`
and every algorithm built on the protocol run on it unchanged. The names of the recorded values
are ``observed_names`` (``names`` stay those of the state, as for every system).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from .base import Array, System

if TYPE_CHECKING:
    from ..simulate.evolution import Evolution
    from ..simulate.trajectory import Trajectory

__all__ = ["ProjectedSystem"]


def _recorded_names(system: System) -> tuple[str, ...]:
    """Names of what a trajectory of ``system`` records: ``observed_names`` if it has them, else ``names``."""
    return tuple(getattr(system, "observed_names", system.names))


@dataclass(frozen=True)
class _Select:
    """h(x) = x[indices] (hashable by value, so equal projections share compiled kernels)."""

    indices: tuple[int, ...]

    def __call__(self, x: Array) -> Array:
        return x[..., jnp.asarray(self.indices)]


@dataclass(frozen=True)
class _Vector:
    """A user's observation function, its output made a vector (a scalar becomes shape (1,))."""

    fn: Callable[[Array], Array]

    def __call__(self, x: Array) -> Array:
        return jnp.atleast_1d(self.fn(x))


@dataclass(frozen=True)
class _Composed:
    """The observation of an `Evolution`'s internal state: h of the underlying evolution's observation."""

    inner: Evolution
    h: Callable[[Array], Array]

    def __call__(self, s: Array) -> Array:
        return self.h(self.inner.observe(s))


def _observation(observe: Any, system: System) -> tuple[Callable[[Array], Array], tuple[str, ...] | None]:
    """(h as a vector-valued function, default names or None) from an index, names/indices or a function."""
    names = _recorded_names(system)
    d = len(names)
    if callable(observe):
        return _Vector(observe), None
    items = [observe] if isinstance(observe, (int, np.integer, str)) else list(observe)
    if not items:
        raise ValueError("observe must name at least one variable")
    idx = []
    for item in items:
        if isinstance(item, str):
            if item not in names:
                raise ValueError(f"{item!r} is not a variable of {system.name}; variables: {list(names)}")
            idx.append(names.index(item))
        elif isinstance(item, (int, np.integer)) and not isinstance(item, bool) and -d <= int(item) < d:
            idx.append(int(item) % d)
        else:
            raise ValueError(f"observe entries must be variable names or indices in [0, {d}), got {item!r}")
    return _Select(tuple(idx)), tuple(names[i] for i in idx)


class ProjectedSystem(System):
    """A system seen through an observation h(x): its trajectories record h of the state.

    The wrapped system's state, ``x0`` (the full state), parameters (``with_params`` works),
    time step, kind and the protocol flags (``continuous_time``, ``stochastic``,
    ``finite_dimensional``) are mirrored; `evolution` is the wrapped system's with h as its
    observation, so ``dynstab.trajectory(projected, ...)`` returns a `Trajectory` of the
    observed values, labelled by ``observed_names``, ready for the time-series tools (delay
    embedding, dimensions, entropies).

    Parameters
    ----------
    system : System
        The underlying system (any kind, including another `ProjectedSystem`).
    observe : int, str, sequence of int or str, or callable
        A variable (index or name), several variables, or a JAX-traceable function of what a
        trajectory of ``system`` records (its state; the observed values of a `ProjectedSystem`)
        returning a scalar or a vector.
    names : sequence of str, optional
        Names of the observed values (``observed_names``); default the variable names for
        indices and names, ``h1 .. hm`` for a function.

    Attributes
    ----------
    base : System
        The system as given (`system` is the system with this one's current parameters and ``x0``).
    observation : callable
        h as a function of one recorded value of ``base`` (shape (d,)) returning shape (m,).
    observed_names : tuple of str
        Names of the m observed values: the variables of this system's trajectories.
    names : tuple of str
        Names of the (full) state, as for every system.

    Raises
    ------
    TypeError
        If ``system`` is not a dynstab system.
    ValueError
        For an unknown variable, an index out of range, an observation that does not return a
        scalar or a vector, or a number of ``names`` that does not match it.

    Examples
    --------
    >>> lorenz = dynstab.systems.get("lorenz")  # doctest: +SKIP
    >>> xz = ProjectedSystem(lorenz, ["x", "z"])  # doctest: +SKIP
    >>> dynstab.trajectory(xz, t=10.0).x.shape  # doctest: +SKIP
    (1001, 2)
    """

    base: System = eqx.field(kw_only=True)
    observation: Callable[[Array], Array] = eqx.field(static=True, kw_only=True)
    observed_names: tuple[str, ...] = eqx.field(static=True, kw_only=True)

    @float64
    def __init__(self, system: System, observe: Any, names: Any = None):
        if not isinstance(system, System):
            raise TypeError(f"ProjectedSystem needs a dynstab system, got {type(system).__name__}")
        fn, default_names = _observation(observe, system)
        m_in = len(_recorded_names(system))
        out = jax.eval_shape(fn, jax.ShapeDtypeStruct((m_in,), jnp.float64))
        if len(out.shape) != 1:
            raise ValueError(f"the observation must return a scalar or a vector, got shape {out.shape[1:]}")
        m = out.shape[0]
        if names:
            observed_names = tuple(str(n) for n in names)
        else:
            observed_names = default_names or tuple(f"h{i + 1}" for i in range(m))
        if len(observed_names) != m:
            raise ValueError(f"{len(observed_names)} names for an observation of {m} values")
        self.base = system
        self.observation = fn
        self.observed_names = observed_names
        self.rhs = system.rhs
        self.params = system.params
        self.x0 = system.x0
        self.names = system.names
        self.name = f"{system.name} observed ({', '.join(observed_names)})"
        self.reference = system.reference
        self.dt = system.dt
        self.jac = system.jac
        self.description = system.description
        self.aliases = ()
        self.flags = system.flags
        self.unbounded = system.unbounded

    # --- mirrored protocol ----------------------------------------------------------------------
    @property
    def system(self) -> System:
        """The underlying system, with this system's current parameters and initial condition."""
        return eqx.tree_at(lambda s: (s.params, s.x0), self.base, (self.params, self.x0))

    @property
    def kind(self) -> str:  # type: ignore[override]  # a ClassVar elsewhere: mirrors the wrapped system
        """The underlying system's kind ("flow", "map", "sde", "delay", ...)."""
        return self.base.kind

    @property
    def continuous_time(self) -> bool:  # type: ignore[override]  # a ClassVar elsewhere: mirrors the wrapped system
        """Whether the underlying system's time is continuous."""
        return self.base.continuous_time

    @property
    def stochastic(self) -> bool:  # type: ignore[override]  # a ClassVar elsewhere: mirrors the wrapped system
        """Whether the underlying system is driven by noise."""
        return self.base.stochastic

    @property
    def finite_dimensional(self) -> bool:  # type: ignore[override]  # a ClassVar elsewhere: mirrors the wrapped system
        """Whether the underlying system's state is its whole phase space (False for a delay equation)."""
        return self.base.finite_dimensional

    @property
    def delay(self) -> str | None:
        """The underlying delay equation's delay parameter (None for other systems)."""
        return getattr(self.base, "delay", None)

    @property
    def nan_hint(self) -> str:
        """The underlying system's hint for a trajectory that leaves the finite numbers."""
        return getattr(self.base, "nan_hint", "")

    @float64
    def f(self, *args: Any, **kwargs: Any) -> Array:
        """The underlying system's law at a full state (same arguments as its ``f``).

        Parameters
        ----------
        *args, **kwargs
            As for the underlying system's ``f`` (``x``, ``t``, ``params``, ...).
        """
        return self.system.f(*args, **kwargs)

    @float64
    def jacobian(self, *args: Any, **kwargs: Any) -> Array:
        """The underlying system's Jacobian at a full state (same arguments as its ``jacobian``).

        Parameters
        ----------
        *args, **kwargs
            As for the underlying system's ``jacobian`` (``x``, ``t``, ``params``).
        """
        return self.system.jacobian(*args, **kwargs)

    def evolution(self, method: str | None = None, step: float | None = None) -> Evolution:
        """The underlying system's evolution, recording h of what it records.

        Parameters
        ----------
        method : str, optional
            As for the underlying system's `System.evolution`.
        step : float, optional
            As for the underlying system's `System.evolution`.

        Returns
        -------
        Evolution
            The same law, step and internal state; ``observed`` is h composed with the
            underlying evolution's observation.
        """
        inner = self.system.evolution(method, step)
        return dataclasses.replace(inner, observed=_Composed(inner, self.observation))

    # --- observation ------------------------------------------------------------------------------
    @float64
    def __call__(self, x: Any) -> np.ndarray:
        """h of recorded values of the underlying system.

        Parameters
        ----------
        x : array_like, shape (..., d)
            States of the underlying system (what its trajectories record, e.g. ``trajectory(system).x``).

        Returns
        -------
        numpy.ndarray, shape (..., m)
            The observed values.
        """
        d = len(_recorded_names(self.base))
        arr = np.asarray(x, dtype=np.float64)
        if arr.shape[-1:] != (d,):
            raise ValueError(f"states must have last axis {d}, got shape {arr.shape}")
        flat = arr.reshape(-1, d)
        out = jax.vmap(self.observation)(jnp.asarray(flat))
        return np.asarray(out).reshape(arr.shape[:-1] + (len(self.observed_names),))

    def trajectory(self, *args: Any, **kwargs: Any) -> Trajectory:
        """`dynstab.simulate.trajectory.trajectory` of this system: the observed values.

        Parameters
        ----------
        *args, **kwargs
            As for `dynstab.simulate.trajectory.trajectory` (``t``, ``dt``, ``n``, ``x0`` (full
            states), ``transient``, ``method``, ...).

        Returns
        -------
        Trajectory
            ``x`` of shape (N, m) (or (B, N, m) for an ensemble), labelled by ``observed_names``.
        """
        from ..simulate.trajectory import trajectory

        return trajectory(self, *args, **kwargs)
