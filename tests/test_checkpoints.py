"""ganlib.checkpoints: a restored GAN is the same GAN; a broken newest file falls back."""

import keras
import numpy as np
import pytest

from ganlib import GAN, models
from ganlib.training import checkpoints


def compiled_gan(seed, **settings):
    keras.utils.set_random_seed(seed)
    generator = models.dcgan_generator(8, filters=(8, 4), strides=(2, 2), kernel_size=4)
    discriminator = models.dcgan_discriminator(filters=(4, 8), kernel_size=4)
    gan = GAN(generator, discriminator, seed=seed)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), **settings)
    return gan


def state(gan):
    groups = checkpoints._variable_groups(gan)
    return [variable.numpy() for variables in groups.values() for variable in variables]


@pytest.mark.parametrize("settings", [{}, {"ema_half_life": 100, "penalty": "r1",
                                          "penalty_weight": 1.0, "penalty_interval": 2}],
                         ids=["plain", "average and lazy penalty"])
def test_restore_gives_back_every_variable(tmp_path, mnist_arrays, settings):
    gan = compiled_gan(0, **settings)
    batch = mnist_arrays["x_test"][:8, ..., None].astype("float32") / 127.5 - 1
    gan.train_step(batch)  # Optimizer moments and step counts are non-zero now.
    noise = np.arange(16, dtype="float32").reshape(2, 8)
    path = checkpoints.save_checkpoint(gan, tmp_path, 3, noise, {"preset": "test"})
    assert path.name == "epoch_0003.npz"

    other = compiled_gan(1, **settings)
    assert any(not np.array_equal(a, b) for a, b in zip(state(gan), state(other)))
    epoch, fixed_noise, record = checkpoints.restore_checkpoint(other, checkpoints.read_checkpoint(path))
    assert (epoch, record) == (3, {"preset": "test"})
    np.testing.assert_array_equal(fixed_noise, noise)
    for a, b in zip(state(gan), state(other)):
        np.testing.assert_array_equal(a, b)
    # Same state (noise and dropout seeds included), so the next step is the same step.
    gan.train_step(batch)
    other.train_step(batch)
    for a, b in zip(state(gan), state(other)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_only_the_newest_are_kept_and_no_temporary_is_left(tmp_path):
    gan = compiled_gan(0)
    for epoch in range(1, 5):
        checkpoints.save_checkpoint(gan, tmp_path, epoch, np.zeros((1, 8)), keep=2)
    assert [path.name for path in checkpoints.list_checkpoints(tmp_path)] == \
        ["epoch_0003.npz", "epoch_0004.npz"]
    assert not list(tmp_path.glob("*.tmp"))


def test_corrupt_newest_falls_back_with_a_warning(tmp_path):
    gan = compiled_gan(0)
    for epoch in (1, 2):
        checkpoints.save_checkpoint(gan, tmp_path, epoch, np.zeros((1, 8)))
    newest = tmp_path / "epoch_0002.npz"
    newest.write_bytes(newest.read_bytes()[:1000])  # A copy cut short.
    with pytest.warns(UserWarning, match="Falling back"):
        path, arrays = checkpoints.latest_checkpoint(tmp_path)
    assert path.name == "epoch_0001.npz" and int(arrays["epoch"]) == 1


def test_checkpoint_of_another_model_is_refused(tmp_path):
    path = checkpoints.save_checkpoint(compiled_gan(0), tmp_path, 1, np.zeros((1, 8)))
    keras.utils.set_random_seed(0)
    wider = GAN(models.dcgan_generator(8, filters=(16, 4), strides=(2, 2), kernel_size=4),
                models.dcgan_discriminator(filters=(4, 8), kernel_size=4))
    wider.compile(keras.optimizers.Adam(), keras.optimizers.Adam())
    with pytest.raises(ValueError, match="has shape \\(8, 392\\).*another preset or latent size"):
        checkpoints.restore_checkpoint(wider, checkpoints.read_checkpoint(path))
    with pytest.raises(ValueError, match="generator_average variables"):
        checkpoints.restore_checkpoint(compiled_gan(0, ema_half_life=10),
                                       checkpoints.read_checkpoint(path))


def test_a_stray_temporary_file_is_ignored(tmp_path):
    (tmp_path / "epoch_0009.npz.tmp").write_bytes(b"half a checkpoint")
    assert checkpoints.latest_checkpoint(tmp_path) == (None, None)
