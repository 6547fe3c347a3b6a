"""Speed and memory of the measured-data report (issues 12, 14): correlation dimension against
peers, the whole report step by step before/after, and the peak memory of loading + report.

Run from the repository root (needs the bench extra: nolds; tsdynamics, the peer named in the
issue, needs Python >= 3.12 and is used when importable):

    .venv/bin/python benchmarks/bench_data_report.py [--rounds 3] [--before REV] [--rows 1e6]
        [--parts 123] [--series ecg-like | PATH.npy:DT]

1. Correlation dimension of 10^4 Lorenz-63 x samples (dt = 0.05, m = 5, tau = 10, Chebyshev
   norm, Theiler window by dynstab's rule): dynstab `correlation_dimension`, a hand-written numba
   all-pairs Grassberger-Procaccia sum on dynstab's radii, window and fit region (the exact
   answer), nolds `corr_dim` (its defaults: Euclidean, no window) and tsdynamics when present.
   Interleaved rounds (A B C A B C ...); the table gives the median time and the median of the
   per-round ratios to dynstab, plus |D2 - exact D2|.
2. `analyze_series` on 10^5 samples of Lorenz x (dt = 0.01) and, with ``--before REV``, the same
   with dynstab's time-series files of revision REV (the other files as now), in alternating
   fresh processes after one untimed round (numba caches); per-step medians.
3. Peak traced memory (tracemalloc, after a warm-up run) of `load_series` + `analyze_series` on
   a CSV of ``--rows`` rows (t, x, y, z of Lorenz-63), per step, as a multiple of the loaded
   float64 array.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import git_state, loadavg, machine, md_table

ROOT = Path(__file__).resolve().parent.parent
#: the files whose "before" revision part 2 compares (the rest of the package as now)
MINE = [
    "dimension.py",
    "neighbors.py",
    "surrogates.py",
    "embedding.py",
    "entropy.py",
    "recurrence.py",
    "rqa.py",
    "io.py",
]


def numba_corrsum():
    from numba import njit

    @njit(cache=False, nogil=True)
    def corrsum(pts, radii, w):
        n, d = pts.shape
        nr = radii.size
        counts = np.zeros(nr, np.int64)
        for i in range(n):
            for j in range(i + w + 1, n):
                dist = 0.0
                for k in range(d):
                    a = abs(pts[i, k] - pts[j, k])
                    if a > dist:
                        dist = a
                lo, hi = 0, nr
                while lo < hi:
                    mid = (lo + hi) // 2
                    if radii[mid] < dist:
                        lo = mid + 1
                    else:
                        hi = mid
                if lo < nr:
                    counts[lo] += 1
        total = (n - w - 1) * (n - w) / 2
        return np.cumsum(counts) / total

    return corrsum


def ecg_like(n: int = 100_000, fs: float = 500.0) -> np.ndarray:
    """A synthetic ECG-like record (P, Q, R, S, T Gaussian waves per beat, jittered RR ~0.8 s,
    500 Hz, white noise and 0.25 Hz baseline wander): oversampled and pseudo-periodic, the case
    where the report was slowest (issue 12: 220 s on a real ECG channel)."""
    rng = np.random.default_rng(0)
    t = np.arange(n) / fs
    beats = np.cumsum(0.8 + 0.05 * rng.standard_normal(400) + 0.03 * np.sin(np.arange(400) * 0.3))
    x = np.zeros(n)
    for b in beats:
        for off, amp, wid in [
            (-0.2, 0.15, 0.025),
            (-0.03, -0.1, 0.008),
            (0.0, 1.0, 0.01),
            (0.03, -0.2, 0.01),
            (0.25, 0.3, 0.04),
        ]:
            x += amp * np.exp(-0.5 * ((t - b - off) / wid) ** 2)
    return x + 0.02 * rng.standard_normal(n) + 0.1 * np.sin(2 * np.pi * 0.25 * t)


def lorenz_x(n: int, dt: float) -> np.ndarray:
    import dynstab

    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=n * dt, dt=dt, transient=50.0)
    return np.asarray(traj.x[:n, 0])


def _module_at(rev: str, name: str):
    """dynstab.timeseries.<name> as of git revision ``rev`` (its relative imports: today's package)."""
    import types

    source = subprocess.run(
        ["git", "show", f"{rev}:src/dynstab/timeseries/{name}.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    mod = types.ModuleType(f"dynstab.timeseries._{name}_at_{rev}")
    mod.__package__ = "dynstab.timeseries"
    sys.modules[mod.__name__] = mod  # dataclasses look their module up
    exec(compile(source, f"{rev}:{name}.py", "exec"), mod.__dict__)
    return mod


def bench_dimension(rounds: int, before: str | None) -> list[str]:
    from dynstab.timeseries import correlation_dimension, embed

    x = lorenz_x(10_000, 0.05)
    m, tau = 5, 10
    pts = embed(x, m, tau)
    ours = correlation_dimension(x, dim=m, tau=tau)  # also compiles
    corrsum = numba_corrsum()
    corrsum(pts[:200], ours.radii, ours.theiler)
    i0, i1 = ours.region_index
    sel = slice(i0, i1 + 1)

    def exact():
        c = corrsum(pts, ours.radii, ours.theiler)
        return float(np.polyfit(np.log(ours.radii[sel]), np.log(c[sel]), 1)[0])

    import nolds

    def nolds_d2():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(nolds.corr_dim(x, emb_dim=m, lag=tau))

    cases = {
        "dynstab correlation_dimension": lambda: correlation_dimension(x, dim=m, tau=tau).dimension,
    }
    if before:
        old = _module_at(before, "dimension")
        old.correlation_dimension(x[:5000], dim=3, tau=tau)
        cases[f"dynstab correlation_dimension before ({before})"] = lambda: (
            old.correlation_dimension(x, dim=m, tau=tau).dimension
        )
    cases |= {
        "numba all-pairs GP sum (same radii, window, region)": exact,
        "nolds corr_dim (defaults)": nolds_d2,
    }
    try:  # the peer; its wheels need Python >= 3.12
        import tsdynamics  # type: ignore[import-not-found]

        cases["tsdynamics"] = lambda: float(tsdynamics.correlation_dimension(x, dim=m, tau=tau))
    except Exception:  # noqa: BLE001 - absent or a different API: left out, and said so below
        pass
    first = {}
    for name, f in cases.items():
        t = time.perf_counter()
        f()
        first[name] = time.perf_counter() - t
    times: dict[str, list[float]] = {k: [] for k in cases}
    values: dict[str, float] = {}
    for _ in range(rounds):
        for name, f in cases.items():
            t = time.perf_counter()
            values[name] = f()
            times[name].append(time.perf_counter() - t)
    base = "dynstab correlation_dimension"
    d2_exact = values["numba all-pairs GP sum (same radii, window, region)"]
    rows = []
    for name in cases:
        ratios = [a / b for a, b in zip(times[name], times[base])]
        rows.append(
            [
                name,
                f"{first[name]:.3f}",
                f"{statistics.median(times[name]):.3f}",
                f"{statistics.median(ratios):.2f}",
                f"{values[name]:.4f}",
                f"{abs(values[name] - d2_exact):.4f}",
            ]
        )
    out = [
        f"### 1. Correlation dimension, 10^4 Lorenz x (dt 0.05), m = {m}, tau = {tau}, Theiler {ours.theiler}, "
        f"{rounds} interleaved rounds",
        "",
    ]
    out += md_table(["method", "first call s", "median s", "median ratio to dynstab", "D2", "|D2 - exact|"], rows)
    if "tsdynamics" not in cases:
        out += ["", "tsdynamics is not installable here (its wheels need Python >= 3.12; the venv is 3.11)."]
    return out


REPORT_CHILD = """
import json, sys, time, numpy as np
t0 = time.perf_counter()
from dynstab.timeseries.report import analyze_series
x = np.load(sys.argv[1])
t1 = time.perf_counter()
rep = analyze_series(x, float(sys.argv[2]))
print(json.dumps({"timings": rep.timings, "import_s": t1 - t0, "process_s": time.perf_counter() - t0,
                  "verdict": rep.verdict}))
"""


def _tree_with(rev: str, tmp: Path) -> Path:
    """A copy of src/ whose time-series files in MINE come from revision ``rev``."""
    src = tmp / "src"
    shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__"))
    for name in MINE:
        path = f"src/dynstab/timeseries/{name}"
        old = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True)
        (tmp / path).write_text(old.stdout)
    return src


def bench_report(rounds: int, before: str | None, series: str | None = None) -> list[str]:
    tmp = Path(tempfile.mkdtemp(prefix="dynstab-bench-"))
    what, dt = "10^5 Lorenz x samples (dt 0.01)", "0.01"
    try:
        data = tmp / "lorenz_x.npy"
        if series == "ecg-like":
            what, dt = "10^5 samples of the synthetic ECG-like record (500 Hz)", "0.002"
            np.save(data, ecg_like())
        elif series:  # PATH.npy:DT, a series of one's own
            path, dt = series.rsplit(":", 1)
            x = np.load(path)
            what = f"{x.size} samples of {Path(path).name} (dt {dt})"
            np.save(data, x)
        else:
            np.save(data, lorenz_x(100_000, 0.01))
        variants = {"now": ROOT / "src"}
        if before:
            variants[f"before ({before})"] = _tree_with(before, tmp / "before")
        runs: dict[str, list[dict]] = {k: [] for k in variants}
        for r in range(rounds + 1):  # round 0 untimed: fills each tree's numba cache
            for name, src in variants.items():
                env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
                res = subprocess.run(
                    [sys.executable, "-c", REPORT_CHILD, str(data), dt],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=tmp,
                )
                if res.returncode:
                    raise RuntimeError(f"{name}: {res.stderr.strip().splitlines()[-1]}")
                if r:
                    runs[name].append(json.loads(res.stdout.strip().splitlines()[-1]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    steps = list(runs["now"][0]["timings"])
    header = ["step"] + [f"{k} median s" for k in variants]
    rows = []
    for s in steps + ["all steps", "whole process"]:
        row = [s]
        for k in variants:
            if s == "all steps":
                vals = [sum(r["timings"].values()) for r in runs[k]]
            elif s == "whole process":
                vals = [r["process_s"] for r in runs[k]]
            else:
                vals = [r["timings"].get(s, float("nan")) for r in runs[k]]
            row.append(f"{statistics.median(vals):.2f}")
        rows.append(row)
    out = [f"### 2. analyze_series, {what}, {rounds} alternating fresh processes each", ""]
    out += md_table(header, rows)
    out += ["", f"Verdict (now): {runs['now'][0]['verdict']}"]
    return out


MEMORY_CHILD = """
import json, sys, time, tracemalloc, numpy as np
from dynstab.timeseries.io import load_series
from dynstab.timeseries.report import analyze_series
analyze_series(np.sin(np.arange(3000) * 0.05) + 0.01 * np.cos(np.arange(3000) * 0.37), 0.01)  # imports, compilation
tracemalloc.start()
t0 = time.perf_counter()
ls = load_series(sys.argv[1], "x")
load_s = time.perf_counter() - t0
load_peak = tracemalloc.get_traced_memory()[1]
tracemalloc.reset_peak()
base = tracemalloc.get_traced_memory()[0]
peaks, cur = {}, [None]
def on_step(name):
    if cur[0] is not None:
        peaks[cur[0]] = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.reset_peak()
    cur[0] = name
rep = analyze_series(ls.x, ls.dt, on_step=on_step)
peaks[cur[0]] = tracemalloc.get_traced_memory()[1] - base
print(json.dumps({"n": int(ls.x.size), "nbytes": ls.x.nbytes, "load_s": load_s, "load_peak": load_peak,
                  "kept": base, "peaks": peaks, "timings": rep.timings}))
"""


def bench_memory(rows: int) -> list[str]:
    tmp = Path(tempfile.mkdtemp(prefix="dynstab-bench-"))
    try:
        import dynstab

        traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=rows * 0.01, dt=0.01, transient=20.0)
        X = np.asarray(traj.x)[:rows]
        path = tmp / "lorenz.csv"
        with path.open("w") as fh:
            fh.write("t,x,y,z\n")
            np.savetxt(fh, np.column_stack([np.arange(X.shape[0]) * 0.01, X]), delimiter=",", fmt="%.6f")
        mb = path.stat().st_size / 1e6
        res = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(path)], capture_output=True, text=True)
        if res.returncode:
            raise RuntimeError(res.stderr.strip().splitlines()[-1])
        r = json.loads(res.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    nb = r["nbytes"]
    table = [["load_series (peak / kept)", f"{r['load_s']:.2f}", f"{r['load_peak'] / nb:.2f} / {r['kept'] / nb:.2f}"]]
    table += [[k, f"{r['timings'].get(k, float('nan')):.2f}", f"{v / nb:.2f}"] for k, v in r["peaks"].items()]
    out = [
        f"### 3. Memory: load_series + analyze_series on a {r['n']}-row CSV ({mb:.0f} MB; the series "
        f"{nb / 1e6:.0f} MB)",
        "",
        "Peak traced memory (tracemalloc) above what was held before the step's run began, as a multiple of the "
        "loaded float64 series; the report's steps include what earlier steps keep.",
        "",
    ]
    out += md_table(["step", "seconds", "peak / series"], table)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", default=None, help="git revision of the time-series files to compare with")
    ap.add_argument("--rows", type=float, default=1e6)
    ap.add_argument("--parts", default="123")
    ap.add_argument("--series", default=None, help="part 2 on 'ecg-like' or PATH.npy:DT instead of Lorenz x")
    args = ap.parse_args()
    load0 = loadavg()
    lines = [f"Machine: {machine()}; git {git_state()}; load average {load0} at the start, {{end}} at the end.", ""]
    if "1" in args.parts:
        lines += bench_dimension(args.rounds, args.before) + [""]
    if "2" in args.parts:
        lines += bench_report(args.rounds, args.before, args.series) + [""]
    if "3" in args.parts:
        lines += bench_memory(int(args.rows)) + [""]
    lines[0] = lines[0].replace("{end}", loadavg())
    print("\n".join(lines))


if __name__ == "__main__":
    main()
