"""How good are a GAN's digits? Numbers computed on the MNIST classifier's view of them.

A GAN's losses say who is winning the game, not whether the pictures are good. These metrics
compare generated images with real ones through `ganlib.classifier`: its penultimate layer gives
128 features an image, its softmax the probability of each digit.

- `frechet_distance` ("FID-MNIST", Heusel et al. 2017): fit a Gaussian to each set of features
  and measure how far apart the two Gaussians are. Lower is better; 0 means equal statistics.
- `kernel_distance` ("KID-MNIST", Binkowski et al. 2018): an unbiased estimate of the squared
  maximum mean discrepancy with a cubic polynomial kernel. Like FID but unbiased in the number
  of samples, so small sample sets are comparable; it can be slightly negative.
- `precision_recall` (Kynkaanniemi et al. 2019): the share of fakes that look real (precision,
  quality) and the share of real images the fakes cover (recall, diversity).
- `classifier_score`: the Inception score on the MNIST classifier, exp(E[KL(p(y|x) || p(y))]).
  It is high (at most 10) when each image is clearly one digit and all digits appear.
- `class_histogram` and `coverage`: how often each digit is drawn; a collapsed GAN misses some.
- `nearest_neighbour_distances` and `memorisation_check`: does the GAN copy training images?
- `evaluate`: all of the above for a set of samples, beside the same numbers for real test
  images ("real data"), so "FID-MNIST 4.1 (real data: 1.2)" says how far from perfect a GAN is.
- `FIDCallback`: FID-MNIST on a small fixed noise sample after each epoch of `GAN.fit`.

FID, precision and recall depend on the number of images n: compare numbers only at the same n,
and read them beside the real-data baseline at that n. Statistics are computed in float64.
"""

import json
import math
import time
import warnings
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np
import scipy.linalg

from ganlib import classifier as mnist_classifier

STANDARD_N = 10_000  # The usual number of images for FID, and the size of MNIST's test split.
MIN_SAMPLES = 100  # Below this the statistics are too noisy to mean anything.
# Samples the memorisation check compares with every training image: enough to estimate a median
# and a 1% share well, and a fifth of the cost of 10,000.
MEMORISATION_N = 2000
NUM_CLASSES = mnist_classifier.NUM_CLASSES


class KernelDistance(NamedTuple):
    """KID: the mean of the unbiased MMD^2 estimates over subsets, and their standard deviation."""

    mean: float
    std: float


class PrecisionRecall(NamedTuple):
    """Shares in [0, 1]: fakes inside the real manifold, and real images inside the fake one."""

    precision: float
    recall: float


# --- Checking arguments -------------------------------------------------------------------------

def _check_features(features, name, minimum=2):
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


def _check_pair(features_a, features_b, names=("features_a", "features_b"), minimum=2):
    features_a = _check_features(features_a, names[0], minimum)
    features_b = _check_features(features_b, names[1], minimum)
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"{names[0]} have {features_a.shape[1]} features per image but "
                         f"{names[1]} have {features_b.shape[1]}: compute both with the same "
                         "network.")
    return features_a, features_b


