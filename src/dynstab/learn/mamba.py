r"""PhyxMamba: a selective state-space forecaster with delay-embedded patches, multi-token prediction and
attractor-geometry (MMD) regularisation.

Liu, Zhao, Ding, Wang and Li, "Mamba integrated with physics principles masters long-term chaotic
system forecasting", arXiv:2505.23863 (2025). The backbone is the Mamba-2 block of
:mod:`dynstab.learn.ssm` (Gu & Dao, arXiv:2312.00752; Dao & Gu, arXiv:2405.21060).

Model, on z-scored data :math:`x_t \in \mathbb{R}^d` (training mean and standard deviation):

1. **Delay embedding** per variable (phase-space reconstruction, Takens 1981) with dimension m and
   delay :math:`\tau`: :math:`e_t = (x_{i,t}, x_{i,t-\tau}, \dots, x_{i,t-(m-1)\tau})_{i=1..d} \in
   \mathbb{R}^{dm}`.
2. **Patch tokens** of P = ``token_size`` steps: token k holds :math:`e_{kP}, \dots, e_{kP+P-1}`
   (P d m numbers), embedded linearly, :math:`r^{(0)}_k = W_e\,\mathrm{vec}(\text{token}_k) + b_e \in
   \mathbb{R}^D`.
3. **Hierarchical residual stack** of L Mamba-2 mixers (doubly residual, as N-BEATS): layer l reads
   the residual :math:`r^{(l-1)}`, outputs :math:`m^{(l)} = \mathrm{Mixer}_l(\mathrm{RMSNorm}(r^{(l-1)}))`,
   explains part of its input ("current token", :math:`r^{(l)} = r^{(l-1)} - W_l m^{(l)}`, passed on) and
   contributes to the next one ("future token"): :math:`H_k = \sum_l m^{(l)}_k`.
4. **Shared patch decoder**: the next patch :math:`\hat x_{(k+1)P}, \dots, \hat x_{(k+1)P+P-1} =
   W_d\,\mathrm{RMSNorm}(H_k) + b_d` (P d numbers).
5. **Autoregressive rollout** one patch at a time on a window of the last ``lookback`` tokens
   (``context_length`` = lookback P + (m - 1) tau samples): predict a patch, append it, drop the oldest
   patch, repeat. Generation runs the block's recurrent form over the window (memory independent of
   the window length), training the associative-scan form; both give the same numbers.

Training, stage 1 (``n_epochs``; teacher forcing, every position of a window of ``lookback`` tokens
predicts the next patch) with **multi-token prediction** (DeepSeek-V3 style, ``mtp_steps`` modules j):
:math:`H^{(j)}_k = \mathrm{Block}_j\big(W^{(j)}[\mathrm{RMSNorm}(H^{(j-1)}_k);
\mathrm{RMSNorm}(r^{(0)}_{k+j})]\big)` (with :math:`H^{(0)} = H`), decoded by the shared decoder into
patch k + j + 1. Loss:

.. math::

    L_1 = \mathrm{MSE}_{main} + \frac{\lambda_{mtp}}{J} \sum_{j=1}^{J} \mathrm{MSE}_j.

Stage 2 (``finetune_epochs``, learning rate ``finetune_learning_rate``, no MTP): autoregressive
rollouts of ``rollout_tokens`` patches from windows of ``lookback`` tokens,

.. math::

    L_2 = \mathrm{MSE}_{rollout} + \lambda_u \overline{\mathrm{MMD}^2}(x_0, \hat x_s)
          + \lambda_c \overline{\mathrm{MMD}^2}(x_s, \hat x_s).
 The MMD terms (:func:`rational_quadratic_mmd`, biased estimator, kernel
:math:`k(x,y) = \sum_\sigma (1 + \lVert x-y\rVert^2 / (2\sigma^2))^{-1}` with
:math:`\sigma \in \{0.2, 0.5, 0.9, 1.3\}`, on z-scores) compare, at each predicted step s, the batch
of predicted states with the batch of true states ("conditional", :math:`\lambda_c` = 1000) and with the
batch of the windows' initial states, samples of the invariant measure ("unconditional",
:math:`\lambda_u` = 1); the bar is the mean over the predicted steps.

Where this version differs from the authors' PyTorch code (models/mamba_mtp.py, util/loss_fn.py; not
available to us, built from the paper and the notes in ``shared/notes/learning-and-metrics.md`` section 3):
the MMD terms act in stage 2 only (with them in stage 1 too, lambda_c = 1000 dominated the teacher-forced
loss from the first epoch: on one Lorenz-63 lyapunov30 trajectory, 30 + 5 epochs of the CPU size gave VPT
0.10 Lyapunov times against 0.27 without MMD); the hierarchical stack's exact wiring (our reading: N-BEATS-style backcast residual, summed forecasts);
the rational-quadratic kernel's exponent (alpha = 1); one group of B, C and the associative scan
instead of the SSD chunked kernel; the stage-2 length is not given by the paper (ours: ``finetune_epochs``);
float64 instead of float32 / mixed precision; Adam with a cosine schedule and global-norm clipping; the
stage-1 learning rate, not given by the paper, is ours (1e-3 for "paper", 3e-3 for the CPU size, where 1e-3
trained too slowly: benchmarks/RESULTS.md).
"""

