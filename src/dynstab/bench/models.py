"""The models of the forecasting benchmark: baselines, every dynstab.learn estimator, optional darts forecasters.

Each entry of :data:`MODELS` is a :class:`ModelSpec`: a ``build(seed=..., **hp)`` returning an estimator with
``fit(data, dt=None)`` / ``forecast(context, steps)`` (the :mod:`dynstab.learn` interface; ``as_system()``
where the model is a dynamical system), a small hyperparameter grid searched on the validation split by
sMAPE (:func:`dynstab.bench.task.run_task`), a kind and whether the model is slow to train.

The grids are deliberately small (at most 4 points): the benchmark runs every model on every system
within a per-task time budget, and Gilpin (2023) found that the ranking of model families is set by the
family, not by fine tuning. Each grid spans the one or two hyperparameters that decide whether a model
of that family works at all on a chaotic flow sampled at 100 points per period (the reason is stated
next to each grid below).

Every learned model sees standardized data (z-scores with the training mean and standard deviation;
:class:`Standardized`) unless it standardizes itself (ESN, neural ODE): PLRNN-type models and the
sparsity threshold of SINDy assume O(1) variables, and DMD cannot represent a mean offset. The
forecasts are returned in the original units. ``as_system()`` returns the learned system in the
standardized coordinates: an affine change of coordinates leaves the Lyapunov exponents unchanged,
so lambda_1 of the learned attractor is still comparable with the catalog's.

References: Gilpin, "Chaos as an interpretable benchmark for forecasting and data-driven modelling",
NeurIPS Datasets and Benchmarks 2021; Gilpin, "Model scale versus domain knowledge in statistical
forecasting of chaotic systems", Phys. Rev. Research 5:043252 (2023).
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..validation import as_int


def _learn_base() -> Any:
    """``dynstab.learn.base``, imported on first use: it imports scikit-learn (1-3 s), which checking the
    names of a benchmark (`dynstab bench run` before any work) does not need."""
    from ..learn import base

    return base


__all__ = [
    "ModelSpec",
    "MODELS",
    "grid_hash",
    "scaled_settings",
    "supports_system",
    "Standardized",
    "PerVariable",
    "LastValue",
    "MeanValue",
    "SeasonalNaive",
    "DartsForecaster",
    "KINDS",
]

KINDS = ("baseline", "linear", "reservoir", "rnn", "ode", "deep")

#: Version of the model definitions; part of every grid hash, so a change of a wrapper invalidates stored results.
MODELS_VERSION = "1"


@dataclass(frozen=True, eq=False)
class ModelSpec:
    """One model of the benchmark.

    Parameters
    ----------
    name : str
        Its name in presets, the store and the leaderboard.
    build : callable
        ``build(seed=0, **hp)`` -> an unfitted estimator (``fit(data, dt=None)``, ``forecast(context, steps)``,
        ``context_length``; ``as_system()`` where supported).
    grid : list of dict
        The hyperparameter points searched on the validation split (``[{}]``: nothing to tune).
    kind : str
        One of :data:`KINDS`.
    slow : bool
        Training takes more than about 5 s per system (left out of the full dysts2023 run by default).
    available : bool
        Whether the model can run here (the darts models need ``pip install dynstab[darts]``).
    reason : str, optional
        Why it is not available.
    time_budget_s : float
        Seconds of hyperparameter search per task (the search stops when they are spent).
    description : str
        One line for the leaderboard.
    version : str
        Bumped when the wrapper changes (enters :func:`grid_hash`).
    epochs : str, optional
        The fixed setting of ``build`` that counts training epochs (a trained model), scaled by a preset's
        ``training`` fraction (:func:`scaled_settings`).
    """

    name: str
    build: Callable[..., Any]
    grid: list[dict[str, Any]]
    kind: str
    slow: bool = False
    available: bool = True
    reason: str | None = None
    time_budget_s: float = 30.0
    description: str = ""
    version: str = MODELS_VERSION
    epochs: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if not self.grid or not all(isinstance(p, dict) for p in self.grid):
            raise ValueError(f"grid of model {self.name!r} must be a non-empty list of dicts")
        if not self.available and not self.reason:
            raise ValueError(f"model {self.name!r} is unavailable: give the reason")
        if self.epochs is not None and not isinstance(getattr(self.build, "settings", {}).get(self.epochs), int):
            raise ValueError(
                f"model {self.name!r}: epochs={self.epochs!r} is not an integer fixed setting of its build"
            )


def grid_hash(spec: ModelSpec, training: float = 1.0) -> str:
    """Content hash of a model's hyperparameter grid, fixed settings and version: part of each result's key.

    Parameters
    ----------
    spec : ModelSpec
        The model.
    training : float, default 1.0
        The preset's fraction of the epochs (`scaled_settings`); it enters the hash where it changes the
        model (a trained model, ``training < 1``), so full-training hashes are those of the settings alone.

    Returns
    -------
    str
        The first 16 hex digits of sha256 of the canonical JSON of (name, version, grid, the fixed settings
        of the build with the epochs as scaled).
    """
    settings = getattr(spec.build, "settings", None)
    if settings is not None:
        settings = {**settings, **scaled_settings(spec, training)}
    text = json.dumps(
        {"name": spec.name, "version": spec.version, "grid": spec.grid, "settings": settings},
        sort_keys=True,
        default=repr,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def scaled_settings(spec: ModelSpec, training: float) -> dict[str, int]:
    """The epochs of a trained model at a preset's ``training`` fraction: ``{spec.epochs: n}``, with
    ``n = max(1, round(training * epochs))``; ``{}`` at full training or for a model without epochs.

    Parameters
    ----------
    spec : ModelSpec
        The model.
    training : float
        The fraction, in (0, 1].

    Returns
    -------
    dict
        Keyword arguments of ``spec.build`` replacing its fixed epochs.
    """
    if spec.epochs is None or float(training) == 1.0:
        return {}
    full = int(spec.build.settings[spec.epochs])  # type: ignore[attr-defined]
    return {spec.epochs: max(1, round(float(training) * full))}


def supports_system(model: Any) -> str | None:
    """Why ``model.as_system()`` cannot give a dynamical system (None when it can).

    Parameters
    ----------
    model : estimator
        A fitted benchmark estimator.

    Returns
    -------
    str or None
        The reason, or None.
    """
    reason = getattr(model, "no_system_reason", None)
    if reason:
        return str(reason)
    if not callable(getattr(model, "as_system", None)):
        return f"{type(model).__name__} is not a dynamical system (no as_system)"
    return None


# ----------------------------------------------------------------------------- wrappers
class Standardized:
    """An estimator fitted on z-scored data: ``z = (x - mean) / std`` with the training statistics.

    The inner estimator is made at fit time by ``make(dim)`` (so a latent dimension can follow the
    data's), fitted on z-scores, and its forecasts are mapped back to the original units.

    Parameters
    ----------
    make : callable
        ``make(dim) -> estimator`` of the :mod:`dynstab.learn` interface.
    """

    def __init__(self, make: Callable[[int], Any]):
        self.make = make

    @property
    def context_length(self) -> int:
        """Context samples the inner model needs."""
        return int(getattr(self.model_, "context_length", 1)) if hasattr(self, "model_") else 1

    @property
    def no_system_reason(self) -> str | None:
        """Why the inner model has no ``as_system`` (None if it has)."""
        return supports_system(self.model_) if hasattr(self, "model_") else "not fitted"

    def fit(self, data: Any, dt: float | None = None) -> Standardized:
        """Fit the inner model on the z-scored training series.

        Parameters
        ----------
        data : array_like
            Training series (T, d) or a list of them (:func:`dynstab.learn.base.as_training_data`).
        dt : float, optional
            Sampling step.

        Returns
        -------
        Standardized
            ``self``.
        """
        td = _learn_base().as_training_data(data, dt)
        stacked = td.stacked()
        self.mean_ = stacked.mean(axis=0)
        scale = stacked.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self.model_ = self.make(td.dim)
        self.model_.fit([(s - self.mean_) / self.scale_ for s in td.series], dt=td.dt)
        self.dim_ = td.dim
        return self

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """Forecast ``steps`` samples after ``context`` (original units).

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples.
        steps : int
            Number of samples.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        ctx = _learn_base().check_series(context, what="context", dim=self.dim_)
        z = np.asarray(self.model_.forecast((ctx - self.mean_) / self.scale_, steps), dtype=np.float64)
        return z * self.scale_ + self.mean_

    def as_system(self):
        """The inner model's system, in standardized coordinates (same Lyapunov exponents).

        Returns
        -------
        Map or Flow
            The learned dynamics.
        """
        return self.model_.as_system()


class PerVariable:
    """One univariate model per observed variable, forecasts stacked (for HAVOK, which models one observable).

    Parameters
    ----------
    make : callable
        ``make(variable) -> estimator`` forecasting variable ``variable`` of a multivariate series.
    """

    no_system_reason = "one model per variable: the variables do not form one dynamical system"

    def __init__(self, make: Callable[[int], Any]):
        self.make = make

    @property
    def context_length(self) -> int:
        """The longest context any of the per-variable models needs."""
        return max((int(getattr(m, "context_length", 1)) for m in getattr(self, "models_", [])), default=1)

    def fit(self, data: Any, dt: float | None = None) -> PerVariable:
        """Fit one model per variable.

        Parameters
        ----------
        data : array_like
            Training series (T, d).
        dt : float, optional
            Sampling step.

        Returns
        -------
        PerVariable
            ``self``.
        """
        td = _learn_base().as_training_data(data, dt)
        self.models_ = [self.make(i).fit(list(td.series), dt=td.dt) for i in range(td.dim)]
        self.dim_ = td.dim
        return self

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """Each variable's forecast, stacked: shape (steps, d).

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples.
        steps : int
            Number of samples.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        ctx = _learn_base().check_series(context, what="context", dim=self.dim_)
        cols = [np.asarray(m.forecast(ctx, steps), dtype=np.float64).reshape(steps, -1)[:, 0] for m in self.models_]
        return np.stack(cols, axis=1)


# ----------------------------------------------------------------------------- baselines
class _Baseline:
    """Shared plumbing of the naive forecasters (validation; they are not dynamical systems)."""

    no_system_reason = "a naive baseline is not a dynamical system"
    context_length = 1

    def _fit_data(self, data: Any, dt: float | None) -> np.ndarray:
        td = _learn_base().as_training_data(data, dt)
        self.dim_ = td.dim
        return td.stacked()

    def _context(self, context: Any, steps: int) -> tuple[np.ndarray, int]:
        return _learn_base().check_series(context, what="context", dim=self.dim_), _learn_base().check_steps(steps)


class LastValue(_Baseline):
    """Persistence: every forecast sample equals the last observed one, ``yhat_{T+h} = y_T``."""

    def fit(self, data: Any, dt: float | None = None) -> LastValue:
        """Record the dimension (nothing to learn).

        Parameters
        ----------
        data : array_like
            Training series.
        dt : float, optional
            Sampling step.

        Returns
        -------
        LastValue
            ``self``.
        """
        self._fit_data(data, dt)
        return self

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """The last context sample repeated ``steps`` times.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples.
        steps : int
            Number of samples.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        ctx, n = self._context(context, steps)
        return np.repeat(ctx[-1:], n, axis=0)


class MeanValue(_Baseline):
    """Climatology: every forecast sample is the training mean (the best constant under squared error)."""

    def fit(self, data: Any, dt: float | None = None) -> MeanValue:
        """Learn the per-variable training mean.

        Parameters
        ----------
        data : array_like
            Training series.
        dt : float, optional
            Sampling step.

        Returns
        -------
        MeanValue
            ``self``.
        """
        self.mean_ = self._fit_data(data, dt).mean(axis=0)
        return self

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """The training mean repeated ``steps`` times.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples (only checked).
        steps : int
            Number of samples.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        _, n = self._context(context, steps)
        return np.repeat(self.mean_[None, :], n, axis=0)


class SeasonalNaive(_Baseline):
    """Seasonal naive: repeat the last season, ``yhat_{T+h} = y_{T+h-P(ceil(h/P))}``.

    The season P (in samples) is the dominant period of the training data
    (:func:`dynstab.timeseries.dominant_period`: the largest peak of the Hann-windowed power spectrum
    summed over variables), rounded to whole samples; a context shorter than P repeats the whole context.
    Reference: Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., section 5.2.
    """

    def fit(self, data: Any, dt: float | None = None) -> SeasonalNaive:
        """Find the season P (samples) from the training data's dominant frequency.

        Parameters
        ----------
        data : array_like
            Training series (at least 16 samples).
        dt : float, optional
            Sampling step.

        Returns
        -------
        SeasonalNaive
            ``self``.
        """
        from ..timeseries import dominant_period

        x = self._fit_data(data, dt)
        try:
            period = dominant_period(x, dt=1.0)
        except ValueError:  # constant data: no season, persistence
            period = 1.0
        self.period_ = max(1, int(round(period)))
        return self

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """The last season of the context, repeated.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples.
        steps : int
            Number of samples.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        ctx, n = self._context(context, steps)
        season = ctx[-min(self.period_, ctx.shape[0]) :]
        return np.resize(season, (n, ctx.shape[1])) if season.shape[0] else season


# ----------------------------------------------------------------------------- darts (optional)
DARTS_MODELS = {
    "nbeats": "NBEATSModel",
    "nhits": "NHiTSModel",
    "tcn": "TCNModel",
    "transformer": "TransformerModel",
    "lstm": "BlockRNNModel",
}


def _darts_reason() -> str | None:
    if importlib.util.find_spec("darts") is None:
        return "darts is not installed (pip install dynstab[darts])"
    return None


class DartsForecaster:
    """A darts deep forecaster (used through darts itself; never re-implemented here).

    ``fit`` trains the darts model on the training series (a multivariate ``darts.TimeSeries``);
    ``forecast`` calls ``model.predict(steps, series=context)``, which darts rolls out
    autoregressively beyond ``output_chunk_length``. Gilpin (2023) trained the darts models the same way
    (his code called darts with an input chunk holding about a period of samples).

    Parameters
    ----------
    model : str
        A key of ``DARTS_MODELS`` (nbeats, nhits, tcn, transformer, lstm).
    input_chunk_length : int
        Samples of history the network sees.
    output_chunk_length : int
        Samples it predicts per step.
    n_epochs : int
        Training epochs.
    seed : int
        darts' ``random_state``.
    **kwargs
        Passed to the darts model's constructor.
    """

    no_system_reason = "a darts forecaster is not exposed as a dynamical system"

    def __init__(
        self,
        model: str,
        input_chunk_length: int = 50,
        output_chunk_length: int = 1,
        n_epochs: int = 20,
        seed: int = 0,
        **kwargs: Any,
    ):
        if model not in DARTS_MODELS:
            raise ValueError(f"model must be one of {sorted(DARTS_MODELS)}, got {model!r}")
        self.model = model
        self.input_chunk_length = as_int(input_chunk_length, name="input_chunk_length", minimum=1)
        self.output_chunk_length = as_int(output_chunk_length, name="output_chunk_length", minimum=1)
        self.n_epochs = as_int(n_epochs, name="n_epochs", minimum=1)
        self.seed = seed
        self.kwargs = kwargs

    @property
    def context_length(self) -> int:
        """The network's input chunk."""
        return self.input_chunk_length

    def fit(self, data: Any, dt: float | None = None) -> DartsForecaster:
        """Train the darts model.

        Parameters
        ----------
        data : array_like
            Training series (T, d).
        dt : float, optional
            Sampling step (unused by darts: it works on sample indices).

        Returns
        -------
        DartsForecaster
            ``self``.
        """
        import darts.models
        from darts import TimeSeries

        td = _learn_base().as_training_data(data, dt, min_length=self.input_chunk_length + self.output_chunk_length + 1)
        cls = getattr(darts.models, DARTS_MODELS[self.model])
        kw = dict(self.kwargs)
        if self.model == "lstm":
            kw.setdefault("model", "LSTM")
        self.model_ = cls(
            input_chunk_length=self.input_chunk_length,
            output_chunk_length=self.output_chunk_length,
            n_epochs=self.n_epochs,
            random_state=int(self.seed) % (2**31),
            pl_trainer_kwargs={"enable_progress_bar": False, "accelerator": "cpu"},
            **kw,
        )
        self.model_.fit([TimeSeries.from_values(s.astype(np.float32)) for s in td.series], verbose=False)
        self.dim_ = td.dim
        return self

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """darts' prediction of ``steps`` samples after ``context``.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples, T_c >= ``input_chunk_length``.
        steps : int
            Number of samples.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        from darts import TimeSeries

        ctx = _learn_base().check_series(context, what="context", dim=self.dim_, min_length=self.input_chunk_length)
        pred = self.model_.predict(
            _learn_base().check_steps(steps), series=TimeSeries.from_values(ctx.astype(np.float32)), verbose=False
        )
        return np.asarray(pred.values(), dtype=np.float64)


# ----------------------------------------------------------------------------- the registry
def _learn(cls_name: str, standardize: bool = True, **fixed: Any) -> Callable[..., Any]:
    """``build(seed=0, **hp)`` of a dynstab.learn estimator (z-scored unless it standardizes itself).

    A callable value in ``fixed`` is a size that follows the data: it is called with the data's dimension.
    """

    def build(seed: int = 0, **hp: Any) -> Any:
        from .. import learn

        cls = getattr(learn, cls_name)
        kw = {**fixed, **hp}
        if "seed" in inspect.signature(cls).parameters:
            kw["seed"] = int(seed)

        def make(dim: int) -> Any:
            return cls(**{k: v(dim) if callable(v) else v for k, v in kw.items()})

        return Standardized(make) if standardize else make(0)

    build.__name__ = f"build_{cls_name}"
    # the fixed settings enter grid_hash: changing one (say the reservoir size) gives new result keys
    build.settings = {k: v.__name__ if callable(v) else v for k, v in fixed.items()}  # type: ignore[attr-defined]
    return build


def _same_dim(dim: int) -> int:
    return dim


def _at_least_20(dim: int) -> int:
    return max(20, dim)


def _havok(seed: int = 0, **hp: Any) -> PerVariable:
    from ..learn import HAVOK

    return PerVariable(lambda i: Standardized(lambda _d: HAVOK(variable=i, **hp)))


def _ridge_ar(seed: int = 0, delays: int = 10, ridge: float = 1e-6) -> Standardized:
    from ..learn import NGRC

    # a linear autoregression on `delays` lagged samples with a constant: NG-RC with degree-1 features
    # (x_{t+1} - x_t = W [1, x_t, ..., x_{t-p+1}] is the same model class as x_{t+1} = W' [1, x_t, ...])
    return Standardized(lambda _d: NGRC(k=delays, degree=1, ridge=ridge))


def _baseline(cls: type) -> Callable[..., Any]:
    def build(seed: int = 0, **hp: Any) -> Any:
        return cls(**hp)

    build.__name__ = f"build_{cls.__name__}"
    return build


def _darts(model: str) -> Callable[..., Any]:
    def build(seed: int = 0, **hp: Any) -> DartsForecaster:
        return DartsForecaster(model, seed=seed, **hp)

    build.__name__ = f"build_darts_{model}"
    return build


def _registry() -> dict[str, ModelSpec]:
    specs = [
        # baselines: nothing to tune
        ModelSpec("last_value", _baseline(LastValue), [{}], "baseline", time_budget_s=5.0, description="persistence"),
        ModelSpec("mean", _baseline(MeanValue), [{}], "baseline", time_budget_s=5.0, description="training mean"),
        ModelSpec(
            "seasonal_naive",
            _baseline(SeasonalNaive),
            [{}],
            "baseline",
            time_budget_s=5.0,
            description="repeat the last dominant period",
        ),
        # ridge AR: 10 and 50 lags are a tenth and a half of a period at 100 points per period (short and
        # long memory); ridge 1e-6 (nearly least squares) vs 1e-2 (damped) on z-scored data
        ModelSpec(
            "ridge_ar",
            _ridge_ar,
            [{"delays": p, "ridge": r} for p in (10, 50) for r in (1e-6, 1e-2)],
            "linear",
            time_budget_s=20.0,
            description="linear autoregression on delays (ridge)",
        ),
        # exact DMD on d variables: the rank is at most d, nothing to tune
        ModelSpec("dmd", _learn("DMD"), [{}], "linear", time_budget_s=10.0, description="exact DMD"),
        # Hankel DMD: 10 / 50 delays (a tenth / half period); the full-rank delay matrix, or 99.999 %
        # of the energy (drops the noise-level singular values that make long forecasts unstable)
        ModelSpec(
            "hankel_dmd",
            _learn("HankelDMD"),
            [{"delays": 10}, {"delays": 50}, {"delays": 50, "energy": 0.99999}],
            "linear",
            time_budget_s=20.0,
            description="Hankel (delay) DMD",
        ),
        # HAVOK: Brunton et al. 2017 use 100 delays and rank 15 on Lorenz at dt 0.001; here 100 delays
        # are one period; 50 delays with rank 7 is the shorter-window variant
        ModelSpec(
            "havok",
            _havok,
            [{"delays": 100, "rank": 15}, {"delays": 50, "rank": 7}],
            "linear",
            time_budget_s=30.0,
            description="HAVOK per variable",
        ),
        # EDMD with monomials: degree 2 is exact for the quadratic flows (most of the catalog),
        # degree 3 for the cubic ones; a small ridge keeps the Gram matrix invertible
        ModelSpec(
            "edmd",
            _learn("EDMD"),
            [{"degree": 2, "ridge": 1e-8}, {"degree": 3, "ridge": 1e-8}],
            "linear",
            time_budget_s=20.0,
            description="extended DMD (monomials)",
        ),
        # SINDy on z-scores: threshold 0.01 / 0.1 / 0.5 spans dense to sparse (Brunton et al. 2016 use
        # 0.025-0.1 on raw Lorenz; 0.5 recovers the sparse Lorenz structure from noisy z-scored data, notes
        # section 6); degree 3 for the cubic systems
        ModelSpec(
            "sindy",
            _learn("SINDy"),
            [{"degree": 2, "threshold": t} for t in (0.01, 0.1, 0.5)] + [{"degree": 3, "threshold": 0.1}],
            "linear",
            time_budget_s=30.0,
            description="SINDy (STLSQ)",
        ),
        # ESN: spectral radius 0.4 / 0.9 and ridge 1e-8 / 1e-5 are the settings that worked on Lorenz in the
        # notes (section 5: 0.9 with 1e-8 best; 0.4 more robust; input bias 0.5 is essential). 300 units and a
        # 50-sample washout, because the readout (N + 1 features) must stay determined on the smallest
        # training split of the presets: quick 417 - 50 = 367 samples, lyapunov30 500, dysts2023 783
        ModelSpec(
            "esn",
            _learn("EchoStateNetwork", standardize=False, n_units=300, washout=50),
            [{"spectral_radius": rho, "ridge": r} for rho in (0.4, 0.9) for r in (1e-8, 1e-5)],
            "reservoir",
            time_budget_s=30.0,
            description="echo state network (300 units)",
        ),
        # NG-RC: k = 2 taps (Gauthier et al. 2021) and 4; ridge matters most (notes section 5: 2.5e-6 on
        # RK23 data, 0.01-1 on accurate data): 1e-6, 1e-3, 1e-1 with k=2, 1e-3 with k=4
        ModelSpec(
            "ngrc",
            _learn("NGRC"),
            [{"k": 2, "ridge": r} for r in (1e-6, 1e-3, 1e-1)] + [{"k": 4, "ridge": 1e-3}],
            "reservoir",
            time_budget_s=30.0,
            description="next-generation reservoir computer (NVAR)",
        ),
        # the trained models: one point each (training dominates the budget); a preset's `training`
        # fraction scales their epochs (`epochs=`). shPLRNN: settings of the GTF paper (Hess et al. 2023:
        # M = d latent, L = 50 hidden for Lorenz-63) with 1000 x 20 GTF steps: on lyapunov30 Lorenz-63
        # (trajectories 0-4) 60 epochs gave VPT 0-0.2 (a model settled on a fixed point), 300 epochs
        # 0.03-0.6, 1000 epochs 1.7-2.9 Lyapunov times in 36-39 CPU s (RESULTS.md, issue 13)
        ModelSpec(
            "shplrnn",
            _learn(
                "ShallowPLRNN",
                latent_dim=_same_dim,
                hidden_dim=50,
                n_epochs=1000,
                batches_per_epoch=20,
                sequence_length=100,
                progress=False,
            ),
            [{}],
            "rnn",
            slow=True,
            time_budget_s=120.0,
            description="shallow PLRNN + GTF",
            epochs="n_epochs",
        ),
        ModelSpec(
            "alrnn",
            _learn(
                "ALRNN",
                latent_dim=_at_least_20,
                pwl_units=2,
                n_epochs=60,
                batches_per_epoch=20,
                sequence_length=100,
                progress=False,
            ),
            [{}],
            "rnn",
            slow=True,
            time_budget_s=120.0,
            description="AL-RNN (20 latent, 2 PWL units)",
            epochs="n_epochs",
        ),
        ModelSpec(
            "neural_ode",
            _learn("NeuralODE", standardize=False, width=64, depth=2, n_epochs=40, steps_per_epoch=20, progress=False),
            [{}],
            "ode",
            slow=True,
            time_budget_s=120.0,
            description="neural ODE (64 x 2 MLP)",
            epochs="n_epochs",
        ),
        # PhyxMamba (Liu et al. 2025) at the CPU size preset (d_model 32, d_state 16, 2 layers, 200 + 10 epochs:
        # about 2 CPU-minutes per 700-sample trajectory; the paper's size needs a GPU) with the paper's Lorenz-63
        # delay embedding (m 3, tau 7) and tokens (10 samples, lookback 30) for every system: one point, since a
        # fit costs minutes. It standardizes itself (MMD length scales are in z-score units)
        ModelSpec(
            "phyxmamba",
            _learn("PhyxMamba", standardize=False, size="cpu", n_epochs=200, finetune_epochs=10, progress=False),
            [{}],
            "deep",
            slow=True,
            time_budget_s=300.0,
            description="PhyxMamba (Mamba-2, CPU size)",
            epochs="n_epochs",
        ),
    ]
    reason = _darts_reason()
    for name in DARTS_MODELS:
        # Gilpin 2023: input chunk long enough to hold a period (100 samples per period -> 50, 100)
        specs.append(
            ModelSpec(
                name,
                _darts(name),
                [{"input_chunk_length": 50}, {"input_chunk_length": 100}],
                "deep",
                slow=True,
                available=reason is None,
                reason=reason,
                time_budget_s=300.0,
                description=f"darts {DARTS_MODELS[name]}",
            )
        )
    return {s.name: s for s in specs}


#: Every model of the benchmark by name (the darts ones with ``available=False`` when darts is absent).
MODELS: dict[str, ModelSpec] = _registry()
