"""The Koopman / dynamic mode decomposition family: exact DMD, EDMD, Hankel DMD, HAVOK and ResDMD.

All are linear models of the dynamics in some coordinates (the state, a dictionary of observables,
or delay coordinates). Each is a :class:`~dynstab.learn.base.LearnedModel` whose ``as_system()`` is a
linear :class:`dynstab.Map` (HAVOK: a forced linear :class:`dynstab.Flow`); the docstring of each
class says what that system's state is. For chaotic data these are short-term surrogates: check their
modes with ResDMD residuals rather than by free running (notes, section 4).

The heavy linear algebra (SVD, projections, least squares, pseudospectra) is JAX (float64, runs
unchanged on a GPU); only the small r x r / K x K non-symmetric eigenproblems run on the host in
LAPACK (``numpy.linalg.eig``), since XLA has no GPU kernel for the general eigenproblem.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .base import LearnedModel, _check_positive_ints, _check_steps, _forecast_last_window, as_training_data, \
    check_series

__all__ = ["DMD", "EDMD", "HankelDMD", "HAVOK", "ResDMD", "Pseudospectrum", "MonomialDictionary",
           "RBFDictionary"]


# ----------------------------------------------------------------------------- shared helpers
def _choose_rank(s: np.ndarray, rank: int | None, energy: float | None, tol: float = 1e-12) -> int:
    """Truncation rank: ``rank`` if given, else the smallest r whose singular values hold a fraction
    ``energy`` of sum(s^2), else the numerical rank (s > tol * s_max)."""
    n_num = int(np.sum(s > tol * s[0])) if s.size and s[0] > 0 else 0
    if n_num == 0:
        raise ValueError("the snapshot matrix is zero; nothing to decompose")
    if rank is not None:
        if int(rank) != rank or rank < 1:
            raise ValueError(f"rank must be a positive integer, got {rank!r}")
        if rank > s.size:
            raise ValueError(f"rank={rank} exceeds the number of singular values ({s.size}): "
                             "use fewer modes or more snapshots/variables")
        return int(rank)
    if energy is not None:
        if not 0 < energy <= 1:
            raise ValueError(f"energy must be in (0, 1], got {energy!r}")
        frac = np.cumsum(s ** 2) / np.sum(s ** 2)
        return int(min(np.searchsorted(frac, energy - 1e-15) + 1, n_num))
    return n_num


@partial(jax.jit, static_argnames=("full",))
def _svd(x, full=False):
    return jnp.linalg.svd(x, full_matrices=full)


@jax.jit
def _dmd_reduced(u, s, vh, y):
    """Tu et al. (2014): A~ = U* Y V S^-1 and the exact-mode factor Y V S^-1."""
    yvs = (y @ vh.conj().T) / s[None, :]
    return u.conj().T @ yvs, yvs


def _pairs(series: tuple[np.ndarray, ...], q: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Snapshot pairs (rows): delay windows [x_t, x_{t-1}, .., x_{t-q+1}] and the next window."""
    xs, ys = [], []
    for s in series:
        w = _windows(s, q)
        xs.append(w[:-1])
        ys.append(w[1:])
    return np.concatenate(xs), np.concatenate(ys)


def _windows(s: np.ndarray, q: int) -> np.ndarray:
    """Delay vectors, newest first: row j holds [x_{j+q-1}, x_{j+q-2}, .., x_j] (shape (T-q+1, q d))."""
    t = s.shape[0] - q + 1
    return np.concatenate([s[q - 1 - k:q - 1 - k + t] for k in range(q)], axis=1)


def _linear_map(matrix: np.ndarray, x0: np.ndarray, name: str, reference: str, names=None):
    """A dynstab Map z -> M z with M in the parameters."""
    from ..systems.base import Map, _check_traceable, as_params

    def law(z, p, n):
        return p["M"] @ z

    dim = matrix.shape[0]
    names = tuple(names) if names is not None else tuple(f"z{i + 1}" for i in range(dim))
    system = Map(law, as_params({"M": matrix}), jnp.asarray(x0, dtype=jnp.float64), names,
                 name=name, reference=reference, description=f"linear map z[n+1] = M z[n] of dimension {dim}")
    _check_traceable(system)
    return system


@partial(jax.jit, static_argnames=("steps",))
def _iterate_linear(m, z0, steps):
    def step(z, _):
        z = m @ z
        return z, z

    return jax.lax.scan(step, z0, None, length=steps)[1]


def _plot_eigs(lam, color=None, ax=None, title="", clabel=None):
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


# ----------------------------------------------------------------------------- exact DMD
class _DelayContext:
    """Mixin of the delay-embedded models: a prediction needs ``delays`` samples of context."""

    delays: int

    @property
    def context_length(self) -> int:
        return int(self.delays)


