"""Mackey-Glass: a delay equation drawn in its delay portrait x(t - tau) against x(t).

The state of dx/dt = beta x(t - tau) / (1 + x(t - tau)^n) - gamma x(t) is a function on
[t - tau, t]; the delay portrait (tau = 17, the chaotic case of Mackey & Glass 1977) unfolds the
attractor, where x(t + dt) against x(t) would only draw the diagonal.

    python examples/mackey_glass_delay.py [OUTDIR]
"""

# gallery: Mackey-Glass: the delay portrait of a delay equation
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import dynstab
from dynstab.plotting import plot_attractor

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("figures")
out.mkdir(parents=True, exist_ok=True)
traj = dynstab.trajectory(dynstab.systems.get("mackey_glass"), t=1500.0, transient=500.0)
plot_attractor(traj).savefig(out / "mackey_glass_delay_portrait.png", dpi=110)
