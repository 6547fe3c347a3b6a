"""``dynstab model leslie``: Gause's Paramecium fit or the last-species-standing check (`dynstab.models.leslie`)."""

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

MODES = ("gause", "verify")


@command
def leslie(
    mode: Annotated[
        str, typer.Option("--mode", help="gause (fit Gause 1934) or verify (last species standing).")
    ] = "gause",
    data: Annotated[
        Path | None, typer.Option("--data", help="Gause-style CSV (default: the table shipped with dynstab).")
    ] = None,
    starts: Annotated[int, typer.Option("--starts", help="Random starts of the fit.")] = 8,
    days: Annotated[int, typer.Option("--days", help="Days the fitted mixture is run on.")] = 200,
    draws: Annotated[int, typer.Option("--draws", help="Random parameter draws (verify).")] = 500,
    ages: Annotated[int, typer.Option("--ages", help="Age classes per species (verify).")] = 3,
    coupling: Annotated[float, typer.Option("--coupling", help="Largest coupling entry (verify).")] = 0.05,
    kind: Annotated[str, typer.Option("--kind", help="competition or predator-prey (verify).")] = "competition",
    gap_tol: Annotated[
        float | None, typer.Option("--gap-tol", help="Relative eigenvalue gap claimed (default 5 x coupling).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the starts or draws.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="NetCDF file of the results.")] = None,
    figures: Annotated[Path, typer.Option("--figures", help="Folder for the figure.")] = Path("dynstab-leslie"),
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Write no figure.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no file messages.")] = False,
) -> None:
    """Age-structured (Leslie) competition: fit Gause's Paramecium cultures, or check the eigenvalue prediction.

    gause: fits a two-age Leslie-Gower competition model to Gause's (1934) P. caudatum and P. aurelia
    cultures (alone and mixed), prints the parameters with standard errors, the invasion growth factors
    and the mixture run on for --days (P. caudatum excluded); writes the data-and-fit figure.
    verify: over --draws random pairs of Leslie matrices coupled as in Gilman et al. (2024)
    (reconstructed equations), compares the winner predicted from the dominant eigenvalues with simulation.
    """
    from ..models import leslie as Le
    from ..validation import as_float, as_int

    if mode not in MODES:
        fail(f"unknown --mode {mode!r}; choose one of {MODES}")
    seed = as_int(seed, name="--seed", minimum=0)
    if mode == "gause":
        starts = as_int(starts, name="--starts", minimum=1)
        days = as_int(days, name="--days", minimum=26)
        dataset = Le.load_gause(data)  # a missing or malformed file fails here, before any work
    else:
        draws = as_int(draws, name="--draws", minimum=1)
        ages = as_int(ages, name="--ages", minimum=1)
        coupling = as_float(coupling, name="--coupling", minimum=0.0)
        if kind not in Le.KINDS:
            fail(f"unknown --kind {kind!r}; choose one of {Le.KINDS}")
        if gap_tol is not None:
            gap_tol = as_float(gap_tol, name="--gap-tol", minimum=0.0)
    if out is not None:
        check_output(out, folder=False)
    if not no_figures and mode == "gause":
        check_output(figures, "--figures", folder=True)
    try:
        if mode == "gause":
            with progress_bar(f"fitting Gause (1934) Fig. 22, {starts} starts", quiet=quiet) as progress:
                fit = Le.fit_gause(dataset, starts=starts, seed=seed, progress=progress)
            run = fit.forward(days)
        else:
            ver = Le.verify_last_species_standing(
                draws, ages=ages, coupling=coupling, kind=kind, gap_tol=gap_tol, seed=seed
            )
    except KeyboardInterrupt:
        interrupted("the Leslie run did not finish; nothing was written")
    if mode == "gause":
        _gause_summary(fit, run)
        ds = _gause_dataset(fit, run, seed)
    else:
        _verify_summary(ver, kind, coupling)
        ds = _verify_dataset(ver, kind, coupling, ages, seed)
    if out is not None:
        from ..files import atomic_output

        def write_netcdf(path: Path) -> None:
            with atomic_output(path) as tmp:
                ds.to_netcdf(tmp, engine="h5netcdf")

        write_output(write_netcdf, out)
        if not quiet:
            console.print(f"wrote {out}")
    if not no_figures and mode == "gause":
        headless_matplotlib()

        def write() -> list[str]:
            return [save_figure(Le.plot_gause(fit), figures / safe_name("leslie", "gause_1934", suffix=".png"), quiet)]

        _, error = figures_or_error(write, figures)
        if error:
            fail(error)


def _gause_summary(fit: Any, run: Any) -> None:
    from rich.table import Table

    table = Table(title=f"two-age Leslie-Gower fit to Gause (1934) Fig. 22 ({fit.n_points} readings)")
    table.add_column("parameter")
    table.add_column("value", justify="right")
    table.add_column("std. error", justify="right")
    for name, (value, err) in fit.table.items():
        table.add_row(name, f"{value:.4g}", f"{err:.2g}")
    console.print(table)
    inv, se = fit.invasion(), fit.invasion_stderr()
    console.print(
        f"residual sd {fit.residual_sd:.3f} (log units); equilibria alone: caudatum {fit.equilibrium('caudatum'):.1f}, "
        f"aurelia {fit.equilibrium('aurelia'):.1f}; invasion growth factors: caudatum {inv['caudatum']:.3f} ± {se['caudatum']:.2g}, "
        f"aurelia {inv['aurelia']:.3f} ± {se['aurelia']:.2g}"
    )
    console.print(
        f"mixture after {run.shape[0] - 1} days: caudatum {run[-1, 0]:.3g}, aurelia {run[-1, 1]:.4g}"
        + (" (P. caudatum excluded)" if run[-1, 0] < 1e-3 * run[-1, 1] else "")
    )


def _gause_dataset(fit: Any, run: Any, seed: int) -> Any:
    import numpy as np
    import xarray as xr

    curves = fit.curves(26)
    units = {"units": "1", "long_name": "volume (Gause's standardized units)"}
    obs = np.stack([np.stack([fit.data.caudatum[t], fit.data.aurelia[t]], axis=1) for t in ("Pc", "Pa", "Mixture")])
    ds = xr.Dataset(
        {
            "observed": (("treatment", "day", "species"), obs, units),
            "fitted": (("treatment", "day", "species"), curves, units),
            "mixture_run": (("run_day", "species"), run, units),
            "params": (("parameter",), fit.params),
            "stderr": (("parameter",), fit.stderr),
        },
        coords={
            "treatment": ["Pc", "Pa", "Mixture"],
            "day": ("day", np.arange(26), {"units": "day"}),
            "run_day": ("run_day", np.arange(run.shape[0]), {"units": "day"}),
            "species": ["P. caudatum", "P. aurelia"],
            "parameter": list(fit.table),
        },
    )
    ds.attrs.update(
        {
            "Conventions": "CF-1.8",
            "title": "two-age Leslie-Gower competition fitted to Gause (1934) Fig. 22",
            "source": f"dynstab.models.leslie; data {fit.data.source}",
            "residual_sd": fit.residual_sd,
            "seed": seed,
        }
    )
    return ds


def _verify_summary(ver: Any, kind: str, coupling: float) -> None:
    import numpy as np

    d = ver.decided
    console.print(
        f"{kind}, coupling <= {coupling:g}: {int(d.sum())} of {len(d)} draws with eigenvalue gap > {ver.gap_tol:.3g}; "
        f"predicted winner = simulated in {ver.agreement:.1%} of them "
        f"({int(np.sum(ver.predicted == ver.simulated))} of {len(d)} over all draws)"
    )


def _verify_dataset(ver: Any, kind: str, coupling: float, ages: int, seed: int) -> Any:
    import xarray as xr

    ds = xr.Dataset(
        {
            "gap": ("draw", ver.gap, {"long_name": "relative gap of the dominant eigenvalues", "units": "1"}),
            "predicted": ("draw", ver.predicted, {"long_name": "predicted winner (0: x, 1: y)"}),
            "simulated": ("draw", ver.simulated, {"long_name": "simulated winner (0: x, 1: y)"}),
            "loser_share": ("draw", ver.loser_share, {"long_name": "final share of the smaller species", "units": "1"}),
        }
    )
    ds.attrs.update(
        {"Conventions": "CF-1.8", "kind": kind, "coupling": coupling, "ages": ages, "gap_tol": ver.gap_tol,
         "agreement": ver.agreement, "seed": seed}
    )  # fmt: skip
    return ds
