"""Recurrence matrices (auto, cross, joint) and recurrence networks, stored sparse.

A recurrence matrix of the points ``X[0..N-1]`` (rows of an (N, d) array, or the delay
vectors of a scalar series, see `embedding.embed`) is

    R[i, j] = 1  if ||X_i - X_j|| <= eps,  else 0        (Eckmann, Kamphorst & Ruelle,
                                                          Europhys. Lett. 4, 973 (1987))

in the max (supremum, Chebyshev), Euclidean or Manhattan norm (Marwan, Romano, Thiel &
Kurths, Phys. Rep. 438, 237 (2007), eq. (5)). The comparison is ``<=`` as in Marwan et al.
and RecurrenceAnalysis.jl (pyunicorn uses a strict ``<``); for the Euclidean norm it is made
on squared distances, ``sum_k (X_ik - X_jk)^2 <= eps^2``.

* cross recurrence (Zbilut, Giuliani & Webber 1998; Marwan & Kurths 2002):
  ``CR[i, j] = ||X_i - Y_j|| <= eps`` for two sets in the same space (lengths may differ);
* joint recurrence (Romano, Thiel, Kurths & von Bloh, Phys. Lett. A 330, 214 (2004)):
  ``JR[i, j] = R^x[i, j] * R^y[i, j]``, the element-wise AND of two recurrence matrices of
  equally long series (each may live in its own space and have its own threshold).

Thresholds: either a fixed ``eps`` or a fixed recurrence rate ``recurrence_rate``, for
which eps is the RR-quantile of the pairwise distances (`recurrence_threshold`). The
quantile is exact (all admissible pairs) when there are at most ``max_pairs`` pairs and
otherwise estimated from ``max_pairs`` pairs drawn uniformly at random with ``seed``; the
relative error of the resulting RR is then about ``sqrt((1 - RR) / (RR * max_pairs))``
(0.4 % for RR = 5 % and the default 10^6 pairs).

Storage: ``scipy.sparse`` CSR boolean matrices built from ``cKDTree.query_pairs`` /
``sparse_distance_matrix`` (never a dense N x N array). Memory is proportional to the
number of recurrences; for RQA of long series use `dynstab.timeseries.rqa`, whose
streaming kernel never stores the matrix at all. The candidate pairs of the tree are
re-checked with the same compiled predicate as the RQA kernel, so both paths see exactly
the same matrix, bit for bit.

Recurrence networks (Marwan, Donges, Zou, Donner & Kurths, Phys. Lett. A 373, 4246 (2009);
Donner, Zou, Donges, Marwan & Kurths, New J. Phys. 12, 033025 (2010)): the adjacency
matrix is ``A = R - I`` (the recurrence matrix without the line of identity), an undirected
unweighted graph whose transitivity and average path length characterise the geometry of
the attractor (`recurrence_network`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from ..limits import check_allocation, max_memory_bytes
from ..validation import as_float, as_int, as_positive_float, as_series
from .embedding import embed

__all__ = [
    "RecurrenceMatrix",
    "RecurrenceNetwork",
    "cross_recurrence_matrix",
    "joint_recurrence_matrix",
    "recurrence_matrix",
    "recurrence_network",
    "recurrence_threshold",
]

# Norm codes used by the compiled predicate: 0 max (supremum), 1 Euclidean, 2 Manhattan.
_NORMS = {
    "max": 0,
    "supremum": 0,
    "chebyshev": 0,
    "maximum": 0,
    "inf": 0,
    "euclidean": 1,
    "l2": 1,
    "manhattan": 2,
    "cityblock": 2,
    "taxicab": 2,
    "l1": 2,
}
NORM_NAMES = ("max", "euclidean", "manhattan")
_TREE_P = (np.inf, 2.0, 1.0)
_MIN_POINTS = 3  # fewest (embedded) points a recurrence matrix is built from
MAX_PAIRS = 1_000_000  # default: pairs used to find the threshold for a fixed recurrence rate
_BYTES_PER_RECURRENCE = 48  # building a sparse matrix: candidate pairs, exact filter, COO -> CSR
_DRAW = 1 << 16  # pairs drawn per block when sampling distances for a threshold


# ---------------------------------------------------------------------------- predicate
# Hand-written numba loops instead of JAX: the RQA sweep is a branchy run-length state
# machine over ~N^2/2 pairs with scatter into histograms; XLA on CPU would either
# materialise the pairs (quadratic memory) or run a slow scatter per step. The same
# predicate is used here, so the sparse matrices and the streaming RQA agree exactly.
@njit(cache=True, nogil=True)
def is_recurrent(A, i, B, j, eps, norm):
    """||A[i] - B[j]|| <= eps in the chosen norm (squared comparison for Euclidean)."""
    d = A.shape[1]
    if norm == 0:
        for k in range(d):
            if abs(A[i, k] - B[j, k]) > eps:
                return False
        return True
    s = 0.0
    if norm == 1:
        e2 = eps * eps
        for k in range(d):
            t = A[i, k] - B[j, k]
            s += t * t
            if s > e2:
                return False
        return True
    for k in range(d):
        s += abs(A[i, k] - B[j, k])
        if s > eps:
            return False
    return True


@njit(cache=True, nogil=True)
def _distance(A, i, B, j, norm):
    d = A.shape[1]
    s = 0.0
    if norm == 0:
        for k in range(d):
            t = abs(A[i, k] - B[j, k])
            if t > s:
                s = t
        return s
    if norm == 1:
        for k in range(d):
            t = A[i, k] - B[j, k]
            s += t * t
        return np.sqrt(s)
    for k in range(d):
        s += abs(A[i, k] - B[j, k])
    return s


@njit(cache=True, nogil=True)
def _filter_pairs(A, B, I, J, eps, norm):
    out = np.empty(I.size, dtype=np.bool_)
    for n in range(I.size):
        out[n] = is_recurrent(A, I[n], B, J[n], eps, norm)
    return out


@njit(cache=True, nogil=True)
def _pair_distances(A, B, I, J, norm):
    out = np.empty(I.size)
    for n in range(I.size):
        out[n] = _distance(A, I[n], B, J[n], norm)
    return out


@njit(cache=True, nogil=True)
def _all_distances(A, B, symmetric, w, norm):
    """Distances of all admissible pairs: i < j, j - i >= max(w, 1) (symmetric) or |i - j| >= w."""
    N, M = A.shape[0], B.shape[0]
    out = np.empty(_count_pairs(N, M, symmetric, w))
    n = 0
    for i in range(N):
        j0 = i + max(w, 1) if symmetric else 0
        for j in range(j0, M):
            if not symmetric and abs(i - j) < w:
                continue
            out[n] = _distance(A, i, B, j, norm)
            n += 1
    return out


@njit(cache=True)
def _count_pairs(N, M, symmetric, w):
    if symmetric:
        k = N - max(w, 1)
        return k * (k + 1) // 2 if k > 0 else 0
    return N * M - window_cells(N, M, w)


@njit(cache=True)
def window_cells(N, M, w):
    """Number of cells (i, j) of an N x M matrix with |i - j| < w."""
    c = 0
    for d in range(-(w - 1), w):
        lo = max(0, -d)
        hi = min(N, M - d)
        if hi > lo:
            c += hi - lo
    return c


# --------------------------------------------------------------------------- validation
def _norm_code(norm) -> int:
    code = _NORMS.get(str(norm).lower())
    if code is None:
        raise ValueError(f"unknown norm {norm!r}: use 'max' (supremum), 'euclidean' or 'manhattan'")
    return code


def _points(x, dim=1, tau=1, name: str = "x") -> np.ndarray:
    """Validated C-contiguous float (N, d) array of (embedded) points."""
    if isinstance(x, (RecurrenceMatrix, sparse.spmatrix, sparse.sparray)):
        raise TypeError(f"{name} must be data (a series or an (N, d) array of points), not a recurrence matrix")
    a = as_series(x, name=name, allow_2d=True, min_length=1)
    dim = as_int(dim, name="dim", minimum=1)
    tau = as_int(tau, name="tau", minimum=1)
    if dim > 1:
        pts = embed(a, dim, tau)  # clear errors for constant / too short series
    else:
        pts = a[:, None] if a.ndim == 1 else a
    if pts.shape[0] < _MIN_POINTS:
        raise ValueError(
            f"{name} gives {pts.shape[0]} points (N - (dim-1)*tau with N = {a.shape[0]}, dim = {dim}, "
            f"tau = {tau}); need at least {_MIN_POINTS}: use a longer series or a smaller dim or tau"
        )
    if np.all(np.ptp(pts, axis=0) == 0):
        raise ValueError(
            f"{name} is constant: all pairwise distances are 0, so every pair of points is recurrent "
            "(RR = 1) and recurrence measures carry no information"
        )
    return np.ascontiguousarray(pts, dtype=np.float64)


# --------------------------------------------------------------------------- threshold
def _threshold(A, B, rr, norm, symmetric, w, max_pairs, seed) -> float:
    """eps giving recurrence rate rr over the admissible cells (see recurrence_threshold)."""
    N, M = A.shape[0], B.shape[0]
    total = int(_count_pairs(N, M, symmetric, w))
    if total < 1:
        raise ValueError(f"theiler={w} leaves no admissible pair among {N} points; lower theiler")
    if symmetric:
        # RR counts both triangles; with w = 0 the N self-recurrences of the diagonal count too
        cells = N * N if w == 0 else 2 * total
        target = (rr * cells - (N if w == 0 else 0)) / 2.0
        if target <= 0:
            raise ValueError(
                f"recurrence_rate={rr} is below what the line of identity alone gives with theiler=0 "
                f"(1/N = {1 / N:.3g}); use a larger rate or theiler >= 1"
            )
        q = target / total
    else:
        q = rr
    max_pairs = as_int(max_pairs, name="max_pairs", minimum=1)
    check_allocation(
        8.0 * min(total, max_pairs),
        f"the distances of {min(total, max_pairs)} pairs for the recurrence threshold",
        "lower max_pairs",
    )
    if total <= max_pairs:
        d = _all_distances(A, B, symmetric, w, norm)
    else:
        # uniform over admissible pairs by rejection, drawn in blocks (a few MB at a time)
        rng = np.random.default_rng(seed)
        d = np.empty(max_pairs)
        got = 0
        while got < max_pairs:
            need = min(max_pairs - got, _DRAW)
            i = rng.integers(0, N, size=2 * need + 16)
            j = rng.integers(0, M, size=2 * need + 16)
            if symmetric:
                i, j = np.minimum(i, j), np.maximum(i, j)
                ok = (j - i) >= max(w, 1)
            else:
                ok = np.abs(i - j) >= w
            i, j = i[ok][:need], j[ok][:need]
            d[got : got + i.size] = _pair_distances(A, B, i, j, norm)
            got += i.size
    k = min(max(int(np.ceil(q * d.size)), 1), d.size)
    d.partition(k - 1)  # in place: no second copy of the distances
    eps = float(d[k - 1])
    if eps <= 0:
        raise ValueError(
            f"recurrence_rate={rr} gives eps = 0 (more than that fraction of pairs coincide exactly); "
            "use a larger rate or a fixed eps"
        )
    if norm == 1:  # the predicate compares squared distances: keep the quantile pair itself recurrent
        eps = float(np.nextafter(eps, np.inf))
    return eps


def recurrence_threshold(
    x,
    recurrence_rate: float,
    *,
    y=None,
    dim: int = 1,
    tau: int = 1,
    norm: str = "max",
    theiler: int = 1,
    max_pairs: int = MAX_PAIRS,
    seed: int = 0,
) -> float:
    """Threshold eps that gives the recurrence rate ``recurrence_rate`` (a distance quantile).

    For a recurrence matrix (``y=None``) with Theiler window ``w`` the admissible cells are
    ``|i - j| >= w`` and ``RR = #{admissible (i, j): ||X_i - X_j|| <= eps} / #admissible``;
    eps is the ``q``-quantile of the distances of the pairs ``i < j, j - i >= max(w, 1)`` with
    ``q = RR`` (for ``w = 0`` the ``N`` diagonal self-recurrences are accounted for:
    ``q = (RR N^2 - N) / (N (N - 1))``). For a cross-recurrence matrix (``y`` given) all
    ``N x M`` cells outside ``|i - j| < w`` count (default window 0 there is the caller's job:
    pass ``theiler=0``). Marwan et al., Phys. Rep. 438, 237 (2007), sec. 3.2.1.

    Exact when there are at most ``max_pairs`` admissible pairs, otherwise the quantile of
    ``max_pairs`` pairs drawn uniformly with ``seed`` (relative RR error about
    ``sqrt((1 - RR) / (RR max_pairs))``). Pairs at exactly the quantile distance all count
    as recurrent, so ties (frequent for delay vectors under the max norm, whose pairs share
    coordinate differences) can raise RR by a few cells. Raises ValueError for a rate outside (0, 1), bad
    data (NaN/inf, constant, too short), or an unknown norm.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
        A scalar series (embedded with ``dim``, ``tau``) or points in time order.
    recurrence_rate : float
        Target rate, in (0, 1).
    y : array_like, optional
        Second series, for a cross-recurrence threshold.
    dim : int, default 1
        Embedding dimension.
    tau : int, default 1
        Delay in samples.
    norm : {"max", "euclidean", "manhattan"}, default "max"
        The norm of the distances.
    theiler : int, default 1
        Theiler window w.
    max_pairs : int, default MAX_PAIRS
        Most distances computed for a rate threshold (a random sample beyond).
    seed : int, default 0
        Seed of that sample.

    Returns
    -------
    float
        The threshold eps.

    References
    ----------
    Marwan, Romano, Thiel & Kurths, Phys. Rep. 438, 237 (2007) (fixed recurrence rate).
    """
    rr = as_float(recurrence_rate, name="recurrence_rate", minimum=0.0, maximum=1.0, inclusive="neither")
    code = _norm_code(norm)
    A = _points(x, dim, tau)
    w = as_int(theiler, name="theiler", minimum=0)
    if y is None:
        return _threshold(A, A, rr, code, True, w, max_pairs, seed)
    B = _points(y, dim, tau, name="y")
    _same_space(A, B)
    return _threshold(A, B, rr, code, False, w, max_pairs, seed)


def _same_space(A, B):
    if A.shape[1] != B.shape[1]:
        raise ValueError(
            f"x and y must live in the same space for cross recurrence: x has {A.shape[1]} "
            f"coordinate(s) per point, y has {B.shape[1]}; embed both with the same dim"
        )


def _resolve_eps(A, B, eps, recurrence_rate, code, symmetric, w, max_pairs, seed) -> float:
    if (eps is None) == (recurrence_rate is None):
        raise ValueError("give exactly one of eps (fixed threshold) or recurrence_rate (fixed rate)")
    if eps is not None:
        return as_positive_float(eps, name="eps")
    return _threshold(
        A,
        B,
        as_float(recurrence_rate, name="recurrence_rate", minimum=0.0, maximum=1.0, inclusive="neither"),
        code,
        symmetric,
        w,
        max_pairs,
        seed,
    )


# Validated inputs of the auto / cross / joint entry points (the matrix builders here and
# the RQA functions in rqa.py): norm code, embedded point sets and threshold(s).
def auto_inputs(x, eps, recurrence_rate, dim, tau, norm, w, max_pairs, seed):
    """(code, A, eps) for an auto-recurrence matrix with Theiler window w."""
    code = _norm_code(norm)
    A = _points(x, dim, tau)
    return code, A, _resolve_eps(A, A, eps, recurrence_rate, code, True, w, max_pairs, seed)


def cross_inputs(x, y, eps, recurrence_rate, dim, tau, norm, w, max_pairs, seed):
    """(code, A, B, eps) for a cross-recurrence matrix with Theiler window w."""
    code = _norm_code(norm)
    A = _points(x, dim, tau)
    B = _points(y, dim, tau, name="y")
    _same_space(A, B)
    return code, A, B, _resolve_eps(A, B, eps, recurrence_rate, code, False, w, max_pairs, seed)


def joint_inputs(x, y, eps, recurrence_rate, dim, tau, norm, w, max_pairs, seed):
    """(code, A, C, eps_x, eps_y) for a joint recurrence matrix with Theiler window w."""
    code = _norm_code(norm)
    A = _points(x, dim, tau)
    C = _points(y, dim, tau, name="y")
    if A.shape[0] != C.shape[0]:
        raise ValueError(
            f"joint recurrence needs equally long series: x gives {A.shape[0]} points, y gives {C.shape[0]}"
        )
    ex, ey = _joint_eps(eps)
    ex = _resolve_eps(A, A, ex, recurrence_rate, code, True, w, max_pairs, seed)
    ey = _resolve_eps(C, C, ey, recurrence_rate, code, True, w, max_pairs, seed + 1)
    return code, A, C, ex, ey


# ------------------------------------------------------------------------------ matrices
@dataclass(frozen=True, eq=False)
class RecurrenceMatrix:
    """A sparse (CSR, boolean) recurrence matrix and how it was made.

    ``kind`` is ``'auto'`` (symmetric, with the line of identity), ``'cross'`` (N x M) or
    ``'joint'``; ``eps`` is the threshold (a tuple ``(eps_x, eps_y)`` for joint matrices).
    ``points`` holds the (embedded) point sets, so that `rqa` can rebuild nothing.

    Parameters
    ----------
    matrix : scipy.sparse.csr_matrix
        Boolean recurrences.
    eps : float or tuple of float
        Threshold (a pair for joint matrices).
    norm : str
        The norm used.
    kind : str
        "auto", "cross" or "joint".
    points : tuple
        The (embedded) point sets.
    """

    matrix: sparse.csr_matrix
    eps: float | tuple
    norm: str
    kind: str
    points: tuple = ()

    @property
    def shape(self) -> tuple[int, int]:
        """Shape ``(N, M)`` of the matrix."""
        return self.matrix.shape

    @property
    def n_recurrences(self) -> int:
        """Number of recurrent cells (line of identity included)."""
        return int(self.matrix.nnz)

    @property
    def recurrence_rate(self) -> float:
        """nnz / (N M), the line of identity included (no Theiler window; see `rqa` for RR with one)."""
        n, m = self.matrix.shape
        return self.matrix.nnz / (n * m)

    def toarray(self) -> np.ndarray:
        """Dense boolean copy (only for small matrices).

        Returns
        -------
        numpy.ndarray of bool, shape (N, M)
            The matrix.

        Raises
        ------
        dynstab.limits.AllocationError
            If N x M bytes exceed the memory limit (`dynstab.limits`).
        """
        n, m = self.matrix.shape
        check_allocation(
            float(n) * m,
            f"the dense recurrence matrix ({n} x {m} booleans)",
            "keep it sparse (.matrix) or use fewer points",
        )
        return self.matrix.toarray()

    def __array__(self, dtype=None, copy=None):
        a = self.toarray()
        return a if dtype is None else a.astype(dtype)

    def plot(self, ax=None, markersize: float = 0.5):
        """Recurrence plot: black dots at recurrent (i, j), i up the vertical axis.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (default: a new figure).
        markersize : float, default 0.5
            Size of the dots.

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 5)) if ax is None else (ax.figure, ax)
        coo = self.matrix.tocoo()
        ax.plot(coo.col, coo.row, ",k" if markersize < 1 else ".k", ms=markersize)
        n, m = self.shape
        ax.set_xlim(-0.5, m - 0.5)
        ax.set_ylim(-0.5, n - 0.5)
        ax.set_aspect("equal")
        ax.set_xlabel("j")
        ax.set_ylabel("i")
        eps = self.eps if not isinstance(self.eps, tuple) else ", ".join(f"{e:.3g}" for e in self.eps)
        ax.set_title(f"{self.kind} recurrence plot ({self.norm} norm, eps = {eps})")
        return fig


