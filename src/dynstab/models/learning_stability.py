"""Linear stability of minima under gradient descent and SGD (Wu & Su, ICML 2023).

A loss ``loss(params, batch)`` of a parameter pytree is flattened to a vector theta in R^P. Near a
minimum theta*, gradient descent with learning rate eta is the linear map
delta_{t+1} = (I - eta H) delta_t, with H the Hessian of the loss at theta*; it is linearly stable
iff lambda_max(H) <= 2 / eta (the "edge of stability"). SGD with minibatches xi of size B drawn
uniformly without replacement from n samples is delta_{t+1} = (I - eta H_xi) delta_t, with H_xi
the minibatch average of the per-sample Hessians H_i; it is mean-square stable iff the spectral
radius of the second-moment operator

    T(M) = E_xi[(I - eta H_xi) M (I - eta H_xi)]

is at most 1 (Wu, Ma & E 2018; Wu & Su 2023). With ``vec``, T = I - eta (I (x) H + H (x) I)
+ eta^2 E[H_xi (x) H_xi], and for sampling without replacement (P(i in xi) = B / n,
P(i, j in xi) = B (B - 1) / (n (n - 1)) for i != j)

    E[H_xi (x) H_xi] = (1 / B^2) [ (B / n) S + B (B - 1) / (n (n - 1)) (n^2 H (x) H - S) ],
    S = sum_i H_i (x) H_i,

exact, with no enumeration of minibatches (`sgd_second_moment_operator`). T is completely
positive, so its spectral radius is its largest eigenvalue, a convex function of eta equal to 1 at
eta = 0: the stable learning rates form an interval (0, eta*], and `critical_learning_rate` finds
eta* by bisection. On the null space of every H_i the linearized dynamics is the identity
(neutral, not unstable), so T is built on the range of H.

Wu & Su (2023) show that an SGD-stable minimum has Tr(H) <= 2 B / eta-type bounds (B = 1:
Tr H <= 2 / eta, their abstract); on rank-one orthogonal data with equal norms the exact threshold
is eta* Tr H = 2 B (tight), and B = n is gradient descent, eta* = 2 / lambda_max.

Large models: the Hessian is never formed. `hessian_vector_product` is forward-over-reverse
(``jax.jvp`` of ``jax.grad``, Pearlmutter 1994), one gradient's cost per product; `hessian_eigenvalues`
runs Lanczos with full reorthogonalization on it (P x m memory for m Lanczos vectors), `sharpness` is
its largest Ritz value; `hessian_trace` is Hutchinson's estimator E[z^T H z] with Rademacher z
and `hessian_frobenius_norm` the same on H^2 (E[|H z|^2] = Tr H^2), both with their standard errors.

References
----------
L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent",
ICML 2023, arXiv:2305.17490. L. Wu, C. Ma, W. E, "How SGD Selects the Global Minima in
Over-parameterized Learning: A Dynamical Stability Perspective", NeurIPS 2018. L. Wu, M. Wang,
W. J. Su, "The alignment property of SGD noise and how it helps select flat minima", NeurIPS 2022.
B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural Comput. 6, 147 (1994).
C. Lanczos, J. Res. Natl. Bur. Stand. 45, 255 (1950). M. F. Hutchinson, Commun. Stat. Simul.
Comput. 18, 1059 (1989). J. Cohen et al., "Gradient descent on neural networks typically occurs at
the edge of stability", ICLR 2021.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from .._precision import float64
from ..limits import check_allocation
from ..validation import as_int, as_positive_float

Progress = Callable[[int, int], None]

#: Largest parameter dimension for which `sgd_second_moment_operator` builds the d^2 x d^2 matrix
#: (d = 64: 4096 x 4096, 134 MB, about 10 s for its eigenvalues).
MAX_EXACT_DIM = 64


@dataclass(frozen=True)
class Estimate:
    """A stochastic estimate: its value, standard error and number of probes."""

    value: float
    stderr: float
    n_probes: int

    def __repr__(self) -> str:
        return f"{self.value:.6g} +- {self.stderr:.2g} ({self.n_probes} probes)"


@dataclass(frozen=True)
class HessianEigenvalues:
    """The result of `hessian_eigenvalues`: the top Ritz values (descending), their residual norms
    |beta_m s_m| (a bound on the distance of each to an eigenvalue of H) and the Krylov size."""

    values: np.ndarray
    residuals: np.ndarray
    n_iter: int


@dataclass(frozen=True)
class MinimumStability:
    """The result of `minimum_stability`: spectra, radii, thresholds and the two verdicts."""

    lr: float
    batch_size: int
    n_samples: int
    sharpness: float
    trace: float
    frobenius: float
    rho_gd: float
    rho_sgd: float
    critical_lr_gd: float
    critical_lr_sgd: float

    @property
    def gd_stable(self) -> bool:
        """lambda_max <= 2 / eta."""
        return self.lr * self.sharpness <= 2.0 * (1.0 + 1e-12)

    @property
    def sgd_stable(self) -> bool:
        """Spectral radius of the second-moment operator <= 1."""
        return self.rho_sgd <= 1.0 + 1e-12

    @property
    def verdict(self) -> str:
        gd = "stable" if self.gd_stable else "unstable"
        sgd = "stable" if self.sgd_stable else "unstable"
        return (
            f"{gd} under GD at learning rate {self.lr:g} (lambda_max = {self.sharpness:.6g}, 2/eta = "
            f"{2.0 / self.lr:.6g}); {sgd} under SGD with batch size {self.batch_size} of {self.n_samples} "
            f"(spectral radius {self.rho_sgd:.6g}, critical learning rate {self.critical_lr_sgd:.6g})"
        )

    def __repr__(self) -> str:
        return f"MinimumStability({self.verdict})"


# --------------------------------------------------------------------------------------------------
# Hessian-vector products, Lanczos, Hutchinson
# --------------------------------------------------------------------------------------------------
def _as_float64(params: Any) -> Any:
    """Every floating leaf in float64 (``ravel_pytree``'s unravel casts back to the leaves' dtypes)."""
    return jax.tree_util.tree_map(lambda x: jnp.asarray(x, dtype=jnp.float64), params)


def _flat(loss: Callable, params: Any, batch: Any) -> tuple[Callable, jax.Array, Callable]:
    if not callable(loss):
        raise TypeError(f"loss must be a callable loss(params, batch), got {type(loss).__name__}")
    theta, unravel = ravel_pytree(_as_float64(params))
    if theta.size == 0:
        raise ValueError("params has no array leaves: nothing to differentiate")
    if not bool(jnp.all(jnp.isfinite(theta))):
        raise ValueError("params contains NaN or infinity")

    def f(x):
        return loss(unravel(x), batch)

    out = jax.eval_shape(f, theta)
    if out.shape != ():
        raise ValueError(f"loss must return a scalar, got shape {out.shape}")
    return f, theta, unravel


@float64
def hessian_vector_product(loss: Callable, params: Any, batch: Any = None) -> tuple[Callable, jax.Array]:
    """The Hessian-vector product v -> H v of ``loss(params, batch)`` at ``params``, never forming H.

    H v = d/d eps grad L(theta + eps v) at eps = 0, forward-mode over reverse-mode (``jax.jvp`` of
    ``jax.grad``; Pearlmutter 1994): the cost of about two gradients per product, memory O(P).

    Parameters
    ----------
    loss : callable
        ``loss(params, batch) -> scalar``, traceable by JAX.
    params : pytree of arrays
        The point (usually a minimum); flattened with ``jax.flatten_util.ravel_pytree``.
    batch : pytree, optional
        The data, passed through to ``loss``.

    Returns
    -------
    matvec : callable
        Jitted ``matvec(v)`` for flat vectors v of shape (P,).
    theta : jax.Array, shape (P,)
        The flattened parameters.
    """
    f, theta, _ = _flat(loss, params, batch)
    grad = jax.grad(f)

    @jax.jit
    def matvec(v):
        return jax.jvp(grad, (theta,), (v,))[1]

    return matvec, theta


def _lanczos(matvec: Callable, dim: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """m steps of Lanczos with full reorthogonalization (two Gram-Schmidt passes): Ritz values and
    residual norms |beta_m s_m,i|, ascending. The Krylov basis is m x dim (kept on the device); one
    compiled iteration with a traced index, called m times from Python (a fori_loop would hide the
    early stop at an invariant subspace)."""
    v = jax.random.normal(jax.random.PRNGKey(seed), (dim,), dtype=jnp.float64)
    V = jnp.zeros((m, dim), dtype=jnp.float64).at[0].set(v / jnp.linalg.norm(v))

    @jax.jit
    def iteration(V, j):
        q = V[j]
        w = matvec(q)
        alpha = jnp.dot(w, q)
        # rows > j are zero, so V^T V w projects on the basis so far; twice ("twice is enough")
        w = w - V.T @ (V @ w)
        w = w - V.T @ (V @ w)
        beta = jnp.linalg.norm(w)
        nxt = jnp.minimum(j + 1, m - 1)
        V = jnp.where(j + 1 < m, V.at[nxt].set(w / jnp.where(beta > 0, beta, 1.0)), V)
        return V, alpha, beta

    alphas: list[float] = []
    betas: list[float] = []
    beta_last = 0.0
    for j in range(m):
        V, alpha, beta = iteration(V, j)
        alphas.append(float(alpha))
        beta_last = float(beta)
        if beta_last <= 1e-12 * max(1.0, abs(alphas[-1])):  # invariant subspace: the Ritz values are exact
            beta_last = 0.0
            break
        if j < m - 1:
            betas.append(beta_last)
    k = len(alphas)
    T = np.diag(alphas) + np.diag(betas[: k - 1], 1) + np.diag(betas[: k - 1], -1)
    theta, S = np.linalg.eigh(T)
    return theta, np.abs(beta_last * S[-1, :])


@float64
def hessian_eigenvalues(
    loss: Callable, params: Any, batch: Any = None, *, k: int = 1, n_iter: int | None = None, seed: int = 0
) -> HessianEigenvalues:
    """The k largest eigenvalues of the loss Hessian by Lanczos on Hessian-vector products.

    m = ``n_iter`` Lanczos steps build the Krylov space K_m(H, v0) of a seeded Gaussian start
    vector with full reorthogonalization (every new vector orthogonalized twice against all previous
    ones, so no spurious copies of converged eigenvalues); the eigenvalues of the m x m tridiagonal
    matrix (Ritz values) converge to the extreme eigenvalues of H first. H is never formed: memory is
    m vectors of P floats (P = number of parameters).

    Parameters
    ----------
    loss : callable
        ``loss(params, batch) -> scalar``.
    params : pytree of arrays
        Where the Hessian is taken.
    batch : pytree, optional
        The data passed to ``loss``.
    k : int, default 1
        Number of eigenvalues (largest first).
    n_iter : int, optional
        Krylov size m (default min(P, max(2 k + 20, 30))); at most P.
    seed : int, default 0
        Seed of the start vector.

    Returns
    -------
    HessianEigenvalues
        The k largest Ritz values (descending) and their residual norms.

    References
    ----------
    C. Lanczos (1950); Pearlmutter (1994); Z. Yao et al., "PyHessian", IEEE BigData 2020 (the same
    method for neural networks).
    """
    matvec, theta = hessian_vector_product(loss, params, batch)
    P = int(theta.size)
    k = as_int(k, name="k", minimum=1, maximum=P)
    m = min(P, max(2 * k + 20, 30)) if n_iter is None else as_int(n_iter, name="n_iter", minimum=k, maximum=P)
    seed = as_int(seed, name="seed", minimum=0)
    check_allocation(8.0 * m * P, f"the Lanczos basis ({m} vectors x {P} parameters)", "take a smaller n_iter")
    ritz, res = _lanczos(matvec, P, m, seed)
    order = np.argsort(-ritz)[:k]
    return HessianEigenvalues(ritz[order], res[order], m)


@float64
def sharpness(loss: Callable, params: Any, batch: Any = None, *, n_iter: int | None = None, seed: int = 0) -> float:
    """lambda_max(H), the largest Hessian eigenvalue, by Lanczos (`hessian_eigenvalues` with k = 1).

    Parameters
    ----------
    loss : callable
        ``loss(params, batch) -> scalar``.
    params : pytree of arrays
        Where the Hessian is taken.
    batch : pytree, optional
        The data passed to ``loss``.
    n_iter : int, optional
        Krylov size (default min(P, 30)).
    seed : int, default 0
        Seed of the start vector.

    Returns
    -------
    float
        The sharpness; gradient descent at learning rate eta is linearly stable iff it is <= 2 / eta.
    """
    return float(hessian_eigenvalues(loss, params, batch, k=1, n_iter=n_iter, seed=seed).values[0])


def _hutchinson(loss, params, batch, n_probes, seed, squared: bool) -> np.ndarray:
    matvec, theta = hessian_vector_product(loss, params, batch)
    n_probes = as_int(n_probes, name="n_probes", minimum=2)
    seed = as_int(seed, name="seed", minimum=0)

    def probe(key):
        z = jax.random.rademacher(key, theta.shape, dtype=jnp.float64)
        hz = matvec(z)
        return jnp.dot(hz, hz) if squared else jnp.dot(z, hz)

    keys = jax.random.split(jax.random.PRNGKey(seed), n_probes)
    # lax.map: one probe at a time in one compiled loop (a vmap would hold n_probes gradients' activations)
    return np.asarray(jax.jit(lambda ks: jax.lax.map(probe, ks))(keys))


@float64
def hessian_trace(loss: Callable, params: Any, batch: Any = None, *, n_probes: int = 100, seed: int = 0) -> Estimate:
    """Tr(H) by Hutchinson's estimator: the mean of z^T H z over Rademacher vectors z (E[z z^T] = I).

    Its variance per probe is 2 (||H||_F^2 - sum_i H_ii^2), so the estimate is exact for a diagonal
    Hessian; the standard error is the sample standard deviation over sqrt(n_probes).

    Parameters
    ----------
    loss : callable
        ``loss(params, batch) -> scalar``.
    params : pytree of arrays
        Where the Hessian is taken.
    batch : pytree, optional
        The data passed to ``loss``.
    n_probes : int, default 100
        Number of Rademacher probes (at least 2).
    seed : int, default 0
        Seed of the probes.

    Returns
    -------
    Estimate
        Value, standard error and number of probes.

    References
    ----------
    M. F. Hutchinson, Commun. Stat. Simul. Comput. 18, 1059 (1989).
    """
    s = _hutchinson(loss, params, batch, n_probes, seed, squared=False)
    return Estimate(float(s.mean()), float(s.std(ddof=1) / math.sqrt(s.size)), int(s.size))


@float64
def hessian_frobenius_norm(
    loss: Callable, params: Any, batch: Any = None, *, n_probes: int = 100, seed: int = 0
) -> Estimate:
    """||H||_F = sqrt(Tr H^2) by Hutchinson on H^2: the mean of |H z|^2 over Rademacher z.

    The standard error of ||H||_F follows from that of the mean of |H z|^2 by the delta method
    (se / (2 ||H||_F)).

    Parameters
    ----------
    loss : callable
        ``loss(params, batch) -> scalar``.
    params : pytree of arrays
        Where the Hessian is taken.
    batch : pytree, optional
        The data passed to ``loss``.
    n_probes : int, default 100
        Number of Rademacher probes (at least 2).
    seed : int, default 0
        Seed of the probes.

    Returns
    -------
    Estimate
        Value, standard error and number of probes.
    """
    s = _hutchinson(loss, params, batch, n_probes, seed, squared=True)
    f2 = float(s.mean())
    value = math.sqrt(max(f2, 0.0))
    se = float(s.std(ddof=1) / math.sqrt(s.size))
    return Estimate(value, se / (2.0 * value) if value > 0 else math.nan, int(s.size))


# --------------------------------------------------------------------------------------------------
# exact mean-square stability of linearized SGD (small problems)
# --------------------------------------------------------------------------------------------------
@float64
def per_sample_hessians(loss: Callable, params: Any, data: Any) -> np.ndarray:
    """The Hessians H_i of a per-sample loss l(params, sample_i), shape (n, P, P), for small P.

    Parameters
    ----------
    loss : callable
        ``loss(params, sample) -> scalar`` for one sample (the leaves of ``data`` without their
        leading axis); the training loss is the mean over samples.
    params : pytree of arrays
        Where the Hessians are taken.
    data : pytree of arrays
        The samples, stacked along the leading axis of every leaf (n samples).

    Returns
    -------
    numpy.ndarray, shape (n, P, P)
    """
    leaves = jax.tree_util.tree_leaves(data)
    if not leaves:
        raise ValueError("data has no array leaves: give the samples stacked along the first axis")
    n = {int(np.shape(x)[0]) if np.ndim(x) else -1 for x in leaves}
    if len(n) != 1 or -1 in n:
        raise ValueError(f"every leaf of data must have the same leading (sample) axis, got lengths {sorted(n)}")
    f, theta, _ = _flat(loss, params, jax.tree_util.tree_map(lambda x: x[0], data))
    P = int(theta.size)
    if P > MAX_EXACT_DIM:
        raise ValueError(
            f"per-sample Hessians are for small models (P <= {MAX_EXACT_DIM}), this one has P = {P}; "
            "use sharpness / hessian_trace instead"
        )
    _, unravel = ravel_pytree(_as_float64(params))
    hess = jax.vmap(lambda s: jax.hessian(lambda x: loss(unravel(x), s))(theta))(data)
    return np.asarray(hess)


def _check_hessians(hessians: Any) -> np.ndarray:
    H = np.asarray(hessians, dtype=np.float64)
    if H.ndim != 3 or H.shape[1] != H.shape[2]:
        raise ValueError(f"hessians must have shape (n, d, d), got {H.shape}")
    if not np.all(np.isfinite(H)):
        raise ValueError("hessians contains NaN or infinity")
    if H.shape[1] > MAX_EXACT_DIM:
        raise ValueError(
            f"the exact second-moment operator is d^2 x d^2: d = {H.shape[1]} exceeds {MAX_EXACT_DIM}; "
            "use sharpness / hessian_trace for large models"
        )
    if not np.allclose(H, np.swapaxes(H, 1, 2), rtol=1e-8, atol=1e-12 * (1.0 + np.abs(H).max())):
        raise ValueError("hessians must be symmetric matrices")
    return 0.5 * (H + np.swapaxes(H, 1, 2))


def _range_projection(H: np.ndarray) -> np.ndarray:
    """Restrict every H_i to the range of their sum (on its complement the linearized SGD is the identity)."""
    total = H.sum(axis=0)
    w, U = np.linalg.eigh(total)
    keep = np.abs(w) > 1e-10 * max(np.abs(w).max(), 1e-300)
    U = U[:, keep]
    return np.einsum("pi,nij,jq->npq", U.T, H, U)


def _second_moment(H: np.ndarray, lr: float, B: int) -> np.ndarray:
    n, d, _ = H.shape
    Hm = H.mean(axis=0)
    S = np.einsum("nij,nkl->ikjl", H, H).reshape(d * d, d * d)  # sum_i H_i (x) H_i
    HH = np.kron(Hm, Hm)
    pair = B * (B - 1) / (n * (n - 1)) if n > 1 else 0.0
    E2 = ((B / n) * S + pair * (n * n * HH - S)) / (B * B)
    eye = np.eye(d)
    return np.eye(d * d) - lr * (np.kron(eye, Hm) + np.kron(Hm, eye)) + lr * lr * E2


def _batch(batch_size: Any, n: int) -> int:
    return as_int(batch_size, name="batch_size", minimum=1, maximum=n)


@float64
def sgd_second_moment_operator(hessians: Any, lr: float, batch_size: int) -> np.ndarray:
    """The d^2 x d^2 matrix of T(M) = E[(I - eta H_xi) M (I - eta H_xi)] (acting on vec M).

    Minibatches xi of ``batch_size`` B drawn uniformly without replacement from the n samples,
    H_xi = (1 / B) sum_{i in xi} H_i; the expectation is exact (module docstring), built in
    O(n d^4) with no enumeration of minibatches. Limited to d <= `MAX_EXACT_DIM`.

    Parameters
    ----------
    hessians : array_like, shape (n, d, d)
        The per-sample Hessians (symmetric) at the minimum (`per_sample_hessians`).
    lr : float
        The learning rate eta > 0.
    batch_size : int
        B, 1 <= B <= n; B = n is gradient descent, T = (I - eta H) (x) (I - eta H).

    Returns
    -------
    numpy.ndarray, shape (d^2, d^2)
        Symmetric.
    """
    H = _check_hessians(hessians)
    lr = as_positive_float(lr, name="lr")
    B = _batch(batch_size, H.shape[0])
    return _second_moment(H, lr, B)


def _radius(H: np.ndarray, lr: float, B: int) -> float:
    if H.shape[1] == 0:
        return 1.0
    return float(np.abs(np.linalg.eigvalsh(_second_moment(H, lr, B))).max())


@float64
def sgd_spectral_radius(hessians: Any, lr: float, batch_size: int) -> float:
    """Spectral radius of `sgd_second_moment_operator` on the range of H (<= 1: mean-square stable).

    Parameters
    ----------
    hessians : array_like, shape (n, d, d)
        The per-sample Hessians at the minimum.
    lr : float
        The learning rate eta > 0.
    batch_size : int
        The minibatch size B (without replacement), 1 <= B <= n.

    Returns
    -------
    float
        rho(T); 1 exactly if H = 0 (every direction neutral).
    """
    H = _check_hessians(hessians)
    lr = as_positive_float(lr, name="lr")
    B = _batch(batch_size, H.shape[0])
    return _radius(_range_projection(H), lr, B)


@float64
def critical_learning_rate(hessians: Any, batch_size: int, *, rtol: float = 1e-12) -> float:
    """The largest learning rate eta* at which linearized SGD with batch size B is mean-square stable.

    rho(T(eta)) is the largest eigenvalue of T(eta), a maximum of quadratics in eta, hence convex,
    with rho(T(0)) = 1 and rho < 1 for small eta on the range of H: the stable set is (0, eta*], found
    by bisection to relative tolerance ``rtol`` in [0, 2 / lambda_max] (SGD is never more stable than
    GD: E[A (x) A] >= E[A] (x) E[A]).

    Parameters
    ----------
    hessians : array_like, shape (n, d, d)
        The per-sample Hessians at the minimum.
    batch_size : int
        B, 1 <= B <= n; B = n gives 2 / lambda_max.
    rtol : float, default 1e-12
        Relative tolerance of the bisection.

    Returns
    -------
    float
        eta*; infinity if H = 0.
    """
    H = _check_hessians(hessians)
    B = _batch(batch_size, H.shape[0])
    rtol = as_positive_float(rtol, name="rtol")
    Hr = _range_projection(H)
    if Hr.shape[1] == 0:
        return math.inf
    lam = float(np.linalg.eigvalsh(Hr.mean(axis=0)).max())
    lo, hi = 0.0, 2.0 / lam
    if _radius(Hr, hi, B) <= 1.0 + 1e-13:
        return hi
    while hi - lo > rtol * hi:
        mid = 0.5 * (lo + hi)
        if _radius(Hr, mid, B) <= 1.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@float64
def minimum_stability(hessians: Any, lr: float, batch_size: int) -> MinimumStability:
    """Stability verdicts of a minimum under GD and SGD at learning rate ``lr`` from its per-sample Hessians.

    GD: stable iff lambda_max(H) <= 2 / eta. SGD with batch size B (without replacement): stable iff
    the spectral radius of the second-moment operator is <= 1 (`sgd_spectral_radius`).

    Parameters
    ----------
    hessians : array_like, shape (n, d, d)
        The per-sample Hessians at the minimum (`per_sample_hessians`), d <= `MAX_EXACT_DIM`.
    lr : float
        The learning rate eta.
    batch_size : int
        The minibatch size B.

    Returns
    -------
    MinimumStability
        lambda_max, Tr H, ||H||_F, both spectral radii, both critical learning rates and the verdicts.
    """
    H = _check_hessians(hessians)
    lr = as_positive_float(lr, name="lr")
    n = H.shape[0]
    B = _batch(batch_size, n)
    Hm = H.mean(axis=0)
    lam = np.linalg.eigvalsh(Hm)
    Hr = _range_projection(H)
    return MinimumStability(
        lr=lr,
        batch_size=B,
        n_samples=n,
        sharpness=float(lam.max()),
        trace=float(lam.sum()),
        frobenius=float(np.linalg.norm(Hm)),
        rho_gd=_radius(Hr, lr, n),
        rho_sgd=_radius(Hr, lr, B),
        critical_lr_gd=critical_learning_rate(H, n),
        critical_lr_sgd=critical_learning_rate(H, B),
    )


# --------------------------------------------------------------------------------------------------
# training (for the experiments)
# --------------------------------------------------------------------------------------------------
@float64
def train(
    loss: Callable,
    params: Any,
    data: Any,
    *,
    lr: float,
    steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    chunk: int = 1000,
    progress: Progress | None = None,
) -> tuple[Any, np.ndarray]:
    """Plain gradient descent (``batch_size=None``) or SGD on ``mean_i loss(params, sample_i)``.

    theta_{t+1} = theta_t - eta grad L_xi(theta_t), with xi the full data (GD) or a minibatch of
    ``batch_size`` samples drawn uniformly without replacement at every step (fresh and independent
    each step, the sampling of Wu & Su's linearized SGD). Runs as compiled chunks of ``chunk``
    steps (``lax.scan``), so Ctrl-C stops it within a chunk and ``progress(done, steps)`` is called
    between chunks.

    Parameters
    ----------
    loss : callable
        ``loss(params, sample) -> scalar`` for one sample.
    params : pytree of arrays
        Start.
    data : pytree of arrays
        Samples stacked along the leading axis.
    lr : float
        Learning rate eta.
    steps : int
        Number of steps.
    batch_size : int, optional
        Minibatch size (None: gradient descent on all samples).
    seed : int, default 0
        Seed of the minibatches.
    chunk : int, default 1000
        Steps per compiled call.
    progress : callable, optional
        ``progress(done, total)``.

    Returns
    -------
    params : pytree of arrays
        The parameters after ``steps`` steps.
    losses : numpy.ndarray, shape (steps,)
        The full-data loss before every step.
    """
    lr = as_positive_float(lr, name="lr")
    steps = as_int(steps, name="steps", minimum=1)
    chunk = as_int(chunk, name="chunk", minimum=1)
    n = int(jax.tree_util.tree_leaves(data)[0].shape[0])
    B = n if batch_size is None else _batch(batch_size, n)
    seed = as_int(seed, name="seed", minimum=0)
    theta, unravel = ravel_pytree(_as_float64(params))
    data = _as_float64(data)

    def batch_loss(x, idx):
        sub = jax.tree_util.tree_map(lambda a: a[idx], data)
        return jnp.mean(jax.vmap(lambda s: loss(unravel(x), s))(sub))

    everything = jnp.arange(n)

    @functools.partial(jax.jit, static_argnums=2)
    def run(theta, key, length):
        def body(carry, _):
            x, key = carry
            key, sub = jax.random.split(key)
            idx = everything if B == n else jax.random.permutation(sub, n)[:B]
            full = batch_loss(x, everything)
            g = jax.grad(batch_loss)(x, idx)
            return (x - lr * g, key), full

        return jax.lax.scan(body, (theta, key), None, length=length)

    key = jax.random.PRNGKey(seed)
    losses = []
    done = 0
    if progress is not None:
        progress(0, steps)
    while done < steps:
        count = min(chunk, steps - done)  # a shorter last chunk compiles once more
        (theta, key), ls = run(theta, key, count)
        losses.append(np.asarray(ls))
        done += count
        if progress is not None:
            progress(done, steps)
    return unravel(theta), np.concatenate(losses)


# --------------------------------------------------------------------------------------------------
# the experiments of Wu & Su: two-layer ReLU networks and diagonal linear networks
# --------------------------------------------------------------------------------------------------
def relu_net_loss(params: Any, sample: Any) -> jax.Array:
    """Square loss (1/2)(f(x) - y)^2 of a two-layer ReLU network f(x) = a . relu(W x) for one sample (x, y).

    Parameters
    ----------
    params : dict
        ``{"W": (m, d), "a": (m,)}``.
    sample : tuple
        ``(x, y)``, x of shape (d,), y a scalar.
    """
    x, y = sample
    return 0.5 * (jnp.dot(params["a"], jax.nn.relu(params["W"] @ x)) - y) ** 2


def relu_net_path_norm(params: Any) -> float:
    """The path norm sum_k |a_k| |w_k| of a two-layer ReLU network (the norm its flat minima bound).

    Parameters
    ----------
    params : dict
        ``{"W": (m, d), "a": (m,)}``.
    """
    return float(jnp.sum(jnp.abs(params["a"]) * jnp.linalg.norm(params["W"], axis=1)))


def diagonal_net_loss(params: Any, sample: Any) -> jax.Array:
    """Square loss (1/2)(f(x) - y)^2 of a diagonal linear network f(x) = (u * v) . x for one sample (x, y).

    Parameters
    ----------
    params : dict
        ``{"u": (d,), "v": (d,)}``.
    sample : tuple
        ``(x, y)``.
    """
    x, y = sample
    return 0.5 * (jnp.dot(params["u"] * params["v"], x) - y) ** 2


def diagonal_net_l1_norm(params: Any) -> float:
    """||u * v||_1, the l1 norm of the linear predictor of a diagonal linear network (the norm its
    SGD-stable minima bound; Wu & Su 2023, Sec. 5).

    Parameters
    ----------
    params : dict
        ``{"u": (d,), "v": (d,)}``.
    """
    return float(jnp.sum(jnp.abs(params["u"] * params["v"])))


@dataclass(frozen=True)
class SweepResult:
    """The result of `learning_rate_sweep`: one entry per learning rate."""

    lr: np.ndarray
    final_loss: np.ndarray
    sharpness: np.ndarray
    trace: np.ndarray
    norm: np.ndarray
    batch_size: int | None
    tol: float = 1e-6

    @property
    def converged(self) -> np.ndarray:
        """Runs that reached a loss below ``tol`` (near a minimum, where the linear analysis applies)."""
        return np.isfinite(self.final_loss) & (self.final_loss < self.tol)


@float64
def learning_rate_sweep(
    loss: Callable,
    params: Any,
    data: Any,
    lrs: Any,
    *,
    steps: int,
    batch_size: int | None = None,
    norm: Callable[[Any], float] | None = None,
    tol: float = 1e-6,
    seed: int = 0,
    progress: Progress | None = None,
) -> SweepResult:
    """Train from the same start at every learning rate (`train`) and measure the minimum reached.

    At the end of each run: the full-data loss, lambda_max (`sharpness`, Lanczos) and Tr H of the
    mean loss (exact, from the per-sample Hessians when P <= `MAX_EXACT_DIM`, otherwise Hutchinson
    with 100 probes) and ``norm(params)``. Linear stability predicts lambda_max <= 2 / eta for every
    run that converged (GD) and, for SGD, Tr H of order 2 B / eta.

    Parameters
    ----------
    loss : callable
        Per-sample loss ``loss(params, sample)``.
    params : pytree of arrays
        The common start.
    data : pytree of arrays
        Samples stacked along the leading axis.
    lrs : array_like
        Learning rates.
    steps : int
        Steps per run.
    batch_size : int, optional
        Minibatch size (None: gradient descent).
    norm : callable, optional
        ``norm(params) -> float`` (default the Euclidean norm of all parameters).
    tol : float, default 1e-6
        A run has converged (`SweepResult.converged`) if its final loss is below ``tol``.
    seed : int, default 0
        Seed of the minibatches (and of the Lanczos start vectors).
    progress : callable, optional
        ``progress(done, total)`` in runs.

    Returns
    -------
    SweepResult
    """
    lrs = np.atleast_1d(np.asarray(lrs, dtype=np.float64))
    if lrs.ndim != 1 or lrs.size == 0 or not np.all(np.isfinite(lrs) & (lrs > 0)):
        raise ValueError("lrs must be a non-empty 1-D array of positive learning rates")
    tol = as_positive_float(tol, name="tol")
    steps = as_int(steps, name="steps", minimum=1)

    def mean_loss(p, d):
        return jnp.mean(jax.vmap(lambda s: loss(p, s))(d))

    def l2(p):
        return float(jnp.linalg.norm(ravel_pytree(p)[0]))

    norm_fn = l2 if norm is None else norm
    P = int(ravel_pytree(params)[0].size)
    rows = []
    for i, lr in enumerate(lrs):
        p, losses = train(loss, params, data, lr=float(lr), steps=steps, batch_size=batch_size, seed=seed)
        final = float(mean_loss(_as_float64(p), data))
        if not math.isfinite(final):
            rows.append((math.inf, math.nan, math.nan, math.nan))
        else:
            lam = sharpness(mean_loss, p, data, seed=seed)
            if P <= MAX_EXACT_DIM:
                tr = float(np.trace(per_sample_hessians(loss, p, data).mean(axis=0)))
            else:
                tr = hessian_trace(mean_loss, p, data, seed=seed).value
            rows.append((final, lam, tr, norm_fn(p)))
        if progress is not None:
            progress(i + 1, lrs.size)
    a = np.array(rows, dtype=np.float64)
    return SweepResult(lrs, a[:, 0], a[:, 1], a[:, 2], a[:, 3], batch_size, tol)
