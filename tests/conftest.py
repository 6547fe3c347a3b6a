"""Test-process settings.

The test process opts in to float64 for *all* JAX code, as a user may with
``jax.config.update("jax_enable_x64", True)``: the suite's own ``jnp`` code (reference values,
hand-written kernels, expected arrays) is written in float64. dynstab does not need the opt-in
(its functions compute in a float64 scope); ``tests/test_import.py`` checks, in fresh processes
without it, that importing and calling dynstab leaves the user's dtype alone and gives the same
numbers.

It also opts in to dynstab's bounded persistent compilation cache (``DYNSTAB_CACHE_DIR``, or the
user cache directory; an empty ``DYNSTAB_CACHE_DIR`` disables it), so a second run of the suite
skips most compilation.
"""

import os
import pathlib

import pytest

import dynstab  # first: dynstab's small-loop setting must precede JAX's backend start
from dynstab._config import default_cache_dir

os.environ.setdefault("MPLBACKEND", "Agg")

import jax

jax.config.update("jax_enable_x64", True)
if (_cache := default_cache_dir()) is not None:
    dynstab.enable_compilation_cache(_cache)

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def shared_dir():
    """../shared (reference data); tests that need it skip cleanly where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not available")
    return SHARED


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium over the DevTools pipe (tests/devtools.py); skips where none is installed."""
    from devtools import DevTools, find_browser

    binary = find_browser()
    if binary is None:
        pytest.skip("no headless browser (chromium, chromium-browser or google-chrome) on this machine")
    tools = DevTools(binary)
    yield tools
    tools.close()
