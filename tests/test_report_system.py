"""The system report's verdict (`dynstab.report.analyze`, `system_verdict`): honest about short runs (issue 12).

A verdict from a Lyapunov run is only as good as the run: too few Lyapunov times, a running
estimate that still drifts between the halves of the run, an exponent within its uncertainty of
zero, or too few periods to resolve a small positive exponent give "inconclusive: run too short
(...); rerun with --t T" instead of a classification. The calibration table checks that catalog
systems at their default lengths keep their known verdicts and that short runs are inconclusive,
never wrong.
"""

import numpy as np
import pytest

import dynstab
from dynstab import systems
from dynstab.analysis.lyapunov import LyapunovSpectrum
from dynstab.report import MIN_LYAPUNOV_TIMES, MIN_PERIODS, analyze, default_length, system_verdict


def synthetic(name, logs, interval):
    """A spectrum of ``name`` from given logs (n_ics, n_qr, k): its exponents are the logs' time averages."""
    logs = np.asarray(logs, dtype=float)
    times = interval * np.arange(1, logs.shape[1] + 1)
    per_ic = logs.sum(axis=1) / times[-1]
    std = per_ic.std(axis=0, ddof=1)
    settings = {"t": times[-1], "qr_interval": interval, "dt": 1.0 if name == "henon" else 0.01}
    return LyapunovSpectrum(per_ic.mean(axis=0), std, per_ic, times, logs, systems.get(name), settings)


def test_the_halves_are_the_time_averages_of_each_half():
    rng = np.random.default_rng(3)
    logs = rng.normal([0.09, 0.0, -1.4], 0.05, size=(4, 1000, 3))
    spec = synthetic("lorenz", logs, 0.1)
    first, second = spec.halves()
    np.testing.assert_allclose(first.per_ic, logs[:, :500].sum(axis=1) / 50.0, rtol=1e-13)
    np.testing.assert_allclose(second.per_ic, logs[:, 500:].sum(axis=1) / 50.0, rtol=1e-13)
    np.testing.assert_allclose((first.exponents + second.exponents) / 2, spec.exponents, rtol=1e-13)
    assert first.settings["t"] == second.settings["t"] == 50.0


def test_a_converged_long_run_keeps_its_classification():
    # Lorenz-like logs: lambda = (0.9, 0, -14.57) per time unit with fluctuations, 10,000 time units
    rng = np.random.default_rng(0)
    logs = rng.normal([0.09, 0.0, -1.457], [0.3, 0.3, 0.3], size=(5, 100_000, 3))
    verdict, conv = system_verdict(synthetic("lorenz", logs, 0.1), period=0.75)
    assert verdict == "chaotic" and conv["conclusive"] and conv["reasons"] == []
    assert conv["lyapunov_times"] == pytest.approx(9000, rel=0.01) and conv["suggested_t"] is None


def test_halves_that_disagree_make_the_verdict_inconclusive():
    # first half regular (0, 0, -1), second half stretching at 0.5 per time unit: still drifting
    logs = np.zeros((3, 2000, 3))
    logs[:, :, 2] = -0.01
    logs[:, 1000:, 0] = 0.005
    logs += np.random.default_rng(1).normal(0, 1e-4, logs.shape)
    verdict, conv = system_verdict(synthetic("lorenz", logs, 0.01), length=20.0)
    assert verdict.startswith("inconclusive: run too short (")
    assert "halves give lambda_1 = " in verdict and "rerun with --t " in verdict
    assert any("halves of the run give" in r for r in conv["reasons"])
    a, b = conv["halves"][0][0], conv["halves"][1][0]
    assert abs(a) < 0.01 and b == pytest.approx(0.5, abs=0.01)
    assert conv["suggested_t"] >= 4 * 20.0


def test_too_few_lyapunov_times_make_a_chaotic_verdict_inconclusive():
    # a clean lambda_1 = 0.4 over 30 iterations of a map: 12 Lyapunov times
    logs = np.tile([0.4, -1.6], (4, 30, 1)) + np.random.default_rng(2).normal(0, 1e-3, (4, 30, 2))
    verdict, conv = system_verdict(synthetic("henon", logs, 1.0), length=30)
    assert conv["classification"] == "chaotic" and not conv["conclusive"]
    assert conv["lyapunov_times"] == pytest.approx(12, rel=0.01)
    assert verdict.startswith("inconclusive: run too short (12 Lyapunov times;")
    # the suggestion reaches MIN_LYAPUNOV_TIMES: 20 / 0.4 = 50 iterations at least, and 4x the run
    assert conv["suggested_t"] >= max(MIN_LYAPUNOV_TIMES / 0.4, 4 * 30)


def test_an_exponent_within_its_uncertainty_of_zero_is_not_called_either_way():
    # lambda_1 sits just above classify's zero threshold 5 / T = 0.05 with a drift of 0.02 between halves
    rng = np.random.default_rng(4)
    logs = np.zeros((5, 1000, 2))
    logs[:, :500, 0] = 0.045 * 0.1
    logs[:, 500:, 0] = 0.065 * 0.1
    logs[:, :, 1] = -1.0 * 0.1
    logs += rng.normal(0, 1e-6, logs.shape)
    spec = synthetic("van_der_pol", logs, 0.1)
    verdict, conv = system_verdict(spec, period=0.5)
    assert conv["classification"] == "chaotic" and verdict.startswith("inconclusive")
    assert any("also read as periodic" in r for r in conv["reasons"])


