"""Evolution-loop benchmarks (issue 11): dynstab's fixed-step loops against allocation-free numba.

Run from the repository root:

    .venv/bin/python benchmarks/bench_evolution.py [--rounds 15] [--write] [--quick] [--no-wait]

Cases (each against a hand-written numba kernel: scalar locals, no allocation per step,
analytic tangent update inline, fastmath off):

1. ``henon``: largest Lyapunov exponent of the Henon map, 1e5 iterations after 1000 of
   transient, tangent vector normalized every iteration
   (``dynstab.max_lyapunov(henon, n=100_000)``);
2. ``lorenz_rk4``: Lorenz-63 trajectory, RK4 at dt = 0.01 to t = 1e4, every step stored
   (1e6 + 1 points; ``dynstab.trajectory(lorenz, t=1e4, dt=0.01, method="rk4")``);
3. ``lorenz_spectrum``: Lorenz-63 Lyapunov spectrum, RK4 dt = 0.01 to t = 1e4, modified
   Gram-Schmidt every 10 steps, no transient
   (``dynstab.lyapunov_spectrum(lorenz, t=1e4, dt=0.01, qr_interval=0.1, transient=0)``).

The numba kernels evaluate the orbit with the same floating-point operations in the same
order as dynstab's RK4 (stage states x + (h a_ij) k_j, result x + (h b_1) k_1 + ... summed left
to right) and start from dynstab's initial tangent frame (the Q factor of a seeded normal
matrix). XLA contracts a * b + c into fused multiply-adds and numba with fastmath off does not,
so over the full runs round-off separates the chaotic orbits (after ~40 time units for Lorenz,
~80 iterations for Henon) and the exponents agree only to their statistical error (~1e-3).
"Same algorithm" is therefore checked on short horizons, where round-off has not grown: the
exponents over 30 Henon iterations (no transient) and over t = 5 of Lorenz to 1e-6 relative,
and the trajectory to t = 5 to 1e-10; the full-run differences are printed for information.

``--against SRC`` compares this tree with another dynstab source tree instead of numba (a before/after
check of a change: ``git archive COMMIT src | tar -x -C /tmp/before`` then ``--against /tmp/before/src``):
two long-lived worker processes, one importing this tree and one ``SRC`` (through ``PYTHONPATH``),
answer timing requests for the dynstab calls above and ``lorenz_analyze`` (the spectrum `dynstab
analyze` runs: t = 1000, 5 initial conditions, the default transient); each round times both, in
alternating order, and the medians of the per-round ratios this / SRC are printed with the best times.
Nothing is written.

Timing: in one process, after a warm-up call of each, ``--rounds`` rounds of (dynstab call,
numba call), each forced to host data; reported are the median times and the median of the
per-round ratios dynstab / numba (the machine is shared: interleaving cancels slow drifts).
Compile time, whole-process time and peak memory come from one fresh subprocess per
(case, implementation) (``--worker CASE IMPL``): its wall time from start to exit, its first
call minus a second (warm) call as compile time, and ``ru_maxrss`` as peak resident memory.
dynstab's persistent compilation cache is off in every process (``DYNSTAB_CACHE_DIR=""``),
numba's cache too, so first calls really compile. It first waits (at most 10 minutes) for the
1-minute load average to drop below 1.5 (2-core machine; ``--no-wait`` skips it). ``--write`` rewrites the section
"Evolution loops (issue 11)" of benchmarks/RESULTS.md.
"""
# ruff: noqa: E702  (the numba references write x, y and z of one stage on one line)

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import alternate_against, git_state, loadavg, machine, md_table, replace_section
from bench_foundation import wait_for_quiet

os.environ["DYNSTAB_CACHE_DIR"] = ""  # real compile times (must precede importing dynstab)

import numpy as np

SECTION = "## Evolution loops (issue 11)"
TARGET = 1.5  # dynstab warm / numba warm

