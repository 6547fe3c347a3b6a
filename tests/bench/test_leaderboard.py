"""The leaderboard's statistics against values computed by hand (tests/bench/synthetic_results.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import synthetic_results as synth

from dynstab.bench.leaderboard import direction, leaderboard, per_system, quantile, system_ranks

INF = math.inf


@pytest.fixture(scope="module")
def board():
    return leaderboard(synth.frame(), n_boot=1000, seed=0)


def test_per_system_medians_count_failures_as_the_worst():
    ps = per_system(synth.frame())
    # median over the two trajectories; a failed task is VPT 0, sMAPE 200, D_stsp +inf
    assert ps.loc[("A", "s1")].tolist() == [3.0, 15.0, 1.0]
    assert ps.loc[("B", "s2")].tolist() == [1.0, 110.0, INF]  # (2 + 0) / 2, (20 + 200) / 2, median(0.5, inf)
    assert ps.loc[("C", "s1")].tolist() == [0.0, 200.0, INF]
    # an undefined D_stsp of an ok task (a diverged free run) is the worst too
    assert ps.loc[("A", "s3"), "d_stsp"] == INF
    assert ps.loc[("C", "s3"), "d_stsp"] == INF


def test_medians_and_iqr_over_systems(board):
    # A's per-system VPTs are [3, 1, 6]: median 3, Q1 = 2, Q3 = 4.5 (linear interpolation)
    assert board.loc["A", "vpt_median"] == 3.0
    assert board.loc["A", "vpt_iqr"] == pytest.approx(2.5)
    # B: [3, 1, 1] -> median 1, Q1 1, Q3 2; C: [0, 0.5, 6] -> median 0.5, IQR (0.5+6)/2 - 0.25
    assert board.loc["B", "vpt_median"] == 1.0
    assert board.loc["B", "vpt_iqr"] == pytest.approx(1.0)
    assert board.loc["C", "vpt_median"] == 0.5
    assert board.loc["C", "vpt_iqr"] == pytest.approx(3.25 - 0.25)
    # sMAPE@1: A [15, 30, 5] -> 15; B [10, 110, 40] -> 40; C [200, 50, 5] -> 50
    assert board["smape@1_median"].to_dict() == {"A": 15.0, "B": 40.0, "C": 50.0}
    # D_stsp: A [1, 1, inf] -> median 1, Q3 infinite; C [inf, 0.5, inf] -> inf with both quartiles inf: IQR 0
    assert board.loc["A", "d_stsp_median"] == 1.0
    assert board.loc["A", "d_stsp_iqr"] == INF
    assert board.loc["C", "d_stsp_median"] == INF
    assert board.loc["C", "d_stsp_iqr"] == 0.0


def test_ranks_with_ties(board):
    ranks = system_ranks(per_system(synth.frame()), "vpt")
    # s1: A 3, B 3, C 0 -> A and B share ranks 1 and 2; s3: A 6, C 6, B 1
    assert ranks.loc["s1"].to_dict() == {"A": 1.5, "B": 1.5, "C": 3.0}
    assert ranks.loc["s2"].to_dict() == {"A": 1.5, "B": 1.5, "C": 3.0}
    assert ranks.loc["s3"].to_dict() == {"A": 1.5, "B": 3.0, "C": 1.5}
    assert board["vpt_rank"].to_dict() == {"A": 1.5, "B": 2.0, "C": 2.5}
    # lower is better for sMAPE: s1 B 10 < A 15 < C 200; s2 A 30 < C 50 < B 110; s3 A = C = 5 < B 40
    assert board["smape@1_rank"].to_dict() == pytest.approx(
        {"A": (2 + 1 + 1.5) / 3, "B": (1 + 3 + 3) / 3, "C": (3 + 2 + 1.5) / 3}
    )
    assert list(board.index) == ["A", "B", "C"]  # sorted by the first metric's mean rank


def test_failed_tasks_are_counted_never_dropped(board):
    assert board[["n_systems", "n_ok", "n_failed"]].to_dict("index") == {
        "A": {"n_systems": 3, "n_ok": 6, "n_failed": 0},
        "B": {"n_systems": 3, "n_ok": 5, "n_failed": 1},
        "C": {"n_systems": 3, "n_ok": 4, "n_failed": 2},
    }
    assert board["train_seconds"].to_dict() == {"A": 0.25, "B": 1.0, "C": 2.0}


def test_bootstrap_ci(board):
    # medians of 3 systems resampled: A's [3, 1, 6] gives 1 or 6 with probability 7/27 each, so the
    # 2.5% and 97.5% quantiles of 1000 resampled medians are 1 and 6 (fails with probability < 1e-20)
    assert (board.loc["A", "vpt_ci_low"], board.loc["A", "vpt_ci_high"]) == (1.0, 6.0)
    assert (board.loc["B", "vpt_ci_low"], board.loc["B", "vpt_ci_high"]) == (1.0, 3.0)
    # reproducible with the seed; a model's interval does not depend on the other models
    again = leaderboard(synth.frame(), n_boot=1000, seed=0)
    assert again.equals(board)
    frame = synth.frame()
    alone = leaderboard(frame[frame.model == "A"], n_boot=1000, seed=0)
    ci = [c for c in board.columns if "_ci_" in c]
    assert alone.loc["A", ci].equals(board.loc["A", ci])


def test_bootstrap_ci_on_many_systems_is_seeded_and_covers_the_median():
    rng = np.random.default_rng(1)
    rows = [
        {"system": f"s{i}", "model": "M", "trajectory": 0, "status": "ok", "vpt": float(v)}
        for i, v in enumerate(rng.exponential(2.0, size=40))
    ]
    import pandas as pd

    frame = pd.DataFrame(rows)
    a = leaderboard(frame, metrics=["vpt"], seed=3)
    b = leaderboard(frame, metrics=["vpt"], seed=3)
    c = leaderboard(frame, metrics=["vpt"], seed=4)
    assert a.equals(b)
    assert not a.equals(c)
    lo, med, hi = a.loc["M", ["vpt_ci_low", "vpt_median", "vpt_ci_high"]]
    assert lo < med < hi
    # the median of 40 exponential(2) draws has standard error ~ 2 / (2 f(m) sqrt(n)) ~ 0.32
    assert 0.5 < hi - lo < 2.5


def test_quantile_matches_numpy_and_is_exact_with_infinities():
    x = np.random.default_rng(0).normal(size=(7, 11))
    for q in (0.0, 0.25, 0.5, 0.9, 1.0):
        np.testing.assert_allclose(quantile(x, q, axis=1), np.quantile(x, q, axis=1), rtol=0, atol=1e-15)
    assert quantile(np.array([1.0, INF, INF]), 0.5) == INF
    assert quantile(np.array([INF, INF]), 0.5) == INF  # NumPy's interpolation gives NaN here
    assert quantile(np.array([1.0, INF]), 0.5) == INF


def test_errors_name_the_problem():
    frame = synth.frame()
    with pytest.raises(ValueError, match="cannot be ranked"):
        leaderboard(frame, metrics=["lambda1_ref"])
    with pytest.raises(ValueError, match=r"no metric 'nrmse'.*d_stsp"):
        leaderboard(frame, metrics=["vpt", "nrmse"])
    other = frame.copy()
    other.loc[0, "dataset_hash"] = "fedcba9876543210"
    with pytest.raises(ValueError, match="several datasets"):
        leaderboard(other)
    with pytest.raises(ValueError, match="no results"):
        leaderboard(frame.iloc[:0])
    with pytest.raises(ValueError, match="no column status"):
        leaderboard(frame.drop(columns="status"))
    with pytest.raises(TypeError, match="frame_or_store"):
        leaderboard([1, 2])
    assert direction("long.vpt") == (True, 0.0)
    assert direction("smape@5") == (False, 200.0)


def test_a_task_stored_twice_counts_once_with_its_newest_result():
    frame = synth.frame()
    frame["written_at"] = "2026-01-01T00:00:00"
    rerun = frame[(frame.model == "A") & (frame.system == "s1") & (frame.trajectory == 0)].copy()
    rerun["dynstab_version"], rerun["written_at"], rerun["vpt"] = "0.0.newer", "2026-02-01T00:00:00", 8.0
    import pandas as pd

    both = pd.concat([rerun, frame], ignore_index=True)
    ps = per_system(both)
    assert ps.loc[("A", "s1"), "vpt"] == 6.0  # median of the newer 8 and the other trajectory's 4
    assert leaderboard(both, n_boot=0).loc["A", "n_ok"] == 6
