"""The benchmark's results store: exact round trips, no duplicates, schema versions refused, PostgreSQL."""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dynstab.bench.store import (
    KEY_FIELDS,
    SCHEMA_VERSION,
    VOLATILE_COLUMNS,
    ResultStore,
    StoreVersionError,
    default_store_path,
)
from dynstab.files import DamagedFileError


def record(system="lorenz", model="mean", trajectory=0, status="ok", **extra):
    """A record shaped like run_task's, with values that must round-trip exactly."""
    rng = np.random.default_rng(trajectory)
    forecast = rng.standard_normal((7, 3)).astype(np.float32)
    r = {
        "key": {
            "benchmark_version": "1",
            "dataset_hash": "0123456789abcdef",
            "system": system,
            "model": model,
            "grid_hash": "fedcba9876543210",
            "trajectory": trajectory,
            "dynstab_version": "0.1.0",
        },
        "preset": "quick",
        "status": status,
        "reason": None if status == "ok" else "non-finite forecast at step 12",
        "hyperparameters": {"alpha": np.float64(1e-3), "delays": (1, 2), "kind": "ridge"},
        "metrics": {"vpt": 1.25, "smape@1": 3.0 + trajectory, "d_stsp": math.nan, "short.mse": math.inf},
        "forecast": forecast if status == "ok" else None,
        "truth": (forecast * 2).astype(np.float32) if status == "ok" else None,
        "train_seconds": 0.5,
        "inference_seconds": 0.01,
        "seed": 1234 + trajectory,
    }
    r.update(extra)
    return r


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_is_exact(tmp_path):
    with ResultStore(tmp_path / "r.sqlite") as store:
        assert store.write(record(trajectory=0))
        assert store.write(record(trajectory=1, status="failed"))
        frame = store.frame()
        assert list(frame.columns[: len(KEY_FIELDS)]) == list(KEY_FIELDS)
        assert frame["trajectory"].tolist() == [0, 1]
        ok, failed = frame.iloc[0], frame.iloc[1]
        assert ok["vpt"] == 1.25 and ok["smape@1"] == 3.0 and failed["smape@1"] == 4.0
        assert math.isnan(ok["d_stsp"]) and ok["short.mse"] == math.inf
        assert ok["hyperparameters"] == {"alpha": 1e-3, "delays": [1, 2], "kind": "ridge"}
        assert (ok["status"], ok["reason"], ok["seed"]) == ("ok", None, 1234)
        assert (failed["status"], failed["reason"]) == ("failed", "non-finite forecast at step 12")
        assert store.counts() == {"ok": 1, "failed": 1} and len(store) == 2
        rows = store.forecasts("lorenz", "mean")
        assert [r["trajectory"] for r in rows] == [0, 1]
        expected = record(trajectory=0)
        assert rows[0]["forecast"].dtype == np.float32
        np.testing.assert_array_equal(rows[0]["forecast"], expected["forecast"])
        np.testing.assert_array_equal(rows[0]["truth"], expected["truth"])
        assert rows[1]["forecast"] is None and rows[1]["truth"] is None
        assert store.forecasts("lorenz", "esn") == []
        narrow = store.frame(expand_metrics=False)
        assert narrow["metrics"].iloc[0]["vpt"] == 1.25 and "vpt" not in narrow.columns


def test_a_key_is_stored_once_and_replaced_only_on_request(tmp_path):
    path = tmp_path / "r.sqlite"
    with ResultStore(path) as a, ResultStore(path) as b:  # two writers on one file
        assert a.write(record())
        assert not b.write(record(metrics={"vpt": 9.0}))  # same key: kept once, the first result wins
        assert len(a) == 1 and a.frame()["vpt"].tolist() == [1.25]
        expected = tuple(record()["key"][f] for f in KEY_FIELDS)
        assert a.keys() == {expected} and isinstance(next(iter(a.keys()))[5], int)
        assert b.write(record(metrics={"vpt": 9.0}), replace=True)
        assert len(b) == 1 and a.frame()["vpt"].tolist() == [9.0]


def test_store_is_wal_and_has_its_version(tmp_path):
    path = tmp_path / "r.sqlite"
    ResultStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    conn.close()


