"""Samplers: initial conditions on the attractor, parameter perturbations that stay chaotic.

As dysts' `OnAttractorInitCondSampler` and `GaussianParamSampler` (Gilpin 2021), with the
chaos of every perturbed system checked by the sign of its largest Lyapunov exponent.
Every random choice takes ``seed``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._precision import float64
from ..simulate.trajectory import Trajectory, TrajectoryDivergedError
from ..simulate.trajectory import trajectory as simulate_trajectory
from ..systems.base import System
from ..validation import as_float, as_int, as_positive_float
from .lyapunov import max_lyapunov


@float64
def trajectory(
    system: System,
    t: float | None = None,
    dt: float | None = None,
    *,
    periods: float | None = None,
    pts_per_period: int = 100,
    lyapunov_times: float | None = None,
    per_lyapunov_time: int = 100,
    **kwargs: Any,
) -> Trajectory:
    """`dynstab.simulate.trajectory`, also sampled by the system's own time scales (``dynstab.trajectory``).

    Standardized sampling (as dysts, Gilpin 2021): ``periods=P, pts_per_period=k`` gives P
    dominant periods sampled k times per period; ``lyapunov_times=L, per_lyapunov_time=k``
    gives L Lyapunov times sampled k times each. The time scales come from the catalog's
    annotated metadata (`characteristic_times`), so every system is sampled alike.

    Parameters
    ----------
    system : System
        Any dynstab system.
    t, dt : float, optional
        Span and sampling step, as in `dynstab.simulate.trajectory` (not with ``periods`` or ``lyapunov_times``).
    periods : float, optional
        Number of dominant periods to simulate.
    pts_per_period : int
        Samples per dominant period.
    lyapunov_times : float, optional
        Number of Lyapunov times to simulate.
    per_lyapunov_time : int
        Samples per Lyapunov time.
    **kwargs
        Every other argument of `dynstab.simulate.trajectory`.

    Returns
    -------
    Trajectory
    """
    if periods is not None or lyapunov_times is not None:
        t, dt = _standardized_span(system, t, dt, periods, pts_per_period, lyapunov_times, per_lyapunov_time)
    return simulate_trajectory(system, t, dt, **kwargs)


@float64
def characteristic_times(system: System) -> dict[str, float]:
    """The dominant period and the Lyapunov time of a flow, from the catalog's metadata.

    Systems without metadata (user-defined, or catalog systems with changed parameters) get
    them estimated once per process: the period from the power spectrum of a probe
    trajectory, the Lyapunov time from a short Benettin run.

    Parameters
    ----------
    system : System
        A flow (catalog or user-defined).

    Returns
    -------
    dict
        ``{"period": float, "lyapunov_time": float}``; the Lyapunov time is ``inf`` when the
        largest exponent is not positive.
    """
    from ..systems.metadata import metadata

    meta = metadata(system)
    if meta is not None and meta.get("period"):
        return {"period": float(meta["period"]), "lyapunov_time": float(meta["lyapunov_time"] or math.inf)}
    key = (system.rhs, system.dt, tuple(sorted((k, float(np.sum(v))) for k, v in system.param_values().items())))
    if key not in _ESTIMATED_TIMES:
        from ..timeseries import dominant_period

        probe = simulate_trajectory(system, t=4000 * system.dt, transient=2000 * system.dt)
        lam = max_lyapunov(system, t=20_000 * system.dt, x0=probe.x[-1])
        _ESTIMATED_TIMES[key] = {
            "period": dominant_period(probe, skip=system.unbounded),
            "lyapunov_time": 1.0 / lam if lam > 0 else math.inf,
        }
    return _ESTIMATED_TIMES[key]


_ESTIMATED_TIMES: dict = {}


def _standardized_span(system, t, dt, periods, pts_per_period, lyapunov_times, per_lyapunov_time):
    if not system.continuous_time:
        raise ValueError("periods= and lyapunov_times= sample flows; a map is sampled by iteration (n=, dt=)")
    if t is not None or dt is not None or (periods is not None and lyapunov_times is not None):
        raise ValueError(
            "give either t/dt, or periods (with pts_per_period), or lyapunov_times "
            "(with per_lyapunov_time), not several"
        )
    times = characteristic_times(system)
    if periods is not None:
        periods = as_positive_float(periods, name="periods")
        pts_per_period = as_float(pts_per_period, name="pts_per_period", minimum=1.0)
        return periods * times["period"], times["period"] / pts_per_period
    if not math.isfinite(times["lyapunov_time"]):
        raise ValueError(f"{system.name} has no positive Lyapunov exponent, so no Lyapunov time: sample by periods=")
    lyapunov_times = as_positive_float(lyapunov_times, name="lyapunov_times")
    per_lyapunov_time = as_float(per_lyapunov_time, name="per_lyapunov_time", minimum=1.0)
    return lyapunov_times * times["lyapunov_time"], times["lyapunov_time"] / per_lyapunov_time


@float64
def sample_initial_conditions(system: System, n: int, *, seed: int = 0, periods: float = 100.0) -> np.ndarray:
    """``n`` states on the attractor, shape (n, d): points at random times of one long orbit.

    The orbit starts at ``system.x0``, discards a transient of 50 dominant periods (1000
    iterations for maps) and runs for ``periods`` periods (n x 100 iterations for maps).

    Parameters
    ----------
    system : System
        A flow or map.
    n : int
        Number of states, at least 1.
    seed : int, default 0
        Seed of the random sampling times.
    periods : float, default 100.0
        Length of the orbit in dominant periods (flows only).

    Returns
    -------
    numpy.ndarray
        The states, shape (n, d), in the order of the orbit.
    """
    n = as_int(n, name="n", minimum=1)
    rng = np.random.default_rng(seed)
    if not system.continuous_time:
        orbit = trajectory(system, n=max(100 * n, 1000), transient=1000).x
    else:
        period = characteristic_times(system)["period"]
        dt = min(system.dt * max(1, int(period / system.dt / 20)), period / 20)
        orbit = trajectory(
            system, t=as_positive_float(periods, name="periods") * period, dt=dt, transient=50 * period
        ).x
    return orbit[np.sort(rng.choice(orbit.shape[0], size=n, replace=orbit.shape[0] < n))]


@float64
def sample_parameters(
    system: System,
    n: int,
    *,
    scale: float = 0.05,
    seed: int = 0,
    require_chaos: bool = True,
    max_tries: int | None = None,
    lyapunov_length: float | None = None,
) -> list[dict[str, Any]]:
    """``n`` parameter sets p_i (1 + scale * N(0, 1)) of the scalar parameters, each chaotic.

    A candidate is kept when its orbit stays finite and (with ``require_chaos``) its largest
    Lyapunov exponent exceeds max(1e-3, 5% of the unperturbed one). Returns dicts with the
    parameters and ``"max_lyapunov"``; raises RuntimeError if fewer than ``n`` of
    ``max_tries`` (default 10 n) candidates qualify, saying how many did.

    Parameters
    ----------
    system : System
        A flow or map with scalar parameters.
    n : int
        Number of parameter sets, at least 1.
    scale : float, default 0.05
        Relative standard deviation of the perturbations.
    seed : int, default 0
        Seed of the perturbations.
    require_chaos : bool, default True
        Keep only candidates whose largest exponent exceeds the threshold (otherwise any finite one).
    max_tries : int, optional
        Number of candidates tried at most; default 10 n.
    lyapunov_length : float, optional
        Length of each Lyapunov run: time units (flows, default 50,000 steps of ``system.dt``) or
        iterations (maps, default 20,000).

    Returns
    -------
    list of dict
        One dict per parameter set: the perturbed scalar parameters and ``"max_lyapunov"``.

    Raises
    ------
    ValueError
        When the system has no scalar parameters.
    RuntimeError
        When fewer than ``n`` of the candidates qualify.
    """
    n = as_int(n, name="n", minimum=1)
    scale = as_positive_float(scale, name="scale")
    max_tries = None if max_tries is None else as_int(max_tries, name="max_tries", minimum=1)
    lyapunov_length = None if lyapunov_length is None else as_positive_float(lyapunov_length, name="lyapunov_length")
    rng = np.random.default_rng(seed)
    names = [k for k, v in system.params.items() if v.ndim == 0]
    if not names:
        raise ValueError(f"{system.name} has no scalar parameters to perturb")
    length = lyapunov_length or (50_000 * system.dt if system.continuous_time else 20_000)
    kw = dict(t=float(length)) if system.continuous_time else dict(n=int(length))
    base = max_lyapunov(system, **kw)
    threshold = max(1e-3, 0.05 * base) if base > 0 else 1e-3
    found: list[dict[str, Any]] = []
    tries = max_tries or 10 * n
    for _ in range(tries):
        candidate = {k: float(system.params[k]) * (1.0 + scale * rng.standard_normal()) for k in names}
        perturbed = system.with_params(**candidate)
        try:
            lam = max_lyapunov(perturbed, **kw)
        except (FloatingPointError, TrajectoryDivergedError):
            continue
        if math.isfinite(lam) and (lam > threshold or not require_chaos):
            found.append({**candidate, "max_lyapunov": lam})
            if len(found) == n:
                return found
    raise RuntimeError(
        f"{system.name}: only {len(found)} of {tries} perturbations (scale {scale}) were "
        f"{'chaotic' if require_chaos else 'finite'}; lower scale or raise max_tries"
    )
