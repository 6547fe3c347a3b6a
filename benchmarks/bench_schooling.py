"""The 3D Couzin school (issue 17): dynstab against a hand-written numba loop and the original code's loops.

Case 1, 250 agents x 2000 steps (the highly-parallel configuration, a frame every 10 steps):

* ``dynstab``: `dynstab.models.schooling.simulate_school` (all pairs, ``entropies=False``);
* ``numba``: an allocation-free ``@njit`` loop over agents and pairs as an expert would write it
  (one thread, scalars only, the same interpolated turn, the noise drawn in the loop from a seeded generator);
* ``original-numba``: a faithful re-implementation of dewi-kadita's kernel (solver.py, as the notes
  describe it): ``@jit(parallel=True)`` over agents, helper functions that return new 3-vectors for every
  pair (a displacement, a unit vector), NLERP turn;
* ``original-numpy``: its NumPy path (an N x N x 3 displacement array, then a Python loop over the
  agents with masked sums), timed on 100 steps and scaled to 2000 (the original kernel on 1000, scaled).

Each is a fresh process (``--worker NAME``): compile time (first call minus a warm one), the median of
three warm runs, the whole process's wall time and peak RSS (``os.wait4``). dynstab and numba alternate
A B / B A over the rounds; the table gives the median of the per-round ratios.

Case 2, the cell list: time per step at N = 1e3, 3e3, 1e4 at the swarm's density (N / L^3 = 0.0096)
with r_a = 10 (the library default), cells against all pairs where all pairs fit in memory.

Usage::

    .venv/bin/python benchmarks/bench_schooling.py            # writes the section of RESULTS.md
    .venv/bin/python benchmarks/bench_schooling.py --quick    # small sizes, writes nothing
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import git_state, loadavg, machine, md_table, replace_section

N_AGENTS, STEPS, EVERY = 250, 2000, 10
PARAMS = dict(box=35.0, speed=1.5, r_r=1.0, r_o=12.0, r_a=20.0, max_turn=0.2, noise=0.05, blind=20.0, w_o=1.0, dt=0.1)


# --------------------------------------------------------------------------- the numba reference
def numba_kernels():
    import numba

    @numba.njit(cache=False, fastmath=False)
    def run(pos, head, steps, every, box, speed, r_r, r_o, r_a, max_turn, noise, blind_deg, w_o, dt, seed, out):
        np.random.seed(seed)  # noqa: NPY002 - numba's in-kernel generator has only the legacy API
        n = pos.shape[0]
        new = np.empty_like(head)
        cos_blind = -math.cos(blind_deg * math.pi / 180.0)
        half = 0.5 * box
        frame = 0
        for s in range(steps):
            for i in range(n):
                ux, uy, uz = head[i, 0], head[i, 1], head[i, 2]
                rx = ry = rz = 0.0
                ox = oy = oz = 0.0
                ax = ay = az = 0.0
                nrep = 0
                for j in range(n):
                    dx = pos[j, 0] - pos[i, 0]
                    dy = pos[j, 1] - pos[i, 1]
                    dz = pos[j, 2] - pos[i, 2]
                    # minimum image by comparison (positions in [0, box)): cheaper than round()
                    if dx > half:
                        dx -= box
                    elif dx < -half:
                        dx += box
                    if dy > half:
                        dy -= box
                    elif dy < -half:
                        dy += box
                    if dz > half:
                        dz -= box
                    elif dz < -half:
                        dz += box
                    d2 = dx * dx + dy * dy + dz * dz
                    if d2 >= r_a * r_a or d2 < 1e-20:
                        continue
                    d = math.sqrt(d2)
                    if blind_deg > 0 and (ux * dx + uy * dy + uz * dz) <= cos_blind * d:
                        continue
                    if d < r_r:
                        rx -= dx / d
                        ry -= dy / d
                        rz -= dz / d
                        nrep += 1
                    elif d < r_o:
                        ox += head[j, 0]
                        oy += head[j, 1]
                        oz += head[j, 2]
                    else:
                        ax += dx / d
                        ay += dy / d
                        az += dz / d
                if nrep > 0:
                    tx, ty, tz = rx, ry, rz
                else:
                    tx, ty, tz = w_o * ox + ax, w_o * oy + ay, w_o * oz + az
                tn = math.sqrt(tx * tx + ty * ty + tz * tz)
                if tn > 1e-10:
                    tx, ty, tz = tx / tn, ty / tn, tz / tn
                else:
                    tx, ty, tz = ux, uy, uz
                dot = min(1.0, max(-1.0, ux * tx + uy * ty + uz * tz))
                ang = math.acos(dot)
                if ang < 1e-10:
                    vx, vy, vz = ux, uy, uz
                elif ang <= max_turn:
                    vx, vy, vz = tx, ty, tz
                else:  # the presets' turn: normalized interpolation toward the target (dynstab turn="nlerp")
                    t = max_turn / ang
                    vx, vy, vz = (1 - t) * ux + t * tx, (1 - t) * uy + t * ty, (1 - t) * uz + t * tz
                    vn = math.sqrt(vx * vx + vy * vy + vz * vz)
                    vx, vy, vz = vx / vn, vy / vn, vz / vn
                vx += noise * np.random.standard_normal()  # noqa: NPY002
                vy += noise * np.random.standard_normal()  # noqa: NPY002
                vz += noise * np.random.standard_normal()  # noqa: NPY002
                vn = math.sqrt(vx * vx + vy * vy + vz * vz)
                new[i, 0], new[i, 1], new[i, 2] = vx / vn, vy / vn, vz / vn
            for i in range(n):
                for k in range(3):
                    head[i, k] = new[i, k]
                    x = (pos[i, k] + speed * dt * new[i, k]) % box
                    pos[i, k] = x
            if (s + 1) % every == 0:
                frame += 1
                for i in range(n):
                    for k in range(3):
                        out[frame, 0, i, k] = pos[i, k]
                        out[frame, 1, i, k] = head[i, k]
        return frame

    return run


# --------------------------------------------------------------------------- the original code's loops
def original_numba_kernel():
    from numba import jit, prange

    @jit(nopython=True, cache=False)
    def delta_pbc(p1, p2, box):
        d = p2 - p1
        return d - box * np.round(d / box)

    @jit(nopython=True, cache=False)
    def visible(vel, delta, blind):
        if blind <= 0:
            return True
        vn = np.sqrt(vel[0] ** 2 + vel[1] ** 2 + vel[2] ** 2)
        dn = np.sqrt(delta[0] ** 2 + delta[1] ** 2 + delta[2] ** 2)
        if vn < 1e-10 or dn < 1e-10:
            return True
        c = (vel[0] * delta[0] + vel[1] * delta[1] + vel[2] * delta[2]) / (vn * dn)
        c = max(-1.0, min(1.0, c))
        return c > -np.cos(blind)

    @jit(nopython=True, cache=False)
    def normalize(v):
        n = np.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2)
        if n < 1e-10:
            return np.array([0.0, 0.0, 0.0])
        return v / n

    @jit(nopython=True, cache=False)
    def rotate_toward(cur, target, max_turn, noise):
        tn = np.sqrt(target[0] ** 2 + target[1] ** 2 + target[2] ** 2)
        target = cur.copy() if tn < 1e-10 else target / tn
        dot = max(-1.0, min(1.0, cur[0] * target[0] + cur[1] * target[1] + cur[2] * target[2]))
        angle = np.arccos(dot)
        if angle < 1e-10:
            new = cur.copy()
        elif angle <= max_turn:
            new = target.copy()
        else:
            t = max_turn / angle
            new = cur * (1 - t) + target * t
            nn = np.sqrt(new[0] ** 2 + new[1] ** 2 + new[2] ** 2)
            new = new / nn if nn > 1e-10 else cur.copy()
        if noise > 0:
            kick = [np.random.randn() * noise, np.random.randn() * noise, np.random.randn() * noise]  # noqa: NPY002
            new = new + np.array(kick)
            nn = np.sqrt(new[0] ** 2 + new[1] ** 2 + new[2] ** 2)
            if nn > 1e-10:
                new = new / nn
        return new

    @jit(nopython=True, parallel=True, cache=False)
    def update(pos, vel, box, r_r, r_o, r_a, max_turn, noise, blind, speed, w_o):
        n = pos.shape[0]
        out = np.zeros((n, 3))
        for i in prange(n):
            vi = vel[i]
            vn = np.sqrt(vi[0] ** 2 + vi[1] ** 2 + vi[2] ** 2)
            cur = vi / (vn if vn >= 1e-10 else 1.0)
            d_rep = np.zeros(3)
            d_ori = np.zeros(3)
            d_att = np.zeros(3)
            n_rep = n_ori = n_att = 0
            for j in range(n):
                if i == j:
                    continue
                delta = delta_pbc(pos[i], pos[j], box)
                dist = np.sqrt(delta[0] ** 2 + delta[1] ** 2 + delta[2] ** 2)
                if dist < 1e-10 or not visible(vi, delta, blind):
                    continue
                unit = delta / dist
                if dist < r_r:
                    d_rep -= unit
                    n_rep += 1
                elif dist < r_o:
                    vj = vel[j]
                    vjn = np.sqrt(vj[0] ** 2 + vj[1] ** 2 + vj[2] ** 2)
                    if vjn > 1e-10:
                        d_ori += vj / vjn
                        n_ori += 1
                elif dist < r_a:
                    d_att += unit
                    n_att += 1
            if n_rep > 0:
                desired = normalize(d_rep)
            elif n_ori > 0 or n_att > 0:
                comb = np.zeros(3)
                if n_ori > 0:
                    comb += d_ori * w_o
                if n_att > 0:
                    comb += d_att
                desired = normalize(comb)
            else:
                desired = cur.copy()
            new = rotate_toward(cur, desired, max_turn, noise)
            out[i] = new * speed
        return out

    return update


def original_numpy_update(pos, vel, box, r_r, r_o, r_a, max_turn, noise, blind, speed, w_o, rng):
    """dewi-kadita's NumPy path (``_update_velocities_numpy``), re-implemented from the notes and solver.py."""
    n = pos.shape[0]
    new_vel = np.zeros((n, 3))
    delta = pos[:, None, :] - pos[None, :, :]
    delta = delta - box * np.round(delta / box)
    dists = np.linalg.norm(delta, axis=2)
    norms = np.linalg.norm(vel, axis=1, keepdims=True)
    norms[norms < 1e-10] = 1.0
    unit_vel = vel / norms
    for i in range(n):
        cur = unit_vel[i]
        not_self = np.ones(n, dtype=bool)
        not_self[i] = False
        delta_i = -delta[i]
        dn = dists[i].copy()
        dn[dn < 1e-10] = 1.0
        du = delta_i / dn[:, None]
        vis = np.sum(cur * du, axis=1) > -np.cos(blind) if blind > 0 else np.ones(n, dtype=bool)
        vis[i] = False
        zor = (dists[i] < r_r) & vis & not_self
        zoo = (dists[i] >= r_r) & (dists[i] < r_o) & vis & not_self
        zoa = (dists[i] >= r_o) & (dists[i] < r_a) & vis & not_self
        if np.any(zor):
            d = -np.sum(du[zor], axis=0)
            dnorm = np.linalg.norm(d)
            desired = d / dnorm if dnorm > 1e-10 else cur
        else:
            d_o = np.sum(unit_vel[zoo], axis=0) * w_o if np.any(zoo) else np.zeros(3)
            d_a = np.sum(du[zoa], axis=0) if np.any(zoa) else np.zeros(3)
            comb = d_o + d_a
            cn = np.linalg.norm(comb)
            desired = comb / cn if cn > 1e-10 else cur
        dot = np.clip(np.dot(cur, desired), -1, 1)
        angle = np.arccos(dot)
        if angle < 1e-10:
            new = cur.copy()
        elif angle <= max_turn:
            new = desired.copy()
        else:
            t = max_turn / angle
            new = cur * (1 - t) + desired * t
            new /= np.linalg.norm(new)
        if noise > 0:
            new = new + rng.standard_normal(3) * noise
            new /= np.linalg.norm(new)
        new_vel[i] = new * speed
    return new_vel


