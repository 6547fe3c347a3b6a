"""The `dynstab` command line: analyze, list, info, simulate."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="dynstab: stability and chaos of dynamical systems.",
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def _fail(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=2)


def _parse_params(items: list[str] | None) -> dict[str, float]:
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            _fail(f"--param expects NAME=VALUE, got {item!r}")
        try:
            params[key.strip()] = float(value)
        except ValueError:
            _fail(f"--param {key}: {value!r} is not a number")
    return params


def _load_system(name: str, params: list[str] | None):
    from . import systems

    try:
        return systems.get(name, **_parse_params(params))
    except KeyError as exc:
        _fail(exc.args[0] if exc.args else str(exc))
    except (ValueError, TypeError) as exc:
        _fail(str(exc))


def _fmt(v: float, digits: int = 5) -> str:
    return f"{v:.{digits}g}" if math.isfinite(v) else str(v)


def _complex(z) -> str:
    if abs(z.imag) < 1e-12 * max(1.0, abs(z.real)):
        return _fmt(z.real)
    return f"{_fmt(z.real)}{'+' if z.imag >= 0 else '-'}{_fmt(abs(z.imag))}i"


ParamOpt = Annotated[list[str] | None, typer.Option("--param", "-p", help="Override a parameter, NAME=VALUE (repeatable).")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="Fix another parameter, NAME=VALUE (repeatable).")]
OutOpt = Annotated[Path, typer.Option(help="Folder for the figures.")]
FiguresOpt = Annotated[bool, typer.Option(help="Write figures.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the results as JSON on stdout.")]


@app.command()
def analyze(
    system: Annotated[str, typer.Argument(help="Catalog name (see `dynstab list`), or a data file "
                                          "(.csv, .npy, .nc) to diagnose a measured series.")] = "lorenz",
    param: ParamOpt = None,
    column: Annotated[str | None, typer.Option(help="Data file: the column (name or index) to analyse.")] = None,
    dt: Annotated[float | None, typer.Option("--dt", help="Data file: sampling step (default: from a time "
                                             "column, else 1).")] = None,
    t: Annotated[float | None, typer.Option("--t", help="Length of the Lyapunov run (time units; iterations for maps).")] = None,
    n_ics: Annotated[int, typer.Option(help="Initial conditions for the exponents' spread.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 0,
    out: OutOpt = Path("dynstab-report"),
    figures: FiguresOpt = True,
    as_json: JsonOpt = False,
):
    """Fixed points, Lyapunov spectrum, dimension and a verdict for one system; or, given a data
    file, the diagnosis of a measured series (embedding, exponent, dimension, RQA, entropy, 0-1 test,
    surrogates)."""
    if _is_data_file(system):
        return _analyze_data(Path(system), column, dt, seed, out, figures, as_json)
    if column is not None or dt is not None:
        _fail(f"--column and --dt apply to data files; {system!r} is not a file")
    sys_ = _load_system(system, param)
    from .report import analyze as run_analysis

    status = err_console.status("starting", spinner="dots") if not as_json else None
    if status:
        status.start()

    def on_step(name: str) -> None:
        if status:
            status.update(f"[bold]{sys_.name}[/]: {name} ...")

    try:
        report = run_analysis(sys_, t=t, n_ics=n_ics, seed=seed, on_step=on_step)
    except (ValueError, FloatingPointError, RuntimeError) as exc:
        if status:
            status.stop()
        _fail(str(exc))
    if figures and not report.interrupted:
        from .plotting import save_report_figures

        report.figures = save_report_figures(report, out)
    if status:
        status.stop()
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        _print_report(report)
    if report.interrupted:
        err_console.print("[yellow]interrupted: the steps above finished; the rest did not run[/]")
        raise typer.Exit(code=130)


_DATA_SUFFIXES = (".csv", ".txt", ".tsv", ".dat", ".npy", ".nc", ".nc4", ".h5", ".netcdf")


def _is_data_file(arg: str) -> bool:
    return Path(arg).suffix.lower() in _DATA_SUFFIXES or Path(arg).is_file()


def _analyze_data(path: Path, column, dt, seed, out, figures, as_json):
    from .timeseries.io import load_series
    from .timeseries.report import analyze_series

    try:
        loaded = load_series(path, column)
    except ValueError as exc:
        _fail(str(exc))
    if dt is not None and loaded.dt is not None and abs(dt - loaded.dt) > 1e-9 * abs(dt):
        _fail(f"--dt {dt} disagrees with the file's time column (step {loaded.dt:g}); drop --dt")
    step = dt if dt is not None else (loaded.dt if loaded.dt is not None else 1.0)
    status = err_console.status("starting", spinner="dots") if not as_json else None
    if status:
        status.start()

    def on_step(name: str) -> None:
        if status:
            status.update(f"[bold]{loaded.name}[/]: {name} ...")

    try:
        report = analyze_series(loaded.x, step, name=loaded.name, seed=seed, on_step=on_step)
    except ValueError as exc:
        if status:
            status.stop()
        _fail(str(exc))
    if figures:
        from .plotting import save_series_figures

        report.figures = save_series_figures(report, out)
    if status:
        status.stop()
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        _print_series_report(report, loaded.dt is None and dt is None)
    if report.interrupted:
        err_console.print("[yellow]interrupted: the steps above finished; the rest did not run[/]")
        raise typer.Exit(code=130)


def _print_series_report(rep, dt_assumed: bool) -> None:
    unit = "per sample (no time axis: pass --dt)" if dt_assumed else "per time unit"
    console.print(f"[bold]{rep.name}[/]: {rep.x.size} samples, dt = {rep.dt:g}")
    table = Table(show_header=False)
    if rep.dim is not None:
        table.add_row("embedding", f"dim {rep.dim}, tau {rep.tau} ({rep.embedding_rule})")
    if rep.lyapunov is not None and math.isfinite(rep.lyapunov.exponent):
        ly = rep.lyapunov
        table.add_row("largest Lyapunov exponent", f"{ly.exponent:.4g} {unit}, "
                      f"{ly.confidence:.0%} CI [{ly.ci[0]:.3g}, {ly.ci[1]:.3g}]")
        if rep.lyapunov_time is not None:
            table.add_row("Lyapunov time (predictability)", f"{rep.lyapunov_time:.4g}")
    if rep.dimension is not None:
        table.add_row("correlation dimension", f"{rep.dimension.dimension:.3f} +/- {rep.dimension.uncertainty:.2f}")
    if rep.rqa is not None:
        table.add_row("RQA", ", ".join(f"{k} {_fmt(v, 3)}" for k, v in rep.rqa.items()))
    if rep.permutation_entropy is not None:
        table.add_row("permutation entropy (order 5, normalized)", f"{rep.permutation_entropy:.4f}")
    if rep.zero_one is not None:
        table.add_row("0-1 test K", f"{rep.zero_one:.3f}")
    if rep.surrogate is not None:
        table.add_row("surrogate test (prediction error, IAAFT)",
                      f"p = {rep.surrogate.p_value:.3g} ({'nonlinear' if rep.surrogate.rejected else 'linear not rejected'})")
    console.print(table)
    if rep.verdict:
        console.print(f"[bold]verdict:[/] {rep.verdict}")
    for step, why in rep.skipped.items():
        console.print(f"[dim]{step}: skipped ({why})[/]")
    console.print("[dim]" + ", ".join(f"{k} {v:.2f} s" for k, v in rep.timings.items()) + "[/]")
    for path in rep.figures:
        console.print(f"figure: {path}")


def _print_report(report) -> None:
    s = report.system
    ps = ", ".join(f"{k}={_fmt(v) if isinstance(v, float) else v}" for k, v in s.param_values().items())
    console.print(f"[bold]{s.name}[/] ({s.kind}, d={s.dim}; {ps})")
    if s.reference:
        console.print(f"[dim]{s.reference}[/]")
    if report.fixed_points is not None:
        fp = report.fixed_points
        kind = "equilibria" if s.kind == "flow" else "fixed points"
        table = Table(title=f"{len(fp)} {kind} in the box {[tuple(round(v, 3) for v in b) for b in report.box]}")
        table.add_column("x")
        table.add_column("eigenvalues" if s.kind == "flow" else "multipliers")
        table.add_column("type")
        for p in fp:
            table.add_row(", ".join(_fmt(v) for v in p.x), ", ".join(_complex(z) for z in p.eigenvalues), p.type)
        if len(fp) == 0 and getattr(fp, "reason", None):
            table.caption = fp.reason
        console.print(table)
    if report.spectrum is not None:
        sp = report.spectrum
        unit = "per iteration" if s.kind == "map" else "per time unit"
        table = Table(title=f"Lyapunov spectrum ({unit}; {sp.settings['n_ics']} initial conditions)")
        table.add_column("i", justify="right")
        table.add_column("lambda_i", justify="right")
        table.add_column("spread (std)", justify="right")
        for i, (lam, sd) in enumerate(zip(sp.exponents, sp.std), start=1):
            table.add_row(str(i), f"{lam:.5f}", "-" if math.isnan(sd) else f"{sd:.2g}")
        console.print(table)
        what = {"flow": "<tr J> (mean divergence)", "map": "<ln|det J|>"}.get(s.kind, "mean divergence")
        summary = Table(show_header=False, box=None)
        summary.add_row("sum of exponents", f"{sp.exponents.sum():.5f}")
        summary.add_row(what, f"{sp.divergence:.5f}" if math.isfinite(sp.divergence)
                        else "not defined (delay equation: leading exponents only)")
        summary.add_row("Kaplan-Yorke dimension", f"{sp.kaplan_yorke_dimension:.4f}")
        lt = sp.lyapunov_time
        summary.add_row("Lyapunov time", "inf (not chaotic)" if math.isinf(lt) else f"{lt:.4g}")
        summary.add_row("verdict", f"[bold]{report.verdict}[/]")
        console.print(summary)
    for step, why in report.skipped.items():
        console.print(f"[dim]{step}: skipped ({why})[/]")
    timing = ", ".join(f"{k} {v:.2f} s" for k, v in report.timings.items())
    console.print(f"[dim]{timing}[/]")
    for path in report.figures:
        console.print(f"figure: {path}")


@app.command("list")
def list_systems(
    kind: Annotated[str | None, typer.Option(help="Only 'flow', 'delay', 'map' or 'sde'.")] = None,
    as_json: JsonOpt = False,
):
    """List the catalog with each system's largest Lyapunov exponent and Kaplan-Yorke dimension."""
    from . import systems
    from .systems.metadata import metadata

    if kind not in (None, "flow", "delay", "map", "sde"):
        _fail(f"--kind must be flow, delay, map or sde, got {kind!r}")
    rows = [(s, metadata(s) or {}) for s in (systems.get(n) for n in systems.names(kind))]
    if as_json:
        sys.stdout.write(json.dumps([{"name": s.name, "kind": s.kind, "dimension": s.dim,
                                      "max_lyapunov": m.get("max_lyapunov"),
                                      "kaplan_yorke_dimension": m.get("kaplan_yorke_dimension"),
                                      "parameters": s.param_values(), "reference": s.reference} for s, m in rows],
                                    indent=2) + "\n")
        return
    table = Table(title=f"dynstab catalog: {len(rows)} systems")
    for col, just in (("name", "left"), ("kind", "left"), ("d", "right"), ("lambda_1", "right"), ("D_KY", "right"),
                      ("reference", "left")):
        table.add_column(col, justify=just, overflow="fold")
    for s, m in rows:
        lam, dky = m.get("max_lyapunov"), m.get("kaplan_yorke_dimension")
        table.add_row(s.name, s.kind, str(s.dim), "-" if lam is None else f"{lam:.4g}",
                      "-" if dky is None else f"{dky:.3f}", s.reference.split(",")[0])
    console.print(table)


