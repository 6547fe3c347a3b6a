"""Developer check of catalog systems: python scripts/check_system.py NAME [NAME ...]

For each system: law vs dysts (if it has a dysts counterpart), boundedness of an RK4
trajectory of ~200 dominant periods at the system's dt, RK4 step-halving error over one
period, and a Lyapunov spectrum (3 initial conditions) with the zero-exponent and
sum-vs-divergence checks, next to dysts' stored spectrum. Not a test: it prints numbers for
a human to judge.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

import dynstab
from dynstab import systems
from dynstab.analysis import lyapunov_spectrum
from dynstab.timeseries import dominant_period


def check(name: str) -> None:
    s = systems.get(name)
    print(f"== {s.name} ({s.kind}, d={s.dim}, dt={s.dt}, flags={sorted(s.flags)})")
    try:
        from dynstab.systems.dysts_compat import dysts_model, rhs_difference

        diff, _ = rhs_difference(s)
        model = dysts_model(s)
        stored = model.metadata.get("lyapunov_spectrum_estimated") if hasattr(model, "metadata") else None
        print(f"   dysts: max rel. difference of the law {diff:.2e}; dysts stored spectrum {stored}")
    except (ImportError, KeyError) as exc:
        print(f"   dysts: {exc}")
    t0 = time.perf_counter()
    if s.kind == "map":
        tr = dynstab.trajectory(s, n=20000, transient=1000)
        period = 1.0
    else:
        probe = dynstab.trajectory(s, t=2000 * s.dt, transient=1000 * s.dt)
        period = dominant_period(probe, skip=s.unbounded)
        span = max(200 * period, 2000 * s.dt)
        tr = dynstab.trajectory(s, t=span, dt=s.dt * max(1, int(span / s.dt / 20000)), transient=20 * period)
        coarse = dynstab.trajectory(s, t=period, x0=tr.x[-1], dt=period / 4)
        fine = dynstab.trajectory(s, t=period, x0=tr.x[-1], dt=period / 4, step=s.dt / 2)
        err = np.max(np.abs(coarse.x[-1] - fine.x[-1])) / (1 + np.max(np.abs(fine.x[-1])))
        print(f"   dominant period {period:.4g}; RK4 step-halving error over one period {err:.1e}")
    bounded = [i for i in range(s.dim) if i not in s.unbounded]
    lo, hi = tr.x[:, bounded].min(axis=0), tr.x[:, bounded].max(axis=0)
    print(f"   trajectory finite; range of bounded coordinates {np.round(lo, 3)} .. {np.round(hi, 3)}")
    length = dict(n=100_000) if s.kind == "map" else dict(t=float(max(500 * period, 50_000 * s.dt)))
    spec = lyapunov_spectrum(s, n_ics=3, **length)
    print(
        f"   spectrum {np.round(spec.exponents, 5)} +- {np.round(spec.std, 5)}; sum {spec.exponents.sum():.5f} "
        f"vs <div> {spec.divergence:.5f}; D_KY {spec.kaplan_yorke_dimension:.4f}; "
        f"{time.perf_counter() - t0:.1f} s"
    )
    if s.kind == "flow" and "forced" not in s.flags:
        zero = np.min(np.abs(spec.exponents))
        print(
            f"   smallest |lambda| {zero:.4f} ({'ok' if zero < 0.01 else 'CHECK'}); sum/div - 1 = "
            f"{spec.exponents.sum() / spec.divergence - 1 if spec.divergence else math.nan:+.2e}"
        )


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["lorenz"]:
        check(arg)