# --------------------------------------------------------------------------- workers (one process each)
def _start(seed: int = 789):
    from dynstab.models import schooling

    cfg = schooling.preset("highly-parallel", n_agents=N_AGENTS)
    pos, head = schooling.initial_school(cfg, seed)
    return cfg, pos, head


def worker(name: str, steps: int, repeats: int) -> dict:
    cfg, pos0, head0 = _start()
    p = PARAMS
    if name == "dynstab":
        from dynstab.models.schooling import simulate_school

        def go():
            run = simulate_school(cfg, steps=steps, seed=789, record_every=EVERY, entropies=False)
            return float(run.polarization[-1])

    elif name == "numba":
        kernel = numba_kernels()
        out = np.empty((steps // EVERY + 1, 2, N_AGENTS, 3))

        def go():
            pos, head = pos0.copy(), head0.copy()
            out[0, 0], out[0, 1] = pos, head
            kernel(pos, head, steps, EVERY, p["box"], p["speed"], p["r_r"], p["r_o"], p["r_a"], p["max_turn"],
                   p["noise"], p["blind"], p["w_o"], p["dt"], 789, out)  # fmt: skip
            return float(np.linalg.norm(head.mean(0)))

    elif name == "original-numba":
        update = original_numba_kernel()

        def go():
            pos, vel = pos0.copy(), head0 * p["speed"]
            for _ in range(steps):
                vel = update(pos, vel, p["box"], p["r_r"], p["r_o"], p["r_a"], p["max_turn"], p["noise"],
                             math.radians(p["blind"]), p["speed"], p["w_o"])  # fmt: skip
                pos = np.mod(pos + vel * p["dt"], p["box"])
            return float(np.linalg.norm((vel / p["speed"]).mean(0)))

    elif name == "original-numpy":
        rng = np.random.default_rng(789)

        def go():
            pos, vel = pos0.copy(), head0 * p["speed"]
            for _ in range(steps):
                vel = original_numpy_update(pos, vel, p["box"], p["r_r"], p["r_o"], p["r_a"], p["max_turn"],
                                            p["noise"], math.radians(p["blind"]), p["speed"], p["w_o"], rng)  # fmt: skip
                pos = np.mod(pos + vel * p["dt"], p["box"])
            return float(np.linalg.norm((vel / p["speed"]).mean(0)))

    else:
        raise SystemExit(f"unknown worker {name!r}")
    t0 = time.perf_counter()
    P = go()
    first = time.perf_counter() - t0
    warm, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        P = go()
        warm.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"first": first, "warm": statistics.median(warm), "warm_cpu": statistics.median(cpu), "P": P}


def run_process(name: str, steps: int, repeats: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", name, "--steps", str(steps), "--repeats", str(repeats)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, "DYNSTAB_CACHE_DIR": ""})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    assert proc.stdout is not None
    text = proc.stdout.read()
    if status != 0:
        raise RuntimeError(f"worker {name} failed: {text}")
    out = json.loads(text.strip().splitlines()[-1])
    out.update(
        process=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,
        compile=max(out["first"] - out["warm"], 0.0),
    )
    return out


# --------------------------------------------------------------------------- the cell list
def cell_scaling(sizes: list[int], steps: int) -> list[list]:
    """Warm time per step of `simulate_school` (cells, and all pairs up to 3000 agents) at the swarm's density."""
    from dynstab.models import schooling

    rows = []
    for n in sizes:
        box = (n / 0.0096) ** (1 / 3)
        cfg = schooling.SchoolConfig(n_agents=n, box_size=box, steps=steps, seed=1)
        row: list = [n, f"{box:.0f}", int(box // cfg.r_attraction)]
        for mode in ("cells", "all"):
            if mode == "all" and n > 3000:
                row.append(f"not run (N^2 = {n * n:.0e} pairs: {n * n * 96 / 2**30:.0f} GiB of pair arrays)")
                continue
            go = lambda m=mode, c=cfg: schooling.simulate_school(c, neighbours=m, record_every=10, entropies=False)  # noqa: E731
            go()  # compiles (and grows the cell capacity)
            t0 = time.perf_counter()
            run = go()
            per = (time.perf_counter() - t0) / steps
            row.append(f"{per * 1e3:.1f} ms (P {run.polarization[-1]:.2f})")
        rows.append(row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker")
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.steps, args.repeats)))
        return
    steps = 200 if args.quick else STEPS
    rounds = 2 if args.quick else args.rounds
    load0 = loadavg()
    res: dict[str, list[dict]] = {"dynstab": [], "numba": []}
    for r in range(rounds):
        for who in ("dynstab", "numba") if r % 2 == 0 else ("numba", "dynstab"):
            res[who].append(run_process(who, steps, args.repeats))
            print(who, {k: round(v, 3) for k, v in res[who][-1].items()}, flush=True)
    ratios = [a["warm"] / b["warm"] for a, b in zip(res["dynstab"], res["numba"], strict=True)]
    cpu_ratios = [a["warm_cpu"] / b["warm_cpu"] for a, b in zip(res["dynstab"], res["numba"], strict=True)]
    numpy_steps = 20 if args.quick else 100
    orig_numba = run_process("original-numba", 10 * numpy_steps, 1)  # 1000 steps: minutes on a loaded machine
    orig_numba = {k: v * steps / (10 * numpy_steps) if k in ("warm", "warm_cpu") else v for k, v in orig_numba.items()}
    print("original-numba", orig_numba, flush=True)
    orig_numpy = run_process("original-numpy", numpy_steps, 1)
    print("original-numpy", orig_numpy, flush=True)
    scale = steps / numpy_steps
    med = {k: {f: statistics.median(x[f] for x in v) for f in v[0]} for k, v in res.items()}
    rows = [
        [
            name,
            f"{m['warm']:.3f}",
            f"{m['warm_cpu']:.3f}",
            f"{m['compile']:.2f}",
            f"{m['process']:.2f}",
            f"{m['cpu']:.2f}",
            f"{m['rss_mb']:.0f}",
            f"{m['P']:.3f}",
        ]
        for name, m in (
            ("dynstab simulate_school (all pairs)", med["dynstab"]),
            ("numba, hand-written @njit (1 thread)", med["numba"]),
            ("original kernel (numba parallel, allocating; 1000 steps x 2)", orig_numba),
        )
    ]
    rows.append(
        [
            f"original NumPy path ({numpy_steps} steps x {scale:g})",
            f"{orig_numpy['warm'] * scale:.1f}",
            f"{orig_numpy['warm_cpu'] * scale:.1f}",
            "-",
            "-",
            "-",
            f"{orig_numpy['rss_mb']:.0f}",
            "-",
        ]
    )
    # last: the parent's memory would otherwise count in the workers' peak RSS (fork copies it)
    sizes = [300, 1000] if args.quick else [1000, 3000, 10000]
    cells = cell_scaling(sizes, 20 if args.quick else 50)
    for row in cells:
        print(row, flush=True)
    if args.quick:
        return
    import jax
    import numba

    body = [
        "## Couzin school (issue 17)",
        "",
        f"`.venv/bin/python benchmarks/bench_schooling.py` ({time.strftime('%Y-%m-%d')}, {machine()}, jax {jax.__version__}, "
        f"numba {numba.__version__}, git {git_state()}, load {load0} -> {loadavg()}).",
        "",
        f"{N_AGENTS} agents x {steps} steps of the highly-parallel configuration, a frame every {EVERY} steps, each a "
        "fresh process: warm = median of 3 warm runs in the process, compile = first run - warm, process = the whole "
        "process (imports, compile, 4 runs), warm CPU = the process's CPU time (all threads) in those runs, process CPU = its user + system time (all threads), RSS = its peak. P = final polarization (a check that each ran the model).",
        "",
        *md_table(
            [
                "implementation",
                "warm (s)",
                "warm CPU (s)",
                "compile (s)",
                "process (s)",
                "process CPU (s)",
                "peak RSS (MB)",
                "P",
            ],
            rows,
        ),
        "",
        f"dynstab / numba, median of {rounds} interleaved rounds (A B / B A): **{statistics.median(ratios):.2f}x** "
        f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)}); in CPU time (all threads) "
        f"**{statistics.median(cpu_ratios):.2f}x** (rounds: {', '.join(f'{x:.2f}' for x in cpu_ratios)}); target within "
        "2x. dynstab / original kernel: "
        f"{med['dynstab']['warm'] / orig_numba['warm']:.2f}x; dynstab / original NumPy path: "
        f"{med['dynstab']['warm'] / (orig_numpy['warm'] * scale):.3f}x.",
        "",
        "Cell list (`neighbours='cells'`, cells of side >= r_a = 10, 27 neighbouring cells), warm time per step of "
        "`simulate_school` (50 steps, a frame every 10, no entropies; the capacity grows when a cell overflows) at the "
        "swarm's density (N / L^3 = 0.0096), library-default parameters; P = final polarization:",
        "",
        *md_table(["N", "L", "cells per side", "cells", "all pairs"], cells),
    ]
    replace_section("## Couzin school (issue 17)", "\n".join(body))


if __name__ == "__main__":
    main()
