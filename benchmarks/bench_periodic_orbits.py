"""Periodic orbits of a flow through its Poincaré map: the library call of
``dynstab periodic-orbits rossler --plane x=0 --period 1-3`` (issue 12; 583 s before).

Each run is a fresh process that imports dynstab, builds ``PoincareMap(rossler, ("x", 0))`` and calls
``periodic_orbits(pm, n, n_seeds=2000, seed=0)`` for n = 1, 2, 3 (the CLI's defaults), then period 1
once more (warm: compiled kernels reused). Reported per run: the time of each call, the whole
process's wall and CPU time and its peak memory (``os.wait4``), and the orbits found (their first
point, leading multiplier and residual), so that the runs can be checked to agree. With ``--before
SRC`` (the ``src`` folder of an older checkout: ``git archive <rev> src | tar -x -C /tmp/before``)
the same runs use that tree too, interleaved A B A B so that both see the same machine load; the
section gives the medians and the median of the per-round ratios.

    .venv/bin/python benchmarks/bench_periodic_orbits.py --rounds 3 --before /tmp/before/src --before-rev <rev>

Rewrites the section "Periodic orbits of flows (issue 12)" of RESULTS.md (``--no-write`` to skip).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import git_state, loadavg, machine, md_table, replace_section

TITLE = "## Periodic orbits of flows (issue 12)"

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from dynstab import systems
from dynstab.analysis.periodic_orbits import periodic_orbits
from dynstab.systems.derived import PoincareMap
out = {"import": time.perf_counter() - t0, "calls": [], "orbits": {}}
pm = PoincareMap(systems.get("rossler"), ("x", 0.0))
for n in [int(a) for a in sys.argv[1].split(",")] + [1]:
    t = time.perf_counter()
    po = periodic_orbits(pm, n, n_seeds=2000, seed=0)
    out["calls"].append([n, time.perf_counter() - t])
    out["orbits"][str(n)] = [
        [o.points[0].tolist(), float(o.multipliers[0].real), float(o.residual)] for o in po
    ]
print(json.dumps(out))
"""


def run_once(periods: str, src: str | None) -> dict:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, periods], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None
    text = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise RuntimeError(f"the run failed (status {status})")
    out = json.loads(text)
    out.update(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mb=usage.ru_maxrss / 1024)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--periods", default="1,2,3")
    ap.add_argument("--before", help="src folder of an older checkout, run interleaved with this one")
    ap.add_argument("--before-rev", default="before")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    trees = [("now", None)] + ([(args.before_rev, args.before)] if args.before else [])
    runs: dict[str, list[dict]] = {name: [] for name, _ in trees}
    load = []
    for r in range(args.rounds):
        for name, src in trees:
            load.append(loadavg())
            res = run_once(args.periods, src)
            runs[name].append(res)
            print(f"round {r + 1} {name}: wall {res['wall']:.1f} s, cpu {res['cpu']:.1f} s, {res['rss_mb']:.0f} MB")
    now = runs["now"]
    if args.before:  # the same orbits
        for a, b in zip(now, runs[args.before_rev]):
            for n, orbits in a["orbits"].items():
                other = b["orbits"][n]
                assert len(orbits) == len(other), (n, orbits, other)
                for (x, mu, _), (y, nu, _) in zip(orbits, other):
                    assert max(abs(p - q) for p, q in zip(x, y)) < 1e-8 and abs(mu - nu) < 1e-6 * abs(nu)

    def med(name: str, key) -> float:
        return statistics.median(key(r) for r in runs[name])

    keys = {
        "whole process, wall (s)": lambda r: r["wall"],
        "whole process, CPU (s)": lambda r: r["cpu"],
        "import (s)": lambda r: r["import"],
        **{
            f"period {n} (s){' (first call: compiles)' if i == 0 else ''}": (lambda r, i=i: r["calls"][i][1])
            for i, n in enumerate(args.periods.split(","))
        },
        "period 1 again, warm (s)": lambda r: r["calls"][-1][1],
        "peak memory (MB)": lambda r: r["rss_mb"],
    }
    header = ["measure", "now"] + (
        [args.before_rev, "before / now (median of per-round ratios)"] if args.before else []
    )
    rows = []
    for label, key in keys.items():
        row = [label, f"{med('now', key):.3g}"]
        if args.before:
            ratios = [key(b) / key(a) for a, b in zip(now, runs[args.before_rev])]
            row += [f"{med(args.before_rev, key):.3g}", f"{statistics.median(ratios):.2f}"]
        rows.append(row)
    orbit_rows = [
        [n, len(orbits), "; ".join(f"y={x[0]:.6f} z={x[1]:.6f} mu={mu:.6g} res={res:.1e}" for x, mu, res in orbits)]
        for n, orbits in now[0]["orbits"].items()
    ]
    lines = [
        TITLE,
        "",
        f"`{Path(sys.argv[0]).name}` ({date.today()}, {git_state()}, {machine()}; load average before the runs: "
        f"{', '.join(load)}). Command: `.venv/bin/python benchmarks/bench_periodic_orbits.py "
        f"--rounds {args.rounds}{' --before SRC --before-rev ' + args.before_rev if args.before else ''}`. "
        f"The call of `dynstab periodic-orbits rossler --plane x=0 --period 1-3` (n_seeds=2000), medians of "
        f"{args.rounds} fresh processes:",
        "",
        *md_table(header, rows),
        "",
        "Orbits found (first point on the section x = 0, leading Floquet multiplier of the Poincaré map, residual):",
        "",
        *md_table(["period", "orbits", "orbits"], orbit_rows),
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        replace_section(TITLE, text)


if __name__ == "__main__":
    main()
