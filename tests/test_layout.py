"""The package's shape: dependencies run one way, no cycles, no hidden imports, short modules.

The layers, from the leaves up; a module may import from its own layer and the ones before it:

    core -> data, plotting -> models -> engine -> training -> evaluation -> exercises, course, cli
"""

import ast
from pathlib import Path

import pytest

from conftest import REPOSITORY

PACKAGE = REPOSITORY / "ganlib"
LAYERS = [{"core"}, {"data", "plotting"}, {"models"}, {"engine"}, {"training"}, {"evaluation"},
          {"exercises", "course", "cli", "__init__", "__main__"}]
# Optional or heavy dependencies a function may import when it needs them, and nothing else;
# ganlib/__init__ imports TensorFlow inside a function that silences its start-up noise.
DEFERRED_OK = {"IPython", "nbformat", "nbconvert", "papermill"}
DEFERRED_HERE = {("ganlib", "tensorflow")}
MAX_LINES = 320


def modules():
    return sorted(path for path in PACKAGE.rglob("*.py"))


def name_of(path):
    parts = path.relative_to(REPOSITORY).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module):
    top = module.split(".")[1] if "." in module else "__init__"
    for index, members in enumerate(LAYERS):
        if top in members:
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def ganlib_imports(tree, module):
    """(imported module, line, inside a function) for every import of ganlib in `tree`."""
    found = []
    functions = {node for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    inside = {child for function in functions for child in ast.walk(function)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # Relative imports are not used, but read them right anyway.
                base = ".".join(module.split(".")[:-node.level] + ([base] if base else []))
            # `from ganlib import plotting` imports the module ganlib.plotting, not the package.
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            found.append((name, node.lineno, node in inside))
    return found


def graph():
    """module -> the ganlib modules (that exist) it imports, and the deferred imports."""
    known = {name_of(path) for path in modules()}
    edges, deferred = {}, []
    for path in modules():
        module = name_of(path)
        edges[module] = set()
        imports = ganlib_imports(ast.parse(path.read_text()), module)
        found_modules = {name for name, _, _ in imports if name in known}
        for name, line, in_function in imports:
            target = name if name in known else None
            if target and any(other.startswith(target + ".") for other in found_modules):
                target = None  # The package named in `from package import module`.
            if in_function and (module, name) not in DEFERRED_HERE and not any(
                    name == ok or name.startswith(ok + ".") for ok in DEFERRED_OK):
                deferred.append(f"{module}:{line} imports {name} inside a function")
            if target and target != module:
                edges[module].add(target)
    return edges, deferred


def test_every_module_sits_in_a_layer_and_imports_only_below_or_beside_it():
    edges, _ = graph()
    wrong = [f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})"
             for module, targets in edges.items() for target in targets
             if layer_of(target) > layer_of(module)]
    assert wrong == []


def test_no_import_cycles():
    edges, _ = graph()
    state, cycles = {}, []

    def visit(module, path):
        state[module] = "open"
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    # A package's __init__ re-exporting its own modules is not a cycle of concepts.
    real = [cycle for cycle in cycles
            if not all(part.startswith(cycle.split(" -> ")[0].rsplit(".", 1)[0])
                       for part in cycle.split(" -> "))]
    assert real == []


def test_no_imports_inside_functions_but_optional_dependencies():
    _, deferred = graph()
    assert deferred == []


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_each_module_reads_in_one_sitting(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: split it by concept"
    assert ast.get_docstring(ast.parse(path.read_text())) or path.name == "__main__.py", \
        f"{path.name} has no module docstring"


def test_the_layout_test_notices_a_violation(tmp_path):
    """The checks above can fail: an upward import and a function-local one are both found."""
    tree = ast.parse("from ganlib.cli import main\n\ndef f():\n    import ganlib.data\n")
    found = ganlib_imports(tree, "ganlib.core.pixels")
    assert ("ganlib.cli", 1, False) in found and ("ganlib.data", 4, True) in found
    assert layer_of("ganlib.cli") > layer_of("ganlib.core.pixels")
