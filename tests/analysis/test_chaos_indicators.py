"""SALI/GALI, finite-time and local Lyapunov exponents against exact and published values."""

import math
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

import dynstab
from dynstab.analysis.chaos_indicators import (
    finite_time_lyapunov,
    gali,
    local_lyapunov_exponents,
    max_lyapunov_two_trajectory,
    sali,
    zero_one_test_system,
)
from dynstab.systems.base import flow

# Henon-Heiles, state (x, y, px, py): the chaotic orbit (E = 1/8) and the quasi-periodic orbit on a 2-torus
# (E = 0.118) of ChaosTools.jl's GALI example (docs/src/chaos_detection.md), after Skokos, Bountis &
# Antonopoulos, Physica D 231, 30 (2007)
HH_CHAOTIC = [0.0, -0.25, 0.42081, 0.0]
HH_TORUS = [0.0, 0.483, 0.27898039, 0.0]
LORENZ_L1 = 0.9056  # Viswanath (1998)


@flow(params=dict(a=0.7, b=1.3), x0=[1.0, 1.0], name="saddle")
def saddle(x, p, t):
    return jnp.stack([p["a"] * x[0], -p["b"] * x[1]])


def test_henon_heiles_energy_of_published_orbits():
    from dynstab.systems.catalog.flows import henon_heiles_energy

    assert abs(float(henon_heiles_energy(np.array(HH_CHAOTIC))) - 0.125) < 1e-5
    assert abs(float(henon_heiles_energy(np.array(HH_TORUS))) - 0.118) < 1e-3


def test_sali_chaotic_to_zero_regular_bounded():
    hh = dynstab.systems.get("henon_heiles")
    res = sali(hh, 1000.0, x0=np.array([HH_CHAOTIC, HH_TORUS]), sample=1.0)
    chaotic, regular = res.sali
    assert chaotic[-1] < 1e-12  # exponential decay to the round-off floor (Skokos 2001)
    assert chaotic[99] > 1e-3  # ... not instantly
    assert regular.min() > 0.05  # fluctuates around a positive value
    assert list(res.chaotic()) == [True, False]
    # GALI_2 and SALI are proportional (both measure the angle between the two vectors)
    assert np.all((res.gali <= res.sali * 1.0 + 1e-15) & (res.gali >= 0.5 * res.sali - 1e-15))


def test_gali_power_laws_on_two_torus():
    # Skokos et al. 2007, Sec. 4: 2-DOF regular orbit, GALI_2 ~ const, GALI_3 ~ t^-2, GALI_4 ~ t^-4
    hh = dynstab.systems.get("henon_heiles")
    slopes = {}
    for k in (2, 3, 4):
        r = gali(hh, k, 2000.0, x0=HH_TORUS, sample=1.0)
        sel = r.times >= 100
        slopes[k] = np.polyfit(np.log(r.times[sel]), np.log(r.gali[sel]), 1)[0]
        if k == 2:
            assert r.gali.min() > 0.1
    assert abs(slopes[2]) < 0.15
    assert abs(slopes[3] + 2) < 0.15
    assert abs(slopes[4] + 4) < 0.2


def test_gali2_decay_rate_is_l1_minus_l2_for_lorenz():
    # chaotic orbits: GALI_2 ~ exp(-(l1 - l2) t); Lorenz l1 = 0.9056, l2 = 0; averaged over 21 orbits
    lor = dynstab.systems.get("lorenz")
    x0s = dynstab.trajectory(lor, t=200, dt=10, transient=20).x
    rates = gali(lor, 2, 40.0, x0=x0s, sample=0.1).decay_rate(t_min=2.0)
    assert rates.shape == (21,)
    assert abs(rates.mean() - LORENZ_L1) / LORENZ_L1 < 0.10


def test_gali_on_standard_map():
    sm = dynstab.systems.get("standard_map").with_params(k=1.5)
    # near the hyperbolic fixed point (0, 0): chaotic sea; (3, 0): the island around the elliptic point (pi, 0)
    res = gali(sm, 2, n=2000, x0=np.array([[0.1, 0.05], [3.0, 0.0]]))
    assert res.gali[0, -1] < 1e-10 and res.gali[1, -1] > 1e-4
    regular = gali(dynstab.systems.get("standard_map").with_params(k=0.5), 2, n=2000, x0=[0.5, 0.5])
    # an invariant curve of a 2-D symplectic map (N = 1): GALI_2 ~ t^-2(k-N) = t^-2 (Skokos et al. 2007)
    slope = np.polyfit(np.log(regular.times[100:]), np.log(regular.gali[100:]), 1)[0]
    assert abs(slope + 2) < 0.15


