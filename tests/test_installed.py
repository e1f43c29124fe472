"""The package as a learner installs it: a wheel in a fresh environment, not this checkout.

`make test-installed` builds the wheel, installs it (no `-e`) into build/venv-wheel, runs the
course from a folder outside the repository, and then runs this test with GANLIB_INSTALLED
naming that environment. Run alone, without the variable, the test says so and skips.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import REPOSITORY

PROBE = """
import json, pathlib
import ganlib
from ganlib.evaluation import classifier
from ganlib.models.pretrained import PRETRAINED, load_pretrained, pretrained_path
for preset in PRETRAINED:
    load_pretrained(preset)
print(json.dumps({"file": ganlib.__file__, "version": ganlib.__version__,
                  "weights": [str(pretrained_path(p)) for p in PRETRAINED]
                             + [str(classifier.WEIGHTS_PATH)]}))
"""


@pytest.fixture(scope="module")
def environment():
    folder = os.environ.get("GANLIB_INSTALLED")
    if not folder:
        pytest.skip("run by `make test-installed`, which names the wheel's environment in "
                    "GANLIB_INSTALLED")
    return Path(folder)


def test_the_wheel_holds_the_code_and_every_file_the_course_needs(environment, tmp_path):
    completed = subprocess.run([str(environment / "bin" / "python"), "-c", PROBE],
                               capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    found = json.loads(completed.stdout.strip().splitlines()[-1])
    # Imported from the environment's site-packages (build/venv-wheel may sit inside the
    # checkout), not from the checkout's source tree.
    assert not found["file"].startswith(str(REPOSITORY / "ganlib")), found["file"]
    assert Path(found["file"]).is_relative_to(environment) and "site-packages" in found["file"]
    for path in found["weights"]:
        assert Path(path).exists() and "site-packages" in path, path
    import ganlib

    assert found["version"] == ganlib.__version__
    helped = subprocess.run([str(environment / "bin" / "ganlib"), "--help"], capture_output=True,
                            text=True, cwd=tmp_path, timeout=300)
    assert helped.returncode == 0 and "train" in helped.stdout
