"""Checks for the notebooks' exercises: run your code against a reference and say what is wrong.

Each check takes the function or model you wrote, runs it on fixed inputs, and compares the
result with what the course's own `ganlib` code gives (the CS231n way: you know at once whether
your code is right). A check prints one line per test, starting with "ok" or "not yet", and
returns True only when every test passes. It never raises for a wrong answer, so an exercise
cell you have not done yet still runs.
"""

import numpy as np


class _Report:
    """Collects the lines of one check and prints them."""

    def __init__(self, title):
        self.title = title
        self.passed = True
        self.lines = []

    def expect(self, condition, success, failure):
        """Record one test: `success` is shown when `condition` holds, else `failure`."""
        condition = bool(condition)
        self.passed &= condition
        self.lines.append(("ok       " if condition else "not yet  ") + (success if condition else failure))
        return condition

    def finish(self):
        print(f"{self.title}: {'all tests pass' if self.passed else 'some tests fail'}")
        for line in self.lines:
            print("  " + line)
        return self.passed


def _call(report, function, *args, **kwargs):
    """Call the learner's function; a crash becomes a failed test instead of an exception."""
    try:
        return True, function(*args, **kwargs)
    except Exception as error:  # The learner's code may raise anything; report it.
        report.expect(False, "", f"calling {getattr(function, '__name__', function)} raised "
                                 f"{type(error).__name__}: {error}")
        return False, None


def _close(actual, expected, tolerance=1e-5):
    actual, expected = np.asarray(actual, dtype="float64"), np.asarray(expected, dtype="float64")
    if actual.shape != expected.shape:
        return False
    return bool(np.allclose(actual, expected, rtol=tolerance, atol=tolerance))


# --- 01_data, 02_discriminator, 03_generator ---


def _exercise_digits(count=40, seed=0):
    """Made-up uint8 "digits" `(count, 28, 28)` with labels 0..9, so no check needs MNIST.

    Image k has the value k in its top-left pixel, so a check can tell which image a pipeline
    returned; the first image also holds the extremes 0 and 255.
    """
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    images[:, 0, 0] = np.arange(count)
    images[0, 0, 1], images[0, 0, 2] = 0, 255
    labels = (np.arange(count) % 10).astype(np.uint8)
    return images, labels


def _as_array(report, name, value):
    """The learner's result as a NumPy array, or None after recording why it is not one."""
    if value is None:
        report.expect(False, "", f"{name} returned None: return the result.")
        return None
    try:
        return np.asarray(value)
    except Exception as error:  # Any object that NumPy cannot read is a wrong answer.
        report.expect(False, "", f"{name} returned {type(value).__name__}, not an array ({error}).")
        return None


def scale_to_tanh(function):
    """Check `function(images) -> scaled` for the tanh generator's data range.

    `images` are uint8 `(n, 28, 28)` in 0..255; the result must be float32 `(n, 28, 28, 1)`
    in [-1, 1], equal to `ganlib.data.scale_images(images, "tanh")`: 0 -> -1, 255 -> 1.
    """
    from ganlib import data

    report = _Report("scale_to_tanh")
    images, _ = _exercise_digits(8)
    expected = data.scale_images(images, "tanh")
    ok, value = _call(report, function, images.copy())
    if not ok:
        return report.finish()
    scaled = _as_array(report, "scale_to_tanh", value)
    if scaled is None:
        return report.finish()
    report.expect(scaled.shape == (8, 28, 28, 1), "shape (8, 28, 28, 1)",
                  f"shape {scaled.shape}, expected (8, 28, 28, 1): add a channel axis with "
                  "images[..., np.newaxis]")
    report.expect(scaled.dtype == np.float32, "dtype float32",
                  f"dtype {scaled.dtype}, expected float32: the networks compute in float32")
    if scaled.size != expected.size or not np.issubdtype(scaled.dtype, np.number):
        report.expect(False, "", "values not compared: fix the shape first")
        return report.finish()
    values = scaled.reshape(expected.shape).astype("float64")
    if _close(values, expected):
        report.expect(True, "0 -> -1 and 255 -> 1, linear in between", "")
    elif _close(values, expected / 2.0 + 0.5):
        report.expect(False, "", "values are in [0, 1], the sigmoid range: map to [-1, 1] with "
                                 "images / 127.5 - 1")
    else:
        report.expect(False, "", f"values span [{values.min():.3f}, {values.max():.3f}]; "
                                 "expected 0 -> -1.0 and 255 -> 1.0 (images / 127.5 - 1)")
    return report.finish()


def select_digits(function):
    """Check `function(images, labels, digits) -> (images, labels)` keeping some classes.

    The result must hold exactly the images whose label is in `digits`, in their original
    order, like `ganlib.data.load_mnist(digits=...)` does; tried with [0] and with [3, 7].
    """
    report = _Report("select_digits")
    images, labels = _exercise_digits(40)
    for digits in ([0], [3, 7]):
        keep = np.isin(labels, digits)
        ok, value = _call(report, function, images.copy(), labels.copy(), list(digits))
        if not ok:
            return report.finish()
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            report.expect(False, "", f"digits {digits}: returned {type(value).__name__}; return "
                                     "the pair (images, labels).")
            continue
        kept_images = _as_array(report, "select_digits", value[0])
        kept_labels = _as_array(report, "select_digits", value[1])
        if kept_images is None or kept_labels is None:
            continue
        same = (kept_images.shape == images[keep].shape and kept_labels.shape == labels[keep].shape
                and np.array_equal(kept_images, images[keep])
                and np.array_equal(kept_labels, labels[keep]))
        if same:
            report.expect(True, f"digits {digits}: {int(keep.sum())} images, in order", "")
        elif len(digits) > 1 and len(kept_labels) == int(np.sum(labels == digits[0])):
            report.expect(False, "", f"digits {digits}: only digit {digits[0]} was kept; keep "
                                     "every digit in the list, e.g. with np.isin(labels, digits)")
        else:
            report.expect(False, "", f"digits {digits}: got {len(kept_labels)} images, expected "
                                     f"{int(keep.sum())} (those whose label is in {digits}, in "
                                     "their original order)")
    return report.finish()


