"""RQA: hand-computed matrices, brute-force references, streaming == sparse, pyunicorn, bad input."""

import itertools
import math

import numpy as np
import pytest
from scipy import sparse

from dynstab.timeseries import cross_rqa, joint_rqa, recurrence_matrix, rqa, windowed_rqa
from dynstab.timeseries.rqa import MEASURES

# A symmetric 6 x 6 recurrence matrix (LOI included), measures worked out by hand below.
R6 = np.array(
    [
        [1, 1, 1, 0, 0, 0],
        [1, 1, 1, 0, 0, 1],
        [1, 1, 1, 0, 0, 1],
        [0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 1, 1],
        [0, 1, 1, 0, 1, 1],
    ],
    dtype=bool,
)


def _hist(d, size):
    h = np.zeros(size, np.int64)
    for k, v in d.items():
        h[k] = v
    return h


def test_hand_computed_6x6_theiler1():
    r = rqa(R6, border=0)  # default theiler = 1 (LOI excluded) for a symmetric matrix
    # upper diagonals: offset 1 -> runs 2, 1; offsets 2, 3, 4 -> one point each; doubled
    np.testing.assert_array_equal(r.diagonal, _hist({1: 8, 2: 2}, 3))
    # columns without LOI: col0 {1,2}; col1 {0},{2},{5}; col2 {0,1},{5}; col4 {5}; col5 {1,2},{4}
    np.testing.assert_array_equal(r.vertical, _hist({1: 6, 2: 3}, 3))
    # white gaps between recurrences of one column not crossing the window: col1 (2,5) -> 2, col5 (2,4) -> 1
    np.testing.assert_array_equal(r.recurrence_times, _hist({1: 1, 2: 1}, 3))
    assert r.RR == pytest.approx(12 / 30, abs=1e-15)  # (N - w)(N - w + 1) = 30 cells outside the window
    assert r.DET == pytest.approx(4 / 12, abs=1e-15)
    assert (r.L, r.Lmax, r.DIV, r.ENTR) == (2.0, 2.0, 0.5, 0.0)
    assert r.LAM == pytest.approx(6 / 12, abs=1e-15)
    assert (r.TT, r.Vmax, r.VENTR) == (2.0, 2.0, 0.0)
    assert r.MRT == 1.5 and r.RTE == pytest.approx(math.log(2), abs=1e-15) and r.NMPRT == 1.0
    # TREND (RecurrenceAnalysis.jl, border 0): RR_d = [0.6, 1/4, 1/3, 1/2, 0] at d = 2..6,
    # delta = d - (b + theiler)/2 = d - 3.5
    rr = np.array([0.6, 0.25, 1 / 3, 0.5, 0.0])
    delta = np.arange(2, 7) - 3.5
    assert r.TREND == pytest.approx(1000 * np.sum(delta * (rr - rr.mean())) / np.sum(delta**2), abs=1e-12)
    assert r.TREND == pytest.approx(-760 / 9, abs=1e-9)


def test_hand_computed_6x6_theiler0():
    r = rqa(R6, theiler=0, border=0)
    np.testing.assert_array_equal(r.diagonal, _hist({1: 8, 2: 2, 6: 1}, 7))  # the LOI is one line of length 6
    np.testing.assert_array_equal(r.vertical, _hist({1: 3, 2: 3, 3: 3}, 4))
    np.testing.assert_array_equal(r.recurrence_times, _hist({1: 1, 2: 2}, 3))
    assert r.RR == 0.5
    assert r.DET == pytest.approx(10 / 18, abs=1e-15)
    assert r.L == pytest.approx(10 / 3, abs=1e-15) and r.Lmax == 6
    ent = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert r.ENTR == pytest.approx(ent, abs=1e-15)
    assert r.LAM == pytest.approx(15 / 18, abs=1e-15) and r.TT == 2.5 and r.Vmax == 3
    assert r.VENTR == pytest.approx(math.log(2), abs=1e-15)  # lengths 2 and 3, three lines each
    assert r.MRT == pytest.approx(5 / 3, abs=1e-15) and r.RTE == pytest.approx(ent, abs=1e-15) and r.NMPRT == 2
    # lmin = 3 keeps only the LOI; vmin = 4 leaves no vertical line (RecurrenceAnalysis.jl conventions)
    r3 = rqa(R6, theiler=0, lmin=3, vmin=4)
    assert r3.DET == pytest.approx(6 / 18) and r3.L == 6 and r3.ENTR == 0.0
    assert r3.LAM == 0.0 and r3.TT == 0.0 and r3.Vmax == 0.0 and math.isnan(r3.VENTR)
    assert math.isnan(r3.TREND)  # border 10 leaves no diagonal of a 6 x 6 matrix


