"""`trajectory`: simulate any system (single run or ensemble) and return a labelled result."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..systems.base import SDE, Map, System, as_params, as_state
from ..systems.delay import DelayFlow
from .adaptive import ADAPTIVE_METHODS, MAX_STEPS, OK, STATUS_TEXT, adaptive_solve
from .sde import SDE_METHODS, integrate_sde
from .steppers import FIXED_STEP_METHODS, integrate_fixed, iterate_map

FLOW_METHODS = (*FIXED_STEP_METHODS, *ADAPTIVE_METHODS)


class TrajectoryDivergedError(FloatingPointError):
    """The state left the finite numbers (overflow to inf or NaN) during a simulation."""


@dataclass(frozen=True)
class Trajectory:
    """A simulated trajectory or ensemble of trajectories.

    ``t`` has shape (N,); ``x`` has shape (N, d) for one run or (B, N, d) for an ensemble.
    ``params`` holds the per-member parameter values of a parameter ensemble.
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
        return self.x.ndim == 3

    def __len__(self) -> int:
        return self.t.shape[0]

    def __array__(self, dtype=None, copy=None):
        return self.x if dtype is None else self.x.astype(dtype)

    def to_numpy(self) -> np.ndarray:
        return self.x

    def to_xarray(self):
        """An ``xarray.Dataset`` with ``x`` over (member,) time, variable and the metadata as attributes."""
        import xarray as xr

        from .. import __version__

        dims = ("member", "time", "variable") if self.is_ensemble else ("time", "variable")
        coords: dict[str, Any] = {"time": self.t, "variable": list(self.system.names)}
        data_vars: dict[str, Any] = {"x": (dims, self.x)}
        if self.is_ensemble:
            coords["member"] = np.arange(self.x.shape[0])
            for key, value in self.params.items():
                data_vars[f"param_{key}"] = (("member",) + tuple(f"{key}_dim{i}" for i in range(value.ndim - 1)), value)
        attrs = {
            "system": self.system.name,
            "kind": self.system.kind,
            "reference": self.system.reference,
            "parameters": json.dumps(self.system.param_values()),
            "method": self.method,
            "rtol": float("nan") if self.rtol is None else self.rtol,
            "atol": float("nan") if self.atol is None else self.atol,
            "dynstab_version": __version__,
        }
        attrs.update({f"stat_{k}": v for k, v in self.stats.items() if isinstance(v, (int, float, str))})
        ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)
        ds["time"].attrs["long_name"] = "iteration" if self.system.kind == "map" else "time"
        return ds

    def to_netcdf(self, path) -> None:
        """Write the trajectory with all its metadata to a NetCDF file."""
        self.to_xarray().to_netcdf(path, engine="h5netcdf")

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.x.shape))
        return f"Trajectory({self.system.name!r}, method={self.method!r}, x: {shape}, t: [{self.t[0]:g}, {self.t[-1]:g}])"


def load_trajectory(path):
    """Read a trajectory written by `Trajectory.to_netcdf` back as an ``xarray.Dataset``."""
    import xarray as xr

    return xr.load_dataset(path, engine="h5netcdf")


class _Config(NamedTuple):
    kind: str
    method: str
    h: float
    n_sub: int
    n_out: int
    n_transient: int  # fixed-step: number of steps of the transient
    transient: float  # adaptive: transient length in time
    rtol: float
    atol: float
    max_steps: int
    batch_x0: bool
    batch_params: tuple[str, ...]
    noise_shape: tuple[int, ...]
    observe: tuple[int, int] = (0, 0)  # maps: keep state[a:b] at each output (history buffers of DDEs)


