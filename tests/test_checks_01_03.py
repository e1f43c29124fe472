"""The exercise checks of 01_data, 02_discriminator and 03_generator.

Each check must accept a correct solution, reject a specific wrong one (returning False and
saying "not yet"), and never raise on the stub an exercise cell starts with.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from ganlib import checks


def run_check(check, solution, capsys):
    """Run a check; return what it returned and what it printed."""
    result = check(solution)
    return result, capsys.readouterr().out


# 01_data -------------------------------------------------------------------------------------


def scale_to_tanh_solution(images):
    return images[..., np.newaxis].astype("float32") / 127.5 - 1.0


def scale_to_sigmoid_instead(images):
    return images[..., np.newaxis].astype("float32") / 255.0


def select_digits_solution(images, labels, digits):
    keep = np.isin(labels, digits)
    return images[keep], labels[keep]


def select_first_digit_only(images, labels, digits):
    keep = labels == digits[0]
    return images[keep], labels[keep]


def pipeline_solution(images, batch_size):
    dataset = tf.data.Dataset.from_tensor_slices(images)
    dataset = dataset.map(lambda image: tf.cast(image[..., tf.newaxis], tf.float32) / 127.5 - 1.0)
    dataset = dataset.cache().shuffle(len(images)).batch(batch_size, drop_remainder=True)
    return dataset.prefetch(tf.data.AUTOTUNE)


def pipeline_keeping_the_last_batch(images, batch_size):
    dataset = tf.data.Dataset.from_tensor_slices(images)
    dataset = dataset.map(lambda image: tf.cast(image[..., tf.newaxis], tf.float32) / 127.5 - 1.0)
    return dataset.shuffle(len(images)).batch(batch_size)


def pipeline_without_shuffle(images, batch_size):
    dataset = tf.data.Dataset.from_tensor_slices(images)
    dataset = dataset.map(lambda image: tf.cast(image[..., tf.newaxis], tf.float32) / 127.5 - 1.0)
    return dataset.batch(batch_size, drop_remainder=True)


def pipeline_repeating_forever(images, batch_size):
    return pipeline_solution(images, batch_size).repeat()


# 02_discriminator ----------------------------------------------------------------------------


def discriminator_solution(output_activation=None):
    images = keras.Input(shape=(28, 28, 1))
    x = images
    for filters in (64, 128):
        x = layers.Conv2D(filters, 5, strides=2, padding="same")(x)
        x = layers.LeakyReLU(negative_slope=0.3)(x)
        x = layers.Dropout(0.3)(x)
    x = layers.Flatten()(x)
    return keras.Model(images, layers.Dense(1, activation=output_activation)(x))


def discriminator_with_sigmoid():
    return discriminator_solution(output_activation="sigmoid")


def discriminator_with_stride_one():
    images = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(64, 5, padding="same", activation="leaky_relu")(images)
    x = layers.Dropout(0.3)(layers.Conv2D(128, 5, padding="same")(x))
    return keras.Model(images, layers.Dense(1)(layers.Flatten()(x)))


def accuracy_solution(logits, labels):
    return np.mean((np.asarray(logits) > 0) == (np.asarray(labels) == 1))


def accuracy_with_probability_threshold(logits, labels):
    return np.mean((np.asarray(logits) > 0.5) == (np.asarray(labels) == 1))


def bce_solution(labels, logits):
    x, y = np.asarray(logits, "float64"), np.asarray(labels, "float64")
    return np.mean(np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x))))


def bce_with_keras(labels, logits):
    return keras.ops.mean(keras.ops.binary_crossentropy(labels, logits, from_logits=True))


def bce_through_sigmoid(labels, logits):
    probabilities = 1.0 / (1.0 + np.exp(-np.asarray(logits, "float32")))
    return -np.mean(labels * np.log(probabilities) + (1 - labels) * np.log(1 - probabilities))


# 03_generator --------------------------------------------------------------------------------


def generator_solution(latent_dim=100, output_activation="tanh"):
    noise = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 256, use_bias=False)(noise)
    x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    x = layers.Reshape((7, 7, 256))(x)
    for filters, stride in ((128, 1), (64, 2)):
        x = layers.Conv2DTranspose(filters, 5, strides=stride, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    images = layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False,
                                    activation=output_activation)(x)
    return keras.Model(noise, images)


def generator_with_sigmoid():
    return generator_solution(output_activation="sigmoid")


def overlap_solution(kernel_size, stride, length):
    counts = np.zeros((length - 1) * stride + kernel_size, dtype=int)
    for position in range(length):
        counts[position * stride:position * stride + kernel_size] += 1
    return counts


def overlap_forgetting_the_kernel_tail(kernel_size, stride, length):
    return overlap_solution(kernel_size, stride, length)[:length * stride]


# The stubs the committed exercise cells start with.


def scale_stub(images):
    return images


def select_stub(images, labels, digits):
    return images, labels


def pipeline_stub(images, batch_size):
    return tf.data.Dataset.from_tensor_slices(images)


def build_stub():
    return None


def logits_stub(*arrays):
    return None


def overlap_stub(kernel_size, stride, length):
    return np.zeros(length, dtype=int)


def raising_stub(*arrays):
    raise NotImplementedError("Write this function.")


CASES = [
    # (check, correct solutions, wrong solutions, stubs)
    (checks.scale_to_tanh, [scale_to_tanh_solution], [scale_to_sigmoid_instead],
     [scale_stub, raising_stub]),
    (checks.select_digits, [select_digits_solution], [select_first_digit_only],
     [select_stub, raising_stub]),
    (checks.input_pipeline, [pipeline_solution],
     [pipeline_keeping_the_last_batch, pipeline_without_shuffle, pipeline_repeating_forever],
     [pipeline_stub, raising_stub]),
    (checks.discriminator, [discriminator_solution], [discriminator_with_sigmoid,
                                                      discriminator_with_stride_one],
     [build_stub, raising_stub]),
    (checks.accuracy_from_logits, [accuracy_solution], [accuracy_with_probability_threshold],
     [logits_stub, raising_stub]),
    (checks.binary_crossentropy_from_logits, [bce_solution, bce_with_keras], [bce_through_sigmoid],
     [logits_stub, raising_stub]),
    (checks.generator, [generator_solution], [generator_with_sigmoid], [build_stub, raising_stub]),
    (checks.overlap_pattern, [overlap_solution], [overlap_forgetting_the_kernel_tail],
     [overlap_stub, raising_stub]),
]


def _ids(cases, kind):
    return [f"{case[0].__name__}-{solution.__name__}" for case in cases for solution in case[kind]]


@pytest.mark.parametrize(
    "check, solution", [(case[0], solution) for case in CASES for solution in case[1]],
    ids=_ids(CASES, 1))
def test_check_accepts_a_correct_solution(check, solution, capsys):
    result, printed = run_check(check, solution, capsys)
    assert result is True, printed
    assert "all tests pass" in printed and "not yet" not in printed


@pytest.mark.parametrize(
    "check, solution", [(case[0], solution) for case in CASES for solution in case[2]],
    ids=_ids(CASES, 2))
def test_check_rejects_a_wrong_solution(check, solution, capsys):
    result, printed = run_check(check, solution, capsys)
    assert result is False, printed
    assert "not yet" in printed


@pytest.mark.parametrize(
    "check, stub", [(case[0], stub) for case in CASES for stub in case[3]], ids=_ids(CASES, 3))
def test_check_reports_a_stub_without_raising(check, stub, capsys):
    result, printed = run_check(check, stub, capsys)
    assert result is False
    assert "not yet" in printed


def test_hints_name_the_mistake(capsys):
    """The wrong answers the notebooks warn about get a hint that names them."""
    checks.scale_to_tanh(scale_to_sigmoid_instead)
    assert "sigmoid range" in capsys.readouterr().out
    checks.accuracy_from_logits(accuracy_with_probability_threshold)
    assert "logit > 0" in capsys.readouterr().out
    checks.binary_crossentropy_from_logits(bce_through_sigmoid)
    assert "log(0)" in capsys.readouterr().out
    checks.discriminator(discriminator_with_sigmoid)
    assert "from_logits=True" in capsys.readouterr().out
    checks.input_pipeline(pipeline_keeping_the_last_batch)
    assert "drop_remainder=True" in capsys.readouterr().out


def test_overlap_reference_matches_a_keras_transposed_convolution():
    """The check's reference counts equal a Conv1DTranspose of ones, computed independently."""
    for kernel_size, stride, length in ((3, 2, 5), (4, 2, 5), (5, 2, 4)):
        layer = layers.Conv1DTranspose(1, kernel_size, strides=stride, padding="valid",
                                       use_bias=False, kernel_initializer="ones")
        output = np.asarray(layer(np.ones((1, length, 1), dtype="float32")))[0, :, 0]
        np.testing.assert_array_equal(output.astype(int),
                                      checks._overlap_reference(kernel_size, stride, length))


