"""``dynstab analyze``: the report of a catalog system, or the diagnosis of a measured series."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    FiguresOpt,
    JsonOpt,
    OutOpt,
    ParamOpt,
    ProgressCallback,
    check_output,
    command,
    console,
    err_console,
    fail,
    figures_or_error,
    headless_matplotlib,
    load_system,
    preload_matplotlib,
    progress_bar,
    progress_kwarg,
)

_DATA_SUFFIXES = (".csv", ".txt", ".tsv", ".dat", ".npy", ".nc", ".nc4", ".h5", ".netcdf")


@command
def analyze(
    system: Annotated[
        str,
        typer.Argument(
            help="Catalog name (see `dynstab list`), or a data file (.csv, .npy, .nc) to diagnose a measured series."
        ),
    ] = "lorenz",
    param: ParamOpt = None,
    column: Annotated[str | None, typer.Option(help="Data file: the column (name or index) to analyse.")] = None,
    dt: Annotated[
        float | None, typer.Option("--dt", help="Data file: sampling step (default: from a time column, else 1).")
    ] = None,
    t: Annotated[
        float | None, typer.Option("--t", help="Length of the Lyapunov run (time units; iterations for maps).")
    ] = None,
    n_ics: Annotated[int, typer.Option(help="Initial conditions for the exponents' spread.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 0,
    out: OutOpt = Path("dynstab-report"),
    figures: FiguresOpt = True,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also write a self-contained HTML report (figures inline, no external files) into this folder.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fixed points, Lyapunov spectrum, dimension and a verdict for one system; or, given a data
    file, the diagnosis of a measured series (embedding, exponent, dimension, RQA, entropy, 0-1 test,
    surrogates)."""
    if _is_data_file(system):
        return _analyze_data(Path(system), column, dt, seed, out, figures, html, as_json)
    if column is not None or dt is not None:
        fail(f"--column and --dt apply to data files; {system!r} is not a file")
    sys_ = load_system(system, param)
    if figures:
        check_output(out, folder=True)
    if html is not None:
        check_output(html, "--html", folder=True)
    if figures or html is not None:
        preload_matplotlib()
    from ..plotting import save_report_figures
    from ..report import analyze as run_analysis
    from .render import print_report

    settings = {"system": sys_.name, "--param": " ".join(param or []) or None, "--t": t, "--n-ics": n_ics}
    settings["--seed"] = seed

    def page(report: Any) -> str:
        from ..html_report import system_report_html

        return system_report_html(report, settings=settings)

    _run_report(
        sys_.name,
        lambda on_step, progress: run_analysis(
            sys_, t=t, n_ics=n_ics, seed=seed, on_step=on_step, **progress_kwarg(run_analysis, progress)
        ),
        (ValueError, FloatingPointError, RuntimeError),
        figures=figures,
        save=save_report_figures,
        partial_figures=False,
        out=out,
        as_json=as_json,
        render=print_report,
        html=None if html is None else (html, f"{sys_.name}_report", page),
    )


def _is_data_file(arg: str) -> bool:
    return Path(arg).suffix.lower() in _DATA_SUFFIXES or Path(arg).is_file()


def _exit_if_interrupted(report: Any) -> None:
    if report.interrupted:
        err_console.print("[yellow]interrupted: the steps above finished; the rest did not run[/]")
        raise typer.Exit(code=130)


