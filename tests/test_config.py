import os
import subprocess
import sys

from dynstab._config import SMALL_LOOP_OPTION, _with_small_loop_option


def test_small_loop_option_is_added_to_xla_flags():
    assert _with_small_loop_option("", "64") == f"--xla_backend_extra_options={SMALL_LOOP_OPTION}=64"
    merged = _with_small_loop_option("--xla_foo=1 --xla_backend_extra_options=a=1", "64")
    assert merged == f"--xla_foo=1 --xla_backend_extra_options=a=1,{SMALL_LOOP_OPTION}=64"


def _flags_after_import(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "DYNSTAB_SMALL_LOOP_BYTES")}
    env.update(env_extra)
    code = "import os, dynstab; print(os.environ.get('XLA_FLAGS', ''))"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def test_import_sets_the_option_and_respects_the_user():
    assert f"{SMALL_LOOP_OPTION}={1 << 20}" in _flags_after_import({})
    assert _flags_after_import({"DYNSTAB_SMALL_LOOP_BYTES": "0"}).strip() == ""
    mine = f"--xla_backend_extra_options={SMALL_LOOP_OPTION}=5"
    assert _flags_after_import({"XLA_FLAGS": mine}).strip() == mine
