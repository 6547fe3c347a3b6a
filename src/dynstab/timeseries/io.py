"""Reading a measured series from a file: CSV, NumPy ``.npy`` and NetCDF (also dynstab's trajectories).

The sampling step comes from a time column/coordinate when there is one (it must be uniform);
otherwise the caller's ``dt`` (default 1 sample) applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

__all__ = ["NO_TIME_NOTE", "LoadedSeries", "load_series"]

_TIME_NAMES = ("t", "time", "times", "timestamp")
_BLOCK = 1 << 15  # rows per block when reading and checking (about a MB of temporaries)
NO_TIME_NOTE = "no time column: dt = 1 sample assumed; pass --dt"


@dataclass(frozen=True)
class LoadedSeries:
    """One measured series read by `load_series`.

    Parameters
    ----------
    x : numpy.ndarray, shape (N,)
        The samples.
    dt : float or None
        Sampling interval from a time column or coordinate (None if the file has none).
    name : str
        Name of the column or variable.
    note : str or None
        "no time column: dt = 1 sample assumed; pass --dt" when ``dt`` is None (rates are then per
        sample, not per time unit), else None.
    """

    x: np.ndarray  # (N,) float64
    dt: float | None  # from the file's time axis (or the caller's dt), None if neither
    name: str
    note: str | None = None  # what the caller must know, e.g. that no time axis was found


def _pick(names: list[str], column: str | None, path: Path) -> int:
    candidates = [i for i, n in enumerate(names) if n.strip().lower() not in _TIME_NAMES]
    if column is None:
        if len(candidates) == 1:
            return candidates[0]
        raise ValueError(f"{path.name} has several columns {names}; choose one with --column")
    if column in names:
        return names.index(column)
    if column.lstrip("-").isdigit() and -len(names) <= int(column) < len(names):
        return int(column) % len(names)
    import difflib

    close = difflib.get_close_matches(column, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ValueError(f"{path.name} has no column {column!r} (columns: {', '.join(names)}){hint}")


def _uniform_dt(t: np.ndarray, path: Path, rtol: float = 0.1) -> float:
    """The step of a nearly uniform time axis: every time within ``rtol`` steps of the uniform grid
    from the first to the last time (rounding jitter of a text file passes, a gap or a jump does not).
    Checked in blocks, so no temporary of the axis's length is made."""
    t = np.asarray(t, dtype=float)
    if t.size < 2 or not np.all(np.isfinite(t[[0, -1]])):
        raise ValueError(f"{path.name}: the time column is too short or not numeric")
    dt = (t[-1] - t[0]) / (t.size - 1)
    lo, hi, dev, finite = np.inf, -np.inf, 0.0, True
    for start in range(0, t.size - 1, _BLOCK):
        seg = t[start : start + _BLOCK + 1]
        steps = np.diff(seg)
        finite = finite and bool(np.all(np.isfinite(steps)))
        lo, hi = min(lo, float(steps.min())), max(hi, float(steps.max()))
        grid = t[0] + dt * np.arange(start, start + seg.size)
        dev = max(dev, float(np.max(np.abs(seg - grid))))
    if not finite:
        raise ValueError(f"{path.name}: the time column is too short or not numeric")
    if dt <= 0 or lo <= 0 or dev > rtol * dt:
        raise ValueError(
            f"{path.name}: the time column is not uniformly sampled "
            f"(steps from {lo:g} to {hi:g}); resample the series first, "
            "or give the step explicitly (dt=, --dt) to ignore the time column"
        )
    return float(f"{dt:.12g}")  # drop the decimal round-off of text files


