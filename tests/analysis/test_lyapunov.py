"""Lyapunov spectra against published and exact values."""

import itertools
import math

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dynstab
from dynstab import systems
from dynstab.analysis import classify, kaplan_yorke_dimension, lyapunov_spectrum, max_lyapunov

LORENZ_PUBLISHED = np.array([0.9056, 0.0, -14.5723])  # Sprott (2003), Chaos and Time-Series Analysis, App. A


@pytest.fixture(scope="module")
def lorenz_spectrum():
    return lyapunov_spectrum(systems.get("lorenz"), t=2000.0, qr_interval=0.1, n_ics=4, seed=1)


def test_lorenz_spectrum_matches_published_values(lorenz_spectrum):
    lam = lorenz_spectrum.exponents
    assert abs(lam[0] / LORENZ_PUBLISHED[0] - 1) < 0.01
    assert abs(lam[1]) < 0.01
    assert abs(lam[2] / LORENZ_PUBLISHED[2] - 1) < 0.01
    assert np.all(lorenz_spectrum.std < 0.01)


def test_lorenz_sum_equals_divergence(lorenz_spectrum):
    exact = -(10.0 + 1.0 + 8.0 / 3.0)
    assert abs(lorenz_spectrum.exponents.sum() - exact) < 1e-3
    assert abs(lorenz_spectrum.divergence - exact) < 1e-9


def test_lorenz_derived_quantities(lorenz_spectrum):
    lam = lorenz_spectrum.exponents
    assert lorenz_spectrum.kaplan_yorke_dimension == pytest.approx(2 + (lam[0] + lam[1]) / abs(lam[2]))
    assert lorenz_spectrum.kaplan_yorke_dimension == pytest.approx(2.062, abs=2e-3)
    assert lorenz_spectrum.lyapunov_time == pytest.approx(1 / lam[0])
    assert classify(lorenz_spectrum) == "chaotic"
    assert lorenz_spectrum.running.shape == (4, 20000, 3)
    ds = lorenz_spectrum.to_xarray()
    assert ds["exponents"].shape == (3,) and ds.attrs["system"] == "lorenz"


def test_henon_spectrum_matches_published_values():
    henon = systems.get("henon")
    spec = lyapunov_spectrum(henon, n=200_000)
    np.testing.assert_allclose(spec.exponents, [0.41922, -1.62319], rtol=5e-3)
    assert spec.exponents.sum() == pytest.approx(math.log(0.3), abs=1e-9)
    assert spec.divergence == pytest.approx(math.log(0.3), abs=1e-9)
    assert spec.kaplan_yorke_dimension == pytest.approx(1.25827, abs=5e-3)


def test_logistic_map_at_r4_is_ln2():
    lam = max_lyapunov(systems.get("logistic"), n=200_000)
    assert lam == pytest.approx(math.log(2), rel=5e-3)


def test_logistic_period_two_exponent_is_exact():
    # period-2 orbit at r = 3.2: lambda = 1/2 ln|f'(x1) f'(x2)| = 1/2 ln 0.16
    spec = lyapunov_spectrum(systems.get("logistic", r=3.2), n=20_000)
    assert spec.exponents[0] == pytest.approx(0.5 * math.log(0.16), abs=1e-6)
    assert classify(spec) == "periodic or fixed point"


def test_rossler_largest_exponent():
    spec = lyapunov_spectrum(systems.get("rossler"), t=4000.0, n_ics=3)
    assert spec.exponents[0] == pytest.approx(0.0714, rel=0.05)
    assert abs(spec.exponents[1]) < 0.005
    assert spec.exponents.sum() == pytest.approx(spec.divergence, rel=0.01)


@dynstab.flow(params=dict(A=np.eye(3)), x0=[1.0, 1.0, 1.0], dt=0.01)
def LINEAR(x, p, t):
    return p["A"] @ x


@settings(max_examples=8, deadline=None)
@given(st.lists(st.floats(-3.0, 3.0), min_size=3, max_size=3, unique=True))
def test_linear_flow_exponents_are_the_eigenvalues(real_parts):
    """For x' = A x with A = V diag(mu) V^-1 the exponents are the real parts mu, exactly."""
    V = np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.5], [0.2, 0.0, 1.0]])
    A = V @ np.diag(real_parts) @ np.linalg.inv(V)
    spec = lyapunov_spectrum(LINEAR.with_params(A=A), t=200.0, transient=0.0)
    np.testing.assert_allclose(spec.exponents, sorted(real_parts, reverse=True), atol=0.02)


