"""The training kit of the recurrent models (shPLRNN, AL-RNN): initialisers, window sampling, the
optimiser, the training run with checkpoint selection, and the compiled free-running/forecast loops.

Protocol of the DurstewitzLab reference codes (GTF-shPLRNN, ALRNN-DSR): batches of random windows of
``sequence_length`` + 1 samples, RAdam (Liu et al., ICLR 2020) with the learning rate decaying
exponentially over the run, and optional model selection by the state-space divergence D_stsp of
long free runs (Brenner et al., NeurIPS 2024, ``evaluate.jl``).

An estimator that uses this kit has the hyperparameters ``sequence_length``, ``n_epochs``,
``batches_per_epoch``, ``learning_rate``, ``final_learning_rate``, ``gradient_clip``, ``keep_best``,
``select_every``, ``select_steps``, ``seed`` and ``progress``, and a ``params_`` dict of arrays.
"""

from __future__ import annotations

import math
import warnings
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .base import TrainingData, TrainResult, check_int, check_series, check_steps, train_or_recover

__all__ = [
    "uniform_init",
    "normalized_positive_definite_diag",
    "WindowSampler",
    "radam_exponential",
    "window_training",
    "optimizer_update",
    "rollout",
    "fit_with_recovery",
    "fit_with_selection",
    "store_training_state",
    "fit_rnn",
    "check_rnn_hyperparameters",
    "check_x0",
    "generate_from",
    "forecast_from",
    "predict_ahead",
    "select_checkpoint",
    "TRAINING_DTYPES",
    "training_dtype",
    "cast_floating",
    "step_in_dtype",
]

#: Floating-point types of the training loop (``dtype`` of the RNN estimators). The fitted model is float64 in
#: both cases: only the optimisation runs in the chosen type.
TRAINING_DTYPES = ("float64", "float32")


def training_dtype(value: Any) -> Any:
    """The JAX dtype of an estimator's ``dtype`` hyperparameter, ``"float64"`` or ``"float32"``.

    Parameters
    ----------
    value : str
        The hyperparameter (``"float64"`` or ``"float32"``; numpy/JAX dtypes of those names are accepted).

    Returns
    -------
    numpy.dtype
        ``jnp.float64`` or ``jnp.float32``.
    """
    try:
        name = np.dtype(value).name
    except TypeError:
        name = None
    if name not in TRAINING_DTYPES:
        raise ValueError(
            f"dtype must be one of {TRAINING_DTYPES} (the floating-point type of the training loop), got {value!r}"
        )
    return jnp.dtype(name)


def cast_floating(tree: Any, dtype: Any) -> Any:
    """The pytree with every floating-point array cast to ``dtype`` (integer arrays, e.g. counters, unchanged).

    Parameters
    ----------
    tree : pytree
        Arrays (JAX or NumPy).
    dtype : dtype
        The floating-point type.

    Returns
    -------
    pytree
        The same structure with JAX arrays.
    """

    def cast(a: Any) -> Any:
        a = jnp.asarray(a)
        return a.astype(dtype) if jnp.issubdtype(a.dtype, jnp.floating) else a

    return jax.tree_util.tree_map(cast, tree)


def step_in_dtype(step: Any, dtype: Any) -> Any:
    """A training step ``state, loss = step(state, key)`` that computes in ``dtype`` whatever the state holds.

    The state's floating-point arrays are cast to ``dtype`` on the way in and the new state's back to the dtypes
    they came with (for a state made by the estimator's ``training_step`` both casts are no-ops; a state whose
    parameters were replaced, e.g. by float64 arrays of a known model, keeps its dtypes as a ``lax.scan`` carry
    must, and is still trained in ``dtype``).

    Parameters
    ----------
    step : callable
        ``step(state, key) -> (state, loss)``, traceable by JAX.
    dtype : dtype
        The training loop's floating-point type (:func:`training_dtype`).

    Returns
    -------
    callable
        The wrapped step.
    """

    def wrapped(state: Any, key: jax.Array) -> tuple[Any, jax.Array]:
        new, loss = step(cast_floating(state, dtype), key)
        return jax.tree_util.tree_map(lambda a, b: jnp.asarray(a).astype(jnp.asarray(b).dtype), new, state), loss

    return wrapped


