"""ganlib: the small library behind the gan-course notebooks.

Read it from the leaves up; each layer imports only the ones above it in this list:

- `ganlib.core`: argument checks, pixel ranges, crash-safe files and generator loading.
- `ganlib.data`: MNIST from disk and the `tf.data` input; `ganlib.plotting`: figures.
- `ganlib.models`: DCGAN, MLP and class-conditional networks, the presets, `generate`.
- `ganlib.engine`: objectives, penalties, augmentation, the generator average, and `GAN`.
- `ganlib.training`: `TrainConfig`, callbacks, checkpoints, and `train()` with resume.
- `ganlib.evaluation`: the MNIST classifier, FID-MNIST, KID, precision and recall, `evaluate`.
- `ganlib.exercises`, `ganlib.course`, `ganlib.cli`: the notebooks' checks, running the
  course headless, and the `ganlib` command.
"""

import importlib.metadata
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

from ganlib.core.files import load_generator, save_generator  # noqa: E402
from ganlib.data import load_mnist, make_dataset  # noqa: E402
from ganlib.engine import GAN  # noqa: E402
from ganlib.models import build_preset, generate, load_pretrained  # noqa: E402
from ganlib.training import TrainConfig, train  # noqa: E402

try:
    __version__ = importlib.metadata.version("ganlib")  # The one place: pyproject.toml.
except importlib.metadata.PackageNotFoundError:  # Imported from a checkout that is not installed.
    __version__ = "0+unknown"
__all__ = ["GAN", "TrainConfig", "build_preset", "generate", "load_generator", "load_mnist",
           "load_pretrained", "make_dataset", "save_generator", "train"]
