"""Scores on the classifier's softmax: is each image one clear digit, and are all ten drawn?

- `classifier_score`: the Inception score on the MNIST classifier, exp(E[KL(p(y|x) || p(y))]).
  It is high (at most 10) when each image is clearly one digit and all digits appear.
- `class_histogram` and `class_balance`: how often each digit is drawn; a collapsed GAN misses
  some.
"""

import numpy as np

from ganlib.evaluation.features import NUM_CLASSES, check_probabilities


def classifier_score(probabilities):
    """The Inception score on the MNIST classifier: exp(mean over images of KL(p(y|x) || p(y))).

    Args:
        probabilities: softmax outputs `(n, 10)`.

    Returns:
        A float in [1, 10]: 10 when every image is one digit for certain and the ten digits are
        equally common; 1 when every image gets the same prediction. Computed on all n images
        in one split; like FID it depends on n, so compare at the same n.
    """
    probabilities = check_probabilities(probabilities)
    marginal = probabilities.mean(axis=0)  # p(y), (10,)
    # 0 * log(0) counts as 0; where marginal is 0, every p(y|x) is 0 too.
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probabilities > 0,
                         probabilities * (np.log(probabilities) - np.log(marginal)), 0.0)
    return float(np.exp(terms.sum(axis=1).mean()))


def class_histogram(probabilities):
    """How many images the classifier assigns to each digit: int64 `(10,)`, summing to n."""
    probabilities = check_probabilities(probabilities)
    return np.bincount(probabilities.argmax(axis=1), minlength=NUM_CLASSES).astype(np.int64)


def class_balance(probabilities):
    """The rarest digit's share of the images, times 10: 1.0 when all ten are equally common.

    0 means a digit is never drawn (mode collapse). Real MNIST gives about 0.9, because its
    digits are not quite equally common. (Papers' "coverage", Naeem et al. 2020, is another
    measure, of how many real images have a fake nearby; it is not computed here.)
    """
    histogram = class_histogram(probabilities)
    return float(NUM_CLASSES * histogram.min() / histogram.sum())
