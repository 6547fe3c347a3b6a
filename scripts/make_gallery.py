"""Make the gallery of the docs site: the figures of the examples and of the README's commands, with the code.

    python scripts/make_gallery.py [--out docs/gallery] [--images docs/images] [--quick]

Runs every script in ``examples/`` whose first comment line is ``# gallery: TITLE`` (with the output
folder as its argument) and the commands of the README (``dynstab analyze``, ``bifurcation``,
``basins``, ``periodic-orbits``, and ``analyze`` on a measured series written to CSV) in a temporary
folder, copies the figures they write into ``docs/gallery/`` at about 100 dpi, and writes
``docs/gallery.md`` with each figure under the code or command that made it. It also opens the
HTML report of ``dynstab analyze lorenz --html`` in headless Chromium and saves screenshots of it
(desktop and phone width) as ``docs/images/report-lorenz.png`` and ``report-lorenz-phone.png``
(skipped, with a message, where no chromium is installed). The figures are committed, so building
the site does not run this script; rerun it when a figure or an example changes (about 5 minutes
on two cores; ``--quick`` uses shorter runs for a smoke test, not for committing).
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DPI = 100  # the CLI writes at 110-120 dpi; the gallery keeps the PNGs small


def _cli(args: list[str], cwd: Path) -> None:
    """Run ``dynstab ARGS`` with this interpreter, so the checkout's package is the one used."""
    cmd = [sys.executable, "-c", "from dynstab.cli import app; app()", *args]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"`dynstab {' '.join(args)}` failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    print(f"  dynstab {' '.join(args)}: {time.perf_counter() - t0:.1f} s", flush=True)


def _lorenz_csv(path: Path, quick: bool) -> None:
    """A measured series: Lorenz-63's x sampled at dt = 0.02 after a transient, written as CSV."""
    import numpy as np

    import dynstab

    t = 60.0 if quick else 120.0
    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=t, dt=0.02, transient=20.0)
    x = np.asarray(traj.x)[:, 0]
    tt = np.asarray(traj.t)
    np.savetxt(path, np.column_stack([tt, x]), delimiter=",", header="t,x", comments="")


def _resave(src: Path, dst: Path) -> None:
    """Copy a PNG at ``DPI`` (the CLI's figures carry their dpi in the file), optimised."""
    from PIL import Image

    with Image.open(src) as im:
        dpi = im.info.get("dpi", (DPI, DPI))[0] or DPI
        scale = min(1.0, DPI / float(dpi))
        size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
        out = im.convert("RGB").resize(size, Image.Resampling.LANCZOS) if scale < 1.0 else im.convert("RGB")
        out.save(dst, format="PNG", optimize=True, dpi=(DPI, DPI))


# (title, command, folder its figures go to, what the figures show)
def _entries(quick: bool) -> list[tuple[str, list[str], str, str]]:
    t = ["--t", "100", "--n-ics", "2"] if quick else []
    grid = "60" if quick else "200"
    return [
        (
            "Lorenz-63: the system report",
            ["analyze", "lorenz", *t, "--out", "analyze-lorenz"],
            "analyze-lorenz",
            "The attractor with its fixed points (origin: saddle; C+ and C-: saddle-foci) and the convergence of the "
            "Lyapunov spectrum over the initial conditions.",
        ),
        (
            "Logistic map: orbit diagram",
            ["bifurcation", "logistic", "--sweep", "r", "--range", "2.5", "4", "--doublings", "--out", "bifurcation"],
            "bifurcation",
            "All parameter values in one compiled sweep; the period doublings are located by bracketing and marked "
            "(dashed lines).",
        ),
        (
            "Henon map: basins of attraction",
            ["basins", "henon", "--x", "-2", "2", grid, "--y", "-1", "1", grid, "--out", "basins"],
            "basins",
            "Attractors, basin fractions (diverged orbits included), basin entropy and uncertainty exponent.",
        ),
        (
            "Henon map: periodic orbits",
            ["periodic-orbits", "henon", "--period", "1-6", "--out", "periodic-orbits"],
            "periodic-orbits",
            "The periodic orbits of each minimal period from 1 to 6 that exist (one figure per period), on the "
            "attractor, each named with its type and stability; the command prints their Floquet multipliers.",
        ),
        (
            "A measured series: Lorenz x sampled at dt = 0.02",
            ["analyze", "lorenz_x.csv", "--column", "x", "--out", "analyze-data"],
            "analyze-data",
            "The diagnosis of a series given as data: the series, its delay portrait, the mean divergence of "
            "neighbours with the fitted slope (the largest Lyapunov exponent, Rosenstein/Kantz) and the local "
            "slopes of the correlation sum with the scaling region of D2.",
        ),
    ]


GALLERY_MARK = "# gallery: "


def gallery_examples(folder: Path = ROOT / "examples") -> list[Path]:
    """The example scripts shown in the gallery: those with a ``# gallery: TITLE`` line, by name."""
    return sorted(p for p in folder.glob("*.py") if GALLERY_MARK in p.read_text(encoding="utf-8"))