class DMD(LearnedModel):
    """Exact dynamic mode decomposition (Tu, Rowley, Luchtenburg, Brunton & Kutz, J. Comput. Dyn.
    1:391, 2014; Schmid, J. Fluid Mech. 656:5, 2010).

    Snapshot pairs X = [x_0 .. x_{m-1}], Y = [x_1 .. x_m] (columns; several trajectories are
    concatenated pairwise). X = U S V* truncated to rank r (``rank``; or the smallest r holding a
    fraction ``energy`` of sum S^2; default the numerical rank), A~ = U* Y V S^-1, A~ w = lambda w.
    Modes: exact ``phi = Y V S^-1 w / lambda`` (``exact=True``) or projected ``phi = U w``.
    Continuous-time eigenvalues ``omega = log(lambda) / dt``; amplitudes b = Phi^+ x_0.

    ``as_system()``: the linear :class:`dynstab.Map` x[n+1] = A x[n] on the **state** (dimension d),
    with A = Y V S^-1 U* (exact; the rank-r least-squares operator Y X^+) or U A~ U* (projected).
    """

    def __init__(self, rank: int | None = None, energy: float | None = None, exact: bool = True):
        self.rank = rank
        self.energy = energy
        self.exact = exact

    def fit(self, data: Any, dt: float | None = None) -> DMD:
        td = as_training_data(data, dt, min_length=2)
        xr, yr = _pairs(td.series)
        self._fit_pairs(xr.T, yr.T, td.dt)
        self.dim_ = td.dim
        self.x0_ = td.series[0][0]
        self.amplitudes_ = np.linalg.lstsq(self.modes_, self.x0_.astype(complex), rcond=None)[0]
        self.fitted_ = True
        return self

    def _fit_pairs(self, x: np.ndarray, y: np.ndarray, dt: float) -> None:
        xj, yj = jnp.asarray(x), jnp.asarray(y)
        u, s, vh = _svd(xj)
        s_np = np.asarray(s)
        r = _choose_rank(s_np, self.rank, self.energy)
        u, s, vh = u[:, :r], s[:r], vh[:r]
        atilde, yvs = _dmd_reduced(u, s, vh, yj)
        lam, w = np.linalg.eig(np.asarray(atilde))
        order = np.argsort(-np.abs(lam), kind="stable")
        lam, w = lam[order], w[:, order]
        u_np, yvs_np = np.asarray(u), np.asarray(yvs)
        if self.exact:
            modes = yvs_np @ w
            nz = np.abs(lam) > 1e-14 * max(1.0, np.abs(lam).max())
            modes[:, nz] = modes[:, nz] / lam[nz]
            modes[:, ~nz] = u_np @ w[:, ~nz]
            self.operator_ = yvs_np @ u_np.conj().T
        else:
            modes = u_np @ w
            self.operator_ = u_np @ np.asarray(atilde) @ u_np.conj().T
        self.rank_ = r
        self.singular_values_ = s_np
        self.basis_ = u_np
        self.reduced_operator_ = np.asarray(atilde)
        self.eigenvalues_ = lam
        self.modes_ = modes
        self.dt_ = float(dt)

    @property
    def omega_(self) -> np.ndarray:
        """Continuous-time eigenvalues log(lambda) / dt (growth rate + i angular frequency)."""
        self._check_fitted()
        with np.errstate(divide="ignore"):
            return np.log(self.eigenvalues_.astype(complex)) / self.dt_

    @property
    def frequencies_(self) -> np.ndarray:
        """Frequencies Im(omega) / (2 pi) in cycles per time unit."""
        return self.omega_.imag / (2 * np.pi)

    @property
    def growth_rates_(self) -> np.ndarray:
        """Growth (damping if negative) rates Re(omega) per time unit."""
        return self.omega_.real

    def reconstruct(self, steps: int) -> np.ndarray:
        """Mode expansion x_k = sum_j phi_j lambda_j^k b_j for k = 0..steps-1 (real part), shape (steps, d)."""
        self._check_fitted()
        k = np.arange(_check_steps(steps))
        return np.real((self.eigenvalues_[None, :] ** k[:, None] * self.amplitudes_[None, :]) @ self.modes_.T)

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        self._check_fitted()
        z0 = check_series(np.asarray(x0, dtype=float).reshape(1, -1), what="x0", dim=self.dim_)[0]
        return np.asarray(_iterate_linear(jnp.asarray(np.real(self.operator_)), jnp.asarray(z0), _check_steps(steps)))

    def predict_n_steps(self, x: Any, starts: Any, n: int) -> np.ndarray:
        """Batched n-step predictions from the states x[starts] (used by `prediction_error`)."""
        self._check_fitted()
        an = np.linalg.matrix_power(np.real(self.operator_), int(n))
        return np.asarray(x)[np.asarray(starts)] @ an.T

    def as_system(self):
        self._check_fitted()
        return _linear_map(np.real(self.operator_), self.x0_, "DMD", "Tu et al., J. Comput. Dyn. 1:391 (2014)")

    def plot(self, ax=None):
        """Eigenvalues in the complex plane with the unit circle."""
        self._check_fitted()
        return _plot_eigs(self.eigenvalues_, ax=ax, title=f"DMD eigenvalues (rank {self.rank_})")


