"""``dynstab model leslie``: the last-species-standing check and Gause's fit; bad input refused before any work."""

import pytest
from cli_checks import assert_one_line_error
from typer.testing import CliRunner

from dynstab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["model", "leslie", *(str(a) for a in args)])


def test_verify_writes_netcdf(tmp_path):
    import xarray as xr

    out = tmp_path / "v.nc"
    res = run("--mode", "verify", "--draws", 200, "--coupling", 0.02, "--seed", 5, "--out", out, "--quiet")
    assert res.exit_code == 0, res.output
    assert "predicted winner = simulated in 100.0%" in res.output
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["gap"].shape == (200,) and ds.attrs["agreement"] == 1.0 and ds.attrs["gap_tol"] == 0.1


@pytest.mark.slow
def test_gause_fit_figure_and_netcdf(tmp_path):
    import xarray as xr

    out, figs = tmp_path / "g.nc", tmp_path / "figs"
    res = run("--starts", 2, "--days", 300, "--out", out, "--figures", figs, "--quiet")
    assert res.exit_code == 0, res.output
    assert "P. caudatum excluded" in res.output
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["fitted"].shape == (3, 26, 2) and ds["mixture_run"].shape == (301, 2)
    assert [p.name for p in figs.iterdir()] == ["leslie_gause_1934.png"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--mode", "fit"], ["--mode", "choose one of"]),
        (["--data", "/nonexistent/g.csv"], ["no Gause data file"]),
        (["--starts", "0"], ["--starts"]),
        (["--days", "10"], ["--days"]),
        (["--mode", "verify", "--kind", "mutualism"], ["--kind"]),
        (["--mode", "verify", "--coupling", "-1"], ["--coupling"]),
        (["--mode", "verify", "--draws", "0"], ["--draws"]),
    ],
)
def test_bad_input_is_one_error_line_before_any_work(args, words, tmp_path):
    res = run(*args, "--out", tmp_path / "x.nc", "--figures", tmp_path / "f")
    assert_one_line_error(res, *words)
    assert not (tmp_path / "x.nc").exists() and not (tmp_path / "f").exists()