@pytest.mark.parametrize("version", [SCHEMA_VERSION + 1, SCHEMA_VERSION - 1])
def test_another_schema_version_is_refused_and_left_untouched(tmp_path, version):
    path = tmp_path / "r.sqlite"
    with ResultStore(path) as store:
        store.write(record())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = ?", (version,))
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(StoreVersionError, match=rf"schema version {version}.*schema version {SCHEMA_VERSION}"):
        ResultStore(path)
    assert digest(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM bench_results").fetchone()[0] == 1
    conn.close()


def test_other_files_are_refused_and_left_untouched(tmp_path):
    garbage = tmp_path / "notes.sqlite"
    garbage.write_bytes(b"these are not the results you are looking for" * 100)
    before = digest(garbage)
    with pytest.raises(DamagedFileError, match="not an SQLite results store"):
        ResultStore(garbage)
    assert digest(garbage) == before
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE results (x INTEGER)")
    conn.commit()
    conn.close()
    before = digest(other)
    with pytest.raises(StoreVersionError, match="not a dynstab results store"):
        ResultStore(other)
    assert digest(other) == before


def test_bad_arguments_and_records(tmp_path):
    with pytest.raises(ValueError, match=r"folder .* does not exist"):
        ResultStore(tmp_path / "missing" / "r.sqlite")
    with pytest.raises(FileNotFoundError, match="no results store"):
        ResultStore(tmp_path / "r.sqlite", create=False)
    assert not (tmp_path / "r.sqlite").exists()
    with pytest.raises(TypeError, match="store must be a path"):
        ResultStore(3)  # type: ignore[arg-type]
    with ResultStore(tmp_path / "r.sqlite") as store:
        with pytest.raises(ValueError, match="needs its reason"):
            store.write(record(status="failed", reason=None))
        with pytest.raises(ValueError, match="'ok' or 'failed'"):
            store.write(record(status="done"))
        bad_key = record()
        del bad_key["key"]["grid_hash"]
        with pytest.raises(ValueError, match="lacks grid_hash"):
            store.write(bad_key)
        with pytest.raises(TypeError, match="must hold numbers"):
            store.write(record(metrics={"vpt": "long"}))
        with pytest.raises(ValueError, match=r"\.parquet or \.csv"):
            store.export(tmp_path / "r.xlsx")
        assert len(store) == 0


def test_export_round_trips(tmp_path):
    with ResultStore(tmp_path / "r.sqlite") as store:
        store.write(record(trajectory=0))
        store.write(record(trajectory=1, status="failed"))
        expected = store.frame().drop(columns=["hyperparameters"])
        for name in ("r.csv", "r.parquet"):
            path = store.export(tmp_path / name)
            back = pd.read_csv(path) if name.endswith(".csv") else pd.read_parquet(path)
            assert back["hyperparameters"].iloc[0] == '{"alpha": 0.001, "delays": [1, 2], "kind": "ridge"}'
            for column in ("vpt", "smape@1", "d_stsp", "short.mse", "trajectory"):
                np.testing.assert_array_equal(back[column].to_numpy(float), expected[column].to_numpy(float))
            assert back["status"].tolist() == ["ok", "failed"]
    assert set(VOLATILE_COLUMNS) <= set(expected.columns)


def test_default_store_path():
    assert default_store_path("/data/quick-0123456789abcdef.nc") == Path("/data/quick-0123456789abcdef.results.sqlite")


# --- PostgreSQL: a throwaway server in a temporary folder -------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory):
    """A PostgreSQL server of its own (initdb in a temp folder, trust auth, localhost, a free port).

    Runs as ``nobody`` when the tests run as root (PostgreSQL refuses root); skips where the server,
    SQLAlchemy or a driver is missing, or the server does not start.
    """
    pytest.importorskip("sqlalchemy")
    if all(importlib_missing(m) for m in ("psycopg2", "psycopg", "pg8000")):
        pytest.skip("no PostgreSQL driver (pip install 'psycopg[binary]')")
    bindir = next((Path(p).parent for p in map(shutil.which, ("initdb", "postgres")) if p), None)
    if bindir is None or not (bindir / "initdb").exists() or not (bindir / "postgres").exists():
        pytest.skip("no PostgreSQL server (initdb and postgres) on this machine")
    folder = tmp_path_factory.mktemp("postgres")
    data = folder / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root and no runuser to start PostgreSQL as another user")
        os.chmod(folder, 0o777)
        for parent in folder.parents:  # nobody must reach the folder
            if parent == Path("/"):
                break
            with contextlib.suppress(OSError):
                os.chmod(parent, os.stat(parent).st_mode | 0o011)
        prefix = ["runuser", "-u", "nobody", "--"]
    init = subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if init.returncode != 0:
        pytest.skip(f"initdb failed: {init.stderr.strip().splitlines()[-1:]}")
    port = free_port()
    server = subprocess.Popen(
        [*prefix, str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(folder)]
        + ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 60
        while True:  # the first open that reaches the server creates the (empty) store
            try:
                ResultStore(url).close()
                break
            except ValueError as error:
                if "cannot connect" not in str(error):
                    raise
                if server.poll() is not None or time.monotonic() > deadline:
                    log = server.stderr.read().decode()[-300:] if server.stderr else ""
                    pytest.skip(f"PostgreSQL did not start: {log}")
                time.sleep(0.2)
        yield url
    finally:
        # Fast shutdown: SIGINT to the postmaster itself (runuser passes on only SIGTERM, a slow "smart" stop).
        pid_file = data / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
        if postmaster is None:
            server.terminate()
        else:
            with contextlib.suppress(OSError):
                os.kill(postmaster, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            if postmaster is not None:
                with contextlib.suppress(OSError):
                    os.kill(postmaster, signal.SIGKILL)
            server.kill()
            server.wait()


def importlib_missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


def test_postgresql_store(postgres_url, tmp_path):
    import sqlalchemy

    with ResultStore(postgres_url) as store:
        assert "@" not in store.location
        assert store.write(record(trajectory=0))
        assert store.write(record(trajectory=1, status="failed"))
        assert not store.write(record(trajectory=0))
        frame = store.frame()
        assert frame["trajectory"].tolist() == [0, 1] and frame["vpt"].tolist() == [1.25, 1.25]
        assert math.isnan(frame["d_stsp"].iloc[0]) and frame["short.mse"].iloc[0] == math.inf
        rows = store.forecasts("lorenz", "mean")
        np.testing.assert_array_equal(rows[0]["forecast"], record()["forecast"])
    # The same rows as an SQLite store of the same records (timings and clock aside).
    with ResultStore(tmp_path / "r.sqlite") as lite, ResultStore(postgres_url) as store:
        lite.write(record(trajectory=0))
        lite.write(record(trajectory=1, status="failed"))
        volatile = list(VOLATILE_COLUMNS)
        pd.testing.assert_frame_equal(store.frame().drop(columns=volatile), lite.frame().drop(columns=volatile))
        # Another schema version: refused, rows kept.
        store.backend.transaction([("UPDATE schema_version SET version = 7", {})])
    with pytest.raises(StoreVersionError, match=rf"schema version 7.*schema version {SCHEMA_VERSION}"):
        ResultStore(postgres_url)
    with sqlalchemy.create_engine(store.backend.engine.url).connect() as conn:
        assert conn.execute(sqlalchemy.text("SELECT COUNT(*) FROM bench_results")).scalar() == 2


def test_notes_are_kept_and_never_cost_the_result(tmp_path):
    store = ResultStore(tmp_path / "r.sqlite")
    notes = {"nan": {"d_stsp": "free run too short"}, "search": {"validation_smape": [1.5, math.nan]}}
    assert store.write(record(notes=notes))
    assert store.write(record(trajectory=1, notes={"odd": object()}))  # JSON cannot hold it: kept as text
    frame = store.frame()
    assert frame.loc[0, "notes"] == {
        "nan": {"d_stsp": "free run too short"},
        "search": {"validation_smape": [1.5, None]},
    }
    assert "unstored notes" in frame.loc[1, "notes"] and frame.loc[1, "status"] == "ok"
