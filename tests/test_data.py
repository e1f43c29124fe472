"""ganlib.data: every place the data can come from, the formats, and the errors."""

import os

import numpy as np
import pytest
import tensorflow as tf

from conftest import write_idx
from ganlib import data
from ganlib.data import mnist


@pytest.fixture
def no_download(monkeypatch):
    """Make the Keras download fail at once, as it does offline."""
    def fail(split, dataset):
        raise OSError("no internet")
    monkeypatch.setattr(mnist, "_download", fail)


def test_npz_path_gives_uint8_images_and_labels(mnist_path, mnist_arrays):
    images, labels = data.load_mnist("test", path=mnist_path)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    np.testing.assert_array_equal(images, mnist_arrays["x_test"])


def test_digits_keeps_only_those_classes(mnist_path, mnist_arrays):
    images, labels = data.load_mnist("train", digits=[0], path=mnist_path)
    assert set(labels) == {0}
    assert len(images) == int((mnist_arrays["y_train"] == 0).sum())
    _, labels = data.load_mnist("test", digits=[3, 0], path=mnist_path)
    assert set(labels) == {0, 3}


@pytest.mark.parametrize("split, count", [("train", 200), ("test", 50)])
def test_idx_folder_gzipped_or_plain(idx_folder, mnist_arrays, split, count):
    images, labels = data.load_mnist(split, path=idx_folder)
    key = "train" if split == "train" else "test"
    np.testing.assert_array_equal(images, mnist_arrays[f"x_{key}"][:count])
    np.testing.assert_array_equal(labels, mnist_arrays[f"y_{key}"][:count])


def test_environment_variable_is_used(monkeypatch, tiny_npz, no_download):
    monkeypatch.setenv("GANLIB_DATA", str(tiny_npz))
    images, _ = data.load_mnist("train")
    assert images.shape == (320, 28, 28)


def test_keras_cache_is_used(monkeypatch, tmp_path, tiny_npz, no_download):
    monkeypatch.delenv("GANLIB_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mnist.npz").write_bytes(tiny_npz.read_bytes())
    images, _ = data.load_mnist("test")
    assert images.shape == (100, 28, 28)


def test_clear_error_when_every_place_fails(monkeypatch, tmp_path, no_download):
    monkeypatch.delenv("GANLIB_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(data.DataNotFoundError) as error:
        data.load_mnist()
    message = str(error.value)
    for expected in ("Keras' cache", str(tmp_path / "datasets" / "mnist.npz"), "download",
                     "GANLIB_DATA", "--data"):
        assert expected in message


def test_named_path_that_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.load_mnist(path=tmp_path / "missing.npz")


def test_fashion_mnist_from_debian_folder():
    folder = mnist.DEBIAN_FOLDERS["fashion_mnist"]
    if not os.path.isdir(folder):
        message = ("Debian's dataset-fashion-mnist is not installed (make test installs it as "
                   "root); GANLIB_SKIP_DATA_TESTS=1 skips the tests that need data on purpose")
        if os.environ.get("GANLIB_SKIP_DATA_TESTS") == "1":
            pytest.skip(message)
        pytest.fail(message)
    images, labels = data.load_mnist("test", dataset="fashion_mnist")
    assert images.shape == (10000, 28, 28) and set(labels) == set(range(10))


def test_corrupt_and_truncated_files(tmp_path, mnist_arrays):
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"this is not a zip archive")
    with pytest.raises(ValueError, match="not a readable .npz"):
        data.load_mnist(path=corrupt)
    wrong_keys = tmp_path / "wrong.npz"
    np.savez(wrong_keys, images=mnist_arrays["x_test"][:5])
    with pytest.raises(ValueError, match="no array 'x_train'"):
        data.load_mnist(path=wrong_keys)
    folder = tmp_path / "idx"
    folder.mkdir()
    write_idx(folder / "t10k-images-idx3-ubyte", mnist_arrays["x_test"][:10])
    write_idx(folder / "t10k-labels-idx1-ubyte", mnist_arrays["y_test"][:10])
    raw = (folder / "t10k-images-idx3-ubyte").read_bytes()
    (folder / "t10k-images-idx3-ubyte").write_bytes(raw[:-100])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        data.load_mnist("test", path=folder)
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        data.load_mnist("train", path=folder)


@pytest.mark.parametrize("digits, message", [([10], "not a class"), ([], "empty"),
                                             (["3"], "not a class"), ([-1], "not a class")])
def test_bad_digits(mnist_path, digits, message):
    with pytest.raises(ValueError, match=message):
        data.load_mnist(digits=digits, path=mnist_path)


@pytest.mark.parametrize("scale, low, high", [("tanh", -1.0, 1.0), ("sigmoid", 0.0, 1.0)])
def test_make_dataset_scales_batches_and_drops_remainder(mnist_arrays, scale, low, high):
    images = mnist_arrays["x_test"][:100]
    batches = list(data.make_dataset(images, 32, scale=scale, seed=0))
    assert len(batches) == 3  # 100 // 32: the last 4 images are dropped.
    for batch in batches:
        assert batch.shape == (32, 28, 28, 1) and batch.dtype == tf.float32
    values = np.concatenate([batch.numpy().ravel() for batch in batches])
    assert values.min() == pytest.approx(low) and values.max() == pytest.approx(high)