@settings(max_examples=5, deadline=None)
@given(st.floats(5.0, 15.0), st.floats(1.0, 4.0))
def test_flow_exponents_sum_to_the_divergence(sigma, beta):
    lorenz = systems.get("lorenz", sigma=sigma, beta=beta)
    spec = lyapunov_spectrum(lorenz, t=100.0)
    assert spec.exponents.sum() == pytest.approx(-(sigma + 1 + beta), abs=1e-3)


def test_kaplan_yorke_dimension_exact_cases():
    assert kaplan_yorke_dimension([0.9056, 0.0, -14.5723]) == pytest.approx(2 + 0.9056 / 14.5723, abs=1e-12)
    assert kaplan_yorke_dimension([-0.1, -2.0]) == 0.0
    assert kaplan_yorke_dimension([0.5, 0.1]) == 2.0
    assert kaplan_yorke_dimension([0.41922, -1.62319]) == pytest.approx(1.25827, abs=1e-5)
    with pytest.raises(ValueError):
        kaplan_yorke_dimension([np.nan])


def test_verdicts_for_periodic_quasiperiodic_and_fixed_point():
    @dynstab.flow(params=dict(mu=1.0), x0=[2.0, 0.0], dt=0.01)
    def vdp(x, p, t):
        return jnp.stack([x[1], p["mu"] * (1 - x[0] ** 2) * x[1] - x[0]])

    assert classify(lyapunov_spectrum(vdp, t=500.0)) == "periodic"

    @dynstab.flow(x0=[1.0, 0.0, 1.0, 0.0], dt=0.01)
    def torus(x, p, t):  # two uncoupled oscillators with incommensurate frequencies
        return jnp.stack([x[1], -x[0], x[3], -2.0 * x[2]])

    assert classify(lyapunov_spectrum(torus, t=500.0)) == "quasi-periodic"

    @dynstab.flow(x0=[1.0, 0.0], dt=0.01)
    def damped(x, p, t):
        return jnp.stack([x[1], -x[0] - 0.5 * x[1]])

    assert classify(lyapunov_spectrum(damped, t=200.0)) == "fixed point"


def test_reproducible_by_seed():
    lorenz = systems.get("lorenz")
    a = lyapunov_spectrum(lorenz, t=50.0, n_ics=3, seed=5)
    b = lyapunov_spectrum(lorenz, t=50.0, n_ics=3, seed=5)
    np.testing.assert_array_equal(a.per_ic, b.per_ic)


def test_bad_input():
    lorenz = systems.get("lorenz")
    with pytest.raises(ValueError, match="k must be between 1 and the dimension 3"):
        lyapunov_spectrum(lorenz, t=10.0, k=4)
    with pytest.raises(ValueError, match="integration time"):
        lyapunov_spectrum(lorenz)
    with pytest.raises(ValueError, match="x0 has shape"):
        lyapunov_spectrum(lorenz, t=10.0, x0=[1.0, 2.0])

    @dynstab.sde(diffusion=lambda x, p, t: x, x0=[1.0])
    def noisy(x, p, t):
        return -x

    with pytest.raises(TypeError, match="stochastic"):
        lyapunov_spectrum(noisy, t=1.0)

    @dynstab.flow(x0=[1.0], dt=0.01)
    def explode(x, p, t):
        return x**2

    with pytest.raises(FloatingPointError, match="left the finite numbers"):
        lyapunov_spectrum(explode, t=5.0, transient=0.0)


def test_many_exponents_use_householder_and_sum_to_the_divergence():
    # Lorenz-96: div f = -N exactly; k = 10 > 8 takes the LAPACK QR path
    l96 = systems.get("lorenz96", N=10)
    spec = lyapunov_spectrum(l96, t=200.0, transient=20.0)
    assert spec.exponents.size == 10 and spec.exponents[0] > 0.5
    assert spec.exponents.sum() == pytest.approx(-10.0, abs=1e-3)
    assert spec.divergence == pytest.approx(-10.0, abs=1e-12)


def test_partial_spectrum_of_a_large_map_skips_the_volume_check():
    import jax.numpy as jnp

    import dynstab

    rates = jnp.concatenate([jnp.array([0.9, 0.5]), jnp.full(198, 0.1)])

    @dynstab.map(params=dict(a=rates), x0=jnp.ones(200))
    def diagonal(x, p, n):
        return p["a"] * x

    spec = dynstab.lyapunov_spectrum(diagonal, n=4000, k=2, n_ics=1, transient=0)  # frame bias ~ 3/n
    np.testing.assert_allclose(spec.exponents, np.log([0.9, 0.5]), atol=0.003)
    assert np.isnan(spec.divergence)  # k < d and d > 64: no d x d determinant per step