def input_pipeline(function):
    """Check `function(images, batch_size) -> tf.data.Dataset` for GAN training.

    Given 100 uint8 images and `batch_size=32`, one pass over the dataset must give 3 batches
    (the last, partial batch dropped), each float32 `(32, 28, 28, 1)` scaled to [-1, 1], with
    no image twice, in a shuffled order that changes from one pass to the next.
    """
    import tensorflow as tf

    from ganlib import data

    report = _Report("input_pipeline")
    images, _ = _exercise_digits(100)
    expected = data.scale_images(images, "tanh")
    ok, dataset = _call(report, function, images.copy(), 32)
    if not ok:
        return report.finish()
    if not isinstance(dataset, tf.data.Dataset):
        report.expect(False, "", f"returned {type(dataset).__name__}; return a tf.data.Dataset.")
        return report.finish()
    passes = []
    for _ in range(2):
        try:
            # take() keeps a pipeline that repeats forever from hanging the check.
            passes.append([np.asarray(batch) for batch in dataset.take(20)])
        except Exception as error:  # A broken pipeline fails when it is read.
            report.expect(False, "", f"reading the dataset raised {type(error).__name__}: {error}")
            return report.finish()
    batches = passes[0]
    if not batches or batches[0].ndim != 4:
        first_shape = batches[0].shape if batches else None
        report.expect(False, "", f"the first element has shape {first_shape}, expected a batch "
                                 "(32, 28, 28, 1): scale, add a channel axis, then "
                                 "batch(batch_size, drop_remainder=True)")
        return report.finish()
    if len(batches) == 20:
        report.expect(False, "", "20 batches and still going from 100 images: do not repeat() "
                                 "the dataset; fit() starts a new pass every epoch")
    else:
        report.expect(len(batches) == 3,
                      "3 batches of 32 from 100 images: the partial batch is dropped",
                      f"{len(batches)} batches from 100 images with batch_size 32, expected 3: "
                      "pass drop_remainder=True to batch() so every step sees a full batch")
    shapes = sorted({batch.shape for batch in batches})
    report.expect(all(batch.shape == (32, 28, 28, 1) for batch in batches),
                  "every batch is (32, 28, 28, 1)",
                  f"batch shapes {shapes}, expected (32, 28, 28, 1)")
    if any(batch.shape[1:] != (28, 28, 1) for batch in batches):
        return report.finish()
    report.expect(all(batch.dtype == np.float32 for batch in batches), "dtype float32",
                  f"dtype {batches[0].dtype}, expected float32")
    # Which image is which: the top-left pixel of image k is k, scaled like the rest.
    orders = []
    for one_pass in passes:
        corners = np.concatenate([batch[:, 0, 0, 0] for batch in one_pass]).astype("float64")
        corners = np.nan_to_num((corners + 1.0) * 127.5, nan=-1.0, posinf=-1.0, neginf=-1.0)
        orders.append(np.rint(corners).astype(int).tolist())
    flat = np.concatenate(batches).astype("float64")
    ids = orders[0]
    known = all(0 <= index < 100 for index in ids)
    if not report.expect(known and _close(flat, expected[ids], 1e-4),
                         "pixels scaled to [-1, 1], as ganlib.data.scale_images(images, 'tanh')",
                         f"pixels span [{flat.min():.3f}, {flat.max():.3f}] and do not match the "
                         "images scaled to [-1, 1]: cast to float32, then image / 127.5 - 1"):
        return report.finish()
    report.expect(len(set(ids)) == len(ids), "no image appears twice in one pass",
                  "some images appear twice in one pass: shuffle once per pass, do not repeat()")
    report.expect(ids != sorted(ids), "the order is shuffled",
                  "the images come in their original order: add shuffle(len(images))")
    report.expect(orders[0] != orders[1], "the order changes from one pass to the next",
                  "both passes came in the same order: keep reshuffle_each_iteration=True")
    return report.finish()


def _is_sigmoid(layer):
    """Whether a Keras layer ends in a sigmoid, as a Dense(..., activation="sigmoid") does."""
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", str(activation)) == "sigmoid"


def _describe_shape(shape):
    return str(tuple(shape)) if shape is not None else "unknown"


def _check_model(report, model, input_shape, output_shape, parameters, reference):
    """Shared tests of a built model: type, input and output shapes, parameter count."""
    import keras

    if not isinstance(model, keras.Model):
        report.expect(False, "", f"returned {type(model).__name__}; return a keras.Model "
                                 f"(keras.Model(inputs, outputs) or keras.Sequential).")
        return False
    shapes_ok = True
    for name, expected in (("input", input_shape), ("output", output_shape)):
        try:
            actual = tuple(getattr(model, f"{name}_shape"))
        except Exception:  # A model without a defined input has no shapes yet.
            actual = None
        shapes_ok &= report.expect(actual == expected, f"{name} shape {expected}",
                                   f"{name} shape {_describe_shape(actual)}, expected {expected}")
    try:
        count = model.count_params()
    except Exception:  # An unbuilt model has no weights yet.
        report.expect(False, "", "the model has no weights yet: start it with keras.Input(...)")
        return False
    report.expect(count == parameters, f"{count:,} parameters, as {reference}",
                  f"{count:,} parameters, expected {parameters:,} ({reference}): compare "
                  "your model.summary() with the reference's, layer by layer")
    return shapes_ok


def discriminator(build_function, filters=(64, 128), kernel_size=5, dropout=0.3):
    """Check `build_function() -> keras.Model`, a DCGAN discriminator.

    It must map images `(batch, 28, 28, 1)` to one logit `(batch, 1)` (no sigmoid at the end),
    use `Dropout(dropout)` (or no dropout when `dropout` is 0), and have as many parameters as
    `ganlib.models.dcgan_discriminator(filters, kernel_size)`: one stride-2 convolution per
    entry of `filters`, then a Dense logit. The defaults are the TensorFlow tutorial's
    discriminator, 212,865 parameters.
    """
    import keras

    from ganlib import models

    report = _Report("discriminator")
    reference = models.dcgan_discriminator(filters=tuple(filters), kernel_size=kernel_size)
    ok, model = _call(report, build_function)
    if not ok:
        return report.finish()
    described = f"dcgan_discriminator(filters={tuple(filters)}, kernel_size={kernel_size})"
    if not _check_model(report, model, (None, 28, 28, 1), (None, 1), reference.count_params(),
                        described):
        return report.finish()
    report.expect(not _is_sigmoid(model.layers[-1]), "the last layer outputs a logit (no sigmoid)",
                  "the last layer applies a sigmoid: output the logit and let the loss use "
                  "from_logits=True")
    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    if dropout:
        report.expect(bool(rates) and all(abs(rate - dropout) < 1e-9 for rate in rates),
                      f"uses Dropout({dropout})",
                      f"dropout rates {rates}: add Dropout({dropout}) after each LeakyReLU")
    else:
        report.expect(not any(rates), "no dropout",
                      f"dropout rates {rates}: this discriminator has no dropout")
    images = np.random.default_rng(0).uniform(-1.0, 1.0, (4, 28, 28, 1)).astype("float32")
    ok, logits = _call(report, model, images, training=False)
    if ok:
        logits = np.asarray(logits)
        report.expect(logits.shape == (4, 1) and np.all(np.isfinite(logits)),
                      "four images give four finite logits",
                      f"four images gave {logits.shape}, expected four finite logits (4, 1)")
    return report.finish()


