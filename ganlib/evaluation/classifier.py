"""The small MNIST classifier whose features and predictions `ganlib.metrics` scores GANs with.

FID and the Inception score were defined on Inception-v3, a network trained on ImageNet photos.
For 28x28 digits the usual stand-in is a small CNN trained on MNIST itself ("FID-MNIST"): its
penultimate layer, `features` (128 numbers an image), describes what a digit looks like, and its
softmax says which digit it is. The numbers it gives are only comparable between runs that use
the same classifier, so the trained weights ship with `ganlib` (`ganlib/weights/`, under 1 MB)
and `load_classifier()` reads them without any network access.

- `build_classifier()`: the untrained network, images `(batch, 28, 28, 1)` in [0, 1] -> logits.
- `train_classifier()`: train it on the training split, report test accuracy, save the weights.
- `load_classifier()`: the trained network (cached, so later calls are free).
- `prepare_images()`: check images and convert them to what the network reads.
- `classify()`: features `(n, 128)` and class probabilities `(n, 10)` for a batch of images.

Images may be given as uint8 0..255, as floats in [0, 1], or as floats in [-1, 1] (what a tanh
generator draws); `prepare_images` converts them at this boundary, so nothing else has to.
"""

import os
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ganlib.core.arguments import whole_number
from ganlib.core.files import WEIGHTS_DIR, check_writable
from ganlib.core.pixels import IMAGE_SHAPE, to_unit_interval
from ganlib.data.mnist import load_mnist

WEIGHTS_PATH = WEIGHTS_DIR / "mnist_classifier.weights.h5"
FEATURE_LAYER = "features"
FEATURE_DIM = 128
NUM_CLASSES = 10
DEFAULT_EPOCHS = 10

_LOADED = {}  # resolved weights path -> (classifier, feature model), so a file is read once.


def build_classifier(name="mnist_classifier"):
    """The untrained CNN: images `(batch, 28, 28, 1)` in [0, 1] -> logits `(batch, 10)`.

    Conv32 -> pool -> Conv64 -> pool -> Conv64 -> pool -> Dense128 ("features") -> Dense10:
    89,930 weights, 0.4 MB on disk. The feature layer is the last hidden layer, as FID uses
    Inception's last hidden layer; it is a ReLU output, so every feature is >= 0.
    """
    # Named layers read well in `summary()` and `get_layer("features")`. (The weights file does
    # not depend on the names: Keras stores layers by type and position within the model.)
    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv_1")(images)
    x = layers.MaxPooling2D(name="pool_1")(x)  # (batch, 14, 14, 32)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv_2")(x)
    x = layers.MaxPooling2D(name="pool_2")(x)  # (batch, 7, 7, 64)
    x = layers.Conv2D(64, 3, activation="relu", name="conv_3")(x)  # (batch, 5, 5, 64)
    x = layers.MaxPooling2D(name="pool_3")(x)  # (batch, 2, 2, 64)
    x = layers.Flatten(name="flatten")(x)  # (batch, 256)
    features = layers.Dense(FEATURE_DIM, activation="relu", name=FEATURE_LAYER)(x)  # (batch, 128)
    # Dropout acts only in training, so the features the metrics read are deterministic.
    x = layers.Dropout(0.3, name="dropout")(features)
    logits = layers.Dense(NUM_CLASSES, name="logits", dtype="float32")(x)  # (batch, 10)
    return keras.Model(images, logits, name=name)


def _augmenter(seed):
    # Small rotations, shifts and zooms are changes a digit survives; they stand in for the
    # training images the offline copy lacks (22,699 of the usual 60,000).
    return keras.Sequential([
        layers.RandomRotation(10 / 360, fill_mode="constant", seed=seed),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed + 1),
        layers.RandomZoom(0.1, fill_mode="constant", seed=seed + 2),
    ], name="augmenter")


