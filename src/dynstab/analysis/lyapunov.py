"""Lyapunov spectra by the Benettin/QR method.

Benettin, Galgani, Giorgilli & Strelcyn, Meccanica 15, 9 and 21 (1980); Eckmann & Ruelle,
Rev. Mod. Phys. 57, 617 (1985), Sec. IV.B; Shimada & Nagashima, Prog. Theor. Phys. 61,
1605 (1979).

The state x and k tangent vectors Q (a d x k matrix) evolve together,

    dx/dt = f(x, t),    dQ/dt = J(x, t) Q          (flows, J = df/dx)
    x' = f(x, n),       Q' = J(x, n) Q             (maps),

and every ``qr_interval`` the tangent matrix is re-orthonormalized, Q R = Q_old. With
R_ii the stretching of the i-th direction over interval m,

    lambda_i = lim_{T -> inf} (1 / T) sum_m ln |R_ii^(m)|.

The tangent dynamics comes from autodiff (``jax.linearize`` of f, or the system's
analytic Jacobian), integrated with the state by the same fixed-step RK4 step (which is
exactly the RK4 discretization of the variational equation). For flows the exponents
sum to the time-averaged divergence <tr J> (for maps to <ln|det J|>), which
`lyapunov_spectrum` reports as a check.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..executables import persistent_jit
from ..limits import check_allocation
from ..simulate import evolution as loops
from ..simulate.adaptive import dop853_solve
from ..simulate.evolution import (
    Evolution,
    Plan,
    Progress,
    chunks_of,
    estimated_seconds,
    in_chunks,
    intervals,
    intervals_part,
    plan,
    run,
    states_after,
)
from ..systems.base import System, as_state, check_system, evolution_of
from ..validation import as_float, as_int, as_positive_float


@dataclass(frozen=True)
class LyapunovSpectrum:
    """The result of `lyapunov_spectrum`.

    Attributes
    ----------
    exponents : ndarray, shape (k,)
        Mean over initial conditions, largest first, per time unit (a map's iteration stands for
        ``system.dt`` time units, 1 unless it was learned from sampled data).
    std : ndarray, shape (k,)
        Sample standard deviation over initial conditions (NaN for one).
    per_ic : ndarray, shape (n_ics, k)
        The exponents of each initial condition.
    times : ndarray, shape (n_qr,)
        Elapsed time at each QR step.
    logs : ndarray, shape (n_ics, n_qr, k)
        ln|R_ii| of every QR step (same order as ``exponents``).
    running : ndarray, shape (n_ics, n_qr, k)
        Running estimates, showing convergence (computed from ``logs`` on first access).
    divergence : float
        The phase-space contraction rate averaged over every step of every orbit, <tr J> for flows
        and <ln|det J|> per time unit for maps (with k = d the mean exponents must sum to it); NaN
        for partial spectra.
    system : System
        The system the spectrum is of.
    settings : dict
        The run as carried out, in time units: ``t`` (after the transient), ``qr_interval``,
        ``dt`` (the step; for maps the time one iteration stands for), ``transient``, and
        ``n_ics``, ``k``, ``method``.
    kaplan_yorke_dimension : float
        `kaplan_yorke_dimension` of ``exponents``.
    lyapunov_time : float
        1 / lambda_1 (inf if lambda_1 <= 0).
    """

    exponents: np.ndarray
    std: np.ndarray
    per_ic: np.ndarray
    times: np.ndarray
    logs: np.ndarray
    system: System
    settings: dict[str, Any] = field(default_factory=dict)
    divergence: float = math.nan

    @functools.cached_property
    def running(self) -> np.ndarray:
        """Running estimates (n_ics, n_qr, k): cumulative sums of ``logs`` over elapsed time."""
        return np.cumsum(self.logs, axis=1) / self.times[None, :, None]

    @property
    def kaplan_yorke_dimension(self) -> float:
        """The Kaplan-Yorke dimension of the mean exponents (`kaplan_yorke_dimension`)."""
        return kaplan_yorke_dimension(self.exponents)

    @property
    def lyapunov_time(self) -> float:
        """1 / lambda_1, the e-folding time of errors (inf if lambda_1 <= 0)."""
        lam = float(self.exponents[0])
        return 1.0 / lam if lam > 0 else math.inf

    def halves(self) -> tuple[LyapunovSpectrum, LyapunovSpectrum]:
        """The spectra of the first and the second half of the run's QR intervals.

        Each half's exponents are its own time averages, lambda_i = sum_m ln|R_ii^(m)| / (time of the half),
        over the same initial conditions (mean and spread as in the whole run); the running estimate at the
        end is the mean of the two halves. Their difference measures how far the estimate still drifts:
        a converged run gives halves that agree within their spread (`dynstab.report.system_verdict`).

        Returns
        -------
        first, second : LyapunovSpectrum
            With ``settings["t"]`` the length of each half (a run of one QR interval gives it twice).
        """
        n = self.logs.shape[1]
        cut = max(1, n // 2)
        parts = ((0, cut), (cut, n)) if n > 1 else ((0, 1), (0, 1))
        interval = self.times[0]
        out = []
        for lo, hi in parts:
            per_ic = self.logs[:, lo:hi].sum(axis=1) / ((hi - lo) * interval)
            std = per_ic.std(axis=0, ddof=1) if per_ic.shape[0] > 1 else np.full(per_ic.shape[1], np.nan)
            settings = {**self.settings, "t": (hi - lo) * interval}
            logs = self.logs[:, lo:hi]
            times = interval * np.arange(1, hi - lo + 1, dtype=float)
            out.append(LyapunovSpectrum(per_ic.mean(axis=0), std, per_ic, times, logs, self.system, settings))
        return out[0], out[1]

    def to_xarray(self):
        """An ``xarray.Dataset``: ``exponents``, ``std``, ``per_ic`` and ``running`` over (ic,) time and
        exponent index, with the settings as attributes."""
        import xarray as xr

        idx = np.arange(1, self.exponents.size + 1)
        return xr.Dataset(
            {
                "exponents": (("exponent",), self.exponents),
                "std": (("exponent",), self.std),
                "per_ic": (("ic", "exponent"), self.per_ic),
                "running": (("ic", "time", "exponent"), self.running),
            },
            coords={"exponent": idx, "time": self.times, "ic": np.arange(self.per_ic.shape[0])},
            attrs={
                "system": self.system.name,
                "method": "Benettin QR",
                **{k: v for k, v in self.settings.items() if isinstance(v, (int, float, str))},
            },
        )

    def __repr__(self) -> str:
        ex = ", ".join(f"{v:.5g}" for v in self.exponents)
        return f"LyapunovSpectrum({self.system.name!r}, [{ex}])"


def kaplan_yorke_dimension(exponents: Any) -> float:
    """Kaplan-Yorke (Lyapunov) dimension, Kaplan & Yorke (1979); Frederickson et al. (1983):

    D_KY = j + (lambda_1 + ... + lambda_j) / |lambda_{j+1}|, with j the largest index whose
    partial sum is >= 0 (0 if lambda_1 < 0, the full dimension if all partial sums are >= 0).

    Parameters
    ----------
    exponents : array_like
        Lyapunov exponents, in any order (sorted here, largest first).

    Returns
    -------
    float
        D_KY.

    Raises
    ------
    ValueError
        If ``exponents`` is empty or not finite.

    References
    ----------
    Kaplan & Yorke, in Functional Differential Equations and Approximation of Fixed Points,
    Lecture Notes in Math. 730, Springer 1979, p. 204; Frederickson, Kaplan, Yorke & Yorke,
    J. Differential Equations 49, 185 (1983).
    """
    lam = np.sort(np.asarray(exponents, dtype=float).ravel())[::-1]
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError("kaplan_yorke_dimension needs a non-empty, finite spectrum")
    sums = np.cumsum(lam)
    if sums[0] < 0:
        return 0.0
    j = int(np.max(np.nonzero(sums >= 0)[0])) + 1
    if j == lam.size:
        return float(lam.size)
    return float(j + sums[j - 1] / abs(lam[j]))


def _orthonormalize(Q):
    """Q = Q' R with Q' orthonormal; returns (Q', |diag R|).

    Modified Gram-Schmidt for few vectors: it fuses into the loop body and measured ~25%
    faster than LAPACK's Householder QR here; its loss of orthogonality, eps * cond(Q), is
    harmless because Q is re-orthonormalized every interval. Householder (LAPACK) above 8.
    """
    k = Q.shape[1]
    if k > 8:
        Q, R = jnp.linalg.qr(Q)
        return Q, jnp.abs(jnp.diagonal(R))
    cols: list[jax.Array] = []
    norms: list[jax.Array] = []
    for j in range(k):
        v = Q[:, j]
        for q in cols:
            v = v - jnp.dot(q, v) * q
        nrm = jnp.sqrt(jnp.sum(v * v))
        cols.append(v / nrm)
        norms.append(nrm)
    return jnp.stack(cols, axis=1), jnp.stack(norms)


def _tangent_loop(ev: Evolution, params: Any, divergence: bool):
    """``(step, advance, finish)`` of a Benettin run, shared by the one-call and the chunked kernels.

    ``advance`` steps ``(x, Q, c, sums)`` (``c`` accumulates the contraction rate when ``divergence``);
    ``finish`` re-orthonormalizes Q, adds ln|R_ii| to ``sums`` and returns them as the interval's ``y``.
    """
    step = ev.step(params)
    if divergence:  # the contraction rate at every step's start: an independent check of the sum
        tangent = ev.tangent_step_with_contraction(params)
    else:
        plain = ev.tangent_step(params)
        tangent = lambda s, t, k: (*plain((s[0], s[1]), t, k), s[2])  # noqa: E731

    def advance(s, t, i):
        return (*tangent(s[:3], t, i), *s[3:])

    def finish(state):
        Q, r = _orthonormalize(state[1])
        lr = jnp.log(r)
        return (state[0], Q, state[2], *((state[3] + lr,) if len(state) > 3 else ())), lr

    return step, advance, finish


@persistent_jit(static_argnames=("evolution", "plan", "divergence", "sums"))
def _benettin_kernel(evolution: Evolution, plan: Plan, divergence: bool, x0s, Q0, params, t0, sums: bool = False):
    """`benettin` in one compiled call (runs short enough not to need chunks)."""
    ev = evolution
    step, advance, finish = _tangent_loop(ev, params, divergence)
    n_align, n_state = divmod(plan.n_transient, plan.n_sub)
    zero = (jnp.zeros(Q0.shape[1], Q0.dtype),) if sums else ()

    def one(x0):
        x = run(step, ev.initial(x0, params), t0, ev.tick, n_state)
        Q = Q0
        if n_align:  # the frame aligns with the growing directions during the transient (its logs are dropped)
            x, Q = intervals(
                advance, (x, Q0, 0.0, *zero), t0 + n_state * ev.tick, ev.tick, plan.n_sub, n_align, finish
            )[0][:2]
        start = t0 + plan.n_transient * ev.tick
        # the log sums are carried in the loop's order, the order of numpy's sum over the strided axis 1 of the
        # logs (identical results), which took 1.4 ms on the host for Lorenz (1e5 x 3)
        end, logs = intervals(advance, (x, Q, 0.0, *zero), start, ev.tick, plan.n_sub, plan.n_out, finish)
        div = end[2] / (plan.n_out * plan.n_sub)
        return (logs, div, end[3]) if sums else (logs, div)

    if x0s.shape[0] == 1:  # no vmap around a single orbit (measured up to 25% per step)
        return jax.tree.map(lambda a: jnp.asarray(a)[None], one(x0s[0]))
    return jax.vmap(one)(x0s)


@partial(jax.jit, static_argnames=("evolution", "n_sub", "size", "divergence"))
def _benettin_piece(evolution: Evolution, n_sub: int, size: int, divergence: bool, carry, params, t0, start, count):
    """One chunk of a long `benettin` run: intervals ``start .. start + count - 1`` from ``carry`` = (x, Q, c, sums)
    (leading axis B), law time ``t0`` at the first interval's step 0; the logs fill (B, size, k)."""
    ev = evolution
    _, advance, finish = _tangent_loop(ev, params, divergence)
    one = lambda c: intervals_part(advance, c, t0, ev.tick, n_sub, size, start, count, finish)  # noqa: E731
    if carry[0].shape[0] == 1:
        return jax.tree.map(lambda a: jnp.asarray(a)[None], one(jax.tree.map(lambda a: a[0], carry)))
    return jax.vmap(one)(carry)


def _benettin_chunks(ev: Evolution, plan: Plan, divergence: bool, x0s, Q0, params, t0, sums, progress):
    """`benettin` as compiled chunks of about `CHUNK_SECONDS` (`dynstab.simulate.evolution.in_chunks`)."""
    x0s, Q0 = jnp.asarray(x0s), jnp.asarray(Q0)
    B, (D, k) = x0s.shape[0], Q0.shape
    n_align, n_state = divmod(plan.n_transient, plan.n_sub)
    x = states_after(ev, n_state, x0s, params, t0)
    total = n_align + plan.n_out
    cut = chunks_of(total, plan.n_sub, D * (k + 1), B)

    def reset(x, Q):
        return (x, Q, jnp.zeros(B, Q0.dtype), jnp.zeros((B, k), Q0.dtype))

    logs = np.empty((B, plan.n_out, k), dtype=np.result_type(Q0.dtype, np.float64))

    def keep(start, part):
        logs[:, start : start + part.shape[1]] = part

    def chunks(carry, start_time, n, offset):
        piece = lambda c, j, m: _benettin_piece(ev, plan.n_sub, cut.size, divergence, c, params, start_time, j, m)  # noqa: E731
        report = None if progress is None else (lambda done, _: progress(offset + done, total))
        store = keep if offset == n_align else lambda start, part: None  # the transient's logs are dropped
        return in_chunks(
            piece,
            carry,
            n,
            cut.first,
            cut.size,
            axis=1,
            progress=report,
            compiled=offset > 0,
            multiple=cut.multiple,
            store=store,
        )[0]

    carry = reset(x, jnp.broadcast_to(Q0, (B, D, k)))
    if n_align:  # the frame aligns during the transient
        carry = reset(*chunks(carry, t0 + n_state * ev.tick, n_align, 0)[:2])
    end = chunks(carry, t0 + plan.n_transient * ev.tick, plan.n_out, n_align)
    div = np.asarray(end[2]) / (plan.n_out * plan.n_sub)
    return (logs, div, np.asarray(end[3])) if sums else (logs, div)


def benettin(
    evolution: Evolution,
    plan: Plan,
    divergence: bool,
    x0s,
    Q0,
    params,
    t0,
    sums: bool = False,
    *,
    progress: Progress | None = None,
):
    """Per initial condition: the (n_out, k) array of ln|R_ii| over the QR intervals and the mean contraction
    rate; with ``sums`` also the (k,) sums of the logs over the intervals (third).

    The kernel of `lyapunov_spectrum`. The transient advances the state alone for its first
    ``plan.n_transient mod plan.n_sub`` steps and then the state with the tangent frame for its whole
    intervals, re-orthonormalized after each and the logs dropped, so that the measured sums start from a
    frame already aligned with the most expanding directions (a random frame biases a run of n intervals
    by O(1/n): a diagonal map over 100 steps gave 0.079 instead of ln 1.1). Then ``plan.n_out`` intervals
    of ``plan.n_sub`` tangent steps, each followed by a re-orthonormalization (modified Gram-Schmidt for
    k <= 8, Householder QR above). A run longer than `LONG_RUN_SECONDS` (`estimated_seconds`) is carried
    out in compiled chunks of about `CHUNK_SECONDS` (`dynstab.simulate.evolution.in_chunks`), so Ctrl-C
    stops it within a chunk; the intervals' arithmetic does not depend on the chunks.

    Parameters
    ----------
    evolution : Evolution
        The system's fixed-step evolution.
    plan : Plan
        Transient, steps per QR interval and number of intervals.
    divergence : bool
        Also accumulate the phase-space contraction rate at every step (a full spectrum's check).
    x0s : array, shape (B, d)
        Initial conditions.
    Q0 : array, shape (d_internal, k)
        Orthonormal initial tangent frame, shared by every initial condition.
    params : dict of str to array
        The system's parameters.
    t0 : array
        The law's time at the start (`Evolution.time_zero`).
    sums : bool, default False
        Also carry the (k,) sums of the logs through the loop.
    progress : callable, optional
        ``progress(done, total)`` in QR intervals (transient included), called between the chunks of a
        long run.

    Returns
    -------
    logs : array, shape (B, n_out, k)
        ln|R_ii| of every interval, in the order of the columns of Q0.
    divergence : array, shape (B,)
        Mean contraction rate per step (tr J or ln|det J|); 0 when ``divergence`` is False.
    sums : array, shape (B, k)
        Only with ``sums``: the sums of ``logs`` over the intervals.

    References
    ----------
    Benettin, Galgani, Giorgilli & Strelcyn, Meccanica 15, 9 and 21 (1980); Eckmann & Ruelle,
    Rev. Mod. Phys. 57, 617 (1985), Sec. IV.B.
    """
    B, (D, k) = np.shape(x0s)[0], np.shape(Q0)
    n_steps = plan.n_transient + plan.n_out * plan.n_sub
    if estimated_seconds(n_steps, D * (k + 1), B) <= loops.LONG_RUN_SECONDS:
        return _benettin_kernel(evolution, plan, divergence, x0s, Q0, params, t0, sums=sums)
    return _benettin_chunks(evolution, plan, divergence, x0s, Q0, params, t0, sums, progress)


def fixed_step_evolution(system: System, method: str, dt: float | None) -> Evolution:
    """The evolution an analysis runs on: fixed-step ``method`` with step ``dt`` in continuous time; maps are
    iterated (``method`` and ``dt`` do not apply to them).

    Parameters
    ----------
    system : System
        A deterministic system.
    method : str
        Fixed-step method for continuous-time systems (``"rk4"``, ``"rk8"``).
    dt : float, optional
        Integration step (default ``system.dt``).

    Returns
    -------
    Evolution
    """
    return evolution_of(system, method, dt) if system.continuous_time else evolution_of(system)


def internal_dimension(system: System, evolution: Evolution, x0: Any) -> int:
    """Dimension of the state the evolution acts on (a delay equation's history buffer is larger than x).

    Parameters
    ----------
    system : System
        The system.
    evolution : Evolution
        Its evolution (whose ``prepare`` builds the internal state).
    x0 : array_like, shape (d,)
        An initial state.

    Returns
    -------
    int
        ``system.dim`` for finite-dimensional systems, the length of the internal state otherwise.
    """
    if system.finite_dimensional:
        return system.dim
    return int(jax.eval_shape(evolution.initial, jnp.asarray(x0), system.params).shape[0])  # traces: ms


def evolution_plan(
    system: System,
    evolution: Evolution,
    t: float | None,
    n: int | None,
    every: float | None,
    transient: float | None,
    *,
    every_name: str = "the interval",
) -> Plan:
    """The `Plan` of an analysis run: ``t`` time units (or ``n`` iterations of a map, or ``n`` steps), a
    renormalization/sampling interval ``every`` (time units; iterations for maps; ``every_name`` is the
    caller's name for it in error messages) and a ``transient`` (time units; iterations for maps), with
    dynstab's defaults (`dynstab.simulate.evolution.plan`).

    Parameters
    ----------
    system : System
        The system (continuous or discrete time).
    evolution : Evolution
        Its fixed-step evolution (the step ``h``).
    t : float or None
        Run length after the transient in time units (for a map, ``t / h`` iterations).
    n : int or None
        Number of steps (flows) or iterations (maps); takes precedence over ``t``.
    every : float or None
        Renormalization/sampling interval: time units (default 10 steps) for flows, whole
        iterations (default 1) for maps.
    transient : float or None
        Time units (flows) or whole iterations (maps); default
        `dynstab.simulate.evolution.default_transient`.
    every_name : str, default "the interval"
        The caller's name for ``every`` in error messages.

    Returns
    -------
    Plan

    Raises
    ------
    ValueError
        If neither ``t`` nor ``n`` is given (or a map's run is shorter than one iteration), or an
        argument is out of range.
    """
    h = abs(evolution.h)
    n = None if n is None else as_int(n, name="n", minimum=1)
    if system.continuous_time:
        if t is None and n is None:
            raise ValueError(f"a flow needs the integration time t= (finite, > 0), got {t!r}")
        span = as_positive_float(t, name="t (the integration time)") if n is None else n * h
        every = None if every is None else as_positive_float(every, name=every_name)
        return plan(evolution, span, every=every, transient=transient)
    total = as_float(t, name="t") / h if n is None and t is not None else n
    if total is None or total < 1:
        raise ValueError("a map needs n= (the number of iterations)")
    every = None if every is None else as_int(every, name=f"{every_name} (iterations)", minimum=1)
    transient = None if transient is None else as_int(transient, name="transient (iterations)", minimum=0)
    return plan(
        evolution,
        int(total) * h,
        every=None if every is None else every * h,
        transient=None if transient is None else transient * h,
    )


def _initial_frame(seed: Any, d: int, k: int) -> np.ndarray:
    """The seeded random orthonormal (d, k) initial tangent frame (read-only; cached for integer seeds, as
    seeding a generator and a QR took ~30 us per call)."""
    if isinstance(seed, (int, np.integer)):
        return _cached_frame(int(seed), d, k)
    return np.linalg.qr(np.random.default_rng(seed).standard_normal((d, k)))[0]


@functools.lru_cache(maxsize=64)
def _cached_frame(seed: int, d: int, k: int) -> np.ndarray:
    Q0 = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, k)))[0]
    Q0.flags.writeable = False
    return Q0


