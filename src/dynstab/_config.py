"""Process-wide JAX settings: float64, single-kernel small loops, a persistent compilation cache.

* float64 everywhere (``jax_enable_x64``).
* XLA's CPU runtime executes a ``while`` loop as a sequence of small kernels ("thunks"),
  each with a fixed dispatch cost that dominates loops over a few numbers (one orbit, one
  tangent frame). XLA compiles loops whose summed buffer size is below
  ``xla_cpu_small_while_loop_byte_threshold`` (1 kB by default) into one kernel; dynstab
  raises it to 1 MiB, which measured 5x faster for the Lyapunov spectrum and 4-8x for
  adaptive trajectories of small systems, and left loops over large matrices (1000 x 1000
  matrix-vector products) on the multi-kernel path, where they stay fast. Set
  ``DYNSTAB_SMALL_LOOP_BYTES`` to change it (0 restores XLA's default); an explicit setting in
  ``XLA_FLAGS`` always wins. It must be in place before JAX starts its CPU backend, so import
  dynstab before running other JAX code.
* The compilation cache lives in the user cache directory (``DYNSTAB_CACHE_DIR`` overrides it,
  an empty value disables it), never in the repository, so a second ``dynstab analyze``
  reuses the compiled kernels of the first.
"""

import logging
import os

import jax

SMALL_LOOP_OPTION = "xla_cpu_small_while_loop_byte_threshold"
_EXTRA = "--xla_backend_extra_options="

log = logging.getLogger("dynstab")


def _with_small_loop_option(flags: str, nbytes: str) -> str:
    """XLA_FLAGS with the small-loop threshold added to (or as) the backend extra options."""
    option = f"{SMALL_LOOP_OPTION}={nbytes}"
    parts = flags.split()
    for i, part in enumerate(parts):
        if part.startswith(_EXTRA):
            existing = part[len(_EXTRA):]
            parts[i] = _EXTRA + (f"{existing},{option}" if existing else option)
            return " ".join(parts)
    return " ".join([*parts, _EXTRA + option])


def _backends_started() -> bool:
    try:
        from jax._src import xla_bridge

        return bool(xla_bridge.backends_are_initialized())
    except Exception:  # noqa: BLE001 - private API; assume not started
        return False


def configure_small_loops() -> None:
    flags = os.environ.get("XLA_FLAGS", "")
    if SMALL_LOOP_OPTION in flags:
        return
    nbytes = os.environ.get("DYNSTAB_SMALL_LOOP_BYTES", str(1 << 20)).strip()
    if not nbytes.isdigit():
        raise ValueError(f"DYNSTAB_SMALL_LOOP_BYTES must be a non-negative integer, got {nbytes!r}")
    if nbytes == "0":
        return
    if _backends_started():
        log.warning("JAX started before dynstab was imported, so dynstab's small-loop setting is not applied and "
                    "small systems simulate several times slower. Import dynstab first, or set XLA_FLAGS=%s%s=%s.",
                    _EXTRA, SMALL_LOOP_OPTION, nbytes)
        return
    os.environ["XLA_FLAGS"] = _with_small_loop_option(flags, nbytes)


def configure() -> None:
    jax.config.update("jax_enable_x64", True)
    configure_small_loops()
    cache_dir = os.environ.get("DYNSTAB_CACHE_DIR")
    if cache_dir is None:
        import platformdirs

        cache_dir = os.path.join(platformdirs.user_cache_dir("dynstab"), "jax-cache")
    if cache_dir and not jax.config.jax_compilation_cache_dir:
        jax.config.update("jax_compilation_cache_dir", cache_dir)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
