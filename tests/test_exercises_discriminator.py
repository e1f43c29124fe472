"""The checks of 02_discriminator's exercises: right answers in several styles pass, each usual
wrong answer fails with its own diagnosis and line, and the notebook's stubs fail quietly."""

import importlib

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers, ops

from ganlib.exercises import solutions
from test_exercises_report import case_ids, cases, expect_verdict, verdict_of

# The package's `discriminator` is the check; the module of the same name holds the helpers.
checks = importlib.import_module("ganlib.exercises.discriminator")

DEFAULT = {"filters": (32, 64), "kernel_size": 4, "dropout": 0.0}  # What notebook 02 passes.


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


# --- discriminator ------------------------------------------------------------------------------


def build_stub():
    """Images (batch, 28, 28, 1) -> logits (batch, 1): 4x4 kernels, 32 and 64 filters, no dropout."""
    # Your code here: keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(...), ...])
    return None


def functional(filters=(32, 64), kernel_size=4, dropout=0.0, strides=2, padding="same",
               use_bias=True, activation="leaky", end=None, output_activation=None):
    """A discriminator in the functional style; the arguments make the usual mistakes."""
    keras.utils.set_random_seed(0)  # The lines quote outputs, which follow the initial weights.
    images = keras.Input(shape=(28, 28, 1))
    x = images
    for count in filters:
        x = layers.Conv2D(count, kernel_size, strides=strides, padding=padding,
                          use_bias=use_bias)(x)
        if activation == "leaky":
            x = layers.LeakyReLU(negative_slope=0.3)(x)
        elif activation == "ops":
            x = ops.leaky_relu(x, negative_slope=0.2)
        if dropout:
            x = layers.Dropout(dropout)(x)
    logits = layers.Dense(1, activation=output_activation)(layers.Flatten()(x))
    return keras.Model(images, end(logits) if end else logits)


def sequential_with_activations_inside():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 4, strides=2, padding="same", activation="leaky_relu"),
        layers.Conv2D(64, 4, strides=2, padding="same", activation="leaky_relu"),
        layers.Flatten(), layers.Dense(1)])


def nested():
    body = keras.Sequential([keras.Input((28, 28, 1)),
                             layers.Conv2D(32, 4, strides=2, padding="same"), layers.LeakyReLU(),
                             layers.Conv2D(64, 4, strides=2, padding="same"), layers.LeakyReLU(),
                             layers.Flatten()])
    return keras.Sequential([keras.Input((28, 28, 1)), body, layers.Dense(1)])


