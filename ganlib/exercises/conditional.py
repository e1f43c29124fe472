"""Checks for 10_conditional's exercises: condition_with_one_hot, projection_scores and
same_noise_grid.

Every expected value is computed here from first principles, never from the notebook's code or
`ganlib`'s models, on made-up inputs:

- `condition_with_one_hot`: the one-hot as `labels[:, None] == arange(num_classes)` in float64,
  after the noise, for ten classes and for three (where the labels never reach the top class).
- `projection_scores`: features . weights + bias + class_vectors[label] . features, each dot
  product written out as a sum of products in float64, for ten classes and for three.
- `same_noise_grid`: image i of the grid, read row by row, sits in row i // columns and column
  i % columns, so it is digit i // columns drawn with noise[i % columns].
"""

import numpy as np

from ganlib.exercises.report import (Diagnosis, When, any_of, as_array, call, close, diagnose,
                                     exercise, fail, require, returned, rounded)

# --- condition_with_one_hot ---------------------------------------------------------------------


def one_hot_cases():
    """(name, noise float32 `(n, latent_dim)`, labels int `(n,)`, num_classes, or None where the
    check leaves the default of 10)."""
    rng = np.random.default_rng(10)
    noise = [rng.normal(size=shape).astype("float32") for shape in ((6, 4), (1, 6), (4, 5))]
    return [("six noise vectors (6, 4), labels [0, 9, 3, 3, 7, 1]", noise[0],
             np.array([0, 9, 3, 3, 7, 1], "int64"), None),
            ("one noise vector (1, 6), label [4]", noise[1], np.array([4], "int32"), None),
            ("num_classes=3, four noise vectors (4, 5), labels [1, 0, 1, 1]", noise[2],
             np.array([1, 0, 1, 1], "int32"), 3)]


def one_hot(labels, num_classes):
    """float64 `(n, num_classes)`: row i all 0 but a 1 at index labels[i]."""
    return (np.asarray(labels)[:, np.newaxis] == np.arange(num_classes)).astype("float64")


def reference_one_hot_input(noise, labels, num_classes):
    """float64 `(n, latent_dim + num_classes)`: the noise, then the one-hot label."""
    return np.concatenate([np.asarray(noise, "float64"), one_hot(labels, num_classes)], axis=1)


def _one_hot_shape_diagnoses(noise, labels, num_classes):
    count, latent_dim = noise.shape
    return [
        Diagnosis("label_as_number", (count, latent_dim + 1), "the label went in as one number, "
                  "which says 7 is nearer 8 than 1: append it as a one-hot of num_classes "
                  "entries"),
        Diagnosis("sized_by_largest_label", (count, latent_dim + int(np.max(labels)) + 1),
                  "the one-hot has labels.max() + 1 entries (to_categorical(labels) counts so): "
                  "size it by num_classes, whatever this batch holds"),
        Diagnosis("num_classes_ignored", (count, latent_dim + 10), "the one-hot has 10 entries "
                  "whatever num_classes says: size it by num_classes"),
        Diagnosis("noise_only", (count, latent_dim), "that is the noise alone: concatenate the "
                  "one-hot after it, along the last axis"),
        Diagnosis("one_hot_only", (count, num_classes), "that is the one-hot alone: the noise "
                  "goes first, then the one-hot, side by side"),
    ]


def _one_hot_value_diagnoses(noise, labels, num_classes):
    latent_dim = noise.shape[1]
    return [
        Diagnosis("one_hot_first", np.concatenate([one_hot(labels, num_classes), noise], axis=1),
                  "the one-hot comes first: put the noise first, then the one-hot"),
        Diagnosis("wrong_one_hot", When(lambda got: close(got[:, :latent_dim], noise, 1e-6)),
                  "the noise is right, but what follows is not the labels' one-hot: row i is all "
                  "0 but a 1 at index labels[i]"),
        Diagnosis("noise_changed", When(lambda got: close(got[:, latent_dim:],
                                                          one_hot(labels, num_classes))),
                  "the one-hot is right, but the noise is not the noise you were given: pass it "
                  "through unchanged"),
    ]


