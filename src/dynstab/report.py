"""The main job: a stability report of one system (`dynstab analyze`).

`analyze` runs the steps one after another and keeps what finished, so an interrupted
report still returns (and the CLI still prints) every completed step.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._precision import float64
from .analysis.fixed_points import FixedPoints, fixed_points
from .analysis.lyapunov import LyapunovSpectrum, classify, lyapunov_spectrum, zero_tolerance
from .pipeline import run_steps, summary_tail
from .simulate import Trajectory, trajectory
from .simulate.evolution import TRANSIENT_CAP_TIME, default_transient
from .systems.base import SDE, System, evolution_of


@dataclass
class Report:
    system: System
    trajectory: Trajectory | None = None
    box: list[tuple[float, float]] | None = None
    fixed_points: FixedPoints | None = None
    spectrum: LyapunovSpectrum | None = None
    verdict: str | None = None
    convergence: dict[str, Any] | None = None  # `system_verdict`'s measures of the run's convergence
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
        if self.convergence is not None:
            out["lyapunov_convergence"] = self.convergence
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
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Fixed points, Lyapunov spectrum with spread, Kaplan-Yorke dimension and a verdict.

    The verdict is `system_verdict`'s: `classify`'s sign pattern of the spectrum when the run
    supports it (long enough in Lyapunov times, halves that agree, no exponent within its
    uncertainty of the zero threshold), otherwise "inconclusive: run too short (...); rerun with
    --t T"; ``Report.convergence`` holds the measures.

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
    progress : callable, optional
        ``progress(done, total)`` of the running step, called between its compiled pieces of work:
        the fixed-point search (`dynstab.analysis.fixed_points.fixed_points`) and the chunks of a long
        Lyapunov run (QR intervals, `dynstab.analysis.lyapunov.benettin`); each step counts from 0
        (``on_step`` announces it).

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
        ("fixed points", lambda: _fixed_points(report, box, n_starts, seed, progress)),
        ("Lyapunov spectrum", lambda: _spectrum(report, length, n_ics, seed, progress)),
    ]
    run_steps(report, steps, on_step)
    return report


def _simulate(report: Report, length: float) -> None:
    s = report.system
    if not s.continuous_time:
        report.trajectory = trajectory(s, n=min(int(length), 20_000), transient=1000)
    else:
        span = min(length, 20_000 * s.dt)
        # the plotted attractor: the default transient of a long run (the cap), also when the run is short, so
        # a short --t (or an initial condition off the attractor of changed parameters) plots no approach
        transient = default_transient(evolution_of(s), max(span, 10 * TRANSIENT_CAP_TIME))
        report.trajectory = trajectory(s, t=span, transient=transient)


def _fixed_points(report: Report, box, n_starts: int, seed: int, progress: Callable[[int, int], None] | None) -> None:
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
    # a default box (the attractor's, padded) grows to equilibria met outside it: Rossler at c = 9 has its
    # second equilibrium far off the attractor
    report.fixed_points = fixed_points(
        report.system, report.box, n_starts=n_starts, seed=seed, progress=progress, grow=box is None
    )
    if report.fixed_points.box is not None:
        report.box = [(float(lo), float(hi)) for lo, hi in report.fixed_points.box]


def _spectrum(
    report: Report, length: float, n_ics: int, seed: int, progress: Callable[[int, int], None] | None
) -> None:
    s = report.system
    kw = dict(t=float(length)) if s.continuous_time else dict(n=int(length))
    report.spectrum = lyapunov_spectrum(s, n_ics=n_ics, seed=seed, progress=progress, **kw)
    report.verdict, report.convergence = system_verdict(report.spectrum, length, _period(report))


def _period(report: Report) -> float | None:
    """The dominant period of the report's simulated orbit (flows), None where it has none."""
    s, traj = report.system, report.trajectory
    if not s.continuous_time or traj is None:
        return None
    from .timeseries import dominant_period

    try:
        return dominant_period(traj, skip=s.unbounded)
    except ValueError:  # a constant orbit (a fixed point) has no spectral peak
        return None


#: A chaotic verdict needs a run of at least this many Lyapunov times 1 / lambda_1 (calibrated in
#: tests/test_report_system.py: the catalog's chaotic flows at their default lengths run 50-900).
MIN_LYAPUNOV_TIMES = 20.0
#: A periodic or quasi-periodic verdict of a flow needs a run of at least this many dominant periods: its
#: zero exponents are resolved to 5 / T, so a positive exponent above 0.05 per period can show itself (the
#: catalog's chaotic flows have 0.25-0.7 per period; Rossler over 8 periods looked quasi-periodic).
MIN_PERIODS = 100.0


