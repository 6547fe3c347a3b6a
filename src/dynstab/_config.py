"""What dynstab changes in the JAX process, and when.

``import dynstab`` changes one thing, and only while it is still possible without surprise:

* **Small-loop threshold** (``XLA_FLAGS``). XLA's CPU runtime executes a ``while`` loop as a
  sequence of small kernels ("thunks"), each with a fixed dispatch cost that dominates loops
  over a few numbers (one orbit, one tangent frame). XLA compiles loops whose summed buffer
  size is below ``xla_cpu_small_while_loop_byte_threshold`` (1 kB by default) into one
  kernel; dynstab raises it to 1 MiB, which measured 5x faster for the Lyapunov spectrum and
  4-8x for adaptive trajectories of small systems, and leaves loops over large matrices
  (1000 x 1000 matrix-vector products) on the multi-kernel path, where they stay fast. The
  option is read once, when JAX starts its CPU backend, so ``import dynstab`` adds it to
  ``os.environ["XLA_FLAGS"]`` only if that backend has not started yet; it changes the speed
  of loops, never a result. ``DYNSTAB_SMALL_LOOP_BYTES`` sets the threshold (``0`` leaves
  ``XLA_FLAGS`` alone); an explicit setting of the option in ``XLA_FLAGS`` always wins.

Nothing else happens at import: JAX is not even imported. Two further settings are
process-global in JAX and are therefore made only in dynstab's own process (the ``dynstab``
command, see `configure_cli_process`) or on the user's explicit request:

* **float64.** dynstab's public functions compute in float64 inside a thread-local
  ``jax.enable_x64`` scope (`dynstab._precision`), so the user's own JAX code keeps JAX's
  default dtype. The command line runs each command inside that scope.
* **Persistent compilation cache.** `enable_compilation_cache` turns on JAX's on-disk cache of
  compiled kernels, bounded in size (least recently used entries are evicted) and only for
  kernels that took a noticeable time to compile. The command line calls it with
  ``DYNSTAB_CACHE_DIR`` (default: the user cache directory; an empty value disables it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

SMALL_LOOP_OPTION = "xla_cpu_small_while_loop_byte_threshold"
SMALL_LOOP_ENV = "DYNSTAB_SMALL_LOOP_BYTES"
DEFAULT_SMALL_LOOP_BYTES = 1 << 20
CACHE_ENV = "DYNSTAB_CACHE_DIR"
DEFAULT_CACHE_MAX_MB = 512.0
DEFAULT_MIN_COMPILE_TIME_S = 0.05
_EXTRA = "--xla_backend_extra_options="

log = logging.getLogger("dynstab")


class ConfigError(ValueError):
    """An invalid ``DYNSTAB_*`` environment variable; the message is one line naming it."""


def _with_small_loop_option(flags: str, nbytes: str) -> str:
    """XLA_FLAGS with the small-loop threshold added to (or as) the backend extra options."""
    option = f"{SMALL_LOOP_OPTION}={nbytes}"
    parts = flags.split()
    for i, part in enumerate(parts):
        if part.startswith(_EXTRA):
            existing = part[len(_EXTRA) :]
            parts[i] = _EXTRA + (f"{existing},{option}" if existing else option)
            return " ".join(parts)
    return " ".join([*parts, _EXTRA + option])


def _backends_started() -> bool:
    """Whether JAX has started a backend (XLA_FLAGS is read then, never again)."""
    if "jax" not in sys.modules:  # JAX not imported: certainly not started (and stays unimported)
        return False
    try:
        from jax._src import xla_bridge

        return bool(xla_bridge.backends_are_initialized())
    except Exception:  # noqa: BLE001 - private API; assume not started
        return False


def small_loop_bytes() -> int:
    """The small-loop threshold in bytes from ``DYNSTAB_SMALL_LOOP_BYTES`` (default 1 MiB).

    Returns
    -------
    int
        The threshold; ``0`` means "leave XLA's default".

    Raises
    ------
    ConfigError
        If the variable is not a non-negative integer.
    """
    raw = os.environ.get(SMALL_LOOP_ENV)
    if raw is None:
        return DEFAULT_SMALL_LOOP_BYTES
    text = raw.strip()
    if not text.isdigit():
        raise ConfigError(f"{SMALL_LOOP_ENV} must be a byte count >= 0, got {raw!r}")
    return int(text)


def configure_small_loops(*, warn: bool = True) -> bool:
    """Add dynstab's small-loop threshold to ``XLA_FLAGS`` if JAX's backend has not started.

    Called by ``import dynstab`` and by the command line. It does nothing when
    ``DYNSTAB_SMALL_LOOP_BYTES=0``, when ``XLA_FLAGS`` already sets the option, or when JAX
    already started its backend (the flag would be ignored; a warning then says so).

    Parameters
    ----------
    warn : bool, default True
        Log a warning on the ``dynstab`` logger when the backend had already started.

    Returns
    -------
    bool
        Whether ``XLA_FLAGS`` now carries dynstab's threshold.

    Raises
    ------
    ConfigError
        If ``DYNSTAB_SMALL_LOOP_BYTES`` is not a non-negative integer.
    """
    nbytes = small_loop_bytes()
    flags = os.environ.get("XLA_FLAGS", "")
    if nbytes == 0 or SMALL_LOOP_OPTION in flags:
        return False
    if _backends_started():
        if warn:
            log.warning(
                "JAX started before dynstab was imported, so dynstab's small-loop setting is not applied and "
                "small systems simulate several times slower. Import dynstab first, or set XLA_FLAGS=%s%s=%d "
                "(%s=0 silences this).",
                _EXTRA,
                SMALL_LOOP_OPTION,
                nbytes,
                SMALL_LOOP_ENV,
            )
        return False
    os.environ["XLA_FLAGS"] = _with_small_loop_option(flags, str(nbytes))
    return True


def default_cache_dir() -> Path | None:
    """The command line's compilation cache folder: ``DYNSTAB_CACHE_DIR``, else the user cache dir.

    Returns
    -------
    pathlib.Path or None
        ``None`` when ``DYNSTAB_CACHE_DIR`` is set to an empty value (cache disabled).
    """
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return Path(env).expanduser() if env.strip() else None
    return _user_cache_dir()


def _user_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("dynstab")) / "jax-cache"


def enable_compilation_cache(
    path: str | os.PathLike[str] | None = None,
    *,
    max_size_mb: float = DEFAULT_CACHE_MAX_MB,
    min_compile_time_s: float = DEFAULT_MIN_COMPILE_TIME_S,
) -> Path:
    """Turn on JAX's persistent compilation cache, bounded, for this process.

    Compiled kernels that took at least ``min_compile_time_s`` to compile are written to
    ``path`` and reused by later processes, so a second run of the same analysis skips most of
    its compilation. The folder is kept under ``max_size_mb``: when a new entry would exceed
    it, the least recently used entries are deleted.

    JAX's cache settings are process-global: after this call *every* ``jit`` of the process
    (the caller's own included) may read and write the cache. That is why ``import dynstab``
    does not call it; the ``dynstab`` command does, with ``DYNSTAB_CACHE_DIR``.

    Parameters
    ----------
    path : str or os.PathLike, optional
        Cache folder (created if needed). Default: ``DYNSTAB_CACHE_DIR`` if set and not
        empty, else ``<user cache dir>/dynstab/jax-cache``.
    max_size_mb : float, default 512
        Size bound of the folder in MiB; must be positive.
    min_compile_time_s : float, default 0.05
        Only kernels that took at least this long to compile are cached. dynstab's solvers
        compile in 0.1-2 s and are worth keeping; the many small helper kernels (array
        stacking, seeding) compile in 5-30 ms, about what reading them back would cost.
        JAX's own default, 1 s, would leave out most of dynstab's solvers.

    Returns
    -------
    pathlib.Path
        The cache folder.

    Raises
    ------
    ValueError
        If ``max_size_mb`` is not positive or ``min_compile_time_s`` is negative.
    ImportError
        If the ``filelock`` package, which JAX needs to bound the cache, is missing.

    Examples
    --------
    >>> import dynstab
    >>> dynstab.enable_compilation_cache("~/.cache/my-project-jax", max_size_mb=256)  # doctest: +SKIP
    """
    if not max_size_mb > 0:
        raise ValueError(f"max_size_mb must be positive, got {max_size_mb!r}")
    if not min_compile_time_s >= 0:
        raise ValueError(f"min_compile_time_s must be >= 0, got {min_compile_time_s!r}")
    if path is None:
        path = default_cache_dir() or _user_cache_dir()
    folder = Path(path).expanduser().resolve()
    try:
        import filelock  # noqa: F401 - JAX bounds the cache only with it
    except ImportError as exc:
        raise ImportError("a bounded compilation cache needs the 'filelock' package (pip install filelock)") from exc
    import jax

    folder.mkdir(parents=True, exist_ok=True)
    _adopt_unrecorded_entries(folder)
    previous = jax.config.values["jax_compilation_cache_dir"]
    jax.config.update("jax_compilation_cache_max_size", int(max_size_mb * 2**20))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(min_compile_time_s))
    jax.config.update("jax_compilation_cache_dir", str(folder))
    if previous and previous != str(folder):
        from jax.experimental.compilation_cache import compilation_cache

        compilation_cache.reset_cache()  # JAX opens its cache once; reopen it at the new folder
    return folder


def started_as_cli() -> bool:
    """Whether this process is the ``dynstab`` command (console script or ``python -m dynstab.cli``).

    ``import dynstab`` uses it to leave an invalid ``DYNSTAB_*`` variable to the command,
    which reports it as a one-line ``error:`` instead of a traceback.
    """
    argv = getattr(sys, "orig_argv", sys.argv)
    return (len(argv) > 1 and Path(argv[1]).name in ("dynstab", "dynstab.exe")) or argv[1:3] == ["-m", "dynstab.cli"]


def _adopt_unrecorded_entries(folder: Path) -> None:
    """Give entries written without a size bound (older dynstab, or JAX's default) the access-time
    record that JAX's eviction reads for every entry (it fails on an entry without one)."""
    for entry in folder.glob("*-cache"):
        record = entry.with_name(entry.name.removesuffix("-cache") + "-atime")
        if not record.exists():
            with contextlib.suppress(OSError):  # removed meanwhile by another process's eviction
                record.write_bytes(entry.stat().st_mtime_ns.to_bytes(8, "little"))


def configure_cli_process() -> None:
    """Settings of the ``dynstab`` command's own process (never called by ``import dynstab``).

    The small-loop threshold (as at import) and the persistent compilation cache from
    ``DYNSTAB_CACHE_DIR``, unless JAX's cache was already configured (for example with
    ``JAX_COMPILATION_CACHE_DIR``). float64 is not set here: each command runs inside
    `dynstab._precision.float64_scope`.

    Raises
    ------
    ConfigError
        If ``DYNSTAB_SMALL_LOOP_BYTES`` is invalid.
    """
    configure_small_loops(warn=False)  # started in-process (tests) JAX may be running: nothing to tell
    folder = default_cache_dir()
    if folder is None:
        return
    import jax

    if jax.config.values["jax_compilation_cache_dir"]:
        return
    try:
        enable_compilation_cache(folder)
    except (ImportError, OSError) as exc:  # a cache is an optimisation: never fail a command over it
        log.warning("compilation cache disabled: %s", exc)