# RecurrenceAnalysis.jl test/rqa_rna_analytic.jl: a 10 x 11 cross-recurrence matrix (1-based cells)
RA_CELLS = [
    (1, 1), (2, 2), (3, 2), (6, 2), (7, 2), (8, 2), (6, 3), (7, 3), (10, 3), (2, 4), (4, 4),
    (1, 5), (2, 5), (3, 5), (5, 5), (9, 5), (10, 5), (2, 6), (3, 6), (6, 6), (7, 6), (10, 6),
    (3, 7), (8, 7), (4, 8), (1, 9), (5, 9), (7, 9), (9, 9), (9, 10), (10, 10), (3, 11), (7, 11),
]  # fmt: skip


def _ra_matrix():
    rows, cols = zip(*RA_CELLS, strict=True)
    return sparse.csr_matrix((np.ones(len(rows), bool), (np.array(rows) - 1, np.array(cols) - 1)), shape=(10, 11))


def test_recurrenceanalysis_jl_rqa_rna_analytic_with_theiler_window():
    # "With Theiler window" / "Theiler and minimum line": TREND = -17.9 (atol 0.1) with theiler = 2,
    # border = 1; the diagonal distance is centred at (b + theiler)/2 (b/2 gave -12.18)
    R = _ra_matrix()
    for lmin in (1, 2):
        r = rqa(R, theiler=2, lmin=lmin, border=1)
        assert r.TREND == pytest.approx(-17.9, abs=0.1)
        assert r.TREND == pytest.approx(-17.907162865146056, abs=1e-9)
        assert r.Lmax == 5 and r.DIV == 0.2
    # "Default parameters" (theiler = 0): the centre is b/2 either way, TREND = -33.8
    assert rqa(R, theiler=0, lmin=1, border=1).TREND == pytest.approx(-33.8, abs=0.1)


# ------------------------------------------------------------------ brute-force reference
def _dense_reference(R, w, lmin=2, vmin=2, wmin=1):
    """Straight loops over a dense matrix, written from the definitions in the rqa docstring."""
    R = np.array(R, dtype=bool)
    N, M = R.shape
    for i in range(N):
        for j in range(M):
            if abs(i - j) < w:
                R[i, j] = False
    hd, hv, hw = {}, {}, {}

    def add(h, n):
        h[n] = h.get(n, 0) + 1

    for d in range(-(N - 1), M):
        run = 0
        for i in range(max(0, -d), min(N, M - d)):
            if R[i, i + d]:
                run += 1
            else:
                if run:
                    add(hd, run)
                run = 0
        if run:
            add(hd, run)
    for j in range(M):
        rows = np.flatnonzero(R[:, j])
        run = 0
        for i in range(N):
            if R[i, j]:
                run += 1
            else:
                if run:
                    add(hv, run)
                run = 0
        if run:
            add(hv, run)
        for a, b in itertools.pairwise(rows):
            if b - a > 1 and not (w > 0 and a < j < b):
                add(hw, int(b - a - 1))
    n_rec = int(R.sum())
    cells = sum(1 for i in range(N) for j in range(M) if abs(i - j) >= w)

    def stats(h, m):
        items = {k: v for k, v in h.items() if k >= m}
        cnt = sum(items.values())
        if not cnt:
            return 0, 0.0, 0, float("nan")
        pts = sum(k * v for k, v in items.items())
        p = np.array(list(items.values())) / cnt
        return pts, pts / cnt, max(items), float(-(p * np.log(p)).sum())

    dp, L, Lmax, ENTR = stats(hd, lmin)
    vp, TT, Vmax, VENTR = stats(hv, vmin)
    _, MRT, _, RTE = stats(hw, wmin)
    return dict(
        RR=n_rec / cells,
        DET=dp / n_rec,
        L=L,
        Lmax=Lmax,
        ENTR=ENTR,
        LAM=vp / n_rec,
        TT=TT,
        Vmax=Vmax,
        VENTR=VENTR,
        MRT=MRT,
        RTE=RTE,
    )


