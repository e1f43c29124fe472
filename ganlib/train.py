"""`train()`: one call that trains a preset into an output folder, and resumes it there.

This is what `ganlib train` runs, and what the notebooks use once they have shown the pieces.
The folder it writes:

    DIR/config.json           the run's settings (a resumed run must use the same ones)
    DIR/checkpoints/          epoch_NNNN.npz, the newest two (see ganlib.checkpoints)
    DIR/samples/epoch_NNN.png a grid from the same fixed noise after every epoch
    DIR/history.json          per-epoch metrics and seconds
    DIR/progress.gif          the grids as an animation
    DIR/generator.keras       the trained generator, for keras.models.load_model

Started again on a folder that holds a checkpoint, it loads the networks, the optimizers, the
fixed noise and the history, and carries on from the last finished epoch.
"""

import contextlib
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from ganlib import callbacks as gan_callbacks
from ganlib import checkpoints, data, models
from ganlib.gan import GAN

PRETRAINED_PATH = Path(__file__).resolve().parent / "weights" / "generator_default.keras"
SAMPLE_COUNT = 64  # Images in each per-epoch grid: an 8x8 picture.
# Settings a resumed run must share with the run that wrote the checkpoint.
RESUME_KEYS = ("preset", "latent_dim", "batch_size", "digits", "scale", "dataset")


@dataclass
class TrainResult:
    """What `train()` returns: the trained GAN, its history, and where things were written."""

    gan: GAN
    history: dict
    out_dir: Path
    epochs_done: int
    resumed_from: int = 0
    sample_grids: list = field(default_factory=list)


@dataclass
class Resumed:
    """What `resume_run` found: the checkpoint used (None: a fresh run), and what it restored."""

    path: Path = None
    epoch: int = 0
    fixed_noise: np.ndarray = None
    history: list = field(default_factory=list)


def resume_run(gan, out_dir, log=print):
    """Restore the newest checkpoint in `out_dir/checkpoints` into the compiled `gan`, if any.

    Loads both networks, both optimizers' state and the noise generator, and returns a `Resumed`
    with the epoch reached, the run's fixed noise and the entries of `out_dir/history.json` up to
    that epoch (later ones, from a run killed between writing its history and its checkpoint,
    are dropped: those epochs are trained again). Without a checkpoint it returns `Resumed()`,
    epoch 0. The learning rates the optimizers were built with are kept, not the stored ones,
    so a run that diverged can resume with a lower rate. Pass the epoch to
    `fit(initial_epoch=...)` and the history to `HistoryFile(previous=...)`.
    """
    out_dir = Path(out_dir)
    checkpoint_path, arrays = checkpoints.latest_checkpoint(out_dir / "checkpoints")
    if checkpoint_path is None:
        return Resumed()
    rates = [float(optimizer.learning_rate) for optimizer in (gan.d_optimizer, gan.g_optimizer)]
    epoch, fixed_noise, _ = checkpoints.restore_checkpoint(gan, arrays)
    gan.d_optimizer.learning_rate, gan.g_optimizer.learning_rate = rates
    history = [entry for entry in gan_callbacks.read_history(out_dir / "history.json")
               if entry["epoch"] <= epoch]
    log(f"Resuming from {checkpoint_path} (epoch {epoch} done).")
    return Resumed(checkpoint_path, epoch, fixed_noise, history)


