"""The ``dynstab`` command line: analyze, list, info, simulate, periodic-orbits, bifurcation, basins, catalog.

One module per command family (`analyze`, `catalog`, `simulate`, `orbits`, `basins`), the shared
options and argument parsing in `common`, and the terminal rendering (rich tables) in `render`.
Each command documents its options in ``dynstab COMMAND --help``.

Importing this package costs only typer and rich, so ``dynstab --help`` answers at once; a
command imports the numerical modules (and JAX) when it runs. Each command runs in dynstab's
own process setup (`dynstab._config.configure_cli_process`: the small-loop threshold and the
persistent compilation cache in ``DYNSTAB_CACHE_DIR``) and inside a float64 scope, under one
error handler (`common.command`): every error is one ``error: ...`` line and exit status 2;
``dynstab --debug COMMAND`` (or ``DYNSTAB_DEBUG=1``) shows the traceback of an unexpected one.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .analyze import analyze
from .basins import basins
from .catalog import catalog_annotate, catalog_doc, info, list_systems
from .common import set_debug
from .orbits import bifurcation, periodic_orbits_cmd
from .simulate import simulate

__all__ = ["app"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="dynstab: stability and chaos of dynamical systems.",
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    """``dynstab --version``: the version and exit (read from the package metadata, no JAX import)."""
    if value:
        from .._version import __version__

        typer.echo(f"dynstab {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the Python traceback of an unexpected error (or DYNSTAB_DEBUG=1).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print dynstab's version and exit."),
    ] = False,
) -> None:
    """dynstab: stability and chaos of dynamical systems."""
    set_debug(debug)


app.command()(analyze)
app.command("list")(list_systems)
app.command()(info)
app.command()(simulate)
app.command("periodic-orbits")(periodic_orbits_cmd)
app.command()(bifurcation)
app.command()(basins)

catalog_app = typer.Typer(no_args_is_help=True, help="Maintain the catalog: annotate invariants, write the doc page.")
catalog_app.command("annotate")(catalog_annotate)
catalog_app.command("doc")(catalog_doc)
app.add_typer(catalog_app, name="catalog")
