"""SINDy wrapper: Lorenz-63 coefficients (Brunton, Proctor & Kutz 2016 set-up as in pysindy's example),
fixed points and Lyapunov spectrum of the learned flow, errors."""

import numpy as np
import pytest

import dynstab
from dynstab.learn.sindy import SINDy

SIGMA, RHO, BETA = 10.0, 28.0, 8.0 / 3.0
# Lorenz-63 in the library order 1, x, y, z, x^2, xy, xz, y^2, yz, z^2
TRUE = np.zeros((3, 10))
TRUE[0, 1], TRUE[0, 2] = -SIGMA, SIGMA
TRUE[1, 1], TRUE[1, 2], TRUE[1, 6] = RHO, -1.0, -1.0
TRUE[2, 3], TRUE[2, 5] = -BETA, 1.0


@pytest.fixture(scope="module")
def lorenz_data():
    # pysindy's canonical example: dt = 0.002, t in [0, 10), x0 = (-8, 8, 27), accurate integration
    return dynstab.trajectory(
        dynstab.systems.get("lorenz"),
        t=10 - 0.002,
        dt=0.002,
        x0=[-8.0, 8.0, 27.0],
        method="dopri8",
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.fixture(scope="module")
def model(lorenz_data):
    return SINDy(degree=2, threshold=0.1).fit(lorenz_data)


def test_recovers_lorenz_coefficients(model):
    assert model.feature_names_ == ["1", "x", "y", "z", "x^2", "x y", "x z", "y^2", "y z", "z^2"]
    coef = model.coefficients_
    nz = TRUE != 0
    np.testing.assert_allclose(coef[nz], TRUE[nz], rtol=0.01)
    assert np.all(coef[~nz] == 0.0)  # exact zeros from the thresholding


def test_equations_use_variable_names(model):
    eqs = model.equations(precision=1)
    assert eqs[0].startswith("x' = ") and "y" in eqs[0]
    assert eqs[1].startswith("y' = ") and "x z" in eqs[1]
    assert eqs[2].startswith("z' = ") and "x y" in eqs[2]
    assert str(model).count("\n") == 2


def test_learned_flow_matches_lorenz_rhs_and_fixed_points(model):
    flow = model.as_system()
    assert isinstance(flow, dynstab.Flow)
    pts = np.random.default_rng(0).normal(0, 10, (20, 3))
    learned = np.array([flow.f(p) for p in pts])
    manual = np.array(
        [model.coefficients_ @ np.array([1, x, y, z, x * x, x * y, x * z, y * y, y * z, z * z]) for x, y, z in pts]
    )
    np.testing.assert_allclose(learned, manual, rtol=1e-12, atol=1e-10)
    fps = dynstab.fixed_points(flow, [(-30, 30), (-30, 30), (-10, 50)])
    c = np.sqrt(BETA * (RHO - 1.0))
    expected = np.array([[-c, -c, RHO - 1.0], [0.0, 0.0, 0.0], [c, c, RHO - 1.0]])
    np.testing.assert_allclose(np.array([p.x for p in fps]), expected, rtol=1e-3, atol=1e-6)
    assert [p.type for p in fps] == ["saddle-focus", "saddle", "saddle-focus"]


def test_several_trajectories_and_forecast(lorenz_data):
    x = lorenz_data.x
    m = SINDy().fit([x[:2500], x[2500:]], dt=0.002)
    np.testing.assert_allclose(m.coefficients_[TRUE != 0], TRUE[TRUE != 0], rtol=0.01)
    assert m.names_ == ("x1", "x2", "x3")
    pred = m.forecast(x[:100], 200)  # 0.4 time units: well inside the predictability horizon
    np.testing.assert_allclose(pred, x[100:300], atol=1e-2 * np.abs(x).max())
    assert m.score(x[:400]) > 0.999


def test_pysindy_objects_pass_through(lorenz_data):
    import pysindy as ps

    opt = ps.STLSQ(threshold=0.5)
    m = SINDy(optimizer=opt, differentiation_method=ps.SmoothedFiniteDifference(), names=("u", "v", "w")).fit(
        lorenz_data.x, dt=0.002
    )
    assert not hasattr(opt, "coef_")  # the user's object is cloned, not fitted in place
    assert m.equations()[0].startswith("u' = ")
    np.testing.assert_allclose(m.coefficients_[TRUE != 0], TRUE[TRUE != 0], rtol=0.01)


def test_non_polynomial_library_as_system_errors(lorenz_data):
    import pysindy as ps

    m = SINDy(feature_library=ps.FourierLibrary(n_frequencies=1)).fit(lorenz_data.x[:500], dt=0.002)
    with pytest.raises(TypeError, match="PolynomialLibrary"):
        m.as_system()


def test_bad_input():
    x = np.ones((100, 3))
    x[5, 1] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        SINDy().fit(x, dt=0.01)
    with pytest.raises(ValueError, match="at least 5"):
        SINDy().fit(np.ones((3, 3)), dt=0.01)
    with pytest.raises(RuntimeError, match="not fitted"):
        SINDy().equations()
    with pytest.raises(ValueError, match="names"):
        SINDy(names=("a", "b")).fit(np.random.default_rng(0).normal(size=(50, 3)), dt=0.01)


@pytest.mark.slow
def test_learned_lyapunov_spectrum_matches_lorenz(model):
    # Lorenz-63: (0.9056, 0, -14.5723) (Sprott, Chaos and Time-Series Analysis, 2003, table A.2 value for
    # lambda_1; the sum is -(sigma + 1 + beta) = -13.6667)
    spec = dynstab.lyapunov_spectrum(model.as_system(), t=2000.0, dt=0.01, x0=[1.0, 1.0, 20.0])
    lam = spec.exponents
    assert abs(lam[0] - 0.9056) < 0.03
    assert abs(lam[1]) < 0.01
    assert abs(lam[2] + 14.5723) < 0.05
    np.testing.assert_allclose(lam.sum(), np.trace(model.coefficients_[:, 1:4]), rtol=1e-3)


def test_fits_with_the_same_library_share_one_law(model, lorenz_data):
    """The law is a value (the library's powers), so every fit of a benchmark shares its compiled integrator."""
    other = SINDy(degree=2, threshold=0.5).fit(lorenz_data)
    assert model.as_system().rhs == other.as_system().rhs and hash(model.as_system().rhs) == hash(other.as_system().rhs)
    assert SINDy(degree=3, threshold=0.1).fit(lorenz_data).as_system().rhs != model.as_system().rhs
    # the same numbers as the closed form with the fitted coefficients
    x = np.array([1.0, -2.0, 3.0])
    p = {"coefficients": model.coefficients_}
    theta = np.array([1, x[0], x[1], x[2], x[0] ** 2, x[0] * x[1], x[0] * x[2], x[1] ** 2, x[1] * x[2], x[2] ** 2])
    np.testing.assert_allclose(np.asarray(model.as_system().rhs(x, p, 0.0)), model.coefficients_ @ theta, rtol=1e-12)
