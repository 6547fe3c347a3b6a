"""Rich rendering of results for the terminal: tables and summaries, one function per result kind.

The commands compute, this module prints; ``--json`` output does not come through here.
"""

from __future__ import annotations

import math
from typing import Any

from rich.markup import escape
from rich.table import Table

from ..html_report import convergence_line, series_rows, verdict_label
from ..text import count
from .common import console


def fmt(v: float, digits: int = 5) -> str:
    """A number with ``digits`` significant digits (``inf`` and ``nan`` as words).

    Parameters
    ----------
    v : float
        The number.
    digits : int, default 5
        Significant digits.
    """
    return f"{v:.{digits}g}" if math.isfinite(v) else str(v)


def complex_text(z: complex) -> str:
    """A complex number as ``a+bi`` (a real number when the imaginary part is round-off).

    Parameters
    ----------
    z : complex
        The number (eigenvalue or multiplier).
    """
    if abs(z.imag) < 1e-12 * max(1.0, abs(z.real)):
        return fmt(z.real)
    return f"{fmt(z.real)}{'+' if z.imag >= 0 else '-'}{fmt(abs(z.imag))}i"


def _footer(skipped: dict[str, str], timings: dict[str, float], figures: list[str]) -> None:
    """The tail of both reports: skipped steps with the reason, step timings, figures written."""
    for step, why in skipped.items():
        console.print(f"[dim]{step}: skipped ({why})[/]")
    console.print("[dim]" + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()) + "[/]")
    for path in figures:
        console.print(f"figure: {path}")


def print_report(report: Any) -> None:
    """The system report of ``dynstab analyze SYSTEM``: fixed points, spectrum, summary, verdict.

    Parameters
    ----------
    report : dynstab.report.Report
        The finished (or interrupted) report.
    """
    s = report.system
    ps = ", ".join(f"{k}={fmt(v) if isinstance(v, float) else v}" for k, v in s.param_values().items())
    console.print(f"[bold]{s.name}[/] ({s.kind}, d={s.dim}; {ps})")
    if s.reference:
        console.print(f"[dim]{s.reference}[/]")
    if report.fixed_points is not None:
        fp = report.fixed_points
        kind = "equilibrium" if s.kind == "flow" else "fixed point"
        table = Table(title=f"{count(len(fp), kind)} in the box {[tuple(round(v, 3) for v in b) for b in report.box]}")
        table.add_column("x")
        table.add_column("eigenvalues" if s.kind == "flow" else "multipliers")
        table.add_column("type")
        for p in fp:
            table.add_row(", ".join(fmt(v) for v in p.x), ", ".join(complex_text(z) for z in p.eigenvalues), p.type)
        if len(fp) == 0 and getattr(fp, "reason", None):
            table.caption = fp.reason
        console.print(table)
    if report.spectrum is not None:
        sp = report.spectrum
        unit = "per iteration" if s.kind == "map" else "per time unit"
        table = Table(title=f"Lyapunov spectrum ({unit}; {count(sp.settings['n_ics'], 'initial condition')})")
        table.add_column("i", justify="right")
        table.add_column("lambda_i", justify="right")
        table.add_column("spread (std)", justify="right")
        for i, (lam, sd) in enumerate(zip(sp.exponents, sp.std), start=1):
            table.add_row(str(i), f"{lam:.5f}", "-" if math.isnan(sd) else f"{sd:.2g}")
        console.print(table)
        what = {"flow": "<tr J> (mean divergence)", "map": "<ln|det J|>"}.get(s.kind, "mean divergence")
        summary = Table(show_header=False, box=None)
        summary.add_row("sum of exponents", f"{sp.exponents.sum():.5f}")
        summary.add_row(
            what,
            f"{sp.divergence:.5f}"
            if math.isfinite(sp.divergence)
            else "not defined (delay equation: leading exponents only)",
        )
        summary.add_row("Kaplan-Yorke dimension", f"{sp.kaplan_yorke_dimension:.4f}")
        lt = sp.lyapunov_time
        summary.add_row("Lyapunov time", "inf (not chaotic)" if math.isinf(lt) else f"{lt:.4g}")
        conv = convergence_line(getattr(report, "convergence", None))
        if conv is not None:
            summary.add_row("convergence", conv)
        summary.add_row("verdict", f"[bold]{report.verdict}[/]")
        console.print(summary)
    _footer(report.skipped, report.timings, report.figures)


