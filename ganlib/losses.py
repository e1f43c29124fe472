"""GAN losses, written on the discriminator's logits.

With D(x) = sigmoid(logit), binary cross-entropy on logits is

    BCE(label, logit) = -label * log(sigmoid(logit)) - (1 - label) * log(1 - sigmoid(logit))

and `keras.ops.binary_crossentropy(..., from_logits=True)` computes it without ever forming
sigmoid(logit), so it neither overflows nor returns log(0) when the discriminator is sure.

- The discriminator minimises BCE(1, D(x)) + BCE(0, D(G(z))): real images are labelled 1.
- The minimax generator (Goodfellow et al., 2014) minimises log(1 - D(G(z))). Early in
  training D(G(z)) is near 0, where this curve is flat: the generator gets almost no gradient.
- The non-saturating generator minimises -log D(G(z)) = BCE(1, D(G(z))) instead: the same fixed
  point, but steep exactly where the generator is bad. Everyone uses this one.
- One-sided label smoothing (Salimans et al., 2016) labels real images 1 - smoothing (e.g. 0.9),
  so the discriminator is never rewarded for being over-confident about real data.

All functions take logits of shape `(batch, 1)` or `(batch,)` and return a scalar (batch mean).
"""

import keras
from keras import ops

GENERATOR_LOSSES = ("non_saturating", "minimax")


def _bce(labels, logits):
    return ops.mean(ops.binary_crossentropy(labels, logits, from_logits=True))


def discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """BCE with real labelled `1 - label_smoothing` and fake labelled 0, summed over both halves."""
    if not 0.0 <= label_smoothing < 0.5:
        raise ValueError(f"label_smoothing must be in [0, 0.5), e.g. 0.1, not {label_smoothing!r}.")
    real_labels = ops.full_like(real_logits, 1.0 - label_smoothing)
    fake_labels = ops.zeros_like(fake_logits)
    return _bce(real_labels, real_logits) + _bce(fake_labels, fake_logits)


def generator_loss_non_saturating(fake_logits):
    """-log D(G(z)), the mean over the batch: large when the discriminator spots the fakes."""
    return _bce(ops.ones_like(fake_logits), fake_logits)


def generator_loss_minimax(fake_logits):
    """log(1 - D(G(z))), the mean over the batch: the original game's generator objective."""
    return -_bce(ops.zeros_like(fake_logits), fake_logits)


def generator_loss(fake_logits, kind="non_saturating"):
    """The generator loss named `kind`: "non_saturating" (default) or "minimax"."""
    return get_generator_loss(kind)(fake_logits)


def get_generator_loss(kind):
    """Return the generator loss function called `kind`."""
    if kind == "non_saturating":
        return generator_loss_non_saturating
    if kind == "minimax":
        return generator_loss_minimax
    raise ValueError(f"Unknown generator loss {kind!r}: choose one of {', '.join(GENERATOR_LOSSES)}.")


def probabilities(logits):
    """D(x) = sigmoid(logit), in [0, 1]: the discriminator's belief that an image is real."""
    return keras.activations.sigmoid(logits)
