r"""Reservoir computing: the echo state network and next-generation reservoir computing (NG-RC / NVAR).

Both are trained by one linear ridge regression in JAX (float64): milliseconds for NG-RC, about a second
on a 2-core CPU for a 1000-unit ESN (``benchmarks/bench_learn_reservoir.py``). Both are dynstab systems
through ``as_system()``.

Echo state network (ESN)
------------------------
H. Jaeger, *The "echo state" approach to analysing and training recurrent neural networks*, GMD Report
148 (2001); M. Lukoševičius, *A practical guide to applying echo state networks*, in Neural Networks:
Tricks of the Trade, LNCS 7700, 659-686 (2012). With inputs standardized to u (training mean and std),
the leaky-integrator reservoir of N units is

.. math::

    r_{t+1} = (1 - a)\, r_t + a \tanh\!\bigl(W r_t + W_{in} u_t + b\bigr), \qquad
    \hat u_{t+1} = W_{out}\, \phi(r_{t+1}),

with W a random sparse (``degree`` nonzeros per row) or dense matrix rescaled to spectral radius
``spectral_radius``, W_in ~ U(-s, s) (``input_scaling``), the input bias b ~ U(-``input_bias``,
``input_bias``), leak rate a. The readout features are (default ``readout="pathak"``) [1, r] with every
second unit squared, or :math:`\phi(r) = [1, r, r^2]` (``readout="r_r2"``: twice the features, about 2x the
training time, longer forecasts - 11.3 vs 9.7 Lyapunov times on Lorenz-63 with 1000 units); the squared
units break the tanh reservoir's odd symmetry: J. Pathak, B. Hunt, M. Girvan, Z. Lu and
E. Ott, *Model-free prediction of large spatiotemporally chaotic systems from data: a reservoir computing
approach*, Phys. Rev. Lett. 120, 024102 (2018), whose form the default is), or ``"linear"`` ([1, r]). Training drives the
reservoir with the data (teacher forcing), drops ``washout`` states and solves
:math:`W_{out} = Y^\top\Phi(\Phi^\top\Phi + \beta I)^{-1}` (Tikhonov, ``ridge`` = beta). Forecasting
drives the reservoir through the observed context (warm-up) and then closes the loop
(:math:`u_t \leftarrow \hat u_t`).

Next-generation reservoir computing (NG-RC, NVAR)
------------------------------------------------
D. J. Gauthier, E. Bollt, A. Griffith and W. A. S. Barbosa, *Next generation reservoir computing*, Nat.
Commun. 12, 5564 (2021). The feature vector at time t is built from k delay taps with skip s,

.. math::

    O_{lin,t} = (x_t, x_{t-s}, \dots, x_{t-(k-1)s}), \qquad
    O_t = [1, O_{lin,t}, \text{unique monomials of degree} \le p \text{ of } O_{lin,t}],

(p = 2: the 21 unique quadratic products for k = 2, d = 3; 28 features in all) and the model is
:math:`x_{t+1} = x_t + W_{out} O_t` with :math:`W_{out}` from ridge regression on the differences
:math:`x_{t+1} - x_t`.

NG-RC and the integrator that made the data (measured here, ``tests/learn/test_reservoir.py``): with the
paper's set-up (dt 0.025, 400 training points, k = 2, ridge 2.5e-6) NG-RC learns the one-step map of the
*data*, integrator error included. On data from ``scipy.integrate.solve_ivp(method="RK23")`` with default
tolerances, as the paper's code makes it, the median valid prediction time (threshold 0.4, 100 test
starts) is 4.96 Lyapunov times. On accurately integrated data (DOP853, rtol 1e-10) the same ridge gives a
median of 0.16: the delay features are nearly collinear on smooth data (x_{t-1} is almost a function of
x_t), the weakly regularized fit uses that freedom, and the fitted map has a spurious unstable delay mode
(spectral radius of its Jacobian at the C+- fixed points 4.8, against exp(0.094 dt) = 1.002 for the true
one-step map).
RK23's ~1e-3 errors act like observation noise that suppresses it (adding 1e-3 noise to accurate data
does the same); on accurate data ridge 1e-3 gives 4.6. Always say how the data were generated when
quoting NG-RC numbers (cf. arXiv:2201.05193 on NVAR learning the integration scheme).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from functools import partial
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from ..systems import Map
from .base import (
    LearnedModel,
    as_training_data,
    check_positive_ints,
    check_series,
    check_steps,
    forecast_last_window,
    mark_fitted,
    ridge_regression,
    standardization,
)

__all__ = ["EchoStateNetwork", "NGRC"]

_READOUTS = ("r_r2", "pathak", "linear")


def _check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    v = float(value)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} finite number, got {value!r}")
    return v


# --------------------------------------------------------------------------------------------------
# Echo state network
# --------------------------------------------------------------------------------------------------


def _check_determined(name: str, F, ridge: float) -> None:
    """Refuse a readout regression with fewer samples than features and too little regularization.

    With n < p rows the normal equations are singular but for ``ridge``; below ``1e-3`` x the mean
    diagonal of F^T F the weights are the minimum-norm interpolant of a handful of samples (issue 14:
    an NG-RC fitted on 3 samples with 28 features was accepted silently).
    """
    n, p = int(F.shape[0]), int(F.shape[1])
    if n >= p:
        return
    needed = 1e-3 * float(jnp.mean(jnp.sum(F * F, axis=0)))
    if not ridge >= needed:
        raise ValueError(
            f"{name}.fit: {n} training samples for {p} features: the ridge regression is underdetermined; "
            f"give at least {p} samples (longer or more series) or ridge >= {needed:.3g} (now {ridge:g})"
        )


def _reservoir_input(p: dict, idx, r):
    """W r: a gather over ``degree`` inputs per unit (sparse) or a dense product."""
    if idx is None:
        return p["W"] @ r
    return jnp.sum(p["W_values"] * r[idx], axis=1)


def _esn_update(p: dict, idx, r, u):
    """r' = (1 - a) r + a tanh(W r + W_in u + b)."""
    pre = _reservoir_input(p, idx, r) + p["W_in"] @ u + p["bias"]
    return (1.0 - p["leak"]) * r + p["leak"] * jnp.tanh(pre)


