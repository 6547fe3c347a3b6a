"""``dynstab phonons``: phonon stability of a crystal, PhononBench's criterion (`dynstab.models.phonons`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import (
    JsonOpt,
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
)

BUILTIN_HELP = "cu-fcc, cu-bcc, cu-sc, al-fcc, ni-fcc, ag-fcc, au-fcc"


@command
def phonons(
    structure: Annotated[
        str,
        typer.Argument(
            help=f"A CIF file (or any format ASE reads), or a built-in demo structure: {BUILTIN_HELP} "
            "(ase.build.bulk primitive cells).",
            show_default=False,
        ),
    ],
    calculator: Annotated[str, typer.Option("--calculator", help="emt (ASE's EMT) or lj (Lennard-Jones).")] = "emt",
    supercell: Annotated[
        str | None,
        typer.Option("--supercell", help="Diagonal supercell, e.g. 3,3,3 (default 3,3,3 up to 4 atoms, else 2,2,2)."),
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Stable iff every frequency >= this (THz); default -0.1.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="PhononBench's strict threshold, -0.001 THz.")] = False,
    no_relax: Annotated[bool, typer.Option("--no-relax", help="Use the structure as given (no relaxation).")] = False,
    fmax: Annotated[float, typer.Option("--fmax", help="Relaxation force tolerance, eV/A.")] = 1e-3,
    mesh: Annotated[int, typer.Option("--mesh", help="Gamma-centred mesh, N x N x N.")] = 12,
    figures: Annotated[
        Path | None, typer.Option("--figures", help="Folder for the band-structure figure (default: none).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Relax a crystal, compute its phonons (phonopy, finite displacements of 0.01 A) and say whether it is
    dynamically stable.

    Stable iff no frequency on the standard band path or the 12^3 mesh is below the threshold (an imaginary
    mode shows as a negative frequency). Prints the minimum and maximum frequency and the verdict; --json
    prints everything (bands included) as JSON; --figures writes the band structure.
    """
    from ..models import phonons as P

    if threshold is not None and strict:
        fail("give either --threshold or --strict, not both")
    if figures is not None:
        check_output(figures, "--figures", folder=True)
    try:
        with progress_bar(f"{structure}: phonons", quiet=as_json) as progress:
            result = P.phonon_stability(
                structure,
                calculator,
                supercell=supercell,
                threshold=threshold,
                strict=strict,
                relax_structure=not no_relax,
                fmax=fmax,
                mesh=mesh,
                progress=progress,
            )
    except KeyboardInterrupt:
        interrupted("the phonon calculation did not finish; nothing was written")

    figure_path, error = None, None
    if figures is not None:
        headless_matplotlib()

        def write() -> str:
            name = safe_name(Path(structure).stem, result.formula, "phonon_bands", suffix=".png")
            return save_figure(result.plot(), figures / name, as_json)

        figure_path, error = figures_or_error(write, figures)
    if as_json:
        data = result.to_dict()
        if figure_path:
            data["figure"] = figure_path
        sys.stdout.write(json.dumps(data) + "\n")
    else:
        s = result.settings
        console.print(
            f"{result.formula} ({structure}), {s['calculator']}, supercell {'x'.join(map(str, s['supercell']))}, "
            f"mesh {'x'.join(map(str, s['mesh']))}, relaxed: {'yes' if s['relaxed'] else 'no'} "
            f"(a = {', '.join(f'{v:.4f}' for v in result.lattice_constants)} A)"
        )
        console.print(
            f"min frequency {result.min_frequency:.4f} THz, max {result.max_frequency:.4f} THz; "
            f"threshold {result.threshold:g} THz: [bold]{result.verdict}[/]"
        )
    if error:
        fail(error)
