r"""Basins of attraction on a grid of initial conditions: the `Basins` result and `basins_of_attraction`.

Attractors and basins (recurrences in a state-space cell grid)
--------------------------------------------------------------
The idea of ``AttractorsViaRecurrences`` (G. Datseris and A. Wagemakers, "Effortless estimation
of basins of attraction", Chaos 32, 023104 (2022)): state space is tiled by cells of size
``cell_size``; an attractor is a set of cells that an orbit keeps recurring to, and an initial
condition belongs to the basin of the attractor whose cells its orbit settles in. The sequential
cell-colouring of the original is recast here in a vectorised form (initial conditions run in
parallel, ``jax.vmap`` of compiled ``lax.while_loop`` s over chunks of orbits, see
`dynstab.analysis.basin_kernels`):

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

The orbits run in compiled kernels (`dynstab.analysis.basin_kernels`: chunks of 256 orbits, each
chunk stopping at its own slowest orbit; labelled orbits drop out between rounds of growing length);
the cells, their hash and the table of attractor cells are in `dynstab.analysis.attractor_cells`.

Basin boundary
--------------
The basin entropy and boundary basin entropy (A. Daza, A. Wagemakers, B. Georgeot, D. Guery-Odelin
and M. A. F. Sanjuan, Sci. Rep. 6, 31416 (2016)) and the uncertainty exponent (C. Grebogi,
S. W. McDonald, E. Ott and J. A. Yorke, Phys. Lett. A 99, 415 (1983)) of a grid of labels are in
`dynstab.analysis.basin_boundary` (re-exported here); `Basins` computes them when first read.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .._precision import float64
from ..systems.base import Flow, Map, System, as_state, check_system, evolution_of
from ..text import count
from ..validation import InvalidTypeError, as_finite_array, as_float, as_int, as_positive_float
from .attractor_cells import NO_ATTRACTOR, AttractorCells
from .basin_boundary import basin_entropy, uncertainty_exponent
from .basin_kernels import (
    DIVERGED,
    UNDETERMINED,
    SampledEvolution,
    bucket_size,
    label_kernel,
    pad_batch,
    proximity_kernel,
    window_kernel,
)

__all__ = ["Basins", "basins_of_attraction", "basin_entropy", "uncertainty_exponent", "DIVERGED", "UNDETERMINED"]


# --- result --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Basins:
    """The result of `basins_of_attraction`: a label per initial condition of the grid, the attractors.

    ``basin_entropy``, ``boundary_basin_entropy`` and ``uncertainty_exponent`` are computed on first
    access (`dynstab.analysis.basin_boundary`), NaN when the grid has fewer than 2 ``eps`` cells a side.

    Parameters
    ----------
    labels : numpy.ndarray of int, grid-shaped
        ``labels[i, j]`` belongs to ``grid[0][i]``, ``grid[1][j]``: 0..K-1 attractors, -1 diverged
        (`DIVERGED`), -2 undetermined (`UNDETERMINED`).
    grid : tuple of numpy.ndarray
        The coordinates of the grid, one 1-D array per sliced variable.
    dims : tuple of int
        The indices of the sliced variables.
    attractors : dict of int to numpy.ndarray
        {label: (m, d) sample states on the attractor}; with ``attractors=`` given, those point sets.
    fractions : dict of int to float
        {label: fraction of the grid}, diverged and undetermined included where present.
    iterations : numpy.ndarray of int, grid-shaped
        Steps (map iterations or flow samples) each initial condition needed to be labelled (with
        ``attractors=`` given, a multiple of ``check_every``).
    system_name : str
        Name of the system.
    names : tuple of str
        Names of the system's variables.
    settings : dict
        The settings of the run; ``settings["mode"]`` is "recurrences" (attractors found) or
        "proximity" (attractors given), ``settings["eps"]`` the box size of the entropies.
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
        """Number of attractors."""
        return len(self.attractors)

    @property
    def fractal_boundary(self) -> bool:
        """Daza et al.'s ln 2 criterion: S_bb > ln 2 implies a fractal basin boundary (sufficient, not necessary)."""
        return self.boundary_basin_entropy > math.log(2.0)

    def to_xarray(self):
        """The labels and iterations as an `xarray.Dataset` on the grid's coordinates.

        Returns
        -------
        xarray.Dataset
            Variables ``labels`` and ``iterations`` with one dimension per sliced variable; the
            entropies, the uncertainty exponent and the scalar settings as attributes.
        """
        import xarray as xr

        dnames = [self.names[i] for i in self.dims]
        coords = dict(zip(dnames, self.grid))
        return xr.Dataset(
            {"labels": (dnames, self.labels), "iterations": (dnames, self.iterations)},
            coords=coords,
            attrs={
                "system": self.system_name,
                "basin_entropy": self.basin_entropy,
                "boundary_basin_entropy": self.boundary_basin_entropy,
                "uncertainty_exponent": self.uncertainty_exponent,
                "n_attractors": self.n_attractors,
                "labels_meaning": "0..K-1 attractors, -1 diverged, -2 undetermined",
                **{k: v for k, v in self.settings.items() if isinstance(v, (int, float, str))},
            },
        )

    def to_dict(self, labels: bool = False) -> dict[str, Any]:
        """JSON-ready summary: attractor centroids, fractions, entropies, uncertainty exponent, settings.

        Parameters
        ----------
        labels : bool, default False
            Add the grid of labels (nested lists).

        Returns
        -------
        dict
            Plain Python values only (NaN as None); fractions keyed "diverged", "undetermined" or the label.
        """

        def num(v):
            return None if not math.isfinite(v) else float(v)

        out: dict[str, Any] = {
            "system": self.system_name,
            "dims": [self.names[i] for i in self.dims],
            "grid": [[float(g[0]), float(g[-1]), int(g.size)] for g in self.grid],
            "n_attractors": self.n_attractors,
            "attractors": {
                str(k): {
                    "centroid": [float(v) for v in np.mean(p, axis=0)],
                    "n_points": int(p.shape[0]),
                    "extent": [float(v) for v in np.ptp(p, axis=0)],
                }
                for k, p in self.attractors.items()
            },
            "fractions": {
                ("diverged" if k == DIVERGED else "undetermined" if k == UNDETERMINED else str(k)): float(v)
                for k, v in self.fractions.items()
            },
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
        """Basins as a colour map (diverged black, undetermined grey) with the attractors' sample points.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw in (default a new figure).
        attractors : bool, default True
            Draw the attractors' sample points, projected on the sliced variables, with a legend.

        Returns
        -------
        matplotlib.figure.Figure
            The figure.

        Raises
        ------
        ValueError
            If the grid is not two-dimensional.
        """
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap

        if self.labels.ndim != 2:
            raise ValueError(
                f"plot needs a 2-D slice of initial conditions, these basins have shape {self.labels.shape}"
            )
        fig, ax = plt.subplots(figsize=(6, 5.2)) if ax is None else (ax.figure, ax)
        k = max(self.n_attractors, 1)
        base = plt.get_cmap("tab10" if k <= 10 else "tab20")
        colors = ["black", "0.6"] + [base(i % base.N) for i in range(k)]
        img = np.where(self.labels >= 0, self.labels + 2, np.where(self.labels == DIVERGED, 0, 1))
        g0, g1 = self.grid
        ax.imshow(
            img.T,
            origin="lower",
            cmap=ListedColormap(colors),
            vmin=-0.5,
            vmax=len(colors) - 0.5,
            extent=(g0[0], g0[-1], g1[0], g1[-1]),
            aspect="auto",
            interpolation="nearest",
        )
        if attractors:
            i, j = self.dims
            for lab, pts in self.attractors.items():
                ax.scatter(
                    pts[:, i],
                    pts[:, j],
                    s=4,
                    c="white",
                    edgecolors="k",
                    linewidths=0.3,
                    label=f"attractor {lab} ({self.fractions.get(lab, 0.0):.3f})",
                )
        ax.set_xlim(g0[0], g0[-1])
        ax.set_ylim(g1[0], g1[-1])
        ax.set_xlabel(self.names[self.dims[0]])
        ax.set_ylabel(self.names[self.dims[1]])
        ax.set_title(
            f"{self.system_name}: basins (S_b={self.basin_entropy:.3f}, S_bb={self.boundary_basin_entropy:.3f})"
        )
        if attractors and self.attractors:
            ax.legend(fontsize=7, loc="upper right")
        if fig.get_layout_engine() is None:  # a caller's constrained layout stays
            fig.tight_layout()
        return fig

    def __repr__(self) -> str:
        fr = ", ".join(
            f"{'diverged' if k == DIVERGED else 'undetermined' if k == UNDETERMINED else k}: {v:.4f}"
            for k, v in self.fractions.items()
        )
        return (
            f"Basins({self.system_name!r}, grid {self.labels.shape}, {count(self.n_attractors, 'attractor')}; "
            f"fractions {{{fr}}}; S_b={self.basin_entropy:.4f}, S_bb={self.boundary_basin_entropy:.4f}, "
            f"alpha={self.uncertainty_exponent:.3f})"
        )


# --- driver -----------------------------------------------------------------------------------
def _grid_states(
    system: System, grid: Any, dims: Any, x0: Any
) -> tuple[tuple[np.ndarray, ...], tuple[int, ...], np.ndarray]:
    """Validated grid axes, sliced variables and the (n, d) initial states of the grid (row-major, ``ij``)."""
    d = system.dim
    if isinstance(grid, np.ndarray) and grid.ndim == 1:
        grid = (grid,)
    try:  # numbers, all finite (a NaN or infinite coordinate is a ValueError naming the axis and index)
        axes = tuple(as_finite_array(g, name=f"grid axis {i}") for i, g in enumerate(grid))
    except TypeError as exc:  # InvalidTypeError (text, complex) or a grid that is not a sequence
        raise InvalidTypeError(
            f"grid must be a sequence of 1-D arrays of coordinates, one per sliced variable: {exc}"
        ) from None
    if not axes or any(g.ndim != 1 or g.size < 2 for g in axes):
        raise ValueError(
            "grid must be a sequence of 1-D arrays with >= 2 points each, e.g. "
            "(np.linspace(-1.5, 1.5, 200), np.linspace(-1.5, 1.5, 200))"
        )
    if any(np.any(np.diff(g) <= 0) for g in axes):
        raise ValueError("grid coordinates must be strictly increasing")
    dims = tuple(range(len(axes))) if dims is None else tuple(as_int(i, name="each of dims") for i in dims)
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
        raise TypeError(
            "attractors must be a sequence of attractors (each a state of length "
            f"{d} or an (m, {d}) array of states on it) or a dict {{label: points}}, "
            f"got {type(attractors).__name__}"
        )
    else:
        items = list(enumerate(attractors))
    if not items:
        raise ValueError("attractors= needs at least one attractor (or leave it None to find them by recurrences)")
    labels, pts = [], []
    for key, val in items:
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)) or key < 0:
            raise ValueError(f"attractor labels must be non-negative integers, got {key!r}")
        try:
            p = as_finite_array(val, name=f"attractor {key}")
        except InvalidTypeError as exc:
            raise InvalidTypeError(
                f"attractor {key}: expected a state of length {d} or an (m, {d}) array of states, "
                f"got {val!r:.80} ({exc})"
            ) from None
        except ValueError as exc:  # NaN or inf: the shared message gives the count and the first index
            raise ValueError(f"attractor {key} has non-finite coordinates: {exc}") from None
        if p.ndim == 1:
            p = p[None]
        if p.ndim != 2 or p.shape[1] != d or p.shape[0] == 0:
            raise ValueError(
                f"attractor {key}: expected a state of length {d} (the full state, also for a 2-D slice) "
                f"or an (m, {d}) array of states on it, got shape {np.shape(val)}"
            )
        labels.append(int(key))
        pts.append(np.unique(p, axis=0) if p.shape[0] > 1 else p)
    if len(set(labels)) != len(labels):
        raise ValueError(f"attractor labels must be distinct, got {labels}")
    total = sum(p.shape[0] for p in pts)
    if total > _MAX_ATTRACTOR_POINTS:
        raise ValueError(
            f"attractors hold {total} distinct points in all; every check computes the distance to each, "
            f"so subsample them to at most {_MAX_ATTRACTOR_POINTS} (e.g. points[::10])"
        )
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
        r = as_float(radius, name="radius")
        if not r > 0:
            raise ValueError(f"radius must be positive and finite, got {radius}")
        return r
    if len(pts) > 1:
        return dmin / 4.0
    ext = float(np.max(np.ptp(pts[0], axis=0)))
    if ext == 0.0:
        raise ValueError("a single point attractor has no scale: give radius= (the proximity radius eps)")
    return ext / 10.0


