"""Reading a measured series from a file: CSV, NumPy ``.npy`` and NetCDF (also dynstab's trajectories).

The sampling step comes from a time column/coordinate when there is one (it must be uniform);
otherwise the caller's ``dt`` (default 1 sample) applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["LoadedSeries", "load_series"]

_TIME_NAMES = ("t", "time", "times", "timestamp")


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
    """

    x: np.ndarray  # (N,) float64
    dt: float | None  # from the file's time axis, None if it has none
    name: str


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


def _uniform_dt(t: np.ndarray, path: Path) -> float:
    steps = np.diff(np.asarray(t, dtype=float))
    if steps.size == 0 or not np.all(np.isfinite(steps)):
        raise ValueError(f"{path.name}: the time column is too short or not numeric")
    dt = float(np.median(steps))
    if dt <= 0 or np.max(np.abs(steps - dt)) > 1e-6 * abs(dt) + 1e-12:
        raise ValueError(
            f"{path.name}: the time column is not uniformly sampled "
            f"(steps from {steps.min():g} to {steps.max():g}); resample the series first"
        )
    t = np.asarray(t, dtype=float)
    return float(f"{(t[-1] - t[0]) / (t.size - 1):.12g}")  # drop the decimal round-off of text files


def _csv(path: Path, column: str | None) -> LoadedSeries:
    with path.open() as fh:
        first = fh.readline()
    delim = "," if "," in first else ("\t" if "\t" in first else None)
    fields = [f.strip().strip('"') for f in (first.split(delim) if delim else first.split())]

    def numeric(s: str) -> bool:
        try:
            float(s)
            return True
        except ValueError:
            return False

    header = not all(numeric(f) for f in fields)
    data = np.genfromtxt(path, delimiter=delim, skip_header=1 if header else 0, dtype=float)
    data = data.reshape(-1, 1) if data.ndim == 1 and len(fields) == 1 else np.atleast_2d(data)
    names = fields if header else [str(i) for i in range(data.shape[1])]
    if data.shape[1] != len(names):
        raise ValueError(f"{path.name}: rows have {data.shape[1]} fields but the header names {len(names)}")
    col = _pick(names, column, path)
    tcols = [i for i, n in enumerate(names) if n.strip().lower() in _TIME_NAMES]
    dt = _uniform_dt(data[:, tcols[0]], path) if tcols else None
    return LoadedSeries(data[:, col], dt, names[col])


def _npy(path: Path, column: str | None) -> LoadedSeries:
    arr = np.load(path, allow_pickle=False)
    if arr.ndim == 1:
        if column not in (None, "0"):
            raise ValueError(f"{path.name} holds one series; drop --column")
        return LoadedSeries(arr.astype(float), None, path.stem)
    if arr.ndim != 2:
        raise ValueError(f"{path.name} has shape {arr.shape}; expected (N,) or (N, m)")
    names = [str(i) for i in range(arr.shape[1])]
    col = 0 if (column is None and arr.shape[1] == 1) else _pick(names, column, path) if column is not None else None
    if col is None:
        raise ValueError(f"{path.name} has {arr.shape[1]} columns; choose one with --column INDEX")
    return LoadedSeries(arr[:, col].astype(float), None, f"{path.stem}[{col}]")


def _netcdf(path: Path, column: str | None) -> LoadedSeries:
    import xarray as xr

    with xr.open_dataset(path, engine="h5netcdf") as ds:
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
        dt = _uniform_dt(da[dim].values, path) if dim in da.coords and np.issubdtype(da[dim].dtype, np.number) else None
        return LoadedSeries(np.asarray(da.values, dtype=float), dt, name)


def load_series(path, column: str | None = None) -> LoadedSeries:
    """One scalar series from ``path`` (.csv/.txt/.tsv, .npy, .nc/.nc4/.h5): column by name or index.

    A CSV file may have a header row; a column named t, time, times or timestamp is the time
    axis (it must be uniform) and gives ``dt``; columns are numbered from 0 without a header. A .npy file holds (N,) or (N, m). A NetCDF file is a
    saved `dynstab.Trajectory` or any dataset with one-dimensional variables.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    column : str, optional
        Column or variable name, or its index as a string; required when the file holds
        several series.

    Returns
    -------
    LoadedSeries
        The samples, the sampling interval (or None) and the name.

    Raises
    ------
    ValueError
        For a missing file, an unknown suffix, an ambiguous or unknown column, or a time
        axis that is not uniformly sampled.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv", ".dat"):
        return _csv(path, column)
    if suffix == ".npy":
        return _npy(path, column)
    if suffix in (".nc", ".nc4", ".h5", ".netcdf"):
        return _netcdf(path, column)
    raise ValueError(f"{path.name}: unknown file type {suffix!r}; use .csv, .npy or .nc")
