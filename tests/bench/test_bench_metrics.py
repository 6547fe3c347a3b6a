"""Benchmark metrics against exact results: perfect forecasts, constant offsets, a forecast that leaves at a known step."""

import math

import numpy as np
import pytest

from dynstab.bench.metrics import attractor_metrics, correlation_dimension_error, forecast_metrics, smape_at

DT = 0.01
LT = 0.3  # Lyapunov time: 30 samples, the PhyxMamba sampling


def _series(n=300, d=3, seed=0):
    t = np.arange(n) * DT
    phases = np.random.default_rng(seed).uniform(0, 2 * np.pi, d)
    return 5.0 + np.sin(2 * np.pi * t[:, None] / 0.7 + phases)  # positive, so sMAPE has no 0/0 terms


def test_perfect_forecast_is_valid_for_the_whole_horizon():
    y = _series()
    m = forecast_metrics(y, y.copy(), DT, LT)
    horizon = y.shape[0] * DT / LT  # 10 Lyapunov times
    assert m["vpt"] == pytest.approx(horizon) and m["vpt_smape"] == pytest.approx(horizon)
    for name in ("smape", "smape@1", "smape@2", "smape@5", "mse", "mae", "nrmse"):
        assert m[name] == 0.0


def test_constant_offset_gives_the_closed_form_smape():
    y = np.ones((120, 2))
    small = forecast_metrics(y, y + 0.2, DT, LT, scale=1.0)
    # sMAPE = 200 |d| / (|y| + |y + d|) = 200 * 0.2 / 2.2; below 30 and NRMSE 0.2 < 0.4: valid throughout
    assert small["smape"] == pytest.approx(400 / 22, rel=1e-12)
    assert small["smape@1"] == pytest.approx(400 / 22, rel=1e-12)
    assert small["mse"] == pytest.approx(0.04) and small["mae"] == pytest.approx(0.2)
    assert small["nrmse"] == pytest.approx(0.2)
    assert small["vpt"] == small["vpt_smape"] == pytest.approx(120 * DT / LT)
    big = forecast_metrics(y, y + 0.5, DT, LT, scale=1.0)
    assert big["smape"] == pytest.approx(40.0)  # 200 * 0.5 / 2.5
    assert big["vpt"] == big["vpt_smape"] == 0.0  # fails at the first sample


def test_forecast_that_leaves_at_a_known_step():
    y = _series(n=300)
    f = y.copy()
    k = 100
    f[k:] = -y[k:]  # from step k every sMAPE term is 200 and the normalized error is large
    m = forecast_metrics(y, f, DT, LT)
    assert m["vpt"] == pytest.approx(k * DT / LT)
    # cumulative sMAPE 200 (t - k + 1) / (t + 1) first exceeds 30 at t = 117
    t_star = next(t for t in range(k, 300) if 200 * (t - k + 1) / (t + 1) > 30)
    assert t_star == 117
    assert m["vpt_smape"] == pytest.approx(t_star * DT / LT)
    # sMAPE@k over the first k Lyapunov times (30 samples each): exact until step 100
    assert m["smape@1"] == 0.0 and m["smape@2"] == 0.0
    assert m["smape@5"] == pytest.approx(200 * (150 - k) / 150)


def test_smape_at_needs_the_whole_window():
    y = _series(n=50)
    assert smape_at(y, y, 1, DT, LT) == 0.0
    assert math.isnan(smape_at(y, y, 2, DT, LT))  # 60 samples needed, 50 given


def test_non_chaotic_system_has_no_lyapunov_time_units():
    y = _series(n=40)
    m = forecast_metrics(y, y, DT, math.inf)
    assert math.isnan(m["vpt"]) and math.isnan(m["vpt_smape"]) and math.isnan(m["smape@1"])
    assert m["smape"] == 0.0
    with pytest.raises(ValueError, match="lyapunov_time"):
        forecast_metrics(y, y, DT, 0.0)


def test_nonfinite_forecast_fails_at_its_first_bad_sample():
    y = _series(n=90)
    f = y.copy()
    f[60:] = np.nan
    m = forecast_metrics(y, f, DT, LT)
    assert m["vpt"] == m["vpt_smape"] == pytest.approx(60 * DT / LT)
    assert math.isnan(m["smape"]) and math.isnan(m["mse"])


