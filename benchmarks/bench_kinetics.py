"""Stochastic chemical kinetics (issue 18): SSA throughput of dynstab against a hand-written numba Gillespie,
and the moment-closure validity scan of Schnoerr, Sanguinetti & Grima (2014).

Throughput. Both sides run the same exact SSA (Gillespie's direct method) on the same network, the same
number of paths and the same recording grid, and count fired reactions:

* dynstab ``kinetics.ssa``: every path a ``lax.while_loop`` (SplitMix64 uniforms carried per path), the
  paths a ``vmap``, in compiled chunks of grid rows (`dynstab.systems.jump.sample_paths`);
* numba: an allocation-free @njit loop, path after path, over a mass-action network given by its
  reactant and change matrices (falling-factorial propensities, cumulative search), NumPy's
  Mersenne Twister inside numba, the state written into a preallocated (runs, times, species) array.

Cases: the linear birth-death network at Omega = 100 from its stationary mean (200 firings per unit time
per path) and the Brusselator at Omega = 100 (2 species, 4 reactions, one of order 3). Rounds alternate
the order (dynstab, numba / numba, dynstab); the table gives median warm wall time, reactions per
second of wall and of CPU time (``time.process_time``: XLA's threads included; a loaded machine
inflates it far less than the wall time) and the medians of the per-round ratios. Compile = first call - median warm call. Whole process:
a fresh interpreter running one case (numba: numpy + numba only, with its on-disk cache; dynstab: with its
compilation cache off), wall time and peak RSS from ``os.wait4`` in a small launcher process.

Validity (``--validity``): `kinetics.validity_scan` of the Brusselator (normal closure, orders 2-4) and
Schlogl's network over Omega, and the SSA's mean amplitude at a size where the order-2 closure oscillates.

Usage: ``.venv/bin/python benchmarks/bench_kinetics.py [--rounds 5] [--runs 2000] [--validity] [--no-write]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numba
import numpy as np
from _results import git_state, loadavg, machine, md_table, replace_section

TITLE = "## Stochastic chemical kinetics: SSA throughput and closure validity (issue 18)"
CASES = {"birth-death": (100.0, 50.0, (1000.0,)), "brusselator": (100.0, 20.0, None)}


# ------------------------------------------------------------------------------------------ the reference
@numba.njit(cache=True)
def numba_ssa(reac, nu, rates, omega, x0, t_end, dt, runs, seed, out):
    """Direct-method SSA of a mass-action network for ``runs`` paths; returns the number of firings."""
    # numba compiles the legacy np.random functions (MT19937), not Generator objects
    np.random.seed(seed)  # noqa: NPY002
    n_r, n_s = reac.shape
    n_t = out.shape[1]
    a = np.empty(n_r)
    scale = np.empty(n_r)
    for j in range(n_r):
        order = 0
        for i in range(n_s):
            order += reac[j, i]
        scale[j] = rates[j] * omega ** (1.0 - order)
    x = np.empty(n_s)
    fired = 0
    for r in range(runs):
        for i in range(n_s):
            x[i] = x0[i]
        t = 0.0
        k = 0
        while k < n_t:
            a0 = 0.0
            for j in range(n_r):
                v = scale[j]
                for i in range(n_s):
                    for m in range(reac[j, i]):
                        v *= x[i] - m
                if v < 0.0:
                    v = 0.0
                a[j] = v
                a0 += v
            tau = -np.log(1.0 - np.random.random()) / a0 if a0 > 0.0 else np.inf  # noqa: NPY002
            while k < n_t and t + tau >= k * dt:  # record the grid times the waiting time crosses
                for i in range(n_s):
                    out[r, k, i] = x[i]
                k += 1
            if k >= n_t:
                break
            t += tau
            u = np.random.random() * a0  # noqa: NPY002
            j = 0
            acc = a[0]
            while acc <= u and j < n_r - 1:
                j += 1
                acc += a[j]
            for i in range(n_s):
                x[i] += nu[j, i]
            fired += 1
    return fired


def _problem(name: str):
    from dynstab.models import kinetics as K

    omega, t, start = CASES[name]
    net = K.network(name)
    x0 = np.asarray(start) if start is not None else net.counts(omega, (1.0, 2.2))
    return net, omega, t, x0


def run_dynstab(name: str, runs: int, seed: int) -> tuple[float, float, int]:
    from dynstab.models import kinetics as K

    net, omega, t, x0 = _problem(name)
    began, cpu = time.perf_counter(), time.process_time()
    ens = K.ssa(net, t, 0.5, runs=runs, omega=omega, x0=x0, seed=seed)
    return time.perf_counter() - began, time.process_time() - cpu, int(ens.events.sum())


def numba_problem(name: str) -> dict:
    """The network's matrices and settings as plain lists (a numba process needs no dynstab)."""
    net, omega, t, x0 = _problem(name)
    return {
        "reac": net.reactants.tolist(),
        "nu": net.stoichiometry.tolist(),
        "rates": [net.params[r.rate] for r in net.reactions],
        "omega": omega,
        "t": t,
        "x0": np.asarray(x0, dtype=float).tolist(),
    }


