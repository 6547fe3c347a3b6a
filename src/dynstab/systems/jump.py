"""Jump processes: continuous-time Markov chains with state-dependent jump rates.

A `JumpProcess` is the system kind of a reaction network under the chemical master equation
(CME): the state x is a vector of counts, and R channels fire at rates (propensities)
``a_r(x, p)``, each firing adding its column of the stoichiometry, x -> x + nu_r. It speaks
the system protocol:

* ``rhs(x, p, t)`` is the drift sum_r nu_r a_r(x): the rate equations in counts, so
  `drift_as_flow` is the deterministic skeleton (fixed points, Jacobians, bifurcations);
* ``evolution()`` is exact: one step advances every run by the stochastic simulation algorithm
  (SSA) over ``h`` time units, so `dynstab.simulate.trajectory` samples exact paths on a grid
  (the jumps in between are not recorded). The random numbers of step k come from the
  parameter ``seed`` and k, so a path is fixed by its seed; an ensemble of independent paths
  varies the seed (``params={"seed": np.arange(B)}``);
* `sample_paths` runs thousands of paths in one compiled call (a ``lax.while_loop`` per path,
  ``vmap`` over paths) recording on a fixed time grid, exactly (SSA) or by tau-leaping, in
  compiled chunks (Ctrl-C, progress).

The SSA is Gillespie's direct method [1]: with a0 = sum_r a_r(x), the next firing comes after
tau = -ln(u1) / a0 and is channel j, the first with sum_{r<=j} a_r > u2 a0 (u1, u2 uniform on
(0, 1]). A draw that would cross the next grid time is discarded and the clock set to that
time: the waiting time is exponential (memoryless), so restarting the draw there is exact.
Tau-leaping [2] fires Poisson(a_r tau) times each channel over a leap tau; a leap that would
make a count negative is redone with tau halved (up to 30 times; the leap never crosses a grid
time).

The uniforms come from SplitMix64 [3] (Steele, Lea & Flood 2014; 64-bit state, period 2^64)
carried per path as a uint64 and seeded from the run's JAX key: about ten 64-bit integer operations
per number, where ``jax.random``'s Threefry-2x32 runs 20 rounds of 32-bit mixing and a key split or fold
per draw. Throughput against a numba Gillespie: benchmarks/bench_kinetics.py.

References
----------
[1] D. T. Gillespie, J. Phys. Chem. 81, 2340 (1977). [2] D. T. Gillespie, J. Chem. Phys. 115,
1716 (2001). [3] G. L. Steele, D. Lea, C. H. Flood, OOPSLA 2014, 453-472 (SplitMix).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._config import small_loop_bytes
from .._precision import float64
from ..validation import as_float, as_int, as_step
from .base import Flow, System, as_params, as_state

if TYPE_CHECKING:
    from ..simulate.evolution import Evolution

Array = jax.Array
Progress = Callable[[int, int], None]

__all__ = ["JumpProcess", "jump_process", "sample_paths", "PathSample", "JUMP_METHODS"]

#: How `sample_paths` advances paths: exactly (``"ssa"``) or by Poisson tau-leaps (``"tau"``).
JUMP_METHODS = ("ssa", "tau")
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_HALVINGS = 30  # a tau-leap that keeps driving a count negative is halved at most this often


def splitmix64(state: Array) -> tuple[Array, Array]:
    """One SplitMix64 step: the new uint64 state and a uniform number on (0, 1].

    Parameters
    ----------
    state : jax.Array of uint64
        The generator's state (any shape: one generator per entry).

    Returns
    -------
    state : jax.Array of uint64
        The advanced state.
    u : jax.Array of float64
        ``(z >> 11 + 1) / 2**53`` of the mixed output z: 53 random bits, never 0 (so ``-log(u)`` is finite).
    """
    state = state + jnp.uint64(_GOLDEN)
    z = state
    z = (z ^ (z >> jnp.uint64(30))) * jnp.uint64(_MIX1)
    z = (z ^ (z >> jnp.uint64(27))) * jnp.uint64(_MIX2)
    z = z ^ (z >> jnp.uint64(31))
    u = ((z >> jnp.uint64(11)).astype(jnp.float64) + 1.0) * (2.0**-53)
    return state, u


def _direct_event(propensity: Callable, stoich: Array, x: Array, p: Any, rng: Array) -> tuple[Array, Array, Array]:
    """Gillespie's direct method at x: (waiting time tau, the state after the firing, new rng state)."""
    a = jnp.maximum(propensity(x, p), 0.0)
    cum = jnp.cumsum(a)
    a0 = cum[-1]
    rng, u1 = splitmix64(rng)
    rng, u2 = splitmix64(rng)
    tau = jnp.where(a0 > 0, -jnp.log(u1) / jnp.where(a0 > 0, a0, 1.0), jnp.inf)
    j = jnp.minimum(jnp.sum(cum < u2 * a0), stoich.shape[0] - 1)
    return tau, x + stoich[j], rng


