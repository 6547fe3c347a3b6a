"""Accelerated-gradient methods as dynamical systems: heavy-ball and Nesterov flows and maps.

First-order optimizers are dynamical systems on the parameter space, and their speed is a
stability question: the iterate converges at the rate of the spectral radius of the method's
iteration matrix at the minimizer (discrete methods) or the decay of the damped oscillator
(their ODE limits). This module writes them against dynstab's system protocol:

Flows (state ``z = (x, v)``, ``v = x'``, dimension 2n):

* `heavy_ball_flow`: x'' + a x' + grad f(x) = 0 (Polyak 1964's ODE), autonomous;
* `nesterov_flow`: x'' + (3/t) x' + grad f(x) = 0 (Su, Boyd & Candes 2016, the limit of Nesterov's
  method with momentum (k - 1)/(k + 2) and step s as t = k sqrt(s)); flag ``"forced"`` (t enters the
  law), started at ``t0 > 0`` (the damping is singular at t = 0);
* `nesterov_strongly_convex_flow`: x'' + 2 sqrt(mu) x' + grad f(x) = 0 (Su et al. Sec. 4.2 / Wilson,
  Recht & Jordan 2021), the heavy-ball ODE with the critical damping of the softest direction.

Maps (state ``(x_k, x_(k-1))`` for the two-step methods, dimension 2n):

* `gradient_descent`: x_(k+1) = x_k - eta grad f(x_k);
* `heavy_ball`: x_(k+1) = x_k - eta grad f(x_k) + beta (x_k - x_(k-1)) (Polyak 1964);
* `nesterov`: y_k = x_k + beta_k (x_k - x_(k-1)), x_(k+1) = y_k - eta grad f(y_k) (Nesterov 1983), with a
  constant beta (strongly convex case) or Su, Boyd & Candes's schedule beta_k = (k - 1)/(k + 2), i.e.
  j/(j + 3) with j = k - 1 (flag ``"forced"``).

Objectives: `quadratic` (f = 1/2 x^T A x, A given or diagonal from eigenvalues mu..L) and
`rosenbrock`; any `Objective` (a JAX-traceable f(x, p) with its parameters) is accepted.

Linear stability on a quadratic. Each eigenvalue lambda of A gives a decoupled block of the
iteration matrix; its characteristic polynomial is

* GD: z = 1 - eta lambda;
* heavy ball: z^2 - (1 + beta - eta lambda) z + beta = 0;
* Nesterov: z^2 - (1 - eta lambda)(1 + beta) z + beta (1 - eta lambda) = 0,

and `spectral_radius` returns max |z| over the eigenvalues in closed form (checked in the tests
against the eigenvalues of the Map's Jacobian at the minimizer). By the Jury (Schur-Cohn) criterion
for z^2 + a1 z + a0, |a0| < 1 and |a1| < 1 + a0, `stable` gives the exact regions: GD iff
0 < eta lambda < 2 for all lambda (eta < 2 / L); heavy ball iff -1 < beta < 1 and
0 < eta lambda < 2 (1 + beta). `optimal_parameters` and `convergence_rates` give the classical
tunings and rates: GD eta = 2 / (L + mu), rate (kappa - 1)/(kappa + 1); heavy ball
eta = 4 / (sqrt L + sqrt mu)^2, beta = ((sqrt kappa - 1)/(sqrt kappa + 1))^2, rate
(sqrt kappa - 1)/(sqrt kappa + 1) (all roots on the circle |z| = sqrt beta); Nesterov eta = 1 / L,
beta = (sqrt kappa - 1)/(sqrt kappa + 1), spectral radius 1 - 1/sqrt(kappa) (a double root at lambda = mu).

References
----------
B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", USSR Comput.
Math. Math. Phys. 4(5), 1 (1964), doi:10.1016/0041-5553(64)90137-5.
Y. Nesterov, "A method for solving the convex programming problem with convergence rate O(1/k^2)",
Dokl. Akad. Nauk SSSR 269, 543 (1983).
W. Su, S. Boyd, E. J. Candes, "A differential equation for modeling Nesterov's accelerated gradient
method: theory and insights", JMLR 17(153), 1 (2016), arXiv:1503.01243.
L. Lessard, B. Recht, A. Packard, "Analysis and design of optimization algorithms via integral
quadratic constraints", SIAM J. Optim. 26, 57 (2016) (the iteration matrices and rates above).
H. H. Rosenbrock, "An automatic method for finding the greatest or least value of a function",
Comput. J. 3, 175 (1960), doi:10.1093/comjnl/3.3.175.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..systems.base import Flow, Map, as_params
from ..validation import as_finite_array, as_float, as_positive_float

_SU_BOYD_CANDES = (
    "W. Su, S. Boyd, E. J. Candes, A differential equation for modeling Nesterov's accelerated gradient "
    "method: theory and insights, JMLR 17(153), 1 (2016), arXiv:1503.01243"
)
_POLYAK = (
    "B. T. Polyak, Some methods of speeding up the convergence of iteration methods, USSR Comput. Math. "
    "Math. Phys. 4(5), 1 (1964), doi:10.1016/0041-5553(64)90137-5"
)
_NESTEROV = (
    "Y. Nesterov, A method for solving the convex programming problem with convergence rate O(1/k^2), "
    "Dokl. Akad. Nauk SSSR 269, 543 (1983)"
)


@dataclass(frozen=True)
class Objective:
    """A differentiable objective f(x, p) with its parameters, minimizer and curvature bounds.

    Attributes
    ----------
    name : str
        Short name used in system names (``"quadratic"``, ``"rosenbrock"``).
    value : callable
        ``value(x, p) -> scalar``, JAX-traceable.
    params : dict of str to jax.Array
        Its parameters (merged into the system's parameters, so ``with_params`` changes them).
    dim : int
        Dimension n of x.
    x_star : numpy.ndarray
        The minimizer.
    f_star : float
        The minimum value.
    mu, L : float
        Smallest and largest eigenvalue of the Hessian at the minimizer (strong convexity and
        smoothness constants for a quadratic).
    """

    name: str
    value: Callable[[Any, Any], Any]
    params: dict[str, Any]
    dim: int
    x_star: np.ndarray
    f_star: float
    mu: float
    L: float
    extra: dict[str, Any] = field(default_factory=dict)

    def grad(self, x: Any, p: Mapping[str, Any]) -> Any:
        """Gradient of f at x (reverse-mode autodiff of `value`)."""
        return jax.grad(self.value)(x, p)

    @float64
    def f(self, x: Any) -> float:
        """f(x) with the objective's own parameters (x of shape (n,) or (B, n)); returns floats."""
        x = jnp.asarray(x, dtype=jnp.float64)
        p = as_params(self.params)
        if x.ndim == 1:
            return float(self.value(x, p))
        return np.asarray(jax.vmap(lambda y: self.value(y, p))(x))  # type: ignore[return-value]


def _quad_value(x, p):
    return 0.5 * x @ (p["A"] @ x)


@float64
def quadratic(
    A: Any = None, *, eigenvalues: Any = None, mu: float | None = None, L: float | None = None, n: int = 2
) -> Objective:
    """The quadratic f(x) = 1/2 x^T A x (minimizer 0, f* = 0).

    Give exactly one of: ``A`` (symmetric positive semi-definite), ``eigenvalues`` (A diagonal), or
    ``mu`` and ``L`` (n eigenvalues spaced evenly from mu to L).

    Parameters
    ----------
    A : array_like, shape (n, n), optional
        The symmetric matrix.
    eigenvalues : array_like, shape (n,), optional
        The eigenvalues of a diagonal A (all >= 0).
    mu, L : float, optional
        Smallest and largest eigenvalue, 0 <= mu <= L, L > 0.
    n : int, default 2
        Dimension when built from ``mu`` and ``L``.

    Returns
    -------
    Objective
    """
    given = sum(v is not None for v in (A, eigenvalues)) + (mu is not None or L is not None)
    if given != 1:
        raise ValueError("quadratic needs exactly one of A, eigenvalues, or (mu, L)")
    if A is not None:
        mat = as_finite_array(A, name="A", ndim=2)
        if mat.shape[0] != mat.shape[1] or not np.allclose(mat, mat.T, rtol=1e-12, atol=1e-14):
            raise ValueError(f"A must be a symmetric square matrix, got shape {mat.shape}")
        lam = np.linalg.eigvalsh(mat)
    else:
        if eigenvalues is None:
            if mu is None or L is None:
                raise ValueError("quadratic(mu=..., L=...) needs both mu and L")
            lo = as_float(mu, name="mu", minimum=0.0)
            hi = as_positive_float(L, name="L")
            if lo > hi:
                raise ValueError(f"mu must be <= L, got mu={lo} and L={hi}")
            if int(n) < 1:
                raise ValueError(f"n must be >= 1, got {n}")
            eigenvalues = np.linspace(lo, hi, int(n)) if int(n) > 1 else np.array([hi])
        lam = np.sort(as_finite_array(eigenvalues, name="eigenvalues", ndim=1))
        mat = np.diag(as_finite_array(eigenvalues, name="eigenvalues", ndim=1))
    if lam[0] < -1e-12 * max(1.0, abs(lam[-1])):
        raise ValueError(f"A must be positive semi-definite (convex f); its smallest eigenvalue is {lam[0]:.3g}")
    if lam[-1] <= 0:
        raise ValueError("A must have a positive eigenvalue (L > 0)")
    d = mat.shape[0]
    return Objective(
        "quadratic", _quad_value, {"A": mat}, d, np.zeros(d), 0.0, float(max(lam[0], 0.0)), float(lam[-1]),
        {"eigenvalues": lam},
    )  # fmt: skip


def _rosen_value(x, p):
    return jnp.sum((p["a"] - x[:-1]) ** 2 + p["b"] * (x[1:] - x[:-1] ** 2) ** 2)


@float64
def rosenbrock(a: float = 1.0, b: float = 100.0, n: int = 2) -> Objective:
    """Rosenbrock's function f(x) = sum_i (a - x_i)^2 + b (x_(i+1) - x_i^2)^2 (Rosenbrock 1960).

    For n = 2 the minimizer is (a, a^2) with f* = 0; for n > 2 and a = 1 it is (1, ..., 1). mu and L are
    the extreme eigenvalues of the Hessian there (n = 2: the Hessian is [[2 + 8 b a^2, -4 b a], [-4 b a, 2 b]]).

    Parameters
    ----------
    a, b : float, default 1, 100
        The classical constants (b > 0).
    n : int, default 2
        Dimension (n > 2 needs a = 1).

    Returns
    -------
    Objective
    """
    a = as_float(a, name="a")
    b = as_positive_float(b, name="b")
    n = int(n)
    if n < 2:
        raise ValueError(f"rosenbrock needs n >= 2, got {n}")
    if n > 2 and a != 1.0:
        raise ValueError("rosenbrock with n > 2 has the known minimizer (1, ..., 1) only for a = 1")
    x_star = np.array([a, a * a]) if n == 2 else np.ones(n)
    p = as_params({"a": a, "b": b})
    hess = np.asarray(jax.hessian(_rosen_value)(jnp.asarray(x_star), p))
    lam = np.linalg.eigvalsh(hess)
    return Objective("rosenbrock", _rosen_value, {"a": a, "b": b}, n, x_star, 0.0, float(lam[0]), float(lam[-1]))


# --- systems ------------------------------------------------------------------------------------


def _check_objective(objective: Any) -> Objective:
    if not isinstance(objective, Objective):
        raise TypeError(
            f"objective must be a dynstab.models.acceleration.Objective (quadratic(...), rosenbrock(...)), "
            f"got {type(objective).__name__}"
        )
    return objective


def _x0(objective: Objective, x0: Any) -> np.ndarray:
    if x0 is None:
        return objective.x_star + 1.0
    return as_finite_array(x0, name="x0", shape=(objective.dim,))


def _names(n: int, second: str) -> tuple[str, ...]:
    return tuple(f"x{i + 1}" for i in range(n)) + tuple(f"{second}{i + 1}" for i in range(n))


@float64
def heavy_ball_flow(objective: Objective, damping: float, *, x0: Any = None, v0: Any = None) -> Flow:
    """The heavy-ball ODE x'' + a x' + grad f(x) = 0 as a `Flow` on z = (x, v).

    Parameters
    ----------
    objective : Objective
        f (`quadratic`, `rosenbrock`, ...).
    damping : float
        a >= 0. On a quadratic, eigen-direction lambda decays as exp(Re(r) t) with
        r = (-a +- sqrt(a^2 - 4 lambda)) / 2; a = 2 sqrt(mu) is critical damping of the softest
        direction and gives the rate sqrt(mu) (`nesterov_strongly_convex_flow`).
    x0, v0 : array_like, shape (n,), optional
        Initial position (default x* + 1) and velocity (default 0).

    Returns
    -------
    Flow
        Parameters: the objective's and ``damping``. Its fixed point (x*, 0) has Jacobian
        [[0, I], [-H, -a I]].
    """
    obj = _check_objective(objective)
    a = as_float(damping, name="damping", minimum=0.0)
    n = obj.dim
    v = np.zeros(n) if v0 is None else as_finite_array(v0, name="v0", shape=(n,))

    def law(z, p, t):
        x, vel = z[:n], z[n:]
        return jnp.concatenate([vel, -p["damping"] * vel - obj.grad(x, p)])

    return cast(
        Flow,
        Flow.from_law(
            law,
            params={**obj.params, "damping": a},
            x0=np.concatenate([_x0(obj, x0), v]),
            names=_names(n, "v"),
            name=f"heavy_ball_flow_{obj.name}",
            reference=_POLYAK,
            dt=0.01,
            description="Heavy-ball ODE x'' + a x' + grad f(x) = 0",
        ),
    )


@float64
def nesterov_strongly_convex_flow(objective: Objective, mu: float | None = None, *, x0: Any = None) -> Flow:
    """x'' + 2 sqrt(mu) x' + grad f(x) = 0: the ODE of Nesterov's method for mu-strongly convex f.

    The heavy-ball ODE with damping 2 sqrt(mu) (Su, Boyd & Candes 2016, Sec. 4.2; Wilson, Recht & Jordan
    2021); on a quadratic every direction decays at least as exp(-sqrt(mu) t) (times t for the
    critically damped softest one).

    Parameters
    ----------
    objective : Objective
    mu : float, optional
        Strong-convexity constant (default ``objective.mu``, which must be > 0).
    x0 : array_like, shape (n,), optional
        Initial position (default x* + 1); the velocity starts at 0.

    Returns
    -------
    Flow
    """
    obj = _check_objective(objective)
    m = obj.mu if mu is None else mu
    m = as_positive_float(m, name="mu")
    return heavy_ball_flow(obj, 2.0 * math.sqrt(m), x0=x0)


@float64
def nesterov_flow(objective: Objective, *, x0: Any = None, t0: float = 1e-3) -> Flow:
    """Nesterov's ODE x'' + (3/t) x' + grad f(x) = 0 (Su, Boyd & Candes 2016, eq. 3) as a `Flow`.

    Started at rest at x0 at time ``t0 > 0`` (pass ``t0`` to `dynstab.simulate.trajectory`): the
    damping is singular at t = 0. Their Theorem 3: for convex f with L-Lipschitz gradient,
    f(x(t)) - f* <= 2 ||x0 - x*||^2 / t^2. On a quadratic, direction lambda from rest at t = 0 is exactly
    x0 * 2 J1(sqrt(lambda) t) / (sqrt(lambda) t), so f - f* = 2 x0^2 J1(sqrt(lambda) t)^2 / t^2: an
    oscillation with a t^(-3) envelope once sqrt(lambda) t >> 1 (the bound is not attained by one
    strongly convex direction). See `loguniform_quadratic` for the setting where it is.

    Parameters
    ----------
    objective : Objective
    x0 : array_like, shape (n,), optional
        Initial position (default x* + 1); the velocity starts at 0.
    t0 : float, default 1e-3
        The start time the system is meant for (recorded in the description; trajectories must pass
        ``t0=`` themselves).

    Returns
    -------
    Flow
        Flag ``"forced"`` (t enters the law).
    """
    obj = _check_objective(objective)
    t0 = as_positive_float(t0, name="t0")
    n = obj.dim

    def law(z, p, t):
        x, vel = z[:n], z[n:]
        return jnp.concatenate([vel, -(3.0 / t) * vel - obj.grad(x, p)])

    return cast(
        Flow,
        Flow.from_law(
            law,
            params=obj.params,
            x0=np.concatenate([_x0(obj, x0), np.zeros(n)]),
            names=_names(n, "v"),
            name=f"nesterov_flow_{obj.name}",
            reference=_SU_BOYD_CANDES,
            dt=0.01,
            description=f"Nesterov ODE x'' + (3/t) x' + grad f(x) = 0, start at t0 = {t0:g}",
            flags=("forced",),
        ),
    )


@float64
def gradient_descent(objective: Objective, eta: float, *, x0: Any = None) -> Map:
    """Gradient descent x_(k+1) = x_k - eta grad f(x_k) as a `Map`.

    Parameters
    ----------
    objective : Objective
    eta : float
        Step size > 0. On a quadratic the map is linear with multipliers 1 - eta lambda: stable iff
        eta < 2 / L.
    x0 : array_like, shape (n,), optional
        Initial point (default x* + 1).

    Returns
    -------
    Map
    """
    obj = _check_objective(objective)
    eta = as_positive_float(eta, name="eta")

    def law(x, p, k):
        return x - p["eta"] * obj.grad(x, p)

    return cast(
        Map,
        Map.from_law(
            law,
            params={**obj.params, "eta": eta},
            x0=_x0(obj, x0),
            names=tuple(f"x{i + 1}" for i in range(obj.dim)),
            name=f"gradient_descent_{obj.name}",
            reference="A. Cauchy, Methode generale pour la resolution des systemes d'equations simultanees, "
            "C. R. Acad. Sci. Paris 25, 536 (1847)",
            description="Gradient descent x' = x - eta grad f(x)",
        ),
    )


@float64
def heavy_ball(objective: Objective, eta: float, beta: float, *, x0: Any = None) -> Map:
    """Polyak's heavy ball x_(k+1) = x_k - eta grad f(x_k) + beta (x_k - x_(k-1)) as a `Map` on (x_k, x_(k-1)).

    Parameters
    ----------
    objective : Objective
    eta : float
        Step size > 0.
    beta : float
        Momentum (stable on a quadratic iff -1 < beta < 1 and eta lambda < 2 (1 + beta) for all lambda).
    x0 : array_like, shape (n,), optional
        Initial point (default x* + 1); x_(-1) = x0.

    Returns
    -------
    Map
    """
    obj = _check_objective(objective)
    eta = as_positive_float(eta, name="eta")
    beta = as_float(beta, name="beta")
    n = obj.dim

    def law(z, p, k):
        x, prev = z[:n], z[n:]
        return jnp.concatenate([x - p["eta"] * obj.grad(x, p) + p["beta"] * (x - prev), x])

    start = _x0(obj, x0)
    return cast(
        Map,
        Map.from_law(
            law,
            params={**obj.params, "eta": eta, "beta": beta},
            x0=np.concatenate([start, start]),
            names=_names(n, "xprev"),
            name=f"heavy_ball_{obj.name}",
            reference=_POLYAK,
            description="Polyak heavy ball x' = x - eta grad f(x) + beta (x - x_prev)",
        ),
    )


@float64
def nesterov(objective: Objective, eta: float, beta: float | None = None, *, x0: Any = None) -> Map:
    """Nesterov's accelerated gradient as a `Map` on (x_k, x_(k-1)).

    y_k = x_k + beta_k (x_k - x_(k-1)), x_(k+1) = y_k - eta grad f(y_k), with a constant ``beta`` (strongly
    convex case; optimal (sqrt kappa - 1)/(sqrt kappa + 1) with eta = 1/L), or, for ``beta=None``, Su, Boyd &
    Candes's schedule beta_k = (k - 1)/(k + 2) at iteration index k = 0, 1, ... (= j/(j + 3) with j = k - 1;
    beta_0 multiplies x_0 - x_(-1) = 0). The map then carries the flag ``"forced"``, and on convex f with
    eta <= 1/L, f(x_k) - f* <= 2 ||x0 - x*||^2 / (eta (k + 1)^2) (their eq. 2 / Beck & Teboulle 2009).

    Parameters
    ----------
    objective : Objective
    eta : float
        Step size > 0.
    beta : float, optional
        Constant momentum; default the k/(k + 3) schedule.
    x0 : array_like, shape (n,), optional
        Initial point (default x* + 1); x_(-1) = x0.

    Returns
    -------
    Map
    """
    obj = _check_objective(objective)
    eta = as_positive_float(eta, name="eta")
    n = obj.dim
    params: dict[str, Any] = {**obj.params, "eta": eta}
    if beta is not None:
        params["beta"] = as_float(beta, name="beta")

    def law(z, p, k):
        x, prev = z[:n], z[n:]
        b = p["beta"] if beta is not None else (k - 1.0) / (k + 2.0)
        y = x + b * (x - prev)
        return jnp.concatenate([y - p["eta"] * obj.grad(y, p), x])

    start = _x0(obj, x0)
    return cast(
        Map,
        Map.from_law(
            law,
            params=params,
            x0=np.concatenate([start, start]),
            names=_names(n, "xprev"),
            name=f"nesterov_{obj.name}",
            reference=_NESTEROV,
            description="Nesterov accelerated gradient"
            + (" (constant momentum)" if beta is not None else " ((k-1)/(k+2))"),
            flags=() if beta is not None else ("forced",),
        ),
    )


# --- linear stability on a quadratic ------------------------------------------------------------

METHODS = ("gd", "heavy_ball", "nesterov")


def _method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return method


def _lambdas(eigenvalues: Any) -> np.ndarray:
    lam = np.atleast_1d(as_finite_array(eigenvalues, name="eigenvalues"))
    if lam.ndim != 1:
        raise ValueError(f"eigenvalues must be a scalar or a 1-D array, got shape {lam.shape}")
    return lam


def _quadratic_roots(a1: np.ndarray, a0: np.ndarray) -> np.ndarray:
    """Moduli of the roots of z^2 + a1 z + a0 (rows), largest first."""
    disc = a1 * a1 - 4.0 * a0
    # a discriminant at rounding level is a double root (heavy ball / Nesterov at their optimal tuning,
    # lambda = mu or L): its square root would add ~1e-8 of rounding noise to |z|
    disc = np.where(np.abs(disc) <= 64.0 * np.finfo(float).eps * (a1 * a1 + 4.0 * np.abs(a0)), 0.0, disc)
    s = np.sqrt(disc.astype(complex))
    r1, r2 = np.abs((-a1 + s) / 2.0), np.abs((-a1 - s) / 2.0)
    return np.maximum(r1, r2)


def spectral_radius(method: str, eigenvalues: Any, eta: float, beta: float = 0.0) -> float:
    """Closed-form spectral radius of a method's iteration matrix on f = 1/2 x^T A x.

    The largest |z| over the eigenvalues lambda of A of the roots of the per-eigenvalue polynomial
    (module docstring): GD |1 - eta lambda|; heavy ball z^2 - (1 + beta - eta lambda) z + beta;
    Nesterov z^2 - (1 - eta lambda)(1 + beta) z + beta (1 - eta lambda).

    Parameters
    ----------
    method : {"gd", "heavy_ball", "nesterov"}
    eigenvalues : array_like
        Eigenvalues of A.
    eta : float
        Step size.
    beta : float, default 0
        Momentum (ignored for GD).

    Returns
    -------
    float
        rho; the error after k steps shrinks like rho^k (times a polynomial in k at a double root).
    """
    method = _method(method)
    lam = _lambdas(eigenvalues)
    eta = as_float(eta, name="eta")
    beta = as_float(beta, name="beta")
    if method == "gd":
        return float(np.max(np.abs(1.0 - eta * lam)))
    if method == "heavy_ball":
        return float(np.max(_quadratic_roots(-(1.0 + beta - eta * lam), np.full_like(lam, beta))))
    q = 1.0 - eta * lam
    return float(np.max(_quadratic_roots(-q * (1.0 + beta), beta * q)))


def stable(method: str, eigenvalues: Any, eta: float, beta: float = 0.0) -> bool:
    """Exact linear stability on a quadratic by the Jury criterion (no root finding).

    GD: |1 - eta lambda| < 1 for all lambda (eta < 2 / L when eta > 0). Two-step methods with
    z^2 + a1 z + a0: |a0| < 1 and |a1| < 1 + a0 for all lambda (heavy ball: -1 < beta < 1 and
    0 < eta lambda < 2 (1 + beta)).

    Parameters
    ----------
    method : {"gd", "heavy_ball", "nesterov"}
    eigenvalues : array_like
    eta : float
    beta : float, default 0

    Returns
    -------
    bool
        True iff every root lies strictly inside the unit circle.
    """
    method = _method(method)
    lam = _lambdas(eigenvalues)
    eta = as_float(eta, name="eta")
    beta = as_float(beta, name="beta")
    if method == "gd":
        return bool(np.all(np.abs(1.0 - eta * lam) < 1.0))
    if method == "heavy_ball":
        a1, a0 = -(1.0 + beta - eta * lam), np.full_like(lam, beta)
    else:
        q = 1.0 - eta * lam
        a1, a0 = -q * (1.0 + beta), beta * q
    return bool(np.all((np.abs(a0) < 1.0) & (np.abs(a1) < 1.0 + a0)))


def optimal_parameters(method: str, mu: float, L: float) -> dict[str, float]:
    """The classical tuning for eigenvalues in [mu, L] (kappa = L / mu).

    GD: eta = 2 / (L + mu). Heavy ball (Polyak 1964): eta = 4 / (sqrt L + sqrt mu)^2,
    beta = ((sqrt kappa - 1)/(sqrt kappa + 1))^2. Nesterov: eta = 1 / L, beta = (sqrt kappa - 1)/(sqrt kappa + 1).

    Parameters
    ----------
    method : {"gd", "heavy_ball", "nesterov"}
    mu, L : float
        0 < mu <= L.

    Returns
    -------
    dict
        ``{"eta": ..., "beta": ...}`` (beta = 0 for GD).
    """
    method = _method(method)
    mu = as_positive_float(mu, name="mu")
    L = as_positive_float(L, name="L")
    if mu > L:
        raise ValueError(f"mu must be <= L, got mu={mu}, L={L}")
    sk = math.sqrt(L / mu)
    if method == "gd":
        return {"eta": 2.0 / (L + mu), "beta": 0.0}
    if method == "heavy_ball":
        return {"eta": 4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2, "beta": ((sk - 1.0) / (sk + 1.0)) ** 2}
    return {"eta": 1.0 / L, "beta": (sk - 1.0) / (sk + 1.0)}


def convergence_rates(mu: float, L: float) -> dict[str, float]:
    """Known linear rates at the optimal tunings (per iteration; per unit time for the flows).

    Parameters
    ----------
    mu, L : float
        0 < mu <= L.

    Returns
    -------
    dict
        ``gd`` (kappa - 1)/(kappa + 1); ``heavy_ball`` (sqrt kappa - 1)/(sqrt kappa + 1) (Polyak 1964);
        ``nesterov`` 1 - 1/sqrt kappa (the spectral radius; Nesterov's bound on f - f* is
        (1 - 1/sqrt kappa)^k); ``gd_eta_1_over_L`` 1 - 1/kappa; ``strongly_convex_flow`` sqrt(mu)
        (exponential rate of x for x'' + 2 sqrt(mu) x' + grad f = 0 on a quadratic).
    """
    mu = as_positive_float(mu, name="mu")
    L = as_positive_float(L, name="L")
    if mu > L:
        raise ValueError(f"mu must be <= L, got mu={mu}, L={L}")
    k = L / mu
    sk = math.sqrt(k)
    return {
        "gd": (k - 1.0) / (k + 1.0),
        "gd_eta_1_over_L": 1.0 - 1.0 / k,
        "heavy_ball": (sk - 1.0) / (sk + 1.0),
        "nesterov": 1.0 - 1.0 / sk,
        "strongly_convex_flow": math.sqrt(mu),
    }


@float64
def iteration_spectral_radius(system: Map, x: Any | None = None, k: int = 0) -> float:
    """Numerical spectral radius of a map's Jacobian at ``x`` (default its fixed point at the minimizer).

    Uses the system protocol (`dynstab.systems.System.jacobian`, autodiff of the law): on a quadratic
    the map is linear and this equals `spectral_radius` to rounding.

    Parameters
    ----------
    system : Map
        A map of this module (or any map).
    x : array_like, optional
        The state; default the origin of the state (the minimizer of a `quadratic`, repeated for the
        two-step methods).
    k : int, default 0
        Iteration index at which a time-dependent law is linearized.

    Returns
    -------
    float
    """
    if not isinstance(system, Map):
        raise TypeError(f"iteration_spectral_radius needs a dynstab Map, got {type(system).__name__}")
    z = np.zeros(system.dim) if x is None else as_finite_array(x, name="x", shape=(system.dim,))
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(_jacobian(system, z, k))))))