def _initial_conditions(system: System, x0: Any, n_ics: int, seed: int) -> np.ndarray:
    x0 = as_state(system.x0 if x0 is None else x0, system.dim)
    if x0.ndim == 2:
        return x0
    n_ics = as_int(n_ics, name="n_ics", minimum=1)
    if n_ics == 1:  # no generator to seed (~25 us per call)
        return x0[None]
    rng = np.random.default_rng(seed)
    extra = x0 + 1e-3 * (1.0 + np.abs(x0)) * rng.standard_normal((n_ics - 1, system.dim))
    return np.vstack([x0[None], extra])


@float64
def lyapunov_spectrum(
    system: System,
    t: float | None = None,
    *,
    n: int | None = None,
    k: int | None = None,
    qr_interval: float | None = None,
    transient: float | None = None,
    x0: Any = None,
    n_ics: int = 1,
    dt: float | None = None,
    seed: int = 0,
    method: str = "rk4",
    progress: Progress | None = None,
) -> LyapunovSpectrum:
    """The k largest Lyapunov exponents of a flow or map by the Benettin/QR method.

    Flows: ``t`` time units of fixed-step ``method`` (``"rk4"`` or ``"rk8"``) with step ``dt``
    (default ``system.dt``), re-orthonormalizing every ``qr_interval`` (default 10 steps);
    ``transient`` (default 10% of ``t``, at most 100 time units) is discarded first. Maps: ``n``
    iterations (or ``t`` time units, ``t / system.dt`` iterations), QR every ``qr_interval``
    iterations (default 1), transient in iterations (default 10% of the run, at most 1000
    iterations). The default transient is `dynstab.simulate.evolution.default_transient`.

    The exponents are per time unit: a map's iteration stands for ``system.dt`` time units (1
    unless the map was learned from data sampled every dt), so they are per iteration divided by
    ``system.dt``.

    ``n_ics`` > 1 runs that many initial conditions (``x0`` and seeded perturbations of
    it, each with its own transient) in one compiled call and reports their mean and
    standard deviation; ``x0`` of shape (B, d) gives the initial conditions directly.

    Parameters
    ----------
    system : System
        A deterministic flow, map, delay equation or derived system.
    t : float, optional
        Run length after the transient, in time units (required for flows unless ``n`` is given).
    n : int, optional
        Number of steps (flows) or iterations (maps) after the transient; takes precedence over ``t``.
    k : int, optional
        Number of exponents (largest first); default the dimension, or min(4, dimension of the
        history buffer) for a delay equation.
    qr_interval : float, optional
        Time between re-orthonormalizations (rounded to whole steps; default 10 steps), or
        whole iterations for maps (default 1).
    transient : float, optional
        Discarded first: time units for flows, iterations for maps; default 10% of the run, at
        most 100 time units or 1000 iterations.
    x0 : array_like, shape (d,) or (B, d), optional
        Initial condition (default ``system.x0``) or the initial conditions themselves.
    n_ics : int, default 1
        Number of initial conditions when ``x0`` has shape (d,): ``x0`` and ``n_ics - 1``
        seeded Gaussian perturbations of it, of scale ``1e-3 (1 + |x0|)``.
    dt : float, optional
        Integration step of a continuous-time system (default ``system.dt``); ignored for maps.
    seed : int, default 0
        Seed of the perturbed initial conditions and of the random orthonormal initial frame.
    method : {"rk4", "rk8"}, default "rk4"
        Fixed-step method of a continuous-time system.
    progress : callable, optional
        ``progress(done, total)``, in QR intervals (transient included), called between the compiled
        chunks of a long run (`benettin`); Ctrl-C stops a long run within a chunk (about 0.25 s).

    Returns
    -------
    LyapunovSpectrum
        Mean exponents, their spread over initial conditions, the logs of every QR step and,
        for a full spectrum of a finite-dimensional system, the mean contraction rate as a check.

    Raises
    ------
    TypeError
        If ``system`` is not a system or is stochastic.
    ValueError
        For a method other than ``"rk4"``/``"rk8"``, ``k`` outside 1..dimension, or a missing or
        invalid run length, interval or transient.
    FloatingPointError
        If an orbit leaves the finite numbers or collapses the tangent space.
    dynstab.limits.AllocationError
        If the logs of every QR interval would exceed the memory limit (`dynstab.limits`).

    References
    ----------
    Benettin, Galgani, Giorgilli & Strelcyn, Meccanica 15, 9 and 21 (1980); Eckmann & Ruelle,
    Rev. Mod. Phys. 57, 617 (1985), Sec. IV.B; Shimada & Nagashima, Prog. Theor. Phys. 61,
    1605 (1979).
    """
    check_system(system, "lyapunov_spectrum", deterministic=True)
    if system.continuous_time and method not in ("rk4", "rk8"):
        raise ValueError(f"method must be 'rk4' or 'rk8' for the Lyapunov spectrum, got {method!r}")
    ev = fixed_step_evolution(system, method, dt)
    pl = evolution_plan(system, ev, t, n, qr_interval, transient, every_name="qr_interval")
    x0s = _initial_conditions(system, x0, n_ics, seed)
    d = internal_dimension(system, ev, x0s[0])
    hidden = not system.finite_dimensional  # the evolution acts on a larger state (a delay equation's history)
    k = (min(4, d) if hidden else d) if k is None else as_int(k, name="k")
    if not 1 <= k <= d:
        raise ValueError(f"k must be between 1 and the dimension {d}, got {k}")
    check_allocation(
        8.0 * x0s.shape[0] * pl.n_out * k,
        f"the logs of the Lyapunov run ({pl.n_out:.3g} QR intervals x {k} exponents x {x0s.shape[0]} initial conditions)",
        "take a longer qr_interval, fewer initial conditions or a shorter run",
    )
    # the mean contraction rate checks the sum of a full spectrum only (and a delay equation, whose
    # evolution acts on a history buffer, has no finite one)
    check_sum = not hidden and k == d

    # A random orthonormal initial frame: the identity is non-generic for systems whose
    # invariant subspaces are aligned with the axes (then exponents converge only once
    # round-off has grown out of the degenerate direction).
    Q0 = _initial_frame(seed, d, k)
    carry = k > 1  # for k = 1 the logs are contiguous and numpy's sum of them is as fast (0.02 ms for 1e5)
    # NumPy arguments: the jitted call converts them on its C++ path (jnp.asarray dispatches, ~15 us each)
    out = benettin(ev, pl, check_sum, x0s, Q0, system.params, ev.time_zero(), sums=carry, progress=progress)
    logs, div = out[:2]
    logs = np.asarray(logs)
    sums = np.asarray(out[2]) if carry else logs.sum(axis=1)
    if not np.isfinite(sums).all():  # any inf or NaN log makes its sum non-finite: one O(k) check
        bad = int(np.argmax(~np.isfinite(logs).all(axis=(1, 2))))
        raise FloatingPointError(
            f"{system.name}: the orbit from initial condition {bad} ({x0s[bad]}) left the finite numbers or "
            "collapsed the tangent space; check parameters and initial condition, or reduce dt / qr_interval"
        )
    unit = abs(ev.h)  # exponents per time unit (a map's iteration stands for system.dt)
    interval = pl.n_sub * unit
    # a float arange: the same values as interval * arange(int), in 0.08 ms instead of 0.7 ms for 1e5 points
    times = interval * np.arange(1, pl.n_out + 1, dtype=float)
    per_ic = sums / times[-1]  # the running estimates are computed only when asked for
    order = np.argsort(-per_ic.mean(axis=0))
    if np.any(order != np.arange(k)):  # Gram-Schmidt usually yields them sorted: no copy of the logs then
        per_ic, logs = per_ic[:, order], logs[:, :, order]
    std = per_ic.std(axis=0, ddof=1) if per_ic.shape[0] > 1 else np.full(k, np.nan)
    settings = {
        "t": pl.n_out * interval,
        "qr_interval": interval,
        "dt": unit,
        "transient": pl.n_transient * unit,
        "n_ics": int(x0s.shape[0]),
        "k": k,
        "method": ev.method,
    }
    # per step: tr J (vector fields; already per time unit) or ln|det J| (maps; per iteration = per unit / dt)
    mean_div = float(np.mean(np.asarray(div)))
    divergence = (mean_div if not ev.iterated else mean_div / unit) if check_sum else math.nan
    return LyapunovSpectrum(per_ic.mean(axis=0), std, per_ic, times, logs, system, settings, divergence)


