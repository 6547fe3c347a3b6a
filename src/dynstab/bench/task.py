"""One task of the forecasting benchmark: one model on one trajectory of one system, never raising.

A :class:`Task` is small and picklable (it travels to a Dask worker); :func:`run_task` loads its data,
searches the model's hyperparameter grid on the validation split by sMAPE within the time budget,
fits, forecasts every horizon, computes the metrics (:mod:`dynstab.bench.metrics`) and returns the
record the results store keeps. Whatever goes wrong (an exception, a time-out, a forecast that
diverges) gives a record with status ``"failed"`` and a one-line reason, never an exception: the
leaderboard scores a failed task (VPT 0), it never drops it.

Protocol (Gilpin 2023, section "Methods"; dysts' benchmark code): every candidate of the grid is fitted
on the training split and forecasts the validation split from the end of the training split; the
candidate of lowest validation sMAPE is refitted on training + validation (the whole training window)
and evaluated on the test horizons, each forecast from its own context. A one-point grid skips the
search. The attractor metrics use a free run from the longest horizon's context of 1.25 T samples of
which the last T are compared with T true samples (the first quarter is the free run's transient, as in
Hess et al. 2023): the longest horizon's truth, or the training window (train + validation) where that is
longer (the quick and lyapunov30 horizons are 100-300 samples, too few for state-space statistics).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import math
import time
import traceback
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .metrics import attractor_metrics, forecast_metrics
from .models import MODELS, ModelSpec, grid_hash, scaled_settings

__all__ = [
    "BENCHMARK_VERSION",
    "KEY_FIELDS",
    "Task",
    "task_key",
    "task_seed",
    "tasks_for",
    "run_task",
    "evaluate",
    "TIMEOUT_FACTOR",
    "FORECAST_LIMIT",
]

#: Version of the benchmark protocol (part of every result key).
BENCHMARK_VERSION = "1"

#: Names of the fields of :func:`task_key`, in order.
KEY_FIELDS = ("benchmark_version", "dataset_hash", "system", "model", "grid_hash", "trajectory", "dynstab_version")

#: A task running longer than this many times its time budget is stopped (between stages) as timed out.
TIMEOUT_FACTOR = 4.0


def budget_clock() -> float:
    """The clock of the time budgets: this process's CPU seconds (all its threads), not the wall clock.

    A shared machine slows the wall clock of every task by its load (at load 20 on 2 cores a first,
    still-compiling `last_value` task took 48 s of wall time), so wall-clock budgets made which grid points
    were searched, and which tasks timed out, depend on what else ran; CPU seconds depend on the work.
    """
    return time.process_time()


#: Most samples of the first horizon's forecast and truth kept in the record.
FORECAST_LIMIT = 1000

#: A forecast farther than this many data ranges outside the training data's range has diverged.
ESCAPE_RANGES = 100.0


@dataclass(frozen=True)
class Task:
    """One (system, model, trajectory) of a benchmark run.

    Parameters
    ----------
    dataset_path : str
        The dataset's NetCDF file.
    dataset_hash : str
        Its content hash.
    preset : str
        The preset's name.
    system : str
        The catalog system.
    model : str
        A key of :data:`dynstab.bench.models.MODELS`.
    trajectory : int
        The initial condition's index.
    grid_hash : str
        :func:`dynstab.bench.models.grid_hash` of the model.
    seed : int
        The task's seed (:func:`task_seed`).
    time_budget_s : float
        Seconds of hyperparameter search.
    training : float, default 1.0
        The preset's fraction of a trained model's epochs (`dynstab.bench.models.scaled_settings`).
    """

    dataset_path: str
    dataset_hash: str
    preset: str
    system: str
    model: str
    trajectory: int
    grid_hash: str
    seed: int
    time_budget_s: float
    training: float = 1.0


def task_key(task: Task) -> tuple:
    """The result's unique key: (benchmark version, dataset hash, system, model, grid hash, trajectory, dynstab version).

    Parameters
    ----------
    task : Task
        The task.

    Returns
    -------
    tuple
        Its key, in the order of :data:`KEY_FIELDS`.
    """
    from .. import __version__

    return (
        BENCHMARK_VERSION,
        task.dataset_hash,
        task.system,
        task.model,
        task.grid_hash,
        int(task.trajectory),
        __version__,
    )


def task_seed(preset_seed: int, system: str, model: str, trajectory: int) -> int:
    """A task's seed, derived from the preset seed and its names only (not from the order of execution).

    Parameters
    ----------
    preset_seed : int
        The preset's seed.
    system, model : str
        The names.
    trajectory : int
        The trajectory index.

    Returns
    -------
    int
        ``int(sha256("seed/system/model/trajectory")[:8], 16) mod 2^31``.
    """
    text = f"{int(preset_seed)}/{system}/{model}/{int(trajectory)}"
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % (2**31)


def _unknown(kind: str, names: list[str], known: list[str]) -> ValueError:
    parts = []
    for n in names:
        close = difflib.get_close_matches(n, known, n=3)
        parts.append(f"{n!r}" + (f" (did you mean {', '.join(map(repr, close))}?)" if close else ""))
    return ValueError(f"unknown {kind}: {'; '.join(parts)}")


def tasks_for(dataset: Any, models: Any = None, systems: Any = None) -> list[Task]:
    """Every (system, model, trajectory) task of a dataset, with its seed and time budget.

    Models that are not available here (darts absent) are left out: they are skipped, not failed. So are
    the trajectories the dataset marked unusable (diverged, collapsed, off the attractor:
    ``Dataset.problems`` names them): they would fail every model alike and say nothing about any.

    Parameters
    ----------
    dataset : Dataset
        A built dataset (``path``, ``hash``, ``preset``, ``systems``).
    models : sequence of str, optional
        Model names (default: the preset's models, else every available model).
    systems : sequence of str, optional
        A subset of the dataset's systems (default: all).

    Returns
    -------
    list of Task
        Ordered by system, model, trajectory.
    """
    preset = dataset.preset
    training = float(getattr(preset, "training", 1.0))
    if models is None:
        models = getattr(preset, "models", None) or [n for n, s in MODELS.items() if s.available]
    models = [models] if isinstance(models, str) else list(models)
    bad = [m for m in models if m not in MODELS]
    if bad:
        raise _unknown("model(s)", bad, list(MODELS))
    all_systems = list(dataset.systems)
    systems = all_systems if systems is None else ([systems] if isinstance(systems, str) else list(systems))
    bad = [s for s in systems if s not in all_systems]
    if bad:
        raise _unknown(f"system(s) of dataset {preset.name!r}", bad, all_systems)
    usable = getattr(dataset, "trajectories", None)  # Dataset.trajectories: the usable indices of a system
    out = []
    for system in systems:
        trajectories = usable(system) if usable is not None else range(int(preset.n_trajectories))
        for name in models:
            spec = MODELS[name]
            if not spec.available:
                continue
            gh = grid_hash(spec, training)
            for traj in trajectories:
                out.append(
                    Task(
                        dataset_path=str(dataset.path),
                        dataset_hash=str(dataset.hash),
                        preset=str(preset.name),
                        system=system,
                        model=name,
                        trajectory=traj,
                        grid_hash=gh,
                        seed=task_seed(preset.seed, system, name, traj),
                        time_budget_s=float(spec.time_budget_s),
                        training=training,
                    )
                )
    return out


@functools.lru_cache(maxsize=4)
def _dataset(path: str) -> Any:
    from .datasets import load_dataset

    return load_dataset(path)


def _load(task: Task, trajectory: int | None = None) -> Any:
    """The task's data (or another trajectory's of the same system): ``Dataset.task_data``."""
    ds = _dataset(task.dataset_path)
    return ds.task_data(task.system, task.trajectory if trajectory is None else trajectory)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]


class _Failed(Exception):
    """A stage failed; the message is the record's reason."""


