"""The checks of 05_theory's exercises: right answers in several styles pass, each usual wrong
answer fails with its own diagnosis and line, and the notebook's stubs fail without raising.
The checks' NumPy references are also held against independent computations here (scipy, loops
and the definitions), which the checks themselves never use."""

import numpy as np
import pytest
import tensorflow as tf
from scipy.spatial.distance import cdist, jensenshannon
from scipy.special import rel_entr, xlogy
from scipy.stats import entropy

from ganlib.exercises import theory, theory_solutions
from test_exercises_report import case_ids, cases, expect_verdict, verdict_of


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


# --- optimal_discriminator ----------------------------------------------------------------------


def optimal_discriminator_stub(p_data, p_g):
    """D*(x) from the two densities at the same points: arrays of one shape -> that shape."""
    return None  # Your code here.


def discriminator_with_where(p_data, p_g):
    total = p_data + p_g
    with np.errstate(invalid="ignore"):
        return np.where(total > 0, p_data / total, 0.5)


def discriminator_with_tensorflow(p_data, p_g):
    p_data, p_g = tf.constant(p_data), tf.constant(p_g)
    total = p_data + p_g
    return tf.where(total > 0, p_data / tf.where(total > 0, total, 1.0), 0.5)


def discriminator_with_loops(p_data, p_g):
    return np.array([0.5 if p + q == 0 else p / (p + q) for p, q in zip(p_data, p_g)])


def discriminator_smoothed(p_data, p_g):
    # A tiny epsilon on each side: 1/2 at 0/0, and a negligible change where a density is not 0.
    return (p_data + 1e-12) / (p_data + p_g + 2e-12)


def naive_discriminator(p_data, p_g):
    with np.errstate(invalid="ignore"):
        return p_data / (p_data + p_g)


def density_ratio(p_data, p_g):
    with np.errstate(divide="ignore", invalid="ignore"):
        return p_data / p_g


OPTIMAL_DISCRIMINATOR_WRONG = [
    (lambda p_data, p_g: discriminator_with_where(p_g, p_data), "swapped",
     "uniform p_data on [0, 2], p_g on [1, 3], at x = -0.75, -0.25, ..., 3.75: got [0.5, 0.5, "
     "0.0, 0.0, 0.5, 0.5, 1.0, 1.0, ...] — those are the chances that a point is generated; D "
     "says how likely a point is real"),
    (naive_discriminator, "nan_where_both_zero",
     "uniform p_data on [0, 2], p_g on [1, 3], at x = -0.75, -0.25, ..., 3.75: got [nan, nan, "
     "1.0, 1.0, 0.5, 0.5, 0.0, 0.0, ...] — right wherever some density is positive, but 0 / 0 "
     "where both are 0: no point of either kind ever lands there, so which answer takes no side?"),
    (lambda p_data, p_g: tf.math.divide_no_nan(p_data, p_data + p_g), "zero_where_both_zero",
     "uniform p_data on [0, 2], p_g on [1, 3], at x = -0.75, -0.25, ..., 3.75: got [0.0, 0.0, "
     "1.0, 1.0, 0.5, 0.5, 0.0, 0.0, ...] — where both densities are 0 you answered 0, 'surely "
     "fake'; no point of either kind lands there, so which answer takes no side?"),
    (lambda p_data, p_g: p_data / (p_data + p_g + 1e-12), "zero_where_both_zero", None),
    (lambda p_data, p_g: np.nan_to_num(naive_discriminator(p_data, p_g), nan=1.0),
     "one_where_both_zero",
     "uniform p_data on [0, 2], p_g on [1, 3], at x = -0.75, -0.25, ..., 3.75: got [1.0, 1.0, "
     "1.0, 1.0, 0.5, 0.5, 0.0, 0.0, ...] — where both densities are 0 you answered 1, 'surely "
     "real'; no point of either kind lands there, so which answer takes no side?"),
    (density_ratio, "ratio",
     "uniform p_data on [0, 2], p_g on [1, 3], at x = -0.75, -0.25, ..., 3.75: got [nan, nan, "
     "inf, inf, 1.0, 1.0, 0.0, 0.0, ...] — that is the density ratio p_data / p_g, which can "
     "exceed 1; D* is a probability: the share of real points among all points at x"),
    (lambda p_data, p_g: 2.0 * discriminator_with_where(p_data, p_g), "doubled",
     "uniform p_data on [0, 2], p_g on [1, 3], at x = -0.75, -0.25, ..., 3.75: got [1.0, 1.0, "
     "2.0, 2.0, 1.0, 1.0, 0.0, 0.0, ...] — values up to 2: the denominator is the sum of the two "
     "densities, not their mean"),
    (lambda p_data, p_g: discriminator_with_where(p_data, p_g)[:, np.newaxis], "shape",
     "uniform p_data on [0, 2], p_g on [1, 3], at x = -0.75, -0.25, ..., 3.75: returned shape "
     "(10, 1), expected (10,) — return one value per point, the same shape as the densities"),
    (lambda p_data, p_g: discriminator_with_where(p_data, p_g) ** 2, "mismatch",
     "uniform p_data on [0, 2], p_g on [1, 3], at x = -0.75, -0.25, ..., 3.75: got [0.25, 0.25, "
     "1.0, 1.0, 0.25, 0.25, 0.0, 0.0, ...] — D*(x) is the share of real points among all points "
     "at x"),
    (lambda p_data, p_g: "D*", "not_numbers", None),
    (optimal_discriminator_stub, "returned_none",
     "uniform p_data on [0, 2], p_g on [1, 3], at x = -0.75, -0.25, ..., 3.75 returned None — "
     "return the result"),
    (raising_stub, "raised", None),
]


