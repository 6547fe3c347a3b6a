"""Logistic map: the orbit diagram with the period doublings located and marked.

All parameter values run in one compiled sweep; `period_changes` brackets each change of the
detected period to 1e-7 (r = 3, 1 + sqrt 6 = 3.449490, 3.544090, ... converging at Feigenbaum's
rate delta = 4.669).

    python examples/logistic_doublings.py [OUTDIR]
"""

# gallery: Logistic map: orbit diagram with the located period doublings
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np

import dynstab
from dynstab.analysis import orbit_diagram, period_changes
from dynstab.plotting import plot_orbit_diagram

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("figures")
out.mkdir(parents=True, exist_ok=True)
logistic = dynstab.systems.get("logistic")
diagram = orbit_diagram(logistic, "r", np.linspace(2.8, 4.0, 1200), n_keep=200)
changes = period_changes(logistic, "r", 2.8, 3.58)
for c in changes[:4]:
    print(f"r = {c.value:.6f}: period {c.from_period} -> {c.to_period}")
plot_orbit_diagram(diagram, changes).savefig(out / "logistic_doublings.png", dpi=110)
