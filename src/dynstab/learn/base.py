"""The estimator interface every learned model shares, its data checks and its training loop.

A learned model follows scikit-learn conventions: hyperparameters in the constructor,
``fit(data, dt=...)`` returns the model, fitted attributes end in ``_``. On top of that each model
offers ``forecast(context, steps)`` (start from observed context), ``generate(x0, steps)``
(free-running from a state) and ``as_system()``, which returns a :class:`dynstab.Map` or
:class:`dynstab.Flow`, so the learned dynamics go through the same analysis tools as the truth.
"""

from __future__ import annotations

import abc
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["TrainingData", "as_training_data", "check_series", "LearnedModel", "NonFiniteLossError",
           "TrainResult", "train_epochs"]


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss; the model keeps the best parameters found before."""


@dataclass(frozen=True)
class TrainingData:
    """One or several trajectories on a common sampling step: ``series[i]`` has shape (T_i, d)."""

    series: tuple[np.ndarray, ...]
    dt: float

    @property
    def dim(self) -> int:
        return self.series[0].shape[1]

    @property
    def lengths(self) -> tuple[int, ...]:
        return tuple(s.shape[0] for s in self.series)

    def stacked(self) -> np.ndarray:
        """All samples in one (sum T_i, d) array (for statistics, not for transitions)."""
        return np.concatenate(self.series, axis=0)


def check_series(x: Any, *, what: str = "data", min_length: int = 1, dim: int | None = None) -> np.ndarray:
    """A finite float64 array of shape (T, d); a 1-D series becomes (T, 1)."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{what} must have shape (T, d) or (T,), got shape {arr.shape}")
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{what} has {arr.shape[1]} variables but the model was fitted on {dim}")
    if arr.shape[0] < min_length:
        raise ValueError(f"{what} has {arr.shape[0]} samples; this model needs at least {min_length}")
    if not np.all(np.isfinite(arr)):
        row, col = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{what} contains a non-finite value ({arr[row, col]}) at sample {row}, variable {col}; "
                         "remove or interpolate it before fitting")
    return arr


def _dt_of_times(t: np.ndarray, what: str) -> float:
    steps = np.diff(np.asarray(t, dtype=np.float64))
    if steps.size == 0:
        raise ValueError(f"{what} has a single sample; its sampling step is undefined")
    dt = float(np.mean(steps))
    if dt <= 0 or np.max(np.abs(steps - dt)) > 1e-6 * dt:
        raise ValueError(f"{what} is not uniformly sampled (steps from {steps.min():g} to {steps.max():g}); "
                         "resample it on a uniform grid first")
    return dt


def as_training_data(data: Any, dt: float | None = None, *, min_length: int = 2) -> TrainingData:
    """Normalize ``data`` to a :class:`TrainingData`.

    ``data`` is one array (T, d) or (T,), a (B, T, d) array of B trajectories, a
    :class:`dynstab.Trajectory` (its time grid gives ``dt``), or a list of any of these.
    Trajectories must share ``dt`` and ``d``; each needs ``min_length`` samples.
    """
    from ..simulate.trajectory import Trajectory

    items = list(data) if isinstance(data, (list, tuple)) else [data]
    if not items:
        raise ValueError("no training data given")
    series: list[np.ndarray] = []
    steps: list[tuple[int, float]] = []
    for item in items:
        if isinstance(item, Trajectory):
            steps.append((len(series), _dt_of_times(item.t, f"trajectory {len(series)}")))
            parts = list(item.x) if item.is_ensemble else [item.x]
        else:
            arr = np.asarray(item, dtype=np.float64)
            parts = list(arr) if arr.ndim == 3 else [arr]
        for part in parts:
            series.append(check_series(part, what=f"trajectory {len(series)}", min_length=min_length))
    dims = {s.shape[1] for s in series}
    if len(dims) > 1:
        raise ValueError(f"trajectories have different numbers of variables: {sorted(dims)}")
    found = {round(step, 12) for _, step in steps}
    if len(found) > 1:
        raise ValueError(f"trajectories have inconsistent sampling steps {sorted(found)}; resample to one dt")
    if steps:
        inferred = steps[0][1]
        if dt is not None and abs(dt - inferred) > 1e-9 * max(abs(dt), 1.0):
            raise ValueError(f"dt={dt} disagrees with the trajectories' sampling step {inferred}")
        dt = inferred
    if dt is None:
        dt = 1.0
    if not np.isfinite(dt) or dt <= 0:
        raise ValueError(f"dt must be a positive number, got {dt}")
    return TrainingData(tuple(series), float(dt))


