"""The shipped catalog metadata (src/dynstab/systems/catalog/metadata.json) is complete and consistent.

The file is computed by `dynstab catalog annotate` (our own Benettin/QR spectra); these tests
check the invariants every entry must satisfy, and compare against published values in
../shared/reference/invariants.csv where a system appears there.
"""

import csv
import re

import numpy as np
import pytest

from dynstab.analysis import lyapunov_spectrum
from dynstab.systems import get, names
from dynstab.systems.catalog import ANNOTATION_NOTES
from dynstab.systems.metadata import catalog_provenance, metadata

ALL = names()
FLOWS, MAPS = names("flow"), names("map")


def test_catalog_counts():
    assert len(FLOWS) >= 135, len(FLOWS)
    assert len(MAPS) >= 25, len(MAPS)


def test_provenance_recorded():
    prov = catalog_provenance()
    assert prov["dynstab_version"] and prov["computed"] and prov["settings"]["n_ics"] >= 5


@pytest.mark.parametrize("name", ALL)
def test_every_system_is_annotated(name):
    meta = metadata(name)
    assert meta is not None, f"{name}: no metadata for its default parameters (run `dynstab catalog annotate {name}`)"
    spec, std = np.array(meta["lyapunov_spectrum"]), np.array(meta["lyapunov_spectrum_std"])
    system = get(name)
    expected = 4 if system.kind == "delay" else system.dim  # delay equations: 4 leading exponents
    assert spec.shape == (expected,) and np.all(np.isfinite(spec)) and np.all(np.isfinite(std))
    assert meta["lyapunov_settings"]["n_ics"] >= 5
    assert meta["period"] > 0


@pytest.mark.parametrize("name", ALL)
def test_spread_is_small_or_explained(name):
    meta = metadata(name)
    lam1, std1 = meta["lyapunov_spectrum"][0], meta["lyapunov_spectrum_std"][0]
    if "spread" in ANNOTATION_NOTES.get(name, {}):
        return
    assert std1 <= 0.1 * abs(lam1) or std1 < 1e-3, f"{name}: spread {std1:.3g} of lambda_1 = {lam1:.4g}"


@pytest.mark.parametrize("name", FLOWS)
def test_flow_spectrum_sums_to_divergence(name):
    # 1% of <div>; for nearly volume-preserving flows (div ~ 0) the sum of large cancelling
    # exponents is checked to 0.5% of the largest one (the accuracy of the tangent integration)
    if "divergence" in ANNOTATION_NOTES.get(name, {}):
        return
    meta = metadata(name)
    spec, div = np.array(meta["lyapunov_spectrum"]), meta["divergence"]
    tol = max(0.01 * abs(div), 0.005 * np.max(np.abs(spec)), 1e-3)
    assert abs(spec.sum() - div) <= tol, f"{name}: sum {spec.sum():.5g} vs <div> {div:.5g}"


@pytest.mark.parametrize("name", [n for n in FLOWS + names("delay") if "forced" not in get(n).flags])
def test_autonomous_flow_has_a_zero_exponent(name):
    if "zero_exponent" in ANNOTATION_NOTES.get(name, {}):
        return
    spec = np.array(metadata(name)["lyapunov_spectrum"])
    assert np.min(np.abs(spec)) < 0.01, f"{name}: no exponent within 0.01 of zero: {spec}"


@pytest.mark.parametrize("name", [n for n in FLOWS if "hamiltonian" in get(n).flags])
def test_hamiltonian_exponents_pair_to_zero(name):
    if "pairing" in ANNOTATION_NOTES.get(name, {}):
        return
    spec = np.array(metadata(name)["lyapunov_spectrum"])
    np.testing.assert_allclose(spec + spec[::-1], 0.0, atol=0.01)


# --- published values ------------------------------------------------------------------

