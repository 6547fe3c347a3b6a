"""The report for measured data (`dynstab analyze data.csv --column x`).

One scalar series in; out: the embedding chosen, the largest Lyapunov exponent with a confidence
interval, the correlation dimension, an RQA summary, permutation entropy, the 0-1 test, a
surrogate test for nonlinear determinism, the predictability horizon and a verdict in plain
words. Steps run one after another; a step whose measure does not apply (noise has no scaling
region) is recorded in ``skipped`` with the reason, and Ctrl-C keeps the finished steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..pipeline import run_steps, summary_tail
from ..validation import as_int, as_series, as_step
from .dimension import CorrelationDimension, correlation_dimension
from .embedding import choose_embedding
from .entropy import permutation_entropy
from .lyapunov import LyapunovEstimate, lyapunov_from_data
from .surrogates import SurrogateTestResult, nonlinear_prediction_error, surrogate_test

__all__ = ["SeriesReport", "analyze_series", "MIN_REPORT_LENGTH"]

#: fewest samples the report accepts: below this the dimension and exponent are not estimable
MIN_REPORT_LENGTH = 500


@dataclass
class SeriesReport:
    """Everything `analyze_series` measured on one series, and what it skipped.

    Parameters
    ----------
    name : str
        Name of the series.
    x : numpy.ndarray
        The samples.
    dt : float
        Sampling interval.
    dim, tau : int or None
        Embedding dimension and delay.
    embedding_rule : str or None
        Which rule chose them.
    lyapunov : LyapunovEstimate or None
        Largest Lyapunov exponent.
    dimension : CorrelationDimension or None
        Correlation dimension.
    rqa : RQA or None
        Recurrence quantification.
    permutation_entropy : float or None
        Normalized permutation entropy (order 5).
    zero_one : float or None
        K of the 0-1 test.
    prediction_error : float or None
        Nonlinear prediction error.
    surrogate : SurrogateTestResult or None
        Surrogate test of nonlinear determinism.
    verdict : str or None
        Plain-words conclusion.
    skipped : dict of str to str
        Steps that did not run, with the reason.
    timings : dict of str to float
        Seconds per step.
    interrupted : bool
        Whether the run was interrupted.
    figures : list of str
        Paths of the figures written.
    """

    name: str
    x: np.ndarray = field(repr=False)
    dt: float
    dim: int | None = None
    tau: int | None = None
    embedding_rule: str | None = None
    lyapunov: LyapunovEstimate | None = None
    dimension: CorrelationDimension | None = None
    rqa: Any = None
    permutation_entropy: float | None = None
    zero_one: Any = None
    prediction_error: float | None = None
    surrogate: SurrogateTestResult | None = None
    verdict: str | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    interrupted: bool = False
    figures: list[str] = field(default_factory=list)

    @property
    def lyapunov_time(self) -> float | None:
        """Predictability horizon 1/lambda_1 (time units) when the exponent is positive."""
        lam = None if self.lyapunov is None else self.lyapunov.exponent
        return 1.0 / lam if lam is not None and math.isfinite(lam) and lam > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready values (NaN and inf become None).

        Returns
        -------
        dict
            The measures by name.
        """

        def num(v):
            return None if v is None or not math.isfinite(v) else float(v)

        out: dict[str, Any] = {"series": self.name, "n": int(self.x.size), "dt": self.dt}
        if self.dim is not None:
            out["embedding"] = {"dim": self.dim, "tau": self.tau, "rule": self.embedding_rule}
        if self.lyapunov is not None:
            ly = self.lyapunov
            out["lyapunov_exponent"] = {
                "value": num(ly.exponent),
                "ci": [num(c) for c in ly.ci],
                "confidence": ly.confidence,
                "scaling_found": bool(ly.scaling_found),
                "fit_range_steps": None if ly.fit_range is None else list(ly.fit_range),
            }
            out["lyapunov_time"] = num(self.lyapunov_time)
        if self.dimension is not None:
            out["correlation_dimension"] = {
                "value": num(self.dimension.dimension),
                "uncertainty": num(self.dimension.uncertainty),
                "region": [num(r) for r in self.dimension.region],
            }
        if self.rqa is not None:
            out["rqa"] = {k: num(v) for k, v in self.rqa.items()}
        if self.permutation_entropy is not None:
            out["permutation_entropy"] = {"order": 5, "normalized": num(self.permutation_entropy)}
        if self.zero_one is not None:
            out["zero_one_test_K"] = num(self.zero_one)
        if self.surrogate is not None:
            s = self.surrogate
            out["surrogate_test"] = {
                "statistic": "nonlinear prediction error",
                "kind": s.kind,
                "n": s.n,
                "value": num(s.statistic),
                "p_value": s.p_value,
                "rejected": bool(s.rejected),
            }
        return summary_tail(self, out)


