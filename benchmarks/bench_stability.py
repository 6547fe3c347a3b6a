"""Benchmark: orbit diagrams and basins of attraction, dynstab against numba and pynamicalsys.

Cases (issue 4):
  1. logistic orbit diagram, r in [2.5, 4], 1000 values x 100 kept points after a transient of 1000;
  2. Newton's method for z^3 - 1 on a 200 x 200 grid of [-1.5, 1.5]^2.

Columns: compile (first call, includes tracing/compilation) and warm (best of ``REPEATS`` calls),
seconds. References:
  * numba, hand-written, serial (``@njit``, no ``prange``) and parallel (``prange``) loops;
  * pynamicalsys 1.7 ``DiscreteDynamicalSystem("logistic map").bifurcation_diagram`` (numba inside);
    pynamicalsys has no basin computation for a user map (only ``BasinMetrics`` on a given label grid),
    so for case 2 its basin-entropy metric is timed against ``dynstab.analysis.basins.basin_entropy``.

Note on case 2: the numba reference is told the three roots and stops each orbit when it is within
1e-6 of one. dynstab's ``basins_of_attraction(..., attractors=roots, radius=1e-6)`` does the same
(AttractorsViaProximity; compiled loops over chunks of 256 orbits, exit test every 8 steps); its
default mode is generic (discovers the attractors by recurrences in a cell grid, then labels every
initial condition after n_consecutive=10 steps in an attractor's cells). Basin entropy and the
uncertainty exponent are computed lazily (not in these timings). The basins contenders run
interleaved in ``ROUNDS`` rounds (best of ``REPEATS`` each) and the ratio to numba serial is taken per
round, since the machine may be shared. Run: ``python benchmarks/bench_stability.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import first_and_best

REPEATS = 5
ROUNDS = 5  # interleaved rounds for the basins case (ratios per round)


def timed(fn):
    """(first call = compile + run, best warm call, result)."""
    out, first, best = first_and_best(fn, REPEATS)
    return first, best, out


# --- numba references -------------------------------------------------------------------------
def numba_refs():
    import numba

    def make_logistic(parallel):
        rng = numba.prange if parallel else range

        @numba.njit(parallel=parallel, cache=False)
        def logistic(rs, x0, n_tr, n_keep):
            out = np.empty((rs.size, n_keep))
            for i in rng(rs.size):
                r, x = rs[i], x0
                for _ in range(n_tr):
                    x = r * x * (1.0 - x)
                for k in range(n_keep):
                    x = r * x * (1.0 - x)
                    out[i, k] = x
            return out

        return logistic

    def make_newton(parallel):
        rng = numba.prange if parallel else range

        @numba.njit(parallel=parallel, cache=False)
        def newton(xs, ys, tol, max_it):
            roots = np.array([[1.0, 0.0], [-0.5, 0.8660254037844386], [-0.5, -0.8660254037844386]])
            out = np.full((xs.size, ys.size), -1, np.int64)
            for i in rng(xs.size):
                for j in range(ys.size):
                    a, b = xs[i], ys[j]
                    for _ in range(max_it):
                        a2, b2 = a * a - b * b, 2.0 * a * b
                        den = 3.0 * (a2 * a2 + b2 * b2)
                        a, b = 2.0 * a / 3.0 + a2 / den, 2.0 * b / 3.0 - b2 / den
                        hit = -1
                        for r in range(3):
                            if (a - roots[r, 0]) ** 2 + (b - roots[r, 1]) ** 2 < tol * tol:
                                hit = r
                        if hit >= 0:
                            out[i, j] = hit
                            break
            return out

        return newton

    return make_logistic(False), make_logistic(True), make_newton(False), make_newton(True)


def main():
    import jax.numpy as jnp

    import dynstab
    from dynstab.analysis.basins import basin_entropy, basins_of_attraction
    from dynstab.analysis.orbit_diagram import orbit_diagram

    rows = []
    logistic_serial, logistic_parallel, newton_serial, newton_parallel = numba_refs()

    # 1. logistic orbit diagram
    rs = np.linspace(2.5, 4.0, 1000)
    logistic = dynstab.systems.get("logistic")
    c, w, od = timed(lambda: orbit_diagram(logistic, "r", rs, n_keep=100, transient=1000, x0=[0.4]))
    rows.append(("logistic orbit diagram 1000 x 100 (transient 1000)", "dynstab orbit_diagram (JAX, CPU)", c, w))
    c, w, ref = timed(lambda: logistic_serial(rs, 0.4, 1000, 100))
    rows.append(("", "numba serial (@njit)", c, w))
    np.testing.assert_allclose(od.points[rs < 3.4], ref[rs < 3.4], atol=1e-8)
    c, w, _ = timed(lambda: logistic_parallel(rs, 0.4, 1000, 100))
    rows.append(("", "numba parallel (prange)", c, w))
    try:
        from pynamicalsys import DiscreteDynamicalSystem

        ds = DiscreteDynamicalSystem(model="logistic map")
        c, w, _ = timed(lambda: ds.bifurcation_diagram(np.array([0.4]), 0, rs, total_time=1100, transient_time=1000))
        rows.append(("", "pynamicalsys bifurcation_diagram", c, w))
    except ImportError:
        rows.append(("", "pynamicalsys (not installed)", np.nan, np.nan))

    # 2. Newton z^3 - 1 basins: every contender timed in the same rounds (the machine is shared and noisy),
    # the ratio to numba serial taken per round; compile = first call
    @dynstab.map(params=dict(), x0=[0.1, 0.2], names=("re", "im"), name="newton_z3")
    def newton(x, p, n):
        a, b = x[0], x[1]
        a2, b2 = a * a - b * b, 2 * a * b
        den = 3 * (a2 * a2 + b2 * b2)
        return jnp.stack([2 * a / 3 + a2 / den, 2 * b / 3 - b2 / den])

    g = np.linspace(-1.5, 1.5, 200)
    roots = np.array([[1.0, 0.0], [-0.5, 0.8660254037844386], [-0.5, -0.8660254037844386]])  # numba's order
    contenders = {
        "numba serial, roots given, early exit (|z - root| < 1e-6, checked every step)": lambda: newton_serial(
            g, g, 1e-6, 100
        ),
        "numba parallel (prange), roots given": lambda: newton_parallel(g, g, 1e-6, 100),
        "dynstab, attractors given (proximity radius 1e-6, check every 8 steps)": lambda: basins_of_attraction(
            newton, (g, g), attractors=roots, radius=1e-6
        ),
        "dynstab, attractors given (radius 1e-6, check every step)": lambda: basins_of_attraction(
            newton, (g, g), attractors=roots, radius=1e-6, check_every=1
        ),
        "dynstab, attractors given (default radius: 1/4 of the root spacing)": lambda: basins_of_attraction(
            newton, (g, g), attractors=roots
        ),
        "dynstab, attractors found (default: recurrences, n_consecutive=10)": lambda: basins_of_attraction(
            newton, (g, g)
        ),
        "dynstab, attractors found, transient=50, n_consecutive=3, n_discovery=256": lambda: basins_of_attraction(
            newton, (g, g), transient=50, n_consecutive=3, n_discovery=256
        ),
    }
    compile_t, outs = {}, {}
    for name, fn in contenders.items():
        t0 = time.perf_counter()
        outs[name] = fn()
        compile_t[name] = time.perf_counter() - t0
    warm = {name: [] for name in contenders}
    for _ in range(ROUNDS):
        for name, fn in contenders.items():
            best = np.inf
            for _ in range(REPEATS):
                t0 = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - t0)
            warm[name].append(best)
    ref_name = next(iter(contenders))
    ref = outs[ref_name]
    basin_rows = []
    for name in contenders:
        ratio = np.array(warm[name]) / np.array(warm[ref_name])
        basin_rows.append(
            (
                name,
                compile_t[name],
                float(np.median(warm[name])),
                float(np.min(warm[name])),
                float(np.median(ratio)),
                float(ratio.min()),
                float(ratio.max()),
            )
        )
    bas = outs["dynstab, attractors found (default: recurrences, n_consecutive=10)"]
    given = outs["dynstab, attractors given (proximity radius 1e-6, check every 8 steps)"]
    agree_given = float(np.mean(given.labels == ref))
    # the default mode orders the attractors by centroid: compare the partitions (labels may be permuted)
    agree = max(
        np.mean(bas.labels == np.choose(ref, perm))
        for perm in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]
    )
    c, w, _ = timed(lambda: basin_entropy(bas.labels, 5))
    rows.append(("basin entropy of the 200 x 200 labels, eps = 5", "dynstab basin_entropy (numpy)", c, w))
    try:
        from pynamicalsys import BasinMetrics

        c, w, pyn = timed(lambda: BasinMetrics(bas.labels.astype(np.float64)).basin_entropy(5))
        rows.append(("", "pynamicalsys BasinMetrics.basin_entropy", c, w))
    except ImportError:
        pyn = None

    print("| case | implementation | compile (s) | warm (s) |")
    print("|---|---|---|---|")
    for case, impl, c, w in rows:
        print(f"| {case} | {impl} | {c:.4f} | {w:.4f} |")
    print()
    print()
    print(
        f"Newton z^3-1 basins, 200 x 200 grid: {ROUNDS} rounds x best of {REPEATS}; ratio = dynstab / numba serial "
        "in the same round (median, [min, max])"
    )
    print()
    print("| implementation | compile (s) | warm median (s) | warm best (s) | ratio to numba serial |")
    print("|---|---|---|---|---|")
    for name, c, wm, wb, rm, rlo, rhi in basin_rows:
        print(f"| {name} | {c:.4f} | {wm:.4f} | {wb:.4f} | {rm:.2f} [{rlo:.2f}, {rhi:.2f}] |")
    print()
    print(
        f"Newton basins: attractors-given labels equal the numba reference on {100 * agree_given:.3f}% of the grid; "
        f"default-mode labels agree with it on {100 * agree:.3f}% of the grid; "
        f"fractions {bas.fractions}; S_b = {bas.basin_entropy:.4f}, S_bb = {bas.boundary_basin_entropy:.4f}"
        + (f" (pynamicalsys: {pyn[0]:.4f}, {pyn[1]:.4f})" if pyn is not None else "")
    )


if __name__ == "__main__":
    main()