def sparse_recurrences(A, B, eps, code, symmetric) -> sparse.csr_matrix:
    """CSR boolean matrix of ||A_i - B_j|| <= eps via cKDTree candidates + exact predicate."""
    N, M = A.shape[0], B.shape[0]
    r = eps * (1.0 + 1e-9) + 1e-300  # inflated: the tree only proposes, the predicate decides
    p = _TREE_P[code]
    tree = cKDTree(A)
    other = tree if symmetric else cKDTree(B)
    if float(N) * M * _BYTES_PER_RECURRENCE > max_memory_bytes():  # could be too many: count first
        count = int(tree.count_neighbors(other, r, p=p))
        check_allocation(
            float(count) * _BYTES_PER_RECURRENCE,
            f"the recurrence matrix ({count} recurrences among {N} x {M} pairs at eps = {eps:.4g})",
            "use fewer points, a smaller eps or recurrence rate, or rqa (which streams without a matrix)",
        )
    if symmetric:
        pairs = tree.query_pairs(r, p=p, output_type="ndarray")
        I = np.ascontiguousarray(pairs[:, 0], dtype=np.int64)
        J = np.ascontiguousarray(pairs[:, 1], dtype=np.int64)
        keep = _filter_pairs(A, A, I, J, eps, code)
        I, J = I[keep], J[keep]
        diag = np.arange(N, dtype=np.int64)
        rows = np.concatenate([I, J, diag])
        cols = np.concatenate([J, I, diag])
    else:
        sd = tree.sparse_distance_matrix(other, r, p=p, output_type="ndarray")
        I = np.ascontiguousarray(sd["i"], dtype=np.int64)
        J = np.ascontiguousarray(sd["j"], dtype=np.int64)
        keep = _filter_pairs(A, B, I, J, eps, code)
        rows, cols = I[keep], J[keep]
    data = np.ones(rows.size, dtype=bool)
    mat = sparse.csr_matrix((data, (rows, cols)), shape=(N, M))
    mat.sum_duplicates()
    mat.sort_indices()
    return mat