# ----------------------------------------------------------------------------- delay (Hankel) DMD
class HankelDMD(_DelayContext, DMD):
    """Hankel (delay) DMD: exact DMD of the delay vectors z_t = [x_t, x_{t-1}, .., x_{t-q+1}]
    (newest first, dimension q d). Arbakshev & Mezic, SIAM J. Appl. Dyn. Syst. 16:2096 (2017);
    Brunton et al., Nat. Commun. 8:19 (2017).

    ``as_system()``: the linear :class:`dynstab.Map` on the **delay vector** z (dimension q d); the
    current state is ``z[:d]``. ``forecast(context, steps)`` needs ``q`` samples of context;
    ``generate(x0, ...)`` accepts a (q, d) window (oldest first) or a delay vector (q d,).
    """

    def __init__(self, delays: int = 10, rank: int | None = None, energy: float | None = None, exact: bool = True):
        super().__init__(rank=rank, energy=energy, exact=exact)
        self.delays = delays

    def fit(self, data: Any, dt: float | None = None) -> HankelDMD:
        _check_positive_ints(self, ("delays",))
        q = int(self.delays)
        td = as_training_data(data, dt, min_length=q + 1)
        xr, yr = _pairs(td.series, q)
        self._fit_pairs(xr.T, yr.T, td.dt)
        self.dim_ = td.dim
        self.x0_ = _windows(td.series[0][:q], q)[0]
        self.amplitudes_ = np.linalg.lstsq(self.modes_, self.x0_.astype(complex), rcond=None)[0]
        self.fitted_ = True
        return self

    def _delay_vector(self, x0: Any) -> np.ndarray:
        q, d = int(self.delays), self.dim_
        arr = np.asarray(x0, dtype=float)
        if arr.ndim == 1 and arr.size == q * d:
            return check_series(arr.reshape(1, -1), what="x0")[0]
        if arr.ndim == 2 and arr.shape == (q, d) or (arr.ndim == 1 and d == 1 and arr.size == q):
            return _windows(check_series(arr.reshape(q, d), what="x0"), q)[0]
        raise ValueError(f"x0 must be a window of the last {q} samples, shape ({q}, {d}), or a delay vector of "
                         f"length {q * d}; got shape {arr.shape}. Use forecast(context, steps) for longer context")

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        self._check_fitted()
        z = _iterate_linear(jnp.asarray(np.real(self.operator_)), jnp.asarray(self._delay_vector(x0)),
                            _check_steps(steps))
        return np.asarray(z[:, :self.dim_])

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        return _forecast_last_window(self, context, steps)

    def predict_n_steps(self, x: Any, starts: Any, n: int) -> np.ndarray:
        self._check_fitted()
        q = int(self.delays)
        w = _windows(np.asarray(x, dtype=float), q)[np.asarray(starts) - (q - 1)]
        an = np.linalg.matrix_power(np.real(self.operator_), int(n))
        return (w @ an.T)[:, :self.dim_]

    def reconstruct(self, steps: int) -> np.ndarray:
        return super().reconstruct(steps)[:, :self.dim_]

    def as_system(self):
        self._check_fitted()
        q, d = int(self.delays), self.dim_
        names = [f"x{i + 1}(t-{k})" if k else f"x{i + 1}(t)" for k in range(q) for i in range(d)]
        return _linear_map(np.real(self.operator_), self.x0_, "HankelDMD",
                           "Arbabi & Mezic, SIAM J. Appl. Dyn. Syst. 16:2096 (2017)", names)


# ----------------------------------------------------------------------------- dictionaries
@dataclass(frozen=True)
class MonomialDictionary:
    """All monomials x^a with total degree |a| <= ``degree`` (the constant first, then x_1..x_d, then
    higher degrees in graded lexicographic order), so the state sits at indices 1..d."""

    dim: int
    degree: int

    @property
    def exponents(self) -> np.ndarray:
        rows = [e for deg in range(self.degree + 1)
                for e in sorted((c for c in itertools.product(range(deg + 1), repeat=self.dim) if sum(c) == deg),
                                reverse=True)]
        return np.asarray(rows, dtype=np.int32)

    @property
    def size(self) -> int:
        return math.comb(self.dim + self.degree, self.degree)

    @property
    def state_index(self) -> np.ndarray:
        return np.arange(1, self.dim + 1)

    def params(self) -> dict[str, np.ndarray]:
        return {"exponents": self.exponents.astype(np.float64)}

    @staticmethod
    def evaluate(x, p):
        """psi(x) for one state x (d,): prod_i x_i^a_i for every exponent row a."""
        e = p["exponents"]
        xb = x[None, :]
        # |x|^e with the sign restored for odd e: a float power of a negative base would be NaN
        sign = jnp.where((xb < 0) & (jnp.mod(e, 2.0) == 1.0), -1.0, 1.0)
        return jnp.prod(jnp.where(e > 0, sign * jnp.abs(xb) ** e, 1.0), axis=1)

    def names(self, var: list[str]) -> list[str]:
        out = []
        for e in self.exponents:
            term = "*".join(f"{v}^{k}" if k > 1 else v for v, k in zip(var, e) if k)
            out.append(term or "1")
        return out


@dataclass(frozen=True)
class RBFDictionary:
    """[1, x_1..x_d, exp(-|x - c_j|^2 / (2 width^2)) for each center c_j]: Gaussian radial basis
    functions plus the constant and the state (Williams, Kevrekidis & Rowley 2015 use RBF
    dictionaries for the Duffing and Kuramoto examples)."""

    centers: np.ndarray
    width: float

    @property
    def dim(self) -> int:
        return int(self.centers.shape[1])

    @property
    def size(self) -> int:
        return 1 + self.dim + int(self.centers.shape[0])

    @property
    def state_index(self) -> np.ndarray:
        return np.arange(1, self.dim + 1)

    def params(self) -> dict[str, np.ndarray]:
        return {"centers": np.asarray(self.centers, dtype=np.float64), "width": np.float64(self.width)}

    @staticmethod
    def evaluate(x, p):
        d2 = jnp.sum((x[None, :] - p["centers"]) ** 2, axis=1)
        return jnp.concatenate([jnp.ones(1), x, jnp.exp(-0.5 * d2 / p["width"] ** 2)])

    def names(self, var: list[str]) -> list[str]:
        return ["1", *var, *[f"rbf{j}" for j in range(self.centers.shape[0])]]