@float64
def max_lyapunov(system: System, t: float | None = None, **kwargs) -> float:
    """The largest Lyapunov exponent (`lyapunov_spectrum` with k=1).

    Parameters
    ----------
    system : System
        A deterministic flow, map, delay equation or derived system.
    t : float, optional
        Run length after the transient, in time units (see `lyapunov_spectrum`).
    **kwargs
        Any other argument of `lyapunov_spectrum` except ``k`` (``n``, ``qr_interval``,
        ``transient``, ``x0``, ``n_ics``, ``dt``, ``seed``, ``method``, ``progress``), with its defaults.

    Returns
    -------
    float
        lambda_1 per time unit (the mean over initial conditions).
    """
    return float(lyapunov_spectrum(system, t, k=1, **kwargs).exponents[0])


def zero_tolerance(spectrum: LyapunovSpectrum) -> float:
    """`classify`'s default threshold below which an exponent counts as zero.

    Maps: 1e-3 per iteration. Flows and delay equations: max(5 / T, 1e-3 max|lambda|) for a run of
    length T (a zero exponent converges like 1/T; the spectrum's scale sets what "small" means).

    Parameters
    ----------
    spectrum : LyapunovSpectrum
        A result of `lyapunov_spectrum`.

    Returns
    -------
    float
        The threshold, per time unit.
    """
    if spectrum.system.kind == "map":
        return 1e-3
    return max(5.0 / spectrum.settings["t"], 1e-3 * float(np.max(np.abs(spectrum.exponents))))


