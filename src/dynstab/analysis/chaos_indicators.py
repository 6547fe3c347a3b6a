"""Chaos indicators of flows and maps: SALI, GALI_k, finite-time and local Lyapunov exponents, 0-1 test.

All of them evolve deviation vectors with the tangent dynamics of `dynstab.analysis.lyapunov`
(``_tangent_law``: autodiff ``jax.linearize`` of the law or the system's analytic Jacobian,
advanced with the state by the same fixed-step RK step), batched over initial conditions with
``vmap`` in one compiled call.

* SALI (Skokos, J. Phys. A 34, 10029 (2001)) and GALI_k (Skokos, Bountis & Antonopoulos,
  Physica D 231, 30 (2007)): volumes spanned by k unit deviation vectors.
* Finite-time Lyapunov exponents (FTLE fields, Haller, Physica D 149, 248 (2001); Shadden,
  Lekien & Marsden, Physica D 212, 271 (2005)) and local Lyapunov exponents along an orbit
  (Abarbanel, Brown & Kennel, J. Nonlinear Sci. 1, 175 (1991)).
* `zero_one_test_system`: the 0-1 test (`dynstab.timeseries.zero_one_test`) of an observable of
  a simulated orbit.
* The largest exponent without a Jacobian (two nearby orbits) is
  `dynstab.analysis.lyapunov.max_lyapunov_two_trajectory`, re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..simulate import evolution as loops
from ..simulate.evolution import (
    Evolution,
    Plan,
    chunks_of,
    default_transient,
    estimated_seconds,
    in_chunks,
    intervals,
    intervals_part,
    run,
    states_after,
)
from ..systems.base import System, as_state, check_system, evolution_of
from ..timeseries.zero_one import ZeroOneResult, zero_one_test
from ..validation import as_finite_array, as_float, as_int, as_positive_float
from .lyapunov import benettin, evolution_plan, fixed_step_evolution, max_lyapunov_two_trajectory

__all__ = [
    "AlignmentIndex",
    "gali",
    "sali",
    "finite_time_lyapunov",
    "LocalLyapunov",
    "local_lyapunov_exponents",
    "zero_one_test_system",
    "max_lyapunov_two_trajectory",
]


def _evolution(system: Any, what: str, method: str, dt: float | None) -> Evolution:
    """The evolution of a deterministic system (continuous time: fixed-step ``method`` with step ``dt``)."""
    check_system(system, what, deterministic=True)
    ev = fixed_step_evolution(system, method, dt)
    if ev.observed is not None:
        raise TypeError(
            f"{system.name}: {what} is implemented for systems whose state is the whole phase space "
            "(flows and maps), not for a delay equation's history buffer"
        )
    return ev


# ----------------------------------------------------------------------------- SALI / GALI
@dataclass(frozen=True)
class AlignmentIndex:
    """Result of `gali` / `sali`.

    Attributes
    ----------
    times : numpy.ndarray
        Time (flows) or iteration (maps) of each value, shape (n_out,), measured from the end of
        the transient.
    gali : numpy.ndarray
        GALI_k at ``times``, shape (n_out,) for one initial condition or (B, n_out) for a batch.
    sali : numpy.ndarray
        SALI (from the first two deviation vectors), same shape as ``gali``.
    k : int
        Number of deviation vectors.
    system : System
        The system analysed.
    settings : dict
        The run's settings (``dt``, ``sample``, ``method``, ``seed``, ``transient``).
    """

    times: np.ndarray
    gali: np.ndarray
    sali: np.ndarray
    k: int
    system: System
    settings: dict[str, Any] = field(default_factory=dict)

    def chaotic(self, threshold: float = 1e-8) -> np.ndarray | bool:
        """Verdict "chaotic" per orbit: GALI_k fell below ``threshold`` (Skokos et al. 2007 use 1e-8 to 1e-12).

        Parameters
        ----------
        threshold : float, default 1e-8
            An orbit is chaotic when the smallest GALI_k over ``times`` is below this value.

        Returns
        -------
        bool or numpy.ndarray
            One bool for a single initial condition, a bool array of shape (B,) for a batch.

        References
        ----------
        Skokos, Bountis & Antonopoulos, Physica D 231, 30 (2007).
        """
        out = np.min(self.gali, axis=-1) < threshold
        return bool(out) if out.ndim == 0 else out

    def decay_rate(self, t_min: float | None = None, floor: float = 1e-13) -> float | np.ndarray:
        """Exponential rate r of GALI_k ~ exp(-r t).

        Least-squares slope of -ln GALI_k over times >= ``t_min`` while GALI_k > ``floor`` (the
        round-off floor). For a chaotic orbit r = (lambda_1 - lambda_2) + ... + (lambda_1 - lambda_k)
        (Skokos et al. 2007, Eq. 11).

        Parameters
        ----------
        t_min : float, optional
            First time (flows) or iteration (maps) of the fit; default the first of ``times``.
        floor : float, default 1e-13
            The fit stops at the first value of GALI_k at or below ``floor`` (or not finite).

        Returns
        -------
        float or numpy.ndarray
            The rate for a single initial condition, or an array of shape (B,) for a batch; NaN
            where fewer than 3 points qualify for the fit.

        References
        ----------
        Skokos, Bountis & Antonopoulos, Physica D 231, 30 (2007).
        """
        g = np.atleast_2d(self.gali)
        t0 = self.times[0] if t_min is None else t_min
        rates: list[float] = []
        for row in g:
            ok = (self.times >= t0) & (row > floor) & np.isfinite(row)
            if np.cumprod(ok[self.times >= t0]).sum() < 3:
                rates.append(np.nan)
                continue
            keep = np.flatnonzero(self.times >= t0)[: int(np.cumprod(ok[self.times >= t0]).sum())]
            rates.append(-np.polyfit(self.times[keep], np.log(row[keep]), 1)[0])
        out = np.asarray(rates)
        return float(out[0]) if self.gali.ndim == 1 else out

    def to_xarray(self):
        import xarray as xr

        dims = ("ic", "time") if self.gali.ndim == 2 else ("time",)
        return xr.Dataset(
            {f"gali_{self.k}": (dims, self.gali), "sali": (dims, self.sali)},
            coords={"time": self.times},
            attrs={
                "system": self.system.name,
                "k": self.k,
                **{k: v for k, v in self.settings.items() if isinstance(v, (int, float, str))},
            },
        )

    def plot(self, ax=None, loglog: bool = False):
        """GALI_k against time on a log scale (``loglog`` for the power laws of regular orbits).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; default a new figure.
        loglog : bool, default False
            Also use a logarithmic time axis.

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the axes.
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4)) if ax is None else (ax.figure, ax)
        g = np.atleast_2d(self.gali)
        for i, row in enumerate(g):
            ax.plot(self.times, row, lw=0.8, label=f"GALI$_{self.k}$" if i == 0 else None)
        ax.set_yscale("log")
        if loglog:
            ax.set_xscale("log")
        ax.set_xlabel("iterations" if self.system.kind == "map" else "time")
        ax.set_ylabel(f"GALI$_{self.k}$")
        ax.set_title(f"{self.system.name}: generalized alignment index")
        ax.legend()
        return fig

    def __repr__(self) -> str:
        last = np.atleast_1d(self.gali[..., -1])
        return f"AlignmentIndex({self.system.name!r}, k={self.k}, final GALI={np.array2string(last, precision=3)})"