def _rbf_centers(x: np.ndarray, n: int, method: str, seed: int) -> np.ndarray:
    if n > x.shape[0]:
        raise ValueError(f"n_centers={n} exceeds the {x.shape[0]} available samples")
    if method == "random":
        return x[np.random.default_rng(seed).choice(x.shape[0], n, replace=False)]
    if method == "kmeans":
        from sklearn.cluster import KMeans

        sub = x if x.shape[0] <= 5000 else x[np.random.default_rng(seed).choice(x.shape[0], 5000, replace=False)]
        return KMeans(n_clusters=n, n_init=3, random_state=seed).fit(sub).cluster_centers_
    raise ValueError(f"centers must be 'kmeans' or 'random', got {method!r}")


@partial(jax.jit, static_argnames=("evaluate",))
def _lift(evaluate, x, p):
    return jax.vmap(lambda v: evaluate(v, p))(x)


# ----------------------------------------------------------------------------- EDMD
class EDMD(_DelayContext, LearnedModel):
    """Extended DMD (Williams, Kevrekidis & Rowley, J. Nonlinear Sci. 25:1307, 2015).

    Dictionary psi = (psi_1..psi_K) evaluated on snapshot pairs: Psi_X (M x K), Psi_Y (M x K).
    G = Psi_X* W Psi_X, A = Psi_X* W Psi_Y (W = I/M, ergodic sampling), Koopman matrix
    K = G^+ A = Psi_X^+ Psi_Y (computed by least squares, as ResDMD's ``K = PX\\PY``; ``ridge > 0``
    solves (G + ridge I) K = A instead). Eigenpairs K v = lambda v give eigenfunctions
    phi(x) = psi(x) v and Koopman modes xi = V^-1 B for the state read-out B.

    ``dictionary``: ``"monomials"`` (all monomials up to ``degree``, constant included), ``"rbf"``
    (constant, state, ``n_centers`` Gaussian RBFs with centers from seeded k-means (``centers=
    "kmeans"``) or random data points (``"random"``) and width ``width``, default the median distance
    between centers), or ``"delays"`` (the constant and the delay vector, i.e. linear observables of
    ``delays`` samples). ``delays = q > 1`` applies any dictionary to the delay vector
    [x_t, .., x_{t-q+1}]. The state coordinates are always in the dictionary, so the state is read
    back linearly: forecasting iterates psi -> K^T psi from psi(x_0) (the linear Koopman predictor).

    ``as_system()``: the linear :class:`dynstab.Map` psi[n+1] = K^T psi[n] on the **dictionary
    coordinates** (dimension K; ``state_index_`` locates the state inside). ``as_system(
    reproject=True)``: the nonlinear map x -> B^T K^T psi(x) on the **state** (lift, advance, read
    back; needs ``delays == 1``).
    """

    def __init__(self, dictionary: str = "monomials", degree: int = 2, n_centers: int = 100,
                 centers: str = "kmeans", width: float | None = None, delays: int = 1, ridge: float = 0.0,
                 seed: int = 0):
        self.dictionary = dictionary
        self.degree = degree
        self.n_centers = n_centers
        self.centers = centers
        self.width = width
        self.delays = delays
        self.ridge = ridge
        self.seed = seed

    def _make_dictionary(self, x: np.ndarray):
        _check_positive_ints(self, ("delays",))
        dim = x.shape[1]
        if self.dictionary == "monomials":
            _check_positive_ints(self, ("degree",))
            return MonomialDictionary(dim, int(self.degree))
        if self.dictionary == "delays":
            return MonomialDictionary(dim, 1)
        if self.dictionary == "rbf":
            c = _rbf_centers(x, int(self.n_centers), self.centers, self.seed)
            if self.width is None:
                from scipy.spatial.distance import pdist

                width = float(np.median(pdist(c))) if c.shape[0] > 1 else float(np.std(x))
            else:
                width = float(self.width)
            if not width > 0:
                raise ValueError(f"RBF width must be positive, got {width}")
            return RBFDictionary(c, width)
        raise ValueError(f"dictionary must be 'monomials', 'rbf' or 'delays', got {self.dictionary!r}")

    def _lifted_pairs(self, series) -> tuple[jax.Array, jax.Array]:
        xr, yr = _pairs(series, int(self.delays))
        p = {k: jnp.asarray(v) for k, v in self.dictionary_.params().items()}
        return _lift(type(self.dictionary_).evaluate, jnp.asarray(xr), p), _lift(type(self.dictionary_).evaluate,
                                                                              jnp.asarray(yr), p)

    def fit(self, data: Any, dt: float | None = None) -> EDMD:
        _check_positive_ints(self, ("delays",))
        q = int(self.delays)
        td = as_training_data(data, dt, min_length=q + 1)
        self.dim_ = td.dim
        self.dt_ = td.dt
        windows = np.concatenate([_windows(s, q) for s in td.series])
        self.dictionary_ = self._make_dictionary(windows)
        psi_x, psi_y = self._lifted_pairs(td.series)
        if psi_x.shape[0] < psi_x.shape[1]:
            raise ValueError(f"{psi_x.shape[0]} snapshot pairs for {psi_x.shape[1]} dictionary functions: "
                             "use more data or a smaller dictionary")
        self._fit_lifted(psi_x, psi_y)
        self.state_index_ = self.dictionary_.state_index[:self.dim_]  # the newest sample of a delay vector
        self.x0_ = windows[0]
        b = np.zeros((self.koopman_matrix_.shape[0], self.dim_))
        b[self.state_index_, np.arange(self.dim_)] = 1.0
        self.readout_ = b
        self.modes_ = np.linalg.solve(self.eigenvectors_, b.astype(complex))
        self.fitted_ = True
        return self

    def _fit_lifted(self, psi_x: jax.Array, psi_y: jax.Array) -> None:
        m = psi_x.shape[0]
        if self.ridge:
            g = psi_x.T @ psi_x / m
            a = psi_x.T @ psi_y / m
            k = jnp.linalg.solve(g + self.ridge * jnp.eye(g.shape[0]), a)
        else:
            k = jnp.linalg.lstsq(psi_x, psi_y)[0]
        k = np.asarray(k)
        lam, v = np.linalg.eig(k)
        order = np.argsort(-np.abs(lam), kind="stable")
        self.koopman_matrix_ = k
        self.eigenvalues_ = lam[order]
        self.eigenvectors_ = v[:, order]

    @property
    def omega_(self) -> np.ndarray:
        """Continuous-time eigenvalues log(lambda) / dt."""
        self._check_fitted()
        with np.errstate(divide="ignore"):
            return np.log(self.eigenvalues_.astype(complex)) / self.dt_

    def lift(self, x: Any) -> np.ndarray:
        """Dictionary values psi(x) for states (or delay vectors) x of shape (B, q d) or (q d,)."""
        self._check_fitted()
        arr = np.atleast_2d(np.asarray(x, dtype=float))
        p = {k: jnp.asarray(v) for k, v in self.dictionary_.params().items()}
        return np.asarray(_lift(type(self.dictionary_).evaluate, jnp.asarray(arr), p))

    def eigenfunctions(self, x: Any) -> np.ndarray:
        """phi_j(x) = psi(x) v_j for states x (B, q d): shape (B, K)."""
        return self.lift(x) @ self.eigenvectors_

    def _start(self, x0: Any) -> np.ndarray:
        q, d = int(self.delays), self.dim_
        arr = np.asarray(x0, dtype=float)
        if arr.size == q * d and (arr.ndim == 1 or arr.shape == (q, d) or (q == 1 and arr.shape == (1, d))):
            w = arr.reshape(q, d)[::-1].reshape(-1) if arr.ndim == 2 else arr
            return check_series(w.reshape(1, -1), what="x0")[0]
        raise ValueError(f"x0 must be a state of shape ({d},)" + (f" or a window ({q}, {d})" if q > 1 else "")
                         + f"; got shape {arr.shape}")

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        self._check_fitted()
        z0 = self.lift(self._start(x0))[0]
        z = _iterate_linear(jnp.asarray(np.real(self.koopman_matrix_).T), jnp.asarray(z0), _check_steps(steps))
        return np.asarray(z)[:, self.state_index_]

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        self._check_fitted()
        ctx = check_series(context, what="context", min_length=self.context_length, dim=self.dim_)
        q = int(self.delays)
        return self.generate(ctx[-q:] if q > 1 else ctx[-1], steps)

    def predict_n_steps(self, x: Any, starts: Any, n: int) -> np.ndarray:
        self._check_fitted()
        q = int(self.delays)
        w = _windows(np.asarray(x, dtype=float), q)[np.asarray(starts) - (q - 1)]
        kn = np.linalg.matrix_power(np.real(self.koopman_matrix_), int(n))
        return (self.lift(w) @ kn)[:, self.state_index_]

    def as_system(self, reproject: bool = False):
        self._check_fitted()
        k = np.real(self.koopman_matrix_)
        ref = "Williams, Kevrekidis & Rowley, J. Nonlinear Sci. 25:1307 (2015)"
        if not reproject:
            return _linear_map(k.T, self.lift(self.x0_)[0], "EDMD", ref)
        if int(self.delays) != 1:
            raise ValueError("reproject=True needs delays == 1 (a map on the state)")
        from ..systems.base import Map, as_params, _check_traceable

        evaluate = type(self.dictionary_).evaluate
        params = {**self.dictionary_.params(), "KB": k @ self.readout_}

        def law(x, p, n):
            return evaluate(x, p) @ p["KB"]

        system = Map(law, as_params(params), jnp.asarray(self.x0_), tuple(f"x{i + 1}" for i in range(self.dim_)),
                     name="EDMD (reprojected)", reference=ref,
                     description="x[n+1] = B^T K^T psi(x[n]): lift, one Koopman step, read the state back")
        _check_traceable(system)
        return system

    def plot(self, ax=None):
        self._check_fitted()
        return _plot_eigs(self.eigenvalues_, ax=ax, title="EDMD eigenvalues")


