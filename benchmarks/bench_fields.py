"""Klein-Gordon fields (issue 17): dynstab.models.fields against hand-written velocity-Verlet loops, and the
issue's validation targets.

The timed problem is the breather scenario (sine-Gordon, omega = 0.5, N = 512, L = 80, dt = 0.01, t = 80:
8000 steps), each variant storing phi and pi with the energy at 401 samples (every 20 steps):

* dynstab ``evolve``: velocity-Verlet with F carried between steps (one rfft/irfft pair per step) in
  compiled chunks (`in_chunks` around `sample_part`);
* dynstab ``trajectory`` of the field as a Map (`KleinGordon.system`): the same scheme through the generic
  map iteration, recomputing F at the start of each step (two FFT pairs per step);
* numpy + numba: ``numpy.fft.rfft/irfft`` (pocketfft) into preallocated buffers (``out=``), the kicks and
  drifts in one @njit kernel each (no temporaries);
* numba only: an allocation-free @njit loop with its own iterative radix-2 complex FFT (numba has no FFT);
* the original's cost model (amangkurat 0.0.1, notes section 1): a three-level leapfrog with complex
  ``np.fft.fft/ifft`` of the full field every step, numba only for the element-wise sum, new arrays per step.

Rounds alternate the order of the variants (A B C D E, then E D C B A); the table gives the median warm wall
time and CPU time (``time.process_time``, which a loaded machine inflates far less than the wall time) and the
medians of the per-round ratios to dynstab ``evolve``. Compile = first call - median warm call (wall).

Usage: ``.venv/bin/python benchmarks/bench_fields.py [--rounds 5] [--no-write]``
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numba
import numpy as np
from _results import git_state, loadavg, machine, md_table, replace_section

import dynstab
from dynstab import trajectory
from dynstab.models import fields as F

TITLE = "## Klein-Gordon fields (issue 17)"
N, L, DT, T, EVERY = 512, 80.0, 0.01, 80.0, 20
STEPS = round(T / DT)


# ------------------------------------------------------------------------------------------ references
@numba.njit(cache=True)
def _kick_drift(phi, pi, f, h):
    for j in range(phi.size):
        pi[j] += 0.5 * h * f[j]
        phi[j] += h * pi[j]


@numba.njit(cache=True)
def _force_from_lap(f, lap, phi):
    for j in range(phi.size):
        f[j] = lap[j] - math.sin(phi[j])


@numba.njit(cache=True)
def _kick(pi, f, h):
    for j in range(pi.size):
        pi[j] += 0.5 * h * f[j]


def numpy_numba(phi0, pi0, k2, steps, every, dt):
    """numpy.fft (pocketfft) into preallocated buffers + numba element-wise kernels."""
    n = phi0.size
    phi, pi = phi0.copy(), pi0.copy()
    spec = np.empty(n // 2 + 1, dtype=np.complex128)
    lap = np.empty(n)
    f = np.empty(n)
    neg_k2 = -k2

    def force():
        np.fft.rfft(phi, out=spec)
        np.multiply(spec, neg_k2, out=spec)
        np.fft.irfft(spec, n=n, out=lap)
        _force_from_lap(f, lap, phi)

    out_phi = np.empty((steps // every + 1, n))
    out_pi = np.empty_like(out_phi)
    force()
    out_phi[0], out_pi[0] = phi, pi
    for s in range(1, steps + 1):
        _kick_drift(phi, pi, f, dt)
        force()
        _kick(pi, f, dt)
        if s % every == 0:
            out_phi[s // every], out_pi[s // every] = phi, pi
    return out_phi, out_pi


@numba.njit(cache=True)
def _fft_inplace(re, im, cos_t, sin_t, rev, inverse):
    """Iterative radix-2 complex FFT (bit reversal, then butterflies with a precomputed twiddle table)."""
    n = re.size
    for i in range(n):
        j = rev[i]
        if j > i:
            re[i], re[j] = re[j], re[i]
            im[i], im[j] = im[j], im[i]
    size = 2
    while size <= n:
        half = size // 2
        stride = n // size
        for start in range(0, n, size):
            for m in range(half):
                c = cos_t[m * stride]
                s = -sin_t[m * stride] if not inverse else sin_t[m * stride]
                a, b = start + m, start + m + half
                tr = c * re[b] - s * im[b]
                ti = c * im[b] + s * re[b]
                re[b] = re[a] - tr
                im[b] = im[a] - ti
                re[a] += tr
                im[a] += ti
        size *= 2


@numba.njit(cache=True)
def _numba_run(phi, pi, k2full, cos_t, sin_t, rev, steps, every, dt, out_phi, out_pi):
    n = phi.size
    re = np.empty(n)
    im = np.empty(n)
    f = np.empty(n)

    def force():
        for j in range(n):
            re[j] = phi[j]
            im[j] = 0.0
        _fft_inplace(re, im, cos_t, sin_t, rev, False)
        for j in range(n):
            re[j] *= -k2full[j] / n
            im[j] *= -k2full[j] / n
        _fft_inplace(re, im, cos_t, sin_t, rev, True)
        for j in range(n):
            f[j] = re[j] - math.sin(phi[j])

    force()
    out_phi[0, :] = phi
    out_pi[0, :] = pi
    for s in range(1, steps + 1):
        for j in range(n):
            pi[j] += 0.5 * dt * f[j]
            phi[j] += dt * pi[j]
        force()
        for j in range(n):
            pi[j] += 0.5 * dt * f[j]
        if s % every == 0:
            out_phi[s // every, :] = phi
            out_pi[s // every, :] = pi


def numba_only(phi0, pi0, steps, every, dt, length):
    n = phi0.size
    k = 2 * np.pi * np.fft.fftfreq(n, d=length / n)
    bits = int(math.log2(n))
    rev = np.array([int(format(i, f"0{bits}b")[::-1], 2) for i in range(n)], dtype=np.int64)
    ang = 2 * np.pi * np.arange(n // 2) / n
    out_phi = np.empty((steps // every + 1, n))
    out_pi = np.empty_like(out_phi)
    _numba_run(phi0.copy(), pi0.copy(), k**2, np.cos(ang), np.sin(ang), rev, steps, every, dt, out_phi, out_pi)
    return out_phi, out_pi


@numba.njit(cache=True)
def _original_sum(lap, phi):
    return lap - np.sin(phi)  # amangkurat: numba for the element-wise "laplacian - V'(phi)" only


def original_cost_model(phi0, pi0, steps, every, dt, length):
    """amangkurat 0.0.1's loop: complex FFTs, three-level leapfrog, new arrays each step (its dt changes omitted)."""
    n = phi0.size
    k = 2 * np.pi * np.fft.fftfreq(n, d=length / n)
    k2 = k**2

    def rhs(phi):
        lap = np.real(np.fft.ifft(-k2 * np.fft.fft(phi)))
        return _original_sum(lap, phi)

    phi_old = phi0 - dt * pi0 + 0.5 * dt**2 * rhs(phi0)
    phi = phi0.copy()
    snaps = [phi.copy()]
    for s in range(1, steps + 1):
        phi_new = 2 * phi - phi_old + dt**2 * rhs(phi)
        phi_old, phi = phi, phi_new
        if s % every == 0:
            snaps.append(phi.copy())
    return np.array(snaps), None


