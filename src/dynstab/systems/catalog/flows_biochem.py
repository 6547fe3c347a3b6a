"""Chemical, biochemical, neuronal and ecological flows, each written from its cited paper.

Parameters carry dysts' names and values. Initial conditions lie on the attractor; ``dt`` is a
step at which fixed-step RK4 resolves the dynamics to better than ~1e-5 relative error over one
dominant period. Periodically driven systems carry the driving phase as a state variable (so the
law does not depend on t and the phase coordinate is unbounded), as in dysts.
"""

import jax.numpy as jnp

from ..base import flow
from ..registry import register
from . import DYSTS_DIFFERENCES  # noqa: F401


@register
@flow(
    params=dict(
        c1=-8.03474,
        c10=0.0223915,
        c11=7.53559e-05,
        c12=8.07384e-06,
        c13=-0.000499825,
        c2=0.05408,
        c3=-0.0115886,
        c4=832.587,
        c5=-0.029155,
        c6=0.00321617,
        c7=-0.01352,
        c8=-0.0831709,
        c9=-0.0199985,
        ci=0.000833,
        kf=0.00035,
        t0=2308.62,
        y0=7.72571e-06,
        yb1=6.92813e-07,
        yb2=2.00869,
        yb3=0.01352,
        z0=8.33e-06,
    ),
    x0=[0.057002266, 0.65761427, 0.84577716],
    names=("x", "z", "v"),
    dt=1e-5,
    flags=("stiff",),
    reference="L. Gyorgyi and R. J. Field, A three-variable model of deterministic chaos in the "
    "Belousov-Zhabotinsky reaction, Nature 355, 808 (1992), doi:10.1038/355808a0",
)
def belousov_zhabotinsky(x, p, t):
    """Gyorgyi-Field: x' = t0 (c1 x Y + c2 Y + c3 x^2 + c4 R + c5 x z - kf x), z' = t0 (c6 R / z0 + c7 x z + c8 z v + c9 z - kf z), v' = t0 (c10 x Y + c11 Y + c12 x^2 + c13 z v - kf v).

    Scaled concentrations x (HBrO2), z (Ce(IV)), v (bromomalonic acid); the quasi-steady bromide is
    Y = yb1 z v / (y0 (yb2 x + yb3 + kf)) and R = (ci - z0 z) sqrt(x). As in dysts, x is clipped
    at 0 (max(x, 0)) everywhere after Y is formed; sqrt(x) has an infinite derivative at x = 0, but
    the attractor stays at x > 0.008. kf = 3.5e-4 (the flow rate) is chaotic
    (lambda_1 ~ 25 per time unit, ~0.7 per oscillation); 3e-4 gives regular cycling. Time in units of
    t0. Stiff: Jacobian eigenvalues reach ~ -7e4 near x = 0, so RK4 needs dt < ~4e-5 for stability
    although the oscillation period is ~0.03 (lambda_3 ~ -5e3).
    """
    ybar = p["yb1"] * x[1] * x[2] / (p["y0"] * (p["yb2"] * x[0] + p["yb3"] + p["kf"]))
    xp = jnp.maximum(x[0], 0.0)
    z, v = x[1], x[2]
    rf = (p["ci"] - p["z0"] * z) * jnp.sqrt(xp)
    dx = p["c1"] * xp * ybar + p["c2"] * ybar + p["c3"] * xp**2 + p["c4"] * rf + p["c5"] * xp * z - p["kf"] * xp
    dz = p["c6"] / p["z0"] * rf + p["c7"] * xp * z + p["c8"] * z * v + p["c9"] * z - p["kf"] * z
    dv = p["c10"] * xp * ybar + p["c11"] * ybar + p["c12"] * xp**2 + p["c13"] * z * v - p["kf"] * v
    return p["t0"] * jnp.stack([dx, dz, dv])


def _ca_two_plus(x, p, t):
    z, y, a = x[0], x[1], x[2]
    v_in = p["V0"] + p["V1"] * p["beta"]
    v2 = p["Vm2"] * z**2 / (p["K2"] ** 2 + z**2)
    v3 = (
        p["Vm3"]
        * z ** p["m"]
        / (p["Kz"] ** p["m"] + z ** p["m"])
        * y**2
        / (p["Ky"] ** 2 + y**2)
        * a**4
        / (p["Ka"] ** 4 + a**4)
    )
    v5 = p["Vm5"] * a ** p["p"] / (p["K5"] ** p["p"] + a ** p["p"]) * z ** p["n"] / (p["Kd"] ** p["n"] + z ** p["n"])
    return jnp.stack(
        [v_in - v2 + v3 + p["kf"] * y - p["k"] * z, v2 - v3 - p["kf"] * y, p["beta"] * p["V4"] - v5 - p["eps"] * a]
    )


