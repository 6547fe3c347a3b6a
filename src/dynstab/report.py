"""The main job: a stability report of one system (`dynstab analyze`).

`analyze` runs the steps one after another and keeps what finished, so an interrupted
report still returns (and the CLI still prints) every completed step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._precision import float64
from .analysis.fixed_points import FixedPoints, fixed_points
from .analysis.lyapunov import LyapunovSpectrum, classify, lyapunov_spectrum
from .pipeline import run_steps, summary_tail
from .simulate import Trajectory, trajectory
from .simulate.evolution import default_transient
from .systems.base import SDE, System, evolution_of


@dataclass
class Report:
    system: System
    trajectory: Trajectory | None = None
    box: list[tuple[float, float]] | None = None
    fixed_points: FixedPoints | None = None
    spectrum: LyapunovSpectrum | None = None
    verdict: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    interrupted: bool = False
    skipped: dict[str, str] = field(default_factory=dict)  # step -> why it did not apply
    figures: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        s = self.system
        out: dict[str, Any] = {
            "system": s.name,
            "kind": s.kind,
            "dimension": s.dim,
            "parameters": s.param_values(),
            "reference": s.reference,
        }
        if self.fixed_points is not None:
            out["fixed_points"] = self.fixed_points.to_dict()
            if self.box is not None:  # always set by the step that found the fixed points
                out["fixed_point_box"] = [list(b) for b in self.box]
        if self.spectrum is not None:
            sp = self.spectrum
            out["lyapunov_spectrum"] = sp.exponents.tolist()
            out["lyapunov_spectrum_std"] = [None if math.isnan(v) else v for v in sp.std.tolist()]
            out["lyapunov_sum"] = float(sp.exponents.sum())
            out["mean_divergence"] = sp.divergence if math.isfinite(sp.divergence) else None
            out["kaplan_yorke_dimension"] = sp.kaplan_yorke_dimension
            out["lyapunov_time"] = None if math.isinf(sp.lyapunov_time) else sp.lyapunov_time
            out["lyapunov_settings"] = sp.settings
        return summary_tail(self, out)


def default_box(traj: Trajectory, margin: float = 0.25) -> list[tuple[float, float]]:
    """The bounding box of a trajectory, enlarged by ``margin`` times its extent on each side.

    Parameters
    ----------
    traj : Trajectory
        The trajectory (states of any leading shape, last axis d).
    margin : float, default 0.25
        Padding on each side, relative to the extent (at least 1e-3 (1 + |high|) for a flat one).

    Returns
    -------
    list of (float, float)
        One ``(low, high)`` pair per dimension.
    """
    x = traj.x.reshape(-1, traj.x.shape[-1])
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-3 * (1 + np.abs(hi)))
    return [(float(a), float(b)) for a, b in zip(lo - pad, hi + pad)]


def default_length(system: System) -> float:
    """Default length of the Lyapunov run: 10^5 steps of the system's dt (10^5 iterations for maps).

    Parameters
    ----------
    system : System
        A flow or map.

    Returns
    -------
    float
        Time units (flows) or iterations (maps).
    """
    return 100_000 * system.dt if system.continuous_time else 100_000


@float64
def analyze(
    system: System,
    *,
    t: float | None = None,
    n_ics: int = 5,
    box: list[tuple[float, float]] | None = None,
    n_starts: int = 1000,
    seed: int = 0,
    on_step: Callable[[str], None] | None = None,
) -> Report:
    """Fixed points, Lyapunov spectrum with spread, Kaplan-Yorke dimension and a verdict.

    Stops cleanly on KeyboardInterrupt, returning the steps that finished (``interrupted``).

    Parameters
    ----------
    system : System
        A flow, map or delay equation, or an SDE (its drift is analysed).
    t : float, optional
        Length of the Lyapunov run: time units (flows) or iterations (maps); default
        `default_length`. The simulated trajectory is at most 20,000 steps or iterations.
    n_ics : int, default 5
        Number of initial conditions of the Lyapunov spectrum.
    box : list of (float, float), optional
        Box of the fixed-point search; default `default_box` of the simulated trajectory.
    n_starts : int, default 1000
        Newton starts of the fixed-point search.
    seed : int, default 0
        Seed of the fixed-point starts and of the Lyapunov initial conditions.
    on_step : callable, optional
        Called with each step's name (``"simulate"``, ``"fixed points"``,
        ``"Lyapunov spectrum"``) before it runs.

    Returns
    -------
    Report
        The steps that finished, their timings, skipped steps and the verdict.

    Raises
    ------
    TypeError
        For a stochastic system that is not an SDE.
    """
    if system.stochastic:
        if not isinstance(system, SDE):
            raise TypeError(f"{system.name} is stochastic but not an SDE: analyze needs its drift (SDE.drift_as_flow)")
        system = system.drift_as_flow()
    report = Report(system)
    length = default_length(system) if t is None else t
    steps = [
        ("simulate", lambda: _simulate(report, length)),
        ("fixed points", lambda: _fixed_points(report, box, n_starts, seed)),
        ("Lyapunov spectrum", lambda: _spectrum(report, length, n_ics, seed)),
    ]
    run_steps(report, steps, on_step)
    return report


def _simulate(report: Report, length: float) -> None:
    s = report.system
    if not s.continuous_time:
        report.trajectory = trajectory(s, n=min(int(length), 20_000), transient=1000)
    else:
        span = min(length, 20_000 * s.dt)
        report.trajectory = trajectory(s, t=span, transient=default_transient(evolution_of(s), span))


def _fixed_points(report: Report, box, n_starts: int, seed: int) -> None:
    if not report.system.finite_dimensional:
        report.skipped["fixed points"] = (
            "delay equation: equilibrium stability needs the characteristic "
            "equation with the delay, which dynstab does not solve yet"
        )
        return
    if box is None:
        if report.trajectory is None:  # the simulate step runs first and raises if it fails
            raise RuntimeError("the simulate step has not run")
        report.box = default_box(report.trajectory)
    else:
        report.box = [(float(lo), float(hi)) for lo, hi in box]
    report.fixed_points = fixed_points(report.system, report.box, n_starts=n_starts, seed=seed)


def _spectrum(report: Report, length: float, n_ics: int, seed: int) -> None:
    s = report.system
    kw = dict(t=float(length)) if s.continuous_time else dict(n=int(length))
    report.spectrum = lyapunov_spectrum(s, n_ics=n_ics, seed=seed, **kw)
    report.verdict = classify(report.spectrum)
