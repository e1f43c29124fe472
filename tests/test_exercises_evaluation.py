"""The checks of 08_evaluation's exercises: right answers in several styles pass (both unbiased
forms of MMD^2 among them), each usual wrong answer fails with its own diagnosis and line, and
the notebook's stubs fail quietly. The NumPy references are also held against ganlib's
metrics, which the checks themselves never use."""

import numpy as np
import pytest

from ganlib.exercises import evaluation, solutions
from test_exercises_report import case_ids, cases, expect_verdict


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


# --- frechet_distance_1d ------------------------------------------------------------------------


def frechet_stub(mu1, sigma1, mu2, sigma2):
    """FID between the 1-D Gaussians N(mu1, sigma1^2) and N(mu2, sigma2^2)."""
    return None  # Your code here.


def frechet_general_formula(mu1, sigma1, mu2, sigma2):
    # |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)) with 1x1 covariances.
    s1, s2 = np.array([[sigma1 ** 2]]), np.array([[sigma2 ** 2]])
    return float(np.sum((np.array([mu1]) - np.array([mu2])) ** 2)
                 + np.trace(s1 + s2 - 2.0 * np.sqrt(s1 @ s2)))


FRECHET_WRONG = [
    (lambda mu1, s1, mu2, s2: np.sqrt((mu1 - mu2) ** 2 + (s1 - s2) ** 2), "square_root",
     "N(1.0, 0.5^2) vs N(-1.0, 2.0^2): got 2.5000 — that is a distance's square root; FID is the "
     "squared distance"),
    (lambda mu1, s1, mu2, s2: (mu1 - mu2) ** 2 + s1 + s2 - 2 * np.sqrt(s1 * s2), "variances",
     "N(1.0, 0.5^2) vs N(-1.0, 2.0^2): got 4.5000 — sigma1 and sigma2 were used as variances; "
     "they are standard deviations"),
    (lambda mu1, s1, mu2, s2: (mu1 - mu2) ** 2, "means_only",
     "N(1.0, 0.5^2) vs N(-1.0, 2.0^2): got 4.0000 — only the means were compared; the spreads "
     "count too"),
    (lambda mu1, s1, mu2, s2: (mu1 - mu2) ** 2 + s1 ** 2 + s2 ** 2, "no_cross_term",
     "N(0.0, 1.0^2) vs N(0.0, 1.0^2): got 2.0000 — the trace term lacks its -2 sqrt(sigma1^2 "
     "sigma2^2) part"),
    (lambda mu1, s1, mu2, s2: (mu1 - mu2) ** 2 + s1 ** 2 + s2 ** 2 - s1 * s2, "cross_term_halved",
     "N(0.0, 1.0^2) vs N(0.0, 1.0^2): got 1.0000 — the cross term needs its factor 2"),
    (lambda mu1, s1, mu2, s2: abs(mu1 - mu2) + (s1 - s2) ** 2, "absolute_means",
     "N(1.0, 0.5^2) vs N(-1.0, 2.0^2): got 4.2500 — the means' difference is squared, like the "
     "spreads'"),
    (lambda mu1, s1, mu2, s2: (mu1 - mu2) ** 2 + (s1 - s2) ** 2 + 1e-3, "mismatch",
     "N(0.0, 1.0^2) vs N(0.0, 1.0^2): got 0.0010 — expected 0.0000"),
    (lambda mu1, s1, mu2, s2: np.zeros(3), "not_one_number",
     "N(0.0, 1.0^2) vs N(0.0, 1.0^2) returned shape (3,), not one number — reduce it to one "
     "number"),
    (frechet_stub, "returned_none",
     "N(0.0, 1.0^2) vs N(0.0, 1.0^2) returned None — return the result"),
    (raising_stub, "raised", None),
]


def test_the_1d_formula_is_ganlibs_frechet_distance():
    from ganlib.evaluation import distances  # Only the test compares with the library.

    for mu1, sigma1, mu2, sigma2 in ((0.0, 1.0, 3.0, 1.0), (2.5, 3.0, 0.5, 0.2)):
        library = distances.frechet_distance_from_stats([mu1], [[sigma1 ** 2]], [mu2],
                                                        [[sigma2 ** 2]])
        assert np.isclose(library, solutions.frechet_distance_1d(mu1, sigma1, mu2, sigma2))


