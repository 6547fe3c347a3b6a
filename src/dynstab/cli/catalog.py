"""``dynstab list``, ``dynstab info`` and the catalog maintenance commands ``dynstab catalog ...``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..files import DamagedFileError
from ..text import count
from .common import (
    JsonOpt,
    ParamOpt,
    check_output,
    command,
    console,
    err_console,
    fail,
    interrupted,
    load_system,
)

_KINDS = {"flow": "flow", "delay": "delay equation", "map": "map", "sde": "SDE"}  # kind -> noun


@command
def list_systems(
    kind: Annotated[str | None, typer.Option(help="Only 'flow', 'delay', 'map' or 'sde'.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the catalog with each system's largest Lyapunov exponent and Kaplan-Yorke dimension."""
    from .. import systems
    from ..systems.metadata import metadata

    if kind is not None and kind not in _KINDS:
        fail(f"--kind must be one of {', '.join(_KINDS)}, got {kind!r}")
    rows = [(s, metadata(s) or {}) for s in (systems.get(n) for n in systems.names(kind))]
    if not rows and not as_json:
        sizes = ", ".join(count(len(systems.names(k)), _KINDS[k]) for k in _KINDS if systems.names(k))
        console.print(
            f"the catalog has no {kind} systems (it holds {sizes}); "
            + (
                "define a stochastic system with the dynstab.sde decorator (drift and diffusion)"
                if kind == "sde"
                else "choose another --kind"
            )
        )
        return
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


DEFAULT_ANNOTATIONS = Path("dynstab-invariants.json")


@command
def catalog_annotate(
    names: Annotated[list[str] | None, typer.Argument(help="Systems (default: the whole catalog).")] = None,
    out: Annotated[
        Path,
        typer.Option(
            help="JSON file to write (created, or resumed). Maintainers refresh the shipped file by naming it: "
            "src/dynstab/systems/catalog/metadata.json."
        ),
    ] = DEFAULT_ANNOTATIONS,
    n_ics: Annotated[int, typer.Option(help="Initial conditions per spectrum (>= 5 for the shipped file).")] = 5,
    force: Annotated[bool, typer.Option(help="Recompute entries that are up to date.")] = False,
    dimensions_only: Annotated[bool, typer.Option(help="Only add missing correlation dimensions.")] = False,
) -> None:
    """Compute the invariants of catalog systems into a JSON file (resumable: finished systems are kept).

    The file is ``./dynstab-invariants.json`` unless ``--out`` names another; the package's own
    metadata file is written only when ``--out`` names it. Entries already in the file with the same
    settings, version and parameters are skipped (``--force`` recomputes them), and the command says
    which systems were annotated, which were skipped and why, and which failed. Each finished
    system is merged into the file under a lock with an atomic replacement, so a killed or
    interrupted run keeps what it finished and two runs writing into one file keep all their
    entries. Names, ``--n-ics`` and the destination are checked before any work.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .. import systems
    from ..analysis.invariants import AnnotationSettings, annotate_catalog, fill_correlation_dimensions
    from ..files import read_json
    from ..systems.metadata import DATA_FILE, reload

    if n_ics < 1:
        fail(f"--n-ics must be at least 1 (initial conditions per spectrum; >= 5 for the shipped file), got {n_ics}")
    try:
        chosen = [systems.resolve(n) for n in names] if names else systems.names()
    except KeyError as exc:
        fail(exc.args[0] if exc.args else str(exc))
    chosen = list(dict.fromkeys(chosen))
    _check_results_file(out, must_exist=dimensions_only)
    before = read_json(out) if out.exists() else {}
    before_entries = before.get("systems", {}) if isinstance(before, dict) else {}
    settings = AnnotationSettings(n_ics=n_ics)
    done: dict[str, dict[str, Any]] = {}  # name -> the entry reported, in order
    failures: list[tuple[str, str]] = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console
    ) as progress:
        task = progress.add_task("annotating", total=len(chosen))

        def on_progress(name: str, entry: dict[str, Any]) -> None:
            if "error" in entry:
                failures.append((name, str(entry["error"])))
            done[name] = entry
            lam = entry.get("max_lyapunov")
            progress.update(task, advance=1, description=f"{name:<28} lambda_1={'-' if lam is None else f'{lam:.4g}'}")

        try:
            if dimensions_only:
                fill_correlation_dimensions(chosen, out, settings, on_progress=on_progress)
            else:
                annotate_catalog(chosen, out, settings, force=force, on_progress=on_progress)
        except KeyboardInterrupt:
            progress.stop()
            _print_outcome(done, failures, before_entries, out, force=force, dimensions_only=dimensions_only)
            interrupted(
                f"the {count(len(done), 'system')} above are in {out}; "
                f"{count(len(chosen) - len(done), 'system')} not done (run the same command again to resume)"
            )
        except DamagedFileError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror or exc} (entries finished before were kept)")
    if out.resolve() == DATA_FILE.resolve():
        reload()
    if dimensions_only:  # fill_correlation_dimensions reports only the entries it updated
        for name in chosen:
            if name not in done:
                old = before_entries.get(name)
                reason = (
                    "not in the file: annotate it first"
                    if old is None
                    else "its annotation failed"
                    if "error" in old
                    else "it has its correlation dimension"
                )
                failures.append((name, f"skipped, {reason}"))
    _print_outcome(done, failures, before_entries, out, force=force, dimensions_only=dimensions_only)


def _print_outcome(
    done: dict[str, dict[str, Any]],
    failures: list[tuple[str, str]],
    before: dict[str, Any],
    out: Path,
    *,
    force: bool,
    dimensions_only: bool,
) -> None:
    """Say which systems were annotated into ``out``, which were skipped (already present), which failed.

    ``annotate_catalog`` reports a skipped system with the file's entry unchanged, while a
    recomputed entry differs from the old one in the settings, version, parameters or values that
    made it stale; so an entry equal to the one the file held before the run was skipped.
    """
    failed = {name for name, _ in failures}
    skipped = [
        n for n, entry in done.items() if not (force or dimensions_only) and n not in failed and entry == before.get(n)
    ]
    written = [n for n in done if n not in failed and n not in skipped]
    verb = "added correlation dimensions of" if dimensions_only else "annotated"
    console.print(f"{verb} {count(len(written), 'system')} into {out}" + (f": {_names(written)}" if written else ""))
    if skipped:
        console.print(
            f"skipped {count(len(skipped), 'system')} already in {out} with the same settings, version and "
            f"parameters: {_names(skipped)} (--force recomputes them)"
        )
    for name, error in failures:
        console.print(f"[red]{name}[/]: {error}")


def _names(names: list[str], limit: int = 12) -> str:
    """``a, b, c`` (at most ``limit`` names, then ``and N more``)."""
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def _check_results_file(path: Path, *, must_exist: bool) -> None:
    """Fail (one line, exit 2) unless ``path`` can be read and written as the annotation file."""
    from ..files import read_json

    folder = path.parent
    if path.is_dir():
        fail(f"--out {path} is a folder; give a JSON file name")
    if not folder.is_dir():
        fail(f"the folder of {path} does not exist; create it first or choose another --out")
    check_output(path, "--out", folder=False)  # tries a file there: permissions, read-only file systems
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
    from ..files import atomic_write_text
    from ..systems.metadata import catalog_markdown

    check_output(out, "--out", folder=False)
    text = catalog_markdown() + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, text)  # a temporary file renamed when complete: never half a page
    console.print(f"wrote {out}")
