"""What every command shares: consoles, the error exit, process setup, option types, argument parsing.

Every command runs through `command`, which is the command line's one error handler: an error
of dynstab's own or of the user's input (``ValueError``, ``TypeError``, ``KeyError``, ``OSError``,
``FloatingPointError``, dynstab's exception types) becomes one ``error: ...`` line on stderr and
exit status 2; any other exception becomes one line with a hint to rerun with ``--debug`` (or
``DYNSTAB_DEBUG=1``) for the traceback. Python warnings are printed as one ``warning: ...`` line
each. Commands that write check their destination with `check_output` before computing.

Nothing here imports JAX, NumPy or matplotlib at module level, so ``dynstab --help`` stays fast;
each command imports what it needs when it runs.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from ..systems import System

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

ParamOpt = Annotated[
    list[str] | None, typer.Option("--param", "-p", help="Override a parameter, NAME=VALUE (repeatable).")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", hidden=True, help="The former name of --param in `bifurcation` (kept for old scripts)."),
]
OutOpt = Annotated[Path, typer.Option(help="Folder for the figures.")]
FiguresOpt = Annotated[bool, typer.Option(help="Write figures.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the results as JSON on stdout.")]


def fail_line(message: str) -> None:
    """Print ``error: message`` as one line on stderr (`fail` also exits).

    Parameters
    ----------
    message : str
        What is wrong and, where possible, how to fix it (joined into one line).
    """
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/] {escape(_one_line(message))}", soft_wrap=True)


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit with status 2.

    Parameters
    ----------
    message : str
        One line saying what is wrong and, where possible, how to fix it.
    """
    fail_line(message)
    raise typer.Exit(code=2)


def interrupted(message: str) -> NoReturn:
    """After Ctrl-C: print ``interrupted: message`` (what finished, what did not) on one line of
    stderr and exit with status 130, the shell's code for a SIGINT.

    Parameters
    ----------
    message : str
        What finished and where it is, and what did not run.
    """
    from rich.markup import escape

    err_console.print(f"[yellow]interrupted:[/] {escape(_one_line(message))}", soft_wrap=True)
    raise typer.Exit(code=130)


DEBUG_ENV = "DYNSTAB_DEBUG"
_debug = False


def set_debug(on: bool) -> None:
    """Let unexpected exceptions propagate with their traceback (``dynstab --debug``)."""
    global _debug
    _debug = on


def debugging() -> bool:
    """Whether ``--debug`` was given or ``DYNSTAB_DEBUG`` is set to a true value."""
    return _debug or os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _one_line(text: str) -> str:
    """``text`` on one line: its lines joined with ``; `` (tracebacks never reach here)."""
    return "; ".join(part.strip() for part in str(text).splitlines() if part.strip()) or "(no message)"


def _os_error_text(exc: OSError) -> str:
    """``Permission denied: '/x/y'``: the reason and the file, without ``[Errno 13]``."""
    reason = exc.strerror or str(exc)
    return f"{reason}: {exc.filename}" if exc.filename else reason


def error_message(exc: BaseException) -> str | None:
    """The ``error:`` line of an expected exception (the user's input, a file, dynstab's own
    errors), or ``None`` for an unexpected one (a bug, shown with a hint to rerun with --debug).

    Parameters
    ----------
    exc : BaseException
        The exception a command raised.
    """
    if isinstance(exc, OSError):
        return f"{_os_error_text(exc)} (check the path and its permissions)"
    if isinstance(exc, KeyError):
        return str(exc.args[0]) if exc.args else "unknown key"
    if isinstance(exc, MemoryError):
        return "out of memory; ask for a smaller run (shorter span, larger --dt, fewer points)"
    if isinstance(exc, ImportError):
        return f"{exc}; install the missing package"
    if isinstance(exc, ValueError | TypeError | FloatingPointError) or type(exc).__module__.startswith("dynstab"):
        return str(exc)
    return None


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    """`warnings.showwarning` of the command line: one ``warning: ...`` line, no source path."""
    from rich.markup import escape

    name = getattr(category, "__name__", "Warning")
    suffix = "" if name in ("UserWarning", "Warning") else f" ({name})"
    err_console.print(f"[yellow]warning:[/] {escape(_one_line(str(message)))}{suffix}", soft_wrap=True)


