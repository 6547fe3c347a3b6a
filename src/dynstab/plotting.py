"""Matplotlib figures for reports: attractor projections, Lyapunov convergence, measured-series panels.

matplotlib is imported when a function here is called, and its backend is left as the user
set it (the ``dynstab`` command selects the file-only Agg backend itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .analysis.fixed_points import FixedPoint
    from .analysis.lyapunov import LyapunovSpectrum
    from .simulate import Trajectory


def plot_attractor(
    traj: Trajectory, fixed_points: Iterable[FixedPoint] | None = None, ax: Axes | None = None
) -> Figure:
    """Projection of a trajectory on its first two or three variables (return plot for 1-D maps).

    Flows are drawn as lines, maps as points. A trajectory with three or more variables gets
    two panels, (x0, x1) and (x0, x2); a 1-D map gets its return plot x[n] -> x[n+1].

    Parameters
    ----------
    traj : Trajectory
        The trajectory; for an ensemble, its first member is drawn.
    fixed_points : iterable of FixedPoint, optional
        Drawn on top: circles for stable points, crosses for unstable ones.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (one panel, the first pair of variables) instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.
    """
    import matplotlib.pyplot as plt

    x = traj.x if traj.x.ndim == 2 else traj.x[0]
    names = traj.system.names
    is_map = traj.system.kind == "map"
    style: dict[str, Any] = dict(s=0.5, alpha=0.5, lw=0) if is_map else dict(lw=0.4)
    pairs = [(0, 1), (0, 2)] if x.shape[1] >= 3 else [(0, 1)]
    fig: Any
    axes: Any
    if ax is None:
        fig, grid = plt.subplots(1, len(pairs), figsize=(5 * len(pairs), 4.2), squeeze=False)
        axes = grid[0]
    else:
        fig, axes = ax.figure, [ax]
    for axis, (i, j) in zip(axes, pairs):
        if x.shape[1] == 1:  # return map x[n] -> x[n+1]
            u, v, lu, lv = x[:-1, 0], x[1:, 0], f"{names[0]}[n]", f"{names[0]}[n+1]"
        else:
            u, v, lu, lv = x[:, i], x[:, j], names[i], names[j]
        if is_map:
            axis.scatter(u, v, **style)
        else:
            axis.plot(u, v, **style)
        if fixed_points is not None and x.shape[1] > 1:
            for p in fixed_points:
                axis.plot(p.x[i], p.x[j], "o" if p.stable else "x", color="crimson", ms=7)
        axis.set_xlabel(lu)
        axis.set_ylabel(lv)
    fig.suptitle(f"{traj.system.name}: trajectory ({traj.method})")
    fig.tight_layout()
    return fig


def plot_convergence(spec: LyapunovSpectrum, ax: Axes | None = None) -> Figure:
    """Running Lyapunov exponents against time, one thin line per initial condition.

    Each exponent has its colour; the dashed line is its final mean value.

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

    fig: Any
    fig, ax = plt.subplots(figsize=(6, 4.2)) if ax is None else (ax.figure, ax)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i in range(spec.exponents.size):
        c = colors[i % len(colors)]
        for run in spec.running[:, :, i]:
            ax.plot(spec.times, run, color=c, lw=0.6, alpha=0.4)
        ax.axhline(spec.exponents[i], color=c, lw=1.2, ls="--", label=f"$\\lambda_{i + 1}$ = {spec.exponents[i]:.4g}")
    ax.set_xscale("log")
    ax.set_xlabel("iterations" if spec.system.kind == "map" else "time")
    ax.set_ylabel("running exponent")
    ax.set_title(f"{spec.system.name}: Lyapunov spectrum convergence")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _save(fig: Figure, path: Path, dpi: int) -> str:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return str(path)


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
        The files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    if report.trajectory is not None:
        fig = plot_attractor(report.trajectory, report.fixed_points)
        paths.append(_save(fig, folder / f"{report.system.name}_attractor.png", 120))
    if report.spectrum is not None:
        fig = plot_convergence(report.spectrum)
        paths.append(_save(fig, folder / f"{report.system.name}_lyapunov.png", 120))
    return paths


def plot_series_report(rep: Any) -> Figure:
    """Four panels of a measured-series report.

    The series, its delay portrait, the divergence curve with the fitted slope (largest
    Lyapunov exponent), and the local slopes of the correlation sum with the scaling region.

    Parameters
    ----------
    rep : dynstab.timeseries.report.SeriesReport
        The report; panels whose result is missing stay empty.

    Returns
    -------
    matplotlib.figure.Figure
        The 2 x 2 figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    n = min(rep.x.size, 5000)
    t = np.arange(n) * rep.dt
    axes[0, 0].plot(t, rep.x[:n], lw=0.6)
    axes[0, 0].set(xlabel="time", ylabel=rep.name, title="series (first 5000 samples)")
    tau = rep.tau or 1
    axes[0, 1].plot(rep.x[:-tau][:20000], rep.x[tau:][:20000], ",", alpha=0.5)
    axes[0, 1].set(xlabel="x(t)", ylabel=f"x(t + {tau} dt)", title="delay portrait")
    ly = rep.lyapunov
    if ly is not None:
        axes[1, 0].plot(ly.k * rep.dt, ly.lnd, lw=1)
        if ly.fit_range is not None and np.isfinite(ly.exponent):
            k0, k1 = ly.fit_range
            kk = np.arange(k0, k1 + 1)
            axes[1, 0].plot(
                kk * rep.dt, ly.intercept + ly.exponent * rep.dt * kk, "r--", label=f"slope {ly.exponent:.3g}"
            )
            axes[1, 0].legend()
        axes[1, 0].set(xlabel="time", ylabel="<ln d(k)>", title="divergence of neighbours")
    d2 = rep.dimension
    if d2 is not None:
        axes[1, 1].semilogx(d2.radii, d2.slopes, ".-")
        axes[1, 1].axvspan(*d2.region, color="C1", alpha=0.2, label=f"D2 = {d2.dimension:.3f}")
        axes[1, 1].legend()
        axes[1, 1].set(xlabel="r", ylabel="d log C / d log r", title="correlation sum: local slopes")
    fig.tight_layout()
    return fig


def save_series_figures(rep: Any, folder: str | Path) -> list[str]:
    """Write the four-panel figure of a measured-series report as ``<series>_report.png``.

    Parameters
    ----------
    rep : dynstab.timeseries.report.SeriesReport
        The report.
    folder : str or pathlib.Path
        Output folder (created if needed).

    Returns
    -------
    list of str
        The file written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{Path(rep.name).stem or 'series'}_report.png"
    return [_save(plot_series_report(rep), path, 110)]