@app.command()
def info(system: Annotated[str, typer.Argument(help="Catalog name.")], param: ParamOpt = None):
    """Equations, parameters, initial condition and reference of one system."""
    s = _load_system(system, param)
    console.print(f"[bold]{s.name}[/] ({s.kind}, dimension {s.dim})")
    if s.description:
        console.print(s.description)
    console.print(f"variables: {', '.join(s.names)}")
    console.print(f"parameters: {s.param_values()}")
    console.print(f"x0: {[float(v) for v in s.x0]}")
    if s.kind != "map":
        console.print(f"recommended dt: {s.dt}")
    if s.flags:
        console.print(f"flags: {', '.join(sorted(s.flags))}")
    if s.aliases:
        console.print(f"aliases: {', '.join(s.aliases)}")
    console.print(f"reference: {s.reference}")
    from .systems.metadata import metadata

    meta = metadata(s)
    if meta is None:
        console.print("[dim]no annotated metadata for these parameters (`dynstab catalog annotate` computes them)[/]")
        return
    table = Table(title="annotated invariants", show_header=False)
    for key in ("period", "max_lyapunov", "lyapunov_spectrum", "lyapunov_spectrum_std", "divergence",
                "kaplan_yorke_dimension", "lyapunov_time", "dt", "dt_error", "mean", "std", "correlation_dimension",
                "dynstab_version"):
        if key in meta:
            v = meta[key]
            text = ", ".join(_fmt(x) for x in v) if isinstance(v, list) else (_fmt(v) if isinstance(v, float) else str(v))
            table.add_row(key, text)
    console.print(table)


