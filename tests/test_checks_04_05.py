"""The exercise checks of 04_gan and 05_training: each accepts a correct answer, rejects a
specific wrong one (returns False, saying why), and never raises on the stub a learner starts from."""

from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from ganlib import checks, data, gan, losses, train

# --- generator_loss -------------------------------------------------------------------------

def non_saturating(fake_logits):
    return ops.mean(ops.binary_crossentropy(ops.ones_like(fake_logits), fake_logits,
                                            from_logits=True))


def minimax(fake_logits):
    return losses.generator_loss_minimax(fake_logits)


def through_sigmoid(fake_logits):
    # Right formula, but log(sigmoid(-100)) is log(0) in float32.
    return -ops.mean(ops.log(ops.sigmoid(fake_logits)))


def per_example(fake_logits):
    return ops.binary_crossentropy(ops.ones_like(fake_logits), fake_logits, from_logits=True)


def stub_returning_none(*args, **kwargs):
    return None


def stub_raising(*args, **kwargs):
    raise NotImplementedError("write your code here")


@pytest.mark.parametrize("reference", [non_saturating, losses.generator_loss_non_saturating])
def test_generator_loss_accepts_a_correct_loss(reference, capsys):
    assert checks.generator_loss(reference) is True
    assert "all tests pass" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [(minimax, "minimax"), (through_sigmoid, "not finite"),
                                           (per_example, "mean over the batch")])
def test_generator_loss_rejects_a_wrong_loss_and_says_why(wrong, reason, capsys):
    assert checks.generator_loss(wrong) is False
    assert reason in capsys.readouterr().out


# --- discriminator_loss ---------------------------------------------------------------------

def two_sided(real_logits, fake_logits, label_smoothing=0.0):
    real = ops.binary_crossentropy(ops.full_like(real_logits, 1.0 - label_smoothing), real_logits,
                                   from_logits=True)
    fake = ops.binary_crossentropy(ops.full_like(fake_logits, label_smoothing), fake_logits,
                                   from_logits=True)
    return ops.mean(real) + ops.mean(fake)


def averaged(real_logits, fake_logits, label_smoothing=0.0):
    return losses.discriminator_loss(real_logits, fake_logits, label_smoothing) / 2.0


def ignores_smoothing(real_logits, fake_logits, label_smoothing=0.0):
    return losses.discriminator_loss(real_logits, fake_logits)


def test_discriminator_loss_accepts_the_library_loss(capsys):
    assert checks.discriminator_loss(losses.discriminator_loss) is True
    assert "all tests pass" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [(two_sided, "one-sided"), (averaged, "averaging"),
                                           (ignores_smoothing, "ignored")])
def test_discriminator_loss_rejects_a_wrong_loss_and_says_why(wrong, reason, capsys):
    assert checks.discriminator_loss(wrong) is False
    assert reason in capsys.readouterr().out


# --- train_step -----------------------------------------------------------------------------

def course_step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise, g_noise):
    with tf.GradientTape() as tape:
        fake_logits = discriminator(generator(d_noise, training=True), training=True)
        real_logits = discriminator(real_images, training=True)
        d_loss = losses.discriminator_loss(real_logits, fake_logits)
    gradients = tape.gradient(d_loss, discriminator.trainable_variables)
    d_optimizer.apply_gradients(zip(gradients, discriminator.trainable_variables))
    with tf.GradientTape() as tape:
        fake_logits = discriminator(generator(g_noise, training=True), training=True)
        g_loss = losses.generator_loss_non_saturating(fake_logits)
    gradients = tape.gradient(g_loss, generator.trainable_variables)
    g_optimizer.apply_gradients(zip(gradients, generator.trainable_variables))
    return d_loss, g_loss


def tutorial_step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                  g_noise):
    # Both tapes over one forward pass: a simultaneous update, not the course's alternating one.
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fake_logits = discriminator(generator(d_noise, training=True), training=True)
        real_logits = discriminator(real_images, training=True)
        d_loss = losses.discriminator_loss(real_logits, fake_logits)
        g_loss = losses.generator_loss_non_saturating(fake_logits)
    g_gradients = g_tape.gradient(g_loss, generator.trainable_variables)
    d_gradients = d_tape.gradient(d_loss, discriminator.trainable_variables)
    g_optimizer.apply_gradients(zip(g_gradients, generator.trainable_variables))
    d_optimizer.apply_gradients(zip(d_gradients, discriminator.trainable_variables))
    return d_loss, g_loss


def forgets_discriminator(generator, discriminator, d_optimizer, g_optimizer, real_images,
                          d_noise, g_noise):
    with tf.GradientTape() as tape:
        g_loss = losses.generator_loss_non_saturating(
            discriminator(generator(g_noise, training=True), training=True))
    gradients = tape.gradient(g_loss, generator.trainable_variables)
    g_optimizer.apply_gradients(zip(gradients, generator.trainable_variables))
    return 0.0, g_loss


def test_train_step_accepts_the_course_step(capsys):
    assert checks.train_step(course_step) is True
    assert "all tests pass" in capsys.readouterr().out


def test_train_step_accepts_a_compiled_step():
    assert checks.train_step(tf.function(course_step)) is True


