"""``dynstab model burgers``: a dataset with its NetCDF file and figure; bad input refused before any work."""

import numpy as np
import pytest
from cli_checks import assert_one_line_error
from typer.testing import CliRunner

from dynstab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["model", "burgers", *(str(a) for a in args)])


def test_dataset_and_figure(tmp_path):
    import xarray as xr

    out, figs = tmp_path / "b.nc", tmp_path / "figs"
    res = run("--nu", 0.2, "--n", 64, "--t", 0.5, "--trajectories", 3, "--seed", 7, "--save-every", 0.1,
              "--out", out, "--figures", figs, "--quiet")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "3 trajectories x 6 times x 64 points" in res.output
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["u"].shape == (3, 6, 64)
        assert ds.attrs["nu"] == 0.2 and ds.attrs["N"] == 64 and ds.attrs["seed"] == 7
        # the default step: half the Courant bound 1 / (max|u0| k_c) = 1 / 21: 1 / 42, fitted to --save-every 0.1 (5 steps)
        assert ds.attrs["dt"] == pytest.approx(0.02)
        # viscous decay: the energy falls
        u = ds["u"].values
        assert np.all(np.mean(u[:, -1] ** 2, axis=1) < np.mean(u[:, 0] ** 2, axis=1))
    assert [p.name for p in figs.iterdir()] == ["burgers_nu_0.2_n64_seed7.png"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--nu", "0"], ["nu"]),
        (["--n", "63"], ["odd"]),
        (["--n", "8"], ["n"]),
        (["--dt", "0.5"], ["dt = 0.5", "bound"]),
        (["--nu", "0.001"], ["does not resolve the fronts"]),
        (["--t", "-1"], ["--t"]),
        (["--trajectories", "0"], ["--trajectories"]),
        (["--t", "1", "--save-every", "2"], ["--save-every"]),
    ],
)
def test_bad_input_is_one_error_line_before_any_work(args, words, tmp_path):
    res = run(*args, "--out", tmp_path / "x.nc", "--figures", tmp_path / "f")
    assert_one_line_error(res, *words)
    assert not (tmp_path / "x.nc").exists() and not (tmp_path / "f").exists()
