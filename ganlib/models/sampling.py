"""Drawing from a generator, conditional or not, through one function.

Everything that draws images (sample grids, FID during training, `evaluate`, `ganlib sample`)
calls `generate`, so a class-conditional generator is asked for digits in one place:

- `is_conditional(generator)`: it takes `[noise, labels]` instead of noise alone.
- `generator_labels(generator, n, labels)`: the labels to ask for: all ten digits in turn by
  default, one digit for an int, or the array you pass.
- `generate(generator, n, seed, labels)`: float32 images `(n, 28, 28, 1)` from seeded noise;
  `draw(generator, noise, labels)` the same from noise you hold (a fixed batch, say).
"""

import warnings

import numpy as np

from ganlib.core.arguments import whole_number
from ganlib.models.conditional import LABEL_EMBEDDING


def is_conditional(generator):
    """Whether `generator` takes `[noise, labels]` (a class-conditional generator)."""
    return len(generator.inputs) == 2


def latent_size(generator):
    """The length of the noise vector `generator` takes."""
    return int(generator.inputs[0].shape[-1])


def num_classes(generator):
    """How many classes a conditional generator knows (its label table's size)."""
    return int(generator.get_layer(LABEL_EMBEDDING).input_dim)


def generator_labels(generator, n, labels=None):
    """The labels `(n,)` int32 to draw `n` images with, or None for an unconditional generator.

    `labels`: None draws the classes in turn (0, 1, ..., 9, 0, 1, ...), so every digit appears
    equally often; an int asks for that digit n times; an array `(n,)` is used as it is.
    """
    if not is_conditional(generator):
        if labels is not None:
            raise ValueError("This generator is unconditional: it cannot be asked for a digit. "
                             "Leave out the digit, or train one with --preset conditional.")
        return None
    classes = num_classes(generator)
    if labels is None:
        return (np.arange(n) % classes).astype("int32")
    labels = np.full(n, labels) if np.ndim(labels) == 0 else np.asarray(labels)
    if labels.shape != (n,) or labels.size == 0 or not np.issubdtype(labels.dtype, np.integer) \
            or labels.min() < 0 or labels.max() >= classes:
        raise ValueError(f"labels must be {n} whole numbers from 0 to {classes - 1} (one digit per "
                         f"image), not {labels!r}: e.g. --digit 7.")
    return labels.astype("int32")


def generator_inputs(generator, noise, labels=None):
    """What to call `generator` with: the noise, or `[noise, labels]` for a conditional one."""
    return noise if labels is None else [noise, labels]


def generate(generator, n, seed=None, labels=None, batch_size=500):
    """Draw `n` images from a generator in inference mode: float32 `(n, 28, 28, 1)`.

    The noise comes from NumPy's generator seeded with `seed`, so the same seed gives the same
    images from the same generator. `labels` (conditional generators only): see
    `generator_labels`.
    """
    whole_number("n", n)
    labels = generator_labels(generator, n, labels)
    noise = np.random.default_rng(seed).standard_normal((n, latent_size(generator)))
    return draw(generator, noise.astype("float32"), labels, batch_size)


def draw(generator, noise, labels=None, batch_size=500):
    """The generator's images for given noise `(n, latent_dim)` (and labels `(n,)`), in inference
    mode: float32 `(n, 28, 28, 1)`."""
    # Calling the model batch by batch (rather than predict(), which compiles a function per
    # model) stays quick and quiet when a notebook samples from many different generators.
    batches = []
    with warnings.catch_warnings():
        # A generator loaded from a .keras file expects its noise as a list of one tensor; Keras
        # before 3.11 warns when it gets the tensor itself, then uses it all the same.
        warnings.filterwarnings("ignore", message="The structure of `inputs` doesn't match")
        for start in range(0, len(noise), batch_size):
            part = slice(start, start + batch_size)
            inputs = generator_inputs(generator, noise[part],
                                      None if labels is None else labels[part])
            batches.append(np.asarray(generator(inputs, training=False)))
    return np.concatenate(batches).astype("float32")
