"""One meaning per option, counts that agree with their nouns, readable warnings, safe file names,
``--version``, and ``catalog annotate`` writing to the user's file and saying what it skipped (issue 15)."""

import hashlib
import json
import logging
import warnings

import pytest
from typer.testing import CliRunner

import dynstab
from dynstab.cli import app
from dynstab.cli.common import safe_name
from dynstab.systems.metadata import DATA_FILE
from dynstab.text import count, plural

runner = CliRunner()


def run(*args):
    res = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in res.output
    return res


def test_version():
    res = run("--version")
    assert res.exit_code == 0 and res.output.strip() == f"dynstab {dynstab.__version__}"


def test_list_of_an_empty_kind_says_which_kinds_exist():
    res = run("list", "--kind", "sde")
    assert res.exit_code == 0
    text = " ".join(res.output.split())
    assert "0 systems" not in text and "no sde systems" in text
    n_flows = len(dynstab.systems.names("flow"))
    assert f"{n_flows} flows" in text and "maps" in text and "dynstab.sde" in text


@pytest.mark.parametrize(
    ("n", "noun", "text"),
    [
        (1, "attractor", "1 attractor"),
        (2, "attractor", "2 attractors"),
        (0, "attractor", "0 attractors"),
        (1, "equilibrium", "1 equilibrium"),
        (3, "equilibrium", "3 equilibria"),
        (1, "orbit", "1 orbit"),
        (2, "fixed point", "2 fixed points"),
        (2, "entry", "2 entries"),
        (2, "day", "2 days"),
        (2, "box", "2 boxes"),
    ],
)
def test_count_agrees_with_the_noun(n, noun, text):
    assert count(n, noun) == text
    assert plural(noun, 1) == noun


def test_render_uses_count_for_every_noun():
    import inspect

    from dynstab.cli import render

    source = inspect.getsource(render)
    for raw in ("} attractors", "} equilibria", "} orbits", "} systems", "} fixed points", "} values"):
        assert raw not in source, raw


@pytest.mark.parametrize(
    ("parts", "name"),
    [
        (("Rössler (c=9)", "period 3"), "Rossler_c_9_period_3.png"),
        (("lorenz", "λ_1 [per time]"), "lorenz_1_per_time.png"),
        (("../../etc", "passwd"), "etc_passwd.png"),
        (("", "  "), "figure.png"),
    ],
)
def test_safe_name_is_portable(parts, name):
    out = safe_name(*parts, suffix=".png")
    assert out == name
    assert out.isascii() and not set(out) & set(" []()/\\=,")


def test_bifurcation_sweeps_with_sweep_and_overrides_with_param(tmp_path):
    res = run("bifurcation", "logistic", "--sweep", "r", "--param", "a", "--range", 2.5, 4, "--no-figures")
    assert res.exit_code == 2
    assert "--sweep a" in res.output and "NAME=VALUE" in res.output
    # the former spelling still sweeps, with a one-line deprecation warning
    res = run("bifurcation", "logistic", "--param", "r", "--range", 2.5, 4, "--n", 5, "--no-figures", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["n_values"] == 5
    assert "warning: --param r to choose the swept parameter is deprecated: write --sweep r" in res.stderr
    res = run(
        "bifurcation", "henon", "--sweep", "a", "--range", 1.0, 1.2, "--n", 5, "--param", "b=0.2", "--json",
        "--no-figures",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["n_values"] == 5


def test_warnings_and_log_warnings_are_one_line_without_a_source_path(monkeypatch):
    from dynstab.cli import catalog

    def noisy(s, meta):
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        logging.getLogger("dynstab").warning("compilation cache disabled: %s", "read-only")
        logging.getLogger("jax._src.xla_bridge").warning("An NVIDIA GPU may be present")

    monkeypatch.setattr("dynstab.cli.render.print_info", noisy)
    assert catalog.info  # the command imports print_info from render when it runs
    res = run("info", "lorenz")
    assert res.exit_code == 0, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert lines == [
        "warning: overflow encountered in exp (RuntimeWarning)",
        "warning: compilation cache disabled: read-only",
        "warning: An NVIDIA GPU may be present",
    ]
    assert logging.getLogger("dynstab").propagate and not logging.getLogger("dynstab").handlers


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_catalog_annotate_writes_a_user_file_and_says_what_it_skipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shipped = _digest(DATA_FILE)
    res = run("catalog", "annotate", "logistic", "--n-ics", 2)
    assert res.exit_code == 0, res.output
    assert "annotated 1 system into dynstab-invariants.json: logistic" in res.stdout
    entry = json.loads((tmp_path / "dynstab-invariants.json").read_text())["systems"]["logistic"]
    assert entry["max_lyapunov"] == pytest.approx(0.6931, abs=2e-3)  # ln 2 at r = 4
    res = run("catalog", "annotate", "logistic", "--n-ics", 2)
    text = " ".join(res.stdout.split())
    assert res.exit_code == 0 and "annotated 0 systems into dynstab-invariants.json" in text
    assert "skipped 1 system already in dynstab-invariants.json" in text and "logistic (--force" in text
    assert _digest(DATA_FILE) == shipped  # the package's own file is written only when --out names it


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["simulate", "lorenz", "--t", "abc"], ["--t", "simulate --help"]),
        (["simulat", "lorenz"], ["No such command 'simulat'", "did you mean 'simulate'"]),
        (["simulate"], ["Missing argument", "simulate --help"]),
        (["simulate", "lorenz", "--bogus", "3"], ["No such option: --bogus"]),
        (["catalog", "annotate", "--n-ics", "x"], ["--n-ics", "catalog annotate --help"]),
        (["basins", "henon", "--x", "1", "2"], ["--x", "requires 3 arguments"]),
    ],
)
def test_usage_errors_are_one_line_with_the_help_to_read(args, words):
    res = run(*args)
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.output
    for word in words:
        assert word.lower() in lines[0].lower(), (word, lines[0])


def test_simulate_counts_points_in_agreement(tmp_path):
    res = run("simulate", "henon", "--n", 0, "--out", tmp_path / "one.nc")
    assert res.exit_code == 0, res.output
    assert ": 1 point of henon (iterate)" in " ".join(res.stdout.split())


@pytest.mark.parametrize(
    "text", ["Rössler [c = 5.7] λ", "rossler Poincaré map (x = 0, upward)", "duffing (T = 2 pi/omega)", "λ", "a__b"]
)
def test_safe_name_of_one_part_is_the_plotting_rule(text):
    """One rule for file names: the command line's safe_name is plotting.safe_name, part by part."""
    from dynstab import plotting

    expected = plotting.safe_name(text)
    assert safe_name(text) == expected and safe_name(text, suffix=".png") == expected + ".png"
    assert safe_name(text, "period1") == f"{plotting.safe_name(text, default='') or ''}_period1".lstrip("_")
