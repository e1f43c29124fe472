"""The DCGAN generator and discriminator (Radford et al., 2016), built with the functional API.

The generator projects a noise vector `(batch, latent_dim)` to a `(batch, 7, 7, filters[0])`
block, then upsamples with strided `Conv2DTranspose` layers to `(batch, 28, 28, 1)`. The
discriminator downsamples with strided `Conv2D` layers and ends in one *score* `(batch, 1)`: a
logit, any real number, not a probability (`sigmoid(logit)` is D(x); the objectives work on
scores because that is numerically safer, see `ganlib.engine.objectives`).

`generator_body` and `discriminator_body` are the layers between the inputs and the outputs, so
that `ganlib.models.conditional` builds its class-conditional networks from the same blocks.
"""

import keras
from keras import layers

from ganlib.core.arguments import in_range, one_of, whole_number, whole_numbers
from ganlib.core.pixels import IMAGE_SHAPE

OUTPUT_ACTIVATIONS = ("tanh", "sigmoid")
ACTIVATIONS = ("leaky_relu", "relu")


def _activation(kind, slope):
    return layers.LeakyReLU(negative_slope=slope) if kind == "leaky_relu" else layers.ReLU()


def _check_output_activation(output_activation):
    if output_activation not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"output_activation must be 'tanh' (data in [-1, 1]) or 'sigmoid' (data "
                         f"in [0, 1]), not {output_activation!r}.")


def generator_body(x, filters, strides, kernel_size, output_activation, batch_norm=True,
                   activation="leaky_relu"):
    """Layers from a `(batch, d)` vector to images `(batch, 28, 28, 1)`; returns the image tensor.

    Dense to `7 * 7 * filters[0]` -> [BatchNorm] -> activation -> Reshape `(7, 7, filters[0])`,
    then one `Conv2DTranspose -> [BatchNorm] -> activation` block per further entry of `filters`,
    and a last `Conv2DTranspose` to one channel with `output_activation`. `strides` holds one
    stride per transposed convolution, the output one included; their product must be 4.
    """
    filters = whole_numbers("filters", filters)
    whole_number("kernel_size", kernel_size)
    _check_output_activation(output_activation)
    one_of("activation", activation, ACTIVATIONS)
    if len(strides) != len(filters):
        raise ValueError(f"strides needs one entry per transposed convolution ({len(filters)}: one "
                         f"per filters entry after the first, plus the output layer), got "
                         f"{len(strides)}.")
    growth = 1
    for stride in strides:
        growth *= stride
    if growth != 4:
        raise ValueError(f"strides {tuple(strides)} grow 7x7 to {7 * growth}x{7 * growth}, not "
                         "28x28: their product must be 4, e.g. (1, 2, 2) or (2, 2).")
    # Biases are left out before batch norm, which subtracts the mean and would cancel them.
    x = layers.Dense(7 * 7 * filters[0], use_bias=not batch_norm)(x)
    if batch_norm:
        x = layers.BatchNormalization()(x)
    x = _activation(activation, 0.3)(x)
    x = layers.Reshape((7, 7, filters[0]))(x)  # (batch, 7, 7, filters[0])
    for block_filters, stride in zip(filters[1:], strides[:-1]):
        x = layers.Conv2DTranspose(block_filters, kernel_size, strides=stride, padding="same",
                                   use_bias=not batch_norm)(x)
        if batch_norm:
            x = layers.BatchNormalization()(x)
        x = _activation(activation, 0.3)(x)
    # The last layer has no batch norm: its output is the image itself. float32 even under mixed
    # precision, so images (and the losses on them) keep full precision.
    return layers.Conv2DTranspose(1, kernel_size, strides=strides[-1], padding="same",
                                  use_bias=False, activation=output_activation,
                                  dtype="float32")(x)  # (batch, 28, 28, 1)


