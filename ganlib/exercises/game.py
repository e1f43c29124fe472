"""Checks for 04_gan's exercises: generator_loss, discriminator_loss, train_step.

The losses are compared with NumPy formulas in float64, and so are their gradients with respect
to the logits: a loss that leaves TensorFlow (through NumPy, say) has the right value but no
gradient, and would not train anything.

`train_step` runs the learner's step on a tiny GAN built here with plain Keras and compares the
weights with `reference_step`, the course's alternating step written independently in this
module. The two optimizers differ (SGD with learning rates 0.1 and 0.4), so swapping them
shows. The generator has batch norm and the discriminator a layer that doubles its input in
training mode only, so a wrong `training=` flag changes the weights. That layer, rather than
a seeded Dropout, makes the flag matter without randomness: a seeded Dropout's masks would
depend on the order in which a (correct) step calls the discriminator on real and fake images.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from ganlib.exercises.discriminator import bce_reference, bce_diagnoses
from ganlib.exercises.report import (Diagnosis, as_number, call, diagnose, exercise, fail,
                                     require)

_LOGITS = np.array([[-6.0], [-2.0], [-0.5], [0.0], [1.5], [5.0]], dtype="float32")  # (6, 1)
LATENT_DIM = 8
LEARNING_RATES = {"d_optimizer": 0.1, "g_optimizer": 0.4}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, "float64")))


def _loss_and_gradients(function, name, arrays, **kwargs):
    """The learner's loss on `arrays` (as tensors) and its gradients with respect to them."""
    tensors = [tf.constant(array) for array in arrays]
    with tf.GradientTape() as tape:
        tape.watch(tensors)
        loss = call(function, *tensors, **kwargs)
    value = as_number(loss, name, "take the mean over the batch")
    gradients = tape.gradient(loss, tensors) if tf.is_tensor(loss) else [None] * len(tensors)
    return value, gradients


def _expect_gradients(gradients, expected, name):
    require(all(gradient is not None for gradient in gradients),
            f"{name}: the value is right, but no gradient flows back to the logits",
            "a training step differentiates this loss: keep every step in TensorFlow or "
            "keras.ops (NumPy breaks the chain)", "no_gradient")
    diagnose([np.asarray(gradient) for gradient in gradients], expected, [],
             f"{name}: the value is right, but its gradient is not",
             "compute the loss from the logits directly", tolerance=1e-4)


@exercise("generator_loss")
def generator_loss(function):
    """Check a non-saturating generator loss `function(fake_logits) -> scalar tensor`.

    Expected: the mean over the batch of -log D(G(z)) = -log sigmoid(logit), and its gradient
    (sigmoid(logit) - 1) / batch, for logits `(6, 1)`, the same as `(6,)`, and a discriminator so
    sure (logit -100) that a loss computed through sigmoid first gives log(0).
    """
    cases = [("six logits (6, 1)", _LOGITS), ("the same logits as shape (6,)", _LOGITS[:, 0]),
             ("a sure discriminator, logit -100", np.full((2, 1), -100.0, dtype="float32"))]
    for name, logits in cases:
        expected = bce_reference(1.0, logits)
        loss, gradients = _loss_and_gradients(function, name, [logits])
        diagnose(loss, expected, [
            *bce_diagnoses(expected, len(logits)),
            Diagnosis("minimax", -bce_reference(0.0, logits),
                      "that is the minimax loss log(1 - D(G(z))), which saturates early on"),
            Diagnosis("fake_label", bce_reference(0.0, logits),
                      "that labels the fakes fake, as the discriminator does; the generator "
                      "wants them called real")],
            f"{name}: got {loss:.4f}, expected {expected:.4f}",
            "the mean over the batch of -log sigmoid(logit)", tolerance=1e-4)
        _expect_gradients(gradients, [(_sigmoid(logits) - 1.0) / len(logits)], name)
    return "-log D(G(z)) averaged over the batch, finite at logit -100, with the right gradient"


