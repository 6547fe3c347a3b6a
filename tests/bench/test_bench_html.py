"""The benchmark's HTML report: self-contained, every figure present, and a table that sorts in Chromium.

The page is built from hand-written results (tests/bench/synthetic_results.py: three models,
three systems, two failed tasks). The browser checks drive headless Chromium over the DevTools
pipe (tests/devtools.py; the ``browser`` fixture skips where none is installed): no console
error or warning, every image decoded, no sideways scrolling of the page on a 390 px phone,
and a click on a header sorts the rows (checked against the leaderboard's own numbers).
"""

from __future__ import annotations

import base64
import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
import synthetic_results as synth
from devtools import DevTools, open_page

from dynstab.bench.html import write_report
from dynstab.bench.leaderboard import leaderboard


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(synth.frame(), tmp_path_factory.mktemp("bench_html"), n_boot=200)


def test_page_is_self_contained_with_every_figure(report):
    assert report.name == "benchmark_synthetic.html"
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["'](?!data:)""", page), "a resource outside the page"
    assert "http://" not in page and "https://" not in page and "<link" not in page and "url(" not in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    images = [base64.b64decode(m) for m in re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]
    # VPT against lambda_1, the rank distributions, and one forecast panel per system (3 systems)
    assert len(images) == page.count("<img ") == 5
    assert all(min(png_size(im)) > 150 for im in images)
    for system in ("s1", "s2", "s3"):
        assert f"{system}: forecasts of the 3 best models against the truth" in page
    # the failed tasks with their reasons, the settings, the versions
    assert "B diverged on s2: non-finite forecast at step 12" in page
    assert "0123456789abcdef" in page and "<td>jax</td>" in page
    assert "most often chosen" in page


def test_report_of_a_store_draws_its_stored_forecasts(tmp_path, report):
    from dynstab.bench.store import ResultStore

    with ResultStore(tmp_path / "results.sqlite") as store:
        for record in synth.records():
            store.write(record)
        path = write_report(store, tmp_path / "html", n_boot=200, panel_models=1, systems=["s3"])
    page = path.read_text(encoding="utf-8")
    assert page.count("<img ") == 3 and "s3: forecasts of the 1 best model against the truth" in page
    assert str(tmp_path / "results.sqlite") in page
    # the same leaderboard table as from the frame
    table = re.compile(r'<table class="sortable".*?</table>', re.S)
    assert table.search(page).group(0) == table.search(report.read_text(encoding="utf-8")).group(0)


def test_unknown_panel_system_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"'lorenz' have no results.*s1, s2, s3"):
        write_report(synth.frame(), tmp_path, systems=["lorenz"])
    assert not any(tmp_path.iterdir())


def evaluate(tools: DevTools, path: Path, expressions: list[str]) -> list[Any]:
    """Load ``path`` in a new tab and return the JSON value of each expression, evaluated in turn."""
    tools.events.clear()
    target = tools.send("Target.createTarget", url="about:blank")["targetId"]
    session = tools.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    tools.send("Page.enable", session)
    tools.send("Page.navigate", session, url=path.resolve().as_uri())
    tools.wait_for("Page.loadEventFired")
    values = []
    for js in expressions:
        reply = tools.send(
            "Runtime.evaluate", session, expression=f"JSON.stringify((() => ({js}))() ?? null)", returnByValue=True
        )
        values.append(json.loads(reply["result"]["value"]))
    tools.send("Target.closeTarget", targetId=target)
    return values


def test_page_in_chromium_loads_clean_on_desktop_and_phone(browser, report):
    for width, height, mobile in ((1100, 900, False), (390, 844, True)):
        seen = open_page(browser, report, width, height, mobile)
        assert seen["problems"] == [], seen["problems"]
        assert len(seen["images"]) == 5
        assert all(done and natural > 0 and shown > 0 for done, natural, _, shown in seen["images"]), seen["images"]
        assert seen["scroll"] <= seen["inner"], f"the page scrolls sideways at {width} px"


def click(label: str) -> str:
    """JavaScript that clicks the leaderboard's column header ``label``."""
    return f"Array.from(document.querySelectorAll('#leaderboard th')).find(th => th.textContent === {json.dumps(label)}).click()"


ROWS = "Array.from(document.querySelectorAll('#leaderboard tbody tr')).map(r => r.cells[1].textContent)"


def test_table_sorts_on_a_click(browser, report):
    board = leaderboard(synth.frame(), n_boot=200)
    initial, _, by_iqr, _, by_iqr_desc, _, _, by_name_desc, state = evaluate(
        browser,
        report,
        [
            ROWS,
            click("vpt IQR"),
            ROWS,
            click("vpt IQR"),
            ROWS,
            click("model"),
            click("model"),
            ROWS,
            "Array.from(document.querySelectorAll('#leaderboard th[aria-sort]')).map(th => [th.textContent, th.getAttribute('aria-sort')])",
        ],
    )
    assert initial == list(board.index) == ["A", "B", "C"]  # by the mean VPT rank
    # vpt IQR: A 2.5, B 1, C 3
    assert by_iqr == list(board["vpt_iqr"].sort_values().index) == ["B", "A", "C"]
    assert by_iqr_desc == ["C", "A", "B"]
    assert by_name_desc == ["C", "B", "A"]
    assert state == [["model", "descending"]]


def test_infinite_values_sort_last_ascending(browser, report):
    _, ordered = evaluate(browser, report, [click("d_stsp median"), ROWS])
    # d_stsp medians: A 1, B 0.5, C inf (C failed on s1 and diverged on s3)
    assert ordered == ["B", "A", "C"]
