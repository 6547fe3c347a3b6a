"""GTF training throughput of the clipped shPLRNN (and the AL-RNN), device-agnostic.

Default mode: the GTF defaults (Hess et al. 2023: M=3, H=50, batch 16, sequence length 200, aGTF with the
product upper bound every 5 steps, RAdam) on Lorenz-63 data at dt = 0.01. Compile time (first epoch, includes
tracing and XLA compilation) and warm throughput (later epochs) are reported separately, as optimisation
steps/s and training sequences/s (= steps/s x batch size).

``--ecg``: the GTF paper's ECG size (issue 12): clipped shPLRNN M = 5, H = 250, affine observation, sequence
length 200, batch 16, GTF alpha = 0.3 (and aGTF, and the reference code's choices via ``paper_preset("ecg")``),
on a 5-d delay embedding of Lorenz-63 x (the throughput does not depend on the data's values). Each
configuration runs in a fresh process; with ``--baseline SRC`` (a ``src`` folder of another commit, e.g. from
``git archive <rev> src | tar -x -C /tmp/base``; ``--current`` likewise for the measured code, default this
checkout) the baseline and the current code run interleaved
(A B A B ...); reported are per-config medians of steps per CPU-second (``time.process_time``, all threads),
wall steps/s, compile seconds, whole-process seconds and peak RSS, and the median of the per-round ratios.
With ``--dtypes float64,float32`` the same code runs its training loop in each dtype (the estimators' ``dtype``),
interleaved (float64 float32, float32 float64, ...), and the ratios are float32 over float64;
``--configs`` picks configurations by a substring of their names.

    python benchmarks/bench_learn_plrnn.py            # CPU or whatever jax.devices() gives
    python benchmarks/bench_learn_plrnn.py --ecg --baseline /tmp/base/src --rounds 3
    python benchmarks/bench_learn_plrnn.py --ecg --dtypes float64,float32 --configs "GTF a=0.3" --rounds 4
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import dynstab
from dynstab.learn.alrnn import ALRNN
from dynstab.learn.base import as_training_data
from dynstab.learn.plrnn import ShallowPLRNN

try:
    from _results import loadavg, machine
except ImportError:  # run from another directory
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _results import loadavg, machine

ECG_CONFIGS: dict[str, Any] = {
    "GTF a=0.3 (dynstab defaults)": dict(alpha=0.3),
    "aGTF product upper bound": dict(alpha="adaptive"),
    "GTF a=0.3, reference choices (paper_preset('ecg'))": "preset",
}


def lorenz_data(n: int = 20_000) -> np.ndarray:
    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=n * 0.01, dt=0.01, transient=10.0)
    return (traj.x - traj.x.mean(0)) / traj.x.std(0)


def ecg_like_data(n: int = 20_000) -> np.ndarray:
    """5-d delay embedding (delays 0, 8, 16, 24, 32 samples) of standardized Lorenz-63 x."""
    x = lorenz_data(n + 40)[:, 0]
    return np.stack([x[32 - d : 32 - d + n] for d in (0, 8, 16, 24, 32)], axis=1)


def measure(model, data, steps_per_epoch: int, warm_epochs: int) -> dict[str, float]:
    """Compile seconds and warm steps/s (wall and per CPU-second) of the model's training step run as compiled
    epochs (one lax.scan of ``steps_per_epoch`` steps, as in ``train_epochs``)."""
    with dynstab.float64_scope():
        step, state = model.training_step(as_training_data(data, 0.01))

        @jax.jit
        def epoch(state, key):
            state, losses = jax.lax.scan(step, state, jax.random.split(key, steps_per_epoch))
            return state, jnp.mean(losses)

        key = jax.random.PRNGKey(0)
        t0 = time.perf_counter()
        state, loss = epoch(state, key)
        loss.block_until_ready()
        first = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(warm_epochs):
            state, loss = epoch(state, jax.random.fold_in(key, i + 1))
        loss.block_until_ready()
        warm, cpu = time.perf_counter() - t0, time.process_time() - c0
    steps = warm_epochs * steps_per_epoch
    sps = steps / warm
    return dict(compile_s=max(first - steps_per_epoch / sps, 0.0), wall_sps=sps, cpu_sps=steps / cpu)


def ecg_model(name: str, dtype: str | None = None):
    cfg = ECG_CONFIGS[name]
    extra: dict[str, Any] = {} if dtype is None else {"dtype": dtype}
    if cfg == "preset":
        if not hasattr(ShallowPLRNN, "paper_preset"):
            return None
        return ShallowPLRNN.paper_preset("ecg", **extra)
    assert isinstance(cfg, dict)
    return ShallowPLRNN(5, 250, observation="affine", **cfg, **extra)


def worker(name: str, epochs: int, batches: int, dtype: str | None = None) -> None:
    t0 = time.perf_counter()
    model = ecg_model(name, dtype)
    if model is None:
        print(json.dumps(None))
        return
    out = measure(model, ecg_like_data(), batches, epochs)
    out["process_s"] = time.perf_counter() - t0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run_worker(src: str | None, name: str, epochs: int, batches: int, dtype: str | None = None) -> dict | None:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    t0 = time.perf_counter()
    cmd = [sys.executable, __file__, "--worker", name, "--epochs", str(epochs), "--batches", str(batches)]
    if dtype:
        cmd += ["--dtype", dtype]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-2000:])
    out = json.loads(res.stdout.strip().splitlines()[-1])
    if out is not None:
        out["whole_process_s"] = time.perf_counter() - t0
    return out


def ecg(args) -> None:
    print(f"jax {jax.__version__}, {machine()}, load {loadavg()}, XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}")
    # (label, src, dtype); the first one is the reference of the ratios
    versions: list[tuple[str, str | None, str | None]]
    if args.dtypes:
        versions = [(d, args.current, d) for d in args.dtypes.split(",")]
    elif args.baseline:
        versions = [("baseline", args.baseline, None), ("current", args.current, None)]
    else:
        versions = [("current", args.current, None)]
    names = [n for n in ECG_CONFIGS if not args.configs or any(c in n for c in args.configs.split(";"))]
    results: dict[tuple[str, str], list[dict]] = {}
    for r in range(args.rounds):
        order = versions if r % 2 == 0 else versions[::-1]
        for name in names:
            for label, src, dtype in order:
                out = run_worker(src, name, args.epochs, args.batches, dtype)
                if out is not None:
                    results.setdefault((name, label), []).append(out)
                    print(
                        f"round {r}: {name} [{label}] {out['cpu_sps']:.0f} steps/CPU-s, {out['wall_sps']:.0f} steps/s"
                    )
    print(f"\nload at end {loadavg()}")
    print(
        "\n| configuration (M=5, H=250, affine, seq 200, batch 16) | code | steps per CPU-s | steps/s wall | "
        "compile s | whole process s | peak RSS MB | 250k steps (CPU min) | 250k steps (wall min) | "
        f"ratio to {versions[0][0]} per CPU-s / wall (per-round median) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        base = results.get((name, versions[0][0]))
        for label, _, _ in versions:
            rows = results.get((name, label))
            if not rows:
                continue
            med = {k: float(np.median([o[k] for o in rows])) for k in rows[0]}
            ratio = ""
            if label != versions[0][0] and base:
                cpu = np.median([c["cpu_sps"] / b["cpu_sps"] for c, b in zip(rows, base)])
                wall = np.median([c["wall_sps"] / b["wall_sps"] for c, b in zip(rows, base)])
                ratio = f"{cpu:.2f}x / {wall:.2f}x"
            print(
                f"| {name} | {label} | {med['cpu_sps']:.0f} | {med['wall_sps']:.0f} | {med['compile_s']:.1f} | "
                f"{med['whole_process_s']:.1f} | {med['peak_rss_mb']:.0f} | {250_000 / med['cpu_sps'] / 60:.1f} | "
                f"{250_000 / med['wall_sps'] / 60:.1f} | {ratio} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5, help="warm epochs timed")
    parser.add_argument("--batches", type=int, default=50, help="steps per epoch")
    parser.add_argument("--ecg", action="store_true", help="the GTF paper's ECG size, interleaved processes")
    parser.add_argument("--baseline", default=None, help="src folder of the baseline code (with --ecg)")
    parser.add_argument("--current", default=None, help="src folder of the measured code (default: this checkout)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (with --ecg)")
    parser.add_argument("--dtypes", default=None, help="with --ecg: training dtypes to compare, e.g. float64,float32")
    parser.add_argument("--configs", default=None, help="with --ecg: ';'-separated substrings of config names")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--dtype", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.epochs, args.batches, args.dtype)
        return
    if args.ecg:
        ecg(args)
        return
    print(f"jax {jax.__version__}, devices: {jax.devices()}")
    data = lorenz_data()
    rows = []
    configs = [
        ("clipped shPLRNN + aGTF (M=3, H=50)", ShallowPLRNN(3, 50)),
        ("clipped shPLRNN + GTF a=0.1 (M=3, H=50)", ShallowPLRNN(3, 50, alpha=0.1)),
        ("shPLRNN + aGTF (M=3, H=100)", ShallowPLRNN(3, 100, clipped=False)),
        ("AL-RNN STF tau=16 (M=20, P=2)", ALRNN(20, 2)),
    ]
    for name, model in configs:
        m = measure(model, data, args.batches, args.epochs)
        rows.append((name, m["compile_s"], m["wall_sps"], 16 * m["wall_sps"], m["cpu_sps"]))
    device = jax.devices()[0].platform
    print(
        f"\n| model ({device}, batch 16, seq 200) | compile s | steps/s | sequences/s | steps per CPU-s | 5000x50 epochs (h) |"
    )
    print("|---|---|---|---|---|---|")
    for name, c, sps, seq, cps in rows:
        print(f"| {name} | {c:.1f} | {sps:.0f} | {seq:.0f} | {cps:.0f} | {250_000 / sps / 3600:.2f} |")


if __name__ == "__main__":
    main()
