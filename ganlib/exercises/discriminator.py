"""Checks for 02_discriminator's exercises: discriminator, accuracy_from_logits,
binary_crossentropy_from_logits; and the network helpers 03's generator check shares.

Networks are checked by what they do, not by how their layers are named: the parameter count
comes from the architecture's formula (`discriminator_parameters`), "no sigmoid at the end"
means the output leaves [0, 1] once the last layer's weights are made 1000 times larger, and
"there are activations" means the network is not an affine map of its input. Reference values
of the two functions are NumPy formulas, in float64.
"""

import math

import keras
import numpy as np

from ganlib.exercises.report import (Diagnosis, When, as_array, as_number, call, diagnose,
                                     exercise, fail, not_finite, require)

BLOW_UP = 1000.0  # How much larger the last layer's weights are made to expose its activation.


def all_layers(model):
    """The model's layers in order, with nested models opened up."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from all_layers(layer)
        else:
            yield layer


def expect_model(model, input_shape, output_shape):
    """Fail unless `model` is a built keras.Model mapping `input_shape` to `output_shape`."""
    require(isinstance(model, keras.Model), f"returned {type(model).__name__}",
            "return a keras.Model (keras.Sequential or keras.Model(inputs, outputs))",
            "not_a_model")
    for name, expected in (("input", input_shape), ("output", output_shape)):
        try:
            actual = tuple(getattr(model, f"{name}_shape"))
        except Exception:  # A model without a defined input has no shapes yet.
            fail(f"the model has no {name} shape yet", "start it with keras.Input(shape=...)",
                 "unbuilt")
        require(actual == expected, f"{name} shape {actual}, expected {expected}",
                "follow the shapes layer by layer in model.summary()", f"{name}_shape")


def outputs(model, inputs, label):
    """The model's inference outputs as float64, failing unless they are finite."""
    values = as_array(call(model, inputs, training=False, label=label), label).astype("float64")
    require(not not_finite(values), f"{label} gave NaN or infinite values",
            "look for a division or a log that can blow up", "not_finite")
    return values


def blown_up(model, inputs, label):
    """The outputs once the last layer with weights has them multiplied by BLOW_UP."""
    layer = [layer for layer in all_layers(model) if layer.trainable_weights][-1]
    saved = [weight.numpy() for weight in layer.trainable_weights]
    try:
        for weight in layer.trainable_weights:
            weight.assign(weight * BLOW_UP)
        with np.errstate(all="ignore"):
            return as_array(call(model, inputs, training=False, label=label),
                            label).astype("float64")
    finally:
        for weight, value in zip(layer.trainable_weights, saved):
            weight.assign(value)


def expect_nonlinear(function, first, second, hint):
    """Fail when `function` is affine: f(a) + f(b) = f(a + b) + f(0) for every pair."""
    values = [function(first), function(second), function(first + second),
              function(np.zeros_like(first))]
    residual = values[0] + values[1] - values[2] - values[3]
    scale = max(np.abs(np.stack(values)).max(), 1e-3)
    require(np.abs(residual).max() > 1e-3 * scale,
            "the output is an affine function of the input: f(a) + f(b) = f(a + b) + f(0)",
            hint, "no_activation")


def _side(side, kernel_size, stride, padding):
    if padding == "same":
        return math.ceil(side / stride)
    return (side - kernel_size) // stride + 1


def discriminator_parameters(filters, kernel_size, stride=2, padding="same", bias=True):
    """Parameters of Conv2D blocks (one per entry of `filters`) on 28x28x1, then Dense(1)."""
    side, channels, count = 28, 1, 0
    for block_filters in filters:
        count += kernel_size * kernel_size * channels * block_filters + bias * block_filters
        side, channels = _side(side, kernel_size, stride, padding), block_filters
    return count + side * side * channels + 1