def accuracy_from_logits(function):
    """Check `function(logits, labels) -> float`, the share of images classified correctly.

    A logit above 0 means "real" (label 1), because sigmoid(0) = 0.5; tried with logits
    `(n, 1)` and `(n,)`, and with logits between 0 and 0.5 where a 0.5 threshold goes wrong.
    """
    report = _Report("accuracy_from_logits")
    logits = np.array([-2.0, -0.3, 0.2, 1.5, 0.4, -0.1, 3.0, 0.1], dtype="float32")
    labels = np.array([0, 1, 1, 1, 0, 0, 1, 1], dtype="float32")
    expected = float(np.mean((logits > 0) == (labels == 1)))  # 6 of 8 right; 0.5 gives 5 of 8.
    for name, shaped_logits, shaped_labels in (
            ("logits (8, 1)", logits[:, None], labels[:, None]),
            ("logits (8,)", logits, labels)):
        ok, value = _call(report, function, shaped_logits, shaped_labels)
        if not ok:
            return report.finish()
        accuracy = _batch_mean(report, "accuracy_from_logits", name, value)
        if accuracy is None:
            continue
        if _close(accuracy, expected):
            report.expect(True, f"{name}: accuracy {accuracy:.3f}", "")
        elif _close(accuracy, np.mean((logits > 0.5) == (labels == 1))):
            report.expect(False, "", f"{name}: got {accuracy:.3f}, expected {expected:.3f}: a "
                                     "logit is not a probability; 'real' means logit > 0, "
                                     "which is sigmoid(logit) > 0.5")
        else:
            report.expect(False, "", f"{name}: got {accuracy:.3f}, expected {expected:.3f}")
    return report.finish()


def _batch_mean(report, function_name, case, value):
    """The learner's batch mean as a float, or None after recording why it is not one number."""
    array = _as_array(report, function_name, value)
    if array is None:
        return None
    if array.size != 1 or not np.issubdtype(array.dtype, np.number):
        report.expect(False, "", f"{case}: returned shape {array.shape}, expected one "
                                 "number: take the mean over the batch")
        return None
    return float(array.reshape(()))


def _bce_reference(labels, logits):
    """Mean BCE on logits in float64, written the stable way: max(x, 0) - x y + log(1 + e^-|x|)."""
    logits = np.asarray(logits, dtype="float64")
    labels = np.asarray(labels, dtype="float64")
    return float(np.mean(np.maximum(logits, 0.0) - logits * labels
                         + np.log1p(np.exp(-np.abs(logits)))))


def binary_crossentropy_from_logits(function):
    """Check `function(labels, logits) -> float`: mean binary cross-entropy on logits.

    It must equal -mean(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) for moderate logits,
    and stay finite and correct for logits of +-200, where sigmoid rounds to exactly 0 or 1.
    """
    report = _Report("binary_crossentropy_from_logits")
    cases = (("moderate logits", [1, 0, 1, 0], [2.0, -1.0, -0.5, 0.0]),
             ("sure and right, logits +-200", [1, 0], [200.0, -200.0]),
             ("sure and wrong, logits +-200", [1, 0], [-200.0, 200.0]))
    for name, labels, logits in cases:
        labels = np.array(labels, dtype="float32")
        logits = np.array(logits, dtype="float32")
        expected = _bce_reference(labels, logits)
        with np.errstate(all="ignore"):  # A naive answer may divide by zero; that is the lesson.
            ok, value = _call(report, function, labels, logits)
        if not ok:
            return report.finish()
        loss = _batch_mean(report, "binary_crossentropy_from_logits", name, value)
        if loss is None:
            continue
        if _close(loss, expected, 1e-4):
            report.expect(True, f"{name}: {loss:.4f}", "")
        elif not np.isfinite(loss):
            report.expect(False, "", f"{name}: got {loss}, expected {expected:.4f}: sigmoid(+-200) "
                                     "rounds to 1 or 0 and log(0) is -inf; rewrite the loss with "
                                     "max(x, 0) - x * y + log(1 + exp(-|x|))")
        else:
            report.expect(False, "", f"{name}: got {loss:.4f}, expected {expected:.4f}")
    return report.finish()


def generator(build_function, latent_dim=100, filters=(256, 128, 64), strides=(1, 2, 2),
              kernel_size=5):
    """Check `build_function() -> keras.Model`, a DCGAN generator.

    It must map noise `(batch, latent_dim)` to images `(batch, 28, 28, 1)` in the tanh range
    [-1, 1], give different images for different noise, and have as many parameters as
    `ganlib.models.dcgan_generator(latent_dim, filters, strides, kernel_size)`: Dense to
    7x7xfilters[0] without bias, batch norm, then transposed convolutions. The defaults are the
    TensorFlow tutorial's generator, 2,330,944 parameters.
    """
    from ganlib import models

    report = _Report("generator")
    reference = models.dcgan_generator(latent_dim, tuple(filters), tuple(strides), kernel_size)
    ok, model = _call(report, build_function)
    if not ok:
        return report.finish()
    described = (f"dcgan_generator({latent_dim}, filters={tuple(filters)}, "
                 f"strides={tuple(strides)}, kernel_size={kernel_size})")
    if not _check_model(report, model, (None, latent_dim), (None, 28, 28, 1),
                        reference.count_params(), described):
        return report.finish()
    noise = np.random.default_rng(0).standard_normal((4, latent_dim)).astype("float32")
    ok, images = _call(report, model, noise, training=False)
    if not ok:
        return report.finish()
    images = np.asarray(images)
    in_range = bool(np.all(images >= -1.0) and np.all(images <= 1.0))
    report.expect(in_range and images.min() < 0.0, "output in [-1, 1] with negative values: tanh",
                  f"output spans [{images.min():.3f}, {images.max():.3f}]: end with a tanh "
                  "activation so the images match data scaled to [-1, 1]")
    report.expect(not np.allclose(images[0], images[1]), "different noise gives different images",
                  "two noise vectors gave the same image: feed the noise into the first layer")
    return report.finish()


def _overlap_reference(kernel_size, stride, length):
    """How many kernel placements of a transposed convolution (no padding) cover each output."""
    upsampled = np.zeros((length - 1) * stride + 1)
    upsampled[::stride] = 1.0  # One input pixel every `stride` output pixels.
    return np.convolve(upsampled, np.ones(kernel_size)).astype(int)