class JumpProcess(System):
    """A continuous-time Markov chain on counts: channels r fire at rates a_r(x, p), adding nu_r.

    ``rhs`` is the drift sum_r nu_r a_r(x) (build one with `jump_process`); ``stoichiometry`` holds
    the R change vectors nu_r (one row per channel), ``propensity(x, p)`` the R rates. See the
    module docstring.
    """

    stoichiometry: tuple[tuple[float, ...], ...] = eqx.field(static=True, default=())
    propensity: Callable[..., Array] | None = eqx.field(static=True, default=None)
    dt: float = eqx.field(static=True, default=0.1)
    kind: ClassVar[str] = "jump"
    stochastic: ClassVar[bool] = True

    def __check_init__(self):
        if self.propensity is None:
            raise ValueError(f"{self.name}: a jump process needs a propensity function a(x, p) -> (R,)")
        stoich = np.asarray(self.stoichiometry, dtype=float)
        if stoich.ndim != 2 or stoich.shape[1] != self.x0.shape[0] or stoich.shape[0] == 0:
            raise ValueError(
                f"{self.name}: the stoichiometry must be R >= 1 rows of {self.x0.shape[0]} changes, "
                f"got shape {stoich.shape}"
            )
        if "seed" not in self.params:
            raise ValueError(f"{self.name}: a jump process carries its seed as the parameter 'seed'")

    @property
    def n_channels(self) -> int:
        """The number R of reaction channels."""
        return len(self.stoichiometry)

    @float64
    def rates(self, x: Any, params: Mapping[str, Any] | None = None) -> Array:
        """The propensities a_r(x, p) of the R channels at counts ``x``.

        Parameters
        ----------
        x : array_like, shape (d,)
            The counts.
        params : dict of str to array, optional
            Parameters to use instead of ``system.params``.

        Returns
        -------
        jax.Array, shape (R,)
        """
        assert self.propensity is not None  # __check_init__
        return self.propensity(jnp.asarray(x, dtype=jnp.float64), self.params if params is None else params)

    def evolution(self, method: str | None = None, step: float | None = None) -> Evolution:
        """Exact SSA steps of ``step`` time units (default ``dt``); see the module docstring.

        Parameters
        ----------
        method : str, optional
            Only None (default), ``"ssa"`` or ``"iterate"``: the step is the exact process over h.
        step : float, optional
            Time units per step, a finite number > 0 (default ``system.dt``).

        Returns
        -------
        Evolution
            An iterated evolution (its law advances one path by h; the step index keys its noise).

        Raises
        ------
        ValueError
            For another ``method`` or a ``step`` that is not a finite number > 0.
        """
        from ..simulate.evolution import Evolution

        if method not in (None, "ssa", "iterate"):
            raise ValueError(
                f"{self.name} is a jump process, advanced exactly by the SSA (method='ssa'), not {method!r}; "
                "for tau-leaping use dynstab.systems.jump.sample_paths(..., method='tau')"
            )
        h = as_step(self.dt if step is None else step, name="step")
        return Evolution(_ssa_step(self.propensity, self.stoichiometry, h), True, "iterate", h)

    @float64
    def drift_as_flow(self) -> Flow:
        """The rate equations dx/dt = sum_r nu_r a_r(x) in counts (the deterministic skeleton)."""
        return Flow(self.rhs, self.params, self.x0, self.names, name=self.name + " (drift)", reference=self.reference)


