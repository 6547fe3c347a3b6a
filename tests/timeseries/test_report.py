"""The measured-data report: verdicts on chaotic, periodic and noise series, and bad input."""

import json

import numpy as np
import pytest

import dynstab
from dynstab.timeseries import choose_embedding
from dynstab.timeseries.report import analyze_series


@pytest.fixture(scope="module")
def lorenz_x():
    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=200.0, dt=0.02, transient=20.0)
    return traj.x[:, 0]


def test_choose_embedding_for_a_map_uses_unit_delay():
    x = dynstab.trajectory(dynstab.systems.get("henon"), n=5000).x[:, 0]
    dim, tau, how = choose_embedding(x)
    assert tau == 1 and dim == 2 and "not oversampled" in how


def test_choose_embedding_for_an_oversampled_flow(lorenz_x):
    dim, tau, how = choose_embedding(lorenz_x)
    assert tau > 1 and "mutual-information" in how and dim == 3


def test_lorenz_report_is_chaotic(lorenz_x):
    rep = analyze_series(lorenz_x, 0.02, name="x", n_surrogates=19)
    assert rep.verdict.startswith("Chaotic"), rep.verdict
    assert 0.906 * 0.8 < rep.lyapunov.exponent < 0.906 * 1.2
    assert rep.lyapunov_time == pytest.approx(1 / rep.lyapunov.exponent)
    assert 1.8 < rep.dimension.dimension < 2.3
    assert rep.surrogate.rejected
    out = rep.to_dict()
    json.dumps(out)
    assert out["embedding"]["dim"] == rep.dim and "verdict" in out


def test_sine_report_is_regular():
    t = np.arange(4000) * 0.05
    rep = analyze_series(np.sin(t), 0.05, n_surrogates=19)
    assert rep.verdict.startswith("Regular"), rep.verdict
    assert rep.zero_one < 0.2


def test_noise_report_finds_no_determinism():
    x = np.random.default_rng(1).normal(size=3000)
    rep = analyze_series(x, 1.0, n_surrogates=19)
    assert rep.verdict.startswith("No evidence of nonlinear determinism"), rep.verdict
    assert "correlation dimension" in rep.skipped


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.r_[np.ones(600), np.nan], "NaN or inf"),
        (np.ones(1000), "constant"),
        (np.arange(100.0), "at least 500"),
        (np.ones((600, 3)), "scalar series"),
    ],
)
def test_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        analyze_series(bad, 1.0)
