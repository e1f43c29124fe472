"""The named presets the course trains: networks and the settings they train best with.

A preset names a network family and its sizes, and the training settings that go with them
(`ganlib.training.TrainConfig` fills every setting you leave out from the preset):

- `tutorial`: exactly the layers of the TensorFlow DCGAN tutorial (2,330,944 and 212,865
  weights), batch 256, Adam(1e-4): the recipe the course is measured against.
- `mlp`: a fully connected GAN, the classic Keras example.
- `classic`: the course's first default, a narrow DCGAN with the cross-entropy game.
- `dcgan`: the course's plain DCGAN, the networks notebooks 02-06 build: a small generator and
  a three-block discriminator kept smooth by a lazy R1 penalty.
- `clustered` (the default, `DEFAULT_PRESET`): the `dcgan` blocks, conditioned on 30 clusters of
  similar training images that `ganlib.data.clusters` finds without labels (a self-conditioned
  GAN): an unconditional model of the images that trains like a conditional one, and the
  course's best at clean digits in minutes on a laptop CPU.
- `conditional`: the same networks conditioned on the digits' labels
  (`ganlib.models.conditional`): you choose the digit.
"""

from ganlib.core.arguments import one_of
from ganlib.models import conditional, dcgan, mlp

# family -> (generator builder, discriminator builder, is conditional)
FAMILIES = {
    "dcgan": (dcgan.dcgan_generator, dcgan.dcgan_discriminator, False),
    "mlp": (mlp.mlp_generator, mlp.mlp_discriminator, False),
    "conditional": (conditional.conditional_generator, conditional.projection_discriminator, True),
}

# What every preset trains with unless it says otherwise (see ganlib.engine.gan.GAN.compile).
TRAINING_DEFAULTS = {
    "batch_size": 64, "d_learning_rate": 2e-4, "g_learning_rate": 2e-4,
    "beta_1": 0.5, "beta_2": 0.999, "objective": "non_saturating", "label_smoothing": 0.0,
    "penalty": None, "penalty_weight": 0.0, "penalty_interval": 1, "ema_half_life": 0,
    "augment": None, "update": "alternating", "d_steps": 1,
}

# The training settings of the dcgan, clustered and conditional presets.
DEFAULT_RECIPE = {"batch_size": 32, "d_learning_rate": 6e-4, "g_learning_rate": 6e-4,
                  "beta_1": 0.0, "beta_2": 0.99, "penalty": "r1", "penalty_weight": 10.0,
                  "penalty_interval": 4, "ema_half_life": 10_000}
CONDITIONAL_GENERATOR = {"filters": (64, 32), "strides": (2, 2), "kernel_size": 4,
                         "embedding_dim": 10}

PRESETS = {
    "tutorial": {
        "family": "dcgan",
        "generator": {"filters": (256, 128, 64), "strides": (1, 2, 2), "kernel_size": 5},
        "discriminator": {"filters": (64, 128), "kernel_size": 5, "dropout": 0.3},
        # The tutorial trains with batch 256 and Adam(1e-4) for both networks.
        "training": {"batch_size": 256, "d_learning_rate": 1e-4, "g_learning_rate": 1e-4,
                     "beta_1": 0.9},
    },
    "mlp": {
        "family": "mlp",
        "generator": {"units": (256, 512, 1024)},
        "discriminator": {"units": (512, 256), "dropout": 0.3},
        "training": {"batch_size": 64},
    },
    "classic": {
        "family": "dcgan",
        "generator": {"filters": (128, 64), "strides": (2, 2), "kernel_size": 4},
        # The course's first default, tuned on a 2-core CPU (bench/RESULTS.md): without dropout
        # the narrow discriminator learns faster per image; batch 32 gives twice the updates for
        # the same images at nearly the same images/s; and a generator learning rate twice the
        # discriminator's lets the generator keep up. It levels off near FID-MNIST 33.
        "discriminator": {"filters": (32, 64), "kernel_size": 4, "dropout": 0.0},
        "training": {"batch_size": 32, "d_learning_rate": 2e-4, "g_learning_rate": 4e-4},
    },
    "dcgan": {
        "family": "dcgan",
        # A generator half as wide as the classic one (as good per image, 40% faster), and a
        # discriminator with a third block (4x4x128 before the score) kept smooth by a lazy R1
        # penalty: the recipe that broke the classic preset's FID plateau on this course's
        # 2-core CPU (bench/RESULTS.md, "Levers").
        "generator": {"filters": (64, 32), "strides": (2, 2), "kernel_size": 4},
        "discriminator": {"filters": (32, 64, 128), "kernel_size": 4, "dropout": 0.0},
        "training": DEFAULT_RECIPE,
    },
    "conditional": {
        "family": "conditional",
        # The dcgan recipe, class-conditional: the label enters the generator as an embedding
        # beside the noise and the discriminator as a projection (ganlib.models.conditional).
        "generator": CONDITIONAL_GENERATOR,
        "discriminator": {"filters": (32, 64, 128), "kernel_size": 4, "dropout": 0.0},
        "training": DEFAULT_RECIPE,
    },
    "clustered": {
        "family": "conditional",
        # The conditional recipe with the cluster of each image (k-means on its principal
        # components, no labels) in place of its digit. 30 clusters, each mostly one digit
        # written one way, gave a lower FID than 10 or 50 at the same precision or better, and
        # a third of the dcgan preset's FID in five minutes (bench/RESULTS.md,
        # "Self-conditioning"): the course's default.
        "clusters": 30,
        "generator": CONDITIONAL_GENERATOR,
        "discriminator": {"filters": (32, 64, 128), "kernel_size": 4, "dropout": 0.0},
        "training": DEFAULT_RECIPE,
    },
}

# The preset `ganlib train`, `TrainConfig`, `build_preset` and `load_pretrained` use unless told.
DEFAULT_PRESET = "clustered"


def check_preset(name):
    """Return the preset dictionary called `name`, or raise a ValueError listing the choices."""
    return PRESETS[one_of("preset", name, PRESETS)]


def is_conditional_preset(name):
    """Whether the preset `name` trains a class-conditional GAN."""
    return FAMILIES[check_preset(name)["family"]][2]


def preset_clusters(name):
    """How many label-free clusters the preset `name` conditions on (0: it uses no clusters)."""
    return check_preset(name).get("clusters", 0)


def training_settings(name):
    """The preset's training settings, every one of `TRAINING_DEFAULTS` filled in."""
    return {**TRAINING_DEFAULTS, **check_preset(name)["training"]}


def build_preset(name=DEFAULT_PRESET, latent_dim=100, output_activation="tanh", num_classes=10):
    """Build `(generator, discriminator)` for the preset `name`.

    The generator maps `(batch, latent_dim)` noise (and, for `conditional` and `clustered`,
    labels `(batch,)`) to `(batch, 28, 28, 1)` images in [-1, 1] (tanh) or [0, 1] (sigmoid); the
    discriminator maps images (and labels) to `(batch, 1)` scores. A `clustered` preset has one
    class per cluster (its "clusters"), whatever `num_classes` says.
    """
    preset = check_preset(name)
    build_generator, build_discriminator, conditional_family = FAMILIES[preset["family"]]
    extra = {"num_classes": preset.get("clusters") or num_classes} if conditional_family else {}
    generator = build_generator(latent_dim, output_activation=output_activation, **extra,
                                **preset["generator"])
    discriminator = build_discriminator(**extra, **preset["discriminator"])
    return generator, discriminator
