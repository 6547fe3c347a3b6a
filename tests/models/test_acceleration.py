"""Accelerated-gradient flows and maps (issue 19): spectral radii, stability regions and rates against
closed forms and published rates (Polyak 1964; Nesterov 1983; Su, Boyd & Candes 2016)."""

import math

import numpy as np
import pytest
from scipy.special import j1

from dynstab.models import acceleration as ac
from dynstab.simulate import trajectory

KAPPAS = [(0.01, 1.0), (1e-3, 2.0), (0.1, 10.0), (1.0, 1e4), (0.5, 0.5 * 37.0)]


@pytest.mark.parametrize(("mu", "L"), KAPPAS)
def test_heavy_ball_optimal_spectral_radius(mu, L):
    # closed form at every eigenvalue in [mu, L] (endpoints: a double root) = (sqrt k - 1)/(sqrt k + 1)
    kappa = L / mu
    target = (math.sqrt(kappa) - 1.0) / (math.sqrt(kappa) + 1.0)
    lam = np.r_[mu, np.linspace(mu, L, 9)[1:-1], L]
    p = ac.optimal_parameters("heavy_ball", mu, L)
    assert abs(ac.spectral_radius("heavy_ball", lam, **p) - target) < 1e-12
    # the iteration matrix: eigenvalues of the Map's Jacobian at the minimizer (interior eigenvalues:
    # distinct complex roots on |z| = sqrt(beta), well conditioned)
    interior = ac.heavy_ball(ac.quadratic(eigenvalues=lam[1:-1]), **p)
    assert abs(ac.iteration_spectral_radius(interior) - target) < 1e-10
    # with the endpoints the roots are double (a Jordan block): eig is accurate to ~sqrt(eps)
    full = ac.heavy_ball(ac.quadratic(eigenvalues=lam), **p)
    assert abs(ac.iteration_spectral_radius(full) - target) < 1e-7
    assert ac.convergence_rates(mu, L)["heavy_ball"] == pytest.approx(target, abs=1e-15)


def test_closed_form_matches_iteration_matrix_for_any_parameters():
    rng = np.random.default_rng(7)
    q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    lam = np.array([0.05, 0.2, 0.9, 1.7, 3.0])
    A = q @ np.diag(lam) @ q.T
    A = 0.5 * (A + A.T)
    obj = ac.quadratic(A)
    hb, ne, gd = ac.heavy_ball(obj, 0.1, 0.5), ac.nesterov(obj, 0.1, 0.5), ac.gradient_descent(obj, 0.1)
    for _ in range(25):
        eta, beta = rng.uniform(0.01, 1.2), rng.uniform(-0.95, 0.99)
        rho_hb = ac.spectral_radius("heavy_ball", lam, eta, beta)
        rho_ne = ac.spectral_radius("nesterov", lam, eta, beta)
        rho_gd = ac.spectral_radius("gd", lam, eta)
        # relative 1e-6: a (near-)double root is only sqrt(eps)-accurate in eig
        assert ac.iteration_spectral_radius(hb.with_params(eta=eta, beta=beta)) == pytest.approx(rho_hb, rel=1e-6)
        assert ac.iteration_spectral_radius(ne.with_params(eta=eta, beta=beta)) == pytest.approx(rho_ne, rel=1e-6)
        assert ac.iteration_spectral_radius(gd.with_params(eta=eta)) == pytest.approx(rho_gd, rel=1e-10)


def test_heavy_ball_simulated_decay_rate():
    # ||z_k|| ~ k rho^k at the double roots (lambda = mu, L): the slope of log||z_k|| over [K, 3K] is
    # log(rho) + ln(3) / (2K), i.e. the fitted rate is off by rho ln 3 / (2K) = 3.6e-4 at K = 1500
    mu, L = 1e-4, 1.0
    lam = np.r_[mu, np.geomspace(mu, L, 12)[1:-1], L]
    p = ac.optimal_parameters("heavy_ball", mu, L)
    hb = ac.heavy_ball(ac.quadratic(eigenvalues=lam), **p, x0=np.ones(lam.size))
    z = np.asarray(trajectory(hb, n=4500).x)
    k = np.arange(1500, 4501)
    slope = np.polyfit(k, np.log(np.linalg.norm(z[k], axis=1)), 1)[0]
    assert abs(math.exp(slope) - ac.convergence_rates(mu, L)["heavy_ball"]) < 1e-3


