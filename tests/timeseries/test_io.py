import numpy as np
import pytest

import dynstab
from dynstab.timeseries.io import load_series


def test_csv_with_time_column(tmp_path):
    t = np.arange(100) * 0.05
    path = tmp_path / "data.csv"
    np.savetxt(path, np.column_stack([t, np.sin(t), np.cos(t)]), delimiter=",", header="time,x,y", comments="")
    s = load_series(path, "y")
    assert s.name == "y" and s.dt == pytest.approx(0.05)
    np.testing.assert_allclose(s.x, np.cos(t))
    with pytest.raises(ValueError, match="several columns"):
        load_series(path)
    with pytest.raises(ValueError, match="did you mean x"):
        load_series(path, "xx")


def test_csv_without_header_and_nonuniform_time(tmp_path):
    path = tmp_path / "plain.csv"
    np.savetxt(path, np.arange(10.0))
    s = load_series(path)
    assert s.dt is None and s.x.size == 10
    bad = tmp_path / "bad.csv"
    np.savetxt(bad, np.column_stack([[0, 1, 3, 4], [1, 2, 3, 4]]), delimiter=",", header="t,x", comments="")
    with pytest.raises(ValueError, match="not uniformly sampled"):
        load_series(bad, "x")


def test_npy_columns(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.arange(12.0).reshape(6, 2))
    np.testing.assert_array_equal(load_series(path, "1").x, [1, 3, 5, 7, 9, 11])
    with pytest.raises(ValueError, match="--column"):
        load_series(path)


def test_netcdf_trajectory(tmp_path):
    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=2.0, dt=0.01)
    path = tmp_path / "traj.nc"
    traj.to_netcdf(path)
    s = load_series(path, "z")
    assert s.dt == pytest.approx(0.01)
    np.testing.assert_allclose(s.x, traj.x[:, 2])


def test_unknown_file_type(tmp_path):
    path = tmp_path / "a.xyz"
    path.write_text("1\n")
    with pytest.raises(ValueError, match="unknown file type"):
        load_series(path)
    with pytest.raises(ValueError, match="no such file"):
        load_series(tmp_path / "missing.csv")


def test_csv_utf8_with_bom_keeps_its_time_column(tmp_path):
    """Issue 14 probe: a spreadsheet's "CSV UTF-8" (byte-order mark) lost its time column, so dt = 1 was assumed."""
    t = np.arange(50) * 0.01
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufefftime,x\n" + "".join(f"{a:.2f},{float(b)!r}\n" for a, b in zip(t, np.sin(t)))).encode())
    s = load_series(path, "x")
    assert s.dt == pytest.approx(0.01) and s.note is None
    np.testing.assert_allclose(s.x, np.sin(t))


def test_csv_decimal_commas_na_and_jitter(tmp_path):
    path = tmp_path / "eu.csv"
    rows = [f"{0.1 * i + (1e-4 if i % 3 else 0):.4f};{i}.5".replace(".", ",") for i in range(20)]
    path.write_text("t;x\n" + "\n".join(rows) + "\n")
    s = load_series(path, "x")
    assert s.dt == pytest.approx(0.1, rel=1e-3) and s.x[1] == 1.5 and s.x[5] == 5.5
    # an NA marker is read, and refused with its row: every analysis needs finite samples
    rows[5] = rows[5].split(";")[0] + ";NA"
    path.write_text("t;x\n" + "\n".join(rows) + "\n")
    with pytest.raises(
        ValueError, match=r"eu.csv: 'x' has 1 missing or non-finite value\(s\), the first \(nan\) in data row 6"
    ):
        load_series(path, "x")
    bad = tmp_path / "bad.csv"
    np.savetxt(bad, np.column_stack([[0, 1, 3, 4], [1, 2, 3, 4]]), delimiter=",", header="t,x", comments="")
    assert load_series(bad, "x", dt=0.5).dt == 0.5  # an explicit dt overrides the time column


def test_no_time_column_says_dt_is_assumed(tmp_path):
    path = tmp_path / "plain.csv"
    np.savetxt(path, np.arange(10.0))
    assert load_series(path).note == "no time column: dt = 1 sample assumed; pass --dt"
    assert load_series(path, dt=0.1).note is None


