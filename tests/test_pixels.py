"""ganlib.core.pixels: the one place that knows pixel ranges, against values worked out by hand."""

import numpy as np
import pytest

from ganlib.core import pixels


def one_image(values, dtype):
    """A (1, 28, 28) image whose first row starts with `values`, zero elsewhere."""
    image = np.zeros((1, 28, 28), dtype=dtype)
    image[0, 0, :len(values)] = values
    return image


def test_scale_images_both_ranges_exactly():
    image = one_image([0, 1, 127, 128, 255], np.uint8)
    tanh, sigmoid = pixels.scale_images(image, "tanh"), pixels.scale_images(image, "sigmoid")
    assert tanh.shape == sigmoid.shape == (1, 28, 28, 1)
    assert tanh.dtype == sigmoid.dtype == np.float32
    np.testing.assert_allclose(sigmoid[0, 0, :5, 0], [0, 1 / 255, 127 / 255, 128 / 255, 1],
                               atol=1e-7)
    np.testing.assert_allclose(tanh[0, 0, :5, 0], [-1, -1 + 2 / 255, -1 + 254 / 255,
                                                   -1 + 256 / 255, 1], atol=1e-7)
    with pytest.raises(ValueError, match="scale must be 'tanh'"):
        pixels.scale_images(image, "linear")
    with pytest.raises(ValueError, match="expected uint8"):
        pixels.scale_images(image.astype("float32"), "tanh")


@pytest.mark.parametrize("values, dtype, expected", [
    ([0, 51, 255], np.uint8, [0.0, 0.2, 1.0]),            # pixels
    ([0.0, 0.2, 1.0], np.float32, [0.0, 0.2, 1.0]),       # [0, 1]: kept
    ([-1.0, -0.6, 1.0], np.float32, [0.0, 0.2, 1.0]),     # [-1, 1]: (x + 1) / 2
    ([-1.0005, 0.0, 1.0005], np.float32, [0.0, 0.5, 1.0]),  # rounding overshoot: clipped
    ([0.0, 0.5, 1.0009], np.float64, [0.0, 0.5, 1.0]),
])
def test_to_unit_interval_reads_each_range(values, dtype, expected):
    unit = pixels.to_unit_interval(one_image(values, dtype))
    assert unit.shape == (1, 28, 28) and unit.dtype == np.float32
    np.testing.assert_allclose(unit[0, 0, :3], expected, atol=2e-6)
    background = 0.5 if min(values) < 0 else 0.0  # Zeros elsewhere: mid-grey in [-1, 1].
    np.testing.assert_allclose(unit[0, 5, 5], background)


def test_channel_axis_and_single_images():
    with_channel = np.zeros((2, 28, 28, 1), np.float32)
    assert pixels.to_unit_interval(with_channel).shape == (2, 28, 28)
    assert pixels.check_pixels(np.zeros((3, 28, 28, 1), np.uint8)).shape == (3, 28, 28)
    assert pixels.unscale_images(np.zeros((3, 28, 28, 1), np.uint8)).shape == (3, 28, 28)


@pytest.mark.parametrize("images, message", [
    (np.zeros((2, 28, 28), np.int64), "int64; expected uint8"),
    (np.full((2, 28, 28), np.inf, np.float32), "NaN or infinite values (2 of 2 images)"),
    (np.full((2, 28, 28), -1.002, np.float32), "must lie in [-1, 1]"),
    (np.full((2, 28, 28), 1.002, np.float32), "divide 0..255 pixel values by 255"),
    (np.zeros((2, 28, 27), np.float32), "expected (n, 28, 28) or (n, 28, 28, 1)"),
    (np.zeros((2, 28, 28, 3), np.float32), "expected (n, 28, 28) or (n, 28, 28, 1)"),
    (np.zeros((0, 28, 28), np.float32), "hold no images"),
    ("digits.npy", "is a path (digits.npy)"),
])
def test_bad_arrays_name_the_fix(images, message):
    with pytest.raises(ValueError) as raised:
        pixels.to_unit_interval(images, "samples")
    assert message in str(raised.value) and str(raised.value).startswith("samples")


