"""The metrics' arithmetic against closed forms and hand-computed cases: FID, KID, precision
and recall, the softmax scores and nearest-neighbour distances, on made-up features (fast, and
what `make mutation` runs against ganlib/evaluation/ and ganlib/core/pixels.py)."""

import warnings

import numpy as np
import pytest
import scipy.linalg

from ganlib import evaluation as metrics
from ganlib.evaluation import distances, neighbours  # the modules, for their private helpers

# --- Frechet distance ---------------------------------------------------------------------------

def test_frechet_distance_one_dimensional_closed_form():
    # In 1-D, d^2 = (m1 - m2)^2 + (s1 - s2)^2: here 2^2 + (2 - 3)^2 = 5.
    assert metrics.frechet_distance_from_stats([1.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(5.0)


def test_frechet_distance_diagonal_closed_form():
    mean_a, mean_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    variances_a, variances_b = np.array([1.0, 4.0, 0.25]), np.array([4.0, 4.0, 1.0])
    # For commuting (here diagonal) covariances each axis adds (m_a - m_b)^2 + (s_a - s_b)^2.
    expected = np.sum((mean_a - mean_b) ** 2 + (np.sqrt(variances_a) - np.sqrt(variances_b)) ** 2)
    assert expected == pytest.approx(1 + 0 + 4 + 1 + 0 + 0.25)
    value = metrics.frechet_distance_from_stats(mean_a, np.diag(variances_a),
                                                mean_b, np.diag(variances_b))
    assert value == pytest.approx(expected)


def random_covariance(rng, dimension):
    factor = rng.standard_normal((dimension, dimension))
    return factor @ factor.T / dimension + 0.1 * np.eye(dimension)


def test_frechet_distance_matches_independent_symmetric_formula():
    # An independent route to the same number: trace((s1 s2)^(1/2)) equals the trace of the
    # square root of the symmetric matrix s1^(1/2) s2 s1^(1/2), computed from eigenvalues.
    rng = np.random.default_rng(1)
    dimension = 12
    sigma1, sigma2 = random_covariance(rng, dimension), random_covariance(rng, dimension)
    mu1, mu2 = rng.standard_normal(dimension), rng.standard_normal(dimension)
    root1 = scipy.linalg.sqrtm(sigma1).real
    eigenvalues = np.linalg.eigvalsh(root1 @ sigma2 @ root1)
    expected = (np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2)
                - 2 * np.sum(np.sqrt(np.clip(eigenvalues, 0, None))))
    assert metrics.frechet_distance_from_stats(mu1, sigma1, mu2, sigma2) == pytest.approx(
        expected, rel=1e-8)


def test_frechet_distance_of_gaussian_samples_approaches_the_closed_form():
    # Samples of N(0, I) and N(1, 4 I) in 4-D: d^2 = 4 * 1^2 + 4 * (1 - 2)^2 = 8.
    rng = np.random.default_rng(2)
    features_a = rng.standard_normal((100_000, 4))
    features_b = 1.0 + 2.0 * rng.standard_normal((100_000, 4))
    assert metrics.frechet_distance(features_a, features_b) == pytest.approx(8.0, abs=0.1)


def test_frechet_distance_of_identical_sets_is_zero_and_grows_with_a_shift():
    features = np.random.default_rng(3).standard_normal((500, 16))
    assert abs(metrics.frechet_distance(features, features)) < 1e-6
    # Shifting every feature by 0.5 adds exactly 16 * 0.25 to the distance.
    assert metrics.frechet_distance(features, features + 0.5) == pytest.approx(4.0, abs=1e-6)


def test_frechet_distance_handles_singular_covariances():
    # 10 images and 16 features: the covariances are singular, which sqrtm copes with.
    features = np.random.default_rng(4).standard_normal((10, 16))
    value = metrics.frechet_distance(features, features[::-1] * 1.5)
    assert np.isfinite(value) and value > 0


# --- Kernel distance ----------------------------------------------------------------------------

def test_kernel_distance_exact_small_cases():
    # d = 1, k(x, y) = (x y + 1)^3, X = {0, 1}, Y = {2, 3}:
    # within X: k(0, 1) = 1; within Y: k(2, 3) = 343; across: 1 + 1 + 27 + 64 = 93.
    # MMD^2 = 2 * 1 / 2 + 2 * 343 / 2 - 2 * 93 / 4 = 1 + 343 - 46.5 = 297.5.
    kid = metrics.kernel_distance([[0.0], [1.0]], [[2.0], [3.0]], subsets=5)
    assert kid.mean == pytest.approx(297.5) and kid.std == 0.0
    # d = 2 (the kernel divides x.y by 2): within X and within Y: (0 + 1)^3 = 1 each;
    # across: 1.5^3 + 1 + 1.5^3 + 1 = 8.75. MMD^2 = 1 + 1 - 2 * 8.75 / 4 = -2.375: the
    # unbiased estimate may be negative.
    kid = metrics.kernel_distance([[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [0.0, 0.0]])
    assert kid.mean == pytest.approx(-2.375)


def test_kernel_distance_is_unbiased_for_one_distribution():
    # Many independent pairs of small samples of one distribution: the estimates average to 0,
    # while the biased estimate (diagonals kept) is clearly positive at this sample size.
    rng = np.random.default_rng(5)
    unbiased, biased = [], []
    for _ in range(300):
        x, y = rng.standard_normal((20, 4)), rng.standard_normal((20, 4))
        unbiased.append(metrics.kernel_distance(x, y).mean)
        kernel = lambda a, b: (a @ b.T / 4 + 1) ** 3  # noqa: E731
        biased.append(kernel(x, x).mean() + kernel(y, y).mean() - 2 * kernel(x, y).mean())
    standard_error = np.std(unbiased) / np.sqrt(len(unbiased))
    assert abs(np.mean(unbiased)) < 4 * standard_error
    assert np.mean(biased) > 10 * standard_error


def test_kernel_distance_subsets_are_seeded():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((300, 8)), rng.standard_normal((300, 8)) + 0.3
    first = metrics.kernel_distance(a, b, subsets=10, subset_size=100, seed=1)
    assert first == metrics.kernel_distance(a, b, subsets=10, subset_size=100, seed=1)
    assert first.mean > 0 and first.std > 0


# --- Precision and recall -----------------------------------------------------------------------

def test_precision_recall_hand_computed_case():
    real = np.arange(10.0)[:, None]  # 0..9 on a line: each ball has radius 1 for k = 1.
    fake = np.array([[0.5], [20.0]])  # Two fakes: each one's ball reaches the other (19.5).
    result = metrics.precision_recall(real, fake, k=1)
    assert result.precision == 0.5  # 0.5 lies in the real balls, 20 does not.
    assert result.recall == 1.0  # Every real point lies within 19.5 of 0.5.


def test_precision_recall_extremes_and_chunking():
    rng = np.random.default_rng(7)
    real = rng.standard_normal((300, 8))
    assert metrics.precision_recall(real, real.copy()) == (1.0, 1.0)
    assert metrics.precision_recall(real, real + 100.0) == (0.0, 0.0)
    fake = rng.standard_normal((250, 8)) * 1.5
    assert metrics.precision_recall(real, fake, chunk_size=7) == \
        metrics.precision_recall(real, fake, chunk_size=1000)


# --- Softmax scores ------------------------------------------------------------------------------

def test_classifier_score_histogram_and_coverage_on_hand_made_predictions():
    confident_and_balanced = np.eye(10)[np.arange(100) % 10]
    assert metrics.classifier_score(confident_and_balanced) == pytest.approx(10.0)
    assert metrics.class_balance(confident_and_balanced) == pytest.approx(1.0)
    assert metrics.classifier_score(np.eye(10)[np.zeros(50, int)]) == pytest.approx(1.0)
    assert metrics.classifier_score(np.full((50, 10), 0.1)) == pytest.approx(1.0)
    # Two digits, each for certain, equally often: exp(log 2) = 2.
    assert metrics.classifier_score(np.eye(10)[np.arange(40) % 2]) == pytest.approx(2.0)
    labels = np.array([0] * 30 + [1] * 20 + [2] * 50)
    histogram = metrics.class_histogram(np.eye(10)[labels])
    assert histogram.tolist() == [30, 20, 50, 0, 0, 0, 0, 0, 0, 0]
    assert metrics.class_balance(np.eye(10)[labels]) == 0.0
    labels = np.arange(100) % 10
    labels[np.flatnonzero(labels == 0)[:5]] = 3  # Digit 0 now 5 times in 100: 10 * 0.05 = 0.5.
    assert metrics.class_balance(np.eye(10)[labels]) == pytest.approx(0.5)


# --- Memorisation -------------------------------------------------------------------------------

def test_nearest_neighbour_distances_in_pixel_units():
    train = np.zeros((3, 28, 28), np.uint8)
    train[1, 0, 0] = 255
    train[2] = 255
    samples = train[:2].copy()
    samples[0, 5, 5] = 255  # One pixel away from train[0] by 1.0 in [0, 1] units.
    samples[1, 0, :4] = 255  # train[1] plus 3 more pixels: distance sqrt(3).
    distances = metrics.nearest_neighbour_distances(samples, train, chunk_size=1)
    np.testing.assert_allclose(distances, [1.0, np.sqrt(3.0)], atol=1e-5)
    # [-1, 1] floats mean the same images.
    assert metrics.nearest_neighbour_distances(train[:1].astype("float32") / 127.5 - 1, train)[0] \
        == pytest.approx(0.0, abs=1e-3)


# --- What `make mutation` showed untested (issue 10): edges, defaults and messages --------------


def test_feature_statistics_in_float64_and_named_in_errors():
    mean, covariance = metrics.feature_statistics(np.array([[0, 0], [2, 4]], np.int64))
    assert mean.tolist() == [1.0, 2.0] and covariance.tolist() == [[2.0, 4.0], [4.0, 8.0]]
    with pytest.raises(ValueError, match=r"^features have shape \(3,\); expected \(n, d\)"):
        metrics.feature_statistics(np.ones(3))


def test_square_root_rejects_an_inaccurate_root_at_any_scale():
    # [[0, 1], [0, 0]] has no square root: whatever sqrtm returns, squaring it misses by the
    # size of the matrix itself, tiny or not.
    nilpotent = np.array([[0.0, 1.0], [0.0, 0.0]])
    for scale in (1.0, 1e-10, 1e6):
        assert distances._square_root(nilpotent * scale) is None
    # An accurate root is kept at any scale (the tolerance is relative to the matrix).
    for scale in (1e-10, 1.0, 1e8):
        matrix = np.array([[4.0, 1.0], [1.0, 3.0]]) * scale
        root = distances._square_root(matrix)
        np.testing.assert_allclose(root @ root, matrix, rtol=1e-9)


def test_square_root_silences_only_sqrtm_linear_algebra_warnings(monkeypatch):
    sqrtm = scipy.linalg.sqrtm

    def warns(matrix):  # sqrtm, plus a warning that is not about a singular matrix
        warnings.warn("something else", RuntimeWarning)
        return sqrtm(matrix)

    monkeypatch.setattr(scipy.linalg, "sqrtm", warns)
    with pytest.warns(RuntimeWarning, match="something else"):
        distances._square_root(np.eye(2))


def test_frechet_distance_computes_in_float64_whatever_comes_in():
    # 2^24 + 1 is not a float32 sum: traces taken in float32 would lose the 1 and give -1, not 0.
    sigma = np.diag([2.0 ** 24, 1.0]).astype(np.float32)
    mean = np.zeros(2, np.float32)
    assert metrics.frechet_distance_from_stats(mean, sigma, mean, sigma) == 0.0


def test_frechet_distance_falls_back_to_eps_on_the_diagonals(monkeypatch):
    seen = []

    def first_fails(matrix):  # fails on sigma1 @ sigma2, works with eps added, as near-singular
        seen.append(matrix)
        return None if len(seen) % 2 else np.diag(np.sqrt(np.diag(matrix)))  # diagonal here

    monkeypatch.setattr(distances, "_square_root", first_fails)
    sigma1, sigma2 = np.diag([1.0, 0.0]), np.diag([0.0, 4.0])
    value = metrics.frechet_distance_from_stats([0, 0], sigma1, [0, 0], sigma2)
    eps = 1e-6  # the default
    np.testing.assert_array_equal(seen[1], (sigma1 + eps * np.eye(2)) @ (sigma2 + eps * np.eye(2)))
    # trace(sigma1 + sigma2) - 2 trace(sqrt(diag(eps (1 + eps), eps (4 + eps))))
    expected = 5.0 - 2.0 * (np.sqrt(eps * (1 + eps)) + np.sqrt(eps * (4 + eps)))
    assert value == pytest.approx(expected, rel=1e-12)
    value = metrics.frechet_distance_from_stats([0, 0], sigma1, [0, 0], sigma2, eps=0.25)
    assert seen[3].tolist() == (np.diag([1.25, 0.25]) @ np.diag([0.25, 4.25])).tolist()

    monkeypatch.setattr(distances, "_square_root", lambda matrix: None)
    with pytest.raises(ValueError) as error:
        metrics.frechet_distance_from_stats([0, 0], sigma1, [0, 0], sigma2)
    assert str(error.value) == (
        "No accurate square root of sigma1 @ sigma2 exists, even with eps added: check that the "
        "covariances are symmetric and positive semi-definite, or pass a larger eps.")


@pytest.mark.parametrize("imaginary, diagonal, fails", [
    (1e-9, 1.0, False),  # rounding: dropped
    (1e-3, 1.0, False),  # exactly the limit (1e-3 of max(1, the largest diagonal))
    (1.5e-3, 1.0, True),
    (1.5e-3, 0.1, True),  # below 1 the scale is 1
    (0.05, 100.0, False),  # the limit grows with the diagonal: 0.1 here
    (0.15, 100.0, True),
])
def test_frechet_distance_drops_only_a_small_imaginary_part(monkeypatch, imaginary, diagonal,
                                                             fails):
    root = np.diag([diagonal, diagonal]) + 1j * np.diag([imaginary, 0.0])
    monkeypatch.setattr(distances, "_square_root", lambda matrix: root)
    sigma = np.diag([diagonal, diagonal])  # root @ root is sigma @ sigma, up to the imaginary part
    if not fails:
        value = metrics.frechet_distance_from_stats([0, 0], sigma, [0, 0], sigma)
        assert isinstance(value, float) and value == pytest.approx(0.0, abs=1e-9)
        return
    with pytest.raises(ValueError) as error:
        metrics.frechet_distance_from_stats([0, 0], sigma, [0, 0], sigma)
    assert str(error.value) == (
        f"sqrtm(sigma1 @ sigma2) has an imaginary part of {imaginary:.3g}: the covariances are "
        "not valid (symmetric, positive semi-definite) or far too few images were used.")


def test_frechet_distance_names_each_bad_statistic():
    good_mean, good_sigma = [0.0, 0.0], np.eye(2)
    for mu1, mu2 in (([0.0, 0.0, 0.0], good_mean), (good_mean, [0.0, 0.0, 0.0])):
        with pytest.raises(ValueError) as error:
            metrics.frechet_distance_from_stats(mu1, good_sigma, mu2, good_sigma)
        shapes = (np.shape(mu1), np.shape(mu2))
        assert str(error.value) == (f"The means have shapes {shapes[0]} and {shapes[1]}; expected "
                                    "two vectors (d,) of the same length.")
    for sigma1, sigma2 in ((np.eye(3), good_sigma), (good_sigma, np.eye(3))):
        with pytest.raises(ValueError) as error:
            metrics.frechet_distance_from_stats(good_mean, sigma1, good_mean, sigma2)
        assert str(error.value) == (f"The covariances have shapes {sigma1.shape} and "
                                    f"{sigma2.shape}; expected (2, 2) to match the means.")
    for bad in range(4):
        values = [good_mean, good_sigma, good_mean, good_sigma]
        values[bad] = np.where(np.ones_like(values[bad]) > 0, np.nan, 0.0)
        with pytest.raises(ValueError) as error:
            metrics.frechet_distance_from_stats(*values)
        assert str(error.value) == ("The statistics contain NaN or infinite values: check the "
                                    "features.")


def test_kernel_distance_defaults_and_subset_sizes(monkeypatch):
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((1100, 2)), rng.standard_normal((1050, 2)) + 0.2
    assert metrics.kernel_distance(a, b) == metrics.kernel_distance(
        a, b, subsets=100, subset_size=1000, seed=0)
    # The subset size is capped by the smaller set, whichever it is.
    small = a[:5]
    assert metrics.kernel_distance(small, b) == metrics.kernel_distance(small, b, subset_size=5)
    assert metrics.kernel_distance(b, small) == metrics.kernel_distance(b, small, subset_size=5)
    # Subsets drawn without replacement: a subset of the whole of a 2-point set has both points.
    assert metrics.kernel_distance([[0.0], [1.0]], [[2.0], [3.0]], subsets=3, subset_size=2,
                                   seed=3).mean == pytest.approx(297.5)
    # Whole sets of equal size: one estimate, not `subsets` copies of it; unequal sizes: many.
    calls = []
    real_mmd = distances._mmd2_unbiased
    monkeypatch.setattr(distances, "_mmd2_unbiased",
                        lambda x, y: calls.append(len(x)) or real_mmd(x, y))
    metrics.kernel_distance(a[:10], b[:10], subsets=7)
    assert calls == [10]
    calls.clear()
    kid = metrics.kernel_distance(a[:10], b[:20], subsets=7)
    assert calls == [10] * 7 and kid.std > 0
    # The smallest subset is 2 (the unbiased estimate divides by m (m - 1)).
    assert metrics.kernel_distance(a, b, subsets=1, subset_size=2).std == 0.0
    for keyword, value, minimum in (("subsets", 0, 1), ("subset_size", 1, 2)):
        with pytest.raises(ValueError) as error:
            metrics.kernel_distance(a, b, **{keyword: value})
        assert str(error.value) == (f"{keyword} must be a whole number of at least {minimum}, "
                                    f"not {value!r}.")


# Independent brute-force references for the neighbour metrics: plain loops, no shortcuts.

def _kth_radius(points, index, k):
    others = sorted(float(np.sum((points[index] - point) ** 2))
                    for other, point in enumerate(points) if other != index)
    return others[k - 1]


def _brute_precision_recall(real, fake, k):
    real_radii = [_kth_radius(real, i, k) for i in range(len(real))]
    fake_radii = [_kth_radius(fake, i, k) for i in range(len(fake))]
    inside = lambda x, points, radii: any(  # noqa: E731
        np.sum((x - p) ** 2) <= r for p, r in zip(points, radii))
    return (np.mean([inside(f, real, real_radii) for f in fake]),
            np.mean([inside(r, fake, fake_radii) for r in real]))


def test_neighbour_radii_leave_out_the_point_itself():
    points = np.array([[0.0], [0.1], [0.3], [0.6]])  # squared gaps below 1
    for k in (1, 2, 3):
        expected = [_kth_radius(points, i, k) for i in range(4)]
        np.testing.assert_allclose(neighbours._neighbour_radii(points, k, 2), expected, atol=1e-12)


def test_precision_recall_counts_points_on_a_ball_boundary_as_inside():
    # Integer coordinates make every squared distance exact. Real 0..3 (k = 1: radius 1); the
    # fake at 4 lies exactly on the ball of 3. Fakes 4 and 6 have radius 4 (squared); the real
    # point 2 lies exactly on the ball of 4.
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    fake = np.array([[4.0], [6.0]])
    assert tuple(metrics.precision_recall(real, fake, k=1)) == (0.5, 0.5)
    assert tuple(metrics.precision_recall(real, fake, k=1)) == _brute_precision_recall(real, fake, 1)


def test_precision_recall_against_brute_force_with_the_paper_k():
    rng = np.random.default_rng(17)  # a draw where neither share is 0 or 1 and k matters
    real = rng.integers(-5, 6, (40, 2)).astype(float)  # many ties on purpose
    fake = rng.integers(-2, 4, (30, 2)).astype(float)
    expected = _brute_precision_recall(real, fake, 3)
    assert tuple(metrics.precision_recall(real, fake)) == expected  # k = 3 by default
    assert tuple(metrics.precision_recall(real, fake, k=3, chunk_size=7)) == expected
    assert 0 < expected[0] < 1 and 0 < expected[1] < 1
    assert tuple(metrics.precision_recall(real, fake, k=4)) == _brute_precision_recall(real, fake, 4)


def test_precision_recall_names_bad_arguments():
    real, fake = np.zeros((5, 2)), np.ones((5, 2))
    for keyword, value in (("k", 0), ("chunk_size", 0)):
        with pytest.raises(ValueError) as error:
            metrics.precision_recall(real, fake, **{keyword: value})
        assert str(error.value) == f"{keyword} must be a whole number of at least 1, not 0."
    # Each set needs k + 1 rows: a point and its k neighbours.
    for name, pair in (("real_features", (real[:3], fake)), ("fake_features", (real, fake[:3]))):
        with pytest.raises(ValueError) as error:
            metrics.precision_recall(*pair, k=3)
        assert str(error.value) == (f"{name} have 3 rows; this needs at least 4: pass more "
                                    "images.")
    assert tuple(metrics.precision_recall(real[:4], fake[:4], k=3)) == (0.0, 0.0)


def test_nearest_neighbour_distances_per_sample_with_the_default_chunks():
    train = np.zeros((2, 28, 28), np.uint8)
    samples = np.zeros((3, 28, 28), np.uint8)
    samples[1, 0, :4] = 255  # distance 2 from the blank training image
    samples[2, 0, :9] = 255  # distance 3
    np.testing.assert_allclose(metrics.nearest_neighbour_distances(samples, train), [0, 2, 3],
                               atol=1e-5)
    bad = np.full((1, 28, 28), 2.0, np.float32)
    for name, pair in (("samples", (bad, train)), ("train_images", (samples, bad))):
        with pytest.raises(ValueError, match=f"^{name} range from 2 to 2;"):
            metrics.nearest_neighbour_distances(*pair)
    with pytest.raises(ValueError, match="^chunk_size must be a whole number of at least 1"):
        metrics.nearest_neighbour_distances(samples, train, chunk_size=0)


def test_memorisation_check_by_hand():
    # Training set: blank images. Held-out images have 1..100 pixels lit, so their distances
    # are sqrt(1)..sqrt(100); the 1st percentile is numpy's linear interpolation, 1.99 ** 0.5.
    train = np.zeros((3, 28, 28), np.uint8)
    heldout = np.zeros((100, 28, 28), np.uint8)
    for index in range(100):
        heldout[index].flat[:index + 1] = 255
    samples = np.zeros((4, 28, 28), np.uint8)  # a copy (0), then 1, 2 and 16 pixels lit
    samples[1].flat[:1] = samples[2].flat[:2] = samples[3].flat[:16] = 255
    result = metrics.memorisation_check(samples, train, heldout)
    threshold = np.percentile(np.sqrt(np.arange(1, 101)), 1)
    assert result["near_copy_threshold"] == pytest.approx(threshold, rel=1e-5)
    assert threshold == pytest.approx(np.sqrt(1) + 0.99 * (np.sqrt(2) - 1))
    assert result["nn_distance"] == pytest.approx(np.median([0, 1, np.sqrt(2), 4]), rel=1e-5)
    assert result["baseline_nn_distance"] == pytest.approx(np.median(np.sqrt(np.arange(1, 101))),
                                                           rel=1e-5)
    assert result["near_copy_share"] == 0.5  # 0 and 1 are below the threshold, sqrt(2) is not
    assert result["baseline_near_copy_share"] == 0.01  # only the 1-pixel image
    assert set(result) == {"nn_distance", "baseline_nn_distance", "near_copy_share",
                           "baseline_near_copy_share", "near_copy_threshold"}
