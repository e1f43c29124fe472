"""Notebook parameters: the cell tagged `parameters`, read and checked before anything runs.

Each notebook has one cell tagged `parameters` with ALL_CAPS defaults that papermill can
override. `check_parameters` keeps the values a notebook knows and refuses one of the wrong
type (judged by its default's type) with a message that shows a valid value.
"""

import ast


def parse_parameter(text):
    """Turn a command-line value into a Python value: 3 -> int, 2e-4 -> float, [0, 3] -> list."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # Anything that is not a Python literal is a string.


def _default_value(node):
    """A parameter's default from its expression: a literal, or the `else` value of
    `A if QUICK else B` (whose two values share a type); None (any type goes) otherwise."""
    if isinstance(node, ast.IfExp):
        values = [_default_value(node.body), _default_value(node.orelse)]
        if None not in values and type(values[0]) is type(values[1]):
            return values[1]
        return None
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None  # An expression such as os.environ.get(...): any type goes.


def notebook_parameters(path):
    """The defaults in a notebook's `parameters` cell, as a dict of name -> value."""
    import nbformat  # The course's extras; `ganlib train` runs without them.

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            values = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                        and isinstance(node.targets[0], ast.Name):
                    values[node.targets[0].id] = _default_value(node.value)
            return values
    raise ValueError(f"{path} has no cell tagged 'parameters': tag one so papermill can set it.")


def check_parameters(path, parameters):
    """Keep the parameters a notebook knows, checking each against its default's type."""
    defaults = notebook_parameters(path)
    accepted = {}
    for name, value in parameters.items():
        if name not in defaults:
            continue  # Another notebook's parameter: every notebook gets the same -p list.
        default = defaults[name]
        if default is None or value is None or isinstance(value, type(default)) \
                or (isinstance(default, float) and isinstance(value, int)):
            accepted[name] = value
        else:
            raise ValueError(
                f"Parameter {name}={value!r} is of type {type(value).__name__}, but {path.name} "
                f"expects {type(default).__name__} like its default {default!r}: pass e.g. "
                f"-p {name} {default!r}."
            )
    return accepted
