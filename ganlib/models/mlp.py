"""A fully connected GAN (Goodfellow et al., 2014): `Dense` layers on the flattened 784 pixels.

The discriminator returns a score (a logit), like the DCGAN one in `ganlib.models.dcgan`.
"""

import keras
from keras import layers

from ganlib.core.arguments import in_range, whole_number, whole_numbers
from ganlib.core.pixels import IMAGE_SHAPE
from ganlib.models.dcgan import _check_output_activation


def mlp_generator(latent_dim=100, units=(256, 512, 1024), output_activation="tanh",
                  name="generator"):
    """A fully connected generator: noise `(batch, latent_dim)` -> images `(batch, 28, 28, 1)`.

    One `Dense -> BatchNorm -> LeakyReLU` block per entry of `units`, then Dense to 784 pixels
    with `output_activation`, reshaped to an image.
    """
    whole_number("latent_dim", latent_dim)
    units = whole_numbers("units", units, example="(256, 512)")
    _check_output_activation(output_activation)
    noise = keras.Input(shape=(latent_dim,), name="noise")
    x = noise
    for width in units:
        x = layers.Dense(width, use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Dense(28 * 28, activation=output_activation, dtype="float32")(x)
    images = layers.Reshape(IMAGE_SHAPE)(x)  # (batch, 28, 28, 1)
    return keras.Model(noise, images, name=name)


def mlp_discriminator(units=(512, 256), dropout=0.3, name="discriminator"):
    """A fully connected discriminator: images `(batch, 28, 28, 1)` -> scores `(batch, 1)`.

    One `Dense -> LeakyReLU -> Dropout` block per entry of `units`. There is no batch norm here:
    real and fake batches pass through separately, and batch statistics would let the
    discriminator tell them apart by their statistics instead of by the images.
    """
    units = whole_numbers("units", units, example="(512, 256)")
    in_range("dropout", dropout, 0.0, 1.0, "0.3")
    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    x = layers.Flatten()(images)  # (batch, 784)
    for width in units:
        x = layers.Dense(width)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        if dropout > 0:
            x = layers.Dropout(dropout)(x)
    scores = layers.Dense(1, dtype="float32")(x)
    return keras.Model(images, scores, name=name)
