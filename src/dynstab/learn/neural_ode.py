r"""Neural ordinary differential equations: an MLP vector field fitted to trajectory segments.

R. T. Q. Chen, Y. Rubanova, J. Bettencourt and D. Duvenaud, *Neural ordinary differential equations*,
NeurIPS 31 (2018). The model is

.. math::

    \frac{dz}{dt} = f_\theta(z), \qquad z = (x - \mu) / s,

with :math:`f_\theta` an MLP (equinox ``eqx.nn.MLP``) on the standardized state. Training uses short
segments ("multiple shooting lite"): each step draws a batch of random windows
:math:`(x_{t}, \dots, x_{t+k-1})` from the data, integrates the model from :math:`z_t` with diffrax
(Tsit5, P. Kidger, *On neural differential equations*, PhD thesis, Oxford 2021) on the sampling grid,
(or dynstab's fixed-step RK4, ``solver="rk4"``) and minimizes the mean squared error

.. math::

    L(\theta) = \frac{1}{B k d} \sum_b \sum_{j<k} \lVert \hat z_{t_b + j} - z_{t_b + j} \rVert^2

with Adam (optax; D. P. Kingma and J. Ba, ICLR 2015), gradients through the solver
(diffrax's recursive checkpointing). Short windows keep the loss landscape benign for chaotic data
(no gradient explosion over long horizons), as in multiple-shooting training of ODE models
(E. Baake et al., Fitting ordinary differential equations to chaotic data, Phys. Rev. A 45, 5524 (1992)).
"""

from __future__ import annotations

import math
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from ..simulate.evolution import sample
from ..simulate.steppers import rk_step
from ..simulate.tableaus import RK4
from ..systems import Flow
from .base import (
    LearnedModel,
    as_training_data,
    check_positive_ints,
    check_series,
    check_steps,
    mark_fitted,
    standardization,
    train_or_recover,
)

__all__ = ["NeuralODE"]

_ACTIVATIONS = {
    "tanh": jnp.tanh,
    "softplus": jax.nn.softplus,
    "relu": jax.nn.relu,
    "gelu": jax.nn.gelu,
    "silu": jax.nn.silu,
    "elu": jax.nn.elu,
}


def _mlp_apply(p: dict, z, n_layers: int, activation: str):
    """The MLP of the flat parameter dict {W0, b0, W1, b1, ...}: activation between layers, linear output."""
    act = _ACTIVATIONS[activation]
    h = z
    for i in range(n_layers):
        h = p[f"W{i}"] @ h + p[f"b{i}"]
        if i < n_layers - 1:
            h = act(h)
    return h