def _alignment_finish(state):
    """Normalize the deviation vectors; GALI_k (volume of the unit vectors' parallelotope) and SALI."""
    x, W = state
    W = W / jnp.sqrt(jnp.sum(W * W, axis=0, keepdims=True))  # unit deviation vectors
    g = jnp.prod(jnp.linalg.svd(W, compute_uv=False))  # volume of the k-parallelotope
    s = jnp.minimum(jnp.linalg.norm(W[:, 0] + W[:, 1]), jnp.linalg.norm(W[:, 0] - W[:, 1]))
    return (x, W), (g, s)


@partial(jax.jit, static_argnames=("evolution", "plan"))
def _alignment(evolution: Evolution, plan: Plan, x0s, W0, params, t0):
    ev = evolution
    step, tangent = ev.step(params), ev.tangent_step(params)

    def one(x0):
        x = run(step, x0, t0, ev.tick, plan.n_transient)
        start = t0 + plan.n_transient * ev.tick
        _, (g, s) = intervals(tangent, (x, W0), start, ev.tick, plan.n_sub, plan.n_out, _alignment_finish)
        return g, s

    return jax.vmap(one)(x0s)


@partial(jax.jit, static_argnames=("evolution", "n_sub", "size"))
def _alignment_piece(evolution: Evolution, n_sub: int, size: int, carry, params, t0, start, count):
    """One chunk of a long `gali` run (`dynstab.simulate.evolution.intervals_part` of `_alignment`'s intervals)."""
    ev = evolution
    tangent = ev.tangent_step(params)
    one = lambda c: intervals_part(tangent, c, t0, ev.tick, n_sub, size, start, count, _alignment_finish)  # noqa: E731
    return jax.vmap(one)(carry)


