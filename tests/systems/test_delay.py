"""Delay equations: method of steps against exact solutions, convergence order, exponents."""

import numpy as np
import pytest

import dynstab
from dynstab.analysis import lyapunov_spectrum
from dynstab.systems.delay import DelayFlow, delay_flow


@delay_flow(params=dict(a=0.7, tau=1.0), x0=[1.0], dt=0.05)
def linear_delay(x, xd, p, t):
    return -p["a"] * xd


def test_linear_delay_matches_the_method_of_steps_solution():
    # history 1 on [-tau, 0]: x = 1 - a t on [0, 1], then 1 - a t + a^2 (t - 1)^2 / 2 on [1, 2]
    tr = dynstab.trajectory(linear_delay, t=2.0, dt=0.05)
    a, t = 0.7, tr.t
    exact = np.where(t <= 1.0, 1 - a * t, 1 - a * t + a**2 * (t - 1) ** 2 / 2)
    np.testing.assert_allclose(tr.x[:, 0], exact, atol=1e-12)


def test_mackey_glass_converges_at_fourth_order():
    mg = dynstab.systems.get("mackey_glass")
    ref = dynstab.trajectory(mg, t=100.0, dt=1.0, step=17 / 1360)
    errs = [np.abs(dynstab.trajectory(mg, t=100.0, dt=1.0, step=h).x - ref.x).max() for h in (17 / 85, 17 / 170)]
    assert 3.6 < np.log2(errs[0] / errs[1]) < 4.4, errs


def test_mackey_glass_is_chaotic_with_a_zero_exponent():
    spec = lyapunov_spectrum(dynstab.systems.get("mackey_glass"), t=5000.0, n_ics=2)
    assert spec.exponents.size == 4 and np.isnan(spec.divergence)
    assert 0.003 < spec.exponents[0] < 0.008  # Farmer (1982): lambda_1 ~ 0.005-0.007 at tau = 17
    assert abs(spec.exponents[1]) < 0.002


def test_delay_protocol_and_errors():
    mg = dynstab.systems.get("mackey_glass")
    assert isinstance(mg, DelayFlow) and mg.kind == "delay" and mg.tau == 17.0
    assert mg.steps_per_delay() == 170
    hmap = mg.as_map()
    assert hmap.kind == "map" and hmap.dim == 2 * 171
    with pytest.raises(ValueError, match="cannot vary"):
        dynstab.trajectory(mg, t=10.0, params=dict(tau=[16.0, 17.0]))
    with pytest.raises(ValueError, match="method of steps"):
        dynstab.trajectory(mg, t=10.0, method="dopri8")
    ens = dynstab.trajectory(mg, t=10.0, dt=1.0, params=dict(beta=[0.2, 0.25]))
    assert ens.x.shape == (2, 11, 1)
