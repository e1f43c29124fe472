"""How far apart two sets of image features are: FID and KID.

- `frechet_distance` ("FID-MNIST", Heusel et al. 2017): fit a Gaussian to each set of features
  and measure how far apart the two Gaussians are. Lower is better; 0 means equal statistics.
- `kernel_distance` ("KID-MNIST", Binkowski et al. 2018): an unbiased estimate of the squared
  maximum mean discrepancy with a cubic polynomial kernel. Like FID but unbiased in the number
  of samples, so small sample sets are comparable; it can be slightly negative.

Both depend on the number of images n (FID is biased upwards at small n): compare numbers
only at the same n. Statistics are computed in float64.
"""

import warnings
from typing import NamedTuple

import numpy as np
import scipy.linalg

from ganlib.evaluation.features import check_count, check_features, check_pair


class KernelDistance(NamedTuple):
    """KID: the mean of the unbiased MMD^2 estimates over subsets, and their standard deviation."""

    mean: float
    std: float


def feature_statistics(features):
    """Mean `(d,)` and covariance `(d, d)` of features `(n, d)`, in float64."""
    features = check_features(features, "features")
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
    features_a, features_b = check_pair(features_a, features_b)
    return frechet_distance_from_stats(*feature_statistics(features_a),
                                       *feature_statistics(features_b))


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
    features_a, features_b = check_pair(features_a, features_b)
    subsets = check_count(subsets, "subsets")
    subset_size = min(check_count(subset_size, "subset_size", 2), len(features_a), len(features_b))
    if subset_size == len(features_a) == len(features_b):
        subsets = 1
    rng = np.random.default_rng(seed)
    estimates = np.empty(subsets)
    for index in range(subsets):
        subset_a = features_a[rng.choice(len(features_a), subset_size, replace=False)]
        subset_b = features_b[rng.choice(len(features_b), subset_size, replace=False)]
        estimates[index] = _mmd2_unbiased(subset_a, subset_b)
    return KernelDistance(float(estimates.mean()), float(estimates.std()))
