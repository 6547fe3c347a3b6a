"""``dynstab simulate``: one trajectory written to NetCDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import ParamOpt, command, console, err_console, fail, load_system


@command
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
) -> None:
    """Simulate a system and write the trajectory to NetCDF."""
    from ..simulate import trajectory

    s = load_system(system, param)
    if s.kind == "map":
        if n is None:
            fail("a map needs --n (iterations)")
    elif t is None:
        fail("a flow needs --t (time span)")
    try:
        with err_console.status(f"simulating {s.name} ..."):
            traj = trajectory(s, t=t, n=n, dt=dt, method=method, rtol=rtol, atol=atol, transient=transient)
    except (ValueError, FloatingPointError, RuntimeError) as exc:
        fail(str(exc))
    traj.to_netcdf(out)
    console.print(
        f"wrote {out}: {traj.x.shape[0]} points of {s.name} ({traj.method}), t in [{traj.t[0]:g}, {traj.t[-1]:g}]"
    )
