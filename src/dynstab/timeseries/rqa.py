"""Recurrence quantification analysis (RQA): streaming in O(N) memory, or from a sparse matrix.

Measures (Marwan, Romano, Thiel & Kurths, Phys. Rep. 438, 237 (2007), sec. 3.2; Webber &
Zbilut 2005; definitions and defaults as RecurrenceAnalysis.jl ``src/rqa/rqa.jl``). With
``P(l)`` the number of diagonal lines of length exactly ``l``, ``P(v)`` of vertical lines,
``P(w)`` of white vertical lines (recurrence times), all counted on the full matrix (both
triangles) outside the Theiler window, and ``n_rec`` the recurrent cells outside it:

    RR    = n_rec / (cells outside the window)
    DET   = sum_{l >= lmin} l P(l) / n_rec
    L     = sum_{l >= lmin} l P(l) / sum_{l >= lmin} P(l)        Lmax = longest line >= lmin
    DIV   = 1 / Lmax
    ENTR  = -sum_{l >= lmin} p(l) ln p(l),  p(l) = P(l) / sum_{l >= lmin} P(l)
    LAM, TT, Vmax, VENTR: the same with vertical lines and vmin
    MRT   = mean white vertical line length (>= wmin),  RTE = its Shannon entropy (nats),
    NMPRT = the count of the most probable recurrence time (Ngamga et al., PRE 75, 036222 (2007))
    TREND = 1000 sum_d delta_d (RR_d - <RR_d>) / sum_d delta_d^2,  delta_d = d - (b + theiler)/2,
            over the diagonals d = 1 + theiler .. b = N - border (1-based, RR_d the rate of
            diagonal d - 1 from the line of identity), exactly as RecurrenceAnalysis.jl
            ``_trend`` (its test ``rqa_rna_analytic.jl``: TREND = -17.9 with theiler = 2,
            border = 1). The distance delta_d is balanced over the diagonals left outside the
            Theiler window; for theiler = 0 it is d - b/2.

Empty histograms give L = Lmax = TT = Vmax = MRT = 0, DIV = inf and ENTR = VENTR = RTE =
NaN (as RecurrenceAnalysis.jl); DET = LAM = 0 when nothing is recurrent.

Theiler window and line of identity (LOI), as RecurrenceAnalysis.jl: ``theiler = w``
excludes the cells ``|i - j| < w``. ``w = 0`` keeps everything (for an auto-recurrence
matrix the LOI is then one diagonal line of length N); ``w = 1`` (default for auto and
joint recurrence) excludes the LOI only; cross recurrence defaults to ``w = 0``.
Excluded cells count as non-recurrent for black lines, which therefore stop at the window.
White vertical lines (recurrence times) are the runs of non-recurrent cells *between two
recurrent cells of the same column*: runs that touch the border of the matrix or the
Theiler window are censored (not counted), because their true length is unknown. With
``w = 0`` the (recurrent) LOI bounds the runs next to it.

Definitional differences to peers (the test suite checks the coinciding cases):

* pyunicorn ``RecurrencePlot``: recurrence is ``d < eps`` (strict; here ``<=``); RR is
  ``sum R / N^2`` including the LOI (here: ``theiler=0``); diagonal lines skip the LOI
  (here: ``theiler=1``) while vertical and white lines use the whole matrix including the
  LOI (here: ``theiler=0``); there is no Theiler window option (pyunicorn issue #200);
  white vertical lines include the runs at the matrix borders (here censored: subtract
  them to compare); its ``max_diaglength``/``max_vertlength`` are over all lines (here
  over lines >= lmin/vmin); denominators carry ``+1e-8``; log base e in both.
* RecurrenceAnalysis.jl: same RR/DET/L/ENTR/LAM/TT/Vmax/VENTR/TREND definitions, except
  that RR of a cross-recurrence matrix always uses the full size N M in the denominator
  (here the cells outside the window, identical for the default ``theiler=0``); its
  recurrence times are distances between the midpoints of consecutive vertical lines,
  which equal the white-line lengths used here (PyRQA, pyunicorn, Ngamga et al. 2007)
  only when the bounding vertical lines are single points.

Algorithms. ``method='stream'`` (default for data): one sweep over the diagonals of the
upper triangle (the matrix is symmetric; cross recurrence sweeps all N + M - 1 diagonals),
computing each distance on the fly with early exit, keeping one run length per diagonal
and, per column, the last recurrent position and the current vertical run for the half
above and the half below the diagonal (each half-column is visited in monotone order of
its distance from the LOI). Memory is O(N) (a few arrays of N integers plus the three
histograms); time is O(N^2) distance checks. ``method='matrix'`` builds the sparse
recurrence matrix (`recurrence.recurrence_matrix`) and counts runs with numpy; both paths
give identical histograms and measures (same compiled recurrence predicate).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numba import njit
from scipy import sparse

from ..validation import as_finite_array, as_int
from .recurrence import (
    MAX_PAIRS,
    NORM_NAMES,
    RecurrenceMatrix,
    auto_inputs,
    cross_inputs,
    is_recurrent,
    joint_inputs,
    joint_recurrences,
    sparse_recurrences,
    window_cells,
)

__all__ = ["MEASURES", "RQA", "WindowedRQA", "cross_rqa", "joint_rqa", "rqa", "windowed_rqa"]

MEASURES = ("RR", "DET", "L", "Lmax", "DIV", "ENTR", "LAM", "TT", "Vmax", "VENTR", "MRT", "RTE", "NMPRT", "TREND")


# --------------------------------------------------------------------------- kernels
# numba, not JAX: the sweep is a data-dependent run-length state machine over ~N^2/2
# cells that scatters into histograms; on CPU, XLA either needs the N^2 cells in memory or
# a scatter per step inside lax.scan, both far slower than this loop (which does ~1 ns
# per cell with the early-exit distance check).
@njit(cache=True, nogil=True)
def _flush(run, last, loi_join, first, j, hv):
    """Close the vertical run of a half-column (the LOI run is kept aside when joined)."""
    if run > 0:
        if loi_join and last - run + 1 == 0:
            first[j] = run
        else:
            hv[run] += 1


@njit(cache=True, nogil=True)
def _sweep_auto(A, C, ea, ec, joint, norm, w):
    """Histograms of a symmetric (auto or joint) recurrence matrix of N points, O(N) memory.

    Returns (hd, hv, hw, tr, n_rec): diagonal, vertical and white-vertical line-length
    histograms over the full matrix outside |i - j| < w, tr[d] = recurrent cells on the
    diagonals +d and -d (LOI: tr[0] = N), and the number of recurrent cells outside the window.
    """
    N = A.shape[0]
    hd = np.zeros(N + 1, np.int64)
    hv = np.zeros(N + 1, np.int64)
    hw = np.zeros(N + 1, np.int64)
    tr = np.zeros(N, np.int64)
    tr[0] = N
    loi = w == 0
    # per column j: half above the LOI (rows j - k) and half below (rows j + k), position k
    up_last = np.full(N, 0 if loi else -2, np.int64)
    dn_last = np.full(N, 0 if loi else -2, np.int64)
    up_run = np.full(N, 1 if loi else 0, np.int64)
    dn_run = np.full(N, 1 if loi else 0, np.int64)
    up_first = np.ones(N, np.int64)
    dn_first = np.ones(N, np.int64)
    n_rec = N if loi else 0
    for k in range(max(w, 1), N):
        run = 0
        c = 0
        for i in range(N - k):
            j = i + k
            # (written out: a helper taking the two extra arrays was not inlined and ran 10x slower)
            if is_recurrent(A, i, A, j, ea, norm) and (not joint or is_recurrent(C, i, C, j, ec, norm)):
                run += 1
                c += 1
                # column j, upper half, position k (row i)
                L = up_last[j]
                if L == k - 1:
                    up_run[j] += 1
                else:
                    _flush(up_run[j], L, loi, up_first, j, hv)
                    if L >= 0:
                        hw[k - L - 1] += 1
                    up_run[j] = 1
                up_last[j] = k
                # column i, lower half, position k (row j)
                L = dn_last[i]
                if L == k - 1:
                    dn_run[i] += 1
                else:
                    _flush(dn_run[i], L, loi, dn_first, i, hv)
                    if L >= 0:
                        hw[k - L - 1] += 1
                    dn_run[i] = 1
                dn_last[i] = k
            elif run > 0:
                hd[run] += 2
                run = 0
        if run > 0:
            hd[run] += 2
        tr[k] = 2 * c
        n_rec += 2 * c
    for j in range(N):
        _flush(up_run[j], up_last[j], loi, up_first, j, hv)
        _flush(dn_run[j], dn_last[j], loi, dn_first, j, hv)
        if loi:
            hv[up_first[j] + dn_first[j] - 1] += 1
    if loi:
        hd[N] += 1
    return hd, hv, hw, tr, n_rec


@njit(cache=True, nogil=True)
def _sweep_cross(A, B, w, ea, norm):
    """Histograms of an N x M cross-recurrence matrix (all diagonals), O(N + M) memory."""
    N, M = A.shape[0], B.shape[0]
    n = min(N, M)
    big = max(N, M)
    hd = np.zeros(big + 1, np.int64)
    hv = np.zeros(N + 1, np.int64)
    hw = np.zeros(N + 1, np.int64)
    tr = np.zeros(n, np.int64)
    last = np.full(M, -1, np.int64)  # per column: last recurrent row (rows visited downward)
    runs = np.zeros(M, np.int64)
    n_rec = 0
    for k in range(-(N - 1), M):  # offset j - i; column j sees rows j - k, decreasing
        if k > -w and k < w:
            continue
        if w > 0 and k == w:  # crossing the window: white runs across it are censored
            for j in range(M):
                last[j] = -1
        run = 0
        c = 0
        csq = 0
        for i in range(max(0, -k), min(N, M - k)):
            j = i + k
            if is_recurrent(A, i, B, j, ea, norm):
                run += 1
                c += 1
                if i < n and j < n:
                    csq += 1
                L = last[j]
                if i == L - 1:
                    runs[j] += 1
                else:
                    if runs[j] > 0:
                        hv[runs[j]] += 1
                    if L >= 0:
                        hw[L - i - 1] += 1
                    runs[j] = 1
                last[j] = i
            elif run > 0:
                hd[run] += 1
                run = 0
        if run > 0:
            hd[run] += 1
        n_rec += c
        if abs(k) < n:
            tr[abs(k)] += csq
    for j in range(M):
        if runs[j] > 0:
            hv[runs[j]] += 1
    return hd, hv, hw, tr, n_rec


# --------------------------------------------------------------------- matrix histograms
def _runs(key: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Lengths of runs of consecutive positions within equal keys (inputs sorted by key, pos)."""
    if key.size == 0:
        return np.zeros(0, np.int64)
    brk = np.flatnonzero((np.diff(key) != 0) | (np.diff(pos) != 1)) + 1
    edges = np.concatenate([[0], brk, [key.size]])
    return np.diff(edges)


