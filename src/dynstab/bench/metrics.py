"""The metrics of the forecasting benchmark, built on :mod:`dynstab.learn.metrics`.

Short-term, per forecast horizon (:func:`forecast_metrics`): ``vpt`` (first time the normalized error
``sqrt(mean_i ((y_i - yhat_i) / s_i)^2)`` exceeds 0.4, s_i the training data's standard deviation: Pathak et al.,
PRL 120:024102, 2018), ``vpt_smape`` (first time the *cumulative* sMAPE over [0, t] exceeds 30: the
dysts / PhyxMamba / Zhang & Gilpin convention), both in Lyapunov times
(:func:`dynstab.learn.metrics.valid_prediction_time`); ``smape@k`` (sMAPE, 0-200 scale, over the first k
Lyapunov times, PhyxMamba's sMAPE@k, arXiv 2505.23863); ``smape``, ``mse``, ``mae``, ``nrmse`` over the
whole horizon.

Long-term, of a free run against the truth (:func:`attractor_metrics`): ``d_stsp`` and ``d_h``
(Hess et al., ICML 2023, :func:`dynstab.learn.metrics.state_space_divergence` and
:func:`~dynstab.learn.metrics.power_spectrum_distance` on data standardized with the training statistics),
``corr_dim_error`` (|D2 generated - D2 true|, Grassberger-Procaccia through
:func:`dynstab.timeseries.correlation_dimension`: PhyxMamba's D_frac for one trajectory), ``lambda1`` (the
largest Lyapunov exponent of the learned system, ``model.as_system()`` through
:func:`dynstab.analysis.lyapunov.max_lyapunov`) next to ``lambda1_ref`` (the catalog's), and the noise
floors ``d_stsp_floor``, ``d_h_floor``, ``corr_dim_error_floor``: the same measure between the truth and an
independent true trajectory of the same length (:func:`dynstab.learn.metrics.noise_floor`).
"""

from __future__ import annotations

import hashlib
import math
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from ..learn.metrics import (
    noise_floor,
    nrmse,
    power_spectrum_distance,
    smape,
    state_space_divergence,
    valid_prediction_time,
)
from ..validation import as_positive_float

__all__ = ["forecast_metrics", "attractor_metrics", "smape_at", "SMAPE_AT", "correlation_dimension_error"]

#: The k of the sMAPE@k metrics (Lyapunov times).
SMAPE_AT = (1, 2, 5)

NAN = float("nan")

#: Model-independent values (the truth's correlation dimension, the noise floors) of the last trajectories,
#: by content: every model of a trajectory is scored against the same truth and reference, so a worker
#: computes them once per trajectory instead of once per task (they were two thirds of a baseline's task time).
_OF_TRUTH: OrderedDict[bytes, float | Exception] = OrderedDict()
_OF_TRUTH_SIZE = 256
_OF_TRUTH_LOCK = threading.Lock()


def _of_truth(what: str, arrays: tuple[np.ndarray, ...], seed: int, compute: Callable[[], float]) -> float:
    """``compute()``, remembered by (``what``, the arrays' shapes and bytes, ``seed``); a raised error is
    remembered and raised again, so a value that cannot be computed costs its attempt once."""
    h = hashlib.blake2b(f"{what}:{seed}".encode(), digest_size=20)
    for a in arrays:
        c = np.ascontiguousarray(a, dtype=np.float64)
        h.update(repr(c.shape).encode())
        h.update(c.tobytes())
    key = h.digest()
    with _OF_TRUTH_LOCK:
        hit = _OF_TRUTH.get(key)
        if hit is not None:
            _OF_TRUTH.move_to_end(key)
    if hit is None:
        try:
            hit = float(compute())
        except Exception as exc:  # noqa: BLE001 - remembered (without its frames: they hold the arrays) and raised again
            hit = exc.with_traceback(None)
        with _OF_TRUTH_LOCK:
            _OF_TRUTH[key] = hit
            while len(_OF_TRUTH) > _OF_TRUTH_SIZE:
                _OF_TRUTH.popitem(last=False)
    if isinstance(hit, Exception):
        raise hit
    return hit


