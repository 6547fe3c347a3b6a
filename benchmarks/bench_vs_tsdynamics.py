"""dynstab side by side with tsdynamics (issues 12, 15): correlation dimension and the main command.

Run from the repository root:

    .venv/bin/python benchmarks/bench_vs_tsdynamics.py [--rounds 5] [--repeats 3] [--parts 12]
        [--tsdynamics-python /tmp/tsdvenv/bin/python]

Each side runs in its own fresh process: dynstab with ``--dynstab-python`` (default this checkout's
``.venv/bin/python``), tsdynamics with ``--tsdynamics-python`` (tsdynamics 6.x needs Python >= 3.12, so
it lives in a separate venv). A side whose interpreter or package is missing is skipped, and the
output says so. Rounds are interleaved (A B A B ...); ratios are medians of the per-round ratios.

1. Correlation dimension of one 10^4-sample Lorenz-63 x series (dynstab, dt = 0.05 after a transient
   of 50, as in bench_data_report.py), saved once to a .npy that both sides load; m = 5, tau = 10.
   dynstab: `correlation_dimension` (Chebyshev norm, Theiler window by its 1/e autocorrelation rule,
   its own radii and scaling region) and the same in the Euclidean norm. tsdynamics:
   `correlation_dimension` on its own `embed` with its defaults (Euclidean, automatic Theiler window,
   its radius grid and fit), with dynstab's norm and Theiler window (Chebyshev, w), and its exact
   `correlation_sum` (cKDTree pair counts) on dynstab's radii, fitted over dynstab's region: the
   all-pairs D2 that dynstab's sub-sampled count must equal ("exact"). Per process: import time, the
   first call, then the median of ``--repeats`` warm calls.
2. The main job as whole processes: `dynstab analyze lorenz --json` and `--json --no-figures`, cold
   (a fresh empty DYNSTAB_CACHE_DIR / NUMBA_CACHE_DIR) and warm (a cache filled by an earlier run), and
   a Python process that imports tsdynamics and computes the Lorenz spectrum from the same 5 initial
   conditions with the same span (t, transient, QR interval read from dynstab's JSON
   ``lyapunov_settings``); wall time and peak RSS (``os.wait4``) of each, and both spectra.

Prints a Markdown section (the tables of "Side by side with tsdynamics (issues 12, 15)" in RESULTS.md): both
tables, dynstab's per-step timings (its JSON ``timings_s``), both spectra, and one line per goal of the issues
(met or NOT met, computed from the medians). About 8 minutes with the defaults on 2 loaded cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import git_state, loadavg, machine, md_table
from bench_startup import run_measured

ROOT = Path(__file__).resolve().parent.parent
TITLE = "## Side by side with tsdynamics (issues 12, 15)"
M, TAU, N, DT = 5, 10, 10_000, 0.05
#: Lorenz-63 D2 (Grassberger & Procaccia, Physica D 9, 189 (1983)) and lambda_1 (Sprott 2003)
D2_PUBLISHED, LAMBDA1_PUBLISHED = 2.05, 0.9056

# The children print one JSON line: {case: {"first": s, "warm": [s, ...], "d2": value}, "_import": s}.
# Run by dynstab's interpreter, so that this parent process stays small: a child forked from a parent
# holding JAX would report the parent's resident set as its own peak (Linux keeps the high-water mark
# of the forked copy across exec).
SETUP = """
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[3])
from bench_data_report import lorenz_x
import dynstab
from dynstab.timeseries import correlation_dimension
out, m, tau, n, dt = sys.argv[1], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
x = lorenz_x(n, dt)
np.save(out + "/lorenz_x.npy", x)
ours = correlation_dimension(x, dim=m, tau=tau)  # the radii, region and window the exact sum reuses
x0 = np.asarray(dynstab.systems.get("lorenz").x0, dtype=float)
rng = np.random.default_rng(0)  # dynstab's rule: x0 and x0 + 1e-3 (1 + |x0|) N(0, 1), seed 0
ics = np.vstack([x0, x0 + 1e-3 * (1.0 + np.abs(x0)) * rng.standard_normal((int(sys.argv[2]) - 1, x0.size))])
grid = {"radii": ours.radii.tolist(), "region_index": list(ours.region_index), "theiler": ours.theiler,
        "ics": ics.tolist()}