_HOUART_1999 = (
    "G. Houart, G. Dupont and A. Goldbeter, Bursting, chaos and birhythmicity originating from "
    "self-modulation of the inositol 1,4,5-trisphosphate signal in a model for intracellular Ca2+ "
    "oscillations, Bull. Math. Biol. 61, 507 (1999), doi:10.1006/bulm.1999.0095"
)


def ca_two_plus(x, p, t):
    """Houart-Dupont-Goldbeter Ca2+: z' = V0 + V1 beta - V2 + V3 + kf y - k z, y' = V2 - V3 - kf y, a' = beta V4 - V5 - eps a.

    z: cytosolic Ca2+, y: Ca2+ in the internal store, a: IP3. V2 = Vm2 z^2/(K2^2 + z^2) (pumping
    into the store), V3 = Vm3 [z^m/(Kz^m + z^m)] [y^2/(Ky^2 + y^2)] [a^4/(Ka^4 + a^4)] (release),
    V5 = Vm5 [a^p/(K5^p + a^p)] [z^n/(Kd^n + z^n)] (Ca2+-activated IP3 degradation). Chaotic
    bursting at these parameters (the paper's chaos case).
    """
    return _ca_two_plus(x, p, t)


register(
    flow(
        params=dict(
            K2=0.1,
            K5=0.3194,
            Ka=0.1,
            Kd=1.0,
            Ky=0.3,
            Kz=0.6,
            V0=2.0,
            V1=2.0,
            V4=3.0,
            Vm2=6.0,
            Vm3=30.0,
            Vm5=50.0,
            beta=0.65,
            eps=13.0,
            k=10.0,
            kf=1.0,
            m=2.0,
            n=4.0,
            p=1.0,
        ),
        x0=[0.45652923, 0.75630068, 0.11351442],
        names=("z", "y", "a"),
        dt=0.01,
        reference=_HOUART_1999,
    )(ca_two_plus)
)


def ca_two_plus_quasiperiodic(x, p, t):
    """Houart-Dupont-Goldbeter Ca2+ at quasi-periodic parameters: the law of ``ca_two_plus``.

    z' = V0 + V1 beta - V2 + V3 + kf y - k z, y' = V2 - V3 - kf y, a' = beta V4 - V5 - eps a (see
    ``ca_two_plus``). At these parameters (the paper's quasi-periodicity case) the attractor is a
    torus, not chaotic: the two largest exponents are ~0.
    """
    return _ca_two_plus(x, p, t)


register(
    flow(
        params=dict(
            K2=0.1,
            K5=0.3,
            Ka=0.2,
            Kd=0.5,
            Ky=0.2,
            Kz=0.5,
            V0=2.0,
            V1=2.0,
            V4=5.0,
            Vm2=6.0,
            Vm3=20.0,
            Vm5=30.0,
            beta=0.51,
            eps=0.1,
            k=10.0,
            kf=1.0,
            m=2.0,
            n=4.0,
            p=2.0,
        ),
        x0=[0.28614895, 1.012396, 0.6416895],
        names=("z", "y", "a"),
        dt=0.005,
        reference=_HOUART_1999,
    )(ca_two_plus_quasiperiodic)
)


@register
@flow(
    params=dict(K=0.01, Kc=0.5, Kd1=0.02, Kim=0.65, V2=0.15, V4=0.05, Vm1=0.3, Vm3=0.1, kd1=0.001, vd=0.025, vi=0.05),
    x0=[0.50740814, 0.25651637, 0.40539422, 0.84458587, 0.96166605, 0.9893825],
    names=("c1", "m1", "x1", "c2", "m2", "x2"),
    dt=0.1,
    reference="P.-C. Romond, M. Rustici, D. Gonze and A. Goldbeter, Alternating oscillations and chaos in a "
    "model of two coupled biochemical oscillators driving successive phases of the cell cycle, "
    "Ann. N. Y. Acad. Sci. 879, 180 (1999), doi:10.1111/j.1749-6632.1999.tb10419.x",
)
def cell_cycle(x, p, t):
    """Two coupled Goldbeter cdc2-cyclin oscillators: c_i' = vi Kim/(Kim + m_j) - vd x_i c_i/(Kd1 + c_i) - kd1 c_i, m_i' = V1_i (1 - m_i)/(K + 1 - m_i) - V2 m_i/(K + m_i), x_i' = Vm3 m_i (1 - x_i)/(K + 1 - x_i) - V4 x_i/(K + x_i), j = 3 - i.

    c_i: cyclin, m_i: active cdk, x_i: active cyclin protease, V1_i = Vm1 c_i/(Kc + c_i); each
    oscillator's cdk inhibits the other's cyclin synthesis. All rate and Michaelis constants are
    shared by the two modules (the paper's symmetric case; Kim controls the bifurcations).
    Weakly chaotic (lambda_1 ~ 0.0044) with a slow period ~200; the zero-order-ultrasensitive
    switches (K = 0.01) give a fast eigenvalue ~ -2.4 (RK4 is stable only for dt < ~1).
    """
    c1, m1, x1, c2, m2, x2 = x[0], x[1], x[2], x[3], x[4], x[5]
    K = p["K"]

    def module(c, m, xx, m_other):
        dc = p["vi"] * p["Kim"] / (p["Kim"] + m_other) - p["vd"] * xx * c / (p["Kd1"] + c) - p["kd1"] * c
        v1 = p["Vm1"] * c / (p["Kc"] + c)
        dm = v1 * (1.0 - m) / (K + 1.0 - m) - p["V2"] * m / (K + m)
        dx = p["Vm3"] * m * (1.0 - xx) / (K + 1.0 - xx) - p["V4"] * xx / (K + xx)
        return dc, dm, dx

    dc1, dm1, dx1 = module(c1, m1, x1, m2)
    dc2, dm2, dx2 = module(c2, m2, x2, m1)
    return jnp.stack([dc1, dm1, dx1, dc2, dm2, dx2])


