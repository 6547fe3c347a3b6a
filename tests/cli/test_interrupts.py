"""Ctrl-C in every command: exit code 130, one ``interrupted`` line saying what finished, no
traceback, and nothing written half (issue 14).

The library is interrupted where a compiled chunk ends: the tests raise ``KeyboardInterrupt``
from the library call (or after some of its work) and check what the command prints and keeps.
"""

import json
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from dynstab.cli import app

runner = CliRunner()


def run(*args):
    res = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in res.output
    return res


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_simulate_interrupted_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("dynstab.simulate.trajectory", interrupt)
    out = tmp_path / "x.nc"
    res = run("simulate", "lorenz", "--t", 1, "--out", out)
    assert res.exit_code == 130
    assert "interrupted: the simulation did not finish; nothing was written to" in " ".join(res.output.split())
    assert list(tmp_path.iterdir()) == []


def test_simulate_interrupted_while_writing_leaves_no_partial_file(tmp_path, monkeypatch):
    import xarray as xr

    write = xr.Dataset.to_netcdf

    def half_then_interrupt(self, path, *args, **kwargs):
        write(self.isel(time=slice(0, 2)), path, *args, **kwargs)  # some bytes are on disk
        raise KeyboardInterrupt

    out = tmp_path / "x.nc"
    out.write_bytes(b"the user's old file")
    monkeypatch.setattr(xr.Dataset, "to_netcdf", half_then_interrupt)
    res = run("simulate", "lorenz", "--t", 0.1, "--out", out)
    assert res.exit_code == 130 and "left as it was" in res.output
    assert out.read_bytes() == b"the user's old file"
    assert [p.name for p in tmp_path.iterdir()] == ["x.nc"]  # no temporary file left


def test_periodic_orbits_interrupted_prints_the_finished_periods(tmp_path, monkeypatch):
    import importlib

    module = importlib.import_module("dynstab.analysis.periodic_orbits")
    real = module.periodic_orbits

    def one_then_interrupt(system, period, **kwargs):
        if period > 1:
            raise KeyboardInterrupt
        return real(system, period, **kwargs)

    monkeypatch.setattr(module, "periodic_orbits", one_then_interrupt)
    res = run("periodic-orbits", "henon", "--period", "1-3", "--n-seeds", 50, "--out", tmp_path)
    assert res.exit_code == 130
    text = " ".join(res.output.split())
    assert "period 1 finished (above); periods 2, 3 did not" in text
    assert "periodic orbits of henon" in text  # the table of the finished periods
    assert list(tmp_path.iterdir()) == []


def test_bifurcation_interrupted_while_locating_changes_keeps_the_diagram(tmp_path, monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("dynstab.analysis.orbit_diagram"), "period_changes", interrupt)
    res = run(
        "bifurcation", "logistic", "--sweep", "r", "--range", 2.5, 4, "--n", 50, "--doublings", "--json",
        "--out", tmp_path,
    )  # fmt: skip
    assert res.exit_code == 130
    assert json.loads(res.stdout)["n_values"] == 50
    assert "the orbit diagram above finished; locating the changes of period did not" in " ".join(res.output.split())
    assert [p.name for p in tmp_path.iterdir()] == ["logistic_bifurcation_r.png"]


def test_catalog_annotate_interrupted_says_what_is_in_the_file(tmp_path, monkeypatch):
    import importlib

    invariants = importlib.import_module("dynstab.analysis.invariants")
    real = invariants.annotate

    def one_then_interrupt(system, settings):
        if system.name != "logistic":
            raise KeyboardInterrupt
        return real(system, settings)

    monkeypatch.setattr(invariants, "annotate", one_then_interrupt)
    out = tmp_path / "inv.json"
    res = run("catalog", "annotate", "logistic", "henon", "tent", "--n-ics", 2, "--out", out)
    assert res.exit_code == 130
    text = " ".join(res.output.split())
    assert f"annotated 1 system into {out}: logistic" in text
    assert f"interrupted: the 1 system above are in {out}; 2 systems not done" in text
    assert set(json.loads(out.read_text())["systems"]) == {"logistic"}


def test_basins_interrupted_while_computing_writes_nothing(tmp_path, monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("dynstab.analysis.basins"), "basins_of_attraction", interrupt)
    res = run("basins", "henon", "--x", -2, 2, 20, "--y", -1, 1, 20, "--out", tmp_path)
    assert res.exit_code == 130
    assert res.output.count("interrupted:") == 1
    assert "before the basins on the 20 x 20 grid finished; nothing was written" in " ".join(res.output.split())
    assert list(tmp_path.iterdir()) == []


def test_basins_interrupted_while_drawing_prints_the_basins(tmp_path, monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("dynstab.plotting"), "plot_basins", interrupt)
    res = run("basins", "henon", "--x", -2, 2, 20, "--y", -1, 1, 20, "--out", tmp_path)
    assert res.exit_code == 130
    text = " ".join(res.output.split())
    assert "henon: 1 attractor on the x x y grid" in text and "basin entropy" in text  # what finished
    assert res.output.count("interrupted:") == 1
    assert f"interrupted: the basins above finished; their figure was not written to {tmp_path}" in text
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_real_sigint_stops_simulate_within_seconds(tmp_path):
    """A real Ctrl-C (SIGINT) to a ``dynstab simulate`` process: exit 130, one line, no partial file."""
    out = tmp_path / "long.nc"
    proc = subprocess.Popen(
        [sys.executable, "-m", "dynstab.cli", "simulate", "lorenz96", "--t", "20000", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(8)  # past start-up, inside the simulation
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert not out.exists()
    print(f"stopped {time.perf_counter() - sent:.2f} s after SIGINT")