# --- mmd2_unbiased ------------------------------------------------------------------------------


def mmd2_stub(x, y):
    """The unbiased squared MMD between features x and y, both (m, d), with the cubic kernel."""
    return None  # Your code here.


def kernel(a, b):
    return (np.dot(a, b) / len(a) + 1.0) ** 3


def mmd2_gretton_loops(x, y):
    """Gretton et al.'s MMD^2_u: the mean over i != j of k(xi, xj) + k(yi, yj) - k(xi, yj) -
    k(xj, yi)."""
    m = len(x)
    total = sum(kernel(x[i], x[j]) + kernel(y[i], y[j]) - kernel(x[i], y[j]) - kernel(x[j], y[i])
                for i in range(m) for j in range(m) if i != j)
    return total / (m * (m - 1))


def mmd2_kid_loops(x, y):
    m = len(x)
    within = sum(kernel(x[i], x[j]) + kernel(y[i], y[j])
                 for i in range(m) for j in range(m) if i != j)
    between = sum(kernel(x[i], y[j]) for i in range(m) for j in range(m))
    return within / (m * (m - 1)) - 2.0 * between / m ** 2


def mmd2_gretton_vectorised(x, y):
    m, d = x.shape
    xx, yy, xy = ((a @ b.T / d + 1.0) ** 3 for a, b in ((x, x), (y, y), (x, y)))
    np.fill_diagonal(xx, 0.0), np.fill_diagonal(yy, 0.0), np.fill_diagonal(xy, 0.0)
    return (xx.sum() + yy.sum() - 2.0 * xy.sum()) / (m * (m - 1))


def mmd2_with(kernel_power=3, divide=True, within_divisor=None, diagonal=False):
    """A KID-form MMD^2 with the usual mistakes switched on."""
    def answer(x, y):
        m, d = x.shape
        xx, yy, xy = ((a @ b.T / (d if divide else 1.0) + 1.0) ** kernel_power
                      for a, b in ((x, x), (y, y), (x, y)))
        within = xx.sum() + yy.sum() - (0.0 if diagonal else np.trace(xx) + np.trace(yy))
        return within / (within_divisor or m * (m - 1)) - 2.0 * xy.mean()
    return answer


MMD_WRONG = [
    (mmd2_with(diagonal=True, within_divisor=144), "biased",
     "one distribution: got 1.8682 — that is the biased estimate: the diagonal terms k(x_i, x_i) "
     "and k(y_i, y_i) stay in; why do they push two samples of one distribution apart?"),
    (mmd2_with(within_divisor=144), "divided_by_m_squared",
     "one distribution: got 0.0759 — the diagonal is left out, but m^2 is no longer the number "
     "of terms"),
    (mmd2_with(divide=False), "no_division",
     "one distribution: got 20.5854 — the kernel divides a . b by d, the number of features"),
    (mmd2_with(kernel_power=2), "quadratic",
     "one distribution: got 0.1131 — the kernel is cubic: (a . b / d + 1) to the third power"),
    (mmd2_with(diagonal=True), "mismatch",
     "one distribution: got 2.2880 — expected 0.3328 (or 0.2770 with the cross term's "
     "diagonal left out too)"),
    (mmd2_stub, "returned_none", "one distribution returned None — return the result"),
    (raising_stub, "raised", None),
]


def test_the_two_forms_differ_and_both_are_unbiased():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(12, 5)), rng.normal(size=(12, 5))
    kid, gretton = evaluation.mmd2_forms(x, y)
    assert np.isclose(kid, mmd2_kid_loops(x, y)) and np.isclose(gretton, mmd2_gretton_loops(x, y))
    assert not np.isclose(kid, gretton)
    # Averaged over many pairs of samples of one distribution, both estimate 0.
    estimates = np.array([evaluation.mmd2_forms(rng.normal(size=(6, 2)), rng.normal(size=(6, 2)))
                          for _ in range(3000)])
    assert np.all(np.abs(estimates.mean(axis=0)) < 3.0 * estimates.std(axis=0) / np.sqrt(3000))


def test_the_kid_form_is_ganlibs_kernel_distance():
    from ganlib.evaluation import distances  # Only the test compares with the library.

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 4))
    assert np.isclose(evaluation.mmd2_forms(x, y)[0], distances.kernel_distance(x, y).mean)


