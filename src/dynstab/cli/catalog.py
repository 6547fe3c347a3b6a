"""``dynstab list``, ``dynstab info`` and the catalog maintenance commands ``dynstab catalog ...``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..files import DamagedFileError
from .common import JsonOpt, ParamOpt, command, console, err_console, fail, load_system


@command
def list_systems(
    kind: Annotated[str | None, typer.Option(help="Only 'flow', 'delay', 'map' or 'sde'.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the catalog with each system's largest Lyapunov exponent and Kaplan-Yorke dimension."""
    from .. import systems
    from ..systems.metadata import metadata

    if kind not in (None, "flow", "delay", "map", "sde"):
        fail(f"--kind must be flow, delay, map or sde, got {kind!r}")
    rows = [(s, metadata(s) or {}) for s in (systems.get(n) for n in systems.names(kind))]
    if as_json:
        sys.stdout.write(
            json.dumps(
                [
                    {
                        "name": s.name,
                        "kind": s.kind,
                        "dimension": s.dim,
                        "max_lyapunov": m.get("max_lyapunov"),
                        "kaplan_yorke_dimension": m.get("kaplan_yorke_dimension"),
                        "parameters": s.param_values(),
                        "reference": s.reference,
                    }
                    for s, m in rows
                ],
                indent=2,
            )
            + "\n"
        )
        return
    from .render import print_catalog

    print_catalog(rows)


@command
def info(system: Annotated[str, typer.Argument(help="Catalog name.")], param: ParamOpt = None) -> None:
    """Equations, parameters, initial condition and reference of one system."""
    from ..systems.metadata import metadata
    from .render import print_info

    s = load_system(system, param)
    print_info(s, metadata(s))


@command
def catalog_annotate(
    names: Annotated[list[str] | None, typer.Argument(help="Systems (default: the whole catalog).")] = None,
    out: Annotated[Path | None, typer.Option(help="JSON file (default: the package's metadata file).")] = None,
    n_ics: Annotated[int, typer.Option(help="Initial conditions per spectrum (>= 5 for the shipped file).")] = 5,
    force: Annotated[bool, typer.Option(help="Recompute entries that are up to date.")] = False,
    dimensions_only: Annotated[bool, typer.Option(help="Only add missing correlation dimensions.")] = False,
) -> None:
    """Recompute every system's invariants (resumable: finished systems are kept).

    Each finished system is merged into the file under a lock with an atomic replacement, so a
    killed run keeps what it finished and two runs writing into one file keep all their entries.
    Names, ``--n-ics`` and the destination are checked before any work.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .. import systems
    from ..analysis.invariants import AnnotationSettings, annotate_catalog, fill_correlation_dimensions
    from ..systems.metadata import DATA_FILE, reload

    if n_ics < 1:
        fail(f"--n-ics must be at least 1 (initial conditions per spectrum; >= 5 for the shipped file), got {n_ics}")
    try:
        chosen = [systems.resolve(n) for n in names] if names else systems.names()
    except KeyError as exc:
        fail(exc.args[0] if exc.args else str(exc))
    path = out or DATA_FILE
    _check_results_file(path, must_exist=dimensions_only)
    settings = AnnotationSettings(n_ics=n_ics)
    failures = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console
    ) as progress:
        task = progress.add_task("annotating", total=len(chosen))

        def on_progress(name: str, entry: dict[str, Any]) -> None:
            if "error" in entry:
                failures.append((name, entry["error"]))
            lam = entry.get("max_lyapunov")
            progress.update(task, advance=1, description=f"{name:<28} lambda_1={'-' if lam is None else f'{lam:.4g}'}")

        try:
            if dimensions_only:
                fill_correlation_dimensions(chosen, path, settings, on_progress=on_progress)
            else:
                annotate_catalog(chosen, path, settings, force=force, on_progress=on_progress)
        except DamagedFileError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"cannot write {path}: {exc.strerror or exc} (entries finished before were kept)")
    reload()
    console.print(f"annotated {len(chosen)} systems into {path}")
    for name, error in failures:
        console.print(f"[red]{name}[/]: {error}")


def _check_results_file(path: Path, *, must_exist: bool) -> None:
    """Fail (one line, exit 2) unless ``path`` can be read and written as the annotation file."""
    from ..files import read_json

    folder = path.parent
    if path.is_dir():
        fail(f"--out {path} is a folder; give a JSON file name")
    if not folder.is_dir():
        fail(f"the folder of {path} does not exist; create it first or choose another --out")
    if not os.access(folder, os.W_OK):
        fail(f"cannot write into {folder} (permission denied); choose another --out")
    if not path.exists():
        if must_exist:
            fail(f"{path} does not exist; run `dynstab catalog annotate` without --dimensions-only first")
        return
    try:
        read_json(path)
    except DamagedFileError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


@command
def catalog_doc(out: Annotated[Path, typer.Option(help="Markdown file.")] = Path("docs/catalog.md")) -> None:
    """Write the catalog page (every system with its metadata) from the metadata file."""
    from ..systems.metadata import catalog_markdown

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(catalog_markdown() + "\n")
    console.print(f"wrote {out}")
