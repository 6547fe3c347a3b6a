"""Calibration of the measured-data report (issue 12): verdicts and exponent intervals on known series.

Two suites, every series generated here by dynstab (catalog systems through `dynstab.trajectory`)
or numpy with fixed seeds:

1. verdicts: `analyze_series` (the whole report, 39 IAAFT surrogates, as `dynstab analyze` runs
   it) on series whose answer is known: chaotic flows and maps at several lengths and noise
   levels, limit cycles, quasi-periodic tori, periodic windows, linear stochastic processes,
   random walks, trends, noisy sines. A verdict is right when its class equals the truth,
   acceptable when "inconclusive", and WRONG otherwise.
2. exponent intervals: `lyapunov_from_data` alone on chaotic series with known exponents (the
   catalog's `max_lyapunov`, from the tangent dynamics) across lengths 2e3, 1e4, 5e4 and
   observational noise 0, 1 %, 5 % of the standard deviation: how often the 95 % interval covers
   the truth, among the estimates the estimator calls valid (a scaling region common to two
   embedding dimensions), and the typical widths.

The estimator and verdict thresholds were tuned on the seed set ``tuning`` (seed 1); the
published table uses the seed set ``final`` (seeds 201 + case index), which tuning never saw (a first
"final" run on seeds 101 + index showed the symmetric 20 % systematic term too narrow for noisy
series, 75 % coverage; the upper term was then re-set on the tuning seed, see docs/calibration.md).

    python benchmarks/calibrate_verdicts.py                 # final seeds, both suites, prints markdown
    python benchmarks/calibrate_verdicts.py --write         # and writes the RESULTS.md section and docs/calibration.md
    python benchmarks/calibrate_verdicts.py --seeds tuning  # the seed set the thresholds were tuned on
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import dynstab  # noqa: E402
from dynstab.systems.metadata import metadata  # noqa: E402

TITLE = "## Verdict calibration (issue 12)"
DOC = HERE.parent / "docs" / "calibration.md"


# ---------------------------------------------------------------------------------------- series
def _flow(name: str, n: int, dt: float, seed: int, noise: float = 0.0, transient: float = 100.0) -> np.ndarray:
    """x-coordinate of a catalog flow, n samples every dt, from a seeded perturbation of its x0."""
    s = dynstab.systems.get(name)
    rng = np.random.default_rng(seed)
    x0 = np.asarray(s.x0, float) * (1.0 + 0.05 * rng.standard_normal(np.shape(s.x0)))
    x = np.asarray(dynstab.trajectory(s.with_x0(x0), t=n * dt, dt=dt, transient=transient).x)[:n, 0]
    return x + noise * x.std() * rng.standard_normal(n) if noise else x


def _map(name: str, n: int, seed: int, noise: float = 0.0, **params) -> np.ndarray:
    """First coordinate of a catalog map after 500 transient iterations."""
    s = dynstab.systems.get(name)
    if params:
        s = s.with_params(**params)
    rng = np.random.default_rng(seed)
    x0 = np.asarray(s.x0, float) + 0.01 * rng.standard_normal(np.shape(s.x0))
    x = np.asarray(dynstab.trajectory(s.with_x0(x0), n=n, transient=500).x)
    x = x[:n, 0] if x.ndim == 2 else x[:n]
    return x + noise * x.std() * rng.standard_normal(n) if noise else x


def _ar(n: int, coeffs: tuple[float, ...], seed: int) -> np.ndarray:
    """AR(p) process x_t = sum_i a_i x_{t-i} + e_t, unit Gaussian innovations, 1000 samples of burn-in."""
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n + 1000)
    x = np.zeros(n + 1000)
    p = len(coeffs)
    for t in range(p, n + 1000):
        x[t] = sum(a * x[t - 1 - i] for i, a in enumerate(coeffs)) + e[t]
    return x[1000:]


def _lam(name: str) -> float:
    return float(metadata(name)["max_lyapunov"])


@dataclass
class Case:
    """One series with a known answer."""

    label: str
    truth: str  # "chaotic", "regular", "linear noise", "non-stationary"
    make: Callable[[int], tuple[np.ndarray, float]]  # seed -> (x, dt)
    lam: float | None = None


def verdict_cases(quick: bool = False) -> list[Case]:
    """The verdict suite (27 series); ``quick``: three short ones for the default test run (about a second each)."""
    t = np.arange
    if quick:
        return [
            Case(
                "random walk, N=1000",
                "non-stationary",
                lambda s: (np.cumsum(np.random.default_rng(s).standard_normal(1000)), 1.0),
            ),
            Case(
                "linear ramp + 1% noise, N=1000",
                "non-stationary",
                lambda s: (np.linspace(0, 10, 1000) + 0.1 * np.random.default_rng(s).standard_normal(1000), 1.0),
            ),
            Case("sine, 25 samples/period, N=1000", "regular", lambda s: (np.sin(2 * np.pi * t(1000) / 25 + s), 1.0)),
        ]
    lz, ro, mg = _lam("lorenz"), _lam("rossler"), _lam("mackey_glass")
    he, lo, ik = _lam("henon"), _lam("lozi"), _lam("ikeda")
    lg = float(np.log(2.0))
    return [
        Case("Lorenz x, dt=0.02, N=5000", "chaotic", lambda s: (_flow("lorenz", 5000, 0.02, s), 0.02), lz),
        Case("Lorenz x, dt=0.02, N=20000", "chaotic", lambda s: (_flow("lorenz", 20000, 0.02, s), 0.02), lz),
        Case(
            "Lorenz x, dt=0.02, N=20000, 1% noise",
            "chaotic",
            lambda s: (_flow("lorenz", 20000, 0.02, s, 0.01), 0.02),
            lz,
        ),
        Case(
            "Lorenz x, dt=0.05, N=10000, 5% noise",
            "chaotic",
            lambda s: (_flow("lorenz", 10000, 0.05, s, 0.05), 0.05),
            lz,
        ),
        Case("Lorenz x, dt=0.01, N=50000", "chaotic", lambda s: (_flow("lorenz", 50000, 0.01, s), 0.01), lz),
        Case(
            "Rossler x, dt=0.1, N=10000",
            "chaotic",
            lambda s: (_flow("rossler", 10000, 0.1, s, transient=300.0), 0.1),
            ro,
        ),
        Case(
            "Mackey-Glass, dt=1, N=10000",
            "chaotic",
            lambda s: (_flow("mackey_glass", 10000, 1.0, s, transient=500.0), 1.0),
            mg,
        ),
        Case("Henon x, N=2000", "chaotic", lambda s: (_map("henon", 2000, s), 1.0), he),
        Case("Henon x, N=10000, 1% noise", "chaotic", lambda s: (_map("henon", 10000, s, 0.01), 1.0), he),
        Case("Henon x, N=10000, 5% noise", "chaotic", lambda s: (_map("henon", 10000, s, 0.05), 1.0), he),
        Case("logistic r=4, N=5000", "chaotic", lambda s: (_map("logistic", 5000, s), 1.0), lg),
        Case("logistic r=4, N=5000, 1% noise", "chaotic", lambda s: (_map("logistic", 5000, s, 0.01), 1.0), lg),
        Case("Lozi x, N=5000", "chaotic", lambda s: (_map("lozi", 5000, s), 1.0), lo),
        Case("Ikeda x, N=10000, 1% noise", "chaotic", lambda s: (_map("ikeda", 10000, s, 0.01), 1.0), ik),
        Case("sine, 25 samples/period, N=5000", "regular", lambda s: (np.sin(2 * np.pi * t(5000) / 25 + s), 1.0)),
        Case(
            "sine + 10% noise, N=5000",
            "regular",
            lambda s: (np.sin(2 * np.pi * t(5000) / 25.3) + 0.1 * np.random.default_rng(s).standard_normal(5000), 1.0),
        ),
        Case(
            "two incommensurate sines (torus), N=10000",
            "regular",
            lambda s: (np.sin(2 * np.pi * t(10000) / 25 + s) + 0.7 * np.sin(2 * np.pi * t(10000) * 0.0247214), 1.0),
        ),
        Case(
            "van der Pol x (limit cycle), dt=0.05, N=10000",
            "regular",
            lambda s: (_flow("van_der_pol", 10000, 0.05, s), 0.05),
        ),
        Case(
            "torus flow x (quasi-periodic), dt=0.05, N=10000",
            "regular",
            lambda s: (_flow("torus", 10000, 0.05, s), 0.05),
        ),
        Case(
            "logistic r=3.83 (period-3 window), N=3000", "regular", lambda s: (_map("logistic", 3000, s, r=3.83), 1.0)
        ),
        Case("AR(1) phi=0.9, N=5000", "linear noise", lambda s: (_ar(5000, (0.9,), s), 1.0)),
        Case("AR(1) phi=0.99, N=5000", "linear noise", lambda s: (_ar(5000, (0.99,), s), 1.0)),
        Case("AR(2) noisy oscillator, N=5000", "linear noise", lambda s: (_ar(5000, (1.8, -0.9), s), 1.0)),
        Case("white noise, N=3000", "linear noise", lambda s: (np.random.default_rng(s).standard_normal(3000), 1.0)),
        Case(
            "random walk, N=5000",
            "non-stationary",
            lambda s: (np.cumsum(np.random.default_rng(s).standard_normal(5000)), 1.0),
        ),
        Case(
            "linear ramp + 1% noise, N=5000",
            "non-stationary",
            lambda s: (np.linspace(0, 10, 5000) + 0.1 * np.random.default_rng(s).standard_normal(5000), 1.0),
        ),
        Case(
            "Lorenz x + linear trend, dt=0.02, N=10000",
            "non-stationary",
            lambda s: ((lambda x: x + np.linspace(0, 4 * x.std(), x.size))(_flow("lorenz", 10000, 0.02, s)), 0.02),
        ),
    ]


def lyapunov_cases() -> list[tuple[str, Callable[[int, int, float], tuple[np.ndarray, float]], float]]:
    """(label, make(n, seed, noise) -> (x, dt), true exponent) for the interval calibration."""
    return [
        ("Lorenz x dt=0.01", lambda n, s, e: (_flow("lorenz", n, 0.01, s, e), 0.01), _lam("lorenz")),
        ("Lorenz x dt=0.05", lambda n, s, e: (_flow("lorenz", n, 0.05, s, e), 0.05), _lam("lorenz")),
        ("Rossler x dt=0.1", lambda n, s, e: (_flow("rossler", n, 0.1, s, e, 300.0), 0.1), _lam("rossler")),
        ("Mackey-Glass dt=1", lambda n, s, e: (_flow("mackey_glass", n, 1.0, s, e, 500.0), 1.0), _lam("mackey_glass")),
        ("Henon x", lambda n, s, e: (_map("henon", n, s, e), 1.0), _lam("henon")),
        ("logistic r=4", lambda n, s, e: (_map("logistic", n, s, e), 1.0), float(np.log(2.0))),
        ("Lozi x", lambda n, s, e: (_map("lozi", n, s, e), 1.0), _lam("lozi")),
        ("Ikeda x", lambda n, s, e: (_map("ikeda", n, s, e), 1.0), _lam("ikeda")),
    ]


def seed_of(seeds: str, index: int) -> int:
    """Seed of case ``index``: 1 for the tuning set, 201 + index for the final one."""
    return 1 if seeds == "tuning" else 201 + index


# ---------------------------------------------------------------------------------------- running
def judge(truth: str, got: str | None) -> str:
    """'right', 'inconclusive' or 'WRONG'."""
    if got == truth:
        return "right"
    return "inconclusive" if got == "inconclusive" else "WRONG"


def run_verdicts(seeds: str = "final", quick: bool = False, n_surrogates: int = 39, log=print) -> list[dict]:
    """Run the whole report on every verdict case; one dict per case."""
    from dynstab.timeseries.report import analyze_series

    rows = []
    for i, case in enumerate(verdict_cases(quick)):
        x, dt = case.make(seed_of(seeds, i))
        t0 = time.perf_counter()
        rep = analyze_series(x, dt, name=case.label, seed=seed_of(seeds, i), n_surrogates=n_surrogates)
        sec = time.perf_counter() - t0
        ly = rep.lyapunov
        row = {
            "label": case.label,
            "truth": case.truth,
            "got": rep.verdict_class,
            "judge": judge(case.truth, rep.verdict_class),
            "lam": None if ly is None or not ly.valid else ly.exponent,
            "ci": None if ly is None or not ly.valid else ly.ci,
            "true_lam": case.lam,
            "d2": None if rep.dimension is None else rep.dimension.dimension,
            "seconds": sec,
            "verdict": rep.verdict,
        }
        row["covers"] = (
            None if row["ci"] is None or case.lam is None else bool(row["ci"][0] <= case.lam <= row["ci"][1])
        )
        log(f"{case.label:50s} truth={case.truth:15s} got={rep.verdict_class:15s} {row['judge']:12s} {sec:6.1f}s")
        rows.append(row)
    return rows


def run_intervals(
    seeds: str = "final", lengths=(2000, 10_000, 50_000), noises=(0.0, 0.01, 0.05), log=print
) -> list[dict]:
    """lyapunov_from_data on every (system, length, noise); one dict per run."""
    from dynstab.timeseries.lyapunov import lyapunov_from_data

    rows = []
    for i, (label, make, lam) in enumerate(lyapunov_cases()):
        for j, n in enumerate(lengths):
            for k, noise in enumerate(noises):
                x, dt = make(n, seed_of(seeds, 100 * i + 10 * j + k), noise)
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    r = lyapunov_from_data(x, dt)
                sec = time.perf_counter() - t0
                row = {
                    "label": label,
                    "n": n,
                    "noise": noise,
                    "true": lam,
                    "valid": r.valid,
                    "lam": r.exponent,
                    "ci": r.ci,
                    "covers": bool(r.valid and r.ci[0] <= lam <= r.ci[1]),
                    "seconds": sec,
                }
                log(
                    f"{label:18s} N={n:6d} noise={noise:.2f} valid={r.valid!s:5s} lam={r.exponent:.4f} "
                    f"[{r.ci[0]:.4f}, {r.ci[1]:.4f}] true={lam:.4f} covers={row['covers']} {sec:.1f}s"
                )
                rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------- tables
def _f(v, fmt=".3g") -> str:
    return "-" if v is None or not np.isfinite(v) else format(v, fmt)


def markdown(verdicts: list[dict], intervals: list[dict], seeds: str, wall: float) -> str:
    from _results import git_state, loadavg, machine, md_table

    n_wrong = sum(r["judge"] == "WRONG" for r in verdicts)
    n_right = sum(r["judge"] == "right" for r in verdicts)
    cov_rows = [r for r in verdicts if r["covers"] is not None]
    out = [
        TITLE,
        "",
        "`python benchmarks/calibrate_verdicts.py --write` "
        f"(seed set `{seeds}`: {'seeds 201 + case index, never used for tuning' if seeds == 'final' else 'seed 1, the tuning set'}); "
        f"{machine()}, load {loadavg()}, git {git_state()}, {wall:.0f} s in all.",
        "",
        f"**Verdicts** (`analyze_series`, 39 IAAFT surrogates): {len(verdicts)} series, {n_right} right, "
        f"{len(verdicts) - n_right - n_wrong} inconclusive, **{n_wrong} wrong**. Exponent interval covers the truth in "
        f"{sum(r['covers'] for r in cov_rows)} of {len(cov_rows)} chaotic series with a valid estimate.",
        "",
    ]
    rows = []
    for r in verdicts:
        lam = "-" if r["lam"] is None else f"{r['lam']:.3g} [{r['ci'][0]:.3g}, {r['ci'][1]:.3g}]"
        cov = "-" if r["covers"] is None else ("yes" if r["covers"] else "**no**")
        truth_lam = "" if r["true_lam"] is None else f" (lambda {r['true_lam']:.3g})"
        verdict = r["got"] if r["judge"] != "WRONG" else f"**{r['got']} (WRONG)**"
        rows.append([r["label"], r["truth"] + truth_lam, verdict, lam, _f(r["d2"]), cov, f"{r['seconds']:.1f}"])
    out += md_table(["series", "truth", "verdict", "lambda [95% interval]", "D2", "covers?", "s"], rows)
    if intervals:
        valid = [r for r in intervals if r["valid"]]
        covered = sum(r["covers"] for r in valid)
        rel_w = [(r["ci"][1] - r["ci"][0]) / 2 / r["lam"] for r in valid if r["lam"] > 0]
        out += [
            "",
            f"**Exponent intervals** (`lyapunov_from_data`, defaults): {len(intervals)} runs (8 systems x lengths "
            f"{sorted({r['n'] for r in intervals})} x noise {sorted({r['noise'] for r in intervals})} of the standard "
            f"deviation), {len(valid)} valid estimates (a scaling region common to two embedding dimensions; the others "
            f"report no estimate), the 95% interval covers the true exponent in **{covered} of {len(valid)} "
            f"({covered / max(1, len(valid)):.0%})**; half-width median {np.median(rel_w):.0%} of the exponent "
            f"(range {min(rel_w):.0%}..{max(rel_w):.0%}).",
            "",
        ]
        by: dict[tuple, list] = {}
        for r in intervals:
            by.setdefault((r["label"], r["true"]), []).append(r)
        rows = []
        for (label, true), rs in by.items():
            cells = []
            for r in rs:
                if not r["valid"]:
                    cells.append("none")
                else:
                    mark = "" if r["covers"] else " **x**"
                    cells.append(f"{r['lam']:.3g} [{r['ci'][0]:.3g}, {r['ci'][1]:.3g}]{mark}")
            rows.append([f"{label} ({true:.4g})", *cells])
        head = [f"N={r['n']}, {r['noise']:.0%}" for r in next(iter(by.values()))]
        out += md_table(["system (true lambda)", *head], rows)
        out += [
            "",
            "'none': no valid estimate (no scaling region, or slopes differ between dimensions); **x**: misses the truth.",
            "",
        ]
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", choices=("final", "tuning"), default="final")
    ap.add_argument("--write", action="store_true", help="write the RESULTS.md section and docs/calibration.md")
    ap.add_argument("--skip-intervals", action="store_true")
    ap.add_argument("--skip-verdicts", action="store_true")
    ap.add_argument("--out", type=Path, help="also write the markdown to this file")
    args = ap.parse_args()
    t0 = time.perf_counter()
    verdicts = [] if args.skip_verdicts else run_verdicts(args.seeds)
    intervals = [] if args.skip_intervals else run_intervals(args.seeds)
    md = markdown(verdicts, intervals, args.seeds, time.perf_counter() - t0)
    print(md)
    if args.out:
        args.out.write_text(md + "\n")
    if args.write:
        from _results import replace_section

        replace_section(TITLE, md)
        text = DOC.read_text()
        start, end = "<!-- calibration:begin -->", "<!-- calibration:end -->"
        i, j = text.index(start) + len(start), text.index(end)
        DOC.write_text(text[:i] + "\n" + md.split("\n", 1)[1].strip() + "\n" + text[j:])
        print(f"wrote {DOC}")
    return 1 if any(r["judge"] == "WRONG" for r in verdicts) else 0


if __name__ == "__main__":
    raise SystemExit(main())