# ----------------------------------------------------------------------------- ResDMD
@dataclass(frozen=True)
class Pseudospectrum:
    """tau(z) = min_v res(z, psi v) on a grid of z = x + i y (Colbrook & Townsend 2024): the
    epsilon-pseudospectrum is {z : tau(z) < epsilon}."""

    x: np.ndarray
    y: np.ndarray
    tau: np.ndarray  # shape (len(y), len(x))
    eigenvalues: np.ndarray
    residuals: np.ndarray

    def contains(self, epsilon: float) -> np.ndarray:
        """Boolean mask of the grid points inside the epsilon-pseudospectrum."""
        return self.tau < epsilon

    def to_xarray(self):
        import xarray as xr

        return xr.DataArray(self.tau, coords={"imag": self.y, "real": self.x}, dims=("imag", "real"), name="tau",
                            attrs={"long_name": "minimal residual tau(z)",
                                   "reference": "Colbrook & Townsend, CPAM 77:221 (2024)"})

    def plot(self, levels=(1e-3, 1e-2, 1e-1, 0.3), ax=None):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 4.4)) if ax is None else (ax.figure, ax)
        cs = ax.contour(self.x, self.y, self.tau, levels=sorted(levels), cmap="viridis")
        ax.clabel(cs, fontsize=7)
        sc = ax.scatter(self.eigenvalues.real, self.eigenvalues.imag, c=np.log10(self.residuals + 1e-16), s=10,
                        cmap="magma")
        fig.colorbar(sc, ax=ax, label="log10 residual")
        th = np.linspace(0, 2 * np.pi, 400)
        ax.plot(np.cos(th), np.sin(th), color="0.6", lw=0.8)
        ax.set_aspect("equal")
        ax.set_title("ResDMD pseudospectrum")
        return fig