def overlap_pattern(function):
    """Check `function(kernel_size, stride, length) -> int array` for a 1-D transposed convolution.

    With a kernel of ones and an input of `length` ones, output pixel p of a transposed
    convolution without padding counts the inputs i with i * stride <= p < i * stride +
    kernel_size; the output has `(length - 1) * stride + kernel_size` pixels.
    """
    report = _Report("overlap_pattern")
    for kernel_size, stride, length in ((3, 2, 5), (4, 2, 5), (5, 2, 4), (3, 1, 4)):
        expected = _overlap_reference(kernel_size, stride, length)
        name = f"kernel {kernel_size}, stride {stride}, {length} inputs"
        ok, value = _call(report, function, kernel_size, stride, length)
        if not ok:
            return report.finish()
        counts = _as_array(report, "overlap_pattern", value)
        if counts is None:
            continue
        if counts.shape != expected.shape:
            report.expect(False, "", f"{name}: {counts.size} output pixels, expected "
                                     f"{expected.size} = ({length} - 1) * {stride} + {kernel_size}")
            continue
        report.expect(np.array_equal(counts, expected), f"{name}: {expected.tolist()}",
                      f"{name}: got {counts.tolist()}, expected {expected.tolist()}")
    return report.finish()


# --- 04_gan, 05_training ---


def _as_scalar(report, name, value):
    """The learner's loss as a float, or None after recording why it is not one."""
    return _as_number(report, name, value, returns="the loss", hint="take the mean over the batch")


_LOGITS = np.array([[-6.0], [-2.0], [-0.5], [0.0], [1.5], [5.0]], dtype="float32")  # (6, 1)


def generator_loss(function):
    """Check a non-saturating generator loss `function(fake_logits) -> scalar`.

    The expected value is the mean over the batch of -log D(G(z)) = -log sigmoid(logit),
    computed here by hand (NumPy, float64) for fixed logits, for logits of shape `(batch,)`,
    and for a discriminator so sure (logit -100) that a loss computed through sigmoid first
    overflows.
    """
    import tensorflow as tf

    report = _Report("generator_loss")
    cases = [("six logits (6, 1)", _LOGITS),
             ("the same logits as shape (6,)", _LOGITS[:, 0]),
             ("a sure discriminator, logit -100", np.array([[-100.0], [-100.0]], dtype="float32"))]
    for name, logits in cases:
        expected = _bce_reference(1.0, logits)
        ok, value = _call(report, function, tf.constant(logits))
        if not ok:
            break
        value = _as_scalar(report, name, value)
        if value is None:
            continue
        if _close(value, _bce_reference(0.0, logits) * -1.0, 1e-4):
            hint = "that is the minimax loss log(1 - D(G(z))); use -log D(G(z))"
        elif not np.isfinite(value):
            hint = ("not finite: sigmoid(-100) rounds to 0 in float32, so compute from logits, "
                    "e.g. keras.ops.binary_crossentropy(..., from_logits=True)")
        else:
            hint = f"expected {expected:.4f}"
        report.expect(_close(value, expected, 1e-4), f"{name}: {value:.4f}",
                      f"{name}: got {value:.4f}, {hint}")
    return report.finish()


def discriminator_loss(function):
    """Check `function(real_logits, fake_logits, label_smoothing=0.0) -> scalar`.

    Expected: mean BCE(1 - label_smoothing, real_logits) + mean BCE(0, fake_logits), the sum of
    the two halves (as in `ganlib.losses.discriminator_loss`), computed by hand in NumPy, with and
    without one-sided label smoothing, and for logits of +-100.
    """
    import tensorflow as tf

    report = _Report("discriminator_loss")
    real_logits, fake_logits = _LOGITS, _LOGITS[::-1] - 1.0
    sure = np.array([[100.0], [-100.0]], dtype="float32")
    cases = [("no smoothing", real_logits, fake_logits, 0.0),
             ("label_smoothing=0.1", real_logits, fake_logits, 0.1),
             ("sure logits +-100, no smoothing", sure, -sure, 0.0)]
    for name, real, fake, smoothing in cases:
        expected = _bce_reference(1.0 - smoothing, real) + _bce_reference(0.0, fake)
        ok, value = _call(report, function, tf.constant(real), tf.constant(fake),
                          label_smoothing=smoothing)
        if not ok:
            break
        value = _as_scalar(report, name, value)
        if value is None:
            continue
        two_sided = _bce_reference(1.0 - smoothing, real) + _bce_reference(smoothing, fake)
        if _close(value, expected / 2.0, 1e-4):
            hint = "that is half: add the real and the fake losses instead of averaging them"
        elif smoothing and _close(value, two_sided, 1e-4):
            hint = "the fake labels were smoothed too; smooth only the real ones (one-sided)"
        elif smoothing and _close(value, _bce_reference(1.0, real) + _bce_reference(0.0, fake), 1e-4):
            hint = "label_smoothing was ignored; label the real images 1 - label_smoothing"
        elif not np.isfinite(value):
            hint = "not finite: compute from logits instead of through sigmoid"
        else:
            hint = f"expected {expected:.4f}"
        report.expect(_close(value, expected, 1e-4), f"{name}: {value:.4f}",
                      f"{name}: got {value:.4f}, {hint}")
    return report.finish()


def _tiny_pair(latent_dim=8):
    """A small MLP generator and discriminator (no dropout) with fixed weights."""
    from ganlib import models

    generator = models.mlp_generator(latent_dim, units=(16,))
    discriminator = models.mlp_discriminator(units=(16,), dropout=0.0)
    rng = np.random.default_rng(0)
    for model in (generator, discriminator):
        for variable in model.trainable_variables:
            variable.assign(rng.normal(0.0, 0.1, variable.shape).astype("float32"))
    return generator, discriminator


def _reference_step(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise,
                    g_noise, simultaneous=False):
    """The course's step (D first, then G through the updated D), or the simultaneous one."""
    import tensorflow as tf

    from ganlib import losses

    with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
        fake_images = generator(d_noise, training=True)
        real_logits = discriminator(real_images, training=True)
        fake_logits = discriminator(fake_images, training=True)
        d_loss = losses.discriminator_loss(real_logits, fake_logits)
        g_loss_now = losses.generator_loss_non_saturating(fake_logits)
    d_gradients = d_tape.gradient(d_loss, discriminator.trainable_variables)
    if simultaneous:  # Both gradients from one forward pass, as in the TensorFlow tutorial.
        g_gradients = g_tape.gradient(g_loss_now, generator.trainable_variables)
    d_optimizer.apply_gradients(zip(d_gradients, discriminator.trainable_variables))
    if simultaneous:
        g_optimizer.apply_gradients(zip(g_gradients, generator.trainable_variables))
        return d_loss, g_loss_now
    with tf.GradientTape() as tape:
        g_loss = losses.generator_loss_non_saturating(
            discriminator(generator(g_noise, training=True), training=True))
    g_gradients = tape.gradient(g_loss, generator.trainable_variables)
    g_optimizer.apply_gradients(zip(g_gradients, generator.trainable_variables))
    return d_loss, g_loss


