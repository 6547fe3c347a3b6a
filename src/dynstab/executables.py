"""Compiled kernels kept on disk between processes, so a warm run skips tracing as well as compiling.

JAX's persistent compilation cache (`dynstab.enable_compilation_cache`) saves the XLA
compilation of a kernel, but finds it by the hash of the lowered program: every process still
traces and lowers each kernel before it can look it up. For dynstab's large kernels that is most
of a warm run: ``dynstab analyze lorenz`` spent 0.6-1.2 s of 2.2 CPU-seconds tracing and lowering
the Lyapunov, fixed-point and trajectory kernels whose compiled code it then read from the cache
(issue 15). `persistent_jit` keys a kernel by what determines its program instead, and stores the
compiled executable itself (`jax.experimental.serialize_executable`); a later process loads it
in a few milliseconds.

The key is a SHA-256 of

* the kernel (module and qualified name) and dynstab's source: every ``.py`` file of the
  installed package, so editing any of them invalidates every entry;
* the static arguments, walked to their leaves: numbers, strings, arrays (by value), and
  functions by module, qualified name, code and closure. Only functions defined inside dynstab
  (the catalog's laws, the derived systems' closures) are accepted: a user's own law can change
  without dynstab seeing it, so a kernel that involves one is compiled as usual (`jax.jit`), and
  so is anything else the walk does not know;
* the shapes, dtypes and weak types of the traced arguments and their tree structure;
* JAX and jaxlib versions, the backend and its devices, ``XLA_FLAGS``, the CPU model and flags,
  and the JAX settings that change a program (float64, matmul precision, PRNG, promotion).

It is used on the CPU backend only while JAX's persistent cache is on (the ``dynstab`` command turns it on; a user
calls `dynstab.enable_compilation_cache`), in ``<cache folder>/dynstab-executables``, bounded to
a quarter of that cache's size (least recently used entries go first). A damaged or unreadable
entry is deleted and the kernel compiled again. Results are those of `jax.jit`: the same program,
compiled by the same XLA (tests/test_executables.py compares them bit for bit across processes).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import inspect
import os
import pickle
import platform
import threading
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import numpy as np

from .files import atomic_output

SUBFOLDER = "dynstab-executables"
#: Share of JAX's persistent-cache size bound given to stored executables.
SIZE_SHARE = 0.25
_PACKAGE = Path(__file__).resolve().parent
_CONFIG_NAMES = (
    "jax_default_matmul_precision",
    "jax_default_prng_impl",
    "jax_threefry_partitionable",
    "jax_numpy_dtype_promotion",
    "jax_numpy_rank_promotion",
)


#: Settings under which a kernel runs as plain `jax.jit` (no compiled program, or checks made outside it).
_BYPASS = ("jax_disable_jit", "jax_debug_nans", "jax_debug_infs")


class _NotStable(Exception):
    """A static value whose identity cannot be written down across processes (a user's function...)."""


def persistent_jit(
    fn: Callable[..., Any] | None = None, *, static_argnames: Iterable[str] = (), filter_arrays: bool = False
) -> Any:
    """`jax.jit` (or `equinox.filter_jit` with ``filter_arrays``) whose compiled kernels persist on disk.

    Parameters
    ----------
    fn : callable
        The kernel; all its arguments must be passable by keyword.
    static_argnames : iterable of str
        Arguments that are compile-time constants, as for `jax.jit`.
    filter_arrays : bool, default False
        Trace only the array leaves of the arguments and hold everything else static, as
        `equinox.filter_jit` does (for a kernel that takes a system: its parameters are traced).

    Returns
    -------
    callable
        The jitted kernel: called as ``fn``; with the persistent cache on and every static part
        stable (see the module docstring), it loads or stores the compiled executable.
    """
    if fn is None:
        return functools.partial(persistent_jit, static_argnames=static_argnames, filter_arrays=filter_arrays)
    statics = tuple(static_argnames)
    plain = eqx.filter_jit(fn) if filter_arrays else jax.jit(fn, static_argnames=statics)
    signature = inspect.signature(fn)
    loaded: dict[str, Any] = {}
    lock = threading.Lock()

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        folder = _store_folder()
        if folder is None or any(jax.config.values.get(name) for name in _BYPASS):
            return plain(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        named = dict(bound.arguments)
        if filter_arrays:
            dynamic, static = eqx.partition(named, eqx.is_array)
        else:
            static = {k: v for k, v in named.items() if k in statics}
            dynamic = {k: v for k, v in named.items() if k not in statics}
        leaves, treedef = jax.tree.flatten(dynamic)
        if any(isinstance(leaf, jax.core.Tracer) for leaf in leaves):  # inside a transformation
            return plain(*args, **kwargs)
        try:
            key = _key(fn, static, leaves, treedef)
        except _NotStable:
            return plain(*args, **kwargs)
        with lock:
            compiled = loaded.get(key)
        fresh = compiled is None and not (folder / f"{key}.xla").exists()
        if compiled is None:
            compiled = None if fresh else _load(folder, key)
            if compiled is None:
                compiled, fresh = _compile(fn, static, treedef, leaves, filter_arrays), True
                _store(folder, key, compiled)
            with lock:
                loaded[key] = compiled
        try:
            return compiled(leaves)
        except jax.errors.JaxRuntimeError:
            if fresh:
                raise
            # a stored program that does not run here (see `_compile`): drop it, run the kernel as jax.jit does
            (folder / f"{key}.xla").unlink(missing_ok=True)
            with lock:
                loaded.pop(key, None)
            return plain(*args, **kwargs)

    call.plain = plain  # type: ignore[attr-defined]  # the kernel without the disk store (tests, benchmarks)
    return call


def _compile(fn: Callable[..., Any], static: Any, treedef: Any, leaves: list[Any], filter_arrays: bool) -> Any:
    """Trace, lower and compile ``fn`` with ``static`` held constant and the array ``leaves`` traced.

    The program takes the flat list of leaves: its input tree then holds no static value (a system's law
    in an equinox module's tree cannot be pickled with the executable).
    """

    def program(flat: list[Any]) -> Any:
        dyn = jax.tree.unflatten(treedef, flat)
        named = eqx.combine(dyn, static) if filter_arrays else {**dyn, **static}
        return fn(**named)

    # compiled with JAX's persistent cache off: an executable that JAX read back from its cache serializes
    # without its kernels' code (a later process fails with "NOT_FOUND: Function ... not found";
    # jax/jaxlib 0.10.2, tests/test_executables.py), so the stored program is always a fresh compilation.
    # Turning the cache off for one compilation takes a reset (JAX decides once per process whether it reads
    # the cache); the folder and the cache come back for every other compilation of the process.
    from jax.experimental.compilation_cache import compilation_cache

    cache_dir = jax.config.values.get("jax_compilation_cache_dir")
    compilation_cache.reset_cache()
    jax.config.update("jax_compilation_cache_dir", None)
    try:
        return jax.jit(program).lower(leaves).compile()
    finally:
        jax.config.update("jax_compilation_cache_dir", cache_dir)
        compilation_cache.reset_cache()


# --- the key -------------------------------------------------------------------------------------
def _key(fn: Callable[..., Any], static: Any, leaves: list[Any], treedef: Any) -> str:
    h = hashlib.sha256()
    for part in (
        _environment(),
        _source_digest(),
        (fn.__module__, fn.__qualname__),
        _token(static),
        _token(jax.tree.unflatten(treedef, [None] * treedef.num_leaves)),  # not str(treedef): it prints addresses
        tuple(_leaf_type(leaf) for leaf in leaves),
        str(jax.dtypes.canonicalize_dtype(np.float64)),  # float64 on or off here (a thread-local scope)
        tuple(repr(jax.config.values.get(name)) for name in _CONFIG_NAMES),
    ):
        h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def _leaf_type(leaf: Any) -> tuple[Any, ...]:
    aval = jax.typeof(leaf) if isinstance(leaf, jax.Array) else jax.typeof(np.asarray(leaf))
    weak = getattr(aval, "weak_type", False) or isinstance(leaf, (bool, int, float, complex))
    return (tuple(aval.shape), str(aval.dtype), bool(weak))


def _token(value: Any, depth: int = 0) -> Any:
    """A process-independent description of a static value; `_NotStable` for what has none."""
    if depth > 64:
        raise _NotStable("too deep")
    d = depth + 1
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return (type(value).__name__, repr(value))
    if isinstance(value, (np.ndarray, np.generic, jax.Array)):
        arr = np.asarray(value)
        return ("array", str(arr.dtype), arr.shape, hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest())
    if isinstance(value, (tuple, list)) and not hasattr(value, "_fields"):
        return (type(value).__name__, tuple(_token(v, d) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(k), _token(v, d)) for k, v in value.items())))
    if isinstance(value, (frozenset, set)):
        return ("set", tuple(sorted(repr(_token(v, d)) for v in value)))
    if isinstance(value, functools.partial):
        return ("partial", _token(value.func, d), _token(value.args, d), _token(value.keywords, d))
    if isinstance(value, types.MethodType):
        return ("method", _token(value.__self__, d), _token(value.__func__, d))
    if isinstance(value, types.FunctionType):
        return _function_token(value, d)
    if isinstance(value, type):
        return ("type", _own_name(value))
    if hasattr(value, "_fields"):  # a NamedTuple
        return ("namedtuple", _own_name(type(value)), tuple(_token(v, d) for v in value))
    if dataclasses.is_dataclass(value):  # frozen dataclasses and equinox modules
        fields = tuple((f.name, _token(getattr(value, f.name, None), d)) for f in dataclasses.fields(value))
        return ("dataclass", _own_name(type(value)), fields)
    if isinstance(value, np.dtype):
        return ("dtype", str(value))
    raise _NotStable(type(value).__name__)


