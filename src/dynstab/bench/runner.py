"""The benchmark's runner: one Dask task per (system, model, trajectory), each result stored as it arrives.

`run_benchmark` checks the names, builds (or reuses) the preset's frozen dataset, enumerates the
tasks (`dynstab.bench.task.tasks_for`), leaves out those whose key is already in the store (a run
resumes by default), and submits the rest to Dask: an embedded `distributed.LocalCluster` sized to
the machine (one single-threaded worker process per core) or an existing cluster (a scheduler
address or a `distributed.Client`). The client writes each record to the `ResultStore` in its own
transaction the moment it arrives, so whatever stops the run (Ctrl-C, ``kill -9`` of this
process, a crash of the machine) loses only the tasks that were still running; the next run
skips every stored key and computes the rest. The seeds are part of the tasks, so one worker, two
workers or a cluster give the same store.

Faults are results, not crashes:

- ``run_task`` never raises; a stand-in ``task_fn`` that does is recorded as ``failed`` with the
  exception as the reason (the runner does not retry an exception: with fixed seeds it would
  raise again);
- a record whose status is ``ok`` but whose forecast holds NaN or infinities is stored as
  ``failed`` ("non-finite forecast ...");
- a worker process that dies (killed, out of memory, a segmentation fault) is replaced by its
  nanny and Dask runs its task again elsewhere, up to ``distributed.scheduler.allowed-failures``
  times (3 by default, set on the scheduler); a task that kills that many workers is stored as
  ``failed`` ("the worker running it died ...") and the run goes on.
"""

from __future__ import annotations

import math
import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dynstab.bench.store import KEY_FIELDS, ResultStore, default_store_path
from dynstab.text import count
from dynstab.validation import as_int

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = [
    "RunInterrupted",
    "RunProgress",
    "RunSummary",
    "default_workers",
    "run_benchmark",
    "run_tasks",
]

_PROGRESS_SECONDS = 0.5  # how often progress is reported while nothing finishes (the ETA moves)


@dataclass(frozen=True)
class RunProgress:
    """Where a run stands; passed to the ``progress`` callback of `run_benchmark` and `run_tasks`.

    Attributes
    ----------
    done : int
        Tasks of this run stored with status ``"ok"``.
    failed : int
        Tasks of this run stored with status ``"failed"``.
    running : int
        Tasks being computed on a worker now.
    total : int
        Tasks this run computes (the finished keys it skipped are not counted).
    skipped : int
        Tasks left out because their key was already in the store.
    elapsed : float
        Seconds since the first task was submitted.
    """

    done: int
    failed: int
    running: int
    total: int
    skipped: int
    elapsed: float

    @property
    def finished(self) -> int:
        """Tasks stored by this run, ok or failed."""
        return self.done + self.failed

    @property
    def eta(self) -> float:
        """Seconds left at the mean pace so far (NaN before the first task finishes)."""
        if self.finished == 0:
            return math.nan
        return self.elapsed / self.finished * (self.total - self.finished)


@dataclass(frozen=True)
class RunSummary:
    """What a run did.

    Attributes
    ----------
    done, failed : int
        Tasks stored by this run with status ``"ok"`` / ``"failed"``.
    skipped : int
        Tasks whose key was already in the store (resumed), or that another runner of the same
        store stored first.
    wall_seconds : float
        Wall time of the run, dataset build included.
    store : str
        The store (a path, or a database URL without its password).
    total : int
        Tasks enumerated (done + failed + skipped, plus the ones an interruption left).
    interrupted : bool
        Whether the run was stopped (Ctrl-C) before every task finished.
    """

    done: int
    failed: int
    skipped: int
    wall_seconds: float
    store: str
    total: int
    interrupted: bool = False

    @property
    def remaining(self) -> int:
        """Tasks not in the store after this run (nonzero only when interrupted)."""
        return self.total - self.done - self.failed - self.skipped

    def __str__(self) -> str:
        text = (
            f"{count(self.done, 'task')} ok, {self.failed} failed, {self.skipped} already stored, "
            f"in {self.wall_seconds:.1f} s; store: {self.store}"
        )
        if self.interrupted:
            text += f"; interrupted with {count(self.remaining, 'task')} left (run again to resume)"
        return text


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run: every finished task is stored; ``summary`` says what was done and what is left.

    A `KeyboardInterrupt`, so code that does not know it stops as on any Ctrl-C.
    """

    def __init__(self, summary: RunSummary) -> None:
        super().__init__(str(summary))
        self.summary = summary


def default_workers() -> int:
    """Worker processes of the embedded cluster: the cores this process may use (one thread each)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


