"""Worked solutions of 07_classics' exercises, one function per exercise.

They are here for a learner who is stuck and asks on purpose (once registered,
`ganlib.exercises.solution("07", 1)` prints the source); nothing shows them otherwise. Each is
written the way the notebook's text leads to, and each passes its check in
`ganlib.exercises.classics` (`tests/test_exercises_classics.py` makes sure). `SOLUTIONS` maps a
check's name to what solves it, as `ganlib.exercises.solutions.SOLUTIONS` does.
"""

import keras
import numpy as np
import tensorflow as tf

# --- 07_classics ---


def scale_for_sigmoid(images):
    """uint8 pixels (n, 28, 28) -> float32 (n, 28, 28, 1) in [0, 1], for a sigmoid generator."""
    # Divide by 255 (not 256), so that white is exactly 1, the sigmoid's top; the channel axis
    # goes last, where Keras' layers expect it.
    scaled = np.asarray(images).astype("float32") / 255.0  # (n, 28, 28) in [0, 1]
    return scaled[..., np.newaxis]  # (n, 28, 28, 1)


def tutorial_losses(real_logits, fake_logits):
    """The TensorFlow tutorial's (gen_loss, disc_loss) from the discriminator's logits."""
    # from_logits=True: the discriminator ends in Dense(1) without an activation, so its
    # outputs are logits, and the loss applies the sigmoid itself, stably.
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    # The generator wants the discriminator to call its fakes real: label 1.
    gen_loss = cross_entropy(tf.ones_like(fake_logits), fake_logits)
    # The discriminator calls real images real (1) and fakes fake (0), and adds the two means.
    real_loss = cross_entropy(tf.ones_like(real_logits), real_logits)
    fake_loss = cross_entropy(tf.zeros_like(fake_logits), fake_logits)
    return gen_loss, real_loss + fake_loss


def mlp_generator_parameters(latent_dim, units):
    """The parameter count of ganlib's MLP generator with these sizes, as count_params() says."""
    total, inputs = 0, latent_dim
    for width in units:
        total += inputs * width  # Dense(width, use_bias=False): a kernel, no bias.
        total += 4 * width  # BatchNormalization: gamma, beta, moving mean, moving variance.
        inputs = width
    total += inputs * 28 * 28 + 28 * 28  # Dense(784): a kernel and a bias, then a reshape.
    return total


SOLUTIONS = {
    "scale_for_sigmoid": (scale_for_sigmoid,),
    "tutorial_losses": (tutorial_losses,),
    "mlp_generator_parameters": (mlp_generator_parameters,),
}
