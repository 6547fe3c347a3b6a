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
    assert rep.verdict_class == "chaotic"
    assert 0.906 * 0.8 < rep.lyapunov.exponent < 0.906 * 1.2
    assert rep.lyapunov.ci[0] < 0.9056 < rep.lyapunov.ci[1]  # issue 12: the interval covers the truth
    assert rep.lyapunov.fit_range[0] >= rep.tau  # not the initial jump
    assert rep.lyapunov_time == pytest.approx(1 / rep.lyapunov.exponent)
    assert 1.8 < rep.dimension.dimension < 2.3
    assert rep.surrogate.rejected and rep.stationarity.stationary
    # the 0-1 test cannot tell Lorenz x from its IAAFT surrogates (both K ~ 1): left out, and said so
    assert rep.zero_one_discriminates is False and "0-1 test left out" in rep.verdict
    out = rep.to_dict()
    json.dumps(out)
    assert out["embedding"]["dim"] == rep.dim and "verdict" in out
    assert out["verdict_class"] == "chaotic" and out["stationarity"]["stationary"] is True
    assert out["lyapunov_exponent"]["consistent_across_dims"] is True


def test_sine_report_is_regular():
    t = np.arange(4000) * 0.05
    rep = analyze_series(np.sin(t), 0.05, n_surrogates=19)
    assert rep.verdict.startswith("Regular"), rep.verdict
    assert rep.zero_one < 0.2
    assert rep.line_fraction > 0.99
    # Fourier surrogates of a periodic signal have little power: the verdict says so
    assert "little power" in rep.verdict


def test_noise_report_finds_no_determinism():
    x = np.random.default_rng(1).normal(size=3000)
    rep = analyze_series(x, 1.0, n_surrogates=19)
    assert rep.verdict.startswith("Linear noise: no evidence of nonlinear determinism"), rep.verdict
    assert "correlation dimension" in rep.skipped
    # false nearest neighbours never converge on noise: reported, not hidden behind the fallback
    assert rep.embedding_converged is False
    assert "false nearest neighbours" in rep.verdict


@pytest.mark.parametrize("kind", ["random walk", "ramp"])
def test_non_stationary_series_are_called_so(kind):
    """Issue 12: a random walk and a linear ramp were called 'Regular (periodic or quasi-periodic)'."""
    rng = np.random.default_rng(5)
    x = (
        np.cumsum(rng.normal(size=3000))
        if kind == "random walk"
        else np.linspace(0, 5, 3000) + 0.05 * rng.normal(size=3000)
    )
    rep = analyze_series(x, 1.0, n_surrogates=19)
    assert rep.verdict.startswith("Non-stationary: detrend or difference it first"), rep.verdict
    assert rep.verdict_class == "non-stationary"
    assert rep.lyapunov is None and "not run" in rep.skipped["Lyapunov exponent"]


def test_interrupted_report_gives_no_verdict_its_missing_steps_could_overturn():
    """Issue 12: an AR(1) series interrupted at the surrogate step was called 'Chaotic'."""
    e = np.random.default_rng(7).normal(size=3000)
    x = np.zeros(3000)
    for i in range(1, 3000):
        x[i] = 0.9 * x[i - 1] + e[i]

    def stop(name):
        if name == "surrogate test":
            raise KeyboardInterrupt

    rep = analyze_series(x, 1.0, n_surrogates=19, on_step=stop)
    assert rep.interrupted and rep.surrogate is None
    assert rep.verdict.startswith("Inconclusive (incomplete: surrogate test did not run"), rep.verdict
    assert rep.verdict_class == "inconclusive"


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
