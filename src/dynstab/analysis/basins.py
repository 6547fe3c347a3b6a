r"""Basins of attraction on a grid of initial conditions, basin entropy and the uncertainty exponent.

Attractors and basins (recurrences in a state-space cell grid)
--------------------------------------------------------------
The idea of ``AttractorsViaRecurrences`` (G. Datseris and A. Wagemakers, "Effortless estimation
of basins of attraction", Chaos 32, 023104 (2022)): state space is tiled by cells of size
``cell_size``; an attractor is a set of cells that an orbit keeps recurring to, and an initial
condition belongs to the basin of the attractor whose cells its orbit settles in. The sequential
cell-colouring of the original is recast here in a vectorised form (initial conditions run in
parallel, ``jax.vmap`` of compiled ``lax.while_loop`` s over chunks of orbits, see Performance):

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

Attractors given (proximity)
----------------------------
``AttractorsViaProximity`` of the same paper: when the attractors are known (fixed points, periodic
orbits, samples of chaotic attractors: ``attractors=[...]``), every orbit is evolved until its
state comes within Euclidean distance ``radius`` of a point of attractor k (for ``n_consecutive``
consecutive checks) and gets label k; no discovery, every orbit stops at its own step. The test is
made every ``check_every`` steps (8 for maps: the loop's exit test costs about as much as a map
step), so an orbit may take up to ``check_every - 1`` steps more than needed.

Performance (XLA CPU)
---------------------
A vmapped ``lax.while_loop`` runs all its lanes until the slowest one is done, so every kernel maps
chunks of 256 orbits (``lax.map``), each chunk with its own while_loop; between rounds of growing
length (64, 256, ... steps) the labelled orbits drop out and the rest are compacted. On the Newton
z^3 - 1 grid (200 x 200) the labelling with roots given runs within about 1.0-1.5x of a serial numba
loop; finding the attractors (discovery, cell graph, 10 consecutive steps per orbit with a cell
lookup at each step) costs about 10-15x that.

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
from functools import cached_property
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..simulate.evolution import Evolution, run
from ..systems.base import Flow, Map, System, as_state, check_system

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
    evolution: Evolution
    sub: int  # steps per sample (1 for maps)

    @property
    def dt_step(self):
        """Increment of the law's time per sample."""
        return self.sub * self.evolution.tick


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
# Every kernel runs each initial condition in its own ``lax.while_loop`` (vmapped), over chunks of
# ``_CHUNK`` lanes (``lax.map``). On XLA CPU a vmapped while_loop runs all its lanes until the last one
# is done, so one slow orbit would hold the whole grid: in chunks, each chunk stops at its own slowest
# lane. Measured on the Newton z^3 - 1 grid (200 x 200, 2-core CPU): 256 lanes per chunk ~1.4 ms,
# 1024 lanes ~12 ms, the whole grid in one loop ~26 ms; the loop's exit test costs about as much as a
# map step, so it is taken every ``every`` steps (8 steps: 1.4 ms, every step: 3-7 ms).
_CHUNK = 256


