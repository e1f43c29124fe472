"""Differentiable augmentation: show the discriminator shifted and partly hidden digits.

With only a few thousand real images, a discriminator soon remembers them, and its judgement
stops being useful to the generator. DiffAugment (Zhao et al., 2020) and ADA (Karras et al.,
2020) transform *every* image the discriminator sees, real and generated alike, with operations
the generator's gradient can pass through; the generator is then never asked to draw shifted or
holed digits, because the discriminator cannot tell which images were transformed.

- `translation`: shift each image by up to `max_shift` pixels in each direction, filling with
  the background.
- `cutout`: blank a `size` x `size` square at a random place in each image.

There are no flips: a mirrored 2 is not a digit. `make_augment("translation,cutout",
background=-1.0)` builds the pipeline; the images are `(batch, 28, 28, 1)` and the background is
the value of an empty pixel (-1 for tanh data, 0 for sigmoid data).
"""

from keras import ops

from ganlib.core.arguments import one_of
from ganlib.engine import backend

SIDE = 28  # Image height and width.


def _shift_matrices(shifts):
    """`(batch,)` int shifts -> `(batch, 28, 28)` matrices M with (M v)[i] = v[i - shift]."""
    index = ops.arange(SIDE)
    target = index[None, :, None] - shifts[:, None, None]  # (batch, 28, 1)
    return ops.cast(ops.equal(target, index[None, None, :]), "float32")


def translation(images, seed, background=-1.0, max_shift=2):
    """Shift every image by its own whole number of pixels in [-max_shift, max_shift], both axes."""
    batch = ops.shape(images)[0]
    shifts = backend.integers((2, batch), seed, -max_shift, max_shift + 1)
    rows, columns = _shift_matrices(shifts[0]), _shift_matrices(shifts[1])
    ink = images[..., 0] - background  # 0 on the background, so shifting in zeros adds background
    moved = ops.einsum("bij,bjk,blk->bil", rows, ink, columns)  # rows shifted, then columns
    return moved[..., None] + background


def cutout(images, seed, background=-1.0, size=8):
    """Blank one `size` x `size` square per image, at a random place (it may hang over the edge)."""
    batch = ops.shape(images)[0]
    starts = backend.integers((2, batch), seed, 0, SIDE) - size // 2  # top-left corners
    offsets = ops.arange(SIDE)[None, :] - starts[:, :, None]  # (2, batch, 28)
    inside = ops.logical_and(offsets >= 0, offsets < size)
    inside_rows, inside_columns = inside[0], inside[1]
    hole = ops.logical_and(inside_rows[:, :, None], inside_columns[:, None, :])  # (batch, 28, 28)
    keep = 1.0 - ops.cast(hole, "float32")[..., None]
    return images * keep + background * (1.0 - keep)


AUGMENTATIONS = {"translation": translation, "cutout": cutout}


def make_augment(spec, background=-1.0):
    """A function `(images, seeds) -> images` applying the comma-separated augmentations in `spec`.

    `seeds` is a list with one stateless seed per augmentation. Returns `(function, count)`, or
    `(None, 0)` for an empty spec.
    """
    if not spec:
        return None, 0
    names = [one_of("augmentation", name.strip(), tuple(AUGMENTATIONS))
             for name in str(spec).split(",")]

    def augment(images, seeds):
        for name, seed in zip(names, seeds):
            images = AUGMENTATIONS[name](images, seed, background)
        return images

    return augment, len(names)
