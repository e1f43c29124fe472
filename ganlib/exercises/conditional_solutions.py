"""Worked solutions of 10_conditional's exercises, one function per exercise.

They are here for a learner who is stuck and asks on purpose (once registered,
`ganlib.exercises.solution("10", 1)` prints the source); nothing shows them otherwise. Each is
written the way the notebook's text leads to, and each passes its check in
`ganlib.exercises.conditional` (`tests/test_exercises_conditional.py` makes sure). `SOLUTIONS`
maps a check's name to what solves it, as `ganlib.exercises.solutions.SOLUTIONS` does.
"""

import numpy as np

# --- 10_conditional ---


def condition_with_one_hot(noise, labels, num_classes=10):
    """Noise (n, latent_dim) and labels (n,) -> float32 (n, latent_dim + num_classes): the noise,
    then the label as a one-hot vector."""
    # Row `label` of the identity matrix is all 0 but a 1 at the label: a one-hot names a digit
    # without ranking it, where one number would say 7 is nearer 8 than 1. Its size is
    # num_classes, not labels.max() + 1: a batch need not hold the largest digit.
    one_hot = np.eye(num_classes, dtype="float32")[labels]  # (n, num_classes)
    return np.concatenate([noise, one_hot], axis=1)  # (n, latent_dim + num_classes)


def projection_scores(features, labels, weights, bias, class_vectors):
    """The projection discriminator's scores (n,): features . weights + bias +
    class_vectors[labels] . features."""
    unconditional = features @ weights + bias  # (n,): what an unconditional head would say
    vectors = class_vectors[labels]  # (n, d): each image's row, the digit it is said to be
    # Each image's features against its own label's vector only: a row-wise dot product (the
    # diagonal of vectors @ features.T, without computing the rest of that (n, n) matrix).
    projection = np.sum(vectors * features, axis=1)  # (n,)
    return unconditional + projection


def same_noise_grid(noise, num_classes=10):
    """Noise (columns, latent_dim) -> (grid_noise (num_classes * columns, latent_dim),
    grid_labels (num_classes * columns,)): row r asks for digit r, column c uses noise[c]."""
    columns = len(noise)
    # The grid is read row by row, image i in row i // columns and column i % columns. Tiling
    # puts the whole noise batch once in every row, so column c always gets noise[c] ...
    grid_noise = np.tile(noise, (num_classes, 1))  # (num_classes * columns, latent_dim)
    # ... and repeating gives each digit `columns` times in a row: 0, 0, 0, 1, 1, 1, ...
    grid_labels = np.repeat(np.arange(num_classes), columns)  # (num_classes * columns,)
    return grid_noise, grid_labels.astype("int32")  # Integers: they index the label table.


SOLUTIONS = {
    "condition_with_one_hot": (condition_with_one_hot,),
    "projection_scores": (projection_scores,),
    "same_noise_grid": (same_noise_grid,),
}