open(out + "/dynstab_grid.json", "w").write(json.dumps(grid))
print(json.dumps({"theiler": ours.theiler, "d2": ours.dimension}))
"""

DYNSTAB_D2 = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from dynstab.timeseries import correlation_dimension
imp = time.perf_counter() - t0
x = np.load(sys.argv[1]); m, tau, repeats = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
cases = {
    "chebyshev": lambda: correlation_dimension(x, dim=m, tau=tau).dimension,
    "euclidean": lambda: correlation_dimension(x, dim=m, tau=tau, metric="euclidean").dimension,
}
out = {"_import": imp}
for name, f in cases.items():
    t = time.perf_counter(); d2 = float(f()); first = time.perf_counter() - t
    warm = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); warm.append(time.perf_counter() - t)
    out[name] = {"first": first, "warm": warm, "d2": d2}
print(json.dumps(out))
"""

TSD_D2 = """
import json, sys, time, warnings
t0 = time.perf_counter()
import numpy as np
from tsdynamics.analysis.dimensions import correlation_dimension, correlation_sum
from tsdynamics.analysis.embedding import embed
imp = time.perf_counter() - t0
x = np.load(sys.argv[1]); m, tau, repeats = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ref = json.loads(open(sys.argv[5]).read())
radii, (i0, i1), w = np.asarray(ref["radii"]), ref["region_index"], ref["theiler"]
def exact():
    pts = np.asarray(embed(x, m, tau))
    r, c = correlation_sum(pts, radii=radii, theiler=w, metric="chebyshev")
    return np.polyfit(np.log(r[i0:i1 + 1]), np.log(c[i0:i1 + 1]), 1)[0]
cases = {
    "defaults": lambda: correlation_dimension(np.asarray(embed(x, m, tau))),
    "chebyshev": lambda: correlation_dimension(np.asarray(embed(x, m, tau)), theiler=w, metric="chebyshev"),
    "exact": exact,
}
out = {"_import": imp}
for name, f in cases.items():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter(); res = f(); first = time.perf_counter() - t
        warm = []
        for _ in range(repeats):
            t = time.perf_counter(); f(); warm.append(time.perf_counter() - t)
    meta = getattr(res, "meta", {})
    out[name] = {"first": first, "warm": warm, "d2": float(res), "theiler": meta.get("theiler")}
print(json.dumps(out))
"""

TSD_SPECTRUM = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from tsdynamics.analysis import lyapunov_spectrum
from tsdynamics.systems import Lorenz
imp = time.perf_counter() - t0
cfg = json.loads(sys.argv[1])
runs = np.array([
    np.asarray(lyapunov_spectrum(Lorenz(ic=ic), final_time=cfg["t"], transient=cfg["transient"], dt=cfg["qr_interval"]))
    for ic in cfg["ics"]
])
print(json.dumps({"lyapunov_spectrum": runs.mean(axis=0).tolist(), "std": runs.std(axis=0, ddof=1).tolist(),
                  "import_s": imp, "compute_s": time.perf_counter() - t0 - imp}))