def test_the_discriminator_reference_maximises_the_value_at_every_point():
    # At one point x, D's share of the value is p_data log D + p_g log(1 - D), a function of D
    # alone; its maximum over a fine grid of D is where the reference says.
    values = np.linspace(1e-4, 1 - 1e-4, 99_999)
    for _, p_data, p_g in theory.density_cases():
        expected = theory.reference_discriminator(p_data, p_g)
        for p, q, d in zip(p_data, p_g, expected):
            if p + q > 0:
                best = values[np.argmax(xlogy(p, values) + xlogy(q, 1.0 - values))]
                assert abs(best - d) < 1e-3
            else:
                assert d == 0.5  # Every D is optimal here; the course picks 1/2.


# --- jensen_shannon -----------------------------------------------------------------------------


def jensen_shannon_stub(p, q):
    """JSD(p || q) in nats for two discrete distributions: arrays of one length, summing to 1."""
    return None  # Your code here.


def jensen_shannon_entropies(p, q):
    # JSD = H(m) - (H(p) + H(q)) / 2, the entropy of the mixture minus the mean entropy.
    def h(r):
        return -np.sum(xlogy(r, r))
    return h((p + q) / 2) - (h(p) + h(q)) / 2


def jensen_shannon_scipy(p, q):
    return jensenshannon(p, q) ** 2  # scipy returns the distance, the square root.


def jensen_shannon_rel_entr(p, q):
    m = (p + q) / 2
    return 0.5 * np.sum(rel_entr(p, m)) + 0.5 * np.sum(rel_entr(q, m))


def jensen_shannon_with(log=np.log, half=0.5, mixture=lambda p, q: (p + q) / 2, sides=2):
    """JSD with the usual mistakes switched on; 0 log 0 handled by skipping the zero terms."""
    def kl(a, b):
        used = a > 0
        return np.sum(a[used] * log(a[used] / b[used]))

    def answer(p, q):
        m = mixture(p, q)
        return half * kl(p, m) + (half * kl(q, m) if sides == 2 else 0.0)
    return answer


def naive_jensen_shannon(p, q):
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return 0.5 * np.sum(p * np.log(p / m)) + 0.5 * np.sum(q * np.log(q / m))