DISCRIMINATOR_WRONG = [
    (lambda: functional(output_activation="sigmoid"), DEFAULT, "sigmoid",
     "with the last layer's weights made 1000 times larger, the outputs stay in [0.000, 1.000] "
     "— a sigmoid squashes the output into [0, 1]: output the logit and let the loss apply the "
     "sigmoid"),
    (lambda: functional(end=layers.Activation("sigmoid")), DEFAULT, "sigmoid", None),
    (lambda: functional(end=ops.sigmoid), DEFAULT, "sigmoid", None),
    (lambda: functional(output_activation="tanh"), DEFAULT, "mismatch",
     "with the last layer's weights made 1000 times larger, the outputs stay in [-1.000, 1.000] "
     "— something squashes the output into [-1, 1]: output the raw logit, unbounded"),
    (lambda: functional(end=lambda x: ops.clip(x, -0.5, 0.5)), DEFAULT, "mismatch", None),
    (lambda: functional(activation=None), DEFAULT, "no_activation",
     "the output is an affine function of the input: f(a) + f(b) = f(a + b) + f(0) — without "
     "activations between them, stacked layers collapse into one linear map: where do the "
     "LeakyReLUs go?"),
    (lambda: functional(dropout=0.3), DEFAULT, "unwanted_dropout",
     "dropout rates [0.3, 0.3] — this discriminator has no dropout"),
    (lambda: functional((64, 128), 5), {}, "no_dropout",
     "dropout rates [] — add Dropout(0.3) after each block's activation"),
    (lambda: functional((64, 128), 5, 0.5), {}, "dropout_rate",
     "dropout rates [0.5, 0.5] — the rate should be 0.3"),
    (lambda: functional((64, 128), 5, 0.3, end=layers.Dropout(0.3)), {}, "mismatch",
     "dropout rates [0.3, 0.3, 0.3] — one Dropout(0.3) per convolution block"),
    (lambda: functional(kernel_size=5), DEFAULT, "kernel_size",
     "55,233 parameters, expected 36,513 — that count fits kernels of 5x5; these are 4x4"),
    (lambda: functional(kernel_size=3), DEFAULT, "kernel_size",
     "21,953 parameters, expected 36,513 — that count fits kernels of 3x3; these are 4x4"),
    (lambda: functional((64, 128), 4, 0.3), {}, "kernel_size",
     "138,561 parameters, expected 212,865 — that count fits kernels of 4x4; these are 5x5"),
    (lambda: functional(strides=1), DEFAULT, "stride",
     "83,553 parameters, expected 36,513 — the image never shrinks: each convolution should "
     "halve its side"),
    (lambda: functional(padding="valid"), DEFAULT, "padding",
     "34,977 parameters, expected 36,513 — the image shrinks too fast: which padding keeps "
     "28 -> 14 -> 7?"),
    (lambda: functional(use_bias=False), DEFAULT, "no_bias",
     "36,417 parameters, expected 36,513 — the convolutions have no biases here; they should"),
    (lambda: functional((64, 32)), DEFAULT, "filters_swapped",
     "35,457 parameters, expected 36,513 — the filter counts are in the wrong order: (32, 64) "
     "from input to output"),
    (lambda: functional((32, 64, 128)), DEFAULT, "mismatch",
     "166,625 parameters, expected 36,513 — compare your model.summary() with the layers the "
     "exercise lists, one by one"),
    (lambda: keras.Sequential([layers.Conv2D(32, 4), layers.Flatten(), layers.Dense(1)]),
     DEFAULT, "unbuilt",
     "the model has no input shape yet — start it with keras.Input(shape=...)"),
    (lambda: keras.Sequential([keras.Input((784,)), layers.Dense(1)]), DEFAULT, "input_shape",
     "input shape (None, 784), expected (None, 28, 28, 1) — follow the shapes layer by layer in "
     "model.summary()"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(2)]),
     DEFAULT, "output_shape",
     "output shape (None, 2), expected (None, 1) — follow the shapes layer by layer in "
     "model.summary()"),
    (lambda: functional(end=lambda x: x / 0.0), DEFAULT, "not_finite",
     "the discriminator gave NaN or infinite values — look for a division or a log that can "
     "blow up"),
    (lambda: [layers.Dense(1)], DEFAULT, "not_a_model",
     "returned list — return a keras.Model (keras.Sequential or keras.Model(inputs, outputs))"),
    (build_stub, DEFAULT, "not_a_model",
     "returned NoneType — return a keras.Model (keras.Sequential or keras.Model(inputs, "
     "outputs))"),
    (raising_stub, DEFAULT, "raised",
     "raising_stub raised NotImplementedError: Write this function. — read the error, then try "
     "your code by hand on a small input"),
]


def test_the_check_leaves_the_learners_weights_as_they_were(capsys):
    model = functional()
    before = [weight.numpy() for weight in model.weights]
    verdict_of(checks.discriminator, lambda: model, capsys=capsys, **DEFAULT)
    for weight, value in zip(model.weights, before):
        np.testing.assert_array_equal(weight.numpy(), value)


@pytest.mark.parametrize("filters, kernel_size, strides, padding, use_bias", [
    ((64, 128), 5, 2, "same", True), ((32, 64), 4, 2, "same", True), ((32, 64), 4, 1, "same", True),
    ((32, 64), 4, 2, "valid", True), ((32, 64), 3, 2, "valid", False), ((16, 32, 64), 3, 2, "same",
                                                                         True)])
