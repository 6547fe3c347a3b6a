"""Start-up time: ``python -X importtime -c "import dynstab"`` and ``dynstab --help`` (issue 11).

Wall time of each command in a fresh process, median of ``--repeats`` runs (default 5). With
``--before SRC`` (the ``src`` folder of an older checkout, e.g. from
``git archive <rev> src | tar -x -C /tmp/before``) the same commands run against that tree
too, interleaved A B A B so that both see the same machine load, and the section shows both.

    .venv/bin/python benchmarks/bench_startup.py --before /tmp/before/src --before-rev <rev>

Rewrites the section "Start-up time (issue 11)" of RESULTS.md (``--no-write`` to skip).
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import git_state, loadavg, machine, md_table, replace_section

TITLE = "## Start-up time (issue 11)"
SCRIPT = Path(sys.executable).with_name("dynstab")
COMMANDS = {
    'python -X importtime -c "import dynstab"': [sys.executable, "-X", "importtime", "-c", "import dynstab"],
    "dynstab --help": [str(SCRIPT), "--help"],
}
HEAVY = ("jax", "numpy", "matplotlib", "xarray", "scipy", "numba", "diffrax", "equinox")


def wall(cmd: list[str], src: str | None) -> float:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def heavy_imported(src: str | None) -> list[str]:
    env = dict(os.environ, **({"PYTHONPATH": src} if src else {}))
    code = f"import sys, dynstab; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    return [m for m in out.strip().split(",") if m]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="src folder of the tree to compare with")
    ap.add_argument("--before-rev", default="", help="what --before is (e.g. a commit), for the section's text")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    trees = {"after": None} if not args.before else {"before": args.before, "after": None}
    load0 = loadavg()
    for src in trees.values():  # warm the file-system cache and the .pyc files
        for cmd in COMMANDS.values():
            wall(cmd, src)
    times: dict[tuple[str, str], list[float]] = {(c, t): [] for c in COMMANDS for t in trees}
    for _ in range(args.repeats):
        for label, cmd in COMMANDS.items():
            for tree, src in trees.items():
                times[label, tree].append(wall(cmd, src))
    rows = []
    for label in COMMANDS:
        row = [f"`{label}`"]
        for tree in trees:
            ts = times[label, tree]
            row.append(f"{statistics.median(ts):.2f} ({min(ts):.2f}-{max(ts):.2f})")
        if len(trees) == 2:
            row.append(f"{statistics.median(times[label, 'before']) / statistics.median(times[label, 'after']):.1f}x")
        rows.append(row)
    header = ["command", *(f"{t}: median s (min-max)" for t in trees)] + (["speed-up"] if len(trees) == 2 else [])
    heavy = {tree: heavy_imported(src) for tree, src in trees.items()}
    md = [
        TITLE,
        "",
        f"`{shlex.join(['.venv/bin/python', 'benchmarks/bench_startup.py', *sys.argv[1:]])}`; {date.today()}; "
        f"{machine()}; git {git_state()}; load average {load0} at start, {loadavg()} at end.",
        f"Wall time of a fresh process, median of {args.repeats} runs"
        + (
            f", the two trees interleaved (A B A B); before = {args.before_rev or args.before}, after = this checkout."
            if len(trees) == 2
            else "."
        ),
        "",
        *md_table(header, rows),
        "",
        "Modules among "
        + ", ".join(HEAVY)
        + " that `import dynstab` imports: "
        + "; ".join(f"{tree}: {', '.join(mods) or 'none'}" for tree, mods in heavy.items())
        + ".",
    ]
    print("\n".join(md))
    if not args.no_write:
        replace_section(TITLE, "\n".join(md))


if __name__ == "__main__":
    main()
