"""Hand-written benchmark results shaped like the contract's record, for the leaderboard, report and CLI tests.

Three models on three systems, two trajectories each, with values chosen so that medians,
quartiles, ranks (with ties) and the effect of failed tasks can be computed by hand (see
tests/bench/test_leaderboard.py). ``records()`` gives the records `run_task` returns;
``frame()`` the store's frame (key fields, preset, status, reason, hyperparameters, one column
per metric, the seconds, and the first horizon's forecast and truth).
"""

from __future__ import annotations

import math

import numpy as np

NAN = math.nan
F = None  # a failed task

# model -> system -> (vpt, smape@1, d_stsp) per trajectory; None: the task failed
VALUES = {
    "A": {
        "s1": [(2.0, 10.0, 1.0), (4.0, 20.0, 1.0)],
        "s2": [(1.0, 30.0, 1.0), (1.0, 30.0, 1.0)],
        "s3": [(5.0, 5.0, NAN), (7.0, 5.0, 2.0)],
    },
    "B": {
        "s1": [(3.0, 10.0, 0.5), (3.0, 10.0, 0.5)],
        "s2": [(2.0, 20.0, 0.5), F],
        "s3": [(1.0, 40.0, 0.5), (1.0, 40.0, 0.5)],
    },
    "C": {
        "s1": [F, F],
        "s2": [(0.5, 50.0, 0.5), (0.5, 50.0, 0.5)],
        "s3": [(6.0, 5.0, NAN), (6.0, 5.0, NAN)],
    },
}
LAMBDA1 = {"s1": 0.9, "s2": 0.07, "s3": 1.5}
DATASET_HASH = "0123456789abcdef"


def _truth(system: str, trajectory: int, n: int = 60) -> np.ndarray:
    t = np.arange(n) * 0.1
    phase = 0.3 * trajectory + {"s1": 0.0, "s2": 1.0, "s3": 2.0}[system]
    return np.stack([np.sin(t + phase), np.cos(1.3 * t + phase), 0.5 * np.sin(0.7 * t)], axis=1).astype(np.float32)


def records() -> list[dict]:
    """The records of every (model, system, trajectory) task of `VALUES`."""
    out = []
    for model, systems in VALUES.items():
        for system, per_traj in systems.items():
            for trajectory, values in enumerate(per_traj):
                key = {
                    "benchmark_version": 1,
                    "dataset_hash": DATASET_HASH,
                    "system": system,
                    "model": model,
                    "grid_hash": f"grid{model}",
                    "trajectory": trajectory,
                    "dynstab_version": "0.0.test",
                }
                truth = _truth(system, trajectory)
                if values is None:
                    out.append(
                        {
                            "key": key,
                            "preset": "synthetic",
                            "status": "failed",
                            "reason": f"{model} diverged on {system}: non-finite forecast at step 12",
                            "hyperparameters": {},
                            "metrics": {},
                            "forecast": None,
                            "truth": None,
                            "train_seconds": 0.5,
                            "inference_seconds": 0.0,
                            "seed": 7,
                        }
                    )
                    continue
                vpt, smape1, d_stsp = values
                forecast = truth + np.float32(0.1 * (1 + "ABC".index(model))) * np.arange(len(truth))[:, None] / 60
                out.append(
                    {
                        "key": key,
                        "preset": "synthetic",
                        "status": "ok",
                        "reason": None,
                        "hyperparameters": {"order": 1 + "ABC".index(model)},
                        "metrics": {
                            "vpt": vpt,
                            "smape@1": smape1,
                            "d_stsp": d_stsp,
                            "lambda1_ref": LAMBDA1[system],
                            "short.vpt": vpt,
                        },
                        "forecast": forecast.astype(np.float32),
                        "truth": truth,
                        "train_seconds": {"A": 0.25, "B": 1.0, "C": 2.0}[model],
                        "inference_seconds": 0.01,
                        "seed": 7,
                    }
                )
    return out


def frame(recs: list[dict] | None = None):
    """The store's frame of ``recs`` (default `records()`): one row per task, one column per metric."""
    import pandas as pd

    rows = []
    for r in records() if recs is None else recs:
        row = {**r["key"], **{k: v for k, v in r.items() if k not in ("key", "metrics")}}
        row.update(r["metrics"])
        rows.append(row)
    return pd.DataFrame(rows)