HENON = dict(a=1.4, b=0.3, x0=(0.0, 0.27), n=100_000, n_tr=1000)
LORENZ = dict(sigma=10.0, rho=28.0, beta=8.0 / 3.0, x0=(-9.7869288, -15.03852, 20.533978), h=0.01, t=1e4, m=10)
RK4_A = (0.5, 0.5, 1.0)  # a_21, a_32, a_43 of the classic RK4 tableau
RK4_B = (1 / 6, 1 / 3, 1 / 3, 1 / 6)
CASES = ("henon", "lorenz_rk4", "lorenz_spectrum")
TITLES = {
    "henon": "Henon largest exponent, 1e5 iterations (+1000 transient), normalize every iteration",
    "lorenz_rk4": "Lorenz RK4 trajectory, dt = 0.01 to t = 1e4, every step stored (1e6 + 1 points)",
    "lorenz_spectrum": "Lorenz spectrum, RK4 dt = 0.01 to t = 1e4, MGS every 10 steps, no transient",
}


def initial_frame(d: int, k: int, seed: int = 0) -> np.ndarray:
    """dynstab's initial tangent frame: the Q factor of a seeded (d, k) normal matrix."""
    return np.linalg.qr(np.random.default_rng(seed).standard_normal((d, k)))[0]


# --------------------------------------------------------------------------- numba references


