"""``dynstab model enso``: WAVs, the table, JSON and a figure; bad input refused with one error line before any work."""

import json
import wave

import pytest
from typer.testing import CliRunner

from dynstab.cli import app

pytest.importorskip("pywt")

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["model", "enso", *args])


@pytest.mark.slow
def test_one_rendering_writes_a_wav_json_and_a_figure(tmp_path):
    out, figs = tmp_path / "wav", tmp_path / "figs"
    res = run(
        "--scale", "slendro", "--strategy", "melodic", "--seconds-per-month", "0.05", "--out", str(out),
        "--figures", str(figs), "--json", "--netcdf", str(tmp_path / "enso.nc"),
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert 2 <= data["diagnostics"]["spectral_period"] <= 7 and 2 <= data["diagnostics"]["recurrence_period"] <= 7
    assert list(data["acoustic"]) == ["slendro melodic"] and data["published"]["slendro melodic"]["area"] == 0.2111
    assert [p.name for p in out.iterdir()] == ["enso_slendro_melodic.wav"]
    with wave.open(str(out / "enso_slendro_melodic.wav"), "rb") as w:
        assert w.getframerate() == 22050 and w.getnframes() / 22050 == pytest.approx(799 * 0.05 + 0.1 + 1.0, abs=0.3)
    assert [p.name for p in figs.iterdir()] == ["enso_slendro_melodic.png"]
    import xarray as xr

    with xr.open_dataset(tmp_path / "enso.nc", engine="h5netcdf") as ds:
        assert ds.anomaly.size == 800 and ds.anomaly.attrs["units"] == "degC"
        assert float(ds.published_area.sel(mode="slendro melodic")) == 0.2111
        assert ds.attrs["recurrence_period_years"] == data["diagnostics"]["recurrence_period"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("--scale", "pelgo"), "did you mean 'pelog'"),
        (("--strategy", "alternate"), "did you mean 'alternating'"),
        (("--seconds-per-month", "0"), "--seconds-per-month must be in (0, 10]"),
    ],
)
def test_bad_input_is_one_error_line_and_nothing_written(tmp_path, args, message):
    res = run(*args, "--out", str(tmp_path / "wav"), "--figures", str(tmp_path / "figs"))
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in res.output.replace("\n", "")
    assert list(tmp_path.iterdir()) == []


def test_out_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "taken"
    f.write_text("x")
    res = run("--out", str(f), "--no-figures")
    assert res.exit_code == 2 and "error:" in res.output
