"""The benchmark's HTML report: one self-contained page (``dynstab bench report --html DIR``).

The page holds the leaderboard (`dynstab.bench.leaderboard.leaderboard`) as a table that sorts
on a click of any column header (a few lines of inline JavaScript; Enter or Space on a focused
header too), the figures inline as base64 PNG (`dynstab.html_report.figure_data_uri`): VPT
against the system's lambda_1 per model, the distribution of each model's rank over systems
for each metric, and forecast-against-truth panels for a few systems; then the failed tasks
with their reasons, the settings of the run and the versions (`dynstab.html_report.versions`).
It loads nothing from elsewhere (no server, no CDN, no font or script from a URL) and its
layout is one column with tables that scroll sideways, so it reads on a phone.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..html_report import figures_html, html_page, versions, write_html
from ..text import count
from .leaderboard import DEFAULT_METRICS, direction, leaderboard, per_system, results_frame, system_ranks

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["report_html", "write_report", "METRIC_TEXT"]

METRIC_TEXT = {
    "vpt": "valid prediction time: first time the normalized error exceeds its threshold, in Lyapunov times",
    "vpt_smape": "valid prediction time by the cumulative sMAPE > 30 rule (PhyxMamba, Zhang & Gilpin), in Lyapunov times",
    "smape": "symmetric mean absolute percentage error over the horizon, 0 to 200",
    "smape@": "sMAPE over the first k Lyapunov times, 0 to 200",
    "mse": "mean squared error",
    "mae": "mean absolute error",
    "nrmse": "root mean squared error over the standard deviation of the truth",
    "d_stsp": "state-space divergence of a long free run from the true attractor (KL)",
    "d_h": "Hellinger distance of the power spectra of a long free run and the truth, 0 to 1",
    "corr_dim_error": "error of the correlation dimension of a long free run",
}

_CSS = """
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 64rem; padding: 1rem; font: 16px/1.5 system-ui, -apple-system,
       "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1f24; background: #fff; }
h1 { font-size: 1.5rem; margin: 0.2rem 0 0.4rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 0.5rem; border-bottom: 1px solid #d0d7de; }
p, li { overflow-wrap: anywhere; }
.muted, figcaption { color: #57606a; font-size: 0.9rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; margin: 0.4rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; white-space: nowrap; }
table.sortable th::after { content: " \\2195"; color: #8c959f; }
table.sortable th[aria-sort="ascending"]::after { content: " \\2191"; color: #0b5cad; }
table.sortable th[aria-sort="descending"]::after { content: " \\2193"; color: #0b5cad; }
table.sortable td:first-child, table.sortable th:first-child { position: sticky; left: 0; background: #fff; }
table.sortable th:first-child { background: #f6f8fa; }
figure { margin: 1rem 0; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #d0d7de; }
@media (max-width: 600px) { body { padding: 0.6rem; font-size: 15px; } h1 { font-size: 1.25rem; }
  th, td { padding: 0.25rem 0.35rem; } }
"""

# Sorts the rows of every table.sortable on a click (or Enter/Space) on a header: numbers by their
# data-sort value (NaN last either way), text otherwise; a second click reverses the order.
_SCRIPT = """
(function () {
  function key(cell) {
    var v = cell.getAttribute('data-sort');
    if (v === null) { return cell.textContent.trim().toLowerCase(); }
    return v === 'inf' ? Infinity : v === '-inf' ? -Infinity : parseFloat(v);
  }
  function sortBy(table, th, col) {
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      var xn = typeof x === 'number' && isNaN(x), yn = typeof y === 'number' && isNaN(y);
      if (xn || yn) { return xn === yn ? 0 : (xn ? 1 : -1); }
      var c = x === y ? 0 : (x < y ? -1 : 1);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(table, th, col); });
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th, col); }
      });
    });
  });
})();
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "-"
    v = float(v)
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        return "\u221e" if v > 0 else "-\u221e"
    return f"{v:.{digits}g}"


def _sort_value(v: Any) -> str:
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def _cell(v: Any, text: str | None = None) -> str:
    return f'<td class="num" data-sort="{_sort_value(v)}">{_e(_fmt(v) if text is None else text)}</td>'


def _metric_text(metric: str) -> str:
    label, _, base = metric.rpartition(".")
    key = "smape@" if base.startswith("smape@") else base
    text = METRIC_TEXT.get(key, base)
    return f"{text} (horizon {label})" if label else text


