import dataclasses
import math

import jax.numpy as jnp
import numpy as np
import pytest

import dynstab
from dynstab import systems


@dynstab.flow(params=dict(a=0.2, b=0.2, c=5.7), x0=[1.0, 1.0, 1.0], names=("x", "y", "z"), reference="test")
def rossler_user(x, p, t):
    return jnp.array([-x[1] - x[2], x[0] + p["a"] * x[1], p["b"] + x[2] * (x[0] - p["c"])])


def test_decorator_builds_an_immutable_flow():
    s = rossler_user
    assert isinstance(s, dynstab.Flow) and s.kind == "flow" and s.dim == 3
    assert s.names == ("x", "y", "z") and s.name == "rossler_user"
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "other"
    s2 = s.with_params(c=9.0)
    assert float(s2.params["c"]) == 9.0 and float(s.params["c"]) == 5.7


def test_autodiff_jacobian_matches_the_analytic_one():
    lorenz = systems.get("lorenz")
    x = np.array([1.3, -2.0, 25.0])
    auto = dataclasses.replace(lorenz, jac=None)
    np.testing.assert_allclose(lorenz.jacobian(x), auto.jacobian(x), rtol=1e-14)
    np.testing.assert_allclose(lorenz.divergence(x), -(10 + 1 + 8 / 3), rtol=1e-14)


def test_user_jacobian_example():
    J = rossler_user.jacobian([1.0, 2.0, 3.0])
    np.testing.assert_allclose(J, [[0, -1, -1], [1, 0.2, 0], [3, 0, 1 - 5.7]])


def test_unknown_parameter_suggests_a_name():
    with pytest.raises(KeyError, match="did you mean 'rho'"):
        systems.get("lorenz").with_params(rh=1.0)


def test_non_finite_parameter_is_rejected():
    with pytest.raises(ValueError, match="not finite"):
        systems.get("lorenz").with_params(rho=float("nan"))


def test_non_numeric_parameter_and_state_are_type_errors():
    # np.asarray(..., dtype=float) used to turn the text "30" into 30.0
    with pytest.raises(TypeError, match=r"^parameter 'rho' must be a numeric array"):
        systems.get("lorenz").with_params(rho="30")
    with pytest.raises(TypeError, match=r"^x0 must be a numeric array"):
        systems.get("lorenz").with_x0(["1", "2", "3"])
    with pytest.raises(ValueError, match=r"^x0 is non-finite: x0 contains 1 NaN"):
        systems.get("lorenz").with_x0([1.0, np.inf, 0.0])


def test_system_dt_and_sde_step_must_be_positive():
    with pytest.raises(ValueError, match=r"^dt must be a finite number > 0, got -0\.1$"):
        dynstab.systems.Flow.from_law(lambda x, p, t: -x, x0=[1.0], dt=-0.1)

    @dynstab.sde(diffusion=lambda x, p, t: 0.1 * jnp.ones(1), x0=[0.0])
    def noisy(x, p, t):
        return -x

    with pytest.raises(ValueError, match=r"^step must be a finite number > 0, got nan$"):
        noisy.evolution(step=float("nan"))


def test_wrong_output_shape_fails_at_definition():
    with pytest.raises(ValueError, match="returns shape"):

        @dynstab.flow(x0=[1.0, 2.0])
        def bad(x, p, t):
            return x[:1]


def test_names_must_match_dimension():
    with pytest.raises(ValueError, match="variable names"):
        dynstab.systems.Flow(lambda x, p, t: x, {}, jnp.zeros(2), ("a",))


def test_sde_needs_diffusion_and_reports_noise_shape():
    @dynstab.sde(diffusion=lambda x, p, t: 0.1 * jnp.ones(2), x0=[0.0, 0.0], params=dict(k=1.0))
    def ou(x, p, t):
        return -p["k"] * x

    assert ou.kind == "sde" and ou.noise_shape == (2,)
    assert ou.drift_as_flow().kind == "flow"


def test_registry_aliases_and_suggestions():
    assert systems.get("Lorenz").name == "lorenz"
    assert systems.get("LORENZ-63").name == "lorenz"
    with pytest.raises(KeyError, match="did you mean 'lorenz'"):
        systems.get("lorenzz")
    assert float(systems.get("lorenz", rho=30).params["rho"]) == 30.0


def test_catalog_systems_are_flows_or_maps():
    assert {"lorenz", "rossler", "henon", "logistic"} <= set(systems.names())
    assert "henon" in systems.names("map") and "lorenz" in systems.names("flow")


def test_periodic_coordinates_are_declared_and_validated():
    @dynstab.map(x0=[0.1, 0.2], periodic=[(0, 2 * math.pi)])
    def rotation(x, p, n):
        return jnp.stack([jnp.mod(x[0] + 0.5, 2 * jnp.pi), x[1]])

    assert rotation.periodic == ((0, 2 * math.pi),)
    assert rotation.with_params().periodic == rotation.periodic  # static: survives copies
    assert dynstab.systems.get("lorenz").periodic == ()  # default: no periodic coordinate
    law = dynstab.Map.from_law(lambda x, p, t: x, x0=[0.5], periodic={0: 1})
    assert law.periodic == ((0, 1.0),)
    for name, k in (("standard_map", 2), ("arnold_cat", 2), ("circle_map", 1), ("coupled_standard_maps", 4)):
        assert len(systems.get(name).periodic) == k
    with pytest.raises(ValueError, match="periodic index 2 out of range"):
        dynstab.map(x0=[0.0, 0.0], periodic=[(2, 1.0)])(lambda x, p, n: x)
    with pytest.raises(ValueError, match="finite number > 0"):
        dynstab.flow(x0=[0.0], periodic=[(0, -1.0)])(lambda x, p, t: x)
    with pytest.raises(ValueError, match="given twice"):
        dynstab.map(x0=[0.0], periodic=[(0, 1.0), (0, 2.0)])(lambda x, p, n: x)
    with pytest.raises(TypeError, match="periodic entries"):
        dynstab.map(x0=[0.0], periodic=[("a", 1.0)])(lambda x, p, n: x)
    with pytest.raises(TypeError, match="periodic entries"):  # the protocol checks direct construction too
        dynstab.Map(lambda x, p, t: x, {}, jnp.zeros(1), ("x",), periodic=((0, 1),))
