"""Checks for 09_stability's exercises: hinge_losses, r1_penalty, effective_digits.

Every expected value is computed here, not by `ganlib.engine`: the hinge losses and their
gradients as NumPy formulas in float64 (no score sits on a kink at +-1); R1 on a tiny Keras MLP
discriminator whose input gradient, and the penalty's gradient with respect to its first kernel
(the penalty is trained through), are written out with the chain rule in NumPy; the effective
number of digits as the exponential of the entropy in nats of the shares, 0 log 0 = 0.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ganlib.exercises.report import (Diagnosis, When, any_of, as_number, call, close, diagnose,
                                     exercise, fail, not_finite, require, returned)

# --- hinge_losses -------------------------------------------------------------------------------

_REAL = np.array([[2.5], [1.4], [0.6], [-0.3], [0.9], [-1.8]], dtype="float32")  # (6, 1)
_FAKE = np.array([[-2.2], [-1.3], [-0.4], [0.5], [1.7], [-0.8]], dtype="float32")  # (6, 1)


def hinge_cases():
    """(name, real_scores, fake_scores): float32 raw scores of D, none at a kink (+-1)."""
    return [("six real and six fake scores (6, 1)", _REAL, _FAKE),
            ("the same scores as shape (6,)", _REAL[:, 0], _FAKE[:, 0]),
            ("a sure discriminator: real scores 3 and 4, fake scores -5 and -2.5",
             np.array([[3.0], [4.0]], "float32"), np.array([[-5.0], [-2.5]], "float32"))]


def reference_hinge(real, fake):
    """(d_loss, g_loss): mean relu(1 - real) + mean relu(1 + fake), and -mean(fake)."""
    real, fake = np.asarray(real, "float64"), np.asarray(fake, "float64")
    d_loss = np.maximum(1.0 - real, 0.0).mean() + np.maximum(1.0 + fake, 0.0).mean()
    return float(d_loss), float(-fake.mean())


def reference_hinge_gradients(real, fake):
    """([dd/dreal, dd/dfake], [dg/dreal, dg/dfake]): each score's share of a batch mean is 1/n
    where its hinge is active and 0 where it is flat; G's loss ignores the real scores."""
    real, fake = np.asarray(real, "float64"), np.asarray(fake, "float64")
    return ([-(real < 1.0).astype("float64") / real.size,
             (fake > -1.0).astype("float64") / fake.size],
            [np.zeros_like(real), np.full_like(fake, -1.0 / fake.size)])


def _hinge_diagnoses(real, fake):
    real, fake = np.asarray(real, "float64"), np.asarray(fake, "float64")
    relu = lambda x: np.maximum(x, 0.0)  # noqa: E731
    real_half, fake_half = relu(1.0 - real).mean(), relu(1.0 + fake).mean()
    return [
        Diagnosis("no_hinge", (1.0 - real).mean() + (1.0 + fake).mean(), "no score is ever "
                  "clipped: a real image already above 1 (or a fake below -1) should cost D 0"),
        Diagnosis("wasserstein", fake.mean() - real.mean(), "that is the Wasserstein critic's "
                  "loss, mean(fake) - mean(real); the hinge clips each score at its margin"),
        Diagnosis("swapped_signs", relu(1.0 + real).mean() + relu(1.0 - fake).mean(), "the "
                  "sides are swapped: real images should score high, fakes low"),
        Diagnosis("no_margin", relu(-real).mean() + relu(fake).mean(), "the margin is "
                  "missing: real scores should pass +1 and fake ones -1, not merely 0"),
        Diagnosis("averaged", (real_half + fake_half) / 2.0,
                  "that is half: the real and the fake halves are added, not averaged"),
        Diagnosis("summed", relu(1.0 - real).sum() + relu(1.0 + fake).sum(),
                  "that is a sum over the batch; take the mean of each half"),
        Diagnosis("real_half_only", real_half, "only the real half: add the fake images' hinge"),
        Diagnosis("fake_half_only", fake_half, "only the fake half: add the real images' hinge"),
    ], [
        Diagnosis("hinged_generator", any_of([relu(1.0 - fake).mean(), relu(-fake).mean()]),
                  "the generator's loss is clipped like D's, so fakes that already score well "
                  "get no push; G's hinge loss is linear in the fake scores"),
        Diagnosis("positive", fake.mean(), "the sign is flipped: G wants its fakes to score high"),
        Diagnosis("non_saturating", np.log1p(np.exp(-fake)).mean(), "that is the "
                  "non-saturating loss, softplus(-fake); hinge's G loss is linear in the scores"),
        Diagnosis("uses_real", real.mean() - fake.mean(),
                  "the real scores crept in: the generator's loss depends on the fakes alone"),
        Diagnosis("summed", -fake.sum(), "that is a sum over the batch; take the mean"),
    ]


