"""ganlib.models: shapes and exact parameter counts of every preset, and argument checks."""

import keras
import numpy as np
import pytest

from ganlib import models
from ganlib.models.pretrained import load_pretrained, pretrained_path
from ganlib.models.sampling import generator_labels
from ganlib.training import TrainConfig


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
    side = 28
    for _ in filters:
        side = -(-side // 2)  # Stride 2 with "same" padding rounds up: 28 -> 14 -> 7 -> 4.
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


def conditional_counts(latent_dim, preset, classes=10):
    """The conditional networks: the DCGAN ones, plus the label tables (and a wider first layer)."""
    filters = preset["generator"]["filters"]
    embedding = preset["generator"]["embedding_dim"]
    generator = (dcgan_generator_count(latent_dim + embedding, filters,
                                       preset["generator"]["kernel_size"])
                 + classes * embedding)
    d_filters = preset["discriminator"]["filters"]
    side = 28
    for _ in d_filters:
        side = -(-side // 2)
    discriminator = (dcgan_discriminator_count(d_filters, preset["discriminator"]["kernel_size"])
                     + classes * side * side * d_filters[-1])
    return generator, discriminator


@pytest.mark.parametrize("name", list(models.PRESETS))
@pytest.mark.parametrize("latent_dim", [100, 16])
def test_every_preset_shapes_and_counts(name, latent_dim):
    generator, discriminator = models.build_preset(name, latent_dim=latent_dim)
    preset = models.PRESETS[name]
    noise = np.random.default_rng(0).standard_normal((3, latent_dim)).astype("float32")
    labels = np.array([0, 4, 9], dtype="int32")
    conditional = preset["family"] == "conditional"
    images = np.asarray(generator([noise, labels] if conditional else noise, training=False))
    assert tuple(images.shape) == (3, 28, 28, 1)
    assert np.abs(np.asarray(images)).max() <= 1.0  # tanh output
    assert tuple(discriminator([images, labels] if conditional else images).shape) == (3, 1)
    if conditional:
        expected_g, expected_d = conditional_counts(latent_dim, preset,
                                                    preset.get("clusters", 10))
    elif preset["family"] == "dcgan":
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
    (lambda: models.dcgan_generator(0), "latent_dim must be a whole number of at least 1"),
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


def test_conditional_generator_draws_what_the_label_asks():
    generator = models.conditional_generator(8, filters=(16, 8))
    noise = np.ones((2, 8), "float32")
    images = np.asarray(generator([noise, np.array([3, 7], "int32")], training=False))
    assert not np.allclose(images[0], images[1])  # Same noise, other label: another image.
    again = np.asarray(generator([noise, np.array([3, 3], "int32")], training=False))
    np.testing.assert_allclose(again[0], again[1], rtol=1e-6)
    assert models.is_conditional(generator) and models.num_classes(generator) == 10


def test_projection_score_is_the_unconditional_score_plus_the_class_projection():
    """score(x, y) = w . phi(x) + b + embed(y) . phi(x), computed here from the weights."""
    discriminator = models.projection_discriminator(filters=(4, 8), kernel_size=3)
    images = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)).astype("float32")
    labels = np.array([1, 5, 1], dtype="int32")
    flatten = next(layer for layer in discriminator.layers if isinstance(layer, keras.layers.Flatten))
    features = np.asarray(keras.Model(discriminator.inputs[0], flatten.output)(images))  # (3, d)
    dense = next(layer for layer in discriminator.layers if isinstance(layer, keras.layers.Dense))
    embedding = next(layer for layer in discriminator.layers
                     if isinstance(layer, keras.layers.Embedding))
    table = np.random.default_rng(1).normal(size=embedding.embeddings.shape).astype("float32")
    embedding.embeddings.assign(table)  # (10, d); random, so the projection term is not 0
    kernel, bias = dense.kernel.numpy(), dense.bias.numpy()
    expected = features @ kernel + bias + np.sum(table[labels] * features, axis=1, keepdims=True)
    np.testing.assert_allclose(np.asarray(discriminator([images, labels])), expected, rtol=1e-4,
                               atol=1e-4)


def test_generate_asks_a_conditional_generator_for_every_digit_in_turn():
    generator = models.conditional_generator(8, filters=(16, 8))
    np.testing.assert_array_equal(generator_labels(generator, 12), [0, 1, 2, 3, 4, 5, 6, 7, 8,
                                                                    9, 0, 1])
    np.testing.assert_array_equal(generator_labels(generator, 3, labels=7), [7, 7, 7])
    by_seed = models.generate(generator, 4, seed=1, labels=2)
    np.testing.assert_array_equal(by_seed, models.generate(generator, 4, seed=1, labels=2))
    assert not np.allclose(by_seed, models.generate(generator, 4, seed=1, labels=5))


def test_minibatch_stddev_appends_the_mean_standard_deviation():
    x = np.random.default_rng(0).normal(size=(5, 4, 4, 3)).astype("float32")
    out = np.asarray(models.MinibatchStddev()(x))
    assert out.shape == (5, 4, 4, 4)
    np.testing.assert_array_equal(out[..., :3], x)
    np.testing.assert_allclose(out[..., 3], np.mean(np.std(x, axis=0)), rtol=1e-4)


@pytest.mark.parametrize("preset", ["clustered", "dcgan", "conditional"])
def test_the_shipped_generators_load_into_their_presets(preset):
    assert pretrained_path(preset).exists(), "make pretrained"
    generator = load_pretrained(preset)
    assert generator.count_params() == models.build_preset(preset)[0].count_params()
    images = models.generate(generator, 20, seed=0)
    assert images.shape == (20, 28, 28, 1) and images.std() > 0.1  # Trained: not a blank page.


def test_the_default_preset_is_the_one_loaded_and_trained_unless_told():
    assert models.DEFAULT_PRESET == "clustered" and TrainConfig().preset == "clustered"
    assert models.num_classes(load_pretrained()) == models.preset_clusters("clustered") == 30


def test_load_pretrained_names_the_fix():
    with pytest.raises(ValueError, match="No pretrained generator for preset 'mlp'"):
        load_pretrained("mlp")
