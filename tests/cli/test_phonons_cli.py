"""``dynstab phonons`` through typer's CliRunner (issue 19)."""

import json

from typer.testing import CliRunner

from dynstab.cli import app

runner = CliRunner()


def test_builtin_structure_json_and_figure(tmp_path):
    res = runner.invoke(
        app, ["phonons", "cu-sc", "--no-relax", "--supercell", "2,2,2", "--json", "--figures", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["verdict"] == "unstable" and data["min_frequency_THz"] < -1.0
    assert data["settings"]["supercell"] == [2, 2, 2] and not data["settings"]["relaxed"]
    assert (tmp_path / data["figure"].split("/")[-1]).exists()


def test_cif_text_output(tmp_path):
    from ase.build import bulk
    from ase.io import write

    path = tmp_path / "cu.cif"
    write(path, bulk("Cu", "fcc", a=3.59))
    res = runner.invoke(app, ["phonons", str(path), "--supercell", "2,2,2", "--strict"])
    assert res.exit_code == 0, res.output
    assert "threshold -0.001 THz: stable" in res.output


def test_errors(tmp_path):
    bad = tmp_path / "bad.cif"
    bad.write_text("not a cif at all {\n")
    for args, text in [
        (["phonons", str(tmp_path / "nope.cif")], "no such structure file"),
        (["phonons", str(bad)], "cannot read the structure file"),
        (["phonons", "cu-fcc", "--strict", "--threshold", "-0.2"], "either --threshold or --strict"),
        (["phonons", "cu-fcc", "--calculator", "dft"], "unknown calculator"),
        (["phonons", "cu-fcc", "--supercell", "3,x,3"], "supercell"),
    ]:
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        assert "error:" in res.output and text in res.output, res.output


def test_help_names_the_builtins():
    res = runner.invoke(app, ["phonons", "--help"])
    assert res.exit_code == 0 and "cu-bcc" in res.output and "cu-sc" in res.output