def _chunk_map(fn, *arrays, chunk: int | None = None):
    """``vmap(fn)`` over the leading axis of ``arrays`` in chunks of ``chunk`` lanes (``lax.map`` over chunks);
    the leading size must be a multiple of ``chunk`` or at most ``chunk``. Default: ``_CHUNK`` on CPU; on an
    accelerator one vmap over everything (its lanes run in lockstep anyway; sequential chunks would idle it)."""
    n = arrays[0].shape[0]
    if chunk is None:
        chunk = _CHUNK if jax.default_backend() == "cpu" else n
    if n <= chunk:
        return jax.vmap(fn)(*arrays)
    split = [a.reshape((n // chunk, chunk) + a.shape[1:]) for a in arrays]
    out = jax.lax.map(lambda args: jax.vmap(fn)(*args), split)
    return jax.tree.map(lambda o: o.reshape((n,) + o.shape[2:]), out)


def _advance(system: System, cfg: _Cfg):
    """One sample: ``sub`` steps of the system's evolution from law time t."""
    ev = cfg.evolution
    step = ev.step(system.params)
    return lambda x, t: (run(step, x, t, ev.tick, cfg.sub), t + cfg.dt_step)


def _is_bad(x, bound):
    return ~(jnp.all(jnp.isfinite(x)) & (jnp.max(jnp.abs(x)) <= bound))


@eqx.filter_jit
def _window_kernel(system: System, cfg: _Cfg, x0s, t0s, n_transient, window: int, bound, origin, cell):
    """Evolve up to ``n_transient`` steps (dynamic), then record ``window`` states and their cells (integer
    coordinates, cells of size ``cell`` from ``origin``); frozen once diverged.

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

        (_, _, bad, _), xs = jax.lax.scan(rec, carry[:4], None, length=window)
        return xs, _cell_coords(xs, origin, cell, jnp), bad

    return _chunk_map(one, x0s, t0s)


def _table_lookup(table, origin, cell):
    """Label of the attractor cell holding one state (``_NONE`` outside): ``table`` is ``("dense", lo,
    strides, shape, labels)`` (a label per cell of the attractors' bounding box) or ``("keys", sorted
    hashed cells, labels)``."""
    mode = table[0]

    def lookup(x):
        c = _cell_coords(x, origin, cell, jnp)
        if mode == "dense":
            _, lo, strides, shape, labs = table
            idx = c - lo
            inside = jnp.all((idx >= 0) & (idx < shape))
            return jnp.where(inside, labs[jnp.where(inside, jnp.sum(idx * strides), 0)], _NONE)
        _, keys, labs = table
        key = _hash(c, jnp)
        pos = jnp.clip(jnp.searchsorted(keys, key, method="sort"), 0, keys.shape[0] - 1)
        return jnp.where(keys[pos] == key, labs[pos], _NONE)

    return lookup


@eqx.filter_jit
def _label_kernel(system: System, cfg: _Cfg, x0s, run0, table, origin, cell, k0, t0, n_steps, n_consecutive, bound,
                  every: int):
    """Evolve every initial condition until it is labelled (attractor, diverged) or ``n_steps`` have passed.

    Per orbit and step: the attractor label of the cell of the new state (``table``, see `_table_lookup`),
    the run of consecutive steps in one attractor's cells, the label once the run reaches ``n_consecutive``
    (diverged: non-finite or max |x| > ``bound``); the label and the step count are kept from then on. The
    loop exit is tested every ``every`` steps (``n_steps`` is a multiple of it); a labelled orbit's state
    runs on to the end of its block unused (no per-step freezing: each carried value costs a select per
    orbit and step). All orbits of a call start at step ``k0``, time ``t0``; ``run0`` (n, 2): the label
    of the current run and its length. Returns states, labels, steps taken in this call and runs.
    """
    adv = _advance(system, cfg)
    lookup = _table_lookup(table, origin, cell)
    dt_step = cfg.dt_step

    def lane(x0, r0):
        def block(c):
            tb = t0 + (k0 + c[4]) * dt_step

            def one_step(j, c):
                x, lab, run_lab, run_len, k = c
                und = lab == UNDETERMINED
                xn, _ = adv(x, tb + j * dt_step)
                bad = _is_bad(xn, bound)
                lnow = lookup(xn)
                rlen = jnp.where((lnow >= 0) & (lnow == run_lab), run_len + 1, jnp.where(lnow >= 0, 1, 0))
                new = jnp.where(bad, DIVERGED, jnp.where(rlen >= n_consecutive, lnow, UNDETERMINED))
                return xn, jnp.where(und, new, lab), lnow, rlen, k + und

            return jax.lax.fori_loop(0, every, one_step, c)

        lab0 = jnp.where(_is_bad(x0, bound), DIVERGED, UNDETERMINED)
        c = (x0, lab0, r0[0], r0[1], jnp.zeros((), jnp.int64))
        x, lab, run_lab, run_len, k = jax.lax.while_loop(
            lambda c: (c[1] == UNDETERMINED) & (c[4] < n_steps), block, c)
        return x, lab, k, jnp.stack([run_lab, run_len])

    return _chunk_map(lane, x0s, run0)


@eqx.filter_jit
def _proximity_kernel(system: System, cfg: _Cfg, x0s, hit0, points, owner, r2, k0, t0, n_steps, n_transient,
                      n_consecutive, bound, every: int, runs: bool):
    """AttractorsViaProximity on a batch: evolve each orbit ``every`` steps at a time; after each block,
    the nearest attractor point (squared Euclidean distance to ``points`` (M, d), attractor ``owner`` (M,))
    within ``r2`` counts a hit for its attractor once ``n_transient`` steps have passed; ``n_consecutive``
    consecutive hits on one attractor label the orbit (``runs=False``: one hit, no run bookkeeping and
    ``hit0`` unused). Diverged: non-finite or max |x| > ``bound`` at a check (state frozen at its last
    finite value). Stops after ``n_steps`` steps of this call. All orbits of a call have taken the same
    ``k0`` steps before (time ``t0``); ``hit0`` (n, 2): attractor and length of the current run of hits.
    Only what must be is carried per orbit (each carried value costs a select per orbit and block):
    the time is t0 + steps x step length, so an autonomous law does no time arithmetic at all.
    Returns states, labels, steps taken in this call and runs.
    """
    adv = _advance(system, cfg)
    dt_step = cfg.dt_step

    def lane(x0, *h0):
        lab0 = jnp.where(_is_bad(x0, bound), DIVERGED, UNDETERMINED)

        def body(c):
            x, lab, i = c[:3]
            tb = t0 + (k0 + i) * dt_step
            xn = jax.lax.fori_loop(0, every, lambda j, y: adv(y, tb + j * dt_step)[0], x)
            bad = _is_bad(xn, bound)
            d2 = jnp.sum((xn[None, :] - points) ** 2, axis=1)
            j = jnp.argmin(d2)
            near = (d2[j] <= r2) & (k0 + i + every >= n_transient)
            who = jnp.where(near, owner[j], _NONE)
            if runs:
                hlen = jnp.where(near & (who == c[3]), c[4] + 1, jnp.where(near, 1, 0))
                done = hlen >= n_consecutive
            else:
                done = near
            lab = jnp.where(bad, DIVERGED, jnp.where(done, who, UNDETERMINED))
            out = (jnp.where(bad, x, xn), lab, i + every)
            return out + (who, hlen) if runs else out

        c = (x0, lab0, jnp.zeros((), jnp.int64)) + ((h0[0][0], h0[0][1]) if runs else ())
        c = jax.lax.while_loop(lambda c: (c[1] == UNDETERMINED) & (c[2] < n_steps), body, c)
        return (c[0], c[1], c[2]) + ((jnp.stack([c[3], c[4]]),) if runs else ())

    return _chunk_map(lane, x0s, *((hit0,) if runs else ()))


def _bucket(n: int) -> int:
    """Padded batch size, so that shrinking batches reuse compilations: powers of two from 64 up to
    16 ``_CHUNK``, then 8 sizes per octave (multiples of ``_CHUNK``, at most 12.5% padding)."""
    n = max(int(n), 1)
    size = max(64, 1 << (n - 1).bit_length())
    if size <= 16 * _CHUNK:
        return size
    step = 1 << ((n - 1).bit_length() - 3)
    return -(-n // step) * step


def _pad(a: np.ndarray, size: int, fill: float = 0) -> np.ndarray:
    """Pad the leading axis to ``size`` with ``fill`` (NaN states: padded lanes are 'diverged' at once and
    never hold their chunk's loop)."""
    if a.shape[0] == size:
        return a
    return np.concatenate([a, np.full((size - a.shape[0],) + a.shape[1:], fill, dtype=a.dtype)], axis=0)


# --- grouping cells into attractors ----------------------------------------------------------
_NEIGHBOR_MAX_DIM = 4
_DENSE_MAX = 1 << 22


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
        # a cell repeated at consecutive steps adds nothing to the graph (fixed points: W -> 1 rows per window)
        keep = np.ones((B, W), dtype=bool)
        keep[:, 1:] = np.any(coords[:, 1:] != coords[:, :-1], axis=2)
        rows = [coords[keep]] + self.cells
        src = [np.repeat(np.arange(B), W)[keep.ravel()]] + [np.full(c.shape[0], B + l) for l, c in enumerate(self.cells)]
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
            return ("keys", np.asarray(np.array([_SENTINEL], dtype=np.int64)),
                    np.asarray(np.array([_NONE], dtype=np.int64)))
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
            return ("dense", np.asarray(lo), np.asarray(strides), np.asarray(shape.astype(np.int64)),
                    np.asarray(dense))
        size = 1 << max(0, int(k.size - 1).bit_length())
        return ("keys", np.asarray(np.concatenate([k, np.full(size - k.size, _SENTINEL)])),
                np.asarray(np.concatenate([lab, np.full(size - k.size, _NONE)]).astype(np.int64)))


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
    the attractor; with ``attractors=`` given, those point sets}. fractions: {label: fraction of the
    grid}. iterations: steps (map iterations or flow samples) each initial condition needed to be
    labelled (with ``attractors=`` given, a multiple of ``check_every``). ``basin_entropy``,
    ``boundary_basin_entropy`` and ``uncertainty_exponent`` are computed on first access.
    settings["mode"]: "recurrences" (attractors found) or "proximity" (attractors given).
    """

    labels: np.ndarray
    grid: tuple[np.ndarray, ...]
    dims: tuple[int, ...]
    attractors: dict[int, np.ndarray]
    fractions: dict[int, float]
    iterations: np.ndarray
    system_name: str
    names: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    # computed on first access (they cost a few ms, as much as labelling a 200 x 200 grid with
    # attractors given): basin entropy and boundary basin entropy for eps = settings["eps"] boxes,
    # uncertainty exponent with the default box sizes; NaN when the grid is too small (< 2 eps per side)
    @cached_property
    def _entropies(self) -> tuple[float, float]:
        eps = int(self.settings.get("eps", 5))
        if self.labels.ndim >= 2 and min(self.labels.shape) >= 2 * max(eps, 2):
            return basin_entropy(self.labels, eps)
        return math.nan, math.nan

    @cached_property
    def basin_entropy(self) -> float:
        """Basin entropy S_b (Daza et al. 2016) for boxes of ``settings['eps']`` cells, computed on first access."""
        return self._entropies[0]

    @cached_property
    def boundary_basin_entropy(self) -> float:
        """Boundary basin entropy S_bb (Daza et al. 2016), computed on first access."""
        return self._entropies[1]

    @cached_property
    def uncertainty_exponent(self) -> float:
        """Uncertainty exponent alpha (Grebogi et al. 1983, `uncertainty_exponent` with default box sizes),
        computed on first access."""
        eps = int(self.settings.get("eps", 5))
        if self.labels.ndim >= 2 and min(self.labels.shape) >= 2 * max(eps, 2):
            return uncertainty_exponent(self.labels)[0]
        return math.nan

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


_FIRST_ROUND = 64  # steps of the first labelling round (then x4 up to the transient); labelled orbits drop out
_MAX_ATTRACTOR_POINTS = 20_000


def _parse_attractors(attractors: Any, d: int) -> tuple[list[int], list[np.ndarray]]:
    """``attractors=``: {label: points} or a sequence of points (labels 0..K-1); each a state (d,) or (m, d)."""
    if isinstance(attractors, Mapping):
        items = list(attractors.items())
    elif isinstance(attractors, (str, bytes)) or not isinstance(attractors, (Sequence, np.ndarray)):
        raise TypeError("attractors must be a sequence of attractors (each a state of length "
                        f"{d} or an (m, {d}) array of states on it) or a dict {{label: points}}, "
                        f"got {type(attractors).__name__}")
    else:
        items = list(enumerate(attractors))
    if not items:
        raise ValueError("attractors= needs at least one attractor (or leave it None to find them by recurrences)")
    labels, pts = [], []
    for key, val in items:
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)) or key < 0:
            raise ValueError(f"attractor labels must be non-negative integers, got {key!r}")
        try:
            p = np.asarray(val, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"attractor {key}: expected a state of length {d} or an (m, {d}) array of states, "
                             f"got {val!r:.80} ({exc})") from exc
        if p.ndim == 1:
            p = p[None]
        if p.ndim != 2 or p.shape[1] != d or p.shape[0] == 0:
            raise ValueError(f"attractor {key}: expected a state of length {d} (the full state, also for a 2-D slice) "
                             f"or an (m, {d}) array of states on it, got shape {np.shape(val)}")
        if not np.all(np.isfinite(p)):
            raise ValueError(f"attractor {key} has non-finite coordinates")
        labels.append(int(key))
        pts.append(np.unique(p, axis=0) if p.shape[0] > 1 else p)
    if len(set(labels)) != len(labels):
        raise ValueError(f"attractor labels must be distinct, got {labels}")
    total = sum(p.shape[0] for p in pts)
    if total > _MAX_ATTRACTOR_POINTS:
        raise ValueError(f"attractors hold {total} distinct points in all; every check computes the distance to each, "
                         f"so subsample them to at most {_MAX_ATTRACTOR_POINTS} (e.g. points[::10])")
    return labels, pts


def _proximity_radius(labels: list[int], pts: list[np.ndarray], radius: Any) -> float:
    """Default: a quarter of the smallest distance between two attractors (the balls stay apart by half of it;
    Attractors.jl takes half), or a tenth of the extent of a single attractor."""
    dmin = math.inf
    if len(pts) > 1:
        from scipy.spatial import cKDTree

        for a in range(len(pts)):
            tree = cKDTree(pts[a])
            for b in range(a + 1, len(pts)):
                dist = float(np.min(tree.query(pts[b])[0]))
                if dist == 0.0:
                    raise ValueError(f"attractors {labels[a]} and {labels[b]} share a point: give distinct attractors")
                dmin = min(dmin, dist)
    if radius is not None:
        try:
            r = float(radius)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"radius must be a positive number, got {radius!r}") from exc
        if not (r > 0 and math.isfinite(r)):
            raise ValueError(f"radius must be positive and finite, got {radius}")
        return r
    if len(pts) > 1:
        return dmin / 4.0
    ext = float(np.max(np.ptp(pts[0], axis=0)))
    if ext == 0.0:
        raise ValueError("a single point attractor has no scale: give radius= (the proximity radius eps)")
    return ext / 10.0


@float64
def basins_of_attraction(system: Map | Flow, grid: Any, *, attractors: Any = None, radius: float | None = None,
                         dims: Any = None, x0: Any = None, cell_size: Any = None, transient: int | None = None,
                         window: int | None = None, n_consecutive: int | None = None, max_steps: int | None = None,
                         n_discovery: int = 1024, check_every: int | None = None, dt: float | None = None,
                         sample_every: int = 10, method: str = "rk4", bound: float = 1e8, eps: int = 5, seed: int = 0,
                         t0: float = 0.0) -> Basins:
    """Basins of attraction on a grid of initial conditions, with the attractors found on the way or given.

    ``grid``: one 1-D array per sliced variable (``dims``, default the first len(grid)); the other
    variables stay at ``x0`` (default ``system.x0``). Steps are map iterations, or for flows samples
    of ``sample_every`` RK steps of ``dt`` (default ``system.dt``). Labels: 0..K-1 attractors, -1
    diverged (non-finite or max |x| > ``bound``), -2 undetermined after ``max_steps`` (with a warning).
    Basin fractions come with the result; the basin entropy and boundary basin entropy for
    ``eps``-boxes (Daza et al., Sci. Rep. 6, 31416 (2016)) and the uncertainty exponent (Grebogi et
    al., Phys. Lett. A 99, 415 (1983)) are computed when first read.

    Two modes (Datseris & Wagemakers, "Effortless estimation of basins of attraction", Chaos 32,
    023104 (2022)):

    * ``attractors=None`` (default), AttractorsViaRecurrences: attractors are found by recurrences
      in a cell grid of size ``cell_size`` (scalar or per variable; default the grid spacing, its
      smallest value for variables off the grid); an orbit gets the label of the attractor whose
      (dilated) cells it stays in for ``n_consecutive`` (default 10) consecutive steps. ``transient``
      (default 1000 steps for maps, 500 samples for flows) is the time allowed to settle before an
      orbit's cells define an attractor; ``max_steps`` (default 20 x transient) bounds the labelling.
      See the module docstring for the vectorised algorithm. Attractors are ordered by centroid.
    * ``attractors=`` given, AttractorsViaProximity: a sequence of attractors (label = position) or a
      dict {label: points} (e.g. ``Basins.attractors`` of an earlier run), each a full state (length
      d, e.g. a fixed point) or an (m, d) array of states on the attractor (a periodic orbit, a
      sample of a chaotic attractor; at most 20000 points in all). Every ``check_every`` steps
      (default 8 for maps, 1 for flows) after ``transient`` (default 0) steps, the Euclidean distance
      of the state to the nearest attractor point is compared with ``radius`` (their eps; default a
      quarter of the smallest distance between two attractors, or a tenth of the extent of a single
      one); ``n_consecutive`` (default 1) consecutive checks near the same attractor label the orbit,
      and it stops there. ``max_steps`` defaults to transient + 20000 steps (maps) / 10000 samples
      (flows). Much faster when the attractors are known: no discovery, every orbit stops early.
      Orbits that settle on an attractor that was not given stay undetermined (-2).

    Orbits run in compiled loops over chunks of 256 initial conditions, each chunk stopping at its
    own slowest orbit; labelled orbits drop out between rounds of growing length.
    """
    check_system(system, "basins_of_attraction", deterministic=True, expected="a deterministic dynstab Map or Flow")
    is_map = not system.continuous_time
    axes, dims, states = _grid_states(system, grid, dims, x0)
    d = system.dim
    n_ic = states.shape[0]
    proximity = attractors is not None
    if not proximity and radius is not None:
        raise ValueError("radius is the proximity radius of attractors=...; without attractors= the attractors are "
                         "found by recurrences (set cell_size instead)")
    every = (8 if is_map else 1) if check_every is None else int(check_every)
    if proximity:
        transient = 0 if transient is None else int(transient)
        max_steps = transient + (20000 if is_map else 10000) if max_steps is None else int(max_steps)
        n_consecutive = 1 if n_consecutive is None else int(n_consecutive)
    else:
        transient = (1000 if is_map else 500) if transient is None else int(transient)
        max_steps = 20 * max(transient, 1) if max_steps is None else int(max_steps)
        n_consecutive = 10 if n_consecutive is None else int(n_consecutive)
    window = 100 if window is None else int(window)
    if transient < 0 or window < 1 or n_consecutive < 1 or max_steps < 1 or int(n_discovery) < 1 or every < 1:
        raise ValueError("need transient >= 0, window >= 1, n_consecutive >= 1, max_steps >= 1, n_discovery >= 1 and "
                         f"check_every >= 1; got {transient}, {window}, {n_consecutive}, {max_steps}, {n_discovery}, "
                         f"{check_every}")
    if not bound > 0:
        raise ValueError(f"bound must be positive, got {bound}")
    max_steps = -(-max_steps // every) * every  # the loops stop on block boundaries
    if is_map:
        cfg = _Cfg(system.evolution(), 1)
    else:
        if int(sample_every) < 1:
            raise ValueError(f"sample_every must be >= 1, got {sample_every}")
        cfg = _Cfg(system.evolution(method, dt), int(sample_every))
    if cfg.evolution.observed is not None:
        raise TypeError(f"{system.name}: basins need a flow or map whose state is the whole phase space")
    settings = {"mode": "proximity" if proximity else "recurrences", "transient": transient,
                "n_consecutive": n_consecutive, "max_steps": max_steps, "check_every": every, "bound": float(bound),
                "eps": int(eps), "kind": system.kind}
    if not is_map:
        settings.update(dt=cfg.evolution.h, sample_every=cfg.sub, method=method)
    x = states.copy()

    if proximity:
        given, pts = _parse_attractors(attractors, d)
        r = _proximity_radius(given, pts, radius)
        settings["radius"] = r
        labels, iters = _run_proximity(system, cfg, x, float(t0), given, pts, r, transient, max_steps, n_consecutive,
                                       float(bound), every)
        found = dict(zip(given, pts))
    else:
        labels, iters, found, extra = _run_recurrences(system, cfg, axes, dims, x, float(t0), cell_size, transient, window,
                                                       n_consecutive, max_steps, int(n_discovery), float(bound),
                                                       every, seed)
        settings.update(extra)

    shape = tuple(g.size for g in axes)
    out = labels.reshape(shape)
    n_undet = int(np.sum(out == UNDETERMINED))
    if n_undet:
        hint = ("give every attractor, or raise max_steps/radius" if proximity
                else "raise max_steps/transient or change cell_size")
        warnings.warn(f"{system.name}: {n_undet} of {n_ic} initial conditions did not settle on an attractor "
                      f"within max_steps={max_steps} (label -2); {hint}", RuntimeWarning, stacklevel=2)
    lo, hi = int(out.min()), int(out.max())
    if hi - lo < 4096:  # a bincount instead of a sort
        fractions = {u + lo: float(c) / n_ic for u, c in enumerate(np.bincount((out - lo).ravel())) if c}
    else:
        uniq, cnt = np.unique(out, return_counts=True)
        fractions = {int(u): float(c) / n_ic for u, c in zip(uniq, cnt)}
    return Basins(labels=out, grid=axes, dims=dims, attractors=found, fractions=fractions,
                  iterations=iters.reshape(shape), system_name=system.name, names=tuple(system.names),
                  settings=settings)


def _run_proximity(system, cfg, x, t0, given, pts, r, transient, max_steps, n_consecutive, bound, every):
    """Label every initial condition by proximity to the given attractors (see `_proximity_kernel`)."""
    n_ic = x.shape[0]
    points = np.concatenate(pts, axis=0)
    owner = np.concatenate([np.full(p.shape[0], lab, dtype=np.int64) for lab, p in zip(given, pts)])
    labels = np.full(n_ic, UNDETERMINED, dtype=np.int64)
    iters = np.zeros(n_ic, dtype=np.int64)
    hits = np.zeros((n_ic, 2), dtype=np.int64)
    hits[:, 0] = _NONE
    budget = -(-_FIRST_ROUND // every) * every
    runs = n_consecutive > 1
    dt_step = cfg.dt_step
    active, k_done = np.arange(n_ic), 0  # orbits still running have all taken k_done steps
    while active.size:
        size, n = _bucket(active.size), active.size
        steps = int(min(budget, max_steps - k_done))
        budget *= 4
        full = n == n_ic  # first round: no gathers
        out = _proximity_kernel(
            system, cfg, _pad(x if full else x[active], size, np.nan),
            _pad(hits if full else hits[active], size) if runs else None,
            points, owner, np.asarray(r * r), np.asarray(k_done), np.asarray(t0 + k_done * dt_step),
            np.asarray(steps), np.asarray(int(transient)), np.asarray(int(n_consecutive)), np.asarray(bound), every,
            runs)
        labels[active], iters[active] = np.asarray(out[1])[:n], k_done + np.asarray(out[2])[:n]
        k_done += steps
        left = (labels[active] == UNDETERMINED) & (k_done < max_steps)
        if left.any():  # states only for the orbits that go on
            x[active[left]] = np.asarray(out[0])[:n][left]
            if runs:
                hits[active[left]] = np.asarray(out[3])[:n][left]
        active = active[left]
    return labels, iters


def _run_recurrences(system, cfg, axes, dims, x, t0, cell_size, transient, window, n_consecutive, max_steps,
                     n_discovery, bound, every, seed):
    """Find the attractors by recurrences in a cell grid and label every initial condition (module docstring)."""
    d = system.dim
    n_ic = x.shape[0]
    spacing = np.array([float(np.min(np.diff(g))) for g in axes])
    if cell_size is None:
        cell = np.full(d, spacing.min())
        cell[list(dims)] = spacing
    else:
        cell = np.broadcast_to(np.asarray(cell_size, dtype=np.float64), (d,)).copy()
    if not np.all(np.isfinite(cell) & (cell > 0)):
        raise ValueError(f"cell_size must be positive and finite, got {cell_size}")
    origin = x[0].copy()
    origin[list(dims)] = [g[0] - 0.5 * s for g, s in zip(axes, spacing)]

    atts = _Attractors(d)
    dt_step = cfg.dt_step
    labels = np.full(n_ic, UNDETERMINED, dtype=np.int64)
    iters = np.zeros(n_ic, dtype=np.int64)

    def discover(idx: np.ndarray, n_tr: int) -> dict[int, int]:
        size = _bucket(idx.size)
        xs, coords, bad = _window_kernel(system, cfg, _pad(x[idx], size, np.nan), _pad(t0 + iters[idx] * dt_step, size),
                                         np.asarray(int(n_tr)), window, np.asarray(bound), origin, cell)
        good = ~np.asarray(bad)[: idx.size]
        if not good.any():
            return {}
        return atts.add_windows(np.asarray(coords)[: idx.size][good], np.asarray(xs)[: idx.size][good])

    # 1. discovery on a seeded sample (copies: the sample's own labelling starts from the grid)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n_ic, size=min(n_discovery, n_ic), replace=False))
    discover(sample, transient)

    # 2. labelling in rounds of growing length (64, 256, ... up to the transient); labelled orbits drop out
    # between rounds; orbits unlabelled after the transient go through discovery themselves
    budget = -(-_FIRST_ROUND // every) * every
    cap = -(-max(transient, _FIRST_ROUND) // every) * every
    run = np.zeros((n_ic, 2), dtype=np.int64)
    run[:, 0] = _NONE
    table = None
    k_done = 0  # orbits still running have all taken k_done steps
    while True:
        active = np.flatnonzero((labels == UNDETERMINED) & (iters < max_steps))
        if active.size == 0:
            break
        if table is None:
            table = atts.table()
        size, n = _bucket(active.size), active.size
        full = n == n_ic  # first round: no gathers
        steps = int(min(budget, max_steps - k_done))
        budget = min(4 * budget, cap)
        xa, la, ka, ra = _label_kernel(system, cfg, _pad(x if full else x[active], size, np.nan),
                                       _pad(run if full else run[active], size), table, origin, cell,
                                       np.asarray(k_done), np.asarray(t0 + k_done * dt_step), np.asarray(steps),
                                       np.asarray(n_consecutive), np.asarray(bound), every)
        labels[active], iters[active] = np.asarray(la)[:n], k_done + np.asarray(ka)[:n]
        k_done += steps
        go_on = labels[active] == UNDETERMINED
        if go_on.any():  # states only for the orbits that go on
            x[active[go_on]], run[active[go_on]] = np.asarray(xa)[:n][go_on], np.asarray(ra)[:n][go_on]
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
    out = labels.copy()
    for new, old in enumerate(order):
        out[labels == old] = new
    extra = {"window": window, "n_discovery": int(sample.size), "seed": seed, "cell_size": [float(c) for c in cell]}
    return out, iters, {new: atts.points[old] for new, old in enumerate(order)}, extra
