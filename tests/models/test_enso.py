"""ENSO recurrence diagnostics and gamelan sonification (issue 18; Herho et al. 2026)."""

from __future__ import annotations

import shutil
import subprocess
import wave

import numpy as np
import pytest

pytest.importorskip("pywt")

from dynstab.models import enso
from dynstab.timeseries.recurrence import recurrence_matrix


@pytest.fixture(scope="module")
def nino():
    return enso.load_nino34()


def test_load_nino34_table(nino):
    assert len(nino) == 800
    assert str(nino.dates[0]) == "1950-01" and str(nino.dates[-1]) == "2016-08"
    # CPC ersst4.nino.mth.81-10.ascii: Jan 1950 Nino 3.4 24.91 degC, anomaly -1.80; Aug 2016 26.46, -0.50
    assert nino.sst[0] == pytest.approx(24.91) and nino.anomaly[0] == pytest.approx(-1.80)
    assert nino.sst[-1] == pytest.approx(26.46) and nino.anomaly[-1] == pytest.approx(-0.50)
    assert nino.time[0] == pytest.approx(1950 + 0.5 / 12)
    # the 1997/98 El Nino is the largest anomaly of the record after 2015/16
    assert nino.anomaly.max() > 2.0 and str(nino.dates[int(np.argmax(nino.anomaly))])[:4] in ("1997", "2015")


def test_load_nino34_missing_and_malformed(tmp_path):
    with pytest.raises(FileNotFoundError, match="PyWavelets"):
        enso.load_nino34(tmp_path / "nope.npz")
    np.savez(tmp_path / "bad.npz", other=np.zeros(3))
    with pytest.raises(ValueError, match="no array 'data'"):
        enso.load_nino34(tmp_path / "bad.npz")
    np.savez(tmp_path / "shape.npz", data=np.zeros((100, 4)))
    with pytest.raises(ValueError, match="shape"):
        enso.load_nino34(tmp_path / "shape.npz")
    d = np.zeros((60, 10))
    d[:, 0], d[:, 1] = 2000, np.arange(60) % 12 + 1  # the year never advances
    np.savez(tmp_path / "months.npz", data=d)
    with pytest.raises(ValueError, match="consecutive"):
        enso.load_nino34(tmp_path / "months.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot read"):
        enso.load_nino34(tmp_path / "junk.npz")


def test_spectral_period_in_enso_band(nino):
    from dynstab.timeseries.spectrum import dominant_period

    p = dominant_period(nino.anomaly, dt=1 / 12)
    w, _, _ = enso.welch_period(nino.anomaly, 12.0)
    assert 2.0 <= p <= 7.0 and 2.0 <= w <= 7.0


def test_recurrence_period_in_enso_band(nino):
    # the embedding choose_embedding/Cao picks for this series (checked in the slow test below)
    R = recurrence_matrix(nino.anomaly, recurrence_rate=0.1, dim=6, tau=11)
    period = enso.recurrence_period(enso.tau_recurrence_rate(R), smooth=11) / 12
    assert 2.0 <= period <= 7.0