@exercise("condition_with_one_hot")
def condition_with_one_hot(function):
    """Check `function(noise, labels, num_classes=10) -> array`: noise float32 `(n, latent_dim)`
    and labels int `(n,)` to `(n, latent_dim + num_classes)`, each row the noise, then the label
    as a one-hot (Mirza & Osindero). Any float dtype passes, as a NumPy array or a tensor. Tried
    with ten classes on six vectors (labels 0 to 9) and on one, then with num_classes=3 passed
    as the third argument, on labels that never reach 2."""
    for name, noise, labels, num_classes in one_hot_cases():
        extra = () if num_classes is None else (num_classes,)
        classes = num_classes or 10
        value = returned(call(function, noise.copy(), labels.copy(), *extra,
                              label="condition_with_one_hot"), name)
        require(not (isinstance(value, (tuple, list)) and len(value) == 2),
                f"{name}: returned a pair", "concatenate the noise and the one-hot into one "
                "array, side by side: np.concatenate([...], axis=1)", "not_concatenated")
        value = as_array(value, name)
        expected = reference_one_hot_input(noise, labels, classes)
        diagnose(value.shape, expected.shape, _one_hot_shape_diagnoses(noise, labels, classes),
                 f"{name}: returned shape {value.shape}", f"expected {expected.shape}: the "
                 f"noise's {noise.shape[1]} numbers, then {classes} for the one-hot")
        rows = np.flatnonzero(~np.all(np.isclose(value, expected, atol=1e-6), axis=1))
        diagnose(value, expected, _one_hot_value_diagnoses(noise, labels, classes),
                 f"{name}: the shape is right, but row {rows[0] if len(rows) else 0} is not",
                 "row i: the noise vector as it is, then num_classes entries, all 0 but a 1 at "
                 "index labels[i]", tolerance=1e-6)
    return "the noise, then a one-hot of num_classes entries, for ten classes and for three"


# --- projection_scores --------------------------------------------------------------------------


def projection_cases():
    """(name, features float32 `(n, d)`, labels int `(n,)`, weights float32 `(d,)`, bias float,
    class_vectors float32 `(num_classes, d)`)."""
    rng = np.random.default_rng(18)

    def case(name, labels, features, bias, num_classes=10):
        return (name, rng.normal(size=(len(labels), features)).astype("float32"),
                np.array(labels, "int32"), rng.normal(size=features).astype("float32"), bias,
                rng.normal(size=(num_classes, features)).astype("float32"))

    return [case("five images, 4 features, labels [3, 0, 9, 3, 7]", [3, 0, 9, 3, 7], 4, 0.25),
            case("one image, 6 features, label [8]", [8], 6, -0.5),
            case("three classes, six images, 8 features, labels [2, 0, 1, 2, 2, 0]",
                 [2, 0, 1, 2, 2, 0], 8, 1.5, num_classes=3)]


def _terms(features, labels, weights, class_vectors):
    """float64 (features . weights, class_vectors[labels] . features), each `(n,)`."""
    features = np.asarray(features, "float64")
    unconditional = np.sum(features * np.asarray(weights, "float64"), axis=1)
    projection = np.sum(np.asarray(class_vectors, "float64")[labels] * features, axis=1)
    return unconditional, projection


def reference_projection_scores(features, labels, weights, bias, class_vectors):
    """float64 `(n,)`: features . weights + bias + class_vectors[labels] . features, per image."""
    unconditional, projection = _terms(features, labels, weights, class_vectors)
    return unconditional + bias + projection


def _score_shape_diagnoses(count, features, num_classes):
    return [
        Diagnosis("pairs_matrix", (count, count), "that pairs every image's class vector with "
                  "every image's features; each score needs its own pair only, the diagonal: a "
                  "row-wise sum of class_vectors[labels] * features"),
        Diagnosis("score_per_class", (count, num_classes), "that is a score for every class; "
                  "keep each image's own label's: class_vectors[labels] picks one row per image"),
        Diagnosis("not_summed", (count, features), "those are products, feature by feature: sum "
                  "them over the features (axis 1) to make dot products"),
        Diagnosis("reduced_over_batch", When(lambda shape: int(np.prod(shape)) == 1),
                  "one score per image: do not reduce over the batch"),
    ]


