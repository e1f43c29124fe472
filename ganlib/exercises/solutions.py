"""Worked solutions of the notebooks' exercises, one function (or class) per exercise.

They are here for a learner who is stuck and asks on purpose, with
`ganlib.exercises.solution("01", 1)`, which prints the source; nothing shows them otherwise.
Each is written the way the notebook's text leads to, and each passes its check
(`tests/test_exercises_*.py` make sure). `SOLUTIONS` maps a check's name to what solves it.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

import ganlib

# --- 01_data ---


def scale_to_tanh(images):
    """uint8 (n, 28, 28) in 0..255 -> float32 (n, 28, 28, 1) in [-1, 1]."""
    images = images[..., np.newaxis].astype("float32")  # (n, 28, 28, 1)
    # 0..255 -> 0..2 -> -1..1: 127.5 is half of 255, so 255 lands exactly on 1.
    return images / 127.5 - 1.0


def select_digits(images, labels, digits):
    """Keep the images (n, 28, 28) and labels (n,) whose label is in `digits`."""
    keep = np.isin(labels, digits)  # (n,) booleans, the original order kept
    return images[keep], labels[keep]


def make_pipeline(images, batch_size):
    """uint8 images (n, 28, 28) -> tf.data.Dataset of float32 batches (batch_size, 28, 28, 1)."""
    def scale(image):
        return tf.cast(image[..., tf.newaxis], tf.float32) / 127.5 - 1.0

    dataset = tf.data.Dataset.from_tensor_slices(images).map(scale).cache()
    # Shuffle single images, before batching, with a buffer as large as the data set, so every
    # epoch mixes all of them anew; then drop the last partial batch.
    dataset = dataset.shuffle(len(images)).batch(batch_size, drop_remainder=True)
    return dataset.prefetch(tf.data.AUTOTUNE)


# --- 02_discriminator ---


def build_my_discriminator():
    """Images (batch, 28, 28, 1) -> logits (batch, 1): 4x4 kernels, 32 and 64 filters, no dropout."""
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 4, strides=2, padding="same"),  # (batch, 14, 14, 32): 544 weights
        layers.LeakyReLU(negative_slope=0.3),
        layers.Conv2D(64, 4, strides=2, padding="same"),  # (batch, 7, 7, 64): 32,832 weights
        layers.LeakyReLU(negative_slope=0.3),
        layers.Flatten(),  # (batch, 3136)
        layers.Dense(1),  # (batch, 1), a logit: no sigmoid. 3,137 weights, 36,513 in all
    ])


def accuracy_from_logits(logits, labels):
    """Logits (batch, 1) or (batch,), labels of 1 (real) and 0 (fake) -> accuracy in [0, 1]."""
    # Flatten both, so that a (batch, 1) never meets a (batch,) and broadcasts to a table.
    predictions = np.ravel(logits) > 0  # sigmoid(logit) > 0.5 exactly when logit > 0
    return float(np.mean(predictions == (np.ravel(labels) == 1)))


def binary_crossentropy_from_logits(labels, logits):
    """Mean binary cross-entropy of labels (0 or 1) given logits; finite for any logit."""
    x = np.asarray(logits, dtype="float64")
    y = np.asarray(labels, dtype="float64")
    # -y log s(x) - (1 - y) log(1 - s(x)) = log(1 + e^-x) + (1 - y) x. For x < 0 rewrite
    # log(1 + e^-x) as -x + log(1 + e^x); both cases together give max(x, 0) - x y +
    # log(1 + e^-|x|), where exp only ever sees a number <= 0.
    return float(np.mean(np.maximum(x, 0.0) - x * y + np.log1p(np.exp(-np.abs(x)))))


# --- 03_generator ---


def build_my_generator(latent_dim=100):
    """Noise (batch, latent_dim) -> images (batch, 28, 28, 1) in [-1, 1], with 4x4 kernels."""
    noise = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 128, use_bias=False)(noise)  # batch norm would cancel a bias
    x = layers.LeakyReLU(negative_slope=0.3)(layers.BatchNormalization()(x))
    x = layers.Reshape((7, 7, 128))(x)  # (batch, 7, 7, 128)
    x = layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False)(x)
    x = layers.LeakyReLU(negative_slope=0.3)(layers.BatchNormalization()(x))  # (batch, 14, 14, 64)
    images = layers.Conv2DTranspose(1, 4, strides=2, padding="same", use_bias=False,
                                    activation="tanh")(x)  # (batch, 28, 28, 1)
    return keras.Model(noise, images)


def overlap_pattern(kernel_size, stride, length):
    """How many of `length` inputs cover each output pixel of a 1-D transposed convolution."""
    counts = np.zeros((length - 1) * stride + kernel_size, dtype=int)
    for i in range(length):  # input i covers outputs i * stride ... i * stride + kernel_size - 1
        counts[i * stride:i * stride + kernel_size] += 1
    return counts


# --- 04_gan ---


def my_generator_loss(fake_logits):
    """The mean of -log D(G(z)) over the batch; fake_logits has shape (batch, 1) or (batch,)."""
    # A cross-entropy with label 1, computed from the logits: it never forms sigmoid(logit),
    # so a logit of -100 gives 100, not log(0).
    return ops.mean(ops.binary_crossentropy(ops.ones_like(fake_logits), fake_logits,
                                            from_logits=True))


def my_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Real images labelled 1 - label_smoothing, fakes labelled 0; the two means added."""
    real_labels = ops.full_like(real_logits, 1.0 - label_smoothing)
    real_loss = ops.binary_crossentropy(real_labels, real_logits, from_logits=True)
    fake_loss = ops.binary_crossentropy(ops.zeros_like(fake_logits), fake_logits,
                                        from_logits=True)
    return ops.mean(real_loss) + ops.mean(fake_loss)


