"""Checkpoints that survive a crash: everything needed to resume a GAN, in one `.npz` file.

A checkpoint holds the weights of both networks (batch-norm statistics included), the state of
both optimizers (step count and Adam's moment estimates), the state of the GAN's noise
generator, the averaged generator when one is kept, the fixed noise of the sample grids, the number of finished epochs and a small JSON
record (the run's settings). It is a plain NumPy archive: readable without pickle, so loading
one never runs code.

Files are written to a temporary name in the same folder and then renamed, which the operating
system does atomically: a run killed mid-write leaves the previous checkpoint intact and at most
a stray `*.tmp` file, never a half-written checkpoint. `latest_checkpoint` skips a file that
cannot be read and falls back to the one before it, with a warning.
"""

import json
import os
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ganlib.core.files import atomic_write

CHECKPOINT_PATTERN = re.compile(r"^epoch_(\d{4,})\.npz$")


def _variable_groups(gan):
    """The variables a checkpoint stores, by group, in a fixed order."""
    groups = {
        "generator": gan.generator.variables,  # Weights, batch-norm statistics, dropout seeds.
        "discriminator": gan.discriminator.variables,
        "g_optimizer": gan.g_optimizer.variables,
        "d_optimizer": gan.d_optimizer.variables,
        "noise_generator": [gan.seed_generator.state],
    }
    if gan.ema is not None:
        groups["generator_average"] = gan.ema.variables
    return groups


def save_checkpoint(gan, folder, epoch, fixed_noise, record=None, keep=2):
    """Write `folder/epoch_NNNN.npz` for a GAN after `epoch` finished epochs; keep the newest `keep`.

    Returns the path written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"epoch": np.array(epoch, dtype="int64"),
              "fixed_noise": np.asarray(fixed_noise, dtype="float32"),
              "record": np.array(json.dumps(record or {}))}
    for group, variables in _variable_groups(gan).items():
        for index, variable in enumerate(variables):
            arrays[f"{group}/{index:04d}"] = np.asarray(variable)
    path = folder / f"epoch_{epoch:04d}.npz"
    atomic_write(path, lambda handle: np.savez(handle, **arrays))
    for old in list_checkpoints(folder)[:-keep]:
        old.unlink()
    return path


def list_checkpoints(folder):
    """Checkpoint files in `folder`, oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [(int(match.group(1)), folder / name) for name in os.listdir(folder)
             if (match := CHECKPOINT_PATTERN.match(name))]
    return [path for _, path in sorted(found)]


def read_checkpoint(path):
    """Read a checkpoint file into a dict of arrays; raise ValueError if it is corrupt."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"Checkpoint {path} cannot be read ({error}).") from None


def latest_checkpoint(folder):
    """Return `(path, arrays)` of the newest readable checkpoint in `folder`, or `(None, None)`.

    A newest file that cannot be read (a disk error, a copy cut short) is skipped with a warning,
    and the one before it is used.
    """
    for path in reversed(list_checkpoints(folder)):
        try:
            return path, read_checkpoint(path)
        except ValueError as error:
            warnings.warn(f"{error} Falling back to the checkpoint before it.", stacklevel=2)
    return None, None


def restore_checkpoint(gan, arrays):
    """Load a checkpoint's arrays into a compiled GAN; return `(epoch, fixed_noise, record)`.

    Raises ValueError when the checkpoint was written for networks of another shape.
    """
    for group, variables in _variable_groups(gan).items():
        stored = sorted(key for key in arrays if key.startswith(group + "/"))
        if len(stored) != len(variables):
            raise ValueError(
                f"The checkpoint holds {len(stored)} {group} variables but the model has "
                f"{len(variables)}: it was written for another preset, latent size or EMA setting. "
                "Train into a new output folder, or use the settings the run was started with."
            )
        for key, variable in zip(stored, variables):
            if tuple(arrays[key].shape) != tuple(variable.shape):
                raise ValueError(
                    f"Checkpoint variable {key} has shape {arrays[key].shape}, the model's "
                    f"{variable.path} has {tuple(variable.shape)}: it was written for another "
                    "preset or latent size. Train into a new output folder."
                )
            variable.assign(arrays[key])
    record = json.loads(str(arrays["record"]))
    return int(arrays["epoch"]), arrays["fixed_noise"], record