def uniform_init(key: jax.Array, shape: tuple[int, ...], fan_in: int) -> jax.Array:
    """Weights ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (the reference code's ``uniform_init``).

    Parameters
    ----------
    key : jax.Array
        PRNG key.
    shape : tuple of int
        Shape of the array.
    fan_in : int
        Number of inputs of the layer.

    Returns
    -------
    jax.Array
        float64 array of ``shape``.
    """
    r = 1.0 / math.sqrt(fan_in)
    return jax.random.uniform(key, shape, jnp.float64, -r, r)


def normalized_positive_definite_diag(key: jax.Array, m: int) -> jax.Array:
    """Diagonal of K / lambda_max(K), K = R^T R / M + I, R ~ N(0, 1).

    The initialisation of the diagonal recurrence A of Talathi & Vartak (2016, arXiv:1511.03771),
    used by the PLRNN reference codes.

    Parameters
    ----------
    key : jax.Array
        PRNG key.
    m : int
        Size M.

    Returns
    -------
    jax.Array
        Shape (M,), entries in (0, 1].
    """
    R = jax.random.normal(key, (m, m), jnp.float64)
    K = R.T @ R / m + jnp.eye(m)
    return jnp.diag(K) / jnp.max(jnp.linalg.eigvalsh(K))


class WindowSampler:
    """Random windows of ``length`` consecutive samples from one or several series (with replacement).

    All series are concatenated into one device array; ``starts`` holds every start index whose
    window stays inside one series, so a batch is one gather (device-agnostic, no host loop).

    Parameters
    ----------
    series : tuple of numpy.ndarray
        The training series (T_i, d).
    length : int
        Samples per window.
    dtype : dtype
        Floating-point type of the windows (the training loop's, :func:`training_dtype`).
    """

    def __init__(self, series: tuple[np.ndarray, ...], length: int, dtype: Any = np.float64):
        starts, offset = [], 0
        for s in series:
            n = s.shape[0] - length + 1
            if n > 0:
                starts.append(offset + np.arange(n))
            offset += s.shape[0]
        if not starts:
            raise ValueError(
                f"every training series is shorter than the window of {length} samples "
                "(sequence_length + 1); give longer series or a smaller sequence_length"
            )
        self.data = jnp.asarray(np.concatenate(series, axis=0), dtype=dtype)
        self.starts = jnp.asarray(np.concatenate(starts))
        self.length = length

    def sample(self, key: jax.Array, batch: int) -> jax.Array:
        """A batch of windows drawn uniformly from all valid start indices.

        Parameters
        ----------
        key : jax.Array
            PRNG key.
        batch : int
            Number of windows.

        Returns
        -------
        jax.Array
            Shape (batch, length, d).
        """
        idx = self.starts[jax.random.randint(key, (batch,), 0, self.starts.shape[0])]
        return self.data[idx[:, None] + jnp.arange(self.length)[None, :]]

    def sample_noisy(self, key: jax.Array, batch: int, noise: float) -> jax.Array:
        """A batch of windows with i.i.d. Gaussian noise added.

        Parameters
        ----------
        key : jax.Array
            PRNG key.
        batch : int
            Number of windows.
        noise : float
            Standard deviation of the noise (none when 0).

        Returns
        -------
        jax.Array
            Shape (batch, length, d).
        """
        k_batch, k_noise = jax.random.split(key)
        windows = self.sample(k_batch, batch)
        if noise > 0:
            windows = windows + noise * jax.random.normal(k_noise, windows.shape, windows.dtype)
        return windows


def radam_exponential(lr: float, final_lr: float, total_steps: int, clip: float = 0.0):
    """RAdam (Liu et al., ICLR 2020) with the learning rate decaying exponentially over the run.

    lr(n) = lr (final_lr / lr)^(n / total_steps), optionally after global-norm gradient clipping.

    Parameters
    ----------
    lr, final_lr : float
        Initial and final learning rates (> 0).
    total_steps : int
        Number of optimisation steps of the run.
    clip : float
        Global-norm clipping threshold (0: none).

    Returns
    -------
    optax.GradientTransformation
        The optimiser.
    """
    import optax

    if not (lr > 0 and final_lr > 0):
        raise ValueError(f"learning rates must be positive, got {lr} and {final_lr}")
    schedule = optax.exponential_decay(lr, transition_steps=max(1, total_steps), decay_rate=final_lr / lr)
    opt = optax.radam(schedule)
    return optax.chain(optax.clip_by_global_norm(clip), opt) if clip and clip > 0 else opt