def my_train_step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                  g_noise):
    """One discriminator update, then one generator update; returns (d_loss, g_loss)."""
    # 1. The discriminator learns to score real images high and fakes low. Only its
    #    gradients are taken and applied, so the generator does not change here.
    with tf.GradientTape() as tape:
        fake_images = generator(d_noise, training=True)
        real_logits = discriminator(real_images, training=True)
        fake_logits = discriminator(fake_images, training=True)
        d_loss = my_discriminator_loss(real_logits, fake_logits)
    gradients = tape.gradient(d_loss, discriminator.trainable_variables)
    d_optimizer.apply_gradients(zip(gradients, discriminator.trainable_variables))
    # 2. The generator learns to fool the discriminator as it is now, after its update.
    with tf.GradientTape() as tape:
        fake_logits = discriminator(generator(g_noise, training=True), training=True)
        g_loss = my_generator_loss(fake_logits)
    gradients = tape.gradient(g_loss, generator.trainable_variables)
    g_optimizer.apply_gradients(zip(gradients, generator.trainable_variables))
    return d_loss, g_loss


# --- 06_training ---


class DiscriminatorGap(keras.callbacks.Callback):
    """Record D(x) - D(G(z)) after every epoch; stop when it exceeds `threshold`."""

    def __init__(self, threshold=0.9):
        super().__init__()
        self.threshold = threshold
        self.gaps = []  # Made here, so every callback has its own list.

    def on_epoch_end(self, epoch, logs=None):
        gap = logs["d_real"] - logs["d_fake"]
        self.gaps.append(gap)
        if gap > self.threshold:  # Strictly above: a gap equal to the threshold is allowed.
            self.model.stop_training = True


def sample_from_file(path, n, seed):
    """n digits from the generator saved at path: uint8 (n, 28, 28), repeatable by seed."""
    generator = keras.models.load_model(path, compile=False)
    latent_dim = generator.input_shape[-1]
    noise = np.random.default_rng(seed).standard_normal((n, latent_dim)).astype("float32")
    images = np.asarray(generator(noise, training=False))[..., 0]  # (n, 28, 28) in [-1, 1]
    return np.round((images + 1.0) * 127.5).astype(np.uint8)  # -1 -> 0, 1 -> 255


def run_d_steps_experiment(balance_images, folder, minutes=1):
    """Train with d_steps=1 and d_steps=2 for `minutes` each: {k: TrainResult}."""
    return {k: ganlib.train(f"{folder}/d_steps_{k}", ganlib.TrainConfig(minutes=minutes,
                                                                         d_steps=k),
                            images=balance_images, verbose=0)
            for k in (1, 2)}