@register
@flow(
    params=dict(
        Ki=1.0,
        k=0.5,
        k1=0.3,
        k2=0.15,
        kd=1.4,
        kdn=0.4,
        km=0.4,
        ks=1.0,
        n=4.0,
        ps=24.0,
        vc=2.5,
        vd=6.0,
        vdn=1.5,
        vm=0.7,
        vmax=4.7,
        vmin=1.0,
    ),
    x0=[2.7490106, 6.7088728, 16.376263, 11.081797, 1.7815821],
    names=("m", "fc", "fs", "fn", "theta"),
    dt=0.05,
    unbounded=(4,),
    reference="J.-C. Leloup, D. Gonze and A. Goldbeter, Limit cycle models for circadian rhythms based on "
    "transcriptional regulation in Drosophila and Neurospora, J. Biol. Rhythms 14, 433 (1999), "
    "doi:10.1177/074873099129000948; D. Gonze, J.-C. Leloup and A. Goldbeter, Theoretical models for "
    "circadian rhythms in Neurospora and Drosophila, C. R. Acad. Sci. III 323, 57 (2000)",
)
def circadian_rhythm(x, p, t):
    """Light-driven FRQ clock: m' = vs Ki^n/(Ki^n + fn^n) - vm m/(km + m), fc' = ks m - k1 fc + k2 fn - k fc, fs' = k fc - vd fs/(kd + fs), fn' = k1 fc - k2 fn - vdn fn/(kdn + fn), theta' = 2 pi / ps.

    m: frq mRNA, fc / fn: cytosolic / nuclear FRQ protein, fs: a cytosolic FRQ pool degraded at
    rate vd, theta: phase of the light-dark cycle of period ps. The light modulates transcription
    as vs = vc ((1 + cos theta)/2 + vmin)(vmax - vmin), dysts' form of the sinusoidal light forcing
    (kept so that the law equals dysts'). theta is unbounded (``unbounded=(4,)``). Not chaotic at
    these parameters: the response is quasi-periodic (two zero Lyapunov exponents, the rest
    negative), although dysts' stored spectrum lists lambda_1 ~ 0.09.
    """
    m, fc, fs, fn, th = x[0], x[1], x[2], x[3], x[4]
    vs = p["vc"] * ((0.5 + 0.5 * jnp.cos(th)) + p["vmin"]) * (p["vmax"] - p["vmin"])
    kin = p["Ki"] ** p["n"]
    return jnp.stack(
        [
            vs * kin / (kin + fn ** p["n"]) - p["vm"] * m / (p["km"] + m),
            p["ks"] * m - p["k1"] * fc + p["k2"] * fn - p["k"] * fc,
            p["k"] * fc - p["vd"] * fs / (p["kd"] + fs),
            p["k1"] * fc - p["k2"] * fn - p["vdn"] * fn / (p["kdn"] + fn),
            2.0 * jnp.pi / p["ps"],
        ]
    )