@pytest.mark.parametrize("wrong, reason", [(tutorial_step, "simultaneous"),
                                           (forgets_discriminator, "did not change")])
def test_train_step_rejects_a_wrong_step_and_says_why(wrong, reason, capsys):
    assert checks.train_step(wrong) is False
    assert reason in capsys.readouterr().out


# --- gap_callback ---------------------------------------------------------------------------

class GapCallback(keras.callbacks.Callback):
    def __init__(self, threshold=0.9):
        super().__init__()
        self.threshold = threshold
        self.gaps = []

    def on_epoch_end(self, epoch, logs=None):
        self.gaps.append(logs["d_real"] - logs["d_fake"])
        if self.gaps[-1] > self.threshold:
            self.model.stop_training = True


class NeverStops(GapCallback):
    def on_epoch_end(self, epoch, logs=None):
        self.gaps.append(logs["d_real"] - logs["d_fake"])


class StubCallback(keras.callbacks.Callback):
    def __init__(self, threshold=0.9):
        super().__init__()
        self.threshold = threshold
        self.gaps = []

    def on_epoch_end(self, epoch, logs=None):
        pass


def test_gap_callback_accepts_a_correct_callback(capsys):
    assert checks.gap_callback(GapCallback) is True
    assert "all tests pass" in capsys.readouterr().out


def test_gap_callback_rejects_one_that_never_stops(capsys):
    assert checks.gap_callback(NeverStops) is False
    assert "stop_training" in capsys.readouterr().out


def test_gap_callback_works_inside_fit():
    # The callback the check accepts also does its job in a real fit().
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(784, activation="tanh"),
                                  keras.layers.Reshape((28, 28, 1))])
    discriminator = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
    model = gan.GAN(generator, discriminator, seed=0)
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    callback = GapCallback(threshold=-1.0)  # Any gap is "too large": stops after epoch 1.
    images = np.zeros((8, 28, 28, 1), dtype="float32")
    history = model.fit(images, batch_size=4, epochs=3, callbacks=[callback], verbose=0)
    assert len(callback.gaps) == 1 and len(history.history["d_loss"]) == 1


# --- sample_from_file -----------------------------------------------------------------------

def sample_correctly(path, n, seed):
    return data.unscale_images(gan.generate(train.load_generator(path), n, seed=seed))


def sample_floats(path, n, seed):
    return gan.generate(keras.models.load_model(path), n, seed=seed)


def sample_unseeded(path, n, seed):
    return data.unscale_images(gan.generate(train.load_generator(path), n))


def test_sample_from_file_accepts_a_correct_function(capsys):
    assert checks.sample_from_file(sample_correctly) is True
    assert "all tests pass" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [(sample_floats, "uint8"),
                                           (sample_unseeded, "reference")])
def test_sample_from_file_rejects_a_wrong_function_and_says_why(wrong, reason, capsys):
    assert checks.sample_from_file(wrong) is False
    assert reason in capsys.readouterr().out


# --- d_steps_experiment ---------------------------------------------------------------------

def fake_result(d_updates, g_updates, epochs=2):
    """Stands in for a TrainResult: only the optimizers' step counts and the history are read."""
    optimizers = SimpleNamespace(d_optimizer=SimpleNamespace(iterations=d_updates),
                                 g_optimizer=SimpleNamespace(iterations=g_updates))
    return SimpleNamespace(gan=optimizers, history={"d_real": [0.6] * epochs,
                                                    "d_fake": [0.4] * epochs})


def test_d_steps_experiment_accepts_two_real_runs(tmp_path, mnist_arrays, capsys):
    images = mnist_arrays["x_train"][:128]
    results = {k: train.train(tmp_path / f"k{k}", preset="mlp", epochs=1, images=images,
                              batch_size=64, d_steps=k, verbose=0) for k in (1, 2)}
    assert checks.d_steps_experiment(results) is True
    assert "all tests pass" in capsys.readouterr().out


def test_d_steps_experiment_rejects_two_runs_with_one_step(capsys):
    # The second run forgot d_steps=2: as many discriminator as generator updates.
    assert checks.d_steps_experiment({1: fake_result(50, 50), 2: fake_result(40, 40)}) is False
    assert "pass d_steps=2" in capsys.readouterr().out


# --- stubs never raise ----------------------------------------------------------------------

@pytest.mark.parametrize("check, stub", [
    (checks.generator_loss, stub_returning_none), (checks.generator_loss, stub_raising),
    (checks.discriminator_loss, stub_returning_none), (checks.discriminator_loss, stub_raising),
    (checks.train_step, stub_returning_none), (checks.train_step, stub_raising),
    (checks.gap_callback, StubCallback), (checks.gap_callback, stub_raising),
    (checks.sample_from_file, stub_returning_none), (checks.sample_from_file, stub_raising),
])
def test_a_stub_gets_not_yet_and_no_exception(check, stub, capsys):
    assert check(stub) is False
    assert "not yet" in capsys.readouterr().out


@pytest.mark.parametrize("stub", [{1: None, 2: None}, {}, None, [1, 2]])
def test_d_steps_experiment_stub_gets_not_yet_and_no_exception(stub, capsys):
    assert checks.d_steps_experiment(stub) is False
    assert "not yet" in capsys.readouterr().out
