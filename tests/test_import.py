"""What ``import dynstab`` does to a fresh process, checked in subprocesses.

The test process itself opts in to global float64 (conftest.py), so everything here runs in
fresh interpreters without that opt-in:

* importing dynstab is light (no JAX, NumPy, matplotlib, ...) and so is ``dynstab --help``;
* it leaves the user's JAX alone: float32 by default before and after dynstab's calls, no
  persistent compilation cache;
* dynstab's public calls give the same numbers (to 1e-12) with and without the user's global
  float64 opt-in, because each runs in its own float64 scope.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

HEAVY = ("jax", "jaxlib", "numpy", "matplotlib", "xarray", "scipy", "numba", "diffrax", "equinox", "optax", "h5py")


def _env(**extra: str) -> dict[str, str]:
    """The environment of a fresh process without the user-side opt-ins of the test process."""
    env = {k: v for k, v in os.environ.items() if k not in ("JAX_ENABLE_X64", "JAX_COMPILATION_CACHE_DIR")}
    env["DYNSTAB_CACHE_DIR"] = ""  # a CLI run here must not write the user's cache
    env.update(extra)
    return env


def _python(code: str, timeout: float = 600, **env: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=_env(**env), capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_import_dynstab_imports_no_heavy_module():
    out = _python(f"""
        import sys
        import dynstab
        print([m for m in {HEAVY!r} if m in sys.modules])
    """)
    assert out.strip() == "[]", f"import dynstab imported {out.strip()}"


def test_dynstab_help_imports_no_heavy_module():
    out = _python(f"""
        import sys
        sys.argv = ["dynstab", "--help"]
        from dynstab.cli import app
        try:
            app()
        except SystemExit:
            pass
        print("HEAVY", [m for m in {HEAVY!r} if m in sys.modules])
    """)
    assert "Usage" in out and "analyze" in out
    assert out.strip().splitlines()[-1] == "HEAVY []", f"dynstab --help imported {out.strip().splitlines()[-1]}"


def test_public_names_resolve_lazily():
    out = _python("""
        import dynstab
        assert callable(dynstab.trajectory) and callable(dynstab.systems.get) and isinstance(dynstab.Flow, type)
        assert dynstab.__version__ and "lyapunov_spectrum" in dir(dynstab)
        for name in dynstab.__all__:
            getattr(dynstab, name)
        ns = {}
        exec("from dynstab import *", ns)
        missing = sorted(set(dynstab.__all__) - set(ns))
        assert not missing, missing
        import dynstab.analysis, dynstab.timeseries, dynstab.learn
        try:
            dynstab.no_such_name
        except AttributeError as exc:
            assert "no_such_name" in str(exc)
        else:
            raise AssertionError("no AttributeError")
        print("ok")
    """)
    assert out.strip() == "ok"


def test_user_jax_keeps_float32_and_no_cache():
    out = _python("""
        import jax
        import jax.numpy as jnp
        import dynstab
        before = str(jnp.ones(2).dtype)
        lorenz = dynstab.systems.get("lorenz")
        traj = dynstab.trajectory(lorenz, t=1.0, dt=0.01)
        fps = dynstab.fixed_points(lorenz, box=[(-30, 30), (-30, 30), (0, 50)])
        spec = dynstab.lyapunov_spectrum(dynstab.systems.get("henon"), n=500, transient=10)
        after = str(jnp.ones(2).dtype)
        print(before, after, jax.config.jax_enable_x64, jax.config.values["jax_compilation_cache_dir"],
              traj.x.dtype, len(fps), spec.exponents.dtype)
    """)
    before, after, x64, cache, traj_dtype, n_fps, spec_dtype = out.split()
    assert (before, after, x64, cache) == ("float32", "float32", "False", "None")
    assert (traj_dtype, n_fps, spec_dtype) == ("float64", "3", "float64")


def test_small_loop_bytes_invalid_is_a_one_line_error():
    env = _env(DYNSTAB_SMALL_LOOP_BYTES="1MB")
    lib = subprocess.run([sys.executable, "-c", "import dynstab"], env=env, capture_output=True, text=True)
    assert lib.returncode != 0
    assert lib.stderr.strip().splitlines()[-1] == (
        "dynstab._config.ConfigError: DYNSTAB_SMALL_LOOP_BYTES must be a byte count >= 0, got '1MB'"
    )
    cli = subprocess.run(
        [sys.executable, "-m", "dynstab.cli", "info", "lorenz"], env=env, capture_output=True, text=True, timeout=300
    )
    assert cli.returncode == 2
    assert cli.stderr.strip() == "error: DYNSTAB_SMALL_LOOP_BYTES must be a byte count >= 0, got '1MB'"


# --- the same numbers with and without the user's global float64 ------------------------------------------------

_CASES_SCRIPT = r"""
import json, sys, traceback
import numpy as np
import dynstab

