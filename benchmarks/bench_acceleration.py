"""Accelerated-gradient numbers (issue 19): heavy-ball spectral radius at the optimal tuning (closed form,
iteration matrix, simulated decay) and the fitted O(1/t^2) exponent of Nesterov's ODE.

    .venv/bin/python benchmarks/bench_acceleration.py
"""

from __future__ import annotations

import math
import time

import jax.numpy as jnp
import numpy as np

from dynstab.models import acceleration as ac
from dynstab.simulate import trajectory


def heavy_ball_rows() -> None:
    print(
        "| kappa | target (sqrt k - 1)/(sqrt k + 1) | closed form - target | iteration matrix - target "
        "| simulated rate - target | predicted k-factor bias rho ln 3 / (2K) |"
    )
    print("|---|---|---|---|---|---|")
    for mu, L in [(1e-2, 1.0), (1e-3, 1.0), (1e-4, 1.0)]:
        lam = np.r_[mu, np.geomspace(mu, L, 12)[1:-1], L]
        p = ac.optimal_parameters("heavy_ball", mu, L)
        target = ac.convergence_rates(mu, L)["heavy_ball"]
        closed = ac.spectral_radius("heavy_ball", lam, **p)
        matrix = ac.iteration_spectral_radius(ac.heavy_ball(ac.quadratic(eigenvalues=lam[1:-1]), **p))
        hb = ac.heavy_ball(ac.quadratic(eigenvalues=lam), **p, x0=np.ones(lam.size))
        # window [K, 3K] with K such that log||z|| stays above the float range: rho^(3K) ~ 1e-120
        K = int(90 / (3 * -math.log(target)))
        z = np.asarray(trajectory(hb, n=3 * K).x)
        k = np.arange(K, 3 * K + 1)
        rate = math.exp(np.polyfit(k, np.log(np.linalg.norm(z[k], axis=1)), 1)[0])
        bias = target * math.log(3) / (2 * K)  # ||z_k|| ~ k rho^k at the double roots
        print(
            f"| {L / mu:g} | {target:.6f} | {closed - target:.1e} | {matrix - target:.1e} | {rate - target:.1e} "
            f"(K = {K}) | {bias:.1e} |"
        )


def nesterov_rows() -> None:
    mu = 1e-8
    base, x0 = ac.loguniform_quadratic(mu=mu, L=1.0, n=80)
    lam = base.extra["eigenvalues"]
    logcosh = ac.Objective(
        "logcosh", lambda x, p: jnp.sum(p["lam"] * jnp.log(jnp.cosh(x))), {"lam": lam}, 80, np.zeros(80), 0.0, mu, 1.0
    )
    print("| objective | window | fitted exponent | run (s) |")
    print("|---|---|---|---|")
    for obj in (base, logcosh):
        t0 = time.perf_counter()
        tr = trajectory(ac.nesterov_flow(obj, x0=x0), t=300.0, dt=0.5, t0=1e-3, method="dopri8", rtol=1e-10, atol=1e-12)
        secs = time.perf_counter() - t0
        t = np.asarray(tr.t)
        f = obj.f(np.asarray(tr.x)[:, :80])
        w = (t >= 30) & (t <= 0.03 / math.sqrt(mu))
        print(
            f"| {obj.name} (log-uniform spectrum 1e-8..1, n = 80) | [30, 300] | {ac.fit_power_law(t[w], f[w]):.4f} | {secs:.1f} |"
        )


if __name__ == "__main__":
    heavy_ball_rows()
    nesterov_rows()