class LearnedModel(abc.ABC):
    """Base class: scikit-learn style estimator of a dynamical system from data.

    Subclasses implement ``fit``, ``generate`` and ``as_system``; ``forecast`` defaults to
    starting ``generate`` from the last context state, which models with hidden state override.
    """

    #: samples of context a forecast needs (delay models need more than one)
    context_length: int = 1

    def _check_fitted(self) -> None:
        if not getattr(self, "fitted_", False):
            raise RuntimeError(f"{type(self).__name__} is not fitted yet; call fit(data, dt=...) first")

    @abc.abstractmethod
    def fit(self, data: Any, dt: float | None = None) -> LearnedModel:
        """Learn from one or several trajectories sampled every ``dt``; returns ``self``."""

    @abc.abstractmethod
    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """Free-running prediction of ``steps`` samples after state ``x0``: shape (steps, d)."""

    @abc.abstractmethod
    def as_system(self):
        """The learned dynamics as a :class:`dynstab.Map` (discrete models) or :class:`dynstab.Flow`."""

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """Predict ``steps`` samples that follow the observed ``context`` (T_c, d): shape (steps, d)."""
        self._check_fitted()
        ctx = check_series(context, what="context", min_length=self.context_length, dim=self.dim_)
        return self.generate(ctx[-1], _check_steps(steps))

    def score(self, data: Any, steps: int | None = None) -> float:
        """Coefficient of determination R^2 of the forecast of ``data`` from its first ``context_length``
        samples over ``steps`` samples (default: the rest of the series); 1 is perfect (scikit-learn sign)."""
        self._check_fitted()
        x = check_series(data, what="data", min_length=self.context_length + 1, dim=self.dim_)
        steps = x.shape[0] - self.context_length if steps is None else _check_steps(steps)
        truth = x[self.context_length:self.context_length + steps]
        pred = self.forecast(x[:self.context_length], truth.shape[0])
        ss_res = np.sum((truth - pred) ** 2)
        ss_tot = np.sum((truth - truth.mean(axis=0)) ** 2)
        return float(1.0 - ss_res / ss_tot) if ss_tot > 0 else float(-ss_res)


def _check_steps(steps: Any) -> int:
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    return int(steps)


@dataclass
class TrainResult:
    """Outcome of :func:`train_epochs`: the best state (lowest epoch loss) and the loss history."""

    state: Any
    losses: np.ndarray
    best_epoch: int
    best_loss: float
    seconds: float
    interrupted: bool = False
    info: dict[str, Any] = field(default_factory=dict)


def _compiled_epoch(step: Callable, steps_per_epoch: int) -> Callable:
    """One epoch, ``steps_per_epoch`` steps in a jitted ``lax.scan``; cached on ``step`` so that training in
    chunks (checkpoint selection calls :func:`train_epochs` once per chunk) traces and compiles it once."""
    cache = getattr(step, "_dynstab_epochs", None)
    if cache is not None and steps_per_epoch in cache:
        return cache[steps_per_epoch]

    @jax.jit
    def epoch(state, key):
        state, losses = jax.lax.scan(step, state, jax.random.split(key, steps_per_epoch))
        return state, jnp.mean(losses)

    try:
        if cache is None:
            cache = step._dynstab_epochs = {}
        cache[steps_per_epoch] = epoch
    except AttributeError:  # a bound method or builtin: no attribute to cache on
        pass
    return epoch


def train_epochs(step: Callable[[Any, jax.Array], tuple[Any, jax.Array]], state: Any, *, n_epochs: int,
                 steps_per_epoch: int, seed: int = 0, progress: bool | None = None,
                 description: str = "training", keep_best: bool = True) -> TrainResult:
    """Run ``n_epochs`` x ``steps_per_epoch`` optimisation steps ``state, loss = step(state, key)``.

    Each epoch is one compiled ``lax.scan`` over its steps (one dispatch per epoch, not per step).
    The state with the lowest mean epoch loss is kept (``keep_best``) and returned; Ctrl-C stops
    after the current epoch and returns the best state so far (``interrupted=True``); a NaN or
    infinite loss raises :class:`NonFiniteLossError` whose ``result`` holds the best state.
    ``progress=None`` shows a progress bar when the run is expected to exceed a few seconds.
    """
    if n_epochs < 1 or steps_per_epoch < 1:
        raise ValueError("n_epochs and steps_per_epoch must be positive")

    epoch = _compiled_epoch(step, steps_per_epoch)
    key = jax.random.PRNGKey(seed)
    losses: list[float] = []
    best_state, best_loss, best_epoch = state, np.inf, -1
    start = time.perf_counter()
    bar = None
    interrupted = False
    try:
        for i in range(n_epochs):
            key, sub = jax.random.split(key)
            new_state, loss = epoch(state, sub)
            loss = float(loss)
            if not np.isfinite(loss):
                result = TrainResult(best_state, np.asarray(losses), best_epoch, best_loss,
                                     time.perf_counter() - start)
                err = NonFiniteLossError(
                    f"{description}: the loss became {loss} in epoch {i}; keeping the best parameters "
                    f"(epoch {best_epoch}, loss {best_loss:.4g}). Lower the learning rate or regularize.")
                err.result = result
                raise err
            state = new_state
            losses.append(loss)
            if loss < best_loss or not keep_best:
                best_state, best_loss, best_epoch = state, loss, i
            if bar is None and progress is not False and i == 0:
                expected = (time.perf_counter() - start) * n_epochs
                if progress or expected > 5.0:
                    bar = _ProgressBar(description, n_epochs)
            if bar is not None:
                bar.update(i + 1, loss)
    except KeyboardInterrupt:
        interrupted = True
        warnings.warn(f"{description} interrupted after {len(losses)} epochs; keeping the best state "
                      f"(epoch {best_epoch}, loss {best_loss:.4g})", stacklevel=2)
    finally:
        if bar is not None:
            bar.close()
    if best_epoch < 0:
        best_state = state
    return TrainResult(best_state, np.asarray(losses), best_epoch, float(best_loss),
                       time.perf_counter() - start, interrupted)


