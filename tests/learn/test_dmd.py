"""DMD / EDMD / Hankel DMD / HAVOK / ResDMD against exact spectra and the published Lorenz behaviour."""

import warnings

import numpy as np
import pytest

import dynstab
from dynstab.learn.dmd import DMD, EDMD, HAVOK, HankelDMD, ResDMD
from dynstab.learn.metrics import prediction_error

TRUE_EIGS = np.array([0.9, 0.5 + 0.3j, 0.5 - 0.3j])


def _sorted(z):
    z = np.asarray(z)
    return z[np.lexsort((z.imag, z.real))]


@pytest.fixture(scope="module")
def linear_data():
    """Trajectories of x[n+1] = M x[n], M = Q diag-block(0.9, [[0.5, 0.3], [-0.3, 0.5]]) Q^-1."""
    rng = np.random.default_rng(0)
    q = rng.standard_normal((3, 3))
    d = np.array([[0.9, 0, 0], [0, 0.5, 0.3], [0, -0.3, 0.5]])
    m = q @ d @ np.linalg.inv(q)
    trajs = []
    for _ in range(20):
        x = [rng.standard_normal(3)]
        for _ in range(30):
            x.append(m @ x[-1])
        trajs.append(np.array(x))
    return m, trajs


def test_exact_dmd_recovers_linear_map(linear_data):
    m, trajs = linear_data
    for exact in (True, False):
        model = DMD(exact=exact).fit(trajs, dt=0.1)
        assert model.rank_ == 3
        np.testing.assert_allclose(_sorted(model.eigenvalues_), _sorted(TRUE_EIGS), atol=1e-8)
        np.testing.assert_allclose(model.operator_, m, atol=1e-8)
        np.testing.assert_allclose(model.omega_, np.log(model.eigenvalues_.astype(complex)) / 0.1)
    # exact modes are eigenvectors of M
    for lam, phi in zip(model.eigenvalues_, model.modes_.T):
        np.testing.assert_allclose(m @ phi, lam * phi, atol=1e-8)
    sys = model.as_system()
    assert sys.kind == "map" and sys.dim == 3
    x0 = trajs[0][0]
    np.testing.assert_allclose(np.asarray(sys.f(x0)), m @ x0, atol=1e-8)
    np.testing.assert_allclose(model.generate(x0, 5), trajs[0][1:6], atol=1e-8)
    assert prediction_error(model, trajs[1], n=5) < 1e-16


def test_dmd_system_goes_through_analysis_tools(linear_data):
    _, trajs = linear_data
    model = DMD().fit(trajs)
    spec = dynstab.lyapunov_spectrum(model.as_system(), n=4000, transient=10)
    expected = np.sort(np.log(np.abs(TRUE_EIGS)))[::-1]
    np.testing.assert_allclose(spec.exponents, expected, atol=2e-3)


def test_dmd_damped_sinusoids_exact():
    # 64 sensors, two damped oscillations: omega = sigma +- i w
    rng = np.random.default_rng(1)
    dt, n = 0.01, 400
    t = np.arange(n) * dt
    rates = np.array([-0.1 + 2j * np.pi * 1.3, -0.4 + 2j * np.pi * 3.1])
    f = rng.standard_normal((2, 64)) + 1j * rng.standard_normal((2, 64))
    x = np.real(np.exp(t[:, None] * rates[None, :]) @ f)
    model = DMD(rank=4).fit(x, dt=dt)
    expected = np.concatenate([rates, rates.conj()])
    np.testing.assert_allclose(_sorted(model.omega_), _sorted(expected), atol=1e-8)
    np.testing.assert_allclose(np.sort(np.abs(model.frequencies_)), [1.3, 1.3, 3.1, 3.1], atol=1e-9)
    np.testing.assert_allclose(model.reconstruct(n), x, atol=1e-8)
    # energy cutoff picks the same rank; a scalar sum needs delays
    assert DMD(energy=0.999999999).fit(x, dt=dt).rank_ == 4
    s = x[:, :1]
    hank = HankelDMD(delays=8, rank=4).fit(s, dt=dt)
    np.testing.assert_allclose(_sorted(hank.omega_), _sorted(expected), atol=1e-7)
    pred = hank.forecast(s[:100], 50)
    np.testing.assert_allclose(pred, s[100:150], atol=1e-8)
    assert hank.as_system().dim == 8
    assert prediction_error(hank, s, n=5) < 1e-16
    # EDMD with the delay dictionary [1, x_t, .., x_{t-7}]: the same frequencies plus lambda = 1
    edmd = EDMD(dictionary="delays", delays=8).fit(s, dt=dt)
    om = edmd.omega_[np.abs(edmd.eigenvalues_) > 1e-6]
    for rate in expected:
        assert np.min(np.abs(om - rate)) < 1e-6
    np.testing.assert_allclose(edmd.forecast(s[:100], 30), s[100:130], atol=1e-8)


