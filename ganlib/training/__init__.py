"""Training runs: settings, callbacks, checkpoints and `train()`.

- `ganlib.training.config`: `TrainConfig`, every setting of a run (what `config.json` holds).
- `ganlib.training.callbacks`: sample grids, the history file, checkpoints, safety stops and a
  time limit, as Keras callbacks.
- `ganlib.training.checkpoints`: crash-safe checkpoint files.
- `ganlib.training.run`: `train(out_dir, config)`, the whole run into a folder, with resume.
"""

from ganlib.training.callbacks import (Checkpoint, HistoryFile, SampleGrid, StopOnDivergence,
                                       TensorBoardGrids, TimeLimit, TrainingDiverged, grid_labels,
                                       history_columns, make_gif, read_history)
from ganlib.training.config import TrainConfig
from ganlib.training.run import (TrainResult, build_gan, make_optimizers, precision_policy,
                                 resume_run, set_seed, train, use_mixed_precision)

__all__ = ["Checkpoint", "HistoryFile", "SampleGrid", "StopOnDivergence", "TensorBoardGrids",
           "TimeLimit",
           "TrainConfig", "TrainResult", "TrainingDiverged", "build_gan", "grid_labels",
           "history_columns",
           "make_gif", "make_optimizers", "precision_policy", "read_history", "resume_run",
           "set_seed", "train", "use_mixed_precision"]
