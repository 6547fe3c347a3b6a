"""RQA benchmark (issue 5): dynstab's streaming RQA against pyunicorn, memory against N.

Run from the repository root:

    .venv/bin/python benchmarks/bench_rqa.py            # full: N = 12,500 / 25,000 / 50,000
    .venv/bin/python benchmarks/bench_rqa.py --quick    # small sizes, to check the script

Case (as pucicu/RP_Speed_Test and the tsdynamics benchmark): the x component of the
Rossler system with RP_Speed_Test's parameters a = b = 0.25, c = 4, sampled every dt = 0.05
(about 120 samples per rotation, the attractor is resolved) after a transient of 50 time
units, integrated with ``dynstab.trajectory`` (RK4) on ``dynstab.systems.get("rossler")``;
delay embedding m = 3, tau = 6; supremum norm; eps = 1.2; Theiler window 1 (LOI excluded),
lmin = vmin = 2. N counts embedded points. dynstab computes all 14 measures (RR, DET, L,
Lmax, DIV, ENTR, LAM, TT, Vmax, VENTR, MRT, RTE, NMPRT, TREND) in the one sweep that the
RR/DET/LAM timing refers to.

Timing: time.perf_counter. "compile" is numba's cold compile (a private, empty
NUMBA_CACHE_DIR) of the first call on 500 points; "warm" is the best of the repeats at N.
Memory: each N runs in a fresh subprocess that loads the data, warms the kernel up on a
small input, and reports the growth of the peak resident set size (``ru_maxrss``) during the
RQA call, so the number is the working memory of the call. pyunicorn (dense N x N distance
and recurrence matrices) runs in its own subprocess at sizes it can handle; its RQA is
``rqa_summary`` (RR, DET, L, LAM). tsdynamics cannot be installed here (no wheel for this
platform), so its published 12.9 s (Rust engine, 50,000 points, issue 5) is quoted, as are
the RP_Speed_Test figures (AMD EPYC 9554).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_foundation import cpu_model, loadavg, wait_for_quiet  # noqa: E402

EPS, DIM, TAU, DT = 1.2, 3, 6, 0.05

CHILD_DYNSTAB = r"""
import json, resource, sys, time
import numpy as np
from dynstab.timeseries import rqa
x = np.load(sys.argv[1]); repeats = int(sys.argv[2]); method = sys.argv[3]
rqa(x[:600], 1.2, dim=3, tau=6, method=method)              # warm (numba cache already filled)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
best = cpu = float("inf")
for _ in range(repeats):
    t0, c0 = time.perf_counter(), time.process_time()
    r = rqa(x, 1.2, dim=3, tau=6, method=method)
    best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(time=best, cpu=cpu, mem_mb=(peak - base) / 1024, **r.to_dict())))
"""

CHILD_PYUNICORN = r"""
import json, resource, sys, time
import numpy as np
from pyunicorn.timeseries import RecurrencePlot
x = np.load(sys.argv[1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0, c0 = time.perf_counter(), time.process_time()
rp = RecurrencePlot(x, dim=3, tau=6, metric="supremum", threshold=1.2, silence_level=10)
t1, c1 = time.perf_counter(), time.process_time()
q = rp.rqa_summary(l_min=2, v_min=2)
t2, c2 = time.perf_counter(), time.process_time()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(rp=t1 - t0, rqa=t2 - t1, cpu=c2 - c0, mem_mb=(peak - base) / 1024,
                      **{k: float(v) for k, v in q.items()})))