def test_edmd_and_resdmd_linear_system(linear_data):
    _, trajs = linear_data
    edmd = EDMD(dictionary="monomials", degree=2).fit(trajs)
    lam = edmd.eigenvalues_
    # Koopman eigenvalues of a linear map with a degree-2 dictionary: 1, lambda_i, lambda_i lambda_j
    prods = [1.0, *TRUE_EIGS] + [TRUE_EIGS[i] * TRUE_EIGS[j] for i in range(3) for j in range(i, 3)]
    np.testing.assert_allclose(_sorted(lam), _sorted(prods), atol=1e-8)
    x0 = trajs[3][0]
    np.testing.assert_allclose(edmd.generate(x0, 4), trajs[3][1:5], atol=1e-8)
    np.testing.assert_allclose(np.asarray(edmd.as_system(reproject=True).f(x0)), trajs[3][1], atol=1e-8)
    assert edmd.as_system().dim == 10
    # eigenfunctions: phi(x_{n+1}) = lambda phi(x_n)
    phi = edmd.eigenfunctions(trajs[2])
    np.testing.assert_allclose(phi[1:], phi[:-1] * lam[None, :], atol=1e-8)

    res = ResDMD(dictionary="monomials", degree=2).fit(trajs)
    np.testing.assert_allclose(_sorted(res.eigenvalues_), _sorted(prods), atol=1e-8)
    assert res.residuals_.max() < 1e-8
    for lam_j, v in zip(res.eigenvalues_, res.eigenvectors_.T):
        assert res.residual(lam_j, v) < 1e-6  # the quadratic form, limited by cancellation
    ps = res.pseudospectrum(x=[0.9, -1.0], y=[0.0])
    assert ps.tau[0, 0] < 1e-6  # an eigenvalue
    assert ps.tau[0, 1] > 0.1  # far from the spectrum
    assert ps.to_xarray().dims == ("imag", "real")


@pytest.fixture(scope="module")
def lorenz_resdmd():
    lorenz = dynstab.systems.get("lorenz")
    x = dynstab.trajectory(lorenz, t=500.0, dt=0.05, transient=50.0).x
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return ResDMD(dictionary="monomials", degree=4).fit(x, dt=0.05)


def test_resdmd_lorenz_separates_true_from_spurious(lorenz_resdmd):
    model = lorenz_resdmd
    lam, res = model.eigenvalues_, model.residuals_
    # lambda = 1 (constant eigenfunction) is exact
    i1 = np.argmin(np.abs(lam - 1))
    assert abs(lam[i1] - 1) < 1e-10 and res[i1] < 1e-10
    # Koopman operator of a measure-preserving invertible map is unitary: dist(lambda, unit circle)
    # <= res(lambda, g) for every candidate pair (up to quadrature error)
    assert np.all(np.abs(np.abs(lam) - 1) <= res + 1e-3)
    # separation: pseudo-eigenpairs near the circle with small residual, spurious ones with large
    assert np.sum(res < 0.3) >= 3
    assert np.mean(res > 0.5) > 0.3
    kept = model.eigenvalues(max_residual=0.3)
    assert np.all(np.abs(np.abs(kept) - 1) < 0.3)
    assert np.min(np.abs(lam)) < 0.7  # EDMD alone reports eigenvalues deep inside the disk
    # tau(z) = min over the dictionary span <= residual of the EDMD eigenvector at z = lambda_j
    order = np.argsort(res)[:4]
    for j in order:
        tau = model.pseudospectrum(x=[lam[j].real], y=[lam[j].imag]).tau[0, 0]
        assert tau <= res[j] + 1e-7


