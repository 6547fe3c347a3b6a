"""A headless Chromium driven through the DevTools protocol over a pipe, for the tests of HTML pages.

``--remote-debugging-pipe``: commands on fd 3, replies on fd 4, NUL-separated JSON. `open_page`
loads a file and returns its problems (console messages of level error or warning, uncaught
exceptions, failed loads), its images, widths and a screenshot. The ``browser`` fixture
(tests/conftest.py) skips where no chromium, chromium-browser or google-chrome binary is found
(.ci/run installs chromium where it can).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def high_fd(fd: int) -> int:
    """``fd`` moved to a descriptor >= 10, so the shell's redirections onto 3 and 4 cannot clobber it."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class DevTools:
    """A headless Chromium driven through the DevTools protocol on a pipe (fd 3 in, fd 4 out)."""

    def __init__(self, binary: str) -> None:
        to_browser_r, self._to_browser = (high_fd(fd) for fd in os.pipe())
        self._from_browser, from_browser_w = (high_fd(fd) for fd in os.pipe())
        self._profile = profile = tempfile.mkdtemp(prefix="dynstab-chromium-")
        args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-pipe"]
        # bash puts the pipe ends on the protocol's fixed descriptors (no preexec_fn: no fork hooks)
        redirect = f'exec "$@" 3<&{to_browser_r} 4>&{from_browser_w} {to_browser_r}<&- {from_browser_w}>&-'
        self.proc = subprocess.Popen(
            ["bash", "-c", redirect, "bash", *args, f"--user-data-dir={profile}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(to_browser_r, from_browser_w),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        msg, _, self._buf = self._buf.partition(b"\0")
        return json.loads(msg)

    def send(self, method: str, session: str | None = None, timeout: float = 30.0, **params: Any) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                assert "error" not in reply, reply
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._read(deadline))

    def close(self) -> None:
        with contextlib.suppress(TimeoutError, RuntimeError, OSError, AssertionError):
            self.send("Browser.close", timeout=5.0)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self._profile, ignore_errors=True)


def open_page(tools: DevTools, path: Path, width: int, height: int, mobile: bool) -> dict[str, Any]:
    """Load ``path`` in a new tab; its problems (console, exceptions, log), images, widths and a screenshot."""
    tools.events.clear()
    target = tools.send("Target.createTarget", url="about:blank")["targetId"]
    session = tools.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        tools.send(f"{domain}.enable", session)
    tools.send(
        "Emulation.setDeviceMetricsOverride", session, width=width, height=height, deviceScaleFactor=1, mobile=mobile
    )
    tools.send("Page.navigate", session, url=path.resolve().as_uri())
    tools.wait_for("Page.loadEventFired")
    js = (
        "JSON.stringify({images: Array.from(document.images).map(i => [i.complete, i.naturalWidth, "
        "i.naturalHeight, i.getBoundingClientRect().width]), scroll: document.documentElement.scrollWidth, "
        "inner: window.innerWidth, title: document.title})"
    )
    value = tools.send("Runtime.evaluate", session, expression=js, returnByValue=True)["result"]["value"]
    shot = tools.send("Page.captureScreenshot", session, format="png")["data"]
    tools.send("Target.closeTarget", targetId=target)
    problems = []
    for e in tools.events:
        if e.get("sessionId") != session:
            continue
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            problems.append(details.get("exception", {}).get("description") or details.get("text", "exception"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            problems.append(str(params.get("args")))
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            problems.append(params["entry"]["text"])
    return {**json.loads(value), "problems": problems, "screenshot": base64.b64decode(shot)}
