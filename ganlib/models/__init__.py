"""Generators and discriminators, the named presets, and drawing from a generator.

- `ganlib.models.dcgan`: the DCGAN networks (and their layers, shared with the conditional ones).
- `ganlib.models.mlp`: the fully connected networks.
- `ganlib.models.conditional`: a class-conditional generator and a projection discriminator.
- `ganlib.models.presets`: `build_preset(name)` and the settings each preset trains with.
- `ganlib.models.sampling`: `generate(generator, n, seed, labels)`, for any generator, and
  `draw(generator, noise, labels)` from noise you hold.
- `ganlib.models.pretrained`: `load_pretrained(preset)`, the generators that ship with ganlib.

Discriminators return *scores* `(batch, 1)` (logits), never probabilities.
"""

from ganlib.core.pixels import IMAGE_SHAPE
from ganlib.models.conditional import conditional_generator, projection_discriminator
from ganlib.models.dcgan import MinibatchStddev, dcgan_discriminator, dcgan_generator
from ganlib.models.mlp import mlp_discriminator, mlp_generator
from ganlib.models.presets import (DEFAULT_PRESET, PRESETS, TRAINING_DEFAULTS, build_preset,
                                   check_preset, is_conditional_preset, preset_clusters,
                                   training_settings)
from ganlib.models.pretrained import load_pretrained
from ganlib.models.sampling import draw, generate, is_conditional, latent_size, num_classes

__all__ = ["DEFAULT_PRESET", "IMAGE_SHAPE", "MinibatchStddev", "PRESETS", "TRAINING_DEFAULTS",
           "build_preset", "check_preset", "conditional_generator", "dcgan_discriminator",
           "dcgan_generator", "draw", "generate", "is_conditional", "is_conditional_preset",
           "latent_size", "load_pretrained", "mlp_discriminator", "mlp_generator", "num_classes",
           "preset_clusters", "projection_discriminator", "training_settings"]
