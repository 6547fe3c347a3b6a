"""Viscous Burgers (dynstab.models.burgers) against exact results.

Cole-Hopf: phi0 = a + b cos x gives u = 2 nu b e^(-nu t) sin x / (a + b e^(-nu t) cos x) exactly.
Around u = 0 the ETDRK4 map is the diagonal e^(-nu k^2 h): Lyapunov exponents -nu k^2 (and 0 for
the conserved mean), spectral radius 1, and the spectrum of an identity "learned" step drifts
from the truth by exactly 2 nu k^2 t / ln 10 decades. The slow test is the issue's front-width
scaling (slope 1 +- 0.1).
"""

import math

import jax.numpy as jnp
import numpy as np
import pytest

from dynstab.analysis import lyapunov_spectrum
from dynstab.models import burgers as B


def test_cole_hopf_to_1e8():
    nu, a, b = 0.5, 1.5, 1.0
    p = B.Burgers(nu, 64, 0.01)
    run = B.solve(p, B.cole_hopf(p.x, 0.0, nu, a, b), 1.0, save_every=0.25)
    assert run.u.shape == (1, 5, 64)
    assert np.allclose(run.t, [0, 0.25, 0.5, 0.75, 1.0])
    err = max(np.max(np.abs(run.u[0, j] - B.cole_hopf(p.x, run.t[j], nu, a, b))) for j in range(5))
    assert err < 1e-8  # measured 1.4e-9 (the ETDRK4 time error; 4e-14 at dt = 1e-3)
    assert err > 1e-12  # and not trivially exact: the field is nonlinear


def test_cole_hopf_formula_solves_burgers():
    # the closed form against finite differences of itself: u_t + u u_x - nu u_xx = 0
    nu, a, b, t, e = 0.3, 2.0, 1.5, 0.7, 1e-4
    x = np.linspace(0.1, 6.0, 7)
    u = B.cole_hopf(x, t, nu, a, b)
    ut = (B.cole_hopf(x, t + e, nu, a, b) - B.cole_hopf(x, t - e, nu, a, b)) / (2 * e)
    ux = (B.cole_hopf(x + e, t, nu, a, b) - B.cole_hopf(x - e, t, nu, a, b)) / (2 * e)
    uxx = (B.cole_hopf(x + e, t, nu, a, b) - 2 * u + B.cole_hopf(x - e, t, nu, a, b)) / e**2
    assert np.max(np.abs(ut + u * ux - nu * uxx)) < 1e-5


def test_batch_matches_single_runs_and_conserves_mean():
    p = B.Burgers(0.2, 64, 0.01)
    u0 = B.random_fields(p, 3, seed=4) + np.array([[0.0], [0.2], [-0.1]])
    batch = B.solve(p, u0, 0.5, save_every=0.1)
    one = B.solve(p, u0[1], 0.5, save_every=0.1)
    assert np.max(np.abs(batch.u[1] - one.u[0])) < 1e-13
    assert np.allclose(batch.u.mean(axis=2), u0.mean(axis=1)[:, None], atol=1e-13)
    # the maximum principle
    assert np.all(np.max(np.abs(batch.u), axis=(1, 2)) <= np.max(np.abs(u0), axis=1) + 1e-12)


def test_random_fields_seeded_zero_mean_unit_max():
    p = B.Burgers(0.05, 128, 0.005)
    u = B.random_fields(p, 5, seed=3)
    assert u.shape == (5, 128)
    assert np.allclose(np.max(np.abs(u), axis=1), 1.0)
    assert np.allclose(u.mean(axis=1), 0.0, atol=1e-14)
    assert np.array_equal(u, B.random_fields(p, 5, seed=3))
    assert not np.allclose(u, B.random_fields(p, 5, seed=4))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(nu=0.0, n=64, dt=0.01), "nu"),
        (dict(nu=-1.0, n=64, dt=0.01), "nu"),
        (dict(nu=0.1, n=63, dt=0.01), "odd"),
        (dict(nu=0.1, n=8, dt=0.01), "n"),
        (dict(nu=0.1, n=64, dt=0.0), "dt"),
    ],
)
def test_bad_problem(kwargs, match):
    with pytest.raises(ValueError, match=match):
        B.Burgers(**kwargs)


def test_bad_setup_refused_before_work():
    p = B.Burgers(0.05, 64, 0.1)
    u0 = np.sin(p.x)
    with pytest.raises(ValueError, match=r"dt = 0\.1 is above the ETDRK4 bound"):
        B.solve(p, u0, 1.0)
    # a field with energy above the 2/3 cutoff
    p = B.Burgers(0.5, 64, 0.001)
    with pytest.raises(ValueError, match="u0 is not resolved"):
        B.solve(p, np.sin(p.x) + 0.1 * np.sin(30 * p.x), 1.0)
    # fronts too sharp for the grid: nu = 0.005 on N = 64
    p = B.Burgers(0.005, 64, 0.001)
    with pytest.raises(ValueError, match=r"does not resolve the fronts.*give n >="):
        B.solve(p, np.sin(p.x), 1.0)
    with pytest.raises(ValueError, match="64"):
        B.solve(B.Burgers(0.5, 64, 0.01), np.zeros(32), 1.0)
    with pytest.raises(ValueError, match="u0"):
        B.solve(B.Burgers(0.5, 64, 0.01), np.full(64, np.nan), 1.0)
    with pytest.raises(ValueError, match="save_every"):
        B.solve(B.Burgers(0.5, 64, 0.01), np.zeros(64), 1.0, save_every=2.0)


