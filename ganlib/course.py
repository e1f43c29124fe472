"""Run the course's notebooks headless, and keep the committed ones tidy.

- `run_course(out_dir, parameters)`: execute every notebook in `notebooks/` with papermill into
  `out_dir` (the committed notebooks are not touched), convert each to HTML, and write
  `out_dir/index.html`: one row per notebook with its run time and its final figure. This is
  `make course` and `ganlib course`.
- `regenerate(paths)`: execute notebooks in place with their default parameters and normalise
  them. This is `make notebooks`, the only way committed outputs are produced.
- `normalise(path)`: drop what changes on every run without meaning anything (papermill's
  timings, execution timestamps), so a diff of a notebook shows only what changed in it.

Notebook parameters: each notebook has one cell tagged `parameters` (ALL_CAPS names). Values
given here replace them; a value of the wrong type is refused before anything runs.
"""

import ast
import html
import json
import os
import time
from pathlib import Path

REPOSITORY = "gan-course/gan-course"  # GitHub owner/name that the Colab badges point at.
BRANCH = "main"
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL = "python3"
RUNNING_SUFFIX = ".running.ipynb"  # Where `regenerate` writes while a notebook runs.


def colab_url(relative_path):
    """The Colab address of a notebook in the repository, e.g. for 'notebooks/01_data.ipynb'."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{relative_path}"


def find_notebooks(folder=NOTEBOOK_DIR):
    """The course notebooks, in course order (their names start with a two-digit number)."""
    return sorted(path for path in Path(folder).glob("[0-9][0-9]_*.ipynb")
                  if not path.name.endswith(RUNNING_SUFFIX))


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
    import nbformat

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


def normalise(path):
    """Rewrite a notebook without run-specific metadata, keeping its outputs."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("papermill", None)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for output in cell.outputs:
                output.get("metadata", {}).pop("execution", None)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                       "name": KERNEL}
    nbformat.write(notebook, path)


def execute(path, output_path, parameters=None, cwd=None):
    """Run one notebook with papermill; return the seconds it took."""
    import papermill

    started = time.monotonic()
    papermill.execute_notebook(str(path), str(output_path), parameters=parameters or {},
                               kernel_name=KERNEL, cwd=str(cwd or Path(path).parent),
                               progress_bar=False, log_output=False)
    return time.monotonic() - started


def regenerate(paths=None):
    """Execute notebooks in place with default parameters, then normalise them.

    They run in a new empty working folder, so files left by an earlier run (a training folder
    that would be resumed, say) never change what the committed outputs show.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gan-course-") as workdir:
        for path in paths or find_notebooks():
            path = Path(path).resolve()
            # A failed run leaves its output here, error and all, for you to read.
            temporary = path.with_name(path.stem + RUNNING_SUFFIX)
            seconds = execute(path, temporary, cwd=workdir)
            os.replace(temporary, path)
            normalise(path)
            print(f"{path.name}: {seconds:.0f} s", flush=True)


def _final_figure(notebook_path):
    """The last PNG a notebook shows, as base64 text, or None."""
    notebook = json.loads(Path(notebook_path).read_text())
    for cell in reversed(notebook["cells"]):
        for output in reversed(cell.get("outputs", [])):
            png = output.get("data", {}).get("image/png")
            if png:
                return "".join(png) if isinstance(png, list) else png
    return None


def _title(notebook_path):
    notebook = json.loads(Path(notebook_path).read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return Path(notebook_path).stem


def run_course(out_dir="build/course", parameters=None, notebooks=None):
    """Execute every notebook into `out_dir`, with HTML copies and an index; return the rows."""
    from nbconvert import HTMLExporter

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    notebooks = [Path(path) for path in (notebooks or find_notebooks())]
    # Check every notebook's parameters before the first one spends minutes running.
    accepted = {path: check_parameters(path, parameters or {}) for path in notebooks}
    rows = []
    for path in notebooks:
        executed = out_dir / path.name
        print(f"Running {path.name} ...", flush=True)
        # The working folder is out_dir, so whatever a notebook writes lands beside it.
        seconds = execute(path, executed, accepted[path], cwd=out_dir)
        body, _ = HTMLExporter().from_filename(str(executed))
        (out_dir / f"{path.stem}.html").write_text(body)
        rows.append({"notebook": path.name, "title": _title(executed), "seconds": round(seconds, 1),
                     "figure": _final_figure(executed)})
        print(f"  {path.name}: {seconds:.0f} s", flush=True)
    _write_index(out_dir, rows)
    (out_dir / "timings.json").write_text(json.dumps(
        [{key: row[key] for key in ("notebook", "seconds")} for row in rows], indent=1))
    return rows


def _write_index(out_dir, rows):
    parts = ["<!doctype html><meta charset='utf-8'><title>gan-course: executed notebooks</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
             "td{padding:.5em;vertical-align:top;border-bottom:1px solid #ddd}"
             "img{max-width:28em}</style>",
             "<h1>gan-course: executed notebooks</h1><table>",
             "<tr><th>Notebook</th><th>Run time</th><th>Final figure</th></tr>"]
    for row in rows:
        stem = Path(row["notebook"]).stem
        figure = (f"<img alt='final figure of {html.escape(stem)}' "
                  f"src='data:image/png;base64,{row['figure']}'>" if row["figure"] else "")
        parts.append(
            f"<tr><td><a href='{stem}.html'>{html.escape(row['title'])}</a><br>"
            f"<a href='{html.escape(row['notebook'])}'>{html.escape(row['notebook'])}</a></td>"
            f"<td>{row['seconds']:.0f} s</td><td>{figure}</td></tr>")
    parts.append("</table>")
    (Path(out_dir) / "index.html").write_text("\n".join(parts))