def _check_gradients(tape, loss, tensors, expected, name, which, required):
    """Compare `loss`'s gradients; a missing one is zeros, except at the indices `required`."""
    gradients = tape.gradient(loss, tensors) if tf.is_tensor(loss) else [None] * len(tensors)
    require(all(gradients[index] is not None for index in required),
            f"{name}: the values are right, but no gradient flows back from {which} to the "
            "scores", "a training step differentiates these losses: keep every step in "
                      "TensorFlow or keras.ops (NumPy breaks the chain)", "no_gradient")
    got = [np.zeros_like(want) if gradient is None else np.asarray(gradient, "float64")
           for gradient, want in zip(gradients, expected)]
    diagnose(got, expected, [], f"{name}: the value of {which} is right, but its gradient is not",
             "compute the loss from the scores directly", tolerance=1e-4)


@exercise("hinge_losses")
def hinge_losses(function):
    """Check `function(real_scores, fake_scores) -> (d_loss, g_loss)` on D's raw scores
    `(batch, 1)` or `(batch,)`: mean relu(1 - real) + mean relu(1 + fake) and -mean(fake), with
    gradients reaching the scores, also where every hinge is flat."""
    for name, real, fake in hinge_cases():
        tensors = [tf.constant(real), tf.constant(fake)]
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(tensors)
            value = call(function, *tensors, label="hinge_losses")
        returned(value, name)
        require(isinstance(value, (tuple, list)) and len(value) == 2,
                f"{name}: returned {type(value).__name__}, not a pair",
                "return the pair (d_loss, g_loss)", "not_a_pair")
        d_loss = as_number(value[0], f"{name}: d_loss", "take the mean over the batch")
        g_loss = as_number(value[1], f"{name}: g_loss", "take the mean over the batch")
        expected_d, expected_g = reference_hinge(real, fake)
        if close(d_loss, expected_g) and close(g_loss, expected_d) and \
                not close(expected_d, expected_g):
            fail(f"{name}: got d_loss {d_loss:.4f}, g_loss {g_loss:.4f}",
                 "the two losses come back in the wrong order: (d_loss, g_loss)", "order")
        d_mistakes, g_mistakes = _hinge_diagnoses(real, fake)
        diagnose(d_loss, expected_d, d_mistakes,
                 f"{name}: d_loss is {d_loss:.4f}, expected {expected_d:.4f}",
                 "the discriminator pays for each real score below +1 and each fake score "
                 "above -1, by how far it falls short", tolerance=1e-4)
        diagnose(g_loss, expected_g, g_mistakes,
                 f"{name}: g_loss is {g_loss:.4f}, expected {expected_g:.4f}",
                 "the generator wants its fakes' scores as high as possible", tolerance=1e-4)
        d_gradients, g_gradients = reference_hinge_gradients(real, fake)
        _check_gradients(tape, value[0], tensors, d_gradients, name, "d_loss", (0, 1))
        _check_gradients(tape, value[1], tensors, g_gradients, name, "g_loss", (1,))
        del tape
    return ("d_loss = mean relu(1 - real) + mean relu(1 + fake), g_loss = -mean(fake), with "
            "the right gradients, flat where D is sure")


# --- r1_penalty ---------------------------------------------------------------------------------

SLOPE = 0.2  # The tiny discriminator's LeakyReLU slope for negative inputs.


def tiny_discriminator(seed):
    """Images -> raw scores `(batch, 1)`, 16 hidden units, weights N(0, 0.1^2) seeded by `seed`."""
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(16),
                              layers.LeakyReLU(negative_slope=SLOPE), layers.Dense(1)])
    rng = np.random.default_rng(seed)
    for variable in model.trainable_variables:
        variable.assign(rng.normal(0.0, 0.1, variable.shape).astype("float32"))
    return model


def penalty_cases():
    """(name, discriminator seed, images float32 `(batch, 28, 28, 1)` in [-1, 1])."""
    rng = np.random.default_rng(9)
    return [("4 random images, discriminator A", 0,
             rng.uniform(-1.0, 1.0, (4, 28, 28, 1)).astype("float32")),
            ("3 other images, discriminator B", 1,
             rng.uniform(-1.0, 1.0, (3, 28, 28, 1)).astype("float32"))]


