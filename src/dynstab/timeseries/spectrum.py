"""Dominant period of a trajectory from its power spectrum.

The periodogram of each (mean-removed, Hann-windowed) coordinate is summed over
coordinates; the dominant period is 1 / f* for the frequency f* of the largest peak above
zero, refined by fitting a parabola to the log-power around the peak (Jacobsen & Kootsookos,
IEEE Signal Process. Mag. 24, 123 (2007)). This is the time scale dysts calls the "period"
and uses to sample every system at the same number of points per period (Gilpin 2021).
"""

from __future__ import annotations

import numpy as np

from ..validation import as_series, as_step


def dominant_period(traj, dt: float | None = None, skip: tuple[int, ...] = ()) -> float:
    """Dominant period (in time units; iterations for maps) of a sampled trajectory.

    ``traj`` is a `dynstab.Trajectory` (anything with ``.t`` and ``.x``) or an array (N, d)
    sampled every ``dt``; ``skip`` lists
    coordinates to ignore (unbounded ones such as angles or time; if every coordinate is
    unbounded, sin of each is analysed, as for angles). Raises ValueError for
    series shorter than 16 points or without a spectral peak (a constant series).

    The period is 1 / f of the largest peak of the Hann-windowed power spectrum summed over
    the coordinates, refined by a parabola through the log power of the peak and its two
    neighbours.

    Parameters
    ----------
    traj : Trajectory or array_like, shape (N, d) or (N,)
        A `dynstab.Trajectory` (its time grid gives ``dt``) or an array of samples.
    dt : float, optional
        Sampling interval (required for an array input).
    skip : tuple of int, default ()
        Coordinates to leave out (unbounded ones).

    Returns
    -------
    float
        The dominant period in time units.

    References
    ----------
    Harris, Proc. IEEE 66, 51 (1978) (the Hann window); Gasior & Gonzalez, AIP Conf. Proc.
    732, 276 (2004) (parabolic interpolation of the log spectrum).
    """
    if hasattr(traj, "t") and hasattr(traj, "x"):
        x = traj.x if traj.x.ndim == 2 else traj.x[0]
        dt = float(traj.t[1] - traj.t[0]) if dt is None else dt
    else:
        if dt is None:
            raise ValueError("dominant_period needs dt for an array input")
        x = traj
    x = as_series(x, name="traj", as_2d=True, min_length=16)
    dt = as_step(dt)
    keep = [i for i in range(x.shape[1]) if i not in skip]
    # all coordinates unbounded (angles on a torus, e.g. the ABC flow): analyse sin of each
    x = x[:, keep] if keep else np.sin(x)
    x = x - x.mean(axis=0)
    window = np.hanning(x.shape[0])[:, None]
    power = (np.abs(np.fft.rfft(x * window, axis=0)) ** 2).sum(axis=1)
    freqs = np.fft.rfftfreq(x.shape[0], dt)
    power[0] = 0.0
    k = int(np.argmax(power))
    if power[k] <= 1e-300 or k == 0:
        raise ValueError("no spectral peak: the series is constant")
    if 1 <= k < power.size - 1:
        a, b, c = np.log(power[k - 1 : k + 2] + 1e-300)
        denom = a - 2 * b + c
        shift = 0.5 * (a - c) / denom if denom < 0 else 0.0
        f = freqs[k] + float(np.clip(shift, -0.5, 0.5)) * (freqs[1] - freqs[0])
    else:
        f = freqs[k]
    return float(1.0 / f)