@pytest.mark.parametrize(
    "name, kwargs, match",
    [
        ("lorenz", dict(t=10.0, n_ics=1.5), r"^n_ics must be an integer >= 1, got 1\.5$"),
        ("lorenz", dict(t=10.0, k=2.5), r"^k must be an integer, got 2\.5$"),  # was truncated to 2
        ("lorenz", dict(t=float("nan")), r"^t \(the integration time\) must be a finite number > 0, got nan$"),
        ("lorenz", dict(t=10.0, qr_interval=-1.0), r"^qr_interval must be a finite number > 0, got -1\.0$"),
        ("lorenz", dict(n=100.5), r"^n must be an integer >= 1, got 100\.5$"),
        ("henon", dict(n=100.5), r"^n must be an integer >= 1, got 100\.5$"),  # was truncated to 100
        ("henon", dict(n=100, qr_interval=2.5), r"^qr_interval \(iterations\) must be an integer >= 1, got 2\.5$"),
        ("henon", dict(n=100, transient=1.5), r"^transient \(iterations\) must be an integer >= 0, got 1\.5$"),
        ("lorenz", dict(t=10.0, transient=-1.0), r"^transient must be a finite number >= 0, got -1\.0$"),
    ],
)
def test_arguments_go_through_validation(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lyapunov_spectrum(systems.get(name), **kwargs)


def test_two_trajectory_arguments_go_through_validation():
    from dynstab.analysis.lyapunov import max_lyapunov_two_trajectory

    lorenz = systems.get("lorenz")
    with pytest.raises(ValueError, match=r"^d0 must be a finite number > 0, got -1\.0$"):
        max_lyapunov_two_trajectory(lorenz, t=10.0, d0=-1.0)
    with pytest.raises(ValueError, match=r"^renormalize must be a finite number > 0, got nan$"):
        max_lyapunov_two_trajectory(lorenz, t=10.0, renormalize=float("nan"))
    with pytest.raises(ValueError, match=r"^tol must be a finite number > 0, got 0\.0$"):
        max_lyapunov_two_trajectory(lorenz, t=10.0, method="dopri8", tol=0.0)


# --- the tangent frame aligns during the transient (issue 12) --------------------------------------------------
@dynstab.map(params=dict(a=np.array([1.1, 0.9])), x0=[1.0, 1.0])
def DIAGONAL(x, p, n):
    return p["a"] * x


@pytest.mark.parametrize("n", [1, 7, 100, 1000])
def test_diagonal_linear_map_exponents_are_exact_for_any_run_length(n):
    """x -> diag(1.1, 0.9) x: once the frame is aligned, every QR step stretches by exactly 1.1 and 0.9
    (a random frame not evolved during the transient gave 0.079 instead of ln 1.1 over 100 steps)."""
    spec = lyapunov_spectrum(DIAGONAL, n=n, transient=400)  # alignment error (0.9/1.1)^800 ~ 1e-70
    np.testing.assert_allclose(spec.exponents, np.log([1.1, 0.9]), rtol=0, atol=1e-10)


def test_diagonal_linear_map_with_the_default_transient_is_the_exact_finite_frame_value():
    """With the default transient m = 10 of a 100-step run, the frame (a, b) evolved over the transient gives
    lambda_1 = ln(|J^(m+n) q| / |J^m q|) / n exactly: the transient's steps act on the frame."""
    n, m = 100, 10
    a, b = np.linalg.qr(np.random.default_rng(0).standard_normal((2, 2)))[0][:, 0]  # the seed-0 initial frame
    norm = lambda j: 0.5 * np.log(a**2 * 1.21**j + b**2 * 0.81**j)  # noqa: E731
    spec = lyapunov_spectrum(DIAGONAL, n=n)
    assert spec.settings["transient"] == m
    assert spec.exponents[0] == pytest.approx((norm(m + n) - norm(m)) / n, abs=1e-12)
    assert spec.exponents.sum() == pytest.approx(math.log(0.99), abs=1e-12)


@pytest.mark.parametrize("t", [0.1, 1.0, 10.0])
def test_linear_flow_exponents_are_exact_after_the_transient(t):
    """x' = A x, A = V diag(mu) V^-1 (not normal): after the transient the Gram-Schmidt frame spans the leading
    eigenvectors and each RK4 step stretches the i-th direction by |R(mu_i h)|, R(z) = 1 + z + z^2/2 + z^3/6 +
    z^4/24, so the exponents are ln|R(mu_i h)| / h for any run length."""
    mu, h = np.array([0.5, -0.3, -1.2]), 0.01
    V = np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.5], [0.2, 0.0, 1.0]])
    A = V @ np.diag(mu) @ np.linalg.inv(V)
    z = mu * h
    exact = np.log(np.abs(1 + z + z**2 / 2 + z**3 / 6 + z**4 / 24)) / h
    spec = lyapunov_spectrum(LINEAR.with_params(A=A), t=t, transient=60.0, dt=h)  # alignment error ~ e^-48
    np.testing.assert_allclose(spec.exponents, exact, rtol=0, atol=1e-10)


