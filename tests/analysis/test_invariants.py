import json

import numpy as np
from typer.testing import CliRunner

from dynstab.analysis.invariants import AnnotationSettings, annotate, annotate_catalog
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
