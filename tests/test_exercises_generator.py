"""The checks of 03_generator's exercises: right answers in several styles pass, each usual wrong
answer fails with its own diagnosis and line, and the notebook's stubs fail quietly."""

import importlib

import keras
import numpy as np
import pytest
from keras import layers, ops

from ganlib.exercises import solutions
from test_exercises_report import case_ids, cases, expect_verdict

# The package's `generator` is the check; the module of the same name holds the helpers.
checks = importlib.import_module("ganlib.exercises.generator")

DEFAULT = {"filters": (128, 64), "strides": (2, 2), "kernel_size": 4}  # What notebook 03 passes.


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


# --- generator ----------------------------------------------------------------------------------


def build_stub(latent_dim=100):
    """Noise (batch, latent_dim) -> images (batch, 28, 28, 1) in [-1, 1], with 4x4 kernels."""
    # Your code here: keras.Input(shape=(latent_dim,)), then the layers, then keras.Model(...).
    return None


def functional(filters=(128, 64), strides=(2, 2), kernel_size=4, output_activation="tanh",
               activation="leaky", dense_bias=False, conv_bias=False, batch_norm=True, end=None):
    """A generator in the functional style; the arguments make the usual mistakes."""
    keras.utils.set_random_seed(0)  # The lines quote outputs, which follow the initial weights.
    noise = keras.Input(shape=(100,))

    def block(x):
        x = layers.BatchNormalization()(x) if batch_norm else x
        return layers.LeakyReLU(0.3)(x) if activation == "leaky" else x

    x = block(layers.Dense(7 * 7 * filters[0], use_bias=dense_bias)(noise))
    x = layers.Reshape((7, 7, filters[0]))(x)
    for count, stride in zip(filters[1:], strides[:-1]):
        x = block(layers.Conv2DTranspose(count, kernel_size, strides=stride, padding="same",
                                         use_bias=conv_bias)(x))
    images = layers.Conv2DTranspose(1, kernel_size, strides=strides[-1], padding="same",
                                    use_bias=conv_bias, activation=output_activation)(x)
    return keras.Model(noise, end(images) if end else images)


def sequential_with_a_tanh_layer():
    return keras.Sequential([
        keras.Input((100,)), layers.Dense(7 * 7 * 128, use_bias=False),
        layers.BatchNormalization(), layers.ReLU(), layers.Reshape((7, 7, 128)),
        layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.ReLU(),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", use_bias=False),
        layers.Activation("tanh")])


GENERATOR_WRONG = [
    (lambda: functional(output_activation="sigmoid"), DEFAULT, "sigmoid",
     "with the last layer's weights made 1000 times larger, the images span [0.000, 1.000] — "
     "that is a sigmoid's range [0, 1], but the data is scaled to [-1, 1]"),
    (lambda: functional(output_activation=None), DEFAULT, "no_tanh", None),
    (lambda: functional(end=lambda x: 0.5 * ops.tanh(x), output_activation=None), DEFAULT,
     "mismatch",
     "with the last layer's weights made 1000 times larger, the images span [-0.500, 0.500] — "
     "end with an activation whose range is [-1, 1], like the data's"),
    (lambda: functional(activation=None), DEFAULT, "no_activation",
     "the output is an affine function of the input: f(a) + f(b) = f(a + b) + f(0) — without "
     "activations between them, stacked layers collapse into one linear map: where do the "
     "LeakyReLUs go?"),
    (lambda: functional(dense_bias=True, conv_bias=True), DEFAULT, "biases",
     "790,977 parameters, expected 784,640 — every layer has a bias: batch norm subtracts the "
     "mean anyway, so this design leaves them out"),
    (lambda: functional(conv_bias=True), DEFAULT, "conv_biases",
     "784,705 parameters, expected 784,640 — the transposed convolutions have biases; this "
     "design leaves them out"),
    (lambda: functional(dense_bias=True), DEFAULT, "dense_bias",
     "790,912 parameters, expected 784,640 — the Dense layer has a bias; batch norm right after "
     "it makes it useless"),
    (lambda: functional(batch_norm=False), DEFAULT, "no_batch_norm",
     "759,296 parameters, expected 784,640 — there is no batch norm: one belongs after every "
     "layer but the last"),
    (lambda: functional(kernel_size=5), DEFAULT, "kernel_size",
     "858,944 parameters, expected 784,640 — that count fits kernels of 5x5; these are 4x4"),
    (lambda: functional(kernel_size=3), DEFAULT, "kernel_size", None),
    (lambda: functional((256, 128, 64), (1, 2, 2), 4), {}, "kernel_size",
     "1,961,728 parameters, expected 2,330,944 — that count fits kernels of 4x4; these are 5x5"),
    (lambda: functional((128, 32)), DEFAULT, "mismatch",
     "718,464 parameters, expected 784,640 — compare your model.summary() with the layers the "
     "exercise lists, one by one"),
    (lambda: functional(strides=(2, 1)), DEFAULT, "output_shape",
     "output shape (None, 14, 14, 1), expected (None, 28, 28, 1) — follow the shapes layer by "
     "layer in model.summary()"),
    (lambda: functional(end=lambda x: ops.log(x)), DEFAULT, "not_finite",
     "the generator gave NaN or infinite values — look for a division or a log that can blow "
     "up"),
    (build_stub, DEFAULT, "not_a_model",
     "returned NoneType — return a keras.Model (keras.Sequential or keras.Model(inputs, "
     "outputs))"),
    (raising_stub, DEFAULT, "raised", None),
]