@partial(jax.jit, static_argnames=("law", "diffusion", "cfg"))
def _simulate(law, diffusion, cfg: _Config, x0, params, keys, t0):
    def one(y0, p, key):
        f = lambda x, t: law(x, p, t)  # noqa: E731
        zero = jnp.asarray(0)
        if cfg.kind == "map":
            a, b = cfg.observe
            observe = (lambda s: s[a:b]) if b else None  # noqa: E731
            y0 = iterate_map(f, y0, t0, cfg.n_transient, 2)[-1] if cfg.n_transient else y0
            xs = iterate_map(f, y0, t0 + cfg.n_transient, cfg.n_sub, cfg.n_out, observe)
            return xs, jnp.asarray(OK), zero, zero
        if cfg.kind == "sde":
            g = lambda x, t: diffusion(x, p, t)  # noqa: E731
            k_tr, k_run = jax.random.split(key)
            ts = t0 + cfg.n_transient * cfg.h
            if cfg.n_transient:
                y0 = integrate_sde(cfg.method, f, g, cfg.noise_shape, k_tr, y0, t0, cfg.h, cfg.n_transient, 2)[-1]
            xs = integrate_sde(cfg.method, f, g, cfg.noise_shape, k_run, y0, ts, cfg.h, cfg.n_sub, cfg.n_out)
            return xs, jnp.asarray(OK), zero, zero
        if cfg.method in FIXED_STEP_METHODS:
            tab = FIXED_STEP_METHODS[cfg.method]
            if cfg.n_transient:
                y0 = integrate_fixed(tab, f, y0, t0, cfg.h, cfg.n_transient, 2)[-1]
            ts = t0 + cfg.n_transient * cfg.h
            return integrate_fixed(tab, f, y0, ts, cfg.h, cfg.n_sub, cfg.n_out), jnp.asarray(OK), zero, zero
        # adaptive: outputs at t0 + transient + k * dt (dt = n_sub * h)
        ts = t0 + cfg.transient + cfg.h * cfg.n_sub * jnp.arange(cfg.n_out)
        if cfg.transient > 0:
            ys, st0, _, _, _ = adaptive_solve(cfg.method, f, y0, t0, ts[:1], cfg.rtol, cfg.atol, cfg.max_steps)
            y0 = ys[0]
        ys, status, n_acc, n_rej, _ = adaptive_solve(cfg.method, f, y0, ts[0], ts, cfg.rtol, cfg.atol, cfg.max_steps)
        if cfg.transient > 0:
            status = jnp.where(st0 != OK, st0, status)
        return ys, status, n_acc, n_rej

    p_axes = {k: (0 if k in cfg.batch_params else None) for k in params}
    if cfg.batch_x0 or cfg.batch_params:
        return jax.vmap(one, in_axes=(0 if cfg.batch_x0 else None, p_axes, 0))(x0, params, keys)
    return one(x0, params, keys)


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
    periods: float | None = None,
    pts_per_period: int = 100,
    lyapunov_times: float | None = None,
    per_lyapunov_time: int = 100,
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

    Standardized sampling (as dysts, Gilpin 2021): ``periods=P, pts_per_period=k`` gives P
    dominant periods sampled k times per period; ``lyapunov_times=L, per_lyapunov_time=k``
    gives L Lyapunov times sampled k times each. The time scales come from the catalog's
    annotated metadata (`characteristic_times`), so every system is sampled alike.

    A trajectory that leaves the finite numbers raises `TrajectoryDivergedError` naming
    the system, member, time and last finite state (``on_blowup="nan"`` keeps NaN rows instead).
    """
    if not isinstance(system, System):
        raise TypeError(f"system must be a dynstab Flow, Map or SDE, got {type(system).__name__}")
    if on_blowup not in ("raise", "nan"):
        raise ValueError("on_blowup must be 'raise' or 'nan'")
    if periods is not None or lyapunov_times is not None:
        t, dt = _standardized_span(system, t, dt, periods, pts_per_period, lyapunov_times, per_lyapunov_time)
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
            raise ValueError(f"params[{key!r}] has shape {value.shape}; expected {want} or (B, *{want}) for an ensemble")
        base[key] = value
        batch_params.append(key)
        batch_sizes.add(value.shape[0])
    if len(batch_sizes) > 1:
        raise ValueError(f"ensemble sizes disagree between x0 and params: {sorted(batch_sizes)}")
    B = batch_sizes.pop() if batch_sizes else None

    if isinstance(system, DelayFlow):
        if system.delay in batch_params:
            raise ValueError(f"{system.name}: the delay {system.delay!r} sets the history length and cannot vary "
                             "across an ensemble; run one ensemble per delay")
        law, cfg, times, x0_arr, t0 = _plan_delay(system, t, dt, n, transient, method, step, t0, x0_arr)
        rtol_used = None
    else:
        law = system.rhs
        cfg, times, rtol_used = _plan(system, t, dt, n, transient, method, rtol, atol, step, max_steps, t0)
    cfg = cfg._replace(batch_x0=batch_x0, batch_params=tuple(sorted(batch_params)),
                       noise_shape=system.noise_shape if isinstance(system, SDE) else ())
    key = jax.random.PRNGKey(seed)
    keys = jax.random.split(key, B) if B is not None else key
    diffusion = system.diffusion if isinstance(system, SDE) else None
    t0_arr = jnp.asarray(t0 if cfg.kind != "map" else int(t0))
    xs, status, n_acc, n_rej = _simulate(law, diffusion, cfg, jnp.asarray(x0_arr), base, keys, t0_arr)
    xs = np.asarray(xs)
    status = np.atleast_1d(np.asarray(status))
    _check_result(system, xs, times, status, on_blowup, cfg)
    stats = {"n_steps": int(np.sum(n_acc)), "n_rejected": int(np.sum(n_rej))} if cfg.method in ADAPTIVE_METHODS else {}
    return Trajectory(
        t=times, x=xs, system=system, method=cfg.method, rtol=rtol_used, atol=atol if rtol_used else None,
        params={k: np.asarray(base[k]) for k in batch_params}, stats=stats,
    )


def characteristic_times(system: System) -> dict[str, float]:
    """The dominant period and the Lyapunov time of a flow, from the catalog's metadata.

    Systems without metadata (user-defined, or catalog systems with changed parameters) get
    them estimated once per process: the period from the power spectrum of a probe
    trajectory, the Lyapunov time from a short Benettin run.
    """
    from ..systems.metadata import metadata

    meta = metadata(system)
    if meta is not None and meta.get("period"):
        return {"period": float(meta["period"]), "lyapunov_time": float(meta["lyapunov_time"] or math.inf)}
    key = (system.rhs, system.dt, tuple(sorted((k, float(np.sum(v))) for k, v in system.param_values().items())))
    if key not in _ESTIMATED_TIMES:
        from ..analysis.lyapunov import max_lyapunov
        from ..timeseries import dominant_period

        probe = trajectory(system, t=4000 * system.dt, transient=2000 * system.dt)
        lam = max_lyapunov(system, t=20_000 * system.dt, x0=probe.x[-1])
        _ESTIMATED_TIMES[key] = {"period": dominant_period(probe, skip=system.unbounded),
                                 "lyapunov_time": 1.0 / lam if lam > 0 else math.inf}
    return _ESTIMATED_TIMES[key]


_ESTIMATED_TIMES: dict = {}


def _standardized_span(system, t, dt, periods, pts_per_period, lyapunov_times, per_lyapunov_time):
    if isinstance(system, Map):
        raise ValueError("periods= and lyapunov_times= sample flows; a map is sampled by iteration (n=, dt=)")
    if t is not None or dt is not None or (periods is not None and lyapunov_times is not None):
        raise ValueError("give either t/dt, or periods (with pts_per_period), or lyapunov_times "
                         "(with per_lyapunov_time), not several")
    times = characteristic_times(system)
    if periods is not None:
        if not (periods > 0 and pts_per_period >= 1):
            raise ValueError(f"need periods > 0 and pts_per_period >= 1, got {periods}, {pts_per_period}")
        return periods * times["period"], times["period"] / pts_per_period
    if not math.isfinite(times["lyapunov_time"]):
        raise ValueError(f"{system.name} has no positive Lyapunov exponent, so no Lyapunov time: sample by periods=")
    if not (lyapunov_times > 0 and per_lyapunov_time >= 1):
        raise ValueError(f"need lyapunov_times > 0 and per_lyapunov_time >= 1, got {lyapunov_times}, {per_lyapunov_time}")
    return lyapunov_times * times["lyapunov_time"], times["lyapunov_time"] / per_lyapunov_time


def _plan_delay(system, t, dt, n, transient, method, step, t0, x0_arr):
    """A DDE runs as its history-buffer map (method of steps, RK4): law, config, times, buffers, t0."""
    if method not in (None, "rk4"):
        raise ValueError(f"{system.name} is a delay equation: it is integrated by RK4 with the method of steps "
                         f"(method='rk4'), not {method!r}")
    if n is not None:
        raise ValueError("n= counts iterations of maps; for a delay equation give the time span t=")
    if t is None or not (t >= 0) or not math.isfinite(t):
        raise ValueError(f"a delay equation needs the time span t= (finite, >= 0), got {t!r}")
    hmap = system.as_map(step)
    h = hmap.dt
    stride = max(1, int(round(float(system.dt if dt is None else dt) / h)))
    n_out = int(round(t / h)) // stride + 1
    n_tr = int(math.ceil(transient / h - 1e-9)) if transient else 0
    m, d = system.steps_per_delay(step), system.dim
    k0 = int(round(t0 / h))
    times = (k0 + n_tr + stride * np.arange(n_out)) * h
    buffers = np.asarray(jax.vmap(lambda x: history_buffer(system, x, m))(jnp.atleast_2d(x0_arr)))
    buffers = buffers if x0_arr.ndim == 2 else buffers[0]
    cfg = _Config("map", "rk4", h, stride, n_out, n_tr, 0.0, 0.0, 0.0, 0, False, (), (), (m * d, (m + 1) * d))
    return hmap.rhs, cfg, times, buffers, k0


def history_buffer(system, x0, m):
    """The constant-history buffer [x0 x (m+1), f(x0, x0) x (m+1)] of a delay equation."""
    f0 = system.rhs(x0, x0, system.params, 0.0)
    return jnp.concatenate([jnp.tile(x0, m + 1), jnp.tile(f0, m + 1)])


def _plan(system, t, dt, n, transient, method, rtol, atol, step, max_steps, t0):
    """Turn the user's request into a static kernel configuration and the output times."""
    if transient < 0 or not math.isfinite(transient):
        raise ValueError(f"transient must be finite and >= 0, got {transient}")
    if isinstance(system, Map):
        if t is not None and n is None:
            n = t
        if n is None or int(n) != n or n < 0:
            raise ValueError(f"a map needs n= (the number of iterations, an integer >= 0), got {n!r}")
        stride = 1 if dt is None else int(dt)
        if stride < 1 or (dt is not None and stride != dt):
            raise ValueError(f"for a map dt is the sampling stride in iterations (an integer >= 1), got {dt!r}")
        if method not in (None, "iterate"):
            raise ValueError(f"maps are iterated exactly; method={method!r} does not apply")
        n_out = int(n) // stride + 1
        if int(transient) != transient:
            raise ValueError(f"for a map transient counts iterations (an integer), got {transient}")
        times = int(t0) + int(transient) + stride * np.arange(n_out)
        cfg = _Config("map", "iterate", 1.0, stride, n_out, int(transient), 0.0, 0.0, 0.0, 0, False, (), ())
        return cfg, times, None
    if n is not None:
        raise ValueError("n= counts iterations of maps; for a flow give the time span t=")
    if t is None or not (t >= 0) or not math.isfinite(t):
        raise ValueError(f"a flow needs the time span t= (finite, >= 0), got {t!r}")
    dt = float(system.dt if dt is None else dt)
    if not (dt > 0) or not math.isfinite(dt):
        raise ValueError(f"dt must be positive, got {dt}")
    n_out = int(round(t / dt)) + 1
    times = t0 + transient + dt * np.arange(n_out)
    if isinstance(system, SDE):
        method = method or "euler_maruyama"
        if method not in SDE_METHODS:
            raise ValueError(f"unknown SDE method {method!r}; choose one of {SDE_METHODS}")
    else:
        method = method or "rk4"
        if method not in FLOW_METHODS:
            raise ValueError(f"unknown method {method!r}; choose one of {FLOW_METHODS}")
    if method in ADAPTIVE_METHODS:
        if not (0 < rtol < 1) or not (atol > 0):
            raise ValueError(f"need 0 < rtol < 1 and atol > 0, got rtol={rtol}, atol={atol}")
        cfg = _Config("flow", method, dt, 1, n_out, 0, float(transient), float(rtol), float(atol), int(max_steps),
                      False, (), ())
        return cfg, times, float(rtol)
    h_max = float(system.dt if step is None else step)
    if not (h_max > 0):
        raise ValueError(f"step must be positive, got {step}")
    n_sub = max(1, math.ceil(dt / h_max - 1e-9))
    h = dt / n_sub
    # the transient is rounded up to whole steps so one step size serves the whole run
    n_transient = int(math.ceil(transient / h - 1e-9)) if transient else 0
    times = t0 + n_transient * h + dt * np.arange(n_out)
    kind = "sde" if isinstance(system, SDE) else "flow"
    cfg = _Config(kind, method, h, n_sub, n_out, n_transient, 0.0, 0.0, 0.0, 0, False, (), ())
    return cfg, times, None