def _analyze_data(
    path: Path,
    column: str | None,
    dt: float | None,
    seed: int,
    out: Path,
    figures: bool,
    html: Path | None,
    as_json: bool,
) -> None:
    """The data report: ``--dt`` overrides the file's time column (the loader skips it), and the
    loader's note (no time column: dt = 1 sample assumed) goes into the JSON, the table and the page."""
    from ..timeseries.io import load_series
    from ..timeseries.report import analyze_series
    from .render import print_series_report

    if path.is_file() and path.stat().st_size == 0:
        fail(f"{path} is empty; give a file that holds a time series (.csv, .npy or .nc)")
    if figures:
        check_output(out, folder=True)
    if html is not None:
        check_output(html, "--html", folder=True)
    try:
        loaded = load_series(path, column, dt=dt)
    except (ValueError, TypeError, KeyError, OSError, UnicodeDecodeError, EOFError) as exc:
        text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        if path.name not in text:
            text = f"{path}: cannot read it ({text}); check that it is a {path.suffix or 'data'} file holding a series"
        fail(text)
    step = loaded.dt if loaded.dt is not None else 1.0
    note = loaded.note
    from ..plotting import save_series_figures

    settings = {"file": str(path), "--column": column, "--dt": dt, "dt used": step, "--seed": seed}

    def page(report: Any) -> str:
        from ..html_report import series_report_html

        return series_report_html(report, note=note, settings=settings)

    _run_report(
        loaded.name,
        lambda on_step, progress: analyze_series(
            loaded.x, step, name=loaded.name, seed=seed, on_step=on_step, **progress_kwarg(analyze_series, progress)
        ),
        (ValueError,),
        figures=figures,
        save=lambda report, folder: save_series_figures(report, folder, "samples" if note else "time units"),
        partial_figures=True,
        out=out,
        as_json=as_json,
        render=lambda report: print_series_report(report, loaded.dt is None, note=note),
        extra={"note": note} if note else None,
        html=None if html is None else (html, f"{path.stem}_{loaded.name}_report", page),
    )


def _run_report(
    label: str,
    run: Callable[[Callable[[str], None], ProgressCallback], Any],
    errors: tuple[type[BaseException], ...],
    *,
    figures: bool,
    save: Callable[[Any, Path], list[str]],
    partial_figures: bool,
    out: Path,
    as_json: bool,
    render: Callable[[Any], None],
    extra: dict[str, Any] | None = None,
    html: tuple[Path, str, Callable[[Any], str]] | None = None,
) -> None:
    """Run a report under a progress bar, write its figures and HTML page, print it (JSON or tables), in that order.

    A figure or page that cannot be written is reported after the result, which is never lost; an
    interrupted report prints what finished (and, unless ``partial_figures``, writes no figures)
    and exits 130. ``extra`` is added to the JSON; ``html`` is (folder, file stem, page maker).
    ``run(on_step, progress)`` announces each step with ``on_step`` and reports the running step's
    progress with ``progress(done, total)`` (each step counts from 0): one bar, renamed per step.
    """
    with progress_bar(f"[bold]{label}[/]: starting", quiet=as_json) as bar:
        try:
            report = run(lambda name: bar.step(f"[bold]{label}[/]: {name}"), bar)
        except errors as exc:
            fail(str(exc))
        page_path, figure_error = _write_outputs(report, label, bar, figures, save, partial_figures, out, html)
    _print_report(report, page_path, figure_error, as_json, extra, render)  # after the bar is gone


def _write_outputs(
    report: Any,
    label: str,
    bar: ProgressCallback,
    figures: bool,
    save: Callable[[Any, Path], list[str]],
    partial_figures: bool,
    out: Path,
    html: tuple[Path, str, Callable[[Any], str]] | None,
) -> tuple[Path | None, str | None]:
    """Figures and HTML page of `_run_report` (under its bar): the page's path and the first write error."""
    figure_error = None
    if figures and (partial_figures or not report.interrupted):
        headless_matplotlib()
        written, figure_error = figures_or_error(lambda: save(report, out), out)
        if written is not None:
            report.figures = written
    page_path = None
    if html is not None and (partial_figures or not report.interrupted):
        from ..html_report import write_html

        bar.step(f"[bold]{label}[/]: HTML report")
        headless_matplotlib()
        folder, stem, make_page = html
        page_path, html_error = figures_or_error(lambda: write_html(make_page(report), folder, stem), folder)
        figure_error = figure_error or (
            html_error and html_error.replace("figures not written", "HTML report not written")
        )
    return page_path, figure_error


def _print_report(
    report: Any,
    page_path: Path | None,
    figure_error: str | None,
    as_json: bool,
    extra: dict[str, Any] | None,
    render: Callable[[Any], None],
) -> None:
    """Print the report (JSON or tables) and the page's path; exit 130 if interrupted, 2 if a file failed."""
    if as_json:
        data = report.to_dict() | (extra or {})
        if page_path is not None:
            data["html"] = str(page_path)
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        render(report)
        if page_path is not None:
            console.print(f"report: {page_path}")
    _exit_if_interrupted(report)
    if figure_error:
        fail(figure_error)
