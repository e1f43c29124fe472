"""Rules every committed notebook follows (see notebooks/README.md), and the course runner."""

import json
from pathlib import Path

import pytest

from ganlib import course
from ganlib.course import runner

NOTEBOOKS = course.find_notebooks()
REPOSITORY = Path(__file__).resolve().parent.parent


def cells(path):
    return json.loads(Path(path).read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def test_the_course_has_its_notebooks_in_order():
    names = [path.stem for path in NOTEBOOKS]
    assert names == ["01_data", "02_discriminator", "03_generator", "04_gan", "05_theory",
                     "06_training", "07_classics", "08_evaluation", "09_stability",
                     "10_conditional", "11_scaling"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_title_badge_and_sections(path):
    notebook_cells = cells(path)
    first = source(notebook_cells[0])
    assert first.startswith("# "), "the first cell starts with an H1 title"
    relative = path.relative_to(REPOSITORY).as_posix()
    assert course.badge(relative) in first, \
        f"the first cell holds this version's Colab badge for {relative}: run `make notebooks`"
    text = "\n".join(source(cell) for cell in notebook_cells if cell["cell_type"] == "markdown")
    for heading in ("## Overview", "## Setup", "## Summary", "## Exercises"):
        assert heading in text, f"{path.name} has no '{heading}' section"
    unfinished = [word for word in ("PLACEHOLDER", "TODO", "XXX") if word in text]
    assert not unfinished, f"{path.name}'s text is unfinished: it still says {unfinished[0]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_parameters_cell(path):
    tagged = [cell for cell in cells(path) if "parameters" in cell["metadata"].get("tags", [])]
    assert len(tagged) == 1, "exactly one cell is tagged 'parameters'"
    defaults = course.notebook_parameters(path)
    assert defaults and all(name.isupper() for name in defaults), defaults


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_committed_outputs_are_clean(path):
    code_cells = [cell for cell in cells(path) if cell["cell_type"] == "code"]
    outputs = [output for cell in code_cells for output in cell["outputs"]]
    assert outputs, "the notebook is committed with its outputs"
    assert not [o for o in outputs if o["output_type"] == "error"], "a committed output is an error"
    assert any("image/png" in o.get("data", {}) for o in outputs), "the notebook shows a figure"
    streams = ["".join(o["text"]) for o in outputs if o["output_type"] == "stream"]
    warnings = [text for text in streams if "WARNING" in text or "Warning:" in text]
    assert not warnings, f"committed outputs print warnings: {warnings[0][:300]}"
    metadata = json.loads(path.read_text())["metadata"]
    assert "papermill" not in metadata, "run `make notebooks` (it normalises the JSON)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_colab_installs_the_version_the_notebook_was_made_with(path):
    setup = [source(cell) for cell in cells(path) if "%pip install" in source(cell)]
    assert len(setup) == 1 and course.install_line() in setup[0], \
        f"{path.name} must install {course.install_line()}: run `make notebooks`"
    assert 'if "google.colab" in sys.modules' in setup[0]  # Nowhere else.


def test_badges_and_installs_come_from_the_package_metadata():
    import importlib.metadata

    metadata = importlib.metadata.metadata("ganlib")
    repository = [entry.split(", ", 1)[1] for entry in metadata.get_all("Project-URL")
                  if entry.startswith("Repository")][0]
    version = metadata["Version"]
    assert course.install_line() == f'%pip install -q "ganlib @ git+{repository}@v{version}"'
    assert course.colab_url("notebooks/01_data.ipynb") == (
        "https://colab.research.google.com/github/"
        f"{repository.removeprefix('https://github.com/')}/blob/v{version}/notebooks/01_data.ipynb")
    import ganlib

    assert ganlib.__version__ == version
    readme = (REPOSITORY / "README.md").read_text()
    for path in NOTEBOOKS:
        assert course.badge(f"notebooks/{path.name}") in readme, f"README badge of {path.name}"


def test_measured_times_are_the_ones_in_the_overviews_and_the_readme():
    from ganlib.course import release

    timings = release.read_timings()
    readme = (REPOSITORY / "README.md").read_text()
    for path in NOTEBOOKS:
        assert path.stem in timings, f"{path.name} has no measured time: run `make notebooks`"
        said = release.describe_seconds(timings[path.stem])
        overview = [source(cell) for cell in cells(path) if "## Overview" in source(cell)][0]
        assert f"<!-- cpu-time -->{said}<!-- /cpu-time -->" in overview, path.name
        row = [line for line in readme.splitlines() if line.startswith(f"| [{path.stem}]")]
        assert row and row[0].rstrip().endswith(f"| {said} |"), path.name


def test_parameters_of_the_wrong_type_are_refused(tmp_path):
    notebook = {"cells": [{"cell_type": "code", "id": "parameters", "metadata": {"tags": ["parameters"]},
                           "source": "EPOCHS = 3\nRATE = 2e-4\nNAME = 'x'", "outputs": [],
                           "execution_count": None}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "01_example.ipynb"
    path.write_text(json.dumps(notebook))
    assert course.check_parameters(path, {"EPOCHS": 5, "RATE": 1, "OTHER": "ignored"}) == \
        {"EPOCHS": 5, "RATE": 1}
    with pytest.raises(ValueError, match="EPOCHS='five' is of type str.*expects int"):
        course.check_parameters(path, {"EPOCHS": "five"})
    assert course.parse_parameter("3") == 3 and course.parse_parameter("[0, 3]") == [0, 3]
    assert course.parse_parameter("default") == "default"


def test_run_course_executes_with_parameters_and_writes_an_index(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# A tiny notebook"),
        nbformat.v4.new_code_cell("EPOCHS = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nplt.plot(range(EPOCHS))\nplt.show()\n"
            "print('epochs', EPOCHS)"),
    ]
    notebook.metadata["kernelspec"] = {"name": course.KERNEL, "display_name": "Python 3",
                                       "language": "python"}
    source = tmp_path / "src" / "01_tiny.ipynb"
    source.parent.mkdir()
    nbformat.write(notebook, source)
    out = tmp_path / "course"
    rows = course.run_course(out, {"EPOCHS": 3, "UNKNOWN": 1}, [source])
    assert [row["notebook"] for row in rows] == ["01_tiny.ipynb"] and rows[0]["figure"]
    executed = nbformat.read(out / "01_tiny.ipynb", as_version=4)
    printed = "".join(output.get("text", "") for cell in executed.cells if cell.cell_type == "code"
                      for output in cell.outputs)
    assert "epochs 3" in printed
    index = (out / "index.html").read_text()
    assert "A tiny notebook" in index and "data:image/png;base64," in index
    assert (out / "01_tiny.html").exists() and json.loads((out / "timings.json").read_text())
    with pytest.raises(ValueError, match="EPOCHS"):
        course.run_course(out, {"EPOCHS": "three"}, [source])


def test_progress_estimates_what_is_left_only_from_measured_times():
    measured = [Path("notebooks/01_data.ipynb")]  # In notebooks/timings.json.
    assert runner._progress("01 took 1 s", 90, measured).endswith("min left (1 to go)")
    unmeasured = [Path("99_new.ipynb")]  # Outside the repository nothing is measured.
    assert runner._progress("01 took 1 s", 90, unmeasured) == \
        "  01 took 1 s: 1.5 min so far (1 to go)"
    assert runner._progress("11 took 1 s", 90, []).endswith("all done")