def window_training(model: Any, td: TrainingData) -> tuple[WindowSampler, Any]:
    """The window sampler and optimiser of an RNN estimator.

    The windows have the estimator's training ``dtype`` (:func:`training_dtype`; float64 when it has none).

    Parameters
    ----------
    model : LearnedModel
        The estimator (reads ``sequence_length``, ``n_epochs``, ``batches_per_epoch``,
        ``learning_rate``, ``final_learning_rate``, ``gradient_clip``, ``dtype``).
    td : TrainingData
        The training data.

    Returns
    -------
    sampler : WindowSampler
        Windows of ``sequence_length`` + 1 samples.
    opt : optax.GradientTransformation
        :func:`radam_exponential` over ``n_epochs`` x ``batches_per_epoch`` steps.
    """
    dtype = training_dtype(getattr(model, "dtype", "float64"))
    sampler = WindowSampler(td.series, int(model.sequence_length) + 1, dtype)
    total = int(model.n_epochs) * int(model.batches_per_epoch)
    opt = radam_exponential(
        float(model.learning_rate), float(model.final_learning_rate), total, float(model.gradient_clip)
    )
    return sampler, opt


def optimizer_update(opt: Any, loss_fn: Any, p: Any, opt_state: Any, *args: Any) -> tuple[jax.Array, Any, Any]:
    """One gradient step on ``loss_fn(p, *args)``.

    Parameters
    ----------
    opt : optax.GradientTransformation
        The optimiser.
    loss_fn : callable
        ``loss_fn(p, *args) -> scalar``.
    p : pytree
        Parameters.
    opt_state : pytree
        Optimiser state.
    *args
        Further arguments of ``loss_fn``.

    Returns
    -------
    loss, p, opt_state
        The loss before the step, the new parameters and optimiser state.
    """
    import optax

    loss, grads = jax.value_and_grad(loss_fn)(p, *args)
    updates, opt_state = opt.update(grads, opt_state, p)
    return loss, optax.apply_updates(p, updates), opt_state


def rollout(law: Any, p: Any, z0: jax.Array, steps: int) -> jax.Array:
    """States z_1..z_steps of z -> law(z, p, n) from z0 (one ``lax.scan``).

    Parameters
    ----------
    law : callable
        The map law ``law(z, p, n)``.
    p : dict
        Its parameters.
    z0 : jax.Array, shape (M,) or (B, M)
        Start state(s).
    steps : int
        Number of iterates.

    Returns
    -------
    jax.Array
        Shape (steps, M) or (B, steps, M).
    """

    def body(z, _):
        z = law(z, p, 0)
        return z, z

    _, zs = jax.lax.scan(body, z0, None, length=steps)
    return jnp.moveaxis(zs, 0, -2)


def fit_with_recovery(
    model: Any,
    step: Any,
    state: Any,
    *,
    n_epochs: int,
    steps_per_epoch: int,
    seed: int,
    progress: bool | None,
    description: str,
    keep_best: bool,
    store: Any,
) -> TrainResult:
    """:func:`~dynstab.learn.base.train_epochs`; on a non-finite loss keep the last good state and say so.

    Parameters
    ----------
    model : LearnedModel
        The estimator.
    step : callable
        ``step(state, key) -> (state, loss)``.
    state : pytree
        Initial training state.
    n_epochs, steps_per_epoch, seed, progress, description, keep_best
        As for :func:`~dynstab.learn.base.train_epochs`.
    store : callable
        ``store(state, result)`` puts a state on the model.

    Returns
    -------
    TrainResult
        The result of the run.
    """
    return train_or_recover(
        model,
        step,
        state,
        store,
        "{name}.fit: {err} The model now holds those parameters (fitted_ = True); "
        "refit with a smaller learning_rate, a gradient_clip or regularization.",
        n_epochs=n_epochs,
        steps_per_epoch=steps_per_epoch,
        seed=seed,
        progress=progress,
        description=description,
        keep_best=keep_best,
    )


def select_checkpoint(history: list[dict[str, Any]]) -> int:
    """Index of the checkpoint to keep from :func:`fit_with_selection`'s history.

    Checkpoints whose free runs all stayed on an attractor (status ``"ok"``: not diverged, not escaped
    from the data range, not collapsed to a fixed point; :func:`~dynstab.learn.metrics.free_run_status`)
    are preferred; among them the one with the lowest median D_stsp. If none is clean, the one with the
    most clean runs, then the lowest median D_stsp (NaN last).

    Parameters
    ----------
    history : list of dict
        Per checkpoint: ``n_ok``, ``n_runs`` and ``d_stsp`` (median over its runs).

    Returns
    -------
    int
        The index into ``history`` (-1 if it is empty).
    """
    if not history:
        return -1

    def key(i: int) -> tuple[int, float]:
        h = history[i]
        d = h["d_stsp"]
        return (-(h["n_ok"] == h["n_runs"]) - h["n_ok"] / max(h["n_runs"], 1), d if np.isfinite(d) else np.inf)

    return min(range(len(history)), key=key)


