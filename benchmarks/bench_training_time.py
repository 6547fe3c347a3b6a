"""Training time per system of the benchmark's ESN and NG-RC on the dysts2023 settings (issue 13).

Gilpin (2023, Phys. Rev. Research 5:043252, table of training times) reports the median training time per
system on his benchmark: ESN 0.26 s, NVAR (NG-RC) 0.21 s. Here each dysts2023 flow is sampled like the
preset (100 points per period, 10 periods = the 1000-sample training window, the last 10 of 15 periods after the default transient),
and the benchmark's ESN and NG-RC (``dynstab.bench.models.MODELS``, their first grid point: ESN 300 units,
NG-RC k = 2) are fitted on it, exactly as ``run_task`` fits them, twice each: the first fit of a model class
for a given dimension d compiles (cold), the second reuses the compiled code (warm). The two models alternate
their order from system to system (A B, B A) so machine load hits both alike. Medians over systems; the
number of systems whose data could not be made (a diverging trajectory) is printed.

    .venv/bin/python benchmarks/bench_training_time.py [--systems N | --systems a,b] [--write]

``--write`` rewrites the section "Benchmark training time (issue 13)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import git_state, loadavg, machine, md_table, replace_section

PUBLISHED = {"esn": 0.26, "ngrc": 0.21}  # Gilpin 2023, median training time per system (s)


def _window(system) -> np.ndarray:
    from dynstab.analysis.sampling import trajectory

    x = np.asarray(trajectory(system, periods=15, pts_per_period=100).x)
    return x[-1000:]


def _fit_seconds(name: str, x: np.ndarray, dt: float) -> float:
    from dynstab.bench.models import MODELS

    spec = MODELS[name]
    model = spec.build(seed=0, **spec.grid[0])
    t0 = time.perf_counter()
    model.fit(x, dt=dt)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--systems", default=None, help="a number (the first N dysts2023 flows) or names a,b,c")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()

    import dynstab
    from dynstab.bench.presets import PRESETS
    from dynstab.systems.metadata import metadata

    names = list(PRESETS["dysts2023"].systems)
    if args.systems:
        names = names[: int(args.systems)] if args.systems.isdigit() else args.systems.split(",")
    times: dict[str, dict[str, list[float]]] = {m: {"cold": [], "warm": []} for m in PUBLISHED}
    skipped = []
    began = time.perf_counter()
    for i, name in enumerate(names):
        system = dynstab.systems.get(name)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                x = _window(system)
            if not np.all(np.isfinite(x)):
                raise FloatingPointError("non-finite trajectory")
        except Exception as exc:  # noqa: BLE001 - a system whose data cannot be made is counted, not fatal
            skipped.append(f"{name} ({type(exc).__name__})")
            continue
        dt = float(metadata(system)["period"]) / 100
        order = list(PUBLISHED) if i % 2 == 0 else list(PUBLISHED)[::-1]
        row = []
        for model in order:
            try:
                cold = _fit_seconds(model, x, dt)
                warm = _fit_seconds(model, x, dt)
            except Exception as exc:  # noqa: BLE001 - a fit that fails is reported, the others go on
                row.append(f"{model} failed ({type(exc).__name__})")
                continue
            times[model]["cold"].append(cold)
            times[model]["warm"].append(warm)
            row.append(f"{model} {cold:6.2f} / {warm:5.2f} s")
        print(f"{i + 1:3d}/{len(names)} {name:28s} d={x.shape[1]:2d}  " + "  ".join(row), flush=True)
    wall = time.perf_counter() - began

    rows = []
    for model, published in PUBLISHED.items():
        cold, warm = times[model]["cold"], times[model]["warm"]
        if not warm:
            continue
        rows.append(
            [
                model,
                len(warm),
                f"{statistics.median(warm):.3f}",
                f"{statistics.median(cold):.3f}",
                f"{published:.2f}",
                f"{statistics.median(warm) / published:.2f}",
            ]
        )
    table = md_table(
        ["model", "systems", "median warm fit (s)", "median first fit (s)", "Gilpin 2023 (s)", "warm / published"],
        rows,
    )
    title = "## Benchmark training time (issue 13)"
    body = [
        title,
        "",
        f"Command: `.venv/bin/python benchmarks/bench_training_time.py{' --systems ' + args.systems if args.systems else ''}`"
        f" ({machine()}; load {loadavg()}; {git_state()}; {wall:.0f} s in all).",
        "",
        "Fit on the 1000-sample dysts2023 training window (100 points per period, 10 periods), the benchmark's first",
        "grid point (ESN: 300 units, washout 50; NG-RC: k = 2, ridge 1e-6, z-scored data). 'First fit' includes",
        "JAX compilation for that dimension d; 'warm' is the second fit of the same model on the same data.",
        "",
        *table,
    ]
    if skipped:
        body += ["", f"Systems without usable data ({len(skipped)}): {', '.join(skipped)}"]
    print("\n".join(body))
    if args.write:
        replace_section(title, "\n".join(body))


if __name__ == "__main__":
    main()