# --- records ------------------------------------------------------------------------------------


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _failed(key: tuple[Any, ...], task: Any, reason: str) -> dict[str, Any]:
    """A failed record made on the client (the task raised or its worker kept dying)."""
    return {
        "key": dict(zip(KEY_FIELDS, key, strict=True)),
        "preset": str(getattr(task, "preset", "")),
        "status": "failed",
        "reason": _one_line(reason),
        "hyperparameters": {},
        "metrics": {},
        "forecast": None,
        "truth": None,
        "train_seconds": math.nan,
        "inference_seconds": math.nan,
        "seed": getattr(task, "seed", None),
    }


def _checked(record: Any, key: tuple[Any, ...], task: Any) -> dict[str, Any]:
    """The record to store for ``task``: a failure where it is not a record of that key or its forecast is not finite."""
    import numpy as np

    if not isinstance(record, dict) or not isinstance(record.get("key"), dict):
        return _failed(key, task, f"the task returned {type(record).__name__}, not a record")
    got = tuple(record["key"].get(f) for f in KEY_FIELDS)
    if got != key:
        return _failed(key, task, f"the task returned the record of another key {got}")
    if record.get("status") == "ok":
        for name in ("forecast", "truth"):
            value = record.get(name)
            if value is None:
                continue
            a = np.asarray(value)
            if a.dtype.kind not in "biuf":
                return _failed(key, task, f"the {name} is not numeric (dtype {a.dtype})")
            if name == "forecast" and not np.all(np.isfinite(a)):
                bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
                first = int(np.argmin(np.all(np.isfinite(a.reshape(a.shape[0], -1)), axis=1))) if a.ndim else 0
                return {
                    **record,
                    "status": "failed",
                    "reason": f"non-finite forecast: {bad} of {a.size} values NaN or infinite, from step {first}",
                }
    return record


def _error_reason(error: BaseException) -> str:
    from distributed import KilledWorker

    if isinstance(error, KilledWorker):
        return (
            "the worker running it died each time it was tried (out of memory, a crash or killed); "
            "Dask gave up after distributed.scheduler.allowed-failures retries"
        )
    return f"{type(error).__name__}: {error}"


# --- the cluster ----------------------------------------------------------------------------------


def _client(workers: int | None, scheduler: str | Client | None) -> tuple[Client, Callable[[], None]]:
    """The Dask client to run on and how to let it go (close what this run started, nothing else)."""
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler, lambda: None
    if isinstance(scheduler, str):
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as error:
            raise ValueError(
                f"scheduler: cannot reach a Dask scheduler at {scheduler!r} ({error}); start one with "
                "`dask scheduler` and give its address (tcp://host:8786)"
            ) from None
        return client, client.close
    import logging

    cluster = LocalCluster(
        n_workers=workers or default_workers(),
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # a free port: never the 8787 of another cluster
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)

    def close() -> None:
        client.close()
        cluster.close()

    return client, close


