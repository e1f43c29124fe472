"""Generator and discriminator builders, and the named presets the course trains.

Two families, both built with the Keras functional API:

- DCGAN (Radford et al., 2016). The generator projects a noise vector `(batch, latent_dim)` to a
  `(batch, 7, 7, filters[0])` block, then upsamples with strided `Conv2DTranspose` layers to
  `(batch, 28, 28, 1)`. The discriminator downsamples with strided `Conv2D` layers to one logit.
- MLP (Goodfellow et al., 2014): `Dense` layers only, on the flattened 784 pixels.

The discriminator returns a *logit* (any real number), not a probability: `sigmoid(logit)` is
D(x), and the losses work on logits because that is numerically safer (see `ganlib.losses`).

Presets (`build_preset(name)`):
- `tutorial`: exactly the layers of the TensorFlow DCGAN tutorial (2,330,944 and 212,865 weights).
- `mlp`: a fully connected GAN, the classic Keras example.
- `default`: the DCGAN this course trains; narrower than the tutorial's so that it reaches
  recognisable digits in minutes on a laptop CPU.
"""

import keras
from keras import layers

IMAGE_SHAPE = (28, 28, 1)
OUTPUT_ACTIVATIONS = ("tanh", "sigmoid")

PRESETS = {
    "tutorial": {
        "family": "dcgan",
        "generator": {"filters": (256, 128, 64), "strides": (1, 2, 2), "kernel_size": 5},
        "discriminator": {"filters": (64, 128), "kernel_size": 5, "dropout": 0.3},
        # The tutorial trains with batch 256 and Adam(1e-4) for both networks.
        "training": {"batch_size": 256, "d_learning_rate": 1e-4, "g_learning_rate": 1e-4,
                     "beta_1": 0.9, "label_smoothing": 0.0},
    },
    "mlp": {
        "family": "mlp",
        "generator": {"units": (256, 512, 1024)},
        "discriminator": {"units": (512, 256), "dropout": 0.3},
        "training": {"batch_size": 64, "d_learning_rate": 2e-4, "g_learning_rate": 2e-4,
                     "beta_1": 0.5, "label_smoothing": 0.0},
    },
    "default": {
        "family": "dcgan",
        "generator": {"filters": (128, 64), "strides": (2, 2), "kernel_size": 4},
        # Tuned on this course's 2-core CPU (bench/RESULTS.md): without dropout the narrow
        # discriminator learns faster per image; batch 32 gives twice the updates for the same
        # images at nearly the same images/s; and a generator learning rate twice the
        # discriminator's (two time-scales, the other way round from TTUR's usual advice) lets
        # the generator keep up. Each change lowered FID-MNIST at an equal number of images.
        "discriminator": {"filters": (32, 64), "kernel_size": 4, "dropout": 0.0},
        "training": {"batch_size": 32, "d_learning_rate": 2e-4, "g_learning_rate": 4e-4,
                     "beta_1": 0.5, "label_smoothing": 0.0},
    },
}


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive whole number, not {value!r}.")


def _check_filters(name, filters):
    if not filters:
        raise ValueError(f"{name} needs at least one entry, e.g. (128, 64).")
    for value in filters:
        _check_positive_int(f"each entry of {name}", value)


def _check_output_activation(output_activation):
    if output_activation not in OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"output_activation must be 'tanh' (data in [-1, 1]) or 'sigmoid' (data in [0, 1]), "
            f"not {output_activation!r}."
        )


