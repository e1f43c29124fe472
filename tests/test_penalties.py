"""ganlib.engine.penalties against finite differences of a tiny discriminator, in float64."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib.engine import backend, penalties

STEP = 1e-5  # Central differences in float64: error about STEP^2 times the third derivative.


def tiny_discriminator(seed=0, zero=False):
    """Flatten -> Dense(3, tanh) -> Dense(1), in float64, with fixed weights."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((28, 28, 1), dtype="float64"),
                              keras.layers.Flatten(dtype="float64"),
                              keras.layers.Dense(3, activation="tanh", dtype="float64"),
                              keras.layers.Dense(1, dtype="float64")])
    if zero:
        for variable in model.trainable_variables:
            variable.assign(np.zeros(variable.shape))
    return model


def images(seed, count=3):
    return np.random.default_rng(seed).uniform(-1, 1, (count, 28, 28, 1))


def finite_difference_gradients(model, batch):
    """d D(x_i) / d x_i for every image and pixel, by central differences: `(batch, 784)`."""
    count = len(batch)
    flat = batch.reshape(count, 784)
    steps = np.eye(784) * STEP
    plus = (flat[:, None, :] + steps[None]).reshape(-1, 28, 28, 1)
    minus = (flat[:, None, :] - steps[None]).reshape(-1, 28, 28, 1)
    scores = lambda x: np.asarray(model(x)).reshape(count, 784)  # noqa: E731
    return (scores(plus) - scores(minus)) / (2 * STEP)


def half_mean_squared_norm(gradients):
    return 0.5 * np.mean(np.sum(gradients ** 2, axis=1))


SEED = tf.constant([3, 4], dtype=tf.int32)


def test_r1_is_half_the_mean_squared_gradient_norm_at_real_images():
    model, real, fake = tiny_discriminator(), images(0), images(1)
    expected = half_mean_squared_norm(finite_difference_gradients(model, real))
    value = float(penalties.r1(model, real, fake, SEED))
    assert value == pytest.approx(expected, rel=1e-6)
    assert value > 1e-4  # The tiny network has a gradient worth measuring.


def test_r2_is_the_same_at_the_fakes_and_r1_r2_their_sum():
    model, real, fake = tiny_discriminator(), images(0), images(1)
    expected_r2 = half_mean_squared_norm(finite_difference_gradients(model, fake))
    assert float(penalties.r2(model, real, fake, SEED)) == pytest.approx(expected_r2, rel=1e-6)
    expected_r1 = half_mean_squared_norm(finite_difference_gradients(model, real))
    assert float(penalties.r1_r2(model, real, fake, SEED)) == pytest.approx(
        expected_r1 + expected_r2, rel=1e-6)
    assert expected_r1 != pytest.approx(expected_r2)  # The two really differ here.


def test_gradient_penalty_at_uniform_interpolates():
    model, real, fake = tiny_discriminator(), images(0), images(1)
    mix = np.asarray(backend.uniform((3, 1, 1, 1), SEED))  # The draw the penalty makes.
    between = mix * real + (1 - mix) * fake
    norms = np.linalg.norm(finite_difference_gradients(model, between), axis=1)
    expected = np.mean((norms - 1.0) ** 2)
    assert float(penalties.gradient_penalty(model, real, fake, SEED)) == pytest.approx(expected,
                                                                                      rel=1e-6)


def test_mixing_weights_are_uniform_in_zero_one():
    mix = np.asarray(backend.uniform((20000, 1, 1, 1), SEED)).ravel()
    assert mix.min() >= 0.0 and mix.max() < 1.0
    assert np.mean(mix) == pytest.approx(0.5, abs=0.01)
    assert np.mean(mix < 0.25) == pytest.approx(0.25, abs=0.01)  # Not a normal distribution.


def test_gradient_penalty_has_no_nan_where_the_gradient_vanishes():
    model, real, fake = tiny_discriminator(zero=True), images(0), images(1)
    with tf.GradientTape() as tape:
        value = penalties.gradient_penalty(model, real, fake, SEED)
    gradients = tape.gradient(value, model.trainable_variables)
    assert float(value) == pytest.approx(1.0, abs=1e-5)  # (0 - 1)^2, up to the 1e-12 inside sqrt
    present = [np.asarray(gradient) for gradient in gradients if gradient is not None]
    assert present and all(np.all(np.isfinite(gradient)) for gradient in present)


@pytest.mark.parametrize("name", ["r1", "gp"])
def test_penalties_can_be_differentiated_with_respect_to_the_weights(name):
    """Double backpropagation: the penalty's own gradient equals its finite difference."""
    model, real, fake = tiny_discriminator(), images(0), images(1)
    function = penalties.get_penalty(name)
    kernel = model.layers[1].kernel  # (784, 3)
    with tf.GradientTape() as tape:
        value = function(model, real, fake, SEED)
    analytic = np.asarray(tape.gradient(value, kernel))
    original = np.asarray(kernel)
    for row, column in ((200, 0), (400, 2)):
        shifted = []
        for sign in (1, -1):
            weights = original.copy()
            weights[row, column] += sign * STEP
            kernel.assign(weights)
            shifted.append(float(function(model, real, fake, SEED)))
        kernel.assign(original)
        numeric = (shifted[0] - shifted[1]) / (2 * STEP)
        assert analytic[row, column] == pytest.approx(numeric, rel=1e-4, abs=1e-9)
    assert np.abs(analytic).max() > 0


def test_get_penalty_names():
    assert penalties.get_penalty(None) is None
    assert penalties.get_penalty("r1") is penalties.r1
    with pytest.raises(ValueError, match="Unknown penalty 'r3'"):
        penalties.get_penalty("r3")
