"""Make the gallery of the docs site: the figures of the README's commands, written by the CLI itself.

    python scripts/make_gallery.py [--out docs/gallery] [--quick]

Runs the commands of the README (``dynstab analyze``, ``bifurcation``, ``basins``, ``periodic-orbits``, and
``analyze`` on a measured series written to CSV) in a temporary folder, copies the figures they write into
``docs/gallery/`` at about 100 dpi, and writes ``docs/gallery.md`` with each figure under the command that
made it. The figures are committed, so building the site does not run this script; rerun it when a figure
changes (about 3 minutes on two cores; ``--quick`` uses shorter runs for a smoke test).
"""

from __future__ import annotations

import argparse
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
            ["bifurcation", "logistic", "--param", "r", "--range", "2.5", "4", "--doublings", "--out", "bifurcation"],
            "bifurcation",
            "All parameter values in one compiled sweep; the period doublings are located by bracketing.",
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
            "attractor; the command prints their Floquet multipliers.",
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery", help="folder for the PNGs")
    parser.add_argument("--page", type=Path, default=ROOT / "docs" / "gallery.md", help="the gallery page")
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test, not for committing)")
    args = parser.parse_args(argv)

    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    lines = [
        "# Gallery",
        "",
        "The figures written by the commands of the README, each under the command that made it.",
        "They are made by `python scripts/make_gallery.py` (rerun it when a figure changes).",
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="dynstab-gallery-") as tmp:
        work = Path(tmp)
        _lorenz_csv(work / "lorenz_x.csv", args.quick)
        for title, cmd, folder, caption in _entries(args.quick):
            _cli(cmd, work)
            pngs = sorted((work / folder).glob("*.png"))
            if not pngs:
                sys.exit(f"`dynstab {' '.join(cmd)}` wrote no figure into {folder}/")
            lines += [f"## {title}", "", "```bash", "dynstab " + " ".join(cmd), "```", "", caption, ""]
            for png in pngs:
                name = f"{folder}-{png.name}"
                _resave(png, out / name)
                rel = out.relative_to(args.page.resolve().parent).as_posix()
                lines += [f"![{title}: {png.stem}]({rel}/{name})", ""]
    args.page.write_text("\n".join(lines).rstrip() + "\n")
    total = sum(p.stat().st_size for p in out.glob("*.png"))
    print(f"wrote {args.page} and {len(list(out.glob('*.png')))} figures ({total / 1e6:.2f} MB) in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