def recurrence_matrix(
    x,
    eps: float | None = None,
    *,
    recurrence_rate: float | None = None,
    dim: int = 1,
    tau: int = 1,
    norm: str = "max",
    theiler: int = 1,
    max_pairs: int = MAX_PAIRS,
    seed: int = 0,
) -> RecurrenceMatrix:
    """Recurrence matrix ``R[i, j] = ||X_i - X_j|| <= eps`` of a series, sparse (CSR).

    ``x``: a scalar series (embedded with ``dim``, ``tau``, forward delays as `embed`) or an
    (N, d) array of points (used as is when ``dim = 1``; embedded variable by variable when
    ``dim > 1``). Give either ``eps`` (fixed threshold) or ``recurrence_rate`` (eps from the
    distance quantile of `recurrence_threshold`; the rate is defined over the cells outside
    the Theiler window ``theiler``, by default the line of identity). ``norm``: ``'max'``
    (supremum), ``'euclidean'`` or ``'manhattan'``. The matrix keeps the line of identity;
    the Theiler window is applied by the measures (`rqa`).

    Eckmann, Kamphorst & Ruelle, Europhys. Lett. 4, 973 (1987); Marwan et al., Phys. Rep.
    438, 237 (2007). Raises ValueError/TypeError for NaN/inf, constant or too short data,
    eps <= 0, a rate outside (0, 1), both or neither of eps and recurrence_rate.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
        A scalar series (embedded with ``dim``, ``tau``) or points in time order.
    eps : float, optional
        Fixed threshold, > 0 (give either this or ``recurrence_rate``).
    recurrence_rate : float, optional
        Target recurrence rate in (0, 1); eps is the matching distance quantile.
    dim : int, default 1
        Embedding dimension.
    tau : int, default 1
        Delay in samples.
    norm : {"max", "euclidean", "manhattan"}, default "max"
        The norm of the distances.
    theiler : int, default 1
        Theiler window of the rate (cells with |i - j| < theiler are left out of it).
    max_pairs : int, default MAX_PAIRS
        Most distances computed for a rate threshold (a random sample beyond).
    seed : int, default 0
        Seed of that sample.

    Returns
    -------
    RecurrenceMatrix
        The sparse matrix and its settings.

    References
    ----------
    Eckmann, Kamphorst & Ruelle, Europhys. Lett. 4, 973 (1987); Marwan et al., Phys. Rep.
    438, 237 (2007).
    """
    w = as_int(theiler, name="theiler", minimum=0)
    code, A, e = auto_inputs(x, eps, recurrence_rate, dim, tau, norm, w, max_pairs, seed)
    return RecurrenceMatrix(sparse_recurrences(A, A, e, code, True), e, NORM_NAMES[code], "auto", (A,))


