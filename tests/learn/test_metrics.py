"""Reconstruction metrics against hand-computed values and the published noise floors
(notes section 7: GTF test vs noisy train D_stsp 0.119 / legacy 0.219 / D_H 0.070 / GMM 0.001)."""

import math
import warnings

import numpy as np
import pytest

import dynstab
from dynstab.learn.base import LearnedModel
from dynstab.learn.metrics import (
    MetricWarning,
    attractor_invariants_error,
    evaluate_reconstruction,
    noise_floor,
    nrmse,
    power_spectrum_distance,
    prediction_error,
    smape,
    state_space_divergence,
    valid_prediction_time,
)


def _laplace_kl(h_true, h_gen, alpha):
    h_true, h_gen = np.asarray(h_true, float).ravel(), np.asarray(h_gen, float).ravel()
    p = (h_true + alpha) / (h_true.sum() + alpha * h_true.size)
    q = (h_gen + alpha) / (h_gen.sum() + alpha * h_gen.size)
    return float(np.sum(p * np.log(p / q)))


# ----------------------------------------------------------------------------- D_stsp binning
def test_stsp_two_bins_by_hand():
    # reference [0,0,0,1]: std 0.5 (ddof 1), box [-0.05, 1.05], two bins split at 0.5
    x_true = np.array([0.0, 0.0, 0.0, 1.0])
    x_gen = np.array([0.0, 1.0, 1.0, 1.0])
    a = 1e-5
    p = np.array([3 + a, 1 + a]) / (4 + 2 * a)
    q = np.array([1 + a, 3 + a]) / (4 + 2 * a)
    expected = float(np.sum(p * np.log(p / q)))
    assert expected == pytest.approx(0.5 * math.log(3), rel=1e-4)
    got = state_space_divergence(x_true, x_gen, n_bins=2, smoothing=a)
    assert got == pytest.approx(expected, rel=1e-12)


def test_stsp_out_of_box_points_dropped():
    x_true = np.array([0.0, 0.0, 0.0, 1.0])
    x_gen = np.array([0.0, 1.0, 1.0, 1.0, 50.0, -50.0])  # two points outside the box are dropped
    assert state_space_divergence(x_true, x_gen, n_bins=2) == pytest.approx(
        _laplace_kl([3, 1], [1, 3], 1e-5), rel=1e-12
    )


def test_stsp_sparse_equals_dense_histogram():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3000, 3))
    b = rng.standard_normal((2000, 3)) * 1.3 + 0.2
    s = a.std(axis=0, ddof=1)
    edges = [np.linspace(a[:, j].min() - 0.1 * s[j], a[:, j].max() + 0.1 * s[j], 8 + 1) for j in range(3)]
    ha, _ = np.histogramdd(a, bins=edges)
    hb, _ = np.histogramdd(b, bins=edges)
    expected = _laplace_kl(ha, hb, 1e-3)
    assert state_space_divergence(a, b, n_bins=8, smoothing=1e-3) == pytest.approx(expected, rel=1e-10)


def test_stsp_identical_is_zero_and_failures_are_nan():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((500, 2))
    assert state_space_divergence(x, x) == pytest.approx(0.0, abs=1e-12)
    with pytest.warns(MetricWarning, match="empty histogram"):
        assert math.isnan(state_space_divergence(x, x + 100.0))
    bad = x.copy()
    bad[10, 0] = np.nan
    with pytest.warns(MetricWarning, match="diverged"):
        assert math.isnan(state_space_divergence(x, bad))
    with pytest.raises(ValueError, match="reference"):
        state_space_divergence(bad, x)
    with pytest.raises(ValueError, match="variables"):
        state_space_divergence(x, x[:, :1])
    with pytest.raises(ValueError, match="method"):
        state_space_divergence(x, x, method="kde")


def test_stsp_many_cells_is_memory_light():
    # 30^5 = 24.3 million cells: never stored densely
    rng = np.random.default_rng(2)
    a = rng.standard_normal((20000, 5))
    b = rng.standard_normal((20000, 5))
    d = state_space_divergence(a, b, method="binning")
    assert np.isfinite(d) and d > 0


