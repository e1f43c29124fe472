"""Nearest neighbours: improved precision and recall, and a check for memorised images.

- `precision_recall` (Kynkaanniemi et al. 2019): the share of fakes that look real (precision,
  quality) and the share of real images the fakes cover (recall, diversity).
- `nearest_neighbour_distances` and `memorisation_check`: does the GAN copy training images?
"""

from typing import NamedTuple

import numpy as np

from ganlib.core.pixels import to_unit_interval
from ganlib.evaluation.features import check_count, check_pair


class PrecisionRecall(NamedTuple):
    """Shares in [0, 1]: fakes inside the real manifold, and real images inside the fake one."""

    precision: float
    recall: float


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
    k = check_count(k, "k")
    chunk_size = check_count(chunk_size, "chunk_size")
    real_features, fake_features = check_pair(real_features, fake_features,
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
    chunk_size = check_count(chunk_size, "chunk_size")
    samples = to_unit_interval(samples, "samples").reshape(-1, 28 * 28)
    train = to_unit_interval(train_images, "train_images").reshape(-1, 28 * 28)
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