def numba_kernels(henon: dict | None = None, lorenz: dict | None = None) -> dict:
    """The three references, as callables returning host data; ``henon``/``lorenz`` override sizes."""
    from numba import njit

    @njit(cache=False, fastmath=False)
    def henon_mle(x, y, a, b, v0, v1, n_tr, n):
        for _ in range(n_tr):
            x, y = 1.0 - a * (x * x) + y, b * x
        s = 0.0
        for _ in range(n):
            w0 = -2.0 * a * x * v0 + v1  # J(x_n) v, J = [[-2 a x, 1], [b, 0]]
            w1 = b * v0
            x, y = 1.0 - a * (x * x) + y, b * x
            r = math.sqrt(w0 * w0 + w1 * w1)
            s += math.log(r)
            v0 = w0 / r
            v1 = w1 / r
        return s / n

    # the numba references keep one line per RK stage, x, y and z side by side
    # fmt: off
    @njit(cache=False, fastmath=False)
    def lorenz_traj(x, y, z, s, r, b, a1, a2, a3, c1, c2, c3, c4, n):
        out = np.empty((n + 1, 3))
        out[0, 0] = x; out[0, 1] = y; out[0, 2] = z
        for i in range(1, n + 1):
            k1x = s * (y - x); k1y = x * (r - z) - y; k1z = x * y - b * z
            u = x + a1 * k1x; v = y + a1 * k1y; w = z + a1 * k1z
            k2x = s * (v - u); k2y = u * (r - w) - v; k2z = u * v - b * w
            u = x + a2 * k2x; v = y + a2 * k2y; w = z + a2 * k2z
            k3x = s * (v - u); k3y = u * (r - w) - v; k3z = u * v - b * w
            u = x + a3 * k3x; v = y + a3 * k3y; w = z + a3 * k3z
            k4x = s * (v - u); k4y = u * (r - w) - v; k4z = u * v - b * w
            x = x + c1 * k1x + c2 * k2x + c3 * k3x + c4 * k4x
            y = y + c1 * k1y + c2 * k2y + c3 * k3y + c4 * k4y
            z = z + c1 * k1z + c2 * k2z + c3 * k3z + c4 * k4z
            out[i, 0] = x; out[i, 1] = y; out[i, 2] = z
        return out

    @njit(cache=False, fastmath=False, inline="always")
    def tangent(x, y, z, s, r, b, q0, q1, q2):
        """J(x) q for Lorenz, J = [[-s, s, 0], [r - z, -1, -x], [y, x, -b]]."""
        return s * (q1 - q0), (r - z) * q0 - q1 - x * q2, y * q0 + x * q1 - b * q2

    @njit(cache=False, fastmath=False)
    def lorenz_spectrum(x, y, z, s, r, b, a1, a2, a3, c1, c2, c3, c4, m, n_qr, Q0):
        Q = Q0.copy()  # columns are tangent vectors; one allocation per call
        sums = np.zeros(3)
        for _ in range(n_qr):
            for _ in range(m):
                k1x = s * (y - x); k1y = x * (r - z) - y; k1z = x * y - b * z
                u1 = x + a1 * k1x; v1 = y + a1 * k1y; w1 = z + a1 * k1z
                k2x = s * (v1 - u1); k2y = u1 * (r - w1) - v1; k2z = u1 * v1 - b * w1
                u2 = x + a2 * k2x; v2 = y + a2 * k2y; w2 = z + a2 * k2z
                k3x = s * (v2 - u2); k3y = u2 * (r - w2) - v2; k3z = u2 * v2 - b * w2
                u3 = x + a3 * k3x; v3 = y + a3 * k3y; w3 = z + a3 * k3z
                k4x = s * (v3 - u3); k4y = u3 * (r - w3) - v3; k4z = u3 * v3 - b * w3
                for j in range(3):  # RK4 of dq/dt = J(x(t)) q, column by column, at the same stage states
                    q0, q1, q2 = Q[0, j], Q[1, j], Q[2, j]
                    l1 = tangent(x, y, z, s, r, b, q0, q1, q2)
                    l2 = tangent(u1, v1, w1, s, r, b, q0 + a1 * l1[0], q1 + a1 * l1[1], q2 + a1 * l1[2])
                    l3 = tangent(u2, v2, w2, s, r, b, q0 + a2 * l2[0], q1 + a2 * l2[1], q2 + a2 * l2[2])
                    l4 = tangent(u3, v3, w3, s, r, b, q0 + a3 * l3[0], q1 + a3 * l3[1], q2 + a3 * l3[2])
                    Q[0, j] = q0 + c1 * l1[0] + c2 * l2[0] + c3 * l3[0] + c4 * l4[0]
                    Q[1, j] = q1 + c1 * l1[1] + c2 * l2[1] + c3 * l3[1] + c4 * l4[1]
                    Q[2, j] = q2 + c1 * l1[2] + c2 * l2[2] + c3 * l3[2] + c4 * l4[2]
                x = x + c1 * k1x + c2 * k2x + c3 * k3x + c4 * k4x
                y = y + c1 * k1y + c2 * k2y + c3 * k3y + c4 * k4y
                z = z + c1 * k1z + c2 * k2z + c3 * k3z + c4 * k4z
            for j in range(3):  # modified Gram-Schmidt
                for i in range(j):
                    d = Q[0, i] * Q[0, j] + Q[1, i] * Q[1, j] + Q[2, i] * Q[2, j]
                    Q[0, j] -= d * Q[0, i]; Q[1, j] -= d * Q[1, i]; Q[2, j] -= d * Q[2, i]
                nrm = math.sqrt(Q[0, j] * Q[0, j] + Q[1, j] * Q[1, j] + Q[2, j] * Q[2, j])
                sums[j] += math.log(nrm)
                Q[0, j] /= nrm; Q[1, j] /= nrm; Q[2, j] /= nrm
        return sums  # ln of the stretching of each direction, summed

    H, L = {**HENON, **(henon or {})}, {**LORENZ, **(lorenz or {})}
    h = L["h"]
    rk = tuple(h * a for a in RK4_A) + tuple(h * c for c in RK4_B)  # the constants h a_ij, h b_i as dynstab's
    lz = (*L["x0"], L["sigma"], L["rho"], L["beta"], *rk)
    n_steps = int(round(L["t"] / h))
    v = initial_frame(2, 1)[:, 0]
    Q0 = initial_frame(3, 3)
    n_qr = n_steps // L["m"]
    # fmt: on
    return {
        "henon": lambda: henon_mle(*H["x0"], H["a"], H["b"], v[0], v[1], H["n_tr"], H["n"]),
        "lorenz_rk4": lambda: lorenz_traj(*lz, n_steps),
        "lorenz_spectrum": lambda: np.sort(lorenz_spectrum(*lz, L["m"], n_qr, Q0))[::-1] / (n_qr * L["m"] * h),
    }


