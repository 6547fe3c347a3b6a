"""Catalog data: every module here registers its systems on import.

Importing this package imports none of them (``DYSTS_DIFFERENCES`` fills as they load; it is complete
after `dynstab.systems.names`): `dynstab.systems.registry` imports the module that
defines a looked-up name (``index.json``), or all of them (`registry.CATALOG_MODULES`) for
`dynstab.systems.names`.

``DYSTS_DIFFERENCES`` maps a system name to the reason our equations differ from dysts'
(where dysts deviates from the cited paper we follow the paper); every other system with a
dysts alias has the same right-hand side as dysts (tests/systems/test_dysts_equivalence.py).
"""

DYSTS_DIFFERENCES: dict[str, str] = {}

#: Why a system"s annotated invariants look unusual, by check (tests/systems/test_catalog_metadata.py):
#: "spread" (lambda_1 scatters by more than 10% between initial conditions), "zero_exponent" (an
#: autonomous flow without an exponent within 0.01 of zero), "pairing" (Hamiltonian exponents that do
#: not pair to zero), "divergence" (the sum of exponents misses <div> by more than the tolerance).
_POLAR = (
    "polar coordinates: tr J has 1/r spikes where orbits pass near r = 0, so the step-sampled <div> "
    "and the RK4-integrated sum of exponents differ by ~0.005 on exponents of ~0.5"
)
ANNOTATION_NOTES: dict[str, dict[str, str]] = {
    "belousov_zhabotinsky": {
        "zero_exponent": "stiff relaxation spikes: the flow speed varies by orders of magnitude, and the zero exponent"
        " converges only to ~0.1 in the annotation run",
    },
    "blinking_rotlet": {
        "spread": "volume-preserving with islands: orbit-dependent lambda_1; also singular at r = 0",
    },
    "blinking_vortex": {"divergence": _POLAR},
    "blinking_vortex_map": {
        "spread": "area-preserving with islands: orbits stick near them, so lambda_1 depends on the orbit",
    },
    "ca_two_plus_quasiperiodic": {
        "spread": "quasi-periodic torus: lambda_1 = 0 up to its statistical error",
    },
    "complex_butterfly": {
        "zero_exponent": "discontinuous field: the tangent spectrum misses the saltation (max_lyapunov is right)",
    },
    "dequan_li": {
        "spread": "settles on a stable periodic orbit (Floquet exponents 0, -0.166, -1.53): lambda_1 = 0",
    },
    "double_scroll_jerk": {
        "zero_exponent": "discontinuous field: the tangent spectrum misses the saltation (max_lyapunov is right)",
    },
    "fitzhugh_nagumo_cubic": {
        "zero_exponent": "excitable: at curr = 0 every orbit returns to the stable rest state, so both exponents are"
        " negative",
    },
    "fluid_trampoline": {
        "spread": "the force jumps at the wall: the tangent spectrum ignores the jumps and scatters",
    },
    "hyper_qi": {
        "zero_exponent": "rare excursions to |z|, |w| ~ 5000 make the zero exponent converge slowly",
    },
    "ikeda_delay": {
        "zero_exponent": "high-dimensional chaos (mu = -20): more than 4 positive exponents, so the zero exponent lies"
        " beyond the 4 computed",
    },
    "interior_squirmer": {"divergence": _POLAR},
    "liu_chen": {
        "spread": "settles on a stable periodic orbit (period 35.9): lambda_1 = 0",
    },
    "lotka_volterra": {
        "spread": "integrable: closed cycles whose period depends on the amplitude, so tangent vectors grow linearly"
        " and the finite-time exponents (~ln t / t) scatter around 0",
    },
    "magnetic_pendulum": {
        "zero_exponent": "transient chaos onto a stable equilibrium near a magnet: all exponents are -alpha / 2",
    },
    "multispecies_competition": {
        "divergence": "law of the minimum: tr J jumps where the limiting resource changes, and the step-sampled <div>"
        " and the RK4 tangent integration resolve those switches differently (sum and <div> differ by ~2.4%)",
    },
    "pan_xu_zhou": {
        "zero_exponent": "transient chaos: every orbit reaches a stable equilibrium, so all exponents are negative",
    },
    "sprott_delay": {
        "spread": "weakly chaotic delay equation: the leading exponent converges slowly",
    },
    "sprott_driven_cubic": {
        "spread": "area-preserving (undamped) forced flow: chaotic sea and invariant tori coexist, so lambda_1"
        " depends on the orbit",
    },
    "sprott_more": {
        "zero_exponent": "discontinuous field: the tangent spectrum misses the saltation (max_lyapunov is right)",
    },
    "stommel_thermohaline": {
        "zero_exponent": "every orbit tends to one of two stable equilibria: both exponents are negative",
    },
    "swinging_atwood": {
        "spread": "Hamiltonian with a singularity at r = 0 that chaotic orbits approach: slow, orbit-dependent",
        "zero_exponent": "orbits approach the r = 0 singularity: slow convergence",
        "pairing": "orbits approach the r = 0 singularity, where fixed-step RK4 loses accuracy: the spectrum has"
        " not converged to the symmetric (lambda, 0, 0, -lambda) form",
    },
    "thomas": {
        "spread": "weak chaos (lambda_1 ~ 0.006 at b = 0.208): long correlations between finite-time exponents",
    },
    "tsucs2": {
        "spread": "quasi-periodic torus at the dysts parameters: two exponents are 0",
    },
    "voss_delay": {
        "zero_exponent": "more than 4 positive exponents: the zero exponent lies beyond the 4 computed",
    },
}