@functools.lru_cache(maxsize=64)
def _ssa_step(propensity: Callable, stoichiometry: tuple, h: float) -> Callable:
    """The law of `JumpProcess.evolution`: the exact process over h from x, keyed by (seed, step index)."""
    stoich = np.asarray(stoichiometry, dtype=np.float64)

    def law(x: Array, p: Any, k: Any) -> Array:
        key = jax.random.fold_in(jax.random.PRNGKey(jnp.asarray(p["seed"]).astype(jnp.uint32)), k)
        rng = jax.random.bits(key, (), jnp.uint64)

        def body(c):
            x, t, rng, _ = c
            tau, x_new, rng = _direct_event(propensity, jnp.asarray(stoich), x, p, rng)
            over = t + tau >= h
            return jnp.where(over, x, x_new), jnp.where(over, t, t + tau), rng, over

        x, _, _, _ = jax.lax.while_loop(lambda c: ~c[3], body, (x, jnp.asarray(0.0), rng, jnp.asarray(False)))
        return x

    return law


@float64
def jump_process(
    stoichiometry: Any,
    propensity: Callable[..., Array],
    *,
    params: Mapping[str, Any] | None = None,
    x0: Any,
    names: Sequence[str] | None = None,
    name: str = "jump process",
    reference: str = "",
    description: str = "",
    dt: float = 0.1,
    seed: int = 0,
) -> JumpProcess:
    """Build a `JumpProcess` from its change vectors and propensity function.

    Parameters
    ----------
    stoichiometry : array_like, shape (R, d)
        The change nu_r of the counts when channel r fires (integers).
    propensity : callable
        ``propensity(x, p) -> (R,)``: the rates at counts x (JAX-traceable); negative values count as 0.
    params : mapping of str to array_like, optional
        Parameters of the propensities (a ``seed`` entry is added).
    x0 : array_like, shape (d,)
        Initial counts (integers >= 0).
    names : sequence of str, optional
        Species names (default ``x1 .. xd``).
    name, reference, description : str
        Metadata.
    dt : float, default 0.1
        Time units of one evolution step (the default sampling interval).
    seed : int, default 0
        The ``seed`` parameter that keys the evolution's random numbers.

    Returns
    -------
    JumpProcess

    Raises
    ------
    ValueError
        For a non-integer stoichiometry of the wrong shape, negative or non-integer initial counts,
        or a propensity that does not return R rates.
    """
    x0_arr = as_state(x0, len(x0) if names is None else len(names), allow_batch=False)
    if np.any(x0_arr < 0) or np.any(x0_arr != np.round(x0_arr)):
        raise ValueError(f"{name}: x0 must be counts (integers >= 0), got {x0_arr.tolist()}")
    stoich = np.asarray(stoichiometry, dtype=float)
    if stoich.ndim != 2 or stoich.shape[1] != x0_arr.shape[0] or np.any(stoich != np.round(stoich)):
        raise ValueError(
            f"{name}: stoichiometry must be integer changes of shape (R, {x0_arr.shape[0]}), got {stoich.tolist()}"
        )
    ps = as_params(params)
    ps["seed"] = jnp.asarray(float(as_int(seed, name="seed", minimum=0)))
    out = jax.eval_shape(propensity, jnp.asarray(x0_arr), ps)
    if out.shape != (stoich.shape[0],):
        raise ValueError(f"{name}: propensity(x, p) returns shape {out.shape}; expected ({stoich.shape[0]},)")
    nu = jnp.asarray(stoich)

    def drift(x: Array, p: Any, t: Any) -> Array:
        return nu.T @ propensity(x, p)

    names = tuple(names) if names is not None else tuple(f"x{i + 1}" for i in range(x0_arr.shape[0]))
    return JumpProcess(
        drift,
        ps,
        jnp.asarray(x0_arr),
        names,
        name=name,
        reference=reference,
        description=description,
        dt=as_step(dt),
        stoichiometry=tuple(tuple(float(v) for v in row) for row in stoich),
        propensity=propensity,
    )


# ----------------------------------------------------------------------------------------- many paths
class PathSample(eqx.Module):
    """Paths of a jump process recorded on a time grid (`sample_paths`).

    Attributes
    ----------
    t : numpy.ndarray, shape (n,)
        The grid times.
    x : numpy.ndarray, shape (runs, n, d)
        The counts of every path at every grid time.
    events : numpy.ndarray, shape (runs,)
        Firings (SSA) or leaps (tau-leaping) per path.
    method : str
        ``"ssa"`` or ``"tau"``.
    seconds : float
        Wall time of the simulation (compilation included).
    """

    t: np.ndarray
    x: np.ndarray
    events: np.ndarray
    method: str = eqx.field(static=True)
    seconds: float = eqx.field(static=True)


