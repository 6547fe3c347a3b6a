"""Catalog benchmark (issue 3): 1000 points at 100 points per period for every flow.

Run from the repository root (needs the bench extra for dysts):

    .venv/bin/python benchmarks/bench_catalog.py [--dysts-subset 12] [--cap 60]

dynstab: `trajectory(system, periods=10, pts_per_period=100)` for every catalog flow, with
fixed-step RK4 at each system's verified step and with adaptive `dopri8` at rtol = atol = 1e-9,
timed cold (first call: compilation included, persistent cache disabled) and warm.
dysts: `make_trajectory(1000)` with its defaults (Radau, rtol = atol = 1e-12, 100 points per
period) on an evenly spaced subset of the flows dysts also has, each in a subprocess capped
at ``--cap`` seconds (a capped run counts as the cap, which favours dysts). The ratio is taken
on that subset; the section "Catalog (issue 3)" of benchmarks/RESULTS.md is rewritten.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import replace_section

os.environ["DYNSTAB_CACHE_DIR"] = ""  # no persistent cache: cold compiles are measured

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
SECTION = "## Catalog (issue 3)"

DYSTS_RUN = """
import sys, time, warnings
warnings.filterwarnings("ignore")
import dysts.flows as f
model = getattr(f, sys.argv[1])()
t0 = time.perf_counter(); model.make_trajectory(1000); print(time.perf_counter() - t0)
"""


def time_dysts(cls_name: str, cap: float) -> tuple[float, bool]:
    try:
        out = subprocess.run([sys.executable, "-c", DYSTS_RUN, cls_name], capture_output=True, text=True, timeout=cap)
        return float(out.stdout.strip().splitlines()[-1]), False
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return cap, True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dysts-subset", type=int, default=12)
    parser.add_argument("--cap", type=float, default=60.0)
    args = parser.parse_args()

    import numpy as np

    import dynstab
    from dynstab import systems
    from dynstab.systems.dysts_compat import dysts_class_name

    flows = systems.names("flow")
    rows = []
    for name in flows:
        s = systems.get(name)
        res = {"name": name}
        for label, kw in (("rk4", {}), ("dopri8", dict(method="dopri8", rtol=1e-9, atol=1e-9))):
            t0 = time.perf_counter()
            tr = dynstab.trajectory(s, periods=10, pts_per_period=100, **kw)
            first = time.perf_counter() - t0
            t0 = time.perf_counter()
            dynstab.trajectory(s, periods=10, pts_per_period=100, **kw)
            res[label] = (first, time.perf_counter() - t0)
            assert tr.x.shape[0] == 1001 and np.all(np.isfinite(tr.x))
        res["dysts"] = dysts_class_name(s)
        rows.append(res)
        print(
            f"{name:<28} rk4 {res['rk4'][0]:.2f}/{res['rk4'][1] * 1e3:.1f} ms  dopri8 {res['dopri8'][0]:.2f}/"
            f"{res['dopri8'][1] * 1e3:.1f} ms",
            flush=True,
        )

    paired = [r for r in rows if r["dysts"]]
    step = max(1, len(paired) // args.dysts_subset)
    subset = paired[::step][: args.dysts_subset]
    for r in subset:
        r["dysts_time"], r["capped"] = time_dysts(r["dysts"], args.cap)
        print(f"dysts {r['dysts']:<24} {r['dysts_time']:.1f} s{' (capped)' if r['capped'] else ''}", flush=True)

    def total(rs, key, i):
        return sum(r[key][i] for r in rs)

    d_total = sum(r["dysts_time"] for r in subset)
    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python benchmarks/bench_catalog.py --dysts-subset {args.dysts_subset} "
        f"--cap {args.cap:g}`  ",
        f"Date: {_dt.datetime.now(_dt.UTC):%Y-%m-%d %H:%M} UTC; load at end "
        f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}  ",
        "Task: 1000 points at 100 points per dominant period (10 periods) for every catalog flow.",
        "",
        "| | flows | cold total (s, compile included) | warm total (s) |",
        "|---|---:|---:|---:|",
        f"| dynstab rk4 (each system's dt) | {len(rows)} | {total(rows, 'rk4', 0):.1f} | {total(rows, 'rk4', 1):.2f} |",
        f"| dynstab dopri8 (rtol=atol=1e-9) | {len(rows)} | {total(rows, 'dopri8', 0):.1f} | "
        f"{total(rows, 'dopri8', 1):.2f} |",
        "",
        f"dysts `make_trajectory(1000)` (defaults: Radau, rtol=atol=1e-12) on {len(subset)} of the {len(paired)} "
        f"flows it shares with us, each capped at {args.cap:g} s:",
        "",
        "| system | dysts (s) | dynstab rk4 cold / warm (s) | dynstab dopri8 cold / warm (s) |",
        "|---|---:|---:|---:|",
    ]
    for r in subset:
        lines.append(
            f"| {r['name']} | {r['dysts_time']:.1f}{' (cap)' if r['capped'] else ''} | {r['rk4'][0]:.2f} / "
            f"{r['rk4'][1]:.4f} | {r['dopri8'][0]:.2f} / {r['dopri8'][1]:.4f} |"
        )
    for label in ("rk4", "dopri8"):
        cold, warm = total(subset, label, 0), total(subset, label, 1)
        lines.append("")
        lines.append(
            f"Subset total, {label}: dysts {d_total:.1f} s vs dynstab {cold:.1f} s cold "
            f"(**{d_total / cold:.0f}x**) and {warm:.3f} s warm (**{d_total / warm:.0f}x**)."
        )
    replace_section(SECTION, "\n".join(lines), RESULTS)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
