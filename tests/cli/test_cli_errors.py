"""The command line's error paths (issue 14): exit status 2, one ``error:`` line that names the
problem, never a traceback; destinations checked before any work; results printed even when a
figure cannot be written."""

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import typer
from cli_checks import assert_one_line_error
from typer.testing import CliRunner

import dynstab
from dynstab.cli import app
from dynstab.cli.common import command

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def afile(tmp_path):
    path = tmp_path / "afile"
    path.write_text("x")
    return path


def _must_not_run(*args, **kwargs):
    raise AssertionError("the destination must be checked before any work")


# destinations, checked before computing


def test_analyze_out_on_a_file_fails_before_the_analysis(afile, monkeypatch):
    monkeypatch.setattr("dynstab.report.analyze", _must_not_run)
    assert_one_line_error(run("analyze", "henon", "--out", afile), "--out", afile)


def test_basins_out_on_a_file_fails_before_the_basins(afile, monkeypatch):
    monkeypatch.setattr("dynstab.analysis.basins.basins_of_attraction", _must_not_run)
    res = run("basins", "henon", "--x", -1, 1, 5, "--y", -1, 1, 5, "--out", afile)
    assert_one_line_error(res, "--out", afile)


def test_simulate_out_under_a_file_or_on_a_folder_fails_before_the_run(afile, tmp_path, monkeypatch):
    monkeypatch.setattr("dynstab.simulate.trajectory", _must_not_run)
    assert_one_line_error(run("simulate", "lorenz", "--t", 1, "--out", afile / "x.nc"), "--out", "not a folder")
    assert_one_line_error(run("simulate", "lorenz", "--t", 1, "--out", tmp_path), "--out", "is a folder")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (a folder no one can write in)")
def test_unwritable_folder_fails_before_the_work(monkeypatch):
    monkeypatch.setattr("dynstab.simulate.trajectory", _must_not_run)
    monkeypatch.setattr("dynstab.report.analyze", _must_not_run)
    assert_one_line_error(run("simulate", "lorenz", "--t", 1, "--out", "/proc/x.nc"), "--out", "/proc")
    assert_one_line_error(run("analyze", "henon", "--out", "/proc/report"), "--out", "/proc")


def test_simulate_creates_a_missing_folder(tmp_path):
    path = tmp_path / "new" / "sub" / "x.nc"
    res = run("simulate", "lorenz", "--t", 0.1, "--out", path)
    assert res.exit_code == 0, res.output
    assert dynstab.load_trajectory(path).x.shape == (11, 3)


def test_the_result_is_printed_when_a_figure_cannot_be_written(tmp_path, monkeypatch):
    def refuse(fig, path, quiet):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(sys.modules["dynstab.cli.basins"], "save_figure", refuse)
    res = run("basins", "henon", "--x", -1, 1, 6, "--y", -1, 1, 6, "--json", "--out", tmp_path)
    assert res.exit_code == 2, res.output
    assert "figure" not in json.loads(res.stdout)  # the whole result, without the figure it could not write
    assert "figures not written" in res.stderr and "Permission denied" in res.stderr
    assert "Traceback" not in res.output


# data files