# ------------------------------------------------------------------------------------------ timing
def timed(fn):
    """``(result, wall seconds, CPU seconds of this process)``."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    began = time.time()
    load0 = loadavg()
    sc = F.scenario("breather", n=N, length=L, dt=DT, t=T, save_every=EVERY * DT)
    f = sc.field
    k2 = (2 * np.pi * np.fft.rfftfreq(N, d=L / N)) ** 2
    system = f.system(sc.phi0, sc.pi0)

    def dyn_evolve():
        r = F.run_scenario(sc)
        return r.phi, r.pi

    def dyn_map():
        tr = trajectory(system, n=STEPS, dt=EVERY)
        return tr.x[:, :N], tr.x[:, N:]

    variants = {
        "dynstab evolve (F carried, compiled chunks)": dyn_evolve,
        "dynstab trajectory of KleinGordon.system (Map, F recomputed)": dyn_map,
        "numpy.fft (pocketfft, out=) + numba kernels": lambda: numpy_numba(sc.phi0, sc.pi0, k2, STEPS, EVERY, DT),
        "numba only (own radix-2 complex FFT, allocation-free)": lambda: numba_only(
            sc.phi0, sc.pi0, STEPS, EVERY, DT, L
        ),
        "original's cost model (complex np.fft, leapfrog, new arrays)": lambda: original_cost_model(
            sc.phi0, sc.pi0, STEPS, EVERY, DT, L
        ),
    }
    names = list(variants)
    first, results = {}, {}
    for name in names:
        results[name], first[name], _ = timed(variants[name])
    reference = results[names[0]][0]
    agree = {name: float(np.max(np.abs(results[name][0] - reference))) for name in names}
    warm: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for r in range(args.rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            _, wall, used = timed(variants[name])
            warm[name].append(wall)
            cpu[name].append(used)
    base = names[0]
    rows = []
    for name in names:
        ratios = [w / b for w, b in zip(warm[name], warm[base], strict=True)]
        cpu_ratios = [w / b for w, b in zip(cpu[name], cpu[base], strict=True)]
        med = statistics.median(warm[name])
        med_cpu = statistics.median(cpu[name])
        rows.append(
            [
                name,
                f"{max(first[name] - med, 0.0):.2f}",
                f"{med * 1e3:.0f}",
                f"{med / STEPS * 1e6:.1f}",
                f"{statistics.median(ratios):.2f}",
                f"{med_cpu / STEPS * 1e6:.1f}",
                f"{statistics.median(cpu_ratios):.2f}",
                f"{agree[name]:.1e}",
            ]
        )
        print(rows[-1])

    # the targets, from full runs of the scenarios
    val = []
    br = F.run_scenario("breather", save_every=0.05)
    s = br.phi[:, N // 2]
    peaks = [
        br.t[j] + 0.5 * (s[j - 1] - s[j + 1]) / (s[j - 1] - 2 * s[j] + s[j + 1]) * 0.05
        for j in range(1, len(s) - 1)
        if s[j] > s[j - 1] and s[j] >= s[j + 1]
    ]
    period = float(np.mean(np.diff(peaks)))
    val.append(["breather omega=0.5: E(0)", "13.856406", f"{br.energy[0]:.7f}"])
    val.append(["breather: max relative energy drift over t = 80", "< 1e-4", f"{br.energy_drift:.2e}"])
    val.append(["breather: period (maxima of phi(0, t))", f"{4 * math.pi:.4f} (within 0.1%)", f"{period:.4f}"])
    kk = F.run_scenario("kink")
    val.append(
        [
            "static kink pair: E",
            f"{4 * math.sqrt(2) / 3:.6f} (within 1e-4)",
            f"{kk.energy[0]:.6f}, drift {kk.energy_drift:.1e}",
        ]
    )
    co = F.run_scenario("collision")
    centre = co.phi[:, co.field.n // 2]
    dips = co.t[1:][(centre[1:] < 0) & (centre[:-1] >= 0)]
    late = co.t >= 60
    left = np.array([F.kink_positions(co.x, row)[0].min() for row in co.phi[late]])
    speed = -np.polyfit(co.t[late], left, 1)[0]
    at = {tt: F.kink_positions(co.x, co.phi[np.argmin(np.abs(co.t - tt))])[0].min() for tt in (25, 50, 80, 100)}
    val.append(["collision u=0.3: E(0) = 2 gamma E_kink", "1.97666", f"{co.energy[0]:.5f}"])
    val.append(["collision: max relative energy drift", "< 1e-4 (notes: 1.2e-5)", f"{co.energy_drift:.2e}"])
    val.append(
        [
            "collision: bounces (phi(0, t) < 0) and their times",
            "one, near t = 30",
            f"{len(dips)} at t = {', '.join(f'{d:g}' for d in dips)}",
        ]
    )
    val.append(
        [
            "collision: left kink at t = 25, 50, 80, 100",
            "-2.54, -4.40, -8.59, -11.33 (notes)",
            ", ".join(f"{v:.2f}" for v in at.values()),
        ]
    )
    val.append(["collision: escape speed (fit over t >= 60)", "about 0.137", f"{speed:.4f}"])
    pk = F.run_scenario("packet")
    err = float(np.max(np.abs(pk.phi - F.linear_exact(pk.field, pk.phi[0], pk.pi[0], pk.t))))
    small = F.scenario("packet", dt=1e-4, t=10.0, save_every=1.0)
    rs = F.run_scenario(small)
    err_small = float(np.max(np.abs(rs.phi - F.linear_exact(small.field, small.phi0, small.pi0, rs.t))))
    val.append(["packet vs exact Fourier solution, dt = 0.005, t = 50", "O(dt^2)", f"{err:.2e}"])
    val.append(["packet vs exact Fourier solution, dt = 1e-4, t = 10", "< 1e-8", f"{err_small:.2e}"])
    ents = {}
    for n in (512, 1024):
        r = F.run_scenario("breather", n=n, t=20.0, save_every=1.0)
        ents[n] = (r.entropies(), r.entropies("amangkurat"))
    dw = max(float(np.max(np.abs(ents[512][0][k] - ents[1024][0][k]))) for k in ents[512][0])
    du = float(np.max(np.abs(ents[512][1]["shannon"] - ents[1024][1]["shannon"])))
    val.append(["entropies, N = 512 vs 1024 (breather, t <= 20), dx-weighted: max difference", "< 1e-3", f"{dw:.1e}"])
    val.append(["Shannon entropy, N = 512 vs 1024, unweighted (amangkurat) convention", "differs", f"{du:.2f}"])
    for row in val:
        print(row)

    body = [
        TITLE,
        "",
        "Command: `.venv/bin/python benchmarks/bench_fields.py` (from the repository root)  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(began))}  ",
        f"Source: {git_state()}  ",
        f"Machine: {machine()}; JAX CPU backend; load average at start {load0}, at end {loadavg()} "
        "(shared by other jobs: times are noisy, the ratios are medians of per-round ratios)  ",
        f"Versions: dynstab {dynstab.__version__}, numba {numba.__version__}, numpy {np.__version__}  ",
        f"Total wall time: {time.time() - began:.0f} s",
        "",
        f"Breather scenario: sine-Gordon, N = {N}, L = {L:g}, dt = {DT:g}, t = {T:g} ({STEPS} velocity-Verlet steps), "
        f"phi and pi stored every {EVERY} steps; {args.rounds} alternating rounds. The last column compares the "
        "stored fields with dynstab evolve's (the leapfrog of the original is a different but equivalent scheme).",
        "",
        *md_table(
            [
                "variant",
                "compile (s)",
                "warm (ms)",
                "us / step",
                "time / dynstab evolve",
                "CPU us / step",
                "CPU time / dynstab evolve",
                "max abs. difference of phi",
            ],
            rows,
        ),
        "",
        "Validation (the issue's targets; scenario defaults unless stated):",
        "",
        *md_table(["quantity", "target", "measured"], val),
    ]
    if not args.no_write:
        replace_section(TITLE, "\n".join(body))
    else:
        print("\n".join(body))


if __name__ == "__main__":
    main()
