"""The checks of 01_data's exercises: right answers in several styles pass, each usual wrong
answer fails with its own diagnosis and line, and the notebook's stubs fail without raising."""

import numpy as np
import pytest
import tensorflow as tf

from ganlib.exercises import data, solutions
from test_exercises_report import case_ids, cases, expect_verdict


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


# --- scale_to_tanh ------------------------------------------------------------------------------


def scale_stub(images):
    """uint8 (n, 28, 28) in 0..255 -> float32 (n, 28, 28, 1) in [-1, 1]."""
    # Your code here: add a channel axis, convert to float32, map 0..255 onto -1..1.
    return images


def scale_with_tensorflow(images):
    return tf.cast(images, tf.float32)[..., tf.newaxis] / 127.5 - 1.0


def scale_by_centring(images):
    return (np.expand_dims(images, -1).astype(np.float32) - 127.5) / 127.5


def channel_last(function):
    return lambda images: function(images.astype("float32"))[..., np.newaxis]


SCALE_WRONG = [
    (channel_last(lambda x: x / 255.0), "sigmoid_range",
     "values span [0.000, 1.000] — that is the sigmoid range [0, 1]; map 0..255 onto [-1, 1] "
     "instead"),
    (channel_last(lambda x: x / 127.5), "not_shifted",
     "values span [0.000, 2.000] — the values reach 2: the range has the right width but still "
     "needs a shift"),
    (channel_last(lambda x: x / 128.0 - 1.0), "divided_by_128",
     "values span [-1.000, 0.992] — 255 lands just below 1: which number is exactly half of "
     "255?"),
    (channel_last(lambda x: 1.0 - x / 127.5), "inverted",
     "values span [-1.000, 1.000] — 0 and 255 swapped ends: 0 (black) should become -1"),
    (channel_last(lambda x: x), "unscaled",
     "values span [0.000, 255.000] — the pixels are still 0..255: map them onto [-1, 1]"),
    (channel_last(lambda x: x / 255.0 - 1.0), "mismatch",
     "values span [-1.000, 0.000] — 0 should map to -1 and 255 to 1, linearly in between"),
    (lambda images: images.astype("float32") / 127.5 - 1.0, "no_channel_axis",
     "shape (8, 28, 28), expected (8, 28, 28, 1) — the networks read images with one channel "
     "axis, at the end"),
    (lambda images: images[:, np.newaxis].astype("float32") / 127.5 - 1.0, "channels_first",
     "shape (8, 1, 28, 28), expected (8, 28, 28, 1) — Keras puts the channel axis last, after "
     "height and width"),
    (lambda images: images.reshape(8, 784, 1).astype("float32"), "mismatch",
     "shape (8, 784, 1), expected (8, 28, 28, 1) — keep one image per row and add a channel "
     "axis of size 1 at the end"),
    (lambda images: images[..., np.newaxis] / 127.5 - 1.0, "dtype",
     "dtype float64, expected float32 — the networks compute in float32; which step of yours "
     "made another type?"),
    (lambda images: ["not", "numbers"], "not_numbers",
     "scale_to_tanh returned list, not an array of numbers — return numbers: a NumPy array, a "
     "tensor or a float"),
    (scale_stub, "no_channel_axis",
     "shape (8, 28, 28), expected (8, 28, 28, 1) — the networks read images with one channel "
     "axis, at the end"),
    (raising_stub, "raised",
     "scale_to_tanh raised NotImplementedError: Write this function. — read the error, then try "
     "your code by hand on a small input"),
]


# --- select_digits ------------------------------------------------------------------------------


def select_stub(images, labels, digits):
    """Keep the images (n, 28, 28) and labels (n,) whose label is in `digits`."""
    # Your code here: build a boolean mask from the labels (np.isin helps) and apply it to both.
    return images, labels


def select_with_a_loop(images, labels, digits):
    kept = [index for index, label in enumerate(labels) if label in digits]
    return images[kept], labels[kept]


def select_with_tensorflow(images, labels, digits):
    mask = tf.reduce_any(tf.equal(labels[:, None], tf.constant(digits, labels.dtype)), axis=1)
    return tf.boolean_mask(images, mask), tf.boolean_mask(labels, mask)


def select_grouped(images, labels, digits):
    kept = np.concatenate([np.flatnonzero(labels == digit) for digit in digits])
    return images[kept], labels[kept]


