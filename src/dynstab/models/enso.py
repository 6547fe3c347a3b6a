r"""ENSO recurrence diagnostics and gamelan sonification (Herho et al., arXiv 2602.14560, 2026).

Three parts, each reusing `dynstab.timeseries`:

* **Data.** `load_nino34` reads the monthly Nino 3.4 SST anomaly (ERSSTv4, base 1981-2010,
  Jan 1950 - Aug 2016, 800 months) from the CPC table that PyWavelets bundles as
  ``pywt/data/sst_nino3.npz`` (columns YR, MON, NINO1+2, ANOM, NINO3, ANOM, NINO4, ANOM,
  NINO3.4, ANOM; columns 8-9 are Nino 3.4). The paper used HadISST 1.1, Jan 1870 - Dec 2024
  (1860 months), which no offline package ships: every number here differs from the paper's
  for that reason alone.
* **Diagnostics.** `enso_diagnostics`: the dominant period from the power spectrum
  (`dynstab.timeseries.spectrum.dominant_period` and a Welch PSD) and from recurrences (the
  tau-recurrence rate ``RR(tau) = (1/(N - tau)) sum_i R[i, i + tau]`` of a delay embedding chosen
  by `dynstab.timeseries.embedding.choose_embedding`, whose highest peak after its first
  minimum is the recurrence period; Marwan et al., Phys. Rep. 438, 237 (2007), sec. 3.2.3),
  RQA measures (`dynstab.timeseries.rqa.rqa`), recurrence-network measures
  (`dynstab.timeseries.recurrence.recurrence_network`) and the permutation entropy
  (`dynstab.timeseries.entropy.permutation_entropy`).
* **Sonification** by parameter mapping exactly as the paper's notes give it, for the two
  gamelan scales as 12-TET approximations (pelog {0,1,3,7,8}, slendro {0,2,3,7,9}
  semitones above C):

  .. math::

     \xi = \mathrm{clip}((\theta + 3)/6, 0, 1),\quad \psi = 9\xi,\quad s = \mathrm{round}(\psi),
     \quad \nu = 60 + 12(\mathrm{octave} - 4 + \lfloor s/5 \rfloor) + \Phi[s \bmod 5],

  velocity ``clip(base + 20|theta| + 30|dtheta|, 40, 127)`` with base 90/80/70/60 for the
  3/12/24/36-month trailing rolling means (80 in the spectral mode), first ``w - 1`` values left
  raw, 120 BPM and half a beat per month (0.25 s per month). Four strategies (layered,
  alternating, melodic, spectral), a bass note every 8 steps from the 36-month track and a gong
  when ``|theta_12| > 1.5`` (``> 1`` in the spectral mode). `sonify` returns the note list;
  `render` synthesizes it additively (a few decaying harmonics per note; an inharmonic
  partial set for gongs) and `write_wav` writes 16-bit PCM at 22050 Hz with the standard
  library's `wave` module.

  Differences from the original: it wrote General MIDI (programs 11-14, 43, 47 for pelog) and
  rendered with FluidSynth and the FluidR3_GM sound font; we synthesize ourselves, so the
  timbres (and with them the spectral centroid) differ. The track octaves are not in the
  notes: we put the 3/12/24/36-month tracks at octaves 5/4/3/2 and the bass at octave 1 (the
  paper's "track octaves 1-5").
* **Acoustic phase space** (`acoustic_phase_space`): from our own STFT (Hann window of 2048,
  hop 1024, sr 22050, frames centred as librosa does) the spectral centroid and RMS energy
  per frame, each smoothed by a 20-frame centred rolling mean and min-max normalised; from the
  path Gamma(t) = (brightness, energy): convex-hull area A, path length L, exploration index
  A/L, centroid and spread, Pearson rho, and the revisit rate exactly as the original code
  (every 10th point, pairs ``j >= i + 5`` in the subsampled index, distance < 0.05).
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import math
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._precision import float64
from ..files import atomic_output
from ..limits import check_allocation
from ..validation import as_float, as_int, as_positive_float, as_series

SCALES: dict[str, tuple[int, ...]] = {"pelog": (0, 1, 3, 7, 8), "slendro": (0, 2, 3, 7, 9)}
"""Semitone offsets above C of the 12-TET approximations of the two gamelan scales."""

STRATEGIES: tuple[str, ...] = ("layered", "alternating", "melodic", "spectral")
"""The four composition strategies of the paper."""

WINDOWS: tuple[int, ...] = (3, 12, 24, 36)
"""Trailing rolling-mean windows in months, one track each."""

TRACK_BASE_VELOCITY: dict[int, int] = {3: 90, 12: 80, 24: 70, 36: 60}
TRACK_OCTAVE: dict[int, int] = {3: 5, 12: 4, 24: 3, 36: 2}
TRACK_DURATION: dict[int, float] = {3: 0.8, 12: 1.2, 24: 1.6, 36: 2.0}
BASS_OCTAVE = 1
GONG_PITCH = 43  # G2: a gong ageng sits low; the pitch only sets the base of its inharmonic partials
SAMPLE_RATE = 22050
HOP = 1024
N_FFT = 2048
SMOOTH_FRAMES = 20
REVISIT_STEP = 10
REVISIT_GAP = 5
REVISIT_EPS = 0.05
SECONDS_PER_MONTH = 0.25  # 120 BPM, half a beat per month
SILENCE = 1e-3  # frames quieter than this fraction of the loudest RMS count as silence

PUBLISHED: dict[str, dict[str, float]] = {
    "pelog layered": dict(area=0.5291, path=146.76, revisit=0.119, exploration=0.0036, rho=-0.568, brightness=1238.1),
    "pelog alternating": dict(
        area=0.2849, path=99.83, revisit=0.240, exploration=0.0029, rho=-0.790, brightness=1063.5
    ),
    "pelog melodic": dict(area=0.3558, path=111.21, revisit=0.183, exploration=0.0032, rho=-0.513, brightness=809.2),
    "pelog spectral": dict(area=0.3328, path=165.96, revisit=0.163, exploration=0.0020, rho=-0.360, brightness=1269.8),
    "slendro layered": dict(area=0.4882, path=182.93, revisit=0.123, exploration=0.0027, rho=0.317, brightness=1863.3),
    "slendro alternating": dict(
        area=0.3006, path=140.36, revisit=0.230, exploration=0.0021, rho=-0.118, brightness=1232.7
    ),
    "slendro melodic": dict(area=0.2111, path=183.28, revisit=0.225, exploration=0.0012, rho=-0.089, brightness=1418.0),
    "slendro spectral": dict(
        area=0.3462, path=168.31, revisit=0.168, exploration=0.0021, rho=-0.405, brightness=1274.1
    ),
}
"""The paper's acoustic phase-space table (repo stats/phase_space_metrics; HadISST 1870-2024, FluidSynth)."""