def classify(spectrum: LyapunovSpectrum, tol: float | None = None) -> str:
    """A plain verdict from the sign pattern of the spectrum.

    An exponent counts as zero when |lambda_i| <= max(tol, 3 std_i). For maps tol defaults to
    1e-3 per iteration. For flows and delay equations it defaults to max(5 / T, 1e-3 max|lambda|):
    a zero exponent converges like 1/T over a run of length T, and the scale of the spectrum
    sets what "small" means (so weakly chaotic slow systems such as Mackey-Glass, lambda_1 ~
    0.005, are not mistaken for tori). Flows: one zero exponent belongs to the flow direction;
    an extra zero means a torus (quasi-periodic).

    Parameters
    ----------
    spectrum : LyapunovSpectrum
        A result of `lyapunov_spectrum`.
    tol : float, optional
        Absolute threshold below which an exponent counts as zero (default above, `zero_tolerance`).

    Returns
    -------
    str
        ``"hyperchaotic"``, ``"chaotic"``, ``"quasi-periodic"``, ``"periodic"``, ``"fixed point"``,
        or for maps ``"periodic or fixed point"``.
    """
    lam, std = spectrum.exponents, np.nan_to_num(spectrum.std, nan=0.0)
    is_map = spectrum.system.kind == "map"
    if tol is None:
        tol = zero_tolerance(spectrum)
    thr = np.maximum(tol, 3 * std)
    pos = int(np.sum(lam > thr))
    zero = int(np.sum(np.abs(lam) <= thr))
    if pos >= 2:
        return "hyperchaotic"
    if pos == 1:
        return "chaotic"
    if is_map:
        return "quasi-periodic" if zero >= 1 else "periodic or fixed point"
    if zero >= 2:
        return "quasi-periodic"
    if zero == 1:
        return "periodic"
    return "fixed point"


