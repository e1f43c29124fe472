"""GAN under tf.distribute: a MirroredStrategy over two CPU devices makes the single-device
update, for the objectives, with a gradient penalty and with a generator average."""

import json
import subprocess
import sys

import pytest

PRELUDE = r"""
import json, sys
import tensorflow as tf

# Two logical CPU devices, so MirroredStrategy has two replicas on one machine.
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras
import numpy as np
from keras import layers, ops

import ganlib
from ganlib import GAN, models
"""

UPDATE_SCRIPT = PRELUDE + r"""
settings = json.loads(sys.argv[1])


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
    gan.compile(keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.5), **settings)
    return gan


images = np.random.default_rng(0).uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices(images).batch(16)  # Two steps.

single = build()
single_logs = single.fit(dataset, epochs=1, verbose=0, shuffle=False).history

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    mirrored = build()
mirrored_logs = mirrored.fit(dataset, epochs=1, verbose=0, shuffle=False).history


def difference(first, second):
    return max(float(np.abs(np.asarray(a) - np.asarray(b)).max()) for a, b in zip(first, second))


before = build()
result = {"replicas": strategy.num_replicas_in_sync,
          "difference": difference(single.trainable_variables, mirrored.trainable_variables),
          "moved": difference(single.trainable_variables, before.trainable_variables),
          "logs": [single_logs, mirrored_logs]}
if single.ema is not None:
    result["average_difference"] = difference(single.ema.variables, mirrored.ema.variables)
    result["average_moved"] = difference(single.ema.generator.variables,
                                         before.ema.generator.variables)
print(json.dumps(result))
"""


def run(script, *arguments):
    completed = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("settings", [
    {},
    {"objective": "hinge", "penalty": "r1", "penalty_weight": 1.0},
    {"objective": "relativistic", "penalty": "r1+r2", "penalty_weight": 0.5, "penalty_interval": 2},
    {"objective": "least_squares", "ema_half_life": 20, "ema_rampup": 0.0},
], ids=["non_saturating", "hinge+r1", "relativistic+r1r2 lazy", "least_squares+ema"])
def test_mirrored_strategy_makes_the_single_device_update(settings):
    result = run(UPDATE_SCRIPT, json.dumps(settings))
    assert result["replicas"] == 2
    assert result["moved"] > 1e-3, "the steps changed nothing, so the comparison proves nothing"
    assert result["difference"] < 1e-5, result
    single, mirrored = result["logs"]
    assert set(single) == set(mirrored)
    for name in single:
        assert abs(single[name][0] - mirrored[name][0]) < 1e-5, (name, result)
    if "penalty" in settings:
        assert single["penalty"][0] > 0
    if "ema_half_life" in settings:
        assert result["average_moved"] > 1e-4 and result["average_difference"] < 1e-5, result


TRAIN_SCRIPT = PRELUDE + r"""
from ganlib.training import TrainConfig, train

images = np.load(sys.argv[2])
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
result = train(sys.argv[1], TrainConfig(epochs=1, batch_size=32, penalty="r1", penalty_weight=0.1,
                                        ema_half_life=500), images=images, strategy=strategy,
               verbose=0)
print(json.dumps({"replicas": strategy.num_replicas_in_sync, "history": result.history}))

# A real GAN's noise: each replica must draw its own, not a copy of the other's.
with strategy.scope():
    noisy = GAN(*models.build_preset("dcgan", latent_dim=4), seed=0)
per_replica = strategy.run(noisy.sample_noise, args=(3,))
noise = [tensor.numpy() for tensor in strategy.experimental_local_results(per_replica)]
print(json.dumps({"same_noise": bool(np.allclose(noise[0], noise[1]))}))
"""


def test_train_runs_on_two_replicas_with_a_penalty_and_an_average(mnist_arrays, tmp_path):
    import numpy as np

    images = tmp_path / "images.npy"
    np.save(images, mnist_arrays["x_train"][:320])
    completed = subprocess.run([sys.executable, "-c", TRAIN_SCRIPT, str(tmp_path / "run"),
                                str(images)], capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    trained, noise = (json.loads(line) for line in completed.stdout.strip().splitlines()[-2:])
    assert trained["replicas"] == 2
    assert trained["history"]["steps"] == [10]  # 320 images in global batches of 32.
    assert all(np.isfinite(trained["history"][name][0]) for name in ("d_loss", "g_loss", "penalty"))
    assert (tmp_path / "run" / "generator.keras").exists()
    assert not noise["same_noise"], "both replicas drew the same noise"


def test_mixed_precision_trains_and_keeps_float32_outputs(cli, tiny_npz, tmp_path):
    # CI has no GPU, so force it on: the loss-scaled path must at least run correctly on a CPU.
    out = tmp_path / "mixed"
    completed = cli("train", "--out", out, "--epochs", "1", "--data", tiny_npz, "--batch-size",
                    "64", "--mixed-precision", "on", "--penalty", "r1", "--penalty-weight", "0.1")
    assert completed.returncode == 0, completed.stderr[-3000:]
    history = json.loads((out / "history.json").read_text())
    assert all(abs(value) < 1e3 for key, value in history[0].items() if key != "epoch")
    # The default preset's generator takes a cluster beside its noise.
    script = ("import sys, keras, numpy as np; g = keras.models.load_model(sys.argv[1]); "
              "x = {'noise': np.zeros((2, 100), 'float32'), "
              "'labels': np.array([0, 29], 'int32')}; "
              "print(g.predict(x, verbose=0).dtype, "
              "sorted({layer.compute_dtype for layer in g.layers if layer.weights}))")
    loaded = subprocess.run([sys.executable, "-c", script, str(out / "generator.keras")],
                            capture_output=True, text=True, timeout=300)
    assert loaded.stdout.strip().splitlines()[-1] == "float32 ['float16', 'float32']", \
        loaded.stdout + loaded.stderr[-2000:]