def set_seed(seed, deterministic=True):
    """Seed Python, NumPy and TensorFlow; with `deterministic`, make TensorFlow ops repeatable.

    On CPU, the same seed then gives bit-identical losses and samples. Op determinism costs a
    little speed on GPU and cannot be switched off again in the same process.
    """
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def make_optimizers(preset_name, d_learning_rate=None, g_learning_rate=None):
    """Two Adam optimizers with the preset's learning rates and beta_1, unless overridden."""
    settings = models.check_preset(preset_name)["training"]
    if d_learning_rate is None:
        d_learning_rate = settings["d_learning_rate"]
    if g_learning_rate is None:
        g_learning_rate = settings["g_learning_rate"]
    for name, value in (("d_learning_rate", d_learning_rate), ("g_learning_rate", g_learning_rate)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number such as 2e-4, not {value!r}.")
    return (keras.optimizers.Adam(d_learning_rate, beta_1=settings["beta_1"]),
            keras.optimizers.Adam(g_learning_rate, beta_1=settings["beta_1"]))


def check_writable(folder):
    """Create `folder` and prove a file can be written there, before any training time is spent."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-") as handle:
            handle.write(b"\0" * 65536)  # A checkpoint needs room, not only a directory entry.
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise ValueError(
            f"Cannot write to the output folder {folder} ({error.strerror or error}): "
            "choose a folder you can write to, on a disk with free space."
        ) from None


def _check_budget(epochs, minutes):
    if epochs is not None and minutes is not None:
        raise ValueError("Give epochs or minutes, not both.")
    if epochs is None and minutes is None:
        raise ValueError("Give how long to train: epochs=N or minutes=M.")
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer))
                               or epochs < 1):
        raise ValueError(f"epochs must be a whole number of at least 1, not {epochs!r}.")
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, (int, float))
                                or not math.isfinite(minutes) or minutes <= 0):
        raise ValueError(f"minutes must be a positive number, not {minutes!r}.")


def train(out_dir, preset="default", epochs=None, minutes=None, batch_size=None, seed=0,
          data_path=None, digits=None, latent_dim=100, scale="tanh", dataset="mnist",
          images=None, d_learning_rate=None, g_learning_rate=None, label_smoothing=None,
          d_steps=1, show_samples=False, verbose=1, deterministic=True, strategy=None,
          mixed_precision="auto", track_fid=False, log=print):
    """Train the preset `preset` into `out_dir` for `epochs` epochs or `minutes` of wall time.

    `strategy` (a `tf.distribute` strategy, e.g. `MirroredStrategy()` for several GPUs) builds
    and trains the GAN on all its replicas; `batch_size` is then the global batch, split evenly
    across them. `mixed_precision` "auto" uses float16 compute with loss scaling on a GPU and
    float32 elsewhere; True or False forces it. `track_fid` adds FID-MNIST on 1,000 samples
    (about a second) to every epoch's history, as `fid`.

    `images` (uint8 `(n, 28, 28)`) trains on an array you loaded yourself; otherwise the data is
    loaded with `ganlib.data.load_mnist(path=data_path, digits=digits, dataset=dataset)`.
    `epochs` counts from the start of the run, so a resumed run with `epochs=20` stops at
    epoch 20. Returns a `TrainResult`.
    """
    preset_settings = models.check_preset(preset)
    _check_budget(epochs, minutes)
    digits = data._check_digits(digits)
    out_dir = Path(out_dir)
    check_writable(out_dir)
    if images is None:
        images, _ = data.load_mnist("train", digits=digits, path=data_path, dataset=dataset)
    batch_size = batch_size or preset_settings["training"]["batch_size"]

    config = {"preset": preset, "latent_dim": latent_dim, "batch_size": batch_size,
              "digits": digits, "scale": scale, "dataset": dataset, "seed": seed,
              "images": int(len(images))}
    dataset_pipeline = data.make_dataset(images, batch_size, scale=scale, seed=seed)

    set_seed(seed, deterministic)
    if label_smoothing is None:
        label_smoothing = preset_settings["training"]["label_smoothing"]
    use_mixed = use_mixed_precision(mixed_precision)
    with strategy.scope() if strategy is not None else contextlib.nullcontext(), \
            precision_policy(use_mixed):
        generator, discriminator = models.build_preset(
            preset, latent_dim, output_activation="tanh" if scale == "tanh" else "sigmoid")
        gan = GAN(generator, discriminator, seed=seed)
        optimizers = make_optimizers(preset, d_learning_rate, g_learning_rate)
        if use_mixed:
            # One loss scale per network: their gradients live on different scales.
            optimizers = [keras.optimizers.LossScaleOptimizer(optimizer) for optimizer in optimizers]
        gan.compile(*optimizers, label_smoothing=label_smoothing, d_steps=d_steps)

    if checkpoints.list_checkpoints(out_dir / "checkpoints"):
        _check_same_run(out_dir / "config.json", config)  # Before restoring: a clearer message.
    resumed = resume_run(gan, out_dir, log)
    start_epoch, fixed_noise, previous_history = resumed.epoch, resumed.fixed_noise, resumed.history
    if resumed.path is None:
        fixed_noise = np.random.default_rng(seed).standard_normal(
            (SAMPLE_COUNT, latent_dim)).astype("float32")
        text = json.dumps(config, indent=1).encode()
        checkpoints.atomic_write(out_dir / "config.json", lambda handle: handle.write(text))

    total_epochs = epochs if epochs is not None else start_epoch + 1_000_000
    sample_grid = gan_callbacks.SampleGrid(fixed_noise, out_dir / "samples", show=show_samples,
                                           columns=8)
    history_file = gan_callbacks.HistoryFile(out_dir / "history.json", previous_history)
    callback_list = [gan_callbacks.StopOnDivergence(), sample_grid]
    if track_fid:
        from ganlib.metrics import FIDCallback  # Loads the classifier only when asked for.

        # Before HistoryFile, so the value it logs is in the same epoch's entry.
        callback_list.append(FIDCallback(images, n=min(1000, len(images)), seed=seed))
    callback_list += [history_file,
                     gan_callbacks.Checkpoint(out_dir / "checkpoints", fixed_noise, config)]
    if minutes is not None:
        callback_list.append(gan_callbacks.TimeLimit(minutes * 60))

    if start_epoch >= total_epochs:
        log(f"{out_dir} already holds {start_epoch} epochs; nothing to train.")
    else:
        gan.fit(dataset_pipeline, epochs=total_epochs, initial_epoch=start_epoch,
                callbacks=callback_list, verbose=verbose, shuffle=False)

    epochs_done = history_file.entries[-1]["epoch"] if history_file.entries else start_epoch
    save_generator(gan.generator, out_dir / "generator.keras")
    sample_paths = [out_dir / "samples" / f"epoch_{entry['epoch']:03d}.png"
                    for entry in history_file.entries]
    gan_callbacks.make_gif([path for path in sample_paths if path.exists()],
                           out_dir / "progress.gif")
    return TrainResult(gan, gan_callbacks.history_columns(history_file.entries), out_dir,
                       epochs_done, start_epoch, sample_grid.grids)


def use_mixed_precision(setting="auto"):
    """Whether to train in mixed float16: "auto" means only when TensorFlow sees a GPU."""
    import tensorflow as tf

    if setting == "auto":
        return bool(tf.config.list_physical_devices("GPU"))
    if not isinstance(setting, bool):
        raise ValueError(f"mixed_precision must be 'auto', True or False, not {setting!r}.")
    return setting


@contextlib.contextmanager
def precision_policy(mixed):
    """Build layers under the mixed_float16 policy (when `mixed`), then restore the old one.

    Layers keep the policy they were built with; the models' output layers are float32 anyway,
    so images and logits, and the losses on them, stay in float32.
    """
    previous = keras.config.dtype_policy()
    if mixed:
        keras.config.set_dtype_policy("mixed_float16")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def _check_same_run(config_path, config):
    if not config_path.exists():
        return
    saved = json.loads(config_path.read_text())
    for key in RESUME_KEYS:
        if saved.get(key) != config.get(key):
            raise ValueError(
                f"{config_path.parent} holds a run with {key}={saved.get(key)!r}, but this run "
                f"asks for {key}={config.get(key)!r}: use the same setting to resume, or "
                "train into a new output folder."
            )


def save_generator(generator, path):
    """Save a generator as a `.keras` file, atomically (a temporary file, then a rename)."""
    path = Path(path)
    temporary = path.with_name(path.stem + ".tmp.keras")
    generator.save(temporary)
    os.replace(temporary, path)
    return path


def load_generator(path, latent_dim=None):
    """Load a generator saved as `.keras`, safely (no arbitrary code), and check what it is.

    Raises FileNotFoundError for a missing file and ValueError for a file that is not a Keras
    model, is not a generator of 28x28 images, or takes another latent size than `latent_dim`.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No generator at {path}: train one with `ganlib train --out DIR`.")
    try:
        generator = keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as error:  # Keras raises several types for a file that is not a model.
        if "safe_mode" in str(error):
            raise ValueError(
                f"{path} holds Python code (a Lambda layer) that would run on loading; ganlib "
                "loads models with safe_mode=True and refuses it: use a generator that "
                "`ganlib train` wrote, or rebuild the model without Lambda layers."
            ) from None
        raise ValueError(
            f"{path} is not a Keras model file ({type(error).__name__}): pass the "
            "generator.keras that `ganlib train` wrote."
        ) from None
    if len(generator.inputs) != 1 or len(generator.input_shape) != 2 \
            or tuple(generator.output_shape[1:]) != models.IMAGE_SHAPE:
        raise ValueError(
            f"{path} maps {generator.input_shape} to {generator.output_shape}, not noise "
            "(batch, latent_dim) to images (batch, 28, 28, 1): is it a discriminator?"
        )
    if latent_dim is not None and generator.input_shape[-1] != latent_dim:
        raise ValueError(
            f"{path} takes noise of size {generator.input_shape[-1]}, not {latent_dim}: "
            f"use latent_dim={generator.input_shape[-1]}."
        )
    return generator


def load_pretrained():
    """The `default` generator that ships with ganlib (made by `make pretrained`): noise
    `(batch, 100)` -> images `(batch, 28, 28, 1)` in [-1, 1]. Nothing is downloaded."""
    if not PRETRAINED_PATH.exists():
        raise FileNotFoundError(f"No pretrained generator at {PRETRAINED_PATH}: make it with "
                                "`make pretrained` (about 10 minutes on a CPU).")
    return load_generator(PRETRAINED_PATH, latent_dim=100)
