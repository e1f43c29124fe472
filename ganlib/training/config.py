"""`TrainConfig`: every setting of a training run, in one object, as `config.json` holds it.

Fields left at None take the preset's value (`ganlib.models.presets`); `resolved()` fills them
in and checks every value, so a wrong setting fails before any time is spent. A run's folder
keeps the resolved configuration in `config.json`; a run resumed there must agree with it on
everything except the budget (`epochs`, `minutes`), the learning rates (lower them to recover
from a diverged run) and how it runs (`deterministic`, `mixed_precision`, `tensorboard`).

"Off" is written "none" for `penalty` and `augment`, and 0 for `ema_half_life`.
"""

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from ganlib.core.arguments import (in_range, non_negative_number, one_of, positive_number,
                                   whole_number)
from ganlib.core.pixels import check_scale
from ganlib.data.mnist import DATASETS, check_digits
from ganlib.engine.augment import make_augment
from ganlib.engine.gan import UPDATES
from ganlib.engine.objectives import OBJECTIVES
from ganlib.engine.penalties import PENALTIES
from ganlib.models.presets import DEFAULT_PRESET, is_conditional_preset, training_settings

# Settings a resumed run may change; every other one must match the run's config.json.
CHANGEABLE_ON_RESUME = ("epochs", "minutes", "d_learning_rate", "g_learning_rate",
                        "deterministic", "mixed_precision", "tensorboard")
MIXED_PRECISION = ("auto", "on", "off")


