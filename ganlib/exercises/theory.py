"""Checks for 05_theory's exercises: optimal_discriminator, jensen_shannon, modes_covered.

Every expected value is a NumPy formula written here in float64, never the notebook's code or
`ganlib`'s: D*(x) = p_data / (p_data + p_g) with 1/2 where both densities are 0, the
Jensen-Shannon divergence in nats as the mean of two KL divergences to the mixture (0 log 0 =
0), and the number of modes holding at least a given share of all the points within a radius
of their centre. The inputs are made up here: densities of two overlapping uniform
distributions and of two Gaussians on a grid, small discrete distributions, and 2-D points
placed on and around eight centres on a ring.
"""

import numpy as np

from ganlib.exercises.report import (Diagnosis, When, any_of, as_array, as_number, call, close,
                                     diagnose, exercise, not_finite, require, rounded)

# --- optimal_discriminator ----------------------------------------------------------------------


def _uniform_density(x, low, high):
    return np.where((x >= low) & (x <= high), 1.0 / (high - low), 0.0)


def _gaussian_density(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2.0 * np.pi))


def density_cases():
    """(name, p_data, p_g) triples: float64 arrays of density values at the same points."""
    x = np.arange(-0.75, 3.8, 0.5)  # Points on both sides of both supports, none on an edge.
    grid = np.linspace(-4.0, 4.0, 17)
    return [
        ("uniform p_data on [0, 2], p_g on [1, 3], at x = -0.75, -0.25, ..., 3.75",
         _uniform_density(x, 0.0, 2.0), _uniform_density(x, 1.0, 3.0)),
        ("Gaussians N(-1, 1) and N(1, 1.5^2) on a grid of 17 points",
         _gaussian_density(grid, -1.0, 1.0), _gaussian_density(grid, 1.0, 1.5)),
    ]


def reference_discriminator(p_data, p_g):
    """D* = p_data / (p_data + p_g) point by point, and 1/2 where both densities are 0."""
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def _where(mask, candidate):
    """A `When`: the learner's values have `candidate`'s shape and equal it where `mask` holds
    (anything, NaN included, elsewhere)."""
    def test(got):
        got = np.asarray(got, dtype="float64")
        return got.shape == candidate.shape and close(got[mask], candidate[mask])
    return When(test)


def _discriminator_diagnoses(p_data, p_g):
    expected = reference_discriminator(p_data, p_g)
    empty = (p_data + p_g) == 0  # Where neither density puts any mass.
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = p_data / p_g
    on_support = _where(~empty, expected).predicate
    return [
        Diagnosis("swapped", _where(~empty, 1.0 - expected),
                  "those are the chances that a point is generated; D says how likely a point "
                  "is real"),
        Diagnosis("nan_where_both_zero", When(lambda got: not_finite(got) and on_support(got)),
                  "right wherever some density is positive, but 0 / 0 where both are 0: no "
                  "point of either kind ever lands there, so which answer takes no side?"),
        Diagnosis("zero_where_both_zero", np.where(empty, 0.0, expected),
                  "where both densities are 0 you answered 0, 'surely fake'; no point of either "
                  "kind lands there, so which answer takes no side?"),
        Diagnosis("one_where_both_zero", np.where(empty, 1.0, expected),
                  "where both densities are 0 you answered 1, 'surely real'; no point of either "
                  "kind lands there, so which answer takes no side?"),
        Diagnosis("doubled", _where(~empty, 2.0 * expected),
                  "values up to 2: the denominator is the sum of the two densities, not their "
                  "mean"),
        Diagnosis("ratio", _where(np.isfinite(ratio), ratio),
                  "that is the density ratio p_data / p_g, which can exceed 1; D* is a "
                  "probability: the share of real points among all points at x"),
    ]


@exercise("optimal_discriminator")
def optimal_discriminator(function):
    """Check `function(p_data, p_g) -> D*`: the optimal discriminator from density values.

    `p_data` and `p_g` are float arrays of the same shape, the two densities at the same points.
    Expected: p_data / (p_data + p_g) at every point, and 1/2 where both densities are 0 (no
    evidence either way), an array of the same shape. Tried on two overlapping uniform
    densities (which are 0 together outside [0, 3]) and on two Gaussians.
    """
    for name, p_data, p_g in density_cases():
        value = as_array(call(function, p_data.copy(), p_g.copy(), label="optimal_discriminator"),
                         name)
        require(value.shape == p_data.shape,
                f"{name}: returned shape {value.shape}, expected {p_data.shape}",
                "return one value per point, the same shape as the densities", "shape")
        expected = reference_discriminator(p_data, p_g)
        shown = str(rounded(value[:8], 3))[:-1] + (", ...]" if value.size > 8 else "]")
        diagnose(value, expected, _discriminator_diagnoses(p_data, p_g), f"{name}: got {shown}",
                 "D*(x) is the share of real points among all points at x")
    return "p_data / (p_data + p_g) at every point, and 1/2 where both densities are 0"


