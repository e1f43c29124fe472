"""Running the course: notebooks headless, their parameters, and what each release stamps.

- `ganlib.course.parameters`: read and check a notebook's `parameters` cell.
- `ganlib.course.release`: the repository and version (package metadata) behind every Colab
  badge and install line, and the measured run times written into the Overviews and README.
- `ganlib.course.runner`: `run_course` (`make course`) and `regenerate` (`make notebooks`).
- `ganlib.course.kernel`: kernels on local sockets, not TCP.
"""

from ganlib.course.parameters import check_parameters, notebook_parameters, parse_parameter
from ganlib.course.release import badge, colab_url, install_line, tag, version
from ganlib.course.runner import KERNEL, execute, find_notebooks, normalise, regenerate, run_course

__all__ = ["KERNEL", "badge", "check_parameters", "colab_url", "execute", "find_notebooks",
           "install_line", "normalise", "notebook_parameters", "parse_parameter", "regenerate",
           "run_course", "tag", "version"]