def _alignment_in_chunks(ev: Evolution, plan: Plan, x0s, W0, params, t0, progress):
    """`_alignment` as compiled chunks of about `CHUNK_SECONDS` (a long run: interruptible, with progress)."""
    B, (d, k) = x0s.shape[0], W0.shape
    x = states_after(ev, plan.n_transient, x0s, params, t0)
    cut = chunks_of(plan.n_out, plan.n_sub, d * (k + 1), B)
    g, s = np.empty((B, plan.n_out)), np.empty((B, plan.n_out))

    def store(start, ys):
        g[:, start : start + ys[0].shape[1]], s[:, start : start + ys[1].shape[1]] = ys

    start_time = t0 + plan.n_transient * ev.tick
    piece = lambda c, j, m: _alignment_piece(ev, plan.n_sub, cut.size, c, params, start_time, j, m)  # noqa: E731
    carry = (x, jnp.broadcast_to(W0, (B, d, k)))
    in_chunks(
        piece, carry, plan.n_out, cut.first, cut.size, axis=1, progress=progress, multiple=cut.multiple, store=store
    )
    return g, s


@float64
def gali(
    system: System,
    k: int = 2,
    t: float | None = None,
    *,
    n: int | None = None,
    x0: Any = None,
    dt: float | None = None,
    sample: float | None = None,
    transient: float | None = None,
    seed: int = 0,
    method: str = "rk4",
    progress: Callable[[int, int], None] | None = None,
) -> AlignmentIndex:
    """Generalized alignment index GALI_k and SALI along one or many orbits.

    k deviation vectors w_1..w_k (initially orthonormal, random from ``seed``) follow the
    variational equation dw/dt = J(x(t)) w (maps: w' = J w) and are normalized to unit length;

        GALI_k(t) = || w^_1 ^ ... ^ w^_k || = prod_i sigma_i(W),   W = [w^_1 .. w^_k]

    (the volume of the parallelotope of the unit vectors, the product of W's singular values;
    Skokos, Bountis & Antonopoulos, Physica D 231, 30 (2007), Eqs. 3 and 10), and
    SALI(t) = min(||w^_1 + w^_2||, ||w^_1 - w^_2||) (Skokos, J. Phys. A 34, 10029 (2001)).
    Chaotic orbits: GALI_k ~ exp(-[(l1 - l2) + ... + (l1 - lk)] t) (so SALI and GALI_2 ~
    exp(-(l1 - l2) t)). Regular orbits on an s-torus of an N-degree-of-freedom Hamiltonian
    system (or 2N-dimensional symplectic map): GALI_k ~ const for k <= s, ~ t^-(k-s) for
    s < k <= 2N - s, ~ t^-2(k-N) for k > 2N - s (Skokos et al. 2007, Eq. 23); e.g. 2 DOF on a
    2-torus: GALI_2 const, GALI_3 ~ t^-2, GALI_4 ~ t^-4; an invariant curve of a 2-D map: GALI_2 ~ t^-2.

    Flows: ``t`` time units of fixed-step ``method`` with step ``dt`` (default ``system.dt``),
    output every ``sample`` time units (default 10 steps); maps: ``n`` iterations, output every
    ``sample`` iterations (default 1). ``x0`` of shape (B, d) runs B orbits in one compiled call.
    Values saturate at the round-off floor ~1e-16 once the vectors have aligned. A run longer than
    `dynstab.simulate.evolution.LONG_RUN_SECONDS` goes in compiled chunks of about
    `dynstab.simulate.evolution.CHUNK_SECONDS` (Ctrl-C stops it within a chunk; same values).

    Parameters
    ----------
    system : System
        A deterministic flow or map whose state is the whole phase space (not a delay equation).
    k : int, default 2
        Number of deviation vectors, 2 <= k <= d.
    t : float, optional
        Flows: integration time after the transient. Maps: the number of iterations (as ``n``).
    n : int, optional
        Maps: number of iterations after the transient. Flows: number of steps of ``dt``
        (instead of ``t``).
    x0 : array_like, optional
        Initial condition, shape (d,), or a batch of B initial conditions, shape (B, d); default
        ``system.x0``.
    dt : float, optional
        Step of the fixed-step ``method`` (flows); default ``system.dt``.
    sample : float, optional
        Output interval: time units (flows, default 10 steps) or iterations (maps, default 1).
    transient : float, optional
        Discarded before the deviation vectors start: time units (flows) or iterations (maps);
        default 10% of the run, at most 100 time units or 1000 iterations.
    seed : int, default 0
        Seed of the random orthonormal initial deviation vectors.
    method : str, default "rk4"
        Fixed-step integration method (flows).
    progress : callable, optional
        ``progress(done, total)`` in output intervals, called between the compiled chunks of a long run.

    Returns
    -------
    AlignmentIndex
        GALI_k and SALI at the output times.

    Raises
    ------
    TypeError
        For a stochastic system or a delay equation.
    ValueError
        For ``k`` outside 2..d, a malformed ``x0`` or a missing/invalid run length.
    FloatingPointError
        When an orbit or its deviation vectors leave the finite numbers.

    References
    ----------
    Ch. Skokos, J. Phys. A 34, 10029 (2001); Ch. Skokos, T. C. Bountis & C. Antonopoulos,
    Physica D 231, 30 (2007).
    """
    ev = _evolution(system, "GALI", method, dt)
    d = system.dim
    k = as_int(k, name="k", minimum=2, maximum=d)
    x0s = as_state(system.x0 if x0 is None else x0, d)
    batch = x0s.ndim == 2
    plan = evolution_plan(system, ev, t, n, sample, transient, every_name="sample")
    W0 = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, k)))[0]
    x0b, t0 = jnp.asarray(np.atleast_2d(x0s)), ev.time_zero()
    steps = plan.n_transient + plan.n_out * plan.n_sub
    if estimated_seconds(steps, d * (k + 1), x0b.shape[0]) <= loops.LONG_RUN_SECONDS:
        g, s = _alignment(ev, plan, x0b, jnp.asarray(W0), system.params, t0)
    else:
        g, s = _alignment_in_chunks(ev, plan, x0b, jnp.asarray(W0), system.params, t0, progress)
    g, s = np.asarray(g), np.asarray(s)
    if not np.all(np.isfinite(g)):
        raise FloatingPointError(
            f"{system.name}: an orbit or its deviation vectors left the finite numbers; check x0, parameters and dt"
        )
    h = abs(ev.h)
    times = plan.n_sub * np.arange(1, plan.n_out + 1) * h  # measured from the end of the transient
    settings = {"dt": h, "sample": plan.n_sub * h, "method": ev.method, "seed": seed, "transient": plan.n_transient * h}
    if not batch:
        g, s = g[0], s[0]
    return AlignmentIndex(times, g, s, k, system, settings)


