"""Delay embedding and the classical choices of its delay and dimension.

Convention (as in DelayEmbeddings.jl ``embed``): delays run forward in time. The delay
vector of a scalar series ``x`` at time index ``n`` is

    y_n = (x[n], x[n + tau], ..., x[n + (dim - 1) tau]),   n = 0, ..., N - (dim - 1) tau - 1,

so ``embed(x, dim, tau)`` has shape ``(N - (dim - 1) tau, dim)``. A multivariate series
(shape (N, m)) is embedded variable by variable, with the blocks side by side:
columns ``[x1(t), x1(t+tau), ..., x1(t+(dim-1)tau), x2(t), ..., xm(t+(dim-1)tau)]``,
shape ``(N - (dim - 1) tau, dim * m)``.

Delay: first minimum of the auto-mutual information (Fraser & Swinney, Phys. Rev. A 33,
1134 (1986)) or the first lag where the autocorrelation falls below 1/e.
Dimension: false nearest neighbours (Kennel, Brown & Abarbanel, Phys. Rev. A 45, 3403
(1992)) or Cao's averaged false neighbours E1/E2 (Cao, Physica D 110, 43 (1997)).
Neighbour searches use a k-d tree with a Theiler window (`neighbors.theiler_neighbors`),
so series of 1e5 points are routine.

The delay and dimension estimators take a scalar series (shape (N,)); pass one column of a
multivariate series.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.ndimage import gaussian_filter

from ..limits import check_allocation
from ..validation import as_float, as_int, as_positive_float, as_series
from .neighbors import theiler_neighbors

__all__ = [
    "autocorrelation",
    "cao",
    "delay_mutual_information",
    "embed",
    "estimate_delay",
    "estimate_dimension",
    "false_nearest_neighbors",
    "choose_embedding",
]

_MIN_POINTS = 10  # fewest embedded points (outside the Theiler window) any statistic uses


# --------------------------------------------------------------------------- validation
def _check_length(n: int, dim: int, tau: int, need: int, what: str) -> int:
    m = n - (dim - 1) * tau
    if m < need:
        raise ValueError(
            f"series too short for {what}: N - (dim-1)*tau = {n} - {dim - 1}*{tau} = {m} "
            f"points, need at least {need}; use a longer series or a smaller dim or tau"
        )
    return m


# ------------------------------------------------------------------------------- embed
def embed(x, dim: int, tau: int = 1) -> np.ndarray:
    """Delay embedding of a scalar or multivariate series.

    For a scalar series ``x`` (shape (N,)) row ``n`` is the delay vector

        y_n = (x[n], x[n + tau], ..., x[n + (dim - 1) tau]),  n = 0 .. N - (dim-1) tau - 1

    (Takens, Lect. Notes Math. 898, 366 (1981); forward delays as in DelayEmbeddings.jl).
    For a multivariate series (shape (N, m)) each variable is embedded in turn and the
    blocks are concatenated: columns ``[x1(t), x1(t+tau), ..., x1(t+(dim-1)tau), x2(t), ...]``.

    Returns an array of shape ``(N - (dim - 1) tau, dim * m)`` (m = 1 for scalars); column
    ``j * dim + k`` of the output is ``x_j(t + k tau)``. A copy, not a strided view.
    Raises ValueError for NaN/inf, a constant series, a wrong shape, dim < 1, tau < 1, or
    fewer than 2 embedded points.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, m)
        Scalar or multivariate series, finite, no variable constant.
    dim : int
        Embedding dimension, >= 1.
    tau : int, default 1
        Delay in samples, >= 1.

    Returns
    -------
    numpy.ndarray, shape (N - (dim - 1) tau, dim * m)
        The delay vectors, one per row.

    Raises
    ------
    ValueError
        For NaN/inf, a constant series, a wrong shape, dim < 1, tau < 1, or fewer than 2
        embedded points.
    dynstab.limits.AllocationError
        If the embedding would exceed the memory limit (`dynstab.limits`).
    """
    a = as_series(x, allow_2d=True, allow_constant=False)
    dim = as_int(dim, name="dim", minimum=1)
    tau = as_int(tau, name="tau", minimum=1)
    a2 = a[:, None] if a.ndim == 1 else a
    n, nvar = a2.shape
    m = _check_length(n, dim, tau, 2, f"embed(dim={dim}, tau={tau})")
    check_allocation(
        8.0 * m * dim * nvar,
        f"the delay embedding ({m} points x {dim * nvar} coordinates)",
        "use fewer samples or a smaller dim",
    )
    out = np.empty((m, dim * nvar))
    for j in range(nvar):
        for k in range(dim):
            out[:, j * dim + k] = a2[k * tau : k * tau + m, j]
    return out


# ------------------------------------------------------------------------------- delay
def delay_mutual_information(x, max_lag: int = 100, bins: int = 16, smooth: bool = True) -> np.ndarray:
    """Auto-mutual information I(tau) of a scalar series for tau = 0 .. max_lag (nats).

    With ``p_ij(tau)`` the joint density of (x[n], x[n + tau]) (n = 0 .. N - tau - 1) on a
    grid over the range of x, and p_i, p_j its marginals,

        I(tau) = sum_ij p_ij(tau) log( p_ij(tau) / (p_i p_j) )

    (Fraser & Swinney, Phys. Rev. A 33, 1134 (1986)). The first local minimum of I over
    tau > 0 is the classical delay.

    Estimator: ``smooth=False`` is the plain histogram with ``bins`` equal-width boxes per
    axis (TISEAN's ``mutual``, default 16 boxes). ``smooth=True`` (default) is a binned
    Gaussian kernel estimate: the histogram on a 4x finer grid, smoothed with a Gaussian
    of standard deviation half a coarse box (range / (2 bins)). The plain histogram jumps
    whenever the (x[n], x[n+tau]) curve of a nearly periodic signal crosses a box edge,
    which creates spurious early minima (a noise-free sine of period 60 samples has its
    first histogram minimum at lag 3); the smoothed estimate is a smooth function of tau
    and puts the sine's minimum at P/4.

    Raises ValueError for NaN/inf, a constant or non-scalar series, bins < 2, or a max_lag
    that leaves fewer than 10 pairs (max_lag must be below N - 10).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite and not constant (one column of a multivariate series).
    max_lag : int, default 100
        Largest lag; must be below N - 10.
    bins : int, default 16
        Boxes per axis of the coarse grid, >= 2.
    smooth : bool, default True
        Binned Gaussian kernel estimate (True) or plain histogram (False).

    Returns
    -------
    numpy.ndarray, shape (max_lag + 1,)
        I(tau) in nats for tau = 0 .. max_lag.
    """
    a = as_series(x, allow_constant=False)
    max_lag = as_int(max_lag, name="max_lag", minimum=0)
    bins = as_int(bins, name="bins", minimum=2)
    n = a.size
    if n - max_lag < _MIN_POINTS:
        raise ValueError(
            f"max_lag={max_lag} is too large for {n} samples: need N - max_lag >= "
            f"{_MIN_POINTS}; lower max_lag or use a longer series"
        )
    up = 4 if smooth else 1
    g = bins * up
    lo, hi = a.min(), a.max()
    b = np.minimum(((a - lo) / (hi - lo) * g).astype(np.int64), g - 1)
    out = np.empty(max_lag + 1)
    for lag in range(max_lag + 1):
        u, v = b[: n - lag], b[lag:]
        joint = np.bincount(u * g + v, minlength=g * g).reshape(g, g).astype(float)
        if smooth:
            joint = gaussian_filter(joint, sigma=up / 2, mode="constant", truncate=4.0)
        pij = joint / joint.sum()
        pi, pj = pij.sum(axis=1), pij.sum(axis=0)
        nz = pij > 0
        out[lag] = float(np.sum(pij[nz] * np.log(pij[nz] / np.outer(pi, pj)[nz])))
    return out


def autocorrelation(x, max_lag: int = 100) -> np.ndarray:
    """Sample autocorrelation r(tau), tau = 0 .. max_lag, of a scalar series.

        r(tau) = sum_{n=0}^{N-1-tau} (x[n] - m)(x[n+tau] - m) / sum_n (x[n] - m)^2

    with m the mean (the biased estimator, Box & Jenkins; computed by FFT). r(0) = 1.
    Raises ValueError for NaN/inf, a constant or non-scalar series, or max_lag >= N - 1.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite and not constant (one column of a multivariate series).
    max_lag : int, default 100
        Largest lag, below N - 1.

    Returns
    -------
    numpy.ndarray, shape (max_lag + 1,)
        r(tau) for tau = 0 .. max_lag (r(0) = 1).
    """
    a = as_series(x, allow_constant=False)
    max_lag = as_int(max_lag, name="max_lag", minimum=0)
    n = a.size
    if max_lag > n - 2:
        raise ValueError(f"max_lag={max_lag} must be below N - 1 = {n - 1}; lower max_lag")
    c = a - a.mean()
    nfft = 1 << int(np.ceil(np.log2(2 * n - 1)))
    f = np.fft.rfft(c, nfft)
    acov = np.fft.irfft(f * np.conj(f), nfft)[: max_lag + 1]
    return acov / acov[0]


def _first_local_minimum(values: np.ndarray) -> int | None:
    """First index i >= 1 with values[i] < values[i-1] and values[i] <= values[i+1]."""
    for i in range(1, values.size - 1):
        if values[i] < values[i - 1] and values[i] <= values[i + 1]:
            return i
    return None


def estimate_delay(x, method: str = "mi", max_lag: int = 100, bins: int = 16, smooth: bool = True) -> int:
    """Embedding delay (in samples) of a scalar series.

    ``method="mi"``: the first local minimum of the auto-mutual information
    `delay_mutual_information` (Fraser & Swinney 1986; smoothed estimate unless
    ``smooth=False``); for a sine of period P it is about P/4.
    ``method="ac"``: the first lag at which the autocorrelation
    `autocorrelation` is at or below 1/e; for an AR(1) process x[n+1] = phi x[n] + noise
    (r(tau) = phi^tau) it is ceil(log(1/e) / log(phi)) = ceil(-1 / log(phi)).

    Raises ValueError when no minimum (mi) or no crossing (ac) occurs up to ``max_lag``
    (the message says to raise max_lag or switch method), or for invalid input.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite and not constant (one column of a multivariate series).
    method : {"mi", "ac"}, default "mi"
        First minimum of the auto-mutual information, or first 1/e crossing of the
        autocorrelation.
    max_lag : int, default 100
        Largest lag searched.
    bins : int, default 16
        Boxes per axis for the mutual information (see `delay_mutual_information`).
    smooth : bool, default True
        Smoothed mutual-information estimate.

    Returns
    -------
    int
        The delay tau in samples.

    References
    ----------
    Fraser & Swinney, Phys. Rev. A 33, 1134 (1986).
    """
    method = str(method).lower()
    if method in ("mi", "mutual_information", "mi_min"):
        mi = delay_mutual_information(x, max_lag=max_lag, bins=bins, smooth=smooth)
        tau = _first_local_minimum(mi)
        if tau is None:
            raise ValueError(
                f"the mutual information has no local minimum for lags 1..{max_lag}: raise max_lag, or use method='ac'"
            )
        return int(tau)
    if method in ("ac", "autocorrelation", "ac_zero", "1/e"):
        r = autocorrelation(x, max_lag=max_lag)
        below = np.flatnonzero(r[1:] <= np.exp(-1.0))
        if below.size == 0:
            raise ValueError(f"the autocorrelation stays above 1/e for lags 1..{max_lag}: raise max_lag")
        return int(below[0] + 1)
    raise ValueError(f"unknown method {method!r}: use 'mi' or 'ac'")


# ---------------------------------------------------------------------------- dimension
def _nn_pairs(x: np.ndarray, dim: int, tau: int, theiler: int, metric: str):
    """Nearest neighbour (outside the window) of each delay vector of dimension dim,
    among the M = N - dim*tau vectors that have a (dim+1)-th coordinate.

    Returns (i, j, r_d, ext_i, ext_j): indices, distance in dim, and the added coordinate
    x[n + dim*tau] of both points.
    """
    n = x.size
    m = n - dim * tau
    pts = np.empty((m, dim))
    for k in range(dim):
        pts[:, k] = x[k * tau : k * tau + m]
    dist, idx = theiler_neighbors(pts, k=1, theiler=theiler, metric=metric, workers=-1)
    i = np.arange(m)
    j = idx[:, 0]
    r = dist[:, 0]
    keep = r > 0
    if keep.sum() < _MIN_POINTS:
        raise ValueError(
            f"in dimension {dim} almost every delay vector has an identical copy (nearest "
            "neighbour at distance 0), as for an exactly periodic or coarsely quantised "
            "series: add noise below the measurement resolution or use a longer delay"
        )
    i, j, r = i[keep], j[keep], r[keep]
    return i, j, r, x[i + dim * tau], x[j + dim * tau]


def _dims_check(x: np.ndarray, max_dim: int, tau: int, theiler: int, extra: int, what: str):
    need = max(_MIN_POINTS, 2 * theiler + 2)
    _check_length(x.size, max_dim + extra, tau, need + 1, what)


def false_nearest_neighbors(
    x,
    tau: int = 1,
    max_dim: int = 10,
    rtol: float = 15.0,
    atol: float = 2.0,
    theiler: int = 0,
    metric: str = "euclidean",
) -> np.ndarray:
    """Fraction of false nearest neighbours for dim = 1 .. max_dim (Kennel et al. 1992).

    For each delay vector y_n of dimension d (n = 0 .. N - d tau - 1, so that the
    (d+1)-th coordinate exists) let y_j be its nearest neighbour with |n - j| > theiler,
    at distance R_d(n). The pair is false if

        (1)  |x[n + d tau] - x[j + d tau]| / R_d(n) > rtol,   or
        (2)  R_{d+1}(n) / R_A > atol,

    with R_{d+1}(n)^2 = R_d(n)^2 + (x[n + d tau] - x[j + d tau])^2 (Euclidean; for the
    Chebyshev norm R_{d+1} = max(R_d, |x[n + d tau] - x[j + d tau]|)) and R_A the standard
    deviation of x (Kennel, Brown & Abarbanel, Phys. Rev. A 45, 3403 (1992); rtol = 15
    and atol = 2 as there). Pairs at zero distance (repeated values) are skipped.

    Returns an array of length max_dim: element d-1 is the fraction for dimension d.
    Raises ValueError for invalid input or N - max_dim*tau too small (fewer than
    max(10, 2*theiler+2) points).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite and not constant (one column of a multivariate series).
    tau : int, default 1
        Delay in samples.
    max_dim : int, default 10
        Largest dimension tested.
    rtol : float, default 15.0
        Threshold of criterion (1) (distance ratio), > 0.
    atol : float, default 2.0
        Threshold of criterion (2) (in units of the standard deviation), > 0.
    theiler : int, default 0
        Theiler window: neighbours must satisfy |n - j| > theiler.
    metric : {"euclidean", "chebyshev"}, default "euclidean"
        Norm of the delay vectors.

    Returns
    -------
    numpy.ndarray, shape (max_dim,)
        Fraction of false neighbours; element d-1 is dimension d.
    """
    return _fnn_fractions(x, tau, max_dim, rtol, atol, theiler, metric)


def _fnn_fractions(x, tau=1, max_dim=10, rtol=15.0, atol=2.0, theiler=0, metric="euclidean", stop_at=None):
    """`false_nearest_neighbors`; with ``stop_at``, the dimensions after the first whose
    fraction is <= stop_at are not computed (NaN): `estimate_dimension` needs no more."""
    a = as_series(x, allow_constant=False)
    tau = as_int(tau, name="tau", minimum=1)
    max_dim = as_int(max_dim, name="max_dim", minimum=1)
    theiler = as_int(theiler, name="theiler", minimum=0)
    rtol = as_positive_float(rtol, name="rtol")
    atol = as_positive_float(atol, name="atol")
    _dims_check(a, max_dim, tau, theiler, 1, f"false nearest neighbours up to dim {max_dim}")
    ra = a.std()
    cheb = str(metric).lower() in ("chebyshev", "max")
    out = np.full(max_dim, np.nan)
    for d in range(1, max_dim + 1):
        _, _, r, ei, ej = _nn_pairs(a, d, tau, theiler, metric)
        de = np.abs(ei - ej)
        r1 = np.maximum(r, de) if cheb else np.sqrt(r * r + de * de)
        false = (de > rtol * r) | (r1 > atol * ra)
        out[d - 1] = false.mean()
        if stop_at is not None and out[d - 1] <= stop_at:
            break
    return out


def cao(x, tau: int = 1, max_dim: int = 10, theiler: int = 0, metric: str = "chebyshev"):
    """Cao's averaged false neighbours: E1(d) and E2(d) for d = 1 .. max_dim.

    With y_n(d) the delay vectors, n(i, d) the index of the nearest neighbour of y_i(d)
    (outside the Theiler window), and i = 0 .. N - d tau - 1,

        a(i, d) = ||y_i(d+1) - y_{n(i,d)}(d+1)|| / ||y_i(d) - y_{n(i,d)}(d)||
        E(d)    = mean_i a(i, d),          E1(d) = E(d+1) / E(d)
        E*(d)   = mean_i |x[i + d tau] - x[n(i,d) + d tau]|,   E2(d) = E*(d+1) / E*(d)

    in the max (Chebyshev) norm (Cao, Physica D 110, 43 (1997)). E1(d) stops changing
    (close to 1) once d is a sufficient embedding dimension; E2(d) = 1 for all d marks a
    stochastic series. Pairs at zero distance are skipped.

    Returns ``(E1, E2)``, arrays of length max_dim (element d-1 is dimension d).
    Raises ValueError for invalid input or a series too short for max_dim + 1.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite and not constant (one column of a multivariate series).
    tau : int, default 1
        Delay in samples.
    max_dim : int, default 10
        Largest dimension d.
    theiler : int, default 0
        Theiler window: neighbours must satisfy |i - j| > theiler.
    metric : {"chebyshev", "euclidean"}, default "chebyshev"
        Norm of the delay vectors (Cao uses the max norm).

    Returns
    -------
    E1 : numpy.ndarray, shape (max_dim,)
        E(d+1) / E(d) for d = 1 .. max_dim.
    E2 : numpy.ndarray, shape (max_dim,)
        E*(d+1) / E*(d) for d = 1 .. max_dim.
    """
    a = as_series(x, allow_constant=False)
    tau = as_int(tau, name="tau", minimum=1)
    max_dim = as_int(max_dim, name="max_dim", minimum=1)
    theiler = as_int(theiler, name="theiler", minimum=0)
    _dims_check(a, max_dim, tau, theiler, 2, f"Cao's method up to dim {max_dim}")
    cheb = str(metric).lower() in ("chebyshev", "max")
    e = np.empty(max_dim + 1)
    es = np.empty(max_dim + 1)
    for d in range(1, max_dim + 2):
        _, _, r, ei, ej = _nn_pairs(a, d, tau, theiler, metric)
        de = np.abs(ei - ej)
        r1 = np.maximum(r, de) if cheb else np.sqrt(r * r + de * de)
        e[d - 1] = np.mean(r1 / r)
        es[d - 1] = np.mean(de)
    return e[1:] / e[:-1], es[1:] / es[:-1]


def estimate_dimension(
    x,
    tau: int = 1,
    method: str = "fnn",
    max_dim: int = 10,
    threshold: float | None = None,
    theiler: int = 0,
    **kwargs,
) -> int:
    """Embedding dimension of a scalar series.

    ``method="fnn"``: the smallest d whose false-nearest-neighbour fraction
    (`false_nearest_neighbors`) is at or below ``threshold`` (default 0.01).
    ``method="cao"``: the smallest d with |1 - E1(d)| < ``threshold`` (default 0.1), i.e.
    where Cao's E1 (`cao`) has saturated (the rule of DelayEmbeddings.jl ``cao_embed``).
    Extra keywords go to the underlying function (rtol, atol, metric).

    When the criterion is not met up to ``max_dim`` but the statistic has levelled off (the
    false-neighbour fraction reaches its minimum before ``max_dim`` or stops falling, at most
    20 % and a fifth of its dimension-1 value; Cao's E1 reaches 0.8 and stops rising), the
    smallest d within 0.01 (fnn) or 0.05 (cao) of that plateau is returned with a
    ``RuntimeWarning`` naming the shortfall: a high-dimensional or noisy attractor (Lorenz-96
    with N = 4, F = 32) never meets the strict 1 % rule although its fraction levels off at a
    few to ten per cent (Kennel et al. 1992, sec. IV on noisy data). Raises ValueError when nothing levels off (raise max_dim, check the
    delay, or the series may be noise) or for invalid input.

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite and not constant (one column of a multivariate series).
    tau : int, default 1
        Delay in samples.
    method : {"fnn", "cao"}, default "fnn"
        Criterion: false nearest neighbours or Cao's E1.
    max_dim : int, default 10
        Largest dimension tested.
    threshold : float, optional
        Criterion threshold (default 0.01 for "fnn", 0.1 for "cao").
    theiler : int, default 0
        Theiler window of the neighbour search.
    **kwargs
        Passed to `false_nearest_neighbors` or `cao` (rtol, atol, metric).

    Returns
    -------
    int
        The smallest dimension meeting the criterion.

    References
    ----------
    Kennel, Brown & Abarbanel, Phys. Rev. A 45, 3403 (1992); Cao, Physica D 110, 43 (1997).
    """
    method = str(method).lower()
    if method == "fnn":
        thr = 0.01 if threshold is None else as_float(threshold, name="threshold", minimum=0.0)
        # the dimensions above the first one at or below thr are not needed (not computed)
        frac = _fnn_fractions(x, tau=tau, max_dim=max_dim, theiler=theiler, stop_at=thr, **kwargs)
        ok = np.flatnonzero(frac <= thr)
        if ok.size == 0:
            fmin = float(np.nanmin(frac))
            levelled = int(np.nanargmin(frac)) < max_dim - 1 or (max_dim > 1 and frac[-2] - frac[-1] < 0.01)
            if fmin <= 0.2 and fmin <= frac[0] / 5 and levelled:
                d = int(np.flatnonzero(frac <= fmin + 0.01)[0] + 1)
                warnings.warn(
                    f"the false-nearest-neighbour fraction never fell to {thr} up to dim {max_dim}; it levels "
                    f"off at {fmin:.3g}: dim {d} is the smallest within 0.01 of that plateau (noise or a "
                    "high-dimensional attractor; check tau)",
                    RuntimeWarning,
                    stacklevel=2,
                )
                return d
            raise ValueError(
                f"the false-nearest-neighbour fraction stays above {thr} up to dim "
                f"{max_dim} (minimum {np.nanmin(frac):.3g}): raise max_dim or threshold, "
                "check tau, or the series may be noise"
            )
        return int(ok[0] + 1)
    if method in ("cao", "afnn"):
        thr = 0.1 if threshold is None else as_float(threshold, name="threshold", minimum=0.0)
        e1, _ = cao(x, tau=tau, max_dim=max_dim, theiler=theiler, **kwargs)
        ok = np.flatnonzero(np.abs(1.0 - e1) < thr)
        if ok.size == 0:
            emax = float(np.nanmax(e1))
            levelled = max_dim > 1 and e1[-1] - e1[-2] < 0.02
            if emax >= 0.8 and levelled:
                d = int(np.flatnonzero(e1 >= emax - 0.05)[0] + 1)
                warnings.warn(
                    f"Cao's E1 does not reach 1 - {thr} up to dim {max_dim}; it levels off at {emax:.3g}: "
                    f"dim {d} is the smallest within 0.05 of that plateau (check tau)",
                    RuntimeWarning,
                    stacklevel=2,
                )
                return d
            raise ValueError(
                f"Cao's E1 does not saturate (|1 - E1| < {thr}) up to dim {max_dim}: "
                "raise max_dim or threshold, or check tau"
            )
        return int(ok[0] + 1)
    raise ValueError(f"unknown method {method!r}: use 'fnn' or 'cao'")


def choose_embedding(x, dim: int | None = None, tau: int | None = None, max_dim: int = 10) -> tuple[int, int, str]:
    """Delay and dimension for a scalar series (first column of a multivariate one): ``(dim, tau, how)``.

    Delay: if the lag-1 autocorrelation is already at or below 1/e the samples are not
    oversampled (iterated maps, coarsely sampled flows), so tau = 1, as for maps in Kantz &
    Schreiber, *Nonlinear Time Series Analysis*, 2nd ed., sec. 3.3 (the mutual information of
    a map such as Henon's has no meaningful first minimum). Otherwise the first minimum of the
    auto-mutual information (Fraser & Swinney 1986), falling back to the 1/e autocorrelation
    lag, and capped at twice that lag: a mutual-information minimum far beyond the
    decorrelation time (Lorenz-96 with N = 4, F = 32 sampled every 0.05: about one Lyapunov
    time) spreads the delay coordinates over independent values and unfolds nothing (Kantz &
    Schreiber sec. 3.3: tau of the order of the decorrelation time). Dimension: false nearest
    neighbours <= 1 % (Kennel et al. 1992) with a Theiler window of tau, or, with a
    ``RuntimeWarning`` and a note in ``how``, the start of the fraction's plateau when it
    levels off above 1 % (`estimate_dimension`). ``how`` says which rule chose what. Given
    values are kept.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, m)
        The series; only the first column of a multivariate series is used.
    dim : int, optional
        Embedding dimension; chosen automatically when None.
    tau : int, optional
        Delay in samples; chosen automatically when None.
    max_dim : int, default 10
        Largest dimension the false-nearest-neighbour search tries.

    Returns
    -------
    dim : int
        The embedding dimension.
    tau : int
        The delay in samples.
    how : str
        Which rule chose each value.
    """
    a = as_series(x, allow_2d=True)
    s = a if a.ndim == 1 else a[:, 0]
    max_dim = as_int(max_dim, name="max_dim", minimum=1)
    if dim is not None:
        dim = as_int(dim, name="dim", minimum=1)
    if tau is not None:
        tau = as_int(tau, name="tau", minimum=1)
    notes = []
    if tau is None:
        max_lag = max(2, min(100, s.size // 10))
        r = autocorrelation(s, max_lag=max_lag)
        if r[1] <= np.exp(-1.0):
            tau, rule = 1, "tau=1: lag-1 autocorrelation <= 1/e (not oversampled)"
        else:
            below = np.flatnonzero(r[1:] <= np.exp(-1.0))
            tau_ac = int(below[0] + 1) if below.size else None
            try:
                tau, rule = estimate_delay(s, method="mi", max_lag=max_lag), "tau: first mutual-information minimum"
                if tau_ac is not None and tau > 2 * tau_ac:
                    rule = (
                        f"tau: twice the autocorrelation 1/e lag (the first mutual-information minimum, {tau}, "
                        "is beyond the decorrelation time)"
                    )
                    tau = 2 * tau_ac
            except ValueError:
                if tau_ac is None:
                    raise ValueError(
                        f"could not choose tau automatically (no mutual-information minimum and the autocorrelation "
                        f"stays above 1/e for lags 1..{max_lag}); pass tau explicitly"
                    ) from None
                tau, rule = tau_ac, "tau: autocorrelation 1/e lag"
        notes.append(rule)
    else:
        notes.append("tau given")
    if dim is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            try:
                dim = estimate_dimension(s, tau=tau, method="fnn", max_dim=max_dim, theiler=tau)
            except ValueError as e:
                raise ValueError(f"could not choose dim automatically ({e}); pass dim explicitly") from None
        plateau = [w for w in caught if issubclass(w.category, RuntimeWarning)]
        for w in caught:
            if w not in plateau:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if plateau:
            warnings.warn(str(plateau[0].message), RuntimeWarning, stacklevel=2)
            notes.append(f"dim: start of the false-nearest-neighbour plateau ({plateau[0].message})")
        else:
            notes.append("dim: false nearest neighbours <= 1%")
    else:
        notes.append("dim given")
    return int(dim), int(tau), "; ".join(notes)
