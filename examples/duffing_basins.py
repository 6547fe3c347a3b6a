"""Forced Duffing oscillator: basins of its two period-T responses, through the stroboscopic map.

x'' + delta x' - x + x^3 = gamma cos(omega t) with delta = 0.3, gamma = 0.1, omega = 1.2 has one
T-periodic response in each well (T = 2 pi / omega). Sampled once per forcing period (the
stroboscopic map, Guckenheimer & Holmes 1983, sec. 2.2) each response is one point, and the
basins interleave in spirals around the saddle between the wells.

    python examples/duffing_basins.py [OUTDIR]
"""

# gallery: Forced Duffing: basins through the stroboscopic map
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np

import dynstab
from dynstab.analysis import basins_of_attraction
from dynstab.plotting import plot_basins
from dynstab.systems import StroboscopicMap

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("figures")
out.mkdir(parents=True, exist_ok=True)
duffing = dynstab.systems.get("duffing", gamma=0.1)
grid = (np.linspace(-1.8, 1.8, 120), np.linspace(-1.2, 1.2, 80))
basins = basins_of_attraction(StroboscopicMap(duffing), grid, seed=0)
print(basins)
plot_basins(basins).savefig(out / "duffing_basins.png", dpi=110)
