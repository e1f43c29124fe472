"""ganlib.engine.objectives: every objective against its formula, written here in NumPy."""

import re

import numpy as np
import pytest

from ganlib.engine import objectives

REAL = np.array([[2.0], [-1.0], [0.5], [3.5]], dtype="float32")
FAKE = np.array([[-3.0], [0.0], [1.5], [-0.25]], dtype="float32")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype="float64")))


def log_sigmoid(x):
    return np.log(sigmoid(x))


# name -> (D's loss, G's loss) as the papers write them, in float64 on the probabilities.
REFERENCES = {
    "non_saturating": (lambda r, f: -np.mean(log_sigmoid(r)) - np.mean(np.log(1 - sigmoid(f))),
                       lambda r, f: -np.mean(log_sigmoid(f))),
    "minimax": (lambda r, f: -np.mean(log_sigmoid(r)) - np.mean(np.log(1 - sigmoid(f))),
                lambda r, f: np.mean(np.log(1 - sigmoid(f)))),
    "least_squares": (lambda r, f: 0.5 * np.mean((r - 1) ** 2) + 0.5 * np.mean(f ** 2),
                      lambda r, f: 0.5 * np.mean((f - 1) ** 2)),
    "hinge": (lambda r, f: np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f)),
              lambda r, f: -np.mean(f)),
    "wasserstein": (lambda r, f: np.mean(f) - np.mean(r), lambda r, f: -np.mean(f)),
    "relativistic": (lambda r, f: -np.mean(log_sigmoid(r - f)),
                     lambda r, f: -np.mean(log_sigmoid(f - r))),
}


def test_every_objective_has_a_reference_here():
    assert set(REFERENCES) == set(objectives.OBJECTIVES)


@pytest.mark.parametrize("name", list(REFERENCES))
@pytest.mark.parametrize("shape", [(4, 1), (4,)], ids=["(batch, 1)", "(batch,)"])
def test_losses_match_the_formula(name, shape):
    objective = objectives.get_objective(name)
    real, fake = REAL.reshape(shape), FAKE.reshape(shape)
    d_reference, g_reference = REFERENCES[name]
    expected_d = d_reference(real.astype("float64"), fake.astype("float64"))
    expected_g = g_reference(real.astype("float64"), fake.astype("float64"))
    assert float(objective.discriminator_loss(real, fake)) == pytest.approx(expected_d, rel=1e-5)
    real_for_g = real if objective.generator_uses_real else None
    assert float(objective.generator_loss(real_for_g, fake)) == pytest.approx(expected_g, rel=1e-5)


def test_only_the_relativistic_generator_reads_real_scores():
    for name in objectives.OBJECTIVES:
        objective = objectives.get_objective(name)
        assert objective.generator_uses_real == (name == "relativistic")
        if name != "relativistic":
            objective.generator_loss(None, FAKE)  # Must not touch the real scores.
    # And the relativistic one really depends on them.
    relativistic = objectives.get_objective("relativistic")
    assert float(relativistic.generator_loss(REAL, FAKE)) != pytest.approx(
        float(relativistic.generator_loss(REAL + 1.0, FAKE)))


def test_probabilistic_means_built_on_sigmoid():
    probabilistic = {name for name in objectives.OBJECTIVES
                     if objectives.get_objective(name).probabilistic}
    assert probabilistic == {"non_saturating", "minimax"}


def test_zero_scores_give_log_two():
    zeros = np.zeros((4, 1), "float32")
    non_saturating = objectives.get_objective("non_saturating")
    assert float(non_saturating.discriminator_loss(zeros, zeros)) == pytest.approx(2 * np.log(2))
    assert float(non_saturating.generator_loss(None, zeros)) == pytest.approx(np.log(2))
    assert float(objectives.get_objective("minimax").generator_loss(None, zeros)) == \
        pytest.approx(-np.log(2))


def test_label_smoothing_labels_real_images_one_minus_s():
    label = 0.9
    d_real = sigmoid(REAL)
    expected = (-np.mean(label * np.log(d_real) + (1 - label) * np.log(1 - d_real))
                - np.mean(np.log(1 - sigmoid(FAKE))))
    smoothed = objectives.get_objective("non_saturating", label_smoothing=0.1)
    assert float(smoothed.discriminator_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-5)
    # The generator's loss does not change with smoothing (it is one-sided, on D's real labels).
    assert float(smoothed.generator_loss(None, FAKE)) == pytest.approx(
        float(objectives.get_objective("non_saturating").generator_loss(None, FAKE)))


@pytest.mark.parametrize("name", list(REFERENCES))
def test_losses_stay_finite_for_sure_discriminators(name):
    objective = objectives.get_objective(name)
    sure = np.array([[200.0], [-200.0]], dtype="float32")
    for real, fake in ((sure, -sure), (-sure, sure)):
        assert np.isfinite(float(objective.discriminator_loss(real, fake)))
        assert np.isfinite(float(objective.generator_loss(real, fake)))
    # Wrong by 200 in logits costs about 200 nats, not infinity.
    bce = objectives.get_objective("non_saturating")
    assert float(bce.generator_loss(None, np.array([[-200.0]], "float32"))) == pytest.approx(200.0)


def test_probabilities_are_the_sigmoid():
    np.testing.assert_allclose(np.asarray(objectives.probabilities(REAL)), sigmoid(REAL), rtol=1e-6)


@pytest.mark.parametrize("call, message", [
    (lambda: objectives.get_objective("wgan"), "Unknown objective 'wgan'"),
    (lambda: objectives.get_objective("non_saturating", label_smoothing=0.5),
     "label_smoothing must be in [0.0, 0.5)"),
    (lambda: objectives.get_objective("hinge", label_smoothing=0.1),
     "label_smoothing applies to the cross-entropy objectives"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