class NeuralODE(LearnedModel):
    """Neural ODE (Chen et al. 2018) trained on random short windows of the data.

    Parameters
    ----------
    width, depth : int
        hidden-layer width and number of hidden layers of the MLP vector field.
    activation : str
        one of ``"tanh"``, ``"softplus"``, ``"relu"``, ``"gelu"``, ``"silu"``, ``"elu"``.
    window : int
        samples per training segment k (>= 2); the loss integrates k - 1 sampling steps.
    batch_size : int
        segments per optimisation step.
    learning_rate : float
        Adam learning rate (cosine-decayed to 1% over the run).
    n_epochs, steps_per_epoch : int
        training length (epochs are compiled ``lax.scan`` loops; the best epoch is
        kept, Ctrl-C keeps the best so far).
    solver : str
        the integrator of the training segments: ``"tsit5"`` (diffrax's Tsit5, gradients by recursive
        checkpointing) or ``"rk4"`` (dynstab's fixed-step RK4 loop; compiles about 5x faster, measured).
    substeps : int
        solver steps per sampling step in training.
    standardize : bool
        z-score the data with the training mean and standard deviation.
    seed : int
        initial weights and window sampling.
    progress : bool, optional
        progress bar (``None``: when training is expected to take more than a few seconds).

    Attributes
    ----------
    model_
        The ``eqx.nn.MLP`` vector field on standardized states.
    params_
        The MLP weights as a dict W0, b0, W1, b1, ...
    mean_
        Training mean of each variable (zeros without ``standardize``).
    scale_
        Training standard deviation of each variable (ones without ``standardize``).
    losses_
        Mean training loss of each epoch.
    train_result_
        The :class:`~dynstab.learn.base.TrainResult` of the run.
    dim_
        Number of observed variables d of the training data.
    dt_
        Sampling step of the training data: the time one model step stands for.
    """

    def __init__(
        self,
        width: int = 64,
        depth: int = 2,
        *,
        activation: str = "tanh",
        window: int = 10,
        batch_size: int = 32,
        learning_rate: float = 3e-3,
        n_epochs: int = 100,
        steps_per_epoch: int = 20,
        solver: str = "tsit5",
        substeps: int = 1,
        standardize: bool = True,
        seed: int = 0,
        progress: bool | None = None,
    ):
        self.width = width
        self.depth = depth
        self.activation = activation
        self.window = window
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.steps_per_epoch = steps_per_epoch
        self.solver = solver
        self.substeps = substeps
        self.standardize = standardize
        self.seed = seed
        self.progress = progress

    def _validate(self) -> None:
        check_positive_ints(self, ("width", "depth", "batch_size", "n_epochs", "steps_per_epoch", "substeps"))
        if int(self.window) != self.window or self.window < 2:
            raise ValueError(f"window must be an integer >= 2 (samples per training segment), got {self.window!r}")
        if self.solver not in ("tsit5", "rk4"):
            raise ValueError(f"solver must be 'tsit5' (diffrax) or 'rk4', got {self.solver!r}")
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {self.activation!r}")
        if not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}")

    def fit(self, data: Any, dt: float | None = None) -> NeuralODE:
        """Train the vector field on random windows of ``window`` samples from the trajectories.

        Parameters
        ----------
        data : array_like or Trajectory or list
            Training trajectories (T_i, d) (see :func:`~dynstab.learn.base.as_training_data`).
        dt : float, optional
            Sampling step (default: a ``Trajectory``'s step, else 1).
        """
        import diffrax
        import equinox as eqx
        import optax

        self._validate()
        k = int(self.window)
        td = as_training_data(data, dt, min_length=k)
        self.mean_, self.scale_ = standardization(td, bool(self.standardize))
        d = td.dim
        # every series in one array; a window may start at any sample with k - 1 samples after it in its series
        z_all = jnp.asarray(np.concatenate([(s - self.mean_) / self.scale_ for s in td.series]))
        offsets = np.cumsum([0] + [s.shape[0] for s in td.series])
        starts = jnp.asarray(np.concatenate([np.arange(o, o + s.shape[0] - k + 1) for o, s in zip(offsets, td.series)]))

        key_init, _ = jax.random.split(jax.random.PRNGKey(self.seed))
        mlp = eqx.nn.MLP(d, d, int(self.width), int(self.depth), activation=_ACTIVATIONS[self.activation], key=key_init)
        params, static = eqx.partition(mlp, eqx.is_inexact_array)
        total = int(self.n_epochs) * int(self.steps_per_epoch)
        schedule = optax.cosine_decay_schedule(float(self.learning_rate), total, alpha=0.01)
        opt = optax.adam(schedule)
        h = float(td.dt)
        ts = h * jnp.arange(k)
        n_sub = int(self.substeps)

        def predict(params, z0):
            model = eqx.combine(params, static)
            if self.solver == "rk4":
                hs = h / n_sub

                def rk4(z, t, i):
                    return rk_step(RK4, lambda y, s: model(y), z, t, hs)

                # k samples n_sub RK4 steps apart, the first being z0
                return sample(rk4, z0, 0.0, hs, n_sub, k)
            sol = diffrax.diffeqsolve(
                diffrax.ODETerm(lambda t, z, args: model(z)),
                diffrax.Tsit5(),
                0.0,
                ts[-1],
                h / n_sub,
                z0,
                saveat=diffrax.SaveAt(ts=ts),
                max_steps=(k - 1) * n_sub + 1,
            )
            return sol.ys

        def loss_fn(params, windows):
            pred = jax.vmap(lambda w: predict(params, w[0]))(windows)
            return jnp.mean((pred - windows) ** 2)

        def step(state, key):
            params, opt_state = state
            idx = jax.random.choice(key, starts, (int(self.batch_size),))
            windows = jax.vmap(lambda i: jax.lax.dynamic_slice(z_all, (i, 0), (k, d)))(idx)
            loss, grads = jax.value_and_grad(loss_fn)(params, windows)
            updates, opt_state = opt.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), loss

        state = (params, opt.init(params))
        train_or_recover(
            self,
            step,
            state,
            lambda st, res: self._set_fitted(eqx.combine(st[0], static), td, res),
            "{err} The model now holds those best parameters (fitted_ = True).",
            n_epochs=int(self.n_epochs),
            steps_per_epoch=int(self.steps_per_epoch),
            seed=int(self.seed),
            progress=self.progress,
            description="neural ODE",
        )
        return self

    def _set_fitted(self, mlp, td, result) -> None:
        self.model_ = mlp
        self.params_ = {}
        for i, layer in enumerate(mlp.layers):
            self.params_[f"W{i}"] = np.asarray(layer.weight)
            self.params_[f"b{i}"] = np.asarray(layer.bias)
        self.n_layers_ = n_layers = len(mlp.layers)
        activation = self.activation

        def neural_vector_field(x, p, t):
            return p["scale"] * _mlp_apply(p, (x - p["mean"]) / p["scale"], n_layers, activation)

        self._law = neural_vector_field  # one law object per fit: compiled kernels are reused across calls
        self.losses_ = np.asarray(result.losses)
        self.train_result_ = result
        self._x_last = td.series[-1][-1]
        mark_fitted(self, td)

    def as_system(self, dt: float | None = None) -> Flow:
        """The learned vector field as a `dynstab.Flow` in the data's units:

        dx/dt = s * f_theta((x - mu) / s),

        with the MLP weights (W0, b0, W1, ...), ``mean`` and ``scale`` as parameters (plain arrays, so
        ``lyapunov_spectrum``, ``fixed_points`` and ``trajectory`` differentiate and vmap through it).
        ``dt`` is the recommended step (default: the sampling step); ``x0`` the last training sample.

        Parameters
        ----------
        dt : float, optional
            Recommended integration step of the flow (default: the sampling step ``dt_``).
        """
        self._check_fitted()
        step = float(self.dt_ if dt is None else dt)
        if not (math.isfinite(step) and step > 0):
            raise ValueError(f"dt must be positive, got {dt}")
        params = {**self.params_, "mean": self.mean_, "scale": self.scale_}
        system = Flow.from_law(
            self._law,
            params=params,
            x0=self._x_last,
            names=tuple(f"x{i + 1}" for i in range(self.dim_)),
            name="neural ODE",
            dt=step,
            reference="R. T. Q. Chen, Y. Rubanova, J. Bettencourt and D. Duvenaud, NeurIPS 31 (2018)",
            description=f"MLP vector field, width {self.width}, depth {self.depth}, {self.activation}",
        )
        return cast(Flow, system)  # from_law is annotated -> System

    def generate(self, x0: Any, steps: int) -> np.ndarray:
        """Integrate the learned flow from ``x0`` (DOP853, rtol 1e-9), sampled every ``dt_``: (steps, d).

        Parameters
        ----------
        x0 : array_like
            The observed start state (d,) (or a batch (B, d) where supported).
        steps : int
            Number of samples to predict.
        """
        from ..simulate.trajectory import trajectory

        self._check_fitted()
        x0 = check_series(np.asarray(x0, dtype=np.float64).reshape(1, -1), what="x0", dim=self.dim_)[0]
        return trajectory(
            self.as_system(),
            t=check_steps(steps) * self.dt_,
            dt=self.dt_,
            x0=x0,
            method="dopri8",
            rtol=1e-9,
            atol=1e-12,
        ).x[1:]