# --- knn_precision ------------------------------------------------------------------------------


def knn_stub(real, fake, k=3):
    """Share of fake points inside the real k-nearest-neighbour balls, a float in [0, 1]."""
    return None  # Your code here.


def precision_with_loops(real, fake, k=3):
    radii = [sorted(np.linalg.norm(point - other) for other in real)[k] for point in real]
    inside = [any(np.linalg.norm(point - centre) <= radius for centre, radius in zip(real, radii))
              for point in fake]
    return sum(inside) / len(fake)


def precision_with(k_index=lambda k: k, roles=lambda real, fake: (real, fake), fixed_k=None,
                   count_balls=False, power=1):
    """k-NN precision with the usual mistakes switched on."""
    def answer(real, fake, k=3):
        k = fixed_k or k
        real, fake = roles(real, fake)
        distances = np.linalg.norm(real[:, None] - real[None], axis=-1) ** power
        radii = np.sort(distances, axis=1)[:, k_index(k)]
        inside = np.linalg.norm(fake[:, None] - real[None], axis=-1) <= radii
        return float(np.mean(inside.any(axis=0 if count_balls else 1)))
    return answer


KNN_WRONG = [
    (precision_with(k_index=lambda k: k - 1), "self_counted",
     "k=3: got 0.8333 — the balls are too small: a point is not its own neighbour"),
    (precision_with(roles=lambda real, fake: (fake, real)), "recall",
     "k=3: got 0.9500 — that is recall, real points inside the fakes' balls; precision asks "
     "about the fakes"),
    (precision_with(count_balls=True), "balls_counted",
     "k=3: got 0.6500 — that is the share of real balls holding a fake; count the fakes instead"),
    (precision_with(fixed_k=3), "ignores_k",
     "k=5: got 0.9000 — the result does not follow k: use the k-th nearest neighbour"),
    (precision_with(power=2), "mismatch", "k=3: got 0.7667 — expected 0.9000"),
    (lambda real, fake, k=5: solutions.knn_precision(real, fake, k), "default_k",
     "k left out: got 0.9333 — without k, the default k=3 should apply"),
    (knn_stub, "returned_none", "k=3 returned None — return the result"),
    (raising_stub, "raised", None),
]


def test_a_fake_on_the_edge_of_a_ball_is_inside():
    real = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    fake = np.array([[4.0, 0.0], [5.0, 0.0]])  # 1 from real[3], whose ball has radius 1.
    assert evaluation.knn_share(fake, real, 1) == 0.5
    assert evaluation.knn_share(fake, real, 1, skip_self=False) == 0.0
    assert solutions.knn_precision(real, fake, k=1) == 0.5
    assert solutions.knn_precision(real, fake) == solutions.knn_precision(real, fake, k=3) == 1.0
    assert solutions.knn_precision(real, fake, k=2) == 1.0  # real[3]'s ball now reaches 5.


def test_the_knn_reference_is_ganlibs_precision_and_recall():
    from ganlib.evaluation import neighbours  # Only the test compares with the library.

    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(40, 2)), rng.normal(0.5, 1.0, size=(30, 2))
    scores = neighbours.precision_recall(real, fake, k=3)
    assert np.isclose(evaluation.knn_share(fake, real, 3), scores.precision)
    assert np.isclose(evaluation.knn_share(real, fake, 3), scores.recall)


CASES = (
    cases(evaluation.frechet_distance_1d, [
        solutions.frechet_distance_1d, frechet_general_formula,
        lambda *args: np.float32(frechet_general_formula(*args))],
        "matches (mu1 - mu2)^2 + (sigma1 - sigma2)^2 on five pairs of Gaussians", FRECHET_WRONG)
    + cases(evaluation.mmd2_unbiased, [solutions.mmd2_unbiased, mmd2_gretton_loops,
                                       mmd2_kid_loops, mmd2_gretton_vectorised],
            "an unbiased MMD^2 with the cubic kernel, on samples of one and of two "
            "distributions", MMD_WRONG)
    + cases(evaluation.knn_precision, [solutions.knn_precision, precision_with_loops,
                                       precision_with()],
            "the share of fakes inside the real k-NN balls, for k=3, k=5 and the default k=3",
            KNN_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)
