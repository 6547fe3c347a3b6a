"""The memory limit: refused up front, with the size named; one limit for library and CLI."""

import pytest

import dynstab
from dynstab._config import ConfigError
from dynstab.limits import AllocationError, check_allocation, max_memory_bytes, memory_limit, set_memory_limit


def test_default_and_environment(monkeypatch):
    monkeypatch.delenv("DYNSTAB_MAX_MEMORY_GB", raising=False)
    assert max_memory_bytes() == 4e9
    monkeypatch.setenv("DYNSTAB_MAX_MEMORY_GB", "0.5")
    assert max_memory_bytes() == 5e8
    monkeypatch.setenv("DYNSTAB_MAX_MEMORY_GB", "lots")
    with pytest.raises(ConfigError, match="DYNSTAB_MAX_MEMORY_GB='lots'"):
        max_memory_bytes()


def test_context_and_global_override(monkeypatch):
    monkeypatch.setenv("DYNSTAB_MAX_MEMORY_GB", "2")
    with memory_limit(1e-3):
        assert max_memory_bytes() == 1e6
        with pytest.raises(AllocationError, match=r"0\.00373 GiB.*memory limit of 0\.001 GB.*a smaller run"):
            check_allocation(4e6, "the array", "ask for a smaller run")
    assert max_memory_bytes() == 2e9
    set_memory_limit(3)
    try:
        assert max_memory_bytes() == 3e9
    finally:
        set_memory_limit(None)
    assert max_memory_bytes() == 2e9
    with pytest.raises(ValueError, match="positive number"):
        set_memory_limit(-1)
    with pytest.raises(ValueError, match="positive number"), memory_limit(float("nan")):
        pass


def test_trajectory_refuses_before_allocating():
    henon = dynstab.systems.get("henon")
    with pytest.raises(AllocationError, match=r"1e\+10 points x 2 variables.*GiB.*dt=k"):
        dynstab.simulate.trajectory(henon, n=10_000_000_000)
    lorenz = dynstab.systems.get("lorenz")
    with memory_limit(1e-6), pytest.raises(AllocationError, match="larger dt"):
        dynstab.simulate.trajectory(lorenz, t=100.0, dt=0.01)
    assert dynstab.simulate.trajectory(lorenz, t=1.0, dt=0.01).x.shape == (101, 3)