@app.command()
def simulate(
    system: Annotated[str, typer.Argument(help="Catalog name.")],
    t: Annotated[float | None, typer.Option("--t", help="Time span (flows).")] = None,
    n: Annotated[int | None, typer.Option("--n", help="Iterations (maps).")] = None,
    dt: Annotated[float | None, typer.Option("--dt", help="Output spacing (default: the system's dt).")] = None,
    method: Annotated[str | None, typer.Option(help="rk4, rk8, tsit5, dopri8, kvaerno5 (flows).")] = None,
    rtol: Annotated[float, typer.Option(help="Relative tolerance (adaptive methods).")] = 1e-8,
    atol: Annotated[float, typer.Option(help="Absolute tolerance (adaptive methods).")] = 1e-10,
    transient: Annotated[float, typer.Option(help="Discarded initial time (iterations for maps).")] = 0.0,
    param: ParamOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="NetCDF file to write.")] = Path("trajectory.nc"),
):
    """Simulate a system and write the trajectory to NetCDF."""
    from .simulate import trajectory

    s = _load_system(system, param)
    if s.kind == "map":
        if n is None:
            _fail("a map needs --n (iterations)")
    elif t is None:
        _fail("a flow needs --t (time span)")
    try:
        with err_console.status(f"simulating {s.name} ..."):
            traj = trajectory(s, t=t, n=n, dt=dt, method=method, rtol=rtol, atol=atol, transient=transient)
    except (ValueError, FloatingPointError, RuntimeError) as exc:
        _fail(str(exc))
    traj.to_netcdf(out)
    console.print(f"wrote {out}: {traj.x.shape[0]} points of {s.name} ({traj.method}), t in [{traj.t[0]:g}, {traj.t[-1]:g}]")


