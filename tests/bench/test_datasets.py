"""Benchmark datasets: reproducible content hash, splits, reuse, noise, problems reported, damage detected."""

import dataclasses
import pickle

import numpy as np
import pytest

from dynstab.bench.datasets import Dataset, build_dataset, load_dataset
from dynstab.bench.presets import Preset
from dynstab.files import DamagedFileError

SMALL = Preset(
    name="small",
    systems=("lorenz",),
    n_trajectories=2,
    points_per_unit=20,
    train_units=6.0,
    context_units=3.0,
    horizons={"a": 20, "b": 40},
    transient_units=1.0,
)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    calls = []
    ds = build_dataset(SMALL, root=tmp_path_factory.mktemp("a"), progress=lambda d, t: calls.append((d, t)))
    assert calls == [(0, 1), (1, 1)]
    return ds


def test_same_preset_gives_the_same_hash_and_file_is_reused(small, tmp_path):
    again = build_dataset(SMALL, root=tmp_path)  # generated again, elsewhere
    assert again.hash == small.hash and len(small.hash) == 16
    assert small.path.name == f"small-{small.hash}.nc"
    assert build_dataset(SMALL, root=small.path.parent).path == small.path  # found by its spec, reused
    other = build_dataset(dataclasses.replace(SMALL, seed=1), root=tmp_path)
    assert other.hash != small.hash  # other initial conditions
    assert load_dataset(small.path, verify=True) == small


def test_splits_follow_the_preset(small):
    td = small.task_data("Lorenz", 1)  # an alias (dysts' class name) finds the system
    assert td.system == "lorenz" and td.trajectory == 1 and td.names == ("x", "y", "z")
    # 6 units x 20 points = 120 training steps, the last 1/6 (20) validation, contexts of 3 units (60 steps)
    assert td.train.shape == (100, 3) and td.validation.shape == (20, 3)
    assert list(td.tests) == ["a", "b"]
    (ca, ta), (cb, tb) = td.tests["a"], td.tests["b"]
    assert ca.shape == cb.shape == (60, 3) and ta.shape == (20, 3) and tb.shape == (40, 3)
    np.testing.assert_array_equal(ca, td.full_train[-60:])  # the context ends where the truth begins
    np.testing.assert_array_equal(ta, tb[:20])  # every horizon starts right after the training window
    assert td.dt == pytest.approx(td.period / 20) and td.lyapunov_time == pytest.approx(1 / td.lambda1_ref)
    assert 0.85 < td.lambda1_ref < 0.95  # catalog lambda_1 of Lorenz-63 (0.9056 in the literature)
    other = small.task_data("lorenz", 0)
    assert not np.allclose(other.train[:5], td.train[:5])  # two initial conditions


def test_samples_are_the_simulators_orbit(small):
    from dynstab.simulate import trajectory
    from dynstab.systems import get

    td = small.task_data("lorenz", 0)
    series = np.concatenate([td.full_train, td.tests["b"][1]])
    again = trajectory(get("lorenz"), t=10 * td.dt, dt=td.dt, x0=series[0]).x
    np.testing.assert_allclose(again, series[:11], rtol=1e-12, atol=1e-12)


def test_data_are_on_the_attractor(small):
    from dynstab.systems.metadata import metadata

    meta = metadata("lorenz")
    mean, std = np.asarray(meta["mean"]), np.asarray(meta["std"])
    for i in range(2):
        td = small.task_data("lorenz", i)
        x = np.concatenate([td.full_train, td.tests["b"][1]])
        assert np.all(np.abs(x - mean) < 4 * std)  # no transient from far away: within the attractor's extent
        # on the butterfly: z oscillates about rho - 1 = 27 with its amplitude, both wings visited or not
        assert abs(x[:, 2].mean() - mean[2]) < 0.5 * std[2] and abs(x[:, 2].std() / std[2] - 1) < 0.5


def test_noise_is_on_what_models_see_only(small, tmp_path):
    noisy = build_dataset(dataclasses.replace(SMALL, noise=0.1), root=tmp_path)
    for i in range(2):
        clean, dirty = small.task_data("lorenz", i), noisy.task_data("lorenz", i)
        for label in ("a", "b"):
            np.testing.assert_array_equal(dirty.tests[label][1], clean.tests[label][1])  # truths clean
        diff = dirty.full_train - clean.full_train
        ratio = diff.std(axis=0) / clean.full_train.std(axis=0)
        assert np.all(np.abs(ratio - 0.1) < 0.025)  # 10% of each coordinate's std (120 samples: +-7% of 0.1)
    assert build_dataset(dataclasses.replace(SMALL, noise=0.1), root=tmp_path).hash == noisy.hash


def test_systems_that_cannot_be_sampled_are_reported(tmp_path):
    p = Preset(name="lyap", systems=("lorenz", "torus"), n_trajectories=1, sampling="lyapunov", points_per_unit=10,
               train_units=4, context_units=2, horizons={"h": 10}, transient_units=1)  # fmt: skip
    ds = build_dataset(p, root=tmp_path)
    assert ds.systems == ("lorenz",)
    assert ds.problems == [("torus", 0, ds.status["torus"][0])]
    assert "no Lyapunov time" in ds.status["torus"][0]
    with pytest.raises(ValueError, match="torus trajectory 0 is unusable: no Lyapunov time"):
        ds.task_data("torus", 0)
    td = ds.task_data("lorenz", 0)
    assert td.dt == pytest.approx(td.lyapunov_time / 10)
    with pytest.raises(ValueError, match="trajectory"):
        ds.task_data("lorenz", 1)
    with pytest.raises(ValueError, match="not in the dataset"):
        ds.task_data("rossler", 0)


