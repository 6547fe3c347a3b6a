"""``dynstab model kleingordon``: Klein-Gordon, phi^4 and sine-Gordon field scenarios (`dynstab.models.fields`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..models.fields import FieldRun

from .common import (
    ParamOpt,
    check_output,
    command,
    console,
    fail,
    figures_or_error,
    headless_matplotlib,
    interrupted,
    parse_params,
    progress_bar,
    safe_name,
    save_figure,
    write_output,
)


@command
def kleingordon(
    scenario: Annotated[
        str, typer.Option("--scenario", "-s", help="packet, kink, breather or collision.")
    ] = "breather",
    param: ParamOpt = None,
    n: Annotated[int | None, typer.Option("--n", help="Grid points (default: the scenario's).")] = None,
    length: Annotated[float | None, typer.Option("--length", help="Period L of the domain.")] = None,
    t: Annotated[float | None, typer.Option("--t", help="Duration (default: the scenario's).")] = None,
    dt: Annotated[float | None, typer.Option("--dt", help="Time step (refused above the stability limit).")] = None,
    save_every: Annotated[
        float | None, typer.Option("--save-every", help="Time between stored samples (default: the scenario's).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="NetCDF file for x, t, phi, pi, energy, momentum.")
    ] = None,
    figures: Annotated[Path, typer.Option("--figures", help="Folder for the figures.")] = Path("dynstab-fields"),
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Write no figures.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no file messages.")] = False,
) -> None:
    """Run a field scenario: phi_tt - phi_xx + V'(phi) = 0 on a periodic grid (velocity-Verlet, spectral).

    Scenarios: packet (linear Klein-Gordon Gaussian packet; m, amplitude, width), kink (static
    phi^4 kink-antikink pair; lam, v, separation), breather (sine-Gordon; omega), collision (phi^4
    kink-antikink at speed u; lam, v, speed, separation). Prints the energy, its drift and the
    momentum; writes a space-time figure and the conservation figure, and the run to NetCDF with --out.
    """
    from ..models import fields as F

    values = parse_params(param)
    sc = F.scenario(scenario, n=n, length=length, dt=dt, t=t, save_every=save_every, **values)
    if out is not None:
        check_output(out, folder=False)
    if not no_figures:
        check_output(figures, "--figures", folder=True)
    try:
        with progress_bar(f"{sc.name}: {sc.field.describe()}", quiet=quiet) as progress:
            run = F.run_scenario(sc, progress=progress)
    except KeyboardInterrupt:
        interrupted(f"the {sc.name} run did not finish; nothing was written")
    except FloatingPointError as exc:
        fail(str(exc))
    if out is not None:
        write_output(run.to_netcdf, out)  # atomic: a temporary file renamed when complete
    _summary(run)
    if out is not None and not quiet:
        console.print(f"wrote {out}: {len(run.t)} samples of {run.field.n} points, t in [0, {run.t[-1]:g}]")
    if not no_figures:
        headless_matplotlib()

        def write() -> list[str]:
            stem = safe_name("kleingordon", sc.name)
            return [
                save_figure(F.plot_spacetime(run), figures / f"{stem}_spacetime.png", quiet),
                save_figure(F.plot_energy(run), figures / f"{stem}_energy.png", quiet),
            ]

        _, error = figures_or_error(write, figures)
        if error:
            fail(error)


def _summary(run: FieldRun) -> None:
    """Print the scenario, the conserved quantities and the weighted entropies at the start and the end."""
    from rich.table import Table

    table = Table(title=f"{run.scenario}: {run.field.describe()}", show_header=True)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in run.scenario_params.items():
        table.add_row(key, f"{value:g}")
    table.add_row("energy E(0)", f"{run.energy[0]:.8g}")
    table.add_row("max |E(t) - E(0)| / |E(0)|", f"{run.energy_drift:.3g}")
    table.add_row("momentum P(0), P(end)", f"{run.momentum[0]:.3g}, {run.momentum[-1]:.3g}")
    ent = run.entropies()
    table.add_row("Shannon entropy (dx-weighted), start -> end", f"{ent['shannon'][0]:.4f} -> {ent['shannon'][-1]:.4f}")
    table.add_row("samples", f"{len(run.t)} (every {run.t[1] - run.t[0]:g})")
    console.print(table)