def test_a_regular_verdict_needs_enough_periods():
    # an exact limit cycle (0, -1) over 20 time units of an orbit of period 2: 10 periods only
    logs = np.zeros((3, 2000, 2))
    logs[:, :, 1] = -0.01
    spec = synthetic("van_der_pol", logs, 0.01)
    verdict, conv = system_verdict(spec, period=2.0)
    assert conv["classification"] == "periodic" and conv["periods"] == pytest.approx(10)
    assert verdict.startswith("inconclusive: run too short (10 periods, no positive exponent resolved;")
    assert conv["suggested_t"] >= MIN_PERIODS * 2.0
    assert system_verdict(spec, period=0.1)[0] == "periodic"  # 200 periods


def test_mackey_glass_over_200_time_units_is_inconclusive_not_quasi_periodic(monkeypatch):
    """Issue 12: `dynstab analyze mackey_glass --t 200` said "quasi-periodic" (the default length says chaotic)."""
    from dynstab.simulate import evolution

    monkeypatch.setattr(evolution, "LONG_RUN_SECONDS", 0.0)  # in chunks, to see the progress reach the report
    calls = []
    report = analyze(systems.get("mackey_glass"), t=200.0, n_ics=2, progress=lambda d, n: calls.append((d, n)))
    assert report.convergence["classification"] in ("quasi-periodic", "periodic", "chaotic")
    assert report.verdict.startswith("inconclusive: run too short (")
    assert report.convergence["suggested_t"] >= 1000
    out = report.to_dict()
    assert out["verdict"] == report.verdict and out["lyapunov_convergence"]["conclusive"] is False
    assert calls and calls[-1][0] == calls[-1][1] == 220  # QR intervals of 1 time unit, 20 of them transient


# --- calibration: default lengths keep their verdicts, short runs are inconclusive, never wrong -------------------
CALIBRATION = [
    # (system, known verdict at the default length, short lengths)
    ("lorenz", "chaotic", [5.0, 20.0]),
    ("rossler", "chaotic", [50.0, 200.0]),
    ("mackey_glass", "chaotic", [200.0, 1000.0, 3000.0]),
    ("henon", "chaotic", [30]),
    ("logistic", "chaotic", [20]),
    ("van_der_pol", "periodic", [10.0, 50.0]),
    ("torus", "quasi-periodic", [10.0, 200.0]),
    ("sprott_torus", "chaotic", [100.0]),
]


@pytest.mark.slow
@pytest.mark.parametrize("name, known, short", CALIBRATION, ids=[c[0] for c in CALIBRATION])
def test_calibration_default_lengths_are_right_and_short_runs_never_wrong(name, known, short):
    system = systems.get(name)
    full = analyze(system, t=default_length(system))
    assert full.verdict == known, full.convergence
    for t in short:
        verdict = analyze(system, t=t).verdict
        assert verdict == known or verdict.startswith("inconclusive: run too short"), (t, verdict)


@pytest.mark.slow
def test_a_damped_oscillator_is_a_fixed_point_once_the_run_resolves_its_exponents():
    import jax.numpy as jnp

    @dynstab.flow(x0=[1.0, 0.0], dt=0.01)
    def damped(x, p, t):  # exponents -0.25, -0.25
        return jnp.stack([x[1], -x[0] - 0.5 * x[1]])

    # over 5 time units the zero threshold 5 / T = 1 covers -0.25: not resolved, so not a verdict
    assert analyze(damped, t=5.0, n_ics=2).verdict.startswith("inconclusive: run too short")
    assert analyze(damped, t=200.0, n_ics=2).verdict == "fixed point"


def test_rossler_at_c9_reports_both_equilibria_and_plots_no_approach():
    """Issue 15: `analyze rossler --param c=9` missed the outer equilibrium (the search box came from the
    attractor only) and a short --t plotted the approach from the default parameters' x0."""
    a, b, c = 0.2, 0.2, 9.0
    rep = analyze(dynstab.systems.get("rossler", c=c), t=50.0, n_ics=1)
    root = np.sqrt(c * c - 4 * a * b)
    exact = sorted((x, -x / a, x / a) for x in ((c - root) / 2, (c + root) / 2))
    found = sorted(tuple(fp.x) for fp in rep.fixed_points)
    np.testing.assert_allclose(found, exact, rtol=1e-8, atol=1e-10)
    # the plotted run starts after the 100-time-unit transient of a long run: already on the attractor
    x = rep.trajectory.x
    lo, hi = x[len(x) // 2 :].min(axis=0), x[len(x) // 2 :].max(axis=0)
    assert np.all(x[0] >= lo - 0.1 * (hi - lo)) and np.all(x[0] <= hi + 0.1 * (hi - lo))
