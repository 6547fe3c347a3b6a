"""Phonon stability timings (issue 19): each built-in structure under EMT, whole workflow and its parts.

Each structure runs in a fresh process (no warm caches) ``--rounds`` times, the structures interleaved in a
rotating order; reports the median wall and CPU time of the whole `phonon_stability` call (relaxation, forces
of the displaced supercells, bands + mesh) and the process's peak RSS, with the min/max frequency against the
verified table of ../shared/notes/seed-models.md section 7.

    .venv/bin/python benchmarks/bench_phonons.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

TABLE = {"cu-fcc": (0.0, 8.157), "al-fcc": (0.0, 8.480), "cu-bcc": (-1.170, 8.130), "cu-sc": (-3.490, 7.492)}

CHILD = r"""
import json, resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from dynstab.models.phonons import phonon_stability
t1, c1 = time.perf_counter(), time.process_time()
r = phonon_stability(sys.argv[1])
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import": t1 - t0, "wall": t2 - t1, "cpu": c2 - c1, "parts": r.timings,
                  "min": r.min_frequency, "max": r.max_frequency, "verdict": r.verdict,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    names = list(TABLE)
    runs: dict[str, list[dict]] = {n: [] for n in names}
    for k in range(args.rounds):
        order = names[k % len(names) :] + names[: k % len(names)]
        for name in order:
            out = subprocess.run([sys.executable, "-c", CHILD, name], capture_output=True, text=True, check=True)
            runs[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(
        "| structure | min f (THz) | table | max f (THz) | table | verdict | wall (s) | CPU (s) | relax / forces / phonons (s) | peak RSS (MB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        rs = runs[name]
        med = {key: statistics.median(r[key] for r in rs) for key in ("wall", "cpu", "rss_mb")}
        parts = {p: statistics.median(r["parts"][p] for r in rs) for p in ("relax", "forces", "phonons")}
        r0 = rs[0]
        print(
            f"| {name} | {r0['min']:.4f} | {TABLE[name][0]:.3f} | {r0['max']:.3f} | {TABLE[name][1]:.3f} | {r0['verdict']} "
            f"| {med['wall']:.2f} | {med['cpu']:.2f} | {parts['relax']:.2f} / {parts['forces']:.2f} / {parts['phonons']:.2f} "
            f"| {med['rss_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
