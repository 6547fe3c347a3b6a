"""The report for measured data (`dynstab analyze data.csv --column x`).

One scalar series in; out: a stationarity check, the embedding chosen (and whether false
nearest neighbours converged), the spectrum's concentration in lines and the record length in
mean periods, the largest Lyapunov exponent with an interval that includes the estimator's
systematic error, the correlation dimension, an RQA summary, permutation entropy, the 0-1 test
(with a check that it discriminates), a surrogate test for nonlinear determinism, the
predictability horizon and a verdict in plain words that follows the decision table of
`verdict`. Steps run one after another; a step whose measure does not apply (noise has no
scaling region) is recorded in ``skipped`` with the reason, and Ctrl-C keeps the finished steps
(the verdict then says which steps are missing instead of guessing).
"""

from __future__ import annotations

import math
import warnings
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
from .stationarity import StationarityResult, stationarity_test
from .surrogates import SurrogateTestResult, nonlinear_prediction_error, surrogate_test
from .zero_one import ZeroOneResult

__all__ = ["SeriesReport", "analyze_series", "verdict", "MIN_REPORT_LENGTH", "STEPS"]

#: fewest samples the report accepts: below this the dimension and exponent are not estimable
MIN_REPORT_LENGTH = 500

#: the steps of `analyze_series`, in order
STEPS = (
    "stationarity",
    "embedding",
    "spectrum",
    "Lyapunov exponent",
    "correlation dimension",
    "recurrence analysis",
    "permutation entropy",
    "0-1 test",
    "surrogate test",
)

