"""``dynstab model burgers``: viscous Burgers trajectories by ETDRK4, a NetCDF dataset and a figure (`dynstab.models.burgers`)."""

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


@command
def burgers(
    nu: Annotated[float, typer.Option("--nu", help="Viscosity nu > 0.")] = 0.05,
    n: Annotated[int, typer.Option("--n", help="Grid points N (even, >= 16).")] = 256,
    t: Annotated[float, typer.Option("--t", help="Final time.")] = 1.0,
    dt: Annotated[
        float | None,
        typer.Option("--dt", help="ETDRK4 step (default: half the bound 1 / (max|u0| k_c), fitted to --save-every)."),
    ] = None,
    trajectories: Annotated[int, typer.Option("--trajectories", help="Random initial fields (one batch).")] = 16,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random initial fields.")] = 0,
    modes: Annotated[int, typer.Option("--modes", help="Fourier modes of the initial fields (amplitudes m^-2).")] = 4,
    save_every: Annotated[
        float | None, typer.Option("--save-every", help="Sampling interval of the dataset (default t / 100).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="NetCDF dataset (trajectory, time, x).")] = None,
    figures: Annotated[Path, typer.Option("--figures", help="Folder for the figure.")] = Path("dynstab-burgers"),
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Write no figure.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no file messages.")] = False,
) -> None:
    """Integrate u_t + u u_x = nu u_xx (periodic on [0, 2 pi)) from random smooth fields.

    Fourier pseudo-spectral ETDRK4 with 2/3 dealiasing, all trajectories in one compiled batch:
    the dataset for neural-operator rollout training. The step, the grid's resolution of the
    fronts and the initial fields are checked before any work. Prints a summary, writes the
    x-t figure of the first trajectory and, with --out, the dataset to NetCDF.
    """
    import math

    from ..models import burgers as B
    from ..validation import as_float, as_int

    t = as_float(t, name="--t", minimum=0.0, inclusive="neither")
    trajectories = as_int(trajectories, name="--trajectories", minimum=1)
    seed = as_int(seed, name="--seed", minimum=0)
    problem = B.Burgers(nu, n, 1.0 if dt is None else dt)
    u0 = B.random_fields(problem, trajectories, seed=seed, modes=modes)
    every = (
        t / 100 if save_every is None else as_float(save_every, name="--save-every", minimum=0.0, inclusive="neither")
    )
    if every > t:
        fail(f"--save-every {every:g} is longer than --t {t:g}; give --save-every <= --t")
    if dt is None:  # half the Courant bound, a whole number of steps per sampling interval
        problem = B.Burgers(problem.nu, problem.n, every / math.ceil(every / (0.5 * problem.max_dt(u0))))
    B.check_setup(problem, u0)  # the step and the resolution, before any work
    if out is not None:
        check_output(out, folder=False)
    if not no_figures:
        check_output(figures, "--figures", folder=True)
    try:
        with progress_bar(f"Burgers: {trajectories} trajectories, {problem.describe()}", quiet=quiet) as progress:
            run = B.solve(problem, u0, t, save_every=every, seed=seed, progress=progress)
    except KeyboardInterrupt:
        interrupted("the Burgers run did not finish; nothing was written")
    _summary(run)
    if out is not None:
        write_output(lambda path: B.write_dataset(run, path), out)
        if not quiet:
            console.print(f"wrote {out}")
    if not no_figures:
        headless_matplotlib()

        def write() -> list[str]:
            name = safe_name("burgers", f"nu_{problem.nu:g}", f"n{problem.n}", f"seed{seed}", suffix=".png")
            return [save_figure(B.plot_run(run), figures / name, quiet)]

        _, error = figures_or_error(write, figures)
        if error:
            fail(error)


def _summary(run: Any) -> None:
    """Print the run's size, time and the energy decay."""
    import numpy as np

    e0 = float(np.mean(run.u[:, 0] ** 2))
    e1 = float(np.mean(run.u[:, -1] ** 2))
    console.print(
        f"{run.u.shape[0]} trajectories x {run.u.shape[1]} times x {run.u.shape[2]} points "
        f"({run.problem.describe()}) to t = {run.t[-1]:g} in {run.seconds:.2f} s, compilation included; "
        f"mean u^2 {e0:.4g} -> {e1:.4g}"
    )