def example_section(path: Path) -> tuple[str, list[str]]:
    """The title and the page lines of one example: its docstring (less the usage line) and its code."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    doc = ast.get_docstring(tree) or ""
    mark = text.index(GALLERY_MARK)
    title = text[mark + len(GALLERY_MARK) :].splitlines()[0].strip()
    code = text[mark:].split("\n", 1)[1].strip("\n")
    paragraphs = [p for p in doc.split("\n\n")[1:] if not p.lstrip().startswith("python ")]
    caption = " ".join(" ".join(p.split()) for p in paragraphs)
    lines = [f"## {title}", "", caption, "", f"`examples/{path.name}`:", "", "```python", code, "```", ""]
    return title, lines


def _run_example(path: Path, out: Path) -> None:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(path), str(out)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"examples/{path.name} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    print(f"  examples/{path.name}: {time.perf_counter() - t0:.1f} s", flush=True)


def find_browser() -> str | None:
    """Debian's chromium (or chromium-browser, google-chrome) on the PATH, else None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _screenshot(browser: str, page: Path, dst: Path, width: int, height: int) -> None:
    """A headless Chromium screenshot of ``page`` at ``width`` x ``height`` CSS pixels."""
    with tempfile.TemporaryDirectory(prefix="dynstab-chromium-") as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={dst}",
            page.resolve().as_uri(),
        ]
        subprocess.run(cmd, capture_output=True, check=True, timeout=120)
    from PIL import Image

    with Image.open(dst) as im:
        im.convert("RGB").save(dst, format="PNG", optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery", help="folder for the PNGs")
    parser.add_argument("--page", type=Path, default=ROOT / "docs" / "gallery.md", help="the gallery page")
    parser.add_argument("--images", type=Path, default=ROOT / "docs" / "images", help="folder for the screenshots")
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test, not for committing)")
    args = parser.parse_args(argv)

    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    rel = out.relative_to(args.page.resolve().parent).as_posix()
    lines = [
        "# Gallery",
        "",
        "What dynstab draws, before you install it: each figure under the code or the command that made it.",
        "The page is made by `python scripts/make_gallery.py` from the scripts in `examples/` and the commands",
        "of the README (rerun it when a figure changes).",
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="dynstab-gallery-") as tmp:
        work = Path(tmp)
        html_page = None
        for example in gallery_examples():
            folder = work / example.stem
            _run_example(example, folder)
            title, section = example_section(example)
            lines += section
            for png in sorted(folder.glob("*.png")):
                name = f"{example.stem}-{png.name}"
                _resave(png, out / name)
                lines += [f"![{title}: {png.stem}]({rel}/{name})", ""]
            html_page = html_page or next(iter(sorted(folder.glob("*.html"))), None)
        _lorenz_csv(work / "lorenz_x.csv", args.quick)
        lines += ["## From the command line", ""]
        for title, cmd, folder_name, caption in _entries(args.quick):
            _cli(cmd, work)
            pngs = sorted((work / folder_name).glob("*.png"))
            if not pngs:
                sys.exit(f"`dynstab {' '.join(cmd)}` wrote no figure into {folder_name}/")
            lines += [f"### {title}", "", "```bash", "dynstab " + " ".join(cmd), "```", "", caption, ""]
            for png in pngs:
                name = f"{folder_name}-{png.name}"
                _resave(png, out / name)
                lines += [f"![{title}: {png.stem}]({rel}/{name})", ""]
        browser = find_browser()
        images: Path = args.images.resolve()
        if html_page is not None and browser is not None:
            images.mkdir(parents=True, exist_ok=True)
            _screenshot(browser, html_page, images / "report-lorenz.png", 1000, 1500)
            _screenshot(browser, html_page, images / "report-lorenz-phone.png", 390, 844)
            print(f"  screenshots of {html_page.name} in {images}", flush=True)
        elif html_page is not None:
            print("  no chromium: the screenshots of the HTML report were not remade", flush=True)
    if (images / "report-lorenz.png").exists():
        irel = os.path.relpath(images, args.page.resolve().parent)
        lines += [
            "## The HTML report",
            "",
            "```bash",
            "dynstab analyze lorenz --html report",
            "```",
            "",
            "One self-contained file (figures inline, no JavaScript, nothing loaded from elsewhere), on a",
            "desktop and on a phone, as headless Chromium shows it:",
            "",
            f'<img src="{irel}/report-lorenz.png" alt="the HTML report of Lorenz-63 on a desktop" width="640">',
            f'<img src="{irel}/report-lorenz-phone.png" alt="the HTML report of Lorenz-63 on a phone" width="240">',
            "",
        ]
    args.page.write_text("\n".join(lines).rstrip() + "\n")
    total = sum(p.stat().st_size for p in out.glob("*.png"))
    print(f"wrote {args.page} and {len(list(out.glob('*.png')))} figures ({total / 1e6:.2f} MB) in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
