"""ganlib.data.toy: the ring of Gaussians, its shape, its statistics, its seeds and its errors."""

import numpy as np
import pytest

from ganlib.data import toy


def test_centres_lie_evenly_on_the_circle():
    centres = toy.ring_centres(8, 2.0)
    assert centres.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 2.0)
    np.testing.assert_allclose(centres[0], [2.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(centres[2], [0.0, 2.0], atol=1e-12)  # Anticlockwise.
    gaps = np.linalg.norm(centres - np.roll(centres, 1, axis=0), axis=1)
    np.testing.assert_allclose(gaps, 2.0 * 2.0 * np.sin(np.pi / 8))  # Chords of 45 degrees.


def test_samples_have_the_shape_type_and_spread_asked_for():
    points = toy.sample_ring(40_000, modes=8, radius=2.0, std=0.05, seed=0)
    assert points.shape == (40_000, 2) and points.dtype == np.float32
    centres = toy.ring_centres(8, 2.0)
    distances = np.linalg.norm(points[:, None, :] - centres[None], axis=-1)  # (n, 8)
    nearest = distances.argmin(axis=1)
    offsets = points - centres[nearest]  # (n, 2), each coordinate N(0, 0.05^2)
    np.testing.assert_allclose(offsets.mean(axis=0), 0.0, atol=2e-3)
    np.testing.assert_allclose(offsets.std(axis=0), 0.05, rtol=0.02)
    shares = np.bincount(nearest, minlength=8) / len(points)
    np.testing.assert_allclose(shares, 1 / 8, atol=0.01)  # Modes picked uniformly.
    # With a 2-D spread of 0.05, a point lies within 3 std of its centre with probability
    # 1 - exp(-9 / 2) = 0.989.
    assert abs(np.mean(distances.min(axis=1) < 0.15) - (1 - np.exp(-4.5))) < 0.003


def test_the_same_seed_gives_the_same_points():
    np.testing.assert_array_equal(toy.sample_ring(100, seed=3), toy.sample_ring(100, seed=3))
    assert not np.array_equal(toy.sample_ring(100, seed=3), toy.sample_ring(100, seed=4))


def test_other_rings_and_zero_spread():
    points = toy.sample_ring(500, modes=3, radius=5.0, std=0.0, seed=1)
    centres = toy.ring_centres(3, 5.0)
    assert {tuple(point) for point in np.round(points, 4)} == \
        {tuple(centre) for centre in np.round(centres.astype("float32"), 4)}


@pytest.mark.parametrize("call, message", [
    (lambda: toy.sample_ring(0), "n must be a whole number of at least 1"),
    (lambda: toy.sample_ring(10.5), "n must be a whole number"),
    (lambda: toy.sample_ring(10, modes=0), "modes must be a whole number of at least 1"),
    (lambda: toy.sample_ring(10, radius=-1.0), "radius must be a positive number"),
    (lambda: toy.sample_ring(10, std=-0.1), "std must be a number of at least 0"),
    (lambda: toy.ring_centres(True), "modes must be a whole number"),
])
def test_bad_arguments_say_what_to_pass(call, message):
    with pytest.raises(ValueError, match=message):
        call()
