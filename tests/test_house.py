"""House rules that a machine can check: ruff clean, no import cycles between modules or packages, layers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent  # tests/ -> the checkout
PACKAGES = ("allocator", "network", "ui", "medstaff_core")
#: The lower layer: imports none of the packages above it.
LOWER_LAYER = "medstaff_core"


def test_ruff_is_clean():
    # the rules are pyproject.toml's [tool.ruff]
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-1000:]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str, everywhere: bool = False) -> set[str]:
    """Modules that ``path`` imports at its top level, or anywhere (inside functions too) with ``everywhere``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in (ast.walk(tree) if everywhere else tree.body):  # top level: late imports are deliberate
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{alias.name}" for alias in node.names}
    return out


def test_no_import_cycles():
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts]
    modules = {_module(p): p for p in files}
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in _imports(path, name):
            if target in modules and target != name and not name.startswith(target + "."):
                graph.add_edge(name, target)
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], cycles[:5]


def _package_graph() -> nx.DiGraph:
    """Packages (allocator, allocator.indicators, network, ...) and who imports whom, late imports included."""
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts]
    graph = nx.DiGraph()
    for path in files:
        module = _module(path)
        source = module if path.name == "__init__.py" else module.rpartition(".")[0]
        graph.add_node(source)
        for target in _imports(path, module, everywhere=True):
            top = target.split(".")[0]
            if top in PACKAGES and top != source.split(".")[0]:
                graph.add_edge(source.split(".")[0], top)
    return graph


def test_no_import_cycles_between_packages_counting_late_imports():
    # allocator -> network -> allocator is a cycle even when one of the imports is inside a function
    cycles = list(nx.simple_cycles(_package_graph()))
    assert cycles == [], cycles


def test_the_lower_layer_imports_no_package_above_it():
    above = set(PACKAGES) - {LOWER_LAYER}
    found = {(str(p.relative_to(ROOT)), t) for p in (ROOT / LOWER_LAYER).rglob("*.py")
             for t in _imports(p, _module(p), everywhere=True) if t.split(".")[0] in above}
    assert found == set()
    assert (ROOT / LOWER_LAYER / "__init__.py").exists()


def test_the_package_graph_sees_late_imports():
    # the check above must be able to fail: a late import inside a function is an edge
    scenario = ROOT / "allocator" / "scenario.py"  # imports the indicators inside a function
    assert "allocator.indicators.for_round" in _imports(scenario, "allocator.scenario", everywhere=True)
    assert "allocator.indicators.for_round" not in _imports(scenario, "allocator.scenario")
    assert ("network", "medstaff_core") in _package_graph().edges
    assert ("allocator", "network") in _package_graph().edges


def test_public_definitions_have_docstrings():
    # issue 12 item 10: public functions, classes and methods (nested ones too) carry a docstring
    have, missing = 0, []
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for path in sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, kinds) and not node.name.startswith("_"):
                if ast.get_docstring(node):
                    have += 1
                else:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    total = have + len(missing)
    assert total and have / total >= 0.90, f"{have}/{total} public definitions have a docstring; missing:\n" + \
        "\n".join(missing)
