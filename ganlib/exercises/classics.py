"""Checks for 07_classics' exercises: scale_for_sigmoid, tutorial_losses, mlp_generator_parameters.

Every expected value is computed here from first principles, never from the notebook's code or
`ganlib`'s models:

- `scale_for_sigmoid`: made-up uint8 pixels (one image all black, one all white, the rest
  random) divided by 255 in float64, with a channel axis at the end.
- `tutorial_losses`: the TensorFlow tutorial's two losses as NumPy formulas in float64 (a mean
  binary cross-entropy on logits, in its stable form), and their gradients with respect to the
  logits, on moderate logits and on a discriminator so sure of itself (logits of +-100) that a
  loss computed through probabilities is capped near 16.
- `mlp_generator_parameters`: the weights of an MLP generator counted from its layer sizes
  (a kernel per Dense layer, a bias for the output layer only, four vectors per batch norm), for
  the `mlp` preset's sizes and for three others.

The only mistake computed with Keras is the one that is Keras' own: a `BinaryCrossentropy()`
left at `from_logits=False`, which clips logits to [1e-7, 1 - 1e-7] as if they were
probabilities; its value is what Keras makes of it, so it is asked of Keras.
"""

import keras
import numpy as np
import tensorflow as tf

from ganlib.exercises.report import (Diagnosis, When, as_array, as_number, call, diagnose,
                                     exercise, fail, require, rounded)

# --- scale_for_sigmoid -------------------------------------------------------------------------


def pixel_cases():
    """(name, pixels) cases: uint8 `(n, 28, 28)` made-up digits."""
    rng = np.random.default_rng(7)
    six = rng.integers(0, 256, (6, 28, 28)).astype(np.uint8)
    six[0], six[1] = 0, 255  # One image all black, one all white: 0 -> 0 and 255 -> 1 exactly.
    return [("six made-up images (6, 28, 28)", six),
            ("one image (1, 28, 28)", rng.integers(0, 256, (1, 28, 28)).astype(np.uint8))]


def reference_sigmoid_scale(pixels):
    """uint8 `(n, 28, 28)` -> float64 `(n, 28, 28, 1)` in [0, 1]: pixels / 255."""
    return np.asarray(pixels, "float64")[..., np.newaxis] / 255.0


@exercise("scale_for_sigmoid")
def scale_for_sigmoid(function):
    """Check `function(images) -> array`: uint8 pixels `(n, 28, 28)` to what a sigmoid
    generator's discriminator trains on, float32 `(n, 28, 28, 1)` in [0, 1].

    Expected: pixels / 255 (0 -> 0, 255 -> 1), a channel axis at the end, dtype float32.
    Tried on six made-up images (one all black, one all white) and on a single image.
    """
    for name, pixels in pixel_cases():
        value = as_array(call(function, pixels.copy(), label="scale_for_sigmoid"), name)
        expected = reference_sigmoid_scale(pixels)
        count = len(pixels)
        diagnose(value.shape, expected.shape, [
            Diagnosis("no_channel_axis", (count, 28, 28),
                      "add the channel axis Keras' layers expect: (n, 28, 28, 1), e.g. "
                      "images[..., np.newaxis]"),
            Diagnosis("channels_first", (count, 1, 28, 28),
                      "the channel axis goes last in Keras: (n, 28, 28, 1)"),
            Diagnosis("flattened", (count, 784),
                      "keep the image shape: the discriminator reads (n, 28, 28, 1)")],
            f"{name}: returned shape {value.shape}", f"expected {expected.shape}: the same "
                                                      "images with a channel axis at the end")
        low, high = float(np.min(value)), float(np.max(value))
        diagnose(value, expected, [
            Diagnosis("tanh_range", expected * 2.0 - 1.0,
                      "that is the tanh range [-1, 1]; a sigmoid generator draws in [0, 1], so "
                      "divide by 255 and stop there"),
            Diagnosis("not_scaled", expected * 255.0,
                      "those are still the pixels 0..255: divide by 255"),
            Diagnosis("divided_by_256", expected * 255.0 / 256.0,
                      "white comes out as 0.996: divide by 255, so that 255 becomes exactly 1"),
            Diagnosis("integer_division", np.floor(expected),
                      "only 0s and 1s: that is integer division (//) or a cast to integers "
                      "after dividing; divide with / and keep the fractions"),
            Diagnosis("inverted", 1.0 - expected,
                      "the values are flipped (1 - x): keep MNIST's ink as it is, 255 -> 1")],
            f"{name}: values span [{low:.3f}, {high:.3f}]",
            "divide the pixels by 255: 0 -> 0, 255 -> 1", tolerance=1e-6)
        require(value.dtype == np.float32, f"{name}: the values are right, but dtype "
                f"{value.dtype}", "Keras trains in float32: convert, e.g. .astype('float32') "
                "(NumPy divides into float64, twice the memory)", "dtype")
    return "float32 (n, 28, 28, 1), 0 -> 0 and 255 -> 1, for six images and for one"