@exercise("discriminator")
def discriminator(build_function, filters=(64, 128), kernel_size=5, dropout=0.3):
    """Check `build_function() -> keras.Model`, a DCGAN discriminator.

    It must map images `(batch, 28, 28, 1)` to one logit `(batch, 1)` with no squashing
    activation at the end, have one stride-2 "same" Conv2D per entry of `filters` (with bias,
    `kernel_size` square), a Dense logit, a nonlinear activation (LeakyReLU) between layers,
    and one `Dropout(dropout)` per block (none when `dropout` is 0). The defaults are the
    TensorFlow tutorial's discriminator, 212,865 parameters.
    """
    filters = tuple(filters)
    model = call(build_function)
    expect_model(model, (None, 28, 28, 1), (None, 1))
    count, expected = model.count_params(), discriminator_parameters(filters, kernel_size)
    other_kernels = [size for size in (kernel_size - 1, kernel_size + 1, 3, 5) if size > 0]
    diagnose(count, expected, [
        *[Diagnosis("kernel_size", discriminator_parameters(filters, size),
                    f"that count fits kernels of {size}x{size}; these are "
                    f"{kernel_size}x{kernel_size}") for size in other_kernels],
        Diagnosis("stride", discriminator_parameters(filters, kernel_size, stride=1),
                  "the image never shrinks: each convolution should halve its side"),
        Diagnosis("padding", discriminator_parameters(filters, kernel_size, padding="valid"),
                  "the image shrinks too fast: which padding keeps 28 -> 14 -> 7?"),
        Diagnosis("no_bias", discriminator_parameters(filters, kernel_size, bias=False),
                  "the convolutions have no biases here; they should"),
        Diagnosis("filters_swapped", discriminator_parameters(filters[::-1], kernel_size),
                  f"the filter counts are in the wrong order: {filters} from input to output")],
        f"{count:,} parameters, expected {expected:,}",
        "compare your model.summary() with the layers the exercise lists, one by one")
    rates = [float(layer.rate) for layer in all_layers(model)
             if isinstance(layer, keras.layers.Dropout)]
    diagnose(rates, [dropout] * len(filters) if dropout else [], [
        Diagnosis("unwanted_dropout", When(lambda _: not dropout),
                  "this discriminator has no dropout"),
        Diagnosis("no_dropout", [], f"add Dropout({dropout}) after each block's activation"),
        Diagnosis("dropout_rate", When(lambda got: len(got) == len(filters)),
                  f"the rate should be {dropout}")],
        f"dropout rates {rates}", f"one Dropout({dropout}) per convolution block")
    images = np.random.default_rng(0).uniform(-1.0, 1.0, (16, 28, 28, 1)).astype("float32")
    outputs(model, images, "the discriminator")
    large = blown_up(model, images, "the discriminator")
    diagnose(large, When(lambda got: np.abs(got).max() > 1.0), [
        Diagnosis("sigmoid", When(lambda got: got.min() >= 0.0 and got.max() <= 1.0),
                  "a sigmoid squashes the output into [0, 1]: output the logit and let the "
                  "loss apply the sigmoid")],
        f"with the last layer's weights made {BLOW_UP:g} times larger, the outputs stay in "
        f"[{large.min():.3f}, {large.max():.3f}]",
        "something squashes the output into [-1, 1]: output the raw logit, unbounded")
    rng = np.random.default_rng(1)
    pair = rng.uniform(-1.0, 1.0, (2, 8, 28, 28, 1)).astype("float32")
    expect_nonlinear(lambda x: outputs(model, x, "the discriminator"), pair[0], pair[1],
                     "without activations between them, stacked layers collapse into one "
                     "linear map: where do the LeakyReLUs go?")
    return (f"{count:,} parameters, (28, 28, 1) images -> one raw logit, activations between "
            f"the layers, {'Dropout(' + str(dropout) + ') per block' if dropout else 'no dropout'}")


_LOGITS = np.array([-2.0, -0.3, 0.2, 1.5, 0.4, -0.1, 3.0, 0.1], dtype="float32")
_LABELS = np.array([0, 1, 1, 1, 0, 0, 1, 1], dtype="float32")


def _accuracy(logits, labels, threshold=0.0):
    return float(np.mean((np.ravel(logits) > threshold) == (np.ravel(labels) == 1)))