def _weights(model):
    return [variable.numpy() for variable in model.trainable_variables]


def _same_weights(first, second, tolerance=1e-5):
    return all(_close(a, b, tolerance) for a, b in zip(first, second))


def train_step(function):
    """Check one GAN training step written by you.

    `function(generator, discriminator, d_optimizer, g_optimizer, real_images, d_noise, g_noise)`
    must update the discriminator on `real_images` against fakes from `d_noise`, then update the
    generator with fakes from `g_noise` through the updated discriminator (non-saturating loss),
    and return `(d_loss, g_loss)`. It runs on a small MLP GAN with SGD and is compared with the
    course's step from the same starting weights.
    """
    import keras

    report = _Report("train_step")
    latent_dim = 8
    rng = np.random.default_rng(1)
    real_images = rng.uniform(-1.0, 1.0, (4, 28, 28, 1)).astype("float32")
    d_noise = rng.standard_normal((4, latent_dim)).astype("float32")
    g_noise = rng.standard_normal((4, latent_dim)).astype("float32")

    results = {}
    for name in ("yours", "reference", "simultaneous"):
        generator, discriminator = _tiny_pair(latent_dim)
        d_optimizer, g_optimizer = keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.5)
        if name == "yours":
            initial = (_weights(generator), _weights(discriminator))
            ok, value = _call(report, function, generator, discriminator, d_optimizer,
                              g_optimizer, real_images, d_noise, g_noise)
            if not ok:
                return report.finish()
        else:
            value = _reference_step(generator, discriminator, d_optimizer, g_optimizer,
                                    real_images, d_noise, g_noise, name == "simultaneous")
        results[name] = (value, _weights(generator), _weights(discriminator))

    value, generator_after, discriminator_after = results["yours"]
    (d_expected, g_expected), reference_generator, reference_discriminator = results["reference"]
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        report.expect(False, "", f"returned {type(value).__name__}; return (d_loss, g_loss).")
    else:
        d_loss = _as_scalar(report, "d_loss", value[0])
        g_loss = _as_scalar(report, "g_loss", value[1])
        if d_loss is not None:
            report.expect(_close(d_loss, float(d_expected), 1e-4), f"d_loss {d_loss:.4f}",
                          f"d_loss is {d_loss:.4f}, expected {float(d_expected):.4f}: real "
                          "labelled 1, fake 0, the two halves added")
        if g_loss is not None:
            report.expect(_close(g_loss, float(g_expected), 1e-4), f"g_loss {g_loss:.4f}",
                          f"g_loss is {g_loss:.4f}, expected {float(g_expected):.4f}: "
                          "-log D(G(z)) on fakes from g_noise, through the updated discriminator")

    if _same_weights(discriminator_after, initial[1], 0.0):
        hint = "they did not change: apply the discriminator's gradients with d_optimizer"
    else:
        hint = "they differ: differentiate the discriminator loss on real_images and G(d_noise)"
    report.expect(_same_weights(discriminator_after, reference_discriminator),
                  "discriminator weights match the reference", f"discriminator weights: {hint}")
    if _same_weights(generator_after, initial[0], 0.0):
        hint = "they did not change: apply the generator's gradients with g_optimizer"
    elif _same_weights(generator_after, results["simultaneous"][1]):
        hint = ("they match a simultaneous update (the generator's gradient taken before the "
                "discriminator's update); update the discriminator first, then run the generator "
                "step with g_noise through it")
    else:
        hint = "they differ: use g_noise, training=True and the non-saturating loss"
    report.expect(_same_weights(generator_after, reference_generator),
                  "generator weights match the reference", f"generator weights: {hint}")
    return report.finish()


class _FakeModel:
    """Stands in for the model a callback watches: only `stop_training` is used."""

    stop_training = False


def gap_callback(callback_class):
    """Check a Keras callback class `callback_class(threshold=...)` that watches the balance.

    After every epoch it must append `logs["d_real"] - logs["d_fake"]` to a list `self.gaps`,
    and set `self.model.stop_training = True` once a gap exceeds `threshold` (the
    discriminator is winning too clearly). The check feeds it four made-up epochs by hand.
    """
    import keras

    report = _Report("gap_callback")
    epochs = [(0.70, 0.40), (0.80, 0.30), (0.97, 0.02), (0.99, 0.01)]
    expected_gaps = [round(real - fake, 6) for real, fake in epochs]
    ok, callback = _call(report, callback_class, threshold=0.9)
    if not ok:
        return report.finish()
    report.expect(isinstance(callback, keras.callbacks.Callback),
                  "it is a keras.callbacks.Callback, so fit() accepts it",
                  "subclass keras.callbacks.Callback so fit() accepts it")
    model = _FakeModel()
    callback.set_model(model) if hasattr(callback, "set_model") else setattr(callback, "model", model)
    stopped_after = None
    for epoch, (real, fake) in enumerate(epochs):
        logs = {"d_loss": 1.0, "g_loss": 1.0, "d_real": real, "d_fake": fake, "d_accuracy": 0.5}
        ok, _ = _call(report, callback.on_epoch_end, epoch, logs)
        if not ok:
            return report.finish()
        if model.stop_training and stopped_after is None:
            stopped_after = epoch + 1
    gaps = getattr(callback, "gaps", None)
    try:
        gaps = [round(float(gap), 6) for gap in gaps]
    except (TypeError, ValueError):
        report.expect(False, "", f"self.gaps is {gaps!r}; make it a list of numbers.")
        return report.finish()
    report.expect(_close(gaps, expected_gaps) if len(gaps) == len(expected_gaps) else False,
                  f"gaps {gaps}", f"gaps are {gaps}, expected {expected_gaps} "
                                  "(d_real - d_fake, one per epoch)")
    report.expect(stopped_after == 3, "asks fit() to stop after epoch 3, the first gap over 0.9",
                  f"stop_training was first set after epoch {stopped_after}, expected 3: set "
                  "self.model.stop_training = True when the gap is above self.threshold")
    return report.finish()


