"""Keras callbacks that watch a GAN train, keep its progress on disk, and stop it safely.

- `SampleGrid`: after every epoch, draws the same fixed noise through the generator (the
  averaged one, when the GAN keeps an average), so the grids are comparable from epoch to epoch;
  saves `epoch_NNN.png` and can show it inline. A conditional GAN gets one row per digit.
- `HistoryFile`: appends each epoch's metrics and wall time to a JSON file.
- `Checkpoint`: writes both networks, both optimizers, the epoch and the fixed noise after
  every epoch, atomically (`ganlib.training.checkpoints`).
- `StopOnDivergence`: stops at the first NaN or infinite loss, before it reaches a checkpoint.
- `TimeLimit`: stops training after a wall-clock budget, for "train for 5 minutes".
- `TensorBoardGrids`: writes each epoch's sample grid to TensorBoard, beside the metrics that
  Keras' own `TensorBoard` callback writes.

`make_gif` turns the saved grids into an animation of training.
"""

import json
import math
import time
from pathlib import Path

import imageio.v3 as imageio
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from ganlib import plotting
from ganlib.core.files import atomic_write
from ganlib.models.sampling import draw
from ganlib.training import checkpoints


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the message names the epoch and the likely fix."""


class SampleGrid(keras.callbacks.Callback):
    """Generate a grid from `fixed_noise` `(n, latent_dim)` at the end of every epoch.

    Args:
        fixed_noise: the same noise every epoch, so changes in the grid are the generator's.
        folder: where `epoch_NNN.png` files go (None: keep them in memory only).
        show: also display each grid inline (in a notebook).
        columns: images per row.
        labels: for a conditional GAN, the digit `(n,)` each image is asked for; `grid_labels`
            gives one row per digit.
    """

    def __init__(self, fixed_noise, folder=None, show=False, columns=None, labels=None):
        super().__init__()
        self.fixed_noise = np.asarray(fixed_noise, dtype="float32")
        self.labels = None if labels is None else np.asarray(labels, dtype="int32")
        self.folder = Path(folder) if folder is not None else None
        self.show = show
        self.columns = columns
        self.grids = []  # uint8 (height, width) pictures, one per epoch of this run.

    def on_epoch_end(self, epoch, logs=None):
        images = draw(self.model.sampling_generator, self.fixed_noise, self.labels)  # (n, 28, 28, 1)
        grid = plotting.grid_array(images, self.columns)
        self.grids.append(grid)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            plotting.save_grid(images, self.folder / f"epoch_{epoch + 1:03d}.png",
                               self.columns)
        if self.show:
            _show_inline(grid, f"Epoch {epoch + 1}")


def grid_labels(columns, classes=10):
    """Labels for a grid with one row per digit: `columns` 0s, then `columns` 1s, ... `(classes * columns,)`."""
    return np.repeat(np.arange(classes), columns).astype("int32")


def _show_inline(grid, title):
    from IPython.display import display  # Only in a notebook, where IPython is there.

    figure, axis = plt.subplots(figsize=(grid.shape[1] / 60, grid.shape[0] / 60 + 0.3))
    axis.imshow(grid, cmap="gray_r", vmin=0, vmax=255)
    axis.set_title(title, fontsize=9)
    axis.axis("off")
    display(figure)
    plt.close(figure)


class HistoryFile(keras.callbacks.Callback):
    """Append `{"epoch": N, <metrics>, "steps": ..., "seconds": ...}` to a JSON list after every epoch.

    `steps` counts the batches the epoch trained: fewer than a full epoch's when `TimeLimit`
    stopped it part-way (the next run then starts a new epoch). `previous` holds the entries of
    earlier runs into the same folder, so a resumed run continues the same history instead of
    starting a new one.
    """

    def __init__(self, path, previous=()):
        super().__init__()
        self.path = Path(path)
        self.entries = list(previous)

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.monotonic()
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1

    def on_epoch_end(self, epoch, logs=None):
        entry = {"epoch": epoch + 1}
        entry.update({name: float(value) for name, value in (logs or {}).items()})
        entry["steps"] = self.steps
        entry["seconds"] = round(time.monotonic() - self.started, 3)
        self.entries.append(entry)
        text = json.dumps(self.entries, indent=1).encode()
        atomic_write(self.path, lambda handle: handle.write(text))


def read_history(path):
    """Read a history file written by `HistoryFile`: a list of per-epoch dicts."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}): delete it to start a new history.") from None
    return entries