def test_the_parameter_formula_matches_keras(filters, kernel_size, strides, padding, use_bias):
    model = functional(filters, kernel_size, 0.0, strides, padding, use_bias)
    assert checks.discriminator_parameters(filters, kernel_size, strides, padding, use_bias) \
        == model.count_params()


def test_expect_nonlinear_tells_affine_from_leaky():
    rng = np.random.default_rng(0)
    first, second = rng.normal(size=(2, 5, 3))
    checks.expect_nonlinear(lambda x: np.where(x > 0, x, 0.3 * x), first, second, "hint")
    with pytest.raises(Exception, match="affine"):
        checks.expect_nonlinear(lambda x: 2.0 * x + 1.0, first, second, "hint")


# --- accuracy_from_logits -----------------------------------------------------------------------


def accuracy_stub(logits, labels):
    """Logits (batch, 1) or (batch,), labels of 1 (real) and 0 (fake) -> accuracy in [0, 1]."""
    # Your code here.
    return None


def accuracy_with_tensorflow(logits, labels):
    predictions = tf.reshape(logits, [-1]) > 0
    truth = tf.reshape(labels, [-1]) == 1
    return tf.reduce_mean(tf.cast(predictions == truth, tf.float32))


def accuracy_through_sigmoid(logits, labels):
    probabilities = 1.0 / (1.0 + np.exp(-np.reshape(logits, -1)))
    return np.mean(np.round(probabilities) == np.reshape(labels, -1))


ACCURACY_WRONG = [
    (lambda logits, labels: np.mean((np.ravel(logits) > 0.5) == (np.ravel(labels) == 1)),
     "probability_threshold",
     "logits (8, 1), labels (8, 1): got 0.6250 — a logit is not a probability: which logit does "
     "sigmoid send to 0.5?"),
    (lambda logits, labels: np.mean((logits > 0) == (labels == 1)), "broadcast",
     "logits (8, 1), labels (8,): got 0.5312 — an (8, 1) and an (8,) array broadcast to an 8x8 "
     "table of comparisons: bring them to one shape first"),
    (lambda logits, labels: np.mean((np.ravel(logits) < 0) == (np.ravel(labels) == 1)),
     "inverted",
     "logits (8, 1), labels (8, 1): got 0.2500 — exactly the wrong ones count: a positive logit "
     "means real"),
    (lambda logits, labels: np.sum((np.ravel(logits) > 0) == (np.ravel(labels) == 1)), "count",
     "logits (8, 1), labels (8, 1): got 6.0000 — that is a count of correct images; the accuracy "
     "is a share"),
    (lambda logits, labels: 0.5, "mismatch",
     "logits (8, 1), labels (8, 1): got 0.5000 — the share of the 8 images whose prediction "
     "(real when the logit is above 0) matches the label"),
    (lambda logits, labels: (np.ravel(logits) > 0) == (np.ravel(labels) == 1), "not_one_number",
     "logits (8, 1), labels (8, 1) returned shape (8,), not one number — return one share for "
     "the whole batch"),
    (accuracy_stub, "returned_none",
     "logits (8, 1), labels (8, 1) returned None — return the result"),
    (raising_stub, "raised", None),
]


# --- binary_crossentropy_from_logits ------------------------------------------------------------


def bce_stub(labels, logits):
    """Mean binary cross-entropy of labels (0 or 1) given logits; finite for any logit."""
    # Your code here.
    return None


def bce_with_keras(labels, logits):
    return ops.mean(ops.binary_crossentropy(labels, logits, from_logits=True))


def bce_with_logaddexp(labels, logits):
    x, y = np.asarray(logits, "float64"), np.asarray(labels, "float64")
    return np.mean(y * np.logaddexp(0.0, -x) + (1.0 - y) * np.logaddexp(0.0, x))


def bce_through_sigmoid(labels, logits, clip=None):
    probabilities = 1.0 / (1.0 + np.exp(-np.asarray(logits, "float32")))
    if clip is not None:
        probabilities = np.clip(probabilities, clip, 1.0 - clip)
    return -np.mean(labels * np.log(probabilities) + (1 - labels) * np.log(1 - probabilities))


