"""Worked solutions of 09_stability's exercises, one function per exercise.

They are here for a learner who is stuck and asks on purpose (once registered,
`ganlib.exercises.solution("09", 1)` prints the source); nothing shows them otherwise. Each is
written the way the notebook's text leads to, and each passes its check in
`ganlib.exercises.stability` (`tests/test_exercises_stability.py` makes sure). `SOLUTIONS` maps
a check's name to what solves it, as `ganlib.exercises.solutions.SOLUTIONS` does.
"""

import numpy as np
import tensorflow as tf
from keras import ops

# --- 09_stability ---


def hinge_losses(real_scores, fake_scores):
    """The hinge game's (d_loss, g_loss) from D's raw scores on real and fake images (batch, 1)."""
    # D pays for every real score below +1 and every fake score above -1, by how far it falls
    # short; a score past its margin costs nothing, so D stops pushing it further.
    d_loss = ops.mean(ops.relu(1.0 - real_scores)) + ops.mean(ops.relu(1.0 + fake_scores))
    # G's loss is not clipped: it keeps asking for higher fake scores, however high they are.
    g_loss = -ops.mean(fake_scores)
    return d_loss, g_loss


def r1_penalty(discriminator, images):
    """Half the batch mean of ||d score / d image||^2 at `images` (batch, 28, 28, 1)."""
    with tf.GradientTape() as tape:
        tape.watch(images)  # A tape follows variables by itself; images are a plain tensor.
        scores = discriminator(images, training=True)  # (batch, 1), raw scores
        # Each score depends on its own image only, so the gradient of the SUM holds every
        # image's own gradient (the gradient of the mean would divide them by the batch size).
        total = tf.reduce_sum(scores)
    gradients = tape.gradient(total, images)  # (batch, 28, 28, 1)
    squared_norms = tf.reduce_sum(tf.square(gradients), axis=[1, 2, 3])  # (batch,)
    # Computed from tensors only, so an outer tape (D's training step) can differentiate it
    # again with respect to D's weights.
    return 0.5 * tf.reduce_mean(squared_norms)


def effective_digits(class_histogram):
    """exp(entropy) of the shares of 10 digit counts: 10 when all are equally common, 1 for one
    digit."""
    counts = np.asarray(class_histogram, dtype="float64")
    shares = counts / counts.sum()  # Sums to 1: a distribution over the ten digits.
    used = shares > 0  # 0 log 0 = 0: a digit never drawn adds nothing to the entropy.
    entropy = -np.sum(shares[used] * np.log(shares[used]))  # In nats, so exp undoes the log.
    return float(np.exp(entropy))


SOLUTIONS = {
    "hinge_losses": (hinge_losses,),
    "r1_penalty": (r1_penalty,),
    "effective_digits": (effective_digits,),
}
