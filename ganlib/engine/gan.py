"""`GAN`: a generator and a discriminator trained against each other with `model.fit()`.

Overriding `train_step` (the keras-io way) gives the GAN everything `fit()` offers: progress
bars, callbacks, a `History`, and `tf.data` input. One step, on a batch of real images (and,
for a class-conditional GAN, their labels, which the fakes of the step are asked for too):

1. Discriminator step(s): draw noise z, make fakes G(z), and move D to lower its loss under
   the objective (`ganlib.engine.objectives`), plus a gradient penalty when one is on
   (`ganlib.engine.penalties`). Only D's weights change.
2. Generator step: draw fresh noise, make fakes, and move G to lower its loss, which means
   fooling the updated D. Only G's weights change; D is used but not updated, because only G's
   gradients are applied.
3. When an average of the generator is kept (`ema_half_life`), move it towards G
   (`ganlib.engine.ema`); samples, FID and the saved generator then use the average.

`compile(update="simultaneous")` plays the step the TensorFlow DCGAN tutorial's way instead:
one forward pass (G(z), D on real and fake) differentiated twice, both networks updated from
it. That skips the second generator pass, but the generator learns from D as it was before
this step's update.

With `augment`, D sees every image (real or fake) through a differentiable augmentation
(`ganlib.engine.augment`). The step reports `d_loss` and `g_loss`; `d_real`, `d_fake` (mean
D(x) and D(G(z)) as probabilities) and `d_accuracy` for the objectives built on a probability,
`real_score` and `fake_score` (mean raw scores) for the others; and `penalty` (its weighted
value) when a penalty is on. Everything here is `keras.ops` except the tapes and the
`tf.distribute` details, which live in `ganlib.engine.backend`.
"""

import keras
from keras import ops

from ganlib.core.arguments import non_negative_number, one_of, whole_number
from ganlib.engine import backend
from ganlib.engine.augment import make_augment
from ganlib.engine.ema import GeneratorAverage
from ganlib.engine.objectives import get_objective, probabilities
from ganlib.engine.penalties import get_penalty
from ganlib.models.sampling import generate, generator_inputs, is_conditional, latent_size

UPDATES = ("alternating", "simultaneous")


