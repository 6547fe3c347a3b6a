r"""Attractors as sets of state-space cells: cell coordinates, their hash, the table of attractor cells.

The bookkeeping of ``AttractorsViaRecurrences`` (G. Datseris and A. Wagemakers, "Effortless estimation
of basins of attraction", Chaos 32, 023104 (2022)), used by `dynstab.analysis.basins.basins_of_attraction`
when no attractors are given. State space is tiled by cells of size ``cell`` from ``origin``; a cell is
named by its integer coordinates :math:`\lfloor (x - \mathrm{origin}) / \mathrm{cell} \rfloor` (clipped to
:math:`[-2^{20}, 2^{20})` per variable) and hashed to one int64 (Horner's scheme in base :math:`2^{21}`:
exact for d <= 3 variables, wrapping beyond).

An attractor is a set of cells that orbits keep recurring to. The cells visited by one orbit during its
recorded window, and cells that touch (Chebyshev distance 1, for d <= 4), are joined: each connected
component of this cell graph is one attractor; windows that reach cells of known attractors join them
(attractors that meet are merged). The labelling kernel looks the cell of every new state up in a table
(cell -> attractor) in which every attractor is dilated by one cell, so a fixed point on a cell corner is
caught from every side; dilated cells claimed by two attractors are left out. The table is a dense array
over the attractors' bounding box when that has at most :math:`2^{22}` cells (one gather per lookup),
else the sorted hashed keys (a binary search per lookup).

Attractors closer than two cells merge: the cell size is what separates them.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

__all__ = ["NO_ATTRACTOR", "cell_coords", "hash_cells", "AttractorCells", "table_lookup"]

#: Label of a state that is not in an attractor cell (inside the kernels; never in a result).
NO_ATTRACTOR = -3

_OFF = 1 << 20  # cell coordinates are clipped to [-_OFF, _OFF) and hashed with base 2 * _OFF
_BASE = 2 * _OFF
_SENTINEL = np.iinfo(np.int64).max


# --- cells -----------------------------------------------------------------------------------
def cell_coords(x, origin, cell, xp):
    """Integer coordinates of the cells holding states, clipped to [-2^20, 2^20) per variable.

    Parameters
    ----------
    x : array, shape (..., d)
        States.
    origin : array, shape (d,)
        Corner of cell (0, ..., 0).
    cell : array, shape (d,)
        Cell size per variable.
    xp : module
        ``numpy`` or ``jax.numpy`` (the same code runs on the host and in the kernels).

    Returns
    -------
    array of int64, shape (..., d)
        floor((x - origin) / cell), clipped.
    """
    c = xp.floor((x - origin) / cell)
    return xp.clip(c, -_OFF, _OFF - 1).astype(xp.int64)


def hash_cells(c, xp):
    """One int64 key per cell: Horner's scheme in base 2^21 over the shifted coordinates.

    Exact (distinct cells, distinct keys; ordered as the coordinates) for d <= 3, wrapping beyond.

    Parameters
    ----------
    c : array of int64, shape (..., d)
        Cell coordinates from `cell_coords`.
    xp : module
        ``numpy`` or ``jax.numpy``.

    Returns
    -------
    array of int64, shape (...,)
        The keys.
    """
    k = xp.zeros(c.shape[:-1], dtype=xp.int64)
    for i in range(c.shape[-1]):
        k = k * _BASE + (c[..., i] + _OFF)
    return k


# --- the table of attractor cells ------------------------------------------------------------
_NEIGHBOR_MAX_DIM = 4
_DENSE_MAX = 1 << 22


def _offsets(d: int) -> np.ndarray:
    """The 3^d - 1 offsets to the cells that touch a cell (none beyond ``_NEIGHBOR_MAX_DIM`` variables)."""
    if d > _NEIGHBOR_MAX_DIM:
        return np.zeros((0, d), dtype=np.int64)
    grids = np.meshgrid(*([np.array([-1, 0, 1])] * d), indexing="ij")
    off = np.stack([g.ravel() for g in grids], axis=1).astype(np.int64)
    return off[np.any(off != 0, axis=1)]


class AttractorCells:
    """The attractors found so far: their cells and sample states; a label is a position in ``cells``.

    Grown by `add_windows` (discovery); `table` gives the cell -> label lookup of the labelling kernel.
    Labels merged into another keep an empty slot (no cells), so labels never shift.

    Parameters
    ----------
    d : int
        Dimension of the state space.
    max_points : int, default 500
        Sample states kept per attractor (the most recent ones).

    Attributes
    ----------
    cells : list of numpy.ndarray
        Per label, the (n, d) int64 unique cell coordinates of the attractor.
    points : list of numpy.ndarray
        Per label, up to ``max_points`` (m, d) states recorded on the attractor.
    """

    def __init__(self, d: int, max_points: int = 500):
        self.d = d
        self.cells: list[np.ndarray] = []  # per label: (n, d) int64 unique cells
        self.points: list[np.ndarray] = []
        self.max_points = max_points

    def __len__(self) -> int:
        return len(self.cells)

    def add_windows(self, coords: np.ndarray, states: np.ndarray) -> dict[int, int]:
        """Join the cells of new windows with the known attractors (connected components of the cell graph).

        The cells of one window, cells that touch (Chebyshev distance 1, for d <= 4) and the cells of
        the known attractors are joined; a component with no known attractor is a new attractor, one
        with several merges them into the smallest label.

        Parameters
        ----------
        coords : numpy.ndarray of int64, shape (B, W, d)
            Cell coordinates of B windows of W consecutive states.
        states : numpy.ndarray, shape (B, W, d)
            The states of the windows (kept as sample states of their attractor).

        Returns
        -------
        dict of int to int
            Label merges, old label -> the label it joined.
        """
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        B, W, d = coords.shape
        L = len(self.cells)
        # a cell repeated at consecutive steps adds nothing to the graph (fixed points: W -> 1 rows per window)
        keep = np.ones((B, W), dtype=bool)
        keep[:, 1:] = np.any(coords[:, 1:] != coords[:, :-1], axis=2)
        rows = [coords[keep]] + self.cells
        src = [np.repeat(np.arange(B), W)[keep.ravel()]] + [
            np.full(c.shape[0], B + l) for l, c in enumerate(self.cells)
        ]
        allc = np.concatenate(rows, axis=0)
        alls = np.concatenate(src)
        keys = hash_cells(allc, np)
        ukeys, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        ucells = allc[first]
        n_u, n_s = ukeys.size, B + L
        ei = [
            inv,
        ]
        ej = [n_u + alls]
        for off in _offsets(d):
            nk = hash_cells(ucells + off, np)
            pos = np.clip(np.searchsorted(ukeys, nk), 0, n_u - 1)
            hit = ukeys[pos] == nk
            ei.append(np.flatnonzero(hit))
            ej.append(pos[hit])
        rows_i, cols_j = np.concatenate(ei), np.concatenate(ej)
        graph = coo_matrix((np.ones(rows_i.size, dtype=np.int8), (rows_i, cols_j)), shape=(n_u + n_s, n_u + n_s))
        _, comp = connected_components(graph, directed=False)
        comp_of_src = comp[n_u:]
        # components holding known attractors keep (the smallest of) their labels
        label_of_comp: dict[int, int] = {}
        merges: dict[int, int] = {}
        for l in range(L):
            c = int(comp_of_src[B + l])
            if c in label_of_comp:
                merges[l] = label_of_comp[c]
            else:
                label_of_comp[c] = l
        next_label = L
        for b in range(B):
            c = int(comp_of_src[b])
            if c not in label_of_comp:
                label_of_comp[c] = next_label
                next_label += 1
        cells: list[np.ndarray] = [np.zeros((0, d), dtype=np.int64) for _ in range(next_label)]
        pts: list[list[np.ndarray]] = [[] for _ in range(next_label)]
        ucomp = comp[:n_u]
        for c, lab in label_of_comp.items():
            cells[lab] = ucells[ucomp == c]
        for l in range(L):
            pts[label_of_comp[int(comp_of_src[B + l])]].append(self.points[l])
        for b in range(B):
            pts[label_of_comp[int(comp_of_src[b])]].append(states[b])
        # merged labels keep an empty slot (relabelled at the end)
        for l in merges:
            cells[l] = np.zeros((0, d), dtype=np.int64)
        self.cells = [np.asarray(c, dtype=np.int64).reshape(-1, d) for c in cells]
        self.points = [np.concatenate(p, axis=0)[-self.max_points :] if p else np.zeros((0, d)) for p in pts]
        return merges

    def table(self) -> tuple:
        """Cell -> label lookup for the labelling kernel, every attractor dilated by one cell.

        A dilated cell claimed by two attractors is dropped; an attractor's own cell always wins.

        Returns
        -------
        tuple
            ``("dense", lo, strides, shape, labels)``: a label per cell of the attractors' bounding box
            (at most 2^22 cells; padded to a power of two), or ``("keys", keys, labels)``: the sorted
            hashed cells (`hash_cells`) and their labels, padded to a power of two. Read by `table_lookup`.
        """
        keys, labs, prio, cells_all = [], [], [], []
        offs = _offsets(self.d)
        for label, c in enumerate(self.cells):
            if c.size == 0:
                continue
            keys.append(hash_cells(c, np))
            cells_all.append(c)
            labs.append(np.full(c.shape[0], label))
            prio.append(np.zeros(c.shape[0], dtype=np.int64))
            if offs.size:
                dil = (c[:, None, :] + offs[None]).reshape(-1, self.d)
                keys.append(hash_cells(dil, np))
                cells_all.append(dil)
                labs.append(np.full(dil.shape[0], label))
                prio.append(np.ones(dil.shape[0], dtype=np.int64))
        if not keys:
            return (
                "keys",
                np.asarray(np.array([_SENTINEL], dtype=np.int64)),
                np.asarray(np.array([NO_ATTRACTOR], dtype=np.int64)),
            )
        k, lab, pr = (np.concatenate(a) for a in (keys, labs, prio))
        order = np.lexsort((lab, pr, k))
        k, lab, pr = k[order], lab[order], pr[order]
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
        lo = np.minimum.reduceat(lab, starts)
        hi = np.maximum.reduceat(lab, starts)
        ok = (pr[starts] == 0) | (lo == hi)  # an original cell wins; ambiguous dilated cells are dropped
        k, lab = k[starts][ok], lab[starts][ok]
        cells = np.concatenate(cells_all)[order][starts][ok]
        lo, hi = cells.min(axis=0), cells.max(axis=0)
        shape = hi - lo + 1
        if float(np.prod(shape.astype(float))) <= _DENSE_MAX:
            # a label per cell of the bounding box: one gather per lookup
            strides = np.r_[np.cumprod(shape[::-1])[::-1][1:], 1].astype(np.int64)
            size = 1 << max(0, int(np.prod(shape) - 1).bit_length())  # padded: fewer recompilations
            dense = np.full(size, NO_ATTRACTOR, dtype=np.int64)
            dense[(cells - lo) @ strides] = lab
            return ("dense", np.asarray(lo), np.asarray(strides), np.asarray(shape.astype(np.int64)), np.asarray(dense))
        size = 1 << max(0, int(k.size - 1).bit_length())
        return (
            "keys",
            np.asarray(np.concatenate([k, np.full(size - k.size, _SENTINEL)])),
            np.asarray(np.concatenate([lab, np.full(size - k.size, NO_ATTRACTOR)]).astype(np.int64)),
        )


def table_lookup(table, origin, cell):
    """A traceable function state -> label of the attractor whose (dilated) cell holds it.

    Parameters
    ----------
    table : tuple
        The table of `AttractorCells.table`: ``("dense", lo, strides, shape, labels)`` (one gather
        per lookup) or ``("keys", sorted hashed cells, labels)`` (a binary search per lookup).
    origin : array, shape (d,)
        Corner of cell (0, ..., 0).
    cell : array, shape (d,)
        Cell size per variable.

    Returns
    -------
    callable
        ``lookup(x)`` for one state x of shape (d,): the label, or `NO_ATTRACTOR` outside every attractor.
    """
    mode = table[0]

    def lookup(x):
        c = cell_coords(x, origin, cell, jnp)
        if mode == "dense":
            _, lo, strides, shape, labs = table
            idx = c - lo
            inside = jnp.all((idx >= 0) & (idx < shape))
            return jnp.where(inside, labs[jnp.where(inside, jnp.sum(idx * strides), 0)], NO_ATTRACTOR)
        _, keys, labs = table
        key = hash_cells(c, jnp)
        pos = jnp.clip(jnp.searchsorted(keys, key, method="sort"), 0, keys.shape[0] - 1)
        return jnp.where(keys[pos] == key, labs[pos], NO_ATTRACTOR)

    return lookup
