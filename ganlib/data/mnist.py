"""Load MNIST (or Fashion-MNIST) from disk, or download it once through Keras.

`load_mnist` returns the raw uint8 digits, `(n, 28, 28)` with values 0..255, and their labels.
It looks for the data in this order and uses the first place that has it:

1. the `path` argument,
2. the environment variable `GANLIB_DATA` (`GANLIB_FASHION_MNIST_DATA` for Fashion-MNIST),
3. Keras' cache (`~/.keras/datasets/mnist.npz`, or under `$KERAS_HOME`),
4. for Fashion-MNIST, Debian's `dataset-fashion-mnist` folder `/usr/share/datasets/fashion-mnist`,
5. a download through `keras.datasets`, which needs the internet.

A place may be an `.npz` file in Keras' layout (`x_train`, `y_train`, `x_test`, `y_test`) or a
folder holding the four official IDX files (`train-images-idx3-ubyte` and friends, gzipped or not).
When no place works, one `DataNotFoundError` lists every place tried and how to fix it.
"""

import gzip
import os
import zipfile
from pathlib import Path

import keras
import numpy as np

from ganlib.core.arguments import one_of
from ganlib.core.pixels import check_pixels

DATASETS = ("mnist", "fashion_mnist")
ENV_VARS = {"mnist": "GANLIB_DATA", "fashion_mnist": "GANLIB_FASHION_MNIST_DATA"}
DEBIAN_FOLDERS = {"fashion_mnist": "/usr/share/datasets/fashion-mnist"}
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class DataNotFoundError(FileNotFoundError):
    """No place held the data set; the message lists every place tried and the fix."""


def load_mnist(split="train", digits=None, path=None, dataset="mnist"):
    """Load one split of MNIST or Fashion-MNIST as uint8 arrays.

    Args:
        split: "train" or "test".
        digits: None for all ten classes, or an iterable of class labels 0..9 to keep,
            e.g. `[0]` for a GAN that draws only zeros.
        path: an `.npz` in Keras' layout or a folder of the four IDX files. When None, the
            environment variable, Keras' cache and a download are tried in turn.
        dataset: "mnist" or "fashion_mnist".

    Returns:
        `(images, labels)`: images uint8 `(n, 28, 28)` in 0..255, labels uint8 `(n,)` in 0..9.
    """
    if split not in IDX_FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}.")
    one_of("dataset", dataset, DATASETS)
    digits = check_digits(digits)
    images, labels = _find_and_load(split, path, dataset)
    if digits is not None:
        keep = np.isin(labels, digits)
        images, labels = images[keep], labels[keep]
        if len(images) == 0:
            raise ValueError(f"No {split} images of digits {list(digits)} in the data.")
    return images, labels


def check_digits(digits):
    """Return `digits` as a sorted list of ints 0..9, or None for all classes."""
    if digits is None:
        return None
    if isinstance(digits, (int, np.integer)):
        digits = [digits]
    digits = list(digits)
    if not digits:
        raise ValueError("digits is empty: pass None for all ten classes, or e.g. [0, 3].")
    for digit in digits:
        if isinstance(digit, bool) or not isinstance(digit, (int, np.integer)) or not 0 <= digit <= 9:
            raise ValueError(f"Digit {digit!r} is not a class of MNIST: use whole numbers 0 to 9.")
    return sorted(set(int(digit) for digit in digits))


def _candidate_places(path, dataset):
    """The places to try, in order, as (description, Path) pairs."""
    if path is not None:
        return [("the data path", Path(path).expanduser())]
    places = []
    env_value = os.environ.get(ENV_VARS[dataset], "")
    if env_value:
        places.append((f"${ENV_VARS[dataset]}", Path(env_value).expanduser()))
    keras_home = Path(os.environ.get("KERAS_HOME", "~/.keras")).expanduser()
    cache = keras_home / "datasets" / ("mnist.npz" if dataset == "mnist" else "fashion-mnist")
    places.append(("Keras' cache", cache))
    if dataset in DEBIAN_FOLDERS:
        places.append(("Debian's dataset-fashion-mnist", Path(DEBIAN_FOLDERS[dataset])))
    return places


