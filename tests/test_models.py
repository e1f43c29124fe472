"""ganlib.models: shapes and exact parameter counts of every preset, and argument checks."""

import keras
import numpy as np
import pytest

from ganlib import models


def dcgan_generator_count(latent_dim, filters, kernel_size):
    """Weights of the DCGAN generator, counted by hand layer by layer."""
    count = latent_dim * 7 * 7 * filters[0] + 4 * 7 * 7 * filters[0]  # Dense (no bias) + BatchNorm
    channels = filters[0]
    for block_filters in filters[1:]:
        count += kernel_size * kernel_size * channels * block_filters + 4 * block_filters
        channels = block_filters
    return count + kernel_size * kernel_size * channels  # Output layer: one channel, no bias.


def dcgan_discriminator_count(filters, kernel_size):
    count, channels = 0, 1
    for block_filters in filters:
        count += kernel_size * kernel_size * channels * block_filters + block_filters
        channels = block_filters
    side = 28 // 2 ** len(filters)
    return count + side * side * channels + 1


def mlp_generator_count(latent_dim, units):
    count, width = 0, latent_dim
    for block in units:
        count += width * block + 4 * block
        width = block
    return count + width * 784 + 784


def mlp_discriminator_count(units):
    count, width = 0, 784
    for block in units:
        count += width * block + block
        width = block
    return count + width + 1


def test_tutorial_preset_matches_the_tensorflow_tutorial():
    generator, discriminator = models.build_preset("tutorial")
    assert generator.count_params() == 2_330_944
    assert discriminator.count_params() == 212_865


@pytest.mark.parametrize("name", list(models.PRESETS))
@pytest.mark.parametrize("latent_dim", [100, 16])
def test_every_preset_shapes_and_counts(name, latent_dim):
    generator, discriminator = models.build_preset(name, latent_dim=latent_dim)
    preset = models.PRESETS[name]
    noise = np.random.default_rng(0).standard_normal((3, latent_dim)).astype("float32")
    images = generator(noise, training=False)
    assert tuple(images.shape) == (3, 28, 28, 1)
    assert np.abs(np.asarray(images)).max() <= 1.0  # tanh output
    assert tuple(discriminator(images).shape) == (3, 1)
    if preset["family"] == "dcgan":
        expected_g = dcgan_generator_count(latent_dim, preset["generator"]["filters"],
                                           preset["generator"]["kernel_size"])
        expected_d = dcgan_discriminator_count(preset["discriminator"]["filters"],
                                               preset["discriminator"]["kernel_size"])
    else:
        expected_g = mlp_generator_count(latent_dim, preset["generator"]["units"])
        expected_d = mlp_discriminator_count(preset["discriminator"]["units"])
    assert generator.count_params() == expected_g
    assert discriminator.count_params() == expected_d


def test_sigmoid_output_is_in_zero_one():
    generator = models.dcgan_generator(8, filters=(16, 8), strides=(2, 2), kernel_size=4,
                                       output_activation="sigmoid")
    images = np.asarray(generator(np.ones((2, 8), "float32") * 3))
    assert images.min() >= 0.0 and images.max() <= 1.0


@pytest.mark.parametrize("build, message", [
    (lambda: models.build_preset("nope"), "Unknown preset 'nope'"),
    (lambda: models.dcgan_generator(0), "latent_dim must be a positive"),
    (lambda: models.dcgan_generator(10, filters=(8, 8), strides=(1, 1)), "product must be 4"),
    (lambda: models.dcgan_generator(10, filters=(8,), strides=(2, 2)), "one entry per"),
    (lambda: models.dcgan_generator(10, output_activation="relu"), "output_activation"),
    (lambda: models.dcgan_discriminator(dropout=1.5), "dropout"),
    (lambda: models.mlp_generator(10, units=()), "at least one"),
])
def test_bad_arguments_name_the_fix(build, message):
    keras.backend.clear_session()
    with pytest.raises(ValueError, match=message):
        build()
