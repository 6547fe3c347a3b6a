"""Rings of phase oscillators: synchronization as kinetic roughening (Edwards-Wilkinson, KPZ, random deposition).

A ring of L phase oscillators with nearest-neighbour coupling,

.. math::

    \\dot\\phi_j = \\omega_j + K \\sum_{k = j \\pm 1} \\Gamma(\\phi_k - \\phi_j) + \\xi_j(t),
    \\qquad \\Gamma(x) = \\sin x + a (1 - \\cos x),

with periodic boundaries (``phi_L = phi_0``), is a growing interface h_j = phi_j (unwrapped, no
mod 2 pi). The randomness is either columnar (quenched) disorder, natural frequencies
omega_j ~ N(0, sigma^2) drawn once per realization and fixed in time, or time-dependent noise,
<xi_j(t) xi_k(t')> = 2 D delta_jk delta(t - t'). At strong coupling the phase field obeys
d_t phi = omega + nu d_x^2 phi + (lambda / 2)(d_x phi)^2 + noise with nu = K Gamma'(0) = K and
lambda = 2 K Gamma''(0) = 2 K a: an odd coupling (a = 0) gives the Edwards-Wilkinson (EW)
equation, a non-odd one (a != 0) the Kardar-Parisi-Zhang (KPZ) equation, whose KPZ coupling is
g = lambda^2 D / nu^3 = 4 a^2 D / K. The roughness w(L, t) grows as t^beta until it saturates
at w_sat ~ L^alpha at t_sat ~ L^z:

* time-dependent noise: random deposition (K = 0) beta = 1/2; EW beta = 1/4, alpha = 1/2, z = 2;
  KPZ beta = 1/3, alpha = 1/2, z = 3/2;
* columnar disorder: linear growth (K = 0) beta = 1; columnar EW (a = 0) beta = 3/4.

What is here:

* `chain`: the ring as a dynstab system, an `SDE` (time-dependent noise, Euler-Maruyama) or a
  `Flow` (D = 0, RK4), written against the system protocol, so `dynstab.simulate.trajectory`,
  Lyapunov exponents of the drift, entropies and NetCDF export take it like any other system;
* `simulate_chain`: an ensemble of realizations (each its own noise and, with ``disorder``, its
  own frequencies) run by `dynstab.simulate.trajectory` as one compiled ensemble per chunk of
  samples, reduced on the fly to the roughness, the phase slips and the frequencies (a
  `ChainRun`: `ChainRun.growth_exponent`, `ChainRun.saturation`, `ChainRun.sync_order`, NetCDF);
* `phase_diagram`: a sweep over (K, a, D), one ensemble per point, Ctrl-C keeping the points
  already finished (`SweepInterrupted`);
* `plot_roughness`, `plot_phase_diagram`: the figures.

References
----------
R. Gutierrez and R. Cuerno, "Dynamical phase diagram of synchronization in one dimension:
universal behavior from Edwards-Wilkinson to random deposition through Kardar-Parisi-Zhang",
arXiv:2604.06040 (2026); Phys. Rev. Research 5, 023047 (2023) (columnar disorder, odd vs non-odd
coupling); arXiv:2407.15634 (time-dependent noise, 1D KPZ); F. Family and T. Vicsek, J. Phys. A 18,
L75 (1985) (dynamic scaling); A.-L. Barabasi and H. E. Stanley, Fractal Concepts in Surface
Growth, Cambridge 1995 (exponents, crossover times). No code of the papers was published: this
is a re-implementation from the equations, checked against the exact exponents above.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._precision import float64
from ..validation import as_float, as_int

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.figure import Figure

    from ..systems import System

__all__ = [
    "REFERENCE",
    "coupling_function",
    "chain",
    "stable_step",
    "simulate_chain",
    "ChainRun",
    "GrowthFit",
    "Saturation",
    "ew_roughness",
    "phase_diagram",
    "SweepInterrupted",
    "load_chain_run",
    "plot_roughness",
    "plot_phase_diagram",
]

REFERENCE = (
    "R. Gutierrez and R. Cuerno, arXiv:2604.06040 (2026); Phys. Rev. Research 5, 023047 (2023); arXiv:2407.15634"
)

#: Bytes of phases one chunk of samples may hold (realizations x samples x oscillators, float64).
CHUNK_BYTES = 32 * 2**20

#: An Euler-Maruyama step of the ring costs this many times `dynstab.simulate.evolution.estimated_seconds`
#: (its 5 ns per number and step): one sine, one cosine and one threefry normal per oscillator measured
#: 100-150 ns per oscillator-step (L = 1024, R = 32, benchmarks/bench_oscillator_chains.py); RK4 (the
#: deterministic ring) costs 4 drift evaluations, about 4 x 25 ns. It sizes the chunks of `simulate_chain`.
STEP_COST = 20

#: Target wall time of one chunk of `simulate_chain` (by `STEP_COST`'s estimate): Ctrl-C and progress between chunks.
CHUNK_SECONDS = 1.0

#: Stability bound of the explicit schemes on the negative real axis: |1 + z| <= 1 for
#: Euler(-Maruyama) reaches z = -2, classical RK4 z = -2.785 (Hairer & Wanner, Solving ODEs II, Sec. IV.2).
STABILITY_REACH = {"euler_maruyama": 2.0, "rk4": 2.785}


def coupling_function(x: Any, nonoddity: Any) -> Any:
    """Gamma(x) = sin x + a (1 - cos x), the coupling of two phase oscillators.

    Its odd part sin x synchronizes (Gamma'(0) = 1); the even part a (1 - cos x), the nonoddity,
    makes the continuum limit a KPZ equation with lambda = 2 K Gamma''(0) = 2 K a. A
    Kuramoto-Sakaguchi coupling sin(x + alpha) - sin(alpha) is cos(alpha) Gamma(x) with a = -tan(alpha).

    Parameters
    ----------
    x : array_like
        Phase differences phi_k - phi_j.
    nonoddity : float or array_like
        a.

    Returns
    -------
    array
        Gamma(x), with NumPy or JAX arrays as given.
    """
    mod = _array_module(x)
    return mod.sin(x) + nonoddity * (1.0 - mod.cos(x))


def _array_module(x: Any) -> Any:
    if isinstance(x, np.ndarray | float | int):
        return np
    import jax.numpy as jnp

    return jnp


def _drift(x: Any, p: Any, t: Any) -> Any:
    """omega_j + K [Gamma(phi_{j+1} - phi_j) + Gamma(phi_{j-1} - phi_j)] on the ring.

    One sine and one cosine per bond: with d_j = phi_{j+1} - phi_j, Gamma(d_j) = sin d_j + a (1 - cos d_j)
    and Gamma(-d_{j-1}) = -sin d_{j-1} + a (1 - cos d_{j-1}). Module level, so every chain of one size
    shares one compiled kernel whatever its parameters.
    """
    import jax.numpy as jnp

    d = jnp.roll(x, -1) - x
    s, c = jnp.sin(d), jnp.cos(d)
    return p["omega"] + p["K"] * (s - jnp.roll(s, 1) + p["a"] * (2.0 - c - jnp.roll(c, 1)))


def _diffusion(x: Any, p: Any, t: Any) -> Any:
    """sqrt(2 D) on every oscillator: <xi_j(t) xi_k(t')> = 2 D delta_jk delta(t - t')."""
    import jax.numpy as jnp

    return jnp.sqrt(2.0 * p["D"]) * jnp.ones_like(x)


def _check_size(size: Any) -> int:
    return as_int(size, name="size (the number of oscillators L, at least 3 on a ring)", minimum=3)


def _nonnegative(value: Any, name: str) -> float:
    return as_float(value, name=name, minimum=0.0)


def stable_step(coupling: float, nonoddity: float, method: str = "euler_maruyama") -> float:
    """The largest stable step of the explicit scheme for the ring's coupling.

    The Jacobian of the coupling term is K times a graph Laplacian weighted by Gamma'(x) =
    cos x + a sin x, whose magnitude is at most sqrt(1 + a^2); with two neighbours its
    eigenvalues lie in [-4 K sqrt(1 + a^2), 0]. An explicit step h is stable while
    h * 4 K sqrt(1 + a^2) stays inside the scheme's reach on the negative real axis (2 for
    Euler-Maruyama, 2.785 for RK4).

    Parameters
    ----------
    coupling : float
        K >= 0.
    nonoddity : float
        a.
    method : {"euler_maruyama", "rk4"}
        The scheme.

    Returns
    -------
    float
        The bound (infinite for K = 0, where nothing couples and every step is stable).
    """
    coupling = _nonnegative(coupling, "coupling K")
    nonoddity = as_float(nonoddity, name="nonoddity a")
    if coupling == 0.0:
        return math.inf
    return STABILITY_REACH[method] / (4.0 * coupling * math.sqrt(1.0 + nonoddity**2))


@float64
def chain(
    size: int,
    *,
    coupling: float = 1.0,
    nonoddity: float = 0.0,
    noise: float = 0.0,
    frequencies: Any = None,
    dt: float = 0.05,
) -> System:
    """A ring of L phase oscillators (module docstring) as a dynstab system.

    With time-dependent noise (``noise`` D > 0) it is an `SDE` stepped by Euler-Maruyama; without
    (D = 0) a `Flow` stepped by RK4. The parameters are ``K``, ``a``, ``D`` and the natural
    frequencies ``omega`` (shape (L,)); columnar disorder is a parameter ensemble over ``omega``
    (`simulate_chain` draws it). The state is the unwrapped phases phi_0 .. phi_{L-1}, which grow
    without bound (the system's ``unbounded`` coordinates), starting flat (phi = 0).

    Parameters
    ----------
    size : int
        L >= 3 oscillators on the ring.
    coupling : float, default 1.0
        K >= 0.
    nonoddity : float, default 0.0
        a, the even part of Gamma (a = 0: odd coupling, EW; a != 0: KPZ).
    noise : float, default 0.0
        D >= 0, the strength of the time-dependent noise.
    frequencies : array_like, shape (L,), optional
        Natural frequencies omega_j (default all zero: identical oscillators in the rotating frame).
    dt : float, default 0.05
        The integration step; refused when it is not below `stable_step`.

    Returns
    -------
    SDE or Flow
        The ring, named ``"phase chain"``.

    Raises
    ------
    ValueError
        For L < 3, a negative K or D, non-finite values, frequencies of the wrong shape, or a step at
        or above the stability bound (the message gives the bound).
    """
    from ..systems import SDE, Flow, as_params
    from ..validation import as_finite_array, as_step

    size = _check_size(size)
    coupling = _nonnegative(coupling, "coupling K")
    nonoddity = as_float(nonoddity, name="nonoddity a")
    noise = _nonnegative(noise, "noise D")
    dt = as_step(dt, name="dt")
    method = "euler_maruyama" if noise > 0 else "rk4"
    _check_step(dt, coupling, nonoddity, method)
    if frequencies is None:
        omega = np.zeros(size)
    else:
        omega = as_finite_array(frequencies, name="frequencies", shape=(size,))
    params = as_params({"K": coupling, "a": nonoddity, "D": noise, "omega": omega})
    common: dict[str, Any] = dict(
        name="phase chain",
        reference=REFERENCE,
        dt=dt,
        description="ring of phase oscillators, Gamma(x) = sin x + a (1 - cos x)",
        unbounded=tuple(range(size)),
        flags=frozenset({"unbounded"}),
    )
    names = tuple(f"phi_{j}" for j in range(size))
    import jax.numpy as jnp

    x0 = jnp.zeros(size)
    if noise > 0:
        return SDE(_drift, params, x0, names, diffusion=_diffusion, **common)
    return Flow(_drift, params, x0, names, **common)


def _check_step(step: float, coupling: float, nonoddity: float, method: str) -> None:
    bound = stable_step(coupling, nonoddity, method)
    if step >= bound:
        scheme = "Euler-Maruyama" if method == "euler_maruyama" else "RK4"
        raise ValueError(
            f"the step {step:g} is too large for {scheme} with K = {coupling:g}, a = {nonoddity:g}: it must be "
            f"below {bound:.4g} = {STABILITY_REACH[method]:g} / (4 K sqrt(1 + a^2)); take a smaller dt"
        )


# ---------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class GrowthFit:
    """The growth exponent beta of w ~ A t^beta fitted on ``[t_min, t_max]``.

    ``beta`` is the least-squares slope of ln w against ln t at ``points`` log-spaced samples of
    the window; ``stderr`` and the 95% interval ``(low, high)`` come from a bootstrap over the
    realizations (``n_boot`` resamples with replacement, each refitted). Consecutive roughness
    values are strongly correlated (each sample carries the whole history), so the regression's
    own standard error understates the uncertainty; resampling the independent realizations does not.
    """

    beta: float
    amplitude: float
    stderr: float
    low: float
    high: float
    t_min: float
    t_max: float
    points: int
    n_boot: int

    def to_dict(self) -> dict[str, float | int]:
        """The fit as plain numbers (JSON)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Saturation:
    """The saturated roughness w_sat and the saturation time t_sat.

    ``w_sat`` is the mean of w over the last ``tail`` fraction of the run; the run counts as
    ``saturated`` when the log-log slope of w over that tail is below ``flat`` (far below every
    growth exponent, 1/4 the smallest). ``t_sat`` is the Family-Vicsek crossover time where the
    growth law A t^beta reaches w_sat, (w_sat / A)^(1 / beta) (NaN without a growth fit or
    saturation).
    """

    saturated: bool
    w_sat: float
    t_sat: float
    tail_slope: float

    def to_dict(self) -> dict[str, float | bool]:
        """The values as plain numbers (JSON)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class ChainRun:
    """An ensemble of realizations of a ring of phase oscillators (`simulate_chain`).

    Parameters
    ----------
    t : numpy.ndarray, shape (N,)
        Sample times (the flat start t = 0 is not stored).
    w2 : numpy.ndarray, shape (R, N)
        Squared roughness of each realization, (1/L) sum_j (phi_j - mean phi)^2.
    slips : numpy.ndarray, shape (R, N)
        Phase slips in each sampling interval: the bond winding numbers
        n_j = round((phi_{j+1} - phi_j) / 2 pi) that changed, summed as sum_j |delta n_j|.
    velocity : numpy.ndarray, shape (R, N)
        Mean phase velocity of the ring over each sampling interval (the interface's growth rate).
    frequencies : numpy.ndarray, shape (R, L)
        Mean frequencies Omega_j = (phi_j(T) - phi_j(T0)) / (T - T0) over the last
        ``frequency_window`` fraction of the run.
    final : numpy.ndarray, shape (R, L)
        The phases at the end.
    settings : dict
        size, coupling, nonoddity, noise, disorder, step, sample_dt, seed, realizations,
        frequency_window, method.
    """

    t: np.ndarray
    w2: np.ndarray
    slips: np.ndarray
    velocity: np.ndarray
    frequencies: np.ndarray
    final: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def realizations(self) -> int:
        """R."""
        return int(self.w2.shape[0])

    @property
    def roughness(self) -> np.ndarray:
        """w(L, t) = sqrt(< w2 >) over the realizations, shape (N,)."""
        return np.sqrt(self.w2.mean(axis=0))

    @property
    def slip_counts(self) -> np.ndarray:
        """Phase slips of each realization over the whole run, shape (R,)."""
        return self.slips.sum(axis=1)

    @property
    def slip_rate(self) -> float:
        """Phase slips per oscillator and time unit, averaged over realizations and the run."""
        size = int(self.final.shape[1])
        return float(self.slips.sum() / (self.realizations * size * self.t[-1]))

    def growth_exponent(
        self,
        t_min: float,
        t_max: float,
        *,
        points: int = 24,
        n_boot: int = 1000,
        seed: int = 0,
    ) -> GrowthFit:
        """Fit w ~ A t^beta on ``[t_min, t_max]`` with a bootstrap confidence interval (see `GrowthFit`).

        Parameters
        ----------
        t_min, t_max : float
            The growth window, from the crossover times of theory (e.g. `ew_window`), not fitted to the data.
        points : int, default 24
            Log-spaced sample times in the window (the nearest samples, each used once), so that
            every decade weighs the same.
        n_boot : int, default 1000
            Bootstrap resamples of the realizations (0: no interval).
        seed : int, default 0
            Seed of the resampling.

        Returns
        -------
        GrowthFit

        Raises
        ------
        ValueError
            For a window outside the run, with fewer than 3 distinct samples, or where w = 0.
        """
        t_min = as_float(t_min, name="t_min", minimum=0.0, inclusive="neither")
        t_max = as_float(t_max, name="t_max", minimum=t_min, inclusive="neither")
        points = as_int(points, name="points", minimum=3)
        n_boot = as_int(n_boot, name="n_boot", minimum=0)
        idx = _window_indices(self.t, t_min, t_max, points)
        w2 = self.w2[:, idx]
        if np.any(w2.mean(axis=0) <= 0):
            raise ValueError("the roughness is zero in the window: nothing grows (no noise, no disorder?)")
        x = np.log(self.t[idx])
        beta, lna = _slope(x, 0.5 * np.log(w2.mean(axis=0)))
        low = high = stderr = math.nan
        if n_boot and self.realizations > 1:
            rng = np.random.default_rng(seed)
            picks = rng.integers(0, self.realizations, size=(n_boot, self.realizations))
            boot = np.empty(n_boot)
            for b in range(n_boot):  # one small fit each; (n_boot, R, points) at once would hold R x n_boot rows
                boot[b] = _slope(x, 0.5 * np.log(w2[picks[b]].mean(axis=0)))[0]
            stderr = float(boot.std(ddof=1))
            low, high = (float(v) for v in np.percentile(boot, [2.5, 97.5]))
        return GrowthFit(
            float(beta),
            float(np.exp(lna)),
            stderr,
            low,
            high,
            float(self.t[idx[0]]),
            float(self.t[idx[-1]]),
            len(idx),
            n_boot,
        )

    def saturation(self, fit: GrowthFit | None = None, *, tail: float = 0.5, flat: float = 0.05) -> Saturation:
        """The saturated roughness and the saturation time (see `Saturation`).

        Parameters
        ----------
        fit : GrowthFit, optional
            The growth law, for t_sat.
        tail : float, default 0.5
            Fraction of the run (its end) over which the slope is fitted and w_sat averaged: the last half,
            a factor 2 in time, where a saturated w's fluctuations (a few percent) move the slope by
            about 0.03 and the slowest growth (beta = 1/4) gives 0.25.
        flat : float, default 0.05
            Largest |log-log slope| of w over the tail for a saturated run.

        Returns
        -------
        Saturation
        """
        tail = as_float(tail, name="tail", minimum=0.0, maximum=1.0, inclusive="right")
        flat = as_float(flat, name="flat", minimum=0.0, inclusive="neither")
        w = self.roughness
        keep = self.t >= self.t[-1] * (1.0 - tail)
        if keep.sum() < 2 or np.any(w[keep] <= 0):
            return Saturation(False, math.nan, math.nan, math.nan)
        slope = _slope(np.log(self.t[keep]), np.log(w[keep]))[0]
        saturated = bool(abs(slope) < flat)
        w_sat = float(w[keep].mean()) if saturated else math.nan
        t_sat = math.nan
        if saturated and fit is not None and fit.beta > 0:
            t_sat = float((w_sat / fit.amplitude) ** (1.0 / fit.beta))
        return Saturation(saturated, w_sat, t_sat, float(slope))

    def sync_order(self) -> float:
        """The frequency-synchronization order parameter S, averaged over the realizations.

        Two neighbours are frequency-locked when their phase difference changed by less than pi
        over the frequency window, |Omega_{j+1} - Omega_j| (T - T0) < pi (no net phase slip
        between them); S is the size of the largest run of locked neighbours on the ring divided
        by L: 1 for a fully synchronized ring, 1/L when no two neighbours lock (Strogatz &
        Mirollo, Physica D 31, 143 (1988): the largest frequency cluster of a chain).

        Returns
        -------
        float
            S in [1/L, 1].
        """
        return float(np.mean(self.sync_orders()))

    def sync_orders(self) -> np.ndarray:
        """S of each realization (`sync_order`), shape (R,)."""
        span = self.settings.get("frequency_window", 0.5) * self.t[-1]
        return np.array([_largest_cluster(row, span) for row in self.frequencies])

    def to_xarray(self) -> xr.Dataset:
        """The run as an ``xarray.Dataset`` (CF-1.8): w2, slips and velocity over (realization, time), the
        frequencies and final phases over (realization, oscillator), the roughness over time, and
        the settings as global attributes."""
        import xarray as xr

        from .. import __version__

        size = self.final.shape[1]
        ds = xr.Dataset(
            {
                "w2": (("realization", "time"), self.w2, {"long_name": "squared roughness", "units": "rad2"}),
                "roughness": ("time", self.roughness, {"long_name": "roughness w(L, t)", "units": "rad"}),
                "slips": (
                    ("realization", "time"),
                    self.slips,
                    {"long_name": "phase slips in the sampling interval", "units": "1"},
                ),
                "velocity": (
                    ("realization", "time"),
                    self.velocity,
                    {"long_name": "mean phase velocity over the sampling interval", "units": "rad s-1"},
                ),
                "frequency": (
                    ("realization", "oscillator"),
                    self.frequencies,
                    {"long_name": "mean frequency over the frequency window", "units": "rad s-1"},
                ),
                "phase": (
                    ("realization", "oscillator"),
                    self.final,
                    {"long_name": "unwrapped phase at the end", "units": "rad"},
                ),
            },
            coords={
                "time": ("time", self.t, {"standard_name": "time", "long_name": "time", "units": "s", "axis": "T"}),
                "realization": ("realization", np.arange(self.realizations), {"long_name": "realization"}),
                "oscillator": ("oscillator", np.arange(size), {"long_name": "oscillator index j"}),
            },
            attrs={
                "Conventions": "CF-1.8",
                "title": "ring of phase oscillators (phase chain)",
                "source": f"dynstab {__version__}",
                "references": REFERENCE,
                "comment": "time in units of the oscillators' time (s stands for the model's time unit)",
                **{k: _attr(v) for k, v in self.settings.items()},
            },
        )
        return ds

    def to_netcdf(self, path: str | Path) -> None:
        """Write `to_xarray` atomically (`dynstab.files.atomic_output`); read back with `load_chain_run`.

        Parameters
        ----------
        path : str or os.PathLike
            The file.
        """
        from ..files import atomic_output

        ds = self.to_xarray()
        with atomic_output(path) as tmp:
            ds.to_netcdf(tmp, engine="h5netcdf")


def _attr(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def load_chain_run(path: str | Path) -> ChainRun:
    """Read a `ChainRun` written by `ChainRun.to_netcdf`.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    ChainRun
    """
    import xarray as xr

    with xr.open_dataset(path, engine="h5netcdf") as ds:
        keys: tuple[str, ...] = ("size", "coupling", "nonoddity", "noise", "disorder", "step", "sample_dt", "seed")
        keys += ("realizations", "frequency_window", "method")
        settings = {k: ds.attrs[k] for k in keys if k in ds.attrs}
        return ChainRun(
            t=ds["time"].values.copy(),
            w2=ds["w2"].values.copy(),
            slips=ds["slips"].values.copy(),
            velocity=ds["velocity"].values.copy(),
            frequencies=ds["frequency"].values.copy(),
            final=ds["phase"].values.copy(),
            settings=settings,
        )


def _slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope and intercept of y against x."""
    xm = x - x.mean()
    slope = float(np.dot(xm, y - y.mean()) / np.dot(xm, xm))
    return slope, float(y.mean() - slope * x.mean())


def _window_indices(t: np.ndarray, t_min: float, t_max: float, points: int) -> np.ndarray:
    """The samples nearest to ``points`` log-spaced times in [t_min, t_max], each once."""
    inside = np.flatnonzero((t >= t_min * (1 - 1e-9)) & (t <= t_max * (1 + 1e-9)))
    if inside.size < 3:
        raise ValueError(
            f"the window [{t_min:g}, {t_max:g}] holds {inside.size} samples of the run (t in [{t[0]:g}, {t[-1]:g}]); "
            "it needs at least 3: widen it, run longer or sample more often"
        )
    targets = np.geomspace(t[inside[0]], t[inside[-1]], points)
    idx = np.unique(inside[np.clip(np.searchsorted(t[inside], targets), 0, inside.size - 1)])
    if idx.size < 3:
        raise ValueError(f"the window [{t_min:g}, {t_max:g}] holds fewer than 3 distinct samples")
    return idx


def _largest_cluster(omega: np.ndarray, span: float) -> float:
    """Largest run of neighbours with |Omega_{j+1} - Omega_j| span < pi on the ring, over L."""
    size = omega.size
    locked = np.abs(np.roll(omega, -1) - omega) * span < math.pi  # bond j -- j+1
    if locked.all():
        return 1.0
    # rotate so that the ring starts after a broken bond, then runs of locked bonds are plain runs
    start = int(np.flatnonzero(~locked)[0]) + 1
    bonds = np.roll(locked, -start)
    best = run = 0
    for ok in bonds:
        run = run + 1 if ok else 0
        best = max(best, run)
    return (best + 1) / size  # a run of b locked bonds joins b + 1 oscillators


def ew_roughness(t: Any, size: int, coupling: float, noise: float) -> np.ndarray:
    """The exact roughness of the linearized ring with noise (discrete Edwards-Wilkinson), from a flat start.

    Linearizing Gamma(x) ~ x, each Fourier mode q = 2 pi k / L (k != 0) of the phases is an
    Ornstein-Uhlenbeck process with rate K lambda_q, lambda_q = 4 sin^2(q / 2), so

        w^2(t) = (2 D / L) sum_{k=1}^{L-1} (1 - exp(-2 K lambda_q t)) / (2 K lambda_q),

    which is 2 D t (random deposition) for K t << 1, grows as t^(1/2) (beta = 1/4) for
    1 << K t << L^2, and saturates at D L / (12 K) (alpha = 1/2). It sets the EW fit window
    (`ew_window`) and checks the simulation where the coupling is linear (D / K small).

    Parameters
    ----------
    t : array_like
        Times >= 0.
    size : int
        L.
    coupling : float
        K > 0.
    noise : float
        D >= 0.

    Returns
    -------
    numpy.ndarray
        w(t) (not squared), the shape of ``t``.
    """
    size = _check_size(size)
    coupling = as_float(coupling, name="coupling K", minimum=0.0, inclusive="neither")
    noise = _nonnegative(noise, "noise D")
    t = np.asarray(t, dtype=float)
    q = 2 * np.pi * np.arange(1, size) / size
    rate = 2 * coupling * 4 * np.sin(q / 2) ** 2
    w2 = (2 * noise / size) * (-np.expm1(-np.multiply.outer(t, rate)) / rate).sum(axis=-1)
    return np.sqrt(w2)


# ---------------------------------------------------------------------------------------------- simulation
@float64
def simulate_chain(
    system: System,
    t: float,
    *,
    realizations: int = 32,
    disorder: float = 0.0,
    sample_dt: float = 0.5,
    step: float | None = None,
    seed: int = 0,
    frequency_window: float = 0.5,
    progress: Callable[[int, int], None] | None = None,
) -> ChainRun:
    """Run R realizations of a `chain` from the flat start and reduce them to roughness, slips and frequencies.

    Each realization has its own noise (``seed`` fixes all of it) and, with ``disorder`` sigma > 0,
    its own natural frequencies omega_j ~ N(0, sigma^2) (columnar disorder; a parameter ensemble
    over ``omega``). The ensemble runs through `dynstab.simulate.trajectory` (x0 of shape (R, L):
    one compiled call for all realizations) in chunks of a fixed number of samples: after each
    chunk the phases are reduced to the per-sample observables and dropped, so memory stays at
    one chunk (`CHUNK_BYTES`) whatever the length, ``progress(done, total)`` counts samples, and
    Ctrl-C stops the run within a chunk (`dynstab.simulate.evolution.in_chunks`). The chunks are
    fixed by (R, L, sample_dt, step), not by timing, so a seed reproduces a run bit for bit.
    Chunk c draws its Wiener increments from the seed ``SeedSequence([seed, 1, c])``.

    What `trajectory` does not do and this adds: reduce the samples on the fly (it returns every
    phase of every sample) and continue one noise stream across calls (each call starts from its
    ``seed``: the chunks take distinct seeds instead).

    Parameters
    ----------
    system : System
        A ring from `chain` (an SDE with noise, a Flow without).
    t : float
        Length of the run.
    realizations : int, default 32
        R, independent realizations.
    disorder : float, default 0.0
        sigma >= 0 of the columnar disorder; 0 keeps the system's own ``omega`` in every realization.
    sample_dt : float, default 0.5
        Time between samples of the observables (a multiple of the integration step is used).
    step : float, optional
        Integration step (default ``system.dt``), checked against `stable_step`.
    seed : int, default 0
        Seed of the noise and of the disorder.
    frequency_window : float, default 0.5
        Fraction of the run at its end over which the mean frequencies (`ChainRun.sync_order`) are taken.
    progress : callable, optional
        ``progress(done, total)`` in samples, between chunks.

    Returns
    -------
    ChainRun

    Raises
    ------
    ValueError
        For a system that is not a ring from `chain`, t <= 0, fewer than 2 samples, R < 1, a
        negative disorder, a step at or above the stability bound, or a run over the memory limit.
    """
    import jax

    from ..limits import check_allocation
    from ..simulate import trajectory
    from ..simulate.evolution import estimated_seconds, in_chunks
    from ..validation import as_step

    p = system.params
    if set(p) != {"K", "a", "D", "omega"} or system.rhs is not _drift:
        raise ValueError(f"simulate_chain runs a ring from dynstab.models.oscillator_chains.chain, got {system.name!r}")
    size = system.dim
    coupling, nonoddity, noise = float(p["K"]), float(p["a"]), float(p["D"])
    t = as_float(t, name="t (the length of the run)", minimum=0.0, inclusive="neither")
    realizations = as_int(realizations, name="realizations", minimum=1)
    disorder = _nonnegative(disorder, "disorder (sigma of the natural frequencies)")
    sample_dt = as_step(sample_dt, name="sample_dt")
    seed = as_int(seed, name="seed")
    frequency_window = as_float(frequency_window, name="frequency_window", minimum=0.0, maximum=1.0, inclusive="right")
    h_max = as_step(system.dt if step is None else step, name="step")
    n_sub = max(1, math.ceil(sample_dt / h_max - 1e-9))
    h = sample_dt / n_sub
    method = "euler_maruyama" if system.stochastic else "rk4"
    _check_step(h, coupling, nonoddity, method)
    total = int(round(t / sample_dt))
    if total < 2:
        raise ValueError(f"t = {t:g} with sample_dt = {sample_dt:g} gives {total} samples; at least 2 are needed")
    check_allocation(
        4.0 * realizations * total * 8 + 3.0 * realizations * size * 8,
        f"the observables of {realizations} realizations x {total} samples",
        "sample less often with a larger sample_dt, or shorten t",
    )
    per_sample = realizations * size * 8
    if per_sample > CHUNK_BYTES:
        check_allocation(
            per_sample * 2, f"one sample of {realizations} realizations x {size} oscillators", "use fewer realizations"
        )
    # a chunk holds at most CHUNK_BYTES of phases and takes about CHUNK_SECONDS (Ctrl-C and progress between
    # chunks); a formula of the sizes, never a timing, so the chunks (and the noise seeds) are reproducible
    sample_seconds = estimated_seconds(n_sub, size, realizations) * STEP_COST
    chunk = int(max(1, min(total, CHUNK_BYTES // per_sample, CHUNK_SECONDS // sample_seconds)))

    omega = np.broadcast_to(np.asarray(p["omega"]), (realizations, size))
    if disorder > 0:
        omega = omega + disorder * np.random.default_rng(np.random.SeedSequence([seed, 0])).standard_normal(
            (realizations, size)
        )
    params = {"omega": omega} if disorder > 0 else None
    i0 = min(total - 1, max(0, int(round(total * (1.0 - frequency_window)))))  # samples before the frequency window
    out = {name: np.empty((realizations, total)) for name in ("w2", "slips", "velocity")}
    snapshot: dict[str, np.ndarray] = {}
    x = np.zeros((realizations, size))
    if i0 == 0:
        snapshot["start"] = x.copy()

    def piece(state: np.ndarray, start: int, count: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        chunk_seed = int(np.random.SeedSequence([seed, 1, start // chunk]).generate_state(1)[0])
        traj = trajectory(
            system,
            t=chunk * sample_dt,
            dt=sample_dt,
            x0=state,
            step=h,
            params=params,
            seed=chunk_seed,
            t0=start * sample_dt,
        )
        xs = traj.x  # (R, chunk + 1, L): the start, then the samples
        if start < i0 <= start + count:
            snapshot["start"] = xs[:, i0 - start].copy()
        return xs[:, count], _observables(xs[:, : count + 1], sample_dt)

    def store(start: int, ys: dict[str, np.ndarray]) -> None:
        for name, values in ys.items():
            out[name][:, start : start + values.shape[1]] = values

    final, _ = in_chunks(
        piece, x, total, chunk, chunk, axis=1, progress=progress, seconds=1e18, store=store
    )  # seconds=1e18: chunks of a fixed size (the noise seeds follow the chunks), never resized by timing
    final = np.asarray(jax.device_get(final))
    times = sample_dt * np.arange(1, total + 1)
    span = times[-1] - (times[i0 - 1] if i0 > 0 else 0.0)
    frequencies = (final - snapshot["start"]) / span
    settings = dict(
        size=size,
        coupling=coupling,
        nonoddity=nonoddity,
        noise=noise,
        disorder=disorder,
        step=h,
        sample_dt=sample_dt,
        seed=seed,
        realizations=realizations,
        frequency_window=span / times[-1],
        method=method,
    )
    return ChainRun(times, out["w2"], out["slips"], out["velocity"], frequencies, final, settings)


def _observables(xs: np.ndarray, sample_dt: float) -> dict[str, np.ndarray]:
    """Per-sample observables of phases (R, n + 1, L) whose first row is the previous sample."""
    now = xs[:, 1:]
    w2 = now.var(axis=-1)
    winding = np.rint((np.roll(xs, -1, axis=-1) - xs) / (2 * np.pi))
    slips = np.abs(np.diff(winding, axis=1)).sum(axis=-1)
    velocity = np.diff(xs.mean(axis=-1), axis=1) / sample_dt
    return {"w2": w2, "slips": slips, "velocity": velocity}


# ---------------------------------------------------------------------------------------------- phase diagram
class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during `phase_diagram`: ``partial`` holds the dataset with the points finished before it
    (the others NaN, ``done`` False, attribute ``complete = 0``)."""

    def __init__(self, partial: xr.Dataset) -> None:
        super().__init__("the phase diagram was interrupted; .partial holds the finished points")
        self.partial = partial


DIAGRAM_VARIABLES = {
    "beta": ("growth exponent beta", "1"),
    "beta_low": ("lower end of the 95% bootstrap interval of beta", "1"),
    "beta_high": ("upper end of the 95% bootstrap interval of beta", "1"),
    "w_sat": ("saturated roughness (NaN when not saturated)", "rad"),
    "t_sat": ("saturation time (NaN when not saturated)", "s"),
    "slip_rate": ("phase slips per oscillator and time unit", "s-1"),
    "sync_order": ("frequency-synchronization order parameter S", "1"),
    "kpz_coupling": ("KPZ coupling g = lambda^2 D / nu^3 = 4 a^2 D / K", "1"),
}


#: Colour ranges of the maps with known bounds: beta from 0 to 1 (random deposition 1/2, linear growth 1), S in [0, 1].
FIXED_RANGES = {"beta": (0.0, 1.0), "beta_low": (0.0, 1.0), "beta_high": (0.0, 1.0), "sync_order": (0.0, 1.0)}


def _values(values: Any, name: str, minimum: float | None) -> np.ndarray:
    from ..validation import as_finite_array

    arr = np.atleast_1d(as_finite_array(values, name=name)).astype(float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty list of numbers, got shape {arr.shape}")
    if minimum is not None and np.any(arr < minimum):
        raise ValueError(f"{name} must all be >= {minimum:g}, got {arr.min():g}")
    return arr


def default_window(t: float, sample_dt: float) -> tuple[float, float]:
    """The growth window when none is given: [max(2 sample_dt, t / 200), min(t, max(t / 10, 10 sample_dt))].

    One window for a whole diagram, in the growth regime of a run of length t from a flat start:
    after the random-deposition transient (K t >> 1 for K of order 1) and before saturation for
    L large enough that t_sat >> t / 10. Give a window from the crossover times of the regime
    studied (e.g. `ew_roughness` for EW) for measurements.

    Parameters
    ----------
    t : float
        The run's length.
    sample_dt : float
        The sampling interval.

    Returns
    -------
    (float, float)
    """
    return (max(2 * sample_dt, t / 200), min(t, max(t / 10, 10 * sample_dt)))


@float64
def phase_diagram(
    size: int,
    couplings: Sequence[float],
    nonoddities: Sequence[float],
    noises: Sequence[float],
    *,
    t: float,
    realizations: int = 16,
    disorder: float = 0.0,
    sample_dt: float = 0.5,
    step: float | None = None,
    window: tuple[float, float] | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """The dynamical phase diagram over (K, a, D): one `simulate_chain` ensemble per point.

    At each point it records the growth exponent fitted on ``window`` with its bootstrap interval,
    the saturated roughness and time, the phase-slip rate, the frequency-synchronization order
    parameter S and the KPZ coupling g = 4 a^2 D / K. One integration step serves every point
    (default min(0.05, half the stability bound at the largest K sqrt(1 + a^2))), so the points of
    one kind (with or without noise) share one compiled kernel. Ctrl-C raises `SweepInterrupted`
    carrying the points finished so far.

    Parameters
    ----------
    size : int
        L >= 3.
    couplings, nonoddities, noises : sequence of float
        The values of K >= 0, a and D >= 0.
    t : float
        Length of each run.
    realizations : int, default 16
        R per point.
    disorder : float, default 0.0
        sigma of the columnar disorder at every point.
    sample_dt : float, default 0.5
        Sampling interval of the observables.
    step : float, optional
        Integration step (checked against the stability bound at every point).
    window : (float, float), optional
        The growth window (default `default_window`).
    seed : int, default 0
        Seed of every point's noise and disorder (the same at each point: common random numbers).
    progress : callable, optional
        ``progress(done, total)`` in samples over the whole diagram.

    Returns
    -------
    xarray.Dataset
        Variables of `DIAGRAM_VARIABLES` and ``done`` over (coupling, nonoddity, noise); attributes
        size, realizations, t, disorder, step, window, seed and ``complete``.

    Raises
    ------
    ValueError
        For bad values (before any point runs: the steps at every point are checked first).
    SweepInterrupted
        On Ctrl-C, with the finished points.
    """
    import xarray as xr

    size = _check_size(size)
    ks = _values(couplings, "couplings (K)", 0.0)
    as_ = _values(nonoddities, "nonoddities (a)", None)
    ds_ = _values(noises, "noises (D)", 0.0)
    t = as_float(t, name="t (the length of each run)", minimum=0.0, inclusive="neither")
    realizations = as_int(realizations, name="realizations", minimum=1)
    disorder = _nonnegative(disorder, "disorder (sigma of the natural frequencies)")
    from ..validation import as_step

    sample_dt = as_step(sample_dt, name="sample_dt")
    seed = as_int(seed, name="seed")
    stiffest = float(np.max(ks) * np.sqrt(1 + np.max(as_**2)))
    if step is None:
        h = 0.05 if stiffest == 0 else min(0.05, 0.5 * STABILITY_REACH["euler_maruyama"] / (4 * stiffest))
    else:
        h = as_step(step, name="step")
    n_sub = max(1, math.ceil(sample_dt / h - 1e-9))
    for k in ks:  # every point's step, before any work
        for a in as_:
            for d in ds_:
                _check_step(sample_dt / n_sub, float(k), float(a), "euler_maruyama" if d > 0 else "rk4")
    t_min, t_max = default_window(t, sample_dt) if window is None else window
    t_min = as_float(t_min, name="window start", minimum=0.0, inclusive="neither")
    t_max = as_float(t_max, name="window end", minimum=t_min, maximum=t, inclusive="right")
    shape = (ks.size, as_.size, ds_.size)
    data = {name: np.full(shape, np.nan) for name in DIAGRAM_VARIABLES}
    done = np.zeros(shape, dtype=bool)
    total_samples = int(round(t / sample_dt))
    n_points = int(np.prod(shape))

    def dataset(complete: bool) -> xr.Dataset:
        with np.errstate(divide="ignore", invalid="ignore"):
            data["kpz_coupling"] = 4 * as_[None, :, None] ** 2 * ds_[None, None, :] / ks[:, None, None]
        variables = {
            name: (("coupling", "nonoddity", "noise"), data[name], {"long_name": text, "units": units})
            for name, (text, units) in DIAGRAM_VARIABLES.items()
        }
        variables["done"] = (
            ("coupling", "nonoddity", "noise"),
            done.astype(np.int8),
            {"long_name": "point finished", "units": "1"},
        )
        coords = {
            "coupling": ("coupling", ks, {"long_name": "coupling K", "units": "s-1"}),
            "nonoddity": ("nonoddity", as_, {"long_name": "nonoddity a", "units": "1"}),
            "noise": ("noise", ds_, {"long_name": "noise strength D", "units": "rad2 s-1"}),
        }
        from .. import __version__

        attrs = {
            "Conventions": "CF-1.8",
            "title": "dynamical phase diagram of a ring of phase oscillators",
            "source": f"dynstab {__version__}",
            "references": REFERENCE,
            "size": size,
            "realizations": realizations,
            "t": t,
            "disorder": disorder,
            "step": sample_dt / n_sub,
            "sample_dt": sample_dt,
            "window_start": float(t_min),
            "window_end": float(t_max),
            "seed": seed,
            "complete": int(complete),
        }
        return xr.Dataset(variables, coords=coords, attrs=attrs)

    i = 0
    try:
        for ik, k in enumerate(ks):
            for ia, a in enumerate(as_):
                for idd, d in enumerate(ds_):
                    system = chain(size, coupling=float(k), nonoddity=float(a), noise=float(d), dt=sample_dt / n_sub)
                    offset = i * total_samples
                    report = (
                        None if progress is None else (lambda j, _, o=offset: progress(o + j, n_points * total_samples))
                    )
                    run = simulate_chain(
                        system,
                        t,
                        realizations=realizations,
                        disorder=disorder,
                        sample_dt=sample_dt,
                        seed=seed,
                        progress=report,
                    )
                    _record(run, (ik, ia, idd), (t_min, t_max), data)
                    done[ik, ia, idd] = True
                    i += 1
    except KeyboardInterrupt:
        raise SweepInterrupted(dataset(False)) from None
    return dataset(True)


def _record(
    run: ChainRun, where: tuple[int, int, int], window: tuple[float, float], data: dict[str, np.ndarray]
) -> None:
    """One point's numbers into the diagram's arrays (beta NaN where nothing grows)."""
    try:
        fit: GrowthFit | None = run.growth_exponent(*window, n_boot=200)
    except ValueError:
        fit = None
    if fit is not None:
        data["beta"][where], data["beta_low"][where], data["beta_high"][where] = fit.beta, fit.low, fit.high
    sat = run.saturation(fit)
    data["w_sat"][where], data["t_sat"][where] = sat.w_sat, sat.t_sat
    data["slip_rate"][where] = run.slip_rate
    data["sync_order"][where] = run.sync_order()


# ---------------------------------------------------------------------------------------------- figures
def plot_roughness(
    runs: Sequence[ChainRun],
    fits: Sequence[GrowthFit | None] | None = None,
    labels: Sequence[str] | None = None,
    ax: Any = None,
) -> Figure:
    """Roughness growth w(L, t) on log-log axes, with each fitted power law drawn over its window.

    Parameters
    ----------
    runs : sequence of ChainRun
        The runs, one curve each.
    fits : sequence of GrowthFit or None, optional
        A fit per run (drawn dashed over its window, its beta and interval in the legend).
    labels : sequence of str, optional
        Legend labels (default: K, a, D, sigma of each run).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (a new figure otherwise).

    Returns
    -------
    matplotlib.figure.Figure
    """

    from ..plotting import figure_axes

    fig, ax = figure_axes(ax, (6.4, 4.8))
    fits = list(fits) if fits is not None else [None] * len(runs)
    for i, run in enumerate(runs):
        s = run.settings
        label = (
            labels[i]
            if labels is not None
            else f"K={s.get('coupling', 0):g}, a={s.get('nonoddity', 0):g}, D={s.get('noise', 0):g}, sigma={s.get('disorder', 0):g}"
        )
        w = run.roughness
        keep = w > 0
        (line,) = ax.loglog(run.t[keep], w[keep], label=label)
        fit = fits[i] if i < len(fits) else None
        if fit is not None:
            tt = np.geomspace(fit.t_min, fit.t_max, 20)
            ci = "" if math.isnan(fit.low) else f" [{fit.low:.3f}, {fit.high:.3f}]"
            ax.loglog(
                tt, fit.amplitude * tt**fit.beta, "--", color="black", lw=1.2, label=f"fit: beta = {fit.beta:.3f}{ci}"
            )
            line.set_zorder(1)
    ax.set_xlabel("time t (time units)")
    ax.set_ylabel("roughness w(L, t) (rad)")
    size = runs[0].settings.get("size", "?") if runs else "?"
    ax.set_title(f"roughening of a ring of L = {size} phase oscillators")
    ax.legend(fontsize="small")
    return fig


def plot_phase_diagram(diagram: xr.Dataset, variables: Sequence[str] = ("beta", "sync_order")) -> Figure:
    """Maps of the phase diagram: one row per variable, one panel per noise D, K across, a up.

    Unfinished points (an interrupted sweep) are left blank.

    Parameters
    ----------
    diagram : xarray.Dataset
        From `phase_diagram`.
    variables : sequence of str, default ("beta", "sync_order")
        Variables of `DIAGRAM_VARIABLES` to map.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    unknown = [v for v in variables if v not in DIAGRAM_VARIABLES]
    if unknown:
        raise ValueError(f"unknown variables {unknown}; choose from {sorted(DIAGRAM_VARIABLES)}")
    noises = diagram["noise"].values
    ks, as_ = diagram["coupling"].values, diagram["nonoddity"].values
    nrow, ncol = len(variables), noises.size
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(3.4 * ncol + 1.2, 3.0 * nrow + 0.6), layout="constrained", squeeze=False
    )
    for r, name in enumerate(variables):
        values = diagram[name].values
        finite = values[np.isfinite(values)]
        vmin, vmax = FIXED_RANGES.get(name, (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0))
        vmax = vmax if vmax > vmin else vmin + 1.0
        image = None
        for c in range(ncol):
            ax = axes[r, c]
            image = ax.imshow(values[:, :, c].T, origin="lower", aspect="auto", vmin=vmin, vmax=vmax)
            if ks.size * as_.size <= 64:  # small grids: the numbers on the cells
                for i, j in np.ndindex(ks.size, as_.size):
                    if np.isfinite(values[i, j, c]):
                        ax.text(i, j, f"{values[i, j, c]:.3g}", ha="center", va="center", fontsize="x-small", color="w")
            ax.set_xticks(range(ks.size), [f"{k:g}" for k in ks])
            ax.set_yticks(range(as_.size), [f"{a:g}" for a in as_])
            ax.set_xlabel("coupling K (1/time unit)")
            ax.set_ylabel("nonoddity a")
            ax.set_title(f"{name}, D = {noises[c]:g}", fontsize="small")
        text, units = DIAGRAM_VARIABLES[name]
        assert image is not None  # ncol >= 1: every row has a panel
        fig.colorbar(image, ax=axes[r, :].tolist(), label=f"{text} ({units})" if units != "1" else text, shrink=0.9)
    sigma = diagram.attrs.get("disorder", 0.0)
    fig.suptitle(
        f"phase diagram, L = {diagram.attrs.get('size')}, R = {diagram.attrs.get('realizations')}, "
        f"t = {diagram.attrs.get('t'):g}, sigma = {sigma:g}"
        + ("" if diagram.attrs.get("complete", 1) else " (interrupted: blank points did not run)")
    )
    return fig
