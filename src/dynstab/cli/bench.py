"""``dynstab bench``: the forecasting benchmark (run, status, leaderboard, report, presets).

``run`` checks every name (preset, systems, models) before any work, builds or reuses the
preset's frozen dataset, runs the tasks on Dask (`dynstab.bench.runner.run_benchmark`) with a
live display of done / failed / running / ETA, and prints the leaderboard. The other commands
read a results store: ``--store PATH`` (or a database URL), or the default store of a preset's
dataset (``--preset NAME``, looked up in ``--root``, default the datasets folder
`dynstab.bench.datasets.default_root`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import JsonOpt, check_output, command, console, err_console, fail, interrupted

if TYPE_CHECKING:
    import pandas as pd

LOG_EVERY_S = 60.0
"""Seconds between the progress lines of ``bench run`` when stderr is a log file or a pipe."""

bench_app = typer.Typer(no_args_is_help=True, help="The forecasting benchmark: run, status, leaderboard, report.")

PresetOpt = Annotated[
    str, typer.Option("--preset", help="A built-in preset (quick, dysts2023, lyapunov30) or a TOML file.")
]
StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="Results store: an SQLite file or a database URL (default: next to the dataset)."),
]
RootOpt = Annotated[
    Path | None, typer.Option("--root", help="Folder of the datasets (default: $DYNSTAB_BENCH_DIR or the user cache).")
]
MetricsOpt = Annotated[
    str, typer.Option("--metrics", help="Leaderboard metrics, comma-separated (e.g. vpt,smape@1,d_stsp).")
]
BootOpt = Annotated[int, typer.Option("--n-boot", help="Bootstrap resamples of the systems for the CIs.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")]


def _names(text: str | None, option: str) -> list[str] | None:
    """``"a, b"`` as ``["a", "b"]``; None for None; an option that names nothing is an error."""
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        fail(f"{option} names nothing; give comma-separated names, e.g. {option} lorenz,rossler")
    return names


def _metrics(text: str) -> list[str]:
    from ..bench.leaderboard import direction

    names = _names(text, "--metrics") or []
    for m in names:
        direction(m)  # a ValueError naming the rankable metrics
    return names


# --- the store of a command ---------------------------------------------------------------------
def _open_store(store: str | None, preset: str, root: Path | None) -> Any:
    """The store named by ``--store``, else the newest default store of ``--preset``'s datasets in ``root``."""
    from ..bench.store import ResultStore

    if store is not None:
        if "://" not in store and not Path(store).expanduser().is_file():
            fail(f"--store {store}: no such results store; run `dynstab bench run --store {store}` first")
        return ResultStore(store, create=False)
    found = _preset_stores(preset, root)
    if not found:
        from ..bench.datasets import default_root

        where = default_root() if root is None else root
        fail(
            f"no results of preset {preset!r} in {where}; run `dynstab bench run --preset {preset}` first, "
            "or name a store with --store"
        )
    return ResultStore(found[-1], create=False)


def _preset_stores(preset: str, root: Path | None) -> list[Path]:
    """The default stores of ``preset``'s dataset files in ``root`` that exist, oldest first."""
    from ..bench.datasets import default_root
    from ..bench.presets import get_preset
    from ..bench.store import default_store_path

    spec = get_preset(preset)
    folder = default_root() if root is None else root.expanduser()
    stores = [default_store_path(p) for p in folder.glob(f"{spec.name}-*.nc")]
    return sorted((s for s in stores if s.is_file()), key=lambda s: s.stat().st_mtime)


def _frame(store: Any) -> pd.DataFrame:
    frame = store.frame()
    if frame.empty:
        fail(f"the store {store.location} holds no results yet; run the benchmark first (dynstab bench run)")
    return frame


# --- rendering ----------------------------------------------------------------------------------
def _fmt(v: Any, digits: int = 3) -> str:
    import math

    v = float(v)
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{digits}g}"


