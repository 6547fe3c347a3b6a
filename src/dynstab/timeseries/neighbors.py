"""Nearest neighbours of every point of a set, excluding temporal neighbours (Theiler window).

For points ``X[0], ..., X[N-1]`` sampled along one trajectory, the nearest neighbours of
``X[i]`` are searched among the points ``X[j]`` with ``|i - j| > w``. Points closer than
``w`` samples in time are excluded because they are close only through the continuity of
the trajectory, not through the geometry of the attractor (Theiler, Phys. Rev. A 34, 2427
(1986)). ``w = 0`` excludes the point itself only.

The search uses ``scipy.spatial.cKDTree``: each point queries ``k + extra`` neighbours,
the candidates inside the window are discarded, and the (few) points that are left with
fewer than ``k`` candidates are queried again with a larger count (at most ``k + 2w + 1``,
which always suffices because at most ``2w + 1`` indices lie inside a window) or, when that
would exceed the set, by a direct loop over all points. A query of 1e5 points in 3-D takes
about a second.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from ..validation import as_int, as_series

__all__ = ["theiler_neighbors"]

_METRICS = {"chebyshev": np.inf, "max": np.inf, "euclidean": 2.0}


def minkowski_p(metric: str) -> float:
    """The Minkowski exponent p of a metric name ("euclidean" 2, "max"/"chebyshev" inf, ...), for cKDTree queries."""
    try:
        return _METRICS[str(metric).lower()]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}: use 'chebyshev' (max norm) or 'euclidean'") from None


def theiler_neighbors(
    points,
    k: int = 1,
    theiler: int = 0,
    metric: str = "chebyshev",
    extra: int | None = None,
    workers: int = 1,
    queries=None,
):
    """The ``k`` nearest neighbours of every point outside a Theiler window.

    For each row ``i`` of ``points`` (shape (N, d), or (N,) for scalars), returns the
    indices ``j`` of the ``k`` points nearest to ``points[i]`` among those with
    ``|i - j| > theiler``, in order of increasing distance, and the distances
    ``||points[i] - points[j]||`` in the chosen norm: ``'chebyshev'`` (max norm,
    ``max_m |x_m - y_m|``) or ``'euclidean'``.

    ``extra`` is how many neighbours beyond ``k`` the first tree query asks for (default
    ``min(2 * theiler + 1, 16)``); rows still short of ``k`` valid neighbours are queried
    again with up to ``k + 2 * theiler + 1`` neighbours, and, if the set is too small for
    that, by a direct search. ``workers`` is passed to ``cKDTree.query`` (-1: all cores).

    ``queries``: indices of the points whose neighbours are wanted (default: all); the
    neighbours are still searched among all points, and the cost is proportional to the
    number of queries.

    Returns ``(dist, idx)``, each of shape (N, k) (float and int), or (len(queries), k). Raises ValueError for
    non-finite points, k < 1, theiler < 0, or a set with fewer than ``k + 2 * theiler + 1``
    points (some point would have fewer than ``k`` admissible neighbours).

    Parameters
    ----------
    points : array_like, shape (N, d) or (N,)
        The points in time order, finite.
    k : int, default 1
        Neighbours per point, >= 1.
    theiler : int, default 0
        Theiler window w >= 0: only indices with |i - j| > w are neighbours.
    metric : {"chebyshev", "max", "euclidean"}, default "chebyshev"
        The norm.
    extra : int, optional
        Extra neighbours asked of the first tree query (default min(2 w + 1, 16)).
    workers : int, default 1
        Threads of ``cKDTree.query`` (-1: all cores).
    queries : array_like of int, optional
        Indices of the points to find neighbours for (default: all points).

    Returns
    -------
    dist : numpy.ndarray, shape (N, k) or (len(queries), k)
        Distances to the neighbours, ascending.
    idx : numpy.ndarray of int, shape (N, k) or (len(queries), k)
        Indices of the neighbours.

    References
    ----------
    Theiler, Phys. Rev. A 34, 2427 (1986).
    """
    x = as_series(points, name="points", as_2d=True, min_length=0)
    k = as_int(k, name="k", minimum=1)
    w = as_int(theiler, name="theiler", minimum=0)
    workers = as_int(workers, name="workers")
    n = x.shape[0]
    if n < k + 2 * w + 1:
        raise ValueError(
            f"{n} points are too few for k={k} neighbours outside a Theiler window of {w}: "
            f"need at least k + 2*theiler + 1 = {k + 2 * w + 1} points; use a longer series, "
            "a smaller theiler window, or a smaller embedding dimension/delay"
        )
    p = minkowski_p(metric)
    full = k + 2 * w + 1  # enough for every point: at most 2w+1 indices are in a window
    q = min(k + (min(2 * w + 1, 16) if extra is None else max(as_int(extra, name="extra"), 0)), full, n)

    if queries is None:
        pts = np.arange(n)
    else:
        pts = np.asarray(queries)
        if pts.ndim != 1 or pts.dtype.kind not in "iu" or (pts.size and (pts.min() < 0 or pts.max() >= n)):
            raise ValueError(f"queries must be a 1-D array of point indices in [0, {n}), got {queries!r:.80}")
        pts = pts.astype(np.int64)
    m = pts.size
    tree = cKDTree(x)
    dist = np.full((m, k), np.inf)
    idx = np.full((m, k), -1, dtype=np.int64)
    todo = np.arange(m)  # rows still to fill; the points are pts[todo]
    while todo.size:
        d, j = tree.query(x[pts[todo]], k=q, p=p, workers=workers)
        d, j = d.reshape(todo.size, q), j.reshape(todo.size, q)
        ok = (np.abs(j - pts[todo][:, None]) > w) & (j < n)
        count = ok.sum(axis=1)
        done = count >= k
        if np.any(done):
            rows = todo[done]
            okd = ok[done]
            # stable sort keeps the distance order of the admissible candidates
            order = np.argsort(~okd, axis=1, kind="stable")[:, :k]
            dist[rows] = np.take_along_axis(d[done], order, axis=1)
            idx[rows] = np.take_along_axis(j[done], order, axis=1)
        todo = todo[~done]
        if todo.size == 0 or q >= full or q >= n:
            break
        q = min(2 * q, full, n)
    for row in todo:  # fallback: direct search (only where the tree could not return k)
        i = pts[row]
        diff = np.abs(x - x[i])
        di = diff.max(axis=1) if np.isinf(p) else np.sqrt((diff * diff).sum(axis=1))
        lo, hi = max(i - w, 0), min(i + w + 1, n)
        di[lo:hi] = np.inf
        part = np.argpartition(di, k - 1)[:k]
        part = part[np.argsort(di[part], kind="stable")]
        dist[row], idx[row] = di[part], part
    return dist, idx
