"""A toy data set a GAN learns in seconds: Gaussians on a ring, in two dimensions.

Eight round Gaussians spaced evenly on a circle of radius 2 are the test bed of the GAN
literature for mode collapse (Metz et al. 2017, unrolled GANs; Srivastava et al. 2017, VEEGAN;
Lin et al. 2018, PacGAN). Each Gaussian is a *mode* you can count, and a generator that draws
only some of them shows it at once in a scatter plot: no classifier and no image needed.

- `ring_centres(modes, radius)`: the centres `(modes, 2)`, the first on the positive x axis,
  the others following it anticlockwise.
- `sample_ring(n, ...)`: `n` points `(n, 2)`, float32, each drawn from a mode picked uniformly
  at random, so every mode holds about `1 / modes` of them.
"""

import numpy as np

from ganlib.core.arguments import non_negative_number, positive_number, whole_number

MODES = 8
RADIUS = 2.0
STD = 0.05


def ring_centres(modes=MODES, radius=RADIUS):
    """The modes' centres, float64 `(modes, 2)`: `radius * (cos a, sin a)` at the angles
    `a = 2 pi k / modes`, k = 0, 1, ..."""
    modes = whole_number("modes", modes)
    radius = positive_number("radius", radius, "2.0")
    angles = 2.0 * np.pi * np.arange(modes) / modes  # (modes,)
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def sample_ring(n, modes=MODES, radius=RADIUS, std=STD, seed=None):
    """`n` points from the ring of Gaussians: float32 `(n, 2)`.

    Each point picks one of `modes` centres uniformly at random and adds round Gaussian noise
    of standard deviation `std` in each coordinate. The same `seed` gives the same points.
    """
    n = whole_number("n", n)
    std = non_negative_number("std", std, "0.05")
    centres = ring_centres(modes, radius)  # (modes, 2)
    rng = np.random.default_rng(seed)
    picked = rng.integers(0, len(centres), size=n)  # (n,) a mode for each point
    points = centres[picked] + rng.normal(0.0, std, size=(n, 2))  # (n, 2)
    return points.astype("float32")