@functools.lru_cache(maxsize=64)
def _paths_kernel(propensity: Callable, stoichiometry: tuple, size: int, method: str, tau: float) -> Callable:
    """A jitted ``piece(carry, params, t0, dt, start, count)`` recording rows start .. start+count-1 of every path."""
    stoich = jnp.asarray(np.asarray(stoichiometry, dtype=np.float64))
    d = stoich.shape[1]

    def one(carry, p, t0, dt, start, count):
        x, t, rng, n = carry
        out = jnp.zeros((size, d))

        if method == "ssa":

            def body(c):
                x, t, i, rng, n, out = c
                # writing row i every iteration leaves in it the state at the record (no gather needed)
                out = jax.lax.dynamic_update_slice(out, x[None], (i, 0))
                tau_, x_new, rng = _direct_event(propensity, stoich, x, p, rng)
                tg = t0 + (start + i) * dt
                rec = t + tau_ >= tg
                return (
                    jnp.where(rec, x, x_new),
                    jnp.where(rec, tg, t + tau_),
                    i + rec.astype(i.dtype),
                    rng,
                    n + (~rec).astype(n.dtype),
                    out,
                )

        else:

            def body(c):
                x, t, i, rng, n, out = c
                h_try, key = rng  # the current leap and the path's key
                out = jax.lax.dynamic_update_slice(out, x[None], (i, 0))
                tg = t0 + (start + i) * dt
                rec = t >= tg
                left = tg - t
                h = jnp.minimum(h_try, left)
                a = jnp.maximum(propensity(x, p), 0.0)
                k = jax.random.poisson(jax.random.fold_in(key, n), a * jnp.maximum(h, 0.0)).astype(jnp.float64)
                x_new = x + k @ stoich
                ok = jnp.all(x_new >= 0) | (h_try * 2.0**_HALVINGS < tau)
                x_new = jnp.maximum(x_new, 0.0)
                take = ~rec & ok
                t_new = jnp.where(h >= left, tg, t + h)
                return (
                    jnp.where(take, x_new, x),
                    jnp.where(take, t_new, t),
                    i + rec.astype(i.dtype),
                    (jnp.where(rec | take, tau, h_try * 0.5), key),
                    n + (~rec).astype(n.dtype),
                    out,
                )

        zero = jnp.asarray(0, dtype=jnp.int64)
        x, t, _, rng, n, out = jax.lax.while_loop(lambda c: c[2] < count, body, (x, t, zero, rng, n, out))
        return (x, t, rng, n), out

    def piece(carry, p, t0, dt, start, count):
        return jax.vmap(one, in_axes=(0, None, None, None, None, None))(carry, p, t0, dt, start, count)

    return jax.jit(piece)