_INSTALL = "install PyWavelets (pip install 'dynstab[enso]' or pip install PyWavelets)"


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nino34:
    """Monthly Nino 3.4 index.

    Parameters
    ----------
    time : numpy.ndarray
        Decimal years at mid-month (``year + (month - 0.5) / 12``).
    dates : numpy.ndarray of datetime64[M]
        The months.
    anomaly : numpy.ndarray
        SST anomaly in degC (ERSSTv4, 1981-2010 base).
    sst : numpy.ndarray
        Absolute SST in degC.
    source : str
        Where the table came from.
    """

    time: np.ndarray
    dates: np.ndarray
    anomaly: np.ndarray
    sst: np.ndarray
    source: str

    def __len__(self) -> int:
        return int(self.anomaly.size)


def _nino_file() -> Any:
    try:
        import pywt  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"the Nino 3.4 table comes with PyWavelets, which is not installed: {_INSTALL}") from exc
    return importlib.resources.files("pywt.data") / "sst_nino3.npz"


def load_nino34(path: str | Path | None = None) -> Nino34:
    """Load the monthly Nino 3.4 SST anomaly, Jan 1950 - Aug 2016, bundled with PyWavelets.

    The file is PyWavelets' ``sst_nino3.npz`` (array ``data``, 800 x 10, the CPC table
    ``ersst4.nino.mth.81-10.ascii``); columns 8 and 9 are the Nino 3.4 SST and its anomaly
    (base 1981-2010). The file path is PyWavelets' private layout (checked on 1.8), so it is
    checked: a missing package or file, a missing ``data`` array, a wrong shape, non-consecutive
    months or non-finite values raise with what to do.

    Parameters
    ----------
    path : str or Path, optional
        Another ``.npz`` with the same layout (default: the one PyWavelets bundles).

    Returns
    -------
    Nino34
        Decimal years, months, anomaly and SST.

    Raises
    ------
    ImportError
        PyWavelets is not installed.
    FileNotFoundError
        The table is not where expected.
    ValueError
        The table is malformed.

    References
    ----------
    Huang et al., J. Climate 28, 911 (2015) (ERSSTv4); Torrence & Compo, BAMS 79, 61 (1998)
    (the PyWavelets sample); Herho et al., arXiv 2602.14560 (the index they sonify: HadISST).
    """
    src = _nino_file() if path is None else Path(path)
    where = str(src)
    try:
        with src.open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
            names = list(npz.files)
            data = np.asarray(npz["data"], dtype=float) if "data" in names else None
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"the Nino 3.4 table {where} is missing; reinstall PyWavelets ({_INSTALL}) or pass path="
        ) from exc
    except (OSError, EOFError, ValueError, AttributeError) as exc:
        # not an npz (np.load then falls back to pickle and refuses), truncated or unreadable
        raise ValueError(f"cannot read the Nino 3.4 table {where}: {exc}; reinstall PyWavelets ({_INSTALL})") from exc
    if data is None:
        raise ValueError(f"{where} has no array 'data' (arrays: {names}); reinstall PyWavelets ({_INSTALL})")
    if data.ndim != 2 or data.shape[1] != 10 or data.shape[0] < 48:
        raise ValueError(
            f"the Nino 3.4 table {where} has shape {data.shape}, expected (months >= 48, 10) "
            "(YR, MON, NINO1+2, ANOM, NINO3, ANOM, NINO4, ANOM, NINO3.4, ANOM)"
        )
    if not np.isfinite(data).all():
        raise ValueError(f"the Nino 3.4 table {where} has non-finite values")
    year, month = data[:, 0].astype(int), data[:, 1].astype(int)
    index = year * 12 + month - 1
    if (month < 1).any() or (month > 12).any() or (np.diff(index) != 1).any():
        raise ValueError(f"the Nino 3.4 table {where}: months are not consecutive (columns YR, MON)")
    dates = (index - 1970 * 12).astype("datetime64[M]")
    return Nino34(
        time=year + (month - 0.5) / 12.0,
        dates=dates,
        anomaly=data[:, 9].copy(),
        sst=data[:, 8].copy(),
        source=f"{where} (ERSSTv4 Nino 3.4 via PyWavelets; columns 8-9)",
    )


# --------------------------------------------------------------------------------------------
# diagnostics
# --------------------------------------------------------------------------------------------


def tau_recurrence_rate(R) -> np.ndarray:
    """Recurrence rate along each diagonal: ``RR(tau) = sum_i R[i, i + tau] / (N - tau)``.

    A recurrence-based autocorrelation: its peaks sit at the periods of the system (Marwan et
    al., Phys. Rep. 438, 237 (2007), eq. 45). ``R`` is a `RecurrenceMatrix` or a square scipy
    sparse or boolean matrix.

    Parameters
    ----------
    R : RecurrenceMatrix or scipy.sparse matrix or numpy.ndarray
        Square recurrence matrix.

    Returns
    -------
    numpy.ndarray
        ``RR(tau)`` for ``tau = 0 .. N - 1``.
    """
    from scipy import sparse

    M = getattr(R, "matrix", R)
    M = sparse.coo_matrix(M)
    n = M.shape[0]
    if M.shape[0] != M.shape[1]:
        raise ValueError(f"R must be square, got shape {M.shape}")
    lag = M.col.astype(np.int64) - M.row.astype(np.int64)
    counts = np.bincount(lag[lag >= 0], minlength=n)[:n]
    return counts / (n - np.arange(n))


