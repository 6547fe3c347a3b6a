"""Process-wide JAX settings: float64 everywhere and a persistent compilation cache.

The cache lives in the user cache directory (``DYNSTAB_CACHE_DIR`` overrides it, an
empty value disables it), never in the repository, so a second ``dynstab analyze``
reuses the compiled kernels of the first.
"""

import os

import jax


def configure() -> None:
    jax.config.update("jax_enable_x64", True)
    cache_dir = os.environ.get("DYNSTAB_CACHE_DIR")
    if cache_dir is None:
        import platformdirs

        cache_dir = os.path.join(platformdirs.user_cache_dir("dynstab"), "jax-cache")
    if cache_dir and not jax.config.jax_compilation_cache_dir:
        jax.config.update("jax_compilation_cache_dir", cache_dir)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
