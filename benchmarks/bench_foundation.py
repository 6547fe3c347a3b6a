"""Foundation benchmarks (issue 2): dynstab against hand-written numba, scipy, diffrax and dysts.

Run from the repository root:

    .venv/bin/python benchmarks/bench_foundation.py

It waits (up to 10 minutes) until the 1-minute load average is below 0.8, runs all cases
in this one process, prints a table and writes the section "Foundation (issue 2)" of
benchmarks/RESULTS.md. ``--quick`` runs small sizes to check the script (nothing is
written); ``--no-wait`` skips the wait for a quiet machine.

Timing rules: time.perf_counter around calls whose results are forced to the host
(``np.asarray`` / ``block_until_ready``). JAX and numba code is reported as its first call
(compile + one run) and its warm time (best of >= 3 repeats); "compile" is first - warm for
JAX and the time of a first call on a tiny problem for numba. dynstab's persistent
compilation cache is switched off in this process (DYNSTAB_CACHE_DIR="") so that the
compile times are real cold compiles; case 4 turns it on in a fresh directory on purpose.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.util
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import replace_section

# Real compile times: no persistent cache in this process (must precede importing dynstab).
os.environ["DYNSTAB_CACHE_DIR"] = ""

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
SECTION = "## Foundation (issue 2)"
LITERATURE = np.array([0.9056, 0.0, -14.5723])  # Lorenz-63 (sigma 10, rho 28, beta 8/3); Sprott (2003)
SIGMA, RHO, BETA = 10.0, 28.0, 8.0 / 3.0

# --------------------------------------------------------------------------- helpers


def load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def wait_for_quiet(threshold: float = 0.8, step: float = 20.0, max_wait: float = 600.0) -> tuple[str, float]:
    """Sleep until the 1-minute load is below threshold (at most max_wait); return (loadavg, waited)."""
    t0 = time.perf_counter()
    while load1() >= threshold and time.perf_counter() - t0 < max_wait:
        print(f"  load {loadavg()} >= {threshold}: waiting {step:.0f} s ...", flush=True)
        time.sleep(step)
    return loadavg(), time.perf_counter() - t0


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for p in ("dynstab", "jax", "jaxlib", "diffrax", "numba", "scipy", "numpy", "dysts"):
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = "not installed"
    return out


def git_state() -> str:
    """HEAD and whether src/ has uncommitted changes (the measured code)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head}" + (" with uncommitted changes under src/" if dirty else ", src/ clean")


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def first_and_warm(fn, repeats: int = 3):
    """(first-call time, best warm time, result of the last call); fn must return host data."""
    first, out = timed(fn)
    warm = math.inf
    for _ in range(repeats):
        dt, out = timed(fn)
        warm = min(warm, dt)
    return first, warm, out


def fmt_t(x) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 1:
        return f"{x:.2f}"
    if x >= 0.01:
        return f"{x:.3f}"
    return f"{x * 1e3:.2f} ms"


def fmt_exps(e) -> str:
    return "[" + ", ".join(f"{v:+.4f}" for v in e) + "]"


class Report:
    def __init__(self):
        self.rows: list[dict] = []  # case, variant, compile, first, warm, ratio, notes
        self.targets: list[tuple[str, str, bool | None]] = []
        self.md: list[str] = []  # markdown detail blocks per case
        self.notes: list[str] = []

    def row(self, case, variant, *, compile=None, first=None, warm=None, ratio="", notes=""):
        self.rows.append(
            dict(case=case, variant=variant, compile=compile, first=first, warm=warm, ratio=ratio, notes=notes)
        )

    def target(self, text, value, met):
        self.targets.append((text, value, met))


# --------------------------------------------------------------------------- numba kernels


