"""`train()`: one call that trains into an output folder, and resumes there after a stop.

This is what `ganlib train` runs, and what the notebooks use once they have shown the pieces.
The folder it writes:

    DIR/config.json           the run's settings (`TrainConfig`; a resumed run must agree)
    DIR/checkpoints/          epoch_NNNN.npz, the newest two (see ganlib.training.checkpoints)
    DIR/samples/epoch_NNN.png a grid from the same fixed noise after every epoch
    DIR/history.json          per-epoch metrics, steps and seconds
    DIR/progress.gif          the grids as an animation
    DIR/generator.keras       the trained generator (the average, when one is kept)
    DIR/tensorboard/          with `tensorboard=True`: per-epoch metrics and sample grids

Started again on a folder that holds a checkpoint, it restores the networks, the optimizers, the
averaged generator, the random state, the fixed noise and the history, and carries on from the
last finished epoch. Every epoch's data order is a function of the seed and the epoch alone
(`ganlib.data.epoch_batches`), so on a CPU with `deterministic=True` a run killed after epoch k
and resumed ends with exactly the weights of the run that was never stopped.
"""

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ganlib.core.files import atomic_write, check_writable, save_generator
from ganlib.data.clusters import cluster_images
from ganlib.data.mnist import load_mnist
from ganlib.data.pipeline import epoch_batches
from ganlib.engine.gan import GAN
from ganlib.models.presets import build_preset, preset_clusters
from ganlib.training import callbacks as gan_callbacks
from ganlib.training import checkpoints
from ganlib.training.config import TrainConfig, check_same_run

SAMPLE_COLUMNS = 8  # Images per row of each per-epoch grid.
SAMPLE_COUNT = 64  # An 8x8 grid; a conditional GAN gets ten rows, one per digit.


@dataclass
class TrainResult:
    """What `train()` returns: the trained GAN, its history, and where things were written."""

    gan: GAN
    history: dict
    out_dir: Path
    epochs_done: int
    config: TrainConfig = None
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

    Loads both networks, both optimizers' state, the averaged generator and the noise generator,
    and returns a `Resumed` with the epoch reached, the run's fixed noise and the entries of
    `out_dir/history.json` up to that epoch (later ones, from a run killed between writing its
    history and its checkpoint, are dropped: those epochs are trained again). Without a
    checkpoint it returns `Resumed()`, epoch 0. The learning rates the optimizers were built with
    are kept, not the stored ones, so a run that diverged can resume with a lower rate. Pass the
    epoch to `fit(initial_epoch=...)` and the history to `HistoryFile(previous=...)`.
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


def set_seed(seed, deterministic=False):
    """Seed Python, NumPy and TensorFlow; with `deterministic`, make TensorFlow's ops repeatable.

    On a CPU, the same seed with `deterministic=True` gives bit-identical losses and samples.
    Op determinism can cost speed (1.6x on a CPU in one measurement, none in another) and cannot be
    switched off again in the same process, so it is opt-in.
    """
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def make_optimizers(config):
    """Two Adam optimizers `(d_optimizer, g_optimizer)` with the learning rates and betas of a
    `TrainConfig`, or of the preset called `config`."""
    if isinstance(config, str):
        config = TrainConfig(preset=config, epochs=1)
    config = config.resolved()
    return tuple(keras.optimizers.Adam(rate, beta_1=config.beta_1, beta_2=config.beta_2)
                 for rate in (config.d_learning_rate, config.g_learning_rate))


def use_mixed_precision(setting="auto"):
    """Whether to train in mixed float16: "auto" means only when TensorFlow sees a GPU."""
    if setting == "auto":
        return bool(tf.config.list_physical_devices("GPU"))
    if setting in ("on", "off"):
        return setting == "on"
    if not isinstance(setting, bool):
        raise ValueError(f"mixed_precision must be 'auto', 'on' or 'off', not {setting!r}.")
    return setting


@contextlib.contextmanager
def precision_policy(mixed):
    """Build layers under the mixed_float16 policy (when `mixed`), then restore the old one.

    Layers keep the policy they were built with; the models' output layers are float32 anyway,
    so images and scores, and the losses on them, stay in float32.
    """
    previous = keras.config.dtype_policy()
    if mixed:
        keras.config.set_dtype_policy("mixed_float16")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def build_gan(config, strategy=None):
    """The compiled GAN of a resolved `config`, on `strategy`'s replicas when one is given."""
    use_mixed = use_mixed_precision(config.mixed_precision)
    with strategy.scope() if strategy is not None else contextlib.nullcontext(), \
            precision_policy(use_mixed):
        generator, discriminator = build_preset(
            config.preset, config.latent_dim,
            output_activation="tanh" if config.scale == "tanh" else "sigmoid")
        gan = GAN(generator, discriminator, seed=config.seed)
        optimizers = make_optimizers(config)
        if use_mixed:
            # One loss scale per network: their gradients live on different scales.
            optimizers = [keras.optimizers.LossScaleOptimizer(optimizer) for optimizer in optimizers]
        gan.compile(*optimizers, **config.compile_arguments())
    return gan