def _find_and_load(split, path, dataset):
    tried = []
    for description, place in _candidate_places(path, dataset):
        if not place.exists():
            if path is not None or description.startswith("$"):
                # A place the user named must exist: say so instead of quietly going on.
                raise DataNotFoundError(
                    f"{description} {place} does not exist: fix the path, or leave it out to "
                    "search the other places (GANLIB_DATA, Keras' cache, a download)."
                    if path is not None else
                    f"{description} points at {place}, which does not exist: fix the path, or "
                    "unset the variable to search Keras' cache and then download."
                )
            tried.append(f"{description} ({place}): not there")
            continue
        return read_data_file(place, split)
    try:
        return _download(split, dataset)
    except Exception as error:  # Any failure of the download means: no data here.
        reason = str(error).splitlines()[0] if str(error) else ""
        tried.append(f"a Keras download: failed ({type(error).__name__}: {reason})")
    env = ENV_VARS[dataset]
    raise DataNotFoundError(
        f"Could not find {dataset}. Tried: " + "; ".join(tried) + ". Fix: pass path=... "
        f"(CLI: --data PATH) or set {env}=/path/to/mnist.npz (or a folder of the four IDX "
        "files), or connect to the internet once so Keras can download and cache it."
    )


def _download(split, dataset):
    loader = keras.datasets.mnist if dataset == "mnist" else keras.datasets.fashion_mnist
    (x_train, y_train), (x_test, y_test) = loader.load_data()
    if split == "train":
        return _check_arrays(x_train, y_train, "the Keras download")
    return _check_arrays(x_test, y_test, "the Keras download")


def read_data_file(place, split="train"):
    """Read one split from an `.npz` in Keras' layout or from a folder of IDX files.

    Returns uint8 images `(n, 28, 28)` and uint8 labels `(n,)`; raises `ValueError` naming the
    file and what is wrong with it when it is empty, truncated or not MNIST-shaped.
    """
    place = Path(place)
    if place.is_dir():
        image_name, label_name = IDX_FILES[split]
        images = read_idx(_idx_path(place, image_name))
        labels = read_idx(_idx_path(place, label_name))
        return _check_arrays(images, labels, str(place))
    prefix = "x_train y_train" if split == "train" else "x_test y_test"
    image_key, label_key = prefix.split()
    try:
        with np.load(place, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files if key in (image_key, label_key)}
            files = archive.files
    except (OSError, EOFError, ValueError, TypeError, AttributeError, zipfile.BadZipFile) as error:
        # ValueError: neither a zip archive nor an .npy header; TypeError and AttributeError:
        # a single .npy array, which has no named arrays.
        raise ValueError(
            f"{place} is not a readable .npz file ({error}): download it again, or point "
            "at a folder of the four MNIST IDX files instead."
        ) from None
    for key in (image_key, label_key):
        if key not in arrays:
            raise ValueError(
                f"{place} has no array {key!r} (it holds {files}): "
                "use an .npz in Keras' layout with x_train, y_train, x_test, y_test."
            )
    images, labels = arrays[image_key], arrays[label_key]
    return _check_arrays(images, labels, str(place))


def _idx_path(folder, name):
    # The official files are sometimes unpacked as "train-images.idx3-ubyte".
    for candidate_name in (name, name + ".gz", name.replace("-idx", ".idx")):
        if (folder / candidate_name).exists():
            return folder / candidate_name
    raise DataNotFoundError(
        f"{folder} has no {name} or {name}.gz: an IDX folder needs the four official files "
        "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
        "t10k-labels-idx1-ubyte)."
    )


def read_idx(path):
    """Read one IDX file (the format MNIST is published in), gzipped or not, into a uint8 array."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise ValueError(f"{path} could not be read ({error}): download it again.") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes: download it again.")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path} is truncated inside its header: download it again.")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape)) if shape else 0
    if len(raw) - header != expected:
        raise ValueError(
            f"{path} holds {len(raw) - header} bytes of data but its header promises {expected} "
            f"for shape {shape}: the file is truncated or corrupt, download it again."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _check_arrays(images, labels, source):
    images, labels = check_pixels(images, f"{source}: images"), np.asarray(labels)
    if labels.shape != (len(images),):
        raise ValueError(
            f"{source}: {len(labels)} labels for {len(images)} images: the files do not match."
        )
    return images, labels.astype(np.uint8)
