"""Building blocks shared by the Koopman / DMD family (exact, Hankel and extended DMD, ResDMD, HAVOK).

Snapshot pairs and delay windows of a series, the truncation rank of an SVD, the reduced DMD
operator of Tu et al. (2014), a linear :class:`dynstab.Map` z -> M z, its iteration, and the
eigenvalue plot. The heavy linear algebra is JAX (float64, runs unchanged on a GPU).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "DelayContext",
    "choose_rank",
    "svd",
    "dmd_reduced",
    "snapshot_pairs",
    "delay_windows",
    "linear_map",
    "iterate_linear",
    "plot_eigenvalues",
]


class DelayContext:
    """Mixin of the delay-embedded models: a prediction needs ``delays`` samples of context.

    Attributes
    ----------
    context_length : int
        ``delays``.
    """

    delays: int

    @property
    def context_length(self) -> int:
        """Samples of context a forecast needs: ``delays``."""
        return int(self.delays)


def choose_rank(s: np.ndarray, rank: int | None, energy: float | None, tol: float = 1e-12) -> int:
    """Truncation rank of a singular value spectrum.

    ``rank`` if given; else the smallest r whose singular values hold a fraction ``energy`` of
    sum(s^2); else the numerical rank (number of s > ``tol`` s_max).

    Parameters
    ----------
    s : numpy.ndarray
        Singular values, descending.
    rank : int, optional
        An explicit rank (1 <= rank <= len(s)).
    energy : float, optional
        Fraction in (0, 1] of sum(s^2) to keep.
    tol : float
        Relative threshold of the numerical rank.

    Returns
    -------
    int
        The rank r.
    """
    n_num = int(np.sum(s > tol * s[0])) if s.size and s[0] > 0 else 0
    if n_num == 0:
        raise ValueError("the snapshot matrix is zero; nothing to decompose")
    if rank is not None:
        if int(rank) != rank or rank < 1:
            raise ValueError(f"rank must be a positive integer, got {rank!r}")
        if rank > s.size:
            raise ValueError(
                f"rank={rank} exceeds the number of singular values ({s.size}): "
                "use fewer modes or more snapshots/variables"
            )
        return int(rank)
    if energy is not None:
        if not 0 < energy <= 1:
            raise ValueError(f"energy must be in (0, 1], got {energy!r}")
        frac = np.cumsum(s**2) / np.sum(s**2)
        return min(int(np.searchsorted(frac, energy - 1e-15)) + 1, n_num)
    return n_num


@partial(jax.jit, static_argnames=("full",))
def svd(x, full=False):
    """Singular value decomposition x = U S V* (jitted ``jnp.linalg.svd``).

    Parameters
    ----------
    x : jax.Array, shape (m, n)
        The matrix.
    full : bool
        Full (square) U and V* instead of the thin factors.

    Returns
    -------
    u, s, vh : jax.Array
        The factors.
    """
    return jnp.linalg.svd(x, full_matrices=full)


@jax.jit
def dmd_reduced(u, s, vh, y):
    """The reduced DMD operator A~ = U* Y V S^-1 and the exact-mode factor Y V S^-1.

    Tu, Rowley, Luchtenburg, Brunton & Kutz, J. Comput. Dyn. 1:391 (2014), Algorithm 2.

    Parameters
    ----------
    u, s, vh : jax.Array
        The rank-r SVD of the snapshot matrix X = U S V*.
    y : jax.Array
        The shifted snapshot matrix Y (columns are the successors of X's columns).

    Returns
    -------
    atilde, yvs : jax.Array
        A~ (r x r) and Y V S^-1 (n x r).
    """
    yvs = (y @ vh.conj().T) / s[None, :]
    return u.conj().T @ yvs, yvs


def delay_windows(s: np.ndarray, q: int) -> np.ndarray:
    """Delay vectors of a series, newest sample first.

    Row j holds [x_{j+q-1}, x_{j+q-2}, .., x_j].

    Parameters
    ----------
    s : numpy.ndarray, shape (T, d)
        The series.
    q : int
        Number of delays (samples per window).

    Returns
    -------
    numpy.ndarray
        Shape (T - q + 1, q d).
    """
    t = s.shape[0] - q + 1
    return np.concatenate([s[q - 1 - k : q - 1 - k + t] for k in range(q)], axis=1)


def snapshot_pairs(series: tuple[np.ndarray, ...], q: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Snapshot pairs (as rows) of one or several series: each delay window and the next one.

    Parameters
    ----------
    series : tuple of numpy.ndarray
        Trajectories of shape (T_i, d); pairs never straddle two trajectories.
    q : int
        Number of delays of the windows (:func:`delay_windows`); 1 for the states themselves.

    Returns
    -------
    x, y : numpy.ndarray
        Shape (sum (T_i - q), q d) each; row k of ``y`` follows row k of ``x``.
    """
    xs, ys = [], []
    for s in series:
        w = delay_windows(s, q)
        xs.append(w[:-1])
        ys.append(w[1:])
    return np.concatenate(xs), np.concatenate(ys)


def _linear_law(z, p, n):
    return p["M"] @ z


def linear_map(matrix: np.ndarray, x0: np.ndarray, name: str, reference: str, names=None, *, dt: float = 1.0):
    """A linear :class:`dynstab.Map` z[n+1] = M z[n], with M in the parameter ``M``.

    Parameters
    ----------
    matrix : numpy.ndarray, shape (n, n)
        The real matrix M.
    x0 : array_like, shape (n,)
        Default initial condition.
    name, reference : str
        Metadata of the system.
    names : sequence of str, optional
        Coordinate names (default z1 .. zn).
    dt : float
        The time one iteration stands for (the sampling step of the training data).

    Returns
    -------
    Map
        The linear map.
    """
    from ..systems import Map

    dim = matrix.shape[0]
    names = tuple(names) if names is not None else tuple(f"z{i + 1}" for i in range(dim))
    return Map.from_law(
        _linear_law,
        params={"M": matrix},
        x0=np.asarray(x0, dtype=np.float64),
        names=names,
        name=name,
        reference=reference,
        dt=dt,
        description=f"linear map z[n+1] = M z[n] of dimension {dim}",
    )


@partial(jax.jit, static_argnames=("steps",))
def iterate_linear(m, z0, steps):
    """Iterates z_1 .. z_steps of z -> M z from z_0 (one ``lax.scan``).

    Parameters
    ----------
    m : jax.Array, shape (n, n)
        The matrix M.
    z0 : jax.Array, shape (n,)
        The start z_0.
    steps : int
        Number of iterates.

    Returns
    -------
    jax.Array
        Shape (steps, n).
    """

    def step(z, _):
        z = m @ z
        return z, z

    return jax.lax.scan(step, z0, None, length=steps)[1]


def plot_eigenvalues(lam: np.ndarray, color: Any = None, ax: Any = None, title: str = "", clabel: str | None = None):
    """Eigenvalues in the complex plane with the unit circle.

    Parameters
    ----------
    lam : numpy.ndarray
        Complex eigenvalues.
    color : array_like, optional
        A value per eigenvalue for a colour scale (e.g. log10 residuals).
    ax : matplotlib.axes.Axes, optional
        Axes to draw in (default: a new figure).
    title : str
        Axes title.
    clabel : str, optional
        Colour-bar label.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.6, 4.2)) if ax is None else (ax.figure, ax)
    th = np.linspace(0, 2 * np.pi, 400)
    ax.plot(np.cos(th), np.sin(th), color="0.6", lw=0.8)
    sc = ax.scatter(lam.real, lam.imag, c=color, s=14, **({} if color is None else {"cmap": "viridis"}))
    if color is not None:
        fig.colorbar(sc, ax=ax, label=clabel)
    ax.set_aspect("equal")
    ax.set_xlabel("Re $\\lambda$")
    ax.set_ylabel("Im $\\lambda$")
    ax.set_title(title)
    return fig
