r"""Klein-Gordon, :math:`\phi^4` and sine-Gordon fields in 1+1 dimensions (the amangkurat model, corrected).

The field obeys (c = hbar = 1, nondimensional units)

.. math::

    \phi_{tt} - \phi_{xx} + V'(\phi) = 0

on a periodic interval of length L, with the potentials

* ``"linear"`` (Klein-Gordon): :math:`V = \tfrac12 m^2 \phi^2`;
* ``"phi4"``: :math:`V = \tfrac{\lambda}{4} (\phi^2 - v^2)^2` (parameters ``lam``, ``v``): kinks
  :math:`\pm v \tanh(x/\xi)` of width :math:`\xi = \sqrt2 / (v \sqrt\lambda)` and energy
  :math:`E_{kink} = \tfrac{2\sqrt2}{3} \sqrt\lambda\, v^3`;
* ``"sine_gordon"``: :math:`V = 1 - \cos\phi`;
* any elementwise JAX function ``V(phi, p)`` of the user (`Potential`; V' and V'' by autodiff).

**Discretization.** The grid is ``x_j = -L/2 + j L/N``, j = 0 .. N-1: periodic, the endpoint
``L/2`` (the same point as ``-L/2``) is not stored twice. Derivatives are Fourier
pseudo-spectral (``rfft``; :math:`\phi_{xx} = \mathcal F^{-1}[-k^2 \hat\phi]`, the gradient with
the Nyquist mode set to zero). Time is advanced by the symplectic velocity-Verlet scheme
(kick-drift-kick) at a constant step :math:`\Delta t` for the state :math:`(\phi, \pi = \phi_t)`:

.. math::

    \pi^{n+1/2} = \pi^n + \tfrac{\Delta t}{2} F(\phi^n), \quad
    \phi^{n+1} = \phi^n + \Delta t\, \pi^{n+1/2}, \quad
    \pi^{n+1} = \pi^{n+1/2} + \tfrac{\Delta t}{2} F(\phi^{n+1}),

with :math:`F(\phi) = \phi_{xx} - V'(\phi)`. A mode of frequency
:math:`\omega^2 = k^2 + V''` is stable only for :math:`\omega \Delta t < 2`, so a step above
:math:`2 / \sqrt{k_{max}^2 + \max V''}` (:math:`k_{max} = \pi N / L`, the Nyquist wavenumber) is
refused (`KleinGordon.stability_limit`), and so is an initial field that the grid does not
resolve (`KleinGordon.check_resolved`: the share of its spectrum above two thirds of
:math:`k_{max}`, e.g. a single kink whose periodic image jumps from +v to -v at the boundary).

**Diagnostics.** Energy :math:`E = \int [\tfrac12 \pi^2 + \tfrac12 \phi_x^2 + V(\phi)]\,dx`
(the gradient term as :math:`-\tfrac12\int\phi\,\phi_{xx}\,dx`, the form the semi-discrete
scheme conserves) and momentum :math:`P = -\int \pi\, \phi_x\, dx` (positive for a field moving
to the right). On a periodic grid the rectangle rule is the trapezoid rule and is spectrally
accurate.

**As a dynstab system.** `KleinGordon.system` is a `dynstab.systems.Map` of the discretized state
``[phi_0 .. phi_{N-1}, pi_0 .. pi_{N-1}]`` (dimension 2N): one iteration is one velocity-Verlet
step of ``dt`` time units. A Map, not a Flow, because the symplectic step *is* the model whose
energy is conserved to O(dt^2) for all times; a Flow would be integrated by a Runge-Kutta method,
which is neither symplectic nor stable at the Verlet step's limit. So `dynstab.trajectory` runs the
very scheme of `evolve`, and the Lyapunov tools (`dynstab.analysis.lyapunov_spectrum` with ``k``
exponents, tangent vectors by forward-mode autodiff of the step) give the exponents per time unit.
The semi-discrete system :math:`(\dot\phi, \dot\pi) = (\pi, F(\phi))` is `KleinGordon.flow`, for
the adaptive integrators.

**Scenarios** (`scenario`): ``"packet"`` (dispersive Gaussian packet of the linear field, with its
exact Fourier solution `linear_exact`), ``"kink"`` (a static phi^4 kink as a far-apart
kink-antikink pair), ``"breather"`` (the exact sine-Gordon breather), ``"collision"`` (a phi^4
kink-antikink collision at speed u with boosted initial data).

**Entropies** (`field_entropies`) of :math:`p = \phi^2 / \int \phi^2 dx`: Shannon, Renyi and Tsallis
with the dx weight (differential entropies, independent of the resolution), or the original
unweighted sums (``convention="amangkurat"``).

Where the original code differs (amangkurat 0.0.1, github.com/sandyherho/amangkurat; measured in
``shared/notes/seed-models.md`` section 1):

1. Its "breather" is not the sine-Gordon breather: it sets
   :math:`\phi = 4\arctan[1/(\omega_x \cosh\omega_x x)]` with an odd non-zero velocity (peak 3.424 for
   omega = 0.5); the breather :math:`4\arctan[(\omega_x/\omega)\sin\omega t/\cosh\omega_x x]` at
   :math:`\sin\omega t = 1` has peak :math:`4\arctan\sqrt3 = 4.18879` and zero velocity (`breather`).
2. Its kink-antikink data :math:`\tanh\xi_1 - \tanh\xi_2` lack the -1 (the field sits at
   :math:`\phi = 0`, the top of V, outside the pair) and both velocity profiles move right: max phi
   falls from 2.0 to 1.03 by t = 1, a false-vacuum decay, not a collision. `kink_antikink` uses
   :math:`v[\tanh\xi_1 - \tanh\xi_2 - 1]` and :math:`\pi = -(v u \gamma/\xi)[\operatorname{sech}^2\xi_1
   + \operatorname{sech}^2\xi_2]`.
3. A single kink on its periodic grid hides an antikink at the boundary: the spectral energy is
   29.26 instead of :math:`E_{kink} = 0.9428`. Here such a field is refused as unresolved; the static
   kink is a far-apart pair, energy :math:`2E_{kink} = 4\sqrt2/3`.
4. It changes dt inside a three-level leapfrog (6 times per run, dt 0.005 -> 0.0067), which rescales
   the implied velocity: max relative energy errors 6.9e-2, 1.9e-1, 7.1e-2, 1.5e-1 in its four cases
   (7.8e-6 .. 9.1e-4 with a constant dt). Here dt is constant and the scheme symplectic.
   Its grid also stores both endpoints (``linspace``, dx = L/(N-1)), so it is not exactly periodic.
5. Its documentation gives :math:`E_{kink} = (2\sqrt2/3)\lambda v^3` and :math:`\xi = \sqrt2/v`; the
   correct values are :math:`(2\sqrt2/3)\sqrt\lambda v^3` and :math:`\sqrt2/(v\sqrt\lambda)`
   (`kink_energy`, `kink_width`); they agree only for lambda = 1.

References
----------
Herho, S. et al., amangkurat: a (1+1)-dimensional nonlinear Klein-Gordon solver (2025), code
github.com/sandyherho/amangkurat, analysis scripts doi:10.5281/zenodo.17625800.
Rajaraman, R., Solitons and Instantons, North-Holland 1982, ch. 2 (kinks, the breather).
Campbell, D. K., Schonfeld, J. F. & Wingate, C. A., Resonance structure in kink-antikink
interactions in phi^4 theory, Physica D 9, 1 (1983) (critical speed 0.2598).
Hairer, E., Lubich, C. & Wanner, G., Geometric Numerical Integration, 2nd ed., Springer 2006,
sec. I.1.4 and XIII (Stormer-Verlet; its linear stability limit h omega < 2).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..limits import check_allocation
from ..simulate.evolution import CHUNK_SECONDS, Progress, in_chunks, sample_part
from ..systems import Flow, Map
from ..validation import as_finite_array, as_float, as_int, as_positive_float, as_step

__all__ = [
    "POTENTIALS",
    "SCENARIOS",
    "FieldRun",
    "KleinGordon",
    "Potential",
    "Scenario",
    "breather",
    "evolve",
    "field_entropies",
    "gaussian_packet",
    "kink_antikink",
    "kink_energy",
    "kink_positions",
    "kink_width",
    "linear_exact",
    "plot_energy",
    "plot_spacetime",
    "resolve_potential",
    "run_scenario",
    "scenario",
]

Array = jax.Array

REFERENCE = (
    "Herho et al., amangkurat (1+1)D nonlinear Klein-Gordon solver (2025), github.com/sandyherho/amangkurat; "
    "corrected as in dynstab.models.fields"
)

#: The initial field's spectrum above this fraction of the Nyquist wavenumber is its "tail" (`KleinGordon.check_resolved`).
TAIL_FRACTION = 2.0 / 3.0
#: Default largest tail (L2 norm of the modes above `TAIL_FRACTION` k_max over the norm of all modes but the mean).
RESOLUTION_TOL = 1e-6
#: Cost of one velocity-Verlet step per grid point (s) on XLA CPU: 27 us of CPU time per step at N = 512
#: (benchmarks/bench_fields.py). Sizes the chunks' sample buffer and the first chunk; `in_chunks` sizes the
#: later ones from measured time.
SECONDS_PER_POINT_STEP = 5e-8


# ------------------------------------------------------------------------------------------ potentials
@dataclass(frozen=True, eq=False)
class Potential:
    """A potential V(phi) of the field: an elementwise JAX function ``V(phi, p)`` and its parameters.

    V' and V'' are forward-mode autodiff of V (elementwise: the derivative of ``sum(V(phi, p))``).

    Parameters
    ----------
    name : str
        ``"linear"``, ``"phi4"``, ``"sine_gordon"`` or the user's name.
    V : callable
        ``V(phi, p) -> array`` of the shape of ``phi`` (elementwise), JAX-traceable.
    defaults : mapping of str to float
        Parameter names and default values (``p`` of ``V``).
    positive : tuple of str
        Parameters that must be > 0 (the others must be >= 0).
    formula : str
        The formula, for reports and NetCDF attributes.
    curvature_bound : callable, optional
        ``bound(p) -> float``: the largest V'' over all phi where it is bounded (linear: m^2,
        sine-Gordon: 1); otherwise V'' is taken over the initial field's range (`KleinGordon.stability_limit`).
    """

    name: str
    V: Callable[[Any, Any], Any]
    defaults: Mapping[str, float] = dataclasses.field(default_factory=dict)
    positive: tuple[str, ...] = ()
    formula: str = ""
    curvature_bound: Callable[[Mapping[str, float]], float] | None = None

    def dV(self, phi: Any, p: Any) -> Any:
        """V'(phi) elementwise (autodiff).

        Parameters
        ----------
        phi : jax.Array
            Field values.
        p : dict of str to float or array
            The potential's parameters.

        Returns
        -------
        jax.Array
            V'(phi), the shape of ``phi``.
        """
        return jax.grad(lambda f: jnp.sum(self.V(f, p)))(phi)

    def d2V(self, phi: Any, p: Any) -> Any:
        """V''(phi) elementwise (autodiff).

        Parameters
        ----------
        phi : jax.Array
            Field values.
        p : dict of str to float or array
            The potential's parameters.

        Returns
        -------
        jax.Array
            V''(phi), the shape of ``phi``.
        """
        return jax.grad(lambda f: jnp.sum(self.dV(f, p)))(phi)


def _v_linear(phi: Any, p: Any) -> Any:
    return 0.5 * p["m"] ** 2 * phi**2


def _v_phi4(phi: Any, p: Any) -> Any:
    return 0.25 * p["lam"] * (phi**2 - p["v"] ** 2) ** 2


def _v_sine_gordon(phi: Any, p: Any) -> Any:
    return 1.0 - jnp.cos(phi)


POTENTIALS: dict[str, Potential] = {
    "linear": Potential("linear", _v_linear, {"m": 1.0}, (), "V = m^2 phi^2 / 2", lambda p: float(p["m"]) ** 2),
    "phi4": Potential("phi4", _v_phi4, {"lam": 1.0, "v": 1.0}, ("lam", "v"), "V = lam (phi^2 - v^2)^2 / 4"),
    "sine_gordon": Potential("sine_gordon", _v_sine_gordon, {}, (), "V = 1 - cos(phi)", lambda p: 1.0),
}


def _close(name: str, known: Any) -> str:
    hint = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


def resolve_potential(
    spec: str | Potential | Callable[..., Any], params: Mapping[str, Any] | None = None
) -> tuple[Potential, dict[str, float]]:
    """The potential ``spec`` and its validated parameters (defaults filled in).

    Potentials compare and hash by identity (a static argument of ``jit``): the built-in ones are
    shared, so their compiled runs are reused.

    Parameters
    ----------
    spec : str, Potential or callable
        ``"linear"``, ``"phi4"``, ``"sine_gordon"``, a `Potential`, or an elementwise JAX function
        ``V(phi, p)`` (its parameters are then those of ``params``).
    params : mapping of str to float, optional
        Parameter values overriding the defaults; every value finite and >= 0 (> 0 for the
        potential's ``positive`` ones: phi^4's ``lam`` and ``v``).

    Returns
    -------
    (Potential, dict of str to float)

    Raises
    ------
    ValueError
        For an unknown potential name (with the closest match), an unknown parameter, or a
        negative (or zero where it must be positive) value.
    TypeError
        For a ``spec`` that is none of the above, or a non-numeric value.
    """
    if isinstance(spec, str):
        if spec not in POTENTIALS:
            raise ValueError(
                f"unknown potential {spec!r}{_close(spec, POTENTIALS)}; choose one of {sorted(POTENTIALS)}"
            )
        pot = POTENTIALS[spec]
    elif isinstance(spec, Potential):
        pot = spec
    elif callable(spec):
        pot = Potential(getattr(spec, "__name__", "custom"), spec, dict(params or {}), (), "user V(phi, p)")
    else:
        raise TypeError(f"potential must be a name, a Potential or a function V(phi, p), got {type(spec).__name__}")
    values = dict(pot.defaults)
    for key, value in (params or {}).items():
        if key not in values:
            raise ValueError(
                f"the {pot.name} potential has no parameter {key!r}{_close(key, values)}; "
                f"its parameters are {sorted(values) or 'none'}"
            )
        values[key] = value
    out = {}
    for key, value in values.items():
        strict = key in pot.positive
        out[key] = as_float(value, name=f"parameter {key!r}", minimum=0.0, inclusive="neither" if strict else "both")
    try:
        probe = jax.eval_shape(lambda f: pot.V(f, out), jax.ShapeDtypeStruct((3,), jnp.float64))
    except Exception as exc:
        raise TypeError(f"potential {pot.name}: V(phi, p) cannot be traced by JAX: {exc}") from exc
    if probe.shape != (3,):
        raise ValueError(
            f"potential {pot.name}: V(phi, p) must be elementwise (same shape as phi), got shape {probe.shape}"
        )
    return pot, out


def kink_width(lam: float = 1.0, v: float = 1.0) -> float:
    r"""Width :math:`\xi = \sqrt2 / (v\sqrt\lambda)` of the phi^4 kink :math:`v\tanh(x/\xi)`.

    The original's documentation gives :math:`\sqrt2/v` (notes, defect 5): the same only for lambda = 1.

    Parameters
    ----------
    lam, v : float
        phi^4 parameters (> 0).

    Returns
    -------
    float
    """
    return math.sqrt(2.0) / (as_positive_float(v, name="v") * math.sqrt(as_positive_float(lam, name="lam")))


def kink_energy(lam: float = 1.0, v: float = 1.0) -> float:
    r"""Rest energy :math:`E_{kink} = \tfrac{2\sqrt2}{3}\sqrt\lambda\,v^3` of a phi^4 kink (0.9428 for lam = v = 1).

    The original's documentation gives :math:`(2\sqrt2/3)\lambda v^3` (notes, defect 5).

    Parameters
    ----------
    lam, v : float
        phi^4 parameters (> 0).

    Returns
    -------
    float
    """
    return (
        2.0 * math.sqrt(2.0) / 3.0 * math.sqrt(as_positive_float(lam, name="lam")) * as_positive_float(v, name="v") ** 3
    )


# ------------------------------------------------------------------------------------------ the grid and the scheme
def _wavenumbers(n: int, length: float) -> tuple[np.ndarray, np.ndarray]:
    """k^2 of the rfft modes and i k with the Nyquist mode zeroed (for the first derivative)."""
    k = 2.0 * np.pi * np.fft.rfftfreq(n, d=length / n)
    ik = 1j * k
    if n % 2 == 0:
        ik[-1] = 0.0
    return k**2, ik


def _laplacian(phi: Any, k2: Any, n: int) -> Any:
    return jnp.fft.irfft(-k2 * jnp.fft.rfft(phi, axis=-1), n=n, axis=-1)


def _gradient(phi: Any, ik: Any, n: int) -> Any:
    return jnp.fft.irfft(ik * jnp.fft.rfft(phi, axis=-1), n=n, axis=-1)


@functools.partial(jax.jit, static_argnums=0)
def _max_curvature(pot: Potential, lo: Any, hi: Any, p: Any) -> Any:
    """max V'' on 257 points of [lo, hi] (compiled once per potential)."""
    return jnp.max(pot.d2V(jnp.linspace(lo, hi, 257), p))


@dataclass(frozen=True)
class KleinGordon:
    r"""The discretized field: potential, parameters, periodic grid of N points on length L, time step dt.

    Build it with `KleinGordon.create` (which validates everything); see the module docstring
    for the equation and the scheme.

    Parameters
    ----------
    potential : Potential
        The potential.
    params : tuple of (str, float)
        Its parameter values (a tuple so that the field is hashable: a static argument of ``jit``).
    n : int
        Grid points N (the grid is ``-L/2 + j L/N``).
    length : float
        Period L.
    dt : float
        Time step of the velocity-Verlet scheme.
    """

    potential: Potential
    params: tuple[tuple[str, float], ...]
    n: int
    length: float
    dt: float

    @classmethod
    @float64
    def create(
        cls,
        potential: str | Potential | Callable[..., Any] = "phi4",
        params: Mapping[str, Any] | None = None,
        *,
        n: int = 1024,
        length: float = 100.0,
        dt: float = 0.005,
    ) -> KleinGordon:
        """Validate and build a field.

        Parameters
        ----------
        potential : str, Potential or callable, default "phi4"
            See `resolve_potential`.
        params : mapping, optional
            Potential parameters (defaults filled in).
        n : int, default 1024
            Grid points, >= 8.
        length : float, default 100.0
            Period L > 0.
        dt : float, default 0.005
            Time step > 0 (checked against the stability limit when an initial field is given,
            `check_step`).

        Returns
        -------
        KleinGordon

        Raises
        ------
        ValueError, TypeError
            For an invalid argument (named in the message).
        """
        pot, values = resolve_potential(potential, params)
        n = as_int(n, name="n (grid points)", minimum=8)
        # the run holds about 16 arrays of N numbers (state, force, spectra, chunk buffers per sample)
        check_allocation(16.0 * n * 8.0, f"the grid of {n} points", "use fewer grid points (n)")
        return cls(
            pot, tuple(sorted(values.items())), n, as_positive_float(length, name="length"), as_step(dt, name="dt")
        )

    # --- grid ------------------------------------------------------------------------------------
    @property
    def p(self) -> dict[str, float]:
        """The potential's parameters as a dict."""
        return dict(self.params)

    @property
    def dx(self) -> float:
        """Grid spacing L / N."""
        return self.length / self.n

    @property
    def x(self) -> np.ndarray:
        """The periodic grid ``-L/2 + j L/N``, j = 0 .. N-1 (no duplicated endpoint)."""
        return -0.5 * self.length + self.dx * np.arange(self.n)

    @property
    def k_max(self) -> float:
        """The Nyquist wavenumber pi N / L, the largest on the grid."""
        return math.pi * self.n / self.length

    def describe(self) -> str:
        """One line: potential, parameters, grid and step."""
        ps = ", ".join(f"{k}={v:g}" for k, v in self.params)
        return f"{self.potential.name} ({ps or 'no parameters'}), N={self.n}, L={self.length:g}, dt={self.dt:g}"

    # --- checks ----------------------------------------------------------------------------------
    def as_field(self, values: Any, name: str) -> np.ndarray:
        """``values`` as a finite float64 array of shape (N,), else a ValueError naming ``name``.

        Parameters
        ----------
        values : array_like
            A field on the grid.
        name : str
            The argument's name for the message.

        Returns
        -------
        numpy.ndarray, shape (N,)
        """
        return as_finite_array(values, name=name, shape=(self.n,))

    @float64
    def max_curvature(self, phi0: Any) -> float:
        """The largest V'' the run is expected to meet: the potential's bound where it has one, else
        max V'' over the initial field's range widened by half its span on each side (an overshoot in a
        collision), and over phi = 0.

        Parameters
        ----------
        phi0 : array_like, shape (N,)
            The initial field.

        Returns
        -------
        float
        """
        if self.potential.curvature_bound is not None:
            return float(self.potential.curvature_bound(self.p))
        phi0 = self.as_field(phi0, "phi0")
        lo, hi = float(phi0.min()), float(phi0.max())
        pad = 0.5 * (hi - lo) + 1e-12
        return float(_max_curvature(self.potential, min(lo - pad, 0.0), max(hi + pad, 0.0), self.p))

    def stability_limit(self, phi0: Any) -> float:
        r"""The largest stable step :math:`2 / \sqrt{k_{max}^2 + \max(V'', 0)}` (Verlet: :math:`\omega\Delta t < 2`).

        Parameters
        ----------
        phi0 : array_like, shape (N,)
            The initial field (for max V'', `max_curvature`).

        Returns
        -------
        float
        """
        return 2.0 / math.sqrt(self.k_max**2 + max(self.max_curvature(phi0), 0.0))

    def check_step(self, phi0: Any) -> None:
        """Refuse a ``dt`` above `stability_limit` (a ValueError saying the largest stable step).

        Parameters
        ----------
        phi0 : array_like, shape (N,)
            The initial field.
        """
        limit = self.stability_limit(phi0)
        if self.dt > limit:
            raise ValueError(
                f"dt = {self.dt:g} is above the velocity-Verlet stability limit 2/sqrt(k_max^2 + max V'') = "
                f"{limit:.4g} for N = {self.n}, L = {self.length:g} (k_max = {self.k_max:.4g}); "
                f"use dt <= {limit:.4g}, fewer grid points or a longer domain"
            )

    def spectral_tail(self, values: Any) -> float:
        """The share of ``values``' spectrum (L2 norm, the mean left out) above `TAIL_FRACTION` of k_max.

        Parameters
        ----------
        values : array_like, shape (N,)
            A field on the grid.

        Returns
        -------
        float
            0 for a constant field; about 1e-16 or less for a smooth, well-resolved one.
        """
        c = np.abs(np.fft.rfft(np.asarray(values, dtype=np.float64)))
        c[0] = 0.0
        weight = np.full(c.shape, 2.0)  # interior modes stand for +k and -k
        weight[0] = 1.0
        if self.n % 2 == 0:
            weight[-1] = 1.0
        total = float(np.sum(weight * c**2))
        if total == 0.0:
            return 0.0
        k = 2.0 * np.pi * np.fft.rfftfreq(self.n, d=self.dx)
        tail = float(np.sum((weight * c**2)[k > TAIL_FRACTION * self.k_max]))
        return math.sqrt(tail / total)

    def check_resolved(self, phi0: Any, pi0: Any, tol: float = RESOLUTION_TOL) -> None:
        """Refuse initial data the grid does not resolve: a `spectral_tail` of phi0 or pi0 above ``tol``.

        Parameters
        ----------
        phi0, pi0 : array_like, shape (N,)
            The initial field and its velocity.
        tol : float, default `RESOLUTION_TOL`
            Largest tail.
        """
        tol = as_positive_float(tol, name="resolution_tol")
        for name, raw in (("phi0", phi0), ("pi0", pi0)):
            values = self.as_field(raw, name)
            tail = self.spectral_tail(values)
            if tail > tol:
                edge = float(abs(values[0] - values[-1]))
                jump = (
                    f"; it jumps by {edge:.3g} across the periodic boundary (a single kink on a periodic "
                    "grid hides an antikink there: use a far-apart kink-antikink pair)"
                    if edge > 0.1 * (float(np.ptp(values)) + 1e-300)
                    else ""
                )
                raise ValueError(
                    f"the grid does not resolve {name}: {tail:.3g} of its spectrum lies above "
                    f"{TAIL_FRACTION:.2f} k_max (tolerance {tol:g}) with N = {self.n}, L = {self.length:g}{jump}; "
                    "use more grid points (n), or a smoother or periodic initial field"
                )

    # --- the scheme ------------------------------------------------------------------------------
    def _spectral(self) -> tuple[Any, Any]:
        k2, ik = _wavenumbers(self.n, self.length)
        return jnp.asarray(k2), jnp.asarray(ik)

    def force(self, phi: Any, p: Any = None) -> Any:
        """F(phi) = phi_xx - V'(phi), the Laplacian pseudo-spectral (JAX, traceable).

        Parameters
        ----------
        phi : jax.Array, shape (..., N)
            The field.
        p : dict, optional
            The potential's parameters (default the field's).

        Returns
        -------
        jax.Array, shape (..., N)
        """
        k2, _ = self._spectral()
        return _laplacian(phi, k2, self.n) - self.potential.dV(phi, self.p if p is None else p)

    def verlet_step(self, phi: Any, pi: Any, f: Any, p: Any = None) -> tuple[Any, Any, Any]:
        """One kick-drift-kick step of ``dt`` (see the module docstring), F carried to the next step.

        Parameters
        ----------
        phi, pi : jax.Array, shape (N,)
            The field and its velocity.
        f : jax.Array, shape (N,)
            F(phi) at the step's start (the previous step's last force).
        p : dict, optional
            The potential's parameters (default the field's).

        Returns
        -------
        (phi, pi, F) : jax.Array
            The state after the step and F at its new phi.
        """
        h = self.dt
        half = pi + 0.5 * h * f
        phi = phi + h * half
        f = self.force(phi, p)
        return phi, half + 0.5 * h * f, f

    @float64
    def energy(self, phi: Any, pi: Any) -> Any:
        r"""E = dx sum [pi^2/2 - phi phi_xx / 2 + V(phi)] over the last axis (any leading axes).

        Parameters
        ----------
        phi, pi : array_like, shape (..., N)

        Returns
        -------
        jax.Array, shape (...)
        """
        phi, pi = jnp.asarray(phi, jnp.float64), jnp.asarray(pi, jnp.float64)
        k2, _ = self._spectral()
        density = 0.5 * pi**2 - 0.5 * phi * _laplacian(phi, k2, self.n) + self.potential.V(phi, self.p)
        return self.dx * jnp.sum(density, axis=-1)

    @float64
    def momentum(self, phi: Any, pi: Any) -> Any:
        r"""P = -dx sum pi phi_x over the last axis (positive for a field moving right).

        The original's (older) solver computed :math:`\int \phi_t \phi_x dx`, the opposite sign.

        Parameters
        ----------
        phi, pi : array_like, shape (..., N)

        Returns
        -------
        jax.Array, shape (...)
        """
        phi, pi = jnp.asarray(phi, jnp.float64), jnp.asarray(pi, jnp.float64)
        _, ik = self._spectral()
        return -self.dx * jnp.sum(pi * _gradient(phi, ik, self.n), axis=-1)

    # --- as dynstab systems ----------------------------------------------------------------------
    def _names(self) -> tuple[str, ...]:
        return tuple(f"phi[{j}]" for j in range(self.n)) + tuple(f"pi[{j}]" for j in range(self.n))

    @float64
    def system(self, phi0: Any, pi0: Any | None = None, *, name: str | None = None) -> Map:
        """The field as a dynstab `Map` of the state ``[phi, pi]`` (2N): one velocity-Verlet step per iteration.

        ``system.dt`` is the step, so Lyapunov exponents come out per time unit. The potential's
        parameters are the map's parameters (``system.with_params(lam=2.0)``); N, L and dt are fixed.
        ``dt`` is checked against the stability limit for ``phi0``.

        Parameters
        ----------
        phi0 : array_like, shape (N,)
            Initial field (the map's ``x0`` with ``pi0``).
        pi0 : array_like, shape (N,), optional
            Initial velocity (default 0).
        name : str, optional
            The system's name (default ``"kleingordon_<potential>"``).

        Returns
        -------
        dynstab.systems.Map
        """
        phi0 = self.as_field(phi0, "phi0")
        pi0 = np.zeros(self.n) if pi0 is None else self.as_field(pi0, "pi0")
        self.check_step(phi0)
        n = self.n

        def law(state: Any, p: Any, t: Any) -> Any:
            phi, pi = state[:n], state[n:]
            phi, pi, _ = self.verlet_step(phi, pi, self.force(phi, p), p)
            return jnp.concatenate([phi, pi])

        return cast(
            Map,
            Map.from_law(
                law,
                params=self.p,
                x0=np.concatenate([phi0, pi0]),
                names=self._names(),
                name=name or f"kleingordon_{self.potential.name}",
                reference=REFERENCE,
                dt=self.dt,
                description=f"velocity-Verlet step of phi_tt - phi_xx + V'(phi) = 0, {self.describe()}",
                flags=("conservative",),
            ),
        )

    @float64
    def flow(self, phi0: Any, pi0: Any | None = None, *, name: str | None = None) -> Flow:
        """The semi-discrete field as a dynstab `Flow`: d phi/dt = pi, d pi/dt = phi_xx - V'(phi) (2N).

        For the adaptive integrators of `dynstab.trajectory`; the fixed-step ones (RK4) are not
        symplectic and have their own stability limit (about 2.8 / omega_max). ``system.dt`` is ``dt``.

        Parameters
        ----------
        phi0 : array_like, shape (N,)
            Initial field.
        pi0 : array_like, shape (N,), optional
            Initial velocity (default 0).
        name : str, optional
            The system's name (default ``"kleingordon_<potential>_flow"``).

        Returns
        -------
        dynstab.systems.Flow
        """
        phi0 = self.as_field(phi0, "phi0")
        pi0 = np.zeros(self.n) if pi0 is None else self.as_field(pi0, "pi0")
        n = self.n

        def law(state: Any, p: Any, t: Any) -> Any:
            return jnp.concatenate([state[n:], self.force(state[:n], p)])

        return cast(
            Flow,
            Flow.from_law(
                law,
                params=self.p,
                x0=np.concatenate([phi0, pi0]),
                names=self._names(),
                name=name or f"kleingordon_{self.potential.name}_flow",
                reference=REFERENCE,
                dt=self.dt,
                description=f"semi-discrete phi_tt - phi_xx + V'(phi) = 0, {self.describe()}",
            ),
        )


