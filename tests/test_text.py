"""Counts agree with their nouns everywhere dynstab prints them."""

import pytest

from dynstab.text import count, plural


@pytest.mark.parametrize(
    ("n", "noun", "expected"),
    [
        (1, "attractor", "1 attractor"),
        (0, "attractor", "0 attractors"),
        (3, "equilibrium", "3 equilibria"),
        (1, "equilibrium", "1 equilibrium"),
        (2, "fixed point", "2 fixed points"),
        (2, "entry", "2 entries"),
        (2, "key", "2 keys"),
        (2, "matrix", "2 matrices"),
        (2, "pass", "2 passes"),
    ],
)
def test_count(n, noun, expected):
    assert count(n, noun) == expected
    assert plural(noun, n) == expected.split(" ", 1)[1]


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
