"""Lorenz-63: the system report, its figures and its HTML page.

Fixed points with their types, the Lyapunov spectrum over five initial conditions, the attractor
with the fixed points marked, the convergence of the exponents, and a self-contained HTML page
(``lorenz_report.html``) with the same sections.

    python examples/lorenz_report.py [OUTDIR]
"""

# gallery: Lorenz-63: the system report and its HTML page
import sys
from pathlib import Path

import dynstab
from dynstab.html_report import system_report_html, write_html
from dynstab.plotting import save_report_figures
from dynstab.report import analyze

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("figures")
report = analyze(dynstab.systems.get("lorenz"), n_ics=5, seed=0)
print(report.verdict, report.spectrum.exponents)
save_report_figures(report, out)
write_html(system_report_html(report), out, "lorenz_report")