def _board_table(board: pd.DataFrame, metrics: Sequence[str], ci: float) -> str:
    head = ["#", "model", "systems", "ok", "failed"]
    titles = ["position (sorted by the mean rank of the first metric)", "", "", "tasks", "tasks (scored as the worst)"]
    for m in metrics:
        better = "higher" if direction(m)[0] else "lower"
        head += [f"{m} median", f"{m} IQR", f"{m} {ci:.0%} CI", f"{m} rank"]
        titles += [
            f"{_metric_text(m)}; median over systems ({better} is better)",
            "interquartile range over systems",
            "percentile bootstrap interval of the median over systems (sorted by its lower end)",
            "mean rank over systems (1 the best)",
        ]
    timed = [c for c in ("train_seconds", "inference_seconds") if c in board.columns]
    head += [c.replace("_seconds", " s") for c in timed]
    titles += [f"median {c.replace('_', ' ')} per task" for c in timed]
    ths = "".join(f'<th scope="col" title="{_e(t)}">{_e(h)}</th>' for h, t in zip(head, titles, strict=True))
    rows = []
    for pos, (model, r) in enumerate(board.iterrows(), start=1):
        cells = [
            _cell(pos, str(pos)),
            f"<td>{_e(model)}</td>",
            _cell(r["n_systems"], str(int(r["n_systems"]))),
            _cell(r["n_ok"], str(int(r["n_ok"]))),
            _cell(r["n_failed"], str(int(r["n_failed"]))),
        ]
        for m in metrics:
            lo, hi = r[f"{m}_ci_low"], r[f"{m}_ci_high"]
            cells += [
                _cell(r[f"{m}_median"]),
                _cell(r[f"{m}_iqr"]),
                _cell(lo, f"{_fmt(lo)} \u2013 {_fmt(hi)}"),
                _cell(r[f"{m}_rank"], f"{float(r[f'{m}_rank']):.2f}"),
            ]
        cells += [_cell(r[c]) for c in timed]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = (
        "Click a column header to sort by it (again to reverse). Per model: the median over systems of the "
        "per-system median over trajectories; a failed task counts as the worst value (VPT 0, sMAPE 200)."
    )
    return (
        '<div class="scroll"><table class="sortable" id="leaderboard">'
        f"<thead><tr>{ths}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        f'<p class="muted">{_e(caption)}</p>'
    )


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    ths = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table></div>'


# --- figures ------------------------------------------------------------------------------------
def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _markers(n: int) -> list[tuple[Any, str]]:
    import matplotlib as mpl

    cmap = mpl.colormaps["tab10" if n <= 10 else "tab20"]
    shapes = "osD^v<>ph*"
    return [(cmap(i % cmap.N), shapes[i % len(shapes)]) for i in range(n)]


def _vpt_figure(frame: pd.DataFrame, vpt: str, models: Sequence[str]) -> Figure | None:
    """Per-system median VPT against the system's lambda_1, one marker per model."""
    if "lambda1_ref" not in frame.columns:
        return None
    lam = frame.groupby("system")["lambda1_ref"].median().dropna()
    lam = lam[lam > 0]
    if lam.empty:
        return None
    values = per_system(frame, [vpt])[vpt]
    fig = _new_figure(7.0, 4.8)
    ax = fig.add_subplot()
    for model, (colour, shape) in zip(models, _markers(len(models)), strict=True):
        v = values.xs(model, level="model").reindex(lam.index).dropna()
        ax.scatter(lam[v.index], v, s=22, color=colour, marker=shape, alpha=0.8, label=model)
    ax.set_xscale("log")
    ax.set_xlabel("largest Lyapunov exponent \u03bb\u2081 of the system (1/time unit)")
    ax.set_ylabel(f"{vpt}, median over trajectories (Lyapunov times)")
    ax.set_title(f"Valid prediction time against \u03bb\u2081 ({count(len(lam), 'system')}; failed tasks at 0)")
    ax.legend(fontsize="small", ncols=2 if len(models) > 6 else 1, loc="best")
    return fig


def _rank_figure(per_sys: pd.DataFrame, metrics: Sequence[str], models: Sequence[str]) -> Figure:
    """Box plots of each model's per-system ranks, one panel per metric."""
    height = 0.6 + 0.28 * len(models)
    fig = _new_figure(7.0, max(2.4, height) * len(metrics))
    axes = fig.subplots(len(metrics), 1, squeeze=False)[:, 0]
    order = list(reversed(models))  # the best at the top
    for ax, m in zip(axes, metrics, strict=True):
        ranks = system_ranks(per_sys, m)
        data = [ranks[model].dropna().to_numpy() for model in order]
        ax.boxplot(data, orientation="horizontal", tick_labels=order, widths=0.6, showmeans=True)
        ax.set_xlabel(f"rank by {m} on a system (1 the best; mean marked by a triangle)")
        ax.set_xlim(0.5, len(models) + 0.5)
    fig.suptitle("Distribution of the ranks over systems")
    return fig


