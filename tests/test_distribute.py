"""GAN under tf.distribute: a MirroredStrategy over two CPU devices makes the single-device update."""

import json
import subprocess
import sys

SCRIPT = r"""
import json
import tensorflow as tf

# Two logical CPU devices, so MirroredStrategy has two replicas on one machine.
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras
import numpy as np
from keras import layers, ops

from ganlib import GAN, models


class ConstantNoiseGAN(GAN):
    # The same noise on every replica and on one device, so only the batch split differs.
    def sample_noise(self, batch_size):
        return ops.ones((batch_size, self.latent_dim)) * 0.5


def build():
    keras.utils.set_random_seed(0)
    # No batch norm and no dropout: their per-replica statistics and masks would differ.
    generator = keras.Sequential([keras.Input((4,)), layers.Dense(28 * 28, activation="tanh"),
                                  layers.Reshape((28, 28, 1))])
    discriminator = models.dcgan_discriminator(filters=(4, 8), kernel_size=3, dropout=0.0)
    gan = ConstantNoiseGAN(generator, discriminator)
    gan.compile(keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.5))
    return gan


images = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices(images).batch(16)

single = build()
single_logs = single.fit(dataset, epochs=1, verbose=0, shuffle=False).history

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    mirrored = build()
mirrored_logs = mirrored.fit(dataset, epochs=1, verbose=0, shuffle=False).history

# A real GAN's noise: each replica must draw its own, not a copy of the other's.
with strategy.scope():
    noisy = GAN(*models.build_preset("default", latent_dim=4), seed=0)
per_replica = strategy.run(noisy.sample_noise, args=(3,))
replica_noise = [tensor.numpy() for tensor in strategy.experimental_local_results(per_replica)]
same_noise = bool(np.allclose(replica_noise[0], replica_noise[1]))

before = build()
differences = [float(np.abs(a.numpy() - b.numpy()).max())
               for a, b in zip(single.trainable_variables, mirrored.trainable_variables)]
moved = [float(np.abs(a.numpy() - b.numpy()).max())
         for a, b in zip(single.trainable_variables, before.trainable_variables)]
print(json.dumps({"replicas": strategy.num_replicas_in_sync, "difference": max(differences),
                  "same_noise": same_noise,
                  "moved": max(moved), "d_loss": [single_logs["d_loss"][0], mirrored_logs["d_loss"][0]],
                  "g_loss": [single_logs["g_loss"][0], mirrored_logs["g_loss"][0]]}))
"""


def test_mirrored_strategy_makes_the_single_device_update():
    completed = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                               timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2
    assert not result["same_noise"], "both replicas drew the same noise"
    assert result["moved"] > 1e-3, "the step changed nothing, so the comparison proves nothing"
    assert result["difference"] < 1e-5, result
    for single, mirrored in (result["d_loss"], result["g_loss"]):
        assert abs(single - mirrored) < 1e-5, result


def test_mixed_precision_trains_and_keeps_float32_outputs(cli, tiny_npz, tmp_path):
    # CI has no GPU, so force it on: the loss-scaled path must at least run correctly on a CPU.
    out = tmp_path / "mixed"
    completed = cli("train", "--out", out, "--epochs", "1", "--data", tiny_npz, "--batch-size",
                    "64", "--mixed-precision", "on")
    assert completed.returncode == 0, completed.stderr[-3000:]
    history = json.loads((out / "history.json").read_text())
    assert all(abs(value) < 1e3 for key, value in history[0].items() if key != "epoch")
    script = ("import sys, keras, numpy as np; g = keras.models.load_model(sys.argv[1]); "
              "print(g.predict(np.zeros((2, 100), 'float32'), verbose=0).dtype)")
    loaded = subprocess.run([sys.executable, "-c", script, str(out / "generator.keras")],
                            capture_output=True, text=True, timeout=300)
    assert loaded.stdout.strip().splitlines()[-1] == "float32", loaded.stderr[-2000:]


def test_cli_trains_under_a_mirrored_strategy(cli, tiny_npz, tmp_path):
    out = tmp_path / "mirrored"
    completed = cli("train", "--out", out, "--epochs", "1", "--data", tiny_npz, "--batch-size",
                    "64", "--strategy", "mirrored")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert (out / "generator.keras").exists()