@pytest.mark.parametrize("P", [12, 20, 45, 70])
def test_recurrence_period_known_sines(P):
    rng = np.random.default_rng(P)
    t = np.arange(800)
    x = np.sin(2 * np.pi * t / P) + 0.3 * rng.standard_normal(800)
    tau = max(1, P // 4)
    R = recurrence_matrix(x, recurrence_rate=0.1, dim=3, tau=tau)
    assert enso.recurrence_period(enso.tau_recurrence_rate(R), smooth=max(3, tau)) == pytest.approx(P, rel=0.08)


def test_tau_recurrence_rate_exact():
    R = np.zeros((6, 6), bool)
    np.fill_diagonal(R, True)
    R[0, 2] = R[2, 0] = R[3, 5] = R[5, 3] = True
    rr = enso.tau_recurrence_rate(R)
    assert rr[0] == 1.0 and rr[1] == 0.0 and rr[2] == pytest.approx(2 / 4)


@pytest.mark.slow
def test_enso_diagnostics_full(nino):
    d = enso.enso_diagnostics(nino.anomaly)
    assert (d.dim, d.tau) == (6, 11)
    for p in (d.spectral_period, d.welch_period, d.recurrence_period):
        assert 2.0 <= p <= 7.0
    assert 0.5 < d.permutation_entropy < 1.0
    assert 0.05 < d.rqa["RR"] < 0.15 and 0 < d.rqa["DET"] <= 1
    assert d.network["n_nodes"] == 800 - 5 * 11


def test_pitch_mapping_exact():
    # theta = -3 -> s = 0 (C of the octave); +3 -> s = 9 -> Phi[4] an octave up; 0 -> psi = 4.5 -> 4 (half to even)
    assert list(enso.pitch([-3.0, -5.0, 0.0, 3.0, 9.0], "pelog", 4)) == [60, 60, 68, 80, 80]
    assert list(enso.pitch([0.0, 3.0], "slendro", 4)) == [69, 81]
    # s = round(9 (theta+3)/6): theta = -1 -> 3 -> Phi[3] = 7; theta = 1 -> 6 -> 12 + Phi[1]
    assert list(enso.pitch([-1.0, 1.0], "pelog", 5)) == [79, 85]
    assert list(enso.pitch([-1.0, 1.0], "slendro", 2)) == [43, 50]
    assert enso.midi_hz(60) == pytest.approx(261.63, abs=0.01)
    assert list(enso.midi_hz(60 + np.array(enso.SCALES["pelog"]))) == pytest.approx(
        [261.63, 277.18, 311.13, 392.00, 415.30], abs=0.01
    )
    assert list(enso.midi_hz(60 + np.array(enso.SCALES["slendro"]))) == pytest.approx(
        [261.63, 293.66, 311.13, 392.00, 440.00], abs=0.01
    )


def test_velocity_and_rolling_means():
    v = enso.velocity([0.0, 1.0, -2.0, 0.0], 90)
    assert list(v) == [90, 127, 127, 127]
    assert list(enso.velocity([0.0, 0.5], 30)) == [40, 55]  # 30 -> clipped to 40; 30 + 10 + 15
    x = np.arange(10.0)
    r = enso.rolling_means(x, (3, 12))
    assert list(r[3][:2]) == [0.0, 1.0] and list(r[3][2:]) == pytest.approx(list(np.arange(1.0, 9.0)))
    assert list(r[12]) == list(x)  # shorter than the window: all raw


def test_sonify_note_counts_and_voices():
    x = np.linspace(-2.5, 2.5, 40)
    n12 = enso.rolling_means(x)[12]
    gongs = int((np.abs(n12) > 1.5).sum())
    assert gongs > 0 and abs(n12[-1]) > 1.5  # the last step rings a gong (4 steps)
    bass = 5  # steps 0, 8, ..., 32
    lay = enso.sonify(x, "pelog", "layered")
    assert len(lay) == 4 * 40 + bass + gongs
    assert lay.seconds == pytest.approx(39 * 0.25 + 4 * 0.25)
    alt = enso.sonify(x, "slendro", "alternating")
    assert len(alt) == 40 + bass + gongs
    assert set(alt.voice[alt.onset == 0.25]) - {"gong"} == {"w12"}  # step 1 -> track 1 (12-month)
    assert set(alt.voice[alt.onset == 0.75]) - {"gong"} == {"w36"}
    mel = enso.sonify(x, "pelog", "melodic", seconds_per_month=0.5)
    assert len(mel) == 40 + 20 + bass + gongs and mel.onset.max() == pytest.approx(39 * 0.5)
    spec = enso.sonify(np.sin(np.arange(120) / 5.0) * 2, "pelog", "spectral")
    assert {"w12", "harm", "bass"} <= set(spec.voice)
    assert np.all(np.diff(lay.onset) >= 0) and lay.velocity.min() >= 1 and lay.velocity.max() <= 127


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: enso.sonify([0.0, 1.0], "pelgo"), "did you mean 'pelog'"),
        (lambda: enso.sonify([0.0, 1.0], "pelog", "layerd"), "did you mean 'layered'"),
        (lambda: enso.sonify([0.0, 1.0], "pelog", seconds_per_month=0), "seconds_per_month"),
        (lambda: enso.sonify([0.0, np.nan]), "x"),
        (lambda: enso.write_wav("/tmp/x.wav", [0.0, 2.0]), "clip"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_wav_valid_and_playable(tmp_path, nino):
    notes = enso.sonify(nino.anomaly[:48], "slendro", "layered", seconds_per_month=0.125)
    audio = enso.render(notes, seed=3)
    assert np.max(np.abs(audio)) == pytest.approx(0.95)
    path = enso.write_wav(tmp_path / "enso.wav", audio)
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        frames = w.getnframes()
        pcm = np.frombuffer(w.readframes(frames), dtype="<i2")
    assert frames == int(np.ceil((notes.seconds + 1.0) * 22050))
    assert frames / 22050 == pytest.approx(47 * 0.125 + 2 * 0.125 + 1.0, abs=1e-3)  # last 36-month note: 2 steps
    assert np.abs(pcm.astype(int)).max() == round(0.95 * 32767)  # normalized, never clipped
    np.testing.assert_array_equal(enso.render(notes, seed=3), audio)  # seeded
    if shutil.which("sox") is None:
        pytest.skip("sox is not installed")
    info = subprocess.run(["sox", "--i", str(path)], capture_output=True, text=True, check=True).stdout
    assert "22050" in info and "16-bit" in info
    stat = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True).stderr
    peak = float(next(line.split(":")[1] for line in stat.splitlines() if line.startswith("Maximum amplitude")))
    assert 0.9 < peak < 1.0