def run_numba(problem: dict, runs: int, seed: int) -> tuple[float, float, int]:
    n_t = int(round(problem["t"] / 0.5)) + 1
    began, cpu = time.perf_counter(), time.process_time()
    out = np.empty((runs, n_t, len(problem["x0"])))
    fired = numba_ssa(
        np.asarray(problem["reac"], dtype=np.int64),
        np.asarray(problem["nu"], dtype=np.float64),
        np.asarray(problem["rates"], dtype=np.float64),
        problem["omega"],
        np.asarray(problem["x0"]),
        problem["t"],
        0.5,
        runs,
        seed,
        out,
    )
    return time.perf_counter() - began, time.process_time() - cpu, int(fired)


def whole_process(which: str, name: str, runs: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a fresh interpreter running one case (numba: without dynstab).

    A small launcher process starts it and reads its ``os.wait4`` usage: Linux keeps the RSS high-water
    mark across fork + exec, so a child of this (large) process would report at least this one's RSS.
    """
    arg = repr(numba_problem(name)) if which == "numba" else repr(name)
    code = f"import sys; sys.path.insert(0, 'benchmarks'); import bench_kinetics as b; b.run_{which}({arg}, {runs}, 1)"
    launcher = (
        "import os, subprocess, sys, time; t = time.perf_counter(); "
        f"p = subprocess.Popen([sys.executable, '-c', {code!r}]); _, s, u = os.wait4(p.pid, 0); "
        "print(time.perf_counter() - t, u.ru_maxrss, s)"
    )
    env = {**os.environ, "DYNSTAB_CACHE_DIR": ""}
    res = subprocess.run([sys.executable, "-c", launcher], env=env, capture_output=True, text=True, check=True)
    seconds, rss_kib, status = res.stdout.split()
    if int(status) != 0:
        raise RuntimeError(f"the {which} process failed")
    return float(seconds), int(rss_kib) / 1024


def throughput(rounds: int, runs: int) -> list[str]:
    lines = []
    rows = []
    for name in CASES:
        problem = numba_problem(name)
        first = {"dynstab": run_dynstab(name, runs, 0)[0], "numba": run_numba(problem, runs, 0)[0]}
        print(name, "first calls", first, flush=True)
        t: dict[str, list[float]] = {"dynstab": [], "numba": []}
        c: dict[str, list[float]] = {"dynstab": [], "numba": []}
        ev: dict[str, list[int]] = {"dynstab": [], "numba": []}
        for r in range(rounds):
            order = ("dynstab", "numba") if r % 2 == 0 else ("numba", "dynstab")
            for who in order:
                sec, cpu, fired = (
                    run_dynstab(name, runs, r + 1) if who == "dynstab" else run_numba(problem, runs, r + 1)
                )
                t[who].append(sec)
                c[who].append(cpu)
                ev[who].append(fired)
            print(name, r, {k: f"{v[-1]:.2f}s {ev[k][-1] / v[-1]:.3g}/s" for k, v in t.items()}, flush=True)
        rate = {k: [e / s for e, s in zip(ev[k], t[k], strict=True)] for k in t}
        cpu_rate = {k: [e / s for e, s in zip(ev[k], c[k], strict=True)] for k in c}
        ratio = statistics.median(a / b for a, b in zip(rate["numba"], rate["dynstab"], strict=True))
        cpu_ratio = statistics.median(a / b for a, b in zip(cpu_rate["numba"], cpu_rate["dynstab"], strict=True))
        wp = {who: whole_process(who, name, runs) for who in ("dynstab", "numba")}
        for who in ("dynstab", "numba"):
            warm = statistics.median(t[who])
            rows.append(
                [
                    name,
                    who,
                    f"{statistics.median(ev[who]) / runs:.4g}",
                    f"{warm:.3f}",
                    f"{statistics.median(rate[who]):.3g}",
                    f"{statistics.median(cpu_rate[who]):.3g}",
                    f"{first[who] - warm:.2f}" if who == "dynstab" else "cached",
                    f"{wp[who][0]:.2f}",
                    f"{wp[who][1]:.0f}",
                    f"{ratio:.2f} (CPU {cpu_ratio:.2f})" if who == "dynstab" else "1",
                ]
            )
    lines += md_table(
        [
            "network",
            "code",
            "firings per path",
            "warm wall (s)",
            "reactions / s",
            "reactions / CPU-s",
            "compile: first - warm call (s)",
            "whole process (s)",
            "peak RSS (MiB)",
            "numba rate / dynstab rate (median of rounds)",
        ],
        rows,
    )
    return lines


def validity() -> list[str]:
    from dynstab.models import kinetics as K

    lines = []
    scans = {
        "brusselator": [0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 1e4, 1e5],
        "schlogl": [0.5, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0],
    }
    for name, omegas in scans.items():
        net = K.network(name)
        began = time.perf_counter()
        scan = K.validity_scan(net, omegas, closure="normal", orders=(2, 3, 4), t=200.0)
        rows = []
        for row in scan:
            for v in row:
                rows.append(
                    [
                        f"{v.omega:g}",
                        v.order,
                        ", ".join(f"{m:.4g}" for m in v.mean),
                        ", ".join(f"{s:.4g}" for s in v.variance),
                        "; ".join(v.reasons()) or "passes",
                    ]
                )
        lines += [f"\n{name} (normal closure, t = 200; {time.perf_counter() - began:.0f} s):\n"]
        lines += md_table(["Omega", "order", "final mean", "final variance", "flags"], rows)
        for m in (2, 3, 4):
            lines.append(f"- order {m}: physical for Omega in {K.valid_range(scan, m)} (longest run of the grid)")
    # the CME's moments at a size where the order-2 closure oscillates for ever
    net = K.network("brusselator")
    ens = K.ssa(net, 100.0, 0.5, runs=200, omega=3000.0, seed=5)
    sol = K.solve_moments(net, 100.0, 0.5, order=2, omega=3000.0)
    n = ens.t.size
    last, before = slice(n - n // 5, n), slice(n - 2 * (n // 5), n - n // 5)
    amp = lambda m, s: float(np.ptp(m[s, 0]))  # noqa: E731
    lines.append(
        f"- Brusselator, Omega = 3000, t = 100: peak-to-peak of the mean of X over the last two fifths: "
        f"SSA (200 paths, se of the mean {float(ens.mean_error()[-1, 0]):.3g}) {amp(ens.mean(), before):.4g} -> "
        f"{amp(ens.mean(), last):.4g}; normal closure order 2 {amp(sol.mean, before):.4g} -> {amp(sol.mean, last):.4g}"
    )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--validity", action="store_true", help="also run the closure validity scans (slow)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    lines = [
        f"Machine: {machine()}; load before: {loadavg()}; {git_state()}; numba {numba.__version__}.",
        f"Command: `.venv/bin/python benchmarks/bench_kinetics.py --rounds {args.rounds} --runs {args.runs}"
        + (" --validity`" if args.validity else "`"),
        "",
        f"SSA throughput, {args.runs} paths recorded every 0.5 time units (alternating rounds):",
        "",
    ]
    lines += throughput(args.rounds, args.runs)
    print("\n".join(lines), flush=True)  # the table now, before the long validity scans
    if args.validity:
        lines += validity()
    lines.append(f"\nLoad after: {loadavg()}.")
    print("\n".join(lines))
    if not args.no_write:
        replace_section(TITLE, "\n".join(lines))


if __name__ == "__main__":
    main()