def _tau_grid(z: np.ndarray, lmat: np.ndarray, amat: np.ndarray, chunk: int = 64) -> np.ndarray:
    """sqrt of the smallest eigenvalue of L - z A^* - conj(z) A + |z|^2 I (QR basis, G = I) per z.

    Host LAPACK (batched ``numpy.linalg.eigvalsh``): measured ~10x faster than XLA's CPU complex
    ``eigvalsh`` for K = 150, and the matrices are only K x K, so this is not a GPU workload."""
    out = np.empty(z.size)
    eye = np.eye(lmat.shape[0])
    ah = amat.conj().T
    for i in range(0, z.size, chunk):
        zz = z[i:i + chunk, None, None]
        m = lmat[None] - zz * ah[None] - np.conj(zz) * amat[None] + (np.abs(zz) ** 2) * eye[None]
        m = 0.5 * (m + np.conj(np.swapaxes(m, 1, 2)))
        out[i:i + chunk] = np.sqrt(np.maximum(np.linalg.eigvalsh(m)[:, 0], 0.0))
    return out


class ResDMD(EDMD):
    """Residual DMD (Colbrook & Townsend, Commun. Pure Appl. Math. 77:221, 2024; arXiv 2111.14889).

    On top of EDMD (same dictionary options) it forms L = Psi_Y* W Psi_Y and measures, from the same
    data, how well each candidate eigenpair (lambda, g = psi v) satisfies the *infinite-dimensional*
    Koopman eigen-equation:
    ``res(lambda, g)^2 = ||Psi_Y v - lambda Psi_X v||_W^2 / ||Psi_X v||_W^2
    = v*(L - lambda A* - conj(lambda) A + |lambda|^2 G) v / v* G v``.
    ``residuals_`` holds it for every EDMD eigenpair (computed in the first, cancellation-free form,
    as in the reference ``Duffing_example.m``); :meth:`eigenvalues` with ``max_residual`` drops the
    spurious ones (Algorithm "residuals after EDMD"). :meth:`pseudospectrum` computes
    tau(z) = min_v res(z, psi v) on a grid, the square root of the smallest eigenvalue of
    (L - z A* - conj(z) A + |z|^2 G) relative to G, in the stable QR formulation of
    ``KoopPseudoSpecQR.m`` (sqrt(W) Psi_X = Q R, so G becomes I).
    """

    def _fit_lifted(self, psi_x: jax.Array, psi_y: jax.Array) -> None:
        super()._fit_lifted(psi_x, psi_y)
        m = psi_x.shape[0]
        w = 1.0 / m
        px, py = np.asarray(psi_x), np.asarray(psi_y)
        v, lam = self.eigenvectors_, self.eigenvalues_
        num = np.linalg.norm(py @ v - (px @ v) * lam[None, :], axis=0)
        den = np.linalg.norm(px @ v, axis=0)
        self.residuals_ = num / np.where(den > 0, den, np.inf)
        self.gram_ = w * px.T @ px
        self.cross_ = w * px.T @ py
        self.l_matrix_ = w * py.T @ py
        q, r = jnp.linalg.qr(math.sqrt(w) * psi_x)
        c1 = jax.scipy.linalg.solve_triangular(r, (math.sqrt(w) * psi_y).T, trans="T", lower=False).T
        self._qr_l = np.asarray(c1.T @ c1)
        self._qr_a = np.asarray(q.T @ c1)

    def eigenvalues(self, max_residual: float | None = None) -> np.ndarray:
        """EDMD eigenvalues, optionally only those with residual <= ``max_residual``."""
        self._check_fitted()
        lam = self.eigenvalues_
        return lam if max_residual is None else lam[self.residuals_ <= max_residual]

    def residual(self, lam: complex, v: Any) -> float:
        """res(lambda, psi v) from the matrices G, A, L: the quadratic form of the class docstring
        (accurate to ~1e-8 relative because of cancellation; the eigenpair residuals use Psi directly)."""
        self._check_fitted()
        v = np.asarray(v, dtype=complex)
        g, a, l_m = self.gram_, self.cross_, self.l_matrix_
        num = v.conj() @ (l_m - lam * a.conj().T - np.conj(lam) * a + abs(lam) ** 2 * g) @ v
        den = v.conj() @ g @ v
        return float(np.sqrt(max(num.real, 0.0) / den.real))

    def pseudospectrum(self, x: Any = None, y: Any = None, n: int = 60) -> Pseudospectrum:
        """tau(z) on the grid x (real parts) by y (imaginary parts); default n x n points on
        [-1.5, 1.5]^2."""
        self._check_fitted()
        x = np.linspace(-1.5, 1.5, n) if x is None else np.asarray(x, dtype=float)
        y = np.linspace(-1.5, 1.5, n) if y is None else np.asarray(y, dtype=float)
        z = (x[None, :] + 1j * y[:, None]).ravel()
        tau = _tau_grid(z, self._qr_l.astype(complex), self._qr_a.astype(complex))
        return Pseudospectrum(x, y, tau.reshape(y.size, x.size), self.eigenvalues_, self.residuals_)

    def plot(self, ax=None):
        self._check_fitted()
        return _plot_eigs(self.eigenvalues_, np.log10(self.residuals_ + 1e-16), ax=ax,
                          title="ResDMD eigenvalues", clabel="log10 residual")


