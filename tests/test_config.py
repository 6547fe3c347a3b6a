"""dynstab's process settings (dynstab._config): small-loop threshold, compilation cache."""

import os
import subprocess
import sys

import pytest

import dynstab
from dynstab._config import SMALL_LOOP_OPTION, _adopt_unrecorded_entries, _with_small_loop_option


def test_small_loop_option_is_added_to_xla_flags():
    assert _with_small_loop_option("", "64") == f"--xla_backend_extra_options={SMALL_LOOP_OPTION}=64"
    merged = _with_small_loop_option("--xla_foo=1 --xla_backend_extra_options=a=1", "64")
    assert merged == f"--xla_foo=1 --xla_backend_extra_options=a=1,{SMALL_LOOP_OPTION}=64"


def _run(code, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "DYNSTAB_SMALL_LOOP_BYTES")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)


def _flags_after_import(env_extra):
    return _run("import os, dynstab; print(os.environ.get('XLA_FLAGS', ''))", env_extra).stdout


def test_import_sets_the_option_and_respects_the_user():
    assert f"{SMALL_LOOP_OPTION}={1 << 20}" in _flags_after_import({})
    assert _flags_after_import({"DYNSTAB_SMALL_LOOP_BYTES": "0"}).strip() == ""
    assert f"{SMALL_LOOP_OPTION}=4096" in _flags_after_import({"DYNSTAB_SMALL_LOOP_BYTES": " 4096 "})
    mine = f"--xla_backend_extra_options={SMALL_LOOP_OPTION}=5"
    assert _flags_after_import({"XLA_FLAGS": mine}).strip() == mine


def test_import_after_jax_started_leaves_xla_flags_and_says_why():
    res = _run(
        "import os, jax; jax.numpy.ones(2).block_until_ready(); import dynstab; "
        "print(repr(os.environ.get('XLA_FLAGS', '')))"
    )
    assert res.stdout.strip() == "''"
    assert "JAX started before dynstab was imported" in res.stderr and "DYNSTAB_SMALL_LOOP_BYTES=0" in res.stderr
    quiet = _run("import jax; jax.numpy.ones(2).block_until_ready(); import dynstab", {"DYNSTAB_SMALL_LOOP_BYTES": "0"})
    assert quiet.stderr == ""


def test_enable_compilation_cache_is_bounded_and_explicit(tmp_path):
    res = _run(f"""
import jax, dynstab
assert jax.config.values["jax_compilation_cache_dir"] is None  # import alone turns nothing on
folder = dynstab.enable_compilation_cache({str(tmp_path / "c")!r}, max_size_mb=64, min_compile_time_s=0.0)
v = jax.config.values
print(folder, v["jax_compilation_cache_dir"], v["jax_compilation_cache_max_size"],
      v["jax_persistent_cache_min_compile_time_secs"])
jax.jit(lambda x: x * 2.0)(jax.numpy.ones(3)).block_until_ready()
""")
    folder, configured, max_size, min_time = res.stdout.split()
    assert folder == configured == str(tmp_path / "c")
    assert (int(max_size), float(min_time)) == (64 * 2**20, 0.0)
    names = os.listdir(tmp_path / "c")
    assert any(n.endswith("-cache") for n in names) and any(n.endswith("-atime") for n in names)


def test_enable_compilation_cache_rejects_bad_bounds(tmp_path):
    with pytest.raises(ValueError, match="max_size_mb"):
        dynstab.enable_compilation_cache(tmp_path, max_size_mb=0)
    with pytest.raises(ValueError, match="min_compile_time_s"):
        dynstab.enable_compilation_cache(tmp_path, min_compile_time_s=-1)


def test_entries_of_an_unbounded_cache_get_an_access_record(tmp_path):
    (tmp_path / "jit_f-abc-cache").write_bytes(b"x" * 10)
    (tmp_path / "jit_g-def-cache").write_bytes(b"y")
    (tmp_path / "jit_g-def-atime").write_bytes((123).to_bytes(8, "little"))
    _adopt_unrecorded_entries(tmp_path)
    assert int.from_bytes((tmp_path / "jit_f-abc-atime").read_bytes(), "little") > 0
    assert int.from_bytes((tmp_path / "jit_g-def-atime").read_bytes(), "little") == 123
