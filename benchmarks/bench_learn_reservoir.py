"""Reservoir computing benchmark (issue 6): dynstab's ESN against reservoirpy's, and NG-RC training.

Run from the repository root:

    .venv/bin/python benchmarks/bench_learn_reservoir.py [--quick] [--no-wait] [--n-test 100]

Same Lorenz-63 data for every model: DOP853 (rtol 1e-11) sampled every dt = 0.02 after a 50 tu transient,
200 tu of training, then ``--n-test`` test starts 5 tu apart, each forecast after 10 tu of teacher-forced
context; valid prediction time (VPT) = first time the error normalized by the training standard
deviations exceeds 0.4, in Lyapunov times (lambda_1 = 0.9056), median over the starts.

ESN rows share N = 1000, spectral radius 0.9, ridge 1e-8, input scaling 0.5, input bias U(-0.5, 0.5),
3 nonzeros per reservoir row, washout 500 steps. reservoirpy gets *our* reservoir matrices (W, W_in,
bias passed as arrays, so the reservoir is identical) and its standard ``Ridge`` readout, which is linear
in r (plus bias); our ``readout="linear"`` is the like-for-like row, ``"r_r2"`` ([1, r, r^2]) and
``"pathak"`` ([1, r] with every second unit squared) are our nonlinear readouts. reservoirpy forecasts
closed-loop one Python step at a time (its generative mode), so fewer of its forecasts are timed.

NG-RC: Gauthier et al. (2021) set-up on their data generator (scipy RK23, default tolerances, dt 0.025,
400 training points, k = 2, ridge 2.5e-6), VPT over 100 test starts 3 tu apart.

Timing: time.perf_counter around calls whose results are on the host. "first" is the first fit in this
process (tracing + XLA compile + run; the persistent compilation cache is off), "warm" the best of 3
later fits, with its process CPU time (all threads; on a busy machine the wall time inflates but the CPU
time does not). Prints a markdown table; the lead copies it into RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

os.environ["DYNSTAB_CACHE_DIR"] = ""  # real compile times (must precede importing dynstab)

import numpy as np

LAMBDA1 = 0.9056
DT, TRAIN, CONTEXT, HORIZON, GAP = 0.02, 200.0, 10.0, 25.0, 5.0


def load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def wait_for_quiet(threshold: float = 0.8, max_wait: float = 300.0) -> None:
    start = time.time()
    while load1() > threshold and time.time() - start < max_wait:
        time.sleep(15.0)


def vpt(truth, pred, scale) -> float:
    from dynstab.learn.metrics import valid_prediction_time

    with np.errstate(over="ignore", invalid="ignore"):
        return valid_prediction_time(truth, pred, DT, LAMBDA1, threshold=0.4, scale=scale)


def lorenz_data(n_test: int):
    import dynstab

    lor = dynstab.systems.get("lorenz")
    x = dynstab.trajectory(
        lor,
        t=TRAIN + n_test * GAP + CONTEXT + HORIZON + 1,
        dt=DT,
        transient=50.0,
        method="dopri8",
        rtol=1e-11,
        atol=1e-11,
    ).x
    n_train = round(TRAIN / DT)
    starts = n_train + 1 + round(CONTEXT / DT) + np.round(np.arange(n_test) * GAP / DT).astype(int)
    return x, x[: n_train + 1], starts


def timed(fn, repeats: int = 3):
    """First call (wall), best warm call (wall) and that call's process CPU time (all threads)."""
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    warm = []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        warm.append((time.perf_counter() - t0, time.process_time() - c0))
    best = min(warm)
    return out, first, best


def median_vpt(forecast, x, train, starts):
    ctx, H = round(CONTEXT / DT), round(HORIZON / DT)
    scale = train.std(axis=0)
    t0 = time.perf_counter()
    v = [vpt(x[s : s + H], forecast(x[s - ctx : s], H), scale) for s in starts]
    return float(np.median(v)), float(np.percentile(v, 10)), (time.perf_counter() - t0) / len(starts)


def ours(readout: str, x, train, starts):
    from dynstab.learn.reservoir import EchoStateNetwork

    def fit():
        return EchoStateNetwork(
            1000,
            spectral_radius=0.9,
            input_scaling=0.5,
            input_bias=0.5,
            degree=3,
            ridge=1e-8,
            readout=readout,
            washout=500,
            seed=0,
        ).fit(train, dt=DT)

    model, first, warm = timed(fit)
    med, p10, per = median_vpt(model.forecast, x, train, starts)
    return model, dict(
        name=f"dynstab ESN, readout {readout}",
        first=first,
        warm=warm,
        vpt=med,
        p10=p10,
        per_forecast=per,
        n=len(starts),
    )


