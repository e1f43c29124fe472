"""ganlib.engine.gan.GAN: what one train_step changes, step by step against steps written out
here with plain TensorFlow, and that seeded runs repeat exactly on a CPU."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import GAN, models

LR = 0.1


class RecordingSGD(keras.optimizers.SGD):
    """SGD that remembers which variables it was asked to update."""

    def apply_gradients(self, grads_and_vars):
        grads_and_vars = list(grads_and_vars)
        self.updated_paths = {variable.path for _, variable in grads_and_vars}
        return super().apply_gradients(grads_and_vars)


def small_gan(seed=0, conditional=False):
    keras.utils.set_random_seed(seed)
    if conditional:
        generator = models.conditional_generator(16, filters=(16, 8), embedding_dim=4)
        discriminator = models.projection_discriminator(filters=(8, 16))
    else:
        generator = models.dcgan_generator(16, filters=(16, 8), strides=(2, 2), kernel_size=4)
        discriminator = models.dcgan_discriminator(filters=(8, 16), kernel_size=4, dropout=0.0)
    return GAN(generator, discriminator, seed=seed)


def weights_of(model):
    return [variable.numpy() for variable in model.trainable_variables]


def real_batch(mnist_arrays, size=16):
    return mnist_arrays["x_test"][:size, ..., None].astype("float32") / 127.5 - 1.0


def drawn_noise(gan_seed, count, size):
    """The noise a fresh GAN with `gan_seed` draws in its first `count` calls of sample_noise."""
    twin = small_gan(gan_seed)
    return [twin.sample_noise(size) for _ in range(count)]


def sgd(model, loss, tape):
    for gradient, variable in zip(tape.gradient(loss, model.trainable_variables),
                                  model.trainable_variables):
        variable.assign_sub(LR * tf.convert_to_tensor(gradient))


def bce(labels, logits):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


def assert_same_weights(first, second):
    for ours, theirs in zip(weights_of(first), weights_of(second)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def test_train_step_updates_each_network_with_its_own_optimizer(mnist_arrays):
    gan = small_gan()
    gan.compile(d_optimizer=RecordingSGD(LR), g_optimizer=RecordingSGD(LR))
    generator_before, discriminator_before = weights_of(gan.generator), weights_of(gan.discriminator)
    logs = gan.train_step(real_batch(mnist_arrays))
    assert gan.d_optimizer.updated_paths == {v.path for v in gan.discriminator.trainable_variables}
    assert gan.g_optimizer.updated_paths == {v.path for v in gan.generator.trainable_variables}
    for before, after in ((generator_before, weights_of(gan.generator)),
                          (discriminator_before, weights_of(gan.discriminator))):
        assert any(not np.array_equal(b, a) for b, a in zip(before, after))
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake", "d_accuracy"}
    assert 0.0 <= float(logs["d_real"]) <= 1.0 and 0.0 <= float(logs["d_accuracy"]) <= 1.0


def test_a_frozen_optimizer_leaves_its_network_untouched(mnist_arrays):
    for frozen in ("generator", "discriminator"):
        gan = small_gan()
        rates = {"generator": LR, "discriminator": LR, frozen: 0.0}
        gan.compile(d_optimizer=keras.optimizers.SGD(rates["discriminator"]),
                    g_optimizer=keras.optimizers.SGD(rates["generator"]))
        frozen_model = getattr(gan, frozen)
        before = weights_of(frozen_model)
        gan.train_step(real_batch(mnist_arrays))
        for b, a in zip(before, weights_of(frozen_model)):
            np.testing.assert_array_equal(b, a)


def test_alternating_step_is_d_then_g_through_the_updated_d(mnist_arrays):
    images = real_batch(mnist_arrays)
    gan = small_gan()
    gan.compile(keras.optimizers.SGD(LR), keras.optimizers.SGD(LR))
    d_noise, g_noise = drawn_noise(0, 2, len(images))

    twin = small_gan()
    with tf.GradientTape() as tape:
        real, fake = twin.discriminator(images), twin.discriminator(twin.generator(d_noise, training=True))
        d_loss = bce(tf.ones_like(real), real) + bce(tf.zeros_like(fake), fake)
    sgd(twin.discriminator, d_loss, tape)
    with tf.GradientTape() as tape:
        fake = twin.discriminator(twin.generator(g_noise, training=True))
        g_loss = bce(tf.ones_like(fake), fake)
    sgd(twin.generator, g_loss, tape)

    logs = gan.train_step(images)
    assert float(logs["d_loss"]) == pytest.approx(float(d_loss), rel=1e-5)
    assert float(logs["g_loss"]) == pytest.approx(float(g_loss), rel=1e-5)
    assert_same_weights(gan.generator, twin.generator)
    assert_same_weights(gan.discriminator, twin.discriminator)


def test_simultaneous_update_is_the_tutorials_step(mnist_arrays):
    images = real_batch(mnist_arrays)
    gan = small_gan()
    gan.compile(keras.optimizers.SGD(LR), keras.optimizers.SGD(LR), update="simultaneous")
    noise = drawn_noise(0, 1, len(images))[0]

    twin = small_gan()
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fakes = twin.generator(noise, training=True)
        real_output = twin.discriminator(images, training=True)
        fake_output = twin.discriminator(fakes, training=True)
        g_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
        d_loss = (cross_entropy(tf.ones_like(real_output), real_output)
                  + cross_entropy(tf.zeros_like(fake_output), fake_output))
    sgd(twin.generator, g_loss, g_tape)
    sgd(twin.discriminator, d_loss, d_tape)

    logs = gan.train_step(images)
    assert float(logs["g_loss"]) == pytest.approx(float(g_loss), rel=1e-5)
    assert_same_weights(gan.generator, twin.generator)
    assert_same_weights(gan.discriminator, twin.discriminator)
    # The alternating update (the default) is a different step: G learns from the updated D.
    alternating = small_gan()
    alternating.compile(keras.optimizers.SGD(LR), keras.optimizers.SGD(LR))
    alternating.train_step(images)
    assert any(not np.allclose(a, b) for a, b in zip(weights_of(alternating.generator),
                                                     weights_of(gan.generator)))


def r1_by_hand(discriminator, images):
    with tf.GradientTape() as tape:
        tape.watch(images)
        total = tf.reduce_sum(discriminator(images))
    gradients = tape.gradient(total, images)
    return 0.5 * tf.reduce_mean(tf.reduce_sum(gradients ** 2, axis=[1, 2, 3]))


@pytest.mark.parametrize("interval", [1, 3])
def test_r1_is_added_to_d_loss_lazily_every_interval_steps(mnist_arrays, interval):
    images = tf.constant(real_batch(mnist_arrays))
    gamma = 2.0
    gan = small_gan()
    gan.compile(keras.optimizers.SGD(LR), keras.optimizers.SGD(LR), objective="hinge",
                penalty="r1", penalty_weight=gamma, penalty_interval=interval)
    # Each step draws D's noise, the penalty's seed (unused by R1) and G's noise, in that order.
    noise = drawn_noise(0, 6, len(images))

    twin = small_gan()
    applied = []
    for step in range(2):
        with tf.GradientTape() as tape:
            real = twin.discriminator(images)
            fake = twin.discriminator(twin.generator(noise[3 * step], training=True))
            d_loss = tf.reduce_mean(tf.nn.relu(1 - real)) + tf.reduce_mean(tf.nn.relu(1 + fake))
            on = step % interval == 0  # D's step count 0 is a multiple of every interval.
            penalty = gamma * interval * r1_by_hand(twin.discriminator, images) if on else 0.0
            total = d_loss + penalty
        applied.append(on)
        sgd(twin.discriminator, total, tape)
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(twin.discriminator(twin.generator(noise[3 * step + 2],
                                                                       training=True)))
        sgd(twin.generator, g_loss, tape)
        logs = gan.train_step(images)
        assert_same_weights(gan.discriminator, twin.discriminator)
        assert_same_weights(gan.generator, twin.generator)
    assert applied == ([True, True] if interval == 1 else [True, False])
    assert float(logs["penalty"]) > 0  # Reported per step on the steps that had it.
    assert set(logs) == {"d_loss", "g_loss", "real_score", "fake_score", "penalty"}


def test_generator_average_follows_its_formula(mnist_arrays):
    images = real_batch(mnist_arrays, 8)
    half_life = 40.0
    gan = small_gan()
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2), ema_half_life=half_life,
                ema_rampup=0.0)
    expected = [variable.numpy() for variable in gan.generator.variables]  # Starts as G's copy.
    beta = 0.5 ** (len(images) / half_life)
    for _ in range(3):
        gan.train_step(images)
        expected = [beta * average + (1 - beta) * variable.numpy()
                    for average, variable in zip(expected, gan.generator.variables)]
    for average, value in zip(gan.ema.generator.variables, expected):
        np.testing.assert_allclose(average.numpy(), value, rtol=1e-5, atol=1e-7)
    # Batch-norm statistics are averaged with the weights; and the average is what samples use.
    assert any("moving_mean" in variable.path for variable in gan.ema.generator.variables)
    assert gan.sampling_generator is gan.ema.generator
    assert not np.allclose(gan.generate(2, seed=0), np.asarray(gan.generator(
        np.random.default_rng(0).standard_normal((2, 16)).astype("float32"), training=False)))


def test_generator_average_ramps_up():
    gan = small_gan()
    gan.compile(keras.optimizers.SGD(LR), keras.optimizers.SGD(LR), ema_half_life=10_000)
    gan.ema.images_seen.assign(1000.0)
    # Half-life min(10000, 0.05 * 1000) = 50 images: a batch of 50 halves the old weights' share.
    assert float(gan.ema.beta(50)) == pytest.approx(0.5)
    gan.ema.images_seen.assign(1e6)
    assert float(gan.ema.beta(50)) == pytest.approx(0.5 ** (50 / 10_000))


def test_conditional_step_asks_the_fakes_for_the_real_batchs_labels(mnist_arrays):
    images = tf.constant(real_batch(mnist_arrays, 8))
    labels = tf.constant(mnist_arrays["y_test"][:8].astype("int32"))
    gan = small_gan(conditional=True)
    gan.compile(keras.optimizers.SGD(LR), keras.optimizers.SGD(LR))
    d_noise, g_noise = drawn_noise(0, 2, len(images))

    twin = small_gan(conditional=True)
    with tf.GradientTape() as tape:
        real = twin.discriminator([images, labels])
        fake = twin.discriminator([twin.generator([d_noise, labels], training=True), labels])
        d_loss = bce(tf.ones_like(real), real) + bce(tf.zeros_like(fake), fake)
    sgd(twin.discriminator, d_loss, tape)
    with tf.GradientTape() as tape:
        fake = twin.discriminator([twin.generator([g_noise, labels], training=True), labels])
        g_loss = bce(tf.ones_like(fake), fake)
    sgd(twin.generator, g_loss, tape)

    gan.train_step((images, labels))
    assert_same_weights(gan.discriminator, twin.discriminator)
    assert_same_weights(gan.generator, twin.generator)
    with pytest.raises(ValueError, match="trains on \\(images, labels\\) batches"):
        gan.train_step(images)


@pytest.mark.parametrize("objective, keys", [
    ("non_saturating", {"d_real", "d_fake", "d_accuracy"}),
    ("least_squares", {"real_score", "fake_score"}),
    ("wasserstein", {"real_score", "fake_score"}),
])
def test_reported_metrics_suit_the_objective(mnist_arrays, objective, keys):
    gan = small_gan()
    gan.compile(keras.optimizers.SGD(0.01), keras.optimizers.SGD(0.01), objective=objective)
    logs = gan.train_step(real_batch(mnist_arrays))
    assert set(logs) == {"d_loss", "g_loss"} | keys


def test_compile_checks_its_arguments():
    gan = small_gan()
    optimizer = keras.optimizers.Adam()
    two = lambda: (keras.optimizers.Adam(), keras.optimizers.Adam())  # noqa: E731
    with pytest.raises(ValueError, match="two optimizer instances"):
        gan.compile(optimizer, optimizer)
    with pytest.raises(ValueError, match="d_steps must be a whole number of at least 1"):
        gan.compile(*two(), d_steps=0)
    with pytest.raises(ValueError, match="Unknown objective 'bce'"):
        gan.compile(*two(), objective="bce")
    with pytest.raises(ValueError, match="Unknown update 'sequential'"):
        gan.compile(*two(), update="sequential")
    with pytest.raises(ValueError, match="use d_steps=1"):
        gan.compile(*two(), update="simultaneous", d_steps=2)
    with pytest.raises(ValueError, match="needs a penalty_weight above 0"):
        gan.compile(*two(), penalty="r1")


def test_mismatched_networks_are_refused():
    generator = models.mlp_generator(8, units=(16,))
    discriminator = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="build them for one shape"):
        GAN(generator, discriminator)
    with pytest.raises(ValueError, match="One network takes labels"):
        GAN(models.conditional_generator(8, filters=(8, 4)), models.dcgan_discriminator())


SEEDED_RUN = """
import json, sys
import numpy as np
from ganlib.training import TrainConfig, train
config = TrainConfig(epochs=2, batch_size=32, seed=int(sys.argv[3]), deterministic=True,
                     penalty="r1", penalty_weight=0.1, penalty_interval=2, ema_half_life=500,
                     augment="translation,cutout")
