"""Label-free clusters (`ganlib.data.clusters`): what the `clustered` preset conditions on.

Fast tests only (`tests/mutation.py` runs them against every mutant); the preset's training run
is in `tests/test_conditional.py`."""

import numpy as np
import pytest

from ganlib.data import cluster_images
from ganlib.data.clusters import (_first_centres, _squared_distances, balanced_assignment,
                                  principal_components)


def blobs(per_blob=50, spread=0.01, seed=0):
    """Four tight groups of 2-D points at the corners of a 10 x 10 square: `(4 * per_blob, 2)`,
    and each point's group."""
    rng = np.random.default_rng(seed)
    corners = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    groups = np.repeat(np.arange(4), per_blob)
    return corners[groups] + spread * rng.standard_normal((len(groups), 2)), groups


def test_squared_distances_match_a_direct_computation():
    rng = np.random.default_rng(0)
    points, centres = rng.standard_normal((7, 3)), rng.standard_normal((4, 3))
    direct = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)  # (7, 4)
    np.testing.assert_allclose(_squared_distances(points, centres), direct, atol=1e-12)
    # A point on a centre is at distance 0, never a rounding error below it.
    assert _squared_distances(centres[:1] * 1e3, centres[:1] * 1e3)[0, 0] == 0.0


def test_kmeans_plus_plus_seeds_one_centre_in_each_far_apart_group():
    points, groups = blobs()
    for seed in range(5):
        centres = _first_centres(points, 4, np.random.default_rng(seed))  # (4, 2)
        nearest_group = np.round(centres / 10.0) @ np.array([1, 2])  # corner -> group 0..3
        assert sorted(nearest_group.astype(int)) == [0, 1, 2, 3], (seed, centres)


def test_balanced_assignment_gives_every_cluster_its_share_and_each_point_its_nearest_room():
    # Twelve points, three clusters centred at 0, 1 and 10: room for four each. Six points ask
    # for cluster 0, which keeps its four closest; 0.4 and 0.5 ask again and only cluster 2 has
    # room left, because cluster 1 filled up with the four points nearest it.
    points = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 10.0, 10.1])
    distances = (points[:, None] - np.array([0.0, 1.0, 10.0])[None, :]) ** 2  # (12, 3)
    assignment = balanced_assignment(distances)
    np.testing.assert_array_equal(assignment, [0, 0, 0, 0, 2, 2, 1, 1, 1, 1, 2, 2])
    # The order the points come in changes nothing: a cluster keeps its closest askers.
    order = np.random.default_rng(0).permutation(len(points))
    np.testing.assert_array_equal(balanced_assignment(distances[order]), assignment[order])


@pytest.mark.parametrize("n, k", [(10, 3), (7, 7), (100, 30), (31, 2)])
def test_balanced_assignment_sizes_differ_by_at_most_one(n, k):
    distances = np.random.default_rng(n + k).random((n, k))
    sizes = np.bincount(balanced_assignment(distances), minlength=k)
    assert sizes.sum() == n and sizes.max() - sizes.min() <= 1 and sizes.min() == n // k


def test_principal_components_are_the_centred_pixels_projected_on_their_top_directions(
        mnist_arrays):
    images = mnist_arrays["x_train"][:400]
    pixels = images.reshape(400, -1) / 255.0  # (400, 784) in [0, 1]
    centred = pixels - pixels.mean(axis=0)
    # The directions come from every fourth image; the top ones are nearly those of all images.
    directions = np.linalg.svd(centred[::4], full_matrices=False)[2][:5]  # (5, 784)
    np.testing.assert_allclose(principal_components(images, components=5), centred @ directions.T,
                               rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="components must be a whole number of at least 1"):
        principal_components(images, components=0)


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


def test_cluster_images_finds_groups_of_copies_of_four_pictures():
    # Four different pictures, each copied 25 times with a few pixels changed: the clusters must
    # be exactly the four pictures, whichever seed starts k-means.
    rng = np.random.default_rng(0)
    pictures = rng.integers(0, 256, (4, 28, 28)).astype(np.uint8)
    which = np.repeat(np.arange(4), 25)
    images = pictures[which].copy()
    images[:, 0, :5] = rng.integers(0, 256, (100, 5))
    for seed in range(3):
        clusters = cluster_images(images, clusters=4, seed=seed, components=10)
        for picture in range(4):  # every copy of a picture in one cluster, and only them
            assert len(set(clusters[which == picture])) == 1
        assert len(set(clusters)) == 4


def test_the_defaults_are_30_clusters_50_components_seed_0_and_20_rounds(mnist_arrays):
    images = mnist_arrays["x_train"][:600]
    np.testing.assert_array_equal(cluster_images(images),
                                  cluster_images(images, 30, seed=0, components=50, iterations=20))
    # (k-means has settled long before 20 rounds here, so 21 would give the same clusters.)
    for changed in ({"clusters": 31}, {"seed": 1}, {"components": 51}):
        arguments = {"clusters": 30, "seed": 0, "components": 50, "iterations": 20, **changed}
        assert not np.array_equal(cluster_images(images, **arguments), cluster_images(images))


def test_as_many_clusters_as_images_puts_each_image_alone():
    images = np.random.default_rng(1).integers(0, 256, (6, 28, 28)).astype(np.uint8)
    assert sorted(cluster_images(images, clusters=6)) == list(range(6))


def test_cluster_images_names_the_fix():
    images = np.zeros((5, 28, 28), np.uint8)
    with pytest.raises(ValueError, match="Cannot make 6 clusters of 5 images"):
        cluster_images(images, clusters=6)
    with pytest.raises(ValueError, match="clusters must be a whole number of at least 2, not 1"):
        cluster_images(images, clusters=1)