def print_leaderboard(board: pd.DataFrame, metrics: list[str], title: str) -> None:
    """The leaderboard as a rich table: per metric the median [IQR], the CI and the mean rank.

    On a terminal narrower than the whole table, the CI and training-time columns are left out
    (``dynstab bench leaderboard --json`` has every column).

    Parameters
    ----------
    board : pandas.DataFrame
        `dynstab.bench.leaderboard.leaderboard`'s frame.
    metrics : list of str
        Its metrics.
    title : str
        The table's title.
    """
    from rich.table import Table
    from rich.text import Text

    name_width = max([5, *(len(str(m)) for m in board.index)])
    wide = console.width >= name_width + 30 + 34 * len(metrics)
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("model", no_wrap=True, min_width=name_width)
    table.add_column("ok/failed", justify="right")
    for m in metrics:
        table.add_column(f"{m}\nmedian [IQR]", justify="right")
        if wide:
            table.add_column("95% CI", justify="right")
        table.add_column("rank", justify="right")
    timed = wide and "train_seconds" in board.columns
    if timed:
        table.add_column("train s", justify="right")
    for pos, (model, r) in enumerate(board.iterrows(), start=1):
        cells = [str(pos), str(model), f"{int(r['n_ok'])}/{int(r['n_failed'])}"]
        for m in metrics:
            cells.append(f"{_fmt(r[f'{m}_median'])} [{_fmt(r[f'{m}_iqr'], 2)}]")
            if wide:
                cells.append(f"{_fmt(r[f'{m}_ci_low'])}-{_fmt(r[f'{m}_ci_high'])}")
            cells.append(f"{float(r[f'{m}_rank']):.2f}")
        if timed:
            cells.append(_fmt(r["train_seconds"], 2))
        table.add_row(*(Text(c) for c in cells))  # Text: "[2.5]" is not markup
    console.print(table)
    if not wide:
        console.print("(95% CIs and training times: a wider terminal or --json)", style="dim")


