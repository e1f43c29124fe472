"""GAN objectives: each one a pair of losses on the discriminator's raw scores.

An objective says what the discriminator D minimises and what the generator G minimises, both
written on D's raw outputs: `real` = D(x) on real images and `fake` = D(G(z)) on generated ones,
arrays `(batch, 1)` or `(batch,)` of any real numbers (logits, or critic scores). Each loss is a
batch mean; D's loss adds its real and fake halves. `softplus(s) = log(1 + e^s)` is written with
`keras.ops.softplus`, which never forms `sigmoid(s)` and so never takes log(0).

| objective        | D minimises                                   | G minimises               |
|------------------|-----------------------------------------------|---------------------------|
| `non_saturating` | softplus(-real) + softplus(fake)  (BCE)       | softplus(-fake)           |
| `minimax`        | the same                                      | -softplus(fake)           |
| `least_squares`  | (real - 1)^2 / 2 + fake^2 / 2                 | (fake - 1)^2 / 2          |
| `hinge`          | relu(1 - real) + relu(1 + fake)               | -fake                     |
| `wasserstein`    | fake - real  (use with the `gp` penalty)      | -fake                     |
| `relativistic`   | softplus(-(real - fake)), pairs of images     | softplus(-(fake - real))  |

- `non_saturating` (Goodfellow et al., 2014): with D(x) = sigmoid(real), D's loss is binary
  cross-entropy with real images labelled 1 and fakes 0; G minimises -log D(G(z)), which is
  steep exactly where G is bad. `label_smoothing` s labels real images 1 - s (Salimans et al.,
  2016), so D is never rewarded for being over-confident.
- `minimax`: the original game's G, log(1 - D(G(z))) = -softplus(fake). It is flat where D
  spots the fakes easily, so G learns slowly at the start: the lesson of 04_gan.
- `least_squares` (LSGAN, Mao et al., 2017) and `hinge` (Lim & Ye 2017; Miyato et al. 2018)
  penalise scores by their distance from a target instead of by cross-entropy.
- `wasserstein` (Arjovsky et al., 2017): D is a critic whose score difference estimates the
  Wasserstein-1 distance, which needs a 1-Lipschitz critic: the `gp` penalty (Gulrajani et al.).
- `relativistic` (Jolicoeur-Martineau 2019; the pairing loss of R3GAN, Huang et al. 2024):
  D judges whether a real image is more real than a fake one, image i against image i; G's
  loss needs the real scores too (`generator_uses_real`).

Objectives built on a probability (`non_saturating`, `minimax`) report D(x) and D(G(z)) as
probabilities while training; the others report mean scores (`probabilistic`).
"""

from typing import Callable, NamedTuple

import keras
from keras import ops

from ganlib.core.arguments import in_range, one_of


class Objective(NamedTuple):
    """One objective: D's loss and G's loss, both `(real, fake) -> scalar`.

    `real` may be None in G's loss unless `generator_uses_real`.
    """

    name: str
    discriminator_loss: Callable
    generator_loss: Callable
    probabilistic: bool
    generator_uses_real: bool = False


def binary_crossentropy(labels, scores):
    """Mean BCE of `labels` in [0, 1] given scores (logits): labels * softplus(-s) + (1 - labels) * softplus(s)."""
    return ops.mean(labels * ops.softplus(-scores) + (1.0 - labels) * ops.softplus(scores))


def _bce_discriminator(label_smoothing):
    def discriminator_loss(real, fake):
        return binary_crossentropy(1.0 - label_smoothing, real) + ops.mean(ops.softplus(fake))
    return discriminator_loss


def _non_saturating_generator(real, fake):
    return ops.mean(ops.softplus(-fake))


def _minimax_generator(real, fake):
    return -ops.mean(ops.softplus(fake))


def _least_squares_discriminator(real, fake):
    return 0.5 * ops.mean(ops.square(real - 1.0)) + 0.5 * ops.mean(ops.square(fake))


def _least_squares_generator(real, fake):
    return 0.5 * ops.mean(ops.square(fake - 1.0))


def _hinge_discriminator(real, fake):
    return ops.mean(ops.relu(1.0 - real)) + ops.mean(ops.relu(1.0 + fake))


def _wasserstein_discriminator(real, fake):
    return ops.mean(fake) - ops.mean(real)


def _critic_generator(real, fake):
    return -ops.mean(fake)


def _relativistic_discriminator(real, fake):
    return ops.mean(ops.softplus(fake - real))


def _relativistic_generator(real, fake):
    return ops.mean(ops.softplus(real - fake))


# name -> (D's loss builder taking label_smoothing or None, G's loss, probabilistic, G uses real)
_TABLE = {
    "non_saturating": (_bce_discriminator, _non_saturating_generator, True, False),
    "minimax": (_bce_discriminator, _minimax_generator, True, False),
    "least_squares": (_least_squares_discriminator, _least_squares_generator, False, False),
    "hinge": (_hinge_discriminator, _critic_generator, False, False),
    "wasserstein": (_wasserstein_discriminator, _critic_generator, False, False),
    "relativistic": (_relativistic_discriminator, _relativistic_generator, False, True),
}
OBJECTIVES = tuple(_TABLE)


def get_objective(name="non_saturating", label_smoothing=0.0):
    """The `Objective` called `name`; `label_smoothing` in [0, 0.5) for the BCE objectives only."""
    one_of("objective", name, OBJECTIVES)
    label_smoothing = in_range("label_smoothing", label_smoothing, 0.0, 0.5, "0.1")
    discriminator_loss, generator_loss, probabilistic, uses_real = _TABLE[name]
    if discriminator_loss is _bce_discriminator:
        discriminator_loss = _bce_discriminator(label_smoothing)
    elif label_smoothing:
        raise ValueError(f"label_smoothing applies to the cross-entropy objectives (non_saturating, "
                         f"minimax), not to {name}: leave it at 0.")
    return Objective(name, discriminator_loss, generator_loss, probabilistic, uses_real)


def probabilities(scores):
    """D(x) = sigmoid(score), in [0, 1]: the discriminator's belief that an image is real."""
    return keras.activations.sigmoid(scores)