class _OneLineLogHandler(logging.Handler):
    """Log records of dynstab and JAX at WARNING and above as one ``warning:`` line (no logger name, no path)."""

    def emit(self, record: logging.LogRecord) -> None:
        from rich.markup import escape

        try:
            text = _one_line(record.getMessage())
        except Exception:  # noqa: BLE001 - a malformed log call must not end the command
            text = _one_line(str(record.msg))
        level = "warning" if record.levelno < logging.ERROR else "error"
        colour = "yellow" if level == "warning" else "red"
        err_console.print(f"[{colour}]{level}:[/] {escape(text)}", soft_wrap=True)


_LOGGERS = ("dynstab", "jax", "absl")


@contextlib.contextmanager
def readable_warnings() -> Iterator[None]:
    """Within the block, Python warnings and the log warnings of dynstab and JAX are each one
    readable ``warning: ...`` line on stderr, without the source path and line of the raw formats.

    Every command runs inside it (`command`), imports of the numerical modules included, since
    commands import them when they run.
    """
    handler = _OneLineLogHandler(logging.WARNING)
    saved = []
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate))
        logger.addHandler(handler)
        logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            yield
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate


def _run_guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a command: the command line's one error handler (see the module docstring)."""
    import click

    try:
        with readable_warnings():
            return fn(*args, **kwargs)
    except (typer.Exit, typer.Abort, click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
        raise
    except KeyboardInterrupt:
        interrupted("stopped before the command finished; nothing more was written")
    except Exception as exc:
        if debugging():
            raise
        message = error_message(exc)
        if message is None:
            message = (
                f"unexpected {type(exc).__name__}: {_one_line(str(exc))} "
                f"(rerun with --debug or {DEBUG_ENV}=1 for the traceback, and report it)"
            )
        fail(message)


_configured = False


def _configure_process() -> None:
    """The command line's process settings (once): small-loop threshold and compilation cache."""
    global _configured
    if _configured:
        return
    from .._config import ConfigError, configure_cli_process
    from ..limits import max_memory_bytes

    cache = os.environ.get("DYNSTAB_CACHE_DIR", "").strip()
    if cache and Path(cache).expanduser().exists() and not Path(cache).expanduser().is_dir():
        fail(
            f"DYNSTAB_CACHE_DIR={cache!r} is a file, not a folder; point it at a folder, or set it empty to disable the cache"
        )
    try:
        configure_cli_process()
        max_memory_bytes()
    except ConfigError as exc:
        fail(str(exc))
    _configured = True


def check_output(path: Path, option: str = "--out", *, folder: bool) -> None:
    """Check, before any work, that ``path`` can be written; a command error otherwise.

    A missing folder is created when the command writes; what must hold now is that the
    nearest existing folder above it is a folder and writable (tried with a temporary file,
    which also catches read-only file systems), and that ``path`` is not a file where a
    folder is wanted, or a folder where a file is wanted.

    Parameters
    ----------
    path : pathlib.Path
        The folder (``folder=True``) or file to be written.
    option : str
        The option that named it, for the message.
    folder : bool
        Whether ``path`` is a folder (figures) or a file.
    """
    import tempfile

    if folder and path.exists() and not path.is_dir():
        fail(f"{option} {path}: a file exists there, and the figures need a folder; choose another {option}")
    if not folder and path.is_dir():
        fail(f"{option} {path} is a folder; give a file name, e.g. {option} {path / 'out.nc'}")
    base = path if folder else path.parent
    base = base.absolute()
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        fail(f"{option} {path}: {base} is a file, not a folder; choose another {option}")
    try:
        with tempfile.TemporaryFile(dir=base):
            pass
    except OSError as exc:
        fail(f"{option} {path}: cannot write in {base} ({exc.strerror or exc}); choose a writable folder for {option}")


class ProgressCallback:
    """The ``progress(done, total)`` callback of `progress_bar`, with `step` to start a new step.

    Calling it sets the bar to ``done`` of ``total``; ``step(text)`` names the next step and
    empties the bar (a step that reports no progress shows a pulsing bar), so one bar serves a
    report whose steps each count from 0 (``dynstab.report.analyze``'s ``on_step`` and ``progress``).
    """

    def __init__(self, bar: Any = None, task: Any = None) -> None:
        self._bar, self._task = bar, task

    def __call__(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)

    def step(self, description: str) -> None:
        """Show ``description`` before the bar and start it again from 0 (total unknown until reported).

        Parameters
        ----------
        description : str
            The step now running.
        """
        if self._bar is not None:
            self._bar.reset(self._task, total=None, description=description)


@contextlib.contextmanager
def progress_bar(description: str, *, quiet: bool = False) -> Iterator[ProgressCallback]:
    """A progress bar on stderr for a long library call; yields its ``progress(done, total)`` callback.

    This is the command line's side of the library's progress interface: long computations
    accept ``progress: Callable[[int, int], None] | None`` and call it with the work done and
    the total (in any unit: chunks, starts, grid rows) between compiled pieces of work. The bar
    shows the fraction, elapsed and remaining time; with ``quiet`` (``--json``), or when stderr is
    not a terminal (a log file, a pipe), nothing is shown. The callback's ``step(text)`` renames
    the bar and restarts it, for a computation of several steps (`ProgressCallback`).

    Parameters
    ----------
    description : str
        What is being computed, shown before the bar.
    quiet : bool
        Show nothing (the callback still accepts calls).
    """
    if quiet or not err_console.is_terminal:  # no bar in logs and pipes
        yield ProgressCallback()
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, TimeRemainingColumn(), console=err_console, transient=True) as bar:
        yield ProgressCallback(bar, bar.add_task(description, total=None))


