"""The benchmark runner on Dask: every task stored once, resumed, the same store with 1 or 2 workers."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from runner_standins import StandInTask, standin_key, standin_task, standin_tasks

from dynstab.bench.runner import RunInterrupted, RunProgress, RunSummary, run_tasks
from dynstab.bench.store import KEY_FIELDS, VOLATILE_COLUMNS, ResultStore


@pytest.fixture(scope="module")
def client():
    """One LocalCluster of two single-threaded worker processes for the module (a start costs seconds)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def run(tasks, store, **kw):
    return run_tasks(tasks, store, task_fn=standin_task, key_fn=standin_key, **kw)


def comparable(store: ResultStore) -> pd.DataFrame:
    return store.frame().drop(columns=list(VOLATILE_COLUMNS))


def test_every_task_is_stored_once_and_a_rerun_resumes(client, tmp_path):
    tasks = standin_tasks()
    seen: list[RunProgress] = []
    summary = run(tasks, tmp_path / "r.sqlite", scheduler=client, progress=seen.append)
    assert isinstance(summary, RunSummary)
    assert (summary.done, summary.failed, summary.skipped, summary.total) == (12, 0, 0, 12)
    assert not summary.interrupted and summary.remaining == 0
    assert seen[0].finished == 0 and seen[-1].finished == 12 and seen[-1].total == 12
    assert [p.finished for p in seen] == sorted(p.finished for p in seen)
    assert all(0 <= p.running <= 2 for p in seen)
    with ResultStore(tmp_path / "r.sqlite") as store:
        assert store.keys() == {standin_key(t) for t in tasks}
        frame = store.frame()
        for task in tasks:  # the stored numbers are the task's, exactly
            row = frame[(frame["system"] == task.system) & (frame["model"] == task.model)]
            row = row[row["trajectory"] == task.trajectory].iloc[0]
            expected = standin_task(task)["metrics"]
            assert row["vpt"] == expected["vpt"] and row["smape@1"] == expected["smape@1"]
            assert row["seed"] == task.seed and row["status"] == "ok"
        before = store.frame()

    again = run(tasks, tmp_path / "r.sqlite", scheduler=client)
    assert (again.done, again.failed, again.skipped) == (0, 0, 12)
    more = [*tasks, StandInTask("system9", "mean", 0, seed=9)]
    extra = run(more, tmp_path / "r.sqlite", scheduler=client)
    assert (extra.done, extra.skipped, extra.total) == (1, 12, 13)
    with ResultStore(tmp_path / "r.sqlite") as store:
        assert len(store) == 13
        pd.testing.assert_frame_equal(store.frame().iloc[:12], before)  # old rows untouched

    fresh = run(tasks, tmp_path / "r.sqlite", scheduler=client, resume=False)
    assert (fresh.done, fresh.skipped) == (12, 0)
    with ResultStore(tmp_path / "r.sqlite") as store:
        assert len(store) == 13
        pd.testing.assert_frame_equal(comparable(store).iloc[:12], before.drop(columns=list(VOLATILE_COLUMNS)))


@pytest.mark.slow
def test_one_worker_and_two_workers_give_the_same_store(client, tmp_path):
    tasks = standin_tasks()
    run(tasks, tmp_path / "two.sqlite", scheduler=client)
    one = run(tasks, tmp_path / "one.sqlite", workers=1)  # an embedded LocalCluster of one worker
    assert one.done == 12
    with ResultStore(tmp_path / "one.sqlite") as a, ResultStore(tmp_path / "two.sqlite") as b:
        pd.testing.assert_frame_equal(comparable(a), comparable(b))
        for system, model in {(t.system, t.model) for t in tasks}:
            for x, y in zip(a.forecasts(system, model), b.forecasts(system, model), strict=True):
                assert (x["forecast"] == y["forecast"]).all() and (x["truth"] == y["truth"]).all()