JENSEN_SHANNON_WRONG = [
    (jensen_shannon_with(log=np.log2), "bits",
     "p = [0.1, 0.4, 0.5], q = [0.3, 0.3, 0.4]: got 0.0469 — that is in bits (log base 2); the "
     "course measures in nats, with the natural log"),
    (jensenshannon, "distance",
     "p = [0.1, 0.4, 0.5], q = [0.3, 0.3, 0.4]: got 0.1804 — that is the Jensen-Shannon "
     "*distance*, the square root of the divergence (what scipy.spatial.distance.jensenshannon "
     "returns)"),
    (lambda p, q: jensenshannon(p, q, base=2), "distance", None),
    (jensen_shannon_with(half=1.0), "not_halved",
     "p = [0.1, 0.4, 0.5], q = [0.3, 0.3, 0.4]: got 0.0651 — that is twice the divergence: JSD "
     "averages its two KL terms"),
    (jensen_shannon_with(sides=1), "one_side",
     "p = [0.1, 0.4, 0.5], q = [0.3, 0.3, 0.4]: got 0.0184 — only p is compared with the "
     "mixture; q has its own KL term"),
    (lambda p, q: entropy(p, q), "kl",
     "p = [0.1, 0.4, 0.5], q = [0.3, 0.3, 0.4]: got 0.1168 — that compares p and q directly; "
     "JSD compares each with their mixture (p + q) / 2, which is never 0 where p or q is not"),
    (jensen_shannon_with(mixture=lambda p, q: p + q), "unnormalised_mixture",
     "p = [0.1, 0.4, 0.5], q = [0.3, 0.3, 0.4]: got -0.6606 — off by exactly log 2: is the "
     "mixture you compare with a distribution, summing to 1?"),
    (naive_jensen_shannon, "zero_log_zero",
     "p = [0.6, 0.4, 0, 0], q = [0, 0.2, 0.3, 0.5]: got nan — NaN or inf: a term with p_i = 0 is "
     "0 log 0, which counts as 0; leave those terms out"),
    (jensen_shannon_with(log=np.log10), "mismatch",
     "p = [0.1, 0.4, 0.5], q = [0.3, 0.3, 0.4]: got 0.0141 — JSD is the mean of the two KL "
     "divergences of p and q from their mixture"),
    (lambda p, q: rel_entr(p, (p + q) / 2), "not_one_number",
     "p = [0.1, 0.4, 0.5], q = [0.3, 0.3, 0.4] returned shape (3,), not one number — reduce it "
     "to one number"),
    (jensen_shannon_stub, "returned_none",
     "p = [0.1, 0.4, 0.5], q = [0.3, 0.3, 0.4] returned None — return the result"),
    (raising_stub, "raised", None),
]


def test_the_jensen_shannon_reference_is_scipys_and_bounded_by_log_2():
    for _, p, q in theory.distribution_cases():
        reference = theory.reference_jensen_shannon(p, q)
        assert np.isclose(reference, jensenshannon(p, q) ** 2)
        assert -1e-12 <= reference <= np.log(2.0) + 1e-12
    p, q = np.array([0.5, 0.5, 0.0, 0.0]), np.array([0.0, 0.0, 0.25, 0.75])
    assert np.isclose(theory.reference_jensen_shannon(p, q), np.log(2.0))


# --- modes_covered ------------------------------------------------------------------------------


def modes_covered_stub(points, centres, radius, min_share):
    """How many of `centres` (modes, 2) have at least `min_share` of all `points` (n, 2) within
    `radius`."""
    return None  # Your code here.


def modes_covered_loops(points, centres, radius, min_share):
    covered = 0
    for centre in centres:
        near = sum(1 for point in points if np.hypot(*(point - centre)) <= radius)
        covered += near / len(points) >= min_share
    return covered


def modes_covered_squared(points, centres, radius, min_share):
    # Squared distances against the squared radius: the same test without square roots.
    squared = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1)
    return np.count_nonzero((squared <= radius ** 2).mean(axis=0) >= min_share)


def modes_covered_nearest(points, centres, radius, min_share):
    # Each point to its nearest centre, kept only when within the radius (the modes are far
    # apart, so no point is within the radius of two).
    distances = cdist(points, centres)
    nearest = distances.argmin(axis=1)
    kept = nearest[distances.min(axis=1) <= radius]
    counts = np.bincount(kept, minlength=len(centres))
    return int(np.sum(counts >= min_share * len(points)))


def shares_with(squared=False, of_near=False):
    def shares(points, centres, radius):
        distances = cdist(points, centres, "sqeuclidean" if squared else "euclidean")
        within = distances <= radius
        return within.sum(axis=0) / (within.any(axis=1).sum() if of_near else len(points))
    return shares


