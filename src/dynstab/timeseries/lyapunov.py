"""Largest Lyapunov exponent from a measured (scalar or multivariate) time series.

Two classical estimators of the mean logarithmic divergence of initially close states
in a delay embedding (`embedding.embed`; forward delays) are provided:

* Rosenstein, Collins & De Luca, Physica D 65, 117 (1993): every reference vector y_i
  is paired with its nearest neighbour y_j outside a Theiler window (|i - j| > w), and

      S(k) = < ln || y_{i+k} - y_{j+k} || >_i          (Euclidean norm)

* Kantz, Phys. Lett. A 185, 77 (1994): every reference vector is compared with a whole
  neighbourhood U_i (its ``n_neighbors`` nearest neighbours outside the Theiler window,
  optionally only those closer than ``radius`` times the attractor size), and

      S(k) = < ln ( mean_{j in U_i} || y_{i+k} - y_{j+k} || ) >_i

In the scaling region S(k) grows linearly, S(k) ~ S(0) + lambda_1 k dt, before it
saturates at the size of the attractor. `lyapunov_from_data` finds that region
automatically (rule in its docstring) and returns lambda_1 per unit time with a
confidence interval from blocks of reference points.

Neighbour searches reuse `neighbors.theiler_neighbors` (k-d tree), so 2e4 points and a
few hundred steps take well under a second.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..validation import as_float, as_int, as_positive_float, as_series, as_step
from .embedding import autocorrelation, choose_embedding, embed
from .neighbors import theiler_neighbors

__all__ = [
    "DivergenceCurve",
    "LyapunovEstimate",
    "divergence_curve",
    "lyapunov_from_data",
]

_METHODS = ("rosenstein", "kantz")
_MIN_REFERENCES = 50  # fewest reference points a divergence curve is averaged over


# ------------------------------------------------------------------------------ helpers
def _method(method) -> str:
    m = str(method).lower()
    if m not in _METHODS:
        raise ValueError(f"unknown method {method!r}: use 'rosenstein' or 'kantz'")
    return m


def default_theiler(x, dim: int, tau: int) -> int:
    """Default Theiler window (samples): ``max(dim * tau, first zero of the autocorrelation)``.

    The first zero is the first lag at which the sample autocorrelation
    (`embedding.autocorrelation`) is <= 0, searched up to N // 4 (the largest over the
    columns of a multivariate series); if there is none, ``dim * tau`` alone is used.
    The autocorrelation time keeps temporally correlated points from being chosen as
    neighbours (Rosenstein et al. 1993 use the mean period, which is of the same order).

    Parameters
    ----------
    x : array_like, shape (N,) or (N, m)
        The series.
    dim : int
        Embedding dimension.
    tau : int
        Delay in samples.

    Returns
    -------
    int
        The Theiler window in samples.

    References
    ----------
    Rosenstein, Collins & De Luca, Physica D 65, 117 (1993).
    """
    a = as_series(x, allow_2d=True)
    cols = [a] if a.ndim == 1 else [a[:, j] for j in range(a.shape[1])]
    w = as_int(dim, name="dim", minimum=1) * as_int(tau, name="tau", minimum=1)
    for c in cols:
        max_lag = max(1, min(c.size // 4, c.size - 2))
        r = autocorrelation(c, max_lag=max_lag)
        z = np.flatnonzero(r[1:] <= 0.0)
        if z.size:
            w = max(w, int(z[0] + 1))
    return w


class DivergenceCurve(tuple):
    """``(k, lnd)``: steps k = 0 .. max_steps and the mean log divergence <ln d(k)>.

    Unpacks as a 2-tuple. Attributes: ``k``, ``lnd``, ``dt``, ``t`` (= k * dt),
    ``n_references`` (reference points averaged), ``method``, ``dim``, ``tau``,
    ``theiler``.

    Attributes
    ----------
    k : numpy.ndarray of int
        Steps 0 .. max_steps.
    lnd : numpy.ndarray
        Mean log divergence <ln d(k)>.
    dt : float
        Sampling interval.
    t : numpy.ndarray
        ``k * dt``.
    n_references : int
        Reference points averaged.
    method : str
        "rosenstein" or "kantz".
    dim, tau, theiler : int
        Embedding dimension, delay and Theiler window used.
    """

    # set per instance by __new__ (declared here for the type checker)
    dt: float
    n_references: int
    method: str
    dim: int
    tau: int
    theiler: int

    def __new__(cls, k, lnd, **meta):
        obj = super().__new__(cls, (k, lnd))
        obj.__dict__.update(meta)
        return obj

    @property
    def k(self) -> np.ndarray:
        """Returns
        -------
        numpy.ndarray of int
            The steps k.
        """
        return self[0]

    @property
    def lnd(self) -> np.ndarray:
        """Returns
        -------
        numpy.ndarray
            The mean log divergence at each step.
        """
        return self[1]

    @property
    def t(self) -> np.ndarray:
        """Returns
        -------
        numpy.ndarray
            The times ``k * dt``.
        """
        return self[0] * self.dt


def _block_sums(x, dim, tau, method, theiler, max_steps, n_neighbors, radius, n_blocks, stop_after=None):
    """Per-block sums and counts of the log divergence, shape (n_blocks, K + 1).

    Reference points are the embedded vectors with index < M - max_steps (so that the
    whole future of every pair exists); they are split into ``n_blocks`` contiguous blocks
    in time. K = max_steps, or, with ``stop_after`` = s, the first k at which the mean log
    divergence has reached the saturation level (the mean log distance of random pairs of
    points, minus 0.1) plus s more steps: the curve is flat from there on and the steps after
    it carry no exponent.
    """
    y = embed(x, dim, tau)
    m = y.shape[0]
    n_ref = m - max_steps
    need = max(_MIN_REFERENCES, 2 * theiler + 1 + n_neighbors)
    if n_ref < need:
        raise ValueError(
            f"series too short for the divergence curve: {m} embedded points (N - "
            f"(dim-1)*tau) minus max_steps={max_steps} leaves {n_ref} reference points, "
            f"need at least {need} (>= {_MIN_REFERENCES} and > 2*theiler + n_neighbors "
            f"with theiler={theiler}); use a longer series or smaller dim, tau, theiler "
            "or max_steps"
        )
    ref = y[:n_ref]
    kk = 1 if method == "rosenstein" else n_neighbors
    dist, idx = theiler_neighbors(ref, k=kk, theiler=theiler, metric="euclidean", workers=1)
    i = np.arange(n_ref)
    if method == "kantz" and radius is not None:
        size = float(np.max(np.ptp(y, axis=0)))
        eps = radius * size
        use = dist <= eps
    else:
        use = np.ones_like(dist, dtype=bool)
    block = np.minimum(i * n_blocks // n_ref, n_blocks - 1)
    sums = np.zeros((n_blocks, max_steps + 1))
    counts = np.zeros((n_blocks, max_steps + 1))
    has = use.any(axis=1)
    i, idx, use, blk = i[has], idx[has], use[has], block[has]
    nuse = use.sum(axis=1)
    sat_level, stop_k = np.inf, max_steps
    if stop_after is not None:
        pairs = np.random.default_rng(0).integers(0, m, size=(2000, 2))
        dd0 = np.linalg.norm(y[pairs[:, 0]] - y[pairs[:, 1]], axis=1)
        sat_level = float(np.mean(np.log(dd0[dd0 > 0]))) - 0.1
    for k in range(max_steps + 1):
        if k > stop_k:
            sums, counts = sums[:, :k], counts[:, :k]
            break
        diff = y[idx + k] - y[i + k][:, None, :]
        d = np.sqrt(np.einsum("rnd,rnd->rn", diff, diff))
        if method == "rosenstein":
            dd = d[:, 0]
        else:
            dd = np.where(use, d, 0.0).sum(axis=1) / nuse
        ok = dd > 0
        sums[:, k] = np.bincount(blk[ok], weights=np.log(dd[ok]), minlength=n_blocks)
        counts[:, k] = np.bincount(blk[ok], minlength=n_blocks)
        tot = counts[:, k].sum()
        if stop_after is not None and stop_k == max_steps and tot > 0 and sums[:, k].sum() / tot >= sat_level:
            stop_k = min(max_steps, k + int(stop_after))
    return sums, counts, int(has.sum())


def _validate_curve_args(x, dim, tau, method, theiler, max_steps, n_neighbors, radius, dt):
    a = as_series(x, allow_2d=True, allow_constant=False)
    dim = as_int(dim, name="dim", minimum=1)
    tau = as_int(tau, name="tau", minimum=1)
    method = _method(method)
    dt = as_step(dt)
    n_neighbors = as_int(n_neighbors, name="n_neighbors", minimum=1) if method == "kantz" else 1
    if radius is not None:
        radius = as_positive_float(radius, name="radius")
    m = a.shape[0] - (dim - 1) * tau
    if m < _MIN_REFERENCES + 2:
        raise ValueError(
            f"series too short for the embedding: N - (dim-1)*tau = {a.shape[0]} - "
            f"{dim - 1}*{tau} = {m} points, need at least {_MIN_REFERENCES + 2}; use a "
            "longer series or a smaller dim or tau"
        )
    if theiler is None:
        theiler = default_theiler(a, dim, tau)
    theiler = as_int(theiler, name="theiler", minimum=0)
    if max_steps is None:
        max_steps = min(max(50, 3 * theiler), m // 5)
    max_steps = as_int(max_steps, name="max_steps", minimum=1)
    return a, dim, tau, method, theiler, max_steps, n_neighbors, radius, dt


# ----------------------------------------------------------------------------- curve
def divergence_curve(
    x,
    dim: int,
    tau: int,
    *,
    method: str = "rosenstein",
    theiler: int | None = None,
    max_steps: int | None = None,
    n_neighbors: int = 10,
    radius: float | None = None,
    dt: float = 1.0,
) -> DivergenceCurve:
    """Mean logarithmic divergence <ln d(k)> of neighbouring trajectories, k = 0 .. max_steps.

    ``x``: scalar series (N,) or multivariate (N, m), embedded with `embedding.embed`
    (dimension ``dim``, delay ``tau`` samples). ``method="rosenstein"``: nearest neighbour
    of each reference vector, d(k) its Euclidean distance k steps later (Rosenstein et
    al. 1993). ``method="kantz"``: the ``n_neighbors`` nearest neighbours, of which only
    those within ``radius`` x (attractor size = largest range of an embedded coordinate)
    are kept when ``radius`` is given; d(k) is their mean distance k steps later (Kantz
    1994). References without any neighbour inside the radius are dropped; pairs at
    distance exactly 0 are skipped at that k.

    ``theiler`` (samples): neighbours must satisfy |i - j| > theiler. Default
    ``max(dim * tau, first zero of the autocorrelation of x)`` (`default_theiler`).
    ``max_steps``: default ``min(max(50, 3 * theiler), M // 5)`` with M the number of
    embedded points. Only the M - max_steps vectors with a complete future are used as
    references and neighbours.
    ``dt``: sampling interval; kept on the result (``curve.t = k * dt``); ``k`` is in steps.

    Returns a `DivergenceCurve`, which unpacks as ``k, lnd``.
    Raises ValueError for NaN/inf, a constant series, bad parameters, or a series too short
    for the embedding, the Theiler window and max_steps.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, m)
        Scalar or multivariate series, finite and not constant.
    dim : int
        Embedding dimension, >= 1.
    tau : int
        Delay in samples, >= 1.
    method : {"rosenstein", "kantz"}, default "rosenstein"
        The estimator.
    theiler : int, optional
        Theiler window in samples (default `default_theiler`).
    max_steps : int, optional
        Largest k (default min(max(50, 3 theiler), M // 5)).
    n_neighbors : int, default 10
        Neighbours per reference point (Kantz).
    radius : float, optional
        Neighbourhood radius as a fraction of the attractor size (Kantz), > 0.
    dt : float, default 1.0
        Sampling interval, > 0.

    Returns
    -------
    DivergenceCurve
        ``(k, lnd)`` with the settings as attributes.

    References
    ----------
    Rosenstein, Collins & De Luca, Physica D 65, 117 (1993); Kantz, Phys. Lett. A 185, 77
    (1994).
    """
    a, dim, tau, method, theiler, max_steps, n_neighbors, radius, dt = _validate_curve_args(
        x, dim, tau, method, theiler, max_steps, n_neighbors, radius, dt
    )
    sums, counts, n_ref = _block_sums(a, dim, tau, method, theiler, max_steps, n_neighbors, radius, 1)
    return _make_curve(sums, counts, n_ref, method, dim, tau, theiler, dt)


def _make_curve(sums, counts, n_ref, method, dim, tau, theiler, dt):
    tot = counts.sum(axis=0)
    if n_ref == 0 or np.any(tot == 0):
        raise ValueError(
            "no usable neighbour pairs (all distances zero or no neighbour inside radius): "
            "raise radius or n_neighbors, or check the series"
        )
    lnd = sums.sum(axis=0) / tot
    k = np.arange(lnd.size)
    return DivergenceCurve(k, lnd, dt=dt, n_references=n_ref, method=method, dim=dim, tau=tau, theiler=theiler)


# ----------------------------------------------------------------------- scaling region
def _lsq(k: np.ndarray, y: np.ndarray):
    slope, icpt = np.polyfit(k.astype(float), y, 1)
    return float(slope), float(icpt)


def find_scaling_region(
    lnd, *, min_points: int = 5, tol: float = 0.1, min_rise: float = 1.0, half_window: int = 1, min_start: int = 0
):
    """Automatic linear scaling region ``(k0, k1)`` (inclusive) of a divergence curve, or None.

    Rule: local slopes ``s(k) = (lnd[k+h] - lnd[k-h]) / (2h)`` (h = ``half_window``) are
    computed for k = h .. K-h. A run of consecutive local slopes k = a .. b qualifies if
    all of them are positive and agree within ``tol``: ``max s / min s <= 1 + tol``.
    Its fit range is k0 = a - h .. k1 = b + h (the samples those slopes use); it must
    hold at least ``min_points`` points and its least-squares line must rise by at least
    ``min_rise`` in ln d over the range (the distances grow e^min_rise-fold: a real
    exponential divergence, not a fluctuation on the saturation plateau). The longest
    qualifying run wins (ties: the one with the smallest relative slope spread).
    Saturation is excluded because the local slopes fall towards 0 there; an initial
    transient (fast alignment with the unstable direction) because its slopes are larger.
    Returns None when no run qualifies (e.g. white noise, whose curve jumps to the
    plateau at k = 1). With ``min_start`` the fit range must start at k0 >= min_start (the
    initial relaxation of the curve, while the neighbours' difference vectors turn into the
    unstable direction, is left out whatever its slopes).

    Parameters
    ----------
    lnd : array_like, shape (K,)
        The divergence curve <ln d(k)>, k = 0 .. K-1.
    min_points : int, default 5
        Fewest points in the fit range.
    tol : float, default 0.1
        Relative spread allowed among the local slopes, >= 0.
    min_rise : float, default 1.0
        Smallest rise of the fitted line over the range, in ln d.
    half_window : int, default 1
        Half width h of the central differences (values below 1 count as 1).
    min_start : int, default 0
        Smallest k0 of the fit range.

    Returns
    -------
    tuple of int or None
        ``(k0, k1)``, inclusive, or None when no run qualifies.

    References
    ----------
    Kantz & Schreiber, *Nonlinear Time Series Analysis*, 2nd ed. (2004), sec. 5.3 (the
    linear region of the divergence curve).
    """
    y = as_series(lnd, name="lnd", min_length=0)
    h = max(1, as_int(half_window, name="half_window"))
    min_points = as_int(min_points, name="min_points")
    tol = as_float(tol, name="tol", minimum=0.0)
    min_rise = as_float(min_rise, name="min_rise")
    min_start = as_int(min_start, name="min_start", minimum=0)
    n = y.size
    if n < max(min_points, 2 * h + 1):
        return None
    s = (y[2 * h :] - y[: -2 * h]) / (2 * h)  # s[i] is the slope at k = i + h
    m = s.size
    best = None  # (length, spread, k0, k1)
    for a in range(min_start, m):
        if s[a] <= 0:
            continue
        lo = hi = s[a]
        b = a
        while b + 1 < m:  # extend the run while the slopes stay positive and agree
            v = s[b + 1]
            if v <= 0 or max(hi, v) > (1 + tol) * min(lo, v):
                break
            lo, hi, b = min(lo, v), max(hi, v), b + 1
        k0, k1 = a, b + 2 * h
        npts = k1 - k0 + 1
        if npts < min_points:
            continue
        if best is not None and (npts < best[0] or (npts == best[0] and hi / lo >= best[1])):
            continue
        slope = np.polyfit(np.arange(k0, k1 + 1, dtype=float), y[k0 : k1 + 1], 1)[0]
        if slope * (k1 - k0) < min_rise:
            continue
        best = (npts, hi / lo, k0, k1)
    if best is None:
        return None
    return int(best[2]), int(best[3])


# ---------------------------------------------------------------------------- estimate
#: Relative systematic error of the estimator below and above the exponent, each added in quadrature
#: to its side of the interval. The divergence-curve estimators are biased low: by noise (neighbours
#: start at the noise level, where d(k) = sqrt(delta^2 e^{2 lambda k} + sigma^2) grows more slowly
#: than e^{lambda k}) and by the bend towards saturation at the end of the scaling region; the
#: start rule (k0 >= tau) keeps the initial relaxation, the one upward bias, out of the fit. So the
#: upper side is wider. Set on the tuning seeds of `benchmarks/calibrate_verdicts.py` (8 systems
#: with known exponents, 2e3 to 5e4 samples, noise 0 to 5 %) and checked on other seeds there
#: (docs/calibration.md).
SYSTEMATIC_ERROR = (0.2, 0.35)

#: Largest relative disagreement of the exponents found at consecutive embedding dimensions for
#: which the estimate counts as consistent (Kantz & Schreiber sec. 5.3: only a slope common to
#: several m is an estimate).
M_TOLERANCE = 0.25


@dataclass(frozen=True)
class LyapunovEstimate:
    """Largest Lyapunov exponent estimated from data (see `lyapunov_from_data`).

    ``exponent``: slope of <ln d(k)> over the fit range divided by dt (per time unit);
    NaN when no scaling region was found and no fit_range given. ``ci``: (low, high)
    interval at level ``confidence`` that combines the statistical error (``stat_ci``, from
    ``n_blocks`` blocks of reference points, Student t on the block slopes), the spread of
    the exponents over embedding dimensions (``dim_exponents``) and the estimator's relative
    systematic errors ``systematic`` (below, above). ``scaling_found``: whether a clean linear region was
    found (always True for a user fit_range). ``consistent``: whether every dimension
    checked found a region and agrees within `M_TOLERANCE`. ``k``, ``lnd``: the divergence
    curve; ``fit_range``: (k0, k1) inclusive, in steps (None if no region); ``intercept``: of
    the fit in ln d, per step axis.

    Parameters
    ----------
    exponent : float
        Largest Lyapunov exponent per time unit (NaN without a scaling region).
    ci : tuple of float
        Interval ``(low, high)`` including the systematic error.
    confidence : float
        Level of the interval.
    stderr : float
        Standard error of the exponent from the block slopes.
    scaling_found : bool
        Whether a scaling region was found (True for a given fit_range).
    fit_range : tuple of int or None
        ``(k0, k1)`` in steps, inclusive.
    k : numpy.ndarray of int
        Steps of the divergence curve.
    lnd : numpy.ndarray
        The divergence curve <ln d(k)>.
    intercept : float
        Intercept of the fit, in ln d.
    block_slopes : numpy.ndarray
        Exponent of each block of reference points, per time unit.
    dt : float
        Sampling interval.
    dim, tau, theiler : int
        Embedding dimension, delay and Theiler window.
    method : str
        "rosenstein" or "kantz".
    n_references : int
        Reference points averaged.
    stat_ci : tuple of float
        Statistical interval alone (block slopes).
    dim_exponents : tuple of (int, float)
        Exponent found at each embedding dimension checked (NaN: no scaling region there).
    consistent : bool
        Whether all dimensions checked found a region and agree within `M_TOLERANCE`.
    systematic : tuple of float
        Relative systematic errors (below, above the exponent) included in ``ci``.
    min_start : int
        Smallest first step the scaling region was allowed.
    half_window : int
        Half width of the local slopes.
    """

    exponent: float
    ci: tuple
    confidence: float
    stderr: float
    scaling_found: bool
    fit_range: tuple | None
    k: np.ndarray
    lnd: np.ndarray
    intercept: float
    block_slopes: np.ndarray
    dt: float
    dim: int
    tau: int
    theiler: int
    method: str
    n_references: int
    stat_ci: tuple = (float("nan"), float("nan"))
    dim_exponents: tuple = ()
    consistent: bool = True
    systematic: tuple = (0.0, 0.0)
    min_start: int = 0
    half_window: int = 1

    @property
    def t(self) -> np.ndarray:
        """Returns
        -------
        numpy.ndarray
            The times ``k * dt`` of the divergence curve.
        """
        return self.k * self.dt

    @property
    def valid(self) -> bool:
        """A scaling region was found, it agrees across embedding dimensions and the exponent is finite.

        Returns
        -------
        bool
            Whether the exponent is an estimate in the sense of Kantz & Schreiber sec. 5.3.
        """
        return bool(self.scaling_found and self.consistent and np.isfinite(self.exponent))


def _fit_curve(sums, counts, n_ref, lnd_shift, common_curve, *, fit_range, hw, min_points, tol, min_rise, start):
    """Scaling region and block slopes of one curve: (range or None, slope, intercept, block slopes, lnd)."""
    curve = _make_curve(sums, counts, n_ref, *common_curve)
    k, lnd = curve
    lnd = lnd + lnd_shift
    if fit_range is None:
        rng = find_scaling_region(
            lnd, min_points=min_points, tol=tol, min_rise=min_rise, half_window=hw, min_start=start
        )
    else:
        rng = fit_range
    if rng is None:
        return None, float("nan"), float("nan"), np.array([]), k, lnd
    k0, k1 = rng
    sel = slice(k0, k1 + 1)
    slope, icpt = _lsq(k[sel], lnd[sel])
    block_fits = [
        _lsq(k[sel], sums[b, sel] / counts[b, sel])[0] for b in range(sums.shape[0]) if np.all(counts[b, sel] > 0)
    ]
    return (k0, k1), slope, icpt, np.asarray(block_fits), k, lnd


def lyapunov_from_data(
    x,
    dt: float = 1.0,
    *,
    dim: int | None = None,
    tau: int | None = None,
    method: str = "rosenstein",
    fit_range: tuple | None = None,
    theiler: int | None = None,
    max_steps: int | None = None,
    n_neighbors: int = 10,
    radius: float | None = None,
    min_points: int = 5,
    tol: float = 0.1,
    min_rise: float = 1.0,
    half_window: int | None = None,
    min_start: int | None = None,
    extra_dims: int = 1,
    systematic: float | tuple[float, float] = SYSTEMATIC_ERROR,
    n_blocks: int = 10,
    confidence: float = 0.95,
    warn: bool = True,
) -> LyapunovEstimate:
    """Largest Lyapunov exponent (per time unit) of a sampled series, with an honest interval.

    Embedding: ``tau`` and ``dim`` default to `choose_embedding` (tau = 1 for series that are
    not oversampled, else the first mutual-information minimum, falling back to the 1/e
    autocorrelation lag; dim from `estimate_dimension`
    (false nearest neighbours <= 1 %, Theiler window tau), both on the first column of a
    multivariate series. ``theiler`` defaults as in `divergence_curve`
    (max(dim*tau, first autocorrelation zero)).

    Divergence curve: `divergence_curve` with ``method`` ('rosenstein' or 'kantz'),
    ``n_neighbors`` and ``radius`` (Kantz). ``max_steps`` defaults to
    ``min(M // 5, max(50, 20 * theiler))`` and the curve stops a few half windows after it
    reaches the saturation level (the mean log distance of random pairs), so that slow
    exponents (Rossler, Mackey-Glass) have room to rise and fast ones cost nothing more.

    Scaling region (Kantz & Schreiber, *Nonlinear Time Series Analysis*, 2nd ed., sec. 5.3):
    ``fit_range=(k0, k1)`` (steps, inclusive) if given; otherwise `find_scaling_region` --
    the longest run of local slopes (central differences over +-``half_window`` steps; default
    ``max(tau, theiler // 10)``: the delay tau is of the order of a quarter of the mean period of
    an oversampled flow, so that the oscillation of a flow's curve is averaged out, and 1 for a
    map) that are all positive and agree
    within ``tol`` (max/min <= 1 + tol), starting at k0 >= ``min_start`` (default
    ``max(1, tau)``: the initial relaxation, while the neighbours' difference vectors turn
    into the unstable direction, is never fitted), holding at least
    ``max(min_points, 2 * half_window + 1)`` points (half a mean period for a flow) and whose
    fitted line rises by >= ``min_rise`` in ln d. If none qualifies, the result has
    ``scaling_found=False``, ``exponent`` and ``ci`` NaN, and a RuntimeWarning is issued
    (``warn=False`` silences it): the data show no exponential divergence (noise, too short,
    or wrong embedding).

    Consistency across embedding dimensions: the same is done at ``dim + 1 .. dim +
    extra_dims``; the estimate is ``consistent`` only if every one of them finds a region and
    its exponent lies within `M_TOLERANCE` (relative) of the exponent at ``dim``, which is the
    one reported.

    Interval: with lambda the slope / dt over the fit range, ``h_stat = t_{B-1} *
    std(block slopes) / sqrt(B)`` from B = ``n_blocks`` contiguous blocks of reference points
    fitted over the same range (``stat_ci``; the residuals of the curve fit are strongly
    correlated and would understate the error), ``h_m`` the largest difference to the
    exponents at the other dimensions and ``systematic = (s_lo, s_hi)`` the estimator's relative
    systematic error below and above (`SYSTEMATIC_ERROR`, calibrated in
    ``benchmarks/calibrate_verdicts.py``; the estimators are biased low by noise):

        ci = (lambda - sqrt(h_stat^2 + h_m^2 + (s_lo lambda)^2),
              lambda + sqrt(h_stat^2 + h_m^2 + (s_hi lambda)^2)).

    Scale: the series is centred and divided by its peak before any distance is taken (the
    exponent is scale-free; a series scaled by 1e200 gives the same exponent), and ``lnd`` is
    reported in the data's units.

    Raises ValueError for NaN/inf, a constant series, bad parameters, a series too short
    for the embedding/max_steps, or a fit_range outside 0 .. max_steps.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, m)
        Scalar or multivariate series, finite and not constant.
    dt : float, default 1.0
        Sampling interval, > 0.
    dim : int, optional
        Embedding dimension (default `choose_embedding`).
    tau : int, optional
        Delay in samples (default `choose_embedding`).
    method : {"rosenstein", "kantz"}, default "rosenstein"
        The divergence estimator.
    fit_range : tuple of int, optional
        ``(k0, k1)`` in steps, inclusive; found automatically when None.
    theiler : int, optional
        Theiler window in samples (default `default_theiler`).
    max_steps : int, optional
        Length of the divergence curve (default: see above; a given value is kept exactly).
    n_neighbors : int, default 10
        Neighbours per reference point (Kantz).
    radius : float, optional
        Neighbourhood radius as a fraction of the attractor size (Kantz).
    min_points : int, default 5
        Fewest points of the scaling region.
    tol : float, default 0.1
        Relative spread allowed among the local slopes.
    min_rise : float, default 1.0
        Smallest rise of the fitted line, in ln d.
    half_window : int, optional
        Half width of the local slopes (default max(tau, theiler // 10)).
    min_start : int, optional
        Smallest first step of the scaling region (default max(1, tau)).
    extra_dims : int, default 1
        Further embedding dimensions checked for a common slope (0: none).
    systematic : float or (float, float), default `SYSTEMATIC_ERROR`
        Relative systematic error below and above the exponent (one number: both), >= 0.
    n_blocks : int, default 10
        Blocks of reference points for the confidence interval, >= 2.
    confidence : float, default 0.95
        Level of the confidence interval, in (0, 1).
    warn : bool, default True
        Warn when no scaling region is found or the dimensions disagree.

    Returns
    -------
    LyapunovEstimate
        The exponent per time unit, its interval and the divergence curve.

    References
    ----------
    Rosenstein, Collins & De Luca, Physica D 65, 117 (1993); Kantz, Phys. Lett. A 185, 77
    (1994); Kantz & Schreiber, *Nonlinear Time Series Analysis*, 2nd ed. (2004), sec. 5.3.
    """
    dt = as_step(dt)
    a = as_series(x, allow_2d=True, allow_constant=False)
    # The exponent is scale-free: work on the centred series divided by its peak (one factor for every
    # column, so distances keep their ratios) and put the scale back into ln d at the end. A series
    # scaled by 1e200 would otherwise overflow in the squared distances (issue 14).
    a = a - a.mean(axis=0)
    peak = float(np.max(np.abs(a)))
    a = a / peak
    method = _method(method)
    n_blocks = as_int(n_blocks, name="n_blocks", minimum=2)
    confidence = as_float(confidence, name="confidence", minimum=0.0, maximum=1.0, inclusive="neither")
    extra_dims = as_int(extra_dims, name="extra_dims", minimum=0)
    pair = systematic if isinstance(systematic, tuple | list) else (systematic, systematic)
    if len(pair) != 2:
        raise ValueError(f"systematic must be a number or a pair (below, above), got {systematic!r}")
    s_lo, s_hi = (as_float(v, name="systematic", minimum=0.0) for v in pair)
    min_points = as_int(min_points, name="min_points", minimum=2)
    auto_steps = max_steps is None
    dim, tau, _ = choose_embedding(a, dim, tau)
    if theiler is None:
        theiler = default_theiler(a, dim, tau)
    if auto_steps:
        m_pts = a.shape[0] - (dim - 1 + extra_dims) * tau
        max_steps = max(1, min(max(50, 20 * int(theiler)), m_pts // 5))
    a, dim, tau, method, theiler, max_steps, n_neighbors, radius, dt = _validate_curve_args(
        a, dim, tau, method, theiler, max_steps, n_neighbors, radius, dt
    )
    if fit_range is not None:
        try:
            k0, k1 = (as_int(v, name="fit_range") for v in fit_range)
        except (TypeError, ValueError):
            raise ValueError(f"fit_range must be a pair (k0, k1) of steps, got {fit_range!r}") from None
        if not 0 <= k0 < k1 <= max_steps:
            raise ValueError(f"fit_range must satisfy 0 <= k0 < k1 <= max_steps={max_steps}, got {fit_range!r}")
        fit_range = (k0, k1)
    hw = max(tau, theiler // 10) if half_window is None else as_int(half_window, name="half_window", minimum=1)
    start = max(1, tau) if min_start is None else as_int(min_start, name="min_start", minimum=0)
    stop_after = None if not auto_steps or fit_range is not None else max(10, 4 * hw + min_points)
    fit_kw = {
        "fit_range": fit_range,
        "hw": hw,
        "min_points": max(min_points, 2 * hw + 1),
        "tol": tol,
        "min_rise": min_rise,
        "start": start,
    }
    shift = np.log(peak)  # ln d in the data's units

    def one(m: int, blocks: int):
        sums, counts, n_ref = _block_sums(
            a, m, tau, method, theiler, max_steps, n_neighbors, radius, blocks, stop_after
        )
        return _fit_curve(sums, counts, n_ref, shift, (method, m, tau, theiler, dt), **fit_kw), n_ref

    (rng, slope, icpt, bs, k, lnd), n_ref = one(dim, n_blocks)
    common = {
        "k": k,
        "lnd": lnd,
        "dt": dt,
        "dim": dim,
        "tau": tau,
        "theiler": theiler,
        "method": method,
        "n_references": n_ref,
        "confidence": float(confidence),
        "systematic": (s_lo, s_hi),
        "min_start": start,
        "half_window": hw,
    }
    nan = float("nan")
    if rng is None:
        if warn:
            warnings.warn(
                "no linear scaling region in the divergence curve (no exponential "
                "divergence: noise, a too short series, or a poor embedding); exponent is "
                "NaN. Inspect result.k / result.lnd and pass fit_range to force a fit.",
                RuntimeWarning,
                stacklevel=2,
            )
        return LyapunovEstimate(
            exponent=nan,
            ci=(nan, nan),
            stderr=nan,
            scaling_found=False,
            fit_range=None,
            intercept=nan,
            block_slopes=np.full(n_blocks, nan),
            consistent=False,
            dim_exponents=((dim, nan),),
            **common,
        )
    lam = slope / dt
    per_dim = [(dim, lam)]
    for m in range(dim + 1, dim + 1 + extra_dims):
        try:
            (_, s_m, _, _, _, _), _ = one(m, 2)
        except ValueError:  # too short for this dimension: no check there
            s_m = nan
        per_dim.append((m, s_m / dt))
    others = np.array([v for _, v in per_dim[1:]])
    consistent = bool(np.all(np.isfinite(others)) and np.all(np.abs(others - lam) <= M_TOLERANCE * abs(lam)))
    if bs.size >= 2:
        se = float(np.std(bs, ddof=1) / np.sqrt(bs.size)) / dt
        h_stat = float(stats.t.ppf(0.5 + confidence / 2, bs.size - 1)) * se
    else:
        se = h_stat = nan
    fin = others[np.isfinite(others)]
    h_m = float(np.max(np.abs(fin - lam))) if fin.size else 0.0
    below = float(np.sqrt(h_stat**2 + h_m**2 + (s_lo * lam) ** 2))
    above = float(np.sqrt(h_stat**2 + h_m**2 + (s_hi * lam) ** 2))
    if warn and not consistent:
        warnings.warn(
            "the exponent is not consistent across embedding dimensions ("
            + ", ".join(f"m={m}: {v:.3g}" for m, v in per_dim)
            + "): no common scaling region, so no reliable estimate",
            RuntimeWarning,
            stacklevel=2,
        )
    return LyapunovEstimate(
        exponent=lam,
        ci=(lam - below, lam + above),
        stderr=se,
        scaling_found=True,
        fit_range=rng,
        intercept=icpt,
        block_slopes=bs / dt,
        stat_ci=(lam - h_stat, lam + h_stat),
        dim_exponents=tuple((int(m), float(v)) for m, v in per_dim),
        consistent=consistent,
        **common,
    )
