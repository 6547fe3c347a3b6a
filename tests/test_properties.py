"""Malformed files, arguments and arrays, thrown at the loaders, the public functions and the CLI (issue 14).

The property, everywhere: a clear ``ValueError``/``TypeError`` (library; a loader's message names
the file) or exit code 2 with one ``error:`` line and no traceback (command line), or a valid
result; never a hang, a NaN result, or another exception.

Each property runs twice: a fast profile in the default suite (a few derandomized examples,
whole file well under 30 s) and a larger randomized profile marked ``slow``
(``pytest -m slow tests/test_properties.py``). Cases that still fail in modules this file's
author does not own are marked ``xfail`` with the failing input, so the suite stays green and
the list stays visible.
"""

from __future__ import annotations

import contextlib
import json
import math
import signal
import string
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import dynstab
from dynstab import systems
from dynstab.cli import app
from dynstab.files import read_json
from dynstab.timeseries import io as ts_io

PROFILES = {
    "fast": dict(max_examples=6, derandomize=True),
    "slow": dict(max_examples=120, derandomize=False),
}
COMMON = dict(
    deadline=timedelta(seconds=30),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
HANG_SECONDS = 60  # a call that runs longer is a hang


@pytest.fixture(params=["fast", pytest.param("slow", marks=pytest.mark.slow)])
def profile(request):
    return request.param


def known_failure(request, profile: str, reason: str | None) -> None:
    """Mark a known failure (in a module this file's author does not own): the fast profile
    skips it as xfail at once; the slow profile runs it, so a fix shows up as XPASS."""
    if reason is None:
        return
    if profile == "fast":
        pytest.xfail(reason)
    request.applymarker(pytest.mark.xfail(reason=reason, strict=False))


def check_all(profile: str, strategy: st.SearchStrategy, check, *, examples: int | None = None) -> None:
    """Run ``check(value)`` for values drawn from ``strategy`` under the profile's settings."""
    options = dict(PROFILES[profile])
    if examples is not None:  # this property's fast count; the slow profile draws ten times as many
        options["max_examples"] = examples if profile == "fast" else min(10 * examples, options["max_examples"])

    @settings(**options, **COMMON)
    @given(strategy)
    def run(value):
        check(value)

    run()


@contextlib.contextmanager
def no_hang(seconds: int = HANG_SECONDS):
    """Fail (instead of waiting forever) when the block runs longer than ``seconds``."""

    def alarm(signum, frame):
        raise AssertionError(f"no answer after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def outcome(call, *, names: str | None = None) -> Any:
    """``call()``'s result, or ``None`` when it raised a clear ``ValueError``/``TypeError``.

    Any other exception propagates (and fails the property); an error message must not be
    empty, and must contain ``names`` (a file name) when given.
    """
    try:
        with no_hang(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call()
    except (ValueError, TypeError) as exc:
        message = str(exc.args[0]) if exc.args else ""
        assert message.strip(), f"{type(exc).__name__} without a message"
        assert "Traceback" not in message
        if names is not None:
            assert names in message, f"the message does not name the file {names!r}: {message}"
        return None


def finite(value: Any, what: str) -> None:
    """A result's number(s) must be finite (a NaN result is a silent failure)."""
    arr = np.asarray(value, dtype=np.float64)
    assert arr.size == 0 or np.all(np.isfinite(arr)), f"{what} is not finite: {value!r}"


# --- strategies: malformed numbers, names and arrays -----------------------------------

BAD_FLOATS = [float("nan"), float("inf"), -float("inf"), 0.0, -1.0, -1e-300, 1e308, 1e-320]
bad_numbers = st.one_of(
    st.sampled_from(BAD_FLOATS),
    st.sampled_from(["1.5", "abc", "", "1,5", None, True, [1.0], 1 + 2j, np.float32(0.5)]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
LENGTHS = (0, 1, 2, 5, 64, 400)  # few distinct shapes, so compiled kernels are reused


@st.composite
def finite_series(draw, *, min_len: int = 0, columns: tuple[int, ...] = (0, 1, 3)):
    """A finite series of a few lengths: noise, a constant, a ramp, a sine, huge or tiny values."""
    n = draw(st.sampled_from([k for k in LENGTHS if k >= min_len]))
    d = draw(st.sampled_from(columns))
    t = np.arange(n, dtype=np.float64)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    kind = draw(st.sampled_from(["noise", "constant", "ramp", "sine", "huge", "tiny", "steps"]))
    base = {
        "noise": rng.standard_normal(n),
        "constant": np.full(n, 3.0),
        "ramp": t,
        "sine": np.sin(0.3 * t),
        "huge": 1e300 * rng.standard_normal(n),
        "tiny": 1e-300 * rng.standard_normal(n),
        "steps": np.repeat(rng.integers(0, 2, max(n // 8, 1)), 8)[:n].astype(float),
    }[kind]
    return base if d == 0 else np.stack([base * (j + 1) + j for j in range(d)], axis=1)


@st.composite
def malformed_arrays(draw):
    """NaN, inf, a wrong shape, a wrong dtype, zero length, ragged lists, None, text."""
    kind = draw(
        st.sampled_from(["nan", "inf", "scalar", "3d", "strings", "objects", "complex", "bool", "ragged", "none"])
    )
    x = draw(finite_series(min_len=5, columns=(0,)))
    if kind in ("nan", "inf"):
        x = x.copy()
        x[draw(st.integers(0, x.size - 1))] = np.nan if kind == "nan" else -np.inf
        return x
    return {
        "scalar": np.float64(1.0),
        "3d": np.ones((4, 5, 2)),
        "strings": np.array(["a", "1.0", "b", "2", "c"]),
        "objects": np.array([1.0, None, 2.0, "x", 3.0], dtype=object),
        "complex": x + 1j,
        "bool": x > 0,
        "ragged": [[1.0, 2.0], [3.0]],
        "none": None,
    }[kind]


any_array = st.one_of(finite_series(), malformed_arrays())


# --- loaders -----------------------------------------------------------------------------

VALID_CSV = "t,x\n" + "".join(f"{0.1 * i:.1f},{math.sin(0.1 * i):.6f}\n" for i in range(50))


CSV_KINDS = ["truncated", "bom", "decimal_comma", "nan", "inf", "one_column", "empty", "header", "times", "garbage"]


@st.composite
def malformed_csv_text(draw, kind: str):
    """CSV text a user may have: truncated, with a BOM, decimal commas, NA markers, inf, one
    column, empty, only a header, huge or negative or decreasing times, or garbage."""
    if kind == "truncated":
        return VALID_CSV[: draw(st.integers(0, len(VALID_CSV) - 1))]
    if kind == "bom":
        return "\ufeff" + VALID_CSV
    if kind == "decimal_comma":
        return VALID_CSV.replace(",", ";").replace(".", ",")
    if kind in ("nan", "inf"):
        rows = VALID_CSV.splitlines()
        i = draw(st.integers(1, len(rows) - 1))
        token = draw(st.sampled_from(["NaN", "nan", "NA", "", "-"] if kind == "nan" else ["inf", "-inf", "1e999"]))
        rows[i] = rows[i].split(",")[0] + "," + token
        return "\n".join(rows) + "\n"
    if kind == "one_column":
        return "x\n" + "".join(f"{v}\n" for v in draw(st.lists(st.floats(-1e3, 1e3), max_size=30)))
    if kind == "empty":
        return draw(st.sampled_from(["", "\n", "   \n\n", "\ufeff"]))
    if kind == "header":
        return "t,x\n"
    if kind == "times":
        times = draw(st.sampled_from(["huge", "negative", "decreasing", "repeated", "nonuniform"]))
        t = np.arange(40, dtype=float)
        t = {
            "huge": 1e300 + 1e290 * t,
            "negative": -1e6 - t,
            "decreasing": -t,
            "repeated": np.zeros(40),
            "nonuniform": t**2,
        }[times]
        return "t,x\n" + "".join(f"{a!r},{math.sin(i)}\n" for i, a in enumerate(t))
    alphabet = string.printable + "éλ\x00"
    return draw(st.text(alphabet=alphabet, max_size=200))


def _check_loaded(loaded: Any, path: Path) -> None:
    assert isinstance(loaded, ts_io.LoadedSeries)
    assert loaded.x.ndim == 1 and loaded.x.size > 0, f"{path.name}: an empty series was returned"
    finite(loaded.x, f"{path.name}: the loaded series")
    if loaded.dt is not None:
        assert math.isfinite(loaded.dt) and loaded.dt > 0, f"{path.name}: dt = {loaded.dt}"


# failing loader cases (none left: the loader names the file and refuses NA/inf/damaged files)
LOADER_XFAIL: dict[str, str] = {}


@pytest.mark.parametrize("kind", CSV_KINDS)
def test_load_series_of_malformed_csv(request, profile, tmp_path, kind):
    known_failure(request, profile, LOADER_XFAIL.get(f"csv {kind}"))

    def check(text):
        path = tmp_path / "data.csv"
        path.write_text(text, encoding="utf-8")
        loaded = outcome(lambda: ts_io.load_series(path), names=path.name)
        if loaded is not None:
            _check_loaded(loaded, path)
            if kind in ("bom", "decimal_comma"):  # valid files: the values and the step must come through
                assert loaded.dt == pytest.approx(0.1) and loaded.x[5] == pytest.approx(math.sin(0.5), abs=1e-6)

    check_all(profile, malformed_csv_text(kind), check, examples=3)


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".npy", ".nc"])
def test_load_series_of_random_bytes(request, profile, tmp_path, suffix):
    known_failure(request, profile, LOADER_XFAIL.get(f"bytes {suffix}"))

    def check(data):
        path = tmp_path / f"junk{suffix}"
        path.write_bytes(data)
        loaded = outcome(lambda: ts_io.load_series(path), names=path.name)
        if loaded is not None:
            _check_loaded(loaded, path)

    check_all(profile, st.binary(max_size=400), check, examples=4)


def _valid_file(tmp_path: Path, suffix: str) -> bytes:
    path = tmp_path / f"valid{suffix}"
    if suffix == ".npy":
        np.save(path, np.sin(0.1 * np.arange(200)))
    else:
        dynstab.trajectory(systems.get("henon"), n=100).to_netcdf(path)
    return path.read_bytes()


@pytest.mark.parametrize("suffix", [".npy", ".nc"])
def test_load_series_of_truncated_files(request, profile, tmp_path, suffix):
    known_failure(request, profile, LOADER_XFAIL.get(f"truncated {suffix}"))
    data = _valid_file(tmp_path, suffix)

    def check(cut):
        path = tmp_path / f"cut{suffix}"
        path.write_bytes(data[:cut])
        loaded = outcome(lambda: ts_io.load_series(path), names=path.name)
        if loaded is not None:
            _check_loaded(loaded, path)

    check_all(profile, st.integers(0, len(data) - 1), check, examples=4)


def test_load_trajectory_of_truncated_and_random_files(profile, tmp_path):
    data = _valid_file(tmp_path, ".nc")

    def check(content):
        path = tmp_path / "traj.nc"
        path.write_bytes(content)
        tr = outcome(lambda: dynstab.load_trajectory(path), names=path.name)
        if tr is not None:
            assert isinstance(tr, dynstab.Trajectory)
            finite(tr.x, "the loaded trajectory")

    truncated = st.integers(0, len(data) - 1).map(lambda cut: data[:cut])
    check_all(profile, st.one_of(truncated, st.binary(max_size=300)), check, examples=6)


@st.composite
def malformed_json(draw):
    valid = json.dumps({"systems": {"henon": {"max_lyapunov": 0.419, "spectrum": [0.419, -1.62]}}})
    kind = draw(st.sampled_from(["truncated", "bom", "nan", "garbage", "empty", "list", "latin1"]))
    if kind == "truncated":
        return valid[: draw(st.integers(0, len(valid) - 1))].encode()
    return {
        "bom": b"\xef\xbb\xbf" + valid.encode(),
        "nan": valid.replace("0.419", "NaN").encode(),
        "garbage": draw(st.binary(max_size=200)),
        "empty": b"",
        "list": b"[1, 2, 3]",
        "latin1": '{"name": "Rössler"}'.encode("latin-1"),
    }[kind]


def test_read_json_of_malformed_files(profile, tmp_path):
    def check(content):
        path = tmp_path / "results.json"
        path.write_bytes(content)
        outcome(lambda: read_json(path), names=path.name)
        assert path.read_bytes() == content  # a reader never changes the file

    check_all(profile, malformed_json(), check, examples=8)


# --- public functions taking arrays --------------------------------------------------------

small_ints = st.one_of(st.integers(-3, 12), st.sampled_from(["2", 2.5, None, float("nan")]))


def _estimate_ok(est: Any) -> None:
    # a series without exponential divergence (noise) is answered with scaling_found False, the
    # exponent NaN and a warning saying why: a documented reason, not a silent NaN
    if est.scaling_found:
        finite(est.exponent, "the exponent")
        finite(est.ci, "the confidence interval")


ARRAY_FUNCTIONS = {
    "lyapunov_from_data": (
        lambda x, k, f: dynstab.timeseries.lyapunov_from_data(x, dt=f),
        _estimate_ok,
    ),
    "correlation_dimension": (
        lambda x, k, f: dynstab.timeseries.correlation_dimension(x),
        lambda r: finite(r.dimension, "the dimension"),
    ),
    "embed": (lambda x, k, f: dynstab.timeseries.embed(x, k, 1), lambda r: finite(r, "the embedding")),
    "estimate_delay": (lambda x, k, f: dynstab.timeseries.estimate_delay(x), lambda r: r >= 1),
    "estimate_dimension": (lambda x, k, f: dynstab.timeseries.estimate_dimension(x), lambda r: r >= 1),
    "choose_embedding": (lambda x, k, f: dynstab.timeseries.choose_embedding(x), lambda r: min(r[:2]) >= 1),
    "permutation_entropy": (
        lambda x, k, f: dynstab.timeseries.permutation_entropy(x, order=k),
        lambda r: finite(r, "the entropy"),
    ),
    "sample_entropy": (lambda x, k, f: dynstab.timeseries.sample_entropy(x), lambda r: finite(r, "the entropy")),
    "zero_one_test": (
        lambda x, k, f: dynstab.timeseries.zero_one_test(x),
        lambda r: finite(r.K, "K"),
    ),
    "DMD.fit": (
        lambda x, k, f: dynstab.learn.DMD().fit(x, dt=f),
        lambda m: finite(np.abs(m.eigenvalues_), "the eigenvalues"),
    ),
    "SINDy.fit": (
        lambda x, k, f: dynstab.learn.SINDy().fit(x, dt=f),
        lambda m: finite(m.coefficients_, "the coefficients"),
    ),
}

# failing cases in modules this file's author does not own (reported to their owners)
ARRAY_XFAIL: dict[str, str] = {}


@pytest.mark.parametrize("name", sorted(ARRAY_FUNCTIONS))
def test_public_functions_on_malformed_arrays(request, profile, name):
    known_failure(request, profile, ARRAY_XFAIL.get(name))
    call, valid = ARRAY_FUNCTIONS[name]
    numbers = st.one_of(st.just(1.0), st.just(0.01), bad_numbers)

    def check(args):
        x, k, f = args
        result = outcome(lambda: call(x, k, f))
        if result is not None:
            assert valid(result) is not False, f"{name}: invalid result {result!r}"

    check_all(profile, st.tuples(any_array, small_ints, numbers), check, examples=5)


TRAJECTORY_XFAIL_RUN: dict[str, str] = {}
TRAJECTORY_XFAIL: dict[str, str] = {}
STOP_AFTER = 1.0  # seconds: a trajectory still running then gets Ctrl-C (a long run runs in compiled chunks)
STOP_WITHIN = 5.0  # seconds after Ctrl-C: a run that does not stop by then is not interruptible (loaded CI)


def stopped_if_long(call) -> Any:
    """``call()``, or None when it was still running after `STOP_AFTER` s and Ctrl-C stopped it within
    `STOP_WITHIN` s: a huge valid request (a Henon transient of 1e15 iterations, below the 2**53-step
    limit) runs for days but must stay interruptible (issue 14)."""
    import _thread
    import threading
    import time

    timer = threading.Timer(STOP_AFTER, _thread.interrupt_main)
    began = time.perf_counter()
    timer.start()
    try:
        try:
            return call()
        finally:
            timer.cancel()
            timer.join()
    except KeyboardInterrupt:
        late = time.perf_counter() - began - STOP_AFTER
        assert late < STOP_WITHIN, f"Ctrl-C answered {late:.1f} s late"
        return None


def _extreme(value: Any) -> bool:
    """A finite number beyond 1e300 or a nonzero one below 1e-300 in size (the known OverflowErrors)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        return False
    size = abs(float(value)) if abs(value) < 2**1000 else math.inf
    return size > 1e300 or 0 < size < 1e-300 or (isinstance(value, int) and abs(value) > 2**60)


@pytest.mark.parametrize("which", ["t", "dt", "n", "x0", "transient", "rtol"])
def test_trajectory_with_malformed_arguments(request, profile, which):
    if which in TRAJECTORY_XFAIL:
        pytest.xfail(TRAJECTORY_XFAIL[which])  # a hang: not run in either profile
    values = st.one_of(bad_numbers, malformed_arrays())
    if which in TRAJECTORY_XFAIL_RUN:
        if profile == "fast":  # the rest of the property still holds: run it without the known inputs
            values = values.filter(lambda v: not _extreme(v))
        else:
            known_failure(request, profile, TRAJECTORY_XFAIL_RUN[which])
    henon, lorenz = systems.get("henon"), systems.get("lorenz")

    def check(value):
        calls = {
            "t": lambda: dynstab.trajectory(lorenz, t=value, dt=0.01),
            "dt": lambda: dynstab.trajectory(lorenz, t=1.0, dt=value),
            "n": lambda: dynstab.trajectory(henon, n=value),
            "x0": lambda: dynstab.trajectory(henon, n=10, x0=value),
            "transient": lambda: stopped_if_long(lambda: dynstab.trajectory(henon, n=10, transient=value)),
            "rtol": lambda: dynstab.trajectory(lorenz, t=1.0, method="dopri8", rtol=value),
        }
        tr = outcome(calls[which])
        if tr is not None:
            finite(tr.x, "the trajectory")
            assert tr.x.shape[-2] == tr.t.shape[0] >= 1

    check_all(profile, values, check, examples=3)


# --- the command line: every command ------------------------------------------------------------

runner = CliRunner()

BAD_NUMBERS_TEXT = [
    "abc",
    "",
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "1e400",
    "-1e400",
    "1,5",
    "0x10",
    "1e-320",
    "\uff11\uff12",
]  # last: fullwidth 12
BAD_INTS_TEXT = ["abc", "", "-1", "0", "1.5", "nan", "99999999999999999999", "-99999999999999999999"]
BAD_NAMES = ["lorenzz", "", " ", "../etc/passwd", "LORENZ-63!", "λ", "henon\x00"]


def _commands(tmp: Path) -> dict[str, tuple[list[str], dict[int, list[str]]]]:
    """Each command with cheap valid arguments, and the slots that get malformed values."""
    nc, js, csv = str(tmp / "x.nc"), str(tmp / "inv.json"), str(tmp / "data.csv")
    return {
        "list": (["list", "--kind", "map"], {2: BAD_NAMES}),
        "info": (
            ["info", "henon", "--param", "a=1.3"],
            {1: BAD_NAMES, 3: ["a=abc", "a=", "=1", "q=1", "a=nan", "a=inf"]},
        ),
        "simulate map": (
            ["simulate", "henon", "--n", "50", "--dt", "1", "--out", nc],
            {3: BAD_INTS_TEXT, 5: BAD_NUMBERS_TEXT, 7: ["", "/proc/x.nc", str(tmp)]},
        ),
        "simulate flow": (
            ["simulate", "lorenz", "--t", "1", "--dt", "0.1", "--method", "rk4", "--out", nc],
            {3: BAD_NUMBERS_TEXT, 5: BAD_NUMBERS_TEXT, 7: ["bogus", "", "euler_maruyama"]},
        ),
        "analyze": (
            ["analyze", "henon", "--t", "200", "--n-ics", "2", "--no-figures", "--json"],
            {1: BAD_NAMES, 3: BAD_NUMBERS_TEXT, 5: BAD_INTS_TEXT},
        ),
        "analyze data": (["analyze", csv, "--dt", "0.1", "--no-figures", "--json"], {3: BAD_NUMBERS_TEXT}),
        "bifurcation": (
            [
                "bifurcation",
                "logistic",
                "--sweep",
                "r",
                "--range",
                "3",
                "4",
                "--n",
                "20",
                "--keep",
                "10",
                "--no-figures",
                "--json",
            ],
            {1: BAD_NAMES, 3: BAD_NAMES, 5: BAD_NUMBERS_TEXT, 6: BAD_NUMBERS_TEXT, 8: BAD_INTS_TEXT, 10: BAD_INTS_TEXT},
        ),
        "basins": (
            ["basins", "henon", "--x", "-1", "1", "8", "--y", "-1", "1", "8", "--no-figures", "--json"],
            {3: BAD_NUMBERS_TEXT, 4: BAD_NUMBERS_TEXT, 5: BAD_INTS_TEXT, 9: BAD_INTS_TEXT},
        ),
        "periodic-orbits": (
            ["periodic-orbits", "henon", "--period", "1-2", "--n-seeds", "50", "--no-figures", "--json"],
            {1: BAD_NAMES, 3: ["0", "-1", "2-1", "a-b", "1-", "99999999999999999999"], 5: BAD_INTS_TEXT},
        ),
        "catalog annotate": (
            ["catalog", "annotate", "henon", "--n-ics", "2", "--out", js],
            {2: BAD_NAMES, 4: ["abc", "", "-1", "0", "1.5"], 6: ["", "/proc/x.json", str(tmp)]},
        ),
        "catalog doc": (["catalog", "doc", "--out", str(tmp / "c.md")], {3: ["", "/proc/c.md", str(tmp)]}),
    }


# failing CLI cases in commands this file's author does not own (reported to their owners)
CLI_XFAIL: dict[str, str] = {}


@pytest.mark.parametrize(
    "name",
    ["list", "info", "simulate map", "simulate flow", "analyze", "analyze data", "bifurcation", "basins",
     "periodic-orbits", "catalog annotate", "catalog doc"],
)  # fmt: skip
def test_every_command_with_malformed_arguments(request, profile, tmp_path, name):
    known_failure(request, profile, CLI_XFAIL.get(name))
    (tmp_path / "data.csv").write_text(VALID_CSV)
    args, slots = _commands(tmp_path)[name]

    def check(choice):
        slot, value = choice
        argv = list(args)
        argv[slot] = value
        with no_hang():
            res = runner.invoke(app, argv)
        text = res.output
        assert "Traceback" not in text, text
        assert res.exit_code in (0, 2), (argv, res.exit_code, text, res.exception)
        if res.exit_code == 2:
            lines = [line for line in text.splitlines() if line.strip() and not line.startswith("warning:")]
            assert len(lines) == 1 and lines[0].startswith("error: "), (argv, text)
        elif "--json" in argv and name != "list":
            payload = json.loads(res.stdout)
            assert "NaN" not in res.stdout and "Infinity" not in res.stdout, (argv, payload)

    choices = st.sampled_from(sorted(slots)).flatmap(lambda s: st.tuples(st.just(s), st.sampled_from(slots[s])))
    check_all(profile, choices, check, examples=6)