from __future__ import annotations

import math
from typing import Any, cast

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..systems import Map
from .base import (
    LearnedModel,
    NonFiniteLossError,
    as_training_data,
    check_int,
    check_series,
    check_steps,
    forecast_last_window,
    mark_fitted,
    standardization,
    train_or_recover,
)
from .ssm import ResidualBlock, RMSNorm

__all__ = ["PhyxMamba", "rational_quadratic_mmd", "PHYXMAMBA_PRESETS", "delay_tokens"]

#: Size presets. "cpu": trains on a 2-core CPU in 2-3 minutes per 700-sample trajectory, median VPT 2.6
#: Lyapunov times on Lorenz-63 lyapunov30 (benchmarks/bench_mamba.py, benchmarks/RESULTS.md; at 40 epochs and
#: learning rate 1e-3 it did not forecast); "paper": the sizes of Liu et al. (2025) (d_model 256, d_state 1024,
#: expand 2, headdim 64, mtp_steps 3, 800 epochs of stage 1), for a GPU.
PHYXMAMBA_PRESETS: dict[str, dict[str, Any]] = {
    "cpu": {
        "d_model": 32,
        "d_state": 16,
        "expand": 2,
        "headdim": 8,
        "n_layers": 2,
        "mtp_steps": 2,
        "n_epochs": 200,
        "finetune_epochs": 10,
        "batch_size": 32,
        "learning_rate": 3e-3,
    },
    "paper": {
        "d_model": 256,
        "d_state": 1024,
        "expand": 2,
        "headdim": 64,
        "n_layers": 2,
        "mtp_steps": 3,
        "n_epochs": 800,
        "finetune_epochs": 100,
        "batch_size": 32,
        "learning_rate": 1e-3,
    },
}

_SIZED = (
    "d_model",
    "d_state",
    "expand",
    "headdim",
    "n_layers",
    "mtp_steps",
    "n_epochs",
    "finetune_epochs",
    "batch_size",
)


@float64
def rational_quadratic_mmd(x: Any, y: Any, sigmas: Any = (0.2, 0.5, 0.9, 1.3)) -> jax.Array:
    r"""Squared maximum mean discrepancy with a sum of rational-quadratic kernels (biased V-statistic).

    .. math::

        \mathrm{MMD}^2 = \frac{1}{n^2}\sum_{ij} k(x_i, x_j) + \frac{1}{m^2}\sum_{ij} k(y_i, y_j)
            - \frac{2}{nm}\sum_{ij} k(x_i, y_j),\qquad
        k(a, b) = \sum_{\sigma} \Big(1 + \frac{\lVert a - b\rVert^2}{2\sigma^2}\Big)^{-1}

    (A. Gretton et al., "A kernel two-sample test", JMLR 13:723, 2012; the rational-quadratic kernel
    with alpha = 1, a scale mixture of Gaussians, as used by PhyxMamba with sigma in {0.2, 0.5, 0.9, 1.3}
    on standardized data). Zero for identical samples, positive for different distributions (the kernel
    is characteristic).

    Parameters
    ----------
    x : array_like, shape (n, d)
        The first sample.
    y : array_like, shape (m, d)
        The second sample.
    sigmas : sequence of float
        The length scales.

    Returns
    -------
    jax.Array
        The scalar MMD^2 (differentiable).
    """
    x = jnp.asarray(x, dtype=jnp.float64)
    y = jnp.asarray(y, dtype=jnp.float64)
    inv = 1.0 / (2.0 * jnp.asarray(sigmas, dtype=jnp.float64) ** 2)

    def mean_kernel(a, b):
        d2 = jnp.sum((a[:, None, :] - b[None, :, :]) ** 2, axis=-1)
        return jnp.mean(jnp.sum(1.0 / (1.0 + d2[..., None] * inv), axis=-1))

    return mean_kernel(x, x) + mean_kernel(y, y) - 2.0 * mean_kernel(x, y)