def _esn_features(readout: str, r):
    """phi(r): [1, r, r^2], Pathak's [1, r with every second unit squared] or [1, r] (last axis)."""
    one = jnp.ones(r.shape[:-1] + (1,), dtype=r.dtype)
    if readout == "r_r2":
        return jnp.concatenate([one, r, r * r], axis=-1)
    if readout == "pathak":
        even = (jnp.arange(r.shape[-1]) % 2) == 1
        return jnp.concatenate([one, jnp.where(even, r * r, r)], axis=-1)
    return jnp.concatenate([one, r], axis=-1)


@partial(jax.jit, static_argnames=("washout",))
def _esn_drive(p, idx, u, washout: int):
    """Teacher-forced states r_1..r_T for inputs u_0..u_{T-1} from r_0 = 0; returns states[washout:] and the last."""

    def body(r, ut):
        r = _esn_update(p, idx, r, ut)
        return r, r

    r_last, states = jax.lax.scan(body, jnp.zeros(p["bias"].shape, dtype=u.dtype), u)
    return states[washout:], r_last


def _gram(F, block: int = 256):
    """F^T F from its upper-triangular blocks only (it is symmetric; XLA's dot has no symmetric rank-k
    update): with n row blocks of F^T (contiguous slices) this is n(n+1)/2 of the n^2 block products.
    Measured on 2 CPU cores, T = 9500: 1.8 s instead of 2.2 s CPU for 2001 features, 0.54 s instead of
    0.95 s for 1001."""
    D = F.shape[1]
    n = max(1, min(8, D // block))
    if n == 1:
        return F.T @ F
    Ft = F.T
    edges = [round(i * D / n) for i in range(n + 1)]
    rows = [Ft[edges[i] : edges[i + 1]] for i in range(n)]
    prod = {(i, j): rows[i] @ rows[j].T for i in range(n) for j in range(i, n)}
    return jnp.block([[prod[(i, j)] if j >= i else prod[(j, i)].T for j in range(n)] for i in range(n)])


@partial(jax.jit, static_argnames=("readout",))
def _esn_readout_fit(states, targets, ridge, readout: str):
    """W_out = [(Phi^T Phi + ridge I)^{-1} Phi^T Y]^T: the Tikhonov normal equations of `ridge_regression`,
    with the blocked symmetric Gram product and cho_factor/cho_solve (measured 2.7x faster than
    ``jax.scipy.linalg.solve(assume_a="pos")`` for 2001 features)."""
    F = _esn_features(readout, states)
    G = _gram(F) + ridge * jnp.eye(F.shape[1], dtype=F.dtype)
    return jax.scipy.linalg.cho_solve(jax.scipy.linalg.cho_factor(G), F.T @ targets).T


@partial(jax.jit, static_argnames=("readout", "steps"))
def _esn_free_run(p, idx, r, readout: str, steps: int):
    """Closed loop from reservoir state r (which already saw the last observation): (steps, d) predictions."""

    def body(r, _):
        u = p["W_out"] @ _esn_features(readout, r)
        return _esn_update(p, idx, r, u), u

    _, us = jax.lax.scan(body, r, None, length=steps)
    return us


def _spectral_radius(W) -> float:
    """Largest |eigenvalue| of a (scipy sparse or dense) matrix, by ARPACK with a dense fallback."""
    import scipy.sparse.linalg as spla

    n = W.shape[0]
    try:  # a fixed start vector: ARPACK's default is random, which would make the rescaling irreproducible
        vals = spla.eigs(
            W, k=1, which="LM", return_eigenvectors=False, tol=1e-10, maxiter=20000, v0=np.full(n, 1.0 / math.sqrt(n))
        )
        return float(np.abs(vals[0]))
    except (spla.ArpackNoConvergence, ValueError, TypeError):
        dense = W.toarray() if hasattr(W, "toarray") else np.asarray(W)
        return float(np.max(np.abs(np.linalg.eigvals(dense))))


class EchoStateNetwork(LearnedModel):
    """Echo state network with a ridge readout (Jaeger 2001; Lukoševičius 2012; Pathak et al. 2018).

    Parameters
    ----------
    n_units : int
        reservoir size N.
    spectral_radius : float
        largest |eigenvalue| of the reservoir matrix W.
    input_scaling : float
        W_in entries ~ U(-input_scaling, input_scaling) (inputs are standardized).
    input_bias : float
        per-unit bias ~ U(-input_bias, input_bias); 0 for none.
    leak_rate : float
        a in (0, 1]; 1 is the non-leaky reservoir.
    degree : int, optional
        nonzeros per row of W (sparse reservoir, evaluated as a gather); ``None`` for dense.
    ridge : float
        Tikhonov parameter of the readout.
    readout : str
        ``"r_r2"`` (features [1, r, r^2]), ``"pathak"`` ([1, r] with every second unit squared) or
        ``"linear"`` ([1, r]).
    washout : int
        teacher-forced steps discarded at the start of every training series; ``forecast`` needs at
        least this many context samples (``context_length``) to synchronize the reservoir.
    standardize : bool
        z-score the data with the training mean and standard deviation (recommended).
    seed : int
        seed of the random reservoir, input weights and biases (``numpy.random.default_rng``).

    Attributes
    ----------
    W_out_
        Readout weights, shape (d, n_features).
    mean_
        Training mean of each variable (zeros without ``standardize``).
    scale_
        Training standard deviation of each variable (ones without ``standardize``).
    dim_
        Number of observed variables d of the training data.
    dt_
        Sampling step of the training data: the time one model step stands for.
    reservoir_state_
        The state after the last training sample.
    train_seconds_
        Wall time of ``fit``.
    """

    def __init__(
        self,
        n_units: int = 1000,
        *,
        spectral_radius: float = 0.9,
        input_scaling: float = 0.5,
        input_bias: float = 0.5,
        leak_rate: float = 1.0,
        degree: int | None = 3,
        ridge: float = 1e-8,
        readout: str = "pathak",
        washout: int = 500,
        standardize: bool = True,
        seed: int = 0,
    ):
        self.n_units = n_units
        self.spectral_radius = spectral_radius
        self.input_scaling = input_scaling
        self.input_bias = input_bias
        self.leak_rate = leak_rate
        self.degree = degree
        self.ridge = ridge
        self.readout = readout
        self.washout = washout
        self.standardize = standardize
        self.seed = seed

    # ---- hyperparameters and the random reservoir ------------------------------------------------
    def _validate(self) -> None:
        if int(self.n_units) != self.n_units or self.n_units < 2:
            raise ValueError(f"n_units must be an integer >= 2, got {self.n_units!r}")
        _check_positive("spectral_radius", self.spectral_radius, allow_zero=True)
        _check_positive("input_scaling", self.input_scaling)
        _check_positive("input_bias", self.input_bias, allow_zero=True)
        _check_positive("ridge", self.ridge, allow_zero=True)
        if not 0 < float(self.leak_rate) <= 1:
            raise ValueError(f"leak_rate must be in (0, 1], got {self.leak_rate!r}")
        if self.degree is not None and (int(self.degree) != self.degree or not 1 <= self.degree):
            raise ValueError(
                f"degree (nonzeros per reservoir row) must be a positive integer or None, got {self.degree!r}"
            )
        if self.readout not in _READOUTS:
            raise ValueError(f"readout must be one of {_READOUTS}, got {self.readout!r}")
        if int(self.washout) != self.washout or self.washout < 0:
            raise ValueError(f"washout must be an integer >= 0, got {self.washout!r}")

    @property
    def context_length(self) -> int:
        """Samples of context a forecast needs to synchronize the reservoir: ``washout`` (at least 1)."""
        return max(1, int(self.washout))

    def _build(self, d: int) -> tuple[dict, np.ndarray | None]:
        """The random reservoir (W, W_in, b) from ``seed``; W rescaled to the spectral radius."""
        import scipy.sparse as sp

        n = int(self.n_units)
        rng = np.random.default_rng(self.seed)
        k = n if self.degree is None else int(self.degree)  # nonzeros per row of W
        dense = k >= n
        if dense:
            W = rng.uniform(-1.0, 1.0, (n, n))
            rho = _spectral_radius(W)
        else:
            idx = (
                np.argsort(rng.random((n, n)), axis=1)[:, :k]
                if n <= 2000
                else np.stack([rng.choice(n, k, replace=False) for _ in range(n)])
            )
            vals = rng.uniform(-1.0, 1.0, (n, k))
            rho = _spectral_radius(sp.csr_matrix((vals.ravel(), idx.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n)))
        if rho == 0.0 and self.spectral_radius > 0:
            raise ValueError(
                f"the random reservoir (seed {self.seed}, degree {self.degree}) is nilpotent; "
                "increase degree or change seed"
            )
        factor = float(self.spectral_radius) / rho if rho > 0 else 0.0
        p = {
            "W_in": rng.uniform(-self.input_scaling, self.input_scaling, (n, d)),
            "bias": rng.uniform(-self.input_bias, self.input_bias, n) if self.input_bias > 0 else np.zeros(n),
            "leak": np.asarray(float(self.leak_rate)),
        }
        if dense:
            p["W"] = W * factor
            return p, None
        p["W_values"] = vals * factor
        return p, idx.astype(np.int32)

    # ---- fit / forecast --------------------------------------------------------------------------
    def fit(self, data: Any, dt: float | None = None) -> EchoStateNetwork:
        """Drive the reservoir with each training series (teacher forcing), drop ``washout`` states, and fit
        the readout by ridge regression of the next standardized sample on phi(r).

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (T_i, d) (see :func:`~dynstab.learn.base.as_training_data`).
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).
        """
        import time

        start = time.perf_counter()
        self._validate()
        td = as_training_data(data, dt, min_length=int(self.washout) + 2)
        self.mean_, self.scale_ = standardization(td, bool(self.standardize))
        params, idx = self._build(td.dim)
        p = {k: jnp.asarray(v) for k, v in params.items()}
        jidx = None if idx is None else jnp.asarray(idx)
        states, targets, last = [], [], None
        for s in td.series:
            u = jnp.asarray((s - self.mean_) / self.scale_)
            st, last = _esn_drive(p, jidx, u[:-1], int(self.washout))
            states.append(st)
            targets.append(u[int(self.washout) + 1 :])
        st = states[0] if len(states) == 1 else jnp.concatenate(states)
        tg = targets[0] if len(targets) == 1 else jnp.concatenate(targets)
        _check_determined("EchoStateNetwork", _esn_features(self.readout, st), float(self.ridge))
        W_out = _esn_readout_fit(st, tg, float(self.ridge), self.readout)
        W_out = np.asarray(W_out)
        if not np.all(np.isfinite(W_out)):
            raise FloatingPointError("the ridge regression of the readout gave non-finite weights; increase ridge")
        self._params = {**params, "W_out": W_out}
        self._idx = idx
        self._readout, self._n_units = self.readout, int(self.n_units)  # as fitted
        self.W_out_ = W_out
        self.reservoir_state_ = np.asarray(last)
        mark_fitted(self, td)
        self.train_seconds_ = time.perf_counter() - start
        return self

    def _jax_params(self):
        idx = None if self._idx is None else jnp.asarray(self._idx)
        return {k: jnp.asarray(v) for k, v in self._params.items()}, idx

    def synchronize(self, context: Any) -> np.ndarray:
        """The reservoir state after teacher-forcing it with ``context`` (T_c, d) from r = 0.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples; the prediction continues after the last.
        """
        self._check_fitted()
        ctx = check_series(context, what="context", min_length=1, dim=self.dim_)
        p, idx = self._jax_params()
        _, last = _esn_drive(p, idx, jnp.asarray((ctx - self.mean_) / self.scale_), 0)
        return np.asarray(last)

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """Warm the reservoir up on ``context`` (T_c, d), T_c >= ``washout`` recommended, then run it closed-loop:
        the ``steps`` samples that follow the context, shape (steps, d).

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples; the prediction continues after the last.
        steps : int
            Number of samples to predict.
        """
        self._check_fitted()
        ctx = check_series(context, what="context", min_length=1, dim=self.dim_)
        return self.generate_from_state(self.synchronize(ctx), steps)

    def generate_from_state(self, r: Any, steps: int) -> np.ndarray:
        """Closed-loop predictions from reservoir state ``r`` (N,) (a state that has seen the last observation).

        Parameters
        ----------
        r : array_like
            Reservoir state(s) (..., N).
        steps : int
            Number of samples to predict.
        """
        self._check_fitted()
        r = np.asarray(r, dtype=np.float64)
        if r.shape != (int(self._n_units),) or not np.all(np.isfinite(r)):
            raise ValueError(f"reservoir state must be a finite array of shape ({self._n_units},), got {r.shape}")
        p, idx = self._jax_params()
        us = np.asarray(_esn_free_run(p, idx, jnp.asarray(r), self._readout, check_steps(steps)))
        return us * self.scale_ + self.mean_

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """Free run after the single observation ``x0`` (reservoir started at zero): an ESN needs a warm-up,
        so prefer ``forecast(context, steps)`` with ``washout`` samples of context.

        Parameters
        ----------
        x0 : array_like
            The observed start state (d,) (or a batch (B, d) where supported).
        steps : int
            Number of samples to predict.
        """
        self._check_fitted()
        x0 = check_series(np.asarray(x0, dtype=np.float64).reshape(1, -1), what="x0", dim=self.dim_)
        return self.forecast(x0, steps)

    def observe(self, r: Any) -> np.ndarray:
        """The observable (readout) of reservoir state(s) ``r`` (..., N): the predicted next sample.

        Parameters
        ----------
        r : array_like
            Reservoir state(s) (..., N).
        """
        self._check_fitted()
        r = jnp.asarray(r, dtype=jnp.float64)
        u = _esn_features(self._readout, r) @ jnp.asarray(self.W_out_).T
        return np.asarray(u) * self.scale_ + self.mean_

    def as_system(self) -> Map:
        """The closed-loop reservoir as a `dynstab.Map` on the reservoir state r (dimension N):

        r_{n+1} = (1 - a) r_n + a tanh(W r_n + W_in W_out phi(r_n) + b).

        Its observable is the readout ``observe(r)`` (one map step is ``dt_`` time units, the map's ``dt``,
        so its Lyapunov exponents come out per time unit). ``x0`` is the reservoir state at the
        end of training (on the learned attractor). Learned arrays are in ``params`` (W or W_values, W_in,
        bias, leak, W_out); the sparsity pattern of W is fixed in the law.
        """
        self._check_fitted()
        idx = None if self._idx is None else np.asarray(self._idx)
        readout = self._readout

        def esn_closed_loop(r, p, n):
            u = p["W_out"] @ _esn_features(readout, r)
            return _esn_update(p, idx, r, u)

        system = Map.from_law(
            esn_closed_loop,
            params=self._params,
            x0=self.reservoir_state_,
            names=tuple(f"r{i + 1}" for i in range(int(self._n_units))),
            name="echo state network",
            reference="H. Jaeger, GMD Report 148 (2001); J. Pathak et al., Phys. Rev. Lett. 120, 024102 (2018)",
            dt=self.dt_,
            description=f"closed-loop ESN, N={self._n_units}, readout {readout}, one step = {self.dt_:g} time units",
        )
        return cast(Map, system)  # from_law is annotated -> System


# --------------------------------------------------------------------------------------------------
# NG-RC
# --------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _ngrc_monomials(n_lin: int, degree: int) -> tuple[np.ndarray, ...]:
    """Index tuples (i <= j <= ...) of the unique monomials of each degree 2..degree of n_lin variables
    (remembered: the law builds them at every trace; read-only)."""
    return tuple(
        np.asarray(list(itertools.combinations_with_replacement(range(n_lin), q)), dtype=np.int32)
        for q in range(2, degree + 1)
    )


def _delay_taps(window, k: int, skip: int):
    """Linear features (x_t, x_{t-s}, ..., x_{t-(k-1)s}) of windows (..., L, d) whose newest sample is last."""
    L = window.shape[-2]
    return jnp.concatenate([window[..., L - 1 - j * skip, :] for j in range(k)], axis=-1)


def _ngrc_features(lin, monomials: tuple, constant: bool):
    """O = [1, lin, monomials of lin] along the last axis."""
    parts = [jnp.ones(lin.shape[:-1] + (1,), dtype=lin.dtype)] if constant else []
    parts.append(lin)
    for combo in monomials:
        parts.append(jnp.prod(lin[..., combo], axis=-1))
    return jnp.concatenate(parts, axis=-1)


@dataclasses.dataclass(frozen=True)
class _NGRCStep:
    """The NG-RC map on the delay-stacked state s (newest sample first): x_{t+1} = x_t + W_out O_t, the
    older samples shift down; ``W_out`` is the parameter ``p["W_out"]``.

    A value, not a closure: two fits with the same settings have equal laws, so they share their compiled
    forecast and Lyapunov kernels (a closure per fit made every fit compile them again, 0.3-0.6 s each: most
    of a forecasting-benchmark task; ``benchmarks/RESULTS.md``, "Forecasting benchmark runs").

    Parameters
    ----------
    L : int
        Samples in the state, ``(k - 1) skip + 1``.
    d : int
        Variables per sample.
    k, skip, degree : int
        Taps, spacing of the taps, highest monomial degree.
    constant : bool
        Whether the features start with a constant 1.
    """

    L: int
    d: int
    k: int
    skip: int
    degree: int
    constant: bool

    def __call__(self, s: Any, p: Any, n: Any) -> Any:
        monomials = _ngrc_monomials(self.k * self.d, self.degree)
        window = s.reshape(self.L, self.d)[::-1]  # oldest first, newest last
        features = _ngrc_features(_delay_taps(window, self.k, self.skip), monomials, self.constant)
        x_new = window[-1] + p["W_out"] @ features
        return jnp.concatenate([x_new, s[: -self.d]]) if self.L > 1 else x_new


class NGRC(LearnedModel):
    """Next-generation reservoir computer / nonlinear vector autoregression (Gauthier et al. 2021).

    Parameters
    ----------
    k: number of delay taps (k = 1: the current sample only).
    skip: spacing s of the taps in samples.
    degree: highest monomial degree of the nonlinear features (2: unique quadratic products, the paper).
    constant: include the constant feature.
    ridge: Tikhonov parameter (2.5e-6 in the paper's Lorenz-63 set-up).

    Attributes
    ----------
    W_out_
        Readout weights, shape (d, n_features).
    dim_
        Number of observed variables d of the training data.
    dt_
        Sampling step of the training data: the time one model step stands for.
    n_features_
        Number of features of O_t.
    train_seconds_
        Wall time of ``fit``.
    """

    def __init__(self, k: int = 2, *, skip: int = 1, degree: int = 2, constant: bool = True, ridge: float = 2.5e-6):
        self.k = k
        self.skip = skip
        self.degree = degree
        self.constant = constant
        self.ridge = ridge

    def _validate(self) -> None:
        check_positive_ints(self, ("k", "skip", "degree"))
        _check_positive("ridge", self.ridge, allow_zero=True)

    @property
    def context_length(self) -> int:
        """Samples a prediction needs: (k - 1) * skip + 1."""
        return (int(self.k) - 1) * int(self.skip) + 1

    def fit(self, data: Any, dt: float | None = None) -> NGRC:
        """Ridge regression of x_{t+1} - x_t on the feature vector O_t over every t with a full delay window.

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (T_i, d) (see :func:`~dynstab.learn.base.as_training_data`).
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).
        """
        import time

        start = time.perf_counter()
        self._validate()
        L = self.context_length
        td = as_training_data(data, dt, min_length=L + 1)
        d = td.dim
        self._monomials = _ngrc_monomials(int(self.k) * d, int(self.degree))
        feats, targets = [], []
        for s in td.series:
            x = jnp.asarray(s)
            windows = jnp.stack([x[j : x.shape[0] - L + j] for j in range(L)], axis=1)  # (T-L, L, d), newest last
            feats.append(
                _ngrc_features(_delay_taps(windows, int(self.k), int(self.skip)), self._monomials, bool(self.constant))
            )
            targets.append(x[L:] - x[L - 1 : -1])
        F = jnp.concatenate(feats)
        Y = jnp.concatenate(targets)
        _check_determined("NGRC", F, float(self.ridge))
        W = np.asarray(ridge_regression(F, Y, float(self.ridge)).T)
        if not np.all(np.isfinite(W)):
            raise FloatingPointError("the ridge regression gave non-finite weights; increase ridge")
        self.W_out_ = W
        self.n_features_ = int(F.shape[1])
        self._last_window = td.series[-1][-L:]
        mark_fitted(self, td)
        self._law_fn = self._law()
        self.train_seconds_ = time.perf_counter() - start
        return self

    def _state_of(self, x0: Any) -> np.ndarray:
        """Delay-stacked state [x_t, x_{t-1}, ..., x_{t-L+1}] (L*d,) from a window (L, d) or a stacked state."""
        L, d = self.context_length, self.dim_
        arr = np.asarray(x0, dtype=np.float64)
        if arr.shape == (L, d):
            arr = arr[::-1].reshape(-1)
        elif arr.shape != (L * d,) and not (L == 1 and arr.shape == (d,)):
            raise ValueError(
                f"x0 must be the last {L} samples, shape ({L}, {d}), or the delay-stacked state "
                f"({L * d},) [newest first]; got shape {arr.shape}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError("x0 contains non-finite values")
        return arr.reshape(-1)

    def _law(self) -> _NGRCStep:
        return _NGRCStep(
            int(self.context_length), int(self.dim_), int(self.k), int(self.skip), int(self.degree), bool(self.constant)
        )

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """Free run from the delay-stacked state (or the last ``context_length`` samples): (steps, d).

        Parameters
        ----------
        x0 : array_like
            The last ``context_length`` samples (L, d), oldest first, or the delay-stacked state (L d,).
        steps : int
            Number of samples to predict.
        """
        self._check_fitted()
        s0 = jnp.asarray(self._state_of(x0))
        out = _ngrc_run(self._law_fn, {"W_out": jnp.asarray(self.W_out_)}, s0, check_steps(steps))
        return np.asarray(out[:, : self.dim_])

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """The ``steps`` samples after ``context`` (T_c >= context_length, d).

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples; the prediction continues after the last.
        steps : int
            Number of samples to predict.
        """
        return forecast_last_window(self, context, steps)

    def as_system(self) -> Map:
        """NG-RC as a `dynstab.Map` on the delay-stacked state s = (x_t, x_{t-1}, ..., x_{t-(k-1)s}) [newest
        first, dimension ((k-1) skip + 1) d]: x_{t+1} = x_t + W_out O_t, the older samples shift down.

        One map step is ``dt_`` time units; the first d coordinates are the observable. W_out is the
        parameter ``W_out``. ``x0`` is the state at the end of the training data (replace it with
        ``with_x0(model.stacked_state(window))`` to start elsewhere).
        """
        self._check_fitted()
        L, d = self.context_length, self.dim_
        names = tuple(f"x{i + 1}" if lag == 0 else f"x{i + 1}(t-{lag})" for lag in range(L) for i in range(d))
        x0 = self._state_of(self._last_window)
        system = Map.from_law(
            self._law_fn,
            params={"W_out": self.W_out_},
            x0=x0,
            names=names,
            name="NG-RC",
            reference="D. J. Gauthier, E. Bollt, A. Griffith and W. A. S. Barbosa, Nat. Commun. 12, 5564 (2021)",
            dt=self.dt_,
            description=f"NVAR with k={self.k}, skip={self.skip}, degree {self.degree}; one step = "
            f"{self.dt_:g} time units",
        )
        return cast(Map, system)  # from_law is annotated -> System

    def stacked_state(self, window: Any) -> np.ndarray:
        """The map state of ``as_system()`` for the last ``context_length`` samples ``window`` (L, d).

        Parameters
        ----------
        window : array_like, shape (L, d)
            The last ``context_length`` samples (more are cut).
        """
        self._check_fitted()
        return self._state_of(
            check_series(window, what="window", min_length=self.context_length, dim=self.dim_)[-self.context_length :]
        )


@partial(jax.jit, static_argnames=("law", "steps"))
def _ngrc_run(law, p, s0, steps: int):
    def body(s, n):
        s = law(s, p, n)
        return s, s

    _, ss = jax.lax.scan(body, s0, jnp.arange(steps))
    return ss