def figures_or_error(write: Callable[[], T], out: Path) -> tuple[T | None, str | None]:
    """Run ``write`` (which writes figures into ``out``); an `OSError` becomes a message instead.

    The command prints its results first and then fails with the message, so a result is
    never lost because a figure could not be written.

    Returns
    -------
    (value, message)
        ``write()``'s value and ``None``, or ``None`` and the one-line error.
    """
    try:
        return write(), None
    except OSError as exc:
        return None, (
            f"figures not written to {out}: {_os_error_text(exc)}; "
            "the results were printed; choose a writable --out or pass --no-figures"
        )


def command(fn: F) -> F:
    """Decorator for a command: configure the process, then run the command in float64, under
    the command line's one error handler (an error is one ``error:`` line and exit status 2).

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
        return _run_guarded(_configured_run, *args, **kwargs)

    def _configured_run(*args: Any, **kwargs: Any) -> Any:
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


MAX_RANGE = 1000  # the largest value an N-M option may ask for (so at most 1000 computations, none unbounded)


def parse_range(text: str, what: str) -> list[int]:
    """``"3"`` as ``[3]`` and ``"1-4"`` as ``[1, 2, 3, 4]``; positive integers up to `MAX_RANGE`.

    Parameters
    ----------
    text : str
        ``N`` or ``N-M``.
    what : str
        The option's name, for the error message.
    """
    lo, sep, hi = text.partition("-")
    try:
        first, last = (int(lo), int(hi)) if sep else (int(lo), int(lo))
    except ValueError:
        fail(f"{what} expects N or N-M, got {text!r}")
    if first < 1 or last < first:
        fail(f"{what} must be a positive N or a range N-M with N <= M, got {text!r}")
    if last > MAX_RANGE:
        fail(
            f"{what} {text}: values up to {MAX_RANGE} only (each value is a separate computation whose cost "
            "grows with it); ask for smaller values"
        )
    return list(range(first, last + 1))


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


def write_output(write: Callable[[Path], T], path: Path) -> T:
    """``write(path)`` after creating ``path``'s folder; Ctrl-C while writing is one ``interrupted:`` line.

    ``write`` is one of dynstab's atomic writers (a temporary file renamed when complete), so an
    interrupted write leaves no partial file, which the line says.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return write(path)
    except KeyboardInterrupt:
        interrupted(f"while writing; {path} was left as it was (no partial file)")


