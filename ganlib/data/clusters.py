"""Groups of similar training images, found without labels: what the `clustered` preset
conditions its GAN on.

A class-conditional GAN learns each class's images separately (one simple distribution a class,
not one tangled distribution of all of them), and on MNIST it reaches clean digits much sooner
than an unconditional one. Self-conditioning (Liu et al., 2020, "Diverse image generation via
self-conditioned GANs") keeps that advantage without labels: group the training images into
clusters and condition on the cluster instead of the class. The generator then draws a cluster
and an image from it, which is an unconditional model of the images, trained from pixels only.

`cluster_images(images, clusters, seed)` groups the images by k-means on their first principal
components. Every cluster gets the same number of images (give or take one), so a generator that
asks for the clusters in turn (`ganlib.models.generate` does) draws each one as often as the
training images hold it.
"""

import numpy as np

from ganlib.core.arguments import whole_number
from ganlib.core.pixels import check_pixels


def principal_components(images, components=50):
    """Project uint8 images `(n, 28, 28)` onto their first `components` principal directions:
    float32 `(n, components)`, centred."""
    pixels = check_pixels(images).reshape(len(images), -1).astype("float32") / 255.0  # (n, 784)
    pixels -= pixels.mean(axis=0)
    components = min(whole_number("components", components), pixels.shape[1])
    _, _, directions = np.linalg.svd(pixels[::4], full_matrices=False)  # a quarter is plenty
    return pixels @ directions[:components].T


def _squared_distances(points, centres):
    """`(n, k)` squared distances from every point to every centre."""
    distances = ((points ** 2).sum(axis=1)[:, None] - 2.0 * points @ centres.T
                 + (centres ** 2).sum(axis=1)[None, :])
    return np.maximum(distances, 0.0)  # rounding can leave tiny negatives


def _first_centres(points, clusters, rng):
    """k-means++ seeding: each new centre is a point drawn with probability proportional to its
    squared distance from the nearest centre chosen so far."""
    centres = [points[rng.integers(len(points))]]
    nearest = _squared_distances(points, centres[0][None])[:, 0]
    for _ in range(clusters - 1):
        centres.append(points[rng.choice(len(points), p=nearest / nearest.sum())])
        nearest = np.minimum(nearest, _squared_distances(points, centres[-1][None])[:, 0])
    return np.stack(centres)


def balanced_assignment(distances):
    """Assign each of n points to one of k clusters, every cluster getting n // k or n // k + 1.

    Rounds of deferred acceptance: every unassigned point asks for its nearest cluster that still
    has room, and each cluster keeps the closest of those that ask, up to its room. A cluster that
    fills up is closed, so there are at most k rounds. `distances`: `(n, k)`; returns int `(n,)`.
    """
    n, k = distances.shape
    room = np.full(k, n // k)
    room[:n % k] += 1
    assignment = np.full(n, -1)
    while (assignment < 0).any():
        waiting = np.flatnonzero(assignment < 0)
        asked = np.where(room > 0, distances[waiting], np.inf).argmin(axis=1)
        for cluster in np.unique(asked):
            askers = waiting[asked == cluster]
            kept = askers[np.argsort(distances[askers, cluster], kind="stable")[:room[cluster]]]
            assignment[kept] = cluster
            room[cluster] -= len(kept)
    return assignment


def cluster_images(images, clusters=30, seed=0, components=50, iterations=20):
    """Group uint8 images `(n, 28, 28)` into `clusters` equal-sized groups of similar images.

    k-means (k-means++ seeding, then `iterations` rounds of Lloyd's algorithm) on the images'
    first `components` principal components, then five more rounds in which every cluster takes
    the same number of images (`balanced_assignment`). No labels are used.

    Returns int32 `(n,)`: each image's cluster, 0..clusters-1. The same `seed` gives the same
    clusters.
    """
    clusters = whole_number("clusters", clusters, 2)
    if clusters > len(images):
        raise ValueError(f"Cannot make {clusters} clusters of {len(images)} images: use at most "
                         f"{len(images)} clusters, or more images.")
    points = principal_components(images, components)  # (n, components)
    rng = np.random.default_rng(seed)
    centres = _first_centres(points, clusters, rng)  # (clusters, components)
    for round_ in range(iterations + 5):
        distances = _squared_distances(points, centres)  # (n, clusters)
        assignment = distances.argmin(axis=1) if round_ < iterations \
            else balanced_assignment(distances)
        # A cluster left empty by plain k-means keeps its old centre.
        centres = np.stack([points[assignment == j].mean(axis=0) if (assignment == j).any()
                            else centres[j] for j in range(clusters)])
    return assignment.astype("int32")