def recurrence_period(rr_tau, smooth: int = 1) -> int:
    """Recurrence period: the highest peak of the smoothed ``RR(tau)`` between its first minimum k0 and 3 k0.

    ``RR(tau)`` is smoothed by a centred running mean of ``smooth`` lags (use the embedding
    delay: noise on single lags otherwise makes spurious minima) over the lags up to N / 2.
    Like the first return of an autocorrelation, the first minimum sits near half a period,
    so the first return lies in [k0, 3 k0] (a later, higher peak at a multiple or at a slow
    drift is not the period).

    Parameters
    ----------
    rr_tau : array_like
        The tau-recurrence rate from `tau_recurrence_rate`.
    smooth : int, default 1
        Running-mean width in lags.

    Returns
    -------
    int
        The period in samples.
    """
    from scipy.ndimage import uniform_filter1d

    r = np.asarray(rr_tau, dtype=float)
    r = uniform_filter1d(r[: max(4, r.size // 2)], as_int(smooth, name="smooth", minimum=1), mode="nearest")
    k = 1
    while k < r.size - 1 and r[k + 1] <= r[k]:
        k += 1
    if k >= r.size - 1:
        raise ValueError("RR(tau) decreases over every lag up to N/2: no recurrence period")
    return int(k + np.argmax(r[k : min(3 * k, r.size - 1) + 1]))


def welch_period(x, fs: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Period of the highest Welch PSD peak of the linearly detrended series (paper's settings).

    ``nperseg = min(256, N // 4)``, Hann window, as the original's spectral mode.

    Parameters
    ----------
    x : array_like
        The series.
    fs : float
        Sampling rate (per time unit: 12 per year for monthly data).

    Returns
    -------
    tuple
        ``(period, freqs, psd)``.
    """
    from scipy import signal

    x = as_series(x, name="x", min_length=16)
    fs = as_positive_float(fs, name="fs")
    f, p = signal.welch(signal.detrend(x), fs=fs, nperseg=min(256, x.size // 4))
    k = 1 + int(np.argmax(p[1:]))
    return float(1.0 / f[k]), f, p


@dataclass
class EnsoDiagnostics:
    """Periods and nonlinear measures of an index.

    Parameters
    ----------
    spectral_period : float
        `dominant_period` (periodogram with parabolic refinement), in years.
    welch_period : float
        Highest Welch PSD peak, in years.
    recurrence_period : float
        Highest tau-recurrence-rate peak after its first minimum, in years.
    dim, tau : int
        Delay embedding (`choose_embedding`).
    embedding : str
        How it was chosen.
    permutation_entropy : float
        Normalised permutation entropy (order 4, delay 1).
    rqa : dict
        The 14 RQA measures (recurrence rate 0.1, Theiler window tau).
    network : dict
        Recurrence-network measures (edge density 0.05).
    rr_tau : numpy.ndarray
        The tau-recurrence rate.
    """

    spectral_period: float
    welch_period: float
    recurrence_period: float
    dim: int
    tau: int
    embedding: str
    permutation_entropy: float
    rqa: dict
    network: dict
    rr_tau: np.ndarray = field(repr=False)

    def to_dict(self) -> dict:
        """Plain dict for JSON (``rr_tau`` left out).

        Returns
        -------
        dict
            The diagnostics.
        """
        d = dataclasses.asdict(self)
        d.pop("rr_tau")
        return d


def _embedding(x: np.ndarray, dim: int | None, tau: int | None) -> tuple[int, int, str]:
    import warnings

    from ..timeseries.embedding import choose_embedding, estimate_dimension

    try:
        return choose_embedding(x, dim=dim, tau=tau)
    except ValueError:
        if dim is not None:
            raise
    _, tau, how = choose_embedding(x, dim=1, tau=tau)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        dim = estimate_dimension(x, tau=tau, method="cao", theiler=tau)
    return (
        int(dim),
        int(tau),
        how.replace("; dim given", "") + "; dim: Cao's E1 saturation (false neighbours never fall to 1 %)",
    )


@float64
def enso_diagnostics(
    x,
    dt: float = 1.0 / 12.0,
    *,
    dim: int | None = None,
    tau: int | None = None,
    recurrence_rate: float = 0.1,
    network_rate: float = 0.05,
    seed: int = 0,
) -> EnsoDiagnostics:
    """Dominant period by spectra and by recurrences, RQA, recurrence network, permutation entropy.

    Parameters
    ----------
    x : array_like
        The index (e.g. ``load_nino34().anomaly``).
    dt : float, default 1/12
        Sampling step (years per month).
    dim, tau : int, optional
        Delay embedding (default: `choose_embedding`; where its false-nearest-neighbour rule
        finds no dimension, as for the Nino 3.4 index whose fraction levels off near 17 %, the
        saturation of Cao's E1 with the same delay).
    recurrence_rate : float, default 0.1
        Recurrence rate of the RQA / RR(tau) matrix.
    network_rate : float, default 0.05
        Edge density of the recurrence network.
    seed : int, default 0
        Seed of the threshold sampling (`recurrence_threshold`).

    Returns
    -------
    EnsoDiagnostics
        The diagnostics.
    """
    from ..timeseries.entropy import permutation_entropy
    from ..timeseries.recurrence import recurrence_matrix, recurrence_network
    from ..timeseries.rqa import rqa
    from ..timeseries.spectrum import dominant_period

    x = as_series(x, name="x", min_length=64)
    dt = as_positive_float(dt, name="dt")
    recurrence_rate = as_float(recurrence_rate, name="recurrence_rate", minimum=0, maximum=1, inclusive="neither")
    network_rate = as_float(network_rate, name="network_rate", minimum=0, maximum=1, inclusive="neither")
    seed = as_int(seed, name="seed")
    dim, tau, how = _embedding(x, dim, tau)
    R = recurrence_matrix(x, recurrence_rate=recurrence_rate, dim=dim, tau=tau, seed=seed)
    rr = tau_recurrence_rate(R)
    q = rqa(R, theiler=tau)
    net = recurrence_network(x, recurrence_rate=network_rate, dim=dim, tau=tau, seed=seed)
    return EnsoDiagnostics(
        spectral_period=dominant_period(x, dt=dt),
        welch_period=welch_period(x, 1.0 / dt)[0],
        recurrence_period=recurrence_period(rr, smooth=max(3, tau)) * dt,
        dim=int(dim),
        tau=int(tau),
        embedding=how,
        permutation_entropy=float(permutation_entropy(x, order=4, delay=1)),
        rqa=q.to_dict(),
        network=net.to_dict(),
        rr_tau=rr,
    )


# --------------------------------------------------------------------------------------------
# sonification
# --------------------------------------------------------------------------------------------


def _check_choice(value: str, choices: tuple[str, ...], name: str) -> str:
    if value in choices:
        return value
    import difflib

    hint = difflib.get_close_matches(str(value), choices, n=1)
    raise ValueError(
        f"unknown {name} {value!r}"
        + (f" (did you mean {hint[0]!r}?)" if hint else "")
        + f"; {name}s: {', '.join(choices)}"
    )


def check_scale(scale: str) -> str:
    """``scale`` if it is ``'pelog'`` or ``'slendro'``, else ValueError with the close match.

    Parameters
    ----------
    scale : str
        Scale name.

    Returns
    -------
    str
        The scale.
    """
    return _check_choice(scale, tuple(SCALES), "scale")


def check_strategy(strategy: str) -> str:
    """``strategy`` if it is one of `STRATEGIES`, else ValueError with the close match.

    Parameters
    ----------
    strategy : str
        Strategy name.

    Returns
    -------
    str
        The strategy.
    """
    return _check_choice(strategy, STRATEGIES, "strategy")


def rolling_means(x, windows: tuple[int, ...] = WINDOWS) -> dict[int, np.ndarray]:
    """Trailing rolling means ``mean(x[i - w + 1 .. i])``, the first ``w - 1`` values left raw.

    Parameters
    ----------
    x : array_like
        The series.
    windows : tuple of int
        Window lengths in samples.

    Returns
    -------
    dict of int to numpy.ndarray
        One smoothed series per window.
    """
    x = as_series(x, name="x", min_length=1)
    c = np.concatenate([[0.0], np.cumsum(x)])
    out = {}
    for w in windows:
        w = as_int(w, name="window", minimum=1)
        y = x.copy()
        if x.size >= w:
            y[w - 1 :] = (c[w:] - c[:-w]) / w
        out[w] = y
    return out


def pitch(theta, scale: str, octave: int) -> np.ndarray:
    """MIDI pitch ``60 + 12 (octave - 4 + s // 5) + Phi[s mod 5]``, ``s = round(9 clip((theta + 3)/6, 0, 1))``.

    ``round`` is round-half-to-even as Python's and numpy's.

    Parameters
    ----------
    theta : array_like
        Anomaly in degC.
    scale : {"pelog", "slendro"}
        The scale Phi.
    octave : int
        Track octave (4 puts s = 0 on C4 = MIDI 60).

    Returns
    -------
    numpy.ndarray of int
        MIDI note numbers.
    """
    phi = np.asarray(SCALES[check_scale(scale)])
    xi = np.clip((np.asarray(theta, dtype=float) + 3.0) / 6.0, 0.0, 1.0)
    s = np.rint(9.0 * xi).astype(int)
    return 60 + 12 * (int(octave) - 4 + s // 5) + phi[s % 5]


def velocity(theta, base: float) -> np.ndarray:
    """MIDI velocity ``clip(base + 20 |theta| + 30 |dtheta|, 40, 127)`` (dtheta = 0 at the start).

    Parameters
    ----------
    theta : array_like
        Anomaly in degC.
    base : float
        Base velocity of the track.

    Returns
    -------
    numpy.ndarray of int
        Velocities.
    """
    theta = np.asarray(theta, dtype=float)
    d = np.abs(np.diff(theta, prepend=theta[:1]))
    return np.clip(np.rint(base + 20 * np.abs(theta) + 30 * d), 40, 127).astype(int)


@dataclass
class NoteList:
    """Notes of a rendering, one row each.

    Parameters
    ----------
    onset, duration : numpy.ndarray
        Seconds.
    pitch : numpy.ndarray of int
        MIDI note number.
    velocity : numpy.ndarray of int
        MIDI velocity 1-127.
    voice : numpy.ndarray of str
        ``'w3'``, ``'w12'``, ``'w24'``, ``'w36'``, ``'harm'``, ``'bass'`` or ``'gong'``.
    scale, strategy : str
        How it was made.
    seconds : float
        Length of the piece (last onset plus its duration).
    """

    onset: np.ndarray
    duration: np.ndarray
    pitch: np.ndarray
    velocity: np.ndarray
    voice: np.ndarray
    scale: str
    strategy: str
    seconds: float

    def __len__(self) -> int:
        return int(self.onset.size)


@float64
def sonify(
    x,
    scale: str = "pelog",
    strategy: str = "layered",
    *,
    seconds_per_month: float = SECONDS_PER_MONTH,
) -> NoteList:
    """Map an anomaly series to notes (parameter mapping of Herho et al. 2026).

    Step i (month i) starts at ``i * seconds_per_month``. Tracks: the 3/12/24/36-month trailing
    means (`rolling_means`) at octaves 5/4/3/2 with base velocities 90/80/70/60.

    * layered: every track every step, durations 0.8/1.2/1.6/2.0 steps;
    * alternating: track ``i mod 4`` at step i (its duration as in layered);
    * melodic: the 12-month track every step (1 step), the 24-month track every 2nd step (2 steps);
    * spectral: the 12-month track at base velocity 80, plus harmonic voices 0.8 theta_12 (octave 5)
      and 1.2 theta_12 (octave 3) whose velocities are scaled by the share of the Welch power in
      the peaks above the 90th percentile (`welch_period`'s PSD; 0.5 for series shorter than 64
      months, too short for a Welch estimate), 1 step each.

    All: a bass note (36-month track, octave 1, 4 steps) every 8 steps and a gong (4 steps) when
    ``|theta_12| > 1.5`` (``> 1`` in the spectral mode).

    Parameters
    ----------
    x : array_like
        Monthly anomaly in degC.
    scale : {"pelog", "slendro"}
        Scale.
    strategy : {"layered", "alternating", "melodic", "spectral"}
        Composition strategy.
    seconds_per_month : float, default 0.25
        Step length (0.25 s = half a beat at 120 BPM).

    Returns
    -------
    NoteList
        The notes.
    """
    x = as_series(x, name="x", min_length=1)
    scale, strategy = check_scale(scale), check_strategy(strategy)
    step = as_positive_float(seconds_per_month, name="seconds_per_month")
    tracks = rolling_means(x)
    n = x.size
    i = np.arange(n)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]] = []

    def add(idx, theta, octave, base, dur_steps, voice):
        idx = np.asarray(idx)
        parts.append(
            (
                idx * step,
                np.full(idx.size, dur_steps * step),
                pitch(theta[idx], scale, octave),
                velocity(theta, base)[idx],
                voice,
            )
        )

    if strategy == "layered":
        for w in WINDOWS:
            add(i, tracks[w], TRACK_OCTAVE[w], TRACK_BASE_VELOCITY[w], TRACK_DURATION[w], f"w{w}")
    elif strategy == "alternating":
        for k, w in enumerate(WINDOWS):
            add(i[i % 4 == k], tracks[w], TRACK_OCTAVE[w], TRACK_BASE_VELOCITY[w], TRACK_DURATION[w], f"w{w}")
    elif strategy == "melodic":
        add(i, tracks[12], TRACK_OCTAVE[12], TRACK_BASE_VELOCITY[12], 1.0, "w12")
        add(i[::2], tracks[24], TRACK_OCTAVE[24], TRACK_BASE_VELOCITY[24], 2.0, "w24")
    else:
        add(i, tracks[12], TRACK_OCTAVE[12], 80, 1.0, "w12")
        weight = 0.5
        if n >= 64:
            _, _, p = welch_period(x, 12.0)
            weight = float(p[p > np.percentile(p, 90)].sum() / p.sum())
        for factor, octave in ((0.8, 5), (1.2, 3)):
            th = factor * tracks[12]
            o, d, pi, v, _ = (
                i * step,
                np.full(n, step),
                pitch(th, scale, octave),
                velocity(th, 80),
                "harm",
            )
            parts.append((o, d, pi, np.clip(np.rint(v * weight), 1, 127).astype(int), "harm"))
    bass = i[i % 8 == 0]
    add(bass, tracks[36], BASS_OCTAVE, TRACK_BASE_VELOCITY[36], 4.0, "bass")
    gong = i[np.abs(tracks[12]) > (1.0 if strategy == "spectral" else 1.5)]
    if gong.size:
        parts.append(
            (gong * step, np.full(gong.size, 4 * step), np.full(gong.size, GONG_PITCH), np.full(gong.size, 100), "gong")
        )
    onset = np.concatenate([p[0] for p in parts])
    order = np.argsort(onset, kind="stable")
    dur = np.concatenate([p[1] for p in parts])[order]
    onset = onset[order]
    return NoteList(
        onset=onset,
        duration=dur,
        pitch=np.concatenate([p[2] for p in parts])[order].astype(int),
        velocity=np.concatenate([p[3] for p in parts])[order].astype(int),
        voice=np.concatenate([np.full(p[0].size, p[4], dtype=object) for p in parts])[order],
        scale=scale,
        strategy=strategy,
        seconds=float((onset + dur).max()),
    )


# additive timbres: (partial ratios, amplitudes, decay time in note durations)
_TIMBRE: dict[str, tuple[tuple[float, ...], tuple[float, ...], float]] = {
    "metal": ((1.0, 2.0, 3.0, 4.0), (1.0, 0.45, 0.25, 0.12), 0.35),
    # gong ageng: inharmonic partials (ratios near measured bossed-gong modes; Rossing, Science of
    # Percussion Instruments, 2000, ch. 7) with a slow decay
    "gong": ((1.0, 1.52, 2.0, 2.74, 3.46, 4.2), (1.0, 0.6, 0.5, 0.3, 0.2, 0.12), 0.8),
}


def midi_hz(p) -> np.ndarray:
    """Frequency ``440 * 2**((p - 69) / 12)`` Hz of MIDI note ``p``.

    Parameters
    ----------
    p : array_like
        MIDI note numbers.

    Returns
    -------
    numpy.ndarray
        Hz.
    """
    return 440.0 * 2.0 ** ((np.asarray(p, dtype=float) - 69.0) / 12.0)


@float64
def render(
    notes: NoteList,
    sample_rate: int = SAMPLE_RATE,
    *,
    tail: float = 1.0,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Additive synthesis of a note list: float samples in [-1, 1] (peak exactly 0.95 unless silent).

    Each note is ``a(v) env(t) sum_k A_k sin(2 pi r_k f t + phi_k)`` with ``a = (v / 127)^2``
    (MIDI velocity as in the GM loudness curve), ``env`` a 5 ms linear attack then
    ``exp(-t / (c * duration))``, partial ratios ``r_k`` harmonic (1, 2, 3, 4) for the pitched
    voices and inharmonic for gongs; partials above Nyquist are dropped. Random start phases
    ``phi_k`` (seeded) keep simultaneous notes from adding coherently. The sum is scaled to a
    peak of 0.95, so the 16-bit file never clips.

    Parameters
    ----------
    notes : NoteList
        From `sonify`.
    sample_rate : int, default 22050
        Samples per second.
    tail : float, default 1.0
        Seconds of silence room after the last note ends.
    seed : int, default 0
        Seed of the phases.
    progress : callable, optional
        ``progress(done, total)`` over the notes.

    Returns
    -------
    numpy.ndarray
        Mono samples.
    """
    sr = as_int(sample_rate, name="sample_rate", minimum=1000)
    tail = as_float(tail, name="tail", minimum=0)
    rng = np.random.default_rng(as_int(seed, name="seed"))
    total = int(math.ceil((notes.seconds + tail) * sr))
    check_allocation(8.0 * total, f"the audio buffer ({total} samples)", "lower seconds_per_month")
    out = np.zeros(total)
    freq = midi_hz(notes.pitch)
    n = len(notes)
    for k in range(n):
        ratios, amps, decay = _TIMBRE["gong" if notes.voice[k] == "gong" else "metal"]
        dur = float(notes.duration[k])
        start = int(round(float(notes.onset[k]) * sr))
        length = min(int(round(dur * sr * (3.0 if notes.voice[k] == "gong" else 1.0))), total - start)
        if length <= 0:
            continue
        t = np.arange(length) / sr
        env = np.exp(-t / (decay * dur)) * np.minimum(1.0, t / 0.005)
        env[-min(64, length) :] *= np.linspace(1.0, 0.0, min(64, length))  # no click at the cut
        wave_ = np.zeros(length)
        for r, a in zip(ratios, amps, strict=True):
            f = r * freq[k]
            if f < sr / 2:
                wave_ += a * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
        out[start : start + length] += (float(notes.velocity[k]) / 127.0) ** 2 * env * wave_
        if progress is not None and (k % 256 == 0 or k == n - 1):
            progress(k + 1, n)
    peak = float(np.max(np.abs(out)))
    return out * (0.95 / peak) if peak > 0 else out


def write_wav(path: str | Path, samples, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write mono float samples in [-1, 1] as 16-bit PCM WAV (standard-library `wave`), atomically.

    Parameters
    ----------
    path : str or Path
        Output file.
    samples : array_like
        Samples; values beyond [-1, 1] are refused (normalise first, as `render` does).
    sample_rate : int, default 22050
        Samples per second.

    Returns
    -------
    Path
        The file written.
    """
    s = np.asarray(samples, dtype=float)
    if s.ndim != 1 or not np.isfinite(s).all():
        raise ValueError("samples must be a finite 1-D array")
    if s.size and np.max(np.abs(s)) > 1.0:
        raise ValueError(f"samples exceed [-1, 1] (peak {np.max(np.abs(s)):.3g}): they would clip; normalise first")
    sr = as_int(sample_rate, name="sample_rate", minimum=1000)
    pcm = np.rint(s * 32767.0).astype("<i2")
    path = Path(path)
    with atomic_output(path) as tmp, wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return path


# --------------------------------------------------------------------------------------------
# acoustic phase space
# --------------------------------------------------------------------------------------------


def _frames(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    pad = np.pad(y, n_fft // 2, mode="constant")  # centred frames, as librosa's center=True
    n = 1 + (pad.size - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n)[:, None]
    return pad[idx]


def centroid_energy(
    y, sample_rate: int = SAMPLE_RATE, hop: int = HOP, n_fft: int = N_FFT
) -> tuple[np.ndarray, np.ndarray]:
    """Spectral centroid (Hz) and RMS energy per frame from our own STFT.

    Centroid ``sum_f f |S(f)| / sum_f |S(f)|`` of the Hann-windowed magnitude spectrum (0 for
    a silent frame, as librosa); RMS ``sqrt(mean(frame^2))`` of the unwindowed frame. Frames of
    ``n_fft`` every ``hop`` samples, centred (zero padding of ``n_fft // 2``).

    Parameters
    ----------
    y : array_like
        Mono samples.
    sample_rate : int, default 22050
        Samples per second.
    hop : int, default 1024
        Hop in samples.
    n_fft : int, default 2048
        Frame length.

    Returns
    -------
    tuple of numpy.ndarray
        ``(centroid_hz, rms)``.
    """
    y = as_series(y, name="y", min_length=2)
    hop = as_int(hop, name="hop", minimum=1)
    n_fft = as_int(n_fft, name="n_fft", minimum=16)
    fr = _frames(y, n_fft, hop)
    check_allocation(8.0 * fr.size, "the STFT frames", "analyse a shorter excerpt")
    mag = np.abs(np.fft.rfft(fr * np.hanning(n_fft + 1)[:-1], axis=1))
    f = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    s = mag.sum(axis=1)
    cen = np.where(s > 0, (mag * f).sum(axis=1) / np.where(s > 0, s, 1.0), 0.0)
    rms = np.sqrt(np.mean(fr**2, axis=1))
    return cen, rms


def _smooth_norm(v: np.ndarray, w: int) -> np.ndarray:
    # centred rolling mean with min_periods=1 (pandas rolling(w, center=True, min_periods=1))
    c = np.concatenate([[0.0], np.cumsum(v)])
    i = np.arange(v.size)
    lo = np.clip(i - w // 2, 0, v.size)
    hi = np.clip(i - w // 2 + w, 0, v.size)
    s = (c[hi] - c[lo]) / (hi - lo)
    span = s.max() - s.min()
    return (s - s.min()) / span if span > 0 else np.zeros_like(s)


def revisit_rate(x, y, step: int = REVISIT_STEP, gap: int = REVISIT_GAP, eps: float = REVISIT_EPS) -> float:
    """The paper's revisit rate: fraction of pairs ``(i, j >= i + gap)`` of every ``step``-th point closer than eps.

    Exactly the original code: subsample ``x[::step], y[::step]``, count pairs with index gap
    >= ``gap`` in the subsampled index whose Euclidean distance is < ``eps``.

    Parameters
    ----------
    x, y : array_like
        The path's coordinates.
    step : int, default 10
        Subsampling.
    gap : int, default 5
        Smallest index gap.
    eps : float, default 0.05
        Distance threshold.

    Returns
    -------
    float
        Revisits / pairs (0 when there is no pair; 0 for fewer than 10 points, as the original).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size < 10:
        return 0.0
    from scipy.spatial.distance import pdist, squareform

    p = np.column_stack([x[::step], y[::step]])
    m = p.shape[0]
    check_allocation(8.0 * m * m, "the revisit-rate distance matrix", "analyse a shorter excerpt")
    d = squareform(pdist(p))
    iu = np.triu_indices(m, k=gap)
    total = iu[0].size
    return float(np.count_nonzero(d[iu] < eps) / total) if total else 0.0


@dataclass
class PhaseSpace:
    """Acoustic phase-space path and its measures (Herho et al. 2026's table).

    Parameters
    ----------
    brightness, energy : numpy.ndarray
        Normalised smoothed spectral centroid and RMS energy per frame.
    area, path_length, exploration, revisit, rho : float
        Convex-hull area, path length, A / L, revisit rate, Pearson rho(brightness, energy).
    centroid, spread : tuple of float
        Mean and standard deviation of (brightness, energy).
    brightness_hz : float
        Mean raw spectral centroid in Hz.
    """

    brightness: np.ndarray = field(repr=False)
    energy: np.ndarray = field(repr=False)
    area: float
    path_length: float
    exploration: float
    revisit: float
    rho: float
    centroid: tuple[float, float]
    spread: tuple[float, float]
    brightness_hz: float

    def to_dict(self) -> dict:
        """The measures as a plain dict (paths left out).

        Returns
        -------
        dict
            Measures by name.
        """
        d = dataclasses.asdict(self)
        d.pop("brightness")
        d.pop("energy")
        return d


def acoustic_phase_space(
    y, sample_rate: int = SAMPLE_RATE, *, hop: int = HOP, smooth: int = SMOOTH_FRAMES
) -> PhaseSpace:
    """Brightness-energy path of a rendering and the paper's measures of it.

    Gamma(t) = (normalised 20-frame-smoothed spectral centroid, normalised smoothed RMS) from
    `centroid_energy`, over the frames from the first to the last whose RMS exceeds 1e-3 of the
    largest (leading and trailing silence left out); area of its convex hull (`scipy.spatial.ConvexHull`, duplicate points
    removed; 0 when degenerate), path length ``sum |Gamma_{t+1} - Gamma_t|``, exploration A / L,
    Pearson rho, `revisit_rate`.

    Parameters
    ----------
    y : array_like
        Mono samples.
    sample_rate : int, default 22050
        Samples per second.
    hop : int, default 1024
        STFT hop.
    smooth : int, default 20
        Frames of the rolling mean.

    Returns
    -------
    PhaseSpace
        The path and its measures.
    """
    from scipy.spatial import ConvexHull, QhullError

    cen, rms = centroid_energy(y, sample_rate, hop)
    smooth = as_int(smooth, name="smooth", minimum=1)
    # leading and trailing silence (the tail after the last note) is not music: with it, the
    # min-max normalisation would map the silence to (0, 0) and stretch the path towards it
    sound = np.flatnonzero(rms > SILENCE * rms.max()) if rms.max() > 0 else np.arange(rms.size)
    cen, rms = cen[sound[0] : sound[-1] + 1], rms[sound[0] : sound[-1] + 1]
    b, e = _smooth_norm(cen, smooth), _smooth_norm(rms, smooth)
    pts = np.unique(np.column_stack([b, e]), axis=0)
    try:
        area = float(ConvexHull(pts).volume) if pts.shape[0] >= 3 else 0.0
    except QhullError:
        area = 0.0
    length = float(np.hypot(np.diff(b), np.diff(e)).sum())
    rho = float(np.corrcoef(b, e)[0, 1]) if b.std() > 0 and e.std() > 0 else 0.0
    return PhaseSpace(
        brightness=b,
        energy=e,
        area=area,
        path_length=length,
        exploration=area / length if length > 0 else 0.0,
        revisit=revisit_rate(b, e),
        rho=rho,
        centroid=(float(b.mean()), float(e.mean())),
        spread=(float(b.std()), float(e.std())),
        brightness_hz=float(cen.mean()),
    )


def comparison_table(
    x,
    scales: tuple[str, ...] = tuple(SCALES),
    strategies: tuple[str, ...] = STRATEGIES,
    *,
    seconds_per_month: float = SECONDS_PER_MONTH,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, PhaseSpace]:
    """Render every (scale, strategy) of ``x`` and measure its acoustic phase space.

    Parameters
    ----------
    x : array_like
        Monthly anomaly.
    scales, strategies : tuple of str
        Which renderings.
    seconds_per_month : float, default 0.25
        Step length.
    seed : int, default 0
        Seed of the synthesis phases.
    progress : callable, optional
        ``progress(done, total)`` over the renderings.

    Returns
    -------
    dict of str to PhaseSpace
        Keyed ``"pelog layered"`` etc. as `PUBLISHED`.
    """
    scales = tuple(check_scale(s) for s in scales)
    strategies = tuple(check_strategy(s) for s in strategies)
    out = {}
    jobs = [(s, m) for s in scales for m in strategies]
    for k, (s, m) in enumerate(jobs):
        audio = render(sonify(x, s, m, seconds_per_month=seconds_per_month), seed=seed)
        out[f"{s} {m}"] = acoustic_phase_space(audio)
        if progress is not None:
            progress(k + 1, len(jobs))
    return out


def qualitative_findings(table: dict[str, PhaseSpace] | dict[str, dict[str, float]]) -> dict[str, bool]:
    """The paper's two qualitative findings, per scale: alternating recurs most, layered covers most area.

    Parameters
    ----------
    table : dict
        `comparison_table` output or `PUBLISHED`.

    Returns
    -------
    dict of str to bool
        ``"<scale>: alternating recurs most"`` and ``"<scale>: layered covers most area"``.
    """

    def get(v, name):
        return v[name] if isinstance(v, dict) else getattr(v, name)

    out = {}
    for s in SCALES:
        rows = {k.split()[1]: v for k, v in table.items() if k.split()[0] == s}
        if len(rows) < 2:
            continue
        if "alternating" in rows:
            out[f"{s}: alternating recurs most"] = max(rows, key=lambda m: get(rows[m], "revisit")) == "alternating"
        if "layered" in rows:
            out[f"{s}: layered covers most area"] = max(rows, key=lambda m: get(rows[m], "area")) == "layered"
    return out


def plot_enso(
    data: Nino34,
    diagnostics: EnsoDiagnostics | None = None,
    phase_spaces: dict[str, PhaseSpace] | None = None,
):
    """Figure: the index with its 3/12/24/36-month rolling means, its recurrence plot, the acoustic paths.

    Parameters
    ----------
    data : Nino34
        From `load_nino34`.
    diagnostics : EnsoDiagnostics, optional
        Embedding (dim, tau) of the recurrence plot and the periods for the title (default:
        dim 1, tau 1, recurrence rate 0.1).
    phase_spaces : dict of str to PhaseSpace, optional
        Acoustic paths to draw (from `comparison_table` or `acoustic_phase_space`).

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    import matplotlib.pyplot as plt

    from ..timeseries.recurrence import recurrence_matrix

    fig = plt.figure(figsize=(12, 8), layout="constrained")
    grid = fig.add_gridspec(2, 2)
    ax = fig.add_subplot(grid[0, :])
    ax.plot(data.time, data.anomaly, color="0.6", lw=0.6, label="monthly anomaly")
    for w, y in rolling_means(data.anomaly).items():
        ax.plot(data.time, y, lw=1.0, label=f"{w}-month trailing mean")
    ax.axhline(0.5, color="tab:red", ls=":", lw=0.8)
    ax.axhline(-0.5, color="tab:blue", ls=":", lw=0.8)
    ax.set_xlabel("year")
    ax.set_ylabel("Nino 3.4 SST anomaly (degC)")
    title = "Nino 3.4 (ERSSTv4, 1981-2010 base)"
    if diagnostics is not None:
        title += (
            f": dominant period {diagnostics.spectral_period:.2f} yr (spectrum), "
            f"{diagnostics.recurrence_period:.2f} yr (recurrences)"
        )
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=5, loc="upper left")
    dim, tau = (diagnostics.dim, diagnostics.tau) if diagnostics is not None else (1, 1)
    R = recurrence_matrix(data.anomaly, recurrence_rate=0.1, dim=dim, tau=tau)
    ax2 = fig.add_subplot(grid[1, 0])
    rows, cols = R.matrix.nonzero()
    t = data.time
    ax2.plot(t[cols], t[rows], ",", color="k")
    ax2.set_aspect("equal")
    ax2.set_xlabel("year")
    ax2.set_ylabel("year")
    ax2.set_title(f"recurrence plot (dim {dim}, tau {tau} months, RR 0.1)")
    ax3 = fig.add_subplot(grid[1, 1])
    for name, ps in (phase_spaces or {}).items():
        ax3.plot(ps.brightness, ps.energy, lw=0.5, alpha=0.7, label=f"{name}: A={ps.area:.3f}, rev={ps.revisit:.3f}")
    ax3.set_xlim(-0.05, 1.05)
    ax3.set_ylim(-0.05, 1.05)
    ax3.set_xlabel("brightness (normalised spectral centroid)")
    ax3.set_ylabel("energy (normalised RMS)")
    ax3.set_title("acoustic phase space")
    if phase_spaces:
        ax3.legend(fontsize=7)
    return fig


def to_xarray(data: Nino34, diagnostics: EnsoDiagnostics | None = None, table: dict[str, PhaseSpace] | None = None):
    """``xarray.Dataset``: the index and its rolling means, RR(tau), the acoustic paths and measures (CF attributes).

    Parameters
    ----------
    data : Nino34
        From `load_nino34`.
    diagnostics : EnsoDiagnostics, optional
        Adds ``rr_tau`` over ``lag`` and the periods and measures as attributes.
    table : dict of str to PhaseSpace, optional
        Adds the paths over (``mode``, ``frame``; NaN past each path's end) and the measures over
        ``mode`` beside the paper's (``published_*``, NaN where the paper has no such mode).

    Returns
    -------
    xarray.Dataset
        The dataset.
    """
    import xarray as xr

    ds = xr.Dataset(
        {
            "anomaly": ("time", data.anomaly, {"units": "degC", "long_name": "Nino 3.4 SST anomaly (1981-2010 base)"}),
            "sst": ("time", data.sst, {"units": "degC", "long_name": "Nino 3.4 SST"}),
            **{
                f"mean_{w}": ("time", y, {"units": "degC", "long_name": f"{w}-month trailing mean (first {w - 1} raw)"})
                for w, y in rolling_means(data.anomaly).items()
            },
        },
        coords={"time": ("time", data.dates.astype("datetime64[ns]"), {"standard_name": "time"})},
        attrs={
            "title": "Nino 3.4 recurrence diagnostics and gamelan sonification",
            "source": data.source,
            "references": "Herho et al., arXiv 2602.14560 (2026); Marwan et al., Phys. Rep. 438, 237 (2007)",
            "Conventions": "CF-1.8",
        },
    )
    if diagnostics is not None:
        ds["rr_tau"] = ("lag", diagnostics.rr_tau, {"units": "1", "long_name": "tau-recurrence rate"})
        ds = ds.assign_coords(lag=("lag", np.arange(diagnostics.rr_tau.size), {"units": "months"}))
        for k in ("spectral_period", "welch_period", "recurrence_period"):
            ds.attrs[f"{k}_years"] = float(getattr(diagnostics, k))
        ds.attrs.update(
            embedding_dim=diagnostics.dim,
            embedding_tau=diagnostics.tau,
            permutation_entropy=diagnostics.permutation_entropy,
        )
        ds.attrs.update({f"rqa_{k}": float(v) for k, v in diagnostics.rqa.items()})
        ds.attrs.update(
            {f"network_{k}": float(v) for k, v in diagnostics.network.items() if isinstance(v, int | float)}
        )
    if table:
        modes = list(table)
        n = max(ps.brightness.size for ps in table.values())
        paths = np.full((2, len(modes), n), np.nan)
        for i, ps in enumerate(table.values()):
            paths[0, i, : ps.brightness.size] = ps.brightness
            paths[1, i, : ps.energy.size] = ps.energy
        ds = ds.assign_coords(mode=("mode", modes), frame=("frame", np.arange(n)))
        ds["brightness"] = (("mode", "frame"), paths[0], {"units": "1", "long_name": "normalised spectral centroid"})
        ds["energy"] = (("mode", "frame"), paths[1], {"units": "1", "long_name": "normalised RMS energy"})
        names = {
            "area": ("area", "1"),
            "path_length": ("path", "1"),
            "revisit": ("revisit", "1"),
            "exploration": ("exploration", "1"),
            "rho": ("rho", "1"),
            "brightness_hz": ("brightness", "Hz"),
        }
        for ours, (paper, unit) in names.items():
            ds[ours] = ("mode", [float(getattr(table[m], ours)) for m in modes], {"units": unit})
            ds[f"published_{ours}"] = (
                "mode",
                [PUBLISHED[m][paper] if m in PUBLISHED else np.nan for m in modes],
                {"units": unit, "long_name": f"{ours} in the paper (HadISST 1870-2024, FluidSynth)"},
            )
        ds["frame"].attrs.update(units="1", long_name=f"STFT frame (hop {HOP} at {SAMPLE_RATE} Hz)")
    return ds


def write_netcdf(
    path: str | Path,
    data: Nino34,
    diagnostics: EnsoDiagnostics | None = None,
    table: dict[str, PhaseSpace] | None = None,
) -> Path:
    """Write `to_xarray` to NetCDF atomically (a temporary file renamed when complete).

    Parameters
    ----------
    path : str or Path
        The file.
    data, diagnostics, table
        As `to_xarray`.

    Returns
    -------
    Path
        The file written.
    """
    ds = to_xarray(data, diagnostics, table)
    with atomic_output(path) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")
    return Path(path)
