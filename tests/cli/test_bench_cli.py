"""``dynstab bench``: names checked before any work, the progress display, status, leaderboard, report, presets.

The read-only commands run on a store filled with the hand-written records of
tests/bench/synthetic_results.py (three models, three systems, three failed tasks); the run
itself on a one-system TOML preset with the baselines (slow: it starts a Dask cluster and builds a
dataset).
"""

from __future__ import annotations

import io
import json
import math
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from dynstab.cli import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import synthetic_results as synth

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["bench", *args])


def error_line(res) -> str:
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1, res.output
    assert lines[0].startswith("error: "), res.output
    return lines[0]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dynstab.bench.store import ResultStore

    path = tmp_path_factory.mktemp("bench_cli") / "synthetic.results.sqlite"
    with ResultStore(path) as store:
        for record in synth.records():
            store.write(record)
    return path


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building a dataset or running tasks fails the test: the names must be refused before."""
    import dynstab.bench.datasets as datasets
    import dynstab.bench.runner as runner_module

    def forbidden(*args, **kwargs):
        raise AssertionError("work started before the names were checked")

    monkeypatch.setattr(datasets, "build_dataset", forbidden)
    monkeypatch.setattr(runner_module, "run_benchmark", forbidden)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--preset", "quik"], ["'quik'", "quick"]),
        (["--systems", "lorenz,rosler"], ["'rosler'", "rossler"]),
        (["--models", "ngrc,esm,mean"], ["'esm'", "esn"]),
        (["--systems", "lorenz63x", "--models", "sindi"], ["lorenz63x", "'sindi'", "sindy"]),
        (["--systems", "henon"], ["henon", "map"]),
        (
            ["--preset", "lyapunov30", "--systems", "lorenz", "--workers", "2", "--scheduler", "tcp://x:1"],
            ["--workers"],
        ),
        (["--models", " , "], ["--models names nothing"]),
        (["--metrics", "vpt,lambda1"], ["lambda1", "cannot be ranked"]),
        (["--fast", "--models", "shplrnn,neural_ode"], ["--fast leaves no model", "shplrnn, neural_ode"]),
    ],
)
def test_run_refuses_bad_names_before_any_work(no_work, tmp_path, args, expected):
    res = run("run", "--root", str(tmp_path), *args)
    assert res.exit_code == 2, res.output
    line = error_line(res)
    for text in expected:
        assert text in line, (text, line)
    assert not any(tmp_path.iterdir())  # no dataset, no store


def test_system_outside_the_preset_is_refused(no_work, tmp_path):
    res = run("run", "--root", str(tmp_path), "--systems", "lorenz,chua")
    assert res.exit_code == 2
    assert "chua not in preset 'quick'" in error_line(res)


def test_status(store_path):
    res = run("status", "--store", str(store_path))
    assert res.exit_code == 0, res.output
    assert "preset: synthetic; 15 ok, 3 failed" in res.output
    assert "failed: B on s2 #1: B diverged on s2: non-finite forecast at step 12" in res.output
    res = run("status", "--store", str(store_path), "--json")
    out = json.loads(res.stdout)
    assert out["models"] == {
        "A": {"ok": 6, "failed": 0, "systems": 3},
        "B": {"ok": 5, "failed": 1, "systems": 3},
        "C": {"ok": 4, "failed": 2, "systems": 3},
    }


def test_leaderboard_matches_the_library(store_path):
    from dynstab.bench.leaderboard import leaderboard

    res = run("leaderboard", "--store", str(store_path), "--json", "--n-boot", "200")
    assert res.exit_code == 0, res.output
    rows = {r["model"]: r for r in json.loads(res.stdout)}
    board = leaderboard(synth.frame(), n_boot=200)
    assert list(rows) == list(board.index) == ["A", "B", "C"]
    for model, r in rows.items():
        for col, value in board.loc[model].items():
            if math.isinf(value):
                assert r[col] is None or r[col] == value  # JSON has no infinity
            else:
                assert r[col] == pytest.approx(value), (model, col)
    text = run("leaderboard", "--store", str(store_path), "--n-boot", "200")
    assert text.exit_code == 0, text.output
    assert "synthetic: leaderboard (3 systems, 18 tasks)" in text.output
    assert "3 [2.5]" in text.output and "1 [inf]" in text.output  # A: VPT and D_stsp median [IQR]
    assert "[interquartile range]" in " ".join(text.output.split())
    md = run("leaderboard", "--store", str(store_path), "--markdown", "--n-boot", "200").output.splitlines()
    assert md[0].startswith("| model | ok/failed | vpt: median [IQR] (95% CI), rank |")
    assert md[2] == "| A | 6/0 | 3 [2.5] (1-6), 1.50 | 15 [12] (5-30), 1.50 | 1 [inf] (1-inf), 2.17 | 0.25 |"
    wide = runner.invoke(app, ["bench", "leaderboard", "--store", str(store_path)], env={"COLUMNS": "200"})
    assert "1-6" in wide.output and "0.5-inf" in wide.output  # A's VPT CI, B's D_stsp CI


def test_report_writes_a_self_contained_page(store_path, tmp_path):
    res = run(
        "report", "--store", str(store_path), "--html", str(tmp_path / "site"), "--systems", "s2", "--n-boot", "100"
    )
    assert res.exit_code == 0, res.output
    page = (tmp_path / "site" / "benchmark_synthetic.html").read_text(encoding="utf-8")
    assert f"wrote {tmp_path / 'site' / 'benchmark_synthetic.html'}" in res.output.replace("\n", "")
    assert page.count("<img ") == 3 and "https://" not in page


def test_report_refuses_a_file_for_html_before_any_work(store_path, tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("x")
    res = run("report", "--store", str(store_path), "--html", str(blocker))
    assert res.exit_code == 2 and "--html" in error_line(res)


def test_missing_store_and_missing_preset_results(tmp_path):
    res = run("leaderboard", "--store", str(tmp_path / "none.sqlite"))
    assert res.exit_code == 2 and "no such results store" in error_line(res)
    res = run("status", "--preset", "quick", "--root", str(tmp_path))
    assert res.exit_code == 2
    assert "no results of preset 'quick'" in error_line(res)
    assert not any(tmp_path.iterdir())  # reading creates nothing


def test_presets_lists_the_built_in_ones():
    res = run("presets", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert list(out) == ["dysts2023", "lyapunov30", "quick"]
    assert out["dysts2023"]["systems"] == 135 and out["lyapunov30"]["trajectories"] == 20
    assert out["lyapunov30"]["sampling"] == "30 points per Lyapunov time"
    assert out["quick"]["systems"] == 10 and out["quick"]["training"] == 0.2 and out["dysts2023"]["training"] == 1.0


def test_progress_display_shows_done_failed_running_and_eta(monkeypatch):
    from dynstab.bench.runner import RunProgress
    from dynstab.cli import bench

    buffer = io.StringIO()
    monkeypatch.setattr(bench, "err_console", Console(file=buffer, force_terminal=True, width=160))
    with bench._run_display(quiet=False) as show:
        show(RunProgress(done=3, failed=1, running=2, total=10, skipped=0, elapsed=8.0))
    text = buffer.getvalue()
    assert "3 done, 1 failed, 2 running of 10" in text
    assert "ETA 12 s" in text  # 8 s for 4 tasks, 6 left
    with bench._run_display(quiet=True) as show:
        assert show is None
    # a log file: a plain line at the start, then at most one a minute, and at the end
    buffer = io.StringIO()
    monkeypatch.setattr(bench, "err_console", Console(file=buffer, force_terminal=False, width=160))
    with bench._run_display(quiet=False) as show:
        for finished, elapsed in ((0, 0.0), (1, 30.0), (2, 61.0), (3, 90.0), (4, 100.0)):
            show(RunProgress(done=finished, failed=0, running=0, total=4, skipped=0, elapsed=elapsed))
    assert buffer.getvalue().splitlines() == [
        "benchmark: 0 done, 0 failed, 0 running of 4; 0 s, ETA -",
        "benchmark: 2 done, 0 failed, 0 running of 4; 61 s, ETA 61 s",
        "benchmark: 4 done, 0 failed, 0 running of 4; 100 s, ETA 0 s",
    ]


@pytest.mark.slow
def test_run_a_small_preset_end_to_end(tmp_path):
    preset = tmp_path / "tiny.toml"
    preset.write_text(
        'base = "quick"\nname = "tiny"\nsystems = ["lorenz", "rossler"]\nn_trajectories = 1\n'
        "train_units = 6.0\ncontext_units = 3.0\nhorizons = {short = 60}\n"
    )
    root = tmp_path / "data"
    args = ["run", "--preset", str(preset), "--root", str(root), "--models", "mean,last_value", "--workers", "1"]
    res = run(*args)
    assert res.exit_code == 0, res.output
    assert "4 tasks ok, 0 failed, 0 already stored" in res.output
    assert "tiny: leaderboard (2 systems, 4 tasks)" in res.output
    again = run(*args)  # resumes: nothing to do
    assert again.exit_code == 0, again.output
    assert "0 tasks ok, 0 failed, 4 already stored" in again.output
    status = run("status", "--preset", str(preset), "--root", str(root), "--json")
    assert json.loads(status.stdout)["ok"] == 4