def _matrix_histograms(R: sparse.csr_matrix, w: int):
    """(hd, hv, hw, tr, n_rec) of a sparse matrix, the same quantities as the sweep kernels."""
    N, M = R.shape
    coo = R.tocoo()
    r = coo.row.astype(np.int64)
    c = coo.col.astype(np.int64)
    keep = np.abs(r - c) >= w
    r, c = r[keep], c[keep]
    size = max(N, M) + 1
    # diagonal lines: by offset, then row
    off = c - r
    o = np.lexsort((r, off))
    hd = np.bincount(_runs(off[o], r[o]), minlength=size).astype(np.int64)
    # vertical lines and white gaps: by column, then row
    o = np.lexsort((r, c))
    cs, rs = c[o], r[o]
    hv = np.bincount(_runs(cs, rs), minlength=N + 1).astype(np.int64)
    same = cs[1:] == cs[:-1]
    gap = rs[1:] - rs[:-1] - 1
    ok = same & (gap > 0)
    if w > 0:  # runs across the Theiler window are censored
        ok &= ~((rs[:-1] < cs[:-1]) & (rs[1:] > cs[:-1]))
    hw = np.bincount(gap[ok], minlength=N + 1).astype(np.int64)
    # per-diagonal counts for TREND on the largest square containing the LOI (full matrix)
    n = min(N, M)
    rf = coo.row.astype(np.int64)
    cf = coo.col.astype(np.int64)
    sq = (rf < n) & (cf < n)
    tr = np.bincount(np.abs(cf[sq] - rf[sq]), minlength=n)[:n].astype(np.int64)
    return hd, hv, hw, tr, int(r.size)