# --- tutorial_losses ----------------------------------------------------------------------------

_REAL = np.array([[2.0], [-1.0], [0.5], [3.0], [-0.5], [1.0]], dtype="float32")  # (6, 1)
_FAKE = np.array([[-2.0], [0.5], [-3.0], [1.0], [-1.0], [0.0]], dtype="float32")  # (6, 1)


def logit_cases():
    """(name, real_logits, fake_logits) cases, float32 `(batch, 1)`."""
    return [("six real and six fake logits (6, 1)", _REAL, _FAKE),
            ("a sure discriminator, real logits 100 and fake logits -100",
             np.full((2, 1), 100.0, "float32"), np.full((2, 1), -100.0, "float32"))]


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, "float64")))


def mean_bce(label, logits):
    """Mean binary cross-entropy of sigmoid(logits) against one label, in float64, computed
    the stable way: max(x, 0) - x y + log(1 + e^-|x|)."""
    x = np.asarray(logits, "float64")
    return float(np.mean(np.maximum(x, 0.0) - x * label + np.log1p(np.exp(-np.abs(x)))))


def reference_tutorial_losses(real_logits, fake_logits):
    """The tutorial's (gen_loss, disc_loss): the generator wants its fakes labelled 1; the
    discriminator adds its loss on real images labelled 1 and on fakes labelled 0."""
    return [mean_bce(1.0, fake_logits), mean_bce(1.0, real_logits) + mean_bce(0.0, fake_logits)]


def _keras_bce_of_probabilities(label, values):
    """What `keras.losses.BinaryCrossentropy()` (from_logits=False) gives for `values`: it
    reads them as probabilities and clips them to [1e-7, 1 - 1e-7]."""
    values = np.asarray(values, "float32")
    loss = keras.losses.BinaryCrossentropy(from_logits=False)
    return float(loss(np.full_like(values, label), values))


def _tutorial_diagnoses(real_logits, fake_logits):
    gen, disc = reference_tutorial_losses(real_logits, fake_logits)
    real_half, fake_half = mean_bce(1.0, real_logits), mean_bce(0.0, fake_logits)

    def as_probabilities():
        return [_keras_bce_of_probabilities(1.0, fake_logits),
                _keras_bce_of_probabilities(1.0, real_logits)
                + _keras_bce_of_probabilities(0.0, fake_logits)]

    return [
        Diagnosis("swapped", [disc, gen],
                  "the two are the other way round: the tutorial returns (gen_loss, disc_loss)"),
        Diagnosis("capped", When(lambda got: gen > 50 and got[0] < gen / 2),
                  "the generator's loss is capped near 16: a sigmoid, then a loss on "
                  "probabilities, clips them at 1e-7; let the loss take the logits "
                  "(from_logits=True)"),
        Diagnosis("from_logits", as_probabilities,
                  "the discriminator outputs logits, but the loss read them as probabilities: "
                  "use BinaryCrossentropy(from_logits=True)"),
        Diagnosis("averaged", [gen, disc / 2.0],
                  "the discriminator's loss is half: the tutorial adds real_loss and fake_loss"),
        Diagnosis("minimax", [-mean_bce(0.0, fake_logits), disc],
                  "that generator loss is log(1 - D(G(z))), the minimax one; the tutorial's "
                  "generator wants its fakes labelled real (ones)"),
        Diagnosis("generator_label_zero", [mean_bce(0.0, fake_logits), disc],
                  "the generator's target is ones: it wants the discriminator to call its fakes "
                  "real"),
        Diagnosis("generator_on_real", [mean_bce(1.0, real_logits), disc],
                  "the generator's loss is computed on the fake logits, the discriminator's "
                  "verdict on its own images"),
        Diagnosis("swapped_labels", [gen, mean_bce(0.0, real_logits) + mean_bce(1.0, fake_logits)],
                  "the discriminator's labels are swapped: real images are 1, fakes 0"),
        Diagnosis("real_half_only", [gen, real_half],
                  "only the real images' half is there: add the loss on the fakes (label 0)"),
        Diagnosis("fake_half_only", [gen, fake_half],
                  "only the fakes' half is there: add the loss on the real images (label 1)"),
    ]