@pytest.mark.parametrize("latent_dim, filters, kernel_size, dense_bias, conv_bias, batch_norm", [
    (100, (128, 64), 4, False, False, True), (100, (256, 128, 64), 5, False, False, True),
    (64, (128, 64), 3, True, True, True), (100, (128, 64), 4, False, True, False),
    (32, (64,), 4, True, False, True)])
def test_the_parameter_formula_matches_keras(latent_dim, filters, kernel_size, dense_bias,
                                             conv_bias, batch_norm):
    noise = keras.Input((latent_dim,))
    x = layers.Dense(7 * 7 * filters[0], use_bias=dense_bias)(noise)
    x = layers.BatchNormalization()(x) if batch_norm else x
    x = layers.Reshape((7, 7, filters[0]))(x)
    for count in (*filters[1:], 1):
        x = layers.Conv2DTranspose(count, kernel_size, padding="same", use_bias=conv_bias)(x)
        x = layers.BatchNormalization()(x) if batch_norm and count != 1 else x
    model = keras.Model(noise, x)
    assert checks.generator_parameters(latent_dim, filters, kernel_size, dense_bias, conv_bias,
                                       batch_norm) == model.count_params()


# --- overlap_pattern ----------------------------------------------------------------------------


def overlap_stub(kernel_size, stride, length):
    """How many of `length` inputs cover each output pixel of a 1-D transposed convolution."""
    # Your code here.
    return np.zeros(length, dtype=int)


def overlap_by_broadcasting(kernel_size, stride, length):
    pixels = np.arange((length - 1) * stride + kernel_size)[:, None]  # (outputs, 1)
    starts = np.arange(length)[None, :] * stride  # (1, inputs)
    return ((pixels >= starts) & (pixels < starts + kernel_size)).sum(axis=1)


def overlap_with_keras(kernel_size, stride, length):
    layer = layers.Conv1DTranspose(1, kernel_size, strides=stride, padding="valid",
                                   use_bias=False, kernel_initializer="ones")
    counts = np.rint(np.asarray(layer(np.ones((1, length, 1), "float32")))[0, :, 0]).astype(int)
    # Keras pads a kernel smaller than the stride with zeros up to the stride; trim them.
    return counts[:(length - 1) * stride + kernel_size]


OVERLAP_WRONG = [
    (lambda k, s, n: solutions.overlap_pattern(k, s, n)[:n * s], "no_tail",
     "kernel 3, stride 2, 5 inputs: got [1, 1, 2, 1, 2, 1, 2, 1, 2, 1] — the last kernel "
     "placement is cut off: the output runs on for kernel_size pixels after the last input's "
     "position"),
    (lambda k, s, n: np.convolve(np.ones(n), np.ones(k)).astype(int), "ignores_stride",
     "kernel 3, stride 2, 5 inputs: got [1, 2, 3, 3, 3, 2, 1] — the stride is missing: "
     "neighbouring inputs land stride pixels apart"),
    (lambda k, s, n: np.ones((n - 1) * s + k + 1, dtype=int), "wrong_length",
     "kernel 3, stride 2, 5 inputs: got [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] — the output has "
     "(length - 1) * stride + kernel_size = 11 pixels"),
    (lambda k, s, n: np.ones((n - 1) * s + k, dtype=int), "mismatch",
     "kernel 3, stride 2, 5 inputs: got [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] — expected "
     "[1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]"),
    (lambda k, s, n: np.maximum(solutions.overlap_pattern(k, s, n), 1), "mismatch",
     "kernel 2, stride 3, 3 inputs: got [1, 1, 1, 1, 1, 1, 1, 1] — expected "
     "[1, 1, 0, 1, 1, 0, 1, 1]"),
    (overlap_stub, "wrong_length",
     "kernel 3, stride 2, 5 inputs: got [0, 0, 0, 0, 0] — the output has (length - 1) * stride "
     "+ kernel_size = 11 pixels"),
    (raising_stub, "raised", None),
]


@pytest.mark.parametrize("kernel_size, stride, length", [(3, 2, 5), (4, 2, 5), (2, 3, 3),
                                                         (1, 1, 4), (5, 1, 2)])
def test_the_overlap_reference_is_a_keras_transposed_convolution(kernel_size, stride, length):
    np.testing.assert_array_equal(checks._overlap_reference(kernel_size, stride, length),
                                  overlap_with_keras(kernel_size, stride, length))


CASES = (
    cases(checks.generator, [solutions.build_my_generator, sequential_with_a_tanh_layer,
                             lambda: functional(end=ops.tanh, output_activation=None)],
          "784,640 parameters, noise (None, 100) -> images (None, 28, 28, 1), tanh output and "
          "activations between the layers", GENERATOR_WRONG, DEFAULT)
    # The tutorial's generator, with the check's default arguments.
    + cases(checks.generator, [lambda: functional((256, 128, 64), (1, 2, 2), 5)],
            "2,330,944 parameters, noise (None, 100) -> images (None, 28, 28, 1), tanh output "
            "and activations between the layers", [])
    + cases(checks.overlap_pattern, [solutions.overlap_pattern, overlap_by_broadcasting,
                                     overlap_with_keras],
            "counts match for overlapping, touching and gapped kernels", OVERLAP_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)