@register
@flow(
    params=dict(
        a1=2.5, a2=0.05, a3=0.4, b1=6.0, b2=1.333, d1=0.16, d2=0.004, delta=1.0, k1=6.0, k2=9.0, k4=9.0, vv=0.33333
    ),
    x0=[0.1512068, 0.35033214, 0.64994581],
    names=("x", "y", "alpha"),
    dt=0.1,
    reference="W. Gilpin and M. W. Feldman, A phase transition induces chaos in a predator-prey ecosystem "
    "with a dynamic fitness landscape, PLoS Comput. Biol. 13, e1005644 (2017), "
    "doi:10.1371/journal.pcbi.1005644",
)
def coevolving_predator_prey(x, p, t):
    """Prey x, predator y, prey trait alpha: x' = x [a1 alpha (1 - k1 x alpha (delta - 1))/(1 + b1 alpha) - a3 y/(1 + b2 x) - d1 (1 - k2 alpha^2 (delta^2 - 1) + k4 alpha^4 (delta^4 - 1))], y' = y (a2 x/(1 + b2 x) - d2), alpha' = vv [-a1 k1 x alpha delta/(1 + b1 alpha) - d1 (4 k4 alpha^3 delta^4 - 2 k2 alpha delta^2)].

    The trait alpha climbs the prey's fitness gradient at rate vv (adaptive dynamics); delta = 1
    is the paper's chaotic case (weak chaos, lambda_1 ~ 0.003, on a slow cycle of period ~200-500;
    the prey density x comes within ~1e-4 of extinction).
    """
    xx, y, al = x[0], x[1], x[2]
    a1, b1, d1, k1, k2, k4, dl = p["a1"], p["b1"], p["d1"], p["k1"], p["k2"], p["k4"], p["delta"]
    growth = a1 * al * (1.0 - k1 * xx * (al * dl - al)) / (1.0 + b1 * al)
    death = d1 * (1.0 - k2 * ((al * dl) ** 2 - al**2) + k4 * ((al * dl) ** 4 - al**4))
    predation = p["a3"] * y / (1.0 + p["b2"] * xx)
    dal = p["vv"] * (
        -a1 * k1 * xx * al * dl / (1.0 + b1 * al) - d1 * (4.0 * k4 * al**3 * dl**4 - 2.0 * k2 * al * dl**2)
    )
    return jnp.stack([xx * (growth - predation - death), y * (p["a2"] * xx / (1.0 + p["b2"] * xx) - p["d2"]), dal])


@register
@flow(
    params=dict(
        aho=2.5,
        ahr=0.05,
        ahs=0.07,
        ams=0.1,
        amvb=25.0,
        amvo=2.5,
        ans=0.01,
        anvb=20.0,
        anvo=2.0,
        ar=0.1,
        bho=2.0,
        bhr=0.1,
        bmo=50.0 / 18.0,
        bmr=1.0 / 18.0,
        bms=4.0,
        bno=0.375,
        bnr=0.0125,
        bns=0.125,
        gi=1800.0,
        gkc=11.0,
        gkv=1700.0,
        gl=7.0,
        kc=0.183333,
        rho=0.27,
        tscl=230.0,
        vc=100.0,
        vi=100.0,
        vk=-75.0,
        vl=-40.0,
        vm=-50.0,
        vn=-30.0,
    ),
    x0=[-45.553855, 0.12399399, 0.4662254],
    names=("v", "n", "c"),
    dt=5e-4,
    reference="T. R. Chay, Chaos in a three-variable model of an excitable cell, Physica D 16, 233 (1985), "
    "doi:10.1016/0167-2789(85)90060-0",
)
def excitable_cell(x, p, t):
    """Chay: v' = gi m^3 h (vi - v) + gkv n^4 (vk - v) + gkc c/(1 + c) (vk - v) + gl (vl - v), n' = (n_inf - n)/tau_n, c' = rho (m^3 h (vc - v) - kc c).

    Hodgkin-Huxley rates with m = alpha_m/(alpha_m + beta_m) and h = alpha_h/(alpha_h + beta_h) at
    quasi-steady state: alpha_m = ams (amvb + v)/(1 - exp(-ar v - amvo)), beta_m = bms exp(-bmr v - bmo),
    alpha_h = ahs exp(-ahr v - aho), beta_h = 1/(1 + exp(-bhr v - bho)), alpha_n = ans (anvb + v)/(1 -
    exp(-ar v - anvo)), beta_n = bns exp(-bnr v - bno), n_inf = alpha_n/(alpha_n + beta_n),
    tau_n = 1/(tscl (alpha_n + beta_n)). The offsets vm = -50 and vn = -30 are already folded into
    bmo = -vm/18 and bno = -vn/80; they are kept (unused) as parameters to match dysts. alpha_m and
    alpha_n have removable 0/0 singularities at v = -amvb and v = -anvb. gkc controls the onset of chaos.
    """
    v, n, c = x[0], x[1], x[2]
    am = p["ams"] * (p["amvb"] + v) / (1.0 - jnp.exp(-p["ar"] * v - p["amvo"]))
    bm = p["bms"] * jnp.exp(-p["bmr"] * v - p["bmo"])
    ah = p["ahs"] * jnp.exp(-p["ahr"] * v - p["aho"])
    bh = 1.0 / (1.0 + jnp.exp(-p["bhr"] * v - p["bho"]))
    an = p["ans"] * (p["anvb"] + v) / (1.0 - jnp.exp(-p["ar"] * v - p["anvo"]))
    bn = p["bns"] * jnp.exp(-p["bnr"] * v - p["bno"])
    m3h = (am / (am + bm)) ** 3 * (ah / (ah + bh))
    n_inf = an / (an + bn)
    inv_tau = p["tscl"] * (an + bn)
    dv = (
        p["gi"] * m3h * (p["vi"] - v)
        + p["gkv"] * n**4 * (p["vk"] - v)
        + p["gkc"] * c / (1.0 + c) * (p["vk"] - v)
        + p["gl"] * (p["vl"] - v)
    )
    return jnp.stack([dv, (n_inf - n) * inv_tau, p["rho"] * (m3h * (p["vc"] - v) - p["kc"] * c)])