# ------------------------------------------------------------------------------------------ runs
@dataclass(frozen=True)
class FieldRun:
    """A simulated field: samples of phi and pi with the energy and momentum at each.

    Attributes
    ----------
    field : KleinGordon
        The discretized field.
    t : numpy.ndarray, shape (T,)
        Sample times.
    phi, pi : numpy.ndarray, shape (T, N)
        The field and its velocity at the samples.
    energy, momentum : numpy.ndarray, shape (T,)
        `KleinGordon.energy` and `KleinGordon.momentum` at the samples.
    scenario : str
        The scenario's name (or ``"custom"``).
    scenario_params : dict of str to float
        Its parameters (speed, width, ...), the potential's excluded.
    """

    field: KleinGordon
    t: np.ndarray
    phi: np.ndarray
    pi: np.ndarray
    energy: np.ndarray
    momentum: np.ndarray
    scenario: str = "custom"
    scenario_params: dict[str, float] = dataclasses.field(default_factory=dict)

    @property
    def x(self) -> np.ndarray:
        """The grid."""
        return self.field.x

    @property
    def energy_drift(self) -> float:
        """max |E(t) - E(0)| / |E(0)| over the samples."""
        e0 = self.energy[0]
        return float(np.max(np.abs(self.energy - e0)) / max(abs(e0), 1e-300))

    def entropies(self, convention: str = "weighted") -> dict[str, np.ndarray]:
        """`field_entropies` of the samples of phi (one value per sample).

        Parameters
        ----------
        convention : {"weighted", "amangkurat"}
            See `field_entropies`.

        Returns
        -------
        dict of str to numpy.ndarray
        """
        return field_entropies(self.phi, self.field.dx, convention=convention)

    def to_xarray(self) -> Any:
        """The run as an ``xarray.Dataset`` (CF-1.8): phi, pi over (time, x); energy, momentum over time.

        The potential's and the scenario's parameters are global attributes (``param_NAME``,
        ``scenario_NAME``) along with the grid, the step, the scheme and the reference; every
        variable has ``long_name`` and ``units`` (``"1"``: nondimensional, c = hbar = 1).

        Returns
        -------
        xarray.Dataset
        """
        import xarray as xr

        from .. import __version__

        f = self.field
        coords = {
            "time": ("time", self.t, {"long_name": "time", "standard_name": "time", "units": "1", "axis": "T"}),
            "x": ("x", f.x, {"long_name": "position on the periodic grid", "units": "1", "axis": "X"}),
        }
        data = {
            "phi": (("time", "x"), self.phi, {"long_name": "field phi", "units": "1"}),
            "pi": (("time", "x"), self.pi, {"long_name": "field velocity pi = d phi / dt", "units": "1"}),
            "energy": (
                ("time",),
                self.energy,
                {"long_name": "energy integral of (pi^2 + phi_x^2)/2 + V(phi) dx", "units": "1"},
            ),
            "momentum": (("time",), self.momentum, {"long_name": "momentum -integral of pi phi_x dx", "units": "1"}),
        }
        attrs: dict[str, Any] = {
            "Conventions": "CF-1.8",
            "title": f"Klein-Gordon field, {self.scenario} ({f.potential.name} potential)",
            "source": f"dynstab {__version__}, dynstab.models.fields",
            "references": REFERENCE,
            "equation": "phi_tt - phi_xx + V'(phi) = 0, periodic in x",
            "potential": f.potential.name,
            "potential_formula": f.potential.formula,
            "scenario": self.scenario,
            "grid_points": f.n,
            "length": f.length,
            "dx": f.dx,
            "dt": f.dt,
            "scheme": "velocity-Verlet (kick-drift-kick), Fourier pseudo-spectral derivatives",
            "energy_drift": self.energy_drift,
            "dynstab_version": __version__,
        }
        attrs.update({f"param_{k}": v for k, v in f.params})
        attrs.update({f"scenario_{k}": float(v) for k, v in self.scenario_params.items()})
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def to_netcdf(self, path: Any) -> None:
        """Write `to_xarray` to ``path`` atomically (`dynstab.files.atomic_output`: the whole file or nothing).

        Parameters
        ----------
        path : str or os.PathLike
            The NetCDF file (h5netcdf engine); its folder must exist.
        """
        from ..files import atomic_output

        ds = self.to_xarray()
        with atomic_output(path) as tmp:
            ds.to_netcdf(tmp, engine="h5netcdf")