def delay_tokens(window: jax.Array, m: int, tau: int, P: int) -> jax.Array:
    """Delay-embed a window per variable and cut it into patch tokens.

    Parameters
    ----------
    window : jax.Array, shape (n P + (m - 1) tau, d)
        Samples, oldest first.
    m, tau : int
        Embedding dimension and delay (samples).
    P : int
        Samples per token.

    Returns
    -------
    jax.Array, shape (n, P d m)
        Token k holds e_t = (x_{i,t}, x_{i,t-tau}, ..., x_{i,t-(m-1)tau})_{i} for the P samples t of patch k.
    """
    lag = (m - 1) * tau
    T = window.shape[0] - lag
    emb = jnp.stack([window[lag - j * tau : lag - j * tau + T] for j in range(m)], axis=-1)  # (T, d, m)
    return emb.reshape(T // P, -1)


class _MTPModule(eqx.Module):
    norm_h: RMSNorm
    norm_e: RMSNorm
    proj: jax.Array
    block: ResidualBlock

    def __init__(self, D: int, block_args: tuple, key):
        k1, k2 = jax.random.split(key)
        self.norm_h = RMSNorm(D)
        self.norm_e = RMSNorm(D)
        self.proj = jax.random.uniform(k1, (D, 2 * D), jnp.float64, -1.0, 1.0) / math.sqrt(2 * D)
        self.block = ResidualBlock(D, *block_args, key=k2)

    def __call__(self, h_prev, emb):
        return self.block(jnp.concatenate([self.norm_h(h_prev), self.norm_e(emb)], axis=-1) @ self.proj.T)


class PhyxNet(eqx.Module):
    """The PhyxMamba network (see the module docstring): patch embedding, hierarchical residual stack of
    Mamba-2 mixers, shared patch decoder, and the MTP modules (training only).

    Parameters
    ----------
    d : int
        Observed variables.
    m, tau, P : int
        Delay embedding dimension, delay and samples per token.
    D, N, expand, headdim, d_conv, n_layers, mtp_steps : int
        Model width, state size, expansion, head width, conv width, layers and MTP modules.
    key : jax.Array
        PRNG key.
    """

    w_emb: jax.Array
    b_emb: jax.Array
    norms: list
    mixers: list
    backcast: list
    norm_f: RMSNorm
    w_dec: jax.Array
    b_dec: jax.Array
    mtp: list
    d: int = eqx.field(static=True)
    m: int = eqx.field(static=True)
    tau: int = eqx.field(static=True)
    P: int = eqx.field(static=True)
    increments: bool = eqx.field(static=True)

    def __init__(self, d, m, tau, P, D, N, expand, headdim, d_conv, n_layers, mtp_steps, *, key, increments=False):
        from .ssm import Mamba2Mixer

        keys = jax.random.split(key, 4 + 2 * n_layers + mtp_steps)
        n_in, n_out = P * d * m, P * d
        self.w_emb = jax.random.uniform(keys[0], (D, n_in), jnp.float64, -1.0, 1.0) / math.sqrt(n_in)
        self.b_emb = jnp.zeros(D)
        self.norms = [RMSNorm(D) for _ in range(n_layers)]
        self.mixers = [Mamba2Mixer(D, N, expand, headdim, d_conv, key=keys[4 + i]) for i in range(n_layers)]
        self.backcast = [
            jax.random.uniform(keys[4 + n_layers + i], (D, D), jnp.float64, -1.0, 1.0) / math.sqrt(D)
            for i in range(n_layers)
        ]
        self.norm_f = RMSNorm(D)
        self.w_dec = jax.random.uniform(keys[1], (n_out, D), jnp.float64, -1.0, 1.0) / math.sqrt(D)
        self.b_dec = jnp.zeros(n_out)
        args = (N, expand, headdim, d_conv)
        self.mtp = [_MTPModule(D, args, keys[4 + 2 * n_layers + j]) for j in range(mtp_steps)]
        self.d, self.m, self.tau, self.P, self.increments = d, m, tau, P, bool(increments)

    def embed(self, tokens):
        """Patch embedding of tokens (n, P d m) -> (n, D)."""
        return tokens @ self.w_emb.T + self.b_emb

    def hidden(self, r):
        """The stack on an embedded sequence (n, D) -> the forecast hidden H (n, D) (associative scan)."""
        H = jnp.zeros_like(r)
        for norm, mixer, back in zip(self.norms, self.mixers, self.backcast):
            out = mixer(norm(r))
            H = H + out
            r = r - out @ back.T
        return H

    def decode(self, H, last=None):
        """Shared decoder: hidden (..., D) -> next patch (..., P, d); with ``increments`` the decoder's output is
        added to ``last`` (..., d), the last sample of the token the hidden state belongs to."""
        out = (self.norm_f(H) @ self.w_dec.T + self.b_dec).reshape(*H.shape[:-1], self.P, self.d)
        return out + last[..., None, :] if self.increments else out

    def last_hidden_recurrent(self, r):
        """H at the last position of an embedded sequence (n, D), by the recurrent form (generation)."""

        def body(caches, r_t):
            new, H = [], jnp.zeros_like(r_t)
            for cache, norm, mixer, back in zip(caches, self.norms, self.mixers, self.backcast):
                cache, out = mixer.step(cache, norm(r_t))
                new.append(cache)
                H = H + out
                r_t = r_t - back @ out
            return new, H

        caches = [mixer.init_cache() for mixer in self.mixers]
        caches, H = jax.lax.scan(lambda c, x: body(c, x), caches, r[:-1])
        return body(caches, r[-1])[1]

    def next_patch(self, window, recurrent: bool = False):
        """The patch that follows a window of z-scored samples (lookback P + (m-1) tau, d) -> (P, d)."""
        r = self.embed(delay_tokens(window, self.m, self.tau, self.P))
        H = self.last_hidden_recurrent(r) if recurrent else self.hidden(r)[-1]
        return self.decode(H, window[-1])

    def rollout(self, window, n_patches: int, recurrent: bool = False):
        """``n_patches`` patches autoregressively from a window: (n_patches P, d)."""
        P = self.P

        def body(w, _):
            patch = self.next_patch(w, recurrent)
            return jnp.concatenate([w[P:], patch]), patch

        _, patches = jax.lax.scan(body, window, None, length=n_patches)
        return patches.reshape(-1, self.d)


class PhyxMamba(LearnedModel):
    """PhyxMamba forecaster (Liu et al. 2025, arXiv:2505.23863): delay-embedded patch tokens, a hierarchical
    stack of Mamba-2 blocks, multi-token prediction in training and MMD attractor regularisation.

    The model and its training are written out in the module docstring (:mod:`dynstab.learn.mamba`).
    Every hyperparameter left at ``None`` takes the value of the ``size`` preset
    (:data:`PHYXMAMBA_PRESETS`); one given explicitly overrides the preset.

    Parameters
    ----------
    size : str
        ``"cpu"`` (d_model 32, d_state 16, expand 2, headdim 8 -> 8 heads, 2 layers, 2 MTP modules,
        200 + 10 epochs at learning rate 3e-3; 2-3 minutes per 700-sample trajectory on 2 CPU cores;
        Lorenz-63 lyapunov30 median VPT 2.6 Lyapunov times against the paper's 5.06) or ``"paper"``
        (d_model 256, d_state 1024, expand 2, headdim 64, 2 layers, 3 MTP modules, 800 + 100 epochs at
        1e-3; a GPU).
    d_model, d_state, expand, headdim, n_layers, mtp_steps : int, optional
        Width D, SSM state size N, expansion, channels per head, layers of the stack (``hier_layers``),
        MTP modules (0: none).
    d_conv : int
        Width of the causal convolution (4, as Mamba).
    embedding_dim, delay : int
        Delay embedding m and tau in samples (3 and 7: the paper's Lorenz-63 values at 30 points per
        Lyapunov time).
    token_size : int
        Samples per patch token P (10 for Lorenz-63 in the paper, 5 for Rossler).
    lookback : int
        Tokens in the rollout window (30 in the paper).
    increments : bool
        Decode each patch as increments on the last sample of its token (x_last + decoder output) instead of
        absolute values (the paper's decoder).
    n_epochs, finetune_epochs : int, optional
        Epochs of stage 1 (teacher forcing + MTP) and stage 2 (autoregressive fine-tuning; 0 skips it).
        An epoch is ceil(windows / batch_size) steps on random batches of windows.
    rollout_tokens : int
        Patches rolled out per stage-2 window.
    batch_size : int, optional
        Windows per step.
    learning_rate : float, optional
        Adam learning rate of stage 1, cosine-decayed to 10 % (preset: 3e-3 for "cpu", 1e-3 for "paper"; at
        the CPU size and 1e-3, 100 epochs leave the one-patch error above the sMAPE threshold).
    finetune_learning_rate : float
        Adam learning rate of stage 2, constant (1e-4, the paper's).
    gradient_clip : float
        Global-norm gradient clipping.
    lambda_mtp, lambda_mmd, lambda_cmmd : float
        Weights of the MTP loss (0.1), of the unconditional (1) and conditional (1000) MMD terms.
    mmd_sigmas : sequence of float
        Length scales of the rational-quadratic kernel.
    standardize : bool
        z-score the data with the training statistics.
    seed : int
        Initial weights and batches.
    progress : bool, optional
        Progress bar (``None``: when a stage is expected to exceed a few seconds).

    Attributes
    ----------
    net_
        The trained :class:`PhyxNet` (z-scored units).
    mean_, scale_
        Training statistics.
    losses_
        Mean loss of each epoch, stage 1 then stage 2.
    train_result_
        The :class:`~dynstab.learn.base.TrainResult` of stage 1 (``finetune_result_``: stage 2).
    dim_, dt_
        Observed variables and sampling step.
    """

    def __init__(
        self,
        size: str = "cpu",
        *,
        d_model: int | None = None,
        d_state: int | None = None,
        expand: int | None = None,
        headdim: int | None = None,
        n_layers: int | None = None,
        mtp_steps: int | None = None,
        d_conv: int = 4,
        embedding_dim: int = 3,
        delay: int = 7,
        token_size: int = 10,
        lookback: int = 30,
        increments: bool = False,
        n_epochs: int | None = None,
        finetune_epochs: int | None = None,
        rollout_tokens: int = 3,
        batch_size: int | None = None,
        learning_rate: float | None = None,
        finetune_learning_rate: float = 1e-4,
        gradient_clip: float = 1.0,
        lambda_mtp: float = 0.1,
        lambda_mmd: float = 1.0,
        lambda_cmmd: float = 1000.0,
        mmd_sigmas: tuple[float, ...] = (0.2, 0.5, 0.9, 1.3),
        standardize: bool = True,
        seed: int = 0,
        progress: bool | None = None,
    ):
        self.size = size
        self.d_model = d_model
        self.d_state = d_state
        self.expand = expand
        self.headdim = headdim
        self.n_layers = n_layers
        self.mtp_steps = mtp_steps
        self.d_conv = d_conv
        self.embedding_dim = embedding_dim
        self.delay = delay
        self.token_size = token_size
        self.lookback = lookback
        self.increments = increments
        self.n_epochs = n_epochs
        self.finetune_epochs = finetune_epochs
        self.rollout_tokens = rollout_tokens
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.finetune_learning_rate = finetune_learning_rate
        self.gradient_clip = gradient_clip
        self.lambda_mtp = lambda_mtp
        self.lambda_mmd = lambda_mmd
        self.lambda_cmmd = lambda_cmmd
        self.mmd_sigmas = mmd_sigmas
        self.standardize = standardize
        self.seed = seed
        self.progress = progress

    # ------------------------------------------------------------------ hyperparameters
    def _settings(self) -> dict[str, Any]:
        """The validated hyperparameters, preset values filled in."""
        if self.size not in PHYXMAMBA_PRESETS:
            raise ValueError(f"size must be one of {sorted(PHYXMAMBA_PRESETS)}, got {self.size!r}")
        preset = PHYXMAMBA_PRESETS[self.size]
        s: dict[str, Any] = {}
        for name in _SIZED:
            value = getattr(self, name)
            minimum = 0 if name in ("mtp_steps", "finetune_epochs") else 1
            s[name] = check_int(name, preset[name] if value is None else value, minimum)
        for name in ("d_conv", "embedding_dim", "delay", "token_size", "lookback", "rollout_tokens"):
            s[name] = check_int(name, getattr(self, name))
        if (s["expand"] * s["d_model"]) % s["headdim"]:
            raise ValueError(
                f"expand * d_model = {s['expand'] * s['d_model']} must be a multiple of headdim = {s['headdim']}"
            )
        for name in ("learning_rate", "finetune_learning_rate", "gradient_clip"):
            value = getattr(self, name)
            if value is None and name in preset:
                value = preset[name]
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (math.isfinite(value) and value > 0)
            ):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
            s[name] = float(value)
        for name in ("lambda_mtp", "lambda_mmd", "lambda_cmmd"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (math.isfinite(value) and value >= 0)
            ):
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
            s[name] = float(value)
        try:
            sig = tuple(float(v) for v in self.mmd_sigmas)
        except (TypeError, ValueError):
            raise ValueError(f"mmd_sigmas must be a sequence of positive numbers, got {self.mmd_sigmas!r}") from None
        if not sig or not all(math.isfinite(v) and v > 0 for v in sig):
            raise ValueError(f"mmd_sigmas must be a non-empty sequence of positive numbers, got {self.mmd_sigmas!r}")
        s["mmd_sigmas"] = sig
        return s

    @property
    def context_length(self) -> int:
        """Samples of context a forecast needs: lookback * token_size + (embedding_dim - 1) * delay."""
        return int(self.lookback) * int(self.token_size) + (int(self.embedding_dim) - 1) * int(self.delay)

    @property
    def samples_per_iteration(self) -> int:
        """Samples one iteration of :meth:`as_system` advances: one patch, ``token_size``."""
        return int(self.token_size)

    # ------------------------------------------------------------------ training
    def fit(self, data: Any, dt: float | None = None) -> PhyxMamba:
        """Train in two stages (teacher forcing with MTP, then autoregressive fine-tuning) on windows of the data.

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (T_i, d) (see :func:`~dynstab.learn.base.as_training_data`); each needs at
            least ``context_length + (mtp_steps + 1) * token_size`` samples.
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).

        Returns
        -------
        PhyxMamba
            ``self``.

        Raises
        ------
        NonFiniteLossError
            When a loss became non-finite; the model keeps the best parameters before it.
        """
        import optax

        s = self._settings()
        P, L, J, K = s["token_size"], s["lookback"], s["mtp_steps"], s["rollout_tokens"]
        lag = (s["embedding_dim"] - 1) * s["delay"]
        n1 = lag + (L + J + 1) * P  # samples of a stage-1 window
        n2 = lag + (L + K) * P  # of a stage-2 window
        td = as_training_data(data, dt, min_length=max(n1, n2 if s["finetune_epochs"] else 0))
        self.mean_, self.scale_ = standardization(td, bool(self.standardize))
        d = td.dim
        z_all = jnp.asarray(np.concatenate([(x - self.mean_) / self.scale_ for x in td.series]))
        offsets = np.cumsum([0] + list(td.lengths))

        def starts(n: int) -> jax.Array:
            return jnp.asarray(np.concatenate([np.arange(o, o + T - n + 1) for o, T in zip(offsets, td.lengths)]))

        net = PhyxNet(
            d,
            s["embedding_dim"],
            s["delay"],
            P,
            s["d_model"],
            s["d_state"],
            s["expand"],
            s["headdim"],
            s["d_conv"],
            s["n_layers"],
            J,
            key=jax.random.PRNGKey(int(self.seed)),
            increments=bool(self.increments),
        )
        params, static = eqx.partition(net, eqx.is_inexact_array)
        sig = s["mmd_sigmas"]
        lam_u, lam_c, lam_mtp = s["lambda_mmd"], s["lambda_cmmd"], s["lambda_mtp"]
        B = s["batch_size"]

        def mmd_terms(first, truth, pred):
            """lambda_u mean_s MMD^2(x_0, xhat_s) + lambda_c mean_s MMD^2(x_s, xhat_s); (B, S, d) batches."""
            if lam_u == 0 and lam_c == 0:
                return 0.0
            per_u = jax.vmap(lambda p: rational_quadratic_mmd(first, p, sig), in_axes=1)(pred)
            per_c = jax.vmap(lambda t, p: rational_quadratic_mmd(t, p, sig), in_axes=(1, 1))(truth, pred)
            return lam_u * jnp.mean(per_u) + lam_c * jnp.mean(per_c)

        def loss_stage1(params, windows):
            net = eqx.combine(params, static)
            tokens = jax.vmap(lambda w: delay_tokens(w, net.m, net.tau, P))(windows[:, :-P])  # (B, L+J, Pdm)
            patches = windows[:, lag:].reshape(B, L + J + 1, P, d)
            emb = net.embed(tokens)
            H = jax.vmap(net.hidden)(emb[:, :L])
            pred = net.decode(H, patches[:, :L, -1])  # (B, L, P, d): patches 1..L
            loss = jnp.mean((pred - patches[:, 1 : L + 1]) ** 2)
            if J and lam_mtp:
                mtp = jnp.zeros(())
                for j, module in enumerate(net.mtp, start=1):
                    H = jax.vmap(module)(H, emb[:, j : j + L])
                    mtp = mtp + jnp.mean(
                        (net.decode(H, patches[:, j : j + L, -1]) - patches[:, j + 1 : j + 1 + L]) ** 2
                    )
                loss = loss + lam_mtp * mtp / J
            return loss  # the MMD terms act in stage 2 only (see the module docstring)

        def loss_stage2(params, windows):
            net = eqx.combine(params, static)
            ctx = lag + L * P
            pred = jax.vmap(lambda w: net.rollout(w[:ctx], K))(windows)
            truth = windows[:, ctx:]
            return jnp.mean((pred - truth) ** 2) + mmd_terms(windows[:, 0], truth, pred)

        def make_step(loss_fn, opt, n):
            start_idx = starts(n)

            def step(state, key):
                params, opt_state = state
                idx = jax.random.choice(key, start_idx, (B,))
                windows = jax.vmap(lambda i: jax.lax.dynamic_slice(z_all, (i, 0), (n, d)))(idx)
                loss, grads = jax.value_and_grad(loss_fn)(params, windows)
                updates, opt_state = opt.update(grads, opt_state, params)
                return (optax.apply_updates(params, updates), opt_state), loss

            return step, max(1, -(-int(start_idx.shape[0]) // B))

        self.finetune_result_ = None
        self.finetune_error_ = None
        # stage 1: teacher forcing with multi-token prediction
        spe1 = max(1, -(-int(starts(n1).shape[0]) // B))
        schedule = optax.cosine_decay_schedule(s["learning_rate"], s["n_epochs"] * spe1, alpha=0.1)
        opt1 = optax.chain(optax.clip_by_global_norm(s["gradient_clip"]), optax.adam(schedule))
        step1, spe1 = make_step(loss_stage1, opt1, n1)
        result = train_or_recover(
            self,
            step1,
            (params, opt1.init(params)),
            lambda st, res: self._set_fitted(eqx.combine(st[0], static), td, res, stage=1),
            "{err} The model now holds those best parameters (fitted_ = True).",
            n_epochs=s["n_epochs"],
            steps_per_epoch=spe1,
            seed=int(self.seed),
            progress=self.progress,
            description="PhyxMamba stage 1",
        )
        if result.interrupted or not s["finetune_epochs"]:
            return self
        # stage 2: autoregressive fine-tuning (no MTP), from the stage-1 parameters
        opt2 = optax.chain(optax.clip_by_global_norm(s["gradient_clip"]), optax.adam(s["finetune_learning_rate"]))
        step2, spe2 = make_step(loss_stage2, opt2, n2)
        params = eqx.partition(self.net_, eqx.is_inexact_array)[0]
        try:
            train_or_recover(
                self,
                step2,
                (params, opt2.init(params)),
                lambda st, res: self._set_fitted(eqx.combine(st[0], static), td, res, stage=2),
                "{err} The model now holds the best fine-tuned parameters (fitted_ = True).",
                n_epochs=s["finetune_epochs"],
                steps_per_epoch=spe2,
                seed=int(self.seed) + 1,
                progress=self.progress,
                description="PhyxMamba stage 2",
            )
        except NonFiniteLossError as err:
            if err.result.best_epoch >= 0:
                raise
            # the first fine-tuning epoch already diverged: the stage-1 model stays, said by the error
            self.finetune_error_ = str(err)
            new = NonFiniteLossError(
                f"PhyxMamba.fit: the autoregressive fine-tuning diverged in its first epoch; the model keeps the "
                f"stage-1 parameters (fitted_ = True). Lower finetune_learning_rate. ({err})"
            )
            new.result = err.result
            raise new from err
        return self

    def _set_fitted(self, net: PhyxNet, td, result, stage: int) -> None:
        self.net_ = net
        if stage == 1:
            self.train_result_ = result
            self.losses_ = np.asarray(result.losses)
        else:
            self.finetune_result_ = result
            self.losses_ = np.concatenate([np.asarray(self.train_result_.losses), np.asarray(result.losses)])
        self._last_window = td.series[-1][-self.context_length :]
        mark_fitted(self, td)
        params, self._static = eqx.partition(net, eqx.is_inexact_array)
        leaves, self._treedef = jax.tree_util.tree_flatten(params)
        self._leaves = [np.asarray(leaf) for leaf in leaves]

    # ------------------------------------------------------------------ prediction
    def _window(self, x0: Any) -> np.ndarray:
        """The window (context_length, d) from a window or the flattened map state."""
        L, d = self.context_length, self.dim_
        arr = np.asarray(x0, dtype=np.float64)
        if arr.shape == (L * d,):
            arr = arr.reshape(L, d)
        if arr.shape != (L, d):
            raise ValueError(
                f"x0 must be the last {L} samples (context_length), shape ({L}, {d}), or the flattened map "
                f"state ({L * d},) of as_system(); got shape {arr.shape}. forecast(context, steps) takes any "
                "longer context"
            )
        return check_series(arr, what="x0", dim=d)

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """Roll out from a window of ``context_length`` samples: (steps, d) in the data's units.

        A window model has no single-state start: x0 is the last ``context_length`` = lookback P +
        (m - 1) tau samples (oldest first), or the flattened state of :meth:`as_system` (as NG-RC).
        Patches are predicted one at a time (recurrent form of the blocks) and cut to ``steps``.

        Parameters
        ----------
        x0 : array_like
            The window (context_length, d) or its flattened form (context_length d,).
        steps : int
            Number of samples to predict.
        """
        self._check_fitted()
        steps = check_steps(steps)
        window = (self._window(x0) - self.mean_) / self.scale_
        n_patches = -(-steps // int(self.token_size))
        out = _rollout(self.net_, jnp.asarray(window), n_patches)
        return np.asarray(out[:steps]) * self.scale_ + self.mean_

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """The ``steps`` samples after ``context`` (T_c >= context_length, d): :meth:`generate` from its last
        ``context_length`` samples.

        Parameters
        ----------
        context : array_like, shape (T_c, d)
            Observed samples, oldest first.
        steps : int
            Number of samples to predict.
        """
        return forecast_last_window(self, context, steps)

    def as_system(self) -> Map:
        """The rollout as a `dynstab.Map` on the window of the last ``context_length`` samples (flattened,
        oldest first, data units): one iteration predicts one patch of P = ``token_size`` samples, appends it
        and drops the oldest P, so one iteration stands for P ``dt_`` time units (``dt`` of the map; Lyapunov
        exponents come out per time unit). The network weights are the parameters ``w0``, ``w1``, ...
        (plus ``mean`` and ``scale``); ``x0`` is the last training window.
        """
        self._check_fitted()
        L, d, P = self.context_length, self.dim_, int(self.token_size)
        treedef, static, n = self._treedef, self._static, len(self._leaves)

        def phyxmamba_map(s, p, t):
            net = eqx.combine(jax.tree_util.tree_unflatten(treedef, [p[f"w{i}"] for i in range(n)]), static)
            window = (s.reshape(L, d) - p["mean"]) / p["scale"]
            patch = net.next_patch(window, recurrent=True) * p["scale"] + p["mean"]
            return jnp.concatenate([s[P * d :], patch.reshape(-1)])

        params = {f"w{i}": leaf for i, leaf in enumerate(self._leaves)}
        params.update(mean=self.mean_, scale=self.scale_)
        names = tuple(f"x{i + 1}(t-{L - 1 - k})" if k < L - 1 else f"x{i + 1}" for k in range(L) for i in range(d))
        system = Map.from_law(
            phyxmamba_map,
            params=params,
            x0=np.asarray(self._last_window, dtype=np.float64).reshape(-1),
            names=names,
            name="PhyxMamba",
            reference="Liu, Zhao, Ding, Wang and Li, arXiv:2505.23863 (2025)",
            dt=P * self.dt_,
            description=f"window of {L} samples, one iteration = one patch of {P} samples = {P * self.dt_:g} "
            "time units",
        )
        return cast(Map, system)  # from_law is annotated -> System

    def window_state(self, window: Any) -> np.ndarray:
        """The map state of :meth:`as_system` for the last ``context_length`` samples of ``window``.

        Parameters
        ----------
        window : array_like, shape (T, d)
            Samples, T >= ``context_length`` (the last ones are kept).
        """
        self._check_fitted()
        x = check_series(window, what="window", min_length=self.context_length, dim=self.dim_)
        return x[-self.context_length :].reshape(-1)


@eqx.filter_jit
def _rollout(net: PhyxNet, window: jax.Array, n_patches: int) -> jax.Array:
    return net.rollout(window, n_patches, recurrent=True)