def _parse_range(text: str, what: str) -> list[int]:
    lo, sep, hi = text.partition("-")
    try:
        values = list(range(int(lo), int(hi) + 1)) if sep else [int(lo)]
    except ValueError:
        _fail(f"{what} expects N or N-M, got {text!r}")
    if not values or values[0] < 1:
        _fail(f"{what} must be positive, got {text!r}")
    return values


def _parse_plane(flow, text: str):
    name, sep, value = text.partition("=")
    if not sep:
        _fail(f"--plane expects VARIABLE=VALUE (e.g. z=27), got {text!r}")
    name = name.strip()
    if name not in flow.names:
        _fail(f"--plane: {flow.name} has no variable {name!r} (variables: {', '.join(flow.names)})")
    try:
        return (name, float(value))
    except ValueError:
        _fail(f"--plane: {value!r} is not a number")


@app.command("periodic-orbits")
def periodic_orbits_cmd(
    system: Annotated[str, typer.Argument(help="Catalog name (a map, or a flow with --plane).")],
    period: Annotated[str, typer.Option(help="Period N or range N-M.")] = "1-4",
    plane: Annotated[str | None, typer.Option(help="Flows: Poincare plane VARIABLE=VALUE (upward crossings).")] = None,
    n_seeds: Annotated[int, typer.Option(help="Newton seeds per period.")] = 2000,
    method: Annotated[str, typer.Option(help="newton or schmelcher_diakonos.")] = "newton",
    seed: Annotated[int, typer.Option(help="Seed of the seeds.")] = 0,
    param: ParamOpt = None,
    out: OutOpt = Path("dynstab-report"),
    figures: FiguresOpt = True,
    as_json: JsonOpt = False,
):
    """All periodic orbits of each period (minimal period, one per orbit) with Floquet multipliers."""
    from .analysis.periodic_orbits import periodic_orbits
    from .systems.derived import PoincareMap

    s = _load_system(system, param)
    periods = _parse_range(period, "--period")
    if s.kind == "flow":
        if plane is None:
            _fail(f"{s.name} is a flow: give a Poincare plane, e.g. --plane {s.names[-1]}=<value>")
        s = PoincareMap(s, _parse_plane(s, plane))
    elif s.kind != "map":
        _fail(f"periodic orbits need a map or a flow with --plane; {s.name} is a {s.kind}")
    results = []
    try:
        with err_console.status("searching ...") as status:
            for n in periods:
                status.update(f"[bold]{s.name}[/]: period {n} ...")
                results.append(periodic_orbits(s, n, n_seeds=n_seeds, method=method, seed=seed))
    except (ValueError, FloatingPointError, RuntimeError) as exc:
        _fail(str(exc))
    if figures:
        from .simulate import trajectory

        try:
            background = trajectory(s, n=5000, transient=200).x
        except (ValueError, FloatingPointError):
            background = None
        for res in results:
            if len(res):
                _save_figure(res.plot(background=background), out / f"{res.system_name}_period{res.period}.png",
                             as_json)
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in results], indent=2) + "\n")
        return
    table = Table(title=f"periodic orbits of {s.name}")
    for col in ("period", "orbits", "points", "unstable", "largest |multiplier| (min..max)"):
        table.add_column(col, justify="right")
    for r in results:
        mults = [float(np.max(np.abs(o.multipliers))) for o in r.orbits]
        span = f"{min(mults):.4g}..{max(mults):.4g}" if mults else "-"
        table.add_row(str(r.period), str(len(r)), str(r.n_points), str(sum(not o.stable for o in r.orbits)), span)
    console.print(table)
    for r in results:
        if not len(r) and r.reason:
            console.print(f"[dim]period {r.period}: {r.reason}[/]")