def cross_recurrence_matrix(
    x,
    y,
    eps: float | None = None,
    *,
    recurrence_rate: float | None = None,
    dim: int = 1,
    tau: int = 1,
    norm: str = "max",
    max_pairs: int = MAX_PAIRS,
    seed: int = 0,
) -> RecurrenceMatrix:
    """Cross-recurrence matrix ``CR[i, j] = ||X_i - Y_j|| <= eps`` (N x M, sparse CSR).

    Both series are embedded with the same ``dim`` and ``tau`` and must give points of the
    same dimension (lengths may differ). ``recurrence_rate`` fixes eps as the quantile of all
    N x M distances. Zbilut, Giuliani & Webber, Phys. Lett. A 246, 122 (1998); Marwan &
    Kurths, Phys. Lett. A 302, 299 (2002). Errors as `recurrence_matrix`.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
        A scalar series (embedded with ``dim``, ``tau``) or points in time order.
    y : array_like, shape (M,) or (M, d)
        The second series, in the same space after embedding.
    eps : float, optional
        Fixed threshold, > 0 (give either this or ``recurrence_rate``).
    recurrence_rate : float, optional
        Target recurrence rate in (0, 1); eps is the matching distance quantile.
    dim : int, default 1
        Embedding dimension.
    tau : int, default 1
        Delay in samples.
    norm : {"max", "euclidean", "manhattan"}, default "max"
        The norm of the distances.
    max_pairs : int, default MAX_PAIRS
        Most distances computed for a rate threshold (a random sample beyond).
    seed : int, default 0
        Seed of that sample.

    Returns
    -------
    RecurrenceMatrix
        The N x M sparse matrix (kind "cross").
    """
    code, A, B, e = cross_inputs(x, y, eps, recurrence_rate, dim, tau, norm, 0, max_pairs, seed)
    return RecurrenceMatrix(sparse_recurrences(A, B, e, code, False), e, NORM_NAMES[code], "cross", (A, B))


