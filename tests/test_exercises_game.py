"""The checks of 04_gan's exercises: right answers in several styles pass, each usual wrong
answer fails with its own diagnosis and line, and the notebook's stubs fail quietly. The
check's independent reference step is also compared with the library's GAN.train_step."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from ganlib.exercises import game, solutions
from test_exercises_report import case_ids, cases, expect_verdict, verdict_of


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


def bce(label, logits):
    return ops.mean(ops.binary_crossentropy(ops.full_like(logits, label), logits,
                                            from_logits=True))


# --- generator_loss -----------------------------------------------------------------------------


def generator_loss_stub(fake_logits):
    """The mean of -log D(G(z)) over the batch; fake_logits has shape (batch, 1) or (batch,)."""
    return None  # Your code here.


def softplus_loss(fake_logits):
    return ops.mean(ops.softplus(-fake_logits))  # -log sigmoid(x) = softplus(-x)


def tensorflow_loss(fake_logits):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.ones_like(fake_logits), logits=fake_logits))


def numpy_loss(fake_logits):
    x = np.asarray(fake_logits, "float64")
    return np.mean(np.maximum(x, 0.0) - x + np.log1p(np.exp(-np.abs(x))))


GENERATOR_LOSS_WRONG = [
    (lambda logits: -bce(0.0, logits), "minimax",
     "six logits (6, 1): got -1.3341, expected 1.6675 — that is the minimax loss "
     "log(1 - D(G(z))), which saturates early on"),
    (lambda logits: bce(0.0, logits), "fake_label",
     "six logits (6, 1): got 1.3341, expected 1.6675 — that labels the fakes fake, as the "
     "discriminator does; the generator wants them called real"),
    (lambda logits: -ops.mean(ops.log(ops.sigmoid(logits))), "not_finite",
     "a sure discriminator, logit -100: got inf, expected 100.0000 — the sigmoid of a large "
     "logit rounds to exactly 0 or 1, and log(0) is -inf: rewrite log sigmoid(x) so that exp "
     "never sees a large positive number"),
    (lambda logits: -bce(1.0, logits), "negated",
     "six logits (6, 1): got -1.6675, expected 1.6675 — the sign is flipped: a cross-entropy "
     "is never negative"),
    (lambda logits: ops.sum(ops.binary_crossentropy(ops.ones_like(logits), logits,
                                                    from_logits=True)), "summed",
     "six logits (6, 1): got 10.0048, expected 1.6675 — that is the sum over the batch; take "
     "the mean"),
    (lambda logits: ops.binary_crossentropy(ops.ones_like(logits), logits, from_logits=True),
     "not_one_number",
     "six logits (6, 1) returned shape (6, 1), not one number — take the mean over the batch"),
    (lambda logits: ops.mean(ops.minimum(ops.softplus(-logits), 16.0)), "clipped",
     "a sure discriminator, logit -100: got 16.0000, expected 100.0000 — the loss is capped: "
     "clipping probabilities away from 0 and 1 limits it, but a sure and wrong discriminator "
     "should pay about 100"),
    (numpy_loss, "no_gradient",
     "six logits (6, 1): the value is right, but no gradient flows back to the logits — a "
     "training step differentiates this loss: keep every step in TensorFlow or keras.ops "
     "(NumPy breaks the chain)"),
    (lambda logits: softplus_loss(tf.stop_gradient(logits)), "no_gradient", None),
    (lambda logits: bce(1.0, logits) + 0.0 * ops.mean(logits ** 2) + ops.mean(
        logits - tf.stop_gradient(logits)), "mismatch",
     "six logits (6, 1): the value is right, but its gradient is not — compute the loss from "
     "the logits directly"),
    (lambda logits: bce(1.0, logits) + 0.1, "mismatch",
     "six logits (6, 1): got 1.7675, expected 1.6675 — the mean over the batch of -log "
     "sigmoid(logit)"),
    (generator_loss_stub, "returned_none", "six logits (6, 1) returned None — return the result"),
    (raising_stub, "raised", None),
]


# --- discriminator_loss -------------------------------------------------------------------------


def discriminator_loss_stub(real_logits, fake_logits, label_smoothing=0.0):
    """Real images labelled 1 - label_smoothing, fakes labelled 0; the two means added."""
    return None  # Your code here.


def loss_with_tensorflow(real_logits, fake_logits, label_smoothing=0.0):
    real = tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.fill(tf.shape(real_logits), 1.0 - label_smoothing), logits=real_logits)
    fake = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros_like(fake_logits),
                                                   logits=fake_logits)
    return tf.reduce_mean(real) + tf.reduce_mean(fake)


def loss_with_softplus(real_logits, fake_logits, label_smoothing=0.0):
    # BCE(y, x) = softplus(-x) + (1 - y) x.
    real = ops.softplus(-real_logits) + label_smoothing * real_logits
    return ops.mean(real) + ops.mean(ops.softplus(fake_logits))


def two_halves(real_label, fake_label):
    """A loss with the real and fake labels given (by label_smoothing `s`), halves added."""
    return lambda real, fake, label_smoothing=0.0: (
        bce(real_label(label_smoothing), real) + bce(fake_label(label_smoothing), fake))


DISCRIMINATOR_LOSS_WRONG = [
    (lambda real, fake, label_smoothing=0.0: solutions.my_discriminator_loss(
        real, fake, label_smoothing) / 2.0, "averaged",
     "no smoothing: got 1.2968, expected 2.5935 — that is half: the course adds the real and "
     "the fake halves"),
    (two_halves(lambda s: 0.0, lambda s: 1.0 - s), "swapped_labels",
     "no smoothing: got 3.5935, expected 2.5935 — the labels are swapped: real images are the "
     "ones labelled 1"),
    (two_halves(lambda s: 1.0 - s, lambda s: s), "two_sided",
     "label_smoothing=0.1: got 2.6935, expected 2.5602 — the fake labels were smoothed too; "
     "smooth only the real ones"),
    (two_halves(lambda s: 1.0, lambda s: 0.0), "ignored_smoothing",
     "label_smoothing=0.1: got 2.5935, expected 2.5602 — label_smoothing made no difference: "
     "the real label is 1 - label_smoothing"),
    (two_halves(lambda s: 0.9, lambda s: 0.0), "fixed_smoothing",
     "no smoothing: got 2.5602, expected 2.5935 — the smoothing does not follow "
     "label_smoothing: use the argument"),
    (lambda real, fake, label_smoothing=0.0: bce(1.0 - label_smoothing, real), "real_half_only",
     "no smoothing: got 1.6675, expected 2.5935 — only the real half is there: add the fake "
     "images' loss"),
    (lambda real, fake, label_smoothing=0.0: bce(0.0, fake), "fake_half_only",
     "no smoothing: got 0.9261, expected 2.5935 — only the fake half is there: add the real "
     "images' loss"),
    (lambda real, fake, label_smoothing=0.0: keras.losses.BinaryCrossentropy(
        from_logits=True, label_smoothing=label_smoothing)(ops.ones_like(real), real)
     + bce(0.0, fake), "mismatch",
     "label_smoothing=0.1: got 2.5769, expected 2.5602 — mean BCE of the real logits against "
     "1 - label_smoothing, plus mean BCE of the fake logits against 0"),
    (lambda real, fake, label_smoothing=0.0: -ops.mean(
        (1.0 - label_smoothing) * ops.log(ops.sigmoid(real))
        + label_smoothing * ops.log(1.0 - ops.sigmoid(real)))
     - ops.mean(ops.log(1.0 - ops.sigmoid(fake))), "not_finite", None),
    (lambda real, fake, label_smoothing=0.0: numpy_loss(real) + numpy_loss(-np.asarray(fake)),
     "no_gradient", None),
    (discriminator_loss_stub, "returned_none", "no smoothing returned None — return the result"),
    (raising_stub, "raised", None),
]


# --- train_step ---------------------------------------------------------------------------------


def train_step_stub(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                    g_noise):
    """One discriminator update, then one generator update; returns (d_loss, g_loss)."""
    return None  # Your code here.


def step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise, g_noise,
         update_d=True, update_g=True, d_training=True, g_discriminator_training=True,
         g_noise_key="g"):
    """A step with the fakes scored first and one persistent tape per update; the keyword
    arguments make the usual mistakes."""
    if update_d:
        with tf.GradientTape(persistent=True) as tape:
            fake_logits = discriminator(generator(d_noise, training=True), training=d_training)
            real_logits = discriminator(real_images, training=d_training)
            d_loss = bce(0.0, fake_logits) + bce(1.0, real_logits)
        variables = discriminator.trainable_variables
        d_optimizer.apply_gradients(zip(tape.gradient(d_loss, variables), variables))
    else:
        d_loss = 0.0
    noise = g_noise if g_noise_key == "g" else d_noise
    with tf.GradientTape() as tape:
        g_loss = bce(1.0, discriminator(generator(noise, training=True),
                                        training=g_discriminator_training))
    if update_g:
        variables = generator.trainable_variables
        g_optimizer.apply_gradients(zip(tape.gradient(g_loss, variables), variables))
    return d_loss, g_loss


def tutorial_step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                  g_noise):
    # The TensorFlow DCGAN tutorial's simultaneous update.
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fake_logits = discriminator(generator(d_noise, training=True), training=True)
        real_logits = discriminator(real_images, training=True)
        d_loss = bce(1.0, real_logits) + bce(0.0, fake_logits)
        g_loss = bce(1.0, fake_logits)
    g_gradients = g_tape.gradient(g_loss, generator.trainable_variables)
    d_gradients = d_tape.gradient(d_loss, discriminator.trainable_variables)
    g_optimizer.apply_gradients(zip(g_gradients, generator.trainable_variables))
    d_optimizer.apply_gradients(zip(d_gradients, discriminator.trainable_variables))
    return d_loss, g_loss


def with_mistake(**mistake):
    return lambda *arguments: step(*arguments, **mistake)


def swapped_optimizers(generator, discriminator, d_optimizer, g_optimizer, *batch):
    return step(generator, discriminator, g_optimizer, d_optimizer, *batch)


def generator_in_inference(generator, discriminator, d_optimizer, g_optimizer, real_images,
                           d_noise, g_noise):
    with tf.GradientTape() as tape:
        fake_logits = discriminator(generator(d_noise, training=False), training=True)
        d_loss = bce(1.0, discriminator(real_images, training=True)) + bce(0.0, fake_logits)
    variables = discriminator.trainable_variables
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, variables), variables))
    return step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                g_noise, update_d=False)


def minimax_step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                 g_noise):
    d_loss, _ = step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                     g_noise, update_g=False)
    with tf.GradientTape() as tape:
        g_loss = -bce(0.0, discriminator(generator(g_noise, training=True), training=True))
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_variables),
                                    generator.trainable_variables))
    return d_loss, g_loss


def concatenated_step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                      g_noise):
    # One batch of real and fake images with one mean: half the course's loss.
    with tf.GradientTape() as tape:
        images = ops.concatenate([real_images, generator(d_noise, training=True)], axis=0)
        labels = ops.concatenate([ops.ones((4, 1)), ops.zeros((4, 1))], axis=0)
        d_loss = ops.mean(ops.binary_crossentropy(labels, discriminator(images, training=True),
                                                  from_logits=True))
    variables = discriminator.trainable_variables
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, variables), variables))
    return step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                g_noise, update_d=False)


def returning(losses):
    def answer(*arguments):
        result = solutions.my_train_step(*arguments)
        return losses(result)
    return answer


TRAIN_STEP_WRONG = [
    (tutorial_step, "simultaneous",
     "the generator's weights after your step are not the reference's — that is a simultaneous "
     "update: the generator learned from the discriminator as it was before this step's update"),
    (swapped_optimizers, "swapped",
     "the discriminator's weights after your step are not the reference's — the two optimizers "
     "are swapped: each network has its own"),
    (with_mistake(g_discriminator_training=False), "frozen_discriminator",
     "the generator's weights after your step are not the reference's — the discriminator ran "
     "in inference mode in the generator step; the reference keeps it in training mode there "
     "too"),
    (with_mistake(d_training=False), "d_inference",
     "the discriminator's weights after your step are not the reference's — the discriminator "
     "ran in inference mode while it was trained: its layers should be in training mode"),
    (generator_in_inference, "g_inference",
     "the discriminator's weights after your step are not the reference's — the generator made "
     "its fakes in inference mode: it is being trained"),
    (with_mistake(g_noise_key="d"), "same_noise",
     "the generator's weights after your step are not the reference's — the generator step "
     "reused d_noise: it draws on its own noise, g_noise"),
    (minimax_step, "minimax",
     "the generator's weights after your step are not the reference's — that follows the "
     "minimax loss; use the non-saturating one"),
    (concatenated_step, "averaged",
     "the discriminator's weights after your step are not the reference's — the "
     "discriminator's loss averages its two halves; the course adds them"),
    (with_mistake(update_d=False), "unchanged",
     "the discriminator's weights after your step are not the reference's — they did not "
     "change: were the discriminator's gradients applied?"),
    (with_mistake(update_g=False), "unchanged",
     "the generator's weights after your step are not the reference's — they did not change: "
     "were the generator's gradients applied?"),
    (lambda g, d, d_opt, g_opt, real, d_noise, g_noise: step(g, d, d_opt, g_opt, -real, d_noise,
                                                            g_noise), "mismatch",
     "the discriminator's weights after your step are not the reference's — update it on "
     "real_images against fakes from d_noise, with the loss the course uses"),
    (lambda g, d, d_opt, g_opt, real, d_noise, g_noise: step(g, d, d_opt, g_opt, real, d_noise,
                                                            -g_noise), "mismatch",
     "the generator's weights after your step are not the reference's — update it with fakes "
     "from g_noise, judged by the updated discriminator"),
    (returning(lambda losses: None), "not_a_pair",
     "returned NoneType — return the pair (d_loss, g_loss)"),
    (returning(lambda losses: (losses[0] / 2.0, losses[1])), "mismatch",
     "d_loss is 0.9500, expected 1.9001 — return the discriminator's loss of this step"),
    (returning(lambda losses: (losses[0], losses[1] + 1.0)), "mismatch",
     "g_loss is 1.6705, expected 0.6705 — return the loss of the generator step"),
    (train_step_stub, "unchanged",
     "the discriminator's weights after your step are not the reference's — they did not "
     "change: were the discriminator's gradients applied?"),
    (raising_stub, "raised", None),
]


def early_g_loss_step(*arguments):
    """The right updates, but the generator's loss from before the discriminator's update."""
    generator, discriminator, _, _, real_images, d_noise, g_noise = arguments
    early = bce(1.0, discriminator(generator(d_noise, training=True), training=True))
    d_loss, _ = solutions.my_train_step(*arguments)
    return d_loss, early


CASES = (
    cases(game.generator_loss, [solutions.my_generator_loss, softplus_loss, tensorflow_loss,
                                tf.function(softplus_loss)],
          "-log D(G(z)) averaged over the batch, finite at logit -100, with the right gradient",
          GENERATOR_LOSS_WRONG)
    + cases(game.discriminator_loss, [solutions.my_discriminator_loss, loss_with_tensorflow,
                                      loss_with_softplus],
            "the two halves added, one-sided smoothing that follows the argument, finite at "
            "+-100", DISCRIMINATOR_LOSS_WRONG)
    + cases(game.train_step, [solutions.my_train_step, step, tf.function(step)],
            "both networks' weights and both losses match the alternating reference step "
            "(D first, then G through the updated D)", TRAIN_STEP_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)


def test_train_step_recognises_the_loss_from_before_the_update(capsys):
    # Calling G before the step changes the generator's batch-norm statistics only.
    verdict = verdict_of(game.train_step, early_g_loss_step, capsys=capsys)
    assert verdict.diagnosis == "early_g_loss" and verdict.message.endswith(
        "— that is the generator's loss before the discriminator's update")


def test_the_training_flag_and_the_optimizers_change_the_reference():
    """Each mistake the check names leads to other weights than the reference's."""
    run = game._reference_runs()
    losses, generator, discriminator = run()
    assert [round(loss, 4) for loss in losses] == [1.9001, 0.6705, 0.7245]
    for mistake in game._STEP_MISTAKES:
        _, other_generator, other_discriminator = run(mistake)
        assert not all(np.allclose(a, b, rtol=1e-4, atol=1e-4) for a, b in zip(
            generator + discriminator, other_generator + other_discriminator)), mistake
    layer = game.TrainingScale()
    np.testing.assert_array_equal(layer(np.ones((1, 2)), training=True), [[2.0, 2.0]])
    np.testing.assert_array_equal(layer(np.ones((1, 2)), training=False), [[1.0, 1.0]])
    assert game.LEARNING_RATES == {"d_optimizer": 0.1, "g_optimizer": 0.4}


