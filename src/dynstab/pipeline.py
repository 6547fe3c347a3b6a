"""Report pipelines: running named steps that can be interrupted, and the common tail of the JSON
summaries (shared by the system report, `dynstab.report`, and the measured-data report,
`dynstab.timeseries.report`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any


def run_steps(
    report: Any,
    steps: Sequence[tuple[str, Callable[[], None]]],
    on_step: Callable[[str], None] | None = None,
    skip_on: tuple[type[BaseException], ...] = (),
    must_run: Sequence[str] = (),
) -> None:
    """Run ``steps`` in order, timing each into ``report.timings``.

    An exception of a ``skip_on`` type in a step not in ``must_run`` records the step in
    ``report.skipped`` with its message and the run goes on; Ctrl-C sets ``report.interrupted``
    and keeps what finished.

    Parameters
    ----------
    report : object
        A report with ``timings`` (dict), ``skipped`` (dict) and ``interrupted`` (bool) attributes.
    steps : sequence of (str, callable)
        Named steps; each callable takes no argument and stores its result in ``report``.
    on_step : callable, optional
        Called with a step's name before it runs.
    skip_on : tuple of exception types, default ()
        Exceptions that skip a step instead of stopping the run.
    must_run : sequence of str, default ()
        Steps whose exceptions propagate even when of a ``skip_on`` type.

    Raises
    ------
    Exception
        Any exception of a step that is not skipped (KeyboardInterrupt excepted).
    """
    try:
        for name, run in steps:
            if on_step:
                on_step(name)
            start = time.perf_counter()
            try:
                run()
            except skip_on as exc:
                if name in must_run:
                    raise
                report.skipped[name] = str(exc).split("\n")[0]
            report.timings[name] = time.perf_counter() - start
    except KeyboardInterrupt:
        report.interrupted = True


def summary_tail(report: Any, out: dict[str, Any]) -> dict[str, Any]:
    """Add verdict, skipped steps, timings, figures and the interrupted flag to a JSON summary.

    Parameters
    ----------
    report : object
        A report with ``verdict``, ``skipped``, ``timings``, ``figures`` and ``interrupted``.
    out : dict
        The summary, updated in place.

    Returns
    -------
    dict
        ``out``, with the keys ``"verdict"``, ``"skipped"``, ``"figures"`` and ``"interrupted"``
        where set, and ``"timings_s"`` (seconds, rounded to 4 decimals).
    """
    if report.verdict is not None:
        out["verdict"] = report.verdict
    if report.skipped:
        out["skipped"] = report.skipped
    out["timings_s"] = {k: round(v, 4) for k, v in report.timings.items()}
    if report.figures:
        out["figures"] = report.figures
    if report.interrupted:
        out["interrupted"] = True
    return out
