"""The estimator interface every learned model shares, its data checks and its training loop.

A learned model is a scikit-learn estimator (:class:`sklearn.base.BaseEstimator`): the constructor
stores its hyperparameters unchanged under the same names (``get_params``, ``set_params``,
``sklearn.base.clone`` and ``GridSearchCV`` work; all checks happen in ``fit``), ``fit(data, dt=...)``
learns and returns the model, fitted attributes end in ``_`` and ``score`` is a pure function of the
fitted model. On top of that each model offers ``forecast(context, steps)`` (start from observed
context), ``generate(x0, steps)`` (free-running from a state) and ``as_system()``, which returns a
:class:`dynstab.Map` (one iteration = ``dt_`` time units) or :class:`dynstab.Flow`, so the learned
dynamics go through the same analysis tools as the truth.

The helpers below the estimator (``check_int``, ``standardization``, ``train_or_recover``, ...) are
the toolkit the models in this package are written with; a new model uses them the same way.
"""

from __future__ import annotations

import abc
import inspect
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import jax
import jax.numpy as jnp
import numpy as np
from sklearn.base import BaseEstimator

from .._precision import float64
from ..validation import as_int

__all__ = [
    "TrainingData",
    "as_training_data",
    "check_series",
    "LearnedModel",
    "NonFiniteLossError",
    "TrainResult",
    "train_epochs",
    "ridge_regression",
    "check_int",
    "check_steps",
    "check_positive_ints",
    "standardization",
    "mark_fitted",
    "forecast_last_window",
    "train_or_recover",
]


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss; the model keeps the best parameters found before.

    The attribute ``result`` (a :class:`TrainResult`) holds the best state found before the loss
    became non-finite.
    """

    result: TrainResult


@dataclass(frozen=True)
class TrainingData:
    """One or several trajectories on a common sampling step: ``series[i]`` has shape (T_i, d).

    Parameters
    ----------
    series : tuple of numpy.ndarray
        The trajectories, each a finite float64 array (complex128 for a model that accepts complex
        data) of shape (T_i, d) with the same d.
    dt : float
        The sampling step shared by all trajectories (time units per sample).
    """

    series: tuple[np.ndarray, ...]
    dt: float

    @property
    def dim(self) -> int:
        """Number of variables d."""
        return self.series[0].shape[1]

    @property
    def lengths(self) -> tuple[int, ...]:
        """Number of samples T_i of each trajectory."""
        return tuple(s.shape[0] for s in self.series)

    def stacked(self) -> np.ndarray:
        """All samples in one array (for statistics, not for transitions).

        Returns
        -------
        numpy.ndarray
            Shape (sum T_i, d): the trajectories concatenated in order.
        """
        return np.concatenate(self.series, axis=0)


def check_series(
    x: Any, *, what: str = "data", min_length: int = 1, dim: int | None = None, allow_complex: bool = False
) -> np.ndarray:
    """Validate one time series: a finite float64 array of shape (T, d); a 1-D series becomes (T, 1).

    Complex data is never cast silently: it is real data when every imaginary part is zero, kept as
    complex128 where ``allow_complex``, and refused otherwise.

    Parameters
    ----------
    x : array_like, shape (T, d) or (T,)
        The series.
    what : str
        Its name in error messages.
    min_length : int
        The least number of samples T accepted.
    dim : int, optional
        The required number of variables d (the dimension a model was fitted on).
    allow_complex : bool
        Keep complex data as complex128 (models that support it, e.g. exact DMD).

    Returns
    -------
    numpy.ndarray
        The series as a float64 (or, with ``allow_complex``, complex128) array of shape (T, d).

    Raises
    ------
    ValueError
        For a wrong shape, too few samples, a wrong number of variables, a non-finite value
        (the message names the sample and variable) or complex data the caller cannot use.
    """
    arr = _real_or_complex(x, what, allow_complex)
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
        raise ValueError(
            f"{what} contains a non-finite value ({arr[row, col]}) at sample {row}, variable {col}; "
            "remove or interpolate it before fitting"
        )
    return arr


def _is_xarray(x: Any) -> bool:
    """Whether ``x`` is an xarray Dataset or DataArray (without importing xarray)."""
    return type(x).__module__.split(".")[0] == "xarray" and hasattr(x, "dims")


def _xarray_states(x: Any, what: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The states and times of an xarray object: a Dataset's ``x`` (as written by
    `dynstab.Trajectory.to_xarray`) or a DataArray, with its ``time`` coordinate if it has one."""
    if hasattr(x, "data_vars"):
        if "x" not in x.data_vars:
            raise ValueError(
                f"{what} is an xarray Dataset without a variable 'x' (it has {sorted(map(str, x.data_vars))}); "
                "pass the DataArray of the states, e.g. ds['name']"
            )
        x = x["x"]
    times = np.asarray(x["time"].values) if "time" in x.coords else None
    return np.asarray(x.values), times


