import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import dynstab
from dynstab import systems
from dynstab.simulate import TrajectoryDivergedError

OMEGA = 2.0


@dynstab.flow(params=dict(w=OMEGA), x0=[1.0, 0.0], names=("q", "p"), dt=0.01)
def oscillator(x, p, t):
    return jnp.stack([x[1], -(p["w"] ** 2) * x[0]])


def exact_oscillator(t):
    return np.stack([np.cos(OMEGA * t), -OMEGA * np.sin(OMEGA * t)], axis=-1)


@pytest.mark.parametrize("method,order,step", [("rk4", 4, 0.1), ("rk8", 8, 0.25)])
def test_fixed_step_methods_converge_at_their_order(method, order, step):
    errs = []
    for h in (step, step / 2):
        tr = dynstab.trajectory(oscillator, t=5.0, dt=0.5, step=h, method=method)
        errs.append(np.abs(tr.x[-1] - exact_oscillator(5.0)).max())
    observed = np.log2(errs[0] / errs[1])
    assert abs(observed - order) < 0.5, (errs, observed)


@pytest.mark.parametrize("method,tol", [("dopri8", 1e-8), ("tsit5", 1e-7), ("kvaerno5", 1e-6)])
def test_adaptive_methods_meet_tolerance_including_dense_output(method, tol):
    # dt = 0.013 forces output points inside steps: they come from the dense output
    tr = dynstab.trajectory(oscillator, t=20.0, dt=0.013, method=method, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tr.x, exact_oscillator(tr.t), atol=tol)
    assert tr.stats["n_steps"] > 0


def test_dopri8_agrees_with_scipy_dop853_on_lorenz():
    lorenz = systems.get("lorenz")
    x0 = np.array([1.0, 1.0, 20.0])
    tr = dynstab.trajectory(lorenz, t=5.0, dt=0.05, x0=x0, method="dopri8", rtol=1e-12, atol=1e-12)
    f = lambda t, x: [10 * (x[1] - x[0]), x[0] * (28 - x[2]) - x[1], x[0] * x[1] - 8 / 3 * x[2]]  # noqa: E731
    ref = solve_ivp(f, (0, 5), x0, method="DOP853", rtol=1e-13, atol=1e-13, t_eval=tr.t).y.T
    np.testing.assert_allclose(tr.x, ref, atol=1e-7)


def test_stiff_problem_with_kvaerno5():
    @dynstab.flow(x0=[0.0], dt=0.1)
    def stiff(x, p, t):  # x -> cos t on a time scale 1e-4
        return -1e4 * (x - jnp.cos(t))

    tr = dynstab.trajectory(stiff, t=2.0, dt=0.5, method="kvaerno5", rtol=1e-8, atol=1e-10)
    lam = 1e4  # exact: x = lam^2/(1+lam^2) cos t + lam/(1+lam^2) sin t - lam^2/(1+lam^2) e^{-lam t}
    exact = (lam**2 * np.cos(tr.t) + lam * np.sin(tr.t) - lam**2 * np.exp(-lam * tr.t)) / (1 + lam**2)
    # outputs between steps come from diffrax's lower-order Kvaerno5 interpolant
    np.testing.assert_allclose(tr.x[:, 0], exact, atol=2e-6)
    assert tr.stats["n_steps"] < 2000


def test_ensemble_equals_individual_runs():
    lorenz = systems.get("lorenz")
    X0 = np.random.default_rng(1).normal(size=(4, 3)) + [0, 0, 25]
    ens = dynstab.trajectory(lorenz, t=2.0, x0=X0)
    assert ens.x.shape == (4, 201, 3) and ens.is_ensemble
    for b in range(4):
        np.testing.assert_allclose(ens.x[b], dynstab.trajectory(lorenz, t=2.0, x0=X0[b]).x, rtol=1e-12, atol=1e-12)


