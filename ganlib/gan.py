"""`GAN`: a generator and a discriminator trained against each other with `model.fit()`.

Overriding `train_step` (the keras-io way) gives the GAN everything `fit()` offers: progress
bars, callbacks, a `History`, and `tf.data` input. One step, on a batch of real images:

1. Discriminator step(s): draw noise z, make fakes G(z), and move D to score real images
   high and fakes low (`ganlib.losses.discriminator_loss`). Only D's weights change.
2. Generator step: draw fresh noise, make fakes, and move G so that D scores them high
   (`ganlib.losses.generator_loss_non_saturating`). Only G's weights change; D is used but not
   updated, because its gradients are never applied.

`compile(update="simultaneous")` plays the step the TensorFlow DCGAN tutorial's way instead:
one forward pass (G(z), D on real and fake) under two tapes, and both networks updated from it.
That skips the second generator pass and the third discriminator pass, about a quarter of the
arithmetic; the generator then learns from the discriminator as it was before this step's update.

The step reports `d_loss`, `g_loss`, `d_real` (mean D(x) on real images), `d_fake` (mean
D(G(z)) on fakes) and `d_accuracy` (share of real and fake images D classifies correctly).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganlib import losses

METRIC_NAMES = ("d_loss", "g_loss", "d_real", "d_fake", "d_accuracy")
UPDATES = ("alternating", "simultaneous")


class GAN(keras.Model):
    """A generator and a discriminator, trained together by `fit()`.

    Args:
        generator: a model from noise `(batch, latent_dim)` to images `(batch, 28, 28, 1)`.
        discriminator: a model from images `(batch, 28, 28, 1)` to logits `(batch, 1)`.
        seed: seeds the noise drawn in `train_step`, so a seeded run repeats exactly on CPU.
    """

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        super().__init__(**kwargs)
        if generator.output_shape[1:] != discriminator.input_shape[1:]:
            raise ValueError(
                f"The generator makes images of shape {generator.output_shape[1:]} but the "
                f"discriminator reads {discriminator.input_shape[1:]}: build them for one shape."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = generator.input_shape[-1]
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in METRIC_NAMES}
        self.built = True  # Both networks are built already; nothing to infer from data.

    def compile(self, d_optimizer, g_optimizer, generator_loss="non_saturating",
                label_smoothing=0.0, d_steps=1, update="alternating", **kwargs):
        """Set the two optimizers and how the game is played.

        Args:
            d_optimizer, g_optimizer: two different `keras.optimizers` instances; each keeps its
                own moment estimates for its own network.
            generator_loss: "non_saturating" (default) or "minimax".
            label_smoothing: one-sided smoothing of the real labels, in [0, 0.5).
            d_steps: discriminator updates per generator update (k in Goodfellow et al.).
            update: "alternating" (default): update D, then G against the updated D;
                "simultaneous": both from one forward pass, as the TensorFlow tutorial does
                (d_steps must be 1).
        """
        super().compile(**kwargs)
        if d_optimizer is g_optimizer:
            raise ValueError("Pass two optimizer instances: each network needs its own state.")
        if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a positive whole number, not {d_steps!r}.")
        if update not in UPDATES:
            raise ValueError(f"update must be one of {', '.join(UPDATES)}, not {update!r}.")
        if update == "simultaneous" and d_steps != 1:
            raise ValueError(f"update='simultaneous' makes one update of each network per step: "
                             f"use d_steps=1 (not {d_steps}), or update='alternating'.")
        self.update = update
        self.generator_loss_fn = losses.get_generator_loss(generator_loss)
        losses.discriminator_loss(ops.zeros((1, 1)), ops.zeros((1, 1)), label_smoothing)  # checks it
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.label_smoothing = float(label_smoothing)
        self.d_steps = d_steps
        # Creating the optimizer variables now (not lazily inside the first step) means a
        # checkpoint can be restored into them before training starts.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        # Listing the trackers here lets fit() reset them at the start of every epoch.
        return list(self.trackers.values())

    def call(self, noise, training=False):
        """Generate images `(batch, 28, 28, 1)` from noise `(batch, latent_dim)`."""
        return self.generator(noise, training=training)

    def sample_noise(self, batch_size):
        """Standard normal noise `(batch_size, latent_dim)` from the GAN's seeded generator.

        Under `tf.distribute` every replica holds a copy of the same generator state, so the
        replica's number is added to the seed: each replica draws its own noise. On one device
        this is exactly `keras.random.normal(..., seed=self.seed_generator)`.
        """
        seed = self.seed_generator.next()  # (2,) int64; advances the state.
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            replica = tf.cast(context.replica_id_in_sync_group, seed.dtype)
            seed = seed + tf.stack([replica, tf.zeros_like(replica)])
        # Stateless ops want an int32 seed; Keras folds its int64 state the same way.
        seed = tf.cast(tf.math.floormod(seed, tf.int32.max - 1), "int32")
        return tf.random.stateless_normal((batch_size, self.latent_dim), seed=seed)

    def train_step(self, data):
        # fit() may hand us (images, labels); the GAN ignores the labels.
        real_images = data[0] if isinstance(data, (tuple, list)) else data
        batch_size = ops.shape(real_images)[0]  # This replica's share of the global batch.
        # Under tf.distribute each replica's gradients are summed, so each replica's loss is
        # divided by their number: the sum is then the gradient of the global batch mean.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if self.update == "simultaneous":
            d_loss, g_loss, real_logits, fake_logits = self._simultaneous_step(
                real_images, batch_size, replicas)
        else:
            d_loss, g_loss, real_logits, fake_logits = self._alternating_step(
                real_images, batch_size, replicas)

        correct = ops.concatenate([ops.cast(real_logits > 0, "float32"),
                                   ops.cast(fake_logits < 0, "float32")], axis=0)
        values = {
            "d_loss": d_loss,
            "g_loss": g_loss,
            "d_real": ops.mean(losses.probabilities(real_logits)),
            "d_fake": ops.mean(losses.probabilities(fake_logits)),
            "d_accuracy": ops.mean(correct),
        }
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def _apply(self, optimizer, loss, tape, variables):
        # Only `variables` are differentiated and updated. The loss was multiplied by the loss
        # scale (scale_loss; 1 without mixed precision); apply_gradients divides it out again.
        gradients = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(gradients, variables))

    def _alternating_step(self, real_images, batch_size, replicas):
        for _ in range(self.d_steps):
            noise = self.sample_noise(batch_size)
            with tf.GradientTape() as tape:
                fake_images = self.generator(noise, training=True)  # (batch, 28, 28, 1)
                real_logits = self.discriminator(real_images, training=True)  # (batch, 1)
                fake_logits = self.discriminator(fake_images, training=True)  # (batch, 1)
                d_loss = losses.discriminator_loss(real_logits, fake_logits, self.label_smoothing)
                scaled_d_loss = self.d_optimizer.scale_loss(d_loss / replicas)
            self._apply(self.d_optimizer, scaled_d_loss, tape, self.discriminator.trainable_variables)

        noise = self.sample_noise(batch_size)
        with tf.GradientTape() as tape:
            generated_logits = self.discriminator(self.generator(noise, training=True), training=True)
            g_loss = self.generator_loss_fn(generated_logits)
            scaled_g_loss = self.g_optimizer.scale_loss(g_loss / replicas)
        # The gradient flows through D into G, but only G's variables are updated.
        self._apply(self.g_optimizer, scaled_g_loss, tape, self.generator.trainable_variables)
        return d_loss, g_loss, real_logits, fake_logits

    def _simultaneous_step(self, real_images, batch_size, replicas):
        noise = self.sample_noise(batch_size)
        # Two tapes watch one forward pass; each network's gradient comes from its own loss.
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake_images = self.generator(noise, training=True)
            real_logits = self.discriminator(real_images, training=True)
            fake_logits = self.discriminator(fake_images, training=True)
            d_loss = losses.discriminator_loss(real_logits, fake_logits, self.label_smoothing)
            g_loss = self.generator_loss_fn(fake_logits)
            scaled_d_loss = self.d_optimizer.scale_loss(d_loss / replicas)
            scaled_g_loss = self.g_optimizer.scale_loss(g_loss / replicas)
        self._apply(self.d_optimizer, scaled_d_loss, d_tape, self.discriminator.trainable_variables)
        self._apply(self.g_optimizer, scaled_g_loss, g_tape, self.generator.trainable_variables)
        return d_loss, g_loss, real_logits, fake_logits

    def generate(self, n, seed=None):
        """Draw `n` images with the generator in inference mode: float32 `(n, 28, 28, 1)`."""
        return generate(self.generator, n, seed)


def generate(generator, n, seed=None, batch_size=500):
    """Draw `n` images from a generator: float32 `(n, 28, 28, 1)` in its output range.

    The noise comes from NumPy's generator seeded with `seed`, so the same seed gives the same
    images from the same generator.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number, not {n!r}.")
    latent_dim = generator.input_shape[-1]
    noise = np.random.default_rng(seed).standard_normal((n, latent_dim)).astype("float32")
    # Calling the model batch by batch (rather than predict(), which compiles a function per
    # model) stays quick and quiet when a notebook samples from many different generators.
    batches = [np.asarray(generator(noise[start:start + batch_size], training=False))
               for start in range(0, n, batch_size)]
    return np.concatenate(batches).astype("float32")
