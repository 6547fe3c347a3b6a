"""The ``dynstab`` command line: analyze, list, info, simulate, periodic-orbits, bifurcation, basins, catalog,
model, bench.

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

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer import rich_utils
from typer.core import TyperGroup

from .analyze import analyze
from .basins import basins
from .bench import bench_app
from .catalog import catalog_annotate, catalog_doc, info, list_systems
from .common import fail_line, interrupted, set_debug
from .model import model_app
from .orbits import bifurcation, periodic_orbits_cmd
from .phonons import phonons
from .simulate import simulate

__all__ = ["app"]


class _OneLineErrors(TyperGroup):
    """The ``dynstab`` group: a usage error (a value that does not parse, a missing or unknown
    option, an unknown command) is one ``error: ...`` line with the command and a pointer to its
    ``--help``, and exit status 2, like the errors the commands raise (`common.command`)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; in standalone mode turn click's usage errors into one line."""

        def run() -> Any:
            return super(_OneLineErrors, self).main(
                args, prog_name, complete_var, False, windows_expand_args=windows_expand_args, **extra
            )

        if not standalone_mode:
            return run()
        try:
            code = run()
        except typer.TyperException as exc:  # click's usage errors, as vendored by typer
            if type(exc).__name__ == "NoArgsIsHelpError" or not hasattr(exc, "format_message"):
                rich_utils.rich_format_error(exc)  # type: ignore[arg-type]  # ``dynstab`` alone: the help
                sys.exit(getattr(exc, "exit_code", 2))
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "dynstab"
            fail_line(f"{where}: {exc.format_message()} (see {where} --help)")
            sys.exit(getattr(exc, "exit_code", 2))
        except typer.Abort:
            interrupted("stopped before the command started")
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
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
app.command("phonons")(phonons)

catalog_app = typer.Typer(no_args_is_help=True, help="Maintain the catalog: annotate invariants, write the doc page.")
catalog_app.command("annotate")(catalog_annotate)
catalog_app.command("doc")(catalog_doc)
app.add_typer(catalog_app, name="catalog")
app.add_typer(model_app, name="model")
app.add_typer(bench_app, name="bench")