@float64
def sali(system: System, t: float | None = None, **kwargs) -> AlignmentIndex:
    """Smaller alignment index SALI(t) = min(||w^_1 + w^_2||, ||w^_1 - w^_2||) of two unit deviation vectors.

    Skokos, J. Phys. A 34, 10029 (2001): SALI -> 0 exponentially, like exp(-(l1 - l2) t), for
    chaotic orbits (Skokos et al., J. Phys. A 37, 6269 (2004)) and fluctuates around a positive
    value for regular orbits of 2-DOF Hamiltonian systems. Returns the `AlignmentIndex` of
    `gali` with k = 2 (its ``.sali`` field; GALI_2 = ||w1 ^ w2|| is proportional to SALI).

    Parameters
    ----------
    system : System
        A deterministic flow or map whose state is the whole phase space.
    t : float, optional
        Flows: integration time after the transient; maps: the number of iterations.
    **kwargs
        Every keyword argument of `gali` except ``k`` (``n``, ``x0``, ``dt``, ``sample``,
        ``transient``, ``seed``, ``method``, ``progress``).

    Returns
    -------
    AlignmentIndex
        With k = 2; SALI in its ``sali`` field.

    Raises
    ------
    TypeError, ValueError, FloatingPointError
        As `gali`.

    References
    ----------
    Ch. Skokos, J. Phys. A 34, 10029 (2001); Ch. Skokos, Ch. Antonopoulos, T. C. Bountis &
    M. N. Vrahatis, J. Phys. A 37, 6269 (2004).
    """
    return gali(system, 2, t, **kwargs)