MODES_COVERED_WRONG = [
    (lambda points, centres, radius, min_share: np.mean(
        shares_with()(points, centres, radius) >= min_share), "fraction",
     "200 points around 8 centres, radius 0.15, min_share 0.05: got 0.375, not a whole number — "
     "that is the share of modes covered; count them"),
    (lambda points, centres, radius, min_share: np.sum(
        shares_with(of_near=True)(points, centres, radius) >= min_share), "of_near_points",
     "200 points around 8 centres, radius 0.15, min_share 0.05: got 5 — the shares are of the "
     "near points only; a mode's share is of ALL the points, so that points far from every mode "
     "count against coverage"),
    (lambda points, centres, radius, min_share: np.sum(np.bincount(
        cdist(points, centres).argmin(axis=1), minlength=len(centres)) / len(points)
        >= min_share), "nearest_centre",
     "200 points around 8 centres, radius 0.15, min_share 0.05: got 7 — every point went to its "
     "nearest centre however far away it lies; only points within the radius count"),
    (lambda points, centres, radius, min_share: np.sum(
        shares_with(squared=True)(points, centres, radius) >= min_share), "squared_distance",
     "200 points around 8 centres, radius 0.15, min_share 0.05: got 4 — the radius was compared "
     "with a squared distance"),
    (lambda points, centres, radius, min_share: np.sum(
        shares_with()(points, centres, radius) > 0), "any_point",
     "200 points around 8 centres, radius 0.15, min_share 0.05: got 6 — a single near point made "
     "its mode count; it needs at least min_share of the points"),
    (lambda points, centres, radius, min_share: np.sum(
        shares_with()(points, centres, radius) > min_share), "strictly_above",
     "200 points around 8 centres, radius 0.15, min_share 0.05: got 2 — a mode holding exactly "
     "min_share of the points is covered too: 'at least'"),
    (lambda points, centres, radius, min_share: shares_with()(points, centres, radius),
     "not_one_number",
     "200 points around 8 centres, radius 0.15, min_share 0.05 returned shape (8,), not one "
     "number — return one number: how many modes are covered"),
    (lambda points, centres, radius, min_share: 8, "mismatch",
     "200 points around 8 centres, radius 0.15, min_share 0.05: got 8 — count the centres with "
     "at least min_share of all the points within radius"),
    (modes_covered_stub, "returned_none",
     "200 points around 8 centres, radius 0.15, min_share 0.05 returned None — return the "
     "result"),
    (raising_stub, "raised", None),
]


def test_the_made_up_points_are_what_the_docstring_says():
    points, centres, radius, min_share = theory.point_cases()[0][1:]
    distances = cdist(points, centres)
    within = (distances <= radius).sum(axis=0)
    assert points.shape == (200, 2) and within.tolist() == [60, 30, 10, 8, 0, 6, 0, 2]
    assert np.all(np.abs(distances - radius) > 0.01)  # No point sits on a ball's edge.
    assert theory.reference_modes_covered(points, centres, radius, min_share) == 3
    for _, points, centres, radius, min_share in theory.point_cases()[1:]:
        assert np.all(np.abs(cdist(points, centres) - radius) > 0.01)


CASES = (
    cases(theory.optimal_discriminator, [
        theory_solutions.optimal_discriminator, discriminator_with_where,
        discriminator_with_tensorflow, discriminator_with_loops, discriminator_smoothed],
        "p_data / (p_data + p_g) at every point, and 1/2 where both densities are 0",
        OPTIMAL_DISCRIMINATOR_WRONG)
    + cases(theory.jensen_shannon, [
        theory_solutions.jensen_shannon, jensen_shannon_entropies, jensen_shannon_scipy,
        jensen_shannon_rel_entr, jensen_shannon_with(),
        lambda p, q: tf.reduce_sum(tf.constant(rel_entr(p, (p + q) / 2) + rel_entr(q, (p + q) / 2)))
        / 2],
        "in nats: 0 for equal distributions, log 2 = 0.6931 for disjoint ones, the same both "
        "ways round", JENSEN_SHANNON_WRONG)
    + cases(theory.modes_covered, [
        theory_solutions.modes_covered, modes_covered_loops, modes_covered_squared,
        modes_covered_nearest, lambda *arguments: float(modes_covered_loops(*arguments))],
        "counts the centres with at least min_share of all the points within radius, on three "
        "samples", MODES_COVERED_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)


def test_the_checks_leave_the_learners_arrays_alone(capsys):
    # Each call gets copies, so a learner's function that writes into its inputs cannot change
    # the next case's inputs.
    def in_place(p_data, p_g):
        p_data += 1.0
        return theory_solutions.optimal_discriminator(p_data - 1.0, p_g)

    assert verdict_of(theory.optimal_discriminator, in_place, capsys=capsys)
