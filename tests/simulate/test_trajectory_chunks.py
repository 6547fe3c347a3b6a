"""Long fixed-step trajectories in compiled chunks (`dynstab.simulate.trajectory`, issue 14).

A run longer than `LONG_RUN_SECONDS` is carried out as compiled chunks (the transient, then the samples
into one preallocated array): it must give the same numbers as the one compiled call, report
``progress(done, total)`` between chunks, and stop on Ctrl-C within a chunk. Chaotic systems make the
comparison strict: a round-off difference anywhere grows to O(1) over the run.
"""

import _thread
import sys
import threading
import time

import jax.numpy as jnp
import numpy as np
import pytest

import dynstab
from dynstab import systems
from dynstab.simulate import evolution


@dynstab.sde(diffusion=lambda x, p, t: p["s"] * x, params=dict(s=0.3), x0=[1.0, 0.5, 20.0], dt=1e-3)
def noisy_lorenz(x, p, t):
    return jnp.stack([10.0 * (x[1] - x[0]), x[0] * (28.0 - x[2]) - x[1], x[0] * x[1] - 8.0 / 3.0 * x[2]])


CASES = {
    # name: (system, trajectory arguments); each run has a transient and several chunks of samples
    "flow rk4": (lambda: systems.get("lorenz"), dict(t=20.0, dt=0.05, transient=3.0)),
    "flow rk8": (lambda: systems.get("lorenz"), dict(t=10.0, dt=0.03, transient=1.0, method="rk8")),
    "map": (lambda: systems.get("henon"), dict(n=3001, transient=777)),
    "map, stride 3": (lambda: systems.get("henon"), dict(n=2000, dt=3, transient=5)),
    "sde": (lambda: noisy_lorenz, dict(t=3.0, dt=0.01, transient=0.5, seed=7)),
    "delay": (lambda: systems.get("mackey_glass"), dict(t=300.0, dt=0.5, transient=50.0)),
    "ensemble": (
        lambda: systems.get("lorenz"),
        dict(t=10.0, dt=0.05, transient=1.0, x0=np.array([[1.0, 1.0, 20.0], [-3.0, 2.0, 25.0], [0.1, 0.0, 9.0]])),
    ),
    "parameter ensemble, sde": (lambda: noisy_lorenz, dict(t=2.0, dt=0.02, params=dict(s=np.array([0.1, 0.5])))),
}


SLOW = {"flow rk8", "map, stride 3", "parameter ensemble, sde"}  # variations of the fast cases


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in CASES])
def test_chunked_run_equals_the_one_call_run(name, monkeypatch):
    make, kwargs = CASES[name]
    system = make()
    whole = dynstab.trajectory(system, **kwargs)
    calls = []
    monkeypatch.setattr(evolution, "LONG_RUN_SECONDS", 0.0)
    monkeypatch.setattr(evolution, "CHUNK_SECONDS", 2e-5)
    parts = dynstab.trajectory(system, **kwargs, progress=lambda done, total: calls.append((done, total)))
    np.testing.assert_array_equal(parts.t, whole.t)
    assert parts.x.shape == whole.x.shape and parts.x.dtype == whole.x.dtype
    np.testing.assert_array_equal(parts.x, whole.x)
    # progress in steps, transient included: from 0 to the total, never backwards, over several chunks
    done = [d for d, _ in calls]
    assert len(calls) > 4 and done[0] == 0 and done == sorted(done)
    assert {total for _, total in calls} == {done[-1]} and done[-1] > 0


def test_short_runs_stay_one_call(monkeypatch):
    """A short run (the default limits) is the one compiled call: no chunk, no progress call."""
    calls = []
    monkeypatch.setattr(
        sys.modules["dynstab.simulate.trajectory"], "in_chunks", lambda *a, **k: pytest.fail("a short run was chunked")
    )
    tr = dynstab.trajectory(systems.get("lorenz"), t=10.0, progress=lambda d, t: calls.append(d))
    assert tr.x.shape == (1001, 3) and calls == []


def test_a_long_run_is_chunked_by_its_estimate():
    """1e8 Henon iterations are estimated at 1 s (over LONG_RUN_SECONDS): chunked, with progress."""
    calls = []

    def stop_soon(done, total):
        calls.append((done, total))
        if done:
            raise KeyboardInterrupt  # what Ctrl-C does between chunks

    with pytest.raises(KeyboardInterrupt):
        dynstab.trajectory(systems.get("henon"), n=10, transient=1e8, progress=stop_soon)
    assert calls[0] == (0, 100_000_010) and 0 < calls[-1][0] < 100_000_010


def test_ctrl_c_stops_a_huge_transient_within_a_chunk():
    """trajectory(henon, n=10, transient=1e12) would run for an hour in one compiled call; SIGINT stops it."""
    henon = systems.get("henon")
    dynstab.trajectory(henon, n=10, transient=1e7)  # compiled pieces: the timing below is of the run
    timer = threading.Timer(1.0, _thread.interrupt_main)
    began = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            dynstab.trajectory(henon, n=10, transient=1e12)
    finally:
        timer.cancel()
    late = time.perf_counter() - began - 1.0
    assert late < 1.5, f"KeyboardInterrupt {late:.2f} s after SIGINT"
