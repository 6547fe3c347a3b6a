"""Lyapunov exponents of input-driven sequence models and Jacobian spectra of deep networks.

Driven sequence models. A recurrent model h_{t+1} = F(h_t, u_t) under a given input sequence
u_0 .. u_{T-1} is a non-autonomous map. `driven_system` makes it a dynstab `Map` by putting the
inputs into the map's parameters and reading u_n with the map's time argument, the iteration
index n (``law(h, p, n) = F(h, p["inputs"][n], p)``), so `dynstab.analysis.lyapunov_spectrum`
(Benettin/QR with forward-mode Jacobians, ``jax.jacfwd``/``jax.linearize`` of the law) runs on it
unchanged: `driven_lyapunov_spectrum` is that spectrum along the driven orbit, with a transient of
t0 iterations, QR every step and T - t0 measured iterations (inputs t0 .. T - 1).
`finite_time_exponents` are the same logs summed over windows of w steps. Models accepted:

* a callable ``step(h, u, p) -> h'`` (a user's RNN, a diagonal selective SSM
  h' = a(u) * h + b(u) u in the Mamba style, ...) with its parameters ``p``;
* a fitted `dynstab.learn.EchoStateNetwork`, open loop: r' = (1 - a) r + a tanh(W r + W_in u + b)
  with the inputs u standardized as in training (built from the public ``as_system()``: the
  closed-loop law with the readout set to zero and W_in u added to the bias);
* any `Map` or model with ``as_system()`` (PLRNN, AL-RNN), driven additively,
  h' = f(h) + C u (``input_matrix`` C; default the first m latents, C = [I_m; 0]).

`precision_divergence` runs the same model from the same start in float64 and in float16/bfloat16
(state, inputs and parameters cast) and reports when the two orbits separate: a chaotic model
(lambda_max > 0) loses the low-precision orbit after about ln(threshold / eps) / lambda_max steps.

Deep networks at initialization (dynamical isometry; Saxe et al. 2014, Pennington, Schoenholz &
Ganguli 2017). `stack_jacobian_spectrum` builds a depth-L stack x_{l+1} = G_l(x_l) of width N,

    plain:       x_{l+1} = phi(W_l x_l + b_l)
    residual:    x_{l+1} = x_l + alpha phi(W_l x_l + b_l)
    orthogonal:  x_{l+1} = Q_l x_l + alpha phi(W_l x_l + b_l)   (Q_l orthogonal: orthogonal hyper-connections)

with W_l ~ N(0, sigma_w^2 / N) ("gaussian") or sigma_w times a Haar-orthogonal matrix
("orthogonal" weights, QR of a Gaussian with the sign fix of Mezzadri 2007), b_l ~ N(0, sigma_b^2),
and the orthogonal Q_l from QR or from the Cayley transform (I - A)^{-1} (I + A) of a random skew
A. It returns the singular values of the end-to-end Jacobian J = prod_l dG_l/dx_l (``jax.jacfwd``),
their mean square (1/N) Tr J^T J and its spread (the variance of the squared singular values):
isometry is mean square 1 with small spread.

Mean field (Poole et al. 2016; Schoenholz et al. 2017): for x' = phi(W x + b), the pre-activation
variance settles at q* = sigma_w^2 E[phi(sqrt(q*) z)^2] + sigma_b^2 and the per-layer mean squared
singular value is chi = sigma_w^2 E[phi'(sqrt(q*) z)^2] (`mean_field_chi`); chi = 1 is the edge of
chaos, at sigma_w^2 = 1 for tanh with zero bias. The same network run as a recurrent map
h' = tanh(W h) (`random_tanh_network`) has its largest Lyapunov exponent cross 0 there (Sompolinsky,
Crisanti & Sommers 1988 for the continuous-time version).

References
----------
G. Benettin et al., Meccanica 15, 9 (1980). H. Sompolinsky, A. Crisanti, H. J. Sommers, Phys. Rev.
Lett. 61, 259 (1988). B. Poole et al., "Exponential expressivity in deep neural networks through
transient chaos", NeurIPS 2016. S. S. Schoenholz et al., "Deep information propagation", ICLR 2017.
J. Pennington, S. S. Schoenholz, S. Ganguli, "Resurrecting the sigmoid in deep learning through
dynamical isometry", NeurIPS 2017. A. M. Saxe, J. L. McClelland, S. Ganguli, ICLR 2014.
F. Mezzadri, Notices AMS 54, 592 (2007). R. Engelken, F. Wolf, L. F. Abbott, "Lyapunov spectra of
chaotic recurrent neural networks", Phys. Rev. Research 5, 043044 (2023). A. Gu, T. Dao, "Mamba",
arXiv:2312.00752 (2023) (the selective SSM). "Mamba State-Space Models Are Lyapunov-Stable Learners"
(the |A| < 1 stability claim checked here); "JPmHC: Dynamical Isometry via Orthogonal
Hyper-Connections" (orthogonal mixing of the residual stream).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..analysis.lyapunov import LyapunovSpectrum, lyapunov_spectrum
from ..learn.reservoir import EchoStateNetwork
from ..limits import check_allocation
from ..systems.base import Map
from ..validation import as_finite_array, as_float, as_int, as_positive_float

Progress = Callable[[int, int], None]
Step = Callable[[Any, Any, Mapping[str, Any]], Any]


# --------------------------------------------------------------------------------------------------
# driven sequence models as maps
# --------------------------------------------------------------------------------------------------
def _as_inputs(inputs: Any) -> np.ndarray:
    u = as_finite_array(inputs, name="inputs")
    if u.ndim == 1:
        u = u[:, None]
    if u.ndim != 2 or u.shape[0] < 1:
        raise ValueError(f"inputs must have shape (T,) or (T, m) with T >= 1, got {np.shape(inputs)}")
    return u


def _model_step(model: Any, m: int, input_matrix: Any) -> tuple[Step, dict, np.ndarray, str]:
    """(step(h, u, p), params, default start, name) of a supported model."""
    if isinstance(model, EchoStateNetwork):
        closed = model.as_system()
        p = {k: jnp.asarray(v) for k, v in closed.params.items()}
        if m != int(model.dim_):
            raise ValueError(f"inputs must have {model.dim_} columns (the ESN's input dimension), got {m}")
        p["W_out"] = jnp.zeros_like(p["W_out"])  # no feedback: the reservoir sees only the inputs
        p["input_mean"] = jnp.asarray(model.mean_)
        p["input_scale"] = jnp.asarray(model.scale_)
        law = closed.rhs

        def esn_step(r, u, q):
            drive = q["W_in"] @ ((u - q["input_mean"]) / q["input_scale"])
            return law(r, {**q, "bias": q["bias"] + drive}, 0)

        return esn_step, p, np.zeros(closed.dim), "driven echo state network"
    system = model if isinstance(model, Map) else getattr(model, "as_system", lambda: None)()
    if isinstance(system, Map):
        d = system.dim
        C = np.eye(d, m) if input_matrix is None else as_finite_array(input_matrix, name="input_matrix")
        if C.shape != (d, m):
            raise ValueError(f"input_matrix must have shape ({d}, {m}) (state x input), got {C.shape}")
        p = {k: jnp.asarray(v) for k, v in system.params.items()}
        p["input_matrix"] = jnp.asarray(C)
        law = system.rhs

        def additive_step(h, u, q):
            return law(h, q, 0) + q["input_matrix"] @ u

        return additive_step, p, np.asarray(system.x0), f"driven {system.name}"
    if callable(model):
        return cast(Step, model), {}, np.zeros(0), getattr(model, "__name__", "driven network")
    raise TypeError(
        "model must be a callable step(h, u, p), a fitted EchoStateNetwork, a dynstab Map or a model with "
        f"as_system() (PLRNN, ALRNN); got {type(model).__name__}"
    )


@float64
def driven_system(
    model: Any,
    inputs: Any,
    *,
    x0: Any = None,
    params: Mapping[str, Any] | None = None,
    input_matrix: Any = None,
    name: str | None = None,
) -> Map:
    """A sequence model driven by an input sequence, as a dynstab `Map` (the inputs are its parameters).

    The law is ``law(h, p, n) = step(h, p["inputs"][n], p)``: the map's time argument n (the iteration,
    from 0) selects the input, so every dynstab analysis of maps (trajectories, Lyapunov spectra) runs
    along the driven orbit. Iterations past T - 1 reuse the last input (JAX clamps the index).

    Parameters
    ----------
    model : callable, EchoStateNetwork, Map or model with ``as_system()``
        ``step(h, u, p) -> h'`` (u of shape (m,)); a fitted ESN (open loop); or an autonomous map
        driven additively, h' = f(h) + C u (module docstring).
    inputs : array_like, shape (T, m) or (T,)
        The input sequence u_0 .. u_{T-1}.
    x0 : array_like, shape (d,), optional
        Start state (default: 0 for an ESN, the map's x0 for a map; required for a callable).
    params : mapping, optional
        The callable's parameters ``p`` (names -> arrays); not allowed for the other kinds.
    input_matrix : array_like, shape (d, m), optional
        C of an additively driven map (default the first m coordinates).
    name : str, optional
        The system's name.

    Returns
    -------
    Map
        With parameters ``inputs`` and the model's own.
    """
    u = _as_inputs(inputs)
    step, p, default_x0, default_name = _model_step(model, u.shape[1], input_matrix)
    if params is not None:
        if default_x0.size:
            raise ValueError("params is for a callable step(h, u, p); this model carries its own parameters")
        if not isinstance(params, Mapping):
            raise TypeError(f"params must be a mapping of names to arrays, got {type(params).__name__}")
        p = {str(k): jnp.asarray(v) for k, v in params.items()}
    if "inputs" in p:
        raise ValueError("'inputs' is reserved for the input sequence; rename that parameter")
    if x0 is None:
        if not default_x0.size:
            raise ValueError("x0 is required for a callable step(h, u, p): give the start state")
        x0 = default_x0
    h0 = as_finite_array(x0, name="x0")
    if h0.ndim != 1:
        raise ValueError(f"x0 must be a 1-D state, got shape {h0.shape}")
    p["inputs"] = jnp.asarray(u)

    def driven(h, q, n):
        # n is the iteration (an integer for maps; a float 0 when the protocol checks that the law traces)
        return step(h, q["inputs"][jnp.asarray(n).astype(jnp.int64)], q)

    out = jax.eval_shape(driven, jnp.asarray(h0), p, jnp.asarray(0))
    if out.shape != h0.shape:
        raise ValueError(f"step(h, u, p) must return the state's shape {h0.shape}, got {out.shape}")
    system = Map.from_law(
        driven,
        params=p,
        x0=h0,
        name=name or default_name,
        description=f"{default_name} under {u.shape[0]} inputs of dimension {u.shape[1]}",
    )
    return cast(Map, system)


@float64
def driven_lyapunov_spectrum(
    model: Any,
    inputs: Any,
    *,
    x0: Any = None,
    params: Mapping[str, Any] | None = None,
    input_matrix: Any = None,
    k: int | None = None,
    transient: int = 0,
    seed: int = 0,
    progress: Progress | None = None,
) -> LyapunovSpectrum:
    """The Lyapunov spectrum of a sequence model along the orbit driven by ``inputs``.

    `dynstab.analysis.lyapunov_spectrum` on `driven_system`: QR every step, ``transient`` iterations
    discarded (inputs 0 .. transient - 1), then T - transient measured iterations (inputs transient ..
    T - 1). Exponents are per step: lambda_i = (1 / (T - t0)) sum_t ln |R_ii(t)|. The random initial
    frame (``seed``) needs a transient to align with the Oseledets directions before the per-step logs
    are exact (e.g. a diagonal Jacobian gives R_ii = |J_ii| only once the frame is axis-aligned).

    Parameters
    ----------
    model, inputs, x0, params, input_matrix
        As in `driven_system`.
    k : int, optional
        Number of exponents (default all).
    transient : int, default 0
        Iterations discarded first, 0 <= transient < T.
    seed : int, default 0
        Seed of the initial orthonormal frame.
    progress : callable, optional
        ``progress(done, total)`` in QR steps.

    Returns
    -------
    dynstab.analysis.LyapunovSpectrum
        ``logs[0]`` holds ln|R_ii| of every measured step (`finite_time_exponents`).
    """
    system = driven_system(model, inputs, x0=x0, params=params, input_matrix=input_matrix)
    T = int(system.params["inputs"].shape[0])
    transient = as_int(transient, name="transient", minimum=0, maximum=T - 1)
    return lyapunov_spectrum(
        system, n=T - transient, k=k, qr_interval=1, transient=transient, seed=seed, progress=progress
    )


def finite_time_exponents(spectrum: LyapunovSpectrum, window: int) -> np.ndarray:
    """Finite-time Lyapunov exponents: the QR logs of a run averaged over consecutive windows.

    lambda_i^(w)(j) = (1 / (w dt)) sum_{m in window j} ln |R_ii^(m)|, for the first initial condition.

    Parameters
    ----------
    spectrum : LyapunovSpectrum
        A run with QR every iteration (`driven_lyapunov_spectrum`).
    window : int
        QR intervals per window (the last incomplete window is dropped).

    Returns
    -------
    numpy.ndarray, shape (n_windows, k)
    """
    logs = np.asarray(spectrum.logs)[0]
    window = as_int(window, name="window", minimum=1, maximum=logs.shape[0])
    n = logs.shape[0] // window
    interval = float(spectrum.settings.get("qr_interval", 1.0))
    return logs[: n * window].reshape(n, window, -1).sum(axis=1) / (window * interval)


# --------------------------------------------------------------------------------------------------
# reduced precision
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PrecisionDivergence:
    """The result of `precision_divergence`."""

    dtype: str
    error: np.ndarray  # relative distance |h_low(t) - h_64(t)| / rms|h_64| after each step
    threshold: float
    divergence_time: float  # first step with error > threshold (inf if none)
    eps: float  # machine epsilon of the low precision

    def __repr__(self) -> str:
        return (
            f"PrecisionDivergence({self.dtype}: diverges at step {self.divergence_time}, threshold {self.threshold:g})"
        )


_DTYPES = {"float16": jnp.float16, "bfloat16": jnp.bfloat16, "float32": jnp.float32}


@float64
def precision_divergence(
    model: Any,
    inputs: Any,
    *,
    dtype: str = "bfloat16",
    x0: Any = None,
    params: Mapping[str, Any] | None = None,
    input_matrix: Any = None,
    threshold: float = 0.1,
) -> PrecisionDivergence:
    """Perturbation growth under reduced precision: the same model from the same start in float64 and in ``dtype``.

    Both runs iterate ``step(h, u_t, p)`` over the inputs; in the low-precision run the state, the inputs
    and every floating parameter are cast to ``dtype``, so each step rounds to it (constants captured in
    the user's function are not cast: put them in ``params``; a step that returns float64 is refused).
    error(t) = |h_low(t) - h_64(t)| / rms_t |h_64(t)|, and the divergence time is the first step with
    error > ``threshold``. For lambda_max > 0 it is about ln(threshold / eps) / lambda_max.

    Parameters
    ----------
    model, inputs, x0, params, input_matrix
        As in `driven_system`.
    dtype : {"bfloat16", "float16", "float32"}, default "bfloat16"
        The reduced precision (eps 2^-8, 2^-11, 2^-24).
    threshold : float, default 0.1
        Relative error at which the runs count as separated.

    Returns
    -------
    PrecisionDivergence
    """
    if dtype not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {dtype!r}")
    threshold = as_positive_float(threshold, name="threshold")
    system = driven_system(model, inputs, x0=x0, params=params, input_matrix=input_matrix)
    low = _DTYPES[dtype]
    law, p, h0 = system.rhs, dict(system.params), jnp.asarray(system.x0)
    T = int(p["inputs"].shape[0])
    check_allocation(8.0 * 2 * T * h0.size, f"the two orbits ({T} steps x {h0.size})", "give fewer inputs")

    def cast_to(tree, dt):
        return jax.tree_util.tree_map(lambda a: a.astype(dt) if jnp.issubdtype(a.dtype, jnp.floating) else a, tree)

    def orbit(h, q):
        def body(x, n):
            y = law(x, q, n)
            return y, y

        return jax.lax.scan(body, h, jnp.arange(T))[1]

    out = jax.eval_shape(law, cast_to(h0, low), cast_to(p, low), jnp.asarray(0))
    if out.dtype != low:
        raise ValueError(
            f"the step returns {out.dtype} when run in {dtype}: constants in float64 captured by the step "
            "promote it; pass them in params so they are cast too"
        )
    ref = np.asarray(jax.jit(orbit)(h0, p))
    cheap = np.asarray(jax.jit(orbit)(cast_to(h0, low), cast_to(p, low))).astype(np.float64)
    scale = float(np.sqrt(np.mean(np.sum(ref**2, axis=1))))
    err = np.linalg.norm(cheap - ref, axis=1) / (scale if scale > 0 else 1.0)
    over = np.nonzero(~(err <= threshold))[0]  # NaN/inf count as separated
    t_div = float(over[0] + 1) if over.size else math.inf
    return PrecisionDivergence(dtype, err, threshold, t_div, float(jnp.finfo(low).eps))


# --------------------------------------------------------------------------------------------------
# random networks, mean field and deep stacks
# --------------------------------------------------------------------------------------------------
def random_tanh_network(n: int, sigma_w2: float, *, seed: int = 0) -> tuple[Step, dict]:
    """The random recurrent network h_{t+1} = tanh(W h_t + u_t), W_ij ~ N(0, sigma_w^2 / N), zero bias.

    Parameters
    ----------
    n : int
        Number of units N.
    sigma_w2 : float
        Weight variance sigma_w^2 (times N).
    seed : int, default 0
        Seed of W.

    Returns
    -------
    step : callable
        ``step(h, u, p) = tanh(p["W"] @ h + u)`` (u broadcasts; give zero inputs for the autonomous network).
    params : dict
        ``{"W": (N, N)}``.
    """
    n = as_int(n, name="n", minimum=1)
    sigma_w2 = as_float(sigma_w2, name="sigma_w2", minimum=0.0)
    W = np.random.default_rng(as_int(seed, name="seed", minimum=0)).normal(0.0, math.sqrt(sigma_w2 / n), (n, n))

    def tanh_step(h, u, p):
        return jnp.tanh(p["W"] @ h + u)

    return tanh_step, {"W": W}


_GH = np.polynomial.hermite_e.hermegauss(101)  # E[f(z)], z ~ N(0, 1) = sum w f(x) / sqrt(2 pi)


@float64
def mean_field_chi(sigma_w2: float, sigma_b2: float = 0.0) -> tuple[float, float]:
    """The mean-field fixed point q* and the per-layer mean squared Jacobian singular value chi of a tanh network.

    q* = sigma_w^2 E[tanh(sqrt(q*) z)^2] + sigma_b^2 (iterated from q = 1 to relative change 1e-13 or
    10^5 iterations: convergence is slow only at chi = 1), chi = sigma_w^2 E[tanh'(sqrt(q*) z)^2],
    z ~ N(0, 1) by 101-point Gauss-Hermite quadrature. Ordered phase chi < 1, chaotic chi > 1; zero bias:
    q* = 0 and chi = sigma_w^2 for sigma_w^2 <= 1.

    Parameters
    ----------
    sigma_w2 : float
        Weight variance sigma_w^2.
    sigma_b2 : float, default 0
        Bias variance sigma_b^2.

    Returns
    -------
    (q_star, chi) : tuple of float

    References
    ----------
    Poole et al., NeurIPS 2016, Eqs. (3)-(5); Schoenholz et al., ICLR 2017.
    """
    sw = as_float(sigma_w2, name="sigma_w2", minimum=0.0)
    sb = as_float(sigma_b2, name="sigma_b2", minimum=0.0)
    x, w = _GH
    w = w / math.sqrt(2.0 * math.pi)
    q = 1.0
    for _ in range(100_000):
        q_new = sw * float(np.sum(w * np.tanh(math.sqrt(q) * x) ** 2)) + sb
        if abs(q_new - q) <= 1e-13 * max(q, 1e-300) or q_new < 1e-300:
            q = q_new
            break
        q = q_new
    chi = sw * float(np.sum(w * (1.0 - np.tanh(math.sqrt(q) * x) ** 2) ** 2))
    return q, chi


@float64
def orbit_chi(step: Step, params: Mapping[str, Any], x0: Any, steps: int, *, transient: int = 100) -> float:
    """The mean squared singular value of the one-step Jacobian along an autonomous orbit, (1/N) <Tr J^T J>.

    For h' = tanh(W h) it estimates chi = sigma_w^2 E[tanh'^2] of `mean_field_chi`.

    Parameters
    ----------
    step : callable
        ``step(h, u, p)``, run with u = 0.
    params : mapping
        Its parameters.
    x0 : array_like, shape (N,)
        Start.
    steps : int
        Steps averaged over (after ``transient``).
    transient : int, default 100
        Steps discarded first.

    Returns
    -------
    float
    """
    steps = as_int(steps, name="steps", minimum=1)
    transient = as_int(transient, name="transient", minimum=0)
    h = jnp.asarray(as_finite_array(x0, name="x0"))
    p = {k: jnp.asarray(v) for k, v in params.items()}
    zero = jnp.zeros(())

    @jax.jit
    def run(h):
        def body(x, _):
            return step(x, zero, p), None

        x = jax.lax.scan(body, h, None, length=transient)[0]

        def body2(x, _):
            J = jax.jacfwd(lambda y: step(y, zero, p))(x)
            return step(x, zero, p), jnp.sum(J**2) / x.size

        return jax.lax.scan(body2, x, None, length=steps)[1]

    return float(jnp.mean(run(h)))


@dataclass(frozen=True)
class StackSpectrum:
    """The result of `stack_jacobian_spectrum`."""

    singular_values: np.ndarray  # of the end-to-end Jacobian, descending
    connection: str
    weights: str
    depth: int

    @property
    def mean_squared(self) -> float:
        """(1/N) Tr J^T J, the mean squared singular value."""
        return float(np.mean(self.singular_values**2))

    @property
    def spread(self) -> float:
        """Variance of the squared singular values (0 for an isometry up to scale)."""
        return float(np.var(self.singular_values**2))

    def __repr__(self) -> str:
        return (
            f"StackSpectrum({self.connection}, {self.weights} weights, depth {self.depth}: "
            f"mean sigma^2 = {self.mean_squared:.4g}, spread {self.spread:.4g})"
        )


_PHI = {"tanh": jnp.tanh, "relu": jax.nn.relu, "linear": lambda x: x}


def _orthogonal(rng: np.random.Generator, n: int, method: str) -> np.ndarray:
    if method == "qr":  # Haar: QR of a Gaussian with the signs of R's diagonal fixed (Mezzadri 2007)
        q, r = np.linalg.qr(rng.normal(size=(n, n)))
        return q * np.sign(np.diag(r))
    a = rng.normal(size=(n, n)) / math.sqrt(n)
    a = 0.5 * (a - a.T)  # skew-symmetric: the Cayley transform is orthogonal
    eye = np.eye(n)
    return np.linalg.solve(eye - a, eye + a)


@float64
def stack_jacobian_spectrum(
    depth: int,
    width: int,
    *,
    connection: str = "plain",
    weights: str = "gaussian",
    nonlinearity: str = "tanh",
    sigma_w: float = 1.0,
    sigma_b: float = 0.0,
    alpha: float = 1.0,
    orthogonal: str = "qr",
    x0: Any = None,
    seed: int = 0,
) -> StackSpectrum:
    """Singular values of the input-output Jacobian of a deep stack at initialization (dynamical isometry).

    See the module docstring for the three connections; the Jacobian J = d x_L / d x_0 is built layer by
    layer with ``jax.jacfwd`` (a product of L Jacobians, N x N each).

    Parameters
    ----------
    depth : int
        Number of layers L.
    width : int
        Width N.
    connection : {"plain", "residual", "orthogonal"}, default "plain"
        x' = phi(W x + b); x' = x + alpha phi(W x + b); x' = Q x + alpha phi(W x + b) with Q orthogonal.
    weights : {"gaussian", "orthogonal"}, default "gaussian"
        W ~ N(0, sigma_w^2 / N) or sigma_w times a Haar orthogonal matrix.
    nonlinearity : {"tanh", "relu", "linear"}, default "tanh"
    sigma_w, sigma_b : float
        Weight scale and bias standard deviation.
    alpha : float, default 1
        Branch scale of the residual and orthogonal connections.
    orthogonal : {"qr", "cayley"}, default "qr"
        Parametrization of Q (and of orthogonal W): Haar by QR, or the Cayley transform of a random skew matrix.
    x0 : array_like, shape (N,), optional
        Input (default N(0, 1) entries, seeded).
    seed : int, default 0
        Seed of the weights, biases and input.

    Returns
    -------
    StackSpectrum
    """
    L = as_int(depth, name="depth", minimum=1)
    N = as_int(width, name="width", minimum=1)
    for value, name, allowed in (
        (connection, "connection", ("plain", "residual", "orthogonal")),
        (weights, "weights", ("gaussian", "orthogonal")),
        (nonlinearity, "nonlinearity", tuple(_PHI)),
        (orthogonal, "orthogonal", ("qr", "cayley")),
    ):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    sw = as_float(sigma_w, name="sigma_w", minimum=0.0)
    sb = as_float(sigma_b, name="sigma_b", minimum=0.0)
    a = as_float(alpha, name="alpha")
    check_allocation(
        8.0 * L * N * N * (2 if connection == "orthogonal" else 1),
        f"{L} layers of {N} x {N}",
        "take fewer layers or a smaller width",
    )
    rng = np.random.default_rng(as_int(seed, name="seed", minimum=0))
    if weights == "gaussian":
        Ws = rng.normal(0.0, sw / math.sqrt(N), (L, N, N))
    else:
        Ws = sw * np.stack([_orthogonal(rng, N, orthogonal) for _ in range(L)])
    bs = rng.normal(0.0, sb, (L, N)) if sb > 0 else np.zeros((L, N))
    Qs = (
        np.stack([_orthogonal(rng, N, orthogonal) for _ in range(L)])
        if connection == "orthogonal"
        else np.zeros((L, 0, 0))
    )
    x = rng.normal(size=N) if x0 is None else as_finite_array(x0, name="x0")
    if x.shape != (N,):
        raise ValueError(f"x0 must have shape ({N},), got {x.shape}")
    phi = _PHI[nonlinearity]

    def layer(x, W, b, Q):
        branch = phi(W @ x + b)
        if connection == "plain":
            return branch
        skip = x if connection == "residual" else Q @ x
        return skip + a * branch

    @jax.jit
    def end_to_end(x):
        def body(carry, wbq):
            x, J = carry
            Jl = jax.jacfwd(layer)(x, *wbq)
            return (layer(x, *wbq), Jl @ J), None

        return jax.lax.scan(body, (x, jnp.eye(N)), (Ws, bs, Qs))[0][1]

    J = np.asarray(end_to_end(jnp.asarray(x)))
    return StackSpectrum(np.linalg.svd(J, compute_uv=False), connection, weights, L)
