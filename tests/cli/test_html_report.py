"""`dynstab analyze ... --html DIR`: the self-contained report page, checked as text and in headless Chromium.

The browser checks drive Debian's chromium through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: commands on fd 3, replies on fd 4, NUL-separated JSON): no console
message of level error or warning, no uncaught exception, no failed load, every figure decoded
(``naturalWidth > 0``), one image per figure, and no horizontal scrolling on a 390 px phone screen.
They skip where no chromium, chromium-browser or google-chrome binary is found (.ci/run installs
chromium where it can).
"""

from __future__ import annotations

import base64
import json
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from devtools import open_page
from typer.testing import CliRunner

from dynstab.cli import app

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the signature and chunk type are checked)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


def inline_images(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


@pytest.fixture(scope="module")
def system_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """`dynstab analyze henon --html`: the page and the JSON output of the same run."""
    folder = tmp_path_factory.mktemp("html")
    res = run(
        "analyze",
        "henon",
        "--t",
        "4000",
        "--n-ics",
        "2",
        "--json",
        "--out",
        str(folder / "figs"),
        "--html",
        str(folder),
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    return Path(out["html"]), out


@pytest.fixture(scope="module")
def series_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A series without a time column (the loader's note applies) through `dynstab analyze FILE --html`."""
    folder = tmp_path_factory.mktemp("html_data")
    x = np.empty(800)
    x[0] = 0.3
    for n in range(x.size - 1):  # the logistic map at r = 4: chaotic, lambda = ln 2 per sample
        x[n + 1] = 4.0 * x[n] * (1.0 - x[n])
    path = folder / "logistic.csv"
    np.savetxt(path, x, header="x", comments="")
    res = run("analyze", str(path), "--json", "--no-figures", "--html", str(folder))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    return Path(out["html"]), out


def test_system_page_has_the_terminal_sections_figures_settings_and_versions(system_page):
    path, out = system_page
    assert path.name == "henon_report.html"
    page = path.read_text(encoding="utf-8")
    for text in ("Lyapunov spectrum", "Kaplan-Yorke dimension", "Lyapunov time", "fixed points", "saddle"):
        assert text in page, text
    assert f"Verdict: <b>{out['verdict']}</b>" in page
    for lam in out["lyapunov_spectrum"]:
        assert f"{lam:.5f}" in page
    for name in ("dynstab", "jax", "numpy", "python", "--n-ics"):
        assert f"<td>{name}</td>" in page, name
    images = inline_images(page)
    assert len(images) == len(out["figures"]) == 2 == page.count("<img ")
    assert all(min(png_size(im)) > 100 for im in images)


def test_pages_are_self_contained_and_made_for_a_phone(system_page, series_page):
    for path, _ in (system_page, series_page):
        page = path.read_text(encoding="utf-8")
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert "@media (max-width" in page
        assert "<script" not in page and "<link" not in page and "@import" not in page
        assert not re.search(r"""(src|href)=["'](?!data:)""", page), "a resource outside the page"
        assert "url(" not in page


def test_series_page_and_json_carry_the_loader_note(series_page):
    path, out = series_page
    assert out["note"] == "no time column: dt = 1 sample assumed; pass --dt" and out["dt"] == 1.0
    page = path.read_text(encoding="utf-8")
    assert '<p class="note">no time column: dt = 1 sample assumed; pass --dt</p>' in page
    assert "per sample" in page and "largest Lyapunov exponent" in page
    images = inline_images(page)
    assert len(images) == 1 and min(png_size(images[0])) > 100
    assert out["verdict"] in page


@pytest.fixture(scope="module")
def logistic_report() -> Any:
    from dynstab.timeseries.report import analyze_series

    x = np.empty(800)
    x[0] = 0.3
    for n in range(x.size - 1):  # the logistic map at r = 4: lambda = ln 2 per sample
        x[n + 1] = 4.0 * x[n] * (1.0 - x[n])
    return analyze_series(x, 1.0, name="x", seed=0)


def terminal_text(rep: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """What `print_series_report` prints for ``rep``, on one line."""
    from rich.console import Console

    from dynstab.cli import render

    console = Console(record=True, width=400)
    monkeypatch.setattr(render, "console", console)
    render.print_series_report(rep, dt_assumed=True, note="no time column: dt = 1 sample assumed; pass --dt")
    return " ".join(console.export_text().replace("│", " ").split())


def test_terminal_and_page_show_the_same_measures(logistic_report, monkeypatch):
    import html

    from dynstab.html_report import series_report_html, series_rows

    rep = logistic_report
    text = terminal_text(rep, monkeypatch)
    page = series_report_html(rep, note="no time column: dt = 1 sample assumed; pass --dt", figures=False)
    rows = series_rows(rep, "per sample")
    for key in ("stationarity", "embedding", "spectrum", "largest Lyapunov exponent", "0-1 test K"):
        assert key in rows, key
        assert f"<td>{html.escape(rows[key])}</td>" in page, key
    for key, value in series_rows(rep, "per sample (no time axis: pass --dt)").items():
        assert f"{key.strip()} {' '.join(value.split())}" in text, key
    assert rows["stationarity"] == rep.stationarity.message
    ly = rep.lyapunov
    assert (
        ly.valid
        and f"statistical alone [{ly.stat_ci[0]:.3g}, {ly.stat_ci[1]:.3g}]" in rows["largest Lyapunov exponent"]
    )
    z = rep.zero_one_result
    assert f"surrogates' median K {np.median(z.surrogate_K):.3f}" in rows["0-1 test K"]
    assert ("does not discriminate" in rows["0-1 test K"]) == (not rep.zero_one_discriminates)
    assert "note: no time column: dt = 1 sample assumed; pass --dt" in text
    for note in rep.notes:
        assert " ".join(note.split()) in text and html.escape(note) in page
    assert text.count("verdict") >= 1 and " ".join(rep.verdict.split()) in text


def test_an_invalid_exponent_is_not_printed_as_a_number(logistic_report, monkeypatch):
    import dataclasses

    from dynstab.html_report import series_rows

    ly = dataclasses.replace(logistic_report.lyapunov, scaling_found=False, exponent=float("nan"))
    rep = dataclasses.replace(logistic_report, lyapunov=ly)
    rows = series_rows(rep, "per sample")
    assert rows["largest Lyapunov exponent"] == "no valid estimate (no common scaling region)"
    assert "Lyapunov time (predictability)" not in rows and "  by embedding dimension" not in rows
    inconsistent = dataclasses.replace(logistic_report.lyapunov, consistent=False)
    rows = series_rows(dataclasses.replace(logistic_report, lyapunov=inconsistent), "per sample")
    assert rows["largest Lyapunov exponent"] == "no valid estimate (the embedding dimensions disagree)"
    assert "largest Lyapunov exponent no valid estimate (no common scaling region)" in terminal_text(rep, monkeypatch)


def test_convergence_line_says_the_length_and_what_is_not_conclusive():
    from dynstab.html_report import convergence_line

    conclusive = {"lyapunov_times": 904.2, "periods": 1310.4, "halves": [[0.902, 0.0], [0.905, 0.0]], "reasons": []}
    assert (
        convergence_line(conclusive)
        == "run: 904 Lyapunov times, 1310 periods; halves agree (lambda_1 = 0.902 and 0.905)"
    )
    short = {
        "lyapunov_times": None,
        "periods": 8.47,
        "halves": [[0.0625], [-0.00557]],
        "reasons": ["the halves of the run give chaotic and periodic"],
        "suggested_t": 590.0,
    }
    assert convergence_line(short) == (
        "run: 8.5 periods; not conclusive: the halves of the run give chaotic and periodic; rerun with --t 590"
    )
    assert convergence_line(None) is None


def test_dt_overrides_the_time_column(tmp_path):
    t = np.arange(600) * 0.02
    x = np.sin(t) + 0.5 * np.sin(np.sqrt(2.0) * 3.1 * t)
    path = tmp_path / "quasi.csv"
    np.savetxt(path, np.column_stack([t, x]), delimiter=",", header="time,x", comments="")
    res = run("analyze", str(path), "--dt", "0.05", "--json", "--no-figures")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["dt"] == 0.05 and "note" not in out  # the time column says 0.02 (tests/cli/test_cli.py reads it)


def test_html_folder_that_is_a_file_is_an_error_before_any_work(tmp_path):
    blocker = tmp_path / "page"
    blocker.write_text("")
    res = run("analyze", "henon", "--html", str(blocker))
    assert res.exit_code == 2 and "--html" in res.output


# --- in a real browser ------------------------------------------------------------------------------
def test_a_page_with_errors_is_caught(browser, tmp_path):
    """The checks below can fail: a broken script and a missing image are reported."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="missing.png"><script>undefined_fn()</script></body></html>')
    seen = open_page(browser, bad, 800, 600, mobile=False)
    assert any("undefined_fn" in p for p in seen["problems"])
    assert any("ERR_FILE_NOT_FOUND" in p for p in seen["problems"])
    assert seen["images"][0][1] == 0  # not decoded


@pytest.mark.parametrize("which", ["system", "series"])
@pytest.mark.parametrize(("width", "height", "mobile"), [(1000, 1400, False), (390, 844, True)])
def test_report_page_in_chromium(browser, system_page, series_page, which, width, height, mobile):
    path, out = system_page if which == "system" else series_page
    seen = open_page(browser, path, width, height, mobile)
    assert seen["problems"] == []
    n_figures = 2 if which == "system" else 1
    assert len(seen["images"]) == n_figures
    for complete, w, h, shown in seen["images"]:
        assert complete and w > 100 and h > 100 and 0 < shown <= width
    assert seen["scroll"] <= seen["inner"], "the page scrolls sideways"
    assert seen["title"].startswith("dynstab report")
    w, h = png_size(seen["screenshot"])
    assert (w, h) == (width, height)