def _pair_loop(ev: Evolution, params: Any, d0: Any, n_sub: int, tol: float | None):
    """``(step, pair, n_sub, tick, renormalize)`` of the two-trajectory method, shared by the one-call and the
    chunked kernels: ``pair`` advances both orbits one step (or, with ``tol``, one whole interval by adaptive
    DOP853), ``renormalize`` pulls the companion back to distance ``d0`` and returns ln(|y - x| / d0)."""
    step = ev.step(params)
    if tol is None:  # both orbits by the system's own step
        pair = lambda s, t, k: (step(s[0], t, k), step(s[1], t, k))  # noqa: E731
        tick = ev.tick
    else:  # adaptive DOP853 over each whole interval: its rejected steps locate every switching crossing
        span = n_sub * ev.h

        def pair(s, t, k):
            d = s[0].shape[0]
            both = lambda z, tt: jnp.concatenate([ev.law(z[:d], params, tt), ev.law(z[d:], params, tt)])  # noqa: E731
            end = jnp.reshape(t + span, (1,))
            z = dop853_solve(both, jnp.concatenate(s), t, end, tol, tol, 10_000_000)[0][0]
            return z[:d], z[d:]

        n_sub, tick = 1, span

    def renormalize(s):
        x, y = s
        dist = jnp.sqrt(jnp.sum((y - x) ** 2))
        return (x, x + (y - x) * (d0 / dist)), jnp.log(dist / d0)

    return step, pair, n_sub, tick, renormalize