def test_resdmd_lorenz_pseudospectrum_grid(lorenz_resdmd):
    ps = lorenz_resdmd.pseudospectrum(n=15)
    assert ps.tau.shape == (15, 15)
    assert np.all(ps.tau >= 0)
    # the pseudospectrum of a unitary operator hugs the unit circle: tau ~ | |z| - 1 | far inside
    zr = np.hypot(*np.meshgrid(ps.x, ps.y))
    assert np.all(ps.tau[zr < 0.3] > 0.5)


@pytest.fixture(scope="module")
def havok_lorenz():
    lorenz = dynstab.systems.get("lorenz")
    x = dynstab.trajectory(lorenz, t=40.0, dt=0.001, x0=[-8.0, 8.0, 27.0]).x
    return x, HAVOK(delays=100, rank=15).fit(x, dt=0.001)


def test_havok_lorenz_linear_fit_and_heavy_tailed_forcing(havok_lorenz):
    x, model = havok_lorenz
    assert model.A_.shape == (14, 14) and model.B_.shape == (14,)
    assert np.all(model.r2_[:14] > 0.95)  # the linear part fits dv_1..dv_14 / dt
    assert model.forcing_stats_["kurtosis"] > 3  # Gaussian: 3
    assert model.forcing_.shape[0] == x.shape[0] - 99
    # the forced linear model reproduces v_1 over the first 10 time units
    v = model.simulate_forced(10000)
    assert np.corrcoef(v[:, 0], model.coordinates_[:10000, 0])[0, 1] > 0.99
    assert model.as_system().flags == frozenset({"forced"})


def test_havok_forcing_precedes_lobe_switches(havok_lorenz):
    x, model = havok_lorenz
    # sample j of v corresponds to the window ending at x[j + 99]
    sign = np.sign(x[99:, 0])
    switches = np.flatnonzero(np.diff(sign) != 0)
    w = 500  # 0.5 time units before each switch
    act = np.abs(model.forcing_) / model.forcing_.std()
    before = np.array([act[i - w : i].max() for i in switches if i > w])
    rng = np.random.default_rng(0)
    random = np.array([act[i - w : i].max() for i in rng.integers(w, act.size, 400)])
    assert before.size >= 10
    assert np.median(before) > 1.5 * np.median(random)


def test_edmd_rbf_seeded_and_forecasts_lorenz():
    lorenz = dynstab.systems.get("lorenz")
    x = dynstab.trajectory(lorenz, t=100.0, dt=0.01, transient=20.0).x
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    a = EDMD(dictionary="rbf", n_centers=40, seed=3).fit(x[:8000], dt=0.01)
    b = EDMD(dictionary="rbf", n_centers=40, seed=3).fit(x[:8000], dt=0.01)
    np.testing.assert_array_equal(a.dictionary_.centers, b.dictionary_.centers)
    r = EDMD(dictionary="rbf", n_centers=40, centers="random", seed=1).fit(x[:8000], dt=0.01)
    assert r.dictionary_.centers.shape == (40, 3)
    # one-step-ahead predictions are accurate (short-term surrogate)
    pe1 = prediction_error(a, x[8000:9000], n=1)
    assert pe1 < 1e-3
    assert np.all(np.isfinite(a.forecast(x[8000:8001], 20)))