@register
@flow(
    params=dict(a=0.4, b=1.2, f=0.05, w=0.81),
    x0=[0.65513326, 2.3425649, 3.153504],
    names=("x", "y", "phi"),
    dt=0.1,
    unbounded=(2,),
    reference="I. Prigogine and R. Lefever, Symmetry breaking instabilities in dissipative systems. II, "
    "J. Chem. Phys. 48, 1695 (1968), doi:10.1063/1.1668896; I. Prigogine, From Being to Becoming: "
    "Time and Complexity in the Physical Sciences, W. H. Freeman, New York (1980)",
)
def forced_brusselator(x, p, t):
    """Periodically forced Brusselator: x' = a + x^2 y - (b + 1) x + f cos(phi), y' = b x - x^2 y, phi' = w.

    The forcing phase phi is a state variable (unbounded). Weakly chaotic at these parameters
    (lambda_1 ~ 0.015).
    """
    xx, y = x[0], x[1]
    return jnp.stack(
        [p["a"] + xx**2 * y - (p["b"] + 1.0) * xx + p["f"] * jnp.cos(x[2]), p["b"] * xx - xx**2 * y, p["w"]]
    )


@register
@flow(
    params=dict(a=0.7, b=0.8, curr=0.965, f=0.4008225, gamma=0.08, omega=0.043650793650793655),
    x0=[-1.5773333, 0.24022343, 4.6256678],
    names=("v", "w", "phi"),
    dt=0.1,
    unbounded=(2,),
    reference="R. FitzHugh, Impulses and physiological states in theoretical models of nerve membrane, "
    "Biophys. J. 1, 445 (1961), doi:10.1016/S0006-3495(61)86902-6",
)
def forced_fitzhugh_nagumo(x, p, t):
    """Forced FitzHugh-Nagumo: v' = v - v^3/3 - w + curr + f sin(phi), w' = gamma (v + a - b w), phi' = omega.

    The forcing phase phi is a state variable (unbounded). Not chaotic at these parameters: the
    motion is quasi-periodic (two exponents ~0, |lambda| < 3e-4, the third ~ -0.88).
    """
    v, w = x[0], x[1]
    return jnp.stack(
        [v - v**3 / 3.0 - w + p["curr"] + p["f"] * jnp.sin(x[2]), p["gamma"] * (v + p["a"] - p["b"] * w), p["omega"]]
    )


@register
@flow(
    params=dict(d=0.0, k=4.422, l1=5e8, l2=100.0, nu=1.0, q1=50.0, q2=0.02, s1=22.2222, s2=22.2222),
    x0=[35.831012, 73.837006, 0.087756296],
    names=("alpha", "beta", "gamma"),
    dt=0.05,
    reference="O. Decroly and A. Goldbeter, Birhythmicity, chaos, and other patterns of temporal "
    "self-organization in a multiply regulated biochemical system, Proc. Natl. Acad. Sci. USA 79, "
    "6917 (1982), doi:10.1073/pnas.79.22.6917",
)
def glycolytic_oscillation(x, p, t):
    """Decroly-Goldbeter: alpha' = nu - s1 Phi, beta' = q1 s1 Phi - s2 Eta, gamma' = q2 s2 Eta - k gamma.

    Phi = alpha (1 + alpha)(1 + beta)^2 / (l1 + (1 + alpha)^2 (1 + beta)^2) and
    Eta = beta (1 + d beta)(1 + gamma)^2 / (l2 + (1 + d beta)^2 (1 + gamma)^2): two allosteric
    (Monod-Wyman-Changeux) enzymes in series with product activation. Time is scaled by the input
    rate (nu = 1; the paper's sigma = 10 /s and k_s = 1.99 /s at v = 0.45 /s become s = 22.2222 and
    k = 4.422). Weakly chaotic (lambda_1 ~ 0.007 per scaled time unit).
    """
    a, b, c = x[0], x[1], x[2]
    phi = a * (1.0 + a) * (1.0 + b) ** 2 / (p["l1"] + (1.0 + a) ** 2 * (1.0 + b) ** 2)
    db = 1.0 + p["d"] * b
    eta = b * db * (1.0 + c) ** 2 / (p["l2"] + db**2 * (1.0 + c) ** 2)
    return jnp.stack(
        [p["nu"] - p["s1"] * phi, p["q1"] * p["s1"] * phi - p["s2"] * eta, p["q2"] * p["s2"] * eta - p["k"] * c]
    )