def sample_from_file(function):
    """Check `function(path, n, seed)`: load a saved generator and draw `n` digits.

    It must return uint8 pixels `(n, 28, 28)` in 0..255, the same as
    `ganlib.data.unscale_images(ganlib.generate(ganlib.load_generator(path), n, seed))`.
    The check saves a small generator to a temporary `.keras` file first.
    """
    import tensorflow as tf

    report = _Report("sample_from_file")
    generator, _ = _tiny_pair()
    # Every freshly loaded model traces its own predict function; after a few, TensorFlow warns
    # about "retracing", which here is expected and says nothing about the learner's code.
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")
    try:
        return _sample_from_file(report, function, generator)
    finally:
        logger.setLevel(level)


def _sample_from_file(report, function, generator):
    import tempfile
    from pathlib import Path

    from ganlib import data, gan, train

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generator.keras"
        train.save_generator(generator, path)
        expected = data.unscale_images(gan.generate(generator, 5, seed=3))
        ok, images = _call(report, function, path, 5, 3)
        if not ok:
            return report.finish()
        if images is None:
            report.expect(False, "", "the function returned None; return the images.")
            return report.finish()
        images = np.asarray(images)
        report.expect(images.shape == (5, 28, 28), "shape (5, 28, 28)",
                      f"shape {images.shape}, expected (5, 28, 28): drop the channel axis")
        report.expect(images.dtype == np.uint8, "dtype uint8",
                      f"dtype {images.dtype}, expected uint8 0..255: use ganlib.data.unscale_images")
        same = images.shape == expected.shape and bool(
            np.all(np.abs(images.astype(int) - expected.astype(int)) <= 1))
        report.expect(same, "the same pixels as the reference for seed 3",
                      "other pixels than the reference: draw the noise with ganlib.generate("
                      "generator, n, seed) so a seed gives the same digits")
        ok, again = _call(report, function, path, 5, 3)
        if ok and again is not None:
            report.expect(np.array_equal(np.asarray(again), images), "the same seed repeats",
                          "two calls with seed 3 gave different images: use the seed")
    return report.finish()


def d_steps_experiment(results):
    """Check the results of two runs of `ganlib.train.train`, with `d_steps=1` and `d_steps=2`.

    `results` maps k to the `TrainResult` of the run with `d_steps=k`. The check reads each
    run's optimizers: with k discriminator updates per generator update, the discriminator's
    optimizer has counted exactly k times as many steps as the generator's.
    """
    report = _Report("d_steps_experiment")
    if not isinstance(results, dict):
        report.expect(False, "", f"results is a {type(results).__name__}; make it a dict "
                                 "{1: result_of_d_steps_1, 2: result_of_d_steps_2}.")
        return report.finish()
    for k in (1, 2):
        result = results.get(k)
        gan = getattr(result, "gan", None)
        if gan is None or not hasattr(gan, "d_optimizer"):
            report.expect(False, "", f"results[{k}] is {type(result).__name__}; store what "
                                     f"ganlib.train.train(..., d_steps={k}) returns.")
            continue
        d_updates, g_updates = int(gan.d_optimizer.iterations), int(gan.g_optimizer.iterations)
        report.expect(g_updates > 0 and d_updates == k * g_updates,
                      f"d_steps={k}: {d_updates} discriminator and {g_updates} generator updates",
                      f"d_steps={k}: {d_updates} discriminator and {g_updates} generator updates, "
                      f"expected {k} to 1: pass d_steps={k} to ganlib.train.train")
        history = getattr(result, "history", {}) or {}
        report.expect(len(history.get("d_real", [])) > 0 and len(history.get("d_fake", [])) > 0,
                      f"d_steps={k}: the history has D(x) and D(G(z)) to plot",
                      f"d_steps={k}: the history has no d_real/d_fake; train at least one epoch")
    return report.finish()


# --- 06_evaluation ---


def _as_number(report, name, value, returns="a number", hint=""):
    """The learner's result as one float, or None after recording why it is not one."""
    if value is None:
        report.expect(False, "", f"{name}: the function returned None; return {returns}.")
        return None
    try:
        array = np.asarray(value, dtype="float64")
    except (TypeError, ValueError) as error:
        report.expect(False, "", f"{name}: returned {type(value).__name__}, not a number ({error}).")
        return None
    if array.size != 1:
        report.expect(False, "", f"{name}: returned shape {array.shape}, expected one number"
                                 + (f": {hint}." if hint else "."))
        return None
    return float(array.reshape(()))


def frechet_distance_1d(function):
    """Check `function(mu1, sigma1, mu2, sigma2) -> float`: FID between two 1-D Gaussians.

    `sigma1` and `sigma2` are standard deviations. Expected: `(mu1 - mu2)^2 + (sigma1 - sigma2)^2`,
    what `ganlib.metrics.frechet_distance_from_stats` gives for the variances sigma^2; tried on
    five pairs of Gaussians.
    """
    from ganlib import metrics

    report = _Report("frechet_distance_1d")
    cases = [(0.0, 1.0, 0.0, 1.0), (0.0, 1.0, 3.0, 1.0), (0.0, 1.0, 0.0, 2.0),
             (1.0, 0.5, -1.0, 2.0), (2.5, 3.0, 0.5, 0.2)]
    for mu1, sigma1, mu2, sigma2 in cases:
        name = f"N({mu1}, {sigma1}^2) vs N({mu2}, {sigma2}^2)"
        expected = metrics.frechet_distance_from_stats([mu1], [[sigma1 ** 2]], [mu2], [[sigma2 ** 2]])
        ok, value = _call(report, function, mu1, sigma1, mu2, sigma2)
        if not ok:
            break
        value = _as_number(report, name, value)
        if value is None:
            continue
        as_variances = (mu1 - mu2) ** 2 + sigma1 + sigma2 - 2.0 * np.sqrt(sigma1 * sigma2)
        if _close(value, expected, 1e-6):
            hint = ""
        elif expected > 0 and _close(value, np.sqrt(expected), 1e-6):
            hint = "that is the distance itself; FID is its square (no square root at the end)"
        elif _close(value, as_variances, 1e-6):
            hint = ("sigma1 and sigma2 were used as variances; they are standard deviations, so "
                    "the covariances are sigma1**2 and sigma2**2")
        elif _close(value, (mu1 - mu2) ** 2, 1e-6):
            hint = "only the means were compared; the trace term adds (sigma1 - sigma2)**2"
        else:
            hint = f"expected {expected:.4f}"
        report.expect(_close(value, expected, 1e-6), f"{name}: {value:.4f}",
                      f"{name}: got {value:.4f}, {hint}")
    return report.finish()


