"""Shared plumbing of the benchmark scripts: machine facts, load, and rewriting one section of RESULTS.md."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def git_state() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout.strip()
        return f"{rev}{' + uncommitted changes' if dirty else ''}"
    except OSError:
        return "unknown"


def replace_section(title: str, body: str, path: Path = RESULTS) -> None:
    """Replace the section headed ``title`` (a '## ...' line) of RESULTS.md by ``body``, or append it."""
    section = body.rstrip() + "\n"
    if path.exists():
        text = path.read_text()
        pat = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
        text = pat.sub(lambda _: section + "\n", text) if pat.search(text) else text.rstrip() + "\n\n" + section
    else:
        text = (
            "# dynstab benchmarks\n\nMeasured results; each section names the command that produced it.\n\n" + section
        )
    path.write_text(text.rstrip() + "\n")
    print(f"wrote section {title!r} of {path}")


def md_table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def first_and_best(fn, repeats: int = 3):
    """``(result, first-call seconds, best of `repeats` warm calls)``; ``fn`` must return host data."""
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, first, best


def alternate_against(
    script: str, src: str, cases: Sequence[str], rounds: int
) -> Iterator[tuple[str, list[float], list[float]]]:
    """Time ``cases`` in this tree and in the dynstab source tree ``src``, alternating A B / B A per round.

    Two long-lived workers run ``script --serve`` (one with ``PYTHONPATH=src``, both without a compile
    cache); a worker prints ``ready``, then answers each case name read from stdin with one time in
    seconds. Yields ``(case, this_times, src_times)`` as each case finishes, so a script prints as it goes.
    """
    py = [sys.executable, script, "--serve"]
    env = {**os.environ, "DYNSTAB_CACHE_DIR": ""}
    workers = {
        "this": subprocess.Popen(py, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env),
        "src": subprocess.Popen(
            py, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**env, "PYTHONPATH": src}
        ),
    }
    try:
        for w in workers.values():
            if w.stdout is None or w.stdout.readline().strip() != "ready":
                raise RuntimeError("a worker failed to start")

        def call(who: str, case: str) -> float:
            w = workers[who]
            assert w.stdin is not None and w.stdout is not None
            w.stdin.write(case + "\n")
            w.stdin.flush()
            return float(w.stdout.readline())

        for case in cases:
            t: dict[str, list[float]] = {"this": [], "src": []}
            for r in range(rounds):
                for who in ("this", "src") if r % 2 == 0 else ("src", "this"):
                    t[who].append(call(who, case))
            yield case, t["this"], t["src"]
    finally:
        for w in workers.values():
            if w.stdin is not None:
                w.stdin.close()
            w.wait()
