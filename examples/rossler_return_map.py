"""Rossler: the section at x = 0 is nearly a curve, so its orbits are drawn on the return map of y.

On the upward crossings of x = 0 the coordinate z stays within 0.029-0.033 while y spans about 7:
a scatter of (y, z) would be a flat line. `plot_section` and `plot_periodic_orbits` switch to the
return map y_n -> y_{n+1} (a unimodal curve), where the two period-3 orbits sit as the vertices
of their cycles.

    python examples/rossler_return_map.py [OUTDIR]
"""

# gallery: Rossler: return map of the Poincare section and its period-3 orbits
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import dynstab
from dynstab.analysis import periodic_orbits
from dynstab.plotting import plot_periodic_orbits
from dynstab.systems import PoincareMap

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("figures")
out.mkdir(parents=True, exist_ok=True)
pmap = PoincareMap(dynstab.systems.get("rossler"), ("x", 0.0))
background = dynstab.trajectory(pmap, n=3000, transient=100).x
orbits = periodic_orbits(pmap, 3, n_seeds=200, seed=0)
print(orbits)
plot_periodic_orbits(orbits, background).savefig(out / "rossler_period3_return_map.png", dpi=110)