def test_model_checks_follow_their_arguments(capsys):
    """The notebooks' exercises build the `default` preset's networks, not the tutorial's."""
    def default_discriminator(dropout=0.0):
        dropout_layers = [layers.Dropout(dropout)] if dropout else []
        return keras.Sequential([
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 4, strides=2, padding="same"), layers.LeakyReLU(0.3),
            *dropout_layers,
            layers.Conv2D(64, 4, strides=2, padding="same"), layers.LeakyReLU(0.3),
            layers.Flatten(), layers.Dense(1)])

    def default_generator():
        noise = keras.Input(shape=(100,))
        x = layers.Dense(7 * 7 * 128, use_bias=False)(noise)
        x = layers.Reshape((7, 7, 128))(layers.LeakyReLU()(layers.BatchNormalization()(x)))
        x = layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU()(layers.BatchNormalization()(x))
        images = layers.Conv2DTranspose(1, 4, strides=2, padding="same", use_bias=False,
                                        activation="tanh")(x)
        return keras.Model(noise, images)

    assert checks.discriminator(default_discriminator, filters=(32, 64), kernel_size=4,
                                dropout=0.0)
    assert "36,513 parameters" in capsys.readouterr().out
    assert not checks.discriminator(default_discriminator)  # The tutorial's has 212,865.
    assert not checks.discriminator(lambda: default_discriminator(0.3), filters=(32, 64),
                                    kernel_size=4, dropout=0.0)
    assert "this discriminator has no dropout" in capsys.readouterr().out
    assert checks.generator(default_generator, filters=(128, 64), strides=(2, 2), kernel_size=4)
    assert "784,640 parameters" in capsys.readouterr().out
    assert not checks.generator(default_generator)


def test_input_pipeline_check_survives_broken_values(capsys):
    """A pipeline that divides by zero gives NaN and infinity: reported, not raised."""
    def pipeline_dividing_by_zero(images, batch_size):
        dataset = tf.data.Dataset.from_tensor_slices(images)
        dataset = dataset.map(lambda image: tf.cast(image[..., tf.newaxis], tf.float32) / 0.0)
        return dataset.shuffle(len(images)).batch(batch_size, drop_remainder=True)

    assert checks.input_pipeline(pipeline_dividing_by_zero) is False
    assert "do not match the images scaled to [-1, 1]" in capsys.readouterr().out
