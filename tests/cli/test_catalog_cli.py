"""``dynstab catalog annotate``: errors before any work, one line and exit code 2, never a traceback (issue 14)."""

import json

import pytest
from typer.testing import CliRunner

from dynstab.cli import app

runner = CliRunner()


def annotate(*args):
    res = runner.invoke(app, ["catalog", "annotate", *args])
    assert "Traceback" not in res.output
    return res


def one_line(res):
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1, res.output
    return lines[0]


def test_unknown_system_name_is_one_line_with_close_matches(tmp_path):
    out = tmp_path / "m.json"
    res = annotate("henon", "lorenzz", "--out", str(out))
    assert res.exit_code == 2 and not isinstance(res.exception, KeyError)
    line = one_line(res)
    assert "unknown system 'lorenzz'" in line and "did you mean 'lorenz'" in line
    assert not out.exists()  # checked before any work


@pytest.mark.parametrize("n", ["0", "-3"])
def test_n_ics_below_one_fails_before_any_work(tmp_path, n):
    out = tmp_path / "m.json"
    res = annotate("henon", "--n-ics", n, "--out", str(out))
    assert res.exit_code == 2
    assert "--n-ics must be at least 1" in one_line(res)
    assert not out.exists()


def test_a_truncated_results_file_is_named_and_left_untouched(tmp_path):
    out = tmp_path / "m.json"
    out.write_text('{"systems": {"henon": {"max_lyap')
    res = annotate("henon", "--out", str(out))
    assert res.exit_code == 2
    line = one_line(res)
    assert "m.json is damaged" in line and "delete it to start over" in line
    assert out.read_text() == '{"systems": {"henon": {"max_lyap'


@pytest.mark.parametrize("where", ["missing-folder", "folder"])
def test_a_bad_destination_fails_before_any_work(tmp_path, where):
    out = tmp_path / "nope" / "m.json" if where == "missing-folder" else tmp_path
    res = annotate("henon", "--out", str(out))
    assert res.exit_code == 2 and "--out" in one_line(res)


def test_dimensions_only_needs_an_existing_file(tmp_path):
    res = annotate("henon", "--dimensions-only", "--out", str(tmp_path / "m.json"))
    assert res.exit_code == 2 and "does not exist" in one_line(res)


def test_annotate_writes_the_file(tmp_path):
    out = tmp_path / "m.json"
    res = annotate("logistic", "--n-ics", "2", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert "logistic" in json.loads(out.read_text())["systems"]
