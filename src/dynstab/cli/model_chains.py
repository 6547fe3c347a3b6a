"""``dynstab model chain``: rings of phase oscillators roughening (`dynstab.models.oscillator_chains`).

One ensemble run (the roughness growth, its exponent beta with a bootstrap interval, the
saturation, phase slips and the frequency-synchronization order parameter), or with
``--sweep NAME=VALUES`` (repeatable, over K, a and D) the dynamical phase diagram, one ensemble
per point; Ctrl-C during a sweep writes the points already finished.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    check_output,
    command,
    console,
    fail,
    figures_or_error,
    headless_matplotlib,
    interrupted,
    progress_bar,
    safe_name,
    save_figure,
    write_output,
)

#: ``--sweep`` names and the parameter each stands for.
SWEEP_NAMES = {"K": "coupling", "coupling": "coupling", "a": "nonoddity", "nonoddity": "nonoddity"}
SWEEP_NAMES.update({"D": "noise", "noise": "noise"})
MAX_SWEEP_POINTS = 10_000


@command
def chain(
    coupling: Annotated[float, typer.Option("--coupling", help="Coupling K >= 0.")] = 1.0,
    nonoddity: Annotated[
        float, typer.Option("--nonoddity", help="Nonoddity a of Gamma(x) = sin x + a(1 - cos x).")
    ] = 0.0,
    noise: Annotated[
        float | None, typer.Option("--noise", help="Strength D of the time-dependent noise (default 0.1).")
    ] = None,
    disorder: Annotated[
        float | None, typer.Option("--disorder", help="Columnar disorder: sigma of the natural frequencies.")
    ] = None,
    size: Annotated[int, typer.Option("--size", help="Number of oscillators L on the ring (>= 3).")] = 256,
    realizations: Annotated[int, typer.Option("--realizations", help="Independent realizations R.")] = 32,
    t: Annotated[float, typer.Option("--t", help="Length of the run.")] = 200.0,
    dt: Annotated[float, typer.Option("--dt", help="Integration step (below the scheme's stability bound).")] = 0.05,
    sample_dt: Annotated[float, typer.Option("--sample-dt", help="Time between samples of the roughness.")] = 0.5,
    window: Annotated[
        tuple[float, float] | None,
        typer.Option("--window", help="Growth window A B for beta (default: t/200 .. t/10, at least 5 samples in)."),
    ] = None,
    sweep: Annotated[
        list[str] | None,
        typer.Option(
            "--sweep",
            help="Phase diagram: NAME=VALUES over K, a or D, VALUES a list 0,0.5,1 or A:B:N (repeatable).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the noise and the disorder.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="NetCDF file to write.")] = None,
    figures: Annotated[Path, typer.Option("--figures", help="Folder for the figure.")] = Path("figures"),
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Write no figure.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar and no figure message.")] = False,
) -> None:
    """Roughening of a ring of phase oscillators: beta, saturation, phase slips, synchronization; or
    with --sweep the phase diagram over (K, a, D)."""
    from ..models import oscillator_chains as oc

    if noise is not None and disorder is not None:
        fail("give --noise D (time-dependent noise) or --disorder SIGMA (columnar disorder), not both")
    for name, value in (("--coupling", coupling), ("--noise", noise), ("--disorder", disorder)):
        if value is not None and not value >= 0:
            fail(f"{name} must be >= 0, got {value:g}")
    if size < 3:
        fail(f"--size must be at least 3 oscillators on a ring, got {size}")
    if realizations < 1:
        fail(f"--realizations must be >= 1, got {realizations}")
    if not t > 0 or not sample_dt > 0 or sample_dt > t / 2:
        fail(
            f"--t must be > 0 and --sample-dt in (0, t/2] (at least 2 samples), got --t {t:g} --sample-dt {sample_dt:g}"
        )
    if not dt > 0:
        fail(f"--dt must be > 0, got {dt:g}")
    sigma = 0.0 if disorder is None else disorder
    strength = (0.1 if disorder is None else 0.0) if noise is None else noise
    if window is None:
        window = oc.default_window(t, sample_dt)
    if not 0 < window[0] < window[1] <= t:
        fail(f"--window A B needs 0 < A < B <= --t, got {window[0]:g} {window[1]:g}")
    axes = _parse_sweep(sweep, {"coupling": coupling, "nonoddity": nonoddity, "noise": strength})
    step = min(dt, sample_dt)
    for k in axes["coupling"]:  # the step at every point, before any work
        for a in axes["nonoddity"]:
            for d in axes["noise"]:
                scheme = "euler_maruyama" if d > 0 else "rk4"
                bound = oc.stable_step(float(k), float(a), scheme)
                if step >= bound:
                    fail(
                        f"--dt {step:g} is too large for the scheme's stability at K = {k:g}, a = {a:g}: it must be below "
                        f"{bound:.4g} = {oc.STABILITY_REACH[scheme]:g} / (4 K sqrt(1 + a^2)); take a smaller --dt"
                    )
    if out is not None:
        check_output(out, folder=False)
    if not no_figures:
        check_output(figures, "--figures", folder=True)
    if sweep:
        _sweep(oc, axes, size, realizations, t, step, sample_dt, window, sigma, seed, out, figures, no_figures, quiet)
        return
    system = oc.chain(size, coupling=coupling, nonoddity=nonoddity, noise=strength, dt=step)
    what = f"chain L={size}, K={coupling:g}, a={nonoddity:g}, " + (
        f"D={strength:g}" if strength else f"sigma={sigma:g}"
    )
    try:
        with progress_bar(f"{what}: {realizations} realizations", quiet=quiet) as progress:
            run = oc.simulate_chain(
                system,
                t,
                realizations=realizations,
                disorder=sigma,
                sample_dt=sample_dt,
                step=step,
                seed=seed,
                progress=progress,
            )
    except KeyboardInterrupt:
        interrupted("the run did not finish; nothing was written")
    try:
        fit = run.growth_exponent(*window, seed=seed)
    except ValueError as exc:
        fit = None
        console.print(f"no growth exponent: {exc}")
    sat = run.saturation(fit)
    g = 4 * nonoddity**2 * strength / coupling if coupling > 0 else float("inf")
    console.print(
        f"{what}: R={realizations}, t={t:g}, step {run.settings['step']:g}, seed {seed}, KPZ coupling g={g:.3g}"
    )
    if fit is not None:
        console.print(
            f"beta = {fit.beta:.4f} (95% bootstrap interval [{fit.low:.4f}, {fit.high:.4f}], stderr {fit.stderr:.4f}) "
            f"on t in [{fit.t_min:g}, {fit.t_max:g}]"
        )
    if sat.saturated:
        console.print(f"saturated: w_sat = {sat.w_sat:.4g}, t_sat = {sat.t_sat:.4g}")
    else:
        console.print(f"not saturated by t = {t:g} (log-log slope {sat.tail_slope:.3f} over the last half)")
    console.print(
        f"phase slips: {run.slip_counts.mean():.3g} per realization ({run.slip_rate:.3g} per oscillator and time unit); "
        f"frequency synchronization S = {run.sync_order():.3f}"
    )
    if out is not None:
        write_output(run.to_netcdf, out)
        console.print(f"wrote {out}: {realizations} realizations x {len(run.t)} samples")
    if not no_figures:
        headless_matplotlib()
        name = safe_name("chain", f"L{size}", f"K{coupling:g}", f"a{nonoddity:g}", f"D{strength:g}", f"sigma{sigma:g}")
        _, message = figures_or_error(
            lambda: save_figure(oc.plot_roughness([run], [fit]), figures / f"{name}.png", quiet), figures
        )
        if message:
            fail(message)


def _parse_sweep(items: list[str] | None, fixed: dict[str, float]) -> dict[str, list[float]]:
    """``["K=0:2:5", "a=0,1"]`` as the values of each axis (the fixed value where not swept)."""
    import numpy as np

    axes = {name: [value] for name, value in fixed.items()}
    seen: set[str] = set()
    for item in items or []:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or key not in SWEEP_NAMES:
            fail(f"--sweep expects NAME=VALUES with NAME one of K, a, D (coupling, nonoddity, noise), got {item!r}")
        name = SWEEP_NAMES[key]
        if name in seen:
            fail(f"--sweep {key} is given twice")
        seen.add(name)
        try:
            if ":" in text:
                lo, hi, n = text.split(":")
                count = int(n)
                if count < 1:
                    raise ValueError
                values = list(np.linspace(float(lo), float(hi), count))
            else:
                values = [float(v) for v in text.split(",")]
        except ValueError:
            fail(f"--sweep {key}: {text!r} is not a list of numbers (0,0.5,1) or A:B:N with N >= 1")
        if not all(np.isfinite(values)):
            fail(f"--sweep {key}: values must be finite, got {text!r}")
        if name != "nonoddity" and min(values) < 0:
            fail(f"--sweep {key}: values must be >= 0, got {min(values):g}")
        axes[name] = [float(v) for v in values]
    points = len(axes["coupling"]) * len(axes["nonoddity"]) * len(axes["noise"])
    if points > MAX_SWEEP_POINTS:
        fail(f"--sweep asks for {points} points, more than {MAX_SWEEP_POINTS}; use fewer values")
    return axes


def _sweep(
    oc: Any,
    axes: dict[str, list[float]],
    size: int,
    realizations: int,
    t: float,
    step: float,
    sample_dt: float,
    window: tuple[float, float],
    sigma: float,
    seed: int,
    out: Path | None,
    figures: Path,
    no_figures: bool,
    quiet: bool,
) -> None:
    """The phase diagram, written (also when interrupted) and mapped."""
    n = len(axes["coupling"]) * len(axes["nonoddity"]) * len(axes["noise"])
    stopped = False
    try:
        with progress_bar(f"phase diagram: {n} points of L={size}, R={realizations}", quiet=quiet) as progress:
            diagram = oc.phase_diagram(
                size,
                axes["coupling"],
                axes["nonoddity"],
                axes["noise"],
                t=t,
                realizations=realizations,
                disorder=sigma,
                sample_dt=sample_dt,
                step=step,
                window=window,
                seed=seed,
                progress=progress,
            )
    except oc.SweepInterrupted as exc:
        diagram, stopped = exc.partial, True
    finished = int(diagram["done"].values.sum())
    table = diagram.to_dataframe().reset_index()
    table = table[table["done"] == 1]
    if len(table):
        console.print(
            table[
                ["coupling", "nonoddity", "noise", "beta", "beta_low", "beta_high", "slip_rate", "sync_order", "w_sat"]
            ].to_string(index=False, float_format=lambda v: f"{v:.4g}")
        )
    written = []
    if out is not None and finished:
        from ..files import atomic_output

        def write_netcdf(path: Path) -> None:
            with atomic_output(path) as tmp:
                diagram.to_netcdf(tmp, engine="h5netcdf")

        write_output(write_netcdf, out)
        written.append(str(out))
        console.print(f"wrote {out}: {finished} of {n} points")
    message = None
    if not no_figures and finished:
        headless_matplotlib()
        path = figures / safe_name("chain", "phase_diagram", f"L{size}", suffix=".png")
        _, message = figures_or_error(lambda: save_figure(oc.plot_phase_diagram(diagram), path, quiet), figures)
    if stopped:
        where = f"; the {finished} finished points are in {', '.join(written)}" if written else ""
        interrupted(f"the phase diagram stopped after {finished} of {n} points{where}")
    if message:
        fail(message)