def numba_kernels():
    import numba
    from numba import njit, prange

    @njit(inline="always")
    def lorenz_rk4(x, y, z, s, r, b, h):
        k1x = s * (y - x)
        k1y = x * (r - z) - y
        k1z = x * y - b * z
        x2 = x + 0.5 * h * k1x
        y2 = y + 0.5 * h * k1y
        z2 = z + 0.5 * h * k1z
        k2x = s * (y2 - x2)
        k2y = x2 * (r - z2) - y2
        k2z = x2 * y2 - b * z2
        x3 = x + 0.5 * h * k2x
        y3 = y + 0.5 * h * k2y
        z3 = z + 0.5 * h * k2z
        k3x = s * (y3 - x3)
        k3y = x3 * (r - z3) - y3
        k3z = x3 * y3 - b * z3
        x4 = x + h * k3x
        y4 = y + h * k3y
        z4 = z + h * k3z
        k4x = s * (y4 - x4)
        k4y = x4 * (r - z4) - y4
        k4z = x4 * y4 - b * z4
        c = h / 6.0
        return (
            x + c * (k1x + 2 * k2x + 2 * k3x + k4x),
            y + c * (k1y + 2 * k2y + 2 * k3y + k4y),
            z + c * (k1z + 2 * k2z + 2 * k3z + k4z),
        )

    @njit(inline="always")
    def variational(u, s, r, b, out):
        """u = (x, y, z, Q[0,0..2], Q[1,0..2], Q[2,0..2]) -> (f(x), J(x) Q), scalar loops."""
        x, y, z = u[0], u[1], u[2]
        out[0] = s * (y - x)
        out[1] = x * (r - z) - y
        out[2] = x * y - b * z
        for j in range(3):
            q0, q1, q2 = u[3 + j], u[6 + j], u[9 + j]
            out[3 + j] = s * (q1 - q0)
            out[6 + j] = (r - z) * q0 - q1 - x * q2
            out[9 + j] = y * q0 + x * q1 - b * q2

    @njit
    def lyap_numba(x0, s, r, b, h, m, n_qr):
        """Benettin/QR: RK4 on state + 3x3 tangent matrix, modified Gram-Schmidt every m steps."""
        u = np.zeros(12)
        u[0], u[1], u[2] = x0[0], x0[1], x0[2]
        u[3] = 1.0
        u[7] = 1.0
        u[11] = 1.0
        k1 = np.empty(12)
        k2 = np.empty(12)
        k3 = np.empty(12)
        k4 = np.empty(12)
        tmp = np.empty(12)
        sums = np.zeros(3)
        for _ in range(n_qr):
            for _ in range(m):
                variational(u, s, r, b, k1)
                for i in range(12):
                    tmp[i] = u[i] + 0.5 * h * k1[i]
                variational(tmp, s, r, b, k2)
                for i in range(12):
                    tmp[i] = u[i] + 0.5 * h * k2[i]
                variational(tmp, s, r, b, k3)
                for i in range(12):
                    tmp[i] = u[i] + h * k3[i]
                variational(tmp, s, r, b, k4)
                for i in range(12):
                    u[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
            for j in range(3):  # column j of Q is u[3 + j], u[6 + j], u[9 + j]
                for i in range(j):
                    d = u[3 + i] * u[3 + j] + u[6 + i] * u[6 + j] + u[9 + i] * u[9 + j]
                    u[3 + j] -= d * u[3 + i]
                    u[6 + j] -= d * u[6 + i]
                    u[9 + j] -= d * u[9 + i]
                nrm = math.sqrt(u[3 + j] ** 2 + u[6 + j] ** 2 + u[9 + j] ** 2)
                sums[j] += math.log(nrm)
                u[3 + j] /= nrm
                u[6 + j] /= nrm
                u[9 + j] /= nrm
        return sums / (n_qr * m * h)

    def ensemble(X0, s, r, b, h, n_sub, n_out, out):
        # prange is a plain range when compiled without parallel=True: one body, two kernels
        for k in prange(X0.shape[0]):
            x, y, z = X0[k, 0], X0[k, 1], X0[k, 2]
            out[k, 0, 0] = x
            out[k, 0, 1] = y
            out[k, 0, 2] = z
            for i in range(1, n_out):
                for _ in range(n_sub):
                    x, y, z = lorenz_rk4(x, y, z, s, r, b, h)
                out[k, i, 0] = x
                out[k, i, 1] = y
                out[k, i, 2] = z
        return out

    ens_numba = njit(ensemble)
    ens_numba_par = njit(parallel=True)(ensemble)

    return numba, lyap_numba, ens_numba, ens_numba_par


# --------------------------------------------------------------------------- case 1


def plain_jax_lyap(kind: str, h: float, m: int, n_qr: int):
    """Hand-written JAX Benettin/QR for Lorenz (diagnostic): kind "dot" = J @ Q + LAPACK QR, "rows" = by rows + MGS."""
    import jax
    import jax.numpy as jnp

    def F(x, Q):
        fx = jnp.stack([SIGMA * (x[1] - x[0]), x[0] * (RHO - x[2]) - x[1], x[0] * x[1] - BETA * x[2]])
        if kind == "dot":
            J = jnp.array([[-SIGMA, SIGMA, 0.0], [RHO - x[2], -1.0, -x[0]], [x[1], x[0], -BETA]])
            return fx, J @ Q
        q0, q1, q2 = Q[0], Q[1], Q[2]
        return fx, jnp.stack([SIGMA * (q1 - q0), (RHO - x[2]) * q0 - q1 - x[0] * q2, x[1] * q0 + x[0] * q1 - BETA * q2])

    def rk4(_, c):
        x, Q = c
        k1 = F(x, Q)
        k2 = F(x + 0.5 * h * k1[0], Q + 0.5 * h * k1[1])
        k3 = F(x + 0.5 * h * k2[0], Q + 0.5 * h * k2[1])
        k4 = F(x + h * k3[0], Q + h * k3[1])
        return (
            x + h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]),
            Q + h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]),
        )

    def interval(c, _):
        x, Q = jax.lax.fori_loop(0, m, rk4, c)
        if kind == "dot":
            Q, R = jnp.linalg.qr(Q)
            d = jnp.diagonal(R)
        else:
            cols, norms = [], []
            for j in range(3):
                v = Q[:, j]
                for q in cols:
                    v = v - jnp.sum(q * v) * q
                nrm = jnp.sqrt(jnp.sum(v * v))
                norms.append(nrm)
                cols.append(v / nrm)
            Q, d = jnp.stack(cols, axis=1), jnp.stack(norms)
        return (x, Q), jnp.log(jnp.abs(d))

    @jax.jit
    def run(x0):
        _, logs = jax.lax.scan(interval, (x0, jnp.eye(3, dtype=x0.dtype)), None, length=n_qr)
        return logs.sum(axis=0) / (n_qr * m * h)

    return run