def _variable_index(s, var: str | None) -> int:
    if var is None:
        return 0
    if var not in s.names:
        _fail(f"{s.name} has no variable {var!r} (variables: {', '.join(s.names)})")
    return s.names.index(var)


def _save_figure(fig, path: Path, quiet: bool) -> str:
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    if not quiet:
        console.print(f"figure: {path}")
    return str(path)


@app.command()
def bifurcation(
    system: Annotated[str, typer.Argument(help="Catalog name (a map, or a flow with --plane).")],
    param_name: Annotated[str, typer.Option("--param", help="Parameter to sweep.")],
    span: Annotated[tuple[float, float], typer.Option("--range", help="Sweep from A to B.")],
    n: Annotated[int, typer.Option(help="Number of parameter values.")] = 1000,
    keep: Annotated[int, typer.Option(help="Points kept per value.")] = 100,
    transient: Annotated[int, typer.Option(help="Discarded iterations per value.")] = 1000,
    var: Annotated[str | None, typer.Option(help="Variable to plot (default: the first).")] = None,
    plane: Annotated[str | None, typer.Option(help="Flows: Poincare plane VARIABLE=VALUE.")] = None,
    doublings: Annotated[bool, typer.Option(help="Also locate the changes of period precisely.")] = False,
    set_param: SetOpt = None,
    out: OutOpt = Path("dynstab-report"),
    figures: FiguresOpt = True,
    as_json: JsonOpt = False,
):
    """Orbit (bifurcation) diagram over one parameter, all values in one compiled call."""
    import warnings

    from .analysis.orbit_diagram import orbit_diagram, period_changes

    s = _load_system(system, set_param)
    if param_name not in s.params:
        _fail(f"{s.name} has no parameter {param_name!r} (parameters: {', '.join(s.params)})")
    if n < 2 or keep < 1 or transient < 0:
        _fail("--n must be >= 2, --keep >= 1 and --transient >= 0")
    plane_arg = _parse_plane(s, plane) if plane is not None else None
    if s.kind == "flow" and plane_arg is None:
        _fail(f"{s.name} is a flow: give a Poincare plane, e.g. --plane {s.names[-1]}=<value>")
    values = np.linspace(span[0], span[1], n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with err_console.status(f"{s.name}: {n} values of {param_name} ..."):
                od = orbit_diagram(s, param_name, values, n_keep=keep, transient=transient,
                                   index=_variable_index(s, var), plane=plane_arg)
                changes = period_changes(s, param_name, min(span), max(span), plane=plane_arg) if doublings else []
        except (ValueError, TypeError, FloatingPointError) as exc:
            _fail(str(exc))
    result = od.to_dict()
    if changes:
        result["period_changes"] = [c.to_dict() for c in changes]
    if figures:
        result["figure"] = _save_figure(od.plot(), out / f"{s.name}_bifurcation_{param_name}.png", as_json)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    for w in caught:
        err_console.print(f"[yellow]warning:[/] {w.message}")
    console.print(f"[bold]{s.name}[/]: orbit diagram over {param_name} in [{span[0]:g}, {span[1]:g}], "
                  f"{n} values x {keep} points; {result['n_diverged']} values diverged")
    if changes:
        table = Table(title="changes of period")
        for col in (param_name, "from", "to"):
            table.add_column(col, justify="right")
        def period(p: int) -> str:
            return {0: "aperiodic", -1: "diverged"}.get(p, str(p))

        for c in changes:
            table.add_row(f"{c.value:.7g}", period(c.from_period), period(c.to_period))
        console.print(table)
        console.print("[dim]'aperiodic': no period up to the kept points (chaos, or a period beyond them)[/]")


@app.command()
def basins(
    system: Annotated[str, typer.Argument(help="Catalog name (map or flow).")],
    xgrid: Annotated[tuple[float, float, int], typer.Option("--x", help="First grid axis: A B N.")],
    ygrid: Annotated[tuple[float, float, int], typer.Option("--y", help="Second grid axis: A B N.")],
    dims: Annotated[tuple[str, str] | None, typer.Option(help="The two variables on the grid (default: the "
                                                               "first two); the others stay at x0.")] = None,
    eps: Annotated[int, typer.Option(help="Box size (cells) of the basin entropy.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the attractor discovery.")] = 0,
    set_param: ParamOpt = None,
    out: OutOpt = Path("dynstab-report"),
    figures: FiguresOpt = True,
    as_json: JsonOpt = False,
):
    """Basins of attraction on a 2-D grid: attractors, fractions, basin entropy, uncertainty exponent."""
    from .analysis.basins import basins_of_attraction

    s = _load_system(system, set_param)
    if s.kind not in ("map", "flow"):
        _fail(f"basins need a map or a flow; {s.name} is a {s.kind}")
    axes = []
    for name, (a, b, k) in (("--x", xgrid), ("--y", ygrid)):
        if k < 2 or not a < b:
            _fail(f"{name} expects A < B and N >= 2, got {a} {b} {k}")
        axes.append(np.linspace(a, b, int(k)))
    dim_idx = None if dims is None else [_variable_index(s, d) for d in dims]
    try:
        with err_console.status(f"{s.name}: basins on a {xgrid[2]} x {ygrid[2]} grid ..."):
            res = basins_of_attraction(s, tuple(axes), dims=dim_idx, eps=eps, seed=seed)
    except (ValueError, TypeError, FloatingPointError) as exc:
        _fail(str(exc))
    result = res.to_dict()
    if figures:
        result["figure"] = _save_figure(res.plot(), out / f"{s.name}_basins.png", as_json)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    table = Table(title=f"{s.name}: {result['n_attractors']} attractors on the {' x '.join(result['dims'])} grid")
    for col in ("label", "basin fraction", "centroid"):
        table.add_column(col)
    for label, frac in result["fractions"].items():
        centroid = result["attractors"].get(label, {}).get("centroid")
        table.add_row(label, f"{frac:.4f}", "-" if centroid is None else ", ".join(_fmt(v, 4) for v in centroid))
    console.print(table)
    summary = Table(show_header=False, box=None)
    for key in ("basin_entropy", "boundary_basin_entropy", "uncertainty_exponent"):
        v = result[key]
        summary.add_row(key.replace("_", " "), "-" if v is None else f"{v:.4f}")
    summary.add_row("fractal boundary (S_bb > ln 2)", str(result["fractal_boundary_ln2_criterion"]))
    console.print(summary)


catalog_app = typer.Typer(no_args_is_help=True, help="Maintain the catalog: annotate invariants, write the doc page.")
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("annotate")
def catalog_annotate(
    names: Annotated[list[str] | None, typer.Argument(help="Systems (default: the whole catalog).")] = None,
    out: Annotated[Path | None, typer.Option(help="JSON file (default: the package's metadata file).")] = None,
    n_ics: Annotated[int, typer.Option(help="Initial conditions per spectrum (>= 5 for the shipped file).")] = 5,
    force: Annotated[bool, typer.Option(help="Recompute entries that are up to date.")] = False,
    dimensions_only: Annotated[bool, typer.Option(help="Only add missing correlation dimensions.")] = False,
):
    """Recompute every system's invariants (resumable: finished systems are kept)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from . import systems
    from .analysis.invariants import AnnotationSettings, annotate_catalog, fill_correlation_dimensions
    from .systems.metadata import DATA_FILE, reload

    chosen = [systems.resolve(n) for n in names] if names else systems.names()
    settings = AnnotationSettings(n_ics=n_ics)
    failures = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console) as progress:
        task = progress.add_task("annotating", total=len(chosen))

        def on_progress(name, entry):
            if "error" in entry:
                failures.append((name, entry["error"]))
            lam = entry.get("max_lyapunov")
            progress.update(task, advance=1, description=f"{name:<28} lambda_1={'-' if lam is None else f'{lam:.4g}'}")

        if dimensions_only:
            fill_correlation_dimensions(chosen, out or DATA_FILE, settings, on_progress=on_progress)
        else:
            annotate_catalog(chosen, out or DATA_FILE, settings, force=force, on_progress=on_progress)
    reload()
    console.print(f"annotated {len(chosen)} systems into {out or DATA_FILE}")
    for name, error in failures:
        console.print(f"[red]{name}[/]: {error}")


@catalog_app.command("doc")
def catalog_doc(out: Annotated[Path, typer.Option(help="Markdown file.")] = Path("docs/catalog.md")):
    """Write the catalog page (every system with its metadata) from the metadata file."""
    from .systems.metadata import catalog_markdown

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(catalog_markdown() + "\n")
    console.print(f"wrote {out}")


if __name__ == "__main__":  # pragma: no cover
    app()
