"""``dynstab model kinetics``: reaction networks by SSA, tau-leaping, the CLE or moment closures (`dynstab.models.kinetics`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

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
def kinetics(
    network: Annotated[
        str, typer.Option("--network", "-n", help="birth-death, dimerization, schlogl or brusselator.")
    ] = "birth-death",
    omega: Annotated[float | None, typer.Option("--omega", help="System size Omega (default: the network's).")] = None,
    runs: Annotated[int, typer.Option("--runs", help="Independent paths (ssa, tau, cle).")] = 1000,
    t: Annotated[float, typer.Option("--t", help="Time span.")] = 50.0,
    dt: Annotated[float | None, typer.Option("--dt", help="Recording interval (default t / 200).")] = None,
    method: Annotated[str, typer.Option("--method", help="ssa, tau, cle or moments.")] = "ssa",
    closure: Annotated[str, typer.Option("--closure", help="normal, poisson, lognormal or cmn.")] = "normal",
    order: Annotated[int, typer.Option("--order", help="Closure order, 2 to 4.")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the paths.")] = 0,
    param: ParamOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="NetCDF file for the paths' statistics and the moments.")
    ] = None,
    figures: Annotated[Path, typer.Option("--figures", help="Folder for the figure.")] = Path("dynstab-kinetics"),
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Write no figure.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no file messages.")] = False,
) -> None:
    """Simulate a reaction network and compare the paths with the closed moment equations.

    The paths (exact SSA, tau-leaping or the chemical Langevin equation) give the mean and
    variance with standard errors; the moment equations of the chosen closure and order are
    solved alongside. Prints both at the end of the run, the closure's failures if any
    (negative variance, divergence), writes the figure (paths' mean +- sd against the closure)
    and, with --out, the statistics to NetCDF.
    """
    from ..models import kinetics as K
    from ..validation import as_float, as_int, as_positive_float

    if method not in K.METHODS:
        import difflib

        hint = difflib.get_close_matches(method, K.METHODS, n=1)
        fail(
            f"unknown --method {method!r}"
            + (f" (did you mean {hint[0]!r}?)" if hint else "")
            + f"; choose one of {K.METHODS}"
        )
    net = K.network(network, **parse_params(param))
    om = net.params["omega"] if omega is None else as_positive_float(omega, name="--omega")
    runs = as_int(runs, name="--runs", minimum=2)
    seed = as_int(seed, name="--seed", minimum=0)
    t = as_float(t, name="--t", minimum=0.0, inclusive="neither")
    step = t / 200 if dt is None else as_positive_float(dt, name="--dt")
    if step > t:
        fail(f"--dt {step:g} is longer than --t {t:g}; give --dt <= --t")
    if closure not in K.CLOSURES:
        import difflib

        hint = difflib.get_close_matches(closure, K.CLOSURES, n=1)
        fail(
            f"unknown --closure {closure!r}"
            + (f" (did you mean {hint[0]!r}?)" if hint else "")
            + f"; choose one of {K.CLOSURES}"
        )
    order = as_int(order, name="--order", minimum=2, maximum=4)
    if method != "moments":
        from ..limits import check_allocation

        n_t = int(round(t / step)) + 1
        check_allocation(
            runs * n_t * len(net.species) * 8.0 * 2,
            f"the paths ({runs} runs x {n_t} times x {len(net.species)} species)",
            "use fewer --runs or a larger --dt",
        )
    if out is not None:
        check_output(out, folder=False)
    if not no_figures:
        check_output(figures, "--figures", folder=True)

    ens = None
    try:
        if method != "moments":
            with progress_bar(f"{net.name}: {runs} {method} paths, Omega = {om:g}", quiet=quiet) as progress:
                if method == "cle":
                    ens = K.cle_ensemble(net, t, step, runs=runs, omega=om, seed=seed, progress=progress)
                else:
                    sampler = K.ssa if method == "ssa" else K.tau_leap
                    ens = sampler(net, t, step, runs=runs, omega=om, seed=seed, progress=progress)
        sol = K.solve_moments(net, t, step, order=order, closure=closure, omega=om)
    except KeyboardInterrupt:
        interrupted(f"the {net.name} run did not finish; nothing was written")
    _summary(net, om, ens, sol)
    if out is not None:
        write_output(lambda path: _write(path, ens, sol), out)
        if not quiet:
            console.print(f"wrote {out}")
    if not no_figures:
        headless_matplotlib()

        def write() -> list[str]:
            name = safe_name("kinetics", net.name, method, f"omega_{om:g}", closure, f"order{order}", suffix=".png")
            return [save_figure(K.plot_comparison(ens, sol), figures / name, quiet)]

        _, error = figures_or_error(write, figures)
        if error:
            fail(error)


def _summary(net: Any, om: float, ens: Any, sol: Any) -> None:
    """Print the final mean and variance of the paths (with standard errors) and of the closure."""
    import numpy as np
    from rich.table import Table

    eqs = sol.equations
    table = Table(title=f"{net.name}, Omega = {om:g}, t = {sol.t[-1]:g}", show_header=True)
    table.add_column("species")
    if ens is not None:
        table.add_column(f"{ens.method} mean ± se", justify="right")
        table.add_column(f"{ens.method} variance ± se", justify="right")
    table.add_column(f"{eqs.closure} order {eqs.order}: mean", justify="right")
    table.add_column("variance", justify="right")
    for i, s in enumerate(net.species):
        row = [s]
        if ens is not None:
            row += [
                f"{ens.mean()[-1, i]:.4g} ± {ens.mean_error()[-1, i]:.2g}",
                f"{ens.var()[-1, i]:.4g} ± {ens.var_error()[-1, i]:.2g}",
            ]
        row += [f"{sol.mean[-1, i]:.4g}", f"{sol.var[-1, i]:.4g}"]
        table.add_row(*row)
    console.print(table)
    if ens is not None:
        rate = float(np.sum(ens.events)) / max(ens.seconds, 1e-9)
        console.print(
            f"{ens.runs} paths, {int(np.sum(ens.events))} {ens.method} events in {ens.seconds:.2f} s, compilation included ({rate:.3g} per second)"
        )
    flags = [key.replace("_", " ") for key, bad in sol.failures().items() if bad]
    if flags:
        console.print(
            f"[yellow]the closure is outside its range of validity:[/] {', '.join(flags)}"
            + (f" ({sol.failed})" if sol.failed else "")
        )


def _write(out: Path, ens: Any, sol: Any) -> None:
    """The paths' statistics (without the paths) and the closure's moments in one NetCDF file, atomically."""
    import xarray as xr

    from ..files import atomic_output

    mom = sol.to_xarray().rename({name: f"closure_{name}" for name in sol.equations.flow.names})
    if ens is not None:
        ds = ens.to_xarray().drop_vars("counts")
        ds = xr.merge([ds, mom.drop_vars("time").assign_coords(time=ds["time"])], combine_attrs="override")
        for key in ("closure", "order", "failed"):
            ds.attrs[f"closure_{key}"] = mom.attrs[key]
    else:
        ds = mom
    with atomic_output(out) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")