# ----------------------------------------------------------------------------- D_stsp GMM
def test_gmm_single_component_kl_is_mu_squared_over_two():
    # p = N(0, 1), q = N(mu, 1): KL = mu^2 / 2; MC error ~ mu / sqrt(n_samples)
    mu = 1.5
    got = state_space_divergence([[0.0], [0.0]], [[mu], [mu]], method="gmm", n_samples=40000, seed=3)
    assert got == pytest.approx(mu**2 / 2, abs=4 * mu / math.sqrt(40000))


def test_gmm_same_distribution_near_zero_and_auto_switch():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((3000, 6))
    b = rng.standard_normal((3000, 6))
    same = state_space_divergence(a, b)  # N = 6 -> GMM
    assert abs(same) < 0.05
    assert state_space_divergence(a, b + 2.0) > 1.0


# ----------------------------------------------------------------------------- D_H
def test_dh_identical_zero_disjoint_one():
    t = np.arange(2048)
    x = np.sin(2 * np.pi * 16 * t / 2048)
    y = np.sin(2 * np.pi * 600 * t / 2048)
    assert power_spectrum_distance(x, x) == pytest.approx(0.0, abs=1e-12)
    # lines 584 bins apart, kernels truncated at 4 sigma = 80 bins: disjoint supports
    assert power_spectrum_distance(x, y, sigma=20) == pytest.approx(1.0, abs=1e-12)
    assert power_spectrum_distance(x, y, sigma=0) == pytest.approx(1.0, abs=1e-9)


def test_dh_matches_formula():
    from scipy.ndimage import gaussian_filter1d

    rng = np.random.default_rng(5)
    a = np.cumsum(rng.standard_normal((1000, 2)), axis=0)
    b = rng.standard_normal((1000, 2))
    hs = []
    for j in range(2):
        f, g = [np.abs(np.fft.rfft((v - v.mean()) / v.std())) ** 2 for v in (a[:, j], b[:, j])]
        f, g = [np.clip(gaussian_filter1d(u, 20, mode="reflect", truncate=4.0), 0, None) for u in (f, g)]
        f, g = f / f.sum(), g / g.sum()
        hs.append(math.sqrt(max(0.0, 1 - np.sum(np.sqrt(f * g)))))
    assert power_spectrum_distance(a, b) == pytest.approx(np.mean(hs), abs=1e-10)
    assert power_spectrum_distance(a, b, reduce=False) == pytest.approx(hs, abs=1e-10)
    with pytest.raises(ValueError, match="equal length"):
        power_spectrum_distance(a, b[:999])
    with pytest.warns(MetricWarning):
        assert math.isnan(power_spectrum_distance(a, np.full_like(b, np.inf)))


# ----------------------------------------------------------------------------- short-term
def test_smape_and_nrmse_by_hand():
    assert smape([1.0, 2.0], [1.0, 4.0]) == pytest.approx(100.0 / 3)  # (0 + 200*2/6)/2
    assert smape([0.0, 1.0], [0.0, -1.0]) == pytest.approx(100.0)  # 0/0 counts 0, sign flip 200
    assert smape([[1.0, 1.0]], [[3.0, 1.0]], per_step=True) == pytest.approx([50.0])
    truth = np.array([[0.0], [2.0]])  # std 1
    pred = np.array([[1.0], [2.0]])
    assert nrmse(truth, pred) == pytest.approx(math.sqrt(0.5))
    assert nrmse(truth, pred, scale=2.0, per_step=True) == pytest.approx([0.5, 0.0])
    with pytest.raises(ValueError, match="same shape"):
        nrmse(truth, pred[:1])


