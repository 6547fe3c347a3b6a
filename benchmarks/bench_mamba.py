"""PhyxMamba (issue 16): forecasting skill on the lyapunov30 protocol, ablations, training throughput.

``vpt`` mode: the benchmark's own task code (`dynstab.bench.task.evaluate`, the same search-free fit,
forecast and metrics as ``dynstab bench run``) on the lyapunov30 preset restricted to Lorenz-63 and
Rossler (a dataset of two systems x 20 trajectories, 550 + 150 training samples, 300-step horizon),
for the model ``phyxmamba`` (CPU size) and its ablations (``phyxmamba_nomtp``: mtp_steps 0;
``phyxmamba_nommd``: lambda_mmd = lambda_cmmd = 0) and the peers ``ngrc`` and ``shplrnn``, on the
trajectories given. One JSON line per task is appended to ``--out``; the summary (median VPT in
Lyapunov times, cumulative sMAPE > 30, the paper's convention, and the NRMSE > 0.4 one of Pathak et al.
2018, which does not blow up where a variable crosses zero) is printed from that file.

``throughput`` mode: optimisation steps of stage 1 and stage 2 of the CPU size on a Lorenz-63 trajectory
of the preset's length: compile seconds (first epoch less a warm one) and warm tokens per second (one
token = ``token_size`` samples; a stage-1 step processes batch x (lookback + mtp_steps) input tokens,
a stage-2 step batch x lookback x rollout_tokens), with the load average, for the block's quadratic form of
the scan (the default for these short sequences) and the associative scan, interleaved over ``--rounds``.

    python benchmarks/bench_mamba.py vpt --systems lorenz rossler --trajectories 0 1 2 3 4 \\
        --models phyxmamba ngrc shplrnn --out /tmp/mamba_vpt.jsonl
    python benchmarks/bench_mamba.py vpt --systems lorenz --trajectories 0 1 2 \\
        --models phyxmamba_nomtp phyxmamba_nommd --out /tmp/mamba_vpt.jsonl
    python benchmarks/bench_mamba.py summary --out /tmp/mamba_vpt.jsonl
    python benchmarks/bench_mamba.py throughput
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import loadavg

PAPER = {"lorenz": 5.06, "rossler": 9.83}
VARIANTS = {
    "phyxmamba_nomtp": {"mtp_steps": 0},
    "phyxmamba_nommd": {"lambda_mmd": 0.0, "lambda_cmmd": 0.0},
    "phyxmamba_nostage2": {"finetune_epochs": 0},
    "phyxmamba_long": {"n_epochs": 500, "finetune_epochs": 10},
    "phyxmamba_wide": {"d_model": 64, "d_state": 32, "headdim": 16},
}
#: The paper's tokens per system (Liu et al. 2025: Lorenz-63 10 samples, m 3, tau 7; Rossler 5 samples); the
#: Rossler delay, not given there, is the first minimum of the delay mutual information at 30 samples per
#: Lyapunov time (3 samples on every trajectory; dynstab.timeseries.estimate_delay). ``--system-tokens``
#: gives PhyxMamba and its variants these; without it every system gets the benchmark's (Lorenz-63) tokens.
SYSTEM_TOKENS = {"lorenz": {}, "rossler": {"token_size": 5, "delay": 3}}


def dataset(root: str):
    from dynstab.bench.datasets import build_dataset
    from dynstab.bench.presets import PRESETS

    return build_dataset(dataclasses.replace(PRESETS["lyapunov30"], systems=("lorenz", "rossler")), root=root)


def spec_of(name: str, tokens: dict | None = None):
    """The benchmark's spec of a model, or of a PhyxMamba variant; ``tokens`` (PhyxMamba only) override the
    token size and delay."""
    from dynstab.bench.models import MODELS, ModelSpec
    from dynstab.learn import PhyxMamba

    if name in MODELS and not (tokens and name == "phyxmamba"):
        return MODELS[name]
    base = MODELS["phyxmamba"]
    fixed = {**base.build.settings, **VARIANTS.get(name, {}), **(tokens or {})}  # type: ignore[attr-defined]

    def build(seed: int = 0, **hp):
        return PhyxMamba(seed=int(seed), **{**fixed, **hp})

    build.settings = fixed  # type: ignore[attr-defined]
    return ModelSpec(
        name,
        build,
        [{}],
        base.kind,
        slow=True,
        time_budget_s=base.time_budget_s * (5 if name == "phyxmamba_long" else 1),
    )


def run_vpt(args) -> None:
    from dynstab.bench.models import grid_hash
    from dynstab.bench.task import evaluate, tasks_for

    ds = dataset(args.root)
    for system in args.systems:
        for name in args.models:
            tokens = SYSTEM_TOKENS[system] if args.system_tokens and name.startswith("phyxmamba") else None
            spec = spec_of(name, tokens)
            base = "phyxmamba" if name in VARIANTS else name
            tasks = {t.trajectory: t for t in tasks_for(ds, models=[base], systems=[system])}
            for traj in args.trajectories:
                task = dataclasses.replace(tasks[traj], model=name, grid_hash=grid_hash(spec))
                data = ds.task_data(system, traj)
                ref = ds.task_data(system, (traj + 1) % ds.preset.n_trajectories)
                load = loadavg()
                t0 = time.perf_counter()
                rec = evaluate(task, data, reference=ref, spec=spec)
                m = rec["metrics"]
                line = {
                    "system": system,
                    "model": name,
                    "trajectory": traj,
                    "status": rec["status"],
                    "reason": rec["reason"],
                    "vpt": m.get("vpt_smape", float("nan")),
                    "vpt_nrmse": m.get("vpt", float("nan")),
                    "smape@1": m.get("smape@1", float("nan")),
                    "lambda1": m.get("lambda1", float("nan")),
                    "lambda1_ref": m.get("lambda1_ref", float("nan")),
                    "train_seconds": rec["train_seconds"],
                    "wall_seconds": time.perf_counter() - t0,
                    "load": load,
                    "tokens": tokens or {},
                }
                print(json.dumps(line), flush=True)
                with open(args.out, "a") as f:
                    f.write(json.dumps(line) + "\n")


def summary(path: str) -> None:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    keys = sorted({(r["system"], r["model"]) for r in rows})
    print(
        "| system | model | n | median VPT (λ-times) | VPT range | median VPT, NRMSE > 0.4 | median sMAPE@1 "
        "| median λ1 (truth) | fit s | paper |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for system, model in keys:
        sel = [r for r in rows if r["system"] == system and r["model"] == model]
        vpt = np.array([r["vpt"] if r["status"] == "ok" else 0.0 for r in sel], dtype=float)
        vpt_n = np.array([r["vpt_nrmse"] if r["status"] == "ok" else 0.0 for r in sel], dtype=float)
        sm = np.array([r["smape@1"] for r in sel], dtype=float)
        lam = np.array([r["lambda1"] for r in sel], dtype=float)
        ts = np.array([r["train_seconds"] for r in sel], dtype=float)
        failed = sum(r["status"] != "ok" for r in sel)
        print(
            f"| {system} | {model} | {len(sel)}{f' ({failed} failed)' if failed else ''} | {np.median(vpt):.2f} | "
            f"{vpt.min():.2f}-{vpt.max():.2f} | {np.median(vpt_n):.2f} | {np.nanmedian(sm):.1f} | {np.nanmedian(lam):.3f} "
            f"({sel[0]['lambda1_ref']:.3f}) | {np.nanmedian(ts):.0f} | "
            f"{PAPER.get(system, float('nan')) if model == 'phyxmamba' else ''} |"
        )


def _fit_seconds(x, dt, size, n_epochs, finetune_epochs):
    """Seconds of stage 1 and stage 2 of one fit (each includes its compilation)."""
    from dynstab.learn.mamba import PhyxMamba

    m = PhyxMamba(size, n_epochs=n_epochs, finetune_epochs=finetune_epochs, progress=False).fit(x, dt=dt)
    return m.train_result_.seconds, (m.finetune_result_.seconds if m.finetune_result_ is not None else 0.0)


def throughput(args) -> None:
    """Both training forms of the scan, interleaved (dual, scan, dual, scan, ...): compile and warm rates."""
    import jax

    from dynstab.learn import ssm
    from dynstab.learn.mamba import PHYXMAMBA_PRESETS, PhyxMamba

    ds = dataset(args.root)
    data = ds.task_data("lorenz", 0)
    x = np.concatenate([data.train, data.validation])
    s = PHYXMAMBA_PRESETS[args.size]
    m0 = PhyxMamba(args.size)
    L, P, J, K, B = m0.lookback, m0.token_size, s["mtp_steps"], m0.rollout_tokens, s["batch_size"]
    lag = (m0.embedding_dim - 1) * m0.delay
    steps1 = -(-(x.shape[0] - (lag + (L + J + 1) * P) + 1) // B)
    steps2 = -(-(x.shape[0] - (lag + (L + K) * P) + 1) // B)
    print(f"load before {loadavg()}, backend {jax.default_backend()}, size {args.size}: {s}")
    default = ssm.DUAL_MAX_LENGTH
    rates: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for form, limit in (("quadratic", default), ("associative", 0)):
            ssm.DUAL_MAX_LENGTH = limit  # 0: every sequence through the associative scan
            a1, a2 = _fit_seconds(x, data.dt, args.size, 1, 1)  # one epoch each: compile + one epoch
            b1, b2 = _fit_seconds(x, data.dt, args.size, 1 + args.epochs, 1 + args.epochs)
            for stage, first, more, steps, tokens in (
                ("stage 1", a1, b1, steps1, B * (L + J)),
                ("stage 2", a2, b2, steps2, B * L * K),
            ):
                epoch = (more - first) / args.epochs
                rates.setdefault(f"{form} {stage}", []).append(steps * tokens / epoch)
                print(
                    f"{form} {stage}: first epoch (with compile) {first:.1f} s, warm epoch {epoch:.2f} s = {steps} "
                    f"steps, compile ~{first - epoch:.1f} s, {steps * tokens / epoch:.0f} tokens/s, "
                    f"{steps / epoch:.2f} steps/s",
                    flush=True,
                )
    ssm.DUAL_MAX_LENGTH = default
    for stage in ("stage 1", "stage 2"):
        ratio = np.median(np.array(rates[f"quadratic {stage}"]) / np.array(rates[f"associative {stage}"]))
        print(
            f"{stage}: median tokens/s quadratic {np.median(rates[f'quadratic {stage}']):.0f}, associative "
            f"{np.median(rates[f'associative {stage}']):.0f}, median ratio of the rounds {ratio:.2f}"
        )
    print(f"load after {loadavg()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("vpt", "summary", "throughput"))
    ap.add_argument("--systems", nargs="+", default=["lorenz", "rossler"])
    ap.add_argument("--models", nargs="+", default=["phyxmamba"])
    ap.add_argument("--trajectories", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--out", default="/tmp/mamba_vpt.jsonl")
    ap.add_argument("--root", default="/tmp/mamba/data")
    ap.add_argument("--size", default="cpu")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2, help="throughput: interleaved rounds of the two forms")
    ap.add_argument("--system-tokens", action="store_true", help="the paper's tokens per system (SYSTEM_TOKENS)")
    args = ap.parse_args()
    if args.mode == "vpt":
        run_vpt(args)
        summary(args.out)
    elif args.mode == "summary":
        summary(args.out)
    else:
        throughput(args)


if __name__ == "__main__":
    main()