# --- jensen_shannon -----------------------------------------------------------------------------


def _kl(first, second):
    """KL(first || second) in nats, with 0 log 0 = 0 (inf where second is 0 and first is not)."""
    terms = np.zeros_like(first)
    positive = first > 0
    with np.errstate(divide="ignore"):
        terms[positive] = first[positive] * np.log(first[positive] / second[positive])
    return float(terms.sum())


def reference_jensen_shannon(p, q):
    """JSD(p || q) = KL(p || m) / 2 + KL(q || m) / 2 with m = (p + q) / 2, in nats."""
    mixture = 0.5 * (p + q)
    return 0.5 * _kl(p, mixture) + 0.5 * _kl(q, mixture)


def distribution_cases():
    """(name, p, q) pairs of discrete distributions: float64 arrays, each summing to 1."""
    p = np.array([0.1, 0.4, 0.5])
    q = np.array([0.3, 0.3, 0.4])
    return [
        ("p = [0.1, 0.4, 0.5], q = [0.3, 0.3, 0.4]", p, q),
        ("the same pair swapped", q, p),
        ("p compared with itself", p, p.copy()),
        ("p = [0.6, 0.4, 0, 0], q = [0, 0.2, 0.3, 0.5]", np.array([0.6, 0.4, 0.0, 0.0]),
         np.array([0.0, 0.2, 0.3, 0.5])),
        ("disjoint p = [0.5, 0.5, 0, 0], q = [0, 0, 0.25, 0.75]", np.array([0.5, 0.5, 0.0, 0.0]),
         np.array([0.0, 0.0, 0.25, 0.75])),
    ]


def _jensen_shannon_diagnoses(p, q):
    expected = reference_jensen_shannon(p, q)
    mixture = 0.5 * (p + q)
    return [
        Diagnosis("bits", expected / np.log(2.0),
                  "that is in bits (log base 2); the course measures in nats, with the natural "
                  "log"),
        Diagnosis("distance", any_of([np.sqrt(expected), np.sqrt(expected / np.log(2.0))]),
                  "that is the Jensen-Shannon *distance*, the square root of the divergence "
                  "(what scipy.spatial.distance.jensenshannon returns)"),
        Diagnosis("not_halved", 2.0 * expected,
                  "that is twice the divergence: JSD averages its two KL terms"),
        Diagnosis("one_side", any_of([_kl(p, mixture), 0.5 * _kl(p, mixture)]),
                  "only p is compared with the mixture; q has its own KL term"),
        Diagnosis("kl", any_of([_kl(p, q), _kl(q, p), 0.5 * (_kl(p, q) + _kl(q, p))]),
                  "that compares p and q directly; JSD compares each with their mixture "
                  "(p + q) / 2, which is never 0 where p or q is not"),
        Diagnosis("unnormalised_mixture", expected - np.log(2.0),
                  "off by exactly log 2: is the mixture you compare with a distribution, "
                  "summing to 1?"),
        Diagnosis("zero_log_zero", When(not_finite),
                  "NaN or inf: a term with p_i = 0 is 0 log 0, which counts as 0; leave those "
                  "terms out"),
    ]


@exercise("jensen_shannon")
def jensen_shannon(function):
    """Check `function(p, q) -> float`: the Jensen-Shannon divergence of two discrete
    distributions (arrays of the same length summing to 1), in nats.

    Expected: KL(p || m) / 2 + KL(q || m) / 2 with m = (p + q) / 2 and 0 log 0 = 0, so 0 for
    equal distributions and log 2 for disjoint ones. Tried on five pairs, one of them swapped,
    two with zeros.
    """
    for name, p, q in distribution_cases():
        value = as_number(call(function, p.copy(), q.copy(), label="jensen_shannon"), name)
        expected = reference_jensen_shannon(p, q)
        diagnose(value, expected, _jensen_shannon_diagnoses(p, q), f"{name}: got {value:.4f}",
                 "JSD is the mean of the two KL divergences of p and q from their mixture")
    return ("in nats: 0 for equal distributions, log 2 = 0.6931 for disjoint ones, the same "
            "both ways round")


# --- modes_covered ------------------------------------------------------------------------------

RING_CENTRES = 2.0 * np.stack([np.cos(np.arange(8) * np.pi / 4),
                               np.sin(np.arange(8) * np.pi / 4)], axis=1)  # (8, 2)


def _around(centre, distances, rng):
    """Points at the given `distances` `(count,)` from `centre`, at random angles: (count, 2)."""
    distances = np.reshape(distances, (-1, 1))
    angles = rng.uniform(0.0, 2.0 * np.pi, (len(distances), 1))
    return centre + distances * np.concatenate([np.cos(angles), np.sin(angles)], axis=1)


