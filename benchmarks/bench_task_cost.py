"""Where a forecasting-benchmark task's time goes: the fast models' tasks of a few systems in one process.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_task_cost.py DATASET.nc aizawa,chua [--trajectories 2]

DATASET.nc is a built dataset (``dynstab bench run --preset dysts2023 ...`` writes it; ``build_dataset`` in
Python). Runs ``run_task`` on every (system, fast model, trajectory) in order, as one Dask worker would (one
BLAS thread, like Dask's workers), and prints the process's CPU seconds, the peak memory and, per model, the
sum of each stage's wall seconds from the records' ``notes["seconds"]`` (search, fit, forecasts, attractor
metrics) and of the tasks' CPU seconds. The first task of each model includes its compilations.
"""

from __future__ import annotations

import argparse
import collections
import resource
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset")
    ap.add_argument("systems", help="comma-separated")
    ap.add_argument("--trajectories", type=int, default=2)
    args = ap.parse_args()

    from dynstab.bench.datasets import load_dataset
    from dynstab.bench.models import MODELS
    from dynstab.bench.task import run_task, tasks_for

    ds = load_dataset(args.dataset)
    fast = [m for m, s in MODELS.items() if not s.slow and s.available]
    tasks = [t for t in tasks_for(ds, models=fast, systems=args.systems.split(",")) if t.trajectory < args.trajectories]
    per_model: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    failed = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for task in tasks:
        rec = run_task(task)
        per_model[task.model].update(rec["notes"].get("seconds", {}))
        per_model[task.model]["tasks"] += 1
        failed += rec["status"] != "ok"
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(tasks)} tasks ({failed} failed): {cpu:.1f} CPU s ({cpu / len(tasks):.2f} per task), {wall:.1f} s wall, peak {peak:.0f} MB"
    )
    print("| model | tasks | search | fit | forecasts | attractor | task CPU |")
    print("|---|---|---|---|---|---|---|")
    for model, c in per_model.items():
        cells = " | ".join(f"{c[k]:.2f}" for k in ("search", "fit", "forecasts", "attractor", "cpu"))
        print(f"| {model} | {c['tasks']} | {cells} |")


if __name__ == "__main__":
    main()
