"""Reconstruction metrics for learned models of dynamics, computed exactly as the papers define them.

Long-term ("climate") measures, following Hess, Monfared, Brenner & Durstewitz, "Generalized Teacher
Forcing for Learning Chaotic Dynamics", ICML 2023 (PMLR 202:13017) and its code
(DurstewitzLab/GTF-shPLRNN, ``src/measures``):

* :func:`state_space_divergence` -- D_stsp, the Kullback-Leibler divergence of the state-space
  occupation of the true and the generated trajectory (binned for dimension < 6, Gaussian mixtures
  above);
* :func:`power_spectrum_distance` -- D_H, the Hellinger distance of the smoothed power spectra.

Short-term measures: :func:`prediction_error` (PE(n), GTF), :func:`smape` (0-200 scale),
:func:`nrmse`, :func:`valid_prediction_time` (in Lyapunov times; NRMSE threshold as in Pathak et al.
2018, or the dysts/PhyxMamba cumulative-sMAPE rule). Invariants: :func:`attractor_invariants_error`.
Every measure has a noise floor: :func:`noise_floor` is the same measure between two independent
true trajectories of the same length. :func:`evaluate_reconstruction` runs the GTF protocol.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..validation import as_float, as_positive_float

__all__ = [
    "state_space_divergence",
    "power_spectrum_distance",
    "prediction_error",
    "smape",
    "nrmse",
    "valid_prediction_time",
    "attractor_invariants_error",
    "AttractorInvariants",
    "noise_floor",
    "evaluate_reconstruction",
    "ReconstructionResult",
    "free_run_status",
    "FREE_RUN_STATUSES",
    "summarize_runs",
    "MetricWarning",
]


class MetricWarning(RuntimeWarning):
    """A metric could not be computed for the generated data (diverged or empty) and returned NaN."""


# ----------------------------------------------------------------------------- input checks
def _reference(x: Any, what: str = "x_true") -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{what} must have shape (T, d) or (T,), got shape {arr.shape}")
    if arr.shape[0] < 2:
        raise ValueError(f"{what} has {arr.shape[0]} samples; need at least 2")
    if not np.all(np.isfinite(arr)):
        row = int(np.argwhere(~np.isfinite(arr))[0, 0])
        raise ValueError(f"{what} (the reference) contains a non-finite value at sample {row}; clean it first")
    return arr


def _generated(x: Any, dim: int, what: str = "x_gen") -> np.ndarray | None:
    """Generated data of dimension ``dim``; None (with a MetricWarning) if it is not finite."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{what} must have shape (T, d) or (T,), got shape {arr.shape}")
    if arr.shape[1] != dim:
        raise ValueError(f"{what} has {arr.shape[1]} variables but the reference has {dim}")
    if arr.shape[0] < 1:
        raise ValueError(f"{what} is empty")
    if not np.all(np.isfinite(arr)):
        row = int(np.argwhere(~np.isfinite(arr))[0, 0])
        warnings.warn(
            f"{what} is not finite from sample {row} on (the model diverged); the metric is NaN",
            MetricWarning,
            stacklevel=3,
        )
        return None
    return arr


def _pair(x_true, x_gen) -> tuple[np.ndarray, np.ndarray | None]:
    a = _reference(x_true)
    return a, _generated(x_gen, a.shape[1])


# ----------------------------------------------------------------------------- D_stsp
def state_space_divergence(
    x_true: Any,
    x_gen: Any,
    n_bins: int = 30,
    smoothing: float = 1e-5,
    method: str = "auto",
    sigma2: float = 1.0,
    n_samples: int = 1000,
    max_points: int = 10000,
    seed: int = 0,
    box: str = "default",
) -> float:
    """D_stsp: Kullback-Leibler divergence KL(p_true || p_gen) of state-space occupation.

    ``method="binning"`` (``"auto"`` picks it for dimension N < 6): each variable's range
    ``[min X - 0.1 s, max X + 0.1 s]`` of the reference X (s its standard deviation, ddof=1;
    ``box="legacy"``: [-2 s, 2 s], Brenner et al. 2022) is cut into ``n_bins`` equal bins; both
    series are histogrammed on these edges (points outside the box are dropped), Laplace smoothed,
    ``p = (h + a) / (sum h + a n_bins^N)`` with ``a = smoothing``, and
    ``D_stsp = sum_cells p log(p / q)``. The cells are never stored densely: occupied cells come from
    ``np.unique`` of flat bin indices, and the (identical) contribution of all empty cells is added in
    closed form, so 30^5 cells cost memory proportional to the number of samples.

    ``method="gmm"`` (auto for N >= 6): p = (1/T) sum_t N(x; x_t, sigma2 I) on the first
    ``max_points`` samples of each series, q likewise on the generated ones, and the Monte-Carlo KL
    estimate of Hershey & Olsen (ICASSP 2007) ``mean_s log p(x_s) - log q(x_s)`` over ``n_samples``
    samples x_s drawn from p (``seed``); samples where p or q underflow to 0 are dropped, as in the
    reference code. Use standardized data (sigma2 = 1 is the GTF convention).

    Returns NaN with a :class:`MetricWarning` when the generated series is not finite (diverged
    model) or no generated point falls into the box (empty histogram).

    Reference: Hess et al., ICML 2023 (PMLR 202:13017), code ``src/measures/stsp_measure.jl``;
    Koppe et al., PLoS Comput. Biol. 15:e1007263 (2019); Brenner et al., ICML 2022.

    Parameters
    ----------
    x_true : array_like, shape (T, N)
        The true (reference) series.
    x_gen : array_like, shape (T', N)
        The generated series.
    n_bins : int
        Bins per variable (binning method).
    smoothing : float
        Laplace smoothing a of the histograms.
    method : str
        The estimate (see above).
    sigma2 : float
        Variance of the Gaussian kernels (GMM method).
    n_samples : int
        Monte-Carlo samples of the GMM estimate.
    max_points : int
        Samples of each series used.
    seed : int
        Random seed.
    box : str
        ``"default"`` or ``"legacy"`` binning box.
    """
    a, b = _pair(x_true, x_gen)
    n = a.shape[1]
    if method not in ("auto", "binning", "gmm"):
        raise ValueError(f"method must be 'auto', 'binning' or 'gmm', got {method!r}")
    if method == "auto":
        method = "binning" if n < 6 else "gmm"
    if b is None:
        return float("nan")
    if method == "binning":
        return _stsp_binning(a, b, n_bins, smoothing, box)
    return _stsp_gmm(a, b, sigma2, n_samples, max_points, seed)