def _check(x) -> np.ndarray:
    a = as_series(x, name="the series", allow_constant=False)
    if a.size < MIN_REPORT_LENGTH:
        raise ValueError(
            f"the series has {a.size} samples; the report needs at least {MIN_REPORT_LENGTH} "
            "(exponents and dimensions need long records)"
        )
    return a


def analyze_series(
    x,
    dt: float = 1.0,
    *,
    name: str = "series",
    dim: int | None = None,
    tau: int | None = None,
    seed: int = 0,
    n_surrogates: int = 39,
    max_points: int = 20_000,
    on_step: Callable[[str], None] | None = None,
) -> SeriesReport:
    """Diagnose one measured scalar series sampled every ``dt`` (see the module docstring).

    ``max_points`` caps the samples that the neighbour-based measures use (the first ones);
    ``n_surrogates`` IAAFT surrogates test nonlinear determinism (p >= 1/(n+1)).

    Parameters
    ----------
    x : array_like, shape (N,)
        Scalar series, finite, not constant, N >= 500.
    dt : float, default 1.0
        Sampling interval, > 0.
    name : str, default "series"
        Name used in the report.
    dim : int, optional
        Embedding dimension (default: chosen by `choose_embedding`).
    tau : int, optional
        Delay in samples (default: chosen by `choose_embedding`).
    seed : int, default 0
        Seed of the random steps.
    n_surrogates : int, default 39
        IAAFT surrogates for the test of nonlinear determinism.
    max_points : int, default 20000
        Samples used by the neighbour-based measures.
    on_step : callable, optional
        Called with each step's name before it runs.

    Returns
    -------
    SeriesReport
        The measures, the skipped steps and the verdict.

    References
    ----------
    Kantz & Schreiber, *Nonlinear Time Series Analysis*, 2nd ed. (2004).
    """
    a = _check(x)
    dt = as_step(dt)
    max_points = as_int(max_points, name="max_points", minimum=1)
    n_surrogates = as_int(n_surrogates, name="n_surrogates", minimum=1)
    rep = SeriesReport(name=name, x=a, dt=dt)
    head = a[:max_points]
    steps: list[tuple[str, Callable[[], None]]] = [
        ("embedding", lambda: _embedding(rep, head, dim, tau)),
        ("Lyapunov exponent", lambda: _lyapunov(rep, head)),
        ("correlation dimension", lambda: _dimension(rep, head, seed)),
        ("recurrence analysis", lambda: _rqa(rep, head)),
        ("permutation entropy", lambda: setattr(rep, "permutation_entropy", permutation_entropy(a, order=5))),
        ("0-1 test", lambda: _zero_one(rep, seed)),
        ("surrogate test", lambda: _surrogate(rep, head, n_surrogates, seed)),
    ]
    run_steps(rep, steps, on_step, skip_on=(ValueError,), must_run=("embedding",))
    rep.verdict = verdict(rep)
    return rep


def _embedding(rep: SeriesReport, x, dim, tau) -> None:
    try:
        rep.dim, rep.tau, rep.embedding_rule = choose_embedding(x, dim, tau)
    except ValueError as exc:
        if dim is not None or "could not choose dim" not in str(exc):
            raise
        # no dimension unfolds the data (typical of noise): go on with a small default, say so
        _, rep.tau, rule = choose_embedding(x, 3, tau)
        rep.dim = 3
        rep.embedding_rule = rule.replace(
            "dim given", "dim=3 by default: false nearest neighbours never fell below 1% up to dim 10 (noise-like data)"
        )


def _lyapunov(rep: SeriesReport, x) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = lyapunov_from_data(x, rep.dt, dim=rep.dim, tau=rep.tau)
    rep.lyapunov = est
    if not est.scaling_found:
        rep.skipped["Lyapunov exponent"] = (
            "no linear scaling region in the divergence curve (no exponential divergence)"
        )


def _embedding_of(rep: SeriesReport) -> tuple[int, int]:
    """(dim, tau) chosen by the embedding step, which runs first and must succeed."""
    if rep.dim is None or rep.tau is None:
        raise RuntimeError("the embedding step has not run")
    return rep.dim, rep.tau