def _record(task: Task, status: str, reason: str | None, **fields: Any) -> dict[str, Any]:
    key = dict(zip(KEY_FIELDS, task_key(task), strict=True))
    rec: dict[str, Any] = {
        "key": key,
        "preset": task.preset,
        "status": status,
        "reason": reason,
        "hyperparameters": {},
        "metrics": {},
        "forecast": None,
        "truth": None,
        "train_seconds": float("nan"),
        "inference_seconds": float("nan"),
        "seed": int(task.seed),
        "notes": {},
    }
    rec.update(fields)
    return rec


def run_task(task: Task) -> dict[str, Any]:
    """Run one benchmark task; never raises (a failure is a record with status ``"failed"`` and its reason).

    Loads the task's data (``load_dataset(task.dataset_path).task_data(system, trajectory)``) and an
    independent trajectory of the same system for the noise floors (the next one, when the preset has
    several), then :func:`evaluate`.

    Parameters
    ----------
    task : Task
        The task.

    Returns
    -------
    dict
        The record (see :func:`evaluate`).
    """
    try:
        data = _load(task)
    except Exception as exc:  # noqa: BLE001 - run_task never raises: the record says why
        return _record(task, "failed", f"loading the data: {_one_line(exc)}")
    reference = None
    try:
        n = int(getattr(_dataset(task.dataset_path).preset, "n_trajectories", 1))
        if n > 1:
            reference = _load(task, (task.trajectory + 1) % n)
    except Exception:  # noqa: BLE001 - the floors are optional: without a second trajectory they are not computed
        reference = None
    try:
        return evaluate(task, data, reference=reference)
    finally:
        _bound_worker_memory()


