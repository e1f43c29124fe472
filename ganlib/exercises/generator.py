"""Checks for 03_generator's exercises: generator and overlap_pattern.

The generator is checked by behaviour: its parameter count comes from the architecture's
formula (`generator_parameters`), its output activation is exposed by making the last layer's
weights 1000 times larger (a tanh then saturates at exactly -1 and 1; no activation runs far
past them; a sigmoid stays in [0, 1]), and its hidden activations by checking that
arctanh(G(z)) is not an affine function of z. The overlap counts come from NumPy.
"""

import numpy as np

from ganlib.exercises.discriminator import blown_up, expect_model, expect_nonlinear, outputs
from ganlib.exercises.report import Diagnosis, When, as_array, call, diagnose, exercise


def generator_parameters(latent_dim, filters, kernel_size, dense_bias=False, conv_bias=False,
                         batch_norm=True):
    """Parameters of: Dense(7*7*filters[0]) -> BatchNorm, then one Conv2DTranspose ->
    BatchNorm block per further entry of `filters`, then Conv2DTranspose to one channel.
    Batch norm counts 4 numbers a channel (scale, offset, moving mean, moving variance)."""
    units = 7 * 7 * filters[0]
    count = latent_dim * units + dense_bias * units + batch_norm * 4 * units
    channels = filters[0]
    for block_filters in (*filters[1:], 1):
        count += kernel_size * kernel_size * channels * block_filters + conv_bias * block_filters
        count += batch_norm * 4 * block_filters * (block_filters != 1)
        channels = block_filters
    return count


def _saturates_at_both_ends(images):
    return np.abs(images).max() <= 1.0 + 1e-6 and images.min() < -0.99 and images.max() > 0.99


@exercise("generator")
def generator(build_function, latent_dim=100, filters=(256, 128, 64), strides=(1, 2, 2),
              kernel_size=5):
    """Check `build_function() -> keras.Model`, a DCGAN generator.

    It must map noise `(batch, latent_dim)` to images `(batch, 28, 28, 1)`: Dense to
    7x7xfilters[0] without bias, batch norm, then one transposed convolution (no bias, "same"
    padding, the given `strides`) with batch norm per further entry of `filters`, and a last
    transposed convolution to one channel, also without bias, ending in tanh, with nonlinear
    activations (LeakyReLU) between the layers. The defaults are the TensorFlow tutorial's
    generator, 2,330,944 parameters.
    """
    filters = tuple(filters)
    model = call(build_function)
    expect_model(model, (None, latent_dim), (None, 28, 28, 1))
    count = model.count_params()
    expected = generator_parameters(latent_dim, filters, kernel_size)
    other_kernels = [size for size in (kernel_size - 1, kernel_size + 1, 4, 5) if size > 0]
    diagnose(count, expected, [
        Diagnosis("biases", generator_parameters(latent_dim, filters, kernel_size, True, True),
                  "every layer has a bias: batch norm subtracts the mean anyway, so this "
                  "design leaves them out"),
        Diagnosis("conv_biases", generator_parameters(latent_dim, filters, kernel_size,
                                                      conv_bias=True),
                  "the transposed convolutions have biases; this design leaves them out"),
        Diagnosis("dense_bias", generator_parameters(latent_dim, filters, kernel_size,
                                                     dense_bias=True),
                  "the Dense layer has a bias; batch norm right after it makes it useless"),
        Diagnosis("no_batch_norm", generator_parameters(latent_dim, filters, kernel_size,
                                                        batch_norm=False),
                  "there is no batch norm: one belongs after every layer but the last"),
        *[Diagnosis("kernel_size", generator_parameters(latent_dim, filters, size),
                    f"that count fits kernels of {size}x{size}; these are "
                    f"{kernel_size}x{kernel_size}") for size in other_kernels]],
        f"{count:,} parameters, expected {expected:,}",
        "compare your model.summary() with the layers the exercise lists, one by one")
    noise = np.random.default_rng(0).standard_normal((16, latent_dim)).astype("float32")
    outputs(model, noise, "the generator")
    large = blown_up(model, noise, "the generator")
    diagnose(large, When(_saturates_at_both_ends), [
        Diagnosis("sigmoid", When(lambda got: got.min() >= 0.0 and got.max() <= 1.0),
                  "that is a sigmoid's range [0, 1], but the data is scaled to [-1, 1]"),
        Diagnosis("no_tanh", When(lambda got: np.abs(got).max() > 1.0),
                  "nothing keeps the output inside [-1, 1], the range of the data")],
        f"with the last layer's weights made 1000 times larger, the images span "
        f"[{large.min():.3f}, {large.max():.3f}]",
        "end with an activation whose range is [-1, 1], like the data's")
    rng = np.random.default_rng(1)
    pair = rng.standard_normal((2, 8, latent_dim)).astype("float32")
    expect_nonlinear(
        lambda z: np.arctanh(np.clip(outputs(model, z, "the generator"), -0.999999, 0.999999)),
        pair[0], pair[1], "without activations between them, stacked layers collapse into "
                          "one linear map: where do the LeakyReLUs go?")
    return (f"{count:,} parameters, noise (None, {latent_dim}) -> images (None, 28, 28, 1), "
            "tanh output and activations between the layers")


def _overlap_reference(kernel_size, stride, length):
    """How many kernel placements cover each output pixel: inputs `stride` apart, each
    covering `kernel_size` pixels, counted with a convolution."""
    spread = np.zeros((length - 1) * stride + 1)
    spread[::stride] = 1.0
    return np.convolve(spread, np.ones(kernel_size)).astype(int)


@exercise("overlap_pattern")
def overlap_pattern(function):
    """Check `function(kernel_size, stride, length) -> int array` for a 1-D transposed convolution.

    With a kernel of ones and an input of `length` ones, output pixel p counts the inputs i with
    i * stride <= p < i * stride + kernel_size; the output has `(length - 1) * stride +
    kernel_size` pixels. Tried with overlaps, with no overlap (stride 1 and 2 alike) and with
    gaps (a kernel smaller than the stride).
    """
    for kernel_size, stride, length in ((3, 2, 5), (4, 2, 5), (5, 2, 4), (3, 1, 4), (2, 3, 3)):
        expected = _overlap_reference(kernel_size, stride, length)
        name = f"kernel {kernel_size}, stride {stride}, {length} inputs"
        counts = as_array(call(function, kernel_size, stride, length), name)
        diagnose(counts, expected, [
            Diagnosis("no_tail", expected[:length * stride],
                      "the last kernel placement is cut off: the output runs on for "
                      "kernel_size pixels after the last input's position"),
            Diagnosis("ignores_stride", _overlap_reference(kernel_size, 1, length),
                      "the stride is missing: neighbouring inputs land stride pixels apart"),
            Diagnosis("wrong_length", When(lambda got: got.shape != expected.shape),
                      f"the output has (length - 1) * stride + kernel_size = {expected.size} "
                      "pixels")],
            f"{name}: got {np.ravel(counts).tolist()}", f"expected {expected.tolist()}",
            tolerance=0.0)
    return "counts match for overlapping, touching and gapped kernels"