def _time_values(col, origin=None):
    """A block of a time column as float seconds (numbers as they are, date-time text converted,
    relative to ``origin``, the first time stamp of the file), and that origin."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(col):
        return col.to_numpy(dtype=float), origin
    try:
        stamps = pd.to_datetime(col)
    except (ValueError, TypeError):
        return np.full(len(col), np.nan), origin
    origin = stamps.iloc[0] if origin is None else origin
    return (stamps - origin).dt.total_seconds().to_numpy(dtype=float), origin


def _count_lines(path: Path) -> int:
    """Number of line breaks in the file (an upper bound on its data rows), read in 1 MB blocks."""
    count = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            count += block.count(b"\n")
    return count + 1


def _csv(path: Path, column: str | None, decimal: str | None, dt: float | None) -> LoadedSeries:
    import pandas as pd

    with path.open(encoding="utf-8-sig", errors="replace") as fh:  # utf-8-sig: the BOM of "CSV UTF-8"
        first = fh.readline()
        second = fh.readline()
    comment = first.lstrip().startswith("#")
    head = first.lstrip().lstrip("#") if comment else first
    delim = next((d for d in ("\t", ";", ",") if d in head), None)
    if decimal is None:  # decimal commas: "1,5" in a file whose fields are not separated by commas
        sample = second or head
        decimal = "," if delim != "," and re.search(r"\d,\d", sample) else "."
    fields = [f.strip().strip('"') for f in (head.split(delim) if delim else head.split())]

    def numeric(f: str) -> bool:
        try:
            float(f.replace(decimal, ".") if decimal != "." else f)
            return True
        except ValueError:
            return f.lower() in ("", "nan", "na", "n/a", "null")

    header = comment or not all(numeric(f) for f in fields)
    names = fields if header else [str(i) for i in range(len(fields))]
    col = _pick(names, column, path)
    tcols = [i for i, n in enumerate(names) if n.strip().lower() in _TIME_NAMES]
    tcol = tcols[0] if tcols and dt is None else None
    # only the value column (and the time column) are read, in blocks written into arrays of the
    # file's line count: the samples are stored once, as float64
    cap = _count_lines(path)
    x = np.empty(cap)
    t = np.empty(cap) if tcol is not None else None
    origin, m = None, 0
    try:
        reader = pd.read_csv(
            path,
            sep=delim if delim else r"\s+",
            header=None,
            names=list(range(len(names))),
            usecols=[col] if tcol is None else sorted({col, tcol}),
            skiprows=1 if header else 0,
            decimal=decimal,
            encoding="utf-8-sig",
            comment="#" if not comment else None,
            skip_blank_lines=True,
            chunksize=_BLOCK,
        )
        with reader:
            for block in reader:
                k = len(block)
                if k == 0:  # a file holding only its header
                    continue
                if m + k > x.size:  # line breaks other than "\n": grow (a copy, rare)
                    x = np.concatenate([x[:m], np.empty(max(m + k, 2 * m) - m)])
                    t = None if t is None else np.concatenate([t[:m], np.empty(x.size - m)])
                x[m : m + k] = _numeric_values(block[col], names[col], path)
                if t is not None:
                    t[m : m + k], origin = _time_values(block[tcol], origin)
                m += k
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, _NonNumeric):
            raise ValueError(str(exc)) from None
        raise ValueError(f"{path.name}: cannot be read as a table ({str(exc).strip().splitlines()[0]})") from None
    if m == 0:
        raise ValueError(f"{path.name}: no data rows")
    x = x[:m]
    step = dt if dt is not None else _uniform_dt(t[:m], path) if t is not None else None
    return LoadedSeries(x, step, names[col])


class _NonNumeric(ValueError):
    """A value column holding text (the message names the file, column, value and row)."""


def _numeric_values(values, name: str, path: Path) -> np.ndarray:
    """A block of the value column as float64 (NA markers become NaN); text is an error naming its row."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float)
    num = pd.to_numeric(values, errors="coerce")
    bad = values[num.isna() & values.notna()]
    if len(bad):
        raise _NonNumeric(
            f"{path.name}: column {name!r} holds non-numeric value {bad.iloc[0]!r} "
            f"(data row {int(bad.index[0]) + 1}); for decimal commas pass decimal=','"
        )
    return num.to_numpy(dtype=float)


def _npy(path: Path, column: str | None) -> LoadedSeries:
    try:  # memory-mapped: only the column is read
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, EOFError, OSError) as exc:
        raise ValueError(f"{path.name}: not a readable .npy array ({exc or 'empty file'})") from None
    if arr.ndim == 1:
        if column not in (None, "0"):
            raise ValueError(f"{path.name} holds one series; drop --column")
        return LoadedSeries(np.array(arr, dtype=float), None, path.stem)
    if arr.ndim != 2:
        raise ValueError(f"{path.name} has shape {arr.shape}; expected (N,) or (N, m)")
    names = [str(i) for i in range(arr.shape[1])]
    col = 0 if (column is None and arr.shape[1] == 1) else _pick(names, column, path) if column is not None else None
    if col is None:
        raise ValueError(f"{path.name} has {arr.shape[1]} columns; choose one with --column INDEX")
    return LoadedSeries(np.array(arr[:, col], dtype=float), None, f"{path.stem}[{col}]")