@register
@flow(
    params=dict(a1=5.0, a2=0.1, b1=3.0, b2=2.0, d1=0.4, d2=0.01),
    x0=[0.69662145, 0.17673563, 10.323902],
    names=("x", "y", "z"),
    dt=0.1,
    reference="A. Hastings and T. Powell, Chaos in a three-species food chain, Ecology 72, 896 (1991), "
    "doi:10.2307/1940591",
)
def hastings_powell(x, p, t):
    """Hastings-Powell food chain: x' = x (1 - x) - a1 x y/(1 + b1 x), y' = a1 x y/(1 + b1 x) - a2 y z/(1 + b2 y) - d1 y, z' = a2 y z/(1 + b2 y) - d2 z.

    Resource x, consumer y, predator z with Holling type II responses; b1 = 3 gives the
    "teacup" chaotic attractor.
    """
    f1 = p["a1"] * x[0] / (1.0 + p["b1"] * x[0])
    f2 = p["a2"] * x[1] / (1.0 + p["b2"] * x[1])
    return jnp.stack(
        [x[0] * (1.0 - x[0]) - f1 * x[1], f1 * x[1] - f2 * x[2] - p["d1"] * x[1], f2 * x[2] - p["d2"] * x[2]]
    )


@register
@flow(
    params=dict(a=0.49, b=1.0, c=0.0322, d=1.0, s=1.0, tx=0.03, tz=0.8),
    x0=[-0.082987446, -0.036398808, 0.043972383],
    names=("x", "y", "z"),
    dt=0.01,
    reference="J. L. Hindmarsh and R. M. Rose, A model of neuronal bursting using three coupled first order "
    "differential equations, Proc. R. Soc. London B 221, 87 (1984), doi:10.1098/rspb.1984.0024; "
    "scaled form of M. Marhl and M. Perc, Chaos Solitons Fractals (2005)",
)
def hindmarsh_rose(x, p, t):
    """Hindmarsh-Rose (scaled): x' = (y - a x^3 + b x^2 + z)/tx - x, y' = z - a x^3 - (d - b) x^2, z' = (c - s x - z)/tz.

    Membrane potential x, recovery y, slow adaptation z, in the time-scaled form of Marhl and
    Perc; tx = 0.03 makes x fast.
    """
    xx, y, z = x[0], x[1], x[2]
    return jnp.stack(
        [
            (y - p["a"] * xx**3 + p["b"] * xx**2 + z) / p["tx"] - xx,
            z - p["a"] * xx**3 - (p["d"] - p["b"]) * xx**2,
            (p["c"] - p["s"] * xx - z) / p["tz"],
        ]
    )


@register
@flow(
    params=dict(delta=1.0, kappa=2.5, mu=0.29786, sigma=0.013),
    x0=[0.50256408, 0.8138413, 1.0169086],
    names=("alpha", "beta", "gamma"),
    dt=0.005,
    reference="V. Petrov, S. K. Scott and K. Showalter, Mixed-mode oscillations in chemical systems, "
    "J. Chem. Phys. 97, 6191 (1992), doi:10.1063/1.463727",
)
def isothermal_chemical(x, p, t):
    """Petrov-Scott-Showalter autocatalator: alpha' = mu (kappa + gamma) - alpha beta^2 - alpha, sigma beta' = alpha beta^2 + alpha - beta, delta gamma' = beta - gamma.

    Cubic autocatalysis with a precursor; sigma = 0.013 makes beta fast (mixed-mode oscillations).
    Bistable: the chaotic attractor (lambda_1 ~ 0.12) that x0 lies on coexists with a stable
    mixed-mode periodic orbit; perturbing x0 by ~1e-3 (relative) already lands on the periodic
    orbit, so start ensembles with small perturbations or from states on the chaotic attractor.
    """
    a, b, c = x[0], x[1], x[2]
    return jnp.stack([p["mu"] * (p["kappa"] + c) - a * b**2 - a, (a * b**2 + a - b) / p["sigma"], (b - c) / p["delta"]])