@exercise("discriminator_loss")
def discriminator_loss(function):
    """Check `function(real_logits, fake_logits, label_smoothing=0.0) -> scalar tensor`.

    Expected: mean BCE(1 - label_smoothing, real_logits) + mean BCE(0, fake_logits), the two
    halves added (not averaged), and its gradients, computed in NumPy; with no smoothing, with
    one-sided smoothing of 0.1 and 0.2, and for logits of +-100.
    """
    real, fake, sure = _LOGITS, _LOGITS[::-1] - 1.0, np.array([[100.0], [-100.0]], "float32")
    for name, real_logits, fake_logits, smoothing in (
            ("no smoothing", real, fake, 0.0), ("label_smoothing=0.1", real, fake, 0.1),
            ("label_smoothing=0.2", real, fake, 0.2), ("sure logits +-100", sure, -sure, 0.0)):
        def bce(real_label, fake_label):
            return bce_reference(real_label, real_logits) + bce_reference(fake_label, fake_logits)

        expected = bce(1.0 - smoothing, 0.0)
        loss, gradients = _loss_and_gradients(function, name, [real_logits, fake_logits],
                                              label_smoothing=smoothing)
        diagnose(loss, expected, [
            *bce_diagnoses(expected, len(real_logits)),
            Diagnosis("averaged", expected / 2.0,
                      "that is half: the course adds the real and the fake halves"),
            Diagnosis("swapped_labels", bce(0.0, 1.0 - smoothing),
                      "the labels are swapped: real images are the ones labelled 1"),
            Diagnosis("two_sided", bce(1.0 - smoothing, smoothing),
                      "the fake labels were smoothed too; smooth only the real ones"),
            Diagnosis("ignored_smoothing", bce(1.0, 0.0),
                      "label_smoothing made no difference: the real label is 1 - label_smoothing"),
            Diagnosis("fixed_smoothing", bce(0.9, 0.0), "the smoothing does not follow "
                                                        "label_smoothing: use the argument"),
            Diagnosis("real_half_only", bce_reference(1.0 - smoothing, real_logits),
                      "only the real half is there: add the fake images' loss"),
            Diagnosis("fake_half_only", bce_reference(0.0, fake_logits),
                      "only the fake half is there: add the real images' loss")],
            f"{name}: got {loss:.4f}, expected {expected:.4f}",
            "mean BCE of the real logits against 1 - label_smoothing, plus mean BCE of the "
            "fake logits against 0", tolerance=1e-4)
        _expect_gradients(gradients, [(_sigmoid(real_logits) - 1.0 + smoothing) / len(real_logits),
                                      _sigmoid(fake_logits) / len(fake_logits)], name)
    return "the two halves added, one-sided smoothing that follows the argument, finite at +-100"


class TrainingScale(layers.Layer):
    """Doubles its input in training mode only: the `training` flag then changes the weights."""

    def call(self, inputs, training=False):
        return inputs * 2.0 if training else inputs


def tiny_gan():
    """A small MLP generator (with batch norm) and discriminator, fixed weights, plain Keras,
    and their two optimizers: `(generator, discriminator, d_optimizer, g_optimizer)`."""
    generator = keras.Sequential([
        keras.Input((LATENT_DIM,)), layers.Dense(16, use_bias=False), layers.BatchNormalization(),
        layers.LeakyReLU(0.2), layers.Dense(28 * 28, activation="tanh"),
        layers.Reshape((28, 28, 1))])
    discriminator = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(16), layers.LeakyReLU(0.2),
        TrainingScale(), layers.Dense(1)])
    rng = np.random.default_rng(0)
    for model in (generator, discriminator):
        for variable in model.trainable_variables:
            variable.assign(rng.normal(0.0, 0.1, variable.shape).astype("float32"))
    return (generator, discriminator, keras.optimizers.SGD(LEARNING_RATES["d_optimizer"]),
            keras.optimizers.SGD(LEARNING_RATES["g_optimizer"]))


def step_batch():
    """Real images `(4, 28, 28, 1)`, the discriminator's noise and the generator's `(4, 8)`."""
    rng = np.random.default_rng(1)
    return (rng.uniform(-1.0, 1.0, (4, 28, 28, 1)).astype("float32"),
            rng.standard_normal((4, LATENT_DIM)).astype("float32"),
            rng.standard_normal((4, LATENT_DIM)).astype("float32"))


def _bce(label, logits):
    return ops.mean(ops.binary_crossentropy(ops.full_like(logits, label), logits,
                                            from_logits=True))


def reference_step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                   g_noise, mistake=None):
    """The course's step: D on real images against G(d_noise), then G with fakes G(g_noise)
    through the updated D, non-saturating. Returns (d_loss, g_loss, the generator's loss before
    D's update). `mistake` makes one of the mistakes `train_step` recognises instead."""
    if mistake == "swapped":
        d_optimizer, g_optimizer = g_optimizer, d_optimizer
    g_training, d_training = mistake != "g_inference", mistake != "d_inference"
    with tf.GradientTape(persistent=True) as tape:
        fake_images = generator(d_noise, training=g_training)
        real_logits = discriminator(real_images, training=d_training)
        fake_logits = discriminator(fake_images, training=d_training)
        d_loss = _bce(1.0, real_logits) + _bce(0.0, fake_logits)
        d_loss = d_loss / 2.0 if mistake == "averaged" else d_loss
        early_g_loss = _bce(1.0, fake_logits)  # G's loss before D's update (simultaneous).
    d_variables, g_variables = discriminator.trainable_variables, generator.trainable_variables
    early_g_gradients = tape.gradient(early_g_loss, g_variables)
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_variables), d_variables))
    if mistake == "simultaneous":
        g_optimizer.apply_gradients(zip(early_g_gradients, g_variables))
        return d_loss, early_g_loss, early_g_loss
    with tf.GradientTape() as tape:
        fake_images = generator(d_noise if mistake == "same_noise" else g_noise,
                                training=g_training)
        fake_logits = discriminator(fake_images, training=mistake != "frozen_discriminator")
        g_loss = -_bce(0.0, fake_logits) if mistake == "minimax" else _bce(1.0, fake_logits)
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_variables), g_variables))
    return d_loss, g_loss, early_g_loss


