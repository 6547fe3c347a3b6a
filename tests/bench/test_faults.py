"""The runner's faults: failures stored with their reason, a dying worker retried, ``kill -9`` then resume,
an external ``dask scheduler`` with two ``dask worker`` processes giving the same store."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from runner_standins import StandInTask, standin_key, standin_task, standin_tasks

from dynstab.bench.runner import run_tasks
from dynstab.bench.store import KEY_FIELDS, VOLATILE_COLUMNS, ResultStore

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes; a task may kill its worker once and be retried, not twice."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
        scheduler_kwargs={"allowed_failures": 1},
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def run(tasks, store, **kw):
    return run_tasks(tasks, store, task_fn=standin_task, key_fn=standin_key, **kw)


def comparable(path) -> pd.DataFrame:
    with ResultStore(path, create=False) as store:
        return store.frame().drop(columns=list(VOLATILE_COLUMNS))


def test_failures_are_stored_with_their_reason_and_a_dead_worker_is_retried(client, tmp_path):
    tasks = [
        StandInTask("lorenz", "esn", 0, seed=1, behaviour="raise"),
        StandInTask("lorenz", "esn", 1, seed=2, behaviour="nan"),
        StandInTask("lorenz", "esn", 2, seed=3, behaviour="die_once", marker=str(tmp_path / "died")),
        StandInTask("lorenz", "mean", 0, seed=4),
        StandInTask("lorenz", "mean", 1, seed=5, sleep=0.5),
    ]
    summary = run(tasks, tmp_path / "r.sqlite", scheduler=client)
    assert (tmp_path / "died").exists()  # the worker did die once
    assert (summary.done, summary.failed, summary.total) == (3, 2, 5)
    with ResultStore(tmp_path / "r.sqlite") as store:
        frame = store.frame().set_index(["model", "trajectory"])
        assert frame.loc[("esn", 0), "status"] == "failed"
        assert frame.loc[("esn", 0), "reason"] == "RuntimeError: fit diverged on lorenz second line of the message"
        assert frame.loc[("esn", 1), "status"] == "failed"
        assert frame.loc[("esn", 1), "reason"] == "non-finite forecast: 45 of 75 values NaN or infinite, from step 10"
        assert frame.loc[("esn", 1), "vpt"] == standin_task(tasks[1])["metrics"]["vpt"]  # its numbers are kept
        retried = frame.loc[("esn", 2)]
        assert retried["status"] == "ok" and retried["vpt"] == standin_task(tasks[2])["metrics"]["vpt"]
        assert (frame.loc[[("mean", 0), ("mean", 1)], "status"] == "ok").all()


@pytest.mark.slow
def test_a_task_that_keeps_killing_its_worker_is_a_failed_record(client, tmp_path):
    tasks = [StandInTask("lorenz", "esn", 0, seed=1, behaviour="die_always"), *standin_tasks(1, n_trajectories=1)]
    summary = run(tasks, tmp_path / "r.sqlite", scheduler=client)
    assert (summary.done, summary.failed) == (2, 1)
    with ResultStore(tmp_path / "r.sqlite") as store:
        frame = store.frame().set_index("model")
        assert frame.loc["esn", "status"] == "failed"
        assert frame.loc["esn", "reason"].startswith("the worker running it died each time it was tried")


def stop(process: subprocess.Popen, signum: int = signal.SIGTERM) -> None:
    """Stop a process this test started and the process group it leads (its workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}


# --- the real benchmark: the quick preset with the baseline models -----------------------------------

QUICK = {"models": ["last_value", "mean"], "systems": ["lorenz", "rossler"]}  # 8 tasks of about 2 s


@pytest.fixture(scope="session")
def quick_root(tmp_path_factory):
    """The quick preset's dataset, built once for the session (test_runner uses the same folder)."""
    from dynstab.bench.datasets import build_dataset

    root = tmp_path_factory.getbasetemp() / "bench-quick"
    root.mkdir(exist_ok=True)
    build_dataset("quick", root=root)
    return root