def _forecast_rows(source: Any, frame: pd.DataFrame, system: str, model: str) -> tuple[Any, Any] | None:
    """The first stored (forecast, truth) of an ok task of ``system`` and ``model``, or None."""
    if hasattr(source, "forecasts"):
        for row in source.forecasts(system, model):
            if row.get("status") == "ok" and row.get("forecast") is not None and row.get("truth") is not None:
                return row["forecast"], row["truth"]
        return None
    if "forecast" not in frame.columns or "truth" not in frame.columns:
        return None
    rows = frame[(frame["system"] == system) & (frame["model"] == model) & (frame["status"] == "ok")]
    if "trajectory" in rows.columns:
        rows = rows.sort_values("trajectory")
    for _, row in rows.iterrows():
        if row["forecast"] is not None and row["truth"] is not None:
            return row["forecast"], row["truth"]
    return None


def _panel_figure(source: Any, frame: pd.DataFrame, system: str, models: Sequence[str]) -> Figure | None:
    """The truth and each model's forecast of the first trajectory of ``system``, one row per variable."""
    pairs = {m: p for m in models if (p := _forecast_rows(source, frame, system, m)) is not None}
    if not pairs:
        return None
    truth = np.asarray(next(iter(pairs.values()))[1], dtype=float)
    if truth.ndim == 1:
        truth = truth[:, None]
    n_vars = min(truth.shape[1], 3)
    fig = _new_figure(7.0, 1.2 + 1.6 * n_vars)
    axes = fig.subplots(n_vars, 1, sharex=True, squeeze=False)[:, 0]
    steps = np.arange(len(truth))
    lam = frame.loc[frame["system"] == system, "lambda1_ref"].median() if "lambda1_ref" in frame.columns else None
    for i, ax in enumerate(axes):
        ax.plot(steps, truth[:, i], color="black", lw=2.0, label="truth")
        for model, (colour, _) in zip(models, _markers(len(models)), strict=True):
            if model in pairs:
                f = np.asarray(pairs[model][0], dtype=float).reshape(len(pairs[model][0]), -1)
                ax.plot(np.arange(len(f)), f[:, i], color=colour, lw=1.1, label=model)
        ax.set_ylabel(f"x{i + 1} (state units)")
    axes[-1].set_xlabel("forecast step (samples after the context)")
    axes[0].legend(fontsize="small", ncols=3, loc="upper left")
    lam_text = f", \u03bb\u2081 = {lam:.3g}" if lam is not None and np.isfinite(lam) else ""
    fig.suptitle(f"{system}{lam_text}: forecast against truth (first trajectory)")
    return fig


def _panel_systems(frame: pd.DataFrame, n: int) -> list[str]:
    """``n`` systems spread over lambda_1 (the smallest, the largest, then evenly between)."""
    systems = sorted(frame["system"].astype(str).unique())
    if "lambda1_ref" in frame.columns:
        lam = frame.groupby("system")["lambda1_ref"].median().dropna().sort_values()
        if len(lam):
            systems = list(lam.index) + [s for s in systems if s not in lam.index]
    if len(systems) <= n:
        return systems
    idx = np.unique(np.round(np.linspace(0, len(systems) - 1, n)).astype(int))
    return [systems[i] for i in idx]


# --- the page -----------------------------------------------------------------------------------
def _page(title: str, body: str) -> str:
    return html_page(title, body, css=_CSS, script=_SCRIPT)


def _unique(frame: pd.DataFrame, column: str) -> str:
    if column not in frame.columns:
        return "-"
    values = sorted(map(str, frame[column].dropna().unique()))
    return ", ".join(values) if values else "-"


