"""``dynstab basins``: basins of attraction on a 2-D grid."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

if TYPE_CHECKING:
    from ..systems import Flow, Map

from .common import (
    FiguresOpt,
    JsonOpt,
    OutOpt,
    ParamOpt,
    check_output,
    command,
    fail,
    figures_or_error,
    headless_matplotlib,
    interrupted,
    load_system,
    progress_bar,
    progress_kwarg,
    safe_name,
    save_figure,
    variable_index,
)


@command
def basins(
    system: Annotated[str, typer.Argument(help="Catalog name (map or flow).")],
    xgrid: Annotated[tuple[float, float, int], typer.Option("--x", help="First grid axis: A B N.")],
    ygrid: Annotated[tuple[float, float, int], typer.Option("--y", help="Second grid axis: A B N.")],
    dims: Annotated[
        tuple[str, str] | None,
        typer.Option(help="The two variables on the grid (default: the first two); the others stay at x0."),
    ] = None,
    eps: Annotated[int, typer.Option(help="Box size (cells) of the basin entropy.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the attractor discovery.")] = 0,
    set_param: ParamOpt = None,
    out: OutOpt = Path("dynstab-report"),
    figures: FiguresOpt = True,
    as_json: JsonOpt = False,
) -> None:
    """Basins of attraction on a 2-D grid: attractors, fractions, basin entropy, uncertainty exponent.

    A forced flow (flagged "forced", e.g. duffing) is analysed through its stroboscopic map
    x(t0 + nT) -> x(t0 + (n+1)T), T = 2 pi / omega: its attractors are the periodic responses
    and strange attractors of the map, not clouds of flow samples along the forcing cycle."""
    import numpy as np

    from ..analysis.basins import basins_of_attraction

    s = load_system(system, set_param)
    if s.kind not in ("map", "flow"):
        fail(f"basins need a map or a flow; {s.name} is a {s.kind}")
    system_name = s.name
    if s.kind == "flow" and "forced" in s.flags:
        from ..systems.stroboscopic import StroboscopicMap

        s = StroboscopicMap(cast("Flow", s))
    axes = []
    for name, (a, b, k) in (("--x", xgrid), ("--y", ygrid)):
        if k < 2 or not a < b:
            fail(f"{name} expects A < B and N >= 2, got {a} {b} {k}")
        axes.append(np.linspace(a, b, int(k)))
    dim_idx = None if dims is None else [variable_index(s, d) for d in dims]
    if figures:
        check_output(out, folder=True)
    grid = f"{int(xgrid[2])} x {int(ygrid[2])} grid"
    try:
        with progress_bar(f"{s.name}: basins on a {grid}", quiet=as_json) as progress:
            res = basins_of_attraction(
                cast("Map | Flow", s),
                tuple(axes),
                dims=dim_idx,
                eps=eps,
                seed=seed,
                **progress_kwarg(basins_of_attraction, progress),
            )
    except (ValueError, TypeError, FloatingPointError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        interrupted(f"before the basins on the {grid} finished; nothing was written")
    result = res.to_dict()
    if s.name != system_name:
        result["map"] = s.description
    figure_error = None
    stopped = False
    if figures:
        headless_matplotlib()
        from ..plotting import plot_basins

        path = out / safe_name(system_name, "basins", suffix=".png")
        try:
            written, figure_error = figures_or_error(lambda: save_figure(plot_basins(res), path, as_json), out)
        except KeyboardInterrupt:
            stopped, written = True, None  # the basins finished: print them, then say the figure did not
            path.unlink(missing_ok=True)  # no half-written figure left behind
        if written is not None:
            result["figure"] = written
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        from .render import print_basins

        print_basins(s.name, result)
    if stopped:
        interrupted(f"the basins above finished; their figure was not written to {out}")
    if figure_error:
        fail(figure_error)
