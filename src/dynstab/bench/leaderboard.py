"""The leaderboard of the forecasting benchmark: per model, medians, spreads, ranks and bootstrap CIs.

The input is the results store's frame (`dynstab.bench.store.ResultStore.frame`): one row per
(system, model, trajectory) task with its ``status`` (``"ok"`` or ``"failed"``) and one column
per metric. The statistics follow the protocol of Gilpin (2023) and of the GTF papers
(`learning-and-metrics.md` section 8):

1. A failed task is never dropped: it scores the worst value of each metric (VPT 0, sMAPE 200,
   the bound of sMAPE; D_H 1, the bound of the Hellinger distance; +inf for the unbounded
   errors such as D_stsp). A metric left undefined (NaN) by an ``ok`` task counts the same way
   (the GTF convention: a diverged free run has no D_stsp and counts as a failure).
2. Per (model, system): the median over the system's trajectories.
3. Per model: the median and the interquartile range of those per-system values over systems,
   a percentile bootstrap CI of the median over systems (the systems resampled with
   replacement), and the mean over systems of the model's rank on each system (rank 1 the best;
   tied models share the mean of their ranks).

References
----------
W. Gilpin, "Model scale versus domain knowledge in statistical forecasting of chaotic systems",
Phys. Rev. Research 5, 043252 (2023); B. Efron and R. Tibshirani, "An Introduction to the
Bootstrap" (1993), ch. 13 (percentile intervals).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..validation import as_int

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_METRICS",
    "direction",
    "quantile",
    "results_frame",
    "scored",
    "per_system",
    "system_ranks",
    "leaderboard",
]

DEFAULT_METRICS = ("vpt", "smape@1", "d_stsp")

# base metric name -> (higher is better, the score of a failed task)
_DIRECTIONS: dict[str, tuple[bool, float]] = {
    "vpt": (True, 0.0),
    "vpt_smape": (True, 0.0),
    "smape": (False, 200.0),  # sMAPE lies in [0, 200]
    "mse": (False, math.inf),
    "mae": (False, math.inf),
    "nrmse": (False, math.inf),
    "d_stsp": (False, math.inf),
    "d_h": (False, 1.0),  # a Hellinger distance lies in [0, 1]
    "corr_dim_error": (False, math.inf),
}

_KEY_COLUMNS = ("system", "model", "status")


def direction(metric: str) -> tuple[bool, float]:
    """Whether larger values of ``metric`` are better, and the score of a failed task.

    Parameters
    ----------
    metric : str
        A metric name of the benchmark's records: ``"vpt"``, ``"smape@1"``, ``"d_stsp"``, or one
        prefixed by a horizon label (``"long.vpt"``).

    Returns
    -------
    (bool, float)
        ``(higher_is_better, worst)``.

    Raises
    ------
    ValueError
        For a metric that has no order (``lambda1``, a noise floor), naming the ones that do.
    """
    base = metric.split(".", 1)[1] if "." in metric else metric
    if base.startswith("smape@"):
        base = "smape"
    if base not in _DIRECTIONS:
        known = ", ".join([*_DIRECTIONS, "smape@k"])
        raise ValueError(
            f"metric {metric!r} cannot be ranked (it has no better or worse direction); "
            f"rank one of {known}, optionally prefixed by a horizon label such as 'long.'"
        )
    return _DIRECTIONS[base]


def results_frame(frame_or_store: Any) -> pd.DataFrame:
    """The results frame of a store (its ``frame()``) or a frame itself, checked.

    Parameters
    ----------
    frame_or_store : pandas.DataFrame or ResultStore
        The store's frame (columns ``system``, ``model``, ``status`` and one per metric) or an
        object with a ``frame()`` method returning it.

    Returns
    -------
    pandas.DataFrame
        The frame; where a task (dataset, system, model, trajectory) was stored more than once
        (run again under another dynstab version or hyperparameter grid, which are parts of the
        key), only its newest row (``written_at``, else the last) is kept.
    """
    import pandas as pd

    frame = frame_or_store.frame() if hasattr(frame_or_store, "frame") else frame_or_store
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"frame_or_store must be a pandas DataFrame or a ResultStore, got {type(frame_or_store).__name__}"
        )
    missing = [c for c in _KEY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"the results frame has no column {', '.join(missing)}; pass ResultStore.frame() "
            "(one row per task: system, model, trajectory, status and the metrics)"
        )
    if "dataset_hash" in frame.columns and frame["dataset_hash"].nunique() > 1:
        hashes = ", ".join(sorted(map(str, frame["dataset_hash"].unique())))
        raise ValueError(
            f"the results come from several datasets ({hashes}); a leaderboard compares models on one "
            "dataset: select its rows first (frame[frame.dataset_hash == ...])"
        )
    task = [c for c in ("dataset_hash", "system", "model", "trajectory") if c in frame.columns]
    if "trajectory" in task and frame.duplicated(task).any():
        # the same task stored again under another dynstab version or grid: the newest result counts
        order = frame.sort_values("written_at", kind="stable") if "written_at" in frame.columns else frame
        frame = order.drop_duplicates(task, keep="last").sort_index()
    return frame


def scored(frame: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """The task rows with each metric as scored: a failed task or undefined value is the worst.

    Parameters
    ----------
    frame : pandas.DataFrame
        The results frame (`results_frame`).
    metrics : sequence of str
        The metrics to score (each must have a direction, `direction`).

    Returns
    -------
    pandas.DataFrame
        Columns ``system``, ``model`` and one per metric (float), one row per task.
    """
    import pandas as pd

    missing = [m for m in metrics if m not in frame.columns]
    if missing:
        present = sorted(c for c in frame.columns if _is_metric_column(c))
        raise ValueError(
            f"no metric {', '.join(map(repr, missing))} in the results; the results have: "
            f"{', '.join(present) or 'no metric at all'}"
        )
    out = pd.DataFrame({"system": frame["system"].astype(str), "model": frame["model"].astype(str)})
    failed = (frame["status"] != "ok").to_numpy()
    for m in metrics:
        worst = direction(m)[1]
        values = pd.to_numeric(frame[m], errors="coerce").to_numpy(dtype=float, copy=True)
        values[failed | np.isnan(values)] = worst
        out[m] = values
    return out


def _is_metric_column(name: Any) -> bool:
    try:
        direction(str(name))
    except ValueError:
        return False
    return True


def quantile(x: np.ndarray, q: float, axis: int = -1) -> np.ndarray:
    """The ``q`` quantile (linear interpolation) along ``axis``, exact where values are infinite.

    NumPy's interpolation computes ``b - a`` and so returns NaN between two infinite values; here
    two equal neighbours give their value, so the median of ``[1, inf, inf]`` is ``inf``.
    """
    xs = np.sort(np.asarray(x, dtype=float), axis=axis)
    n = xs.shape[axis]
    h = (n - 1) * q
    lo, hi = math.floor(h), math.ceil(h)
    a, b = np.take(xs, lo, axis=axis), np.take(xs, hi, axis=axis)
    with np.errstate(invalid="ignore"):
        return np.where(a == b, a, a + (b - a) * (h - lo))


def per_system(frame_or_store: Any, metrics: Sequence[str] = DEFAULT_METRICS) -> pd.DataFrame:
    """The median over trajectories of each scored metric, per (model, system).

    Parameters
    ----------
    frame_or_store : pandas.DataFrame or ResultStore
        The results.
    metrics : sequence of str
        The metrics.

    Returns
    -------
    pandas.DataFrame
        Indexed by (model, system), one column per metric.
    """
    frame = results_frame(frame_or_store)
    tasks = scored(frame, list(metrics))
    groups = tasks.groupby(["model", "system"], sort=True)
    return groups[list(metrics)].agg(lambda s: float(quantile(s.to_numpy(), 0.5)))


def system_ranks(per_sys: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The rank of each model on each system by ``metric`` (1 the best; ties share their mean rank).

    Parameters
    ----------
    per_sys : pandas.DataFrame
        `per_system`'s frame.
    metric : str
        One of its columns.

    Returns
    -------
    pandas.DataFrame
        Systems as rows, models as columns; NaN where a model has no result on a system.
    """
    higher, _ = direction(metric)
    table = per_sys[metric].unstack("model")
    return table.rank(axis=1, method="average", ascending=not higher)


