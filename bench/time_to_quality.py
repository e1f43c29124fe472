"""Time to quality: ganlib's presets against the TensorFlow DCGAN tutorial, side by side.

    python bench/time_to_quality.py [--seconds 300] [--seeds 3] [--n 10000]
        [--contender NAME=PRESET[:key=value,...] ...] [--no-reference] [--out bench/RESULTS.md]

Every contender trains for the same wall-clock budget, exactly as a learner's
`ganlib train --minutes M` does (`ganlib.training.train` with `TrainConfig(minutes=...)`, op
determinism off), once per seed; seeds go round the contenders, so a slow spell of the machine
hits them all alike. A contender is a preset with settings changed, e.g.
`r1=dcgan:penalty=r1,penalty_weight=0.1`; by default the contenders are the `classic` preset
(the course's first default), `dcgan`, `clustered` (the default) and `conditional`; a
`clustered` run finds its clusters (a second or two) before its budget starts, as `ganlib
train` does. The reference
is the TensorFlow tutorial's loop (`bench/common.py`) for the same time.

Each run is scored on `--n` samples by `ganlib.evaluation.evaluate`: FID-MNIST, precision and
recall; for the conditional preset also the share of samples asked for digit k that the
classifier calls k (`clustered` asks for clusters, not digits). A snapshot of the generator
after `--early` seconds is scored too. Printed and appended
to `bench/RESULTS.md`: per contender the median and the spread (min-max) over the seeds, with
images/s beside FID, and the ratio of the reference's FID to each contender's.
"""

import argparse
import ast
import json
import tempfile
import time
from pathlib import Path

from common import ReferenceTutorial, median_and_spread, write_results

import keras  # noqa: I100  (after common, which imports TensorFlow quietly)
import numpy as np

from ganlib.data import load_mnist, make_dataset
from ganlib.evaluation import classify, evaluate
from ganlib.models import generate, is_conditional, preset_clusters
from ganlib.training import TrainConfig, train

DEFAULT_CONTENDERS = ("classic=classic", "dcgan=dcgan", "clustered=clustered",
                      "conditional=conditional")