def reference_input_gradients(model, images):
    """(scores, d score / d image `(batch, 784)`, c `(batch, 16)`): d score / dx = W1 c."""
    kernel, bias, head, head_bias = [np.asarray(v, "float64") for v in model.trainable_variables]
    x = np.asarray(images, "float64").reshape(len(images), -1)  # (batch, 784)
    hidden = x @ kernel + bias  # (batch, 16), before the LeakyReLU
    slopes = np.where(hidden > 0, 1.0, SLOPE)  # (batch, 16): the LeakyReLU's derivative
    coefficients = slopes * head[:, 0]  # (batch, 16)
    scores = (hidden * slopes) @ head[:, 0] + head_bias[0]  # (batch,)
    return scores, coefficients @ kernel.T, coefficients


def reference_r1(model, images):
    """R1 = mean over the batch of ||d score / d image||^2 / 2, on the raw scores."""
    gradients = reference_input_gradients(model, images)[1]
    return float(0.5 * np.mean(np.sum(gradients ** 2, axis=1)))


def reference_r1_kernel_gradient(model, images):
    """d R1 / d W1 `(784, 16)`: R1 = (1/2B) sum_b ||W1 c_b||^2 with c_b constant almost
    everywhere, so the derivative is (1/B) sum_b g_b c_b^T, g_b the input gradient."""
    _, gradients, coefficients = reference_input_gradients(model, images)
    return gradients.T @ coefficients / len(images)


def _r1_diagnoses(model, images):
    scores, gradients, _ = reference_input_gradients(model, images)
    squared = np.sum(gradients ** 2, axis=1)  # (batch,)
    norms, batch = np.sqrt(squared), len(images)
    sigmoid = 1.0 / (1.0 + np.exp(-scores))
    through_sigmoid = (sigmoid * (1.0 - sigmoid)) ** 2 * squared  # ||d sigmoid(score) / dx||^2
    both = lambda values: any_of([0.5 * np.mean(values), np.mean(values)])  # noqa: E731
    return [
        Diagnosis("not_finite", When(not_finite), "NaN or infinite: R1 needs no root or log"),
        Diagnosis("no_half", np.mean(squared), "twice the expected value: look again at the "
                                               "factor in front of the squared norm"),
        Diagnosis("norm_not_squared", both(norms), "the norm is not squared: R1 uses ||grad||^2"),
        Diagnosis("summed_over_batch", both(squared * batch),
                  "that grows with the batch: average over the images instead of adding them up"),
        Diagnosis("gradient_of_mean", both(squared / batch ** 2), "far too small: the gradient "
                  "of the batch MEAN divides each image's gradient by the batch size; each score "
                  "depends on its own image only, so differentiate the sum of the scores"),
        Diagnosis("pixel_mean", both(squared / 784),
                  "784 times too small: an image's squared norm sums over all its pixels"),
        Diagnosis("gradient_penalty", both((norms - 1.0) ** 2), "that is WGAN-GP's penalty, "
                  "centred at a norm of 1; R1 pulls the gradient at the real images towards 0"),
        Diagnosis("probability", both(through_sigmoid), "that is the gradient of "
                  "sigmoid(score); R1 penalises the raw score's gradient"),
    ]


def _fails_only_unwatched(function, discriminator, images, expected):
    """Whether the function is right on a variable, which a tape follows unasked: then it failed
    on a constant for want of tape.watch."""
    try:
        return close(float(np.asarray(function(discriminator, tf.Variable(images)))), expected)
    except Exception:  # Something else is wrong: not this mistake.
        return False


@exercise("r1_penalty")
def r1_penalty(function):
    """Check `function(discriminator, images) -> scalar tensor`: half the batch mean of
    ||d score / d image||^2 at a constant `(batch, 28, 28, 1)` tensor of images, and its
    gradient with respect to the discriminator's first kernel, against NumPy's chain rule."""
    for name, seed, images in penalty_cases():
        discriminator = tiny_discriminator(seed)
        expected = reference_r1(discriminator, images)
        try:
            with tf.GradientTape() as outer:
                value = function(discriminator, tf.constant(images))
        except Exception:  # Diagnosed below, or run again through `call` for its message.
            if _fails_only_unwatched(function, discriminator, images, expected):
                fail(f"{name}: your code failed on a constant tensor of images",
                     "a tape follows trainable variables by itself, not other tensors: "
                     "tape.watch(images) before the discriminator sees them", "not_watched")
            with tf.GradientTape() as outer:
                value = call(function, discriminator, tf.constant(images), label="r1_penalty")
        got = as_number(returned(value, name), name, "average over the images of the batch")
        diagnose(got, expected, _r1_diagnoses(discriminator, images),
                 f"{name}: got {got:.6g}, expected {expected:.6g}",
                 "R1 is half the batch mean of ||d score / d image||^2 at the given images",
                 tolerance=1e-4)
        kernel = discriminator.trainable_variables[0]
        gradient = outer.gradient(value, kernel) if tf.is_tensor(value) else None
        require(gradient is not None,
                f"{name}: the value is right, but no gradient reaches the discriminator's weights",
                "the penalty is added to D's loss and trained through: keep it in TensorFlow "
                "(a .numpy() or a NumPy step breaks the chain)", "no_gradient")
        diagnose(np.asarray(gradient, "float64"),
                 reference_r1_kernel_gradient(discriminator, images), [],
                 f"{name}: the value is right, but its gradient with respect to the weights is "
                 "not", "compute it from the discriminator's scores on these images, inside "
                        "the tapes", tolerance=1e-6)
    return ("half the batch mean of ||d score / d image||^2, differentiable with respect to "
            "the discriminator's weights")