def test_parameter_ensemble_equals_with_params():
    lorenz = systems.get("lorenz")
    rhos = np.array([20.0, 28.0, 35.0])
    ens = dynstab.trajectory(lorenz, t=1.0, params=dict(rho=rhos), method="dopri8")
    for b, rho in enumerate(rhos):
        single = dynstab.trajectory(lorenz.with_params(rho=rho), t=1.0, method="dopri8")
        np.testing.assert_allclose(ens.x[b], single.x, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(ens.to_xarray()["param_rho"].values, rhos)


def test_transient_is_discarded():
    lorenz = systems.get("lorenz")
    full = dynstab.trajectory(lorenz, t=3.0)
    tail = dynstab.trajectory(lorenz, t=2.0, transient=1.0)
    np.testing.assert_allclose(tail.t, full.t[100:])
    np.testing.assert_allclose(tail.x, full.x[100:], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method", ["rk4", "dopri8"])
def test_blow_up_names_system_time_and_last_state(method):
    @dynstab.flow(x0=[1.0], dt=0.01)
    def explode(x, p, t):  # x = 1 / (1 - t) blows up at t = 1
        return x**2

    with pytest.raises(TrajectoryDivergedError, match=r"explode left the finite numbers before t=.*last finite state"):
        dynstab.trajectory(explode, t=2.0, method=method)
    kept = dynstab.trajectory(explode, t=2.0, method=method, on_blowup="nan")
    assert not np.isfinite(kept.x[-1, 0])


def test_blow_up_in_an_ensemble_names_the_member():
    @dynstab.flow(x0=[0.1], dt=0.01)
    def explode(x, p, t):
        return x**2

    with pytest.raises(TrajectoryDivergedError, match="ensemble member 1"):
        dynstab.trajectory(explode, t=5.0, x0=[[0.1], [1.0], [0.1]])


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(t=1.0, x0=[1.0, 2.0]), r"x0 has shape \(2,\); expected \(3,\) or \(B, 3\)"),
        (dict(t=1.0, x0=[1.0, np.nan, 2.0]), "non-finite"),
        (dict(t=1.0, method="rk45"), "unknown method 'rk45'"),
        (dict(t=-1.0), "time span"),
        (dict(n=10), "n= counts iterations of maps"),
        (dict(t=1.0, params=dict(rho=np.ones((2, 2)))), r"params\['rho'\] has shape"),
        (dict(t=1.0, x0=np.ones((3, 3)), params=dict(rho=np.ones(2))), "ensemble sizes disagree"),
    ],
)
def test_bad_input_gives_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dynstab.trajectory(systems.get("lorenz"), **kwargs)


@pytest.mark.parametrize(
    "name,kwargs,match",
    [
        ("henon", dict(n=2.5), r"^n \(the number of iterations\) must be an integer >= 0, got 2\.5$"),
        ("henon", dict(n=True), r"^n \(the number of iterations\) must be an integer"),
        ("henon", dict(t=2.5), r"^t \(the number of iterations\) must be an integer"),
        ("henon", dict(n=10, dt=1.5), r"^dt \(for a map, the sampling stride in iterations\) must be an integer"),
        ("henon", dict(n=10, transient=2.5), r"^transient \(for a map, the number of iterations\) must be"),
        ("lorenz", dict(t="1.0"), r"^t \(the time span\) must be a finite number >= 0, got '1\.0'$"),
        ("lorenz", dict(t=1.0, dt=np.nan), r"^dt must be a finite number > 0, got nan$"),
        ("lorenz", dict(t=1.0, step=np.nan), r"^step must be a finite number > 0, got nan$"),
        ("lorenz", dict(t=1.0, transient=np.inf), r"^transient must be a finite number >= 0"),
        ("lorenz", dict(t=1.0, method="tsit5", rtol=1.0), r"^rtol must be a finite number strictly between 0 and 1"),
        ("lorenz", dict(t=1.0, method="tsit5", atol=0.0), r"^atol must be a finite number > 0, got 0\.0$"),
        ("lorenz", dict(t=1.0, method="tsit5", max_steps=2.5), r"^max_steps must be an integer >= 1, got 2\.5$"),
        ("lorenz", dict(t=1.0, seed=1.5), r"^seed must be an integer, got 1\.5$"),
        ("lorenz", dict(t=1.0, t0=np.nan), r"^t0 must be a finite number, got nan$"),
        ("lorenz", dict(t=1.0, x0=["a", "b", "c"]), r"^x0 must be a numeric array"),
        ("lorenz", dict(t=1.0, params=dict(rho="28")), r"^parameter 'rho' must be a numeric array"),
    ],
)
def test_validation_rejects_nonsense_arguments(name, kwargs, match):
    """Arguments the old checks truncated (n=2.5 -> 2), let through (NaN step, text) or crashed on."""
    with pytest.raises(ValueError, match=match):
        dynstab.trajectory(systems.get(name), **kwargs)


def test_wrong_kinds_are_type_errors():
    with pytest.raises(TypeError, match=r"^n "):
        dynstab.trajectory(systems.get("henon"), n=2.5)
    with pytest.raises(TypeError, match=r"^x0 "):
        dynstab.trajectory(systems.get("lorenz"), t=1.0, x0=[1.0, 2.0 + 1j, 3.0])