def fit_with_selection(
    model: Any,
    step: Any,
    state: Any,
    store: Any,
    *,
    every: int,
    n_epochs: int,
    steps_per_epoch: int,
    seed: int,
    progress: bool | None,
    description: str,
    reference: np.ndarray,
    n_generate: int,
    n_starts: int = 1,
) -> None:
    """Train in chunks and keep the checkpoint whose free runs stay on the data's attractor, closest in D_stsp.

    After each chunk of ``every`` epochs the model generates ``n_generate`` steps from each of ``n_starts``
    states of ``reference`` (evenly spaced over it, the first one ``reference[0]``). Each run is classified by
    :func:`~dynstab.learn.metrics.free_run_status` (after dropping its first quarter as transient):
    ``"diverged"`` (not finite), ``"escaped"`` (far outside the reference's range), ``"collapsed"`` (its
    variance vanishes or keeps shrinking: a fixed point) or ``"ok"``; its state-space divergence D_stsp against
    ``reference`` and, when ``reference`` has at least ``n_generate`` samples, its power-spectrum distance D_H
    against the first ``n_generate`` of them are recorded. :func:`select_checkpoint` keeps the checkpoint with the
    lowest median D_stsp among those whose runs are all ``"ok"``, so a run that collapses late never ends on its
    collapsed last state when an attractor-reproducing checkpoint was seen (the AL-RNN paper's minimum-D_stsp
    selection, Brenner et al., NeurIPS 2024, ``evaluate.jl``, with several starts and a check for fixed points
    and escapes, which a single KL value does not always punish on data other than Lorenz-63).
    Sets ``params_``, ``selection_history_`` (rows: epoch, median D_stsp), ``selection_details_`` (one dict per
    checkpoint: epoch, d_stsp, d_h, statuses, n_ok, n_runs), ``selected_epoch_``, ``loss_history_`` and
    ``training_seconds_`` on the model.

    Parameters
    ----------
    model : LearnedModel
        The estimator (with ``params_`` and ``generate``).
    step, state, store
        As for :func:`fit_with_recovery`.
    every : int
        Epochs per chunk.
    n_epochs, steps_per_epoch, seed, progress, description
        As for :func:`~dynstab.learn.base.train_epochs`.
    reference : numpy.ndarray, shape (T, d)
        The series the free runs are compared with.
    n_generate : int
        Length of each free run.
    n_starts : int
        Number of free runs per checkpoint.
    """
    from .metrics import free_run_status, power_spectrum_distance, state_space_divergence

    ref = np.asarray(reference, dtype=np.float64)
    x0 = ref[np.linspace(0, ref.shape[0] - 1, n_starts).round().astype(int)]
    drop = n_generate // 4
    kept: list[dict] = []
    details: list[dict[str, Any]] = []
    losses, seconds, done, chunk = [], 0.0, 0, 0
    while done < n_epochs:
        n = min(every, n_epochs - done)
        res = fit_with_recovery(
            model,
            step,
            state,
            n_epochs=n,
            steps_per_epoch=steps_per_epoch,
            seed=seed + 7919 * chunk,
            progress=progress,
            description=f"{description}, epochs {done + 1}-{done + n}",
            keep_best=False,
            store=store,
        )
        state, done, chunk = res.state, done + n, chunk + 1
        losses.append(res.losses)
        seconds += res.seconds
        model.fitted_ = True
        gen = np.asarray(model.generate(x0, n_generate)).reshape(n_starts, n_generate, -1)
        statuses, ds, dh = [], [], []
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for run in gen:
                status = free_run_status(ref, run[drop:])
                statuses.append(status)
                finite = status != "diverged"
                ds.append(state_space_divergence(ref, run) if finite else np.nan)
                long = finite and ref.shape[0] >= n_generate
                dh.append(power_spectrum_distance(ref[:n_generate], run) if long else np.nan)
        ds_arr = np.asarray(ds, dtype=float)
        d_med = float(np.median(np.where(np.isfinite(ds_arr), ds_arr, np.inf)))
        dh_arr = np.asarray(dh, dtype=float)
        details.append(
            dict(
                epoch=done,
                d_stsp=d_med if np.isfinite(d_med) else float("nan"),
                d_h=float(np.nanmedian(dh_arr)) if np.any(np.isfinite(dh_arr)) else float("nan"),
                statuses=tuple(statuses),
                n_ok=statuses.count("ok"),
                n_runs=n_starts,
            )
        )
        kept.append(dict(model.params_))
    best = select_checkpoint(details)
    if best >= 0:
        model.params_ = kept[best]
    model.loss_history_ = np.concatenate(losses)
    model.training_seconds_ = seconds
    model.selection_history_ = np.asarray([(h["epoch"], h["d_stsp"]) for h in details], dtype=float)
    model.selection_details_ = details
    model.selected_epoch_ = details[best]["epoch"] if best >= 0 else -1


