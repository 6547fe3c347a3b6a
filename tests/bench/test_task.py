"""One benchmark task: tasks and seeds, ok records, failures as records (divergence, exceptions, time-outs), repeatability."""

import dataclasses
import math
import re
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest

import dynstab
from dynstab.bench import task as task_module
from dynstab.bench.models import MODELS, ModelSpec, grid_hash
from dynstab.bench.task import KEY_FIELDS, Task, evaluate, run_task, task_key, task_seed, tasks_for


@dataclass
class StandInTaskData:
    """The fields of ``Dataset.task_data`` the task uses (bench.datasets' TaskData)."""

    train: np.ndarray
    validation: np.ndarray
    tests: dict
    dt: float
    lyapunov_time: float
    lambda1_ref: float
    period: float


LAMBDA1 = 0.9056  # Lorenz-63


@pytest.fixture(scope="module")
def lorenz_data():
    """Two Lorenz-63 trajectories (independent initial conditions) split like a tiny preset: 500 training
    samples (the last 100 validation), tests 'short' (100 samples) and 'long' (400) after a 200-sample context."""
    sys = dynstab.systems.get("lorenz")
    x0 = np.array([[1.0, 1.0, 1.0], [-3.0, 2.0, 30.0]])
    dt = 0.02
    x = np.asarray(dynstab.trajectory(sys, x0=x0, t=899 * dt, dt=dt, transient=50.0).x)

    def split(s):
        window = s[:500]
        tests = {"short": (window[-200:], s[500:600]), "long": (window[-200:], s[500:900])}
        return StandInTaskData(window[:400], window[400:], tests, dt, 1 / LAMBDA1, LAMBDA1, 0.76)

    return split(x[0]), split(x[1])


def _task(spec, budget=None, seed=7):
    return Task(
        "stand-in.nc",
        "0123456789abcdef",
        "tiny",
        "lorenz",
        spec.name,
        0,
        grid_hash(spec),
        seed,
        spec.time_budget_s if budget is None else budget,
    )


def _dataset(models=("mean",)):
    preset = SimpleNamespace(name="tiny", seed=3, n_trajectories=2, models=models)
    return SimpleNamespace(path="/data/tiny-0123.nc", hash="0123", preset=preset, systems=("lorenz", "rossler"))


def test_tasks_and_seeds_are_deterministic_and_independent_of_order():
    tasks = tasks_for(_dataset(), ["mean", "ngrc"])
    assert len(tasks) == 2 * 2 * 2 and tasks == tasks_for(_dataset(), ["mean", "ngrc"])
    assert [(t.system, t.model, t.trajectory) for t in tasks[:3]] == [
        ("lorenz", "mean", 0),
        ("lorenz", "mean", 1),
        ("lorenz", "ngrc", 0),
    ]
    assert len({t.seed for t in tasks}) == len(tasks)
    assert tasks[2].seed == task_seed(3, "lorenz", "ngrc", 0)
    assert tasks[2].grid_hash == grid_hash(MODELS["ngrc"]) and tasks[2].time_budget_s == MODELS["ngrc"].time_budget_s
    assert tasks_for(_dataset(), ["ngrc"], systems=["rossler"])[0].seed == tasks_for(_dataset(), ["ngrc"])[2].seed
    assert [t.model for t in tasks_for(_dataset())] == ["mean"] * 4  # the preset's models by default
    key = task_key(tasks[0])
    assert len(key) == len(KEY_FIELDS) and key[1:6] == ("0123", "lorenz", "mean", grid_hash(MODELS["mean"]), 0)
    assert key[-1] == dynstab.__version__


def test_unusable_trajectories_get_no_task():
    ds = _dataset()
    ds.trajectories = lambda system: (1,) if system == "rossler" else (0, 1)  # rossler's trajectory 0 diverged
    tasks = tasks_for(ds, ["mean"])
    assert [(t.system, t.trajectory) for t in tasks] == [("lorenz", 0), ("lorenz", 1), ("rossler", 1)]
    assert tasks[2].seed == tasks_for(_dataset(), ["mean"])[3].seed  # the same seed as without the check