# --------------------------------------------------------------------------- dynstab calls (public API only)


def dynstab_calls(henon: dict | None = None, lorenz: dict | None = None) -> dict:
    import dynstab

    H, L = {**HENON, **(henon or {})}, {**LORENZ, **(lorenz or {})}
    hs, lorenz = dynstab.systems.get("henon"), dynstab.systems.get("lorenz")
    assert np.allclose(np.asarray(hs.x0), H["x0"]) and np.allclose(np.asarray(lorenz.x0), L["x0"])
    return {
        "henon": lambda: dynstab.max_lyapunov(hs, n=H["n"], transient=H["n_tr"]),
        "lorenz_rk4": lambda: dynstab.trajectory(lorenz, t=L["t"], dt=L["h"], method="rk4").x,
        "lorenz_spectrum": lambda: np.asarray(
            dynstab.lyapunov_spectrum(lorenz, t=L["t"], dt=L["h"], qr_interval=L["m"] * L["h"], transient=0.0).exponents
        ),
        "lorenz_analyze": lambda: np.asarray(dynstab.lyapunov_spectrum(lorenz, t=1000.0, n_ics=5).exponents),
    }


def serve() -> None:
    """A worker of ``--against``: warm every dynstab call, then time the one named on each stdin line."""
    calls = dynstab_calls()
    for fn in calls.values():
        fn()
    print("ready", flush=True)
    for line in sys.stdin:
        print(timed(calls[line.strip()])[0], flush=True)


def against(src: str, rounds: int) -> None:
    """This tree / ``src``: medians of per-round ratios over alternating rounds (see the module docstring)."""
    print(f"this tree / {src}, {rounds} alternating rounds, load {loadavg()}")
    cases = [c for c in (*CASES, "lorenz_analyze") if c != "lorenz_rk4"]  # the trajectory loop is not a Lyapunov run
    for case, this, other in alternate_against(__file__, src, cases, rounds):
        ratios = [a / b for a, b in zip(this, other)]
        q = statistics.quantiles(ratios, n=4)
        print(
            f"{case}: this / src = {statistics.median(ratios):.3f} (quartiles {q[0]:.2f}-{q[2]:.2f}); "
            f"median {fmt(statistics.median(this))} vs {fmt(statistics.median(other))}, "
            f"best {fmt(min(this))} vs {fmt(min(other))}",
            flush=True,
        )


# --------------------------------------------------------------------------- measurement


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def worker(case: str, impl: str) -> None:
    """One fresh process: import, first call, warm call, peak RSS; prints JSON."""
    t0 = time.perf_counter()
    calls = dynstab_calls() if impl == "dynstab" else numba_kernels()
    t_import = time.perf_counter() - t0
    first, _ = timed(calls[case])
    warm, _ = timed(calls[case])
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(json.dumps(dict(import_s=t_import, first_s=first, warm_s=warm, maxrss_mb=rss_mb)))


