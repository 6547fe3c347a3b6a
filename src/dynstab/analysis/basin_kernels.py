r"""Compiled kernels of the basins: orbits of a batch of initial conditions in parallel, until labelled.

Three kernels serve `dynstab.analysis.basins.basins_of_attraction` (the two modes of G. Datseris and
A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32, 023104 (2022)):

* `window_kernel` (discovery): a transient, then a window of states and their cells (integer coordinates,
  see `dynstab.analysis.attractor_cells`);
* `label_kernel` (``AttractorsViaRecurrences``): evolve until ``n_consecutive`` consecutive steps in the
  cells of one attractor (the table of attractor cells), or divergence;
* `proximity_kernel` (``AttractorsViaProximity``): evolve until ``n_consecutive`` consecutive checks
  within distance ``radius`` of a given attractor, or divergence.

Each step is a sample of the system's evolution (`dynstab.simulate.evolution`): one map iteration, or
``sub`` fixed steps of a flow. An orbit is "diverged" (label -1) as soon as its state is non-finite or
:math:`\lVert x \rVert_\infty` exceeds ``bound``; one still running is "undetermined" (-2).

Performance (XLA CPU)
---------------------
A vmapped ``lax.while_loop`` runs all its lanes until the slowest one is done, so every kernel maps
chunks of 256 orbits (``lax.map``), each chunk with its own while_loop; between rounds of growing
length (64, 256, ... steps) the labelled orbits drop out and the rest are compacted (batches padded
to a few bucket sizes, so that shrinking batches reuse compilations). On the Newton z^3 - 1 grid
(200 x 200) the labelling with roots given runs within about 1.0-1.5x of a serial numba loop; finding
the attractors (discovery, cell graph, 10 consecutive steps per orbit with a cell lookup at each step)
costs about 10-15x that.
"""

from __future__ import annotations

from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..simulate.evolution import Evolution, run
from ..systems.base import System
from .attractor_cells import NO_ATTRACTOR, cell_coords, table_lookup

__all__ = [
    "DIVERGED",
    "UNDETERMINED",
    "SampledEvolution",
    "window_kernel",
    "label_kernel",
    "proximity_kernel",
    "bucket_size",
    "pad_batch",
]

#: Label of initial conditions whose orbit left the finite numbers or ``bound``.
DIVERGED = -1
#: Label of initial conditions that did not settle on an attractor within ``max_steps``.
UNDETERMINED = -2


class SampledEvolution(NamedTuple):
    """How the kernels step a system: its evolution, sampled every ``sub`` steps (one step of the basins).

    Built as ``SampledEvolution(evolution, sub)`` (a NamedTuple, so a pytree: ``sub`` stays static under
    ``eqx.filter_jit``).

    Attributes
    ----------
    evolution : Evolution
        The system's evolution (`dynstab.simulate.evolution`; ``system.evolution(method, dt)``).
    sub : int
        Steps of the evolution per sample: 1 for maps, ``sample_every`` for flows.
    """

    evolution: Evolution
    sub: int  # steps per sample (1 for maps)

    @property
    def dt_step(self):
        """Increment of the law's time per sample."""
        return self.sub * self.evolution.tick


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


def _advance(system: System, cfg: SampledEvolution):
    """One sample: ``sub`` steps of the system's evolution from law time t."""
    ev = cfg.evolution
    step = ev.step(system.params)
    return lambda x, t: (run(step, x, t, ev.tick, cfg.sub), t + cfg.dt_step)


def _is_bad(x, bound):
    return ~(jnp.all(jnp.isfinite(x)) & (jnp.max(jnp.abs(x)) <= bound))