def test_gd_stable_iff_eta_below_2_over_L():
    lam = np.array([0.1, 0.7, 2.5])
    L = lam.max()
    obj = ac.quadratic(eigenvalues=lam)
    assert ac.stable("gd", lam, 2.0 / L * (1 - 1e-12))
    assert not ac.stable("gd", lam, 2.0 / L)  # rho = 1 exactly: not asymptotically stable
    assert not ac.stable("gd", lam, 2.0 / L * (1 + 1e-12))
    gd = ac.gradient_descent(obj, 0.1)
    for eta in np.linspace(0.05, 1.5, 30):
        rho = ac.iteration_spectral_radius(gd.with_params(eta=eta))
        assert (rho < 1.0) == ac.stable("gd", lam, eta) == (eta < 2.0 / L)
    # the iterates themselves: converge just below, blow up just above
    x_in = np.asarray(trajectory(gd.with_params(eta=0.98 * 2 / L), n=2000).x)
    x_out = np.asarray(trajectory(gd.with_params(eta=1.02 * 2 / L), n=2000, on_blowup="nan").x)
    assert np.linalg.norm(x_in[-1]) < 1e-6 and not np.linalg.norm(x_out[-1]) < 1e3


def test_heavy_ball_stability_region():
    # Jury: stable iff -1 < beta < 1 and 0 < eta lambda < 2 (1 + beta), checked on a grid against the
    # spectral radius of the map's Jacobian (points within 1e-6 of the boundary skipped)
    lam = np.array([0.3, 1.0])
    obj = ac.quadratic(eigenvalues=lam)
    etas, betas = np.linspace(0.05, 4.5, 12), np.linspace(-1.2, 1.2, 9)
    hb = ac.heavy_ball(obj, 0.1, 0.5)
    for eta in etas:
        for beta in betas:
            closed = abs(beta) < 1 and np.all((eta * lam > 0) & (eta * lam < 2 * (1 + beta)))
            assert ac.stable("heavy_ball", lam, eta, beta) == closed
            rho = ac.iteration_spectral_radius(hb.with_params(eta=eta, beta=beta))
            if abs(rho - 1.0) > 1e-6:
                assert (rho < 1.0) == closed, (eta, beta, rho)


@pytest.mark.parametrize(("mu", "L"), KAPPAS[:3])
def test_nesterov_optimal_spectral_radius(mu, L):
    p = ac.optimal_parameters("nesterov", mu, L)
    lam = np.r_[mu, L]
    assert ac.spectral_radius("nesterov", lam, **p) == pytest.approx(1 - 1 / math.sqrt(L / mu), abs=1e-12)
    # GD at eta = 2 / (L + mu): (kappa - 1)/(kappa + 1)
    g = ac.optimal_parameters("gd", mu, L)
    assert ac.spectral_radius("gd", lam, g["eta"]) == pytest.approx(ac.convergence_rates(mu, L)["gd"], abs=1e-14)


def test_nesterov_schedule_meets_its_bound():
    # f(x_k) - f* <= 2 ||x0 - x*||^2 / (eta (k + 1)^2) (Su, Boyd & Candes 2016 eq. 2), eta = 1/L
    lam = np.geomspace(1e-5, 1.0, 20)
    obj = ac.quadratic(eigenvalues=lam)
    m = ac.nesterov(obj, 1.0, x0=np.ones(20))
    assert "forced" in m.flags
    f = obj.f(np.asarray(trajectory(m, n=400).x)[:, :20])
    k = np.arange(f.size)
    assert np.all(f <= 2 * 20 / (k + 1.0) ** 2)


def test_strongly_convex_flow_rate_is_sqrt_mu():
    mu, L = 0.04, 3.0
    flow = ac.nesterov_strongly_convex_flow(ac.quadratic(eigenvalues=[mu, 1.0, L]))
    ev = np.linalg.eigvals(np.asarray(flow.jacobian(np.zeros(6))))  # [[0, I], [-A, -2 sqrt(mu) I]]
    assert np.max(ev.real) == pytest.approx(-math.sqrt(mu), rel=1e-6)
    assert ac.convergence_rates(mu, L)["strongly_convex_flow"] == math.sqrt(mu)


def test_nesterov_ode_matches_bessel_solution():
    # from rest at t = 0: x_i(t) = x0_i 2 J1(sqrt(lambda_i) t) / (sqrt(lambda_i) t); started at t0 = 1e-3
    lam = np.array([0.05, 1.0])
    flow = ac.nesterov_flow(ac.quadratic(eigenvalues=lam), x0=[1.0, -2.0])
    assert "forced" in flow.flags
    tr = trajectory(flow, t=30.0, dt=0.5, t0=1e-3, method="dopri8", rtol=1e-10, atol=1e-12)
    t = np.asarray(tr.t)[1:]
    s = np.sqrt(lam)[None, :] * t[:, None]
    exact = np.array([1.0, -2.0]) * 2 * j1(s) / s
    np.testing.assert_allclose(np.asarray(tr.x)[1:, :2], exact, atol=1e-6)


