"""An exponential moving average (EMA) of the generator's weights.

A GAN's generator keeps moving: every step answers the discriminator's latest opinion, so the
weights circle round a good solution rather than settling on it. The average of the last few
thousand images' worth of weights sits closer to the centre, and draws visibly cleaner digits
(Karras et al. 2018; Yazici et al. 2019). The average is a second copy of the generator,
updated after every generator step:

    average <- beta * average + (1 - beta) * weights,    beta = 0.5 ** (batch / half_life)

so the weights of `half_life` images ago count half as much as today's. At the start the
half-life ramps up with the images seen (`min(half_life, rampup * images_seen)`, as StyleGAN2-ADA
does), so the average does not drag the random initial weights along for thousands of steps.

Batch-norm statistics (moving mean and variance) are averaged together with the weights, so the
averaged generator normalises with statistics of the same age as its weights.
"""

import keras
from keras import ops

from ganlib.core.arguments import non_negative_number, positive_number


class GeneratorAverage:
    """The averaged copy of `generator`, updated with `update(generator, batch_size)`.

    Args:
        generator: the generator being trained; its copy starts from the same weights.
        half_life: in images, e.g. 10_000.
        rampup: the half-life is at most `rampup` times the images seen so far (0: no ramp-up).
    """

    def __init__(self, generator, half_life, rampup=0.05):
        self.half_life = positive_number("ema_half_life", half_life, "10000")
        self.rampup = non_negative_number("ema_rampup", rampup, "0.05")
        self.generator = keras.models.clone_model(generator)
        for average, variable in zip(self.generator.variables, generator.variables):
            average.assign(variable)
        self.images_seen = keras.Variable(0.0, trainable=False, name="ema_images_seen")

    @property
    def variables(self):
        """What a checkpoint stores: the averaged variables and the image count."""
        return list(self.generator.variables) + [self.images_seen]

    def beta(self, batch_size):
        """The decay for a step of `batch_size` images, after the ramp-up so far."""
        half_life = self.half_life
        if self.rampup > 0:
            half_life = ops.minimum(half_life, ops.maximum(self.images_seen, 1.0) * self.rampup)
        return ops.power(0.5, ops.cast(batch_size, "float32") / half_life)

    def update(self, generator, batch_size):
        """Move the average towards `generator`'s variables after a step of `batch_size` images."""
        self.images_seen.assign_add(ops.cast(batch_size, "float32"))
        beta = self.beta(batch_size)
        for average, variable in zip(self.generator.variables, generator.variables):
            if "float" in str(average.dtype):
                average.assign(beta * average + (1.0 - beta) * ops.cast(variable, average.dtype))
            else:  # Counters and seeds are copied, not averaged.
                average.assign(variable)
