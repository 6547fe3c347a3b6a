"""Annotate systems with their invariants, computed by our own tools, with provenance.

For each system (at its default parameters):

* the dominant period, from the power spectrum of a long trajectory on the attractor
  (`dynstab.timeseries.dominant_period`; in iterations for maps);
* the mean and standard deviation of every variable on the attractor;
* the full Lyapunov spectrum (Benettin/QR, `lyapunov_spectrum`) as mean and standard
  deviation over ``n_ics`` initial conditions sampled on the attractor, with the
  time-averaged divergence it must sum to, the Kaplan-Yorke dimension and the Lyapunov time;
* the recommended RK4 step (the system's ``dt``) with its measured step-halving error
  over one period.

`annotate_catalog` merges each finished system into a JSON file (`dynstab.files.update_json`:
under a lock, atomic replacement), so an interrupted or killed run resumes where it stopped and
never leaves a damaged file, and two runs writing into the same file keep each other's entries;
entries computed with other settings or another dynstab version are recomputed.
"""

from __future__ import annotations

import datetime as _dt
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._precision import float64
from ..files import read_json, update_json
from ..simulate import trajectory
from ..systems.base import System
from ..timeseries import dominant_period
from .lyapunov import lyapunov_spectrum, max_lyapunov_two_trajectory


@dataclass(frozen=True)
class AnnotationSettings:
    n_ics: int = 5
    periods: float = 1000.0  # Lyapunov run length in dominant periods (flows) ...
    min_steps: int = 100_000  # ... clipped to this many RK4 steps of the system's dt
    max_steps: int = 1_000_000
    map_iterations: int = 100_000
    transient_periods: float = 50.0
    seed: int = 0


