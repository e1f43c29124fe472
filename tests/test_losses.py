"""ganlib.losses against values computed by hand with NumPy."""

import numpy as np
import pytest

from ganlib import losses

LOGITS_REAL = np.array([[2.0], [-1.0], [0.5]], dtype="float32")
LOGITS_FAKE = np.array([[-3.0], [0.0], [1.5]], dtype="float32")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype="float64")))


def test_zero_logits_give_log_two():
    zeros = np.zeros((4, 1), "float32")
    assert float(losses.discriminator_loss(zeros, zeros)) == pytest.approx(2 * np.log(2), rel=1e-6)
    assert float(losses.generator_loss_non_saturating(zeros)) == pytest.approx(np.log(2), rel=1e-6)
    assert float(losses.generator_loss_minimax(zeros)) == pytest.approx(-np.log(2), rel=1e-6)


def test_discriminator_loss_by_hand():
    expected = -np.mean(np.log(sigmoid(LOGITS_REAL))) - np.mean(np.log(1 - sigmoid(LOGITS_FAKE)))
    assert float(losses.discriminator_loss(LOGITS_REAL, LOGITS_FAKE)) == pytest.approx(expected, rel=1e-5)


def test_label_smoothing_by_hand():
    label = 0.9
    d_real = sigmoid(LOGITS_REAL)
    expected = (-np.mean(label * np.log(d_real) + (1 - label) * np.log(1 - d_real))
                - np.mean(np.log(1 - sigmoid(LOGITS_FAKE))))
    value = losses.discriminator_loss(LOGITS_REAL, LOGITS_FAKE, label_smoothing=0.1)
    assert float(value) == pytest.approx(expected, rel=1e-5)


def test_generator_losses_by_hand():
    d_fake = sigmoid(LOGITS_FAKE)
    assert float(losses.generator_loss(LOGITS_FAKE)) == pytest.approx(-np.mean(np.log(d_fake)), rel=1e-5)
    assert float(losses.generator_loss(LOGITS_FAKE, "minimax")) == pytest.approx(
        np.mean(np.log(1 - d_fake)), rel=1e-5)


def test_losses_stay_finite_for_confident_discriminators():
    # sigmoid(-200) underflows to 0 in float32, so log(D) would be -inf; the logit form is exact.
    confident = np.array([[-200.0]], "float32")
    assert float(losses.generator_loss_non_saturating(confident)) == pytest.approx(200.0, rel=1e-5)
    assert np.isfinite(float(losses.discriminator_loss(-confident, confident)))


@pytest.mark.parametrize("call, message", [
    (lambda: losses.discriminator_loss(LOGITS_REAL, LOGITS_FAKE, label_smoothing=0.7), "label_smoothing"),
    (lambda: losses.generator_loss(LOGITS_FAKE, "wasserstein"), "Unknown generator loss"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