def _real_or_complex(x: Any, what: str, allow_complex: bool) -> np.ndarray:
    """``x`` as float64, or complex128 where complex data is allowed; never drops an imaginary part."""
    if _is_xarray(x):
        x = _xarray_states(x, what)[0]
    arr = np.asarray(x)
    if np.iscomplexobj(arr):
        if np.any(arr.imag != 0):
            if allow_complex:
                return arr.astype(np.complex128)
            raise ValueError(
                f"{what} is complex; this model needs real data. Fit the real and imaginary parts as "
                "separate real variables (np.concatenate([x.real, x.imag], axis=-1)), or use DMD, "
                "which decomposes complex snapshots"
            )
        arr = arr.real
    return np.asarray(arr, dtype=np.float64)


def _dt_of_times(t: np.ndarray, what: str) -> float:
    steps = np.diff(np.asarray(t, dtype=np.float64))
    if steps.size == 0:
        raise ValueError(f"{what} has a single sample; its sampling step is undefined")
    dt = float(np.mean(steps))
    if dt <= 0 or np.max(np.abs(steps - dt)) > 1e-6 * dt:
        raise ValueError(
            f"{what} is not uniformly sampled (steps from {steps.min():g} to {steps.max():g}); "
            "resample it on a uniform grid first"
        )
    return dt