def run_worker(case: str, impl: str) -> dict:
    t0 = time.perf_counter()
    p = subprocess.run(
        [sys.executable, __file__, "--worker", case, impl],
        capture_output=True,
        text=True,
        env={**os.environ, "DYNSTAB_CACHE_DIR": ""},
    )
    wall = time.perf_counter() - t0
    if p.returncode:
        raise RuntimeError(f"worker {case} {impl} failed:\n{p.stderr[-3000:]}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["process_s"] = wall
    out["compile_s"] = max(out["first_s"] - out["warm_s"], 0.0)
    return out


def interleaved(fa, fb, rounds: int) -> dict:
    """Rounds of (A, B); medians of A, B and of the per-round ratios A / B."""
    ta, tb = [], []
    for _ in range(rounds):
        ta.append(timed(fa)[0])
        tb.append(timed(fb)[0])
    ratios = [a / b for a, b in zip(ta, tb)]
    return dict(
        a=statistics.median(ta),
        b=statistics.median(tb),
        ratio=statistics.median(ratios),
        ratio_min=min(ratios),
        ratio_max=max(ratios),
        a_best=min(ta),
        b_best=min(tb),
    )


SHORT = dict(henon=dict(n=30, n_tr=0), lorenz=dict(t=5.0))  # horizons where round-off has not grown yet


def agreement(case: str, ours, ref, short_ours, short_ref) -> tuple[str, bool]:
    """Same algorithm? Exact on a short horizon (1e-6 / 1e-10); the full runs are compared for information.

    XLA contracts a * b + c into fused multiply-adds and numba (fastmath off) does not, so the chaotic
    orbits of the full runs separate after ~80 iterations (Henon) or ~40 time units (Lorenz) and
    their exponents then agree only to the statistical error (~1e-3)."""
    if case == "lorenz_rk4":
        dev = np.max(np.abs(ours - ref), axis=1)
        n5 = int(round(5.0 / LORENZ["h"])) + 1
        early = float(dev[:n5].max())
        bad = np.nonzero(dev > 1e-10)[0]
        when = f"; > 1e-10 from t = {bad[0] * LORENZ['h']:g} (chaotic growth of round-off)" if bad.size else ""
        return f"max deviation to t = 5: {early:.1e}; to t = 1e4: {float(dev.max()):.1e}{when}", early <= 1e-10

    def rel(a, b):
        a, b = np.atleast_1d(np.asarray(a, float)), np.atleast_1d(np.asarray(b, float))
        return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))

    short = rel(short_ours, short_ref)
    horizon = f"{SHORT['henon']['n']} iterations" if case == "henon" else f"t = {SHORT['lorenz']['t']:g}"
    vals = ", ".join(f"{v:+.6f}" for v in np.atleast_1d(ours))
    return (f"{horizon}: rel. diff {short:.1e}; full run [{vals}], rel. diff {rel(ours, ref):.1e}", short <= 1e-6)


def source(dynstab) -> str:
    """The measured code: this checkout, or the tree dynstab was imported from (e.g. a ``git archive`` via PYTHONPATH)."""
    where = Path(dynstab.__file__).resolve().parent.parent
    here = Path(__file__).resolve().parent.parent / "src"
    return git_state() if where == here else f"dynstab imported from `{where}` (checkout: {git_state()})"


def command() -> str:
    pp = os.environ.get("PYTHONPATH")
    return f"{f'PYTHONPATH={pp} ' if pp else ''}.venv/bin/python benchmarks/bench_evolution.py {' '.join(sys.argv[1:])}"