def case_lyapunov(rep: Report, quick: bool, dysts_cap_s: float):
    import jax

    import dynstab
    from dynstab.analysis.lyapunov import lyapunov_spectrum

    lorenz = dynstab.systems.get("lorenz")
    x0 = np.asarray(lorenz.x0, dtype=float)
    T = 50.0 if quick else 500.0
    h, m = 0.01, 10
    n_qr = int(round(T / (m * h)))
    case = "1 Lyapunov"
    print(f"\n[1] Lorenz-63 Lyapunov spectrum: {n_qr} QR steps of {m * h:g}, RK4 dt={h}, x0={x0}")

    def dyn():
        return lyapunov_spectrum(lorenz, t=T, qr_interval=m * h, transient=0).exponents

    i_dyn = len(rep.rows)

    first, warm, e_dyn = first_and_warm(dyn)
    rep.row(case, "dynstab lyapunov_spectrum", compile=first - warm, first=first, warm=warm, notes=fmt_exps(e_dyn))
    print(f"  dynstab: first {first:.3f} s, warm {warm:.4f} s, {e_dyn}")

    numba, lyap_numba, _, _ = numba_kernels()
    t_comp, _ = timed(lyap_numba, x0, SIGMA, RHO, BETA, h, m, 1)
    nfirst, nwarm, e_nb = first_and_warm(lambda: lyap_numba(x0, SIGMA, RHO, BETA, h, m, n_qr), repeats=5)
    e_nb = np.sort(e_nb)[::-1]
    rep.row(case, "numba hand-written (MGS)", compile=t_comp, first=t_comp + nfirst, warm=nwarm, notes=fmt_exps(e_nb))
    print(f"  numba: compile {t_comp:.3f} s, warm {nwarm:.4f} s, {e_nb}")

    # Diagnosis: the same computation hand-written in plain JAX, once in dynstab's formulation
    # (J @ Q with a 3x3 dot, LAPACK QR) and once tuned (J Q by rows, modified Gram-Schmidt in jnp).
    jax_rows = []
    for label, kind in (
        ("plain JAX, dynstab's formulation (J @ Q, jnp.linalg.qr)", "dot"),
        ("plain JAX, tuned (J Q by rows, MGS)", "rows"),
    ):
        fn = plain_jax_lyap(kind, h, m, n_qr)
        xj = jax.numpy.asarray(x0)
        jfirst, jwarm, e_j = first_and_warm(lambda fn=fn, xj=xj: np.asarray(fn(xj)), repeats=5)
        e_j = np.sort(e_j)[::-1]
        jax_rows.append((label, jfirst, jwarm, e_j))
        rep.row(
            case,
            label + " [diagnostic]",
            compile=jfirst - jwarm,
            first=jfirst,
            warm=jwarm,
            ratio=f"{jwarm / nwarm:.2f}x numba",
            notes=fmt_exps(e_j),
        )
        print(f"  {label}: first {jfirst:.3f} s, warm {jwarm:.4f} s, {e_j}")

    # dysts: defaults (Radau, rtol=atol=1e-12, pts_per_period=500 -> dt = period/500), same x0.
    import warnings

    from dysts.analysis import find_lyapunov_exponents
    from dysts.flows import Lorenz

    model = Lorenz()
    ppp = 500
    n_full = int(round(T / model.period * ppp))
    dysts_rows = []
    for method in ("Radau", "DOP853"):
        # probe a short run, then decide whether the full length fits in dysts_cap_s
        n_probe = int(round(10.0 / model.period * ppp))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_probe, _ = timed(find_lyapunov_exponents, model, n_probe, pts_per_period=ppp, method=method, init_cond=x0)
        est_full = t_probe * n_full / n_probe
        if est_full <= dysts_cap_s:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t_run, e_dy = timed(
                    find_lyapunov_exponents, model, n_full, pts_per_period=ppp, method=method, init_cond=x0
                )
            n_run, extrap = n_full, False
        else:
            n_run = max(n_probe, int(n_full * dysts_cap_s / 4 / est_full))  # ~ a quarter of the cap
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t_run, e_dy = timed(
                    find_lyapunov_exponents, model, n_run, pts_per_period=ppp, method=method, init_cond=x0
                )
            extrap = True
        t_full = t_run * n_full / n_run
        covered = n_run / ppp * model.period
        dysts_rows.append(
            dict(
                method=method,
                n_run=n_run,
                n_full=n_full,
                t_run=t_run,
                t_full=t_full,
                extrap=extrap,
                covered=covered,
                exps=np.asarray(e_dy),
            )
        )
        label = f"dysts find_lyapunov_exponents ({method})"
        note = f"{fmt_exps(e_dy)} over {covered:.0f} t.u." + (
            f"; time extrapolated from {n_run} of {n_full} points ({t_run:.1f} s)" if extrap else ""
        )
        rep.row(case, label, first=t_full, warm=None, ratio=f"{t_full / warm:.0f}x dynstab", notes=note)
        print(
            f"  dysts {method}: {t_run:.2f} s for {n_run} pts ({covered:.0f} t.u.) -> {t_full:.1f} s for {n_full}"
            f"{' (extrapolated)' if extrap else ''}, {e_dy}"
        )

    # accuracy over 20 initial conditions at T and at 10 T
    acc = []
    for TT in (T, 10 * T):
        tt, spec = timed(lambda TT=TT: lyapunov_spectrum(lorenz, t=TT, qr_interval=m * h, transient=0, n_ics=20))
        acc.append((TT, tt, spec.exponents, spec.std))
        print(f"  dynstab n_ics=20, t={TT:g}: {tt:.2f} s (first call), mean {spec.exponents}, std {spec.std}")
        rep.row(
            case,
            f"dynstab n_ics=20, t={TT:g}",
            first=tt,
            notes=f"mean {fmt_exps(spec.exponents)} std {fmt_exps(spec.std)}",
        )

    ratio_nb = warm / nwarm
    rep.rows[i_dyn]["ratio"] = f"{ratio_nb:.2f}x numba"
    rep.rows[i_dyn + 1]["ratio"] = "1"
    radau = dysts_rows[0]
    rep.target("1: dynstab warm within 3x of numba warm", f"{ratio_nb:.2f}x", ratio_nb <= 3.0)
    rep.target(
        "1: dynstab >= 20x faster than dysts (default Radau)",
        f"{radau['t_full'] / warm:.0f}x",
        radau["t_full"] / warm >= 20,
    )
    rep.target(
        "1: dynstab >= 20x faster than dysts (DOP853, its fastest accurate setting)",
        f"{dysts_rows[1]['t_full'] / warm:.0f}x",
        dysts_rows[1]["t_full"] / warm >= 20,
    )

    def err(e):
        return fmt_exps(np.asarray(e) - LITERATURE)

    md = [
        f"### 1. Lorenz-63 Lyapunov spectrum ({n_qr} QR steps of {m * h:g}, RK4 dt={h}, no transient, "
        f"x0 = {np.array2string(x0, precision=4)})",
        "",
        "| variant | compile (s) | warm (s) | exponents | error vs literature |",
        "|---|---:|---:|---|---|",
        f"| dynstab `lyapunov_spectrum(lorenz, t={T:g}, qr_interval=0.1, transient=0)` | {fmt_t(first - warm)} "
        f"(first call {fmt_t(first)}) | {fmt_t(warm)} | {fmt_exps(e_dyn)} | {err(e_dyn)} |",
        f"| numba, hand-written (scalar loops, RK4 + 3x3 tangent, MGS every 10 steps) | {fmt_t(t_comp)} | "
        f"{fmt_t(nwarm)} | {fmt_exps(e_nb)} | {err(e_nb)} |",
    ]
    for label, jfirst, jwarm, e_j in jax_rows:
        md.append(f"| {label} (diagnostic) | {fmt_t(jfirst - jwarm)} | {fmt_t(jwarm)} | {fmt_exps(e_j)} | {err(e_j)} |")
    for d in dysts_rows:
        md.append(
            f"| dysts `find_lyapunov_exponents(Lorenz(), {d['n_full']}, pts_per_period={ppp}, "
            f"method='{d['method']}')` | - | {fmt_t(d['t_full'])}"
            f"{' (extrapolated)' if d['extrap'] else ''} | {fmt_exps(d['exps'])} "
            f"({d['covered']:.0f} t.u.) | {err(d['exps'])} |"
        )
    md += [
        "",
        f"Literature: {fmt_exps(LITERATURE)}. dynstab warm / numba warm = **{ratio_nb:.2f}x** (plain "
        f"JAX: {jax_rows[0][2] / nwarm:.1f}x in dynstab's formulation, {jax_rows[1][2] / nwarm:.1f}x tuned); "
        f"dysts (default Radau) / dynstab warm = **{radau['t_full'] / warm:.0f}x**; "
        f"dysts (DOP853) / dynstab warm = **{dysts_rows[1]['t_full'] / warm:.0f}x**.",
        "",
    ]
    for d in dysts_rows:
        if d["extrap"]:
            md.append(
                f"* dysts {d['method']}: ran {d['n_run']} of {d['n_full']} points ({d['covered']:.0f} of "
                f"{T:g} time units) in {d['t_run']:.1f} s and extrapolated linearly (cost is linear in the "
                "number of points); its exponents are those of the shorter run."
            )
    md += [
        "* dysts integrates the trajectory with solve_ivp (default Radau, rtol = atol = 1e-12), resamples it "
        f"at {ppp} points per period (period {model.period} -> dt = {model.period / ppp:.5f}) and propagates "
        "the tangent space with a backward-Euler step of the analytic Jacobian and numpy QR at every sample "
        "in a Python loop (first order in dt: its exponents are biased). Its Lorenz has beta = "
        f"{model.params['beta']} (not 8/3).",
        "",
        "Accuracy of dynstab over 20 initial conditions (x0 and 19 seeded 1e-3 perturbations, each from "
        "its own orbit, no transient):",
        "",
        "| t | time (first call, s) | mean | std | mean - literature |",
        "|---:|---:|---|---|---|",
    ]
    for TT, tt, mean, std in acc:
        md.append(f"| {TT:g} | {fmt_t(tt)} | {fmt_exps(mean)} | {fmt_exps(std)} | {err(mean)} |")
    md.append("")
    rep.md += md