# ------------------------------------------------------------------------- finite-time exponents
@partial(jax.jit, static_argnames=("evolution", "plan", "rows"))
def _ftle(evolution: Evolution, plan: Plan, x0s, Q0, params, t0, rows):
    ev = evolution
    tangent = ev.tangent_step(params)

    def rescale(state):
        x, Q, logscale = state
        nrm = jnp.sqrt(jnp.sum(Q * Q))  # rescale: exp(lambda t) would overflow for long t
        return (x, Q / nrm, logscale + jnp.log(nrm)), None

    def one(x0):
        step = lambda s, t, k: (*tangent((s[0], s[1]), t, k), s[2])  # noqa: E731
        (x, Q, logscale), _ = intervals(step, (x0, Q0, 0.0), t0, ev.tick, plan.n_sub, plan.n_out, rescale)
        sub = Q[jnp.asarray(rows), :]
        return logscale + jnp.log(jnp.linalg.svd(sub, compute_uv=False)[0])

    return jax.vmap(one)(x0s)


@float64
def finite_time_lyapunov(
    system: System,
    x0s: Any,
    t: float,
    *,
    dt: float | None = None,
    t0: float = 0.0,
    variables: Any = None,
    method: str = "rk4",
    renormalize: float | None = None,
) -> np.ndarray:
    """Largest finite-time Lyapunov exponent of many initial conditions (an FTLE field).

        sigma_t(x0) = (1 / |t|) ln sigma_max(dPhi_t0^{t0+t}(x0) / dx0)
                    = (1 / |t|) ln sqrt(lambda_max(C)),  C = (dPhi)^T dPhi (Cauchy-Green tensor)

    (Haller, Physica D 149, 248 (2001); Shadden, Lekien & Marsden, Physica D 212, 271 (2005)).
    ``t`` < 0 integrates backward (attracting Lagrangian coherent structures); maps take
    ``t`` = n iterations. ``x0s`` has shape (..., d) (e.g. a grid (ny, nx, d)); the result has
    shape ``x0s.shape[:-1]``. ``variables`` (indices) restricts the flow-map gradient to those
    coordinates, e.g. ``(0, 1)`` for a forced planar flow whose phase is a state variable
    (the double gyre). The gradient is rescaled every ``renormalize`` time units (default 100
    steps) so long horizons do not overflow. All points run in one vmapped compiled call.

    Parameters
    ----------
    system : System
        A deterministic flow or map whose state is the whole phase space.
    x0s : array_like
        Initial conditions, shape (..., d), e.g. a grid (ny, nx, d).
    t : float
        Flows: the horizon, finite and non-zero (negative integrates backward). Maps: the number
        of iterations, an int >= 1.
    dt : float, optional
        Nominal step of the fixed-step ``method`` (flows); default ``system.dt``, shrunk so that a
        whole number of steps spans ``|t|``.
    t0 : float, default 0.0
        Initial time (iteration index for maps) of a time-dependent law.
    variables : sequence of int, optional
        Distinct state indices to which the flow-map gradient is restricted; default all.
    method : str, default "rk4"
        Fixed-step integration method (flows).
    renormalize : float, optional
        Rescaling interval in time units (flows); default 100 steps.

    Returns
    -------
    numpy.ndarray
        The exponents sigma_t, shape ``x0s.shape[:-1]``.

    Raises
    ------
    TypeError
        For a stochastic system or a delay equation.
    ValueError
        For ``x0s`` whose last axis is not d, ``t`` = 0, or invalid ``variables``.

    References
    ----------
    G. Haller, Physica D 149, 248 (2001); S. C. Shadden, F. Lekien & J. E. Marsden, Physica D
    212, 271 (2005).
    """
    check_system(system, "the finite-time Lyapunov exponent", deterministic=True)
    d = system.dim
    arr = as_finite_array(x0s, name="x0s")
    if arr.ndim == 0 or arr.shape[-1] != d:
        raise ValueError(f"x0s has shape {arr.shape}; expected (..., {d}) for a {d}-dimensional system")
    flat = as_state(arr.reshape(-1, d), d, what="x0s")
    if not system.continuous_time:
        t = as_int(t, name="t (for a map, the number of iterations)", minimum=1)
        ev = _evolution(system, "the finite-time Lyapunov exponent", method, None)
        plan = Plan(0, 1, t)
        t0_arr = jnp.asarray(int(as_float(t0, name="t0")))
    else:
        t = as_float(t, name="t")
        if t == 0:
            raise ValueError(f"t must be finite and non-zero (negative integrates backward), got {t!r}")
        h = abs(_evolution(system, "the finite-time Lyapunov exponent", method, dt).h)
        n_steps = max(1, int(math.ceil(abs(t) / h - 1e-9)))
        h = abs(t) / n_steps  # a whole number of steps spans exactly |t|
        every = 100 * h if renormalize is None else as_positive_float(renormalize, name="renormalize")
        target = max(1, min(n_steps, int(round(every / h))))
        m = next(q for q in range(target, 0, -1) if n_steps % q == 0)  # renormalization interval dividing n_steps
        ev = evolution_of(system, method, h).with_step(math.copysign(h, t))
        plan = Plan(0, m, n_steps // m)
        t0_arr = jnp.asarray(as_float(t0, name="t0"))
    rows = (
        tuple(range(d))
        if variables is None
        else tuple(as_int(i, name="each of variables") for i in np.atleast_1d(variables).tolist())
    )
    if not rows or any(not 0 <= i < d for i in rows) or len(set(rows)) != len(rows):
        raise ValueError(f"variables must be distinct indices in 0..{d - 1}, got {variables!r}")
    Q0 = np.eye(d)[:, list(rows)]
    out = np.asarray(_ftle(ev, plan, jnp.asarray(flat), jnp.asarray(Q0), system.params, t0_arr, rows)) / plan.span(ev)
    return out.reshape(arr.shape[:-1])


@dataclass(frozen=True)
class LocalLyapunov:
    """Result of `local_lyapunov_exponents`: the local exponents over windows starting at ``times``.

    Attributes
    ----------
    exponents : numpy.ndarray
        Local largest exponent of each window, shape (n,).
    times : numpy.ndarray
        Start time (flows) or iteration (maps) of each window, shape (n,).
    window : float
        Window length in time units (iterations for maps).
    kind : str
        ``"continued"`` or ``"fresh"``.
    system : System
        The system analysed.
    """

    exponents: np.ndarray
    times: np.ndarray
    window: float
    kind: str
    system: System

    @property
    def mean(self) -> float:
        return float(np.mean(self.exponents))

    @property
    def std(self) -> float:
        return float(np.std(self.exponents, ddof=1)) if self.exponents.size > 1 else math.nan

    def to_xarray(self):
        import xarray as xr

        return xr.Dataset(
            {"exponent": (("time",), self.exponents)},
            coords={"time": self.times},
            attrs={"system": self.system.name, "window": self.window, "kind": self.kind, "mean": self.mean},
        )

    def plot(self, ax=None, bins: int = 50):
        """Histogram of the local exponents with their mean.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; default a new figure.
        bins : int, default 50
            Number of histogram bins.

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding the axes.
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4)) if ax is None else (ax.figure, ax)
        ax.hist(self.exponents, bins=bins, density=True, alpha=0.7)
        ax.axvline(self.mean, color="crimson", ls="--", label=f"mean = {self.mean:.4g}")
        ax.set_xlabel(f"local exponent (window {self.window:g})")
        ax.set_ylabel("density")
        ax.set_title(f"{self.system.name}: local Lyapunov exponents ({self.kind})")
        ax.legend()
        return fig

    def __repr__(self) -> str:
        return (
            f"LocalLyapunov({self.system.name!r}, n={self.exponents.size}, window={self.window:g}, "
            f"mean={self.mean:.4g}, std={self.std:.3g})"
        )


@float64
def local_lyapunov_exponents(
    system: System,
    x0: Any = None,
    window: float = 1.0,
    n: int = 1000,
    *,
    kind: str = "continued",
    dt: float | None = None,
    transient: float | None = None,
    seed: int = 0,
    method: str = "rk4",
    progress: Callable[[int, int], None] | None = None,
) -> LocalLyapunov:
    """Distribution of the largest exponent over ``n`` consecutive windows of length ``window`` along one orbit.

    ``kind="continued"`` (default): one tangent vector carried along the orbit (Benettin's
    algorithm, `dynstab.analysis.lyapunov`), lambda_i = (1/window) ln(|w(t_i + window)| / |w(t_i)|);
    their mean is the global lambda_1 over n * window (exactly the Benettin estimate), their spread
    the local predictability. ``kind="fresh"``: the local exponent of Abarbanel, Brown & Kennel,
    J. Nonlinear Sci. 1, 175 (1991): the largest finite-time exponent of each window's own
    propagator, (1/window) ln sigma_max(DPhi_window(x(t_i))) (`finite_time_lyapunov` at points of
    the orbit); its mean exceeds lambda_1 by O(1/window) and converges as window grows.

    Flows: ``window`` in time units (a multiple of ``dt``), maps: in iterations.
    ``transient`` (default 10% of the span, at most 100) is discarded first; for "continued"
    the first windows until the vector has aligned (about 20 time units or iterations) are
    dropped too.

    Parameters
    ----------
    system : System
        A deterministic flow or map whose state is the whole phase space.
    x0 : array_like, optional
        Initial condition, shape (d,); default ``system.x0``.
    window : float, default 1.0
        Window length: time units (flows; the step is shrunk so that it is a whole number of
        steps) or iterations (maps, an int >= 1).
    n : int, default 1000
        Number of windows, at least 2.
    kind : {"continued", "fresh"}, default "continued"
        One tangent vector carried along the orbit, or each window's own propagator.
    dt : float, optional
        Step of the fixed-step ``method`` (flows); default ``system.dt``.
    transient : float, optional
        Discarded first: time units (flows) or iterations (maps); default 10% of the span, at
        most 100 time units or 1000 iterations.
    seed : int, default 0
        Seed of the random initial tangent vector (``kind="continued"``).
    method : str, default "rk4"
        Fixed-step integration method (flows).
    progress : callable, optional
        ``progress(done, total)`` in windows (``kind="continued"``: between the compiled chunks of a long
        run, `dynstab.analysis.lyapunov.benettin`, which Ctrl-C also stops within a chunk).

    Returns
    -------
    LocalLyapunov
        The local exponents and the start times of their windows.

    Raises
    ------
    TypeError
        For a stochastic system or a delay equation.
    ValueError
        For an unknown ``kind``, ``n`` < 2, a non-positive ``window`` or a malformed ``x0``.
    FloatingPointError
        When the orbit leaves the finite numbers.

    References
    ----------
    G. Benettin, L. Galgani, A. Giorgilli & J.-M. Strelcyn, Meccanica 15, 9 (1980);
    H. D. I. Abarbanel, R. Brown & M. B. Kennel, J. Nonlinear Sci. 1, 175 (1991).
    """
    ev = _evolution(system, "local Lyapunov exponents", method, dt)
    if kind not in ("continued", "fresh"):
        raise ValueError(f"kind must be 'continued' or 'fresh', got {kind!r}")
    n = as_int(n, name="n (the number of windows)", minimum=2)
    x0 = as_state(system.x0 if x0 is None else x0, system.dim, allow_batch=False)
    is_map = not system.continuous_time
    h = abs(ev.h)
    if is_map:
        m = as_int(window, name="window (for a map, the number of iterations)", minimum=1)
    else:
        window = as_positive_float(window, name="window")
        m = max(1, int(round(window / h)))
        if abs(m * h - window) > 1e-9 * window:
            h = window / m  # the window must be a whole number of steps
            ev = evolution_of(system, method, h)
    span = n * m * h
    tr = (
        default_transient(ev, span)
        if transient is None
        else as_float(transient, name="transient", minimum=0.0) * (h if is_map else 1.0)
    )
    n_tr = int(math.ceil(tr / h - 1e-9))
    if kind == "continued":
        n_align = int(math.ceil(20.0 / (m * h)))
        q0 = np.random.default_rng(seed).standard_normal((system.dim, 1))
        q0 /= np.linalg.norm(q0)
        logs, _ = benettin(
            ev,
            Plan(n_tr, m, n + n_align),
            False,
            jnp.asarray(x0[None]),
            jnp.asarray(q0),
            system.params,
            ev.time_zero(),
            progress=progress,
        )
        logs = np.asarray(logs)[0, n_align:, 0]
        times = (n_tr + m * np.arange(n_align, n + n_align)) * h
    else:
        from ..simulate.trajectory import trajectory

        if is_map:
            tr_pts = trajectory(system, n=(n - 1) * m, dt=m, x0=x0, transient=n_tr).x
        else:
            tr_pts = trajectory(system, t=(n - 1) * m * h, dt=m * h, x0=x0, transient=n_tr * h, method=method, step=h).x
        logs = finite_time_lyapunov(system, tr_pts, m if is_map else m * h, dt=h, method=method) * (m * h)
        times = (n_tr + m * np.arange(n)) * h
    if not np.all(np.isfinite(logs)):
        raise FloatingPointError(f"{system.name}: the orbit left the finite numbers; check x0, parameters and dt")
    return LocalLyapunov(logs / (m * h), times, m * h, kind, system)


# ------------------------------------------------------------------------------------- 0-1 test
@float64
def zero_one_test_system(
    system: System,
    observable: int | str | Callable = 0,
    t: float | None = None,
    *,
    n: int | None = None,
    dt: float | None = None,
    transient: float | None = None,
    x0: Any = None,
    **kwargs,
) -> ZeroOneResult:
    """The 0-1 test for chaos (`dynstab.timeseries.zero_one_test`) of an observable of a simulated orbit.

    ``observable``: a variable index, a variable name, or a function of the (N, d) state array
    returning (N,). Flows: ``t`` time units sampled every ``dt`` (default ``system.dt``; the 0-1
    test then thins oversampled data, ``subsample="auto"``); maps: ``n`` iterations.
    ``transient`` defaults to 10% of the span (at most 100 time units / 1000 iterations).
    Gottwald & Melbourne, PRL 92, 094101 (2004); SIAM J. Appl. Dyn. Syst. 8, 129 (2009).

    Parameters
    ----------
    system : System
        A deterministic flow or map.
    observable : int or str or callable, default 0
        A variable index, a variable name, or a function of the (N, d) state array returning (N,).
    t : float, optional
        Flows: the simulated time after the transient (required). Maps: the number of
        iterations, when ``n`` is not given.
    n : int, optional
        Maps: the number of iterations after the transient.
    dt : float, optional
        Sampling interval (flows); default ``system.dt``.
    transient : float, optional
        Discarded first: time units (flows) or iterations (maps); default 10% of the span, at
        most 100 time units or 1000 iterations.
    x0 : array_like, optional
        Initial condition, shape (d,); default ``system.x0``.
    **kwargs
        Keyword arguments of `dynstab.timeseries.zero_one_test` (``method``, ``n_c``,
        ``c_range``, ``n_cut``, ``subsample``, ``seed``).

    Returns
    -------
    ZeroOneResult
        K near 0: regular; near 1: chaotic.

    Raises
    ------
    TypeError
        For a stochastic system.
    ValueError
        For a missing run length (``t`` for a flow, ``n`` for a map), an unknown variable name or
        index, or a series the 0-1 test rejects.

    References
    ----------
    G. A. Gottwald & I. Melbourne, Phys. Rev. Lett. 92, 094101 (2004); SIAM J. Appl. Dyn. Syst. 8,
    129 (2009).
    """
    from ..simulate.trajectory import trajectory

    ev = evolution_of(check_system(system, "the 0-1 test", deterministic=True))
    if not system.continuous_time:
        requested = n if n is not None else t
        if requested is None:
            raise ValueError("a map needs n= (the number of iterations)")
        total = as_int(requested, name="n (the number of iterations)", minimum=0)
        tr: float = (
            int(default_transient(ev, total * ev.h) / ev.h)
            if transient is None
            else as_int(transient, name="transient (for a map, the number of iterations)", minimum=0)
        )
        xs = trajectory(system, n=total, x0=x0, transient=tr).x
    else:
        if t is None:
            raise ValueError("a flow needs the integration time t=")
        tr = (
            default_transient(ev, as_float(t, name="t", minimum=0.0))
            if transient is None
            else as_float(transient, name="transient", minimum=0.0)
        )
        xs = trajectory(system, t=t, dt=dt, x0=x0, transient=tr).x
    if callable(observable):
        series = np.asarray(observable(xs), dtype=float)
    elif isinstance(observable, str):
        if observable not in system.names:
            raise ValueError(f"{system.name} has no variable {observable!r}; its variables are {system.names}")
        series = xs[:, system.names.index(observable)]
    else:
        index = as_int(
            observable, name=f"observable (an index of the {system.dim} variables)", minimum=0, maximum=system.dim - 1
        )
        series = xs[:, index]
    return zero_one_test(series, **kwargs)