def test_csv_read_in_blocks_keeps_rows_times_and_error_rows(tmp_path):
    # more rows than one read block (2**15): values, date-time stamps and the row of a bad
    # value survive the block boundaries; only the asked column is kept
    n = 40_000
    t = np.arange(n) * 0.5
    stamps = np.datetime64("2024-01-01T00:00:00") + (t * 1000).astype("timedelta64[ms]")
    x = np.sin(t / 7.0)
    path = tmp_path / "long.csv"
    with path.open("w") as fh:
        fh.write("timestamp,x,other\n")
        fh.writelines(f"{s},{float(v)!r},{i}\n" for i, (s, v) in enumerate(zip(stamps.astype(str), x)))
    got = load_series(path, "x")
    assert got.x.dtype == np.float64 and got.x.size == n and got.dt == pytest.approx(0.5)
    np.testing.assert_allclose(got.x, x, rtol=0, atol=1e-15)  # pandas' fast parser: within 1 ulp
    lines = path.read_text().splitlines()
    lines[1 + 35_000] = f"{stamps[35_000]},oops,35000"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"non-numeric value 'oops' \(data row 35001\)"):
        load_series(path, "x")


def test_loading_stores_the_series_once(tmp_path):
    """Issue 14: a 202 MB CSV peaked at 3 GB. Loading reads only the needed columns, in blocks,
    into one float64 array: the peak is at most 3x the series (the series, the time column and
    a block of parsing), and only the series is kept."""
    import tracemalloc

    n = 500_000
    data = np.column_stack([np.arange(n) * 0.01, np.random.default_rng(0).normal(size=(n, 3))])
    path = tmp_path / "wide.csv"
    np.savetxt(path, data, delimiter=",", header="t,a,b,c", comments="", fmt="%.6f")
    load_series(path, "b")  # imports and caches first
    tracemalloc.start()
    try:
        got = load_series(path, "b")
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got.x.size == n and got.dt == pytest.approx(0.01)
    assert peak < 3.0 * got.x.nbytes, peak / got.x.nbytes
    assert kept < 1.2 * got.x.nbytes, kept / got.x.nbytes


@pytest.mark.slow
def test_report_on_a_loaded_csv_peaks_at_a_few_times_the_series(tmp_path):
    """Issue 14: loading + the data report of a 202 MB CSV peaked at 3 GB (~50x the series).

    Peak traced memory of `load_series` + `analyze_series` on a 1e6-row CSV (t, x, y, z), after
    a warm-up run (imports, compilation): at most 3x the loaded float64 series (measured 2.8x:
    the series kept, plus permutation entropy's int32 codes or the fixed-size neighbour steps
    on the 20 000-sample head; loading alone peaks at 2.3x)."""
    import tracemalloc

    from dynstab.timeseries.report import analyze_series

    tr = dynstab.trajectory(dynstab.systems.get("lorenz"), t=10_000.0, dt=0.01, transient=20.0)
    X = np.asarray(tr.x)[:1_000_000]
    path = tmp_path / "lorenz.csv"
    with path.open("w") as fh:
        fh.write("t,x,y,z\n")
        np.savetxt(fh, np.column_stack([np.arange(X.shape[0]) * 0.01, X]), delimiter=",", fmt="%.6f")
    del tr, X
    analyze_series(np.sin(np.arange(3000) * 0.05) + 0.01 * np.cos(np.arange(3000) * 0.37), 0.01)
    tracemalloc.start()
    try:
        loaded = load_series(path, "x")
        rep = analyze_series(loaded.x, loaded.dt)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert loaded.x.size == 1_000_000 and rep.dim is not None
    assert peak < 3.0 * loaded.x.nbytes, peak / loaded.x.nbytes


def test_damaged_or_incomplete_files_are_refused_naming_the_file(tmp_path):
    """Issue 14 probes (tests/test_properties.py): each case a ValueError naming the file, never a
    NaN/inf series, an IndexError or a numpy/h5py error without the file's name."""
    cases = {
        "header.csv": ("t,x\n", r"header.csv: no data rows"),
        "cut.csv": ("t,x\n0.0,1.0\n0.1,2.0\n0.2", r"cut.csv: 'x' has 1 missing .* in data row 3"),
        "inf.csv": (
            "t,x\n0.0,1.0\n0.1,inf\n0.2,3.0\n",
            r"inf.csv: 'x' has 1 missing or non-finite value\(s\), the first \(inf\)",
        ),
    }
    for name, (text, match) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError, match=match):
            load_series(tmp_path / name)
    np.save(tmp_path / "ok.npy", np.arange(100.0))
    (tmp_path / "cut.npy").write_bytes((tmp_path / "ok.npy").read_bytes()[:90])
    (tmp_path / "empty.npy").write_bytes(b"")
    (tmp_path / "junk.nc").write_bytes(b"not a netcdf file at all")
    for name, match in [
        ("cut.npy", "cut.npy: not a readable .npy"),
        ("empty.npy", "empty.npy: not a readable .npy"),
        ("junk.nc", "junk.nc: not a readable NetCDF"),
    ]:
        with pytest.raises(ValueError, match=match):
            load_series(tmp_path / name)
