"""Checks for 08_evaluation's exercises: frechet_distance_1d, mmd2_unbiased, knn_precision.

Every expected value is a NumPy formula written here in float64, never `ganlib`'s metrics:
FID between 1-D Gaussians in closed form, the unbiased MMD^2 with KID's cubic kernel in its
two common forms (KID's, which averages k(x_i, y_j) over all pairs, and Gretton et al.'s
MMD^2_u, which leaves out i = j there too; both are unbiased, and both pass), and k-NN
precision from a distance table.
"""

import numpy as np

from ganlib.exercises.report import (Diagnosis, When, any_of, as_number, call, diagnose,
                                     exercise)


@exercise("frechet_distance_1d")
def frechet_distance_1d(function):
    """Check `function(mu1, sigma1, mu2, sigma2) -> float`: FID between two 1-D Gaussians.

    `sigma1` and `sigma2` are standard deviations. Expected: with d = 1 the general formula
    (mu1 - mu2)^2 + sigma1^2 + sigma2^2 - 2 sqrt(sigma1^2 sigma2^2), which is
    (mu1 - mu2)^2 + (sigma1 - sigma2)^2; tried on five pairs of Gaussians.
    """
    for mu1, sigma1, mu2, sigma2 in ((0.0, 1.0, 0.0, 1.0), (1.0, 0.5, -1.0, 2.0),
                                     (0.0, 1.0, 3.0, 1.0), (0.0, 1.0, 0.0, 2.0),
                                     (2.5, 3.0, 0.5, 0.2)):
        name = f"N({mu1}, {sigma1}^2) vs N({mu2}, {sigma2}^2)"
        value = as_number(call(function, mu1, sigma1, mu2, sigma2), name)
        means, variances = (mu1 - mu2) ** 2, sigma1 ** 2 + sigma2 ** 2
        expected = means + (sigma1 - sigma2) ** 2
        diagnose(value, expected, [
            Diagnosis("square_root", np.sqrt(expected),
                      "that is a distance's square root; FID is the squared distance"),
            Diagnosis("variances", means + sigma1 + sigma2 - 2.0 * np.sqrt(sigma1 * sigma2),
                      "sigma1 and sigma2 were used as variances; they are standard deviations"),
            Diagnosis("means_only", means, "only the means were compared; the spreads count too"),
            Diagnosis("no_cross_term", means + variances,
                      "the trace term lacks its -2 sqrt(sigma1^2 sigma2^2) part"),
            Diagnosis("cross_term_halved", means + variances - sigma1 * sigma2,
                      "the cross term needs its factor 2"),
            Diagnosis("absolute_means", abs(mu1 - mu2) + (sigma1 - sigma2) ** 2,
                      "the means' difference is squared, like the spreads'")],
            f"{name}: got {value:.4f}", f"expected {expected:.4f}", tolerance=1e-6)
    return "matches (mu1 - mu2)^2 + (sigma1 - sigma2)^2 on five pairs of Gaussians"


def _kernel(x, y, degree=3, divide=True):
    """KID's polynomial kernel (x . y / d + 1)^3 for all pairs of rows: (m, d), (n, d) -> (m, n)."""
    return (x @ y.T / (x.shape[1] if divide else 1.0) + 1.0) ** degree


def _off_diagonal_sum(matrix):
    return matrix.sum() - np.trace(matrix)


def mmd2_forms(x, y, **kernel_options):
    """The unbiased MMD^2 in KID's form and in Gretton et al.'s MMD^2_u form."""
    m = len(x)
    xx, yy, xy = (_kernel(a, b, **kernel_options) for a, b in ((x, x), (y, y), (x, y)))
    within = (_off_diagonal_sum(xx) + _off_diagonal_sum(yy)) / (m * (m - 1))
    return (within - 2.0 * xy.mean(),
            within - 2.0 * _off_diagonal_sum(xy) / (m * (m - 1)))


