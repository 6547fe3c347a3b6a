"""The report figures, checked through what they draw: the data of lines, collections and images, the axis
labels and the legend entries (issue 15), not only that a file appears."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

import dynstab
from dynstab import plotting
from dynstab.analysis.basins import DIVERGED, UNDETERMINED, Basins
from dynstab.analysis.fixed_points import FixedPoint
from dynstab.analysis.lyapunov import LyapunovSpectrum
from dynstab.analysis.orbit_diagram import OrbitDiagram, PeriodChange
from dynstab.simulate import Trajectory


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None, "no legend"
    return [t.get_text() for t in legend.get_texts()]


def no_clipped_text(fig) -> None:
    """Every title and label lies inside the figure once drawn (constrained layout, wrapped titles)."""
    fig.canvas.draw()
    box = fig.bbox
    renderer = fig.canvas.get_renderer()
    texts = [fig._suptitle] if fig._suptitle is not None else []
    for ax in fig.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
    for text in texts:
        if text.get_text():
            ext = text.get_window_extent(renderer)
            assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1 and ext.y1 <= box.y1 + 1, text.get_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rössler [c = 5.7] λ", "Rossler_c_5.7"),
        ("duffing stroboscopic map (T = 2 pi/omega)", "duffing_stroboscopic_map_T_2_pi_omega"),
        ("lorenz", "lorenz"),
        ("λ", "figure"),
        ("x (mV), channel #2", "x_mV_channel_2"),
    ],
)
def test_safe_name(text, expected):
    assert plotting.safe_name(text) == expected


def test_delay_equation_is_drawn_as_its_delay_portrait_not_the_diagonal():
    mg = dynstab.systems.get("mackey_glass")  # tau = 17
    t = np.arange(0.0, 200.0, 0.1)
    x = np.sin(0.2 * t)[:, None]  # a shift of 17 is 3.4 rad
    fig = plotting.plot_attractor(Trajectory(t, x, mg, "rk4"))
    (ax,) = fig.axes
    (line,) = ax.get_lines()
    lag = 170  # tau / sampling step
    np.testing.assert_array_equal(line.get_xdata(), x[lag:, 0])
    np.testing.assert_array_equal(line.get_ydata(), x[:-lag, 0])  # x(t - tau) against x(t)
    assert ax.get_xlabel() == "x(t)" and ax.get_ylabel() == "x(t - 17)"
    # x(t + dt) against x(t) would lie on the diagonal; x(t - tau) does not
    assert np.max(np.abs(line.get_xdata() - line.get_ydata())) > 1.0
    no_clipped_text(fig)


def test_fixed_points_have_a_legend_entry_per_type():
    lorenz = dynstab.systems.get("lorenz")
    t = np.linspace(0, 10, 200)
    x = np.column_stack([np.sin(t), np.cos(t), 20 + np.sin(2 * t)])
    c = np.sqrt(8 / 3 * 27)
    fps = [
        FixedPoint(np.array([0.0, 0.0, 0.0]), np.array([11.8, -2.67, -22.8]), "saddle", False, 0.0),
        FixedPoint(np.array([c, c, 27.0]), np.array([0.09 + 10.2j, 0.09 - 10.2j, -13.9]), "saddle-focus", False, 0.0),
        FixedPoint(np.array([-c, -c, 27.0]), np.array([0.09 + 10.2j, 0.09 - 10.2j, -13.9]), "saddle-focus", False, 0.0),
    ]
    fig = plotting.plot_attractor(Trajectory(t, x, lorenz, "rk4"), fps)
    ax_xy, ax_xz = fig.axes
    assert legend_texts(ax_xy) == ["saddle (unstable)", "saddle-focus (unstable, 2)"]
    markers = {ln.get_label(): ln for ln in ax_xz.get_lines()[1:]}
    np.testing.assert_allclose(markers["saddle-focus (unstable, 2)"].get_xdata(), [c, -c])
    np.testing.assert_allclose(markers["saddle-focus (unstable, 2)"].get_ydata(), [27.0, 27.0])
    assert "trajectory" in fig._suptitle.get_text()
    no_clipped_text(fig)


def test_one_dimensional_map_return_plot_with_its_fixed_points_on_the_diagonal():
    logistic = dynstab.systems.get("logistic")
    x = np.empty(500)
    x[0] = 0.2
    for n in range(499):
        x[n + 1] = 4 * x[n] * (1 - x[n])
    fps = [
        FixedPoint(np.array([0.0]), np.array([4.0]), "unstable node", False, 0.0),
        FixedPoint(np.array([0.75]), np.array([-2.0]), "unstable node", False, 0.0),
    ]
    fig = plotting.plot_attractor(Trajectory(np.arange(500.0), x[:, None], logistic, "iterate"), fps)
    (ax,) = fig.axes
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_array_equal(offsets[:, 0], x[:-1])
    np.testing.assert_array_equal(offsets[:, 1], x[1:])
    points = next(ln for ln in ax.get_lines() if ln.get_label().startswith("unstable node"))
    np.testing.assert_array_equal(points.get_xdata(), points.get_ydata())  # x* = f(x*)
    assert ax.get_xlabel() == "x[n]" and ax.get_ylabel() == "x[n+1]"
    assert "unstable node (2)" in legend_texts(ax)


@pytest.mark.parametrize(("kind_name", "label"), [("lorenz", "time (time units)"), ("henon", "iterations")])
def test_convergence_axis_has_its_unit(kind_name, label):
    system = dynstab.systems.get(kind_name)
    times = np.arange(1.0, 101.0)
    logs = np.full((2, 100, 2), 0.1)
    logs[..., 1] = -0.5
    per_ic = logs.sum(axis=1) / 100.0
    spec = LyapunovSpectrum(per_ic.mean(axis=0), per_ic.std(axis=0), per_ic, times, logs, system, {"n_ics": 2})
    fig = plotting.plot_convergence(spec)
    (ax,) = fig.axes
    assert ax.get_xlabel() == label
    assert legend_texts(ax) == ["$\\lambda_1$ = 0.1", "$\\lambda_2$ = -0.5"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), 0.1)  # running estimate of lambda_1
    no_clipped_text(fig)


def make_basins(labels: np.ndarray) -> Basins:
    grid = (np.linspace(-1, 1, labels.shape[0]), np.linspace(-1, 1, labels.shape[1]))
    values, counts = np.unique(labels, return_counts=True)
    fractions = {int(v): c / labels.size for v, c in zip(values, counts)}
    attractors = {0: np.array([[-0.5, 0.0], [-0.4, 0.1]]), 1: np.array([[0.5, 0.0]])}
    return Basins(labels, grid, (0, 1), attractors, fractions, np.zeros_like(labels), "toy", ("x", "y"))


def test_basins_legend_names_every_colour_diverged_included():
    labels = np.zeros((20, 20), dtype=int)
    labels[10:, :] = 1
    labels[:3, :3] = DIVERGED
    labels[-2:, -2:] = UNDETERMINED
    b = make_basins(labels)
    fig = plotting.plot_basins(b)
    ax = fig.axes[0]
    texts = legend_texts(ax)
    assert texts == [
        "undetermined (0.010)",
        "diverged (0.022)",
        "basin of attractor 0 (0.477)",
        "basin of attractor 1 (0.490)",
        "attractor points",
    ]
    img = ax.images[0]
    rgba = img.to_rgba(img.get_array())  # the colours drawn, (y, x) after the transpose
    patches = ax.get_legend().get_patches()
    for patch, (i, j) in zip(patches, [(-1, -1), (0, 0), (5, 5), (15, 15)]):
        np.testing.assert_allclose(patch.get_facecolor(), rgba[j, i], atol=1e-6)
    assert to_rgba(patches[1].get_facecolor()) == to_rgba("black")
    no_clipped_text(fig)


def test_orbit_diagram_marks_the_located_doublings():
    r = np.linspace(2.8, 3.6, 50)
    points = np.tile(np.linspace(0.3, 0.8, 4), (50, 1))
    od = OrbitDiagram(r, points, np.zeros(50, bool), np.full(50, -1), "r", 0, "logistic", ("x",))
    r1, r2, r3, r4 = 3.0, 1 + np.sqrt(6.0), 3.5440903596, 3.5644072661  # Feigenbaum's cascade
    changes = [
        PeriodChange(r1, r1, r1, 1, 2),
        PeriodChange(r2, r2, r2, 2, 4),
        PeriodChange(r3, r3, r3, 4, 8),
        PeriodChange(r4, r4, r4, 8, 16),
        PeriodChange(3.58, 3.58, 3.58, 0, 32),  # not a doubling: not marked
    ]
    fig = plotting.plot_orbit_diagram(od, changes)
    (ax,) = fig.axes
    lines = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    np.testing.assert_allclose([ln.get_xdata()[0] for ln in lines], [r1, r2, r3, r4])
    assert legend_texts(ax) == ["period doubling"]
    assert [t.get_text() for t in ax.texts] == ["1→2", "2→4", "4→8"]  # 8->16 is too close to 4->8 to label
    assert "4 period doublings located" in ax.get_title()
    no_clipped_text(fig)


def test_return_map_coordinate_flags_a_flat_section():
    rng = np.random.default_rng(0)
    y = rng.uniform(-10.5, -3.0, 300)
    flat = np.column_stack([y, 0.029 + 0.004 * rng.uniform(size=300)])  # the Rossler section at x = 0
    assert plotting.return_map_coordinate(flat) == 0
    assert plotting.return_map_coordinate(flat[:, ::-1]) == 1
    assert plotting.return_map_coordinate(np.column_stack([y, y**2])) is None
    assert plotting.return_map_coordinate(y[:, None]) == 0


@pytest.mark.slow
def test_rossler_period_three_is_drawn_on_the_return_map_of_y():
    from dynstab.analysis.periodic_orbits import periodic_orbits
    from dynstab.systems import poincare_section
    from dynstab.systems.derived import PoincareMap

    rossler = dynstab.systems.get("rossler")
    pmap = PoincareMap(rossler, ("x", 0.0))
    background = dynstab.trajectory(pmap, n=1000, transient=100).x
    res = periodic_orbits(pmap, 3, n_seeds=300, seed=0)
    assert len(res) >= 1
    fig = plotting.plot_periodic_orbits(res, background)
    (ax,) = fig.axes
    assert ax.get_xlabel() == "y[n]" and ax.get_ylabel() == "y[n+1]"
    np.testing.assert_array_equal(ax.collections[0].get_offsets()[:, 0], background[:-1, 0])
    orbit_lines = [ln for ln in ax.get_lines() if ln.get_label().startswith("orbit ")]
    assert len(orbit_lines) == len(res)
    for ln, orbit in zip(orbit_lines, res.orbits):
        y = orbit.points[:, 0]
        np.testing.assert_allclose(ln.get_ydata(), np.roll(y, -1))  # (y_k, y_{k+1}), closed
    assert set(legend_texts(ax)) >= {"orbit 1: saddle (unstable)", "orbit of the map"}
    section = poincare_section(rossler, ("x", 0.0), n=300)
    fig = plotting.plot_section(section)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "y[n]"
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], section.section[1:, 0])


@pytest.mark.slow
def test_basins_of_forced_duffing_through_its_stroboscopic_map(tmp_path):
    """Two wells, two period-T responses (weak forcing, gamma = 0.1): two colours, attractors of a few points."""
    from typer.testing import CliRunner

    from dynstab.cli import app

    args = ["basins", "duffing", "--x", "-1.8", "1.8", "24", "--y", "-1.2", "1.2", "24", "--param", "gamma=0.1"]
    res = CliRunner().invoke(app, [*args, "--json", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["map"].startswith("x(t0 + n T) -> x(t0 + (n+1) T) of duffing")
    assert out["n_attractors"] == 2
    assert all(f > 0.3 for f in out["fractions"].values())
    for a in out["attractors"].values():
        assert max(a["extent"]) < 1e-6  # a T-periodic response is one point of the map, not a cloud
    assert sorted(a["centroid"][0] > 0 for a in out["attractors"].values()) == [False, True]  # one per well
    assert [p.name for p in tmp_path.iterdir()] == ["duffing_basins.png"]


def test_gallery_page_shows_each_example_with_its_current_code_and_figures():
    """docs/gallery.md is made from examples/ by scripts/make_gallery.py: it must show today's code."""
    import importlib.util
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_gallery", root / "scripts" / "make_gallery.py")
    assert spec is not None and spec.loader is not None
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)
    examples = gallery.gallery_examples()
    assert {p.stem for p in examples} >= {
        "lorenz_report",
        "mackey_glass_delay",
        "logistic_doublings",
        "duffing_basins",
        "rossler_return_map",
    }
    page = (root / "docs" / "gallery.md").read_text(encoding="utf-8")
    for path in examples:
        _, lines = gallery.example_section(path)
        assert "\n".join(lines) in page, f"{path.name} changed: rerun scripts/make_gallery.py"
        assert f"](gallery/{path.stem}-" in page, f"no figure of {path.name}"
    for title, args, _, caption in gallery._entries(quick=False):  # the commands' sections: today's commands
        assert f"### {title}\n\n```bash\ndynstab {' '.join(args)}\n```\n\n{caption}\n" in page, title
        assert "--param r " not in " ".join(args), "bifurcation sweeps with --sweep"
    for image in re.findall(r'(?:\]\(|src=")([^)"]+\.png)', page):
        assert (root / "docs" / image).is_file(), image


def test_series_panel_time_axis_says_samples_when_dt_was_assumed():
    from dynstab.timeseries.report import SeriesReport

    x = np.sin(0.1 * np.arange(800.0))
    rep = SeriesReport(name="x (mV)", x=x, dt=0.5, tau=16)
    ((stem, fig),) = plotting.series_figures(rep, "samples")
    assert stem == "x_mV_report"
    series, portrait = fig.axes[0], fig.axes[1]
    assert series.get_xlabel() == "time (samples)"
    np.testing.assert_allclose(series.get_lines()[0].get_xdata(), 0.5 * np.arange(800))
    np.testing.assert_array_equal(portrait.get_lines()[0].get_ydata(), x[16:])
    assert plotting.plot_series_report(rep).axes[0].get_xlabel() == "time (time units)"
