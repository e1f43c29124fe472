"""The checks of 07_classics' exercises: right answers in several styles pass, each usual wrong
answer fails with its own diagnosis and line, and the notebook's stubs fail without raising.
The checks' references are also held against independent computations here (Keras' own loss,
ganlib's models and pixel scaling), which the checks themselves never use."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from ganlib import models
from ganlib.core.pixels import scale_images
from ganlib.exercises import classics, classics_solutions
from test_exercises_report import case_ids, cases, expect_verdict


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


# --- scale_for_sigmoid --------------------------------------------------------------------------


def scale_for_sigmoid_stub(images):
    """uint8 pixels (n, 28, 28) -> float32 (n, 28, 28, 1) in [0, 1]."""
    return None  # Your code here.


def scale_with_tensorflow(images):
    return tf.expand_dims(tf.cast(images, tf.float32) / 255.0, axis=-1)


def scale_with_reshape(images):
    return (np.asarray(images, dtype=np.float32) * (1.0 / 255.0)).reshape(-1, 28, 28, 1)


def scale_with_rescaling_layer(images):
    return keras.layers.Rescaling(1.0 / 255.0)(images[..., np.newaxis].astype("float32"))


FIRST = "six made-up images (6, 28, 28)"
SCALE_WRONG = [
    (lambda images: images[..., np.newaxis].astype("float32") / 127.5 - 1.0, "tanh_range",
     f"{FIRST}: values span [-1.000, 1.000] — that is the tanh range [-1, 1]; a sigmoid "
     "generator draws in [0, 1], so divide by 255 and stop there"),
    (lambda images: images.astype("float32") / 255.0, "no_channel_axis",
     f"{FIRST}: returned shape (6, 28, 28) — add the channel axis Keras' layers expect: "
     "(n, 28, 28, 1), e.g. images[..., np.newaxis]"),
    (lambda images: images[:, np.newaxis].astype("float32") / 255.0, "channels_first",
     f"{FIRST}: returned shape (6, 1, 28, 28) — the channel axis goes last in Keras: "
     "(n, 28, 28, 1)"),
    (lambda images: images.reshape(len(images), -1).astype("float32") / 255.0, "flattened",
     f"{FIRST}: returned shape (6, 784) — keep the image shape: the discriminator reads "
     "(n, 28, 28, 1)"),
    (lambda images: images[..., np.newaxis].astype("float32"), "not_scaled",
     f"{FIRST}: values span [0.000, 255.000] — those are still the pixels 0..255: divide by "
     "255"),
    (lambda images: images[..., np.newaxis].astype("float32") / 256.0, "divided_by_256",
     f"{FIRST}: values span [0.000, 0.996] — white comes out as 0.996: divide by 255, so that "
     "255 becomes exactly 1"),
    (lambda images: images[..., np.newaxis] // 255, "integer_division",
     f"{FIRST}: values span [0.000, 1.000] — only 0s and 1s: that is integer division (//) or "
     "a cast to integers after dividing; divide with / and keep the fractions"),
    (lambda images: (images[..., np.newaxis] / 255.0).astype("int32"), "integer_division", None),
    (lambda images: 1.0 - images[..., np.newaxis].astype("float32") / 255.0, "inverted",
     f"{FIRST}: values span [0.000, 1.000] — the values are flipped (1 - x): keep MNIST's ink "
     "as it is, 255 -> 1"),
    (lambda images: images[..., np.newaxis] / 255.0, "dtype",
     f"{FIRST}: the values are right, but dtype float64 — Keras trains in float32: convert, "
     "e.g. .astype('float32') (NumPy divides into float64, twice the memory)"),
    (lambda images: (images[..., np.newaxis].astype("float32") / 255.0) ** 2, "mismatch",
     f"{FIRST}: values span [0.000, 1.000] — divide the pixels by 255: 0 -> 0, 255 -> 1"),
    (lambda images: images[:1, ..., np.newaxis].astype("float32") / 255.0, "mismatch",
     f"{FIRST}: returned shape (1, 28, 28, 1) — expected (6, 28, 28, 1): the same images with "
     "a channel axis at the end"),
    (lambda images: "scaled", "not_numbers",
     f"{FIRST} returned str, not an array of numbers — return numbers: a NumPy array, a tensor "
     "or a float"),
    (scale_for_sigmoid_stub, "returned_none", f"{FIRST} returned None — return the result"),
    (raising_stub, "raised", None),
]


def test_the_scale_reference_is_ganlibs_sigmoid_scaling():
    for _, pixels in classics.pixel_cases():
        np.testing.assert_allclose(classics.reference_sigmoid_scale(pixels),
                                   scale_images(pixels, "sigmoid"), atol=1e-7)
    six = classics.pixel_cases()[0][1]
    assert six[0].max() == 0 and six[1].min() == 255  # A black and a white image, as promised.


# --- tutorial_losses ----------------------------------------------------------------------------


def tutorial_losses_stub(real_logits, fake_logits):
    """(gen_loss, disc_loss), as the TensorFlow tutorial writes them."""
    return None  # Your code here.


def losses_with_ops(real_logits, fake_logits):
    # -log sigmoid(x) = softplus(-x) and -log(1 - sigmoid(x)) = softplus(x), without a sigmoid.
    gen_loss = ops.mean(ops.softplus(-fake_logits))
    disc_loss = ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))
    return gen_loss, disc_loss


def losses_with_tensorflow(real_logits, fake_logits):
    def bce(labels, logits):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))

    return [bce(tf.ones_like(fake_logits), fake_logits),
            bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits)]


CROSS_ENTROPY = keras.losses.BinaryCrossentropy(from_logits=True)
ON_PROBABILITIES = keras.losses.BinaryCrossentropy()


def bce(label, logits, loss=CROSS_ENTROPY):
    return loss(tf.fill(tf.shape(logits), label), logits)


MODERATE = "six real and six fake logits (6, 1)"
SURE = "a sure discriminator, real logits 100 and fake logits -100"
LOSSES_WRONG = [
    (lambda real, fake: (bce(1.0, real) + bce(0.0, fake), bce(1.0, fake)), "swapped",
     f"{MODERATE}: got (gen_loss, disc_loss) = (1.1199, 1.3282), expected (1.3282, 1.1199) — "
     "the two are the other way round: the tutorial returns (gen_loss, disc_loss)"),
    (lambda real, fake: (bce(1.0, fake, ON_PROBABILITIES),
                         bce(1.0, real, ON_PROBABILITIES) + bce(0.0, fake, ON_PROBABILITIES)),
     "from_logits",
     f"{MODERATE}: got (gen_loss, disc_loss) = (10.8609, 8.2608), expected (1.3282, 1.1199) — "
     "the discriminator outputs logits, but the loss read them as probabilities: use "
     "BinaryCrossentropy(from_logits=True)"),
    (lambda real, fake: (bce(1.0, tf.sigmoid(fake), ON_PROBABILITIES),
                         bce(1.0, tf.sigmoid(real), ON_PROBABILITIES)
                         + bce(0.0, tf.sigmoid(fake), ON_PROBABILITIES)), "capped",
     f"{SURE}: got (gen_loss, disc_loss) = (16.1181, 0.0), expected (100.0, 0.0) — the "
     "generator's loss is capped near 16: a sigmoid, then a loss on probabilities, clips them "
     "at 1e-7; let the loss take the logits (from_logits=True)"),
    (lambda real, fake: (bce(1.0, fake), (bce(1.0, real) + bce(0.0, fake)) / 2.0), "averaged",
     f"{MODERATE}: got (gen_loss, disc_loss) = (1.3282, 0.56), expected (1.3282, 1.1199) — the "
     "discriminator's loss is half: the tutorial adds real_loss and fake_loss"),
    (lambda real, fake: (bce(1.0, fake), bce(1.0, tf.concat([real, fake], 0))), "mismatch", None),
    (lambda real, fake: (-bce(0.0, fake), bce(1.0, real) + bce(0.0, fake)), "minimax",
     f"{MODERATE}: got (gen_loss, disc_loss) = (-0.5782, 1.1199), expected (1.3282, 1.1199) — "
     "that generator loss is log(1 - D(G(z))), the minimax one; the tutorial's generator wants "
     "its fakes labelled real (ones)"),
    (lambda real, fake: (bce(0.0, fake), bce(1.0, real) + bce(0.0, fake)), "generator_label_zero",
     f"{MODERATE}: got (gen_loss, disc_loss) = (0.5782, 1.1199), expected (1.3282, 1.1199) — "
     "the generator's target is ones: it wants the discriminator to call its fakes real"),
    (lambda real, fake: (bce(1.0, real), bce(1.0, real) + bce(0.0, fake)), "generator_on_real",
     f"{MODERATE}: got (gen_loss, disc_loss) = (0.5417, 1.1199), expected (1.3282, 1.1199) — "
     "the generator's loss is computed on the fake logits, the discriminator's verdict on its "
     "own images"),
    (lambda real, fake: (bce(1.0, fake), bce(0.0, real) + bce(1.0, fake)), "swapped_labels",
     f"{MODERATE}: got (gen_loss, disc_loss) = (1.3282, 2.7032), expected (1.3282, 1.1199) — "
     "the discriminator's labels are swapped: real images are 1, fakes 0"),
    (lambda real, fake: (bce(1.0, fake), bce(1.0, real)), "real_half_only",
     f"{MODERATE}: got (gen_loss, disc_loss) = (1.3282, 0.5417), expected (1.3282, 1.1199) — "
     "only the real images' half is there: add the loss on the fakes (label 0)"),
    (lambda real, fake: (bce(1.0, fake), bce(0.0, fake)), "fake_half_only",
     f"{MODERATE}: got (gen_loss, disc_loss) = (1.3282, 0.5782), expected (1.3282, 1.1199) — "
     "only the fakes' half is there: add the loss on the real images (label 1)"),
    (lambda real, fake: (6.0 * bce(1.0, fake), bce(1.0, real) + bce(0.0, fake)), "mismatch",
     f"{MODERATE}: got (gen_loss, disc_loss) = (7.9693, 1.1199), expected (1.3282, 1.1199) — "
     "gen_loss: BCE(ones, fake_output); disc_loss: BCE(ones, real_output) + BCE(zeros, "
     "fake_output), on logits"),
    (lambda real, fake: (float(bce(1.0, fake)), float(bce(1.0, real) + bce(0.0, fake))),
     "no_gradient",
     f"{MODERATE}: the values are right, but they are not tensors a GradientTape can "
     "differentiate — compute both losses with TensorFlow or keras.ops from the logits you "
     "were given"),
    (lambda real, fake: (tf.stop_gradient(bce(1.0, fake)), bce(1.0, real) + bce(0.0, fake)),
     "no_gradient",
     f"{MODERATE}: the values are right, but no gradient flows back to the logits — compute "
     "both losses with TensorFlow or keras.ops from the logits you were given"),
    (lambda real, fake: (tf.constant(float(bce(1.0, fake))) + 0.0 * tf.reduce_sum(fake),
                         bce(1.0, real) + bce(0.0, fake)), "wrong_gradient",
     f"{MODERATE}: the values are right, but their gradients are not — compute both losses "
     "with TensorFlow or keras.ops from the logits you were given"),
    (lambda real, fake: (keras.losses.binary_crossentropy(tf.ones_like(fake), fake,
                                                          from_logits=True),
                         bce(1.0, real) + bce(0.0, fake)), "not_one_number",
     f"{MODERATE}: gen_loss returned shape (6,), not one number — take the mean over the "
     "batch"),
    (lambda real, fake: bce(1.0, fake), "not_a_pair",
     f"{MODERATE}: returned EagerTensor — return the pair (gen_loss, disc_loss)"),
    (tutorial_losses_stub, "not_a_pair",
     f"{MODERATE}: returned NoneType — return the pair (gen_loss, disc_loss)"),
    (raising_stub, "raised", None),
]


def test_the_loss_reference_is_keras_binary_cross_entropy_on_logits():
    for _, real, fake in classics.logit_cases():
        gen, disc = classics.reference_tutorial_losses(real, fake)
        assert np.isclose(gen, float(bce(1.0, fake)), rtol=1e-5, atol=1e-6)
        assert np.isclose(disc, float(bce(1.0, real) + bce(0.0, fake)), rtol=1e-5, atol=1e-6)


# --- mlp_generator_parameters -------------------------------------------------------------------


def mlp_generator_parameters_stub(latent_dim, units):
    """The number of parameters of ganlib's MLP generator with these sizes."""
    return None  # Your code here.