def reservoirpy_esn(model, x, train, starts):
    """reservoirpy with our reservoir (identical W, W_in, b) and its linear Ridge readout."""
    import scipy.sparse as sp
    from reservoirpy.nodes import Reservoir, Ridge

    n = model.n_units
    idx, vals = model._idx, model._params["W_values"]
    W = sp.csr_matrix((vals.ravel(), idx.ravel(), np.arange(0, idx.size + 1, idx.shape[1])), shape=(n, n))
    mean, scale = model.mean_, model.scale_
    u = (train - mean) / scale

    def fit():
        res = Reservoir(W=W, Win=model._params["W_in"], bias=model._params["bias"], lr=1.0)
        esn = res >> Ridge(ridge=1e-8)
        esn.fit(u[:-1], u[1:], warmup=500)
        return esn

    esn, first, warm = timed(fit)

    def forecast(ctx, steps):
        esn.reset()
        y = esn.run((ctx - mean) / scale)[-1]
        out = np.empty((steps, ctx.shape[1]))
        for i in range(steps):
            out[i] = y
            y = esn(y)
        return out * scale + mean

    med, p10, per = median_vpt(forecast, x, train, starts)
    return dict(
        name="reservoirpy 0.4 ESN (same reservoir), linear Ridge",
        first=first,
        warm=warm,
        vpt=med,
        p10=p10,
        per_forecast=per,
        n=len(starts),
    )


def ngrc_row(n_test: int):
    from scipy.integrate import solve_ivp

    from dynstab.learn.metrics import valid_prediction_time
    from dynstab.learn.reservoir import NGRC

    dt, gap, horizon = 0.025, 3.0, 20.0

    def lorenz(t, y):
        return [10.0 * (y[1] - y[0]), y[0] * (28.0 - y[2]) - y[1], y[0] * y[1] - 8.0 / 3.0 * y[2]]

    n = round((15.0 + n_test * gap + horizon + 1) / dt)
    sol = solve_ivp(
        lorenz,
        (0.0, n * dt),
        [17.67715816276679, 12.931379185960404, 43.91404334248268],
        t_eval=np.linspace(0.0, n * dt, n + 1),
        method="RK23",
    )
    x = sol.y.T
    w, tr = round(5.0 / dt), round(10.0 / dt)
    train = x[w - 2 : w + tr]
    model, first, warm = timed(lambda: NGRC(k=2, ridge=2.5e-6).fit(train, dt=dt))
    H = round(horizon / dt)
    starts = w + tr + np.round(np.arange(n_test) * gap / dt).astype(int)
    t0 = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):
        v = [
            valid_prediction_time(
                x[s : s + H], model.forecast(x[s - 2 : s], H), dt, LAMBDA1, threshold=0.4, scale=x.std(axis=0)
            )
            for s in starts
        ]
    per = (time.perf_counter() - t0) / n_test
    return dict(
        name="dynstab NG-RC (Gauthier 2021 set-up, RK23 data)",
        first=first,
        warm=warm,
        vpt=float(np.median(v)),
        p10=float(np.percentile(v, 10)),
        per_forecast=per,
        n=n_test,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="5 test starts (checks the script)")
    ap.add_argument("--no-wait", action="store_true", help="do not wait for a quiet machine")
    ap.add_argument("--n-test", type=int, default=100)
    ap.add_argument("--n-test-reservoirpy", type=int, default=20)
    args = ap.parse_args()
    n_test = 5 if args.quick else args.n_test
    if not args.no_wait:
        wait_for_quiet()
    load_start = load1()
    import jax
    import reservoirpy

    x, train, starts = lorenz_data(n_test)
    rows = []
    lin_model = None
    for readout in ("r_r2", "pathak", "linear"):
        model, row = ours(readout, x, train, starts)
        rows.append(row)
        if readout == "linear":
            lin_model = model
    rows.append(reservoirpy_esn(lin_model, x, train, starts[: min(n_test, args.n_test_reservoirpy)]))
    rows.append(ngrc_row(n_test))
    print(
        f"\nLorenz-63, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, jax {jax.__version__} "
        f"({jax.default_backend()}), reservoirpy {reservoirpy.__version__}; load average at start {load_start:.2f}, "
        f"at end {load1():.2f}\n"
    )
    print(
        "| model | first fit (compile + run) [s] | warm fit: wall (CPU, all threads) [s] "
        "| VPT median [Lyapunov times] | VPT 10th pct | test starts | time per forecast [ms] |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        wall, cpu = r["warm"]
        print(
            f"| {r['name']} | {r['first']:.3f} | {wall:.3f} ({cpu:.3f} CPU) | {r['vpt']:.2f} | {r['p10']:.2f} "
            f"| {r['n']} | {1e3 * r['per_forecast']:.1f} |"
        )


if __name__ == "__main__":
    main()