def _walk(n, seed):
    return np.cumsum(np.random.default_rng(seed).normal(size=n))


@pytest.mark.parametrize("w", [0, 1, 5])
def test_against_bruteforce_definitions(w):
    x = _walk(160, 3)
    rm = recurrence_matrix(x, 1.5, dim=2, tau=2)
    ref = _dense_reference(rm.toarray(), w)
    got = rqa(x, 1.5, dim=2, tau=2, theiler=w).to_dict()
    for k, v in ref.items():
        assert got[k] == pytest.approx(v, rel=1e-13, nan_ok=True), k


def test_cross_against_bruteforce():
    x, y = _walk(150, 4), _walk(120, 5)
    from dynstab.timeseries import cross_recurrence_matrix

    cm = cross_recurrence_matrix(x, y, 2.0, dim=2)
    for w in (0, 3):
        ref = _dense_reference(cm.toarray(), w)
        got = cross_rqa(x, y, 2.0, dim=2, theiler=w).to_dict()
        for k, v in ref.items():
            assert got[k] == pytest.approx(v, rel=1e-13, nan_ok=True), (w, k)


def _same(a, b):
    for m in MEASURES:
        va, vb = getattr(a, m), getattr(b, m)
        assert va == vb or (math.isnan(va) and math.isnan(vb)), (m, va, vb)
    for h in ("diagonal", "vertical", "recurrence_times"):
        np.testing.assert_array_equal(getattr(a, h), getattr(b, h))


@pytest.mark.parametrize("norm", ["max", "euclidean", "manhattan"])
@pytest.mark.parametrize("w", [0, 1, 4])
def test_stream_equals_sparse_matrix_exactly(norm, w):
    x, y = _walk(400, 6), _walk(330, 7)
    a = rqa(x, 2.0, dim=3, tau=2, norm=norm, theiler=w)
    _same(a, rqa(x, 2.0, dim=3, tau=2, norm=norm, theiler=w, method="matrix"))
    _same(a, rqa(recurrence_matrix(x, 2.0, dim=3, tau=2, norm=norm), theiler=w))
    _same(
        cross_rqa(x, y, 3.0, dim=2, norm=norm, theiler=w),
        cross_rqa(x, y, 3.0, dim=2, norm=norm, theiler=w, method="matrix"),
    )
    z = np.sin(np.arange(400) * 0.3) + 0.3 * _walk(400, 8)
    _same(
        joint_rqa(x, z, (2.0, 0.5), dim=2, norm=norm, theiler=w),
        joint_rqa(x, z, (2.0, 0.5), dim=2, norm=norm, theiler=w, method="matrix"),
    )


def test_stream_equals_matrix_on_iid_noise_rate():
    x = np.random.default_rng(9).normal(size=(700, 2))
    _same(rqa(x, recurrence_rate=0.1), rqa(x, recurrence_rate=0.1, method="matrix"))


# ---------------------------------------------------------------------------- behaviour
def test_sine_is_deterministic():
    t = np.arange(2000)
    r = rqa(np.sin(2 * np.pi * t / 47.3), recurrence_rate=0.05, dim=2, tau=12)
    assert r.DET > 0.95
    assert r.RR == pytest.approx(0.05, rel=0.02)