# --------------------------------------------------------------------------- case 2


def case_adaptive(rep: Report, quick: bool):
    import diffrax
    import jax
    import jax.numpy as jnp
    from scipy.integrate import solve_ivp
    from scipy.integrate._ivp.rk import DOP853

    import dynstab

    lorenz = dynstab.systems.get("lorenz")
    T = 1e3 if quick else 1e4
    dt = 0.01
    n_out = int(round(T / dt)) + 1
    ts = dt * np.arange(n_out)
    x0 = np.array([1.0, 1.0, 20.0])
    tol = 1e-9
    check_t = (1.0, 5.0, 10.0)
    idx = [int(round(c / dt)) for c in check_t]
    case = "2 adaptive"
    print(f"\n[2] Lorenz to t={T:g}, output every {dt}, rtol=atol={tol:g}, x0={x0}")

    def rhs(t, u):
        x, y, z = u
        return np.array([SIGMA * (y - x), x * (RHO - z) - y, x * y - BETA * z])

    ref = solve_ivp(rhs, (0.0, max(check_t)), x0, method="DOP853", t_eval=np.array(check_t), rtol=1e-13, atol=1e-13).y.T

    def dev(xs):
        return [float(np.max(np.abs(xs[i] - ref[j]))) for j, i in enumerate(idx)]

    class CountingDOP853(DOP853):
        """scipy's DOP853, unchanged, counting accepted steps and dense-output evaluations."""

        n_acc = 0
        n_dense = 0

        def _step_impl(self):
            ok = super()._step_impl()
            CountingDOP853.n_acc += 1
            return ok

        def _dense_output_impl(self):
            CountingDOP853.n_dense += 1
            return super()._dense_output_impl()

    t_sp, sol = timed(solve_ivp, rhs, (0.0, T), x0, method=CountingDOP853, t_eval=ts, rtol=tol, atol=tol)
    xs_sp = sol.y.T
    acc_sp = CountingDOP853.n_acc
    rej_sp = (sol.nfev - 2 - 3 * CountingDOP853.n_dense - 12 * acc_sp) / 12
    print(f"  solve_ivp DOP853: {t_sp:.2f} s, {acc_sp} steps, {rej_sp:g} rejected, nfev {sol.nfev}, dev {dev(xs_sp)}")
    results = [
        dict(
            name="scipy solve_ivp DOP853 (Python rhs, t_eval)",
            first=None,
            warm=t_sp,
            acc=acc_sp,
            rej=rej_sp,
            dev=dev(xs_sp),
        )
    ]

    for method in ("dopri8", "tsit5"):

        def run(method=method):
            return dynstab.trajectory(lorenz, t=T, dt=dt, x0=x0, method=method, rtol=tol, atol=tol)

        first, warm, tr = first_and_warm(run)
        print(f"  dynstab {method}: first {first:.2f} s, warm {warm:.3f} s, {tr.stats}, dev {dev(tr.x)}")
        results.append(
            dict(
                name=f'dynstab trajectory(method="{method}")',
                first=first,
                warm=warm,
                acc=tr.stats["n_steps"],
                rej=tr.stats["n_rejected"],
                dev=dev(tr.x),
            )
        )

    def f_dfx(t, y, args):
        x, yy, z = y[0], y[1], y[2]
        return jnp.stack([SIGMA * (yy - x), x * (RHO - z) - yy, x * yy - BETA * z])

    @jax.jit
    def dfx_solve(y0, ts):
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(f_dfx),
            diffrax.Dopri8(),
            t0=0.0,
            t1=ts[-1],
            dt0=None,
            y0=y0,
            saveat=diffrax.SaveAt(ts=ts),
            stepsize_controller=diffrax.PIDController(rtol=tol, atol=tol),
            max_steps=10_000_000,
        )
        return sol.ys, sol.stats["num_accepted_steps"], sol.stats["num_rejected_steps"]

    ts_j, x0_j = jnp.asarray(ts), jnp.asarray(x0)

    def run_dfx():
        ys, a, r = dfx_solve(x0_j, ts_j)
        return np.asarray(ys), int(a), int(r)

    first, warm, (ys, a, r) = first_and_warm(run_dfx)
    print(f"  diffrax Dopri8: first {first:.2f} s, warm {warm:.3f} s, {a} steps, {r} rejected, dev {dev(ys)}")
    results.append(
        dict(name="diffrax.Dopri8 + PIDController, jitted", first=first, warm=warm, acc=a, rej=r, dev=dev(ys))
    )

    md = [
        f"### 2. Lorenz trajectory to t = {T:g}, output every {dt} ({n_out} points), rtol = atol = {tol:g}, "
        f"x0 = (1, 1, 20)",
        "",
        "Deviation = max-norm distance from scipy DOP853 at rtol = atol = 1e-13.",
        "",
        "| variant | compile (s) | warm (s) | solve_ivp / this | accepted steps | rejected | µs/step | "
        + " | ".join(f"dev t={c:g}" for c in check_t)
        + " |",
        "|---|---:|---:|---:|---:|---:|---:|" + "---:|" * len(check_t),
    ]
    for res in results:
        comp = "-" if res["first"] is None else f"{fmt_t(res['first'] - res['warm'])} (first {fmt_t(res['first'])})"
        ratio = t_sp / res["warm"]
        us = 1e6 * res["warm"] / (res["acc"] + res["rej"])
        md.append(
            f"| {res['name']} | {comp} | {fmt_t(res['warm'])} | {ratio:.1f}x | {res['acc']} | {res['rej']:g} "
            f"| {us:.2f} | " + " | ".join(f"{d:.1e}" for d in res["dev"]) + " |"
        )
        rep.row(
            case,
            res["name"],
            compile=None if res["first"] is None else res["first"] - res["warm"],
            first=res["first"],
            warm=res["warm"],
            ratio=f"{ratio:.1f}x vs solve_ivp",
            notes=f"{res['acc']} steps (+{res['rej']:g} rej); dev@1,5,10: " + ", ".join(f"{d:.0e}" for d in res["dev"]),
        )
    md.append("")
    rep.md += md
    r8 = t_sp / results[1]["warm"]
    rep.target("2: dynstab dopri8 >= 30x faster than solve_ivp DOP853", f"{r8:.1f}x", r8 >= 30)