# ------------------------------------------------------------------------------ measures
def _hist_stats(h: np.ndarray, lmin: int):
    """(points in lines >= lmin, number of lines, mean, max, entropy, most frequent count)."""
    sub = h[lmin:]
    lengths = np.arange(lmin, h.size)
    count = int(sub.sum())
    if count == 0:
        return 0, 0, 0.0, 0, float("nan"), 0
    pts = int((lengths * sub).sum())
    p = sub[sub > 0] / count
    return pts, count, pts / count, int(lengths[sub > 0].max()), float(-(p * np.log(p)).sum()), int(sub.max())


def _trend(tr: np.ndarray, w: int, border: int) -> float:
    n = tr.size
    rr = np.empty(n)
    rr[0] = tr[0] / n
    d = np.arange(1, n)
    rr[1:] = 0.5 * tr[1:] / (n - d)
    a, b = 1 + w, n - border  # 1-based, as RecurrenceAnalysis.jl
    if b < a:
        return float("nan")
    seg = rr[a - 1 : b]
    # centred on the diagonals outside the Theiler window, not on b/2 (RecurrenceAnalysis.jl)
    delta = np.arange(a, b + 1) - (b + w) / 2.0
    return float(1000.0 * np.sum(delta * (seg - seg.mean())) / np.sum(delta * delta))