def print_series_report(rep: Any, dt_assumed: bool, note: str | None = None) -> None:
    """The measured-series report of ``dynstab analyze DATAFILE``.

    Parameters
    ----------
    rep : dynstab.timeseries.report.SeriesReport
        The finished (or interrupted) report.
    dt_assumed : bool
        The file had no time axis and no ``--dt`` was given (rates are per sample).
    note : str, optional
        The loader's note (e.g. that dt = 1 sample was assumed), printed under the title.
    """
    unit = "per sample (no time axis: pass --dt)" if dt_assumed else "per time unit"
    console.print(f"[bold]{rep.name}[/]: {count(rep.x.size, 'sample')}, dt = {rep.dt:g}")
    if note:
        console.print(f"[yellow]note:[/] {escape(note)}")
    table = Table(show_header=False)
    for key, text in series_rows(rep, unit).items():
        table.add_row(key, escape(text))
    console.print(table)
    for line in rep.notes:
        console.print(f"[yellow]note:[/] {escape(line)}")
    if rep.verdict:
        console.print(f"[bold]verdict{verdict_label(rep)}:[/] {escape(rep.verdict)}")
    _footer(rep.skipped, rep.timings, rep.figures)


def print_catalog(rows: list[tuple[Any, dict[str, Any]]]) -> None:
    """The catalog table of ``dynstab list``.

    Parameters
    ----------
    rows : list of (System, dict)
        Each system with its annotated metadata (empty dict when none).
    """
    table = Table(title=f"dynstab catalog: {count(len(rows), 'system')}")
    for col, just in (
        ("name", "left"),
        ("kind", "left"),
        ("d", "right"),
        ("lambda_1", "right"),
        ("D_KY", "right"),
        ("reference", "left"),
    ):
        table.add_column(col, justify=just, overflow="fold")  # type: ignore[arg-type]
    for s, m in rows:
        lam, dky = m.get("max_lyapunov"), m.get("kaplan_yorke_dimension")
        table.add_row(
            s.name,
            s.kind,
            str(s.dim),
            "-" if lam is None else f"{lam:.4g}",
            "-" if dky is None else f"{dky:.3f}",
            s.reference.split(",")[0],
        )
    console.print(table)


_INFO_KEYS = (
    "period",
    "max_lyapunov",
    "lyapunov_spectrum",
    "lyapunov_spectrum_std",
    "divergence",
    "kaplan_yorke_dimension",
    "lyapunov_time",
    "dt",
    "dt_error",
    "mean",
    "std",
    "correlation_dimension",
    "dynstab_version",
)


def print_info(s: Any, meta: dict[str, Any] | None) -> None:
    """One system's description and annotated invariants (``dynstab info``).

    Parameters
    ----------
    s : System
        The system.
    meta : dict or None
        Its annotated metadata, ``None`` when the catalog has none for these parameters.
    """
    console.print(f"[bold]{s.name}[/] ({s.kind}, dimension {s.dim})")
    if s.description:
        console.print(s.description)
    console.print(f"variables: {', '.join(s.names)}")
    console.print(f"parameters: {s.param_values()}")
    console.print(f"x0: {[float(v) for v in s.x0]}")
    if s.kind != "map":
        console.print(f"recommended dt: {s.dt}")
    if s.flags:
        console.print(f"flags: {', '.join(sorted(s.flags))}")
    if s.aliases:
        console.print(f"aliases: {', '.join(s.aliases)}")
    console.print(f"reference: {s.reference}")
    if meta is None:
        console.print("[dim]no annotated metadata for these parameters (`dynstab catalog annotate` computes them)[/]")
        return
    table = Table(title="annotated invariants", show_header=False)
    for key in _INFO_KEYS:
        if key in meta:
            v = meta[key]
            text = ", ".join(fmt(x) for x in v) if isinstance(v, list) else (fmt(v) if isinstance(v, float) else str(v))
            table.add_row(key, text)
    console.print(table)


