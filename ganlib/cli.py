"""The `ganlib` command (also `python -m ganlib`).

    ganlib train  --out DIR [--preset NAME] [--epochs N | --minutes M] [the game's settings ...]
    ganlib sample --generator PATH --n N --out FILE.npy|FILE.png [--seed S] [--digit D]
    ganlib evaluate (--generator PATH | --samples FILE.npy) [--n 10000] [--json] [--data PATH]
    ganlib train-classifier [--epochs N] [--data PATH] [--out FILE.weights.h5]
    ganlib course [--out DIR] [-p NAME VALUE ...] [NOTEBOOK ...]
    ganlib notebooks [NOTEBOOK ...]

Bad input ends the command with exit status 2 and one line saying what is wrong and how to fix
it, never a traceback.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import tensorflow as tf

from ganlib import course, plotting
from ganlib.core.files import load_generator
from ganlib.core.pixels import unscale_images
from ganlib.data.mnist import DATASETS
from ganlib.engine.augment import AUGMENTATIONS
from ganlib.engine.gan import UPDATES
from ganlib.engine.objectives import OBJECTIVES
from ganlib.engine.penalties import PENALTIES
from ganlib.evaluation import classifier, report
from ganlib.models.presets import DEFAULT_PRESET, PRESETS
from ganlib.models.sampling import generate, is_conditional, num_classes
from ganlib.training.callbacks import TrainingDiverged
from ganlib.training.config import TrainConfig
from ganlib.training.run import train


def _number(kind, noun, check, description):
    """An argparse type: `kind(text)` (a `noun`), and then `check(value)` must hold."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {noun}") from None
        if not check(value):
            raise argparse.ArgumentTypeError(f"{text} is not {description}")
        return value
    return parse


_positive_int = _number(int, "whole number", lambda value: value >= 1, "positive: use 1 or more")
_positive_float = _number(float, "number", lambda value: 0 < value < float("inf"),
                          "a positive number")
_non_negative_float = _number(float, "number", lambda value: 0 <= value < float("inf"),
                              "a number of at least 0")


def _digit(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a digit 0 to 9") from None
    if not 0 <= value <= 9:
        raise argparse.ArgumentTypeError(f"{text!r}: digits are 0 to 9, e.g. --digit 7")
    return value


def _digit_list(text):
    try:
        digits = [_digit(part) for part in text.split(",") if part.strip()]
    except argparse.ArgumentTypeError:
        digits = []
    if not digits:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of digits 0 to 9, e.g. --digits 0,3")
    return digits


def _augmentations(text):
    names = [name.strip() for name in text.split(",")]
    if text != "none" and any(name not in AUGMENTATIONS for name in names):
        raise argparse.ArgumentTypeError(f"{text!r}: use 'none' or a comma-separated list of "
                                         f"{', '.join(AUGMENTATIONS)}")
    return text


def _add_train_parser(commands):
    train_parser = commands.add_parser("train", help="train a GAN into an output folder "
                                       "(resumes there)")
    add = train_parser.add_argument
    add("--out", required=True, type=Path, help="output folder")
    add("--preset", choices=list(PRESETS), help="networks and settings "
        f"(default: {DEFAULT_PRESET})")
    add("--conditional", action="store_true", help="the same as --preset conditional: choose "
        "the digit when sampling")
    budget = train_parser.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=_positive_int, help="epochs to train in all (default 10)")
    budget.add_argument("--minutes", type=_positive_float, help="wall-clock minutes to train")
    add("--batch-size", type=_positive_int, help="images per step (preset's default)")
    add("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    add("--deterministic", action="store_true", help="bit-identical runs for one seed on a CPU "
        "(TensorFlow op determinism; it can cost speed: bench/RESULTS.md)")
    add("--data", type=Path, help="mnist.npz or a folder of the four IDX files")
    add("--digits", type=_digit_list, help="keep only these classes, e.g. 0,3")
    add("--dataset", default="mnist", choices=list(DATASETS))
    add("--scale", default="tanh", choices=["tanh", "sigmoid"],
        help="data in [-1, 1] for a tanh generator, or [0, 1] for a sigmoid one")
    add("--latent-dim", type=_positive_int, default=100)
    add("--objective", choices=list(OBJECTIVES), help="the losses (preset's default)")
    add("--label-smoothing", type=_non_negative_float, help="one-sided, for the BCE objectives")
    add("--penalty", choices=["none", *PENALTIES], help="gradient penalty on D (preset's default)")
    add("--penalty-weight", type=_non_negative_float, help="gamma for r1/r2, lambda for gp")
    add("--penalty-interval", type=_positive_int, help="apply the penalty every N D steps (lazy)")
    add("--ema", type=_non_negative_float, metavar="HALF_LIFE_IMAGES", dest="ema_half_life",
        help="average the generator's weights with this half-life in images; 0 is off")
    add("--augment", type=_augmentations, help="what D sees: none, or e.g. translation,cutout")
    add("--update", choices=list(UPDATES), help="alternating (default) or simultaneous")
    add("--d-steps", type=_positive_int, help="discriminator updates per generator update")
    add("--d-learning-rate", type=_positive_float, help="discriminator's Adam learning rate")
    add("--g-learning-rate", type=_positive_float, help="generator's Adam learning rate")
    add("--strategy", choices=["none", "mirrored"], default="none",
        help="mirrored: train on every GPU of this machine (tf.distribute)")
    add("--mixed-precision", choices=["auto", "on", "off"], default="auto",
        help="float16 compute with loss scaling; auto: on a GPU only")
    add("--tensorboard", action="store_true", help="write TensorBoard logs to OUT/tensorboard: "
        "per-epoch metrics and sample grids")