def test_unscale_rounds_to_the_nearest_pixel():
    floats = one_image([-1.0, 1.0, 0.0, 0.5, -0.5], np.float32)
    np.testing.assert_array_equal(pixels.unscale_images(floats)[0, 0, :5],
                                  [0, 255, 128, 191, 64])  # round(255 * (x + 1) / 2)
    unit = one_image([0.0, 1.0, 0.5, 0.2], np.float32)
    np.testing.assert_array_equal(pixels.unscale_images(unit)[0, 0, :4], [0, 255, 128, 51])
    for scale in pixels.SCALES:
        image = one_image(list(range(0, 256, 17)), np.uint8)
        np.testing.assert_array_equal(pixels.unscale_images(pixels.scale_images(image, scale)),
                                      image)


def test_check_pixels_messages():
    with pytest.raises(ValueError, match="floats in \\[0, 1\\] or \\[-1, 1\\] become pixels"):
        pixels.check_pixels(np.zeros((1, 28, 28), np.float32), "train.npz: images")
    with pytest.raises(ValueError, match="astype\\(numpy.uint8\\)"):
        pixels.check_pixels(np.zeros((1, 28, 28), np.int32))
    assert pixels.check_scale("sigmoid") == "sigmoid"


# Exact messages and defaults: what a learner reads must name the array and the fix word for word.
EXACT_MESSAGES = [
    (lambda: pixels.check_pixels("digits.npz"),
     "images is a path (digits.npz), not an array: load it first, e.g. with numpy.load(path)."),
    (lambda: pixels.check_pixels(np.zeros((2, 28, 28), "float32")),
     "images are float32, expected uint8 pixels 0..255: floats in [0, 1] or [-1, 1] become pixels "
     "with ganlib.core.pixels.unscale_images(images)."),
    (lambda: pixels.check_pixels(np.zeros((2, 28, 28), "int64"), name="samples"),
     "samples are int64, expected uint8 pixels 0..255: whole numbers 0..255 convert with "
     "images.astype(numpy.uint8)."),
    (lambda: pixels.to_unit_interval(np.zeros((2, 28, 28), "int32")),
     "images are int32; expected uint8 pixels 0..255 or floats in [0, 1] or [-1, 1]: convert "
     "them, e.g. images.astype(numpy.uint8) for whole numbers 0..255."),
    (lambda: pixels.unscale_images(np.zeros((1, 28, 28, 3), "uint8")),
     "images have shape (1, 28, 28, 3), expected (n, 28, 28) or (n, 28, 28, 1): reshape them, "
     "e.g. images.reshape(-1, 28, 28)."),
    (lambda: pixels.scale_images(np.zeros((0, 28, 28), "uint8")),
     "images hold no images: pass at least one 28x28 image."),
]


@pytest.mark.parametrize("call, message", EXACT_MESSAGES)
def test_messages_word_for_word(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value) == message


def test_the_defaults_and_the_edges_of_the_tolerance():
    pixels_in = np.array([[[0, 255] * 14] * 28], "uint8")  # (1, 28, 28)
    assert pixels.scale_images(pixels_in).min() == -1.0  # The default scale is tanh.
    inside = np.full((1, 28, 28), -1.0 - pixels.RANGE_TOLERANCE / 2, "float32")
    inside[0, 0, 0] = 1.0 + pixels.RANGE_TOLERANCE / 2  # Within the tolerance: accepted, clipped.
    assert pixels.to_unit_interval(inside).min() == 0.0
    assert pixels.to_unit_interval(inside).max() == 1.0
    with pytest.raises(ValueError, match="must lie in"):
        pixels.to_unit_interval(inside - 2 * pixels.RANGE_TOLERANCE)  # Beyond it: refused.
    assert np.array_equal(pixels.unscale_images(pixels_in), pixels_in)  # uint8 passes through.
