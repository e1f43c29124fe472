"""MNIST from disk and the `tf.data` input a GAN trains on.

- `ganlib.data.mnist`: `load_mnist` finds the data (a path, `$GANLIB_DATA`, Keras' cache, a
  download) and returns uint8 digits `(n, 28, 28)` and their labels.
- `ganlib.data.clusters`: `cluster_images` groups the images into equal-sized clusters of
  similar ones, without labels (what the `clustered` preset conditions on).
- `ganlib.data.pipeline`: `make_dataset` (one shuffled pass a call) and `epoch_batches` (every
  epoch's order a function of the seed and the epoch, for resumable training).

Pixel ranges (`scale_images`, `unscale_images`) live in `ganlib.core.pixels` and are repeated
here for convenience.
"""

from ganlib.core.pixels import scale_images, unscale_images
from ganlib.data.clusters import cluster_images
from ganlib.data.mnist import (DATASETS, DataNotFoundError, check_digits, load_mnist,
                               read_data_file, read_idx)
from ganlib.data.pipeline import epoch_batches, epoch_order, make_dataset

__all__ = ["DATASETS", "DataNotFoundError", "check_digits", "cluster_images", "epoch_batches",
           "epoch_order", "load_mnist", "make_dataset", "read_data_file", "read_idx", "scale_images",
           "unscale_images"]