def joint_recurrences(A, C, ex, ey, code) -> sparse.csr_matrix:
    """CSR boolean joint recurrence matrix R^A(ex) AND R^C(ey) (same N)."""
    rx = sparse_recurrences(A, A, ex, code, True)
    ry = sparse_recurrences(C, C, ey, code, True)
    jr = sparse.csr_matrix(rx.multiply(ry), dtype=bool)
    jr.eliminate_zeros()
    jr.sort_indices()
    return jr


def _joint_eps(eps):
    if eps is None:
        return None, None
    if np.ndim(eps) == 0:
        return eps, eps
    e = tuple(eps)
    if len(e) != 2:
        raise ValueError(f"eps for joint recurrence must be a number or a pair (eps_x, eps_y), got {eps!r}")
    return e


def joint_recurrence_matrix(
    x,
    y,
    eps=None,
    *,
    recurrence_rate: float | None = None,
    dim: int = 1,
    tau: int = 1,
    norm: str = "max",
    theiler: int = 1,
    max_pairs: int = MAX_PAIRS,
    seed: int = 0,
) -> RecurrenceMatrix:
    """Joint recurrence matrix ``JR = R^x AND R^y`` of two equally long series (sparse CSR).

    ``eps``: one threshold for both or a pair ``(eps_x, eps_y)``; ``recurrence_rate`` sets
    each component matrix to that rate (as RecurrenceAnalysis.jl; the joint rate is lower).
    x and y may have different numbers of variables. Romano, Thiel, Kurths & von Bloh, Phys.
    Lett. A 330, 214 (2004). Raises ValueError if the embedded lengths differ.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
        A scalar series (embedded with ``dim``, ``tau``) or points in time order.
    y : array_like, shape (N,) or (N, d')
        The second series, as long as ``x`` after embedding.
    eps : float or tuple of float, optional
        One threshold or ``(eps_x, eps_y)``.
    recurrence_rate : float, optional
        Rate of each component matrix, in (0, 1).
    dim : int, default 1
        Embedding dimension.
    tau : int, default 1
        Delay in samples.
    norm : {"max", "euclidean", "manhattan"}, default "max"
        The norm of the distances.
    theiler : int, default 1
        Theiler window of the rate.
    max_pairs : int, default MAX_PAIRS
        Most distances computed for a rate threshold (a random sample beyond).
    seed : int, default 0
        Seed of that sample.

    Returns
    -------
    RecurrenceMatrix
        The sparse matrix (kind "joint").
    """
    w = as_int(theiler, name="theiler", minimum=0)
    code, A, C, ex, ey = joint_inputs(x, y, eps, recurrence_rate, dim, tau, norm, w, max_pairs, seed)
    return RecurrenceMatrix(joint_recurrences(A, C, ex, ey, code), (ex, ey), NORM_NAMES[code], "joint", (A, C))


