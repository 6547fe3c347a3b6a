"""Correlation sum, correlation dimension and Takens' maximum-likelihood dimension.

Correlation sum (Grassberger & Procaccia, Physica D 9, 189 (1983)), with a Theiler window
``w`` (Theiler, Phys. Rev. A 34, 2427 (1986)): for points ``X[0..N-1]`` along a trajectory

    C(r) = #{(i, j): i < j, j - i > w, ||X_i - X_j|| <= r} / #{(i, j): i < j, j - i > w}

in the max (Chebyshev) or Euclidean norm. The pairs are counted exactly by a fixed-radius
search on a sorted projection: the points are sorted by their widest coordinate, and for
each reference point only the points whose projection lies within the largest radius are
visited (both norms bound the projected distance), their distance computed once and binned
into all radii at the same time; pairs closer than ``w`` samples in time are skipped in
the same pass. With ``max_points`` only that many reference points ``i`` (drawn at random
with ``seed``) are used, each against all admissible ``j``.

Correlation dimension: the slope of log C(r) against log r in the scaling region, with
``C(r) ~ r^D2`` for small r. The scaling region rule is documented in
`correlation_dimension`.

Takens' estimator (Takens, Lect. Notes Math. 1125, 99 (1985)): the maximum-likelihood
dimension from all admissible pair distances ``r_ij < r_max``,

    D_T = -1 / < ln(r_ij / r_max) >.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.spatial import cKDTree

from ..limits import check_allocation
from ..validation import as_finite_array, as_float, as_int, as_positive_float, as_series
from .embedding import autocorrelation, embed
from .neighbors import minkowski_p

__all__ = [
    "CorrelationDimension",
    "TakensDimension",
    "correlation_dimension",
    "correlation_sum",
    "takens_dimension",
]

_MIN_POINTS = 50  # fewest points any dimension estimate accepts


# --------------------------------------------------------------------------- validation
def _points(points, name: str = "points") -> np.ndarray:
    """Points (N, d) in time order (a 1-D input is N points on a line), finite, not all identical."""
    x = as_series(points, name=name, as_2d=True)
    if np.all(np.ptp(x, axis=0) == 0):
        raise ValueError(f"{name} are all identical (constant data): no dimension can be measured")
    return x


def _theiler(theiler, n: int) -> int:
    w = as_int(theiler, name="theiler", minimum=0)
    if n - w - 1 < 1:
        raise ValueError(f"theiler={w} leaves no admissible pair among {n} points (need N > theiler + 1)")
    return w


def _radii(radii) -> np.ndarray:
    r = np.atleast_1d(as_finite_array(radii, name="radii", ndim=(0, 1)))
    if r.size == 0 or np.any(r <= 0):
        raise ValueError("radii must be a non-empty 1-D array of finite positive numbers")
    return r


@njit(cache=True, nogil=True)
def _pair_histogram(x, ts, keys, cells, refpos, radii, w, euclid, forward):
    """Cumulative pair counts of a cell list (compiled kernel of `correlation_sum`).

    ``x``: points (n, d) sorted by ``keys``, the lexicographic index of their grid cell in the
    first ``g = cells.shape[1]`` coordinates (cell side >= the largest radius); ``cells``: the
    integer cell coordinates (n, g); ``ts``: time indices. For each reference position p the
    points of the 3^g neighbouring cells (the points within the largest radius are among them)
    with ``|ts[q] - ts[p]| > w`` are visited; the cells adjacent in the last grid coordinate are
    one contiguous run of ``keys``, so 3^(g-1) binary searches find them. ``forward`` visits only
    q > p (each unordered pair once, for the full set). Returns, per ascending radius, the
    number of visited pairs within it.
    """
    n, d = x.shape
    g = cells.shape[1]
    nr = radii.size
    rmax = radii[nr - 1]
    cut = rmax * rmax if euclid else rmax  # early exit once the partial distance exceeds rmax
    span = np.empty(g, np.int64)  # key stride of each grid coordinate
    span[g - 1] = 1
    for c in range(g - 2, -1, -1):
        span[c] = span[c + 1] * (cells[:, c + 1].max() + 3)
    hist = np.zeros(nr + 1, np.int64)
    n_nb = 3 ** (g - 1)
    for a in range(refpos.size):
        p = refpos[a]
        tp = ts[p]
        for m in range(n_nb):
            base = 0
            rem = m
            for c in range(g - 1):
                base += (cells[p, c] + rem % 3 - 1) * span[c]
                rem //= 3
            lo_key = base + cells[p, g - 1] - 1
            q = np.searchsorted(keys, lo_key)
            if forward and q <= p:
                q = p + 1
            hi_key = lo_key + 2
            while q < n and keys[q] <= hi_key:
                if abs(ts[q] - tp) > w:
                    s = 0.0
                    for k in range(d):
                        t = x[q, k] - x[p, k]
                        if euclid:
                            s += t * t
                        elif abs(t) > s:
                            s = abs(t)
                        if s > cut:
                            break
                    if s <= cut:
                        if euclid:
                            s = np.sqrt(s)
                        lo, hi = 0, nr  # first radius >= the distance
                        while lo < hi:
                            mid = (lo + hi) >> 1
                            if radii[mid] < s:
                                lo = mid + 1
                            else:
                                hi = mid
                        hist[lo] += 1
                q += 1
    return np.cumsum(hist[:nr])


class _PairCounter:
    """Pair counts of one point set within radii, by a cell list (see `correlation_sum`).

    The grid uses the (at most three) widest coordinates, with a cell side equal to the
    largest radius asked for; the points are re-sorted by cell for each new side.
    """

    def __init__(self, x: np.ndarray, w: int, euclid: bool):
        self.n = x.shape[0]
        self.w = w
        self.euclid = euclid
        order = np.argsort(-np.ptp(x, axis=0), kind="stable")
        self.x = np.ascontiguousarray(x[:, order])  # widest coordinates first
        self.g = min(3, x.shape[1])
        self.lo = self.x[:, : self.g].min(axis=0)

    def admissible(self, refs: np.ndarray) -> int:
        """Ordered pairs (i in refs, j) with |i - j| > w."""
        n, w = self.n, self.w
        window = np.minimum(refs + w, n - 1) - np.maximum(refs - w, 0)  # j != i inside the window
        return int(refs.size * (n - 1) - window.sum())

    def csum(self, refs: np.ndarray | None, r_sorted: np.ndarray) -> np.ndarray:
        """C(r) at the ascending radii: all points (refs None) or the given reference indices."""
        side = float(r_sorted[-1])
        ext = float(np.ptp(self.x[:, : self.g], axis=0).max())
        # cell coordinates; a side below ext / 2e5 would only add empty cells (keys stay in int64)
        side = max(side, ext / 2e5)
        cells = np.floor((self.x[:, : self.g] - self.lo) / side).astype(np.int64) + 1
        keys = np.zeros(self.n, dtype=np.int64)
        for c in range(self.g):
            keys = keys * (int(cells[:, c].max()) + 3) + cells[:, c]
        order = np.argsort(keys, kind="stable")
        pos = np.empty(self.n, dtype=np.int64)
        pos[order] = np.arange(self.n)
        args = (self.x[order], order.astype(np.int64), keys[order], np.ascontiguousarray(cells[order]))
        if refs is None:
            count = _pair_histogram(*args, np.arange(self.n), r_sorted, self.w, self.euclid, True)
            norm = (self.n - self.w - 1) * (self.n - self.w) / 2.0
        else:
            count = _pair_histogram(*args, np.sort(pos[refs]), r_sorted, self.w, self.euclid, False)
            norm = float(self.admissible(refs))
        if norm <= 0:
            raise ValueError(f"theiler={self.w} leaves no admissible pair among {self.n} points: lower theiler")
        return count / norm


# ------------------------------------------------------------------------ correlation sum
def correlation_sum(
    points,
    radii,
    theiler: int = 0,
    metric: str = "chebyshev",
    max_points: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Correlation sum C(r) of a point set, excluding pairs within a Theiler window.

    ``points``: shape (N, d) (or (N,) for scalars), rows in time order. For each radius r,

        C(r) = #{admissible (i, j): ||X_i - X_j|| <= r} / #{admissible (i, j)}

    where a pair is admissible if ``|i - j| > theiler`` (``theiler=0`` excludes only i = j).
    The pairs are found by a fixed-radius search on the points sorted by their widest
    coordinate (only points whose projection lies within the largest radius are visited,
    pairs inside the window are skipped), so the result equals the brute-force O(N^2)
    count exactly, at a cost proportional to the pairs visited, not to N^2.

    ``max_points``: if given and smaller than N, only that many reference points i (the
    first ``max_points`` of ``numpy.random.default_rng(seed).permutation(N)``, so smaller
    sets are nested in larger ones) are used, each against all j with ``|i - j| > theiler``;
    the normaliser is the number of such (i, j).

    Returns an array of the same length as ``radii`` (in the given order).
    Raises ValueError for NaN/inf, constant data, non-positive radii, theiler < 0, an
    unknown metric, or a window that leaves no admissible pair.

    Parameters
    ----------
    points : array_like, shape (N, d) or (N,)
        Points in time order, finite, not all identical.
    radii : array_like
        Radii r > 0.
    theiler : int, default 0
        Theiler window: pairs need |i - j| > theiler.
    metric : {"chebyshev", "max", "euclidean"}, default "chebyshev"
        The norm.
    max_points : int, optional
        Number of random reference points (default: all).
    seed : int, default 0
        Seed of the reference-point draw.

    Returns
    -------
    numpy.ndarray, shape (len(radii),)
        C(r) at each radius.

    References
    ----------
    Grassberger & Procaccia, Physica D 9, 189 (1983); Theiler, Phys. Rev. A 34, 2427 (1986).
    """
    x = _points(points)
    r = _radii(radii)
    p = minkowski_p(metric)
    n = x.shape[0]
    w = _theiler(theiler, n)
    refs = None
    if max_points is not None:
        m = as_int(max_points, name="max_points", minimum=1)
        if m < n:
            refs = _reference_points(n, m, seed)
    order = np.argsort(r)
    out = np.empty_like(r)
    out[order] = _PairCounter(x, w, euclid=not np.isinf(p)).csum(refs, r[order])
    return out