def markdown_table(board: pd.DataFrame, metrics: list[str]) -> str:
    """The leaderboard as a GitHub Markdown table: per metric median [IQR] (95 % CI) and mean rank.

    Parameters
    ----------
    board : pandas.DataFrame
        `dynstab.bench.leaderboard.leaderboard`'s frame.
    metrics : list of str
        Its metrics.
    """
    head = ["model", "ok/failed", *(f"{m}: median [IQR] (95% CI), rank" for m in metrics), "train s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for model, r in board.iterrows():
        cells = [str(model), f"{int(r['n_ok'])}/{int(r['n_failed'])}"]
        for m in metrics:
            cells.append(
                f"{_fmt(r[f'{m}_median'])} [{_fmt(r[f'{m}_iqr'], 2)}] "
                f"({_fmt(r[f'{m}_ci_low'])}-{_fmt(r[f'{m}_ci_high'])}), {float(r[f'{m}_rank']):.2f}"
            )
        cells.append(_fmt(r["train_seconds"], 2) if "train_seconds" in board.columns else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@contextlib.contextmanager
def _run_display(quiet: bool) -> Iterator[Any]:
    """A live line on stderr: done / failed / running of the total, elapsed and ETA; yields the callback.

    Where stderr is not a terminal (a log file of a long run), a plain line every `LOG_EVERY_S`
    seconds instead; with ``quiet`` nothing.
    """
    import math

    def counts(p: Any) -> tuple[str, str]:
        eta = "-" if math.isnan(p.eta) else f"{p.eta:.0f} s"
        return f"{p.done} done, {p.failed} failed, {p.running} running of {p.total}", eta

    if quiet:
        yield None
        return
    if not err_console.is_terminal:
        last = [-math.inf]

        def log(p: Any) -> None:
            if p.elapsed - last[0] >= LOG_EVERY_S or (p.total and p.finished == p.total):
                last[0] = p.elapsed
                text, eta = counts(p)
                err_console.print(f"benchmark: {text}; {p.elapsed:.0f} s, ETA {eta}", soft_wrap=True)

        yield log
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        TextColumn("ETA {task.fields[eta]}"),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("benchmark", total=None, counts="starting the workers", eta="-")

        def show(p: Any) -> None:
            text, eta = counts(p)
            bar.update(task, completed=p.finished, total=max(p.total, 1), counts=text, eta=eta)

        yield show


# --- commands -----------------------------------------------------------------------------------
@command
def run(
    preset: PresetOpt = "quick",
    models: Annotated[
        str | None, typer.Option("--models", help="Models, comma-separated (default: the preset's).")
    ] = None,
    systems: Annotated[
        str | None,
        typer.Option(
            "--systems",
            help="A subset of the preset's systems, comma-separated (only these are generated when the preset's "
            "full dataset was not built before).",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Worker processes (default: one per core).", min=1)
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of a running Dask scheduler (tcp://host:port).")
    ] = None,
    store: StoreOpt = None,
    resume: Annotated[bool, typer.Option("--resume/--no-resume", help="Skip the tasks already stored.")] = True,
    root: RootOpt = None,
    metrics: MetricsOpt = "vpt,smape@1,d_stsp",
    fast: Annotated[
        bool, typer.Option("--fast", help="Only the models that train in under about 5 s per system (not slow).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress display.")] = False,
) -> None:
    """Run a benchmark preset (every system x model x trajectory) and print the leaderboard."""
    from ..bench.models import MODELS
    from ..bench.presets import check_names, get_preset

    spec = get_preset(preset)
    model_names = _names(models, "--models")
    system_names = _names(systems, "--systems")
    chosen, _ = check_names(system_names, model_names)  # every unknown name, with close matches, before any work
    if system_names is not None:
        outside = [s for s in chosen if s not in spec.systems]
        if outside:
            fail(f"--systems: {', '.join(outside)} not in preset {spec.name!r}; its systems: {', '.join(spec.systems)}")
    board_metrics = _metrics(metrics)
    if fast:
        pool = model_names or list(spec.models) or [m for m, ms in MODELS.items() if ms.available]
        model_names = [m for m in pool if not MODELS[m].slow]
        if not model_names:
            fail(f"--fast leaves no model: {', '.join(pool)} are all slow")
    if workers is not None and scheduler is not None:
        fail("--workers sizes the local cluster; with --scheduler the cluster's own workers run: give one of them")
    if store is not None and "://" not in store:
        check_output(Path(store), "--store", folder=False)
    wanted = model_names or list(spec.models) or list(MODELS)
    missing = [f"{m} ({MODELS[m].reason})" for m in wanted if not MODELS[m].available]
    if missing and model_names is not None:
        err_console.print(f"[yellow]warning:[/] skipped, not available here: {'; '.join(missing)}", soft_wrap=True)
    elif missing:
        console.print(f"not available here (skipped): {', '.join(m for m in wanted if not MODELS[m].available)}")

    from ..bench.datasets import build_dataset, default_root, preset_for_systems
    from ..bench.runner import RunInterrupted, run_benchmark
    from ..bench.store import ResultStore, default_store_path
    from ..text import count
    from .common import progress_bar

    spec = preset_for_systems(spec, None if system_names is None else chosen, root)
    if not quiet:  # a log of a long run says what the first minutes are spent on
        where = default_root() if root is None else root
        err_console.print(
            f"dataset of {spec.name}: {count(len(spec.systems), 'system')} x {spec.n_trajectories}, "
            f"reused from {where} if built before, else built now",
            soft_wrap=True,
            markup=False,
        )
    try:
        with progress_bar(f"dataset {spec.name}", quiet=quiet) as progress:
            dataset = build_dataset(spec, root=root, progress=progress)
    except KeyboardInterrupt:
        interrupted(f"the dataset of {spec.name} was not built; nothing was written")
    console.print(f"dataset: {dataset.path} ({dataset.hash})")
    target = str(default_store_path(dataset.path)) if store is None else store
    try:
        with _run_display(quiet) as show:
            summary = run_benchmark(
                spec,
                models=model_names,
                systems=system_names,
                store=target,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                progress=show,
                root=root,
            )
    except RunInterrupted as stop:
        interrupted(f"{stop.summary}")
    console.print(str(summary))
    with ResultStore(target, create=False) as results:
        frame = results.frame()
    frame = frame[frame["dataset_hash"] == dataset.hash]
    if model_names is not None:
        frame = frame[frame["model"].isin(model_names)]
    if system_names is not None:
        frame = frame[frame["system"].isin(chosen)]
    if frame.empty:
        console.print("no results to rank")
        return
    _print_board(frame, board_metrics, 1000, 0, f"{spec.name}: leaderboard")


def _print_board(frame: pd.DataFrame, metrics: list[str], n_boot: int, seed: int, title: str) -> None:
    from ..bench.leaderboard import leaderboard
    from ..text import count

    board = leaderboard(frame, metrics, n_boot=n_boot, seed=seed)
    systems = frame["system"].nunique()
    print_leaderboard(board, metrics, f"{title} ({count(systems, 'system')}, {count(len(frame), 'task')})")
    console.print(
        "median over systems of the per-system median over trajectories [interquartile range]; "
        "a failed task scores the worst (VPT 0); rank: mean over systems (1 the best)",
        style="dim",
        markup=False,
    )


@command
def status(
    store: StoreOpt = None,
    preset: PresetOpt = "quick",
    root: RootOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """What a results store holds: tasks ok and failed per model, and the last failures."""
    import json

    with _open_store(store, preset, root) as results:
        frame = results.frame()
        location = results.location
    per_model = {}
    for model, block in frame.groupby("model"):
        per_model[str(model)] = {
            "ok": int((block["status"] == "ok").sum()),
            "failed": int((block["status"] != "ok").sum()),
            "systems": int(block["system"].nunique()),
        }
    presets = sorted(map(str, frame["preset"].unique())) if len(frame) else []
    out = {
        "store": location,
        "presets": presets,
        "ok": int((frame["status"] == "ok").sum()),
        "failed": int((frame["status"] != "ok").sum()),
        "models": per_model,
        "last_written": str(frame["written_at"].max()) if len(frame) else None,
    }
    if json_out:
        console.print_json(json.dumps(out))
        return
    from rich.table import Table

    console.print(
        f"store: {location}\npreset: {', '.join(presets) or '-'}; {out['ok']} ok, {out['failed']} failed"
        + (f"; last result {out['last_written']}" if out["last_written"] else "")
    )
    if per_model:
        table = Table(title="tasks per model", title_justify="left")
        for col in ("model", "systems", "ok", "failed"):
            table.add_column(col, justify="left" if col == "model" else "right")
        for model, c in per_model.items():
            table.add_row(model, str(c["systems"]), str(c["ok"]), str(c["failed"]))
        console.print(table)
    failed = frame[frame["status"] != "ok"]
    for _, r in failed.tail(5).iterrows():
        console.print(f"failed: {r['model']} on {r['system']} #{r['trajectory']}: {r['reason']}", soft_wrap=True)


@command
def leaderboard(
    store: StoreOpt = None,
    preset: PresetOpt = "quick",
    root: RootOpt = None,
    metrics: MetricsOpt = "vpt,smape@1,d_stsp",
    n_boot: BootOpt = 1000,
    seed: SeedOpt = 0,
    json_out: JsonOpt = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown table (for notes and docs).")] = False,
) -> None:
    """The leaderboard of a results store: median, IQR, bootstrap CI and mean rank per model."""
    from ..bench.leaderboard import leaderboard as compute

    names = _metrics(metrics)
    with _open_store(store, preset, root) as results:
        frame = _frame(results)
    if json_out or markdown:
        board = compute(frame, names, n_boot=n_boot, seed=seed)
        if json_out:
            console.print_json(board.reset_index().to_json(orient="records"))
        else:
            print(markdown_table(board, names))
        return
    title = f"{', '.join(sorted(map(str, frame['preset'].unique())))}: leaderboard"
    _print_board(frame, names, n_boot, seed, title)


@command
def report(
    html: Annotated[Path, typer.Option("--html", help="Folder of the HTML page.")],
    store: StoreOpt = None,
    preset: PresetOpt = "quick",
    root: RootOpt = None,
    metrics: MetricsOpt = "vpt,smape@1,d_stsp",
    systems: Annotated[
        str | None, typer.Option("--systems", help="Systems of the forecast panels (default: 3 spread over lambda_1).")
    ] = None,
    n_boot: BootOpt = 1000,
    seed: SeedOpt = 0,
) -> None:
    """Write the self-contained HTML report (sortable leaderboard, figures, failures, settings)."""
    from .common import headless_matplotlib

    names = _metrics(metrics)
    panels = _names(systems, "--systems")
    check_output(html, "--html", folder=True)
    headless_matplotlib()
    from ..bench.html import write_report

    with _open_store(store, preset, root) as results:
        _frame(results)
        path = write_report(results, html, metrics=names, systems=panels, n_boot=n_boot, seed=seed)
    console.print(f"wrote {path}")


@command
def presets(json_out: JsonOpt = False) -> None:
    """List the built-in presets: systems, trajectories, sampling, lengths and horizons."""
    import json

    from ..bench.presets import PRESETS

    rows: dict[str, dict[str, Any]] = {
        name: {
            "systems": len(p.systems),
            "trajectories": p.n_trajectories,
            "sampling": f"{p.points_per_unit} points per {'period' if p.sampling == 'period' else 'Lyapunov time'}",
            "train": f"{p.train_units:g} {'periods' if p.sampling == 'period' else 'Lyapunov times'}",
            "horizons": ", ".join(f"{k} {v} steps" for k, v in p.horizons.items()),
            "noise": p.noise,
            "models": ", ".join(p.models) or "all available",
            "training": p.training,
        }
        for name, p in PRESETS.items()
    }
    if json_out:
        console.print_json(json.dumps(rows))
        return
    from rich.table import Table

    table = Table(title="benchmark presets (dynstab bench run --preset NAME, or a TOML file)", title_justify="left")
    for col in ("preset", "systems", "trajectories", "sampling", "train", "horizons", "models", "epochs"):
        table.add_column(col, justify="right" if col in ("systems", "trajectories", "epochs") else "left")
    for name, r in rows.items():
        epochs = "all" if r["training"] == 1.0 else f"{r['training']:.0%}"  # of each trained model's epochs
        cells = (str(r["systems"]), str(r["trajectories"]), r["sampling"], r["train"], r["horizons"], r["models"])
        table.add_row(name, *cells, epochs)
    console.print(table)


bench_app.command("run")(run)
bench_app.command("status")(status)
bench_app.command("leaderboard")(leaderboard)
bench_app.command("report")(report)
bench_app.command("presets")(presets)