result = train(sys.argv[1], config, images=np.load(sys.argv[2]), verbose=0)
samples = result.gan.generate(8, seed=0)
print(json.dumps({"history": result.history, "samples": samples.ravel()[::97].tolist()}))
"""


def seeded_run(folder, images, seed):
    completed = subprocess.run([sys.executable, "-c", SEEDED_RUN, str(folder), str(images),
                                str(seed)], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_a_seeded_run_repeats_exactly_on_cpu(mnist_arrays, tmp_path):
    # Fresh processes, so nothing is shared but the seed.
    images = tmp_path / "images.npy"
    np.save(images, mnist_arrays["x_test"][:160])
    first, second, other = (seeded_run(tmp_path / name, images, seed)
                            for name, seed in (("a", 3), ("b", 3), ("c", 4)))
    for name in ("d_loss", "g_loss", "d_real", "d_fake", "penalty"):
        assert first["history"][name] == second["history"][name]  # Bit-identical, not close.
    assert first["samples"] == second["samples"]
    # Another seed really is another run: the test could fail.
    assert first["history"]["d_loss"] != other["history"]["d_loss"]
    assert first["samples"] != other["samples"]


def test_generate_validates_n():
    gan = small_gan()
    with pytest.raises(ValueError, match="n must be a whole number"):
        gan.generate(0)
    assert gan.generate(3, seed=1).shape == (3, 28, 28, 1)
