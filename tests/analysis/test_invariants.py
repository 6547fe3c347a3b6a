import json

import numpy as np
from typer.testing import CliRunner

from dynstab.analysis.invariants import AnnotationSettings, annotate, annotate_catalog, fill_correlation_dimensions
from dynstab.cli import app
from dynstab.systems import get

FAST = AnnotationSettings(n_ics=5, map_iterations=20_000, min_steps=20_000, max_steps=20_000)


def test_annotation_of_a_flow_has_every_field_and_is_right():
    entry = annotate(get("lorenz"), FAST)
    for key in (
        "period",
        "mean",
        "std",
        "lyapunov_spectrum",
        "lyapunov_spectrum_std",
        "divergence",
        "kaplan_yorke_dimension",
        "lyapunov_time",
        "dt",
        "dt_error",
        "dynstab_version",
        "settings",
    ):
        assert key in entry, key
    assert abs(entry["lyapunov_spectrum"][0] - 0.9056) < 0.03
    assert abs(entry["divergence"] + 13.6667) < 1e-3
    assert 0.7 < entry["period"] < 0.8  # Lorenz's dominant oscillation around C+- (dysts: 0.75)
    assert abs(entry["mean"][2] - 23.5) < 1.0 and entry["dt_error"] < 1e-4


def test_annotation_is_resumable_and_records_failures(tmp_path):
    path = tmp_path / "meta.json"
    seen = []
    annotate_catalog(["henon", "logistic"], path, FAST, on_progress=lambda n, e: seen.append((n, e["seconds"])))
    first = json.loads(path.read_text())
    assert set(first["systems"]) == {"henon", "logistic"} and first["settings"]["n_ics"] == 5
    seen.clear()
    again = annotate_catalog(["henon", "logistic"], path, FAST, on_progress=lambda n, e: seen.append((n, e["seconds"])))
    assert again["systems"] == first["systems"]  # up to date: nothing recomputed
    np.testing.assert_allclose(first["systems"]["logistic"]["lyapunov_spectrum"], [np.log(2)], rtol=5e-3)


def test_cli_annotate_and_info(tmp_path):
    runner = CliRunner()
    out = tmp_path / "m.json"
    res = runner.invoke(app, ["catalog", "annotate", "henon", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "henon" in json.loads(out.read_text())["systems"]
    res = runner.invoke(app, ["info", "henon"])
    assert res.exit_code == 0 and "reference" in res.stdout


TINY = AnnotationSettings(n_ics=2, map_iterations=2000, min_steps=2000, max_steps=2000)
ANNOTATE = """
import sys
from dynstab.analysis.invariants import AnnotationSettings, annotate_catalog
annotate_catalog(sys.argv[2:], sys.argv[1], AnnotationSettings(n_ics=2, map_iterations=2000, min_steps=2000, max_steps=2000))
"""


def test_two_annotate_processes_on_one_file_keep_all_entries(tmp_path):
    """Issue 14's probe: two runs writing disjoint systems into one file kept 4 of 8 entries."""
    import subprocess
    import sys

    path = tmp_path / "meta.json"
    groups = (["henon", "arnold_cat"], ["baker_map", "bedhead"])
    procs = [
        subprocess.Popen([sys.executable, "-c", ANNOTATE, str(path), *g], stderr=subprocess.PIPE, text=True)
        for g in groups
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    data = json.loads(path.read_text())
    assert sorted(data["systems"]) == sorted(groups[0] + groups[1])
    assert all("error" not in e for e in data["systems"].values())


def test_annotate_merges_into_entries_written_meanwhile(tmp_path):
    """An entry another writer adds while a run is going is kept, and returned."""
    from dynstab.files import update_json

    path = tmp_path / "meta.json"

    def meanwhile(name, entry):
        if name == "henon":
            update_json(path, lambda cur: {**cur, "systems": {**cur["systems"], "other": {"max_lyapunov": 1.0}}})

    data = annotate_catalog(["henon", "logistic"], path, TINY, on_progress=meanwhile)
    assert sorted(data["systems"]) == ["henon", "logistic", "other"]
    assert json.loads(path.read_text()) == data


def test_annotate_checks_before_work(tmp_path):
    import pytest

    from dynstab.files import DamagedFileError

    path = tmp_path / "meta.json"
    with pytest.raises(ValueError, match="n_ics"):
        annotate_catalog(["henon"], path, AnnotationSettings(n_ics=0))
    with pytest.raises(KeyError, match="did you mean 'henon'"):
        annotate_catalog(["henon", "henonn"], path, TINY)
    assert not path.exists()  # nothing was computed nor written
    path.write_text('{"systems": {"henon": {"max_lyap')
    with pytest.raises(DamagedFileError, match="delete it to start over"):
        annotate_catalog(["henon"], path, TINY)
    assert path.read_text() == '{"systems": {"henon": {"max_lyap'


def test_fill_correlation_dimensions_merges_under_the_lock(tmp_path):
    path = tmp_path / "meta.json"
    annotate_catalog(["henon"], path, TINY)
    data = json.loads(path.read_text())
    del data["systems"]["henon"]["correlation_dimension"]
    data["systems"]["other"] = {"error": "x"}
    path.write_text(json.dumps(data))
    seen = []
    out = fill_correlation_dimensions(["henon"], path, TINY, on_progress=lambda n, e: seen.append((n, e)))
    assert 1.0 < out["systems"]["henon"]["correlation_dimension"] < 1.4  # Henon: about 1.2
    assert "other" in out["systems"] and json.loads(path.read_text()) == out
    assert (
        seen[0][0] == "henon"
        and seen[0][1]["correlation_dimension"] == out["systems"]["henon"]["correlation_dimension"]
    )
