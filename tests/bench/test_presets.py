"""Benchmark presets: the built-in protocols' numbers, user presets in Python and TOML, name checks."""

import dataclasses
import pickle

import pytest

from dynstab.bench.presets import DYSTS_FLOWS, PRESETS, QUICK_SYSTEMS, Preset, check_names, get_preset, load_preset_toml


def test_dysts2023_is_gilpin_2023_protocol():
    p = PRESETS["dysts2023"]
    assert len(p.systems) == len(set(p.systems)) == 135
    assert (p.sampling, p.points_per_unit, p.n_trajectories) == ("period", 100, 5)
    # 10 periods x 100 points, the last 1/6 validation; horizons 2 and 50 periods after a 10-period context
    assert (p.n_train, p.n_validation, p.n_context) == (1000, 167, 1000)
    assert p.horizons == {"short": 200, "long": 5000}
    assert p.n_steps == 6000


def test_lyapunov30_is_phyxmamba_protocol():
    p = PRESETS["lyapunov30"]
    assert (p.sampling, p.points_per_unit, p.n_trajectories) == ("lyapunov", 30, 20)
    # PhyxMamba data/generator.py: the last 1000 points split 550 train / 150 validation / 300 test
    assert (p.n_train - p.n_validation, p.n_validation, p.horizons) == (550, 150, {"h300": 300})
    assert p.horizons["h300"] / p.points_per_unit == 10  # Lyapunov times


def test_quick_spans_dimension_and_lambda():
    p = PRESETS["quick"]
    assert p.systems == QUICK_SYSTEMS and len(p.systems) == 10 and p.n_trajectories == 2
    assert set(p.systems) <= set(DYSTS_FLOWS)
    # every built-in model but the deep ones (minutes per fit), at a fifth of the trained models' epochs
    from dynstab.bench.models import MODELS

    assert set(p.models) == {n for n, s in MODELS.items() if s.kind != "deep"} and p.training == 0.2


def test_preset_fields_are_checked_naming_the_argument():
    base = dict(name="x", systems=("lorenz",))
    with pytest.raises(ValueError, match="sampling"):
        Preset(**base, sampling="periods")
    with pytest.raises(ValueError, match="validation_fraction"):
        Preset(**base, validation_fraction=1.0)
    with pytest.raises(ValueError, match="context_units"):
        Preset(**base, train_units=5, context_units=6)
    with pytest.raises(ValueError, match="horizons"):
        Preset(**base, horizons={"short": 0})
    with pytest.raises(ValueError, match="named twice: lorenz"):
        Preset(name="x", systems=("lorenz", "lorenz"))
    with pytest.raises(ValueError, match="file names"):
        Preset(name="a/b", systems=("lorenz",))
    with pytest.raises(ValueError, match="validation split has 0"):
        Preset(**base, train_units=1, context_units=1, points_per_unit=2, validation_fraction=0.1)


def test_preset_is_frozen_hashable_and_picklable():
    p = Preset(name="mine", systems=["lorenz", "rossler"], horizons={"h": 50})
    assert p.systems == ("lorenz", "rossler")  # a list becomes a tuple
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.noise = 0.1  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(p)) == p and hash(pickle.loads(pickle.dumps(p))) == hash(p)
    assert p.with_systems(["lorenz"]).systems == ("lorenz",)
    assert p.spec_json() != p.with_systems(["lorenz"]).spec_json()
    # the seed of a system's draws depends on the preset seed and the name, not on the other systems
    assert p.system_seed("lorenz", "ic") == p.with_systems(["lorenz"]).system_seed("lorenz", "ic")
    assert p.system_seed("lorenz", "ic") != dataclasses.replace(p, seed=1).system_seed("lorenz", "ic")


def test_toml_preset_in_a_few_lines(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('base = "lyapunov30"\nname = "lorenz-noisy"\nsystems = ["lorenz", "rossler"]\nnoise = 0.05\n')
    p = get_preset(f)
    assert p.name == "lorenz-noisy" and p.systems == ("lorenz", "rossler") and p.noise == 0.05
    assert p.points_per_unit == 30 and p.horizons == {"h300": 300}  # from the base
    g = tmp_path / "own.toml"
    g.write_text('name = "own"\nsystems = ["lorenz"]\nhorizons = { h = 40 }\npoints_per_unit = 20\n')
    assert load_preset_toml(g) == Preset(name="own", systems=("lorenz",), horizons={"h": 40}, points_per_unit=20)


def test_toml_unknown_keys_and_base_are_refused_with_close_matches(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text('base = "quick"\nnosie = 0.1\n')
    with pytest.raises(ValueError, match="unknown preset key 'nosie' \\(did you mean 'noise'"):
        get_preset(f)
    f.write_text('base = "quik"\n')
    with pytest.raises(ValueError, match="did you mean 'quick'"):
        get_preset(f)
    f.write_text('name = "x"\n')
    with pytest.raises(ValueError, match="missing systems"):
        get_preset(f)
    f.write_text("name = \n")
    with pytest.raises(ValueError, match="not valid TOML"):
        get_preset(f)


def test_get_preset_by_name():
    assert get_preset("quick") is PRESETS["quick"]
    with pytest.raises(ValueError, match="unknown preset 'dysts2021' \\(did you mean 'dysts2023'"):
        get_preset("dysts2021")
    with pytest.raises(ValueError, match="does not exist"):
        get_preset("nowhere.toml")


def test_check_names_names_every_unknown_with_close_matches():
    systems, models = check_names(["Lorenz", "SprottB"], ["esn"], known_models=["esn", "ngrc"])
    assert systems == ["lorenz", "sprott_b"] and models == ["esn"]  # dysts' class names resolve
    with pytest.raises(ValueError) as info:
        check_names(["lornez", "rossler"], ["nrgc"], known_models=["esn", "ngrc"])
    msg = str(info.value)
    assert "unknown system 'lornez'" in msg and "'lorenz'" in msg
    assert "unknown model 'nrgc' (did you mean 'ngrc'" in msg
    with pytest.raises(ValueError, match="is a map"):
        check_names(["henon"], None)


def test_dysts_flows_are_the_catalog_systems_dysts_names():
    pytest.importorskip("dysts")
    import json
    import os

    import dysts

    from dynstab.systems import get
    from dynstab.systems.dysts_compat import dysts_class_name

    with open(os.path.join(os.path.dirname(dysts.__file__), "data", "chaotic_attractors.json")) as f:
        flows = set(json.load(f))
    assert len(flows) == 135
    assert {dysts_class_name(get(n)) for n in DYSTS_FLOWS} == flows
