"""The benchmark's results store: one row per finished task, keyed so that a run resumes and never duplicates.

A `ResultStore` is an SQLite file by default (next to the dataset: ``<dataset>.results.sqlite``) or,
given a SQLAlchemy URL (``postgresql://user@host/db``), a table in a shared database. One row
holds one record of `dynstab.bench.task.run_task`: the task key, the status and its reason, the
chosen hyperparameters, every metric, the first horizon's forecast and truth, the timings and the
seed.

What makes it safe to stop a benchmark anywhere (Ctrl-C, ``kill -9``, a power loss) and run it again:

- **one transaction per result**: a row is in the store completely or not at all; SQLite runs in
  WAL mode with ``synchronous=FULL``, so a committed row survives the death of the process (and of
  the machine);
- **the task key is the table's unique key** (benchmark version, dataset hash, system, model, grid
  hash, trajectory, dynstab version): the insert is ``INSERT ... ON CONFLICT DO NOTHING``, so a
  result written twice (a resumed run, two runners on one store) is one row;
- **the schema is versioned**: a ``schema_version`` table names the layout; a store of another
  version (or a file that is no store at all) is refused with a message naming both versions and
  what to do, and is never written to.

Metrics are stored as JSON with NaN as ``null`` and infinities as the strings ``"inf"`` /
``"-inf"`` (JSON has no non-finite numbers), and arrays as ``.npy`` bytes, so every value reads back
exactly as it was written.
"""

from __future__ import annotations

import io
import json
import math
import os
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dynstab.files import DamagedFileError, atomic_output

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "KEY_FIELDS",
    "SCHEMA_VERSION",
    "VOLATILE_COLUMNS",
    "ResultStore",
    "StoreVersionError",
    "default_store_path",
]

SCHEMA_VERSION = 2  # 2: the task's notes (why a metric is NaN, the search scores, stage times)
"""The layout of the store's tables; a store written with another value is refused, never migrated in place."""

KEY_FIELDS = ("benchmark_version", "dataset_hash", "system", "model", "grid_hash", "trajectory", "dynstab_version")
"""The fields of a task key (`dynstab.bench.task.task_key`), in its order: the store's unique key."""

VOLATILE_COLUMNS = ("train_seconds", "inference_seconds", "written_at", "notes")
"""Columns of `ResultStore.frame` that differ between two runs of the same tasks (timings, clock);
drop them to compare two stores."""

_STORE_NAME = "dynstab-bench"
_RESULTS = "bench_results"
_COLUMNS = (
    *KEY_FIELDS,
    "preset",
    "status",
    "reason",
    "hyperparameters",
    "notes",
    "metrics",
    "train_seconds",
    "inference_seconds",
    "seed",
    "written_at",
)
_ARRAYS = ("forecast", "truth")
_STATUSES = ("ok", "failed")


class StoreVersionError(ValueError):
    """A results store written with another schema version (or something that is not a results store).

    The message names the store, both versions and what to do; the store is left as it was.
    """


def default_store_path(dataset_path: str | os.PathLike[str]) -> Path:
    """The default store of a dataset file: the same name with ``.results.sqlite`` for its suffix.

    Parameters
    ----------
    dataset_path : str or os.PathLike
        The dataset's NetCDF file (``quick-0123456789abcdef.nc``).

    Returns
    -------
    Path
        ``quick-0123456789abcdef.results.sqlite`` in the same folder.
    """
    return Path(dataset_path).with_suffix(".results.sqlite")