#: A worker whose resident memory passes this many MB after a task drops JAX's compiled kernels and gives the
#: freed heap back: the kernels of every system it met stay cached otherwise (one process, 132 dysts2023 tasks
#: of 12 systems: 0.7 -> 2.3 GB, back to 0.73 GB after `jax.clear_caches` and ``malloc_trim``; neither alone
#: frees it). Results do not change: the kernels are compiled again, the same.
WORKER_MEMORY_MB = 2048.0


def _resident_mb() -> float | None:
    """This process's resident memory in MB (Linux ``/proc/self/statm``; None elsewhere)."""
    import os

    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _bound_worker_memory() -> None:
    """Past `WORKER_MEMORY_MB`: clear JAX's caches and return the freed heap (glibc ``malloc_trim``)."""
    import contextlib
    import ctypes

    rss = _resident_mb()
    if rss is None or rss < WORKER_MEMORY_MB:
        return
    import jax

    jax.clear_caches()
    with contextlib.suppress(OSError, AttributeError):  # musl or another C library: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _finite_or_fail(forecast: np.ndarray, train: np.ndarray, what: str) -> None:
    from ..learn.metrics import free_run_status

    if not np.all(np.isfinite(forecast)):
        step = int(np.argmax(~np.all(np.isfinite(forecast), axis=1)))
        raise _Failed(f"diverged: non-finite {what} from step {step}")
    if free_run_status(train, forecast, escape=ESCAPE_RANGES) == "escaped":
        raise _Failed(f"diverged: the {what} left the training data's range by more than {ESCAPE_RANGES:g} ranges")


def _search(spec: ModelSpec, task: Task, data: Any, deadline: float) -> tuple[dict, dict[str, Any], list[str]]:
    """Validation sMAPE of each grid point until the budget is spent; the best point and all scores."""
    from ..learn.metrics import smape

    train, val = np.asarray(data.train, dtype=np.float64), np.asarray(data.validation, dtype=np.float64)
    start = budget_clock()
    scores: dict[str, Any] = {}
    errors: list[str] = []
    best: tuple[float, dict] | None = None
    for i, hp in enumerate(spec.grid):
        if i > 0 and (budget_clock() - start > task.time_budget_s or budget_clock() > deadline):
            scores["stopped"] = f"time budget spent after {i} of {len(spec.grid)} grid points"
            break
        label = repr(sorted(hp.items()))
        try:
            est = spec.build(seed=task.seed, **hp, **scaled_settings(spec, task.training)).fit(train, dt=float(data.dt))
            fc = np.asarray(est.forecast(train, val.shape[0]), dtype=np.float64)
            _finite_or_fail(fc, train, "validation forecast")
            score = float(smape(val, fc))
        except Exception as exc:  # noqa: BLE001 - one bad grid point is not a failed task
            errors.append(f"{label}: {exc if isinstance(exc, _Failed) else _one_line(exc)}")
            scores[label] = float("nan")
            continue
        scores[label] = score
        if best is None or score < best[0]:
            best = (score, hp)
    if best is None:
        raise _Failed(f"every grid point failed; first: {errors[0]}" if errors else "no grid point was tried")
    return dict(best[1]), scores, errors