"""


def rossler_x(n_embedded: int):
    import numpy as np

    import dynstab

    system = dynstab.systems.get("rossler").with_params(a=0.25, b=0.25, c=4.0)
    n = n_embedded + (DIM - 1) * TAU
    traj = dynstab.trajectory(system, t=(n - 1) * DT, dt=DT, transient=50.0)
    return np.ascontiguousarray(traj.x[:n, 0])


def run_child(code: str, args: list[str], env=None) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=3600)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-wait", action="store_true")
    args = ap.parse_args()
    sizes = [1500, 3000, 6000] if args.quick else [12_500, 25_000, 50_000]
    pu_sizes = [1500] if args.quick else [5_000, 10_000]
    load, waited = ("(no wait)", 0.0) if args.no_wait else wait_for_quiet()

    import numpy as np

    tmp = Path(tempfile.mkdtemp(prefix="bench_rqa_"))
    x_all = rossler_x(max(sizes))
    files = {}
    for n in sorted(set(sizes + pu_sizes)):
        files[n] = tmp / f"x{n}.npy"
        np.save(files[n], x_all[: n + (DIM - 1) * TAU])

    # cold numba compile in a private cache directory; later children reuse that cache
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp / "numba_cache"))
    compile_code = (
        "import time, numpy as np\nt0 = time.perf_counter()\nfrom dynstab.timeseries import rqa\n"
        f"t1 = time.perf_counter()\nx = np.load({str(files[min(files)])!r})[:512]\nrqa(x, 1.2, dim=3, tau=6)\n"
        "t2 = time.perf_counter()\n"
        "rqa(x, 1.2, dim=3, tau=6, method='matrix')\nt3 = time.perf_counter()\n"
        "import json; print(json.dumps(dict(imp=t1 - t0, compile=t2 - t1, compile_matrix=t3 - t2)))"
    )
    comp = run_child(compile_code, [], env)

    rows = []
    for n in sizes:
        r = run_child(CHILD_DYNSTAB, [str(files[n]), "1" if n >= 50_000 else "2", "stream"], env)
        rows.append(("dynstab stream", n, r))
        print(n, r, flush=True)
    r = run_child(CHILD_DYNSTAB, [str(files[sizes[0]]), "1", "matrix"], env)
    rows.append(("dynstab sparse matrix", sizes[0], r))
    print("matrix", sizes[0], r, flush=True)
    pu = []
    for n in pu_sizes:
        r = run_child(CHILD_PYUNICORN, [str(files[n])])
        pu.append((n, r))
        print("pyunicorn", n, r, flush=True)
    # dynstab values with pyunicorn's conventions (RR and LAM with the LOI, DET without) for the same N
    from dynstab.timeseries import rqa

    same = {}
    for n in pu_sizes:
        x = np.load(files[n])
        a, b = rqa(x, EPS, dim=DIM, tau=TAU, theiler=0), rqa(x, EPS, dim=DIM, tau=TAU, theiler=1)
        same[n] = dict(RR=a.RR, DET=b.DET, L=b.L, LAM=a.LAM)

    print()
    print(f"CPU: {cpu_model()}; load before: {load} (waited {waited:.0f} s); load after: {loadavg()}")
    print(
        f"numba cold compile: stream kernel {comp.get('compile', float('nan')):.2f} s, "
        f"matrix path {comp.get('compile_matrix', float('nan')):.2f} s (import {comp.get('imp', float('nan')):.2f} s)"
    )
    print()
    print("| library / method | N | wall time (s) | CPU time (s) | peak extra memory (MB) | RR | DET | LAM |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    # the streaming kernel's state: 6 per-column arrays, 3 histograms and the per-diagonal counts (int64)
    for name, n, r in rows:
        if "error" in r:
            print(f"| {name} | {n:,} | failed: {r['error']} | | | | | |")
            continue
        state = f" (state {10 * n * 8 / 2**20:.1f})" if "stream" in name else ""
        print(
            f"| {name} | {n:,} | {r['time']:.2f} | {r['cpu']:.2f} | {r['mem_mb']:.1f}{state} | {r['RR']:.5f} | "
            f"{r['DET']:.5f} | "
            f"{r['LAM']:.5f} |"
        )
    for n, r in pu:
        if "error" in r:
            print(f"| pyunicorn 1.0 (dense) | {n:,} | failed: {r['error']} | | | | | |")
            continue
        print(
            f"| pyunicorn 1.0 (dense), RP + rqa_summary | {n:,} | {r['rp']:.2f} + {r['rqa']:.2f} | {r['cpu']:.2f} | "
            f"{r['mem_mb']:.0f} | {r['RR']:.5f} | {r['DET']:.5f} | {r['LAM']:.5f} |"
        )
        s = same[n]
        print(
            f"| dynstab, pyunicorn's conventions (RR, LAM with LOI; DET without) | {n:,} | | | | {s['RR']:.5f} | "
            f"{s['DET']:.5f} | {s['LAM']:.5f} |"
        )
    print("| tsdynamics (Rust), published in issue 5 | 50,000 | 12.9 | | | | | |")
    print("| RecurrenceAnalysis.jl 1 thread, RP_Speed_Test (EPYC 9554, RP + RQA) | 50,238 | 4.90 + 6.23 | | | | | |")
    print("| pyunicorn, RP_Speed_Test (EPYC 9554, RP + RQA; its largest N) | 50,238 | 9.78 + 30.65 | | | | | |")


if __name__ == "__main__":
    main()