@pytest.mark.parametrize(
    ("name", "content"),
    [("bad.nc", b"not netcdf at all\n"), ("garbage.csv", bytes(range(256)) * 3), ("empty.csv", b"")],
)
def test_unreadable_data_file_is_one_line_naming_it(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    assert_one_line_error(run("analyze", path, "--no-figures"), name)


# environment variables (read once per process: run the command in its own process)


@pytest.mark.parametrize(
    ("var", "value"),
    [("DYNSTAB_SMALL_LOOP_BYTES", "abc"), ("DYNSTAB_MAX_MEMORY_GB", "lots"), ("DYNSTAB_CACHE_DIR", "FILE")],
)
def test_invalid_environment_variable_is_one_line(tmp_path, var, value):
    if value == "FILE":
        value = str(tmp_path / "afile")
        Path(value).write_text("x")
    env = dict(os.environ, **{var: value})
    proc = subprocess.run(
        [sys.executable, "-m", "dynstab.cli", "list"], env=env, capture_output=True, text=True, timeout=300
    )
    text = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 2, text
    assert len(text.splitlines()) == 1 and var in text and "Traceback" not in text, text


# simulate: requests that cannot give what was asked


def test_simulate_refuses_a_step_longer_than_the_span():
    assert_one_line_error(run("simulate", "lorenz", "--t", 1, "--dt", 5), "--dt", "--t")
    assert_one_line_error(run("simulate", "henon", "--n", 3, "--dt", 5), "--dt", "--n")


def test_trajectory_refuses_a_step_longer_than_the_span():
    lorenz = dynstab.systems.get("lorenz")
    with pytest.raises(ValueError, match="longer than the span"):
        dynstab.trajectory(lorenz, t=1.0, dt=5.0)
    assert dynstab.trajectory(lorenz, t=0.0, dt=5.0).x.shape == (1, 3)  # t = 0 asks for one point


def test_simulate_refuses_an_output_over_the_limit(monkeypatch):
    monkeypatch.setattr("dynstab.simulate.trajectory", _must_not_run)
    res = run("simulate", "henon", "--n", 10_000_000_000)
    assert_one_line_error(res, "GiB", "--dt", "DYNSTAB_MAX_MEMORY_GB")
    monkeypatch.setenv("DYNSTAB_MAX_MEMORY_GB", "1e-6")
    assert_one_line_error(run("simulate", "lorenz", "--t", 100), "GiB", "--dt")


# the handler itself: warnings and unexpected exceptions


def _test_app(fn):
    test_app = typer.Typer(pretty_exceptions_enable=False)
    test_app.command()(command(fn))
    return test_app


def test_warnings_are_one_readable_line():
    def noisy() -> None:
        warnings.warn("careful\nsecond line", RuntimeWarning, stacklevel=1)

    res = runner.invoke(_test_app(noisy), [])
    assert res.exit_code == 0, res.output
    assert res.output.strip() == "warning: careful; second line (RuntimeWarning)"


def test_unexpected_exception_is_one_line_with_the_debug_hint(monkeypatch):
    def broken() -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.delenv("DYNSTAB_DEBUG", raising=False)
    res = runner.invoke(_test_app(broken), [])
    assert_one_line_error(res, "ZeroDivisionError", "--debug", "DYNSTAB_DEBUG=1")
    monkeypatch.setenv("DYNSTAB_DEBUG", "1")
    res = runner.invoke(_test_app(broken), [])
    assert isinstance(res.exception, ZeroDivisionError)


# every command with bad arguments


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--kind", "bogus"],
        ["info", "lorenzz"],
        ["simulate", "lorenz", "--t", -1],
        ["analyze", "lorenz", "--param", "rho"],
        ["analyze", "no-such-file.csv"],
        ["bifurcation", "logistic", "--sweep", "nope", "--range", 0, 1],
        ["basins", "henon", "--x", 1, 0, 5, "--y", 0, 1, 5],
        ["periodic-orbits", "henon", "--period", "x"],
        ["periodic-orbits", "henon", "--period", "99999999999999999999"],  # was a hang (hypothesis)
        ["periodic-orbits", "henon", "--n-seeds", "99999999999999999999"],  # was a hang (hypothesis)
        ["catalog", "annotate", "henon", "--out", "/proc/x.json"],  # root may "access" /proc: was a hang
        ["catalog", "doc", "--out", "/proc/catalog.md"],
        ["catalog", "annotate", "no-such-system"],
        ["catalog", "doc", "--out", "FILE/catalog.md"],
    ],
    ids=lambda a: " ".join(map(str, a[:2])),
)
def test_every_command_fails_with_one_line(args, afile):
    args = [str(afile) + a[4:] if a.startswith("FILE") else a for a in map(str, args)]
    assert_one_line_error(run(*args))