class GAN(keras.Model):
    """A generator and a discriminator, trained together by `fit()`.

    Args:
        generator: a model from noise `(batch, latent_dim)` (and labels `(batch,)`, for a
            conditional GAN) to images `(batch, 28, 28, 1)`.
        discriminator: a model from images `(batch, 28, 28, 1)` (and labels) to scores `(batch, 1)`.
        seed: seeds every random number drawn in `train_step`, so a seeded run repeats on CPU.
    """

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        super().__init__(**kwargs)
        if tuple(generator.outputs[0].shape[1:]) != tuple(discriminator.inputs[0].shape[1:]):
            raise ValueError(f"The generator makes images of shape "
                             f"{tuple(generator.outputs[0].shape[1:])} but the discriminator "
                             f"reads {tuple(discriminator.inputs[0].shape[1:])}: build them for "
                             "one shape.")
        if is_conditional(generator) != (len(discriminator.inputs) == 2):
            raise ValueError("One network takes labels and the other does not: build both "
                             "conditional (e.g. build_preset('conditional')) or neither.")
        self.generator = generator
        self.discriminator = discriminator
        self.conditional = is_conditional(generator)
        self.latent_dim = latent_size(generator)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.ema = None
        self.trackers = {}
        self.built = True  # Both networks are built already; nothing to infer from data.

    def compile(self, d_optimizer, g_optimizer, objective="non_saturating", label_smoothing=0.0,
                penalty=None, penalty_weight=0.0, penalty_interval=1, ema_half_life=0,
                ema_rampup=0.05, augment=None, d_steps=1, update="alternating", **kwargs):
        """Set the two optimizers and the rules of the game.

        Args:
            d_optimizer, g_optimizer: two different `keras.optimizers` instances; each keeps its
                own moment estimates for its own network.
            objective: a name from `ganlib.engine.objectives.OBJECTIVES`.
            label_smoothing: one-sided smoothing of the real labels, in [0, 0.5) (BCE objectives).
            penalty: None, "r1", "r2", "r1+r2" or "gp" (`ganlib.engine.penalties`).
            penalty_weight: gamma (R1, R2) or lambda (gp), > 0 when a penalty is on.
            penalty_interval: apply the penalty every this many D steps, multiplied by it
                (lazy regularisation, as StyleGAN2 does); 1 applies it every step.
            ema_half_life: keep an average of the generator with this half-life in images (0: none).
            ema_rampup: the average's ramp-up (`ganlib.engine.ema.GeneratorAverage`).
            augment: None, or augmentations for D's input, e.g. "translation,cutout".
            d_steps: discriminator updates per generator update (k in Goodfellow et al.).
            update: "alternating" (default): update D, then G against the updated D;
                "simultaneous": both from one forward pass (d_steps must be 1).
        """
        super().compile(**kwargs)
        if d_optimizer is g_optimizer:
            raise ValueError("Pass two optimizer instances: each network needs its own state.")
        self.d_steps = whole_number("d_steps", d_steps)
        self.update = one_of("update", update, UPDATES)
        if update == "simultaneous" and d_steps != 1:
            raise ValueError(f"update='simultaneous' makes one update of each network per step: "
                             f"use d_steps=1 (not {d_steps}), or update='alternating'.")
        self.objective = get_objective(objective, label_smoothing)
        self.penalty = get_penalty(penalty)
        self.penalty_weight = non_negative_number("penalty_weight", penalty_weight, "0.1")
        if self.penalty is not None and self.penalty_weight == 0:
            raise ValueError(f"penalty {penalty!r} needs a penalty_weight above 0, e.g. 0.1 for "
                             "r1 or 10 for gp.")
        self.penalty_interval = whole_number("penalty_interval", penalty_interval)
        background = -1.0 if self._output_activation() == "tanh" else 0.0
        self.augment, self.augment_draws = make_augment(augment, background)
        self.ema = GeneratorAverage(self.generator, ema_half_life, ema_rampup) \
            if ema_half_life else None
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        names = ["d_loss", "g_loss"]
        names += ["d_real", "d_fake", "d_accuracy"] if self.objective.probabilistic \
            else ["real_score", "fake_score"]
        names += ["penalty"] if self.penalty is not None else []
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}
        # Creating the optimizer variables now (not lazily inside the first step) means a
        # checkpoint can be restored into them before training starts.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def _output_activation(self):
        activation = getattr(self.generator.layers[-1], "activation", None)
        return getattr(activation, "__name__", "tanh")

    @property
    def metrics(self):
        # Listing the trackers here lets fit() reset them at the start of every epoch.
        return list(self.trackers.values())

    @property
    def sampling_generator(self):
        """The generator to draw samples from: the average when one is kept, else G itself."""
        return self.ema.generator if self.ema is not None else self.generator

    def call(self, inputs, training=False):
        """Images `(batch, 28, 28, 1)` from noise (or `[noise, labels]`), by `sampling_generator`."""
        return self.sampling_generator(inputs, training=training)

    def generate(self, n, seed=None, labels=None):
        """Draw `n` images from `sampling_generator` in inference mode: float32 `(n, 28, 28, 1)`."""
        return generate(self.sampling_generator, n, seed, labels)

    def _seed(self):
        return backend.replica_seed(self.seed_generator.next())

    def sample_noise(self, batch_size):
        """Standard normal noise `(batch_size, latent_dim)` from the GAN's seeded generator; each
        replica under `tf.distribute` draws its own."""
        return backend.normal((batch_size, self.latent_dim), self._seed())

    def _fakes(self, batch_size, labels):
        noise = self.sample_noise(batch_size)
        return self.generator(generator_inputs(self.generator, noise, labels), training=True)

    def _score(self, images, labels, augment=True):
        """D's scores `(batch, 1)` for images (through the augmentation when one is on)."""
        if augment and self.augment is not None:
            images = self.augment(images, [self._seed() for _ in range(self.augment_draws)])
        inputs = images if labels is None else [images, labels]
        return self.discriminator(inputs, training=True)

    def _penalty(self, real_images, fake_images, labels):
        """The weighted penalty on this D step (lazily, every `penalty_interval` steps), and
        whether it was computed (0 or 1)."""
        if self.penalty is None:
            return 0.0, 0.0
        seed = self._seed()  # Drawn on every D step, so the random stream never depends on k.

        def compute():
            score = lambda images: self._score(images, labels, augment=False)  # noqa: E731
            value = self.penalty(score, real_images, fake_images, seed)
            return ops.cast(value, "float32") * self.penalty_weight * self.penalty_interval

        return backend.every(self.penalty_interval, self.d_optimizer.iterations, compute)

    def _apply(self, optimizer, gradients, variables):
        optimizer.apply_gradients(zip(gradients, variables))

    def _scaled(self, optimizer, loss, replicas):
        # Under tf.distribute the replicas' gradients are summed, so each replica's loss is
        # divided by their number: the sum is then the gradient of the global batch mean. The
        # loss scale (mixed precision; 1 otherwise) is divided out again by apply_gradients.
        return optimizer.scale_loss(loss / replicas)

    def _discriminator_step(self, real_images, labels, batch_size, replicas):
        fake_images = self._fakes(batch_size, labels)  # (batch, 28, 28, 1); G is not updated here

        def loss():
            real_scores = self._score(real_images, labels)
            fake_scores = self._score(fake_images, labels)
            d_loss = self.objective.discriminator_loss(real_scores, fake_scores)
            penalty, ran = self._penalty(real_images, fake_images, labels)
            total = self._scaled(self.d_optimizer, d_loss + penalty, replicas)
            return total, (d_loss, penalty, ran, real_scores, fake_scores)

        variables = self.discriminator.trainable_variables
        gradients, _, extras = backend.gradients(loss, variables)
        self._apply(self.d_optimizer, gradients, variables)
        return extras

    def _generator_step(self, real_images, labels, batch_size, replicas):
        def loss():
            fake_scores = self._score(self._fakes(batch_size, labels), labels)
            real_scores = self._score(real_images, labels) \
                if self.objective.generator_uses_real else None
            g_loss = self.objective.generator_loss(real_scores, fake_scores)
            return self._scaled(self.g_optimizer, g_loss, replicas), g_loss

        variables = self.generator.trainable_variables
        # The gradient flows through D into G, but only G's variables are updated.
        gradients, _, g_loss = backend.gradients(loss, variables)
        self._apply(self.g_optimizer, gradients, variables)
        return g_loss

    def _simultaneous_step(self, real_images, labels, batch_size, replicas):
        def losses():
            fake_images = self._fakes(batch_size, labels)
            real_scores = self._score(real_images, labels)
            fake_scores = self._score(fake_images, labels)
            d_loss = self.objective.discriminator_loss(real_scores, fake_scores)
            g_loss = self.objective.generator_loss(real_scores, fake_scores)
            penalty, ran = self._penalty(real_images, ops.stop_gradient(fake_images), labels)
            return (self._scaled(self.d_optimizer, d_loss + penalty, replicas),
                    self._scaled(self.g_optimizer, g_loss, replicas),
                    (d_loss, g_loss, penalty, ran, real_scores, fake_scores))

        d_variables = self.discriminator.trainable_variables
        g_variables = self.generator.trainable_variables
        d_gradients, g_gradients, extras = backend.two_gradients(losses, d_variables, g_variables)
        self._apply(self.d_optimizer, d_gradients, d_variables)
        self._apply(self.g_optimizer, g_gradients, g_variables)
        return extras

    def train_step(self, data):
        # fit() hands us images, or (images, labels); an unconditional GAN ignores the labels.
        real_images = ops.convert_to_tensor(data[0] if isinstance(data, (tuple, list)) else data)
        labels = data[1] if self.conditional and isinstance(data, (tuple, list)) else None
        labels = None if labels is None else ops.convert_to_tensor(labels)
        if self.conditional and labels is None:
            raise ValueError("A conditional GAN trains on (images, labels) batches: build the "
                             "dataset with make_dataset(images, batch_size, labels=labels).")
        batch_size = ops.shape(real_images)[0]  # This replica's share of the global batch.
        replicas = backend.replicas()
        if self.update == "simultaneous":
            d_loss, g_loss, penalty, ran, real_scores, fake_scores = self._simultaneous_step(
                real_images, labels, batch_size, replicas)
        else:
            for _ in range(self.d_steps):
                d_loss, penalty, ran, real_scores, fake_scores = self._discriminator_step(
                    real_images, labels, batch_size, replicas)
            g_loss = self._generator_step(real_images, labels, batch_size, replicas)
        if self.ema is not None:
            self.ema.update(self.generator, batch_size * replicas)
        self._track(d_loss, g_loss, penalty, ran, real_scores, fake_scores)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def _track(self, d_loss, g_loss, penalty, ran, real_scores, fake_scores):
        self.trackers["d_loss"].update_state(d_loss)
        self.trackers["g_loss"].update_state(g_loss)
        if self.objective.probabilistic:
            correct = ops.concatenate([ops.cast(real_scores > 0, "float32"),
                                       ops.cast(fake_scores < 0, "float32")], axis=0)
            self.trackers["d_real"].update_state(ops.mean(probabilities(real_scores)))
            self.trackers["d_fake"].update_state(ops.mean(probabilities(fake_scores)))
            self.trackers["d_accuracy"].update_state(ops.mean(correct))
        else:
            self.trackers["real_score"].update_state(ops.mean(real_scores))
            self.trackers["fake_score"].update_state(ops.mean(fake_scores))
        if self.penalty is not None:
            # The penalty's value per step (not multiplied by the interval), on steps that had one.
            self.trackers["penalty"].update_state(penalty / self.penalty_interval,
                                                  sample_weight=ran)