def test_vpt_nrmse_on_constructed_error():
    rng = np.random.default_rng(6)
    truth = rng.standard_normal((50, 3))
    s = truth.std(axis=0)
    pred = truth + 0.1 * np.arange(50)[:, None] * s  # e(k) = 0.1 k; first k with e > 0.4 is 5
    assert valid_prediction_time(truth, pred, dt=0.01, lyapunov_exponent=0.9056) == pytest.approx(5 * 0.01 * 0.9056)
    assert valid_prediction_time(truth, pred, 0.01, 0.9056, threshold=0.25) == pytest.approx(3 * 0.01 * 0.9056)
    assert valid_prediction_time(truth, truth, 0.01, 1.0) == pytest.approx(0.5)  # never fails: horizon
    bad = truth.copy()
    bad[7] = np.nan
    assert valid_prediction_time(truth, bad, 0.01, 1.0, threshold=100.0) == pytest.approx(0.07)


def test_vpt_cumulative_smape():
    truth = np.ones((5, 1))
    # per-step sMAPE 0, 0, 100, 0, 0 -> cumulative 0, 0, 33.3 > 30 at k = 2
    pred = np.array([[1.0], [1.0], [3.0], [1.0], [1.0]])
    assert valid_prediction_time(truth, pred, dt=1 / 30, lyapunov_exponent=1.0, method="smape") == pytest.approx(2 / 30)


def test_prediction_error_step_fn_and_map():
    x = 0.5 ** np.arange(10.0)[:, None]
    assert prediction_error(lambda z: 0.5 * z, x, n=3) == pytest.approx(0.0, abs=1e-30)
    # identity model: error x_t - x_{t+3} = x_t (1 - 1/8), t = 0..6
    expected = np.mean((0.5 ** np.arange(7.0) * (1 - 0.125)) ** 2)
    assert prediction_error(lambda z: z, x, n=3) == pytest.approx(expected, rel=1e-12)
    henon = dynstab.systems.get("henon")
    traj = dynstab.trajectory(henon, n=200, transient=100).x
    assert prediction_error(henon, traj, n=5) < 1e-20
    with pytest.raises(TypeError, match="LearnedModel"):
        prediction_error(42, x)


# ----------------------------------------------------------------------------- Lorenz floors
@pytest.fixture(scope="module")
def lorenz_pair():
    lorenz = dynstab.systems.get("lorenz")
    a = dynstab.trajectory(lorenz, t=999.99, dt=0.01, transient=100.0).x
    b = dynstab.trajectory(lorenz, t=999.99, dt=0.01, transient=150.0, x0=[1.0, 2.0, 20.0]).x
    mu, sd = a.mean(axis=0), a.std(axis=0)
    return (a - mu) / sd, (b - mu) / sd


def test_lorenz_floor_and_limit_cycle(lorenz_pair):
    a, b = lorenz_pair
    assert a.shape == (100000, 3)
    floor = state_space_divergence(a, b)
    assert floor < 0.5  # notes section 7: ~0.14
    t = np.arange(a.shape[0]) * 0.01
    cycle = np.stack([np.sin(t), np.cos(t), np.sin(2 * t)], axis=1)
    cycle = (cycle - cycle.mean(axis=0)) / cycle.std(axis=0)
    assert state_space_divergence(a, cycle) > 10  # notes: ~16.4
    assert power_spectrum_distance(a, b) < 0.1  # notes: 0.048
    assert power_spectrum_distance(a, cycle) > 0.5  # notes: 0.918
    assert abs(state_space_divergence(a, b, method="gmm")) < 0.05  # notes: 0.015


def test_noise_floor_system_and_pair(lorenz_pair):
    a, b = lorenz_pair
    assert noise_floor("d_stsp", (a, b)) == pytest.approx(state_space_divergence(a, b))
    lorenz = dynstab.systems.get("lorenz")
    f = noise_floor(power_spectrum_distance, lorenz, n=20000, dt=0.01)
    assert 0 < f < 0.15
    with pytest.raises(ValueError, match="metric"):
        noise_floor("nope", (a, b))


def test_gtf_data_floors(shared_dir):
    d = shared_dir / "data" / "lorenz63-gtf"
    if not d.exists():
        pytest.skip("GTF data absent")
    train = np.load(d / "lorenz63_on0.05_train.npy")
    test = np.load(d / "lorenz63_test.npy")
    # notes section 7, measured with the reference definitions
    assert state_space_divergence(test, train) == pytest.approx(0.119, abs=1e-3)
    assert state_space_divergence(test, train, box="legacy") == pytest.approx(0.219, abs=1e-3)
    assert power_spectrum_distance(test, train) == pytest.approx(0.070, abs=1e-3)
    assert abs(state_space_divergence(test, train, method="gmm")) < 0.005