def _cubic_kernel(x, y):
    """KID's kernel (x . y / d + 1)^3 for all pairs of rows: (m, d), (m, d) -> (m, m)."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(function):
    """Check `function(x, y) -> float`: KID's unbiased MMD^2 estimate on two `(m, d)` arrays.

    Expected: what `ganlib.metrics.kernel_distance` averages over subsets, with the kernel
    `(x . y / d + 1)^3` and the diagonal terms k(x_i, x_i) and k(y_i, y_i) left out; tried on
    two samples of one distribution and on two of different ones (m = 12, d = 5).
    """
    from ganlib import metrics

    report = _Report("mmd2_unbiased")
    rng = np.random.default_rng(6)
    x = rng.normal(size=(12, 5))
    cases = [("one distribution", rng.normal(size=(12, 5))),
             ("different distributions", rng.normal(0.7, 1.2, size=(12, 5)))]
    for name, y in cases:
        expected = metrics._mmd2_unbiased(x, y)
        ok, value = _call(report, function, x.copy(), y.copy())
        if not ok:
            break
        value = _as_number(report, name, value)
        if value is None:
            continue
        biased = (_cubic_kernel(x, x).mean() + _cubic_kernel(y, y).mean()
                  - 2.0 * _cubic_kernel(x, y).mean())
        undivided = (x @ x.T + 1.0) ** 3, (y @ y.T + 1.0) ** 3, (x @ y.T + 1.0) ** 3
        m = len(x)
        no_division = ((undivided[0].sum() - np.trace(undivided[0]) + undivided[1].sum()
                        - np.trace(undivided[1])) / (m * (m - 1)) - 2.0 * undivided[2].mean())
        if _close(value, expected):
            hint = ""
        elif _close(value, biased):
            hint = ("that is the biased estimate: leave out the diagonal terms k(x_i, x_i) and "
                    "k(y_i, y_i) and divide those sums by m (m - 1)")
        elif _close(value, no_division):
            hint = "the kernel divides x . y by d, the number of features: (x @ y.T / d + 1) ** 3"
        else:
            hint = f"expected {expected:.4f}"
        report.expect(_close(value, expected), f"{name}: {value:.4f}",
                      f"{name}: got {value:.4f}, {hint}")
    return report.finish()


def knn_precision(function):
    """Check `function(real, fake, k=3) -> float`: the share of fakes inside the real k-NN balls.

    Expected: `ganlib.metrics.precision_recall(real, fake, k).precision`, where each real point's
    ball reaches to its k-th nearest *other* real point; tried on made-up 2-D points with k=3
    and k=5.
    """
    from ganlib import metrics

    report = _Report("knn_precision")
    rng = np.random.default_rng(4)
    real = rng.normal(size=(40, 2))  # (40, 2)
    fake = rng.normal((0.8, 0.4), 1.0, size=(30, 2))  # (30, 2)
    distances = np.linalg.norm(real[:, None] - real[None, :], axis=-1)  # (40, 40)
    between = np.linalg.norm(fake[:, None] - real[None, :], axis=-1)  # (30, 40)
    for k in (3, 5):
        name = f"k={k}"
        expected = metrics.precision_recall(real, fake, k=k)
        ok, value = _call(report, function, real.copy(), fake.copy(), k=k)
        if not ok:
            break
        value = _as_number(report, name, value)
        if value is None:
            continue
        # The same share with the point itself counted as its own nearest neighbour.
        self_counted = float(np.mean((between <= np.sort(distances, axis=1)[None, :, k - 1])
                                     .any(axis=1)))
        other_k = metrics.precision_recall(real, fake, k=8 - k).precision  # 3 <-> 5
        if _close(value, expected.precision):
            hint = ""
        elif _close(value, self_counted):
            hint = ("the balls are too small: a point is not its own neighbour, so skip the "
                    "distance 0 to itself (the k-th other point is at sorted index k)")
        elif _close(value, expected.recall):
            hint = "that is recall (real points inside fake balls); count fakes inside real balls"
        elif _close(value, other_k):
            hint = "the result does not change with k: use the k-th nearest neighbour"
        else:
            hint = f"expected {expected.precision:.4f}"
        report.expect(_close(value, expected.precision), f"{name}: {value:.4f}",
                      f"{name}: got {value:.4f}, {hint}")
    return report.finish()


# --- 07_scaling ---


def _replica_losses_reference(per_example_losses, replicas):
    """Replica r gets the r-th block of the global batch, in order; its loss is the block's
    mean divided by the number of replicas."""
    blocks = np.asarray(per_example_losses, dtype="float64").reshape(replicas, -1)
    return blocks.mean(axis=1) / replicas


def replica_losses(function):
    """Check `function(per_example_losses, replicas) -> (replicas,)`: each replica's loss.

    `per_example_losses` holds the losses of one global batch, `(global_batch,)`.
    tf.distribute gives replica r the r-th block of `global_batch // replicas` examples, in
    order. Replica r's loss must be the mean over its block divided by `replicas`: the
    all-reduce then sums the replicas' gradients into the gradient of the global batch's mean,
    as `ganlib.gan.GAN.train_step` does. Tried with 8 losses on 1, 2 and 4 replicas.
    """
    report = _Report("replica_losses")
    per_example = np.array([0.5, 1.5, 0.25, 2.0, 1.0, 3.0, 0.75, 0.5])
    for replicas in (1, 2, 4):
        expected = _replica_losses_reference(per_example, replicas)
        ok, value = _call(report, function, per_example.copy(), replicas)
        if not ok:
            return report.finish()
        losses = _as_array(report, f"{replicas} replica(s)", value)
        if losses is None:
            continue
        if losses.shape != (replicas,) or not np.issubdtype(losses.dtype, np.number):
            report.expect(False, "", f"{replicas} replicas: got shape {losses.shape}, expected "
                                     f"({replicas},): one loss per replica")
            continue
        losses = losses.astype("float64")
        blocks = per_example.reshape(replicas, -1)
        interleaved = np.array([per_example[r::replicas].mean() for r in range(replicas)])
        if _close(losses, expected):
            hint = ""
        elif _close(losses, blocks.mean(axis=1)):
            hint = ("these are the block means: divide each by the number of replicas, because "
                    "the all-reduce sums the replicas' gradients")
        elif _close(losses, blocks.mean(axis=1) / blocks.shape[1]):
            hint = ("each mean was divided by the per-replica batch; divide it by the number of "
                    "replicas")
        elif _close(losses, interleaved / replicas):
            hint = ("replica r gets the r-th block of examples in order (per_example_losses"
                    "[r * b:(r + 1) * b]), not every r-th example")
        elif _close(losses.sum(), per_example.mean()):
            hint = ("they add up to the global mean, but each replica only sees its own block: "
                    "its loss is that block's mean divided by the number of replicas")
        else:
            hint = f"expected {np.round(expected, 4).tolist()}"
        report.expect(_close(losses, expected),
                      f"{replicas} replica(s): {np.round(losses, 4).tolist()}, which add up to "
                      f"the global mean {per_example.mean():.4f}",
                      f"{replicas} replica(s): got {np.round(losses, 4).tolist()}; {hint}")
    return report.finish()


def _warmup_reference(step, base_learning_rate, base_batch, batch, warmup_steps):
    target = base_learning_rate * batch / base_batch
    if warmup_steps <= 0 or step >= warmup_steps:
        return target
    return base_learning_rate + (target - base_learning_rate) * step / warmup_steps


def warmup_learning_rate(function):
    """Check `function(step, base_learning_rate, base_batch, batch, warmup_steps) -> float`.

    The linear scaling rule with a linear warm-up (Goyal et al., 2017): a batch k = batch /
    base_batch times larger gets a k times larger learning rate. The rate starts at
    `base_learning_rate` at step 0, grows by equal amounts to k * base_learning_rate at step
    `warmup_steps`, and stays there; with `warmup_steps=0` it is k * base_learning_rate at once.
    """
    report = _Report("warmup_learning_rate")
    cases = [(0, 2e-4, 64, 256, 100), (50, 2e-4, 64, 256, 100), (100, 2e-4, 64, 256, 100),
             (1000, 2e-4, 64, 256, 100), (30, 2e-4, 64, 64, 100), (0, 2e-4, 64, 128, 0)]
    for step, base, base_batch, batch, warmup in cases:
        name = f"step {step}, batch {base_batch} -> {batch}, warm-up {warmup}"
        expected = _warmup_reference(step, base, base_batch, batch, warmup)
        ok, value = _call(report, function, step, base, base_batch, batch, warmup)
        if not ok:
            return report.finish()
        value = _as_number(report, name, value)
        if value is None:
            continue
        k = batch / base_batch
        fraction = min(step / warmup, 1.0) if warmup > 0 else 1.0
        if _close(value, expected, 1e-9):
            hint = ""
        elif _close(value, base * k, 1e-9):
            hint = ("that is already the scaled rate: during the warm-up the rate starts at the "
                    "base rate and grows linearly")
        elif _close(value, base * k * fraction, 1e-9):
            hint = "this warm-up starts at the base rate (Goyal et al.), not at 0"
        elif _close(value, base * np.sqrt(k), 1e-9) or _close(
                value, base + (base * np.sqrt(k) - base) * fraction, 1e-9):
            hint = ("that is the square-root rule; this exercise uses the linear one, "
                    "batch / base_batch times the base rate")
        elif _close(value, base, 1e-9):
            hint = "the rate was not scaled: multiply by batch / base_batch"
        else:
            hint = f"expected {expected:.6g}"
        report.expect(_close(value, expected, 1e-9), f"{name}: {value:.6g}",
                      f"{name}: got {value:.6g}; {hint}")
    return report.finish()


def mixed_precision_setup(function):
    """Check `function(preset) -> (generator, discriminator, d_optimizer, g_optimizer)` for
    training in mixed float16, as `ganlib.train.train` sets it up on a GPU.

    Both networks must be built under the `mixed_float16` policy (hidden layers compute in
    float16, every weight stays float32), their last layers must compute in float32, each
    network needs its own `keras.optimizers.LossScaleOptimizer` around an optimizer with the
    preset's learning rate, and the global policy must be what it was before the call.
    """
    import keras

    from ganlib import models

    report = _Report("mixed_precision_setup")
    preset = "default"
    previous = keras.config.dtype_policy()
    try:
        ok, value = _call(report, function, preset)
    finally:
        left_behind = keras.config.dtype_policy().name
        keras.config.set_dtype_policy(previous)  # Never leave the learner's session changed.
    if not ok:
        return report.finish()
    report.expect(left_behind == previous.name,
                  f"the global policy is {previous.name} again afterwards",
                  f"the global policy was left at {left_behind}: restore it, e.g. with "
                  "ganlib.train.precision_policy(True), so later models are not built in float16")
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        report.expect(False, "", f"returned {type(value).__name__}; return the four-tuple "
                                 "(generator, discriminator, d_optimizer, g_optimizer).")
        return report.finish()
    generator, discriminator, d_optimizer, g_optimizer = value
    settings = models.check_preset(preset)["training"]
    for name, model in (("generator", generator), ("discriminator", discriminator)):
        if not isinstance(model, keras.Model):
            report.expect(False, "", f"the {name} is a {type(model).__name__}, not a keras.Model")
            continue
        weighted = [layer for layer in model.layers if layer.weights]
        hidden, last = weighted[:-1], weighted[-1] if weighted else None
        report.expect(bool(hidden) and all(layer.compute_dtype == "float16" for layer in hidden),
                      f"{name}: hidden layers compute in float16",
                      f"{name}: hidden layers compute in "
                      f"{sorted({layer.compute_dtype for layer in hidden})}: build the model "
                      "inside ganlib.train.precision_policy(True)")
        report.expect(last is not None and last.compute_dtype == "float32",
                      f"{name}: the last layer computes in float32",
                      f"{name}: the last layer computes in "
                      f"{getattr(last, 'compute_dtype', None)}: give it dtype='float32' so the "
                      "images, logits and losses stay float32")
        report.expect(all(weight.dtype == "float32" for weight in model.weights),
                      f"{name}: every weight is float32",
                      f"{name}: some weights are not float32: the variables must stay float32 "
                      "(mixed_float16 does that; float16 alone does not)")
    optimizers = {"d_optimizer": (d_optimizer, settings["d_learning_rate"]),
                  "g_optimizer": (g_optimizer, settings["g_learning_rate"])}
    for name, (optimizer, rate) in optimizers.items():
        if not report.expect(isinstance(optimizer, keras.optimizers.LossScaleOptimizer),
                             f"{name} is a LossScaleOptimizer",
                             f"{name} is {type(optimizer).__name__}: wrap it in "
                             "keras.optimizers.LossScaleOptimizer, or small float16 gradients "
                             "round to zero"):
            continue
        try:
            actual = float(np.asarray(optimizer.learning_rate))
        except (TypeError, ValueError):
            actual = float("nan")
        report.expect(_close(actual, rate, 1e-9), f"{name}: learning rate {actual:g}",
                      f"{name}: learning rate {actual:g}, expected the preset's {rate:g}: wrap "
                      "the optimizers of ganlib.train.make_optimizers(preset)")
    report.expect(d_optimizer is not g_optimizer,
                  "two optimizers: each network has its own loss scale",
                  "one optimizer for both networks: each needs its own LossScaleOptimizer, "
                  "because their gradients live on different scales")
    return report.finish()
