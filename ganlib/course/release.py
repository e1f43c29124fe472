"""Where the course comes from: one repository address and one version, stamped everywhere.

The package metadata (`pyproject.toml`: `version` and the `Repository` URL) is the one place
they are written. From it come every notebook's Colab badge, which opens the notebook as it is
at the release tag `v<version>`, and every Setup cell's Colab install line, which installs
`ganlib` from that same tag: a learner on Colab always gets the library the notebook was made
with. `stamp_notebook` writes both into a notebook; `make notebooks` calls it before running.

Measured run times are stamped the same way: `regenerate` records each notebook's seconds in
`notebooks/timings.json`, and `stamp_times` writes them into the notebook's Overview (between
`<!-- cpu-time -->` and `<!-- /cpu-time -->`) and into the README's course table.
"""

import importlib.metadata
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # The repository, in a checkout.
NOTEBOOK_DIR = ROOT / "notebooks"
TIMINGS = NOTEBOOK_DIR / "timings.json"
README = ROOT / "README.md"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
TIME_SPAN = re.compile(r"<!-- cpu-time -->.*?<!-- /cpu-time -->", re.S)
INSTALL = re.compile(r'%pip install -q "ganlib @ git\+[^"]*"')


def version():
    """The installed ganlib's version, e.g. "0.2.0"."""
    return importlib.metadata.version("ganlib")


def repository():
    """The repository's address from the package metadata, e.g. https://github.com/o/n."""
    for entry in importlib.metadata.metadata("ganlib").get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository":
            return url.strip()
    raise ValueError("pyproject.toml names no Repository URL under [project.urls]: add one and "
                     "reinstall (make setup).")


def tag():
    """The git tag of this version: "v" + the version."""
    return f"v{version()}"


def colab_url(relative_path):
    """The Colab address of a notebook at this version, e.g. for 'notebooks/01_data.ipynb'."""
    owner_and_name = repository().removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{owner_and_name}/blob/{tag()}/{relative_path}"


def badge(relative_path):
    """The Colab badge's markdown for a notebook."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(relative_path)})"


def install_line():
    """The Setup cell's line that installs this version of ganlib on Colab."""
    return f'%pip install -q "ganlib @ git+{repository()}@{tag()}"'


def stamp_notebook(notebook, relative_path):
    """Write this version's badge and install line into a notebook (an nbformat node)."""
    first = notebook.cells[0]
    first.source = re.sub(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)", badge(relative_path),
                          first.source)
    for cell in notebook.cells:
        if cell.cell_type == "code" and INSTALL.search(cell.source):
            cell.source = INSTALL.sub(install_line().replace("\\", "\\\\"), cell.source)
    return notebook


def describe_seconds(seconds):
    """A run time as people say it: "40 seconds", "about 3 minutes"."""
    if seconds < 90:
        return f"{max(10, round(seconds / 10) * 10):.0f} seconds"
    return f"about {round(seconds / 60):.0f} minutes"


def read_timings():
    """`{notebook stem: seconds}` from the last `make notebooks`, or {} before the first."""
    return json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}


def record_timing(stem, seconds):
    timings = read_timings()
    timings[stem] = round(seconds, 1)
    TIMINGS.write_text(json.dumps(dict(sorted(timings.items())), indent=1) + "\n")


def stamp_times(notebook, stem):
    """Write the measured run time of notebook `stem` into its Overview's cpu-time span."""
    seconds = read_timings().get(stem)
    if seconds is None:
        return notebook
    text = f"<!-- cpu-time -->{describe_seconds(seconds)}<!-- /cpu-time -->"
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and TIME_SPAN.search(cell.source):
            cell.source = TIME_SPAN.sub(text, cell.source)
    return notebook


def stamp_readme(readme=README):
    """Write every notebook's badge and measured run time into the README's course table."""
    timings = read_timings()
    lines = []
    for line in Path(readme).read_text().splitlines():
        match = re.match(r"\| \[(\d\d_\w+)\]\(notebooks/\1\.ipynb\) \|", line)
        if match:
            stem = match.group(1)
            line = re.sub(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)",
                          badge(f"notebooks/{stem}.ipynb"), line)
            if stem in timings:
                cells = line.rstrip().rstrip("|").split(" | ")
                cells[-1] = describe_seconds(timings[stem])
                line = " | ".join(cells) + " |"
        lines.append(line)
    Path(readme).write_text("\n".join(lines) + "\n")