# --- long runs in compiled chunks: interruptible, with progress (issue 14) ------------------------------------------
@pytest.fixture
def chunked(monkeypatch):
    """Every run in chunks of about ``seconds`` (set by the test)."""
    from dynstab.simulate import evolution

    monkeypatch.setattr(evolution, "LONG_RUN_SECONDS", 0.0)
    return lambda seconds: monkeypatch.setattr(evolution, "CHUNK_SECONDS", seconds)


@pytest.mark.parametrize(
    "name, kwargs",
    [("lorenz", dict(t=50.0, n_ics=2, transient=7.55)), ("henon", dict(n=501, n_ics=3, transient=51))],
)
def test_a_run_in_chunks_gives_the_one_call_result(chunked, name, kwargs):
    system = systems.get(name)
    one = lyapunov_spectrum(system, **kwargs)
    done = []
    chunked(2e-5)  # chunks of a few to a few hundred intervals, their ends anywhere
    small = lyapunov_spectrum(system, **kwargs, progress=lambda d, total: done.append((d, total)))
    chunked(1e-3)
    large = lyapunov_spectrum(system, **kwargs)
    np.testing.assert_array_equal(small.logs, large.logs)  # the chunks do not change any interval's arithmetic
    np.testing.assert_allclose(small.logs, one.logs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(small.exponents, one.exponents, rtol=0, atol=1e-12)
    assert small.divergence == pytest.approx(one.divergence, abs=1e-12) or math.isnan(one.divergence)
    total = done[-1][1]
    assert len(done) > 3 and done[0][0] == 0 and done[-1][0] == total
    assert all(a[0] <= b[0] and a[1] == total for a, b in itertools.pairwise(done))


def test_ctrl_c_stops_a_long_spectrum_within_a_second():
    """A run of 1e8 RK4 steps (about a minute) is interrupted 0.3 s after its first compiled chunk returned:
    KeyboardInterrupt must arrive within a chunk (about 0.25 s), not after the whole run."""
    import _thread
    import threading
    import time

    fired = {}

    def interrupt():
        fired["at"] = time.perf_counter()
        _thread.interrupt_main()

    def progress(done, total):
        if done and "timer" not in fired:
            fired["timer"] = threading.Timer(0.3, interrupt)
            fired["timer"].start()

    with pytest.raises(KeyboardInterrupt):
        lyapunov_spectrum(systems.get("lorenz"), t=1e6, progress=progress)
        time.sleep(5)  # pragma: no cover  (only if the run finished before the interrupt)
    assert time.perf_counter() - fired["at"] < 1.5


def test_logs_over_the_memory_limit_are_refused_before_any_work():
    from dynstab.limits import AllocationError, memory_limit

    # 1e9 QR intervals x 3 exponents: 24 GB of logs, refused up front (not after hours of integration)
    with memory_limit(1.0), pytest.raises(AllocationError, match=r"1e\+09 QR intervals x 3 exponents.*qr_interval"):
        lyapunov_spectrum(systems.get("lorenz"), t=1e8)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("lorenz", dict(t=30.0, n_ics=2)),
        ("henon", dict(n=501, n_ics=2)),
        pytest.param("lorenz", dict(t=3.0, method="dopri8"), marks=pytest.mark.slow),  # 10 s: DOP853 compiles twice
    ],
)
def test_two_trajectory_exponent_in_chunks_is_the_one_call_value(chunked, name, kwargs):
    from dynstab.analysis.lyapunov import max_lyapunov_two_trajectory

    system = systems.get(name)
    one = max_lyapunov_two_trajectory(system, **kwargs)
    chunked(1e-4)
    calls = []
    again = max_lyapunov_two_trajectory(system, **kwargs, progress=lambda d, total: calls.append((d, total)))
    assert again[0] == one[0] and (again[1] == one[1] or math.isnan(one[1]))
    assert calls and calls[-1][0] == calls[-1][1]
