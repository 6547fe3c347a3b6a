r"""Basins of attraction on a grid of initial conditions, basin entropy and the uncertainty exponent.

Attractors and basins (recurrences in a state-space cell grid)
--------------------------------------------------------------
The idea of ``AttractorsViaRecurrences`` (G. Datseris and A. Wagemakers, "Effortless estimation
of basins of attraction", Chaos 32, 023104 (2022)): state space is tiled by cells of size
``cell_size``; an attractor is a set of cells that an orbit keeps recurring to, and an initial
condition belongs to the basin of the attractor whose cells its orbit settles in. The sequential
cell-colouring of the original is recast here in a vectorised form (every initial condition runs
in parallel, ``jax.vmap`` inside one compiled ``lax.while_loop``):

1. *Discovery*: a seeded sample of ``n_discovery`` initial conditions is evolved for
   ``transient`` steps and the cells visited during the next ``window`` steps are recorded.
   Cells visited by one orbit, and cells that touch (Chebyshev distance 1, for d <= 4), are
   joined (connected components of the cell graph): each component is one attractor.
2. *Labelling*: every initial condition is evolved until it has spent ``n_consecutive``
   consecutive steps in the cells of one attractor (the cells dilated by one cell, so a fixed
   point on a cell corner is caught from every side) and gets that label; it gets the label
   ``-1`` ("diverged") as soon as its state is non-finite or :math:`\lVert x \rVert_\infty`
   exceeds ``bound``; the frozen state never pollutes an attractor.
3. Initial conditions still unlabelled after ``transient`` steps go through discovery themselves
   (new attractors that the sample missed, or new cells of known ones), and labelling
   continues, up to ``max_steps``; whatever is left gets ``-2`` ("undetermined", with a warning).

Attractors closer than two cells merge: choose ``cell_size`` (default: the grid spacing) to
separate them. Flows are sampled every ``sample_every`` fixed steps (RK4, ``dt`` = ``system.dt``);
any `Map` works, including Poincare and stroboscopic maps of flows.

Basin entropy (A. Daza, A. Wagemakers, B. Georgeot, D. Guery-Odelin and M. A. F. Sanjuan,
Sci. Rep. 6, 31416 (2016))
-------------------------------------------------------------------------------------------
The grid of labels is covered by non-overlapping boxes of :math:`\varepsilon \times \varepsilon`
cells; in box i with label frequencies :math:`p_{i,j}` the Gibbs entropy is
:math:`S_i = \sum_j p_{i,j} \ln(1/p_{i,j})`. The basin entropy is the mean over all N boxes,
:math:`S_b = \frac1N \sum_i S_i`, and the boundary basin entropy the mean over the
:math:`N_b` boxes that contain more than one label, :math:`S_{bb} = \frac1{N_b} \sum_i S_i`
(natural logarithm, as in the paper). :math:`S_{bb} > \ln 2` is their sufficient condition for
a fractal boundary. Diverged (-1) and undetermined (-2) initial conditions count as outcomes.

Uncertainty exponent (C. Grebogi, S. W. McDonald, E. Ott and J. A. Yorke, Phys. Lett. A 99,
415 (1983))
-----------------------------------------------------------------------------------------------
The fraction of :math:`\varepsilon`-uncertain initial conditions scales as
:math:`f(\varepsilon) \sim \varepsilon^\alpha`, with :math:`\alpha = D - d_{boundary}`. On the
grid, :math:`f(\varepsilon)` is the fraction of :math:`\varepsilon`-boxes that contain more than
one label (box counting of the boundary, as in Attractors.jl's ``uncertainty_exponent``), and
:math:`\alpha` is the least-squares slope of :math:`\ln f` against :math:`\ln \varepsilon`.
A smooth boundary gives :math:`\alpha = 1`; :math:`\alpha < 1` means final-state sensitivity.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..simulate.steppers import FIXED_STEP_METHODS, rk_step
from ..systems.base import SDE, Flow, Map, System, as_state

__all__ = ["Basins", "basins_of_attraction", "basin_entropy", "uncertainty_exponent", "DIVERGED", "UNDETERMINED"]

#: Label of initial conditions whose orbit left the finite numbers or ``bound``.
DIVERGED = -1
#: Label of initial conditions that did not settle on an attractor within ``max_steps``.
UNDETERMINED = -2
_NONE = -3  # "not in an attractor cell" inside the kernel

_OFF = 1 << 20  # cell coordinates are clipped to [-_OFF, _OFF) and hashed with base 2 * _OFF
_BASE = 2 * _OFF
_SENTINEL = np.iinfo(np.int64).max


class _Cfg(NamedTuple):
    kind: str  # "map" or "flow"
    h: float  # RK step (flows)
    sub: int  # RK steps per sample (flows)
    method: str


# --- cells -----------------------------------------------------------------------------------
def _cell_coords(x, origin, cell, xp):
    c = xp.floor((x - origin) / cell)
    return xp.clip(c, -_OFF, _OFF - 1).astype(xp.int64)


def _hash(c, xp):
    """Horner hash of integer cell coordinates (..., d) -> (...,): exact for d <= 3, wraps beyond."""
    k = xp.zeros(c.shape[:-1], dtype=xp.int64)
    for i in range(c.shape[-1]):
        k = k * _BASE + (c[..., i] + _OFF)
    return k


# --- compiled kernels ------------------------------------------------------------------------
def _advance(system: System, cfg: _Cfg):
    p = system.params
    if cfg.kind == "map":
        return lambda x, t: (system.rhs(x, p, t), t + 1.0)
    tab = FIXED_STEP_METHODS[cfg.method]
    f = lambda y, s: system.rhs(y, p, s)  # noqa: E731

    def adv(x, t):
        x = jax.lax.fori_loop(0, cfg.sub, lambda i, y: rk_step(tab, f, y, t + i * cfg.h, cfg.h), x)
        return x, t + cfg.sub * cfg.h

    return adv


def _is_bad(x, bound):
    return ~(jnp.all(jnp.isfinite(x)) & (jnp.max(jnp.abs(x)) <= bound))


@eqx.filter_jit
def _window_kernel(system: System, cfg: _Cfg, x0s, t0s, n_transient, window: int, bound):
    """Evolve up to ``n_transient`` steps (dynamic), then record ``window`` states; frozen once diverged.

    The transient ends early for an orbit that has reached a fixed point to round-off
    (max |x_{n+1} - x_n| <= 1e-13 (1 + max |x_n|)): nothing would change in the remaining steps.
    """
    adv = _advance(system, cfg)

    def step(carry):
        x, t, bad = carry[:3]
        xn, tn = adv(x, t)
        bad = bad | _is_bad(xn, bound)
        still = jnp.max(jnp.abs(xn - x)) <= 1e-13 * (1.0 + jnp.max(jnp.abs(x)))
        return jnp.where(bad, x, xn), tn, bad, still | bad

    def one(x0, t0):
        def cond(c):
            return (c[4] < n_transient) & ~c[3]

        def body(c):
            return (*step(c), c[4] + 1)

        carry = jax.lax.while_loop(cond, body, (x0, t0, _is_bad(x0, bound), jnp.zeros((), bool), 0))

        def rec(c, _):
            c = step(c)
            return c, c[0]

        (x, t, bad, _), xs = jax.lax.scan(rec, carry[:4], None, length=window)
        return xs, x, t, bad

    return jax.vmap(one)(x0s, t0s)


@eqx.filter_jit
def _label_kernel(system: System, cfg: _Cfg, x0s, t0s, run0, table, origin, cell, n_steps, n_consecutive, bound):
    """Evolve every initial condition until it is labelled (attractor, diverged) or ``n_steps`` have passed.

    A batch-level ``while_loop`` (measured faster on CPU than a vmapped per-orbit loop here);
    ``table`` is ``("dense", lo, strides, shape, labels)`` (a label per cell of the attractors'
    bounding box) or ``("keys", sorted hashed cells, labels)``. ``run0`` (n, 2): the attractor label of
    the current run of consecutive steps and its length, carried over between calls.
    """
    adv = jax.vmap(_advance(system, cfg))
    mode = table[0]

    def lookup(x):
        c = _cell_coords(x, origin, cell, jnp)
        if mode == "dense":
            _, lo, strides, shape, labs = table
            idx = c - lo
            inside = jnp.all((idx >= 0) & (idx < shape), axis=-1)
            flat = jnp.where(inside, jnp.sum(idx * strides, axis=-1), 0)
            return jnp.where(inside, labs[flat], _NONE)
        _, keys, labs = table
        key = _hash(c, jnp)
        pos = jnp.clip(jnp.searchsorted(keys, key, method="sort"), 0, keys.shape[0] - 1)
        return jnp.where(keys[pos] == key, labs[pos], _NONE)

    def cond(s):
        return jnp.any(s[2] == UNDETERMINED) & (s[6] < n_steps)

    def body(s):
        x, t, lab, run_lab, run_len, k, it = s
        act = lab == UNDETERMINED
        xn, tn = adv(x, t)
        bad = ~(jnp.all(jnp.isfinite(xn), axis=1) & (jnp.max(jnp.abs(xn), axis=1) <= bound))
        xn = jnp.where(bad[:, None], x, xn)
        lnow = lookup(xn)
        run_len = jnp.where((lnow >= 0) & (lnow == run_lab), run_len + 1, jnp.where(lnow >= 0, 1, 0))
        new = jnp.where(bad, DIVERGED, jnp.where(run_len >= n_consecutive, lnow, UNDETERMINED))
        return (jnp.where(act[:, None], xn, x), jnp.where(act, tn, t), jnp.where(act, new, lab), lnow, run_len,
                k + act, it + 1)

    n = x0s.shape[0]
    lab0 = jnp.where(jnp.all(jnp.isfinite(x0s), axis=1) & (jnp.max(jnp.abs(x0s), axis=1) <= bound),
                     UNDETERMINED, DIVERGED)
    s = (x0s, t0s, lab0, run0[:, 0], run0[:, 1], jnp.zeros(n, dtype=jnp.int64), jnp.zeros((), dtype=jnp.int64))
    x, t, lab, run_lab, run_len, k, _ = jax.lax.while_loop(cond, body, s)
    return x, t, lab, k, jnp.stack([run_lab, run_len], axis=1)


def _bucket(n: int) -> int:
    """Padded batch size (powers of two from 64) so that shrinking batches reuse compilations."""
    return max(64, 1 << (int(n) - 1).bit_length())


def _pad(a: np.ndarray, size: int) -> np.ndarray:
    if a.shape[0] == size:
        return a
    return np.concatenate([a, np.repeat(a[:1], size - a.shape[0], axis=0)], axis=0)


# --- grouping cells into attractors ----------------------------------------------------------
_NEIGHBOR_MAX_DIM = 4
_DENSE_MAX = 1 << 22
_FIRST_ROUND = 8  # steps of the first labelling round (then doubled)


def _offsets(d: int) -> np.ndarray:
    if d > _NEIGHBOR_MAX_DIM:
        return np.zeros((0, d), dtype=np.int64)
    grids = np.meshgrid(*([np.array([-1, 0, 1])] * d), indexing="ij")
    off = np.stack([g.ravel() for g in grids], axis=1).astype(np.int64)
    return off[np.any(off != 0, axis=1)]


class _Attractors:
    """The attractors found so far: their cells (integer coordinates) and sample states."""

    def __init__(self, d: int, max_points: int = 500):
        self.d = d
        self.cells: list[np.ndarray] = []  # per label: (n, d) int64 unique cells
        self.points: list[np.ndarray] = []
        self.max_points = max_points

    def __len__(self) -> int:
        return len(self.cells)

    def add_windows(self, coords: np.ndarray, states: np.ndarray) -> dict[int, int]:
        """Join the cells of new windows (B, W, d) with the known attractors; returns label merges (old -> new)."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        B, W, d = coords.shape
        L = len(self.cells)
        rows = [coords.reshape(-1, d)] + self.cells
        src = [np.repeat(np.arange(B), W)] + [np.full(c.shape[0], B + l) for l, c in enumerate(self.cells)]
        allc = np.concatenate(rows, axis=0)
        alls = np.concatenate(src)
        keys = _hash(allc, np)
        ukeys, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        ucells = allc[first]
        n_u, n_s = ukeys.size, B + L
        ei = [inv, ]
        ej = [n_u + alls]
        for off in _offsets(d):
            nk = _hash(ucells + off, np)
            pos = np.clip(np.searchsorted(ukeys, nk), 0, n_u - 1)
            hit = ukeys[pos] == nk
            ei.append(np.flatnonzero(hit))
            ej.append(pos[hit])
        ei, ej = np.concatenate(ei), np.concatenate(ej)
        graph = coo_matrix((np.ones(ei.size, dtype=np.int8), (ei, ej)), shape=(n_u + n_s, n_u + n_s))
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
        cells = [[] for _ in range(next_label)]
        pts = [[] for _ in range(next_label)]
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
        self.points = [np.concatenate(p, axis=0)[-self.max_points:] if p else np.zeros((0, d)) for p in pts]
        return merges

    def table(self) -> tuple:
        """Cell -> label lookup for the kernel, every attractor dilated by one cell (ambiguous cells dropped):
        a dense array over the bounding box when it has at most ``_DENSE_MAX`` cells, else sorted hashed keys."""
        keys, labs, prio, cells_all = [], [], [], []
        offs = _offsets(self.d)
        for lab, c in enumerate(self.cells):
            if c.size == 0:
                continue
            keys.append(_hash(c, np))
            cells_all.append(c)
            labs.append(np.full(c.shape[0], lab))
            prio.append(np.zeros(c.shape[0], dtype=np.int64))
            if offs.size:
                dil = (c[:, None, :] + offs[None]).reshape(-1, self.d)
                keys.append(_hash(dil, np))
                cells_all.append(dil)
                labs.append(np.full(dil.shape[0], lab))
                prio.append(np.ones(dil.shape[0], dtype=np.int64))
        if not keys:
            return ("keys", jnp.asarray(np.array([_SENTINEL], dtype=np.int64)),
                    jnp.asarray(np.array([_NONE], dtype=np.int64)))
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
            dense = np.full(size, _NONE, dtype=np.int64)
            dense[(cells - lo) @ strides] = lab
            return ("dense", jnp.asarray(lo), jnp.asarray(strides), jnp.asarray(shape.astype(np.int64)),
                    jnp.asarray(dense))
        size = 1 << max(0, int(k.size - 1).bit_length())
        return ("keys", jnp.asarray(np.concatenate([k, np.full(size - k.size, _SENTINEL)])),
                jnp.asarray(np.concatenate([lab, np.full(size - k.size, _NONE)]).astype(np.int64)))