def _kernel(field_: KleinGordon, n_sub: int, size: int) -> Callable[..., Any]:
    """The jitted chunk of `evolve` for one field, sampling stride and buffer size (cached)."""
    return _chunk_fn(field_, n_sub, size)


@functools.lru_cache(maxsize=32)
def _chunk_fn(field_: KleinGordon, n_sub: int, size: int) -> Callable[..., Any]:
    def observe(s: Any) -> Any:
        phi, pi, _ = s
        return phi, pi, field_.energy(phi, pi), field_.momentum(phi, pi)

    def step(s: Any, t: Any, k: Any) -> Any:
        return field_.verlet_step(*s)

    @jax.jit
    def piece(state: Any, n_out: Any, start: Any, count: Any) -> Any:
        return sample_part(step, state, 0.0, field_.dt, n_sub, n_out, size, start, count, observe)

    return piece


@float64
def evolve(
    field_: KleinGordon,
    phi0: Any,
    pi0: Any | None = None,
    *,
    t: float,
    save_every: float | None = None,
    resolution_tol: float = RESOLUTION_TOL,
    scenario: str = "custom",
    scenario_params: Mapping[str, float] | None = None,
    progress: Progress | None = None,
) -> FieldRun:
    r"""Advance the field by velocity-Verlet steps of ``field_.dt`` for a time ``t``, in compiled chunks.

    Checks first (before any work): the shapes and finiteness of ``phi0`` and ``pi0``, the step
    against the stability limit (`KleinGordon.check_step`), the resolution of the initial data
    (`KleinGordon.check_resolved`) and the memory of the samples (`dynstab.limits.check_allocation`).
    The run is a Python loop over compiled chunks of about 0.25 s (`dynstab.simulate.evolution.in_chunks`
    around `dynstab.simulate.evolution.sample_part`), so Ctrl-C stops it within a chunk and
    ``progress(done_steps, total_steps)`` is called between chunks. The step carries F(phi) from one
    step to the next (one force evaluation, two FFTs, per step): half the cost of the `KleinGordon.system`
    map, which recomputes it (the same numbers; benchmarks/bench_fields.py).

    Parameters
    ----------
    field_ : KleinGordon
        The discretized field.
    phi0 : array_like, shape (N,)
        Initial field.
    pi0 : array_like, shape (N,), optional
        Initial velocity phi_t (default 0).
    t : float
        Duration (> 0); rounded to a whole number of sampling intervals.
    save_every : float, optional
        Time between samples (rounded to whole steps, at least one); default about ``t / 400``.
    resolution_tol : float, default `RESOLUTION_TOL`
        Largest spectral tail of the initial data.
    scenario : str, default "custom"
        Name stored with the run.
    scenario_params : mapping, optional
        Parameters stored with the run.
    progress : callable, optional
        ``progress(done, total)`` in steps.

    Returns
    -------
    FieldRun

    Raises
    ------
    ValueError
        For a bad shape or value, an unstable dt, unresolved initial data.
    FloatingPointError
        If the field leaves the finite numbers (never for a stable dt and a resolved field).
    dynstab.limits.AllocationError
        If the samples would exceed the memory limit.
    """
    f = field_
    phi0 = f.as_field(phi0, "phi0")
    pi0 = np.zeros(f.n) if pi0 is None else f.as_field(pi0, "pi0")
    t = as_positive_float(t, name="t")
    every = t / 400.0 if save_every is None else as_positive_float(save_every, name="save_every")
    if every > t:
        raise ValueError(f"save_every = {every:g} is longer than the run t = {t:g}; give save_every <= t")
    f.check_step(phi0)
    f.check_resolved(phi0, pi0, resolution_tol)
    n_sub = max(1, round(every / f.dt))
    intervals = max(1, round(t / (n_sub * f.dt)))
    n_out = intervals + 1
    check_allocation(
        2.0 * n_out * (2 * f.n + 2) * 8.0,
        f"the samples ({n_out} times x {f.n} points of phi and pi)",
        "sample less often (a larger save_every) or shorten t",
    )
    seconds = n_sub * f.n * SECONDS_PER_POINT_STEP
    # rows of a chunk's sample buffer: about 0.3 s of work, at most 64 MB
    size = max(2, min(n_out, int(1.25 * CHUNK_SECONDS / seconds), int(64e6 / ((2 * f.n + 2) * 8.0))))
    piece = _kernel(f, n_sub, size)
    phi_j, pi_j = jnp.asarray(phi0), jnp.asarray(pi0)
    state = (phi_j, pi_j, f.force(phi_j))
    out_phi = np.empty((n_out, f.n))
    out_pi = np.empty((n_out, f.n))
    out_e = np.empty(n_out)
    out_p = np.empty(n_out)

    def store(start: int, ys: Any) -> None:
        m = ys[0].shape[0]
        out_phi[start : start + m], out_pi[start : start + m] = ys[0], ys[1]
        out_e[start : start + m], out_p[start : start + m] = ys[2], ys[3]

    total = intervals * n_sub
    report = None if progress is None else (lambda done, _: progress(min(max(done - 1, 0) * n_sub, total), total))
    n_out_arr = np.asarray(n_out)
    in_chunks(
        lambda s, j, m: piece(s, n_out_arr, np.asarray(j), np.asarray(m)),
        state,
        n_out,
        max(1, size // 32),
        size,
        progress=report,
        store=store,
    )
    if not (np.all(np.isfinite(out_phi)) and np.all(np.isfinite(out_pi))):
        bad = int(np.argmax(~np.all(np.isfinite(out_phi) & np.isfinite(out_pi), axis=1)))
        raise FloatingPointError(
            f"the field left the finite numbers by t = {bad * n_sub * f.dt:g} ({f.describe()}); "
            "lower dt or check the potential (unbounded below?)"
        )
    return FieldRun(
        f,
        n_sub * f.dt * np.arange(n_out),
        out_phi,
        out_pi,
        out_e,
        out_p,
        scenario,
        {k: float(v) for k, v in (scenario_params or {}).items()},
    )


# ------------------------------------------------------------------------------------------ initial data
def gaussian_packet(x: Any, amplitude: float = 1.0, width: float = 2.0, center: float = 0.0) -> np.ndarray:
    r"""Gaussian packet :math:`A e^{-((x - x_0)/w)^2}` (the original's case 1: A = 1, w = 2).

    Parameters
    ----------
    x : array_like
        Positions.
    amplitude, width, center : float
        A, w > 0 and x0.

    Returns
    -------
    numpy.ndarray
    """
    w = as_positive_float(width, name="width")
    return as_float(amplitude, name="amplitude") * np.exp(-(((np.asarray(x) - center) / w) ** 2))


def breather(x: Any, omega: float = 0.5, t: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""The exact sine-Gordon breather and its velocity at time ``t``.

    .. math::

        \phi = 4 \arctan\frac{\omega_x \sin\omega t}{\omega\cosh\omega_x x},\qquad \omega_x = \sqrt{1-\omega^2},

    energy :math:`16\sqrt{1-\omega^2}`, period :math:`2\pi/\omega`. The default ``t = pi / (2 omega)``
    starts at the turning point (:math:`\sin\omega t = 1`, :math:`\phi_t = 0`, peak
    :math:`4\arctan(\omega_x/\omega)`, 4.18879 for omega = 0.5), so phi(0, t) has maxima at multiples
    of the period. The original's "breather" (notes, defect 1) is
    :math:`4\arctan[1/(\omega_x\cosh\omega_x x)]` with an odd velocity: peak 3.424, not a breather.

    Parameters
    ----------
    x : array_like
        Positions.
    omega : float, default 0.5
        Frequency, 0 < omega < 1.
    t : float, optional
        Time of the breather's phase (default pi / (2 omega)).

    Returns
    -------
    (phi, pi) : numpy.ndarray
    """
    w = as_float(omega, name="omega", minimum=0.0, maximum=1.0, inclusive="neither")
    wx = math.sqrt(1.0 - w * w)
    t = math.pi / (2.0 * w) if t is None else as_float(t, name="t")
    x = np.asarray(x, dtype=np.float64)
    a = wx / w
    c = np.cosh(wx * x)
    s, co = math.sin(w * t), math.cos(w * t)
    phi = 4.0 * np.arctan(a * s / c)
    pi = 4.0 * a * w * co * c / (c**2 + (a * s) ** 2)
    return phi, pi


def kink_antikink(
    x: Any, separation: float, speed: float = 0.0, lam: float = 1.0, v: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    r"""A phi^4 kink at -d/2 moving right and an antikink at +d/2 moving left, each at speed u.

    .. math::

        \phi = v[\tanh\xi_1 - \tanh\xi_2 - 1],\quad \pi = -\frac{v u \gamma}{\xi}
        [\operatorname{sech}^2\xi_1 + \operatorname{sech}^2\xi_2],\quad
        \xi_{1,2} = \gamma(x \pm d/2)/\xi,

    :math:`\gamma = 1/\sqrt{1-u^2}`, :math:`\xi = \sqrt2/(v\sqrt\lambda)`: the field is -v outside
    the pair and +v between (boosted kinks :math:`\pm v\tanh(\gamma(x - x_0 \mp ut)/\xi)` at t = 0).
    Energy :math:`2\gamma E_{kink}` when far apart. ``speed = 0`` is the static pair. The original
    (notes, defect 2) omits the -1 and gives both halves the velocity of a right-moving structure.

    Parameters
    ----------
    x : array_like
        Positions.
    separation : float
        d > 0.
    speed : float, default 0.0
        u, 0 <= u < 1.
    lam, v : float
        phi^4 parameters.

    Returns
    -------
    (phi, pi) : numpy.ndarray
    """
    d = as_positive_float(separation, name="separation")
    u = as_float(speed, name="speed", minimum=0.0, maximum=1.0, inclusive="left")
    xi = kink_width(lam, v)
    g = 1.0 / math.sqrt(1.0 - u * u)
    x = np.asarray(x, dtype=np.float64)
    x1, x2 = g * (x + 0.5 * d) / xi, g * (x - 0.5 * d) / xi
    phi = v * (np.tanh(x1) - np.tanh(x2) - 1.0)
    pi = -(v * u * g / xi) * (1.0 / np.cosh(x1) ** 2 + 1.0 / np.cosh(x2) ** 2)
    return phi, pi


@float64
def linear_exact(field_: KleinGordon, phi0: Any, pi0: Any, t: Any) -> np.ndarray:
    r"""The exact solution of the linear Klein-Gordon field on the periodic domain, by Fourier modes.

    :math:`\hat\phi_k(t) = \hat\phi_k(0)\cos\omega_k t + \hat\pi_k(0)\sin(\omega_k t)/\omega_k`,
    :math:`\omega_k = \sqrt{k^2 + m^2}` (the limit t for omega = 0): exact for data resolved by the grid.

    Parameters
    ----------
    field_ : KleinGordon
        A field with the ``"linear"`` potential.
    phi0, pi0 : array_like, shape (N,)
        Initial data.
    t : float or array_like, shape (T,)
        Times.

    Returns
    -------
    numpy.ndarray, shape (N,) or (T, N)
    """
    if field_.potential.name != "linear":
        raise ValueError(f"linear_exact needs the linear potential, got {field_.potential.name!r}")
    phi0, pi0 = field_.as_field(phi0, "phi0"), field_.as_field(pi0, "pi0")
    k = 2.0 * np.pi * np.fft.rfftfreq(field_.n, d=field_.dx)
    w = np.sqrt(k**2 + field_.p["m"] ** 2)
    ts = np.atleast_1d(np.asarray(t, dtype=np.float64))[:, None]
    safe = np.where(w > 0, w, 1.0)
    sinc = np.where(w > 0, np.sin(safe * ts) / safe, ts)
    c = np.fft.rfft(phi0) * np.cos(w * ts) + np.fft.rfft(pi0) * sinc
    out = np.fft.irfft(c, n=field_.n, axis=-1)
    return out[0] if np.ndim(t) == 0 else out


def kink_positions(x: Any, phi: Any, level: float = 0.0) -> list[np.ndarray]:
    """The positions where ``phi`` crosses ``level`` (linear interpolation), for each sample.

    Parameters
    ----------
    x : array_like, shape (N,)
        The grid.
    phi : array_like, shape (N,) or (T, N)
        Field samples.
    level : float, default 0.0
        The crossing level (0: the centre of a phi^4 kink).

    Returns
    -------
    list of numpy.ndarray
        One array of crossings per sample (sorted).
    """
    x = np.asarray(x, dtype=np.float64)
    rows = np.atleast_2d(np.asarray(phi, dtype=np.float64)) - level
    out = []
    for row in rows:
        a, b = row[:-1], row[1:]
        j = np.nonzero((a == 0) | (a * b < 0))[0]
        frac = a[j] / np.where(a[j] - b[j] == 0, 1.0, a[j] - b[j])
        out.append(x[j] + frac * (x[j + 1] - x[j]))
    return out


# ------------------------------------------------------------------------------------------ entropies
RENYI_ORDERS = (0.5, 2.0, 10.0)
TSALLIS_ORDERS = (0.5, 2.0)
#: The original's cutoff: points with p <= this are left out of its sums.
AMANGKURAT_CUTOFF = 1e-15


def field_entropies(phi: Any, dx: float, convention: str = "weighted") -> dict[str, np.ndarray]:
    r"""Entropies of :math:`p = \phi^2 / \int \phi^2 dx`, one value per sample of ``phi``.

    ``convention="weighted"`` (default): the entropies of the density p with the dx weight,
    independent of the resolution (they converge as N grows):
    :math:`S = -\int p\ln p\,dx`, :math:`H_\alpha = \ln(\int p^\alpha dx)/(1-\alpha)`,
    :math:`S_q = (1 - \int p^q dx)/(q-1)`. They are computed from the probability vector
    :math:`P_j = p_j\,dx` with `dynstab.timeseries.renyi_entropy` (``S = H_1``):
    :math:`H_\alpha = H_\alpha(P) + \ln dx` and :math:`\int p^q dx = e^{(1-q) H_q}`.

    ``convention="amangkurat"``: the original analysis scripts' sums over grid points without
    the dx weight, leaving out p <= 1e-15 (suppl-amangkurat ``entropy_stats.py``):
    :math:`S = -\sum p\ln p`, :math:`H_\alpha = \ln(\sum p^\alpha)/(1-\alpha)`,
    :math:`S_q = (1-\sum p^q)/(q-1)`. They depend on dx: S is about the weighted S divided by dx,
    :math:`H_\alpha` shifts by :math:`-\ln(dx)/(1-\alpha)`, so halving dx doubles S (12.08 for the
    original's Gaussian packet on dx = 60/511, where the weighted S is 1.419).

    Both return also the original's composite :math:`C = 0.5 S + 0.3 H_2 + 0.2 S_2`.

    Parameters
    ----------
    phi : array_like, shape (N,) or (T, N)
        Field samples (each not identically zero).
    dx : float
        Grid spacing.
    convention : {"weighted", "amangkurat"}, default "weighted"

    Returns
    -------
    dict of str to numpy.ndarray, shape () or (T,)
        ``"shannon"``, ``"renyi_0.5"``, ``"renyi_2"``, ``"renyi_10"``, ``"tsallis_0.5"``,
        ``"tsallis_2"``, ``"composite"``.

    References
    ----------
    Shannon (1948); Renyi (1961); Tsallis, J. Stat. Phys. 52, 479 (1988); Herho et al.,
    suppl-amangkurat (2025), doi:10.5281/zenodo.17625800.
    """
    from ..timeseries.entropy import renyi_entropy

    if convention not in ("weighted", "amangkurat"):
        raise ValueError(f"convention must be 'weighted' or 'amangkurat', got {convention!r}")
    arr = as_finite_array(phi, name="phi", ndim=(1, 2))
    dx = as_positive_float(dx, name="dx")
    rows = np.atleast_2d(arr)
    norm = np.sum(rows**2, axis=1) * dx
    if np.any(norm == 0):
        raise ValueError("phi is identically zero in a sample: p = phi^2 / int phi^2 dx is undefined there")
    p = rows**2 / norm[:, None]
    names = ["shannon", *(f"renyi_{a:g}" for a in RENYI_ORDERS), *(f"tsallis_{q:g}" for q in TSALLIS_ORDERS)]
    out = {name: np.empty(rows.shape[0]) for name in names}
    if convention == "weighted":
        log_dx = math.log(dx)
        for i, row in enumerate(p):
            P = row * dx
            P = P / P.sum()  # exact normalization against rounding
            out["shannon"][i] = renyi_entropy(P, 1.0) + log_dx
            for a in RENYI_ORDERS:
                out[f"renyi_{a:g}"][i] = renyi_entropy(P, a) + log_dx
            for q in TSALLIS_ORDERS:
                h = renyi_entropy(P, q) + log_dx
                out[f"tsallis_{q:g}"][i] = (1.0 - math.exp((1.0 - q) * h)) / (q - 1.0)
    else:
        keep = p > AMANGKURAT_CUTOFF
        safe = np.where(keep, p, 1.0)
        out["shannon"][:] = -np.sum(np.where(keep, safe * np.log(safe), 0.0), axis=1)
        for a in RENYI_ORDERS:
            out[f"renyi_{a:g}"][:] = np.log(np.sum(np.where(keep, safe**a, 0.0), axis=1)) / (1.0 - a)
        for q in TSALLIS_ORDERS:
            out[f"tsallis_{q:g}"][:] = (1.0 - np.sum(np.where(keep, safe**q, 0.0), axis=1)) / (q - 1.0)
    out["composite"] = 0.5 * out["shannon"] + 0.3 * out["renyi_2"] + 0.2 * out["tsallis_2"]
    if arr.ndim == 1:
        return {k: np.asarray(v[0]) for k, v in out.items()}
    return out


# ------------------------------------------------------------------------------------------ scenarios
@dataclass(frozen=True)
class Scenario:
    """A named initial-value problem: field, initial data, duration and sampling.

    Attributes
    ----------
    name : str
    field : KleinGordon
    phi0, pi0 : numpy.ndarray, shape (N,)
    t : float
        Default duration.
    save_every : float
        Default time between samples.
    params : dict of str to float
        The scenario's own parameters (speed, width, ...).
    """

    name: str
    field: KleinGordon
    phi0: np.ndarray
    pi0: np.ndarray
    t: float
    save_every: float
    params: dict[str, float]


#: name -> (potential, its parameters, the scenario's parameters, n, length, dt, t, save_every), from the
#: original's four cases (grids, steps, durations), the static kink as a pair and the collision on the notes' grid.
_SCENARIOS: dict[str, tuple[str, dict[str, float], dict[str, float], int, float, float, float, float]] = {
    "packet": ("linear", {"m": 1.0}, {"amplitude": 1.0, "width": 2.0}, 512, 60.0, 0.005, 50.0, 0.1),
    "kink": ("phi4", {"lam": 1.0, "v": 1.0}, {"separation": 50.0}, 1024, 100.0, 0.005, 50.0, 0.1),
    "breather": ("sine_gordon", {}, {"omega": 0.5}, 512, 80.0, 0.01, 80.0, 0.05),
    "collision": ("phi4", {"lam": 1.0, "v": 1.0}, {"speed": 0.3, "separation": 20.0}, 2048, 200.0, 0.005, 100.0, 0.1),
}
SCENARIOS = tuple(_SCENARIOS)


@float64
def scenario(
    name: str,
    *,
    n: int | None = None,
    length: float | None = None,
    dt: float | None = None,
    t: float | None = None,
    save_every: float | None = None,
    **params: float,
) -> Scenario:
    """A named scenario with its defaults, any of them overridden.

    ==========  ===========  ====================================  ====  =====  =====  ====
    name        potential    parameters (defaults)                 N     L      dt     t
    ==========  ===========  ====================================  ====  =====  =====  ====
    packet      linear       m=1, amplitude=1, width=2             512   60     0.005  50
    kink        phi4         lam=1, v=1, separation=50 (pair)      1024  100    0.005  50
    breather    sine_gordon  omega=0.5                             512   80     0.01   80
    collision   phi4         lam=1, v=1, speed=0.3, separation=20  2048  200    0.005  100
    ==========  ===========  ====================================  ====  =====  =====  ====

    Parameters
    ----------
    name : {"packet", "kink", "breather", "collision"}
    n, length, dt, t, save_every : optional
        Grid points, period, time step, duration, time between samples.
    **params : float
        The potential's parameters and the scenario's (``m``; ``lam``, ``v``; ``amplitude``,
        ``width``; ``separation``; ``omega``; ``speed``).

    Returns
    -------
    Scenario

    Raises
    ------
    ValueError
        For an unknown name or parameter (with the closest match), a negative parameter, a
        separation not below L, an unstable dt or unresolved initial data.
    """
    if name not in _SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}{_close(name, _SCENARIOS)}; choose one of {list(SCENARIOS)}")
    pot_name, pot_defaults, own, n0, l0, dt0, t0, every0 = _SCENARIOS[name]
    known = {**pot_defaults, **own}
    for key in params:
        if key not in known:
            raise ValueError(
                f"scenario {name!r} has no parameter {key!r}{_close(key, known)}; its parameters are {sorted(known)}"
            )
    values = {**known, **params}
    for key, value in values.items():
        values[key] = as_float(value, name=f"parameter {key!r}", minimum=0.0)
    f = KleinGordon.create(
        pot_name,
        {k: values[k] for k in pot_defaults},
        n=n0 if n is None else n,
        length=l0 if length is None else length,
        dt=dt0 if dt is None else dt,
    )
    x = f.x
    mine = {k: values[k] for k in own}
    if name == "packet":
        phi0, pi0 = gaussian_packet(x, mine["amplitude"], mine["width"]), np.zeros(f.n)
    elif name == "breather":
        phi0, pi0 = breather(x, mine["omega"])
    else:
        if not mine["separation"] < f.length:
            raise ValueError(f"separation {mine['separation']:g} must be below the period L = {f.length:g}")
        phi0, pi0 = kink_antikink(x, mine["separation"], mine.get("speed", 0.0), f.p["lam"], f.p["v"])
    f.check_step(phi0)
    f.check_resolved(phi0, pi0)
    duration = t0 if t is None else as_positive_float(t, name="t")
    every = min(every0, duration) if save_every is None else as_positive_float(save_every, name="save_every")
    return Scenario(name, f, phi0, pi0, duration, every, mine)


def run_scenario(name: str | Scenario, *, progress: Progress | None = None, **kwargs: Any) -> FieldRun:
    """`scenario` then `evolve`.

    Parameters
    ----------
    name : str or Scenario
        A scenario name (then ``kwargs`` go to `scenario`) or a `Scenario`.
    progress : callable, optional
        ``progress(done, total)`` in steps.
    **kwargs
        Passed to `scenario`.

    Returns
    -------
    FieldRun
    """
    sc = scenario(name, **kwargs) if isinstance(name, str) else name
    return evolve(
        sc.field,
        sc.phi0,
        sc.pi0,
        t=sc.t,
        save_every=sc.save_every,
        scenario=sc.name,
        scenario_params=sc.params,
        progress=progress,
    )


# ------------------------------------------------------------------------------------------ figures
def plot_spacetime(run: FieldRun, ax: Any = None, variable: str = "phi") -> Any:
    """Space-time image of phi (or pi) over x (horizontal) and t (vertical), with a colorbar.

    Parameters
    ----------
    run : FieldRun
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (a new constrained-layout figure otherwise).
    variable : {"phi", "pi"}, default "phi"

    Returns
    -------
    matplotlib.figure.Figure
    """

    if variable not in ("phi", "pi"):
        raise ValueError(f"variable must be 'phi' or 'pi', got {variable!r}")
    from ..plotting import figure_axes

    fig, ax = figure_axes(ax, (6.4, 4.8))
    data = run.phi if variable == "phi" else run.pi
    dx = run.field.dx
    extent = (run.x[0] - 0.5 * dx, run.x[-1] + 0.5 * dx, run.t[0], run.t[-1])
    vmax = float(np.max(np.abs(data))) or 1.0
    image = ax.imshow(
        data,
        origin="lower",
        aspect="auto",
        extent=extent,
        cmap="RdBu_r",
        vmin=-vmax,
        vmax=vmax,
        interpolation="nearest",
    )
    label = "field phi (nondimensional)" if variable == "phi" else "velocity pi = d phi/dt (nondimensional)"
    fig.colorbar(image, ax=ax, label=label)
    ax.set_xlabel("x (nondimensional length)")
    ax.set_ylabel("t (nondimensional time)")
    ax.set_title(f"{run.scenario}: {run.field.potential.name}, N = {run.field.n}, dt = {run.field.dt:g}")
    return fig


def plot_energy(run: FieldRun, ax: Any = None) -> Any:
    """Relative energy error (E(t) - E(0)) / |E(0)| and momentum against time.

    Parameters
    ----------
    run : FieldRun
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """

    from ..plotting import figure_axes

    fig, ax = figure_axes(ax, (6.4, 4.0))
    e0 = run.energy[0]
    ax.plot(run.t, (run.energy - e0) / max(abs(e0), 1e-300), label=f"energy, E(0) = {e0:.8g}")
    ax.plot(run.t, run.momentum - run.momentum[0], label=f"momentum - P(0), P(0) = {run.momentum[0]:.3g}")
    ax.set_xlabel("t (nondimensional time)")
    ax.set_ylabel("relative energy error; momentum change (nondimensional)")
    ax.set_title(f"{run.scenario}: conservation (max |dE|/E = {run.energy_drift:.2g})")
    ax.legend()
    return fig
