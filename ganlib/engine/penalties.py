"""Gradient penalties: keep the discriminator smooth where it matters.

A penalty is a function `(score, real_images, fake_images, seed) -> scalar`, where
`score(images)` is the discriminator's scores `(batch, 1)` for images `(batch, 28, 28, 1)`. The
GAN adds `weight * penalty` to D's loss (see `GAN.compile`).

- `r1` (Mescheder et al., 2018; StyleGAN2, R3GAN): `E ||grad_x D(x)||^2 / 2` on real images. A
  zero-centred penalty: it pulls D's gradient at the data towards zero, so D does not overshoot
  and the game settles at the equilibrium instead of circling round it. The weight is gamma.
- `r2`: the same on generated images. R3GAN uses R1 and R2 together with the relativistic
  objective: pass `penalty="r1+r2"`.
- `gp` (WGAN-GP, Gulrajani et al., 2017): `E (||grad D(x_hat)||_2 - 1)^2` at random points
  x_hat = e x + (1 - e) G(z) between real and generated images, e ~ U[0, 1] per image. It keeps
  the critic of the `wasserstein` objective near 1-Lipschitz. The weight is lambda, usually 10.

The gradient norm of `gp` is `sqrt(sum(g^2) + 1e-12)`: the plain Euclidean norm has an infinite
derivative at g = 0, which would turn the loss into NaN the first time a gradient vanishes. The
mixing weight e is uniform in [0, 1], as in the paper (drawing it from a normal distribution, an
error in a widely copied example, puts x_hat far outside the line between the two images).
"""

from keras import ops

from ganlib.core.arguments import one_of
from ganlib.engine import backend


def _squared_gradient_norms(score, images):
    """`||grad_x D(x)||^2` per example: `(batch,)`, for images or any other inputs."""
    _, gradient = backend.input_gradients(score, images)  # e.g. (batch, 28, 28, 1)
    return ops.sum(ops.reshape(ops.square(gradient), (ops.shape(gradient)[0], -1)), axis=1)


def r1(score, real_images, fake_images, seed):
    """Half the mean squared gradient norm of D at the real images."""
    return 0.5 * ops.mean(_squared_gradient_norms(score, real_images))


def r2(score, real_images, fake_images, seed):
    """Half the mean squared gradient norm of D at the generated images."""
    return 0.5 * ops.mean(_squared_gradient_norms(score, fake_images))


def r1_r2(score, real_images, fake_images, seed):
    """R1 plus R2, as R3GAN trains."""
    return r1(score, real_images, fake_images, seed) + r2(score, real_images, fake_images, seed)


def gradient_penalty(score, real_images, fake_images, seed):
    """The WGAN-GP penalty, `mean (||grad D(x_hat)|| - 1)^2`, at random interpolates x_hat."""
    shape = (ops.shape(real_images)[0],) + (1,) * (len(real_images.shape) - 1)  # (batch, 1, ...)
    mix = ops.cast(backend.uniform(shape, seed), real_images.dtype)  # e ~ U[0, 1), one per example
    between = mix * real_images + (1.0 - mix) * fake_images
    norms = ops.sqrt(_squared_gradient_norms(score, between) + 1e-12)
    return ops.mean(ops.square(norms - 1.0))


PENALTIES = {"r1": r1, "r2": r2, "r1+r2": r1_r2, "gp": gradient_penalty}


def get_penalty(name):
    """The penalty function called `name` ("r1", "r2", "r1+r2", "gp"), or None for None."""
    if name is None:
        return None
    return PENALTIES[one_of("penalty", name, tuple(PENALTIES))]
