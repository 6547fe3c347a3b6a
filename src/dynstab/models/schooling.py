"""The 3D Couzin fish school of dewi-kadita, written against the system protocol, with its entropy diagnostics.

N agents swim at constant speed :math:`v_0` in a periodic cube of side L (Couzin et al. 2002;
dewi-kadita, Herho et al., arXiv 2602.07948). Each step every agent i looks at the minimum-image
displacements :math:`d_{ij} = r_j - r_i` of the agents it can see (all but those in a rear blind
cone of half-angle :math:`\\beta`: j is visible iff :math:`\\hat u_i \\cdot \\hat d_{ij} > -\\cos\\beta`)
and, in exclusive zones,

* repulsion, :math:`|d_{ij}| < r_r`: :math:`D_i = -\\sum_j \\hat d_{ij}` (overrides the others);
* orientation, :math:`r_r \\le |d_{ij}| < r_o`, and attraction, :math:`r_o \\le |d_{ij}| < r_a`:
  :math:`D_i = w_o \\sum_{j \\in O} \\hat u_j + \\sum_{j \\in A} \\hat d_{ij}`;
* no neighbour (or :math:`D_i = 0`): keep the heading.

The heading turns toward :math:`\\hat D_i` by at most :math:`\\theta_{max}` (``SchoolConfig.turn``:
``"nlerp"``, dewi-kadita's normalized linear interpolation, with which its four configurations were
tuned and which turns by less, 0.33 rad instead of 0.4 toward a target at 90 degrees; or ``"rotate"``,
exactly :math:`\\theta_{max}` in the plane of the two, as in Couzin et al.), gets isotropic Gaussian noise
(:math:`\\sigma` per component) and is renormalized; then :math:`r_i \\leftarrow (r_i + v_0 \\hat u_i\\,dt) \\bmod L`.
All agents update synchronously from the previous state.

The school is a `dynstab.systems.Map` on the state ``[positions (N x 3), headings (N x 3)]``
(flattened, 6N numbers): the model is defined in discrete time (one synchronous update per step of
``dt``; its noise is a per-step heading kick renormalized onto the sphere, not the increment of a
Wiener process, so it is not an SDE with a dt -> 0 limit). The noise of step n is drawn from
``fold_in(key(seed), n)``, with the seed a parameter: for each seed the school is a deterministic map
(a random dynamical system with its noise path fixed, Arnold 1998), so runs are bit-reproducible,
`dynstab.simulate.trajectory` and NetCDF export work on it unchanged, and a parameter ensemble over
``seed`` runs several noise realizations in one compiled call. The original seeds only the initial
state (numba's generator is not seeded by ``np.random.seed``), so its runs differ from one another:
its torus case gave P = 0.81 and 0.50 in two identical runs.

Neighbours are found by all pairs (``neighbours="all"``, O(N^2), vectorized) or a cell list
(``neighbours="cells"``, cells of side at least :math:`r_a`, 27 neighbouring cells, a fixed cell
capacity that `simulate_school` doubles and reruns a chunk with when a cell overflows; with fewer than
3 cells per side it is refused). The cell list bounds memory (N x 27 capacity pairs instead of N^2) but is
not faster than all pairs below about 10^4 agents (benchmarks/RESULTS.md, "Couzin school").

Order parameters: polarization :math:`P = |\\langle \\hat u \\rangle|` and milling
:math:`M = |\\langle \\hat r_c \\times \\hat u \\rangle|`, r_c from the school's centroid. The original
takes the arithmetic centroid of the wrapped positions, which is wrong once the school straddles a
face of the box (a compact school split across a face gets its centroid in the middle of the box);
here M is measured from the periodic (circular) mean of each coordinate (Bai & Breen 2008), r_c the
minimum-image displacement from it. The original's highly parallel "M = 0.2" is this artefact (0.15-0.22
with its centroid, 0.03-0.07 from the periodic one, in our runs).

The seven entropies of `school_entropies` (each a Shannon entropy of a histogram over its non-empty
bins divided by the log of the number of bins, in [0, 1]) and the schooling index
:math:`OSI = 0.18 H_{coh} + 0.28 H_{pol} + 0.08 H_{depth} + 0.08 H_{ang} + 0.10 H_{nn} + 0.18 H_{vel}
+ 0.10 H_{shape}` follow dewi-kadita's metrics.py (the README writes the H_vel term as 1 - H_vel; the
code and the paper's "H_vel -> 0 in the ordered state" use H_vel). The angular-momentum and shape
entropies centre the school as the published index does (``centroid="arithmetic"``, so OSI compares with
the paper's numbers: highly parallel 0.268 over seeds 1-3 against 0.262 / 0.244 published) or correctly
(``centroid="periodic"``: 0.297). docs/models/schooling.md has the numbers of every configuration, and
the milling configuration that the published torus is not.

References
----------
Couzin, Krause, James, Ruxton & Franks, Collective memory and spatial sorting in animal groups,
J. Theor. Biol. 218, 1 (2002).
Herho, Anwar, Khadami, Handayani, Sujatmiko, Kasim, Suwarman & Irawan, dewi-kadita: 3D Couzin fish
schooling with entropy diagnostics, arXiv 2602.07948 (2026); code github.com/sandyherho/dewi-kadita.
Bai & Breen, Calculating center of mass in an unbounded 2D environment, J. Graphics Tools 13, 53 (2008).
Arnold, Random Dynamical Systems, Springer (1998).
"""

from __future__ import annotations

import difflib
import functools
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..limits import check_allocation
from ..simulate.evolution import in_chunks, intervals_part
from ..systems.base import Map, evolution_of
from ..validation import as_float, as_int, as_positive_float

__all__ = [
    "SchoolConfig",
    "PRESETS",
    "PUBLISHED",
    "preset",
    "school",
    "initial_school",
    "couzin_step",
    "simulate_school",
    "SchoolRun",
    "polarization",
    "milling",
    "school_entropies",
    "schooling_index",
    "classify_regime",
    "ENTROPY_NAMES",
    "OSI_WEIGHTS",
    "plot_school",
    "load_school",
]

#: The seven entropies, in the order of the OSI weights.
ENTROPY_NAMES = ("cohesion", "polarization", "depth", "angular_momentum", "nearest_neighbour", "velocity", "shape")
#: Weights of the Oceanic Schooling Index (dewi-kadita metrics.py).
OSI_WEIGHTS = {
    "cohesion": 0.18,
    "polarization": 0.28,
    "depth": 0.08,
    "angular_momentum": 0.08,
    "nearest_neighbour": 0.10,
    "velocity": 0.18,
    "shape": 0.10,
}
_LONG_NAMES = {
    "cohesion": "school cohesion entropy (nearest-neighbour distance)",
    "polarization": "polarization entropy (heading directions)",
    "depth": "depth stratification entropy",
    "angular_momentum": "angular momentum entropy",
    "nearest_neighbour": "nearest-neighbour entropy (coefficient of variation of 5 neighbour distances)",
    "velocity": "velocity correlation entropy",
    "shape": "school shape entropy",
}
_NOISE_STREAM, _INIT_STREAM = 1, 2
_TINY = 1e-10  # the original's threshold for a zero distance or vector
_ARRAYS_PER_PAIR = 12  # float64 arrays of one entry per pair that a step may hold at once (displacements, gathers)