@register
@flow(
    params=dict(a12=1.0, a13=2.5, a21=1.5, a31=0.2, d3=0.5, k3=1.0, r2=0.6, r3=4.5),
    x0=[0.13784699, 0.72615866, 8.4770494e-07],
    names=("tumor", "healthy", "effector"),
    dt=0.1,
    reference="M. Itik and S. P. Banks, Chaos in a three-dimensional cancer model, Int. J. Bifurcation Chaos "
    "20, 71 (2010), doi:10.1142/S0218127410025417",
)
def itik_banks_tumor(x, p, t):
    """Itik-Banks: x' = x (1 - x) - a12 x y - a13 x z, y' = r2 y (1 - y) - a21 x y, z' = r3 x z/(x + k3) - a31 x z - d3 z.

    Tumour cells x, healthy host cells y, effector immune cells z (scaled populations).
    """
    xx, y, z = x[0], x[1], x[2]
    return jnp.stack(
        [
            xx * (1.0 - xx) - p["a12"] * xx * y - p["a13"] * xx * z,
            p["r2"] * y * (1.0 - y) - p["a21"] * xx * y,
            p["r3"] * xx * z / (xx + p["k3"]) - p["a31"] * xx * z - p["d3"] * z,
        ]
    )


@register
@flow(
    params=dict(beta=-0.4, gamma=0.49, kappa=0.2, mu=2.1),
    x0=[-1.1126814, 5.9615323, -1.2093955],
    names=("x", "y", "z"),
    dt=0.05,
    reference="P. E. Strizhak and A. L. Kawczynski, Regular and chaotic mixed-mode oscillations in a model of a "
    "continuous stirred tank reactor, J. Phys. Chem. 99, 10830 (1995), doi:10.1021/j100027a024",
)
def kawczynski_strizhak(x, p, t):
    """Kawczynski-Strizhak: x' = gamma (y - x^3 + 3 mu x), y' = beta - 2 mu x - y - z, z' = kappa (x - z).

    A three-variable model of mixed-mode oscillations (a cubic-nullcline relaxation oscillator
    with a slow third variable). Not chaotic at these parameters: the orbit settles on a stable
    mixed-mode periodic orbit (lambda_1 = 0, lambda_2 ~ -0.003), although dysts' stored spectrum
    lists lambda_1 ~ 0.026.
    """
    xx, y, z = x[0], x[1], x[2]
    return jnp.stack(
        [p["gamma"] * (y - xx**3 + 3.0 * p["mu"] * xx), p["beta"] - 2.0 * p["mu"] * xx - y - z, p["kappa"] * (xx - z)]
    )


@register
@flow(
    params=dict(
        c=[
            [0.04, 0.04, 0.07, 0.04, 0.04],
            [0.08, 0.08, 0.08, 0.1, 0.08],
            [0.1, 0.1, 0.1, 0.1, 0.14],
            [0.05, 0.03, 0.03, 0.03, 0.03],
            [0.07, 0.09, 0.07, 0.07, 0.07],
        ],
        d=0.25,
        k=[
            [0.39, 0.34, 0.3, 0.24, 0.23],
            [0.22, 0.39, 0.34, 0.3, 0.27],
            [0.27, 0.22, 0.39, 0.34, 0.3],
            [0.3, 0.24, 0.22, 0.39, 0.34],
            [0.34, 0.3, 0.22, 0.2, 0.39],
        ],
        m=0.25,
        r=1.0,
        s=[6.0, 10.0, 14.0, 4.0, 9.0],
    ),
    x0=[
        12.183641,
        26.979246,
        37.545916,
        12.91726,
        29.563785,
        0.10602861,
        0.20646695,
        0.89846382,
        0.18063174,
        0.11712571,
    ],
    names=("N1", "N2", "N3", "N4", "N5", "R1", "R2", "R3", "R4", "R5"),
    dt=0.02,
    reference="R. MacArthur, Species packing, and what competition minimizes, Proc. Natl. Acad. Sci. USA 64, "
    "1369 (1969), doi:10.1073/pnas.64.4.1369; parameters: J. Huisman and F. J. Weissing, Biodiversity "
    "of plankton by species oscillations and chaos, Nature 402, 407 (1999), doi:10.1038/46540",
)
def macarthur(x, p, t):
    """MacArthur consumer-resource model: N_i' = N_i (mu_i - m), R_j' = d (s_j - R_j) - sum_i c_ji mu_i N_i, mu_i = min_j r R_j/(k_ji + R_j).

    Five phytoplankton species N_i competing for five resources R_j (Huisman-Weissing); growth
    follows Liebig's law of the minimum. k[j, i] is the half-saturation constant and c[j, i] the
    content of resource j in species i. The min makes the vector field only piecewise smooth (the
    limiting resource switches): the Jacobian, hence the Lyapunov spectrum, is that of the
    currently limiting resource, and RK4 loses its 4th order at the switches (the step-halving
    error levels off near 1e-6). Weakly chaotic: lambda_1 ~ 0.021 per day.
    """
    n, res = x[:5], x[5:]
    mu = p["r"] * jnp.min(res[None, :] / (p["k"].T + res[None, :]), axis=1)
    return jnp.concatenate([n * (mu - p["m"]), p["d"] * (p["s"] - res) - p["c"] @ (mu * n)])