@eqx.filter_jit
def _jacobian(system: Map, z: Any, k: Any) -> Any:
    """The map's Jacobian, compiled once per law (``with_params`` copies reuse it)."""
    return system.jacobian(z, k)


@float64
def loguniform_quadratic(mu: float = 1e-8, L: float = 1.0, n: int = 80) -> tuple[Objective, np.ndarray]:
    """A quadratic on which Nesterov's ODE attains the O(1/t^2) rate: log-uniform spectrum, equal weights.

    Eigenvalues lambda_i geometric from mu to L and x0 = (1, ..., 1). From rest at t = 0 the exact
    solution gives f(x(t)) - f* = (2 / t^2) sum_i J1(sqrt(lambda_i) t)^2; with s_i = sqrt(lambda_i) t
    spaced evenly in log s (step h = ln(L/mu) / (2 (n - 1))) the sum is a Riemann sum of
    (1/h) int J1(s)^2 ds / s = 1 / (2 h) as long as the s_i cover the support of J1(s)^2 / s, i.e.
    for 1/sqrt(mu) >> t >> 1/sqrt(L). There f - f* = C / t^2 with C = 1 / h: the worst-case rate of
    Su et al.'s Theorem 3 is attained (a single direction decays as t^(-3); the 1/t^2 comes from the
    ever softer directions, the weakly convex limit).

    Parameters
    ----------
    mu, L : float
        Smallest and largest eigenvalue.
    n : int, default 80
        Dimension.

    Returns
    -------
    (Objective, numpy.ndarray)
        The quadratic and the initial point x0.
    """
    mu = as_positive_float(mu, name="mu")
    L = as_positive_float(L, name="L")
    lam = np.geomspace(mu, L, int(n))
    return quadratic(eigenvalues=lam), np.ones(int(n))


def fit_power_law(t: Any, y: Any) -> float:
    """Least-squares slope of log y against log t (the exponent p of y ~ t^p).

    Parameters
    ----------
    t, y : array_like
        Positive samples.

    Returns
    -------
    float
    """
    t = as_finite_array(t, name="t", ndim=1)
    y = as_finite_array(y, name="y", ndim=1)
    if t.shape != y.shape or np.any(t <= 0) or np.any(y <= 0):
        raise ValueError("fit_power_law needs positive t and y of the same length")
    return float(np.polyfit(np.log(t), np.log(y), 1)[0])