def test_ftle_of_linear_saddle_is_its_eigenvalue():
    pts = np.random.default_rng(0).uniform(-1, 1, (6, 5, 2))
    f = finite_time_lyapunov(saddle, pts, 3.0)
    assert f.shape == (6, 5)
    np.testing.assert_allclose(f, 0.7, atol=1e-9)  # sigma_max(diag(e^{a t}, e^{-b t})) = e^{a t}
    np.testing.assert_allclose(finite_time_lyapunov(saddle, pts, -3.0), 1.3, atol=1e-9)  # backward: e^{b t}
    np.testing.assert_allclose(finite_time_lyapunov(saddle, pts[0, 0], 7.3, renormalize=0.5), 0.7, atol=1e-9)


def test_ftle_of_area_preserving_double_gyre_is_nonnegative():
    # det(DPhi) = 1 for the incompressible double gyre, so sigma_max >= 1 and every FTLE >= 0
    dg = dynstab.systems.get("double_gyre")
    xs, ys = np.meshgrid(np.linspace(0.05, 1.95, 20), np.linspace(0.05, 0.95, 10))
    pts = np.stack([xs, ys, np.zeros_like(xs)], -1)
    f = finite_time_lyapunov(dg, pts, 15.0, variables=(0, 1))
    assert f.shape == (10, 20)
    assert f.min() >= -1e-6 and f.max() > 0.1


def test_ftle_map():
    henon = dynstab.systems.get("henon")
    f = finite_time_lyapunov(henon, np.array([henon.x0]), 1)
    J = np.asarray(henon.jacobian(henon.x0))
    assert abs(f[0] - math.log(np.linalg.svd(J, compute_uv=False)[0])) < 1e-12


def test_local_exponents_mean_is_global_lorenz():
    lor = dynstab.systems.get("lorenz")
    loc = local_lyapunov_exponents(lor, window=1.0, n=1000)
    assert loc.exponents.shape == (1000,)
    assert abs(loc.mean - LORENZ_L1) / LORENZ_L1 < 0.03
    assert loc.std > 0.3  # strongly non-uniform predictability on the Lorenz attractor
    fresh = local_lyapunov_exponents(lor, window=2.0, n=100, kind="fresh")
    assert fresh.mean > 0.5 and np.isfinite(fresh.std)
    assert loc.to_xarray().attrs["kind"] == "continued"
    assert loc.plot() is not None


def test_zero_one_system_convenience_and_reexport():
    # sampled about once per oscillation, as the test wants (dt = 0.01 would be oversampled and warn)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert zero_one_test_system(dynstab.systems.get("lorenz"), "x", t=1000.0, dt=0.5).K > 0.9
    logistic = dynstab.systems.get("logistic")
    assert zero_one_test_system(logistic.with_params(r=3.83), n=3000).K < 0.1
    assert max_lyapunov_two_trajectory is dynstab.analysis.lyapunov.max_lyapunov_two_trajectory


def test_bad_input():
    hh = dynstab.systems.get("henon_heiles")
    with pytest.raises(ValueError, match="k must be"):
        gali(hh, 5, 10.0)
    with pytest.raises(ValueError, match="k must be"):
        gali(hh, 1, 10.0)
    with pytest.raises(ValueError, match="t="):
        gali(hh, 2, None)
    with pytest.raises(ValueError, match="shape"):
        gali(hh, 2, 10.0, x0=[1.0, 2.0])
    with pytest.raises(ValueError, match="non-finite"):
        gali(hh, 2, 10.0, x0=[np.nan, 0, 0, 0])
    with pytest.raises(ValueError, match="expected"):
        finite_time_lyapunov(saddle, np.zeros((4, 3)), 1.0)
    with pytest.raises(ValueError, match="non-zero"):
        finite_time_lyapunov(saddle, np.zeros(2), 0.0)
    with pytest.raises(ValueError, match="variables"):
        finite_time_lyapunov(saddle, np.zeros(2), 1.0, variables=(0, 5))
    with pytest.raises(ValueError, match="kind"):
        local_lyapunov_exponents(hh, kind="other")
    with pytest.raises(ValueError, match="no variable"):
        zero_one_test_system(hh, "q", t=10.0)
    with pytest.raises(TypeError, match="Flow or Map"):
        gali("lorenz", 2, 1.0)