def evaluate(task: Task, data: Any, *, reference: Any = None, spec: ModelSpec | None = None) -> dict[str, Any]:
    """Hyperparameter search, fit, forecasts and metrics of one task on given data; never raises.

    Parameters
    ----------
    task : Task
        The task (model name, seed, time budget).
    data : TaskData
        ``train`` (n, d), ``validation`` (m, d), ``tests`` (label -> (context, truth)), ``dt``,
        ``lyapunov_time``, ``lambda1_ref`` (``Dataset.task_data``).
    reference : TaskData, optional
        An independent trajectory of the same system: its longest horizon's truth gives the noise floors.
    spec : ModelSpec, optional
        The model (default ``MODELS[task.model]``).

    Returns
    -------
    dict
        The record: ``key`` (:data:`KEY_FIELDS` -> value), ``preset``, ``status`` ("ok" | "failed"),
        ``reason``, ``hyperparameters`` (the chosen point), ``metrics`` (per horizon ``"<label>.<name>"`` and
        the first horizon's without prefix, plus the attractor metrics), ``forecast`` / ``truth`` (the first
        horizon's, float32, at most :data:`FORECAST_LIMIT` samples), ``train_seconds``, ``inference_seconds``,
        ``seed`` and ``notes`` (``"nan"``: metric -> why it is NaN; ``"search"``: the validation scores;
        ``"seconds"``: the time of each stage).
    """
    start = budget_clock()
    wall_start = time.perf_counter()
    budget = float(task.time_budget_s)
    deadline = start + TIMEOUT_FACTOR * budget
    lam_ref = getattr(data, "lambda1_ref", None)
    base_metrics = {"lambda1_ref": float(lam_ref) if lam_ref is not None else float("nan")}
    hp: dict = {}
    train_s = inference_s = float("nan")

    def timed_out(stage: str) -> None:
        elapsed = budget_clock() - start
        if budget_clock() > deadline:
            raise _Failed(
                f"time-out: {elapsed:.1f} CPU-s after {stage} (limit {TIMEOUT_FACTOR:g} x the {budget:g} s budget)"
            )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = MODELS.get(task.model) if spec is None else spec
            if spec is None:
                raise _Failed(f"unknown model {task.model!r}")
            if not spec.available:
                raise _Failed(f"model {spec.name!r} is not available: {spec.reason}")
            if grid_hash(spec, task.training) != task.grid_hash:
                raise _Failed(f"the grid of {spec.name!r} changed since the task was made; rebuild the tasks")
            train = np.asarray(data.train, dtype=np.float64)
            val = np.asarray(data.validation, dtype=np.float64)
            full = np.concatenate([train, val], axis=0)
            notes: dict[str, Any] = {}
            scaled = scaled_settings(spec, task.training)
            if scaled:  # a smoke preset's shorter training, said in the record
                notes["training"] = {"fraction": task.training, **scaled}
            if len(spec.grid) > 1:
                hp, scores, errors = _search(spec, task, data, deadline)
                notes["search"] = {"validation_smape": scores, **({"errors": errors} if errors else {})}
                timed_out("the hyperparameter search")
            else:
                hp = dict(spec.grid[0])
            t0 = time.perf_counter()
            try:
                model = spec.build(seed=task.seed, **hp, **scaled).fit(full, dt=float(data.dt))
            except Exception as exc:
                raise _Failed(f"fit: {_one_line(exc)}") from exc
            train_s = time.perf_counter() - t0
            timed_out("the fit")
            t1 = time.perf_counter()
            metrics, forecasts, inference_s = _forecasts(model, data, full, notes)
            timed_out("the forecasts")
            t2 = time.perf_counter()
            metrics.update(_attractor(model, data, full, forecasts, reference, notes, task.seed))
            timed_out("the attractor metrics")
            # where the task's wall time went (search, final fit, forecasts with their scoring, attractor
            # metrics), and the CPU seconds of the whole task (the clock of the budgets)
            notes["seconds"] = {
                "search": round(t0 - wall_start, 3),
                "fit": round(train_s, 3),
                "forecasts": round(t2 - t1, 3),
                "attractor": round(time.perf_counter() - t2, 3),
                "cpu": round(budget_clock() - start, 3),
            }
    except _Failed as exc:
        return _record(
            task,
            "failed",
            str(exc),
            hyperparameters=hp,
            metrics=base_metrics,
            train_seconds=train_s,
            inference_seconds=inference_s,
        )
    except Exception as exc:  # noqa: BLE001 - never raise out of a worker: the record says what happened
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return _record(
            task,
            "failed",
            f"{_one_line(exc)} ({where.filename.rsplit('/', 1)[-1]}:{where.lineno})",
            hyperparameters=hp,
            metrics=base_metrics,
            train_seconds=train_s,
            inference_seconds=inference_s,
        )
    first = next(iter(data.tests))
    fc, truth = forecasts[first][0], np.asarray(data.tests[first][1])
    return _record(
        task,
        "ok",
        None,
        hyperparameters=hp,
        metrics=metrics,
        forecast=fc[:FORECAST_LIMIT].astype(np.float32),
        truth=truth[:FORECAST_LIMIT].astype(np.float32),
        train_seconds=float(train_s),
        inference_seconds=float(inference_s),
        notes=notes,
    )