# --------------------------------------------------------------------------- case 3


def case_ensemble(rep: Report, quick: bool):
    import jax
    import jax.numpy as jnp

    import dynstab

    lorenz = dynstab.systems.get("lorenz")
    B = 512 if quick else 4096
    h, n_sub, n_out = 0.01, 100, 101
    T = h * n_sub * (n_out - 1)
    n_steps = B * n_sub * (n_out - 1)
    rng = np.random.default_rng(12345)
    X0 = rng.normal(loc=[0.0, 0.0, 25.0], scale=[8.0, 8.0, 8.0], size=(B, 3))
    case = "3 ensemble"
    print(
        f"\n[3] Ensemble: {B} Lorenz trajectories x {n_sub * (n_out - 1)} RK4 steps of {h} "
        f"(outputs every {n_sub * h:g})"
    )
    rows = []

    def dyn():
        return dynstab.trajectory(lorenz, t=T, dt=n_sub * h, x0=X0).x

    first, warm, xs_dyn = first_and_warm(dyn)
    rows.append(("dynstab trajectory(lorenz, t=100, dt=1.0, x0=X0)", first - warm, first, warm))
    print(f"  dynstab: first {first:.2f} s, warm {warm:.3f} s, {n_steps / warm:.3g} steps/s")

    numba, _, ens_numba, ens_numba_par = numba_kernels()
    out = np.empty((B, n_out, 3))
    for name, fn in (
        ("numba, single thread", ens_numba),
        (f"numba prange ({numba.get_num_threads()} threads)", ens_numba_par),
    ):
        t_comp, _ = timed(fn, X0[:2], SIGMA, RHO, BETA, h, 1, 2, np.empty((2, 2, 3)))
        _, warm_nb, xs_nb = first_and_warm(lambda fn=fn: fn(X0, SIGMA, RHO, BETA, h, n_sub, n_out, out))
        rows.append((name, t_comp, None, warm_nb))
        print(
            f"  {name}: compile {t_comp:.2f} s, warm {warm_nb:.3f} s, {n_steps / warm_nb:.3g} steps/s, "
            f"max |dynstab - numba| at t=1: {np.max(np.abs(xs_dyn[:, 1] - xs_nb[:, 1])):.1e}"
        )

    @jax.jit
    def scan_rk4(X):  # X: (3, B)
        def f(u):
            x, y, z = u[0], u[1], u[2]
            return jnp.stack([SIGMA * (y - x), x * (RHO - z) - y, x * y - BETA * z])

        def step(_, u):
            k1 = f(u)
            k2 = f(u + 0.5 * h * k1)
            k3 = f(u + 0.5 * h * k2)
            k4 = f(u + h * k3)
            return u + (h / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)

        def outer(u, _):
            u = jax.lax.fori_loop(0, n_sub, step, u)
            return u, u

        _, us = jax.lax.scan(outer, X, None, length=n_out - 1)
        return jnp.concatenate([X[None], us])

    XT = jnp.asarray(X0.T)
    first, warm, _ = first_and_warm(lambda: np.asarray(scan_rk4(XT)))
    rows.append(("plain JAX lax.scan RK4 on a (3, B) array, jitted", first - warm, first, warm))
    print(f"  jax scan (3,B): first {first:.2f} s, warm {warm:.3f} s, {n_steps / warm:.3g} steps/s")

    md = [
        f"### 3. Ensemble: {B} Lorenz trajectories x {n_sub * (n_out - 1)} RK4 steps of {h} "
        f"(X0 ~ N((0, 0, 25), 8^2), seed 12345; outputs every {n_sub * h:g} -> {B} x {n_out} x 3)",
        "",
        "| variant | compile (s) | warm (s) | trajectory-steps / s |",
        "|---|---:|---:|---:|",
    ]
    for name, comp, fst, w in rows:
        ctext = fmt_t(comp) + (f" (first {fmt_t(fst)})" if fst is not None else "")
        md.append(f"| {name} | {ctext} | {fmt_t(w)} | {n_steps / w:.3g} |")
        rep.row(case, name, compile=comp, first=fst, warm=w, ratio=f"{n_steps / w:.3g} steps/s")
    md.append("")
    rep.md += md
    sps = n_steps / rows[0][3]
    rep.target("3: dynstab ensemble >= 5e7 trajectory-steps/s", f"{sps:.3g}", sps >= 5e7)