def fmt(t: float) -> str:
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--cases", nargs="*", default=list(CASES), choices=CASES)
    ap.add_argument("--write", action="store_true", help="rewrite the RESULTS.md section")
    ap.add_argument("--quick", action="store_true", help="3 rounds, no subprocesses (checks the script)")
    ap.add_argument("--no-wait", action="store_true", help="skip the wait for a 1-minute load below 1.5")
    ap.add_argument("--worker", nargs=2, metavar=("CASE", "IMPL"), help=argparse.SUPPRESS)
    ap.add_argument("--against", metavar="SRC", help="compare with another dynstab source tree (no numba)")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(*args.worker)
    if args.serve:
        return serve()
    if args.against:
        return against(args.against, args.rounds)
    rounds = 3 if args.quick else args.rounds
    waited = 0.0 if (args.quick or args.no_wait) else wait_for_quiet(threshold=1.5, max_wait=600.0)[1]
    load0, t_start = loadavg(), time.perf_counter()

    procs = {}
    if not args.quick:
        for case in args.cases:
            for impl in ("dynstab", "numba"):
                procs[case, impl] = run_worker(case, impl)
                print(f"  process {case:16s} {impl:8s} {procs[case, impl]}", flush=True)

    ds, nb = dynstab_calls(), numba_kernels()
    ds_short, nb_short = dynstab_calls(**SHORT), numba_kernels(**SHORT)
    rows, checks, summary = [], [], []
    for case in args.cases:
        ours, ref = ds[case](), nb[case]()  # warm-up (compiles) and the agreement check
        text, ok = agreement(case, ours, ref, ds_short[case](), nb_short[case]())
        checks.append(f"* {case}: {text} - {'ok' if ok else 'NOT within tolerance'}")
        r = interleaved(ds[case], nb[case], rounds)
        met = r["ratio"] <= TARGET
        summary.append(
            f"* **{'met' if met else 'not met'}** - {case}: dynstab / numba = {r['ratio']:.2f}x (target <= {TARGET}x)"
        )
        for impl, key in (("dynstab", "a"), ("numba", "b")):
            p = procs.get((case, impl), {})
            get = lambda k, p=p: fmt(p[k]) if k in p else "-"  # noqa: E731
            rows.append(
                [
                    TITLES[case] if impl == "dynstab" else "",
                    impl,
                    fmt(r[key]),
                    fmt(r[key + "_best"]),
                    f"**{r['ratio']:.2f}x** ({r['ratio_min']:.2f}-{r['ratio_max']:.2f})" if impl == "dynstab" else "1",
                    get("compile_s"),
                    get("process_s"),
                    f"{p['maxrss_mb']:.0f}" if p else "-",
                ]
            )
        print(f"{case}: dynstab {fmt(r['a'])}, numba {fmt(r['b'])}, ratio {r['ratio']:.2f}x; {text}", flush=True)

    header = [
        "case",
        "implementation",
        "warm, median (s)",
        "warm, best",
        "dynstab / numba (median of rounds; range)",
        "compile",
        "whole process",
        "peak RSS (MB)",
    ]
    table = md_table(header, rows)
    print("\n".join(table))
    print("\n".join(checks))
    if args.write and not args.quick:
        import jax
        import numba

        import dynstab

        body = [
            SECTION,
            "",
            f"Command: `{command()}` (from the repository root)  ",
            f"Date: {_dt.datetime.now(_dt.UTC):%Y-%m-%d %H:%M} UTC  ",
            f"Source: {source(dynstab)}  ",
            f"Machine: {machine()}; JAX CPU backend  ",
            f"Load average at start / end: {load0} (waited {waited:.0f} s for the 1-minute load < 1.5) / {loadavg()}  ",
            f"Versions: python {platform.python_version()}, dynstab {dynstab.__version__}, jax {jax.__version__}, "
            f"numba {numba.__version__}, numpy {np.__version__}  ",
            f"XLA_FLAGS: `{os.environ.get('XLA_FLAGS', '')}`  ",
            f"Rounds: {rounds} interleaved (dynstab, numba) per case; total wall time "
            f"{time.perf_counter() - t_start:.0f} s",
            "",
            "Target (issue 11): dynstab warm within 1.5x of an allocation-free numba reference "
            "(scalar locals, analytic tangent update inline, fastmath off, same operation order as dynstab's RK4).",
            "",
            *summary,
            "",
            *table,
            "",
            "Warm = one call, result on the host; the ratio is the median over rounds of dynstab / numba in the "
            "same round. Compile = first call - second call, whole process = start to exit of a fresh "
            "interpreter that imports, calls twice and exits, peak RSS = its `ru_maxrss` (persistent caches "
            "off). Agreement with the numba reference:",
            "",
            *checks,
        ]
        replace_section(SECTION, "\n".join(body))


if __name__ == "__main__":
    main()