# --- entropy and uncertainty ------------------------------------------------------------------
def _boxes(labels: np.ndarray, eps: int) -> np.ndarray:
    """Labels of the non-overlapping eps^n boxes, shape (n_boxes, eps^n) (the remainder is cropped)."""
    n = labels.ndim
    crop = tuple(slice(0, (s // eps) * eps) for s in labels.shape)
    a = labels[crop]
    shape = []
    for s in a.shape:
        shape += [s // eps, eps]
    a = a.reshape(shape)
    a = a.transpose(list(range(0, 2 * n, 2)) + list(range(1, 2 * n, 2)))
    return a.reshape(-1, eps ** n)


def _check_labels(labels: Any, what: str) -> np.ndarray:
    lab = np.asarray(labels)
    if lab.ndim < 1 or lab.size == 0:
        raise ValueError(f"{what} needs a non-empty array of basin labels (e.g. Basins.labels), got shape {lab.shape}")
    if not np.issubdtype(lab.dtype, np.integer):
        if not np.all(np.isfinite(lab)) or np.any(lab != np.round(lab)):
            raise ValueError(f"{what}: labels must be integers (one per initial condition)")
        lab = lab.astype(np.int64)
    return lab


def basin_entropy(labels: Any, eps: int = 5) -> tuple[float, float]:
    """Basin entropy S_b and boundary basin entropy S_bb of a grid of labels (Daza et al. 2016).

    Non-overlapping boxes of ``eps`` cells per side; S_i = sum_j p_ij ln(1/p_ij) in box i;
    S_b = mean of S_i over all boxes, S_bb = mean over the boxes holding more than one label
    (natural log). S_bb > ln 2 is Daza et al.'s sufficient condition for a fractal boundary.
    Daza, Wagemakers, Georgeot, Guery-Odelin & Sanjuan, Sci. Rep. 6, 31416 (2016).
    """
    lab = _check_labels(labels, "basin_entropy")
    eps = int(eps)
    if eps < 2 or any(s < eps for s in lab.shape):
        raise ValueError(f"eps must be >= 2 and at most the grid size {lab.shape}, got {eps}")
    boxes = _boxes(lab, eps)
    _, inv = np.unique(boxes, return_inverse=True)
    inv = inv.reshape(boxes.shape)
    k = int(inv.max()) + 1
    counts = np.zeros((boxes.shape[0], k))
    np.add.at(counts, (np.repeat(np.arange(boxes.shape[0]), boxes.shape[1]), inv.ravel()), 1.0)
    p = counts / boxes.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = -np.sum(np.where(p > 0, p * np.log(p), 0.0), axis=1)
    boundary = np.count_nonzero(counts, axis=1) > 1
    sb = float(s.mean())
    sbb = float(s[boundary].mean()) if boundary.any() else 0.0
    return sb, sbb


def uncertainty_exponent(labels: Any, eps: Any = None) -> tuple[float, np.ndarray, np.ndarray]:
    """Uncertainty exponent alpha from f(eps) ~ eps^alpha (Grebogi, McDonald, Ott & Yorke 1983).

    f(eps): fraction of non-overlapping boxes of ``eps`` cells per side holding more than one
    label; alpha: least-squares slope of ln f against ln eps over ``eps`` (default: about ten
    log-spaced integer sizes from 2 to a quarter of the smallest grid side). Returns
    (alpha, eps, f); alpha is NaN if no box is uncertain. Phys. Lett. A 99, 415 (1983).
    """
    lab = _check_labels(labels, "uncertainty_exponent")
    if eps is None:
        top = max(3, min(lab.shape) // 4)
        eps = np.unique(np.round(np.geomspace(2, top, 10)).astype(int))
    eps = np.asarray(eps, dtype=int).ravel()
    if eps.size < 2 or np.any(eps < 1) or np.any(eps > min(lab.shape)):
        raise ValueError(f"eps needs >= 2 box sizes between 1 and {min(lab.shape)} cells, got {eps.tolist()}")
    f = np.empty(eps.size)
    for i, e in enumerate(eps):
        boxes = _boxes(lab, int(e))
        f[i] = np.mean(np.any(boxes != boxes[:, :1], axis=1))
    ok = f > 0
    if ok.sum() < 2:
        return math.nan, eps, f
    alpha = float(np.polyfit(np.log(eps[ok]), np.log(f[ok]), 1)[0])
    return alpha, eps, f


# --- result --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Basins:
    """The result of `basins_of_attraction`.

    labels: grid-shaped int array (``labels[i, j]`` belongs to ``grid[0][i]``, ``grid[1][j]``):
    0..K-1 attractors, -1 diverged, -2 undetermined. attractors: {label: (m, d) sample states on
    the attractor}. fractions: {label: fraction of the grid}. iterations: steps (map
    iterations or flow samples) each initial condition needed to be labelled.
    """

    labels: np.ndarray
    grid: tuple[np.ndarray, ...]
    dims: tuple[int, ...]
    attractors: dict[int, np.ndarray]
    fractions: dict[int, float]
    iterations: np.ndarray
    basin_entropy: float
    boundary_basin_entropy: float
    uncertainty_exponent: float
    system_name: str
    names: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def n_attractors(self) -> int:
        return len(self.attractors)

    @property
    def fractal_boundary(self) -> bool:
        """Daza et al.'s ln 2 criterion: S_bb > ln 2 implies a fractal basin boundary (sufficient, not necessary)."""
        return self.boundary_basin_entropy > math.log(2.0)

    def to_xarray(self):
        import xarray as xr

        dnames = [self.names[i] for i in self.dims]
        coords = {n: g for n, g in zip(dnames, self.grid)}
        return xr.Dataset(
            {"labels": (dnames, self.labels), "iterations": (dnames, self.iterations)},
            coords=coords,
            attrs={"system": self.system_name, "basin_entropy": self.basin_entropy,
                   "boundary_basin_entropy": self.boundary_basin_entropy,
                   "uncertainty_exponent": self.uncertainty_exponent, "n_attractors": self.n_attractors,
                   "labels_meaning": "0..K-1 attractors, -1 diverged, -2 undetermined",
                   **{k: v for k, v in self.settings.items() if isinstance(v, (int, float, str))}},
        )

    def to_dict(self, labels: bool = False) -> dict[str, Any]:
        """JSON-ready summary (attractor centroids, fractions, entropies, alpha); ``labels=True`` adds the grid."""
        def num(v):
            return None if not math.isfinite(v) else float(v)

        out: dict[str, Any] = {
            "system": self.system_name,
            "dims": [self.names[i] for i in self.dims],
            "grid": [[float(g[0]), float(g[-1]), int(g.size)] for g in self.grid],
            "n_attractors": self.n_attractors,
            "attractors": {str(k): {"centroid": [float(v) for v in np.mean(p, axis=0)],
                                    "n_points": int(p.shape[0]),
                                    "extent": [float(v) for v in np.ptp(p, axis=0)]}
                           for k, p in self.attractors.items()},
            "fractions": {("diverged" if k == DIVERGED else "undetermined" if k == UNDETERMINED else str(k)): float(v)
                          for k, v in self.fractions.items()},
            "basin_entropy": num(self.basin_entropy),
            "boundary_basin_entropy": num(self.boundary_basin_entropy),
            "fractal_boundary_ln2_criterion": bool(self.fractal_boundary),
            "uncertainty_exponent": num(self.uncertainty_exponent),
            "settings": {k: v for k, v in self.settings.items() if isinstance(v, (int, float, str, list, type(None)))},
        }
        if labels:
            out["labels"] = self.labels.tolist()
        return out

    def plot(self, ax=None, *, attractors: bool = True):
        """Basins as a colour map (diverged black, undetermined grey) with the attractors' sample points."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap

        if self.labels.ndim != 2:
            raise ValueError(f"plot needs a 2-D slice of initial conditions, these basins have shape {self.labels.shape}")
        fig, ax = plt.subplots(figsize=(6, 5.2)) if ax is None else (ax.figure, ax)
        k = max(self.n_attractors, 1)
        base = plt.get_cmap("tab10" if k <= 10 else "tab20")
        colors = ["black", "0.6"] + [base(i % base.N) for i in range(k)]
        img = np.where(self.labels >= 0, self.labels + 2, np.where(self.labels == DIVERGED, 0, 1))
        g0, g1 = self.grid
        ax.imshow(img.T, origin="lower", cmap=ListedColormap(colors), vmin=-0.5, vmax=len(colors) - 0.5,
                  extent=(g0[0], g0[-1], g1[0], g1[-1]), aspect="auto", interpolation="nearest")
        if attractors:
            i, j = self.dims
            for lab, pts in self.attractors.items():
                ax.scatter(pts[:, i], pts[:, j], s=4, c="white", edgecolors="k", linewidths=0.3,
                           label=f"attractor {lab} ({self.fractions.get(lab, 0.0):.3f})")
        ax.set_xlim(g0[0], g0[-1])
        ax.set_ylim(g1[0], g1[-1])
        ax.set_xlabel(self.names[self.dims[0]])
        ax.set_ylabel(self.names[self.dims[1]])
        ax.set_title(f"{self.system_name}: basins (S_b={self.basin_entropy:.3f}, S_bb={self.boundary_basin_entropy:.3f})")
        if attractors and self.attractors:
            ax.legend(fontsize=7, loc="upper right")
        fig.tight_layout()
        return fig

    def __repr__(self) -> str:
        fr = ", ".join(f"{'diverged' if k == DIVERGED else 'undetermined' if k == UNDETERMINED else k}: {v:.4f}"
                       for k, v in self.fractions.items())
        return (f"Basins({self.system_name!r}, grid {self.labels.shape}, {self.n_attractors} attractors; "
                f"fractions {{{fr}}}; S_b={self.basin_entropy:.4f}, S_bb={self.boundary_basin_entropy:.4f}, "
                f"alpha={self.uncertainty_exponent:.3f})")


# --- driver -----------------------------------------------------------------------------------
def _grid_states(system: System, grid: Any, dims: Any, x0: Any) -> tuple[tuple[np.ndarray, ...], tuple[int, ...],
                                                                      np.ndarray]:
    d = system.dim
    if isinstance(grid, np.ndarray) and grid.ndim == 1:
        grid = (grid,)
    try:
        axes = tuple(np.asarray(g, dtype=np.float64) for g in grid)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"grid must be a sequence of 1-D arrays of coordinates, one per sliced variable: {exc}") from exc
    if not axes or any(g.ndim != 1 or g.size < 2 for g in axes):
        raise ValueError("grid must be a sequence of 1-D arrays with >= 2 points each, e.g. "
                         "(np.linspace(-1.5, 1.5, 200), np.linspace(-1.5, 1.5, 200))")
    if any(not np.all(np.isfinite(g)) for g in axes):
        raise ValueError("grid coordinates must be finite")
    if any(np.any(np.diff(g) <= 0) for g in axes):
        raise ValueError("grid coordinates must be strictly increasing")
    dims = tuple(range(len(axes))) if dims is None else tuple(int(i) for i in dims)
    if len(dims) != len(axes):
        raise ValueError(f"dims {dims} names {len(dims)} variables but grid has {len(axes)} axes")
    if len(set(dims)) != len(dims) or any(not 0 <= i < d for i in dims):
        raise ValueError(f"dims must be distinct variable indices in [0, {d}), got {dims}")
    base = as_state(system.x0 if x0 is None else x0, d, what="x0", allow_batch=False)
    mesh = np.meshgrid(*axes, indexing="ij")
    states = np.repeat(base[None], mesh[0].size, axis=0)
    for i, m in zip(dims, mesh):
        states[:, i] = m.ravel()
    return axes, dims, states


def basins_of_attraction(system: Map | Flow, grid: Any, *, dims: Any = None, x0: Any = None,
                         cell_size: Any = None, transient: int | None = None, window: int | None = None,
                         n_consecutive: int = 10, max_steps: int | None = None, n_discovery: int = 1024,
                         dt: float | None = None, sample_every: int = 10, method: str = "rk4",
                         bound: float = 1e8, eps: int = 5, seed: int = 0, t0: float = 0.0) -> Basins:
    """Basins of attraction on a grid of initial conditions, with the attractors found on the way.

    ``grid``: one 1-D array per sliced variable (``dims``, default the first len(grid)); the other
    variables stay at ``x0`` (default ``system.x0``). Attractors are identified by recurrences in
    a cell grid of size ``cell_size`` (scalar or per variable; default the grid spacing, its
    smallest value for variables off the grid), following Datseris & Wagemakers, Chaos 32,
    023104 (2022) (see the module docstring for the vectorised algorithm and its parameters).
    Steps are map iterations, or for flows samples of ``sample_every`` RK steps of ``dt``
    (default ``system.dt``). ``transient`` (default 1000 steps for maps, 500 samples for flows)
    is the time allowed to settle before an orbit's cells define an attractor; ``max_steps``
    (default 20 x transient) bounds the labelling. Labels: 0..K-1 attractors, -1 diverged
    (non-finite or max |x| > ``bound``), -2 undetermined. Also returns basin fractions, the basin
    entropy and boundary basin entropy for ``eps``-boxes (Daza et al., Sci. Rep. 6, 31416 (2016))
    and the uncertainty exponent (Grebogi et al., Phys. Lett. A 99, 415 (1983)).
    """
    if isinstance(system, SDE) or not isinstance(system, (Map, Flow)):
        raise TypeError(f"basins_of_attraction needs a deterministic dynstab Map or Flow, got "
                        f"{getattr(system, 'kind', type(system).__name__)}")
    is_map = isinstance(system, Map)
    axes, dims, states = _grid_states(system, grid, dims, x0)
    d = system.dim
    n_ic = states.shape[0]
    transient = (1000 if is_map else 500) if transient is None else int(transient)
    window = (100 if is_map else 100) if window is None else int(window)
    max_steps = 20 * max(transient, 1) if max_steps is None else int(max_steps)
    if transient < 0 or window < 1 or int(n_consecutive) < 1 or max_steps < 1 or int(n_discovery) < 1:
        raise ValueError("need transient >= 0, window >= 1, n_consecutive >= 1, max_steps >= 1 and n_discovery >= 1; "
                         f"got {transient}, {window}, {n_consecutive}, {max_steps}, {n_discovery}")
    if not bound > 0:
        raise ValueError(f"bound must be positive, got {bound}")
    if is_map:
        cfg = _Cfg("map", 1.0, 1, "iterate")
    else:
        if method not in FIXED_STEP_METHODS:
            raise ValueError(f"method must be one of {sorted(FIXED_STEP_METHODS)}, got {method!r}")
        h = float(system.dt if dt is None else dt)
        if not (h > 0 and math.isfinite(h)):
            raise ValueError(f"dt must be positive and finite, got {dt}")
        if int(sample_every) < 1:
            raise ValueError(f"sample_every must be >= 1, got {sample_every}")
        cfg = _Cfg("flow", h, int(sample_every), method)

    spacing = np.array([float(np.min(np.diff(g))) for g in axes])
    if cell_size is None:
        cell = np.full(d, spacing.min())
        cell[list(dims)] = spacing
    else:
        cell = np.broadcast_to(np.asarray(cell_size, dtype=np.float64), (d,)).copy()
    if not np.all(np.isfinite(cell) & (cell > 0)):
        raise ValueError(f"cell_size must be positive and finite, got {cell_size}")
    origin = states[0].copy()
    origin[list(dims)] = [g[0] - 0.5 * s for g, s in zip(axes, spacing)]
    origin_j, cell_j = jnp.asarray(origin), jnp.asarray(cell)

    atts = _Attractors(d)
    labels = np.full(n_ic, UNDETERMINED, dtype=np.int64)
    iters = np.zeros(n_ic, dtype=np.int64)
    x = states.copy()
    t = np.full(n_ic, float(t0))
    bound_j = float(bound)

    def discover(idx: np.ndarray, n_tr: int) -> dict[int, int]:
        size = _bucket(idx.size)
        xs, xe, te, bad = _window_kernel(system, cfg, jnp.asarray(_pad(x[idx], size)), jnp.asarray(_pad(t[idx], size)),
                                         jnp.asarray(int(n_tr)), window, bound_j)
        xs, bad = np.asarray(xs)[: idx.size], np.asarray(bad)[: idx.size]
        good = ~bad
        if not good.any():
            return {}
        coords = _cell_coords(xs[good], origin, cell, np)
        return atts.add_windows(coords, xs[good])

    # 1. discovery on a seeded sample (copies: the sample's own labelling starts from the grid)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n_ic, size=min(int(n_discovery), n_ic), replace=False))
    discover(sample, transient)

    # 2. labelling, with discovery rounds for initial conditions that settle elsewhere, in rounds of growing length (16, 32, ... up to the transient): after each round the
    # labelled initial conditions drop out of the batch, so late rounds run on few orbits
    chunk = min(_FIRST_ROUND, max(transient, 1))
    run = np.zeros((n_ic, 2), dtype=np.int64)
    run[:, 0] = _NONE
    table = None
    while True:
        active = np.flatnonzero(labels == UNDETERMINED)
        if active.size == 0 or iters[active].min() >= max_steps:
            break
        if table is None:
            table = atts.table()
        size = active.size if active.size == n_ic else _bucket(active.size)  # the full grid is not padded
        steps = int(min(chunk, max_steps - iters[active].min()))
        chunk = min(2 * chunk, max(transient, _FIRST_ROUND))
        xa, ta, la, ka, ra = _label_kernel(system, cfg, jnp.asarray(_pad(x[active], size)),
                                           jnp.asarray(_pad(t[active], size)), jnp.asarray(_pad(run[active], size)),
                                           table, origin_j, cell_j, jnp.asarray(steps), jnp.asarray(int(n_consecutive)),
                                           bound_j)
        n = active.size
        x[active], t[active], run[active] = np.asarray(xa)[:n], np.asarray(ta)[:n], np.asarray(ra)[:n]
        labels[active], iters[active] = np.asarray(la)[:n], iters[active] + np.asarray(ka)[:n]
        left = np.flatnonzero((labels == UNDETERMINED) & (iters >= transient) & (iters < max_steps))
        if left.size:
            table = None  # new cells: rebuild the lookup table
            new = discover(left, 0)
            for old, to in new.items():
                labels[labels == old] = to
                run[run[:, 0] == old, 0] = to

    # relabel: drop merged slots, order attractors by their centroid (deterministic)
    live = [lab for lab in range(len(atts)) if atts.cells[lab].size and np.any(labels == lab)]
    cents = [tuple(np.round(np.mean(atts.points[lab], axis=0), 8)) for lab in live]
    order = [live[i] for i in sorted(range(len(live)), key=lambda i: cents[i])]
    remap = {old: new for new, old in enumerate(order)}
    out = labels.copy()
    for old, new in remap.items():
        out[labels == old] = new
    shape = tuple(g.size for g in axes)
    out = out.reshape(shape)
    n_undet = int(np.sum(out == UNDETERMINED))
    if n_undet:
        warnings.warn(f"{system.name}: {n_undet} of {n_ic} initial conditions did not settle on an attractor "
                      f"within max_steps={max_steps} (label -2); raise max_steps/transient or change cell_size",
                      RuntimeWarning, stacklevel=2)
    uniq, cnt = np.unique(out, return_counts=True)
    fractions = {int(u): float(c) / n_ic for u, c in zip(uniq, cnt)}
    if out.ndim >= 2 and min(out.shape) >= 2 * max(int(eps), 2):
        sb, sbb = basin_entropy(out, eps)
        alpha = uncertainty_exponent(out)[0]
    else:
        sb = sbb = alpha = math.nan
    settings = {"transient": transient, "window": window, "n_consecutive": int(n_consecutive),
                "max_steps": max_steps, "n_discovery": int(sample.size), "bound": float(bound), "eps": int(eps),
                "seed": seed, "cell_size": [float(c) for c in cell], "kind": system.kind}
    if not is_map:
        settings.update(dt=cfg.h, sample_every=cfg.sub, method=method)
    return Basins(labels=out, grid=axes, dims=dims,
                  attractors={remap[o]: atts.points[o] for o in order}, fractions=fractions,
                  iterations=iters.reshape(shape), basin_entropy=sb, boundary_basin_entropy=sbb,
                  uncertainty_exponent=alpha, system_name=system.name, names=tuple(system.names),
                  settings=settings)