@partial(jax.jit, static_argnames=("evolution", "plan", "tol"))
def _two_trajectory(evolution: Evolution, plan: Plan, x0s, v0, params, d0, t0, tol=None):
    """Per initial condition: ln(|y - x| / d0) after each renormalization interval."""
    ev = evolution
    step, pair, n_sub, tick, renormalize = _pair_loop(ev, params, d0, plan.n_sub, tol)

    def one(x0):
        x = run(step, ev.initial(x0, params), t0, ev.tick, plan.n_transient)
        start = t0 + plan.n_transient * ev.tick
        _, logs = intervals(pair, (x, x + d0 * v0), start, tick, n_sub, plan.n_out, renormalize)
        return logs

    return jax.vmap(one)(x0s)


@partial(jax.jit, static_argnames=("evolution", "n_sub", "size", "tol"))
def _two_trajectory_piece(evolution: Evolution, n_sub: int, size: int, carry, params, d0, t0, start, count, tol=None):
    """One chunk of a long `_two_trajectory` run (intervals ``start .. start + count - 1`` from ``carry`` = (x, y))."""
    _, pair, m, tick, renormalize = _pair_loop(evolution, params, d0, n_sub, tol)
    return jax.vmap(lambda c: intervals_part(pair, c, t0, tick, m, size, start, count, renormalize))(carry)