def test_map_iteration_is_exact():
    tr = dynstab.trajectory(systems.get("logistic"), n=30)
    x, ref = 0.1, [0.1]
    for _ in range(30):
        x = 4.0 * x * (1.0 - x)
        ref.append(x)
    np.testing.assert_allclose(tr.x[:, 0], ref, rtol=1e-9)
    np.testing.assert_array_equal(tr.t, np.arange(31))
    strided = dynstab.trajectory(systems.get("logistic"), n=30, dt=3)
    np.testing.assert_allclose(strided.x[:, 0], ref[::3], rtol=1e-9)


def test_netcdf_round_trip_keeps_metadata(tmp_path):
    tr = dynstab.trajectory(systems.get("lorenz", rho=30.0), t=1.0, method="dopri8", rtol=1e-9)
    path = tmp_path / "lorenz.nc"
    tr.to_netcdf(path)
    back = dynstab.load_trajectory(path)
    assert isinstance(back, dynstab.Trajectory)
    np.testing.assert_array_equal(back.x, tr.x)
    np.testing.assert_array_equal(back.t, tr.t)
    assert back.system.name == "lorenz" and back.system.param_values() == tr.system.param_values()
    assert back.system.param_values()["rho"] == 30.0
    assert (back.method, back.rtol, back.atol) == ("dopri8", 1e-9, tr.atol)
    assert back.stats == tr.stats


def test_netcdf_is_cf_with_units_and_one_variable_per_parameter(tmp_path):
    import xarray as xr

    path = tmp_path / "lorenz.nc"
    dynstab.trajectory(systems.get("lorenz"), t=0.5).to_netcdf(path)
    ds = xr.load_dataset(path, engine="h5netcdf")
    assert ds.attrs["Conventions"] == "CF-1.8" and "parameters" not in ds.attrs  # no JSON string
    assert list(ds["variable"].values) == ["x", "y", "z"]
    for name in ("x", "time", "param_sigma", "param_rho", "param_beta"):
        assert {"units", "long_name"} <= set(ds[name].attrs), name
    assert ds["param_rho"].dims == () and float(ds["param_rho"]) == 28.0
    assert float(ds["param_beta"]) == pytest.approx(8 / 3, rel=1e-15)


def test_netcdf_parameter_ensemble_round_trip(tmp_path):
    rhos = np.array([20.0, 28.0, 35.0])
    ens = dynstab.trajectory(systems.get("lorenz"), t=0.5, params=dict(rho=rhos))
    ens.to_netcdf(tmp_path / "ens.nc")
    back = dynstab.load_trajectory(tmp_path / "ens.nc")
    assert back.is_ensemble and back.x.shape == ens.x.shape
    np.testing.assert_array_equal(back.params["rho"], rhos)
    np.testing.assert_array_equal(back.x, ens.x)


def test_netcdf_of_an_own_system_needs_the_system(tmp_path):
    path = tmp_path / "osc.nc"
    dynstab.trajectory(oscillator.with_params(w=3.0), t=1.0).to_netcdf(path)
    with pytest.raises(ValueError, match=r"'oscillator', which is not in the catalog; pass system="):
        dynstab.load_trajectory(path)
    back = dynstab.load_trajectory(path, system=oscillator)
    assert back.system.param_values() == {"w": 3.0} and back.x.shape == (101, 2)
    with pytest.raises(ValueError, match=r"parameters \['w'\] of the file are not parameters of lorenz"):
        dynstab.load_trajectory(path, system=systems.get("lorenz"))
    renamed = dynstab.flow(params=dict(w=1.0), x0=[1.0, 0.0], names=("a", "b"), name="oscillator")(
        lambda x, p, t: jnp.stack([x[1], -(p["w"] ** 2) * x[0]])
    )
    with pytest.raises(ValueError, match=r"records the variables \['q', 'p'\], but oscillator has \['a', 'b'\]"):
        dynstab.load_trajectory(path, system=renamed)


def test_load_trajectory_names_a_file_that_is_not_a_trajectory(tmp_path):
    import xarray as xr

    fake = tmp_path / "fake.nc"
    fake.write_text("x,y\n1,2\n")
    with pytest.raises(ValueError, match=r"fake.nc: not a readable NetCDF file"):
        dynstab.load_trajectory(fake)
    other = tmp_path / "other.nc"
    xr.Dataset({"temperature": ("time", np.arange(3.0))}).to_netcdf(other, engine="h5netcdf")
    with pytest.raises(ValueError, match=r"other.nc is NetCDF but not a dynstab trajectory"):
        dynstab.load_trajectory(other)
    with pytest.raises(FileNotFoundError):
        dynstab.load_trajectory(tmp_path / "missing.nc")


