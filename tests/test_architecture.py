"""The package's shape, checked: one-way layers, no cycles, small modules, private stays private.

The layer order itself is the import-linter contract in ``pyproject.toml`` (``make lint``);
these tests add what a layers contract cannot say. docs/architecture.md explains the rules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ldn_analysis"
MAX_LINES = 450
MAX_LOCAL_IMPORTS = 5  # each must carry a "# local import:" comment saying why


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _package_of(module: str) -> str:
    """Return the subpackage a module belongs to (``ldn_analysis.stats``...)."""
    parts = module.split(".")
    return ".".join(parts[:2])


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    is_pkg = MODULES[module].name == "__init__.py"
    base = base[: len(base) - node.level + (1 if is_pkg else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str):
    """Yield (target module, imported names, node, top-level?) for our own imports."""
    tree = ast.parse(MODULES[module].read_text("utf-8"))
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if target.startswith("ldn_analysis"):
                names = [a.name for a in node.names]
                for name in names:  # "from pkg import module" imports the module
                    if f"{target}.{name}" in MODULES:
                        yield f"{target}.{name}", [], node, id(node) in top
                yield target, names, node, id(node) in top
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("ldn_analysis"):
                    yield a.name, [], node, id(node) in top


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _, _, top in _imports(module):
            if top and target in MODULES and target != module:
                graph[module].add(target)
    return graph


def test_no_import_cycle():
    graph = _graph()
    index, low, stack, on, cycles = {}, {}, [], set(), []

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_function_local_imports_are_few_and_declared():
    local = []
    for module, path in MODULES.items():
        lines = path.read_text("utf-8").splitlines()
        for target, _, node, top in _imports(module):
            if not top and target != module:
                line = " ".join(lines[max(0, node.lineno - 4) : node.lineno])
                local.append((module, node.lineno, target, "# local import:" in line))
    local = sorted({(m, line, declared) for m, line, _, declared in local})  # one per statement
    assert len(local) <= MAX_LOCAL_IMPORTS, f"{len(local)} function-local imports: {local}"
    assert all(declared for *_, declared in local), f"undeclared local imports: {local}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_small(module):
    n = len(MODULES[module].read_text("utf-8").splitlines())
    assert n <= MAX_LINES, f"{module} has {n} lines (at most {MAX_LINES}): split it by topic"


def test_private_names_stay_in_their_package():
    leaks = []
    for module in MODULES:
        for target, names, node, _ in _imports(module):
            if _package_of(target) == _package_of(module):
                continue
            private = [n for n in names if n.startswith("_")]
            private += [p for p in target.split(".") if p.startswith("_") and p != "__init__"]
            if private:
                leaks.append(f"{module}:{node.lineno} imports {private} from {target}")
    assert not leaks, "\n".join(leaks)


def test_layers_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]


def test_architecture_doc_lists_every_module():
    sys.path.insert(0, str(ROOT / "tools"))
    import architecture_doc

    assert architecture_doc.tree() in (ROOT / "docs" / "architecture.md").read_text("utf-8"), (
        "docs/architecture.md is stale: run tools/architecture_doc.py"
    )
