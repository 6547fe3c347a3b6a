"""``dynstab model couzin``: the 3D Couzin fish school (`dynstab.models.schooling`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    save_figure,
    write_output,
)


@command
def couzin(
    config: Annotated[
        str, typer.Option("--config", help="swarm, torus, dynamic-parallel, highly-parallel (or milling).")
    ] = "swarm",
    param: ParamOpt = None,
    agents: Annotated[int | None, typer.Option("--agents", help="Number of fish N (default: the config's).")] = None,
    steps: Annotated[int | None, typer.Option("--steps", help="Steps of dt (default: the config's).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the start and the noise.")] = None,
    record_every: Annotated[int, typer.Option("--record-every", help="Steps between saved frames.")] = 10,
    neighbours: Annotated[str, typer.Option("--neighbours", help="all (pairs) or cells (cell list).")] = "all",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="NetCDF file to write.")] = None,
    figures: Annotated[Path, typer.Option("--figures", help="Folder for the figure.")] = Path("figures"),
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Write no figure.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar and no figure message.")] = False,
) -> None:
    """Simulate a 3D Couzin school; print P, M, OSI and the regime; write NetCDF and a figure."""
    from ..models import schooling

    changes: dict[str, object] = dict(parse_params(param))
    for key in changes:
        if key not in schooling.SchoolConfig.PARAMETERS:
            import difflib

            hint = difflib.get_close_matches(key, schooling.SchoolConfig.PARAMETERS, n=1)
            fail(
                f"--param {key}: the school has no parameter {key!r}"
                + (f" (did you mean {hint[0]!r}?)" if hint else "")
                + f"; its parameters are {', '.join(schooling.SchoolConfig.PARAMETERS)}"
            )
    if agents is not None:
        changes["n_agents"] = agents
    if steps is not None:
        changes["steps"] = steps
    if seed is not None:
        changes["seed"] = seed
    cfg = schooling.preset(config, **changes)  # every check: one error line before any work
    if neighbours not in ("all", "cells"):
        fail(f"--neighbours must be 'all' or 'cells', got {neighbours!r}")
    if not 1 <= record_every <= cfg.steps:
        fail(f"--record-every must be between 1 and --steps ({cfg.steps}), got {record_every}")
    if out is not None:
        check_output(out, folder=False)
    if not no_figures:
        check_output(figures, "--figures", folder=True)
    try:
        with progress_bar(f"schooling {cfg.name} (N={cfg.n_agents})", quiet=quiet) as progress:
            run = schooling.simulate_school(cfg, record_every=record_every, neighbours=neighbours, progress=progress)
    except KeyboardInterrupt:
        interrupted("the school did not finish; nothing was written")
    m = run.second_half()
    console.print(
        f"{cfg.name}: N={cfg.n_agents}, {cfg.steps} steps, seed {run.seed}; second half: P={m['P']:.3f} "
        f"M={m['M']:.3f} OSI={m['OSI']:.3f} H_vel={m['H_velocity']:.3f} -> {run.regime()}"
    )
    if out is not None:
        write_output(run.to_netcdf, out)
        console.print(f"wrote {out}: {len(run.time)} frames of {cfg.n_agents} agents")
    if not no_figures:
        headless_matplotlib()
        _, message = figures_or_error(
            lambda: save_figure(schooling.plot_school(run), figures / f"couzin_{cfg.name}_seed{run.seed}.png", quiet),
            figures,
        )
        if message:
            fail(message)