@dataclass(frozen=True, eq=False)
class RQA:
    """RQA measures (see the module docstring for the definitions) and the line histograms.

    ``diagonal``, ``vertical``, ``recurrence_times``: entry ``l`` counts the (white) lines of
    length ``l`` (all lengths, before lmin/vmin/wmin), trimmed after the longest line.

    Parameters
    ----------
    RR : float
        Recurrence rate.
    DET : float
        Determinism.
    L : float
        Mean diagonal line length.
    Lmax : float
        Longest diagonal line.
    DIV : float
        Divergence 1 / lmax.
    ENTR : float
        Shannon entropy of the diagonal line lengths.
    LAM : float
        Laminarity.
    TT : float
        Trapping time.
    Vmax : float
        Longest vertical line.
    VENTR : float
        Entropy of the vertical line lengths.
    MRT : float
        Mean recurrence time.
    RTE : float
        Recurrence time entropy.
    NMPRT : float
        Number of the most probable recurrence time.
    TREND : float
        Trend of the recurrence rate over the diagonals (per 1000).
    diagonal : numpy.ndarray of int
        Histogram of diagonal line lengths.
    vertical : numpy.ndarray of int
        Histogram of vertical line lengths.
    recurrence_times : numpy.ndarray of int
        Histogram of white vertical line lengths.
    params : dict
        The settings used.
    """

    RR: float
    DET: float
    L: float
    Lmax: float
    DIV: float
    ENTR: float
    LAM: float
    TT: float
    Vmax: float
    VENTR: float
    MRT: float
    RTE: float
    NMPRT: float
    TREND: float
    diagonal: np.ndarray
    vertical: np.ndarray
    recurrence_times: np.ndarray
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, float]:
        """The 14 measures as a plain dict of floats.

        Returns
        -------
        dict of str to float
            The measures by name.
        """
        return {m: float(getattr(self, m)) for m in MEASURES}

    def __getitem__(self, name: str) -> float:
        if name not in MEASURES:
            raise KeyError(f"unknown RQA measure {name!r}; measures are {', '.join(MEASURES)}")
        return float(getattr(self, name))

    def to_xarray(self):
        """``xarray.Dataset``: the measures as scalars, the histograms over their lengths.

        Returns
        -------
        xarray.Dataset
            The measures and the three histograms, the settings as attributes.
        """
        import xarray as xr

        data = {m: float(getattr(self, m)) for m in MEASURES}
        ds = xr.Dataset(
            {
                **{m: ((), v) for m, v in data.items()},
                "diagonal_histogram": (("diagonal_length",), self.diagonal),
                "vertical_histogram": (("vertical_length",), self.vertical),
                "recurrence_time_histogram": (("recurrence_time",), self.recurrence_times),
            },
            coords={
                "diagonal_length": np.arange(self.diagonal.size),
                "vertical_length": np.arange(self.vertical.size),
                "recurrence_time": np.arange(self.recurrence_times.size),
            },
        )
        ds.attrs.update({k: (str(v) if not isinstance(v, (int, float, str)) else v) for k, v in self.params.items()})
        ds.attrs["reference"] = "Marwan et al., Phys. Rep. 438, 237 (2007)"
        return ds

    def plot(self, ax=None):
        """Log-log histograms of diagonal, vertical and white vertical line lengths.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (default: a new figure).

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4.2)) if ax is None else (ax.figure, ax)
        for h, lab in (
            (self.diagonal, "diagonal"),
            (self.vertical, "vertical"),
            (self.recurrence_times, "recurrence times (white)"),
        ):
            nz = np.flatnonzero(h)
            ax.loglog(nz, h[nz], ".-", ms=3, lw=0.8, label=lab)
        ax.set_xlabel("line length")
        ax.set_ylabel("number of lines")
        ax.set_title(f"RQA: RR = {self.RR:.3g}, DET = {self.DET:.3g}, LAM = {self.LAM:.3g}")
        ax.legend(fontsize=8)
        return fig


def _trim(h: np.ndarray) -> np.ndarray:
    nz = np.flatnonzero(h)
    return h[: (nz[-1] + 1 if nz.size else 1)].copy()


def _assemble(hists, n_cells: int, w: int, lmin: int, vmin: int, wmin: int, border: int, params: dict) -> RQA:
    hd, hv, hw, tr, n_rec = hists
    dpts, _, L, Lmax, ENTR, _ = _hist_stats(hd, lmin)
    vpts, _, TT, Vmax, VENTR, _ = _hist_stats(hv, vmin)
    _, _, MRT, _, RTE, NMPRT = _hist_stats(hw, wmin)
    return RQA(
        RR=n_rec / n_cells,
        DET=dpts / n_rec if n_rec else 0.0,
        L=L,
        Lmax=float(Lmax),
        DIV=1.0 / Lmax if Lmax else math.inf,
        ENTR=ENTR,
        LAM=vpts / n_rec if n_rec else 0.0,
        TT=TT,
        Vmax=float(Vmax),
        VENTR=VENTR,
        MRT=MRT,
        RTE=RTE,
        NMPRT=float(NMPRT),
        TREND=_trend(tr, w, border),
        diagonal=_trim(hd),
        vertical=_trim(hv),
        recurrence_times=_trim(hw),
        params=params,
    )


def _cells(N: int, M: int, w: int) -> int:
    n = N * M - int(window_cells(N, M, w))
    if n <= 0:
        raise ValueError(f"theiler={w} excludes every cell of the {N} x {M} matrix; lower theiler")
    return n


def _lengths(lmin, vmin, wmin, border):
    return (
        as_int(lmin, name="lmin", minimum=1),
        as_int(vmin, name="vmin", minimum=1),
        as_int(wmin, name="wmin", minimum=1),
        as_int(border, name="border", minimum=0),
    )


def _as_matrix(R):
    """(csr bool matrix, kind) from a RecurrenceMatrix, a scipy sparse matrix or a boolean array."""
    if isinstance(R, RecurrenceMatrix):
        return R.matrix, R.kind
    if sparse.issparse(R):
        m = sparse.csr_matrix(R)
    else:
        a = np.asarray(R)
        if a.ndim != 2:
            raise ValueError(f"a recurrence matrix must be 2-D, got shape {a.shape}")
        m = sparse.csr_matrix(a != 0)
    m = sparse.csr_matrix(m != 0, dtype=bool)
    m.eliminate_zeros()
    if m.shape[0] < 1 or m.shape[1] < 1:
        raise ValueError(f"empty recurrence matrix of shape {m.shape}")
    symmetric = m.shape[0] == m.shape[1] and (m != m.T).nnz == 0
    return m, ("auto" if symmetric else "cross")


def _is_matrix_input(x) -> bool:
    if isinstance(x, RecurrenceMatrix) or sparse.issparse(x):
        return True
    return isinstance(x, np.ndarray) and x.dtype == np.bool_


def _matrix_and_window(x, eps, recurrence_rate, dim, tau, theiler):
    """(csr matrix, kind, w) for a recurrence-matrix input (default w: 0 for cross, else 1)."""
    if eps is not None or recurrence_rate is not None or dim != 1 or tau != 1:
        raise ValueError("x is a recurrence matrix: do not pass eps, recurrence_rate, dim or tau")
    R, kind = _as_matrix(x)
    w = (0 if kind == "cross" else 1) if theiler is None else as_int(theiler, name="theiler", minimum=0)
    return R, kind, w


def _method(method) -> str:
    m = str(method).lower()
    if m not in ("stream", "matrix"):
        raise ValueError(f"unknown method {method!r}: use 'stream' or 'matrix'")
    return m


def rqa(
    x,
    eps: float | None = None,
    *,
    recurrence_rate: float | None = None,
    dim: int = 1,
    tau: int = 1,
    norm: str = "max",
    theiler: int | None = None,
    lmin: int = 2,
    vmin: int = 2,
    wmin: int = 1,
    border: int = 10,
    method: str = "stream",
    max_pairs: int = MAX_PAIRS,
    seed: int = 0,
) -> RQA:
    """Recurrence quantification analysis of a series or of a recurrence matrix.

    ``x``: data (a scalar series embedded with ``dim``/``tau``, or an (N, d) array of points)
    with a fixed ``eps`` or a fixed ``recurrence_rate`` (RR over the cells outside the
    Theiler window; see `recurrence.recurrence_threshold`), or a recurrence matrix (a
    `RecurrenceMatrix`, a scipy sparse matrix or a boolean numpy array), in which case
    eps/rate/dim/tau/norm must be left at their defaults.

    ``theiler`` (default: 1 for auto/joint matrices and for symmetric raw matrices, 0 for
    cross ones) excludes the cells ``|i - j| < theiler``; ``lmin``/``vmin`` are the minimum
    diagonal/vertical line lengths, ``wmin`` the minimum recurrence time, ``border`` the
    number of outermost diagonals left out of TREND. ``method``: ``'stream'`` (O(N) memory,
    default) or ``'matrix'`` (builds the sparse matrix); both give identical results.

    Returns an `RQA` with RR, DET, L, Lmax, DIV, ENTR, LAM, TT, Vmax, VENTR, MRT, RTE, NMPRT,
    TREND (definitions and peer differences in the module docstring; Marwan et al., Phys.
    Rep. 438, 237 (2007)). Raises ValueError/TypeError for bad data (NaN/inf, constant, too
    short for dim/tau), eps <= 0, a rate outside (0, 1), lmin/vmin/wmin < 1, theiler < 0 or
    a window that excludes every cell, or an unknown norm or method.

    Parameters
    ----------
    x : array_like, RecurrenceMatrix or sparse matrix
        A scalar series (embedded with ``dim``, ``tau``), points (N, d) in time order, or a
        recurrence matrix (a `RecurrenceMatrix`, a scipy sparse or a boolean numpy array).
    eps : float, optional
        Fixed threshold, > 0 (give either this or ``recurrence_rate`` for data).
    recurrence_rate : float, optional
        Target recurrence rate in (0, 1) over the cells outside the Theiler window.
    dim : int, default 1
        Embedding dimension.
    tau : int, default 1
        Delay in samples.
    norm : {"max", "euclidean", "manhattan"}, default "max"
        The norm of the distances.
    theiler : int, optional
        Theiler window (default 1 for auto matrices, 0 for cross).
    lmin : int, default 2
        Shortest diagonal line counted in DET, L, ENTR.
    vmin : int, default 2
        Shortest vertical line counted in LAM, TT, VENTR.
    wmin : int, default 1
        Shortest white vertical line (recurrence time) counted in MRT, RTE, NMPRT.
    border : int, default 10
        Diagonals excluded at each end of the TREND fit.
    method : {"stream", "matrix"}, default "stream"
        Stream over the cells without storing the matrix, or build the sparse matrix.
    max_pairs : int, default MAX_PAIRS
        Most distances computed for a rate threshold (a random sample beyond).
    seed : int, default 0
        Seed of that sample.

    Returns
    -------
    RQA
        The 14 measures and the line histograms.
    """
    lmin, vmin, wmin, border = _lengths(lmin, vmin, wmin, border)
    if _is_matrix_input(x):
        R, kind, w = _matrix_and_window(x, eps, recurrence_rate, dim, tau, theiler)
        params = dict(
            kind=kind, theiler=w, lmin=lmin, vmin=vmin, wmin=wmin, border=border, method="matrix", n_points=R.shape[0]
        )
        if isinstance(x, RecurrenceMatrix):
            params.update(eps=x.eps, norm=x.norm)
        return _assemble(
            _matrix_histograms(R, w), _cells(R.shape[0], R.shape[1], w), w, lmin, vmin, wmin, border, params
        )
    w = 1 if theiler is None else as_int(theiler, name="theiler", minimum=0)
    code, A, e = auto_inputs(x, eps, recurrence_rate, dim, tau, norm, w, max_pairs, seed)
    return _rqa_points(
        A,
        None,
        e,
        None,
        code,
        "auto",
        w,
        lmin,
        vmin,
        wmin,
        border,
        method,
        dict(dim=dim, tau=tau, recurrence_rate=recurrence_rate),
    )


def _rqa_points(A, C, ea, ec, code, kind, w, lmin, vmin, wmin, border, method, extra) -> RQA:
    method = _method(method)
    N = A.shape[0]
    params = dict(
        kind=kind,
        theiler=w,
        lmin=lmin,
        vmin=vmin,
        wmin=wmin,
        border=border,
        method=method,
        n_points=N,
        eps=ea if C is None else (ea, ec),
        norm=NORM_NAMES[code],
        **extra,
    )
    n_cells = _cells(N, N, w)
    if method == "stream":
        if C is None:
            hists = _sweep_auto(A, A[:1], ea, ea, False, code, w)
        else:
            hists = _sweep_auto(A, C, ea, ec, True, code, w)
    else:
        R = sparse_recurrences(A, A, ea, code, True) if C is None else joint_recurrences(A, C, ea, ec, code)
        hists = _matrix_histograms(R, w)
    return _assemble(hists, n_cells, w, lmin, vmin, wmin, border, params)


def cross_rqa(
    x,
    y,
    eps: float | None = None,
    *,
    recurrence_rate: float | None = None,
    dim: int = 1,
    tau: int = 1,
    norm: str = "max",
    theiler: int = 0,
    lmin: int = 2,
    vmin: int = 2,
    wmin: int = 1,
    border: int = 10,
    method: str = "stream",
    max_pairs: int = MAX_PAIRS,
    seed: int = 0,
) -> RQA:
    """RQA of the cross-recurrence matrix ``CR[i, j] = ||X_i - Y_j|| <= eps`` (N x M).

    Same measures and arguments as `rqa`; default Theiler window 0 (nothing excluded), RR over
    all cells outside the window. Vertical lines run along the columns (time of y), diagonal
    lines over all N + M - 1 diagonals. Marwan & Kurths, Phys. Lett. A 302, 299 (2002).

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
        First series or point set.
    y : array_like, shape (M,) or (M, d)
        Second series, in the same space after embedding.
    eps : float, optional
        Fixed threshold, > 0 (give either this or ``recurrence_rate`` for data).
    recurrence_rate : float, optional
        Target recurrence rate in (0, 1) over the cells outside the Theiler window.
    dim : int, default 1
        Embedding dimension.
    tau : int, default 1
        Delay in samples.
    norm : {"max", "euclidean", "manhattan"}, default "max"
        The norm of the distances.
    theiler : int, default 0
        Theiler window.
    lmin : int, default 2
        Shortest diagonal line counted in DET, L, ENTR.
    vmin : int, default 2
        Shortest vertical line counted in LAM, TT, VENTR.
    wmin : int, default 1
        Shortest white vertical line (recurrence time) counted in MRT, RTE, NMPRT.
    border : int, default 10
        Diagonals excluded at each end of the TREND fit.
    method : {"stream", "matrix"}, default "stream"
        Stream over the cells without storing the matrix, or build the sparse matrix.
    max_pairs : int, default MAX_PAIRS
        Most distances computed for a rate threshold (a random sample beyond).
    seed : int, default 0
        Seed of that sample.

    Returns
    -------
    RQA
        The measures of the cross-recurrence matrix.
    """
    lmin, vmin, wmin, border = _lengths(lmin, vmin, wmin, border)
    w = as_int(theiler, name="theiler", minimum=0)
    code, A, B, e = cross_inputs(x, y, eps, recurrence_rate, dim, tau, norm, w, max_pairs, seed)
    method = _method(method)
    params = dict(
        kind="cross",
        theiler=w,
        lmin=lmin,
        vmin=vmin,
        wmin=wmin,
        border=border,
        method=method,
        n_points=(A.shape[0], B.shape[0]),
        eps=e,
        norm=NORM_NAMES[code],
        dim=dim,
        tau=tau,
        recurrence_rate=recurrence_rate,
    )
    if method == "stream":
        hists = _sweep_cross(A, B, w, e, code)
    else:
        hists = _matrix_histograms(sparse_recurrences(A, B, e, code, False), w)
    return _assemble(hists, _cells(A.shape[0], B.shape[0], w), w, lmin, vmin, wmin, border, params)


def joint_rqa(
    x,
    y,
    eps=None,
    *,
    recurrence_rate: float | None = None,
    dim: int = 1,
    tau: int = 1,
    norm: str = "max",
    theiler: int = 1,
    lmin: int = 2,
    vmin: int = 2,
    wmin: int = 1,
    border: int = 10,
    method: str = "stream",
    max_pairs: int = MAX_PAIRS,
    seed: int = 0,
) -> RQA:
    """RQA of the joint recurrence matrix ``R^x AND R^y`` (Romano et al., Phys. Lett. A 330, 214 (2004)).

    ``eps``: a number or ``(eps_x, eps_y)``; ``recurrence_rate`` sets each component to that
    rate. Same measures and arguments as `rqa` (default Theiler window 1).

    Parameters
    ----------
    x : array_like, shape (N,) or (N, d)
        First series or point set.
    y : array_like, shape (N,) or (N, d')
        Second series, as long as ``x`` after embedding.
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
        Theiler window.
    lmin : int, default 2
        Shortest diagonal line counted in DET, L, ENTR.
    vmin : int, default 2
        Shortest vertical line counted in LAM, TT, VENTR.
    wmin : int, default 1
        Shortest white vertical line (recurrence time) counted in MRT, RTE, NMPRT.
    border : int, default 10
        Diagonals excluded at each end of the TREND fit.
    method : {"stream", "matrix"}, default "stream"
        Stream over the cells without storing the matrix, or build the sparse matrix.
    max_pairs : int, default MAX_PAIRS
        Most distances computed for a rate threshold (a random sample beyond).
    seed : int, default 0
        Seed of that sample.

    Returns
    -------
    RQA
        The measures of the joint recurrence matrix.
    """
    lmin, vmin, wmin, border = _lengths(lmin, vmin, wmin, border)
    w = as_int(theiler, name="theiler", minimum=0)
    code, A, C, ex, ey = joint_inputs(x, y, eps, recurrence_rate, dim, tau, norm, w, max_pairs, seed)
    return _rqa_points(
        A,
        C,
        ex,
        ey,
        code,
        "joint",
        w,
        lmin,
        vmin,
        wmin,
        border,
        method,
        dict(dim=dim, tau=tau, recurrence_rate=recurrence_rate),
    )


# ------------------------------------------------------------------------------ windowed
@dataclass(frozen=True, eq=False)
class WindowedRQA:
    """RQA measures over sliding windows: ``measures[name][k]`` for the window starting at ``start[k]``.

    ``time`` is the window centre, in samples (``start + (window - 1) / 2``) or, when ``times``
    was given, the time of the sample nearest the centre.

    Parameters
    ----------
    time : numpy.ndarray
        Centre of each window (samples, or the given times).
    start : numpy.ndarray of int
        First point of each window.
    window : int
        Window length in points.
    step : int
        Offset between windows.
    measures : dict of str to numpy.ndarray
        Each measure over the windows.
    params : dict
        The settings used.
    """

    time: np.ndarray
    start: np.ndarray
    window: int
    step: int
    measures: dict
    params: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.measures[name]

    def to_xarray(self):
        """``xarray.Dataset`` of the measures over ``time`` (with ``start`` as a coordinate).

        Returns
        -------
        xarray.Dataset
            One variable per measure over ``time``.
        """
        import xarray as xr

        ds = xr.Dataset(
            {m: (("time",), v) for m, v in self.measures.items()},
            coords={"time": self.time, "start": ("time", self.start)},
        )
        ds.attrs.update({k: (str(v) if not isinstance(v, (int, float, str)) else v) for k, v in self.params.items()})
        ds.attrs.update(window=self.window, step=self.step)
        return ds

    def plot(self, ax=None, measures=("RR", "DET", "LAM")):
        """The chosen measures against window centre time.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (default: a new figure).
        measures : tuple of str, default ("RR", "DET", "LAM")
            The measures to draw.

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4)) if ax is None else (ax.figure, ax)
        for m in measures:
            ax.plot(self.time, self.measures[m], lw=1, label=m)
        ax.set_xlabel("time (window centre)")
        ax.set_title(f"windowed RQA (window {self.window}, step {self.step})")
        ax.legend(fontsize=8)
        return fig