# ---------------------------------------------------------------------------------- configurations
@dataclass(frozen=True)
class SchoolConfig:
    """The parameters of a school (lengths in the model's units, angles as noted).

    Parameters
    ----------
    n_agents : int
        Number of fish N (at least 2).
    box_size : float
        Side L of the periodic cube.
    speed : float
        Constant speed v0 (length per time unit).
    r_repulsion, r_orientation, r_attraction : float
        Outer radii of the zones, 0 <= r_r <= r_o <= r_a.
    max_turn : float
        Largest turn per step theta_max (radians, in (0, pi]).
    noise : float
        Standard deviation sigma of the Gaussian kick added to each heading component per step.
    blind_angle : float
        Half-angle of the rear blind cone in degrees, in [0, 180) (0: all-round vision).
    orientation_weight : float
        Weight w_o of the orientation sum against the attraction sum.
    dt : float
        Time step.
    steps : int
        Default number of steps of a run.
    seed : int
        Default seed (initial state and noise).
    init : str
        ``"uniform"`` (positions uniform in the box, headings uniform on the sphere) or ``"ring"``
        (a ring of radius ``ring_radius`` in the plane z = L/2 with tangential headings).
    ring_radius : float
        Radius of the ``"ring"`` start.
    name : str
        A label for reports.
    turn : str
        ``"nlerp"`` (dewi-kadita's turn, with which its configurations were tuned: toward a target beyond
        theta_max, the normalized interpolation (1 - t) u + t D, t = theta_max / angle, which turns by less
        than theta_max, 0.33 rad instead of 0.4 toward a target at 90 degrees) or ``"rotate"`` (a rotation by
        exactly theta_max in the plane of u and D, Couzin et al. 2002).
    """

    n_agents: int = 150
    box_size: float = 25.0
    speed: float = 1.0
    r_repulsion: float = 1.0
    r_orientation: float = 5.0
    r_attraction: float = 10.0
    max_turn: float = 0.3
    noise: float = 0.1
    blind_angle: float = 30.0
    orientation_weight: float = 1.0
    dt: float = 0.1
    steps: int = 1000
    seed: int = 0
    init: str = "uniform"
    ring_radius: float = 6.0
    name: str = "couzin"
    turn: str = "nlerp"

    #: The names `with_params` / ``--param`` accept (the model's parameters, not N, steps or seed).
    PARAMETERS = (
        "box_size",
        "speed",
        "r_repulsion",
        "r_orientation",
        "r_attraction",
        "max_turn",
        "noise",
        "blind_angle",
        "orientation_weight",
        "dt",
        "ring_radius",
    )

    def checked(self) -> SchoolConfig:
        """The configuration with every field validated (a clear ValueError/TypeError otherwise).

        Returns
        -------
        SchoolConfig
            ``self`` with numbers as Python ints and floats.

        Raises
        ------
        ValueError
            For N < 2, a non-positive box, speed, dt or turn, a negative radius, noise or weight,
            zone radii out of order, a blind angle outside [0, 180), an unknown ``init``.
        """
        n = as_int(self.n_agents, name="n_agents", minimum=2)
        radii = {}
        for key in ("r_repulsion", "r_orientation", "r_attraction"):
            value = as_float(getattr(self, key), name=key)
            if value < 0:
                raise ValueError(f"{key} must be >= 0 (a zone radius), got {value:g}")
            radii[key] = value
        r_r, r_o, r_a = radii["r_repulsion"], radii["r_orientation"], radii["r_attraction"]
        if not r_r <= r_o <= r_a:
            raise ValueError(
                "zone radii out of order: need r_repulsion <= r_orientation <= r_attraction, "
                f"got {r_r:g}, {r_o:g}, {r_a:g}"
            )
        max_turn = as_positive_float(self.max_turn, name="max_turn")
        if max_turn > math.pi:
            raise ValueError(f"max_turn is an angle in radians in (0, pi], got {max_turn:g}")
        blind = as_float(self.blind_angle, name="blind_angle", minimum=0.0)
        if blind >= 180.0:
            raise ValueError(f"blind_angle is a half-angle in degrees in [0, 180), got {blind:g}")
        if self.turn not in ("rotate", "nlerp"):
            raise ValueError(f"turn must be 'rotate' or 'nlerp', got {self.turn!r}")
        if self.init not in ("uniform", "ring"):
            raise ValueError(f"init must be 'uniform' or 'ring', got {self.init!r}")
        box = as_positive_float(self.box_size, name="box_size")
        ring = as_positive_float(self.ring_radius, name="ring_radius")
        if self.init == "ring" and ring >= box / 2:
            raise ValueError(f"ring_radius {ring:g} does not fit in the box: give ring_radius < box_size / 2")
        return replace(
            self,
            n_agents=n,
            box_size=box,
            speed=as_positive_float(self.speed, name="speed"),
            r_repulsion=r_r,
            r_orientation=r_o,
            r_attraction=r_a,
            max_turn=max_turn,
            noise=as_float(self.noise, name="noise", minimum=0.0),
            blind_angle=blind,
            orientation_weight=as_float(self.orientation_weight, name="orientation_weight", minimum=0.0),
            dt=as_positive_float(self.dt, name="dt"),
            steps=as_int(self.steps, name="steps", minimum=1),
            seed=as_int(self.seed, name="seed", minimum=0, maximum=2**32 - 1),
            ring_radius=ring,
        )

    def with_params(self, **changes: Any) -> SchoolConfig:
        """A copy with some fields replaced and validated (unknown names suggest close matches).

        Parameters
        ----------
        **changes
            New values of fields (`SchoolConfig.PARAMETERS`, or ``n_agents``, ``steps``, ``seed``,
            ``init``, ``name``).

        Returns
        -------
        SchoolConfig

        Raises
        ------
        KeyError
            For a name that is not a field.
        ValueError
            For values that fail `checked`.
        """
        known = list(self.__dataclass_fields__)
        for key in changes:
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                raise KeyError(
                    f"the school has no parameter {key!r}"
                    + (f" (did you mean {hint[0]!r}?)" if hint else "")
                    + f"; its parameters are {', '.join(self.PARAMETERS)}"
                )
        return replace(self, **changes).checked()