# ------------------------------------------------------------------------------ networks
@dataclass(frozen=True, eq=False)
class RecurrenceNetwork:
    """A recurrence network (``A = R - I``) and its global measures.

    ``transitivity`` = 3 x triangles / connected triples; ``global_clustering`` = mean local
    clustering coefficient (nodes with degree < 2 count as 0, as networkx/igraph 'zero');
    ``average_path_length`` = mean shortest-path length over the ordered pairs ``i != j``
    joined by a path (pairs in different components are left out, as pyunicorn/igraph);
    ``n_components`` tells whether that happened.

    Parameters
    ----------
    adjacency : scipy.sparse.csr_matrix
        Boolean adjacency ``A = R - I``.
    degree : numpy.ndarray of int
        Degree of each node.
    edge_density : float
        rho.
    transitivity : float
        T.
    global_clustering : float
        C.
    average_path_length : float
        L.
    n_components : int
        Connected components.
    eps : float or tuple of float
        Threshold of the recurrence matrix (a pair for a joint matrix).
    """

    adjacency: sparse.csr_matrix
    degree: np.ndarray
    edge_density: float
    transitivity: float
    global_clustering: float
    average_path_length: float
    n_components: int
    eps: float | tuple

    @property
    def n_nodes(self) -> int:
        """Number of nodes N (points)."""
        return self.adjacency.shape[0]

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return int(self.adjacency.nnz // 2)

    def to_dict(self) -> dict:
        """The global measures as a plain dict (for JSON reports).

        Returns
        -------
        dict
            The measures by name.
        """
        return {
            "n_nodes": self.n_nodes,
            "n_edges": self.n_edges,
            "edge_density": self.edge_density,
            "transitivity": self.transitivity,
            "global_clustering": self.global_clustering,
            "average_path_length": self.average_path_length,
            "n_components": self.n_components,
            "eps": self.eps,
        }


def _triangles(adj: sparse.csr_matrix, chunk_nnz: int = 20_000_000) -> np.ndarray:
    """Per node: 2 x number of triangles through it, i.e. (A^2 o A) row sums, in row chunks."""
    n = adj.shape[0]
    out = np.zeros(n)
    deg = np.diff(adj.indptr)
    step = max(1, int(chunk_nnz // max(1, int(deg.max(initial=1)) ** 2)))
    for s in range(0, n, step):
        block = adj[s : s + step]
        out[s : s + step] = np.asarray((block @ adj).multiply(block).sum(axis=1)).ravel()
    return out


def _path_stats(adj: sparse.csr_matrix, chunk_cells: int = 4_000_000) -> tuple[float, float]:
    """(sum, count) of finite shortest-path lengths over ordered pairs i != j (BFS in chunks)."""
    n = adj.shape[0]
    step = max(1, chunk_cells // n)
    total, count = 0.0, 0
    for s in range(0, n, step):
        d = csgraph.shortest_path(adj, directed=False, unweighted=True, indices=np.arange(s, min(s + step, n)))
        fin = np.isfinite(d) & (d > 0)
        total += float(d[fin].sum())
        count += int(fin.sum())
    return total, count


def recurrence_network(
    x,
    eps: float | None = None,
    *,
    recurrence_rate: float | None = None,
    dim: int = 1,
    tau: int = 1,
    norm: str = "max",
    max_pairs: int = MAX_PAIRS,
    seed: int = 0,
) -> RecurrenceNetwork:
    """Recurrence network of a series (or of an auto `RecurrenceMatrix`): ``A = R - I``.

    Measures (Marwan et al., Phys. Lett. A 373, 4246 (2009); Donner et al., New J. Phys. 12,
    033025 (2010)), with degrees ``k_i`` and ``t_i = (A^3)_ii`` (twice the triangles at i):

        edge density        rho = sum_i k_i / (N (N - 1))
        transitivity        T = sum_i t_i / sum_i k_i (k_i - 1)
        global clustering   C = mean_i t_i / (k_i (k_i - 1))   (0 where k_i < 2)
        average path length L = mean of d_ij over ordered pairs i != j with a path

    Shortest paths come from breadth-first searches (``scipy.sparse.csgraph``) in chunks of
    source nodes, so memory stays O(N x chunk); time is O(N x edges): use it for N up to a
    few 10^4. ``recurrence_rate`` is the edge density (up to sampling, see
    `recurrence_threshold`). Errors as `recurrence_matrix`.

    Parameters
    ----------
    x : array_like or RecurrenceMatrix
        A series as in `recurrence_matrix`, or an auto recurrence matrix.
    eps : float, optional
        Fixed threshold, > 0 (give either this or ``recurrence_rate``).
    recurrence_rate : float, optional
        Target recurrence rate in (0, 1); eps is the matching distance quantile.
    dim : int, default 1
        Embedding dimension.
    tau : int, default 1
        Delay in samples.
    norm : {"max", "euclidean", "manhattan"}, default "max"
        The norm of the distances.
    max_pairs : int, default MAX_PAIRS
        Most distances computed for a rate threshold (a random sample beyond).
    seed : int, default 0
        Seed of that sample.

    Returns
    -------
    RecurrenceNetwork
        The adjacency and the measures.
    """
    if isinstance(x, RecurrenceMatrix):
        if x.kind == "cross" or x.shape[0] != x.shape[1]:
            raise ValueError("a recurrence network needs an auto (or joint) recurrence matrix, not a cross one")
        if eps is not None or recurrence_rate is not None:
            raise ValueError("eps/recurrence_rate cannot be given together with a RecurrenceMatrix")
        rm = x
    else:
        rm = recurrence_matrix(
            x, eps, recurrence_rate=recurrence_rate, dim=dim, tau=tau, norm=norm, max_pairs=max_pairs, seed=seed
        )
    adj = sparse.csr_matrix(rm.matrix, dtype=np.float64)
    adj.setdiag(0)
    adj.eliminate_zeros()
    n = adj.shape[0]
    deg = np.diff(adj.indptr).astype(np.int64)
    tri = _triangles(adj)
    triples = deg * (deg - 1.0)
    transitivity = float(tri.sum() / triples.sum()) if triples.sum() > 0 else 0.0
    local = np.divide(tri, triples, out=np.zeros(n), where=triples > 0)
    total, count = _path_stats(adj)
    n_comp = int(csgraph.connected_components(adj, directed=False)[0])
    eps_out = rm.eps
    return RecurrenceNetwork(
        adjacency=sparse.csr_matrix(adj, dtype=bool),
        degree=deg,
        edge_density=float(deg.sum() / (n * (n - 1.0))),
        transitivity=transitivity,
        global_clustering=float(local.mean()),
        average_path_length=float(total / count) if count else float("nan"),
        n_components=n_comp,
        eps=eps_out,
    )