def _reference_points(n: int, m: int, seed: int) -> np.ndarray:
    """The first ``m`` of a seeded random permutation of ``range(n)``, sorted (nested in m)."""
    return np.sort(np.random.default_rng(seed).permutation(n)[:m])


# ------------------------------------------------------------------ dimension estimates
@dataclass(frozen=True)
class CorrelationDimension:
    """Result of `correlation_dimension`.

    dimension: least-squares slope of log C against log r over the scaling region.
    uncertainty: standard deviation of the local slopes d log C / d log r in the region.
    radii, csum: the curve C(r) (all radii evaluated); slopes: local slopes at each radius
    (NaN where C is below the pair-count floor or at the ends); region: (r_lo, r_hi), the
    scaling region; region_index: (i_lo, i_hi), inclusive indices into radii; theiler,
    n_points: the Theiler window and number of points used.

    Parameters
    ----------
    dimension : float
        D2, the slope over the scaling region.
    uncertainty : float
        Standard deviation of the local slopes in the region.
    radii : numpy.ndarray
        Radii evaluated.
    csum : numpy.ndarray
        C(r) at each radius.
    slopes : numpy.ndarray
        Local slopes d log C / d log r.
    region : tuple of float
        ``(r_lo, r_hi)``.
    region_index : tuple of int
        Inclusive indices of the region into ``radii``.
    theiler : int
        Theiler window used.
    n_points : int
        Number of points.
    """

    dimension: float
    uncertainty: float
    radii: np.ndarray
    csum: np.ndarray
    slopes: np.ndarray
    region: tuple[float, float]
    region_index: tuple[int, int]
    theiler: int
    n_points: int


