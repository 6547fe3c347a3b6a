"""Trajectories in compiled chunks (issue 14): the cost of chunking and the short runs' one-call path.

Run from the repository root:

    .venv/bin/python benchmarks/bench_trajectory_chunks.py [--rounds 9] [--against SRC]

1. In one process, the same tree: each long case run as compiled chunks (the default: its estimated time is over
   ``LONG_RUN_SECONDS``) and as one compiled call (``LONG_RUN_SECONDS`` set to infinity), alternating the order
   every round after a warm-up call of each; printed are the median of the per-round ratios chunks / one call and
   the median times. Cases: ``lorenz_long``, ``trajectory(lorenz, t=4e5, dt=0.1)`` (4e7 RK4 steps, 4e6 samples);
   ``henon_transient``, ``trajectory(henon, n=10, transient=1e8)`` (a transient of 1e8 iterations).
2. ``--against SRC`` (e.g. ``git archive COMMIT src | tar -x -C /tmp/before`` then ``--against /tmp/before/src``):
   two long-lived worker processes, this tree and ``SRC`` (through ``PYTHONPATH``), time the short cases, which
   stay one compiled call: ``lorenz_rk4``, ``trajectory(lorenz, t=1e4, dt=0.01, method="rk4")`` (bench_evolution's
   case, 1e6 steps all stored) and ``lorenz_small``, 100 calls of ``trajectory(lorenz, t=1.0)`` (the per-call
   overhead); alternating rounds, medians of per-round ratios this / SRC.

Every timed call returns host data (``.x``). The machine is shared: compare ratios, not times across runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import alternate_against

LONG = {
    "lorenz_long": "dynstab.trajectory(lorenz, t=4e5, dt=0.1).x",
    "henon_transient": "dynstab.trajectory(henon, n=10, transient=1e8).x",
}
SHORT = {
    "lorenz_rk4": "dynstab.trajectory(lorenz, t=1e4, dt=0.01, method='rk4').x",
    "lorenz_small": "[dynstab.trajectory(lorenz, t=1.0).x for _ in range(100)]",
}


def calls(cases: dict[str, str]) -> dict:
    import dynstab

    env = {"dynstab": dynstab, "lorenz": dynstab.systems.get("lorenz"), "henon": dynstab.systems.get("henon")}
    return {name: eval("lambda: " + code, env) for name, code in cases.items()}  # the fixed strings above


def timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def summary(name: str, a: list[float], b: list[float], labels: tuple[str, str]) -> str:
    ratios = [x / y for x, y in zip(a, b)]
    return (
        f"{name}: {labels[0]} / {labels[1]} = {statistics.median(ratios):.3f} "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f}); median {statistics.median(a) * 1e3:.1f} ms "
        f"vs {statistics.median(b) * 1e3:.1f} ms"
    )


def chunks_against_one_call(rounds: int) -> None:
    from dynstab.simulate import evolution

    default = evolution.LONG_RUN_SECONDS
    limits = {"chunks": default, "one call": float("inf")}
    for name, fn in calls(LONG).items():
        t: dict[str, list[float]] = {mode: [] for mode in limits}
        for limit in limits.values():  # warm-up: compiles both
            evolution.LONG_RUN_SECONDS = limit
            fn()
        for r in range(rounds):
            for mode in list(limits) if r % 2 == 0 else list(limits)[::-1]:
                evolution.LONG_RUN_SECONDS = limits[mode]
                t[mode].append(timed(fn))
        evolution.LONG_RUN_SECONDS = default
        print(summary(name, t["chunks"], t["one call"], ("chunks", "one call")), flush=True)


def serve() -> None:
    fns = calls(SHORT)
    for fn in fns.values():
        fn()
    print("ready", flush=True)
    for line in sys.stdin:
        print(timed(fns[line.strip()]), flush=True)


def against(src: str, rounds: int) -> None:
    """This tree / ``src`` on the short cases, alternating rounds in two long-lived workers."""
    for case, this, other in alternate_against(__file__, src, SHORT, rounds):
        print(summary(case, this, other, ("this", "src")), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--against", metavar="SRC", help="time the short cases against another dynstab source tree")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve()
    elif args.against:
        against(args.against, args.rounds)
    else:
        chunks_against_one_call(args.rounds)


if __name__ == "__main__":
    main()