def _check_result(system, xs, times, status, on_blowup, cfg):
    if np.any(status == MAX_STEPS):
        raise RuntimeError(f"{system.name}: {STATUS_TEXT[MAX_STEPS]} (max_steps={cfg.max_steps})")
    finite_rows = np.all(np.isfinite(xs), axis=-1)
    if on_blowup == "nan" or finite_rows.all():
        return
    members = xs if xs.ndim == 3 else xs[None]
    rows = finite_rows if finite_rows.ndim == 2 else finite_rows[None]
    b = int(np.argmax(~rows.all(axis=1)))
    i = int(np.argmax(~rows[b]))
    member = f" (ensemble member {b})" if xs.ndim == 3 else ""
    last = f"last finite state {np.array2string(members[b, i - 1], precision=6)} at t={times[i - 1]:g}" if i > 0 else "no finite state"
    reason = STATUS_TEXT.get(int(status[min(b, status.size - 1)]), "") if cfg.method in ADAPTIVE_METHODS else ""
    raise TrajectoryDivergedError(
        f"{system.name}{member} left the finite numbers before t={times[i]:g}; {last}. "
        + (f"Solver: {reason}. " if reason and reason != "ok" else "")
        + (getattr(system, "nan_hint", "") or "Check the parameters and initial condition, or use a smaller step / "
                                                "an adaptive or implicit method.")
    )