@dataclass(frozen=True)
class TakensDimension:
    """Result of `takens_dimension`: the ML dimension, its statistical standard error
    ``dimension / sqrt(n_pairs)`` (ignores correlations between pairs, so a lower bound),
    the number of admissible pairs used, r_max and the Theiler window.

    Parameters
    ----------
    dimension : float
        D_T.
    stderr : float
        ``dimension / sqrt(n_pairs)``.
    n_pairs : int
        Admissible pairs used.
    r_max : float
        Upper cut-off radius.
    theiler : int
        Theiler window used.
    """

    dimension: float
    stderr: float
    n_pairs: int
    r_max: float
    theiler: int


def _prepare(x, dim, tau, theiler):
    if dim is not None:
        a = as_series(x, name="x", allow_2d=True, min_length=0)
        if a.ndim == 2 and a.shape[1] == 1:
            a = a[:, 0]
        if a.ndim != 1:
            raise ValueError(
                f"dim is given, so x must be a scalar series of shape (N,), got shape "
                f"{a.shape}; pass points of shape (N, d) without dim instead"
            )
        pts = embed(a, dim, 1 if tau is None else tau)  # validates NaN/constant/length
    else:
        if tau is not None:
            raise ValueError("tau is given without dim: pass dim to embed a scalar series")
        pts = _points(x, "x")
    n = pts.shape[0]
    if n < _MIN_POINTS:
        raise ValueError(
            f"too few points for a dimension estimate: {n}, need at least {_MIN_POINTS} (in practice thousands)"
        )
    if theiler is None:
        w = _default_theiler(pts)
    else:
        w = _theiler(theiler, n)
    if n - 2 * w - 1 < _MIN_POINTS:
        raise ValueError(f"theiler={w} is too large for {n} points: lower theiler or use more points")
    return pts, w