@float64
def basins_of_attraction(
    system: Map | Flow,
    grid: Any,
    *,
    attractors: Any = None,
    radius: float | None = None,
    dims: Any = None,
    x0: Any = None,
    cell_size: Any = None,
    transient: int | None = None,
    window: int | None = None,
    n_consecutive: int | None = None,
    max_steps: int | None = None,
    n_discovery: int = 1024,
    check_every: int | None = None,
    dt: float | None = None,
    sample_every: int = 10,
    method: str = "rk4",
    bound: float = 1e8,
    eps: int = 5,
    seed: int = 0,
    t0: float = 0.0,
    progress: Callable[[int, int], None] | None = None,
) -> Basins:
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

    Parameters
    ----------
    system : Map or Flow
        A deterministic map or flow whose state is the whole phase space (any `Map` works,
        including Poincare and stroboscopic maps of flows).
    grid : sequence of array_like
        One strictly increasing 1-D array of coordinates (>= 2 points) per sliced variable; a single
        1-D NumPy array is a one-variable slice.
    attractors : sequence or dict, optional
        The attractors, if known (proximity mode): a sequence (label = position) or a dict
        {label: points} of full states (length d) or (m, d) arrays of states on each attractor.
        Default None: the attractors are found by recurrences.
    radius : float, optional
        Proximity radius (proximity mode only); default a quarter of the smallest distance between
        two attractors, or a tenth of the extent of a single one.
    dims : sequence of int, optional
        Indices of the sliced variables, one per grid axis (default the first len(grid)).
    x0 : array_like, optional
        Full state that gives the variables off the grid (default ``system.x0``).
    cell_size : float or array_like, optional
        Cell size of the recurrence mode, scalar or one per variable (default the grid spacing, its
        smallest value for variables off the grid).
    transient : int, optional
        Recurrences: steps allowed to settle before an orbit's cells define an attractor (default
        1000 for maps, 500 samples for flows). Proximity: steps before the first check (default 0).
    window : int, optional
        Recurrences: steps whose cells are recorded in a discovery window (default 100).
    n_consecutive : int, optional
        Consecutive steps in one attractor's cells (recurrences, default 10) or consecutive checks
        near one attractor (proximity, default 1) that label an orbit.
    max_steps : int, optional
        Steps after which an orbit is left undetermined (default 20 x transient for recurrences,
        transient + 20000 steps (maps) / 10000 samples (flows) for proximity); rounded up to a
        multiple of ``check_every``.
    n_discovery : int, default 1024
        Recurrences: size of the seeded sample of initial conditions of the first discovery.
    check_every : int, optional
        Steps between exit tests of the compiled loops (default 8 for maps, 1 for flows).
    dt : float, optional
        Flows: the fixed step (default ``system.dt``).
    sample_every : int, default 10
        Flows: fixed steps of ``method`` per sample (one step of the basins).
    method : str, default "rk4"
        Flows: the fixed-step method of ``system.evolution``.
    bound : float, default 1e8
        An orbit with max |x| > ``bound`` (or a non-finite state) is diverged (-1).
    eps : int, default 5
        Box size in cells of the basin entropies read from the result.
    seed : int, default 0
        Seed of the discovery sample.
    t0 : float, default 0.0
        Initial time of every orbit (for non-autonomous laws).
    progress : callable, optional
        ``progress(done, total)``: initial conditions labelled (or out of steps) out of all, called
        between the compiled rounds (Ctrl-C stops the computation at the end of the current round).

    Returns
    -------
    Basins
        Labels, iterations, attractors, fractions and settings; entropies on first access.

    Raises
    ------
    ValueError
        On an invalid grid, dims, attractors, radius or step setting.
    TypeError
        If ``system`` is not a deterministic map or flow of the whole phase space, or ``attractors``
        has the wrong type.

    Warns
    -----
    RuntimeWarning
        If some initial conditions are still undetermined (-2) after ``max_steps``.

    References
    ----------
    G. Datseris and A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32,
    023104 (2022).
    """
    check_system(system, "basins_of_attraction", deterministic=True, expected="a deterministic dynstab Map or Flow")
    is_map = not system.continuous_time
    axes, dims, states = _grid_states(system, grid, dims, x0)
    d = system.dim
    n_ic = states.shape[0]
    proximity = attractors is not None
    if not proximity and radius is not None:
        raise ValueError(
            "radius is the proximity radius of attractors=...; without attractors= the attractors are "
            "found by recurrences (set cell_size instead)"
        )
    every = (8 if is_map else 1) if check_every is None else as_int(check_every, name="check_every", minimum=1)
    if transient is not None:
        transient = as_int(transient, name="transient", minimum=0)
    if max_steps is not None:
        max_steps = as_int(max_steps, name="max_steps", minimum=1)
    if n_consecutive is not None:
        n_consecutive = as_int(n_consecutive, name="n_consecutive", minimum=1)
    if proximity:
        transient = 0 if transient is None else transient
        max_steps = transient + (20000 if is_map else 10000) if max_steps is None else max_steps
        n_consecutive = 1 if n_consecutive is None else n_consecutive
    else:
        transient = (1000 if is_map else 500) if transient is None else transient
        max_steps = 20 * max(transient, 1) if max_steps is None else max_steps
        n_consecutive = 10 if n_consecutive is None else n_consecutive
    window = 100 if window is None else as_int(window, name="window", minimum=1)
    n_discovery = as_int(n_discovery, name="n_discovery", minimum=1)
    bound = as_positive_float(bound, name="bound")
    eps = as_int(eps, name="eps")
    max_steps = -(-max_steps // every) * every  # the loops stop on block boundaries
    if is_map:
        cfg = SampledEvolution(evolution_of(system), 1)
    else:
        sample_every = as_int(sample_every, name="sample_every", minimum=1)
        cfg = SampledEvolution(evolution_of(system, method, dt), sample_every)
    if cfg.evolution.observed is not None:
        raise TypeError(f"{system.name}: basins need a flow or map whose state is the whole phase space")
    settings = {
        "mode": "proximity" if proximity else "recurrences",
        "transient": transient,
        "n_consecutive": n_consecutive,
        "max_steps": max_steps,
        "check_every": every,
        "bound": float(bound),
        "eps": int(eps),
        "kind": system.kind,
    }
    if not is_map:
        settings.update(dt=cfg.evolution.h, sample_every=cfg.sub, method=method)
    x = states.copy()

    if proximity:
        given, pts = _parse_attractors(attractors, d)
        r = _proximity_radius(given, pts, radius)
        settings["radius"] = r
        labels, iters = _run_proximity(
            system, cfg, x, float(t0), given, pts, r, transient, max_steps, n_consecutive, float(bound), every, progress
        )
        found = dict(zip(given, pts))
    else:
        labels, iters, found, extra = _run_recurrences(
            system,
            cfg,
            axes,
            dims,
            x,
            float(t0),
            cell_size,
            transient,
            window,
            n_consecutive,
            max_steps,
            int(n_discovery),
            float(bound),
            every,
            seed,
            progress,
        )
        settings.update(extra)

    shape = tuple(g.size for g in axes)
    out = labels.reshape(shape)
    n_undet = int(np.sum(out == UNDETERMINED))
    if n_undet:
        hint = (
            "give every attractor, or raise max_steps/radius"
            if proximity
            else "raise max_steps/transient or change cell_size"
        )
        warnings.warn(
            f"{system.name}: {n_undet} of {n_ic} initial conditions did not settle on an attractor "
            f"within max_steps={max_steps} (label -2); {hint}",
            RuntimeWarning,
            stacklevel=2,
        )
    lo, hi = int(out.min()), int(out.max())
    if hi - lo < 4096:  # a bincount instead of a sort
        fractions = {u + lo: float(c) / n_ic for u, c in enumerate(np.bincount((out - lo).ravel())) if c}
    else:
        uniq, cnt = np.unique(out, return_counts=True)
        fractions = {int(u): float(c) / n_ic for u, c in zip(uniq, cnt)}
    return Basins(
        labels=out,
        grid=axes,
        dims=dims,
        attractors=found,
        fractions=fractions,
        iterations=iters.reshape(shape),
        system_name=system.name,
        names=tuple(system.names),
        settings=settings,
    )


def _run_proximity(system, cfg, x, t0, given, pts, r, transient, max_steps, n_consecutive, bound, every, progress):
    """Label every initial condition by proximity to the given attractors (see `proximity_kernel`)."""
    n_ic = x.shape[0]
    if progress is not None:
        progress(0, n_ic)
    points = np.concatenate(pts, axis=0)
    owner = np.concatenate([np.full(p.shape[0], lab, dtype=np.int64) for lab, p in zip(given, pts)])
    labels = np.full(n_ic, UNDETERMINED, dtype=np.int64)
    iters = np.zeros(n_ic, dtype=np.int64)
    hits = np.zeros((n_ic, 2), dtype=np.int64)
    hits[:, 0] = NO_ATTRACTOR
    budget = -(-_FIRST_ROUND // every) * every
    runs = n_consecutive > 1
    dt_step = cfg.dt_step
    active, k_done = np.arange(n_ic), 0  # orbits still running have all taken k_done steps
    while active.size:
        size, n = bucket_size(active.size), active.size
        steps = int(min(budget, max_steps - k_done))
        budget *= 4
        full = n == n_ic  # first round: no gathers
        out = proximity_kernel(
            system,
            cfg,
            pad_batch(x if full else x[active], size, np.nan),
            pad_batch(hits if full else hits[active], size) if runs else None,
            points,
            owner,
            np.asarray(r * r),
            np.asarray(k_done),
            np.asarray(t0 + k_done * dt_step),
            np.asarray(steps),
            np.asarray(int(transient)),
            np.asarray(int(n_consecutive)),
            np.asarray(bound),
            every,
            runs,
        )
        labels[active], iters[active] = np.asarray(out[1])[:n], k_done + np.asarray(out[2])[:n]
        k_done += steps
        left = (labels[active] == UNDETERMINED) & (k_done < max_steps)
        if progress is not None:
            progress(n_ic - int(np.count_nonzero(left)), n_ic)
        if left.any():  # states only for the orbits that go on
            x[active[left]] = np.asarray(out[0])[:n][left]
            if runs:
                hits[active[left]] = np.asarray(out[3])[:n][left]
        active = active[left]
    return labels, iters


def _run_recurrences(
    system,
    cfg,
    axes,
    dims,
    x,
    t0,
    cell_size,
    transient,
    window,
    n_consecutive,
    max_steps,
    n_discovery,
    bound,
    every,
    seed,
    progress,
):
    """Find the attractors by recurrences in a cell grid and label every initial condition (module docstring)."""
    d = system.dim
    n_ic = x.shape[0]
    spacing = np.array([float(np.min(np.diff(g))) for g in axes])
    if cell_size is None:
        cell = np.full(d, spacing.min())
        cell[list(dims)] = spacing
    else:
        cell = np.broadcast_to(as_finite_array(cell_size, name="cell_size"), (d,)).copy()
    if not np.all(np.isfinite(cell) & (cell > 0)):
        raise ValueError(f"cell_size must be positive and finite, got {cell_size}")
    origin = x[0].copy()
    origin[list(dims)] = [g[0] - 0.5 * s for g, s in zip(axes, spacing)]

    atts = AttractorCells(d)
    dt_step = cfg.dt_step
    labels = np.full(n_ic, UNDETERMINED, dtype=np.int64)
    iters = np.zeros(n_ic, dtype=np.int64)

    def discover(idx: np.ndarray, n_tr: int) -> dict[int, int]:
        size = bucket_size(idx.size)
        xs, coords, bad = window_kernel(
            system,
            cfg,
            pad_batch(x[idx], size, np.nan),
            pad_batch(t0 + iters[idx] * dt_step, size),
            np.asarray(int(n_tr)),
            window,
            np.asarray(bound),
            origin,
            cell,
        )
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
    run[:, 0] = NO_ATTRACTOR
    table = None
    k_done = 0  # orbits still running have all taken k_done steps
    while True:
        active = np.flatnonzero((labels == UNDETERMINED) & (iters < max_steps))
        if progress is not None:  # orbits labelled (or out of steps) so far
            progress(n_ic - active.size, n_ic)
        if active.size == 0:
            break
        if table is None:
            table = atts.table()
        size, n = bucket_size(active.size), active.size
        full = n == n_ic  # first round: no gathers
        steps = int(min(budget, max_steps - k_done))
        budget = min(4 * budget, cap)
        xa, la, ka, ra = label_kernel(
            system,
            cfg,
            pad_batch(x if full else x[active], size, np.nan),
            pad_batch(run if full else run[active], size),
            table,
            origin,
            cell,
            np.asarray(k_done),
            np.asarray(t0 + k_done * dt_step),
            np.asarray(steps),
            np.asarray(n_consecutive),
            np.asarray(bound),
            every,
        )
        labels[active], iters[active] = np.asarray(la)[:n], k_done + np.asarray(ka)[:n]
        k_done += steps
        go_on = labels[active] == UNDETERMINED
        if go_on.any():  # states only for the orbits that go on
            x[active[go_on]], run[active[go_on]] = np.asarray(xa)[:n][go_on], np.asarray(ra)[:n][go_on]
        left = np.flatnonzero((labels == UNDETERMINED) & (iters >= transient) & (iters < max_steps))
        if left.size:
            table = None  # new cells: rebuild the lookup table
            merged = discover(left, 0)
            for old, to in merged.items():
                labels[labels == old] = to
                run[run[:, 0] == old, 0] = to

    # relabel: drop merged slots, order attractors by their centroid (deterministic)
    live = [lab for lab in range(len(atts)) if atts.cells[lab].size and np.any(labels == lab)]
    cents: list[tuple[float, ...]] = [tuple(np.round(atts.points[lab].mean(axis=0), 8)) for lab in live]
    order = [live[i] for i in sorted(range(len(live)), key=lambda i: cents[i])]
    out = labels.copy()
    for new, old in enumerate(order):
        out[labels == old] = new
    extra = {"window": window, "n_discovery": int(sample.size), "seed": seed, "cell_size": [float(c) for c in cell]}
    return out, iters, {new: atts.points[old] for new, old in enumerate(order)}, extra