#: a chaotic flow has an attractor of dimension above 2 (Poincare-Bendixson); D2 below this
#: contradicts "chaotic flow". 2 minus the downward bias of Grassberger-Procaccia on thin
#: attractors at practical lengths (the Rossler attractor, Kaplan-Yorke 2.01, measures 1.80 in
#: the catalog's invariants).
MIN_FLOW_CHAOS_DIMENSION = 1.8
#: fraction of the spectral power in the largest lines above which the spectrum is "a few lines"
LINE_SPECTRUM = 0.9
#: fraction above which the signal is pseudo-periodic and Fourier surrogates have little power
PSEUDO_PERIODIC = 0.5
#: normalized one-step prediction error below which the series "predicts itself well"
GOOD_PREDICTION = 0.3
#: fewest mean periods (oversampled series) a record must span for any dynamical verdict
MIN_PERIODS = 10.0
#: rise of <ln d(k)> (an e-fold growth) below which neighbours do not diverge at all
MIN_DIVERGENCE = 1.0


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
    stationarity : StationarityResult or None
        ADF, KPSS and the drift between halves.
    embedding_converged : bool or None
        Whether false nearest neighbours fell below 1 % (False: the dimension is a fallback or a
        plateau, said in ``notes``).
    zero_one_result : ZeroOneResult or None
        The full 0-1 test, with the K of its IAAFT surrogates.
    line_fraction : float or None
        Fraction of the spectral power in the ten largest spectral lines.
    mean_period : float or None
        Mean period (time units) from the mean crossings of an oversampled series.
    verdict_class : str or None
        "chaotic", "regular", "linear noise", "non-stationary" or "inconclusive".
    notes : list of str
        Warnings about the measures (non-converged embedding, power limits, left-out tests).
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
    stationarity: StationarityResult | None = None
    embedding_converged: bool | None = None
    zero_one_result: ZeroOneResult | None = None
    line_fraction: float | None = None
    mean_period: float | None = None
    verdict_class: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def lyapunov_time(self) -> float | None:
        """Predictability horizon 1/lambda_1 (time units) when the exponent is a valid positive estimate."""
        ly = self.lyapunov
        if ly is None or not ly.valid or not ly.exponent > 0:
            return None
        return 1.0 / ly.exponent

    @property
    def n_periods(self) -> float | None:
        """Record length in mean periods (oversampled series only)."""
        if self.mean_period is None:
            return None
        return self.x.size * self.dt / self.mean_period

    @property
    def zero_one_discriminates(self) -> bool | None:
        """Whether the 0-1 test's K differs from its IAAFT surrogates' K (None: not measured)."""
        return None if self.zero_one_result is None else self.zero_one_result.discriminates

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
        if self.stationarity is not None:
            st = self.stationarity
            out["stationarity"] = {
                "stationary": st.stationary,
                "adf_p": num(st.adf_p),
                "kpss_p": num(st.kpss_p),
                "mean_drift": num(st.mean_drift),
                "variance_ratio": num(st.variance_ratio),
                "message": st.message,
            }
        if self.dim is not None:
            out["embedding"] = {
                "dim": self.dim,
                "tau": self.tau,
                "rule": self.embedding_rule,
                "converged": self.embedding_converged,
            }
        if self.line_fraction is not None:
            out["spectrum"] = {
                "line_fraction": num(self.line_fraction),
                "mean_period": num(self.mean_period),
                "n_periods": num(self.n_periods),
            }
        if self.lyapunov is not None:
            ly = self.lyapunov
            out["lyapunov_exponent"] = {
                "value": num(ly.exponent),
                "ci": [num(c) for c in ly.ci],
                "statistical_ci": [num(c) for c in ly.stat_ci],
                "systematic_error": ly.systematic,
                "confidence": ly.confidence,
                "scaling_found": bool(ly.scaling_found),
                "consistent_across_dims": bool(ly.consistent),
                "by_dim": {str(m): num(v) for m, v in ly.dim_exponents},
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
        if self.zero_one_result is not None:
            z = self.zero_one_result
            out["zero_one_test"] = {
                "K": num(z.K),
                "subsample": z.subsample,
                "surrogate_K": [num(v) for v in z.surrogate_K],
                "discriminates": z.discriminates,
            }
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
        if self.verdict_class is not None:
            out["verdict_class"] = self.verdict_class
        if self.notes:
            out["notes"] = list(self.notes)
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
    ``n_surrogates`` IAAFT surrogates test nonlinear determinism (p >= 1/(n+1)). A series that
    `stationarity_test` calls non-stationary gets no dynamical measure at all (they all assume
    stationarity): the report says to detrend or difference it first.

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

    def dynamical(run: Callable[[], None]) -> Callable[[], None]:
        def step() -> None:
            if rep.stationarity is not None and not rep.stationarity.stationary:
                raise ValueError("not run: the series is non-stationary (detrend or difference it first)")
            run()

        return step

    runs: dict[str, Callable[[], None]] = {
        "stationarity": lambda: setattr(rep, "stationarity", stationarity_test(a)),
        "embedding": dynamical(lambda: _embedding(rep, head, dim, tau)),
        "spectrum": dynamical(lambda: _spectrum(rep, head)),
        "Lyapunov exponent": dynamical(lambda: _lyapunov(rep, head)),
        "correlation dimension": dynamical(lambda: _dimension(rep, head, seed)),
        "recurrence analysis": dynamical(lambda: _rqa(rep, head)),
        "permutation entropy": dynamical(lambda: setattr(rep, "permutation_entropy", permutation_entropy(a, order=5))),
        "0-1 test": dynamical(lambda: _zero_one(rep, head, seed)),
        "surrogate test": dynamical(lambda: _surrogate(rep, head, n_surrogates, seed)),
    }
    run_steps(rep, [(s, runs[s]) for s in STEPS], on_step, skip_on=(ValueError,))
    rep.verdict_class, rep.verdict = _decide(rep)
    return rep


def _embedding(rep: SeriesReport, x, dim, tau) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            rep.dim, rep.tau, rep.embedding_rule = choose_embedding(x, dim, tau)
            plateau = [w for w in caught if issubclass(w.category, RuntimeWarning)]
            rep.embedding_converged = dim is not None or not plateau
            if plateau:
                rep.notes.append(f"false nearest neighbours did not converge (stayed above 1%): {plateau[0].message}")
            return
        except ValueError as exc:
            if dim is not None or "could not choose dim" not in str(exc):
                raise
    # no dimension unfolds the data (typical of noise): go on with a small default, and say so
    _, rep.tau, rule = choose_embedding(x, 3, tau)
    rep.dim = 3
    rep.embedding_converged = False
    rep.embedding_rule = rule.replace("dim given", "dim=3 by default (false nearest neighbours did not converge)")
    rep.notes.append(
        "false nearest neighbours never fell below 1% up to dimension 10 (noise-like or high-dimensional "
        "data): dimension 3 is a default, not an estimate"
    )


def _spectrum(rep: SeriesReport, x: np.ndarray) -> None:
    """Fraction of the power in sharp spectral lines; mean period of an oversampled series.

    Computed on the head of the series that the neighbour-based steps use (``max_points``
    samples resolve the lines; the whole series would cost memory of a few times its size).

    Periodogram of the Hann-windowed series; for each of the ten largest local maxima the line's
    power is that in +-3 bins (a windowed line's main lobe) minus what the continuum puts there
    (7 times the median power of the 60 bins around it), so that the peaks of a broad noise
    spectrum count for nothing and a line counts fully.
    """
    y = x - x.mean()
    power = np.abs(np.fft.rfft(y * np.hanning(y.size))) ** 2
    power[0] = 0.0
    total = float(power.sum())
    peaks = np.flatnonzero((power[1:-1] >= power[:-2]) & (power[1:-1] >= power[2:])) + 1
    top = np.sort(peaks[np.argsort(power[peaks])[::-1][:10]])
    used = np.zeros(power.size, dtype=bool)
    excess = 0.0
    for p in top:
        lobe = np.arange(max(1, p - 3), min(power.size, p + 4))
        lobe = lobe[~used[lobe]]
        if lobe.size == 0:
            continue
        around = np.r_[max(1, p - 33) : max(1, p - 3), min(power.size, p + 4) : min(power.size, p + 34)]
        background = float(np.median(power[around])) if around.size else 0.0
        excess += max(0.0, float(power[lobe].sum()) - background * lobe.size)
        used[lobe] = True
    rep.line_fraction = excess / total if total > 0 else 0.0
    if rep.tau is not None and rep.tau > 1:  # oversampled: the mean period from the upward mean crossings
        up = np.count_nonzero((y[:-1] < 0) & (y[1:] >= 0))
        rep.mean_period = float(y.size * rep.dt / up) if up else float(y.size * rep.dt)


def _lyapunov(rep: SeriesReport, x) -> None:
    dim, tau = _embedding_of(rep)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = lyapunov_from_data(x, rep.dt, dim=dim, tau=tau)
    rep.lyapunov = est
    if not est.scaling_found:
        rep.skipped["Lyapunov exponent"] = (
            "no linear scaling region in the divergence curve (no exponential divergence)"
        )
    elif not est.consistent:
        rep.notes.append(
            "the exponent's slope differs between embedding dimensions ("
            + ", ".join(f"m = {m}: {v:.3g}" for m, v in est.dim_exponents)
            + "): no common scaling region, so no estimate"
        )


def _embedding_of(rep: SeriesReport) -> tuple[int, int]:
    """(dim, tau) chosen by the embedding step."""
    if rep.dim is None or rep.tau is None:
        raise ValueError("not run: the embedding step did not finish")
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


def _zero_one(rep: SeriesReport, x, seed: int) -> None:
    from .zero_one import zero_one_test

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a capped subsample; the surrogates judge K anyway
        res = zero_one_test(x, seed=seed, n_surrogates=5)
    rep.zero_one_result = res
    rep.zero_one = float(res.K)


def _surrogate(rep: SeriesReport, x, n: int, seed: int) -> None:
    x = x[:5000]
    dim, tau = _embedding_of(rep)

    def stat(s):
        return nonlinear_prediction_error(s, dim, tau)

    rep.prediction_error = stat(x)
    rep.surrogate = surrogate_test(x, stat, n=n, kind="iaaft", seed=seed, tail="less")


# ------------------------------------------------------------------------------ verdict
def _divergence_rise(est: LyapunovEstimate, scale: float) -> float:
    """Largest rise of <ln d(k)> after the initial relaxation (k >= min_start).

    Distances below 1e-9 of the series' range are round-off between exact repeats of a periodic
    signal, not dynamics: the curve is floored there.
    """
    lnd = np.maximum(np.asarray(est.lnd)[est.min_start :], math.log(1e-9 * scale))
    return float(np.max(lnd) - lnd[0]) if lnd.size else 0.0


def _decide(rep: SeriesReport) -> tuple[str, str]:
    """(class, text) of the verdict; see `verdict`."""
    missing = [s for s in STEPS if s not in rep.timings]
    st = rep.stationarity
    if st is not None and not st.stationary:
        return "non-stationary", (
            f"Non-stationary: detrend or difference it first ({'; '.join(st.reasons)}); "
            "no dynamical measure was computed, as all of them assume a stationary series."
        )
    cls, parts = _reading(rep)
    notes = list(rep.notes)
    if missing:
        done = f"; the finished steps alone would read: {parts[0]}" if parts and cls != "inconclusive" else ""
        return "inconclusive", (
            f"Inconclusive (incomplete: {', '.join(missing)} did not run; they could overturn any verdict){done}."
        )
    text = "; ".join(parts + notes) + "."
    return cls, text


def _reading(rep: SeriesReport) -> tuple[str, list[str]]:
    """The decision table on the finished measures: (class, sentences)."""
    est = rep.lyapunov
    valid = est is not None and est.valid
    lam = est.exponent if est is not None else float("nan")
    lo, hi = est.ci if est is not None else (float("nan"), float("nan"))
    positive = valid and lo > 0
    rise = _divergence_rise(est, float(np.ptp(rep.x))) if est is not None else None
    no_divergence = rise is not None and rise < MIN_DIVERGENCE and not positive
    sur = rep.surrogate
    pe = rep.prediction_error
    d2 = rep.dimension.dimension if rep.dimension is not None else None
    flow = rep.tau is not None and rep.tau > 1
    lines = rep.line_fraction
    pseudo = lines is not None and lines >= PSEUDO_PERIODIC
    k01 = rep.zero_one_result
    k_informative = k01 is not None and bool(k01.discriminates)
    n_per = rep.n_periods

    facts: list[str] = []  # the measures, in words, for every verdict
    if est is not None and est.scaling_found and est.fit_range is not None:
        facts.append(
            f"largest Lyapunov exponent {lam:.3g} per time unit ({est.confidence:.0%} interval {lo:.3g}..{hi:.3g}, "
            f"fitted over steps {est.fit_range[0]}-{est.fit_range[1]}"
            + (
                ", consistent across embedding dimensions)"
                if est.consistent
                else ", NOT consistent across embedding dimensions)"
            )
        )
    elif est is not None:
        facts.append(
            "no linear scaling region in the divergence curve ("
            + (
                "neighbours do not diverge)"
                if no_divergence
                else "neighbours diverge, but not exponentially at one rate)"
            )
        )
    if d2 is not None:
        facts.append(f"correlation dimension {d2:.2f}")
    elif "correlation dimension" in rep.skipped:
        facts.append("no finite correlation dimension")
    if sur is not None:
        if sur.rejected:
            facts.append(
                f"IAAFT surrogates reject a linear Gaussian process (p = {sur.p_value:.2f}): the series is nonlinear"
            )
        else:
            facts.append(f"IAAFT surrogates do not reject a linear Gaussian process (p = {sur.p_value:.2f})")
        if pseudo:
            facts.append(
                f"the signal is (pseudo-)periodic ({lines:.0%} of the power in spectral lines): Fourier-based "
                "surrogates have little power there and end-point mismatch can make them reject falsely "
                "(Schreiber & Schmitz 2000; Small et al. 2001), so this test carries little weight"
            )
    if k01 is not None:
        sk = float(np.median(k01.surrogate_K)) if k01.surrogate_K.size else float("nan")
        if k_informative:
            facts.append(f"0-1 test K = {k01.K:.2f} (its IAAFT surrogates give {sk:.2f})")
        else:
            facts.append(
                f"0-1 test left out: K = {k01.K:.2f} and its IAAFT surrogates give {sk:.2f}, "
                "so it cannot tell this series from linear noise"
            )

    contradictions: list[str] = []
    if flow and d2 is not None and d2 < MIN_FLOW_CHAOS_DIMENSION:
        contradictions.append(
            f"a correlation dimension of {d2:.2f} (< 2) does not support chaos in a sampled flow (a chaotic "
            "flow's attractor has dimension > 2, Poincare-Bendixson)"
        )
    if k_informative and k01 is not None and k01.K < 0.5:
        contradictions.append(f"the 0-1 test gives K = {k01.K:.2f}, regular motion")
    if positive and sur is not None and not sur.rejected and not pseudo:
        contradictions.append("a positive exponent, but the surrogates find no nonlinearity")
    if est is not None and est.scaling_found and not est.consistent:
        contradictions.append("the exponent's slope changes with the embedding dimension")

    if n_per is not None and n_per < MIN_PERIODS:
        return "inconclusive", [
            f"Inconclusive: the record is too short, {n_per:.1f} mean periods (at least {MIN_PERIODS:.0f} needed "
            "for a dynamical verdict): record longer",
            *facts,
        ]
    # Chaotic: nonlinear, a valid positive exponent, a finite dimension (> 2 for a flow), nothing against
    if positive and sur is not None and sur.rejected and d2 is not None and not contradictions:
        n_vars = max(math.floor(d2) + 1, 3 if flow else 1)  # a chaotic flow needs three (Poincare-Bendixson)
        first = (
            f"Chaotic: largest Lyapunov exponent {lam:.3g} per time unit ({est.confidence:.0%} interval "  # type: ignore[union-attr]
            f"{lo:.3g}..{hi:.3g}); forecasts lose a factor e of accuracy every {1 / lam:.3g} time units "
            f"(the Lyapunov time); correlation dimension {d2:.2f}, so a model needs at least "
            f"{n_vars} variable{'s' if n_vars > 1 else ''}"
        )
        return "chaotic", [first, *(f for f in facts[1:] if not f.startswith("correlation dimension"))]
    # Regular: a spectrum of a few lines, no divergence at all, predicts itself
    if (
        lines is not None
        and lines >= LINE_SPECTRUM
        and no_divergence
        and pe is not None
        and pe < GOOD_PREDICTION
        and not (k_informative and k01 is not None and k01.K > 0.5)
    ):
        return "regular", [
            f"Regular (periodic or quasi-periodic): {lines:.0%} of the spectral power lies in a few lines, "
            f"neighbouring states do not diverge, and the series predicts itself well (normalized prediction "
            f"error {pe:.3f})",
            *facts,
        ]
    # Linear noise: surrogates with power do not reject, and nothing shows determinism
    if sur is not None and not sur.rejected and not pseudo and not positive:
        return "linear noise", [
            "Linear noise: no evidence of nonlinear determinism; the series is consistent with a linear "
            f"Gaussian process seen through a static monotonic function (IAAFT surrogates, p = {sur.p_value:.2f}); "
            "its exponent and dimension estimates are not meaningful",
            *facts,
        ]
    why = list(contradictions)
    if not positive and not no_divergence:
        why.append(
            "neighbours diverge but no valid positive exponent (a linear scaling region common to two embedding dimensions) was found"
        )
    if positive and d2 is None:
        why.append("a positive exponent but no finite dimension plateau")
    if positive and sur is not None and not sur.rejected and pseudo:
        why.append("a positive exponent, but surrogates of little power do not confirm nonlinearity")
    if sur is None:
        why.append("no surrogate test")
    if not why:
        why.append("the measures neither show chaos nor a few spectral lines with self-prediction nor linear noise")
    return "inconclusive", ["Inconclusive: " + "; ".join(why), *facts]


def verdict(rep: SeriesReport) -> str:
    """Plain-words conclusion from the measures that finished (the decision table referees accept).

    In order (Kantz & Schreiber 2004; Theiler et al. 1992; Schreiber & Schmitz 2000; Gottwald &
    Melbourne 2009; notes/verdicts.md):

    * a step that did not run (interrupted) -> "Inconclusive (incomplete: ...)": a missing step
      could overturn any verdict;
    * `stationarity_test` says non-stationary -> "Non-stationary: detrend or difference it first";
    * an oversampled record shorter than `MIN_PERIODS` mean periods -> "Inconclusive: too short";
    * "Chaotic" only if the IAAFT surrogates reject linearity, the exponent is valid (a linear
      scaling region of at least half a mean period starting after the initial relaxation, the
      same slope at two embedding dimensions) with an interval above 0, a finite dimension
      plateau exists (at least `MIN_FLOW_CHAOS_DIMENSION` for a sampled flow), and nothing
      contradicts (an informative 0-1 test with K < 0.5);
    * "Regular" if at least `LINE_SPECTRUM` of the power lies in a few spectral lines,
      neighbours do not diverge (<ln d> rises by less than `MIN_DIVERGENCE`), the nonlinear
      prediction error is below `GOOD_PREDICTION` and no informative 0-1 test says K > 0.5;
    * "Linear noise" if the surrogates do not reject, the signal is not pseudo-periodic (where
      they have little power, said in the text) and no valid positive exponent exists;
    * otherwise "Inconclusive", naming what disagrees or is missing.

    The 0-1 test enters only when it discriminates (its IAAFT surrogates give a different K);
    false nearest neighbours that did not converge are said in the text.

    Parameters
    ----------
    rep : SeriesReport
        A report filled by `analyze_series`.

    Returns
    -------
    str
        The conclusion.
    """
    return _decide(rep)[1]
