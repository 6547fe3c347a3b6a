"""``dynstab model chain``: one run and a phase-diagram sweep with their NetCDF files and figures, Ctrl-C in a
sweep keeping the finished points, and bad input refused with one error line before any work."""

import pytest
from cli_checks import assert_one_line_error
from typer.testing import CliRunner

from dynstab.cli import app

runner = CliRunner()
SMALL = ["--size", "16", "--realizations", "4", "--t", "20", "--seed", "3"]


def run(*args):
    return runner.invoke(app, ["model", "chain", *(str(a) for a in args)])


def test_run_writes_netcdf_and_figure(tmp_path):
    from dynstab.models.oscillator_chains import load_chain_run

    out, figs = tmp_path / "chain.nc", tmp_path / "figs"
    res = run(*SMALL, "--coupling", "0", "--noise", "0.2", "--window", "1", "10", "--out", out, "--figures", figs)
    assert res.exit_code == 0, res.output
    assert "beta = 0.4" in res.output or "beta = 0.5" in res.output, res.output  # random deposition: 1/2
    assert "phase slips" in res.output and "synchronization S" in res.output
    back = load_chain_run(out)
    assert back.w2.shape == (4, 40) and back.settings["noise"] == 0.2 and back.settings["seed"] == 3
    assert [p.name for p in figs.iterdir()] == ["chain_L16_K0_a0_D0.2_sigma0.png"]


def test_columnar_disorder_run(tmp_path):
    res = run(*SMALL, "--coupling", "0", "--disorder", "0.3", "--no-figures")
    assert res.exit_code == 0, res.output
    assert "beta = 1.0000" in res.output  # phi_j = omega_j t: linear growth


def test_sweep_writes_the_phase_diagram(tmp_path):
    import xarray as xr

    out, figs = tmp_path / "diagram.nc", tmp_path / "figs"
    res = run(*SMALL, "--sweep", "K=0,1", "--sweep", "a=0:1:2", "--window", "1", "10", "--out", out, "--figures", figs)
    assert res.exit_code == 0, res.output
    assert "4 of 4 points" in res.output
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["beta"].shape == (2, 2, 1) and ds.attrs["complete"] == 1 and int(ds["done"].sum()) == 4
    assert [p.name for p in figs.iterdir()] == ["chain_phase_diagram_L16.png"]


def test_ctrl_c_in_a_sweep_writes_the_finished_points(tmp_path, monkeypatch):
    import xarray as xr

    from dynstab.models import oscillator_chains as oc

    real = oc.simulate_chain
    calls = []

    def second_interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(oc, "simulate_chain", second_interrupted)
    out = tmp_path / "diagram.nc"
    res = run(*SMALL, "--sweep", "K=0,1,2", "--window", "1", "10", "--out", out, "--no-figures")
    assert res.exit_code == 130, res.output
    assert "stopped after 1 of 3 points" in res.output
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.attrs["complete"] == 0 and list(ds["done"].values[:, 0, 0]) == [1, 0, 0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--size", "2"], ["--size", "at least 3"]),
        (["--coupling", "-1"], ["--coupling", ">= 0"]),
        (["--noise", "-0.5"], ["--noise", ">= 0"]),
        (["--disorder", "-0.5"], ["--disorder", ">= 0"]),
        (["--noise", "0.1", "--disorder", "0.1"], ["not both"]),
        (["--coupling", "4", "--nonoddity", "2", "--dt", "0.1"], ["--dt 0.1 is too large", "0.0559"]),
        (["--sweep", "K=0,20", "--dt", "0.05"], ["too large", "K = 20"]),
        (["--sweep", "b=1,2"], ["NAME=VALUES"]),
        (["--sweep", "K=x"], ["not a list of numbers"]),
        (["--sweep", "D=-1,1"], [">= 0"]),
        (["--t", "10", "--window", "5", "50"], ["--window"]),
        (["--realizations", "0"], ["--realizations"]),
    ],
)
def test_bad_input_is_one_error_line_and_nothing_is_written(tmp_path, args, words):
    out, figs = tmp_path / "chain.nc", tmp_path / "figs"
    res = run(*args, "--out", out, "--figures", figs)
    assert_one_line_error(res, *words)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_out_is_refused_before_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = run(*SMALL, "--out", blocker / "chain.nc", "--no-figures")
    assert_one_line_error(res, "--out")
