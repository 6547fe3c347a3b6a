import json

import numpy as np
import pytest
from typer.testing import CliRunner

import dynstab
from dynstab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_analyze_lorenz_json_has_the_documented_keys(tmp_path):
    res = run("analyze", "lorenz", "--json", "--t", "300", "--n-ics", "2", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {"system", "fixed_points", "lyapunov_spectrum", "kaplan_yorke_dimension", "verdict"} <= set(out)
    assert out["system"] == "lorenz" and out["verdict"] == "chaotic"
    assert len(out["fixed_points"]) == 3
    types = sorted(p["type"] for p in out["fixed_points"])
    assert types == ["saddle", "saddle-focus", "saddle-focus"]
    for p in out["fixed_points"]:
        assert all(len(pair) == 2 for pair in p["eigenvalues"]) and len(p["x"]) == 3
    assert abs(out["lyapunov_spectrum"][0] - 0.9056) < 0.05
    assert abs(out["lyapunov_sum"] - out["mean_divergence"]) < 1e-3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lorenz_attractor.png", "lorenz_lyapunov.png"]


def test_analyze_param_override_changes_the_verdict():
    res = run("analyze", "lorenz", "--param", "rho=0.5", "--json", "--t", "100", "--n-ics", "2", "--no-figures")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["parameters"]["rho"] == 0.5
    assert out["verdict"] == "fixed point"
    assert [p["type"] for p in out["fixed_points"]] == ["stable node"]


def test_analyze_map_table_output():
    res = run("analyze", "henon", "--t", "20000", "--n-ics", "2", "--no-figures")
    assert res.exit_code == 0, res.output
    assert "chaotic" in res.stdout and "Kaplan-Yorke" in res.stdout and "saddle" in res.stdout
    # the run's convergence (report.convergence): 20000 iterations at lambda_1 = 0.42 are ~8400 Lyapunov times
    text = " ".join(res.stdout.split())
    assert "convergence run: 8" in text and "Lyapunov times; halves agree (lambda_1 = 0.4" in text


def test_analyze_passes_a_progress_callback_and_announces_each_step(monkeypatch):
    import dynstab.report

    real, seen = dynstab.report.analyze, {}

    def spy(system, *, progress=None, **kwargs):
        seen.update(kwargs, progress=progress)
        return real(system, progress=progress, **kwargs)

    monkeypatch.setattr(dynstab.report, "analyze", spy)
    res = run("analyze", "henon", "--t", "2000", "--n-ics", "2", "--no-figures", "--json")
    assert res.exit_code == 0, res.output
    assert callable(seen["progress"]) and callable(seen["on_step"])
    seen["progress"](3, 10)  # a bar that shows nothing off a terminal still takes calls
    seen["progress"].step("next step")


def test_unknown_system_suggests_close_matches():
    res = run("analyze", "lorenzz")
    assert res.exit_code == 2
    assert "did you mean 'lorenz'" in res.output


def test_bad_param_syntax():
    res = run("analyze", "lorenz", "--param", "rho")
    assert res.exit_code == 2 and "NAME=VALUE" in res.output
    res = run("analyze", "lorenz", "--param", "rhoo=3")
    assert res.exit_code == 2 and "did you mean 'rho'" in res.output


def test_list_and_info():
    res = run("list", "--json")
    assert res.exit_code == 0
    names = {s["name"] for s in json.loads(res.stdout)}
    assert {"lorenz", "henon", "logistic", "rossler"} <= names
    res = run("info", "lorenz")
    assert res.exit_code == 0 and "Lorenz" in res.stdout and "sigma" in res.stdout


def test_simulate_writes_netcdf(tmp_path):
    path = tmp_path / "traj.nc"
    res = run("simulate", "lorenz", "--t", "2", "--method", "dopri8", "--out", str(path))
    assert res.exit_code == 0, res.output
    tr = dynstab.load_trajectory(path)
    assert tr.x.shape == (201, 3) and tr.method == "dopri8" and tr.system.name == "lorenz"
    np.testing.assert_allclose(tr.x[0], dynstab.systems.get("lorenz").x0)
    res = run("simulate", "lorenz", "--out", str(path))
    assert res.exit_code == 2 and "--t" in res.output


def test_compilations_are_cached_on_disk(tmp_path):
    import os
    import subprocess
    import sys

    cache = tmp_path / "cache"
    env = dict(os.environ, DYNSTAB_CACHE_DIR=str(cache))
    cmd = [
        sys.executable,
        "-m",
        "dynstab.cli",
        "simulate",
        "lorenz",
        "--t",
        "1",
        "--method",
        "dopri8",
        "--out",
        str(tmp_path / "t.nc"),
    ]
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
    assert cache.is_dir() and any(cache.iterdir()), "the persistent compilation cache was not written"


def test_analyze_a_delay_equation_skips_fixed_points_with_a_reason():
    res = run("analyze", "mackey_glass", "--json", "--n-ics", "2", "--no-figures")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert "fixed_points" not in out and "characteristic equation" in out["skipped"]["fixed points"]
    assert out["verdict"] == "chaotic" and out["mean_divergence"] is None
    assert len(out["lyapunov_spectrum"]) == 4


def test_analyze_data_file_json_and_figures(tmp_path):
    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=120.0, dt=0.02, transient=20.0)
    path = tmp_path / "lorenz.csv"
    np.savetxt(path, np.column_stack([traj.t, traj.x]), delimiter=",", header="time,x,y,z", comments="")
    res = run("analyze", str(path), "--column", "x", "--json", "--out", str(tmp_path / "fig"))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["series"] == "x" and out["dt"] == 0.02
    assert out["verdict"].startswith("Chaotic")
    assert {
        "embedding",
        "lyapunov_exponent",
        "correlation_dimension",
        "rqa",
        "permutation_entropy",
        "zero_one_test_K",
        "surrogate_test",
        "lyapunov_time",
    } <= set(out)
    assert 0.7 < out["lyapunov_exponent"]["value"] < 1.1
    assert [p.name for p in (tmp_path / "fig").iterdir()] == ["x_report.png"]
    assert out["stationarity"]["stationary"] and out["embedding"]["converged"] is not None
    assert out["verdict_class"] == "chaotic" and out["spectrum"]["n_periods"] > 10
    table = run("analyze", str(path), "--column", "x", "--no-figures")
    assert table.exit_code == 0 and "verdict" in table.output
    text = " ".join(table.stdout.replace("│", " ").split())
    assert out["stationarity"]["message"].split(" (")[0] in text  # "stationary"
    assert f"spans {out['spectrum']['n_periods']:.3g} mean periods" in text
    ci = out["lyapunov_exponent"]["statistical_ci"]
    assert f"statistical alone [{ci[0]:.3g}, {ci[1]:.3g}]" in text
    assert "0-1 test K" in text and "discriminate" in text
    for note in out.get("notes", []):
        assert " ".join(note.split())[:40] in text


