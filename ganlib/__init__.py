"""ganlib: the small library behind the gan-course notebooks.

One concept a module, each readable in one sitting:

- `ganlib.data`: load MNIST from disk (or Keras' cache, or a download) and build `tf.data` input.
- `ganlib.models`: DCGAN and MLP generators and discriminators, and the named presets.
- `ganlib.losses`: discriminator and generator losses on logits.
- `ganlib.gan`: `GAN`, a `keras.Model` whose `train_step` plays one round of the game.
- `ganlib.callbacks`: sample grids, history, checkpoints and safety stops for `fit()`.
- `ganlib.checkpoints`: crash-safe checkpoint files.
- `ganlib.train`: `train()`, the whole run into an output folder, with resume.
- `ganlib.classifier`: the small MNIST classifier (shipped weights) that the metrics look through.
- `ganlib.metrics`: FID-MNIST, KID, precision and recall, classifier score, memorisation.
- `ganlib.plotting`: image grids, real versus fake, training curves.
- `ganlib.checks`: the checks the notebooks' exercises run.
- `ganlib.course`: runs the notebooks headless.
- `ganlib.cli`: the `ganlib` command.
"""

import os


def _import_tensorflow_quietly():
    """Import TensorFlow without its C++ start-up lines (CUDA probing on a CPU, oneDNN notes).

    They are noise for a learner, and TensorFlow 2.21 writes some of them straight to the
    process's stderr before any log setting applies, so stderr (file descriptor 2) points at
    /dev/null while TensorFlow loads. Python warnings and errors are not affected. Set
    TF_CPP_MIN_LOG_LEVEL=0 to see everything.
    """
    if os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3") == "0":
        import tensorflow  # noqa: F401
        return
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_tensorflow_quietly()

from ganlib.data import load_mnist, make_dataset  # noqa: E402
from ganlib.gan import GAN, generate  # noqa: E402
from ganlib.models import build_preset  # noqa: E402
from ganlib.train import load_generator, load_pretrained  # noqa: E402  (ganlib.train.train trains)

__version__ = "0.1.0"
__all__ = ["GAN", "build_preset", "generate", "load_generator", "load_mnist", "load_pretrained",
           "make_dataset"]