def preload_matplotlib() -> threading.Thread:
    """Import matplotlib (Agg) and pyplot in a background thread while the computation runs.

    The import takes 0.3-0.7 s of a warm ``dynstab analyze``; the computation spends most of its time
    in XLA, outside the GIL, which leaves a second core free for it. The figures' own import then finds
    the modules loaded (or waits for the thread's import to finish). Not a daemon: the process never
    exits in the middle of an import.
    """

    def load() -> None:
        with contextlib.suppress(Exception):  # the figures' own import reports any problem
            headless_matplotlib()
            import matplotlib.pyplot  # noqa: F401

    thread = threading.Thread(target=load, name="dynstab-preload-matplotlib")
    thread.start()
    return thread


def headless_matplotlib() -> None:
    """Select matplotlib's file-only Agg backend unless pyplot is already in use (the command
    writes figures to files and never opens a window)."""
    import sys

    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")


def save_figure(fig: Any, path: Path, quiet: bool) -> str:
    """Write ``fig`` to ``path`` (creating its folder), close it, and say so unless ``quiet``.

    The file's name goes through `safe_name` (ASCII letters, digits, ``.``, ``-``, ``_``), so a
    name built from a system or parameter name never holds spaces, brackets or non-ASCII letters.

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

    path = path.with_name(safe_name(path.stem, suffix=path.suffix))

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    if not quiet:
        console.print(f"figure: {path}")
    return str(path)


def safe_name(*parts: Any, suffix: str = "") -> str:
    """A portable file name from ``parts``: ASCII letters, digits, ``.``, ``-`` and ``_`` only.

    Each part goes through `dynstab.plotting.safe_name` (transliterated to ASCII, ``Rössler`` ->
    ``Rossler``, ``λ`` dropped; every run of other characters, spaces, brackets, ``=``, ``/``,
    commas, becomes one ``_``), the non-empty parts are joined with ``_``, and ``suffix`` (e.g.
    ``".png"``) is appended. Use it for every file a
    command writes, so names work in any shell, file system and URL.

    Parameters
    ----------
    *parts : object
        Pieces of the name (system name, what the figure shows, a period ...), converted with ``str``.
    suffix : str
        The extension, with its dot.

    Examples
    --------
    >>> safe_name("Rössler (c=9)", "period 3", suffix=".png")
    'Rossler_c_9_period_3.png'
    """
    from ..plotting import safe_name as one_part  # the one rule for file names (plotting cannot import cli)

    cleaned = [one_part(part, default="") for part in parts]
    return ("_".join(c for c in cleaned if c) or "figure") + suffix


def progress_kwarg(fn: Callable[..., Any], progress: Callable[[int, int], None]) -> dict[str, Any]:
    """``{"progress": progress}`` when the library function ``fn`` accepts ``progress=``, else ``{}``.

    Commands pass the callback of `progress_bar` this way, so a command shows a bar for every
    library call that reports progress and still runs against one that does not (yet).

    Parameters
    ----------
    fn : callable
        The library function (or class) to be called.
    progress : callable
        The ``progress(done, total)`` callback.
    """
    import inspect

    try:
        accepts = "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a builtin or a callable without a signature
        accepts = False
    return {"progress": progress} if accepts else {}