def run_tasks(
    tasks: Iterable[Any],
    store: ResultStore | str | os.PathLike[str],
    *,
    task_fn: Callable[[Any], dict[str, Any]] | None = None,
    key_fn: Callable[[Any], tuple[Any, ...]] | None = None,
    workers: int | None = None,
    scheduler: str | Client | None = None,
    resume: bool = True,
    progress: Callable[[RunProgress], None] | None = None,
) -> RunSummary:
    """Run benchmark tasks on Dask and store each result as it arrives (the loop of `run_benchmark`).

    Parameters
    ----------
    tasks : iterable of Task
        `dynstab.bench.task.Task` objects (anything picklable that ``task_fn`` and ``key_fn`` take).
    store : ResultStore, str or os.PathLike
        The store, or its path / database URL.
    task_fn : callable, optional
        ``task_fn(task) -> record``, run in a worker process; default
        `dynstab.bench.task.run_task`. Must be importable (or picklable) on the workers.
    key_fn : callable, optional
        ``key_fn(task) -> tuple`` in the order of `KEY_FIELDS`; default `dynstab.bench.task.task_key`.
    workers : int, optional
        Worker processes of the embedded `distributed.LocalCluster` (one thread each); default
        `default_workers`. Only without ``scheduler``.
    scheduler : str or distributed.Client, optional
        An existing cluster: its scheduler's address (``tcp://host:8786``) or a connected client
        (left open). Its workers must see the dataset file at the same path.
    resume : bool, default True
        Leave out the tasks whose key is in the store; with False run every task and replace
        the stored rows.
    progress : callable, optional
        ``progress(RunProgress)``, called from this thread before the first result, after each
        one and every half second.

    Returns
    -------
    RunSummary
        What was done, failed, skipped.

    Raises
    ------
    RunInterrupted
        On Ctrl-C, after storing every result that had arrived and closing the embedded cluster;
        its ``summary`` says what is left (run again to resume).
    """
    start = time.perf_counter()
    if task_fn is None or key_fn is None:
        from dynstab.bench import task as task_module

        task_fn = task_fn or task_module.run_task
        key_fn = key_fn or task_module.task_key
    if not callable(task_fn) or not callable(key_fn):
        raise TypeError("task_fn and key_fn must be callables (a task -> its record, a task -> its key)")
    if workers is not None:
        if scheduler is not None:
            raise ValueError("workers sizes the embedded cluster; with scheduler, the cluster's own workers run")
        workers = as_int(workers, name="workers", minimum=1)
    if scheduler is not None and not isinstance(scheduler, str):
        from distributed import Client

        if not isinstance(scheduler, Client):
            raise TypeError(
                f"scheduler must be an address (str) or a distributed.Client, got {type(scheduler).__name__}"
            )
    if progress is not None and not callable(progress):
        raise TypeError("progress must be a callable taking a RunProgress")
    owned = not isinstance(store, ResultStore)
    results = ResultStore(store) if not isinstance(store, ResultStore) else store
    try:
        return _run(list(tasks), results, task_fn, key_fn, workers, scheduler, resume, progress, start)
    finally:
        if owned:
            results.close()


#: Tasks with a time budget of at least this many seconds (the slow models) are dispatched first.
LONG_TASK_S = 60.0


def _dispatch_order(task: Any) -> float:
    """Sort key of the dispatch: long tasks first, longest budget first, the rest in their given order.

    With one task per worker thread, a long task that starts last keeps one worker busy while the others
    idle; starting the long ones first is the longest-processing-time rule. The short tasks keep their order (system by system), so a worker meets
    the trajectories one after the other and reuses what it computed for the truth. Results do not depend
    on the order: every task has its own seed.
    """
    budget = float(getattr(task, "time_budget_s", 0.0) or 0.0)
    return -budget if budget >= LONG_TASK_S else 0.0


