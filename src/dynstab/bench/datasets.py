"""Frozen benchmark datasets: generated once from the catalog by dynstab's simulator, content-hashed.

`build_dataset` draws each system's initial conditions on its attractor
(`dynstab.analysis.sampling.sample_initial_conditions`, seeded per system by `Preset.system_seed`),
integrates them as one compiled ensemble (`dynstab.simulate.trajectory`, fixed-step RK4 at the
catalog's step, chunked for long runs so Ctrl-C works) and samples them every ``unit /
points_per_unit`` time units, where the unit is the catalog's dominant period or Lyapunov time.
Each trajectory is checked: one that leaves the finite numbers is "diverged", one whose bounded
coordinates have a mean or spread far from the catalog's (`ATTRACTOR_SCALE`) has
"left the attractor", one whose coordinates all vary less than `COLLAPSE_FRACTION` of the catalog
standard deviation "collapsed"; a system that cannot be sampled (no metadata, no positive lambda_1
for Lyapunov sampling, an error while drawing its initial conditions) is reported for all its
trajectories. Nothing is dropped silently: the reasons are stored in the file (`Dataset.problems`).

The whole dataset is one NetCDF file (CF-1.8, written atomically by `dynstab.files.atomic_output`):
per system a variable ``x_NAME`` (trajectory, step, variable) in float64, the training window
(with its observation noise, if any) followed by the clean truth of the longest horizon, and per
system its sampling step, period, Lyapunov time and catalog lambda_1. Its content hash, the first
16 hex digits of sha256 over the preset's canonical spec and every stored array (`content_hash`), is
in the file name (``NAME-HASH.nc``) and its attributes, and is part of every benchmark result's key.
A later `build_dataset` of the same preset finds the file by its spec and reuses it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._precision import float64
from .presets import Preset, check_names

__all__ = [
    "ATTRACTOR_SCALE",
    "COLLAPSE_FRACTION",
    "FORMAT_VERSION",
    "ROOT_ENV",
    "Dataset",
    "TaskData",
    "build_dataset",
    "preset_for_systems",
    "content_hash",
    "default_root",
    "load_dataset",
]

FORMAT_VERSION = 1
"""Version of the file layout (a file of another version is not reused)."""

ROOT_ENV = "DYNSTAB_BENCH_DIR"
"""Environment variable naming the folder of the datasets (default: the user cache, `default_root`)."""

ATTRACTOR_SCALE = 5.0
"""A trajectory whose mean lies more than this many catalog standard deviations from the catalog mean, or
whose standard deviation is more than this many times the catalog's, in some bounded coordinate, has left
the attractor. Statistics of the whole trajectory, not single samples: spiky coordinates (Rossler-type z
bursts reach 26 catalog standard deviations on the attractor) pass. Over the 675 trajectories of
``dysts2023`` the usable ones reach at most 4.6 (mean; ``arnold_web``, Hamiltonian, no attractor) and 3.6
(standard deviation); the two systems caught, ``double_pendulum`` (8 to 56) and ``sprott_delay`` (22 to 39),
have coordinates that grow without bound (angles, a walk between wells) but are not marked unbounded in the
catalog."""

COLLAPSE_FRACTION = 1e-3
"""A trajectory whose every bounded coordinate has a standard deviation under this fraction of the
catalog's has collapsed onto a fixed point (or a much smaller attractor than the catalog's)."""

OK = "ok"


def default_root() -> Path:
    """The folder of the benchmark datasets: ``$DYNSTAB_BENCH_DIR``, else ``<user cache>/dynstab/bench``."""
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("dynstab")) / "bench"


@dataclass(frozen=True)
class TaskData:
    """One trajectory's splits, as a model sees them (`Dataset.task_data`).

    ``train`` followed by ``validation`` is the training window (``n_train`` steps; the
    hyperparameter search fits on ``train`` and scores forecasts of ``validation``); every test
    starts right after the window: ``tests[label] = (context, truth)`` with the context the last
    ``n_context`` steps of the window and the truth the next ``steps`` samples (no noise).

    Attributes
    ----------
    system : str
        Canonical catalog name.
    trajectory : int
        Index of the initial condition.
    train : numpy.ndarray, shape (n_train - n_validation, d)
    validation : numpy.ndarray, shape (n_validation, d)
    tests : dict of str to (numpy.ndarray, numpy.ndarray)
        Label -> (context (n_context, d), truth (steps, d)), in the preset's order (first: headline).
    dt : float
        The sampling interval (time units).
    lyapunov_time : float
        1 / lambda_1 of the catalog (time units; ``inf`` when lambda_1 <= 0).
    lambda1_ref : float
        The catalog's largest Lyapunov exponent (per time unit).
    period : float
        The catalog's dominant period (time units).
    names : tuple of str
        The variables' names.
    """

    system: str
    trajectory: int
    train: np.ndarray
    validation: np.ndarray
    tests: dict[str, tuple[np.ndarray, np.ndarray]]
    dt: float
    lyapunov_time: float
    lambda1_ref: float
    period: float
    names: tuple[str, ...] = ()

    @property
    def full_train(self) -> np.ndarray:
        """The whole training window: ``train`` followed by ``validation`` (for the final fit)."""
        return np.concatenate([self.train, self.validation])


@dataclass(frozen=True)
class Dataset:
    """A built benchmark dataset: its file, content hash, preset and the state of every trajectory.

    Attributes
    ----------
    path : pathlib.Path
        The NetCDF file.
    hash : str
        Its content hash (16 hex digits, `content_hash`).
    preset : Preset
        The preset it was built from.
    systems : tuple of str
        The systems with at least one usable trajectory (canonical names, in the preset's order).
    status : dict of str to tuple of str
        Per system of the preset, per trajectory: ``"ok"`` or the reason it is unusable.
    """

    path: Path
    hash: str
    preset: Preset
    systems: tuple[str, ...]
    status: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def trajectories(self, system: str) -> tuple[int, ...]:
        """The usable trajectories of ``system`` (indices).

        Parameters
        ----------
        system : str
            A system of the dataset (canonical name or alias).

        Returns
        -------
        tuple of int
        """
        return tuple(i for i, s in enumerate(self.status[self._name(system)]) if s == OK)

    @property
    def problems(self) -> list[tuple[str, int, str]]:
        """``(system, trajectory, reason)`` of every unusable trajectory (diverged, off the attractor, ...)."""
        return [(n, i, s) for n, row in self.status.items() for i, s in enumerate(row) if s != OK]

    def _name(self, system: str) -> str:
        if system in self.status:
            return system
        from ..systems.registry import normalize

        by_key = {normalize(n): n for n in self.status}
        hit = by_key.get(normalize(system))
        if hit is None:
            from ..systems.registry import resolve

            try:
                hit = resolve(system)
            except KeyError as exc:
                raise ValueError(f"{exc.args[0]}; this dataset has no such system") from None
            if hit not in self.status:
                raise ValueError(f"{system!r} is not in the dataset of preset {self.preset.name!r}")
        return hit

    def task_data(self, system: str, trajectory: int) -> TaskData:
        """The splits of one trajectory (read from the file; nothing else is loaded).

        Parameters
        ----------
        system : str
            A system of the dataset.
        trajectory : int
            The trajectory's index, in ``range(preset.n_trajectories)``.

        Returns
        -------
        TaskData

        Raises
        ------
        ValueError
            For a system not in the dataset, a trajectory index out of range, or an unusable
            trajectory (the message gives the reason stored at build time).
        """
        from ..validation import as_int

        name = self._name(system)
        trajectory = as_int(trajectory, name="trajectory", minimum=0, maximum=self.preset.n_trajectories - 1)
        reason = self.status[name][trajectory]
        if reason != OK:
            raise ValueError(f"{name} trajectory {trajectory} is unusable: {reason}")
        p = self.preset
        with _read(self.path) as f:
            x = np.asarray(f[f"x_{name}"][trajectory], dtype=np.float64)
            row = [_text(v) for v in f["system"][:]].index(name)
            info = {k: float(f[k][row]) for k in SCALARS}
            names = tuple(_text(v) for v in f[f"variable_{name}"][:])
        split = p.n_train - p.n_validation
        tests = {label: (x[p.n_train - p.n_context : p.n_train].copy(), x[p.n_train : p.n_train + steps].copy())
                 for label, steps in p.horizons.items()}  # fmt: skip
        return TaskData(
            system=name,
            trajectory=trajectory,
            train=x[:split].copy(),
            validation=x[split : p.n_train].copy(),
            tests=tests,
            names=names,
            **info,
        )


SCALARS = ("dt", "period", "lyapunov_time", "lambda1_ref")
"""The per-system numbers of a dataset file, in the order `content_hash` reads them."""


def _read(path: Path):
    """The dataset file opened for reading with h5py: one array read without parsing the others' metadata
    (xarray's open_dataset of the 105 MB dysts2023 file takes seconds; one trajectory with h5py, 25 ms)."""
    import h5py

    return h5py.File(path, "r")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def content_hash(spec_json: str, systems: list[tuple[str, tuple[str, ...], np.ndarray, np.ndarray | None]]) -> str:
    """The dataset's content hash: sha256 of the spec and every array, hex, first 16 digits.

    The digest is updated with the preset's canonical spec (`Preset.spec_json`), then per system in
    order its name, its trajectories' statuses, its (dt, period, Lyapunov time, lambda_1) as
    little-endian float64 and its states (trajectory, step, variable) as little-endian float64.

    Parameters
    ----------
    spec_json : str
        The preset's canonical spec.
    systems : list of (str, tuple of str, numpy.ndarray, numpy.ndarray or None)
        Per system: name, statuses, the 4 scalars, the states (None for a system without data).

    Returns
    -------
    str
        16 lowercase hex digits.
    """
    h = hashlib.sha256(spec_json.encode())
    for name, status, scalars, x in systems:
        h.update(b"\0" + name.encode() + b"\0" + "\0".join(status).encode())
        h.update(np.ascontiguousarray(scalars, dtype="<f8").tobytes())
        if x is not None:
            h.update(np.ascontiguousarray(x, dtype="<f8").data)  # the buffer itself, no copy
    return h.hexdigest()[:16]


def _trajectory_status(x: np.ndarray, mean: np.ndarray, std: np.ndarray, bounded: np.ndarray) -> str:
    """ "ok", or why one trajectory (n, d) is unusable (see the module docstring)."""
    if not np.all(np.isfinite(x)):
        row = int(np.argmax(~np.all(np.isfinite(x), axis=1)))
        return f"diverged (left the finite numbers at sample {row})"
    if not bounded.any():
        return OK
    scale = np.where(std > 0, std, 1.0)[bounded]
    shift = np.abs(x[:, bounded].mean(axis=0) - mean[bounded]) / scale
    spread = x[:, bounded].std(axis=0) / scale
    if shift.max() > ATTRACTOR_SCALE or spread.max() > ATTRACTOR_SCALE:
        j = int(np.argmax(np.maximum(shift, spread)))
        return (
            f"left the attractor (variable {int(np.flatnonzero(bounded)[j])}: mean {shift[j]:.3g} catalog standard "
            f"deviations from the catalog mean, standard deviation {spread[j]:.3g} times the catalog's)"
        )
    if np.all(spread < COLLAPSE_FRACTION):
        return (
            f"collapsed (every coordinate varies less than {COLLAPSE_FRACTION:g} of the catalog's standard deviation)"
        )
    return OK


@float64
def _generate(name: str, preset: Preset) -> tuple[tuple[str, ...], np.ndarray, np.ndarray | None, tuple[str, ...]]:
    """One system's trajectories: (statuses, [dt, period, Lyapunov time, lambda_1], states or None, names)."""
    from ..analysis.sampling import sample_initial_conditions
    from ..simulate import trajectory
    from ..systems.metadata import metadata
    from ..systems.registry import get

    system = get(name)
    n = preset.n_trajectories
    names = tuple(getattr(system, "observed_names", system.names))
    meta = metadata(system)
    nan4 = np.full(4, np.nan)
    if meta is None or not meta.get("period"):
        return (f"no catalog metadata (run `dynstab catalog annotate {name}`)",) * n, nan4, None, names
    period = float(meta["period"])
    lam = float(meta["max_lyapunov"])
    lyap_time = float(meta.get("lyapunov_time") or math.inf)
    if preset.sampling == "lyapunov" and not (lam > 0 and math.isfinite(lyap_time)):
        reason = f"no Lyapunov time to sample by: the catalog's lambda_1 is {lam:.3g} (not positive)"
        return (reason,) * n, np.array([np.nan, period, lyap_time, lam]), None, names
    unit = period if preset.sampling == "period" else lyap_time
    dt = unit / preset.points_per_unit
    scalars = np.array([dt, period, lyap_time, lam])
    try:
        x0 = sample_initial_conditions(system, n, seed=preset.system_seed(name, "ic"))
        run = trajectory(
            system,
            t=(preset.n_steps - 1) * dt,
            dt=dt,
            x0=np.atleast_2d(x0),
            transient=preset.transient_units * unit,
            on_blowup="nan",
        )
    except (FloatingPointError, RuntimeError, ValueError) as exc:  # diverged while drawing, or too long a run
        reason = f"could not be simulated: {str(exc).splitlines()[0]}"
        return (reason,) * n, scalars, None, names
    x = np.asarray(run.x, dtype=np.float64).reshape(n, -1, system.dim)
    if x.shape[1] < preset.n_steps:  # the sampling of a delay equation rounds to whole steps
        raise RuntimeError(f"{name}: {x.shape[1]} samples instead of {preset.n_steps}")
    x = np.array(x[:, : preset.n_steps])  # a writable copy: the noise is added in place
    mean = np.asarray(meta.get("mean", np.zeros(system.dim)), dtype=float)
    std = np.asarray(meta.get("std", np.ones(system.dim)), dtype=float)
    bounded = np.ones(system.dim, dtype=bool)
    bounded[list(system.unbounded)] = False
    status = tuple(_trajectory_status(xi, mean, std, bounded) for xi in x)
    if preset.noise > 0:
        rng = np.random.default_rng(preset.system_seed(name, "noise"))
        observed = x[:, : preset.n_train]  # a view: the noise goes into x, the truths stay clean
        sd = np.nanstd(observed, axis=1, keepdims=True)
        observed += preset.noise * sd * rng.standard_normal(observed.shape)
    return status, scalars, x, names


def _candidates(root: Path, preset: Preset) -> Iterator[Path]:
    yield from sorted(root.glob(f"{preset.name}-*.nc"))


def _built(root: Path, preset: Preset) -> Path | None:
    """The file in ``root`` already holding ``preset``'s dataset (same spec and format), if any."""
    spec = preset.spec_json()
    for path in _candidates(root, preset):
        version, file_spec = _file_spec(path)
        if version == FORMAT_VERSION and file_spec == spec:
            return path
    return None


def preset_for_systems(preset: Preset | str | Path, systems: Any, root: str | Path | None = None) -> Preset:
    """The preset whose dataset a run on ``systems`` (a subset of ``preset``'s) uses.

    The full preset when ``systems`` is None or its dataset is already in ``root``; otherwise the preset
    restricted to those systems (in the preset's order), so that ``--systems lorenz,rossler`` on
    ``lyapunov30`` generates two systems, not 135. The restricted dataset is a dataset of its own (its
    hash differs, so its results are stored apart from the full preset's); the trajectories are the same,
    since every system's seeds depend on the preset's seed and the system alone (`Preset.seed_for`).

    Parameters
    ----------
    preset : Preset, str or pathlib.Path
        The preset (`get_preset`).
    systems : sequence of str or None
        Canonical names of some of its systems.
    root : str or pathlib.Path, optional
        The folder of the datasets; default `default_root`.

    Returns
    -------
    Preset
    """
    from .presets import get_preset

    preset = get_preset(preset)
    if systems is None:
        return preset
    wanted = set(systems)
    subset = tuple(s for s in preset.systems if s in wanted)
    root = default_root() if root is None else Path(root).expanduser()
    if subset == preset.systems or (root.is_dir() and _built(root, preset) is not None):
        return preset
    return preset.with_systems(subset)


def _file_spec(path: Path) -> tuple[int | None, str | None]:
    try:
        with _read(path) as f:
            return int(np.asarray(f.attrs.get("format_version", -1)).ravel()[0]), _text(f.attrs.get("spec"))
    except (OSError, ValueError, KeyError):
        return None, None


@float64
def build_dataset(
    preset: Preset | str | Path,
    root: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Dataset:
    """Build (or reuse) the frozen dataset of ``preset``.

    The names are checked first (`check_names`) and the memory the states need against
    `dynstab.limits.check_allocation`; then each system is generated (see the module docstring)
    and the file is written once, atomically, as ``root / f"{preset.name}-{hash}.nc"``. A file in
    ``root`` with the same preset spec and format is reused (its hash verified) instead.

    Parameters
    ----------
    preset : Preset, str or pathlib.Path
        A preset, a built-in preset's name or a TOML file (`get_preset`).
    root : str or pathlib.Path, optional
        The folder of the datasets (created if missing); default `default_root`.
    progress : callable, optional
        ``progress(done, total)`` in systems, called before the first system and after each.

    Returns
    -------
    Dataset

    Raises
    ------
    ValueError
        For an unknown system (with close matches), before any work.
    dynstab.limits.AllocationError
        If the states would exceed the memory limit.
    dynstab.files.DamagedFileError
        If a file with this preset's spec exists but its content no longer matches its hash.
    """
    from ..files import atomic_output
    from ..limits import check_allocation
    from ..systems.registry import get
    from .presets import get_preset

    preset = get_preset(preset)
    canonical, _ = check_names(preset.systems, None)
    root = default_root() if root is None else Path(root).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    spec = preset.spec_json()
    built = _built(root, preset)
    if built is not None:  # with the caller's preset: the file holds the data's spec, not `training`
        return dataclasses.replace(load_dataset(built, verify=True), preset=preset)
    dims = [get(n).dim for n in canonical]
    nbytes = 8.0 * preset.n_trajectories * preset.n_steps * sum(dims)
    check_allocation(
        nbytes,
        f"the dataset of preset {preset.name!r} ({len(canonical)} systems x {preset.n_trajectories} trajectories x "
        f"{preset.n_steps} steps)",
        "use fewer systems, trajectories or shorter horizons",
    )
    results = []
    if progress is not None:
        progress(0, len(canonical))
    for i, name in enumerate(canonical):
        results.append((name, *_generate(name, preset)))
        if progress is not None:
            progress(i + 1, len(canonical))
    digest = content_hash(spec, [(name, status, scalars, x) for name, status, scalars, x, _ in results])
    ds = _to_xarray(preset, results, digest)
    path = root / f"{preset.name}-{digest}.nc"
    with atomic_output(path) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")
    return _dataset_from(path, digest, preset, {name: status for name, status, *_ in results})


def _to_xarray(preset: Preset, results: list, digest: str):
    import xarray as xr

    from .. import __version__

    names = [r[0] for r in results]
    data: dict[str, Any] = {
        "status": (("system", "trajectory"), np.array([list(r[1]) for r in results], dtype=object),
                   {"long_name": "state of the trajectory: ok, or why it is unusable"}),
    }  # fmt: skip
    described = {
        "dt": ("sampling interval", "time units of the system"),
        "period": ("dominant period (catalog)", "time units of the system"),
        "lyapunov_time": ("Lyapunov time 1 / lambda_1 (catalog)", "time units of the system"),
        "lambda1_ref": ("largest Lyapunov exponent (catalog)", "1 / time unit of the system"),
    }
    assert tuple(described) == SCALARS
    for j, (key, (long_name, units)) in enumerate(described.items()):
        data[key] = (
            "system",
            np.array([r[2][j] for r in results], dtype=np.float64),
            {"long_name": long_name, "units": units},
        )
    coords: dict[str, Any] = {
        "system": ("system", names, {"long_name": "catalog system"}),
        "trajectory": ("trajectory", np.arange(preset.n_trajectories), {"long_name": "initial condition"}),
        "step": ("step", np.arange(preset.n_steps), {"long_name": "sample index (time = step * dt)", "units": "1"}),
    }
    for name, _status, scalars, x, var_names in results:
        if x is None:
            continue
        coords[f"variable_{name}"] = (f"variable_{name}", list(var_names), {"long_name": f"variables of {name}"})
        data[f"x_{name}"] = (
            ("trajectory", "step", f"variable_{name}"),
            x,
            {
                "long_name": f"state of {name}: training window, then the truth of the longest horizon",
                "units": "1",
                "sampling_interval": float(scalars[0]),
            },
        )
    attrs = {
        "Conventions": "CF-1.8",
        "title": f"dynstab forecasting benchmark dataset {preset.name!r}",
        "source": f"dynstab {__version__}: catalog systems, dynstab.simulate.trajectory (rk4 at the catalog step)",
        "dynstab_version": __version__,
        "format_version": FORMAT_VERSION,
        "preset": preset.name,
        "spec": preset.spec_json(),
        "hash": digest,
        "n_train": preset.n_train,
        "n_validation": preset.n_validation,
        "n_context": preset.n_context,
        "horizons": json.dumps(preset.horizons),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _dataset_from(path: Path, digest: str, preset: Preset, status: dict[str, tuple[str, ...]]) -> Dataset:
    systems = tuple(n for n, row in status.items() if OK in row)
    return Dataset(path=Path(path), hash=digest, preset=preset, systems=systems, status=status)


def load_dataset(path: str | Path, *, verify: bool = False) -> Dataset:
    """Open a dataset file written by `build_dataset` (its attributes and statuses; the states stay on disk).

    Parameters
    ----------
    path : str or pathlib.Path
        The NetCDF file.
    verify : bool, default False
        Recompute the content hash from the stored arrays and compare it with the file's.

    Returns
    -------
    Dataset

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    dynstab.files.DamagedFileError
        If it is not a benchmark dataset, or (``verify``) its content does not match its hash.
    """
    from ..files import DamagedFileError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no benchmark dataset at {path}")
    try:
        with _read(path) as f:
            spec_json = _text(f.attrs["spec"])
            spec = json.loads(spec_json)
            digest = _text(f.attrs["hash"])
            names = [_text(v) for v in f["system"][:]]
            status = {n: tuple(_text(v) for v in row) for n, row in zip(names, f["status"][:], strict=True)}
            if verify:
                scalars = np.stack([np.asarray(f[k][:], dtype=np.float64) for k in SCALARS], axis=1)
                rows = [
                    (n, status[n], scalars[i], f[f"x_{n}"][:] if f"x_{n}" in f else None) for i, n in enumerate(names)
                ]
                actual = content_hash(spec_json, rows)
                if actual != digest:
                    raise DamagedFileError(
                        f"{path}: its content hashes to {actual}, not to the {digest} it was written with; "
                        "delete the file and build the dataset again"
                    )
    except DamagedFileError:
        raise
    except (KeyError, OSError, ValueError, TypeError) as exc:
        raise DamagedFileError(
            f"{path} is not a dynstab benchmark dataset ({exc}); delete it or point to another file"
        ) from exc
    return _dataset_from(path, digest, Preset(**spec), status)
