"""`trajectory`: simulate any system (single run or ensemble) and return a labelled result."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..executables import persistent_jit
from ..limits import check_allocation
from ..systems.base import System, as_params, as_state, check_system, evolution_of
from ..validation import as_float, as_int, as_positive_float, as_step
from . import evolution as loops
from .adaptive import ADAPTIVE_METHODS, MAX_STEPS, OK, STATUS_TEXT, adaptive_solve
from .evolution import Evolution, Plan, chunks_of, estimated_seconds, in_chunks, run, run_part, sample, sample_part
from .sde import SDE_METHODS
from .steppers import FIXED_STEP_METHODS

FLOW_METHODS = (*FIXED_STEP_METHODS, *ADAPTIVE_METHODS)


class TrajectoryDivergedError(FloatingPointError):
    """The state left the finite numbers (overflow to inf or NaN) during a simulation."""


@dataclass(frozen=True)
class Trajectory:
    """A simulated trajectory or ensemble of trajectories.

    ``t`` has shape (N,); ``x`` has shape (N, d) for one run or (B, N, d) for an ensemble.
    ``params`` holds the per-member parameter values of a parameter ensemble.

    Attributes
    ----------
    t : ndarray, shape (N,)
        Sample times (iterations for maps).
    x : ndarray, shape (N, d) or (B, N, d)
        The recorded states (an observed system's observations), one run or B members.
    system : System
        The simulated system.
    method : str
        The method used (``"rk4"``, ``"dopri8"``, ``"iterate"``, ``"euler_maruyama"``, ...).
    rtol, atol : float or None
        Tolerances of an adaptive run; None for fixed-step runs.
    params : dict of str to ndarray
        Per-member values of the parameters varied across an ensemble (leading axis B).
    stats : dict
        Solver statistics of an adaptive run (``n_steps``, ``n_rejected``).
    """

    t: np.ndarray
    x: np.ndarray
    system: System
    method: str
    rtol: float | None = None
    atol: float | None = None
    params: dict[str, np.ndarray] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def is_ensemble(self) -> bool:
        """Whether ``x`` holds an ensemble (B, N, d)."""
        return self.x.ndim == 3

    def __len__(self) -> int:
        return self.t.shape[0]

    def __array__(self, dtype=None, copy=None):
        return self.x if dtype is None else self.x.astype(dtype)

    def to_numpy(self) -> np.ndarray:
        """The states ``x``."""
        return self.x

    @float64
    def to_xarray(self):
        """The trajectory as an ``xarray.Dataset`` following the CF conventions (CF-1.8).

        ``x`` over (``member``,) ``time``, ``variable``; every parameter is its own variable
        ``param_NAME`` (a scalar, or over ``member`` where a parameter ensemble varies it), so
        values keep their type and need no parsing; the system, kind, reference, method,
        tolerances, version and solver statistics are global attributes. Every variable has
        ``long_name`` and ``units``: catalog systems are written in the nondimensional variables
        of their reference, so states, parameters and times have units ``"1"``, and a map's time
        counts iterations (each standing for ``system_dt`` time units).

        Returns
        -------
        xarray.Dataset
            Written by `to_netcdf` and read back as a `Trajectory` by `load_trajectory`.
        """
        import xarray as xr

        from .. import __version__

        dims = ("member", "time", "variable") if self.is_ensemble else ("time", "variable")
        # what the trajectory recorded: the state's names, or an observed system's (ProjectedSystem) observed_names
        variables = list(getattr(self.system, "observed_names", self.system.names))
        is_map = self.system.kind == "map"
        coords: dict[str, Any] = {
            "time": (
                "time",
                self.t,
                {
                    "long_name": "iteration" if is_map else "time",
                    "units": "1",
                    "standard_name": "time",
                    "axis": "T",
                },
            ),
            "variable": ("variable", variables, {"long_name": "name of the state variable"}),
        }
        state_attrs = {"long_name": f"state of {self.system.name}", "units": "1"}
        data_vars: dict[str, Any] = {"x": (dims, self.x, state_attrs)}
        if self.is_ensemble:
            coords["member"] = ("member", np.arange(self.x.shape[0]), {"long_name": "ensemble member"})
        for key, value in self.system.param_values().items():
            varied = self.params.get(key)
            arr = np.asarray(value if varied is None else varied, dtype=np.float64)
            lead = ("member",) if varied is not None else ()
            extra = tuple(f"param_{key}_dim{i}" for i in range(arr.ndim - len(lead)))
            data_vars[f"param_{key}"] = (
                lead + extra,
                arr,
                {"long_name": f"parameter {key} of {self.system.name}", "units": "1"},
            )
        attrs: dict[str, Any] = {
            "Conventions": "CF-1.8",
            "title": f"{self.system.name} trajectory ({self.method})",
            "source": f"dynstab {__version__}",
            "system": self.system.name,
            "kind": self.system.kind,
            "reference": self.system.reference,
            "system_dt": float(self.system.dt),
            "method": self.method,
            "rtol": float("nan") if self.rtol is None else self.rtol,
            "atol": float("nan") if self.atol is None else self.atol,
            "dynstab_version": __version__,
        }
        attrs.update({f"stat_{k}": v for k, v in self.stats.items() if isinstance(v, (int, float, str))})
        return xr.Dataset(data_vars, coords=coords, attrs=attrs)

    def to_netcdf(self, path: Any) -> None:
        """Write the trajectory with all its metadata to a NetCDF file (see `to_xarray`).

        The file is written under a temporary name in the same folder and renamed over ``path``
        when complete, so an interruption (Ctrl-C, a full disk) never leaves a partial file:
        ``path`` holds the whole trajectory, or what it held before.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write (h5netcdf engine); read it back with `load_trajectory`.
        """
        import os
        import tempfile

        target = Path(path)
        ds = self.to_xarray()
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        try:
            ds.to_netcdf(tmp, engine="h5netcdf")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.x.shape))
        return (
            f"Trajectory({self.system.name!r}, method={self.method!r}, x: {shape}, t: [{self.t[0]:g}, {self.t[-1]:g}])"
        )


@float64
def load_trajectory(path: Any, system: System | None = None) -> Trajectory:
    """Read a trajectory written by `Trajectory.to_netcdf` (or ``dynstab simulate``) back as a `Trajectory`.

    The system is the catalog system named in the file with the file's parameter values, or
    ``system`` (for a system of your own; the file's parameter values replace its own). A
    parameter varied across an ensemble comes back in ``Trajectory.params``. Files written by
    older versions, which kept the parameters as one JSON attribute, are read too.

    Parameters
    ----------
    path : str or os.PathLike
        A NetCDF file written by `Trajectory.to_netcdf`.
    system : System, optional
        The system the trajectory was simulated from, where it is not in the catalog (or its
        catalog default differs in structure, e.g. the number of oscillators).

    Returns
    -------
    Trajectory
        ``t``, ``x`` (N, d) or (B, N, d), the system with its parameters, method, tolerances and
        solver statistics. ``Trajectory.to_xarray()`` gives the labelled dataset.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not NetCDF, is not a dynstab trajectory, names a system that is not in
        the catalog (and ``system`` was not given), or its variables do not match the system's.
    """
    import xarray as xr

    from ..systems import get

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(2, "No such file", str(p))
    try:
        ds = xr.load_dataset(p, engine="h5netcdf")
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(
            f"{p}: not a readable NetCDF file ({type(exc).__name__}: {exc}); "
            "give a file written by dynstab simulate or Trajectory.to_netcdf"
        ) from None
    x = ds.get("x")
    expected = (("time", "variable"), ("member", "time", "variable"))
    if x is None or x.dims not in expected or "system" not in ds.attrs:
        raise ValueError(
            f"{p} is NetCDF but not a dynstab trajectory (no 'x' over (time, variable) and no 'system' "
            "attribute); read it with xarray.load_dataset, or dynstab.timeseries.load_series for one series"
        )
    name = str(ds.attrs["system"])
    fixed, varied = _stored_params(ds)
    if system is None:
        try:
            system = get(name)
        except KeyError:
            raise ValueError(
                f"{p} holds a trajectory of {name!r}, which is not in the catalog; "
                "pass system= (the System it was simulated from)"
            ) from None
    system = check_system(system, "load_trajectory")
    known = {k: v for k, v in fixed.items() if k in system.params}
    if set(fixed) - set(known):
        raise ValueError(
            f"{p}: parameters {sorted(set(fixed) - set(known))} of the file are not parameters of {system.name}; "
            "pass the system it was simulated from as system="
        )
    try:
        system = system.with_params(**known)
    except ValueError as exc:
        raise ValueError(f"{p}: the file's parameters do not fit {system.name} ({exc}); pass system=") from None
    recorded = [str(v) for v in ds["variable"].values]
    names = list(getattr(system, "observed_names", system.names))
    if recorded != names:
        raise ValueError(
            f"{p} records the variables {recorded}, but {system.name} has {names}; "
            "pass the system it was simulated from as system="
        )
    xs = np.asarray(x.values, dtype=np.float64)
    times = np.asarray(ds["time"].values, dtype=np.float64)
    if not np.all(np.isfinite(times)) or (times.size > 1 and np.any(np.diff(times) <= 0)):
        raise ValueError(f"{p}: the time coordinate is not finite and increasing; the file is damaged")

    def tolerance(key: str) -> float | None:
        value = ds.attrs.get(key)
        return None if value is None or not math.isfinite(float(value)) else float(value)

    stats = {k[len("stat_") :]: _plain(v) for k, v in ds.attrs.items() if k.startswith("stat_")}
    return Trajectory(
        t=times,
        x=xs,
        system=system,
        method=str(ds.attrs.get("method", "unknown")),
        rtol=tolerance("rtol"),
        atol=tolerance("atol"),
        params=varied,
        stats=stats,
    )


def _stored_params(ds: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The file's fixed parameter values and the per-member values of a parameter ensemble.

    ``param_NAME`` variables (files of this version), or the JSON attribute ``parameters`` of
    older files (whose ``param_NAME`` variables held only the varied parameters).
    """
    fixed: dict[str, Any] = {}
    varied: dict[str, np.ndarray] = {}
    if isinstance(ds.attrs.get("parameters"), str):
        fixed.update(json.loads(ds.attrs["parameters"]))
    for key in ds.data_vars:
        if not str(key).startswith("param_"):
            continue
        name, var = str(key)[len("param_") :], ds[key]
        values = np.asarray(var.values, dtype=np.float64)
        if "member" in var.dims:
            varied[name] = values
            fixed.pop(name, None)
        else:
            fixed[name] = float(values) if values.ndim == 0 else values.tolist()
    return fixed, varied


def _plain(value: Any) -> Any:
    """A NetCDF attribute value as a plain Python number or string."""
    return value.item() if isinstance(value, np.generic) else value


class _Adaptive(NamedTuple):
    """Static settings of an adaptive flow run: outputs at t0 + transient + k * dt."""

    method: str
    dt: float
    n_out: int
    transient: float
    rtol: float
    atol: float
    max_steps: int


class _Kernel(NamedTuple):
    """Static configuration of one compiled simulation (an ensemble is a vmap of the same run)."""

    evolution: Evolution  # the system's steps (fixed-step, iterated, stochastic runs) and what is recorded
    plan: Plan | None
    adaptive: _Adaptive | None  # adaptive flow runs
    batch_x0: bool
    batch_params: tuple[str, ...]


@persistent_jit(static_argnames=("law", "kernel"))
def _simulate(law, kernel: _Kernel, x0, params, keys, t0):
    # a single run carries a small state as scalars: Lorenz RK4 2.3x -> 1.2-1.7x numba's time
    # (benchmarks/bench_evolution.py); an ensemble's vmap keeps arrays (scalars measured 15% slower there)
    single = not (kernel.batch_x0 or kernel.batch_params)

    def one(y0, p, key):
        zero = jnp.asarray(0)
        if kernel.adaptive is not None:
            cfg = kernel.adaptive
            f = lambda x, t: law(x, p, t)  # noqa: E731
            ts = t0 + cfg.transient + cfg.dt * jnp.arange(cfg.n_out)
            if cfg.transient > 0:
                ys, st0, _, _, _ = adaptive_solve(cfg.method, f, y0, t0, ts[:1], cfg.rtol, cfg.atol, cfg.max_steps)
                y0 = ys[0]
            ys, status, n_acc, n_rej, _ = adaptive_solve(
                cfg.method, f, y0, ts[0], ts, cfg.rtol, cfg.atol, cfg.max_steps
            )
            if cfg.transient > 0:
                status = jnp.where(st0 != OK, st0, status)
            return jax.vmap(kernel.evolution.observe)(ys), status, n_acc, n_rej
        ev, plan = kernel.evolution, kernel.plan
        assert plan is not None  # every run but an adaptive one (above) has a plan
        k_tr, k_run = jax.random.split(key) if ev.stochastic else (None, None)
        start = t0 + plan.n_transient * ev.tick
        s = run(ev.step(p, k_tr), ev.initial(y0, p), t0, ev.tick, plan.n_transient, scalars=single)
        xs = sample(ev.step(p, k_run), s, start, ev.tick, plan.n_sub, plan.n_out, ev.observe, scalars=single)
        return xs, jnp.asarray(OK), zero, zero

    p_axes = {k: (0 if k in kernel.batch_params else None) for k in params}
    if not single:
        return jax.vmap(one, in_axes=(0 if kernel.batch_x0 else None, p_axes, 0))(x0, params, keys)
    return one(x0, params, keys)


# ------------------------------------------------------------------ long fixed-step runs in compiled chunks
def _is_long(kernel: _Kernel, x0, params) -> bool:
    """Whether a fixed-step run's `estimated_seconds` exceed `LONG_RUN_SECONDS` (it then runs in chunks)."""
    ev, plan = kernel.evolution, kernel.plan
    if plan is None:  # adaptive runs stay one compiled call
        return False
    n_steps = plan.n_transient + plan.n_sub * (plan.n_out - 1)
    batch = x0.shape[0] if kernel.batch_x0 else 1
    for key in kernel.batch_params:
        batch = params[key].shape[0]
    numbers = x0.shape[-1]  # a lower bound: a history buffer (prepare) holds more numbers
    if estimated_seconds(n_steps, numbers, batch) <= loops.LONG_RUN_SECONDS and ev.prepare is not None:
        one = x0[0] if kernel.batch_x0 else x0
        p = {k: (v[0] if k in kernel.batch_params else v) for k, v in params.items()}
        numbers = math.prod(jax.eval_shape(ev.initial, one, p).shape)
    return estimated_seconds(n_steps, numbers, batch) > loops.LONG_RUN_SECONDS


@partial(jax.jit, static_argnames=("kernel",))
def _chunked_start(kernel: _Kernel, x0, params, keys, t0):
    """The internal states at the start, the transient's and the samples' noise keys (as `_simulate` splits
    them) and the law time after the transient."""
    ev, plan = kernel.evolution, kernel.plan
    assert plan is not None

    def one(y0, p, key):
        k_tr, k_run = jax.random.split(key) if ev.stochastic else (None, None)
        return ev.initial(y0, p), k_tr, k_run

    if not (kernel.batch_x0 or kernel.batch_params):
        s, k_tr, k_run = one(x0, params, keys)
    else:
        p_axes = {k: (0 if k in kernel.batch_params else None) for k in params}
        s, k_tr, k_run = jax.vmap(one, in_axes=(0 if kernel.batch_x0 else None, p_axes, 0))(x0, params, keys)
    return s, k_tr, k_run, t0 + plan.n_transient * kernel.evolution.tick


@partial(jax.jit, static_argnames=("kernel", "size", "record"))
def _chunk(kernel: _Kernel, size: int, record: bool, state, params, key, t0, start, count):
    """One compiled chunk of a long fixed-step run from ``state`` (leading member axis for an ensemble), law
    time ``t0`` at step index 0: ``record``, samples ``start .. start + count - 1`` into a (member,) size x d
    buffer (`dynstab.simulate.evolution.sample_part`); otherwise steps ``start .. start + count - 1`` of the
    transient (`dynstab.simulate.evolution.run_part`). ``start`` and ``count`` are traced: one compilation
    serves every chunk. A single run carries a small state as scalars, like `_simulate`."""
    ev, plan = kernel.evolution, kernel.plan
    assert plan is not None
    single = not (kernel.batch_x0 or kernel.batch_params)

    def one(s, p, k):
        step = ev.step(p, k)
        if record:
            n_out = plan.n_out
            return sample_part(step, s, t0, ev.tick, plan.n_sub, n_out, size, start, count, ev.observe, single)
        return run_part(step, s, t0, ev.tick, start, count, scalars=single), ()

    if single:
        return one(state, params, key)
    p_axes = {k: (0 if k in kernel.batch_params else None) for k in params}
    return jax.vmap(one, in_axes=(0, p_axes, 0))(state, params, key)


#: A stored sample's steps cost this many times `estimated_seconds` (calibrated on tangent runs): Lorenz RK4
#: samples measured 12-30 ns per number and step (every 10 steps / every step) against its 5 ns. It sizes the
#: samples' buffer (`chunks_of`), allocated by every chunk: a buffer 2.4 times the rows a chunk fills cost 45 ms
#: per 0.25 s chunk (Lorenz, t = 2e5 sampled every 0.1: chunked 0.97 s against 0.72 s in one call); sized
#: with this factor, chunks / one call measured 0.98 (t = 4e5, median of 7 alternating rounds).
SAMPLED_COST = 4


def _simulate_in_chunks(kernel: _Kernel, x0, params, keys, t0, progress) -> np.ndarray:
    """`_simulate` of a long fixed-step run as compiled chunks of about `CHUNK_SECONDS`
    (`dynstab.simulate.evolution.in_chunks`): the transient (states only), then the samples written into one
    preallocated array, with the loop bodies, step indices, law times and noise keys of the one-call run.
    Ctrl-C stops it within a chunk; ``progress(done, total)`` counts steps."""
    ev, plan = kernel.evolution, kernel.plan
    assert plan is not None
    ensemble = kernel.batch_x0 or bool(kernel.batch_params)
    state, k_tr, k_run, start_time = _chunked_start(kernel, x0, params, keys, t0)
    batch = jax.tree.leaves(state)[0].shape[0] if ensemble else 1
    numbers = math.prod(jnp.shape(state)[1:] if ensemble else jnp.shape(state))
    total = plan.n_transient + plan.n_sub * (plan.n_out - 1)
    axis = 1 if ensemble else 0
    # the chunks do not depend on the transient's length: runs that differ only there share their compilations
    chunk_kernel = kernel._replace(plan=plan._replace(n_transient=0))

    def report(offset: int, per: int) -> Callable[[int, int], None] | None:
        return None if progress is None else (lambda done, _: progress(min(offset + per * done, total), total))

    if plan.n_transient:
        cut = chunks_of(plan.n_transient, 1, numbers, batch)
        piece = lambda s, j, m: _chunk(chunk_kernel, cut.size, False, s, params, k_tr, t0, j, m)  # noqa: E731
        state, _ = in_chunks(
            piece,
            state,
            plan.n_transient,
            cut.first,
            cut.size,
            axis=axis,
            progress=report(0, 1),
            multiple=cut.multiple,
            store=lambda start, ys: None,
        )
    shape = jax.eval_shape(jax.vmap(ev.observe) if ensemble else ev.observe, state).shape
    out = np.empty((*shape[:axis], plan.n_out, *shape[axis:]), dtype=np.float64)

    def store(start: int, ys: np.ndarray) -> None:
        out[(slice(None),) * axis + (slice(start, start + ys.shape[axis]),)] = ys

    cut = chunks_of(plan.n_out, plan.n_sub, SAMPLED_COST * numbers, batch)
    piece = lambda s, j, m: _chunk(chunk_kernel, cut.size, True, s, params, k_run, start_time, j, m)  # noqa: E731
    # a sample j advances n_sub steps after it is recorded: sample j done, n_transient + n_sub j steps done
    in_chunks(
        piece,
        state,
        plan.n_out,
        cut.first,
        cut.size,
        axis=axis,
        progress=report(plan.n_transient, plan.n_sub),
        store=store,
    )
    return out


@float64
def trajectory(
    system: System,
    t: float | None = None,
    dt: float | None = None,
    *,
    n: int | None = None,
    x0: Any = None,
    transient: float = 0.0,
    method: str | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    step: float | None = None,
    params: dict[str, Any] | None = None,
    seed: int = 0,
    t0: float = 0.0,
    max_steps: int = 10_000_000,
    on_blowup: str = "raise",
    progress: Callable[[int, int], None] | None = None,
) -> Trajectory:
    """Simulate ``system`` and return a `Trajectory`.

    Flows: ``t`` is the length after the ``transient``, sampled every ``dt`` (default
    ``system.dt``), so the result has ``round(t / dt) + 1`` points. Methods: fixed-step
    ``"rk4"`` (default), ``"rk8"`` (DOP853's 8th-order formula), ``"euler"``, whose step is
    ``step`` (default the largest step <= ``system.dt`` that divides ``dt``); adaptive
    ``"tsit5"`` (Tsitouras 2011, diffrax), ``"dopri8"`` (DOP853 with 7th-order dense
    output, Hairer et al. 1993; fastest for tight tolerances) and ``"kvaerno5"`` (implicit,
    for stiff systems, diffrax) with ``rtol``/``atol``.

    Maps: ``n`` iterations after ``transient`` iterations, sampled every ``dt`` (default 1).

    SDEs: ``"euler_maruyama"`` (default) or ``"milstein"`` with step ``step``; ``seed``
    fixes the noise.

    Ensembles run as one compiled call: ``x0`` of shape (B, d), and/or ``params``
    mapping parameter names to arrays whose leading axis is the member axis (B,).

    Every system kind runs through its own `dynstab.simulate.evolution.Evolution` (delay
    equations by the method of steps on their history buffer); adaptive methods integrate flows.
    Sampling by dominant periods or Lyapunov times (``periods=``, ``lyapunov_times=``) needs the
    system's time scales, an analysis result: `dynstab.trajectory` (`dynstab.analysis.sampling.trajectory`)
    accepts them.

    A trajectory that leaves the finite numbers raises `TrajectoryDivergedError` naming
    the system, member, time and last finite state (``on_blowup="nan"`` keeps NaN rows instead).

    A fixed-step run (flows, maps, SDEs, delay equations, ensembles) whose estimated time exceeds
    `dynstab.simulate.evolution.LONG_RUN_SECONDS` runs as compiled chunks of about
    `dynstab.simulate.evolution.CHUNK_SECONDS` (`dynstab.simulate.evolution.in_chunks`): the transient,
    then the samples written into one preallocated array, with the same steps, step indices, law times
    and noise as one compiled call (the same numbers). Ctrl-C (KeyboardInterrupt) then stops it within a
    chunk, and ``progress`` reports between chunks. Adaptive runs are one compiled call.

    Parameters
    ----------
    system : System
        Any dynstab system: flow, map, SDE, delay equation or derived system.
    t : float, optional
        Flows, SDEs, delay equations: the time span after the transient (required). Maps: a
        synonym of ``n``.
    dt : float, optional
        Sampling interval: time units (default ``system.dt``) for continuous time, a whole
        number of iterations (default 1) for maps.
    n : int, optional
        Maps: the number of iterations after the transient (required, unless given as ``t``).
        Not accepted for continuous-time systems.
    x0 : array_like, shape (d,) or (B, d), optional
        Initial state (default ``system.x0``), or one per ensemble member.
    transient : float, default 0.0
        Discarded first: time units (rounded up to whole steps), or iterations for maps.
    method : str, optional
        Flows: ``"rk4"`` (default), ``"rk8"``, ``"euler"``, ``"tsit5"``, ``"dopri8"``,
        ``"kvaerno5"``; SDEs: ``"euler_maruyama"`` (default), ``"milstein"``; maps are
        iterated and delay equations stepped by ``"rk4"`` (the method of steps).
    rtol : float, default 1e-8
        Relative tolerance of an adaptive method.
    atol : float, default 1e-10
        Absolute tolerance of an adaptive method.
    step : float, optional
        Largest integration step of a fixed-step method or an SDE scheme (default
        ``system.dt``); the step used divides ``dt``.
    params : dict of str to array_like, optional
        Parameter values replacing the system's; an array with a leading member axis (B, ...)
        makes a parameter ensemble.
    seed : int, default 0
        Seed of an SDE's noise (each ensemble member gets its own key).
    t0 : float, default 0.0
        Start time (rounded to a whole iteration for maps).
    max_steps : int, default 10_000_000
        Most steps of an adaptive method.
    on_blowup : {"raise", "nan"}, default "raise"
        What to do when the states leave the finite numbers.
    progress : callable, optional
        ``progress(done, total)`` in steps (transient included), called from the calling thread between
        the compiled chunks of a long fixed-step run; a short run (one compiled call) does not call it.

    Returns
    -------
    Trajectory
        The times, states (N, d) or (B, N, d) and metadata.

    Raises
    ------
    TrajectoryDivergedError
        If the trajectory leaves the finite numbers and ``on_blowup="raise"``.
    RuntimeError
        If an adaptive method reaches ``max_steps`` before the end.
    ValueError
        For an unknown method, a method the system does not take, ``n`` for a flow or no
        ``n``/``t`` for a map, ensemble sizes that disagree, a delay varied across an ensemble, or
        a flow's sampling step ``dt`` longer than a span ``t > 0`` (which would return only t = 0).
    KeyError
        For a parameter the system does not have.

    References
    ----------
    Tsitouras, Comput. Math. Appl. 62, 770 (2011) (``"tsit5"``); Hairer, Norsett & Wanner,
    Solving Ordinary Differential Equations I, 2nd ed., Springer 1993, Sec. II.10
    (``"dopri8"``, ``"rk8"``); Kvaerno, BIT Numer. Math. 44, 489 (2004) (``"kvaerno5"``);
    Kloeden & Platen, Numerical Solution of Stochastic Differential Equations, Springer 1992,
    Sec. 10.2-10.3 (SDE schemes).
    """
    check_system(system, "trajectory")
    if on_blowup not in ("raise", "nan"):
        raise ValueError("on_blowup must be 'raise' or 'nan'")
    x0_arr = as_state(system.x0 if x0 is None else x0, system.dim)
    batch_x0 = x0_arr.ndim == 2

    base = dict(system.params)
    batch_params: list[str] = []
    batch_sizes = {x0_arr.shape[0]} if batch_x0 else set()
    for key, value in as_params(params).items():
        if key not in base:
            system.with_params(**{key: 0.0})  # raises the helpful unknown-parameter error
        want = base[key].shape
        if value.shape == want:
            base[key] = value
            continue
        if value.shape[1:] != want:
            raise ValueError(
                f"params[{key!r}] has shape {value.shape}; expected {want} or (B, *{want}) for an ensemble"
            )
        base[key] = value
        batch_params.append(key)
        batch_sizes.add(value.shape[0])
    if len(batch_sizes) > 1:
        raise ValueError(f"ensemble sizes disagree between x0 and params: {sorted(batch_sizes)}")
    B = batch_sizes.pop() if batch_sizes else None

    delay = getattr(system, "delay", None)
    if delay in batch_params:
        raise ValueError(
            f"{system.name}: the delay {delay!r} sets the history length and cannot vary "
            "across an ensemble; run one ensemble per delay"
        )
    t0 = as_float(t0, name="t0")
    kernel, times = _plan(system, t, dt, n, transient, method, rtol, atol, step, max_steps, t0)
    kernel = kernel._replace(batch_x0=batch_x0, batch_params=tuple(sorted(batch_params)))
    seed = as_int(seed, name="seed")
    if kernel.evolution.stochastic:  # keys only where noise is drawn (two dispatches, ~0.1 ms per call otherwise)
        root = jax.random.PRNGKey(seed)
        keys = jax.random.split(root, B) if B is not None else root
    else:
        keys = None
    t0_arr = kernel.evolution.time_zero(t0)
    if _is_long(kernel, x0_arr, base):
        xs = _simulate_in_chunks(kernel, jnp.asarray(x0_arr), base, keys, t0_arr, progress)
        status, n_acc, n_rej = np.asarray(OK), 0, 0
    else:
        # x0 as NumPy: the jitted call converts it on its C++ path (jnp.asarray compiles a copy per shape)
        xs, status, n_acc, n_rej = _simulate(system.rhs, kernel, np.asarray(x0_arr), base, keys, t0_arr)
    xs = np.asarray(xs)
    status = np.atleast_1d(np.asarray(status))
    _check_result(system, xs, times, status, on_blowup, kernel)
    adaptive = kernel.adaptive
    stats = {"n_steps": int(np.sum(n_acc)), "n_rejected": int(np.sum(n_rej))} if adaptive else {}
    rtol_used = float(adaptive.rtol) if adaptive else None
    method_used = adaptive.method if adaptive else kernel.evolution.method
    return Trajectory(
        t=times,
        x=xs,
        system=system,
        method=method_used,
        rtol=rtol_used,
        atol=atol if rtol_used else None,
        params={k: np.asarray(base[k]) for k in batch_params},
        stats=stats,
    )


def _plan(system, t, dt, n, transient, method, rtol, atol, step, max_steps, t0):
    """Turn the user's request into a static kernel configuration and the output times."""
    transient = as_float(transient, name="transient", minimum=0.0)
    if not system.continuous_time:
        n_name = "n (the number of iterations)" if n is not None or t is None else "t (the number of iterations)"
        if t is not None and n is None:
            n = t
        if n is None:
            raise ValueError(f"a map needs n= (the number of iterations, an integer >= 0), got {n!r}")
        n = _count(as_int(n, name=n_name, minimum=0), "n (iterations)")
        stride = 1 if dt is None else as_int(dt, name="dt (for a map, the sampling stride in iterations)", minimum=1)
        transient = as_int(transient, name="transient (for a map, the number of iterations)", minimum=0)
        transient = _count(transient, "transient (iterations)")
        ev = evolution_of(system, method)
        plan = Plan(transient, stride, n // stride + 1)
        _check_output_size(system, plan.n_out, "keep every k-th iteration with dt=k, or lower n")
        times = int(t0) + plan.n_transient + stride * np.arange(plan.n_out)
        return _Kernel(ev, plan, None, False, ()), times
    if n is not None:
        raise ValueError("n= counts iterations of maps; for a flow give the time span t=")
    if t is None:
        raise ValueError(f"a flow needs the time span t= (finite, >= 0), got {t!r}")
    t = as_float(t, name="t (the time span)", minimum=0.0)
    dt = as_step(system.dt if dt is None else dt, name="dt")
    if t > 0 and dt > t:
        raise ValueError(
            f"dt={dt:g} is longer than the span t={t:g}: only the point at t = 0 would be returned; give dt <= t"
        )
    n_out = _count(t / dt, f"t / dt (samples, t = {t:g}, dt = {dt:g})") + 1
    _check_output_size(system, n_out, "sample less often with a larger dt, or shorten t")
    if method in ADAPTIVE_METHODS:
        ev = evolution_of(system)
        if ev.iterated or ev.stochastic:
            evolution_of(system, method)  # the system's own message about the methods it takes
            raise ValueError(
                f"{system.name}: the adaptive method {method!r} integrates ordinary differential "
                f"equations; this {system.kind} is stepped by {ev.method!r}"
            )
        rtol = as_float(rtol, name="rtol", minimum=0.0, maximum=1.0, inclusive="neither")
        atol = as_positive_float(atol, name="atol")
        max_steps = as_int(max_steps, name="max_steps", minimum=1)
        times = _times(t0 + transient, dt, n_out)
        cfg = _Adaptive(method, dt, n_out, transient, rtol, atol, max_steps)
        return _Kernel(ev, None, cfg, False, ()), times  # ev: what the samples record (an observed system's h(x))
    if method is not None and method not in FLOW_METHODS + SDE_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {FLOW_METHODS}")
    h_max = as_step(system.dt if step is None else step, name="step")
    n_sub = max(1, _count(dt / h_max, f"dt / step (steps, dt = {dt:g}, step = {h_max:g})", up=True))
    ev = evolution_of(system, method, dt / n_sub)  # a delay equation may take a smaller step (tau / m)
    h = abs(ev.h)
    if ev.iterated:  # sample every whole number of steps closest to dt
        n_sub = max(1, int(round(dt / h)))
        n_out = _count(t / h, f"t / step (steps, t = {t:g}, step = {h:g})") // n_sub + 1
    # the transient is rounded up to whole steps so one step size serves the whole run
    n_transient = _count(transient / h, f"transient / step (steps, transient = {transient:g}, step = {h:g})", up=True)
    plan = Plan(n_transient if transient else 0, n_sub, n_out)
    k0 = int(round(t0 / h)) * h if ev.iterated else t0
    times = _times(k0 + plan.n_transient * h, n_sub * h if ev.iterated else dt, n_out)
    return _Kernel(ev, plan, None, False, ()), times


MAX_COUNT = 2**53
"""The most steps or samples a request may ask for (beyond, counts are no longer exact in float64)."""


def _count(value: float, what: str, *, up: bool = False) -> int:
    """``value`` rounded (``up``: rounded up, ignoring 1e-9) to a count, refused when it is not
    finite or over `MAX_COUNT`."""
    if not (value <= MAX_COUNT and math.isfinite(value)):
        size = f"{value:.3g}" if abs(value) < 1e300 else "more than 1e300"
        raise ValueError(f"{what} = {size} is too many (over 2**53 = 9.0e15): ask for a shorter run or a larger step")
    return math.ceil(value - 1e-9) if up else int(round(value))


def _check_output_size(system: System, n_out: int, remedy: str) -> None:
    """Refuse, before anything is allocated, samples (and their times) over the memory limit."""
    check_allocation(
        n_out * (system.dim + 1) * 8.0, f"the trajectory ({n_out:.3g} points x {system.dim} variables)", remedy
    )


def _times(start: float, step: float, n: int) -> np.ndarray:
    """``start + step * arange(n)`` (the same values) built in place in one array: a float arange and in-place
    products skip the int -> float pass and two fresh arrays (1e6 points: 1.1 ms -> 0.3 ms)."""
    times = np.arange(n, dtype=float)
    times *= step
    times += start
    return times


def _check_result(system, xs, times, status, on_blowup, kernel):
    if np.any(status == MAX_STEPS):
        raise RuntimeError(f"{system.name}: {STATUS_TEXT[MAX_STEPS]} (max_steps={kernel.adaptive.max_steps})")
    if on_blowup == "nan" or np.isfinite(xs.sum()):  # one pass over the data; the rows only when needed
        return
    finite_rows = np.all(np.isfinite(xs), axis=-1)
    if finite_rows.all():  # finite values whose sum overflowed
        return
    members = xs if xs.ndim == 3 else xs[None]
    rows = finite_rows if finite_rows.ndim == 2 else finite_rows[None]
    b = int(np.argmax(~rows.all(axis=1)))
    i = int(np.argmax(~rows[b]))
    member = f" (ensemble member {b})" if xs.ndim == 3 else ""
    last = (
        f"last finite state {np.array2string(members[b, i - 1], precision=6)} at t={times[i - 1]:g}"
        if i > 0
        else "no finite state"
    )
    reason = STATUS_TEXT.get(int(status[min(b, status.size - 1)]), "") if kernel.adaptive else ""
    raise TrajectoryDivergedError(
        f"{system.name}{member} left the finite numbers before t={times[i]:g}; {last}. "
        + (f"Solver: {reason}. " if reason and reason != "ok" else "")
        + (
            getattr(system, "nan_hint", "")
            or "Check the parameters and initial condition, or use a smaller step / an adaptive or implicit method."
        )
    )