def train_classifier(out_path, epochs=DEFAULT_EPOCHS, data_path=None, seed=0,
                     batch_size=128, augment=True, verbose=2, log=print):
    """Train the classifier on MNIST's training split and save its weights to `out_path`.

    Args:
        out_path: where the weights go; the name must end in `.weights.h5` (Keras' rule).
            `WEIGHTS_PATH` replaces the file that ships with ganlib and `load_classifier()` reads.
        epochs: passes over the training split; the learning rate decays to zero over them.
        data_path: `mnist.npz` or a folder of IDX files (see `ganlib.data.load_mnist`).
        seed: seeds the weights, the shuffling and the augmentation.
        augment: train on randomly rotated, shifted and zoomed copies of the digits.

    Returns:
        A dict with `test_accuracy` (on the whole test split, in [0, 1]), `seconds`, `epochs`,
        `train_images` and `path`.
    """
    whole_number("epochs", epochs)
    out_path = Path(out_path)
    if not out_path.name.endswith(".weights.h5"):
        raise ValueError(f"{out_path} must end in .weights.h5 (Keras saves weights only under "
                         "that suffix): e.g. --out mnist_classifier.weights.h5.")
    check_writable(out_path.parent)  # Fail now, not after minutes of training.
    train_images, train_labels = load_mnist("train", path=data_path)
    test_images, test_labels = load_mnist("test", path=data_path)
    train_inputs = prepare_images(train_images, "training images")
    test_inputs = prepare_images(test_images, "test images")

    keras.utils.set_random_seed(seed)
    classifier = build_classifier()
    dataset = tf.data.Dataset.from_tensor_slices((train_inputs, train_labels.astype("int32")))
    dataset = dataset.shuffle(len(train_inputs), seed=seed).batch(batch_size)
    if augment:
        augmenter = _augmenter(seed)
        dataset = dataset.map(lambda images, labels: (augmenter(images, training=True), labels),
                              num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.prefetch(tf.data.AUTOTUNE)
    # Cosine decay to zero: large steps early, and small ones at the end to settle in a minimum.
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=epochs * len(dataset))
    classifier.compile(optimizer=keras.optimizers.Adam(schedule),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       metrics=["accuracy"])

    started = time.monotonic()
    # shuffle=False: the dataset shuffles itself, and Keras warns when asked to as well.
    classifier.fit(dataset, epochs=epochs, verbose=verbose, shuffle=False)
    seconds = time.monotonic() - started
    _, test_accuracy = classifier.evaluate(test_inputs, test_labels.astype("int32"),
                                           batch_size=500, verbose=0)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary file and rename, so a crash never leaves half a weights file.
    temporary = out_path.with_name(out_path.name[: -len(".weights.h5")] + ".tmp.weights.h5")
    # A fresh, uncompiled copy saves the weights alone, without Adam's moment estimates
    # (which would triple the file).
    deployable = build_classifier()
    deployable.set_weights(classifier.get_weights())
    deployable.save_weights(temporary)
    os.replace(temporary, out_path)
    _LOADED.pop(str(out_path.resolve()), None)  # A cached copy of the old weights is stale.
    if log is not None:
        log(f"Test accuracy {test_accuracy:.2%} on {len(test_inputs)} test images after "
            f"{epochs} epochs ({seconds:.0f} s). Wrote {out_path}.")
    return {"test_accuracy": float(test_accuracy), "seconds": round(seconds, 1),
            "epochs": int(epochs), "train_images": int(len(train_inputs)), "path": str(out_path)}


def load_classifier(path=None):
    """Return the trained classifier (images in [0, 1] -> logits), reading `path` only once.

    `path` defaults to the weights that ship with ganlib. Raises FileNotFoundError when the file
    is missing and ValueError when it does not hold this network's weights.
    """
    return _load(path)[0]


def _load(path):
    path = Path(path) if path is not None else WEIGHTS_PATH
    key = str(path.resolve())
    if key not in _LOADED:
        if not path.exists():
            raise FileNotFoundError(
                f"No classifier weights at {path}: train them with `ganlib train-classifier "
                f"--out {path}` (a few minutes on a CPU)."
            )
        classifier = build_classifier()
        try:
            classifier.load_weights(path)
        except Exception as error:  # h5py and Keras raise several types for a wrong file.
            raise ValueError(
                f"{path} does not hold the weights of ganlib's MNIST classifier "
                f"({type(error).__name__}): retrain them with `ganlib train-classifier`."
            ) from None
        # One model with both outputs, so features and probabilities cost one forward pass.
        probabilities = layers.Softmax(name="probabilities")(classifier.output)
        feature_model = keras.Model(
            classifier.input, [classifier.get_layer(FEATURE_LAYER).output, probabilities],
            name="mnist_features")
        _LOADED[key] = (classifier, feature_model)
    return _LOADED[key]


def prepare_images(images, name="images"):
    """Check images and convert them to float32 `(n, 28, 28, 1)` in [0, 1], the network's input.

    Accepted: shape `(n, 28, 28)` or `(n, 28, 28, 1)`; uint8 pixels 0..255, or floats in
    [0, 1], or floats in [-1, 1] (see `ganlib.core.pixels.to_unit_interval`, which decides the
    range). Anything else raises a ValueError naming `name`, the problem and the fix.
    """
    return to_unit_interval(images, name)[..., np.newaxis]


def classify(images, weights_path=None, batch_size=500):
    """Features and class probabilities of images, in one forward pass.

    Args:
        images: `(n, 28, 28)` or `(n, 28, 28, 1)`, uint8 0..255 or floats in [0, 1] or [-1, 1].
        weights_path: the classifier's weights (default: the ones shipped with ganlib).

    Returns:
        `(features, probabilities)`: float32 `(n, 128)` penultimate-layer activations (>= 0)
        and float32 `(n, 10)` softmax probabilities (each row sums to 1).
    """
    inputs = prepare_images(images)
    _, feature_model = _load(weights_path)
    features, probabilities = feature_model.predict(inputs, batch_size=batch_size, verbose=0)
    return np.asarray(features, dtype="float32"), np.asarray(probabilities, dtype="float32")


def accuracy(images, labels, weights_path=None):
    """Share of `images` whose most probable class is their label `(n,)`: a float in [0, 1]."""
    labels = np.asarray(labels)
    _, probabilities = classify(images, weights_path)
    if labels.shape != (len(probabilities),):
        raise ValueError(f"labels have shape {labels.shape}; expected ({len(probabilities)},), "
                         "one label 0..9 per image.")
    return float(np.mean(probabilities.argmax(axis=1) == labels))