@exercise("mmd2_unbiased")
def mmd2_unbiased(function):
    """Check `function(x, y) -> float`: the unbiased MMD^2 estimate on two `(m, d)` arrays.

    Kernel `k(a, b) = (a . b / d + 1)^3`; the within-sample sums leave out the diagonal terms
    k(x_i, x_i) and k(y_i, y_i) and are divided by m (m - 1). The cross term may average
    k(x_i, y_j) over all m^2 pairs (KID's form) or over the pairs i != j (Gretton et al.'s
    MMD^2_u): both are unbiased and both pass. Tried on two samples of one distribution and on
    two of different ones (m = 12, d = 5).
    """
    rng = np.random.default_rng(6)
    x = rng.normal(size=(12, 5))
    for name, y in (("one distribution", rng.normal(size=(12, 5))),
                    ("different distributions", rng.normal(0.7, 1.2, size=(12, 5)))):
        value = as_number(call(function, x.copy(), y.copy()), name)
        kid, gretton = mmd2_forms(x, y)
        xx, yy, xy = (_kernel(a, b) for a, b in ((x, x), (y, y), (x, y)))
        diagnose(value, kid, [
            Diagnosis("biased", xx.mean() + yy.mean() - 2.0 * xy.mean(),
                      "that is the biased estimate: the diagonal terms k(x_i, x_i) and "
                      "k(y_i, y_i) stay in; why do they push two samples of one "
                      "distribution apart?"),
            Diagnosis("divided_by_m_squared", (_off_diagonal_sum(xx) + _off_diagonal_sum(yy))
                      / len(x) ** 2 - 2.0 * xy.mean(),
                      "the diagonal is left out, but m^2 is no longer the number of terms"),
            Diagnosis("no_division", any_of(mmd2_forms(x, y, divide=False)),
                      "the kernel divides a . b by d, the number of features"),
            Diagnosis("quadratic", any_of(mmd2_forms(x, y, degree=2)),
                      "the kernel is cubic: (a . b / d + 1) to the third power")],
            f"{name}: got {value:.4f}", f"expected {kid:.4f} (or {gretton:.4f} with the "
                                        "cross term's diagonal left out too)", accept=(gretton,))
    return "an unbiased MMD^2 with the cubic kernel, on samples of one and of two distributions"


def _distances(first, second):
    """Euclidean distances between all rows: (m, d), (n, d) -> (m, n)."""
    return np.linalg.norm(first[:, None, :] - second[None, :, :], axis=-1)


def knn_share(points, balls, k, skip_self=True):
    """Share of `points` inside at least one ball around a row of `balls`, each ball reaching
    to its k-th nearest other row of `balls` (the k-th nearest row itself with skip_self off)."""
    radii = np.sort(_distances(balls, balls))[:, k if skip_self else k - 1]  # Rows sorted.
    return float(np.mean((_distances(points, balls) <= radii[None, :]).any(axis=1)))


@exercise("knn_precision")
def knn_precision(function):
    """Check `function(real, fake, k=3) -> float`: the share of fakes inside the real k-NN balls.

    Each real point's ball reaches to its k-th nearest *other* real point; a fake counts when it
    lies inside (or on) at least one ball. Tried on made-up 2-D points, 40 real and 30 fake,
    with k=3, k=5, and k left at its default, 3.
    """
    rng = np.random.default_rng(4)
    real = rng.normal(size=(40, 2))  # (40, 2)
    fake = rng.normal((0.8, 0.4), 1.0, size=(30, 2))  # (30, 2)
    for name, k, arguments in (("k=3", 3, {"k": 3}), ("k=5", 5, {"k": 5}),
                               ("k left out", 3, {})):
        value = as_number(call(function, real.copy(), fake.copy(), **arguments), name)
        expected = knn_share(fake, real, k)
        radii = np.sort(_distances(real, real))[:, k]
        diagnose(value, expected, [
            Diagnosis("default_k", When(lambda _: not arguments),
                      "without k, the default k=3 should apply"),
            Diagnosis("self_counted", knn_share(fake, real, k, skip_self=False),
                      "the balls are too small: a point is not its own neighbour"),
            Diagnosis("recall", knn_share(real, fake, k),
                      "that is recall, real points inside the fakes' balls; precision asks "
                      "about the fakes"),
            Diagnosis("balls_counted", float(np.mean((_distances(fake, real) <= radii).any(
                axis=0))), "that is the share of real balls holding a fake; count the fakes "
                           "instead"),
            Diagnosis("ignores_k", knn_share(fake, real, 8 - k),
                      "the result does not follow k: use the k-th nearest neighbour")],
            f"{name}: got {value:.4f}", f"expected {expected:.4f}")
    return "the share of fakes inside the real k-NN balls, for k=3, k=5 and the default k=3"