def _check_count(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {value!r}.")
    return int(value)


def _check_probabilities(probabilities):
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


# --- Frechet distance (FID) ---------------------------------------------------------------------

def feature_statistics(features):
    """Mean `(d,)` and covariance `(d, d)` of features `(n, d)`, in float64."""
    features = _check_features(features, "features")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _square_root(matrix, tolerance=1e-6):
    """`scipy.linalg.sqrtm(matrix)`, or None when the result is not finite or not accurate."""
    with warnings.catch_warnings():
        # Features that are always 0 (dead ReLU units; the shipped classifier has a few) make the
        # covariances singular, and sqrtm then warns even when its answer is accurate. The
        # residual |root @ root - matrix| checks the answer itself instead.
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        root = scipy.linalg.sqrtm(matrix)
    if not np.isfinite(root).all():
        return None
    residual = np.linalg.norm(root @ root - matrix)
    return root if residual <= tolerance * max(np.linalg.norm(matrix), 1e-12) else None


def frechet_distance_from_stats(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """Frechet distance between the Gaussians N(mu1, sigma1) and N(mu2, sigma2).

        d^2 = |mu1 - mu2|^2 + trace(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))

    Args:
        mu1, mu2: means `(d,)`. sigma1, sigma2: covariances `(d, d)`, symmetric and positive
            semi-definite.
        eps: added to both diagonals when `sqrtm` gives no accurate square root of the
            product, which happens when it is nearly singular (fewer images than features),
            as in Heusel et al.'s code.

    Returns:
        The squared distance, a float >= 0 up to rounding (within about 1e-10 of 0 for equal
        statistics).
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1 = np.atleast_2d(np.asarray(sigma1, np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, np.float64))
    dimension = mu1.shape[0]
    if mu1.shape != (dimension,) or mu2.shape != (dimension,):
        raise ValueError(f"The means have shapes {mu1.shape} and {mu2.shape}; expected two "
                         "vectors (d,) of the same length.")
    if sigma1.shape != (dimension, dimension) or sigma2.shape != (dimension, dimension):
        raise ValueError(f"The covariances have shapes {sigma1.shape} and {sigma2.shape}; "
                         f"expected ({dimension}, {dimension}) to match the means.")
    for value in (mu1, mu2, sigma1, sigma2):
        if not np.isfinite(value).all():
            raise ValueError("The statistics contain NaN or infinite values: check the features.")

    difference = mu1 - mu2
    covariance_mean = _square_root(sigma1 @ sigma2)
    if covariance_mean is None:
        offset = np.eye(dimension) * eps
        covariance_mean = _square_root((sigma1 + offset) @ (sigma2 + offset))
        if covariance_mean is None:
            raise ValueError("No accurate square root of sigma1 @ sigma2 exists, even with eps "
                             "added: check that the covariances are symmetric and positive "
                             "semi-definite, or pass a larger eps.")
    if np.iscomplexobj(covariance_mean):
        # sigma1 @ sigma2 has real, non-negative eigenvalues in exact arithmetic; rounding can
        # leave tiny imaginary parts, which are dropped. A large one means a broken input.
        largest_imaginary = np.max(np.abs(np.diagonal(covariance_mean).imag))
        scale = max(1.0, np.max(np.abs(np.diagonal(covariance_mean).real)))
        if largest_imaginary > 1e-3 * scale:
            raise ValueError(f"sqrtm(sigma1 @ sigma2) has an imaginary part of "
                             f"{largest_imaginary:.3g}: the covariances are not valid (symmetric, "
                             "positive semi-definite) or far too few images were used.")
        covariance_mean = covariance_mean.real
    return float(difference @ difference + np.trace(sigma1) + np.trace(sigma2)
                 - 2.0 * np.trace(covariance_mean))


def frechet_distance(features_a, features_b):
    """FID between two sets of features `(n_a, d)` and `(n_b, d)`; lower is more alike.

    The value is biased upwards for small n (two samples of one distribution do not give 0),
    so compare FIDs only at the same n.
    """
    features_a, features_b = _check_pair(features_a, features_b)
    return frechet_distance_from_stats(*feature_statistics(features_a),
                                       *feature_statistics(features_b))


# --- Kernel distance (KID) ----------------------------------------------------------------------

def _polynomial_kernel(x, y):
    # k(x, y) = (x . y / d + 1)^3, the kernel of Binkowski et al.: (m, d), (m, d) -> (m, m).
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def _mmd2_unbiased(x, y):
    """Unbiased MMD^2 of two equal-size samples `(m, d)`: the diagonals K(x_i, x_i) are left out."""
    m = len(x)
    kernel_xx, kernel_yy, kernel_xy = _polynomial_kernel(x, x), _polynomial_kernel(y, y), \
        _polynomial_kernel(x, y)
    within = (kernel_xx.sum() - np.trace(kernel_xx) + kernel_yy.sum() - np.trace(kernel_yy))
    return within / (m * (m - 1)) - 2.0 * kernel_xy.sum() / (m * m)


def kernel_distance(features_a, features_b, subsets=100, subset_size=1000, seed=0):
    """KID: the unbiased MMD^2 between two feature sets, averaged over random subsets.

    Args:
        features_a, features_b: `(n_a, d)` and `(n_b, d)`.
        subsets: how many random subset pairs to average over.
        subset_size: images per subset, drawn without replacement; capped at the smaller set.
            When that is both whole sets, every subset is the same and one is computed.
        seed: seeds the choice of subsets.

    Returns:
        `KernelDistance(mean, std)`; the mean is about 0 (either sign) for two samples of one
        distribution and grows as they differ. `std` is across subsets (0 for one subset).
    """
    features_a, features_b = _check_pair(features_a, features_b)
    subsets = _check_count(subsets, "subsets")
    subset_size = min(_check_count(subset_size, "subset_size", 2), len(features_a), len(features_b))
    if subset_size == len(features_a) == len(features_b):
        subsets = 1
    rng = np.random.default_rng(seed)
    estimates = np.empty(subsets)
    for index in range(subsets):
        subset_a = features_a[rng.choice(len(features_a), subset_size, replace=False)]
        subset_b = features_b[rng.choice(len(features_b), subset_size, replace=False)]
        estimates[index] = _mmd2_unbiased(subset_a, subset_b)
    return KernelDistance(float(estimates.mean()), float(estimates.std()))


# --- Precision and recall -----------------------------------------------------------------------

def _squared_distances(block, others, block_norms, other_norms):
    # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, one matrix product instead of (rows, n, d) differences.
    return np.maximum(block_norms[:, None] + other_norms[None, :] - 2.0 * block @ others.T, 0.0)


def _neighbour_radii(features, k, chunk_size):
    """Squared distance from each row of `features` to its k-th nearest other row: `(n,)`."""
    norms = np.einsum("ij,ij->i", features, features)
    radii = np.empty(len(features))
    for start in range(0, len(features), chunk_size):
        stop = min(start + chunk_size, len(features))
        distances = _squared_distances(features[start:stop], features, norms[start:stop], norms)
        # The point itself is its own nearest neighbour at distance 0, so the k-th other
        # neighbour is the (k+1)-th smallest value, at index k after partitioning.
        distances[np.arange(stop - start), np.arange(start, stop)] = 0.0
        radii[start:stop] = np.partition(distances, k, axis=1)[:, k]
    return radii


def precision_recall(real_features, fake_features, k=3, chunk_size=1000):
    """Improved precision and recall (Kynkaanniemi et al. 2019) on features.

    Each set's manifold is the union of balls around its points, each ball reaching to that
    point's k-th nearest neighbour in its own set. Precision is the share of fakes inside the
    real manifold; recall is the share of real points inside the fake manifold.

    Args:
        real_features, fake_features: `(n_real, d)` and `(n_fake, d)`, each with more than k rows.
        k: the neighbour that sets each ball's radius (3 in the paper).
        chunk_size: rows of distances held at once; memory is about chunk_size * n * 8 bytes.

    Returns:
        `PrecisionRecall(precision, recall)`, two shares in [0, 1].

    Read precision together with recall: fakes that all look alike (blank or noise images)
    fall close together in feature space, often inside the large ball of one unusual real
    digit, and can score a high precision with a recall of 0.
    """
    k = _check_count(k, "k")
    chunk_size = _check_count(chunk_size, "chunk_size")
    real_features, fake_features = _check_pair(real_features, fake_features,
                                               ("real_features", "fake_features"), minimum=k + 1)
    real_radii = _neighbour_radii(real_features, k, chunk_size)
    return _precision_recall(real_features, real_radii, fake_features, k, chunk_size)


def _precision_recall(real_features, real_radii, fake_features, k, chunk_size):
    # The real radii come in from outside so that `evaluate` computes them once for two uses.
    fake_radii = _neighbour_radii(fake_features, k, chunk_size)
    real_norms = np.einsum("ij,ij->i", real_features, real_features)
    fake_norms = np.einsum("ij,ij->i", fake_features, fake_features)
    fake_inside_real = np.zeros(len(fake_features), dtype=bool)
    real_inside_fake = np.zeros(len(real_features), dtype=bool)
    # One pass over real-to-fake distances answers both questions, chunk by chunk of real rows.
    for start in range(0, len(real_features), chunk_size):
        stop = min(start + chunk_size, len(real_features))
        distances = _squared_distances(real_features[start:stop], fake_features,
                                       real_norms[start:stop], fake_norms)  # (chunk, n_fake)
        fake_inside_real |= (distances <= real_radii[start:stop, None]).any(axis=0)
        real_inside_fake[start:stop] = (distances <= fake_radii[None, :]).any(axis=1)
    return PrecisionRecall(float(fake_inside_real.mean()), float(real_inside_fake.mean()))


# --- Scores on the softmax ----------------------------------------------------------------------

def classifier_score(probabilities):
    """The Inception score on the MNIST classifier: exp(mean over images of KL(p(y|x) || p(y))).

    Args:
        probabilities: softmax outputs `(n, 10)`.

    Returns:
        A float in [1, 10]: 10 when every image is one digit for certain and the ten digits are
        equally common; 1 when every image gets the same prediction. Computed on all n images
        in one split; like FID it depends on n, so compare at the same n.
    """
    probabilities = _check_probabilities(probabilities)
    marginal = probabilities.mean(axis=0)  # p(y), (10,)
    # 0 * log(0) counts as 0; where marginal is 0, every p(y|x) is 0 too.
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probabilities > 0,
                         probabilities * (np.log(probabilities) - np.log(marginal)), 0.0)
    return float(np.exp(terms.sum(axis=1).mean()))


def class_histogram(probabilities):
    """How many images the classifier assigns to each digit: int64 `(10,)`, summing to n."""
    probabilities = _check_probabilities(probabilities)
    return np.bincount(probabilities.argmax(axis=1), minlength=NUM_CLASSES).astype(np.int64)


def coverage(probabilities):
    """The rarest digit's share of the images, times 10: 1.0 when all ten are equally common.

    0 means a digit is never drawn (mode collapse). Real MNIST gives about 0.9, because its
    digits are not quite equally common. (This is not the "coverage" of Naeem et al. 2020.)
    """
    histogram = class_histogram(probabilities)
    return float(NUM_CLASSES * histogram.min() / histogram.sum())


# --- Memorisation ------------------------------------------------------------------------------

def nearest_neighbour_distances(samples, train_images, chunk_size=500):
    """Pixel distance from each sample to its nearest training image.

    Args:
        samples, train_images: images `(n, 28, 28)` or `(n, 28, 28, 1)`, uint8 0..255 or floats
            in [0, 1] or [-1, 1] (each array is converted on its own).
        chunk_size: samples compared at once; memory is about chunk_size * len(train) * 4 bytes.

    Returns:
        float64 `(n,)`: Euclidean distances between images scaled to [0, 1] (784 pixels, so
        from 0 for a copy up to 28).
    """
    chunk_size = _check_count(chunk_size, "chunk_size")
    samples = mnist_classifier.prepare_images(samples, "samples").reshape(-1, 28 * 28)
    train = mnist_classifier.prepare_images(train_images, "train_images").reshape(-1, 28 * 28)
    train_norms = np.einsum("ij,ij->i", train, train)
    nearest = np.empty(len(samples))
    for start in range(0, len(samples), chunk_size):
        block = samples[start:start + chunk_size]
        # float32 keeps this ~10x faster than float64; pixel distances need no more precision.
        squared = _squared_distances(block, train, np.einsum("ij,ij->i", block, block), train_norms)
        nearest[start:start + chunk_size] = np.sqrt(squared.min(axis=1))
    return nearest


def memorisation_check(samples, train_images, heldout_images):
    """Compare how close samples and held-out real images come to the training set.

    Real images the GAN never saw (MNIST's test split) show how close an honest new digit comes
    to some training digit. A GAN that copies training images comes closer than that.

    Returns:
        A dict: `nn_distance` and `baseline_nn_distance`, the median distance to the nearest
        training image for the samples and for the held-out images; `near_copy_share`, the share
        of samples closer than 99% of held-out images come (`near_copy_threshold`), and
        `baseline_near_copy_share`, the same share for the held-out images (0.01 by design).
        A sample share well above 0.01 suggests memorised training images.
    """
    sample_distances = nearest_neighbour_distances(samples, train_images)
    heldout_distances = nearest_neighbour_distances(heldout_images, train_images)
    threshold = float(np.percentile(heldout_distances, 1))
    return {
        "nn_distance": float(np.median(sample_distances)),
        "baseline_nn_distance": float(np.median(heldout_distances)),
        "near_copy_share": float(np.mean(sample_distances < threshold)),
        "baseline_near_copy_share": float(np.mean(heldout_distances < threshold)),
        "near_copy_threshold": threshold,
    }


# --- Everything at once -------------------------------------------------------------------------

class _Reference:
    """Features of the real images every candidate set is compared with, and what `evaluate`
    needs of them twice (for the samples and for the baseline) but computes once."""

    def __init__(self, features, k):
        self.features = _check_features(features, "real features", k + 1)
        self.statistics = feature_statistics(self.features)
        self.radii = _neighbour_radii(self.features, k, chunk_size=1000)


def _feature_metrics(reference, candidate, kid_subsets, kid_subset_size, k, seed):
    """FID, KID, precision, recall, score and coverage of `candidate` against `reference`.

    `reference` is a `_Reference`; `candidate` is `(features, probabilities)` from
    `classifier.classify`.
    """
    features = _check_features(candidate[0], "sample features", k + 1)
    kid = kernel_distance(reference.features, features, kid_subsets, kid_subset_size, seed)
    precision, recall = _precision_recall(reference.features, reference.radii, features, k, 1000)
    return {
        "fid": frechet_distance_from_stats(*reference.statistics, *feature_statistics(features)),
        "kid": kid.mean,
        "kid_std": kid.std,
        "classifier_score": classifier_score(candidate[1]),
        "precision": precision,
        "recall": recall,
        "coverage": coverage(candidate[1]),
        "class_histogram": class_histogram(candidate[1]).tolist(),
    }


def evaluate(samples, n=None, real_images=None, heldout_images=None, data_path=None, seed=0,
             baselines=True, memorisation=True, kid_subsets=100, kid_subset_size=1000, k=3,
             weights_path=None, log=None):
    """Score generated images against real ones, beside a real-data baseline at the same n.

    The samples are compared with n images drawn at random (seeded) from `real_images`, the
    GAN's training set. The baseline compares n held-out real images (MNIST's test split) with
    the same training images: it is what a perfect generator would get at this n.

    Args:
        samples: `(N, 28, 28)` or `(N, 28, 28, 1)`, uint8 0..255 or floats in [0, 1] or [-1, 1]
            (a float array with any negative value is read as [-1, 1]).
        n: how many samples to score (the first n); default all of them. At least 100;
            10,000 is the standard for FID.
        real_images, heldout_images: uint8 `(m, 28, 28)` arrays; default the train and test
            splits of MNIST from `data_path` (or `$GANLIB_DATA`, see `ganlib.data.load_mnist`).
            Pass your own when the GAN was trained on a subset, e.g. only zeros.
        baselines: also score n held-out real images (needs n <= len(heldout_images)).
        memorisation: also compare distances to the nearest training image (`memorisation_check`)
            for the first min(n, 2000) samples and held-out images.
        kid_subsets, kid_subset_size, k: passed to `kernel_distance` and `precision_recall`.
        log: a function that takes one line of progress text, e.g. `print`; None is silent.

    Returns:
        A dict of plain numbers (JSON-ready): `n`, `fid`, `kid`, `kid_std`, `classifier_score`,
        `precision`, `recall`, `coverage`, `class_histogram` (10 counts); with `baselines` the same
        with a `baseline_` prefix; with `memorisation` the keys of `memorisation_check` and
        `memorisation_n`; and `seconds`.
    """
    from ganlib import data

    started = time.monotonic()
    say = log if log is not None else (lambda text: None)
    sample_inputs = mnist_classifier.prepare_images(samples, "samples")
    if n is None:
        n = len(sample_inputs)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"n must be a whole number such as {STANDARD_N}, not {n!r}.")
    if n < MIN_SAMPLES:
        raise ValueError(f"n={n} is too few images for these statistics: use at least "
                         f"{MIN_SAMPLES} ({STANDARD_N} is the standard for FID).")
    if len(sample_inputs) < n:
        raise ValueError(f"Only {len(sample_inputs)} samples were given for n={n}: pass at least "
                         f"{n} samples, or a smaller n.")
    sample_inputs = sample_inputs[:n]
    # Checked now rather than after a minute of work.
    _check_count(kid_subsets, "kid_subsets")
    _check_count(kid_subset_size, "kid_subset_size", 2)
    k = _check_count(k, "k")

    if real_images is None:
        real_images, _ = data.load_mnist("train", path=data_path)
    if heldout_images is None and (baselines or memorisation):
        heldout_images, _ = data.load_mnist("test", path=data_path)
    real_inputs = mnist_classifier.prepare_images(real_images, "real_images")
    if len(real_inputs) < n:
        raise ValueError(f"n={n} is more than the {len(real_inputs)} real images to compare "
                         f"with: use n <= {len(real_inputs)}.")
    rng = np.random.default_rng(seed)
    reference_inputs = real_inputs[rng.choice(len(real_inputs), n, replace=False)]
    if baselines or memorisation:
        heldout_inputs = mnist_classifier.prepare_images(heldout_images, "heldout_images")
    if baselines and len(heldout_inputs) < n:
        raise ValueError(f"The real-data baseline needs n={n} held-out images but there are "
                         f"{len(heldout_inputs)}: use n <= {len(heldout_inputs)}, or "
                         "baselines=False (CLI: a smaller --n).")

    say(f"Classifying {n} samples and {n} training images...")
    reference = _Reference(mnist_classifier.classify(reference_inputs, weights_path)[0], k)
    candidate = mnist_classifier.classify(sample_inputs, weights_path)
    say("Computing FID, KID, precision and recall...")
    results = {"n": int(n)}
    results.update(_feature_metrics(reference, candidate, kid_subsets, kid_subset_size, k, seed))
    if baselines:
        say(f"Computing the same for {n} held-out real images (the baseline)...")
        heldout_subset = heldout_inputs[rng.choice(len(heldout_inputs), n, replace=False)]
        heldout = mnist_classifier.classify(heldout_subset, weights_path)
        baseline = _feature_metrics(reference, heldout, kid_subsets, kid_subset_size, k, seed)
        results.update({f"baseline_{name}": value for name, value in baseline.items()})
    if memorisation:
        memorisation_n = min(n, MEMORISATION_N)
        say(f"Comparing {memorisation_n} samples and {memorisation_n} held-out images with the "
            f"{len(real_inputs)} training images...")
        results.update(memorisation_check(sample_inputs[:memorisation_n], real_inputs,
                                          heldout_inputs[:memorisation_n]))
        results["memorisation_n"] = memorisation_n
    results["seconds"] = round(time.monotonic() - started, 1)
    return results


# (label, key, format, note) for each line of `format_report`.
REPORT_LINES = (
    ("FID-MNIST", "fid", "{:.3f}", "lower is better"),
    ("KID-MNIST", "kid", "{:.4f}", "lower is better; about 0 (either sign) for real data"),
    ("Classifier score", "classifier_score", "{:.3f}", "higher is better, at most 10"),
    ("Precision", "precision", "{:.3f}", "share of samples that look real"),
    ("Recall", "recall", "{:.3f}", "share of real digits the samples cover"),
    ("Coverage", "coverage", "{:.3f}", "10 x the rarest digit's share; 0 = a digit is missing"),
    ("Nearest-neighbour distance", "nn_distance", "{:.3f}", "median pixel L2 to the training set"),
    ("Near copies", "near_copy_share", "{:.3f}", "well above the baseline suggests memorisation"),
)


def format_report(results):
    """Readable lines for the dict `evaluate` returns: each metric beside its real-data baseline."""
    lines = [f"Scored n={results['n']} samples against {results['n']} training images "
             f"({results.get('seconds', 0):.0f} s)."]
    for label, key, number_format, note in REPORT_LINES:
        if key not in results:
            continue
        text = f"{label:<27}{number_format.format(results[key]):>9}"
        if f"baseline_{key}" in results:
            text += f"   (real data: {number_format.format(results['baseline_' + key])})"
        lines.append(f"{text}   {note}")
    histogram = results.get("class_histogram")
    if histogram is not None:
        lines.append("Digits drawn               " + "  ".join(
            f"{digit}:{count}" for digit, count in enumerate(histogram)))
    return "\n".join(lines)


def load_samples(path):
    """Read samples saved with `numpy.save` (e.g. by `ganlib sample --out FILE.npy`), safely.

    Pickled Python objects are refused, since unpickling a file can run code from it.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No samples at {path}: write some with `ganlib sample "
                                f"--generator DIR/generator.keras --n {STANDARD_N} --out {path}`.")
    if path.suffix.lower() != ".npy":
        raise ValueError(f"{path} is not a .npy file: save the samples with numpy.save(path, "
                         "images), with images uint8 (n, 28, 28).")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"{path} could not be read as a numeric .npy array ({error}): save a "
                         "uint8 or float array with numpy.save(path, images).") from None


def results_json(results):
    """The results of `evaluate` as one line of JSON."""
    return json.dumps(results, sort_keys=True)


# --- During training ----------------------------------------------------------------------------

class FIDCallback(keras.callbacks.Callback):
    """Log FID-MNIST of a fixed noise sample into `logs["fid"]` during `GAN.fit`.

    The same noise is drawn through the generator every time, so changes in the value come from
    the generator. With n=1000 it costs about a second an epoch on a CPU. The value at n=1000 is
    larger than at the standard n=10,000 (FID is biased at small n): use it to follow a run,
    and `evaluate` for numbers to report. It is logged after the first epoch, every `every`
    epochs, and after the last; a generator that draws NaN logs NaN.

    Args:
        real_images: uint8 `(m, 28, 28)` real images (e.g. the training split), m >= n.
        n: images on each side of the comparison.
        every: compute it every this many epochs.
        seed: seeds the fixed noise and the choice of real images.
    """

    def __init__(self, real_images, n=1000, every=1, seed=0, batch_size=500, weights_path=None):
        super().__init__()
        self.n = _check_count(n, "n", MIN_SAMPLES)
        self.every = _check_count(every, "every")
        real_inputs = mnist_classifier.prepare_images(real_images, "real_images")
        if len(real_inputs) < self.n:
            raise ValueError(f"FIDCallback needs at least n={self.n} real images, got "
                             f"{len(real_inputs)}: pass more, or a smaller n.")
        self.seed = seed
        self.batch_size = batch_size
        self.weights_path = weights_path
        chosen = np.random.default_rng(seed).choice(len(real_inputs), self.n, replace=False)
        real_features, _ = mnist_classifier.classify(real_inputs[chosen], weights_path)
        # The real side never changes, so its statistics are computed once.
        self.real_statistics = feature_statistics(real_features)
        self.history = []  # (epoch, fid) pairs, epochs counted from 1.

    def on_train_begin(self, logs=None):
        generator = getattr(self.model, "generator", None)
        if generator is None or not hasattr(self.model, "latent_dim"):
            raise ValueError("FIDCallback needs a model with .generator and .latent_dim, such "
                             "as ganlib.GAN: pass it to gan.fit(..., callbacks=[...]).")
        self.noise = np.random.default_rng(self.seed).standard_normal(
            (self.n, self.model.latent_dim)).astype("float32")

    def on_epoch_end(self, epoch, logs=None):
        last_epoch = self.params.get("epochs") if self.params else None
        if epoch % self.every != 0 and epoch + 1 != last_epoch:
            return
        fid = self.compute()
        self.history.append((epoch + 1, fid))
        if logs is not None:
            logs["fid"] = fid

    def compute(self):
        """FID-MNIST of the generator's images from the fixed noise, now."""
        images = self.model.generator.predict(self.noise, batch_size=self.batch_size, verbose=0)
        if not np.isfinite(images).all():
            return math.nan
        # A generator without a squashing output layer may overshoot; training must not stop
        # over a metric, so clip instead of rejecting as `evaluate` would.
        images = np.clip(images, -1.0, 1.0)
        features, _ = mnist_classifier.classify(images, self.weights_path)
        return frechet_distance_from_stats(*feature_statistics(features), *self.real_statistics)
