"""Checks for 01_data's exercises: scale_to_tanh, select_digits, input_pipeline.

They run on made-up uint8 "digits" (`exercise_digits`), never on MNIST. Image k has the value k
in its top-left pixel and the extremes 0 and 255 beside it, so a check can tell which image a
pipeline returned even when it was scaled wrongly.
"""

import numpy as np
import tensorflow as tf

from ganlib.exercises.report import (Diagnosis, When, as_array, call, diagnose, exercise, fail,
                                     require)

PIPELINE_IMAGES = 100
PIPELINE_BATCH = 24  # Not a usual batch size, so a hard-coded 32 or 64 shows.
PIPELINE_SEED = 1234
PASSES = 3


def exercise_digits(count=40, seed=0):
    """Made-up uint8 images `(count, 28, 28)` and labels 0..9 `(count,)`, labels cycling."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    images[:, 0, 0] = np.arange(count)  # Which image this is.
    images[:, 0, 1], images[:, 0, 2] = 0, 255  # The extremes, to undo any linear scaling.
    labels = (np.arange(count) % 10).astype(np.uint8)
    return images, labels


def _tanh_scaled(images):
    """The reference: uint8 0..255 -> float64 [-1, 1], 0 -> -1, 255 -> 1."""
    return np.asarray(images, dtype="float64") / 127.5 - 1.0


def _scaling_diagnoses(images):
    """The wrong scalings a learner writes, for uint8 `images` in the layout compared."""
    expected = _tanh_scaled(images)
    return [
        Diagnosis("sigmoid_range", expected / 2.0 + 0.5,
                  "that is the sigmoid range [0, 1]; map 0..255 onto [-1, 1] instead"),
        Diagnosis("not_shifted", expected + 1.0,
                  "the values reach 2: the range has the right width but still needs a shift"),
        Diagnosis("divided_by_128", np.asarray(images, dtype="float64") / 128.0 - 1.0,
                  "255 lands just below 1: which number is exactly half of 255?"),
        Diagnosis("inverted", -expected, "0 and 255 swapped ends: 0 (black) should become -1"),
        Diagnosis("unscaled", np.asarray(images, dtype="float64"),
                  "the pixels are still 0..255: map them onto [-1, 1]"),
    ]


@exercise("scale_to_tanh")
def scale_to_tanh(function):
    """Check `function(images) -> scaled` for the tanh generator's data range.

    `images` are uint8 `(n, 28, 28)` in 0..255; the result must be float32 `(n, 28, 28, 1)`
    in [-1, 1], linear in the pixel value, with 0 -> -1 and 255 -> 1.
    """
    images, _ = exercise_digits(8)
    scaled = as_array(call(function, images.copy(), label="scale_to_tanh"), "scale_to_tanh")
    diagnose(scaled.shape, (8, 28, 28, 1), [
        Diagnosis("no_channel_axis", (8, 28, 28),
                  "the networks read images with one channel axis, at the end"),
        Diagnosis("channels_first", (8, 1, 28, 28),
                  "Keras puts the channel axis last, after height and width")],
        f"shape {scaled.shape}, expected (8, 28, 28, 1)",
        "keep one image per row and add a channel axis of size 1 at the end")
    require(scaled.dtype == np.float32, f"dtype {scaled.dtype}, expected float32",
            "the networks compute in float32; which step of yours made another type?", "dtype")
    values = scaled.astype("float64")[..., 0]
    diagnose(values, _tanh_scaled(images), _scaling_diagnoses(images),
             f"values span [{values.min():.3f}, {values.max():.3f}]",
             "0 should map to -1 and 255 to 1, linearly in between")
    return "shape, dtype and values match (0 -> -1, 255 -> 1)"


def _shown(values, limit=10):
    values = [int(value) for value in np.ravel(values)]
    return str(values[:limit])[:-1] + (", ...]" if len(values) > limit else "]")


@exercise("select_digits")
def select_digits(function):
    """Check `function(images, labels, digits) -> (images, labels)` keeping some classes.

    The result must hold exactly the images (and labels) whose label is in the list `digits`,
    in their original order; tried with [0], [3, 7] and [9, 1, 4].
    """
    images, labels = exercise_digits(40)
    for digits in ([0], [3, 7], [9, 1, 4]):
        keep = np.isin(labels, digits)
        value = call(function, images.copy(), labels.copy(), list(digits), label="select_digits")
        require(isinstance(value, (tuple, list)) and len(value) == 2,
                f"digits {digits}: returned {type(value).__name__}",
                "return the pair (images, labels)", "not_a_pair")
        kept_images = as_array(value[0], "select_digits' images")
        kept_labels = as_array(value[1], "select_digits' labels")
        grouped = np.concatenate([labels[labels == digit] for digit in digits])
        diagnose(kept_labels, labels[keep], [
            Diagnosis("first_digit_only", labels[labels == digits[0]],
                      f"only digit {digits[0]} survived: keep every digit in the list"),
            Diagnosis("grouped_by_digit", grouped,
                      "the right labels, grouped digit by digit: keep the original order"),
            Diagnosis("kept_the_others", labels[~keep],
                      "those are exactly the digits NOT in the list: the mask is inverted"),
            Diagnosis("nothing_selected", When(lambda got: len(got) == len(kept_images) == 40),
                      "everything came back: pick out the images whose label is listed"),
            Diagnosis("labels_unfiltered", labels,
                      "the labels were not selected: apply the same selection to them")],
            f"digits {digits}: kept labels {_shown(kept_labels)}",
            f"keep the {int(keep.sum())} images whose label is in {digits}, in their order")
        diagnose(kept_images, images[keep], [
            Diagnosis("images_unfiltered", images,
                      "the images were not selected along with their labels")],
            f"digits {digits}: the labels are right but the images are not "
            f"(shape {kept_images.shape})",
            "select the images with the same mask as the labels", tolerance=0.0)
    return "keeps exactly the listed digits, images with their labels, in their original order"


def _read_pass(dataset):
    """One pass over the dataset as a list of NumPy batches; take() stops an endless one."""
    try:
        return [np.asarray(batch) for batch in dataset.take(25)]
    except Exception as error:  # A broken pipeline fails when it is read.
        fail(f"reading the dataset raised {type(error).__name__}",
             "build the pipeline step by step and read one element after each step",
             "unreadable_dataset")


def _image_ids(batches):
    """Which made-up image each element is, whatever linear scaling was applied (-1: unknown)."""
    flat = np.concatenate(batches).astype("float64")[..., 0]
    black, white, corner = flat[:, 0, 1], flat[:, 0, 2], flat[:, 0, 0]
    with np.errstate(all="ignore"):
        ids = np.rint((corner - black) / (white - black) * 255.0)
    valid = np.isfinite(ids) & (ids >= 0) & (ids < PIPELINE_IMAGES)
    return flat, np.where(valid, ids, -1).astype(int)


def _is_block(ids):
    """Whether a batch holds exactly one run of consecutive original images."""
    ids = np.sort(ids)
    return ids[0] % PIPELINE_BATCH == 0 and np.array_equal(ids, np.arange(ids[0],
                                                                          ids[0] + len(ids)))


def _pipeline_passes(function, images):
    """Build the learner's dataset under a fixed TensorFlow seed and read it PASSES times."""
    previous_seed, _ = tf.compat.v1.get_seed(None)
    tf.random.set_seed(PIPELINE_SEED)  # An unseeded shuffle() then repeats from run to run.
    try:
        dataset = call(function, images.copy(), PIPELINE_BATCH, label="make_pipeline")
        require(isinstance(dataset, tf.data.Dataset), f"returned {type(dataset).__name__}",
                "return a tf.data.Dataset", "not_a_dataset")
        return [_read_pass(dataset) for _ in range(PASSES)]
    finally:
        tf.random.set_seed(previous_seed)


