"""Almost-linear RNN (AL-RNN) and its symbolic dynamics.

Brenner, Hemmer, Monfared & Durstewitz, "Almost-Linear RNNs Yield Highly Interpretable Symbolic Codes
in Dynamical Systems Reconstruction", NeurIPS 2024, pp. 36829-36868 (arXiv:2410.14240):

    z_t = A * z_{t-1} + W Phi*(z_{t-1}) + h,
    Phi*(z) = (z_1, ..., z_{M-P}, ReLU(z_{M-P+1}), ..., ReLU(z_M)),

A diagonal, W full M x M; only the last P of the M units are piecewise linear, so the phase space splits
into at most 2^P linear subregions, indexed by the sign bits of those P units (the symbolic code):
code(z) = sum_j 1[z_{M-P+1+j} > 0] 2^j. In subregion r the map is affine, z' = (diag(A) + W D_r) z + h,
D_r = diag(1, ..., 1, bits(r)).

Training as in the reference code (DurstewitzLab/ALRNN-DSR, ``alrnn_python`` tutorial and
``settings/lorenz63.json``): identity observation (the first N units are read out; the initial latent
state is [x, (x B)_{N:}] with a learned N x M matrix B), BPTT with sparse identity teacher forcing (the
first N units are replaced by the observations every tau = 16 steps), MSE on all predictions, RAdam with
the learning rate decaying exponentially 1e-3 -> 1e-5, batches of 16 windows of 200 steps, Gaussian
noise (sd 0.05) added to each training batch.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from ..systems import Map
from .base import LearnedModel, as_training_data, check_int, check_series, check_steps
from .rnn_training import (
    cast_floating,
    check_rnn_hyperparameters,
    check_x0,
    fit_rnn,
    forecast_from,
    generate_from,
    normalized_positive_definite_diag,
    optimizer_update,
    predict_ahead,
    prediction_starts,
    step_in_dtype,
    store_training_state,
    training_dtype,
    uniform_init,
    window_training,
)

__all__ = ["ALRNN", "SymbolicDynamics", "alrnn_step", "symbolic_code"]


def alrnn_step(z: jax.Array, p: dict, pwl_units: int) -> jax.Array:
    """z' = A*z + W Phi*(z) + h with ReLU on the last ``pwl_units`` units only (Brenner et al. 2024, Eq. 2).

    Parameters
    ----------
    z : jax.Array, shape (..., M)
        Latent state(s).
    p : dict
        Model parameters (arrays).
    pwl_units : int
        Number P of piecewise-linear (ReLU) units, the last P of the M.
    """
    m = z.shape[-1]
    phi = jnp.concatenate([z[..., : m - pwl_units], jax.nn.relu(z[..., m - pwl_units :])], axis=-1)
    return p["A"] * z + phi @ p["W"].T + p["h"]


def symbolic_code(states: Any, pwl_units: int) -> np.ndarray:
    """Linear-subregion index of each latent state (T, M): sum_j 1[z_{M-P+j} > 0] 2^j over the P = ``pwl_units``
    ReLU units (Brenner et al. 2024, Sec. 3: symbolic coding by the subregions of the PWL map).

    Parameters
    ----------
    states : array_like, shape (T, M)
        Latent states.
    pwl_units : int
        Number P of piecewise-linear (ReLU) units, the last P of the M.
    """
    z = np.asarray(states, dtype=np.float64)
    if z.ndim == 1:
        z = z[None]
    if z.ndim != 2:
        raise ValueError(f"states must have shape (T, M), got {z.shape}")
    P = check_int("pwl_units", pwl_units, 0)
    if P > z.shape[1]:
        raise ValueError(f"pwl_units={P} exceeds the state dimension {z.shape[1]}")
    if P > 62:
        raise ValueError(f"symbolic codes are int64: at most 62 piecewise-linear units, got {P}")
    if not np.all(np.isfinite(z)):
        raise ValueError("states contain non-finite values (a diverged trajectory?)")
    bits = (z[:, z.shape[1] - P :] > 0).astype(np.int64)
    return bits @ (np.int64(1) << np.arange(P, dtype=np.int64))


@dataclass(frozen=True)
class SymbolicDynamics:
    """Subregion statistics of an AL-RNN orbit (Brenner et al. 2024).

    Parameters
    ----------
    codes : numpy.ndarray, shape (T,)
        Subregion index per state.
    pwl_units : int
        P (2^P subregions exist).
    used : numpy.ndarray, shape (R,)
        The visited subregions, ascending.
    counts : numpy.ndarray, shape (R,)
        Visits of each.
    transitions : numpy.ndarray, shape (R, R)
        Counts of one-step moves used[i] -> used[j] (the "connectome" of subregions,
        self-transitions on the diagonal).
    """

    codes: np.ndarray
    pwl_units: int
    used: np.ndarray
    counts: np.ndarray
    transitions: np.ndarray

    @classmethod
    def from_codes(cls, codes: Any, pwl_units: int) -> SymbolicDynamics:
        """Visit counts and one-step transitions of a sequence of subregion codes.

        Parameters
        ----------
        codes : array_like of int
            Subregion index per state (:func:`symbolic_code`), in time order.
        pwl_units : int
            Number P of piecewise-linear units.

        Returns
        -------
        SymbolicDynamics
            The statistics.
        """
        codes = np.asarray(codes, dtype=np.int64)
        used, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
        trans = np.zeros((used.size, used.size), dtype=np.int64)
        np.add.at(trans, (inverse[:-1], inverse[1:]), 1)
        return cls(codes, int(pwl_units), used, counts, trans)

    @property
    def n_used(self) -> int:
        """Number of distinct subregions visited."""
        return int(self.used.size)

    @property
    def frequencies(self) -> np.ndarray:
        """Fraction of states in each used subregion."""
        return self.counts / max(1, self.codes.size)

    def bits(self, region: int) -> np.ndarray:
        """Sign bits (1 = ReLU active) of the P piecewise-linear units in subregion ``region``.

        Parameters
        ----------
        region : int
            Subregion index in [0, 2^P).
        """
        return (int(region) >> np.arange(self.pwl_units)) & 1

    def to_xarray(self):
        """Counts and transitions as a labelled dataset.

        Returns
        -------
        xarray.Dataset
            ``counts`` (region) and ``transitions`` (region, next_region).
        """
        import xarray as xr

        return xr.Dataset(
            {"counts": ("region", self.counts), "transitions": (("region", "next_region"), self.transitions)},
            coords={"region": self.used, "next_region": self.used},
            attrs={"pwl_units": self.pwl_units, "n_used": self.n_used, "n_states": int(self.codes.size)},
        )

    def plot(self, ax=None):
        """Bar chart of the visit counts per subregion.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw in (default: a new figure).
        """
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(5, 3.5))
        else:
            fig = ax.figure
        ax.bar([str(int(r)) for r in self.used], self.counts, color="steelblue")
        ax.set_xlabel("linear subregion (symbolic code)")
        ax.set_ylabel("visits")
        ax.set_title(f"{self.n_used} of {2**self.pwl_units} subregions used")
        return fig

    def __repr__(self) -> str:
        pairs = ", ".join(f"{int(r)}: {int(c)}" for r, c in zip(self.used, self.counts))
        return f"SymbolicDynamics({self.n_used} of 2^{self.pwl_units} subregions used; visits {{{pairs}}})"


def _init_latent(x, p):
    """[x, (x B)_{N:}]: observed units set to x, the others from the learned N x M matrix B."""
    n = x.shape[-1]
    return jnp.concatenate([x, (x @ p["B"])[..., n:]], axis=-1)


def _force(x, p):
    return x


@functools.cache
def _obs(n: int):
    """x = z[:n], cached so jit sees the same function."""

    def obs(z, p):
        return z[..., :n]

    return obs


@functools.cache
def _law(pwl_units: int):
    """The map law (z, p, n) -> z' with P = ``pwl_units``, cached so jit sees the same function."""

    def law(z, p, n):
        return alrnn_step(z, p, pwl_units)

    return law


