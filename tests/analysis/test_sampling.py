import numpy as np
import pytest

import dynstab
from dynstab.analysis.lyapunov import max_lyapunov_two_trajectory
from dynstab.analysis.sampling import characteristic_times, sample_initial_conditions, sample_parameters


def test_initial_conditions_lie_on_the_attractor_and_are_reproducible():
    lorenz = dynstab.systems.get("lorenz")
    X = sample_initial_conditions(lorenz, 8, seed=3)
    assert X.shape == (8, 3)
    assert np.all((X[:, 2] > 0) & (X[:, 2] < 50)) and np.all(np.abs(X[:, 0]) < 25)
    np.testing.assert_array_equal(X, sample_initial_conditions(lorenz, 8, seed=3))
    assert not np.allclose(X, sample_initial_conditions(lorenz, 8, seed=4))


def test_parameter_perturbations_stay_chaotic():
    found = sample_parameters(dynstab.systems.get("lorenz"), 3, scale=0.02, seed=1, lyapunov_length=200.0)
    assert len(found) == 3 and all(f["max_lyapunov"] > 0.5 for f in found)
    assert found == sample_parameters(dynstab.systems.get("lorenz"), 3, scale=0.02, seed=1, lyapunov_length=200.0)
    with pytest.raises(RuntimeError, match="were chaotic"):
        sample_parameters(dynstab.systems.get("lorenz", rho=10.0), 1, scale=0.01, max_tries=2, lyapunov_length=50.0)


def test_standardized_sampling_by_period_and_lyapunov_time():
    lorenz = dynstab.systems.get("lorenz")
    times = characteristic_times(lorenz)
    tr = dynstab.trajectory(lorenz, periods=5, pts_per_period=100)
    assert tr.x.shape == (501, 3)
    assert tr.t[1] - tr.t[0] == pytest.approx(times["period"] / 100)
    tr = dynstab.trajectory(lorenz, lyapunov_times=2, per_lyapunov_time=50)
    assert tr.x.shape == (101, 3) and tr.t[-1] == pytest.approx(2 * times["lyapunov_time"])
    with pytest.raises(ValueError, match="not several"):
        dynstab.trajectory(lorenz, t=1.0, periods=5)
    with pytest.raises(ValueError, match="sampled by iteration"):
        dynstab.trajectory(dynstab.systems.get("henon"), periods=5)


def test_two_trajectory_exponent():
    lam, _ = max_lyapunov_two_trajectory(dynstab.systems.get("lorenz"), t=1000.0, n_ics=2)
    assert lam == pytest.approx(0.9056, rel=0.03)
    lam, _ = max_lyapunov_two_trajectory(dynstab.systems.get("henon"), n=50_000)
    assert lam == pytest.approx(0.41922, rel=0.01)


def test_two_trajectory_resolves_a_discontinuous_law():
    # double-scroll jerk x''' = -a (x'' + x' + x - sgn x): 0.0754 with saltation matrices
    # (../shared/reference/invariants.csv); the Jacobian (tangent) method gives 0.0497
    lam, _ = max_lyapunov_two_trajectory(
        dynstab.systems.get("double_scroll_jerk"), t=5000.0, method="dopri8", renormalize=20.0, n_ics=2
    )
    assert lam == pytest.approx(0.0754, abs=0.005)


def test_arguments_go_through_validation():
    lorenz = dynstab.systems.get("lorenz")
    with pytest.raises(ValueError, match=r"^n must be an integer >= 1, got 2\.5$"):
        sample_initial_conditions(dynstab.systems.get("henon"), 2.5)
    with pytest.raises(ValueError, match=r"^n must be an integer >= 1, got 1\.5$"):
        sample_parameters(lorenz, 1.5)
    with pytest.raises(ValueError, match=r"^scale must be a finite number > 0, got 0\.0$"):
        sample_parameters(lorenz, 1, scale=0.0)
    with pytest.raises(ValueError, match=r"^max_tries must be an integer >= 1, got 2\.5$"):
        sample_parameters(lorenz, 1, max_tries=2.5)
    with pytest.raises(ValueError, match=r"^periods must be a finite number > 0, got -1\.0$"):
        dynstab.trajectory(lorenz, periods=-1.0)
    with pytest.raises(ValueError, match=r"^pts_per_period must be a finite number >= 1, got 0\.5$"):
        dynstab.trajectory(lorenz, periods=5.0, pts_per_period=0.5)
