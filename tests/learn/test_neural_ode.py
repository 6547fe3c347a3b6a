"""Neural ODE: learns a damped linear spiral dx/dt = A x (exact eigenvalues -0.1 +- 2i) from one trajectory;
the learned flow's equilibrium, eigenvalues and Lyapunov exponents match A's."""

import numpy as np
import pytest

import dynstab
from dynstab.learn.base import NonFiniteLossError
from dynstab.learn.neural_ode import NeuralODE

A = np.array([[-0.1, 2.0], [-2.0, -0.1]])


@pytest.fixture(scope="module")
def spiral_data():
    @dynstab.flow(params=dict(A=A), x0=[2.0, 0.0], names=("x", "y"))
    def spiral(x, p, t):
        return p["A"] @ x

    return dynstab.trajectory(spiral, t=10.0, dt=0.05, method="dopri8", rtol=1e-12, atol=1e-12)


@pytest.fixture(scope="module")
def model(spiral_data):
    return NeuralODE(
        width=32,
        depth=2,
        window=10,
        n_epochs=60,
        steps_per_epoch=20,
        learning_rate=1e-2,
        solver="rk4",
        seed=0,
        progress=False,
    ).fit(spiral_data)


def test_learns_the_spiral(model, spiral_data):
    x = spiral_data.x
    assert model.losses_[-1] < 1e-3 * model.losses_[0]
    pred = model.forecast(x[:1], x.shape[0] - 1)  # free run over the whole 10 time units
    assert np.sqrt(np.mean((pred - x[1:]) ** 2)) < 0.05 * x.std()


def test_learned_flow_has_the_spirals_linearization(model):
    flow = model.as_system()
    assert isinstance(flow, dynstab.Flow)
    fps = dynstab.fixed_points(flow, [(-1, 1), (-1, 1)])
    assert len(fps) == 1 and np.linalg.norm(fps[0].x) < 0.05
    assert fps[0].type == "stable focus"
    ev = np.sort_complex(fps[0].eigenvalues)
    np.testing.assert_allclose(ev, [-0.1 - 2j, -0.1 + 2j], atol=0.1)
    spec = dynstab.lyapunov_spectrum(flow, t=50.0, dt=0.01, x0=[0.5, 0.5])
    np.testing.assert_allclose(spec.exponents, [-0.1, -0.1], atol=0.02)


def test_as_system_equals_the_trained_mlp(model):
    flow = model.as_system()
    z = np.array([0.3, -0.7])
    expected = model.scale_ * np.asarray(model.model_((z - model.mean_) / model.scale_))
    np.testing.assert_allclose(np.asarray(flow.f(z)), expected, rtol=1e-12, atol=1e-14)


def test_reproducible_with_seed(spiral_data):
    kw = dict(width=8, depth=1, window=5, n_epochs=2, steps_per_epoch=5, solver="rk4", progress=False)
    a = NeuralODE(seed=1, **kw).fit(spiral_data)
    b = NeuralODE(seed=1, **kw).fit(spiral_data)
    c = NeuralODE(seed=2, **kw).fit(spiral_data)
    for key in a.params_:
        np.testing.assert_array_equal(a.params_[key], b.params_[key])
    assert not np.allclose(a.params_["W0"], c.params_["W0"])


def test_non_finite_first_epoch_is_not_marked_fitted(spiral_data):
    # a ReLU field with an absurd learning rate overflows within the first epoch: no epoch finished, so there
    # is no best state to keep and the model must not claim to be fitted (issue 14)
    m = NeuralODE(
        width=8,
        depth=1,
        window=5,
        n_epochs=5,
        steps_per_epoch=5,
        learning_rate=1e6,
        activation="relu",
        solver="rk4",
        progress=False,
    )
    with pytest.raises(NonFiniteLossError, match="no epoch finished"):
        m.fit(spiral_data)
    assert not getattr(m, "fitted_", False)


def test_bad_input(spiral_data):
    with pytest.raises(ValueError, match="window"):
        NeuralODE(window=1).fit(spiral_data)
    with pytest.raises(ValueError, match="activation"):
        NeuralODE(activation="sigmoidish").fit(spiral_data)
    with pytest.raises(ValueError, match="solver"):
        NeuralODE(solver="euler").fit(spiral_data)
    with pytest.raises(ValueError, match="at least 10"):
        NeuralODE(window=10).fit(spiral_data.x[:5], dt=0.05)
    bad = spiral_data.x.copy()
    bad[7, 1] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        NeuralODE().fit(bad, dt=0.05)
    with pytest.raises(RuntimeError, match="not fitted"):
        NeuralODE().as_system()


@pytest.mark.slow
def test_diffrax_tsit5_training(spiral_data):
    m = NeuralODE(
        width=32, depth=2, window=10, n_epochs=60, steps_per_epoch=20, learning_rate=1e-2, seed=0, progress=False
    ).fit(spiral_data)
    x = spiral_data.x
    pred = m.forecast(x[:1], x.shape[0] - 1)
    assert np.sqrt(np.mean((pred - x[1:]) ** 2)) < 0.05 * x.std()