BCE_WRONG = [
    (bce_through_sigmoid, "not_finite",
     "sure and right, logits +-200: got nan, expected 0.0000 — the sigmoid of a large logit "
     "rounds to exactly 0 or 1, and log(0) is -inf: rewrite log sigmoid(x) so that exp never "
     "sees a large positive number"),
    (lambda labels, logits: np.mean(np.log1p(np.exp(-logits)) + (1 - labels) * logits),
     "not_finite", None),
    (lambda labels, logits: bce_through_sigmoid(labels, logits, clip=1e-7), "clipped",
     "sure and wrong, logits +-200: got 16.0302, expected 200.0000 — the loss is capped: "
     "clipping probabilities away from 0 and 1 limits it, but a sure and wrong discriminator "
     "should pay about 200"),
    (lambda labels, logits: -solutions.binary_crossentropy_from_logits(labels, logits), "negated",
     "moderate logits: got -0.5269, expected 0.5269 — the sign is flipped: a cross-entropy is "
     "never negative"),
    (lambda labels, logits: len(labels) * solutions.binary_crossentropy_from_logits(labels,
                                                                                     logits),
     "summed",
     "moderate logits: got 2.1074, expected 0.5269 — that is the sum over the batch; take the "
     "mean"),
    (lambda labels, logits: solutions.binary_crossentropy_from_logits(1 - labels, logits),
     "mismatch",
     "moderate logits: got 1.1519, expected 0.5269 — the mean over the batch of -y log "
     "sigmoid(x) - (1 - y) log(1 - sigmoid(x))"),
    (lambda labels, logits: np.maximum(logits, 0) - logits * labels, "not_one_number",
     "moderate logits returned shape (4,), not one number — take the mean over the batch"),
    (bce_stub, "returned_none", "moderate logits returned None — return the result"),
    (raising_stub, "raised", None),
]


def test_a_logit_of_exactly_zero_means_fake():
    # sigmoid(0) = 0.5 is not above 0.5. The check's data avoids 0; the references agree on it.
    assert checks._accuracy(np.array([0.0, 0.0]), np.array([0, 1])) == 0.5
    assert checks._accuracy(np.array([0.3]), np.array([0]), threshold=0.5) == 1.0
    assert solutions.accuracy_from_logits(np.array([0.0, 0.0]), np.array([0, 1])) == 0.5


def test_the_bce_reference_matches_keras():
    labels = np.array([1.0, 0.0, 1.0, 0.0, 0.7])
    logits = np.array([3.0, -2.0, -0.5, 0.0, 1.2])
    expected = float(ops.mean(ops.binary_crossentropy(labels, logits, from_logits=True)))
    assert np.isclose(checks.bce_reference(labels, logits), expected, rtol=1e-6)


CASES = (
    cases(checks.discriminator, [solutions.build_my_discriminator,
                                 lambda: functional(activation="ops"),
                                 sequential_with_activations_inside, nested],
          "36,513 parameters, (28, 28, 1) images -> one raw logit, activations between the "
          "layers, no dropout", DISCRIMINATOR_WRONG, DEFAULT)
    # The tutorial's discriminator, with the check's default arguments.
    + cases(checks.discriminator, [lambda: functional((64, 128), 5, 0.3)],
            "212,865 parameters, (28, 28, 1) images -> one raw logit, activations between the "
            "layers, Dropout(0.3) per block", [])
    + cases(checks.accuracy_from_logits, [solutions.accuracy_from_logits,
                                          accuracy_with_tensorflow, accuracy_through_sigmoid],
            "0.75 on logits and labels of shapes (n,) and (n, 1), in every combination",
            ACCURACY_WRONG)
    + cases(checks.binary_crossentropy_from_logits, [solutions.binary_crossentropy_from_logits,
                                                     bce_with_keras, bce_with_logaddexp],
            "matches the definition for moderate logits and stays exact at +-200", BCE_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)