def parameters_by_sum(latent_dim, units):
    widths = [latent_dim, *units]
    kernels = sum(a * b for a, b in zip(widths, widths[1:]))
    return kernels + 4 * sum(units) + widths[-1] * 784 + 784


def parameters_by_building(latent_dim, units):
    # Building the model and asking Keras is a right answer too.
    return models.mlp_generator(latent_dim, units).count_params()


def right_count(latent_dim, units):
    return classics_solutions.mlp_generator_parameters(latent_dim, units)


PRESET = "latent_dim 100, units (256, 512, 1024)"
COUNT_WRONG = [
    (lambda latent_dim, units: 1_491_728, "hard_coded",
     "latent_dim 3, units (5,): got 1,491,728 — that is the mlp preset's count whatever the "
     "sizes: compute it from latent_dim and units"),
    (lambda latent_dim, units: right_count(latent_dim, units) + sum(units), "hidden_bias",
     f"{PRESET}: got 1,493,520 — the Dense layers before a batch norm have no bias "
     "(use_bias=False): the batch norm subtracts the mean, which would cancel it, and its beta "
     "does the bias's job"),
    (lambda latent_dim, units: right_count(latent_dim, units) - sum(units),
     "hidden_bias_trained_norm",
     f"{PRESET}: got 1,489,936 — two mistakes that nearly cancel: the hidden Dense layers have "
     "no bias, and a batch norm holds four vectors (count_params() counts the moving mean and "
     "variance too)"),
    (lambda latent_dim, units: right_count(latent_dim, units) - 2 * sum(units),
     "trained_norm_only",
     f"{PRESET}: got 1,488,144 — a batch norm over w units holds 4 w numbers: gamma and beta, "
     "and the moving mean and variance, which are not trained but count_params() counts"),
    (lambda latent_dim, units: right_count(latent_dim, units) - 4 * sum(units), "no_batch_norm",
     f"{PRESET}: got 1,484,560 — the batch norms are missing: 4 numbers per unit each"),
    (lambda latent_dim, units: right_count(latent_dim, units) - 784, "no_output_bias",
     f"{PRESET}: got 1,490,944 — the output layer Dense(784) has a bias: 784 more"),
    (lambda latent_dim, units: right_count(latent_dim, units) - units[-1] * 784 - 784,
     "no_output_layer",
     f"{PRESET}: got 688,128 — the output layer is missing: Dense(784) from the last hidden "
     "layer, with a bias"),
    (lambda latent_dim, units: right_count(latent_dim, units) - latent_dim * units[0],
     "no_first_kernel",
     f"{PRESET}: got 1,466,128 — the first layer's kernel is missing: latent_dim x units[0] "
     "weights from the noise"),
    (lambda latent_dim, units: right_count(latent_dim, units) + 0.5, "not_whole",
     f"{PRESET}: got 1,491,728.5, not a whole number — a count of weights is a whole number"),
    (lambda latent_dim, units: right_count(latent_dim, units) + 1, "mismatch",
     f"{PRESET}: got 1,491,729 — count every Dense layer's kernel (inputs x units) and bias, "
     "and every batch norm's vectors"),
    (lambda latent_dim, units: [right_count(latent_dim, units)] * 2, "not_one_number",
     f"{PRESET} returned shape (2,), not one number — return one number: the count"),
    (mlp_generator_parameters_stub, "returned_none", f"{PRESET} returned None — return the result"),
    (raising_stub, "raised", None),
]