@pytest.fixture(scope="module")
def lorenz_pair():
    """Two independent Lorenz-63 series of 2000 samples every 0.02 (one compiled ensemble run)."""
    import dynstab

    sys = dynstab.systems.get("lorenz")
    x0 = np.array([[1.0, 1.0, 1.0], [-3.0, 2.0, 30.0]])
    x = np.asarray(dynstab.trajectory(sys, x0=x0, t=1999 * 0.02, dt=0.02, transient=50.0).x)
    return x[0], x[1]


def test_attractor_metrics_of_the_truth_itself_and_of_a_fixed_point(lorenz_pair):
    x = lorenz_pair[0]
    notes: dict = {}
    same = attractor_metrics(x, x.copy(), 0.02, lambda1_ref=0.9056, notes=notes)
    assert same["d_stsp"] == pytest.approx(0.0, abs=1e-12) and same["d_h"] == pytest.approx(0.0, abs=1e-12)
    assert same["corr_dim_error"] == 0.0 and same["lambda1_ref"] == 0.9056
    assert math.isnan(same["lambda1"]) and notes["lambda1"] == "no model given"
    fixed = attractor_metrics(x, np.repeat(x[:1], x.shape[0], axis=0), 0.02)
    # a fixed point has D2 = 0, so the error is the attractor's own dimension (Lorenz: about 2.05)
    assert fixed["corr_dim_error"] == pytest.approx(correlation_dimension_error(x, x[:1] + 0 * x), abs=0)
    assert 1.8 < fixed["corr_dim_error"] < 2.3


def test_lambda1_of_a_model_through_as_system():
    import dynstab

    class Known:
        """A 'learned model' whose system is the Henon map (lambda_1 = 0.41922 per iteration)."""

        def as_system(self):
            return dynstab.systems.get("henon")

    x = np.asarray(dynstab.trajectory(dynstab.systems.get("henon"), n=1500, transient=100).x)
    m = attractor_metrics(x, x, 1.0, model=Known(), lambda1_ref=0.41922)
    assert m["lambda1"] == pytest.approx(0.41922, abs=0.02)

    class NotASystem:
        no_system_reason = "a naive baseline is not a dynamical system"

    notes: dict = {}
    m = attractor_metrics(x, x, 1.0, model=NotASystem(), notes=notes)
    assert math.isnan(m["lambda1"]) and notes["lambda1"] == NotASystem.no_system_reason


def test_noise_floors_need_an_independent_trajectory(lorenz_pair):
    x, y = lorenz_pair
    m = attractor_metrics(x, y, 0.02, reference=y)
    assert m["d_stsp_floor"] == pytest.approx(m["d_stsp"]) and m["d_h_floor"] == pytest.approx(m["d_h"])
    assert m["corr_dim_error_floor"] == pytest.approx(m["corr_dim_error"])
    assert "d_stsp_floor" not in attractor_metrics(x, y, 0.02)


def test_values_of_the_truth_are_remembered_by_content_not_by_identity(lorenz_pair, monkeypatch):
    from dynstab.bench import metrics

    x, y = lorenz_pair
    metrics._OF_TRUTH.clear()
    first = attractor_metrics(x, y[::-1].copy(), 0.02, reference=y)
    remembered = len(metrics._OF_TRUTH)
    assert remembered == 4  # D2 of the truth and the three floors
    # a second model on the same trajectory: same numbers, nothing recomputed for the truth
    calls = []
    monkeypatch.setattr(metrics, "noise_floor", lambda *a, **k: calls.append(a) or 0.0)
    again = attractor_metrics(x.copy(), y[::-1].copy(), 0.02, reference=y.copy())
    assert calls == [] and len(metrics._OF_TRUTH) == remembered
    assert all(again[k] == first[k] for k in first if not math.isnan(first[k]))
    # a different truth (one sample changed) is not served from memory
    x2 = x.copy()
    x2[5, 0] += 1e-9
    attractor_metrics(x2, y[::-1].copy(), 0.02, reference=y)
    assert len(calls) == 3


def test_a_value_that_cannot_be_computed_is_raised_again_from_memory():
    from dynstab.bench.metrics import _of_truth

    attempts = []

    def fails():
        attempts.append(1)
        raise ValueError("no scaling region")

    a = np.arange(12.0).reshape(4, 3)
    for _ in range(2):
        with pytest.raises(ValueError, match="no scaling region"):
            _of_truth("test-error", (a,), 0, fails)
    assert len(attempts) == 1
    assert _of_truth("test-value", (a,), 0, lambda: 2.5) == _of_truth("test-value", (a,), 0, lambda: 9.0) == 2.5
    assert _of_truth("test-value", (a,), 1, lambda: 9.0) == 9.0  # the seed is part of the key