def _projection_diagnoses(features, labels, weights, bias, class_vectors):
    unconditional, projection = _terms(features, labels, weights, class_vectors)
    features, class_vectors = np.asarray(features, "float64"), np.asarray(class_vectors, "float64")
    size = features.shape[1]
    pairs = class_vectors[labels] @ features.T  # (n, n): image i's class vector . image j
    plain = unconditional + bias
    return [
        Diagnosis("label_ignored", any_of([plain, unconditional]), "the label is ignored: add "
                  "class_vectors[labels] . features, the projection that makes the score depend "
                  "on the digit asked for"),
        Diagnosis("unconditional_missing", any_of([projection + bias, projection]), "the "
                  "unconditional term features . weights is missing: the projection is added to "
                  "the usual score, not put in its place"),
        Diagnosis("no_bias", unconditional + projection,
                  "the bias is missing: add it, once per image"),
        Diagnosis("bias_per_feature", unconditional + size * bias + projection, "the bias was "
                  "added once per feature: add it once per image, after the sums"),
        Diagnosis("every_pair_summed", any_of([plain + pairs.sum(axis=1), plain + pairs.sum(0)]),
                  "each score took in every image's features (a sum over an (n, n) matrix): "
                  "keep each image with its own label's vector only, the matrix's diagonal"),
        Diagnosis("every_class", plain + (features @ class_vectors.T).sum(axis=1), "every "
                  "class's vector is in the score: take only the row of each image's label, "
                  "class_vectors[labels]"),
        Diagnosis("mean_not_sum", any_of([(unconditional + projection) / size + bias,
                                          plain + projection / size]),
                  "a dot product sums the products; a mean divides it by the number of features"),
    ]


@exercise("projection_scores")
def projection_scores(function):
    """Check `function(features, labels, weights, bias, class_vectors) -> scores`: the
    projection discriminator's head (Miyato & Koyama, 2018), score_i = features_i . weights +
    bias + class_vectors[labels_i] . features_i, for features float32 `(n, d)`, labels int
    `(n,)`, weights `(d,)`, a float bias and class_vectors `(num_classes, d)`. Expected: `(n,)`
    scores as an array, a tensor or a list; `(n, 1)` passes too (it is flattened). Tried on five
    images with ten classes, on one image, and on six with three."""
    for name, features, labels, weights, bias, class_vectors in projection_cases():
        value = as_array(call(function, features.copy(), labels.copy(), weights.copy(), bias,
                              class_vectors.copy(), label="projection_scores"), name)
        count, size = features.shape
        if value.shape == (count, 1):
            value = value[:, 0]
        arguments = (features, labels, weights, bias, class_vectors)
        expected = reference_projection_scores(*arguments)
        diagnose(value.shape, expected.shape,
                 _score_shape_diagnoses(count, size, len(class_vectors)),
                 f"{name}: returned shape {value.shape}", f"expected ({count},): one score per "
                                                          "image")
        diagnose(value, expected, _projection_diagnoses(*arguments),
                 f"{name}: got {rounded(value)}, expected {rounded(expected)}",
                 "score_i = features_i . weights + bias + class_vectors[labels_i] . features_i",
                 tolerance=1e-4)
    return ("features . weights + bias + class_vectors[labels] . features, one score per image, "
            "for ten classes and for three")


# --- same_noise_grid ----------------------------------------------------------------------------


def grid_cases():
    """(name, noise float32 `(columns, latent_dim)`, num_classes, or None where the check
    leaves the default of 10)."""
    rng = np.random.default_rng(11)
    noise = [rng.normal(size=shape).astype("float32") for shape in ((4, 3), (1, 5), (5, 2))]
    return [("4 columns of noise (4, 3), ten digits", noise[0], None),
            ("1 column of noise (1, 5), ten digits", noise[1], None),
            ("num_classes=3, 5 columns of noise (5, 2)", noise[2], 3)]