def _pair(truth: Any, forecast: Any) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(truth, dtype=np.float64)
    b = np.asarray(forecast, dtype=np.float64)
    a = a[:, None] if a.ndim == 1 else a
    b = b[:, None] if b.ndim == 1 else b
    if a.ndim != 2 or a.shape != b.shape or a.shape[0] < 1:
        raise ValueError(f"truth and forecast must have the same shape (T, d), T >= 1; got {a.shape} and {b.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("truth contains non-finite values")
    return a, b


def smape_at(truth: Any, forecast: Any, k: float, dt: float, lyapunov_time: float) -> float:
    """sMAPE (0-200 scale) over the first k Lyapunov times of a forecast (PhyxMamba's sMAPE@k).

    ``n = round(k lyapunov_time / dt)`` samples are used; NaN when the horizon is shorter than that
    (the value is undefined, not the sMAPE of a shorter window).

    Parameters
    ----------
    truth, forecast : array_like, shape (T, d)
        True and predicted samples; ``forecast[0]`` is ``dt`` after the context.
    k : float
        Lyapunov times.
    dt : float
        Sampling step.
    lyapunov_time : float
        1 / lambda_1 of the true system, in time units.

    Returns
    -------
    float
        sMAPE@k.
    """
    a, b = _pair(truth, forecast)
    n = int(round(k * lyapunov_time / dt))
    if n < 1 or n > a.shape[0]:
        return NAN
    return float(smape(a[:n], b[:n]))


def forecast_metrics(
    truth: Any,
    forecast: Any,
    dt: float,
    lyapunov_time: float,
    *,
    scale: Any = None,
    smape_at_k: tuple[float, ...] = SMAPE_AT,
) -> dict[str, float]:
    """Short-term metrics of one forecast against the truth.

    For a system without a positive Lyapunov exponent (``lyapunov_time = inf``) the quantities in Lyapunov
    times (``vpt``, ``vpt_smape``, ``smape@k``) are NaN.

    Returns ``vpt`` (NRMSE > 0.4), ``vpt_smape`` (cumulative sMAPE > 30), both in Lyapunov times
    (``k* dt / lyapunov_time`` with k* the number of valid samples; the whole horizon when none fails),
    ``smape@k`` for each k (see :func:`smape_at`), ``smape`` (0-200), ``mse``, ``mae`` and ``nrmse`` (with
    ``scale``) over the horizon. A non-finite forecast gives VPT at its first non-finite sample and NaN
    for the averages.

    Reference: Pathak et al., PRL 120:024102 (2018) (VPT); Gilpin, NeurIPS 2021 and Liu et al. (PhyxMamba),
    arXiv 2505.23863 (cumulative-sMAPE VPT, sMAPE@k; their code thresholds the running mean of the per-step
    sMAPE at 30, as :func:`dynstab.learn.metrics.valid_prediction_time` with ``method="smape"`` does).

    Parameters
    ----------
    truth, forecast : array_like, shape (T, d)
        True and predicted samples; ``forecast[0]`` is ``dt`` after the context.
    dt : float
        Sampling step (time units).
    lyapunov_time : float
        1 / lambda_1 of the true system (time units).
    scale : array_like, optional
        Per-variable scales of the normalized error (default: the truth's standard deviation; the
        benchmark passes the training data's, the attractor's scale).
    smape_at_k : tuple of float
        The k of the ``smape@k`` entries.

    Returns
    -------
    dict
        Metric name -> value.
    """
    a, b = _pair(truth, forecast)
    dt = as_positive_float(dt, name="dt")
    lyapunov_time = float(lyapunov_time)
    if not lyapunov_time > 0:
        raise ValueError(f"lyapunov_time must be positive (inf for a non-chaotic system), got {lyapunov_time!r}")
    chaotic = math.isfinite(lyapunov_time)  # Lyapunov-time units are undefined without a positive exponent
    if scale is None and a.shape[0] < 2:
        scale = np.ones(a.shape[1])
    finite = bool(np.all(np.isfinite(b)))
    out: dict[str, float] = {"vpt": NAN, "vpt_smape": NAN}
    if chaotic:
        lam = 1.0 / lyapunov_time
        out["vpt"] = valid_prediction_time(a, b, dt, lam, method="nrmse", scale=scale)
        out["vpt_smape"] = valid_prediction_time(a, b, dt, lam, method="smape")
    for k in smape_at_k:
        out[f"smape@{k:g}"] = smape_at(a, b, k, dt, lyapunov_time) if finite and chaotic else NAN
    err = b - a
    with np.errstate(over="ignore", invalid="ignore"):
        out["smape"] = float(smape(a, b)) if finite else NAN
        out["mse"] = float(np.mean(err**2)) if finite else NAN
        out["mae"] = float(np.mean(np.abs(err))) if finite else NAN
        out["nrmse"] = float(nrmse(a, b, scale=scale)) if finite else NAN
    return out


def correlation_dimension_error(truth: Any, generated: Any, *, max_points: int = 5000, seed: int = 0) -> float:
    """|D2(generated) - D2(truth)|, Grassberger-Procaccia on the first ``max_points`` samples of each.

    A constant generated series (a fixed point) has D2 = 0. Raises ValueError when a dimension cannot be
    estimated (no scaling region; see
    :func:`dynstab.timeseries.correlation_dimension`).

    Parameters
    ----------
    truth, generated : array_like, shape (T, d)
        The true and the generated series.
    max_points : int
        Samples of each used.
    seed : int
        Seed of the reference-point draws.

    Returns
    -------
    float
        The absolute difference of the correlation dimensions.
    """
    from ..timeseries import correlation_dimension

    true = np.asarray(truth, dtype=np.float64)[:max_points]
    d_true = _of_truth("d2", (true,), seed, lambda: correlation_dimension(true, seed=seed).dimension)
    gen = np.asarray(generated, dtype=np.float64)[:max_points]
    # a run sitting on one point (a fixed point) has dimension 0; the estimator refuses constant data
    d_gen = 0.0 if np.all(np.ptp(gen, axis=0) == 0) else correlation_dimension(gen, seed=seed).dimension
    return float(abs(d_gen - d_true))


def _guarded(name: str, fn: Any, notes: dict[str, str]) -> float:
    """``fn()`` as a float, or NaN with the one-line reason recorded in ``notes[name]``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(fn())
    except Exception as exc:  # noqa: BLE001 - a metric that cannot be computed is NaN with its reason
        notes[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
        return NAN
    if not math.isfinite(value):
        notes.setdefault(name, "not finite")
    return value


def attractor_metrics(
    truth: Any,
    free_run: Any,
    dt: float,
    *,
    model: Any = None,
    lambda1_ref: float | None = None,
    lyapunov_time: float | None = None,
    reference: Any = None,
    mean: Any = None,
    scale: Any = None,
    notes: dict[str, str] | None = None,
    seed: int = 0,
) -> dict[str, float]:
    """Long-term metrics of a free run: D_stsp, D_H, correlation-dimension error, lambda_1 and noise floors.

    Both series are standardized with ``mean`` and ``scale`` (the training statistics, GTF convention)
    before D_stsp (binned for d < 6, Gaussian mixtures above) and D_H. ``lambda1`` is the largest Lyapunov
    exponent of ``model.as_system()`` (QR/Benettin, per time unit: a learned map's iteration stands for
    ``dt``) over 50 Lyapunov times (5 000 to 10 000 steps) after a transient of a tenth of the run; NaN, with the
    reason in ``notes["lambda1"]``, for a model that is not a dynamical system. With ``reference`` (an
    independent true series of the same length), the floors ``d_stsp_floor``, ``d_h_floor`` and
    ``corr_dim_error_floor`` are the same measures between the truth and the reference.

    Parameters
    ----------
    truth : array_like, shape (T, d)
        The true series.
    free_run : array_like, shape (T, d)
        The model's free run (after its transient), as long as ``truth``.
    dt : float
        Sampling step.
    model : estimator, optional
        The fitted model (for lambda_1; see :func:`dynstab.bench.models.supports_system`).
    lambda1_ref : float, optional
        The catalog's lambda_1 (reported as ``lambda1_ref``).
    lyapunov_time : float, optional
        1 / lambda_1 of the true system (sets the length of the Lyapunov run; default 1 / ``lambda1_ref``).
    reference : array_like, optional
        An independent true series of the same length (noise floors).
    mean, scale : array_like, optional
        Standardization (default: the truth's).
    notes : dict, optional
        Filled with metric name -> reason for each NaN.
    seed : int
        Seed of the stochastic estimates.

    Returns
    -------
    dict
        Metric name -> value (NaN where undefined).
    """
    from .models import supports_system

    notes = {} if notes is None else notes
    a, b = _pair(truth, free_run)
    dt = as_positive_float(dt, name="dt")
    mu = a.mean(axis=0) if mean is None else np.asarray(mean, dtype=np.float64)
    sd = a.std(axis=0) if scale is None else np.asarray(scale, dtype=np.float64)
    sd = np.where(sd > 0, sd, 1.0)
    za, zb = (a - mu) / sd, (b - mu) / sd
    out = {
        "d_stsp": _guarded("d_stsp", lambda: state_space_divergence(za, zb, seed=seed), notes),
        "d_h": _guarded("d_h", lambda: power_spectrum_distance(za, zb), notes),
        "corr_dim_error": _guarded("corr_dim_error", lambda: correlation_dimension_error(a, b, seed=seed), notes),
    }
    out["lambda1_ref"] = NAN if lambda1_ref is None else float(lambda1_ref)
    reason = "no model given" if model is None else supports_system(model)
    if reason is None:
        t_lyap = lyapunov_time if lyapunov_time is not None else (1.0 / lambda1_ref if lambda1_ref else math.inf)
        out["lambda1"] = _guarded("lambda1", lambda: _learned_lambda1(model, dt, t_lyap, seed), notes)
    else:
        out["lambda1"] = NAN
        notes["lambda1"] = reason
    if reference is not None:
        r = np.asarray(reference, dtype=np.float64)
        zr = (r - mu) / sd
        # (metric, its two series, its keywords): each floor is remembered by exactly the inputs it reads
        floors = {
            "d_stsp_floor": (state_space_divergence, (za, zr), {"seed": seed}),
            "d_h_floor": (power_spectrum_distance, (za, zr), {}),
            "corr_dim_error_floor": (correlation_dimension_error, (a, r), {"seed": seed}),
        }
        for name, (metric, pair, kw) in floors.items():
            out[name] = _guarded(
                name,
                lambda n=name, m=metric, p=pair, k=kw: _of_truth(n, p, seed, lambda: noise_floor(m, p, **k)),
                notes,
            )
    return out


def _learned_lambda1(model: Any, dt: float, lyapunov_time: float, seed: int) -> float:
    """lambda_1 per time unit of ``model.as_system()`` over 50 Lyapunov times (5 000 to 10 000 steps)."""
    from ..analysis.lyapunov import max_lyapunov

    system = model.as_system()
    n = int(min(10_000, max(5_000, round(50 * lyapunov_time / dt)))) if math.isfinite(lyapunov_time) else 10_000
    transient = n // 10
    if system.kind == "map":
        return max_lyapunov(system, n=n, transient=transient, seed=seed)
    return max_lyapunov(system, t=n * dt, dt=dt, transient=transient * dt, seed=seed)