def _gradient_problem(tape, gen_loss, disc_loss, real, fake, real_logits, fake_logits):
    """None when both losses have the right gradients with respect to the logits, else a pair
    (problem, diagnosis)."""
    if not (tf.is_tensor(gen_loss) and tf.is_tensor(disc_loss)):
        return "the values are right, but they are not tensors a GradientTape can differentiate", \
            "no_gradient"
    gen_gradient = tape.gradient(gen_loss, fake)
    disc_gradients = tape.gradient(disc_loss, [real, fake])
    if gen_gradient is None or any(gradient is None for gradient in disc_gradients):
        return "the values are right, but no gradient flows back to the logits", "no_gradient"
    count = len(fake_logits)
    expected = [(_sigmoid(fake_logits) - 1.0) / count, (_sigmoid(real_logits) - 1.0) / count,
                _sigmoid(fake_logits) / count]
    got = [np.asarray(gradient) for gradient in (gen_gradient, *disc_gradients)]
    if not all(g.shape == e.shape and np.allclose(g, e, atol=1e-5) for g, e in zip(got, expected)):
        return "the values are right, but their gradients are not", "wrong_gradient"
    return None


@exercise("tutorial_losses")
def tutorial_losses(function):
    """Check `function(real_logits, fake_logits) -> (gen_loss, disc_loss)`, the TensorFlow
    tutorial's two losses on the discriminator's logits `(batch, 1)`.

    Expected: gen_loss = mean BCE of the fake logits against 1; disc_loss = mean BCE of the real
    logits against 1 plus mean BCE of the fake logits against 0; both scalar tensors whose
    gradients reach the logits. Tried on moderate logits and on logits of +-100.
    """
    for name, real_logits, fake_logits in logit_cases():
        real, fake = tf.constant(real_logits), tf.constant(fake_logits)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([real, fake])
            value = call(function, real, fake, label="tutorial_losses")
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            fail(f"{name}: returned {type(value).__name__}",
                 "return the pair (gen_loss, disc_loss)", "not_a_pair")
        got = [as_number(value[0], f"{name}: gen_loss", "take the mean over the batch"),
               as_number(value[1], f"{name}: disc_loss", "take the mean over the batch")]
        expected = reference_tutorial_losses(real_logits, fake_logits)
        diagnose(got, expected, _tutorial_diagnoses(real_logits, fake_logits),
                 f"{name}: got (gen_loss, disc_loss) = {tuple(rounded(got))}, expected "
                 f"{tuple(rounded(expected))}",
                 "gen_loss: BCE(ones, fake_output); disc_loss: BCE(ones, real_output) + "
                 "BCE(zeros, fake_output), on logits", tolerance=1e-4)
        problem = _gradient_problem(tape, value[0], value[1], real, fake, real_logits,
                                    fake_logits)
        if problem is not None:
            fail(f"{name}: {problem[0]}", "compute both losses with TensorFlow or keras.ops "
                                          "from the logits you were given", problem[1])
    return ("(gen_loss, disc_loss) as the tutorial writes them, on logits, right at +-100, with "
            "gradients that reach the logits")


# --- mlp_generator_parameters -------------------------------------------------------------------

MLP_PRESET_SIZES = (100, (256, 512, 1024))
PIXELS = 28 * 28


def size_cases():
    """(latent_dim, units) cases: the `mlp` preset's sizes first."""
    return [MLP_PRESET_SIZES, (3, (5,)), (64, (128, 256)), (10, (20, 20, 20))]