SELECT_WRONG = [
    (lambda images, labels, digits: (images[labels == digits[0]], labels[labels == digits[0]]),
     "first_digit_only",
     "digits [3, 7]: kept labels [3, 3, 3, 3] — only digit 3 survived: keep every digit in the "
     "list"),
    (select_grouped, "grouped_by_digit",
     "digits [3, 7]: kept labels [3, 3, 3, 3, 7, 7, 7, 7] — the right labels, grouped digit by "
     "digit: keep the original order"),
    (lambda images, labels, digits: (images[~np.isin(labels, digits)],
                                     labels[~np.isin(labels, digits)]), "kept_the_others",
     "digits [0]: kept labels [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, ...] — those are exactly the digits "
     "NOT in the list: the mask is inverted"),
    (lambda images, labels, digits: (images[np.isin(labels, digits)], labels),
     "labels_unfiltered",
     "digits [0]: kept labels [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...] — the labels were not "
     "selected: apply the same selection to them"),
    (lambda images, labels, digits: (images, labels[np.isin(labels, digits)]),
     "images_unfiltered",
     "digits [0]: the labels are right but the images are not (shape (40, 28, 28)) — the images "
     "were not selected along with their labels"),
    (lambda images, labels, digits: (images[::-1][np.isin(labels, digits)],
                                     labels[np.isin(labels, digits)]), "mismatch",
     "digits [0]: the labels are right but the images are not (shape (4, 28, 28)) — select the "
     "images with the same mask as the labels"),
    (lambda images, labels, digits: (labels[labels < 3], labels[labels < 3]), "mismatch",
     "digits [0]: kept labels [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, ...] — keep the 4 images whose "
     "label is in [0], in their order"),
    (lambda images, labels, digits: (images[:10], labels[:10]), "mismatch",
     "digits [0]: kept labels [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] — keep the 4 images whose label is "
     "in [0], in their order"),
    (lambda images, labels, digits: np.isin(labels, digits), "not_a_pair",
     "digits [0]: returned ndarray — return the pair (images, labels)"),
    (select_stub, "nothing_selected",
     "digits [0]: kept labels [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...] — everything came back: pick "
     "out the images whose label is listed"),
    (raising_stub, "raised", None),
]


# --- input_pipeline -----------------------------------------------------------------------------


def pipeline_stub(images, batch_size):
    """uint8 images (n, 28, 28) -> tf.data.Dataset of float32 batches (batch_size, 28, 28, 1)."""
    # Your code here: from_tensor_slices, map a scaling function, cache, shuffle, batch, prefetch.
    return tf.data.Dataset.from_tensor_slices(images)


def scale(image):
    return tf.cast(image[..., tf.newaxis], tf.float32) / 127.5 - 1.0


def slices(images):
    return tf.data.Dataset.from_tensor_slices(images)


def pipeline_scaled_in_numpy(images, batch_size):
    scaled = images[..., np.newaxis].astype("float32") / 127.5 - 1.0
    dataset = slices(scaled).shuffle(buffer_size=len(scaled), reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=True)


def pipeline_shuffling_first(images, batch_size):
    return slices(images).shuffle(len(images), seed=7).map(scale).batch(batch_size, True)


