"""Worked solutions of 05_theory's exercises, one function per exercise.

They are here for a learner who is stuck and asks on purpose (once registered,
`ganlib.exercises.solution("05", 1)` prints the source); nothing shows them otherwise. Each is
written the way the notebook's text leads to, and each passes its check in
`ganlib.exercises.theory` (`tests/test_exercises_theory.py` makes sure). `SOLUTIONS` maps a
check's name to what solves it, as `ganlib.exercises.solutions.SOLUTIONS` does.
"""

import numpy as np

# --- 05_theory ---


def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) for arrays of density values; 1/2 where both
    are 0."""
    p_data = np.asarray(p_data, dtype="float64")
    p_g = np.asarray(p_g, dtype="float64")
    total = p_data + p_g
    # Where both densities are 0 no point of either kind ever lands, so every answer costs D
    # nothing; 1/2 says "no evidence either way". `where=` skips the 0 / 0 instead of making
    # a NaN and a warning.
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def jensen_shannon(p, q):
    """JSD(p || q) in nats for two discrete distributions (arrays summing to 1)."""
    p = np.asarray(p, dtype="float64")
    q = np.asarray(q, dtype="float64")
    mixture = (p + q) / 2.0  # Positive wherever p or q is, so no division by 0 below.

    def kl(first, second):
        used = first > 0  # 0 log 0 = 0: the terms where first is 0 contribute nothing.
        return np.sum(first[used] * np.log(first[used] / second[used]))

    return float(kl(p, mixture) / 2.0 + kl(q, mixture) / 2.0)


def modes_covered(points, centres, radius, min_share):
    """How many of `centres` (modes, 2) have at least `min_share` of ALL `points` (n, 2) within
    `radius`."""
    # Every point's distance to every centre, by broadcasting (n, 1, 2) against (1, modes, 2).
    distances = np.linalg.norm(points[:, np.newaxis, :] - centres[np.newaxis, :, :], axis=-1)
    shares = np.mean(distances <= radius, axis=0)  # (modes,) shares of all n points
    return int(np.sum(shares >= min_share))


SOLUTIONS = {
    "optimal_discriminator": (optimal_discriminator,),
    "jensen_shannon": (jensen_shannon,),
    "modes_covered": (modes_covered,),
}