def test_centroid_energy_of_a_sine():
    sr = 22050
    t = np.arange(2 * sr) / sr
    cen, rms = enso.centroid_energy(0.5 * np.sin(2 * np.pi * 1000.0 * t), sr)
    inner = slice(2, -2)
    assert np.median(cen[inner]) == pytest.approx(1000.0, rel=0.02)
    assert np.median(rms[inner]) == pytest.approx(0.5 / np.sqrt(2), rel=1e-3)
    assert cen.size == 1 + (t.size) // 1024


def _revisit_original(x, y, threshold=0.05):
    xs, ys = x[::10], y[::10]
    revisits = total = 0
    for i in range(len(xs)):
        for j in range(i + 5, len(xs)):
            if np.sqrt((xs[i] - xs[j]) ** 2 + (ys[i] - ys[j]) ** 2) < threshold:
                revisits += 1
            total += 1
    return revisits / total if total else 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_revisit_rate_is_the_original_loop(seed):
    rng = np.random.default_rng(seed)
    n = 300 + 37 * seed
    x, y = np.cumsum(rng.normal(0, 0.02, n)), np.cumsum(rng.normal(0, 0.02, n))
    assert enso.revisit_rate(x, y) == pytest.approx(_revisit_original(x, y), abs=0)
    # a circle travelled three times: 60 subsampled points, 20 a loop, each within 0.005 of the
    # points one and two loops later (60 pairs) out of sum_{g=5}^{59} (60 - g) = 1540 pairs
    t = np.linspace(0, 6 * np.pi, 600)
    assert enso.revisit_rate(np.cos(t), np.sin(t)) == pytest.approx(60 / 1540)
    assert enso.revisit_rate(np.linspace(0, 1, 600), np.zeros(600)) == 0.0


def test_acoustic_phase_space_known_path():
    sr = 22050
    t = np.arange(8 * sr) / sr
    # brightness and energy both follow one slow ramp: rho = +1, the path is a line (zero area)
    f = 300.0 + 200.0 * t
    y = (0.1 + 0.1 * t) * np.sin(2 * np.pi * np.cumsum(f) / sr)
    ps = enso.acoustic_phase_space(y / np.abs(y).max(), sr)
    assert ps.rho > 0.95 and ps.area < 0.05
    assert ps.path_length == pytest.approx(np.sqrt(2), rel=0.2)
    assert ps.exploration == pytest.approx(ps.area / ps.path_length)
    assert 0 <= ps.brightness.min() and ps.brightness.max() == 1.0


def test_published_table_findings():
    f = enso.qualitative_findings(enso.PUBLISHED)
    assert all(f.values()) and len(f) == 4


@pytest.mark.slow
def test_comparison_table_full(nino):
    table = enso.comparison_table(nino.anomaly)
    assert set(table) == set(enso.PUBLISHED)
    for ps in table.values():
        assert 0 < ps.area < 1 and ps.path_length > 0 and 0 <= ps.revisit < 1 and -1 <= ps.rho <= 1
    f = enso.qualitative_findings(table)
    assert f["pelog: alternating recurs most"]


def test_netcdf_round_trip(tmp_path, nino):
    import xarray as xr

    audio = enso.render(enso.sonify(nino.anomaly[:60], "pelog", "alternating", seconds_per_month=0.1))
    table = {"pelog alternating": enso.acoustic_phase_space(audio)}
    enso.write_netcdf(tmp_path / "enso.nc", nino, None, table)
    with xr.open_dataset(tmp_path / "enso.nc", engine="h5netcdf") as ds:
        np.testing.assert_array_equal(ds.anomaly.values, nino.anomaly)
        np.testing.assert_array_equal(ds.mean_12.values, enso.rolling_means(nino.anomaly)[12])
        assert str(ds.time.values[0])[:7] == "1950-01" and ds.mean_3.attrs["units"] == "degC"
        ps = table["pelog alternating"]
        assert float(ds.area.sel(mode="pelog alternating")) == ps.area
        assert float(ds.published_revisit.sel(mode="pelog alternating")) == 0.240
        np.testing.assert_array_equal(
            ds.brightness.sel(mode="pelog alternating").values[: ps.brightness.size], ps.brightness
        )