def dcgan_generator(latent_dim=100, filters=(256, 128, 64), strides=(1, 2, 2), kernel_size=5,
                    output_activation="tanh", batch_norm=True, activation="leaky_relu",
                    name="generator"):
    """The DCGAN generator: noise `(batch, latent_dim)` -> images `(batch, 28, 28, 1)`.

    tanh gives images in [-1, 1], sigmoid in [0, 1]. See `generator_body` for the layers.
    """
    noise = keras.Input(shape=(whole_number("latent_dim", latent_dim),), name="noise")
    images = generator_body(noise, filters, strides, kernel_size, output_activation, batch_norm,
                            activation)
    model = keras.Model(noise, images, name=name)
    assert model.output_shape == (None,) + IMAGE_SHAPE, model.output_shape
    return model


@keras.saving.register_keras_serializable(package="ganlib")
class MinibatchStddev(layers.Layer):
    """Append the batch's mean standard deviation as one more feature map (Karras et al., 2018).

    A discriminator that sees how much the images of a batch differ from each other can tell a
    generator that draws the same digit again and again, and push it towards variety. Input and
    output `(batch, h, w, c)` -> `(batch, h, w, c + 1)`.
    """

    def call(self, x):
        std = keras.ops.sqrt(keras.ops.var(x, axis=0) + 1e-8)  # (h, w, c)
        feature = keras.ops.mean(std) * keras.ops.ones_like(x[..., :1])  # (batch, h, w, 1)
        return keras.ops.concatenate([x, keras.ops.cast(feature, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (input_shape[-1] + 1,)


def discriminator_body(images, filters, kernel_size, dropout=0.0, batch_norm=False,
                       dense_units=0, minibatch_std=False):
    """Layers from images `(batch, 28, 28, 1)` to a feature vector `(batch, d)`; returns it.

    Each entry of `filters` adds `Conv2D (stride 2) -> [BatchNorm] -> LeakyReLU -> [Dropout]`,
    halving the image side (28 -> 14 -> 7 -> 4). Strided convolutions replace pooling so the
    network learns how to downsample; LeakyReLU keeps a gradient for negative inputs, which the
    generator learns from; dropout slows the discriminator down so it does not win too early.
    `batch_norm` normalises every convolution but the first, as in the DCGAN paper.
    `minibatch_std` adds a `MinibatchStddev` map before the last convolution, and `dense_units`
    a `Dense -> LeakyReLU` layer after flattening.
    """
    filters = whole_numbers("filters", filters)
    whole_number("kernel_size", kernel_size)
    in_range("dropout", dropout, 0.0, 1.0, "0.3")
    whole_number("dense_units", dense_units, minimum=0)
    x = images
    for index, block_filters in enumerate(filters):
        if minibatch_std and index == len(filters) - 1:
            x = MinibatchStddev()(x)
        normalise = batch_norm and index > 0
        x = layers.Conv2D(block_filters, kernel_size, strides=2, padding="same",
                          use_bias=not normalise)(x)
        if normalise:
            x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(negative_slope=0.3)(x)
        if dropout > 0:
            x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    if dense_units:
        x = layers.LeakyReLU(negative_slope=0.3)(layers.Dense(dense_units)(x))
    return x


def dcgan_discriminator(filters=(64, 128), kernel_size=5, dropout=0.3, batch_norm=False,
                        dense_units=0, minibatch_std=False, name="discriminator"):
    """The DCGAN discriminator: images `(batch, 28, 28, 1)` -> scores `(batch, 1)`.

    See `discriminator_body` for the layers; a Dense layer gives the score (a logit).
    """
    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    features = discriminator_body(images, filters, kernel_size, dropout, batch_norm, dense_units,
                                  minibatch_std)
    scores = layers.Dense(1, dtype="float32")(features)  # (batch, 1); D(x) = sigmoid(score)
    model = keras.Model(images, scores, name=name)
    assert model.output_shape == (None, 1), model.output_shape
    return model
