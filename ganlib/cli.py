"""The `ganlib` command (also `python -m ganlib`).

    ganlib train  --out DIR [--preset NAME] [--epochs N | --minutes M] [--batch-size B]
                  [--seed S] [--data PATH] [--digits 0,3] [--scale tanh|sigmoid]
    ganlib sample --generator PATH --n N --out FILE.npy|FILE.png [--seed S]
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

from ganlib import models


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not positive: use 1 or more")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def _digit_list(text):
    try:
        digits = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of digits, e.g. 0,3") from None
    if not digits or any(not 0 <= digit <= 9 for digit in digits):
        raise argparse.ArgumentTypeError(f"{text!r}: digits are 0 to 9, e.g. --digits 0,3")
    return digits


def build_parser():
    parser = argparse.ArgumentParser(prog="ganlib", description="Train and sample GANs on MNIST.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a GAN into an output folder (resumes there)")
    train.add_argument("--out", required=True, type=Path, help="output folder")
    train.add_argument("--preset", default="default", choices=list(models.PRESETS),
                       help="model preset (default: %(default)s)")
    budget = train.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=_positive_int, help="epochs to train in all (default 10)")
    budget.add_argument("--minutes", type=_positive_float, help="wall-clock minutes to train")
    train.add_argument("--batch-size", type=_positive_int, help="images per step (preset's default)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    train.add_argument("--data", type=Path, help="mnist.npz or a folder of the four IDX files")
    train.add_argument("--digits", type=_digit_list, help="keep only these classes, e.g. 0,3")
    train.add_argument("--dataset", default="mnist", choices=["mnist", "fashion_mnist"])
    train.add_argument("--scale", default="tanh", choices=["tanh", "sigmoid"],
                       help="data in [-1, 1] for a tanh generator, or [0, 1] for a sigmoid one")
    train.add_argument("--latent-dim", type=_positive_int, default=100)
    train.add_argument("--strategy", choices=["none", "mirrored"], default="none",
                       help="mirrored: train on every GPU of this machine (tf.distribute)")
    train.add_argument("--mixed-precision", choices=["auto", "on", "off"], default="auto",
                       help="float16 compute with loss scaling; auto: on a GPU only")
    train.add_argument("--d-learning-rate", type=_positive_float,
                       help="discriminator's Adam learning rate (preset's default)")
    train.add_argument("--g-learning-rate", type=_positive_float,
                       help="generator's Adam learning rate (preset's default)")

    sample = commands.add_parser("sample", help="draw images from a saved generator")
    sample.add_argument("--generator", required=True, type=Path, help="a generator.keras file")
    sample.add_argument("--n", required=True, type=_positive_int, help="how many images")
    sample.add_argument("--out", required=True, type=Path, help="FILE.npy (uint8) or FILE.png (grid)")
    sample.add_argument("--seed", type=int, default=0)

    course = commands.add_parser("course", help="run every notebook headless into a folder")
    course.add_argument("--out", type=Path, default=Path("build/course"))
    course.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="set a notebook parameter, e.g. -p EPOCHS 3")
    course.add_argument("notebooks", nargs="*", type=Path, help="only these notebooks")

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

    classifier = commands.add_parser("train-classifier",
                                     help="train the MNIST classifier the metrics are computed on")
    classifier.add_argument("--epochs", type=_positive_int, default=10,
                            help="epochs (default: %(default)s)")
    classifier.add_argument("--data", type=Path, help="mnist.npz or a folder of the four IDX files")
    classifier.add_argument("--out", type=Path, help="FILE.weights.h5 (default: the weights "
                            "shipped in ganlib/weights/, which the metrics load)")
    classifier.add_argument("--seed", type=int, default=0)
    return parser


def run_train(args):
    import tensorflow as tf

    from ganlib.train import train

    strategy = tf.distribute.MirroredStrategy() if args.strategy == "mirrored" else None
    mixed = {"auto": "auto", "on": True, "off": False}[args.mixed_precision]

    epochs = args.epochs if args.epochs is not None or args.minutes is not None else 10
    result = train(args.out, preset=args.preset, epochs=epochs, minutes=args.minutes,
                   batch_size=args.batch_size, seed=args.seed, data_path=args.data,
                   digits=args.digits, latent_dim=args.latent_dim, dataset=args.dataset,
                   scale=args.scale,
                   d_learning_rate=args.d_learning_rate, g_learning_rate=args.g_learning_rate,
                   strategy=strategy, mixed_precision=mixed,
                   verbose=1 if sys.stdout.isatty() else 2)
    print(f"Trained {result.epochs_done} epochs. Wrote {args.out}/generator.keras, "
          f"samples/, checkpoints/, history.json and progress.gif.")


def run_sample(args):
    from ganlib import data, plotting
    from ganlib.gan import generate
    from ganlib.train import load_generator

    suffix = args.out.suffix.lower()
    if suffix not in (".npy", ".png"):
        raise ValueError(f"--out {args.out} must end in .npy (uint8 array) or .png (image grid).")
    generator = load_generator(args.generator)
    pixels = data.unscale_images(generate(generator, args.n, seed=args.seed))  # (n, 28, 28) uint8
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".npy":
        np.save(args.out, pixels)
    else:
        plotting.save_grid(pixels, args.out)
    print(f"Wrote {args.n} samples to {args.out}.")


def run_course(args):
    from ganlib import course

    parameters = {name: course.parse_parameter(value) for name, value in args.parameter}
    for path in args.notebooks:
        if not path.exists():
            raise FileNotFoundError(f"No notebook {path}: list them with `ls notebooks/`.")
    rows = course.run_course(args.out, parameters, args.notebooks or None)
    print(f"Ran {len(rows)} notebooks in {sum(row['seconds'] for row in rows):.0f} s; "
          f"open {args.out}/index.html.")


def run_notebooks(args):
    from ganlib import course

    course.regenerate(args.notebooks or None)


def run_evaluate(args):
    from ganlib import metrics

    if args.samples is not None:
        samples = metrics.load_samples(args.samples)
        n = args.n or min(len(np.atleast_1d(samples)), metrics.STANDARD_N)
    else:
        from ganlib.gan import generate
        from ganlib.train import load_generator

        n = args.n or metrics.STANDARD_N
        samples = generate(load_generator(args.generator), n, seed=args.seed)
    results = metrics.evaluate(samples, n=n, data_path=args.data, seed=args.seed,
                               log=lambda text: print(text, file=sys.stderr))
    print(metrics.format_report(results))
    if args.json:
        print(metrics.results_json(results))


def run_train_classifier(args):
    from ganlib import classifier

    classifier.train_classifier(args.out or classifier.WEIGHTS_PATH, epochs=args.epochs,
                                data_path=args.data, seed=args.seed,
                                verbose=1 if sys.stdout.isatty() else 2)


COMMANDS = {"train": run_train, "sample": run_sample, "course": run_course,
            "notebooks": run_notebooks, "evaluate": run_evaluate,
            "train-classifier": run_train_classifier}


def main(argv=None):
    args = build_parser().parse_args(argv)
    from ganlib.callbacks import TrainingDiverged

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