def _two_trajectory_in_chunks(ev: Evolution, plan: Plan, x0s, v0, params, d0, t0, tol, progress):
    """`_two_trajectory` as compiled chunks of about `dynstab.simulate.evolution.CHUNK_SECONDS`."""
    B, D = x0s.shape[0], v0.shape[0]
    x = states_after(ev, plan.n_transient, x0s, params, t0)
    # an adaptive interval is one DOP853 solve over n_sub steps' time (12 stages per step, at least)
    cut = chunks_of(plan.n_out, 1 if tol is not None else plan.n_sub, 2 * D * (12 * plan.n_sub if tol else 1), B)
    logs = np.empty((B, plan.n_out))

    def store(start, part):
        logs[:, start : start + part.shape[1]] = part

    start_time = t0 + plan.n_transient * ev.tick
    piece = lambda c, j, m: _two_trajectory_piece(ev, plan.n_sub, cut.size, c, params, d0, start_time, j, m, tol=tol)  # noqa: E731
    carry = (x, x + d0 * v0)
    in_chunks(
        piece, carry, plan.n_out, cut.first, cut.size, axis=1, progress=progress, multiple=cut.multiple, store=store
    )
    return logs


@float64
def max_lyapunov_two_trajectory(
    system: System,
    t: float | None = None,
    *,
    n: int | None = None,
    renormalize: float | None = None,
    d0: float | None = None,
    dt: float | None = None,
    transient: float | None = None,
    x0: Any = None,
    n_ics: int = 1,
    seed: int = 0,
    method: str = "rk4",
    tol: float = 1e-12,
    progress: Progress | None = None,
) -> tuple[float, float]:
    """Largest exponent from the divergence of two nearby orbits, without a Jacobian.

    Benettin, Galgani & Strelcyn, Phys. Rev. A 14, 2338 (1976): a reference orbit x and a
    companion y = x + d0 v are integrated together; every ``renormalize`` time units (default
    10 steps; iterations for maps) the separation is measured and y is pulled back to distance
    d0 along it, and lambda_1 = <ln(|y - x| / d0)> / interval. Unlike the Jacobian method it
    stays correct for discontinuous laws (sign functions), where the tangent dynamics would
    need saltation matrices (Muller, Chaos Solitons Fractals 5, 1671 (1995)), provided the
    crossings are resolved: ``method="dopri8"`` integrates both orbits with our adaptive
    DOP853 at tolerance ``tol``, whose rejected steps locate every jump; fixed-step RK4
    smooths the jump and reproduces the (wrong) Jacobian value. ``d0`` defaults to 1e-8
    (rk4) or 1e-6 (dopri8: far enough above the tolerance that the separation is measured to
    1e-6 relative; for the complex butterfly this gave 0.1366 against 0.1369 from saltation
    matrices). Returns (mean, standard deviation over the ``n_ics`` initial conditions).

    Parameters
    ----------
    system : System
        A deterministic flow, map, delay equation or derived system.
    t : float, optional
        Run length after the transient, in time units (required for flows unless ``n`` is given).
    n : int, optional
        Number of steps (flows) or iterations (maps) after the transient.
    renormalize : float, optional
        Time between renormalizations (default 10 steps), or whole iterations for maps (default 1).
    d0 : float, optional
        Separation of the two orbits; default 1e-8 (rk4) or 1e-6 (dopri8).
    dt : float, optional
        Step of the fixed-step RK4 (default ``system.dt``; with ``"dopri8"`` the transient's
        step, and the renormalization interval is counted in these steps).
    transient : float, optional
        Discarded first: time units for flows, iterations for maps; default 10% of the run, at
        most 100 time units or 1000 iterations.
    x0 : array_like, shape (d,) or (B, d), optional
        Initial condition (default ``system.x0``) or the initial conditions themselves.
    n_ics : int, default 1
        Number of initial conditions (``x0`` and seeded perturbations of it).
    seed : int, default 0
        Seed of the perturbed initial conditions and of the initial separation's direction.
    method : {"rk4", "dopri8"}, default "rk4"
        How a continuous-time system's orbits are integrated between renormalizations.
    tol : float, default 1e-12
        Relative and absolute tolerance of ``"dopri8"``.
    progress : callable, optional
        ``progress(done, total)`` in renormalization intervals, called between the compiled chunks of a long
        run (longer than `dynstab.simulate.evolution.LONG_RUN_SECONDS`; Ctrl-C stops it within a chunk).

    Returns
    -------
    mean : float
        lambda_1 per time unit, averaged over the initial conditions.
    std : float
        Its sample standard deviation over the initial conditions (NaN for one).

    Raises
    ------
    TypeError
        If ``system`` is not a system or is stochastic.
    ValueError
        For an unknown method, ``"dopri8"`` for a map, or a missing or invalid run length,
        interval or transient.
    FloatingPointError
        If an orbit leaves the finite numbers.

    References
    ----------
    Benettin, Galgani & Strelcyn, Phys. Rev. A 14, 2338 (1976); Muller, Chaos Solitons Fractals
    5, 1671 (1995).
    """
    check_system(system, "the two-trajectory method", deterministic=True)
    if system.continuous_time and method not in ("rk4", "dopri8"):
        raise ValueError(f"method must be 'rk4' or 'dopri8', got {method!r}")
    ev = fixed_step_evolution(system, "rk4", dt)
    if method == "dopri8" and ev.iterated:
        raise ValueError(f"{system.name}: method='dopri8' integrates ordinary differential equations; use 'rk4'")
    pl = evolution_plan(system, ev, t, n, renormalize, transient, every_name="renormalize")
    x0s = _initial_conditions(system, x0, n_ics, seed)
    v0 = np.random.default_rng(seed).standard_normal(internal_dimension(system, ev, x0s[0]))
    v0 /= np.linalg.norm(v0)
    adaptive = system.continuous_time and method == "dopri8"
    d0 = (1e-6 if adaptive else 1e-8) if d0 is None else as_positive_float(d0, name="d0")
    tolerance = as_positive_float(tol, name="tol") if adaptive else None
    args = (jnp.asarray(x0s), jnp.asarray(v0), system.params, d0, ev.time_zero())
    work = (pl.n_transient + pl.n_out * pl.n_sub) * (12 if adaptive else 1)
    if estimated_seconds(work, 2 * v0.size, x0s.shape[0]) <= loops.LONG_RUN_SECONDS:
        logs = np.asarray(_two_trajectory(ev, pl, *args, tol=tolerance))
    else:
        logs = _two_trajectory_in_chunks(ev, pl, *args, tolerance, progress)
    if not np.all(np.isfinite(logs)):
        raise FloatingPointError(f"{system.name}: an orbit left the finite numbers; check x0, parameters and dt")
    per_ic = logs.sum(axis=1) / pl.span(ev)
    return float(per_ic.mean()), float(per_ic.std(ddof=1)) if per_ic.size > 1 else math.nan