def test_bad_input_raises_clearly(linear_data):
    _, trajs = linear_data
    bad = trajs[0].copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        DMD().fit(bad)
    with pytest.raises(ValueError, match="at least"):
        HankelDMD(delays=50).fit(trajs[0])
    with pytest.raises(ValueError, match="rank"):
        DMD(rank=7).fit(trajs)
    with pytest.raises(ValueError, match="dictionary"):
        EDMD(dictionary="wavelets").fit(trajs)
    with pytest.raises(ValueError, match="dt"):
        HAVOK(delays=10, rank=4).fit(np.sin(np.arange(500) * 0.1))
    with pytest.raises(ValueError, match="rank"):
        HAVOK(delays=10, rank=12).fit(np.sin(np.arange(500) * 0.1), dt=0.1)
    with pytest.raises(RuntimeError, match="not fitted"):
        DMD().generate(np.zeros(3), 3)
    model = DMD().fit(trajs)
    with pytest.raises(ValueError, match="variables"):
        model.forecast(np.zeros((4, 2)), 3)
    with pytest.raises(ValueError, match="window"):
        HankelDMD(delays=3).fit(trajs).generate(np.zeros(3), 2)
    with pytest.raises(ValueError, match="different numbers of variables"):
        DMD().fit([trajs[0], trajs[1][:, :2]])
    with pytest.raises(ValueError, match="snapshot pairs"):
        EDMD(degree=4).fit(trajs[0][:10])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DMD().fit(trajs).plot()


def test_pydmd_test_eigs_3_complex_snapshots():
    # PyDMD tests/test_dmd.py::test_eigs_3 (svd_rank=2): 15 snapshots of 400 points of
    # sech(x + 3) exp(2.3 i t) + 2 sech(x) tanh(x) exp(2.8 i t), t = 0 .. 4 pi; expected eigenvalues
    # exp(2.8 i dt) = -0.809017 + 0.587785i and exp(2.3 i dt) = -0.473869 + 0.880596i (a real cast gave
    # -0.773 and -0.427 with a ComplexWarning)
    x = np.linspace(-5, 5, 400)
    t = np.linspace(0, 4 * np.pi, 15)
    dt = t[1] - t[0]
    snaps = np.exp(2.3j * t)[:, None] / np.cosh(x + 3) + 2 * np.exp(2.8j * t)[:, None] * np.tanh(x) / np.cosh(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = DMD(rank=2).fit(snaps, dt=dt)
        assert model.complex_ and DMD().fit(snaps, dt=dt).rank_ == 2
        np.testing.assert_allclose(model.eigenvalues_, np.exp(1j * np.array([2.8, 2.3]) * dt), atol=1e-10)
        np.testing.assert_allclose(
            model.eigenvalues_, [-0.809016994 + 0.587785252j, -0.473868662 + 0.880595532j], atol=1e-6
        )
        np.testing.assert_allclose(model.omega_, [2.8j, 2.3j], atol=1e-10)
        np.testing.assert_allclose(model.reconstruct(15), snaps, atol=1e-10)
        np.testing.assert_allclose(model.generate(snaps[0], 14), snaps[1:], atol=1e-10)
        np.testing.assert_allclose(model.forecast(snaps[:3], 5), snaps[3:8], atol=1e-10)
        np.testing.assert_allclose(model.predict_n_steps(snaps, [0, 4], 3), snaps[[3, 7]], atol=1e-10)
    # a Map has a real state: no silent cast, a clear error
    with pytest.raises(ValueError, match="complex"):
        model.as_system()
    # models that need real data refuse complex data instead of dropping the imaginary part
    with pytest.raises(ValueError, match="complex"):
        HankelDMD(delays=3).fit(snaps)
    with pytest.raises(ValueError, match="complex"):
        DMD().fit(np.real(snaps)).forecast(snaps[:2], 3)
    # complex data with zero imaginary parts is real data
    real = DMD(rank=2).fit(np.real(snaps) + 0j, dt=dt)
    assert not real.complex_ and real.as_system().dim == 400
