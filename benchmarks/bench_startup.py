"""Start-up time: ``python -X importtime -c "import dynstab"`` and ``dynstab --help`` (issue 11).

Wall time of each command in a fresh process, median of ``--repeats`` runs (default 5). With
``--before SRC`` (the ``src`` folder of an older checkout, e.g. from
``git archive <rev> src | tar -x -C /tmp/before``) the same commands run against that tree
too, interleaved A B A B so that both see the same machine load, and the section shows both.

    .venv/bin/python benchmarks/bench_startup.py --before /tmp/before/src --before-rev <rev>

Rewrites the section "Start-up time (issue 11)" of RESULTS.md (``--no-write`` to skip).

``--analyze`` measures the main command instead (issue 15): ``dynstab analyze lorenz --json`` (with its
figures, the default) and ``--json --no-figures``, each cold (an empty ``DYNSTAB_CACHE_DIR``: every kernel
compiles) and warm (a cache filled by an earlier run), next to a lean numba process that computes the
same Lorenz spectrum (RK4, QR every 10 steps, 5 initial conditions, t = 1000, transient 100; cold: an
empty ``NUMBA_CACHE_DIR``, warm: the kernels cached), with each process's peak RSS (``os.wait4``). All
cases run interleaved in each round; the ratios are medians of the per-round ratios. With ``--before`` the
dynstab cases also run on the older tree, and the JSON reports of both trees must agree (timings and figure
paths aside). Rewrites the section "Start-up of the main command (issue 15)".

    .venv/bin/python benchmarks/bench_startup.py --analyze --repeats 3 --before /tmp/before/src --before-rev <rev>
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TITLE = "## Start-up time (issue 11)"
SCRIPT = Path(sys.executable).with_name("dynstab")
COMMANDS = {
    'python -X importtime -c "import dynstab"': [sys.executable, "-X", "importtime", "-c", "import dynstab"],
    "dynstab --help": [str(SCRIPT), "--help"],
}
HEAVY = ("jax", "numpy", "matplotlib", "xarray", "scipy", "numba", "diffrax", "equinox")


def wall(cmd: list[str], src: str | None) -> float:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def heavy_imported(src: str | None) -> list[str]:
    env = dict(os.environ, **({"PYTHONPATH": src} if src else {}))
    code = f"import sys, dynstab; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    return [m for m in out.strip().split(",") if m]


# --------------------------------------------------------------------------- the main command (issue 15)

ANALYZE_TITLE = "## Start-up of the main command (issue 15)"
ANALYZE = {
    "`dynstab analyze lorenz --json`": ["analyze", "lorenz", "--json"],
    "`dynstab analyze lorenz --json --no-figures`": ["analyze", "lorenz", "--json", "--no-figures"],
}
PEER = "numba process (same spectrum)"


def peer() -> None:
    """The lean peer: import numba, compile Lorenz RK4 + QR, print the spectrum of 5 initial conditions.

    Same settings as ``dynstab analyze lorenz``: dt = 0.01, QR every 10 steps, t = 1000 after a transient
    of 100, initial conditions near the catalog's x0; ``cache=True`` so that ``NUMBA_CACHE_DIR`` decides
    whether the kernels compile (cold) or load (warm).
    """
    import numpy as np
    from numba import njit

    # fmt: off
    @njit(cache=True, fastmath=False)
    def spectrum(x, y, z, s, r, b, h, m, n_tr, n_qr):
        for _ in range(n_tr):  # transient: the orbit only
            k1x = s * (y - x); k1y = x * (r - z) - y; k1z = x * y - b * z  # noqa: E702
            u = x + 0.5 * h * k1x; v = y + 0.5 * h * k1y; w = z + 0.5 * h * k1z  # noqa: E702
            k2x = s * (v - u); k2y = u * (r - w) - v; k2z = u * v - b * w  # noqa: E702
            u = x + 0.5 * h * k2x; v = y + 0.5 * h * k2y; w = z + 0.5 * h * k2z  # noqa: E702
            k3x = s * (v - u); k3y = u * (r - w) - v; k3z = u * v - b * w  # noqa: E702
            u = x + h * k3x; v = y + h * k3y; w = z + h * k3z  # noqa: E702
            k4x = s * (v - u); k4y = u * (r - w) - v; k4z = u * v - b * w  # noqa: E702
            x += h / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
            y += h / 6 * (k1y + 2 * k2y + 2 * k3y + k4y)
            z += h / 6 * (k1z + 2 * k2z + 2 * k3z + k4z)
        q = np.eye(3)
        sums = np.zeros(3)
        state = np.array([x, y, z])
        for _ in range(n_qr):
            for _ in range(m):  # RK4 of the orbit and of dq/dt = J(x) q together
                def rhs(st, qq):
                    x, y, z = st[0], st[1], st[2]
                    f = np.array([s * (y - x), x * (r - z) - y, x * y - b * z])
                    jac = np.array([[-s, s, 0.0], [r - z, -1.0, -x], [y, x, -b]])
                    return f, jac @ qq
                f1, l1 = rhs(state, q)
                f2, l2 = rhs(state + 0.5 * h * f1, q + 0.5 * h * l1)
                f3, l3 = rhs(state + 0.5 * h * f2, q + 0.5 * h * l2)
                f4, l4 = rhs(state + h * f3, q + h * l3)
                state = state + h / 6 * (f1 + 2 * f2 + 2 * f3 + f4)
                q = q + h / 6 * (l1 + 2 * l2 + 2 * l3 + l4)
            q, rr = np.linalg.qr(q)
            for j in range(3):
                sums[j] += np.log(abs(rr[j, j]))
        return sums / (n_qr * m * h)
    # fmt: on

    rng = np.random.default_rng(0)
    x0 = np.array([-9.7869288, -15.03852, 20.533978])
    runs = np.array(
        [
            spectrum(*(x0 + 1e-3 * rng.standard_normal(3)), 10.0, 28.0, 8.0 / 3.0, 0.01, 10, 10_000, 10_000)  # type: ignore[call-arg]
            for _ in range(5)
        ]
    )
    print(json.dumps({"lyapunov_spectrum": runs.mean(axis=0).tolist(), "std": runs.std(axis=0, ddof=1).tolist()}))


def run_measured(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[float, float, str, float]:
    """Wall seconds, peak RSS (MB), stdout and CPU seconds (user + system) of one fresh process (``os.wait4``)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} exited with {proc.returncode}")
    return wall, usage.ru_maxrss / 1024, out, usage.ru_utime + usage.ru_stime


