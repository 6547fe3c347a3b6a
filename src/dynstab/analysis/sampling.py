"""Samplers: initial conditions on the attractor, parameter perturbations that stay chaotic.

As dysts' `OnAttractorInitCondSampler` and `GaussianParamSampler` (Gilpin 2021), with the
chaos of every perturbed system checked by the sign of its largest Lyapunov exponent.
Every random choice takes ``seed``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..simulate import TrajectoryDivergedError, characteristic_times, trajectory
from ..systems.base import Map, System
from .lyapunov import max_lyapunov


def sample_initial_conditions(system: System, n: int, *, seed: int = 0, periods: float = 100.0) -> np.ndarray:
    """``n`` states on the attractor, shape (n, d): points at random times of one long orbit.

    The orbit starts at ``system.x0``, discards a transient of 50 dominant periods (1000
    iterations for maps) and runs for ``periods`` periods (n x 100 iterations for maps).
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    rng = np.random.default_rng(seed)
    if isinstance(system, Map):
        orbit = trajectory(system, n=max(100 * n, 1000), transient=1000).x
    else:
        period = characteristic_times(system)["period"]
        dt = min(system.dt * max(1, int(period / system.dt / 20)), period / 20)
        orbit = trajectory(system, t=periods * period, dt=dt, transient=50 * period).x
    return orbit[np.sort(rng.choice(orbit.shape[0], size=n, replace=orbit.shape[0] < n))]


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
    """
    if n < 1 or not scale > 0:
        raise ValueError(f"need n >= 1 and scale > 0, got n={n}, scale={scale}")
    rng = np.random.default_rng(seed)
    names = [k for k, v in system.params.items() if v.ndim == 0]
    if not names:
        raise ValueError(f"{system.name} has no scalar parameters to perturb")
    length = lyapunov_length or (20_000 if isinstance(system, Map) else 50_000 * system.dt)
    kw = dict(n=int(length)) if isinstance(system, Map) else dict(t=float(length))
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
    raise RuntimeError(f"{system.name}: only {len(found)} of {tries} perturbations (scale {scale}) were "
                       f"{'chaotic' if require_chaos else 'finite'}; lower scale or raise max_tries")
