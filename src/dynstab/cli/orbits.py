"""``dynstab periodic-orbits`` and ``dynstab bifurcation``: periodic orbits and orbit diagrams."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

if TYPE_CHECKING:
    from ..systems import Flow, Map

from ..limits import check_allocation
from ..text import count, plural
from .common import (
    FiguresOpt,
    JsonOpt,
    OutOpt,
    ParamOpt,
    SetOpt,
    check_output,
    command,
    fail,
    figures_or_error,
    headless_matplotlib,
    interrupted,
    load_system,
    parse_plane,
    parse_range,
    progress_bar,
    progress_kwarg,
    safe_name,
    save_figure,
    variable_index,
)


@command
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
) -> None:
    """All periodic orbits of each period (minimal period, one per orbit) with Floquet multipliers."""
    from ..analysis.periodic_orbits import periodic_orbits
    from ..systems.derived import PoincareMap

    s = load_system(system, param)
    periods = parse_range(period, "--period")
    if s.kind == "flow":
        if plane is None:
            fail(f"{s.name} is a flow: give a Poincare plane, e.g. --plane {s.names[-1]}=<value>")
        s = PoincareMap(cast("Flow", s), parse_plane(s, plane))
    elif s.kind != "map":
        fail(f"periodic orbits need a map or a flow with --plane; {s.name} is a {s.kind}")
    if n_seeds < 1:
        fail(f"--n-seeds must be at least 1, got {n_seeds}")
    check_allocation(  # the seeds' orbits, before any work (a huge --n-seeds would never return)
        float(n_seeds) * max(periods) * s.dim * 8.0,
        f"the Newton seeds ({n_seeds:.3g} seeds x period {max(periods)} x {s.dim} variables)",
        "use fewer --n-seeds",
    )
    if figures:
        check_output(out, folder=True)
    results: list[Any] = []
    stopped = False
    try:
        with progress_bar(f"{s.name}: periodic orbits", quiet=as_json) as progress:
            for i, n in enumerate(periods):

                def within(done: int, total: int, i: int = i) -> None:  # this period's share of the bar
                    progress(i * 1000 + (1000 * done) // max(total, 1), 1000 * len(periods))

                progress(i * 1000, 1000 * len(periods))
                kwargs = progress_kwarg(periodic_orbits, within)
                results.append(periodic_orbits(cast("Map", s), n, n_seeds=n_seeds, method=method, seed=seed, **kwargs))
    except KeyboardInterrupt:
        stopped = True  # print the periods that finished, write nothing more
    if stopped and not results:
        interrupted("before the first period finished; nothing was written")
    figure_error = None
    if figures and not stopped:
        headless_matplotlib()
        from ..simulate import trajectory

        try:
            background = trajectory(s, n=5000, transient=200).x
        except (ValueError, FloatingPointError):
            background = None

        from ..plotting import plot_periodic_orbits

        def write() -> None:
            for res in results:
                if len(res):  # a flow's res.system_name is e.g. "rossler Poincaré map (x = 0, upward)"
                    path = out / safe_name(res.system_name, f"period{res.period}", suffix=".png")
                    save_figure(plot_periodic_orbits(res, background), path, as_json)

        _, figure_error = figures_or_error(write, out)
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in results], indent=2) + "\n")
    else:
        from .render import print_periodic_orbits

        print_periodic_orbits(s.name, results)
    if stopped:
        finished = ", ".join(str(r.period) for r in results)
        left = ", ".join(str(p) for p in periods[len(results) :])
        interrupted(
            f"{plural('period', len(results))} {finished} finished (above); "
            f"{plural('period', len(periods) - len(results))} {left} did not; no figures written"
        )
    if figure_error:
        fail(figure_error)


@command
def bifurcation(
    system: Annotated[str, typer.Argument(help="Catalog name (a map, or a flow with --plane).")],
    param_name: Annotated[
        str | None, typer.Option("--sweep", help="Parameter to sweep (required; its values come from --range).")
    ] = None,
    span: Annotated[tuple[float, float] | None, typer.Option("--range", help="Sweep from A to B (required).")] = None,
    n: Annotated[int, typer.Option(help="Number of parameter values.")] = 1000,
    keep: Annotated[int, typer.Option(help="Points kept per value.")] = 100,
    transient: Annotated[int, typer.Option(help="Discarded iterations per value.")] = 1000,
    var: Annotated[str | None, typer.Option(help="Variable to plot (default: the first).")] = None,
    plane: Annotated[str | None, typer.Option(help="Flows: Poincare plane VARIABLE=VALUE.")] = None,
    doublings: Annotated[bool, typer.Option(help="Also locate the changes of period precisely.")] = False,
    param: ParamOpt = None,
    set_param: SetOpt = None,
    out: OutOpt = Path("dynstab-report"),
    figures: FiguresOpt = True,
    as_json: JsonOpt = False,
) -> None:
    """Orbit (bifurcation) diagram over one parameter (--sweep NAME --range A B), all values in one
    compiled call; --param NAME=VALUE fixes the other parameters, as in every command."""
    import numpy as np

    from ..analysis.orbit_diagram import orbit_diagram, period_changes

    bare = [item for item in param or [] if "=" not in item]
    if bare and (param_name is not None or len(bare) > 1):
        fail(f"--param overrides a parameter (NAME=VALUE), got {bare[0]!r}; to sweep it, write --sweep {bare[0]}")
    if bare:  # the former spelling `--param r --range A B`: still sweeps, with a warning
        import warnings

        param_name = bare[0]
        param = [item for item in param or [] if "=" in item]
        warnings.warn(
            f"--param {param_name} to choose the swept parameter is deprecated: write --sweep {param_name} "
            "(--param NAME=VALUE overrides a value, as in every command)",
            FutureWarning,
            stacklevel=1,
        )
    if param_name is None:
        fail("give the parameter to sweep with --sweep NAME, and its range with --range A B")
    if span is None:
        fail(f"give the range of {param_name} with --range A B")
    s = load_system(system, [*(param or []), *(set_param or [])])
    if param_name not in s.params:
        fail(f"{s.name} has no parameter {param_name!r} (parameters: {', '.join(s.params)})")
    if n < 2 or keep < 1 or transient < 0:
        fail("--n must be >= 2, --keep >= 1 and --transient >= 0")
    plane_arg = parse_plane(s, plane) if plane is not None else None
    if s.kind == "flow" and plane_arg is None:
        fail(f"{s.name} is a flow: give a Poincare plane, e.g. --plane {s.names[-1]}=<value>")
    if figures:
        check_output(out, folder=True)
    values = np.linspace(span[0], span[1], n)
    swept = cast("Map | Flow", s)  # orbit_diagram rejects other kinds itself
    try:
        with progress_bar(f"{s.name}: {count(n, 'value')} of {param_name}", quiet=as_json) as progress:
            od = orbit_diagram(
                swept,
                param_name,
                values,
                n_keep=keep,
                transient=transient,
                index=variable_index(s, var),
                plane=plane_arg,
                **progress_kwarg(orbit_diagram, progress),
            )
    except KeyboardInterrupt:
        interrupted("before the orbit diagram finished; nothing was written")
    changes = []
    stopped = False
    if doublings:
        try:
            with progress_bar(f"{s.name}: locating changes of period", quiet=as_json) as progress:
                changes = period_changes(
                    swept, param_name, min(span), max(span), plane=plane_arg, **progress_kwarg(period_changes, progress)
                )
        except KeyboardInterrupt:
            stopped = True  # the diagram finished: write and print it, then say what did not
    result = od.to_dict()
    if changes:
        result["period_changes"] = [c.to_dict() for c in changes]
    figure_error = None
    if figures:
        headless_matplotlib()
        from ..plotting import plot_orbit_diagram

        path = out / safe_name(s.name, "bifurcation", param_name, suffix=".png")
        written, figure_error = figures_or_error(
            lambda: save_figure(plot_orbit_diagram(od, changes), path, as_json), out
        )
        if written is not None:
            result["figure"] = written
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        from .render import print_orbit_diagram

        print_orbit_diagram(s.name, param_name, span, n, keep, result, changes)
    if stopped:
        interrupted("the orbit diagram above finished; locating the changes of period did not")
    if figure_error:
        fail(figure_error)