# invariants.csv row -> (our system, parameter overrides, exponents to compare). Rows whose
# parameters differ from the catalog defaults are computed afresh; for discontinuous laws only
# lambda_1 (two-trajectory method) is compared, since the tangent spectrum misses the saltation.
REFERENCE_ROWS = {
    "logistic_r4": ("logistic", {}, None),
    "logistic_r3.2_period2": ("logistic", {"r": 3.2}, None),
    "tent_map": ("tent_map", {}, None),
    "cubic_map": ("cubic_map", {}, None),
    "ricker": ("ricker", {}, None),
    "gauss_continued_fraction_map": ("gauss_continued_fraction_map", {}, None),
    "henon": ("henon", {}, None),
    "lozi": ("lozi", {}, None),
    "tinkerbell": ("tinkerbell", {}, None),
    "burgers_map": ("burgers_map", {}, None),
    "holmes_cubic_map": ("duffing_map", {}, None),
    "ikeda": ("ikeda", {}, None),
    "predator_prey_map": ("predator_prey_map", {}, None),
    "folded_towel_map": ("folded_towel_map", {}, None),
    "kaplan_yorke_map": ("kaplan_yorke_map", {}, None),
    "arnold_cat_map": ("arnold_cat", {}, None),
    "gingerbreadman_map": ("gingerbreadman", {}, 1),
    "lorenz": ("lorenz", {}, None),
    "lorenz_wolf_parameters": ("lorenz", {"sigma": 16.0, "rho": 45.92, "beta": 4.0}, None),
    "rossler": ("rossler", {}, None),
    "rossler_wolf_parameters": ("rossler", {"a": 0.15, "b": 0.2, "c": 10.0}, None),
    "rossler_hyperchaos": ("hyper_rossler", {}, 2),
    "complex_butterfly": ("complex_butterfly", {}, 1),
    "double_scroll_jerk": ("double_scroll_jerk", {}, 1),
    "rucklidge": ("rucklidge", {}, None),
    "sprott_jerk_quadratic": ("sprott_jerk", {}, None),
    "nose_hoover_sprott_A": ("sprott_a", {}, 1),
    "henon_heiles": ("henon_heiles", {}, 1),
    "driven_pendulum": ("driven_pendulum", {}, 1),
}


def _reference_rows(shared):
    path = shared / "reference" / "invariants.csv"
    return {row["name"]: row for row in csv.DictReader(path.open())}


def _numbers(text):
    """The exponents of a spectrum cell such as '0.9056; 0; -14.5723 (sum = ...)'."""
    head = text.split("(")[0].split("--")[0]
    values = [re.search(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", part) for part in head.split(";")]
    return [float(v.group()) for v in values if v]


def _our_exponents(system):
    meta = metadata(system)
    if meta is not None:
        spec = list(meta["lyapunov_spectrum"])
        spec[0] = meta["max_lyapunov"]  # two-trajectory value for discontinuous laws
        return spec
    length = dict(n=200_000) if system.kind == "map" else dict(t=4000.0)
    return list(lyapunov_spectrum(system, n_ics=3, **length).exponents)


@pytest.mark.parametrize("row_name", sorted(REFERENCE_ROWS))
def test_exponents_match_the_reference(row_name, shared_dir):
    row = _reference_rows(shared_dir)[row_name]
    name, overrides, count = REFERENCE_ROWS[row_name]
    column = "published_spectrum" if row["confidence"].startswith("high") else "reference_spectrum"
    expected = _numbers(row[column])
    ours = _our_exponents(get(name, **overrides))
    # a forced flow carries time as an extra state in the reference: drop its zero exponent
    if "forced" in get(name).flags and len(expected) == len(ours) + 1:
        expected = [v for i, v in enumerate(expected) if i != 1]
    for i, value in enumerate(expected[: count or len(ours)]):
        tol = max(0.02 * abs(value), 0.01)
        assert abs(ours[i] - value) <= tol, f"{name}: lambda_{i + 1} = {ours[i]:.5g}, {column} {value:.5g}"


@pytest.mark.parametrize(
    "name, d2, tol",
    [
        ("lorenz", 2.05, 0.07),  # Grassberger & Procaccia, Physica D 9, 189 (1983): 2.05 +- 0.01
        ("henon", 1.21, 0.03),  # ibid.: 1.21 +- 0.01
        ("mackey_glass", 1.95, 0.05),  # ibid., tau = 17: 1.95 +- 0.03 (delay-embedded)
    ],
)
def test_shipped_correlation_dimensions_match_grassberger_procaccia(name, d2, tol):
    from dynstab.systems import get
    from dynstab.systems.metadata import metadata

    assert abs(metadata(get(name))["correlation_dimension"] - d2) < tol
