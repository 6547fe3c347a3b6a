"""``dynstab simulate``: one trajectory written to NetCDF."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..systems import System

from ..limits import check_allocation
from ..text import count
from .common import (
    ParamOpt,
    check_output,
    command,
    console,
    fail,
    interrupted,
    load_system,
    progress_bar,
    progress_kwarg,
    write_output,
)


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
    _check_request(s, t, n, dt)
    check_output(out, folder=False)
    try:
        with progress_bar(f"simulating {s.name}") as progress:
            traj = trajectory(
                s,
                t=t,
                n=n,
                dt=dt,
                method=method,
                rtol=rtol,
                atol=atol,
                transient=transient,
                **progress_kwarg(trajectory, progress),
            )
    except KeyboardInterrupt:
        interrupted(f"the simulation did not finish; nothing was written to {out}")
    except (ValueError, FloatingPointError, RuntimeError) as exc:
        fail(str(exc))
    write_output(traj.to_netcdf, out)  # a temporary file renamed when complete
    console.print(
        f"wrote {out}: {count(len(traj.t), 'point')} of {s.name} ({traj.method}), t in [{traj.t[0]:g}, {traj.t[-1]:g}]"
    )


def _check_request(s: System, t: float | None, n: int | None, dt: float | None) -> None:
    """Refuse, before any work, a sampling step longer than the run and an output over the limit.

    The output is ``points x (variables + 1)`` float64 values (the states and the times); the
    limit is `dynstab.limits.max_memory_bytes` (``DYNSTAB_MAX_MEMORY_GB``, default 4 GB).
    """
    if s.kind == "map":
        assert n is not None
        if n < 0:
            fail(f"--n must be >= 0 iterations, got {n}")
        if dt is not None and not (dt >= 1 and float(dt).is_integer()):
            fail(f"--dt for a map is a stride in iterations (an integer >= 1), got {dt:g}")
        stride = 1 if dt is None else int(dt)
        if n > 0 and stride > n:
            fail(
                f"--dt {stride} is longer than the run (--n {n}): only the first point would be kept; give --dt <= --n"
            )
        points = n // stride + 1
        remedy = "keep every k-th iteration with --dt k, or lower --n"
    else:
        assert t is not None
        step = s.dt if dt is None else dt
        if not (t >= 0 and math.isfinite(t)):
            fail(f"--t must be a finite time span >= 0, got {t:g}")
        if not (step > 0 and math.isfinite(step)):
            fail(f"--dt must be a finite step > 0, got {step:g}")
        if t > 0 and step > t:
            fail(
                f"--dt {step:g} is longer than the span --t {t:g}: only the point at t = 0 would be kept; give --dt <= --t"
            )
        points = int(round(t / step)) + 1
        remedy = "sample less often with a larger --dt, or shorten --t"
    nbytes = points * (s.dim + 1) * 8.0
    check_allocation(nbytes, f"the trajectory ({points:.3g} points x {s.dim} variables and the times)", remedy)
