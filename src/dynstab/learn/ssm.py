r"""A Mamba-2-style selective state-space block in JAX/equinox: the parallel (associative-scan) form for
training and the recurrent one-step form for generation.

Selective state-space model (A. Gu and T. Dao, "Mamba: linear-time sequence modeling with selective
state spaces", arXiv:2312.00752, 2023) with the scalar-times-identity state matrix of Mamba-2 / SSD
(T. Dao and A. Gu, "Transformers are SSMs: generalized models and efficient algorithms through
structured state space duality", ICML 2024, arXiv:2405.21060). For each head h (H heads of ``headdim``
P channels) and time t, with the input-dependent step size
:math:`\Delta_{t,h} = \mathrm{softplus}(w_\Delta \cdot u_t + b_{\Delta,h})`, the input-dependent
:math:`B_t, C_t \in \mathbb{R}^N` (shared by the heads: one group) and :math:`A_h = -e^{a_h} < 0`:

.. math::

    h_t = e^{\Delta_{t,h} A_h}\, h_{t-1} + \Delta_{t,h}\, x_{t,h} B_t^\top \quad (h_t \in \mathbb{R}^{P\times N}),
    \qquad y_{t,h} = h_t C_t + D_h x_{t,h},

from :math:`h_{-1} = 0` (zero-order-hold discretisation of A, Euler for B, as in both papers). The
recurrence is a linear first-order one, :math:`h_t = a_t h_{t-1} + b_t`, so the pairs
:math:`(a_t, b_t)` compose associatively, :math:`(a_1, b_1) \bullet (a_2, b_2) = (a_1 a_2, a_2 b_1 + b_2)`
(G. E. Blelloch, "Prefix sums and their applications", CMU-CS-90-190, 1990), and the whole sequence is
one ``jax.lax.associative_scan`` (O(log T) depth; :func:`selective_scan`). Unrolled, the recurrence is a
masked (T, T) matrix per head (the "dual" form of Mamba-2, :func:`selective_scan_dual`), which the block
uses for training on short sequences (a patch model's tens of tokens: twice as fast on a CPU). Generation
uses the same recurrence one step at a time (:func:`selective_step`, O(H P N) memory whatever the length).

Around the scan, the Mamba-2 block (:class:`Mamba2Mixer`): one input projection
:math:`u_t \mapsto (z_t, x_t, B_t, C_t, \Delta_t)`, a short causal depthwise convolution (width
``d_conv``) and SiLU on :math:`(x_t, B_t, C_t)`, the scan, the gate :math:`y_t \odot \mathrm{SiLU}(z_t)`
followed by RMSNorm (Mamba-2's gated norm), and the output projection. :class:`ResidualBlock` wraps it
pre-norm and residual, :math:`u \mapsto u + \mathrm{Mixer}(\mathrm{RMSNorm}(u))`.

Differences from the reference PyTorch/CUDA code (``mamba_ssm``): the SSD chunked matrix algorithm is
replaced by the quadratic form over the whole sequence (short sequences) or the associative scan (long
ones), both the same numbers as the recurrence to 1e-10 in the tests; one group of B, C; no fused kernels (the block runs unchanged on CPU and GPU through XLA);
float64 throughout.
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp

__all__ = [
    "RMSNorm",
    "Mamba2Mixer",
    "ResidualBlock",
    "selective_scan",
    "selective_scan_dual",
    "selective_step",
    "inverse_softplus",
    "DUAL_MAX_LENGTH",
]

#: Sequences up to this length go through the quadratic form (:func:`selective_scan_dual`, O(T^2) memory
#: per head), longer ones through the associative scan (:func:`selective_scan`).
DUAL_MAX_LENGTH = 256


def inverse_softplus(y: jax.Array) -> jax.Array:
    """x with softplus(x) = y (y > 0): y + log(-expm1(-y)).

    Parameters
    ----------
    y : jax.Array
        Positive values.

    Returns
    -------
    jax.Array
        The preimages.
    """
    return y + jnp.log(-jnp.expm1(-y))


def selective_scan(x, dt, A, B, C):
    """All outputs of the selective SSM by one associative scan over (decay, input) pairs.

    h_t = exp(dt_t A) h_{t-1} + dt_t x_t B_t^T, y_t = h_t C_t (from h_{-1} = 0; the skip D x is added by
    the caller).

    Parameters
    ----------
    x : jax.Array, shape (T, H, P)
        The inputs per head.
    dt : jax.Array, shape (T, H)
        The positive step sizes Delta.
    A : jax.Array, shape (H,)
        The negative diagonal (scalar per head) of the state matrix.
    B, C : jax.Array, shape (T, N)
        The input and output vectors.

    Returns
    -------
    y : jax.Array, shape (T, H, P)
        The outputs.
    h_last : jax.Array, shape (H, P, N)
        The last state h_{T-1} (to continue with :func:`selective_step`).
    """
    decay = jnp.exp(dt * A)  # (T, H)
    inputs = (dt[..., None] * x)[..., None] * B[:, None, None, :]  # (T, H, P, N)

    def combine(left, right):
        a1, b1 = left
        a2, b2 = right
        return a1 * a2, a2[..., None, None] * b1 + b2

    _, h = jax.lax.associative_scan(combine, (decay, inputs), axis=0)
    return jnp.einsum("thpn,tn->thp", h, C), h[-1]


def selective_scan_dual(x, dt, A, B, C):
    r"""All outputs of the selective SSM by its quadratic ("dual", attention-like) form.

    Unrolling the recurrence of :func:`selective_scan` with scalar decays per head gives (Dao & Gu 2024,
    section 3, the state-space duality)

    .. math::

        y_{t,h} = \sum_{s \le t} \exp\Big(\sum_{r=s+1}^{t} \Delta_{r,h} A_h\Big)\,
                  (C_t \cdot B_s)\, \Delta_{s,h}\, x_{s,h},

    a masked (T, T) matrix per head applied to the inputs: O(T^2 H P) work in matrix products and no
    (T, H, P, N) state tensor, against the scan's O(T H P N) elementwise work and memory. It is the form
    Mamba-2 evaluates inside each chunk of its SSD algorithm; for the short sequences of a patch model
    (tens of tokens) it is the whole sequence, and on a CPU it trains about twice as fast as the
    associative scan (benchmarks/RESULTS.md, "PhyxMamba"). The exponent is a difference of cumulative
    sums, masked to -inf above the diagonal before the exponential (no overflow, zero weight).

    Parameters
    ----------
    x, dt, A, B, C : jax.Array
        As :func:`selective_scan`: inputs (T, H, P), step sizes (T, H), diagonal (H,), vectors (T, N).

    Returns
    -------
    jax.Array, shape (T, H, P)
        The outputs y (the skip D x is added by the caller).
    """
    T = x.shape[0]
    cum = jnp.cumsum(dt * A, axis=0)  # (T, H)
    causal = jnp.tril(jnp.ones((T, T), dtype=bool))[..., None]
    decay = jnp.exp(jnp.where(causal, cum[:, None, :] - cum[None, :, :], -jnp.inf))  # (t, s, H)
    return jnp.einsum("tsh,shp->thp", decay * (C @ B.T)[..., None], dt[..., None] * x)


def selective_step(h, x, dt, A, B, C):
    """One step of the selective SSM recurrence (the generation form of :func:`selective_scan`).

    Parameters
    ----------
    h : jax.Array, shape (H, P, N)
        The state h_{t-1}.
    x : jax.Array, shape (H, P)
        The input at t.
    dt : jax.Array, shape (H,)
        The step sizes at t.
    A : jax.Array, shape (H,)
        The state matrix diagonal.
    B, C : jax.Array, shape (N,)
        The input and output vectors at t.

    Returns
    -------
    h : jax.Array, shape (H, P, N)
        The state h_t.
    y : jax.Array, shape (H, P)
        The output y_t = h_t C_t.
    """
    h = jnp.exp(dt * A)[:, None, None] * h + (dt[:, None] * x)[..., None] * B[None, None, :]
    return h, h @ C


def _uniform(key, shape, bound):
    return jax.random.uniform(key, shape, jnp.float64, -bound, bound)


class RMSNorm(eqx.Module):
    """Root-mean-square normalisation x / sqrt(mean(x^2) + eps) * w (B. Zhang and R. Sennrich, NeurIPS 2019).

    Parameters
    ----------
    dim : int
        The feature dimension (w starts at ones).
    eps : float
        The regulariser under the square root.
    """

    weight: jax.Array
    eps: float = eqx.field(static=True)

    def __init__(self, dim: int, eps: float = 1e-6):
        self.weight = jnp.ones(dim, dtype=jnp.float64)
        self.eps = float(eps)

    def __call__(self, x: jax.Array) -> jax.Array:
        """Normalise over the last axis.

        Parameters
        ----------
        x : jax.Array, shape (..., dim)
            The features.

        Returns
        -------
        jax.Array
            Same shape.
        """
        return x * jax.lax.rsqrt(jnp.mean(x * x, axis=-1, keepdims=True) + self.eps) * self.weight


class Mamba2Mixer(eqx.Module):
    """The Mamba-2 mixer: projection, causal depthwise conv + SiLU, selective scan, gated RMSNorm, projection.

    Parameters
    ----------
    d_model : int
        Input and output width D.
    d_state : int
        State size N.
    expand : int
        d_inner = expand * D channels inside the block.
    headdim : int
        Channels per head P (d_inner must be a multiple; H = d_inner / P heads).
    d_conv : int
        Width of the causal depthwise convolution.
    key : jax.Array
        PRNG key of the initialisation (Mamba-2's: Delta log-uniform in [1e-3, 0.1] through the bias,
        A_h = -U(1, 16), D = 1, PyTorch's uniform +-1/sqrt(fan_in) for the projections and the conv).
    """

    w_in: jax.Array
    conv_w: jax.Array
    conv_b: jax.Array
    dt_bias: jax.Array
    A_log: jax.Array
    D: jax.Array
    norm: RMSNorm
    w_out: jax.Array
    d_inner: int = eqx.field(static=True)
    d_state: int = eqx.field(static=True)
    n_heads: int = eqx.field(static=True)
    headdim: int = eqx.field(static=True)
    d_conv: int = eqx.field(static=True)

    def __init__(self, d_model: int, d_state: int, expand: int, headdim: int, d_conv: int, *, key: jax.Array):
        d_inner = expand * d_model
        if d_inner % headdim:
            raise ValueError(f"expand * d_model = {d_inner} must be a multiple of headdim = {headdim}")
        n_heads = d_inner // headdim
        conv_dim = d_inner + 2 * d_state
        k_in, k_conv, k_cb, k_dt, k_a, k_out = jax.random.split(key, 6)
        self.w_in = _uniform(k_in, (2 * d_inner + 2 * d_state + n_heads, d_model), 1 / math.sqrt(d_model))
        self.conv_w = _uniform(k_conv, (d_conv, conv_dim), 1 / math.sqrt(d_conv))
        self.conv_b = _uniform(k_cb, (conv_dim,), 1 / math.sqrt(d_conv))
        dt0 = jnp.exp(jax.random.uniform(k_dt, (n_heads,), jnp.float64, math.log(1e-3), math.log(0.1)))
        self.dt_bias = inverse_softplus(dt0)
        self.A_log = jnp.log(jax.random.uniform(k_a, (n_heads,), jnp.float64, 1.0, 16.0))
        self.D = jnp.ones(n_heads, dtype=jnp.float64)
        self.norm = RMSNorm(d_inner)
        self.w_out = _uniform(k_out, (d_model, d_inner), 1 / math.sqrt(d_inner))
        self.d_inner, self.d_state, self.n_heads, self.headdim, self.d_conv = d_inner, d_state, n_heads, headdim, d_conv

    def _split(self, zxbcdt):
        di, n = self.d_inner, self.d_state
        return zxbcdt[..., :di], zxbcdt[..., di : 2 * di + 2 * n], zxbcdt[..., 2 * di + 2 * n :]

    def _ssm_inputs(self, xbc, dt_raw):
        di, n = self.d_inner, self.d_state
        x = xbc[..., :di].reshape(*xbc.shape[:-1], self.n_heads, self.headdim)
        return (
            x,
            xbc[..., di : di + n],
            xbc[..., di + n :],
            jax.nn.softplus(dt_raw + self.dt_bias),
            -jnp.exp(self.A_log),
        )

    def _output(self, y, x, z):
        y = (y + self.D[:, None] * x).reshape(*z.shape)
        return self.norm(y * jax.nn.silu(z)) @ self.w_out.T

    def __call__(self, u: jax.Array) -> jax.Array:
        """The whole sequence at once (training form: the quadratic form up to :data:`DUAL_MAX_LENGTH` steps,
        the associative scan beyond).

        Parameters
        ----------
        u : jax.Array, shape (T, D)
            The input sequence.

        Returns
        -------
        jax.Array, shape (T, D)
            The output sequence.
        """
        z, xbc, dt_raw = self._split(u @ self.w_in.T)
        T = u.shape[0]
        padded = jnp.concatenate([jnp.zeros((self.d_conv - 1, xbc.shape[1]), xbc.dtype), xbc])
        conv = sum(padded[k : k + T] * self.conv_w[k] for k in range(self.d_conv)) + self.conv_b
        x, B, C, dt, A = self._ssm_inputs(jax.nn.silu(conv), dt_raw)
        if T <= DUAL_MAX_LENGTH:
            y = selective_scan_dual(x, dt, A, B, C)
        else:
            y, _ = selective_scan(x, dt, A, B, C)
        return self._output(y, x, z)

    def init_cache(self) -> tuple[jax.Array, jax.Array]:
        """The empty generation cache: the last d_conv - 1 conv inputs and the SSM state, all zero.

        Returns
        -------
        tuple of jax.Array
            Shapes (d_conv - 1, d_inner + 2 N) and (H, P, N).
        """
        return (
            jnp.zeros((self.d_conv - 1, self.d_inner + 2 * self.d_state)),
            jnp.zeros((self.n_heads, self.headdim, self.d_state)),
        )

    def step(self, cache, u_t: jax.Array):
        """One time step (generation form: the recurrence); equals ``__call__`` on the sequence so far.

        Parameters
        ----------
        cache : tuple of jax.Array
            From :meth:`init_cache` or the previous step.
        u_t : jax.Array, shape (D,)
            The input at t.

        Returns
        -------
        cache : tuple of jax.Array
            The updated cache.
        out : jax.Array, shape (D,)
            The output at t.
        """
        conv_buf, h = cache
        z, xbc, dt_raw = self._split(self.w_in @ u_t)
        window = jnp.concatenate([conv_buf, xbc[None]])
        x, B, C, dt, A = self._ssm_inputs(jax.nn.silu(jnp.sum(window * self.conv_w, axis=0) + self.conv_b), dt_raw)
        h, y = selective_step(h, x, dt, A, B, C)
        return (window[1:], h), self._output(y, x, z)


class ResidualBlock(eqx.Module):
    """Pre-norm residual Mamba-2 block u -> u + Mixer(RMSNorm(u)).

    Parameters
    ----------
    d_model, d_state, expand, headdim, d_conv : int
        As :class:`Mamba2Mixer`.
    key : jax.Array
        PRNG key.
    """

    norm: RMSNorm
    mixer: Mamba2Mixer

    def __init__(self, d_model: int, d_state: int, expand: int, headdim: int, d_conv: int, *, key: jax.Array):
        self.norm = RMSNorm(d_model)
        self.mixer = Mamba2Mixer(d_model, d_state, expand, headdim, d_conv, key=key)

    def __call__(self, u: jax.Array) -> jax.Array:
        """The sequence form (T, D) -> (T, D).

        Parameters
        ----------
        u : jax.Array, shape (T, D)
            Input sequence.

        Returns
        -------
        jax.Array, shape (T, D)
            Output sequence.
        """
        return u + self.mixer(self.norm(u))

    def init_cache(self):
        """The mixer's empty cache (:meth:`Mamba2Mixer.init_cache`).

        Returns
        -------
        tuple of jax.Array
            The cache.
        """
        return self.mixer.init_cache()

    def step(self, cache, u_t: jax.Array):
        """One step of the recurrent form.

        Parameters
        ----------
        cache : tuple of jax.Array
            The mixer's cache.
        u_t : jax.Array, shape (D,)
            The input at t.

        Returns
        -------
        cache, out
            The new cache and the output (D,).
        """
        cache, out = self.mixer.step(cache, self.norm(u_t))
        return cache, u_t + out
