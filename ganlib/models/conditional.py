"""Class-conditional networks: ask the generator for a digit, and let the discriminator judge
whether an image is a real example *of that digit*.

- `conditional_generator`: noise `(batch, latent_dim)` and labels int `(batch,)` -> images. The
  label is looked up in a learned table (`Embedding`, layer "label_embedding") and its vector is
  concatenated to the noise, so every layer after the first sees the class.
- `projection_discriminator` (Miyato & Koyama, 2018): images and labels -> scores `(batch, 1)`.
  The images go through the DCGAN discriminator's layers to a feature vector phi(x); the score is
  `w . phi(x) + b + embed(y) . phi(x)`: the unconditional score plus the inner product of the
  features with a learned vector for the class. A fake that looks like a 3 but was asked to be a
  7 gets a low score, which is how the generator learns to obey the label.

Both use the layers of `ganlib.models.dcgan`, so the conditional model differs from the
unconditional one only in how the label enters.
"""

import keras
from keras import layers

from ganlib.core.arguments import whole_number
from ganlib.core.pixels import IMAGE_SHAPE
from ganlib.models.dcgan import discriminator_body, generator_body

LABEL_EMBEDDING = "label_embedding"  # The generator's label table; `sampling` reads its size.


def conditional_generator(latent_dim=100, num_classes=10, embedding_dim=50,
                          filters=(128, 64), strides=(2, 2), kernel_size=4,
                          output_activation="tanh", batch_norm=True, activation="leaky_relu",
                          name="conditional_generator"):
    """Noise `(batch, latent_dim)` and labels int `(batch,)` in 0..num_classes-1 -> images
    `(batch, 28, 28, 1)` (tanh: [-1, 1])."""
    noise = keras.Input(shape=(whole_number("latent_dim", latent_dim),), name="noise")
    labels = keras.Input(shape=(), dtype="int32", name="labels")
    embedded = layers.Embedding(whole_number("num_classes", num_classes, 2),
                                whole_number("embedding_dim", embedding_dim),
                                name=LABEL_EMBEDDING)(labels)  # (batch, embedding_dim)
    x = layers.Concatenate()([noise, embedded])  # (batch, latent_dim + embedding_dim)
    images = generator_body(x, filters, strides, kernel_size, output_activation, batch_norm,
                            activation)
    return keras.Model([noise, labels], images, name=name)


def projection_discriminator(num_classes=10, filters=(64, 128), kernel_size=4, dropout=0.0,
                             batch_norm=False, dense_units=0, minibatch_std=False,
                             name="projection_discriminator"):
    """Images `(batch, 28, 28, 1)` and labels int `(batch,)` -> scores `(batch, 1)`."""
    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    labels = keras.Input(shape=(), dtype="int32", name="labels")
    features = discriminator_body(images, filters, kernel_size, dropout, batch_norm, dense_units,
                                  minibatch_std)  # (batch, d)
    unconditional = layers.Dense(1, dtype="float32")(features)  # (batch, 1)
    class_vectors = layers.Embedding(whole_number("num_classes", num_classes, 2),
                                     features.shape[-1])(labels)  # (batch, d)
    projection = layers.Dot(axes=1, dtype="float32")([class_vectors, features])  # (batch, 1)
    scores = layers.Add(dtype="float32")([unconditional, projection])
    return keras.Model([images, labels], scores, name=name)
