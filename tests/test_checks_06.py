"""The exercise checks of 06_evaluation: each accepts a correct answer, rejects a specific wrong
one (returns False, saying why), and never raises on the stub a learner starts from."""

import numpy as np
import pytest

from ganlib import checks, metrics


def stub_returning_none(*args, **kwargs):
    return None


def stub_raising(*args, **kwargs):
    raise NotImplementedError("write your code here")


@pytest.mark.parametrize("check", [checks.frechet_distance_1d, checks.mmd2_unbiased,
                                   checks.knn_precision])
@pytest.mark.parametrize("stub", [stub_returning_none, stub_raising])
def test_a_stub_fails_without_raising(check, stub, capsys):
    assert check(stub) is False
    assert "not yet" in capsys.readouterr().out


# --- frechet_distance_1d --------------------------------------------------------------------

def frechet_1d(mu1, sigma1, mu2, sigma2):
    return (mu1 - mu2) ** 2 + (sigma1 - sigma2) ** 2


def frechet_1d_from_library(mu1, sigma1, mu2, sigma2):
    return np.float32(metrics.frechet_distance_from_stats([mu1], [[sigma1 ** 2]], [mu2],
                                                          [[sigma2 ** 2]]))


def frechet_1d_square_root(mu1, sigma1, mu2, sigma2):
    return np.sqrt(frechet_1d(mu1, sigma1, mu2, sigma2))


def frechet_1d_variances(mu1, sigma1, mu2, sigma2):
    return (mu1 - mu2) ** 2 + sigma1 + sigma2 - 2 * np.sqrt(sigma1 * sigma2)


def frechet_1d_means_only(mu1, sigma1, mu2, sigma2):
    return (mu1 - mu2) ** 2


@pytest.mark.parametrize("reference", [frechet_1d, frechet_1d_from_library])
def test_frechet_distance_1d_accepts_a_correct_answer(reference, capsys):
    assert checks.frechet_distance_1d(reference) is True
    assert "all tests pass" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [(frechet_1d_square_root, "FID is its square"),
                                           (frechet_1d_variances, "standard deviations"),
                                           (frechet_1d_means_only, "only the means")])
def test_frechet_distance_1d_rejects_a_wrong_answer_and_says_why(wrong, reason, capsys):
    assert checks.frechet_distance_1d(wrong) is False
    assert reason in capsys.readouterr().out


def test_frechet_distance_1d_rejects_an_array(capsys):
    assert checks.frechet_distance_1d(lambda *args: np.zeros(3)) is False
    assert "expected one number" in capsys.readouterr().out


# --- mmd2_unbiased --------------------------------------------------------------------------

def kernel(x, y):
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2(x, y):
    m = len(x)
    off_diagonal = lambda matrix: matrix.sum() - np.trace(matrix)  # noqa: E731
    return ((off_diagonal(kernel(x, x)) + off_diagonal(kernel(y, y))) / (m * (m - 1))
            - 2.0 * kernel(x, y).mean())


def mmd2_with_loops(x, y):
    m, d = x.shape
    k = lambda a, b: (np.dot(a, b) / d + 1.0) ** 3  # noqa: E731
    within = sum(k(x[i], x[j]) + k(y[i], y[j]) for i in range(m) for j in range(m) if i != j)
    between = sum(k(x[i], y[j]) for i in range(m) for j in range(m))
    return within / (m * (m - 1)) - 2.0 * between / m ** 2


def mmd2_biased(x, y):
    return kernel(x, x).mean() + kernel(y, y).mean() - 2.0 * kernel(x, y).mean()


def mmd2_without_division(x, y):
    return mmd2(x * np.sqrt(x.shape[1]), y * np.sqrt(x.shape[1]))


@pytest.mark.parametrize("reference", [mmd2, mmd2_with_loops])
def test_mmd2_unbiased_accepts_a_correct_answer(reference, capsys):
    assert checks.mmd2_unbiased(reference) is True
    assert "all tests pass" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [(mmd2_biased, "biased estimate"),
                                           (mmd2_without_division, "divides x . y by d")])
def test_mmd2_unbiased_rejects_a_wrong_answer_and_says_why(wrong, reason, capsys):
    assert checks.mmd2_unbiased(wrong) is False
    assert reason in capsys.readouterr().out


def test_the_reference_mmd2_is_kid_on_one_full_subset():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 4))
    assert np.isclose(mmd2(x, y), metrics.kernel_distance(x, y).mean)


# --- knn_precision --------------------------------------------------------------------------

def radii(points, k, skip_self=True):
    distances = np.linalg.norm(points[:, None] - points[None, :], axis=-1)
    return np.sort(distances, axis=1)[:, k if skip_self else k - 1]


def precision_by_hand(real, fake, k=3):
    between = np.linalg.norm(fake[:, None] - real[None, :], axis=-1)
    return float(np.mean((between <= radii(real, k)[None, :]).any(axis=1)))


def precision_self_counted(real, fake, k=3):
    between = np.linalg.norm(fake[:, None] - real[None, :], axis=-1)
    return float(np.mean((between <= radii(real, k, skip_self=False)[None, :]).any(axis=1)))


def recall_instead(real, fake, k=3):
    return metrics.precision_recall(real, fake, k=k).recall


def precision_ignoring_k(real, fake, k=3):
    return precision_by_hand(real, fake, 3)


@pytest.mark.parametrize("reference", [
    precision_by_hand, lambda real, fake, k=3: metrics.precision_recall(real, fake, k=k).precision])
def test_knn_precision_accepts_a_correct_answer(reference, capsys):
    assert checks.knn_precision(reference) is True
    assert "all tests pass" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [(precision_self_counted, "not its own neighbour"),
                                           (recall_instead, "that is recall"),
                                           (precision_ignoring_k, "does not change with k")])
def test_knn_precision_rejects_a_wrong_answer_and_says_why(wrong, reason, capsys):
    assert checks.knn_precision(wrong) is False
    assert reason in capsys.readouterr().out