def build_parser():
    parser = argparse.ArgumentParser(prog="ganlib", description="Train and sample GANs on MNIST.")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_train_parser(commands)

    sample = commands.add_parser("sample", help="draw images from a saved generator")
    sample.add_argument("--generator", required=True, type=Path, help="a generator.keras file")
    sample.add_argument("--n", required=True, type=_positive_int, help="how many images")
    sample.add_argument("--out", required=True, type=Path, help="FILE.npy (uint8) or FILE.png "
                        "(grid)")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--digit", type=_digit, help="the digit to draw (conditional generators)")

    course_parser = commands.add_parser("course", help="run every notebook headless into a folder")
    course_parser.add_argument("--out", type=Path, default=Path("build/course"))
    course_parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                               metavar=("NAME", "VALUE"),
                               help="set a notebook parameter, e.g. -p EPOCHS 3")
    course_parser.add_argument("notebooks", nargs="*", type=Path, help="only these notebooks")

    notebooks = commands.add_parser("notebooks", help="re-execute the committed notebooks in place")
    notebooks.add_argument("notebooks", nargs="*", type=Path, help="only these notebooks")

    evaluate = commands.add_parser("evaluate", help="score a generator or saved samples with "
                                   "FID-MNIST and friends, beside real data")
    source = evaluate.add_mutually_exclusive_group(required=True)
    source.add_argument("--generator", type=Path, help="a generator.keras file")
    source.add_argument("--samples", type=Path, help="FILE.npy of images (n, 28, 28), uint8 or "
                        "floats in [0, 1] or [-1, 1]")
    evaluate.add_argument("--n", type=_positive_int, help="images to score (default: 10000, or "
                          "all the samples up to 10000)")
    evaluate.add_argument("--json", action="store_true", help="end with one line of JSON")
    evaluate.add_argument("--data", type=Path, help="mnist.npz or a folder of the four IDX files")
    evaluate.add_argument("--seed", type=int, default=0)

    classifier_parser = commands.add_parser("train-classifier", help="train the MNIST classifier "
                                            "the metrics are computed on")
    classifier_parser.add_argument("--epochs", type=_positive_int, default=10,
                                   help="epochs (default: %(default)s)")
    classifier_parser.add_argument("--data", type=Path, help="mnist.npz or a folder of the four "
                                   "IDX files")
    classifier_parser.add_argument("--out", type=Path, help="FILE.weights.h5 (default: the "
                                   "weights shipped in ganlib/weights/, which the metrics load)")
    classifier_parser.add_argument("--seed", type=int, default=0)
    return parser