PIPELINE_WRONG = [
    (lambda images, b: slices(images).map(scale).batch(b, drop_remainder=True).shuffle(10),
     "shuffled_batches",
     "each batch holds 24 neighbouring images of the original order — whole batches were "
     "shuffled, not the images: which comes first, shuffle or batch?"),
    (lambda images, b: slices(images).map(scale).shuffle(10).batch(b, drop_remainder=True),
     "small_buffer",
     "the first batch of every pass only holds images from the start of the data — the shuffle "
     "buffer is small: an image can only move as far as the buffer reaches"),
    (lambda images, b: slices(images).map(scale).shuffle(100).cache().batch(b, True),
     "not_reshuffled",
     "every pass comes in the same order — the order should change every epoch: is something "
     "after the shuffle remembering the first pass, or is reshuffling switched off?"),
    (lambda images, b: slices(images).map(scale).shuffle(100, reshuffle_each_iteration=False)
     .batch(b, True), "not_reshuffled", None),
    (lambda images, b: slices(images).map(scale).batch(b, drop_remainder=True), "not_shuffled",
     "the images come in their original order in every pass — GAN training wants the images in "
     "a random order"),
    (lambda images, b: slices(images).map(scale).shuffle(100).batch(b), "kept_partial_batch",
     "5 batches from 100 images with batch_size 24, expected 4 — the last batch has only 4 "
     "images: every step should see a full batch"),
    (lambda images, b: slices(images).map(scale).shuffle(100).batch(b, True).repeat(), "repeats",
     "25 batches from 100 images with batch_size 24, expected 4 — it never ends: fit() starts a "
     "new pass every epoch by itself, so the dataset should end after one pass"),
    (lambda images, b: slices(images).map(scale).shuffle(100).batch(b, True).take(2), "mismatch",
     "2 batches from 100 images with batch_size 24, expected 4 — 100 // 24 full batches, the "
     "rest dropped"),
    (lambda images, b: slices(images).map(scale).shuffle(100).batch(32, True),
     "ignores_batch_size",
     "a batch has shape (32, 28, 28, 1), expected (24, 28, 28, 1) — the batch size is not the "
     "one passed in: use the batch_size argument"),
    (lambda images, b: slices(images).map(lambda x: scale(x)[..., 0]).shuffle(100)
     .batch(b, True), "not_batched", None),
    (lambda images, b: slices(images).map(lambda x: tf.reshape(scale(x), (28, 14, 2))).shuffle(100)
     .batch(b, True), "mismatch",
     "a batch has shape (24, 28, 14, 2), expected (24, 28, 28, 1) — each image (28, 28, 1), 24 "
     "of them a batch"),
    (lambda images, b: slices(images).map(lambda x: tf.cast(scale(x), tf.float64)).shuffle(100)
     .batch(b, True), "dtype",
     "dtype float64, expected float32 — the networks compute in float32; which step of yours "
     "made another type?"),
    (lambda images, b: slices(images).map(lambda x: (scale(x) + 1.0) / 2.0).shuffle(100)
     .batch(b, True), "sigmoid_range",
     "pixels span [0.000, 1.000] and do not match the images scaled to [-1, 1] — that is the "
     "sigmoid range [0, 1]; map 0..255 onto [-1, 1] instead"),
    (lambda images, b: slices(images).map(lambda x: scale(x) / 0.0).shuffle(100).batch(b, True),
     "mismatch",
     "pixels span [-inf, inf] and do not match the images scaled to [-1, 1] — 0 should map to -1 "
     "and 255 to 1, linearly in between"),
    (lambda images, b: slices(np.concatenate([images[:50], images[:50]])).map(scale)
     .shuffle(100).batch(b, True), "duplicates",
     "some images appear twice in one pass — each image once per pass: what in your pipeline "
     "repeats elements?"),
    (lambda images, b: slices(images).map(lambda x: tf.debugging.check_numerics(scale(x) / 0.0,
                                                                                "inf"))
     .batch(b, True), "unreadable_dataset",
     "reading the dataset raised InvalidArgumentError — build the pipeline step by step and "
     "read one element after each step"),
    (lambda images, b: images, "not_a_dataset",
     "returned ndarray — return a tf.data.Dataset"),
    (pipeline_stub, "not_batched",
     "the first element has shape (28, 28), expected (24, 28, 28, 1) — scale each "
     "image, give it a channel axis, then group the images into batches"),
    (raising_stub, "raised", None),
]


CASES = (
    cases(data.scale_to_tanh, [solutions.scale_to_tanh, scale_with_tensorflow, scale_by_centring],
          "shape, dtype and values match (0 -> -1, 255 -> 1)", SCALE_WRONG)
    + cases(data.select_digits, [solutions.select_digits, select_with_a_loop,
                                 select_with_tensorflow],
            "keeps exactly the listed digits, images with their labels, in their original order",
            SELECT_WRONG)
    + cases(data.input_pipeline, [solutions.make_pipeline, pipeline_scaled_in_numpy,
                                  pipeline_shuffling_first],
            "4 full batches (24, 28, 28, 1), float32 in [-1, 1], images shuffled one by one and "
            "anew every pass", PIPELINE_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)


def test_input_pipeline_gives_the_same_verdict_every_time(capsys):
    """Seeded: batch-then-shuffle fails every time, not two times in three."""
    def batch_then_shuffle(images, batch_size):
        return slices(images).map(scale).batch(batch_size, drop_remainder=True).shuffle(4)

    for _ in range(4):
        assert data.input_pipeline(batch_then_shuffle).diagnosis == "shuffled_batches"
    capsys.readouterr()


def test_input_pipeline_restores_the_global_seed():
    tf.random.set_seed(42)
    data.input_pipeline(solutions.make_pipeline)
    assert tf.compat.v1.get_seed(None)[0] == 42
    tf.random.set_seed(None)
    data.input_pipeline(solutions.make_pipeline)
    assert tf.compat.v1.get_seed(None) == (None, None)


def test_exercise_digits_mark_every_image():
    images, labels = data.exercise_digits(40)
    assert images.shape == (40, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(images[:, 0, 0], np.arange(40))
    assert np.all(images[:, 0, 1] == 0) and np.all(images[:, 0, 2] == 255)
    np.testing.assert_array_equal(labels, np.arange(40) % 10)
    np.testing.assert_array_equal(data.exercise_digits(40)[0], images)  # Seeded.
