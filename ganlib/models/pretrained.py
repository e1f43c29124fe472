"""The generators that ship with ganlib, trained by the project's own code (`make pretrained`).

They are stored as weights only (`ganlib/weights/generator_<preset>.weights.h5`) and loaded into
the preset's network built from this code, so the same file loads under every Keras version the
course supports (a whole-model `.keras` file written by a newer Keras does not load in an older
one). Nothing is downloaded.

- `load_pretrained(preset)`: the trained generator of the default preset ("clustered"), of the
  plain "dcgan" (noise alone decides its digits) or of "conditional".
- `export_pretrained(generator_path, preset)`: write a trained `generator.keras` (what
  `ganlib train` saves) as the shipped weights of `preset`.
"""

from pathlib import Path

from ganlib.core.files import WEIGHTS_DIR, load_generator
from ganlib.models.presets import DEFAULT_PRESET, build_preset, check_preset

PRETRAINED = (DEFAULT_PRESET, "dcgan", "conditional")


def pretrained_path(preset=DEFAULT_PRESET):
    """Where the shipped weights of `preset`'s generator live."""
    return WEIGHTS_DIR / f"generator_{preset}.weights.h5"


def load_pretrained(preset=DEFAULT_PRESET):
    """The generator of `preset` that ships with ganlib: noise `(batch, 100)`, with labels
    `(batch,)` for "clustered" (clusters 0-29) and "conditional" (digits), -> images
    `(batch, 28, 28, 1)` in [-1, 1]. `ganlib.generate` fills the labels in for you."""
    if preset not in PRETRAINED:
        raise ValueError(f"No pretrained generator for preset {preset!r}: choose one of "
                         f"{', '.join(PRETRAINED)}.")
    path = pretrained_path(preset)
    if not path.exists():
        raise FileNotFoundError(f"No pretrained {preset!r} generator at {path}: make it with "
                                "`make pretrained` (up to 30 minutes on a CPU).")
    generator, _ = build_preset(preset)
    try:
        generator.load_weights(path)
    except Exception as error:  # h5py and Keras raise several types for a wrong file.
        raise ValueError(f"{path} does not hold the weights of the {preset!r} generator "
                         f"({type(error).__name__}): remake it with `make pretrained`.") from None
    return generator


def export_pretrained(generator_path, preset):
    """Save the generator in `generator_path` (a `.keras` file) as the shipped `preset` weights."""
    check_preset(preset)
    generator = load_generator(generator_path)
    path = pretrained_path(preset)
    generator.save_weights(path)
    return Path(path)
