"""Shared fixtures: where the offline MNIST copy is, and small data sets made from it.

Tests that need MNIST fail when no copy is found: `make test` and CI must never pass by
skipping them. Set GANLIB_SKIP_DATA_TESTS=1 to skip them on purpose (say, on a laptop without a
copy); the summary then lists every skipped test.
"""

import gzip
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
SHARED_MNIST = REPOSITORY.parent / "shared" / "data" / "mnist" / "mnist.npz"


@pytest.fixture(scope="session")
def mnist_path():
    """The MNIST .npz the tests read: $GANLIB_DATA, else ../shared beside the checkout."""
    path = Path(os.environ.get("GANLIB_DATA") or SHARED_MNIST)
    if not path.exists():
        message = (f"No MNIST copy at {path}: set GANLIB_DATA to an mnist.npz, or "
                   "GANLIB_SKIP_DATA_TESTS=1 to skip the tests that need one.")
        if os.environ.get("GANLIB_SKIP_DATA_TESTS") == "1":
            pytest.skip(message)
        pytest.fail(message)
    return path


@pytest.fixture(scope="session")
def mnist_arrays(mnist_path):
    with np.load(mnist_path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


@pytest.fixture(scope="session")
def tiny_npz(mnist_arrays, tmp_path_factory):
    """A 320-image MNIST in Keras' layout, for fast end-to-end runs."""
    path = tmp_path_factory.mktemp("tiny") / "tiny.npz"
    np.savez(path, x_train=mnist_arrays["x_train"][:320], y_train=mnist_arrays["y_train"][:320],
             x_test=mnist_arrays["x_test"][:100], y_test=mnist_arrays["y_test"][:100])
    return path


def write_idx(path, array, compress=False):
    """Write an array of uint8 in the IDX format MNIST is published in."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(size).to_bytes(4, "big") for size in array.shape)
    opener = gzip.open if compress else open
    with opener(path, "wb") as handle:
        handle.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


@pytest.fixture(scope="session")
def idx_folder(mnist_arrays, tmp_path_factory):
    """A folder of the four IDX files (train gzipped, test plain), 200 and 50 images."""
    folder = tmp_path_factory.mktemp("idx")
    write_idx(folder / "train-images-idx3-ubyte.gz", mnist_arrays["x_train"][:200], compress=True)
    write_idx(folder / "train-labels-idx1-ubyte.gz", mnist_arrays["y_train"][:200], compress=True)
    write_idx(folder / "t10k-images-idx3-ubyte", mnist_arrays["x_test"][:50])
    write_idx(folder / "t10k-labels-idx1-ubyte", mnist_arrays["y_test"][:50])
    return folder


def run_cli(*args, env=None, timeout=600):
    """Run `python -m ganlib ARGS` in a new process; return the CompletedProcess."""
    full_env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **(env or {}))
    return subprocess.run([sys.executable, "-m", "ganlib", *map(str, args)], capture_output=True,
                          text=True, env=full_env, timeout=timeout, cwd=REPOSITORY)


@pytest.fixture
def cli():
    return run_cli