def count_updates(history, d_steps):
    """(d_updates, g_updates) made by a run with this per-epoch history and d_steps."""
    steps = sum(history["steps"])  # The last epoch may have been cut short: count real steps.
    return d_steps * steps, steps  # Each step: d_steps updates of D, then one of G.


# --- 08_evaluation ---


def frechet_distance_1d(mu1, sigma1, mu2, sigma2):
    """FID between the 1-D Gaussians N(mu1, sigma1^2) and N(mu2, sigma2^2)."""
    # With d = 1: |mu1 - mu2|^2 + sigma1^2 + sigma2^2 - 2 sqrt(sigma1^2 sigma2^2).
    return (mu1 - mu2) ** 2 + (sigma1 - sigma2) ** 2


def mmd2_unbiased(x, y):
    """The unbiased squared MMD between features x and y, both (m, d), with the cubic kernel."""
    m, d = x.shape

    def kernel(a, b):
        return (a @ b.T / d + 1.0) ** 3  # (m, m)

    k_xx, k_yy, k_xy = kernel(x, x), kernel(y, y), kernel(x, y)
    # Leave out k(x_i, x_i) and k(y_i, y_i): m (m - 1) pairs remain in each sum.
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.mean())


def knn_precision(real, fake, k=3):
    """Share of fake points inside the real k-nearest-neighbour balls, a float in [0, 1]."""
    real_to_real = np.linalg.norm(real[:, None] - real[None, :], axis=-1)  # (n_real, n_real)
    # Sorted, column 0 is each point's distance 0 to itself: the k-th other point is column k.
    radii = np.sort(real_to_real)[:, k]  # Each row sorted: (n_real,)
    fake_to_real = np.linalg.norm(fake[:, None] - real[None, :], axis=-1)  # (n_fake, n_real)
    return float(np.mean((fake_to_real <= radii).any(axis=1)))


# --- 11_scaling ---


def my_replica_losses(per_example_losses, replicas):
    """One loss per replica, (replicas,); they add up to the global batch's mean loss."""
    blocks = np.split(np.asarray(per_example_losses), replicas)  # replica r: the r-th block
    # The all-reduce adds the replicas' gradients: dividing each block mean by the number of
    # replicas makes that sum the gradient of the global mean.
    return np.mean(blocks, axis=1) / replicas


def my_learning_rate(step, base_learning_rate, base_batch, batch, warmup_steps):
    """The learning rate at `step` under the linear scaling rule with a linear warm-up."""
    target = base_learning_rate * batch / base_batch
    if step >= warmup_steps:  # Also the case warmup_steps == 0: no warm-up at all.
        return target
    return base_learning_rate + (target - base_learning_rate) * step / warmup_steps


def my_mixed_setup(preset):
    """The preset's networks in mixed float16, and two loss-scaled optimizers."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")  # Layers built now compute in float16.
    try:
        generator, discriminator = ganlib.models.build_preset(preset)
    finally:
        keras.config.set_dtype_policy(previous)  # Later models are float32 again.
    settings = ganlib.models.training_settings(preset)
    d_optimizer, g_optimizer = (
        keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(
            rate, beta_1=settings["beta_1"], beta_2=settings["beta_2"]))
        for rate in (settings["d_learning_rate"], settings["g_learning_rate"]))
    return generator, discriminator, d_optimizer, g_optimizer


SOLUTIONS = {
    "scale_to_tanh": (scale_to_tanh,), "select_digits": (select_digits,),
    "input_pipeline": (make_pipeline,), "discriminator": (build_my_discriminator,),
    "accuracy_from_logits": (accuracy_from_logits,),
    "binary_crossentropy_from_logits": (binary_crossentropy_from_logits,),
    "generator": (build_my_generator,), "overlap_pattern": (overlap_pattern,),
    "generator_loss": (my_generator_loss,), "discriminator_loss": (my_discriminator_loss,),
    "train_step": (my_train_step,), "gap_callback": (DiscriminatorGap,),
    "sample_from_file": (sample_from_file,),
    "d_steps_experiment": (run_d_steps_experiment, count_updates),
    "frechet_distance_1d": (frechet_distance_1d,), "mmd2_unbiased": (mmd2_unbiased,),
    "knn_precision": (knn_precision,), "replica_losses": (my_replica_losses,),
    "warmup_learning_rate": (my_learning_rate,), "mixed_precision_setup": (my_mixed_setup,),
}