# --- values <-> columns ----------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """A JSON-ready copy of a hyperparameter or metric value (NumPy scalars and arrays, tuples, non-finite floats)."""
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, np.ndarray):
        return _json_value(value.tolist())
    if isinstance(value, np.generic):
        return _json_value(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(
        f"cannot store a value of type {type(value).__name__} ({value!r}); use numbers, text, lists or dicts"
    )


def _dumps(value: Mapping[str, Any]) -> str:
    return json.dumps(_json_value(value), sort_keys=True, allow_nan=False)


def _notes(notes: Any) -> str:
    """The task's notes as JSON; what JSON cannot hold is kept as its text, never a reason to lose the result."""
    try:
        return _dumps(notes or {})
    except (TypeError, ValueError):
        return json.dumps({"unstored notes": repr(notes)[:4000]})


def _metric(value: Any) -> float:
    """A stored metric back to a float: ``null`` is NaN, ``"inf"`` / ``"-inf"`` the infinities."""
    if value is None:
        return math.nan
    if value in ("inf", "-inf"):
        return math.inf if value == "inf" else -math.inf
    return float(value)


def _array_bytes(array: Any, name: str) -> bytes | None:
    if array is None:
        return None
    a = np.asarray(array)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"record[{name!r}] must be a numeric array or None, got dtype {a.dtype}")
    buffer = io.BytesIO()
    np.save(buffer, a, allow_pickle=False)
    return buffer.getvalue()


def _array(blob: Any) -> np.ndarray | None:
    if blob is None:
        return None
    return np.load(io.BytesIO(bytes(blob)), allow_pickle=False)


def _row(record: Mapping[str, Any]) -> dict[str, Any]:
    """The column values of one record, checked (`ResultStore.write` documents the record)."""
    if not isinstance(record, Mapping):
        raise TypeError(f"record must be a dict (a run_task record), got {type(record).__name__}")
    missing = [k for k in ("key", "status") if k not in record]
    if missing:
        raise ValueError(f"record has no {', '.join(map(repr, missing))}: it must be a run_task record")
    key = record["key"]
    if not isinstance(key, Mapping):
        raise TypeError(f"record['key'] must be a dict with the fields {', '.join(KEY_FIELDS)}")
    absent = [f for f in KEY_FIELDS if f not in key]
    if absent:
        raise ValueError(f"record['key'] lacks {', '.join(absent)} (a task key has {', '.join(KEY_FIELDS)})")
    status = record["status"]
    if status not in _STATUSES:
        raise ValueError(f"record['status'] must be 'ok' or 'failed', got {status!r}")
    reason = record.get("reason")
    if status == "failed" and not reason:
        raise ValueError("a failed record needs its reason (record['reason'] is empty)")
    if reason is not None and not isinstance(reason, str):
        raise TypeError(f"record['reason'] must be text or None, got {type(reason).__name__}")
    metrics = record.get("metrics") or {}
    if not isinstance(metrics, Mapping):
        raise TypeError(f"record['metrics'] must be a dict of name -> number, got {type(metrics).__name__}")
    try:
        values = {str(k): float(v) for k, v in metrics.items()}
    except (TypeError, ValueError) as error:
        raise TypeError(f"record['metrics'] must hold numbers: {error}") from None
    row: dict[str, Any] = {f: key[f] for f in KEY_FIELDS}
    row["trajectory"] = int(row["trajectory"])
    for f in KEY_FIELDS:
        if f != "trajectory":
            row[f] = str(row[f])
    seed = record.get("seed")
    row.update(
        preset=str(record.get("preset", "")),
        status=status,
        reason=reason,
        hyperparameters=_dumps(record.get("hyperparameters") or {}),
        notes=_notes(record.get("notes")),
        metrics=_dumps(values),
        train_seconds=float(record.get("train_seconds", math.nan)),
        inference_seconds=float(record.get("inference_seconds", math.nan)),
        seed=None if seed is None else int(seed),
        written_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
        forecast=_array_bytes(record.get("forecast"), "forecast"),
        truth=_array_bytes(record.get("truth"), "truth"),
    )
    for name in ("train_seconds", "inference_seconds"):
        if math.isnan(row[name]):
            row[name] = None  # NULL: PostgreSQL keeps NaN, SQLite would turn it into NULL anyway
    return row


# --- two back ends with the same SQL: sqlite3 (default) and SQLAlchemy (a URL) ----------------