def test_white_noise_low_det_and_rate():
    x = np.random.default_rng(0).normal(size=1200)
    r = rqa(x, recurrence_rate=0.05)  # no embedding: delay vectors of noise share coordinates -> spurious lines
    assert abs(r.RR - 0.05) < 1e-6  # 1200 points: 7.2e5 pairs, the exact quantile
    # i.i.d.: a recurrence continues a diagonal with probability ~RR, so DET ~ 1 - (1 - RR)^2 ~ 0.1
    assert r.DET < 0.15
    s = rqa(np.sin(np.arange(1200) * 0.05), recurrence_rate=0.05, dim=2, tau=31)  # same rate, a sine
    assert s.DET > 0.95


def test_fixed_rate_exact_and_sampled():
    x = _walk(1000, 11)
    for w in (0, 1, 10):
        r = rqa(x, recurrence_rate=0.07, theiler=w)  # 1000 points: exact quantile of all pairs
        assert abs(r.RR - 0.07) < 2.0 / (1000 * 999)
    y = _walk(4000, 12)
    r = rqa(y, recurrence_rate=0.03, dim=2, tau=3, max_pairs=200_000, seed=1)  # sampled quantile
    assert r.RR == pytest.approx(0.03, rel=0.04)


def test_windowed_rqa_tracks_change_and_matches_rqa():
    rng = np.random.default_rng(2)
    x = np.concatenate([np.sin(np.arange(600) * 2 * np.pi / 40), rng.normal(size=600)])
    wr = windowed_rqa(x, window=300, step=150, eps=0.3, dim=2, tau=10)
    det = wr.measures["DET"]
    assert det[0] > 0.9 and det[-1] < 0.5
    pts = np.column_stack([x[:-10], x[10:]])
    k = 3
    ref = rqa(pts[wr.start[k] : wr.start[k] + 300], 0.3)
    for m in MEASURES:
        assert wr.measures[m][k] == ref[m] or (math.isnan(ref[m]) and math.isnan(wr.measures[m][k]))
    wm = windowed_rqa(recurrence_matrix(x, 0.3, dim=2, tau=10), window=300, step=150)
    np.testing.assert_array_equal(wm.measures["LAM"], wr.measures["LAM"])
    wt = windowed_rqa(x, window=300, step=150, eps=0.3, dim=2, tau=10, workers=2)
    np.testing.assert_array_equal(wt.measures["DET"], det)
    ds = wr.to_xarray()
    assert ds["DET"].dims == ("time",) and ds.sizes["time"] == wr.start.size


def test_result_object():
    r = rqa(_walk(300, 1), 1.0)
    d = r.to_dict()
    assert set(d) == set(MEASURES) and r["DET"] == d["DET"]
    ds = r.to_xarray()
    assert float(ds["LAM"]) == r.LAM and ds["diagonal_histogram"].dims == ("diagonal_length",)
    fig = r.plot()
    assert fig is not None
    with pytest.raises(KeyError, match="unknown RQA measure"):
        r["XYZ"]


def test_sparse_and_dense_matrix_inputs_agree():
    rm = recurrence_matrix(_walk(200, 2), 1.0)
    _same(rqa(rm), rqa(sparse.coo_matrix(rm.matrix)))
    _same(rqa(rm), rqa(rm.toarray()))


