"""Extended DMD (Williams, Kevrekidis & Rowley 2015) and its dictionaries of observables.

A dictionary maps a state (or a delay vector) x to K observables psi(x); EDMD fits the K x K
Koopman matrix of the lifted snapshot pairs by least squares. The state is always in the
dictionary, so it is read back linearly.
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

from .base import LearnedModel, as_training_data, check_positive_ints, check_series, check_steps
from .koopman import DelayContext, delay_windows, iterate_linear, linear_map, plot_eigenvalues, snapshot_pairs

__all__ = ["EDMD", "MonomialDictionary", "RBFDictionary"]


@dataclass(frozen=True)
class MonomialDictionary:
    """All monomials x^a with total degree |a| <= ``degree``.

    The constant first, then x_1..x_d, then higher degrees in graded lexicographic order, so the
    state sits at indices 1..d. The dictionary has comb(d + degree, degree) functions.

    Parameters
    ----------
    dim : int
        Number of variables d.
    degree : int
        Highest total degree.
    """

    dim: int
    degree: int

    @property
    def exponents(self) -> np.ndarray:
        """Exponent rows a (size x dim), in dictionary order."""
        rows = [
            e
            for deg in range(self.degree + 1)
            for e in sorted(
                (c for c in itertools.product(range(deg + 1), repeat=self.dim) if sum(c) == deg), reverse=True
            )
        ]
        return np.asarray(rows, dtype=np.int32)

    @property
    def size(self) -> int:
        """Number of dictionary functions K."""
        return math.comb(self.dim + self.degree, self.degree)

    @property
    def state_index(self) -> np.ndarray:
        """Indices of x_1..x_d in the dictionary."""
        return np.arange(1, self.dim + 1)

    def params(self) -> dict[str, np.ndarray]:
        """The arrays :meth:`evaluate` reads.

        Returns
        -------
        dict
            ``{"exponents": float64 array (K, d)}``.
        """
        return {"exponents": self.exponents.astype(np.float64)}

    @staticmethod
    def evaluate(x, p):
        """psi(x) for one state: prod_i x_i^a_i for every exponent row a.

        Parameters
        ----------
        x : jax.Array, shape (d,)
            The state.
        p : dict
            :meth:`params` as JAX arrays.

        Returns
        -------
        jax.Array
            Shape (K,).
        """
        e = p["exponents"]
        xb = x[None, :]
        # |x|^e with the sign restored for odd e: a float power of a negative base would be NaN
        sign = jnp.where((xb < 0) & (jnp.mod(e, 2.0) == 1.0), -1.0, 1.0)
        return jnp.prod(jnp.where(e > 0, sign * jnp.abs(xb) ** e, 1.0), axis=1)

    def names(self, var: list[str]) -> list[str]:
        """Readable names of the dictionary functions.

        Parameters
        ----------
        var : list of str
            Variable names.

        Returns
        -------
        list of str
            E.g. ``["1", "x", "y", "x^2", "x*y", "y^2"]``.
        """
        out = []
        for e in self.exponents:
            term = "*".join(f"{v}^{k}" if k > 1 else v for v, k in zip(var, e) if k)
            out.append(term or "1")
        return out


@dataclass(frozen=True)
class RBFDictionary:
    """[1, x_1..x_d, exp(-|x - c_j|^2 / (2 width^2)) for each center c_j].

    Gaussian radial basis functions plus the constant and the state (Williams, Kevrekidis & Rowley
    2015 use RBF dictionaries for the Duffing and Kuramoto examples).

    Parameters
    ----------
    centers : numpy.ndarray, shape (n_centers, d)
        The centers c_j.
    width : float
        The common width.
    """

    centers: np.ndarray
    width: float

    @property
    def dim(self) -> int:
        """Number of variables d."""
        return int(self.centers.shape[1])

    @property
    def size(self) -> int:
        """Number of dictionary functions K = 1 + d + n_centers."""
        return 1 + self.dim + int(self.centers.shape[0])

    @property
    def state_index(self) -> np.ndarray:
        """Indices of x_1..x_d in the dictionary."""
        return np.arange(1, self.dim + 1)

    def params(self) -> dict[str, np.ndarray | np.float64]:
        """The arrays :meth:`evaluate` reads.

        Returns
        -------
        dict
            ``{"centers": (n_centers, d), "width": scalar}``.
        """
        return {"centers": np.asarray(self.centers, dtype=np.float64), "width": np.float64(self.width)}

    @staticmethod
    def evaluate(x, p):
        """psi(x) for one state.

        Parameters
        ----------
        x : jax.Array, shape (d,)
            The state.
        p : dict
            :meth:`params` as JAX arrays.

        Returns
        -------
        jax.Array
            Shape (K,).
        """
        d2 = jnp.sum((x[None, :] - p["centers"]) ** 2, axis=1)
        return jnp.concatenate([jnp.ones(1), x, jnp.exp(-0.5 * d2 / p["width"] ** 2)])

    def names(self, var: list[str]) -> list[str]:
        """Readable names of the dictionary functions.

        Parameters
        ----------
        var : list of str
            Variable names.

        Returns
        -------
        list of str
            ``["1", *var, "rbf0", "rbf1", ...]``.
        """
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


class EDMD(DelayContext, LearnedModel):
    """Extended dynamic mode decomposition.

    Dictionary psi = (psi_1..psi_K) evaluated on snapshot pairs: Psi_X (M x K), Psi_Y (M x K).
    G = Psi_X* W Psi_X, A = Psi_X* W Psi_Y (W = I/M, ergodic sampling), Koopman matrix
    K = G^+ A = Psi_X^+ Psi_Y (computed by least squares, as ResDMD's ``K = PX\\PY``; ``ridge > 0``
    solves (G + ridge I) K = A instead). Eigenpairs K v = lambda v give eigenfunctions
    phi(x) = psi(x) v and Koopman modes xi = V^-1 B for the state read-out B. Forecasting iterates
    psi -> K^T psi from psi(x_0) (the linear Koopman predictor) and reads the state back.

    ``as_system()``: the linear :class:`dynstab.Map` psi[n+1] = K^T psi[n] on the **dictionary
    coordinates** (dimension K; ``state_index_`` locates the state inside). ``as_system(
    reproject=True)``: the nonlinear map x -> B^T K^T psi(x) on the **state** (lift, advance, read
    back; needs ``delays == 1``). One iteration is ``dt_`` time units.

    Parameters
    ----------
    dictionary : {"monomials", "rbf", "delays"}
        All monomials up to ``degree`` (constant included); or the constant, the state and
        ``n_centers`` Gaussian RBFs; or the constant and the delay vector (linear observables of
        ``delays`` samples).
    degree : int
        Highest monomial degree (``"monomials"``).
    n_centers : int
        Number of RBF centers (``"rbf"``).
    centers : {"kmeans", "random"}
        RBF centers from seeded k-means or random data points.
    width : float, optional
        RBF width (default: the median distance between centers).
    delays : int
        q > 1 applies the dictionary to the delay vector [x_t, .., x_{t-q+1}].
    ridge : float
        Tikhonov regularization of the Koopman matrix (0: least squares).
    seed : int
        Seed of the RBF centers.

    Attributes
    ----------
    koopman_matrix_ : numpy.ndarray
        K (K x K).
    eigenvalues_, eigenvectors_ : numpy.ndarray
        Eigenpairs of K, by decreasing modulus.
    modes_ : numpy.ndarray
        Koopman modes V^-1 B of the state (K x d).
    dictionary_ : MonomialDictionary or RBFDictionary
        The fitted dictionary.
    readout_, state_index_ : numpy.ndarray
        The read-out B (K x d) and the state's dictionary indices.
    dim_, dt_, x0_ : int, float, numpy.ndarray
        Dimension, sampling step and first (delay) state of the training data.

    References
    ----------
    M. O. Williams, I. G. Kevrekidis and C. W. Rowley, A data-driven approximation of the Koopman
    operator: extending dynamic mode decomposition, J. Nonlinear Sci. 25:1307 (2015).
    """

    def __init__(
        self,
        dictionary: str = "monomials",
        degree: int = 2,
        n_centers: int = 100,
        centers: str = "kmeans",
        width: float | None = None,
        delays: int = 1,
        ridge: float = 0.0,
        seed: int = 0,
    ):
        self.dictionary = dictionary
        self.degree = degree
        self.n_centers = n_centers
        self.centers = centers
        self.width = width
        self.delays = delays
        self.ridge = ridge
        self.seed = seed

    def _make_dictionary(self, x: np.ndarray):
        check_positive_ints(self, ("delays",))
        dim = x.shape[1]
        if self.dictionary == "monomials":
            check_positive_ints(self, ("degree",))
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
        xr, yr = snapshot_pairs(series, int(self.delays))
        p = {k: jnp.asarray(v) for k, v in self.dictionary_.params().items()}
        return _lift(type(self.dictionary_).evaluate, jnp.asarray(xr), p), _lift(
            type(self.dictionary_).evaluate, jnp.asarray(yr), p
        )

    def fit(self, data: Any, dt: float | None = None) -> EDMD:
        """Build the dictionary, lift the snapshot pairs and fit the Koopman matrix.

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (T_i, d), at least ``delays + 1`` samples each; there must be at
            least as many snapshot pairs as dictionary functions.
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).

        Returns
        -------
        EDMD
            ``self``.
        """
        check_positive_ints(self, ("delays",))
        q = int(self.delays)
        td = as_training_data(data, dt, min_length=q + 1)
        self.dim_ = td.dim
        self.dt_ = td.dt
        windows = np.concatenate([delay_windows(s, q) for s in td.series])
        self.dictionary_ = self._make_dictionary(windows)
        psi_x, psi_y = self._lifted_pairs(td.series)
        if psi_x.shape[0] < psi_x.shape[1]:
            raise ValueError(
                f"{psi_x.shape[0]} snapshot pairs for {psi_x.shape[1]} dictionary functions: "
                "use more data or a smaller dictionary"
            )
        self._fit_lifted(psi_x, psi_y)
        self.state_index_ = self.dictionary_.state_index[: self.dim_]  # the newest sample of a delay vector
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
        """Dictionary values psi(x).

        Parameters
        ----------
        x : array_like, shape (B, q d) or (q d,)
            States (or delay vectors, newest first).

        Returns
        -------
        numpy.ndarray
            Shape (B, K).
        """
        self._check_fitted()
        arr = np.atleast_2d(np.asarray(x, dtype=float))
        p = {k: jnp.asarray(v) for k, v in self.dictionary_.params().items()}
        return np.asarray(_lift(type(self.dictionary_).evaluate, jnp.asarray(arr), p))

    def eigenfunctions(self, x: Any) -> np.ndarray:
        """Koopman eigenfunctions phi_j(x) = psi(x) v_j.

        Parameters
        ----------
        x : array_like, shape (B, q d)
            States (or delay vectors).

        Returns
        -------
        numpy.ndarray
            Shape (B, K), complex.
        """
        return self.lift(x) @ self.eigenvectors_

    def _start(self, x0: Any) -> np.ndarray:
        q, d = int(self.delays), self.dim_
        arr = np.asarray(x0, dtype=float)
        if arr.size == q * d and (arr.ndim == 1 or arr.shape == (q, d) or (q == 1 and arr.shape == (1, d))):
            w = arr.reshape(q, d)[::-1].reshape(-1) if arr.ndim == 2 else arr
            return check_series(w.reshape(1, -1), what="x0")[0]
        raise ValueError(
            f"x0 must be a state of shape ({d},)"
            + (f" or a window ({q}, {d})" if q > 1 else "")
            + f"; got shape {arr.shape}"
        )

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """The linear Koopman predictor: psi_{n+1} = K^T psi_n from psi(x0), state read back.

        Parameters
        ----------
        x0 : array_like, shape (d,) or (q, d)
            A state, or with delays the last q samples (oldest first) or a delay vector.
        steps : int
            Number of samples to predict.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        self._check_fitted()
        z0 = self.lift(self._start(x0))[0]
        z = iterate_linear(jnp.asarray(np.real(self.koopman_matrix_).T), jnp.asarray(z0), check_steps(steps))
        return np.asarray(z)[:, self.state_index_]

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """Predict the samples after the last ``delays`` samples of ``context``.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples, T_c >= ``delays``.
        steps : int
            Number of samples to predict.

        Returns
        -------
        numpy.ndarray
            Shape (steps, d).
        """
        self._check_fitted()
        ctx = check_series(context, what="context", min_length=self.context_length, dim=self.dim_)
        q = int(self.delays)
        return self.generate(ctx[-q:] if q > 1 else ctx[-1], steps)

    def predict_n_steps(self, x: Any, starts: Any, n: int) -> np.ndarray:
        """Batched n-step Koopman predictions from the (delay) states ending at x[starts].

        Parameters
        ----------
        x : array_like, shape (T, d)
            A series.
        starts : array_like of int
            Indices of the newest sample of each start window.
        n : int
            Prediction horizon in steps.

        Returns
        -------
        numpy.ndarray
            Shape (len(starts), d).
        """
        self._check_fitted()
        q = int(self.delays)
        w = delay_windows(np.asarray(x, dtype=float), q)[np.asarray(starts) - (q - 1)]
        kn = np.linalg.matrix_power(np.real(self.koopman_matrix_), int(n))
        return (self.lift(w) @ kn)[:, self.state_index_]

    def as_system(self, reproject: bool = False):
        """The learned dynamics as a :class:`dynstab.Map` (one iteration = ``dt_`` time units).

        Parameters
        ----------
        reproject : bool
            False: the linear map psi -> K^T psi on the dictionary coordinates. True: the nonlinear
            map x -> B^T K^T psi(x) on the state (needs ``delays == 1``).

        Returns
        -------
        Map
            The map, starting from the first training (delay) state.
        """
        from ..systems import Map

        self._check_fitted()
        k = np.real(self.koopman_matrix_)
        ref = "Williams, Kevrekidis & Rowley, J. Nonlinear Sci. 25:1307 (2015)"
        if not reproject:
            return linear_map(k.T, self.lift(self.x0_)[0], "EDMD", ref, dt=self.dt_)
        if int(self.delays) != 1:
            raise ValueError("reproject=True needs delays == 1 (a map on the state)")
        evaluate = type(self.dictionary_).evaluate
        params = {**self.dictionary_.params(), "KB": k @ self.readout_}

        def law(x, p, n):
            return evaluate(x, p) @ p["KB"]

        return Map.from_law(
            law,
            params=params,
            x0=self.x0_,
            names=tuple(f"x{i + 1}" for i in range(self.dim_)),
            name="EDMD (reprojected)",
            reference=ref,
            dt=self.dt_,
            description="x[n+1] = B^T K^T psi(x[n]): lift, one Koopman step, read the state back",
        )

    def plot(self, ax: Any = None):
        """Eigenvalues of K in the complex plane with the unit circle.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw in.

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        self._check_fitted()
        return plot_eigenvalues(self.eigenvalues_, ax=ax, title="EDMD eigenvalues")
