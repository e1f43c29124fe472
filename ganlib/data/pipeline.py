"""The `tf.data` input a GAN trains on.

- `make_dataset`: one pass over the images a call, shuffled anew every pass: what you hand to
  `fit(dataset, epochs=...)` in a notebook.
- `epoch_batches`: the batches of every epoch, back to back, where the order of epoch e is a
  function of `(seed, e)` alone. `ganlib.training` trains on it with `fit(steps_per_epoch=...)`,
  so a run resumed after epoch k sees exactly the batches the uninterrupted run would have seen.

Both scale the uint8 pixels for the generator's output activation, `[-1, 1]` for tanh or
`[0, 1]` for sigmoid, and drop the last, smaller batch of an epoch so every step sees a full batch
(batch-norm statistics and the loss scale stay the same). With `labels`, each element is
`(images, labels)`: what a class-conditional GAN trains on.
"""

import numpy as np
import tensorflow as tf

from ganlib.core.arguments import whole_number
from ganlib.core.pixels import check_pixels, check_scale

EPOCH_LIMIT = 2 ** 31 - 1  # "Forever": more epochs than any run trains.


def _check_inputs(images, labels, batch_size, scale):
    whole_number("batch_size", batch_size)
    check_scale(scale)
    images = check_pixels(images)
    if batch_size > len(images):
        raise ValueError(f"batch_size {batch_size} is larger than the {len(images)} images: "
                         "use a smaller batch size or more data.")
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (len(images),):
            raise ValueError(f"labels have shape {labels.shape}; expected ({len(images)},), one "
                             "digit 0..9 per image.")
        labels = labels.astype("int32")
    return images, labels


def _scale(pixels, scale):
    """uint8 `(..., 28, 28)` -> float32 `(..., 28, 28, 1)` in the generator's range."""
    images = tf.cast(pixels[..., tf.newaxis], tf.float32) / 255.0  # [0, 1]
    return images * 2.0 - 1.0 if scale == "tanh" else images


def make_dataset(images, batch_size, scale="tanh", shuffle=True, seed=None, cache=True,
                 prefetch=True, labels=None):
    """Build the input pipeline for one pass over `images` per iteration.

    Args:
        images: uint8 `(n, 28, 28)` from `load_mnist`.
        batch_size: images per batch; the last, smaller batch is dropped.
        scale: "tanh" for [-1, 1] or "sigmoid" for [0, 1].
        shuffle: reshuffle every pass (seeded by `seed`).
        cache, prefetch: keep the scaled tensors in memory, and prepare the next batch while
            the current one trains. Both are on by default; 01_data measures what they buy.
        labels: optional `(n,)` digit labels; elements are then `(images, labels)` pairs.

    Returns:
        A `tf.data.Dataset` of float32 batches `(batch_size, 28, 28, 1)` (and int32 `(batch_size,)`
        labels).
    """
    images, labels = _check_inputs(images, labels, batch_size, scale)
    elements = images if labels is None else (images, labels)
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    # Scaling inside the pipeline keeps only the uint8 array in memory until `cache`.
    if labels is None:
        dataset = dataset.map(lambda image: _scale(image, scale))
    else:
        dataset = dataset.map(lambda image, label: (_scale(image, scale), label))
    if cache:
        dataset = dataset.cache()
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    if prefetch:
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
    return dataset


def epoch_order(count, seed, epoch):
    """The order of the `count` images in epoch `epoch` (counted from 0): int32 `(count,)`.

    A function of `(seed, epoch)` alone, drawn with TensorFlow's stateless random numbers, so it
    is the same in every process and after every resume.
    """
    keys = tf.random.stateless_uniform([count], seed=tf.stack([tf.cast(seed, tf.int64),
                                                               tf.cast(epoch, tf.int64)]))
    return tf.cast(tf.argsort(keys), tf.int32)


def epoch_batches(images, batch_size, seed=0, first_epoch=0, scale="tanh", labels=None):
    """Batches of epoch `first_epoch`, then of the next epoch, and so on, without end.

    Each epoch is `len(images) // batch_size` batches (`steps_per_epoch`) in the order
    `epoch_order(len(images), seed, epoch)`. Pass it to `fit(..., steps_per_epoch=...)`; start a
    resumed run with `first_epoch` = the epochs already done.

    Returns:
        `(dataset, steps_per_epoch)`; the dataset's elements are float32 `(batch_size, 28, 28, 1)`
        batches, or `(images, labels)` pairs when `labels` is given.
    """
    images, labels = _check_inputs(images, labels, batch_size, scale)
    whole_number("first_epoch", first_epoch, minimum=0)
    steps_per_epoch = len(images) // batch_size
    pixels = tf.constant(images)  # uint8 (n, 28, 28): scaled batch by batch, after the gather.
    label_tensor = tf.constant(labels) if labels is not None else None

    def batches_of(epoch):
        order = epoch_order(len(images), seed, epoch)[:steps_per_epoch * batch_size]
        return tf.data.Dataset.from_tensor_slices(tf.reshape(order, (steps_per_epoch, batch_size)))

    def gather(indices):
        batch = _scale(tf.gather(pixels, indices), scale)  # (batch, 28, 28, 1)
        return batch if label_tensor is None else (batch, tf.gather(label_tensor, indices))

    dataset = tf.data.Dataset.range(first_epoch, EPOCH_LIMIT).flat_map(batches_of)
    dataset = dataset.map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE), steps_per_epoch