def windowed_rqa(
    x,
    window: int,
    step: int,
    eps: float | None = None,
    *,
    recurrence_rate: float | None = None,
    dim: int = 1,
    tau: int = 1,
    norm: str = "max",
    theiler: int | None = None,
    lmin: int = 2,
    vmin: int = 2,
    wmin: int = 1,
    border: int = 10,
    times=None,
    workers: int = 1,
    max_pairs: int = MAX_PAIRS,
    seed: int = 0,
) -> WindowedRQA:
    """RQA of the sub-matrices ``R[s:s+window, s:s+window]``, s = 0, step, 2 step, ...

    As RecurrenceAnalysis.jl ``windowed``: the windows lie along the line of identity of the
    recurrence matrix of the whole series, and one threshold serves all windows (a fixed
    ``eps``, or the eps of ``recurrence_rate`` computed on the whole series). ``x`` may be data
    (streamed, O(window) memory per window) or a recurrence matrix (sliced). ``times``: the
    time of each (embedded) point, to label the windows. ``workers`` threads run windows in
    parallel (the kernel releases the GIL). Other arguments as `rqa`. Raises ValueError for
    a window shorter than 3 points or longer than the series, or step < 1.

    Parameters
    ----------
    x : array_like, RecurrenceMatrix or sparse matrix
        A scalar series (embedded with ``dim``, ``tau``), points (N, d) in time order, or a
        recurrence matrix (a `RecurrenceMatrix`, a scipy sparse or a boolean numpy array).
    window : int
        Window length in (embedded) points, >= 3.
    step : int
        Offset between windows, >= 1.
    eps : float, optional
        Fixed threshold, > 0 (give either this or ``recurrence_rate`` for data).
    recurrence_rate : float, optional
        Target recurrence rate in (0, 1) over the cells outside the Theiler window.
    dim : int, default 1
        Embedding dimension.
    tau : int, default 1
        Delay in samples.
    norm : {"max", "euclidean", "manhattan"}, default "max"
        The norm of the distances.
    theiler : int, optional
        Theiler window (default as `rqa`).
    lmin : int, default 2
        Shortest diagonal line counted in DET, L, ENTR.
    vmin : int, default 2
        Shortest vertical line counted in LAM, TT, VENTR.
    wmin : int, default 1
        Shortest white vertical line (recurrence time) counted in MRT, RTE, NMPRT.
    border : int, default 10
        Diagonals excluded at each end of the TREND fit.
    times : array_like, shape (N,), optional
        Time of each (embedded) point.
    workers : int, default 1
        Threads running windows in parallel.
    max_pairs : int, default MAX_PAIRS
        Most distances computed for a rate threshold.
    seed : int, default 0
        Seed of that sample.

    Returns
    -------
    WindowedRQA
        The measures over the windows.

    References
    ----------
    Marwan, Romano, Thiel & Kurths, Phys. Rep. 438, 237 (2007) (epochs along the line of identity).
    """
    lmin, vmin, wmin, border = _lengths(lmin, vmin, wmin, border)
    window = as_int(window, name="window", minimum=3)
    step = as_int(step, name="step", minimum=1)
    workers = as_int(workers, name="workers", minimum=1)
    if _is_matrix_input(x):
        R, kind, w = _matrix_and_window(x, eps, recurrence_rate, dim, tau, theiler)
        N = R.shape[0]

        def one(s):
            sub = R[s : s + window, s : s + window]
            return _assemble(
                _matrix_histograms(sub, w), _cells(sub.shape[0], sub.shape[1], w), w, lmin, vmin, wmin, border, {}
            )

        params = dict(kind=kind, theiler=w, method="matrix")
    else:
        w = 1 if theiler is None else as_int(theiler, name="theiler", minimum=0)
        code, A, e = auto_inputs(x, eps, recurrence_rate, dim, tau, norm, w, max_pairs, seed)
        N = A.shape[0]

        def one(s):
            sub = A[s : s + window]
            return _assemble(_sweep_auto(sub, sub[:1], e, e, False, code, w), cells, w, lmin, vmin, wmin, border, {})

        params = dict(kind="auto", theiler=w, method="stream", eps=e, norm=NORM_NAMES[code], dim=dim, tau=tau)
    if window > N:
        raise ValueError(f"window={window} is longer than the {N} (embedded) points; use a smaller window")
    cells = _cells(window, window, w)
    starts = np.arange(0, N - window + 1, step, dtype=np.int64)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(one, starts))
    else:
        results = [one(s) for s in starts]
    measures = {m: np.array([getattr(r, m) for r in results], dtype=float) for m in MEASURES}
    centre = starts + (window - 1) / 2.0
    if times is not None:
        t = as_finite_array(times, name="times (one per embedded point)", shape=(N,))
        time = t[np.minimum(np.rint(centre).astype(np.int64), N - 1)]
    else:
        time = centre
    params.update(lmin=lmin, vmin=vmin, wmin=wmin, border=border)
    return WindowedRQA(time=time, start=starts, window=window, step=step, measures=measures, params=params)