def _fixed_inputs(config):
    """The fixed noise of the sample grids and, for a conditional GAN, one row per digit (for a
    clustered one, its clusters in turn, the order `ganlib.models.generate` draws them in)."""
    clusters = preset_clusters(config.preset)
    labels = None
    if clusters:
        labels = (np.arange(SAMPLE_COUNT) % clusters).astype("int32")  # (64,)
    elif config.conditional:
        labels = gan_callbacks.grid_labels(SAMPLE_COLUMNS)  # (80,)
    count = len(labels) if labels is not None else SAMPLE_COUNT
    noise = np.random.default_rng(config.seed).standard_normal((count, config.latent_dim))
    return noise.astype("float32"), labels


def _training_data(config, images, labels, data_path):
    if images is None:
        images, labels = load_mnist("train", digits=config.digits, path=data_path,
                                    dataset=config.dataset)
    clusters = preset_clusters(config.preset)
    if clusters:  # The clusters stand in for the labels, which are not used.
        return images, cluster_images(images, clusters, seed=config.seed)
    if config.conditional and labels is None:
        raise ValueError("The conditional preset trains on images and their labels: pass "
                         "labels=... with images=..., or let train() load MNIST.")
    return images, labels if config.conditional else None


def train(out_dir, config, images=None, labels=None, data_path=None, strategy=None,
          callbacks=(), show_samples=False, verbose=1, log=print):
    """Train as `config` (a `TrainConfig`) says, into `out_dir`, resuming what is there.

    Args:
        out_dir: the run's folder (see the module docstring for what it holds).
        config: the run's settings; settings left at None come from its preset.
        images, labels: uint8 `(n, 28, 28)` (and `(n,)` digits, for a conditional preset) to
            train on; otherwise MNIST is loaded with `load_mnist(path=data_path, ...)`. A
            clustered preset ignores the labels: it groups the images itself
            (`ganlib.data.clusters`, a second or two) before training starts.
        strategy: a `tf.distribute` strategy (e.g. `MirroredStrategy()` for several GPUs); the
            batch size is then the global batch, split evenly across the replicas.
        callbacks: more Keras callbacks, e.g. `ganlib.evaluation.FIDCallback`.
        show_samples: display each epoch's grid inline (in a notebook).
        verbose: Keras' progress output (0, 1 or 2); with `minutes`, one line per epoch says
            the time used and left instead.

    Returns:
        A `TrainResult`.
    """
    config = config.resolved()
    out_dir = check_writable(out_dir)
    images, labels = _training_data(config, images, labels, data_path)
    set_seed(config.seed, config.deterministic)
    gan = build_gan(config, strategy)

    if checkpoints.list_checkpoints(out_dir / "checkpoints"):
        check_same_run(out_dir / "config.json", config)  # Before restoring: a clearer message.
    resumed = resume_run(gan, out_dir, log)
    start_epoch, fixed_noise, history = resumed.epoch, resumed.fixed_noise, resumed.history
    grid_labels = _fixed_inputs(config)[1]
    if resumed.path is None:
        fixed_noise = _fixed_inputs(config)[0]
        text = config.to_json(images=int(len(images))).encode()
        atomic_write(out_dir / "config.json", lambda handle: handle.write(text))

    batches, steps_per_epoch = epoch_batches(images, config.batch_size, seed=config.seed,
                                             first_epoch=start_epoch, scale=config.scale,
                                             labels=labels)
    total_epochs = config.epochs if config.epochs is not None else start_epoch + 1_000_000
    sample_grid = gan_callbacks.SampleGrid(fixed_noise, out_dir / "samples", show=show_samples,
                                           columns=SAMPLE_COLUMNS, labels=grid_labels)
    history_file = gan_callbacks.HistoryFile(out_dir / "history.json", history)
    # Extra callbacks go before HistoryFile, so what they log lands in the same epoch's entry.
    callback_list = [gan_callbacks.StopOnDivergence(), sample_grid, *callbacks, history_file,
                     gan_callbacks.Checkpoint(out_dir / "checkpoints", fixed_noise,
                                              {"preset": config.preset})]
    if config.tensorboard:
        # Metrics every epoch (Keras' callback), and the grid as an image beside them.
        callback_list += [keras.callbacks.TensorBoard(out_dir / "tensorboard", write_graph=False),
                          gan_callbacks.TensorBoardGrids(sample_grid, out_dir / "tensorboard"
                                                         / "samples")]
    if config.minutes is not None:
        callback_list.append(gan_callbacks.TimeLimit(config.minutes * 60,
                                                     report=log if verbose else None))
        verbose = 0  # Keras would count the epochs towards a made-up total.

    if start_epoch >= total_epochs:
        log(f"{out_dir} already holds {start_epoch} epochs; nothing to train.")
    else:
        gan.fit(batches, epochs=total_epochs, initial_epoch=start_epoch,
                steps_per_epoch=steps_per_epoch, callbacks=callback_list, verbose=verbose,
                shuffle=False)  # The batches come in their seeded order already.

    epochs_done = history_file.entries[-1]["epoch"] if history_file.entries else start_epoch
    save_generator(gan.sampling_generator, out_dir / "generator.keras")
    sample_paths = [out_dir / "samples" / f"epoch_{entry['epoch']:03d}.png"
                    for entry in history_file.entries]
    gan_callbacks.make_gif([path for path in sample_paths if path.exists()],
                           out_dir / "progress.gif")
    return TrainResult(gan, gan_callbacks.history_columns(history_file.entries), out_dir,
                       epochs_done, config, start_epoch, sample_grid.grids)
