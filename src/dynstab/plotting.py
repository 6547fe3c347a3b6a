"""Matplotlib figures for reports: attractors, Lyapunov convergence, basins, orbit diagrams, sections.

Every figure here uses matplotlib's constrained layout (nothing clipped) and wraps long titles;
file names come from `safe_name` (ASCII letters, digits, ``.``, ``_`` and ``-`` only).

What each figure shows and why:

* `plot_attractor`: a projection on two variables; a delay equation
  :math:`\\dot x = f(x(t), x(t - \\tau))` is shown in its delay portrait :math:`(x(t), x(t - \\tau))`
  (its state is a function on :math:`[t - \\tau, t]`, so consecutive samples
  :math:`x(t), x(t + dt)` only draw the diagonal); a 1-D map in its return plot
  :math:`x_n \\to x_{n+1}`. Fixed points are marked by type, with a legend.
* `plot_convergence`: running Lyapunov exponents against time ("time (time units)") or
  "iterations".
* `plot_basins`: the basins with a legend entry for each colour, the diverged and
  undetermined initial conditions included.
* `plot_orbit_diagram`: the orbit diagram with the located changes of period marked.
* `plot_section` / `plot_periodic_orbits`: a Poincare section (and periodic points on it), or
  its return map :math:`u_n \\to u_{n+1}` of the widest coordinate when another coordinate spans
  less than `DEGENERATE_SPREAD` of it (the Rossler section at x = 0, where z stays within
  0.029-0.033 while y spans about 10, would otherwise be a flat line).

matplotlib is imported when a function here is called, and its backend is left as the user
set it (the ``dynstab`` command selects the file-only Agg backend itself).
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .text import count

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .analysis.basins import Basins
    from .analysis.fixed_points import FixedPoint
    from .analysis.lyapunov import LyapunovSpectrum
    from .analysis.orbit_diagram import OrbitDiagram, PeriodChange
    from .analysis.periodic_orbits import PeriodicOrbits
    from .simulate import Trajectory
    from .systems.poincare import PoincareSection

__all__ = [
    "DEGENERATE_SPREAD",
    "safe_name",
    "plot_attractor",
    "plot_convergence",
    "plot_basins",
    "plot_orbit_diagram",
    "plot_section",
    "plot_periodic_orbits",
    "plot_series_report",
    "report_figures",
    "series_figures",
    "save_report_figures",
    "save_series_figures",
]

#: A section coordinate whose spread (max - min) is below this fraction of the widest one's is
#: degenerate: the section and its periodic points are then drawn as the return map of the widest.
DEGENERATE_SPREAD = 0.01

_TITLE_WIDTH = 60  # characters per title line (a 5-6 inch panel at the default font size)


def safe_name(text: str, default: str = "figure") -> str:
    """A file name made of ASCII letters, digits, ``.``, ``_`` and ``-`` only.

    Accents are dropped (``Rössler`` -> ``Rossler``), every other run of characters (spaces,
    brackets, ``=``, ``/``, non-ASCII symbols) becomes one ``_``, and leading or trailing
    ``.``, ``_``, ``-`` are removed, so the name is safe in shells, URLs and every file system.

    Parameters
    ----------
    text : str
        The wanted name (a system name, a parameter, a series' column name).
    default : str, default "figure"
        Returned when nothing of ``text`` is left.

    Returns
    -------
    str
        The safe name.

    Examples
    --------
    >>> safe_name("Rössler [c = 5.7] λ")
    'Rossler_c_5.7'
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_text).strip("._-")
    return name or default


def _figure(ncols: int = 1, nrows: int = 1, size: tuple[float, float] = (6.0, 4.6)) -> tuple[Any, Any]:
    """A new figure with constrained layout and a (nrows, ncols) grid of axes."""
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=size, squeeze=False, layout="constrained")