def system_verdict(
    spectrum: LyapunovSpectrum, length: float | None = None, period: float | None = None
) -> tuple[str, dict[str, Any]]:
    """The verdict of a Lyapunov spectrum (`classify`), or "inconclusive" when the run cannot support it.

    The run is checked three ways before its sign pattern is trusted:

    * length in Lyapunov times, N = T lambda_1: a positive lambda_1 measured over fewer than
      `MIN_LYAPUNOV_TIMES` e-foldings is not yet an exponent (the finite-time exponents of
      a chaotic orbit fluctuate on that time scale);
    * convergence of the running estimate: the exponents of the two halves of the run
      (`LyapunovSpectrum.halves`), lambda^(1) and lambda^(2), must give the same verdict as the
      whole run (for an estimate converging like 1/T the halves differ by about twice the
      remaining error of the whole);
    * robustness: the verdict must not change when every exponent moves by its uncertainty,
      u_i = max(|lambda_i^(1) - lambda_i^(2)| / 2, s_i / sqrt(n_ics)) (drift of the running estimate
      between T/2 and T, standard error over the initial conditions s_i / sqrt(n_ics)): an
      exponent within its uncertainty of the zero threshold is neither called zero nor positive.

    * resolution of zero exponents (flows): a zero exponent is resolved to about 5 / T
      (`classify`), so a positive exponent smaller than that reads as zero; a periodic or
      quasi-periodic verdict needs a run of `MIN_PERIODS` dominant periods ``period``, so that an
      exponent of 0.05 per period would have shown itself.

    Otherwise the verdict is ``"inconclusive: run too short (N Lyapunov times; halves give a and b);
    rerun with --t T"`` (``P periods, no positive exponent resolved`` in place of the Lyapunov times
    when lambda_1 is within the zero threshold) with a suggested length T: at least
    `MIN_LYAPUNOV_TIMES` / lambda_1 (for a resolved lambda_1), `MIN_PERIODS` periods and four times
    the run (the drift of a 1/T estimate then shrinks fourfold).

    Parameters
    ----------
    spectrum : LyapunovSpectrum
        A result of `lyapunov_spectrum` (several initial conditions give the spread).
    length : float, optional
        The run's length as the caller asked for it (time units for flows, iterations for maps), for the
        suggested length; default ``spectrum.settings["t"]`` (divided by the map's ``dt``).
    period : float, optional
        The dominant period of the orbit in time units (`dynstab.timeseries.dominant_period`), for
        flows; without it the periods are not checked.

    Returns
    -------
    verdict : str
        `classify`'s verdict, or the "inconclusive: ..." sentence above.
    convergence : dict
        ``classification`` (`classify` of the whole run), ``lyapunov_times`` (N; None when
        lambda_1 <= 0), ``periods`` (T / period; None without a period), ``halves`` (the two halves'
        exponents), ``uncertainty`` (u), ``conclusive``,
        ``reasons`` (why not) and ``suggested_t`` (None when conclusive).

    References
    ----------
    Eckmann & Ruelle, Rev. Mod. Phys. 57, 617 (1985), Sec. IV.B (convergence of the QR estimates);
    Kantz & Schreiber, Nonlinear Time Series Analysis, 2nd ed. (2004), Sec. 5.3 (an exponent is an
    estimate only where it does not depend on the run's details).
    """
    verdict = classify(spectrum)
    first, second = spectrum.halves()
    lam, n_ics = spectrum.exponents, spectrum.per_ic.shape[0]
    spread = np.nan_to_num(spectrum.std, nan=0.0) / math.sqrt(n_ics)
    u = np.maximum(np.abs(first.exponents - second.exponents) / 2, spread)
    t_run = float(spectrum.settings["t"])
    unit = 1.0 if spectrum.system.continuous_time else float(spectrum.settings["dt"])
    length = t_run / unit if length is None else float(length)
    lyap_times = t_run * float(lam[0]) if lam[0] > 0 else None
    tol = zero_tolerance(spectrum)  # the halves are judged with the whole run's threshold

    reasons = []
    halves = (classify(first, tol), classify(second, tol))
    if halves != (verdict, verdict):
        reasons.append(f"the halves of the run give {halves[0]} and {halves[1]}")
    moved = {classify(dataclasses.replace(spectrum, exponents=lam + sign * u)) for sign in (-1.0, 1.0)}
    if moved != {verdict}:
        reasons.append("within their uncertainty the exponents also read as " + " or ".join(sorted(moved - {verdict})))
    if verdict in ("chaotic", "hyperchaotic") and (lyap_times or 0.0) < MIN_LYAPUNOV_TIMES:
        reasons.append(f"fewer than {MIN_LYAPUNOV_TIMES:g} Lyapunov times")
    flow = spectrum.system.continuous_time
    periods = t_run / period if flow and period is not None and period > 0 else None
    if verdict in ("periodic", "quasi-periodic") and periods is not None and periods < MIN_PERIODS:
        reasons.append(f"{periods:.2g} periods: a positive exponent below {5 / t_run:.2g} would read as zero")
    convergence: dict[str, Any] = {
        "classification": verdict,
        "lyapunov_times": lyap_times,
        "periods": periods,
        "halves": [first.exponents.tolist(), second.exponents.tolist()],
        "uncertainty": u.tolist(),
        "conclusive": not reasons,
        "reasons": reasons,
        "suggested_t": None,
    }
    if not reasons:
        return verdict, convergence
    # a lambda_1 within the zero threshold has no Lyapunov time to count (a zero exponent converging like 1/T)
    resolved = lyap_times is not None and lam[0] > max(tol, 3 * float(np.nan_to_num(spectrum.std[0])))
    factor = 4.0
    if resolved:
        factor = max(factor, MIN_LYAPUNOV_TIMES / (t_run * float(lam[0])))
    if periods is not None:
        factor = max(factor, MIN_PERIODS / periods)
    suggested = _round_up(factor * length)
    convergence["suggested_t"] = suggested
    if resolved:
        times = f"{lyap_times:.2g} Lyapunov times"
    elif periods is not None:
        times = f"{periods:.2g} periods, no positive exponent resolved"
    else:
        times = "no positive exponent resolved"
    text = (
        f"inconclusive: run too short ({times}; halves give lambda_1 = {first.exponents[0]:.3g} and "
        f"{second.exponents[0]:.3g}); rerun with --t {suggested:g}"
    )
    return text, convergence


def _round_up(x: float) -> float:
    """``x`` rounded up to two significant digits (a length to suggest)."""
    if x <= 0:
        return x
    scale = 10.0 ** (math.floor(math.log10(x)) - 1)
    return math.ceil(x / scale - 1e-9) * scale