def as_training_data(
    data: Any, dt: float | None = None, *, min_length: int = 2, allow_complex: bool = False
) -> TrainingData:
    """Normalize training data to a :class:`TrainingData`.

    Parameters
    ----------
    data : array_like or Trajectory or xarray.Dataset or list
        One array (T, d) or (T,), a (B, T, d) array of B trajectories, a :class:`dynstab.Trajectory`
        (its uniform time grid gives ``dt``), an xarray Dataset with ``x`` over (member,) time,
        variable (as `dynstab.Trajectory.to_xarray` writes; its ``time`` coordinate gives ``dt``) or
        a DataArray, or a list of any of these. Trajectories must share ``dt`` and ``d``.
    dt : float, optional
        The sampling step; must agree with the time grid of any ``Trajectory`` given. Default: the
        trajectories' step, else 1.
    min_length : int
        The least number of samples of each trajectory.
    allow_complex : bool
        Keep complex trajectories as complex128 (see :func:`check_series`); otherwise complex data
        with a non-zero imaginary part is refused.

    Returns
    -------
    TrainingData
        The validated series and their common sampling step.
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
        elif _is_xarray(item):
            states, times = _xarray_states(item, f"trajectory {len(series)}")
            if times is not None:
                steps.append((len(series), _dt_of_times(times, f"trajectory {len(series)}")))
            parts = list(states) if states.ndim == 3 else [states]
        else:
            arr = np.asarray(item)
            parts = list(arr) if arr.ndim == 3 else [arr]
        for part in parts:
            what = f"trajectory {len(series)}"
            series.append(check_series(part, what=what, min_length=min_length, allow_complex=allow_complex))
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


class LearnedModel(BaseEstimator, abc.ABC):
    """Base class: a scikit-learn estimator of a dynamical system from time series.

    Subclasses store their hyperparameters unchanged in ``__init__`` (so ``get_params``,
    ``set_params``, ``__repr__`` and ``sklearn.base.clone`` come from
    :class:`sklearn.base.BaseEstimator`), validate them in ``fit``, and implement ``fit``,
    ``generate`` and ``as_system``; ``forecast`` defaults to starting ``generate`` from the last
    context state, which models with hidden state or delays override.

    Attributes
    ----------
    context_length : int
        Samples of context a forecast needs (delay models need more than one).
    fitted_ : bool
        Set by ``fit``.
    dim_ : int
        Number of observed variables d of the training data.
    dt_ : float
        Sampling step of the training data: the time one step of the learned model stands for.
    """

    @property
    def context_length(self) -> int:
        """Samples of context a forecast needs (delay models need more than one)."""
        return 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Run every public method of a model class in dynstab's float64 scope (`dynstab.float64_scope`).

        A model computes in float64 whatever the user's JAX default is, like every dynstab entry point; the
        user's own JAX code keeps its dtype.
        """
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if name.startswith("_"):
                continue
            if isinstance(value, classmethod | staticmethod):
                setattr(cls, name, type(value)(_scoped(value.__func__)))
            elif inspect.isfunction(value):
                setattr(cls, name, _scoped(value))

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` has run (used by :func:`sklearn.utils.validation.check_is_fitted`)."""
        return bool(getattr(self, "fitted_", False))

    def _check_fitted(self) -> None:
        if not getattr(self, "fitted_", False):
            raise RuntimeError(f"{type(self).__name__} is not fitted yet; call fit(data, dt=...) first")

    @abc.abstractmethod
    def fit(self, data: Any, dt: float | None = None) -> LearnedModel:
        """Learn from one or several trajectories.

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (see :func:`as_training_data`).
        dt : float, optional
            Their sampling step (default: a ``Trajectory``'s step, else 1).

        Returns
        -------
        LearnedModel
            ``self``, fitted.
        """

    @abc.abstractmethod
    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """Free-running prediction from a state.

        Parameters
        ----------
        x0 : array_like, shape (d,)
            The state the prediction starts from.
        steps : int
            Number of samples to predict.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d): the ``steps`` samples after ``x0``, every ``dt_``.
        """

    @abc.abstractmethod
    def as_system(self):
        """The learned dynamics as a dynstab system.

        Returns
        -------
        Map or Flow
            A :class:`dynstab.Map` (discrete models; one iteration = ``dt_`` time units) or a
            :class:`dynstab.Flow`.
        """

    @float64
    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """Predict the samples that follow an observed context.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples, T_c >= ``context_length``; the prediction continues after the last.
        steps : int
            Number of samples to predict.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        self._check_fitted()
        ctx = check_series(
            context,
            what="context",
            min_length=self.context_length,
            dim=self.dim_,
            allow_complex=bool(getattr(self, "complex_", False)),
        )
        return self.generate(ctx[-1], check_steps(steps))

    @float64
    def score(self, data: Any, steps: int | None = None) -> float:
        """Coefficient of determination R^2 of a forecast (scikit-learn sign: 1 is perfect).

        The model forecasts ``data`` from its first ``context_length`` samples; with ``y`` the
        following ``steps`` samples and ``p`` the forecast, R^2 = 1 - sum (y - p)^2 / sum (y - mean y)^2
        (summed over samples and variables; ``-sum (y - p)^2`` for a constant ``y``). This is the
        ``score`` that ``GridSearchCV`` uses by default.

        Parameters
        ----------
        data : array_like, shape (T, d)
            A series sampled every ``dt_``; T > ``context_length``.
        steps : int, optional
            Forecast horizon in samples (default: the rest of the series).

        Returns
        -------
        float
            R^2 of the forecast; -inf for a forecast that diverged (non-finite values).
        """
        self._check_fitted()
        x = check_series(data, what="data", min_length=self.context_length + 1, dim=self.dim_)
        steps = x.shape[0] - self.context_length if steps is None else check_steps(steps)
        truth = x[self.context_length : self.context_length + steps]
        pred = self.forecast(x[: self.context_length], truth.shape[0])
        if not np.all(np.isfinite(pred)):
            return -np.inf  # a forecast that diverged: the worst score, not NaN
        with np.errstate(over="ignore"):  # a forecast far off the data: R^2 -> -inf, said by the value
            ss_res = np.sum((truth - pred) ** 2)
        ss_tot = np.sum((truth - truth.mean(axis=0)) ** 2)
        return float(1.0 - ss_res / ss_tot) if ss_tot > 0 else float(-ss_res)


def _scoped(fn: Callable) -> Callable:
    """``fn`` inside the float64 scope (once: an already scoped function is returned as is)."""
    if getattr(fn, "_dynstab_float64", False):
        return fn
    wrapped = float64(fn)
    wrapped._dynstab_float64 = True  # type: ignore[attr-defined]
    return wrapped


@dataclass
class TrainResult:
    """Outcome of :func:`train_epochs`.

    Parameters
    ----------
    state : pytree
        The kept training state (lowest epoch loss, or the last with ``keep_best=False``).
    losses : numpy.ndarray
        Mean loss of each epoch.
    best_epoch : int
        Index of the kept epoch (-1 if none finished).
    best_loss : float
        Its mean loss.
    seconds : float
        Wall time of the run.
    interrupted : bool
        Whether Ctrl-C stopped the run early.
    info : dict
        Extra information a caller may attach.
    """

    state: Any
    losses: np.ndarray
    best_epoch: int
    best_loss: float
    seconds: float
    interrupted: bool = False
    info: dict[str, Any] = field(default_factory=dict)


class _EpochCache(Protocol):
    """A step function carrying its compiled epochs, keyed by ``steps_per_epoch`` (see `_compiled_epoch`)."""

    _dynstab_epochs: dict[int, Callable]


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
            cache = cast(_EpochCache, step)._dynstab_epochs = {}
        cache[steps_per_epoch] = epoch
    except AttributeError:  # a bound method or builtin: no attribute to cache on
        pass
    return epoch


@float64
def train_epochs(
    step: Callable[[Any, jax.Array], tuple[Any, jax.Array]],
    state: Any,
    *,
    n_epochs: int,
    steps_per_epoch: int,
    seed: int = 0,
    progress: bool | None = None,
    description: str = "training",
    keep_best: bool = True,
) -> TrainResult:
    """Run ``n_epochs`` x ``steps_per_epoch`` optimisation steps ``state, loss = step(state, key)``.

    Each epoch is one compiled ``lax.scan`` over its steps (one dispatch per epoch, not per step).
    The state with the lowest mean epoch loss is kept (``keep_best``) and returned; Ctrl-C stops
    after the current epoch and returns the best state so far (``interrupted=True``).

    Parameters
    ----------
    step : callable
        ``step(state, key) -> (state, loss)``, traceable by JAX.
    state : pytree
        The initial training state.
    n_epochs, steps_per_epoch : int
        Number of epochs and of steps in each.
    seed : int
        Seed of the per-step random keys.
    progress : bool, optional
        Show a progress bar; ``None``: when the run is expected to exceed a few seconds.
    description : str
        Label of the progress bar and of error messages.
    keep_best : bool
        Keep the epoch of lowest mean loss (else the last).

    Returns
    -------
    TrainResult
        The kept state, the loss history and timing.

    Raises
    ------
    NonFiniteLossError
        When an epoch's loss is NaN or infinite; its ``result`` holds the best state before it.
    """
    if n_epochs < 1 or steps_per_epoch < 1:
        raise ValueError("n_epochs and steps_per_epoch must be positive")

    epoch = _compiled_epoch(step, steps_per_epoch)
    key = jax.random.PRNGKey(seed)
    losses: list[float] = []
    best_state, best_loss, best_epoch = state, np.inf, -1
    low_state, low_loss, low_epoch = state, np.inf, -1  # the lowest finite loss, kept whatever keep_best says
    start = time.perf_counter()
    bar = None
    interrupted = False
    try:
        for i in range(n_epochs):
            key, sub = jax.random.split(key)
            new_state, loss = epoch(state, sub)
            loss = float(loss)
            if not np.isfinite(loss):  # diverged: the lowest finite loss, not the last state (issue 14)
                result = TrainResult(low_state, np.asarray(losses), low_epoch, low_loss, time.perf_counter() - start)
                kept = (
                    f"keeping the best parameters (epoch {low_epoch}, loss {low_loss:.4g})"
                    if low_epoch >= 0
                    else "no epoch finished, so there are no parameters to keep"
                )
                err = NonFiniteLossError(
                    f"{description}: the loss became {loss} in epoch {i}; {kept}. Lower the learning rate or regularize."
                )
                err.result = result
                raise err
            state = new_state
            losses.append(loss)
            if loss < best_loss or not keep_best:
                best_state, best_loss, best_epoch = state, loss, i
            if loss < low_loss:
                low_state, low_loss, low_epoch = state, loss, i
            if bar is None and progress is not False and i == 0:
                expected = (time.perf_counter() - start) * n_epochs
                if progress or expected > 5.0:
                    bar = _ProgressBar(description, n_epochs)
            if bar is not None:
                bar.update(i + 1, loss)
    except KeyboardInterrupt:
        interrupted = True
        warnings.warn(
            f"{description} interrupted after {len(losses)} epochs; keeping the best state "
            f"(epoch {best_epoch}, loss {best_loss:.4g})",
            stacklevel=2,
        )
    finally:
        if bar is not None:
            bar.close()
    if best_epoch < 0:
        best_state = state
    return TrainResult(
        best_state, np.asarray(losses), best_epoch, float(best_loss), time.perf_counter() - start, interrupted
    )


class _ProgressBar:
    def __init__(self, description: str, total: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TimeRemainingColumn(),
            transient=True,
        )
        self._task = self._progress.add_task(description, total=total, loss="-")
        self._progress.start()

    def update(self, done: int, loss: float) -> None:
        self._progress.update(self._task, completed=done, loss=f"{loss:.4g}")

    def close(self) -> None:
        self._progress.stop()


@float64
def ridge_regression(features: jax.Array, targets: jax.Array, ridge: float) -> jax.Array:
    """Tikhonov-regularized least squares by the normal equations (Cholesky, float64).

    W = (F^T F + ridge I)^{-1} F^T Y minimizes ||F W - Y||^2 + ridge ||W||^2 (A. N. Tikhonov, 1963;
    Hoerl & Kennard, Technometrics 12:55, 1970).

    Parameters
    ----------
    features : jax.Array, shape (n, p)
        The feature matrix F.
    targets : jax.Array, shape (n, q)
        The targets Y.
    ridge : float
        The regularization parameter (>= 0).

    Returns
    -------
    jax.Array
        W, shape (p, q).
    """
    gram = features.T @ features + ridge * jnp.eye(features.shape[1], dtype=features.dtype)
    return jax.scipy.linalg.solve(gram, features.T @ targets, assume_a="pos")


# --------------------------------------------------------------------------------------------
# the plumbing every estimator shares (hyperparameter checks, data scaling, fitted state)


def check_int(name: str, value: Any, minimum: int = 1) -> int:
    """Validate an integer hyperparameter or argument with :func:`dynstab.validation.as_int`.

    Parameters
    ----------
    name : str
        Its name in the error message.
    value : Any
        The value; an integral float such as ``3.0`` is accepted, ``bool`` is not.
    minimum : int
        The least value accepted.

    Returns
    -------
    int
        ``value`` as an ``int``.

    Raises
    ------
    ValueError
        "``name`` must be an integer >= ``minimum``, got ..." (a wrong kind raises
        :class:`dynstab.validation.InvalidTypeError`, also a ``ValueError``).
    """
    return as_int(value, name=name, minimum=minimum)


def check_steps(steps: Any) -> int:
    """Validate a number of prediction steps (an integer >= 1).

    Parameters
    ----------
    steps : Any
        The value to check.

    Returns
    -------
    int
        ``steps`` as an ``int``.
    """
    return check_int("steps", steps)


def check_positive_ints(model: Any, names: tuple[str, ...]) -> None:
    """Check that each hyperparameter ``getattr(model, name)`` is an integer >= 1.

    Parameters
    ----------
    model : object
        The estimator.
    names : tuple of str
        The hyperparameter names.
    """
    for name in names:
        check_int(name, getattr(model, name))


def standardization(td: TrainingData, standardize: bool) -> tuple[np.ndarray, np.ndarray]:
    """Mean and scale of the training samples for the z-score z = (x - mean) / scale.

    Parameters
    ----------
    td : TrainingData
        The training data (all samples of all trajectories count).
    standardize : bool
        If False, the identity (zeros and ones).

    Returns
    -------
    mean, scale : numpy.ndarray
        Each of shape (d,).

    Raises
    ------
    ValueError
        If a variable is constant in the data (it cannot be scaled).
    """
    stacked = td.stacked()
    mean = stacked.mean(axis=0) if standardize else np.zeros(td.dim)
    scale = stacked.std(axis=0) if standardize else np.ones(td.dim)
    if np.any(scale == 0):
        raise ValueError(
            f"variables {np.flatnonzero(scale == 0).tolist()} are constant in the training data; "
            "drop them or pass standardize=False"
        )
    return mean, scale


def mark_fitted(model: Any, td: TrainingData) -> None:
    """Record the data's dimension and sampling step on a model (``dim_``, ``dt_``) and set ``fitted_``.

    Parameters
    ----------
    model : LearnedModel
        The estimator being fitted.
    td : TrainingData
        Its training data.
    """
    model.dim_ = td.dim
    model.dt_ = td.dt
    model.fitted_ = True


def forecast_last_window(model: LearnedModel, context: Any, steps: int) -> np.ndarray:
    """``model.generate`` from the last ``context_length`` samples of ``context`` (delay-embedded models).

    Parameters
    ----------
    model : LearnedModel
        A fitted model whose ``generate`` accepts a window of ``context_length`` samples.
    context : array_like, shape (T_c, d)
        Observed samples, T_c >= ``model.context_length``.
    steps : int
        Number of samples to predict.

    Returns
    -------
    numpy.ndarray
        Shape (steps, d).
    """
    model._check_fitted()
    ctx = check_series(context, what="context", min_length=model.context_length, dim=model.dim_)
    return model.generate(ctx[-model.context_length :], steps)


def train_or_recover(
    model: Any, step: Callable, state: Any, store: Callable[[Any, TrainResult], None], failure: str, **train_kwargs: Any
) -> TrainResult:
    """Run :func:`train_epochs`, then ``store(result.state, result)``; keep the last good state on failure.

    On a non-finite loss the state of lowest finite epoch loss found before it is stored, ``model.fitted_``
    is set, and :class:`NonFiniteLossError` is re-raised with the message ``failure.format(err=..., name=...)``
    (``name`` the model's class name; the error's ``result`` holds that state). When no epoch finished
    (the first epoch's loss is already non-finite, or Ctrl-C before it ended) nothing is stored, the
    model is left as it was (not marked fitted) and the error (or ``KeyboardInterrupt``) is raised.

    Parameters
    ----------
    model : LearnedModel
        The estimator being trained.
    step : callable
        ``step(state, key) -> (state, loss)``.
    state : pytree
        The initial training state.
    store : callable
        ``store(state, result)`` puts a training state on the model.
    failure : str
        Message template for a non-finite loss.
    **train_kwargs
        Passed to :func:`train_epochs`.

    Returns
    -------
    TrainResult
        The result of the run.
    """
    try:
        result = train_epochs(step, state, **train_kwargs)
    except NonFiniteLossError as err:
        res: TrainResult = err.result
        if res.best_epoch < 0:
            new = NonFiniteLossError(
                f"{type(model).__name__}.fit: {err} The model is not fitted; refit with a smaller "
                "learning_rate, a gradient_clip or regularization."
            )
            new.result = res
            raise new from err
        store(res.state, res)
        model.fitted_ = True
        new = NonFiniteLossError(failure.format(err=err, name=type(model).__name__))
        new.result = res
        raise new from err
    if result.best_epoch < 0:  # interrupted before the first epoch ended: nothing to keep
        raise KeyboardInterrupt(f"{type(model).__name__}.fit interrupted before the first epoch ended; not fitted")
    store(result.state, result)
    return result
