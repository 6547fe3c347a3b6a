"""Compiled kernels on disk (`dynstab.executables`): the same numbers as `jax.jit`, across processes."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from dynstab import executables
from dynstab.executables import _NotStable, _token

# one process: the Lyapunov spectrum, the fixed points and a trajectory of Lorenz-63 (the three stored kernels)
SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import dynstab

    if sys.argv[2] != "-":
        dynstab.enable_compilation_cache(sys.argv[2])
    lorenz = dynstab.systems.get("lorenz")
    spec = dynstab.lyapunov_spectrum(lorenz, t=200.0, n_ics=2)
    fps = dynstab.fixed_points(lorenz, [(-30, 30), (-30, 30), (0, 50)], n_starts=40)
    traj = dynstab.trajectory(lorenz, t=20.0)
    np.savez(sys.argv[1], spec=spec.exponents, fps=np.asarray([p.x for p in fps]), x=traj.x)
    """
)


def run(out: Path, cache: Path | None) -> dict[str, np.ndarray]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_COMPILATION_CACHE", "DYNSTAB_CACHE"))}
    subprocess.run(
        [sys.executable, "-c", SCRIPT, str(out), str(cache) if cache else "-"], check=True, env=env, timeout=300
    )
    with np.load(out) as data:
        return {k: data[k] for k in data.files}


def stored(cache: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in (cache / executables.SUBFOLDER).glob("*.xla")}


def test_stored_kernels_give_the_numbers_of_jax_jit_in_later_processes(tmp_path):
    cache = tmp_path / "cache"
    first = run(tmp_path / "a.npz", cache)
    entries = stored(cache)
    assert len(entries) == 3  # Lyapunov, fixed points, trajectory
    second = run(tmp_path / "b.npz", cache)  # loads them
    assert stored(cache).keys() == entries.keys()
    plain = run(tmp_path / "c.npz", None)  # no disk cache at all: jax.jit
    for name in plain:
        np.testing.assert_array_equal(first[name], plain[name])
        np.testing.assert_array_equal(second[name], plain[name])
    assert abs(plain["spec"][0] - 0.9056) < 0.05  # Lorenz-63 lambda_1

    # a damaged entry is dropped and compiled again, with the same numbers
    for path in (cache / executables.SUBFOLDER).glob("*.xla"):
        path.write_bytes(b"not an executable")
    third = run(tmp_path / "d.npz", cache)
    for name in plain:
        np.testing.assert_array_equal(third[name], plain[name])
    assert all(p.stat().st_size > 1000 for p in (cache / executables.SUBFOLDER).glob("*.xla"))


def users_law(x, p, t):
    return -x


def test_a_users_function_has_no_stable_identity():
    with pytest.raises(_NotStable):
        _token(users_law)
    with pytest.raises(_NotStable):
        _token((1, {"law": users_law}))
    with pytest.raises(_NotStable):
        _token(functools.partial(users_law, 1.0))


def test_tokens_follow_values_and_code():
    from dynstab.systems import get

    lorenz, rossler = get("lorenz"), get("rossler")
    assert _token(lorenz.rhs) == _token(get("lorenz").rhs)
    assert _token(lorenz.rhs) != _token(rossler.rhs)
    assert _token(np.arange(3.0)) != _token(np.arange(3.0) + 1e-16 * 4)  # arrays by value
    assert _token(np.arange(3.0)) != _token(np.arange(3, dtype=np.int64))
    assert _token((1, 2.0)) != _token((1.0, 2.0))  # types count
    # the evolutions of two systems differ by their laws; of one system with two steps, by the step
    assert _token(lorenz.evolution("rk4")) != _token(rossler.evolution("rk4"))
    assert _token(lorenz.evolution("rk4", step=0.01)) != _token(lorenz.evolution("rk4", step=0.02))
    assert _token(lorenz.evolution("rk4")) == _token(get("lorenz").evolution("rk4"))