lorenz = dynstab.systems.get("lorenz")
henon = dynstab.systems.get("henon")


def trajectory_lorenz():
    return dynstab.trajectory(lorenz, t=2.0, dt=0.01).x


def lyapunov_henon():
    return dynstab.lyapunov_spectrum(henon, n=2000, transient=100).exponents


def lyapunov_lorenz():
    return dynstab.lyapunov_spectrum(lorenz, t=20.0, transient=1.0).exponents


def fixed_points_lorenz():
    fps = dynstab.fixed_points(lorenz, box=[(-30, 30), (-30, 30), (0, 50)])
    return np.array(sorted(np.concatenate([p.x, np.sort_complex(p.eigenvalues).real]).tolist() for p in fps))


def _series():
    return dynstab.trajectory(lorenz, t=60.0, dt=0.02, transient=10.0).x


def timeseries_correlation_dimension():
    from dynstab.timeseries import correlation_dimension
    return np.array([correlation_dimension(_series()[:, 0], dim=3, tau=5).dimension])


def learn_ngrc():
    from dynstab.learn import NGRC
    x = dynstab.trajectory(lorenz, t=20.0, dt=0.025, transient=5.0).x
    model = NGRC(k=2, ridge=2.5e-6).fit(x[:600], dt=0.025)
    return np.concatenate([np.asarray(model.W_out_).ravel(), model.forecast(x[590:600], 50).ravel()])


def user_map_from_law():
    import jax.numpy as jnp

    def law(x, p, t):
        return jnp.array([1.0 - p["a"] * x[0] ** 2 + x[1], p["b"] * x[0]])

    user = dynstab.Map.from_law(law, params={"a": 1.4, "b": 0.3}, x0=[0.1, 0.1], name="my_henon")
    orbit = dynstab.trajectory(user, n=200).x.ravel()
    spec = dynstab.lyapunov_spectrum(user, n=1000, transient=100).exponents
    return np.concatenate([orbit, spec])


out = {}
for name in sys.argv[1:]:
    try:
        value = np.asarray(globals()[name](), dtype=float)
        out[name] = {"value": value.tolist(), "dtype": str(value.dtype)}
    except Exception:
        out[name] = {"error": traceback.format_exc(limit=3)}
print("RESULTS " + json.dumps(out))
"""

CASES = (
    "trajectory_lorenz",
    "lyapunov_henon",
    "lyapunov_lorenz",
    "fixed_points_lorenz",
    "timeseries_correlation_dimension",
    "learn_ngrc",
    "user_map_from_law",
)


@pytest.fixture(scope="module")
def both_precisions():
    """Every case run once in a fresh process without the x64 opt-in and once with it."""
    runs = {}
    for label, env in (("default", {}), ("x64", {"JAX_ENABLE_X64": "1"})):
        proc = subprocess.run(
            [sys.executable, "-c", _CASES_SCRIPT, *CASES], env=_env(**env), capture_output=True, text=True, timeout=900
        )
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULTS ")]
        assert proc.returncode == 0 and line, proc.stderr[-3000:]
        runs[label] = json.loads(line[-1][len("RESULTS ") :])
    return runs


@pytest.mark.parametrize("case", CASES)
def test_same_numbers_with_and_without_global_x64(both_precisions, case):
    default, x64 = both_precisions["default"][case], both_precisions["x64"][case]
    assert "error" not in x64, x64.get("error")
    assert "error" not in default, default.get("error")
    a, b = np.asarray(default["value"]), np.asarray(x64["value"])
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