def test_load_trajectory_reads_files_with_parameters_as_one_json_attribute(tmp_path):
    import json

    ds = dynstab.trajectory(systems.get("henon"), n=10).to_xarray()
    ds = ds.drop_vars([v for v in ds.data_vars if v.startswith("param_")])
    ds.attrs["parameters"] = json.dumps({"a": 1.2, "b": 0.3})  # the format of dynstab 0.1 files
    ds.to_netcdf(tmp_path / "old.nc", engine="h5netcdf")
    back = dynstab.load_trajectory(tmp_path / "old.nc")
    assert back.system.param_values() == {"a": 1.2, "b": 0.3}


def test_learned_models_fit_a_loaded_trajectory_and_its_dataset(tmp_path):
    import xarray as xr

    from dynstab.learn import DMD

    path = tmp_path / "osc.nc"
    tr = dynstab.trajectory(oscillator, t=5.0)
    tr.to_netcdf(path)
    for data in (dynstab.load_trajectory(path, system=oscillator), xr.load_dataset(path, engine="h5netcdf")):
        model = DMD().fit(data)
        assert model.dt_ == pytest.approx(0.01)
        # the harmonic oscillator's one-step map has eigenvalues exp(+-i w dt)
        np.testing.assert_allclose(np.sort(np.angle(model.eigenvalues_)), [-OMEGA * 0.01, OMEGA * 0.01], rtol=1e-6)


# --- SDEs -----------------------------------------------------------------------------

MU, SIGMA = 0.5, 0.8


@dynstab.sde(diffusion=lambda x, p, t: p["s"] * x, params=dict(m=MU, s=SIGMA), x0=[1.0], dt=1e-3)
def gbm(x, p, t):
    return p["m"] * x


def _brownian_endpoints(seed, B, n_steps, h):
    from dynstab.simulate.sde import sde_increment

    keys = jax.random.split(jax.random.PRNGKey(seed), B)
    w = []
    for key in keys:
        _, k_run = jax.random.split(key)
        w.append(sum(float(sde_increment(k_run, k, (1,), h)[0]) for k in range(n_steps)))
    return np.array(w)


def test_milstein_has_higher_strong_order_than_euler_maruyama():
    B, T, h = 16, 1.0, 1e-2
    X0 = np.ones((B, 1))
    w = _brownian_endpoints(3, B, int(T / h), h)
    exact = np.exp((MU - SIGMA**2 / 2) * T + SIGMA * w)
    errs = {}
    for method in ("euler_maruyama", "milstein"):
        tr = dynstab.trajectory(gbm, t=T, dt=T, step=h, x0=X0, method=method, seed=3)
        errs[method] = np.mean(np.abs(tr.x[:, -1, 0] - exact))
    assert errs["milstein"] < 0.3 * errs["euler_maruyama"], errs
    assert errs["milstein"] < 0.02, errs


def test_ornstein_uhlenbeck_moments():
    @dynstab.sde(diffusion=lambda x, p, t: jnp.full(1, p["s"]), params=dict(k=2.0, s=1.0), x0=[3.0], dt=1e-2)
    def ou(x, p, t):
        return -p["k"] * x

    tr = dynstab.trajectory(ou, t=2.0, dt=2.0, x0=np.full((4000, 1), 3.0), seed=7)
    end = tr.x[:, -1, 0]
    k, s, T = 2.0, 1.0, 2.0
    mean, var = 3.0 * np.exp(-k * T), s**2 / (2 * k) * (1 - np.exp(-2 * k * T))
    assert abs(end.mean() - mean) < 4 * np.sqrt(var / end.size)
    assert abs(end.var() / var - 1) < 0.1


def test_sde_is_reproducible_by_seed():
    a = dynstab.trajectory(gbm, t=0.5, seed=11).x
    b = dynstab.trajectory(gbm, t=0.5, seed=11).x
    c = dynstab.trajectory(gbm, t=0.5, seed=12).x
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("lorenz", dict(t=1e308, dt=0.01)),
        ("lorenz", dict(t=1.0, dt=1e-320)),
        ("lorenz", dict(t=1.0, transient=1e300)),
        ("lorenz", dict(t=1.0, step=1e-320)),
        ("henon", dict(n=1e308)),
        ("henon", dict(n=10, transient=2**62)),
    ],
)
def test_step_counts_beyond_float64_are_refused_not_overflowed(name, kwargs):
    """Found by the hypothesis suite: these raised OverflowError deep inside the planning."""
    with pytest.raises(ValueError, match=r"too many \(over 2\*\*53"):
        dynstab.trajectory(dynstab.systems.get(name), **kwargs)