class Snapshot(keras.callbacks.Callback):
    """Keep a copy of the sampling generator's weights once `seconds` of training have passed."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds
        self.weights = None

    def on_train_begin(self, logs=None):
        self.started = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        if self.weights is None and time.monotonic() - self.started >= self.seconds:
            self.weights = [keras.ops.convert_to_numpy(variable)
                            for variable in self.model.sampling_generator.variables]


def parse_contender(text):
    """'NAME=PRESET[:key=value,...]' -> (name, preset, {key: value})."""
    name, _, spec = text.partition("=")
    preset, _, settings = spec.partition(":")
    overrides = {}
    for item in filter(None, settings.split(",")):
        key, _, value = item.partition("=")
        try:
            overrides[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            overrides[key] = value
    return name, preset, overrides


def score(generator, n, real_images, heldout_images, asks_digits=False):
    samples = generate(generator, n, seed=123)  # a conditional generator: its classes in turn
    results = evaluate(samples, n=n, real_images=real_images, heldout_images=heldout_images,
                       baselines=False, memorisation=False, kid_subsets=10)
    if asks_digits:
        asked = np.arange(n) % 10  # generate asks for the digits in turn
        results["class_accuracy"] = float(np.mean(classify(samples)[1].argmax(axis=1) == asked))
    return results


def run_contender(preset, overrides, seed, args, images, labels, heldout):
    snapshot = Snapshot(args.early)
    config = TrainConfig(preset=preset, minutes=args.seconds / 60, seed=seed, **overrides)
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        result = train(folder, config, images=images, labels=labels, callbacks=[snapshot],
                       verbose=0, log=lambda text: None)
        wall = time.monotonic() - started
    history, batch = result.history, result.config.batch_size
    row = {"steps": int(sum(history["steps"])), "wall_seconds": round(wall, 1),
           "images_per_second": sum(history["steps"]) * batch / sum(history["seconds"])}
    # A clustered preset's classes are clusters, not digits: nothing to check them against.
    asks_digits = is_conditional(result.gan.generator) and not preset_clusters(preset)
    row.update(score(result.gan.sampling_generator, args.n, images, heldout, asks_digits))
    if snapshot.weights is not None:
        early = keras.models.clone_model(result.gan.sampling_generator)
        for variable, value in zip(early.variables, snapshot.weights):
            variable.assign(value)
        row["early_fid"] = score(early, args.n, images, heldout)["fid"]
    return row


def run_reference(seed, args, images, heldout):
    reference = ReferenceTutorial(seed)
    batches = make_dataset(images, reference.batch_size, seed=seed).repeat()
    steps, elapsed = reference.train_for(batches, args.seconds)
    row = {"steps": steps, "wall_seconds": round(elapsed, 1),
           "images_per_second": steps * reference.batch_size / elapsed}
    row.update(score(reference.generator, args.n, images, heldout))
    return row


def summary(rows, baseline, args):
    lines = [f"Budget {args.seconds:g} s per run (`ganlib train --minutes "
             f"{args.seconds / 60:g}`), seeds {', '.join(map(str, range(args.seeds)))}; "
             f"FID-MNIST on {args.n} samples; real data (test vs training images, same n): FID "
             f"{baseline['fid']:.2f}, precision {baseline['precision']:.3f}, recall "
             f"{baseline['recall']:.3f}. Median [min-max] over the seeds.", "",
             "| contender | images/s | steps | FID-MNIST | x real | precision | recall | "
             f"FID after {args.early:g} s | digit asked = digit drawn |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, runs in rows.items():
        get = lambda key: [run[key] for run in runs if key in run]  # noqa: E731
        accuracy = get("class_accuracy")
        lines.append(
            f"| {name} | {median_and_spread(get('images_per_second'), 0)} | "
            f"{median_and_spread(get('steps'), 0)} | {median_and_spread(get('fid'))} | "
            f"{np.median(get('fid')) / baseline['fid']:.1f} | "
            f"{median_and_spread(get('precision'), 3)} | {median_and_spread(get('recall'), 3)} | "
            f"{median_and_spread(get('early_fid')) if get('early_fid') else '-'} | "
            f"{median_and_spread([100 * a for a in accuracy], 1) + '%' if accuracy else '-'} |")
    if "reference" in rows:
        reference = np.median([run["fid"] for run in rows["reference"]])
        lines.append("")
        for name, runs in rows.items():
            if name != "reference":
                ratio = reference / np.median([run["fid"] for run in runs])
                lines.append(f"- reference FID / {name} FID at equal time: **{ratio:.1f}x**")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--early", type=float, default=60, help="also score the generator as it "
                        "was after this many seconds")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--contender", action="append", help="NAME=PRESET[:key=value,...]")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    parser.add_argument("--log", type=Path, help="also write every run as a JSON line here")
    args = parser.parse_args()

    images, labels = load_mnist("train", path=args.data)
    heldout, _ = load_mnist("test", path=args.data)
    args.n = min(args.n, len(heldout))
    contenders = [parse_contender(text) for text in args.contender or DEFAULT_CONTENDERS]
    baseline = evaluate(heldout[:args.n], n=args.n, real_images=images, heldout_images=heldout,
                        baselines=False, memorisation=False, kid_subsets=10)
    rows = {name: [] for name, _, _ in contenders}
    if not args.no_reference:
        rows = {"reference": [], **rows}
    for seed in range(args.seeds):
        for name, preset, overrides in contenders:
            row = run_contender(preset, overrides, seed, args, images, labels, heldout)
            rows[name].append(row)
            print(json.dumps({"contender": name, "seed": seed, **row}), flush=True)
        if not args.no_reference:
            rows["reference"].append(run_reference(seed, args, images, heldout))
            print(json.dumps({"contender": "reference", "seed": seed, **rows["reference"][-1]}),
                  flush=True)
        if args.log:
            args.log.write_text(json.dumps(rows))
    body = [f"Contenders: {', '.join(f'`{text}`' for text in args.contender or DEFAULT_CONTENDERS)}"
            + ("; reference: the TensorFlow tutorial's loop" if not args.no_reference else ""), ""]
    write_results(args.out, "quality", body + summary(rows, baseline, args), len(images))


if __name__ == "__main__":
    main()