def _bootstrap_medians(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Medians of ``n_boot`` resamples (with replacement) of the rows of ``values`` (systems x metrics)."""
    idx = rng.integers(0, len(values), size=(n_boot, len(values)))
    return quantile(values[idx], 0.5, axis=1)  # (n_boot, metrics)


def leaderboard(
    frame_or_store: Any,
    metrics: Sequence[str] = DEFAULT_METRICS,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
) -> pd.DataFrame:
    """The benchmark's leaderboard: per model, median, IQR, bootstrap CI and mean rank of each metric.

    For each model and metric: the per-system values ``v_s`` are the medians over the system's
    trajectories of the scored metric (a failed task or an undefined value counts as the worst:
    VPT 0, sMAPE 200, D_H 1, +inf for unbounded errors); then

    - ``<metric>_median`` = median_s v_s and ``<metric>_iqr`` = Q3 - Q1 of the v_s over systems
      (0 where both quartiles are +inf);
    - ``<metric>_ci_low``, ``<metric>_ci_high``: the percentile bootstrap interval of the median
      (``n_boot`` resamples of the model's systems with replacement; the quantiles
      ``(1 - ci) / 2`` and ``(1 + ci) / 2`` of the resampled medians), Efron & Tibshirani (1993);
    - ``<metric>_rank``: the mean over systems of the model's rank among the models that ran on
      that system (1 the best; tied models share the mean of their ranks).

    Plus ``n_systems``, ``n_ok`` and ``n_failed`` (tasks), and the medians over tasks of
    ``train_seconds`` and ``inference_seconds`` where the frame has them. Rows are sorted by
    the first metric's mean rank, then its median.

    Parameters
    ----------
    frame_or_store : pandas.DataFrame or ResultStore
        `ResultStore.frame()` (one row per task: ``system``, ``model``, ``status``, one column
        per metric) or the store itself; the results of one dataset.
    metrics : sequence of str, default ("vpt", "smape@1", "d_stsp")
        Metrics with a direction (`direction`).
    n_boot : int, default 1000
        Bootstrap resamples (0: no CI columns filled, NaN).
    seed : int, default 0
        Seed of the bootstrap; each model draws from its own stream seeded by ``(seed, model
        name)``, so a model's CI does not change when other models are added.
    ci : float, default 0.95
        Coverage of the bootstrap interval.

    Returns
    -------
    pandas.DataFrame
        One row per model (the index, named ``model``).

    Raises
    ------
    ValueError
        An empty result set, a metric missing from the results or without a direction, results
        of several datasets.
    """
    import pandas as pd

    metrics = list(metrics)
    if not metrics or len(set(metrics)) != len(metrics):
        raise ValueError(f"metrics must name at least one metric, each once, got {metrics}")
    for m in metrics:
        direction(m)
    n_boot = as_int(n_boot, name="n_boot", minimum=0)
    seed = as_int(seed, name="seed", minimum=0)
    if not (0.0 < float(ci) < 1.0):
        raise ValueError(f"ci must lie strictly between 0 and 1 (e.g. 0.95), got {ci}")
    frame = results_frame(frame_or_store)
    if frame.empty:
        raise ValueError("no results to rank yet: run the benchmark first (dynstab bench run)")
    per_sys = per_system(frame, metrics)
    ranks = {m: system_ranks(per_sys, m) for m in metrics}
    lo_q, hi_q = (1.0 - ci) / 2.0, (1.0 + ci) / 2.0
    rows = []
    for model, block in per_sys.groupby(level="model", sort=True):
        values = block[metrics].to_numpy(dtype=float)  # systems x metrics
        tasks = frame[frame["model"].astype(str) == model]
        row: dict[str, Any] = {
            "model": model,
            "n_systems": len(values),
            "n_ok": int((tasks["status"] == "ok").sum()),
            "n_failed": int((tasks["status"] != "ok").sum()),
        }
        for col in ("train_seconds", "inference_seconds"):
            if col in tasks.columns:
                secs = pd.to_numeric(tasks[col], errors="coerce").dropna().to_numpy()
                row[col] = float(np.median(secs)) if len(secs) else math.nan
        if n_boot:
            rng = np.random.default_rng([seed, zlib.crc32(str(model).encode())])
            boot = _bootstrap_medians(values, n_boot, rng)
        for j, m in enumerate(metrics):
            q1, med, q3 = (float(quantile(values[:, j], q)) for q in (0.25, 0.5, 0.75))
            row[f"{m}_median"] = med
            row[f"{m}_iqr"] = 0.0 if q1 == q3 else q3 - q1
            row[f"{m}_ci_low"] = float(quantile(boot[:, j], lo_q)) if n_boot else math.nan
            row[f"{m}_ci_high"] = float(quantile(boot[:, j], hi_q)) if n_boot else math.nan
            row[f"{m}_rank"] = float(ranks[m][model].mean())
        rows.append(row)
    board = pd.DataFrame(rows).set_index("model")
    first = metrics[0]
    higher, _ = direction(first)
    median_key = -board[f"{first}_median"] if higher else board[f"{first}_median"]
    order = np.lexsort((median_key.to_numpy(), board[f"{first}_rank"].to_numpy()))
    return board.iloc[order]
