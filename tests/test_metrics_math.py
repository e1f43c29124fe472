"""The metrics' arithmetic against closed forms and hand-computed cases: FID, KID, precision
and recall, the softmax scores and nearest-neighbour distances, on made-up features (fast, and
what `make mutation` runs against ganlib/evaluation/ and ganlib/core/pixels.py)."""

import numpy as np
import pytest
import scipy.linalg

from ganlib import evaluation as metrics

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