def history_columns(entries):
    """Turn a list of per-epoch dicts into `{metric: [value per epoch]}`, like `History.history`."""
    names = [name for name in entries[0] if name != "epoch"] if entries else []
    return {name: [entry.get(name, math.nan) for entry in entries] for name in names}


class Checkpoint(keras.callbacks.Callback):
    """Save a resumable checkpoint into `folder` after every epoch (see `ganlib.checkpoints`)."""

    def __init__(self, folder, fixed_noise, record=None, keep=2):
        super().__init__()
        self.folder = Path(folder)
        self.fixed_noise = fixed_noise
        self.record = record
        self.keep = keep

    def on_epoch_end(self, epoch, logs=None):
        checkpoints.save_checkpoint(self.model, self.folder, epoch + 1, self.fixed_noise,
                                    self.record, self.keep)


class StopOnDivergence(keras.callbacks.Callback):
    """Raise `TrainingDiverged` at the first batch whose loss is NaN or infinite.

    Raising (instead of only stopping) ends `fit()` before the epoch's end, so the broken
    weights never reach a checkpoint: the last one on disk is still good.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for name in ("d_loss", "g_loss"):
            value = float((logs or {}).get(name, 0.0))
            if not math.isfinite(value):
                raise TrainingDiverged(
                    f"{name} became {value} in epoch {self.epoch + 1}, batch {batch + 1}: "
                    "training diverged, most often because a learning rate is too high. "
                    "Lower it (e.g. halve it: --d-learning-rate/--g-learning-rate for `ganlib train`, "
                    "d_learning_rate=/g_learning_rate= for train()) and resume; the last good "
                    "checkpoint was kept."
                )


class TimeLimit(keras.callbacks.Callback):
    """Stop training once `seconds` of wall time have passed since `fit()` started.

    It stops after the batch that crosses the limit, so the last epoch may be cut short:
    `HistoryFile` records how many steps it trained, and `Checkpoint` saves it as that epoch.
    With `report` (a function taking one line, e.g. `print`), every epoch ends with a line
    saying the time used and left, in place of a progress bar that knows no end.
    """

    def __init__(self, seconds, report=None):
        super().__init__()
        self.seconds = seconds
        self.report = report

    def on_train_begin(self, logs=None):
        self.started = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        if time.monotonic() - self.started >= self.seconds:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.report is None:
            return
        used = time.monotonic() - self.started
        losses = "  ".join(f"{name} {float(value):.3f}" for name, value in (logs or {}).items()
                           if name in ("d_loss", "g_loss"))
        self.report(f"Epoch {epoch + 1}: {used / 60:.1f} of {self.seconds / 60:g} min used, "
                    f"{max(self.seconds - used, 0) / 60:.1f} min left  {losses}")


class TensorBoardGrids(keras.callbacks.Callback):
    """Write the newest grid of a `SampleGrid` to TensorBoard after every epoch, as an image.

    Place it after the `SampleGrid` in the callback list; the image is `samples` in `log_dir`.
    """

    def __init__(self, sample_grid, log_dir):
        super().__init__()
        self.sample_grid = sample_grid
        self.writer = tf.summary.create_file_writer(str(log_dir))

    def on_epoch_end(self, epoch, logs=None):
        grid = 255 - self.sample_grid.grids[-1]  # Ink on paper, as everywhere in the course.
        with self.writer.as_default():
            tf.summary.image("samples", grid[np.newaxis, :, :, np.newaxis], step=epoch + 1)
        self.writer.flush()

    def on_train_end(self, logs=None):
        self.writer.close()


def make_gif(png_paths, gif_path, seconds_per_frame=0.25):
    """Write the PNG grids `png_paths` (in order) as a looping GIF; returns its path, or None."""
    png_paths = list(png_paths)
    if not png_paths:
        return None
    frames = np.stack([imageio.imread(path) for path in png_paths])
    # Pillow's GIF writer takes milliseconds; the last frame stays longer so the result is easy to see.
    milliseconds = int(seconds_per_frame * 1000)
    durations = [milliseconds] * (len(frames) - 1) + [milliseconds * 4]
    if len(frames) == 1:
        durations = durations[0]  # Pillow wants one number, not a list, for a single frame.
    imageio.imwrite(gif_path, frames, plugin="pillow", duration=durations, loop=0)
    return gif_path
