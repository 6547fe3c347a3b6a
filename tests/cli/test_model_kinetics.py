"""``dynstab model kinetics``: a run with its NetCDF file and figure; bad input refused before any work."""

import pytest
from cli_checks import assert_one_line_error
from typer.testing import CliRunner

from dynstab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["model", "kinetics", *(str(a) for a in args)])


def test_ssa_run_writes_netcdf_and_the_comparison_figure(tmp_path):
    import xarray as xr

    out, figs = tmp_path / "run.nc", tmp_path / "figs"
    res = run(
        "--network", "birth-death", "--runs", 500, "--t", 20, "--dt", 5, "--seed", 4,
        "--out", out, "--figures", figs, "--quiet",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "birth-death, Omega = 10, t = 20" in res.output and "500 paths" in res.output
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.attrs["network"] == "birth-death" and ds.attrs["method"] == "ssa" and ds.attrs["seed"] == 4
        assert ds["mean"].shape == (5, 1) and ds["mean"].attrs["units"] == "molecules"
        # the closure is exact for this linear network: its mean within 4 standard errors of the SSA's
        diff = abs(float(ds["mean"][-1, 0]) - float(ds["closure_mean_X"][-1]))
        assert diff < 4 * float(ds["mean_error"][-1, 0])
        assert ds.attrs["closure_closure"] == "normal"
    assert [p.name for p in figs.iterdir()] == ["kinetics_birth-death_ssa_omega_10_normal_order2.png"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--network", "schlog"], ["did you mean 'schlogl'"]),
        (["--closure", "lognorml"], ["did you mean 'lognormal'"]),
        (["--method", "gilespie"], ["--method", "choose one of"]),
        (["--order", "5"], ["--order"]),
        (["--omega", "-2"], ["--omega"]),
        (["--runs", "0"], ["--runs"]),
        (["--param", "k1=-1"], ["rate 'k1'", ">= 0"]),
        (["--param", "k9=1"], ["no parameter 'k9'"]),
        (["--t", "1", "--dt", "2"], ["--dt"]),
    ],
)
def test_bad_input_is_one_error_line_before_any_work(args, words, tmp_path):
    res = run(*args, "--out", tmp_path / "x.nc", "--figures", tmp_path / "f")
    assert_one_line_error(res, *words)
    assert not (tmp_path / "x.nc").exists() and not (tmp_path / "f").exists()


@pytest.mark.slow
def test_moments_only_run_flags_a_closure_outside_its_range(tmp_path):
    """The Brusselator at Omega = 0.3 (below one molecule on average): negative variances, flagged."""
    res = run("--network", "brusselator", "--omega", 0.3, "--method", "moments", "--t", 50, "--no-figures")
    assert res.exit_code == 0, res.output
    assert "outside its range of validity" in res.output and "negative variance" in res.output