def test_unknown_names_are_refused_with_close_matches():
    with pytest.raises(ValueError, match=r"'ngcr' \(did you mean 'ngrc'"):
        tasks_for(_dataset(), ["ngcr"])
    with pytest.raises(ValueError, match="lorentz"):
        tasks_for(_dataset(), ["mean"], systems=["lorentz"])


def test_unavailable_models_are_skipped():
    spec = dataclasses.replace(MODELS["mean"], name="absent", available=False, reason="not installed")
    MODELS["absent"] = spec
    try:
        assert [t.model for t in tasks_for(_dataset(), ["absent", "mean"])] == ["mean"] * 4
    finally:
        del MODELS["absent"]


def _finite(metrics, names):
    return all(math.isfinite(metrics[n]) for n in names)


def test_baseline_gives_an_ok_record(lorenz_data):
    data, ref = lorenz_data
    rec = evaluate(_task(MODELS["last_value"]), data, reference=ref)
    assert rec["status"] == "ok" and rec["reason"] is None
    assert set(rec["key"]) == set(KEY_FIELDS) and rec["preset"] == "tiny" and rec["seed"] == 7
    m = rec["metrics"]
    assert _finite(m, ["vpt", "vpt_smape", "smape@1", "smape", "mse", "mae", "nrmse", "d_stsp", "d_h", "lambda1_ref"])
    assert _finite(m, ["long.vpt", "short.smape", "d_stsp_floor", "d_h_floor"])
    assert m["vpt"] == m["short.vpt"] and m["smape@5"] != m["smape@5"]  # 5 Lyapunov times > the 100-sample horizon
    assert math.isnan(m["lambda1"]) and "not a dynamical system" in rec["notes"]["nan"]["lambda1"]
    # persistence on Lorenz is valid for a tenth of a Lyapunov time or so, never for the whole horizon
    assert 0 < m["vpt"] < 100 * 0.02 * LAMBDA1
    assert rec["forecast"].dtype == np.float32 and rec["forecast"].shape == rec["truth"].shape == (100, 3)
    np.testing.assert_allclose(rec["truth"], data.tests["short"][1].astype(np.float32))


def test_learned_model_gives_an_ok_record_and_the_same_one_twice(lorenz_data):
    data, ref = lorenz_data
    spec = dataclasses.replace(MODELS["ngrc"], name="ngrc", grid=[{"k": 2, "ridge": 1e-3}, {"k": 2, "ridge": 1e-1}])
    task = _task(spec)
    first, second = evaluate(task, data, reference=ref, spec=spec), evaluate(task, data, reference=ref, spec=spec)
    assert first["status"] == "ok", first["reason"]
    m = first["metrics"]
    assert _finite(m, ["vpt", "vpt_smape", "smape", "d_stsp", "d_h", "lambda1", "d_stsp_floor", "d_h_floor"])
    # 400 true samples are too few for a Grassberger-Procaccia scaling region: NaN with the reason
    assert math.isfinite(m["corr_dim_error"]) or "no scaling region" in first["notes"]["nan"]["corr_dim_error"]
    assert m["vpt"] > 0.5  # NG-RC forecasts Lorenz-63 for Lyapunov times, far beyond persistence
    assert abs(m["lambda1"] - LAMBDA1) < 0.3  # the learned map's own exponent (Benettin on as_system())
    assert first["hyperparameters"] in spec.grid and "validation_smape" in first["notes"]["search"]
    assert first["hyperparameters"] == second["hyperparameters"]
    assert first["metrics"].keys() == second["metrics"].keys()
    for k, v in first["metrics"].items():
        assert v == second["metrics"][k] or (math.isnan(v) and math.isnan(second["metrics"][k])), k
    np.testing.assert_array_equal(first["forecast"], second["forecast"])
    # where the time went: wall seconds of each stage (one clock), and the task's CPU seconds
    seconds = first["notes"]["seconds"]
    assert set(seconds) == {"search", "fit", "forecasts", "attractor", "cpu"}
    assert all(0 <= v < 600 for v in seconds.values()) and seconds["search"] > 0