@exercise("accuracy_from_logits")
def accuracy_from_logits(function):
    """Check `function(logits, labels) -> float`, the share of images classified correctly.

    A logit above 0 means "real" (label 1), because sigmoid(0) = 0.5. Tried with logits and
    labels of shapes `(n, 1)` and `(n,)` in every combination (an `(n, 1)` against an `(n,)`
    array broadcasts to an `(n, n)` table), and with logits between 0 and 0.5, where a 0.5
    threshold goes wrong.
    """
    expected = _accuracy(_LOGITS, _LABELS)  # 6 of 8 right.
    table = float(np.mean((_LOGITS[:, None] > 0) == (_LABELS[None, :] == 1)))  # 34 of 64.
    for logits, labels in ((_LOGITS[:, None], _LABELS[:, None]), (_LOGITS, _LABELS),
                           (_LOGITS[:, None], _LABELS), (_LOGITS, _LABELS[:, None])):
        name = f"logits {logits.shape}, labels {labels.shape}"
        accuracy = as_number(call(function, logits.copy(), labels.copy()), name,
                             "return one share for the whole batch")
        diagnose(accuracy, expected, [
            Diagnosis("probability_threshold", _accuracy(_LOGITS, _LABELS, 0.5),
                      "a logit is not a probability: which logit does sigmoid send to 0.5?"),
            Diagnosis("broadcast", table, f"an {logits.shape} and an {labels.shape} array "
                                          "broadcast to an 8x8 table of comparisons: bring "
                                          "them to one shape first"),
            Diagnosis("inverted", 1.0 - expected,
                      "exactly the wrong ones count: a positive logit means real"),
            Diagnosis("count", expected * len(_LOGITS),
                      "that is a count of correct images; the accuracy is a share")],
            f"{name}: got {accuracy:.4f}", "the share of the 8 images whose prediction "
                                           "(real when the logit is above 0) matches the label")
    return f"{expected:.2f} on logits and labels of shapes (n,) and (n, 1), in every combination"


def bce_reference(labels, logits):
    """Mean BCE on logits in float64, the stable way: max(x, 0) - x y + log(1 + e^-|x|)."""
    logits, labels = np.asarray(logits, "float64"), np.asarray(labels, "float64")
    return float(np.mean(np.maximum(logits, 0.0) - logits * labels
                         + np.log1p(np.exp(-np.abs(logits)))))


def bce_diagnoses(expected, size):
    """What a binary cross-entropy on logits comes out as with the usual mistakes."""
    return [
        Diagnosis("not_finite", When(not_finite),
                  "the sigmoid of a large logit rounds to exactly 0 or 1, and log(0) is -inf: "
                  "rewrite log sigmoid(x) so that exp never sees a large positive number"),
        Diagnosis("negated", -expected, "the sign is flipped: a cross-entropy is never negative"),
        Diagnosis("summed", expected * size, "that is the sum over the batch; take the mean"),
        Diagnosis("clipped", When(lambda got: expected > 50 and got < expected / 2),
                  "the loss is capped: clipping probabilities away from 0 and 1 limits it, but "
                  f"a sure and wrong discriminator should pay about {expected:.0f}"),
    ]


@exercise("binary_crossentropy_from_logits")
def binary_crossentropy_from_logits(function):
    """Check `function(labels, logits) -> float`: mean binary cross-entropy on logits.

    It must equal -mean(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) for moderate logits,
    and stay finite and right for logits of +-200, where sigmoid rounds to exactly 0 or 1 and
    a sure, wrong discriminator must pay about 200, not a clipped 16.
    """
    cases = (("moderate logits", [1, 0, 1, 0], [2.0, -1.0, -0.5, 0.0]),
             ("sure and right, logits +-200", [1, 0], [200.0, -200.0]),
             ("sure and wrong, logits +-200", [1, 0], [-200.0, 200.0]))
    for name, labels, logits in cases:
        labels, logits = np.array(labels, "float32"), np.array(logits, "float32")
        expected = bce_reference(labels, logits)
        with np.errstate(all="ignore"):  # A naive answer overflows; that is the lesson.
            loss = as_number(call(function, labels, logits), name, "take the mean over the batch")
        diagnose(loss, expected, bce_diagnoses(expected, len(labels)),
            f"{name}: got {loss:.4f}, expected {expected:.4f}",
            "the mean over the batch of -y log sigmoid(x) - (1 - y) log(1 - sigmoid(x))",
            tolerance=1e-4)
    return "matches the definition for moderate logits and stays exact at +-200"