def test_arguments_go_through_validation():
    hh = dynstab.systems.get("henon_heiles")
    henon = dynstab.systems.get("henon")
    with pytest.raises(ValueError, match=r"^k must be an integer between 2 and 4 \(inclusive\), got 2\.5$"):
        gali(hh, 2.5, 10.0)
    with pytest.raises(TypeError, match=r"^k must be an integer"):
        gali(hh, "2", 10.0)
    with pytest.raises(ValueError, match=r"^sample must be a finite number > 0, got -1\.0$"):
        gali(hh, 2, 10.0, sample=-1.0)
    with pytest.raises(ValueError, match=r"^each of variables must be an integer, got 0\.5$"):  # was truncated to 0
        finite_time_lyapunov(saddle, np.zeros(2), 1.0, variables=(0.5, 1))
    with pytest.raises(ValueError, match=r"^t \(for a map, the number of iterations\) must be an integer >= 1"):
        finite_time_lyapunov(henon, np.zeros(2), 2.5)
    with pytest.raises(ValueError, match=r"^renormalize must be a finite number > 0, got -1\.0$"):
        finite_time_lyapunov(saddle, np.zeros(2), 1.0, renormalize=-1.0)
    with pytest.raises(ValueError, match=r"^x0s contains 1 NaN"):
        finite_time_lyapunov(saddle, [[0.0, np.nan]], 1.0)
    with pytest.raises(ValueError, match=r"^n \(the number of windows\) must be an integer >= 2, got 10\.5$"):
        local_lyapunov_exponents(hh, n=10.5)
    with pytest.raises(ValueError, match=r"^window \(for a map, the number of iterations\) must be an integer >= 1"):
        local_lyapunov_exponents(henon, window=1.5)
    with pytest.raises(ValueError, match=r"^window must be a finite number > 0, got nan$"):
        local_lyapunov_exponents(hh, window=float("nan"))
    with pytest.raises(ValueError, match=r"^n \(the number of iterations\) must be an integer >= 0, got 100\.5$"):
        zero_one_test_system(henon, n=100.5)  # was truncated to 100


def test_local_exponents_of_a_long_run_in_chunks_are_the_one_call_values(monkeypatch):
    """Issue 14: the continued local exponents run through `benettin`, so a long run goes in interruptible chunks
    with ``progress(done, total)``; the chunks do not change a single window."""
    from dynstab.simulate import evolution

    lor = dynstab.systems.get("lorenz")
    one = local_lyapunov_exponents(lor, window=0.5, n=200)
    monkeypatch.setattr(evolution, "LONG_RUN_SECONDS", 0.0)
    monkeypatch.setattr(evolution, "CHUNK_SECONDS", 1e-3)
    calls = []
    chunked = local_lyapunov_exponents(lor, window=0.5, n=200, progress=lambda d, total: calls.append((d, total)))
    np.testing.assert_array_equal(chunked.exponents, one.exponents)
    assert len(calls) > 2 and calls[-1][0] == calls[-1][1]


@pytest.mark.parametrize("name, kwargs", [("henon_heiles", dict(t=100.0, sample=0.5)), ("standard_map", dict(n=301))])
def test_gali_of_a_long_run_in_chunks_equals_the_one_call_run(monkeypatch, name, kwargs):
    """Issue 14: a long GALI run goes in interruptible chunks with ``progress``; the values are the same bit for bit
    (two orbits at once; single-iteration intervals of a map advance in pairs)."""
    from dynstab.simulate import evolution

    system = dynstab.systems.get(name)
    x0 = np.array([HH_CHAOTIC, HH_TORUS]) if name == "henon_heiles" else np.array([[0.1, 0.2], [3.0, 0.05]])
    one = gali(system, 2, x0=x0, **kwargs)
    monkeypatch.setattr(evolution, "LONG_RUN_SECONDS", 0.0)
    monkeypatch.setattr(evolution, "CHUNK_SECONDS", 1e-4)
    calls = []
    chunked = gali(system, 2, x0=x0, progress=lambda d, total: calls.append((d, total)), **kwargs)
    np.testing.assert_array_equal(chunked.gali, one.gali)
    np.testing.assert_array_equal(chunked.sali, one.sali)
    assert len(calls) > 2 and calls[-1] == (one.times.size, one.times.size)
