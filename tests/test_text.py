"""Counts agree with their nouns in the library's reprs (the words themselves: tests/cli/test_consistency.py)."""


def test_library_reprs_use_the_right_number():
    import numpy as np

    import dynstab
    from dynstab.analysis.periodic_orbits import periodic_orbits

    henon = dynstab.systems.get("henon")
    one = periodic_orbits(henon, 1)
    assert len(one) == 2 and "2 orbits" in repr(one)
    logistic = dynstab.systems.get("logistic", r=3.2)
    single = periodic_orbits(logistic, 2, n_seeds=64, seed=0)
    assert len(single) == 1 and "1 orbit," in repr(single) and "1 orbits" not in repr(single)
    assert np.isfinite(single.orbits[0].points).all()
