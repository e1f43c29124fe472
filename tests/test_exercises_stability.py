"""The checks of 09_stability's exercises: right answers in several styles pass, each usual wrong
answer fails with its own diagnosis and line, and the notebook's stubs fail without raising.
The checks' references are also held against independent computations here (TensorFlow's
autodiff for the R1 penalty and its gradient, the engine's hinge objective, scipy's entropy),
which the checks themselves never use."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops
from scipy.stats import entropy

from ganlib.engine import objectives, penalties
from ganlib.exercises import stability, stability_solutions
from test_exercises_report import case_ids, cases, expect_verdict, verdict_of


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


# --- hinge_losses -------------------------------------------------------------------------------


def hinge_losses_stub(real_scores, fake_scores):
    """The hinge game's (d_loss, g_loss) from D's raw scores on real and fake images (batch, 1)."""
    return None  # Your code here.


def hinge_with_tensorflow(real_scores, fake_scores):
    d_loss = (tf.reduce_mean(tf.nn.relu(1.0 - real_scores))
              + tf.reduce_mean(tf.nn.relu(1.0 + fake_scores)))
    return d_loss, -tf.reduce_mean(fake_scores)


def hinge_with_maximum(real_scores, fake_scores):
    zero = tf.zeros_like(real_scores)
    real_half = tf.reduce_mean(tf.maximum(zero, 1.0 - real_scores))
    fake_half = tf.reduce_mean(tf.maximum(tf.zeros_like(fake_scores), 1.0 + fake_scores))
    return [real_half + fake_half, tf.reduce_mean(-fake_scores)]  # A list is a pair too.


def hinge_with_keras_losses(real_scores, fake_scores):
    # Keras' hinge loss with labels +1 (real) and -1 (fake): mean(max(1 - y * score, 0)).
    d_loss = (ops.mean(keras.losses.hinge(ops.ones_like(real_scores), real_scores))
              + ops.mean(keras.losses.hinge(-ops.ones_like(fake_scores), fake_scores)))
    return d_loss, -ops.mean(fake_scores)


def hinge_with(d_loss=None, g_loss=None):
    """The right hinge pair with one half replaced by a mistake `(real, fake) -> loss`."""
    def answer(real_scores, fake_scores):
        right_d, right_g = stability_solutions.hinge_losses(real_scores, fake_scores)
        return (right_d if d_loss is None else d_loss(real_scores, fake_scores),
                right_g if g_loss is None else g_loss(real_scores, fake_scores))
    return answer


def relu_mean(x):
    return ops.mean(ops.relu(x))


def numpy_hinge(real_scores, fake_scores):
    real, fake = np.asarray(real_scores), np.asarray(fake_scores)
    return (np.mean(np.maximum(0.0, 1.0 - real)) + np.mean(np.maximum(0.0, 1.0 + fake)),
            -np.mean(fake))


FIRST = "six real and six fake scores (6, 1)"

HINGE_LOSSES_WRONG = [
    (hinge_with(d_loss=lambda r, f: ops.mean(1.0 - r) + ops.mean(1.0 + f)), "no_hinge",
     f"{FIRST}: d_loss is 1.0333, expected 1.6000 — no score is ever clipped: a real image "
     "already above 1 (or a fake below -1) should cost D 0"),
    (hinge_with(d_loss=lambda r, f: ops.mean(f) - ops.mean(r)), "wasserstein",
     f"{FIRST}: d_loss is -0.9667, expected 1.6000 — that is the Wasserstein critic's loss, "
     "mean(fake) - mean(real); the hinge clips each score at its margin"),
    (hinge_with(d_loss=lambda r, f: relu_mean(1.0 + r) + relu_mean(1.0 - f)), "swapped_signs",
     f"{FIRST}: d_loss is 3.2167, expected 1.6000 — the sides are swapped: real images should "
     "score high, fakes low"),
    (hinge_with(d_loss=lambda r, f: relu_mean(-r) + relu_mean(f)), "no_margin",
     f"{FIRST}: d_loss is 0.7167, expected 1.6000 — the margin is missing: real scores should "
     "pass +1 and fake ones -1, not merely 0"),
    (hinge_with(d_loss=lambda r, f: (relu_mean(1.0 - r) + relu_mean(1.0 + f)) / 2.0),
     "averaged",
     f"{FIRST}: d_loss is 0.8000, expected 1.6000 — that is half: the real and the fake halves "
     "are added, not averaged"),
    (hinge_with(d_loss=lambda r, f: ops.sum(ops.relu(1.0 - r)) + ops.sum(ops.relu(1.0 + f))),
     "summed",
     f"{FIRST}: d_loss is 9.6000, expected 1.6000 — that is a sum over the batch; take the mean "
     "of each half"),
    (hinge_with(d_loss=lambda r, f: relu_mean(1.0 - r)), "real_half_only",
     f"{FIRST}: d_loss is 0.7667, expected 1.6000 — only the real half: add the fake images' "
     "hinge"),
    (hinge_with(d_loss=lambda r, f: relu_mean(1.0 + f)), "fake_half_only", None),
    (hinge_with(d_loss=lambda r, f: relu_mean(2.0 - r) + relu_mean(2.0 + f)), "mismatch",
     f"{FIRST}: d_loss is 3.1500, expected 1.6000 — the discriminator pays for each real score "
     "below +1 and each fake score above -1, by how far it falls short"),
    (hinge_with(g_loss=lambda r, f: relu_mean(1.0 - f)), "hinged_generator",
     f"{FIRST}: g_loss is 1.5333, expected 0.4167 — the generator's loss is clipped like D's, so "
     "fakes that already score well get no push; G's hinge loss is linear in the fake scores"),
    (hinge_with(g_loss=lambda r, f: ops.mean(f)), "positive",
     f"{FIRST}: g_loss is -0.4167, expected 0.4167 — the sign is flipped: G wants its fakes to "
     "score high"),
    (hinge_with(g_loss=lambda r, f: ops.mean(ops.softplus(-f))), "non_saturating",
     f"{FIRST}: g_loss is 1.0953, expected 0.4167 — that is the non-saturating loss, "
     "softplus(-fake); hinge's G loss is linear in the scores"),
    (hinge_with(g_loss=lambda r, f: ops.mean(r) - ops.mean(f)), "uses_real",
     f"{FIRST}: g_loss is 0.9667, expected 0.4167 — the real scores crept in: the generator's "
     "loss depends on the fakes alone"),
    (hinge_with(g_loss=lambda r, f: -ops.sum(f)), "summed",
     f"{FIRST}: g_loss is 2.5000, expected 0.4167 — that is a sum over the batch; take the mean"),
    (hinge_with(g_loss=lambda r, f: 1.0 - ops.mean(f)), "mismatch",
     f"{FIRST}: g_loss is 1.4167, expected 0.4167 — the generator wants its fakes' scores as "
     "high as possible"),
    (lambda r, f: stability_solutions.hinge_losses(r, f)[::-1], "order",
     f"{FIRST}: got d_loss 0.4167, g_loss 1.6000 — the two losses come back in the wrong order: "
     "(d_loss, g_loss)"),
    (numpy_hinge, "no_gradient",
     f"{FIRST}: the values are right, but no gradient flows back from d_loss to the scores — a "
     "training step differentiates these losses: keep every step in TensorFlow or keras.ops "
     "(NumPy breaks the chain)"),
    (hinge_with(g_loss=lambda r, f: -ops.mean(tf.stop_gradient(f))), "no_gradient",
     f"{FIRST}: the values are right, but no gradient flows back from g_loss to the scores — a "
     "training step differentiates these losses: keep every step in TensorFlow or keras.ops "
     "(NumPy breaks the chain)"),
    (hinge_with(g_loss=lambda r, f: -2.0 * ops.mean(f) + tf.stop_gradient(ops.mean(f))),
     "mismatch",
     f"{FIRST}: the value of g_loss is right, but its gradient is not — compute the loss from "
     "the scores directly"),
    (lambda r, f: stability_solutions.hinge_losses(r, f)[0], "not_a_pair",
     f"{FIRST}: returned EagerTensor, not a pair — return the pair (d_loss, g_loss)"),
    (lambda r, f: (ops.relu(1.0 - r) + ops.relu(1.0 + f), -f), "not_one_number",
     f"{FIRST}: d_loss returned shape (6, 1), not one number — take the mean over the batch"),
    (lambda r, f: ("d", "g"), "not_numbers", None),
    (hinge_losses_stub, "returned_none",
     f"{FIRST} returned None — return the result"),
    (raising_stub, "raised",
     "hinge_losses raised NotImplementedError: Write this function. — read the error, then try "
     "your code by hand on a small input"),
]


def test_the_hinge_reference_is_the_engines_hinge_objective():
    hinge = objectives.get_objective("hinge")
    for _, real, fake in stability.hinge_cases():
        d_loss, g_loss = stability.reference_hinge(real, fake)
        assert np.isclose(d_loss, float(hinge.discriminator_loss(real, fake)), atol=1e-6)
        assert np.isclose(g_loss, float(hinge.generator_loss(real, fake)), atol=1e-6)
        assert np.all(np.abs(np.abs(np.concatenate([real, fake])) - 1.0) > 0.05)  # No kinks.
        tensors = [tf.constant(real), tf.constant(fake)]
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(tensors)
            d_tensor = hinge.discriminator_loss(*tensors)
            g_tensor = hinge.generator_loss(*tensors)
        d_gradients, g_gradients = stability.reference_hinge_gradients(real, fake)
        for got, want in zip(tape.gradient(d_tensor, tensors), d_gradients):
            assert np.allclose(got, want)
        assert tape.gradient(g_tensor, tensors[0]) is None
        assert np.allclose(tape.gradient(g_tensor, tensors[1]), g_gradients[1])


# --- r1_penalty ---------------------------------------------------------------------------------


def r1_penalty_stub(discriminator, images):
    """Half the batch mean of ||d score / d image||^2 at `images` (batch, 28, 28, 1)."""
    return None  # Your code here.


def r1_with_batch_jacobian(discriminator, images):
    with tf.GradientTape() as tape:
        tape.watch(images)
        scores = discriminator(images)  # (batch, 1)
    jacobian = tape.batch_jacobian(scores, images)  # (batch, 1, 28, 28, 1): one row per image
    return 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(jacobian), axis=[1, 2, 3, 4]))


def r1_with_norm(discriminator, images):
    with tf.GradientTape() as tape:
        tape.watch(images)
        scores = discriminator(images, training=True)
    gradients = tape.gradient(scores, images)  # A non-scalar target: the gradient of its sum.
    norms = tf.norm(tf.reshape(gradients, (tf.shape(gradients)[0], -1)), axis=1)  # (batch,)
    return tf.reduce_mean(norms ** 2) / 2.0


def r1_with_keras_ops(discriminator, images):
    with tf.GradientTape() as tape:
        tape.watch(images)
        total = ops.sum(discriminator(images))
    gradients = ops.reshape(tape.gradient(total, images), (images.shape[0], -1))
    return 0.5 * ops.mean(ops.sum(gradients * gradients, axis=1))


def r1_with(score=lambda d, x: d(x), target=tf.reduce_sum, squared_norm=None, finish=None):
    """R1 with one of the usual mistakes switched on."""
    def answer(discriminator, images):
        with tf.GradientTape() as tape:
            tape.watch(images)
            total = target(score(discriminator, images))
        gradients = tape.gradient(total, images)
        squared = (tf.reduce_sum(tf.square(gradients), axis=[1, 2, 3]) if squared_norm is None
                   else squared_norm(gradients))  # (batch,)
        return 0.5 * tf.reduce_mean(squared) if finish is None else finish(squared)
    return answer


def r1_without_watch(discriminator, images):
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(discriminator(images))
    gradients = tape.gradient(total, images)  # None: the tape never watched the images.
    return 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(gradients), axis=[1, 2, 3]))


def r1_in_numpy(discriminator, images):
    return float(stability_solutions.r1_penalty(discriminator, images).numpy())


PENALTY = "4 random images, discriminator A"

R1_PENALTY_WRONG = [
    (r1_with(finish=lambda squared: tf.reduce_mean(squared)), "no_half",
     f"{PENALTY}: got 0.392311, expected 0.196155 — twice the expected value: look again at the "
     "factor in front of the squared norm"),
    (r1_with(finish=lambda squared: 0.5 * tf.reduce_mean(tf.sqrt(squared))), "norm_not_squared",
     f"{PENALTY}: got 0.307465, expected 0.196155 — the norm is not squared: R1 uses "
     "||grad||^2"),
    (r1_with(finish=lambda squared: 0.5 * tf.reduce_sum(squared)), "summed_over_batch",
     f"{PENALTY}: got 0.784622, expected 0.196155 — that grows with the batch: average over the "
     "images instead of adding them up"),
    (r1_with(target=tf.reduce_mean), "gradient_of_mean",
     f"{PENALTY}: got 0.0122597, expected 0.196155 — far too small: the gradient of the batch "
     "MEAN divides each image's gradient by the batch size; each score depends on its own image "
     "only, so differentiate the sum of the scores"),
    (r1_with(squared_norm=lambda g: tf.reduce_mean(tf.square(g), axis=[1, 2, 3])), "pixel_mean",
     f"{PENALTY}: got 0.000250198, expected 0.196155 — 784 times too small: an image's squared "
     "norm sums over all its pixels"),
    (r1_with(finish=lambda squared: tf.reduce_mean((tf.sqrt(squared) - 1.0) ** 2)),
     "gradient_penalty",
     f"{PENALTY}: got 0.162451, expected 0.196155 — that is WGAN-GP's penalty, centred at a norm "
     "of 1; R1 pulls the gradient at the real images towards 0"),
    (r1_with(score=lambda d, x: tf.sigmoid(d(x))), "probability",
     f"{PENALTY}: got 0.01074, expected 0.196155 — that is the gradient of sigmoid(score); R1 "
     "penalises the raw score's gradient"),
    (r1_without_watch, "not_watched",
     f"{PENALTY}: your code failed on a constant tensor of images — a tape follows trainable "
     "variables by itself, not other tensors: tape.watch(images) before the discriminator sees "
     "them"),
    (r1_in_numpy, "no_gradient",
     f"{PENALTY}: the value is right, but no gradient reaches the discriminator's weights — the "
     "penalty is added to D's loss and trained through: keep it in TensorFlow (a .numpy() or a "
     "NumPy step breaks the chain)"),
    (lambda d, x: 2.0 * stability_solutions.r1_penalty(d, x)
     - tf.stop_gradient(stability_solutions.r1_penalty(d, x)), "mismatch",
     f"{PENALTY}: the value is right, but its gradient with respect to the weights is not — "
     "compute it from the discriminator's scores on these images, inside the tapes"),
    (r1_with(finish=lambda squared: 0.25 * tf.reduce_mean(squared)), "mismatch",
     f"{PENALTY}: got 0.0980777, expected 0.196155 — R1 is half the batch mean of "
     "||d score / d image||^2 at the given images"),
    (r1_with(finish=lambda squared: 0.5 * squared), "not_one_number",
     f"{PENALTY} returned shape (4,), not one number — average over the images of the batch"),
    (r1_with(finish=lambda squared: tf.reduce_mean(tf.math.log(squared - squared))), "not_finite",
     f"{PENALTY}: got -inf, expected 0.196155 — NaN or infinite: R1 needs no root or log"),
    (r1_penalty_stub, "returned_none", f"{PENALTY} returned None — return the result"),
    (raising_stub, "raised", None),
]


def test_the_r1_references_are_tensorflows_autodiff():
    for _, seed, images in stability.penalty_cases():
        discriminator = stability.tiny_discriminator(seed)
        kernel = discriminator.trainable_variables[0]
        tensor = tf.constant(images)
        with tf.GradientTape() as outer:
            # The engine's own R1, on the raw scores of the same discriminator.
            value = penalties.r1(lambda x: discriminator(x, training=True), tensor, tensor, None)
        assert np.isclose(float(value), stability.reference_r1(discriminator, images), rtol=1e-5)
        assert np.allclose(outer.gradient(value, kernel),
                           stability.reference_r1_kernel_gradient(discriminator, images),
                           rtol=1e-4, atol=1e-8)
        # No pre-activation sits so near the LeakyReLU's kink that float32 could flip its side.
        flat = images.reshape(len(images), -1).astype("float64")
        weights = [np.asarray(v, "float64") for v in discriminator.trainable_variables]
        assert np.abs(flat @ weights[0] + weights[1]).min() > 1e-4


def test_the_r1_check_keeps_the_learners_images_a_constant(capsys):
    seen = []

    def spy(discriminator, images):
        seen.append(isinstance(images, tf.Variable))
        return stability_solutions.r1_penalty(discriminator, images)

    assert verdict_of(stability.r1_penalty, spy, capsys=capsys)
    assert seen and not any(seen)


# --- effective_digits ---------------------------------------------------------------------------


def effective_digits_stub(class_histogram):
    """exp(entropy of the shares of 10 digit counts): 10 if all are equally common, 1 for one."""
    return None  # Your code here.


def effective_digits_scipy(class_histogram):
    return float(np.exp(entropy(class_histogram)))  # scipy normalises, and skips 0 log 0.


def effective_digits_bits(class_histogram):
    counts = np.asarray(class_histogram, dtype="float64")
    shares = counts[counts > 0] / counts.sum()
    return 2.0 ** -np.sum(shares * np.log2(shares))  # Base 2 both ways: the same number.


def effective_digits_product(class_histogram):
    shares = np.asarray(class_histogram) / np.sum(class_histogram)
    return np.prod(shares ** -shares)  # exp(-sum p log p) = prod p^-p, and 0^0 = 1.


def effective_digits_loop(class_histogram):
    total = sum(class_histogram)
    entropy_nats = -sum(count / total * math.log(count / total) for count in class_histogram
                        if count > 0)
    return math.exp(entropy_nats)


def digits_with(measure):
    """A function of the shares (NumPy float64, zeros kept) standing in for a learner's answer."""
    def answer(class_histogram):
        counts = np.asarray(class_histogram, dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            return measure(counts / counts.sum(), counts)
    return answer


def plain_entropy(shares):
    used = shares[shares > 0]
    return -np.sum(used * np.log(used))


HISTOGRAM = "[81, 74, 364, 418, 162, 278, 92, 225, 181, 125]"
ZEROS = "[0, 0, 41, 408, 2, 6, 0, 362, 16, 165], three digits never drawn"

EFFECTIVE_DIGITS_WRONG = [
    (digits_with(lambda p, c: plain_entropy(p)), "entropy",
     f"{HISTOGRAM}: got 2.1451, expected 8.5429 — that is the entropy itself; exponentiate it, "
     "so that k equally common digits give k"),
    (lambda h: entropy(h, base=2), "entropy", None),
    (lambda h: np.exp(entropy(h, base=2)), "mixed_bases",
     f"{HISTOGRAM}: got 22.0811, expected 8.5429 — the logarithm and the exponential must have "
     "the same base"),
    (digits_with(lambda p, c: 10.0 ** plain_entropy(p)), "mixed_bases", None),
    (digits_with(lambda p, c: np.exp(-np.sum(c * np.log(c)))), "unnormalised",
     f"{HISTOGRAM}: got 0.0000, expected 8.5429 — the entropy is of the shares, not the counts"),
    (digits_with(lambda p, c: np.exp(-np.sum(p * np.log(p)))), "not_finite",
     f"{ZEROS}: got nan, expected 3.5649 — NaN or infinite: a digit never drawn has share 0, and "
     "0 log 0 counts as 0; leave those terms out"),
    (digits_with(lambda p, c: np.count_nonzero(c)), "digits_drawn",
     f"{HISTOGRAM}: got 10.0000, expected 8.5429 — that counts every digit drawn at least once, "
     "however rarely; weigh each digit by its share"),
    (digits_with(lambda p, c: 1.0 / np.sum(p ** 2)), "inverse_simpson",
     f"{HISTOGRAM}: got 7.5435, expected 8.5429 — that is 1 / sum(share^2), another effective "
     "number (of order 2); this one is exp(entropy)"),
    (digits_with(lambda p, c: 10.0 * p.min()), "class_balance",
     f"{HISTOGRAM}: got 0.3700, expected 8.5429 — that is the class balance, 10 times the rarest "
     "digit's share; the effective number weighs every digit"),
    (digits_with(lambda p, c: np.exp(plain_entropy(p)) + 1.0), "mismatch",
     f"{HISTOGRAM}: got 9.5429, expected 8.5429 — how many equally common digits would have the "
     "same entropy as these counts?"),
    (lambda h: h / h.sum(), "not_one_number",
     f"{HISTOGRAM} returned shape (10,), not one number — return one number: the effective "
     "number of digits"),
    (lambda h: float(np.exp(entropy(h / h.sum()))), "raised",
     "effective_digits raised AttributeError: 'list' object has no attribute 'sum' — read the "
     "error, then try your code by hand on a small input"),
    (effective_digits_stub, "returned_none", f"{HISTOGRAM} returned None — return the result"),
    (raising_stub, "raised", None),
]


def test_the_effective_digits_reference_is_scipys_exponentiated_entropy():
    for _, histogram in stability.histogram_cases():
        assert np.isclose(stability.reference_effective_digits(histogram),
                          np.exp(entropy(histogram)))
    expected = {"100 of each digit": 10.0, "1000 sevens and nothing else": 1.0,
                "500 ones and 500 eights": 2.0}
    for name, histogram in stability.histogram_cases():
        if name in expected:
            assert np.isclose(stability.reference_effective_digits(histogram), expected[name])


CASES = (
    cases(stability.hinge_losses, [
        stability_solutions.hinge_losses, hinge_with_tensorflow, hinge_with_maximum,
        hinge_with_keras_losses],
        "d_loss = mean relu(1 - real) + mean relu(1 + fake), g_loss = -mean(fake), with the "
        "right gradients, flat where D is sure", HINGE_LOSSES_WRONG)
    + cases(stability.r1_penalty, [
        stability_solutions.r1_penalty, r1_with_batch_jacobian, r1_with_norm, r1_with_keras_ops],
        "half the batch mean of ||d score / d image||^2, differentiable with respect to the "
        "discriminator's weights", R1_PENALTY_WRONG)
    + cases(stability.effective_digits, [
        stability_solutions.effective_digits, effective_digits_scipy, effective_digits_bits,
        effective_digits_product, effective_digits_loop],
        "exp(entropy of the shares): 10 for equal counts, 1 for one digit, 2 for two",
        EFFECTIVE_DIGITS_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)


def test_the_checks_leave_the_learners_histograms_alone(capsys):
    # Each call gets a copy, so a function that writes into its input cannot change a later case.
    def in_place(class_histogram):
        answer = stability_solutions.effective_digits(class_histogram)
        if isinstance(class_histogram, np.ndarray):
            class_histogram[:] = 0
        return answer

    assert verdict_of(stability.effective_digits, in_place, capsys=capsys)
    assert stability.histogram_cases()[0][1].sum() > 0
