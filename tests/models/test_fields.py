"""Klein-Gordon, phi^4 and sine-Gordon fields (dynstab.models.fields) against exact results.

The slow tests are the issue's targets (issue 17): the breather's energy and period, the static
kink pair's energy, the phi^4 kink-antikink collision at u = 0.3 (one bounce, escape speed), the
linear packet against its exact Fourier solution, and the entropies' resolution independence.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dynstab import trajectory
from dynstab.analysis import lyapunov_spectrum
from dynstab.models import fields as F

SQRT2 = math.sqrt(2.0)


def _peak_times(t, s):
    """Times of the local maxima of a sampled series, refined by a parabola through three samples."""
    out = []
    for j in range(1, len(s) - 1):
        if s[j] > s[j - 1] and s[j] >= s[j + 1]:
            a, b, c = s[j - 1], s[j], s[j + 1]
            out.append(t[j] + 0.5 * (a - c) / (a - 2 * b + c) * (t[1] - t[0]))
    return np.array(out)


# ------------------------------------------------------------------------------------------ grid, energies
def test_grid_is_periodic_without_duplicated_endpoint():
    f = F.KleinGordon.create("linear", n=64, length=8.0, dt=0.01)
    assert f.x[0] == -4.0
    assert f.x[-1] == pytest.approx(4.0 - 8.0 / 64)
    assert np.allclose(np.diff(f.x), f.dx)


@pytest.mark.parametrize(("lam", "v"), [(1.0, 1.0), (2.0, 0.5), (0.5, 1.5)])
def test_static_kink_pair_energy_is_twice_the_kink_energy(lam, v):
    # E_kink = (2 sqrt 2 / 3) sqrt(lam) v^3 (defect 5: not lam v^3); far-apart pair on a periodic grid
    f = F.KleinGordon.create("phi4", dict(lam=lam, v=v), n=1024, length=100.0, dt=0.005)
    phi, pi = F.kink_antikink(f.x, 50.0, 0.0, lam, v)
    assert float(f.energy(phi, pi)) == pytest.approx(2 * F.kink_energy(lam, v), rel=1e-10)
    assert F.kink_energy() == pytest.approx(2 * SQRT2 / 3)
    assert F.kink_width(lam, v) == pytest.approx(SQRT2 / (v * math.sqrt(lam)))


@pytest.mark.parametrize("u", [0.1, 0.3, 0.6])
def test_boosted_pair_energy_and_zero_momentum(u):
    f = F.KleinGordon.create("phi4", n=2048, length=200.0, dt=0.005)
    phi, pi = F.kink_antikink(f.x, 40.0, u)
    gamma = 1 / math.sqrt(1 - u * u)
    assert float(f.energy(phi, pi)) == pytest.approx(2 * gamma * F.kink_energy(), rel=1e-9)
    assert abs(float(f.momentum(phi, pi))) < 1e-12
    # the -1 offset (defect 2): the vacuum -v outside the pair, +v between, both halves moving inward
    assert phi[0] == pytest.approx(-1.0) and phi[f.n // 2] == pytest.approx(1.0)
    assert np.all(pi <= 0)


@pytest.mark.parametrize("omega", [0.3, 0.5, 0.8])
def test_breather_energy_and_turning_point(omega):
    f = F.KleinGordon.create("sine_gordon", n=512, length=80.0, dt=0.01)
    phi, pi = F.breather(f.x, omega)
    assert float(f.energy(phi, pi)) == pytest.approx(16 * math.sqrt(1 - omega**2), rel=1e-9)
    assert np.max(np.abs(pi)) < 1e-14  # sin(omega t) = 1: phi_t = 0 (the original's breather moves: defect 1)
    assert phi.max() == pytest.approx(4 * math.atan(math.sqrt(1 - omega**2) / omega))
    # the velocity is the time derivative of the closed form
    eps = 1e-6
    later, _ = F.breather(f.x, omega, t=math.pi / (2 * omega) + 0.3 + eps)
    earlier, _ = F.breather(f.x, omega, t=math.pi / (2 * omega) + 0.3 - eps)
    _, pi_mid = F.breather(f.x, omega, t=math.pi / (2 * omega) + 0.3)
    assert np.allclose((later - earlier) / (2 * eps), pi_mid, atol=1e-7)


def test_momentum_of_a_translating_profile():
    # phi = g(x - u t): pi = -u g', P = -int pi phi_x dx = u int g'^2 dx (positive moving right)
    f = F.KleinGordon.create("linear", n=512, length=60.0, dt=0.005)
    g = np.exp(-(f.x**2) / 4)
    dg = -f.x / 2 * g
    u = 0.4
    assert float(f.momentum(g, -u * dg)) == pytest.approx(u * np.sum(dg**2) * f.dx, rel=1e-12)


# ------------------------------------------------------------------------------------------ refusals
def test_step_above_the_stability_limit_is_refused_and_the_limit_is_sharp():
    f = F.KleinGordon.create("linear", dict(m=1.0), n=32, length=10.0, dt=0.01)
    limit = f.stability_limit(np.zeros(32))
    assert limit == pytest.approx(2 / math.sqrt((math.pi * 32 / 10) ** 2 + 1))
    with pytest.raises(ValueError, match="stability limit"):
        F.KleinGordon.create("linear", n=32, length=10.0, dt=1.01 * limit).check_step(np.zeros(32))
    # the Nyquist mode grows above the limit and stays bounded below it
    nyquist = 1e-6 * (-1.0) ** np.arange(32)

    def final(dt):
        g = F.KleinGordon.create("linear", n=32, length=10.0, dt=dt)
        body = lambda i, s: g.verlet_step(*s)  # noqa: E731
        with jax.enable_x64(True):
            s = (jnp.asarray(nyquist), jnp.zeros(32), g.force(jnp.asarray(nyquist)))
            return float(jnp.max(jnp.abs(jax.lax.fori_loop(0, 300, body, s)[0])))

    assert final(0.99 * limit) < 1e-4
    assert not final(1.01 * limit) < 1.0  # grown by about 1.33 per step (or overflowed)


def test_single_kink_on_a_periodic_grid_is_refused():
    # defect 3: a single kink hides an antikink at the boundary (spectral energy 29.26 instead of 0.9428)
    f = F.KleinGordon.create("phi4", n=1024, length=100.0, dt=0.005)
    with pytest.raises(ValueError, match=r"does not resolve phi0.*jumps"):
        F.evolve(f, np.tanh(f.x / SQRT2), t=1.0)


def test_unresolved_field_is_refused_before_any_work():
    f = F.KleinGordon.create("linear", n=64, length=60.0, dt=0.005)
    with pytest.raises(ValueError, match="does not resolve phi0"):
        F.evolve(f, F.gaussian_packet(f.x, width=0.3), t=1.0)
    with pytest.raises(ValueError, match="does not resolve pi0"):
        F.evolve(f, F.gaussian_packet(f.x, width=4.0), F.gaussian_packet(f.x, width=0.3), t=1.0)


def test_bad_scenarios_and_parameters():
    with pytest.raises(ValueError, match="did you mean 'breather'"):
        F.scenario("breathr")
    with pytest.raises(ValueError, match="parameter 'speed'"):
        F.scenario("collision", speed=-0.1)
    with pytest.raises(ValueError, match="speed"):
        F.scenario("collision", speed=1.0)
    with pytest.raises(ValueError, match="did you mean 'omega'"):
        F.scenario("breather", omeg=0.4)
    with pytest.raises(ValueError, match="'lam'"):
        F.scenario("kink", lam=0.0)
    with pytest.raises(ValueError, match="stability limit"):
        F.scenario("packet", dt=0.2)
    with pytest.raises(ValueError, match="separation"):
        F.scenario("kink", separation=150.0)
    with pytest.raises(ValueError, match="did you mean 'phi4'"):
        F.KleinGordon.create("phi_4")
    with pytest.raises(ValueError, match="save_every"):
        F.run_scenario("packet", t=1.0, save_every=2.0)
    with pytest.raises(ValueError, match="shape"):
        F.evolve(F.KleinGordon.create("linear", n=64, length=60.0), np.zeros(63), t=1.0)


def test_user_potential_by_autodiff_matches_the_builtin():
    # V = lam/4 (phi^2 - v^2)^2 written by the user: V' and V'' by autodiff, the same run as the built-in
    def quartic(phi, p):
        return 0.25 * p["a"] * (phi**2 - 1.0) ** 2

    sc = F.scenario("collision", n=512, length=80.0, dt=0.02, t=2.0, save_every=0.5, separation=20.0)
    mine = F.KleinGordon.create(quartic, dict(a=1.0), n=512, length=80.0, dt=0.02)
    a = F.evolve(sc.field, sc.phi0, sc.pi0, t=2.0, save_every=0.5)
    b = F.evolve(mine, sc.phi0, sc.pi0, t=2.0, save_every=0.5)
    assert np.allclose(a.phi, b.phi, atol=1e-12) and np.allclose(a.energy, b.energy, rtol=1e-12)
    assert mine.max_curvature(sc.phi0) == pytest.approx(3 * 2.0**2 - 1, rel=1e-4)  # V'' at the padded range


# ------------------------------------------------------------------------------------------ as a dynstab system
def test_map_system_runs_the_same_scheme_through_trajectory():
    f = F.KleinGordon.create("sine_gordon", n=64, length=24.0, dt=0.02)
    phi0, pi0 = F.breather(f.x, 0.5)
    system = f.system(phi0, pi0)
    assert system.kind == "map" and system.dim == 128 and system.dt == 0.02
    traj = trajectory(system, n=100, dt=25)
    run = F.evolve(f, phi0, pi0, t=2.0, save_every=0.5, resolution_tol=1e-2)
    assert np.allclose(traj.x[:, :64], run.phi, atol=1e-12)
    assert np.allclose(traj.x[:, 64:], run.pi, atol=1e-12)
    ft = trajectory(f.flow(phi0, pi0), t=2.0, dt=0.5, step=0.005)  # RK4 of the semi-discrete flow
    assert np.max(np.abs(ft.x[:, :64] - run.phi)) < 1e-3  # the Verlet error O(dt^2)


def test_lyapunov_spectrum_of_the_symplectic_map_is_symmetric():
    # a volume-preserving (symplectic) map: exponents in +- pairs, summing to zero
    f = F.KleinGordon.create("sine_gordon", n=16, length=20.0, dt=0.05)
    system = f.system(*F.breather(f.x, 0.5))
    spec = lyapunov_spectrum(system, n=400, transient=0)
    lam = np.asarray(spec.exponents)
    assert abs(lam.sum()) < 1e-9
    assert np.allclose(lam, -lam[::-1], atol=0.05)


# ------------------------------------------------------------------------------------------ entropies
def _gaussian_entropies(sigma):
    """Differential entropies of the normal density N(0, sigma^2)."""
    h = lambda a: math.log(sigma * math.sqrt(2 * math.pi)) + math.log(a) / (2 * (a - 1))  # noqa: E731
    out = {"shannon": 0.5 * math.log(2 * math.pi * math.e * sigma**2)}
    out.update({f"renyi_{a:g}": h(a) for a in (0.5, 2.0, 10.0)})
    out.update({f"tsallis_{q:g}": (1 - math.exp((1 - q) * h(q))) / (q - 1) for q in (0.5, 2.0)})
    return out


@pytest.mark.parametrize("width", [1.0, 2.0, 4.0])
def test_weighted_entropies_of_a_gaussian_are_exact_and_resolution_independent(width):
    # phi = exp(-(x/w)^2): p = phi^2 / int phi^2 is the normal density with sigma = w / 2
    exact = _gaussian_entropies(width / 2)
    values = {}
    for n in (512, 1024):
        f = F.KleinGordon.create("linear", n=n, length=60.0)
        values[n] = F.field_entropies(F.gaussian_packet(f.x, width=width), f.dx)
        for key, want in exact.items():
            assert float(values[n][key]) == pytest.approx(want, abs=1e-9), key
    orig = {
        n: F.field_entropies(
            F.gaussian_packet(F.KleinGordon.create("linear", n=n, length=60.0).x, width=width),
            60.0 / n,
            convention="amangkurat",
        )
        for n in (512, 1024)
    }
    # the unweighted sums depend on the resolution: S doubles when dx halves
    assert float(orig[1024]["shannon"]) == pytest.approx(2 * float(orig[512]["shannon"]), rel=1e-9)


def test_amangkurat_convention_reproduces_the_original_numbers():
    # notes, reference runs of amangkurat 0.0.1 (grid linspace with nx points): S0 and C0 of cases 1 and 3
    x = np.linspace(-30, 30, 512)
    e = F.field_entropies(np.exp(-((x / 2) ** 2)), x[1] - x[0], convention="amangkurat")
    assert float(e["shannon"]) == pytest.approx(12.08, abs=0.01)
    assert float(e["composite"]) == pytest.approx(5.50, abs=0.01)
    # case 3 with the original's (wrong, defect 1) "breather" initial field
    x = np.linspace(-40, 40, 512)
    wx = math.sqrt(1 - 0.25)
    e = F.field_entropies(4 * np.arctan(1 / (wx * np.cosh(wx * x))), x[1] - x[0], convention="amangkurat")
    assert float(e["shannon"]) == pytest.approx(10.07, abs=0.01)
    assert float(e["composite"]) == pytest.approx(4.78, abs=0.01)


def test_entropy_arguments():
    with pytest.raises(ValueError, match="convention"):
        F.field_entropies(np.ones(8), 0.1, convention="raw")
    with pytest.raises(ValueError, match="identically zero"):
        F.field_entropies(np.zeros(8), 0.1)


# ------------------------------------------------------------------------------------------ output
def test_netcdf_round_trip_and_figure(tmp_path):
    import xarray as xr

    run = F.run_scenario("breather", n=256, length=40.0, dt=0.02, t=1.0, save_every=0.1)
    path = tmp_path / "run.nc"
    run.to_netcdf(path)
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert ds.attrs["Conventions"] == "CF-1.8" and ds.attrs["scenario"] == "breather"
        assert ds.attrs["scenario_omega"] == 0.5 and ds.attrs["dt"] == 0.02
        assert ds["phi"].dims == ("time", "x") and ds["phi"].attrs["units"] == "1"
        assert np.array_equal(ds["phi"].values, run.phi) and np.array_equal(ds["energy"].values, run.energy)
        assert np.allclose(ds["time"].values, np.arange(11) * 0.1)
    assert [p.name for p in tmp_path.iterdir()] == ["run.nc"]  # no temporary file left
    fig = F.plot_spacetime(run)
    ax = fig.axes[0]
    assert "x (" in ax.get_xlabel() and "t (" in ax.get_ylabel() and len(fig.axes) == 2  # with its colorbar
    F.plot_energy(run)


def test_progress_is_reported_in_steps():
    calls = []
    F.run_scenario(
        "breather", n=128, length=30.0, dt=0.05, t=5.0, save_every=0.5, progress=lambda d, n: calls.append((d, n))
    )
    assert calls[0] == (0, 100) and calls[-1] == (100, 100)


def test_an_interrupt_between_chunks_stops_the_run():
    # the run is a loop over compiled chunks: a KeyboardInterrupt raised between two (here by the progress
    # callback after the first chunk, as Ctrl-C would be) ends it there
    calls = []

    def progress(done, total):
        calls.append(done)
        if done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        F.run_scenario("breather", n=128, length=30.0, dt=0.05, t=500.0, save_every=0.05, progress=progress)
    assert calls[0] == 0 and 0 < calls[-1] < 10000


# ------------------------------------------------------------------------------------------ the targets
@pytest.mark.slow
def test_breather_energy_and_period():
    run = F.run_scenario("breather", save_every=0.05)  # omega = 0.5, N = 512, L = 80, dt = 0.01, t = 80
    assert run.energy[0] == pytest.approx(16 * math.sqrt(0.75), rel=1e-7)  # 13.856406
    assert run.energy_drift < 1e-4
    peaks = _peak_times(run.t, run.phi[:, run.field.n // 2])
    period = np.mean(np.diff(peaks))
    assert len(peaks) == 6
    assert period == pytest.approx(2 * math.pi / 0.5, rel=1e-3)


@pytest.mark.slow
def test_kink_pair_energy_and_rest():
    run = F.run_scenario("kink")
    assert np.all(np.abs(run.energy - 4 * SQRT2 / 3) < 1e-4 * 4 * SQRT2 / 3)
    assert np.max(np.abs(run.phi[-1] - run.phi[0])) < 1e-8  # the far-apart pair stays at rest


@pytest.mark.slow
def test_kink_antikink_collision_at_u_0_3():
    run = F.run_scenario("collision")  # N = 2048, L = 200, dt = 0.005, pair at +-10, t = 100
    gamma = 1 / math.sqrt(1 - 0.09)
    assert run.energy[0] == pytest.approx(2 * gamma * F.kink_energy(), rel=1e-8)
    assert run.energy[0] == pytest.approx(1.97666, abs=1e-5)
    assert run.energy_drift < 1e-4
    centre = run.phi[:, run.field.n // 2]
    dips = np.nonzero((centre[1:] < 0) & (centre[:-1] >= 0))[0]
    assert len(dips) == 1 and 25 < run.t[dips[0]] < 40  # one bounce near t = 30
    assert np.all(centre[run.t > 50] > 0)  # the pair escapes: +v between them again
    left = np.array([F.kink_positions(run.x, row)[0].min() for row in run.phi[run.t >= 60]])
    speed = -np.polyfit(run.t[run.t >= 60], left, 1)[0]
    assert speed == pytest.approx(0.137, abs=0.005)


@pytest.mark.slow
def test_linear_packet_matches_the_exact_fourier_solution():
    # the scheme's own exact solution (each mode's Verlet recurrence, cos theta = 1 - (omega dt)^2 / 2) at the
    # scenario's defaults, then the PDE's exact solution to 1e-8 with a step small enough, at second order
    run = F.run_scenario("packet")
    f = run.field
    k = 2 * np.pi * np.fft.rfftfreq(f.n, d=f.dx)
    w = np.sqrt(k**2 + 1.0)
    theta = np.arccos(1 - (w * f.dt) ** 2 / 2)
    steps = np.round(run.t / f.dt)[:, None]
    scheme = np.fft.irfft(np.fft.rfft(run.phi[0]) * np.cos(steps * theta), n=f.n, axis=-1)
    assert np.max(np.abs(run.phi - scheme)) < 1e-10
    errors = []
    for dt in (2e-4, 1e-4):
        sc = F.scenario("packet", dt=dt, t=10.0, save_every=1.0)
        r = F.run_scenario(sc)
        errors.append(np.max(np.abs(r.phi - F.linear_exact(sc.field, sc.phi0, sc.pi0, r.t))))
    assert errors[1] < 1e-8
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.05)


@pytest.mark.slow
def test_entropies_of_runs_do_not_depend_on_the_resolution():
    series = {}
    for n in (512, 1024):
        run = F.run_scenario("breather", n=n, t=20.0, save_every=1.0)
        series[n] = (run.entropies(), run.entropies("amangkurat"))
    for key in series[512][0]:
        assert np.max(np.abs(series[512][0][key] - series[1024][0][key])) < 1e-3, key
    assert np.min(np.abs(series[512][1]["shannon"] - series[1024][1]["shannon"])) > 1.0