#: dewi-kadita's four configurations (configs/*.txt), all dt = 0.1.
PRESETS: dict[str, SchoolConfig] = {
    "swarm": SchoolConfig(150, 25.0, 1.0, 2.0, 3.0, 15.0, 0.4, 0.2, 30.0, 1.0, 0.1, 1000, 42, name="swarm"),
    "torus": SchoolConfig(
        200, 25.0, 1.0, 1.0, 3.0, 10.0, 0.2, 0.05, 150.0, 0.1, 0.1, 2000, 42, "ring", 6.0, name="torus"
    ),
    "dynamic-parallel": SchoolConfig(
        180, 28.0, 1.2, 1.0, 10.0, 18.0, 0.35, 0.12, 25.0, 1.0, 0.1, 1500, 456, name="dynamic-parallel"
    ),
    "highly-parallel": SchoolConfig(
        250, 35.0, 1.5, 1.0, 12.0, 20.0, 0.2, 0.05, 20.0, 1.0, 0.1, 1000, 789, name="highly-parallel"
    ),
    # not in dewi-kadita: its torus does not mill (M = 0.30 and 0.14 in two runs, P 0.5-0.8); this one does,
    # M = 0.97 (docs/models/schooling.md: turning radius v dt / theta_max = 5 = the ring's radius, attraction
    # only to neighbours along the ring, r_a = 6 < its diameter, a 240-degree field of view, the exact turn)
    "milling": SchoolConfig(
        100, 25.0, 1.0, 0.5, 1.0, 6.0, 0.02, 0.01, 60.0, 1.0, 0.1, 2000, 42, "ring", 5.0, name="milling", turn="rotate"
    ),
}

#: dewi-kadita's published (abstract) and reported numbers, second-half means (notes, run 1 / run 2).
PUBLISHED = {
    "swarm": {"P": (0.077, 0.082), "M": (0.065, 0.059), "OSI": (0.706, 0.707)},
    "torus": {"P": (0.812, 0.501), "M": (0.295, 0.143), "OSI": (0.476, 0.584)},
    "dynamic-parallel": {"P": (0.978, 0.978), "M": (0.018, 0.019), "OSI": (0.299, 0.297)},
    "highly-parallel": {"P": (0.997, 0.997), "M": (0.197, 0.225), "OSI": (0.262, 0.244)},
}


def preset(name: str, **changes: Any) -> SchoolConfig:
    """One of `PRESETS` by name, with optional changes.

    Parameters
    ----------
    name : str
        ``"swarm"``, ``"torus"``, ``"dynamic-parallel"``, ``"highly-parallel"`` or ``"milling"``
        (underscores accepted for dashes).
    **changes
        Fields to replace (see `SchoolConfig.with_params`).

    Returns
    -------
    SchoolConfig

    Raises
    ------
    KeyError
        For an unknown name, with close matches.
    """
    key = str(name).strip().lower().replace("_", "-")
    if key not in PRESETS:
        hint = difflib.get_close_matches(key, list(PRESETS), n=2)
        raise KeyError(
            f"unknown school configuration {name!r}"
            + (f" (did you mean {' or '.join(repr(h) for h in hint)}?)" if hint else "")
            + f"; choose one of {', '.join(PRESETS)}"
        )
    return PRESETS[key].with_params(**changes)


# ---------------------------------------------------------------------------------- the step
def _unit(v: jax.Array) -> tuple[jax.Array, jax.Array]:
    norm = jnp.sqrt(jnp.sum(v * v, axis=-1, keepdims=True))
    return v / jnp.where(norm > _TINY, norm, 1.0), norm[..., 0]


def _zone_sums(
    ri: jax.Array, ui: jax.Array, rj: jax.Array, uj: jax.Array | None, ok: jax.Array | None, p: Mapping, box: float
) -> tuple[jax.Array, jax.Array, jax.Array | None, jax.Array]:
    """The position-type sum (repulsion where any, else attraction), the orientation mask and sum, per agent i.

    Components first: ``ri``, ``ui`` are (3, N, 1) and ``rj``, ``uj`` (3, 1, N) (all pairs) or (3, N, K)
    (cell-list candidates), so every operation runs along the contiguous last axis j (with (N, N, 3) arrays,
    their last axis of 3 defeats vectorization: 4x slower at N = 250, benchmarks/bench_schooling.py).
    Returns ``s_pos`` (N, 3): -sum of unit vectors to the agents in the repulsion zone for an agent that has
    any, else the sum of unit vectors to those in the attraction zone; the orientation mask (N, K) and, when
    ``uj`` is given, the orientation sum (N, 3) (else the caller forms it, as a matrix product); and whether
    each agent has a neighbour in its repulsion zone (N,).
    """
    d = [rj[c] - ri[c] for c in range(3)]
    d = [x - box * jnp.round(x * (1.0 / box)) for x in d]
    dist = jnp.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
    inv = 1.0 / jnp.where(dist > _TINY, dist, 1.0)
    ahead = ui[0] * d[0] + ui[1] * d[1] + ui[2] * d[2]  # |d| cos(angle between u_i and d)
    blind = p["blind_angle"] * (math.pi / 180.0)
    seen = (dist > _TINY) & ((ahead > -jnp.cos(blind) * dist) | (blind <= 0.0))
    if ok is not None:
        seen = seen & ok
    rep = seen & (dist < p["r_repulsion"])
    ori = seen & (dist >= p["r_repulsion"]) & (dist < p["r_orientation"])
    att = seen & (dist >= p["r_orientation"]) & (dist < p["r_attraction"])
    any_rep = jnp.any(rep, axis=-1)
    w = jnp.where(any_rep[:, None], jnp.where(rep, -inv, 0.0), jnp.where(att, inv, 0.0))
    s_pos = jnp.stack([jnp.sum(w * d[c], axis=-1) for c in range(3)], -1)
    wo = jnp.where(ori, 1.0, 0.0)
    s_ori = None if uj is None else jnp.stack([jnp.sum(wo * uj[c], axis=-1) for c in range(3)], -1)
    return s_pos, wo, s_ori, any_rep


def _turn(u: jax.Array, desired: jax.Array, max_turn: jax.Array, turn: str) -> jax.Array:
    """Turn unit headings u toward ``desired`` by at most ``max_turn`` (exact rotation or the original NLERP)."""
    target, norm = _unit(desired)
    target = jnp.where((norm > _TINY)[..., None], target, u)
    dot = jnp.clip(jnp.sum(u * target, axis=-1), -1.0, 1.0)
    angle = jnp.arccos(dot)
    if turn == "nlerp":
        t = (max_turn / jnp.where(angle > 0, angle, 1.0))[..., None]
        limited, lnorm = _unit((1.0 - t) * u + t * target)
        limited = jnp.where((lnorm > _TINY)[..., None], limited, u)
    else:
        # rotate u by max_turn in the plane of (u, target); a target opposite u: any perpendicular
        perp, pnorm = _unit(target - dot[..., None] * u)
        other, _ = _unit(
            jnp.cross(u, jnp.where(jnp.abs(u[..., :1]) < 0.9, jnp.array([1.0, 0, 0]), jnp.array([0, 1.0, 0])))
        )
        perp = jnp.where((pnorm > 1e-12)[..., None], perp, other)
        limited = jnp.cos(max_turn) * u + jnp.sin(max_turn) * perp
    new = jnp.where((angle <= max_turn)[..., None], target, limited)
    return jnp.where((angle < _TINY)[..., None], u, new)


