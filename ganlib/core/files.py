"""Files that survive a crash, and generators saved and loaded safely.

- `atomic_write(path, write)`: write to a temporary file beside `path`, then rename it. The rename
  is atomic, so a reader (or a run killed mid-write) sees the old file or the new one, never half.
- `check_writable(folder)`: prove a folder takes files before any training time is spent.
- `save_generator(model, path)` and `load_generator(path)`: a generator as a `.keras` file. Loading
  uses Keras' `safe_mode=True`, so a file carrying Python code (a `Lambda` layer) is refused, and
  checks that the model maps noise (and, for a conditional generator, a digit label) to
  `(batch, 28, 28, 1)` images.
"""

import os
import tempfile
from pathlib import Path

import keras

from ganlib.core.pixels import IMAGE_SHAPE

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"  # Files that ship with ganlib.


def atomic_write(path, write):
    """Call `write(handle)` on a temporary binary file beside `path`, then rename it to `path`."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)  # A full disk must not leave half a file behind.
        raise
    os.replace(temporary, path)  # Atomic on POSIX and Windows: readers see old or new, never half.
    return path


def check_writable(folder):
    """Create `folder` and prove a file can be written there, before any training time is spent."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-") as handle:
            handle.write(b"\0" * 65536)  # A checkpoint needs room, not only a directory entry.
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise ValueError(f"Cannot write to the output folder {folder} ({error.strerror or error}): "
                         "choose a folder you can write to, on a disk with free space.") from None
    return folder


def save_generator(generator, path):
    """Save a generator as a `.keras` file, atomically (a temporary file, then a rename)."""
    path = Path(path)
    temporary = path.with_name(path.stem + ".tmp.keras")  # Keras insists on the .keras suffix.
    try:
        generator.save(temporary)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)
    return path


def load_generator(path, latent_dim=None):
    """Load a generator saved as `.keras`, safely (no arbitrary code), and check what it is.

    A generator maps noise `(batch, latent_dim)` to images `(batch, 28, 28, 1)`; a conditional one
    takes `[noise, labels]`, labels int `(batch,)`. Raises FileNotFoundError for a missing file and
    ValueError for a file that is not a Keras model, is not such a generator, or takes another
    latent size than `latent_dim`.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No generator at {path}: train one with `ganlib train --out DIR`.")
    try:
        generator = keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as error:  # Keras raises several types for a file that is not a model.
        if "safe_mode" in str(error):
            raise ValueError(
                f"{path} holds Python code (a Lambda layer) that would run on loading; ganlib "
                "loads models with safe_mode=True and refuses it: use a generator that "
                "`ganlib train` wrote, or rebuild the model without Lambda layers.") from None
        raise ValueError(f"{path} is not a Keras model file ({type(error).__name__}): pass the "
                         "generator.keras that `ganlib train` wrote.") from None
    noise_shape = generator.inputs[0].shape if generator.inputs else None
    if len(generator.inputs) not in (1, 2) or noise_shape is None or len(noise_shape) != 2 \
            or tuple(generator.outputs[0].shape[1:]) != IMAGE_SHAPE:
        raise ValueError(f"{path} maps {[tuple(x.shape) for x in generator.inputs]} to "
                         f"{tuple(generator.outputs[0].shape)}, not noise (batch, latent_dim) to "
                         "images (batch, 28, 28, 1): is it a discriminator?")
    if latent_dim is not None and noise_shape[-1] != latent_dim:
        raise ValueError(f"{path} takes noise of size {noise_shape[-1]}, not {latent_dim}: "
                         f"use latent_dim={noise_shape[-1]}.")
    return generator