def store_training_state(model: Any, st: Any, res: TrainResult) -> None:
    """Put a training state and its result on an RNN estimator.

    Sets ``params_`` (float64 numpy arrays of ``st["params"]``: a model trained in float32 is cast back, so its
    predictions, ``as_system`` and Lyapunov exponents are float64 computations), ``train_result_``, ``loss_history_`` and
    ``training_seconds_``.

    Parameters
    ----------
    model : LearnedModel
        The estimator.
    st : dict
        Training state with a ``"params"`` entry.
    res : TrainResult
        The run's result.
    """
    model.params_ = {k: np.asarray(v, dtype=np.float64) for k, v in st["params"].items()}
    model.train_result_ = res
    model.loss_history_ = np.asarray(res.losses)
    model.training_seconds_ = float(res.seconds)


def fit_rnn(model: Any, step: Any, state: Any, td: TrainingData, store: Any, description: str) -> None:
    """The training run of an RNN estimator; sets ``fitted_``.

    :func:`fit_with_recovery` over ``n_epochs`` (keeping the last or, with ``keep_best``, the
    lowest-loss epoch; ``selection_history_`` empty), or with ``select_every`` > 0
    :func:`fit_with_selection` against the first training series.

    Parameters
    ----------
    model : LearnedModel
        The estimator.
    step, state, store
        As for :func:`fit_with_recovery`.
    td : TrainingData
        The training data.
    description : str
        Label of the progress bar.
    """
    every = check_int("select_every", model.select_every, 0)
    model.fitted_ = False  # set again only when an epoch finished (issue 14)
    common = dict(
        n_epochs=int(model.n_epochs),
        steps_per_epoch=int(model.batches_per_epoch),
        seed=int(model.seed) + 1,
        progress=model.progress,
        description=description,
    )
    if every == 0:
        fit_with_recovery(model, step, state, keep_best=bool(model.keep_best), store=store, **common)
        model.selection_history_ = np.zeros((0, 2))
    else:
        fit_with_selection(
            model,
            step,
            state,
            store,
            every=every,
            reference=td.series[0],
            n_generate=check_int("select_steps", model.select_steps, 8),
            n_starts=check_int("select_starts", getattr(model, "select_starts", 1)),
            **common,
        )
    model.fitted_ = True


def check_rnn_hyperparameters(model: Any, ints: tuple[str, ...], nonnegative: tuple[str, ...]) -> None:
    """Check integer (>= 1) and non-negative (NaN rejected) hyperparameters of an estimator.

    Parameters
    ----------
    model : LearnedModel
        The estimator.
    ints : tuple of str
        Names that must be integers >= 1.
    nonnegative : tuple of str
        Names that must be numbers >= 0.
    """
    for name in ints:
        check_int(name, getattr(model, name))
    for name in nonnegative:
        if not (getattr(model, name) >= 0):
            raise ValueError(f"{name} must be >= 0, got {getattr(model, name)!r}")


def check_x0(x0: Any, n: int) -> np.ndarray:
    """Validate an observed initial state (n,) or batch (B, n).

    Parameters
    ----------
    x0 : array_like
        The state(s).
    n : int
        Number of observed variables.

    Returns
    -------
    numpy.ndarray
        ``x0`` as a finite float64 array.
    """
    x0 = np.asarray(x0, dtype=np.float64)
    if x0.ndim not in (1, 2) or x0.shape[-1] != n:
        raise ValueError(f"x0 must have shape ({n},) or (B, {n}), got {x0.shape}")
    check_series(x0.reshape(-1, n), what="x0", dim=n)
    return x0


