"""Rings of phase oscillators (issue 17): a dynstab ensemble against a hand-written numba Euler-Maruyama loop.

The case: L = 1024 oscillators, R = 32 realizations, t = 100 (2000 Euler-Maruyama steps of 0.05), the KPZ
point of the tests (K = 1, a = 2, D = 0.075), the roughness, phase slips and mean velocity recorded every
0.5 (200 samples), from the flat start:

* ``dynstab``: `dynstab.models.oscillator_chains.simulate_chain` (the ensemble through
  `dynstab.simulate.trajectory`, x0 of shape (R, L), one compiled call per chunk of samples, JAX's
  threefry normals drawn per step from ``fold_in(key, k)``);
* ``numba``: an allocation-free ``@njit`` loop as an expert would write it (one thread; per step one sine
  and one cosine per bond, the update in place, ``np.random.standard_normal`` from a seeded generator;
  the observables accumulated in the loop).

Each is a fresh process (``--worker NAME``, no compilation cache): compile = first call - warm, warm =
median of ``--repeats`` warm calls, process = the whole process's wall time (imports, compile, all calls),
peak RSS (``os.wait4``). dynstab and numba alternate A B / B A over the rounds; the ratio is the median
of the per-round ratios of warm times. Both draw different noise, so the check is statistical: the final
roughness w(t = 100) of the two agrees within a few percent (R L = 32768 oscillators).

Usage::

    .venv/bin/python benchmarks/bench_oscillator_chains.py            # writes its section of RESULTS.md
    .venv/bin/python benchmarks/bench_oscillator_chains.py --quick    # L = 256, t = 20, writes nothing
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import git_state, loadavg, machine, md_table, replace_section

K, A, D, STEP, SAMPLE = 1.0, 2.0, 0.075, 0.05, 0.5


def numba_kernel():
    import numba

    @numba.njit(cache=False, fastmath=False)
    def run(size, realizations, k, a, d, h, n_steps, every, seed, w2, slips, velocity):
        """Euler-Maruyama on the ring; w2, slips, velocity: (R, n_steps // every), filled in place."""
        phi = np.empty(size)
        s = np.empty(size)
        c = np.empty(size)
        wind = np.empty(size)
        amp = math.sqrt(2.0 * d * h)
        two_pi = 2.0 * math.pi
        for r in range(realizations):
            np.random.seed(seed + r)  # noqa: NPY002 - numba's in-kernel generator has only the legacy API
            for j in range(size):
                phi[j] = 0.0
                wind[j] = 0.0
            mean_before = 0.0
            for n in range(n_steps):
                for j in range(size):  # one sine and cosine per bond j -- j+1
                    dj = phi[j + 1 if j + 1 < size else 0] - phi[j]
                    s[j] = math.sin(dj)
                    c[j] = math.cos(dj)
                for j in range(size):
                    jm = j - 1 if j > 0 else size - 1
                    phi[j] += h * k * (s[j] - s[jm] + a * (2.0 - c[j] - c[jm])) + amp * np.random.standard_normal()  # noqa: NPY002
                if (n + 1) % every == 0:
                    i = (n + 1) // every - 1
                    mean = 0.0
                    for j in range(size):
                        mean += phi[j]
                    mean /= size
                    var = 0.0
                    changed = 0.0
                    for j in range(size):
                        var += (phi[j] - mean) ** 2
                        w = round((phi[j + 1 if j + 1 < size else 0] - phi[j]) / two_pi)
                        changed += abs(w - wind[j])
                        wind[j] = w
                    w2[r, i] = var / size
                    slips[r, i] = changed
                    velocity[r, i] = (mean - mean_before) / (every * h)
                    mean_before = mean

    return run


def worker(name: str, size: int, realizations: int, t: float, repeats: int) -> dict:
    n_samples = int(round(t / SAMPLE))
    if name == "dynstab":
        from dynstab.models import oscillator_chains as oc

        system = oc.chain(size, coupling=K, nonoddity=A, noise=D, dt=STEP)

        def go():
            run = oc.simulate_chain(system, t, realizations=realizations, sample_dt=SAMPLE, seed=1)
            return float(run.roughness[-1]), float(run.slip_counts.mean())

    elif name == "numba":
        kernel = numba_kernel()
        every = int(round(SAMPLE / STEP))
        w2 = np.empty((realizations, n_samples))
        slips = np.empty_like(w2)
        velocity = np.empty_like(w2)

        def go():
            kernel(size, realizations, K, A, D, STEP, n_samples * every, every, 1, w2, slips, velocity)
            return float(np.sqrt(w2[:, -1].mean())), float(slips.sum(axis=1).mean())

    else:
        raise SystemExit(f"unknown worker {name!r}")
    t0 = time.perf_counter()
    w, s = go()
    first = time.perf_counter() - t0
    warm, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        w, s = go()
        warm.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"first": first, "warm": statistics.median(warm), "cpu": statistics.median(cpu), "w_end": w, "slips": s}