def stf_loss(p: dict, windows: jax.Array, pwl_units: int, interval: int) -> jax.Array:
    """Sparse identity teacher forcing (Mikhaeil et al. 2022; Brenner et al. 2024): z_0 = init(x_0); for
    t = 0..T-1, if t > 0 and t % interval == 0 the first N units are replaced by x_t; z_{t+1} = F(z_t);
    loss = MSE(z_{t+1}[:N], x_{t+1}).

    Parameters
    ----------
    p : dict
        Model parameters (arrays).
    windows : jax.Array, shape (B, T + 1, N)
        Training windows of observations.
    pwl_units : int
        Number P of piecewise-linear (ReLU) units, the last P of the M.
    interval : int
        Teacher-forcing interval tau.
    """
    n = windows.shape[-1]
    xs = jnp.moveaxis(windows[:, :-1], 1, 0)
    ts = jnp.arange(xs.shape[0])

    def body(z, inp):
        t, x = inp
        z = jnp.where((t > 0) & (t % interval == 0), z.at[..., :n].set(x), z)
        z = alrnn_step(z, p, pwl_units)
        return z, z[..., :n]

    _, pred = jax.lax.scan(body, _init_latent(windows[:, 0], p), (ts, xs))
    return jnp.mean((jnp.moveaxis(pred, 0, 1) - windows[:, 1:]) ** 2)


