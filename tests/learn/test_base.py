"""The shared estimator plumbing: data validation and the training loop."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import dynstab
from dynstab.learn.base import NonFiniteLossError, as_training_data, check_series, train_epochs


def test_training_data_from_arrays_lists_and_trajectories():
    d = as_training_data([np.ones((5, 3)), np.zeros((7, 3))], dt=0.1)
    assert d.lengths == (5, 7) and d.dim == 3 and d.dt == 0.1
    assert as_training_data(np.zeros((4, 6, 2)), dt=1.0).lengths == (6,) * 4
    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=1.0, dt=0.01)
    assert as_training_data(traj).dt == pytest.approx(0.01)
    with pytest.raises(ValueError, match="disagrees"):
        as_training_data(traj, dt=0.02)


def test_training_data_errors():
    traj1 = dynstab.trajectory(dynstab.systems.get("lorenz"), t=1.0, dt=0.01)
    traj2 = dynstab.trajectory(dynstab.systems.get("lorenz"), t=1.0, dt=0.02)
    with pytest.raises(ValueError, match="inconsistent sampling steps"):
        as_training_data([traj1, traj2])
    with pytest.raises(ValueError, match="different numbers of variables"):
        as_training_data([np.ones((5, 3)), np.ones((5, 2))])
    with pytest.raises(ValueError, match=r"non-finite value .* sample 2"):
        as_training_data(np.array([1.0, 2.0, np.nan, 4.0]))
    with pytest.raises(ValueError, match="at least 10"):
        as_training_data(np.ones(5), min_length=10)
    with pytest.raises(ValueError, match="dt must be a positive"):
        as_training_data(np.ones(5), dt=-1.0)
    with pytest.raises(ValueError, match="fitted on 3"):
        check_series(np.ones((4, 2)), dim=3)


def test_train_epochs_minimizes_and_keeps_best():
    def step(w, key):
        w = w - 0.1 * 2 * w
        return w, jnp.sum(w**2)

    res = train_epochs(step, jnp.ones(3), n_epochs=5, steps_per_epoch=10, progress=False)
    assert res.best_epoch == 4 and res.best_loss < 1e-8 and len(res.losses) == 5
    assert np.all(np.diff(res.losses) < 0)


def test_train_epochs_non_finite_loss_keeps_best_state():
    def step(w, key):  # converges for 2 epochs, then blows up
        w = jnp.where(w[1] > 25, w * jnp.inf, w + jnp.array([0.0, 1.0]))
        return w, jnp.sum(w[1])

    with pytest.raises(NonFiniteLossError, match="keeping the best parameters") as info:
        train_epochs(step, jnp.zeros(2), n_epochs=10, steps_per_epoch=10, progress=False)
    res = info.value.result
    assert res.best_epoch == 0 and float(res.state[1]) == 10.0


def test_train_epochs_in_chunks_compiles_the_epoch_once(caplog):
    """Training in chunks (checkpoint selection) reuses the compiled epoch of the same step function."""
    import logging

    def step(w, key):
        return 0.5 * w, jnp.sum(w**2)

    def compiles():
        return sum(r.getMessage().startswith("Compiling jit(epoch)") for r in caplog.records)

    w = jnp.ones(2)
    with jax.log_compiles(True), caplog.at_level(logging.DEBUG):
        for _ in range(3):
            w = train_epochs(step, w, n_epochs=2, steps_per_epoch=4, progress=False, keep_best=False).state
        assert compiles() == 1 and float(w[0]) == pytest.approx(0.5**24)
        train_epochs(step, w, n_epochs=1, steps_per_epoch=5, progress=False)  # another epoch length: compiled anew
        assert compiles() == 2


def test_diverging_loss_keeps_the_lowest_loss_not_the_last():
    """Issue 14 probe: losses 175 then 3.2e52 then NaN kept "epoch 1, loss 3.18e52" (keep_best=False)."""
    from dynstab.learn.base import train_or_recover

    def step(w, key):  # the loss grows a thousandfold per step, then overflows
        w = w * 1e3
        return w, jnp.sum(w**2)

    with pytest.raises(NonFiniteLossError, match=r"keeping the best parameters \(epoch 0,") as info:
        train_epochs(step, jnp.ones(1), n_epochs=10, steps_per_epoch=20, progress=False, keep_best=False)
    res = info.value.result
    assert res.best_epoch == 0 and res.best_loss == pytest.approx(res.losses[0]) and res.best_loss == res.losses.min()

    class Model:
        fitted_ = False

    def nan_step(w, key):  # the first epoch is already NaN
        return w, jnp.sum(w) * jnp.nan

    m = Model()
    stored = []
    with pytest.raises(NonFiniteLossError, match=r"no epoch finished.*not fitted"):
        train_or_recover(
            m,
            nan_step,
            jnp.ones(1),
            lambda st, r: stored.append(st),
            "{name}: {err}",
            n_epochs=3,
            steps_per_epoch=2,
            progress=False,
        )
    assert not m.fitted_ and stored == []