def test_trajectories_off_the_catalog_attractor_are_reported(small, tmp_path, monkeypatch):
    import dynstab.systems.metadata as md

    real = md.metadata

    def shifted(system):
        meta = dict(real(system))
        meta["mean"] = list(np.asarray(meta["mean"]) + 50 * np.asarray(meta["std"]))
        return meta

    monkeypatch.setattr(md, "metadata", shifted)
    ds = build_dataset(dataclasses.replace(SMALL, name="shifted"), root=tmp_path)
    assert ds.systems == () and len(ds.problems) == 2
    assert all(reason.startswith("left the attractor") for _, _, reason in ds.problems)


def test_trajectory_checks():
    from dynstab.bench.datasets import _trajectory_status

    mean, std, bounded = np.zeros(2), np.ones(2), np.array([True, False])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((100, 2))
    assert _trajectory_status(x, mean, std, bounded) == "ok"
    x[50, 1] = np.nan
    assert _trajectory_status(x, mean, std, bounded) == "diverged (left the finite numbers at sample 50)"
    x[50, 1] = 1e9  # an unbounded coordinate (an angle) may grow
    assert _trajectory_status(x, mean, std, bounded) == "ok"
    x[10, 0] = 25.0  # a burst (Rossler's z) is not an escape
    assert _trajectory_status(x, mean, std, bounded) == "ok"
    assert _trajectory_status(x + [6.0, 0.0], mean, std, bounded).startswith("left the attractor (variable 0: mean 6")
    wide = _trajectory_status(np.full((100, 2), 0.5) + [[6.0, 0.0], [-6.0, 0.0]] * 50, mean, std, bounded)
    assert wide.startswith("left the attractor (variable 0: mean 0.5") and "standard deviation 6 times" in wide
    assert _trajectory_status(np.full((100, 2), 0.3), mean, std, bounded).startswith("collapsed")


def test_unknown_system_fails_before_any_work(tmp_path):
    with pytest.raises(ValueError, match=r"unknown system 'lornez'.*'lorenz'"):
        build_dataset(Preset(name="bad", systems=("lornez",)), root=tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_damaged_file_is_refused_not_reused(small, tmp_path):
    import shutil

    import h5py

    copy = tmp_path / small.path.name
    shutil.copy(small.path, copy)
    with h5py.File(copy, "r+") as f:
        f["x_lorenz"][0, 5, 0] += 1e-9
    with pytest.raises(DamagedFileError, match="delete the file"):
        load_dataset(copy, verify=True)
    with pytest.raises(DamagedFileError):
        build_dataset(SMALL, root=tmp_path)
    (tmp_path / "junk.nc").write_bytes(b"not netcdf")
    with pytest.raises(DamagedFileError, match="not a dynstab benchmark dataset"):
        load_dataset(tmp_path / "junk.nc")


def test_dataset_pickles(small):
    back = pickle.loads(pickle.dumps(small))
    assert isinstance(back, Dataset) and back == small
    np.testing.assert_array_equal(back.task_data("lorenz", 0).train, small.task_data("lorenz", 0).train)


@pytest.mark.slow
def test_quick_preset_builds_twice_to_the_same_hash_every_system_usable(tmp_path):
    from dynstab.bench.presets import PRESETS

    first = build_dataset("quick", root=tmp_path / "a")
    second = build_dataset(PRESETS["quick"], root=tmp_path / "b")
    assert first.hash == second.hash
    assert first.systems == PRESETS["quick"].systems and first.problems == []
    for name in first.systems:
        td = first.task_data(name, 1)
        assert td.train.shape[0] == 417 and td.tests["short"][1].shape[0] == 100
        assert np.all(np.isfinite(td.full_train))


def test_a_subset_of_systems_is_generated_alone_until_the_full_dataset_exists(small, tmp_path):
    from dynstab.bench.datasets import preset_for_systems

    two = dataclasses.replace(SMALL, name="two", systems=("henon_heiles", "lorenz"))
    root = tmp_path / "r"
    sub = preset_for_systems(two, ["lorenz"], root)
    assert sub.systems == ("lorenz",) and sub.name == "two"  # nothing built yet: lorenz alone
    assert (
        preset_for_systems(two, None, root) == two and preset_for_systems(two, ["lorenz", "henon_heiles"], root) == two
    )
    part = build_dataset(sub, root=root)
    # the same trajectories as in the full dataset: a system's seeds depend on the preset's seed and the system only
    np.testing.assert_array_equal(part.task_data("lorenz", 1).train, small.task_data("lorenz", 1).train)
    full = build_dataset(two, root=root)
    assert full.hash != part.hash and preset_for_systems(two, ["lorenz"], root) == two  # the full one is used now
    np.testing.assert_array_equal(full.task_data("lorenz", 0).validation, part.task_data("lorenz", 0).validation)
