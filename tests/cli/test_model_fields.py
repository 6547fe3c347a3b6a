"""``dynstab model kleingordon``: a run with its NetCDF file and figures; bad input refused before any work."""

import pytest
from cli_checks import assert_one_line_error
from typer.testing import CliRunner

from dynstab.cli import app

runner = CliRunner()
SMALL = ["--n", "128", "--length", "30", "--dt", "0.05", "--t", "2", "--save-every", "0.5"]


def run(*args):
    return runner.invoke(app, ["model", "kleingordon", *(str(a) for a in args)])


def test_breather_run_writes_netcdf_and_figures(tmp_path):
    import xarray as xr

    out, figs = tmp_path / "run.nc", tmp_path / "figs"
    res = run("--scenario", "breather", *SMALL, "--param", "omega=0.6", "--out", out, "--figures", figs, "--quiet")
    assert res.exit_code == 0, res.output
    assert "energy E(0)" in res.output and "max |E(t) - E(0)| / |E(0)|" in res.output
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.attrs["scenario"] == "breather" and ds.attrs["scenario_omega"] == 0.6
        assert ds["phi"].shape == (5, 128) and ds.attrs["grid_points"] == 128
        assert abs(float(ds["energy"][0]) - 16 * (1 - 0.36) ** 0.5) < 1e-6
    assert sorted(p.name for p in figs.iterdir()) == [
        "kleingordon_breather_energy.png",
        "kleingordon_breather_spacetime.png",
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--scenario", "breathr"], ["did you mean 'breather'"]),
        (["--scenario", "breather", *SMALL[:6], "--dt", "0.5"], ["stability limit"]),
        (["--scenario", "breather", "--n", "32"], ["does not resolve"]),
        (["--scenario", "collision", "--param", "speed=-0.3"], ["speed"]),
        (["--scenario", "kink", "--param", "lam=-1"], ["lam"]),
        (["--scenario", "kink", "--param", "lamda=2"], ["did you mean 'lam'"]),
        (["--scenario", "kink", "--param", "lam"], ["NAME=VALUE"]),
        (["--scenario", "packet", "--t", "-1"], ["t must be"]),
    ],
)
def test_bad_input_is_one_error_line_and_nothing_is_written(tmp_path, args, words):
    out, figs = tmp_path / "run.nc", tmp_path / "figs"
    res = run(*args, "--out", out, "--figures", figs)
    assert_one_line_error(res, *words)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_is_refused_before_the_run(tmp_path):
    (tmp_path / "run.nc").mkdir()
    res = run("--scenario", "breather", *SMALL, "--out", tmp_path / "run.nc", "--no-figures")
    assert_one_line_error(res, "is a folder")


def test_ctrl_c_writes_nothing(tmp_path, monkeypatch):
    from dynstab.models import fields

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fields, "run_scenario", interrupted)
    res = run("--scenario", "breather", *SMALL, "--out", tmp_path / "run.nc", "--figures", tmp_path / "figs")
    assert res.exit_code == 130 and "interrupted:" in res.output and "nothing was written" in res.output
    assert list(tmp_path.iterdir()) == []
