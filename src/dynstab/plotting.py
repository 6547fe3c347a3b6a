"""Matplotlib figures for reports: attractor projections and Lyapunov convergence."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402

from .analysis.lyapunov import LyapunovSpectrum  # noqa: E402
from .simulate import Trajectory  # noqa: E402


def plot_attractor(traj: Trajectory, fixed_points=None, ax=None):
    """Projection of a trajectory on its first two or three variables (return plot for 1-D maps)."""
    x = traj.x if traj.x.ndim == 2 else traj.x[0]
    names = traj.system.names
    is_map = traj.system.kind == "map"
    style = dict(s=0.5, alpha=0.5, lw=0) if is_map else dict(lw=0.4)
    pairs = [(0, 1), (0, 2)] if x.shape[1] >= 3 else [(0, 1)]
    if ax is None:
        fig, axes = plt.subplots(1, len(pairs), figsize=(5 * len(pairs), 4.2), squeeze=False)
        axes = axes[0]
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


def plot_convergence(spec: LyapunovSpectrum, ax=None):
    """Running Lyapunov exponents against time, one thin line per initial condition."""
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


def save_report_figures(report, folder) -> list[str]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    if report.trajectory is not None:
        fig = plot_attractor(report.trajectory, report.fixed_points)
        paths.append(folder / f"{report.system.name}_attractor.png")
        fig.savefig(paths[-1], dpi=120)
        plt.close(fig)
    if report.spectrum is not None:
        fig = plot_convergence(report.spectrum)
        paths.append(folder / f"{report.system.name}_lyapunov.png")
        fig.savefig(paths[-1], dpi=120)
        plt.close(fig)
    return [str(p) for p in paths]


def plot_series_report(rep):
    """Four panels of a measured-series report: the series, its delay portrait, the divergence
    curve with the fitted slope, and the local slopes of the correlation sum."""
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
            axes[1, 0].plot(kk * rep.dt, ly.intercept + ly.exponent * rep.dt * kk, "r--",
                            label=f"slope {ly.exponent:.3g}")
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


def save_series_figures(rep, folder) -> list[str]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fig = plot_series_report(rep)
    path = folder / f"{Path(rep.name).stem or 'series'}_report.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return [str(path)]