# --------------------------------------------------------------------------- case 4


def case_cli(rep: Report):
    exe = ROOT / ".venv" / "bin" / "dynstab"
    print("\n[4] CLI cold vs warm persistent compilation cache")
    if not exe.exists():
        msg = f"skipped: {exe} does not exist yet"
    elif importlib.util.find_spec("dynstab.cli") is None:
        msg = f"skipped: {exe} exists (entry point of the editable install) but the module dynstab.cli does not yet"
    else:
        msg = None
    if msg:
        print("  " + msg)
        rep.row("4 CLI", "dynstab analyze lorenz --json", notes=msg)
        rep.md += ["### 4. CLI cold vs warm (`dynstab analyze lorenz --json`)", "", msg + ".", ""]
        rep.target("4: second CLI call faster (persistent cache)", "not run", None)
        return
    work = Path(tempfile.mkdtemp(prefix="dynstab-bench-cli-"))  # cwd: the figures land here, not in the repo
    t_imp, _ = timed(subprocess.run, [sys.executable, "-c", "import dynstab.cli"], cwd=work, check=True)
    print(f"  baseline `python -c 'import dynstab.cli'`: {t_imp:.2f} s")
    results, ok = [], True
    for extra in ([], ["--no-figures"]):
        cache = work / ("cache" + "".join(extra))
        env = dict(os.environ, DYNSTAB_CACHE_DIR=str(cache))
        cmd = [str(exe), "analyze", "lorenz", "--json", *extra]
        times = []
        for i in range(2):
            t, p = timed(subprocess.run, cmd, env=env, cwd=work, capture_output=True, text=True, timeout=600)
            times.append(t)
            n_files = sum(1 for f in cache.rglob("*") if f.is_file()) if cache.exists() else 0
            valid = p.returncode == 0
            if valid:
                try:
                    json.loads(p.stdout)
                except ValueError:
                    valid = False
            ok &= valid
            print(
                f"  {' '.join(cmd[1:])} call {i + 1}: {t:.2f} s, rc {p.returncode}, "
                f"json {'ok' if valid else 'INVALID'}, {n_files} files in the cache"
            )
            if not valid:
                print("  stderr tail:", p.stderr[-2000:])
        results.append((" ".join(["dynstab", *cmd[1:]]), times, n_files))
    shutil.rmtree(work, ignore_errors=True)
    md = [
        "### 4. CLI cold vs warm persistent compilation cache (fresh empty DYNSTAB_CACHE_DIR per command)",
        "",
        "| command | call 1, empty cache (s) | call 2, cache filled (s) | speed-up | cache files |",
        "|---|---:|---:|---:|---:|",
    ]
    for cmd, times, n_files in results:
        rep.row("4 CLI", f"{cmd} (empty cache)", first=times[0])
        rep.row("4 CLI", f"{cmd} (warm cache)", first=times[1], ratio=f"{times[0] / times[1]:.2f}x faster")
        md.append(f"| `{cmd}` | {times[0]:.2f} | {times[1]:.2f} | {times[0] / times[1]:.2f}x | {n_files} |")
    rep.row("4 CLI", "python -c 'import dynstab.cli' (baseline)", first=t_imp)
    md += [
        "",
        f"Baseline: `python -c 'import dynstab.cli'` takes {t_imp:.2f} s (interpreter + imports), a fixed cost "
        "of every call that no compilation cache can remove. The commands ran in a temporary working directory "
        "(the figures of the first command went there)." + ("" if ok else " A call FAILED or printed invalid JSON."),
        "",
    ]
    rep.md += md
    times = results[0][1]
    rep.target(
        "4: second CLI call faster (persistent cache)", f"{times[0] / times[1]:.2f}x", ok and times[1] < times[0]
    )


