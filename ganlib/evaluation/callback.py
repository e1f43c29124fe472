"""`FIDCallback`: follow FID-MNIST epoch by epoch while a GAN trains."""

import math

import keras
import numpy as np

from ganlib.core.pixels import to_unit_interval
from ganlib.evaluation import classifier as mnist_classifier
from ganlib.evaluation.distances import feature_statistics, frechet_distance_from_stats
from ganlib.evaluation.features import check_count
from ganlib.evaluation.report import MIN_SAMPLES
from ganlib.models.sampling import draw, generator_labels


class FIDCallback(keras.callbacks.Callback):
    """Log FID-MNIST of a fixed noise sample into `logs["fid"]` during `GAN.fit`.

    The same noise is drawn through the generator every time, so changes in the value come from
    the generator. With n=1000 it costs about a second an epoch on a CPU. The value at n=1000 is
    larger than at the standard n=10,000 (FID is biased at small n): use it to follow a run,
    and `evaluate` for numbers to report. It is logged after the first epoch, every `every`
    epochs, and after the last; a generator that draws NaN logs NaN.

    Args:
        real_images: uint8 `(m, 28, 28)` real images (e.g. the training split), m >= n.
        n: images on each side of the comparison.
        every: compute it every this many epochs.
        seed: seeds the fixed noise and the choice of real images.
    """

    def __init__(self, real_images, n=1000, every=1, seed=0, batch_size=500, weights_path=None):
        super().__init__()
        self.n = check_count(n, "n", MIN_SAMPLES)
        self.every = check_count(every, "every")
        real_inputs = to_unit_interval(real_images, "real_images")
        if len(real_inputs) < self.n:
            raise ValueError(f"FIDCallback needs at least n={self.n} real images, got "
                             f"{len(real_inputs)}: pass more, or a smaller n.")
        self.seed = seed
        self.batch_size = batch_size
        self.weights_path = weights_path
        chosen = np.random.default_rng(seed).choice(len(real_inputs), self.n, replace=False)
        real_features, _ = mnist_classifier.classify(real_inputs[chosen], weights_path)
        # The real side never changes, so its statistics are computed once.
        self.real_statistics = feature_statistics(real_features)
        self.history = []  # (epoch, fid) pairs, epochs counted from 1.

    def on_train_begin(self, logs=None):
        generator = getattr(self.model, "sampling_generator", None)
        if generator is None or not hasattr(self.model, "latent_dim"):
            raise ValueError("FIDCallback needs a model with .sampling_generator and .latent_dim, "
                             "such as ganlib.GAN: pass it to gan.fit(..., callbacks=[...]).")
        self.noise = np.random.default_rng(self.seed).standard_normal(
            (self.n, self.model.latent_dim)).astype("float32")
        self.labels = generator_labels(generator, self.n)  # Every digit equally often, or None.

    def on_epoch_end(self, epoch, logs=None):
        last_epoch = self.params.get("epochs") if self.params else None
        if epoch % self.every != 0 and epoch + 1 != last_epoch:
            return
        fid = self.compute()
        self.history.append((epoch + 1, fid))
        if logs is not None:
            logs["fid"] = fid

    def compute(self):
        """FID-MNIST of the generator's images from the fixed noise, now."""
        images = draw(self.model.sampling_generator, self.noise, self.labels, self.batch_size)
        if not np.isfinite(images).all():
            return math.nan
        # A generator without a squashing output layer may overshoot; training must not stop
        # over a metric, so clip instead of rejecting as `evaluate` would.
        images = np.clip(images, -1.0, 1.0)
        features, _ = mnist_classifier.classify(images, self.weights_path)
        return frechet_distance_from_stats(*feature_statistics(features), *self.real_statistics)
