"""Viscous Burgers datasets (issue 18): 1000 trajectories of N = 256 to t = 1 on CPU, and the validation targets.

The timed problem: ``dynstab model burgers`` defaults, nu = 0.05, N = 256, dt = 0.005 (Courant number
max|u0| k_c dt = 0.43), t = 1 (200 ETDRK4 steps), 1000 random smooth fields (seed 0, modes 1-4,
amplitudes m^-2, max|u0| = 1), sampled every 0.05 (21 times; 43 MB of float64). Variants:

* dynstab ``solve``: one jax.vmap-ed ETDRK4 step, compiled chunks (`in_chunks` around `sample_part`);
* numpy: the same ETDRK4 arithmetic written by hand over the whole batch (``numpy.fft.rfft/irfft`` along
  the last axis, coefficients computed once), the natural CPU reference (numba has no FFT).

Rounds alternate the order (A B, then B A); the table gives the median warm wall and CPU time and the median
of the per-round ratios. Compile = first call - median warm call (wall). Peak RSS of the process at the end.

Also run (``--targets``): the Cole-Hopf error and the front-width scaling (the numbers quoted in
docs/models/burgers.md and the slow tests).

Usage: ``.venv/bin/python benchmarks/bench_burgers.py [--rounds 3] [--targets] [--no-write]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import numpy as np
from _results import git_state, loadavg, machine, md_table, replace_section

from dynstab.models import burgers as B

TITLE = "## Viscous Burgers datasets (issue 18)"
NU, N, DT, T, EVERY, K = 0.05, 256, 0.005, 1.0, 0.05, 1000


def numpy_etdrk4(p: B.Burgers, u0: np.ndarray, n_steps: int, every: int) -> np.ndarray:
    """ETDRK4 over the batch in NumPy (the same arithmetic as dynstab's step)."""
    e, e2, q, f1, f2, f3 = p.coefficients()
    g = np.where(p.mask, -0.5j * p.k, 0.0)

    def nl(v: np.ndarray) -> np.ndarray:
        u = np.fft.irfft(v, n=p.n, axis=-1)
        return g * np.fft.rfft(u * u, axis=-1)

    v = np.fft.rfft(u0, axis=-1)
    out = [u0.copy()]
    for j in range(1, n_steps + 1):
        nv = nl(v)
        a = e2 * v + q * nv
        na = nl(a)
        b = e2 * v + q * na
        nb = nl(b)
        c = e2 * a + q * (2.0 * nb - nv)
        nc = nl(c)
        v = e * v + nv * f1 + 2.0 * (na + nb) * f2 + nc * f3
        if j % every == 0:
            out.append(np.fft.irfft(v, n=p.n, axis=-1))
    return np.stack(out, axis=1)


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def targets() -> list[str]:
    lines = ["", "Validation targets:", ""]
    nu, a, b = 0.5, 1.5, 1.0
    p = B.Burgers(nu, 64, 0.01)
    r = B.solve(p, B.cole_hopf(p.x, 0.0, nu, a, b), 1.0, save_every=0.25)
    err = max(float(np.max(np.abs(r.u[0, j] - B.cole_hopf(p.x, r.t[j], nu, a, b)))) for j in range(len(r.t)))
    lines.append(
        f"* Cole-Hopf, phi0 = {a:g} + {b:g} cos x, nu = {nu:g}, N = 64, dt = 0.01, t = 0..1: max error {err:.2g} (target 1e-8)"
    )
    nus, widths = [0.01, 0.02, 0.04, 0.08], []
    for nu in nus:
        n = 1024 if nu < 0.02 else 512 if nu < 0.04 else 256
        p = B.Burgers(nu, n, 1.0)
        p = B.Burgers(nu, n, 0.5 * p.max_dt(np.sin(p.x)))
        r = B.solve(p, np.sin(p.x), 3.0, save_every=0.01)
        j = int(np.argmax([B.front_width(u)[2] for u in r.u[0]]))
        w, du, _ = B.front_width(r.u[0, j])
        widths.append(w)
        lines.append(
            f"  * nu = {nu:g} (N = {n}): steepest at t = {r.t[j]:.3g}, width du/max|u_x| = {w:.4g}, 8 nu/du = {8 * nu / du:.4g}"
        )
    slope = np.polyfit(np.log(nus), np.log(widths), 1)[0]
    lines.insert(
        4, f"* front width of u0 = sin x at its steepest, against nu: log-log slope {slope:.3f} (target 1 +- 0.1)"
    )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--targets", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    p = B.Burgers(NU, N, DT)
    u0 = B.random_fields(p, K, seed=0)
    every = round(EVERY / DT)
    first_d = timed(lambda: B.solve(p, u0, T, save_every=EVERY))
    first_n = timed(lambda: numpy_etdrk4(p, u0, round(T / DT), every))
    dev = float(np.max(np.abs(first_d[2].u - first_n[2])))
    rows: dict[str, list[tuple[float, float]]] = {"dynstab": [], "numpy": []}
    for r in range(args.rounds):
        order = ["dynstab", "numpy"] if r % 2 == 0 else ["numpy", "dynstab"]
        for name in order:
            if name == "dynstab":
                w, c, _ = timed(lambda: B.solve(p, u0, T, save_every=EVERY))
            else:
                w, c, _ = timed(lambda: numpy_etdrk4(p, u0, round(T / DT), every))
            rows[name].append((w, c))
    ratios = [n[0] / d[0] for n, d in zip(rows["numpy"], rows["dynstab"], strict=True)]
    med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for k, v in rows.items()}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table = md_table(
        ["variant", "first call (s)", "warm wall (s)", "warm CPU (s)", "wall / dynstab"],
        [
            ["dynstab solve", f"{first_d[0]:.2f}", f"{med['dynstab'][0]:.2f}", f"{med['dynstab'][1]:.2f}", "1"],
            [
                "numpy ETDRK4",
                f"{first_n[0]:.2f}",
                f"{med['numpy'][0]:.2f}",
                f"{med['numpy'][1]:.2f}",
                f"{statistics.median(ratios):.2f}",
            ],
        ],
    )
    body = [
        TITLE,
        "",
        f"Command: `.venv/bin/python benchmarks/bench_burgers.py --rounds {args.rounds}{' --targets' if args.targets else ''}` "
        f"({machine()}; load {loadavg()}; {git_state()}).",
        "",
        f"{K} trajectories, N = {N}, nu = {NU:g}, dt = {DT:g}, t = {T:g} ({round(T / DT)} steps), sampled every {EVERY:g}; "
        f"median of {args.rounds} interleaved rounds. dynstab compile ~ {first_d[0] - med['dynstab'][0]:.2f} s; "
        f"largest difference dynstab - numpy {dev:.1e}; peak RSS {rss:.0f} MB. The CLI equivalent: "
        "`dynstab model burgers --trajectories 1000 --n 256 --t 1 --dt 0.005 --out burgers.nc --no-figures`.",
        "",
        *table,
    ]
    if args.targets:
        body += targets()
    print("\n".join(body))
    if not args.no_write:
        replace_section(TITLE, "\n".join(body))


if __name__ == "__main__":
    main()