@register
@flow(
    params=dict(a=15.0, d=8.3, k=400.0, lam=0.06, m=15.5, mu=3.4, r=22.0, th=10.0),
    x0=[235.9314, 65.111402, 58.425207],
    names=("S", "I", "P"),
    dt=0.01,
    reference="R. K. Upadhyay, N. Bairagi, K. Kundu and J. Chattopadhyay, Chaos in eco-epidemiological problem "
    "of the Salton Sea and its possible control, Appl. Math. Comput. 196, 392 (2008)",
)
def salton_sea(x, p, t):
    """Salton Sea eco-epidemiology: S' = r S (1 - (S + I)/k) - lam S I, I' = lam S I - m I P/(I + a) - mu I, P' = th I P/(I + a) - d P.

    Susceptible fish S, infected fish I, predatory birds P that feed on infected fish only.
    """
    s, i, q = x[0], x[1], x[2]
    holling = i * q / (i + p["a"])
    return jnp.stack(
        [
            p["r"] * s * (1.0 - (s + i) / p["k"]) - p["lam"] * s * i,
            p["lam"] * s * i - p["m"] * holling - p["mu"] * i,
            p["th"] * holling - p["d"] * q,
        ]
    )


@register
@flow(
    params=dict(a=8.0, d=0.04, e=0.5, g=0.1, h=0.8, lamb=1.0, r=8.12, s=1.25),
    x0=[0.32808024, 0.23271612, 3.4985957],
    names=("n", "p", "phi"),
    dt=0.01,
    unbounded=(2,),
    reference="P. Turchin and I. Hanski, An empirically based model for latitudinal gradient in vole "
    "population dynamics, Am. Nat. 149, 842 (1997), doi:10.1086/286027",
)
def turchin_hanski(x, p, t):
    """Turchin-Hanski vole-weasel model: n' = r (1 - e sin phi) n - r n^2 - g n^2/(n^2 + h^2) - a n p/(n + d), p' = s (1 - e sin phi) p - s p^2/n, phi' = 2 pi lamb.

    Voles n, weasels p, seasonal phase phi (unbounded; lamb cycles per year). As in dysts the vole
    growth rate r = 8.12 is raised above the paper's value to sustain chaos.
    """
    n, q = x[0], x[1]
    season = 1.0 - p["e"] * jnp.sin(x[2])
    return jnp.stack(
        [
            p["r"] * season * n - p["r"] * n**2 - p["g"] * n**2 / (n**2 + p["h"] ** 2) - p["a"] * n * q / (n + p["d"]),
            p["s"] * season * q - p["s"] * q**2 / n,
            2.0 * jnp.pi * p["lamb"],
        ]
    )


@register
@flow(
    params=dict(a=1.2, mu=8.53, w=0.63),
    x0=[1.614482, -0.18841726, 4.2050008],
    names=("x", "y", "phi"),
    dt=0.02,
    unbounded=(2,),
    reference="B. van der Pol, A theory of the amplitude of free and forced triode vibrations, Radio Rev. 1, "
    "701 (1920); chaos: B. van der Pol and J. van der Mark, Frequency demultiplication, Nature 120, 363 "
    "(1927), doi:10.1038/120363a0",
)
def forced_van_der_pol(x, p, t):
    """Forced van der Pol: x' = y, y' = mu (1 - x^2) y - x + a sin(phi), phi' = w.

    Strongly nonlinear relaxation oscillator (mu = 8.53) driven at frequency w; the forcing phase
    phi is a state variable (unbounded). Not chaotic at dysts' parameters: the oscillator is
    phase-locked to the forcing (periodic; lambda_1 = 0, lambda_2 ~ -0.014), although dysts' stored
    spectrum lists lambda_1 ~ 0.27.
    """
    return jnp.stack([x[1], p["mu"] * (1.0 - x[0] ** 2) * x[1] - x[0] + p["a"] * jnp.sin(x[2]), p["w"]])