def report_html(
    source: Any,
    *,
    metrics: Sequence[str] = DEFAULT_METRICS,
    systems: Sequence[str] | None = None,
    panel_models: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
) -> str:
    """The HTML text of the benchmark report (see `write_report`)."""
    from ..validation import as_int

    frame = results_frame(source)
    panel_models = as_int(panel_models, name="panel_models", minimum=1)
    board = leaderboard(frame, metrics, n_boot=n_boot, seed=seed, ci=ci)
    metrics = list(metrics)
    models = list(board.index)
    if systems is None:
        panels = _panel_systems(frame, 3)
    else:
        known = set(frame["system"].astype(str))
        unknown = [s for s in systems if s not in known]
        if unknown:
            raise ValueError(
                f"systems {', '.join(map(repr, unknown))} have no results in this store; "
                f"choose among {', '.join(sorted(known))}"
            )
        panels = list(systems)
    preset = _unique(frame, "preset")
    n_failed = int((frame["status"] != "ok").sum())
    parts = [
        f"<h1>dynstab forecasting benchmark: {_e(preset)}</h1>",
        f'<p class="muted">{_e(count(frame["system"].nunique(), "system"))}, {_e(count(len(models), "model"))}, '
        f"{_e(count(len(frame), 'task'))} ({n_failed} failed); dataset {_e(_unique(frame, 'dataset_hash'))}.</p>",
        "<h2>Leaderboard</h2>",
        _board_table(board, metrics, ci),
        "<ul>" + "".join(f"<li><b>{_e(m)}</b>: {_e(_metric_text(m))}</li>" for m in metrics) + "</ul>",
    ]
    per_sys = per_system(frame, metrics)
    figures: list[tuple[str, Figure]] = []
    vpt = next((m for m in metrics if m.rpartition(".")[2] in ("vpt", "vpt_smape")), None)
    if vpt is not None and (fig := _vpt_figure(frame, vpt, models)) is not None:
        figures.append((f"{vpt} against the largest Lyapunov exponent of each system, per model", fig))
    figures.append(("ranks over systems per model and metric", _rank_figure(per_sys, metrics, models)))
    shown = models[:panel_models]
    for system in panels:
        fig = _panel_figure(source, frame, system, shown)
        if fig is not None:
            figures.append((f"{system}: forecasts of the {count(len(shown), 'best model')} against the truth", fig))
    parts.append("<h2>Figures</h2>" + figures_html(figures))
    failed = frame[frame["status"] != "ok"]
    if len(failed):
        rows = [
            (r["model"], r["system"], r.get("trajectory", "-"), r.get("reason") or "-")
            for _, r in failed.sort_values(["model", "system"]).iterrows()
        ]
        parts.append(
            f"<h2>Failed tasks</h2><details><summary>{_e(count(len(failed), 'failed task'))} "
            "(each scored as the worst value of every metric)</summary>"
            + _table(rows, ["model", "system", "trajectory", "reason"])
            + "</details>"
        )
    settings = {
        "preset": preset,
        "dataset hash": _unique(frame, "dataset_hash"),
        "benchmark version": _unique(frame, "benchmark_version"),
        "dynstab version of the results": _unique(frame, "dynstab_version"),
        "store": str(getattr(source, "location", "-")) if hasattr(source, "frame") else "-",
        "metrics": ", ".join(metrics),
        "bootstrap": f"{n_boot} resamples of the systems, seed {seed}, {ci:.0%} percentile interval",
    }
    if "hyperparameters" in frame.columns:
        chosen = {}
        for model, block in frame[frame["status"] == "ok"].groupby("model"):
            texts = block["hyperparameters"].map(lambda h: json.dumps(h, sort_keys=True, default=str))
            chosen[model] = f"{texts.mode().iloc[0]} (most often chosen, {texts.nunique()} distinct)"
        settings.update({f"hyperparameters of {m}": v for m, v in chosen.items()})
    parts.append("<h2>Settings</h2>" + _table(list(settings.items()), ["setting", "value"]))
    parts.append("<h2>Versions</h2>" + _table(list(versions().items()), ["package", "version"]))
    return _page(f"dynstab benchmark: {preset}", "".join(parts))


def write_report(
    store: Any,
    directory: str | Path,
    *,
    metrics: Sequence[str] = DEFAULT_METRICS,
    systems: Sequence[str] | None = None,
    panel_models: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
) -> Path:
    """Write the benchmark's self-contained HTML report into ``directory``.

    The page (``<directory>/benchmark_<preset>.html``) holds the leaderboard as a sortable table,
    the figures inline (VPT against lambda_1 per model; the distribution of the ranks over
    systems; forecast-against-truth panels), the failed tasks with their reasons, the settings
    and the versions. It needs no server and loads nothing from elsewhere.

    Parameters
    ----------
    store : ResultStore or pandas.DataFrame
        The results: a `dynstab.bench.store.ResultStore` (its frame, and its forecasts for the
        panels) or its frame (with ``forecast`` and ``truth`` columns for the panels).
    directory : str or pathlib.Path
        Output folder (created if needed).
    metrics : sequence of str, default ("vpt", "smape@1", "d_stsp")
        Leaderboard metrics (`dynstab.bench.leaderboard.leaderboard`).
    systems : sequence of str, optional
        Systems of the forecast panels; default three spread over lambda_1 (the smallest, the
        median and the largest).
    panel_models : int, default 5
        How many of the best models the panels draw.
    n_boot, seed, ci
        The bootstrap of the leaderboard's confidence intervals.

    Returns
    -------
    pathlib.Path
        The HTML file written.
    """
    page = report_html(
        store, metrics=metrics, systems=systems, panel_models=panel_models, n_boot=n_boot, seed=seed, ci=ci
    )
    preset = _unique(results_frame(store), "preset")
    return write_html(page, directory, f"benchmark_{preset}")
