"""Calibration of the data report (issue 12): every verdict right or inconclusive, never wrong.

The series and the judging come from ``benchmarks/calibrate_verdicts.py`` (the script that writes
the calibration table of docs/calibration.md); the default run checks its four short series, the
slow run the whole suite and the coverage of the exponent intervals.
"""

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def calib():
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("calibrate_verdicts")
    finally:
        sys.path.remove(str(BENCH))


def test_short_series_are_never_wrong(calib):
    rows = calib.run_verdicts("final", quick=True, n_surrogates=19, log=lambda *_: None)
    assert [r["judge"] for r in rows if r["judge"] == "WRONG"] == [], [(r["label"], r["verdict"]) for r in rows]
    # the two non-stationary series are recognised (they need no dynamical measure)
    assert all(r["judge"] == "right" for r in rows if r["truth"] == "non-stationary")
    assert calib.judge("chaotic", "inconclusive") == "inconclusive" and calib.judge("regular", "chaotic") == "WRONG"


@pytest.mark.slow
def test_full_suite_is_never_wrong(calib):
    rows = calib.run_verdicts("final", log=lambda *_: None)
    assert len(rows) >= 20
    wrong = [(r["label"], r["got"], r["verdict"]) for r in rows if r["judge"] == "WRONG"]
    assert wrong == []


@pytest.mark.slow
def test_exponent_intervals_cover_the_truth(calib):
    rows = calib.run_intervals("final", lengths=(2000, 10_000), log=lambda *_: None)
    valid = [r for r in rows if r["valid"]]
    assert len(valid) >= 20
    assert sum(r["covers"] for r in valid) >= 0.9 * len(valid)