# --------------------------------------------------------------------------- output


def print_table(rep: Report):
    header = ["case", "variant", "compile (s)", "first (s)", "warm (s)", "ratio", "notes"]
    body = [
        [r["case"], r["variant"], fmt_t(r["compile"]), fmt_t(r["first"]), fmt_t(r["warm"]), r["ratio"], r["notes"]]
        for r in rep.rows
    ]
    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="dynstab foundation benchmarks")
        for h in header:
            table.add_column(h, justify="right" if "(s)" in h else "left")
        for b in body:
            table.add_row(*b)
        Console(width=200).print(table)
    except ImportError:
        widths = [max(len(str(x)) for x in col) for col in zip(header, *body)]
        line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
        print("\n" + line + "\n" + "-" * len(line))
        for b in body:
            print("  ".join(str(x).ljust(w) for x, w in zip(b, widths)))
    print("\nTargets:")
    for text, value, met in rep.targets:
        print(f"  [{'met' if met else ('n/a' if met is None else 'MISSED')}] {text}: {value}")


def write_results(rep: Report, meta: dict):
    v = meta["versions"]
    lines = [
        SECTION,
        "",
        f"Command: `{meta['command']}` (from the repository root)  ",
        f"Date: {meta['date']}  ",
        f"Source: {meta['git']}  ",
        f"Machine: {meta['cpu']}, {meta['cores']} cores (os.cpu_count), {meta['platform']}; no GPU (JAX CPU backend)  ",
        f"Load average at start: {meta['load_start']} (waited {meta['waited']:.0f} s for the 1-minute load "
        f"< 0.8); at end: {meta['load_end']}  ",
        "Versions: " + ", ".join(f"{k} {v[k]}" for k in v) + "  ",
        f"XLA_FLAGS (dynstab sets the small-loop threshold at import): `{os.environ.get('XLA_FLAGS', '')}`  ",
        f"Total wall time: {meta['total']:.0f} s",
        "",
        "Compile = first call - best warm call for JAX (the first call compiles and runs once; dynstab's "
        "persistent compilation cache is disabled in the benchmark process), and the first call on a tiny "
        "problem for numba. Warm = best of >= 3 repeats. All results are forced to host memory inside the "
        "timed region.",
        "",
        "Targets:",
        "",
    ]
    for text, value, met in rep.targets:
        lines.append(f"* **{'met' if met else ('not run' if met is None else 'MISSED')}** - {text}: {value}")
    lines.append("")
    lines += rep.md
    lines += rep.notes
    replace_section(SECTION, "\n".join(lines), RESULTS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes to test the script; writes nothing")
    ap.add_argument("--no-wait", action="store_true", help="do not wait for a quiet machine")
    ap.add_argument("--cases", default="1234", help="which cases to run, e.g. 13")
    ap.add_argument(
        "--dysts-cap",
        type=float,
        default=120.0,
        help="seconds; a dysts run estimated longer than this is shortened and extrapolated",
    )
    args = ap.parse_args()

    if args.no_wait:
        load_start, waited = loadavg(), 0.0
    else:
        print("waiting for a quiet machine (1-minute load < 0.8) ...", flush=True)
        load_start, waited = wait_for_quiet()
    print(f"load average at start: {load_start}")
    t_start = time.perf_counter()
    rep = Report()
    if "1" in args.cases:
        case_lyapunov(rep, args.quick, args.dysts_cap)
    if "2" in args.cases:
        case_adaptive(rep, args.quick)
    if "3" in args.cases:
        case_ensemble(rep, args.quick)
    if "4" in args.cases:
        case_cli(rep)
    total = time.perf_counter() - t_start
    print_table(rep)
    meta = dict(
        command=".venv/bin/python benchmarks/bench_foundation.py"
        + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else ""),
        date=_dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        cpu=cpu_model(),
        cores=os.cpu_count(),
        platform=f"{platform.system()} {platform.release()} {platform.machine()}",
        git=git_state(),
        load_start=load_start,
        waited=waited,
        load_end=loadavg(),
        versions=versions(),
        total=total,
    )
    if args.quick:
        print("\n--quick: RESULTS.md not written")
    else:
        write_results(rep, meta)


if __name__ == "__main__":
    main()
