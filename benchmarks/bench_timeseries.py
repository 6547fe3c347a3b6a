"""Time-series benchmarks (issue 5): dynstab against nolds, antropy and hand-written numba.

Run from the repository root (needs the bench extra: nolds):

    .venv/bin/python benchmarks/bench_timeseries.py [--write]

Cases, all on the same data in this one process:
1. correlation dimension of 10^4 Lorenz-63 x points (dt = 0.05, m = 3, tau = 3, Chebyshev norm):
   dynstab `correlation_dimension`, nolds `corr_dim` (its defaults: Euclidean norm, no Theiler
   window, radii from its `logarithmic_r`), and a hand-written numba Grassberger-Procaccia
   correlation sum on dynstab's radii with the same Theiler window and fit region;
2. largest Lyapunov exponent of 10^4 Lorenz x points: dynstab `lyapunov_from_data` (Rosenstein)
   against nolds `lyap_r` with the same embedding, lag and Theiler window;
3. sample entropy and permutation entropy of 10^4 points against antropy.
Times: first call (includes numba compilation) and warm (best of 3). ``--write`` rewrites the
section "Time series (issue 5)" of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import first_and_best as timed
from _results import git_state, loadavg, machine, md_table, replace_section

SECTION = "## Time series (issue 5)"


def numba_corrsum():
    from numba import njit

    @njit(cache=False, nogil=True)
    def corrsum(pts, radii, w):
        # pair counts with Chebyshev distance <= r for every r, pairs |i - j| > w
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
                # radii ascending: first radius >= dist
                lo, hi = 0, nr
                while lo < hi:
                    mid = (lo + hi) // 2
                    if radii[mid] < dist:
                        lo = mid + 1
                    else:
                        hi = mid
                if lo < nr:
                    counts[lo] += 1
        total = 0
        for i in range(n):
            m = n - i - w - 1
            if m > 0:
                total += m
        return np.cumsum(counts) / total

    return corrsum


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    import antropy
    import nolds

    import dynstab
    from dynstab.timeseries import correlation_dimension, embed, lyapunov_from_data, permutation_entropy, sample_entropy

    load0 = loadavg()
    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=500.0, dt=0.05, transient=50.0)
    x = traj.x[:10_000, 0]
    rows = []

    # 1. correlation dimension
    m, tau = 3, 3
    res, first, warm = timed(lambda: correlation_dimension(x, dim=m, tau=tau))
    ours = res
    pts = embed(x, m, tau)
    corrsum = numba_corrsum()
    _, nfirst, nwarm = timed(lambda: corrsum(pts, ours.radii, ours.theiler))
    c = corrsum(pts, ours.radii, ours.theiler)
    i0, i1 = ours.region_index
    slope_nb = np.polyfit(np.log(ours.radii[i0 : i1 + 1]), np.log(c[i0 : i1 + 1]), 1)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nd, nlfirst, nlwarm = timed(lambda: nolds.corr_dim(x, emb_dim=m, lag=tau), repeats=2)
    rows += [
        [
            "correlation dimension, 10^4 Lorenz x",
            "dynstab",
            f"{first:.3f}",
            f"{warm:.3f}",
            f"D2 = {ours.dimension:.3f} +/- {ours.uncertainty:.3f}",
            "1",
        ],
        [
            "",
            "numba GP sum (same radii, region, Theiler)",
            f"{nfirst:.3f}",
            f"{nwarm:.3f}",
            f"D2 = {slope_nb:.3f}",
            f"{nwarm / warm:.2f}",
        ],
        ["", "nolds corr_dim (defaults)", f"{nlfirst:.3f}", f"{nlwarm:.3f}", f"D2 = {nd:.3f}", f"{nlwarm / warm:.2f}"],
    ]

    # 2. Lyapunov from data (Rosenstein)
    dt = 0.05
    le, lfirst, lwarm = timed(lambda: lyapunov_from_data(x, dt, dim=m, tau=tau))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nl, nlf, nlw = timed(
            lambda: nolds.lyap_r(x, emb_dim=m, lag=tau, min_tsep=le.theiler, trajectory_len=20), repeats=2
        )
    rows += [
        [
            "largest exponent (Rosenstein), 10^4 Lorenz x",
            "dynstab",
            f"{lfirst:.3f}",
            f"{lwarm:.3f}",
            f"{le.exponent:.3f} per time (ref 0.906)",
            "1",
        ],
        [
            "",
            "nolds lyap_r (same m, tau, Theiler)",
            f"{nlf:.3f}",
            f"{nlw:.3f}",
            f"{nl / dt:.3f} per time",
            f"{nlw / lwarm:.2f}",
        ],
    ]

    # 3. entropies against antropy
    se, sf, sw = timed(lambda: sample_entropy(x, order=2))
    ase, asf, asw = timed(lambda: antropy.sample_entropy(x, order=2))
    pe, pf, pw = timed(lambda: permutation_entropy(x, order=5, delay=1, normalize=True))
    ape, apf, apw = timed(lambda: antropy.perm_entropy(x, order=5, delay=1, normalize=True))
    rows += [
        ["sample entropy m=2, 10^4 points", "dynstab", f"{sf:.4f}", f"{sw:.4f}", f"{se:.10f}", "1"],
        ["", "antropy", f"{asf:.4f}", f"{asw:.4f}", f"{ase:.10f} (diff {abs(se - ase):.1e})", f"{asw / sw:.2f}"],
        ["permutation entropy order 5, 10^4 points", "dynstab", f"{pf:.4f}", f"{pw:.4f}", f"{pe:.10f}", "1"],
        ["", "antropy", f"{apf:.4f}", f"{apw:.4f}", f"{ape:.10f} (diff {abs(pe - ape):.1e})", f"{apw / pw:.2f}"],
    ]

    table = md_table(["case", "implementation", "first call (s)", "warm (s)", "result", "warm time / dynstab"], rows)
    print("\n".join(table))
    if args.write:
        import jax
        import numba

        body = [
            SECTION,
            "",
            "Command: `.venv/bin/python benchmarks/bench_timeseries.py --write`  ",
            f"Date: {_dt.date.today()}  ",
            f"Source: {git_state()}  ",
            f"Machine: {machine()}  ",
            f"Load average at start/end: {load0} / {loadavg()}  ",
            f"Versions: dynstab {dynstab.__version__}, jax {jax.__version__}, numba {numba.__version__}, "
            f"nolds {nolds.__version__ if hasattr(nolds, '__version__') else '0.6'}, antropy "
            f"{getattr(antropy, '__version__', '?')}",
            "",
            *table,
            "",
        ]
        replace_section(SECTION, "\n".join(body))


if __name__ == "__main__":
    main()