@pytest.fixture(scope="module")
def quick_reference(client, quick_root, tmp_path_factory):
    """The store of one uninterrupted run of QUICK."""
    from dynstab.bench.runner import run_benchmark

    path = tmp_path_factory.mktemp("quick-reference") / "r.sqlite"
    summary = run_benchmark("quick", store=path, scheduler=client, root=quick_root, **QUICK)
    assert summary.done == summary.total == 8
    return comparable(path)


RUNNER = """
import sys
from dynstab.bench.runner import run_benchmark
run_benchmark("quick", models={models!r}, systems={systems!r}, store=sys.argv[1], root=sys.argv[2], workers=1)
"""


def rows(path: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM bench_results").fetchone()[0])
    except sqlite3.Error:  # not created yet
        return 0


@pytest.mark.slow
def test_kill_9_then_resume_loses_nothing_and_matches_an_uninterrupted_run(
    client, quick_root, quick_reference, tmp_path
):
    from dynstab.bench.runner import run_benchmark

    path = tmp_path / "r.sqlite"
    runner = subprocess.Popen(
        [sys.executable, "-c", RUNNER.format(**QUICK), str(path), str(quick_root)],
        env=environment(),
        start_new_session=True,  # its worker processes are in its group, for the clean-up
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300
        while rows(path) < 2:
            assert runner.poll() is None, runner.stderr.read().decode()[-2000:] if runner.stderr else ""
            assert time.monotonic() < deadline, "the runner stored nothing in 300 s"
            time.sleep(0.05)
        os.kill(runner.pid, signal.SIGKILL)  # the runner process only, midway
        runner.wait()
    finally:
        stop(runner, signal.SIGKILL)  # then its orphaned workers
    with ResultStore(path, create=False) as store:
        before = store.frame()
    assert 2 <= len(before) < 8, "kill -9 came too late to test a resume"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    summary = run_benchmark("quick", store=path, scheduler=client, root=quick_root, **QUICK)
    assert summary.skipped == len(before) and summary.done + summary.failed == 8 - len(before)
    with ResultStore(path) as store:
        after = store.frame()
        assert len(after) == len(store.keys()) == 8  # no duplicate row
    # Every row finished before the kill is still there, unchanged (its written_at too: not recomputed).
    key = list(KEY_FIELDS)
    pd.testing.assert_frame_equal(after.set_index(key).loc[before.set_index(key).index], before.set_index(key))
    pd.testing.assert_frame_equal(comparable(path), quick_reference)


@pytest.mark.slow
def test_an_external_scheduler_and_two_workers_give_the_same_store(quick_root, quick_reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    from dynstab.bench.runner import run_benchmark

    dask = Path(sys.executable).with_name("dask")
    if not dask.exists():
        pytest.skip("no dask command next to the Python executable")
    file = tmp_path / "scheduler.json"
    started: list[subprocess.Popen] = []

    def start(*args: str) -> None:
        started.append(
            subprocess.Popen(
                [str(dask), *args],
                env=environment(),
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    try:
        start(
            "scheduler",
            "--scheduler-file",
            str(file),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--dashboard-address",
            ":0",
        )
        deadline = time.monotonic() + 60
        while not file.exists():
            assert started[0].poll() is None and time.monotonic() < deadline, "dask scheduler did not start"
            time.sleep(0.1)
        for _ in range(2):
            start("worker", "--scheduler-file", str(file), "--nworkers", "1", "--nthreads", "1", "--no-dashboard")
        with distributed.Client(scheduler_file=str(file), timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
            address = client.scheduler.address
        summary = run_benchmark("quick", store=tmp_path / "r.sqlite", scheduler=address, root=quick_root, **QUICK)
        assert summary.done + summary.failed == 8
    finally:
        for process in reversed(started):  # workers first, then the scheduler
            stop(process)
    pd.testing.assert_frame_equal(comparable(tmp_path / "r.sqlite"), quick_reference)