@eqx.filter_jit
def window_kernel(system: System, cfg: SampledEvolution, x0s, t0s, n_transient, window: int, bound, origin, cell):
    """Discovery: evolve up to ``n_transient`` steps, then record ``window`` states and their cells.

    A diverged orbit (non-finite or max |x| > ``bound``) is frozen at its last good state. The transient
    ends early for an orbit that has reached a fixed point to round-off
    (max |x_{n+1} - x_n| <= 1e-13 (1 + max |x_n|)): nothing would change in the remaining steps.

    Parameters
    ----------
    system : System
        The map or flow (its ``params``).
    cfg : SampledEvolution
        The evolution and the steps per sample.
    x0s : array, shape (n, d)
        Initial states (NaN rows for padding).
    t0s : array, shape (n,)
        Law time of each orbit.
    n_transient : int array
        Samples before the window (traced: one compilation for every transient).
    window : int
        Samples recorded (static).
    bound : float array
        Divergence bound on max |x|.
    origin : array, shape (d,)
        Corner of cell (0, ..., 0).
    cell : array, shape (d,)
        Cell size per variable.

    Returns
    -------
    xs : jax.Array, shape (n, window, d)
        The recorded states.
    coords : jax.Array of int64, shape (n, window, d)
        Their cells (`dynstab.analysis.attractor_cells.cell_coords`).
    bad : jax.Array of bool, shape (n,)
        Whether the orbit diverged.
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
        return xs, cell_coords(xs, origin, cell, jnp), bad

    return _chunk_map(one, x0s, t0s)


@eqx.filter_jit
def label_kernel(
    system: System,
    cfg: SampledEvolution,
    x0s,
    run0,
    table,
    origin,
    cell,
    k0,
    t0,
    n_steps,
    n_consecutive,
    bound,
    every: int,
):
    """Recurrences: evolve every orbit until it is labelled (attractor, diverged) or ``n_steps`` have passed.

    Per orbit and step: the attractor label of the cell of the new state (``table``, see
    `dynstab.analysis.attractor_cells.table_lookup`), the run of consecutive steps in one attractor's
    cells, the label once the run reaches ``n_consecutive`` (diverged: non-finite or max |x| > ``bound``);
    the label and the step count are kept from then on. The loop exit is tested every ``every`` steps; a
    labelled orbit's state runs on to the end of its block unused (no per-step freezing: each carried
    value costs a select per orbit and step).

    Parameters
    ----------
    system : System
        The map or flow (its ``params``).
    cfg : SampledEvolution
        The evolution and the steps per sample.
    x0s : array, shape (n, d)
        States of the orbits (NaN rows for padding).
    run0 : array of int64, shape (n, 2)
        Per orbit, the attractor of its current run of steps in attractor cells and the run's length.
    table : tuple
        The table of attractor cells (`dynstab.analysis.attractor_cells.AttractorCells.table`).
    origin : array, shape (d,)
        Corner of cell (0, ..., 0).
    cell : array, shape (d,)
        Cell size per variable.
    k0 : int array
        Samples every orbit of the call has taken before.
    t0 : float array
        Law time of every orbit at the call's start.
    n_steps : int array
        Most samples of this call (a multiple of ``every``).
    n_consecutive : int array
        Run length that labels an orbit.
    bound : float array
        Divergence bound on max |x|.
    every : int
        Samples between exit tests (static).

    Returns
    -------
    x : jax.Array, shape (n, d)
        The states at the end.
    labels : jax.Array of int64, shape (n,)
        Attractor label, `DIVERGED` or `UNDETERMINED`.
    steps : jax.Array of int64, shape (n,)
        Samples taken in this call until labelled.
    runs : jax.Array of int64, shape (n, 2)
        The runs, as ``run0``.
    """
    adv = _advance(system, cfg)
    lookup = table_lookup(table, origin, cell)
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
        x, lab, run_lab, run_len, k = jax.lax.while_loop(lambda c: (c[1] == UNDETERMINED) & (c[4] < n_steps), block, c)
        return x, lab, k, jnp.stack([run_lab, run_len])

    return _chunk_map(lane, x0s, run0)


@eqx.filter_jit
def proximity_kernel(
    system: System,
    cfg: SampledEvolution,
    x0s,
    hit0,
    points,
    owner,
    r2,
    k0,
    t0,
    n_steps,
    n_transient,
    n_consecutive,
    bound,
    every: int,
    runs: bool,
):
    """AttractorsViaProximity on a batch: evolve every orbit until it is near a given attractor or diverged.

    Each orbit is evolved ``every`` steps at a time; after each block, the nearest attractor point
    within squared distance ``r2`` counts a hit for its attractor once ``n_transient`` steps have passed;
    ``n_consecutive`` consecutive hits on one attractor label the orbit. Diverged: non-finite or
    max |x| > ``bound`` at a check (state frozen at its last finite value). Only what must be is carried
    per orbit (each carried value costs a select per orbit and block): the time is t0 + steps x step
    length, so an autonomous law does no time arithmetic at all.

    Parameters
    ----------
    system : System
        The map or flow (its ``params``).
    cfg : SampledEvolution
        The evolution and the steps per sample.
    x0s : array, shape (n, d)
        States of the orbits (NaN rows for padding).
    hit0 : array of int64, shape (n, 2), or None
        Per orbit, the attractor of its current run of hits and the run's length (unused, None, when
        ``runs`` is False).
    points : array, shape (M, d)
        The points of all attractors.
    owner : array of int64, shape (M,)
        The attractor label of each point.
    r2 : float array
        Squared proximity radius.
    k0 : int array
        Samples every orbit of the call has taken before.
    t0 : float array
        Law time of every orbit at the call's start.
    n_steps : int array
        Most samples of this call (a multiple of ``every``).
    n_transient : int array
        Samples before the first check that counts.
    n_consecutive : int array
        Consecutive hits that label an orbit.
    bound : float array
        Divergence bound on max |x|.
    every : int
        Samples between checks (static).
    runs : bool
        Whether runs of hits are kept (``n_consecutive > 1``; static); False: one hit labels the orbit.

    Returns
    -------
    tuple of jax.Array
        States (n, d), labels (n,) (attractor, `DIVERGED` or `UNDETERMINED`), samples taken in this
        call (n,), and with ``runs`` the runs of hits (n, 2), as ``hit0``.
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
            who = jnp.where(near, owner[j], NO_ATTRACTOR)
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


def bucket_size(n: int) -> int:
    """Padded batch size, so that shrinking batches reuse compilations.

    Powers of two from 64 up to 16 chunks (4096), then 8 sizes per octave (multiples of the chunk of
    256 orbits, at most 12.5% padding).

    Parameters
    ----------
    n : int
        Number of orbits.

    Returns
    -------
    int
        The padded size, >= ``n``.
    """
    n = max(int(n), 1)
    size = max(64, 1 << (n - 1).bit_length())
    if size <= 16 * _CHUNK:
        return size
    step = 1 << ((n - 1).bit_length() - 3)
    return -(-n // step) * step


def pad_batch(a: np.ndarray, size: int, fill: float = 0) -> np.ndarray:
    """Pad the leading axis to ``size`` with ``fill``.

    Parameters
    ----------
    a : numpy.ndarray
        The batch.
    size : int
        Padded length (`bucket_size`), >= ``len(a)``.
    fill : float, default 0
        Value of the padding; NaN for states, so that padded lanes are diverged at once and never
        hold their chunk's loop.

    Returns
    -------
    numpy.ndarray
        ``a`` itself if already of length ``size``, else a padded copy.
    """
    if a.shape[0] == size:
        return a
    return np.concatenate([a, np.full((size - a.shape[0],) + a.shape[1:], fill, dtype=a.dtype)], axis=0)
