"""What the benches share: the TensorFlow tutorial's training loop, and writing a results table.

`ReferenceTutorial` is the TensorFlow DCGAN tutorial's training, as the tutorial writes it: its
layers (the `tutorial` preset), batch 256, Adam(1e-4) for both networks, and a plain
`tf.function` step with two tapes. Every bench compares ganlib with it on the same machine, in
the same run.
"""

import datetime
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import ganlib  # noqa: E402,F401  (imports TensorFlow quietly)
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganlib.models import build_preset  # noqa: E402

REFERENCE_BATCH = 256
REFERENCE_LEARNING_RATE = 1e-4


class ReferenceTutorial:
    """The TensorFlow DCGAN tutorial's training loop, as the tutorial writes it."""

    def __init__(self, seed):
        keras.utils.set_random_seed(seed)
        self.generator, self.discriminator = build_preset("tutorial")
        self.generator_optimizer = keras.optimizers.Adam(REFERENCE_LEARNING_RATE)
        self.discriminator_optimizer = keras.optimizers.Adam(REFERENCE_LEARNING_RATE)
        self.cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
        self.batch_size = REFERENCE_BATCH
        self.iterator = None  # Made on the first call of train_steps, then kept.

    @tf.function
    def train_step(self, images):
        noise = tf.random.normal([tf.shape(images)[0], 100])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = self.generator(noise, training=True)
            real_output = self.discriminator(images, training=True)
            fake_output = self.discriminator(generated_images, training=True)
            gen_loss = self.cross_entropy(tf.ones_like(fake_output), fake_output)
            disc_loss = (self.cross_entropy(tf.ones_like(real_output), real_output)
                         + self.cross_entropy(tf.zeros_like(fake_output), fake_output))
        gradients_of_generator = gen_tape.gradient(gen_loss, self.generator.trainable_variables)
        gradients_of_discriminator = disc_tape.gradient(disc_loss,
                                                        self.discriminator.trainable_variables)
        self.generator_optimizer.apply_gradients(
            zip(gradients_of_generator, self.generator.trainable_variables))
        self.discriminator_optimizer.apply_gradients(
            zip(gradients_of_discriminator, self.discriminator.trainable_variables))

    def train_steps(self, batches, count):
        if self.iterator is None:
            self.iterator = iter(batches)
        for _ in range(count):
            self.train_step(next(self.iterator))

    def timed_steps(self, batches, warmup, count):
        """Seconds for `count` steps after `warmup` more, on the loop's one iterator (the same
        measure as `FitContender.timed_steps` in throughput.py)."""
        self.train_steps(batches, warmup)
        started = time.monotonic()
        self.train_steps(batches, count)
        return time.monotonic() - started

    def train_for(self, batches, seconds, chunk=20):
        """Train in chunks of steps until `seconds` of wall time have passed; return the steps."""
        started, done = time.monotonic(), 0
        while time.monotonic() - started < seconds:
            self.train_steps(batches, chunk)
            done += chunk
        return done, time.monotonic() - started


def median_and_spread(values, digits=2):
    """'median [min-max]' of a list of numbers, e.g. '6.31 [5.92-7.40]'."""
    values = sorted(values)
    median = float(np.median(values))
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} [{values[0]:.{digits}f}-{values[-1]:.{digits}f}]"


def write_results(path, title, body, images):
    """Append a section to `path` with the date, the machine and the command, and print it."""
    header = [f"## {title}: {datetime.date.today().isoformat()}", "",
              f"Machine: {platform.machine()}, {os.cpu_count()} cores, TensorFlow {tf.__version__},"
              f" Keras {keras.__version__}, Python {platform.python_version()}; {images} training "
              "images.", f"Command: `python {' '.join(sys.argv)}`", ""]
    text = "\n".join(header + body) + "\n\n"
    print(text, flush=True)
    with open(path, "a") as handle:
        handle.write(text)
