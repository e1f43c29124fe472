"""Load MNIST (or Fashion-MNIST) from disk and turn it into a `tf.data` pipeline.

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

`make_dataset` scales the images for a generator's output activation, `[-1, 1]` for tanh or
`[0, 1]` for sigmoid, and returns a shuffled, batched, cached and prefetched `tf.data.Dataset`.
"""

import gzip
import os
import zipfile
from pathlib import Path

import numpy as np

DATASETS = ("mnist", "fashion_mnist")
ENV_VARS = {"mnist": "GANLIB_DATA", "fashion_mnist": "GANLIB_FASHION_MNIST_DATA"}
DEBIAN_FOLDERS = {"fashion_mnist": "/usr/share/datasets/fashion-mnist"}
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
SCALES = ("tanh", "sigmoid")


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
    if dataset not in DATASETS:
        raise ValueError(f"Unknown dataset {dataset!r}: choose one of {', '.join(DATASETS)}.")
    digits = _check_digits(digits)
    images, labels = _find_and_load(split, path, dataset)
    if digits is not None:
        keep = np.isin(labels, digits)
        images, labels = images[keep], labels[keep]
        if len(images) == 0:
            raise ValueError(f"No {split} images of digits {list(digits)} in the data.")
    return images, labels


def _check_digits(digits):
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
    import keras  # Imported here so that loading from disk never needs Keras.

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


def check_images(images, source="images"):
    """Check that `images` are MNIST-style uint8 pixels `(n, 28, 28)`, n >= 1; return the array.

    Raises a ValueError that starts with `source` (a file name, or an argument's name) and says
    how to fix the array.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[1:] == (28, 28, 1):
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"{source}: images have shape {images.shape}, expected (n, 28, 28): "
                         "reshape them, e.g. images.reshape(-1, 28, 28).")
    if images.dtype != np.uint8:
        hint = ("floats in [0, 1] or [-1, 1] become pixels with ganlib.data.unscale_images(images)"
                if np.issubdtype(images.dtype, np.floating)
                else "whole numbers 0..255 convert with images.astype(numpy.uint8)")
        raise ValueError(f"{source}: images are {images.dtype}, expected uint8 pixels 0..255: {hint}.")
    if len(images) == 0:
        raise ValueError(f"{source}: holds no images: download it again, or pass at least one image.")
    return images


def _check_arrays(images, labels, source):
    images, labels = check_images(images, source), np.asarray(labels)
    if labels.shape != (len(images),):
        raise ValueError(
            f"{source}: {len(labels)} labels for {len(images)} images: the files do not match."
        )
    return images, labels.astype(np.uint8)


def scale_images(images, scale="tanh"):
    """Turn uint8 images `(n, 28, 28)` into float32 `(n, 28, 28, 1)`.

    `scale="tanh"` maps 0..255 to [-1, 1] (for a tanh generator), `"sigmoid"` to [0, 1].
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be 'tanh' ([-1, 1]) or 'sigmoid' ([0, 1]), not {scale!r}.")
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(
            f"Expected uint8 images of shape (n, 28, 28), got {images.dtype} {images.shape}."
        )
    scaled = images[..., np.newaxis].astype("float32") / 255.0  # (n, 28, 28, 1) in [0, 1]
    return scaled * 2.0 - 1.0 if scale == "tanh" else scaled


def unscale_images(images):
    """Turn generator output in [-1, 1] or [0, 1] back into uint8 `(n, 28, 28)` pixels.

    Values below zero mean the tanh range; clipping keeps stray values inside 0..255.
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim == 4:
        images = images[..., 0]
    if images.min(initial=0.0) < 0.0:
        images = (images + 1.0) / 2.0
    return np.round(np.clip(images, 0.0, 1.0) * 255.0).astype(np.uint8)


def make_dataset(images, batch_size, scale="tanh", shuffle=True, seed=None, cache=True,
                 prefetch=True):
    """Build the input pipeline a GAN trains on.

    Args:
        images: uint8 `(n, 28, 28)` from `load_mnist`.
        batch_size: images per batch; the last, smaller batch is dropped so every step sees
            a full batch (batch-norm statistics and the loss scale stay the same).
        scale: "tanh" for [-1, 1] or "sigmoid" for [0, 1].
        shuffle: reshuffle every epoch (seeded by `seed`).
        cache, prefetch: keep the scaled tensors in memory, and prepare the next batch while
            the current one trains. Both are on by default; 01_data measures what they buy.

    Returns:
        A `tf.data.Dataset` of float32 batches `(batch_size, 28, 28, 1)`.
    """
    import tensorflow as tf

    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive whole number, not {batch_size!r}.")
    if scale not in SCALES:
        raise ValueError(f"scale must be 'tanh' ([-1, 1]) or 'sigmoid' ([0, 1]), not {scale!r}.")
    images = check_images(images)
    if batch_size > len(images):
        raise ValueError(
            f"batch_size {batch_size} is larger than the {len(images)} images: "
            "use a smaller batch size or more data."
        )
    dataset = tf.data.Dataset.from_tensor_slices(images)
    # Scaling inside the pipeline keeps only the uint8 array in memory until `cache`.
    dataset = dataset.map(lambda image: _scale_tensor(image, scale))
    if cache:
        dataset = dataset.cache()
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    if prefetch:
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
    return dataset


def _scale_tensor(image, scale):
    import tensorflow as tf

    image = tf.cast(image[..., tf.newaxis], tf.float32) / 255.0  # (28, 28, 1) in [0, 1]
    return image * 2.0 - 1.0 if scale == "tanh" else image
