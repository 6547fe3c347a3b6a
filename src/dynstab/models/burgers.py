r"""Viscous Burgers equation: a Fourier pseudo-spectral ETDRK4 solver, datasets and rollout diagnostics.

The equation, periodic on :math:`[0, L)`,

.. math:: u_t + u u_x = \nu u_{xx},

is written in Fourier space as :math:`\hat u_t = \mathcal L \hat u + \mathcal N(\hat u)` with the
diagonal linear part :math:`\mathcal L_k = -\nu k^2` and the nonlinear part
:math:`\mathcal N(\hat u)_k = -\tfrac{i k}{2}\, \mathcal D\, \widehat{(u^2)}_k`, where :math:`\mathcal D`
is the 2/3-rule dealiasing mask (modes with :math:`3|m| \ge N` are zeroed, m the mode index), so the
quadratic term never aliases. The step is the exponential time-differencing fourth-order
Runge-Kutta scheme (ETDRK4) of Cox & Matthews (2002); its coefficients
:math:`\varphi`-functions of :math:`h \mathcal L` are evaluated by the contour integral of Kassam &
Trefethen (2005): the mean over M = 32 points on a unit circle around each :math:`h \mathcal L_k`,
which avoids the cancellation of the direct formulas for small :math:`|h \mathcal L_k|`:

.. math::

    a = E_2 \hat u + Q \mathcal N(\hat u),\quad b = E_2 \hat u + Q \mathcal N(a),\quad
    c = E_2 a + Q (2 \mathcal N(b) - \mathcal N(\hat u)),\\
    \hat u_{n+1} = E \hat u + f_1 \mathcal N(\hat u) + 2 f_2 (\mathcal N(a) + \mathcal N(b)) + f_3 \mathcal N(c),

with :math:`E = e^{h\mathcal L}`, :math:`E_2 = e^{h\mathcal L/2}` and Q, f1, f2, f3 as in Kassam &
Trefethen's ``kdv.m`` / ``kursiv.m`` (their Eq. (2.5) coefficients).

Checks before any work (`check_setup`):

* ``nu > 0``; ``N`` even and at least 16;
* the step: the stiff diffusion is integrated exactly, the explicit part is the advection, whose
  RK4-type stability region reaches :math:`2\sqrt 2` on the imaginary axis. By the maximum
  principle :math:`|u| \le U = \max|u_0|` for all time, so the Courant number
  :math:`C = U k_c h` (k_c the largest retained wavenumber) never grows; dynstab requires
  :math:`C \le` `MAX_COURANT` = 1 (a margin of 2.8 below the stability limit, for accuracy);
* the resolution: a viscous front of jump :math:`\Delta u` has the travelling-wave profile
  :math:`-\tfrac{\Delta u}{2}\tanh(\Delta u\,(x - x_0)/(4\nu))` (width :math:`w = 4\nu/\Delta u`),
  whose Fourier modes fall as :math:`e^{-\pi k w / 2}`. With :math:`\Delta u \le \max u_0 - \min u_0`
  (maximum principle) dynstab requires :math:`e^{-\pi k_c w/2} \le` ``resolution_tol`` (default
  1e-4), and the initial field's own modes above the dealiasing cutoff to hold at most a fraction
  ``resolution_tol`` of its norm.

The one-step map is a dynstab `Map` (`burgers_map`), so trajectories and Lyapunov spectra work
on it: at u = 0 its exponents are exactly :math:`-\nu k^2` (per unit time; the mean, k = 0, is
conserved: exponent 0).

Rollout diagnostics for a learned one-step map (any callable u -> u_next): `spectrum_drift`
(the energy spectrum of a rollout against the solver's from the same start) and
`jacobian_spectral_radius` (dense ``jax.jacfwd`` + eigenvalues, or a power iteration on
Jacobian-vector products for large N).

References
----------
S. M. Cox, P. C. Matthews, "Exponential time differencing for stiff systems", J. Comput. Phys.
176, 430-455 (2002). A.-K. Kassam, L. N. Trefethen, "Fourth-order time-stepping for stiff PDEs",
SIAM J. Sci. Comput. 26, 1214-1233 (2005). E. Hopf, Comm. Pure Appl. Math. 3, 201 (1950);
J. D. Cole, Quart. Appl. Math. 9, 225 (1951) (the exact solution `cole_hopf`).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..limits import check_allocation
from ..simulate.evolution import CHUNK_SECONDS, Progress, in_chunks, sample_part
from ..systems import Map
from ..validation import as_finite_array, as_float, as_int, as_positive_float

__all__ = [
    "MAX_COURANT",
    "RESOLUTION_TOL",
    "Burgers",
    "BurgersRun",
    "SpectrumDrift",
    "burgers_map",
    "check_setup",
    "cole_hopf",
    "energy_spectrum",
    "front_width",
    "jacobian_spectral_radius",
    "plot_run",
    "random_fields",
    "solve",
    "spectrum_drift",
    "write_dataset",
]

REFERENCE = (
    "Cox & Matthews, J. Comput. Phys. 176, 430 (2002) (ETDRK4); "
    "Kassam & Trefethen, SIAM J. Sci. Comput. 26, 1214 (2005) (contour-integral coefficients)"
)
#: Largest Courant number max|u0| k_c dt accepted (the RK4-type advective limit is 2 sqrt 2).
MAX_COURANT = 1.0
#: Default bound on the estimated spectral tail of the sharpest front, and on the initial field's tail.
RESOLUTION_TOL = 1e-4
#: Points on the contour of the phi-function coefficients (Kassam & Trefethen use 32 or 64).
CONTOUR_POINTS = 32
#: CPU seconds of one ETDRK4 step per grid point and trajectory (sizes the first chunk; measured
#: about 4e-8 s at N = 256 with benchmarks/bench_burgers.py).
SECONDS_PER_POINT_STEP = 5e-8

Array = jax.Array


@dataclass(frozen=True)
class Burgers:
    """A discretised viscous Burgers problem: viscosity, grid, domain length and step.

    Parameters
    ----------
    nu : float
        Viscosity, > 0.
    n : int
        Grid points N (even, >= 16).
    dt : float
        ETDRK4 step h.
    length : float, default 2 pi
        Period L of the domain.
    """

    nu: float
    n: int
    dt: float
    length: float = 2.0 * math.pi

    def __post_init__(self) -> None:
        object.__setattr__(self, "nu", as_positive_float(self.nu, name="nu"))
        n = as_int(self.n, name="n", minimum=16)
        if n % 2:
            raise ValueError(f"n = {n} is odd; the spectral grid needs an even number of points (e.g. {n + 1})")
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "dt", as_positive_float(self.dt, name="dt"))
        object.__setattr__(self, "length", as_positive_float(self.length, name="length"))

    @property
    def x(self) -> np.ndarray:
        """Grid points j L / N, j = 0 .. N - 1."""
        return self.length * np.arange(self.n) / self.n

    @property
    def k(self) -> np.ndarray:
        """Wavenumbers 2 pi m / L of the real FFT, m = 0 .. N/2."""
        return 2.0 * math.pi / self.length * np.arange(self.n // 2 + 1)

    @property
    def mask(self) -> np.ndarray:
        """The 2/3-rule dealiasing mask (True for modes kept: 3 m < N)."""
        return 3 * np.arange(self.n // 2 + 1) < self.n

    @property
    def k_cut(self) -> float:
        """The largest retained wavenumber k_c."""
        return float(self.k[self.mask][-1])

    def max_dt(self, u0: Any) -> float:
        """The largest step accepted for initial field(s) ``u0``: `MAX_COURANT` / (max|u0| k_c)."""
        umax = float(np.max(np.abs(u0)))
        return math.inf if umax == 0.0 else MAX_COURANT / (umax * self.k_cut)

    def coefficients(self) -> tuple[np.ndarray, ...]:
        """E, E2, Q, f1, f2, f3 of ETDRK4 (Kassam & Trefethen's contour integrals), each over the rfft modes."""
        return _coefficients(self.nu, self.n, self.dt, self.length)

    def describe(self) -> str:
        """One line: nu, N, L, dt."""
        return f"nu = {self.nu:g}, N = {self.n}, L = {self.length:g}, dt = {self.dt:g}"


def _phi_coefficients(hl: Any, xp: Any) -> tuple[Any, ...]:
    """E, E2, Q, f1, f2, f3 for h L = ``hl`` (real, any shape) by the contour mean (numpy or jax.numpy ``xp``)."""
    m = CONTOUR_POINTS
    r = xp.exp(1j * math.pi * (xp.arange(1, m + 1) - 0.5) / m)
    lr = hl[..., None] + r
    e = xp.exp(lr)
    q = xp.real(xp.mean((xp.exp(lr / 2) - 1.0) / lr, axis=-1))
    f1 = xp.real(xp.mean((-4.0 - lr + e * (4.0 - 3.0 * lr + lr**2)) / lr**3, axis=-1))
    f2 = xp.real(xp.mean((2.0 + lr + e * (-2.0 + lr)) / lr**3, axis=-1))
    f3 = xp.real(xp.mean((-4.0 - 3.0 * lr - lr**2 + e * (4.0 - lr)) / lr**3, axis=-1))
    return xp.exp(hl), xp.exp(hl / 2), q, f1, f2, f3


@functools.lru_cache(maxsize=32)
def _coefficients(nu: float, n: int, dt: float, length: float) -> tuple[np.ndarray, ...]:
    k = 2.0 * math.pi / length * np.arange(n // 2 + 1)
    e, e2, q, f1, f2, f3 = _phi_coefficients(-nu * k**2 * dt, np)
    # Q and the f's multiply h (Kassam & Trefethen: Q = h*real(mean(...)))
    return e, e2, dt * q, dt * f1, dt * f2, dt * f3


def _step_fn(n: int, length: float, coef: Any) -> Callable[[Any], Any]:
    """One ETDRK4 step on the rfft coefficients of one field, with the coefficients ``coef`` (traced or not)."""
    k = 2.0 * math.pi / length * np.arange(n // 2 + 1)
    g = np.where(3 * np.arange(n // 2 + 1) < n, -0.5j * k, 0.0)  # -(i k / 2) times the dealiasing mask

    def nonlinear(v: Any) -> Any:
        u = jnp.fft.irfft(v, n=n)
        return g * jnp.fft.rfft(u * u)

    def step(v: Any) -> Any:
        e, e2, q, f1, f2, f3 = coef
        nv = nonlinear(v)
        a = e2 * v + q * nv
        na = nonlinear(a)
        b = e2 * v + q * na
        nb = nonlinear(b)
        c = e2 * a + q * (2.0 * nb - nv)
        nc = nonlinear(c)
        return e * v + nv * f1 + 2.0 * (na + nb) * f2 + nc * f3

    return step


def _as_fields(problem: Burgers, u0: Any, name: str = "u0") -> np.ndarray:
    arr = as_finite_array(u0, name=name, ndim=(1, 2))
    if arr.shape[-1] != problem.n:
        raise ValueError(f"{name} has {arr.shape[-1]} points per field; the grid has n = {problem.n}")
    return arr


@float64
def check_setup(problem: Burgers, u0: Any, resolution_tol: float = RESOLUTION_TOL) -> np.ndarray:
    """Check the step and the resolution for initial field(s) ``u0`` (see the module docstring); return ``u0``.

    Parameters
    ----------
    problem : Burgers
        The discretisation.
    u0 : array_like, shape (N,) or (B, N)
        Initial field(s) on ``problem.x``.
    resolution_tol : float, default `RESOLUTION_TOL`
        Largest accepted spectral tail (estimated front spectrum at k_c, and the initial field's
        norm above the dealiasing cutoff over its norm).

    Returns
    -------
    numpy.ndarray
        ``u0`` as float64, shape (N,) or (B, N).

    Raises
    ------
    ValueError
        For a wrong shape or non-finite values, ``dt`` above the Courant bound (the message gives the
        largest accepted step), or an unresolved problem (the message gives the N or nu needed).
    """
    tol = as_float(resolution_tol, name="resolution_tol", minimum=0.0, maximum=1.0, inclusive="neither")
    u = _as_fields(problem, u0)
    limit = problem.max_dt(u)
    if problem.dt > limit * (1 + 1e-12):
        raise ValueError(
            f"dt = {problem.dt:g} is above the ETDRK4 bound {limit:.4g} = {MAX_COURANT:g} / (max|u0| k_c) "
            f"(max|u0| = {np.max(np.abs(u)):.3g}, k_c = {problem.k_cut:.4g}); give dt <= {limit:.4g}"
        )
    uu = np.atleast_2d(u)
    spec = np.abs(np.fft.rfft(uu, axis=-1))
    norm = np.sqrt(np.sum(spec[:, 1:] ** 2, axis=-1))
    tail = np.sqrt(np.sum(spec[:, ~problem.mask] ** 2, axis=-1))
    worst = float(np.max(np.where(norm > 0, tail / np.where(norm > 0, norm, 1.0), 0.0)))
    if worst > tol:
        raise ValueError(
            f"u0 is not resolved: {worst:.2g} of its norm lies above the dealiasing cutoff k_c = {problem.k_cut:.4g} "
            f"(tolerance {tol:g}); give a smoother u0 or more points n"
        )
    jump = float(np.max(np.ptp(uu, axis=-1)))
    if jump > 0:
        w = 4.0 * problem.nu / jump
        need = 2.0 * math.log(1.0 / tol) / (math.pi * w)  # k_c that resolves the sharpest possible front
        if problem.k_cut < need:
            n_need = 2 * math.ceil(1.5 * need * problem.length / (2 * math.pi) + 1)
            raise ValueError(
                f"the grid does not resolve the fronts: nu = {problem.nu:g} with max u0 - min u0 = {jump:.3g} gives "
                f"fronts of width 4 nu / du = {w:.3g} whose spectrum at k_c = {problem.k_cut:.4g} is "
                f"{math.exp(-math.pi * problem.k_cut * w / 2):.2g} > {tol:g}; "
                f"give n >= {n_need} or nu >= {problem.nu * need / problem.k_cut:.3g}"
            )
    return u


@functools.lru_cache(maxsize=16)
def _chunk_fn(problem: Burgers, n_sub: int, size: int) -> Callable[..., Any]:
    step_one = _step_fn(problem.n, problem.length, tuple(jnp.asarray(c) for c in problem.coefficients()))
    step_batch = jax.vmap(step_one)

    def step(v: Any, t: Any, k: Any) -> Any:
        return step_batch(v)

    def observe(v: Any) -> Any:
        return jnp.fft.irfft(v, n=problem.n, axis=-1)

    @jax.jit
    def piece(v: Any, n_out: Any, start: Any, count: Any) -> Any:
        return sample_part(step, v, 0.0, problem.dt, n_sub, n_out, size, start, count, observe)

    return piece


@dataclass(frozen=True)
class BurgersRun:
    """Solutions of `solve`: fields ``u[trajectory, time, x]`` at ``t``.

    Parameters
    ----------
    problem : Burgers
    t : numpy.ndarray, shape (T,)
    u : numpy.ndarray, shape (B, T, N)
    seed : int or None
        Seed of the random initial fields, if they were random.
    seconds : float
        Wall time of the run (compilation included).
    """

    problem: Burgers
    t: np.ndarray
    u: np.ndarray
    seed: int | None = None
    seconds: float = 0.0
    attrs: dict[str, Any] = field(default_factory=dict)

    def to_xarray(self) -> Any:
        """The run as an xarray Dataset (dims trajectory, time, x) with CF attributes."""
        import xarray as xr

        p = self.problem
        ds = xr.Dataset(
            {"u": (("trajectory", "time", "x"), self.u, {"long_name": "velocity u(x, t)", "units": "1"})},
            coords={
                "trajectory": ("trajectory", np.arange(self.u.shape[0]), {"long_name": "trajectory index"}),
                "time": ("time", self.t, {"long_name": "time", "units": "1", "standard_name": "time"}),
                "x": ("x", p.x, {"long_name": "position on the periodic domain [0, L)", "units": "1"}),
            },
        )
        ds.attrs.update(
            {
                "Conventions": "CF-1.8",
                "title": "viscous Burgers u_t + u u_x = nu u_xx, periodic",
                "source": "dynstab.models.burgers (Fourier pseudo-spectral, ETDRK4, 2/3 dealiasing)",
                "references": REFERENCE,
                "nu": p.nu,
                "dt": p.dt,
                "N": p.n,
                "L": p.length,
                "seed": -1 if self.seed is None else int(self.seed),
                **self.attrs,
            }
        )
        return ds


@float64
def random_fields(
    problem: Burgers, count: int = 1, *, seed: int = 0, modes: int = 4, decay: float = 2.0, amplitude: float = 1.0
) -> np.ndarray:
    r"""Random smooth initial fields :math:`u_0 = A \sum_{m=1}^{M} m^{-s} (a_m \cos k_m x + b_m \sin k_m x) / \max|.|`.

    a_m, b_m standard normal (seeded), so every field has zero mean and max|u0| = A exactly.

    Parameters
    ----------
    problem : Burgers
        The grid.
    count : int, default 1
        Number of fields B.
    seed : int, default 0
        Seed of numpy's default generator.
    modes : int, default 4
        Highest mode M (1 <= M < N/3).
    decay : float, default 2
        Exponent s of the amplitudes m^-s (>= 0).
    amplitude : float, default 1
        max|u0| of every field.

    Returns
    -------
    numpy.ndarray, shape (count, N)
    """
    count = as_int(count, name="count", minimum=1)
    seed = as_int(seed, name="seed", minimum=0)
    modes = as_int(modes, name="modes", minimum=1, maximum=(problem.n - 1) // 3)
    decay = as_float(decay, name="decay", minimum=0.0)
    amplitude = as_positive_float(amplitude, name="amplitude")
    rng = np.random.default_rng(seed)
    ab = rng.standard_normal((count, 2, modes)) * np.arange(1, modes + 1) ** (-decay)
    kx = np.outer(2.0 * math.pi / problem.length * np.arange(1, modes + 1), problem.x)
    u = ab[:, 0] @ np.cos(kx) + ab[:, 1] @ np.sin(kx)
    return amplitude * u / np.max(np.abs(u), axis=1, keepdims=True)


@float64
def solve(
    problem: Burgers,
    u0: Any,
    t: float,
    *,
    save_every: float | None = None,
    resolution_tol: float = RESOLUTION_TOL,
    seed: int | None = None,
    progress: Progress | None = None,
) -> BurgersRun:
    """Integrate one field or a batch to time ``t`` by ETDRK4 steps, in compiled chunks.

    The batch is advanced by one compiled (``jax.vmap``-ed) step; the run is a Python loop over
    compiled chunks (`dynstab.simulate.evolution.in_chunks` around `sample_part`), so Ctrl-C stops
    it within a chunk and ``progress(done, total)`` reports the samples done.

    Parameters
    ----------
    problem : Burgers
        nu, N, dt, L.
    u0 : array_like, shape (N,) or (B, N)
        Initial field(s).
    t : float
        Final time (> 0); the number of steps is round(t / dt) (rounded to whole sampling intervals).
    save_every : float, optional
        Sampling interval (default t / 100, at least one step).
    resolution_tol : float, default `RESOLUTION_TOL`
        Passed to `check_setup`.
    seed : int, optional
        Recorded in the run (the seed that drew ``u0``).
    progress : callable, optional
        ``progress(done, total)`` between chunks.

    Returns
    -------
    BurgersRun
        ``u`` of shape (B, T, N) (B = 1 for one field).

    Raises
    ------
    ValueError
        For bad input (see `check_setup`), ``save_every`` > ``t``.
    dynstab.limits.AllocationError
        If the samples exceed the memory limit.
    FloatingPointError
        If the solution left the finite numbers.
    """
    u = np.atleast_2d(check_setup(problem, u0, resolution_tol))
    t = as_positive_float(t, name="t")
    every = t / 100.0 if save_every is None else as_positive_float(save_every, name="save_every")
    if every > t * (1 + 1e-12):
        raise ValueError(f"save_every = {every:g} is longer than the run t = {t:g}; give save_every <= t")
    n_sub = max(1, round(every / problem.dt))
    intervals = max(1, round(t / (n_sub * problem.dt)))
    n_out = intervals + 1
    batch = u.shape[0]
    check_allocation(
        n_out * batch * problem.n * 8.0,
        f"the samples ({batch} trajectories x {n_out} times x {problem.n} points)",
        "sample less often (a larger save_every), or fewer trajectories",
    )
    seconds = n_sub * batch * problem.n * SECONDS_PER_POINT_STEP
    size = max(2, min(n_out, int(1.25 * CHUNK_SECONDS / seconds) + 1, int(64e6 / (batch * problem.n * 8.0)) + 1))
    piece = _chunk_fn(problem, n_sub, size)
    out = np.empty((n_out, batch, problem.n))

    def store(start: int, ys: Any) -> None:
        out[start : start + ys.shape[0]] = ys

    n_out_arr = np.asarray(n_out)
    began = time.perf_counter()
    in_chunks(
        lambda s, j, m: piece(s, n_out_arr, np.asarray(j), np.asarray(m)),
        jnp.fft.rfft(jnp.asarray(u), axis=-1),
        n_out,
        max(1, size // 8),
        size,
        progress=progress,
        store=store,
    )
    seconds_run = time.perf_counter() - began
    if not np.all(np.isfinite(out)):
        bad = int(np.argmax(~np.all(np.isfinite(out), axis=(1, 2))))
        raise FloatingPointError(
            f"the solution left the finite numbers by t = {bad * n_sub * problem.dt:g} ({problem.describe()})"
        )
    return BurgersRun(problem, n_sub * problem.dt * np.arange(n_out), np.moveaxis(out, 0, 1), seed, seconds_run)


def write_dataset(run: BurgersRun, path: str | Path) -> Path:
    """Write a run to NetCDF (dims trajectory, time, x; CF attributes, nu, dt, N, L, seed), atomically.

    Parameters
    ----------
    run : BurgersRun
    path : str or Path

    Returns
    -------
    Path
    """
    from ..files import atomic_output

    path = Path(path)
    ds = run.to_xarray()
    with atomic_output(path) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")
    return path


# ------------------------------------------------------------------------------------------ exact solutions
@float64
def cole_hopf(x: Any, t: float, nu: float, a: float, b: float) -> np.ndarray:
    r"""The Cole-Hopf solution from :math:`\phi_0 = a + b\cos x` (period 2 pi), exact for all t.

    :math:`u = -2\nu\phi_x/\phi` with :math:`\phi_t = \nu\phi_{xx}` gives
    :math:`\phi = a + b e^{-\nu t}\cos x` and

    .. math:: u(x, t) = \frac{2\nu b e^{-\nu t}\sin x}{a + b e^{-\nu t}\cos x},

    smooth for a > |b| (initial field :math:`u_0 = 2\nu b \sin x / (a + b\cos x)`).

    Parameters
    ----------
    x : array_like
        Positions.
    t : float
        Time (>= 0).
    nu : float
        Viscosity (> 0).
    a, b : float
        phi_0 = a + b cos x with a > |b|.

    Returns
    -------
    numpy.ndarray
    """
    nu = as_positive_float(nu, name="nu")
    t = as_float(t, name="t", minimum=0.0)
    a, b = as_float(a, name="a"), as_float(b, name="b")
    if not a > abs(b):
        raise ValueError(f"a = {a:g} must exceed |b| = {abs(b):g} (phi_0 = a + b cos x must stay positive)")
    x = as_finite_array(x, name="x")
    g = b * math.exp(-nu * t)
    return 2.0 * nu * g * np.sin(x) / (a + g * np.cos(x))


def front_width(u: Any, length: float = 2.0 * math.pi) -> tuple[float, float, float]:
    """Width of the steepest front of a field: du / max|u_x| with du = max u - min u.

    For the travelling wave -du/2 tanh(du (x - x0) / (4 nu)) this is 8 nu / du.

    Parameters
    ----------
    u : array_like, shape (N,)
        Field on a uniform periodic grid.
    length : float
        Domain period L.

    Returns
    -------
    width, jump, max_slope : float
    """
    u = as_finite_array(u, name="u", ndim=1)
    n = u.shape[0]
    k = 2.0 * math.pi / length * np.fft.rfftfreq(n, 1.0 / n)
    ux = np.fft.irfft(1j * k * np.fft.rfft(u), n=n)
    slope = float(np.max(np.abs(ux)))
    jump = float(np.ptp(u))
    return jump / slope, jump, slope


# ------------------------------------------------------------------------------------------ the one-step map
@float64
def burgers_map(problem: Burgers, u0: Any = None) -> Map:
    """The one-step ETDRK4 map u_n -> u_{n+1} as a dynstab `Map` of dimension N (one iteration = dt).

    Parameters ``nu`` and ``h`` (the step) are traced: ``with_params(nu=...)`` recomputes the
    coefficients inside the law. The map's ``dt`` is the step, so `lyapunov_spectrum` reports
    exponents per unit time.

    Parameters
    ----------
    problem : Burgers
    u0 : array_like, shape (N,), optional
        Default state (default: one `random_fields` draw, seed 0); checked by `check_setup`.

    Returns
    -------
    Map
    """
    u0 = random_fields(problem, 1, seed=0)[0] if u0 is None else check_setup(problem, u0)
    if np.ndim(u0) != 1:
        raise ValueError(f"u0 must be one field of shape ({problem.n},), got {np.shape(u0)}")
    n, length = problem.n, problem.length
    k = 2.0 * math.pi / length * np.arange(n // 2 + 1)

    def law(x: Any, p: Any, _t: Any) -> Any:
        e, e2, q, f1, f2, f3 = _phi_coefficients(-p["nu"] * k**2 * p["h"], jnp)
        h = p["h"]
        step = _step_fn(n, length, (e, e2, h * q, h * f1, h * f2, h * f3))
        return jnp.fft.irfft(step(jnp.fft.rfft(x)), n=n)

    return cast(
        Map,
        Map.from_law(
            law,
            params={"nu": problem.nu, "h": problem.dt},
            x0=u0,
            names=[f"u{j}" for j in range(n)],
            name="burgers_etdrk4",
            reference=REFERENCE,
            dt=problem.dt,
            description=f"one ETDRK4 step of viscous Burgers ({problem.describe()})",
        ),
    )


# ------------------------------------------------------------------------------------------ rollout diagnostics
@float64
def energy_spectrum(u: Any) -> np.ndarray:
    """Energy per rfft mode, E_m = |u_hat_m|^2 / N^2 (doubled for 0 < m < N/2), over the last axis.

    Parameters
    ----------
    u : array_like, shape (..., N)

    Returns
    -------
    numpy.ndarray, shape (..., N/2 + 1)
        Summing over m gives the mean of u^2 (Parseval).
    """
    u = np.asarray(u, dtype=float)
    n = u.shape[-1]
    e = np.abs(np.fft.rfft(u, axis=-1)) ** 2 / n**2
    e[..., 1 : (n + 1) // 2] *= 2.0
    return e


@dataclass(frozen=True)
class SpectrumDrift:
    """Energy spectra of a learned rollout against the solver's.

    ``drift[j]`` is the mean over the retained modes 1 <= m < N/3 with true energy above ``floor``
    of |log10(E_model / E_true)| after j steps; ``energy_ratio[j]`` the ratio of total energies.
    """

    t: np.ndarray
    model: np.ndarray
    true: np.ndarray
    drift: np.ndarray
    energy_ratio: np.ndarray
    rollout: np.ndarray = field(repr=False)


@float64
def spectrum_drift(
    step: Callable[[Any], Any], problem: Burgers, u0: Any, n_steps: int, *, floor: float = 1e-28
) -> SpectrumDrift:
    """Roll a learned one-step map ``step`` (u -> u_next, one ``problem.dt``) and compare spectra with ETDRK4.

    Parameters
    ----------
    step : callable
        ``step(u) -> u_next`` on fields of shape (N,) (a JAX function is vmapped and jitted; any other
        callable is called per field).
    problem : Burgers
        The true dynamics (nu, N, dt).
    u0 : array_like, shape (N,) or (B, N)
        Starting field(s); spectra are averaged over the batch.
    n_steps : int
        Steps of the rollout.
    floor : float, default 1e-28
        Modes whose true energy is below this are left out of the drift (round-off).

    Returns
    -------
    SpectrumDrift
    """
    if not callable(step):
        raise TypeError(f"step must be a callable u -> u_next, got {type(step).__name__}")
    n_steps = as_int(n_steps, name="n_steps", minimum=1)
    floor = as_positive_float(floor, name="floor")
    u = np.atleast_2d(check_setup(problem, u0))
    truth = solve(problem, u, n_steps * problem.dt, save_every=problem.dt).u
    fn: Callable[[Any], Any]
    try:
        fn = jax.jit(jax.vmap(step))
        fn(jnp.asarray(u))
    except (TypeError, ValueError, jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError):
        # a non-JAX callable (NumPy, torch through numpy): one field at a time
        def fn(batch: Any) -> Any:
            return np.stack([np.asarray(step(np.asarray(v)), dtype=float) for v in np.asarray(batch)])

    roll = np.empty_like(truth)
    roll[:, 0] = u
    cur: Any = jnp.asarray(u)
    for j in range(1, n_steps + 1):
        cur = fn(cur)
        roll[:, j] = np.asarray(cur)
    em = np.mean(energy_spectrum(roll), axis=0)
    et = np.mean(energy_spectrum(truth), axis=0)
    keep = problem.mask.copy()
    keep[0] = False
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log10(em[:, keep] / et[:, keep])
        use = et[:, keep] > floor
        drift = np.array([np.mean(np.abs(r[m])) if np.any(m) else 0.0 for r, m in zip(ratio, use, strict=True)])
        eratio = np.sum(em, axis=1) / np.sum(et, axis=1)
    return SpectrumDrift(problem.dt * np.arange(n_steps + 1), em, et, drift, eratio, roll)


@float64
def jacobian_spectral_radius(
    step: Callable[[Any], Any],
    states: Any,
    *,
    method: str = "auto",
    iterations: int = 200,
    seed: int = 0,
) -> np.ndarray:
    """Spectral radius of the Jacobian of a one-step map ``step`` (a JAX function u -> u_next) at given states.

    ``"dense"``: ``jax.jacfwd`` and the eigenvalues (numpy.linalg.eigvals); ``"power"``: the growth
    of ||J^j v|| for a seeded random v by Jacobian-vector products (``jax.jvp``), the radius estimated
    as (||J^j v|| / ||J^(j-m) v||)^(1/m) over the last m = iterations / 4 products (Gelfand: it
    converges to the spectral radius also for complex dominant pairs, with an error that falls like
    (|lambda_2| / |lambda_1|)^iterations: raise ``iterations`` when the leading moduli are close);
    ``"auto"``: dense for N <= 512.

    Parameters
    ----------
    step : callable
        JAX-traceable ``step(u) -> u_next``.
    states : array_like, shape (N,) or (B, N)
    method : {"auto", "dense", "power"}
    iterations : int, default 200
        Products of the power iteration.
    seed : int, default 0

    Returns
    -------
    numpy.ndarray, shape (B,)
    """
    if not callable(step):
        raise TypeError(f"step must be a callable u -> u_next, got {type(step).__name__}")
    if method not in ("auto", "dense", "power"):
        raise ValueError(f"method must be 'auto', 'dense' or 'power', got {method!r}")
    iterations = as_int(iterations, name="iterations", minimum=8)
    seed = as_int(seed, name="seed", minimum=0)
    s = np.atleast_2d(as_finite_array(states, name="states", ndim=(1, 2)))
    n = s.shape[1]
    if method == "auto":
        method = "dense" if n <= 512 else "power"
    if method == "dense":
        check_allocation(8.0 * n * n * s.shape[0], f"the Jacobians ({s.shape[0]} x {n} x {n})", "use method='power'")
        jac = np.asarray(jax.jit(jax.vmap(jax.jacfwd(step)))(jnp.asarray(s)))
        return np.array([np.max(np.abs(np.linalg.eigvals(j))) for j in jac])
    m = max(2, iterations // 4)

    @jax.jit
    def power(u: Any, v0: Any) -> Any:
        def body(v: Any, _: Any) -> Any:
            w = jax.jvp(step, (u,), (v,))[1]
            norm = jnp.linalg.norm(w)
            return w / jnp.where(norm > 0, norm, 1.0), jnp.log(jnp.where(norm > 0, norm, 1e-300))

        _, logs = jax.lax.scan(body, v0, None, length=iterations)
        return jnp.exp(jnp.mean(logs[-m:]))

    rng = np.random.default_rng(seed)
    out = []
    for u in s:
        v0 = rng.standard_normal(n)
        out.append(float(power(jnp.asarray(u), jnp.asarray(v0 / np.linalg.norm(v0)))))
    return np.array(out)


# ------------------------------------------------------------------------------------------ figure
def plot_run(run: BurgersRun, trajectory: int = 0, profiles: int = 4) -> Any:
    """x-t image of u (with a colorbar) and a few profiles u(x) of one trajectory.

    Parameters
    ----------
    run : BurgersRun
    trajectory : int, default 0
    profiles : int, default 4
        Number of profiles, evenly spaced in time.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    trajectory = as_int(trajectory, name="trajectory", minimum=0, maximum=run.u.shape[0] - 1)
    profiles = as_int(profiles, name="profiles", minimum=1)
    p = run.problem
    u = run.u[trajectory]
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11.0, 4.6), layout="constrained")
    lim = float(np.max(np.abs(u))) or 1.0
    im = ax0.pcolormesh(p.x, run.t, u, shading="auto", cmap="RdBu_r", vmin=-lim, vmax=lim)
    fig.colorbar(im, ax=ax0, label="u")
    ax0.set_xlabel("x")
    ax0.set_ylabel("time t")
    ax0.set_title(f"viscous Burgers, nu = {p.nu:g}, N = {p.n}, dt = {p.dt:.3g}")
    for j in np.unique(np.linspace(0, len(run.t) - 1, profiles).round().astype(int)):
        ax1.plot(p.x, u[j], label=f"t = {run.t[j]:.3g}")
    ax1.set_xlabel("x")
    ax1.set_ylabel("u(x, t)")
    ax1.legend()
    ax1.set_title(f"profiles of trajectory {trajectory}")
    return fig
