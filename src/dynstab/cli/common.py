"""What every command shares: consoles, the error exit, process setup, option types, argument parsing.

Nothing here imports JAX, NumPy or matplotlib at module level, so ``dynstab --help`` stays fast;
each command imports what it needs when it runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from ..systems import System

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

ParamOpt = Annotated[
    list[str] | None, typer.Option("--param", "-p", help="Override a parameter, NAME=VALUE (repeatable).")
]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="Fix another parameter, NAME=VALUE (repeatable).")]
OutOpt = Annotated[Path, typer.Option(help="Folder for the figures.")]
FiguresOpt = Annotated[bool, typer.Option(help="Write figures.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the results as JSON on stdout.")]


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit with status 2.

    Parameters
    ----------
    message : str
        One line saying what is wrong and, where possible, how to fix it.
    """
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=2)


_configured = False


def _configure_process() -> None:
    """The command line's process settings (once): small-loop threshold and compilation cache."""
    global _configured
    if _configured:
        return
    from .._config import ConfigError, configure_cli_process

    try:
        configure_cli_process()
    except ConfigError as exc:
        fail(str(exc))
    _configured = True


def command(fn: F) -> F:
    """Decorator for a command: configure the process, then run the command in float64.

    float64 is enabled with `dynstab._precision.float64_scope` for the duration of the
    command only, so a command invoked in-process (tests, ``typer.testing.CliRunner``) leaves
    the caller's JAX settings as they were.

    Parameters
    ----------
    fn : callable
        The command function; its signature (the options) is kept for typer.
    """

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        _configure_process()
        from .._precision import float64_scope

        with float64_scope():
            return fn(*args, **kwargs)

    return run  # type: ignore[return-value]


def parse_params(items: list[str] | None) -> dict[str, float]:
    """``["rho=30", ...]`` as ``{"rho": 30.0, ...}``; a malformed item is a command error.

    Parameters
    ----------
    items : list of str or None
        The ``NAME=VALUE`` strings given on the command line.
    """
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--param expects NAME=VALUE, got {item!r}")
        try:
            params[key.strip()] = float(value)
        except ValueError:
            fail(f"--param {key}: {value!r} is not a number")
    return params


def load_system(name: str, params: list[str] | None) -> System:
    """The catalog system ``name`` with parameter overrides; an unknown name is a command error.

    Parameters
    ----------
    name : str
        Catalog name or alias (close matches are suggested when it is unknown).
    params : list of str or None
        ``NAME=VALUE`` overrides.
    """
    from .. import systems

    try:
        return systems.get(name, **parse_params(params))
    except KeyError as exc:
        fail(exc.args[0] if exc.args else str(exc))
    except (ValueError, TypeError) as exc:
        fail(str(exc))


def parse_range(text: str, what: str) -> list[int]:
    """``"3"`` as ``[3]`` and ``"1-4"`` as ``[1, 2, 3, 4]``; only positive integers.

    Parameters
    ----------
    text : str
        ``N`` or ``N-M``.
    what : str
        The option's name, for the error message.
    """
    lo, sep, hi = text.partition("-")
    try:
        values = list(range(int(lo), int(hi) + 1)) if sep else [int(lo)]
    except ValueError:
        fail(f"{what} expects N or N-M, got {text!r}")
    if not values or values[0] < 1:
        fail(f"{what} must be positive, got {text!r}")
    return values


def parse_plane(flow: System, text: str) -> tuple[str, float]:
    """A Poincare plane ``VARIABLE=VALUE`` of ``flow`` as ``(variable, value)``.

    Parameters
    ----------
    flow : System
        The flow whose variable names are allowed.
    text : str
        ``VARIABLE=VALUE``, e.g. ``z=27``.
    """
    name, sep, value = text.partition("=")
    if not sep:
        fail(f"--plane expects VARIABLE=VALUE (e.g. z=27), got {text!r}")
    name = name.strip()
    if name not in flow.names:
        fail(f"--plane: {flow.name} has no variable {name!r} (variables: {', '.join(flow.names)})")
    try:
        return (name, float(value))
    except ValueError:
        fail(f"--plane: {value!r} is not a number")


def variable_index(s: System, var: str | None) -> int:
    """Index of variable ``var`` of ``s`` (the first when ``None``).

    Parameters
    ----------
    s : System
        The system.
    var : str or None
        A variable name.
    """
    if var is None:
        return 0
    if var not in s.names:
        fail(f"{s.name} has no variable {var!r} (variables: {', '.join(s.names)})")
    return s.names.index(var)


def headless_matplotlib() -> None:
    """Select matplotlib's file-only Agg backend unless pyplot is already in use (the command
    writes figures to files and never opens a window)."""
    import sys

    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def save_figure(fig: Any, path: Path, quiet: bool) -> str:
    """Write ``fig`` to ``path`` (creating its folder), close it, and say so unless ``quiet``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : pathlib.Path
        PNG file to write.
    quiet : bool
        Do not print ``figure: path`` (JSON output).

    Returns
    -------
    str
        The path written.
    """
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    if not quiet:
        console.print(f"figure: {path}")
    return str(path)