# ----------------------------------------------------------------------------- protocol
class _TrueLorenz(LearnedModel):
    """The true Lorenz flow sampled every dt, posing as a learned model (standardized coordinates)."""

    def __init__(self, mu, sd):
        self.mu, self.sd = mu, sd
        self.system = dynstab.systems.get("lorenz")

    def fit(self, data, dt=None):
        return self

    fitted_, dim_, dt_ = True, 3, 0.01

    def generate(self, x0, steps):
        x0 = np.asarray(x0) * self.sd + self.mu
        x = dynstab.trajectory(self.system, t=steps * 0.01, dt=0.01, x0=x0).x[1:]
        return (x - self.mu) / self.sd

    def as_system(self):
        law = self.system.rhs

        @dynstab.flow(params=dict(mu=self.mu, sd=self.sd, **self.system.params), x0=[0.0, 0.0, 0.0], dt=0.01)
        def standardized_lorenz(x, p, t):
            return law(x * p["sd"] + p["mu"], p, t) / p["sd"]

        return standardized_lorenz


def test_evaluate_reconstruction_true_model_is_at_floor(lorenz_pair):
    a, b = lorenz_pair
    lorenz = dynstab.trajectory(dynstab.systems.get("lorenz"), t=999.99, dt=0.01, transient=100.0).x
    mu, sd = lorenz.mean(axis=0), lorenz.std(axis=0)
    model = _TrueLorenz(mu, sd)
    test = a[:20000]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = evaluate_reconstruction(model, test, second_reference=b, pe_max_starts=200)
    d = res.to_dict()
    assert set(d) >= {"d_stsp", "d_h", "pe", "d_stsp_floor", "d_h_floor", "n_test", "diverged"}
    assert not res.diverged and res.n_test == 20000 and res.n_generated == 25000
    assert res.d_stsp < 3 * res.d_stsp_floor + 0.5
    assert res.d_h < 0.15
    assert res.pe < 1e-6  # the true flow stepped by RK4 at the data's own step


def test_evaluate_reconstruction_shorter_length_uses_whole_test_series(lorenz_pair):
    """length=T < len(test): T generated steps after 0.25 T, D_stsp against the whole test series, D_H against
    its first T samples (the AL-RNN tutorial's T = 1e4 evaluation); values equal the metrics called directly."""
    a, b = lorenz_pair
    lorenz = dynstab.trajectory(dynstab.systems.get("lorenz"), t=999.99, dt=0.01, transient=100.0).x
    model = _TrueLorenz(lorenz.mean(axis=0), lorenz.std(axis=0))
    test = a[:20000]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = evaluate_reconstruction(model, test, length=4000, second_reference=b, pe_max_starts=50)
        gen = model.generate(test[0], 5000)[1000:]
        assert res.d_stsp == pytest.approx(state_space_divergence(test, gen), rel=1e-12)
        assert res.d_h == pytest.approx(power_spectrum_distance(test[:4000], gen), rel=1e-12)
        assert res.d_stsp_floor == pytest.approx(state_space_divergence(test, b[:4000]), rel=1e-12)
    assert (res.n_test, res.n_generated, res.n_discarded, res.n_reference) == (4000, 5000, 1000, 20000)
    for bad in (1, 20001, True, 4000.5, "4000"):
        with pytest.raises(ValueError, match="length must be"):
            evaluate_reconstruction(model, test, length=bad)


def test_attractor_invariants_lorenz(lorenz_pair):
    a, b = lorenz_pair
    res = attractor_invariants_error(
        a[:20000], b[:20000], dt=0.01, lyapunov_true=0.9056, lyapunov_kwargs=dict(dim=3, tau=10), max_points=5000
    )
    assert res.lyapunov_rel_error < 0.25
    assert res.dimension_true == pytest.approx(2.05, abs=0.15)
    assert res.dimension_abs_error < 0.15
