"""Figures for the course: image grids, real versus fake, training curves.

Every function takes images as NumPy arrays in any of the shapes and ranges the course uses
(`(n, 28, 28)` or `(n, 28, 28, 1)`; uint8 0..255, or float in [0, 1] or [-1, 1]) and returns
a matplotlib `Figure`, so a notebook shows it inline and a script can `fig.savefig(...)` it.
`grid_array` and `save_grid` build the same grid as pixels, without matplotlib, for PNG files.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from ganlib.core.pixels import unscale_images


def _as_pixels(images):
    """Any accepted image array (or one image `(28, 28)`) -> uint8 `(n, 28, 28)`."""
    images = np.asarray(images)
    return unscale_images(images[np.newaxis] if images.ndim == 2 else images)


def grid_array(images, columns=None, padding=2):
    """Tile images into one uint8 picture `(rows * 30 + 2, columns * 30 + 2)` with dark borders."""
    pixels = _as_pixels(images)
    count, height, width = pixels.shape
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    canvas = np.zeros((rows * (height + padding) + padding, columns * (width + padding) + padding),
                      dtype=np.uint8)
    for index, image in enumerate(pixels):
        row, column = divmod(index, columns)
        top, left = padding + row * (height + padding), padding + column * (width + padding)
        canvas[top:top + height, left:left + width] = image
    return canvas


def save_grid(images, path, columns=None, scale=2):
    """Write a grid of images to a PNG file at `scale` times the original size.

    Digits are drawn dark on white, as in the figures the notebooks show (`cmap="gray_r"`).
    """
    canvas = 255 - grid_array(images, columns)
    picture = Image.fromarray(canvas).resize((canvas.shape[1] * scale, canvas.shape[0] * scale),
                                             Image.NEAREST)
    picture.save(path)
    return path


def image_grid(images, columns=None, title=None, labels=None, size=1.0):
    """Show images in a grid, optionally with a label over each one. Returns the Figure."""
    pixels = _as_pixels(images)
    count = len(pixels)
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(columns * size, rows * size + 0.3 * bool(title)),
                                squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < count:
            axis.imshow(pixels[index], cmap="gray_r", vmin=0, vmax=255)
            if labels is not None:
                axis.set_title(str(labels[index]), fontsize=8)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def real_vs_fake(real_images, fake_images, columns=8, rows=4):
    """Real digits on the left, generated ones on the right, the same number of each."""
    count = columns * rows
    figure, axes = plt.subplots(1, 2, figsize=(2 * columns * 0.5 + 0.5, rows * 0.5 + 0.6))
    for axis, images, title in ((axes[0], real_images, "Real"), (axes[1], fake_images, "Fake")):
        axis.imshow(grid_array(np.asarray(images)[:count], columns), cmap="gray_r", vmin=0, vmax=255)
        axis.set_title(title)
        axis.axis("off")
    figure.tight_layout()
    return figure


def plot_history(history, title=None):
    """Loss curves, and what the discriminator believes, from a Keras `History` or its dict.

    For the objectives built on a probability the right panel shows mean D(x) and D(G(z)); for
    the others (hinge, least squares, ...) the mean raw scores on real and fake images.
    """
    history = getattr(history, "history", history)
    epochs = np.arange(1, len(history["d_loss"]) + 1)
    figure, (loss_axis, score_axis) = plt.subplots(1, 2, figsize=(9, 3.2))
    loss_axis.plot(epochs, history["d_loss"], label="discriminator")
    loss_axis.plot(epochs, history["g_loss"], label="generator")
    loss_axis.set(xlabel="epoch", ylabel="loss", title="Losses")
    loss_axis.legend()
    if "d_real" in history:
        score_axis.plot(epochs, history["d_real"], label="D(x), real")
        score_axis.plot(epochs, history["d_fake"], label="D(G(z)), fake")
        score_axis.axhline(0.5, color="gray", linestyle=":", linewidth=1)
        score_axis.set(xlabel="epoch", ylabel="mean probability 'real'", ylim=(0, 1),
                       title="What the discriminator believes")
    else:
        score_axis.plot(epochs, history["real_score"], label="score on real images")
        score_axis.plot(epochs, history["fake_score"], label="score on fakes")
        score_axis.set(xlabel="epoch", ylabel="mean score", title="The discriminator's scores")
    score_axis.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
