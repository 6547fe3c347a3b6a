"""Time and size of building a benchmark dataset (issue 13), with each system's problems and excursions.

Builds the preset (default ``dysts2023``: 135 flows x 5 trajectories x 6000 samples) into a fresh folder
in a fresh process, then reports: wall time, file size, the problems recorded, the largest mean shift and
spread of a usable trajectory in catalog standard deviations (what `ATTRACTOR_SCALE` bounds), and a second
build of the same preset (reuse: the hash verified). Two runs into two folders give the same hash.

    .venv/bin/python benchmarks/bench_dataset_build.py [--preset dysts2023] [--root DIR] [--systems a,b]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="dysts2023")
    ap.add_argument("--root", default=None)
    ap.add_argument("--systems", default=None)
    args = ap.parse_args()

    from dynstab.bench.datasets import build_dataset
    from dynstab.bench.presets import get_preset
    from dynstab.systems.metadata import metadata

    preset = get_preset(args.preset)
    if args.systems:
        preset = preset.with_systems(args.systems.split(","))
    root = Path(args.root or tempfile.mkdtemp(prefix="dynstab-bench-"))
    began = time.perf_counter()
    last = [began, _cpu()]

    def progress(done: int, total: int) -> None:
        now, cpu = time.perf_counter(), _cpu()
        if done:
            name = preset.systems[done - 1]
            print(f"  {done:3d}/{total} {name:28s} {now - last[0]:6.1f} s wall {cpu - last[1]:6.1f} s CPU", flush=True)
        last[0], last[1] = now, cpu

    load = os.getloadavg()
    cpu0 = _cpu()
    ds = build_dataset(preset, root=root, progress=progress)
    wall = time.perf_counter() - began
    cpu = _cpu() - cpu0
    size = ds.path.stat().st_size
    print(
        f"\npreset {preset.name}: {len(preset.systems)} systems x {preset.n_trajectories} trajectories x {preset.n_steps} steps"
    )
    print(
        f"build: {wall:.1f} s wall, {cpu:.1f} s CPU (user + system of this process; load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}), "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print(f"file: {ds.path.name}, {size / 1e6:.1f} MB; hash {ds.hash}")
    print(f"usable systems: {len(ds.systems)} of {len(preset.systems)}; unusable trajectories: {len(ds.problems)}")
    for system, traj, reason in ds.problems:
        print(f"  {system} #{traj}: {reason}")
    worst = []  # the statistics ATTRACTOR_SCALE bounds, for the usable trajectories
    for name in ds.systems:
        meta = metadata(name)
        from dynstab.systems import get

        sys_ = get(name)
        bounded = [i for i in range(sys_.dim) if i not in sys_.unbounded]
        if not bounded:
            continue
        mean, std = np.asarray(meta["mean"])[bounded], np.asarray(meta["std"])[bounded]
        for i in ds.trajectories(name):
            td = ds.task_data(name, i)
            longest = max(td.tests.values(), key=lambda ct: len(ct[1]))[1]  # the whole stored series
            x = np.concatenate([td.full_train, longest])[:, bounded]
            shift = float(np.max(np.abs(x.mean(axis=0) - mean) / std))
            spread = float(np.max(x.std(axis=0) / std))
            peak = float(np.max(np.abs(x - mean) / std))
            worst.append((shift, spread, peak, name, i))
    for k, label in enumerate(("mean shift", "spread", "largest single excursion")):
        top = sorted(worst, key=lambda w: -w[k])[:4]
        print(
            f"usable trajectories, {label} (catalog standard deviations): "
            + ", ".join(f"{w[3]} #{w[4]} {w[k]:.2f}" for w in top)
        )
    began = time.perf_counter()
    again = build_dataset(preset, root=root)
    print(
        f"second build_dataset (reuse, hash verified): {time.perf_counter() - began:.2f} s, same hash: {again.hash == ds.hash}"
    )


if __name__ == "__main__":
    sys.exit(main())