def dcgan_generator(latent_dim=100, filters=(256, 128, 64), strides=(1, 2, 2), kernel_size=5,
                    output_activation="tanh", name="generator"):
    """The DCGAN generator: noise `(batch, latent_dim)` -> images `(batch, 28, 28, 1)`.

    Layers: Dense to `7 * 7 * filters[0]` -> BatchNorm -> LeakyReLU -> Reshape `(7, 7, filters[0])`,
    then one `Conv2DTranspose -> BatchNorm -> LeakyReLU` block per further entry of `filters`, and
    a last `Conv2DTranspose` to one channel with `output_activation` (tanh gives [-1, 1], sigmoid
    gives [0, 1]). `strides` holds one stride per transposed convolution, the output one included;
    together they must grow 7 pixels to 28 (their product is 4).
    """
    _check_positive_int("latent_dim", latent_dim)
    _check_filters("filters", filters)
    _check_positive_int("kernel_size", kernel_size)
    _check_output_activation(output_activation)
    if len(strides) != len(filters):
        raise ValueError(
            f"strides needs one entry per transposed convolution ({len(filters)}: one per "
            f"filters entry after the first, plus the output layer), got {len(strides)}."
        )
    growth = 1
    for stride in strides:
        growth *= stride
    if growth != 4:
        raise ValueError(f"strides {tuple(strides)} grow 7x7 to {7 * growth}x{7 * growth}, not 28x28: "
                         "their product must be 4, e.g. (1, 2, 2) or (2, 2).")

    noise = keras.Input(shape=(latent_dim,), name="noise")
    # Biases are left out before batch norm, which subtracts the mean and would cancel them.
    x = layers.Dense(7 * 7 * filters[0], use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(negative_slope=0.3)(x)
    x = layers.Reshape((7, 7, filters[0]))(x)  # (batch, 7, 7, filters[0])
    for block_filters, stride in zip(filters[1:], strides[:-1]):
        x = layers.Conv2DTranspose(block_filters, kernel_size, strides=stride, padding="same",
                                   use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(negative_slope=0.3)(x)
    # The last layer has no batch norm: its output is the image itself.
    images = layers.Conv2DTranspose(1, kernel_size, strides=strides[-1], padding="same",
                                    use_bias=False, activation=output_activation, dtype="float32")(x)
    model = keras.Model(noise, images, name=name)
    assert model.output_shape == (None,) + IMAGE_SHAPE, model.output_shape
    return model


def dcgan_discriminator(filters=(64, 128), kernel_size=5, dropout=0.3, batch_norm=False,
                        name="discriminator"):
    """The DCGAN discriminator: images `(batch, 28, 28, 1)` -> logits `(batch, 1)`.

    Each entry of `filters` adds `Conv2D (stride 2) -> LeakyReLU -> Dropout`, halving the image
    side (28 -> 14 -> 7). Strided convolutions replace pooling so the network learns how to
    downsample; LeakyReLU keeps a gradient for negative inputs, which the generator learns from;
    dropout slows the discriminator down so it does not win too early. A Dense layer gives the logit.
    `batch_norm=True` adds batch normalisation after every convolution but the first, as in the
    DCGAN paper.
    """
    _check_filters("filters", filters)
    _check_positive_int("kernel_size", kernel_size)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), not {dropout!r}.")

    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    x = images
    for index, block_filters in enumerate(filters):
        normalise = batch_norm and index > 0
        x = layers.Conv2D(block_filters, kernel_size, strides=2, padding="same",
                          use_bias=not normalise)(x)
        if normalise:
            x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(negative_slope=0.3)(x)
        if dropout > 0:
            x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    logits = layers.Dense(1, dtype="float32")(x)  # (batch, 1), D(x) = sigmoid(logit)
    model = keras.Model(images, logits, name=name)
    assert model.output_shape == (None, 1), model.output_shape
    return model


def mlp_generator(latent_dim=100, units=(256, 512, 1024), output_activation="tanh",
                  name="generator"):
    """A fully connected generator: noise `(batch, latent_dim)` -> images `(batch, 28, 28, 1)`.

    One `Dense -> BatchNorm -> LeakyReLU` block per entry of `units`, then Dense to 784 pixels
    with `output_activation`, reshaped to an image.
    """
    _check_positive_int("latent_dim", latent_dim)
    _check_filters("units", units)
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
    """A fully connected discriminator: images `(batch, 28, 28, 1)` -> logits `(batch, 1)`.

    One `Dense -> LeakyReLU -> Dropout` block per entry of `units`. There is no batch norm here:
    real and fake batches pass through separately, and batch statistics would let the
    discriminator tell them apart by their statistics instead of by the images.
    """
    _check_filters("units", units)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), not {dropout!r}.")

    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    x = layers.Flatten()(images)  # (batch, 784)
    for width in units:
        x = layers.Dense(width)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        if dropout > 0:
            x = layers.Dropout(dropout)(x)
    logits = layers.Dense(1, dtype="float32")(x)
    return keras.Model(images, logits, name=name)


def check_preset(name):
    """Return the preset dictionary called `name`, or raise a ValueError listing the choices."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}: choose one of {', '.join(PRESETS)}.")
    return PRESETS[name]


def build_preset(name="default", latent_dim=100, output_activation="tanh"):
    """Build `(generator, discriminator)` for the preset `name` ("tutorial", "mlp", "default").

    The generator maps `(batch, latent_dim)` noise to `(batch, 28, 28, 1)` images in [-1, 1]
    (tanh) or [0, 1] (sigmoid); the discriminator maps images to `(batch, 1)` logits.
    """
    preset = check_preset(name)
    if preset["family"] == "dcgan":
        generator = dcgan_generator(latent_dim, output_activation=output_activation,
                                    **preset["generator"])
        discriminator = dcgan_discriminator(**preset["discriminator"])
    else:
        generator = mlp_generator(latent_dim, output_activation=output_activation,
                                  **preset["generator"])
        discriminator = mlp_discriminator(**preset["discriminator"])
    return generator, discriminator