@pytest.mark.slow
def test_nesterov_ode_rate_is_one_over_t_squared():
    # the log-uniform spectrum (see loguniform_quadratic): f = C / t^2 for 1/sqrt(L) << t << 1/sqrt(mu);
    # the missing tails of int J1(s)^2 / s ds bias the local slope by ~0.64/t + 2 mu t^2 (L = 1), so the
    # window is [30, 0.03 / sqrt(mu)] (bias < 0.02 at its ends)
    mu = 1e-8
    obj, x0 = ac.loguniform_quadratic(mu=mu, L=1.0, n=80)
    tr = trajectory(ac.nesterov_flow(obj, x0=x0), t=300.0, dt=0.5, t0=1e-3, method="dopri8", rtol=1e-10, atol=1e-12)
    t = np.asarray(tr.t)
    f = obj.f(np.asarray(tr.x)[:, :80])
    w = (t >= 30) & (t <= 0.03 / math.sqrt(mu))
    assert abs(ac.fit_power_law(t[w], f[w]) + 2.0) < 0.05
    assert np.all(f[t > 1] <= 2 * np.sum(x0**2) / t[t > 1] ** 2)  # Su et al.'s Theorem 3 bound


@pytest.mark.slow
def test_nesterov_ode_rate_on_a_non_quadratic():
    # f = sum_i lambda_i log cosh(x_i): convex, not quadratic (|x|-like far out); the same spectrum
    import jax.numpy as jnp

    mu = 1e-8
    base, x0 = ac.loguniform_quadratic(mu=mu, L=1.0, n=80)
    lam = base.extra["eigenvalues"]
    obj = ac.Objective(
        "logcosh", lambda x, p: jnp.sum(p["lam"] * jnp.log(jnp.cosh(x))), {"lam": lam}, 80, np.zeros(80), 0.0, mu, 1.0
    )
    tr = trajectory(ac.nesterov_flow(obj, x0=x0), t=300.0, dt=0.5, t0=1e-3, method="dopri8", rtol=1e-10, atol=1e-12)
    t = np.asarray(tr.t)
    f = obj.f(np.asarray(tr.x)[:, :80])
    w = (t >= 30) & (t <= 0.03 / math.sqrt(mu))
    assert abs(ac.fit_power_law(t[w], f[w]) + 2.0) < 0.05


def test_rosenbrock_fixed_point_stability_under_gd():
    obj = ac.rosenbrock()
    # Hessian at (1, 1): [[802, -400], [-400, 200]]
    H = np.array([[802.0, -400.0], [-400.0, 200.0]])
    ev = np.linalg.eigvalsh(H)
    assert (obj.mu, obj.L) == pytest.approx(tuple(ev), rel=1e-12)
    gd = ac.gradient_descent(obj, 1e-3)
    for factor, expect in [(0.99, True), (1.01, False)]:
        rho = ac.iteration_spectral_radius(gd.with_params(eta=factor * 2.0 / obj.L), obj.x_star)
        assert (rho < 1.0) == expect
    # heavy ball, inside its local stability region, converges to the minimum from the classical start (-1.2, 1)
    assert ac.stable("heavy_ball", [obj.mu, obj.L], 2e-3, 0.9)
    hb = ac.heavy_ball(obj, 2e-3, 0.9, x0=[-1.2, 1.0])
    z = np.asarray(trajectory(hb, n=4000, dt=4000).x)
    np.testing.assert_allclose(z[-1, :2], [1.0, 1.0], atol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="exactly one"):
        ac.quadratic()
    with pytest.raises(ValueError, match="positive semi-definite"):
        ac.quadratic(eigenvalues=[-1.0, 1.0])
    with pytest.raises(ValueError, match="symmetric"):
        ac.quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="eta"):
        ac.gradient_descent(ac.quadratic(mu=0.1, L=1.0), -0.1)
    with pytest.raises(TypeError, match="objective"):
        ac.heavy_ball("quadratic", 0.1, 0.5)
    with pytest.raises(ValueError, match="method"):
        ac.spectral_radius("adam", [1.0], 0.1)
    with pytest.raises(ValueError, match="mu"):
        ac.optimal_parameters("heavy_ball", 2.0, 1.0)
    with pytest.raises(ValueError, match="t0"):
        ac.nesterov_flow(ac.quadratic(mu=0.1, L=1.0), t0=0.0)