def print_periodic_orbits(name: str, results: list[Any]) -> None:
    """Counts and multipliers of the periodic orbits of each period (``dynstab periodic-orbits``).

    Parameters
    ----------
    name : str
        The system's name.
    results : list of PeriodicOrbits
        One search result per period.
    """
    import numpy as np

    table = Table(title=f"periodic orbits of {name}")
    for col in ("period", "orbits", "points", "unstable", "largest |multiplier| (min..max)"):
        table.add_column(col, justify="right")
    for r in results:
        mults = [float(np.max(np.abs(o.multipliers))) for o in r.orbits]
        span = f"{min(mults):.4g}..{max(mults):.4g}" if mults else "-"
        table.add_row(str(r.period), str(len(r)), str(r.n_points), str(sum(not o.stable for o in r.orbits)), span)
    console.print(table)
    for r in results:
        if not len(r) and r.reason:
            console.print(f"[dim]period {r.period}: {r.reason}[/]")


def print_orbit_diagram(
    name: str, param: str, span: tuple[float, float], n: int, keep: int, result: dict[str, Any], changes: list[Any]
) -> None:
    """Summary of an orbit diagram and the located changes of period (``dynstab bifurcation``).

    Parameters
    ----------
    name : str
        The system's name.
    param : str
        The swept parameter.
    span : (float, float)
        The sweep's range.
    n, keep : int
        Parameter values, and points kept per value.
    result : dict
        ``OrbitDiagram.to_dict()``.
    changes : list of PeriodChange
        The located changes of period (empty when not asked for).
    """
    console.print(
        f"[bold]{name}[/]: orbit diagram over {param} in [{span[0]:g}, {span[1]:g}], "
        f"{count(n, 'value')} x {count(keep, 'point')}; {count(result['n_diverged'], 'value')} diverged"
    )
    if changes:
        table = Table(title="changes of period")
        for col in (param, "from", "to"):
            table.add_column(col, justify="right")

        def period(p: int) -> str:
            return {0: "aperiodic", -1: "diverged"}.get(p, str(p))

        for c in changes:
            table.add_row(f"{c.value:.7g}", period(c.from_period), period(c.to_period))
        console.print(table)
        console.print("[dim]'aperiodic': no period up to the kept points (chaos, or a period beyond them)[/]")


def print_basins(name: str, result: dict[str, Any]) -> None:
    """Attractors, basin fractions and boundary measures (``dynstab basins``).

    Parameters
    ----------
    name : str
        The system's name.
    result : dict
        ``Basins.to_dict()``.
    """
    table = Table(
        title=f"{name}: {count(result['n_attractors'], 'attractor')} on the {' x '.join(result['dims'])} grid"
    )
    for col in ("label", "basin fraction", "centroid"):
        table.add_column(col)
    for label, frac in result["fractions"].items():
        centroid = result["attractors"].get(label, {}).get("centroid")
        table.add_row(label, f"{frac:.4f}", "-" if centroid is None else ", ".join(fmt(v, 4) for v in centroid))
    console.print(table)
    summary = Table(show_header=False, box=None)
    for key in ("basin_entropy", "boundary_basin_entropy", "uncertainty_exponent"):
        v = result[key]
        summary.add_row(key.replace("_", " "), "-" if v is None else f"{v:.4f}")
    summary.add_row("fractal boundary (S_bb > ln 2)", str(result["fractal_boundary_ln2_criterion"]))
    console.print(summary)