class _Sqlite:
    """SQLite through the standard library: WAL, ``synchronous=FULL``, one ``BEGIN IMMEDIATE`` per write."""

    dialect = "sqlite"
    blob = "BLOB"
    errors: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)

    def __init__(self, path: Path, create: bool) -> None:
        if not path.parent.is_dir():
            raise ValueError(f"store: the folder {path.parent} does not exist; create it or choose another path")
        if not path.exists() and not create:
            raise FileNotFoundError(f"store: no results store at {path} (run the benchmark first, or check the path)")
        if path.is_dir():
            raise ValueError(f"store: {path} is a folder; give the store's file name (e.g. results.sqlite)")
        self.where = str(path)
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=60.0)
        self.conn.execute("PRAGMA busy_timeout = 60000")

    def tables(self) -> set[str]:
        try:
            rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        except sqlite3.DatabaseError as error:
            self.conn.close()
            raise DamagedFileError(
                f"{self.where} is not an SQLite results store ({error}); it was left untouched: "
                "move it away or give another store path"
            ) from None
        return {r[0] for r in rows}

    def prepare(self) -> None:
        # WAL: readers (``dynstab bench status``) never block the writer; FULL: a commit is on disk.
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, dict(params or {})).fetchall()

    def transaction(self, statements: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
        cursor = self.conn.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            count = 0
            for sql, params in statements:
                cursor.execute(sql, dict(params))
                count = cursor.rowcount
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        return count

    def close(self) -> None:
        self.conn.close()


def _engine_url(url: str) -> str:
    """``postgresql://`` with the PostgreSQL driver that is installed (psycopg2, else psycopg 3, else pg8000)."""
    import importlib.util

    scheme, sep, rest = url.partition("://")
    if scheme in ("postgresql", "postgres"):
        for module, driver in (("psycopg2", "psycopg2"), ("psycopg", "psycopg"), ("pg8000", "pg8000")):
            if importlib.util.find_spec(module) is not None:
                return f"postgresql+{driver}{sep}{rest}"
        raise ValueError(
            f"store: {url.split('@')[-1]!r} needs a PostgreSQL driver: pip install 'psycopg[binary]' (or psycopg2)"
        )
    return url


class _SqlAlchemy:
    """A database behind a SQLAlchemy URL (PostgreSQL is tested); same SQL as SQLite."""

    def __init__(self, url: str) -> None:
        try:
            import sqlalchemy
        except ImportError:
            raise ValueError(
                f"store: {url!r} is a database URL, which needs SQLAlchemy: pip install 'dynstab[sql]'"
            ) from None
        self.sqlalchemy = sqlalchemy
        self.where = url.split("@")[-1]  # no password in messages
        try:
            self.engine = sqlalchemy.create_engine(_engine_url(url), future=True)
        except (sqlalchemy.exc.ArgumentError, sqlalchemy.exc.NoSuchModuleError, ImportError) as error:
            raise ValueError(f"store: cannot use the database URL {self.where!r}: {error}") from None
        self.dialect = self.engine.dialect.name
        if self.dialect not in ("postgresql", "sqlite"):
            raise ValueError(f"store: {self.dialect} databases are not supported; use SQLite (a path) or postgresql://")
        self.blob = str(sqlalchemy.LargeBinary().compile(dialect=self.engine.dialect))
        self.errors: tuple[type[Exception], ...] = (sqlalchemy.exc.DBAPIError,)

    def tables(self) -> set[str]:
        try:
            return set(self.sqlalchemy.inspect(self.engine).get_table_names())
        except self.sqlalchemy.exc.OperationalError as error:
            raise ValueError(f"store: cannot connect to {self.where}: {str(error).splitlines()[0]}") from None

    def prepare(self) -> None:
        pass

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(self.sqlalchemy.text(sql), dict(params or {}))]

    def transaction(self, statements: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
        count = 0
        with self.engine.begin() as conn:
            for sql, params in statements:
                count = conn.execute(self.sqlalchemy.text(sql), dict(params)).rowcount
        return count

    def close(self) -> None:
        self.engine.dispose()


class ResultStore:
    """The results of a benchmark: one row per (system, model, trajectory) task, keyed by the task key.

    Parameters
    ----------
    path_or_url : str or os.PathLike
        An SQLite file (created with its tables if it does not exist; the default store of a
        dataset is `default_store_path`), or a SQLAlchemy URL with ``://`` in it:
        ``postgresql://user@host:port/db`` (needs ``pip install 'dynstab[sql]'`` and a PostgreSQL
        driver, psycopg or psycopg2) or ``sqlite:///path``.
    create : bool, default True
        Create a new store where there is none; with False a missing SQLite file raises
        `FileNotFoundError` (for commands that only read).

    Raises
    ------
    StoreVersionError
        The store was written with another schema version (the message names both), or the database
        has tables but is not a results store; nothing is written to it.
    dynstab.files.DamagedFileError
        The file exists but is not an SQLite database; it is left untouched.
    ValueError
        The folder does not exist, the URL is not usable or the database cannot be reached.

    Notes
    -----
    The table ``bench_results`` has one column per key field (the unique key), ``preset``,
    ``status`` (``"ok"`` / ``"failed"``), ``reason``, ``hyperparameters`` and ``metrics`` (JSON),
    ``forecast`` and ``truth`` (``.npy`` bytes), ``train_seconds``, ``inference_seconds``, ``seed`` and
    ``written_at`` (UTC). ``schema_version`` has one row ``(name, version)``.

    Examples
    --------
    >>> store = ResultStore("quick.results.sqlite")  # doctest: +SKIP
    >>> store.write(record)  # doctest: +SKIP
    True
    >>> store.frame()[["system", "model", "vpt"]]  # doctest: +SKIP
    """

    def __init__(self, path_or_url: str | os.PathLike[str], *, create: bool = True) -> None:
        if not isinstance(path_or_url, (str, os.PathLike)):
            raise TypeError(f"store must be a path or a database URL, got {type(path_or_url).__name__}")
        text = os.fspath(path_or_url)
        if not text:
            raise ValueError("store must be a path or a database URL, got an empty string")
        self.backend: _Sqlite | _SqlAlchemy
        if "://" in text and not text.startswith("sqlite:///"):
            self.backend = _SqlAlchemy(text)
            self.location = self.backend.where
        else:
            path = Path(text.removeprefix("sqlite:///")).expanduser()
            self.backend = _Sqlite(path, create)
            self.location = str(path)
        self.path: Path | None = None if isinstance(self.backend, _SqlAlchemy) else Path(self.location)
        try:
            self._open()
        except BaseException:
            self.backend.close()
            raise

    # --- opening: refuse anything but a store of this version -------------------------------

    def _version(self) -> int | None:
        try:
            rows = self.backend.query("SELECT version FROM schema_version WHERE name = :name", {"name": _STORE_NAME})
        except self.backend.errors:  # a table of that name with other columns
            return None
        return int(rows[0][0]) if rows else None

    def _refuse_other(self, tables: set[str]) -> None:
        version = self._version() if "schema_version" in tables else None
        if version is None:
            raise StoreVersionError(
                f"{self.location} is not a dynstab results store (it has the tables {', '.join(sorted(tables))}); "
                "it was left untouched: give another store path"
            )
        if version != SCHEMA_VERSION:
            newer = "a newer" if version > SCHEMA_VERSION else "an older"
            raise StoreVersionError(
                f"{self.location} is a results store of schema version {version}, written by {newer} dynstab; this "
                f"dynstab reads and writes schema version {SCHEMA_VERSION}. It was left untouched: give another "
                "store path (--store) for new results, or read it with the dynstab version that wrote it "
                "(its rows carry their dynstab_version) and export it (ResultStore.export)"
            )

    def _open(self) -> None:
        tables = self.backend.tables()
        if tables:
            self._refuse_other(tables)
            self.backend.prepare()
            return
        self.backend.prepare()
        blob = self.backend.blob
        key = ", ".join(KEY_FIELDS)
        create = [
            ("CREATE TABLE IF NOT EXISTS schema_version (name TEXT PRIMARY KEY, version INTEGER NOT NULL)", {}),
            (
                f"CREATE TABLE IF NOT EXISTS {_RESULTS} ("
                "benchmark_version TEXT NOT NULL, dataset_hash TEXT NOT NULL, system TEXT NOT NULL, "
                "model TEXT NOT NULL, grid_hash TEXT NOT NULL, trajectory BIGINT NOT NULL, "
                "dynstab_version TEXT NOT NULL, preset TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, "
                "hyperparameters TEXT NOT NULL, notes TEXT NOT NULL, metrics TEXT NOT NULL, "
                f"forecast {blob}, truth {blob}, train_seconds DOUBLE PRECISION, "
                "inference_seconds DOUBLE PRECISION, seed BIGINT, written_at TEXT NOT NULL, "
                f"PRIMARY KEY ({key}))",
                {},
            ),
            (
                "INSERT INTO schema_version (name, version) VALUES (:name, :version) ON CONFLICT (name) DO NOTHING",
                {"name": _STORE_NAME, "version": SCHEMA_VERSION},
            ),
        ]
        self.backend.transaction(create)
        # Two processes may have created it at once, or another version may have won the race.
        if self._version() != SCHEMA_VERSION:
            self._refuse_other(self.backend.tables())

    # --- writing ----------------------------------------------------------------------------

    def write(self, record: Mapping[str, Any], *, replace: bool = False) -> bool:
        """Store one task's record in one transaction.

        Parameters
        ----------
        record : dict
            A `dynstab.bench.task.run_task` record: ``key`` (a dict of `KEY_FIELDS`), ``preset``,
            ``status`` (``"ok"`` or ``"failed"``), ``reason`` (text, required when failed),
            ``hyperparameters`` (dict), ``metrics`` (dict of name -> float, NaN allowed),
            ``forecast`` and ``truth`` (arrays or None), ``train_seconds``,
            ``inference_seconds``, ``seed``.
        replace : bool, default False
            Replace a row with the same key (a run with ``resume=False``) instead of keeping it.

        Returns
        -------
        bool
            True if the row was written, False if the key was already stored (and ``replace`` is
            False): the store keeps the first result of a key, never a duplicate.
        """
        row = _row(record)
        names = (*_COLUMNS, *_ARRAYS)
        insert = (
            f"INSERT INTO {_RESULTS} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)}) "
            f"ON CONFLICT ({', '.join(KEY_FIELDS)}) DO NOTHING"
        )
        statements: list[tuple[str, Mapping[str, Any]]] = []
        if replace:
            match = " AND ".join(f"{f} = :{f}" for f in KEY_FIELDS)
            statements.append((f"DELETE FROM {_RESULTS} WHERE {match}", {f: row[f] for f in KEY_FIELDS}))
        statements.append((insert, row))
        return self.backend.transaction(statements) == 1

    # --- reading ----------------------------------------------------------------------------

    def keys(self) -> set[tuple[Any, ...]]:
        """The task keys stored (finished tasks, ok or failed), as tuples in the order of `KEY_FIELDS`."""
        rows = self.backend.query(f"SELECT {', '.join(KEY_FIELDS)} FROM {_RESULTS}")
        return {(*r[:5], int(r[5]), r[6]) for r in rows}

    def __len__(self) -> int:
        return int(self.backend.query(f"SELECT COUNT(*) FROM {_RESULTS}")[0][0])

    def counts(self) -> dict[str, int]:
        """Rows per status: ``{"ok": n, "failed": m}``."""
        rows = self.backend.query(f"SELECT status, COUNT(*) FROM {_RESULTS} GROUP BY status")
        found = {str(s): int(n) for s, n in rows}
        return {s: found.get(s, 0) for s in _STATUSES}

    def frame(self, expand_metrics: bool = True) -> pd.DataFrame:
        """All rows as a table (without the forecast arrays), sorted by key.

        Parameters
        ----------
        expand_metrics : bool, default True
            One float column per metric name (NaN where a row lacks it), sorted by name, after the
            other columns; with False, one ``metrics`` column of dicts.

        Returns
        -------
        pandas.DataFrame
            Columns: `KEY_FIELDS`, ``preset``, ``status``, ``reason``, ``hyperparameters`` and ``notes`` (dicts),
            ``train_seconds``, ``inference_seconds``, ``seed``, ``written_at``, then the metrics.
        """
        import pandas as pd

        rows = self.backend.query(f"SELECT {', '.join(_COLUMNS)} FROM {_RESULTS}")
        records = []
        for r in rows:
            d = dict(zip(_COLUMNS, r, strict=True))
            d["trajectory"] = int(d["trajectory"])
            d["hyperparameters"] = json.loads(d["hyperparameters"])
            d["notes"] = json.loads(d["notes"])
            d["metrics"] = {k: _metric(v) for k, v in json.loads(d["metrics"]).items()}
            for name in ("train_seconds", "inference_seconds"):
                d[name] = math.nan if d[name] is None else float(d[name])
            d["seed"] = pd.NA if d["seed"] is None else int(d["seed"])
            records.append(d)
        records.sort(key=lambda d: tuple(d[f] for f in KEY_FIELDS))
        base = [c for c in _COLUMNS if c != "metrics"]
        frame = pd.DataFrame(records, columns=list(_COLUMNS))
        if not expand_metrics:
            return frame[[*base, "metrics"]]
        names = sorted({name for d in records for name in d["metrics"]})
        metrics = pd.DataFrame(
            [[d["metrics"].get(n, math.nan) for n in names] for d in records], columns=names, dtype=float
        )
        return pd.concat([frame[base], metrics], axis=1)

    def forecasts(self, system: str, model: str) -> list[dict[str, Any]]:
        """The stored forecasts and truths of one system and model, one dict per row, sorted by key.

        Parameters
        ----------
        system, model : str
            Names as in the task key.

        Returns
        -------
        list of dict
            Each with the `KEY_FIELDS`, ``status``, ``reason``, ``forecast`` and ``truth`` (arrays as
            written, or None for a failed task).
        """
        names = (*KEY_FIELDS, "status", "reason", *_ARRAYS)
        rows = self.backend.query(
            f"SELECT {', '.join(names)} FROM {_RESULTS} WHERE system = :system AND model = :model",
            {"system": str(system), "model": str(model)},
        )
        out = []
        for r in rows:
            d = dict(zip(names, r, strict=True))
            d["trajectory"] = int(d["trajectory"])
            d["forecast"], d["truth"] = _array(d["forecast"]), _array(d["truth"])
            out.append(d)
        out.sort(key=lambda d: tuple(d[f] for f in KEY_FIELDS))
        return out

    def export(self, path: str | os.PathLike[str]) -> Path:
        """Write `frame` (metrics expanded, hyperparameters as JSON text) to a Parquet or CSV file, atomically.

        Parameters
        ----------
        path : str or os.PathLike
            Ends in ``.parquet`` (needs pyarrow) or ``.csv``; its folder must exist.

        Returns
        -------
        Path
            The file written.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".parquet", ".csv"):
            raise ValueError(f"path must end in .parquet or .csv, got {path.name!r}")
        if not path.parent.is_dir():
            raise ValueError(f"path: the folder {path.parent} does not exist")
        frame = self.frame()
        frame["hyperparameters"] = [_dumps(h) for h in frame["hyperparameters"]]
        frame["notes"] = [_notes(n) for n in frame["notes"]]
        with atomic_output(path) as tmp:
            if suffix == ".parquet":
                frame.to_parquet(tmp, index=False)
            else:
                frame.to_csv(tmp, index=False)
        return path

    # --- life cycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (the store stays usable by other processes)."""
        self.backend.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResultStore({self.location!r})"