class ALRNN(LearnedModel):
    """Almost-linear RNN: M units of which the last P are ReLU (Brenner et al., NeurIPS 2024).

    z_t = A * z_{t-1} + W Phi*(z_{t-1}) + h; observation x = z[:N]. Trained by BPTT with sparse identity
    teacher forcing every ``teacher_forcing_interval`` steps on batches of ``batch_size`` random windows of
    ``sequence_length`` + 1 samples with Gaussian ``noise`` added, RAdam with the learning rate decaying
    exponentially from ``learning_rate`` to ``final_learning_rate`` over ``n_epochs`` x
    ``batches_per_epoch`` steps (the published Lorenz-63 run: M=20, P=2, tau=16, 2000 epochs x 50).
    The final parameters are kept (``keep_best=True``: the epoch of lowest training loss), unless
    ``select_every`` > 0: then every ``select_every`` epochs the model generates ``select_steps`` steps from
    ``select_starts`` training states and the checkpoint with the lowest median D_stsp against the training
    data among those whose runs neither diverge, escape the data range nor collapse to a fixed point is kept
    (the AL-RNN paper's model selection, ``evaluate.jl``: minimum D_stsp over checkpoints every 25 epochs, from
    one start; see :func:`~dynstab.learn.rnn_training.fit_with_selection`); ``selection_history_`` holds
    (epoch, median D_stsp) of the checkpoints and ``selection_details_`` the run statuses. ``symbolic_code(z)`` and
    ``subregions(...)`` give the symbolic dynamics of latent orbits; ``as_system()`` is the latent map
    (one iteration = ``dt_`` time units).

    Parameters
    ----------
    latent_dim : int
        Number of units M (>= the number of observed variables N).
    pwl_units : int
        Number P of piecewise-linear (ReLU) units, the last P of the M (0 <= P <= M, at most 62).
    teacher_forcing_interval : int
        tau: the first N units are replaced by the observations every tau steps in training.
    noise : float
        Standard deviation of the Gaussian noise added to each training batch.
    n_epochs, batches_per_epoch : int
        Training length: epochs and optimisation steps per epoch.
    batch_size : int
        Windows per batch.
    sequence_length : int
        Steps per training window (windows hold ``sequence_length`` + 1 samples).
    learning_rate, final_learning_rate : float
        RAdam learning rate at the start and at the end of the exponential decay.
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
        Floating-point type of the training loop only (the reference code, like Flux, trains in float32): the
        initial parameters and the windows are cast to it; the trained parameters are cast back, so the fitted
        model (``params_``, predictions, ``as_system()``) is float64 either way.
    seed : int
        Seed of the initialisation and of the batches.
    progress : bool, optional
        Progress bar (``None``: when training is expected to take more than a few seconds).

    Attributes
    ----------
    params_
        The learned parameters A, W, h and B as numpy arrays.
    dim_
        Number of observed variables d of the training data.
    dt_
        Sampling step of the training data: the time one model step stands for.
    loss_history_
        Mean training loss of each epoch.
    training_seconds_
        Wall time of the training run.
    selection_history_
        (epoch, D_stsp) of the checkpoints when ``select_every`` > 0 (empty otherwise).
    """

    def __init__(
        self,
        latent_dim: int = 20,
        pwl_units: int = 2,
        *,
        teacher_forcing_interval: int = 16,
        noise: float = 0.05,
        n_epochs: int = 200,
        batches_per_epoch: int = 50,
        batch_size: int = 16,
        sequence_length: int = 200,
        learning_rate: float = 1e-3,
        final_learning_rate: float = 1e-5,
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
        self.pwl_units = pwl_units
        self.teacher_forcing_interval = teacher_forcing_interval
        self.noise = noise
        self.n_epochs = n_epochs
        self.batches_per_epoch = batches_per_epoch
        self.batch_size = batch_size
        self.sequence_length = sequence_length
        self.learning_rate = learning_rate
        self.final_learning_rate = final_learning_rate
        self.gradient_clip = gradient_clip
        self.keep_best = keep_best
        self.select_every = select_every
        self.select_steps = select_steps
        self.select_starts = select_starts
        self.dtype = dtype
        self.seed = seed
        self.progress = progress

    def _validate(self, n_obs: int) -> tuple[int, int]:
        M = check_int("latent_dim", self.latent_dim)
        P = check_int("pwl_units", self.pwl_units, 0)
        if M < n_obs:
            raise ValueError(f"latent_dim must be >= the number of observed variables {n_obs}, got {M}")
        if P > M:
            raise ValueError(f"pwl_units must be <= latent_dim={M}, got {P}")
        training_dtype(self.dtype)
        check_rnn_hyperparameters(
            self,
            (
                "teacher_forcing_interval",
                "n_epochs",
                "batches_per_epoch",
                "batch_size",
                "sequence_length",
                "select_starts",
            ),
            ("noise", "gradient_clip"),
        )
        return M, P

    def _init_params(self, key, M: int, N: int) -> dict:
        kA, kW, kB = jax.random.split(key, 3)
        return {
            "A": normalized_positive_definite_diag(kA, M),
            "W": 0.01 * jax.random.normal(kW, (M, M)),
            "h": jnp.zeros(M),
            "B": uniform_init(kB, (N, M), N),
        }

    def training_step(self, td) -> tuple[Any, Any]:
        """(step, state) of the training loop for :class:`TrainingData` ``td``: ``state, loss = step(state, key)``
        is one sparse-teacher-forcing/RAdam update (used by ``fit`` and by the benchmarks).

        Parameters
        ----------
        td : TrainingData
            The training data.
        """
        M, P = self._validate(td.dim)
        sampler, opt = window_training(self, td)
        dtype = training_dtype(self.dtype)
        params = cast_floating(self._init_params(jax.random.PRNGKey(self.seed), M, td.dim), dtype)
        B, tau, noise = int(self.batch_size), int(self.teacher_forcing_interval), float(self.noise)

        def step(state, key):
            windows = sampler.sample_noisy(key, B, noise)
            loss, p, opt_state = optimizer_update(opt, stf_loss, state["params"], state["opt"], windows, P, tau)
            return {"params": p, "opt": opt_state}, loss

        return step_in_dtype(step, dtype), {"params": params, "opt": opt.init(params)}

    def fit(self, data: Any, dt: float | None = None) -> ALRNN:
        """Train on one or several trajectories (T, N) sampled every ``dt`` (see the class docstring).

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (T_i, d) (see :func:`~dynstab.learn.base.as_training_data`).
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).
        """
        td = as_training_data(data, dt, min_length=2)
        M, P = self._validate(td.dim)
        step, state = self.training_step(td)
        self._M, self._P = M, P
        self._x_ref = td.series[0][-1]
        self.dim_, self.dt_ = td.dim, td.dt

        fit_rnn(self, step, state, td, functools.partial(store_training_state, self), f"AL-RNN (M={M}, P={P})")
        return self

    @classmethod
    def from_params(
        cls, A: Any, W: Any, h: Any, *, pwl_units: int, n_obs: int | None = None, B: Any = None, dt: float = 1.0
    ) -> ALRNN:
        """A fitted AL-RNN with given parameters; the first ``n_obs`` units (default all) are observed and the
        others start at (x B)_{N:} (B default 0).

        Parameters
        ----------
        A : array_like, shape (M,)
            Diagonal of the linear part.
        W : array_like, shape (M, M)
            Weights of Phi*(z).
        h : array_like, shape (M,)
            Bias.
        pwl_units : int
            Number P of piecewise-linear (ReLU) units, the last P of the M.
        n_obs : int
            Number of observed variables N.
        B : array_like, optional
            Observation matrix (shPLRNN: x = B z + b, affine model; AL-RNN: initial latents (x B)_{N:}).
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).
        """
        p = {k: np.asarray(v, dtype=np.float64) for k, v in dict(A=A, W=W, h=h).items()}
        M = p["A"].shape[0]
        if p["A"].shape != (M,) or p["W"].shape != (M, M) or p["h"].shape != (M,):
            raise ValueError(
                f"inconsistent shapes: A {p['A'].shape}, W {p['W'].shape}, h {p['h'].shape}; "
                "expected (M,), (M, M), (M,)"
            )
        N = M if n_obs is None else check_int("n_obs", n_obs)
        model = cls(M, pwl_units)
        model._M, model._P = model._validate(N)
        p["B"] = np.zeros((N, M)) if B is None else np.asarray(B, dtype=np.float64).reshape(N, M)
        model.params_, model.dim_, model.dt_, model._x_ref = p, N, float(dt), np.zeros(N)
        model.fitted_ = True
        return model

    # ---- prediction --------------------------------------------------------------------
    def _jparams(self) -> dict:
        return {k: jnp.asarray(v) for k, v in self.params_.items()}

    def latent_state(self, x: Any) -> np.ndarray:
        """Latent state [x, (x B)_{N:}] of an observed state x (N,) or batch (B, N).

        Parameters
        ----------
        x : array_like
            Observed state(s) (..., N).
        """
        self._check_fitted()
        arr = np.asarray(x, dtype=np.float64)
        check_series(arr.reshape(-1, self.dim_) if arr.ndim else arr, what="x", dim=self.dim_)
        return np.asarray(_init_latent(jnp.asarray(arr), self._jparams()))

    def generate(self, x0: Any, steps: int, *, latent: bool = False) -> np.ndarray:
        """Free-running prediction of ``steps`` samples after the observed state x0 (N,) or batch (B, N);
        ``latent=True`` returns the latent states (steps, M).

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
        return np.asarray(
            generate_from(
                _law(self._P), _init_latent, _obs(self.dim_), self._jparams(), jnp.asarray(x0), steps, bool(latent)
            )
        )

    def predict_n_steps(self, x: Any, starts: Any, n: int) -> np.ndarray:
        """x_{s+n} predicted from every start x[s]: the first N units of F^n([x_s, (x_s B)_{N:}]), batched
        (the n-step predictions of PE(n)).

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
        return predict_ahead(_law(self._P), _init_latent, _obs(self.dim_), self._jparams(), xa[idx], n)

    def forecast(self, context: Any, steps: int) -> np.ndarray:
        """Predict ``steps`` samples after ``context`` (T_c, N): the model runs through the context with the
        observed units replaced by the data at every step (identity teacher forcing), then runs free.

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
        return np.asarray(
            forecast_from(
                _law(self._P), _init_latent, _force, _obs(self.dim_), self._jparams(), jnp.asarray(ctx), steps
            )
        )

    def symbolic_code(self, states: Any) -> np.ndarray:
        """Subregion index of each latent state (T, M) (see :func:`symbolic_code`).

        Parameters
        ----------
        states : array_like, shape (T, M)
            Latent states.
        """
        self._check_fitted()
        z = np.asarray(states, dtype=np.float64)
        if z.shape[-1] != self._M:
            raise ValueError(
                f"states must be latent states with {self._M} columns, got shape {z.shape}; "
                "use generate(..., latent=True) or latent_state(x)"
            )
        return symbolic_code(z, self._P)

    def subregions(
        self, states: Any = None, *, x0: Any = None, steps: int = 10_000, transient: int = 1000
    ) -> SymbolicDynamics:
        """Subregions used by latent ``states`` (T, M), or by a free-running orbit of ``steps`` samples after
        ``transient`` from the observed ``x0`` (default: the last training sample): visit counts and
        transitions (Brenner et al. 2024, symbolic dynamics of the AL-RNN).

        Parameters
        ----------
        states : array_like, shape (T, M)
            Latent states.
        x0 : array_like
            The observed start state (d,) (or a batch (B, d) where supported).
        steps : int
            Number of samples to predict.
        transient : int
            Samples of the free run discarded first.
        """
        self._check_fitted()
        if states is None:
            x0 = self._x_ref if x0 is None else x0
            states = self.generate(x0, check_steps(steps) + int(transient), latent=True)[int(transient) :]
        return SymbolicDynamics.from_codes(self.symbolic_code(states), self._P)

    def linear_map(self, region: int) -> tuple[np.ndarray, np.ndarray]:
        """(J_r, h): the affine map z' = J_r z + h of subregion ``region``, J_r = diag(A) + W D_r.

        Parameters
        ----------
        region : int
            Subregion index in [0, 2^P).
        """
        self._check_fitted()
        region = int(region)
        if not 0 <= region < 2**self._P:
            raise ValueError(f"region must be in [0, {2**self._P}), got {region}")
        d = np.ones(self._M)
        d[self._M - self._P :] = (region >> np.arange(self._P)) & 1
        J = np.diag(self.params_["A"]) + self.params_["W"] * d[None, :]
        return J, self.params_["h"].copy()

    def as_system(self) -> Map:
        """The latent AL-RNN map as a :class:`dynstab.Map` (params A, W, h); one iteration = ``dt_`` time units;
        observation x = z[:N]."""
        self._check_fitted()
        p = {k: jnp.asarray(self.params_[k]) for k in ("A", "W", "h")}
        z0 = self.latent_state(self._x_ref)
        system = Map.from_law(
            _law(self._P),
            params=p,
            x0=z0,
            names=tuple(f"z{i + 1}" for i in range(self._M)),
            name="learned AL-RNN",
            dt=self.dt_,
            reference="M. Brenner, C. J. Hemmer, Z. Monfared, D. Durstewitz, Almost-Linear RNNs Yield "
            "Highly Interpretable Symbolic Codes in Dynamical Systems Reconstruction, "
            "NeurIPS 2024",
            description=f"AL-RNN with M={self._M}, P={self._P} learned from data sampled every "
            f"dt={self.dt_:g} (one iteration = dt time units); observation "
            f"x = z[:{self.dim_}]",
        )
        return cast(Map, system)  # from_law is annotated -> System
