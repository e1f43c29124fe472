"""Safety: nothing loaded from disk runs code, and nothing is fetched from the network at run time."""

import json
import re

import keras
import numpy as np
import pytest

from conftest import REPOSITORY
from ganlib import course
from ganlib.core.files import load_generator
from ganlib.evaluation import load_samples


def test_a_generator_file_with_code_in_it_is_refused(tmp_path):
    noise = keras.Input((8,))
    images = keras.layers.Reshape((28, 28, 1))(
        keras.layers.Lambda(lambda x: keras.ops.tile(x, (1, 98)))(noise))
    path = tmp_path / "lambda.keras"
    keras.Model(noise, images).save(path)
    with pytest.raises(ValueError, match="Lambda layer.*safe_mode=True"):
        load_generator(path)


def test_a_pickled_array_is_refused(tmp_path):
    path = tmp_path / "pickled.npy"
    np.save(path, np.array([{"not": "images"}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        load_samples(path)


def test_the_scan_reads_every_module():
    names = {str(name) for name, _ in _sources()}
    assert {"ganlib/engine/gan.py", "ganlib/data/mnist.py", "ganlib/cli.py"} <= names


def _sources():
    for path in sorted((REPOSITORY / "ganlib").rglob("*.py")) + sorted(
            (REPOSITORY / "bench").glob("*.py")):
        yield path.relative_to(REPOSITORY), path.read_text()
    for path in sorted((REPOSITORY / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        yield path.relative_to(REPOSITORY), "\n".join(
            "".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")


UNSAFE = [r"allow_pickle\s*=\s*True", r"safe_mode\s*=\s*False", r"\bpickle\.load", r"\beval\(",
          r"\bexec\(", r"urlopen", r"requests\.get", r"torch\.hub", r"hf_hub", r"from_pretrained",
          r"tfds\.load", r"get_file\("]


@pytest.mark.parametrize("pattern", UNSAFE)
def test_no_code_or_weights_from_the_network_and_no_unsafe_loading(pattern):
    found = [str(name) for name, text in _sources() if re.search(pattern, text)]
    assert found == [], f"{pattern} in {found}"


def test_the_only_download_is_keras_mnist_and_the_colab_install_is_pinned():
    data_source = (REPOSITORY / "ganlib" / "data" / "mnist.py").read_text()
    assert "load_data()" in data_source  # keras.datasets' documented MNIST download.
    pinned = re.compile(r"@(v\d+\.\d+\.\d+|[0-9a-f]{40})\"")
    assert pinned.search(course.install_line()), course.install_line()
    for name, text in _sources():
        if str(name).startswith("notebooks/"):
            for line in text.splitlines():
                if "pip install" in line:
                    assert pinned.search(line), f"{name}: {line}"
