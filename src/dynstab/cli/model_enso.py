"""``dynstab model enso``: Nino 3.4 recurrence diagnostics and gamelan sonification (`dynstab.models.enso`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    JsonOpt,
    check_output,
    command,
    console,
    fail,
    figures_or_error,
    headless_matplotlib,
    interrupted,
    progress_bar,
    safe_name,
    save_figure,
    write_output,
)


def _choice(value: str, choices: tuple[str, ...], option: str) -> str:
    if value in choices:
        return value
    import difflib

    hint = difflib.get_close_matches(value, choices, n=1)
    fail(
        f"{option} {value!r} is unknown"
        + (f" (did you mean {hint[0]!r}?)" if hint else "")
        + f"; use {', '.join(choices)}"
    )


@command
def enso(
    scale: Annotated[str, typer.Option("--scale", help="pelog, slendro or all.")] = "all",
    strategy: Annotated[
        str, typer.Option("--strategy", help="layered, alternating, melodic, spectral or all.")
    ] = "all",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for the WAV files.")] = None,
    netcdf: Annotated[
        Path | None, typer.Option("--netcdf", help="NetCDF file for the index, RR(tau), the paths and the table.")
    ] = None,
    seconds_per_month: Annotated[
        float, typer.Option("--seconds-per-month", help="Step length (0.25 s: half a beat at 120 BPM).")
    ] = 0.25,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthesis phases.")] = 0,
    figures: Annotated[Path, typer.Option("--figures", help="Folder for the figure.")] = Path("figures"),
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Write no figure.")] = False,
    as_json: JsonOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar and no figure message.")] = False,
) -> None:
    """Nino 3.4 (1950-2016): dominant period, RQA, recurrence network; sonify, write WAVs, print the acoustic table."""
    import json
    import sys

    from ..models import enso as model

    scales = tuple(model.SCALES) if scale == "all" else (_choice(scale, (*model.SCALES, "all"), "--scale"),)
    strategies = (
        model.STRATEGIES if strategy == "all" else (_choice(strategy, (*model.STRATEGIES, "all"), "--strategy"),)
    )
    if not (seconds_per_month > 0 and seconds_per_month <= 10):
        fail(f"--seconds-per-month must be in (0, 10], got {seconds_per_month}")
    if out is not None:
        check_output(out, "--out", folder=True)
    if netcdf is not None:
        check_output(netcdf, "--netcdf", folder=False)
    if not no_figures:
        check_output(figures, "--figures", folder=True)
    quiet = quiet or as_json
    data = model.load_nino34()
    diag = model.enso_diagnostics(data.anomaly, seed=seed)
    table: dict[str, model.PhaseSpace] = {}
    written: list[str] = []
    try:
        with progress_bar("sonifying Nino 3.4", quiet=quiet) as progress:
            jobs = [(s, m) for s in scales for m in strategies]
            for k, (s, m) in enumerate(jobs):
                notes = model.sonify(data.anomaly, s, m, seconds_per_month=seconds_per_month)
                audio = model.render(notes, seed=seed)
                if out is not None:
                    out.mkdir(parents=True, exist_ok=True)
                    written.append(str(model.write_wav(out / safe_name("enso", s, m, suffix=".wav"), audio)))
                table[f"{s} {m}"] = model.acoustic_phase_space(audio)
                progress(k + 1, len(jobs))
    except KeyboardInterrupt:
        interrupted("sonification stopped; the WAV files written so far are complete, no partial file was left")
    if netcdf is not None:
        written.append(str(write_output(lambda path: model.write_netcdf(path, data, diag, table), netcdf)))
    if as_json:
        result = {
            "data": data.source,
            "months": len(data),
            "diagnostics": diag.to_dict(),
            "acoustic": {k: v.to_dict() for k, v in table.items()},
            "published": {k: model.PUBLISHED[k] for k in table},
            "findings": model.qualitative_findings(table),
            "wav": written,
        }
        sys.stdout.write(json.dumps(result, indent=2, default=float) + "\n")
    else:
        console.print(
            f"Nino 3.4, {len(data)} months 1950-01..2016-08: dominant period {diag.spectral_period:.2f} yr "
            f"(periodogram), {diag.welch_period:.2f} yr (Welch), {diag.recurrence_period:.2f} yr (recurrences, "
            f"dim {diag.dim}, tau {diag.tau}); permutation entropy {diag.permutation_entropy:.3f}; "
            f"RQA DET {diag.rqa['DET']:.3f} LAM {diag.rqa['LAM']:.3f}; network transitivity "
            f"{diag.network['transitivity']:.3f}, L {diag.network['average_path_length']:.2f}",
            soft_wrap=True,
        )
        console.print(
            f"{'mode':<22}{'area':>8}{'path':>9}{'revisit':>9}{'explor':>9}{'rho':>8}{'bright Hz':>11}"
            "   | paper (HadISST 1870-2024): area revisit rho",
            soft_wrap=True,
        )
        for name, ps in table.items():
            p = model.PUBLISHED[name]
            console.print(
                f"{name:<22}{ps.area:>8.4f}{ps.path_length:>9.2f}{ps.revisit:>9.3f}"
                f"{ps.exploration:>9.4f}{ps.rho:>8.3f}{ps.brightness_hz:>11.1f}"
                f"   | {p['area']:.4f} {p['revisit']:.3f} {p['rho']:+.3f}",
                highlight=False,
                soft_wrap=True,
            )
        for finding, holds in model.qualitative_findings(table).items():
            console.print(f"paper's finding {finding}: {'holds' if holds else 'does not hold'} here")
        for path in written:
            console.print(f"wrote {path}")
    if not no_figures:
        headless_matplotlib()
        _, message = figures_or_error(
            lambda: save_figure(
                model.plot_enso(data, diag, table),
                figures / safe_name("enso", *scales, *strategies, suffix=".png"),
                quiet,
            ),
            figures,
        )
        if message:
            fail(message)