def _netcdf(path: Path, column: str | None, dt: float | None = None) -> LoadedSeries:
    import xarray as xr

    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path.name}: not a readable NetCDF file ({str(exc).splitlines()[0]})") from None
    with ds:
        if "x" in ds.data_vars and "variable" in ds["x"].dims:  # a dynstab trajectory
            da = ds["x"]
            if "member" in da.dims:
                da = da.isel(member=0)
            names = [str(v) for v in da["variable"].values]
            col = _pick(names, column, path)
            da = da.isel(variable=col)
            name = names[col]
        else:
            names = [str(v) for v in ds.data_vars]
            name = names[_pick(names, column, path)]
            da = ds[name]
        if da.ndim != 1:
            raise ValueError(f"{path.name}: variable {name!r} has dims {da.dims}; expected one time axis")
        dim = da.dims[0]
        timed = dt is None and dim in da.coords and np.issubdtype(da[dim].dtype, np.number)
        step = _uniform_dt(da[dim].values, path) if timed else dt
        return LoadedSeries(np.asarray(da.values, dtype=float), step, name)


def load_series(
    path, column: str | None = None, *, dt: float | None = None, decimal: str | None = None
) -> LoadedSeries:
    """One scalar series from ``path`` (.csv/.txt/.tsv, .npy, .nc/.nc4/.h5): column by name or index.

    A CSV file is read with pandas (a UTF-8 byte-order mark, ``;``/tab/comma/space separators,
    decimal commas and NA markers such as ``NA`` or empty fields are handled); it may have a header
    row; a column named t, time, times or timestamp is the time axis and gives ``dt``: it must be
    uniform up to rounding jitter (every time within 0.1 step of the uniform grid); columns are
    numbered from 0 without a header. A .npy file holds (N,) or (N, m). A NetCDF file is a
    saved `dynstab.Trajectory` or any dataset with one-dimensional variables. Without a time axis
    and without ``dt`` the result's ``dt`` is None and its ``note`` says that 1 sample is assumed.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    column : str, optional
        Column or variable name, or its index as a string; required when the file holds
        several series.
    dt : float, optional
        Sampling step; overrides (and skips the check of) the file's time axis.
    decimal : str, optional
        Decimal mark of a CSV file ("." or ","); detected when None.

    Returns
    -------
    LoadedSeries
        The samples, the sampling interval (or None), the name and a note.

    Raises
    ------
    ValueError
        For a missing, empty or damaged file, an unknown suffix, an ambiguous or unknown
        column, non-numeric, missing (NA, empty) or infinite values, or a time axis that is
        not uniformly sampled (without ``dt``); the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    if dt is not None:
        dt = float(dt)
        if not (np.isfinite(dt) and dt > 0):
            raise ValueError(f"dt must be a positive number, got {dt}")
    if decimal not in (None, ".", ","):
        raise ValueError(f"decimal must be '.' or ',', got {decimal!r}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv", ".dat"):
        out = _csv(path, column, decimal, dt)
    elif suffix == ".npy":
        out = _npy(path, column)
    elif suffix in (".nc", ".nc4", ".h5", ".netcdf"):
        out = _netcdf(path, column, dt)
    else:
        raise ValueError(f"{path.name}: unknown file type {suffix!r}; use .csv, .npy or .nc")
    bad = np.flatnonzero(~np.isfinite(out.x))
    if bad.size:  # NA markers, empty fields, a row cut short, inf: every analysis needs finite samples
        raise ValueError(
            f"{path.name}: {out.name!r} has {bad.size} missing or non-finite value(s), the first ({out.x[bad[0]]}) "
            f"in data row {bad[0] + 1}; fill or drop them first"
        )
    if out.x.size == 0:
        raise ValueError(f"{path.name}: no samples")
    if dt is not None:
        return replace(out, dt=dt, note=None)
    if out.dt is None:
        return replace(out, note=NO_TIME_NOTE)
    return out
