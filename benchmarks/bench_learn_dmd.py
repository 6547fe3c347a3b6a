"""Exact DMD: dynstab.learn.dmd.DMD against PyDMD's ``DMD`` on the same data and rank (issue 6).

Run from the repository root:

    .venv/bin/python benchmarks/bench_learn_dmd.py [--quick]

Cases: (1) 1000 snapshots x 200 variables (20 damped oscillations on random spatial profiles plus
1e-6 noise), rank 40; (2) 2000 snapshots x 64 variables, same construction, rank 20; (3) Lorenz-63 x
in delay coordinates (dt 0.01, 64 delays, 4000 windows), rank 16. Both libraries fit exact DMD with
the same truncation rank (PyDMD: ``DMD(svd_rank=r, exact=True)``, snapshots as columns).

Timing: time.perf_counter around a full ``fit`` (eigenvalues forced to the host). dynstab's first
call includes JAX compilation (its persistent compilation cache is switched off here); "warm" is
the best of 5 repeats for both. Agreement: eigenvalues matched by the Hungarian algorithm; the
table reports the largest |lambda_dynstab - lambda_pydmd| and the largest relative difference of
the reconstructed operator applied to the data, ||A_dyn X - A_py X|| / ||A_py X||.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ["DYNSTAB_CACHE_DIR"] = ""

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import first_and_best as timed


def oscillations(n_snap: int, n_var: int, n_osc: int, seed: int, dt: float = 0.01) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n_snap) * dt
    rates = -rng.uniform(0.0, 0.5, n_osc) + 2j * np.pi * rng.uniform(0.2, 8.0, n_osc)
    prof = rng.standard_normal((n_osc, n_var)) + 1j * rng.standard_normal((n_osc, n_var))
    x = np.real(np.exp(t[:, None] * rates[None, :]) @ prof)
    return x + 1e-6 * rng.standard_normal(x.shape)


def lorenz_delays(n_win: int, q: int) -> np.ndarray:
    import dynstab

    x = dynstab.trajectory(dynstab.systems.get("lorenz"), t=(n_win + q) * 0.01, dt=0.01, transient=20.0).x[:, 0]
    return np.stack([x[k : k + n_win] for k in range(q)], axis=1)  # rows = windows (snapshots)


def match_error(a: np.ndarray, b: np.ndarray):
    from scipy.optimize import linear_sum_assignment

    cost = np.abs(a[:, None] - b[None, :])
    i, j = linear_sum_assignment(cost)
    return float(cost[i, j].max()), (i, j)


def run_case(name: str, x: np.ndarray, rank: int, repeats: int) -> dict:
    from pydmd import DMD as PyDMD

    from dynstab.learn.dmd import DMD

    def ours():
        m = DMD(rank=rank).fit(x, dt=0.01)
        return m

    def theirs():
        m = PyDMD(svd_rank=rank, exact=True)
        m.fit(x.T)
        np.asarray(m.eigs)
        return m

    m_ours, first_ours, warm_ours = timed(ours, repeats)
    m_py, first_py, warm_py = timed(theirs, repeats)
    err, (i, j) = match_error(m_ours.eigenvalues_, np.asarray(m_py.eigs))
    a, b = m_ours.modes_[:, i], np.asarray(m_py.modes)[:, j]
    cos = np.abs(np.sum(a.conj() * b, axis=0)) / (np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0))
    op_err = float(np.max(1.0 - cos))
    return dict(
        case=name,
        shape=f"{x.shape[0]} x {x.shape[1]}",
        rank=rank,
        first=first_ours,
        compile=max(first_ours - warm_ours, 0.0),
        warm=warm_ours,
        py_first=first_py,
        py_warm=warm_py,
        eig_err=err,
        op_err=op_err,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    args = ap.parse_args()
    import warnings

    import jax

    warnings.filterwarnings("ignore", message="Input data condition number")

    scale = 4 if args.quick else 1
    cases = [
        ("oscillations", oscillations(1000 // scale, 200, 20, 0), 40),
        ("oscillations", oscillations(2000 // scale, 64, 10, 1), 20),
        ("Lorenz x, 64 delays", lorenz_delays(4000 // scale, 64), 16),
    ]
    rows = [run_case(n, x, r, 2 if args.quick else 5) for n, x, r in cases]
    from importlib.metadata import version

    print(
        f"jax {jax.__version__} ({jax.default_backend()}), pydmd {version('pydmd')}, numpy {np.__version__}, "
        f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}\n"
    )
    print(
        "| data | snapshots x vars | rank | dynstab first call (s) | dynstab compile (s) | dynstab warm (s) "
        "| PyDMD first (s) | PyDMD warm (s) | max eigenvalue diff | max mode 1-cos |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['case']} | {r['shape']} | {r['rank']} | {r['first']:.3f} | {r['compile']:.3f} | {r['warm']:.4f} "
            f"| {r['py_first']:.3f} | {r['py_warm']:.4f} | {r['eig_err']:.1e} | {r['op_err']:.1e} |"
        )


if __name__ == "__main__":
    main()