def run_process(name: str, size: int, realizations: int, t: float, repeats: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", name, "--size", str(size), "--realizations", str(realizations)]
    cmd += ["--t", str(t), "--repeats", str(repeats)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, "DYNSTAB_CACHE_DIR": ""})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    assert proc.stdout is not None
    text = proc.stdout.read()
    if status != 0:
        raise RuntimeError(f"worker {name} failed: {text}")
    out = json.loads(text.strip().splitlines()[-1])
    out.update(process=wall, rss_mb=usage.ru_maxrss / 1024, compile=max(out["first"] - out["warm"], 0.0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker")
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--realizations", type=int, default=32)
    ap.add_argument("--t", type=float, default=100.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.size, args.realizations, args.t, args.repeats)))
        return
    size, t = (256, 20.0) if args.quick else (args.size, args.t)
    rounds = 2 if args.quick else args.rounds
    load0 = loadavg()
    res: dict[str, list[dict]] = {"dynstab": [], "numba": []}
    for r in range(rounds):
        for who in ("dynstab", "numba") if r % 2 == 0 else ("numba", "dynstab"):
            res[who].append(run_process(who, size, args.realizations, t, args.repeats))
            print(who, {k: round(v, 4) for k, v in res[who][-1].items()}, flush=True)
    ratios = [a["warm"] / b["warm"] for a, b in zip(res["dynstab"], res["numba"], strict=True)]
    cpu_ratios = [a["cpu"] / b["cpu"] for a, b in zip(res["dynstab"], res["numba"], strict=True)]
    med = {k: {f: statistics.median(x[f] for x in v) for f in v[0]} for k, v in res.items()}
    steps = int(round(t / STEP))
    site_steps = size * args.realizations * steps
    print(f"dynstab / numba (warm): median {statistics.median(ratios):.2f}x, rounds {[round(x, 2) for x in ratios]}")
    if args.quick:
        return
    import jax
    import numba

    rows = [
        [
            name,
            f"{m['warm']:.2f}",
            f"{m['cpu']:.2f}",
            f"{m['cpu'] / site_steps * 1e9:.0f}",
            f"{m['compile']:.2f}",
            f"{m['process']:.2f}",
            f"{m['rss_mb']:.0f}",
            f"{m['w_end']:.4f}",
            f"{m['slips']:.2f}",
        ]
        for name, m in (
            ("dynstab simulate_chain (trajectory ensemble)", med["dynstab"]),
            ("numba, hand-written @njit EM (1 thread)", med["numba"]),
        )
    ]
    body = [
        "## Rings of phase oscillators (issue 17)",
        "",
        f"`.venv/bin/python benchmarks/bench_oscillator_chains.py` ({time.strftime('%Y-%m-%d')}, {machine()}, "
        f"jax {jax.__version__}, numba {numba.__version__}, git {git_state()}, load {load0} -> {loadavg()}).",
        "",
        f"L = {size}, R = {args.realizations}, t = {t:g} ({steps} Euler-Maruyama steps of {STEP}), K = {K:g}, a = {A:g}, "
        f"D = {D:g}, roughness / slips / velocity every {SAMPLE} (the KPZ point of the tests). Each a fresh process "
        f"without compilation cache: warm = median of {args.repeats} warm runs (wall and CPU time), compile = first - warm, "
        "process = the "
        "whole process, RSS = its peak; w_end = final roughness (the two draw different noise: it agrees "
        "statistically), slips = per realization.",
        "",
        *md_table(
            [
                "implementation",
                "warm (s)",
                "warm CPU (s)",
                "CPU ns per oscillator-step",
                "compile (s)",
                "process (s)",
                "peak RSS (MB)",
                "w_end",
                "slips",
            ],
            rows,
        ),
        "",
        f"dynstab / numba, median of {rounds} interleaved rounds (A B / B A): **{statistics.median(ratios):.2f}x** "
        f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)}); in CPU seconds (all threads; the machine is shared): "
        f"**{statistics.median(cpu_ratios):.2f}x** (rounds: {', '.join(f'{x:.2f}' for x in cpu_ratios)}).",
        "",
        "Where the time goes: per oscillator and step both evaluate one sine, one cosine and one normal. XLA does "
        "them as array operations over R x L (threefry normals, drawn per step from fold_in(key, k), and the "
        "chunks' host round trips for the observables); numba calls scalar libm sin/cos and its scalar polar-method "
        "normals (no Intel SVML here, so LLVM does not vectorize them). The wall times swing with the shared "
        "machine's load; the CPU ratio is the stable comparison.",
    ]
    replace_section("## Rings of phase oscillators (issue 17)", "\n".join(body) + "\n")
    print("\n".join(body))


if __name__ == "__main__":
    main()