def test_map_lyapunov_exponents_at_rest_are_minus_nu_k2():
    nu = 0.2
    p = B.Burgers(nu, 16, 0.05)
    m = B.burgers_map(p, np.zeros(16))
    assert m.dim == 16
    spec = lyapunov_spectrum(m, n=100, k=5, transient=1000)  # the transient aligns the QR frame
    assert np.allclose(np.sort(spec.exponents)[::-1], [0.0, -nu, -nu, -4 * nu, -4 * nu], atol=1e-9)


def test_map_step_equals_solver_step():
    p = B.Burgers(0.3, 32, 0.02)
    u0 = B.random_fields(p, 1, seed=1)[0]
    m = B.burgers_map(p, u0)
    run = B.solve(p, u0, 0.02, save_every=0.02)
    assert np.max(np.abs(np.asarray(m.f(jnp.asarray(u0))) - run.u[0, 1])) < 1e-14


def test_spectrum_drift_exact_in_linear_regime():
    nu, h, n_steps = 0.1, 0.01, 20
    p = B.Burgers(nu, 32, h)
    u0 = 1e-9 * (np.sin(p.x) + 0.5 * np.cos(2 * p.x))  # the nonlinearity is 1e-9 relative: negligible
    same = B.spectrum_drift(B.burgers_map(p, u0).f, p, u0, n_steps)
    assert np.max(same.drift) < 1e-10
    ident = B.spectrum_drift(lambda u: u, p, u0, n_steps)
    # identity keeps E_k; the truth decays as exp(-2 nu k^2 t): modes 1 and 2
    expect = np.mean([2 * nu * k**2 * same.t / math.log(10) for k in (1, 2)], axis=0)
    assert np.allclose(ident.drift, expect, rtol=1e-6, atol=1e-12)
    assert ident.energy_ratio[-1] > 1.0


def test_jacobian_spectral_radius():
    # at rest the Jacobian is diag(e^(-nu k^2 h)): radius 1 (the mean mode), next e^(-0.15)
    rest = B.burgers_map(B.Burgers(0.3, 32, 0.5), np.zeros(32)).f
    assert np.allclose(B.jacobian_spectral_radius(rest, np.zeros(32), method="dense"), 1.0, atol=1e-12)
    assert np.allclose(B.jacobian_spectral_radius(rest, np.zeros(32), method="power"), 1.0, atol=1e-9)
    # a linear map with known eigenvalues, including a dominant complex pair of modulus 1.1
    theta = 0.7
    rot = 1.1 * np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    mat = np.zeros((6, 6))
    mat[:2, :2] = rot
    mat[2:, 2:] = np.diag([0.9, -0.5, 0.3, 0.1])
    lin = lambda u: jnp.asarray(mat) @ u  # noqa: E731
    s = np.ones((2, 6))
    assert np.allclose(B.jacobian_spectral_radius(lin, s, method="dense"), 1.1)
    assert np.allclose(B.jacobian_spectral_radius(lin, s, method="power", iterations=400), 1.1, rtol=1e-3)
    with pytest.raises(ValueError, match="method"):
        B.jacobian_spectral_radius(lin, s, method="lanczos")


@pytest.mark.slow
def test_jacobian_spectral_radius_dense_and_power_agree():
    p = B.Burgers(0.3, 32, 0.25)
    step = B.burgers_map(p, np.zeros(32)).f
    u = B.random_fields(p, 2, seed=2, amplitude=0.3)
    d = B.jacobian_spectral_radius(step, u, method="dense")
    w = B.jacobian_spectral_radius(step, u, method="power", iterations=2000)
    assert np.allclose(d, w, rtol=1e-3)


def test_dataset_netcdf(tmp_path):
    xr = pytest.importorskip("xarray")
    p = B.Burgers(0.3, 32, 0.02)
    run = B.solve(p, B.random_fields(p, 2, seed=5), 0.2, save_every=0.1, seed=5)
    path = B.write_dataset(run, tmp_path / "b.nc")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert ds["u"].dims == ("trajectory", "time", "x")
        assert ds["u"].shape == (2, 3, 32)
        assert ds.attrs["nu"] == 0.3 and ds.attrs["N"] == 32 and ds.attrs["dt"] == 0.02 and ds.attrs["seed"] == 5
        assert ds["time"].attrs["standard_name"] == "time"
        assert np.allclose(ds["u"].values, run.u)


@pytest.mark.slow
def test_front_width_scales_with_nu():
    nus, widths = [0.01, 0.02, 0.04, 0.08], []
    for nu in nus:
        n = 1024 if nu < 0.02 else 512 if nu < 0.04 else 256
        p = B.Burgers(nu, n, 1.0)
        p = B.Burgers(nu, n, 0.5 * p.max_dt(np.sin(p.x)))
        run = B.solve(p, np.sin(p.x), 3.0, save_every=0.01)
        j = int(np.argmax([B.front_width(u)[2] for u in run.u[0]]))
        w, du, _ = B.front_width(run.u[0, j])
        assert w == pytest.approx(8 * nu / du, rel=0.1)  # the travelling-wave width
        widths.append(w)
    slope = np.polyfit(np.log(nus), np.log(widths), 1)[0]
    assert abs(slope - 1.0) < 0.1  # measured 1.037


@pytest.mark.slow
def test_thousand_trajectories_in_seconds():
    p = B.Burgers(0.05, 256, 0.005)
    u0 = B.random_fields(p, 1000, seed=0)
    import time

    began = time.process_time()
    run = B.solve(p, u0, 1.0, save_every=0.05)
    assert run.u.shape == (1000, 21, 256)
    assert np.all(np.isfinite(run.u))
    assert time.process_time() - began < 30.0