# ----------------------------------------------------------------------------- HAVOK
def _central_difference4(v: np.ndarray, dt: float) -> np.ndarray:
    """Fourth-order central difference (as in Brunton et al.'s HAVOK code), rows 2..T-3."""
    return (-v[4:] + 8 * v[3:-1] - 8 * v[1:-3] + v[:-4]) / (12 * dt)


class HAVOK(_DelayContext, LearnedModel):
    """Hankel alternative view of Koopman (Brunton, Brunton, Proctor, Kaiser & Kutz, Nat. Commun.
    8:19, 2017).

    A scalar measurement x(t) (``variable`` of a multivariate series) is stacked into the Hankel
    matrix H (q x (m - q + 1)) of ``delays`` = q rows, H = U S V*; the first ``rank`` = r columns of V
    are the delay coordinates v_1..v_r(t). Their derivatives (4th-order central differences) are
    regressed by least squares on v: dv_{1..r-1}/dt = A v_{1..r-1} + B v_r -- a linear model in r-1
    coordinates forced by the intermittent last coordinate v_r (``forcing_``). ``r2_`` is the
    coefficient of determination of each fitted derivative; ``forcing_stats_`` the forcing's mean,
    std, kurtosis (3 for a Gaussian; heavy tails in chaos) and fraction of time with |v_r| above
    ``forcing_threshold`` standard deviations. Reference Lorenz setup: dt 0.001, q 100, r 15.

    ``as_system()``: the forced linear :class:`dynstab.Flow` dv/dt = A v + B v_r(t) on the **delay
    coordinates** v_1..v_{r-1}, with v_r(t) the training forcing interpolated in time (flag
    "forced"; defined on the training window). ``generate``/``forecast`` use the unforced r-dim
    linear model (the v_r row regressed too), a short-term predictor only; x is read back as
    x(t) = sum_k U[0, k] s_k v_k(t).
    """

    def __init__(self, delays: int = 100, rank: int = 15, variable: int = 0, forcing_threshold: float = 2.0):
        self.delays = delays
        self.rank = rank
        self.variable = variable
        self.forcing_threshold = forcing_threshold

    def fit(self, data: Any, dt: float | None = None) -> HAVOK:
        q, r = int(self.delays), int(self.rank)
        if q != self.delays or q < 2:
            raise ValueError(f"delays must be an integer >= 2, got {self.delays!r}")
        if r != self.rank or not 2 <= r <= q:
            raise ValueError(f"rank must be an integer with 2 <= rank <= delays={q}, got {self.rank!r}")
        if dt is None and not _has_time(data):
            raise ValueError("HAVOK regresses time derivatives: pass dt (the sampling step)")
        td = as_training_data(data, dt, min_length=q + 2 * r + 5)
        if len(td.series) != 1:
            raise ValueError("HAVOK takes one trajectory (one Hankel matrix); concatenate nothing, pass one series")
        s = td.series[0]
        if not 0 <= self.variable < s.shape[1]:
            raise ValueError(f"variable={self.variable} is out of range for {s.shape[1]} variables")
        x = s[:, self.variable]
        hankel = _windows(x[:, None], q)[:, ::-1]  # rows: [x_j .. x_{j+q-1}], i.e. H^T
        u_t, sv, vh = _svd(jnp.asarray(hankel.T))
        u_np, s_np, v = np.asarray(u_t), np.asarray(sv), np.asarray(vh).T
        v = v[:, :r]
        dv = _central_difference4(v, td.dt)
        vc = v[2:-2]
        coef = np.linalg.lstsq(vc, dv, rcond=None)[0]  # dv = vc @ coef
        xi = coef.T  # dv/dt = xi @ v
        pred = vc @ coef
        ss_res = np.sum((dv - pred) ** 2, axis=0)
        ss_tot = np.sum((dv - dv.mean(axis=0)) ** 2, axis=0)
        self.dim_ = td.dim
        self.dt_ = td.dt
        self.singular_values_ = s_np
        self.modes_ = u_np[:, :r]
        self.coordinates_ = v
        self.full_matrix_ = xi
        self.A_ = xi[:r - 1, :r - 1]
        self.B_ = xi[:r - 1, r - 1]
        self.r2_ = 1 - ss_res / np.where(ss_tot > 0, ss_tot, np.inf)
        f = v[:, r - 1]
        self.forcing_ = f
        self.times_ = np.arange(f.size) * td.dt
        z = (f - f.mean()) / f.std()
        self.forcing_stats_ = {"mean": float(f.mean()), "std": float(f.std()),
                               "kurtosis": float(np.mean(z ** 4)),
                               "active_fraction": float(np.mean(np.abs(z) > self.forcing_threshold))}
        self._readout = u_np[0, :r] * s_np[:r]
        self._propagator = _expm(xi * td.dt)
        self._u = u_np[:, :r]
        self._s = s_np[:r]
        self.fitted_ = True
        return self

    def forcing_active(self, threshold: float | None = None) -> np.ndarray:
        """Boolean mask of samples where |v_r| exceeds ``threshold`` (default ``forcing_threshold``)
        standard deviations: the bursts that precede lobe switches in Lorenz."""
        self._check_fitted()
        thr = self.forcing_threshold if threshold is None else threshold
        f = self.forcing_
        return np.abs(f - f.mean()) > thr * f.std()

    def simulate_forced(self, steps: int | None = None) -> np.ndarray:
        """The linear model driven by the measured forcing, from v(0): v_{1..r-1}(t) over the training
        window (``steps`` samples, default all), integrated with RK4 by :func:`dynstab.trajectory`."""
        from ..simulate.trajectory import trajectory

        self._check_fitted()
        n = self.forcing_.size if steps is None else min(_check_steps(steps), self.forcing_.size)
        tr = trajectory(self.as_system(), t=(n - 1) * self.dt_, dt=self.dt_, method="rk4")
        return tr.x

    def _coords_from_window(self, window: np.ndarray) -> np.ndarray:
        # v = U^T h / s (the Hankel column is [x_j .. x_{j+q-1}], oldest first)
        return (self._u.T @ window) / self._s

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """From a window of the last ``delays`` samples of the measured variable (oldest first):
        the unforced r-dimensional linear model; returns the measured variable, shape (steps, 1)."""
        self._check_fitted()
        q = int(self.delays)
        w = np.asarray(x0, dtype=float).reshape(-1)
        if w.size != q or not np.all(np.isfinite(w)):
            raise ValueError(f"x0 must be the last {q} finite samples of the measured variable; got {w.size}")
        v = self._coords_from_window(w)
        vs = np.asarray(_iterate_linear(jnp.asarray(self._propagator), jnp.asarray(v), _check_steps(steps)))
        # the newest sample is the last entry of the window: row q-1 of U
        return (vs @ (self._u[q - 1] * self._s))[:, None]

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        self._check_fitted()
        ctx = check_series(context, what="context", min_length=self.context_length, dim=self.dim_)
        return self.generate(ctx[-int(self.delays):, self.variable], steps)

    def as_system(self):
        self._check_fitted()
        from ..systems.base import Flow, as_params, _check_traceable

        def law(v, p, t):
            return p["A"] @ v + p["B"] * jnp.interp(t, p["t"], p["forcing"])

        r = int(self.rank)
        params = {"A": self.A_, "B": self.B_, "t": self.times_, "forcing": self.forcing_}
        system = Flow(law, as_params(params), jnp.asarray(self.coordinates_[0, :r - 1]),
                      tuple(f"v{k + 1}" for k in range(r - 1)), name="HAVOK",
                      reference="Brunton et al., Nat. Commun. 8:19 (2017)", dt=self.dt_,
                      flags=frozenset({"forced"}),
                      description="dv/dt = A v + B v_r(t), v_r the measured forcing (training window)")
        _check_traceable(system)
        return system

    def plot(self, ax=None):
        """The forcing v_r(t) with its active (bursting) samples marked."""
        import matplotlib.pyplot as plt

        self._check_fitted()
        fig, ax = plt.subplots(figsize=(7, 3)) if ax is None else (ax.figure, ax)
        ax.plot(self.times_, self.forcing_, lw=0.6, color="k")
        act = self.forcing_active()
        ax.plot(self.times_[act], self.forcing_[act], ".", ms=1.5, color="crimson")
        ax.set_xlabel("t")
        ax.set_ylabel(f"$v_{{{int(self.rank)}}}$")
        ax.set_title("HAVOK forcing")
        return fig


def _has_time(data: Any) -> bool:
    from ..simulate.trajectory import Trajectory

    items = data if isinstance(data, (list, tuple)) else [data]
    return any(isinstance(i, Trajectory) for i in items)


def _expm(m: np.ndarray) -> np.ndarray:
    from scipy.linalg import expm

    return expm(m)