def _expect_batch_shape(batch):
    diagnose(batch.shape, (PIPELINE_BATCH, 28, 28, 1), [
        Diagnosis("ignores_batch_size", When(lambda shape: shape[1:] == (28, 28, 1)),
                  "the batch size is not the one passed in: use the batch_size argument")],
        f"a batch has shape {batch.shape}, expected (24, 28, 28, 1)",
        "each image (28, 28, 1), 24 of them a batch")


@exercise("input_pipeline")
def input_pipeline(function):
    """Check `function(images, batch_size) -> tf.data.Dataset` for GAN training.

    Given 100 uint8 images and `batch_size=24`, one pass must give 4 batches (the partial
    batch dropped), each float32 `(24, 28, 28, 1)` scaled to [-1, 1], no image twice, the
    images shuffled one by one (not whole batches), with a buffer large enough to mix the whole
    set, in a new order every pass. The check seeds TensorFlow, so an unseeded shuffle repeats.
    """
    images, _ = exercise_digits(PIPELINE_IMAGES)
    passes = _pipeline_passes(function, images)
    batches = passes[0]
    shape = batches[0].shape if batches else None
    require(bool(batches) and batches[0].ndim == 4,
            f"the first element has shape {shape}, expected (24, 28, 28, 1)",
            "scale each image, give it a channel axis, then group the images into batches",
            "not_batched")
    _expect_batch_shape(batches[0])
    diagnose(len(batches), 4, [
        Diagnosis("repeats", 25, "it never ends: fit() starts a new pass every epoch by "
                                 "itself, so the dataset should end after one pass"),
        Diagnosis("kept_partial_batch", 5, "the last batch has only 4 images: every step "
                                           "should see a full batch")],
        f"{len(batches)} batches from 100 images with batch_size 24, expected 4",
        "100 // 24 full batches, the rest dropped")
    for batch in batches:
        _expect_batch_shape(batch)
    require(all(batch.dtype == np.float32 for batch in batches),
            f"dtype {batches[0].dtype}, expected float32",
            "the networks compute in float32; which step of yours made another type?", "dtype")
    flat, ids = _image_ids(batches)
    known = images[np.maximum(ids, 0)]
    diagnose(flat, _tanh_scaled(known), _scaling_diagnoses(known),
             f"pixels span [{flat.min():.3f}, {flat.max():.3f}] and do not match the images "
             "scaled to [-1, 1]", "0 should map to -1 and 255 to 1, linearly in between",
             tolerance=1e-4)
    require(len(set(ids.tolist())) == len(ids), "some images appear twice in one pass",
            "each image once per pass: what in your pipeline repeats elements?", "duplicates")
    orders = [_image_ids(one_pass)[1] for one_pass in passes]
    require(any(np.any(order != np.arange(len(order))) for order in orders),
            "the images come in their original order in every pass",
            "GAN training wants the images in a random order", "not_shuffled")
    split = [np.reshape(order, (-1, PIPELINE_BATCH)) for order in orders]
    require(not all(_is_block(batch) for one_pass in split for batch in one_pass),
            "each batch holds 24 neighbouring images of the original order",
            "whole batches were shuffled, not the images: which comes first, shuffle or batch?",
            "shuffled_batches")
    require(max(int(one_pass[0].max()) for one_pass in split) >= 60,
            "the first batch of every pass only holds images from the start of the data",
            "the shuffle buffer is small: an image can only move as far as the buffer reaches",
            "small_buffer")
    require(not all(np.array_equal(order, orders[0]) for order in orders[1:]),
            "every pass comes in the same order",
            "the order should change every epoch: is something after the shuffle remembering "
            "the first pass, or is reshuffling switched off?", "not_reshuffled")
    return ("4 full batches (24, 28, 28, 1), float32 in [-1, 1], images shuffled one by one "
            "and anew every pass")