def test_the_count_reference_is_what_keras_counts():
    for latent_dim, units in classics.size_cases():
        assert classics.reference_parameters(latent_dim, units) == \
            models.mlp_generator(latent_dim, units).count_params()
    preset = models.check_preset("mlp")
    assert (100, tuple(preset["generator"]["units"])) == classics.MLP_PRESET_SIZES


def test_every_mistake_gives_another_count():
    # Otherwise a diagnosis could be shadowed by an earlier one and never shown.
    for latent_dim, units in classics.size_cases():
        counts = [classics.reference_parameters(latent_dim, units, **switch) for switch in (
            {}, {"hidden_bias": True}, {"hidden_bias": True, "norm_vectors": 2},
            {"norm_vectors": 2}, {"norm_vectors": 0}, {"output_bias": False},
            {"output_layer": False}, {"from_noise": False})]
        assert len(set(counts)) == len(counts), (latent_dim, units, counts)


CASES = (
    cases(classics.scale_for_sigmoid, [
        classics_solutions.scale_for_sigmoid, scale_with_tensorflow, scale_with_reshape,
        scale_with_rescaling_layer],
        "float32 (n, 28, 28, 1), 0 -> 0 and 255 -> 1, for six images and for one", SCALE_WRONG)
    + cases(classics.tutorial_losses, [
        classics_solutions.tutorial_losses, losses_with_ops, losses_with_tensorflow],
        "(gen_loss, disc_loss) as the tutorial writes them, on logits, right at +-100, with "
        "gradients that reach the logits", LOSSES_WRONG)
    + cases(classics.mlp_generator_parameters, [
        classics_solutions.mlp_generator_parameters, parameters_by_sum, parameters_by_building,
        lambda latent_dim, units: float(parameters_by_sum(latent_dim, units))],
        "every kernel, the output bias and four vectors per batch norm: 1,491,728 for the mlp "
        "preset's sizes, and right for three others", COUNT_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)


def test_the_checks_leave_the_learners_arrays_alone(capsys):
    # The check hands over a copy and computes its reference from its own pixels, so a
    # learner's function that writes into its input cannot change what it is compared with.
    def in_place(images):
        answer = classics_solutions.scale_for_sigmoid(images)
        images[:] = 0
        return answer

    verdict = classics.scale_for_sigmoid(in_place)
    capsys.readouterr()
    assert verdict