def _own_name(obj: Any) -> tuple[str, str]:
    """Module and qualified name of a class or function defined in dynstab (or a library type)."""
    module = getattr(obj, "__module__", None) or ""
    if not (module == "dynstab" or module.startswith(("dynstab.", "builtins", "numpy", "jax", "equinox"))):
        raise _NotStable(f"{module}.{getattr(obj, '__qualname__', '?')}")
    return (module, obj.__qualname__)


def _function_token(fn: types.FunctionType, depth: int) -> Any:
    module = fn.__module__ or ""
    if not (module == "dynstab" or module.startswith("dynstab.")):  # a user's function can change unseen
        raise _NotStable(f"{module}.{fn.__qualname__}")
    code = fn.__code__
    cells = tuple(_token(c.cell_contents, depth) for c in fn.__closure__ or ())
    return (
        "function",
        module,
        fn.__qualname__,
        code.co_firstlineno,
        hashlib.sha256(code.co_code + repr(code.co_consts).encode()).hexdigest(),
        cells,
        _token(fn.__defaults__, depth),
        _token(fn.__kwdefaults__, depth),
    )


@functools.cache
def _source_digest() -> str:
    """SHA-256 over dynstab's own Python source (paths and contents)."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(_PACKAGE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@functools.cache
def _environment() -> tuple[Any, ...]:
    import jaxlib

    devices = tuple(d.device_kind for d in jax.devices())
    return (
        jax.__version__,
        jaxlib.__version__,
        jax.default_backend(),
        devices,
        os.environ.get("XLA_FLAGS", ""),
        _cpu(),
        platform.python_version(),
    )


def _cpu() -> str:
    """The CPU model and feature flags (an executable may use instructions another CPU lacks)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return f"{platform.machine()} {platform.processor()}"
    keep = [line for line in text.splitlines() if line.startswith(("model name", "flags", "Features"))]
    return "\n".join(sorted(set(keep)))