def _weights(model):
    return [variable.numpy() for variable in model.trainable_variables]


def _reference_runs():
    """Run `reference_step` (with a mistake, or none) on a fresh tiny GAN, once per mistake."""
    runs = {}

    def run(mistake=None):
        if mistake not in runs:
            generator, discriminator, d_optimizer, g_optimizer = tiny_gan()
            losses = reference_step(generator, discriminator, d_optimizer, g_optimizer,
                                    *step_batch(), mistake=mistake)
            runs[mistake] = ([float(loss) for loss in losses], _weights(generator),
                             _weights(discriminator))
        return runs[mistake]
    return run


_STEP_MISTAKES = {
    "swapped": "the two optimizers are swapped: each network has its own",
    "d_inference": "the discriminator ran in inference mode while it was trained: its layers "
                   "should be in training mode",
    "g_inference": "the generator made its fakes in inference mode: it is being trained",
    "averaged": "the discriminator's loss averages its two halves; the course adds them",
    "simultaneous": "that is a simultaneous update: the generator learned from the "
                    "discriminator as it was before this step's update",
    "same_noise": "the generator step reused d_noise: it draws on its own noise, g_noise",
    "frozen_discriminator": "the discriminator ran in inference mode in the generator step; "
                            "the reference keeps it in training mode there too",
    "minimax": "that follows the minimax loss; use the non-saturating one",
}


def _step_diagnoses(run, initial, index, mistakes):
    """Diagnoses of one network's weights (`index` 1: generator, 2: discriminator)."""
    network = "generator" if index == 1 else "discriminator"
    return [Diagnosis("unchanged", initial,
                      f"they did not change: were the {network}'s gradients applied?"),
            *[Diagnosis(mistake, lambda mistake=mistake: run(mistake)[index],
                        _STEP_MISTAKES[mistake]) for mistake in mistakes]]


@exercise("train_step")
def train_step(function):
    """Check `function(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
    g_noise) -> (d_loss, g_loss)`, one alternating GAN step.

    It must update the discriminator (with `d_optimizer`) on `real_images` against fakes from
    `d_noise`, both networks in training mode, its loss the sum of the real and fake halves;
    then update the generator (with `g_optimizer`) with fakes from `g_noise` through the updated
    discriminator, non-saturating loss; and return both losses. The weights are compared with
    `reference_step`'s from the same start.
    """
    generator, discriminator, d_optimizer, g_optimizer = tiny_gan()
    initial = _weights(generator), _weights(discriminator)
    value = call(function, generator, discriminator, d_optimizer, g_optimizer, *step_batch())
    run = _reference_runs()
    losses, reference_generator, reference_discriminator = run()
    diagnose(_weights(discriminator), reference_discriminator, _step_diagnoses(
        run, initial[1], 2, ("swapped", "d_inference", "g_inference", "averaged")),
        "the discriminator's weights after your step are not the reference's",
        "update it on real_images against fakes from d_noise, with the loss the course "
        "uses", tolerance=1e-4)
    diagnose(_weights(generator), reference_generator, _step_diagnoses(
        run, initial[0], 1, ("simultaneous", "swapped", "same_noise", "frozen_discriminator",
                             "minimax", "g_inference")),
        "the generator's weights after your step are not the reference's",
        "update it with fakes from g_noise, judged by the updated discriminator",
        tolerance=1e-4)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(f"returned {type(value).__name__}", "return the pair (d_loss, g_loss)", "not_a_pair")
    d_loss, g_loss = as_number(value[0], "d_loss"), as_number(value[1], "g_loss")
    diagnose(d_loss, losses[0], [], f"d_loss is {d_loss:.4f}, expected {losses[0]:.4f}",
             "return the discriminator's loss of this step", tolerance=1e-4)
    diagnose(g_loss, losses[1], [
        Diagnosis("early_g_loss", losses[2], "that is the generator's loss before the "
                                             "discriminator's update")],
        f"g_loss is {g_loss:.4f}, expected {losses[1]:.4f}",
        "return the loss of the generator step", tolerance=1e-4)
    return ("both networks' weights and both losses match the alternating reference step "
            "(D first, then G through the updated D)")