def _cell_candidates(r: jax.Array, box: float, cells: int, capacity: int) -> tuple[jax.Array, jax.Array]:
    """Indices (N, 27 capacity) of the agents in the 27 cells around each agent's (N padding), and overflow."""
    n = r.shape[0]
    ijk = jnp.floor(r * (cells / box)).astype(jnp.int32) % cells
    cid = (ijk[:, 0] * cells + ijk[:, 1]) * cells + ijk[:, 2]
    order = jnp.argsort(cid, stable=True)
    counts = jnp.bincount(cid, length=cells**3)
    starts = jnp.cumsum(counts) - counts
    slot = jnp.arange(capacity)
    table = jnp.where(
        slot[None, :] < counts[:, None],
        order[jnp.minimum(starts[:, None] + slot[None, :], n - 1)],
        n,
    )
    shifts = jnp.array([(a, b, c) for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)], dtype=jnp.int32)
    around = (ijk[:, None, :] + shifts[None, :, :]) % cells
    nid = (around[..., 0] * cells + around[..., 1]) * cells + around[..., 2]
    return table[nid].reshape(n, 27 * capacity), jnp.max(counts) > capacity


def couzin_step(
    positions: jax.Array,
    headings: jax.Array,
    params: Mapping[str, Any],
    key: jax.Array,
    *,
    box: float,
    neighbours: str = "all",
    cells: int = 0,
    capacity: int = 0,
    turn: str = "rotate",
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """One synchronous Couzin update of all agents (JAX-traceable; see the module docstring).

    Parameters
    ----------
    positions : jax.Array, shape (N, 3)
        Positions in [0, L)^3.
    headings : jax.Array, shape (N, 3)
        Unit headings.
    params : mapping
        ``speed``, ``r_repulsion``, ``r_orientation``, ``r_attraction``, ``max_turn``, ``noise``,
        ``blind_angle`` (degrees), ``orientation_weight``, ``dt`` (scalars).
    key : jax.Array
        PRNG key of this step's noise.
    box : float
        Side L of the periodic cube (static).
    neighbours : {"all", "cells"}
        All pairs, or the cell list of ``cells`` cells per side holding up to ``capacity`` agents each.
    cells, capacity : int
        The cell list's shape (static; ``neighbours="cells"`` only).
    turn : {"rotate", "nlerp"}
        Exact turn by ``max_turn``, or the original's normalized interpolation.

    Returns
    -------
    positions, headings : jax.Array, shape (N, 3)
        After the step.
    overflow : jax.Array, shape ()
        Whether a cell held more than ``capacity`` agents (neighbours were then missed).
    """
    u = headings
    r_t, u_t = positions.T[:, :, None], u.T[:, :, None]
    if neighbours == "cells":
        idx, overflow = _cell_candidates(positions, box, cells, capacity)
        pad = jnp.zeros((3, 1))
        rj = jnp.concatenate([positions.T, pad], axis=1)[:, idx]  # (3, N, K): gathered components first
        uj = jnp.concatenate([u.T, pad], axis=1)[:, idx]
        s_pos, _, s_ori, any_rep = _zone_sums(r_t, u_t, rj, uj, idx < positions.shape[0], params, box)
    else:
        s_pos, ori, _, any_rep = _zone_sums(r_t, u_t, positions.T[:, None, :], None, None, params, box)
        s_ori = ori @ u  # a matrix product: 1.5x faster than the masked sum
        overflow = jnp.asarray(False)
    assert s_ori is not None
    desired = jnp.where(any_rep[:, None], s_pos, params["orientation_weight"] * s_ori + s_pos)
    new = _turn(u, desired, params["max_turn"], turn)
    kick = params["noise"] * jax.random.normal(key, u.shape, dtype=u.dtype)
    new, _ = _unit(new + kick)
    moved = jnp.mod(positions + (params["speed"] * params["dt"]) * new, box)
    return moved, new, overflow


def _noise_key(seed: jax.Array, n: jax.Array) -> jax.Array:
    base = jax.random.fold_in(jax.random.PRNGKey(jnp.asarray(seed).astype(jnp.uint32)), _NOISE_STREAM)
    return jax.random.fold_in(base, jnp.asarray(n).astype(jnp.uint32))


@functools.lru_cache(maxsize=64)
def _law(box: float, neighbours: str, cells: int, capacity: int, turn: str) -> Callable[..., jax.Array]:
    """The map's law for one static setting (cached: the same function, so compiled code is reused)."""

    def couzin(x: jax.Array, p: Mapping[str, jax.Array], n: Any) -> jax.Array:
        state = x.reshape(2, -1, 3)
        r, u, overflow = couzin_step(
            state[0],
            state[1],
            p,
            _noise_key(p["seed"], n),
            box=box,
            neighbours=neighbours,
            cells=cells,
            capacity=capacity,
            turn=turn,
        )
        out = jnp.concatenate([r.ravel(), u.ravel()])
        return jnp.where(overflow, jnp.nan, out)  # an overflowing cell list: NaN, never a silently wrong school

    return couzin


#: Parameters fixed in the compiled step rather than traced: the box sets the cell grid, the ring only the start.
_STATIC_PARAMETERS = ("box_size", "ring_radius")


def _params(config: SchoolConfig, seed: int) -> dict[str, float]:
    """The traced parameters of the step: `SchoolConfig.PARAMETERS` less `_STATIC_PARAMETERS`, and the seed."""
    keys = [k for k in SchoolConfig.PARAMETERS if k not in _STATIC_PARAMETERS]
    return {**{k: float(getattr(config, k)) for k in keys}, "seed": float(seed)}


def _cell_shape(
    config: SchoolConfig, neighbours: str, capacity: int | None, positions: np.ndarray | None
) -> tuple[int, int]:
    if neighbours not in ("all", "cells"):
        raise ValueError(f"neighbours must be 'all' or 'cells', got {neighbours!r}")
    if neighbours == "all":
        return 0, 0
    cells = int(config.box_size // config.r_attraction) if config.r_attraction > 0 else 0
    if cells < 3:
        raise ValueError(
            f"neighbours='cells' needs at least 3 cells of side r_attraction per box side; box_size / r_attraction "
            f"= {config.box_size / max(config.r_attraction, 1e-300):.3g}: use neighbours='all'"
        )
    if capacity is None:
        mean = config.n_agents / cells**3
        fullest = 0
        if positions is not None:
            ijk = np.floor(positions * (cells / config.box_size)).astype(int) % cells
            fullest = int(np.bincount((ijk[:, 0] * cells + ijk[:, 1]) * cells + ijk[:, 2]).max())
        capacity = int(max(8, 2 * fullest, math.ceil(2.5 * mean + 8)))
    return cells, as_int(capacity, name="capacity", minimum=1)


@float64
def initial_school(config: SchoolConfig, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The initial positions and unit headings of a configuration, drawn from its seed.

    ``"uniform"``: positions uniform in [0, L)^3, headings uniform on the sphere. ``"ring"`` (the
    original's torus start): angles 2 pi i / N + 0.1 g, radius R (1 + 0.15 g), z = L/2 + 0.3 R g in
    the plane z = L/2 around the box centre, headings tangential plus 0.1 g vertically, normalized
    (g standard normal draws).

    Parameters
    ----------
    config : SchoolConfig
        The school.
    seed : int, optional
        Default ``config.seed``.

    Returns
    -------
    positions, headings : numpy.ndarray, shape (N, 3)
    """
    config = config.checked()
    seed = config.seed if seed is None else as_int(seed, name="seed", minimum=0, maximum=2**32 - 1)
    n, box = config.n_agents, config.box_size
    k1, k2 = jax.random.split(jax.random.fold_in(jax.random.PRNGKey(seed), _INIT_STREAM))
    if config.init == "ring":
        g = np.asarray(jax.random.normal(k1, (4, n), dtype=jnp.float64))
        phi = 2 * np.pi * np.arange(n) / n + 0.1 * g[0]
        rad = config.ring_radius * (1.0 + 0.15 * g[1])
        pos = np.stack(
            [box / 2 + rad * np.cos(phi), box / 2 + rad * np.sin(phi), box / 2 + 0.3 * config.ring_radius * g[2]], 1
        )
        head = np.stack([-np.sin(phi), np.cos(phi), 0.1 * g[3]], 1)
    else:
        pos = np.asarray(jax.random.uniform(k1, (n, 3), dtype=jnp.float64, maxval=box))
        head = np.asarray(jax.random.normal(k2, (n, 3), dtype=jnp.float64))
    head = head / np.linalg.norm(head, axis=1, keepdims=True)
    return np.mod(pos, box), head


@float64
def school(
    config: SchoolConfig | str = "swarm",
    *,
    seed: int | None = None,
    neighbours: str = "all",
    capacity: int | None = None,
) -> Map:
    """The school as a dynstab `Map` on ``[positions (N x 3), headings (N x 3)]`` (see the module docstring).

    Parameters
    ----------
    config : SchoolConfig or str, default "swarm"
        A configuration or the name of a preset.
    seed : int, optional
        Seed of the initial state (``x0``) and of the noise (the parameter ``seed``); default ``config.seed``.
    neighbours : {"all", "cells"}, default "all"
        All pairs or the cell list.
    capacity : int, optional
        Agents per cell of the cell list (default: from the initial state, with room to spare); a
        step on which a cell overflows returns NaN (raise ``capacity``, or use `simulate_school`,
        which grows it).

    Returns
    -------
    Map
        One iteration is one step of ``dt`` time units; parameters ``speed``, ``r_repulsion``,
        ``r_orientation``, ``r_attraction``, ``max_turn``, ``noise``, ``blind_angle`` (degrees),
        ``orientation_weight``, ``dt`` and ``seed``; positions periodic with period L.
    """
    cfg = preset(config) if isinstance(config, str) else config.checked()
    seed = cfg.seed if seed is None else as_int(seed, name="seed", minimum=0, maximum=2**32 - 1)
    pos, head = initial_school(cfg, seed)
    cells, cap = _cell_shape(cfg, neighbours, capacity, pos)
    pairs = cfg.n_agents * (27 * cap if neighbours == "cells" else cfg.n_agents)
    check_allocation(
        pairs * 8.0 * _ARRAYS_PER_PAIR,
        f"one step's pair arrays ({cfg.n_agents} agents x {pairs // cfg.n_agents} candidates)",
        "use neighbours='cells' (a box of at least 3 r_a per side), or fewer agents",
    )
    n = cfg.n_agents
    names = tuple(f"{c}_{i}" for i in range(n) for c in "xyz") + tuple(f"u{c}_{i}" for i in range(n) for c in "xyz")
    system = Map.from_law(
        _law(cfg.box_size, neighbours, cells, cap, cfg.turn),
        params=_params(cfg, seed),
        x0=np.concatenate([pos.ravel(), head.ravel()]),
        names=names,
        name=f"couzin school ({cfg.name}, N={n})",
        reference="Couzin et al., J. Theor. Biol. 218, 1 (2002); Herho et al., arXiv 2602.07948 (dewi-kadita)",
        dt=cfg.dt,
        periodic=[(i, cfg.box_size) for i in range(3 * n)],
        description="3D Couzin school: zones of repulsion, orientation, attraction; blind cone; noise",
    )
    assert isinstance(system, Map)
    return system


# ---------------------------------------------------------------------------------- order parameters
def _headings(v: Any) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norm < _TINY, 1.0, norm)


def _from_centroid(positions: np.ndarray, box: float, centroid: str) -> np.ndarray:
    """r - centroid (..., N, 3): minimum image from the periodic mean, or the original's plain difference."""
    if centroid == "arithmetic":
        return positions - positions.mean(axis=-2, keepdims=True)
    if centroid != "periodic":
        raise ValueError(f"centroid must be 'periodic' or 'arithmetic', got {centroid!r}")
    angle = positions * (2 * np.pi / box)
    mean = np.arctan2(np.sin(angle).mean(axis=-2, keepdims=True), np.cos(angle).mean(axis=-2, keepdims=True))
    d = positions - mean * (box / (2 * np.pi))
    return d - box * np.round(d / box)


def polarization(headings: Any) -> np.ndarray:
    """Polarization P = |<u>| of the headings (per frame).

    Parameters
    ----------
    headings : array_like, shape (..., N, 3)
        Headings (normalized here).

    Returns
    -------
    numpy.ndarray, shape (...)
        P in [0, 1]: 1 for a school all heading one way, about N^(-1/2) for random headings.
    """
    return np.linalg.norm(_headings(headings).mean(axis=-2), axis=-1)


def milling(positions: Any, headings: Any, box: float, *, centroid: str = "periodic") -> np.ndarray:
    """Milling (rotation) order parameter M = |<r_c_hat x u>| (per frame).

    Parameters
    ----------
    positions, headings : array_like, shape (..., N, 3)
        Positions in the box and headings.
    box : float
        Side L of the periodic box.
    centroid : {"periodic", "arithmetic"}, default "periodic"
        The periodic mean (minimum-image r_c), or the original's mean of the wrapped positions.

    Returns
    -------
    numpy.ndarray, shape (...)
        M in [0, 1]: 1 for agents circling the centroid in one sense.
    """
    rc = _headings(_from_centroid(np.asarray(positions, dtype=float), float(box), centroid))
    return np.linalg.norm(np.cross(rc, _headings(headings)).mean(axis=-2), axis=-1)


# ---------------------------------------------------------------------------------- entropies
def _normalized_entropy(counts: np.ndarray, n_bins: int) -> float:
    """Shannon entropy of the counts over the non-empty bins, divided by ln(n_bins); 0.5 with no count (the original's)."""
    from ..timeseries.entropy import shannon_entropy

    total = counts.sum()
    if total <= 0:
        return 0.5
    return shannon_entropy(counts.ravel() / total) / math.log(n_bins)


def _velocity_counts(u: np.ndarray, n_bins: int) -> np.ndarray:
    """Histogram of (u_i . u_j + 1) / 2 over pairs i < j (rows in blocks: no N x N array for a large school)."""
    n, counts = len(u), np.zeros(n_bins)
    block = max(1, int(2**22 // max(n, 1)))
    for a in range(0, n - 1, block):
        dots = u[a : a + block] @ u.T
        rows = np.arange(a, min(a + block, n))[:, None]
        keep = np.arange(n)[None, :] > rows
        counts += np.histogram((dots[keep] + 1.0) / 2.0, bins=n_bins, range=(0.0, 1.0))[0]
    return counts


def school_entropies(positions: Any, headings: Any, box: float, *, centroid: str = "periodic") -> dict[str, float]:
    """The seven normalized entropies of one frame of a school (dewi-kadita metrics.py).

    Each is :math:`H = -\\sum_k p_k \\ln p_k / \\ln K` over the K bins of a histogram (in [0, 1]):

    * ``cohesion``: nearest-neighbour distance (periodic), 25 bins on [0, L/2];
    * ``polarization``: heading polar angle theta (12 bins on [0, pi]) by azimuth phi (24 bins on
      [0, 2 pi]), counts weighted by sin(theta at the bin centre), K = 288;
    * ``depth``: z, 15 bins on [0, L];
    * ``angular_momentum``: |r_c_hat x u| per agent, 20 bins on [0, 1];
    * ``nearest_neighbour``: coefficient of variation of each agent's 5 nearest-neighbour distances
      (periodic; std / (mean + 1e-10)), 20 bins on [0, 2];
    * ``velocity``: (u_i . u_j + 1) / 2 over all pairs i < j, 20 bins on [0, 1];
    * ``shape``: the eigenvalues of the position covariance (floored at 1e-10) normalized to sum to
      1, entropy over ln 3.

    Parameters
    ----------
    positions, headings : array_like, shape (N, 3)
        One frame.
    box : float
        Side L of the periodic box.
    centroid : {"periodic", "arithmetic"}, default "periodic"
        How r_c (angular momentum) and the covariance (shape) are centred: minimum image from the
        periodic mean, or the original's plain mean of the wrapped positions (which counts a school
        straddling a face of the box as spread across the box).

    Returns
    -------
    dict of str to float
        The entropies by `ENTROPY_NAMES`.
    """
    from scipy.spatial import cKDTree

    r = np.mod(np.asarray(positions, dtype=float), box)
    u = _headings(headings)
    n = len(r)
    out: dict[str, float] = {}
    k = min(6, n)
    dist, _ = cKDTree(r, boxsize=box).query(r, k=k)
    out["cohesion"] = _normalized_entropy(np.histogram(dist[:, 1], bins=25, range=(0.0, box / 2))[0], 25)
    theta = np.arccos(np.clip(u[:, 2], -1.0, 1.0))
    phi = np.arctan2(u[:, 1], u[:, 0]) + np.pi
    hist, t_edges, _ = np.histogram2d(theta, phi, bins=[np.linspace(0, np.pi, 13), np.linspace(0, 2 * np.pi, 25)])
    out["polarization"] = _normalized_entropy(hist * np.sin(0.5 * (t_edges[:-1] + t_edges[1:]))[:, None], 288)
    out["depth"] = _normalized_entropy(np.histogram(r[:, 2], bins=15, range=(0.0, box))[0], 15)
    rc = _from_centroid(r, box, centroid)
    ang = np.linalg.norm(np.cross(_headings(rc), u), axis=1)
    out["angular_momentum"] = _normalized_entropy(np.histogram(ang, bins=20, range=(0.0, 1.0))[0], 20)
    if n >= 6:
        knn = dist[:, 1:]
        cv = knn.std(axis=1) / (knn.mean(axis=1) + 1e-10)
        out["nearest_neighbour"] = _normalized_entropy(np.histogram(cv, bins=20, range=(0.0, 2.0))[0], 20)
    else:  # the original's value when there are fewer than 6 agents
        out["nearest_neighbour"] = 0.5
    out["velocity"] = _normalized_entropy(_velocity_counts(u, 20), 20)
    if n >= 4:
        eig = np.maximum(np.sort(np.linalg.eigvalsh(np.cov(rc.T)))[::-1], 1e-10)
        out["shape"] = _normalized_entropy(eig, 3)
    else:
        out["shape"] = 0.5
    return {name: out[name] for name in ENTROPY_NAMES}


def schooling_index(entropies: Mapping[str, Any]) -> Any:
    """The Oceanic Schooling Index OSI = sum_k w_k H_k with `OSI_WEIGHTS` (0 ordered, 1 disordered).

    Parameters
    ----------
    entropies : mapping
        The seven entropies by `ENTROPY_NAMES` (floats or arrays of frames).

    Returns
    -------
    float or numpy.ndarray
    """
    return sum(w * np.asarray(entropies[k]) for k, w in OSI_WEIGHTS.items())


#: Thresholds of `classify_regime` (documented in its docstring).
REGIME_THRESHOLDS = {
    "torus_M": 0.5,
    "highly_parallel_P": 0.99,
    "highly_parallel_OSI": 0.30,
    "parallel_P": 0.7,
    "swarm_order": 0.3,
}


def classify_regime(P: float, M: float, osi: float) -> str:
    """The collective state from second-half means of P, M and OSI.

    In order: ``"torus"`` when M > 0.5 and M > P (milling dominates); ``"highly parallel"`` when
    P > 0.99 and OSI < 0.30 (dewi-kadita's highly parallel runs: P 0.997, OSI 0.24-0.26, ours 0.24-0.29 over
    seeds 1-3; its dynamic parallel runs: P 0.978, OSI 0.30); ``"dynamic parallel"`` when P > 0.7; ``"swarm"`` when
    P < 0.3 and M < 0.3 (no order of either kind; the swarm has P 0.08, M 0.06, OSI 0.71);
    ``"transitional"`` otherwise. The original's CLI uses P > 0.9 / P > 0.7 / M > 0.5 / P > 0.4
    or M > 0.3 (transitional); its highly parallel threshold P > 0.9 also takes the dynamic
    parallel runs (P 0.978), which the OSI separates.

    Parameters
    ----------
    P, M, osi : float
        Polarization, milling, schooling index.

    Returns
    -------
    str
    """
    t = REGIME_THRESHOLDS
    if M > t["torus_M"] and M > P:
        return "torus"
    if P > t["highly_parallel_P"] and osi < t["highly_parallel_OSI"]:
        return "highly parallel"
    if P > t["parallel_P"]:
        return "dynamic parallel"
    if P < t["swarm_order"] and M < t["swarm_order"]:
        return "swarm"
    return "transitional"


# ---------------------------------------------------------------------------------- runs
@functools.partial(jax.jit, static_argnames=("evolution", "n_sub", "size"))
def _chunk(evolution: Any, params: Any, state: Any, n_sub: int, size: int, start: Any, count: Any) -> Any:
    step = evolution.step(params)
    return intervals_part(step, state, jnp.asarray(0), 1, n_sub, size, start, count, lambda s: (s, s))


#: Seconds per neighbour pair and step on XLA CPU (measured ~2 ns for 250 agents all-pairs); sizes the first chunk.
_SECONDS_PER_PAIR = 3e-9


@dataclass(frozen=True)
class SchoolRun:
    """A simulated school: frames every ``record_every`` steps, order parameters and entropies.

    Attributes
    ----------
    config : SchoolConfig
    seed : int
    time : ndarray, shape (T,)
        Time of each frame (steps x dt).
    positions, headings : ndarray, shape (T, N, 3)
    polarization, milling, osi : ndarray, shape (T,)
    entropies : dict of str to ndarray, shape (T,)
        The seven entropies (empty if not computed).
    neighbours, centroid : str
        How the run was made (all pairs or cells) and how its entropies centre the school.
    seconds : float
        Wall time of the simulation (compilation included).
    """

    config: SchoolConfig
    seed: int
    time: np.ndarray
    positions: np.ndarray
    headings: np.ndarray
    polarization: np.ndarray
    milling: np.ndarray
    entropies: dict[str, np.ndarray] = field(default_factory=dict)
    neighbours: str = "all"
    centroid: str = "arithmetic"
    seconds: float = 0.0

    @property
    def osi(self) -> np.ndarray:
        """The schooling index of each frame (NaN without entropies)."""
        if not self.entropies:
            return np.full(self.time.shape, np.nan)
        return np.asarray(schooling_index(self.entropies))

    def second_half(self) -> dict[str, float]:
        """Means over the second half of the frames (as dewi-kadita reports): P, M, OSI and each entropy."""
        h = len(self.time) // 2
        out = {"P": float(self.polarization[h:].mean()), "M": float(self.milling[h:].mean())}
        if self.entropies:
            out["OSI"] = float(self.osi[h:].mean())
            out.update({f"H_{k}": float(v[h:].mean()) for k, v in self.entropies.items()})
        return out

    def regime(self) -> str:
        """`classify_regime` of the second-half means."""
        m = self.second_half()
        return classify_regime(m["P"], m["M"], m.get("OSI", float("nan")))

    def to_xarray(self) -> Any:
        """The run as an xarray Dataset following the CF conventions (CF-1.8)."""
        import xarray as xr

        from .. import __version__

        cfg = self.config
        one = {"units": "1"}
        data = {
            "position": (
                ("time", "agent", "space"),
                self.positions,
                {"long_name": "position in the periodic box", **one},
            ),
            "heading": (
                ("time", "agent", "space"),
                self.headings,
                {"long_name": "unit heading (velocity / speed)", **one},
            ),
            "polarization": ("time", self.polarization, {"long_name": "polarization order parameter P", **one}),
            "milling": (
                "time",
                self.milling,
                {"long_name": "milling order parameter M (periodic centroid)", **one},
            ),
        }
        for k, v in self.entropies.items():
            data[f"entropy_{k}"] = ("time", v, {"long_name": _LONG_NAMES[k], **one})
        if self.entropies:
            data["osi"] = ("time", self.osi, {"long_name": "oceanic schooling index", **one})
        attrs = {
            "Conventions": "CF-1.8",
            "title": f"3D Couzin fish school ({cfg.name})",
            "institution": "dynstab",
            "source": f"dynstab {__version__} dynstab.models.schooling",
            "references": "Couzin et al., J. Theor. Biol. 218, 1 (2002); Herho et al., arXiv 2602.07948",
            "history": f"simulated with neighbours={self.neighbours}, turn={cfg.turn}",
            "seed": self.seed,
            "neighbours": self.neighbours,
            "turn": cfg.turn,
            "centroid": self.centroid,
            "n_agents": cfg.n_agents,
            "steps": cfg.steps,
            "init": cfg.init,
            "config_name": cfg.name,
        }
        attrs.update({k: float(getattr(cfg, k)) for k in SchoolConfig.PARAMETERS})
        coords = {
            "time": ("time", self.time, {"standard_name": "time", "long_name": "time", "units": "1", "axis": "T"}),
            "agent": ("agent", np.arange(cfg.n_agents), {"long_name": "agent index", "units": "1"}),
            "space": ("space", ["x", "y", "z"], {"long_name": "Cartesian axis (z is depth)"}),
        }
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def to_netcdf(self, path: str | Path) -> None:
        """Write the run to NetCDF atomically (a temporary file renamed when complete).

        Parameters
        ----------
        path : str or os.PathLike
            The file; read it back with `load_school`.
        """
        from ..files import atomic_output

        ds = self.to_xarray()
        with atomic_output(path) as tmp:
            ds.to_netcdf(tmp, engine="h5netcdf")


def load_school(path: str | Path) -> SchoolRun:
    """Read a run written by `SchoolRun.to_netcdf`.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    SchoolRun
    """
    import xarray as xr

    with xr.open_dataset(path, engine="h5netcdf") as ds:
        a = ds.attrs
        fields: dict[str, Any] = {k: float(a[k]) for k in SchoolConfig.PARAMETERS}
        fields.update(
            n_agents=int(a["n_agents"]),
            steps=int(a["steps"]),
            seed=int(a["seed"]),
            init=str(a["init"]),
            name=str(a["config_name"]),
            turn=str(a["turn"]),
        )
        cfg = SchoolConfig(**fields)
        ent = {k: ds[f"entropy_{k}"].values for k in ENTROPY_NAMES if f"entropy_{k}" in ds}
        return SchoolRun(
            cfg,
            int(a["seed"]),
            ds["time"].values,
            ds["position"].values,
            ds["heading"].values,
            ds["polarization"].values,
            ds["milling"].values,
            ent,
            str(a["neighbours"]),
            str(a["centroid"]),
        )


@float64
def simulate_school(
    config: SchoolConfig | str = "swarm",
    *,
    steps: int | None = None,
    seed: int | None = None,
    record_every: int = 10,
    neighbours: str = "all",
    capacity: int | None = None,
    turn: str | None = None,
    centroid: str = "arithmetic",
    entropies: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SchoolRun:
    """Simulate a school in compiled chunks and measure it (order parameters, entropies).

    The map of `school` is advanced through its evolution (`dynstab.simulate.evolution.intervals_part`)
    in chunks of about a quarter second (`in_chunks`: ``progress`` between chunks, Ctrl-C within one
    chunk), a frame recorded every ``record_every`` steps. With the cell list, a chunk during which a
    cell overflowed is rerun from its start with twice the capacity (the noise is a function of the
    step, so the rerun is the same run).

    Parameters
    ----------
    config : SchoolConfig or str, default "swarm"
        A configuration or a preset's name.
    steps : int, optional
        Steps to run (default ``config.steps``).
    seed : int, optional
        Default ``config.seed``.
    record_every : int, default 10
        Steps between frames (the initial state is frame 0).
    neighbours : {"all", "cells"}, default "all"
    capacity : int, optional
        Initial cell capacity (cell list).
    turn : {"rotate", "nlerp"}, optional
        Replaces ``config.turn``.
    centroid : {"arithmetic", "periodic"}, default "arithmetic"
        How the angular-momentum and shape entropies centre the school (see `school_entropies`): the
        published OSI's plain mean of the wrapped positions (default, so OSI compares with the paper's
        numbers), or the periodic centroid. M is always measured from the periodic centroid.
    entropies : bool, default True
        Compute the seven entropies of every frame (O(N^2) per frame for the velocity one).
    progress : callable, optional
        ``progress(done, total)`` in frames.

    Returns
    -------
    SchoolRun
    """
    cfg = preset(config) if isinstance(config, str) else config.checked()
    if turn is not None:
        cfg = cfg.with_params(turn=turn)
    steps = cfg.steps if steps is None else as_int(steps, name="steps", minimum=1)
    record_every = as_int(record_every, name="record_every", minimum=1, maximum=steps)
    if centroid not in ("periodic", "arithmetic"):
        raise ValueError(f"centroid must be 'periodic' or 'arithmetic', got {centroid!r}")
    system = school(cfg, seed=seed, neighbours=neighbours, capacity=capacity)
    seed = int(system.params["seed"])
    frames = steps // record_every
    check_allocation(
        (frames + 1) * cfg.n_agents * 6 * 8.0,
        f"the school's frames ({frames + 1} x {cfg.n_agents} agents x 6)",
        "record fewer frames with a larger record_every",
    )
    cells, cap = _cell_shape(cfg, neighbours, capacity, np.asarray(system.x0[: 3 * cfg.n_agents]).reshape(-1, 3))
    pairs = cfg.n_agents * (27 * cap if neighbours == "cells" else cfg.n_agents)
    per_frame = max(pairs * record_every * _SECONDS_PER_PAIR, 1e-7)
    size = int(min(frames, max(2, 1.25 * 0.25 / per_frame)))
    first = max(1, size // 8)
    evolutions: dict[int, Any] = {cap: evolution_of(system)}
    holder = {"cap": cap}

    def piece(state: Any, start: int, count: int) -> Any:
        while True:
            c = holder["cap"]
            if c not in evolutions:
                evolutions[c] = evolution_of(school(cfg, seed=seed, neighbours=neighbours, capacity=c))
            new, ys = _chunk(evolutions[c], system.params, state, record_every, size, start, count)
            if neighbours == "all" or bool(jnp.all(jnp.isfinite(new))):
                return new, ys
            holder["cap"] = 2 * c  # a cell overflowed (NaN state): the same chunk again with twice the room

    began = time.perf_counter()
    x = np.empty((frames + 1, 6 * cfg.n_agents))
    x[0] = np.asarray(system.x0)

    def store(start: int, ys: Any) -> None:
        x[1 + start : 1 + start + len(ys)] = ys

    in_chunks(piece, system.x0, frames, first, size, progress=progress, store=store)
    seconds = time.perf_counter() - began
    frames_xu = x.reshape(frames + 1, 2, cfg.n_agents, 3)
    pos, head = frames_xu[:, 0], frames_xu[:, 1]
    ent: dict[str, np.ndarray] = {}
    if entropies:
        rows = [school_entropies(pos[i], head[i], cfg.box_size, centroid=centroid) for i in range(frames + 1)]
        ent = {k: np.array([r[k] for r in rows]) for k in ENTROPY_NAMES}
    return SchoolRun(
        replace(cfg, steps=steps, seed=seed),
        seed,
        np.arange(frames + 1) * record_every * cfg.dt,
        pos,
        head,
        polarization(head),
        milling(pos, head, cfg.box_size),  # always from the periodic centroid (see the module docstring)
        ent,
        neighbours,
        centroid,
        seconds,
    )


# ---------------------------------------------------------------------------------- figure
def plot_school(run: SchoolRun, frame: int = -1) -> Any:
    """P, M and OSI over time, and a 3D snapshot of one frame (headings as arrows).

    Parameters
    ----------
    run : SchoolRun
    frame : int, default -1
        The frame of the snapshot (default the last).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(11.0, 4.6), layout="constrained")
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(run.time, run.polarization, label="polarization P")
    ax.plot(run.time, run.milling, label="milling M")
    if run.entropies:
        ax.plot(run.time, run.osi, label="schooling index OSI")
    ax.set_xlabel("time (model time units)")
    ax.set_ylabel("order parameter / index (dimensionless)")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="best")
    ax.set_title(f"{run.config.name}: {run.regime()}")
    ax3 = fig.add_subplot(1, 2, 2, projection="3d")
    r, u = run.positions[frame], run.headings[frame]
    ax3.quiver(
        r[:, 0],
        r[:, 1],
        r[:, 2],
        u[:, 0],
        u[:, 1],
        u[:, 2],
        length=0.06 * run.config.box_size,
        normalize=True,
        linewidth=0.7,
    )
    box = run.config.box_size
    for setter in (ax3.set_xlim, ax3.set_ylim, ax3.set_zlim):
        setter(0, box)
    ax3.set_xlabel("x (length units)")
    ax3.set_ylabel("y (length units)")
    ax3.set_zlabel("z, depth (length units)")
    ax3.set_title(f"N = {run.config.n_agents} at t = {run.time[frame]:g}")
    return fig
