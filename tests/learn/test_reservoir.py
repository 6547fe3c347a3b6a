"""Reservoir computing on Lorenz-63: NG-RC with Gauthier et al.'s (2021) set-up and an ESN of 1000 units
(Pathak et al. 2018 readout); valid prediction times in Lyapunov times (lambda_1 = 0.9056, threshold 0.4)."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import dynstab
from dynstab.learn.metrics import valid_prediction_time
from dynstab.learn.reservoir import NGRC, EchoStateNetwork

LAMBDA1 = 0.9056  # Lorenz-63 largest Lyapunov exponent (Lyapunov time 1.104)


def _lorenz(t, y, sigma=10.0, beta=8.0 / 3.0, rho=28.0):
    return [sigma * (y[1] - y[0]), y[0] * (rho - y[2]) - y[1], y[0] * y[1] - beta * y[2]]


def _median_vpt(model, x, starts, context, horizon, dt, scale):
    vpts = []
    for s in starts:
        pred = model.forecast(x[s - context : s], horizon)
        with np.errstate(over="ignore"):  # diverged forecasts count as failed
            vpts.append(valid_prediction_time(x[s : s + horizon], pred, dt, LAMBDA1, threshold=0.4, scale=scale))
    return float(np.median(vpts)), np.asarray(vpts)


# ------------------------------------------------------------------------------------------- NG-RC
NG_DT, NG_WARMUP, NG_TRAIN, NG_GAP, NG_HORIZON = 0.025, 5.0, 10.0, 3.0, 20.0


@pytest.fixture(scope="module")
def ngrc_rk23():
    """Gauthier et al.'s data exactly as their code makes it (ng-rc-paper-code,
    LorenzConstLinQuadraticNVARtimedelay-RK23.py): scipy solve_ivp(method="RK23") with default tolerances
    from their initial condition, sampled every 0.025 (dense output); 5 tu warm-up, 10 tu (400 steps)
    training. The run is extended to give 100 test starts 3 tu apart after the training window."""
    n = round((NG_WARMUP + NG_TRAIN + 100 * NG_GAP + NG_HORIZON + 1) / NG_DT)
    t_eval = np.linspace(0.0, n * NG_DT, n + 1)
    sol = solve_ivp(
        _lorenz,
        (0.0, n * NG_DT),
        [17.67715816276679, 12.931379185960404, 43.91404334248268],
        t_eval=t_eval,
        method="RK23",
    )
    return sol.y.T


def _ngrc_split(x):
    w, tr = round(NG_WARMUP / NG_DT), round(NG_TRAIN / NG_DT)
    train = x[w - 2 : w + tr]  # 2 samples of delay context + 400 regression targets, as in the paper's script
    starts = w + tr + np.round(np.arange(100) * NG_GAP / NG_DT).astype(int)
    return train, starts


def test_ngrc_equals_gauthier_reference_regression(ngrc_rk23):
    train, _ = _ngrc_split(ngrc_rk23)
    m = NGRC(k=2, skip=1, ridge=2.5e-6).fit(train, dt=NG_DT)
    assert m.n_features_ == 28 and m.W_out_.shape == (3, 28)
    # the paper script's ridge problem min ||O W^T - dX||^2 + ridge ||W||^2 with O = [1, x_t, x_{t-1},
    # x_i x_j (i <= j)], solved here by SVD least squares of the augmented system (the normal equations have
    # condition number ~4e15 for these unscaled features, so W itself is only defined to ~1e-3)
    lin = np.hstack([train[1:-1], train[:-2]])
    quad = np.stack([lin[:, i] * lin[:, j] for i in range(6) for j in range(i, 6)], axis=1)
    O = np.hstack([np.ones((lin.shape[0], 1)), lin, quad])
    dX = train[2:] - train[1:-1]
    A = np.vstack([O, np.sqrt(2.5e-6) * np.eye(28)])
    W = np.linalg.lstsq(A, np.vstack([dX, np.zeros((28, 3))]), rcond=None)[0].T
    np.testing.assert_allclose(O @ m.W_out_.T, O @ W.T, rtol=0, atol=1e-6 * np.abs(dX).max())
    np.testing.assert_allclose(m.W_out_, W, rtol=0, atol=1e-2 * np.abs(W).max())


def test_ngrc_paper_setup_forecasts_four_lyapunov_times(ngrc_rk23):
    """Issue 6 done-means: VPT >= 4 Lyapunov times, median over 100 test starts (the paper's RK23 data;
    measured here: median 4.96)."""
    train, starts = _ngrc_split(ngrc_rk23)
    m = NGRC(k=2, ridge=2.5e-6).fit(train, dt=NG_DT)
    med, vpts = _median_vpt(m, ngrc_rk23, starts, 2, round(NG_HORIZON / NG_DT), NG_DT, ngrc_rk23.std(axis=0))
    assert med >= 4.0, (med, np.percentile(vpts, [10, 50, 90]))


def test_ngrc_depends_on_the_integrator_that_made_the_data():
    """Honest limitation (measured): on accurately integrated data the paper's ridge 2.5e-6 fits a parasitic
    unstable delay mode and the forecast fails within a Lyapunov time; ridge 1e-3 restores >= 4."""
    lor = dynstab.systems.get("lorenz")
    x = dynstab.trajectory(
        lor,
        t=NG_WARMUP + NG_TRAIN + 100 * NG_GAP + NG_HORIZON + 1,
        dt=NG_DT,
        x0=[17.67715816276679, 12.931379185960404, 43.91404334248268],
        method="dopri8",
        rtol=1e-10,
        atol=1e-10,
    ).x
    train, starts = _ngrc_split(x)
    H = round(NG_HORIZON / NG_DT)
    bad = NGRC(k=2, ridge=2.5e-6).fit(train, dt=NG_DT)
    good = NGRC(k=2, ridge=1e-3).fit(train, dt=NG_DT)
    assert _median_vpt(bad, x, starts[:20], 2, H, NG_DT, x.std(axis=0))[0] < 1.0
    assert _median_vpt(good, x, starts, 2, H, NG_DT, x.std(axis=0))[0] >= 4.0


def test_ngrc_as_system_is_the_delay_map(ngrc_rk23):
    train, starts = _ngrc_split(ngrc_rk23)
    m = NGRC(k=2, ridge=2.5e-6).fit(train, dt=NG_DT)
    system = m.as_system()
    assert isinstance(system, dynstab.Map) and system.dim == 6
    assert system.names[:4] == ("x1", "x2", "x3", "x1(t-1)")
    window = ngrc_rk23[starts[0] - 2 : starts[0]]
    traj = dynstab.trajectory(system, n=50, x0=m.stacked_state(window))
    np.testing.assert_allclose(traj.x[1:, :3], m.forecast(window, 50), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(traj.x[1:, 3:], traj.x[:-1, :3], rtol=0, atol=0)
    # its fixed points are Lorenz's (x_t = x_{t-1} = (+-sqrt(beta (rho - 1)), .., rho - 1))
    fps = dynstab.fixed_points(system, [(-20, 20), (-25, 25), (1, 50)] * 2, n_starts=300)
    c = np.sqrt(8.0 / 3.0 * 27.0)
    found = np.array([p.x[:3] for p in fps])
    for target in ([c, c, 27.0], [-c, -c, 27.0]):
        assert np.min(np.linalg.norm(found - target, axis=1)) < 0.05
    # and its largest Lyapunov exponent per time unit is Lorenz's
    lam = dynstab.max_lyapunov(system, n=40_000, x0=m.stacked_state(window))  # per time unit (map dt = NG_DT)
    assert abs(lam - LAMBDA1) < 0.1


def test_ngrc_skip_and_degree():
    x = np.random.default_rng(0).normal(size=(200, 2))
    m = NGRC(k=3, skip=2, degree=3, constant=False, ridge=1e-6).fit(x, dt=0.1)
    assert m.context_length == 5
    assert m.n_features_ == 6 + 21 + 56  # linear, quadratic, cubic monomials of 6 taps
    assert m.as_system().dim == 10
    assert m.forecast(x[:7], 3).shape == (3, 2)
    with pytest.raises(ValueError, match="last 5 samples"):
        m.generate(x[:2], 3)


def test_ngrc_bad_input():
    x = np.random.default_rng(0).normal(size=(50, 3))
    with pytest.raises(ValueError, match="at least 3"):
        NGRC(k=2).fit(x[:2], dt=0.1)
    with pytest.raises(ValueError, match="k must"):
        NGRC(k=0).fit(x, dt=0.1)
    with pytest.raises(ValueError, match="ridge"):
        NGRC(ridge=-1.0).fit(x, dt=0.1)
    bad = x.copy()
    bad[3, 0] = np.inf
    with pytest.raises(ValueError, match="non-finite"):
        NGRC().fit(bad, dt=0.1)
    m = NGRC().fit(x, dt=0.1)
    with pytest.raises(ValueError, match="fitted on 3"):
        m.forecast(np.zeros((5, 2)), 3)
    with pytest.raises(ValueError, match="inconsistent"):
        NGRC().fit(
            [
                dynstab.trajectory(dynstab.systems.get("lorenz"), t=5, dt=0.01),
                dynstab.trajectory(dynstab.systems.get("lorenz"), t=5, dt=0.02),
            ]
        )


# --------------------------------------------------------------------------------------------- ESN
ESN_DT, ESN_TRAIN, ESN_CONTEXT, ESN_HORIZON, ESN_GAP = 0.02, 200.0, 10.0, 25.0, 5.0


@pytest.fixture(scope="module")
def esn_data():
    """Lorenz-63 on its attractor, DOP853 rtol 1e-11, sampled every 0.02: 200 tu of training, then test
    starts 5 tu apart, each with 10 tu of teacher-forced context (Pathak et al. 2018; notes sec. 5)."""
    lor = dynstab.systems.get("lorenz")
    x = dynstab.trajectory(
        lor,
        t=ESN_TRAIN + 100 * ESN_GAP + ESN_CONTEXT + ESN_HORIZON + 1,
        dt=ESN_DT,
        transient=50.0,
        method="dopri8",
        rtol=1e-11,
        atol=1e-11,
    ).x
    n_train = round(ESN_TRAIN / ESN_DT)
    ctx = round(ESN_CONTEXT / ESN_DT)
    starts = n_train + 1 + ctx + np.round(np.arange(100) * ESN_GAP / ESN_DT).astype(int)
    return x, x[: n_train + 1], starts


@pytest.fixture(scope="module")
def esn_1000(esn_data):
    return EchoStateNetwork(1000, spectral_radius=0.9, input_bias=0.5, ridge=1e-8, seed=0).fit(esn_data[1], dt=ESN_DT)


def _esn_vpt(model, esn_data, n_starts):
    x, train, starts = esn_data
    return _median_vpt(
        model, x, starts[:n_starts], round(ESN_CONTEXT / ESN_DT), round(ESN_HORIZON / ESN_DT), ESN_DT, train.std(axis=0)
    )


def test_esn_1000_units_forecasts_eight_lyapunov_times(esn_1000, esn_data):
    """Issue 6 done-means: median VPT >= 8 (10 test starts here, 100 in the slow test; measured 9.7 with the
    default Pathak readout, 11.3 with readout="r_r2")."""
    med, vpts = _esn_vpt(esn_1000, esn_data, 10)
    assert med >= 8.0, vpts


@pytest.mark.slow
def test_esn_1000_units_vpt_over_100_starts(esn_1000, esn_data):
    med, vpts = _esn_vpt(esn_1000, esn_data, 100)
    assert med >= 8.0, np.percentile(vpts, [10, 50, 90])


@pytest.mark.slow
def test_esn_r_r2_readout_over_100_starts(esn_data):
    m = EchoStateNetwork(1000, readout="r_r2", seed=0).fit(esn_data[1], dt=ESN_DT)
    med, vpts = _esn_vpt(m, esn_data, 100)
    assert med >= 8.0, np.percentile(vpts, [10, 50, 90])


def test_esn_reproducible_and_seeded(esn_data):
    train = esn_data[1][:3001]
    a = EchoStateNetwork(100, seed=3, washout=100).fit(train, dt=ESN_DT)
    b = EchoStateNetwork(100, seed=3, washout=100).fit(train, dt=ESN_DT)
    c = EchoStateNetwork(100, seed=4, washout=100).fit(train, dt=ESN_DT)
    np.testing.assert_array_equal(a.W_out_, b.W_out_)
    assert not np.allclose(a.W_out_, c.W_out_)
    assert a.W_out_.shape == (3, 101)  # default Pathak readout: [1, r] with every second unit squared
    # the reservoir has the requested spectral radius
    W = np.zeros((100, 100))
    np.put_along_axis(W, a._idx, a._params["W_values"], axis=1)
    np.testing.assert_allclose(np.max(np.abs(np.linalg.eigvals(W))), 0.9, rtol=1e-6)
    dense = EchoStateNetwork(100, degree=None, spectral_radius=0.5, washout=100).fit(train, dt=ESN_DT)
    np.testing.assert_allclose(np.max(np.abs(np.linalg.eigvals(dense._params["W"]))), 0.5, rtol=1e-6)


def test_esn_teacher_forced_one_step_fit_and_several_series(esn_data):
    x = esn_data[1]
    m = EchoStateNetwork(200, washout=100, leak_rate=0.9, seed=1).fit([x[:4000], x[4000:8000]], dt=ESN_DT)
    r = m.synchronize(x[8000:8500])
    # the readout of a synchronized reservoir predicts the next sample (one-step teacher-forced error)
    np.testing.assert_allclose(m.observe(r), x[8500], atol=0.05 * x.std())


def test_esn_as_system_is_the_closed_loop_map(esn_data):
    x = esn_data[1]
    m = EchoStateNetwork(60, washout=100, seed=2).fit(x[:4001], dt=ESN_DT)
    system = m.as_system()
    assert isinstance(system, dynstab.Map) and system.dim == 60
    r0 = m.synchronize(x[4000:4500])
    traj = dynstab.trajectory(system, n=30, x0=r0)
    np.testing.assert_allclose(m.observe(traj.x[:-1]), m.generate_from_state(r0, 30), rtol=1e-10, atol=1e-10)
    spec = dynstab.lyapunov_spectrum(system, n=2000, k=2, x0=r0, transient=200)
    assert np.all(np.isfinite(spec.exponents))


def test_esn_bad_input(esn_data):
    x = esn_data[1][:600]
    with pytest.raises(ValueError, match="at least 502"):
        EchoStateNetwork(50).fit(x[:300], dt=ESN_DT)
    with pytest.raises(ValueError, match="readout"):
        EchoStateNetwork(50, readout="cubic").fit(x, dt=ESN_DT)
    with pytest.raises(ValueError, match="leak_rate"):
        EchoStateNetwork(50, leak_rate=0.0).fit(x, dt=ESN_DT)
    with pytest.raises(ValueError, match="constant"):
        EchoStateNetwork(50, washout=10).fit(np.ones((100, 3)), dt=ESN_DT)
    m = EchoStateNetwork(50, washout=10).fit(x, dt=ESN_DT)
    with pytest.raises(ValueError, match="fitted on 3"):
        m.forecast(np.zeros((20, 2)), 5)
    with pytest.raises(ValueError, match="steps"):
        m.forecast(x[:20], 0)
    with pytest.raises(ValueError, match="reservoir state"):
        m.generate_from_state(np.zeros(3), 5)


def test_ngrc_on_3_samples_with_28_features_is_refused():
    """Issue 14 probe: NG-RC fitted on 3 samples with 28 features was accepted silently."""
    x = np.random.default_rng(0).normal(size=(5, 3))  # k=2, d=3: 1 + 6 + 21 = 28 features, 3 windows
    with pytest.raises(ValueError, match=r"3 training samples for 28 features"):
        NGRC(k=2).fit(x, dt=0.1)
    NGRC(k=2, ridge=1e3).fit(x, dt=0.1)  # enough regularization: accepted
    with pytest.raises(ValueError, match=r"17 training samples for \d+ features"):
        EchoStateNetwork(50, washout=2, seed=0).fit(np.random.default_rng(1).normal(size=(20, 2)))


def test_ngrc_fits_with_the_same_settings_share_one_law(esn_data):
    """The NG-RC law is a value, so fits on other data (other W_out) share the compiled forecast and Lyapunov kernels."""
    x = esn_data[1]
    a, b = NGRC(k=2, ridge=1e-3).fit(x[:2000], dt=ESN_DT), NGRC(k=2, ridge=1e-1).fit(x[2000:5000], dt=ESN_DT)
    assert a.as_system().rhs == b.as_system().rhs and hash(a.as_system().rhs) == hash(b.as_system().rhs)
    assert NGRC(k=3, ridge=1e-3).fit(x[:2000], dt=ESN_DT).as_system().rhs != a.as_system().rhs
    # still the map x_{t+1} = x_t + W_out O_t on the stacked state: one step equals the forecast's first sample
    window = x[2000:2002]
    step = np.asarray(a.as_system().rhs(a.stacked_state(window), {"W_out": a.W_out_}, 0))
    np.testing.assert_allclose(step[:3], a.forecast(window, 1)[0], rtol=1e-12)
