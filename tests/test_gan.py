"""ganlib.gan.GAN: what one train_step changes, and that seeded runs repeat exactly on CPU."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from ganlib import GAN, models


class RecordingSGD(keras.optimizers.SGD):
    """SGD that remembers which variables it was asked to update."""

    def apply_gradients(self, grads_and_vars):
        grads_and_vars = list(grads_and_vars)
        self.updated_paths = {variable.path for _, variable in grads_and_vars}
        return super().apply_gradients(grads_and_vars)


def small_gan(seed=0):
    keras.utils.set_random_seed(seed)
    generator = models.dcgan_generator(16, filters=(16, 8), strides=(2, 2), kernel_size=4)
    discriminator = models.dcgan_discriminator(filters=(8, 16), kernel_size=4)
    return GAN(generator, discriminator, seed=seed)


def weights_of(model):
    return [variable.numpy() for variable in model.trainable_variables]


def real_batch(mnist_arrays, size=16):
    return mnist_arrays["x_test"][:size, ..., None].astype("float32") / 127.5 - 1.0


def test_train_step_updates_each_network_with_its_own_optimizer(mnist_arrays):
    gan = small_gan()
    gan.compile(d_optimizer=RecordingSGD(0.1), g_optimizer=RecordingSGD(0.1))
    generator_before, discriminator_before = weights_of(gan.generator), weights_of(gan.discriminator)
    logs = gan.train_step(real_batch(mnist_arrays))

    # Each optimizer touched exactly its own network's trainable variables.
    assert gan.d_optimizer.updated_paths == {v.path for v in gan.discriminator.trainable_variables}
    assert gan.g_optimizer.updated_paths == {v.path for v in gan.generator.trainable_variables}
    # And both networks really moved.
    for before, after in ((generator_before, weights_of(gan.generator)),
                          (discriminator_before, weights_of(gan.discriminator))):
        assert any(not np.array_equal(b, a) for b, a in zip(before, after))
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake", "d_accuracy"}
    assert 0.0 <= float(logs["d_real"]) <= 1.0 and 0.0 <= float(logs["d_accuracy"]) <= 1.0


def test_a_frozen_optimizer_leaves_its_network_untouched(mnist_arrays):
    # With the generator's learning rate at zero, only the discriminator may change, and the
    # other way round: the update of one network must never leak into the other.
    for frozen in ("generator", "discriminator"):
        gan = small_gan()
        rates = {"generator": 0.1, "discriminator": 0.1, frozen: 0.0}
        gan.compile(d_optimizer=keras.optimizers.SGD(rates["discriminator"]),
                    g_optimizer=keras.optimizers.SGD(rates["generator"]))
        frozen_model = getattr(gan, frozen)
        before = weights_of(frozen_model)
        gan.train_step(real_batch(mnist_arrays))
        for b, a in zip(before, weights_of(frozen_model)):
            np.testing.assert_array_equal(b, a)


def test_compile_checks_its_arguments():
    gan = small_gan()
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two optimizer instances"):
        gan.compile(optimizer, optimizer)
    with pytest.raises(ValueError, match="d_steps"):
        gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam(), d_steps=0)
    with pytest.raises(ValueError, match="Unknown generator loss"):
        gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam(), generator_loss="hinge")
    with pytest.raises(ValueError, match="update must be one of alternating, simultaneous"):
        gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam(), update="sequential")
    with pytest.raises(ValueError, match="use d_steps=1"):
        gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam(), update="simultaneous",
                    d_steps=2)


def test_simultaneous_update_is_the_tutorials_step(mnist_arrays):
    """update="simultaneous" makes exactly the update of the TensorFlow tutorial's two-tape step."""
    import tensorflow as tf

    images = real_batch(mnist_arrays)
    gan = small_gan()
    gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1), update="simultaneous")
    # The noise train_step will draw: the same seeded generator, advanced the same way.
    noise = small_gan().sample_noise(len(images))

    twin = small_gan()  # The same initial weights (same seed).
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fakes = twin.generator(noise, training=True)
        real_output = twin.discriminator(images, training=True)
        fake_output = twin.discriminator(fakes, training=True)
        g_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
        d_loss = (cross_entropy(tf.ones_like(real_output), real_output)
                  + cross_entropy(tf.zeros_like(fake_output), fake_output))
    for loss, tape, model in ((g_loss, g_tape, twin.generator), (d_loss, d_tape, twin.discriminator)):
        for gradient, variable in zip(tape.gradient(loss, model.trainable_variables),
                                      model.trainable_variables):
            variable.assign_sub(0.1 * gradient)

    logs = gan.train_step(images)
    np.testing.assert_allclose(float(logs["g_loss"]), float(g_loss), rtol=1e-5)
    for model, reference in ((gan.generator, twin.generator),
                             (gan.discriminator, twin.discriminator)):
        for ours, theirs in zip(weights_of(model), weights_of(reference)):
            np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)

    # The alternating update (the default) is a different step: G learns from the updated D.
    alternating = small_gan()
    alternating.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    alternating.train_step(images)
    assert any(not np.allclose(a, b) for a, b in zip(weights_of(alternating.generator),
                                                     weights_of(gan.generator)))


def test_mismatched_networks_are_refused():
    generator = models.mlp_generator(8, units=(16,))
    discriminator = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="build them for one shape"):
        GAN(generator, discriminator)


SEEDED_RUN = """
import json, sys
import numpy as np
from ganlib import train
result = train.train(sys.argv[1], epochs=2, images=np.load(sys.argv[2]), batch_size=32, seed=3,
                     verbose=0)
samples = result.gan.generate(8, seed=0)
print(json.dumps({"history": result.history, "samples": samples.ravel()[::97].tolist()}))
"""


def test_a_seeded_run_repeats_exactly_on_cpu(mnist_arrays, tmp_path):
    # Two fresh processes, so nothing is shared but the seed.
    images = tmp_path / "images.npy"
    np.save(images, mnist_arrays["x_test"][:160])
    outputs = []
    for run in ("a", "b"):
        completed = subprocess.run([sys.executable, "-c", SEEDED_RUN, str(tmp_path / run), str(images)],
                                   capture_output=True, text=True, timeout=300)
        assert completed.returncode == 0, completed.stderr[-2000:]
        outputs.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    history_a, history_b = outputs[0]["history"], outputs[1]["history"]
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert history_a[name] == history_b[name]  # Bit-identical, not merely close.
    assert outputs[0]["samples"] == outputs[1]["samples"]
    # A different seed really gives a different run (the test can fail).
    assert len(history_a["d_loss"]) == 2


def test_generate_validates_n():
    gan = small_gan()
    with pytest.raises(ValueError, match="n must be a positive"):
        gan.generate(0)
    assert gan.generate(3, seed=1).shape == (3, 28, 28, 1)
