"""Checks of the arrays the metrics compute on: features `(n, d)` and softmax rows `(n, 10)`.

Every metric calls these at its boundary, so a wrong array fails with one line that names it
and the fix, before any arithmetic.
"""

import numpy as np

from ganlib.core.arguments import whole_number

NUM_CLASSES = 10  # Digits 0..9.


def check_features(features, name, minimum=2):
    """Return `features` as a finite float64 `(n, d)` array with at least `minimum` rows."""
    features = np.asarray(features)
    if features.ndim != 2 or features.shape[1] == 0:
        raise ValueError(f"{name} have shape {features.shape}; expected (n, d), one row of d "
                         "features per image, e.g. the first output of classifier.classify.")
    if not (np.issubdtype(features.dtype, np.floating) or np.issubdtype(features.dtype, np.integer)):
        raise ValueError(f"{name} are {features.dtype}; expected a numeric array.")
    features = features.astype(np.float64)
    if not np.isfinite(features).all():
        raise ValueError(f"{name} contain NaN or infinite values: check the images they came "
                         "from (a diverged generator draws NaN).")
    if len(features) < minimum:
        raise ValueError(f"{name} have {len(features)} rows; this needs at least {minimum}: "
                         "pass more images.")
    return features


def check_pair(features_a, features_b, names=("features_a", "features_b"), minimum=2):
    features_a = check_features(features_a, names[0], minimum)
    features_b = check_features(features_b, names[1], minimum)
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"{names[0]} have {features_a.shape[1]} features per image but "
                         f"{names[1]} have {features_b.shape[1]}: compute both with the same "
                         "network.")
    return features_a, features_b


def check_count(value, name, minimum=1):
    """A whole number of at least `minimum` (sample sizes, k, subset counts)."""
    return whole_number(name, value, minimum)


def check_probabilities(probabilities):
    """Return `probabilities` as float64 `(n, 10)` rows that are each a distribution."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or probabilities.shape[1] != NUM_CLASSES or len(probabilities) == 0:
        raise ValueError(f"probabilities have shape {probabilities.shape}; expected (n, 10), one "
                         "softmax row per image, e.g. the second output of classifier.classify.")
    if not np.isfinite(probabilities).all() or probabilities.min() < 0 \
            or not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probabilities must be non-negative rows that sum to 1: pass softmax "
                         "outputs, not logits (apply scipy.special.softmax(logits, axis=1)).")
    return probabilities