def test_make_dataset_reshuffles_each_epoch(mnist_arrays):
    dataset = data.make_dataset(mnist_arrays["x_test"][:64], 64, seed=1)
    first, second = (next(iter(dataset)).numpy() for _ in range(2))
    assert not np.array_equal(first, second)
    # The same images, in another order.
    np.testing.assert_allclose(np.sort(first.ravel()), np.sort(second.ravel()))


@pytest.mark.parametrize("batch_size, message", [(0, "at least 1"), (1000, "larger than"),
                                                 (2.5, "whole number")])
def test_make_dataset_bad_batch_size(mnist_arrays, batch_size, message):
    with pytest.raises(ValueError, match=message):
        data.make_dataset(mnist_arrays["x_test"][:100], batch_size)


def test_scale_images_maps_pixels_linearly_onto_each_range():
    pixels = np.array([[0, 1, 127, 128, 254, 255]], dtype=np.uint8)
    pixels = np.broadcast_to(pixels.reshape(1, 1, 6), (1, 28, 6))
    pixels = np.pad(pixels, ((0, 0), (0, 0), (0, 22)))  # (1, 28, 28); the rest is 0
    tanh = data.scale_images(pixels, "tanh")
    sigmoid = data.scale_images(pixels, "sigmoid")
    assert tanh.shape == (1, 28, 28, 1) and tanh.dtype == np.float32
    np.testing.assert_allclose(tanh[0, 0, :6, 0], [-1.0, -1 + 2 / 255, -1 + 254 / 255,
                                                   -1 + 256 / 255, 1 - 2 / 255, 1.0], atol=1e-7)
    np.testing.assert_allclose(sigmoid[0, 0, :6, 0], np.array([0, 1, 127, 128, 254, 255]) / 255,
                               rtol=1e-6)
    with pytest.raises(ValueError, match="scale must be"):
        data.scale_images(pixels, "relu")


def test_unscale_images_reads_either_range_and_rounds():
    tanh = np.full((2, 28, 28, 1), -1.0, np.float32)
    tanh[0, 0, 0, 0], tanh[1, 5, 5, 0] = 1.0, 0.0  # white, and mid-grey 127.5 -> 128
    pixels = data.unscale_images(tanh)
    assert pixels.shape == (2, 28, 28) and pixels.dtype == np.uint8
    assert (pixels[0, 0, 0], pixels[1, 5, 5], pixels[1, 0, 0]) == (255, 128, 0)
    unit = np.zeros((1, 28, 28), np.float32)
    unit[0, 3, 3] = 0.5  # No negative value: read as [0, 1], so 0.5 -> 128.
    assert data.unscale_images(unit)[0, 3, 3] == 128 and data.unscale_images(unit)[0, 0, 0] == 0
    with pytest.raises(ValueError, match="must lie in"):
        data.unscale_images(np.full((1, 28, 28), 3.0, np.float32))


def test_scale_and_unscale_round_trip(mnist_arrays):
    images = mnist_arrays["x_test"][:20]
    for scale in ("tanh", "sigmoid"):
        np.testing.assert_array_equal(data.unscale_images(data.scale_images(images, scale)), images)


def epoch_indices(dataset, steps, epochs):
    """Which images each epoch of `epoch_batches` gave, read from their labels."""
    batches = list(dataset.take(steps * epochs))
    return [np.concatenate([labels.numpy() for _, labels in batches[e * steps:(e + 1) * steps]])
            for e in range(epochs)]


def test_epoch_batches_order_is_a_function_of_seed_and_epoch_alone():
    images = np.zeros((100, 28, 28), np.uint8)
    ids = np.arange(100)  # The "label" of image i is i, so a batch says which images it holds.
    images[:, 0, 0] = ids
    dataset, steps = data.epoch_batches(images, 32, seed=5, labels=ids)
    assert steps == 3  # 100 // 32; 4 images are left out of each epoch
    epochs = epoch_indices(dataset, steps, 3)
    for order in epochs:
        assert len(set(order.tolist())) == 96  # No image twice within an epoch.
    assert not np.array_equal(epochs[0], epochs[1])  # A new order every epoch.
    # A run resumed at epoch 2 sees exactly epoch 2 of the uninterrupted run.
    resumed, _ = data.epoch_batches(images, 32, seed=5, first_epoch=2, labels=ids)
    np.testing.assert_array_equal(epoch_indices(resumed, steps, 1)[0], epochs[2])
    # The same in a new dataset, and different for another seed.
    again, _ = data.epoch_batches(images, 32, seed=5, labels=ids)
    np.testing.assert_array_equal(epoch_indices(again, steps, 1)[0], epochs[0])
    other, _ = data.epoch_batches(images, 32, seed=6, labels=ids)
    assert not np.array_equal(epoch_indices(other, steps, 1)[0], epochs[0])
    # Images travel with their labels, scaled to [-1, 1].
    batch, labels = next(iter(dataset))
    np.testing.assert_allclose(batch.numpy()[:, 0, 0, 0], labels.numpy() / 127.5 - 1, rtol=1e-6)


def test_epoch_batches_without_labels_gives_image_batches(mnist_arrays):
    dataset, steps = data.epoch_batches(mnist_arrays["x_test"][:64], 16, seed=0, scale="sigmoid")
    batch = next(iter(dataset))
    assert steps == 4 and tuple(batch.shape) == (16, 28, 28, 1)
    assert 0.0 <= float(batch.numpy().min()) and float(batch.numpy().max()) <= 1.0
