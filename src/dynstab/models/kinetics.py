"""Stochastic chemical kinetics: reaction networks, exact and approximate simulation, moment closures.

A `Network` is declared by its species, its reactions (``"2X + Y -> 3X"`` with a rate
parameter, mass-action or a custom propensity) and the system size Omega. From it:

* `jump_process`: the chemical master equation (CME) as a `dynstab.systems.jump.JumpProcess`;
  `ssa` samples it exactly (Gillespie's direct method, thousands of paths in one compiled call)
  and `tau_leap` by Poisson tau-leaping (Gillespie 2001);
* `cle`: the chemical Langevin equation (Gillespie 2000) as a dynstab `SDE`,
  dx = sum_r nu_r a_r(x) dt + sum_r nu_r sqrt(a_r(x)) dW_r, simulated by `dynstab.simulate.trajectory`;
* `moment_equations`: the equations of the means and central moments up to order m = 2..4 as a
  dynstab `Flow`, generated from the network, closed by one of four moment-closure
  approximations (MA): ``"normal"`` (cumulants above m vanish), ``"poisson"`` (diagonal
  cumulants above m equal the mean, mixed ones vanish), ``"lognormal"`` (moments above m those of
  the multivariate log-normal with the same means and covariances) and ``"cmn"`` (central moments
  above m vanish; central-moment neglect, "zero closure");
* `check_validity` / `validity_scan`: the checks of Schnoerr, Sanguinetti & Grima (2014) flagged
  automatically for each closure order: negative variances, divergence, sustained oscillations of
  the moments (the CME of these networks has a unique stationary distribution, so its moments
  settle; oscillations that persist are an artefact), steady states that depend on the
  initial condition, and disagreement between consecutive orders.

Conventions. A mass-action reaction with reactant counts s_i (order s = sum_i s_i) has the
propensity a(n) = k Omega^(1 - s) prod_i n_i (n_i - 1) ... (n_i - s_i + 1) (falling factorials,
no 1/s_i! factor: "combinatoric_ratelaws=false" in Catalyst/MomentClosure.jl), so the rate
equation in concentrations x = n / Omega is dx/dt = sum_r nu_r k_r prod_i x_i^s_i. Initial
conditions are concentrations; the counts are round(Omega x0).

Moment equations. With delta = n - mu, the CME gives
d mu_i/dt = sum_r nu_ri E[a_r(n)] and, for a central moment M_alpha = E[delta^alpha] (|alpha| >= 2),
dM_alpha/dt = sum_r E[a_r(n) ((delta + nu_r)^alpha - delta^alpha)] - sum_i alpha_i M_(alpha - e_i) dmu_i/dt.
a_r(mu + delta) is expanded in delta by Taylor's formula (forward-mode derivatives of the
propensity at mu): exact for mass action (a polynomial of degree s), truncated at ``degree``
for a custom propensity (the approach of MOCA and MomentClosure.jl for non-polynomial rates).
Expectations of delta^beta are central moments; those above order m (up to m + s - 1) come from
the closure. Cumulants and moments are converted by the set-partition formulas (McCullagh 1987,
Sec. 2.3). Moment equations of the linear birth-death process need no closure and are exact.

References
----------
D. Schnoerr, G. Sanguinetti, R. Grima, "Validity conditions for moment closure approximations in
stochastic chemical kinetics", J. Chem. Phys. 141, 084103 (2014), arXiv:1407.8316.
D. Schnoerr, G. Sanguinetti, R. Grima, "Comparison of different moment-closure approximations for
stochastic chemical kinetics", J. Chem. Phys. 143, 185101 (2015), arXiv:1508.01737 (the four
closures; the Brusselator with c = (0.9, 2, 1, 1)).
D. T. Gillespie, J. Phys. Chem. 81, 2340 (1977); J. Chem. Phys. 113, 297 (2000); J. Chem. Phys.
115, 1716 (2001). F. Schlogl, Z. Phys. 253, 147 (1972). I. Prigogine, R. Lefever, J. Chem. Phys.
48, 1695 (1968) (Brusselator). P. McCullagh, Tensor Methods in Statistics, Chapman & Hall 1987.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float64
from ..systems import SDE, Flow
from ..systems.jump import JumpProcess, PathSample, sample_paths
from ..systems.jump import jump_process as make_jump_process
from ..validation import as_float, as_int, as_positive_float, as_step

__all__ = [
    "Reaction",
    "Network",
    "NETWORKS",
    "CLOSURES",
    "METHODS",
    "network",
    "jump_process",
    "ssa",
    "tau_leap",
    "cle",
    "moment_equations",
    "MomentEquations",
    "solve_moments",
    "MomentSolution",
    "Ensemble",
    "check_validity",
    "Validity",
    "validity_scan",
    "valid_range",
]

#: The moment closures by name.
CLOSURES = ("normal", "poisson", "lognormal", "cmn")
#: The simulation methods of the command line.
METHODS = ("ssa", "tau", "cle", "moments")
_ORDERS = (2, 3, 4)
_TERM = re.compile(r"^\s*(\d*)\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


def _close_match(name: str, known: Sequence[str]) -> str:
    hint = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


# ----------------------------------------------------------------------------------------- the spec
@dataclass(frozen=True)
class Reaction:
    """One reaction of a `Network`.

    Parameters
    ----------
    equation : str
        ``"2X + Y -> 3X"``; ``0`` (or nothing) for no species, e.g. ``"0 -> X"``.
    rate : str
        The name of its rate parameter (in the network's ``params``).
    propensity : callable, optional
        A custom propensity ``a(n, p) -> scalar`` (JAX-traceable; ``p`` holds the parameters and
        ``omega``); mass action when omitted.
    degree : int, optional
        For a custom propensity, the order of its Taylor expansion in the moment equations
        (default 2); ignored for mass action (the exact degree is used).
    """

    equation: str
    rate: str
    propensity: Callable[..., Any] | None = None
    degree: int | None = None


def _side(text: str, species: Sequence[str], equation: str, what: str) -> dict[str, int]:
    out: dict[str, int] = {}
    text = text.strip()
    if text in ("", "0", "∅"):
        return out
    for term in text.split("+"):
        m = _TERM.match(term)
        if m is None:
            raise ValueError(
                f"reaction {equation!r}: cannot read {term.strip()!r}; write terms like '2X' joined by '+', "
                "and '0' for no species"
            )
        n, name = int(m.group(1) or 1), m.group(2)
        if name not in species:
            raise ValueError(
                f"reaction {equation!r} {what} species {name!r}, which is not among the species "
                f"{tuple(species)}{_close_match(name, species)}; add it to species= or correct the reaction"
            )
        out[name] = out.get(name, 0) + n
    return out


def _parse(equation: str, species: Sequence[str]) -> tuple[dict[str, int], dict[str, int]]:
    if not isinstance(equation, str) or equation.count("->") != 1:
        raise ValueError(f"a reaction is written 'A + B -> C' with one '->', got {equation!r}")
    left, right = equation.split("->")
    return _side(left, species, equation, "consumes"), _side(right, species, equation, "produces")


@dataclass(frozen=True, eq=False)
class Network:
    """A reaction network: species, reactions, parameters and the default initial concentrations.

    Build one with `Network.from_spec` (checked) or take an example with `network`. ``params``
    holds the rate constants and ``omega`` (the system size: volume times Avogadro's number, so
    counts are ``omega`` times concentrations). Networks compare by identity: their propensity
    function is a static argument of compiled code.

    Attributes
    ----------
    name, description, reference : str
    species : tuple of str
    reactions : tuple of Reaction
    params : dict of str to float
    initial : tuple of float
        Default initial concentrations (counts ``round(omega * initial)``).
    alternatives : tuple of tuple of float
        Further initial concentrations for the check of initial-condition-dependent steady states
        (for a bistable network, one on each side of the unstable state).
    reactants, products : numpy.ndarray, shape (R, N)
        Counts consumed and produced.
    """

    name: str
    species: tuple[str, ...]
    reactions: tuple[Reaction, ...]
    params: dict[str, float]
    initial: tuple[float, ...]
    alternatives: tuple[tuple[float, ...], ...] = ()
    description: str = ""
    reference: str = ""
    reactants: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    products: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    @classmethod
    def from_spec(
        cls,
        name: str,
        species: Sequence[str],
        reactions: Sequence[Reaction | tuple[str, str]],
        params: Mapping[str, float],
        initial: Sequence[float] | None = None,
        *,
        alternatives: Sequence[Sequence[float]] = (),
        description: str = "",
        reference: str = "",
    ) -> Network:
        """Build and check a network.

        Parameters
        ----------
        name : str
            The network's name.
        species : sequence of str
            Species names (identifiers, distinct).
        reactions : sequence of Reaction or (equation, rate name)
            The reactions.
        params : mapping of str to float
            Rate constants (finite, >= 0) and ``omega`` (> 0; default 100 when missing).
        initial : sequence of float, optional
            Initial concentrations (finite, >= 0; default 0).
        alternatives : sequence of sequence of float, default ()
            Further initial concentrations for the steady-state check.
        description, reference : str
            Metadata.

        Returns
        -------
        Network

        Raises
        ------
        ValueError
            For a reaction that consumes or produces an unknown species (naming close matches), a
            malformed equation, a reaction without its rate parameter, a negative or non-finite rate,
            a non-positive ``omega``, or negative initial concentrations.
        """
        species = tuple(str(s) for s in species)
        if not species or len(set(species)) != len(species):
            raise ValueError(f"species must be distinct names, got {species}")
        for s in species:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s):
                raise ValueError(f"species name {s!r} must be an identifier (letters, digits, '_')")
        rs = tuple(r if isinstance(r, Reaction) else Reaction(*r) for r in reactions)
        if not rs:
            raise ValueError("a network needs at least one reaction")
        ps = {str(k): float(v) for k, v in params.items()}
        ps.setdefault("omega", 100.0)
        for key, value in ps.items():
            if key == "omega":
                as_positive_float(value, name="omega (the system size)")
            elif not (math.isfinite(value) and value >= 0):
                raise ValueError(f"rate {key!r} must be a finite number >= 0, got {value!r}")
        reac = np.zeros((len(rs), len(species)), dtype=int)
        prod = np.zeros_like(reac)
        for j, r in enumerate(rs):
            left, right = _parse(r.equation, species)
            if r.rate not in ps:
                raise ValueError(
                    f"reaction {r.equation!r}: its rate {r.rate!r} is not in params "
                    f"{sorted(k for k in ps if k != 'omega')}{_close_match(r.rate, list(ps))}"
                )
            if r.propensity is not None and not callable(r.propensity):
                raise TypeError(f"reaction {r.equation!r}: propensity must be a function a(n, p)")
            if r.degree is not None:
                as_int(r.degree, name=f"degree of reaction {r.equation!r}", minimum=0, maximum=6)
            for s, c in left.items():
                reac[j, species.index(s)] = c
            for s, c in right.items():
                prod[j, species.index(s)] = c
        init = _concentrations(np.zeros(len(species)) if initial is None else initial, len(species), "initial")
        alts = tuple(tuple(_concentrations(a, len(species), "alternatives")) for a in alternatives)
        return cls(str(name), species, rs, ps, tuple(init), alts, description, reference, reac, prod)

    @property
    def stoichiometry(self) -> np.ndarray:
        """The net changes nu (R, N): products minus reactants."""
        return self.products - self.reactants

    @property
    def orders(self) -> tuple[int, ...]:
        """The degree of each propensity in the counts (mass action: the reaction order)."""
        return tuple(
            int(self.reactants[j].sum()) if r.propensity is None else int(2 if r.degree is None else r.degree)
            for j, r in enumerate(self.reactions)
        )

    def with_params(self, **changes: float) -> Network:
        """A copy with some parameters replaced (checked as in `from_spec`).

        Parameters
        ----------
        **changes : float
            New values by name.

        Returns
        -------
        Network

        Raises
        ------
        KeyError
            For a name that is not a parameter (naming close matches).
        """
        for key in changes:
            if key not in self.params:
                raise KeyError(
                    f"{self.name} has no parameter {key!r}; its parameters are {sorted(self.params)}"
                    + _close_match(key, list(self.params))
                )
        return Network.from_spec(
            self.name,
            self.species,
            self.reactions,
            {**self.params, **changes},
            self.initial,
            alternatives=self.alternatives,
            description=self.description,
            reference=self.reference,
        )

    def counts(self, omega: float | None = None, initial: Sequence[float] | None = None) -> np.ndarray:
        """Initial counts round(omega * initial) (defaults: the network's).

        Parameters
        ----------
        omega : float, optional
            The system size (default ``params["omega"]``).
        initial : sequence of float, optional
            Concentrations (default ``self.initial``).

        Returns
        -------
        numpy.ndarray, shape (N,)
        """
        om = self.params["omega"] if omega is None else omega
        conc = np.asarray(self.initial if initial is None else initial, dtype=float)
        return np.round(om * conc)

    @functools.cached_property
    def propensity(self) -> Callable[[Any, Any], Any]:
        """``a(n, p) -> (R,)``: the propensities at counts n (one traceable function, shared by all methods)."""
        reac = self.reactants
        rates = tuple(r.rate for r in self.reactions)
        customs = tuple(r.propensity for r in self.reactions)

        def propensity(n: Any, p: Any) -> Any:
            om = p["omega"]
            out = []
            for j, custom in enumerate(customs):
                if custom is not None:
                    out.append(jnp.asarray(custom(n, p), dtype=jnp.float64))
                    continue
                a = p[rates[j]] * om ** (1.0 - float(reac[j].sum()))
                for i, s in enumerate(reac[j]):
                    for k in range(int(s)):
                        a = a * (n[i] - k)
                out.append(a)
            return jnp.stack(out)

        return propensity

    def rate_equations(self, omega: float | None = None) -> Flow:
        """The deterministic rate equations in counts, dn/dt = sum_r nu_r a_r(n), as a `Flow`.

        Parameters
        ----------
        omega : float, optional
            The system size (default ``params["omega"]``).

        Returns
        -------
        Flow
        """
        return jump_process(self, omega).drift_as_flow()

    def __repr__(self) -> str:
        return f"Network({self.name!r}, species={self.species}, {len(self.reactions)} reactions)"


def _concentrations(values: Any, n: int, what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.shape != (n,) or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(
            f"{what} must be {n} finite concentrations >= 0 (one per species), got {np.ravel(arr).tolist()}"
        )
    return arr


# ----------------------------------------------------------------------------------------- examples
def _birth_death() -> Network:
    return Network.from_spec(
        "birth-death",
        ("X",),
        [("0 -> X", "k1"), ("X -> 0", "k2")],
        {"k1": 1.0, "k2": 0.1, "omega": 10.0},
        (0.0,),
        description="linear birth-death: 0 -> X (k1 Omega), X -> 0 (k2 n); exactly Poisson in steady state",
        reference="Gillespie, J. Phys. Chem. 81, 2340 (1977)",
    )


def _dimerization() -> Network:
    return Network.from_spec(
        "dimerization",
        ("X",),
        [("0 -> X", "k1"), ("X -> 0", "k2"), ("2X -> 0", "k3")],
        {"k1": 1.0, "k2": 0.1, "k3": 0.5, "omega": 10.0},
        (0.0,),
        description="birth-death-dimerization: 0 -> X, X -> 0, 2X -> 0 (k3 n (n - 1) / Omega); monostable",
        reference="Schnoerr, Sanguinetti & Grima, J. Chem. Phys. 141, 084103 (2014) (a monostable network)",
    )


def _schlogl() -> Network:
    # rate equation dx/dt = k1 x^2 - k2 x^3 + k3 - k4 x = -(x - 1)(x - 2)(x - 4): stable 1 and 4, unstable 2
    return Network.from_spec(
        "schlogl",
        ("X",),
        [("2X -> 3X", "k1"), ("3X -> 2X", "k2"), ("0 -> X", "k3"), ("X -> 0", "k4")],
        {"k1": 7.0, "k2": 1.0, "k3": 8.0, "k4": 14.0, "omega": 10.0},
        (0.0,),
        alternatives=((3.5,), (6.0,)),
        description="Schlogl's bistable network: 2X <-> 3X, 0 <-> X; rate equation stable at x = 1 and 4",
        reference="Schlogl, Z. Phys. 253, 147 (1972); Schnoerr, Sanguinetti & Grima (2014)",
    )


def _brusselator() -> Network:
    return Network.from_spec(
        "brusselator",
        ("X", "Y"),
        [("2X + Y -> 3X", "c1"), ("X -> Y", "c2"), ("0 -> X", "c3"), ("X -> 0", "c4")],
        {"c1": 0.9, "c2": 2.0, "c3": 1.0, "c4": 1.0, "omega": 100.0},
        (0.0, 0.0),
        alternatives=((1.0, 2.2), (3.0, 0.5)),
        description="Brusselator: 2X + Y -> 3X, X -> Y, 0 <-> X; rate equations on a limit cycle",
        reference="Prigogine & Lefever (1968); Schnoerr, Sanguinetti & Grima, J. Chem. Phys. 143, 185101 (2015)",
    )


_EXAMPLES: dict[str, Callable[[], Network]] = {
    "birth-death": _birth_death,
    "dimerization": _dimerization,
    "schlogl": _schlogl,
    "brusselator": _brusselator,
}
#: The example networks by name.
NETWORKS = tuple(_EXAMPLES)


@functools.cache
def _example(name: str) -> Network:
    return _EXAMPLES[name]()


def network(name: str, **params: float) -> Network:
    """An example network: ``"birth-death"``, ``"dimerization"``, ``"schlogl"`` or ``"brusselator"``.

    Parameters
    ----------
    name : str
        The example's name (close matches are suggested for an unknown one).
    **params : float
        Parameter overrides (rates, ``omega``).

    Returns
    -------
    Network
        The example (one shared instance when no parameter is overridden, so compiled code is reused).

    Raises
    ------
    KeyError
        For an unknown name or parameter.
    """
    if name not in _EXAMPLES:
        raise KeyError(f"unknown network {name!r}{_close_match(name, NETWORKS)}; choose one of {NETWORKS}")
    net = _example(name)
    return net.with_params(**params) if params else net


def _omega(net: Network, omega: float | None) -> float:
    return float(net.params["omega"]) if omega is None else as_positive_float(omega, name="omega")


def _x0_counts(net: Network, omega: float, x0: Any) -> np.ndarray:
    if x0 is None:
        return net.counts(omega)
    arr = np.asarray(x0, dtype=float)
    if arr.shape != (len(net.species),) or not np.all(np.isfinite(arr)):
        raise ValueError(f"x0 must give {len(net.species)} counts, one per species {net.species}, got {x0!r}")
    if np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise ValueError(f"x0 must be molecule counts (integers >= 0), got {arr.tolist()}")
    return arr


# ----------------------------------------------------------------------------------------- CME samplers
@float64
def jump_process(net: Network, omega: float | None = None, x0: Any = None, seed: int = 0) -> JumpProcess:
    """The network's chemical master equation as a `dynstab.systems.jump.JumpProcess`.

    Parameters
    ----------
    net : Network
        The network.
    omega : float, optional
        The system size (default ``net.params["omega"]``).
    x0 : array_like, optional
        Initial counts (default ``round(omega * net.initial)``).
    seed : int, default 0
        The process's ``seed`` parameter.

    Returns
    -------
    JumpProcess
    """
    om = _omega(net, omega)
    return make_jump_process(
        net.stoichiometry,
        net.propensity,
        params={**net.params, "omega": om},
        x0=_x0_counts(net, om, x0),
        names=net.species,
        name=net.name,
        reference=net.reference,
        description=net.description,
        seed=seed,
    )


@dataclass(frozen=True)
class Ensemble:
    """Paths of a network on a time grid (`ssa`, `tau_leap`, `cle_ensemble`).

    Attributes
    ----------
    network : Network
    omega : float
    method : str
        ``"ssa"``, ``"tau"`` or ``"cle"``.
    t : numpy.ndarray, shape (n,)
    x : numpy.ndarray, shape (runs, n, N)
        Counts (real numbers for the CLE).
    events : numpy.ndarray, shape (runs,)
        Firings (SSA), leaps (tau) or steps (CLE) per path.
    seconds : float
        Wall time (compilation included).
    seed : int
    """

    network: Network
    omega: float
    method: str
    t: np.ndarray
    x: np.ndarray
    events: np.ndarray
    seconds: float
    seed: int

    @property
    def runs(self) -> int:
        """The number of paths."""
        return int(self.x.shape[0])

    def mean(self) -> np.ndarray:
        """The sample mean of the counts, shape (n, N)."""
        return self.x.mean(axis=0)

    def var(self) -> np.ndarray:
        """The sample variance (ddof = 1), shape (n, N)."""
        return self.x.var(axis=0, ddof=1)

    def mean_error(self) -> np.ndarray:
        """The standard error of the mean, sqrt(var / runs), shape (n, N)."""
        return np.sqrt(self.var() / self.runs)

    def var_error(self) -> np.ndarray:
        """The standard error of the sample variance, sqrt((m4 - s^4 (runs - 3) / (runs - 1)) / runs)."""
        d = self.x - self.x.mean(axis=0)
        m4 = np.mean(d**4, axis=0)
        s2 = self.var()
        n = self.runs
        return np.sqrt(np.maximum(m4 - s2**2 * (n - 3) / (n - 1), 0.0) / n)

    def to_xarray(self) -> Any:
        """The paths' mean, variance and standard errors (and all paths) as a CF-1.8 ``xarray.Dataset``."""
        import xarray as xr

        from .. import __version__

        coords = {
            "time": ("time", self.t, {"long_name": "time", "units": "1", "standard_name": "time", "axis": "T"}),
            "species": ("species", list(self.network.species), {"long_name": "species name"}),
            "run": ("run", np.arange(self.runs), {"long_name": "independent path"}),
        }
        units = "molecules"
        data = {
            "counts": (
                ("run", "time", "species"),
                self.x,
                {"long_name": "molecule count of each path", "units": units},
            ),
            "mean": (("time", "species"), self.mean(), {"long_name": "sample mean count", "units": units}),
            "variance": (("time", "species"), self.var(), {"long_name": "sample variance", "units": "molecules2"}),
            "mean_error": (
                ("time", "species"),
                self.mean_error(),
                {"long_name": "standard error of the mean", "units": units},
            ),
            "events": (("run",), self.events, {"long_name": f"{self.method} events per path", "units": "1"}),
        }
        attrs = {
            "Conventions": "CF-1.8",
            "title": f"{self.network.name}: {self.runs} {self.method} paths, Omega = {self.omega:g}",
            "source": f"dynstab {__version__}",
            "network": self.network.name,
            "reactions": "; ".join(f"{r.equation} ({r.rate})" for r in self.network.reactions),
            "method": self.method,
            "omega": self.omega,
            "seed": self.seed,
            "seconds": self.seconds,
            "reference": self.network.reference,
        }
        attrs.update({f"param_{k}": v for k, v in self.network.params.items() if k != "omega"})
        return xr.Dataset(data, coords=coords, attrs=attrs)


def _paths(
    net: Network,
    method: str,
    t: float,
    dt: float | None,
    runs: int,
    omega: float | None,
    x0: Any,
    seed: int,
    tau: float | None,
    progress: Callable[[int, int], None] | None,
) -> Ensemble:
    om = _omega(net, omega)
    system = jump_process(net, om, x0)
    seed = as_int(seed, name="seed", minimum=0)
    sample: PathSample = sample_paths(system, t, dt, runs=runs, seed=seed, method=method, tau=tau, progress=progress)
    return Ensemble(net, om, method, sample.t, sample.x, sample.events, sample.seconds, seed)


@float64
def ssa(
    net: Network,
    t: float,
    dt: float = 0.1,
    *,
    runs: int = 1000,
    omega: float | None = None,
    x0: Any = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Exact paths of the CME by Gillespie's direct method, recorded every ``dt`` up to ``t``.

    All ``runs`` paths in one compiled call per chunk (`dynstab.systems.jump.sample_paths`).

    Parameters
    ----------
    net : Network
        The network.
    t : float
        The time span (>= 0).
    dt : float, default 0.1
        Recording interval.
    runs : int, default 1000
        Independent paths.
    omega : float, optional
        The system size (default ``net.params["omega"]``).
    x0 : array_like, optional
        Initial counts (default ``round(omega * net.initial)``).
    seed : int, default 0
        Fixes every path.
    progress : callable, optional
        ``progress(done, total)`` in recorded times, between compiled chunks.

    Returns
    -------
    Ensemble

    References
    ----------
    D. T. Gillespie, J. Phys. Chem. 81, 2340 (1977).
    """
    return _paths(net, "ssa", t, dt, runs, omega, x0, seed, None, progress)


@float64
def tau_leap(
    net: Network,
    t: float,
    dt: float = 0.1,
    *,
    tau: float | None = None,
    runs: int = 1000,
    omega: float | None = None,
    x0: Any = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Paths by Poisson tau-leaping: each channel fires Poisson(a_r tau) times per leap.

    A leap that would make a count negative is redone with tau halved
    (`dynstab.systems.jump.sample_paths`).

    Parameters
    ----------
    net : Network
        The network.
    t : float
        The time span.
    dt : float, default 0.1
        Recording interval.
    tau : float, optional
        The leap (default ``dt / 10``).
    runs : int, default 1000
        Independent paths.
    omega : float, optional
        The system size.
    x0 : array_like, optional
        Initial counts.
    seed : int, default 0
        Fixes every path.
    progress : callable, optional
        ``progress(done, total)`` between compiled chunks.

    Returns
    -------
    Ensemble

    References
    ----------
    D. T. Gillespie, J. Chem. Phys. 115, 1716 (2001).
    """
    return _paths(net, "tau", t, dt, runs, omega, x0, seed, tau, progress)


@float64
def cle(net: Network, omega: float | None = None, x0: Any = None, dt: float = 0.01) -> SDE:
    """The chemical Langevin equation as a dynstab `SDE` (Ito) in counts.

    dn = sum_r nu_r a_r(n) dt + sum_r nu_r sqrt(max(a_r(n), 0)) dW_r (Gillespie 2000): the
    diffusion is the N x R matrix nu^T diag(sqrt(a)), one Wiener process per reaction.

    Parameters
    ----------
    net : Network
        The network.
    omega : float, optional
        The system size (default ``net.params["omega"]``).
    x0 : array_like, optional
        Initial counts (default ``round(omega * net.initial)``).
    dt : float, default 0.01
        The default integration step.

    Returns
    -------
    SDE
        Simulate with `dynstab.simulate.trajectory` (an ensemble: ``x0`` of shape (runs, N)).

    References
    ----------
    D. T. Gillespie, J. Chem. Phys. 113, 297 (2000).
    """
    om = _omega(net, omega)
    nu = jnp.asarray(net.stoichiometry, dtype=jnp.float64)
    prop = net.propensity

    def drift(x: Any, p: Any, t: Any) -> Any:
        return nu.T @ prop(x, p)

    def diffusion(x: Any, p: Any, t: Any) -> Any:
        return nu.T * jnp.sqrt(jnp.maximum(prop(x, p), 0.0))[None, :]

    sde = SDE.from_law(
        drift,
        params={**net.params, "omega": om},
        x0=_x0_counts(net, om, x0),
        names=net.species,
        name=f"{net.name} (CLE)",
        reference="Gillespie, J. Chem. Phys. 113, 297 (2000); " + net.reference,
        dt=as_step(dt),
        diffusion=diffusion,
    )
    return cast(SDE, sde)


@float64
def cle_ensemble(
    net: Network,
    t: float,
    dt: float = 0.1,
    *,
    runs: int = 1000,
    omega: float | None = None,
    x0: Any = None,
    step: float = 0.01,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """``runs`` Euler-Maruyama paths of the `cle`, through `dynstab.simulate.trajectory`.

    Parameters
    ----------
    net : Network
    t : float
        The time span.
    dt : float, default 0.1
        Recording interval.
    runs : int, default 1000
        Paths.
    omega : float, optional
        The system size.
    x0 : array_like, optional
        Initial counts.
    step : float, default 0.01
        The Euler-Maruyama step.
    seed : int, default 0
        Fixes the noise.
    progress : callable, optional
        ``progress(done, total)`` of a long run.

    Returns
    -------
    Ensemble
    """
    import time

    from ..simulate import trajectory

    runs = as_int(runs, name="runs", minimum=1)
    seed = as_int(seed, name="seed", minimum=0)
    sde = cle(net, omega, x0, dt=step)
    began = time.perf_counter()
    traj = trajectory(
        sde, t=t, dt=dt, x0=np.broadcast_to(np.asarray(sde.x0), (runs, sde.dim)), seed=seed, progress=progress
    )
    n_steps = int(round(t / step))
    return Ensemble(
        net,
        float(sde.params["omega"]),
        "cle",
        traj.t,
        traj.x,
        np.full(runs, n_steps),
        time.perf_counter() - began,
        seed,
    )


# ----------------------------------------------------------------------------------------- moments
def _indices(n: int, order: int) -> list[tuple[int, ...]]:
    """Multi-indices of n species of total order exactly ``order`` (lexicographically descending)."""
    return [a for a in itertools.product(range(order, -1, -1), repeat=n) if sum(a) == order]


def _labels(alpha: tuple[int, ...]) -> list[int]:
    return [i for i, a in enumerate(alpha) for _ in range(a)]


def _set_partitions(items: list[int]) -> Any:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _set_partitions(rest):
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]
        yield [[first], *part]


@functools.cache
def _partition_terms(alpha: tuple[int, ...]) -> tuple[tuple[int, tuple[tuple[int, ...], ...]], ...]:
    """The partitions of alpha's index multiset without singleton blocks, grouped: (multiplicity, blocks)."""
    n = len(alpha)
    counter: Counter[tuple[tuple[int, ...], ...]] = Counter()
    for part in _set_partitions(list(range(sum(alpha)))):
        if any(len(b) == 1 for b in part):
            continue
        labels = _labels(alpha)
        blocks = []
        for b in part:
            idx = [0] * n
            for pos in b:
                idx[labels[pos]] += 1
            blocks.append(tuple(idx))
        counter[tuple(sorted(blocks))] += 1
    return tuple((c, blocks) for blocks, c in counter.items())


def _moment_name(alpha: tuple[int, ...], species: Sequence[str]) -> str:
    nz = [(species[i], a) for i, a in enumerate(alpha) if a]
    if sum(alpha) == 2:
        return f"var_{nz[0][0]}" if len(nz) == 1 else f"cov_{nz[0][0]}_{nz[1][0]}"
    return "M_" + "".join(f"{s}{a}" for s, a in nz)


def _binom_poly(nu: np.ndarray, alpha: tuple[int, ...]) -> list[tuple[tuple[int, ...], float]]:
    """(delta + nu)^alpha - delta^alpha as [(gamma, coefficient)]."""
    per = [[(c, math.comb(a, c) * float(v) ** (a - c)) for c in range(a + 1)] for a, v in zip(alpha, nu, strict=True)]
    out = []
    for combo in itertools.product(*per):
        gamma = tuple(c for c, _ in combo)
        coef = float(np.prod([w for _, w in combo]))
        if gamma == alpha:
            coef -= 1.0
        if coef != 0.0:
            out.append((gamma, coef))
    return out


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


@dataclass(frozen=True, eq=False)
class MomentEquations:
    """The closed moment equations of a network (`moment_equations`).

    Attributes
    ----------
    network : Network
    order : int
        The closure order m (moments up to m are evolved).
    closure : str
    flow : Flow
        The equations as a dynstab `Flow`: state = means, then central moments of orders 2..m
        (names ``mean_X``, ``var_X``, ``cov_X_Y``, ``M_X2Y1``, ...).
    moments : tuple of tuple of int
        The multi-index of each state entry after the means.
    q : int
        The highest moment order the equations use (m + max degree - 1).
    """

    network: Network
    order: int
    closure: str
    flow: Flow
    moments: tuple[tuple[int, ...], ...]
    q: int

    def initial(self, counts: Any) -> np.ndarray:
        """The state of a deterministic initial condition (the counts; all central moments 0).

        Parameters
        ----------
        counts : array_like, shape (N,)

        Returns
        -------
        numpy.ndarray, shape (dim,)
        """
        y = np.zeros(self.flow.dim)
        y[: len(self.network.species)] = np.asarray(counts, dtype=float)
        return y

    def variance_indices(self) -> list[int]:
        """State indices of the variances, one per species."""
        n = len(self.network.species)
        out = []
        for i in range(n):
            alpha = tuple(2 if j == i else 0 for j in range(n))
            out.append(n + self.moments.index(alpha))
        return out


def _closure_fn(closure: str, n: int, m: int, q: int) -> Callable[[Any, dict], None]:
    """``fill(mu, M)``: put the central moments of orders m+1 .. q into M (a dict by multi-index)."""
    higher = [a for k in range(m + 1, q + 1) for a in _indices(n, k)]
    lower = [a for k in range(2, m + 1) for a in _indices(n, k)]

    if closure == "cmn":

        def fill(mu: Any, M: dict) -> None:
            for a in higher:
                M[a] = jnp.asarray(0.0)

        return fill

    if closure in ("normal", "poisson"):

        def fill(mu: Any, M: dict) -> None:
            kappa: dict[tuple[int, ...], Any] = {}
            for a in lower:  # cumulants from central moments (partitions without singletons)
                total = 0.0
                for c, blocks in _partition_terms(a):
                    b = len(blocks)
                    total = total + c * (-1.0) ** (b - 1) * math.factorial(b - 1) * math.prod(M[x] for x in blocks)
                kappa[a] = total
            for a in higher:
                nz = [i for i, v in enumerate(a) if v]
                if closure == "poisson" and len(nz) == 1:
                    kappa[a] = mu[nz[0]]
                else:
                    kappa[a] = jnp.asarray(0.0)
            for a in higher:
                M[a] = sum(c * math.prod(kappa[x] for x in blocks) for c, blocks in _partition_terms(a))

        return fill

    if closure == "lognormal":

        def fill(mu: Any, M: dict) -> None:
            S = {}
            for i in range(n):
                for j in range(i, n):
                    e = tuple((k == i) + (k == j) for k in range(n))
                    den = mu[i] * mu[j]
                    S[i, j] = 1.0 + jnp.where(den != 0, M[e] / jnp.where(den != 0, den, 1.0), 0.0)
            for a in higher:  # ascending order: lower closed moments are in M already
                raw = math.prod(mu[i] ** a[i] for i in range(n))
                for i in range(n):
                    raw = raw * S[i, i] ** (a[i] * (a[i] - 1) // 2)
                    for j in range(i + 1, n):
                        raw = raw * S[i, j] ** (a[i] * a[j])
                # central moment = raw - sum over eta < alpha of C(alpha, eta) mu^(alpha - eta) M_eta
                rest = 0.0
                for eta in itertools.product(*[range(k + 1) for k in a]):
                    if eta == a or sum(eta) == 1:
                        continue
                    w = math.prod(math.comb(a[i], eta[i]) for i in range(n))
                    rest = rest + w * math.prod(mu[i] ** (a[i] - eta[i]) for i in range(n)) * M[eta]
                M[a] = raw - rest

        return fill
    raise ValueError(f"unknown closure {closure!r}{_close_match(closure, CLOSURES)}; choose one of {CLOSURES}")


def _check_closure(closure: str, order: int) -> tuple[str, int]:
    if not isinstance(closure, str) or closure not in CLOSURES:
        raise ValueError(f"unknown closure {closure!r}{_close_match(str(closure), CLOSURES)}; choose one of {CLOSURES}")
    return closure, as_int(order, name="order (of the moment closure)", minimum=2, maximum=4)


@functools.lru_cache(maxsize=128)
def _moment_law(net: Network, order: int, closure: str) -> tuple[Callable, tuple, int]:
    n = len(net.species)
    K = max(net.orders)
    q = max(order, order + K - 1)
    stored = tuple(a for k in range(2, order + 1) for a in _indices(n, k))
    fill = _closure_fn(closure, n, order, q)
    nu = net.stoichiometry.astype(float)
    R = nu.shape[0]
    betas = [b for k in range(K + 1) for b in _indices(n, k)]  # Taylor monomials up to degree K
    every = [a for k in range(q + 1) for a in _indices(n, k)]  # all central moments the equations use
    pos = {a: i for i, a in enumerate(every)}
    # the equations as constant tensors (one contraction at run time, not thousands of scalar terms):
    # E[a_r delta^beta ...]: A[k, r, b, e] multiplies Taylor coefficient b of a_r and the moment every[e]
    A = np.zeros((len(stored), R, len(betas), len(every)))
    for k, a in enumerate(stored):
        for r in range(R):
            for gamma, c in _binom_poly(nu[r], a):
                for j, b in enumerate(betas):
                    if sum(b) + sum(gamma) <= q:
                        A[k, r, j, pos[_add(b, gamma)]] += c
    # - sum_i alpha_i M_(alpha - e_i) dmu_i, for |alpha| > 2
    D = np.zeros((len(stored), n, len(every)))
    for k, a in enumerate(stored):
        for i in range(n):
            if a[i] and sum(a) > 2:
                D[k, i, pos[tuple(a[j] - (j == i) for j in range(n))]] = a[i]
    E = np.zeros((len(betas), len(every)))  # E[a_r] = sum_b coefficient b times M_b
    for j, b in enumerate(betas):
        E[j, pos[b]] = 1.0
    zero = (0,) * n
    units = [tuple(int(i == j) for j in range(n)) for i in range(n)]
    labels = [tuple(_labels(b)) for b in betas]
    facts = np.array([math.prod(math.factorial(v) for v in b) for b in betas], dtype=float)
    prop = net.propensity

    def taylor(mu: Any, p: Any) -> Any:
        """Taylor coefficients of the propensities at mu, shape (R, len(betas))."""
        f = lambda x: prop(x, p)  # noqa: E731
        deriv = f
        tensors = [f(mu)]
        for _ in range(K):
            deriv = jax.jacfwd(deriv)
            tensors.append(deriv(mu))
        cols = [tensors[len(idx)][(slice(None), *idx)] for idx in labels]
        return jnp.stack(cols, axis=1) / facts

    def law(y: Any, p: Any, t: Any) -> Any:
        mu = y[:n]
        M: dict[tuple[int, ...], Any] = {zero: jnp.asarray(1.0)}
        for u in units:
            M[u] = jnp.asarray(0.0)
        for k, a in enumerate(stored):
            M[a] = y[n + k]
        if q > order:
            fill(mu, M)
        mvec = jnp.stack([jnp.asarray(M[a], dtype=jnp.float64) for a in every])
        coef = taylor(mu, p)
        dmu = jnp.asarray(nu).T @ (coef @ (jnp.asarray(E) @ mvec))
        if not stored:
            return dmu
        rows = jnp.einsum("krbe,rb,e->k", jnp.asarray(A), coef, mvec) - jnp.einsum(
            "kie,e,i->k", jnp.asarray(D), mvec, dmu
        )
        return jnp.concatenate([dmu, rows])

    return law, stored, q


@float64
def moment_equations(
    net: Network, order: int = 2, closure: str = "normal", omega: float | None = None
) -> MomentEquations:
    """The moment equations of ``net`` up to ``order``, closed by ``closure``, as a dynstab `Flow`.

    Generated from the network (see the module docstring for the equations): the state holds
    the N means and the central moments of orders 2..m; moments of orders m+1 .. m + s - 1 (s the
    highest propensity degree) are the closure's functions of them.

    Parameters
    ----------
    net : Network
        The network.
    order : int, default 2
        The closure order m, 2 to 4.
    closure : {"normal", "poisson", "lognormal", "cmn"}, default "normal"
        The closure (module docstring).
    omega : float, optional
        The system size (default ``net.params["omega"]``).

    Returns
    -------
    MomentEquations
        With the `Flow` (initial state: the network's initial counts, central moments 0).

    Raises
    ------
    ValueError
        For an unknown closure (naming close matches) or an order outside 2..4.

    References
    ----------
    Schnoerr, Sanguinetti & Grima, J. Chem. Phys. 141, 084103 (2014) and 143, 185101 (2015).
    """
    closure, order = _check_closure(closure, order)
    om = _omega(net, omega)
    law, stored, q = _moment_law(net, order, closure)
    names = [f"mean_{s}" for s in net.species] + [_moment_name(a, net.species) for a in stored]
    x0 = np.zeros(len(names))
    x0[: len(net.species)] = net.counts(om)
    flow = Flow.from_law(
        law,
        params={**net.params, "omega": om},
        x0=x0,
        names=names,
        name=f"{net.name} moments ({closure}, order {order})",
        reference="Schnoerr, Sanguinetti & Grima, J. Chem. Phys. 141, 084103 (2014)",
        dt=0.1,
    )
    return MomentEquations(net, order, closure, cast(Flow, flow), stored, q)


@dataclass(frozen=True)
class MomentSolution:
    """A solution of the moment equations (`solve_moments`).

    Attributes
    ----------
    equations : MomentEquations
    omega : float
    t : numpy.ndarray, shape (n,)
    y : numpy.ndarray, shape (n, dim)
        The state (means, then central moments); NaN after a failure.
    failed : str
        Why the integration stopped early ("" when it reached the end).
    """

    equations: MomentEquations
    omega: float
    t: np.ndarray
    y: np.ndarray
    failed: str = ""

    @property
    def mean(self) -> np.ndarray:
        """The means, shape (n, N)."""
        return self.y[:, : len(self.equations.network.species)]

    @property
    def var(self) -> np.ndarray:
        """The variances, shape (n, N)."""
        return self.y[:, self.equations.variance_indices()]

    def failures(self, oscillation_tol: float = 1e-3) -> dict[str, bool]:
        """The checks one solution can fail by itself (see `Validity`).

        Parameters
        ----------
        oscillation_tol : float, default 1e-3
            Peak-to-peak amplitude of a mean over the last fifth of the run, relative to max(|mean|, 1),
            above which an oscillation that does not decay (at least 0.9 of the fifth before) is flagged.

        Returns
        -------
        dict of str to bool
            ``negative_variance`` (a variance below -1e-6 (1 + |mean|)), ``diverged`` (the integration
            failed) and ``sustained_oscillation``.
        """
        diverged = bool(self.failed)
        var, mean = self.var, self.mean
        finite = np.isfinite(var)
        neg = bool(np.any(var[finite] < -1e-6 * (1.0 + np.abs(mean[finite]))))
        final, _, amp_last, amp_before = _window_stats(self)
        scale = np.maximum(np.abs(final), 1.0)
        osc = bool(not diverged and np.any((amp_last > oscillation_tol * scale) & (amp_last >= 0.9 * amp_before)))
        if osc:
            osc = not self.settles()
        return {"negative_variance": neg, "diverged": diverged, "sustained_oscillation": osc}

    def settles(self) -> bool:
        """Whether the closure has a linearly stable steady state where its solution ends.

        Newton's method (`dynstab.analysis.fixed_points`, 64 starts) on the moment equations in the box the
        last fifth of the run spans (padded by 30 %): an oscillation still visible at the end of a finite run
        decays when that steady state is a stable focus (a slow damping, as the CME's moments at large Omega),
        and is sustained (a limit cycle of the closure) when there is none.

        Returns
        -------
        bool
        """
        from ..analysis.fixed_points import fixed_points

        n = self.t.size
        last = self.y[n - max(n // 5, 2) :]
        lo, hi = last.min(axis=0), last.max(axis=0)
        pad = 0.3 * np.maximum(hi - lo, 0.05 * np.abs(last.mean(axis=0)) + 1.0)
        flow = self.equations.flow.with_params(omega=self.omega)
        found = fixed_points(flow, list(zip(lo - pad, hi + pad, strict=True)), n_starts=64, max_starts=64)
        return any(p.stable for p in found)

    def to_xarray(self) -> Any:
        """The solution as a CF-1.8 ``xarray.Dataset`` (one variable per moment)."""
        import xarray as xr

        from .. import __version__

        eqs = self.equations
        data = {}
        for k, name in enumerate(eqs.flow.names):
            order = 1 if k < len(eqs.network.species) else sum(eqs.moments[k - len(eqs.network.species)])
            units = "molecules" if order == 1 else f"molecules{order}"
            data[name] = (
                ("time",),
                self.y[:, k],
                {"long_name": f"{name} ({eqs.closure} closure, order {eqs.order})", "units": units},
            )
        attrs = {
            "Conventions": "CF-1.8",
            "title": f"{eqs.network.name}: moment equations, {eqs.closure} closure of order {eqs.order}, Omega = {self.omega:g}",
            "source": f"dynstab {__version__}",
            "network": eqs.network.name,
            "closure": eqs.closure,
            "order": eqs.order,
            "omega": self.omega,
            "failed": self.failed,
            "reference": eqs.flow.reference,
        }
        return xr.Dataset(
            data,
            coords={
                "time": ("time", self.t, {"long_name": "time", "units": "1", "standard_name": "time", "axis": "T"})
            },
            attrs=attrs,
        )


@float64
def solve_moments(
    net: Network,
    t: float,
    dt: float = 0.1,
    *,
    order: int = 2,
    closure: str = "normal",
    omega: float | None = None,
    x0: Any = None,
    rtol: float = 1e-8,
    atol: float = 1e-8,
    max_steps: int = 200_000,
) -> MomentSolution:
    """Integrate the closed moment equations from a deterministic initial condition.

    The `Flow` of `moment_equations` through `dynstab.simulate.trajectory` (adaptive DOP853).
    A closure that blows up or stalls the solver is returned with NaN rows after the failure and
    ``failed`` saying why (a finding, not an error).

    Parameters
    ----------
    net : Network
    t : float
        The time span.
    dt : float, default 0.1
        Output interval.
    order : int, default 2
        Closure order, 2 to 4.
    closure : str, default "normal"
        One of `CLOSURES`.
    omega : float, optional
        The system size.
    x0 : array_like, optional
        Initial counts (default ``round(omega * net.initial)``).
    rtol, atol : float
        Tolerances of the integrator.
    max_steps : int, default 200000
        Most integrator steps.

    Returns
    -------
    MomentSolution
    """
    from ..simulate import TrajectoryDivergedError, trajectory

    eqs = moment_equations(net, order, closure, omega)
    om = float(eqs.flow.params["omega"])
    y0 = eqs.initial(_x0_counts(net, om, x0))
    t = as_float(t, name="t (the time span)", minimum=0.0)
    dt = as_step(dt)
    try:
        traj = trajectory(
            eqs.flow, t=t, dt=dt, x0=y0, method="dopri8", rtol=rtol, atol=atol, max_steps=max_steps, on_blowup="nan"
        )
        y, failed = traj.x, ""
        if not np.all(np.isfinite(y)):
            failed = "the moments left the finite numbers"
        return MomentSolution(eqs, om, traj.t, y, failed)
    except (RuntimeError, TrajectoryDivergedError) as exc:
        times = np.arange(int(round(t / dt)) + 1) * dt
        return MomentSolution(eqs, om, times, np.full((times.size, eqs.flow.dim), np.nan), str(exc))


# ----------------------------------------------------------------------------------------- validity
@dataclass(frozen=True)
class Validity:
    """The validity checks of one closure order at one system size (`check_validity`).

    Attributes
    ----------
    omega : float
    closure : str
    order : int
    negative_variance : bool
        A variance below -1e-6 (1 + mean) at some time.
    diverged : bool
        The solution left the finite numbers or stalled the integrator.
    sustained_oscillation : bool
        The means still oscillate at the end (peak-to-peak amplitude over the last fifth of the run above
        ``oscillation_tol`` of the mean and at least 0.9 of the amplitude over the fifth before) and the
        closure has no linearly stable steady state there (`MomentSolution.settles`): a limit cycle.
    multiple_steady_states : bool
        Runs from the network's alternative initial conditions end at means differing by more
        than ``steady_tol`` (relative).
    order_disagreement : bool
        The final means differ from those of the next order by more than ``order_tol`` (relative).
    mean : numpy.ndarray, shape (N,)
        The means averaged over the last fifth of the run (from the default initial condition).
    variance : numpy.ndarray, shape (N,)
        The variances averaged likewise.
    """

    omega: float
    closure: str
    order: int
    negative_variance: bool
    diverged: bool
    sustained_oscillation: bool
    multiple_steady_states: bool
    order_disagreement: bool
    mean: np.ndarray
    variance: np.ndarray

    @property
    def physical(self) -> bool:
        """No failure of the closure itself (divergence, negative variance, oscillation, several steady states)."""
        return not (
            self.negative_variance or self.diverged or self.sustained_oscillation or self.multiple_steady_states
        )

    @property
    def valid(self) -> bool:
        """`physical` and in agreement with the next order."""
        return self.physical and not self.order_disagreement

    def reasons(self) -> list[str]:
        """The failed checks, in words."""
        names = {
            "negative_variance": "negative variance",
            "diverged": "diverged",
            "sustained_oscillation": "sustained oscillations",
            "multiple_steady_states": "initial-condition-dependent steady states",
            "order_disagreement": "disagrees with the next order",
        }
        return [text for key, text in names.items() if getattr(self, key)]


def _window_stats(sol: MomentSolution) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = sol.t.size
    last = slice(n - n // 5, n)
    before = slice(n - 2 * (n // 5), n - n // 5)
    mean = sol.mean
    amp_last = np.ptp(mean[last], axis=0)
    amp_before = np.ptp(mean[before], axis=0)
    return mean[last].mean(axis=0), sol.var[last].mean(axis=0), amp_last, amp_before


@float64
def check_validity(
    net: Network,
    omega: float | None = None,
    *,
    closure: str = "normal",
    orders: Sequence[int] = (2, 3, 4),
    t: float = 200.0,
    dt: float = 0.1,
    oscillation_tol: float = 1e-3,
    steady_tol: float = 0.02,
    order_tol: float = 0.05,
) -> list[Validity]:
    """Flag where the moment closure fails at one system size (Schnoerr, Sanguinetti & Grima 2014).

    For each order: integrate from the network's default initial condition (and from each of
    its ``alternatives``) over ``t`` and flag negative variances, divergence, sustained
    oscillations (see `Validity`), steady states that depend on the initial condition, and final
    means that disagree with the next order (the last order is compared with the one before).
    The CME of a network with a finite, irreducible reachable state space (or, as here, a unique
    stationary distribution) has moments that settle to unique values, so each of the first four
    is an artefact of the closure.

    Parameters
    ----------
    net : Network
    omega : float, optional
        The system size (default ``net.params["omega"]``).
    closure : str, default "normal"
    orders : sequence of int, default (2, 3, 4)
        The closure orders compared (ascending, 2..4).
    t : float, default 200.0
        The time span of each integration (long enough for damped moments to settle).
    dt : float, default 0.1
        Output interval.
    oscillation_tol, steady_tol, order_tol : float
        Tolerances of the checks (see `Validity`).

    Returns
    -------
    list of Validity
        One per order.
    """
    om = _omega(net, omega)
    closure = _check_closure(closure, 2)[0]
    orders = sorted({_check_closure(closure, o)[1] for o in orders})
    results = []
    stats = {}
    for m in orders:
        sol = solve_moments(net, t, dt, order=m, closure=closure, omega=om)
        flags = sol.failures(oscillation_tol)
        neg, diverged, osc = flags["negative_variance"], flags["diverged"], flags["sustained_oscillation"]
        final, fvar, _, _ = _window_stats(sol)
        multi = False
        for alt in net.alternatives:
            other = solve_moments(net, t, dt, order=m, closure=closure, omega=om, x0=net.counts(om, alt))
            if other.failed or diverged:
                continue
            o_final = _window_stats(other)[0]
            if np.any(np.abs(o_final - final) > steady_tol * np.maximum(np.abs(final), 1.0)):
                multi = True
        stats[m] = (om, neg, diverged, osc, multi, final, fvar)
    for k, m in enumerate(orders):
        om_, neg, diverged, osc, multi, final, fvar = stats[m]
        nxt = orders[k + 1] if k + 1 < len(orders) else (orders[k - 1] if k > 0 else None)
        disagree = False
        if nxt is not None:
            o_final = stats[nxt][5]
            bad = not (np.all(np.isfinite(final)) and np.all(np.isfinite(o_final)))
            disagree = bad or bool(np.any(np.abs(final - o_final) > order_tol * np.maximum(np.abs(o_final), 1.0)))
        results.append(Validity(om_, closure, m, neg, diverged, osc, multi, disagree, final, fvar))
    return results


@float64
def validity_scan(
    net: Network,
    omegas: Sequence[float],
    *,
    closure: str = "normal",
    orders: Sequence[int] = (2, 3, 4),
    t: float = 200.0,
    dt: float = 0.1,
    progress: Callable[[int, int], None] | None = None,
    **tolerances: float,
) -> list[list[Validity]]:
    """`check_validity` at each system size in ``omegas`` (one row of results per Omega).

    Parameters
    ----------
    net : Network
    omegas : sequence of float
        System sizes (> 0).
    closure : str, default "normal"
    orders : sequence of int, default (2, 3, 4)
    t, dt : float
        As in `check_validity`.
    progress : callable, optional
        ``progress(done, total)`` in system sizes.
    **tolerances : float
        ``oscillation_tol``, ``steady_tol``, ``order_tol`` of `check_validity`.

    Returns
    -------
    list of list of Validity
    """
    oms = [as_positive_float(w, name="omegas") for w in omegas]
    out = []
    if progress is not None:
        progress(0, len(oms))
    for k, om in enumerate(oms):
        out.append(check_validity(net, om, closure=closure, orders=orders, t=t, dt=dt, **tolerances))
        if progress is not None:
            progress(k + 1, len(oms))
    return out


def valid_range(scan: Sequence[Sequence[Validity]], order: int, *, physical: bool = True) -> tuple[float, float] | None:
    """The smallest and largest Omega of the longest run of consecutive valid system sizes.

    Parameters
    ----------
    scan : list of list of Validity
        From `validity_scan`.
    order : int
        The closure order looked at.
    physical : bool, default True
        Count `Validity.physical` (True) or `Validity.valid` (also agreeing with the next order).

    Returns
    -------
    (float, float) or None
        None when no system size is valid.
    """
    best: list[float] = []
    run: list[float] = []
    for row in scan:
        v = next(r for r in row if r.order == order)
        if v.physical if physical else v.valid:
            run.append(v.omega)
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    return (best[0], best[-1]) if best else None


# ----------------------------------------------------------------------------------------- figures
def plot_comparison(ensemble: Ensemble | None = None, solution: MomentSolution | None = None) -> Any:
    """The paths' mean +- one standard deviation (band) against the closure's moments (lines).

    One panel per species; either input may be omitted (not both).

    Parameters
    ----------
    ensemble : Ensemble, optional
        SSA, tau-leaping or CLE paths.
    solution : MomentSolution, optional
        A solution of the moment equations.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if ensemble is None and solution is None:
        raise ValueError("plot_comparison needs an ensemble, a moment solution or both")
    net = ensemble.network if ensemble is not None else solution.equations.network  # type: ignore[union-attr]
    n = len(net.species)
    fig, axes = plt.subplots(n, 1, figsize=(7.0, 2.8 * n + 0.6), layout="constrained", squeeze=False, sharex=True)
    omega = ensemble.omega if ensemble is not None else solution.omega  # type: ignore[union-attr]
    for i, s in enumerate(net.species):
        ax = axes[i, 0]
        if ensemble is not None:
            m, sd = ensemble.mean()[:, i], np.sqrt(ensemble.var()[:, i])
            label = {"ssa": "SSA", "tau": "tau-leaping", "cle": "CLE"}[ensemble.method]
            ax.fill_between(
                ensemble.t, m - sd, m + sd, alpha=0.3, color="C0", label=f"{label} mean ± sd ({ensemble.runs} runs)"
            )
            ax.plot(ensemble.t, m, color="C0", lw=1.2)
        if solution is not None:
            eqs = solution.equations
            m, v = solution.mean[:, i], solution.var[:, i]
            sd = np.sqrt(np.maximum(v, 0.0))
            label = f"{eqs.closure} closure, order {eqs.order}"
            ax.plot(solution.t, m, color="C3", lw=1.5, label=f"{label}: mean")
            ax.plot(solution.t, m + sd, color="C3", lw=1.0, ls="--", label=f"{label}: mean ± sd")
            ax.plot(solution.t, m - sd, color="C3", lw=1.0, ls="--")
            if np.any(v < 0):
                ax.plot([], [], " ", label="closure variance < 0 somewhere (sd drawn as 0)")
        ax.set_ylabel(f"{s} (molecules)")
        ax.legend(loc="best", fontsize=8)
    axes[-1, 0].set_xlabel("time (inverse rate units)")
    fig.suptitle(f"{net.name}, Omega = {omega:g}")
    return fig


def plot_validity(scan: Sequence[Sequence[Validity]]) -> Any:
    """Which closure orders pass the checks at each system size (a marker per failed check).

    Parameters
    ----------
    scan : list of list of Validity
        From `validity_scan`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 3.4), layout="constrained")
    marks = {
        "negative variance": ("v", "C3"),
        "diverged": ("x", "k"),
        "sustained oscillations": ("s", "C1"),
        "initial-condition-dependent steady states": ("D", "C4"),
        "disagrees with the next order": ("+", "C7"),
    }
    seen = set()
    for row in scan:
        for v in row:
            reasons = v.reasons()
            if not reasons:
                lab = "passes" if "passes" not in seen else None
                seen.add("passes")
                ax.scatter(v.omega, v.order, marker="o", color="C2", s=60, label=lab)
            for k, r in enumerate(reasons):
                mk, col = marks[r]
                lab = r if r not in seen else None
                seen.add(r)
                ax.scatter(v.omega, v.order + 0.12 * (k - (len(reasons) - 1) / 2), marker=mk, color=col, label=lab)
    ax.set_xscale("log")
    ax.set_xlabel("system size Omega (molecules per unit concentration)")
    ax.set_ylabel("closure order")
    ax.set_yticks(sorted({v.order for row in scan for v in row}))
    if scan and scan[0]:
        ax.set_title(f"moment-closure validity ({scan[0][0].closure} closure)")
    ax.legend(fontsize=8, loc="best")
    return fig