class _Blows:
    """A model whose forecasts grow like 10^(4 step): infinite (overflow) from step index 76 (10^308 times a coordinate above 1.8)."""

    context_length = 1

    def fit(self, data, dt=None):
        return self

    def forecast(self, context, steps):
        with np.errstate(over="ignore"):
            return np.asarray(context)[-1] * 10.0 ** (4.0 * np.arange(1, steps + 1))[:, None]


class _FitRaises:
    context_length = 1

    def fit(self, data, dt=None):
        raise np.linalg.LinAlgError("singular matrix\nsecond line")


def _spec(name, build, grid=({},), budget=30.0):
    return ModelSpec(name, build, list(grid), "baseline", time_budget_s=budget)


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda seed=0: _Blows(), r"^diverged: non-finite forecast of horizon 'short' from step 76$"),
        (lambda seed=0: _FitRaises(), r"^fit: LinAlgError: singular matrix$"),
    ],
)
def test_failures_are_records_with_a_one_line_reason(lorenz_data, build, reason):
    spec = _spec("broken", build)
    rec = evaluate(_task(spec), lorenz_data[0], spec=spec)
    assert rec["status"] == "failed" and re.match(reason, rec["reason"]), rec["reason"]
    assert "\n" not in rec["reason"] and rec["forecast"] is None and rec["metrics"]["lambda1_ref"] == LAMBDA1


def test_every_grid_point_failing_fails_the_task(lorenz_data):
    spec = _spec("broken", lambda seed=0, a=0: _FitRaises(), grid=[{"a": 1}, {"a": 2}])
    rec = evaluate(_task(spec), lorenz_data[0], spec=spec)
    assert rec["status"] == "failed" and rec["reason"].startswith("every grid point failed; first: [('a', 1)]")