def reference_parameters(latent_dim, units, *, hidden_bias=False, norm_vectors=4,
                         output_bias=True, output_layer=True, from_noise=True):
    """Weights of the MLP generator: per width w, Dense(w, no bias) and BatchNorm(w) (gamma,
    beta, moving mean and variance: 4 w), then Dense(784) with a bias.

    The keyword switches count the usual mistakes instead: biases in the hidden layers, only
    the batch norms' two trained vectors (or none), no output bias, no output layer, and no
    kernel from the noise into the first layer.
    """
    total, previous = 0, latent_dim
    for index, width in enumerate(units):
        if index > 0 or from_noise:
            total += previous * width
        total += width * (hidden_bias + norm_vectors)
        previous = width
    if output_layer:
        total += previous * PIXELS + (PIXELS if output_bias else 0)
    return total


def _parameter_diagnoses(latent_dim, units):
    arguments = (latent_dim, units)
    preset = reference_parameters(*MLP_PRESET_SIZES)
    return [
        Diagnosis("hard_coded", When(lambda got: (latent_dim, units) != MLP_PRESET_SIZES
                                     and got == preset),
                  "that is the mlp preset's count whatever the sizes: compute it from "
                  "latent_dim and units"),
        Diagnosis("hidden_bias", reference_parameters(*arguments, hidden_bias=True),
                  "the Dense layers before a batch norm have no bias (use_bias=False): the "
                  "batch norm subtracts the mean, which would cancel it, and its beta does the "
                  "bias's job"),
        Diagnosis("hidden_bias_trained_norm",
                  reference_parameters(*arguments, hidden_bias=True, norm_vectors=2),
                  "two mistakes that nearly cancel: the hidden Dense layers have no bias, and a "
                  "batch norm holds four vectors (count_params() counts the moving mean and "
                  "variance too)"),
        Diagnosis("trained_norm_only", reference_parameters(*arguments, norm_vectors=2),
                  "a batch norm over w units holds 4 w numbers: gamma and beta, and the moving "
                  "mean and variance, which are not trained but count_params() counts"),
        Diagnosis("no_batch_norm", reference_parameters(*arguments, norm_vectors=0),
                  "the batch norms are missing: 4 numbers per unit each"),
        Diagnosis("no_output_bias", reference_parameters(*arguments, output_bias=False),
                  "the output layer Dense(784) has a bias: 784 more"),
        Diagnosis("no_output_layer", reference_parameters(*arguments, output_layer=False),
                  "the output layer is missing: Dense(784) from the last hidden layer, with a "
                  "bias"),
        Diagnosis("no_first_kernel", reference_parameters(*arguments, from_noise=False),
                  "the first layer's kernel is missing: latent_dim x units[0] weights from the "
                  "noise"),
    ]


@exercise("mlp_generator_parameters")
def mlp_generator_parameters(function):
    """Check `function(latent_dim, units) -> int`: the parameter count of an MLP generator.

    The generator (`ganlib.models.mlp_generator`): per width w in `units`, Dense(w,
    use_bias=False) -> BatchNormalization -> LeakyReLU; then Dense(784) with a bias, reshaped
    to (28, 28, 1). Expected: what `count_params()` says, which counts a batch norm's moving
    mean and variance too. Tried on the `mlp` preset's sizes and three others.
    """
    for latent_dim, units in size_cases():
        name = f"latent_dim {latent_dim}, units {units}"
        value = as_number(call(function, latent_dim, units, label="mlp_generator_parameters"),
                          name, "return one number: the count")
        expected = reference_parameters(latent_dim, units)
        require(value == int(value), f"{name}: got {value:,}, not a whole number",
                "a count of weights is a whole number", "not_whole")
        diagnose(value, expected, _parameter_diagnoses(latent_dim, units),
                 f"{name}: got {value:,.0f}",
                 "count every Dense layer's kernel (inputs x units) and bias, and every batch "
                 "norm's vectors", tolerance=0.0)
    preset = reference_parameters(*MLP_PRESET_SIZES)
    return (f"every kernel, the output bias and four vectors per batch norm: {preset:,} for the "
            "mlp preset's sizes, and right for three others")
