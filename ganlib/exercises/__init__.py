"""The checks of the notebooks' exercises, and their worked solutions for a learner who is stuck.

An exercise cell ends with a check, e.g. `ganlib.exercises.scale_to_tanh(scale_to_tanh)`: it
runs the learner's code on made-up inputs, compares it with a reference written independently
in this package, and prints ONE line: `ok: ...` with what is right, or `not yet: ...` with what
is wrong and a hint. It returns a `Verdict` (truthy only when everything passed) and never
raises for a wrong answer. `solution("01", 1)` prints the worked solution of notebook 01's
first exercise; nothing shows a solution unless asked.

- `ganlib.exercises.report`: the one helper every check uses (`Verdict`, `Diagnosis`, hints).
- `data` (01), `discriminator` (02), `generator` (03), `game` (04), `theory` (05),
  `training` (06), `classics` (07), `evaluation` (08), `stability` (09), `conditional` (10),
  `scaling` (11): the checks, one module per notebook.
- `ganlib.exercises.solutions`, `theory_solutions`, `classics_solutions`, `stability_solutions`
  and `conditional_solutions`: the worked solutions.
"""

import inspect

from ganlib.exercises.classics import (mlp_generator_parameters, scale_for_sigmoid,
                                       tutorial_losses)
from ganlib.exercises.classics_solutions import SOLUTIONS as _CLASSICS_SOLUTIONS
from ganlib.exercises.conditional import (condition_with_one_hot, projection_scores,
                                          same_noise_grid)
from ganlib.exercises.conditional_solutions import SOLUTIONS as _CONDITIONAL_SOLUTIONS
from ganlib.exercises.data import input_pipeline, scale_to_tanh, select_digits
from ganlib.exercises.discriminator import (accuracy_from_logits, binary_crossentropy_from_logits,
                                            discriminator)
from ganlib.exercises.evaluation import frechet_distance_1d, knn_precision, mmd2_unbiased
from ganlib.exercises.game import discriminator_loss, generator_loss, train_step
from ganlib.exercises.generator import generator, overlap_pattern
from ganlib.exercises.report import Verdict
from ganlib.exercises.scaling import mixed_precision_setup, replica_losses, warmup_learning_rate
from ganlib.exercises.solutions import SOLUTIONS as _SOLUTIONS
from ganlib.exercises.stability import effective_digits, hinge_losses, r1_penalty
from ganlib.exercises.stability_solutions import SOLUTIONS as _STABILITY_SOLUTIONS
from ganlib.exercises.theory import jensen_shannon, modes_covered, optimal_discriminator
from ganlib.exercises.theory_solutions import SOLUTIONS as _THEORY_SOLUTIONS
from ganlib.exercises.training import d_steps_experiment, gap_callback, sample_from_file

# Each notebook's exercises, in order: renumbering a notebook is a change of its key here.
NOTEBOOKS = {
    "01_data": ("scale_to_tanh", "select_digits", "input_pipeline"),
    "02_discriminator": ("discriminator", "accuracy_from_logits",
                         "binary_crossentropy_from_logits"),
    "03_generator": ("generator", "overlap_pattern"),
    "04_gan": ("generator_loss", "discriminator_loss", "train_step"),
    "05_theory": ("optimal_discriminator", "jensen_shannon", "modes_covered"),
    "06_training": ("gap_callback", "sample_from_file", "d_steps_experiment"),
    "07_classics": ("scale_for_sigmoid", "tutorial_losses", "mlp_generator_parameters"),
    "08_evaluation": ("frechet_distance_1d", "mmd2_unbiased", "knn_precision"),
    "09_stability": ("hinge_losses", "r1_penalty", "effective_digits"),
    "10_conditional": ("condition_with_one_hot", "projection_scores", "same_noise_grid"),
    "11_scaling": ("replica_losses", "warmup_learning_rate", "mixed_precision_setup"),
}
SOLUTIONS = {**_SOLUTIONS, **_THEORY_SOLUTIONS,
             **_CLASSICS_SOLUTIONS, **_STABILITY_SOLUTIONS,
             **_CONDITIONAL_SOLUTIONS}


def _notebook_name(notebook):
    """The key of NOTEBOOKS that `notebook` ("01", "01_data" or 1) names."""
    text = str(notebook)
    for name in NOTEBOOKS:
        number = name.split("_")[0]  # "01"
        if text in (name, number, str(int(number))):
            return name
    raise ValueError(f"Unknown notebook {notebook!r}: choose one of {', '.join(NOTEBOOKS)} "
                     "(or just its number, e.g. '01' or 1).")


def solution(notebook, number):
    """Print the worked solution of exercise `number` (1, 2, ...) of `notebook` ("01",
    "01_data" or 1). Open it when you are stuck, after trying: it shows the whole answer."""
    name = _notebook_name(notebook)
    checks = NOTEBOOKS[name]
    choices = range(1, len(checks) + 1)
    if isinstance(number, bool) or not isinstance(number, int) or number not in choices:
        raise ValueError(f"{name} has exercises {', '.join(map(str, choices))}; "
                         f"not {number!r}.")
    check = checks[number - 1]
    sources = [inspect.getsource(answer) for answer in SOLUTIONS[check]]
    print(f"# {name}, exercise {number}: a worked solution (checked by "
          f"ganlib.exercises.{check})\n\n" + "\n\n".join(sources), end="")


__all__ = ["NOTEBOOKS", "Verdict", "accuracy_from_logits", "binary_crossentropy_from_logits",
           "condition_with_one_hot", "d_steps_experiment", "discriminator", "discriminator_loss",
           "effective_digits", "frechet_distance_1d", "gap_callback", "generator",
           "generator_loss", "hinge_losses", "input_pipeline", "jensen_shannon", "knn_precision",
           "mixed_precision_setup", "mlp_generator_parameters", "mmd2_unbiased", "modes_covered",
           "optimal_discriminator", "overlap_pattern", "projection_scores", "r1_penalty",
           "replica_losses", "same_noise_grid", "sample_from_file", "scale_for_sigmoid",
           "scale_to_tanh", "select_digits", "solution", "train_step", "tutorial_losses",
           "warmup_learning_rate"]
