"""ENSO sonification: the acoustic phase-space table for all 8 renderings beside the paper's (issue 18).

Run: ``.venv/bin/python benchmarks/bench_enso.py [--seconds-per-month 0.25] [--seed 0]``

Prints the Nino 3.4 diagnostics (dominant period by periodogram, Welch and recurrences;
permutation entropy; RQA; recurrence network), then a markdown table of the acoustic
measures of every (scale, strategy) rendering of the 1950-2016 ERSSTv4 index next to the
paper's (HadISST 1870-2024, FluidSynth + FluidR3_GM), the paper's qualitative findings checked
on both, and the wall time of each step (sonify + synthesize, analyse).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from dynstab.models import enso


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds-per-month", type=float, default=enso.SECONDS_PER_MONTH)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    data = enso.load_nino34()
    t0 = time.perf_counter()
    d = enso.enso_diagnostics(data.anomaly, seed=a.seed)
    t_diag = time.perf_counter() - t0
    print(f"data: {data.source}, {len(data)} months")
    print(
        f"periods (yr): periodogram {d.spectral_period:.2f}, Welch {d.welch_period:.2f}, recurrences "
        f"{d.recurrence_period:.2f} (embedding dim {d.dim}, tau {d.tau}: {d.embedding})"
    )
    print(f"permutation entropy (order 4): {d.permutation_entropy:.3f}")
    print("RQA (RR 0.1): " + ", ".join(f"{k} {v:.3g}" for k, v in d.rqa.items()))
    print("network (density 0.05): " + ", ".join(f"{k} {v:.3g}" for k, v in d.network.items() if k != "eps"))
    print(f"diagnostics: {t_diag:.1f} s")
    rows = {}
    times = []
    for s in enso.SCALES:
        for m in enso.STRATEGIES:
            t0 = time.perf_counter()
            notes = enso.sonify(data.anomaly, s, m, seconds_per_month=a.seconds_per_month)
            audio = enso.render(notes, seed=a.seed)
            t1 = time.perf_counter()
            rows[f"{s} {m}"] = enso.acoustic_phase_space(audio)
            times.append((f"{s} {m}", len(notes), audio.size / enso.SAMPLE_RATE, t1 - t0, time.perf_counter() - t1))
    print()
    print(
        "| mode | area | path | revisit | explor. | rho(C,E) | brightness Hz | paper area | paper path | paper revisit | paper explor. | paper rho | paper Hz |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for k, ps in rows.items():
        p = enso.PUBLISHED[k]
        print(
            f"| {k} | {ps.area:.4f} | {ps.path_length:.2f} | {ps.revisit:.3f} | {ps.exploration:.4f} | {ps.rho:+.3f} | "
            f"{ps.brightness_hz:.1f} | {p['area']:.4f} | {p['path']:.2f} | {p['revisit']:.3f} | {p['exploration']:.4f} | "
            f"{p['rho']:+.3f} | {p['brightness']:.1f} |"
        )
    print()
    ours, paper = enso.qualitative_findings(rows), enso.qualitative_findings(enso.PUBLISHED)
    for k in ours:
        print(f"{k}: paper {'yes' if paper[k] else 'no'}, ours {'yes' if ours[k] else 'no'}")
    for s in enso.SCALES:
        r = [rows[f"{s} {m}"] for m in enso.STRATEGIES]
        print(
            f"{s}: revisit ranking "
            + " > ".join(enso.STRATEGIES[i] for i in np.argsort([-x.revisit for x in r]))
            + "; area ranking "
            + " > ".join(enso.STRATEGIES[i] for i in np.argsort([-x.area for x in r]))
        )
    print()
    print("| mode | notes | audio s | sonify+synth s | analyse s |")
    print("|---|---|---|---|---|")
    for name, n, secs, ts, ta in times:
        print(f"| {name} | {n} | {secs:.1f} | {ts:.2f} | {ta:.2f} |")


if __name__ == "__main__":
    main()
