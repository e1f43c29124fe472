"""Image shapes and pixel ranges, in one place.

The course meets three ranges: uint8 pixels 0..255 (MNIST on disk), floats in [-1, 1] (what a
tanh generator draws, and what it trains on) and floats in [0, 1] (a sigmoid generator, and the
classifier's input). `scale_images` goes from pixels to a generator's range; `unscale_images`
and `to_unit_interval` come back from either float range. Which float range an array is in is
decided here and nowhere else: an array with any value below zero is read as [-1, 1].
"""

from pathlib import Path

import numpy as np

IMAGE_SHAPE = (28, 28, 1)  # (height, width, channels) of one digit
SCALES = ("tanh", "sigmoid")  # "tanh": [-1, 1]; "sigmoid": [0, 1]
# Floats may overshoot their range by this much (float16 rounding, resampling) and are clipped.
RANGE_TOLERANCE = 1e-3


def check_scale(scale):
    """`scale` if it is "tanh" or "sigmoid", else a ValueError saying what each means."""
    if scale not in SCALES:
        raise ValueError(f"scale must be 'tanh' (data in [-1, 1]) or 'sigmoid' (data in [0, 1]), "
                         f"not {scale!r}.")
    return scale


def _as_image_stack(images, name):
    """`images` as an array `(n, 28, 28)` (a trailing channel of 1 is dropped), n >= 1."""
    if isinstance(images, (str, bytes, Path)):
        raise ValueError(f"{name} is a path ({images!s}), not an array: load it first, e.g. "
                         "with numpy.load(path).")
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE[:2]:
        raise ValueError(f"{name} have shape {images.shape}, expected (n, 28, 28) or "
                         "(n, 28, 28, 1): reshape them, e.g. images.reshape(-1, 28, 28).")
    if len(images) == 0:
        raise ValueError(f"{name} hold no images: pass at least one 28x28 image.")
    return images


def check_pixels(images, name="images"):
    """Check that `images` are uint8 pixels `(n, 28, 28)` (or `(n, 28, 28, 1)`); return `(n, 28, 28)`.

    Raises a ValueError that starts with `name` (a file name, or an argument's name) and says how
    to fix the array.
    """
    images = _as_image_stack(images, name)
    if images.dtype != np.uint8:
        hint = ("floats in [0, 1] or [-1, 1] become pixels with ganlib.core.pixels.unscale_images"
                "(images)" if np.issubdtype(images.dtype, np.floating)
                else "whole numbers 0..255 convert with images.astype(numpy.uint8)")
        raise ValueError(f"{name} are {images.dtype}, expected uint8 pixels 0..255: {hint}.")
    return images


def to_unit_interval(images, name="images"):
    """Any accepted images -> float32 `(n, 28, 28)` in [0, 1].

    Accepted: shape `(n, 28, 28)` or `(n, 28, 28, 1)`; uint8 pixels 0..255, or floats in [0, 1],
    or floats in [-1, 1]. A float array with any value below zero is read as [-1, 1] (tanh
    output), otherwise as [0, 1]. Anything else raises a ValueError naming the problem and the fix.
    """
    images = _as_image_stack(images, name)
    if images.dtype == np.uint8:
        return images.astype("float32") / 255.0
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"{name} are {images.dtype}; expected uint8 pixels 0..255 or floats in "
                         "[0, 1] or [-1, 1]: convert them, e.g. images.astype(numpy.uint8) for "
                         "whole numbers 0..255.")
    images = images.astype("float32")
    finite = np.isfinite(images)
    if not finite.all():
        bad_images = int((~finite).any(axis=(1, 2)).sum())
        raise ValueError(f"{name} contain NaN or infinite values ({bad_images} of {len(images)} "
                         "images): the generator has diverged; use a checkpoint from before it did.")
    lowest, highest = float(images.min()), float(images.max())
    if lowest < 0.0:
        if lowest < -1.0 - RANGE_TOLERANCE or highest > 1.0 + RANGE_TOLERANCE:
            raise ValueError(f"{name} range from {lowest:.4g} to {highest:.4g}; floats with "
                             "negative values must lie in [-1, 1] (tanh output): clip them, e.g. "
                             "numpy.clip(images, -1, 1).")
        images = (images + 1.0) / 2.0
    elif highest > 1.0 + RANGE_TOLERANCE:
        raise ValueError(f"{name} range from {lowest:.4g} to {highest:.4g}; floats must lie in "
                         "[0, 1] or [-1, 1]: divide 0..255 pixel values by 255, or pass uint8.")
    return np.clip(images, 0.0, 1.0)


def scale_images(images, scale="tanh"):
    """uint8 pixels `(n, 28, 28)` -> float32 `(n, 28, 28, 1)` in [-1, 1] ("tanh") or [0, 1] ("sigmoid")."""
    check_scale(scale)
    images = check_pixels(images)
    scaled = images[..., np.newaxis].astype("float32") / 255.0  # (n, 28, 28, 1) in [0, 1]
    return scaled * 2.0 - 1.0 if scale == "tanh" else scaled


def unscale_images(images):
    """Generator output in [-1, 1] or [0, 1] (or uint8 already) -> uint8 pixels `(n, 28, 28)`."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return _as_image_stack(images, "images")
    return np.round(to_unit_interval(images) * 255.0).astype(np.uint8)
