"""Stand-in tasks for the runner's tests: cheap, seeded, and able to fail on purpose.

Imported by the Dask workers (LocalCluster workers inherit ``sys.path``; the external ``dask worker``
processes and the ``kill -9`` subprocess get this folder in ``PYTHONPATH``), so it holds no test.
A record depends only on the task (its seed), as `dynstab.bench.task.run_task`'s does.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import time
from dataclasses import dataclass

import numpy as np

from dynstab.bench.store import KEY_FIELDS


@dataclass(frozen=True)
class StandInTask:
    system: str
    model: str
    trajectory: int
    seed: int
    preset: str = "standin"
    sleep: float = 0.0
    behaviour: str = "ok"  # ok | raise | nan | die_once | die_always
    marker: str = ""  # the file that says die_once has died already


def standin_key(task: StandInTask) -> tuple:
    return ("1", "0123456789abcdef", task.system, task.model, "fedcba9876543210", task.trajectory, "test")


def standin_tasks(n_systems: int = 3, models=("mean", "ridge"), n_trajectories: int = 2, **kw) -> list[StandInTask]:
    return [
        StandInTask(f"system{s}", m, j, seed=1000 * s + 10 * i + j, **kw)
        for s in range(n_systems)
        for i, m in enumerate(models)
        for j in range(n_trajectories)
    ]


def standin_task(task: StandInTask) -> dict:
    """A record whose numbers come from the task's seed; misbehaves as ``task.behaviour`` says."""
    if task.behaviour == "die_always" or (task.behaviour == "die_once" and _first_time(task.marker)):
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)  # this worker process dies; its nanny starts another
    if task.behaviour == "raise":
        raise RuntimeError(f"fit diverged on {task.system}\nsecond line of the message")
    time.sleep(task.sleep)
    rng = np.random.default_rng(task.seed)
    forecast = rng.standard_normal((25, 3)).astype(np.float32)
    truth = (forecast + rng.normal(scale=0.1, size=forecast.shape)).astype(np.float32)
    if task.behaviour == "nan":
        forecast[10:] = np.nan
    metrics = {
        "vpt": float(rng.uniform(0, 5)),
        "smape@1": float(rng.uniform(0, 200)),
        "short.vpt": float(rng.uniform(0, 5)),
        "d_stsp": math.nan if task.trajectory else float(rng.uniform()),
    }
    return {
        "key": dict(zip(KEY_FIELDS, standin_key(task), strict=True)),
        "preset": task.preset,
        "status": "ok",
        "reason": None,
        "hyperparameters": {"alpha": float(rng.choice([1e-4, 1e-2]))},
        "metrics": metrics,
        "forecast": forecast,
        "truth": truth,
        "train_seconds": 0.001,
        "inference_seconds": 0.001,
        "seed": task.seed,
    }


def _first_time(marker: str) -> bool:
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True