# --- effective_digits ---------------------------------------------------------------------------

_COLLAPSING = [0, 0, 41, 408, 2, 6, 0, 362, 16, 165]  # Ten counts from a collapsing run.


def histogram_cases():
    """(name, histogram): 10 counts each, as int64 arrays and, last, a Python list."""
    one, two = np.zeros(10, "int64"), np.zeros(10, "int64")
    one[7], two[[1, 8]] = 1000, 500
    return [("[81, 74, 364, 418, 162, 278, 92, 225, 181, 125]",
             np.array([81, 74, 364, 418, 162, 278, 92, 225, 181, 125], "int64")),
            (f"{_COLLAPSING}, three digits never drawn", np.array(_COLLAPSING, "int64")),
            ("100 of each digit", np.full(10, 100, "int64")),
            ("1000 sevens and nothing else", one), ("500 ones and 500 eights", two),
            (f"the list {_COLLAPSING}", list(_COLLAPSING))]


def _shares_and_entropy(histogram):
    """The shares count / total, and their Shannon entropy in nats (0 log 0 = 0)."""
    counts = np.asarray(histogram, "float64")
    shares = counts / counts.sum()
    used = shares[shares > 0]
    return shares, float(-np.sum(used * np.log(used)))


def reference_effective_digits(histogram):
    """exp(entropy of the shares): how many equally common digits would be as varied."""
    return float(np.exp(_shares_and_entropy(histogram)[1]))


def _digits_diagnoses(histogram):
    counts = np.asarray(histogram, "float64")
    shares, entropy = _shares_and_entropy(histogram)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        unnormalised = np.exp(-np.sum(np.where(counts > 0, counts * np.log(counts), 0.0)))
    return [
        Diagnosis("not_finite", When(not_finite), "NaN or infinite: a digit never drawn has "
                  "share 0, and 0 log 0 counts as 0; leave those terms out"),
        Diagnosis("entropy", any_of([entropy, entropy / np.log(2.0)]), "that is the entropy "
                  "itself; exponentiate it, so that k equally common digits give k"),
        Diagnosis("mixed_bases", any_of([np.exp(entropy / np.log(2.0)), 2.0 ** entropy,
                                         np.exp(entropy / np.log(10.0)), 10.0 ** entropy]),
                  "the logarithm and the exponential must have the same base"),
        Diagnosis("unnormalised", unnormalised, "the entropy is of the shares, not the counts"),
        Diagnosis("digits_drawn", float(np.count_nonzero(counts)), "that counts every digit "
                  "drawn at least once, however rarely; weigh each digit by its share"),
        Diagnosis("inverse_simpson", 1.0 / np.sum(shares ** 2), "that is 1 / sum(share^2), "
                  "another effective number (of order 2); this one is exp(entropy)"),
        Diagnosis("class_balance", 10.0 * shares.min(), "that is the class balance, 10 times "
                  "the rarest digit's share; the effective number weighs every digit"),
    ]


@exercise("effective_digits")
def effective_digits(function):
    """Check `function(class_histogram) -> float` on 10 counts (an int array, or a list as
    `evaluate` gives): exp(-sum p log p) over the shares p, 0 log 0 = 0; 10 for equal counts."""
    for name, histogram in histogram_cases():
        argument = list(histogram) if isinstance(histogram, list) else histogram.copy()
        value = as_number(call(function, argument, label="effective_digits"), name,
                          "return one number: the effective number of digits")
        expected = reference_effective_digits(histogram)
        diagnose(value, expected, _digits_diagnoses(histogram),
                 f"{name}: got {value:.4f}, expected {expected:.4f}",
                 "how many equally common digits would have the same entropy as these counts?",
                 tolerance=1e-4)
    return "exp(entropy of the shares): 10 for equal counts, 1 for one digit, 2 for two"
