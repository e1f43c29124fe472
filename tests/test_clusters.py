"""Label-free clusters (`ganlib.data.clusters`): what the `clustered` preset conditions on.

Fast tests only (`tests/mutation.py` runs them against every mutant); the preset's training run
is in `tests/test_conditional.py`."""

import numpy as np
import pytest

from ganlib.data import cluster_images
from ganlib.data.clusters import balanced_assignment, principal_components


def test_balanced_assignment_gives_every_cluster_its_share_and_each_point_its_nearest_room():
    # Twelve points, three clusters centred at 0, 1 and 10: room for four each. Six points ask
    # for cluster 0, which keeps its four closest; 0.4 and 0.5 ask again and only cluster 2 has
    # room left, because cluster 1 filled up with the four points nearest it.
    points = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 10.0, 10.1])
    distances = (points[:, None] - np.array([0.0, 1.0, 10.0])[None, :]) ** 2  # (12, 3)
    assignment = balanced_assignment(distances)
    np.testing.assert_array_equal(assignment, [0, 0, 0, 0, 2, 2, 1, 1, 1, 1, 2, 2])


@pytest.mark.parametrize("n, k", [(10, 3), (7, 7), (100, 30), (31, 2)])
def test_balanced_assignment_sizes_differ_by_at_most_one(n, k):
    distances = np.random.default_rng(n + k).random((n, k))
    sizes = np.bincount(balanced_assignment(distances), minlength=k)
    assert sizes.sum() == n and sizes.max() - sizes.min() <= 1 and sizes.min() == n // k


def test_50_principal_components_keep_most_of_the_pixels_variance(mnist_arrays):
    images = mnist_arrays["x_train"][:1000]
    points = principal_components(images, components=50)
    assert points.shape == (1000, 50) and points.dtype == np.float32
    np.testing.assert_allclose(points.mean(axis=0), 0.0, atol=1e-4)
    pixels = images.reshape(1000, -1) / 255.0
    kept = points.var(axis=0).sum() / pixels.var(axis=0).sum()
    # 50 of 784 directions keep about 80% (random directions would keep about 6%).
    assert 0.7 < kept <= 1.0, kept


def test_clusters_are_equal_sized_repeatable_and_group_like_digits(mnist_arrays):
    images, digits = mnist_arrays["x_train"][:2000], mnist_arrays["y_train"][:2000]
    clusters = cluster_images(images, clusters=20, seed=3)
    assert clusters.dtype == np.int32 and clusters.shape == (2000,)
    np.testing.assert_array_equal(np.bincount(clusters, minlength=20), 100)
    np.testing.assert_array_equal(cluster_images(images, clusters=20, seed=3), clusters)
    # The labels are never used, yet most of a cluster is one digit: the majority digit covers
    # about 70% of the images here, where groups drawn at random would give about 20%.
    majority = sum(np.bincount(digits[clusters == j]).max() for j in range(20)) / len(images)
    assert majority > 0.55, majority


def test_cluster_images_names_the_fix():
    images = np.zeros((5, 28, 28), np.uint8)
    with pytest.raises(ValueError, match="Cannot make 6 clusters of 5 images"):
        cluster_images(images, clusters=6)
    with pytest.raises(ValueError, match="clusters"):
        cluster_images(images, clusters=1)