# --- the store -----------------------------------------------------------------------------------
def _store_folder() -> Path | None:
    """``<JAX's persistent cache folder>/dynstab-executables``, or None while that cache is off."""
    base = jax.config.values.get("jax_compilation_cache_dir")
    if not base or "://" in str(base) or jax.default_backend() != "cpu":  # GPU libraries need their own set-up
        return None
    return Path(base) / SUBFOLDER


@functools.cache
def _prepare_custom_calls() -> None:
    """Register LAPACK's handlers, as `jax.export` does before it runs a deserialized program.

    JAX registers them while lowering the first linear-algebra operation of a process; a program read
    back from disk in a process that lowered none calls unregistered handlers and crashes
    (``jnp.linalg.solve``, QR: segmentation fault, jaxlib 0.10.2).
    """
    try:
        from jax._src.lax import linalg

        linalg.initialize_lapack()
    except (ImportError, AttributeError):  # a JAX without it: lowering any LAPACK operation registers them
        jax.jit(jax.numpy.linalg.qr).lower(np.eye(2))


def _load(folder: Path, key: str) -> Any:
    path = folder / f"{key}.xla"
    _prepare_custom_calls()
    try:
        payload, in_tree, out_tree = pickle.loads(path.read_bytes())
        from jax.experimental.serialize_executable import deserialize_and_load

        compiled = deserialize_and_load(payload, in_tree, out_tree)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged or foreign entry: drop it and compile again
        path.unlink(missing_ok=True)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: evicted last
    return compiled


def _store(folder: Path, key: str, compiled: Any) -> None:
    try:
        from jax.experimental.serialize_executable import serialize

        blob = pickle.dumps(serialize(compiled), protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_output(folder / f"{key}.xla") as tmp:
            Path(tmp).write_bytes(blob)
        _evict(folder)
    except Exception:  # noqa: BLE001 - a kernel that cannot be stored still runs; the next process compiles it
        return


def _evict(folder: Path) -> None:
    """Delete the least recently used entries beyond `SIZE_SHARE` of JAX's cache size bound."""
    bound = jax.config.values.get("jax_compilation_cache_max_size", -1)
    if not bound or bound < 0:
        return
    limit = SIZE_SHARE * bound
    entries = []
    for path in folder.glob("*.xla"):
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((st.st_mtime_ns, st.st_size, path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        path.unlink(missing_ok=True)
        total -= size
