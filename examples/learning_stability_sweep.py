"""Dynamical stability selects flat minima: GD and SGD over a range of learning rates (Wu & Su, ICML 2023).

A two-layer ReLU network (5 inputs, 8 hidden units, 20 teacher-generated samples) and a diagonal
linear network (f(x) = (u * v) . x, 12 features, 8 samples, sparse teacher) are trained from one
start by gradient descent and by SGD (batch size 2) at growing learning rates. At every minimum
reached: the sharpness lambda_max (Lanczos) against the GD bound 2 / eta, the trace Tr H against
the SGD scale 2 B / eta, and the norm that the sharpness bounds (path norm; ||u * v||_1).

    python examples/learning_stability_sweep.py [OUTDIR]
"""

# gallery: Learning stability: sharpness and trace of the minima that GD and SGD reach, against 2/eta
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from dynstab.models import learning_stability as ls

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("figures")
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)

# two-layer ReLU network on teacher data
X = rng.normal(size=(20, 5)) / np.sqrt(5)
y = np.maximum(X @ rng.normal(size=(3, 5)).T, 0).sum(axis=1)
relu0 = {"W": rng.normal(size=(8, 5)), "a": rng.normal(size=8) / np.sqrt(8)}
# diagonal linear network on a sparse teacher (8 samples, 12 features: many interpolating minima)
Xd = rng.normal(size=(8, 12)) / np.sqrt(12)
yd = Xd @ np.r_[1.0, -1.0, 0.5, np.zeros(9)]
diag0 = {"u": np.ones(12), "v": np.zeros(12)}  # |u| != |v|: u*v can change sign

cases = [
    ("two-layer ReLU", ls.relu_net_loss, relu0, (X, y), np.geomspace(0.6, 1.6, 4), ls.relu_net_path_norm, "path norm"),
    (
        "diagonal linear",
        ls.diagonal_net_loss,
        diag0,
        (Xd, yd),
        np.geomspace(0.5, 6.0, 5),
        ls.diagonal_net_l1_norm,
        "||u*v||_1",
    ),
]
fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
for row, (title, loss, p0, data, lrs, norm, norm_name) in zip(axes, cases, strict=True):
    for B, marker in ((None, "o"), (2, "s")):
        r = ls.learning_rate_sweep(loss, p0, data, lrs, steps=5000, batch_size=B, norm=norm, tol=1e-4)
        ok = r.converged
        label = "GD" if B is None else f"SGD, B = {B}"
        for eta, lam, tr, nrm in zip(r.lr[ok], r.sharpness[ok], r.trace[ok], r.norm[ok], strict=True):
            print(
                f"{title:16s} {label:10s} eta = {eta:.3f}: lambda_max = {lam:.4f} (2/eta = {2 / eta:.3f}), "
                f"Tr H = {tr:.4f}, {norm_name} = {nrm:.4f}"
            )
        row[0].loglog(r.lr[ok], r.sharpness[ok], marker, label=f"{label}: lambda_max")
        row[0].loglog(r.lr[ok], r.trace[ok], marker, mfc="none", label=f"{label}: Tr H")
        row[1].semilogx(r.lr[ok], r.norm[ok], marker + "-", label=label)
    row[0].loglog(lrs, 2 / lrs, "k--", label="2 / eta (GD edge)")
    row[0].loglog(lrs, 4 / lrs, "k:", label="2 B / eta, B = 2")
    row[0].set(xlabel="learning rate eta (1)", ylabel="Hessian measure at the minimum (1)", title=title)
    row[1].set(xlabel="learning rate eta (1)", ylabel=f"{norm_name} at the minimum (1)", title=f"{title}: norm")
    row[0].legend(fontsize=7)
    row[1].legend(fontsize=8)
fig.tight_layout()
fig.savefig(out / "learning_stability_sweep.png", dpi=110)
print(f"wrote {out / 'learning_stability_sweep.png'}")
