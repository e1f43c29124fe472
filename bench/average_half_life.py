"""How long an average of the generator suits a long run: several averages of one run, side by side.

    python bench/average_half_life.py RUN_DIR --epochs 150 [--half-lives 25000,50000,100000]
        [--score-at 140] [--n 10000] [--out bench/RESULTS.md]

RUN_DIR is a `ganlib train` folder with checkpoints (say the `dcgan` preset after 100
epochs). It is copied to build/average_half_life/ and the copy trains on to `--epochs`, as
`ganlib train` would resume it, while more averages of the generator
(`ganlib.engine.ema.GeneratorAverage`) are kept beside the run's own: they start from the
generator at the checkpoint, without a ramp-up, and see every step from then on. Every
generator (the run's average, the raw generator, each extra average) is scored with
`ganlib.evaluation.evaluate` (FID-MNIST, precision, recall) on `--n` samples of the same noise
at each `--score-at` epoch and at the end. All the averages see one training run, so their
differences are not the noise between runs. One line per score is printed as JSON, and the table
is appended to `bench/RESULTS.md`.
"""

import argparse
import json
import shutil
from pathlib import Path

from common import write_results

import keras  # noqa: I100  (after common, which imports TensorFlow quietly)
import tensorflow as tf

from ganlib.data import load_mnist
from ganlib.engine.ema import GeneratorAverage
from ganlib.evaluation import evaluate
from ganlib.models import generate
from ganlib.training import TrainConfig, train

COPY = Path("build/average_half_life")


class ExtraAverages(keras.callbacks.Callback):
    """Keep an average of the generator per half-life, and score them all at chosen epochs."""

    def __init__(self, half_lives, batch_size, score_at, scorer):
        super().__init__()
        self.half_lives, self.batch_size = half_lives, batch_size
        self.score_at, self.scorer = score_at, scorer

    def on_train_begin(self, logs=None):
        generator = self.model.generator
        self.averages = {half_life: GeneratorAverage(generator, half_life, rampup=0.0)
                         for half_life in self.half_lives}
        # One graph per average: an eager update after every step would cost more than the step.
        self.updates = [tf.function(lambda average=average: average.update(generator,
                                                                            self.batch_size))
                        for average in self.averages.values()]

    def on_train_batch_end(self, batch, logs=None):
        for update in self.updates:
            update()

    def generators(self):
        named = {f"the run's own ({self.model.ema.half_life:g})": self.model.sampling_generator,
                 "raw generator": self.model.generator}
        named.update({f"{half_life:g}": average.generator
                      for half_life, average in self.averages.items()})
        return named

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.score_at:
            self.scorer(epoch + 1, self.generators())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--half-lives", default="25000,50000,100000")
    parser.add_argument("--score-at", default="", help="epochs to score at besides the last")
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()

    images, labels = load_mnist("train", path=args.data)
    heldout, _ = load_mnist("test", path=args.data)
    rows = []

    def score(epoch, generators):
        for name, generator in generators.items():
            # Seeded noise: every generator and epoch is scored on the same noise vectors.
            result = evaluate(generate(generator, args.n, seed=123), n=args.n, real_images=images,
                              heldout_images=heldout, baselines=False, memorisation=False,
                              kid_subsets=10)
            rows.append({"epoch": epoch, "average": name, **{key: float(result[key]) for key
                                                             in ("fid", "precision", "recall")}})
            print(json.dumps(rows[-1]), flush=True)

    config = json.loads((args.run_dir / "config.json").read_text())
    shutil.rmtree(COPY, ignore_errors=True)
    shutil.copytree(args.run_dir, COPY, ignore=shutil.ignore_patterns("samples", "*.gif"))
    run = TrainConfig(preset=config["preset"], epochs=args.epochs, seed=config["seed"],
                      ema_half_life=config["ema_half_life"])
    averages = ExtraAverages([float(h) for h in args.half_lives.split(",")],
                             run.resolved().batch_size,
                             [int(e) for e in args.score_at.split(",") if e], score)
    result = train(COPY, run, images=images, labels=labels, callbacks=[averages], verbose=0,
                   log=lambda text: None)
    score(args.epochs, averages.generators())

    baseline = evaluate(heldout[:args.n], n=args.n, real_images=images, heldout_images=heldout,
                        baselines=False, memorisation=False, kid_subsets=10)
    body = [f"Continued `{args.run_dir}` (preset `{config['preset']}`, seed {config['seed']}) "
            f"from epoch {result.resumed_from} to {args.epochs}; the extra averages start at "
            f"epoch {result.resumed_from}. FID-MNIST on {args.n} samples of the same noise; real "
            f"data: FID {baseline['fid']:.2f}. One training run.", "",
            "| epoch | average (half-life, images) | FID-MNIST | x real | precision | recall |",
            "|---|---|---|---|---|---|"]
    body += [f"| {row['epoch']} | {row['average']} | {row['fid']:.2f} | "
             f"{row['fid'] / baseline['fid']:.1f} | {row['precision']:.3f} | "
             f"{row['recall']:.3f} |" for row in rows]
    write_results(args.out, "average half-life", body, len(images))


if __name__ == "__main__":
    main()