def _flat_bins(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, n_bins: int) -> np.ndarray:
    """Flat cell index of every in-box point (row-major over the variables)."""
    width = (hi - lo) / n_bins
    inside = np.all((x >= lo) & (x <= hi), axis=1)
    idx = np.floor((x[inside] - lo) / width).astype(np.int64)
    np.clip(idx, 0, n_bins - 1, out=idx)  # the right edge belongs to the last bin (numpy/StatsBase closed)
    flat = np.zeros(idx.shape[0], dtype=np.int64)
    for j in range(x.shape[1]):
        flat = flat * n_bins + idx[:, j]
    return flat


def _stsp_binning(a: np.ndarray, b: np.ndarray, n_bins: int, alpha: float, box: str) -> float:
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    n_bins = int(n_bins)
    if not alpha > 0:
        raise ValueError(f"smoothing must be positive (Laplace smoothing), got {alpha!r}")
    n = a.shape[1]
    if n * math.log(n_bins) > 62 * math.log(2):
        raise ValueError(f"{n_bins}^{n} cells do not fit a 64-bit index; use method='gmm' for this dimension")
    s = np.std(a, axis=0, ddof=1)
    if box == "default":
        lo, hi = a.min(axis=0) - 0.1 * s, a.max(axis=0) + 0.1 * s
    elif box == "legacy":
        lo, hi = -2.0 * s, 2.0 * s
    else:
        raise ValueError(f"box must be 'default' or 'legacy', got {box!r}")
    if np.any(hi <= lo):
        raise ValueError("the reference is constant in some variable; its state-space box is empty")
    fa = _flat_bins(a, lo, hi, n_bins)
    fb = _flat_bins(b, lo, hi, n_bins)
    if fb.size == 0:
        warnings.warn(
            "no generated point lies in the reference's state-space box (empty histogram); D_stsp is NaN",
            MetricWarning,
            stacklevel=3,
        )
        return float("nan")
    cells = float(n_bins) ** n
    ua, ca = np.unique(fa, return_counts=True)
    ub, cb = np.unique(fb, return_counts=True)
    union = np.union1d(ua, ub)
    ha = np.zeros(union.size)
    hb = np.zeros(union.size)
    ha[np.searchsorted(union, ua)] = ca
    hb[np.searchsorted(union, ub)] = cb
    za, zb = fa.size + alpha * cells, fb.size + alpha * cells
    p, q = (ha + alpha) / za, (hb + alpha) / zb
    kl = float(np.sum(p * (np.log(p) - np.log(q))))
    n_empty = cells - union.size
    p0, q0 = alpha / za, alpha / zb
    return kl + n_empty * p0 * (math.log(p0) - math.log(q0))


def _log_gmm(samples: np.ndarray, centers: np.ndarray, sigma2: float, chunk: int = 250) -> np.ndarray:
    """log of (1/T) sum_t N(s; c_t, sigma2 I) in linear space (underflow -> -inf, like the reference)."""
    t, n = centers.shape
    out = np.empty(samples.shape[0])
    c2 = np.sum(centers**2, axis=1)
    for i in range(0, samples.shape[0], chunk):
        s = samples[i : i + chunk]
        d2 = np.sum(s**2, axis=1)[:, None] + c2[None, :] - 2.0 * s @ centers.T
        np.maximum(d2, 0.0, out=d2)
        like = np.exp(-0.5 * d2 / sigma2).sum(axis=1) / t / (2 * np.pi * sigma2) ** (n / 2)
        with np.errstate(divide="ignore"):
            out[i : i + chunk] = np.log(like)
    return out


def _stsp_gmm(a: np.ndarray, b: np.ndarray, sigma2: float, n_samples: int, max_points: int, seed: int) -> float:
    if not sigma2 > 0:
        raise ValueError(f"sigma2 must be positive, got {sigma2!r}")
    if int(n_samples) < 1 or int(max_points) < 1:
        raise ValueError("n_samples and max_points must be positive integers")
    xa, xb = a[:max_points], b[:max_points]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, xa.shape[0], size=int(n_samples))
    samples = xa[picks] + math.sqrt(sigma2) * rng.standard_normal((int(n_samples), a.shape[1]))
    lp = _log_gmm(samples, xa, sigma2)
    lq = _log_gmm(samples, xb, sigma2)
    ok = np.isfinite(lp) & np.isfinite(lq)
    if not np.any(ok):
        warnings.warn(
            "the generated mixture density underflows at every Monte-Carlo sample; D_stsp is NaN",
            MetricWarning,
            stacklevel=3,
        )
        return float("nan")
    return float(np.mean(lp[ok] - lq[ok]))


