"""GTF training throughput of the clipped shPLRNN (and the AL-RNN), device-agnostic.

Default GTF configuration (Hess et al. 2023 defaults: M=3, H=50, batch 16, sequence length 200, aGTF
with the product upper bound every 5 steps, RAdam); Lorenz-63 data at dt = 0.01. Compile time (first
epoch, includes tracing and XLA compilation) and warm throughput (later epochs) are reported
separately, as optimisation steps/s and training sequences/s (= steps/s x batch size).

    python benchmarks/bench_learn_plrnn.py            # CPU or whatever jax.devices() gives
    JAX_PLATFORMS=cpu python benchmarks/bench_learn_plrnn.py
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

import dynstab
from dynstab.learn.alrnn import ALRNN
from dynstab.learn.base import as_training_data
from dynstab.learn.plrnn import ShallowPLRNN


def lorenz_data(n: int = 20_000) -> np.ndarray:
    traj = dynstab.trajectory(dynstab.systems.get("lorenz"), t=n * 0.01, dt=0.01, transient=10.0)
    return (traj.x - traj.x.mean(0)) / traj.x.std(0)


def measure(model, data, steps_per_epoch: int, warm_epochs: int) -> tuple[float, float]:
    """(compile seconds, warm steps/s) of the model's training step run as compiled epochs (one lax.scan of
    ``steps_per_epoch`` steps, as in ``train_epochs``): first call = compile + one epoch, then timed warm epochs."""
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
    t0 = time.perf_counter()
    for i in range(warm_epochs):
        state, loss = epoch(state, jax.random.fold_in(key, i + 1))
    loss.block_until_ready()
    warm = time.perf_counter() - t0
    sps = warm_epochs * steps_per_epoch / warm
    return max(first - steps_per_epoch / sps, 0.0), sps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5, help="warm epochs timed")
    parser.add_argument("--batches", type=int, default=50, help="steps per epoch")
    args = parser.parse_args()
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
        compile_s, sps = measure(model, data, args.batches, args.epochs)
        rows.append((name, compile_s, sps, 16 * sps))
    device = jax.devices()[0].platform
    print(f"\n| model ({device}, batch 16, seq 200) | compile s | steps/s | sequences/s | 5000x50 epochs (h) |")
    print("|---|---|---|---|---|")
    for name, c, sps, seq in rows:
        print(f"| {name} | {c:.1f} | {sps:.0f} | {seq:.0f} | {250_000 / sps / 3600:.2f} |")


if __name__ == "__main__":
    main()