@float64
def sample_paths(
    system: JumpProcess,
    t: float,
    dt: float | None = None,
    *,
    runs: int = 1000,
    x0: Any = None,
    seed: int = 0,
    method: str = "ssa",
    tau: float | None = None,
    params: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> PathSample:
    """Simulate ``runs`` independent paths of a jump process and record them every ``dt`` up to ``t``.

    One compiled call per chunk: each path is a ``lax.while_loop`` of firings (SSA) or leaps
    (tau-leaping), the paths a ``vmap`` of it; the grid is ``0, dt, ..., t``. A long run is split
    into chunks of grid rows (`dynstab.simulate.evolution.in_chunks`), so Ctrl-C stops it within a
    chunk and ``progress(done, total)`` reports rows. See the module docstring for the algorithms.

    Parameters
    ----------
    system : JumpProcess
        The process.
    t : float
        The time span (>= 0).
    dt : float, optional
        The recording interval (default ``system.dt``), at most ``t`` when ``t > 0``.
    runs : int, default 1000
        The number of independent paths.
    x0 : array_like, shape (d,) or (runs, d), optional
        Initial counts (default ``system.x0``).
    seed : int, default 0
        Seeds the paths' generators (path i gets its own stream).
    method : {"ssa", "tau"}, default "ssa"
        Exact SSA or Poisson tau-leaping.
    tau : float, optional
        The leap of tau-leaping (default ``dt / 10``); not used by the SSA.
    params : mapping, optional
        Parameter values replacing the system's (same shapes).
    progress : callable, optional
        ``progress(done, total)`` in grid rows, between chunks.

    Returns
    -------
    PathSample

    Raises
    ------
    ValueError
        For a bad ``t``, ``dt``, ``runs``, ``method``, ``tau`` or ``x0`` (negative or non-integer
        counts), before any work.
    AllocationError
        If the recorded paths would exceed the memory limit (`dynstab.limits`).
    """
    import time

    from ..limits import check_allocation
    from ..simulate.evolution import in_chunks

    if not isinstance(system, JumpProcess):
        raise TypeError(f"sample_paths needs a JumpProcess, got {type(system).__name__}")
    if method not in JUMP_METHODS:
        raise ValueError(f"method must be one of {JUMP_METHODS}, got {method!r}")
    t = as_float(t, name="t (the time span)", minimum=0.0)
    dt = as_step(system.dt if dt is None else dt, name="dt")
    if t > 0 and dt > t:
        raise ValueError(f"dt={dt:g} is longer than the span t={t:g}; give dt <= t")
    runs = as_int(runs, name="runs", minimum=1)
    seed = as_int(seed, name="seed", minimum=0)
    tau_leap = as_step(dt / 10 if tau is None else tau, name="tau")
    x0_arr = as_state(system.x0 if x0 is None else x0, system.dim)
    if np.any(x0_arr < 0) or np.any(x0_arr != np.round(x0_arr)):
        raise ValueError("x0 must be counts (integers >= 0)")
    if x0_arr.ndim == 2 and x0_arr.shape[0] != runs:
        raise ValueError(f"x0 has {x0_arr.shape[0]} rows for runs={runs}; give one state or one per run")
    p = dict(system.params)
    for key, value in as_params(params).items():
        if key not in p:
            system.with_params(**{key: 0.0})  # the helpful unknown-parameter error
        if value.shape != p[key].shape:
            raise ValueError(f"params[{key!r}] has shape {value.shape}; expected {p[key].shape}")
        p[key] = value
    n_t = int(round(t / dt)) + 1
    check_allocation(
        runs * n_t * system.dim * 8.0,
        f"the paths ({runs} runs x {n_t} times x {system.dim} species)",
        "record less often with a larger dt, fewer runs or a shorter t",
    )
    began = time.perf_counter()
    xs = np.broadcast_to(x0_arr, (runs, system.dim)).astype(np.float64)
    keys = jax.random.split(jax.random.PRNGKey(seed), runs)
    if method == "ssa":
        rng: Any = jax.vmap(lambda k: jax.random.bits(k, (), jnp.uint64))(keys)
    else:
        rng = (jnp.full((runs,), tau_leap), keys)
    carry = (jnp.asarray(xs), jnp.zeros(runs), rng, jnp.zeros(runs, dtype=jnp.int64))
    # first chunk: about 2e6 firings over all paths, from the rates at x0 (later chunks are timed)
    a0 = float(jnp.sum(jnp.maximum(system.rates(xs[0], p), 0.0)))
    per_row = max(a0 * dt if method == "ssa" else dt / tau_leap, 1.0) * runs
    # rows per compiled chunk: few enough that the loop's whole carry (the chunk's rows and every path's state)
    # stays under XLA's small-loop threshold, so the while loop runs as one kernel rather than op by op
    # (dynstab._config; 3-10x faster here, benchmarks/bench_kinetics.py)
    budget = small_loop_bytes() // 2 if small_loop_bytes() > 0 else 2**20
    row = runs * system.dim * 8
    size = int(min(n_t, max(1, (budget - runs * (system.dim * 8 + 40)) // row)))
    first = int(min(size, max(1, 2e6 // per_row)))
    kernel = _paths_kernel(system.propensity, system.stoichiometry, size, method, tau_leap)
    out = np.empty((runs, n_t, system.dim))

    def piece(c: Any, start: int, count: int) -> Any:
        return kernel(c, p, 0.0, dt, start, count)

    def store(start: int, ys: Any) -> None:
        out[:, start : start + ys.shape[1]] = ys

    carry, _ = in_chunks(piece, carry, n_t, first, size, axis=1, progress=progress, store=store)
    events = np.asarray(carry[3])
    return PathSample(t=np.arange(n_t) * dt, x=out, events=events, method=method, seconds=time.perf_counter() - began)
