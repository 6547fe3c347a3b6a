"""The layering that docs/architecture.md describes, checked on the source (no import of dynstab needed).

* The numerics of evolution (simulate/evolution, steppers, tableaus, sde, adaptive) import nothing
  else from dynstab but the float64 scope and the argument checks (validation); systems build on them; simulate never imports analysis,
  timeseries or learn; analysis never imports learn.
* No algorithm in analysis/ or simulate/ checks a concrete system class: they ask the protocol
  (``system.evolution()``, ``continuous_time``, ``stochastic``, ``finite_dimensional``, ``check_system``).
* No module imports a private name (``_x``) from another module.
"""

import ast
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "dynstab"
CONCRETE = {"Flow", "Map", "SDE", "DelayFlow", "PoincareMap", "StroboscopicMap", "ProjectedSystem"}
NUMERICS = {"evolution", "steppers", "tableaus", "sde", "adaptive"}
INTERNALS = {"_config", "_precision", "_version"}  # the package root's own settings modules


def _module(path: pathlib.Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: pathlib.Path):
    """(line, imported module, imported names) of every import, lazy ones included."""
    mod = _module(path)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield node.lineno, target, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name, []


def _files(*parts):
    return sorted((SRC.joinpath(*parts)).rglob("*.py"))


def _targets(path):
    for line, target, names in _imports(path):
        yield line, target
        for name in names:  # "from ..simulate import trajectory" imports a submodule or a name
            yield line, f"{target}.{name}"


@pytest.mark.parametrize("path", [SRC / "simulate" / f"{m}.py" for m in sorted(NUMERICS)], ids=sorted(NUMERICS))
def test_evolution_numerics_depend_on_nothing_above_them(path):
    for line, target in _targets(path):
        if target.startswith("dynstab.") and not target.startswith(
            ("dynstab.simulate.", "dynstab._precision", "dynstab.validation")
        ):
            pytest.fail(f"{path.name}:{line} imports {target}")
        if target.startswith("dynstab.simulate.") and target.split(".")[2] not in NUMERICS:
            pytest.fail(f"{path.name}:{line} imports {target}")


@pytest.mark.parametrize(
    "package, forbidden",
    [
        ("simulate", ("dynstab.analysis", "dynstab.timeseries", "dynstab.learn", "dynstab.report", "dynstab.cli")),
        ("systems", ("dynstab.analysis", "dynstab.timeseries", "dynstab.learn", "dynstab.report", "dynstab.cli")),
        ("analysis", ("dynstab.learn", "dynstab.report", "dynstab.cli")),
        ("timeseries", ("dynstab.learn", "dynstab.analysis", "dynstab.report", "dynstab.cli")),
    ],
)
def test_import_layering(package, forbidden):
    bad = [
        f"{p.relative_to(SRC)}:{line} imports {t}"
        for p in _files(package)
        for line, t in _targets(p)
        if t.startswith(forbidden)
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("package", ["analysis", "simulate"])
def test_no_algorithm_checks_a_concrete_system_class(package):
    bad = []
    for path in _files(package):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("isinstance", "issubclass"):
                classes = node.args[1]
                names = {
                    getattr(e, "id", getattr(e, "attr", None))
                    for e in (classes.elts if isinstance(classes, ast.Tuple) else [classes])
                }
                if names & CONCRETE:
                    bad.append(f"{path.relative_to(SRC)}:{node.lineno} isinstance(..., {sorted(names & CONCRETE)})")
    assert not bad, "\n".join(bad)


def test_no_private_names_imported_across_modules():
    bad = []
    for path in _files():
        for line, target, names in _imports(path):
            if not target.startswith("dynstab"):
                continue
            bad += [
                f"{path.relative_to(SRC)}:{line} imports {n} from {target}"
                for n in names
                if n.startswith("_") and not n.startswith("__") and n not in INTERNALS
            ]
            if any(
                part.startswith("_") and part not in ("__init__",) for part in target.split(".")[1:]
            ) and not target.startswith(("dynstab._precision", "dynstab._config", "dynstab._version", "dynstab._lazy")):
                bad.append(f"{path.relative_to(SRC)}:{line} imports the private module {target}")
    assert not bad, "\n".join(bad)
