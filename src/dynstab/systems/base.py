"""The system protocol: `Flow`, `Map` and `SDE`.

Every algorithm in dynstab talks to a system only through this small protocol
(in the spirit of DynamicalSystems.jl's one interface for all systems):

* ``system.rhs(x, p, t)``: the JAX-traceable law. For a `Flow` it is dx/dt, for a
  `Map` the next state x[n+1] (``t`` is the iteration index n), for an `SDE` the drift.
* ``system.params``: a dict of float64 scalars or arrays (a pytree), replaced with
  ``system.with_params(rho=30.0)``.
* ``system.x0``, ``system.names``, ``system.name``, ``system.reference``,
  ``system.dt`` (recommended time step for flows, 1 for maps).
* ``system.jacobian(x, t)``: the analytic Jacobian if one was supplied, otherwise
  forward-mode autodiff of ``rhs``.

Systems are immutable equinox modules: the law and the metadata are static fields,
the parameters and initial condition are array leaves, so ``jit``/``vmap``/``grad``
go straight through them and changing a parameter never triggers a recompilation.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..validation import InvalidTypeError, as_finite_array, as_step

Array = jax.Array
Params = dict[str, Array]

if TYPE_CHECKING:
    from ..simulate.evolution import Evolution


def check_system(obj: Any, what: str, *, deterministic: bool = False, expected: str | None = None) -> System:
    """Check that ``obj`` is a dynstab system (and, if asked, deterministic) before ``what`` runs on it.

    Parameters
    ----------
    obj : object
        The argument to check.
    what : str
        The caller as the user knows it (e.g. ``"lyapunov_spectrum"``), named in the error message.
    deterministic : bool, default False
        Also reject stochastic systems (SDEs), pointing to ``system.drift_as_flow()``.
    expected : str, optional
        What the caller needs, e.g. ``"a dynstab Map or Flow"``, for the error message (default
        "a dynstab system (a Flow or Map, an SDE, a delay equation, ...)", or "a deterministic
        system" for a stochastic one).

    Returns
    -------
    System
        ``obj`` itself, typed as a system.

    Raises
    ------
    TypeError
        If ``obj`` is not a `System`, or if ``deterministic`` and ``obj`` is stochastic; the
        message names ``what``, what it needs and what it got.
    """
    need = expected or "a dynstab system (a Flow or Map, an SDE, a delay equation, ...)"
    if not isinstance(obj, System):
        raise TypeError(f"{what} needs {need}, got {type(obj).__name__}")
    if deterministic and obj.stochastic:
        raise TypeError(
            f"{obj.name} is stochastic: {what} needs {expected or 'a deterministic system'}; "
            "use system.drift_as_flow() for its deterministic skeleton"
        )
    return obj


def evolution_of(system: System, method: str | None = None, step: float | None = None) -> Evolution:
    """``system.evolution(method, step)``, called through the class.

    equinox builds a bound-method module on every attribute access of a method (about 0.2 ms),
    which is a tenth of a 1e5-iteration Hénon exponent; algorithms call this instead.

    Parameters
    ----------
    system : System
        Any dynstab system.
    method : str, optional
        Passed to `System.evolution`.
    step : float, optional
        Passed to `System.evolution`.

    Returns
    -------
    Evolution
    """
    return type(system).evolution(system, method, step)


@float64
def as_params(params: Mapping[str, Any] | None) -> Params:
    """Validate parameters: a mapping of name -> finite float64 scalar or array (as JAX arrays).

    Parameters
    ----------
    params : mapping of str to array_like, or None
        Parameter name -> finite real scalar or array; None stands for no parameters.

    Returns
    -------
    dict of str to jax.Array
        The parameters as float64 JAX arrays, keyed by ``str(name)`` (``{}`` for None).

    Raises
    ------
    TypeError
        If ``params`` is not a mapping.
    InvalidTypeError
        For a non-numeric value (text, complex, ...); see `dynstab.validation.as_finite_array`.
    ValueError
        For a value with NaN or infinite entries.
    """
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of name -> value, got {type(params).__name__}")
    out = {}
    for key, value in params.items():
        try:
            arr = as_finite_array(value, name=f"parameter {key!r}")
        except InvalidTypeError:
            raise
        except ValueError:  # NaN or infinite entries
            raise ValueError(f"parameter {key!r} is not finite: {value!r}") from None
        out[str(key)] = jax.device_put(arr)  # not jnp.asarray: that compiles a copy for every new shape (30-70 ms)
    return out


def as_state(x: Any, dim: int, *, what: str = "x0", allow_batch: bool = True) -> np.ndarray:
    """Validate a state (shape ``(dim,)``) or, if ``allow_batch``, a batch ``(B, dim)``.

    The checks are `dynstab.validation.as_finite_array`'s (an `InvalidTypeError` for text, complex
    or other non-numeric input); a wrong shape or a NaN/infinite entry raises a ValueError that
    names the expected shape or says the state is non-finite.

    Parameters
    ----------
    x : array_like, shape (dim,) or (B, dim)
        The state, or a batch of B states.
    dim : int
        The system's state dimension d.
    what : str, default "x0"
        The argument's name as the caller knows it, used in error messages.
    allow_batch : bool, default True
        Accept a batch of states of shape ``(B, dim)`` as well as one state.

    Returns
    -------
    numpy.ndarray, shape (dim,) or (B, dim)
        The state(s) as a float64 array.

    Raises
    ------
    InvalidTypeError
        For text, complex or other non-numeric input.
    ValueError
        For a wrong shape or a NaN/infinite entry.
    """
    try:
        arr = as_finite_array(x, name=what)
    except InvalidTypeError:
        raise
    except ValueError as err:  # NaN or infinite entries: the shared message gives the count and the first one
        raise ValueError(f"{what} is non-finite: {err}") from None
    ok = arr.shape == (dim,) or (allow_batch and arr.ndim == 2 and arr.shape[1] == dim)
    if not ok:
        expected = f"({dim},)" + (f" or (B, {dim})" if allow_batch else "")
        raise ValueError(f"{what} has shape {arr.shape}; expected {expected} for a {dim}-dimensional system")
    return arr


def _check_periodic(name: str, periodic: Any, dim: int) -> None:
    """Check ``periodic``: a tuple of ``(index, period)`` pairs, distinct indices in range, periods finite > 0."""
    if not isinstance(periodic, tuple):
        raise TypeError(f"{name}: periodic must be a tuple of (index, period) pairs, got {type(periodic).__name__}")
    seen: set[int] = set()
    for entry in periodic:
        ok = isinstance(entry, tuple) and len(entry) == 2
        ok = ok and isinstance(entry[0], int) and not isinstance(entry[0], bool) and isinstance(entry[1], float)
        if not ok:
            raise TypeError(f"{name}: periodic entries must be (int index, float period) pairs, got {entry!r}")
        i, period = entry
        if not 0 <= i < dim:
            raise ValueError(f"{name}: periodic index {i} out of range for dimension {dim}")
        if i in seen:
            raise ValueError(f"{name}: periodic index {i} is given twice")
        if not (np.isfinite(period) and period > 0.0):
            raise ValueError(f"{name}: the period of coordinate {i} must be a finite number > 0, got {period!r}")
        seen.add(i)


def as_periodic(periodic: Any) -> tuple[tuple[int, float], ...]:
    """Normalize periodic coordinates to a tuple of ``(int index, float period)`` pairs.

    Parameters
    ----------
    periodic : sequence of (int, float) or mapping of int to float
        Index of each periodic coordinate and its period, e.g. ``[(0, 2 * pi)]`` or ``{0: 2 * pi}``.

    Returns
    -------
    tuple of (int, float)
        The pairs sorted by index (checked against the dimension by the system itself).

    Raises
    ------
    TypeError
        For an entry that is not a pair of an integer index and a real period.
    """
    items = periodic.items() if isinstance(periodic, Mapping) else periodic
    out = []
    for entry in items:
        try:
            i, period = entry
        except (TypeError, ValueError):
            raise TypeError(f"periodic entries must be (index, period) pairs, got {entry!r}") from None
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or isinstance(period, (bool, str, bytes)):
            raise TypeError(f"periodic entries must be (int index, float period) pairs, got {entry!r}")
        try:
            out.append((int(i), float(period)))
        except (TypeError, ValueError):
            raise TypeError(f"periodic entries must be (int index, float period) pairs, got {entry!r}") from None
    return tuple(sorted(out))


class System(eqx.Module):
    """Common base of `Flow`, `Map` and `SDE` (see the module docstring)."""

    rhs: Callable[..., Array] = eqx.field(static=True)
    params: Params
    x0: Array
    names: tuple[str, ...] = eqx.field(static=True)
    name: str = eqx.field(static=True, default="system")
    reference: str = eqx.field(static=True, default="")
    dt: float = eqx.field(static=True, default=0.01)
    jac: Callable[..., Array] | None = eqx.field(static=True, default=None)
    description: str = eqx.field(static=True, default="")
    aliases: tuple[str, ...] = eqx.field(static=True, default=())
    flags: frozenset[str] = eqx.field(static=True, default=frozenset())
    unbounded: tuple[int, ...] = eqx.field(static=True, default=())
    #: Periodic coordinates as ``(index, period)`` pairs: an angle on a circle or torus (the standard
    #: map's (x, y) mod 2 pi, a pendulum's angle). States that differ by a multiple of the period in
    #: these coordinates are the same point; fixed points and periodic orbits compare them so.
    periodic: tuple[tuple[int, float], ...] = eqx.field(static=True, default=())

    kind: ClassVar[str] = "system"
    #: Whether the system's time is continuous (flows, SDEs, delay equations) or counts iterations (maps).
    continuous_time: ClassVar[bool] = True
    #: Whether the system is driven by noise (its exponents, fixed points and orbits are those of its drift).
    stochastic: ClassVar[bool] = False
    #: Whether the state x is the whole phase space (False for a delay equation, whose phase space is the
    #: history function: its evolution acts on a history buffer, and only the leading exponents exist).
    finite_dimensional: ClassVar[bool] = True
    #: Known flags: "forced" (f depends on t), "hamiltonian" (conservative), "stiff", "unbounded"
    #: (some coordinate grows without bound, e.g. an angle or time; ``unbounded`` lists their indices),
    #: "discontinuous" (the vector field jumps, e.g. sign functions: Jacobian-based exponents miss the
    #: saltation at the jumps, so the largest exponent comes from the two-trajectory method).
    FLAGS: ClassVar[frozenset[str]] = frozenset(
        {"forced", "hamiltonian", "conservative", "stiff", "unbounded", "discontinuous"}
    )

    def __check_init__(self):
        if self.x0.ndim != 1:
            raise ValueError(f"{self.name}: x0 must be a 1-D state vector, got shape {self.x0.shape}")
        if any(not 0 <= i < self.x0.shape[0] for i in self.unbounded):
            raise ValueError(
                f"{self.name}: unbounded indices {self.unbounded} out of range for dimension {self.x0.shape[0]}"
            )
        _check_periodic(self.name, self.periodic, self.x0.shape[0])
        if not self.flags <= self.FLAGS:
            raise ValueError(
                f"{self.name}: unknown flags {sorted(self.flags - self.FLAGS)}; known: {sorted(self.FLAGS)}"
            )
        if len(self.names) != self.x0.shape[0]:
            raise ValueError(
                f"{self.name}: {len(self.names)} variable names for a {self.x0.shape[0]}-dimensional state"
            )

    # --- the protocol -----------------------------------------------------------------
    @property
    def dim(self) -> int:
        """State dimension d."""
        return int(self.x0.shape[0])

    @float64
    def f(self, x: Array, t: Any = 0.0, params: Params | None = None) -> Array:
        """Evaluate the law at state ``x`` (time or iteration ``t``) with the system's parameters.

        Parameters
        ----------
        x : jax.Array, shape (d,)
            The state.
        t : float or int, default 0.0
            The time (flows, SDEs) or the iteration index n (maps).
        params : dict of str to jax.Array, optional
            Parameters to use instead of ``system.params`` (same keys and shapes), e.g. under
            ``jax.grad`` with respect to the parameters.

        Returns
        -------
        jax.Array, shape (d,)
            dx/dt for a `Flow`, the next state x[n+1] for a `Map`, the drift for an `SDE`.
        """
        return self.rhs(x, self.params if params is None else params, t)

    @float64
    def jacobian(self, x: Any, t: Any = 0.0, params: Params | None = None) -> Array:
        """Jacobian df/dx at ``x``: the supplied analytic one, else forward-mode autodiff.

        Parameters
        ----------
        x : array_like, shape (d,)
            The state (converted to float64).
        t : float or int, default 0.0
            The time (flows, SDEs) or the iteration index n (maps).
        params : dict of str to jax.Array, optional
            Parameters to use instead of ``system.params`` (same keys and shapes).

        Returns
        -------
        jax.Array, shape (d, d)
            The matrix of partial derivatives df_i/dx_j.
        """
        p = self.params if params is None else params
        x = jnp.asarray(x, dtype=jnp.float64)
        if self.jac is not None:
            return jnp.asarray(self.jac(x, p, t))
        return jax.jacfwd(self.rhs)(x, p, t)

    def evolution(self, method: str | None = None, step: float | None = None) -> Evolution:
        """How the system advances by one step: the protocol every algorithm evolves it through.

        Parameters
        ----------
        method : str, optional
            A fixed-step method: ``"rk4"`` (default), ``"rk8"`` or ``"euler"`` for flows,
            ``"euler_maruyama"`` (default) or ``"milstein"`` for SDEs; maps are iterated.
        step : float, optional
            The integration step (default ``system.dt``); maps take no step (one iteration
            stands for ``system.dt`` time units).

        Returns
        -------
        Evolution
            See `dynstab.simulate.evolution`.
        """
        from ..simulate.evolution import Evolution
        from ..simulate.steppers import fixed_step

        method = "rk4" if method is None else method
        return Evolution(self.rhs, False, method, fixed_step(self, method, step), jac=self.jac)

    @float64
    def with_params(self, **changes: Any) -> System:
        """Return a copy with some parameters replaced, e.g. ``lorenz.with_params(rho=30.0)``.

        Parameters
        ----------
        **changes : array_like
            New values by parameter name: finite real scalars or arrays of the same shape as the
            current values. Parameters not named keep their values.

        Returns
        -------
        System
            A system of the same kind with the new parameters (the law is shared, so jitted
            code is not recompiled).

        Raises
        ------
        KeyError
            For a name that is not a parameter of the system (suggesting close matches).
        InvalidTypeError
            For a non-numeric value.
        ValueError
            For a value with NaN or infinite entries, or of a different shape than the current one.
        """
        unknown = [k for k in changes if k not in self.params]
        if unknown:
            key = unknown[0]
            hint = difflib.get_close_matches(key, list(self.params), n=3)
            msg = f"{self.name} has no parameter {key!r}; its parameters are {sorted(self.params)}"
            if hint:
                msg += f" (did you mean {hint[0]!r}?)"
            raise KeyError(msg)
        new = dict(self.params)
        for key, value in as_params(changes).items():
            if value.shape != self.params[key].shape:
                raise ValueError(
                    f"{self.name}: parameter {key!r} has shape {self.params[key].shape}, got {value.shape}"
                )
            new[key] = value
        return eqx.tree_at(lambda s: s.params, self, new)

    @classmethod
    def from_law(
        cls,
        law: Callable[..., Array],
        *,
        params: Mapping[str, Any] | None = None,
        x0: Any,
        names: Sequence[str] | None = None,
        name: str = "system",
        reference: str = "",
        dt: float | None = None,
        jac: Callable[..., Array] | None = None,
        description: str = "",
        periodic: Sequence[tuple[int, float]] | Mapping[int, float] = (),
        **extra: Any,
    ) -> System:
        """Build a system of this kind from a law ``law(x, p, t)`` (the public constructor behind the decorators).

        Parameters
        ----------
        law : callable
            ``law(x, p, t)``: dx/dt for a `Flow`, x[n+1] for a `Map`, the drift for an `SDE`.
        params : mapping, optional
            Parameter name -> finite scalar or array (validated by `as_params`).
        x0 : array_like, shape (d,)
            Default initial condition.
        names : sequence of str, optional
            Variable names (default ``x1 .. xd``).
        name, reference, description : str
            Metadata shown in reports.
        dt : float, optional
            Time step (flows) or the time one iteration stands for (maps); default the kind's.
        jac : callable, optional
            Analytic Jacobian ``jac(x, p, t)``; autodiff otherwise.
        periodic : sequence of (int, float) or mapping of int to float, default ()
            Periodic coordinates as ``(index, period)`` pairs (`System.periodic`).
        **extra
            Fields of the kind (``diffusion=`` for an `SDE`).

        Returns
        -------
        System
            The system, traced once so that a wrong output shape fails here.
        """
        x0_arr = as_state(x0, int(np.asarray(x0).shape[0]) if names is None else len(names), allow_batch=False)
        return _make(
            cls, law, params, x0_arr, names, name, reference, dt, jac, description, (), periodic=periodic, **extra
        )

    @float64
    def with_x0(self, x0: Any) -> System:
        """Return a copy with a new default initial condition.

        Parameters
        ----------
        x0 : array_like, shape (d,)
            The new initial condition (one state, no batch).

        Returns
        -------
        System
            A system of the same kind with ``x0`` replaced.

        Raises
        ------
        InvalidTypeError
            For non-numeric input.
        ValueError
            For a shape other than ``(d,)`` or a NaN/infinite entry.
        """
        arr = as_state(x0, self.dim, allow_batch=False)
        return eqx.tree_at(lambda s: s.x0, self, jax.device_put(arr))

    def param_values(self) -> dict[str, float | list]:
        """Parameters as plain Python numbers (for reports, JSON and NetCDF attributes)."""
        return {k: (float(v) if v.ndim == 0 else np.asarray(v).tolist()) for k, v in self.params.items()}

    def __repr__(self) -> str:
        ps = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}=..." for k, v in self.param_values().items())
        return f"{type(self).__name__}({self.name!r}, dim={self.dim}, {ps})"


class Flow(System):
    """A continuous-time system dx/dt = f(x, p, t)."""

    kind: ClassVar[str] = "flow"

    @float64
    def divergence(self, x: Any, t: Any = 0.0) -> Array:
        """div f = trace of the Jacobian: the local phase-space contraction rate.

        Parameters
        ----------
        x : array_like, shape (d,)
            The state.
        t : float, default 0.0
            The time.

        Returns
        -------
        jax.Array, shape ()
            The divergence at ``(x, t)`` with the system's parameters (negative where volumes contract).
        """
        return jnp.trace(self.jacobian(x, t))


class Map(System):
    """A discrete-time system x[n+1] = f(x[n], p, n); one iteration stands for ``dt`` time units (default 1).

    A map learned from data sampled every dt carries that dt, so its Lyapunov exponents come
    out per time unit (per iteration divided by dt).
    """

    dt: float = eqx.field(static=True, default=1.0)
    kind: ClassVar[str] = "map"
    continuous_time: ClassVar[bool] = False

    def evolution(self, method: str | None = None, step: float | None = None) -> Evolution:
        """Iteration of the map (see `System.evolution`); one step is one iteration of ``dt`` time units.

        Parameters
        ----------
        method : str, optional
            Only None (default) or ``"iterate"``: a map is iterated exactly.
        step : None
            Must be None: a map has no integration step.

        Returns
        -------
        Evolution
            The exact iteration, with ``h = system.dt``; see `dynstab.simulate.evolution`.

        Raises
        ------
        ValueError
            For any other ``method``, or a ``step`` that is not None.
        """
        from ..simulate.evolution import Evolution

        if method not in (None, "iterate"):
            raise ValueError(f"maps are iterated exactly; method={method!r} does not apply")
        if step is not None:
            raise ValueError("a map has no integration step: one iteration is one step")
        return Evolution(self.rhs, True, "iterate", float(self.dt), jac=self.jac, continuous=False)


class SDE(System):
    """A stochastic system dx = f(x, p, t) dt + g(x, p, t) dW (Ito).

    ``diffusion`` returns shape (d,) for diagonal noise (one independent Wiener
    process per variable) or (d, m) for general noise driven by m Wiener processes.
    """

    diffusion: Callable[..., Array] | None = eqx.field(static=True, default=None)
    kind: ClassVar[str] = "sde"
    stochastic: ClassVar[bool] = True

    def evolution(self, method: str | None = None, step: float | None = None) -> Evolution:
        """Euler-Maruyama (default) or Milstein steps of size ``step`` (default ``dt``); see `System.evolution`.

        Parameters
        ----------
        method : str, optional
            ``"euler_maruyama"`` (default) or ``"milstein"``.
        step : float, optional
            The integration step, a finite number > 0 (default ``system.dt``).

        Returns
        -------
        Evolution
            The stochastic stepper with the system's diffusion; see `dynstab.simulate.evolution`.

        Raises
        ------
        ValueError
            For an unknown ``method``, or a ``step`` that is not a finite number > 0.
        """
        from ..simulate.evolution import Evolution
        from ..simulate.sde import SDE_METHODS

        method = "euler_maruyama" if method is None else method
        if method not in SDE_METHODS:
            raise ValueError(f"unknown SDE method {method!r}; choose one of {SDE_METHODS}")
        h = as_step(self.dt if step is None else step, name="step")
        return Evolution(self.rhs, False, method, h, diffusion=self.diffusion, noise_shape=self.noise_shape)

    def __check_init__(self):
        if self.diffusion is None:
            raise ValueError(f"{self.name}: an SDE needs a diffusion function g(x, p, t)")

    @float64
    def g(self, x: Array, t: Any = 0.0, params: Params | None = None) -> Array:
        """Evaluate the diffusion g(x, p, t) at state ``x`` and time ``t``.

        Parameters
        ----------
        x : jax.Array, shape (d,)
            The state.
        t : float, default 0.0
            The time.
        params : dict of str to jax.Array, optional
            Parameters to use instead of ``system.params`` (same keys and shapes).

        Returns
        -------
        jax.Array, shape (d,) or (d, m)
            Diagonal noise amplitudes, or the matrix multiplying m Wiener increments.
        """
        assert self.diffusion is not None  # __check_init__ rejects an SDE without one
        return self.diffusion(x, self.params if params is None else params, t)

    @property
    def noise_shape(self) -> tuple[int, ...]:
        assert self.diffusion is not None  # __check_init__ rejects an SDE without one
        out = jax.eval_shape(self.diffusion, self.x0, self.params, 0.0)
        if out.shape not in ((self.dim,),) and not (len(out.shape) == 2 and out.shape[0] == self.dim):
            raise ValueError(
                f"{self.name}: diffusion must return shape ({self.dim},) or ({self.dim}, m), got {out.shape}"
            )
        return tuple(out.shape)

    @float64
    def drift_as_flow(self) -> Flow:
        """The deterministic skeleton dx/dt = f (for fixed points and Lyapunov analysis)."""
        return Flow(
            self.rhs,
            self.params,
            self.x0,
            self.names,
            name=self.name + " (drift)",
            reference=self.reference,
            dt=self.dt,
            jac=self.jac,
            periodic=self.periodic,
        )


@float64
def _make(
    cls,
    fn,
    params,
    x0,
    names,
    name,
    reference,
    dt,
    jac,
    description,
    aliases,
    flags=(),
    unbounded=(),
    periodic=(),
    **extra,
):
    x0 = as_state(x0, len(x0) if names is None else len(names), allow_batch=False)
    if names is None:
        names = tuple(f"x{i + 1}" for i in range(x0.shape[0]))
    kw = dict(
        name=name or fn.__name__,
        reference=reference,
        jac=jac,
        description=description or (fn.__doc__ or "").strip(),
        aliases=tuple(aliases),
        flags=frozenset(flags) | ({"unbounded"} if unbounded else set()),
        unbounded=tuple(unbounded),
        periodic=as_periodic(periodic),
    )
    if dt is not None:
        kw["dt"] = as_step(dt)
    system = cls(fn, as_params(params), jax.device_put(x0), tuple(names), **kw, **extra)
    if not _CATALOG_DEFINITIONS.get():
        _check_traceable(system)
    return system


_CATALOG_DEFINITIONS = contextvars.ContextVar("dynstab_catalog_definitions", default=False)


@contextlib.contextmanager
def catalog_definitions() -> Iterator[None]:
    """Define systems without tracing each law at definition (the registry's import of a catalog module).

    Resolving one catalog name defines its whole module (10-40 systems); tracing every law there
    cost 0.1-0.3 s of ``dynstab analyze`` (issue 15). The catalog's tests trace every law and check
    its shape (tests/systems/test_catalog.py), so nothing is lost; a user's definitions are always
    checked.
    """
    token = _CATALOG_DEFINITIONS.set(True)
    try:
        yield
    finally:
        _CATALOG_DEFINITIONS.reset(token)


def _check_traceable(system: System) -> None:
    """Trace the law once so that a wrong output shape fails at definition, not deep inside a solver."""
    try:
        out = jax.eval_shape(system.rhs, system.x0, system.params, 0.0)
    except Exception as exc:
        raise TypeError(f"{system.name}: the law f(x, p, t) cannot be traced by JAX: {exc}") from exc
    if out.shape != (system.dim,):
        raise ValueError(f"{system.name}: f(x, p, t) returns shape {out.shape}; expected ({system.dim},)")


def _decorator(
    cls, params, x0, names, name, reference, dt, jac, description, aliases, flags, unbounded=(), periodic=(), **extra
):
    def wrap(fn):
        return _make(
            cls,
            fn,
            params,
            x0,
            names,
            name,
            reference,
            dt,
            jac,
            description,
            aliases,
            flags,
            unbounded,
            periodic,
            **extra,
        )

    return wrap


def flow(
    *,
    params: Mapping[str, Any] | None = None,
    x0: Sequence[float] | np.ndarray,
    names: Sequence[str] | None = None,
    name: str | None = None,
    reference: str = "",
    dt: float | None = None,
    jac: Callable | None = None,
    description: str = "",
    aliases: Sequence[str] = (),
    flags: Sequence[str] = (),
    unbounded: Sequence[int] = (),
    periodic: Sequence[tuple[int, float]] | Mapping[int, float] = (),
) -> Callable[[Callable], Flow]:
    """Decorator: turn ``f(x, p, t) -> dx/dt`` into a `Flow`.

    Parameters
    ----------
    params : mapping of str to array_like, optional
        Parameter name -> finite real scalar or array (validated by `as_params`); default none.
    x0 : array_like, shape (d,)
        Default initial condition; its length is the dimension d.
    names : sequence of str, optional
        Variable names, one per state variable (default ``x1 .. xd``).
    name : str, optional
        The system's name (default the decorated function's name).
    reference : str, default ""
        Literature reference shown in reports and the catalog.
    dt : float, optional
        Recommended integration step (default 0.01).
    jac : callable, optional
        Analytic Jacobian ``jac(x, p, t) -> (d, d)``; forward-mode autodiff of the law otherwise.
    description : str, default ""
        One-line description (default the decorated function's docstring).
    aliases : sequence of str, default ()
        Other names the catalog registry finds the system by (e.g. dysts' class name).
    flags : sequence of str, default ()
        Properties from `System.FLAGS`, e.g. ``"forced"``, ``"hamiltonian"``, ``"stiff"``,
        ``"discontinuous"``.
    unbounded : sequence of int, default ()
        Indices of coordinates that grow without bound (an angle, time); adds the
        ``"unbounded"`` flag.
    periodic : sequence of (int, float) or mapping of int to float, default ()
        Periodic coordinates as ``(index, period)`` pairs, e.g. ``[(0, 2 * pi)]`` for an angle:
        states that differ by whole periods there are one point (`System.periodic`).

    Returns
    -------
    callable
        A decorator taking the law ``f(x, p, t)`` and returning the `Flow` (traced once, so
        that a wrong output shape fails at definition).

    Raises
    ------
    InvalidTypeError
        For a non-numeric ``x0`` or parameter value.
    ValueError
        For a non-finite or wrongly shaped ``x0``, a non-finite parameter, a non-positive
        ``dt``, an unknown flag, an unbounded or periodic index out of range, a non-positive period, or a law whose output shape is not ``(d,)``.
    TypeError
        If the law cannot be traced by JAX, or for a ``periodic`` entry that is not an (index, period) pair.

    Examples
    --------
    >>> @flow(params=dict(a=0.2, b=0.2, c=5.7), x0=[1.0, 1.0, 1.0], names=("x", "y", "z"))
    ... def rossler(x, p, t):
    ...     return jnp.array([-x[1] - x[2], x[0] + p["a"] * x[1], p["b"] + x[2] * (x[0] - p["c"])])
    """
    return _decorator(
        Flow, params, x0, names, name, reference, dt, jac, description, aliases, flags, unbounded, periodic
    )


def map(
    *,
    params: Mapping[str, Any] | None = None,
    x0: Sequence[float] | np.ndarray,
    names: Sequence[str] | None = None,
    name: str | None = None,
    reference: str = "",
    jac: Callable | None = None,
    description: str = "",
    aliases: Sequence[str] = (),
    flags: Sequence[str] = (),
    unbounded: Sequence[int] = (),
    periodic: Sequence[tuple[int, float]] | Mapping[int, float] = (),
) -> Callable[[Callable], Map]:
    """Decorator: turn ``f(x, p, n) -> x[n+1]`` into a `Map`.

    One iteration stands for one time unit (``dt = 1``).

    Parameters
    ----------
    params : mapping of str to array_like, optional
        Parameter name -> finite real scalar or array (validated by `as_params`); default none.
    x0 : array_like, shape (d,)
        Default initial condition; its length is the dimension d.
    names : sequence of str, optional
        Variable names, one per state variable (default ``x1 .. xd``).
    name : str, optional
        The system's name (default the decorated function's name).
    reference : str, default ""
        Literature reference shown in reports and the catalog.
    jac : callable, optional
        Analytic Jacobian ``jac(x, p, n) -> (d, d)``; forward-mode autodiff of the law otherwise.
    description : str, default ""
        One-line description (default the decorated function's docstring).
    aliases : sequence of str, default ()
        Other names the catalog registry finds the system by (e.g. dysts' class name).
    flags : sequence of str, default ()
        Properties from `System.FLAGS`, e.g. ``"forced"``, ``"hamiltonian"``, ``"stiff"``,
        ``"discontinuous"``.
    unbounded : sequence of int, default ()
        Indices of coordinates that grow without bound (an angle, time); adds the
        ``"unbounded"`` flag.
    periodic : sequence of (int, float) or mapping of int to float, default ()
        Periodic coordinates as ``(index, period)`` pairs, e.g. ``[(0, 2 * pi)]`` for an angle:
        states that differ by whole periods there are one point (`System.periodic`).

    Returns
    -------
    callable
        A decorator taking the law ``f(x, p, n)`` and returning the `Map` (traced once, so
        that a wrong output shape fails at definition).

    Raises
    ------
    InvalidTypeError
        For a non-numeric ``x0`` or parameter value.
    ValueError
        For a non-finite or wrongly shaped ``x0``, a non-finite parameter, a non-positive
        ``dt``, an unknown flag, an unbounded or periodic index out of range, a non-positive period, or a law whose output shape is not ``(d,)``.
    TypeError
        If the law cannot be traced by JAX, or for a ``periodic`` entry that is not an (index, period) pair.

    Examples
    --------
    >>> @map(params=dict(r=3.9), x0=[0.4], names=("x",))
    ... def logistic(x, p, n):
    ...     return p["r"] * x * (1.0 - x)
    """
    return _decorator(
        Map, params, x0, names, name, reference, None, jac, description, aliases, flags, unbounded, periodic
    )


def sde(
    *,
    diffusion: Callable,
    params: Mapping[str, Any] | None = None,
    x0: Sequence[float] | np.ndarray,
    names: Sequence[str] | None = None,
    name: str | None = None,
    reference: str = "",
    dt: float | None = None,
    description: str = "",
    aliases: Sequence[str] = (),
    flags: Sequence[str] = (),
) -> Callable[[Callable], SDE]:
    """Decorator: turn the drift ``f(x, p, t)`` into an `SDE` with diffusion ``g(x, p, t)``.

    Parameters
    ----------
    diffusion : callable
        ``g(x, p, t)`` returning shape (d,) for diagonal noise or (d, m) for noise driven by m
        Wiener processes (Ito).
    params : mapping of str to array_like, optional
        Parameter name -> finite real scalar or array (validated by `as_params`); default none.
    x0 : array_like, shape (d,)
        Default initial condition; its length is the dimension d.
    names : sequence of str, optional
        Variable names, one per state variable (default ``x1 .. xd``).
    name : str, optional
        The system's name (default the decorated function's name).
    reference : str, default ""
        Literature reference shown in reports and the catalog.
    dt : float, optional
        Default integration step (default 0.01).
    description : str, default ""
        One-line description (default the decorated function's docstring).
    aliases : sequence of str, default ()
        Other names the catalog registry finds the system by (e.g. dysts' class name).
    flags : sequence of str, default ()
        Properties from `System.FLAGS`, e.g. ``"forced"``, ``"hamiltonian"``, ``"stiff"``,
        ``"discontinuous"``.

    Returns
    -------
    callable
        A decorator taking the drift ``f(x, p, t)`` and returning the `SDE` (traced once, so
        that a wrong output shape fails at definition).

    Raises
    ------
    InvalidTypeError
        For a non-numeric ``x0`` or parameter value.
    ValueError
        For a non-finite or wrongly shaped ``x0``, a non-finite parameter, a non-positive
        ``dt``, an unknown flag, a missing ``diffusion``, or a law whose output shape is not ``(d,)``.
    TypeError
        If the law cannot be traced by JAX.

    Examples
    --------
    >>> @sde(diffusion=lambda x, p, t: p["sigma"] * jnp.ones(1), params=dict(theta=1.0, sigma=0.3), x0=[0.0])
    ... def ornstein_uhlenbeck(x, p, t):
    ...     return -p["theta"] * x
    """
    return _decorator(
        SDE, params, x0, names, name, reference, dt, None, description, aliases, flags, diffusion=diffusion
    )
