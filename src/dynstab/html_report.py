"""Self-contained HTML pages of the system and data reports (``dynstab analyze ... --html DIR``).

One file per report, readable offline and on a phone: the sections of the terminal report
(`dynstab.cli.render.print_report` / ``print_series_report``), the figures inline as base64 PNG
(``<img src="data:image/png;base64,...">``), the settings of the run and the versions of dynstab,
JAX, NumPy and Python, and every result as JSON in a collapsed block. The page loads nothing
from elsewhere (no external style sheet, font, script or image) and runs no JavaScript; its CSS
is responsive (one column, tables that scroll sideways on a narrow screen).
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import platform
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "versions",
    "figure_data_uri",
    "figures_html",
    "html_page",
    "system_report_html",
    "series_report_html",
    "write_html",
    "convergence_line",
    "lyapunov_line",
    "zero_one_line",
    "series_rows",
    "verdict_label",
]

_CSS = """
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff;
        --accent: #0b5cad; --note: #fff8c5; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem; font: 16px/1.5 system-ui, -apple-system,
       "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.4rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 0.5rem; border-bottom: 1px solid var(--line); }
p, li { overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.verdict { font-size: 1.15rem; padding: 0.5rem 0.8rem; border-left: 4px solid var(--accent);
           background: #f0f6ff; }
.note { padding: 0.5rem 0.8rem; background: var(--note); border-left: 4px solid #d4a72c; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; margin: 0.4rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; white-space: nowrap; }
caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 0.9rem; }
figure { margin: 1rem 0; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 0.9rem; }
pre { overflow-x: auto; background: #f6f8fa; padding: 0.6rem; font-size: 0.8rem; }
@media (max-width: 600px) { body { padding: 0.6rem; font-size: 15px; } h1 { font-size: 1.3rem; }
  th, td { padding: 0.25rem 0.4rem; } }
"""


def versions() -> dict[str, str]:
    """The versions that produced a report: dynstab, JAX, NumPy, matplotlib and Python.

    Returns
    -------
    dict of str to str
        Package name to version string (``"not installed"`` for a missing one).
    """
    from importlib import metadata

    from . import __version__

    out = {"dynstab": __version__}
    for pkg in ("jax", "numpy", "matplotlib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    out["python"] = platform.python_version()
    return out


def figure_data_uri(fig: Figure, dpi: int = 100) -> str:
    """A figure as a ``data:image/png;base64,...`` URI (the figure is closed).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    dpi : int, default 100
        Resolution of the PNG.

    Returns
    -------
    str
        The data URI.
    """
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi)
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# --- building blocks ----------------------------------------------------------------------------
def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(v: Any, digits: int = 5) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool | int | str):
        return str(v)
    v = float(v)
    return f"{v:.{digits}g}" if math.isfinite(v) else str(v)


def _complex(z: complex) -> str:
    if abs(z.imag) < 1e-12 * max(1.0, abs(z.real)):
        return _num(z.real)
    return f"{_num(z.real)}{'+' if z.imag >= 0 else '-'}{_num(abs(z.imag))}i"


def _table(
    rows: Iterable[Iterable[Any]],
    header: Iterable[str] | None = None,
    caption: str | None = None,
    numeric: bool = False,
) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header) if header is not None else ""
    cls = ' class="num"' if numeric else ""
    body = "".join("<tr>" + "".join(f"<td{cls}>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    return f'<div class="scroll"><table>{cap}{thead}<tbody>{body}</tbody></table></div>'


def _pairs(items: Mapping[str, Any]) -> str:
    return _table(([k, v] for k, v in items.items()), ["", ""]).replace(
        "<thead><tr><th></th><th></th></tr></thead>", ""
    )


def figures_html(figures: Iterable[tuple[str, Figure]]) -> str:
    """Numbered ``<figure>`` elements with the figures inline (PNG data URIs) and their captions.

    Parameters
    ----------
    figures : iterable of (str, matplotlib.figure.Figure)
        Caption and figure; each figure is closed once written.

    Returns
    -------
    str
        The HTML ("" for no figure).
    """
    parts = []
    for i, (caption, fig) in enumerate(figures, start=1):
        uri = figure_data_uri(fig)
        parts.append(
            f'<figure><img src="{uri}" alt="figure {i}: {_e(caption)}" loading="eager">'
            f"<figcaption>Figure {i}: {_e(caption)}</figcaption></figure>"
        )
    return "".join(parts)


def _figures(figures: Iterable[tuple[str, Figure]]) -> str:
    parts = figures_html(figures)
    return "<h2>Figures</h2>" + parts if parts else ""


def _tail(report: Any, settings: Mapping[str, Any] | None, data: Mapping[str, Any]) -> str:
    """Skipped steps, timings, settings, versions and the JSON of the results."""
    parts = []
    if report.skipped:
        parts.append("<h2>Skipped steps</h2><ul>")
        parts += [f"<li><b>{_e(k)}</b>: {_e(v)}</li>" for k, v in report.skipped.items()]
        parts.append("</ul>")
    if report.interrupted:
        parts.append('<p class="note">Interrupted: the steps above finished; the rest did not run.</p>')
    if report.timings:
        parts.append("<h2>Timings</h2>")
        parts.append(_table(([k, f"{v:.2f} s"] for k, v in report.timings.items()), ["step", "time"]))
    if settings:
        parts.append("<h2>Settings</h2>" + _pairs({k: _num(v) for k, v in settings.items()}))
    parts.append("<h2>Versions</h2>" + _pairs(versions()))
    text = json.dumps(data, indent=2, default=str)
    parts.append(f"<h2>All results</h2><details><summary>JSON</summary><pre>{_e(text)}</pre></details>")
    return "".join(parts)


# --- the report's lines, shared with the terminal (`dynstab.cli.render`) -------------------------
def _amount(v: float) -> str:
    """A count of times or periods: whole above 100 (``1310``), two digits below (``8.5``)."""
    return f"{v:.0f}" if v >= 100 else f"{v:.2g}"


def convergence_line(conv: Mapping[str, Any] | None) -> str | None:
    """One line on the Lyapunov run's convergence (`dynstab.report.system_verdict`'s measures).

    ``run: 904 Lyapunov times, 1310 periods; halves agree (lambda_1 = 0.902 and 0.905)`` when
    conclusive, else the run's length, ``not conclusive:``, the reasons and the suggested ``--t``.

    Parameters
    ----------
    conv : mapping or None
        ``Report.convergence`` (keys ``lyapunov_times``, ``periods``, ``halves``, ``reasons``,
        ``suggested_t``).

    Returns
    -------
    str or None
        The line; None when ``conv`` is None.
    """
    if conv is None:
        return None
    length = []
    if conv.get("lyapunov_times") is not None:
        length.append(f"{_amount(conv['lyapunov_times'])} Lyapunov times")
    if conv.get("periods") is not None:
        length.append(f"{_amount(conv['periods'])} periods")
    text = "run: " + (", ".join(length) or "no positive exponent")
    if not conv.get("reasons"):
        halves = conv.get("halves") or []
        if len(halves) == 2 and halves[0] and halves[1]:
            text += f"; halves agree (lambda_1 = {_num(halves[0][0], 3)} and {_num(halves[1][0], 3)})"
        return text
    text += "; not conclusive: " + "; ".join(conv["reasons"])
    if conv.get("suggested_t") is not None:
        text += f"; rerun with --t {conv['suggested_t']:g}"
    return text


def lyapunov_line(ly: Any, unit: str) -> str:
    """The data report's exponent: value and intervals when `LyapunovEstimate.valid`, else why there is none.

    Parameters
    ----------
    ly : dynstab.timeseries.lyapunov.LyapunovEstimate
        The estimate.
    unit : str
        Its unit, e.g. ``per time unit``.

    Returns
    -------
    str
        ``0.689 per time unit, 95% CI [0.551, 0.93] (statistical alone [0.683, 0.694]; systematic
        -20%/+35%)``, or ``no valid estimate (no common scaling region)``.
    """
    if not ly.valid:
        if ly.scaling_found and math.isfinite(ly.exponent) and not ly.consistent:
            return "no valid estimate (the embedding dimensions disagree)"
        return "no valid estimate (no common scaling region)"
    text = f"{ly.exponent:.4g} {unit}, {ly.confidence:.0%} CI [{ly.ci[0]:.3g}, {ly.ci[1]:.3g}]"
    if all(math.isfinite(c) for c in ly.stat_ci):
        low, high = ly.systematic
        systematic = f"; systematic -{low:.0%}/+{high:.0%}" if low or high else ""
        text += f" (statistical alone [{ly.stat_ci[0]:.3g}, {ly.stat_ci[1]:.3g}]{systematic})"
    return text


def zero_one_line(rep: Any) -> str:
    """K of the 0-1 test and whether it discriminates from its IAAFT surrogates.

    Parameters
    ----------
    rep : dynstab.timeseries.report.SeriesReport
        The report (``zero_one``, ``zero_one_result``, ``zero_one_discriminates``).

    Returns
    -------
    str
        ``0.998 (surrogates' median K 0.998: does not discriminate, K says nothing here)``.
    """
    text = f"{rep.zero_one:.3f}"
    z, discriminates = rep.zero_one_result, rep.zero_one_discriminates
    if z is None or discriminates is None:
        return text
    import numpy as np

    surrogates = f"surrogates' median K {float(np.median(z.surrogate_K)):.3f}"
    if discriminates:
        return f"{text} ({surrogates}: discriminates)"
    return f"{text} ({surrogates}: does not discriminate, K says nothing here)"


def series_rows(rep: Any, unit: str) -> dict[str, str]:
    """The measures of a series report, name to text, as the terminal and the page show them.

    Stationarity (its message), embedding (and whether false nearest neighbours converged), the
    spectrum's lines and the record's length in mean periods, the largest Lyapunov exponent
    (`lyapunov_line`) with its value at each embedding dimension and the Lyapunov time, the
    correlation dimension, RQA, permutation entropy, the 0-1 test (`zero_one_line`) and the
    surrogate test; a measure that was not computed has no row.

    Parameters
    ----------
    rep : dynstab.timeseries.report.SeriesReport
        The report.
    unit : str
        The exponent's unit, e.g. ``per time unit`` or ``per sample``.

    Returns
    -------
    dict of str to str
        The rows, in the report's order.
    """
    rows: dict[str, str] = {}
    if rep.stationarity is not None:
        rows["stationarity"] = rep.stationarity.message
    if rep.dim is not None:
        text = f"dim {rep.dim}, tau {rep.tau} ({rep.embedding_rule})"
        if rep.embedding_converged is False and "did not converge" not in (rep.embedding_rule or ""):
            text += "; false nearest neighbours did not converge"
        rows["embedding"] = text
    if rep.line_fraction is not None:
        text = f"{rep.line_fraction:.0%} of the power in its largest lines"
        if rep.n_periods is not None:
            text += f"; the record spans {rep.n_periods:.3g} mean periods of {rep.mean_period:.3g}"
        rows["spectrum"] = text
    ly = rep.lyapunov
    if ly is not None:
        rows["largest Lyapunov exponent"] = lyapunov_line(ly, unit)
        if ly.valid and len(ly.dim_exponents) > 1:
            rows["  by embedding dimension"] = ", ".join(f"m={m}: {_num(v, 3)}" for m, v in ly.dim_exponents)
        if rep.lyapunov_time is not None:
            rows["Lyapunov time (predictability)"] = f"{rep.lyapunov_time:.4g}"
    if rep.dimension is not None:
        rows["correlation dimension"] = f"{rep.dimension.dimension:.3f} +/- {rep.dimension.uncertainty:.2f}"
    if rep.rqa is not None:
        rows["RQA"] = ", ".join(f"{k} {_num(v, 3)}" for k, v in rep.rqa.items())
    if rep.permutation_entropy is not None:
        rows["permutation entropy (order 5, normalized)"] = f"{rep.permutation_entropy:.4f}"
    if rep.zero_one is not None:
        rows["0-1 test K"] = zero_one_line(rep)
    if rep.surrogate is not None:
        sg = rep.surrogate
        rows["surrogate test (prediction error, IAAFT)"] = (
            f"p = {sg.p_value:.3g} ({'nonlinear' if sg.rejected else 'linear not rejected'})"
        )
    return rows


def verdict_label(rep: Any) -> str:
    """`` (chaotic)``: the verdict's class, when the verdict's words do not begin with it.

    Parameters
    ----------
    rep : dynstab.timeseries.report.SeriesReport
        The report (``verdict``, ``verdict_class``).

    Returns
    -------
    str
        The class in brackets with a leading space, or an empty string.
    """
    cls = rep.verdict_class
    if not cls or (rep.verdict or "").lower().startswith(cls.lower()):
        return ""
    return f" ({cls})"


def html_page(title: str, body: str, css: str = _CSS, script: str = "") -> str:
    """A self-contained page: no external file, no CDN (styles and script inline), readable on a phone.

    Parameters
    ----------
    title : str
        The page's title.
    body : str
        The HTML of its ``<main>``.
    css : str
        The style sheet (default: the analysis reports').
    script : str
        JavaScript run at the end of the body (none by default).

    Returns
    -------
    str
        The whole document.
    """
    tail = f"<script>{script}</script>" if script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{css}</style></head>"
        f"<body><main>{body}</main>"
        f'<footer class="muted"><p>Made by dynstab.</p></footer>{tail}</body></html>\n'
    )


def _page(title: str, body: str) -> str:
    return html_page(title, body)


# --- the two reports ----------------------------------------------------------------------------
def system_report_html(report: Any, *, settings: Mapping[str, Any] | None = None, figures: bool = True) -> str:
    """The HTML page of a system report (`dynstab.report.analyze`).

    Sections, as in the terminal: the system and its parameters, the fixed points in the search
    box (state, eigenvalues or multipliers, type), the Lyapunov spectrum with its spread over the
    initial conditions, the sum of exponents against the mean divergence, the Kaplan-Yorke
    dimension, the Lyapunov time and the verdict, and the measures of the run's convergence where
    the report has them; then the figures, skipped steps, timings, settings, versions and every
    result as JSON.

    Parameters
    ----------
    report : dynstab.report.Report
        The report.
    settings : mapping, optional
        The run's settings (e.g. the command's options) shown in the page.
    figures : bool, default True
        Draw the figures (`dynstab.plotting.report_figures`) into the page.

    Returns
    -------
    str
        The complete page.
    """
    s = report.system
    data = report.to_dict()
    ps = ", ".join(f"{k} = {_num(v)}" for k, v in s.param_values().items())
    parts = [f"<h1>{_e(s.name)}</h1>", f"<p>{_e(s.kind)}, dimension {s.dim}; {_e(ps)}</p>"]
    if s.reference:
        parts.append(f'<p class="muted">{_e(s.reference)}</p>')
    if report.verdict:
        parts.append(f'<p class="verdict">Verdict: <b>{_e(report.verdict)}</b></p>')
    if report.fixed_points is not None:
        fp = report.fixed_points
        one = len(fp) == 1
        kind = (
            ("equilibrium" if one else "equilibria") if s.kind == "flow" else ("fixed point" if one else "fixed points")
        )
        box = ", ".join(f"[{_num(lo, 3)}, {_num(hi, 3)}]" for lo, hi in (report.box or []))
        parts.append(f"<h2>{len(fp)} {kind}</h2><p class='muted'>searched in the box {_e(box)}</p>")
        rows = [[", ".join(_num(v) for v in p.x), ", ".join(_complex(z) for z in p.eigenvalues), p.type] for p in fp]
        reason = getattr(fp, "reason", None) if len(fp) == 0 else None
        parts.append(_table(rows, ["x", "eigenvalues" if s.kind == "flow" else "multipliers", "type"], reason))
    if report.spectrum is not None:
        sp = report.spectrum
        unit = "per iteration" if s.kind == "map" else "per time unit"
        parts.append(
            f"<h2>Lyapunov spectrum</h2><p class='muted'>{unit}; {sp.settings['n_ics']} initial conditions</p>"
        )
        rows = [
            [str(i), f"{lam:.5f}", "-" if math.isnan(sd) else f"{sd:.2g}"]
            for i, (lam, sd) in enumerate(zip(sp.exponents, sp.std), start=1)
        ]
        parts.append(_table(rows, ["i", "λ_i", "spread (std)"], numeric=True))
        what = {"flow": "<tr J> (mean divergence)", "map": "<ln|det J|>"}.get(s.kind, "mean divergence")
        lt = sp.lyapunov_time
        summary = {
            "sum of exponents": f"{sp.exponents.sum():.5f}",
            what: f"{sp.divergence:.5f}"
            if math.isfinite(sp.divergence)
            else "not defined (delay equation: leading exponents only)",
            "Kaplan-Yorke dimension": f"{sp.kaplan_yorke_dimension:.4f}",
            "Lyapunov time": "inf (not chaotic)" if math.isinf(lt) else f"{lt:.4g}",
            "convergence": convergence_line(getattr(report, "convergence", None)) or "-",
            "verdict": report.verdict or "-",
        }
        parts.append(_pairs(summary))
    convergence = getattr(report, "convergence", None)
    if convergence:
        parts.append("<h2>Convergence of the run</h2>" + _pairs({k: _compact(v) for k, v in convergence.items()}))
    if figures:
        from .plotting import report_figures

        parts.append(_figures(report_figures(report)))
    run_settings = dict(settings or {})
    if report.spectrum is not None:
        run_settings |= {f"lyapunov {k}": v for k, v in report.spectrum.settings.items() if _scalar(v)}
    parts.append(_tail(report, run_settings, data))
    return _page(f"dynstab report: {s.name}", "".join(parts))


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, bool | int | float | str)


def _compact(v: Any) -> str:
    """A number to 4 digits, a word, or a (nested) list of them: ``[[0.9024, 0.0008643], [0.9049, ...]]``."""
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_compact(x) for x in v) + "]"
    return _num(v, 4) if _scalar(v) else json.dumps(v, default=str)


def series_report_html(
    rep: Any, *, note: str | None = None, settings: Mapping[str, Any] | None = None, figures: bool = True
) -> str:
    """The HTML page of a measured-series report (`dynstab.timeseries.analyze_series`).

    Sections, as in the terminal: the series (samples, dt and the loader's note, e.g. that no
    time column was found and dt = 1 sample is assumed), the verdict and the report's notes, the
    stationarity test, the embedding, the largest Lyapunov
    exponent with its interval and the Lyapunov time, the correlation dimension, RQA, permutation
    entropy, the 0-1 test, the surrogate test and the verdict; then the figure, skipped steps,
    timings, settings, versions and every result as JSON.

    Parameters
    ----------
    rep : dynstab.timeseries.report.SeriesReport
        The report.
    note : str, optional
        What the reader must know about the data (the loader's ``note``); shown highlighted.
    settings : mapping, optional
        The run's settings shown in the page.
    figures : bool, default True
        Draw the four-panel figure (`dynstab.plotting.series_figures`) into the page.

    Returns
    -------
    str
        The complete page.
    """
    data = rep.to_dict()
    if note:
        data["note"] = note
    per = "per sample" if note else "per time unit"
    parts = [f"<h1>{_e(rep.name)}</h1>", f"<p>{rep.x.size} samples, dt = {rep.dt:g}</p>"]
    if note:
        parts.append(f'<p class="note">{_e(note)}</p>')
    if rep.verdict:
        parts.append(f'<p class="verdict">Verdict{_e(verdict_label(rep))}: <b>{_e(rep.verdict)}</b></p>')
    notes = list(getattr(rep, "notes", None) or [])
    if notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    rows = series_rows(rep, per)
    if rows:
        parts.append("<h2>Measures</h2>" + _pairs(rows))
    if figures:
        from .plotting import series_figures

        parts.append(_figures(series_figures(rep, "samples" if note else "time units")))
    parts.append(_tail(rep, settings, data))
    return _page(f"dynstab report: {rep.name}", "".join(parts))


def write_html(page: str, folder: str | Path, stem: str) -> Path:
    """Write ``page`` as ``<folder>/<stem>.html`` (UTF-8; the folder is created if needed).

    Parameters
    ----------
    page : str
        The HTML text.
    folder : str or pathlib.Path
        Output folder.
    stem : str
        File name without the suffix (made safe with `dynstab.plotting.safe_name`).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    from .plotting import safe_name

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{safe_name(stem, 'report')}.html"
    path.write_text(page, encoding="utf-8")
    return path
