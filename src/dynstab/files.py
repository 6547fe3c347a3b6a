"""The one place that writes files: atomic replacement, an inter-process lock, merged JSON updates.

The rules are SQLite's and git's: a file is never written in place. The new content goes to a
temporary file in the same folder, which is flushed and ``fsync``-ed, then renamed over the
target with `os.replace` (atomic on POSIX and Windows), and the folder is ``fsync``-ed so the
rename itself survives a power loss. A reader therefore sees the old file or the new one, never
a mix, whatever happens to the writer (``kill -9`` included).

Two processes updating the same file take a lock (`locked`, a ``.lock`` file next to it) and
read-modify-write under it (`update_json`), so their changes merge instead of the last writer
overwriting the first one's work. `read_json` turns a damaged file into a `DamagedFileError`
that names the file and says how to recover, and never touches the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "DamagedFileError",
    "atomic_write_bytes",
    "atomic_write_text",
    "lock_path",
    "locked",
    "read_json",
    "update_json",
]


class DamagedFileError(ValueError):
    """A file exists but cannot be read as what it should be (truncated, not JSON, binary garbage).

    The message names the file, says what is wrong and how to recover; the file is left as it was.
    """


def _fsync_folder(folder: Path) -> None:
    """``fsync`` a folder so that a rename in it is durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; its rename is durable on its own
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not support fsync on a folder
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Write a file atomically and durably through a writer that wants a path of its own.

    Yields a temporary path in the same folder as ``path`` (same file system, so the rename is
    atomic); whatever the block writes there is ``fsync``-ed and renamed over ``path`` with
    `os.replace` when the block ends normally, and the folder is ``fsync``-ed last. A reader,
    or a later run after a crash, Ctrl-C or ``kill -9``, sees either the old content or the
    new one, never a partial file. If the block raises (KeyboardInterrupt included), the
    temporary file is removed and ``path`` is unchanged. An existing file keeps its permission
    bits; a new one gets the usual ``0o666`` less the umask.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.

    Raises
    ------
    OSError
        If the folder does not exist or is not writable, or the disk is full; ``path`` is then
        unchanged and no temporary file is left behind.

    Examples
    --------
    >>> with atomic_output("lorenz.nc") as tmp:  # doctest: +SKIP
    ...     dataset.to_netcdf(tmp)
    """
    path = Path(path)
    folder = path.parent
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the content of ``path`` by ``data`` atomically and durably (see `atomic_output`).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    data : bytes
        The new content.

    Raises
    ------
    OSError
        If the folder does not exist or is not writable, or the disk is full; ``path`` is then
        unchanged and no temporary file is left behind.
    """
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike[str], data: str, *, encoding: str = "utf-8") -> None:
    """Replace the content of ``path`` by the text ``data`` atomically (see `atomic_write_bytes`).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    data : str
        The new content.
    encoding : str, default "utf-8"
        The text encoding.

    Raises
    ------
    OSError
        As `atomic_write_bytes`; ``path`` is then unchanged.
    """
    atomic_write_bytes(path, data.encode(encoding))


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock file that `locked` uses for ``path``: ``path`` with ``.lock`` appended, in the same folder.

    Parameters
    ----------
    path : str or os.PathLike
        The file the lock protects.

    Returns
    -------
    pathlib.Path
        ``<path>.lock``.
    """
    path = Path(path)
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def locked(path: str | os.PathLike[str], *, timeout: float | None = None) -> Iterator[None]:
    """Hold an inter-process lock on ``path`` for the duration of the ``with`` block.

    The lock is an OS file lock (`filelock.FileLock`) on ``<path>.lock`` next to the file; the
    operating system releases it when the holder exits, even by ``kill -9``, so a crashed writer
    never leaves the file locked. It protects a read-modify-write (`update_json`) against other
    processes that take the same lock; it does not stop a process that ignores it. The lock is
    not reentrant: do not take it again inside the block.

    Parameters
    ----------
    path : str or os.PathLike
        The file to protect (it need not exist yet; its folder must).
    timeout : float, optional
        Seconds to wait for another holder; None waits as long as it takes.

    Yields
    ------
    None
        The lock is held inside the block.

    Raises
    ------
    TimeoutError
        If ``timeout`` passed without getting the lock (`filelock.Timeout` is a subclass); the
        message names the lock file.
    """
    from filelock import FileLock, Timeout

    lock = FileLock(lock_path(path), timeout=-1 if timeout is None else timeout)
    try:
        lock.acquire()
    except Timeout as exc:
        raise TimeoutError(
            f"{path} is locked by another process (lock file {lock_path(path)}); wait for it to finish"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def read_json(path: str | os.PathLike[str]) -> Any:
    """The content of the JSON file ``path``; a damaged file is a clear error and is left untouched.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.

    Returns
    -------
    Any
        The decoded JSON value.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DamagedFileError
        If the file is empty, truncated, not UTF-8 or not JSON; the message names the file, what
        is wrong and how to recover (restore it from version control or a backup, or delete it
        to start over). The file is never modified.
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        if not text.strip():
            raise ValueError("the file is empty")
        return json.loads(text)
    except UnicodeDecodeError as exc:
        what = f"not UTF-8 text (binary data at byte {exc.start})"
    except json.JSONDecodeError as exc:
        ends_early = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        where = "it ends early (truncated?)" if ends_early else f"line {exc.lineno} column {exc.colno}"
        what = f"not valid JSON: {exc.msg}, {where}"
    except ValueError as exc:
        what = str(exc)
    raise DamagedFileError(
        f"{path} is damaged ({what}); it was left untouched: restore it from version control or a backup, "
        "or delete it to start over"
    )


def update_json(
    path: str | os.PathLike[str],
    update_fn: Callable[[Any], Any],
    *,
    indent: int | None = 1,
    sort_keys: bool = True,
    timeout: float | None = None,
) -> Any:
    """Read-modify-write the JSON file ``path`` under its lock, so that concurrent writers merge.

    Under `locked`: the current content is read (`read_json`; None when the file does not exist),
    ``update_fn`` returns the new content, and that is written with `atomic_write_text`. Two
    processes that each add their own entries therefore keep all of them, and a writer killed at
    any point leaves either the previous content or the new one.

    Parameters
    ----------
    path : str or os.PathLike
        The JSON file; created if missing (its folder must exist).
    update_fn : callable
        ``update_fn(current) -> new``; ``current`` is the decoded content, or None when the file
        does not exist yet. It may modify ``current`` in place and return it. It runs with the
        lock held, so it should be quick (compute first, merge here).
    indent : int or None, default 1
        Indentation of the written JSON (`json.dumps`).
    sort_keys : bool, default True
        Write object keys sorted, so that files diff well under version control.
    timeout : float, optional
        Seconds to wait for the lock (see `locked`); None waits as long as it takes.

    Returns
    -------
    Any
        The new content, as written.

    Raises
    ------
    DamagedFileError
        If the existing file is damaged; nothing is written.
    OSError
        If the file cannot be written; it is then unchanged.
    """
    path = Path(path)
    with locked(path, timeout=timeout):
        current = read_json(path) if path.exists() else None
        new = update_fn(current)
        atomic_write_text(path, json.dumps(new, indent=indent, sort_keys=sort_keys) + "\n")
    return new