"""


FLOOR = "import jax, equinox; jax.numpy.zeros(3).block_until_ready()"


def usable(python: str, module: str) -> str | None:
    """None when ``python`` imports ``module``; otherwise why not (the side is then skipped)."""
    if not Path(python).exists():
        return f"no interpreter at {python}"
    res = subprocess.run([python, "-c", f"import {module}"], capture_output=True, text=True)
    if res.returncode:
        return f"{python} cannot import {module}: {(res.stderr.strip().splitlines() or ['?'])[-1]}"
    return None


def version(python: str, module: str) -> str:
    code = f"import sys, {module} as m; print(m.__version__, sys.version.split()[0])"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True).stdout.split()
    return f"{module} {out[0]} (Python {out[1]})" if len(out) == 2 else module


def child(cmd: list[str]) -> dict:
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(f"{shlex.join(cmd[:2])} ... failed:\n{res.stderr.strip()[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def med(xs) -> float:
    return statistics.median(xs)


def part_dimension(args, work: Path, skip: dict[str, str | None]) -> list[str]:
    series, ref = work / "lorenz_x.npy", work / "dynstab_grid.json"
    theiler = json.loads(ref.read_text())["theiler"]
    common = [str(series), str(M), str(TAU), str(args.repeats)]
    sides = {}
    if not skip["dynstab"]:
        sides["dynstab"] = [args.dynstab_python, "-c", DYNSTAB_D2, *common]
    if not skip["tsdynamics"]:
        sides["tsdynamics"] = [args.tsdynamics_python, "-c", TSD_D2, *common, str(ref)]
    runs: dict[str, list[dict]] = {k: [] for k in sides}
    for _ in range(args.rounds):
        for side, cmd in sides.items():
            runs[side].append(child(cmd))
    labels = {
        ("dynstab", "chebyshev"): f"dynstab `correlation_dimension` (Chebyshev, Theiler {theiler}: its defaults)",
        ("dynstab", "euclidean"): "dynstab `correlation_dimension(metric='euclidean')`",
        ("tsdynamics", "defaults"): "tsdynamics `correlation_dimension` (its defaults: Euclidean, auto Theiler {w})",
        ("tsdynamics", "chebyshev"): f"tsdynamics `correlation_dimension` (Chebyshev, Theiler {theiler})",
        ("tsdynamics", "exact"): "tsdynamics `correlation_sum` on dynstab's radii, dynstab's region (exact pairs)",
    }
    exact = runs["tsdynamics"][0]["exact"]["d2"] if "tsdynamics" in runs else None
    base = ("dynstab", "chebyshev") if "dynstab" in runs else None
    rows = []
    for (side, case), label in labels.items():
        if side not in runs:
            continue
        rr = runs[side]
        warm = [med(r[case]["warm"]) for r in rr]
        ratio = "n/a"
        if base:
            ratio = f"{med(w / med(b[base[1]]['warm']) for w, b in zip(warm, runs['dynstab'])):.2f}"
        d2 = rr[0][case]["d2"]
        w = rr[0][case].get("theiler")
        rows.append(
            [
                label.replace("{w}", str(w)),
                f"{med(r['_import'] for r in rr):.2f}",
                f"{med(r[case]['first'] for r in rr):.3f}",
                f"{med(warm):.3f} ({min(warm):.3f}-{max(warm):.3f})",
                ratio,
                f"{d2:.4f}",
                "" if exact is None else f"{abs(d2 - exact):.1e}",
                f"{abs(d2 - D2_PUBLISHED):.3f}",
            ]
        )
    out = [
        f"**1. Correlation dimension**, 10^{len(str(N)) - 1} Lorenz x samples (dt {DT}), m = {M}, tau = {TAU}; "
        f"{args.rounds} interleaved rounds of fresh processes (dynstab, tsdynamics), per process one first call "
        f"then the median of {args.repeats} warm calls; the table gives medians over rounds; *vs dynstab* is the "
        "median of the per-round ratios of warm times to dynstab's default call (above 1: slower than dynstab); "
        "*exact* is the all-pairs D2 on dynstab's radii and region (tsdynamics' exact cKDTree count); "
        f"*published* is {D2_PUBLISHED} (Grassberger & Procaccia 1983).",
        "",
        *md_table(
            [
                "estimator",
                "import s",
                "first call s",
                "warm s (min-max)",
                "vs dynstab",
                "D2",
                "abs(D2 - exact)",
                "abs(D2 - published)",
            ],
            rows,
        ),
    ]
    if base and "tsdynamics" in runs:

        def per_round(side: str, case: str, key: str) -> list[float]:
            return [r["_import"] + r[case]["first"] if key == "cold" else med(r[case]["warm"]) for r in runs[side]]

        verdicts = []
        for key, what in (("warm", "warm call"), ("cold", "import + first call")):
            ours_t = per_round("dynstab", "chebyshev", key)
            for case in ("defaults", "chebyshev"):
                speed = med(t / o for t, o in zip(per_round("tsdynamics", case, key), ours_t))
                how = f"{speed:.2f}x faster" if speed >= 1 else f"{1 / speed:.2f}x SLOWER"
                verdicts.append(f"{what} vs tsdynamics' {case}: dynstab {how}")
        out += ["", "Goal (issue 12, D2 faster than tsdynamics at equal accuracy): " + "; ".join(verdicts) + "."]
    return out


def part_main_command(args, work: Path, skip: dict[str, str | None]) -> list[str]:
    dynstab = str(Path(args.dynstab_python).with_name("dynstab"))
    warm_cache = work / "cache-warm"

    def env(cache: Path) -> dict[str, str]:
        return dict(os.environ, DYNSTAB_CACHE_DIR=str(cache), NUMBA_CACHE_DIR=str(cache))

    commands = {
        "`dynstab analyze lorenz --json`": [dynstab, "analyze", "lorenz", "--json"],
        "`dynstab analyze lorenz --json --no-figures`": [dynstab, "analyze", "lorenz", "--json", "--no-figures"],
    }
    cases: dict[str, tuple[list[str], bool]] = {}
    report: dict = {}
    if not skip["dynstab"]:
        # fills the warm cache (and the .pyc files); its JSON gives the settings the peer copies
        report = json.loads(run_measured(next(iter(commands.values())), env(warm_cache), str(work))[2])
        for label, cmd in commands.items():
            cases[f"{label}, cold"] = (cmd, False)
            cases[f"{label}, warm"] = (cmd, True)
    # the engine's own floor: a process that imports JAX and equinox (which dynstab's systems are built on)
    # and computes one array, nothing else; no dynstab command can start faster than this
    floor = "floor: a process importing jax + equinox only (no work)"
    if not skip["dynstab"]:
        cases[floor] = ([args.dynstab_python, "-c", FLOOR], True)
    peer = "tsdynamics process (`lyapunov_spectrum`, 5 initial conditions)"
    if not skip["tsdynamics"]:
        settings = report.get("lyapunov_settings") or {"t": 1000.0, "transient": 100.0, "qr_interval": 0.1}
        ics = json.loads((work / "dynstab_grid.json").read_text())["ics"]
        if len(ics) != settings.get("n_ics", len(ics)):
            raise RuntimeError(f"dynstab now uses {settings['n_ics']} initial conditions, the peer {len(ics)}")
        cfg = {k: settings[k] for k in ("t", "transient", "qr_interval")} | {"ics": ics}
        cases[peer] = ([args.tsdynamics_python, "-c", TSD_SPECTRUM, json.dumps(cfg)], True)
    # run_measured: (wall s, peak RSS MB, stdout, CPU s)
    res: dict[str, list[tuple]] = {k: [] for k in cases}
    for _ in range(args.rounds):
        for label, (cmd, warm) in cases.items():
            cache = warm_cache if warm else Path(tempfile.mkdtemp(dir=work, prefix="cold-"))
            res[label].append(run_measured(cmd, env(cache), str(work)))
            if not warm:
                shutil.rmtree(cache, ignore_errors=True)
    rows = []
    for label, runs in res.items():
        walls = [r[0] for r in runs]
        ratio = "n/a"
        if peer in res:
            ratio = f"{med(a[0] / b[0] for a, b in zip(runs, res[peer])):.2f}"
        rows.append(
            [
                label,
                f"{med(walls):.2f} ({min(walls):.2f}-{max(walls):.2f})",
                f"{med(r[3] for r in runs):.2f}" if len(runs[0]) > 3 else "",
                f"{med(r[1] for r in runs):.0f}",
                ratio,
            ]
        )
    out = [
        f"**2. The main job, whole processes**: {args.rounds} interleaved rounds, every case once per round; cold = a "
        "fresh empty DYNSTAB_CACHE_DIR / NUMBA_CACHE_DIR, warm = the cache filled by an earlier run; peak RSS of "
        "each process from `os.wait4`, CPU = its user + system seconds (all threads; less sensitive to the load than wall); *vs tsdynamics* is the median of the per-round wall-time ratios (below 1: "
        "dynstab is faster).",
        "",
        *md_table(["process", "wall s, median (min-max)", "CPU s", "peak RSS MB", "vs tsdynamics"], rows),
        "",
    ]
    steps = list(report.get("timings_s", {}))
    if steps:
        step_rows = []
        for label, runs in res.items():
            if label in (peer, floor):
                continue
            reports = [json.loads(r[2]) for r in runs]
            cells = [med(rep["timings_s"].get(k, 0.0) for rep in reports) for k in steps]
            rest = med(r[0] - sum(json.loads(r[2])["timings_s"].values()) for r in runs)
            step_rows.append([label, *(f"{c:.2f}" for c in cells), f"{rest:.2f}"])
        out += [
            "Where dynstab's wall time goes (the report's own `timings_s`, medians; *rest* = wall minus the steps: "
            "start-up, imports, figures, writing):",
            "",
            *md_table(["process", *steps, "rest"], step_rows),
            "",
        ]
        goals = []
        for label, limit in (
            ("`dynstab analyze lorenz --json`, warm", 2.0),
            ("`dynstab analyze lorenz --json`, cold", 5.0),
        ):
            wall = med(r[0] for r in res[label])
            goals.append(
                f"{label.split(', ')[1]} {wall:.2f} s against the goal {limit:.0f} s: "
                + ("met" if wall < limit else "NOT met")
            )
        if peer in res:
            for label in res:
                if label != peer and label.endswith("warm"):
                    times = med(a[0] / b[0] for a, b in zip(res[label], res[peer]))
                    goals.append(
                        f"{label} {times:.2f}x the tsdynamics process: " + ("ahead" if times < 1 else "NOT ahead")
                    )
        if peer in res and floor in res:
            times = med(a[0] / b[0] for a, b in zip(res[floor], res[peer]))
            goals.append(f"the floor alone is {times:.2f}x the tsdynamics process")
        out += ["Goals (issue 15): " + "; ".join(goals) + ".", ""]
    if report:
        s = report["lyapunov_settings"]
        out.append(
            f"dynstab: {s['method']} dt = {s['dt']}, QR every {s['qr_interval']}, t = {s['t']} after {s['transient']}, "
            f"{s['n_ics']} initial conditions: spectrum "
            + ", ".join(f"{v:.4f}" for v in report["lyapunov_spectrum"])
            + " (std over initial conditions "
            + ", ".join(f"{v:.4f}" for v in report["lyapunov_spectrum_std"])
            + ")."
        )
    if peer in res:
        tsd = json.loads(res[peer][0][2])
        out.append(
            "tsdynamics: the same 5 initial conditions, `final_time`, `transient` and QR interval `dt`, its default "
            "integrator (adaptive RK45, rtol 1e-9, atol 1e-12): spectrum "
            + ", ".join(f"{v:.4f}" for v in tsd["lyapunov_spectrum"])
            + " (std "
            + ", ".join(f"{v:.4f}" for v in tsd["std"])
            + f"); import {tsd['import_s']:.2f} s, compute {tsd['compute_s']:.2f} s in the first round."
        )
        if report:
            diff = [abs(a - b) for a, b in zip(report["lyapunov_spectrum"], tsd["lyapunov_spectrum"])]
            out.append(
                "Absolute difference between the two mean spectra: "
                + ", ".join(f"{d:.4f}" for d in diff)
                + f" (published lambda_1 {LAMBDA1_PUBLISHED})."
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3, help="warm calls per process in part 1")
    ap.add_argument("--parts", default="12")
    ap.add_argument("--dynstab-python", default=str(ROOT / ".venv" / "bin" / "python"))
    ap.add_argument("--tsdynamics-python", default="/tmp/tsdvenv/bin/python")
    args = ap.parse_args()
    skip = {
        "dynstab": usable(args.dynstab_python, "dynstab"),
        "tsdynamics": usable(args.tsdynamics_python, "tsdynamics"),
    }
    for side, why in skip.items():
        if why:
            print(f"skipping the {side} side: {why}", file=sys.stderr)
    load0, start = loadavg(), datetime.now(UTC)
    work = Path(tempfile.mkdtemp(prefix="dynstab-vs-tsd-"))
    body: list[str] = []
    try:
        if skip["dynstab"]:
            raise SystemExit("the series and initial conditions come from dynstab: " + str(skip["dynstab"]))
        here = str(Path(__file__).resolve().parent)
        child([args.dynstab_python, "-c", SETUP, str(work), "5", here, str(M), str(TAU), str(N), str(DT)])
        if "1" in args.parts:
            body += part_dimension(args, work, skip) + [""]
        if "2" in args.parts:
            body += part_main_command(args, work, skip) + [""]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    end = datetime.now(UTC)
    versions = [version(args.dynstab_python, "dynstab")] if not skip["dynstab"] else []
    versions += [version(args.tsdynamics_python, "tsdynamics")] if not skip["tsdynamics"] else []
    head = [
        TITLE,
        "",
        f"`{shlex.join(['.venv/bin/python', 'benchmarks/bench_vs_tsdynamics.py', *sys.argv[1:]])}`; "
        f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} UTC ({(end - start).total_seconds() / 60:.1f} min); {machine()}; "
        f"git {git_state()}; load average {load0} at start, {loadavg()} at end; {', '.join(versions)}.",
        *(f"Skipped: {side}: {why}." for side, why in skip.items() if why),
        "",
    ]
    text = "\n".join(head + body)
    print(text)


if __name__ == "__main__":
    main()
