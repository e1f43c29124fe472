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

# TensorFlow's C++ start-up messages (CUDA probing on a CPU machine, oneDNN notices) are noise
# for a learner; Python warnings and errors still show. Set TF_CPP_MIN_LOG_LEVEL=0 to see them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ganlib.data import load_mnist, make_dataset  # noqa: E402
from ganlib.gan import GAN, generate  # noqa: E402
from ganlib.models import build_preset  # noqa: E402
from ganlib.train import load_generator, load_pretrained  # noqa: E402  (ganlib.train.train trains)

__version__ = "0.1.0"
__all__ = ["GAN", "build_preset", "generate", "load_generator", "load_mnist", "load_pretrained",
           "make_dataset"]