def train_config(args):
    """The `TrainConfig` that `ganlib train`'s arguments ask for."""
    epochs = args.epochs if args.epochs is not None or args.minutes is not None else 10
    settings = {name: getattr(args, name) for name in (
        "batch_size", "seed", "latent_dim", "scale", "dataset", "objective", "label_smoothing",
        "penalty", "penalty_weight", "penalty_interval", "ema_half_life", "augment", "update",
        "d_steps", "d_learning_rate", "g_learning_rate", "deterministic", "mixed_precision",
        "tensorboard")}
    settings["digits"] = tuple(args.digits) if args.digits else None
    preset = "conditional" if args.conditional else args.preset or DEFAULT_PRESET
    return TrainConfig(preset=preset, epochs=epochs, minutes=args.minutes, **settings)


def run_train(args):
    if args.conditional and args.preset not in (None, "conditional"):
        raise ValueError(f"--conditional trains the conditional preset; it cannot be combined "
                         f"with --preset {args.preset}: leave one out.")
    strategy = tf.distribute.MirroredStrategy() if args.strategy == "mirrored" else None
    result = train(args.out, train_config(args), data_path=args.data, strategy=strategy,
                   verbose=1 if sys.stdout.isatty() else 2)
    print(f"Trained {result.epochs_done} epochs. Wrote {args.out}/generator.keras, "
          f"samples/, checkpoints/, history.json and progress.gif.")


def run_sample(args):
    suffix = args.out.suffix.lower()
    if suffix not in (".npy", ".png"):
        raise ValueError(f"--out {args.out} must end in .npy (uint8 array) or .png (image grid).")
    generator = load_generator(args.generator)
    if args.digit is not None and is_conditional(generator) and num_classes(generator) != 10:
        raise ValueError(f"This generator draws {num_classes(generator)} clusters, not digits (a "
                         "clustered preset's): leave out --digit to draw its clusters in turn, or "
                         "train with --preset conditional to choose the digit.")
    pixels = unscale_images(generate(generator, args.n, seed=args.seed, labels=args.digit))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".npy":
        np.save(args.out, pixels)  # uint8 (n, 28, 28)
    else:
        plotting.save_grid(pixels, args.out)
    print(f"Wrote {args.n} samples to {args.out}.")


def run_course(args):
    parameters = {name: course.parse_parameter(value) for name, value in args.parameter}
    for path in args.notebooks:
        if not path.exists():
            raise FileNotFoundError(f"No notebook {path}: list them with `ls notebooks/`.")
    rows = course.run_course(args.out, parameters, args.notebooks or None)
    print(f"Ran {len(rows)} notebooks in {sum(row['seconds'] for row in rows):.0f} s; "
          f"open {args.out}/index.html.")


def run_notebooks(args):
    course.regenerate(args.notebooks or None)


def run_evaluate(args):
    if args.samples is not None:
        samples = report.load_samples(args.samples)
        n = args.n or min(len(np.atleast_1d(samples)), report.STANDARD_N)
    else:
        n = args.n or report.STANDARD_N
        samples = generate(load_generator(args.generator), n, seed=args.seed)
    results = report.evaluate(samples, n=n, data_path=args.data, seed=args.seed,
                              log=lambda text: print(text, file=sys.stderr))
    print(report.format_report(results))
    if args.json:
        print(report.results_json(results))


def run_train_classifier(args):
    classifier.train_classifier(args.out or classifier.WEIGHTS_PATH, epochs=args.epochs,
                                data_path=args.data, seed=args.seed,
                                verbose=1 if sys.stdout.isatty() else 2)


COMMANDS = {"train": run_train, "sample": run_sample, "course": run_course,
            "notebooks": run_notebooks, "evaluate": run_evaluate,
            "train-classifier": run_train_classifier}


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except (ValueError, FileNotFoundError, TrainingDiverged) as error:
        print(f"ganlib {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ganlib {args.command}: interrupted; a training run resumes from its last "
              "checkpoint when started again with the same --out.", file=sys.stderr)
        return 130
    return 0
