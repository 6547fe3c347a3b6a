"""Shallow piecewise-linear RNNs (shPLRNN, clipped shPLRNN) trained by generalized teacher forcing.

Model (Hess, Monfared, Brenner & Durstewitz, "Generalized Teacher Forcing for Learning Chaotic
Dynamics", ICML 2023, PMLR 202:13017-13049), latent state z in R^M, hidden width H:

    shPLRNN:          z_t = A * z_{t-1} + W1 ReLU(W2 z_{t-1} + h2) + h1
    clipped shPLRNN:  z_t = A * z_{t-1} + W1 [ReLU(W2 z_{t-1} + h2) - ReLU(W2 z_{t-1})] + h1

with A in R^M diagonal, W1 (M x H), W2 (H x M). The clipped nonlinearity is bounded
(|ReLU(u + h) - ReLU(u)| <= |h|), so for max|A| < 1 every orbit stays in a ball of radius
(||W1|| ||h2|| + ||h1||) / (1 - max|A|) around 0 (the paper's bounded-orbits property).
Jacobians are piecewise constant: diag(A) + W1 diag(1[W2 z > -h2] - 1[W2 z > 0]) W2 (clipped).

Observation models: ``"identity"`` (x = z[:N]; the M - N extra latents of the first state are
inferred as L x with a learned L) and ``"affine"`` (x = B z + b; forcing signals and the initial
latent state come from the least-squares inverse z = B^+ (x - b)).

Generalized teacher forcing (GTF), training only: the model is run on the training windows as
z_t = F(z~_{t-1}), z~ = (1 - alpha) z + alpha z^ (z^ = forcing signals inferred from the data;
with the identity model only the N observed units are mixed), and the loss is the MSE between the
*pre-forcing* predictions O(z_t) and x_t (t = 2..T+1). alpha is constant or adaptive (aGTF,
Algorithm 1): every k = 5 steps kappa is estimated from the Jacobians at the forcing signals
(default: product upper bound, the geometric mean of ||J_t||_2 along each sequence, maximised over
the batch), alpha_est = max(0, 1 - 1/kappa) and alpha <- alpha_est if it is larger, else
gamma alpha + (1 - gamma) alpha_est (gamma = 0.999, alpha starts at 1).
Optimiser: RAdam (Liu et al., ICLR 2020) with the learning rate decaying exponentially from 1e-3 to
1e-6 over the run; batches of 16 windows of 200 steps drawn at random from the training series.
Reference implementation: DurstewitzLab/GTF-shPLRNN (Julia), whose defaults are used here.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from ..systems import Map
from .base import LearnedModel, as_training_data, check_int, check_series, check_steps
from .rnn_training import (  # noqa: F401 (old path)
    WindowSampler,
    cast_floating,
    check_rnn_hyperparameters,
    check_x0,
    fit_rnn,
    fit_with_recovery,
    fit_with_selection,
    forecast_from,
    generate_from,
    normalized_positive_definite_diag,
    optimizer_update,
    predict_ahead,
    prediction_starts,
    radam_exponential,
    rollout,
    step_in_dtype,
    store_training_state,
    training_dtype,
    uniform_init,
    window_training,
)

__all__ = [
    "ShallowPLRNN",
    "shplrnn_step",
    "shplrnn_jacobian",
    "gtf_kappa",
    "gtf_alpha",
    "anneal_alpha",
    "ALPHA_METHODS",
    "OBSERVATION_MODELS",
    "OBSERVATION_REGULARIZATIONS",
    "REFERENCE_CHOICES",
    "PAPER_PRESETS",
    "condition_penalty",
]

ALPHA_METHODS = ("product_upper_bound", "arithmetic_mean", "batch_maximum", "jacobian_upper_bound")
OBSERVATION_MODELS = ("identity", "affine")
OBSERVATION_REGULARIZATIONS = ("l2", "condition")

#: The reference code's choices that differ from dynstab's defaults (Hess et al. 2023, DurstewitzLab/GTF-shPLRNN):
#: forcing signals computed before the gradient, affine observation without bias, B regularised by its condition.
REFERENCE_CHOICES: dict[str, Any] = dict(
    forcing_gradient=False, observation_bias=False, observation_regularization="condition"
)

#: Published settings (DurstewitzLab/GTF-shPLRNN ``settings/defaults.json`` and
#: ``paper_experiments/{ECG,EEG}/Table1/*.jl``), used by :meth:`ShallowPLRNN.paper_preset` (which adds
#: ``dtype="float32"``: the reference trains in Flux's default Float32).
PAPER_PRESETS: dict[str, dict[str, Any]] = {
    "defaults": dict(
        latent_dim=3,
        hidden_dim=50,
        clipped=True,
        observation="identity",
        alpha="adaptive",
        alpha_method="product_upper_bound",
        alpha_decay=0.999,
        alpha_update_interval=5,
        sequence_length=200,
    ),
    "ecg": dict(
        latent_dim=5,
        hidden_dim=250,
        clipped=True,
        observation="affine",
        alpha=0.3,
        sequence_length=200,
        regularization=0.0,
        obs_regularization=1e-7,
    ),
    "ecg-agtf": dict(
        latent_dim=5,
        hidden_dim=250,
        clipped=True,
        observation="affine",
        alpha="adaptive",
        alpha_method="product_upper_bound",
        alpha_decay=0.999,
        alpha_update_interval=5,
        sequence_length=200,
        regularization=0.0,
        obs_regularization=1e-7,
    ),
    "eeg-agtf": dict(
        latent_dim=16,
        hidden_dim=512,
        clipped=True,
        observation="affine",
        alpha="adaptive",
        alpha_method="arithmetic_mean",
        alpha_decay=0.999,
        alpha_update_interval=5,
        sequence_length=50,
        regularization=1e-4,
        obs_regularization=1e-6,
    ),
}
_PAPER_COMMON: dict[str, Any] = dict(
    n_epochs=5000,
    batches_per_epoch=50,
    batch_size=16,
    learning_rate=1e-3,
    final_learning_rate=1e-6,
    dtype="float32",
    **REFERENCE_CHOICES,
)


# --------------------------------------------------------------------------------------------
# model equations (pure JAX; z has shape (M,) or (..., M))


def shplrnn_step(z: jax.Array, p: dict, clipped: bool = True) -> jax.Array:
    """One step of the (clipped) shPLRNN, Hess et al. (2023) Eq. (shPLRNN):
    z' = A*z + W1 ReLU(W2 z + h2) + h1, or with [ReLU(W2 z + h2) - ReLU(W2 z)] when ``clipped``.

    Parameters
    ----------
    z : jax.Array, shape (..., M)
        Latent state(s).
    p : dict
        Model parameters (arrays).
    clipped : bool
        The clipped variant [ReLU(W2 z + h2) - ReLU(W2 z)].
    """
    u = z @ p["W2"].T
    phi = jax.nn.relu(u + p["h2"])
    if clipped:
        phi = phi - jax.nn.relu(u)
    return p["A"] * z + phi @ p["W1"].T + p["h1"]


def shplrnn_jacobian(z: jax.Array, p: dict, clipped: bool = True) -> jax.Array:
    """The piecewise-constant Jacobian diag(A) + W1 diag(1[W2 z > -h2] (- 1[W2 z > 0])) W2 at z (M,), or at a
    stack of states (..., M) -> (..., M, M) (one batched product, no per-state loop).

    Parameters
    ----------
    z : jax.Array, shape (..., M)
        Latent state(s).
    p : dict
        Model parameters (arrays).
    clipped : bool
        The clipped variant [ReLU(W2 z + h2) - ReLU(W2 z)].
    """
    u = z @ p["W2"].T
    d = (u > -p["h2"]).astype(z.dtype)
    if clipped:
        d = d - (u > 0).astype(z.dtype)
    return jnp.diag(p["A"]) + (p["W1"] * d[..., None, :]) @ p["W2"]


def _law_clipped(z, p, n):
    return shplrnn_step(z, p, True)


def _law_plain(z, p, n):
    return shplrnn_step(z, p, False)


def _jac_clipped(z, p, n):
    return shplrnn_jacobian(z, p, True)


def _jac_plain(z, p, n):
    return shplrnn_jacobian(z, p, False)


def norm_upper_bound(p: dict) -> jax.Array:
    """max|A| + ||W1||_2 ||W2||_2: an upper bound on every Jacobian's spectral norm (shPLRNN).

    Parameters
    ----------
    p : dict
        Model parameters (arrays).
    """
    return jnp.max(jnp.abs(p["A"])) + jnp.linalg.norm(p["W1"], 2) * jnp.linalg.norm(p["W2"], 2)


# --------------------------------------------------------------------------------------------
# adaptive alpha (aGTF, Hess et al. 2023, Algorithm 1)


def _spectral_norms(J: jax.Array) -> jax.Array:
    """||J||_2 of a stack of square matrices, sqrt(lambda_max(J^T J)) (symmetric eigensolver: ~1.5x faster than
    the SVD behind ``jnp.linalg.norm(ord=2)`` on XLA CPU, same value)."""
    return jnp.sqrt(jnp.maximum(jnp.linalg.eigvalsh(jnp.swapaxes(J, -1, -2) @ J)[..., -1], 0.0))


def gtf_kappa(jacobians: Any, method: str = "product_upper_bound") -> jax.Array:
    """kappa, the growth estimate aGTF turns into alpha, from Jacobians of shape (B, T, M, M) (B sequences).

    ``product_upper_bound``: max_b (prod_t ||J_bt||_2)^(1/T) (geometric mean of spectral norms, an upper
    bound on the T-th root of ||J_bT ... J_b1||); ``arithmetic_mean``: max_b ||mean_t J_bt||_2;
    ``batch_maximum``: max_bt ||J_bt||_2. Hess et al. (2023), Sec. 4 and Algorithm 1.

    Parameters
    ----------
    jacobians : array_like, shape (B, T, M, M)
        Jacobians along B sequences.
    method : str
        The estimate (see above).
    """
    J = jnp.asarray(jacobians)
    if J.ndim != 4 or J.shape[-1] != J.shape[-2]:
        raise ValueError(f"jacobians must have shape (B, T, M, M), got {J.shape}")
    if method == "product_upper_bound":
        return jnp.max(jnp.exp(jnp.mean(jnp.log(_spectral_norms(J)), axis=1)))
    if method == "arithmetic_mean":
        return jnp.max(_spectral_norms(jnp.mean(J, axis=1)))
    if method == "batch_maximum":
        return jnp.max(_spectral_norms(J))
    raise ValueError(
        f"unknown alpha method {method!r}; choose one of {ALPHA_METHODS[:3]} "
        "('jacobian_upper_bound' needs the model parameters, not Jacobians)"
    )


def gtf_alpha(kappa: Any) -> jax.Array:
    """The optimal GTF forcing alpha* = max(0, 1 - 1/kappa) (Hess et al. 2023, Prop. 2): it keeps
    (1 - alpha)^T ||prod J|| <= 1 for a Jacobian product growing at most like kappa^T.

    Parameters
    ----------
    kappa : array_like
        Growth estimate kappa.
    """
    kappa = jnp.asarray(kappa)
    return jnp.maximum(0.0, 1.0 - 1.0 / kappa)


def anneal_alpha(previous: Any, estimate: Any, gamma: float = 0.999) -> jax.Array:
    """aGTF update (Hess et al. 2023, Algorithm 1): alpha_n = estimate if estimate > alpha_{n-1},
    else gamma alpha_{n-1} + (1 - gamma) estimate.

    Parameters
    ----------
    previous : array_like
        alpha_{n-1}.
    estimate : array_like
        The new estimate alpha*.
    gamma : float
        Annealing factor.
    """
    previous, estimate = jnp.asarray(previous), jnp.asarray(estimate)
    return jnp.where(estimate > previous, estimate, gamma * previous + (1.0 - gamma) * estimate)


@dataclass(frozen=True)
class _Config:
    M: int
    H: int
    N: int
    clipped: bool
    observation: str
    forcing_gradient: bool = True
    observation_bias: bool = True
    observation_regularization: str = "l2"


# --------------------------------------------------------------------------------------------
# observation models


def observe(z: jax.Array, p: dict, observation: str, n_obs: int) -> jax.Array:
    """x = z[..., :N] (identity) or x = B z + b (affine).

    Parameters
    ----------
    z : jax.Array, shape (..., M)
        Latent state(s).
    p : dict
        Model parameters (arrays).
    observation : str
        Observation model, ``"identity"`` or ``"affine"``.
    n_obs : int
        Number of observed variables N.
    """
    if observation == "identity":
        return z[..., :n_obs]
    x = z @ p["B"].T
    return x + p["b"] if "b" in p else x


def init_latent(x: jax.Array, p: dict, observation: str, m: int) -> jax.Array:
    """Latent state of an observed x: [x, L x] (identity; L learned) or B^+ (x - b) (affine, least squares).

    Parameters
    ----------
    x : array_like
        Observed state(s) (..., N).
    p : dict
        Model parameters (arrays).
    observation : str
        Observation model, ``"identity"`` or ``"affine"``.
    m : int
        Latent dimension M.
    """
    if observation == "identity":
        if x.shape[-1] == m:
            return x
        return jnp.concatenate([x, x @ p["L"].T], axis=-1)
    return _affine_inverse(x, p)


def _affine_inverse(x: jax.Array, p: dict) -> jax.Array:
    """z = B^+ (x - b) (least squares; x - 0 without a bias)."""
    if "b" in p:
        x = x - p["b"]
    return x @ jnp.linalg.pinv(p["B"]).T


def forcing_signals(x: jax.Array, p: dict, observation: str) -> jax.Array:
    """GTF forcing signals z^: the observed units x themselves (identity, partial forcing of the first N
    latents) or B^+ (x - b) (affine, all M latents).

    Parameters
    ----------
    x : array_like
        Observed state(s) (..., N).
    p : dict
        Model parameters (arrays).
    observation : str
        Observation model, ``"identity"`` or ``"affine"``.
    """
    if observation == "identity":
        return x
    return _affine_inverse(x, p)


def gtf_predictions(p: dict, windows: jax.Array, alpha: jax.Array, cfg: _Config) -> jax.Array:
    """Pre-forcing latent predictions z_2..z_{T+1} of the GTF recursion on windows (B, T+1, N):
    z_1 = init_latent(x_1), z_t = F(z~_{t-1}), z~_t = (1 - alpha) z_t + alpha z^_t (Hess et al. 2023, Eq. 6).

    With ``cfg.forcing_gradient`` False the forcing signals z^ = B^+ (x - b) are constants of the
    gradient (``stop_gradient``, as the reference code computes them before the gradient); the initial
    state z_1 stays differentiable in both cases (as in the reference code).

    Parameters
    ----------
    p : dict
        Model parameters (arrays).
    windows : jax.Array, shape (B, T + 1, N)
        Training windows of observations.
    alpha : jax.Array
        The GTF forcing alpha in [0, 1].
    cfg : _Config
        Model sizes and options (M, H, N, clipped, observation, forcing_gradient).
    """
    if cfg.observation == "affine":  # one pseudo-inverse for z_1 and the forcing signals
        inferred = _affine_inverse(windows, p)
        z0, zhat = inferred[:, 0], jnp.moveaxis(inferred[:, 1:], 1, 0)  # (B, M), (T, B, M)
    else:
        z0 = init_latent(windows[:, 0], p, cfg.observation, cfg.M)
        zhat = jnp.moveaxis(forcing_signals(windows[:, 1:], p, cfg.observation), 1, 0)  # (T, B, N)
    if not cfg.forcing_gradient:
        zhat = jax.lax.stop_gradient(zhat)
    D = zhat.shape[-1]

    def body(z, zh):
        z = shplrnn_step(z, p, cfg.clipped)
        forced = z.at[..., :D].set((1.0 - alpha) * z[..., :D] + alpha * zh)
        return forced, z

    _, zs = jax.lax.scan(body, z0, zhat)
    return jnp.moveaxis(zs, 0, 1)


def condition_penalty(B: jax.Array, eps: float = 1e-8) -> jax.Array:
    """(1 - s_max / (s_min + eps))^2 of the singular values of B: pulls the condition number of the
    affine observation towards 1 so that B^+ stays well defined (the reference code's regularisation of
    its ``Affine`` model, ``regularization.jl``).

    Parameters
    ----------
    B : jax.Array, shape (N, M)
        Observation matrix.
    eps : float
        Guard against a zero smallest singular value.
    """
    sv = jnp.linalg.svd(B, compute_uv=False)
    return (1.0 - sv[0] / (sv[-1] + eps)) ** 2


def gtf_loss(
    p: dict, windows: jax.Array, alpha: jax.Array, cfg: _Config, lat_reg: float = 0.0, obs_reg: float = 0.0
) -> jax.Array:
    """MSE between the observed pre-forcing predictions O(z_t) and x_t, plus the regularisation
    lat_reg (||1 - A||^2 + ||W1||^2 + ||W2||^2 + ||h1||^2 + ||h2||^2) + obs_reg R_obs, where R_obs is
    ||L||^2 (identity), ||B||^2 (affine, ``observation_regularization="l2"``) or
    (1 - cond(B))^2 (``"condition"``, :func:`condition_penalty`, the reference code's choice).

    Parameters
    ----------
    p : dict
        Model parameters (arrays).
    windows : jax.Array, shape (B, T + 1, N)
        Training windows of observations.
    alpha : jax.Array
        The GTF forcing alpha in [0, 1].
    cfg : _Config
        Model sizes and options (M, H, N, clipped, observation).
    lat_reg : float
        L2 weight on the latent model (A pulled to 1).
    obs_reg : float
        Weight of the observation regularisation R_obs.
    """
    zs = gtf_predictions(p, windows, alpha, cfg)
    loss = jnp.mean((observe(zs, p, cfg.observation, cfg.N) - windows[:, 1:]) ** 2)
    if lat_reg > 0:
        loss = loss + lat_reg * (
            jnp.sum((1.0 - p["A"]) ** 2) + sum(jnp.sum(p[k] ** 2) for k in ("W1", "W2", "h1", "h2"))
        )
    if obs_reg > 0:
        if cfg.observation == "affine" and cfg.observation_regularization == "condition":
            loss = loss + obs_reg * condition_penalty(p["B"])
        else:
            loss = loss + obs_reg * sum(jnp.sum(p[k] ** 2) for k in ("L", "B") if k in p)
    return loss


def init_params(key, cfg: _Config) -> dict:
    """Hess et al. (2023) initialisation: A = diag of a normalized positive-definite matrix, W1, W2 ~
    U(+-1/sqrt(fan_in)), h1 = 0, h2 = 0 (shPLRNN) or U(+-1/sqrt(H)) (clipped); L ~ U(+-1/sqrt(N)),
    B ~ N(0, 2/M) (Kaiming), b = 0 (only with ``cfg.observation_bias``).

    Parameters
    ----------
    key : jax.Array
        PRNG key.
    cfg : _Config
        Model sizes and options (M, H, N, clipped, observation).
    """
    kA, k1, k2, kh, ko = jax.random.split(key, 5)
    M, H, N = cfg.M, cfg.H, cfg.N
    p = {
        "A": normalized_positive_definite_diag(kA, M),
        "W1": uniform_init(k1, (M, H), H),
        "W2": uniform_init(k2, (H, M), M),
        "h1": jnp.zeros(M),
        "h2": uniform_init(kh, (H,), H) if cfg.clipped else jnp.zeros(H),
    }
    if cfg.observation == "identity":
        if M > N:
            p["L"] = uniform_init(ko, (M - N, N), N)
    else:
        p["B"] = jax.random.normal(ko, (N, M), jnp.float64) * math.sqrt(2.0 / M)
        if cfg.observation_bias:
            p["b"] = jnp.zeros(N)
    return p


# --------------------------------------------------------------------------------------------
# the estimator


class ShallowPLRNN(LearnedModel):
    """(Clipped) shallow PLRNN trained by generalized teacher forcing (Hess et al., ICML 2023).

    z_t = A * z_{t-1} + W1 [ReLU(W2 z_{t-1} + h2) - ReLU(W2 z_{t-1})] + h1 (``clipped=True``, default),
    or with ReLU(W2 z + h2) alone (``clipped=False``); observation x = z[:N] (``observation="identity"``)
    or x = B z + b (``"affine"``).

    ``alpha``: a constant GTF alpha in [0, 1] (1 = one-step-ahead teacher forcing, 0 = free running),
    or ``"adaptive"`` (aGTF, Algorithm 1: kappa by ``alpha_method`` every ``alpha_update_interval``
    steps, annealing factor ``alpha_decay``; the published 0.999 needs ~5000 updates = 500 epochs to bring
    alpha down to alpha*, so short runs should use ~0.99). The Jacobians for kappa are taken at the
    data-inferred latent states (x, L x) (the reference code pads the unobserved latents with zeros).
    Training: ``n_epochs`` x ``batches_per_epoch`` RAdam steps
    on batches of ``batch_size`` random windows of ``sequence_length`` + 1 samples, learning rate
    decaying exponentially from ``learning_rate`` to ``final_learning_rate``; optional Gaussian
    ``noise`` added to each batch, L2 ``regularization`` (lat. model, A pulled to 1) and
    ``obs_regularization``, ``gradient_clip`` (global norm, 0 = off). The published run is 5000 epochs
    of 50 batches; far fewer suffice for Lorenz-63 (see ``examples/train_plrnn_lorenz.py``).
    The final parameters are kept (``keep_best=False``, the GTF paper's "latest checkpoint" protocol);
    ``keep_best=True`` keeps the epoch with the lowest training loss instead; ``select_every`` > 0 keeps, of the
    checkpoints taken every ``select_every`` epochs, the one whose ``select_steps``-step free runs from
    ``select_starts`` training states have the lowest median D_stsp against the training data among those whose
    runs neither diverge, escape the data range nor collapse to a fixed point
    (:func:`~dynstab.learn.rnn_training.fit_with_selection`; the AL-RNN paper's minimum-D_stsp selection, which
    uses one start and no collapse check). ``as_system()`` is the latent map (one iteration = ``dt_`` time units).

    Differences from the reference implementation (DurstewitzLab/GTF-shPLRNN), each an option:

    * ``forcing_gradient``: dynstab (default True) differentiates the loss through the forcing signals
      z^ = B^+ (x - b) of the affine model; the reference computes them before the gradient
      (``estimate_forcing_signals`` outside ``Flux.gradient``), i.e. ``forcing_gradient=False``
      (``jax.lax.stop_gradient``). The initial state z_1 = B^+ (x_1 - b) is differentiated in both.
    * ``observation_bias``: dynstab (default True) trains x = B z + b; the reference's ``Affine`` has
      ``use_bias = false``, x = B z (``observation_bias=False``).
    * ``observation_regularization``: dynstab (default ``"l2"``) adds ``obs_regularization`` ||B||^2; the
      reference regularises the condition number, ``obs_regularization`` (1 - s_max/s_min)^2
      (``"condition"``, :func:`condition_penalty`), which keeps B^+ well conditioned.

    :meth:`paper_preset` returns the published settings with the reference's three choices
    (:data:`REFERENCE_CHOICES`), trained in float32 as the reference is.

    ``dtype``: the floating-point type of the training loop only. ``"float64"`` (default) is dynstab's
    precision; ``"float32"`` (the reference code's Flux default, and :meth:`paper_preset`'s) casts the
    initial parameters and the training windows to float32 and runs every GTF/RAdam step in float32
    (about twice as many steps per CPU-second at the ECG size, ``benchmarks/RESULTS.md``). The trained
    parameters are cast back: ``params_``, predictions, ``as_system()`` and its Lyapunov exponents are float64.

    Parameters
    ----------
    latent_dim : int
        Latent dimension M (>= N for the identity observation).
    hidden_dim : int
        Hidden width H.
    clipped : bool
        The clipped (bounded) shPLRNN.
    observation : {"identity", "affine"}
        x = z[:N] or x = B z + b.
    alpha : float or "adaptive"
        Constant GTF forcing in [0, 1], or aGTF.
    alpha_method : str
        kappa estimate of aGTF: one of ``ALPHA_METHODS``.
    alpha_update_interval : int
        aGTF steps between updates of alpha.
    alpha_decay : float
        aGTF annealing factor gamma in [0, 1].
    n_epochs, batches_per_epoch : int
        Training length: epochs and optimisation steps per epoch.
    batch_size : int
        Windows per batch.
    sequence_length : int
        Steps per training window.
    learning_rate, final_learning_rate : float
        RAdam learning rate at the start and at the end of the exponential decay.
    regularization, obs_regularization : float
        L2 weights on the latent model (A pulled to 1) and on the observation parameters (L or B; see
        ``observation_regularization``).
    observation_regularization : {"l2", "condition"}
        Penalty of the affine observation matrix: ||B||^2 or (1 - cond(B))^2 (the reference's).
    observation_bias : bool
        Train the offset b of the affine observation x = B z + b (the reference: no offset).
    forcing_gradient : bool
        Differentiate through the forcing signals B^+ (x - b) (the reference: no, computed before the gradient).
    noise : float
        Standard deviation of the Gaussian noise added to each batch.
    gradient_clip : float
        Global-norm gradient clipping (0: off).
    keep_best : bool
        Keep the epoch of lowest training loss instead of the last.
    select_every : int
        Checkpoint selection by D_stsp every this many epochs (0: off).
    select_steps : int
        Length of the free runs of the checkpoint selection (>= 8; the first quarter is transient).
    select_starts : int
        Number of free runs (from training states spread over the first series) per checkpoint.
    dtype : {"float64", "float32"}
        Floating-point type of the training loop (the fitted model is float64 either way).
    seed : int
        Seed of the initialisation and of the batches.
    progress : bool, optional
        Progress bar (``None``: when training is expected to take more than a few seconds).

    Attributes
    ----------
    params_
        The learned parameters (A, W1, W2, h1, h2 and L or B, b) as numpy arrays.
    dim_
        Number of observed variables N.
    dt_
        Sampling step of the training data: the time one model step stands for.
    alpha_
        Final alpha.
    loss_history_
        Mean loss per epoch.
    training_seconds_
        Wall time of the training run.
    train_result_
        The :class:`~dynstab.learn.base.TrainResult` of the run.
    """

    def __init__(
        self,
        latent_dim: int = 3,
        hidden_dim: int = 50,
        *,
        clipped: bool = True,
        observation: str = "identity",
        alpha: float | str = "adaptive",
        alpha_method: str = "product_upper_bound",
        alpha_update_interval: int = 5,
        alpha_decay: float = 0.999,
        n_epochs: int = 200,
        batches_per_epoch: int = 50,
        batch_size: int = 16,
        sequence_length: int = 200,
        learning_rate: float = 1e-3,
        final_learning_rate: float = 1e-6,
        regularization: float = 0.0,
        obs_regularization: float = 0.0,
        observation_regularization: str = "l2",
        observation_bias: bool = True,
        forcing_gradient: bool = True,
        noise: float = 0.0,
        gradient_clip: float = 0.0,
        keep_best: bool = False,
        select_every: int = 0,
        select_steps: int = 10_000,
        select_starts: int = 4,
        dtype: str = "float64",
        seed: int = 0,
        progress: bool | None = None,
    ):
        self.latent_dim = latent_dim
        self.hidden_dim = hidden_dim
        self.clipped = clipped
        self.observation = observation
        self.alpha = alpha
        self.alpha_method = alpha_method
        self.alpha_update_interval = alpha_update_interval
        self.alpha_decay = alpha_decay
        self.n_epochs = n_epochs
        self.batches_per_epoch = batches_per_epoch
        self.batch_size = batch_size
        self.sequence_length = sequence_length
        self.learning_rate = learning_rate
        self.final_learning_rate = final_learning_rate
        self.regularization = regularization
        self.obs_regularization = obs_regularization
        self.observation_regularization = observation_regularization
        self.observation_bias = observation_bias
        self.forcing_gradient = forcing_gradient
        self.noise = noise
        self.gradient_clip = gradient_clip
        self.keep_best = keep_best
        self.select_every = select_every
        self.select_steps = select_steps
        self.select_starts = select_starts
        self.dtype = dtype
        self.seed = seed
        self.progress = progress

    # ---- validation --------------------------------------------------------------------
    def _validate(self, n_obs: int) -> _Config:
        M = check_int("latent_dim", self.latent_dim)
        H = check_int("hidden_dim", self.hidden_dim)
        if self.observation not in OBSERVATION_MODELS:
            raise ValueError(f"observation must be one of {OBSERVATION_MODELS}, got {self.observation!r}")
        if self.observation == "identity" and M < n_obs:
            raise ValueError(
                f"the identity observation model reads the first N = {n_obs} latents: latent_dim "
                f"must be >= {n_obs}, got {M} (or use observation='affine')"
            )
        if isinstance(self.alpha, str):
            if self.alpha != "adaptive":
                raise ValueError(f"alpha must be a number in [0, 1] or 'adaptive', got {self.alpha!r}")
            if self.alpha_method not in ALPHA_METHODS:
                raise ValueError(f"alpha_method must be one of {ALPHA_METHODS}, got {self.alpha_method!r}")
        elif not (0.0 <= float(self.alpha) <= 1.0):
            raise ValueError(f"alpha must be in [0, 1] or 'adaptive', got {self.alpha!r}")
        if not (0.0 <= self.alpha_decay <= 1.0):
            raise ValueError(f"alpha_decay must be in [0, 1], got {self.alpha_decay}")
        if self.observation_regularization not in OBSERVATION_REGULARIZATIONS:
            raise ValueError(
                f"observation_regularization must be one of {OBSERVATION_REGULARIZATIONS}, "
                f"got {self.observation_regularization!r}"
            )
        training_dtype(self.dtype)
        for name in ("observation_bias", "forcing_gradient", "clipped"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        check_rnn_hyperparameters(
            self,
            (
                "n_epochs",
                "batches_per_epoch",
                "batch_size",
                "sequence_length",
                "alpha_update_interval",
                "select_starts",
            ),
            ("noise", "regularization", "obs_regularization", "gradient_clip"),
        )
        return _Config(
            M,
            H,
            n_obs,
            bool(self.clipped),
            self.observation,
            bool(self.forcing_gradient),
            bool(self.observation_bias),
            self.observation_regularization,
        )

    # ---- training ----------------------------------------------------------------------
    def _make_step(self, cfg: _Config, sampler: WindowSampler, opt):
        adaptive = isinstance(self.alpha, str)
        k = int(self.alpha_update_interval)
        gamma, method, noise = float(self.alpha_decay), self.alpha_method, float(self.noise)
        B, lat_reg, obs_reg = int(self.batch_size), float(self.regularization), float(self.obs_regularization)

        def new_alpha(p, windows, alpha):
            if method == "jacobian_upper_bound":
                kappa = norm_upper_bound(p)
            else:
                z = init_latent(windows[:, 1:], p, cfg.observation, cfg.M)
                kappa = gtf_kappa(shplrnn_jacobian(z, p, cfg.clipped), method)
            return anneal_alpha(alpha, gtf_alpha(kappa), gamma)

        def step(state, key):
            windows = sampler.sample_noisy(key, B, noise)
            p, alpha = state["params"], state["alpha"]
            if adaptive:
                alpha = jax.lax.cond(
                    (state["count"] + 1) % k == 0,
                    lambda a: new_alpha(jax.lax.stop_gradient(p), windows, a),
                    lambda a: a,
                    alpha,
                )
            loss, p, opt_state = optimizer_update(opt, gtf_loss, p, state["opt"], windows, alpha, cfg, lat_reg, obs_reg)
            return {"params": p, "opt": opt_state, "alpha": alpha, "count": state["count"] + 1}, loss

        return step

    def training_step(self, td) -> tuple[Any, Any]:
        """(step, state) of the training loop for :class:`TrainingData` ``td``: ``state, loss = step(state, key)``
        is one GTF/RAdam update (used by ``fit`` through ``train_epochs``, and by the benchmarks), computed in
        the estimator's ``dtype`` (parameters, optimiser state, alpha, windows and loss).

        Parameters
        ----------
        td : TrainingData
            The training data.
        """
        cfg = self._validate(td.dim)
        sampler, opt = window_training(self, td)
        dtype = training_dtype(self.dtype)
        params = cast_floating(init_params(jax.random.PRNGKey(self.seed), cfg), dtype)
        alpha0 = 1.0 if isinstance(self.alpha, str) else float(self.alpha)
        state = {
            "params": params,
            "opt": opt.init(params),
            "alpha": jnp.asarray(alpha0, dtype=dtype),
            "count": jnp.asarray(0),
        }
        return step_in_dtype(self._make_step(cfg, sampler, opt), dtype), state

    def fit(self, data: Any, dt: float | None = None) -> ShallowPLRNN:
        """Train on one or several trajectories (T, N) sampled every ``dt`` (see the class docstring).

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (T_i, d) (see :func:`~dynstab.learn.base.as_training_data`).
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).
        """
        td = as_training_data(data, dt, min_length=2)
        cfg = self._validate(td.dim)
        step, state = self.training_step(td)
        self._cfg = cfg
        self._x_ref = td.series[0][-1]
        self.dim_ = td.dim
        self.dt_ = td.dt

        def store(st, res):
            store_training_state(self, st, res)
            self.alpha_ = float(st["alpha"])

        kind = "clipped shPLRNN" if cfg.clipped else "shPLRNN"
        how = "aGTF" if isinstance(self.alpha, str) else "GTF"
        fit_rnn(self, step, state, td, store, f"{kind} + {how}")
        return self

    @classmethod
    def paper_preset(cls, name: str, **overrides: Any) -> ShallowPLRNN:
        """An unfitted estimator with a published GTF setting and the reference code's choices.

        ``name``: ``"defaults"`` (``settings/defaults.json``: clipped shPLRNN M = 3, H = 50, identity
        observation, aGTF with the product upper bound), ``"ecg"`` (Table 1 ECG, shPLRNN + GTF: M = 5,
        H = 250, affine observation, alpha = 0.3 constant, sequence 200, observation regularisation 1e-7),
        ``"ecg-agtf"`` (the same with aGTF) or ``"eeg-agtf"`` (Table 1 EEG: M = 16, H = 512, sequence 50,
        aGTF with the arithmetic mean, latent/observation regularisation 1e-4/1e-6). All use 5000 epochs
        x 50 batches of 16, RAdam 1e-3 -> 1e-6, and :data:`REFERENCE_CHOICES`: ``forcing_gradient=False``,
        ``observation_bias=False``, ``observation_regularization="condition"``. ``overrides`` replace any
        of these (e.g. ``n_epochs`` for a shorter budget).

        Reference: Hess et al., ICML 2023; DurstewitzLab/GTF-shPLRNN ``paper_experiments/*/Table1``.

        Parameters
        ----------
        name : str
            One of ``PAPER_PRESETS``.
        **overrides
            Constructor arguments replacing the preset's.
        """
        if name not in PAPER_PRESETS:
            raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PAPER_PRESETS)}")
        settings = {**_PAPER_COMMON, **PAPER_PRESETS[name], **overrides}
        return cls(**settings)

    def predict_n_steps(self, x: Any, starts: Any, n: int) -> np.ndarray:
        """O(F^n(z_s)) with z_s = init_latent(x[s]) for every start index s: the n-step-ahead predictions of
        PE(n) (Hess et al. 2023, ``prediction_error.jl``), batched, stepped in latent space.

        Parameters
        ----------
        x : array_like, shape (T, N)
            Observed series.
        starts : array_like of int
            Start indices into ``x``.
        n : int
            Prediction horizon in steps.
        """
        self._check_fitted()
        xa, idx, n = prediction_starts(x, starts, n, self.dim_)
        init, _, obs = _observation_fns(self._cfg.observation, self._cfg.M, self._cfg.N)
        return predict_ahead(self._law(), init, obs, self._jparams(), xa[idx], n)

    @classmethod
    def from_params(
        cls,
        A: Any,
        W1: Any,
        W2: Any,
        h1: Any,
        h2: Any,
        *,
        clipped: bool = True,
        n_obs: int | None = None,
        L: Any = None,
        B: Any = None,
        b: Any = None,
        dt: float = 1.0,
    ) -> ShallowPLRNN:
        """A fitted model with given parameters (e.g. from the reference code or for analysis): identity
        observation of the first ``n_obs`` latents (default all M; extra latents of x are L x, L default 0),
        or the affine observation x = B z + b when ``B`` is given.

        Parameters
        ----------
        A : array_like, shape (M,)
            Diagonal of the linear part.
        W1 : array_like, shape (M, H)
            Output weights of the hidden layer.
        W2 : array_like, shape (H, M)
            Input weights of the hidden layer.
        h1 : array_like, shape (M,)
            Latent bias.
        h2 : array_like, shape (H,)
            Hidden bias.
        clipped : bool
            The clipped variant [ReLU(W2 z + h2) - ReLU(W2 z)].
        n_obs : int
            Number of observed variables N.
        L : array_like, shape (M - N, N), optional
            Extra latents of an observation, L x (identity model; default 0).
        B : array_like, optional
            Observation matrix (shPLRNN: x = B z + b, affine model; AL-RNN: initial latents (x B)_{N:}).
        b : array_like, shape (N,), optional
            Observation offset of the affine model (default: none, x = B z).
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).
        """
        p = {k: np.asarray(v, dtype=np.float64) for k, v in dict(A=A, W1=W1, W2=W2, h1=h1, h2=h2).items()}
        M, H = p["W1"].shape
        if p["A"].shape != (M,) or p["W2"].shape != (H, M) or p["h1"].shape != (M,) or p["h2"].shape != (H,):
            raise ValueError(
                f"inconsistent shapes: A {p['A'].shape}, W1 {p['W1'].shape} (M x H), W2 {p['W2'].shape} "
                f"(H x M), h1 {p['h1'].shape}, h2 {p['h2'].shape}"
            )
        if B is not None:
            p["B"] = np.asarray(B, dtype=np.float64)
            N = p["B"].shape[0]
            if p["B"].shape != (N, M):
                raise ValueError(f"B must have shape (N, {M}), got {p['B'].shape}")
            if b is not None:
                p["b"] = np.asarray(b, dtype=np.float64).reshape(N)
            observation = "affine"
        else:
            N = M if n_obs is None else check_int("n_obs", n_obs)
            if N > M:
                raise ValueError(f"n_obs={N} exceeds latent_dim={M}")
            if N < M:
                p["L"] = np.zeros((M - N, N)) if L is None else np.asarray(L, dtype=np.float64).reshape(M - N, N)
            observation = "identity"
        model = cls(M, H, clipped=clipped, observation=observation, observation_bias="b" in p)
        model._cfg = _Config(M, H, N, bool(clipped), observation, observation_bias="b" in p)
        model.params_, model.dim_, model.dt_, model._x_ref = p, N, float(dt), np.zeros(N)
        model.alpha_ = math.nan
        model.fitted_ = True
        return model

    # ---- prediction --------------------------------------------------------------------
    def _jparams(self) -> dict:
        return {k: jnp.asarray(v) for k, v in self.params_.items()}

    def _law(self):
        return _law_clipped if self._cfg.clipped else _law_plain

    def latent_state(self, x: Any) -> np.ndarray:
        """The latent state the model assigns to an observed state x (N,) or batch (B, N).

        Parameters
        ----------
        x : array_like
            Observed state(s) (..., N).
        """
        self._check_fitted()
        arr = np.asarray(x, dtype=np.float64)
        check_series(arr.reshape(-1, arr.shape[-1]) if arr.ndim else arr, what="x", dim=self.dim_)
        return np.asarray(init_latent(jnp.asarray(arr), self._jparams(), self._cfg.observation, self._cfg.M))

    def observe(self, z: Any) -> np.ndarray:
        """Observations x = O(z) of latent states z (..., M).

        Parameters
        ----------
        z : jax.Array, shape (..., M)
            Latent state(s).
        """
        self._check_fitted()
        return np.asarray(
            observe(jnp.asarray(z, dtype=jnp.float64), self._jparams(), self._cfg.observation, self._cfg.N)
        )

    def generate(self, x0: Any, steps: int, *, latent: bool = False) -> np.ndarray:
        """Free-running prediction of ``steps`` samples after the observed state x0 (N,) (or batch (B, N)):
        z_0 = init_latent(x0), z_t = F(z_{t-1}), x_t = O(z_t). ``latent=True`` returns the z_t (steps, M).

        Parameters
        ----------
        x0 : array_like
            The observed start state (d,) (or a batch (B, d) where supported).
        steps : int
            Number of samples to predict.
        latent : bool
            Return the latent states z_t (steps, M) instead of the observations.
        """
        self._check_fitted()
        steps = check_steps(steps)
        x0 = check_x0(x0, self.dim_)
        init, _, obs = _observation_fns(self._cfg.observation, self._cfg.M, self._cfg.N)
        return np.asarray(generate_from(self._law(), init, obs, self._jparams(), jnp.asarray(x0), steps, bool(latent)))

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """Predict ``steps`` samples after the observed ``context`` (T_c, N): the latent state is inferred by
        running the model through the context with full teacher forcing (alpha = 1 on the forced units),
        z_1 = init_latent(x_1), z_t = force(F(z_{t-1}), x_t), then the model runs free.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples; the prediction continues after the last.
        steps : int
            Number of samples to predict.
        """
        self._check_fitted()
        ctx = check_series(context, what="context", min_length=1, dim=self.dim_)
        steps = check_steps(steps)
        init, force, obs = _observation_fns(self._cfg.observation, self._cfg.M, self._cfg.N)
        return np.asarray(forecast_from(self._law(), init, force, obs, self._jparams(), jnp.asarray(ctx), steps))

    def as_system(self) -> Map:
        """The learned latent map z_{t+1} = F(z_t) as a :class:`dynstab.Map` (params A, W1, W2, h1, h2;
        analytic piecewise-constant Jacobian). One iteration is ``dt_`` time units (the map's ``dt``), so
        ``lyapunov_spectrum`` gives exponents per time unit. Observation: x = z[:N]
        (identity) or x = B z + b (affine; ``params_['B']``, ``params_['b']``); see ``observe``."""
        self._check_fitted()
        cfg = self._cfg
        p = {k: jnp.asarray(self.params_[k]) for k in ("A", "W1", "W2", "h1", "h2")}
        z0 = init_latent(jnp.asarray(self._x_ref), self._jparams(), cfg.observation, cfg.M)
        kind = "clipped shPLRNN" if cfg.clipped else "shPLRNN"
        obs = "x = z[:N]" if cfg.observation == "identity" else "x = B z + b"
        system = Map.from_law(
            _law_clipped if cfg.clipped else _law_plain,
            params=p,
            x0=np.asarray(z0),
            names=tuple(f"z{i + 1}" for i in range(cfg.M)),
            name=f"learned {kind}",
            reference="F. Hess, Z. Monfared, M. Brenner, D. Durstewitz, Generalized Teacher Forcing "
            "for Learning Chaotic Dynamics, ICML 2023, PMLR 202:13017-13049",
            jac=_jac_clipped if cfg.clipped else _jac_plain,
            dt=self.dt_,
            description=f"{kind} with M={cfg.M}, H={cfg.H} learned from data sampled every "
            f"dt={self.dt_:g} (one iteration = dt time units); observation {obs} "
            f"with N={cfg.N}",
        )
        return cast(Map, system)  # from_law is annotated -> System


@functools.cache
def _observation_fns(observation: str, m: int, n: int):
    """(init, force, observe) closures of one observation model, cached so jit sees the same functions."""

    def init(x, p):
        return init_latent(x, p, observation, m)

    def force(x, p):
        return forcing_signals(x, p, observation)

    def obs(z, p):
        return observe(z, p, observation, n)

    return init, force, obs