def _dimension(rep: SeriesReport, x, seed: int) -> None:
    dim, tau = _embedding_of(rep)
    m = max(dim, 2)
    d2 = correlation_dimension(x, dim=m, tau=tau, seed=seed, max_points=10_000)
    # a finite dimension saturates: embedding in two more dimensions must not raise it much
    # (noise fills every embedding space; Grassberger & Procaccia 1983, Kantz & Schreiber sec. 6.3)
    higher = correlation_dimension(x, dim=m + 2, tau=tau, seed=seed, max_points=5_000)
    if higher.dimension > d2.dimension + 0.5:
        raise ValueError(
            f"no finite dimension: D2 does not saturate ({d2.dimension:.2f} at m = {m}, "
            f"{higher.dimension:.2f} at m = {m + 2}), as for noise"
        )
    rep.dimension = d2


def _rqa(rep: SeriesReport, x) -> None:
    from .rqa import rqa

    dim, tau = _embedding_of(rep)
    res = rqa(x[:5000], recurrence_rate=0.05, dim=dim, tau=tau, theiler=dim * tau).to_dict()
    rep.rqa = {k: res[k] for k in ("RR", "DET", "L", "LAM", "TT", "ENTR", "RTE")}


def _zero_one(rep: SeriesReport, seed: int) -> None:
    from .zero_one import zero_one_test

    rep.zero_one = float(zero_one_test(rep.x, seed=seed).K)


def _surrogate(rep: SeriesReport, x, n: int, seed: int) -> None:
    x = x[:5000]
    dim, tau = _embedding_of(rep)

    def stat(s):
        return nonlinear_prediction_error(s, dim, tau)

    rep.prediction_error = stat(x)
    rep.surrogate = surrogate_test(x, stat, n=n, kind="iaaft", seed=seed, tail="less")


def verdict(rep: SeriesReport) -> str:
    """Plain-words conclusion from the measures that finished.

    The rules, in order: regular when the 0-1 test gives K < 0.2 and the series predicts
    itself (prediction error < 0.2, or not measured); linearly correlated noise when the IAAFT
    surrogate test does not reject; chaotic when the Lyapunov exponent and the lower end of
    its confidence interval are positive; otherwise inconclusive. A finite correlation
    dimension adds the number of variables a model needs (floor(D2) + 1).

    Parameters
    ----------
    rep : SeriesReport
        A report filled by `analyze_series`.

    Returns
    -------
    str
        The conclusion.
    """
    k = rep.zero_one
    est = rep.lyapunov
    lam = est.exponent if est is not None else float("nan")
    lo = est.ci[0] if est is not None else float("nan")
    pe = rep.prediction_error
    sur = rep.surrogate
    d2 = rep.dimension.dimension if rep.dimension is not None else float("nan")
    parts = []
    if k is not None and k < 0.2 and (pe is None or pe < 0.2):
        parts.append(f"Regular (periodic or quasi-periodic): the 0-1 test gives K = {k:.2f} (0 for regular motion)")
        if pe is not None:
            parts.append(f"the series predicts itself well (normalized prediction error {pe:.3f})")
    elif sur is not None and not sur.rejected:
        parts.append(
            f"No evidence of nonlinear determinism: the series is consistent with linearly correlated noise "
            f"(IAAFT surrogate test p = {sur.p_value:.2f})"
        )
        parts.append("its exponent and dimension estimates are not meaningful")
    elif est is not None and math.isfinite(lam) and lam > 0 and math.isfinite(lo) and lo > 0:
        parts.append(
            f"Chaotic: largest Lyapunov exponent {lam:.3g} per time unit "
            f"({est.confidence:.0%} CI {lo:.3g}..{est.ci[1]:.3g})"
        )
        parts.append(f"forecasts lose a factor e of accuracy every {1 / lam:.3g} time units (the Lyapunov time)")
        if sur is not None:
            parts.append(f"nonlinear determinism confirmed by surrogates (p = {sur.p_value:.2f})")
        if k is not None:
            parts.append(f"0-1 test K = {k:.2f}")
    else:
        parts.append("Inconclusive: no clear positive exponent")
        if k is not None:
            parts.append(f"0-1 test K = {k:.2f}")
    if math.isfinite(d2):
        parts.append(f"correlation dimension {d2:.2f}, so a model needs at least {math.floor(d2) + 1} variables")
    return "; ".join(parts) + "."
