"""dynstab.files: atomic writes, the lock, merged JSON updates, damaged files (issue 14)."""

import os
import random
import signal
import stat
import subprocess
import sys
import time

import pytest

from dynstab.files import (
    DamagedFileError,
    atomic_write_bytes,
    atomic_write_text,
    lock_path,
    locked,
    read_json,
    update_json,
)

# A writer that adds entries to a JSON file through update_json, one at a time, and reports each
# finished one on stdout ("done KEY") only after update_json returned.
WRITER = r"""
import sys, time
from dynstab.files import update_json

path, prefix, n, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
payload = "x" * int(sys.argv[5])

def add(key):
    def merge(current):
        current = current or {"systems": {}}
        time.sleep(pause)  # widen the read-modify-write window: without the lock, writers would overwrite
        current["systems"][key] = {"value": key, "payload": payload}
        return current
    return merge

print("ready", flush=True)
for i in range(n):
    key = f"{prefix}{i}"
    update_json(path, add(key))
    print("done", key, flush=True)
"""


def _writer(path, prefix, n, pause=0.0, payload=100):
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), prefix, str(n), str(pause), str(payload)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_atomic_write_replaces_the_content_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "a.json"
    atomic_write_text(path, "one")
    atomic_write_bytes(path, b"two")
    assert path.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_atomic_write_keeps_the_permissions_of_the_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old")
    os.chmod(path, 0o640)
    atomic_write_text(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_text() == "new"


def test_atomic_write_to_a_missing_folder_fails_cleanly(tmp_path):
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "nope" / "a.json", "{}")
    assert list(tmp_path.iterdir()) == []


def test_update_json_creates_then_merges(tmp_path):
    path = tmp_path / "r.json"
    seen = []

    def add(key):
        def merge(current):
            seen.append(current)
            current = current or {}
            current[key] = 1
            return current

        return merge

    assert update_json(path, add("a")) == {"a": 1}
    assert update_json(path, add("b")) == {"a": 1, "b": 1}
    assert seen[0] is None and read_json(path) == {"a": 1, "b": 1}
    assert lock_path(path).name == "r.json.lock"


def test_update_json_writes_nothing_when_the_update_fails(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"a": 1}\n')

    def boom(current):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        update_json(path, boom)
    assert path.read_text() == '{"a": 1}\n'


def test_the_lock_excludes_another_process(tmp_path):
    path = tmp_path / "r.json"
    code = "import sys; from dynstab.files import locked\nwith locked(sys.argv[1], timeout=0.2): pass"
    with locked(path):
        held = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert held.returncode != 0 and "is locked by another process" in held.stderr
    free = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert free.returncode == 0, free.stderr


@pytest.mark.parametrize(
    "content, what",
    [
        (b'{"systems": {"henon": {"max_lyap', "truncated"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8"),
        (b"{'single': quotes}", "not valid JSON"),
    ],
    ids=["truncated", "empty", "binary", "not-json"],
)
def test_a_damaged_file_is_a_clear_error_and_is_left_untouched(tmp_path, content, what):
    path = tmp_path / "meta.json"
    path.write_bytes(content)
    before = path.stat().st_mtime_ns
    with pytest.raises(DamagedFileError) as info:
        read_json(path)
    message = str(info.value)
    assert str(path) in message and what in message
    assert "restore it from version control" in message and "delete it to start over" in message
    assert "\n" not in message
    with pytest.raises(DamagedFileError):
        update_json(path, lambda current: {"replaced": True})
    assert path.read_bytes() == content and path.stat().st_mtime_ns == before


def test_two_concurrent_writers_keep_all_their_entries(tmp_path):
    path = tmp_path / "r.json"
    procs = [_writer(path, prefix, 4, pause=0.05) for prefix in ("a", "b")]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    assert sorted(read_json(path)["systems"]) == [f"{p}{i}" for p in "ab" for i in range(4)]


def test_kill_9_at_random_points_never_loses_a_finished_entry_nor_damages_the_file(tmp_path):
    """A writer is killed (SIGKILL) 24 times at seeded random points of its loop of update_json calls."""
    path = tmp_path / "r.json"
    rng = random.Random(14)
    finished: set[str] = set()
    kills = 24
    for run in range(kills):
        proc = _writer(path, f"run{run}-", 10_000, payload=rng.choice([10, 20_000, 200_000]))
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        done = {line.split()[1] for line in out.splitlines() if line.startswith("done ")}
        finished |= done
        content = read_json(path) if path.exists() else {"systems": {}}  # always loads
        missing = finished - set(content["systems"])
        assert not missing, f"kill {run}: lost {sorted(missing)[:5]}"
    assert len(finished) > kills  # the kills did land between and inside writes, not only before the first