# ----------------------------------------------------------------------------- D_H
def _smoothed_spectra(x: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Normalized, Gaussian-smoothed power spectra per column and a mask of constant columns."""
    from scipy.ndimage import gaussian_filter1d

    sd = np.std(x, axis=0, ddof=1)
    const = ~(sd > 0)
    z = (x - x.mean(axis=0)) / np.where(const, 1.0, sd)
    ps = np.abs(np.fft.rfft(z, axis=0)) ** 2
    if sigma > 0:
        ps = gaussian_filter1d(ps, sigma, axis=0, mode="reflect", truncate=4.0)
        np.maximum(ps, 0.0, out=ps)
    tot = ps.sum(axis=0)
    ok = tot > 0
    ps[:, ok] /= tot[ok]
    return ps, const | ~ok


def power_spectrum_distance(x_true: Any, x_gen: Any, sigma: float = 20.0, reduce: bool = True):
    """D_H: mean over variables of the Hellinger distance between smoothed power spectra.

    Per variable i: z-score the series, ``PS = |rfft|^2``, smooth with a Gaussian of ``sigma``
    frequency bins (``scipy.ndimage.gaussian_filter1d``, reflect padding, truncate 4 sigma), clip
    negative values to 0, normalise to sum 1 (f_i true, g_i generated), and
    ``H_i = (1/sqrt 2) ||sqrt f_i - sqrt g_i||_2 = sqrt(1 - sum sqrt(f_i g_i))``; D_H = mean_i H_i
    (0 = identical spectra, 1 = disjoint). ``reduce=False`` returns the array of H_i.
    A constant generated variable has no spectrum and counts as H_i = 1 (maximal); a diverged
    (non-finite) generated series gives NaN with a :class:`MetricWarning`. Both series must have
    the same length (the frequency grids must agree). Use sigma = 1 for short series (AL-RNN fMRI).

    Reference: Hess et al., ICML 2023 (PMLR 202:13017), code ``src/measures/pse.jl``;
    Mikhaeil, Monfared & Durstewitz, NeurIPS 2022.

    Parameters
    ----------
    x_true : array_like, shape (T, N)
        The true (reference) series.
    x_gen : array_like, shape (T', N)
        The generated series.
    sigma : float
        Width of the Gaussian smoothing of the spectra.
    reduce : bool
        Average over variables (else one value per variable).
    """
    a, b = _pair(x_true, x_gen)
    if not sigma >= 0:
        raise ValueError(f"sigma must be >= 0 (frequency bins), got {sigma!r}")
    if b is not None and b.shape[0] != a.shape[0]:
        raise ValueError(
            f"x_true has {a.shape[0]} samples and x_gen {b.shape[0]}; power spectra are compared "
            "on the same frequency grid, so pass series of equal length"
        )
    if b is None:
        return float("nan") if reduce else np.full(a.shape[1], np.nan)
    f, bad_f = _smoothed_spectra(a, sigma)
    if np.any(bad_f):
        raise ValueError(f"x_true is constant in variable(s) {np.flatnonzero(bad_f).tolist()}; D_H is undefined")
    g, bad_g = _smoothed_spectra(b, sigma)
    h = np.sqrt(np.sum((np.sqrt(f) - np.sqrt(g)) ** 2, axis=0) / 2.0)
    h = np.where(bad_g, 1.0, np.minimum(h, 1.0))
    return float(np.mean(h)) if reduce else h


# ----------------------------------------------------------------------------- short-term errors
def _n_step_predictions(
    model_or_step_fn: Any, x: np.ndarray, n: int, dt: float | None, max_starts: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Predictions ``n`` steps ahead from many start points and the matching truth rows."""
    from ..simulate.trajectory import trajectory
    from ..systems import Map, System
    from .base import LearnedModel

    t_len, d = x.shape
    starts = np.arange(0, t_len - n)
    obj = model_or_step_fn
    if not isinstance(obj, (LearnedModel, System)) and not callable(obj):
        raise TypeError(
            "prediction_error needs a fitted LearnedModel, a dynstab Map/Flow, or a batched "
            f"step function (B, d) -> (B, d); got {type(obj).__name__}"
        )
    ctx = 1
    if isinstance(obj, LearnedModel):
        obj._check_fitted()
        ctx = int(getattr(obj, "context_length", 1))
        starts = starts[ctx - 1 :]
    if max_starts is not None and starts.size > max_starts:
        starts = starts[np.linspace(0, starts.size - 1, int(max_starts)).round().astype(int)]
    if starts.size == 0:
        raise ValueError(f"the series has {t_len} samples; PE({n}) needs more than n + context ({n + ctx})")
    truth = x[starts + n]
    if isinstance(obj, LearnedModel):
        if hasattr(obj, "predict_n_steps"):  # batched hook a model may offer
            return np.asarray(obj.predict_n_steps(x, starts, n)), truth
        system = obj.as_system() if ctx == 1 else None
        latent = callable(getattr(obj, "latent_state", None)) and callable(getattr(obj, "observe", None))
        if system is not None and latent:  # a latent model: start at z = latent_state(x), compare O(z_n) with x
            z_n = trajectory(system, n=n, x0=np.asarray(obj.latent_state(x[starts])), on_blowup="nan").x[:, n]
            with np.errstate(all="ignore"):
                return np.asarray(obj.observe(z_n)), truth
        if system is not None and system.dim == d:
            obj = system
            if dt is None:
                dt = getattr(model_or_step_fn, "dt_", None)
        else:
            preds = np.stack([np.asarray(obj.forecast(x[s - ctx + 1 : s + 1], n))[-1] for s in starts])
            return preds, truth
    if isinstance(obj, System):
        if obj.dim != d:
            raise ValueError(f"the system has dimension {obj.dim} but the data have {d} variables")
        x0 = x[starts]
        if isinstance(obj, Map):
            tr = trajectory(obj, n=n, x0=x0, on_blowup="nan")
        else:
            if dt is None:
                raise ValueError("pass dt (the sampling step of x) to predict with a Flow")
            tr = trajectory(obj, t=n * dt, dt=dt, x0=x0, method="rk4", on_blowup="nan")
        return np.asarray(tr.x[:, n]), truth
    z = x[starts]
    for _ in range(n):
        z = np.asarray(obj(z), dtype=np.float64)
        if z.shape != (starts.size, d):
            raise ValueError(f"step_fn must map a batch of shape (B, {d}) to the same shape, got {z.shape}")
    return z, truth


def prediction_error(
    model_or_step_fn: Any, x: Any, n: int = 20, *, dt: float | None = None, max_starts: int | None = None
) -> float:
    """PE(n): mean squared error of n-step-ahead predictions started from every test point.

    ``PE(n) = mean_{t, i} (x_{t+n, i} - F^n(x_t)_i)^2`` over t = 1..T-n, where F is one model step:
    a fitted :class:`LearnedModel` (its ``as_system()`` map; models with context or hidden state use
    ``forecast`` from each context window, or a batched ``predict_n_steps(x, starts, n)`` method if
    they offer one), a dynstab ``Map``, a ``Flow`` (one RK4 step of ``dt`` per sample), or a
    function mapping a batch (B, d) to the next states (B, d). ``max_starts`` evaluates an evenly
    spaced subset of start points. A diverged prediction gives NaN.

    Reference: Hess et al., ICML 2023 (PMLR 202:13017), code ``src/measures/prediction_error.jl``
    (n = 20 in their Table 1).

    Parameters
    ----------
    model_or_step_fn : LearnedModel or System or callable
        A fitted model, a dynstab ``Map``/``Flow``, or a batched step function (B, d) -> (B, d).
    x : array_like
        Observed state(s) (..., N).
    n : int
        Prediction horizon in steps.
    dt : float, optional
        Sampling step (default: a ``Trajectory``'s step, else 1).
    max_starts : int, optional
        At most this many evenly spaced start points (default all).
    """
    xa = _reference(x, "x")
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    preds, truth = _n_step_predictions(model_or_step_fn, xa, int(n), dt, max_starts)
    if not np.all(np.isfinite(preds)):
        warnings.warn("some n-step predictions are not finite (diverged); PE is NaN", MetricWarning, stacklevel=2)
        return float("nan")
    return float(np.mean((preds - truth) ** 2))


def _aligned(truth: Any, pred: Any) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(truth, dtype=np.float64)
    b = np.asarray(pred, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if b.ndim == 1:
        b = b[:, None]
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"truth and pred must have the same shape (T, d), got {a.shape} and {b.shape}")
    if a.shape[0] < 1:
        raise ValueError("truth and pred are empty")
    if not np.all(np.isfinite(a)):
        raise ValueError("truth contains non-finite values")
    return a, b


def _smape_terms(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    num = np.abs(a - b)
    den = np.abs(a) + np.abs(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, 200.0 * num / np.where(den > 0, den, 1.0), 0.0)


def smape(truth: Any, pred: Any, per_step: bool = False):
    """Symmetric mean absolute percentage error on the **0-200 scale**:
    ``sMAPE = (200 / (T d)) sum_{t,i} |y - yhat| / (|y| + |yhat|)`` (terms with y = yhat = 0 count 0).

    ``per_step=True`` returns the value per time step (mean over variables only). Note that
    ``dysts.metrics.smape`` defaults to half this scale (0-100); PhyxMamba and Gilpin's benchmark
    tables use 0-200. A non-finite prediction gives NaN.

    Reference: Makridakis, Int. J. Forecasting 9:527 (1993); Gilpin, NeurIPS Datasets & Benchmarks
    2021 (dysts); Liu et al., PhyxMamba, arXiv 2505.23863 (``util/metrics.py``).

    Parameters
    ----------
    truth : array_like, shape (T, d)
        True samples.
    pred : array_like, shape (T, d)
        Predicted samples.
    per_step : bool
        Return one value per time step instead of the mean.
    """
    a, b = _aligned(truth, pred)
    terms = _smape_terms(a, b)
    return terms.mean(axis=1) if per_step else float(np.mean(terms))


def _scale(a: np.ndarray, scale: Any) -> np.ndarray:
    if scale is None:
        if a.shape[0] < 2:
            raise ValueError("pass scale= (per-variable standard deviations): a single sample has no spread")
        s = np.std(a, axis=0)
    else:
        s = np.broadcast_to(np.asarray(scale, dtype=np.float64), (a.shape[1],)).copy()
    if not np.all(s > 0) or not np.all(np.isfinite(s)):
        raise ValueError(f"the normalising scale must be positive and finite in every variable, got {s}")
    return s


def nrmse(truth: Any, pred: Any, scale: Any = None, per_step: bool = False):
    """Normalized root-mean-square error ``sqrt(mean_{t,i} ((y_{t,i} - yhat_{t,i}) / s_i)^2)``.

    ``s_i`` is ``scale`` (recommended: the per-variable standard deviation of the attractor, e.g. of
    the training data) or, if None, the standard deviation of ``truth`` over the given samples.
    ``per_step=True`` returns ``e(t) = sqrt(mean_i ((y_i(t) - yhat_i(t)) / s_i)^2)`` per time step,
    the error curve used by :func:`valid_prediction_time`.

    Reference: Pathak, Hunt, Girvan, Lu & Ott, Phys. Rev. Lett. 120:024102 (2018); Vlachas et al.,
    Neural Netw. 126:191 (2020).

    Parameters
    ----------
    truth : array_like, shape (T, d)
        True samples.
    pred : array_like, shape (T, d)
        Predicted samples.
    scale : array_like, optional
        Per-variable scales s_i (default: the standard deviation of ``truth``).
    per_step : bool
        Return one value per time step instead of the mean.
    """
    a, b = _aligned(truth, pred)
    s = _scale(a, scale)
    e = np.abs(a - b) / s
    return _rms(e, axis=1) if per_step else float(_rms(e.reshape(1, -1), axis=1)[0])


def _rms(e: np.ndarray, axis: int) -> np.ndarray:
    """sqrt(mean(e^2)) along ``axis`` for e >= 0 without overflow: m sqrt(mean((e/m)^2)), m = max e.

    A diverging prediction gives errors near the float range (1e200); squaring them directly overflows to
    inf with a RuntimeWarning although the root mean square itself is representable."""
    m = np.max(e, axis=axis, keepdims=True)
    ok = np.isfinite(m) & (m > 0)
    r = np.sqrt(np.mean((e / np.where(ok, m, 1.0)) ** 2, axis=axis, keepdims=True))
    return np.squeeze(np.where(ok, m * r, m), axis=axis)


def valid_prediction_time(
    truth: Any,
    pred: Any,
    dt: float,
    lyapunov_exponent: float,
    threshold: float | None = None,
    method: str = "nrmse",
    scale: Any = None,
) -> float:
    """Valid prediction time in Lyapunov times: ``VPT = k* dt lambda_1``, where ``pred[k]`` is the
    prediction ``(k + 1) dt`` after the context and k* is the first index whose error exceeds
    ``threshold`` (so k* samples were valid; the full horizon ``T dt lambda_1`` if none fails --
    a lower bound; a non-finite prediction counts as failed).

    ``method="nrmse"`` (default threshold 0.4): error ``e(t) = sqrt(mean_i ((y_i - yhat_i)/s_i)^2)``
    with ``s_i`` from ``scale`` (recommended: the attractor's standard deviations) or the standard
    deviation of ``truth`` (Pathak et al., PRL 120:024102, 2018; Vlachas et al. 2020).
    ``method="smape"`` (default threshold 30): the *cumulative* sMAPE over [0, t] (0-200 scale)
    exceeds the threshold (dysts convention, Gilpin 2021; PhyxMamba, arXiv 2505.23863, with 30
    samples per Lyapunov time).

    Parameters
    ----------
    truth : array_like, shape (T, d)
        True samples.
    pred : array_like, shape (T, d)
        Predicted samples.
    dt : float, optional
        Sampling step (default: a ``Trajectory``'s step, else 1).
    lyapunov_exponent : float
        Largest Lyapunov exponent lambda_1 of the true system (per time unit).
    threshold : float, optional
        Error threshold (default 0.4 for nrmse, 30 for smape).
    method : str
        The estimate (see above).
    scale : array_like, optional
        Per-variable scales s_i (default: the standard deviation of ``truth``).
    """
    a, b = _aligned(truth, pred)
    if not (dt > 0 and lyapunov_exponent > 0):
        raise ValueError(f"dt and lyapunov_exponent must be positive, got {dt!r} and {lyapunov_exponent!r}")
    if method not in ("nrmse", "smape"):
        raise ValueError(f"method must be 'nrmse' or 'smape', got {method!r}")
    bad_rows = ~np.all(np.isfinite(b), axis=1)
    b = np.where(np.isfinite(b), b, 0.0)
    if method == "nrmse":
        threshold = 0.4 if threshold is None else threshold
        err = nrmse(a, b, scale=scale, per_step=True)
    else:
        threshold = 30.0 if threshold is None else threshold
        per = _smape_terms(a, b).mean(axis=1)
        err = np.cumsum(per) / np.arange(1, per.size + 1)
    fail = (err > threshold) | bad_rows
    k = int(np.argmax(fail)) if np.any(fail) else a.shape[0]
    return float(k * dt * lyapunov_exponent)


# ----------------------------------------------------------------------------- invariants
@dataclass(frozen=True)
class AttractorInvariants:
    """Largest Lyapunov exponent (per time unit) and correlation dimension of the true and generated
    attractors and their errors (relative for the exponent, absolute for the dimension).

    Parameters
    ----------
    lyapunov_true, lyapunov_gen : float
        lambda_1 of the truth and of the model.
    lyapunov_rel_error : float
        |lambda_gen - lambda_true| / |lambda_true|.
    dimension_true, dimension_gen : float
        Correlation dimensions D2.
    dimension_abs_error : float
        |D2_gen - D2_true|.
    """

    lyapunov_true: float
    lyapunov_gen: float
    lyapunov_rel_error: float
    dimension_true: float
    dimension_gen: float
    dimension_abs_error: float

    def to_dict(self) -> dict[str, float]:
        """The fields as a plain dict.

        Returns
        -------
        dict
            Field name -> value.
        """
        return asdict(self)


def attractor_invariants_error(
    truth: Any,
    generated: Any = None,
    dt: float = 1.0,
    *,
    model: Any = None,
    lyapunov_true: float | None = None,
    lyapunov_time: float = 1000.0,
    max_points: int = 5000,
    lyapunov_kwargs: dict | None = None,
    dimension_kwargs: dict | None = None,
    seed: int = 0,
) -> AttractorInvariants:
    """Compare the largest Lyapunov exponent and the correlation dimension of a generated attractor
    with the truth.

    lambda_1: ``lyapunov_true`` if given, else from the true series by
    :func:`dynstab.timeseries.lyapunov_from_data` (Rosenstein et al., Physica D 65:117, 1993); for
    the generated side, from ``model.as_system()`` by the Benettin/QR method
    (:func:`dynstab.max_lyapunov`, per time unit: a learned map's iteration stands for its ``dt_``) when ``model``
    is given, else from ``generated`` by ``lyapunov_from_data``. The relative error is
    ``|lambda_gen - lambda_true| / |lambda_true|``.
    D2: Grassberger-Procaccia correlation dimension (Physica D 9:189, 1983) of the first
    ``max_points`` samples of each series (:func:`dynstab.timeseries.correlation_dimension`);
    the absolute difference is PhyxMamba's D_frac for one trajectory (arXiv 2505.23863).
    A quantity that cannot be estimated is NaN (with a :class:`MetricWarning`).

    Parameters
    ----------
    truth : array_like, shape (T, d)
        True samples.
    generated : array_like, optional
        The generated series (or pass ``model``).
    dt : float, optional
        Sampling step (default: a ``Trajectory``'s step, else 1).
    model : LearnedModel
        A fitted model.
    lyapunov_true : float, optional
        The true lambda_1 (default: estimated from ``truth``).
    lyapunov_time : float
        Length of the Lyapunov run in sampling steps.
    max_points : int
        Samples of each series used.
    lyapunov_kwargs : dict, optional
        Passed to :func:`dynstab.timeseries.lyapunov_from_data`.
    dimension_kwargs : dict, optional
        Passed to :func:`dynstab.timeseries.correlation_dimension`.
    seed : int
        Random seed.
    """
    from ..analysis.lyapunov import max_lyapunov
    from ..timeseries import correlation_dimension, lyapunov_from_data

    a = _reference(truth, "truth")
    lk = dict(lyapunov_kwargs or {})
    dk = dict(dimension_kwargs or {})
    b = None
    if generated is not None:
        b = _generated(generated, a.shape[1], "generated")
        if b is None:
            nan = float("nan")
            return AttractorInvariants(nan, nan, nan, nan, nan, nan)
    elif model is None:
        raise ValueError("pass the generated series or a fitted model")

    def lyap_data(x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            est = lyapunov_from_data(x, dt, warn=False, **lk)
        return float(est.exponent)

    lam_t = float(lyapunov_true) if lyapunov_true is not None else lyap_data(a)
    if model is not None:
        system = model.as_system()
        if system.kind == "map":
            lam_g = max_lyapunov(system, n=int(lyapunov_time), seed=seed)  # per time unit: the map carries dt
        else:
            lam_g = max_lyapunov(system, t=lyapunov_time * dt, seed=seed)
    else:
        lam_g = lyap_data(b)

    def dim(x):
        try:
            return float(correlation_dimension(x[:max_points], seed=seed, **dk).dimension)
        except ValueError as exc:
            warnings.warn(f"correlation dimension not estimated: {exc}", MetricWarning, stacklevel=3)
            return float("nan")

    d_t = dim(a)
    d_g = dim(b) if b is not None else float("nan")
    rel = abs(lam_g - lam_t) / abs(lam_t) if lam_t != 0 else float("nan")
    return AttractorInvariants(lam_t, float(lam_g), float(rel), d_t, d_g, abs(d_g - d_t))


# ----------------------------------------------------------------------------- noise floor
_NAMED: dict[str, Callable[..., Any]] = {
    "d_stsp": state_space_divergence,
    "state_space_divergence": state_space_divergence,
    "d_h": power_spectrum_distance,
    "power_spectrum_distance": power_spectrum_distance,
}


def _metric(metric: Any) -> Callable:
    if callable(metric):
        return metric
    if isinstance(metric, str) and metric.lower() in _NAMED:
        return _NAMED[metric.lower()]
    raise ValueError(f"metric must be a callable metric(x_true, x_gen) or one of {sorted(_NAMED)}, got {metric!r}")


def noise_floor(
    metric: Any,
    reference: Any,
    *,
    n: int | None = None,
    dt: float | None = None,
    transient: float = 100.0,
    standardize: bool | None = None,
    seed: int = 0,
    **metric_kwargs,
) -> float:
    """The value of ``metric`` between two independent trajectories of the true system of the same
    length: what a perfect model would score (the measure's finite-sample floor).

    ``reference`` is either a pair ``(x_a, x_b)`` of independent true trajectories (the first
    ``min(len)`` samples of each are used), or a dynstab system: then two trajectories of ``n``
    samples every ``dt`` (default ``system.dt``) are simulated after ``transient`` time units from
    ``x0`` and from a seeded perturbation of it (the second after twice the transient), and, if
    ``standardize`` (default True for a system, False for a pair), both are standardized with the
    first one's mean and standard deviation (the GTF convention). ``metric`` is a callable
    ``metric(x_true, x_gen, **metric_kwargs)`` or a name: ``"d_stsp"``, ``"d_h"``.

    Reference: the floors table of the dynstab notes (section 7); Hess et al., ICML 2023.

    Parameters
    ----------
    metric : callable or str
        ``metric(x_true, x_gen, **metric_kwargs)`` or ``"d_stsp"``/``"d_h"``.
    reference : System or tuple
        A dynstab system or a pair (x_a, x_b) of independent true series.
    n : int
        Prediction horizon in steps.
    dt : float, optional
        Sampling step (default: a ``Trajectory``'s step, else 1).
    transient : int
        Samples of the free run discarded first.
    standardize : bool, optional
        Standardize both series with the first one's mean and std.
    seed : int
        Random seed.
    **metric_kwargs
        Passed to ``metric``.
    """
    from ..simulate.trajectory import trajectory
    from ..systems import Map, System

    fn = _metric(metric)
    if isinstance(reference, System):
        if n is None or int(n) < 2:
            raise ValueError("pass n (number of samples, >= 2) to simulate the two reference trajectories")
        rng = np.random.default_rng(seed)
        x0 = np.asarray(reference.x0)
        x0b = x0 + 1e-3 * (1.0 + np.abs(x0)) * rng.standard_normal(x0.shape)
        kw: dict[str, Any]
        tr: float
        if isinstance(reference, Map):
            kw, tr = dict(n=int(n)), int(transient)
        else:
            step = reference.dt if dt is None else dt
            kw, tr = dict(t=(int(n) - 1) * step, dt=step), float(transient)
        xa = trajectory(reference, x0=x0, transient=tr, **kw).x
        xb = trajectory(reference, x0=x0b, transient=2 * tr, **kw).x
        standardize = True if standardize is None else standardize
    else:
        try:
            xa, xb = reference
        except (TypeError, ValueError):
            raise TypeError("reference must be a dynstab system or a pair (x_a, x_b) of true trajectories") from None
        xa, xb = _reference(xa, "reference[0]"), _reference(xb, "reference[1]")
        m = min(xa.shape[0], xb.shape[0])
        xa, xb = xa[:m], xb[:m]
    if standardize:
        mu, sd = xa.mean(axis=0), xa.std(axis=0)
        xa, xb = (xa - mu) / sd, (xb - mu) / sd
    return float(fn(xa, xb, **metric_kwargs))


# ----------------------------------------------------------------------------- free-run health
FREE_RUN_STATUSES = ("ok", "diverged", "escaped", "collapsed")


def free_run_status(
    reference: Any, generated: Any, *, escape: float = 1.0, collapse: float = 1e-3, shrink: float = 0.5
) -> str:
    """Classify a generated free run against the data: ``"ok"``, ``"diverged"``, ``"escaped"`` or ``"collapsed"``.

    * ``"diverged"``: a non-finite value.
    * ``"escaped"``: a value outside ``[min X - escape w, max X + escape w]`` in some variable, w = max X - min X
      the reference's range (a bounded model that leaves the data's range by a whole range width is not on the
      data's attractor).
    * ``"collapsed"``: the second half of the run, cut into 4 windows, has per-window spread
      ``s_k = max_i std_k(x_i) / std(X_i)`` with ``s_4 < collapse`` (sitting on a fixed point) or
      ``s_1 > s_2 > s_3 > s_4`` with ``s_4 < shrink s_1`` (still converging to one).
    * ``"ok"``: none of these (the run may still be a wrong attractor; D_stsp and D_H judge that).

    Use it on the run after its transient. Runs shorter than 16 samples are only checked for a vanishing spread.

    Parameters
    ----------
    reference : array_like, shape (T, N)
        The data (defines range and spread).
    generated : array_like, shape (T', N)
        The free run.
    escape : float
        Allowed excursion beyond the data's range, in range widths.
    collapse : float
        Spread (relative to the data's standard deviation) below which the run sits on a fixed point.
    shrink : float
        Factor by which a steadily shrinking spread must have fallen over the last half to count as converging.
    """
    a = _reference(reference, "reference")
    g = np.asarray(generated, dtype=np.float64)
    if g.ndim == 1:
        g = g[:, None]
    if g.ndim != 2 or g.shape[1] != a.shape[1] or g.shape[0] < 2:
        raise ValueError(f"generated must have shape (T, {a.shape[1]}) with T >= 2, got {g.shape}")
    escape = as_float(escape, name="escape", minimum=0.0)
    collapse = as_positive_float(collapse, name="collapse")
    shrink = as_float(shrink, name="shrink", minimum=0.0, maximum=1.0, inclusive="neither")
    if not np.all(np.isfinite(g)):
        return "diverged"
    lo, hi = a.min(axis=0), a.max(axis=0)
    w = hi - lo
    if np.any(g < lo - escape * w) or np.any(g > hi + escape * w):
        return "escaped"
    sd = np.where(a.std(axis=0) > 0, a.std(axis=0), 1.0)
    if g.shape[0] < 16:
        return "collapsed" if np.max(g.std(axis=0) / sd) < collapse else "ok"
    tail = g[g.shape[0] // 2 :]
    spread = np.array([np.max(win.std(axis=0) / sd) for win in np.array_split(tail, 4)])
    if spread[-1] < collapse or (np.all(np.diff(spread) < 0) and spread[-1] < shrink * spread[0]):
        return "collapsed"
    return "ok"


def summarize_runs(results: Any, metric: str = "d_stsp") -> dict[str, Any]:
    """Median and MAD of one measure over independent training runs, both ways of counting failed runs.

    The reference code (GTF-shPLRNN ``evaluation.jl``, ``compute_summary_stats``) drops every run with a NaN
    measure (diverged models) before taking median and MAD, which flatters a method whose runs often diverge.
    Reported here: ``median_finite``/``mad_finite`` (the reference's way, NaN runs dropped) and ``median_all``/
    ``mad_all`` (every run, a NaN counted as +inf, i.e. worse than any finite value), with the numbers of runs
    that ``diverged``, ``escaped`` or ``collapsed`` (from each result's ``status``, see :func:`free_run_status`).
    MAD is the unnormalised median absolute deviation (StatsBase ``mad(x, normalize=false)``, as the reference).

    Parameters
    ----------
    results : sequence of ReconstructionResult or dict
        One result per run (:func:`evaluate_reconstruction` or its ``to_dict()``).
    metric : str
        The field to summarise (``"d_stsp"``, ``"d_h"``, ``"pe"``).
    """
    rows = [r.to_dict() if isinstance(r, ReconstructionResult) else dict(r) for r in results]
    if not rows:
        raise ValueError("results is empty; pass one result per training run")
    if any(metric not in r for r in rows):
        raise ValueError(f"every result needs the field {metric!r}")
    v = np.asarray([r[metric] for r in rows], dtype=np.float64)
    finite = v[np.isfinite(v)]
    worst = np.where(np.isfinite(v), v, np.inf)

    def med_mad(x: np.ndarray) -> tuple[float, float]:
        if x.size == 0:
            return float("nan"), float("nan")
        m = float(np.median(x))
        with np.errstate(invalid="ignore"):
            return m, float(np.median(np.abs(x - m))) if np.isfinite(m) else float("nan")

    mf, sf = med_mad(finite)
    ma, sa = med_mad(worst)
    statuses = [r.get("status", "diverged" if not np.isfinite(r[metric]) else "ok") for r in rows]
    return dict(
        metric=metric,
        n_runs=len(rows),
        median_finite=mf,
        mad_finite=sf,
        median_all=ma,
        mad_all=sa,
        n_finite=int(finite.size),
        n_diverged=statuses.count("diverged"),
        n_escaped=statuses.count("escaped"),
        n_collapsed=statuses.count("collapsed"),
    )


# ----------------------------------------------------------------------------- GTF protocol
@dataclass(frozen=True)
class ReconstructionResult:
    """Outcome of :func:`evaluate_reconstruction`: D_stsp, D_H, PE(n) of a model on a test series,
    with the noise floors (NaN when no second reference was given) and the protocol settings
    (``n_test`` = T generated samples compared, ``n_reference`` = test samples in the D_stsp reference).

    Parameters
    ----------
    d_stsp, d_h, pe : float
        State-space divergence, power-spectrum distance and PE(``pe_steps``).
    d_stsp_floor, d_h_floor : float
        The same measures between the test series and an independent true series (NaN if none).
    n_test, n_generated, n_discarded : int
        T, the generated samples (1 + transient fraction) T, and the discarded first ones.
    pe_steps : int
        Horizon n of PE(n).
    stsp_method : str
        ``"binning"`` or ``"gmm"``.
    diverged : bool
        Whether the generated series was not finite.
    n_reference : int
        Test samples in the D_stsp reference.
    extra : dict
        Further values (merged by :meth:`to_dict`).
    status : str
        The generated run's :func:`free_run_status` against the test series: ``"ok"``, ``"diverged"``,
        ``"escaped"`` or ``"collapsed"`` (a collapsed run has finite but uninformative D_stsp and D_H).
    """

    d_stsp: float
    d_h: float
    pe: float
    d_stsp_floor: float
    d_h_floor: float
    n_test: int
    n_generated: int
    n_discarded: int
    pe_steps: int
    stsp_method: str
    diverged: bool
    n_reference: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict, with the ``extra`` entries merged in.

        Returns
        -------
        dict
            Field name -> value.
        """
        out = asdict(self)
        out.update(out.pop("extra"))
        return out

    def __repr__(self) -> str:
        return (
            f"ReconstructionResult(D_stsp={self.d_stsp:.4g} (floor {self.d_stsp_floor:.3g}), "
            f"D_H={self.d_h:.4g} (floor {self.d_h_floor:.3g}), PE({self.pe_steps})={self.pe:.4g}, T={self.n_test}, "
            f"run {self.status})"
        )


def evaluate_reconstruction(
    model: Any,
    test: Any,
    *,
    length: int | None = None,
    second_reference: Any = None,
    pe_steps: int = 20,
    n_bins: int = 30,
    sigma: float = 20.0,
    sigma2: float = 1.0,
    method: str = "auto",
    transient_fraction: float = 0.25,
    pe_max_starts: int | None = None,
    seed: int = 0,
) -> ReconstructionResult:
    """The GTF evaluation protocol on a held-out test series X (T_X, N).

    Generate ``(1 + transient_fraction) T`` steps from the first test state (``model.generate(X[0],
    ...)``, or ``model.forecast`` from the first ``context_length`` samples for models with delays),
    discard the first ``transient_fraction T`` (0.25), and compute :func:`state_space_divergence`
    (binned for N < 6, GMM above) against X, :func:`power_spectrum_distance` (sigma = 20) against the
    first T test samples and :func:`prediction_error` (PE(20)) on X. T = ``length``, default T_X (the
    GTF protocol). A shorter ``length`` compares T generated steps with the state-space distribution
    of the *whole* test series, its best estimate of the invariant measure (the AL-RNN tutorial's
    evaluation at T = 1e4; comparing with only the first T samples would also measure the test
    series' own initial transient). With ``second_reference`` (an independent true series) the noise
    floors (the same measures between X and that series' first T samples) are reported too. A diverged
    generation yields NaN measures and ``diverged=True``; ``status`` says whether the generated run diverged,
    escaped the test data's range or collapsed to a fixed point (:func:`free_run_status`), and
    :func:`summarize_runs` gives medians over runs both with failed runs dropped (the reference's way) and
    counted as worst.

    References: Hess et al., ICML 2023 (PMLR 202:13017), ``src/evaluation.jl``; Brenner et al.,
    NeurIPS 2024 (AL-RNN), ``alrnn_python`` tutorial.

    Parameters
    ----------
    model : LearnedModel
        A fitted model.
    test : array_like, shape (T_X, N)
        The held-out test series X.
    length : int, optional
        T, the number of generated samples compared (default T_X).
    second_reference : array_like, optional
        An independent true series, for the noise floors.
    pe_steps : int
        Horizon of the prediction error PE(n).
    n_bins : int
        Bins per variable (binning method).
    sigma : float
        Width of the Gaussian smoothing of the spectra.
    sigma2 : float
        Variance of the Gaussian kernels (GMM method).
    method : str
        The estimate (see above).
    transient_fraction : float
        Fraction of T generated first and discarded.
    pe_max_starts : int, optional
        Start points of PE (default all).
    seed : int
        Random seed.
    """
    x = _reference(test, "test")
    t_len = x.shape[0] if length is None else length
    if isinstance(t_len, bool) or not isinstance(t_len, (int, np.integer)) or not 2 <= t_len <= x.shape[0]:
        raise ValueError(f"length must be an integer in [2, {x.shape[0]}] (the test length), got {length!r}")
    t_len = int(t_len)
    n_drop = int(round(transient_fraction * t_len))
    ctx = int(getattr(model, "context_length", 1))
    steps = t_len + n_drop
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            if ctx > 1:
                gen = np.asarray(model.forecast(x[:ctx], steps))
            else:
                gen = np.asarray(model.generate(x[0], steps))
        except FloatingPointError:
            gen = np.full((steps, x.shape[1]), np.nan)
    gen = gen[n_drop : n_drop + t_len]
    diverged = not np.all(np.isfinite(gen))
    stsp_method = method if method != "auto" else ("binning" if x.shape[1] < 6 else "gmm")
    kw: dict[str, Any] = dict(n_bins=n_bins, sigma2=sigma2, method=stsp_method, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MetricWarning)
        d_stsp = state_space_divergence(x, gen, **kw)
        d_h = power_spectrum_distance(x[:t_len], gen, sigma=sigma)
        pe = prediction_error(model, x, n=pe_steps, max_starts=pe_max_starts)
    nan = float("nan")
    f_stsp = f_h = nan
    if second_reference is not None:
        ref = _reference(second_reference, "second_reference")
        if ref.shape[0] < t_len or ref.shape[1] != x.shape[1]:
            raise ValueError(
                f"second_reference must have at least {t_len} samples of {x.shape[1]} variables, got shape {ref.shape}"
            )
        f_stsp = state_space_divergence(x, ref[:t_len], **kw)
        f_h = power_spectrum_distance(x[:t_len], ref[:t_len], sigma=sigma)
    return ReconstructionResult(
        float(d_stsp),
        float(d_h),
        float(pe),
        float(f_stsp),
        float(f_h),
        t_len,
        steps,
        n_drop,
        int(pe_steps),
        stsp_method,
        bool(diverged),
        x.shape[0],
        status=free_run_status(x, gen),
    )