def _default_theiler(pts: np.ndarray) -> int:
    """First lag where the autocorrelation of every coordinate has fallen to 1/e or
    below (the decorrelation time), capped at N // 10."""
    n = pts.shape[0]
    cap = max(1, min(n // 10, 2000))
    w = 1
    for c in range(pts.shape[1]):
        col = pts[:, c]
        if np.ptp(col) == 0:
            continue
        ac = autocorrelation(col, max_lag=min(cap, n - 2))
        below = np.flatnonzero(ac[1:] <= np.exp(-1.0))
        w = max(w, int(below[0] + 1) if below.size else cap)
    return int(min(w, cap))


def _extent(x: np.ndarray, p: float) -> float:
    span = np.ptp(x, axis=0)
    return float(span.max() if np.isinf(p) else np.sqrt((span * span).sum()))


def _curve(x, radii, w, metric, max_points, seed, work):
    """C(r) on all (ascending) radii: with all reference points (or ``max_points`` of them)
    where the pair count (estimated by the first 512 reference points) is within ``work``;
    with fewer, nested, reference points at larger r (at least those 512, or all), so that
    each group of radii counts about ``work`` pairs."""
    n = x.shape[0]
    cap = n if max_points is None else min(n, max_points)
    counter = _PairCounter(x, w, euclid=not np.isinf(minkowski_p(metric)))
    perm = np.random.default_rng(seed).permutation(n)
    m0 = min(cap, 512)
    pilot = counter.csum(None if m0 >= n else np.sort(perm[:m0]), radii)
    m_need = np.where(pilot > 0, work / (n * np.maximum(pilot, 1e-300)), np.inf)
    m_r = np.clip(m_need, m0, cap).astype(np.int64)
    # groups of radii sharing a reference count: powers of two times m0, or all cap points
    key = np.where(m_r >= cap, cap, m0 * 2 ** np.floor(np.log2(m_r / m0)).astype(np.int64))
    out = np.empty_like(radii)
    for mk in np.unique(key):
        sel = key == mk
        if mk == m0:  # the pilot's own reference points
            out[sel] = pilot[sel]
        else:
            out[sel] = counter.csum(None if mk >= n else np.sort(perm[:mk]), radii[sel])
    return out


def _local_slopes(logr, logc, valid):
    s = np.full(logr.size, np.nan)
    for i in range(1, logr.size - 1):
        if valid[i - 1] and valid[i + 1]:
            s[i] = (logc[i + 1] - logc[i - 1]) / (logr[i + 1] - logr[i - 1])
    return s


def _find_region(logr, slopes, tol, min_decades, min_radii):
    """Widest [a, b] (in log r) of finite local slopes all within tol * median of their
    median; ties broken by the smaller spread. Returns None if no window qualifies."""
    best = None
    k = logr.size
    for a in range(k):
        if not np.isfinite(slopes[a]):
            continue
        for b in range(a + min_radii - 1, k):
            seg = slopes[a : b + 1]
            if not np.all(np.isfinite(seg)):
                break
            med = np.median(seg)
            if med <= 0:
                continue
            if np.max(np.abs(seg - med)) > tol * med:
                continue
            width = (logr[b] - logr[a]) / np.log(10.0)
            if width + 1e-12 < min_decades:
                continue
            score = (round(width, 9), -np.std(seg))
            if best is None or score > best[0]:
                best = (score, a, b)
    return None if best is None else (best[1], best[2])


def correlation_dimension(
    x,
    *,
    dim: int | None = None,
    tau: int | None = None,
    radii=None,
    theiler: int | None = None,
    metric: str = "chebyshev",
    region: tuple[float, float] | None = None,
    tol: float = 0.1,
    min_decades: float = 0.5,
    min_pairs: int = 500,
    radii_per_decade: int = 8,
    max_points: int | None = None,
    seed: int = 0,
    work: float = 2e6,
) -> CorrelationDimension:
    """Correlation dimension D2 (Grassberger & Procaccia, Physica D 9, 189 (1983)).

    Input: ``x`` of shape (N, d) is a point set (rows in time order); with ``dim`` given,
    ``x`` is a scalar series embedded by `embed(x, dim, tau)` (tau default 1). A 1-D ``x``
    without ``dim`` is a set of points on a line.

    ``theiler``: pairs with ``|i - j| <= theiler`` are excluded (default: the first lag at
    which the autocorrelation of every coordinate is <= 1/e, capped at N // 10).

    ``radii``: default log-spaced, ``radii_per_decade`` per decade, from 1e-5 of the
    extent (the largest coordinate range, or the diagonal in the Euclidean norm) up to the
    extent. C(r) is computed with `correlation_sum`; at radii where the pair count (from a
    pilot count with 512 reference points) would exceed ``work`` pairs, a random subset of
    at least 512 reference points, nested across radii, is used so that about ``work``
    pairs are counted (C is then large, so its relative error stays small: on 1e4 Lorenz
    points (m = 5) D2 equals the all-pairs value to 1e-4 for every seed); ``max_points`` caps the reference points
    (the first ``max_points`` of the same seeded permutation at small r).

    Scaling region rule:
      1. noise floor: radii with fewer than ``min_pairs`` admissible pairs within r
         (C(r) * #pairs < min_pairs) are discarded, as their counts are dominated by
         sampling noise (or by noise in the data at small r);
      2. local slopes s(r_k) = d log C / d log r are centred differences on the grid;
      3. the region is the widest contiguous range of radii (in log r, at least
         ``min_decades`` decades and 4 radii) whose local slopes all lie within
         ``tol`` (relative) of their median; saturation at large r (slopes falling to 0
         as C -> 1) breaks this and so is excluded. Ties go to the smaller spread.
    Pass ``region=(r_lo, r_hi)`` to override the rule (the radii inside are used).

    The dimension is the least-squares slope of log C vs log r over the region; the
    uncertainty is the standard deviation of the local slopes there.

    Raises ValueError for NaN/inf, constant data, too few points, a bad Theiler window,
    or when no scaling region satisfies the rule (the message says so, rather than
    returning a number: the data may be noise with dimension above what N can resolve).

    Parameters
    ----------
    x : array_like, shape (N, d) or (N,)
        Points in time order; with ``dim``, a scalar series to embed.
    dim : int, optional
        Embedding dimension for a scalar series.
    tau : int, optional
        Delay (with ``dim``; default 1).
    radii : array_like, optional
        Radii (default log-spaced over five decades of the extent).
    theiler : int, optional
        Theiler window (default: the 1/e autocorrelation time).
    metric : {"chebyshev", "max", "euclidean"}, default "chebyshev"
        The norm.
    region : tuple of float, optional
        ``(r_lo, r_hi)`` to override the scaling-region rule.
    tol : float, default 0.1
        Relative tolerance of the local slopes in the region, > 0.
    min_decades : float, default 0.5
        Smallest width of the region in decades of r.
    min_pairs : int, default 500
        Pair-count floor below which radii are discarded.
    radii_per_decade : int, default 8
        Density of the default radii, >= 2.
    max_points : int, optional
        Most reference points at any radius (default: all points at small r).
    seed : int, default 0
        Seed of the reference-point draws.
    work : float, default 2e6
        Pairs within r counted per group of radii before reference points are subsampled.

    Returns
    -------
    CorrelationDimension
        D2, its uncertainty, the curve C(r) and the region.
    """
    pts, w = _prepare(x, dim, tau, theiler)
    n = pts.shape[0]
    p = minkowski_p(metric)
    tol = as_positive_float(tol, name="tol")
    min_decades = as_float(min_decades, name="min_decades", minimum=0.0)
    min_pairs = as_int(min_pairs, name="min_pairs", minimum=0)
    work = as_positive_float(work, name="work")
    if max_points is not None:
        max_points = as_int(max_points, name="max_points", minimum=1)
    ext = _extent(pts, p)
    if radii is None:
        per = as_int(radii_per_decade, name="radii_per_decade", minimum=2)
        r = ext * np.logspace(-5.0, 0.0, 5 * per + 1)
    else:
        r = np.sort(_radii(radii))
    c = _curve(pts, r, w, metric, max_points, seed, work)
    n_adm = (n - w - 1) * (n - w) / 2.0 if max_points is None or max_points >= n else max_points * (n - 2 * w - 1) / 2.0
    valid = (c * n_adm >= min_pairs) & (c > 0)
    logr = np.log(r)
    logc = np.where(c > 0, np.log(np.where(c > 0, c, 1.0)), -np.inf)
    slopes = _local_slopes(logr, logc, valid)
    if region is not None:
        lo, hi = (as_float(v, name="region", minimum=0.0) for v in region)
        idx = np.flatnonzero((r >= lo) & (r <= hi) & valid)
        if idx.size < 2:
            raise ValueError(
                f"region=({lo:g}, {hi:g}) holds {idx.size} usable radii (C above the "
                f"{min_pairs}-pair floor); widen it or pass denser radii"
            )
        a, b = int(idx[0]), int(idx[-1])
    else:
        found = _find_region(logr, slopes, tol, min_decades, 4)
        if found is None:
            fin = slopes[np.isfinite(slopes)]
            rng = (
                f"local slopes range {fin.min():.3g}..{fin.max():.3g}"
                if fin.size
                else "no local slope above the pair-count floor"
            )
            raise ValueError(
                f"no scaling region found: no range of at least {min_decades} decades in "
                f"r has local slopes constant within {tol:.0%} ({rng}); the data may be "
                "noise or too short for their dimension. Use more points, a larger tol, "
                "or pass region=(r_lo, r_hi)"
            )
        a, b = found
    sel = slice(a, b + 1)
    dim_fit = float(np.polyfit(logr[sel], logc[sel], 1)[0])
    seg = slopes[sel]
    seg = seg[np.isfinite(seg)]
    unc = float(np.std(seg)) if seg.size > 1 else float("nan")
    return CorrelationDimension(
        dimension=dim_fit,
        uncertainty=unc,
        radii=r,
        csum=c,
        slopes=slopes,
        region=(float(r[a]), float(r[b])),
        region_index=(a, b),
        theiler=w,
        n_points=n,
    )


def takens_dimension(
    x,
    r_max: float | None = None,
    theiler: int | None = None,
    *,
    dim: int | None = None,
    tau: int | None = None,
    metric: str = "chebyshev",
    max_points: int | None = None,
    seed: int = 0,
    max_pairs: int = 2_000_000,
) -> TakensDimension:
    """Takens' maximum-likelihood correlation dimension (Takens, Lect. Notes Math. 1125,
    99 (1985)):

        D_T = -1 / < ln(r_ij / r_max) >,

    the mean over all admissible pairs (|i - j| > theiler) with 0 < r_ij < r_max. Input
    as in `correlation_dimension` (points, or a scalar series with ``dim``/``tau``).
    ``r_max`` default: the upper end of the scaling region found by
    `correlation_dimension` (same metric and window). ``max_points`` uses that many
    random reference points i against all j.

    If more than ``max_pairs`` pairs lie within r_max, a random subset of reference
    points (``seed``) is used so that about ``max_pairs`` pairs remain.

    Returns a `TakensDimension`. Raises ValueError for invalid input, r_max <= 0, fewer
    than 10 pairs within r_max, or so many that even 100 reference points exceed
    ``max_pairs``.

    Parameters
    ----------
    x : array_like, shape (N, d) or (N,)
        Points in time order; with ``dim``, a scalar series to embed.
    r_max : float, optional
        Cut-off radius, > 0 (default: the top of `correlation_dimension`'s region).
    theiler : int, optional
        Theiler window (default as `correlation_dimension`).
    dim : int, optional
        Embedding dimension for a scalar series.
    tau : int, optional
        Delay (with ``dim``; default 1).
    metric : {"chebyshev", "max", "euclidean"}, default "chebyshev"
        The norm.
    max_points : int, optional
        Number of random reference points.
    seed : int, default 0
        Seed of the reference-point draws.
    max_pairs : int, default 2_000_000
        Most pairs materialised.

    Returns
    -------
    TakensDimension
        D_T, its standard error and the pair count.
    """
    pts, w = _prepare(x, dim, tau, theiler)
    n = pts.shape[0]
    p = minkowski_p(metric)
    if r_max is None:
        r_max = correlation_dimension(pts, theiler=w, metric=metric, max_points=max_points, seed=seed).region[1]
    r_max = as_positive_float(r_max, name="r_max")
    max_pairs = as_int(max_pairs, name="max_pairs", minimum=1)
    if max_points is not None:
        max_points = as_int(max_points, name="max_points", minimum=1)
    if max_points is None or max_points >= n:
        refs = np.arange(n)
    else:
        refs = np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))
    # size check before materialising the pairs
    c = correlation_sum(pts, [r_max], w, metric, max_points=max_points, seed=seed)[0]
    expect = c * refs.size * (n - 2 * w - 1)
    if expect > max_pairs:
        m = int(max_pairs / max(c * (n - 2 * w - 1), 1e-300))
        if m < 100:
            raise ValueError(
                f"about {expect:.3g} pairs lie within r_max={r_max:g}, more than "
                f"max_pairs={max_pairs} even with 100 reference points: lower r_max"
            )
        refs = np.sort(np.random.default_rng(seed).choice(refs, size=m, replace=False))
    n_pairs = c * refs.size * (n - 2 * w - 1)
    check_allocation(
        n_pairs * (24.0 + 8.0 * pts.shape[1]),
        f"the pairs within r_max for Takens' estimator (about {n_pairs:.3g} pairs in {pts.shape[1]} dimensions)",
        "lower max_pairs or r_max",
    )
    tree = cKDTree(pts)
    if refs.size == n:
        ij = tree.query_pairs(r_max, p=p, output_type="ndarray")
        i, j = ij[:, 0], ij[:, 1]
    else:
        sdm = cKDTree(pts[refs]).sparse_distance_matrix(tree, r_max, p=p, output_type="ndarray")
        i, j = refs[sdm["i"]], sdm["j"]
    keep = np.abs(i - j) > w
    diff = np.abs(pts[i[keep]] - pts[j[keep]])
    d = diff.max(axis=1) if np.isinf(p) else np.sqrt((diff * diff).sum(axis=1))
    d = d[(d > 0) & (d < r_max)]
    if d.size < 10:
        raise ValueError(f"only {d.size} admissible pairs closer than r_max={r_max:g}: raise r_max")
    mean_log = float(np.mean(np.log(d / r_max)))
    dt = -1.0 / mean_log
    return TakensDimension(
        dimension=dt,
        stderr=dt / np.sqrt(d.size),
        n_pairs=int(d.size),
        r_max=r_max,
        theiler=w,
    )