def test_analyze_data_file_errors(tmp_path):
    path = tmp_path / "short.npy"
    np.save(path, np.arange(50.0))
    res = run("analyze", str(path))
    assert res.exit_code == 2 and "at least 500" in res.output
    res = run("analyze", str(tmp_path / "missing.csv"))
    assert res.exit_code == 2 and "no such file" in res.output
    res = run("analyze", "lorenz", "--column", "x")
    assert res.exit_code == 2 and "apply to data files" in res.output


def test_periodic_orbits_henon_counts(tmp_path):
    res = run("periodic-orbits", "henon", "--period", "1-4", "--json", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [r["n_orbits"] for r in out] == [2, 1, 0, 1]  # Davidchack & Lai (1999)
    assert out[2]["reason"] and all(not o["stable"] for r in out for o in r["orbits"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["henon_period1.png", "henon_period2.png", "henon_period4.png"]


def test_periodic_orbits_flow_needs_a_plane():
    res = run("periodic-orbits", "lorenz")
    assert res.exit_code == 2 and "--plane" in res.output
    res = run("periodic-orbits", "lorenz", "--plane", "w=3")
    assert res.exit_code == 2 and "no variable 'w'" in res.output


def drawn_figures(monkeypatch, module):
    """Record, for each figure the command saves, its file name and its axes (title, labels, lines)."""
    import importlib

    mod = importlib.import_module(module)
    real, drawn = mod.save_figure, []

    def spy(fig, path, quiet):
        ax = fig.axes[0]
        lines = [(line.get_xdata(), line.get_ydata(), line.get_color(), line.get_label()) for line in ax.lines]
        drawn.append({"title": ax.get_title(), "xlabel": ax.get_xlabel(), "lines": lines})
        written = real(fig, path, quiet)
        drawn[-1]["path"] = written
        return written

    monkeypatch.setattr(mod, "save_figure", spy)
    return drawn


def test_bifurcation_logistic_period_doublings(tmp_path, monkeypatch):
    drawn = drawn_figures(monkeypatch, "dynstab.cli.orbits")
    res = run(
        "bifurcation",
        "logistic",
        "--sweep",
        "r",
        "--range",
        "2.5",
        "4",
        "--n",
        "300",
        "--doublings",
        "--json",
        "--out",
        str(tmp_path),
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n_values"] == 300 and out["n_diverged"] == 0
    first = [c["value"] for c in out["period_changes"][:3]]
    np.testing.assert_allclose(first, [3.0, 1 + np.sqrt(6), 3.544090], atol=1e-3)
    assert (tmp_path / "logistic_bifurcation_r.png").exists()
    # the figure marks the located doublings p -> 2p (plotting.plot_orbit_diagram), at their values
    doublings = [c["value"] for c in out["period_changes"] if c["to_period"] == 2 * c["from_period"] > 0]
    marked = [x[0] for x, _, colour, _ in drawn[0]["lines"] if colour == "crimson"]
    assert len(doublings) >= 3 and marked == sorted(doublings)
    assert "period doublings located" in drawn[0]["title"]
    bad = run("bifurcation", "logistic", "--sweep", "q", "--range", "2.5", "4")
    assert bad.exit_code == 2 and "no parameter 'q'" in bad.output


def test_basins_henon_reports_divergence(tmp_path):
    res = run("basins", "henon", "--x", "-2", "2", "60", "--y", "-1", "1", "60", "--json", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["n_attractors"] == 1 and 0.3 < out["fractions"]["diverged"] < 0.7
    assert sum(out["fractions"].values()) == pytest.approx(1.0)
    bad = run("basins", "henon", "--x", "2", "-2", "60", "--y", "-1", "1", "60")
    assert bad.exit_code == 2 and "A < B" in bad.output


@pytest.mark.slow
def test_periodic_orbits_of_a_flat_rossler_section_on_its_return_map_with_a_safe_file_name(tmp_path, monkeypatch):
    drawn = drawn_figures(monkeypatch, "dynstab.cli.orbits")
    res = run(
        "periodic-orbits", "rossler", "--plane", "x=0", "--period", "1", "--n-seeds", "20", "--json",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out[0]["system"] == "rossler Poincaré map (x = 0, upward)" and out[0]["n_orbits"] == 1
    # the section is flat in z: the orbit is drawn on the return map of y (plotting.plot_periodic_orbits)
    assert [p.name for p in tmp_path.iterdir()] == ["rossler_Poincare_map_x_0_upward_period1.png"]
    assert drawn[0]["xlabel"] == "y[n]" and "return map of y" in drawn[0]["title"]
    (u,), (v,) = next((x, y) for x, y, _, label in drawn[0]["lines"] if label.startswith("orbit 1"))
    y = out[0]["orbits"][0]["points"][0][0]  # the section coordinates are (y, z)
    assert u == pytest.approx(y) and v == pytest.approx(y)  # a fixed point of the return map