def _longest(data: Any) -> str:
    return max(data.tests, key=lambda label: np.asarray(data.tests[label][1]).shape[0])


def _climate_truth(data: Any, full: np.ndarray) -> np.ndarray:
    """The true series a free run is compared with: the longest horizon's truth, or the training window
    ``full`` (train + validation) when that is longer."""
    truth = np.asarray(data.tests[_longest(data)][1], dtype=np.float64)
    return truth if truth.shape[0] >= full.shape[0] else full


def _forecasts(model: Any, data: Any, full: np.ndarray, notes: dict) -> tuple[dict, dict, float]:
    """Forecast every horizon (the longest one 1.25 T long, its tail is the free run) and score each."""
    scale = full.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    longest = _longest(data)
    n_free = _climate_truth(data, full).shape[0]
    metrics: dict[str, float] = {}
    forecasts: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    seconds = 0.0
    for i, (label, (context, truth)) in enumerate(data.tests.items()):
        truth = np.asarray(truth, dtype=np.float64)
        n = truth.shape[0]
        steps = max(n, n_free) + n_free // 4 if label == longest else n
        t0 = time.perf_counter()
        try:
            out = np.asarray(model.forecast(np.asarray(context, dtype=np.float64), steps), dtype=np.float64)
        except Exception as exc:
            raise _Failed(f"forecast of horizon {label!r}: {_one_line(exc)}") from exc
        seconds += time.perf_counter() - t0
        if out.shape != (steps, truth.shape[1]):
            raise _Failed(f"forecast of horizon {label!r} has shape {out.shape}, expected {(steps, truth.shape[1])}")
        _finite_or_fail(out[:n], full, f"forecast of horizon {label!r}")
        free = out[-n_free:] if label == longest else None
        forecasts[label] = (out[:n], free)
        m = forecast_metrics(truth, out[:n], float(data.dt), float(data.lyapunov_time), scale=scale)
        metrics.update({f"{label}.{k}": v for k, v in m.items()})
        if i == 0:
            metrics.update(m)
    return metrics, forecasts, seconds


def _attractor(model: Any, data: Any, full: np.ndarray, forecasts: dict, reference: Any, notes: dict, seed: int):
    """D_stsp, D_H, D2 error, lambda_1 (and floors) of the free run from the longest horizon's context."""
    longest = _longest(data)
    truth = _climate_truth(data, full)
    free = forecasts[longest][1]
    ref = None
    if reference is not None:
        r_full = np.concatenate([np.asarray(reference.train), np.asarray(reference.validation)], axis=0)
        r = _climate_truth(reference, r_full.astype(np.float64))
        ref = r if r.shape == truth.shape else None
    if not np.all(np.isfinite(free)):
        step = int(np.argmax(~np.all(np.isfinite(free), axis=1)))
        raise _Failed(f"diverged: non-finite free run from step {step} of {free.shape[0]}")
    why: dict[str, str] = {}
    out = attractor_metrics(
        truth,
        free,
        float(data.dt),
        model=model,
        lambda1_ref=getattr(data, "lambda1_ref", None),
        lyapunov_time=float(data.lyapunov_time),
        reference=ref,
        mean=full.mean(axis=0),
        scale=full.std(axis=0),
        notes=why,
        seed=seed,
    )
    if math.isnan(out.get("lambda1", 0.0)) and "lambda1" not in why:
        why["lambda1"] = "not estimated"
    if why:
        notes["nan"] = why
    return out
