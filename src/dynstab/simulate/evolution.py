"""Evolution: how every system advances in time, for every algorithm.

Once a fixed-step method is chosen, every system is a discrete dynamical system in its
internal state s,

    s_{k+1} = Phi(s_k, p, t_k),        t_k = t_0 + k * tick,

where one step stands for ``h`` time units. A `Flow` integrated by a Runge-Kutta method has
Phi = one RK step of f (tick = h); a `Map` has Phi = f (tick = 1 iteration, h = the time one
iteration stands for, ``system.dt``); an `SDE` adds a Wiener increment drawn from the step
index k; a delay equation is its history-buffer map (method of steps), whose internal state is
prepared from the initial state and observed back. Systems build their `Evolution` through the
protocol (``system.evolution(method, step)``); algorithms (trajectories, Lyapunov spectra,
chaos indicators, master stability functions, basins) only use what is here: one `Plan`
(transient, steps per sample or interval, number of samples or intervals), one step function
per system (state, tangent vectors, noise), and three loops (`run`, `sample`, `intervals`).

Loops are ``lax.fori_loop`` / ``lax.scan`` so they compile into one kernel; a step function has
the signature ``step(state, t, k)`` (law time t, step index k from the start of the loop).

Long runs are split into compiled chunks (`in_chunks`, `intervals_part`, `sample_part`, `run_part`): one compiled call of a
whole long run cannot be interrupted (Ctrl-C waits until it returns) and shows no progress, so a
run whose `estimated_seconds` exceed `LONG_RUN_SECONDS` is carried out as a Python loop over
chunks of about `CHUNK_SECONDS`, each a call of one compiled function (the chunk length is a
traced argument, so every chunk, the last included, reuses it), with a ``progress(done, total)``
callback between chunks. Each interval's arithmetic is the same whatever the chunk boundaries.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..validation import as_float, as_positive_float
from .sde import SDE_METHODS, sde_increment, sde_step
from .steppers import FIXED_STEP_METHODS, rk_step

__all__ = [
    "Evolution",
    "Plan",
    "plan",
    "default_transient",
    "run",
    "sample",
    "intervals",
    "intervals_part",
    "sample_part",
    "run_part",
    "in_chunks",
    "chunks_of",
    "Chunks",
    "states_after",
    "estimated_seconds",
    "tangent_field",
]

StepFn = Callable[[Any, Any, Any], Any]
Progress = Callable[[int, int], None]

#: Default transient of the analysis algorithms: 10% of the run, at most 100 time units
#: (continuous time) or 1000 iterations (discrete time).
TRANSIENT_FRACTION = 0.1
TRANSIENT_CAP_TIME = 100.0
TRANSIENT_CAP_ITERATIONS = 1000


@dataclass(frozen=True)
class Evolution:
    """One step of a system (see the module docstring); hashable, so it is a static argument of ``jit``.

    Parameters
    ----------
    law : callable
        The system's law ``law(x, p, t)``: a vector field (``iterated=False``) or the next state.
    iterated : bool
        True when the law itself is the step (maps, history-buffer maps).
    method : str
        ``"iterate"`` for discrete systems, a fixed-step Runge-Kutta method (``"rk4"``, ``"rk8"``,
        ``"euler"``) or an SDE scheme (``"euler_maruyama"``, ``"milstein"``).
    h : float
        Time units per step (negative integrates backward).
    continuous : bool
        Whether the system's own time is continuous (flows, SDEs, delay equations) or counts
        iterations (maps); it sets the defaults (sampling every 10 steps or every iteration, a
        transient capped at 100 time units or 1000 iterations).
    jac : callable, optional
        Analytic Jacobian ``jac(x, p, t)`` of the law; forward-mode autodiff otherwise.
    diffusion : callable, optional
        ``g(x, p, t)`` of an SDE.
    noise_shape : tuple
        Shape of ``g``'s output.
    prepare : callable, optional
        ``prepare(x0, p)``: initial state (d,) -> internal state (e.g. a delay equation's history buffer).
    observed : tuple of int or callable, optional
        What a trajectory records of the internal state: ``(a, b)`` for ``internal[a:b]`` (history
        buffers), or a function of it (an observed system, `dynstab.systems.ProjectedSystem`); the
        whole internal state otherwise.
    """

    law: Callable[..., Any]
    iterated: bool
    method: str
    h: float
    continuous: bool = True
    jac: Callable[..., Any] | None = None
    diffusion: Callable[..., Any] | None = None
    noise_shape: tuple[int, ...] = ()
    prepare: Callable[[Any, Any], Any] | None = None
    observed: tuple[int, int] | Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        known = ("iterate", "rk4") if self.iterated else (*FIXED_STEP_METHODS, *SDE_METHODS)
        if self.method not in known:
            raise ValueError(f"method must be one of {known}, got {self.method!r}")
        if (self.method in SDE_METHODS) != (self.diffusion is not None):
            raise ValueError(f"method {self.method!r} does not match the system (an SDE needs an SDE scheme)")
        if self.method == "milstein" and len(self.noise_shape) == 2:
            raise ValueError(
                "method='milstein' supports diagonal noise (diffusion returning shape (d,)); "
                "for general noise of shape (d, m) use method='euler_maruyama'"
            )
        if not (math.isfinite(self.h) and self.h != 0):
            raise ValueError(f"the step must be finite and non-zero, got {self.h}")

    # --- time ----------------------------------------------------------------------------------
    @property
    def tick(self) -> float | int:
        """Increment of the law's time argument per step: h (continuous time) or 1 iteration."""
        return 1 if self.iterated else self.h

    @property
    def stochastic(self) -> bool:
        """Whether the steps draw Wiener increments (the evolution has a ``diffusion``)."""
        return self.diffusion is not None

    def time_zero(self, t0: float = 0.0) -> Any:
        """The law's time argument at the start, as a 0-d int64 / float64 array (an integer iteration for
        discrete systems) for a compiled kernel.

        Parameters
        ----------
        t0 : float, default 0.0
            Start time in time units; for an iterated law it is rounded to the nearest whole
            number of steps, ``round(t0 / h)``.

        Returns
        -------
        numpy.ndarray
            A 0-d int64 (iterated laws) or float64 array.
        """
        # NumPy, not jnp.asarray: a jitted call takes it on its C++ path (jnp.asarray is a dispatch, ~15 us)
        return np.asarray(int(round(t0 / self.h)) if self.iterated else float(t0))

    def with_step(self, h: float) -> Evolution:
        """The same evolution with another step (e.g. negative, to integrate backward).

        Parameters
        ----------
        h : float
            The new step in time units (finite, non-zero).

        Returns
        -------
        Evolution

        Raises
        ------
        ValueError
            If ``h`` is zero or not finite.
        """
        from dataclasses import replace

        return replace(self, h=float(h))

    # --- states --------------------------------------------------------------------------------
    def initial(self, x0: Any, params: Any) -> Any:
        """The internal state of an initial state (d,).

        Parameters
        ----------
        x0 : array_like, shape (d,)
            The initial state.
        params : dict of str to array
            The system's parameters (``prepare`` may need them, e.g. a delay).

        Returns
        -------
        jax.Array
            ``x0`` itself, or ``prepare(x0, params)`` (e.g. a delay equation's history buffer).
        """
        x0 = jnp.asarray(x0)
        return x0 if self.prepare is None else self.prepare(x0, params)

    def observe(self, s: Any) -> Any:
        """The state (d,) inside an internal state.

        Parameters
        ----------
        s : array
            An internal state (or a stack of them along leading axes).

        Returns
        -------
        array
            What a trajectory records of ``s``, as set by ``observed``: ``s[..., a:b]``, a
            function of ``s``, or ``s`` itself.
        """
        if self.observed is None:
            return s
        if callable(self.observed):
            return self.observed(s)
        a, b = self.observed
        return s[..., a:b]

    # --- steps ---------------------------------------------------------------------------------
    def discretize(self, field: Callable[[Any, Any], Any]) -> StepFn:
        """The step ``(state, t, k) -> state`` of a field on any pytree state.

        Continuous time: one Runge-Kutta step of ``d state/dt = field(state, t)``; discrete time:
        ``field`` is the next state. Used for the state, its tangent vectors and augmented
        tangent dynamics (e.g. the coupling term of the master stability function).

        Parameters
        ----------
        field : callable
            ``field(state, t)``: the time derivative of ``state`` (continuous time) or the next
            state (discrete time), a pytree like ``state``.

        Returns
        -------
        callable
            The step ``step(state, t, k)`` (law time ``t``, step index ``k``).
        """
        if self.iterated:
            return lambda s, t, k: field(s, t)
        tab, h = FIXED_STEP_METHODS[self.method], self.h
        return lambda s, t, k: rk_step(tab, field, s, t, h)

    def step(self, params: Any, key: Any = None) -> StepFn:
        """The step of the state; for an SDE ``key`` fixes the Wiener increments (one per step index).

        Parameters
        ----------
        params : dict of str to array
            The system's parameters.
        key : jax.Array, optional
            PRNG key of an SDE's noise: the increment of step k is drawn from ``fold_in(key, k)``
            (`dynstab.simulate.sde.sde_increment`); unused by deterministic evolutions.

        Returns
        -------
        callable
            The step ``step(state, t, k)``.
        """
        law, g = self.law, self.diffusion

        if g is not None:  # stochastic
            h, method = self.h, self.method
            dw_shape = (self.noise_shape[-1],) if len(self.noise_shape) == 2 else self.noise_shape

            def noisy(x: Any, t: Any, k: Any) -> Any:
                f = lambda y, s: law(y, params, s)  # noqa: E731
                gg = lambda y, s: g(y, params, s)  # noqa: E731
                return sde_step(method, f, gg, x, t, h, sde_increment(key, k, dw_shape, h))

            return noisy
        return self.discretize(lambda x, t: law(x, params, t))

    def tangent_step(self, params: Any) -> StepFn:
        """The step of ``(x, Q)``: the state and k tangent vectors (the columns of Q).

        Parameters
        ----------
        params : dict of str to array
            The system's parameters.

        Returns
        -------
        callable
            The step ``step((x, Q), t, k)``: `discretize` of `tangent_field`, so the same
            Runge-Kutta method advances the state and the variational equation.
        """
        return self.discretize(tangent_field(self.law, self.jac, params))

    def tangent_step_with_contraction(self, params: Any) -> StepFn:
        """The step of ``(x, Q, c)``: `tangent_step`, and ``c`` plus the local phase-space contraction rate
        at the step's start, tr J (vector fields) or ln|det J| (maps) (Eckmann & Ruelle 1985: the
        exponents of a full spectrum sum to its time average).

        One Jacobian evaluation serves both: J Q is the first stage of the tangent step, so the
        check costs a matrix product (and, for maps, a d x d determinant) per step.

        Parameters
        ----------
        params : dict of str to array
            The system's parameters.

        Returns
        -------
        callable
            The step ``step((x, Q, c), t, k)``.

        References
        ----------
        Eckmann & Ruelle, Ergodic theory of chaos and strange attractors, Rev. Mod. Phys. 57, 617
        (1985), Sec. IV.B.
        """
        law = self.law

        if self.iterated:

            def map_step(state: Any, t: Any, k: Any) -> Any:
                x, Q, c = state
                J = self.jacobian(x, params, t)
                return law(x, params, t), J @ Q, c + jnp.linalg.slogdet(J)[1]

            return map_step

        field = tangent_field(law, self.jac, params)
        tab, h = FIXED_STEP_METHODS[self.method], self.h

        def flow_step(state: Any, t: Any, k: Any) -> Any:
            x, Q, c = state
            J = self.jacobian(x, params, t)
            first = (law(x, params, t), J @ Q)
            return (*rk_step(tab, field, (x, Q), t, h, k1=first), c + jnp.trace(J))

        return flow_step

    def jacobian(self, x: Any, params: Any, t: Any) -> Any:
        """Jacobian of the law at ``x`` (analytic if given, forward-mode autodiff otherwise).

        Parameters
        ----------
        x : array, shape (d,)
            The state.
        params : dict of str to array
            The system's parameters.
        t : float or array
            The law's time argument (an iteration for maps).

        Returns
        -------
        jax.Array, shape (d, d)
            ``d law / d x``: of the vector field (flows) or of the map.
        """
        if self.jac is not None:
            return self.jac(x, params, t)
        return jax.jacfwd(lambda y: self.law(y, params, t))(x)


def tangent_field(law: Callable[..., Any], jac: Callable[..., Any] | None, params: Any) -> Callable[[Any, Any], Any]:
    """``(x, Q), t -> (f(x), J(x) Q)``: the variational equation (flows) or the tangent map (maps).

    The tangent part is ``jax.linearize`` of the law (one forward-mode pass per column) or the
    analytic Jacobian times Q.

    Parameters
    ----------
    law : callable
        The system's law ``law(x, p, t)``.
    jac : callable or None
        Its analytic Jacobian ``jac(x, p, t)``; None for forward-mode autodiff.
    params : dict of str to array
        The system's parameters.

    Returns
    -------
    callable
        ``field((x, Q), t) -> (f(x), J(x) Q)`` with Q of shape (d, k).
    """

    def field(state: Any, t: Any) -> Any:
        x, Q = state
        if jac is not None:
            return law(x, params, t), jac(x, params, t) @ Q
        fx, lin = jax.linearize(lambda y: law(y, params, t), x)
        return fx, jax.vmap(lin, in_axes=1, out_axes=1)(Q)

    return field


# ------------------------------------------------------------------------------------- planning
class Plan(NamedTuple):
    """A run in steps: ``n_transient`` discarded, then ``n_out`` samples (or intervals) ``n_sub`` steps apart.

    Made by `plan` from a request in time units; hashable, so it is a static argument of ``jit``.

    Attributes
    ----------
    n_transient : int
        Steps discarded first.
    n_sub : int
        Steps between samples, or per interval.
    n_out : int
        Number of samples (including the start) or of intervals.
    """

    n_transient: int
    n_sub: int
    n_out: int

    def span(self, evolution: Evolution) -> float:
        """Time covered after the transient: n_sub * n_out steps.

        Parameters
        ----------
        evolution : Evolution
            The evolution the plan is for (its step ``h``).

        Returns
        -------
        float
            ``|h| * n_sub * n_out`` in time units.
        """
        return abs(evolution.h) * self.n_sub * self.n_out


def default_transient(evolution: Evolution, span: float) -> float:
    """dynstab's one default transient: 10% of the run, at most 100 time units (continuous) or 1000 iterations.

    Parameters
    ----------
    evolution : Evolution
        The evolution of the run: continuous time caps the transient at `TRANSIENT_CAP_TIME` time
        units, discrete time at `TRANSIENT_CAP_ITERATIONS` iterations of ``|h|`` time units each.
    span : float
        Length of the run after the transient, in time units.

    Returns
    -------
    float
        The transient in time units: ``min(TRANSIENT_FRACTION * span, cap)``.
    """
    if not evolution.continuous:
        return min(TRANSIENT_FRACTION * span, TRANSIENT_CAP_ITERATIONS * abs(evolution.h))
    return min(TRANSIENT_FRACTION * span, TRANSIENT_CAP_TIME)


def plan(
    evolution: Evolution,
    span: float,
    *,
    every: float | None = None,
    transient: float | None = None,
    samples: bool = False,
) -> Plan:
    """Turn a request in time units into steps.

    Parameters
    ----------
    evolution : Evolution
        The system's evolution (its step ``h``; for a map ``h`` is the time one iteration stands for).
    span : float
        Length of the run after the transient, in time units (``n * h`` for n iterations).
    every : float, optional
        Time between samples or renormalization intervals; default 10 steps (continuous time)
        or 1 iteration (discrete time). Rounded to a whole number of steps (at least one).
    transient : float, optional
        Time discarded first, rounded up to whole steps; default `default_transient`.
    samples : bool
        True for sampled trajectories: ``n_out`` counts samples including the start
        (``round(span / every) + 1``); False for intervals (``max(1, round(span / every))``).

    Returns
    -------
    Plan

    Raises
    ------
    ValueError
        If ``span`` or ``transient`` is negative or not finite, or ``every`` is not a finite
        number > 0.
    """
    h = abs(evolution.h)
    span = as_float(span, name="the run length", minimum=0.0)
    every = None if every is None else as_positive_float(every, name="every")
    step_every = (10 if evolution.continuous else 1) if every is None else max(1, int(round(every / h)))
    tr = default_transient(evolution, span) if transient is None else as_float(transient, name="transient", minimum=0.0)
    n_transient = int(math.ceil(tr / h - 1e-9)) if tr else 0
    n_steps = int(round(span / h))
    if samples:
        return Plan(n_transient, step_every, n_steps // step_every + 1)
    return Plan(
        n_transient,
        step_every,
        max(1, int(round(span / (step_every * h)))) if evolution.continuous else max(1, n_steps // step_every),
    )


# ---------------------------------------------------------------------------------------- loops
#: States of at most this many numbers are carried through the loops as a tuple of scalars.
SCALAR_CARRY_MAX = 8


def _n_numbers(state: Any) -> int:
    """How many numbers a state (a pytree of arrays) holds."""
    return sum(math.prod(jnp.shape(a)) for a in jax.tree.leaves(state))


def _scalar_carry(state: Any) -> tuple[Callable[[Any], Any], Callable[[Any], Any]] | None:
    """``(pack, unpack)`` between a small state (any pytree of arrays, at most `SCALAR_CARRY_MAX`
    numbers) and a tuple of scalars; None for larger states.

    XLA CPU keeps a small array carry in memory between iterations but scalars in registers: the stored
    Lorenz RK4 trajectory measured 2.3x -> 1.2-1.7x numba's time (benchmarks/bench_evolution.py). No gain
    for Henon's (x, v) tangent loop or the Lorenz spectrum's 3 x 3 frame, so `intervals` keeps arrays.
    """
    leaves, tree = jax.tree.flatten(state)
    shapes = [jnp.shape(a) for a in leaves]
    if not leaves or _n_numbers(state) > SCALAR_CARRY_MAX:
        return None

    def pack(s: Any) -> tuple[Any, ...]:
        return tuple(x for a in jax.tree.leaves(s) for x in jnp.ravel(a))

    def unpack(c: tuple[Any, ...]) -> Any:
        out, i = [], 0
        for sh in shapes:
            n = math.prod(sh)
            out.append(c[i] if not sh else jnp.stack(c[i : i + n]).reshape(sh))
            i += n
        return jax.tree.unflatten(tree, out)

    return pack, unpack


def run(step: StepFn, state: Any, t0: Any, tick: Any, n: int, k0: Any = 0, scalars: bool = False) -> Any:
    """The state after ``n`` steps (step indices k0 .. k0 + n - 1, law time t0 + k * tick).

    ``scalars``: carry a small state (at most `SCALAR_CARRY_MAX` numbers) as scalars, for a single orbit
    (under ``vmap`` it measured 15% slower: a Lorenz ensemble of 2000 members).

    Parameters
    ----------
    step : callable
        ``step(state, t, k)``, e.g. `Evolution.step`.
    state : pytree of arrays
        The state at the start.
    t0 : float or array
        Law time of step index 0.
    tick : float or int
        Increment of the law time per step (`Evolution.tick`).
    n : int
        Number of steps (static: the loop's trip count).
    k0 : int or array, default 0
        Step index of the first step.
    scalars : bool, default False
        Carry a small state as a tuple of scalars through the loop (single orbits only).

    Returns
    -------
    pytree of arrays
        The state after ``n`` steps (``state`` itself for ``n = 0``).
    """
    if not n:
        return state
    if n == 1:  # no loop around a single step (XLA keeps a trip-count-1 loop as a loop: measurable per step)
        return step(state, t0 + k0 * tick, k0)
    # unrolled by 2 for a small state: measured 1.2-1.5x faster per step on XLA CPU; a state with a tangent frame
    # (the Lorenz spectrum's 16 numbers) measured 12% slower unrolled (67 -> 60 ms rolled), and more unrolling
    # was slower still (5 steps: 2.6x, 10 steps: 5.2x slower; benchmarks/bench_evolution.py)
    unroll = 2 if _n_numbers(state) <= SCALAR_CARRY_MAX else 1
    small = _scalar_carry(state) if scalars else None
    if small is not None:
        pack, unpack = small
        inner = step
        step = lambda s, t, k: pack(inner(unpack(s), t, k))  # noqa: E731
        state = pack(state)
    out = jax.lax.fori_loop(0, n, lambda i, s: step(s, t0 + (k0 + i) * tick, k0 + i), state, unroll=unroll)
    return out if small is None else unpack(out)


def intervals(
    step: StepFn, state: Any, t0: Any, tick: Any, n_sub: int, n_out: int, finish: Callable[[Any], tuple[Any, Any]]
) -> tuple[Any, Any]:
    """``n_out`` intervals of ``n_sub`` steps; after each, ``state, y = finish(state)``.

    Returns the final state and the stacked ``y`` (leading axis ``n_out``). ``finish``
    re-orthonormalizes tangent vectors, renormalizes a companion orbit, or observes the state.
    The carry stays an array pytree: scalars (`run`) measured no gain for Henon's (x, v) with k = 1.

    Parameters
    ----------
    step : callable
        ``step(state, t, k)``.
    state : pytree of arrays
        The state at the start.
    t0 : float or array
        Law time of step index 0.
    tick : float or int
        Increment of the law time per step.
    n_sub : int
        Steps per interval (static).
    n_out : int
        Number of intervals (static).
    finish : callable
        ``finish(state) -> (state, y)`` after each interval.

    Returns
    -------
    state : pytree of arrays
        The state after the last ``finish``.
    ys : pytree of arrays
        The ``y`` of every interval, stacked along a leading axis of length ``n_out``.
    """

    def interval(carry: Any, j: Any) -> tuple[Any, Any]:
        return finish(run(step, carry, t0, tick, n_sub, j * n_sub))

    # a single-step interval is unrolled by 2 like the steps of `run`
    return jax.lax.scan(interval, state, jnp.arange(n_out), unroll=2 if n_sub == 1 else 1)


def sample(
    step: StepFn,
    state: Any,
    t0: Any,
    tick: Any,
    n_sub: int,
    n_out: int,
    observe: Callable[[Any], Any] = lambda s: s,
    scalars: bool = False,
) -> Any:
    """``observe`` of the state at ``n_out`` samples ``n_sub`` steps apart, the first at the start (``scalars``
    as in `run`).

    Parameters
    ----------
    step : callable
        ``step(state, t, k)``.
    state : pytree of arrays
        The state at the start (the first sample).
    t0 : float or array
        Law time of step index 0.
    tick : float or int
        Increment of the law time per step.
    n_sub : int
        Steps between samples (static).
    n_out : int
        Number of samples, including the start (static).
    observe : callable, default identity
        What is recorded of each state (e.g. `Evolution.observe`).
    scalars : bool, default False
        Carry a small state as scalars (single orbits only; see `run`).

    Returns
    -------
    pytree of arrays
        ``observe(state)`` at every sample, stacked along a leading axis of length ``n_out``.
    """
    if n_out <= 1:
        return jax.tree.map(lambda a: a[None], observe(state))
    pack, unpack, record_then_advance = _sampler(step, state, t0, tick, n_sub, n_out - 1, observe, scalars)
    # the samples are the scan's own output (no concatenation copy of a long trajectory)
    return jax.lax.scan(record_then_advance, pack(state), jnp.arange(n_out))[1]


def _sampler(
    step: StepFn, state: Any, t0: Any, tick: Any, n_sub: int, last: Any, observe: Callable[[Any], Any], scalars: bool
) -> tuple[Callable[[Any], Any], Callable[[Any], Any], Callable[[Any, Any], tuple[Any, Any]]]:
    """``(pack, unpack, record_then_advance)`` of `sample` and `sample_part`: sample j records ``observe`` of
    the (packed) carry, then advances it by ``n_sub`` steps unless j is the ``last`` sample."""
    small = _scalar_carry(state) if scalars else None
    pack, unpack = small if small is not None else (lambda s: s, lambda s: s)

    def record_then_advance(c: Any, j: Any) -> tuple[Any, Any]:
        s = unpack(c)
        y = observe(s)
        c = jax.lax.cond(
            j < last, lambda u: pack(run(step, unpack(u), t0, tick, n_sub, j * n_sub, scalars)), lambda u: u, c
        )
        return c, y

    return pack, unpack, record_then_advance


def sample_part(
    step: StepFn,
    state: Any,
    t0: Any,
    tick: Any,
    n_sub: int,
    n_out: Any,
    size: int,
    start: Any,
    count: Any,
    observe: Callable[[Any], Any] = lambda s: s,
    scalars: bool = False,
) -> tuple[Any, Any]:
    """Samples ``start .. start + count - 1`` of `sample` (one chunk of a long sampled run).

    The same arithmetic as `sample` (the same loop body): sample j records ``observe`` of the state,
    which then advances by the ``n_sub`` steps of indices ``j n_sub .. (j + 1) n_sub - 1`` at law times
    ``t0 + k tick``, unless j is the last sample (``n_out - 1``). ``start``, ``count`` and ``n_out`` are
    traced (one compiled function serves every chunk); the samples fill the first ``count`` rows of a
    buffer of ``size`` rows.

    Parameters
    ----------
    step : callable
        ``step(state, t, k)``.
    state : pytree of arrays
        The state at sample ``start``.
    t0 : float or array
        Law time of step index 0 (of the whole run, not of the chunk).
    tick : float or int
        Increment of the law time per step.
    n_sub : int
        Steps between samples (static).
    n_out : int or array
        Samples of the whole run, including the first.
    size : int
        Rows of the output buffer, the largest ``count`` (static).
    start : int or array
        Index of the chunk's first sample.
    count : int or array
        Samples of the chunk, at most ``size``.
    observe : callable, default identity
        What is recorded of each state.
    scalars : bool, default False
        Carry a small state as scalars (single orbits only; see `run`).

    Returns
    -------
    state : pytree of arrays
        The state at sample ``start + count`` (at the last sample for the run's last chunk).
    ys : pytree of arrays
        ``observe`` of the chunk's samples in rows ``0 .. count - 1`` of arrays with ``size`` rows.
    """
    pack, unpack, record_then_advance = _sampler(step, state, t0, tick, n_sub, n_out - 1, observe, scalars)
    shapes = jax.eval_shape(observe, state)
    buffer = jax.tree.map(lambda a: jnp.zeros((size, *a.shape), a.dtype), shapes)

    def body(i: Any, carry: Any) -> Any:
        c, buf = carry
        c, y = record_then_advance(c, start + i)
        return c, jax.tree.map(lambda b, v: b.at[i].set(v), buf, y)

    c, ys = jax.lax.fori_loop(0, count, body, (pack(state), buffer))
    return unpack(c), ys


def run_part(step: StepFn, state: Any, t0: Any, tick: Any, start: Any, count: Any, scalars: bool = False) -> Any:
    """Steps ``start .. start + count - 1`` of `run` (one chunk of a long run, e.g. a transient).

    The steps of `run` at law times ``t0 + k tick``, two at a time like its loop (unrolled by 2), an odd
    last one alone: chunks of even length (`in_chunks` with ``multiple=2``) keep the pairs on the same
    steps whatever the chunk boundaries. ``start`` and ``count`` are traced (one compiled function serves
    every chunk).

    Parameters
    ----------
    step : callable
        ``step(state, t, k)``.
    state : pytree of arrays
        The state before step ``start``.
    t0 : float or array
        Law time of step index 0 (of the whole run, not of the chunk).
    tick : float or int
        Increment of the law time per step.
    start : int or array
        Index of the chunk's first step.
    count : int or array
        Steps of the chunk.
    scalars : bool, default False
        Carry a small state as scalars (single orbits only; see `run`).

    Returns
    -------
    pytree of arrays
        The state after step ``start + count - 1``.
    """
    small = _scalar_carry(state) if scalars else None
    pack, unpack = small if small is not None else (lambda s: s, lambda s: s)

    def one(k: Any, c: Any) -> Any:
        return pack(step(unpack(c), t0 + k * tick, k))

    pairs = jax.lax.fori_loop(0, count // 2, lambda i, c: one(start + 2 * i + 1, one(start + 2 * i, c)), pack(state))
    return unpack(jax.lax.cond(count % 2 == 1, lambda c: one(start + count - 1, c), lambda c: c, pairs))


# ------------------------------------------------------------------------------- long runs in chunks
#: Target wall time of one compiled chunk of a long run (seconds): Ctrl-C and ``progress`` act between chunks.
CHUNK_SECONDS = 0.25
#: Runs estimated to take longer than this (seconds) are split into chunks; shorter ones are one compiled call.
LONG_RUN_SECONDS = 0.5
#: Rough cost of advancing one number of the state by one step on XLA CPU (seconds): measured 5 ns for the
#: Lorenz spectrum (3 + 3 x 3 numbers, 60 ms per 1e6 RK4 steps) and 4 ns for the Henon tangent map
#: (benchmarks/bench_evolution.py). Only decides whether a run is chunked and sizes the first chunk; later
#: chunks are sized from the measured time of the previous one.
SECONDS_PER_NUMBER_STEP = 5e-9


def estimated_seconds(n_steps: int, n_numbers: int, batch: int = 1) -> float:
    """A rough wall time of ``n_steps`` steps of a state of ``n_numbers`` numbers for ``batch`` orbits.

    ``n_steps * n_numbers * batch * SECONDS_PER_NUMBER_STEP``: the cost of a step grows with the numbers
    it advances (a tangent frame of k vectors in d dimensions: d (k + 1)).

    Parameters
    ----------
    n_steps : int
        Steps of the run (transient included).
    n_numbers : int
        Numbers advanced per step and orbit (state and tangent vectors).
    batch : int, default 1
        Orbits advanced together (initial conditions).

    Returns
    -------
    float
        Seconds (order of magnitude only).
    """
    return float(n_steps) * n_numbers * batch * SECONDS_PER_NUMBER_STEP


class Chunks(NamedTuple):
    """How a long run of intervals is cut into compiled chunks (`chunks_of`), the arguments of `in_chunks`.

    Attributes
    ----------
    first : int
        Intervals of the first chunk (small: its time includes the compilation and is not used).
    size : int
        The largest chunk, the rows of `intervals_part`'s buffer (static).
    multiple : int
        2 for single-step intervals (advanced in pairs by `intervals_part`), 1 otherwise.
    """

    first: int
    size: int
    multiple: int


def chunks_of(total: int, n_sub: int, n_numbers: int, batch: int = 1) -> Chunks:
    """The chunks of a long run of ``total`` intervals of ``n_sub`` steps: about `CHUNK_SECONDS` each.

    The largest chunk is 1.25 times the intervals `estimated_seconds` puts in `CHUNK_SECONDS` (`in_chunks`
    sizes the chunks from measured time, up to it), the first a 32nd of it.

    Parameters
    ----------
    total : int
        Intervals of the run.
    n_sub : int
        Steps per interval.
    n_numbers : int
        Numbers advanced per step and orbit.
    batch : int, default 1
        Orbits advanced together.

    Returns
    -------
    Chunks
    """
    size = max(2, min(total, int(1.25 * CHUNK_SECONDS / estimated_seconds(n_sub, n_numbers, batch))))
    return Chunks(size // 32, size, 2 if n_sub == 1 else 1)


@functools.partial(jax.jit, static_argnames=("evolution", "n"))
def states_after(evolution: Evolution, n: int, x0s: Any, params: Any, t0: Any) -> Any:
    """The internal states (B, D) after ``n`` steps of the state alone from each initial state of ``x0s``
    (`Evolution.initial`, then `run`): the transient before a chunked run.

    Parameters
    ----------
    evolution : Evolution
        The evolution (static).
    n : int
        Number of steps (static).
    x0s : array, shape (B, d)
        Initial states.
    params : dict of str to array
        The system's parameters.
    t0 : array
        Law time of step index 0.

    Returns
    -------
    jax.Array, shape (B, D)
    """
    step = evolution.step(params)
    return jax.vmap(lambda x0: run(step, evolution.initial(x0, params), t0, evolution.tick, n))(x0s)


def intervals_part(
    step: StepFn,
    state: Any,
    t0: Any,
    tick: Any,
    n_sub: int,
    size: int,
    start: Any,
    count: Any,
    finish: Callable[[Any], tuple[Any, Any]],
) -> tuple[Any, Any]:
    """Intervals ``start .. start + count - 1`` of `intervals` (one chunk of a long run).

    The same intervals, step indices and law times as `intervals` from the same start state: interval j
    covers step indices ``j n_sub .. (j + 1) n_sub - 1`` at law times ``t0 + k tick``. ``start`` and
    ``count`` are traced (one compiled function serves every chunk, the last and shorter one too);
    the ``y`` of the intervals fill the first ``count`` rows of a buffer of ``size`` rows. Single-step
    intervals are advanced in pairs, like the scan of `intervals` (unrolled by 2), with an odd last one;
    chunks of even length (`in_chunks` with ``multiple=2``) keep the pairs on the same intervals
    whatever the chunk boundaries, so the results do not depend on them.

    Parameters
    ----------
    step : callable
        ``step(state, t, k)``.
    state : pytree of arrays
        The state at the start of interval ``start``.
    t0 : float or array
        Law time of step index 0 (of the whole run, not of the chunk).
    tick : float or int
        Increment of the law time per step.
    n_sub : int
        Steps per interval (static).
    size : int
        Rows of the output buffer, the largest ``count`` (static).
    start : int or array
        Index of the first interval of the chunk.
    count : int or array
        Number of intervals of the chunk, at most ``size``.
    finish : callable
        ``finish(state) -> (state, y)`` after each interval.

    Returns
    -------
    state : pytree of arrays
        The state after the chunk's last ``finish``.
    ys : pytree of arrays
        The ``y`` of the chunk's intervals in rows ``0 .. count - 1`` of arrays with ``size`` rows (zeros
        after them).
    """

    def interval(j: Any, s: Any) -> tuple[Any, Any]:
        return finish(run(step, s, t0, tick, n_sub, j * n_sub))

    shapes = jax.eval_shape(lambda s: interval(jnp.asarray(start), s)[1], state)
    buffer = jax.tree.map(lambda a: jnp.zeros((size, *a.shape), a.dtype), shapes)

    def body(i: Any, carry: Any) -> Any:
        s, buf = carry
        s, y = interval(start + i, s)
        return s, jax.tree.map(lambda b, v: b.at[i].set(v), buf, y)

    if n_sub != 1:
        return jax.lax.fori_loop(0, count, body, (state, buffer))
    # single-step intervals two at a time, like the scan of `intervals` (unrolled by 2), and an odd last one
    pairs = jax.lax.fori_loop(0, count // 2, lambda p, c: body(2 * p + 1, body(2 * p, c)), (state, buffer))
    return jax.lax.cond(count % 2 == 1, lambda c: body(count - 1, c), lambda c: c, pairs)


def in_chunks(
    piece: Callable[[Any, int, int], tuple[Any, Any]],
    carry: Any,
    total: int,
    first: int,
    size: int,
    *,
    axis: int = 0,
    progress: Progress | None = None,
    seconds: float | None = None,
    compiled: bool = False,
    multiple: int = 1,
    store: Callable[[int, Any], None] | None = None,
) -> tuple[Any, list[Any]]:
    """Run ``total`` units of work (intervals, samples) as compiled chunks, from Python.

    ``piece(carry, start, count) -> (carry, ys)`` does units ``start .. start + count - 1`` in one compiled
    call (e.g. a jitted function around `intervals_part`), ``ys`` holding ``size`` rows along ``axis`` of
    which the first ``count`` are kept. The first chunk has ``first`` units; each later one is sized from
    the measured time per unit of the previous chunk to take about ``seconds`` (unless ``compiled``, the
    first call's time includes compiling and is not used), never more than ``size``. Every chunk is waited for before the
    next starts, so Ctrl-C (KeyboardInterrupt) is raised at most one chunk after it is pressed, and
    ``progress(done, total)`` is called before the first chunk and after each.

    Parameters
    ----------
    piece : callable
        ``piece(carry, start, count) -> (carry, ys)``.
    carry : pytree of arrays
        The state before unit 0.
    total : int
        Units of work.
    first : int
        Units of the first chunk (e.g. from `estimated_seconds`).
    size : int
        Largest chunk (the rows of ``piece``'s output buffer).
    axis : int, default 0
        The axis of the units in every leaf of ``ys``.
    progress : callable, optional
        ``progress(done, total)``, called from the calling thread between chunks.
    seconds : float, optional
        Target wall time of a chunk; default `CHUNK_SECONDS`.
    compiled : bool, default False
        Whether ``piece`` has run before (then its first chunk's time sizes the second).
    multiple : int, default 1
        Every chunk but the last is a multiple of this many units (2 for `intervals_part` of single-step
        intervals, which it advances in pairs: the pairs then fall on the same units whatever the chunks).
    store : callable, optional
        ``store(start, ys)`` receives each chunk's kept rows (units ``start ..``) as it finishes, e.g. to
        write them into a preallocated array; the returned list is then empty (no second copy of a long
        run's output).

    Returns
    -------
    carry : pytree of arrays
        The state after the last unit.
    ys : list of pytrees of numpy arrays
        The rows kept of each chunk, in order (concatenate along ``axis``); empty with ``store``.
    """
    target = CHUNK_SECONDS if seconds is None else seconds
    if size < multiple:
        raise ValueError(f"size must be at least multiple = {multiple}, got {size}")
    whole = lambda n: max(multiple, min(size, n) // multiple * multiple)  # noqa: E731
    done, count, out = 0, whole(first), []
    if progress is not None:
        progress(0, total)
    while done < total:
        count = min(count, total - done)
        began = time.perf_counter()
        carry, ys = piece(carry, done, count)
        ys = jax.device_get(ys)  # waits for the chunk: an interrupt pending since is raised right after
        carry = jax.block_until_ready(carry)
        elapsed = time.perf_counter() - began
        index = (slice(None),) * axis + (slice(0, count),)
        kept = jax.tree.map(lambda a, i=index: a[i], ys)
        if store is None:
            out.append(kept)
        else:
            store(done, kept)
        # a first call's time includes the compilation: the next chunk keeps its size
        timed = done or compiled
        following = whole(int(count * target / max(elapsed, 1e-6))) if timed else count
        done += count
        if progress is not None:
            progress(done, total)
        count = following
    return carry, out