class _ProgressBar:
    def __init__(self, description: str, total: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("loss {task.fields[loss]}"), TimeRemainingColumn(), transient=True)
        self._task = self._progress.add_task(description, total=total, loss="-")
        self._progress.start()

    def update(self, done: int, loss: float) -> None:
        self._progress.update(self._task, completed=done, loss=f"{loss:.4g}")

    def close(self) -> None:
        self._progress.stop()


def ridge_regression(features: jax.Array, targets: jax.Array, ridge: float) -> jax.Array:
    """W minimizing ||features W - targets||^2 + ridge ||W||^2 (Tikhonov), via the normal equations
    solved by Cholesky in float64: W = (F^T F + ridge I)^{-1} F^T Y."""
    gram = features.T @ features + ridge * jnp.eye(features.shape[1], dtype=features.dtype)
    return jax.scipy.linalg.solve(gram, features.T @ targets, assume_a="pos")


# --------------------------------------------------------------------------------------------
# private plumbing shared by the estimators (hyperparameter checks, data scaling, fitted state)

def _check_positive_ints(model: Any, names: tuple[str, ...]) -> None:
    """Each hyperparameter ``getattr(model, name)`` must be an integer >= 1."""
    for name in names:
        v = getattr(model, name)
        if int(v) != v or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")


def _standardization(td: TrainingData, standardize: bool) -> tuple[np.ndarray, np.ndarray]:
    """(mean, scale) of the training samples for z = (x - mean) / scale (zeros and ones when ``standardize``
    is off); a variable that is constant in the data cannot be scaled and raises."""
    stacked = td.stacked()
    mean = stacked.mean(axis=0) if standardize else np.zeros(td.dim)
    scale = stacked.std(axis=0) if standardize else np.ones(td.dim)
    if np.any(scale == 0):
        raise ValueError(f"variables {np.flatnonzero(scale == 0).tolist()} are constant in the training data; "
                         "drop them or pass standardize=False")
    return mean, scale


def _mark_fitted(model: Any, td: TrainingData) -> None:
    """Record the data's dimension and sampling step (``dim_``, ``dt_``) and set ``fitted_``."""
    model.dim_ = td.dim
    model.dt_ = td.dt
    model.fitted_ = True


def _forecast_last_window(model: LearnedModel, context: Any, steps: int) -> np.ndarray:
    """``model.generate`` from the last ``context_length`` samples of ``context`` (delay-embedded models)."""
    model._check_fitted()
    ctx = check_series(context, what="context", min_length=model.context_length, dim=model.dim_)
    return model.generate(ctx[-model.context_length:], steps)


def _train_or_recover(model: Any, step: Callable, state: Any, store: Callable[[Any, TrainResult], None],
                      failure: str, **train_kwargs: Any) -> TrainResult:
    """:func:`train_epochs`, then ``store(result.state, result)``. On a non-finite loss the best state found
    before it is stored, ``model.fitted_`` is set, and :class:`NonFiniteLossError` is re-raised with the
    message ``failure.format(err=..., name=type(model).__name__)`` (its ``result`` holds that state)."""
    try:
        result = train_epochs(step, state, **train_kwargs)
    except NonFiniteLossError as err:
        res: TrainResult = err.result
        store(res.state, res)
        model.fitted_ = True
        new = NonFiniteLossError(failure.format(err=err, name=type(model).__name__))
        new.result = res
        raise new from err
    store(result.state, result)
    return result
