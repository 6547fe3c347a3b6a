"""``dynstab model couzin``: a run to NetCDF and a figure, and bad input refused with one error line before any work."""

import pytest
from typer.testing import CliRunner

from dynstab.cli import app
from dynstab.models.schooling import load_school

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["model", "couzin", *args])


def test_a_small_school_writes_netcdf_and_a_figure(tmp_path):
    out, figs = tmp_path / "school.nc", tmp_path / "figs"
    res = run(
        "--config", "highly-parallel", "--agents", "20", "--steps", "20", "--record-every", "2", "--seed", "3",
        "--param", "noise=0.1", "--out", str(out), "--figures", str(figs), "--quiet",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "P=" in res.stdout and "OSI=" in res.stdout
    back = load_school(out)
    assert back.config.n_agents == 20 and back.config.noise == 0.1 and back.seed == 3 and len(back.time) == 11
    assert [p.name for p in figs.iterdir()] == ["couzin_highly-parallel_seed3.png"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("--param", "r_repulsion=-1"), "r_repulsion must be >= 0"),
        (("--param", "r_orientation=30"), "zone radii out of order"),
        (("--config", "tors"), "did you mean 'torus'"),
        (("--agents", "1"), "n_agents"),
        (("--param", "r_atraction=3"), "did you mean 'r_attraction'"),
        (("--neighbours", "cells"), "at least 3 cells"),
    ],
)
def test_bad_input_is_one_error_line_and_nothing_written(tmp_path, args, message):
    out = tmp_path / "school.nc"
    res = run(*args, "--steps", "10", "--out", str(out), "--no-figures")
    assert res.exit_code == 2
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], res.stderr
    assert not out.exists()