def _run(
    tasks: Sequence[Any],
    store: ResultStore,
    task_fn: Callable[[Any], dict[str, Any]],
    key_fn: Callable[[Any], tuple[Any, ...]],
    workers: int | None,
    scheduler: str | Client | None,
    resume: bool,
    progress: Callable[[RunProgress], None] | None,
    start: float,
) -> RunSummary:
    keys = [tuple(key_fn(t)) for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("tasks: two tasks have the same key; each (system, model, trajectory) must appear once")
    stored = store.keys() if resume else set()
    todo = [(k, t) for k, t in zip(keys, tasks, strict=True) if k not in stored]
    todo.sort(key=lambda item: _dispatch_order(item[1]))
    skipped = len(tasks) - len(todo)
    counts = {"ok": 0, "failed": 0, "skipped": skipped}
    if not todo:
        if progress is not None:
            progress(RunProgress(0, 0, 0, 0, skipped, 0.0))
        return RunSummary(0, 0, skipped, time.perf_counter() - start, store.location, len(tasks))

    from distributed import as_completed

    client, release = _client(workers, scheduler)
    submitted = time.perf_counter()
    pending: dict[Future, tuple[tuple[Any, ...], Any]] = {}
    threads = {"n": 1, "asked": -math.inf}  # worker threads of the cluster, and when the scheduler was asked

    def report() -> None:
        if progress is not None:
            state = RunProgress(
                counts["ok"],
                counts["failed"],
                min(len(pending), int(threads["n"])),  # one task in flight per thread (fill)
                len(todo),
                skipped,
                time.perf_counter() - submitted,
            )
            progress(state)

    def store_result(future: Future, result: Any = None) -> None:
        """Store a finished future's record; ``result`` is what as_completed fetched (else it is fetched here)."""
        key, task = pending.pop(future)
        if future.status == "finished":
            record = _checked(future.result() if result is None else result, key, task)
        elif future.status == "error":
            record = _failed(key, task, _error_reason(future.exception()))
        else:  # cancelled (the cluster went away): not a result, the next run computes it
            return
        future.release()
        written = store.write(record, replace=not resume)
        if written:
            counts[record["status"]] += 1
        else:
            counts["skipped"] += 1  # another runner of this store wrote the key first

    interrupted = False
    try:
        try:
            run = uuid.uuid4().hex[:8]  # two runs on one cluster never share a Dask key
            waiting = iter(enumerate(todo))
            queue = as_completed(with_results=True, raise_errors=False)  # results fetched as they finish

            def fill() -> None:
                # One task in flight per worker thread: Dask sends a small batch of tasks to the
                # workers at once, and a worker that dies then takes its queued bystanders with it
                # (each counts a failure towards KilledWorker); a worker holding only the task it
                # runs loses nothing else. The round trip per task is milliseconds, a task seconds.
                now = time.perf_counter()
                if now - threads["asked"] > _PROGRESS_SECONDS:  # workers come and go: ask again now and then
                    threads["n"], threads["asked"] = max(1, sum(client.nthreads().values())), now
                while len(pending) < threads["n"]:
                    item = next(waiting, None)
                    if item is None:
                        return
                    i, (key, task) = item
                    name = f"bench-{key[2]}-{key[3]}-{key[5]}-{run}-{i}"
                    future = client.submit(task_fn, task, key=name, pure=False, retries=0)
                    pending[future] = (key, task)
                    queue.add(future)

            fill()
            report()
            last = time.perf_counter()
            while pending:
                batch = queue.next_batch(block=False)
                for future, result in batch:
                    store_result(future, result)
                if batch:
                    fill()
                if batch or time.perf_counter() - last > _PROGRESS_SECONDS:
                    report()
                    last = time.perf_counter()
                if not batch:  # sleep until a result arrives (the condition as_completed notifies) or 0.1 s
                    with queue.thread_condition:
                        queue.thread_condition.wait(timeout=0.1)
        except KeyboardInterrupt:
            interrupted = True
            for future in [f for f in pending if f.status in ("finished", "error")]:
                store_result(future)  # what had arrived is kept
            client.cancel(list(pending))
    finally:
        release()
    summary = RunSummary(
        counts["ok"],
        counts["failed"],
        counts["skipped"],
        time.perf_counter() - start,
        store.location,
        len(tasks),
        interrupted,
    )
    if interrupted:
        raise RunInterrupted(summary)
    return summary


def run_benchmark(
    preset: Any,
    models: Sequence[str] | None = None,
    systems: Sequence[str] | None = None,
    store: ResultStore | str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: str | Client | None = None,
    resume: bool = True,
    progress: Callable[[RunProgress], None] | None = None,
    root: str | os.PathLike[str] | None = None,
    *,
    task_fn: Callable[[Any], dict[str, Any]] | None = None,
) -> RunSummary:
    """Run a forecasting benchmark preset: every (system, model, trajectory) task on Dask, into a resumable store.

    The steps: check the system and model names (`dynstab.bench.presets.check_names`: an unknown
    one fails here, with close matches, before any work); build or reuse the preset's dataset
    (`dynstab.bench.datasets.build_dataset`); enumerate the tasks
    (`dynstab.bench.task.tasks_for`); run them with `run_tasks`. Re-running the same call after an
    interruption computes only what is missing, and gives the same store as one uninterrupted run.

    Parameters
    ----------
    preset : str, pathlib.Path or Preset
        A preset name (``"quick"``, ``"dysts2023"``, ``"lyapunov30"``), a TOML file or a `Preset`.
    models : sequence of str, optional
        Model names; default the preset's models, or every available built-in model when the
        preset names none (models that are not available here, darts absent, are left out).
    systems : sequence of str, optional
        A subset of the preset's systems; default all of them. When the preset's full dataset is not
        in ``root`` yet, only these systems are generated (`dynstab.bench.datasets.preset_for_systems`).
    store : ResultStore, str or os.PathLike, optional
        Where results go: a path, a database URL (``postgresql://...``) or a store; default
        `dynstab.bench.store.default_store_path` of the dataset (next to it).
    workers : int, optional
        Worker processes of the embedded cluster (default: one per core, one thread each).
    scheduler : str or distributed.Client, optional
        Run on an existing cluster instead (address or client); its workers must see the dataset
        file at the same path (a shared folder, or ``root`` on a shared file system).
    resume : bool, default True
        Skip the tasks already stored; with False recompute them all and replace their rows.
    progress : callable, optional
        ``progress(RunProgress)`` with done / failed / running / total / skipped and the elapsed time.
    root : str or os.PathLike, optional
        The datasets folder (default `dynstab.bench.datasets.default_root`).
    task_fn : callable, optional
        Replaces `dynstab.bench.task.run_task` (tests, custom protocols).

    Returns
    -------
    RunSummary
        Done, failed and skipped tasks, the wall time and the store.

    Raises
    ------
    ValueError
        Unknown preset, system or model (before any work); an unreachable scheduler.
    RunInterrupted
        On Ctrl-C, with every arrived result stored (see `run_tasks`).

    Notes
    -----
    The embedded cluster starts its workers as fresh Python processes (``spawn``), which import
    the calling script again: a script that calls `run_benchmark` must do so under
    ``if __name__ == "__main__":`` (Python's multiprocessing rule), else the workers fail to start.

    Examples
    --------
    >>> summary = run_benchmark("quick", models=["mean", "ngrc"], workers=2)  # doctest: +SKIP
    >>> print(summary)  # doctest: +SKIP
    40 tasks ok, 0 failed, 0 already stored, in 95.2 s; store: ~/.cache/dynstab/bench/quick-....results.sqlite
    """
    start = time.perf_counter()
    from dynstab.bench.datasets import build_dataset, preset_for_systems
    from dynstab.bench.presets import check_names, get_preset
    from dynstab.bench.task import tasks_for

    spec = get_preset(preset)
    if isinstance(models, str) or isinstance(systems, str):
        raise TypeError("models and systems must be sequences of names (['lorenz', 'rossler']), not one string")
    if models is not None and not list(models):
        raise ValueError("models: an empty list; name at least one model, or None for the preset's")
    # None: the preset's models, or every available one when the preset names none (tasks_for).
    model_names = list(models) if models is not None else (list(spec.models) or None)
    chosen, _ = check_names(systems, model_names)
    if systems is not None:
        outside = [s for s in chosen if s not in spec.systems]
        if outside:
            raise ValueError(
                f"systems: {', '.join(outside)} not in the preset {spec.name!r}; its systems are {', '.join(spec.systems)}"
            )
    if workers is not None and scheduler is not None:
        raise ValueError("workers sizes the embedded cluster; with scheduler, the cluster's own workers run")
    # --systems on a preset whose full dataset was never built generates those systems only
    spec = preset_for_systems(spec, None if systems is None else chosen, None if root is None else Path(root))
    dataset = build_dataset(spec, root=None if root is None else Path(root))
    tasks = tasks_for(dataset, model_names, None if systems is None else chosen)
    summary = run_tasks(
        tasks,
        default_store_path(dataset.path) if store is None else store,
        task_fn=task_fn,
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        progress=progress,
    )
    return RunSummary(
        summary.done,
        summary.failed,
        summary.skipped,
        time.perf_counter() - start,
        summary.store,
        summary.total,
        summary.interrupted,
    )