@dataclass(frozen=True)
class TrainConfig:
    """The settings of one training run (see `ganlib.training.train`).

    Budget (give one): `epochs` in all, counted from the start of the run, or `minutes` of wall
    time. Data: `dataset`, `digits` (e.g. [0] for a GAN of zeros), `scale` ("tanh" for data in
    [-1, 1], "sigmoid" for [0, 1]). Networks: `preset` ("clustered" unless told), `latent_dim`.
    The game (None: the preset's): `objective`, `label_smoothing`, `penalty` ("r1", "r2",
    "r1+r2", "gp" or "none"), `penalty_weight`, `penalty_interval`, `ema_half_life` (images; 0 is
    off), `augment` ("translation,cutout", or "none"), `update`, `d_steps`. Optimisation (None:
    the preset's): `batch_size`, `d_learning_rate`, `g_learning_rate`, `beta_1`, `beta_2`
    (Adam's). Running: `seed`; `deterministic` turns on TensorFlow's op determinism, so a seeded
    run on a CPU repeats bit for bit (it can cost speed: 1.6x on a CPU in one measurement);
    `mixed_precision` "auto" (on a GPU only), "on" or "off"; `tensorboard` writes TensorBoard
    logs beside the run.
    """

    preset: str = DEFAULT_PRESET
    epochs: Optional[int] = None
    minutes: Optional[float] = None
    batch_size: Optional[int] = None
    seed: int = 0
    latent_dim: int = 100
    scale: str = "tanh"
    dataset: str = "mnist"
    digits: Optional[tuple] = None
    objective: Optional[str] = None
    label_smoothing: Optional[float] = None
    penalty: Optional[str] = None
    penalty_weight: Optional[float] = None
    penalty_interval: Optional[int] = None
    ema_half_life: Optional[float] = None
    augment: Optional[str] = None
    update: Optional[str] = None
    d_steps: Optional[int] = None
    d_learning_rate: Optional[float] = None
    g_learning_rate: Optional[float] = None
    beta_1: Optional[float] = None
    beta_2: Optional[float] = None
    deterministic: bool = False
    mixed_precision: Union[str, bool] = "auto"
    tensorboard: bool = False

    @property
    def conditional(self):
        """Whether the preset trains a class-conditional GAN."""
        return is_conditional_preset(self.preset)

    def resolved(self):
        """A copy with every preset setting filled in and every value checked."""
        preset = training_settings(self.preset)
        values = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        for name, value in values.items():
            if value is None and name in preset:
                values[name] = preset[name]
        if values["digits"] is not None:
            values["digits"] = tuple(check_digits(values["digits"]))
        values["penalty"] = values["penalty"] or "none"
        values["augment"] = values["augment"] or "none"
        config = TrainConfig(**values)
        config.check()
        return config

    def check(self):
        """Raise a one-line ValueError for the first setting that is wrong."""
        _check_budget(self.epochs, self.minutes)
        whole_number("batch_size", self.batch_size)
        whole_number("latent_dim", self.latent_dim)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be a whole number, not {self.seed!r}.")
        check_scale(self.scale)
        one_of("dataset", self.dataset, DATASETS)
        check_digits(self.digits)
        one_of("objective", self.objective, OBJECTIVES)
        in_range("label_smoothing", self.label_smoothing, 0.0, 0.5, "0.1")
        one_of("penalty", self.penalty, ("none",) + tuple(PENALTIES))
        non_negative_number("penalty_weight", self.penalty_weight, "0.1")
        if self.penalty != "none" and not self.penalty_weight:
            raise ValueError(f"penalty {self.penalty!r} needs a penalty_weight above 0 (CLI: "
                             "--penalty-weight), e.g. 0.1 for r1 or 10 for gp.")
        whole_number("penalty_interval", self.penalty_interval)
        non_negative_number("ema_half_life", self.ema_half_life, "10000")
        make_augment(None if self.augment == "none" else self.augment)
        one_of("update", self.update, UPDATES)
        whole_number("d_steps", self.d_steps)
        positive_number("d_learning_rate", self.d_learning_rate, "2e-4")
        positive_number("g_learning_rate", self.g_learning_rate, "2e-4")
        in_range("beta_1", self.beta_1, 0.0, 1.0, "0.5")
        in_range("beta_2", self.beta_2, 0.0, 1.0, "0.99")
        if self.mixed_precision not in MIXED_PRECISION + (True, False):
            raise ValueError(f"mixed_precision must be 'auto', 'on' or 'off', not "
                             f"{self.mixed_precision!r}.")

    def compile_arguments(self):
        """The keyword arguments of `GAN.compile` that this (resolved) configuration sets."""
        return {"objective": self.objective, "label_smoothing": self.label_smoothing,
                "penalty": None if self.penalty == "none" else self.penalty,
                "penalty_weight": self.penalty_weight, "penalty_interval": self.penalty_interval,
                "ema_half_life": self.ema_half_life,
                "augment": None if self.augment == "none" else self.augment,
                "d_steps": self.d_steps, "update": self.update}

    def to_json(self, **extra):
        """The configuration as `config.json` text, with `extra` facts (e.g. the image count)."""
        values = dataclasses.asdict(self)
        values["digits"] = list(self.digits) if self.digits is not None else None
        return json.dumps({**values, **extra}, indent=1)


def _check_budget(epochs, minutes):
    if epochs is not None and minutes is not None:
        raise ValueError("Give epochs or minutes, not both.")
    if epochs is None and minutes is None:
        raise ValueError("Give how long to train: epochs=N or minutes=M.")
    if epochs is not None:
        whole_number("epochs", epochs)
    if minutes is not None:
        positive_number("minutes", minutes, "5")


def check_same_run(config_path, config):
    """Refuse to resume the run in `config_path`'s folder with different settings.

    Raises a ValueError naming the first setting that differs and the two ways out.
    """
    config_path = Path(config_path)
    if not config_path.exists():
        return
    saved = json.loads(config_path.read_text())
    current = json.loads(config.to_json())
    for key, value in current.items():
        if key in CHANGEABLE_ON_RESUME or saved.get(key, value) == value:
            continue
        raise ValueError(f"{config_path.parent} holds a run with {key}={saved.get(key)!r}, but this "
                         f"run asks for {key}={value!r}: use the same setting to resume, or start "
                         "over in a new output folder (in a notebook: RESTART = True).")