def figure_axes(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    """``(figure, axes)``: a new constrained-layout figure of ``size`` (inches) when ``ax`` is None, else ``ax``'s.

    The one way dynstab's figure functions draw into a caller's axes or a figure of their own.
    """
    if ax is None:
        fig, grid = _figure(size=size)
        return fig, grid[0, 0]
    return ax.figure, ax


def _wrap(text: str, width: int = _TITLE_WIDTH) -> str:
    return textwrap.fill(text, width=width, break_long_words=False)


def _constrained(fig: Any) -> None:
    """Switch a figure that a result's own ``plot`` laid out tightly to constrained layout."""
    fig.set_layout_engine("constrained")


def delay_lag(traj: Trajectory) -> int | None:
    """Samples per delay of a delay-equation trajectory, ``round(tau / step)``; None for other systems.

    Parameters
    ----------
    traj : Trajectory
        A trajectory with at least two samples.

    Returns
    -------
    int or None
        The lag in samples (>= 1) for a system of kind ``"delay"`` sampled uniformly, else None.
    """
    import numpy as np

    tau = getattr(traj.system, "tau", None)
    if traj.system.kind != "delay" or tau is None or traj.t.size < 3:
        return None
    step = float(np.median(np.diff(np.asarray(traj.t, dtype=float))))
    if not step > 0:
        return None
    return max(1, int(round(float(tau) / step)))


def plot_attractor(
    traj: Trajectory, fixed_points: Iterable[FixedPoint] | None = None, ax: Axes | None = None
) -> Figure:
    """Projection of a trajectory: two variables, the delay portrait, or the return plot of a 1-D map.

    Flows are drawn as lines, maps as points. A trajectory with three or more variables gets
    two panels, (x0, x1) and (x0, x2); a delay equation dx/dt = f(x(t), x(t - tau)) gets its
    delay portrait x(t - tau) against x(t) (its first variable); a 1-D map its return plot
    x[n] -> x[n+1] (with the diagonal, on which its fixed points lie).

    Parameters
    ----------
    traj : Trajectory
        The trajectory; for an ensemble, its first member is drawn.
    fixed_points : iterable of FixedPoint, optional
        Drawn on top, one marker and legend entry per type (filled circles for stable types,
        crosses for unstable ones).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (one panel, the first pair of variables) instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.
    """
    import numpy as np

    x = np.asarray(traj.x if traj.x.ndim == 2 else traj.x[0])
    names = traj.system.names
    is_map = traj.system.kind == "map"
    lag = delay_lag(traj)
    pairs = [(0, 1), (0, 2)] if x.shape[1] >= 3 and lag is None else [(0, 1)]
    fig: Any
    axes: Any
    if ax is None:
        fig, grid = _figure(len(pairs), size=(5.2 * len(pairs), 4.6))
        axes = grid[0]
    else:
        fig, axes = ax.figure, [ax]
    fps = list(fixed_points) if fixed_points is not None else []
    what = "trajectory"
    for axis, (i, j) in zip(axes, pairs):
        if lag is not None:  # delay portrait: x(t) against x(t - tau)
            tau = float(getattr(traj.system, "tau", 0.0))
            u, v = x[lag:, 0], x[:-lag, 0]
            lu, lv = f"{names[0]}(t)", f"{names[0]}(t - {tau:g})"
            what = f"delay portrait (tau = {tau:g})"
        elif x.shape[1] == 1:  # return map x[n] -> x[n+1]
            u, v, lu, lv = x[:-1, 0], x[1:, 0], f"{names[0]}[n]", f"{names[0]}[n+1]"
            what = "return plot"
        else:
            u, v, lu, lv = x[:, i], x[:, j], names[i], names[j]
        if is_map:
            axis.scatter(u, v, s=0.5, alpha=0.5, lw=0, color="C0", rasterized=True)
        else:
            axis.plot(u, v, lw=0.4, color="C0")
        if x.shape[1] == 1 and lag is None:
            lo, hi = float(min(u.min(), v.min())), float(max(u.max(), v.max()))
            axis.plot([lo, hi], [lo, hi], color="0.6", lw=0.8, ls=":", label="diagonal x[n+1] = x[n]")
        _draw_fixed_points(axis, fps, (i, j) if x.shape[1] > 1 else (0, 0), lag is None)
        axis.set_xlabel(lu)
        axis.set_ylabel(lv)
        if axis is axes[0] and axis.get_legend_handles_labels()[0]:
            # a fixed corner, not loc="best": "best" scans every vertex of the orbit (20,000 points), which took
            # 0.2-1 s per figure and printed matplotlib's "can be slow" warning in `dynstab analyze` (issue 15)
            axis.legend(fontsize=8, loc="upper right", framealpha=0.85)
    title = _wrap(f"{traj.system.name}: {what} ({traj.method})")
    if ax is None:
        fig.suptitle(title)
    else:
        ax.set_title(title)
    return fig


def _draw_fixed_points(axis: Any, fps: Sequence[FixedPoint], pair: tuple[int, int], draw: bool) -> None:
    """One marker style and one legend entry per fixed-point type."""
    if not draw or not fps:
        return
    by_type: dict[str, list[FixedPoint]] = {}
    for p in fps:
        by_type.setdefault(p.type, []).append(p)
    i, j = pair
    for k, (kind, pts) in enumerate(sorted(by_type.items())):
        stable = pts[0].stable
        axis.plot(
            [float(p.x[i]) for p in pts],
            [float(p.x[j]) for p in pts],
            ls="none",
            marker="o" if stable else "X",
            ms=8,
            mfc=f"C{(k + 1) % 10}",
            mec="k",
            mew=0.8,
            label=_fixed_point_label(kind, stable, len(pts)),
            zorder=5,
        )


def _fixed_point_label(kind: str, stable: bool, count: int) -> str:
    """``saddle (unstable)``, ``stable node``, ``saddle-focus (unstable, 2)``: type, stability, count."""
    extra = [] if kind.startswith(("stable", "unstable")) else ["stable" if stable else "unstable"]
    extra += [str(count)] if count > 1 else []
    return f"{kind} ({', '.join(extra)})" if extra else kind


def plot_convergence(spec: LyapunovSpectrum, ax: Axes | None = None) -> Figure:
    """Running Lyapunov exponents against time or iterations, one thin line per initial condition.

    Each exponent has its colour; the dashed line is its final mean value. The horizontal axis
    is "time (time units)" for flows and delay equations, "iterations" for maps.

    Parameters
    ----------
    spec : LyapunovSpectrum
        A spectrum with its running estimates (``spec.times``, ``spec.running``).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.
    """
    import matplotlib.pyplot as plt

    fig, ax = figure_axes(ax, (6.4, 4.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i in range(spec.exponents.size):
        c = colors[i % len(colors)]
        for run in spec.running[:, :, i]:
            ax.plot(spec.times, run, color=c, lw=0.6, alpha=0.4)
        ax.axhline(spec.exponents[i], color=c, lw=1.2, ls="--", label=f"$\\lambda_{i + 1}$ = {spec.exponents[i]:.4g}")
    ax.set_xscale("log")
    is_map = spec.system.kind == "map"
    ax.set_xlabel("iterations" if is_map else "time (time units)")
    ax.set_ylabel("running exponent (per iteration)" if is_map else "running exponent (per time unit)")
    ax.set_title(
        _wrap(f"{spec.system.name}: Lyapunov spectrum convergence ({spec.running.shape[0]} initial conditions)")
    )
    ax.legend(fontsize=8)
    return fig


def plot_basins(basins: Basins, ax: Axes | None = None) -> Figure:
    """Basins of attraction with a legend entry for every colour drawn.

    Draws `Basins.plot` (one colour per basin, diverged black, undetermined grey, the
    attractors' sample points on top) and adds its legend outside the axes: each basin with its
    fraction, "diverged" and "undetermined" when present, and the attractor points.

    Parameters
    ----------
    basins : Basins
        The result of `dynstab.analysis.basins_of_attraction` on a 2-D grid.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Patch

    from .analysis.basins import DIVERGED, UNDETERMINED

    fig, ax = figure_axes(ax, (7.6, 5.2))
    basins.plot(ax=ax)
    _constrained(fig)
    img = ax.images[-1]
    labels = np.unique(basins.labels)

    def colour(label: int) -> Any:
        value = label + 2 if label >= 0 else (0 if label == DIVERGED else 1)  # Basins.plot's colour index
        return img.cmap(img.norm(value))  # type: ignore[arg-type]

    handles: list[Any] = []
    for lab in labels:
        frac = basins.fractions.get(int(lab), 0.0)
        if lab == DIVERGED:
            text = f"diverged ({frac:.3f})"
        elif lab == UNDETERMINED:
            text = f"undetermined ({frac:.3f})"
        else:
            text = f"basin of attractor {int(lab)} ({frac:.3f})"
        handles.append(Patch(facecolor=colour(int(lab)), edgecolor="0.3", label=text))
    points = [c for c in ax.collections if np.asarray(c.get_offsets()).shape[0] > 0]
    if points:
        handles.append(
            plt.Line2D([], [], ls="none", marker="o", ms=4, mfc="white", mec="k", mew=0.4, label="attractor points")
        )
    old = ax.get_legend()
    if old is not None:
        old.remove()
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    ax.set_title(_wrap(ax.get_title(), 48))
    return fig


def plot_orbit_diagram(diagram: OrbitDiagram, changes: Iterable[PeriodChange] = (), ax: Axes | None = None) -> Figure:
    """The orbit diagram with the located period doublings marked.

    Draws `OrbitDiagram.plot` and one dashed vertical line per period doubling p -> 2p among the
    located changes of period (`period_changes`), with one legend entry; the periods are written
    at the top of the lines that are far enough apart to be read (the cascade accumulates
    geometrically, Feigenbaum's delta = 4.669..., so its later lines stay unlabelled). Other
    changes (windows, the onset of chaos) are not drawn: the diagram shows them.

    Parameters
    ----------
    diagram : OrbitDiagram
        The result of `dynstab.analysis.orbit_diagram`.
    changes : iterable of PeriodChange, optional
        The located changes (`dynstab.analysis.period_changes`).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.
    """

    fig, ax = figure_axes(ax, (8.4, 5.2))
    diagram.plot(ax=ax)
    _constrained(fig)
    doublings = sorted(
        (c for c in changes if c.from_period > 0 and c.to_period == 2 * c.from_period), key=lambda c: c.value
    )
    lo, hi = ax.get_xlim()
    last = -float("inf")
    for k, c in enumerate(doublings):
        ax.axvline(c.value, color="crimson", ls="--", lw=0.9, label="period doubling" if k == 0 else None)
        if abs(c.value - last) > 0.03 * abs(hi - lo):
            last = c.value
            ax.annotate(
                f"{c.from_period}→{c.to_period}",
                xy=(c.value, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                color="crimson",
            )
    if doublings or ax.get_legend() is not None:
        ax.legend(loc="lower left", fontsize=8, framealpha=0.85)
    extra = f" ({len(doublings)} period doublings located)" if doublings else ""
    ax.set_title(_wrap(ax.get_title() + extra), pad=14)
    return fig


def return_map_coordinate(points: Any) -> int | None:
    """The coordinate to draw as a return map, or None when a scatter of two coordinates is fine.

    Parameters
    ----------
    points : array_like, shape (N, m)
        Points of a section or of a map's orbit.

    Returns
    -------
    int or None
        The widest coordinate when ``m == 1`` or some coordinate spans less than
        `DEGENERATE_SPREAD` of the widest one; None otherwise.
    """
    import numpy as np

    p = np.asarray(points, dtype=float)
    p = p[np.all(np.isfinite(p), axis=1)] if p.ndim == 2 else p.reshape(-1, 1)
    if p.shape[1] == 1:
        return 0
    if p.shape[0] < 2:
        return None
    spread = np.ptp(p[:, :2], axis=0)
    widest = int(np.argmax(spread))
    return widest if spread.min() < DEGENERATE_SPREAD * spread.max() else None


def _return_map(ax: Any, u: Any, name: str, **style: Any) -> None:
    import numpy as np

    u = np.asarray(u, dtype=float)
    ax.scatter(u[:-1], u[1:], **({"s": 2, "lw": 0, "color": "k"} | style))
    lo, hi = float(np.nanmin(u)), float(np.nanmax(u))
    ax.plot([lo, hi], [lo, hi], color="0.6", lw=0.8, ls=":", label=f"diagonal {name}[n+1] = {name}[n]")
    ax.set_xlabel(f"{name}[n]")
    ax.set_ylabel(f"{name}[n+1]")


def plot_section(section: PoincareSection, ax: Axes | None = None) -> Figure:
    """A Poincare section, or its return map when the section is (nearly) one-dimensional.

    Parameters
    ----------
    section : PoincareSection
        The crossings (`dynstab.systems.poincare_section`).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into: the scatter of two section coordinates, or the return map
        u[n] -> u[n+1] of the widest one (see `return_map_coordinate`).
    """

    fig, ax = figure_axes(ax, (5.6, 4.8))
    sec = section.section.reshape(-1, section.section.shape[-1]) if section.points.ndim == 3 else section.section
    k = return_map_coordinate(sec)
    if k is None:
        section.plot(ax=ax)
        _constrained(fig)
    else:
        fig.set_layout_engine("constrained")
        _return_map(ax, sec[:, k], section.section_names[k], label="crossings")
        ax.legend(fontsize=8, loc="best")
        ax.set_title(f"{section.system.name}: return map on {section.plane_text}")
    ax.set_title(_wrap(ax.get_title()))
    return fig


def plot_periodic_orbits(orbits: PeriodicOrbits, background: Any = None, ax: Axes | None = None) -> Figure:
    """Periodic points of one period on the map's attractor, or on its return map if degenerate.

    Draws `PeriodicOrbits.plot` (the first two coordinates) unless the background orbit (or the
    points themselves) is degenerate in the sense of `return_map_coordinate`; then each orbit
    is drawn on the return map u[n] -> u[n+1] of the widest coordinate: its points
    (u_k, u_{k+1}), closed cyclically, which lie on the map's graph. The legend names
    each orbit with its type and stability.

    Parameters
    ----------
    orbits : PeriodicOrbits
        The orbits of one period (`dynstab.analysis.periodic_orbits`).
    background : array_like, shape (N, d), optional
        An orbit of the map drawn in grey underneath.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.
    """
    import numpy as np

    fig, ax = figure_axes(ax, (5.6, 4.8))
    ref: Any = background if background is not None else [p for o in orbits.orbits for p in o.points]
    k = return_map_coordinate(ref)
    if k is None:
        orbits.plot(ax=ax, background=background)
        _constrained(fig)
        for k, (line, o) in enumerate(zip(ax.lines[-len(orbits.orbits) :] if orbits.orbits else [], orbits.orbits)):
            line.set_label(_orbit_label(k, o))
    else:
        fig.set_layout_engine("constrained")
        name = orbits.names[k]
        if background is not None:
            _return_map(ax, np.asarray(background)[:, k], name, s=0.3, color="0.7", label="orbit of the map")
        else:
            ax.set_xlabel(f"{name}[n]")
            ax.set_ylabel(f"{name}[n+1]")
        for n, o in enumerate(orbits.orbits):
            u = o.points[:, k]
            ax.plot(u, np.roll(u, -1), "o" if o.stable else "x", ms=7, mew=1.5, label=_orbit_label(n, o))
        ax.set_title(
            f"{orbits.system_name}: {count(len(orbits), 'orbit')} of period {orbits.period} (return map of {name})"
        )
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles))
    if unique:
        legend = ax.legend(unique.values(), unique.keys(), fontsize=8, loc="best")
        for handle in legend.legend_handles:  # the background's tiny dots, made visible in the legend
            if handle is not None and hasattr(handle, "set_sizes"):
                handle.set_sizes([12.0])
    ax.set_title(_wrap(ax.get_title()))
    return fig


def _orbit_label(index: int, orbit: Any) -> str:
    """``orbit 1: saddle (unstable)``: the orbit's number, type and stability."""
    return f"orbit {index + 1}: {orbit.type} ({'stable' if orbit.stable else 'unstable'})"


def _save(fig: Figure, path: Path, dpi: int) -> str:
    import matplotlib.pyplot as plt

    try:
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
    return str(path)


def report_figures(report: Any) -> list[tuple[str, Figure]]:
    """The figures of a system report, each with its file stem: the attractor and the convergence.

    Parameters
    ----------
    report : dynstab.report.Report
        The report; a figure is made for each of its trajectory and spectrum that exists.

    Returns
    -------
    list of (str, matplotlib.figure.Figure)
        ``(<name>_attractor, figure)`` and ``(<name>_lyapunov, figure)`` with a `safe_name` stem.
    """
    name = safe_name(report.system.name, "system")
    out: list[tuple[str, Figure]] = []
    if report.trajectory is not None:
        out.append((f"{name}_attractor", plot_attractor(report.trajectory, report.fixed_points)))
    if report.spectrum is not None:
        out.append((f"{name}_lyapunov", plot_convergence(report.spectrum)))
    return out


def save_report_figures(report: Any, folder: str | Path) -> list[str]:
    """Write the figures of a system report: ``<name>_attractor.png`` and ``<name>_lyapunov.png``.

    Parameters
    ----------
    report : dynstab.report.Report
        The report; a figure is written for each of its trajectory and spectrum that exists.
    folder : str or pathlib.Path
        Output folder (created if needed).

    Returns
    -------
    list of str
        The files written (names made by `safe_name`).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [_save(fig, folder / f"{stem}.png", 120) for stem, fig in report_figures(report)]


def plot_series_report(rep: Any, time_unit: str = "time units") -> Figure:
    """Four panels of a measured-series report.

    The series, its delay portrait, the divergence curve with the fitted slope (largest
    Lyapunov exponent), and the local slopes of the correlation sum with the scaling region.

    Parameters
    ----------
    rep : dynstab.timeseries.report.SeriesReport
        The report; panels whose result is missing stay empty.
    time_unit : str, default "time units"
        Unit of the time axes: ``"samples"`` when the data had no time axis (dt = 1 assumed).

    Returns
    -------
    matplotlib.figure.Figure
        The 2 x 2 figure.
    """
    import numpy as np

    fig, axes = _figure(2, 2, size=(10, 7.8))
    n = min(rep.x.size, 5000)
    t = np.arange(n) * rep.dt
    axes[0, 0].plot(t, rep.x[:n], lw=0.6)
    axes[0, 0].set(xlabel=f"time ({time_unit})", ylabel=rep.name, title=f"series (first {n} samples)")
    tau = rep.tau or 1
    axes[0, 1].plot(rep.x[:-tau][:20000], rep.x[tau:][:20000], ",", alpha=0.5)
    axes[0, 1].set(xlabel="x(t)", ylabel=f"x(t + {tau} dt)", title="delay portrait")
    ly = rep.lyapunov
    if ly is not None:
        axes[1, 0].plot(ly.k * rep.dt, ly.lnd, lw=1, label="<ln d(k)>")
        if ly.fit_range is not None and np.isfinite(ly.exponent):
            k0, k1 = ly.fit_range
            kk = np.arange(k0, k1 + 1)
            axes[1, 0].plot(
                kk * rep.dt, ly.intercept + ly.exponent * rep.dt * kk, "r--", label=f"slope {ly.exponent:.3g}"
            )
        axes[1, 0].legend(fontsize=8)
        axes[1, 0].set(xlabel=f"time ({time_unit})", ylabel="<ln d(k)>", title="divergence of neighbours")
    d2 = rep.dimension
    if d2 is not None:
        axes[1, 1].semilogx(d2.radii, d2.slopes, ".-", label="local slope")
        axes[1, 1].axvspan(*d2.region, color="C1", alpha=0.2, label=f"scaling region: D2 = {d2.dimension:.3f}")
        axes[1, 1].legend(fontsize=8)
        axes[1, 1].set(xlabel="r", ylabel="d log C / d log r", title="correlation sum: local slopes")
    fig.suptitle(_wrap(f"{rep.name}: {rep.x.size} samples, dt = {rep.dt:g}", 90))
    return fig


def series_figures(rep: Any, time_unit: str = "time units") -> list[tuple[str, Figure]]:
    """The figure of a measured-series report with its file stem ``<series>_report`` (`safe_name`).

    Parameters
    ----------
    rep : dynstab.timeseries.report.SeriesReport
        The report.
    time_unit : str, default "time units"
        Unit of the time axes (`plot_series_report`).

    Returns
    -------
    list of (str, matplotlib.figure.Figure)
        One entry.
    """
    return [(f"{safe_name(Path(rep.name).stem, 'series')}_report", plot_series_report(rep, time_unit))]


def save_series_figures(rep: Any, folder: str | Path, time_unit: str = "time units") -> list[str]:
    """Write the four-panel figure of a measured-series report as ``<series>_report.png``.

    Parameters
    ----------
    rep : dynstab.timeseries.report.SeriesReport
        The report.
    folder : str or pathlib.Path
        Output folder (created if needed).
    time_unit : str, default "time units"
        Unit of the time axes (`plot_series_report`).

    Returns
    -------
    list of str
        The file written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [_save(fig, folder / f"{stem}.png", 110) for stem, fig in series_figures(rep, time_unit)]