def comparable(report: str) -> dict:
    """A JSON report without what differs between equal runs (timings, figure paths)."""
    data = json.loads(report)
    for key in ("timings_s", "figures"):
        data.pop(key, None)
    return data


def main_command(args: argparse.Namespace) -> None:
    from _results import git_state, loadavg, machine, md_table, replace_section

    trees: dict[str, str | None] = {"after": None} if not args.before else {"before": args.before, "after": None}
    for spec in args.tree or []:
        label, _, src = spec.partition("=")
        trees[label] = src
    load0 = loadavg()
    work = Path(tempfile.mkdtemp(prefix="dynstab-bench-startup-"))
    warm_dir = {tree: work / f"cache-{tree}" for tree in trees}
    numba_warm = work / "numba-cache"

    def env_for(tree: str | None, cache: Path, src: str | None = None) -> dict[str, str]:
        env = dict(os.environ, DYNSTAB_CACHE_DIR=str(cache), NUMBA_CACHE_DIR=str(cache))
        if src:
            env["PYTHONPATH"] = src
        return env

    def case(kind: str, tree: str, warm: bool) -> tuple[float, float, str, float]:
        cache = (numba_warm if kind == PEER else warm_dir[tree]) if warm else Path(tempfile.mkdtemp(dir=work))
        cmd = [sys.executable, __file__, "--peer"] if kind == PEER else [str(SCRIPT), *ANALYZE[kind]]
        return run_measured(cmd, env_for(tree, cache, trees.get(tree)), str(work))

    for tree in trees:  # fill the warm caches (and the .pyc files)
        case(next(iter(ANALYZE)), tree, True)
    case(PEER, "after", True)
    cases = [(k, t) for k in ANALYZE for t in trees] + [(PEER, "after")]
    res: dict[tuple[str, str, bool], list[tuple[float, float, str, float]]] = {}
    for _ in range(args.repeats):
        for warm in (False, True):
            for kind, tree in cases:
                res.setdefault((kind, tree, warm), []).append(case(kind, tree, warm))
    load1 = loadavg()

    def med(key, i=0):
        return statistics.median(float(r[i]) for r in res[key])

    rows = []
    for warm in (False, True):
        for kind, tree in cases:
            key = (kind, tree, warm)
            walls = [r[0] for r in res[key]]
            peer_ratio = statistics.median(a[0] / b[0] for a, b in zip(res[key], res[PEER, "after", warm]))
            rows.append(
                [
                    kind if kind == PEER else f"{kind}" + (f" ({tree})" if len(trees) > 1 else ""),
                    "warm" if warm else "cold",
                    f"{statistics.median(walls):.2f} ({min(walls):.2f}-{max(walls):.2f})",
                    f"{med(key, 3):.2f}",
                    f"{med(key, 1):.0f}",
                    f"{peer_ratio:.2f}",
                ]
            )
    same = "not compared (one tree)"
    if len(trees) > 1:
        reports = [comparable(r[2]) for t in trees for k in ANALYZE for w in (False, True) for r in res[k, t, w]]
        same = "identical" if all(r == reports[0] for r in reports) else "DIFFERENT"
    speedups = []
    for tree in [t for t in trees if t != "before"] if "before" in trees else []:
        for warm in (False, True):
            for kind in ANALYZE:
                b, a = res[kind, "before", warm], res[kind, tree, warm]
                ratio = statistics.median(x[0] / y[0] for x, y in zip(b, a))
                speedups.append(f"{tree}, {kind} {'warm' if warm else 'cold'}: {ratio:.2f}x")
    spectrum = json.loads(res[PEER, "after", True][0][2])["lyapunov_spectrum"]
    md = [
        ANALYZE_TITLE,
        "",
        f"`{shlex.join(['.venv/bin/python', 'benchmarks/bench_startup.py', *sys.argv[1:]])}`; {date.today()}; "
        f"{machine()}; git {git_state()}; load average {load0} at start, {load1} at end.",
        f"Wall time and peak RSS of a fresh process, median (min-max) of {args.repeats} rounds, every case once per "
        "round (interleaved); cold = empty DYNSTAB_CACHE_DIR / NUMBA_CACHE_DIR, warm = caches filled by an earlier "
        "run; vs numba = median of the per-round ratios to the numba process in the same state."
        + (f" before = {args.before_rev or args.before}, after = this checkout." if args.before else "")
        + "".join(f" {label} = {src}." for label, src in trees.items() if label not in ("before", "after")),
        "",
        *md_table(["command", "cache", "wall s", "CPU s", "peak RSS MB", "wall vs numba"], rows),
        "",
        f"numba process: {', '.join(f'{v:.4f}' for v in spectrum)} (mean of 5 initial conditions). "
        f"dynstab JSON reports (every run, every tree): {same}."
        + (" Speed-up over before (median of per-round wall ratios): " + "; ".join(speedups) + "." if speedups else ""),
    ]
    print("\n".join(md))
    if not args.no_write:
        replace_section(ANALYZE_TITLE, "\n".join(md))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="src folder of the tree to compare with")
    ap.add_argument("--before-rev", default="", help="what --before is (e.g. a commit), for the section's text")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--analyze", action="store_true", help="measure `dynstab analyze lorenz` (issue 15)")
    ap.add_argument("--tree", action="append", help="LABEL=SRC: one more source tree for --analyze")
    ap.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.peer:
        return peer()
    if args.analyze:
        return main_command(args)
    from _results import git_state, loadavg, machine, md_table, replace_section

    trees = {"after": None} if not args.before else {"before": args.before, "after": None}
    load0 = loadavg()
    for src in trees.values():  # warm the file-system cache and the .pyc files
        for cmd in COMMANDS.values():
            wall(cmd, src)
    times: dict[tuple[str, str], list[float]] = {(c, t): [] for c in COMMANDS for t in trees}
    for _ in range(args.repeats):
        for label, cmd in COMMANDS.items():
            for tree, src in trees.items():
                times[label, tree].append(wall(cmd, src))
    rows = []
    for label in COMMANDS:
        row = [f"`{label}`"]
        for tree in trees:
            ts = times[label, tree]
            row.append(f"{statistics.median(ts):.2f} ({min(ts):.2f}-{max(ts):.2f})")
        if len(trees) == 2:
            row.append(f"{statistics.median(times[label, 'before']) / statistics.median(times[label, 'after']):.1f}x")
        rows.append(row)
    header = ["command", *(f"{t}: median s (min-max)" for t in trees)] + (["speed-up"] if len(trees) == 2 else [])
    heavy = {tree: heavy_imported(src) for tree, src in trees.items()}
    md = [
        TITLE,
        "",
        f"`{shlex.join(['.venv/bin/python', 'benchmarks/bench_startup.py', *sys.argv[1:]])}`; {date.today()}; "
        f"{machine()}; git {git_state()}; load average {load0} at start, {loadavg()} at end.",
        f"Wall time of a fresh process, median of {args.repeats} runs"
        + (
            f", the two trees interleaved (A B A B); before = {args.before_rev or args.before}, after = this checkout."
            if len(trees) == 2
            else "."
        ),
        "",
        *md_table(header, rows),
        "",
        "Modules among "
        + ", ".join(HEAVY)
        + " that `import dynstab` imports: "
        + "; ".join(f"{tree}: {', '.join(mods) or 'none'}" for tree, mods in heavy.items())
        + ".",
    ]
    print("\n".join(md))
    if not args.no_write:
        replace_section(TITLE, "\n".join(md))


if __name__ == "__main__":
    main()