def test_arguments_are_checked_before_any_work(tmp_path):
    tasks = standin_tasks(1)
    store = tmp_path / "r.sqlite"
    with pytest.raises(ValueError, match="workers must be an integer >= 1"):
        run(tasks, store, workers=0)
    with pytest.raises(ValueError, match="workers sizes the embedded cluster"):
        run(tasks, store, workers=2, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(TypeError, match="scheduler must be an address"):
        run(tasks, store, scheduler=8786)
    with pytest.raises(ValueError, match="same key"):
        run([tasks[0], tasks[0]], store)
    with pytest.raises(TypeError, match="progress must be a callable"):
        run(tasks, store, progress="yes")
    with ResultStore(store) as s:
        assert len(s) == 0


def test_nothing_to_do_starts_no_cluster(tmp_path):
    tasks = standin_tasks(1)
    with ResultStore(tmp_path / "r.sqlite") as store:
        for t in tasks:
            store.write(standin_task(t))
        seen: list[RunProgress] = []
        summary = run(tasks, store, scheduler="tcp://127.0.0.1:1", progress=seen.append)  # never contacted
        assert (summary.done, summary.skipped, summary.total) == (0, 4, 4)
        assert seen == [RunProgress(0, 0, 0, 0, 4, 0.0)]
        assert sorted(store.keys()) == sorted(standin_key(t) for t in tasks)
        assert list(store.frame().columns[: len(KEY_FIELDS)]) == list(KEY_FIELDS)


def test_ctrl_c_keeps_what_arrived_and_the_next_run_resumes(client, tmp_path):
    tasks = standin_tasks(3, n_trajectories=2, sleep=0.2)

    def press_ctrl_c(state: RunProgress) -> None:
        if state.finished >= 3:
            raise KeyboardInterrupt

    with pytest.raises(RunInterrupted) as info:
        run(tasks, tmp_path / "r.sqlite", scheduler=client, progress=press_ctrl_c)
    summary = info.value.summary
    assert isinstance(info.value, KeyboardInterrupt) and summary.interrupted
    assert summary.done >= 3 and summary.remaining == 12 - summary.done > 0
    assert "interrupted" in str(summary) and "run again to resume" in str(summary)
    with ResultStore(tmp_path / "r.sqlite") as store:
        assert len(store) == summary.done  # every result that arrived is stored
    assert client.status == "running"  # a caller's client is left open
    rest = run(tasks, tmp_path / "r.sqlite", scheduler=client)
    assert (rest.done, rest.skipped) == (summary.remaining, summary.done)


# --- the real benchmark: the quick preset with the baseline models ---------------------------------

QUICK = {"models": ["last_value", "mean"], "systems": ["lorenz", "rossler"]}  # 8 tasks of about 2 s


@pytest.fixture(scope="session")
def quick_root(tmp_path_factory):
    """The quick preset's dataset, built once for the session (test_faults uses the same folder)."""
    from dynstab.bench.datasets import build_dataset

    root = tmp_path_factory.getbasetemp() / "bench-quick"
    root.mkdir(exist_ok=True)
    build_dataset("quick", root=root)
    return root


def test_unknown_names_fail_before_any_work(tmp_path):
    from dynstab.bench.runner import run_benchmark

    with pytest.raises(ValueError, match=r"lastvalue.*last_value"):
        run_benchmark("quick", models=["lastvalue"], store=tmp_path / "r.sqlite", root=tmp_path)
    with pytest.raises(ValueError, match=r"lorenz64.*lorenz"):
        run_benchmark("quick", systems=["lorenz64"], store=tmp_path / "r.sqlite", root=tmp_path)
    with pytest.raises(ValueError, match="not in the preset 'quick'"):
        run_benchmark("quick", systems=["chua"], store=tmp_path / "r.sqlite", root=tmp_path)
    with pytest.raises(ValueError, match="workers sizes the embedded cluster"):
        run_benchmark("quick", workers=2, scheduler="tcp://127.0.0.1:1", root=tmp_path)
    assert list(tmp_path.iterdir()) == []  # no dataset, no store: nothing was done


@pytest.mark.slow
def test_quick_preset_one_worker_and_two_workers_give_the_same_store(client, quick_root, tmp_path):
    from dynstab.bench.datasets import build_dataset
    from dynstab.bench.runner import run_benchmark
    from dynstab.bench.store import default_store_path

    two = run_benchmark("quick", scheduler=client, root=quick_root, **QUICK)  # the default store
    path = default_store_path(build_dataset("quick", root=quick_root).path)
    assert two.store == str(path) and two.done + two.failed == two.total == 8
    one = run_benchmark("quick", workers=1, store=tmp_path / "one.sqlite", root=quick_root, **QUICK)
    assert one.done == two.done and one.failed == two.failed
    with ResultStore(path) as a, ResultStore(tmp_path / "one.sqlite") as b:
        frame = comparable(a)
        pd.testing.assert_frame_equal(frame, comparable(b))
        assert (frame["status"] == "ok").all() and frame["vpt"].notna().all()
        assert sorted(set(frame["system"])) == ["lorenz", "rossler"] and len(frame) == 8


def test_long_tasks_are_dispatched_first_and_the_rest_keep_their_order():
    from types import SimpleNamespace

    from dynstab.bench.runner import _dispatch_order

    tasks = [
        SimpleNamespace(name=n, time_budget_s=b)
        for n, b in [("a", 5), ("b", 120), ("c", 30), ("d", 300), ("e", 120), ("f", 10)]
    ]
    order = [t.name for t in sorted(tasks, key=_dispatch_order)]
    assert order == ["d", "b", "e", "a", "c", "f"]
    assert _dispatch_order(object()) == 0.0  # a task without a budget keeps its place