class FakeClock:
    """The budgets' clock (`dynstab.bench.task.budget_clock`, CPU seconds) advanced only by the stand-in fits."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(task_module, "budget_clock", fake)
    return fake


def test_search_stops_when_the_budget_is_spent(lorenz_data, clock):
    class Slow:
        def __init__(self, a):
            self.a = a

        def fit(self, data, dt=None):
            clock.now += 0.35
            self.last_ = np.asarray(data)[-1]
            return self

        def forecast(self, context, steps):
            return np.repeat(np.asarray(context)[-1:] + self.a, steps, axis=0)

    spec = _spec("slow", lambda seed=0, a=0.0: Slow(a), grid=[{"a": 0.0}, {"a": 1.0}, {"a": 2.0}], budget=0.3)
    rec = evaluate(_task(spec), lorenz_data[0], spec=spec)
    # one point is always tried; the budget (0.3 CPU-s) is spent after it (0.35 CPU-s), so the others are not
    assert rec["status"] == "ok" and rec["hyperparameters"] == {"a": 0.0}, rec["reason"]
    assert rec["notes"]["search"]["validation_smape"]["stopped"] == "time budget spent after 1 of 3 grid points"


def test_time_out_and_stale_grid_are_failed_records(lorenz_data, clock):
    class VerySlow(_Blows):
        def fit(self, data, dt=None):
            clock.now += 0.3
            return self

    spec = _spec("veryslow", lambda seed=0: VerySlow(), budget=0.05)
    rec = evaluate(_task(spec), lorenz_data[0], spec=spec)
    assert rec["status"] == "failed" and rec["reason"].startswith("time-out: ")
    stale = dataclasses.replace(_task(MODELS["mean"]), grid_hash="0" * 16)
    assert "grid of 'mean' changed" in evaluate(stale, lorenz_data[0])["reason"]


def test_run_task_never_raises():
    rec = run_task(_task(MODELS["mean"]))  # no such dataset file
    assert rec["status"] == "failed" and rec["reason"].startswith("loading the data: ")
    assert rec["key"]["model"] == "mean" and rec["metrics"] == {}


@pytest.mark.slow
def test_run_task_on_a_real_dataset(tmp_path):
    from dynstab.bench.datasets import build_dataset
    from dynstab.bench.presets import get_preset

    ds = build_dataset(get_preset("quick").with_systems(["lorenz"]), root=tmp_path)
    tasks = tasks_for(ds, ["last_value", "ngrc"])
    assert len(tasks) == 2 * ds.preset.n_trajectories
    records = [run_task(t) for t in tasks]
    for t, rec in zip(tasks, records, strict=True):
        assert rec["status"] == "ok", rec["reason"]
        assert rec["key"]["dataset_hash"] == ds.hash and rec["key"]["trajectory"] == t.trajectory
        assert math.isfinite(rec["metrics"]["vpt"]) and math.isfinite(rec["metrics"]["d_h_floor"])
    ngrc = [r for r in records if r["key"]["model"] == "ngrc"]
    assert all(r["metrics"]["vpt"] > 5 * max(p["metrics"]["vpt"] for p in records[:2]) for r in ngrc)
    assert all(abs(r["metrics"]["lambda1"] - r["metrics"]["lambda1_ref"]) < 0.2 for r in ngrc)
    again = run_task(tasks[-1])
    assert again["metrics"]["vpt"] == records[-1]["metrics"]["vpt"]
    np.testing.assert_array_equal(again["forecast"], records[-1]["forecast"])


def test_a_presets_training_fraction_scales_the_epochs_and_keys_the_results(lorenz_data, monkeypatch):
    from dynstab.bench.models import _learn, scaled_settings
    from dynstab.bench.presets import PRESETS

    built = []

    class Recorder(MODELS["last_value"].build(seed=0).__class__):
        def __init__(self, n_epochs):
            built.append(n_epochs)
            super().__init__()

    def build(seed=0, n_epochs=50):
        return Recorder(n_epochs)

    build.settings = {"n_epochs": 50}
    spec = ModelSpec("trained", build, [{}], "rnn", slow=True, epochs="n_epochs")
    assert scaled_settings(spec, 1.0) == {} and scaled_settings(spec, 0.2) == {"n_epochs": 10}
    assert scaled_settings(spec, 0.001) == {"n_epochs": 1}  # never zero epochs
    assert scaled_settings(MODELS["ngrc"], 0.2) == {}  # not a trained model: unchanged
    assert (
        grid_hash(spec, 0.2) != grid_hash(spec) == grid_hash(spec, 1.0)
    )  # a smoke run's results have keys of their own
    assert grid_hash(MODELS["ngrc"], 0.2) == grid_hash(MODELS["ngrc"])
    with pytest.raises(ValueError, match="not an integer fixed setting"):
        ModelSpec("bad", _learn("NGRC"), [{}], "reservoir", epochs="n_epochs")
    # the tasks carry the fraction; evaluate builds the model with the scaled epochs and says so
    ds = _dataset(models=())
    ds.preset.training = 0.2
    monkeypatch.setattr(task_module, "MODELS", {"trained": spec})
    tasks = tasks_for(ds, ["trained"], ["lorenz"])
    assert {t.training for t in tasks} == {0.2} and {t.grid_hash for t in tasks} == {grid_hash(spec, 0.2)}
    data, ref = lorenz_data
    rec = evaluate(tasks[0], data, reference=ref, spec=spec)
    assert rec["status"] == "ok", rec["reason"]
    assert built == [10] and rec["notes"]["training"] == {"fraction": 0.2, "n_epochs": 10}
    # the dataset does not depend on it: quick's data hash is that of the same preset at full training
    quick = PRESETS["quick"]
    assert quick.training == 0.2 and dataclasses.replace(quick, training=1.0).spec_json() == quick.spec_json()


def test_a_worker_past_its_memory_bound_drops_compiled_kernels(monkeypatch):
    import jax

    cleared = []
    monkeypatch.setattr(jax, "clear_caches", lambda: cleared.append(1))
    rss = task_module._resident_mb()
    assert rss is None or 10 < rss < 1e6  # MB of this test process
    monkeypatch.setattr(task_module, "WORKER_MEMORY_MB", 1e9)
    task_module._bound_worker_memory()
    assert cleared == []
    monkeypatch.setattr(task_module, "WORKER_MEMORY_MB", 0.0)
    task_module._bound_worker_memory()
    assert cleared == ([] if rss is None else [1])