# ------------------------------------------------------------------------------ pyunicorn
def test_agreement_with_pyunicorn():
    """Same recurrence matrix in both; compare where the definitions coincide (see rqa docstring)."""
    pu = pytest.importorskip("pyunicorn.timeseries")
    x = _walk(700, 21)
    rm = recurrence_matrix(x, 1.3, dim=3, tau=2)
    R = rm.toarray()
    rp = pu.RecurrencePlot(rm.points[0], metric="supremum", threshold=1.3, silence_level=10)
    # pyunicorn computes d < eps in float32: its own matrix may differ in a few borderline cells
    assert np.mean(rp.R != R) < 1e-3
    rp.R = R.astype(np.int8)  # the same matrix in both
    whole = rqa(rm, theiler=0)  # pyunicorn: RR and vertical/white lines over the whole matrix
    nolo = rqa(rm, theiler=1)  # pyunicorn: diagonal lines without the LOI
    assert whole.RR == pytest.approx(rp.recurrence_rate(), rel=1e-12)
    dl = rp.diagline_dist()
    np.testing.assert_array_equal(dl[: nolo.diagonal.size - 1], nolo.diagonal[1:])
    assert not dl[nolo.diagonal.size - 1 :].any()
    assert nolo.DET == pytest.approx(rp.determinism(2), rel=1e-6)
    assert nolo.L == pytest.approx(rp.average_diaglength(2), rel=1e-6)
    assert nolo.Lmax == rp.max_diaglength()
    assert nolo.ENTR == pytest.approx(rp.diag_entropy(2), rel=1e-6)
    vl = rp.vertline_dist()
    np.testing.assert_array_equal(vl[: whole.vertical.size - 1], whole.vertical[1:])
    assert whole.LAM == pytest.approx(rp.laminarity(2), rel=1e-6)
    assert whole.TT == pytest.approx(rp.trapping_time(2), rel=1e-6)
    assert whole.Vmax == rp.max_vertlength()
    assert whole.VENTR == pytest.approx(rp.vert_entropy(2), rel=1e-6)
    # white vertical lines: pyunicorn also counts the runs at the top and bottom border of each column
    wl = rp.white_vertline_dist().astype(np.int64)
    n = R.shape[0]
    for j in range(n):
        rows = np.flatnonzero(R[:, j])
        if rows[0] > 0:
            wl[rows[0] - 1] -= 1
        if rows[-1] < n - 1:
            wl[n - 1 - rows[-1] - 1] -= 1
    np.testing.assert_array_equal(wl[: whole.recurrence_times.size - 1], whole.recurrence_times[1:])
    assert not wl[whole.recurrence_times.size - 1 :].any()


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(x=[1.0, np.nan, 2.0, 3.0, 4.0], eps=1.0), ValueError, "NaN or inf"),
        (dict(x=[1.0, np.inf, 2.0, 3.0, 4.0], eps=1.0), ValueError, "NaN or inf"),
        (dict(x=np.ones(50), eps=1.0), ValueError, "constant"),
        (dict(x=np.ones(50), eps=1.0, dim=3), ValueError, "constant"),
        (dict(x=np.arange(10.0), eps=1.0, dim=4, tau=3), ValueError, "too short|at least"),
        (dict(x=np.arange(10.0), eps=0.0), ValueError, "eps"),
        (dict(x=np.arange(10.0), eps=-1.0), ValueError, "eps"),
        (dict(x=np.arange(10.0), recurrence_rate=1.0), ValueError, "between 0 and 1"),
        (dict(x=np.arange(10.0), recurrence_rate=0.0), ValueError, "between 0 and 1"),
        (dict(x=np.arange(10.0)), ValueError, "exactly one"),
        (dict(x=np.arange(10.0), eps=1.0, recurrence_rate=0.1), ValueError, "exactly one"),
        (dict(x=np.zeros((4, 5, 2)), eps=1.0), ValueError, "shape"),
        (dict(x=np.arange(10.0), eps=1.0, norm="cosine"), ValueError, "unknown norm"),
        (dict(x=np.arange(10.0), eps=1.0, lmin=0), ValueError, "lmin"),
        (dict(x=np.arange(10.0), eps=1.0, theiler=-1), ValueError, "theiler"),
        (dict(x=np.arange(10.0), eps=1.0, theiler=10), ValueError, "excludes every cell"),
        (dict(x=np.arange(10.0), eps=1.0, method="gpu"), ValueError, "unknown method"),
        (dict(x="abc", eps=1.0), TypeError, "numeric"),
    ],
)
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        rqa(**kwargs)


def test_bad_input_other_entry_points():
    x = _walk(50, 0)
    with pytest.raises(ValueError, match="same space"):
        cross_rqa(x, np.column_stack([x, x]), 1.0)
    with pytest.raises(ValueError, match="equally long"):
        joint_rqa(x, x[:40], 1.0)
    with pytest.raises(ValueError, match="recurrence matrix"):
        rqa(R6, eps=1.0)
    with pytest.raises(ValueError, match="window"):
        windowed_rqa(x, window=80, step=5, eps=1.0)
    with pytest.raises(ValueError, match="step"):
        windowed_rqa(x, window=20, step=0, eps=1.0)
