"""The checks of 10_conditional's exercises: right answers in several styles pass, each usual wrong
answer fails with its own diagnosis and line, and the notebook's stubs fail without raising.
The checks' references are also held against independent computations here (TensorFlow's
one-hot, a Keras projection head built like `ganlib.models.conditional`'s, ganlib's image grid
and plain loops), which the checks themselves never use."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers, ops

from ganlib.exercises import conditional, conditional_solutions
from ganlib.plotting import grid_array
from test_exercises_report import case_ids, cases, expect_verdict, verdict_of


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


# --- condition_with_one_hot ---------------------------------------------------------------------


def condition_with_one_hot_stub(noise, labels, num_classes=10):
    """Noise (n, latent_dim) and labels (n,) -> float32 (n, latent_dim + num_classes): the noise,
    then the label as a one-hot vector."""
    return None  # Your code here.


def one_hot_with_tensorflow(noise, labels, num_classes=10):
    return tf.concat([noise, tf.one_hot(labels, num_classes)], axis=1)


def one_hot_with_keras_ops(noise, labels, num_classes=10):
    return ops.concatenate([noise, ops.one_hot(labels, num_classes)], axis=-1)


def one_hot_with_loop(noise, labels, num_classes=10):
    count, latent_dim = noise.shape
    inputs = np.zeros((count, latent_dim + num_classes), dtype="float32")
    inputs[:, :latent_dim] = noise
    for row, label in enumerate(labels):
        inputs[row, latent_dim + label] = 1.0
    return inputs


def one_hot_with_to_categorical(noise, labels, num_classes=10):
    return np.hstack([noise, keras.utils.to_categorical(labels, num_classes)])


def one_hot_in_float64(noise, labels, num_classes=10):
    return np.concatenate([noise, np.eye(num_classes)[labels]], axis=1)  # float64: accepted


def with_one_hot(join):
    """An answer `join(noise, one_hot)` built on the right one-hot (NumPy float32)."""
    def answer(noise, labels, num_classes=10):
        return join(noise, np.eye(num_classes, dtype="float32")[labels])
    return answer


SIX = "six noise vectors (6, 4), labels [0, 9, 3, 3, 7, 1]"
ONE = "one noise vector (1, 6), label [4]"
THREE = "num_classes=3, four noise vectors (4, 5), labels [1, 0, 1, 1]"

ONE_HOT_WRONG = [
    (with_one_hot(lambda noise, hot: np.concatenate([hot, noise], axis=1)), "one_hot_first",
     f"{SIX}: the shape is right, but row 0 is not — the one-hot comes first: put the noise "
     "first, then the one-hot"),
    (lambda noise, labels, num_classes=10: np.concatenate([noise, labels[:, None]], axis=1),
     "label_as_number",
     f"{SIX}: returned shape (6, 5) — the label went in as one number, which says 7 is nearer 8 "
     "than 1: append it as a one-hot of num_classes entries"),
    (lambda noise, labels, num_classes=10: np.concatenate(
        [noise, labels[:, None] / num_classes], axis=1), "label_as_number", None),
    (lambda noise, labels, num_classes=10: np.hstack([noise, keras.utils.to_categorical(labels)]),
     "sized_by_largest_label",
     f"{ONE}: returned shape (1, 11) — the one-hot has labels.max() + 1 entries "
     "(to_categorical(labels) counts so): size it by num_classes, whatever this batch holds"),
    (lambda noise, labels, num_classes=10: np.concatenate(
        [noise, np.eye(labels.max() + 1)[labels]], axis=1), "sized_by_largest_label", None),
    (lambda noise, labels, num_classes=10: np.concatenate([noise, np.eye(10)[labels]], axis=1),
     "num_classes_ignored",
     f"{THREE}: returned shape (4, 15) — the one-hot has 10 entries whatever num_classes says: "
     "size it by num_classes"),
    (lambda noise, labels, num_classes=10: noise, "noise_only",
     f"{SIX}: returned shape (6, 4) — that is the noise alone: concatenate the one-hot after it, "
     "along the last axis"),
    (with_one_hot(lambda noise, hot: hot), "one_hot_only",
     f"{SIX}: returned shape (6, 10) — that is the one-hot alone: the noise goes first, then the "
     "one-hot, side by side"),
    (with_one_hot(lambda noise, hot: (noise, hot)), "not_concatenated",
     f"{SIX}: returned a pair — concatenate the noise and the one-hot into one array, side by "
     "side: np.concatenate([...], axis=1)"),
    (with_one_hot(lambda noise, hot: noise + hot), "raised",
     "condition_with_one_hot raised ValueError: operands could not be broadcast together with "
     "shapes (6,4) (6,10) — read the error, then try your code by hand on a small input"),
    (lambda noise, labels, num_classes=10: tf.concat(
        [noise, tf.one_hot(labels, num_classes, on_value=1.0, off_value=-1.0)], axis=1),
     "wrong_one_hot",
     f"{SIX}: the shape is right, but row 0 is not — the noise is right, but what follows is not "
     "the labels' one-hot: row i is all 0 but a 1 at index labels[i]"),
    (with_one_hot(lambda noise, hot: np.concatenate(
        [np.random.default_rng(0).normal(size=noise.shape), hot], axis=1)), "noise_changed",
     f"{SIX}: the shape is right, but row 0 is not — the one-hot is right, but the noise is not "
     "the noise you were given: pass it through unchanged"),
    (with_one_hot(lambda noise, hot: np.concatenate([noise, hot], axis=1)[::-1]), "mismatch",
     f"{SIX}: the shape is right, but row 0 is not — row i: the noise vector as it is, then "
     "num_classes entries, all 0 but a 1 at index labels[i]"),
    (with_one_hot(lambda noise, hot: np.concatenate([noise, hot], axis=1)[:, ::-1]), "mismatch",
     None),
    (lambda noise, labels, num_classes=10: "inputs", "not_numbers",
     f"{SIX} returned str, not an array of numbers — return numbers: a NumPy array, a tensor or "
     "a float"),
    (condition_with_one_hot_stub, "returned_none", f"{SIX} returned None — return the result"),
    (raising_stub, "raised",
     "condition_with_one_hot raised NotImplementedError: Write this function. — read the error, "
     "then try your code by hand on a small input"),
]


def test_the_one_hot_reference_is_tensorflows_one_hot_after_the_noise():
    for _, noise, labels, num_classes in conditional.one_hot_cases():
        expected = tf.concat([noise, tf.one_hot(labels, num_classes or 10)], axis=1)
        np.testing.assert_array_equal(
            conditional.reference_one_hot_input(noise, labels, num_classes or 10), expected)


def test_the_one_hot_cases_hold_what_they_promise():
    (_, _, six, _), _, (_, _, three, classes) = conditional.one_hot_cases()
    assert six.min() == 0 and six.max() == 9  # Both ends of the one-hot are used ...
    assert classes == 3 and three.max() + 1 < classes  # ... and here labels.max() + 1 is short.
    # In every case the wrong shapes differ from one another, so no hint hides another.
    for _, noise, labels, num_classes in conditional.one_hot_cases():
        (count, latent_dim), classes = noise.shape, num_classes or 10
        shapes = [(count, latent_dim + 1), (count, latent_dim + labels.max() + 1),
                  (count, latent_dim + 10), (count, latent_dim), (count, classes)]
        wrong = [shape for shape in shapes if shape != (count, latent_dim + classes)]
        assert len(set(wrong)) == len(wrong)


# --- projection_scores --------------------------------------------------------------------------


def projection_scores_stub(features, labels, weights, bias, class_vectors):
    """The projection discriminator's scores (n,): features . weights + bias +
    class_vectors[labels] . features."""
    return None  # Your code here.


def projection_with_tensorflow(features, labels, weights, bias, class_vectors):
    projection = tf.reduce_sum(tf.gather(class_vectors, labels) * features, axis=1)
    return tf.reduce_sum(features * weights, axis=1) + bias + projection


def projection_with_einsum(features, labels, weights, bias, class_vectors):
    return (np.einsum("nd,d->n", features, weights) + bias
            + np.einsum("nd,nd->n", class_vectors[labels], features))


def projection_with_keras_ops(features, labels, weights, bias, class_vectors):
    # A score for every class, then each image's own, picked by its one-hot label.
    every_class = ops.matmul(features, ops.transpose(class_vectors))  # (n, num_classes)
    own = ops.sum(every_class * ops.one_hot(labels, class_vectors.shape[0]), axis=1)
    return ops.matmul(features, weights) + bias + own


def projection_with_loop(features, labels, weights, bias, class_vectors):
    return [float(np.dot(image, weights) + bias + np.dot(class_vectors[label], image))
            for image, label in zip(features, labels)]


def projection_as_column(features, labels, weights, bias, class_vectors):
    projection = np.sum(class_vectors[labels] * features, axis=1, keepdims=True)
    return features @ weights[:, None] + bias + projection  # (n, 1), like the model's scores


def projection_by_diagonal(features, labels, weights, bias, class_vectors):
    return features @ weights + bias + np.diag(class_vectors[labels] @ features.T)


def unconditional(features, weights, bias):
    return features @ weights + bias


def own_projection(features, labels, class_vectors):
    return np.sum(class_vectors[labels] * features, axis=1)


FIVE = "five images, 4 features, labels [3, 0, 9, 3, 7]"

PROJECTION_WRONG = [
    (lambda f, y, w, b, v: unconditional(f, w, b), "label_ignored",
     f"{FIVE}: got [-0.435, 0.653, 1.1726, -0.5197, 0.3142], expected [-0.7101, 1.3768, -1.9973, "
     "-1.258, 2.4214] — the label is ignored: add class_vectors[labels] . features, the "
     "projection that makes the score depend on the digit asked for"),
    (lambda f, y, w, b, v: f @ w, "label_ignored", None),
    (lambda f, y, w, b, v: own_projection(f, y, v) + b, "unconditional_missing",
     f"{FIVE}: got [-0.0251, 0.9739, -2.9199, -0.4883, 2.3572], expected [-0.7101, 1.3768, "
     "-1.9973, -1.258, 2.4214] — the unconditional term features . weights is missing: the "
     "projection is added to the usual score, not put in its place"),
    (lambda f, y, w, b, v: own_projection(f, y, v), "unconditional_missing", None),
    (lambda f, y, w, b, v: f @ w + own_projection(f, y, v), "no_bias",
     f"{FIVE}: got [-0.9601, 1.1268, -2.2473, -1.508, 2.1714], expected [-0.7101, 1.3768, "
     "-1.9973, -1.258, 2.4214] — the bias is missing: add it, once per image"),
    (lambda f, y, w, b, v: np.sum(f * w + b + v[y] * f, axis=1), "bias_per_feature",
     f"{FIVE}: got [0.0399, 2.1268, -1.2473, -0.508, 3.1714], expected [-0.7101, 1.3768, "
     "-1.9973, -1.258, 2.4214] — the bias was added once per feature: add it once per image, "
     "after the sums"),
    (lambda f, y, w, b, v: unconditional(f, w, b) + v[y] @ f.T, "pairs_matrix",
     f"{FIVE}: returned shape (5, 5) — that pairs every image's class vector with every image's "
     "features; each score needs its own pair only, the diagonal: a row-wise sum of "
     "class_vectors[labels] * features"),
    (lambda f, y, w, b, v: unconditional(f, w, b) + np.sum(v[y] @ f.T, axis=1),
     "every_pair_summed",
     f"{FIVE}: got [-0.5304, 2.428, -0.7615, -0.6151, 4.63], expected [-0.7101, 1.3768, -1.9973, "
     "-1.258, 2.4214] — each score took in every image's features (a sum over an (n, n) "
     "matrix): keep each image with its own label's vector only, the matrix's diagonal"),
    (lambda f, y, w, b, v: unconditional(f, w, b) + np.sum(f @ v[y].T, axis=1),
     "every_pair_summed", None),
    (lambda f, y, w, b, v: unconditional(f, w, b)[:, None] + f @ v.T, "score_per_class",
     f"{FIVE}: returned shape (5, 10) — that is a score for every class; keep each image's own "
     "label's: class_vectors[labels] picks one row per image"),
    (lambda f, y, w, b, v: unconditional(f, w, b) + np.sum(f @ v.T, axis=1), "every_class",
     f"{FIVE}: got [5.7098, -5.3436, -5.7112, -2.2351, -3.9158], expected [-0.7101, 1.3768, "
     "-1.9973, -1.258, 2.4214] — every class's vector is in the score: take only the row of "
     "each image's label, class_vectors[labels]"),
    (lambda f, y, w, b, v: f * w + b + v[y] * f, "not_summed",
     f"{FIVE}: returned shape (5, 4) — those are products, feature by feature: sum them over the "
     "features (axis 1) to make dot products"),
    (lambda f, y, w, b, v: np.mean(unconditional(f, w, b) + own_projection(f, y, v)),
     "reduced_over_batch",
     f"{FIVE}: returned shape () — one score per image: do not reduce over the batch"),
    (lambda f, y, w, b, v: np.mean(f * w, axis=1) + b + np.mean(v[y] * f, axis=1),
     "mean_not_sum",
     f"{FIVE}: got [0.01, 0.5317, -0.3118, -0.127, 0.7929], expected [-0.7101, 1.3768, -1.9973, "
     "-1.258, 2.4214] — a dot product sums the products; a mean divides it by the number of "
     "features"),
    (lambda f, y, w, b, v: unconditional(f, w, b) + np.mean(v[y] * f, axis=1), "mean_not_sum",
     None),
    (lambda f, y, w, b, v: unconditional(f, w, b) - own_projection(f, y, v), "mismatch",
     f"{FIVE}: got [-0.1599, -0.0709, 4.3425, 0.2186, -1.793], expected [-0.7101, 1.3768, "
     "-1.9973, -1.258, 2.4214] — score_i = features_i . weights + bias + class_vectors[labels_i] "
     ". features_i"),
    (lambda f, y, w, b, v: {"scores": f @ w}, "not_numbers", None),
    (projection_scores_stub, "returned_none", f"{FIVE} returned None — return the result"),
    (raising_stub, "raised", None),
]


def keras_projection_head(weights, bias, class_vectors):
    """features (n, d) and labels (n,) -> scores (n, 1), with the layers
    `ganlib.models.conditional.projection_discriminator` puts after its convolutions."""
    num_classes, size = class_vectors.shape
    features = keras.Input((size,))
    labels = keras.Input((), dtype="int32")
    dense, table = layers.Dense(1), layers.Embedding(num_classes, size)
    projection = layers.Dot(axes=1)([table(labels), features])  # (n, 1)
    head = keras.Model([features, labels], layers.Add()([dense(features), projection]))
    dense.set_weights([weights[:, None], np.array([bias], "float32")])
    table.set_weights([class_vectors])
    return head


def test_the_projection_reference_is_a_keras_projection_head():
    for _, features, labels, weights, bias, class_vectors in conditional.projection_cases():
        head = keras_projection_head(weights, bias, class_vectors)
        scores = np.asarray(head([features, labels]))[:, 0]
        np.testing.assert_allclose(conditional.reference_projection_scores(
            features, labels, weights, bias, class_vectors), scores, rtol=1e-5, atol=1e-5)


def test_the_projection_cases_have_distinct_sizes():
    # Otherwise an (n, n), (n, num_classes) and (n, d) answer could not be told apart by shape.
    for _, features, _, _, _, class_vectors in conditional.projection_cases():
        count, size = features.shape
        if count > 1:
            assert len({count, size, len(class_vectors)}) == 3


# --- same_noise_grid ----------------------------------------------------------------------------


def same_noise_grid_stub(noise, num_classes=10):
    """Noise (columns, latent_dim) -> (grid_noise (num_classes * columns, latent_dim),
    grid_labels (num_classes * columns,)): row r asks for digit r, column c uses noise[c]."""
    return None  # Your code here.


def grid_with_loops(noise, num_classes=10):
    grid_noise, grid_labels = [], []
    for digit in range(num_classes):  # One row per digit ...
        for vector in noise:  # ... and one column per noise vector.
            grid_noise.append(vector)
            grid_labels.append(digit)
    return np.array(grid_noise), np.array(grid_labels)


def grid_with_tensorflow(noise, num_classes=10):
    return tf.tile(noise, [num_classes, 1]), tf.repeat(tf.range(num_classes), len(noise))


def grid_with_concatenate(noise, num_classes=10):
    return [np.concatenate([noise] * num_classes), np.arange(num_classes).repeat(len(noise))]


def grid_with_keras_ops(noise, num_classes=10):
    columns, latent_dim = noise.shape
    grid_noise = ops.broadcast_to(noise[None], (num_classes, columns, latent_dim))
    grid_labels = ops.broadcast_to(ops.arange(num_classes)[:, None], (num_classes, columns))
    return ops.reshape(grid_noise, (-1, latent_dim)), ops.reshape(grid_labels, (-1,))


def grid_with(noise_of=None, labels_of=None):
    """The right grid with one part replaced by a mistake `(noise, num_classes) -> part`."""
    def answer(noise, num_classes=10):
        grid_noise, grid_labels = conditional_solutions.same_noise_grid(noise, num_classes)
        return (grid_noise if noise_of is None else noise_of(noise, num_classes),
                grid_labels if labels_of is None else labels_of(noise, num_classes))
    return answer


GRID = "4 columns of noise (4, 3), ten digits"
THREE_DIGITS = "num_classes=3, 5 columns of noise (5, 2)"

GRID_WRONG = [
    (grid_with(noise_of=lambda z, k: np.repeat(z, k, axis=0)), "noise_repeated",
     f"{GRID}: grid_noise[1] should be noise[1] — np.repeat puts the copies of each vector next "
     "to each other; the grid wants the whole noise once per row: np.tile(noise, "
     "(num_classes, 1))"),
    (grid_with(labels_of=lambda z, k: np.tile(np.arange(k), len(z))), "labels_tiled",
     f"{GRID}: grid_labels begins [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1], expected [0, 0, 0, 0, 1, "
     "1, 1, 1, 2, 2, 2, 2] — the digit changes from one image to the next; each row (columns "
     "images) asks for one digit, so image i gets i // columns: np.repeat(np.arange(num_classes), "
     "columns)"),
    (grid_with(labels_of=lambda z, k: np.arange(k * len(z)) % k), "labels_tiled", None),
    (grid_with(noise_of=lambda z, k: np.repeat(z, k, axis=0),
               labels_of=lambda z, k: np.tile(np.arange(k), len(z))), "transposed",
     f"{GRID}: image i is digit i % 10 with noise[i // 10] — that grid is transposed, one column "
     "per digit; it is read row by row, so row r holds digit r and column c noise[c]: tile the "
     "noise, repeat the labels"),
    (grid_with(noise_of=lambda z, k: np.tile(z, (10, 1))), "num_classes_ignored",
     f"{THREE_DIGITS}: grid_noise has shape (50, 2) — the grid has 10 rows whatever num_classes "
     "says: make num_classes rows"),
    (grid_with(labels_of=lambda z, k: np.repeat(np.arange(10), len(z))), "num_classes_ignored",
     f"{THREE_DIGITS}: grid_labels has shape (50,) — the grid has 10 rows whatever num_classes "
     "says: make num_classes rows"),
    (grid_with(labels_of=lambda z, k: np.floor(np.arange(k * len(z)) / len(z))), "labels_dtype",
     f"{GRID}: the labels are right, but dtype float64 — labels index a table (the generator's "
     "Embedding): make them integers, e.g. .astype('int32')"),
    (grid_with(labels_of=lambda z, k: tf.repeat(tf.range(k, dtype=tf.float32), len(z))),
     "labels_dtype", None),
    (grid_with(noise_of=lambda z, k: np.broadcast_to(z, (k, *z.shape))), "not_flattened",
     f"{GRID}: grid_noise has shape (10, 4, 3) — that is a grid of vectors; the generator takes "
     "a batch: reshape it to (num_classes * columns, latent_dim), row after row"),
    (grid_with(noise_of=lambda z, k: z), "noise_not_repeated",
     f"{GRID}: grid_noise has shape (4, 3) — that is the noise as given: the grid uses it once "
     "in every row, num_classes times"),
    (grid_with(labels_of=lambda z, k: np.repeat(np.arange(k)[:, None], len(z), axis=1)),
     "labels_not_flat",
     f"{GRID}: grid_labels has shape (10, 4) — one label per image, in a flat "
     "(num_classes * columns,) array, row after row"),
    (grid_with(labels_of=lambda z, k: np.eye(k)[np.repeat(np.arange(k), len(z))]),
     "one_hot_labels",
     f"{GRID}: grid_labels has shape (40, 10) — grid_labels holds one whole number per image, "
     "the digit, not a one-hot"),
    (grid_with(noise_of=lambda z, k: np.random.default_rng(0).normal(size=(k * len(z), 3))),
     "mismatch",
     f"{GRID}: grid_noise[0] should be noise[0] — copy the noise you were given: image i (row "
     "i // columns, column i % columns) uses noise[i % columns]"),
    (grid_with(labels_of=lambda z, k: np.repeat(np.arange(1, k + 1), len(z))), "mismatch",
     f"{GRID}: grid_labels begins [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], expected [0, 0, 0, 0, 1, "
     "1, 1, 1, 2, 2, 2, 2] — image i sits in row i // columns; row r asks for digit r, from 0"),
    (lambda noise, num_classes=10: conditional_solutions.same_noise_grid(noise, num_classes)[::-1],
     "order",
     f"{GRID}: the first has shape (40,), the second (40, 3) — the two come back in the wrong "
     "order: return (grid_noise, grid_labels)"),
    (lambda noise, num_classes=10: np.tile(noise, (num_classes, 1)), "not_a_pair",
     f"{GRID}: returned ndarray, not a pair — return the pair (grid_noise, grid_labels)"),
    (lambda noise, num_classes=10: (np.tile(noise, (num_classes, 1)), "digits"), "not_numbers",
     f"{GRID}: grid_labels returned str, not an array of numbers — return numbers: a NumPy "
     "array, a tensor or a float"),
    (same_noise_grid_stub, "returned_none", f"{GRID} returned None — return the result"),
    (raising_stub, "raised", None),
]


def grid_by_loops(noise, num_classes):
    """What a learner would draw by hand: (digit, noise index) of every image, row by row."""
    return [(digit, column) for digit in range(num_classes) for column in range(len(noise))]


def test_the_grid_reference_is_what_ganlibs_grid_draws_row_by_row():
    for _, noise, num_classes in conditional.grid_cases():
        columns, classes = len(noise), num_classes or 10
        grid_noise, grid_labels = conditional.reference_grid(noise, classes)
        # Which noise vector each image uses, found by comparing it with the columns' noise.
        used = [int(np.argmin(np.abs(noise - vector).sum(axis=1))) for vector in grid_noise]
        np.testing.assert_array_equal(grid_noise, noise[used])
        assert list(zip(grid_labels.tolist(), used)) == grid_by_loops(noise, classes)
        # Drawn by ganlib's grid, each tile showing 100 + 10 * digit + noise index: row r of the
        # picture holds digit r, and column c noise[c].
        tiles = np.array([np.full((28, 28), 100 + 10 * label + index, "uint8")
                          for label, index in zip(grid_labels, used)])
        picture = grid_array(tiles, columns)
        for row in range(classes):
            for column in range(columns):
                assert picture[2 + 30 * row, 2 + 30 * column] == 100 + 10 * row + column


def test_the_transposed_grid_is_another_grid_unless_there_is_one_column():
    for _, noise, num_classes in conditional.grid_cases():
        right = conditional.reference_grid(noise, num_classes or 10)
        transposed = conditional.reference_grid(noise, num_classes or 10, transposed=True)
        same = np.array_equal(right[0], transposed[0]) and np.array_equal(right[1], transposed[1])
        assert same is (len(noise) == 1)


CASES = (
    cases(conditional.condition_with_one_hot, [
        conditional_solutions.condition_with_one_hot, one_hot_with_tensorflow,
        one_hot_with_keras_ops, one_hot_with_loop, one_hot_with_to_categorical,
        one_hot_in_float64],
        "the noise, then a one-hot of num_classes entries, for ten classes and for three",
        ONE_HOT_WRONG)
    + cases(conditional.projection_scores, [
        conditional_solutions.projection_scores, projection_with_tensorflow,
        projection_with_einsum, projection_with_keras_ops, projection_with_loop,
        projection_as_column, projection_by_diagonal],
        "features . weights + bias + class_vectors[labels] . features, one score per image, for "
        "ten classes and for three", PROJECTION_WRONG)
    + cases(conditional.same_noise_grid, [
        conditional_solutions.same_noise_grid, grid_with_loops, grid_with_tensorflow,
        grid_with_concatenate, grid_with_keras_ops],
        "one row per digit, the same noise down each column: image i is digit i // columns "
        "drawn with noise[i % columns]", GRID_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)


def test_the_worked_solutions_are_registered_and_pass(capsys):
    checks = {"condition_with_one_hot": conditional.condition_with_one_hot,
              "projection_scores": conditional.projection_scores,
              "same_noise_grid": conditional.same_noise_grid}
    assert sorted(conditional_solutions.SOLUTIONS) == sorted(checks)
    for name, answers in conditional_solutions.SOLUTIONS.items():
        assert verdict_of(checks[name], *answers, capsys=capsys)


def test_the_checks_leave_the_learners_arrays_alone(capsys):
    # Each call gets copies, so a function that writes into its inputs cannot change what its
    # answer is compared with, nor a later case.
    def one_hot_in_place(noise, labels, num_classes=10):
        answer = conditional_solutions.condition_with_one_hot(noise, labels, num_classes)
        noise[:], labels[:] = 0.0, 0
        return answer

    def scores_in_place(features, labels, weights, bias, class_vectors):
        answer = conditional_solutions.projection_scores(features, labels, weights, bias,
                                                         class_vectors)
        features[:], class_vectors[:] = 0.0, 0.0
        return answer

    def grid_in_place(noise, num_classes=10):
        answer = conditional_solutions.same_noise_grid(noise, num_classes)
        noise[:] = 0.0
        return answer

    assert verdict_of(conditional.condition_with_one_hot, one_hot_in_place, capsys=capsys)
    assert verdict_of(conditional.projection_scores, scores_in_place, capsys=capsys)
    assert verdict_of(conditional.same_noise_grid, grid_in_place, capsys=capsys)