def _sample_on_attractor(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    idx = np.sort(rng.choice(x.shape[0], size=n, replace=False))
    return x[idx]


@float64
def reference_trajectory(system: System, settings: AnnotationSettings = AnnotationSettings()):
    """The long on-attractor trajectory (about 20,000 samples) the annotation measures, and its dominant period.

    Maps: 20,000 iterations after 1000 discarded. Flows: a probe of 4000 steps (after 2000)
    gives the period, then max(200 periods, 20,000 steps) sampled about 20,000 times after
    ``settings.transient_periods`` periods.

    Parameters
    ----------
    system : System
        The system, at its current parameters.
    settings : AnnotationSettings, default AnnotationSettings()
        Only ``transient_periods`` is used here.

    Returns
    -------
    ref : Trajectory
        The reference trajectory.
    period : float
        Its dominant period (`dynstab.timeseries.dominant_period`; iterations for maps).
    """
    if not system.continuous_time:
        ref = trajectory(system, n=20_000, transient=1000)
        return ref, dominant_period(ref, skip=system.unbounded)
    dt = system.dt
    probe = trajectory(system, t=4000 * dt, transient=2000 * dt)
    period = dominant_period(probe, skip=system.unbounded)
    span = max(200 * period, 20_000 * dt)
    stride = max(1, int(span / dt / 20_000))
    ref = trajectory(system, t=span, dt=stride * dt, x0=probe.x[-1], transient=settings.transient_periods * period)
    return ref, dominant_period(ref, skip=system.unbounded)


def attractor_dimension(system: System, ref) -> float | None:
    """Correlation dimension (Grassberger & Procaccia 1983) of the reference trajectory's bounded variables.

    For delay equations, of a delay embedding of the observed variable; with the automatic
    scaling region of `dynstab.timeseries.correlation_dimension`.

    Parameters
    ----------
    system : System
        The system (its ``unbounded`` variables are left out).
    ref : Trajectory
        The reference trajectory (`reference_trajectory`).

    Returns
    -------
    float or None
        The dimension; 0.0 for a fixed point; None when no scaling region exists (e.g. too few
        points for a high-dimensional attractor) or every variable is unbounded.

    References
    ----------
    P. Grassberger & I. Procaccia, Physica D 9, 189 (1983).
    """
    from ..timeseries import correlation_dimension

    bounded = [i for i in range(system.dim) if i not in system.unbounded]
    if not bounded:
        return None  # e.g. angles that wind without bound: no attractor in these coordinates
    pts = ref.x.reshape(-1, ref.x.shape[-1])[:, bounded]
    if np.ptp(pts, axis=0).max() == 0:
        return 0.0  # a fixed point
    try:
        if not system.finite_dimensional:
            # the attractor lives in the infinite-dimensional history: delay-embed the observed variable
            from ..timeseries import choose_embedding

            dim, tau, _ = choose_embedding(pts[:, 0])
            return float(correlation_dimension(pts[:, 0], dim=max(dim, 3), tau=tau).dimension)
        return float(correlation_dimension(pts).dimension)
    except ValueError:
        return None


def fill_correlation_dimensions(
    names: Iterable[str],
    path: str | Path,
    settings: AnnotationSettings = AnnotationSettings(),
    *,
    on_progress: Callable[[str, dict], None] | None = None,
) -> dict[str, Any]:
    """Add the correlation dimension to annotated entries of ``path`` that lack it.

    Resumable (each result is merged into the file under its lock after each system, see
    `dynstab.files.update_json`, so other writers' entries are kept); the reference trajectory is the one
    `annotate` measures, so the result equals a full re-annotation's. Entries that are missing,
    failed, or already have a dimension are skipped; a failing computation is recorded under
    ``"correlation_dimension_error"``.

    Parameters
    ----------
    names : iterable of str
        Catalog names of the systems.
    path : str or pathlib.Path
        The annotation JSON file (as written by `annotate_catalog`); it must exist.
    settings : AnnotationSettings, default AnnotationSettings()
        Settings of the reference trajectory.
    on_progress : callable, optional
        Called as ``on_progress(name, entry)`` after each system that was updated.

    Returns
    -------
    dict
        The whole file's content after the update.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    dynstab.files.DamagedFileError
        If ``path`` is damaged (checked before any work; the file is left untouched).
    """
    from ..systems import get

    path = Path(path)
    data = read_json(path)
    for name in names:
        system = get(name)
        entry = data.get("systems", {}).get(system.name)
        if entry is None or "error" in entry or entry.get("correlation_dimension") is not None:
            continue
        result: dict[str, Any] = {}
        try:
            ref, _ = reference_trajectory(system, settings)
            result["correlation_dimension"] = attractor_dimension(system, ref)
        except (ValueError, FloatingPointError) as exc:
            result["correlation_dimension_error"] = f"{type(exc).__name__}: {exc}"

        def merge(current: Any, key: str = system.name, result: dict[str, Any] = result) -> Any:
            current = current if isinstance(current, dict) else {}
            target = current.setdefault("systems", {}).get(key)
            if target is not None:  # the entry may have been replaced or removed by another writer meanwhile
                target.update(result)
            return current

        data = update_json(path, merge)
        entry = {**entry, **result}
        if on_progress:
            on_progress(system.name, entry)
    return data


@float64
def annotate(system: System, settings: AnnotationSettings = AnnotationSettings()) -> dict[str, Any]:
    """The invariants of one system as a JSON-ready dict (see the module docstring).

    Parameters
    ----------
    system : System
        The system, at its current parameters.
    settings : AnnotationSettings, default AnnotationSettings()
        Run lengths, number of initial conditions and seed.

    Returns
    -------
    dict
        Kind, dimension, parameters, step and its error, period, mean and std of each variable,
        Lyapunov spectrum with spread, largest exponent, divergence, Kaplan-Yorke dimension,
        Lyapunov time, correlation dimension, timing, dynstab version and settings.
    """
    from .. import __version__

    start = time.perf_counter()
    rng = np.random.default_rng(settings.seed)
    entry: dict[str, Any] = {"kind": system.kind, "dimension": system.dim, "parameters": system.param_values()}
    bounded = [i for i in range(system.dim) if i not in system.unbounded]
    ref, period = reference_trajectory(system, settings)
    if not system.continuous_time:
        spec = lyapunov_spectrum(
            system,
            n=settings.map_iterations,
            x0=_sample_on_attractor(ref.x, settings.n_ics, rng),
            transient=100,
            seed=settings.seed,
        )
        entry.update(dt=1.0, period=period)
    else:
        dt = system.dt
        steps = int(np.clip(settings.periods * period / dt, settings.min_steps, settings.max_steps))
        spec = lyapunov_spectrum(
            system,
            t=steps * dt,
            x0=_sample_on_attractor(ref.x, settings.n_ics, rng),
            transient=min(10 * period, 0.1 * steps * dt),
            seed=settings.seed,
        )
        coarse = trajectory(system, t=period, dt=period / 4, x0=ref.x[-1])
        fine = trajectory(system, t=period, dt=period / 4, x0=ref.x[-1], step=dt / 2)
        err = float(
            np.max(np.abs(coarse.x[-1] - fine.x[-1])[bounded], initial=0.0)
            / (1 + np.max(np.abs(fine.x[-1])[bounded], initial=0.0))
        )
        entry.update(dt=dt, dt_error=err, period=period)
    x = ref.x
    lam = spec.exponents
    lam1, lam1_std = float(lam[0]), float(spec.std[0])
    dky: float | None = spec.kaplan_yorke_dimension  # None where D_KY is not meaningful (below)
    if "discontinuous" in system.flags:
        # the Jacobian spectrum misses the saltation at the jumps: lambda_1 from two orbits instead
        lam1, lam1_std = max_lyapunov_two_trajectory(
            system,
            t=min(steps * dt, 5000.0),
            method="dopri8",
            renormalize=1.0,
            x0=_sample_on_attractor(ref.x, settings.n_ics, rng),
            transient=10 * period,
            seed=settings.seed,
        )
        dky = None
        entry["note"] = (
            "discontinuous vector field: lyapunov_spectrum is the Jacobian (tangent) spectrum, which "
            "misses the saltation at the jumps; max_lyapunov is from the two-trajectory method with "
            "adaptive DOP853 (crossings resolved)"
        )
    if not system.finite_dimensional:
        entry["note"] = (
            f"delay equation: the {lam.size} leading exponents of the RK4 history map "
            "(method of steps); no finite divergence"
        )
        if lam.sum() >= 0:  # the partial sums never turn negative: D_KY exceeds the computed count
            dky = None
            entry["note"] += f"; D_KY > {lam.size} (more exponents are needed to bound it)"
    entry.update(
        mean=x.mean(axis=0).tolist(),
        std=x.std(axis=0).tolist(),
        lyapunov_spectrum=lam.tolist(),
        lyapunov_spectrum_std=spec.std.tolist(),
        max_lyapunov=lam1,
        max_lyapunov_std=lam1_std,
        divergence=None if math.isnan(spec.divergence) else spec.divergence,
        kaplan_yorke_dimension=dky,
        lyapunov_time=1.0 / lam1 if lam1 > 0 else None,
        lyapunov_settings=spec.settings,
        correlation_dimension=attractor_dimension(system, ref),
        seconds=round(time.perf_counter() - start, 2),
        dynstab_version=__version__,
        settings=asdict(settings),
    )
    return entry


def annotate_catalog(
    names: Iterable[str],
    path: str | Path,
    settings: AnnotationSettings = AnnotationSettings(),
    *,
    force: bool = False,
    on_progress: Callable[[str, dict], None] | None = None,
) -> dict[str, Any]:
    """Annotate catalog systems into the JSON file ``path``, merging each finished system into it.

    Each finished entry is merged into the file under its lock with an atomic replacement
    (`dynstab.files.update_json`): a run killed at any point leaves a file that loads and keeps
    every entry finished before, and two runs writing into the same file keep all their entries.
    Systems already in the file with the same settings, version, parameters, step and
    dimension are skipped unless ``force``; a failing system is recorded with its error and the run goes on.

    Parameters
    ----------
    names : iterable of str
        Catalog names of the systems.
    path : str or pathlib.Path
        The JSON file; created if missing, updated (resumed) otherwise.
    settings : AnnotationSettings, default AnnotationSettings()
        Run lengths, number of initial conditions and seed.
    force : bool, default False
        Recompute entries that are already up to date.
    on_progress : callable, optional
        Called as ``on_progress(name, entry)`` after each system (computed or skipped).

    Returns
    -------
    dict
        The whole file's content (including entries other writers merged meanwhile).

    Raises
    ------
    KeyError
        If a name is not in the catalog (checked before any work, suggesting close matches).
    ValueError
        If ``settings.n_ics`` is below 1 (checked before any work).
    dynstab.files.DamagedFileError
        If ``path`` exists but is damaged (checked before any work; the file is left untouched).
    """
    from .. import __version__
    from ..systems import get
    from ..systems.metadata import same_parameters

    if settings.n_ics < 1:
        raise ValueError(f"n_ics must be at least 1 (initial conditions per spectrum), got {settings.n_ics}")
    path = Path(path)
    systems = [get(name) for name in names]  # an unknown name fails here, before any work
    data = read_json(path) if path.exists() else {}
    if not isinstance(data, dict):
        data = {}
    data.setdefault("systems", {})
    for system in systems:
        old = data["systems"].get(system.name)
        fresh = (
            old is not None
            and "error" not in old
            and old.get("settings") == asdict(settings)
            and old.get("dynstab_version") == __version__
            and same_parameters(system, old.get("parameters", {}))
            and old.get("dt") == system.dt
            and old.get("dimension") == system.dim
        )
        if fresh and not force:
            if on_progress:
                on_progress(system.name, old)
            continue
        try:
            entry = annotate(system, settings)
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
            entry = {
                "error": f"{type(exc).__name__}: {exc}",
                "dynstab_version": __version__,
                "settings": asdict(settings),
                "parameters": system.param_values(),
            }
        header = dict(
            dynstab_version=__version__,
            settings=asdict(settings),
            computed=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            method="Benettin/QR Lyapunov spectra (RK4 at each system's dt), periods from power spectra",
        )

        def merge(
            current: Any, key: str = system.name, entry: dict[str, Any] = entry, header: dict[str, Any] = header
        ) -> Any:
            current = current if isinstance(current, dict) else {}
            current.setdefault("systems", {})[key] = entry
            current.update(header)
            return current

        data = update_json(path, merge)
        if on_progress:
            on_progress(system.name, entry)
    return data