def point_cases():
    """(name, points, centres, radius, min_share) cases; the points are float64 `(n, 2)`.

    The first has 200 points around eight centres on a ring of radius 2: within 0.1 of centres
    0, 1, 2, 3, 5 and 7 (60, 30, 10, 8, 6 and 2 points), 20 points 0.3 from centre 4, 2 and 8
    points 0.5 from centres 3 and 7, and 54 near the ring's middle, closer to centre 6 than to
    any other but 1 from it. With radius 0.15 and min_share 0.05, modes 0, 1 and 2 are covered
    (mode 2 with exactly 5%); each usual mistake gives another count.
    """
    rng = np.random.default_rng(5)
    near = {0: 60, 1: 30, 2: 10, 3: 8, 5: 6, 7: 2}
    parts = [_around(RING_CENTRES[mode], rng.uniform(0.0, 0.1, count), rng)
             for mode, count in near.items()]
    parts += [_around(RING_CENTRES[4], np.full(20, 0.3), rng),  # Near mode 4, not within 0.15.
              _around(RING_CENTRES[3], np.full(2, 0.5), rng),
              _around(RING_CENTRES[7], np.full(8, 0.5), rng),
              _around(0.5 * RING_CENTRES[6], rng.uniform(0.0, 0.2, 54), rng)]
    points = np.concatenate(parts)[rng.permutation(200)]  # (200, 2), in no particular order
    balanced = np.concatenate([_around(centre, np.full(15, 0.05), rng)
                               for centre in RING_CENTRES])  # (120, 2)
    collapsed = _around(RING_CENTRES[3], rng.uniform(0.0, 0.05, 50), rng)  # (50, 2)
    return [
        ("200 points around 8 centres, radius 0.15, min_share 0.05", points, RING_CENTRES,
         0.15, 0.05),
        ("15 points 0.05 from each of 8 centres, radius 0.1, min_share 0.1", balanced,
         RING_CENTRES, 0.1, 0.1),
        ("50 points near one centre, radius 0.1, min_share 0.02", collapsed, RING_CENTRES,
         0.1, 0.02),
    ]


def reference_modes_covered(points, centres, radius, min_share, *, squared=False,
                            nearest_only=False, of_near=False, strict=False, any_point=False):
    """The number of centres with at least `min_share` of ALL the points within `radius`.

    The keyword switches compute the usual mistakes instead: the squared distance compared with
    the radius, every point given to its nearest centre however far, shares of the near points
    only, a share strictly above `min_share`, and any near point at all counting.
    """
    distances = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=-1)  # (n, modes)
    distances = distances ** 2 if squared else distances
    within = distances <= radius  # (n, modes)
    if nearest_only:
        within = np.eye(len(centres), dtype=bool)[distances.argmin(axis=1)]
    counts = within.sum(axis=0)  # (modes,)
    shares = counts / (within.any(axis=1).sum() if of_near else len(points))
    if any_point:
        return int(np.sum(counts > 0))
    return int(np.sum(shares > min_share if strict else shares >= min_share))


@exercise("modes_covered")
def modes_covered(function):
    """Check `function(points, centres, radius, min_share) -> int`: how many modes are covered.

    `points` `(n, 2)`, `centres` `(modes, 2)`. A point is near a centre when their distance is
    at most `radius`; a mode is covered when at least `min_share` of ALL the points are near
    its centre. Tried on a made-up sample with modes of every size, on an even one and on a
    collapsed one.
    """
    for name, points, centres, radius, min_share in point_cases():
        value = as_number(call(function, points.copy(), centres.copy(), radius, min_share,
                               label="modes_covered"), name,
                          "return one number: how many modes are covered")
        arguments = (points, centres, radius, min_share)
        expected = reference_modes_covered(*arguments)
        if value != int(value):
            diagnose(value, expected, [Diagnosis("fraction", expected / len(centres),
                                                 "that is the share of modes covered; count "
                                                 "them")],
                     f"{name}: got {value:g}, not a whole number", "count the modes covered")
        diagnose(value, expected, [
            Diagnosis("of_near_points", reference_modes_covered(*arguments, of_near=True),
                      "the shares are of the near points only; a mode's share is of ALL the "
                      "points, so that points far from every mode count against coverage"),
            Diagnosis("nearest_centre", reference_modes_covered(*arguments, nearest_only=True),
                      "every point went to its nearest centre however far away it lies; only "
                      "points within the radius count"),
            Diagnosis("squared_distance", reference_modes_covered(*arguments, squared=True),
                      "the radius was compared with a squared distance"),
            Diagnosis("any_point", reference_modes_covered(*arguments, any_point=True),
                      "a single near point made its mode count; it needs at least min_share "
                      "of the points"),
            Diagnosis("strictly_above", reference_modes_covered(*arguments, strict=True),
                      "a mode holding exactly min_share of the points is covered too: 'at "
                      "least'")],
            f"{name}: got {value:g}", "count the centres with at least min_share of all the "
                                      "points within radius")
    return ("counts the centres with at least min_share of all the points within radius, on "
            "three samples")
