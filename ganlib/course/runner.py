"""Run the notebooks headless: into a folder with an index, or in place to refresh the course.

- `run_course(out_dir, parameters)`: execute every notebook with papermill into `out_dir` (the
  committed notebooks are not touched), convert each to HTML, and write `out_dir/index.html`:
  one row per notebook with its run time and its final figure. After each notebook it prints
  the time so far and an estimate of the time left (from the last `make notebooks`). This is
  `make course` and `ganlib course`.
- `regenerate(paths)`: stamp each notebook with this version's badge and install line, execute it
  in place with its default parameters, record its run time and normalise it. This is
  `make notebooks`, the only way committed outputs are produced.
- `normalise(path)`: drop what changes on every run without meaning anything (papermill's
  timings, execution timestamps), so a diff of a notebook shows only what changed in it.

Kernels talk to papermill over local sockets (`ganlib.course.kernel`), not TCP.
"""

import base64
import html
import json
import os
import tempfile
import time
from pathlib import Path

from ganlib.course import release
from ganlib.course.parameters import check_parameters

KERNEL = "python3"
RUNNING_SUFFIX = ".running.ipynb"  # Where `regenerate` writes while a notebook runs.
# The Colab badge drawn here, for HTML pages read offline (the real one is on the internet).
OFFLINE_BADGE = ("<svg xmlns='http://www.w3.org/2000/svg' width='117' height='20'>"
                 "<rect width='117' height='20' rx='3' fill='#555'/>"
                 "<rect x='20' width='97' height='20' rx='3' fill='#f9ab00'/>"
                 "<text x='68' y='14' font-family='sans-serif' font-size='11' fill='#fff' "
                 "text-anchor='middle'>Open in Colab</text></svg>")
KERNEL_MANAGER = "ganlib.course.kernel.LocalKernelManager"


def find_notebooks(folder=release.NOTEBOOK_DIR):
    """The course notebooks, in course order (their names start with a two-digit number)."""
    return sorted(path for path in Path(folder).glob("[0-9][0-9]_*.ipynb")
                  if not path.name.endswith(RUNNING_SUFFIX))


def normalise(path):
    """Rewrite a notebook without run-specific metadata, keeping its outputs."""
    import nbformat  # The course's extras; `ganlib train` runs without them.

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
    import papermill  # The course's extras; `ganlib train` runs without them.

    started = time.monotonic()
    papermill.execute_notebook(str(path), str(output_path), parameters=parameters or {},
                               kernel_name=KERNEL, cwd=str(cwd or Path(path).parent),
                               progress_bar=False, log_output=False,
                               kernel_manager_class=KERNEL_MANAGER)
    return time.monotonic() - started


def regenerate(paths=None):
    """Stamp, execute in place with default parameters, time, and normalise notebooks.

    They run in a new empty working folder, so files left by an earlier run (a training folder
    that would be resumed, say) never change what the committed outputs show. Each notebook's
    run time goes to `notebooks/timings.json`, its Overview and the README's course table.
    """
    import nbformat  # The course's extras; `ganlib train` runs without them.

    with tempfile.TemporaryDirectory(prefix="gan-course-") as workdir:
        for path in paths or find_notebooks():
            path = Path(path).resolve()
            relative = f"{path.parent.name}/{path.name}"
            notebook = release.stamp_notebook(nbformat.read(path, as_version=4), relative)
            nbformat.write(notebook, path)
            # A failed run leaves its output here, error and all, for you to read.
            temporary = path.with_name(path.stem + RUNNING_SUFFIX)
            seconds = execute(path, temporary, cwd=workdir)
            release.record_timing(path.stem, seconds)
            executed = release.stamp_times(nbformat.read(temporary, as_version=4), path.stem)
            nbformat.write(executed, temporary)
            os.replace(temporary, path)
            normalise(path)
            print(f"{path.name}: {seconds:.0f} s", flush=True)
    release.stamp_readme()


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


def _offline_html(body):
    """An HTML page whose Colab badge is drawn locally, so it shows without the internet."""
    local = "data:image/svg+xml;base64," + base64.b64encode(OFFLINE_BADGE.encode()).decode()
    return body.replace(release.BADGE_IMAGE, local)


def _progress(done, seconds_so_far, remaining):
    """One line of progress: the time so far and, from the last measured times, what is left
    (no estimate when a notebook left has no measured time, as outside the repository)."""
    timings = release.read_timings()
    if not remaining:
        left = ", all done"
    elif all(path.stem in timings for path in remaining):
        estimate = sum(timings[path.stem] for path in remaining)
        left = f", about {estimate / 60:.0f} min left ({len(remaining)} to go)"
    else:
        left = f" ({len(remaining)} to go)"
    return f"  {done}: {seconds_so_far / 60:.1f} min so far{left}"


def run_course(out_dir="build/course", parameters=None, notebooks=None):
    """Execute every notebook into `out_dir`, with HTML copies and an index; return the rows."""
    from nbconvert import HTMLExporter  # The course's extras; `ganlib train` runs without them.

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    notebooks = [Path(path) for path in (notebooks or find_notebooks())]
    # Check every notebook's parameters before the first one spends minutes running.
    accepted = {path: check_parameters(path, parameters or {}) for path in notebooks}
    rows, started = [], time.monotonic()
    for index, path in enumerate(notebooks):
        executed = out_dir / path.name
        print(f"Running {path.name} ...", flush=True)
        # The working folder is out_dir, so whatever a notebook writes lands beside it.
        seconds = execute(path, executed, accepted[path], cwd=out_dir)
        body, _ = HTMLExporter().from_filename(str(executed))
        (out_dir / f"{path.stem}.html").write_text(_offline_html(body))
        rows.append({"notebook": path.name, "title": _title(executed), "seconds": round(seconds, 1),
                     "figure": _final_figure(executed)})
        print(_progress(f"{path.name} took {seconds:.0f} s", time.monotonic() - started,
                        notebooks[index + 1:]), flush=True)
    _write_index(out_dir, rows)
    (out_dir / "timings.json").write_text(json.dumps(
        [{key: row[key] for key in ("notebook", "seconds")} for row in rows], indent=1))
    return rows


def _write_index(out_dir, rows):
    parts = ["<!doctype html><meta charset='utf-8'>"
             "<meta name='viewport' content='width=device-width, initial-scale=1'>"
             "<title>gan-course: executed notebooks</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "td{padding:.5em;vertical-align:top;border-bottom:1px solid #ddd}"
             "img{max-width:100%}</style>",
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