class QueuedNoiseGAN:
    """Builds a subclass of the library's GAN whose noise comes from a queue, not its seed."""

    @staticmethod
    def make(generator, discriminator, noises):
        # NOTE for the ganlib engineers: this reads the GAN of the reorganised library
        # (ganlib.engine.GAN, with sample_noise(batch_size) drawing the D step's noise, then
        # the G step's). If that API changes, adapt this class.
        from ganlib.engine import GAN

        class Queued(GAN):
            def sample_noise(self, batch_size):
                return noises.pop(0)

        return Queued(generator, discriminator)


def test_the_reference_step_is_the_librarys_alternating_step():
    real_images, d_noise, g_noise = game.step_batch()
    generator, discriminator, d_optimizer, g_optimizer = game.tiny_gan()
    library = QueuedNoiseGAN.make(generator, discriminator, [d_noise, g_noise])
    library.compile(d_optimizer, g_optimizer)
    logs = library.train_step(tf.constant(real_images))
    losses, reference_generator, reference_discriminator = game._reference_runs()()
    for variable, expected in zip(generator.trainable_variables + discriminator.trainable_variables,
                                  reference_generator + reference_discriminator):
        np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose([float(logs["d_loss"]), float(logs["g_loss"])], losses[:2],
                               rtol=1e-5)


def test_the_tiny_gan_is_the_same_every_time():
    first, second = game.tiny_gan(), game.tiny_gan()
    for a, b in zip(first[0].weights + first[1].weights, second[0].weights + second[1].weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert first[2].learning_rate.numpy() == pytest.approx(0.1)
    assert first[3].learning_rate.numpy() == pytest.approx(0.4)