def reference_grid(noise, num_classes, transposed=False):
    """(grid_noise float64 `(num_classes * columns, latent_dim)`, grid_labels int64
    `(num_classes * columns,)`): image i is digit i // columns drawn with noise[i % columns];
    `transposed`, one column per digit: digit i % num_classes with noise[i // num_classes]."""
    columns = len(noise)
    images = np.arange(num_classes * columns)
    noise = np.asarray(noise, "float64")
    if transposed:
        return noise[images // num_classes], images % num_classes
    return noise[images % columns], images // columns


def _grid_shape_diagnoses(columns, latent_dim, num_classes):
    count = num_classes * columns
    noise = [
        Diagnosis("not_flattened", When(lambda shape: len(shape) == 3 and
                                        int(np.prod(shape)) == count * latent_dim),
                  "that is a grid of vectors; the generator takes a batch: reshape it to "
                  "(num_classes * columns, latent_dim), row after row"),
        Diagnosis("num_classes_ignored", (10 * columns, latent_dim), "the grid has 10 rows "
                  "whatever num_classes says: make num_classes rows"),
        Diagnosis("noise_not_repeated", (columns, latent_dim), "that is the noise as given: the "
                  "grid uses it once in every row, num_classes times"),
    ]
    labels = [
        Diagnosis("one_hot_labels", (count, num_classes), "grid_labels holds one whole number "
                  "per image, the digit, not a one-hot"),
        Diagnosis("labels_not_flat", When(lambda shape: len(shape) == 2 and
                                          int(np.prod(shape)) == count),
                  "one label per image, in a flat (num_classes * columns,) array, row after row"),
        Diagnosis("num_classes_ignored", (10 * columns,), "the grid has 10 rows whatever "
                  "num_classes says: make num_classes rows"),
    ]
    return noise, labels


@exercise("same_noise_grid")
def same_noise_grid(function):
    """Check `function(noise, num_classes=10) -> (grid_noise, grid_labels)`: for a grid with one
    row per digit and the same noise down each column, read row by row, image i is digit
    i // columns drawn with noise[i % columns]; grid_noise `(num_classes * columns, latent_dim)`,
    grid_labels `(num_classes * columns,)` of an integer dtype (they index the generator's label
    table). NumPy arrays or tensors pass. Tried with ten digits on 4 columns and on 1, and with
    num_classes=3 passed as the second argument."""
    for name, noise, num_classes in grid_cases():
        extra = () if num_classes is None else (num_classes,)
        classes, (columns, latent_dim) = num_classes or 10, noise.shape
        value = returned(call(function, noise.copy(), *extra, label="same_noise_grid"), name)
        require(isinstance(value, (tuple, list)) and len(value) == 2,
                f"{name}: returned {type(value).__name__}, not a pair",
                "return the pair (grid_noise, grid_labels)", "not_a_pair")
        grid_noise = as_array(value[0], f"{name}: grid_noise")
        grid_labels = as_array(value[1], f"{name}: grid_labels")
        if grid_noise.ndim == 1 and grid_labels.ndim == 2:
            fail(f"{name}: the first has shape {grid_noise.shape}, the second "
                 f"{grid_labels.shape}", "the two come back in the wrong order: return "
                 "(grid_noise, grid_labels)", "order")
        expected_noise, expected_labels = reference_grid(noise, classes)
        noise_mistakes, label_mistakes = _grid_shape_diagnoses(columns, latent_dim, classes)
        diagnose(grid_noise.shape, expected_noise.shape, noise_mistakes,
                 f"{name}: grid_noise has shape {grid_noise.shape}",
                 f"expected {expected_noise.shape}: {classes} rows of {columns} images, one "
                 "noise vector each")
        diagnose(grid_labels.shape, expected_labels.shape, label_mistakes,
                 f"{name}: grid_labels has shape {grid_labels.shape}",
                 f"expected {expected_labels.shape}: one label per image")
        transposed = reference_grid(noise, classes, transposed=True)  # The same for 1 column.
        if columns > 1 and close(grid_noise, transposed[0]) and \
                close(grid_labels, transposed[1]):
            fail(f"{name}: image i is digit i % {classes} with noise[i // {classes}]",
                 "that grid is transposed, one column per digit; it is read row by row, so row "
                 "r holds digit r and column c noise[c]: tile the noise, repeat the labels",
                 "transposed")
        wrong = np.flatnonzero(~np.all(np.isclose(grid_noise, expected_noise, atol=1e-6), 1))
        image = int(wrong[0]) if len(wrong) else 0
        diagnose(grid_noise, expected_noise, [
            Diagnosis("noise_repeated", np.repeat(noise, classes, axis=0), "np.repeat puts the "
                      "copies of each vector next to each other; the grid wants the whole noise "
                      "once per row: np.tile(noise, (num_classes, 1))")],
            f"{name}: grid_noise[{image}] should be noise[{image % columns}]",
            "copy the noise you were given: image i (row i // columns, column i % columns) "
            "uses noise[i % columns]", tolerance=1e-6)
        diagnose(grid_labels, expected_labels, [
            Diagnosis("labels_tiled", np.tile(np.arange(classes), columns), "the digit changes "
                      "from one image to the next; each row (columns images) asks for one digit, "
                      "so image i gets i // columns: np.repeat(np.arange(num_classes), columns)")],
            f"{name}: grid_labels begins {grid_labels[:12].tolist()}, expected "
            f"{expected_labels[:12].tolist()}",
            "image i sits in row i // columns; row r asks for digit r, from 0", tolerance=0.0)
        require(np.issubdtype(grid_labels.dtype, np.integer),
                f"{name}: the labels are right, but dtype {grid_labels.dtype}", "labels index a "
                "table (the generator's Embedding): make them integers, e.g. .astype('int32')",
                "labels_dtype")
    return ("one row per digit, the same noise down each column: image i is digit i // columns "
            "drawn with noise[i % columns]")