@partial(jax.jit, static_argnums=(0, 1, 2, 5, 6))
def generate_from(law: Any, init: Any, obs: Any, p: Any, x0: jax.Array, steps: int, latent: bool = False):
    """Free run of a latent map from an observed state: O(z_1..z_steps), z_0 = init(x0).

    Parameters
    ----------
    law : callable
        Latent map law ``law(z, p, n)`` (static: hashable, one compile per function).
    init : callable
        ``init(x, p)``: latent state of an observation.
    obs : callable
        ``obs(z, p)``: observation of latent states.
    p : dict
        Model parameters.
    x0 : jax.Array, shape (N,) or (B, N)
        Observed start state(s).
    steps : int
        Number of samples.
    latent : bool
        Return the latent states z_t instead of the observations.

    Returns
    -------
    jax.Array
        Shape (steps, N) (or (steps, M) when ``latent``), batched in front for a batch of x0.
    """
    zs = rollout(law, p, init(x0, p), steps)
    return zs if latent else obs(zs, p)


@partial(jax.jit, static_argnums=(0, 1, 2, 3, 6))
def forecast_from(law: Any, init: Any, force: Any, obs: Any, p: Any, ctx: jax.Array, steps: int):
    """Teacher-forced pass through a context, then a free run.

    z_1 = init(x_1); z_t = F(z_{t-1}) with its first D units replaced by force(x_t) for the context
    samples; then ``steps`` free-running observations.

    Parameters
    ----------
    law, init, obs
        As for :func:`generate_from`.
    force : callable
        ``force(x, p)``: the forcing signals (D units) of observations.
    p : dict
        Model parameters.
    ctx : jax.Array, shape (T_c, N)
        The observed context.
    steps : int
        Number of samples to predict.

    Returns
    -------
    jax.Array
        Shape (steps, N).
    """
    zh = force(ctx[1:], p)
    D = zh.shape[-1]

    def body(z, x):
        return law(z, p, 0).at[:D].set(x), None

    z, _ = jax.lax.scan(body, init(ctx[0], p), zh)
    return obs(rollout(law, p, z, steps), p)


@partial(jax.jit, static_argnums=(0, 1, 2, 5))
def _ahead(law: Any, init: Any, obs: Any, p: Any, x0: jax.Array, n: int) -> jax.Array:
    z = jax.lax.fori_loop(0, n, lambda i, z: law(z, p, 0), init(x0, p))
    return obs(z, p)


def predict_ahead(law: Any, init: Any, obs: Any, p: Any, x0: np.ndarray, n: int, chunk: int = 4096) -> np.ndarray:
    """n-step-ahead observations O(F^n(init(x0_b))) of a batch of observed states, in latent space.

    The batch is processed in chunks of ``chunk`` states (the last one padded, so one compile serves all)
    to bound the memory of the hidden layer.

    Parameters
    ----------
    law, init, obs
        As for :func:`generate_from`.
    p : dict
        Model parameters.
    x0 : numpy.ndarray, shape (B, N)
        Observed start states.
    n : int
        Number of steps.
    chunk : int
        States per compiled call.

    Returns
    -------
    numpy.ndarray
        Shape (B, N).
    """
    x0 = np.asarray(x0, dtype=np.float64)
    b = x0.shape[0]
    size = min(chunk, max(b, 1))
    out = []
    for i in range(0, b, size):
        part = x0[i : i + size]
        m = part.shape[0]
        if m < size:
            part = np.concatenate([part, np.repeat(part[-1:], size - m, axis=0)])
        out.append(np.asarray(_ahead(law, init, obs, p, jnp.asarray(part), int(n)))[:m])
    return np.concatenate(out) if out else np.zeros((0, x0.shape[-1]))


def prediction_starts(x: Any, starts: Any, n: Any, dim: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The checked arguments of a model's batched n-step predictions (``predict_n_steps``).

    Parameters
    ----------
    x : array_like, shape (T, dim)
        Observed series.
    starts : array_like of int
        Start indices into ``x``.
    n : int
        Prediction horizon in steps.
    dim : int
        The model's observed dimension.

    Returns
    -------
    (x, starts, n)
        The series as a float array, the start indices as a flat int64 array, the horizon.

    Raises
    ------
    ValueError
        For a malformed series or horizon, or a start that is not an index into ``x``.
    """
    xa = check_series(x, what="x", min_length=1, dim=dim)
    idx = np.asarray(starts, dtype=np.int64).reshape(-1)
    steps = check_steps(n)
    if idx.size and (idx.min() < 0 or idx.max() >= xa.shape[0]):
        raise ValueError(f"starts must be indices into x (0..{xa.shape[0] - 1})")
    return xa, idx, steps
